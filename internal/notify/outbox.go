package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// States of a message in the outbox.
const (
	StatePending   = "pending"   // waiting for its time, its turn or its next attempt
	StateSending   = "sending"   // handed to a worker, under a lease
	StateSent      = "sent"      // accepted by the gateway
	StateFailed    = "failed"    // given up: refused for good, or out of attempts
	StateExpired   = "expired"   // not sent before NotAfter
	StateCancelled = "cancelled" // withdrawn by its sender before it went
)

// Config configures an Outbox. Zero durations and counts take the defaults.
type Config struct {
	DB     *store.DB
	Sender Sender
	Log    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MinGap is the least time between two messages to one number, so that
	// "two people ahead" and "your turn" do not arrive in one burst.
	// Default one minute.
	MinGap time.Duration
	// MaxAttempts is how many times a message is tried before it fails.
	// Default 8 (about an hour of retries with the default backoff).
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after
	// each further one up to MaxBackoff. Defaults 30 seconds and 30 minutes.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// AccountBackoff is the wait after the gateway refused the account
	// (no balance, wrong key). Default 5 minutes.
	AccountBackoff time.Duration
	// Lease is how long a worker owns a message it is sending; a message
	// still "sending" after its lease (the worker died) is sent again.
	// Default 2 minutes; one send is bounded by half of it.
	Lease time.Duration
	// Batch is how many messages one pass claims. Default 20.
	Batch int
	// Poll is how often Run looks for due messages. Default 2 seconds.
	Poll time.Duration
	// VerifyKey, when set, makes Enqueue end each SMS with a verification
	// code derived from it ("Ma kiem tra: XXXX-XXXX") that Check looks up,
	// so citizens can tell the centre's messages from fakes (LoadVerifyKey).
	VerifyKey []byte
}

// Outbox holds messages until they are delivered.
type Outbox struct {
	cfg  Config
	db   *store.DB
	log  *slog.Logger
	now  func() time.Time
	kick chan struct{}

	mu     sync.Mutex
	paused time.Time
}

// New returns the outbox.
func New(cfg Config) *Outbox {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.MinGap, time.Minute)
	def(&cfg.Backoff, 30*time.Second)
	def(&cfg.MaxBackoff, 30*time.Minute)
	def(&cfg.AccountBackoff, 5*time.Minute)
	def(&cfg.Lease, 2*time.Minute)
	def(&cfg.Poll, 2*time.Second)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Outbox{cfg: cfg, db: cfg.DB, log: cfg.Log, now: cfg.Now, kick: make(chan struct{}, 1)}
}

// Sandbox reports whether messages go to the sandbox (nothing is delivered).
func (o *Outbox) Sandbox() bool { return o.cfg.Sender != nil && o.cfg.Sender.Sandbox() }

// Enqueue writes m in the caller's write transaction, so that it is
// delivered if and only if the caller's change commits. A message whose Key
// is already in the outbox is ignored (no error). It returns a field error
// (apperr, Invalid) when the number or the body is not acceptable; it has
// no effect outside tx, so a Write that runs it again is safe.
func (o *Outbox) Enqueue(ctx context.Context, tx store.Tx, m Message) error {
	m, err := Validate(m)
	if err != nil {
		return err
	}
	now := o.now()
	notBefore := m.NotBefore
	if notBefore.IsZero() || notBefore.Before(now) {
		notBefore = now
	}
	if !m.NotAfter.IsZero() && !m.NotAfter.After(notBefore) {
		return ErrWindow
	}
	id := newID()
	code := ""
	if len(o.cfg.VerifyKey) > 0 && !reVerifyCode.MatchString(m.Body) {
		code = verifyCode(o.cfg.VerifyKey, id, m.To, m.Body)
		if m.Body, err = cleanBody(m.Body + verifySuffix + code); err != nil {
			return err // too long with the code: the caller shortens its text
		}
	}
	segments, _ := Segments(m.Body)
	// Writes are serialised (one writer; an advisory lock across
	// PostgreSQL instances), so the next sequence number is safe to take.
	var seq int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM notify_messages").Scan(&seq); err != nil {
		return fmt.Errorf("notify: enqueue: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notify_messages (id, seq, idem_key, agency_code, channel, recipient, body, kind, segments,
		state, not_before, not_after, next_attempt_at, created_at, updated_at, verify_code)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $10, $12, $12, $13)
		ON CONFLICT (idem_key) DO NOTHING`,
		id, seq, m.Key, m.Agency, m.Channel, m.To, m.Body, m.Kind, segments,
		store.Millis(notBefore), store.NullMillis(m.NotAfter), store.Millis(now), code)
	if err != nil {
		return fmt.Errorf("notify: enqueue: %w", err)
	}
	return nil
}

// Cancel withdraws the waiting message enqueued with key (a reminder of an
// appointment that was cancelled), in the caller's transaction. A message
// already handed to the gateway, sent or settled is left as it is, and so
// is an unknown key. The key stays used: a new message needs a new key.
func (o *Outbox) Cancel(ctx context.Context, tx store.Tx, key string) error {
	_, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'cancelled', updated_at = $1 WHERE idem_key = $2 AND state = 'pending'`,
		store.Millis(o.now()), key)
	if err != nil {
		return fmt.Errorf("notify: cancel: %w", err)
	}
	return nil
}

// Kick wakes Run to look for due messages now, e.g. right after a write
// that enqueued one has committed. It never blocks.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx ends: a pass whenever kicked, and at
// least every Poll. All its state is in the database, so it may stop at any
// moment and another Run (here or in another motcua sharing the
// PostgreSQL database) takes over.
func (o *Outbox) Run(ctx context.Context) {
	o.log.Info("notify: delivering messages", "sandbox", o.Sandbox(), "min_gap", o.cfg.MinGap.String(), "max_attempts", o.cfg.MaxAttempts)
	for {
		n, err := o.DeliverDue(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			o.log.Warn("notify: delivery pass", "err", err)
		}
		if err == nil && n >= o.cfg.Batch {
			continue // there may be more
		}
		select {
		case <-ctx.Done():
			return
		case <-o.kick:
		case <-time.After(o.cfg.Poll):
		}
	}
}

// claimed is a message a pass took.
type claimed struct {
	Message
	attempts int
}

// DeliverDue runs one delivery pass: it claims the messages that are due
// (at most Batch, the oldest first, one per number) and sends them, and
// returns how many it claimed. A message is due when its time has come
// (NotBefore, or the next attempt after a failure, or the end of a dead
// worker's lease), no earlier message to the same number is still waiting
// to be sent, and no message reached that number within MinGap.
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	if o.cfg.Sender == nil {
		return 0, errors.New("notify: no sender")
	}
	now := o.now()
	if now.Before(o.pausedUntil()) {
		return 0, nil
	}
	// Most passes find nothing: ask a reader before taking the writer.
	var due int
	err := o.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_messages WHERE state IN ('pending', 'sending') AND next_attempt_at <= $1`,
		store.Millis(now)).Scan(&due)
	if err != nil {
		return 0, fmt.Errorf("notify: look for due messages: %w", err)
	}
	if due == 0 {
		return 0, nil
	}
	batch, err := o.claim(ctx, now)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	for i, c := range batch {
		if ctx.Err() != nil {
			// Shutting down: the rest go back at once, attempts not counted.
			return len(batch), o.release(context.WithoutCancel(ctx), batch[i:], o.now())
		}
		if o.deliver(ctx, c) {
			// The gateway refuses the account: every other message would
			// be refused too. They wait, attempts not counted, and this
			// worker pauses.
			until := o.now().Add(o.cfg.AccountBackoff)
			o.pause(until)
			return len(batch), o.release(context.WithoutCancel(ctx), batch[i+1:], until)
		}
	}
	return len(batch), nil
}

// claim marks the due messages as sending, under a lease, in one write.
func (o *Outbox) claim(ctx context.Context, now time.Time) ([]claimed, error) {
	nowMs, leaseMs := store.Millis(now), store.Millis(now.Add(o.cfg.Lease))
	gapMs := store.Millis(now.Add(-o.cfg.MinGap))
	var out []claimed
	err := o.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		out = out[:0]
		// Give up what is too late, and what a dead worker was sending
		// on its last attempt.
		if _, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'expired', last_error = $1, updated_at = $2
			WHERE state IN ('pending', 'sending') AND next_attempt_at <= $2 AND not_after IS NOT NULL AND not_after <= $2`,
			textExpired, nowMs); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'failed', last_error = $1, updated_at = $2
			WHERE state = 'sending' AND next_attempt_at <= $2 AND attempts >= $3`,
			fmt.Sprintf(textInterrupted, o.cfg.MaxAttempts), nowMs, o.cfg.MaxAttempts); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT m.id, m.channel, m.recipient, m.body, m.kind, m.idem_key, m.agency_code, m.not_before, m.not_after, m.attempts
			FROM notify_messages m
			WHERE m.state IN ('pending', 'sending') AND m.next_attempt_at <= $1
			  AND NOT EXISTS (SELECT 1 FROM notify_messages e WHERE e.recipient = m.recipient AND e.seq < m.seq
			                  AND e.state IN ('pending', 'sending') AND e.not_before <= $1)
			  AND NOT EXISTS (SELECT 1 FROM notify_messages g WHERE g.recipient = m.recipient AND g.state = 'sent' AND g.sent_at > $2)
			ORDER BY m.seq
			LIMIT $3`, nowMs, gapMs, o.cfg.Batch)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for rows.Next() {
			var c claimed
			var notBefore int64
			var notAfter sql.NullInt64
			if err := rows.Scan(&c.ID, &c.Channel, &c.To, &c.Body, &c.Kind, &c.Key, &c.Agency, &notBefore, &notAfter, &c.attempts); err != nil {
				rows.Close()
				return err
			}
			c.NotBefore, c.NotAfter = store.FromMillis(notBefore), store.FromMillis(notAfter.Int64)
			if !seen[c.To] { // one per number in a pass (the query already ensures it)
				seen[c.To] = true
				out = append(out, c)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			out[i].attempts++
			if _, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'sending', attempts = $1, next_attempt_at = $2, updated_at = $3
				WHERE id = $4`, out[i].attempts, leaseMs, nowMs, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("notify: claim messages: %w", err)
	}
	return out, nil
}

// deliver sends one claimed message and records the outcome. It reports
// whether the gateway refused the account (an Account error).
func (o *Outbox) deliver(ctx context.Context, c claimed) (accountRefused bool) {
	sctx, cancel := context.WithTimeout(ctx, o.cfg.Lease/2)
	providerID, err := o.cfg.Sender.Send(sctx, c.Message)
	cancel()
	now := o.now()
	nowMs := store.Millis(now)
	sandbox := o.cfg.Sender.Sandbox()
	log := o.log.With("id", c.ID, "kind", c.Kind, "to", Mask(c.To), "attempt", c.attempts, "sandbox", sandbox)
	if err == nil {
		o.record(ctx, c, `UPDATE notify_messages SET state = 'sent', provider_id = $1, sent_at = $2, sandbox = $3, last_error = '', updated_at = $2
			WHERE id = $4 AND state = 'sending' AND attempts = $5`, providerID, nowMs, sandbox, c.ID, c.attempts)
		metricMessages.WithLabelValues(StateSent).Inc()
		log.Info("notify: message sent", "provider_id", providerID)
		return false
	}
	if ctx.Err() != nil {
		// Shutting down: the message goes back, this attempt not counted.
		if err := o.release(context.WithoutCancel(ctx), []claimed{c}, now); err != nil {
			log.Error("notify: release message", "err", err)
		}
		return false
	}
	se := &SendError{Class: Temporary, Code: "error", Message: textUnavailable, Err: err}
	errors.As(err, &se)
	text := truncate(se.Code+": "+se.Message, 300)
	switch {
	case se.Class == Permanent:
		o.record(ctx, c, `UPDATE notify_messages SET state = 'failed', last_error = $1, sandbox = $2, updated_at = $3
			WHERE id = $4 AND state = 'sending' AND attempts = $5`, text, sandbox, nowMs, c.ID, c.attempts)
		metricMessages.WithLabelValues(StateFailed).Inc()
		log.Warn("notify: message refused for good", "code", se.Code, "err", err)
	case se.Class == Account:
		// Not the message's fault: it keeps its attempt and waits.
		next := now.Add(max(o.cfg.AccountBackoff, se.RetryAfter))
		o.record(ctx, c, `UPDATE notify_messages SET state = 'pending', attempts = attempts - 1, next_attempt_at = $1, last_error = $2, updated_at = $3
			WHERE id = $4 AND state = 'sending' AND attempts = $5`, store.Millis(next), text, nowMs, c.ID, c.attempts)
		metricMessages.WithLabelValues("account_refused").Inc()
		log.Error("notify: the gateway refuses the account; messages wait until it is fixed", "code", se.Code, "err", err, "retry_at", next)
	case c.attempts >= o.cfg.MaxAttempts:
		o.record(ctx, c, `UPDATE notify_messages SET state = 'failed', last_error = $1, sandbox = $2, updated_at = $3
			WHERE id = $4 AND state = 'sending' AND attempts = $5`, text, sandbox, nowMs, c.ID, c.attempts)
		metricMessages.WithLabelValues(StateFailed).Inc()
		log.Warn("notify: message given up after its last attempt", "code", se.Code, "err", err)
	default:
		next := now.Add(o.backoff(c.attempts, se.RetryAfter))
		o.record(ctx, c, `UPDATE notify_messages SET state = 'pending', next_attempt_at = $1, last_error = $2, updated_at = $3
			WHERE id = $4 AND state = 'sending' AND attempts = $5`, store.Millis(next), text, nowMs, c.ID, c.attempts)
		metricMessages.WithLabelValues("retry").Inc()
		log.Info("notify: message will be tried again", "code", se.Code, "err", err, "retry_at", next)
	}
	return se.Class == Account
}

// backoff is the wait after a failed attempt: Backoff, doubled for each
// further attempt, at most MaxBackoff, at least the gateway's hint.
func (o *Outbox) backoff(attempts int, hint time.Duration) time.Duration {
	d := o.cfg.Backoff
	for i := 1; i < attempts && d < o.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(max(d, hint), o.cfg.MaxBackoff)
}

// record writes a send's outcome. The update only applies while this
// worker still owns the message (a worker that outlived its lease loses it).
func (o *Outbox) record(ctx context.Context, c claimed, query string, args ...any) {
	var n int64
	err := o.db.Write(context.WithoutCancel(ctx), func(ctx context.Context, tx store.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	switch {
	case err != nil:
		// The lease runs out and the message is sent again: at least once.
		o.log.Error("notify: record outcome", "id", c.ID, "err", err)
	case n == 0:
		o.log.Warn("notify: the message's lease had run out; its outcome is left to the worker that took it over", "id", c.ID)
	}
}

// release puts claimed messages back, due at at, their attempts not counted.
func (o *Outbox) release(ctx context.Context, cs []claimed, at time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	nowMs, atMs := store.Millis(o.now()), store.Millis(at)
	err := o.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, `UPDATE notify_messages SET state = 'pending', attempts = attempts - 1, next_attempt_at = $1, updated_at = $2
				WHERE id = $3 AND state = 'sending' AND attempts = $4`, atMs, nowMs, c.ID, c.attempts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("notify: release messages: %w", err)
	}
	return nil
}

// pause stops this worker's passes until t (the gateway refused the
// account); pausedUntil reads it.
func (o *Outbox) pause(t time.Time) {
	o.mu.Lock()
	o.paused = t
	o.mu.Unlock()
}

func (o *Outbox) pausedUntil() time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.paused
}

// Texts recorded as a message's last error by the outbox itself.
const (
	textExpired     = "Quá thời hạn gửi: tin nhắn không còn cần thiết nên không gửi."
	textInterrupted = "Đã thử %d lần; lần cuối bị gián đoạn (hệ thống dừng khi đang gửi)."
	textUnavailable = "Không gửi được tin nhắn qua cổng SMS."
)

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Record is a message as the console lists it.
type Record struct {
	Message
	State         string
	Segments      int
	Attempts      int
	LastError     string
	ProviderID    string
	CreatedAt     time.Time
	NextAttemptAt time.Time // for pending messages
	SentAt        time.Time
	// Sandbox: the message went to the sandbox, not to a citizen.
	Sandbox bool
}

// MaskedTo is the recipient with the middle of the number hidden.
func (r Record) MaskedTo() string { return Mask(r.To) }

// ErrForbidden refuses the message list to anyone but an administrator of
// the agency.
var ErrForbidden = apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không có quyền xem tin nhắn gửi công dân của cơ quan này.")

// List returns an agency's latest messages, newest first (at most limit,
// 1–500; 0 means 100), for an administrator. Numbers and texts are citizens'
// data: every reading is audited (action notify.list).
func (o *Outbox) List(ctx context.Context, p *identity.Principal, agency string, limit int) ([]Record, error) {
	if p == nil || !p.Has(identity.RoleAdministrator) || !p.CanActFor(agency) || agency == "" {
		return nil, ErrForbidden
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	rows, err := o.db.Read().QueryContext(ctx, `SELECT id, channel, recipient, body, kind, idem_key, agency_code, not_before, not_after,
		state, segments, attempts, last_error, provider_id, created_at, next_attempt_at, sent_at, sandbox
		FROM notify_messages WHERE agency_code = $1 ORDER BY seq DESC LIMIT $2`, agency, limit)
	if err != nil {
		return nil, apperr.Wrap(err, "notify: list")
	}
	defer rows.Close()
	out := []Record{}
	for rows.Next() {
		var r Record
		var notBefore, created, next int64
		var notAfter, sent sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Channel, &r.To, &r.Body, &r.Kind, &r.Key, &r.Agency, &notBefore, &notAfter,
			&r.State, &r.Segments, &r.Attempts, &r.LastError, &r.ProviderID, &created, &next, &sent, &r.Sandbox); err != nil {
			return nil, apperr.Wrap(err, "notify: list")
		}
		r.NotBefore, r.NotAfter, r.CreatedAt, r.SentAt = store.FromMillis(notBefore), store.FromMillis(notAfter.Int64), store.FromMillis(created), store.FromMillis(sent.Int64)
		if r.State == StatePending {
			r.NextAttemptAt = store.FromMillis(next)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "notify: list")
	}
	err = o.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, o.now(), audit.Event{Actor: p.Actor(), Action: "notify.list", ObjectType: "notify_messages", ObjectID: agency,
			Detail: map[string]any{"count": len(out), "limit": limit}})
	})
	if err != nil {
		return nil, apperr.Wrap(err, "notify: audit list")
	}
	return out, nil
}

var metricMessages = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "motcua_notify_messages_total",
	Help: "Outcomes of attempts to deliver messages to citizens: sent, retry, failed, account_refused.",
}, []string{"outcome"})

// Collectors are the package's Prometheus metrics, for the server to register.
func Collectors() []prometheus.Collector { return []prometheus.Collector{metricMessages} }
