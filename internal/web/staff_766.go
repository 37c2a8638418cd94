package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/score"
	"github.com/motcua/motcua/internal/vntext"
)

// The Decision 766 index in the console (/staff/766): a commune's score for
// a period, what drags it down, the dossiers behind every figure, a
// province's ranking, and the index as a spreadsheet or a PDF. Leaders,
// administrators and province supervisors read it; only a supervisor (or an
// account bound to no agency) may look at another commune.

// score766Roles read the index; score766ProvinceRoles the ranking.
var (
	score766Roles         = []string{identity.RoleLeader, identity.RoleAdministrator, identity.RoleSupervisor}
	score766ProvinceRoles = []string{identity.RoleSupervisor}
)

// s766MembersPage is the drill-down's page size.
const s766MembersPage = 50

type scorePages struct{ s *Server }

func score766Routes(s *Server, route func(string, http.HandlerFunc)) {
	if s.Score == nil {
		return
	}
	p := &scorePages{s: s}
	route("GET /staff/766", s.staffPage(p.index, score766Roles...))
	route("GET /staff/766/export.xlsx", s.staffPage(p.export, score766Roles...))
	route("GET /staff/766/export.pdf", s.staffPage(p.export, score766Roles...))
	route("GET /staff/766/province", s.staffPage(p.province, score766ProvinceRoles...))
	route("GET /staff/766/{indicator}", s.staffPage(p.members, score766Roles...))
}

// s766Form is what the period form asked for, checked, with the query it
// gives; Values carries it into links.
type s766Form struct {
	Period, Formula, Procedure, Field, Agency string
	Year, Month, Quarter                      int
	FromS, ToS                                string // custom period, as typed
	From, To                                  time.Time
	FromVN, ToVN                              string
	Clipped                                   bool // the period ends after today: shown up to today
	Values                                    url.Values
}

// Query is the form as a query string for links (no leading "?").
func (f s766Form) Query() string { return f.Values.Encode() }

// With is the query string with one parameter changed.
func (f s766Form) With(k, v string) string {
	q := url.Values{}
	for key, vals := range f.Values {
		q[key] = vals
	}
	if v == "" {
		q.Del(k)
	} else {
		q.Set(k, v)
	}
	return q.Encode()
}

// parse766 reads the period form: by default the current year up to today.
// Wrong input is an apperr.Invalid with a Vietnamese message.
func (p *scorePages) parse(r *http.Request) (s766Form, error) {
	q := r.URL.Query()
	for k, vals := range q {
		for _, val := range vals {
			if !vntext.Valid(val) || len(val) > 100 {
				return s766Form{}, apperr.Field(k, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
			}
		}
	}
	now := p.s.Now().In(calendar.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, calendar.Location)
	f := s766Form{Period: q.Get("period"), Formula: q.Get("formula"), Procedure: strings.TrimSpace(q.Get("procedure")),
		Field: strings.TrimSpace(q.Get("field")), Agency: strings.TrimSpace(q.Get("agency")),
		Year: now.Year(), Month: int(now.Month()), Quarter: (int(now.Month())-1)/3 + 1, FromS: q.Get("from"), ToS: q.Get("to")}
	if f.Period == "" {
		f.Period = "year"
	}
	num := func(name string, lo, hi int, def int, code, msg string) (int, error) {
		s := strings.TrimSpace(q.Get(name))
		if s == "" {
			return def, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return 0, apperr.Field(name, code, msg)
		}
		return n, nil
	}
	var err error
	if f.Year, err = num("year", 2015, now.Year(), f.Year, "s766_invalid_year", fmt.Sprintf("Năm phải từ 2015 đến %d.", now.Year())); err != nil {
		return f, err
	}
	switch f.Period {
	case "year":
		f.From, f.To = score.Year(f.Year)
	case "quarter":
		if f.Quarter, err = num("quarter", 1, 4, f.Quarter, "s766_invalid_quarter", "Quý phải từ 1 đến 4."); err != nil {
			return f, err
		}
		f.From, f.To = score.Quarter(f.Year, f.Quarter)
	case "month":
		if f.Month, err = num("month", 1, 12, f.Month, "s766_invalid_month", "Tháng phải từ 1 đến 12."); err != nil {
			return f, err
		}
		f.From, f.To = score.Month(f.Year, time.Month(f.Month))
	case "custom":
		parse := func(name, s string) (time.Time, error) {
			t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), calendar.Location)
			if err != nil {
				return t, apperr.Field(name, "s766_invalid_date", "Ngày không đúng. Vui lòng chọn ngày theo mẫu ngày/tháng/năm.")
			}
			return t, nil
		}
		if f.From, err = parse("from", f.FromS); err != nil {
			return f, err
		}
		if f.To, err = parse("to", f.ToS); err != nil {
			return f, err
		}
		if f.To.Before(f.From) {
			return f, apperr.Field("to", "s766_period_reversed", "Ngày kết thúc phải sau ngày bắt đầu.")
		}
		if f.To.Sub(f.From) > 5*366*24*time.Hour {
			return f, apperr.Field("to", "s766_period_too_long", "Khoảng thời gian dài quá 5 năm. Vui lòng chọn khoảng ngắn hơn.")
		}
	default:
		return f, apperr.Field("period", "s766_invalid_period", "Kỳ phải là tháng, quý, năm hoặc khoảng ngày tự chọn.")
	}
	if f.From.After(today) {
		return f, apperr.Field("from", "s766_period_future", "Kỳ đã chọn chưa bắt đầu. Vui lòng chọn một kỳ đến hôm nay.")
	}
	if f.To.After(today) {
		f.To, f.Clipped = today, true
	}
	switch f.Formula {
	case "":
		f.Formula = score.FormulaCurrent
	case score.FormulaCurrent, score.Formula2022:
	default:
		return f, apperr.Field("formula", "s766_unknown_formula", "Bộ công thức phải là bộ hiện hành (6 nhóm) hoặc bộ năm 2022 (5 nhóm).")
	}
	cat := p.s.Catalog.Catalog()
	if f.Procedure != "" {
		if _, ok := cat.Get(f.Procedure); !ok {
			return f, apperr.Field("procedure", "s766_unknown_procedure", "Không có thủ tục với mã "+f.Procedure+" trong danh mục.")
		}
	}
	if f.Field != "" && !slices.Contains(cat.Fields(), f.Field) {
		return f, apperr.Field("field", "s766_unknown_field", "Không có lĩnh vực “"+f.Field+"” trong danh mục.")
	}
	f.FromVN, f.ToVN = f.From.Format("02/01/2006"), f.To.Format("02/01/2006")
	if f.Period != "custom" {
		// Ready for a switch to dates of one's own choice.
		f.FromS, f.ToS = f.From.Format("2006-01-02"), f.To.Format("2006-01-02")
	}
	f.Values = url.Values{}
	set := func(k, v string) {
		if v != "" {
			f.Values.Set(k, v)
		}
	}
	set("period", f.Period)
	set("year", strconv.Itoa(f.Year))
	switch f.Period {
	case "quarter":
		set("quarter", strconv.Itoa(f.Quarter))
	case "month":
		set("month", strconv.Itoa(f.Month))
	case "custom":
		f.Values.Del("year")
		set("from", f.From.Format("2006-01-02"))
		set("to", f.To.Format("2006-01-02"))
	}
	if f.Formula != score.FormulaCurrent {
		set("formula", f.Formula)
	}
	set("procedure", f.Procedure)
	set("field", f.Field)
	set("agency", f.Agency)
	return f, nil
}

// agency is the commune the page is about: the user's own; a supervisor
// (or an account bound to no agency) may ask for a commune under its
// province with ?agency=.
func (p *scorePages) agency(r *http.Request, v *staffView, asked string) (*org.Agency, error) {
	pr := v.User.Principal()
	wide := pr.Agency == "" || v.Has(identity.RoleSupervisor)
	refused := apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không được xem chỉ số của đơn vị này.")
	if asked != "" {
		if !wide && asked != pr.Agency {
			return nil, refused
		}
		if pr.Agency != "" && asked != pr.Agency && !strings.HasPrefix(asked, pr.Agency+".") {
			return nil, refused
		}
		a, err := p.s.Org.Get(r.Context(), asked)
		if err != nil || a.Kind != org.KindCommune {
			return nil, apperr.Field("agency", "unknown_agency", "Không có xã với mã "+asked+".")
		}
		return a, nil
	}
	if pr.Agency != "" && !v.Has(identity.RoleSupervisor) {
		a, err := p.s.Org.Get(r.Context(), pr.Agency)
		if err == nil && a.Kind != org.KindCommune && a.Parent != "" {
			a, err = p.s.Org.Get(r.Context(), a.Parent) // a department: its commune
		}
		if err == nil && a.Kind == org.KindCommune {
			return a, nil
		}
	}
	return p.s.adminHome(r)
}

// province is the province a supervisor oversees: its own agency when that
// is a province, else the parent of the commune served.
func (p *scorePages) province(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, ferr := p.parse(r)
	prov, err := p.provinceOf(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	name := prov.Name
	if v.Lang == "en" && prov.NameEn != "" {
		name = prov.NameEn
	}
	data := map[string]any{"Form": f, "Province": name, "Periods": s766Periods(v), "Formulas": s766Formulas(v), "Months": s766Months(v)}
	if ferr != nil {
		ae := apperr.As(ferr)
		data["Error"], data["ErrField"] = adminErrText(v, ae), ae.Field
		p.s.renderStaff(w, r, ae.Status(), "staff_766_province", v, v.T("s766.province_title"), data)
		return
	}
	rows, err := p.s.Score.Ranking(r.Context(), prov.Code, f.From, f.To)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	data["Ranking"] = s766RankingOf(v, f, rows)
	p.s.renderStaff(w, r, http.StatusOK, "staff_766_province", v, v.T("s766.province_title"), data)
}

func (p *scorePages) provinceOf(r *http.Request, v *staffView) (*org.Agency, error) {
	pr := v.User.Principal()
	if pr.Agency != "" {
		a, err := p.s.Org.Get(r.Context(), pr.Agency)
		if err != nil {
			return nil, apperr.New(apperr.NotFound, "unknown_province", "Không tìm thấy tỉnh mà tài khoản giám sát.")
		}
		if a.Kind == org.KindProvince {
			return a, nil
		}
		if a.Kind == org.KindCommune && a.Parent != "" {
			return p.s.Org.Get(r.Context(), a.Parent)
		}
		return nil, apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không giám sát một tỉnh.")
	}
	home, err := p.s.adminHome(r)
	if err != nil {
		return nil, err
	}
	if home.Parent == "" {
		return nil, apperr.New(apperr.NotFound, "unknown_province", "Xã chưa được gắn với một tỉnh.")
	}
	return p.s.Org.Get(r.Context(), home.Parent)
}

// load reads the form, the commune and its index; a wrong form is
// returned as formErr with the form as far as it was read.
func (p *scorePages) load(r *http.Request, v *staffView) (f s766Form, a *org.Agency, x *score.Index, formErr, err error) {
	f, formErr = p.parse(r)
	a, err = p.agency(r, v, strings.TrimSpace(r.URL.Query().Get("agency")))
	if err != nil || formErr != nil {
		return
	}
	x, err = p.s.Score.Index(r.Context(), p.query(f, a))
	return
}

func (p *scorePages) query(f s766Form, a *org.Agency) score.Query {
	return score.Query{Agency: a.Code, From: f.From, To: f.To, Formula: f.Formula, Procedure: f.Procedure, Field: f.Field}
}

func agencyName(v *staffView, a *org.Agency) string {
	if v.Lang == "en" && a.NameEn != "" {
		return a.NameEn
	}
	return a.Name
}

// GET /staff/766 — the commune's index for a period.
func (p *scorePages) index(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, a, x, formErr, err := p.load(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	data := map[string]any{"Form": f, "Unit": agencyName(v, a), "Periods": s766Periods(v), "Formulas": s766Formulas(v), "Months": s766Months(v),
		"Procedures": s766Procedures(v, p.s.Catalog.Catalog()), "Fields": s766Fields(v, p.s.Catalog.Catalog()),
		"Supervisor": v.Has(identity.RoleSupervisor)}
	if formErr != nil {
		ae := apperr.As(formErr)
		data["Error"], data["ErrField"] = adminErrText(v, ae), ae.Field
		p.s.renderStaff(w, r, ae.Status(), "staff_766", v, v.T("s766.title"), data)
		return
	}
	data["X"] = s766IndexOf(v, f, x)
	p.s.renderStaff(w, r, http.StatusOK, "staff_766", v, v.T("s766.title"), data)
}

// GET /staff/766/{indicator}?which=numerator|denominator&page= — the
// dossiers an indicator counted.
func (p *scorePages) members(w http.ResponseWriter, r *http.Request, v *staffView) {
	id := r.PathValue("indicator")
	f, a, x, formErr, err := p.load(r, v)
	if err == nil {
		err = formErr
	}
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	in, ok := x.Indicator(id)
	if !ok {
		p.s.staffFail(w, r, v, apperr.New(apperr.NotFound, "indicator_not_found", "Không có chỉ số này trong Bộ chỉ số 766."))
		return
	}
	which := r.URL.Query().Get("which")
	if which == "" {
		which = score.Denominator
	}
	page := 1
	if s := r.URL.Query().Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100000 {
			p.s.staffFail(w, r, v, apperr.Field("page", "s766_invalid_page", "Số trang không hợp lệ."))
			return
		}
		page = n
	}
	data := map[string]any{"Form": f, "Unit": agencyName(v, a), "Ind": s766IndOf(v, f, in), "Which": which}
	title := in.ID + ". " + dxPick(v, in.Name, in.NameEn)
	if !in.Members {
		p.s.renderStaff(w, r, http.StatusOK, "staff_766_members", v, title, data)
		return
	}
	mp, err := p.s.Score.Members(r.Context(), id, p.query(f, a), which, score.Page{Offset: (page - 1) * s766MembersPage, Limit: s766MembersPage})
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	data["List"] = s766MembersOf(v, p.s.Catalog.Catalog(), f, id, which, page, mp)
	p.s.renderStaff(w, r, http.StatusOK, "staff_766_members", v, title, data)
}

// GET /staff/766/export.xlsx|pdf — the index as a file (Vietnamese).
func (p *scorePages) export(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, a, x, formErr, err := p.load(r, v)
	if err == nil {
		err = formErr
	}
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	rep := s766ReportOf(f, a, x, p.s.Catalog.Catalog())
	var b []byte
	var ctype, ext string
	if strings.HasSuffix(r.URL.Path, ".pdf") {
		sandbox := v.Centre != nil && v.Centre.Centre.Sandbox
		b, err = rep.PDF(sandbox, p.s.Now())
		ctype, ext = "application/pdf", "pdf"
	} else {
		b, err = rep.XLSX()
		ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
	}
	if err != nil {
		p.s.staffFail(w, r, v, apperr.Wrap(err, "766 export"))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="chi-so-766-%s-%s-%s.%s"`, a.Code, f.From.Format("2006-01-02"), f.To.Format("2006-01-02"), ext))
	w.Write(b)
}
