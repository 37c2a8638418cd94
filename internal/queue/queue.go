// Package queue runs the line at a commune's service centre: service
// groups with their ticket letters, counters and the groups they serve,
// tickets taken at the kiosk (with the priority the law gives the elderly,
// people with disabilities, pregnant women and people with small
// children), calling by priority mode, recalls, absences, transfers, holds,
// the display board's live events, appointments with check-in, and the
// day's figures.
//
// No ticket is ever given to two counters: a call is one write, and writes
// are serialised — by the single SQLite writer, and across motcua instances
// on PostgreSQL by the write path's advisory lock — and the ticket's row is
// updated only if it is still waiting.
package queue

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/store"
)

// Ticket states.
const (
	StateWaiting   = "waiting"
	StateCalled    = "called"
	StateServing   = "serving"
	StateHeld      = "held"
	StateDone      = "done"
	StateNoShow    = "no_show"
	StateCancelled = "cancelled"
	StateExpired   = "expired"
)

// Priority modes.
const (
	ModeStrict     = "strict"     // a priority ticket always goes first
	ModeInterleave = "interleave" // one priority ticket after every N normal ones
)

// Sources of tickets.
const (
	SourceKiosk       = "kiosk"
	SourceAppointment = "appointment"
	SourceStaff       = "staff"
	SourceAPI         = "api"
)

// Group is a service group: the procedures behind one kiosk button and one
// ticket letter.
type Group struct {
	Code           string   `json:"code"`
	Prefix         string   `json:"prefix"`
	Name           string   `json:"name"`
	NameEn         string   `json:"name_en,omitempty"`
	Icon           string   `json:"icon,omitempty"`
	Procedures     []string `json:"procedures"`
	ServiceSeconds int      `json:"service_seconds"`
	Position       int      `json:"position"`
	Active         bool     `json:"active"`
}

// Counter is a counter of the centre with the groups it serves (none: all).
type Counter struct {
	Number int      `json:"number"`
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
	Open   bool     `json:"open"`
}

// Serves reports whether the counter serves a group.
func (c Counter) Serves(group string) bool {
	if len(c.Groups) == 0 {
		return true
	}
	for _, g := range c.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// PriorityClass is a kind of person the centre serves first.
type PriorityClass struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
}

// DefaultPriorityClasses are those the kiosk offers unless the centre
// configures others: the elderly (from 60, Law on the Elderly 2009), people
// with disabilities, pregnant women, people with a child under six, and
// people with meritorious service to the revolution.
var DefaultPriorityClasses = []PriorityClass{
	{"elderly", "Người cao tuổi (từ 60 tuổi)", "Elderly person (60 or over)"},
	{"disabled", "Người khuyết tật", "Person with a disability"},
	{"pregnant", "Phụ nữ mang thai", "Pregnant woman"},
	{"small_child", "Người đi cùng con nhỏ dưới 6 tuổi", "With a child under 6"},
	{"merit", "Người có công với cách mạng", "Person with meritorious service"},
}

// Settings are a centre's queue rules.
type Settings struct {
	PriorityMode    string          `json:"priority_mode"`  // strict or interleave
	InterleaveN     int             `json:"interleave_n"`   // normal tickets between two priority ones
	GraceMinutes    int             `json:"grace_minutes"`  // an absent ticket returns to the line after this
	MaxAbsences     int             `json:"max_absences"`   // absent more often: no-show
	KeepOvernight   bool            `json:"keep_overnight"` // waiting tickets stay after midnight
	NotifyAhead     int             `json:"notify_ahead"`   // text the citizen when this many are ahead (0: never)
	SlotMinutes     int             `json:"slot_minutes"`   // appointment slot length
	BookingDays     int             `json:"booking_days"`   // how far ahead one can book
	BookingShare    int             `json:"booking_share"`  // percent of a slot's capacity offered for booking
	PriorityClasses []PriorityClass `json:"priority_classes"`
}

// DefaultSettings are a new centre's rules.
func DefaultSettings() Settings {
	return Settings{PriorityMode: ModeStrict, InterleaveN: 3, GraceMinutes: 5, MaxAbsences: 2, NotifyAhead: 3,
		SlotMinutes: 30, BookingDays: 14, BookingShare: 50, PriorityClasses: append([]PriorityClass(nil), DefaultPriorityClasses...)}
}

func (st *Settings) clean() error {
	if st.PriorityMode == "" {
		st.PriorityMode = ModeStrict
	}
	switch {
	case st.PriorityMode != ModeStrict && st.PriorityMode != ModeInterleave:
		return apperr.Field("priority_mode", "invalid_priority_mode", "Cách ưu tiên phải là strict (luôn trước) hoặc interleave (xen kẽ).")
	case st.InterleaveN < 1 || st.InterleaveN > 50:
		return apperr.Field("interleave_n", "invalid_interleave_n", "Số lượt thường giữa hai lượt ưu tiên phải từ 1 đến 50.")
	case st.GraceMinutes < 0 || st.GraceMinutes > 240:
		return apperr.Field("grace_minutes", "invalid_grace", "Thời gian chờ người vắng mặt phải từ 0 đến 240 phút.")
	case st.MaxAbsences < 1 || st.MaxAbsences > 10:
		return apperr.Field("max_absences", "invalid_max_absences", "Số lần vắng mặt tối đa phải từ 1 đến 10.")
	case st.NotifyAhead < 0 || st.NotifyAhead > 20:
		return apperr.Field("notify_ahead", "invalid_notify_ahead", "Số người phía trước để nhắn tin phải từ 0 đến 20.")
	case st.SlotMinutes < 10 || st.SlotMinutes > 240:
		return apperr.Field("slot_minutes", "invalid_slot_minutes", "Độ dài khung giờ hẹn phải từ 10 đến 240 phút.")
	case st.BookingDays < 1 || st.BookingDays > 90:
		return apperr.Field("booking_days", "invalid_booking_days", "Số ngày đặt trước phải từ 1 đến 90.")
	case st.BookingShare < 0 || st.BookingShare > 100:
		return apperr.Field("booking_share", "invalid_booking_share", "Tỷ lệ dành cho lịch hẹn phải từ 0 đến 100%.")
	}
	if len(st.PriorityClasses) == 0 {
		st.PriorityClasses = append([]PriorityClass(nil), DefaultPriorityClasses...)
	}
	seen := map[string]bool{}
	for i, c := range st.PriorityClasses {
		c.Code, c.Name, c.NameEn = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name), strings.TrimSpace(c.NameEn)
		if !reCode.MatchString(c.Code) || c.Name == "" || seen[c.Code] {
			return apperr.Field("priority_classes", "invalid_priority_class", "Mỗi nhóm ưu tiên cần một mã (chữ thường không dấu) không trùng và một tên.")
		}
		seen[c.Code] = true
		st.PriorityClasses[i] = c
	}
	return nil
}

// HasPriority reports whether code is one of the centre's priority classes.
func (st Settings) HasPriority(code string) bool {
	for _, c := range st.PriorityClasses {
		if c.Code == code {
			return true
		}
	}
	return false
}

// Ticket is a number taken for a service group.
type Ticket struct {
	ID            string     `json:"id"`
	Agency        string     `json:"agency"`
	Day           string     `json:"day"`
	Group         string     `json:"group"`
	GroupName     string     `json:"group_name,omitempty"`
	Number        int        `json:"number"`
	Label         string     `json:"label"`
	Priority      string     `json:"priority,omitempty"`
	Source        string     `json:"source"`
	State         string     `json:"state"`
	CreatedAt     time.Time  `json:"created_at"`
	CallableAt    time.Time  `json:"-"`
	AppointmentAt *time.Time `json:"appointment_at,omitempty"`
	AppointmentID string     `json:"appointment_id,omitempty"`
	TargetCounter int        `json:"target_counter,omitempty"`
	Counter       int        `json:"counter,omitempty"`
	OfficerID     string     `json:"-"`
	OfficerName   string     `json:"officer_name,omitempty"`
	FirstCalledAt *time.Time `json:"first_called_at,omitempty"`
	CalledAt      *time.Time `json:"called_at,omitempty"`
	Recalls       int        `json:"recalls"`
	Absences      int        `json:"absences"`
	StartedAt     *time.Time `json:"started_at,omitempty"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	Procedure     string     `json:"procedure,omitempty"`
	Dossier       string     `json:"dossier,omitempty"`
	Phone         string     `json:"-"`
	Rev           int        `json:"rev"`

	// Filled for a waiting ticket: people to be called first, and the
	// estimated wait.
	Position      int `json:"position"`
	EstimatedWait int `json:"estimated_wait_seconds"`
}

// Active reports whether the ticket is still in the centre's hands.
func (t *Ticket) Active() bool {
	switch t.State {
	case StateWaiting, StateCalled, StateServing, StateHeld:
		return true
	}
	return false
}

// Errors.
var (
	ErrNotFound        = apperr.New(apperr.NotFound, "ticket_not_found", "Không tìm thấy số thứ tự này.")
	ErrGroupNotFound   = apperr.Field("group", "group_not_found", "Không có nhóm dịch vụ này.")
	ErrCounterNotFound = apperr.New(apperr.NotFound, "counter_not_found", "Không có quầy này.")
	ErrNotAtCounter    = apperr.New(apperr.Forbidden, "not_at_counter", "Bạn không làm việc tại quầy này.")
	ErrForbidden       = apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không có quyền thực hiện thao tác này.")
	ErrChanged         = apperr.New(apperr.Conflict, "ticket_changed", "Số thứ tự vừa được cập nhật ở quầy khác. Vui lòng tải lại.")
	errNoRow           = errors.New("queue: no row")
)

// Notifier queues a text message in the caller's transaction (the
// notification port; the sandbox logs it).
type Notifier interface {
	EnqueueSMS(ctx context.Context, tx store.Tx, m SMS) error
	// CancelSMS withdraws a message not yet sent (a cancelled booking's
	// reminder).
	CancelSMS(ctx context.Context, tx store.Tx, key string) error
}

// SMS is a text message to a citizen.
type SMS struct {
	Agency    string
	To        string
	Body      string
	Kind      string // queue_near, appointment_reminder
	Key       string // sent once per key
	NotBefore time.Time
	NotAfter  time.Time // pointless after this: not sent
}

// Config wires the service.
type Config struct {
	DB       *store.DB
	Calendar *calendar.Calendar
	Catalog  *catalog.Service
	Org      *org.Service
	Notifier Notifier // nil: no text messages
	Log      *slog.Logger
	Now      func() time.Time
	BaseURL  string
}

// Service is the queue.
type Service struct {
	cfg   Config
	db    *store.DB
	hub   *hub
	cache cache
}

// cache keeps a centre's configuration (groups, counters, settings) and
// its service-time averages for a moment: every ticket and every call reads
// them, and they change a few times a year. A change made on this instance
// is seen at once; one made on another instance within configTTL.
type cache struct {
	mu       sync.Mutex
	groups   map[string]cached[[]Group]
	counters map[string]cached[[]Counter]
	settings map[string]cached[Settings]
	service  map[string]cached[int]
}

type cached[T any] struct {
	v  T
	at time.Time
}

const (
	configTTL  = 2 * time.Second
	serviceTTL = 30 * time.Second
)

func cacheGet[T any](c *cache, m map[string]cached[T], key string, ttl time.Duration) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := m[key]
	if !ok || time.Since(e.at) > ttl {
		var zero T
		return zero, false
	}
	return e.v, true
}

func cachePut[T any](c *cache, m map[string]cached[T], key string, v T) {
	c.mu.Lock()
	m[key] = cached[T]{v, time.Now()}
	c.mu.Unlock()
}

// forget drops what is cached about a centre (after a change here).
func (c *cache) forget(agency string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.groups, agency)
	delete(c.counters, agency)
	delete(c.settings, agency)
	for k := range c.service {
		if strings.HasPrefix(k, agency+"/") {
			delete(c.service, k)
		}
	}
}

// New returns the queue service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Service{cfg: cfg, db: cfg.DB, cache: cache{groups: map[string]cached[[]Group]{}, counters: map[string]cached[[]Counter]{},
		settings: map[string]cached[Settings]{}, service: map[string]cached[int]{}}}
	s.hub = newHub(s)
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// BaseURL is the public address used in ticket QR codes.
func (s *Service) BaseURL() string { return strings.TrimRight(s.cfg.BaseURL, "/") }

// TicketURL is the phone page of a ticket.
func (s *Service) TicketURL(t *Ticket) string { return s.BaseURL() + "/queue/t/" + t.ID }

// dayOf is the local date of t.
func dayOf(t time.Time) string { return t.In(calendar.Location).Format(time.DateOnly) }

func newID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(v *int64) *time.Time {
	if v == nil {
		return nil
	}
	t := time.UnixMilli(*v).UTC()
	return &t
}
