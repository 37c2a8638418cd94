package notify_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var start = time.Date(2026, 6, 1, 1, 30, 0, 0, time.UTC) // 08:30 in Hoa Lộc

// clock is a test clock that moves only when told.
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

// fakeSender records what it is asked to send; script decides each
// answer (nil: accepted).
type fakeSender struct {
	mu     sync.Mutex
	sent   []notify.Message
	calls  int
	script func(call int, m notify.Message) error
}

func (f *fakeSender) Send(ctx context.Context, m notify.Message) (string, error) {
	f.mu.Lock()
	f.calls++
	call, script := f.calls, f.script
	f.mu.Unlock()
	if script != nil {
		if err := script(call, m); err != nil {
			return "", err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return fmt.Sprintf("P%d", call), nil
}

func (f *fakeSender) Sandbox() bool { return false }

// bodies lists the bodies sent, in order.
func (f *fakeSender) bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, m := range f.sent {
		out = append(out, m.Body)
	}
	return out
}

func newOutbox(db *store.DB, s notify.Sender, c *clock) *notify.Outbox {
	return notify.New(notify.Config{DB: db, Sender: s, Log: quiet, Now: c.Now})
}

// msg is a message to number to, with body and key named by name.
func msg(to, name string) notify.Message {
	return notify.Message{To: to, Body: "Tin nhắn " + name, Kind: notify.KindQueueNear, Key: "k:" + name, Agency: "H56.16072"}
}

func enqueue(t *testing.T, db *store.DB, o *notify.Outbox, ms ...notify.Message) {
	t.Helper()
	err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, m := range ms {
			if err := o.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// row is a message as stored.
type row struct {
	state, lastError, providerID, to, body string
	attempts                               int
	next                                   time.Time
	sent                                   time.Time
}

func get(t *testing.T, db *store.DB, key string) row {
	t.Helper()
	var r row
	var next int64
	var sent sql.NullInt64
	err := db.Read().QueryRowContext(context.Background(), `SELECT state, last_error, provider_id, recipient, body, attempts, next_attempt_at, sent_at
		FROM notify_messages WHERE idem_key = $1`, key).Scan(&r.state, &r.lastError, &r.providerID, &r.to, &r.body, &r.attempts, &next, &sent)
	if err != nil {
		t.Fatalf("message %s: %v", key, err)
	}
	r.next, r.sent = store.FromMillis(next), store.FromMillis(sent.Int64)
	return r
}

func count(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM notify_messages").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func deliver(t *testing.T, o *notify.Outbox) int {
	t.Helper()
	n, err := o.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A message is written with the business change or not at all.
func TestEnqueueIsPartOfTheCallersTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		o := newOutbox(db, &fakeSender{}, c)
		boom := errors.New("the business change failed")
		err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := o.Enqueue(ctx, tx, msg("0912345678", "a")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("write: %v", err)
		}
		if n := count(t, db); n != 0 {
			t.Fatalf("%d messages left by a rolled-back write", n)
		}
		// A failing statement after the enqueue takes it down too.
		err = db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			if err := o.Enqueue(ctx, tx, msg("0912345678", "b")); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO no_such_table VALUES (1)")
			return err
		})
		if err == nil || count(t, db) != 0 {
			t.Fatalf("failed statement: %v, %d messages", err, count(t, db))
		}
		// An invalid message is the caller's error, and nothing is written.
		err = db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			return o.Enqueue(ctx, tx, msg("0212345678", "c"))
		})
		fieldErr(t, "landline", err, "to", "invalid_phone")
		if count(t, db) != 0 {
			t.Fatal("an invalid message was written")
		}
		// Committed, it is there — normalised — and pending.
		m := msg("+84 912.345.678", "d")
		m.Body = "  Ho\u0302\u0300 so\u031b đã có kết quả  "
		enqueue(t, db, o, m)
		r := get(t, db, "k:d")
		if r.state != notify.StatePending || r.to != "0912345678" || r.body != "Hồ sơ đã có kết quả" || r.attempts != 0 || !r.next.Equal(start) {
			t.Fatalf("stored: %+v", r)
		}
	})
}

func TestDuplicateKeysAreEnqueuedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{}
		o := newOutbox(db, s, c)
		first := msg("0912345678", "a")
		again := first
		again.Body = "Một nội dung khác"
		// Twice in one transaction, and again in another, and in a batch of
		// concurrent writes.
		enqueue(t, db, o, first, again)
		enqueue(t, db, o, again)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error { return o.Enqueue(ctx, tx, again) })
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db); n != 1 {
			t.Fatalf("%d messages for one key", n)
		}
		if r := get(t, db, "k:a"); r.body != first.Body {
			t.Fatalf("the first message's text was replaced: %q", r.body)
		}
		deliver(t, o)
		c.Add(time.Hour)
		deliver(t, o)
		if b := s.bodies(); len(b) != 1 {
			t.Fatalf("sent %v", b)
		}
		// Once sent, the key still stops a second message.
		enqueue(t, db, o, again)
		c.Add(time.Hour)
		if deliver(t, o) != 0 || count(t, db) != 1 {
			t.Fatal("a sent message's key was enqueued again")
		}
	})
}

// Messages go in the order they were enqueued; a number's messages never
// overtake one another and are spaced by MinGap.
func TestDeliveryOrderAndMinimumGap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{}
		o := newOutbox(db, s, c)
		enqueue(t, db, o, msg("0912345678", "X1"), msg("0351234567", "Y1"))
		enqueue(t, db, o, msg("0912345678", "X2"), msg("0771234567", "Z1"))
		enqueue(t, db, o, msg("0912345678", "X3"))
		if n := deliver(t, o); n != 3 {
			t.Fatalf("first pass claimed %d", n)
		}
		if b := s.bodies(); !equalStrings(b, []string{"Tin nhắn X1", "Tin nhắn Y1", "Tin nhắn Z1"}) {
			t.Fatalf("first pass sent %q", b)
		}
		// X2 waits a minute after X1.
		c.Add(59 * time.Second)
		if n := deliver(t, o); n != 0 {
			t.Fatalf("sent %d within the minimum gap", n)
		}
		c.Add(time.Second + time.Millisecond)
		if n := deliver(t, o); n != 1 {
			t.Fatalf("after the gap: %d", n)
		}
		c.Add(30 * time.Second)
		deliver(t, o)
		c.Add(30*time.Second + time.Millisecond)
		deliver(t, o)
		want := []string{"Tin nhắn X1", "Tin nhắn Y1", "Tin nhắn Z1", "Tin nhắn X2", "Tin nhắn X3"}
		if b := s.bodies(); !equalStrings(b, want) {
			t.Fatalf("sent %q, want %q", b, want)
		}
		x1, x2, x3 := get(t, db, "k:X1"), get(t, db, "k:X2"), get(t, db, "k:X3")
		if x2.sent.Sub(x1.sent) < time.Minute || x3.sent.Sub(x2.sent) < time.Minute {
			t.Fatalf("sent at %v, %v, %v", x1.sent, x2.sent, x3.sent)
		}
		for _, k := range []string{"k:X1", "k:Y1", "k:Z1", "k:X2", "k:X3"} {
			if r := get(t, db, k); r.state != notify.StateSent || r.attempts != 1 || r.providerID == "" {
				t.Errorf("%s: %+v", k, r)
			}
		}
		// The gateway is given the normalised message with its id.
		for _, m := range s.sent {
			if len(m.ID) != 32 || m.Kind != notify.KindQueueNear || m.Agency != "H56.16072" || m.Channel != "sms" {
				t.Errorf("sent %+v", m)
			}
		}
	})
}

// A message scheduled for later does not hold up a later-enqueued message
// due now; NotBefore is kept.
func TestScheduledMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{}
		o := newOutbox(db, s, c)
		tomorrow := msg("0912345678", "reminder")
		tomorrow.Kind = notify.KindAppointmentReminder
		tomorrow.NotBefore = start.Add(24 * time.Hour)
		enqueue(t, db, o, tomorrow, msg("0912345678", "now"))
		deliver(t, o)
		if b := s.bodies(); !equalStrings(b, []string{"Tin nhắn now"}) {
			t.Fatalf("sent %q", b)
		}
		c.Add(24*time.Hour - time.Millisecond)
		if deliver(t, o) != 0 {
			t.Fatal("sent before NotBefore")
		}
		c.Add(time.Millisecond)
		deliver(t, o)
		if b := s.bodies(); len(b) != 2 || b[1] != "Tin nhắn reminder" {
			t.Fatalf("sent %q", b)
		}
	})
}

func TestRetryWithBackoffThenSuccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{script: func(call int, m notify.Message) error {
			if call <= 2 {
				return &notify.SendError{Class: notify.Temporary, Code: "http_503", Message: "Cổng SMS đang bận."}
			}
			return nil
		}}
		o := newOutbox(db, s, c)
		enqueue(t, db, o, msg("0912345678", "a"), msg("0912345678", "b"))
		deliver(t, o)
		r := get(t, db, "k:a")
		if r.state != notify.StatePending || r.attempts != 1 || !r.next.Equal(start.Add(30*time.Second)) || r.lastError != "http_503: Cổng SMS đang bận." {
			t.Fatalf("after a failure: %+v", r)
		}
		// Not again before its time; and the number's next message waits
		// behind it.
		c.Add(29 * time.Second)
		if deliver(t, o) != 0 {
			t.Fatal("retried too early, or b overtook a")
		}
		c.Add(time.Second)
		deliver(t, o)
		if r := get(t, db, "k:a"); r.attempts != 2 || !r.next.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("second failure: %+v (the wait doubles)", r)
		}
		c.Add(time.Minute)
		deliver(t, o)
		if r := get(t, db, "k:a"); r.state != notify.StateSent || r.attempts != 3 || r.lastError != "" || r.providerID != "P3" {
			t.Fatalf("after success: %+v", r)
		}
		if get(t, db, "k:b").state != notify.StatePending {
			t.Fatal("b went with a")
		}
		c.Add(time.Minute)
		deliver(t, o)
		if b := s.bodies(); !equalStrings(b, []string{"Tin nhắn a", "Tin nhắn b"}) {
			t.Fatalf("sent %q", b)
		}
	})
}

func TestBackoffHonoursRetryAfterAndCaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{script: func(call int, m notify.Message) error {
			return &notify.SendError{Class: notify.Temporary, Code: "http_429", Message: "Quá nhiều yêu cầu.", RetryAfter: 10 * time.Minute}
		}}
		o := notify.New(notify.Config{DB: db, Sender: s, Log: quiet, Now: c.Now, MaxAttempts: 20, MaxBackoff: 15 * time.Minute})
		enqueue(t, db, o, msg("0912345678", "a"))
		deliver(t, o)
		if r := get(t, db, "k:a"); !r.next.Equal(start.Add(10 * time.Minute)) {
			t.Fatalf("the gateway's Retry-After is not honoured: next %v", r.next.Sub(start))
		}
		for i := 0; i < 8; i++ {
			c.Add(time.Hour)
			deliver(t, o)
		}
		if r := get(t, db, "k:a"); r.attempts != 9 || !r.next.Equal(c.Now().Add(15*time.Minute)) {
			t.Fatalf("the wait is not capped: %+v, next in %v", r, r.next.Sub(c.Now()))
		}
	})
}

func TestPermanentFailureAndGivingUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{script: func(call int, m notify.Message) error {
			switch m.To {
			case "0501234567":
				return &notify.SendError{Class: notify.Permanent, Code: "108", Message: "Số điện thoại không thuộc nhà mạng nào."}
			case "0912345678":
				return errors.New("connection reset by peer") // not a SendError: temporary
			}
			return nil
		}}
		o := notify.New(notify.Config{DB: db, Sender: s, Log: quiet, Now: c.Now, MaxAttempts: 3})
		enqueue(t, db, o, msg("0501234567", "nowhere"), msg("0912345678", "flaky"), msg("0351234567", "fine"))
		deliver(t, o)
		if r := get(t, db, "k:nowhere"); r.state != notify.StateFailed || r.attempts != 1 || r.lastError != "108: Số điện thoại không thuộc nhà mạng nào." {
			t.Fatalf("permanent: %+v", r)
		}
		if r := get(t, db, "k:fine"); r.state != notify.StateSent {
			t.Fatalf("a failure held up another number: %+v", r)
		}
		for i := 0; i < 5; i++ {
			c.Add(time.Hour)
			deliver(t, o)
		}
		r := get(t, db, "k:flaky")
		if r.state != notify.StateFailed || r.attempts != 3 || r.lastError == "" {
			t.Fatalf("after the last attempt: %+v", r)
		}
		// A failed message does not block the number's next one.
		enqueue(t, db, o, msg("0501234567", "later"))
		deliver(t, o)
		if s.calls != 1+3+1+1 {
			t.Fatalf("%d calls", s.calls)
		}
	})
}

func TestExpiredMessagesAreNotSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{script: func(call int, m notify.Message) error {
			return &notify.SendError{Class: notify.Temporary, Code: "network", Message: "Cổng SMS không trả lời."}
		}}
		o := newOutbox(db, s, c)
		near := msg("0912345678", "near")
		near.NotAfter = start.Add(45 * time.Second)
		enqueue(t, db, o, near)
		deliver(t, o) // fails; next attempt at +30s
		s.script = nil
		c.Add(time.Minute)
		deliver(t, o)
		if r := get(t, db, "k:near"); r.state != notify.StateExpired || r.lastError == "" {
			t.Fatalf("%+v", r)
		}
		if len(s.sent) != 0 {
			t.Fatal("an expired message was sent")
		}
		// A window already over (NotAfter before now) is refused on enqueue.
		late := msg("0912345678", "late")
		late.NotAfter = c.Now().Add(-time.Second)
		err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error { return o.Enqueue(ctx, tx, late) })
		fieldErr(t, "window over", err, "not_after", "invalid_send_window")
	})
}

// When the gateway refuses the account (balance, key), the pass stops, the
// messages keep their attempts and the worker pauses.
func TestAccountRefusalPausesWithoutSpendingAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		broke := true
		s := &fakeSender{script: func(call int, m notify.Message) error {
			if broke {
				return &notify.SendError{Class: notify.Account, Code: "103", Message: "Tài khoản cổng SMS đã hết hạn mức."}
			}
			return nil
		}}
		o := newOutbox(db, s, c)
		enqueue(t, db, o, msg("0912345678", "a"), msg("0351234567", "b"), msg("0771234567", "c"))
		if n := deliver(t, o); n != 3 {
			t.Fatalf("claimed %d", n)
		}
		if s.calls != 1 {
			t.Fatalf("%d requests to a gateway that refuses the account", s.calls)
		}
		for _, k := range []string{"k:a", "k:b", "k:c"} {
			r := get(t, db, k)
			if r.state != notify.StatePending || r.attempts != 0 || !r.next.Equal(start.Add(5*time.Minute)) {
				t.Errorf("%s: %+v", k, r)
			}
		}
		if r := get(t, db, "k:a"); r.lastError != "103: Tài khoản cổng SMS đã hết hạn mức." {
			t.Errorf("last error %q", r.lastError)
		}
		c.Add(4 * time.Minute)
		if deliver(t, o) != 0 || s.calls != 1 {
			t.Fatal("the worker did not pause")
		}
		broke = false
		c.Add(time.Minute)
		deliver(t, o)
		if b := s.bodies(); len(b) != 3 {
			t.Fatalf("after the top-up: %q", b)
		}
	})
}

// blockingSender hangs in Send until released, as a worker that died
// mid-send would have.
type blockingSender struct {
	entered chan notify.Message
	release chan error
}

func (b *blockingSender) Send(ctx context.Context, m notify.Message) (string, error) {
	b.entered <- m
	select {
	case err := <-b.release:
		return "LATE", err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (b *blockingSender) Sandbox() bool { return false }

// A message being sent by a worker that dies is sent again after the lease;
// the dead worker, should it wake, changes nothing.
func TestMessageOfADeadWorkerIsSentAfterItsLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		dead := &blockingSender{entered: make(chan notify.Message, 1), release: make(chan error)}
		a := newOutbox(db, dead, c)
		enqueue(t, db, a, msg("0912345678", "a"), msg("0912345678", "a2"))
		done := make(chan struct{})
		go func() {
			defer close(done)
			a.DeliverDue(context.Background())
		}()
		m := <-dead.entered
		if r := get(t, db, "k:a"); r.state != notify.StateSending || r.attempts != 1 || !r.next.Equal(start.Add(2*time.Minute)) {
			t.Fatalf("in flight: %+v", r)
		}
		// Another worker (a restarted process) leaves it alone during the
		// lease, and the number's next message waits behind it.
		s := &fakeSender{}
		b := newOutbox(db, s, c)
		c.Add(2*time.Minute - time.Millisecond)
		if n := deliver(t, b); n != 0 {
			t.Fatalf("took %d messages under a live lease", n)
		}
		c.Add(time.Millisecond)
		if n := deliver(t, b); n != 1 {
			t.Fatalf("after the lease: %d", n)
		}
		if len(s.sent) != 1 || s.sent[0].ID != m.ID {
			t.Fatalf("sent %+v", s.sent)
		}
		r := get(t, db, "k:a")
		if r.state != notify.StateSent || r.attempts != 2 || r.providerID != "P1" {
			t.Fatalf("after the takeover: %+v", r)
		}
		// The first worker's late answer is ignored.
		dead.release <- nil
		<-done
		if r := get(t, db, "k:a"); r.providerID != "P1" || r.attempts != 2 {
			t.Fatalf("the dead worker's answer overwrote the outcome: %+v", r)
		}
		c.Add(time.Minute)
		deliver(t, b)
		if get(t, db, "k:a2").state != notify.StateSent {
			t.Fatal("the number's next message was not sent")
		}
	})
}

// A worker that dies during the last allowed attempt leaves the message
// failed, not sending forever.
func TestInterruptedLastAttemptFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		dead := &blockingSender{entered: make(chan notify.Message, 1), release: make(chan error, 1)}
		a := notify.New(notify.Config{DB: db, Sender: dead, Log: quiet, Now: c.Now, MaxAttempts: 1})
		enqueue(t, db, a, msg("0912345678", "a"))
		done := make(chan struct{})
		go func() { defer close(done); a.DeliverDue(context.Background()) }()
		<-dead.entered
		c.Add(3 * time.Minute)
		s := &fakeSender{}
		b := notify.New(notify.Config{DB: db, Sender: s, Log: quiet, Now: c.Now, MaxAttempts: 1})
		deliver(t, b)
		if r := get(t, db, "k:a"); r.state != notify.StateFailed || r.lastError == "" || len(s.sent) != 0 {
			t.Fatalf("%+v, sent %d", r, len(s.sent))
		}
		dead.release <- errors.New("late")
		<-done
	})
}

// Stopping the worker mid-send puts the message back without spending an
// attempt.
func TestShutdownReleasesMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		bs := &blockingSender{entered: make(chan notify.Message, 1), release: make(chan error)}
		o := newOutbox(db, bs, c)
		enqueue(t, db, o, msg("0912345678", "a"), msg("0351234567", "b"))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		go func() {
			n, _ := o.DeliverDue(ctx)
			done <- n
		}()
		<-bs.entered
		cancel()
		if n := <-done; n != 2 {
			t.Fatalf("claimed %d", n)
		}
		for _, k := range []string{"k:a", "k:b"} {
			if r := get(t, db, k); r.state != notify.StatePending || r.attempts != 0 || !r.next.Equal(start) {
				t.Errorf("%s after shutdown: %+v", k, r)
			}
		}
		s := &fakeSender{}
		deliver(t, newOutbox(db, s, c))
		if len(s.sent) != 2 {
			t.Fatalf("after restart sent %d", len(s.sent))
		}
	})
}

func TestRunDeliversUntilStopped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := &fakeSender{}
		sent := make(chan struct{}, 10)
		s.script = func(int, notify.Message) error { sent <- struct{}{}; return nil }
		o := notify.New(notify.Config{DB: db, Sender: s, Log: quiet, Poll: time.Hour}) // only kicks wake it
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { defer close(stopped); o.Run(ctx) }()
		enqueue(t, db, o, msg("0912345678", "a"))
		o.Kick()
		select {
		case <-sent:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not send the kicked message")
		}
		cancel()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not stop")
		}
	})
}

func TestListIsForTheAgencysAdministratorAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{t: start}
		o := newOutbox(db, &fakeSender{}, c)
		other := msg("0987654321", "other")
		other.Agency = "H56.16073"
		enqueue(t, db, o, msg("0912345678", "a"), msg("0351234567", "b"), other)
		deliver(t, o)
		admin := &identity.Principal{ID: "u-admin", Name: "Quản trị", Roles: []string{identity.RoleAdministrator}, Agency: "H56.16072"}
		list, err := o.List(ctx, admin, "H56.16072", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Key != "k:b" || list[1].Key != "k:a" {
			t.Fatalf("list %+v", list)
		}
		r := list[1]
		if r.State != notify.StateSent || r.Attempts != 1 || r.Segments != 1 || r.ProviderID == "" || r.SentAt.IsZero() || !r.CreatedAt.Equal(start) ||
			r.To != "0912345678" || r.MaskedTo() != "0912***678" || r.Sandbox {
			t.Fatalf("record %+v", r)
		}
		if l, _ := o.List(ctx, admin, "H56.16072", 1); len(l) != 1 {
			t.Fatalf("limit 1: %d", len(l))
		}
		entries, err := audit.ForObject(ctx, db, "notify_messages", "H56.16072")
		if err != nil || len(entries) != 2 || entries[0].Action != "notify.list" || entries[0].ActorID != "u-admin" {
			t.Fatalf("audit %+v %v", entries, err)
		}
		// Others may not read it.
		for name, p := range map[string]*identity.Principal{
			"nobody":          nil,
			"counter":         {ID: "u1", Roles: []string{identity.RoleCounter}, Agency: "H56.16072"},
			"other agency":    {ID: "u2", Roles: []string{identity.RoleAdministrator}, Agency: "H56.16073"},
			"no agency given": admin,
		} {
			agency := "H56.16072"
			if name == "no agency given" {
				agency = ""
			}
			_, err := o.List(ctx, p, agency, 10)
			if apperr.As(err).Kind != apperr.Forbidden {
				t.Errorf("%s: %v", name, err)
			}
		}
		if entries, _ := audit.ForObject(ctx, db, "notify_messages", "H56.16072"); len(entries) != 2 {
			t.Errorf("a refused read was audited as a read: %d entries", len(entries))
		}
	})
}

// A waiting message can be withdrawn (the appointment was cancelled); one
// already sent cannot, and its key stays used.
func TestCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := &clock{t: start}
		s := &fakeSender{}
		o := newOutbox(db, s, c)
		reminder := msg("0912345678", "reminder")
		reminder.Kind = notify.KindAppointmentReminder
		reminder.NotBefore = start.Add(time.Hour)
		enqueue(t, db, o, reminder, msg("0351234567", "now"))
		deliver(t, o)
		cancel := func(key string) {
			t.Helper()
			if err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error { return o.Cancel(ctx, tx, key) }); err != nil {
				t.Fatal(err)
			}
		}
		cancel("k:reminder")
		cancel("k:now")
		cancel("k:unknown")
		if r := get(t, db, "k:reminder"); r.state != notify.StateCancelled {
			t.Fatalf("reminder: %+v", r)
		}
		if r := get(t, db, "k:now"); r.state != notify.StateSent {
			t.Fatalf("a sent message was cancelled: %+v", r)
		}
		// A cancelled message neither goes nor holds up the number's next one.
		enqueue(t, db, o, msg("0912345678", "next"), reminder)
		c.Add(2 * time.Hour)
		deliver(t, o)
		if b := s.bodies(); !equalStrings(b, []string{"Tin nhắn now", "Tin nhắn next"}) {
			t.Fatalf("sent %q", b)
		}
	})
}
