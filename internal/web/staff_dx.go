package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/identity"
)

// The commune's digital-transformation dashboard (/staff/dx): leaders,
// administrators and province supervisors read it; leaders and
// administrators enter figures, set targets and import spreadsheets.

type dxPages struct {
	s   *Server
	svc *dx.Service
}

func dxRoutes(s *Server, route func(string, http.HandlerFunc)) {
	p := &dxPages{s: s, svc: dx.New(s.DB, s.Now)}
	route("GET /staff/dx", s.staffPage(p.dashboard, dx.ReadRoles...))
	route("GET /staff/dx/export.xlsx", s.staffPage(p.export, dx.ReadRoles...))
	route("GET /staff/dx/export.pdf", s.staffPage(p.export, dx.ReadRoles...))
	route("GET /staff/dx/import", s.staffPage(p.importPage, dx.EnterRoles...))
	route("POST /staff/dx/import", s.staffPage(p.importUpload, dx.EnterRoles...))
	route("GET /staff/dx/import/template.xlsx", s.staffPage(p.importTemplate, dx.EnterRoles...))
	route("GET /staff/dx/import/{id}", s.staffPage(p.importPreview, dx.EnterRoles...))
	route("POST /staff/dx/import/{id}", s.staffPage(p.importConfirm, dx.EnterRoles...))
	route("GET /staff/dx/{indicator}", s.staffPage(p.indicator, dx.ReadRoles...))
	route("POST /staff/dx/{indicator}", s.staffPage(p.indicator, dx.EnterRoles...))
	route("POST /staff/dx/targets/{indicator}", s.staffPage(p.target, dx.EnterRoles...))
}

// dxPeriod is the period asked for (?from=&to=, dates in Vietnam, to
// included): by default this year up to today.
type dxPeriod struct {
	From, To     time.Time // [From, To)
	FromS, ToS   string    // as in the form
	Error        string
	Query        string // from=…&to=… for links
	FromVN, ToVN string
}

func (p *dxPages) period(r *http.Request, v *staffView) dxPeriod {
	now := p.s.Now().In(calendar.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, calendar.Location)
	from, to := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, calendar.Location), today
	q := r.URL.Query()
	var bad bool
	parse := func(s string, def time.Time) time.Time {
		if s == "" {
			return def
		}
		t, err := time.ParseInLocation("2006-01-02", s, calendar.Location)
		if err != nil {
			bad = true
			return def
		}
		return t
	}
	f, t := parse(q.Get("from"), from), parse(q.Get("to"), to)
	out := dxPeriod{}
	switch {
	case bad:
		out.Error = v.T("dx.period_bad")
	case t.Before(f):
		out.Error = v.T("dx.period_order")
	case t.Sub(f) > 5*366*24*time.Hour:
		out.Error = v.T("dx.period_long")
	default:
		from, to = f, t
	}
	out.From, out.To = from, to.AddDate(0, 0, 1)
	out.FromS, out.ToS = from.Format("2006-01-02"), to.Format("2006-01-02")
	out.FromVN, out.ToVN = from.Format("02/01/2006"), to.Format("02/01/2006")
	out.Query = "from=" + out.FromS + "&to=" + out.ToS
	return out
}

func (p *dxPages) agency(r *http.Request, v *staffView) (string, string, error) {
	// A province supervisor looks at the centre's commune.
	if v.User.Agency != "" && !(v.Has(identity.RoleSupervisor) && !v.User.Principal().HasAny(dx.EnterRoles...)) {
		name := v.User.Agency
		if a, err := p.s.Org.Get(r.Context(), v.User.Agency); err == nil {
			name = a.Name
		}
		return v.User.Agency, name, nil
	}
	home, err := p.s.adminHome(r)
	if err != nil {
		return "", "", err
	}
	return home.Code, home.Name, nil
}

// GET /staff/dx — the dashboard.
func (p *dxPages) dashboard(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, name, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	per := p.period(r, v)
	d, err := p.svc.Dashboard(r.Context(), v.User.Principal(), agency, per.From, per.To)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	var computed, entered []dxCard
	for _, c := range d.Cards {
		cv := dxCardOf(v, c, per)
		if c.Indicator.Kind == dx.Computed {
			computed = append(computed, cv)
		} else {
			entered = append(entered, cv)
		}
	}
	p.s.renderStaff(w, r, http.StatusOK, "staff_dx", v, v.T("dx.title"), map[string]any{
		"Unit": name, "Period": per, "Computed": computed, "Entered": entered, "Teams": dxTeamsOf(v, d.Teams),
		"CanEnter": v.User.Principal().HasAny(dx.EnterRoles...),
	})
}

// GET /staff/dx/export.xlsx|pdf — the dashboard as a file (Vietnamese).
func (p *dxPages) export(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, name, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	per := p.period(r, v)
	d, err := p.svc.Dashboard(r.Context(), v.User.Principal(), agency, per.From, per.To)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	var b []byte
	var ctype, ext string
	if strings.HasSuffix(r.URL.Path, ".pdf") {
		sandbox := v.Centre != nil && v.Centre.Centre.Sandbox
		b, err = dx.PDF(d, name, sandbox, p.s.Now())
		ctype, ext = "application/pdf", "pdf"
	} else {
		b, err = dx.XLSX(d, name)
		ctype, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
	}
	if err != nil {
		p.s.staffFail(w, r, v, apperr.Wrap(err, "dx export"))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="chuyen-doi-so-%s-%s.%s"`, per.FromS, per.ToS, ext))
	w.Write(b)
}

// GET|POST /staff/dx/{indicator} — one indicator: definition, target,
// history with every entry, and the forms to enter a figure or set the
// target.
func (p *dxPages) indicator(w http.ResponseWriter, r *http.Request, v *staffView) {
	ind, ok := dx.Lookup(r.PathValue("indicator"))
	if !ok {
		p.s.staffFail(w, r, v, apperr.New(apperr.NotFound, "indicator_not_found", "Không có chỉ tiêu này trong danh mục chuyển đổi số."))
		return
	}
	agency, name, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	data := map[string]any{"Unit": name, "CanEnter": v.User.Principal().HasAny(dx.EnterRoles...)}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		in := dx.Input{Indicator: ind.Key, AsOf: r.PostFormValue("as_of"), Value: r.PostFormValue("value"), Numerator: r.PostFormValue("numerator"),
			Denominator: r.PostFormValue("denominator"), Source: r.PostFormValue("source"), Note: r.PostFormValue("note")}
		e, err := p.svc.Enter(r.Context(), v.User.Principal(), agency, in)
		if err == nil {
			adminDone(w, r, "/staff/dx/"+ind.Key, fmt.Sprintf(v.T("dx.entered"), dx.FormatValue(e.Value, ind.Unit, v.Lang), e.Date().Format("02/01/2006")))
			return
		}
		ae := apperr.As(err)
		if ae.Kind == apperr.Internal {
			p.s.staffFail(w, r, v, err)
			return
		}
		status = ae.Status()
		data["Error"], data["Field"], data["Form"] = adminErrText(v, ae), ae.Field, in
	}
	per := p.period(r, v)
	d, err := p.svc.Dashboard(r.Context(), v.User.Principal(), agency, per.From, per.To)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	var card dx.Card
	for _, c := range d.Cards {
		if c.Indicator.Key == ind.Key {
			card = c
		}
	}
	data["Card"] = dxCardOf(v, card, per)
	data["Period"] = per
	if ind.Kind == dx.Entered {
		hist, err := p.svc.History(r.Context(), agency, ind.Key)
		if err != nil {
			p.s.staffFail(w, r, v, err)
			return
		}
		rows := make([]dxHistRow, 0, len(hist))
		for i := len(hist) - 1; i >= 0; i-- { // newest first
			rows = append(rows, dxHistRowOf(v, ind, &hist[i]))
		}
		data["History"] = rows
	}
	if _, ok := data["Form"]; !ok {
		data["Form"] = dx.Input{AsOf: p.s.Now().In(calendar.Location).Format("2006-01-02")}
	}
	data["Today"] = p.s.Now().In(calendar.Location).Format("2006-01-02")
	p.s.renderStaff(w, r, status, "staff_dx_indicator", v, dxName(v, ind), data)
}

// POST /staff/dx/targets/{indicator} — the commune's own target.
func (p *dxPages) target(w http.ResponseWriter, r *http.Request, v *staffView) {
	ind, ok := dx.Lookup(r.PathValue("indicator"))
	if !ok {
		p.s.staffFail(w, r, v, apperr.New(apperr.NotFound, "indicator_not_found", "Không có chỉ tiêu này trong danh mục chuyển đổi số."))
		return
	}
	agency, _, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	t, err := p.svc.SetTarget(r.Context(), v.User.Principal(), agency, ind.Key, r.PostFormValue("target"), r.PostFormValue("target_source"))
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	adminDone(w, r, "/staff/dx/"+ind.Key, fmt.Sprintf(v.T("dx.target_set"), dx.FormatValue(t.Value, ind.Unit, v.Lang)))
}

// GET /staff/dx/import — the upload form and the template.
func (p *dxPages) importPage(w http.ResponseWriter, r *http.Request, v *staffView) {
	p.s.renderStaff(w, r, http.StatusOK, "staff_dx_import", v, v.T("dx.import_title"), map[string]any{"Indicators": dxEnteredList(v)})
}

// GET /staff/dx/import/template.xlsx
func (p *dxPages) importTemplate(w http.ResponseWriter, r *http.Request, v *staffView) {
	b, err := dx.Template()
	if err != nil {
		p.s.staffFail(w, r, v, apperr.Wrap(err, "dx template"))
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="mau-so-lieu-chuyen-doi-so.xlsx"`)
	w.Write(b)
}

// POST /staff/dx/import — read the spreadsheet, then show its preview.
func (p *dxPages) importUpload(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, _, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	fail := func(err error) {
		ae := apperr.As(err)
		if ae.Kind == apperr.Internal {
			p.s.staffFail(w, r, v, err)
			return
		}
		p.s.renderStaff(w, r, ae.Status(), "staff_dx_import", v, v.T("dx.import_title"), map[string]any{"Indicators": dxEnteredList(v), "Error": adminErrText(v, ae)})
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fail(apperr.Field("file", "file_required", "Vui lòng chọn tệp Excel (.xlsx) để nhập."))
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, dx.MaxImportBytes+1))
	if err != nil {
		fail(apperr.Wrap(err, "read upload"))
		return
	}
	im, err := p.svc.ReadImport(r.Context(), v.User.Principal(), agency, hdr.Filename, b)
	if err != nil {
		fail(err)
		return
	}
	http.Redirect(w, r, "/staff/dx/import/"+url.PathEscape(im.ID), http.StatusSeeOther)
}

// dxImportRow is a row of the preview.
type dxImportRow struct {
	Line                      int
	Indicator, Name, AsOf     string
	Value, Fraction           string
	Source, Note, Error, Code string
}

func (p *dxPages) showImport(w http.ResponseWriter, r *http.Request, v *staffView, status int, im *dx.Import, msg string) {
	rows := make([]dxImportRow, 0, len(im.Rows))
	for _, ir := range im.Rows {
		row := dxImportRow{Line: ir.Line, Indicator: ir.Input.Indicator, AsOf: ir.Input.AsOf, Value: ir.Input.Value, Source: ir.Input.Source, Note: ir.Input.Note, Code: ir.Code}
		if ind, ok := dx.Lookup(ir.Input.Indicator); ok {
			row.Name = dxName(v, ind)
		}
		if ir.Input.Numerator != "" || ir.Input.Denominator != "" {
			row.Fraction = ir.Input.Numerator + " / " + ir.Input.Denominator
		}
		if e := ir.Entry; e != nil {
			ind, _ := dx.Lookup(e.Indicator)
			row.Value = dx.FormatValue(e.Value, ind.Unit, v.Lang)
			row.AsOf = e.Date().Format("02/01/2006")
		}
		if ir.Code != "" {
			row.Error = adminErrText(v, &apperr.Error{Code: ir.Code, Message: ir.Error})
		}
		rows = append(rows, row)
	}
	p.s.renderStaff(w, r, status, "staff_dx_import", v, v.T("dx.import_preview"), map[string]any{
		"Import": im, "Rows": rows, "Valid": im.Valid(), "Error": msg, "Mine": im.CreatedBy == v.User.ID,
	})
}

// GET /staff/dx/import/{id} — the preview: every row, its errors.
func (p *dxPages) importPreview(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, _, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	im, err := p.svc.GetImport(r.Context(), agency, r.PathValue("id"))
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	p.showImport(w, r, v, http.StatusOK, im, "")
}

// POST /staff/dx/import/{id} — confirm: every row written, or none.
func (p *dxPages) importConfirm(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, _, err := p.agency(r, v)
	if err != nil {
		p.s.staffFail(w, r, v, err)
		return
	}
	im, err := p.svc.ConfirmImport(r.Context(), v.User.Principal(), agency, r.PathValue("id"))
	if err != nil {
		ae := apperr.As(err)
		if ae.Kind == apperr.Internal || ae.Kind == apperr.NotFound {
			p.s.staffFail(w, r, v, err)
			return
		}
		cur, gerr := p.svc.GetImport(r.Context(), agency, r.PathValue("id"))
		if gerr != nil {
			p.s.staffFail(w, r, v, gerr)
			return
		}
		p.showImport(w, r, v, ae.Status(), cur, adminErrText(v, ae))
		return
	}
	adminDone(w, r, "/staff/dx", fmt.Sprintf(v.T("dx.imported"), len(im.Rows)))
}
