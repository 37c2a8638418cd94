package dossier

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Filter selects dossiers for lists, inboxes and the register.
type Filter struct {
	Agency    string    // receiving agency (defaults to the principal's)
	From, To  time.Time // submitted in [From, To)
	Procedure string
	Status    []int
	Channel   string
	State     string
	// Inbox: "role" lists what the principal's roles can act on now and
	// nobody has taken; "mine" what the principal has taken.
	Inbox   string
	Urgency string // on_time, due_soon, overdue
	Q       string // code, or the start of the applicant's name
	Limit   int
	Offset  int
	// Sort: "due" (soonest first, the inbox order) or "received" (register order).
	Sort string
}

// Summary is a dossier as listed.
type Summary struct {
	Code          string     `json:"code"`
	Procedure     string     `json:"procedure"`
	ProcedureName string     `json:"procedure_name"`
	Applicant     string     `json:"applicant"`
	ApplicantInfo string     `json:"applicant_info,omitempty"` // address and phone, for the register
	Channel       string     `json:"channel"`
	State         string     `json:"state"`
	StateName     string     `json:"state_name"`
	Status        int        `json:"status"`
	StatusName    string     `json:"status_name"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	ReceivedAt    *time.Time `json:"received_at,omitempty"`
	DueAt         *time.Time `json:"due_at,omitempty"`
	StepDueAt     *time.Time `json:"step_due_at,omitempty"`
	TransferredAt *time.Time `json:"transferred_at,omitempty"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	ReturnedAt    *time.Time `json:"returned_at,omitempty"`
	AssigneeName  string     `json:"assignee_name,omitempty"`
	// Urgency: on_time, due_soon or overdue for dossiers still running; ""
	// for others.
	Urgency    string `json:"urgency,omitempty"`
	CountsLate bool   `json:"counts_late"`
}

// Urgencies.
const (
	UrgencyOnTime  = "on_time"
	UrgencyDueSoon = "due_soon"
	UrgencyOverdue = "overdue"
)

// List returns dossiers matching the filter that the principal may see,
// and the total number matching. The access is audited.
func (e *Engine) List(ctx context.Context, p *identity.Principal, f Filter) ([]Summary, int, error) {
	if p == nil || !p.HasAny(identity.StaffRoles...) {
		return nil, 0, ErrForbidden
	}
	f = e.inboxScope(ctx, p, f)
	cond, args, err := e.where(p, f)
	if err != nil {
		return nil, 0, err
	}
	if cond == "-" {
		return []Summary{}, 0, nil
	}
	agency := f.Agency
	if agency == "" {
		agency = p.Agency
	}
	now := e.now()
	order := " ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, code"
	switch f.Sort {
	case "received":
		order = " ORDER BY submitted_at, code"
	case "newest":
		order = " ORDER BY submitted_at DESC, code DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		limit = 1000
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	var total int
	if err := e.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM dossiers"+cond, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err, "count dossiers")
	}
	rows, err := e.db.Read().QueryContext(ctx, "SELECT "+dossierCols+" FROM dossiers"+cond+order+fmt.Sprintf(" LIMIT %d OFFSET %d", limit, f.Offset), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err, "list dossiers")
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		d, err := scanDossier(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err, "list dossiers")
		}
		out = append(out, e.summary(d, now))
	}
	if err := rows.Err(); err != nil {
		return nil, 0, apperr.Wrap(err, "list dossiers")
	}
	if len(out) > 0 {
		fb, _ := json.Marshal(f)
		if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "dossier.list", ObjectType: "dossier_list", ObjectID: agency,
				Detail: map[string]any{"filter": json.RawMessage(fb), "rows": len(out)}})
		}); err != nil {
			return nil, 0, apperr.Wrap(err, "audit list")
		}
	}
	return out, total, nil
}

// FillSearchKeys folds the applicant names of dossiers written before the
// search key existed (migration 0004), a thousand at a time; it returns how
// many it filled. New dossiers get their key when received.
func (e *Engine) FillSearchKeys(ctx context.Context) (int, error) {
	filled := 0
	for {
		rows, err := e.db.Read().QueryContext(ctx, "SELECT id, applicant_name FROM dossiers WHERE applicant_key = '' AND applicant_name <> '' LIMIT 1000")
		if err != nil {
			return filled, fmt.Errorf("dossier: search keys: %w", err)
		}
		var stmts []store.Stmt
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return filled, fmt.Errorf("dossier: search keys: %w", err)
			}
			key := vntext.Fold(name)
			if key == "" {
				key = " " // nothing to fold: mark it done
			}
			stmts = append(stmts, store.Stmt{SQL: "UPDATE dossiers SET applicant_key = $1 WHERE id = $2", Args: []any{key, id}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return filled, fmt.Errorf("dossier: search keys: %w", err)
		}
		if len(stmts) == 0 {
			return filled, nil
		}
		if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return store.ExecAll(ctx, tx, e.db.Engine(), stmts...)
		}); err != nil {
			return filled, fmt.Errorf("dossier: search keys: %w", err)
		}
		filled += len(stmts)
	}
}

// inboxScope widens an inbox to the dossiers a unit's staff work on: an
// office or the police of a commune take their steps in the commune's
// dossiers, a social-insurance office in the province's. The role and
// assignee conditions of the inbox still decide what is listed.
func (e *Engine) inboxScope(ctx context.Context, p *identity.Principal, f Filter) Filter {
	if f.Inbox == "" || f.Agency != "" || p == nil || p.Agency == "" || e.org == nil {
		return f
	}
	a, err := e.org.Get(ctx, p.Agency)
	if err != nil {
		return f
	}
	switch a.Kind {
	case "department", "police":
		if a.Parent != "" {
			f.Agency = a.Parent
		}
	case "social_insurance":
		f.Agency = strings.SplitN(p.Agency, ".", 2)[0]
	}
	return f
}

// where builds the SQL condition of a filter for a principal; "-" means
// nothing can match.
func (e *Engine) where(p *identity.Principal, f Filter) (string, []any, error) {
	agency := f.Agency
	if agency == "" {
		agency = p.Agency
	}
	if p.Agency != "" && agency != p.Agency && !strings.HasPrefix(agency, p.Agency+".") {
		// A partner agency's staff see the commune's dossiers through their
		// inbox; the commune's register belongs to the commune.
		if !(f.Inbox != "" && strings.HasPrefix(p.Agency, agency+".")) {
			return "", nil, ErrForbidden
		}
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if agency != "" {
		// The agency and its units ("X" and "X.…"), as two index ranges
		// rather than a LIKE that no index serves.
		where = append(where, "(agency_code = "+arg(agency)+" OR (agency_code > "+arg(agency+".")+" AND agency_code < "+arg(agency+"/")+"))")
	}
	if !f.From.IsZero() {
		where = append(where, "submitted_at >= "+arg(f.From.UnixMilli()))
	}
	if !f.To.IsZero() {
		where = append(where, "submitted_at < "+arg(f.To.UnixMilli()))
	}
	if f.Procedure != "" {
		where = append(where, "procedure_code = "+arg(f.Procedure))
	}
	if f.Channel != "" {
		where = append(where, "channel = "+arg(f.Channel))
	}
	if f.State != "" {
		where = append(where, "state = "+arg(f.State))
	}
	if len(f.Status) > 0 {
		var ph []string
		for _, s := range f.Status {
			ph = append(ph, arg(s))
		}
		where = append(where, "status IN ("+strings.Join(ph, ", ")+")")
	}
	switch f.Inbox {
	case "":
	case "role":
		var ors []string
		for _, r := range p.Roles {
			ors = append(ors, "(' ' || step_roles || ' ') LIKE "+arg("% "+r+" %"))
		}
		if len(ors) == 0 {
			return "-", nil, nil
		}
		where = append(where, "status IN (1, 2, 4, 5, 6, 9)", "assignee_id = ''", "("+strings.Join(ors, " OR ")+")")
	case "mine":
		where = append(where, "status IN (1, 2, 4, 5, 6, 9)", "assignee_id = "+arg(p.ID))
	default:
		return "", nil, apperr.Field("inbox", "invalid_inbox", "Hộp việc phải là role (theo vai trò) hoặc mine (của tôi).")
	}
	now := e.now()
	switch f.Urgency {
	case "":
	case UrgencyOverdue:
		where = append(where, "status IN (2, 4) AND finished_at IS NULL AND due_at < "+arg(now.UnixMilli()))
	case UrgencyDueSoon:
		where = append(where, "status IN (2, 4) AND finished_at IS NULL AND due_soon_at IS NOT NULL AND due_at >= "+arg(now.UnixMilli()))
	case UrgencyOnTime:
		where = append(where, "status IN (2, 4) AND finished_at IS NULL AND due_soon_at IS NULL AND due_at >= "+arg(now.UnixMilli()))
	default:
		return "", nil, apperr.Field("urgency", "invalid_urgency", "Mức độ phải là on_time, due_soon hoặc overdue.")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		// A code, an ID number, or the start of the applicant's name typed
		// with or without diacritics, in any case.
		q = vntext.NFC(q)
		conds := []string{"code = " + arg(strings.ToUpper(q)), "applicant_id = " + arg(q)}
		if key := vntext.Fold(q); key != "" {
			conds = append(conds, "(applicant_key >= "+arg(key)+" AND applicant_key < "+arg(key+"\uffff")+")")
		}
		where = append(where, "("+strings.Join(conds, " OR ")+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	return cond, args, nil
}

func (e *Engine) summary(d *Dossier, now time.Time) Summary {
	wf, _ := e.workflowOf(d)
	s := Summary{
		Code: d.Code, Procedure: d.Procedure, ProcedureName: d.ProcedureName, Applicant: d.Applicant.Name,
		Channel: string(d.Channel), State: d.State, StateName: stateName(wf, d.State), Status: d.Status, StatusName: StatusName(d.Status),
		SubmittedAt: d.SubmittedAt, ReceivedAt: d.ReceivedAt, DueAt: d.DueAt, StepDueAt: d.StepDueAt, TransferredAt: d.TransferredAt,
		FinishedAt: d.FinishedAt, ReturnedAt: d.ReturnedAt, AssigneeName: d.AssigneeName, CountsLate: d.CountsLate,
	}
	info := []string{}
	if d.Applicant.Address != "" {
		info = append(info, d.Applicant.Address)
	}
	if d.Applicant.Phone != "" {
		info = append(info, d.Applicant.Phone)
	}
	s.ApplicantInfo = strings.Join(info, "; ")
	if d.DueAt != nil && d.FinishedAt == nil && (d.Status == 2 || d.Status == 4) {
		switch {
		case now.After(*d.DueAt):
			s.Urgency = UrgencyOverdue
		case d.DueSoonAt != nil:
			s.Urgency = UrgencyDueSoon
		default:
			s.Urgency = UrgencyOnTime
		}
	}
	return s
}

// ActionInfo is an action the principal may take on a dossier now.
type ActionInfo struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Needs lists the inputs the action asks for: reasons, new_due,
	// amount, collected_by, result_code.
	Needs []string `json:"needs,omitempty"`
}

// Available lists the actions the principal may take on d now, by trying
// each on a copy: only what the rules and the principal's roles allow.
func (e *Engine) Available(d *Dossier, p *identity.Principal) []ActionInfo {
	wf, err := e.workflowOf(d)
	if err != nil || p == nil {
		return []ActionInfo{}
	}
	candidates := []string{ActionTake, ActionRelease, ActionReceive}
	for _, a := range wf.ActionsFrom(d.State) {
		candidates = append(candidates, a.ID)
	}
	candidates = append(candidates, ActionRequestSupplement, ActionSupplementReceived, ActionRequestPayment, ActionPaymentReceived,
		ActionApologize, ActionRefuse, ActionStop, ActionWithdraw)
	out := []ActionInfo{}
	seen := map[string]bool{}
	for _, id := range candidates {
		if seen[id] {
			continue
		}
		seen[id] = true
		cp := *d
		req := &ActionRequest{Action: id, Reasons: []string{"-"}, NewDue: "2999-12-31", CollectedBy: "-", Amount: max(d.Fee, 1)}
		if _, err := e.transition(&cp, p, req, e.now()); err != nil {
			continue
		}
		info := ActionInfo{ID: id, Name: actionName(id)}
		if a, ok := wf.Action(id); ok {
			info.Name = a.Name
		}
		switch id {
		case ActionRequestSupplement, ActionRefuse, ActionStop:
			info.Needs = []string{"reasons"}
		case ActionApologize:
			info.Needs = []string{"reasons", "new_due"}
		case ActionRequestPayment:
			info.Needs = []string{"amount"}
		}
		if a, ok := wf.Action(id); ok {
			if to, ok := wf.State(a.To); ok && to.Status == 10 {
				info.Needs = []string{"collected_by"}
			}
			if to, ok := wf.State(a.To); ok && to.Status == 9 {
				info.Needs = []string{"result_code"}
			}
		}
		out = append(out, info)
	}
	return out
}

// Registered lists the dossiers of a period for the register (sổ theo
// dõi), in the order they arrived.
func (e *Engine) Registered(ctx context.Context, p *identity.Principal, f Filter) ([]Summary, error) {
	f.Sort, f.Inbox = "received", ""
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	all := []Summary{}
	for {
		page, total, err := e.List(ctx, p, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		f.Offset += len(page)
		if len(page) == 0 || f.Offset >= total || len(all) >= 100000 {
			return all, nil
		}
	}
}

// hasStaffRole reports whether a principal is staff.
func hasStaffRole(p *identity.Principal) bool {
	return p != nil && slices.ContainsFunc(p.Roles, func(r string) bool { return slices.Contains(identity.StaffRoles, r) })
}

// Count is the number of dossiers matching the filter that the principal
// may see (for the console's navigation; no personal data, not audited).
func (e *Engine) Count(ctx context.Context, p *identity.Principal, f Filter) int {
	if p == nil {
		return 0
	}
	f.Limit = 1
	f = e.inboxScope(ctx, p, f)
	cond, args, err := e.where(p, f)
	if err != nil || cond == "-" {
		return 0
	}
	var n int
	e.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM dossiers"+cond, args...).Scan(&n)
	return n
}

// UnreadCount is the number of unread reminders for a principal.
func (e *Engine) UnreadCount(ctx context.Context, p *identity.Principal) int {
	recips, ph := recipients(p)
	var n int
	e.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE read_at IS NULL AND recipient IN ("+ph+")", recips...).Scan(&n)
	return n
}

// MarkRead marks a principal's reminders read.
func (e *Engine) MarkRead(ctx context.Context, p *identity.Principal) error {
	recips, ph := recipients(p)
	args := append([]any{e.now().UnixMilli()}, recips...)
	ph = shift(ph, 1)
	return e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE notifications SET read_at = $1 WHERE read_at IS NULL AND recipient IN ("+ph+")", args...)
		return err
	})
}

// recipients are the notification addresses of a principal: their id and
// each of their roles at their agency.
func recipients(p *identity.Principal) ([]any, string) {
	recips := []any{p.ID}
	ph := []string{"$1"}
	for _, r := range p.Roles {
		recips = append(recips, "role:"+r+"@"+p.Agency)
		ph = append(ph, fmt.Sprintf("$%d", len(recips)))
	}
	return recips, strings.Join(ph, ", ")
}

func shift(ph string, by int) string {
	parts := strings.Split(ph, ", ")
	for i, p := range parts {
		var n int
		fmt.Sscanf(p, "$%d", &n)
		parts[i] = fmt.Sprintf("$%d", n+by)
	}
	return strings.Join(parts, ", ")
}
