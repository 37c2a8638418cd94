package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/portal"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Online public services (issue 5, items 2 and 3): a signed-in citizen
// files a dossier for a procedure that accepts the online channel, in the
// GOV.UK pattern — a start page, who the dossier is for, one question per
// page (pre-filled from the population database), the documents (uploaded,
// or reused from the population database or an earlier electronic result),
// check your answers, submit, confirmation. Every step is saved in a draft
// (internal/portal) the citizen can come back to for 30 days.
//
// The e-ID level: the catalogue has no field for it, so a full-online
// procedure (toàn trình: everything, the result too, happens online) needs
// a level-2 e-ID and a partial one level 1.

// Step names in the addresses.
const (
	stepWho      = "nguoi-nop"
	stepField    = "cau-hoi-"
	stepComp     = "giay-to-"
	stepCheck    = "kiem-tra"
	stepSubmit   = "nop"
	stepDone     = "xong"
	stepDelete   = "xoa"
	maxUploadReq = 25 << 20 // one page's files; each file is also held to its component's limit
)

func portalServiceRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET /dich-vu/{code}", s.serviceStart)
	route("POST /dich-vu/{code}/bat-dau", s.portalPage(citizen.Level1, s.serviceBegin))
	route("GET /dich-vu/{code}/{draft}/{step}", s.portalPage(citizen.Level1, s.serviceStep))
	route("POST /dich-vu/{code}/{draft}/{step}", s.limitUpload(s.portalPage(citizen.Level1, s.serviceStepPost)))
}

func init() {
	// Whether the public guide offers "apply online" for a version.
	funcs["servesOnline"] = servesOnline
}

// servesOnline reports whether a version accepts dossiers on the portal.
func servesOnline(v *catalog.Version) bool {
	return v != nil && v.Online != catalog.OnlineNone && v.Online != "" && v.HasChannel(catalog.ChannelOnline)
}

// requiredLevel is the e-ID level a procedure version needs online.
func requiredLevel(v *catalog.Version) int {
	if v.Online == catalog.OnlineFull {
		return citizen.Level2
	}
	return citizen.Level1
}

func (s *Server) drafts() *portal.Service { return portal.New(s.DB, s.Now) }

var errNotOnline = apperr.New(apperr.NotFound, "online_not_available", "Thủ tục này chưa nhận hồ sơ trực tuyến. Vui lòng xem hướng dẫn nộp trực tiếp tại Trung tâm.")

// limitUpload bounds a step's request and reads its multipart form before
// the session's CSRF check reads the form, so that a body too large is
// answered as such (and not as an expired form).
func (s *Server) limitUpload(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadReq)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			if err := r.ParseMultipartForm(8 << 20); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					s.fail(w, r, &apperr.Error{Kind: apperr.TooLarge, Code: "upload_too_large",
						Message: fmt.Sprintf("Các tệp gửi một lần vượt quá %d MB. Vui lòng gửi ít tệp hơn mỗi lần, hoặc giảm dung lượng ảnh chụp.", maxUploadReq>>20)})
					return
				}
				s.fail(w, r, apperr.New(apperr.Invalid, "invalid_form", "Không đọc được biểu mẫu gửi lên. Vui lòng thử lại."))
				return
			}
		}
		h(w, r)
	}
}

// svcStep is one page of the journey.
type svcStep struct {
	Name  string // in the address
	Kind  string // who, field, component
	Field *catalog.Field
	Comp  *catalog.Component
}

// stepsOf lists the question pages of a version: who, the e-form's fields,
// then the components that need the citizen (an e-form component without
// reuse is the answers themselves).
func stepsOf(v *catalog.Version) []svcStep {
	out := []svcStep{{Name: stepWho, Kind: "who"}}
	for i := range v.Form {
		out = append(out, svcStep{Name: stepField + v.Form[i].ID, Kind: "field", Field: &v.Form[i]})
	}
	for i := range v.Components {
		c := &v.Components[i]
		if isEForm(c) {
			continue
		}
		out = append(out, svcStep{Name: stepComp + c.ID, Kind: "component", Comp: c})
	}
	return out
}

// isEForm: the component is the e-form the citizen fills in on these pages.
func isEForm(c *catalog.Component) bool {
	return c.Form == catalog.FormElectronic && len(c.Reuse) == 0 && len(c.Accept) == 0
}

// authorisation: the component is the letter of authorisation, needed when
// someone files for another person.
func authorisation(c *catalog.Component) bool { return strings.Contains(c.ID, "uy-quyen") }

// componentRequired: must be given, in this draft.
func componentRequired(c *catalog.Component, a *portal.Answers) bool {
	return c.Required || (a.For == portal.ForBehalf && authorisation(c))
}

// svcCtx is the procedure, version and draft a step works on.
type svcCtx struct {
	P     *catalog.Procedure
	V     *catalog.Version
	Draft *portal.Draft
	Steps []svcStep
	Sess  *citizen.Session
}

// procedureOnline finds the procedure of the address and its version in
// force, and checks that it is served online.
func (s *Server) procedureOnline(r *http.Request) (*catalog.Procedure, *catalog.Version, error) {
	p, ok := s.Catalog.Catalog().Get(r.PathValue("code"))
	if !ok {
		return nil, nil, errProcedureNotFound
	}
	v, ok := p.VersionAt(s.Now())
	if !ok {
		return nil, nil, apperr.New(apperr.NotFound, "procedure_not_in_force", "Thủ tục này hiện chưa có hoặc đã hết hiệu lực áp dụng.")
	}
	if !servesOnline(v) {
		return nil, nil, errNotOnline
	}
	return p, v, nil
}

// load finds the step's procedure and the citizen's draft, and checks the
// e-ID level.
func (s *Server) svcLoad(r *http.Request, sess *citizen.Session) (*svcCtx, error) {
	p, v, err := s.procedureOnline(r)
	if err != nil {
		return nil, err
	}
	if sess.Level < requiredLevel(v) {
		return nil, ErrLevel2Required
	}
	d, err := s.drafts().Get(r.Context(), sess.Citizen.ID, r.PathValue("draft"))
	if err != nil {
		return nil, err
	}
	if d.Procedure != p.Code {
		return nil, portal.ErrNotFound
	}
	return &svcCtx{P: p, V: v, Draft: d, Steps: stepsOf(v), Sess: sess}, nil
}

func (c *svcCtx) base() string {
	return "/dich-vu/" + url.PathEscape(c.P.Code) + "/" + url.PathEscape(c.Draft.ID) + "/"
}

// next is the page after step name: the next question, or the check page
// once every question has been answered; back=check returns to the check
// page after a change.
func (c *svcCtx) next(name string, back bool) string {
	if back {
		return c.base() + stepCheck
	}
	for i, st := range c.Steps {
		if st.Name == name && i+1 < len(c.Steps) {
			return c.base() + c.Steps[i+1].Name
		}
	}
	return c.base() + stepCheck
}

// resume is where a citizen coming back continues: the first question not
// answered, else the check page.
func (c *svcCtx) resume() string {
	if c.Draft.Submitted() {
		return c.base() + stepDone
	}
	for _, st := range c.Steps {
		if !c.Draft.Answers.Done[st.Name] {
			return c.base() + st.Name
		}
	}
	return c.base() + stepCheck
}

// svcStartData is what the start page shows.
type svcStartData struct {
	P          *catalog.Procedure
	V          *catalog.Version
	Name       string
	TimeText   string
	FeeText    string
	Level      int
	Questions  int
	Upload     []catalog.Component
	Reused     []catalog.Component
	EForm      []catalog.Component
	Sess       *citizen.Session
	LevelLow   bool
	Draft      *portal.Draft
	Resume     string
	Saved      bool
	Deleted    bool
	LoginURL   string
	OnlineText string
	// Conditions the citizen must meet, confirmed before a draft starts;
	// NotEligible: the start was pressed without confirming them.
	Conditions  []string
	NotEligible bool
}

// GET /dich-vu/{code} — the start page: what you need, how long, the fee,
// the e-ID level, and the draft in progress if any.
func (s *Server) serviceStart(w http.ResponseWriter, r *http.Request) {
	p, v, err := s.procedureOnline(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &svcStartData{P: p, V: v, Name: p.Name, TimeText: v.Time.String(), FeeText: v.Fee.Describe(), Level: requiredLevel(v),
		Questions: len(v.Form) + 1, Saved: r.URL.Query().Get("saved") == "1", Deleted: r.URL.Query().Get("deleted") == "1",
		LoginURL: portalLogin + "?next=" + url.QueryEscape("/dich-vu/"+p.Code), Conditions: v.Conditions,
		NotEligible: r.URL.Query().Get("dieu-kien") == "0"}
	for _, c := range v.Components {
		switch {
		case isEForm(&c):
			d.EForm = append(d.EForm, c)
		case len(c.Reuse) > 0:
			d.Reused = append(d.Reused, c)
		case c.Required:
			d.Upload = append(d.Upload, c)
		}
	}
	if sess := s.citizenSession(r); sess != nil {
		w.Header().Set("Cache-Control", "no-store")
		d.Sess, d.LevelLow = sess, sess.Level < d.Level
		dr, err := s.drafts().Open(r.Context(), sess.Citizen.ID, p.Code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if dr != nil {
			d.Draft = dr
			c := &svcCtx{P: p, V: v, Draft: dr, Steps: stepsOf(v)}
			d.Resume = c.resume()
		}
	}
	view := s.newView(w, r, p.Name, d)
	if view.Lang == "en" {
		if p.NameEn != "" {
			view.Title, d.Name = p.NameEn, p.NameEn
		}
		d.TimeText = v.Time.English()
	}
	d.OnlineText = view.T("online." + string(v.Online))
	s.render(w, r, http.StatusOK, "portal_service", view)
}

// POST /dich-vu/{code}/bat-dau — start (or continue) the citizen's draft.
func (s *Server) serviceBegin(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	p, v, err := s.procedureOnline(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if sess.Level < requiredLevel(v) {
		s.fail(w, r, ErrLevel2Required)
		return
	}
	// Check eligibility first (GOV.UK): a new application starts only once
	// the citizen says they meet the procedure's conditions; one already
	// begun just continues.
	if len(v.Conditions) > 0 && r.PostFormValue("eligible") != "1" {
		open, err := s.drafts().Open(r.Context(), sess.Citizen.ID, p.Code)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if open == nil {
			http.Redirect(w, r, "/dich-vu/"+url.PathEscape(p.Code)+"?dieu-kien=0#dieu-kien", http.StatusSeeOther)
			return
		}
	}
	d, _, err := s.drafts().Start(r.Context(), sess.Citizen.ID, p.Code, v.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := &svcCtx{P: p, V: v, Draft: d, Steps: stepsOf(v)}
	http.Redirect(w, r, c.resume(), http.StatusSeeOther)
}

// svcStepData is what a question, check or confirmation page shows.
type svcStepData struct {
	*svcCtx
	Step     *svcStep
	Index    int // 1-based question number
	Total    int
	Value    string
	Error    string
	Back     bool   // came from the check page
	BackURL  string // the previous page
	CSRF     string
	Notice   string
	Results  []portal.EarlierResult
	Choice   string // the component's chosen source (with the reused dossier code)
	Required bool
	Files    []dossier.File
	Accept   string
	MaxMB    int
	// Check page.
	Rows    []svcRow
	Missing []svcRow
	Phone   string
	// Confirmation page.
	Public    *dossier.PublicView
	Expected  time.Time
	SMSMasked string
	StatusURL string
	Receipt   string
}

// svcRow is a line of the check-your-answers page.
type svcRow struct {
	Label     string
	Value     string
	Files     []dossier.File
	Prefilled bool
	Change    string
}

// GET /dich-vu/{code}/{draft}/{step}
func (s *Server) serviceStep(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	c, err := s.svcLoad(r, sess)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PathValue("step")
	if c.Draft.Submitted() && name != stepDone {
		http.Redirect(w, r, c.base()+stepDone, http.StatusSeeOther)
		return
	}
	data := &svcStepData{svcCtx: c, CSRF: sess.CSRF, Back: r.URL.Query().Get("back") == "1"}
	switch name {
	case stepCheck:
		s.svcCheckPage(w, r, data, http.StatusOK)
		return
	case stepDone:
		if !c.Draft.Submitted() {
			http.Redirect(w, r, c.base()+stepCheck, http.StatusSeeOther)
			return
		}
		s.svcDonePage(w, r, data)
		return
	}
	if r.URL.Query().Get("lookup") == "failed" {
		data.Notice = "svc.lookup_failed"
	}
	if err := s.svcFillStep(r, data, name); err != nil {
		s.fail(w, r, err)
		return
	}
	s.svcRenderStep(w, r, data, http.StatusOK)
}

// svcFillStep finds the step and what the draft holds for it.
func (s *Server) svcFillStep(r *http.Request, data *svcStepData, name string) error {
	c := data.svcCtx
	idx := slices.IndexFunc(c.Steps, func(st svcStep) bool { return st.Name == name })
	if idx < 0 {
		return apperr.New(apperr.NotFound, "page_not_found", "Không tìm thấy trang bạn cần.")
	}
	data.Step, data.Index, data.Total = &c.Steps[idx], idx+1, len(c.Steps)
	data.BackURL = "/dich-vu/" + url.PathEscape(c.P.Code)
	if idx > 0 {
		data.BackURL = c.base() + c.Steps[idx-1].Name
	}
	if data.Back {
		data.BackURL = c.base() + stepCheck
	}
	a := &c.Draft.Answers
	switch data.Step.Kind {
	case "who":
		data.Value = a.For
	case "field":
		data.Value = a.Form[data.Step.Field.ID]
	case "component":
		comp := data.Step.Comp
		data.Required = componentRequired(comp, a)
		data.Files = c.Draft.FilesOf(comp.ID)
		data.Accept = dossier.Accept(*comp)
		data.MaxMB = comp.MaxSizeMB
		if data.MaxMB == 0 {
			data.MaxMB = 10
		}
		data.Choice = a.Sources[comp.ID]
		if data.Choice == string(catalog.ReuseDocumentStore) {
			data.Choice += ":" + a.Reuse[comp.ID]
		}
		if slices.Contains(comp.Reuse, catalog.ReuseDocumentStore) {
			res, err := s.drafts().EarlierResults(r.Context(), c.Sess.Principal(), c.Sess.Citizen.IDNumber)
			if err != nil {
				return err
			}
			data.Results = res
		}
		if data.Choice == "" && !a.Done[data.Step.Name] {
			// Suggest what need not be asked again (Decree 45/2020).
			switch {
			case len(data.Results) > 0:
				data.Choice = string(catalog.ReuseDocumentStore) + ":" + data.Results[0].Code
			case slices.Contains(comp.Reuse, catalog.ReusePopulationDB):
				data.Choice = string(catalog.ReusePopulationDB)
			}
		}
	}
	return nil
}

func (s *Server) svcRenderStep(w http.ResponseWriter, r *http.Request, data *svcStepData, status int) {
	view := s.newView(w, r, "", data)
	switch data.Step.Kind {
	case "who":
		view.Title = view.T("svc.who_title")
	case "field":
		view.Title = fieldLabel(view.Lang, data.Step.Field)
	case "component":
		view.Title = compName(view.Lang, data.Step.Comp)
	}
	if data.Error != "" {
		view.Title = view.T("svc.error_prefix") + " " + view.Title
	}
	s.render(w, r, status, "portal_service_step", view)
}

func fieldLabel(lang string, f *catalog.Field) string {
	if lang == "en" && f.LabelEn != "" {
		return f.LabelEn
	}
	return f.Label
}

func compName(lang string, c *catalog.Component) string {
	if lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// POST /dich-vu/{code}/{draft}/{step}
func (s *Server) serviceStepPost(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	c, err := s.svcLoad(r, sess)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := r.PathValue("step")
	switch name {
	case stepSubmit:
		s.svcSubmit(w, r, c)
		return
	case stepDelete:
		if err := s.drafts().Delete(r.Context(), sess.Citizen.ID, c.Draft.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/dich-vu/"+url.PathEscape(c.P.Code)+"?deleted=1", http.StatusSeeOther)
		return
	}
	if c.Draft.Submitted() {
		s.fail(w, r, portal.ErrSubmitted)
		return
	}
	data := &svcStepData{svcCtx: c, CSRF: sess.CSRF, Back: r.PostFormValue("back") == "1"}
	if err := s.svcFillStep(r, data, name); err != nil {
		s.fail(w, r, err)
		return
	}
	later := r.PostFormValue("later") != ""
	a := &c.Draft.Answers
	lookupFailed := false
	var stepErr error
	switch data.Step.Kind {
	case "who":
		stepErr = s.svcSaveWho(r, c, &lookupFailed)
	case "field":
		stepErr = svcSaveField(r, a, data.Step.Field, later)
		data.Value = r.PostFormValue("value")
	case "component":
		if id := r.PostFormValue("remove"); id != "" {
			if err := s.drafts().RemoveFile(r.Context(), c.Draft, id); err != nil {
				s.fail(w, r, err)
				return
			}
			http.Redirect(w, r, c.base()+name+backQuery(data.Back), http.StatusSeeOther)
			return
		}
		stepErr = s.svcSaveComponent(r, data, later)
	}
	if stepErr != nil {
		e := apperr.As(stepErr)
		if e.Kind == apperr.Internal {
			s.fail(w, r, stepErr)
			return
		}
		data.Error = e.Message
		if data.Step.Kind == "component" {
			data.Files = c.Draft.FilesOf(data.Step.Comp.ID)
		}
		s.svcRenderStep(w, r, data, e.Status())
		return
	}
	if !later {
		a.Done[name] = true
	}
	if err := s.drafts().Save(r.Context(), c.Draft); err != nil {
		s.fail(w, r, err)
		return
	}
	switch {
	case later:
		http.Redirect(w, r, "/dich-vu/"+url.PathEscape(c.P.Code)+"?saved=1", http.StatusSeeOther)
	case lookupFailed:
		http.Redirect(w, r, c.next(name, data.Back)+"?lookup=failed", http.StatusSeeOther)
	default:
		http.Redirect(w, r, c.next(name, data.Back), http.StatusSeeOther)
	}
}

func backQuery(back bool) string {
	if back {
		return "?back=1"
	}
	return ""
}

// svcSaveWho records who the dossier is for. For the citizen themself the
// e-form is pre-filled from the population database (one audited lookup,
// the first time); for someone else what was pre-filled and not changed is
// taken away, since it describes the wrong person.
func (s *Server) svcSaveWho(r *http.Request, c *svcCtx, lookupFailed *bool) error {
	a := &c.Draft.Answers
	who := r.PostFormValue("value")
	if who != portal.ForSelf && who != portal.ForBehalf {
		return apperr.Field("value", "choice_required", "Vui lòng chọn hồ sơ này nộp cho ai.")
	}
	a.For = who
	if who == portal.ForBehalf {
		for id, v := range a.Prefilled {
			if a.Form[id] == v {
				delete(a.Form, id)
			}
		}
		a.Prefilled = map[string]string{}
		return nil
	}
	if a.PopulationLookup {
		return nil
	}
	person, err := s.lookupSelf(r.Context(), c.Sess, c.P.Code)
	if err != nil {
		*lookupFailed = true
		return nil
	}
	a.PopulationLookup = true
	a.Address = person.PermanentAddress
	a.Phone = person.Phone
	for _, f := range c.V.Form {
		if f.Prefill == "" || a.Form[f.ID] != "" {
			continue
		}
		if v := optionFor(f, person.Attr(f.Prefill)); v != "" {
			a.Form[f.ID], a.Prefilled[f.ID] = v, v
		}
	}
	return nil
}

// lookupSelf reads the citizen's own record from the population database
// by their e-ID's ID number (audited by the registry service). The
// database is asked twice at most: it answers "busy" now and then.
func (s *Server) lookupSelf(ctx context.Context, sess *citizen.Session, procedure string) (*registry.Person, error) {
	if s.Population == nil {
		return nil, registry.ErrUnavailable
	}
	var err error
	for range 2 {
		var p *registry.Person
		p, err = s.Population.Lookup(ctx, sess.Principal(), sess.Citizen.IDNumber, procedure)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, registry.ErrUnavailable) {
			break
		}
	}
	s.Log.Warn("portal: population lookup failed", "procedure", procedure, "err", err)
	return nil, err
}

// svcSaveField checks and keeps one answer of the e-form.
func svcSaveField(r *http.Request, a *portal.Answers, f *catalog.Field, later bool) error {
	v := strings.TrimSpace(r.PostFormValue("value"))
	if !vntext.Valid(v) {
		return apperr.Field("value", "invalid_text", "Nội dung có ký tự không hợp lệ. Vui lòng nhập lại.")
	}
	v = vntext.NFC(v)
	if f.Type == catalog.FieldCheckbox {
		v = map[bool]string{true: "true", false: "false"}[v == "1"]
	}
	if v == "" {
		if later {
			return nil
		}
		if f.Required {
			return apperr.Field("value", "answer_required", fmt.Sprintf("Vui lòng trả lời: %s.", f.Label))
		}
		delete(a.Form, f.ID)
		return nil
	}
	if len([]rune(v)) > 2000 {
		return apperr.Field("value", "answer_too_long", "Câu trả lời quá dài (tối đa 2.000 ký tự).")
	}
	bad := false
	switch f.Type {
	case catalog.FieldDate:
		_, err := time.Parse(time.DateOnly, v)
		bad = err != nil
	case catalog.FieldIDNumber:
		bad = len(v) != 12 || strings.Trim(v, "0123456789") != ""
	case catalog.FieldPhone:
		v = dossier.NormalizePhone(v)
		bad = len(v) < 10 || len(v) > 11 || v[0] != '0' || strings.Trim(v, "0123456789") != ""
	case catalog.FieldEmail:
		at := strings.Index(v, "@")
		bad = at < 1 || !strings.Contains(v[at:], ".") || strings.ContainsAny(v, " \t")
	case catalog.FieldNumber:
		var n float64
		_, err := fmt.Sscanf(v, "%g", &n)
		bad = err != nil || n < 0
	case catalog.FieldSelect:
		bad = !slices.ContainsFunc(f.Options, func(o catalog.Option) bool { return o.Value == v })
	}
	if bad {
		return apperr.Field("value", "invalid_answer", fmt.Sprintf("Câu trả lời cho “%s” không hợp lệ. %s", f.Label, fieldHint(f)))
	}
	a.Form[f.ID] = v
	if p, ok := a.Prefilled[f.ID]; ok && p != v {
		delete(a.Prefilled, f.ID) // the citizen changed it: no longer the database's
	}
	return nil
}

// fieldHint says what an answer of the field's type looks like.
func fieldHint(f *catalog.Field) string {
	switch f.Type {
	case catalog.FieldDate:
		return "Nhập ngày theo dạng ngày/tháng/năm."
	case catalog.FieldIDNumber:
		return "Số định danh cá nhân gồm đúng 12 chữ số."
	case catalog.FieldPhone:
		return "Số điện thoại gồm 10 chữ số, bắt đầu bằng 0."
	case catalog.FieldEmail:
		return "Ví dụ: ten@example.com."
	case catalog.FieldNumber:
		return "Nhập một số không âm."
	case catalog.FieldSelect:
		return "Vui lòng chọn một trong các lựa chọn."
	}
	return ""
}

// svcSaveComponent keeps the source chosen for a component and the files
// uploaded with it, each checked by content as the engine will.
func (s *Server) svcSaveComponent(r *http.Request, data *svcStepData, later bool) error {
	c, comp := data.svcCtx, data.Step.Comp
	a := &c.Draft.Answers
	choice := r.PostFormValue("source")
	uploads, err := readUploads(r, "files")
	if err != nil {
		return err
	}
	var given []dossier.Upload
	for _, u := range uploads {
		if len(u.Data) > 0 {
			given = append(given, u)
		}
	}
	if len(given) > 0 && choice == "" {
		choice = dossier.SourceUpload
	}
	if len(given) > 0 && choice == dossier.SourceUpload {
		if len(c.Draft.FilesOf(comp.ID))+len(given) > portal.MaxFilesPerComponent {
			return apperr.Field("files", "too_many_files", fmt.Sprintf("Mỗi giấy tờ tối đa %d tệp.", portal.MaxFilesPerComponent))
		}
		checked, err := dossier.CheckUploads(c.V, comp.ID, given)
		if err != nil {
			return err
		}
		blobs := make([][]byte, len(given))
		for i := range given {
			blobs[i] = given[i].Data
		}
		if err := s.drafts().AddFiles(r.Context(), c.Draft, checked, blobs); err != nil {
			return err
		}
	}
	if choice == "" && later {
		return nil
	}
	data.Choice = choice
	delete(a.Reuse, comp.ID)
	switch {
	case choice == dossier.SourceUpload:
		if len(c.Draft.FilesOf(comp.ID)) == 0 {
			return apperr.Field("files", "file_required", "Vui lòng chọn tệp để tải lên (ảnh chụp hoặc bản quét giấy tờ).")
		}
		a.Sources[comp.ID] = dossier.SourceUpload
	case choice == portal.SourceNone:
		if componentRequired(comp, a) {
			return apperr.Field("source", "component_required", "Giấy tờ này bắt buộc. Vui lòng tải lên hoặc chọn lấy từ dữ liệu đã có.")
		}
		a.Sources[comp.ID] = portal.SourceNone
	case strings.HasPrefix(choice, string(catalog.ReuseDocumentStore)+":"):
		code := strings.TrimPrefix(choice, string(catalog.ReuseDocumentStore)+":")
		if !slices.Contains(comp.Reuse, catalog.ReuseDocumentStore) || !slices.ContainsFunc(data.Results, func(e portal.EarlierResult) bool { return e.Code == code }) {
			return apperr.Field("source", "invalid_source", "Kết quả đã chọn không có trong kho dữ liệu của bạn. Vui lòng chọn lại.")
		}
		a.Sources[comp.ID], a.Reuse[comp.ID] = string(catalog.ReuseDocumentStore), code
	case choice == string(catalog.ReusePopulationDB) || choice == string(catalog.ReuseCivilStatusDB):
		if !slices.Contains(comp.Reuse, catalog.ReuseSource(choice)) {
			return apperr.Field("source", "invalid_source", "Không lấy được giấy tờ này từ nguồn đã chọn.")
		}
		a.Sources[comp.ID] = choice
	default:
		return apperr.Field("source", "choice_required", "Vui lòng chọn cách cung cấp giấy tờ này.")
	}
	return nil
}

// svcMissing lists the questions still to answer before submitting.
func svcMissing(c *svcCtx) []svcStep {
	var out []svcStep
	a := &c.Draft.Answers
	for _, st := range c.Steps {
		switch st.Kind {
		case "who":
			if a.For == "" {
				out = append(out, st)
			}
		case "field":
			if st.Field.Required && st.Field.Type != catalog.FieldCheckbox && a.Form[st.Field.ID] == "" {
				out = append(out, st)
			}
		case "component":
			src := a.Sources[st.Comp.ID]
			if src == "" && !a.Done[st.Name] || (componentRequired(st.Comp, a) && (src == "" || src == portal.SourceNone)) ||
				(src == dossier.SourceUpload && len(c.Draft.FilesOf(st.Comp.ID)) == 0) {
				out = append(out, st)
			}
		}
	}
	return out
}

// svcCheckPage: check your answers, with a change link for each.
func (s *Server) svcCheckPage(w http.ResponseWriter, r *http.Request, data *svcStepData, status int) {
	c := data.svcCtx
	view := s.newView(w, r, "", data)
	view.Title = view.T("svc.check_title")
	a := &c.Draft.Answers
	for _, st := range svcMissing(c) {
		row := svcRow{Change: c.base() + st.Name + "?back=1"}
		switch st.Kind {
		case "who":
			row.Label = view.T("svc.who_title")
		case "field":
			row.Label = fieldLabel(view.Lang, st.Field)
		case "component":
			row.Label = compName(view.Lang, st.Comp)
		}
		data.Missing = append(data.Missing, row)
	}
	for _, st := range c.Steps {
		row := svcRow{Change: c.base() + st.Name + "?back=1"}
		switch st.Kind {
		case "who":
			row.Label = view.T("svc.who_title")
			switch a.For {
			case portal.ForSelf:
				row.Value = view.T("svc.for_self")
			case portal.ForBehalf:
				row.Value = view.T("svc.for_behalf")
			}
		case "field":
			f := st.Field
			row.Label, row.Value = fieldLabel(view.Lang, f), answerText(view, f, a.Form[f.ID])
			_, row.Prefilled = a.Prefilled[f.ID]
		case "component":
			row.Label = compName(view.Lang, st.Comp)
			switch src := a.Sources[st.Comp.ID]; src {
			case dossier.SourceUpload:
				row.Value, row.Files = view.T("svc.src_upload"), c.Draft.FilesOf(st.Comp.ID)
			case string(catalog.ReuseDocumentStore):
				row.Value = view.T("svc.src_document_store") + " — " + a.Reuse[st.Comp.ID]
			case string(catalog.ReusePopulationDB):
				row.Value = view.T("svc.src_population_db")
			case string(catalog.ReuseCivilStatusDB):
				row.Value = view.T("svc.src_civil_status_db")
			case portal.SourceNone:
				row.Value = view.T("svc.src_none")
			}
		}
		data.Rows = append(data.Rows, row)
	}
	for _, comp := range c.V.Components {
		if isEForm(&comp) {
			data.Rows = append(data.Rows, svcRow{Label: compName(view.Lang, &comp), Value: view.T("svc.src_eform")})
		}
	}
	data.Phone = svcPhone(c)
	s.render(w, r, status, "portal_service_check", view)
}

// answerText is an answer as the citizen reads it.
func answerText(view *view, f *catalog.Field, v string) string {
	switch f.Type {
	case catalog.FieldSelect:
		for _, o := range f.Options {
			if o.Value == v {
				return o.Label
			}
		}
	case catalog.FieldCheckbox:
		if v == "true" {
			return view.T("svc.yes")
		}
		if v == "false" {
			return view.T("svc.no")
		}
	case catalog.FieldDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format("02/01/2006")
		}
	}
	return v
}

// svcPhone is the number the submission's SMS goes to: the e-form's phone
// answer, else the population record's, else the e-ID's.
func svcPhone(c *svcCtx) string {
	for _, f := range c.V.Form {
		if f.Type == catalog.FieldPhone && f.Prefill == "phone" && c.Draft.Answers.Form[f.ID] != "" {
			return c.Draft.Answers.Form[f.ID]
		}
	}
	if c.Draft.Answers.Phone != "" {
		return c.Draft.Answers.Phone
	}
	return c.Sess.Citizen.Phone
}

// svcRequest builds the engine's submission from the draft.
func (s *Server) svcRequest(ctx context.Context, c *svcCtx) (dossier.SubmitRequest, error) {
	a := &c.Draft.Answers
	cz := c.Sess.Citizen
	phone := dossier.NormalizePhone(svcPhone(c))
	if _, err := notify.NormalizePhone(phone); err != nil {
		phone = "" // not a mobile number the engine and the SMS gateway take
	}
	req := dossier.SubmitRequest{
		Procedure: c.P.Code, Channel: catalog.ChannelOnline, Decision: dossier.DecisionSubmit,
		Applicant: dossier.Applicant{Kind: "citizen", Name: cz.FullName, IDNumber: cz.IDNumber, Phone: phone, Email: cz.Email, Address: a.Address},
		Form:      map[string]any{}, PopulationLookup: a.PopulationLookup, EID: c.Sess.Level >= citizen.Level2,
	}
	for _, f := range c.V.Form {
		v, ok := a.Form[f.ID]
		if !ok || v == "" {
			continue
		}
		if f.Type == catalog.FieldCheckbox {
			req.Form[f.ID] = v == "true"
			continue
		}
		req.Form[f.ID] = v
	}
	for _, comp := range c.V.Components {
		src := a.Sources[comp.ID]
		if isEForm(&comp) {
			src = dossier.SourceUpload // the e-form itself, filed electronically
		}
		if src == "" || src == portal.SourceNone {
			continue
		}
		req.Components = append(req.Components, dossier.ComponentInput{ID: comp.ID, Source: src})
	}
	up, err := s.drafts().Uploads(ctx, c.Draft.ID)
	if err != nil {
		return req, err
	}
	for comp := range up {
		if a.Sources[comp] != dossier.SourceUpload {
			delete(up, comp) // files kept from an earlier choice the citizen changed
		}
	}
	req.Uploads = up
	return req, nil
}

// POST /dich-vu/{code}/{draft}/nop — submit. The draft's idempotency key
// makes a double click or a retry return the same dossier.
func (s *Server) svcSubmit(w http.ResponseWriter, r *http.Request, c *svcCtx) {
	if c.Draft.Submitted() {
		http.Redirect(w, r, c.base()+stepDone, http.StatusSeeOther)
		return
	}
	data := &svcStepData{svcCtx: c, CSRF: c.Sess.CSRF}
	fail := func(err error) {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		data.Error = e.Message
		s.svcCheckPage(w, r, data, e.Status())
	}
	if len(svcMissing(c)) > 0 {
		fail(apperr.New(apperr.Invalid, "answers_missing", "Hồ sơ còn câu hỏi chưa trả lời. Vui lòng trả lời các mục được liệt kê rồi nộp lại."))
		return
	}
	req, err := s.svcRequest(r.Context(), c)
	if err != nil {
		fail(err)
		return
	}
	// Someone helping files only what the citizen consented to, while the
	// consent stands.
	if c.Sess.Assisted() && s.Assist != nil {
		if err := s.Assist.Allowed(r.Context(), c.Sess.AssistID, c.P.Code); err != nil {
			fail(err)
			return
		}
	}
	p := c.Sess.Principal()
	res, err := s.Dossiers.Submit(r.Context(), p, req, c.Draft.Key)
	if err != nil {
		fail(err)
		return
	}
	d := res.Dossier
	if c.Sess.Assisted() && s.Assist != nil {
		// Who helped is kept with the consent; the dossier is already safe,
		// so a failure here is logged, not shown.
		if err := s.Assist.RecordDossier(r.Context(), c.Sess.AssistID, d.Code); err != nil {
			s.Log.Warn("portal: assisted dossier not recorded", "dossier", d.Code, "consent", c.Sess.AssistID, "err", err)
		}
	}
	reuse := map[string]string{}
	for comp, src := range c.Draft.Answers.Sources {
		if src != dossier.SourceUpload && src != portal.SourceNone {
			reuse[comp] = src
			if code := c.Draft.Answers.Reuse[comp]; code != "" {
				reuse[comp] = src + ":" + code
			}
		}
	}
	now := s.Now()
	detail := map[string]any{"draft": c.Draft.ID, "reused": reuse, "eid_level": c.Sess.Level, "replayed": res.Replayed}
	if c.Sess.Assisted() {
		detail["assisted_by"], detail["assist_id"] = c.Sess.AssistedBy, c.Sess.AssistID
	}
	err = s.DB.Write(r.Context(), func(ctx context.Context, tx store.Tx) error {
		if err := s.drafts().MarkSubmittedTx(ctx, tx, c.Draft, d.Code, res.LookupKey); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Role: identity.RoleCitizen, Action: "portal.submit", ObjectType: "dossier", ObjectID: d.Code,
			Detail: detail}); err != nil {
			return err
		}
		if s.Notify == nil || d.Applicant.Phone == "" {
			return nil
		}
		err := s.Notify.Enqueue(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: d.Applicant.Phone, Kind: "dossier_submitted",
			Key: "dossier_submitted:" + d.Code, Agency: d.Agency, Body: s.submittedSMS(d, res.LookupKey)})
		var ae *apperr.Error
		if errors.As(err, &ae) {
			s.Log.Warn("portal: submission SMS not accepted", "dossier", d.Code, "err", err)
			return nil // the dossier stands; the page shows the code
		}
		return err
	})
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "record submission"))
		return
	}
	if s.Notify != nil {
		s.Notify.Kick()
	}
	http.Redirect(w, r, c.base()+stepDone, http.StatusSeeOther)
}

// submittedSMS is the SMS after an online submission: plain ASCII (one
// cheap GSM segment set, read on any phone), and no link but the
// installation's own address.
func (s *Server) submittedSMS(d *dossier.Dossier, key string) string {
	body := fmt.Sprintf("Da nhan ho so truc tuyen %s luc %s. Ma tra cuu: %s. Trung tam se kiem tra va bao khi tiep nhan.",
		d.Code, d.SubmittedAt.In(calendar.Location).Format("15:04 02/01/2006"), key)
	if base := strings.TrimRight(s.BaseURL, "/"); base != "" {
		body += " Tra cuu: " + base + "/tra-cuu"
	}
	return body
}

// svcDonePage: the confirmation — the code, the expected date, the receipt.
func (s *Server) svcDonePage(w http.ResponseWriter, r *http.Request, data *svcStepData) {
	c := data.svcCtx
	pv, err := s.Dossiers.Public(r.Context(), c.Draft.DossierCode, c.Draft.LookupKey, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data.Public = pv
	if due, err := s.Dossiers.Calendar().Due(*c.Draft.SubmittedAt, c.V.Time); err == nil {
		data.Expected = due
	}
	data.StatusURL = "/tra-cuu/" + url.PathEscape(pv.Code) + "?key=" + url.QueryEscape(c.Draft.LookupKey)
	data.Receipt = "/tra-cuu/" + url.PathEscape(pv.Code) + "/giay-tiep-nhan.pdf?key=" + url.QueryEscape(c.Draft.LookupKey)
	if ph := dossier.NormalizePhone(svcPhone(c)); ph != "" {
		if _, err := notify.NormalizePhone(ph); err == nil {
			data.SMSMasked = notify.Mask(ph)
		}
	}
	view := s.newView(w, r, "", data)
	view.Title = view.T("svc.done_title")
	s.render(w, r, http.StatusOK, "portal_service_done", view)
}
