package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
)

// adminServedRow is one procedure of the catalogue, ticked when the centre
// serves it.
type adminServedRow struct {
	P         *catalog.Procedure
	V         *catalog.Version // in force today; nil when none
	From      string           // when V came into force, DD/MM/YYYY
	Served    bool
	Uncertain int // facts to check against the province's decision
}

// GET /staff/admin/procedures — which procedures the centre serves.
func (s *Server) adminProcedures(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	codes, err := s.Catalog.Served(r.Context(), home.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Now()
	var rows []adminServedRow
	for _, p := range s.Catalog.Catalog().All() {
		row := adminServedRow{P: p, Served: len(codes) == 0 || slices.Contains(codes, p.Code)}
		if ver, ok := p.VersionAt(now); ok {
			row.V, row.From = ver, adminDate(ver.EffectiveFrom)
		}
		row.Uncertain = len(adminUncertain(p, row.V))
		rows = append(rows, row)
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_procedures", v, v.T("admin.procedures"), map[string]any{
		"Rows": rows, "All": len(codes) == 0, "Centre": home, "Count": len(codes),
	})
}

// POST /staff/admin/procedures — save the ticked procedures.
func (s *Server) adminServedSave(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	if err := parseAdminForm(w, r, 256<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	cat := s.Catalog.Catalog()
	var codes []string
	for _, c := range r.PostForm["served"] {
		if _, ok := cat.Get(c); !ok {
			s.adminFail(w, r, v, adminUnknownProcedure(c))
			return
		}
		if !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	msg := fmt.Sprintf(v.T("admin.served_saved"), len(codes))
	if len(codes) == 0 || len(codes) == cat.Len() {
		// Nothing listed means the whole catalogue, procedures added later too.
		codes = nil
		msg = v.T("admin.served_all")
	}
	slices.Sort(codes)
	if err := s.Catalog.SetServed(r.Context(), home.Code, codes, principal(r).Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	adminDone(w, r, "/staff/admin/procedures", msg)
}

func adminUnknownProcedure(code string) error {
	e := *errProcedureNotFound
	e.Message = "Không có thủ tục mã " + code + " trong danh mục."
	return &e
}

// adminSourceRow is a fact of the procedure to check against the province's
// publication decision.
type adminSourceRow struct {
	Where string // "" for the procedure, else the version
	catalog.Source
}

func adminUncertain(p *catalog.Procedure, ver *catalog.Version) []adminSourceRow {
	var out []adminSourceRow
	for _, src := range p.Sources {
		if src.Confidence != "V" {
			out = append(out, adminSourceRow{Source: src})
		}
	}
	if ver != nil {
		for _, src := range ver.Uncertain() {
			out = append(out, adminSourceRow{Where: fmt.Sprint(ver.Version), Source: src})
		}
	}
	return out
}

// adminVersionRow is one version of a procedure.
type adminVersionRow struct {
	V        *catalog.Version
	From, To string // DD/MM/YYYY
	InForce  bool
	Shown    bool // its workflow is the one in the editor
	States   int
}

// adminWorkflowPage edits the workflow of a procedure: a valid change becomes a
// new version from a chosen date, so dossiers already received keep theirs.
type adminWorkflowPage struct {
	adminForm
	P        *catalog.Procedure
	Base     *catalog.Version // the version whose workflow the editor starts from
	BaseFrom string           // its dates, DD/MM/YYYY
	BaseTo   string
	Versions []adminVersionRow
	Sources  []adminSourceRow
	Served   bool
	Today    string
}

func (s *Server) adminProcedureFor(w http.ResponseWriter, r *http.Request, v *staffView) (*catalog.Procedure, bool) {
	p, ok := s.Catalog.Catalog().Get(r.PathValue("code"))
	if !ok {
		s.adminFail(w, r, v, errProcedureNotFound)
		return nil, false
	}
	return p, true
}

// adminDay is the date of t in Vietnam, as YYYY-MM-DD.
func adminDay(t time.Time) string { return t.In(calendar.Location).Format(time.DateOnly) }

// adminNoon is noon of a YYYY-MM-DD date in Vietnam.
func adminNoon(day string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04", day+" 12:00", calendar.Location)
}

func (s *Server) adminWorkflowPage(r *http.Request, p *catalog.Procedure, vals url.Values) *adminWorkflowPage {
	now := s.Now()
	today := adminDay(now)
	tomorrow := adminDay(now.In(calendar.Location).AddDate(0, 0, 1))
	pg := &adminWorkflowPage{adminForm: adminForm{Values: vals}, P: p, Today: today}
	if pg.Get("effective_from") == "" {
		pg.Values.Set("effective_from", tomorrow)
	}
	// The editor starts from the version in force on the chosen date (by
	// default tomorrow: a change made today is what applies from then).
	at, err := adminNoon(pg.Get("effective_from"))
	if err != nil {
		at, _ = adminNoon(tomorrow)
	}
	base, ok := p.VersionAt(at)
	if !ok {
		base, ok = p.VersionAt(now)
	}
	if ok {
		pg.Base, pg.BaseFrom = base, adminDate(base.EffectiveFrom)
		if base.EffectiveTo != "" {
			pg.BaseTo = adminDate(base.EffectiveTo)
		}
	}
	cur, _ := p.VersionAt(now)
	for i := range p.Versions {
		ver := &p.Versions[i]
		row := adminVersionRow{V: ver, InForce: cur == ver, Shown: pg.Base == ver, From: adminDate(ver.EffectiveFrom)}
		if ver.EffectiveTo != "" {
			row.To = adminDate(ver.EffectiveTo)
		}
		if ver.WorkflowDef != nil {
			row.States = len(ver.WorkflowDef.States)
		}
		pg.Versions = append(pg.Versions, row)
	}
	pg.Sources = adminUncertain(p, cur)
	if home, err := s.Org.Home(r.Context()); err == nil {
		codes, _ := s.Catalog.Served(r.Context(), home.Code)
		pg.Served = len(codes) == 0 || slices.Contains(codes, p.Code)
	}
	if pg.Get("workflow") == "" && pg.Base != nil && pg.Base.WorkflowDef != nil {
		b, _ := json.MarshalIndent(pg.Base.WorkflowDef, "", "  ")
		pg.Values.Set("workflow", string(b))
	}
	return pg
}

// GET /staff/admin/procedures/{code}
func (s *Server) adminProcedure(w http.ResponseWriter, r *http.Request, v *staffView) {
	p, ok := s.adminProcedureFor(w, r, v)
	if !ok {
		return
	}
	vals := url.Values{}
	if d := r.URL.Query().Get("effective_from"); d != "" {
		vals.Set("effective_from", d)
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_procedure", v, p.Name, s.adminWorkflowPage(r, p, vals))
}

// POST /staff/admin/procedures/{code}/workflow
func (s *Server) adminWorkflowSave(w http.ResponseWriter, r *http.Request, v *staffView) {
	p, ok := s.adminProcedureFor(w, r, v)
	if !ok {
		return
	}
	if err := parseAdminForm(w, r, 512<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	vals := url.Values{"workflow": {r.PostFormValue("workflow")}, "effective_from": {strings.TrimSpace(r.PostFormValue("effective_from"))}}
	pg := s.adminWorkflowPage(r, p, vals)
	fail := func() {
		s.renderStaff(w, r, http.StatusBadRequest, "staff_admin_procedure", v, p.Name, pg)
	}
	day := pg.Get("effective_from")
	at, err := adminNoon(day)
	switch {
	case err != nil:
		pg.add("effective_from", "", v.T("admin.err_date"))
	case day < pg.Today:
		pg.add("effective_from", "", v.T("admin.err_date_past"))
	}
	wf, errs := adminParseWorkflow(v, r.PostFormValue("workflow"))
	for _, e := range errs {
		pg.add("workflow", "", e)
	}
	if len(pg.Errors) > 0 {
		fail()
		return
	}
	for _, fe := range wf.Validate() {
		pg.add("workflow", "", adminFieldMessage(v, fe.Field, fe.Message))
	}
	base, ok := p.VersionAt(at)
	switch {
	case !ok:
		pg.add("effective_from", "", v.T("admin.err_no_version"))
	case base.EffectiveFrom == day && day <= pg.Today:
		pg.add("effective_from", "", fmt.Sprintf(v.T("admin.err_version_started"), base.Version))
	case base.WorkflowDef != nil && reflect.DeepEqual(*base.WorkflowDef, *wf):
		pg.add("workflow", "", v.T("admin.err_workflow_same"))
	}
	if len(pg.Errors) > 0 {
		fail()
		return
	}
	np, nv, err := adminNewVersion(p, base, wf, day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, fe := range catalog.Validate(np, nil) {
		pg.add("workflow", "", adminFieldMessage(v, fe.Field, fe.Message))
	}
	if len(pg.Errors) > 0 {
		fail()
		return
	}
	if _, err := s.Catalog.Import(r.Context(), &catalog.Set{Procedures: []*catalog.Procedure{np}, Workflows: map[string]*catalog.Workflow{}},
		principal(r).Actor()); err != nil {
		var ce catalog.Errors
		if !errors.As(err, &ce) {
			s.fail(w, r, err)
			return
		}
		for _, fe := range ce {
			pg.add("workflow", "", adminFieldMessage(v, fe.Field, fe.Message))
		}
		fail()
		return
	}
	s.Log.Info("workflow changed", "procedure", p.Code, "version", nv, "from", day, "by", principal(r).ID)
	adminDone(w, r, "/staff/admin/procedures/"+url.PathEscape(p.Code)+"?effective_from="+day,
		fmt.Sprintf(v.T("admin.workflow_saved"), nv, adminDate(day)))
}

// adminNewVersion copies the procedure with a new version from day: a copy of
// base with the new workflow, in force until base would have ended; base
// then ends on day. A base that has not come into force yet (it starts on
// day, in the future) has no dossiers and is replaced.
func adminNewVersion(p *catalog.Procedure, base *catalog.Version, wf *catalog.Workflow, day string) (*catalog.Procedure, int, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, 0, err
	}
	np := &catalog.Procedure{}
	if err := json.Unmarshal(b, np); err != nil {
		return nil, 0, err
	}
	vb, err := json.Marshal(base)
	if err != nil {
		return nil, 0, err
	}
	var nv catalog.Version
	if err := json.Unmarshal(vb, &nv); err != nil {
		return nil, 0, err
	}
	top := 0
	for _, ver := range np.Versions {
		top = max(top, ver.Version)
	}
	nv.Version, nv.EffectiveFrom, nv.EffectiveTo = top+1, day, base.EffectiveTo
	nv.Workflow, nv.WorkflowDef = wf.ID, wf
	versions := np.Versions[:0]
	for _, ver := range np.Versions {
		if ver.Version == base.Version {
			if ver.EffectiveFrom == day {
				continue
			}
			ver.EffectiveTo = day
		}
		versions = append(versions, ver)
	}
	np.Versions = append(versions, nv)
	return np, nv.Version, nil
}

// adminParseWorkflow reads the workflow typed in the editor; problems name the
// line or the field.
func adminParseWorkflow(v *staffView, text string) (*catalog.Workflow, []string) {
	if strings.TrimSpace(text) == "" {
		return nil, []string{v.T("admin.err_workflow_empty")}
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var wf catalog.Workflow
	err := dec.Decode(&wf)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return nil, []string{fmt.Sprintf(v.T("admin.err_json_trailing"), jsonLine(text, dec.InputOffset()))}
		}
		return &wf, nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return nil, []string{fmt.Sprintf(v.T("admin.err_json_syntax"), jsonLine(text, se.Offset))}
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(" + v.T("admin.workflow") + ")"
		}
		return nil, []string{fmt.Sprintf(v.T("admin.err_json_type"), field, jsonLine(text, te.Offset), adminJSONKind(v, te.Type))}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return nil, []string{v.T("admin.err_json_eof")}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return nil, []string{fmt.Sprintf(v.T("admin.err_json_unknown"), strings.TrimPrefix(err.Error(), "json: unknown field "))}
	}
	return nil, []string{v.T("admin.err_json_syntax_plain")}
}

// jsonLine is the line number of a byte offset.
func jsonLine(text string, offset int64) int {
	if offset > int64(len(text)) {
		offset = int64(len(text))
	}
	return bytes.Count([]byte(text[:offset]), []byte("\n")) + 1
}

func adminJSONKind(v *staffView, t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return v.T("admin.json_string")
	case reflect.Int, reflect.Int64, reflect.Float64:
		return v.T("admin.json_number")
	case reflect.Bool:
		return v.T("admin.json_bool")
	case reflect.Slice:
		return v.T("admin.json_list")
	}
	return v.T("admin.json_object")
}

// adminValidatorVI gives the catalogue validator's messages in Vietnamese.
var adminValidatorVI = []struct {
	re *regexp.Regexp
	vi string
}{
	{regexp.MustCompile(`^is required$`), "bắt buộc phải có"},
	{regexp.MustCompile(`^is required: (.*)$`), "bắt buộc phải có ($1)"},
	{regexp.MustCompile(`^at least one state is required$`), "phải có ít nhất một trạng thái"},
	{regexp.MustCompile(`^(".*") is used twice$`), "$1 được dùng hai lần"},
	{regexp.MustCompile(`^(-?\d+) is not a national status code \(1–10\)$`), "$1 không phải mã trạng thái quốc gia (từ 1 đến 10)"},
	{regexp.MustCompile(`^(.*) must be between 0 and 1$`), "$1: tỷ lệ thời gian phải từ 0 đến 1"},
	{regexp.MustCompile(`^a terminal state has no one to act$`), "trạng thái kết thúc không có người xử lý: bỏ danh sách vai trò"},
	{regexp.MustCompile(`^a state that is not terminal needs the roles that act in it$`), "trạng thái chưa kết thúc phải ghi các vai trò xử lý"},
	{regexp.MustCompile(`^unknown role (".*")$`), "không có vai trò $1 (dùng counter_officer, specialist, leader, police_officer, social_insurance_officer)"},
	{regexp.MustCompile(`^exactly one state must be the start \(found (\d+)\)$`), "phải có đúng một trạng thái bắt đầu (start), đang có $1"},
	{regexp.MustCompile(`^at least one state must be terminal$`), "phải có ít nhất một trạng thái kết thúc (terminal)"},
	{regexp.MustCompile(`^the steps' shares add up to (.*), more than the whole processing time$`), "tổng tỷ lệ thời gian các bước là $1, vượt quá toàn bộ thời hạn giải quyết"},
	{regexp.MustCompile(`^(".*") is a lifecycle action of the dossier engine$`), "$1 là thao tác chung của mọi hồ sơ, không được khai báo trong quy trình"},
	{regexp.MustCompile(`^unknown state (".*")$`), "không có trạng thái $1"},
	{regexp.MustCompile(`^state (".*") is terminal$`), "trạng thái $1 là trạng thái kết thúc, không thể đi tiếp"},
	{regexp.MustCompile(`^state (".*") cannot be reached from the start$`), "không đi đến được trạng thái $1 từ trạng thái bắt đầu"},
	{regexp.MustCompile(`^no terminal state can be reached from (".*")$`), "từ trạng thái $1 không đi đến được trạng thái kết thúc nào"},
	{regexp.MustCompile(`^is in force at the same time as version (\d+).*$`), "trùng thời gian hiệu lực với phiên bản $1"},
}

// adminFieldMessage writes a validator problem with its field path, in the
// page's language.
func adminFieldMessage(v *staffView, field, msg string) string {
	if v.Lang == "vi" {
		for _, t := range adminValidatorVI {
			if t.re.MatchString(msg) {
				msg = t.re.ReplaceAllString(msg, t.vi)
				break
			}
		}
	}
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// adminDate writes YYYY-MM-DD as DD/MM/YYYY.
func adminDate(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("02/01/2006")
}
