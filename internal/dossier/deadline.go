package dossier

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// SweepResult counts what one deadline sweep raised.
type SweepResult struct {
	Checked       int `json:"checked"`
	DueSoon       int `json:"due_soon"`
	Overdue       int `json:"overdue"`
	Notifications int `json:"notifications"`
}

// Notification kinds.
const (
	NoticeDueSoon = "due_soon" // with the prompt to send the apology in time
	NoticeOverdue = "overdue"
)

// Sweep is the deadline watch: it marks received, unfinished, running
// dossiers that are due soon or overdue, and leaves a reminder for the
// assignee (or the officers of the step) and the desk — for due-soon
// dossiers with the prompt to send the apology at least one working day
// before the deadline. Its state lives in the database, so a restart loses
// nothing, and each event has a unique key, so nothing fires twice.
func (e *Engine) Sweep(ctx context.Context) (SweepResult, error) {
	now := e.now()
	var res SweepResult
	// Only dossiers due within the next few weeks can become due soon.
	horizon := now.Add(30 * 24 * time.Hour).UnixMilli()
	rows, err := e.db.Read().QueryContext(ctx, `SELECT id, code, agency_code, procedure_code, procedure_version, procedure_name, state, due_at, received_at, assignee_id, apologized_at, due_soon_at, overdue_at
		FROM dossiers WHERE status IN (2, 4) AND finished_at IS NULL AND due_at IS NOT NULL AND due_at <= $1
		AND (due_soon_at IS NULL OR overdue_at IS NULL) ORDER BY due_at`, horizon)
	if err != nil {
		return res, fmt.Errorf("dossier: sweep: %w", err)
	}
	type item struct {
		id, code, agency, procCode, proc, state, assignee string
		version                                           int
		due, received                                     time.Time
		apologized, dueSoon, overdue                      bool
	}
	var items []item
	for rows.Next() {
		var it item
		var due, received int64
		var apol, soon, over *int64
		if err := rows.Scan(&it.id, &it.code, &it.agency, &it.procCode, &it.version, &it.proc, &it.state, &due, &received, &it.assignee, &apol, &soon, &over); err != nil {
			rows.Close()
			return res, fmt.Errorf("dossier: sweep: %w", err)
		}
		it.due, it.received = time.UnixMilli(due), time.UnixMilli(received)
		it.apologized, it.dueSoon, it.overdue = apol != nil, soon != nil, over != nil
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("dossier: sweep: %w", err)
	}
	cal := e.Calendar()
	day := e.workingDayMinutes()
	for _, it := range items {
		res.Checked++
		kind := ""
		switch {
		case !it.overdue && now.After(it.due):
			kind = NoticeOverdue
		case !it.dueSoon && !now.After(it.due):
			left := cal.WorkingMinutesBetween(now, it.due)
			total := cal.WorkingMinutesBetween(e.countFrom(it.received), it.due)
			// Warn early enough for the apology: when two working days (or two
			// thirds of a short processing time) are left.
			if left <= min(2*day, total*2/3) {
				kind = NoticeDueSoon
			}
		}
		if kind == "" {
			continue
		}
		var roles []string
		if _, v, err := e.procedureVersion(it.procCode, it.version); err == nil && v.WorkflowDef != nil {
			if s, ok := v.WorkflowDef.State(it.state); ok {
				roles = s.Roles
			}
		}
		n, err := e.raise(ctx, it.id, it.code, it.agency, it.proc, roles, it.assignee, it.due, it.apologized, kind, now)
		if err != nil {
			return res, err
		}
		if kind == NoticeOverdue {
			res.Overdue++
		} else {
			res.DueSoon++
		}
		res.Notifications += n
	}
	return res, nil
}

// raise marks one dossier and writes its reminders, in one transaction.
func (e *Engine) raise(ctx context.Context, id, code, agency, proc string, stateRoles []string, assignee string, due time.Time, apologized bool, kind string, now time.Time) (int, error) {
	dueText := due.In(calendar.Location).Format("15:04 02/01/2006")
	var msg string
	switch kind {
	case NoticeOverdue:
		msg = fmt.Sprintf("Hồ sơ %s (%s) đã quá hạn trả kết quả (%s).", code, proc, dueText)
	default:
		msg = fmt.Sprintf("Hồ sơ %s (%s) sắp đến hạn trả kết quả (%s).", code, proc, dueText)
		if !apologized {
			// The apology must reach the citizen at least one working day
			// before the deadline: by the close of the previous working day.
			last := e.apologyDeadline(due)
			msg += fmt.Sprintf(" Nếu không kịp, lãnh đạo gửi văn bản xin lỗi và hẹn lại ngày trả (mẫu 04) trước %s.", last.In(calendar.Location).Format("15:04 02/01/2006"))
		}
	}
	recipients := []string{"role:" + identity.RoleCounter + "@" + agency}
	if assignee != "" {
		recipients = append(recipients, assignee)
	} else {
		for _, r := range stateRoles {
			recipients = append(recipients, "role:"+r+"@"+agency)
		}
	}
	if kind == NoticeOverdue || !apologized {
		recipients = append(recipients, "role:"+identity.RoleLeader+"@"+agency)
	}
	written := 0
	err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		written = 0
		col := "due_soon_at"
		if kind == NoticeOverdue {
			col = "overdue_at"
		}
		// Only if nothing moved the due date meanwhile.
		res, err := tx.ExecContext(ctx, "UPDATE dossiers SET "+col+" = $1 WHERE id = $2 AND due_at = $3 AND "+col+" IS NULL AND finished_at IS NULL",
			now.UnixMilli(), id, due.UnixMilli())
		if err != nil {
			return fmt.Errorf("dossier: mark %s: %w", kind, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		seen := map[string]bool{}
		for _, r := range recipients {
			if seen[r] {
				continue
			}
			seen[r] = true
			key := fmt.Sprintf("%s:%s:%d:%s", code, kind, due.UnixMilli(), r)
			res, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, event_key, dossier_id, kind, recipient, message, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_key) DO NOTHING`,
				newID("n"), key, id, kind, r, msg, now.UnixMilli())
			if err != nil {
				return fmt.Errorf("dossier: notify: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				written++
			}
		}
		return audit.Append(ctx, tx, now, audit.Event{Action: "dossier." + kind, ObjectType: "dossier", ObjectID: code,
			Detail: map[string]any{"due": due.UTC().Format(time.RFC3339), "recipients": len(seen)}})
	})
	return written, err
}

// apologyDeadline is the close of the last working day before the due date.
func (e *Engine) apologyDeadline(due time.Time) time.Time {
	cal := e.Calendar()
	d := due.In(calendar.Location)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, calendar.Location).AddDate(0, 0, -1)
	for !cal.IsWorkingDay(day) {
		day = day.AddDate(0, 0, -1)
	}
	close := cal.Config().Office[len(cal.Config().Office)-1].End
	return day.Add(time.Duration(close) * time.Minute)
}

// Notification is a reminder for staff.
type Notification struct {
	ID        string     `json:"id"`
	Dossier   string     `json:"dossier"`
	Kind      string     `json:"kind"`
	Message   string     `json:"message"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
}

// Notifications lists the reminders addressed to a principal: to them by
// id, or to one of their roles at their agency.
func (e *Engine) Notifications(ctx context.Context, p *identity.Principal, limit int) ([]Notification, error) {
	recips := []any{p.ID}
	ph := []string{"$1"}
	for _, r := range p.Roles {
		recips = append(recips, "role:"+r+"@"+p.Agency)
		ph = append(ph, fmt.Sprintf("$%d", len(recips)))
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := e.db.Read().QueryContext(ctx, `SELECT n.id, d.code, n.kind, n.message, n.created_at, n.read_at
		FROM notifications n JOIN dossiers d ON d.id = n.dossier_id
		WHERE n.recipient IN (`+strings.Join(ph, ", ")+`) ORDER BY n.created_at DESC LIMIT `+fmt.Sprint(limit), recips...)
	if err != nil {
		return nil, fmt.Errorf("dossier: notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var at int64
		var read *int64
		if err := rows.Scan(&n.ID, &n.Dossier, &n.Kind, &n.Message, &at, &read); err != nil {
			return nil, fmt.Errorf("dossier: notifications: %w", err)
		}
		n.CreatedAt = time.UnixMilli(at).UTC()
		if read != nil {
			t := time.UnixMilli(*read).UTC()
			n.ReadAt = &t
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// RunWatch sweeps every interval until ctx ends.
func (e *Engine) RunWatch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if res, err := e.Sweep(ctx); err != nil {
			if ctx.Err() == nil {
				e.log.Error("deadline watch", "err", err)
			}
		} else if res.DueSoon+res.Overdue > 0 {
			e.log.Info("deadline watch", "due_soon", res.DueSoon, "overdue", res.Overdue, "notifications", res.Notifications)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
