package dossier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// SubmitRequest is a dossier arriving at the desk, online or by post.
type SubmitRequest struct {
	Procedure  string           `json:"procedure"`
	Channel    catalog.Channel  `json:"channel"`
	Agency     string           `json:"agency,omitempty"` // receiving agency; defaults to the officer's, then the home agency
	Applicant  Applicant        `json:"applicant"`
	Components []ComponentInput `json:"components"`
	Form       map[string]any   `json:"form,omitempty"`
	// Decision at the desk: receive (default for the counter), guide
	// (incomplete: one-time guidance, form 02) or refuse (form 03). Online and
	// postal dossiers are submitted and wait for the desk's check.
	Decision string   `json:"decision,omitempty"`
	Reasons  []string `json:"reasons,omitempty"` // for guide and refuse
	// Verification asks for the procedure's longer time for cases that must
	// be verified.
	Verification bool `json:"verification,omitempty"`
	// Pages and copies for fees that depend on them (certified copies).
	Pages  int `json:"pages,omitempty"`
	Copies int `json:"copies,omitempty"`
	// PopulationLookup: the applicant's identity was read from the
	// population database; EID: the applicant signed in with a level-2 e-ID.
	PopulationLookup bool `json:"population_lookup,omitempty"`
	EID              bool `json:"eid,omitempty"`
	// Uploads are the files given for each component (multipart forms of
	// the console and the portal; not part of the JSON API).
	Uploads map[string][]Upload `json:"-"`
}

// ComponentInput is a component as ticked at the counter or uploaded.
type ComponentInput struct {
	ID     string `json:"id"`
	Source string `json:"source,omitempty"` // paper (default), upload, population_db, civil_status_db, document_store
	Files  int    `json:"files,omitempty"`
}

// Decisions at the desk.
const (
	DecisionReceive = "receive"
	DecisionGuide   = "guide"
	DecisionRefuse  = "refuse"
	DecisionSubmit  = "submit"
)

// SubmitResult is what the desk gets back.
type SubmitResult struct {
	Dossier *Dossier `json:"dossier"`
	// Outcome: received, guided, refused or submitted.
	Outcome string `json:"outcome"`
	// Form is the number of the form to hand over: 01 receipt, 02 guidance,
	// 03 refusal; "" for a submission waiting for the desk.
	Form string `json:"form"`
	// Missing lists the required components not provided (for guidance).
	Missing []string `json:"missing,omitempty"`
	// LookupKey is printed on the receipt; with the code it opens the
	// public status page. It is shown to the applicant's desk only.
	LookupKey string `json:"lookup_key"`
	// Replayed is true when an idempotent retry returned the earlier dossier.
	Replayed bool `json:"replayed"`
}

var (
	reIDNumber = regexp.MustCompile(`^[0-9]{12}$`)
	reTaxCode  = regexp.MustCompile(`^[0-9]{10}(-[0-9]{3})?$`)
	rePhone    = regexp.MustCompile(`^0[0-9]{9,10}$`)
	reEmail    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// NormalizePhone turns +84 and spaces into the 0… form.
func NormalizePhone(s string) string {
	s = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(strings.TrimSpace(s))
	if strings.HasPrefix(s, "+84") {
		s = "0" + s[3:]
	} else if strings.HasPrefix(s, "84") && len(s) == 11 {
		s = "0" + s[2:]
	}
	return s
}

// prepared is a validated submission, ready to write.
type prepared struct {
	d       *Dossier
	files   map[string][]stored
	outcome string
	form    string
	missing []string
	reasons []string
	action  string
}

// prepare validates a submission against the procedure version in force and
// builds the dossier. It reads only the catalogue, calendar and request, so
// it runs before the write transaction.
func (e *Engine) prepare(ctx context.Context, p *identity.Principal, req *SubmitRequest, now time.Time) (*prepared, error) {
	proc, ok := e.cat.Catalog().Get(strings.TrimSpace(req.Procedure))
	if !ok {
		return nil, apperr.Field("procedure", "unknown_procedure", "Không có thủ tục hành chính với mã này trong danh mục của Trung tâm.")
	}
	v, ok := proc.VersionAt(now)
	if !ok {
		return nil, apperr.Field("procedure", "procedure_not_in_force", "Thủ tục này chưa có hoặc đã hết hiệu lực vào thời điểm nộp hồ sơ.")
	}
	if req.Channel == "" {
		req.Channel = catalog.ChannelInPerson
	}
	switch req.Channel {
	case catalog.ChannelInPerson, catalog.ChannelOnline, catalog.ChannelPost:
	default:
		return nil, apperr.Field("channel", "invalid_channel", "Kênh nộp phải là in_person (trực tiếp), online (trực tuyến) hoặc post (bưu chính).")
	}
	if !v.HasChannel(req.Channel) {
		return nil, apperr.Field("channel", "channel_not_allowed", "Thủ tục này không nhận hồ sơ qua kênh đã chọn.")
	}
	if req.Decision == "" {
		req.Decision = DecisionReceive
		if req.Channel != catalog.ChannelInPerson {
			req.Decision = DecisionSubmit
		}
	}
	switch req.Decision {
	case DecisionReceive, DecisionGuide, DecisionRefuse:
		if !p.Has(identity.RoleCounter) {
			return nil, ErrForbidden
		}
	case DecisionSubmit:
		if req.Channel == catalog.ChannelInPerson {
			return nil, apperr.Field("decision", "invalid_decision", "Hồ sơ nộp trực tiếp phải được tiếp nhận, hướng dẫn bổ sung hoặc từ chối ngay tại quầy.")
		}
	default:
		return nil, apperr.Field("decision", "invalid_decision", "Quyết định phải là receive, guide, refuse hoặc submit.")
	}

	// The applicant.
	a := req.Applicant
	for field, v := range map[string]string{"applicant.name": a.Name, "applicant.address": a.Address, "applicant.id_number": a.IDNumber,
		"applicant.phone": a.Phone, "applicant.email": a.Email, "applicant.kind": a.Kind} {
		if !vntext.Valid(v) {
			return nil, errInvalidText(field)
		}
	}
	a.Name = vntext.NFC(strings.Join(strings.Fields(a.Name), " "))
	a.Address = vntext.NFC(strings.TrimSpace(a.Address))
	a.IDNumber = strings.TrimSpace(a.IDNumber)
	a.Phone = NormalizePhone(a.Phone)
	a.Email = strings.TrimSpace(a.Email)
	if a.Kind == "" {
		a.Kind = "citizen"
	}
	if a.Kind != "citizen" && a.Kind != "organisation" {
		return nil, apperr.Field("applicant.kind", "invalid_applicant_kind", "Người nộp phải là công dân (citizen) hoặc tổ chức (organisation).")
	}
	if !slices.Contains(v.Subjects, a.Kind) {
		return nil, apperr.Field("applicant.kind", "applicant_not_eligible", "Thủ tục này không dành cho đối tượng người nộp đã chọn.")
	}
	if a.Name == "" || len([]rune(a.Name)) > 200 {
		return nil, apperr.Field("applicant.name", "applicant_name_required", "Vui lòng nhập họ và tên người nộp hồ sơ (tối đa 200 ký tự).")
	}
	switch {
	case a.IDNumber == "":
		return nil, apperr.Field("applicant.id_number", "id_number_required", "Vui lòng nhập số định danh cá nhân (12 số) hoặc mã số thuế của tổ chức.")
	case a.Kind == "citizen" && !reIDNumber.MatchString(a.IDNumber):
		return nil, apperr.Field("applicant.id_number", "invalid_id_number", "Số định danh cá nhân phải gồm đúng 12 chữ số.")
	case a.Kind == "organisation" && !reTaxCode.MatchString(a.IDNumber):
		return nil, apperr.Field("applicant.id_number", "invalid_tax_code", "Mã số thuế phải gồm 10 chữ số (hoặc 10 số, dấu gạch và 3 số).")
	}
	if a.Phone != "" && !rePhone.MatchString(a.Phone) {
		return nil, apperr.Field("applicant.phone", "invalid_phone", "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0).")
	}
	if a.Email != "" && !reEmail.MatchString(a.Email) {
		return nil, apperr.Field("applicant.email", "invalid_email", "Địa chỉ thư điện tử không hợp lệ.")
	}

	// The files, by their content.
	files, err := checkUploads(v, req.Uploads)
	if err != nil {
		return nil, err
	}
	for id, fs := range files {
		found := false
		for i := range req.Components {
			if req.Components[i].ID == id {
				req.Components[i].Files = len(fs)
				if req.Components[i].Source == "" {
					req.Components[i].Source = SourceUpload
				}
				found = true
			}
		}
		if !found {
			req.Components = append(req.Components, ComponentInput{ID: id, Source: SourceUpload, Files: len(fs)})
		}
	}

	// The components.
	byID := map[string]catalog.Component{}
	for _, c := range v.Components {
		byID[c.ID] = c
	}
	given := map[string]ComponentInput{}
	for i, in := range req.Components {
		c, ok := byID[in.ID]
		field := fmt.Sprintf("components[%d]", i)
		if !ok {
			return nil, apperr.Field(field+".id", "unknown_component", fmt.Sprintf("Thủ tục này không có thành phần hồ sơ “%s”.", in.ID))
		}
		if _, dup := given[in.ID]; dup {
			return nil, apperr.Field(field+".id", "duplicate_component", fmt.Sprintf("Thành phần “%s” được khai hai lần.", c.Name))
		}
		if in.Source == "" {
			in.Source = SourcePaper
			if req.Channel == catalog.ChannelOnline {
				in.Source = SourceUpload
			}
		}
		switch in.Source {
		case SourcePaper, SourceUpload:
		default:
			if !slices.Contains(c.Reuse, catalog.ReuseSource(in.Source)) {
				return nil, apperr.Field(field+".source", "invalid_component_source",
					fmt.Sprintf("Thành phần “%s” không thể lấy từ nguồn “%s”.", c.Name, in.Source))
			}
		}
		if in.Files < 0 || in.Files > 50 {
			return nil, apperr.Field(field+".files", "invalid_file_count", "Số tệp đính kèm phải từ 0 đến 50.")
		}
		given[in.ID] = in
	}
	var missing []string
	comps := make([]Component, 0, len(v.Components))
	reused, paperProvided, scanned := 0, 0, 0
	population := req.PopulationLookup
	for _, c := range v.Components {
		in, ok := given[c.ID]
		comp := Component{ID: c.ID, Name: c.Name, Form: c.Form, Count: c.Count, Provided: ok, Source: in.Source, Files: in.Files}
		if ok {
			switch in.Source {
			case string(catalog.ReusePopulationDB), string(catalog.ReuseCivilStatusDB), string(catalog.ReuseDocumentStore):
				reused++
				population = population || in.Source == string(catalog.ReusePopulationDB)
			default:
				if c.Form != catalog.FormShowOriginal {
					paperProvided++
					if in.Files > 0 {
						scanned++
					}
				}
			}
		} else if c.Required {
			missing = append(missing, c.Name)
		}
		comps = append(comps, comp)
	}

	// The e-form.
	form, err := validateForm(v, req.Form, req.Decision == DecisionReceive || req.Decision == DecisionSubmit)
	if err != nil {
		return nil, err
	}

	pr := &prepared{reasons: cleanReasons(req.Reasons), files: files}
	switch req.Decision {
	case DecisionReceive:
		if len(missing) > 0 {
			return nil, &apperr.Error{Kind: apperr.Invalid, Code: "dossier_incomplete", Field: "components",
				Message: "Hồ sơ còn thiếu: " + strings.Join(missing, "; ") + ". Hãy hướng dẫn bổ sung, hoàn thiện hồ sơ một lần (mẫu 02) thay vì tiếp nhận."}
		}
		pr.outcome, pr.form, pr.action = "received", "01", ActionReceive
	case DecisionGuide:
		if len(missing) == 0 && len(pr.reasons) == 0 {
			return nil, apperr.Field("reasons", "reasons_required", "Hồ sơ đã đủ thành phần; hãy ghi rõ những nội dung cần bổ sung, hoàn thiện.")
		}
		pr.outcome, pr.form, pr.action = "guided", "02", "guide"
	case DecisionRefuse:
		if len(pr.reasons) == 0 {
			return nil, apperr.Field("reasons", "reasons_required", "Phải ghi rõ lý do từ chối tiếp nhận hồ sơ.")
		}
		pr.outcome, pr.form, pr.action = "refused", "03", ActionRefuse
	case DecisionSubmit:
		pr.outcome, pr.action = "submitted", "submit_online"
	}
	pr.missing = missing

	fee, err := v.Fee.Compute(catalog.FeeInput{Channel: req.Channel, Pages: pick(req.Pages, form, "pages"), Copies: pick(req.Copies, form, "copies")})
	if err != nil {
		return nil, apperr.Field("pages", "invalid_fee_input", "Số trang và số bản phải là số dương.")
	}

	agency := req.Agency
	if agency == "" {
		agency = p.Agency
	}
	if agency == "" {
		home, err := e.org.Home(ctx)
		if err != nil {
			return nil, apperr.Field("agency", "agency_required", "Chưa xác định được cơ quan tiếp nhận hồ sơ.")
		}
		agency = home.Code
	}
	if p.Agency != "" && !strings.HasPrefix(agency, p.Agency) && !strings.HasPrefix(p.Agency, agency+".") {
		return nil, ErrForbidden
	}
	if _, err := e.org.Get(ctx, agency); err != nil {
		return nil, apperr.Field("agency", "unknown_agency", "Không có cơ quan tiếp nhận với mã này.")
	}

	d := &Dossier{
		ID: newID("d"), Agency: agency, Procedure: proc.Code, ProcedureName: proc.Name, ProcedureVersion: v.Version,
		Channel: req.Channel, Applicant: a, Form: form, Components: comps, LookupKey: newLookupKey(),
		SubmittedAt: now, Fee: fee, Reused: reused, PopulationData: population, VNeID: req.EID && req.Channel == catalog.ChannelOnline,
		Digitized: paperProvided > 0 && scanned == paperProvided || paperProvided == 0 && reused > 0,
	}
	switch pr.outcome {
	case "received":
		if err := e.startProcessing(d, v, now, req.Verification); err != nil {
			return nil, err
		}
	case "guided":
		d.State, d.Status = StateGuided, 1
	case "refused":
		d.State, d.Status = StateNotAccepted, 3
		d.FinishedAt = &now
	case "submitted":
		d.State, d.Status = StateNew, 1
	}
	syncRoles(d, v.WorkflowDef)
	pr.d = d
	return pr, nil
}

// startProcessing sets the dossier received at now: due date by the
// calendar, first workflow state and its step deadline.
func (e *Engine) startProcessing(d *Dossier, v *catalog.Version, now time.Time, verification bool) error {
	wf := v.WorkflowDef
	start := wf.StartState()
	if start == nil {
		return apperr.Wrap(fmt.Errorf("procedure %s has no start state", d.Procedure), "receive")
	}
	dur := v.Time
	if verification && v.VerificationTime != nil {
		dur = *v.VerificationTime
	}
	due, err := e.Calendar().Due(now, dur)
	if err != nil {
		return apperr.Wrap(err, "due date")
	}
	d.ReceivedAt, d.DueAt = &now, &due
	orig := due
	d.OriginalDueAt = &orig
	d.State, d.Status = start.ID, start.Status
	e.enterStep(d, start, now)
	return nil
}

// enterStep records that the dossier entered a workflow state at now and
// sets that step's deadline: the state's share of the working time from
// receipt to the due date, counted from now and never after the due date.
func (e *Engine) enterStep(d *Dossier, s *catalog.State, now time.Time) {
	if d.StepStartedAt != nil && d.TransferredAt == nil && !s.Start {
		d.TransferredAt = &now // the first hand-off from the desk
	}
	d.StepStartedAt = &now
	d.StepDueAt = nil
	d.StepRoles = s.Roles
	d.AssigneeID, d.AssigneeName = "", ""
	if s.Terminal || s.Share <= 0 || d.DueAt == nil || d.ReceivedAt == nil {
		return
	}
	cal := e.Calendar()
	total := cal.WorkingMinutesBetween(e.countFrom(*d.ReceivedAt), *d.DueAt)
	step := cal.AddWorkingMinutes(now, int(float64(total)*s.Share+0.5))
	if step.After(*d.DueAt) {
		step = *d.DueAt
	}
	d.StepDueAt = &step
}

// countFrom is when processing time starts counting for a dossier received
// at t: at once, or at the next working day's opening after the cut-off.
func (e *Engine) countFrom(t time.Time) time.Time {
	cal := e.Calendar()
	day := cal.ReceivedDay(t)
	if day.Format(time.DateOnly) != t.In(calendar.Location).Format(time.DateOnly) {
		open := cal.Config().Office[0].Start
		return day.Add(time.Duration(open) * time.Minute)
	}
	return t
}

func pick(n int, form map[string]any, key string) int {
	if n > 0 {
		return n
	}
	switch v := form[key].(type) {
	case float64:
		return int(v)
	case string:
		x, _ := strconv.Atoi(v)
		return x
	}
	return 0
}

func cleanReasons(in []string) []string {
	var out []string
	for _, r := range in {
		r = vntext.NFC(strings.TrimSpace(r))
		if r != "" {
			if len([]rune(r)) > 1000 {
				r = string([]rune(r)[:1000])
			}
			out = append(out, r)
		}
	}
	return out
}

// validateForm checks the e-form answers against the version's fields.
func validateForm(v *catalog.Version, in map[string]any, requireAll bool) (map[string]any, error) {
	out := map[string]any{}
	fields := map[string]catalog.Field{}
	for _, f := range v.Form {
		fields[f.ID] = f
	}
	for k := range in {
		if _, ok := fields[k]; !ok {
			return nil, apperr.Field("form."+k, "unknown_form_field", fmt.Sprintf("Biểu mẫu của thủ tục này không có mục “%s”.", k))
		}
	}
	for _, f := range v.Form {
		raw, ok := in[f.ID]
		var s string
		switch x := raw.(type) {
		case nil:
			ok = false
		case string:
			if !vntext.Valid(x) {
				return nil, errInvalidText("form." + f.ID)
			}
			s = vntext.NFC(strings.TrimSpace(x))
		case float64:
			s = strconv.FormatFloat(x, 'f', -1, 64)
		case int:
			s = strconv.Itoa(x)
		case int64:
			s = strconv.FormatInt(x, 10)
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			return nil, apperr.Field("form."+f.ID, "invalid_form_value", fmt.Sprintf("Giá trị của mục “%s” không hợp lệ.", f.Label))
		}
		if !ok || s == "" {
			if f.Required && requireAll && f.Type != catalog.FieldCheckbox {
				return nil, apperr.Field("form."+f.ID, "form_field_required", fmt.Sprintf("Vui lòng điền mục “%s”.", f.Label))
			}
			continue
		}
		if len([]rune(s)) > 2000 {
			return nil, apperr.Field("form."+f.ID, "form_value_too_long", fmt.Sprintf("Mục “%s” quá dài (tối đa 2.000 ký tự).", f.Label))
		}
		bad := false
		switch f.Type {
		case catalog.FieldDate:
			_, err := time.Parse(time.DateOnly, s)
			bad = err != nil
		case catalog.FieldIDNumber:
			bad = !reIDNumber.MatchString(s)
		case catalog.FieldPhone:
			s = NormalizePhone(s)
			bad = !rePhone.MatchString(s)
		case catalog.FieldEmail:
			bad = !reEmail.MatchString(s)
		case catalog.FieldNumber:
			n, err := strconv.ParseFloat(s, 64)
			bad = err != nil || n < 0
			if !bad {
				out[f.ID] = n
				continue
			}
		case catalog.FieldCheckbox:
			bad = s != "true" && s != "false"
			if !bad {
				out[f.ID] = s == "true"
				continue
			}
		case catalog.FieldSelect:
			bad = !slices.ContainsFunc(f.Options, func(o catalog.Option) bool { return o.Value == s })
		}
		if bad {
			return nil, apperr.Field("form."+f.ID, "invalid_form_value", fmt.Sprintf("Giá trị của mục “%s” không hợp lệ.", f.Label))
		}
		out[f.ID] = s
	}
	return out, nil
}

// Submit receives a dossier at the desk (or submits it online / by post):
// it validates it against the procedure version in force, allocates the
// dossier code, computes the due date, and writes the dossier, its
// components, the first history row and the audit entry in one
// transaction. With an idempotency key, a retry returns the same dossier.
func (e *Engine) Submit(ctx context.Context, p *identity.Principal, req SubmitRequest, idemKey string) (*SubmitResult, error) {
	return e.SubmitAt(ctx, p, req, idemKey, e.now())
}

// SubmitAt is Submit at a given time: for the demo's year of history and
// for tests. The time must not be in the future.
func (e *Engine) SubmitAt(ctx context.Context, p *identity.Principal, req SubmitRequest, idemKey string, now time.Time) (*SubmitResult, error) {
	if p == nil {
		return nil, ErrForbidden
	}
	reqHash := ""
	if idemKey != "" {
		if len(idemKey) > 200 {
			return nil, apperr.Field("Idempotency-Key", "invalid_idempotency_key", "Khóa chống gửi trùng (Idempotency-Key) quá dài.")
		}
		b, _ := json.Marshal(req)
		sum := sha256.Sum256(b)
		reqHash = hex.EncodeToString(sum[:])
		idemKey = p.ID + ":" + idemKey
	}
	if idemKey != "" {
		// A retry is answered with the first dossier even if the catalogue
		// changed in between and the request would no longer validate.
		if res, err := e.replay(ctx, idemKey, reqHash); err != nil || res != nil {
			return res, err
		}
	}
	pr, err := e.prepare(ctx, p, &req, now)
	if err != nil {
		return nil, err
	}
	var res *SubmitResult
	err = e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		res, err = e.submitTx(ctx, tx, p, pr, idemKey, reqHash, now)
		return err
	})
	if err != nil {
		return nil, asAppErr(err, "submit dossier")
	}
	e.decorate(res.Dossier, nil)
	return res, nil
}

// replay returns the dossier an idempotency key already created, if any.
func (e *Engine) replay(ctx context.Context, idemKey, reqHash string) (*SubmitResult, error) {
	var id, prevHash string
	err := e.db.Read().QueryRowContext(ctx, "SELECT dossier_id, request FROM idempotency_keys WHERE key = $1", idemKey).Scan(&id, &prevHash)
	if err != nil {
		return nil, nil // not seen (or not readable): the write path checks again
	}
	if prevHash != reqHash {
		return nil, apperr.New(apperr.Conflict, "idempotency_key_reused", "Khóa chống gửi trùng này đã được dùng cho một hồ sơ khác.")
	}
	var d *Dossier
	err = e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if d, err = scanDossier(tx.QueryRowContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE id = $1", id)); err != nil {
			return err
		}
		d.Components, err = loadComponents(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "replay")
	}
	e.decorate(d, nil)
	return &SubmitResult{Dossier: d, Outcome: outcomeOf(d), Form: formOf(d), LookupKey: d.LookupKey, Replayed: true}, nil
}

// asAppErr keeps an error the user should see, and wraps anything else as
// an internal error.
func asAppErr(err error, what string) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(err, what)
}

// submitTx writes a prepared dossier in the caller's transaction: the code,
// the dossier and its components, the first history row and the audit entry.
func (e *Engine) submitTx(ctx context.Context, tx store.Tx, p *identity.Principal, pr *prepared, idemKey, reqHash string, now time.Time) (*SubmitResult, error) {
	d := pr.d
	if idemKey != "" {
		var id, prevHash string
		err := tx.QueryRowContext(ctx, "SELECT dossier_id, request FROM idempotency_keys WHERE key = $1", idemKey).Scan(&id, &prevHash)
		if err == nil {
			if prevHash != reqHash {
				return nil, apperr.New(apperr.Conflict, "idempotency_key_reused", "Khóa chống gửi trùng này đã được dùng cho một hồ sơ khác.")
			}
			replay, err := scanDossier(tx.QueryRowContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE id = $1", id))
			if err == nil {
				replay.Components, err = loadComponents(ctx, tx, id)
			}
			if err != nil {
				return nil, err
			}
			return &SubmitResult{Dossier: replay, Outcome: outcomeOf(replay), Form: formOf(replay), LookupKey: replay.LookupKey, Replayed: true}, nil
		}
	}
	code, err := nextCode(ctx, tx, d.Agency, now)
	if err != nil {
		return nil, err
	}
	d.Code = code
	role, _ := roleFor(p, []string{identity.RoleCounter})
	if role == "" && len(p.Roles) > 0 {
		role = p.Roles[0]
	}
	detail := map[string]any{"channel": d.Channel}
	if len(pr.missing) > 0 {
		detail["missing"] = pr.missing
	}
	if len(pr.reasons) > 0 {
		detail["reasons"] = pr.reasons
	}
	if pr.form != "" {
		detail["form"] = pr.form
	}
	h := &HistoryEntry{Seq: 1, At: now, ActorID: p.ID, ActorName: p.Name, ActorRole: role, Action: pr.action,
		To: d.State, ToStatus: d.Status, Detail: detail}
	hst, err := historyStmt(ctx, tx, d.ID, h)
	if err != nil {
		return nil, err
	}
	ast, err := audit.Stmt(ctx, tx, now, audit.Event{Actor: p.Actor(), Role: role, Action: "dossier." + pr.action, ObjectType: "dossier", ObjectID: code,
		Detail: map[string]any{"procedure": d.Procedure, "status": d.Status, "applicant_id": maskID(d.Applicant.IDNumber)}})
	if err != nil {
		return nil, err
	}
	// The dossier, its components, files, history and audit entry: one
	// round trip on PostgreSQL.
	stmts := append(dossierStmts(d, now), hst, ast)
	for comp, fs := range pr.files {
		stmts = append(stmts, fileStmts(d.ID, comp, p.ID, fs, now)...)
	}
	if err := store.ExecAll(ctx, tx, e.db.Engine(), stmts...); err != nil {
		return nil, fmt.Errorf("dossier: insert %s: %w", d.Code, err)
	}
	if err := e.observed(ctx, tx, d, h); err != nil {
		return nil, err
	}
	if idemKey != "" {
		if _, err := tx.ExecContext(ctx, "INSERT INTO idempotency_keys (key, dossier_id, request, created_at) VALUES ($1, $2, $3, $4)",
			idemKey, d.ID, reqHash, now.UnixMilli()); err != nil {
			return nil, fmt.Errorf("dossier: idempotency key: %w", err)
		}
	}
	d.Rev = 1
	return &SubmitResult{Dossier: d, Outcome: pr.outcome, Form: pr.form, Missing: pr.missing, LookupKey: d.LookupKey}, nil
}

func outcomeOf(d *Dossier) string {
	switch d.State {
	case StateNew:
		return "submitted"
	case StateGuided:
		return "guided"
	case StateNotAccepted:
		return "refused"
	}
	return "received"
}

func formOf(d *Dossier) string {
	switch outcomeOf(d) {
	case "guided":
		return "02"
	case "refused":
		return "03"
	case "received":
		return "01"
	}
	return ""
}

// errInvalidText refuses text with control characters or broken encoding
// (which PostgreSQL would refuse to store).
func errInvalidText(field string) error {
	return apperr.Field(field, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
}
