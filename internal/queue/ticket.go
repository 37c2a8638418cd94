package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

const ticketCols = `id, agency_code, day, group_code, number, label, priority, source, state, rank_at, callable_at, appointment_at, appointment_id,
	target_counter, counter_number, officer_id, officer_name, created_at, first_called_at, called_at, recalls, absences, started_at, finished_at,
	procedure_code, dossier_code, phone, rev`

type rowScanner interface{ Scan(...any) error }

func scanTicket(r rowScanner) (*Ticket, error) {
	var t Ticket
	var rank, callable, created int64
	var apptAt, target, counter, first, called, started, finished sql.NullInt64
	err := r.Scan(&t.ID, &t.Agency, &t.Day, &t.Group, &t.Number, &t.Label, &t.Priority, &t.Source, &t.State, &rank, &callable, &apptAt, &t.AppointmentID,
		&target, &counter, &t.OfficerID, &t.OfficerName, &created, &first, &called, &t.Recalls, &t.Absences, &started, &finished,
		&t.Procedure, &t.Dossier, &t.Phone, &t.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRow
	}
	if err != nil {
		return nil, err
	}
	t.CreatedAt = time.UnixMilli(created).UTC()
	t.CallableAt = time.UnixMilli(callable).UTC()
	t.TargetCounter, t.Counter = int(target.Int64), int(counter.Int64)
	for _, p := range []struct {
		dst **time.Time
		v   sql.NullInt64
	}{{&t.AppointmentAt, apptAt}, {&t.FirstCalledAt, first}, {&t.CalledAt, called}, {&t.StartedAt, started}, {&t.FinishedAt, finished}} {
		if p.v.Valid {
			x := time.UnixMilli(p.v.Int64).UTC()
			*p.dst = &x
		}
	}
	return &t, nil
}

// IssueRequest asks for a ticket.
type IssueRequest struct {
	Agency          string `json:"agency,omitempty"`
	Group           string `json:"group,omitempty"`
	Procedure       string `json:"procedure,omitempty"` // instead of the group: the group that covers it
	Priority        string `json:"priority,omitempty"`  // a priority class, or empty
	Phone           string `json:"phone,omitempty"`     // for the "three ahead" message
	AppointmentCode string `json:"appointment_code,omitempty"`
	Source          string `json:"-"`
}

// mayIssue: a registered kiosk, or staff handing out a number at the desk.
func mayIssue(p *identity.Principal) bool {
	return p != nil && p.HasAny(identity.RoleKiosk, identity.RoleCounter, identity.RoleQueueCounter, identity.RoleSpecialist,
		identity.RoleLeader, identity.RoleAdministrator)
}

// agencyFor is the centre a principal works for (a token without an
// agency works for the home centre).
func (s *Service) agencyFor(ctx context.Context, p *identity.Principal, asked string) (string, error) {
	agency := asked
	if agency == "" && p != nil {
		agency = s.centreOf(ctx, p.Agency)
	}
	if agency == "" && s.cfg.Org != nil {
		if home, err := s.cfg.Org.Home(ctx); err == nil {
			agency = home.Code
		}
	}
	if agency == "" {
		return "", apperr.Field("agency", "agency_required", "Chưa xác định trung tâm.")
	}
	if p != nil && !worksAt(p, agency) {
		return "", ErrForbidden
	}
	return agency, nil
}

// centreOf is the centre whose counters an agency's staff sit at: a
// commune's office or police work at the commune's centre.
func (s *Service) centreOf(ctx context.Context, agency string) string {
	if agency == "" || s.cfg.Org == nil {
		return agency
	}
	if a, err := s.cfg.Org.Get(ctx, agency); err == nil && (a.Kind == "department" || a.Kind == "police") && a.Parent != "" {
		return a.Parent
	}
	return agency
}

// worksAt reports whether a principal works at a centre: its own staff and
// those of its units, or a token bound to no agency.
func worksAt(p *identity.Principal, agency string) bool {
	return p.Agency == "" || p.Agency == agency || strings.HasPrefix(p.Agency, agency+".")
}

// Issue gives a ticket: for a group (or the group covering a procedure),
// with a priority class if declared, or for an appointment checked in by its
// code. The answer carries the people ahead and the estimated wait.
func (s *Service) Issue(ctx context.Context, p *identity.Principal, req IssueRequest) (*Ticket, error) {
	if !mayIssue(p) {
		return nil, ErrForbidden
	}
	agency, err := s.agencyFor(ctx, p, req.Agency)
	if err != nil {
		return nil, err
	}
	settings, err := s.Settings(ctx, agency)
	if err != nil {
		return nil, err
	}
	req.Priority = strings.TrimSpace(req.Priority)
	if req.Priority != "" && !settings.HasPriority(req.Priority) {
		return nil, apperr.Field("priority", "invalid_priority", "Nhóm ưu tiên không hợp lệ.")
	}
	if req.Phone != "" {
		if req.Phone = normalizePhone(req.Phone); req.Phone == "" {
			return nil, apperr.Field("phone", "invalid_phone", "Số điện thoại di động không hợp lệ (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).")
		}
	}
	if req.Source == "" {
		req.Source = SourceAPI
		if p.Has(identity.RoleKiosk) {
			req.Source = SourceKiosk
		} else if p.HasAny(identity.StaffRoles...) {
			req.Source = SourceStaff
		}
	}
	now := s.now()
	var group *Group
	var appt *Appointment
	code := strings.ToUpper(strings.TrimSpace(req.AppointmentCode))
	switch {
	case code != "":
		if appt, err = s.appointmentByCode(ctx, agency, code); err != nil {
			return nil, err
		}
		if err := appt.checkInAllowed(now, settings); err != nil {
			return nil, err
		}
		req.Group, req.Source = appt.Group, SourceAppointment
		if req.Phone == "" {
			req.Phone = appt.Phone
		}
	case req.Group == "" && req.Procedure != "":
		g, err := s.GroupFor(ctx, agency, req.Procedure)
		if err != nil {
			return nil, err
		}
		req.Group = g.Code
	}
	if req.Group == "" {
		return nil, apperr.Field("group", "group_required", "Vui lòng chọn nhóm dịch vụ.")
	}
	if group, err = s.Group(ctx, agency, req.Group); err != nil {
		return nil, err
	}
	if !group.Active {
		return nil, apperr.Field("group", "group_closed", "Nhóm dịch vụ này tạm ngừng nhận số.")
	}
	t := &Ticket{ID: newID(10), Agency: agency, Day: dayOf(now), Group: group.Code, GroupName: group.Name, Priority: req.Priority,
		Source: req.Source, State: StateWaiting, CreatedAt: now.UTC(), CallableAt: now.UTC(), Procedure: req.Procedure, Phone: req.Phone, Rev: 1}
	if appt != nil {
		at := appt.SlotAt
		t.AppointmentAt, t.AppointmentID = &at, appt.ID
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if appt != nil {
			// Checked in once: the booking's row decides, inside the write.
			res, err := tx.ExecContext(ctx, "UPDATE queue_appointments SET state = 'checked_in', checked_in_at = $1, ticket_id = $2 WHERE id = $3 AND state = 'booked'",
				ms(now), t.ID, appt.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return ErrAppointmentUsed
			}
		}
		n, err := nextNumber(ctx, tx, agency, t.Day, group.Code, settings.KeepOvernight)
		if err != nil {
			return err
		}
		t.Number, t.Label = n, Label(group.Prefix, n)
		var apptAt any
		if t.AppointmentAt != nil {
			apptAt = ms(*t.AppointmentAt)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_tickets (id, agency_code, day, group_code, number, label, priority, source, state, rank_at, callable_at,
			appointment_at, appointment_id, created_at, procedure_code, phone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'waiting', $9, $9, $10, $11, $9, $12, $13)`,
			t.ID, agency, t.Day, group.Code, t.Number, t.Label, t.Priority, t.Source, ms(now), apptAt, t.AppointmentID, t.Procedure, t.Phone); err != nil {
			return err
		}
		if err := addDaily(ctx, tx, agency, t.Day, group.Code, 0, "", "", daily{issued: 1}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Event{Kind: "issued", Agency: agency, Group: group.Code, Label: t.Label})
	})
	if err != nil {
		return nil, wrapWrite(err, "issue ticket")
	}
	s.published(Event{Kind: "issued", Agency: agency, Group: group.Code, Label: t.Label})
	if err := s.place(ctx, t, settings); err != nil {
		return nil, err
	}
	return t, nil
}

// nextNumber is the group's next number for the day. With the queue kept
// overnight, a new day continues after the numbers still in line, so no two
// live tickets share a number.
func nextNumber(ctx context.Context, tx store.Tx, agency, day, group string, overnight bool) (int, error) {
	var n sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT MAX(number) FROM queue_tickets WHERE agency_code = $1 AND day = $2 AND group_code = $3", agency, day, group).Scan(&n); err != nil {
		return 0, err
	}
	if !n.Valid && overnight {
		if err := tx.QueryRowContext(ctx, `SELECT MAX(number) FROM queue_tickets WHERE agency_code = $1 AND group_code = $2 AND day < $3
			AND state IN ('waiting', 'called', 'serving', 'held')`, agency, group, day).Scan(&n); err != nil {
			return 0, err
		}
	}
	return int(n.Int64) + 1, nil
}

// Label is a ticket's printed number: the group's letter and three digits.
func Label(prefix string, n int) string { return fmt.Sprintf("%s%03d", prefix, n) }

// Get returns a ticket with its place in line.
func (s *Service) Get(ctx context.Context, id string) (*Ticket, error) {
	if id == "" || len(id) > 40 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return nil, ErrNotFound
	}
	t, err := scanTicket(s.db.Read().QueryRowContext(ctx, "SELECT "+ticketCols+" FROM queue_tickets WHERE id = $1", id))
	if errors.Is(err, errNoRow) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, apperr.Wrap(err, "get ticket")
	}
	if g, err := s.Group(ctx, t.Agency, t.Group); err == nil {
		t.GroupName = g.Name
	}
	settings, err := s.Settings(ctx, t.Agency)
	if err != nil {
		return nil, err
	}
	if err := s.place(ctx, t, settings); err != nil {
		return nil, err
	}
	return t, nil
}

// place fills a waiting ticket's position and estimated wait.
func (s *Service) place(ctx context.Context, t *Ticket, st Settings) error {
	t.Position, t.EstimatedWait = 0, 0
	if t.State != StateWaiting {
		return nil
	}
	q := s.db.Read()
	now := ms(s.now())
	rank := ms(t.CreatedAt)
	day, args := "", []any{t.Agency, t.Group, now, t.ID, rank}
	if !st.KeepOvernight {
		day, args = "AND day = $6", append(args, dayOf(s.now()))
	}
	if t.TargetCounter != 0 {
		var n int
		q.QueryRowContext(ctx, "SELECT COUNT(*) FROM queue_tickets WHERE agency_code = $1 AND state = 'waiting' AND "+liveTickets+" AND target_counter = $2 AND rank_at < $3",
			t.Agency, t.TargetCounter, rank).Scan(&n)
		t.Position = n
	} else {
		// One pass over the group's line for every count the estimate needs.
		// Two tickets of one millisecond keep the order of their numbers.
		ahead := fmt.Sprintf("(rank_at < $5 OR (rank_at = $5 AND number < %d))", t.Number)
		var appts, prioAhead, prioAll, normalAhead, normalAll, apptAhead int
		apptAt := int64(0)
		if t.AppointmentAt != nil {
			apptAt = ms(*t.AppointmentAt)
		}
		q.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN appointment_at IS NOT NULL AND appointment_at <= $3 AND id <> $4 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN priority <> '' AND `+ahead+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN priority <> '' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN priority = '' AND `+ahead+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN priority = '' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN appointment_at IS NOT NULL AND appointment_at < `+fmt.Sprint(apptAt)+` THEN 1 ELSE 0 END), 0)
			FROM queue_tickets WHERE agency_code = $1 AND state = 'waiting' AND `+liveTickets+` AND group_code = $2 AND target_counter IS NULL `+day, args...).
			Scan(&appts, &prioAhead, &prioAll, &normalAhead, &normalAll, &apptAhead)
		due := t.AppointmentAt != nil && apptAt <= now
		switch {
		case due:
			t.Position = apptAhead
		case t.Priority != "" && st.PriorityMode == ModeStrict:
			t.Position = appts + prioAhead
		case t.Priority != "":
			// One priority ticket after every N normal ones.
			t.Position = appts + prioAhead + min(normalAll, prioAhead*st.InterleaveN+st.InterleaveN)
		case st.PriorityMode == ModeStrict:
			t.Position = appts + prioAll + normalAhead
		default:
			t.Position = appts + normalAhead + min(prioAll, normalAhead/st.InterleaveN+1)
		}
	}
	perTicket, counters := s.serviceEstimate(ctx, t.Agency, t.Group)
	t.EstimatedWait = (t.Position*perTicket + perTicket/2) / max(counters, 1)
	if t.Position == 0 {
		t.EstimatedWait = 0
	}
	return nil
}

// serviceEstimate is the average service time of a group over the last
// week's served tickets (the group's configured time until there are
// enough), and the open counters serving it.
func (s *Service) serviceEstimate(ctx context.Context, agency, group string) (seconds, counters int) {
	key := agency + "/" + group
	seconds, ok := cacheGet(&s.cache, s.cache.service, key, serviceTTL)
	if !ok {
		var served sql.NullInt64
		var total sql.NullInt64
		since := dayOf(s.now().AddDate(0, 0, -7))
		s.db.Read().QueryRowContext(ctx, "SELECT SUM(served), SUM(service_ms) FROM queue_daily WHERE agency_code = $1 AND group_code = $2 AND day >= $3",
			agency, group, since).Scan(&served, &total)
		seconds = 600
		if g, err := s.Group(ctx, agency, group); err == nil {
			seconds = g.ServiceSeconds
		}
		if served.Int64 >= 5 {
			seconds = int(total.Int64 / served.Int64 / 1000)
		}
		cachePut(&s.cache, s.cache.service, key, seconds)
	}
	cs, _ := s.Counters(ctx, agency)
	for _, c := range cs {
		if c.Open && c.Serves(group) {
			counters++
		}
	}
	return max(seconds, 30), counters
}

// liveTickets is the condition of the partial index over the live line
// (migration 0012): every query on live tickets names it, word for word, so
// the planners use that small index instead of one over a year of tickets.
const liveTickets = "state IN ('waiting', 'called', 'serving', 'held')"

// CheckCounter reports (as an error) whether a principal may work at a
// counter of a centre: an officer seated there, or that counter's device.
func CheckCounter(p *identity.Principal, agency string, counter int) error {
	return atCounter(p, agency, counter)
}

// WorksAt reports whether a principal belongs to a centre: its own staff,
// those of its units, or a token bound to no agency.
func WorksAt(p *identity.Principal, agency string) bool { return p != nil && worksAt(p, agency) }

// atCounter checks that a principal works at a counter of an agency: an
// officer seated there, or that counter's device.
func atCounter(p *identity.Principal, agency string, counter int) error {
	if p == nil {
		return ErrForbidden
	}
	if !p.HasAny(identity.RoleQueueCounter, identity.RoleCounter, identity.RoleSpecialist, identity.RoleLeader, identity.RolePolice,
		identity.RoleSocialInsurance) {
		return ErrForbidden
	}
	if p.Counter != strconv.Itoa(counter) {
		return ErrNotAtCounter
	}
	if !worksAt(p, agency) {
		return ErrNotAtCounter
	}
	return nil
}

// CallNext gives the counter the next ticket: one transferred to it first,
// then an appointment whose time has come, then by the priority mode, then
// by arrival. The ticket the counter was serving is finished. Nil when no
// one is waiting.
func (s *Service) CallNext(ctx context.Context, p *identity.Principal, agency string, counter int) (*Ticket, error) {
	agency, err := s.agencyFor(ctx, p, agency)
	if err != nil {
		return nil, err
	}
	if err := atCounter(p, agency, counter); err != nil {
		return nil, err
	}
	c, err := s.Counter(ctx, agency, counter)
	if err != nil {
		return nil, err
	}
	if !c.Open {
		return nil, apperr.New(apperr.Conflict, "counter_closed", "Quầy đang đóng trên hệ thống xếp hàng. Mở quầy trước khi gọi số.")
	}
	var called *Ticket
	var events []Event
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		called, events = nil, nil
		now := s.now()
		st, run, err := loadSettings(ctx, tx, agency)
		if err != nil {
			return err
		}
		// The ticket this counter had is finished.
		cur, err := scanTicket(tx.QueryRowContext(ctx, "SELECT "+ticketCols+` FROM queue_tickets WHERE agency_code = $1 AND counter_number = $2
			AND state IN ('called', 'serving') AND `+liveTickets+` ORDER BY called_at DESC LIMIT 1`, agency, counter))
		if err != nil && !errors.Is(err, errNoRow) {
			return err
		}
		if cur != nil {
			if err := s.finish(ctx, tx, cur, now); err != nil {
				return err
			}
			events = append(events, Event{Kind: "finished", Agency: agency, Label: cur.Label, Counter: counter, Group: cur.Group})
		}
		next, kind, err := pickNext(ctx, tx, agency, c, st, run, now)
		if err != nil {
			return err
		}
		if next == nil { // nobody waits: the boards still hear of the finish
			return s.emit(ctx, tx, events...)
		}
		res, err := tx.ExecContext(ctx, `UPDATE queue_tickets SET state = 'called', counter_number = $1, officer_id = $2, officer_name = $3, called_at = $4,
			first_called_at = COALESCE(first_called_at, $4), target_counter = NULL, rev = rev + 1 WHERE id = $5 AND state = 'waiting'`,
			counter, p.ID, p.Name, ms(now), next.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrChanged // cannot happen while writes are serialised; refuse rather than double-call
		}
		switch kind {
		case "normal":
			run++
		case "priority":
			run = 0
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_settings (agency_code, doc, normal_run, updated_at) VALUES ($1, '{}', $2, $3)
			ON CONFLICT (agency_code) DO UPDATE SET normal_run = excluded.normal_run`, agency, run, ms(now)); err != nil {
			return err
		}
		if next.FirstCalledAt == nil {
			wait := ms(now) - ms(next.CreatedAt)
			if err := addDaily(ctx, tx, agency, next.Day, next.Group, counter, p.ID, p.Name, daily{called: 1, waitMs: wait, waitMaxMs: wait}); err != nil {
				return err
			}
		}
		next.State, next.Counter, next.OfficerID, next.OfficerName = StateCalled, counter, p.ID, p.Name
		t := now.UTC()
		next.CalledAt = &t
		if next.FirstCalledAt == nil {
			next.FirstCalledAt = &t
		}
		next.TargetCounter = 0
		next.Rev++
		called = next
		if err := s.notifyAhead(ctx, tx, agency, next.Group, st, now); err != nil {
			return err
		}
		events = append(events, Event{Kind: "called", Agency: agency, Label: next.Label, Counter: counter, CounterName: c.Name, Group: next.Group,
			Speech: CallSpeech(next.Label, counter)})
		return s.emit(ctx, tx, events...)
	})
	if err != nil {
		return nil, wrapWrite(err, "call next")
	}
	s.published(events...)
	if called != nil {
		if g, err := s.Group(ctx, agency, called.Group); err == nil {
			called.GroupName = g.Name
		}
	}
	return called, nil
}

// pickNext chooses the ticket a counter calls now, and which kind it is.
func pickNext(ctx context.Context, tx store.Tx, agency string, c *Counter, st Settings, run int, now time.Time) (*Ticket, string, error) {
	day := dayOf(now)
	base := "SELECT " + ticketCols + " FROM queue_tickets WHERE agency_code = $1 AND state = 'waiting' AND " + liveTickets + " AND callable_at <= $2"
	args := []any{agency, ms(now)}
	if !st.KeepOvernight {
		base += " AND day = $3"
		args = append(args, day)
	}
	one := func(cond, order string, extra ...any) (*Ticket, error) {
		a := append(append([]any{}, args...), extra...)
		t, err := scanTicket(tx.QueryRowContext(ctx, base+" "+renumber(cond, len(args))+" ORDER BY "+order+" LIMIT 1", a...))
		if errors.Is(err, errNoRow) {
			return nil, nil
		}
		return t, err
	}
	// Transferred to this counter.
	if t, err := one("AND target_counter = $1", "rank_at, number, id", c.Number); t != nil || err != nil {
		return t, "target", err
	}
	groups := "AND target_counter IS NULL"
	var gargs []any
	if len(c.Groups) > 0 {
		ph := make([]string, len(c.Groups))
		for i, g := range c.Groups {
			gargs = append(gargs, g)
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		groups += " AND group_code IN (" + strings.Join(ph, ", ") + ")"
	}
	if t, err := one(groups+fmt.Sprintf(" AND appointment_at IS NOT NULL AND appointment_at <= $%d", len(gargs)+1), "appointment_at, rank_at, number, id",
		append(append([]any{}, gargs...), ms(now))...); t != nil || err != nil {
		return t, "appointment", err
	}
	prio, err := one(groups+" AND priority <> ''", "rank_at, number, id", gargs...)
	if err != nil {
		return nil, "", err
	}
	if prio != nil && (st.PriorityMode == ModeStrict || run >= st.InterleaveN) {
		return prio, "priority", nil
	}
	normal, err := one(groups+" AND priority = ''", "rank_at, number, id", gargs...)
	if err != nil {
		return nil, "", err
	}
	if normal != nil {
		return normal, "normal", nil
	}
	if prio != nil {
		return prio, "priority", nil
	}
	return nil, "", nil
}

// renumber shifts $n placeholders in cond by off.
func renumber(cond string, off int) string {
	if off == 0 {
		return cond
	}
	var b strings.Builder
	for i := 0; i < len(cond); i++ {
		if cond[i] == '$' {
			j := i + 1
			for j < len(cond) && cond[j] >= '0' && cond[j] <= '9' {
				j++
			}
			if j > i+1 {
				n, _ := strconv.Atoi(cond[i+1 : j])
				fmt.Fprintf(&b, "$%d", n+off)
				i = j - 1
				continue
			}
		}
		b.WriteByte(cond[i])
	}
	return b.String()
}

// finish ends a ticket's service and records its service time.
func (s *Service) finish(ctx context.Context, tx store.Tx, t *Ticket, now time.Time) error {
	started := now
	switch {
	case t.StartedAt != nil:
		started = *t.StartedAt
	case t.CalledAt != nil:
		started = *t.CalledAt
	}
	if _, err := tx.ExecContext(ctx, "UPDATE queue_tickets SET state = 'done', started_at = $1, finished_at = $2, rev = rev + 1 WHERE id = $3",
		ms(started), ms(now), t.ID); err != nil {
		return err
	}
	return addDaily(ctx, tx, t.Agency, t.Day, t.Group, t.Counter, t.OfficerID, t.OfficerName, daily{served: 1, serviceMs: ms(now) - ms(started)})
}

// notifyAhead texts the citizens who now have NotifyAhead people or fewer
// ahead in a group, once each.
func (s *Service) notifyAhead(ctx context.Context, tx store.Tx, agency, group string, st Settings, now time.Time) error {
	if s.cfg.Notifier == nil || st.NotifyAhead == 0 {
		return nil
	}
	q := "SELECT " + ticketCols + ` FROM queue_tickets WHERE agency_code = $1 AND group_code = $2 AND state = 'waiting' AND ` + liveTickets + ` AND target_counter IS NULL`
	args := []any{agency, group}
	if !st.KeepOvernight {
		q += " AND day = $3"
		args = append(args, dayOf(now))
	}
	order := " ORDER BY CASE WHEN priority <> '' THEN 0 ELSE 1 END, rank_at, number"
	if st.PriorityMode == ModeInterleave {
		order = " ORDER BY rank_at, number"
	}
	rows, err := tx.QueryContext(ctx, q+order+fmt.Sprintf(" LIMIT %d", st.NotifyAhead+1), args...)
	if err != nil {
		return err
	}
	var due []*Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return err
		}
		if t.Phone != "" {
			due = append(due, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range due {
		var notified sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT notified_at FROM queue_tickets WHERE id = $1", t.ID).Scan(&notified); err != nil {
			return err
		}
		if notified.Valid {
			continue
		}
		body := fmt.Sprintf("Trung tam phuc vu hanh chinh cong: so %s sap den luot (con khoang %d nguoi phia truoc). Vui long co mat gan quay. Theo doi: %s",
			t.Label, st.NotifyAhead, s.TicketURL(t))
		if err := s.cfg.Notifier.EnqueueSMS(ctx, tx, SMS{Agency: agency, To: t.Phone, Body: body, Kind: "queue_near", Key: "queue_near:" + t.ID,
			NotAfter: now.Add(time.Hour)}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE queue_tickets SET notified_at = $1 WHERE id = $2", ms(now), t.ID); err != nil {
			return err
		}
	}
	return nil
}

// Actions on a ticket.
const (
	ActCall     = "call"     // call this waiting ticket to my counter
	ActRecall   = "recall"   // announce it again
	ActAbsent   = "absent"   // not here: back in line after the grace, or a no-show
	ActStart    = "start"    // service begins
	ActFinish   = "finish"   // service ends
	ActHold     = "hold"     // set aside (a missing paper), to resume at this counter
	ActResume   = "resume"   // back from hold
	ActTransfer = "transfer" // to another group or counter
	ActLink     = "link"     // the dossier received for it
	ActCancel   = "cancel"   // taken by mistake
)

// ActRequest is an action on a ticket by an officer at a counter.
type ActRequest struct {
	Action  string `json:"action"`
	Counter int    `json:"counter"`           // the officer's counter
	Group   string `json:"group,omitempty"`   // transfer: to this group
	To      int    `json:"to,omitempty"`      // transfer: to this counter
	Dossier string `json:"dossier,omitempty"` // link
	Rev     int    `json:"rev,omitempty"`     // when set, the ticket must still be at this revision
}

// Act takes an action on a ticket.
func (s *Service) Act(ctx context.Context, p *identity.Principal, id string, req ActRequest) (*Ticket, error) {
	t0, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := atCounter(p, t0.Agency, req.Counter); err != nil {
		// Linking the dossier or cancelling needs no counter: staff of the centre.
		if !(req.Action == ActLink || req.Action == ActCancel) || p == nil || !p.HasAny(identity.StaffRoles...) || !worksAt(p, t0.Agency) {
			return nil, err
		}
	}
	req.Dossier = strings.ToUpper(strings.TrimSpace(req.Dossier))
	if req.Action == ActLink && (req.Dossier == "" || len(req.Dossier) > 60 || !vntext.Valid(req.Dossier)) {
		return nil, apperr.Field("dossier", "invalid_dossier_code", "Mã hồ sơ không hợp lệ.")
	}
	st, err := s.Settings(ctx, t0.Agency)
	if err != nil {
		return nil, err
	}
	var out *Ticket
	var events []Event
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		out, events = nil, nil
		now := s.now()
		t, err := scanTicket(tx.QueryRowContext(ctx, "SELECT "+ticketCols+" FROM queue_tickets WHERE id = $1", id))
		if err != nil {
			if errors.Is(err, errNoRow) {
				return ErrNotFound
			}
			return err
		}
		if req.Rev != 0 && req.Rev != t.Rev {
			return ErrChanged
		}
		mine := t.Counter == req.Counter && req.Counter != 0
		notAllowed := apperr.New(apperr.Conflict, "action_not_allowed", "Không thể thực hiện thao tác này với số thứ tự ở trạng thái hiện tại.")
		ev := Event{Kind: "changed", Agency: t.Agency, Label: t.Label, Counter: t.Counter, Group: t.Group}
		set := func(q string, args ...any) error {
			_, err := tx.ExecContext(ctx, "UPDATE queue_tickets SET "+q+", rev = rev + 1 WHERE id = $1", append([]any{t.ID}, args...)...)
			return err
		}
		switch req.Action {
		case ActCall:
			if t.State != StateWaiting || (t.TargetCounter != 0 && t.TargetCounter != req.Counter) {
				return notAllowed
			}
			// The counter's current ticket is finished, as with "call next".
			cur, err := scanTicket(tx.QueryRowContext(ctx, "SELECT "+ticketCols+` FROM queue_tickets WHERE agency_code = $1 AND counter_number = $2
				AND state IN ('called', 'serving') AND `+liveTickets+` ORDER BY called_at DESC LIMIT 1`, t.Agency, req.Counter))
			if err != nil && !errors.Is(err, errNoRow) {
				return err
			}
			if cur != nil {
				if err := s.finish(ctx, tx, cur, now); err != nil {
					return err
				}
			}
			if err := set("state = 'called', counter_number = $2, officer_id = $3, officer_name = $4, called_at = $5, first_called_at = COALESCE(first_called_at, $5), target_counter = NULL",
				req.Counter, p.ID, p.Name, ms(now)); err != nil {
				return err
			}
			if t.FirstCalledAt == nil {
				wait := ms(now) - ms(t.CreatedAt)
				if err := addDaily(ctx, tx, t.Agency, t.Day, t.Group, req.Counter, p.ID, p.Name, daily{called: 1, waitMs: wait, waitMaxMs: wait}); err != nil {
					return err
				}
			}
			ev.Kind, ev.Counter, ev.Speech = "called", req.Counter, CallSpeech(t.Label, req.Counter)
		case ActRecall:
			if t.State != StateCalled || !mine {
				return notAllowed
			}
			if err := set("recalls = recalls + 1, called_at = $2", ms(now)); err != nil {
				return err
			}
			ev.Kind, ev.Speech = "recalled", CallSpeech(t.Label, t.Counter)
		case ActAbsent:
			if t.State != StateCalled || !mine {
				return notAllowed
			}
			if t.Absences+1 >= st.MaxAbsences {
				if err := set("state = 'no_show', absences = absences + 1, finished_at = $2", ms(now)); err != nil {
					return err
				}
				if err := addDaily(ctx, tx, t.Agency, t.Day, t.Group, t.Counter, t.OfficerID, t.OfficerName, daily{noShow: 1}); err != nil {
					return err
				}
			} else if err := set("state = 'waiting', absences = absences + 1, callable_at = $2, counter_number = NULL",
				ms(now.Add(time.Duration(st.GraceMinutes)*time.Minute))); err != nil {
				return err
			}
		case ActStart:
			if t.State != StateCalled || !mine {
				return notAllowed
			}
			if err := set("state = 'serving', started_at = $2", ms(now)); err != nil {
				return err
			}
		case ActFinish:
			if (t.State != StateCalled && t.State != StateServing) || !mine {
				return notAllowed
			}
			if err := s.finish(ctx, tx, t, now); err != nil {
				return err
			}
		case ActHold:
			if (t.State != StateCalled && t.State != StateServing) || !mine {
				return notAllowed
			}
			if err := set("state = 'held'"); err != nil {
				return err
			}
		case ActResume:
			if t.State != StateHeld || !mine {
				return notAllowed
			}
			if err := set("state = 'serving', started_at = COALESCE(started_at, $2)", ms(now)); err != nil {
				return err
			}
		case ActTransfer:
			// A waiting ticket may be sent on from any counter (a person who
			// took the wrong number); one being served, by its counter.
			if !t.Active() || (t.State != StateWaiting && !mine) {
				return notAllowed
			}
			group, target := t.Group, any(nil)
			switch {
			case req.To != 0 && req.Group != "":
				return apperr.Field("to", "transfer_ambiguous", "Chọn chuyển sang một quầy hoặc một nhóm dịch vụ, không phải cả hai.")
			case req.To != 0:
				if req.To == req.Counter {
					return apperr.Field("to", "transfer_same_counter", "Không thể chuyển về chính quầy đang phục vụ.")
				}
				if _, err := s.counterIn(ctx, tx, t.Agency, req.To); err != nil {
					return err
				}
				target = req.To
			case req.Group != "":
				var prefix string
				if err := tx.QueryRowContext(ctx, "SELECT prefix FROM queue_groups WHERE agency_code = $1 AND code = $2", t.Agency, req.Group).Scan(&prefix); err != nil {
					if errors.Is(err, sql.ErrNoRows) {
						return ErrGroupNotFound
					}
					return err
				}
				group = req.Group
			default:
				return apperr.Field("to", "transfer_target_required", "Chọn quầy hoặc nhóm dịch vụ để chuyển đến.")
			}
			// It keeps its number and its place by arrival: the person has
			// already waited.
			if err := set("state = 'waiting', group_code = $2, target_counter = $3, counter_number = NULL, callable_at = $4", group, target, ms(now)); err != nil {
				return err
			}
		case ActLink:
			if err := set("dossier_code = $2", req.Dossier); err != nil {
				return err
			}
		case ActCancel:
			if t.State != StateWaiting {
				return notAllowed
			}
			if err := set("state = 'cancelled', finished_at = $2", ms(now)); err != nil {
				return err
			}
		default:
			return apperr.Field("action", "invalid_action", "Thao tác không hợp lệ.")
		}
		if err := audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "queue." + req.Action, ObjectType: "queue_ticket", ObjectID: t.ID,
			Detail: map[string]any{"label": t.Label, "counter": req.Counter, "group": req.Group, "to": req.To, "dossier": req.Dossier}}); err != nil {
			return err
		}
		if out, err = scanTicket(tx.QueryRowContext(ctx, "SELECT "+ticketCols+" FROM queue_tickets WHERE id = $1", id)); err != nil {
			return err
		}
		events = []Event{ev}
		return s.emit(ctx, tx, ev)
	})
	if err != nil {
		return nil, wrapWrite(err, "queue action")
	}
	s.published(events...)
	if g, err := s.Group(ctx, out.Agency, out.Group); err == nil {
		out.GroupName = g.Name
	}
	if err := s.place(ctx, out, st); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) counterIn(ctx context.Context, tx store.Tx, agency string, number int) (string, error) {
	var name string
	err := tx.QueryRowContext(ctx, "SELECT name FROM counters WHERE agency_code = $1 AND number = $2", agency, number).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.Field("to", "counter_not_found", "Không có quầy này.")
	}
	return name, err
}

// AtCounter lists what a counter has now: the ticket being called or
// served, and those it holds.
func (s *Service) AtCounter(ctx context.Context, agency string, counter int) (current *Ticket, held []*Ticket, err error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+ticketCols+` FROM queue_tickets WHERE agency_code = $1 AND counter_number = $2
		AND state IN ('called', 'serving', 'held') AND `+liveTickets+` ORDER BY called_at DESC`, agency, counter)
	if err != nil {
		return nil, nil, apperr.Wrap(err, "counter tickets")
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, nil, apperr.Wrap(err, "counter tickets")
		}
		if t.State == StateHeld {
			held = append(held, t)
		} else if current == nil {
			current = t
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, apperr.Wrap(err, "counter tickets")
	}
	s.nameGroups(ctx, agency, held...)
	if current != nil {
		s.nameGroups(ctx, agency, current)
	}
	return current, held, nil
}

// nameGroups fills the tickets' group names (from the cached groups).
func (s *Service) nameGroups(ctx context.Context, agency string, ts ...*Ticket) {
	if len(ts) == 0 {
		return
	}
	groups, err := s.Groups(ctx, agency, true)
	if err != nil {
		return // the names are a courtesy; the numbers still show
	}
	for _, t := range ts {
		for _, g := range groups {
			if g.Code == t.Group {
				t.GroupName = g.Name
				break
			}
		}
	}
}

// Waiting lists the tickets waiting for a counter's groups, in the order
// they would be called under strict priority (for the counter's list).
func (s *Service) Waiting(ctx context.Context, agency string, c *Counter, limit int) ([]*Ticket, error) {
	st, err := s.Settings(ctx, agency)
	if err != nil {
		return nil, err
	}
	q := "SELECT " + ticketCols + " FROM queue_tickets WHERE agency_code = $1 AND state = 'waiting' AND " + liveTickets
	args := []any{agency}
	if !st.KeepOvernight {
		q += " AND day = $2"
		args = append(args, dayOf(s.now()))
	}
	rows, err := s.db.Read().QueryContext(ctx, q+" ORDER BY CASE WHEN priority <> '' THEN 0 ELSE 1 END, rank_at, number LIMIT 500", args...)
	if err != nil {
		return nil, apperr.Wrap(err, "waiting tickets")
	}
	defer rows.Close()
	out := []*Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "waiting tickets")
		}
		if c == nil || t.TargetCounter == c.Number || (t.TargetCounter == 0 && c.Serves(t.Group)) {
			out = append(out, t)
		}
		if len(out) >= limit {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "waiting tickets")
	}
	s.nameGroups(ctx, agency, out...)
	return out, nil
}

// normalizePhone returns a Vietnamese mobile number as 0xxxxxxxxx, or ""
// (the notification port's rule).
func normalizePhone(s string) string {
	p, err := notify.NormalizePhone(s)
	if err != nil {
		return ""
	}
	return p
}

// CallSpeech is what the board says for a call: the number spelt digit by
// digit, which speech engines read clearly, and the counter in words.
func CallSpeech(label string, counter int) string {
	digits := []string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}
	var parts []string
	for _, r := range label {
		if r >= '0' && r <= '9' {
			parts = append(parts, digits[r-'0'])
		} else {
			parts = append(parts, string(r))
		}
	}
	return fmt.Sprintf("Mời công dân có số thứ tự %s, đến quầy số %s.", strings.Join(parts, " "), NumberWords(counter))
}

// NumberWords reads 0–99 in Vietnamese.
func NumberWords(n int) string {
	units := []string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}
	switch {
	case n < 0 || n > 99:
		return strconv.Itoa(n)
	case n < 10:
		return units[n]
	case n < 20:
		if n == 10 {
			return "mười"
		}
		if n%10 == 5 {
			return "mười lăm"
		}
		return "mười " + units[n%10]
	}
	tens, u := units[n/10]+" mươi", n%10
	switch u {
	case 0:
		return tens
	case 1:
		return tens + " mốt"
	case 4:
		return tens + " tư"
	case 5:
		return tens + " lăm"
	}
	return tens + " " + units[u]
}
