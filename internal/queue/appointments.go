package queue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Appointment is a slot booked online for a service group.
type Appointment struct {
	ID          string     `json:"id"`
	Agency      string     `json:"agency"`
	Group       string     `json:"group"`
	GroupName   string     `json:"group_name,omitempty"`
	Code        string     `json:"code"`
	SlotAt      time.Time  `json:"slot_at"`
	SlotMinutes int        `json:"slot_minutes"`
	Name        string     `json:"name"`
	Phone       string     `json:"-"`
	State       string     `json:"state"` // booked, checked_in, cancelled, no_show
	TicketID    string     `json:"ticket_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	CheckedInAt *time.Time `json:"checked_in_at,omitempty"`
}

// Slot is a bookable time.
type Slot struct {
	At       time.Time `json:"at"`
	Minutes  int       `json:"minutes"`
	Capacity int       `json:"capacity"`
	Booked   int       `json:"booked"`
	Free     int       `json:"free"`
}

// Errors of appointments.
var (
	ErrAppointmentNotFound = apperr.Field("appointment_code", "appointment_not_found", "Không tìm thấy lịch hẹn với mã này.")
	ErrAppointmentUsed     = apperr.Field("appointment_code", "appointment_used", "Lịch hẹn này đã được sử dụng hoặc đã hủy.")
)

// checkInGrace is how long after the end of a slot a booking still checks
// in (then it is a no-show, and the person takes an ordinary number).
const checkInGrace = 15 * time.Minute

func (a *Appointment) checkInAllowed(now time.Time, st Settings) error {
	switch {
	case a.State != "booked":
		return ErrAppointmentUsed
	case dayOf(a.SlotAt) != dayOf(now):
		return apperr.Field("appointment_code", "appointment_not_today", fmt.Sprintf("Lịch hẹn này vào ngày %s, không phải hôm nay.", a.SlotAt.In(calendar.Location).Format("02/01/2006")))
	case now.After(a.SlotAt.Add(time.Duration(a.SlotMinutes)*time.Minute + checkInGrace)):
		return apperr.Field("appointment_code", "appointment_missed", "Đã quá giờ hẹn. Xin mời lấy số thứ tự thông thường.")
	}
	return nil
}

const apptCols = `id, agency_code, group_code, code, slot_at, slot_minutes, name, phone, state, ticket_id, created_at, checked_in_at`

func scanAppointment(r rowScanner) (*Appointment, error) {
	var a Appointment
	var slot, created int64
	var checked sql.NullInt64
	if err := r.Scan(&a.ID, &a.Agency, &a.Group, &a.Code, &slot, &a.SlotMinutes, &a.Name, &a.Phone, &a.State, &a.TicketID, &created, &checked); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errNoRow
		}
		return nil, err
	}
	a.SlotAt, a.CreatedAt = time.UnixMilli(slot).UTC(), time.UnixMilli(created).UTC()
	if checked.Valid {
		t := time.UnixMilli(checked.Int64).UTC()
		a.CheckedInAt = &t
	}
	return &a, nil
}

func (s *Service) appointmentByCode(ctx context.Context, agency, code string) (*Appointment, error) {
	a, err := scanAppointment(s.db.Read().QueryRowContext(ctx, "SELECT "+apptCols+" FROM queue_appointments WHERE code = $1 AND agency_code = $2", code, agency))
	if errors.Is(err, errNoRow) {
		return nil, ErrAppointmentNotFound
	}
	if err != nil {
		return nil, apperr.Wrap(err, "appointment")
	}
	return a, nil
}

// Appointment returns a booking by its code (what the citizen holds).
func (s *Service) Appointment(ctx context.Context, code string) (*Appointment, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 8 || strings.Trim(code, bookingAlphabet) != "" {
		return nil, ErrAppointmentNotFound
	}
	a, err := scanAppointment(s.db.Read().QueryRowContext(ctx, "SELECT "+apptCols+" FROM queue_appointments WHERE code = $1", code))
	if errors.Is(err, errNoRow) {
		return nil, ErrAppointmentNotFound
	}
	if err != nil {
		return nil, apperr.Wrap(err, "appointment")
	}
	if g, err := s.Group(ctx, a.Agency, a.Group); err == nil {
		a.GroupName = g.Name
	}
	return a, nil
}

// Slots lists the bookable times of a group on a day: the office periods cut
// into slots, each offering its share of what the open counters serving the
// group can serve in it.
func (s *Service) Slots(ctx context.Context, agency, group string, day time.Time) ([]Slot, error) {
	g, err := s.Group(ctx, agency, group)
	if err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx, agency)
	if err != nil {
		return nil, err
	}
	day = time.Date(day.In(calendar.Location).Year(), day.In(calendar.Location).Month(), day.In(calendar.Location).Day(), 0, 0, 0, 0, calendar.Location)
	now := s.now()
	today := time.Date(now.In(calendar.Location).Year(), now.In(calendar.Location).Month(), now.In(calendar.Location).Day(), 0, 0, 0, 0, calendar.Location)
	out := []Slot{}
	if day.Before(today) || day.After(today.AddDate(0, 0, st.BookingDays)) || s.cfg.Calendar == nil || !s.cfg.Calendar.IsWorkingDay(day) {
		return out, nil
	}
	per, counters := s.serviceEstimate(ctx, agency, g.Code)
	capacity := counters * st.SlotMinutes * 60 / per * st.BookingShare / 100
	if capacity <= 0 || !g.Active {
		return out, nil
	}
	booked := map[int64]int{}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT slot_at, COUNT(*) FROM queue_appointments WHERE agency_code = $1 AND group_code = $2
		AND slot_at >= $3 AND slot_at < $4 AND state IN ('booked', 'checked_in') GROUP BY slot_at`, agency, g.Code, ms(day), ms(day.AddDate(0, 0, 1)))
	if err != nil {
		return nil, apperr.Wrap(err, "slots")
	}
	for rows.Next() {
		var at int64
		var n int
		if err := rows.Scan(&at, &n); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "slots")
		}
		booked[at] = n
	}
	rows.Close()
	for _, p := range s.cfg.Calendar.Config().Office {
		for m := int(p.Start); m+st.SlotMinutes <= int(p.End); m += st.SlotMinutes {
			at := day.Add(time.Duration(m) * time.Minute)
			if !at.After(now) {
				continue
			}
			sl := Slot{At: at.UTC(), Minutes: st.SlotMinutes, Capacity: capacity, Booked: booked[ms(at)]}
			sl.Free = max(sl.Capacity-sl.Booked, 0)
			out = append(out, sl)
		}
	}
	return out, nil
}

// BookRequest books a slot.
type BookRequest struct {
	Agency string    `json:"agency,omitempty"`
	Group  string    `json:"group"`
	At     time.Time `json:"at"`
	Name   string    `json:"name"`
	Phone  string    `json:"phone"`
}

// Book takes a slot for a citizen if one is free, and queues the reminder.
func (s *Service) Book(ctx context.Context, req BookRequest) (*Appointment, error) {
	agency := req.Agency
	if agency == "" && s.cfg.Org != nil {
		if home, err := s.cfg.Org.Home(ctx); err == nil {
			agency = home.Code
		}
	}
	name := vntext.NFC(strings.Join(strings.Fields(req.Name), " "))
	phone := normalizePhone(req.Phone)
	switch {
	case name == "" || len([]rune(name)) > 100 || !vntext.Valid(req.Name):
		return nil, apperr.Field("name", "name_required", "Vui lòng nhập họ và tên (tối đa 100 ký tự).")
	case phone == "":
		return nil, apperr.Field("phone", "invalid_phone", "Số điện thoại di động không hợp lệ (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).")
	}
	slots, err := s.Slots(ctx, agency, req.Group, req.At)
	if err != nil {
		return nil, err
	}
	var slot *Slot
	for i := range slots {
		if slots[i].At.Equal(req.At) {
			slot = &slots[i]
		}
	}
	if slot == nil {
		return nil, apperr.Field("at", "slot_unavailable", "Khung giờ này không nhận đặt lịch. Vui lòng chọn khung giờ khác.")
	}
	g, _ := s.Group(ctx, agency, req.Group)
	now := s.now()
	a := &Appointment{ID: newID(10), Agency: agency, Group: req.Group, GroupName: g.Name, Code: bookingCode(), SlotAt: slot.At, SlotMinutes: slot.Minutes,
		Name: name, Phone: phone, State: "booked", CreatedAt: now.UTC()}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_appointments WHERE agency_code = $1 AND group_code = $2 AND slot_at = $3
			AND state IN ('booked', 'checked_in')`, agency, a.Group, ms(a.SlotAt)).Scan(&n); err != nil {
			return err
		}
		if n >= slot.Capacity {
			return apperr.Field("at", "slot_full", "Khung giờ này vừa hết chỗ. Vui lòng chọn khung giờ khác.")
		}
		// One live booking per phone and slot: a double tap books once.
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_appointments WHERE phone = $1 AND slot_at = $2 AND state = 'booked'`, phone, ms(a.SlotAt)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("at", "already_booked", "Số điện thoại này đã đặt lịch vào khung giờ này.")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO queue_appointments ("+apptCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', '', $9, NULL)",
			a.ID, agency, a.Group, a.Code, ms(a.SlotAt), a.SlotMinutes, a.Name, a.Phone, ms(now)); err != nil {
			return err
		}
		if s.cfg.Notifier != nil {
			remind := a.SlotAt.Add(-24 * time.Hour)
			if remind.Before(now.Add(time.Hour)) {
				remind = a.SlotAt.Add(-time.Hour)
			}
			if remind.After(now) {
				local := a.SlotAt.In(calendar.Location)
				body := fmt.Sprintf("Nhac lich hen tai Trung tam phuc vu hanh chinh cong: %s ngay %s, ma %s. Vui long den dung gio va nhap ma tai may lay so.",
					local.Format("15:04"), local.Format("02/01/2006"), a.Code)
				if err := s.cfg.Notifier.EnqueueSMS(ctx, tx, SMS{Agency: agency, To: phone, Body: body, Kind: "appointment_reminder",
					Key: "appointment_reminder:" + a.ID, NotBefore: remind, NotAfter: a.SlotAt}); err != nil {
					return err
				}
			}
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: audit.Actor{ID: "citizen", Name: name}, Action: "queue.book", ObjectType: "queue_appointment",
			ObjectID: a.ID, Detail: map[string]any{"group": a.Group, "slot_at": a.SlotAt, "phone": maskPhone(phone)}})
	})
	if err != nil {
		return nil, wrapWrite(err, "book appointment")
	}
	return a, nil
}

// CancelBooking cancels a booking by its code and phone number.
func (s *Service) CancelBooking(ctx context.Context, code, phone string) error {
	a, err := s.Appointment(ctx, code)
	if err != nil {
		return err
	}
	if normalizePhone(phone) != a.Phone {
		return ErrAppointmentNotFound // do not tell which part was wrong
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE queue_appointments SET state = 'cancelled' WHERE id = $1 AND state = 'booked'", a.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrAppointmentUsed
		}
		if s.cfg.Notifier != nil {
			if err := s.cfg.Notifier.CancelSMS(ctx, tx, "appointment_reminder:"+a.ID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: audit.Actor{ID: "citizen", Name: a.Name}, Action: "queue.cancel_booking",
			ObjectType: "queue_appointment", ObjectID: a.ID})
	})
	return wrapWrite(err, "cancel booking")
}

// bookingCode is eight letters and digits without look-alikes.
// bookingAlphabet has no 0/O or 1/I, which are read wrongly over the phone.
const bookingAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func bookingCode() string {
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = bookingAlphabet[int(b[i])%len(bookingAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

func maskPhone(p string) string {
	if len(p) < 7 {
		return strings.Repeat("*", len(p))
	}
	return p[:4] + "***" + p[len(p)-3:]
}

// Sweep closes yesterday's line (unless the centre keeps it overnight) and
// marks missed appointments; it returns how many it changed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	today := dayOf(now)
	changed := 0
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		changed = 0
		// Centre by centre, so that each statement reads the small index of
		// the live line rather than a year of tickets.
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT agency_code FROM queue_groups
			WHERE agency_code NOT IN (SELECT agency_code FROM queue_settings WHERE doc LIKE '%"keep_overnight":true%')`)
		if err != nil {
			return err
		}
		var agencies []string
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return err
			}
			agencies = append(agencies, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, agency := range agencies {
			res, err := tx.ExecContext(ctx, `UPDATE queue_tickets SET state = 'expired', rev = rev + 1
				WHERE agency_code = $1 AND day < $2 AND state IN ('waiting', 'called', 'held') AND `+liveTickets, agency, today)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			changed += int(n)
			// A service left open overnight ends at its last activity.
			res, err = tx.ExecContext(ctx, `UPDATE queue_tickets SET state = 'done', finished_at = COALESCE(started_at, called_at), rev = rev + 1
				WHERE agency_code = $1 AND day < $2 AND state = 'serving' AND `+liveTickets, agency, today)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			changed += int(n)
		}
		res, err := tx.ExecContext(ctx, `UPDATE queue_appointments SET state = 'no_show' WHERE state = 'booked' AND slot_at + slot_minutes * 60000 + $1 < $2`,
			checkInGrace.Milliseconds(), ms(now))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		changed += int(n)
		return nil
	})
	return changed, wrapWrite(err, "queue sweep")
}
