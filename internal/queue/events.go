package queue

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/store"
)

// Event is something the boards and counters hear about.
type Event struct {
	Kind        string `json:"kind"` // issued, called, recalled, finished, changed
	Agency      string `json:"agency"`
	Group       string `json:"group,omitempty"`
	Label       string `json:"label,omitempty"`
	Counter     int    `json:"counter,omitempty"`
	CounterName string `json:"counter_name,omitempty"`
	Speech      string `json:"speech,omitempty"` // for calls: what the board says
	At          int64  `json:"at"`               // Unix ms when it committed
}

// Board is what a display board shows.
type Board struct {
	Agency   string         `json:"agency"`
	Counters []BoardCounter `json:"counters"`
	Recent   []BoardCall    `json:"recent"`
	Waiting  []BoardGroup   `json:"waiting"`
	At       int64          `json:"at"`
}

// BoardCounter is a counter and the number it serves now.
type BoardCounter struct {
	Number  int    `json:"number"`
	Name    string `json:"name"`
	Open    bool   `json:"open"`
	Current string `json:"current,omitempty"`
	State   string `json:"state,omitempty"`
}

// BoardCall is one of the last calls.
type BoardCall struct {
	Label   string `json:"label"`
	Counter int    `json:"counter"`
	At      int64  `json:"at"`
}

// BoardGroup is a group's line.
type BoardGroup struct {
	Code          string `json:"code"`
	Prefix        string `json:"prefix"`
	Name          string `json:"name"`
	NameEn        string `json:"name_en,omitempty"`
	Waiting       int    `json:"waiting"`
	EstimatedWait int    `json:"estimated_wait_seconds"`
}

// Board reads what the display board of a centre shows now.
func (s *Service) Board(ctx context.Context, agency string) (*Board, error) {
	st, err := s.Settings(ctx, agency)
	if err != nil {
		return nil, err
	}
	now := s.now()
	b := &Board{Agency: agency, Counters: []BoardCounter{}, Recent: []BoardCall{}, Waiting: []BoardGroup{}, At: ms(now)}
	q := s.db.Read()
	counters, err := s.Counters(ctx, agency)
	if err != nil {
		return nil, err
	}
	current := map[int]BoardCounter{}
	rows, err := q.QueryContext(ctx, `SELECT counter_number, label, state FROM queue_tickets WHERE agency_code = $1 AND state IN ('called', 'serving', 'held')
		AND `+liveTickets+` AND counter_number IS NOT NULL ORDER BY called_at`, agency)
	if err != nil {
		return nil, apperr.Wrap(err, "board")
	}
	for rows.Next() {
		var c BoardCounter
		if err := rows.Scan(&c.Number, &c.Current, &c.State); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "board")
		}
		if c.State != StateHeld || current[c.Number].Current == "" {
			current[c.Number] = c // the latest call wins; a held ticket only if nothing else
		}
	}
	rows.Close()
	for _, c := range counters {
		bc := BoardCounter{Number: c.Number, Name: c.Name, Open: c.Open}
		if cur, ok := current[c.Number]; ok && cur.State != StateHeld {
			bc.Current, bc.State = cur.Current, cur.State
		}
		b.Counters = append(b.Counters, bc)
	}
	rows, err = q.QueryContext(ctx, `SELECT label, counter_number, called_at FROM queue_tickets WHERE agency_code = $1 AND called_at IS NOT NULL
		AND counter_number IS NOT NULL ORDER BY called_at DESC LIMIT 8`, agency)
	if err != nil {
		return nil, apperr.Wrap(err, "board")
	}
	for rows.Next() {
		var c BoardCall
		if err := rows.Scan(&c.Label, &c.Counter, &c.At); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "board")
		}
		b.Recent = append(b.Recent, c)
	}
	rows.Close()
	waitQ := "SELECT group_code, COUNT(*) FROM queue_tickets WHERE agency_code = $1 AND state = 'waiting' AND " + liveTickets
	args := []any{agency}
	if !st.KeepOvernight {
		waitQ += " AND day = $2"
		args = append(args, dayOf(now))
	}
	waiting := map[string]int{}
	rows, err = q.QueryContext(ctx, waitQ+" GROUP BY group_code", args...)
	if err != nil {
		return nil, apperr.Wrap(err, "board")
	}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "board")
		}
		waiting[g] = n
	}
	rows.Close()
	groups, err := s.Groups(ctx, agency, false)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		bg := BoardGroup{Code: g.Code, Prefix: g.Prefix, Name: g.Name, NameEn: g.NameEn, Waiting: waiting[g.Code]}
		if bg.Waiting > 0 {
			per, n := s.serviceEstimate(ctx, agency, g.Code)
			bg.EstimatedWait = bg.Waiting * per / max(n, 1)
		}
		b.Waiting = append(b.Waiting, bg)
	}
	return b, nil
}

// hub hands events to the boards, counters and phones connected to this
// instance. On PostgreSQL every instance hears every commit through
// LISTEN/NOTIFY; on SQLite there is one process and it hears itself.
type hub struct {
	s         *Service
	mu        sync.Mutex
	subs      map[string]map[*Subscription]bool
	listening atomic.Bool
	channel   string
}

// Subscription receives a centre's events as ready-to-send JSON frames:
// {"event": …, "board": …}. Frames are dropped for a subscriber that does
// not keep up (its next frame carries the whole board again); 64 frames
// are minutes of calls at a real centre, so only a stalled screen misses one.
type Subscription struct {
	C      chan []byte
	agency string
	h      *hub
}

// Close ends the subscription.
func (sub *Subscription) Close() {
	sub.h.mu.Lock()
	defer sub.h.mu.Unlock()
	if m := sub.h.subs[sub.agency]; m != nil && m[sub] {
		delete(m, sub)
		close(sub.C)
	}
}

func newHub(s *Service) *hub { return &hub{s: s, subs: map[string]map[*Subscription]bool{}} }

// Subscribe listens to a centre's events.
func (s *Service) Subscribe(agency string) *Subscription {
	sub := &Subscription{C: make(chan []byte, 64), agency: agency, h: s.hub}
	s.hub.mu.Lock()
	if s.hub.subs[agency] == nil {
		s.hub.subs[agency] = map[*Subscription]bool{}
	}
	s.hub.subs[agency][sub] = true
	s.hub.mu.Unlock()
	return sub
}

// Subscribers counts the connections listening to a centre.
func (s *Service) Subscribers(agency string) int {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return len(s.hub.subs[agency])
}

// emit sends events from inside a write: on PostgreSQL as notifications
// that every instance receives when the transaction commits.
func (s *Service) emit(ctx context.Context, tx store.Tx, events ...Event) error {
	if s.db.Engine() != store.Postgres || !s.hub.listening.Load() {
		return nil
	}
	for _, e := range events {
		e.At = ms(s.now())
		b, _ := json.Marshal(e)
		if err := store.Notify(ctx, tx, s.db.Engine(), s.hub.channel, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// published hands events to this instance's subscribers after the write
// committed — unless they come back through LISTEN.
func (s *Service) published(events ...Event) {
	if s.db.Engine() == store.Postgres && s.hub.listening.Load() {
		return
	}
	for _, e := range events {
		e.At = ms(s.now())
		s.hub.dispatch(e)
	}
}

// dispatch builds the board once and sends it with the event to every
// subscriber of the centre.
func (h *hub) dispatch(e Event) {
	h.mu.Lock()
	n := len(h.subs[e.Agency])
	h.mu.Unlock()
	if n == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := h.s.Board(ctx, e.Agency)
	if err != nil {
		h.s.cfg.Log.Warn("queue board", "err", err)
		return
	}
	frame, _ := json.Marshal(struct {
		Event Event  `json:"event"`
		Board *Board `json:"board"`
	}{e, b})
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs[e.Agency] {
		select {
		case sub.C <- frame:
		default: // a slow screen misses a frame; the next one has the whole board
		}
	}
}

// Run does the queue's background work until ctx ends: on PostgreSQL it
// listens for other instances' events; every minute it expires yesterday's
// line (unless kept overnight) and marks missed appointments.
func (s *Service) Run(ctx context.Context) {
	if s.db.Engine() == store.Postgres {
		ch, err := s.db.Channel(ctx, "queue")
		if err != nil {
			s.cfg.Log.Warn("queue events: no channel; boards update on this instance only", "err", err)
		} else {
			s.hub.channel = ch
			ready := make(chan struct{})
			go s.db.Listen(ctx, ch, func() { s.hub.listening.Store(true); close(ready) }, func(payload string) {
				var e Event
				if payload == "" || json.Unmarshal([]byte(payload), &e) != nil {
					return
				}
				if e.Kind == "changed" { // another instance changed the rules: do not wait for the cache to age
					s.cache.forget(e.Agency)
				}
				s.hub.dispatch(e)
			})
			select {
			case <-ready:
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				s.cfg.Log.Warn("queue events: listener not ready; boards update on this instance only")
			}
			defer s.hub.listening.Store(false)
		}
	}
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Warn("queue sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}

// Listening reports whether this instance hears other instances' events.
func (s *Service) Listening() bool { return s.hub.listening.Load() }
