package dossier

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/seal"
	"github.com/motcua/motcua/internal/store"
)

// Engine runs the dossier lifecycle.
type Engine struct {
	db      *store.DB
	cal     *calendar.Service
	cat     *catalog.Service
	org     *org.Service
	keys    *seal.Keyring
	log     *slog.Logger
	now     func() time.Time
	baseURL string
	// numbering of the forms printed (Circular 03/2025 unless configured).
	numbering forms.Numbering
	// observers are told of every dossier written (the scorecard's facts).
	observers []Observer
}

// Observer is told of a dossier just written, inside the writing
// transaction, with the history row written (nil for a change without
// one, such as scans added); its error rolls the write back.
type Observer func(ctx context.Context, tx store.Tx, d *Dossier, h *HistoryEntry) error

// Observe registers an observer. Call it before the engine is used.
func (e *Engine) Observe(o Observer) { e.observers = append(e.observers, o) }

func (e *Engine) observed(ctx context.Context, tx store.Tx, d *Dossier, h *HistoryEntry) error {
	for _, o := range e.observers {
		if err := o(ctx, tx, d, h); err != nil {
			return err
		}
	}
	return nil
}

// Config wires an engine.
type Config struct {
	DB       *store.DB
	Calendar *calendar.Service
	Catalog  *catalog.Service
	Org      *org.Service
	Keys     *seal.Keyring
	Log      *slog.Logger
	Now      func() time.Time
	// BaseURL is the public address printed in receipts' QR codes.
	BaseURL string
}

// New returns an engine.
func New(c Config) *Engine {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	return &Engine{db: c.DB, cal: c.Calendar, cat: c.Catalog, org: c.Org, keys: c.Keys, log: c.Log, now: c.Now, baseURL: strings.TrimRight(c.BaseURL, "/")}
}

// Keys is the keyring that seals receipts.
func (e *Engine) Keys() *seal.Keyring { return e.keys }

// Calendar is the working calendar the engine computes dates with.
func (e *Engine) Calendar() *calendar.Calendar { return e.cal.Calendar() }

// Errors the engine returns. Codes are stable; messages are for people.
var (
	ErrNotFound   = apperr.New(apperr.NotFound, "dossier_not_found", "Không tìm thấy hồ sơ với mã này.")
	ErrForbidden  = apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không có quyền thực hiện thao tác này với hồ sơ này.")
	ErrConcurrent = apperr.New(apperr.Conflict, "dossier_changed", "Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại và thử lại.")
)

func invalidState(action, state string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Conflict, Code: "action_not_allowed",
		Message: fmt.Sprintf("Không thể thực hiện thao tác “%s” khi hồ sơ đang ở trạng thái “%s”.", actionName(action), state)}
}

// newID returns a random identifier.
func newID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// lookupAlphabet has no 0/O, 1/I/L: the key is read off paper and typed.
const lookupAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

func newLookupKey() string {
	b := make([]byte, 8)
	rand.Read(b)
	out := make([]byte, 8)
	for i, x := range b {
		out[i] = lookupAlphabet[int(x)%len(lookupAlphabet)]
	}
	return string(out)
}

// nextCode allocates the dossier code {agency}-{yyMMdd}-{sequence} in the
// caller's transaction. Writes are serialised (one writer, and a cluster-wide
// lock on PostgreSQL), and a rolled-back transaction returns its number, so
// the daily sequence has no gaps.
func nextCode(ctx context.Context, tx store.Tx, agency string, at time.Time) (string, error) {
	day := at.In(calendar.Location).Format("060102")
	key := seqKey{agency, day}
	var n int
	if v, ok := store.BatchValue(tx, key); ok {
		n = v.(int) + 1
	} else {
		err := tx.QueryRowContext(ctx, "SELECT last FROM dossier_sequences WHERE agency_code = $1 AND day = $2", agency, day).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("dossier: sequence: %w", err)
		}
		n++
	}
	store.SetBatchValue(tx, key, n)
	save := func(ctx context.Context, tx store.Tx) error {
		v, ok := store.BatchValue(tx, key)
		if !ok {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dossier_sequences (agency_code, day, last) VALUES ($1, $2, $3)
			ON CONFLICT (agency_code, day) DO UPDATE SET last = excluded.last`, agency, day, v.(int))
		if err != nil {
			return fmt.Errorf("dossier: sequence: %w", err)
		}
		return nil
	}
	if !store.BeforeCommit(tx, key, save) {
		if err := save(ctx, tx); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%s-%s-%04d", agency, day, n), nil
}

// seqKey names a day's sequence in a write batch.
type seqKey struct{ agency, day string }

// procedureVersion finds the procedure and the version a dossier follows.
func (e *Engine) procedureVersion(code string, version int) (*catalog.Procedure, *catalog.Version, error) {
	p, ok := e.cat.Catalog().Get(code)
	if !ok {
		return nil, nil, fmt.Errorf("dossier: procedure %s is no longer in the catalogue", code)
	}
	v, ok := p.Version(version)
	if !ok {
		return nil, nil, fmt.Errorf("dossier: procedure %s has no version %d", code, version)
	}
	return p, v, nil
}

// workflowOf is the workflow a dossier follows.
func (e *Engine) workflowOf(d *Dossier) (*catalog.Workflow, error) {
	_, v, err := e.procedureVersion(d.Procedure, d.ProcedureVersion)
	if err != nil {
		return nil, err
	}
	if v.WorkflowDef == nil {
		return nil, fmt.Errorf("dossier: %s v%d has no workflow", d.Procedure, d.ProcedureVersion)
	}
	return v.WorkflowDef, nil
}

// stateName is a state's Vietnamese name.
func stateName(wf *catalog.Workflow, state string) string {
	switch state {
	case StateNew:
		return "Chờ tiếp nhận"
	case StateGuided:
		return "Đã hướng dẫn bổ sung, hoàn thiện"
	case StateNotAccepted:
		return "Không được tiếp nhận"
	case StateSupplementing:
		return "Chờ công dân bổ sung"
	case StateAwaitingPayment:
		return "Chờ thực hiện nghĩa vụ tài chính"
	case StateWithdrawn:
		return "Đã rút hồ sơ"
	case StateStopped:
		return "Dừng xử lý"
	case StateRefused:
		return "Từ chối giải quyết"
	}
	if wf != nil {
		if s, ok := wf.State(state); ok {
			return s.Name
		}
	}
	return state
}

// actionName is an action's Vietnamese name for messages and the slip.
func actionName(action string) string {
	switch action {
	case ActionReceive:
		return "Tiếp nhận hồ sơ"
	case ActionRequestSupplement:
		return "Yêu cầu bổ sung, hoàn thiện hồ sơ"
	case ActionSupplementReceived:
		return "Nhận hồ sơ bổ sung"
	case ActionRefuse:
		return "Từ chối"
	case ActionRequestPayment:
		return "Yêu cầu thực hiện nghĩa vụ tài chính"
	case ActionPaymentReceived:
		return "Đã thực hiện nghĩa vụ tài chính"
	case ActionStop:
		return "Dừng giải quyết"
	case ActionWithdraw:
		return "Rút hồ sơ theo yêu cầu"
	case ActionApologize:
		return "Xin lỗi và hẹn lại ngày trả kết quả"
	case ActionComplete:
		return "Hoàn thành xử lý"
	case ActionReturnResult:
		return "Trả kết quả"
	case ActionTake:
		return "Nhận xử lý"
	case ActionRelease:
		return "Trả lại hộp việc chung"
	case "submit_online":
		return "Nộp hồ sơ trực tuyến"
	case "guide":
		return "Hướng dẫn bổ sung, hoàn thiện (mẫu 02)"
	case "import":
		return "Nhập từ hệ thống cũ"
	}
	return action
}

// roleFor picks the role a principal acts in: the first of the allowed roles
// it holds.
func roleFor(p *identity.Principal, allowed []string) (string, bool) {
	for _, r := range allowed {
		if p.Has(r) {
			return r, true
		}
	}
	return "", false
}

// canRead reports whether a principal may read a dossier of agency: staff
// of that agency, of a province above it, departments below it, and partner
// agencies of the same province (commune police, social insurance) for
// procedures that involve them.
func canRead(p *identity.Principal, d *Dossier, involves func(catalog.AgencyKind) bool) bool {
	if p == nil {
		return false
	}
	if p.Has(identity.RoleCitizen) && !hasStaffRole(p) {
		// A citizen sees only their own dossiers, through applicant.go.
		return false
	}
	if p.Agency == "" || p.Agency == d.Agency || strings.HasPrefix(d.Agency, p.Agency+".") {
		return true
	}
	province := func(a string) string { return strings.SplitN(a, ".", 2)[0] }
	switch {
	case p.Has(identity.RolePolice) && province(p.Agency) == province(d.Agency):
		return involves(catalog.AgencyPolice)
	case p.Has(identity.RoleSocialInsurance) && province(p.Agency) == province(d.Agency):
		return involves(catalog.AgencySocialInsurance)
	}
	return strings.HasPrefix(p.Agency, d.Agency+".") // departments of the commune (its economic office)
}

// involves reports whether the dossier's procedure involves an agency kind.
func (e *Engine) involves(d *Dossier) func(catalog.AgencyKind) bool {
	return func(k catalog.AgencyKind) bool {
		_, v, err := e.procedureVersion(d.Procedure, d.ProcedureVersion)
		if err != nil {
			return false
		}
		if v.AgencyKind == k {
			return true
		}
		if v.WorkflowDef != nil {
			for _, s := range v.WorkflowDef.States {
				if s.Agency == k {
					return true
				}
			}
		}
		return false
	}
}

// Get returns a dossier with its history, for staff; the read of the
// citizen's data is audited.
func (e *Engine) Get(ctx context.Context, p *identity.Principal, code string) (*Dossier, []HistoryEntry, error) {
	var d *Dossier
	var hist []HistoryEntry
	err := e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		d, err = loadByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		hist, err = loadHistory(ctx, tx, d.ID)
		return err
	})
	if errors.Is(err, errNotFound) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, apperr.Wrap(err, "get dossier")
	}
	if !canRead(p, d, e.involves(d)) {
		return nil, nil, ErrNotFound // do not reveal that the code exists
	}
	e.decorate(d, hist)
	if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, e.now(), audit.Event{Actor: p.Actor(), Action: "dossier.read", ObjectType: "dossier", ObjectID: d.Code,
			Detail: map[string]any{"applicant_id": maskID(d.Applicant.IDNumber)}})
	}); err != nil {
		return nil, nil, apperr.Wrap(err, "audit read")
	}
	return d, hist, nil
}

// GetMany is Get for a list of dossiers (a leader's desk): one read
// transaction and one audit commit for all of them. A dossier the principal
// may not read, or that does not exist, is nil with ErrNotFound in errs.
func (e *Engine) GetMany(ctx context.Context, p *identity.Principal, codes []string) ([]*Dossier, [][]HistoryEntry, []error, error) {
	ds := make([]*Dossier, len(codes))
	hs := make([][]HistoryEntry, len(codes))
	errs := make([]error, len(codes))
	err := e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		byCode, hist, err := loadMany(ctx, tx, codes)
		if err != nil {
			return err
		}
		for i, code := range codes {
			d := byCode[code]
			if d == nil || !canRead(p, d, e.involves(d)) {
				errs[i] = ErrNotFound
				continue
			}
			ds[i], hs[i] = d, hist[d.ID] // a code listed twice shares one dossier
		}
		return nil
	})
	if err != nil {
		return nil, nil, nil, apperr.Wrap(err, "get dossiers")
	}
	at := e.now()
	for i, d := range ds {
		if d != nil && (i == 0 || !slices.Contains(ds[:i], d)) {
			e.decorate(d, hs[i])
		}
	}
	if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		seen := map[*Dossier]bool{} // here: a write may be run again
		for _, d := range ds {
			if d == nil || seen[d] {
				continue
			}
			seen[d] = true
			if err := audit.Append(ctx, tx, at, audit.Event{Actor: p.Actor(), Action: "dossier.read", ObjectType: "dossier", ObjectID: d.Code,
				Detail: map[string]any{"applicant_id": maskID(d.Applicant.IDNumber)}}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, nil, nil, apperr.Wrap(err, "audit read")
	}
	return ds, hs, errs, nil
}

// decorate fills the names shown with a dossier.
func (e *Engine) decorate(d *Dossier, hist []HistoryEntry) {
	wf, _ := e.workflowOf(d)
	d.StateName = stateName(wf, d.State)
	d.StatusName = StatusName(d.Status)
	d.SubmittedAt = d.SubmittedAt.UTC()
	// Times go out in UTC whether they were just computed (Vietnam time)
	// or read back from the database.
	for _, t := range []**time.Time{&d.ReceivedAt, &d.DueAt, &d.OriginalDueAt, &d.TransferredAt, &d.StepStartedAt, &d.StepDueAt,
		&d.FinishedAt, &d.ReturnedAt, &d.ApologizedAt, &d.DueSoonAt, &d.OverdueAt, &d.PausedAt, &d.PaidAt, &d.Result.ElectronicAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
	for i := range hist {
		hist[i].At = hist[i].At.UTC()
		if hist[i].StepDueAt != nil {
			u := hist[i].StepDueAt.UTC()
			hist[i].StepDueAt = &u
		}
	}
	for i := range hist {
		name := actionName(hist[i].Action)
		if wf != nil {
			if a, ok := wf.Action(hist[i].Action); ok {
				name = a.Name
			}
		}
		hist[i].ActionName = name
	}
}

// maskID keeps the first three and last three digits of an ID number, for
// logs and audit details.
func maskID(id string) string {
	if len(id) <= 6 {
		return strings.Repeat("*", len(id))
	}
	return id[:3] + strings.Repeat("*", len(id)-6) + id[len(id)-3:]
}

// Batch runs many operations in one transaction, for bulk work that must
// be fast and all-or-nothing: the demo's year of history, imports. Each
// operation carries its own time.
type Batch struct {
	e   *Engine
	ctx context.Context
	tx  store.Tx
}

// Batch runs fn in one write transaction; fn's error rolls everything back.
func (e *Engine) Batch(ctx context.Context, fn func(b *Batch) error) error {
	return e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return fn(&Batch{e: e, ctx: ctx, tx: tx})
	})
}

// Submit is Engine.SubmitAt inside the batch.
func (b *Batch) Submit(p *identity.Principal, req SubmitRequest, at time.Time) (*SubmitResult, error) {
	pr, err := b.e.prepare(b.ctx, p, &req, at)
	if err != nil {
		return nil, err
	}
	return b.e.submitTx(b.ctx, b.tx, p, pr, "", "", at)
}

// Act is Engine.ActAt inside the batch.
func (b *Batch) Act(p *identity.Principal, code string, req ActionRequest, at time.Time) (*ActionResult, error) {
	req.Reasons = cleanReasons(req.Reasons)
	return b.e.actTx(b.ctx, b.tx, p, code, req, "", "", at)
}

// Tx is the batch's transaction, for callers that write beside the engine.
func (b *Batch) Tx() store.Tx { return b.tx }
