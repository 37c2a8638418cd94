package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"github.com/motcua/motcua/internal/vntext"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/registry"
)

// GET /staff/intake?q= — choose the procedure (search with or without
// diacritics).
func (s *Server) staffIntake(w http.ResponseWriter, r *http.Request, v *staffView) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	procs := s.Catalog.Catalog().Search(q, 0)
	served := s.served(r, v)
	var list []*catalog.Procedure
	for _, p := range procs {
		if served == nil || served[p.Code] {
			list = append(list, p)
		}
	}
	s.renderStaff(w, r, http.StatusOK, "staff_intake", v, v.T("staff.intake"), map[string]any{"Q": q, "Procedures": list, "Ticket": r.URL.Query().Get("ticket")})
}

// served is the set of procedures the officer's centre serves (nil: all).
func (s *Server) served(r *http.Request, v *staffView) map[string]bool {
	codes, err := s.Catalog.Served(r.Context(), v.User.Agency)
	if err != nil || len(codes) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// intakeForm is what the intake form shows.
type intakeForm struct {
	P         *catalog.Procedure
	V         *catalog.Version
	Values    url.Values
	Person    *registry.Person
	LookupErr string
	Error     string
	Field     string
	Key       string // idempotency key: a double click creates one dossier
	FeeTiers  string
	FeeText   string
	PerPage   bool
	Ticket    string
}

// GET /staff/intake/{code}[?id=…&lookup=1]
func (s *Server) staffIntakeForm(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, ok := s.intakeFormFor(w, r, v)
	if !ok {
		return
	}
	q := r.URL.Query()
	f.Values = q
	if q.Get("lookup") != "" && q.Get("id") != "" {
		person, err := s.Population.Lookup(r.Context(), principal(r), q.Get("id"), f.P.Code)
		if err != nil {
			f.LookupErr = apperr.As(err).Message
		} else {
			f.Person = person
			f.Values = prefill(f.V, person, q)
		}
	}
	s.renderStaff(w, r, http.StatusOK, "staff_intake_form", v, f.P.Name, f)
}

func (s *Server) intakeFormFor(w http.ResponseWriter, r *http.Request, v *staffView) (*intakeForm, bool) {
	p, ok := s.Catalog.Catalog().Get(r.PathValue("code"))
	if !ok {
		s.staffFail(w, r, v, errProcedureNotFound)
		return nil, false
	}
	ver, ok := p.VersionAt(s.Now())
	if !ok {
		s.staffFail(w, r, v, apperr.New(apperr.NotFound, "procedure_not_in_force", "Thủ tục này hiện chưa có hoặc đã hết hiệu lực."))
		return nil, false
	}
	b := make([]byte, 12)
	rand.Read(b)
	f := &intakeForm{P: p, V: ver, Key: hex.EncodeToString(b), FeeText: ver.Fee.Describe(), Ticket: r.URL.Query().Get("ticket")}
	if ver.Fee.Kind == catalog.FeePerPage {
		tiers, _ := json.Marshal(ver.Fee.Tiers)
		f.FeeTiers, f.PerPage = string(tiers), true
	}
	return f, true
}

// prefill fills the applicant and e-form fields from the population data,
// keeping what the officer already typed.
func prefill(v *catalog.Version, p *registry.Person, q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		out[k] = vs
	}
	set := func(k, val string) {
		if out.Get(k) == "" && val != "" {
			out.Set(k, val)
		}
	}
	set("name", p.FullName)
	set("id_number", p.IDNumber)
	set("phone", p.Phone)
	set("address", p.PermanentAddress)
	for _, fl := range v.Form {
		if fl.Prefill != "" {
			set("form_"+fl.ID, optionFor(fl, p.Attr(fl.Prefill)))
		}
	}
	out.Set("population_lookup", "1")
	return out
}

// optionFor turns a population-data value into what the form field takes:
// for a list, the option whose code or wording it is (the database states
// some facts in words); otherwise the value itself.
func optionFor(fl catalog.Field, val string) string {
	if fl.Type != catalog.FieldSelect || val == "" {
		return val
	}
	key := vntext.Fold(val)
	for _, o := range fl.Options {
		if o.Value == val || vntext.Fold(o.Label) == key {
			return o.Value
		}
	}
	if fl.Prefill == "marital_status" {
		if code := registry.MaritalCode(val); code != "" {
			for _, o := range fl.Options {
				if o.Value == code {
					return code
				}
			}
		}
	}
	return "" // no option says the same: let the officer choose
}

// POST /staff/intake/{code} — receive (and print the receipt), or print
// the guidance or the refusal instead.
func (s *Server) staffIntakePost(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, ok := s.intakeFormFor(w, r, v)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 80<<20)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		if err := r.ParseForm(); err != nil {
			s.staffFail(w, r, v, apperr.New(apperr.TooLarge, "upload_too_large", "Tệp tải lên quá lớn."))
			return
		}
	}
	vals := r.PostForm
	f.Values, f.Key = vals, vals.Get("key")
	if tk := vals.Get("ticket"); tk != "" {
		f.Ticket = tk // the queue ticket the citizen came with, carried by the form
	}
	req := dossier.SubmitRequest{
		Procedure: f.P.Code, Channel: catalog.ChannelInPerson, Decision: vals.Get("decision"),
		Applicant: dossier.Applicant{Kind: vals.Get("kind"), Name: vals.Get("name"), IDNumber: vals.Get("id_number"),
			Phone: vals.Get("phone"), Email: vals.Get("email"), Address: vals.Get("address")},
		Form: map[string]any{}, Uploads: map[string][]dossier.Upload{},
		Verification: vals.Get("verification") == "1", PopulationLookup: vals.Get("population_lookup") == "1",
	}
	if req.Applicant.Kind == "" {
		req.Applicant.Kind = "citizen"
	}
	for _, line := range strings.Split(vals.Get("reasons"), "\n") {
		if strings.TrimSpace(line) != "" {
			req.Reasons = append(req.Reasons, line)
		}
	}
	req.Pages, _ = strconv.Atoi(vals.Get("pages"))
	req.Copies, _ = strconv.Atoi(vals.Get("copies"))
	for _, c := range f.V.Components {
		src := vals.Get("c_" + c.ID)
		uploads, err := readUploads(r, "f_"+c.ID)
		if err != nil {
			s.intakeError(w, r, v, f, err)
			return
		}
		if len(uploads) > 0 {
			req.Uploads[c.ID] = uploads
			if src == "" || src == "none" {
				src = dossier.SourcePaper
			}
		}
		if src == "" || src == "none" {
			continue
		}
		req.Components = append(req.Components, dossier.ComponentInput{ID: c.ID, Source: src})
	}
	for _, fl := range f.V.Form {
		val := vals.Get("form_" + fl.ID)
		if fl.Type == catalog.FieldCheckbox {
			req.Form[fl.ID] = val == "1"
			continue
		}
		if val != "" {
			req.Form[fl.ID] = val
		}
	}
	res, err := s.Dossiers.Submit(r.Context(), principal(r), req, f.Key)
	if err != nil {
		s.intakeError(w, r, v, f, err)
		return
	}
	d := res.Dossier
	form := map[string]string{"01": "receipt", "02": "guidance", "03": "refusal"}[res.Form]
	msg := map[string]string{"received": v.T("intake.received"), "guided": v.T("intake.guided"), "refused": v.T("intake.refused")}[res.Outcome]
	dest := "/staff/dossiers/" + url.PathEscape(d.Code) + "?ok=" + url.QueryEscape(msg+" "+d.Code)
	if form != "" {
		dest += "&print=" + form
	}
	if f.Ticket != "" && s.Queue != nil {
		// The queue ticket the citizen came with now names the dossier, for
		// the centre's figures and the citizen's phone. The dossier is
		// already safe; a ticket that cannot be linked is only logged.
		p := principal(r)
		counter, _ := strconv.Atoi(p.Counter)
		if _, err := s.Queue.Act(r.Context(), p, f.Ticket, queue.ActRequest{Action: queue.ActLink, Counter: counter, Dossier: d.Code}); err != nil {
			s.Log.Warn("queue ticket not linked to the dossier", "ticket", f.Ticket, "dossier", d.Code, "err", err)
		} else {
			dest += "&ticket=" + url.QueryEscape(f.Ticket)
		}
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

func (s *Server) intakeError(w http.ResponseWriter, r *http.Request, v *staffView, f *intakeForm, err error) {
	e := apperr.As(err)
	if e.Kind == apperr.Internal {
		s.fail(w, r, err)
		return
	}
	f.Error, f.Field = e.Message, e.Field
	s.renderStaff(w, r, e.Status(), "staff_intake_form", v, f.P.Name, f)
}
