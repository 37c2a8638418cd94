package dossier

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// The applicant's own view of their dossiers (the citizen portal's "My
// dossiers"): a citizen signed in with their e-ID is the applicant of every
// dossier carrying their personal ID number, received at the counter or
// submitted online. Every method here takes that ID number from the
// session, never from the request, and answers "not found" for a dossier
// of someone else, so that no one learns which codes exist. Staff paths
// (Get, Act) refuse citizen principals: this file is their only way in.

// What the applicant is expected to do now.
const (
	ExpectNothing    = ""
	ExpectSupplement = "supplement" // send the papers asked for
	ExpectPay        = "pay"        // pay the fee or financial obligation
	ExpectCollect    = "collect"    // come and collect the result
	ExpectDownload   = "download"   // download the electronic result
)

// MineSummary is one of the applicant's dossiers as listed.
type MineSummary struct {
	Code          string     `json:"code"`
	Procedure     string     `json:"procedure"`
	ProcedureName string     `json:"procedure_name"`
	Channel       string     `json:"channel"`
	State         string     `json:"state"`
	Status        int        `json:"status"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	DueAt         *time.Time `json:"due_at,omitempty"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	Fee           int64      `json:"fee"`
	Electronic    bool       `json:"electronic_result"`
	Expect        string     `json:"expect,omitempty"`
	// Late: still running after its due date.
	Late bool `json:"late"`
}

// Expectation says what the applicant must do now, from the dossier's
// state and whether it has an electronic result.
func Expectation(state string, status int, electronic bool) string {
	switch state {
	case StateGuided, StateSupplementing:
		return ExpectSupplement
	case StateAwaitingPayment:
		return ExpectPay
	}
	if status == 9 {
		if electronic {
			return ExpectDownload
		}
		return ExpectCollect
	}
	return ExpectNothing
}

// applicantOK checks the principal is a citizen and the ID number usable:
// an empty number would match every dossier without one.
func applicantOK(p *identity.Principal, idNumber string) error {
	if p == nil || !p.Has(identity.RoleCitizen) {
		return ErrForbidden
	}
	if len(idNumber) < 9 || len(idNumber) > 20 || strings.Trim(idNumber, "0123456789") != "" {
		return ErrForbidden
	}
	return nil
}

// MineListMax is the largest page of the list.
const MineListMax = 50

// Mine lists the applicant's dossiers, newest first, a page at a time, and
// how many they have. The listing is audited: it shows personal data.
func (e *Engine) Mine(ctx context.Context, p *identity.Principal, idNumber string, offset, limit int) ([]MineSummary, int, error) {
	if err := applicantOK(p, idNumber); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > MineListMax {
		limit = 20
	}
	if offset < 0 || offset > 100000 {
		offset = 0
	}
	r := e.db.Read()
	var total int
	if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM dossiers WHERE applicant_id = $1", idNumber).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "my dossiers")
	}
	out := []MineSummary{}
	if total > offset {
		// Served by dossiers_applicant_submitted (0009) in order: only the
		// page's rows are read.
		rows, err := r.QueryContext(ctx, `SELECT code, procedure_code, procedure_name, channel, state, status, submitted_at, due_at, finished_at, fee, result_doc
			FROM dossiers WHERE applicant_id = $1 ORDER BY applicant_id DESC, submitted_at DESC, code DESC LIMIT `+strconv.Itoa(limit)+" OFFSET "+strconv.Itoa(offset), idNumber)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "my dossiers")
		}
		defer rows.Close()
		now := e.now()
		for rows.Next() {
			var m MineSummary
			var submitted int64
			var due, finished sql.NullInt64
			var result string
			if err := rows.Scan(&m.Code, &m.Procedure, &m.ProcedureName, &m.Channel, &m.State, &m.Status, &submitted, &due, &finished, &m.Fee, &result); err != nil {
				return nil, 0, apperr.Wrap(err, "my dossiers")
			}
			m.SubmittedAt = time.UnixMilli(submitted).UTC()
			m.DueAt, m.FinishedAt = msPtr(due), msPtr(finished)
			m.Electronic = electronicResult(result)
			m.Expect = Expectation(m.State, m.Status, m.Electronic)
			m.Late = m.DueAt != nil && m.FinishedAt == nil && m.Status != 5 && m.Status != 6 && m.Status < 7 && now.After(*m.DueAt)
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return nil, 0, apperr.Wrap(err, "my dossiers")
		}
	}
	if err := e.auditApplicant(ctx, p, "dossier.list_mine", "applicant", maskID(idNumber), map[string]any{"offset": offset, "rows": len(out)}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// electronicResult reads from a result_doc column whether the result was
// issued electronically, without decoding the rest.
func electronicResult(doc string) bool {
	if !strings.Contains(doc, "electronic_at") {
		return false
	}
	var r Result
	return json.Unmarshal([]byte(doc), &r) == nil && r.ElectronicAt != nil
}

func (e *Engine) auditApplicant(ctx context.Context, p *identity.Principal, action, objType, objID string, detail map[string]any) error {
	if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, e.now(), audit.Event{Actor: p.Actor(), Role: identity.RoleCitizen, Action: action, ObjectType: objType, ObjectID: objID, Detail: detail})
	}); err != nil {
		return apperr.Wrap(err, "audit")
	}
	return nil
}

// loadMine reads a dossier with its history if its applicant is idNumber.
func (e *Engine) loadMine(ctx context.Context, idNumber, code string) (*Dossier, []HistoryEntry, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 80 {
		return nil, nil, ErrNotFound
	}
	var d *Dossier
	var hist []HistoryEntry
	err := e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if d, err = loadByCode(ctx, tx, code); err != nil {
			return err
		}
		if d.Applicant.IDNumber != idNumber {
			return errNotFound
		}
		hist, err = loadHistory(ctx, tx, d.ID)
		return err
	})
	if errors.Is(err, errNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, apperr.Wrap(err, "my dossier")
	}
	e.decorate(d, hist)
	return d, hist, nil
}

// MineView is one of the applicant's dossiers with what the portal shows.
type MineView struct {
	Dossier  *Dossier
	Timeline []MineStep
	Expect   string
	// Supplement is the open request for papers, if the applicant is
	// expected to send some.
	Supplement *SupplementRequest
	Apology    *Apology
	// Components are the procedure's documents, for the supplement's
	// uploads: each with the HTML accept attribute of its files.
	Components []MineComponent
	// Late: running after its due date; OnTime: finished by it.
	Late, OnTime bool
	// Withdrawable: the applicant may still withdraw it (before the result).
	Withdrawable bool
	Electronic   bool
}

// MineStep is one event of the applicant's timeline. Kind names the event
// for the page's words: submitted, received, guided, not_accepted,
// processing, next_step, approved, signed, supplement_requested,
// supplement_received, payment_requested, paid, apology, result_ready,
// returned, refused, stopped, withdrawn, imported.
type MineStep struct {
	At      time.Time
	Kind    string
	Step    string // the workflow step now, in Vietnamese
	StepEn  string // and in English, if the catalogue has it
	Reasons []string
	NewDue  *time.Time
	Online  bool // done by the applicant online
}

// SupplementRequest is what the agency asked the applicant to add.
type SupplementRequest struct {
	At      time.Time
	Reasons []string
	Missing []string
	By      string // the officer who asked
}

// MineComponent is one document of the procedure.
type MineComponent struct {
	ID, Name, Accept string
	Kinds            string // "PDF, JPG, PNG", for people
	MaxMB            int
	Provided         bool
}

// MineGet returns one of the applicant's dossiers; another person's code
// is "not found". The view is audited.
func (e *Engine) MineGet(ctx context.Context, p *identity.Principal, idNumber, code string) (*MineView, error) {
	if err := applicantOK(p, idNumber); err != nil {
		return nil, err
	}
	d, hist, err := e.loadMine(ctx, idNumber, code)
	if err != nil {
		return nil, err
	}
	if err := e.auditApplicant(ctx, p, "dossier.read", "dossier", d.Code, map[string]any{"by": "applicant"}); err != nil {
		return nil, err
	}
	wf, _ := e.workflowOf(d)
	v := &MineView{Dossier: d, Electronic: d.Result.ElectronicAt != nil}
	v.Expect = Expectation(d.State, d.Status, v.Electronic)
	now := e.now()
	v.Late = d.DueAt != nil && d.FinishedAt == nil && !d.Terminal() && d.State != StateSupplementing && d.State != StateAwaitingPayment && now.After(*d.DueAt)
	v.OnTime = d.DueAt != nil && d.FinishedAt != nil && !d.FinishedAt.After(*d.DueAt) && d.Status >= 9
	_, proc := processing(d, wf)
	v.Withdrawable = proc || d.State == StateNew || d.State == StateGuided || d.State == StateSupplementing || d.State == StateAwaitingPayment
	for _, h := range hist {
		st := MineStep{At: h.At, Reasons: toStrings(h.Detail["reasons"]), Online: h.ActorRole == identity.RoleCitizen}
		if wf != nil {
			if s, ok := wf.State(h.To); ok {
				st.Step, st.StepEn = s.Name, s.NameEn
			}
		}
		switch h.Action {
		case "submit_online":
			st.Kind = "submitted"
		case ActionReceive:
			st.Kind = "received"
		case "guide":
			st.Kind = "guided"
		case ActionRequestSupplement:
			st.Kind = "supplement_requested"
			if h.FromStatus == 1 {
				st.Kind = "guided"
			}
		case ActionSupplementReceived:
			st.Kind = "supplement_received"
		case ActionRequestPayment:
			st.Kind = "payment_requested"
		case ActionPaymentReceived:
			st.Kind = "paid"
		case ActionRefuse:
			st.Kind = "refused"
			if h.ToStatus == 3 {
				st.Kind = "not_accepted"
			}
		case ActionStop:
			st.Kind = "stopped"
		case ActionWithdraw:
			st.Kind = "withdrawn"
		case ActionApologize:
			st.Kind = "apology"
			if s, ok := h.Detail["new_due"].(string); ok {
				if t, err := time.Parse(time.RFC3339, s); err == nil {
					st.NewDue = &t
				}
			}
		case ActionTake, ActionRelease:
			continue
		case "import":
			st.Kind = "imported"
		default:
			switch {
			case h.ToStatus == 10:
				st.Kind = "returned"
			case h.ToStatus == 9:
				st.Kind = "result_ready"
			case h.Action == "approve":
				st.Kind = "approved"
			case h.Action == "sign":
				st.Kind = "signed"
			case h.ToStatus == 4 && h.FromStatus == 4:
				st.Kind = "next_step"
			case h.ToStatus == 4:
				st.Kind = "processing"
			default:
				continue
			}
		}
		if h.Action == ActionReceive && h.FromStatus == 0 {
			st.Kind = "received"
		}
		v.Timeline = append(v.Timeline, st)
		if h.Action == ActionApologize {
			a := &Apology{At: h.At, Reasons: st.Reasons}
			if st.NewDue != nil {
				a.NewDue = *st.NewDue
			}
			v.Apology = a
		}
	}
	if v.Expect == ExpectSupplement {
		for i := len(hist) - 1; i >= 0; i-- {
			h := hist[i]
			if h.Action == ActionRequestSupplement || h.Action == "guide" {
				v.Supplement = &SupplementRequest{At: h.At, Reasons: toStrings(h.Detail["reasons"]), Missing: toStrings(h.Detail["missing"]), By: h.ActorName}
				break
			}
		}
		if v.Supplement == nil {
			v.Supplement = &SupplementRequest{}
		}
		if _, ver, err := e.procedureVersion(d.Procedure, d.ProcedureVersion); err == nil {
			provided := map[string]bool{}
			for _, c := range d.Components {
				provided[c.ID] = c.Provided
			}
			for _, c := range ver.Components {
				mb := c.MaxSizeMB
				if mb == 0 {
					mb = maxFileMB
				}
				v.Components = append(v.Components, MineComponent{ID: c.ID, Name: c.Name, Accept: Accept(c),
					Kinds: strings.ToUpper(strings.Join(accepted(c), ", ")), MaxMB: mb, Provided: provided[c.ID]})
			}
		}
	}
	return v, nil
}

// MineSupplement records the applicant's online answer to a request for
// papers: the files, each for a document of the procedure, are checked by
// content and size and stored, and the dossier goes back to where it was
// (the clock runs again) — the engine's supplement_received, by the
// applicant. All in one transaction.
func (e *Engine) MineSupplement(ctx context.Context, p *identity.Principal, idNumber, code string, uploads map[string][]Upload, note string) (*ActionResult, error) {
	if err := applicantOK(p, idNumber); err != nil {
		return nil, err
	}
	if !vntext.Valid(note) {
		return nil, errInvalidText("note")
	}
	note = vntext.NFC(strings.TrimSpace(note))
	if len([]rune(note)) > 1000 {
		return nil, apperr.Field("note", "note_too_long", "Lời nhắn quá dài (tối đa 1.000 ký tự).")
	}
	now := e.now()
	var res *ActionResult
	err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		d, err := loadByCode(ctx, tx, code)
		if errors.Is(err, errNotFound) || (err == nil && d.Applicant.IDNumber != idNumber) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.State != StateSupplementing && d.State != StateGuided {
			return apperr.New(apperr.Conflict, "no_supplement_requested", "Hồ sơ này hiện không cần bổ sung giấy tờ.")
		}
		_, ver, err := e.procedureVersion(d.Procedure, d.ProcedureVersion)
		if err != nil {
			return err
		}
		checked, err := checkUploads(ver, uploads)
		if err != nil {
			return err
		}
		n := 0
		var stmts []store.Stmt
		files := map[string]any{}
		for comp, fs := range checked {
			if len(fs) == 0 {
				continue
			}
			n += len(fs)
			files[comp] = len(fs)
			stmts = append(stmts, fileStmts(d.ID, comp, p.ID, fs, now)...)
			stmts = append(stmts, store.Stmt{SQL: `UPDATE dossier_components SET files = files + $1, provided = TRUE,
				source = CASE WHEN source = '' OR source = 'paper' THEN 'upload' ELSE source END WHERE dossier_id = $2 AND component_id = $3`, Args: []any{len(fs), d.ID, comp}})
		}
		if n == 0 {
			return apperr.Field("files", "no_file", "Chưa chọn tệp nào. Hãy chọn ít nhất một tệp giấy tờ cần bổ sung.")
		}
		if err := store.ExecAll(ctx, tx, e.db.Engine(), stmts...); err != nil {
			return err
		}
		res, err = e.actLoaded(ctx, tx, p, d, ActionRequest{Action: ActionSupplementReceived, Comment: note}, "", "", now)
		if err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Role: identity.RoleCitizen, Action: "dossier.supplement_online", ObjectType: "dossier",
			ObjectID: d.Code, Detail: map[string]any{"files": files}}); err != nil {
			return err
		}
		return e.refreshDigitized(ctx, tx, d.ID)
	})
	if err != nil {
		return nil, asAppErr(err, "supplement online")
	}
	e.decorate(res.Dossier, nil)
	return res, nil
}

// MineWithdraw withdraws the applicant's dossier at their request, with
// their reason, before it has a result (the engine's withdraw, by the
// applicant).
func (e *Engine) MineWithdraw(ctx context.Context, p *identity.Principal, idNumber, code, reason string) (*ActionResult, error) {
	if err := applicantOK(p, idNumber); err != nil {
		return nil, err
	}
	if !vntext.Valid(reason) {
		return nil, errInvalidText("reason")
	}
	reason = vntext.NFC(strings.TrimSpace(reason))
	if reason == "" {
		return nil, apperr.Field("reason", "reason_required", "Hãy cho biết lý do rút hồ sơ.")
	}
	if len([]rune(reason)) > 1000 {
		return nil, apperr.Field("reason", "reason_too_long", "Lý do quá dài (tối đa 1.000 ký tự).")
	}
	var res *ActionResult
	err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		d, err := loadByCode(ctx, tx, code)
		if errors.Is(err, errNotFound) || (err == nil && d.Applicant.IDNumber != idNumber) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if d.Status >= 7 {
			return apperr.New(apperr.Conflict, "cannot_withdraw", "Hồ sơ đã có kết quả hoặc đã kết thúc nên không rút được nữa.")
		}
		res, err = e.actLoaded(ctx, tx, p, d, ActionRequest{Action: ActionWithdraw, Reasons: []string{reason}}, "", "", time.Time{})
		return err
	})
	if err != nil {
		return nil, asAppErr(err, "withdraw online")
	}
	e.decorate(res.Dossier, nil)
	return res, nil
}

// MinePrint renders, for the applicant, one of the forms their dossier has:
// the receipt, the supplement guidance, the apology, the refusal or the
// stop notice, as a sealed PDF. Audited.
func (e *Engine) MinePrint(ctx context.Context, p *identity.Principal, idNumber, code string, kind forms.Kind) (*Printed, error) {
	if err := applicantOK(p, idNumber); err != nil {
		return nil, err
	}
	switch kind {
	case forms.Receipt, forms.Guidance, forms.Apology, forms.Refusal, forms.StopNotice:
	default:
		return nil, apperr.New(apperr.NotFound, "unknown_form", "Không có mẫu này.")
	}
	d, hist, err := e.loadMine(ctx, idNumber, code)
	if err != nil {
		return nil, err
	}
	data, err := e.formData(ctx, d, hist, kind)
	if err != nil {
		return nil, err
	}
	out, err := e.render(data, "pdf", d.Code+"-"+string(kind))
	if err != nil {
		return nil, err
	}
	if err := e.auditApplicant(ctx, p, "dossier.print", "dossier", d.Code, map[string]any{"form": kind, "by": "applicant"}); err != nil {
		return nil, err
	}
	return out, nil
}

// ErrNoElectronicResult is the answer for a dossier without one.
var ErrNoElectronicResult = apperr.New(apperr.NotFound, "no_electronic_result", "Hồ sơ này chưa có kết quả điện tử. Kết quả được trả tại Trung tâm hoặc theo hình thức đã đăng ký.")

// MineResult renders the electronic result of the applicant's dossier as a
// PDF sealed over the whole file, with a QR code whose signed facts /verify
// checks. Only the applicant gets it; the download is audited.
func (e *Engine) MineResult(ctx context.Context, p *identity.Principal, idNumber, code string) (*Printed, error) {
	if err := applicantOK(p, idNumber); err != nil {
		return nil, err
	}
	d, hist, err := e.loadMine(ctx, idNumber, code)
	if err != nil {
		return nil, err
	}
	if d.Result.ElectronicAt == nil || (d.Status != 9 && d.Status != 10) {
		return nil, ErrNoElectronicResult
	}
	data, err := e.resultData(ctx, d, hist)
	if err != nil {
		return nil, err
	}
	out, err := e.render(data, "pdf", d.Code+"-ket-qua")
	if err != nil {
		return nil, err
	}
	if err := e.auditApplicant(ctx, p, "dossier.result_download", "dossier", d.Code, map[string]any{"by": "applicant"}); err != nil {
		return nil, err
	}
	return out, nil
}

// resultText is the signed key facts of a result: "K1", the code, the
// procedure, the result's number, when it was issued, the applicant.
func resultText(d *Dossier) string {
	var at int64
	if d.Result.ElectronicAt != nil {
		at = d.Result.ElectronicAt.Unix() / 60
	}
	return strings.Join([]string{"K1", d.Code, d.Procedure, d.Result.Code, strconv.FormatInt(at, 10), d.Applicant.Name}, "|")
}

// ResultSeal is the signed key facts of a dossier's electronic result.
func (e *Engine) ResultSeal(d *Dossier) string { return e.keys.SealText(resultText(d)) }

func (e *Engine) resultData(ctx context.Context, d *Dossier, hist []HistoryEntry) (forms.Data, error) {
	at := *d.Result.ElectronicAt
	data := e.heading(ctx, d.Agency, forms.Result, at)
	seq := d.Code[strings.LastIndex(d.Code, "-")+1:]
	data.DocNumber = seq + "/KQ-TTPVHCC"
	data.Dossier = forms.DossierFacts{Code: d.Code, ProcedureName: d.ProcedureName, ProcedureCode: d.Procedure,
		Applicant: d.Applicant.Name, ApplicantID: d.Applicant.IDNumber, Address: d.Applicant.Address, Phone: d.Applicant.Phone, Email: d.Applicant.Email}
	data.ResultCode, data.ResultAt = d.Result.Code, at
	// The signer: whoever moved the dossier to "result ready".
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].ToStatus == 9 && hist[i].FromStatus != 9 {
			data.Signer, data.SignerTitle = hist[i].ActorName, e.titleOf(ctx, hist[i].ActorID)
			break
		}
	}
	data.Seal = e.ResultSeal(d)
	data.QRText = e.baseURL + "/verify?r=" + url.QueryEscape(data.Seal)
	host := strings.TrimPrefix(strings.TrimPrefix(e.baseURL, "https://"), "http://")
	data.QRCaption = fmt.Sprintf("Quét mã QR bằng điện thoại, hoặc tải tệp này lên trang %s/verify, để kiểm tra bản điện tử này do Trung tâm phát hành và chưa bị sửa.", host)
	return data, nil
}

// verifyResult checks the signed facts of a result against the dossier.
func (e *Engine) verifyResult(ctx context.Context, text string, f []string) (*Verification, error) {
	var d *Dossier
	err := e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		d, err = scanDossier(tx.QueryRowContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE code = $1", f[1]))
		return err
	})
	if errors.Is(err, errNotFound) {
		return &Verification{Genuine: false, Code: f[1], Reason: "Chữ ký đúng nhưng hệ thống không có hồ sơ với mã này."}, nil
	}
	if err != nil {
		return nil, apperr.Wrap(err, "verify")
	}
	v := &Verification{Kind: "result", Code: d.Code, Procedure: d.ProcedureName, Applicant: MaskName(d.Applicant.Name), ResultCode: d.Result.Code,
		ResultAt: d.Result.ElectronicAt, Status: StatusName(d.Status)}
	if resultText(d) != text {
		v.Reason = "Chữ ký đúng nhưng nội dung không khớp với kết quả của hồ sơ trong hệ thống."
		return v, nil
	}
	if d.Status != 9 && d.Status != 10 {
		v.Reason = "Kết quả này không còn hiệu lực trong hệ thống (hồ sơ đã " + strings.ToLower(StatusName(d.Status)) + ")."
		return v, nil
	}
	v.Genuine = true
	v.Reason = "Bản điện tử kết quả hợp lệ, do Trung tâm phát hành. Hãy so các thông tin dưới đây với tệp bạn có."
	return v, nil
}
