package queue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

const home = "H56.16072"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
func (c *clock) Set(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var (
	kiosk = &identity.Principal{ID: "kiosk1", Name: "Máy lấy số 1", Roles: []string{identity.RoleKiosk}}
	admin = &identity.Principal{ID: "admin", Name: "Quản trị", Roles: []string{identity.RoleAdministrator}, Agency: home}
)

// officer is someone seated at a counter.
func officer(n int) *identity.Principal {
	return &identity.Principal{ID: fmt.Sprintf("o%d", n), Name: fmt.Sprintf("Cán bộ quầy %d", n), Roles: []string{identity.RoleCounter},
		Agency: home, Counter: fmt.Sprint(n)}
}

type env struct {
	*apptest.Env
	clock *clock
	q     *queue.Service
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			c := &clock{}
			c.Set("2026-11-27 08:00") // a Friday
			a := apptest.Start(t, eng, apptest.Options{Commune: true, Now: c.Now})
			fn(t, &env{Env: a, clock: c, q: a.App.Queue})
		})
	}
}

func code(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func (e *env) issue(t *testing.T, group, priority string) *queue.Ticket {
	t.Helper()
	tk, err := e.q.Issue(context.Background(), kiosk, queue.IssueRequest{Group: group, Priority: priority})
	if err != nil {
		t.Fatalf("issue %s %s: %v", group, priority, err)
	}
	e.clock.Add(time.Second)
	return tk
}

func (e *env) next(t *testing.T, counter int) string {
	t.Helper()
	tk, err := e.q.CallNext(context.Background(), officer(counter), "", counter)
	if err != nil {
		t.Fatalf("call next at %d: %v", counter, err)
	}
	e.clock.Add(time.Second)
	if tk == nil {
		return ""
	}
	return tk.Label
}

func TestIssueAndNumbers(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.issue(t, "ho_tich", "")
		b := e.issue(t, "ho_tich", "elderly")
		c := e.issue(t, "chung_thuc", "")
		if a.Label != "A001" || b.Label != "A002" || c.Label != "B001" || a.Source != queue.SourceKiosk {
			t.Errorf("labels %s %s %s (%s)", a.Label, b.Label, c.Label, a.Source)
		}
		if a.Position != 0 || b.Position != 0 {
			t.Errorf("positions: normal %d (a priority ticket goes first only once it exists), priority %d", a.Position, b.Position)
		}
		if got, _ := e.q.Get(ctx, a.ID); got.Position != 1 || got.EstimatedWait <= 0 {
			t.Errorf("after a priority ticket: position %d, wait %d", got.Position, got.EstimatedWait)
		}
		// By procedure: the group that covers it.
		byProc, err := e.q.Issue(ctx, kiosk, queue.IssueRequest{Procedure: "1.001612"})
		if err != nil || byProc.Group != "kinh_doanh" || byProc.Label != "C001" {
			t.Fatalf("by procedure: %+v %v", byProc, err)
		}
		for _, bad := range []struct {
			req  queue.IssueRequest
			code string
		}{
			{queue.IssueRequest{}, "group_required"},
			{queue.IssueRequest{Group: "nope"}, "group_not_found"},
			{queue.IssueRequest{Group: "ho_tich", Priority: "vip"}, "invalid_priority"},
			{queue.IssueRequest{Group: "ho_tich", Phone: "12345"}, "invalid_phone"},
			{queue.IssueRequest{Procedure: "9.999999"}, "procedure_not_in_queue"},
			{queue.IssueRequest{Group: "ho_tich", AppointmentCode: "ZZZZZZZZ"}, "appointment_not_found"},
		} {
			if _, err := e.q.Issue(ctx, kiosk, bad.req); code(err) != bad.code {
				t.Errorf("%+v: %v, want %s", bad.req, err, bad.code)
			}
		}
		citizen := &identity.Principal{ID: "x", Roles: []string{"citizen"}}
		if _, err := e.q.Issue(ctx, citizen, queue.IssueRequest{Group: "ho_tich"}); code(err) != "forbidden" {
			t.Errorf("a non-kiosk issued: %v", err)
		}
		withPhone, err := e.q.Issue(ctx, kiosk, queue.IssueRequest{Group: "ho_tich", Phone: "+84 912 345 678"})
		if err != nil || withPhone.Phone != "0912345678" {
			t.Errorf("phone %q %v", withPhone.Phone, err)
		}
		// Numbers start again the next day; yesterday's line is closed.
		e.clock.Set("2026-11-28 07:45")
		if n, err := e.q.Sweep(ctx); err != nil || n != 5 {
			t.Errorf("sweep closed %d, %v", n, err)
		}
		if got, _ := e.q.Get(ctx, a.ID); got.State != queue.StateExpired {
			t.Errorf("yesterday's ticket: %s", got.State)
		}
		if d := e.issue(t, "ho_tich", ""); d.Label != "A001" {
			t.Errorf("next day: %s", d.Label)
		}
	})
}

func TestCallOrderStrict(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, tk := range []struct{ g, p string }{{"ho_tich", ""}, {"ho_tich", ""}, {"chung_thuc", ""}, {"ho_tich", "disabled"}, {"ho_tich", ""}, {"chung_thuc", "pregnant"}} {
			e.issue(t, tk.g, tk.p)
		}
		// Counter 1 serves civil status only; counter 3 both groups.
		var got []string
		for _, c := range []int{1, 1, 3, 3, 1, 3, 1} {
			got = append(got, fmt.Sprintf("%d:%s", c, e.next(t, c)))
		}
		want := "1:A003 1:A001 3:B002 3:A002 1:A004 3:B001 1:"
		if strings.Join(got, " ") != want {
			t.Errorf("calls %v, want %s", got, want)
		}
		// Calling the next finished the previous one at that counter.
		st, err := e.q.Stats(context.Background(), home, e.clock.Now(), e.clock.Now())
		if err != nil || st.Total.Issued != 6 || st.Total.Called != 6 || st.Total.Served != 5 {
			t.Errorf("stats %+v %v", st.Total, err)
		}
	})
}

func TestCallOrderInterleaved(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		st := queue.DefaultSettings()
		st.PriorityMode, st.InterleaveN = queue.ModeInterleave, 2
		if err := e.q.SaveSettings(ctx, admin.Actor(), home, st); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 6; i++ {
			e.issue(t, "ho_tich", "")
		}
		for i := 0; i < 3; i++ {
			e.issue(t, "ho_tich", "elderly")
		}
		var got []string
		for i := 0; i < 9; i++ {
			got = append(got, e.next(t, 1))
		}
		// Two normal, one priority, two normal, one priority …
		want := "A001 A002 A007 A003 A004 A008 A005 A006 A009"
		if strings.Join(got, " ") != want {
			t.Errorf("calls %v, want %s", got, want)
		}
		if err := e.q.SaveSettings(ctx, admin.Actor(), home, queue.Settings{PriorityMode: "random", InterleaveN: 1, MaxAbsences: 1, SlotMinutes: 30, BookingDays: 1}); code(err) != "invalid_priority_mode" {
			t.Errorf("bad mode: %v", err)
		}
	})
}

func TestTicketActions(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a := e.issue(t, "ho_tich", "")
		e.issue(t, "ho_tich", "")
		act := func(p *identity.Principal, id string, req queue.ActRequest) (*queue.Ticket, error) {
			tk, err := e.q.Act(ctx, p, id, req)
			e.clock.Add(time.Second)
			return tk, err
		}
		if e.next(t, 1) != "A001" {
			t.Fatal("first call")
		}
		// Only the counter that called it acts on it.
		if _, err := act(officer(3), a.ID, queue.ActRequest{Action: queue.ActStart, Counter: 3}); code(err) != "action_not_allowed" {
			t.Errorf("another counter started it: %v", err)
		}
		if _, err := act(officer(3), a.ID, queue.ActRequest{Action: queue.ActStart, Counter: 1}); code(err) != "not_at_counter" {
			t.Errorf("pretending to sit at counter 1: %v", err)
		}
		if tk, err := act(officer(1), a.ID, queue.ActRequest{Action: queue.ActRecall, Counter: 1}); err != nil || tk.Recalls != 1 {
			t.Fatalf("recall: %+v %v", tk, err)
		}
		// Absent: back in line after the grace (5 minutes), then a no-show.
		if tk, err := act(officer(1), a.ID, queue.ActRequest{Action: queue.ActAbsent, Counter: 1}); err != nil || tk.State != queue.StateWaiting {
			t.Fatalf("absent: %+v %v", tk, err)
		}
		if got := e.next(t, 1); got != "A002" {
			t.Errorf("during the grace: %s", got)
		}
		e.clock.Add(5 * time.Minute)
		if got := e.next(t, 1); got != "A001" {
			t.Errorf("after the grace: %s", got)
		}
		if tk, err := act(officer(1), a.ID, queue.ActRequest{Action: queue.ActAbsent, Counter: 1}); err != nil || tk.State != queue.StateNoShow {
			t.Fatalf("second absence: %+v %v", tk, err)
		}
		// Start, hold, resume, transfer to counter 3, which calls it first.
		c := e.issue(t, "ho_tich", "")
		d := e.issue(t, "ho_tich", "")
		if e.next(t, 1) != c.Label {
			t.Fatal("call c")
		}
		for _, a := range []string{queue.ActStart, queue.ActHold, queue.ActResume} {
			if _, err := act(officer(1), c.ID, queue.ActRequest{Action: a, Counter: 1}); err != nil {
				t.Fatalf("%s: %v", a, err)
			}
		}
		if tk, err := act(officer(1), c.ID, queue.ActRequest{Action: queue.ActTransfer, Counter: 1, To: 3}); err != nil || tk.State != queue.StateWaiting || tk.TargetCounter != 3 {
			t.Fatalf("transfer: %+v %v", tk, err)
		}
		if got := e.next(t, 1); got != d.Label {
			t.Errorf("counter 1 after the transfer: %s (the transferred ticket is counter 3's)", got)
		}
		if got := e.next(t, 3); got != c.Label {
			t.Errorf("counter 3 calls the ticket sent to it first: %s", got)
		}
		// To another group: certification; it keeps its number.
		if tk, err := act(officer(3), c.ID, queue.ActRequest{Action: queue.ActTransfer, Counter: 3, Group: "chung_thuc"}); err != nil || tk.Group != "chung_thuc" || tk.Label != c.Label {
			t.Fatalf("transfer to a group: %+v %v", tk, err)
		}
		if got := e.next(t, 2); got != c.Label {
			t.Errorf("certification counter: %s", got)
		}
		if tk, err := act(officer(2), c.ID, queue.ActRequest{Action: queue.ActLink, Counter: 2, Dossier: "h56.16072-261127-0001"}); err != nil || tk.Dossier != "H56.16072-261127-0001" {
			t.Fatalf("link: %+v %v", tk, err)
		}
		if tk, err := act(officer(2), c.ID, queue.ActRequest{Action: queue.ActFinish, Counter: 2}); err != nil || tk.State != queue.StateDone || tk.FinishedAt == nil {
			t.Fatalf("finish: %+v %v", tk, err)
		}
		for _, bad := range []struct {
			req  queue.ActRequest
			code string
		}{
			{queue.ActRequest{Action: "dance", Counter: 2}, "invalid_action"},
			{queue.ActRequest{Action: queue.ActFinish, Counter: 2}, "action_not_allowed"},
			{queue.ActRequest{Action: queue.ActLink, Counter: 2}, "invalid_dossier_code"},
		} {
			if _, err := act(officer(2), c.ID, bad.req); code(err) != bad.code {
				t.Errorf("%+v: %v", bad.req, err)
			}
		}
		// A mistaken ticket is cancelled by any staff of the centre.
		f := e.issue(t, "xa_hoi", "")
		if tk, err := act(&identity.Principal{ID: "s", Roles: []string{identity.RoleSpecialist}, Agency: home}, f.ID, queue.ActRequest{Action: queue.ActCancel}); err != nil || tk.State != queue.StateCancelled {
			t.Errorf("cancel: %+v %v", tk, err)
		}
		if n, err := audit.Verify(ctx, e.App.DB); err != nil || n.Problem != nil {
			t.Errorf("audit %+v %v", n, err)
		}
		// A closed counter does not call.
		if err := e.q.SetCounter(ctx, admin.Actor(), home, 5, []string{"xa_hoi"}, false); err != nil {
			t.Fatal(err)
		}
		if _, err := e.q.CallNext(ctx, officer(5), "", 5); code(err) != "counter_closed" {
			t.Errorf("closed counter: %v", err)
		}
	})
}

// No ticket is ever given to two counters, with six counters calling at
// once — and on PostgreSQL with two motcua instances sharing the database.
func TestNoTicketTwice(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			cfg := storetest.Config(t, eng)
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			var apps []*app.App
			instances := 1
			if eng == store.Postgres {
				instances = 2
			}
			for i := 0; i < instances; i++ {
				db, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				a, err := app.OpenWith(ctx, app.DefaultConfig(), quiet, db, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				apps = append(apps, a)
			}
			if _, err := demo.SeedCommune(ctx, apps[0].DB, time.Now()); err != nil {
				t.Fatal(err)
			}
			const tickets = 240
			for i := 0; i < tickets; i++ {
				g := []string{"ho_tich", "chung_thuc", "kinh_doanh", "xa_hoi", "cu_tru"}[i%5]
				p := ""
				if i%7 == 0 {
					p = "elderly"
				}
				if _, err := apps[i%instances].Queue.Issue(ctx, kiosk, queue.IssueRequest{Group: g, Priority: p}); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			calledBy := map[string]int{}
			var wg sync.WaitGroup
			errs := make(chan error, 12)
			for c := 1; c <= 6; c++ {
				for inst := range apps {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							tk, err := apps[inst].Queue.CallNext(ctx, officer(c), home, c)
							if err != nil {
								errs <- err
								return
							}
							if tk == nil {
								return
							}
							mu.Lock()
							if prev, dup := calledBy[tk.ID]; dup {
								errs <- fmt.Errorf("ticket %s called by counters %d and %d", tk.Label, prev, c)
							}
							calledBy[tk.ID] = c
							mu.Unlock()
						}
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if len(calledBy) != tickets {
				t.Errorf("%d of %d tickets called", len(calledBy), tickets)
			}
			var dbCalled int
			apps[0].DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM queue_tickets WHERE first_called_at IS NOT NULL").Scan(&dbCalled)
			if dbCalled != tickets {
				t.Errorf("%d tickets recorded as called", dbCalled)
			}
		})
	}
}

// The board hears each call with what to say, on this instance and —
// on PostgreSQL — on another instance sharing the database.
func TestEvents(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := storetest.Config(t, eng)
			quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
			var apps []*app.App
			instances := 1
			if eng == store.Postgres {
				instances = 2
			}
			for i := 0; i < instances; i++ {
				db, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				a, err := app.OpenWith(ctx, app.DefaultConfig(), quiet, db, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				apps = append(apps, a)
				go a.Queue.Run(ctx)
			}
			if _, err := demo.SeedCommune(ctx, apps[0].DB, time.Now()); err != nil {
				t.Fatal(err)
			}
			if eng == store.Postgres {
				deadline := time.Now().Add(5 * time.Second)
				for !(apps[0].Queue.Listening() && apps[1].Queue.Listening()) && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
			}
			board := apps[len(apps)-1].Queue.Subscribe(home)
			defer board.Close()
			if _, err := apps[0].Queue.Issue(ctx, kiosk, queue.IssueRequest{Group: "ho_tich", Priority: "elderly"}); err != nil {
				t.Fatal(err)
			}
			called, err := apps[0].Queue.CallNext(ctx, officer(1), "", 1)
			if err != nil || called == nil {
				t.Fatal(err)
			}
			var frames []string
			timeout := time.After(3 * time.Second)
			for len(frames) < 2 {
				select {
				case f := <-board.C:
					frames = append(frames, string(f))
				case <-timeout:
					t.Fatalf("frames received: %v", frames)
				}
			}
			var last struct {
				Event queue.Event `json:"event"`
				Board queue.Board `json:"board"`
			}
			if err := json.Unmarshal([]byte(frames[1]), &last); err != nil {
				t.Fatal(err)
			}
			if last.Event.Kind != "called" || last.Event.Label != "A001" || last.Event.Counter != 1 ||
				last.Event.Speech != "Mời công dân có số thứ tự A không không một, đến quầy số một." {
				t.Errorf("event %+v", last.Event)
			}
			if len(last.Board.Counters) != 6 || last.Board.Counters[0].Current != "A001" || len(last.Board.Recent) != 1 {
				t.Errorf("board %+v", last.Board)
			}
		})
	}
}

func TestAppointments(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		tomorrow := time.Date(2026, 11, 30, 0, 0, 0, 0, calendar.Location) // Monday
		slots, err := e.q.Slots(ctx, home, "kinh_doanh", tomorrow)
		if err != nil || len(slots) == 0 {
			t.Fatalf("slots: %v %v", slots, err)
		}
		// Office hours 07:30–11:30 and 13:00–17:00 in 30-minute slots; one
		// counter serves business at 12 minutes a person: 2 a slot, half
		// offered for booking.
		if len(slots) != 16 || slots[0].At.In(calendar.Location).Format("15:04") != "07:30" || slots[0].Capacity != 1 {
			t.Errorf("slots %d, first %v capacity %d", len(slots), slots[0].At.In(calendar.Location), slots[0].Capacity)
		}
		if s, _ := e.q.Slots(ctx, home, "kinh_doanh", time.Date(2026, 11, 29, 0, 0, 0, 0, calendar.Location)); len(s) != 0 {
			t.Errorf("a Sunday has %d slots", len(s))
		}
		at := slots[2].At // 08:30
		ap, err := e.q.Book(ctx, queue.BookRequest{Group: "kinh_doanh", At: at, Name: "  Phạm   Thị Hoa ", Phone: "0987 654 321"})
		if err != nil || ap.Name != "Phạm Thị Hoa" || len(ap.Code) != 8 {
			t.Fatalf("book: %+v %v", ap, err)
		}
		if _, err := e.q.Book(ctx, queue.BookRequest{Group: "kinh_doanh", At: at, Name: "Người khác", Phone: "0912000111"}); code(err) != "slot_full" && code(err) != "slot_unavailable" {
			t.Errorf("over capacity: %v", err)
		}
		for _, bad := range []queue.BookRequest{
			{Group: "kinh_doanh", At: at.Add(time.Minute), Name: "A", Phone: "0912000111"},
			{Group: "kinh_doanh", At: slots[3].At, Name: "", Phone: "0912000111"},
			{Group: "kinh_doanh", At: slots[3].At, Name: "A", Phone: "0212000111"},
		} {
			if _, err := e.q.Book(ctx, bad); err == nil {
				t.Errorf("booked %+v", bad)
			}
		}
		// Check-in too early (another day) is refused; on the day it places
		// the person ahead once the time comes.
		if _, err := e.q.Issue(ctx, kiosk, queue.IssueRequest{AppointmentCode: ap.Code}); code(err) != "appointment_not_today" {
			t.Errorf("check-in the day before: %v", err)
		}
		e.clock.Set("2026-11-30 08:00")
		walkIn := e.issue(t, "kinh_doanh", "")
		booked, err := e.q.Issue(ctx, kiosk, queue.IssueRequest{AppointmentCode: strings.ToLower(ap.Code)})
		if err != nil || booked.Source != queue.SourceAppointment || booked.Group != "kinh_doanh" {
			t.Fatalf("check-in: %+v %v", booked, err)
		}
		if _, err := e.q.Issue(ctx, kiosk, queue.IssueRequest{AppointmentCode: ap.Code}); code(err) != "appointment_used" {
			t.Errorf("second check-in: %v", err)
		}
		e.clock.Set("2026-11-30 08:31")
		later := e.issue(t, "kinh_doanh", "")
		_ = later
		if got := e.next(t, 4); got != booked.Label {
			t.Errorf("at the booked time the appointment goes first: %s (walk-in %s)", got, walkIn.Label)
		}
		// A booking nobody came for becomes a no-show.
		ap2, err := e.q.Book(ctx, queue.BookRequest{Group: "kinh_doanh", At: slots[5].At, Name: "Lê Văn Tám", Phone: "0912000222"})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Set("2026-11-30 11:00")
		if _, err := e.q.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.q.Appointment(ctx, ap2.Code); got.State != "no_show" {
			t.Errorf("missed booking: %s", got.State)
		}
		if err := e.q.CancelBooking(ctx, ap2.Code, "0912000222"); code(err) != "appointment_used" {
			t.Errorf("cancel a no-show: %v", err)
		}
	})
}

func TestSpeech(t *testing.T) {
	for n, want := range map[int]string{1: "một", 5: "năm", 10: "mười", 11: "mười một", 15: "mười lăm", 21: "hai mươi mốt", 24: "hai mươi tư", 35: "ba mươi lăm", 40: "bốn mươi"} {
		if got := queue.NumberWords(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	if got := queue.CallSpeech("B120", 12); got != "Mời công dân có số thứ tự B một hai không, đến quầy số mười hai." {
		t.Errorf("speech %q", got)
	}
}
