package dossier

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// ElectronicResultFile marks a result issued electronically by motcua
// itself (the sealed result document the citizen downloads and /verify
// checks) rather than a file uploaded from elsewhere.
const ElectronicResultFile = "motcua:ket-qua-dien-tu"

// ActionRequest asks for one action on a dossier.
type ActionRequest struct {
	Action  string   `json:"action"`
	Comment string   `json:"comment,omitempty"`
	Reasons []string `json:"reasons,omitempty"` // supplement, refusal, stop, withdrawal, apology
	// NewDue is the new date promised in an apology (RFC 3339, or a date
	// YYYY-MM-DD meaning the close of office hours that day).
	NewDue string `json:"new_due,omitempty"`
	// Amount of a financial obligation (request_payment); defaults to the fee.
	Amount int64 `json:"amount,omitempty"`
	// Online: the payment was made online (payment_received).
	Online bool `json:"online,omitempty"`
	// Result facts, when the result is issued or returned.
	ResultCode  string `json:"result_code,omitempty"`
	ResultFile  string `json:"result_file,omitempty"`  // the electronic result's file; ElectronicResultFile for the one motcua issues
	Method      string `json:"method,omitempty"`       // return: counter, post, online
	CollectedBy string `json:"collected_by,omitempty"` // return: who collected it
	// Verification: received with the longer time for verified cases.
	Verification bool `json:"verification,omitempty"`
	// Rev, when set, must equal the dossier's current revision.
	Rev int `json:"rev,omitempty"`
}

// ActionResult is the dossier after an action and the history row written.
type ActionResult struct {
	Dossier  *Dossier      `json:"dossier"`
	Entry    *HistoryEntry `json:"entry"`
	Replayed bool          `json:"replayed"`
}

// Act performs one action on the dossier with the given code. A transition
// the rules do not allow is refused with a clear error and changes nothing.
func (e *Engine) Act(ctx context.Context, p *identity.Principal, code string, req ActionRequest, idemKey string) (*ActionResult, error) {
	return e.act(ctx, p, code, req, idemKey, time.Time{})
}

// ActAt is Act at a given time, for the demo's year of history and tests.
func (e *Engine) ActAt(ctx context.Context, p *identity.Principal, code string, req ActionRequest, at time.Time) (*ActionResult, error) {
	return e.act(ctx, p, code, req, "", at)
}

func (e *Engine) act(ctx context.Context, p *identity.Principal, code string, req ActionRequest, idemKey string, at time.Time) (*ActionResult, error) {
	if p == nil {
		return nil, ErrForbidden
	}
	req.Action = strings.TrimSpace(req.Action)
	if req.Action == "" {
		return nil, apperr.Field("action", "action_required", "Chưa chọn thao tác.")
	}
	for field, v := range map[string]string{"comment": req.Comment, "new_due": req.NewDue, "result_code": req.ResultCode, "result_file": req.ResultFile,
		"method": req.Method, "collected_by": req.CollectedBy, "reasons": strings.Join(req.Reasons, "\n")} {
		if !vntext.Valid(v) {
			return nil, errInvalidText(field)
		}
	}
	req.Reasons = cleanReasons(req.Reasons)
	req.Comment = vntext.NFC(strings.TrimSpace(req.Comment))
	if len([]rune(req.Comment)) > 2000 {
		return nil, apperr.Field("comment", "comment_too_long", "Ý kiến quá dài (tối đa 2.000 ký tự).")
	}
	reqHash := ""
	if idemKey != "" {
		if len(idemKey) > 200 {
			return nil, apperr.Field("Idempotency-Key", "invalid_idempotency_key", "Khóa chống gửi trùng (Idempotency-Key) quá dài.")
		}
		b, _ := json.Marshal(req)
		sum := sha256.Sum256(append([]byte(code+"\n"), b...))
		reqHash = hex.EncodeToString(sum[:])
		idemKey = p.ID + ":" + idemKey
	}
	var res *ActionResult
	err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		res, err = e.actTx(ctx, tx, p, code, req, idemKey, reqHash, at)
		return err
	})
	if err != nil {
		return nil, asAppErr(err, "dossier action")
	}
	var hist []HistoryEntry
	if res.Entry != nil {
		hist = []HistoryEntry{*res.Entry}
	}
	e.decorate(res.Dossier, hist)
	if res.Entry != nil {
		res.Entry.ActionName = hist[0].ActionName
	}
	return res, nil
}

// actTx performs an action in the caller's transaction.
func (e *Engine) actTx(ctx context.Context, tx store.Tx, p *identity.Principal, code string, req ActionRequest, idemKey, reqHash string, at time.Time) (*ActionResult, error) {
	if idemKey != "" {
		var id, prevHash string
		if err := tx.QueryRowContext(ctx, "SELECT dossier_id, request FROM idempotency_keys WHERE key = $1", idemKey).Scan(&id, &prevHash); err == nil {
			if prevHash != reqHash {
				return nil, apperr.New(apperr.Conflict, "idempotency_key_reused", "Khóa chống gửi trùng này đã được dùng cho một thao tác khác.")
			}
			d, err := loadByCode(ctx, tx, code)
			if err != nil {
				return nil, err
			}
			return &ActionResult{Dossier: d, Replayed: true}, nil
		}
	}
	d, err := loadByCode(ctx, tx, code)
	if errors.Is(err, errNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if !canRead(p, d, e.involves(d)) {
		return nil, ErrNotFound
	}
	return e.actLoaded(ctx, tx, p, d, req, idemKey, reqHash, at)
}

// actLoaded performs an action on a dossier loaded in the caller's
// transaction, once the caller has checked the principal may see it.
func (e *Engine) actLoaded(ctx context.Context, tx store.Tx, p *identity.Principal, d *Dossier, req ActionRequest, idemKey, reqHash string, at time.Time) (*ActionResult, error) {
	if req.Rev != 0 && req.Rev != d.Rev {
		return nil, ErrConcurrent
	}
	now := at
	if now.IsZero() {
		now = e.now()
	}
	h, err := e.transition(d, p, &req, now)
	if err != nil {
		return nil, err
	}
	if err := updateDossier(ctx, tx, d, now); err != nil {
		if errors.Is(err, errConcurrent) {
			return nil, ErrConcurrent
		}
		return nil, err
	}
	hst, err := historyStmt(ctx, tx, d.ID, h)
	if err != nil {
		return nil, err
	}
	ast, err := audit.Stmt(ctx, tx, now, audit.Event{Actor: p.Actor(), Role: h.ActorRole, Action: "dossier." + h.Action, ObjectType: "dossier", ObjectID: d.Code,
		Detail: map[string]any{"from": h.From, "to": h.To, "status": d.Status}})
	if err != nil {
		return nil, err
	}
	if err := store.ExecAll(ctx, tx, e.db.Engine(), hst, ast); err != nil {
		return nil, fmt.Errorf("dossier: history of %s: %w", d.Code, err)
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
	return &ActionResult{Dossier: d, Entry: h}, nil
}

// open workflow states: received and being processed, not paused, not
// finished.
func processing(d *Dossier, wf *catalog.Workflow) (*catalog.State, bool) {
	if _, lifecycle := LifecycleStates[d.State]; lifecycle {
		return nil, false
	}
	s, ok := wf.State(d.State)
	if !ok || s.Terminal || s.Status >= 9 {
		return nil, false
	}
	return s, true
}

// transition applies an action to d in memory and returns the history row.
func (e *Engine) transition(d *Dossier, p *identity.Principal, req *ActionRequest, now time.Time) (*HistoryEntry, error) {
	wf, err := e.workflowOf(d)
	if err != nil {
		return nil, apperr.Wrap(err, "workflow")
	}
	_, ver, _ := e.procedureVersion(d.Procedure, d.ProcedureVersion)
	cur, _ := wf.State(d.State)
	from, fromStatus := d.State, d.Status
	h := &HistoryEntry{At: now, ActorID: p.ID, ActorName: p.Name, Action: req.Action, From: from, FromStatus: fromStatus, Comment: req.Comment, Detail: map[string]any{}}
	need := func(roles ...string) error {
		r, ok := roleFor(p, roles)
		if !ok {
			return ErrForbidden
		}
		h.ActorRole = r
		return nil
	}
	ownsOrFree := func() error {
		if d.AssigneeID != "" && d.AssigneeID != p.ID {
			return &apperr.Error{Kind: apperr.Conflict, Code: "assigned_to_other",
				Message: fmt.Sprintf("Hồ sơ đang do %s xử lý.", d.AssigneeName)}
		}
		return nil
	}
	leave := func() {
		h.StepDueAt = d.StepDueAt
		h.Outcome = stepOutcome(d.StepDueAt, now)
	}
	requireReasons := func(what string) error {
		if len(req.Reasons) == 0 {
			return apperr.Field("reasons", "reasons_required", "Phải ghi rõ "+what+".")
		}
		h.Detail["reasons"] = req.Reasons
		return nil
	}
	stateRoles := func() []string {
		if cur != nil {
			return cur.Roles
		}
		return nil
	}

	switch req.Action {
	case ActionTake:
		s, ok := wf.State(d.State)
		if !ok || s.Terminal || len(s.Roles) == 0 {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(s.Roles...); err != nil {
			return nil, err
		}
		if d.AssigneeID == p.ID {
			return nil, apperr.New(apperr.Conflict, "already_yours", "Hồ sơ này đã ở trong hộp việc của bạn.")
		}
		if err := ownsOrFree(); err != nil {
			return nil, err
		}
		d.AssigneeID, d.AssigneeName = p.ID, p.Name
		h.To, h.ToStatus = d.State, d.Status
		return h, nil

	case ActionRelease:
		if d.AssigneeID == "" {
			return nil, apperr.New(apperr.Conflict, "not_assigned", "Hồ sơ chưa được ai nhận xử lý.")
		}
		if d.AssigneeID != p.ID {
			if err := need(identity.RoleLeader); err != nil {
				return nil, err
			}
		} else if err := need(stateRoles()...); err != nil {
			return nil, err
		}
		h.Detail["released"] = d.AssigneeName
		d.AssigneeID, d.AssigneeName = "", ""
		h.To, h.ToStatus = d.State, d.Status
		return h, nil

	case ActionReceive:
		if d.State != StateNew && d.State != StateGuided {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(identity.RoleCounter); err != nil {
			return nil, err
		}
		if err := e.startProcessing(d, ver, now, req.Verification); err != nil {
			return nil, err
		}
		h.Detail["form"] = "01"

	case ActionRequestSupplement:
		if d.State == StateNew {
			if err := need(identity.RoleCounter); err != nil {
				return nil, err
			}
			if err := requireReasons("những nội dung cần bổ sung, hoàn thiện"); err != nil {
				return nil, err
			}
			d.State, d.Status = StateGuided, 1
			h.Detail["form"] = "02"
			break
		}
		s, ok := processing(d, wf)
		if !ok {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(append(slices.Clone(s.Roles), identity.RoleCounter, identity.RoleLeader)...); err != nil {
			return nil, err
		}
		if err := ownsOrFree(); err != nil {
			return nil, err
		}
		if err := requireReasons("những giấy tờ, nội dung cần bổ sung"); err != nil {
			return nil, err
		}
		leave()
		d.SupplementCount++
		agency := string(s.Agency)
		if agency == "" {
			agency = string(ver.AgencyKind)
		}
		h.Detail["request"] = d.SupplementCount
		h.Detail["agency"] = agency
		h.Detail["form"] = "02"
		if slices.Contains(d.SupplementBy, agency) {
			// The rules allow each agency one request: allowed, but flagged.
			h.Detail["repeated"] = true
		} else {
			d.SupplementBy = append(slices.Clone(d.SupplementBy), agency)
		}
		if d.SupplementCount > 1 {
			// The Decision 766 index counts a dossier with more than one
			// supplement request as late.
			d.CountsLate = true
		}
		d.ResumeState, d.PausedAt = d.State, &now
		d.State, d.Status = StateSupplementing, 5
		d.AssigneeID, d.AssigneeName = "", ""

	case ActionSupplementReceived:
		switch d.State {
		case StateGuided:
			if err := need(identity.RoleCounter, identity.RoleCitizen); err != nil {
				return nil, err
			}
			d.State, d.Status = StateNew, 1
		case StateSupplementing:
			resume, _ := wf.State(d.ResumeState)
			// The applicant may answer online (applicant.go checks it is theirs).
			roles := []string{identity.RoleCounter, identity.RoleCitizen}
			if resume != nil {
				roles = append(roles, resume.Roles...)
			}
			if err := need(roles...); err != nil {
				return nil, err
			}
			e.resume(d, wf, now, h)
		default:
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}

	case ActionRefuse:
		switch {
		case d.State == StateNew || d.State == StateGuided:
			if err := need(identity.RoleCounter); err != nil {
				return nil, err
			}
			if err := requireReasons("lý do từ chối tiếp nhận"); err != nil {
				return nil, err
			}
			d.State, d.Status = StateNotAccepted, 3
		default:
			if _, ok := processing(d, wf); !ok && d.State != StateSupplementing && d.State != StateAwaitingPayment {
				return nil, invalidState(req.Action, stateName(wf, d.State))
			}
			if err := need(identity.RoleLeader); err != nil {
				return nil, err
			}
			if err := requireReasons("lý do từ chối giải quyết"); err != nil {
				return nil, err
			}
			leave()
			e.unpause(d, now, h)
			d.State, d.Status = StateRefused, 8
		}
		h.Detail["form"] = "03"
		d.FinishedAt = &now
		d.StepDueAt, d.AssigneeID, d.AssigneeName = nil, "", ""

	case ActionRequestPayment:
		s, ok := processing(d, wf)
		if !ok {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(append(slices.Clone(s.Roles), identity.RoleCounter)...); err != nil {
			return nil, err
		}
		amount := req.Amount
		if amount == 0 {
			amount = d.Fee
		}
		if amount <= 0 || amount > 1_000_000_000_000 {
			return nil, apperr.Field("amount", "invalid_amount", "Số tiền phải lớn hơn 0.")
		}
		leave()
		d.Fee = amount
		h.Detail["amount"] = amount
		d.ResumeState, d.PausedAt = d.State, &now
		d.State, d.Status = StateAwaitingPayment, 6
		d.AssigneeID, d.AssigneeName = "", ""

	case ActionPaymentReceived:
		if d.State != StateAwaitingPayment {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(identity.RoleCounter); err != nil {
			return nil, err
		}
		d.PaidAt, d.PaidOnline = &now, req.Online
		h.Detail["online"] = req.Online
		h.Detail["amount"] = d.Fee
		e.resume(d, wf, now, h)

	case ActionStop:
		if _, ok := processing(d, wf); !ok && d.State != StateSupplementing && d.State != StateAwaitingPayment {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(identity.RoleLeader); err != nil {
			return nil, err
		}
		if err := requireReasons("lý do dừng giải quyết hồ sơ"); err != nil {
			return nil, err
		}
		leave()
		e.unpause(d, now, h)
		d.State, d.Status = StateStopped, 8
		d.FinishedAt = &now
		d.StepDueAt, d.AssigneeID, d.AssigneeName = nil, "", ""
		h.Detail["form"] = "05"

	case ActionWithdraw:
		_, proc := processing(d, wf)
		if !proc && d.State != StateNew && d.State != StateGuided && d.State != StateSupplementing && d.State != StateAwaitingPayment {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		// The counter records a withdrawal asked for in person; the
		// applicant may withdraw their own online (applicant.go).
		if err := need(identity.RoleCounter, identity.RoleCitizen); err != nil {
			return nil, err
		}
		if proc {
			leave()
		}
		e.unpause(d, now, h)
		d.State, d.Status = StateWithdrawn, 7
		d.FinishedAt = &now
		d.StepDueAt, d.AssigneeID, d.AssigneeName = nil, "", ""
		if len(req.Reasons) > 0 {
			h.Detail["reasons"] = req.Reasons
		}

	case ActionApologize:
		if d.DueAt == nil || d.FinishedAt != nil || d.Terminal() {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(identity.RoleLeader); err != nil {
			return nil, err
		}
		if d.ApologizedAt != nil {
			return nil, apperr.New(apperr.Conflict, "apology_already_sent", "Hồ sơ này đã có văn bản xin lỗi và hẹn lại ngày trả; chỉ được hẹn lại một lần.")
		}
		if err := requireReasons("lý do chậm trễ"); err != nil {
			return nil, err
		}
		newDue, err := e.parseNewDue(req.NewDue)
		if err != nil {
			return nil, err
		}
		if !newDue.After(*d.DueAt) {
			return nil, apperr.Field("new_due", "new_due_not_later", "Ngày hẹn mới phải sau ngày hẹn trả hiện tại.")
		}
		// The rule: at least one working day before the deadline.
		inTime := e.Calendar().WorkingMinutesBetween(now, *d.DueAt) >= e.workingDayMinutes()
		h.Detail["previous_due"] = d.DueAt.Format(time.RFC3339)
		h.Detail["new_due"] = newDue.Format(time.RFC3339)
		h.Detail["in_time"] = inTime
		h.Detail["form"] = "04"
		d.ApologizedAt = &now
		d.DueAt = &newDue
		if d.StepDueAt != nil && d.StepDueAt.After(newDue) {
			d.StepDueAt = &newDue
		}
		d.DueSoonAt, d.OverdueAt = nil, nil
		h.To, h.ToStatus = d.State, d.Status
		return h, nil

	default:
		// complete and return_result are the national names of the
		// workflow's steps into "processed" (9) and "returned" (10).
		a, err := e.workflowAction(wf, d, req.Action)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(a.From, d.State) {
			return nil, invalidState(req.Action, stateName(wf, d.State))
		}
		if err := need(a.Roles...); err != nil {
			return nil, err
		}
		if err := ownsOrFree(); err != nil {
			return nil, err
		}
		to, ok := wf.State(a.To)
		if !ok {
			return nil, apperr.Wrap(fmt.Errorf("workflow %s: no state %s", wf.ID, a.To), "transition")
		}
		h.Action = a.ID
		leave()
		if to.Status == 9 && d.FinishedAt == nil {
			d.FinishedAt = &now
			if req.ResultCode != "" {
				d.Result.Code = vntext.NFC(strings.TrimSpace(req.ResultCode))
			}
			if req.ResultFile != "" {
				d.Result.FileURL = strings.TrimSpace(req.ResultFile)
				d.Result.ElectronicAt = &now
			}
		}
		if to.Status == 10 {
			method := req.Method
			if method == "" {
				method = "counter"
				if d.Channel == catalog.ChannelOnline && d.Result.FileURL != "" {
					method = "online"
				}
			}
			if method != "counter" && method != "post" && method != "online" {
				return nil, apperr.Field("method", "invalid_return_method", "Hình thức trả kết quả phải là counter (tại quầy), post (bưu chính) hoặc online (trực tuyến).")
			}
			collected := vntext.NFC(strings.TrimSpace(req.CollectedBy))
			if method == "counter" && collected == "" {
				return nil, apperr.Field("collected_by", "collected_by_required", "Ghi họ tên người nhận kết quả tại quầy.")
			}
			d.Result.Method, d.Result.CollectedBy = method, collected
			d.ReturnedAt = &now
			if d.FinishedAt == nil {
				d.FinishedAt = &now
			}
			h.Detail["method"] = method
			if collected != "" {
				h.Detail["collected_by"] = collected
			}
		}
		d.State, d.Status = to.ID, to.Status
		e.enterStep(d, to, now)
		if to.Terminal {
			d.StepStartedAt = nil
		}
	}
	if h.ActorRole == "" && len(p.Roles) > 0 {
		h.ActorRole = p.Roles[0]
	}
	syncRoles(d, wf)
	h.To, h.ToStatus = d.State, d.Status
	if len(h.Detail) == 0 {
		h.Detail = nil
	}
	return h, nil
}

// workflowAction resolves an action name to the workflow's action:
// "complete" is the step into status 9 and "return_result" into status 10.
func (e *Engine) workflowAction(wf *catalog.Workflow, d *Dossier, name string) (*catalog.Action, error) {
	if name == ActionComplete || name == ActionReturnResult {
		want := 9
		if name == ActionReturnResult {
			want = 10
		}
		for _, a := range wf.ActionsFrom(d.State) {
			if to, ok := wf.State(a.To); ok && to.Status == want {
				return &a, nil
			}
		}
		return nil, invalidState(name, stateName(wf, d.State))
	}
	a, ok := wf.Action(name)
	if !ok {
		return nil, &apperr.Error{Kind: apperr.Invalid, Code: "unknown_action", Field: "action",
			Message: fmt.Sprintf("Thủ tục này không có thao tác “%s”.", name)}
	}
	return a, nil
}

// resume ends a pause (supplement, payment): the dossier goes back to where
// it was, and its due date and step deadline move by the working time it
// waited, so that the citizen's time is not counted against the agency.
func (e *Engine) resume(d *Dossier, wf *catalog.Workflow, now time.Time, h *HistoryEntry) {
	e.unpause(d, now, h)
	s, ok := wf.State(d.ResumeState)
	if !ok {
		s = wf.StartState()
	}
	d.State, d.Status = s.ID, s.Status
	d.ResumeState = ""
	d.StepStartedAt = &now
}

// unpause adds the waited working time to the dossier's clock.
func (e *Engine) unpause(d *Dossier, now time.Time, h *HistoryEntry) {
	if d.PausedAt == nil {
		return
	}
	cal := e.Calendar()
	waited := cal.WorkingMinutesBetween(*d.PausedAt, now)
	d.PausedMinutes += waited
	h.Detail["waited_minutes"] = waited
	if d.DueAt != nil && waited > 0 {
		due := cal.ShiftWorkingMinutes(*d.DueAt, waited)
		d.DueAt = &due
		h.Detail["new_due"] = due.Format(time.RFC3339)
		d.DueSoonAt, d.OverdueAt = nil, nil
	}
	if d.StepDueAt != nil && waited > 0 {
		step := cal.ShiftWorkingMinutes(*d.StepDueAt, waited)
		d.StepDueAt = &step
	}
	d.PausedAt = nil
}

// workingDayMinutes is the length of one working day.
func (e *Engine) workingDayMinutes() int {
	n := 0
	for _, p := range e.Calendar().Config().Office {
		n += int(p.End - p.Start)
	}
	return n
}

func (e *Engine) parseNewDue(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, calendar.Location); err == nil {
		close := e.Calendar().Config().Office[len(e.Calendar().Config().Office)-1].End
		return t.Add(time.Duration(close) * time.Minute), nil
	}
	return time.Time{}, apperr.Field("new_due", "invalid_new_due", "Ngày hẹn mới phải có dạng NNNN-TT-NN hoặc RFC 3339.")
}

// stepOutcome judges a step left at now against its deadline: late after
// the deadline, on time on the deadline's day, early before it.
func stepOutcome(stepDue *time.Time, now time.Time) string {
	if stepDue == nil {
		return ""
	}
	if now.After(*stepDue) {
		return OutcomeLate
	}
	if now.In(calendar.Location).Format(time.DateOnly) == stepDue.In(calendar.Location).Format(time.DateOnly) {
		return OutcomeOnTime
	}
	return OutcomeEarly
}

// syncRoles sets who has the dossier in their inbox: the roles of its
// workflow state, the desk for submissions waiting to be checked, nobody
// while the citizen has it or once it has ended.
func syncRoles(d *Dossier, wf *catalog.Workflow) {
	switch d.State {
	case StateNew, StateGuided:
		d.StepRoles = []string{identity.RoleCounter}
		return
	}
	if s, ok := wf.State(d.State); ok && !s.Terminal {
		d.StepRoles = s.Roles
		return
	}
	d.StepRoles = nil
}
