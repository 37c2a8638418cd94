package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/vntext"
)

// The queue's API: kiosks take tickets, counters call them, boards and
// phones follow the line. Kiosks and counter devices authenticate by a
// token — as a bearer header, or as the device cookie a registered screen
// keeps (then a change needs the X-Device-CSRF header the page was given).

const deviceCookie = "motcua_device"

// deviceCSRF is the value a registered device's page sends with a change:
// derived from its token, which a forged request from another site cannot
// know or read.
func deviceCSRF(token string) string {
	sum := sha256.Sum256([]byte("motcua-device-csrf\n" + token))
	return hex.EncodeToString(sum[:16])
}

// deviceFromCookie returns the registered device's principal and token.
func (s *Server) deviceFromCookie(r *http.Request) (*identity.Principal, string) {
	c, err := r.Cookie(deviceCookie)
	if err != nil || s.Tokens == nil || c.Value == "" {
		return nil, ""
	}
	p, err := s.Tokens.Authenticate(r.Context(), c.Value)
	if err != nil || !p.HasAny(identity.RoleKiosk, identity.RoleQueueCounter) {
		return nil, ""
	}
	return p, c.Value
}

func queueRoutes(s *Server, route func(string, http.HandlerFunc)) {
	issuers := []string{identity.RoleKiosk, identity.RoleCounter, identity.RoleQueueCounter, identity.RoleSpecialist, identity.RoleLeader, identity.RoleAdministrator}
	atCounter := []string{identity.RoleQueueCounter, identity.RoleCounter, identity.RoleSpecialist, identity.RoleLeader, identity.RolePolice, identity.RoleSocialInsurance}
	managers := []string{identity.RoleLeader, identity.RoleAdministrator, identity.RoleSupervisor, identity.RoleCounter}
	route("GET /api/v1/queue/groups", s.apiQueueGroups)
	route("POST /api/v1/queue/tickets", s.requireRole(s.apiQueueIssue, issuers...))
	route("GET /api/v1/queue/tickets/{id}", s.apiQueueTicket)
	route("POST /api/v1/queue/tickets/{id}/actions", s.requireRole(s.apiQueueAct, append(atCounter, identity.RoleAdministrator)...))
	route("POST /api/v1/queue/counters/{counter}/call-next", s.requireRole(s.apiQueueCallNext, atCounter...))
	route("GET /api/v1/queue/counters/{counter}", s.requireRole(s.apiQueueCounter, atCounter...))
	route("GET /api/v1/queue/board", s.apiQueueBoard)
	route("GET /api/v1/queue/events", s.apiQueueEvents)
	route("GET /api/v1/queue/slots", s.apiQueueSlots)
	route("POST /api/v1/queue/appointments", s.apiQueueBook)
	route("GET /api/v1/queue/appointments/{code}", s.apiQueueAppointment)
	route("POST /api/v1/queue/appointments/{code}/cancel", s.apiQueueCancelBooking)
	route("GET /api/v1/queue/stats", s.requireRole(s.apiQueueStats, managers...))
	route("GET /api/v1/queue/settings", s.requireRole(s.apiQueueSettings, identity.RoleAdministrator, identity.RoleLeader))
	route("PUT /api/v1/queue/settings", s.requireRole(s.apiQueueSettingsSave, identity.RoleAdministrator))
	route("PUT /api/v1/queue/groups/{code}", s.requireRole(s.apiQueueGroupSave, identity.RoleAdministrator))
	route("PUT /api/v1/queue/counters/{counter}", s.requireRole(s.apiQueueCounterSave, identity.RoleAdministrator))
}

// queueAgency is the centre a request is about: asked, the principal's, or
// the home centre.
func (s *Server) queueAgency(r *http.Request) (string, error) {
	if a := r.URL.Query().Get("agency"); a != "" {
		if !vntext.Valid(a) || len(a) > 64 {
			return "", apperr.Field("agency", "unknown_agency", "Không có trung tâm này.")
		}
		if _, err := s.Org.Get(r.Context(), a); err != nil {
			return "", apperr.Field("agency", "unknown_agency", "Không có trung tâm này.")
		}
		return a, nil
	}
	if p := principal(r); p != nil && p.Agency != "" {
		if a, err := s.Org.Get(r.Context(), p.Agency); err == nil && (a.Kind == "department" || a.Kind == "police") && a.Parent != "" {
			return a.Parent, nil
		}
		return p.Agency, nil
	}
	home, err := s.Org.Home(r.Context())
	if err != nil {
		return "", apperr.New(apperr.NotFound, "no_home_agency", "Chưa cấu hình trung tâm.")
	}
	return home.Code, nil
}

// decodeQueueJSON reads a JSON body and refuses text no one could type (a
// NUL, broken UTF-8, control characters) in any of its strings, which
// PostgreSQL could not even compare.
func decodeQueueJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if err := decodeJSON(w, r, v); err != nil {
		return err
	}
	return checkText(reflect.ValueOf(v), "")
}

func checkText(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(v.Elem(), field)
		}
	case reflect.String:
		if !vntext.Valid(v.String()) {
			return apperr.Field(field, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkText(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if err := checkText(it.Value(), field); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if name == "" {
				name = f.Name
			}
			if err := checkText(v.Field(i), name); err != nil {
				return err
			}
		}
	}
	return nil
}

// queueOwnAgency is queueAgency for the centre's own business (its rules,
// groups, counters and figures): staff of another agency are refused.
func (s *Server) queueOwnAgency(r *http.Request) (string, error) {
	agency, err := s.queueAgency(r)
	if err != nil {
		return "", err
	}
	if !queue.WorksAt(principal(r), agency) {
		return "", apperr.New(apperr.Forbidden, "other_agency", "Bạn không làm việc tại trung tâm này.")
	}
	return agency, nil
}

// TicketView is a ticket as the API shows it: the printed number, where it
// stands, and — once called — where to go. Never the phone number.
type TicketView struct {
	ID            string     `json:"id"`
	Number        string     `json:"number"`
	Sequence      int        `json:"sequence"`
	Group         string     `json:"group"`
	GroupName     string     `json:"group_name"`
	Priority      string     `json:"priority,omitempty"`
	Source        string     `json:"source"`
	State         string     `json:"state"`
	Position      int        `json:"position"`
	EstimatedWait int        `json:"estimated_wait_seconds"`
	Counter       int        `json:"counter,omitempty"`
	CalledAt      *time.Time `json:"called_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	Dossier       string     `json:"dossier,omitempty"`
	Rev           int        `json:"rev"`
	FollowURL     string     `json:"follow_url"`
}

func (s *Server) ticketView(t *queue.Ticket) TicketView {
	return TicketView{ID: t.ID, Number: t.Label, Sequence: t.Number, Group: t.Group, GroupName: t.GroupName, Priority: t.Priority, Source: t.Source,
		State: t.State, Position: t.Position, EstimatedWait: t.EstimatedWait, Counter: t.Counter, CalledAt: t.CalledAt, CreatedAt: t.CreatedAt,
		Dossier: t.Dossier, Rev: t.Rev, FollowURL: s.baseURL() + "/queue/t/" + t.ID}
}

func (s *Server) baseURL() string {
	if s.BaseURL != "" {
		return s.BaseURL
	}
	return ""
}

// GET /api/v1/queue/groups
func (s *Server) apiQueueGroups(w http.ResponseWriter, r *http.Request) {
	agency, err := s.queueAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	groups, err := s.Queue.Groups(r.Context(), agency, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Queue.Settings(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agency": agency, "groups": groups, "priority_classes": st.PriorityClasses, "priority_mode": st.PriorityMode})
}

// POST /api/v1/queue/tickets
func (s *Server) apiQueueIssue(w http.ResponseWriter, r *http.Request) {
	var req queue.IssueRequest
	if err := decodeQueueJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.Queue.Issue(r.Context(), principal(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, s.ticketView(t))
}

// GET /api/v1/queue/tickets/{id} — the ticket's random id is what the
// citizen's QR code carries; it shows no personal data.
func (s *Server) apiQueueTicket(w http.ResponseWriter, r *http.Request) {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.ticketView(t))
}

// POST /api/v1/queue/tickets/{id}/actions
func (s *Server) apiQueueAct(w http.ResponseWriter, r *http.Request) {
	var req queue.ActRequest
	if err := decodeQueueJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.Queue.Act(r.Context(), principal(r), r.PathValue("id"), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.ticketView(t))
}

func counterParam(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("counter"))
	if err != nil || n < 1 || n > 99 {
		return 0, apperr.Field("counter", "invalid_counter", "Số quầy phải từ 1 đến 99.")
	}
	return n, nil
}

// POST /api/v1/queue/counters/{counter}/call-next
func (s *Server) apiQueueCallNext(w http.ResponseWriter, r *http.Request) {
	n, err := counterParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agency, err := s.queueAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, err := s.Queue.CallNext(r.Context(), principal(r), agency, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if t == nil {
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, s.ticketView(t))
}

// CounterView is what a counter's screen shows.
type CounterView struct {
	Counter queue.Counter `json:"counter"`
	Current *TicketView   `json:"current,omitempty"`
	Held    []TicketView  `json:"held"`
	Waiting []TicketView  `json:"waiting"`
}

// GET /api/v1/queue/counters/{counter}
func (s *Server) apiQueueCounter(w http.ResponseWriter, r *http.Request) {
	n, err := counterParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agency, err := s.queueAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.counterView(r.Context(), principal(r), agency, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// counterView reads a counter's screen for an officer seated there.
func (s *Server) counterView(ctx context.Context, p *identity.Principal, agency string, n int) (*CounterView, error) {
	if p == nil || p.Counter != strconv.Itoa(n) {
		return nil, queue.ErrNotAtCounter
	}
	if err := queue.CheckCounter(p, agency, n); err != nil {
		return nil, err
	}
	c, err := s.Queue.Counter(ctx, agency, n)
	if err != nil {
		return nil, err
	}
	cur, held, err := s.Queue.AtCounter(ctx, agency, n)
	if err != nil {
		return nil, err
	}
	waiting, err := s.Queue.Waiting(ctx, agency, c, 50)
	if err != nil {
		return nil, err
	}
	v := &CounterView{Counter: *c, Held: []TicketView{}, Waiting: []TicketView{}}
	if cur != nil {
		tv := s.ticketView(cur)
		v.Current = &tv
	}
	for _, t := range held {
		v.Held = append(v.Held, s.ticketView(t))
	}
	for _, t := range waiting {
		v.Waiting = append(v.Waiting, s.ticketView(t))
	}
	return v, nil
}

// GET /api/v1/queue/board
func (s *Server) apiQueueBoard(w http.ResponseWriter, r *http.Request) {
	agency, err := s.queueAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.Queue.Board(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// maxQueueStreams bounds the live connections one instance serves (boards,
// counters, phones following their ticket).
const maxQueueStreams = 5000

// GET /api/v1/queue/events — Server-Sent Events: a "board" event with the
// whole board at once, then one per change ({"event": …, "board": …}),
// and a comment every 15 seconds so proxies keep the line open. Browsers
// reconnect by themselves (retry: 2 s).
func (s *Server) apiQueueEvents(w http.ResponseWriter, r *http.Request) {
	agency, err := s.queueAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.Queue.Subscribers(agency) >= maxQueueStreams {
		s.fail(w, r, apperr.New(apperr.Unavailable, "too_many_streams", "Máy chủ đang phục vụ quá nhiều màn hình. Vui lòng thử lại sau."))
		return
	}
	rc := http.NewResponseController(w)
	sub := s.Queue.Subscribe(agency)
	defer sub.Close()
	b, err := s.Queue.Board(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	first, _ := json.Marshal(map[string]any{"event": queue.Event{Kind: "board", Agency: agency, At: b.At}, "board": b})
	fmt.Fprintf(w, "retry: 2000\nevent: board\ndata: %s\n\n", first)
	if err := rc.Flush(); err != nil {
		return
	}
	closing := s.streamsClosing()
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-closing: // shutting down: the screen reconnects to another instance or after the restart
			return
		case frame, ok := <-sub.C:
			if !ok {
				return
			}
			if _, err := fmt.Fprintf(w, "event: queue\ndata: %s\n\n", frame); err != nil {
				return
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// GET /api/v1/queue/slots?group=&date=YYYY-MM-DD
func (s *Server) apiQueueSlots(w http.ResponseWriter, r *http.Request) {
	agency, err := s.queueAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	day, err := time.ParseInLocation(time.DateOnly, r.URL.Query().Get("date"), calendar.Location)
	if err != nil {
		s.fail(w, r, apperr.Field("date", "invalid_date", "Ngày phải có dạng NNNN-TT-NN."))
		return
	}
	slots, err := s.Queue.Slots(r.Context(), agency, r.URL.Query().Get("group"), day)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"agency": agency, "group": r.URL.Query().Get("group"), "date": day.Format(time.DateOnly), "slots": slots})
}

// POST /api/v1/queue/appointments — a citizen books a slot.
func (s *Server) apiQueueBook(w http.ResponseWriter, r *http.Request) {
	var req queue.BookRequest
	if err := decodeQueueJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Agency == "" {
		agency, err := s.queueAgency(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		req.Agency = agency
	}
	a, err := s.Queue.Book(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

// GET /api/v1/queue/appointments/{code}
func (s *Server) apiQueueAppointment(w http.ResponseWriter, r *http.Request) {
	if !s.lookups.allowed(clientIP(r), time.Now()) {
		s.fail(w, r, apperr.New(apperr.RateLimited, "too_many_failures", "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 10 phút."))
		return
	}
	a, err := s.Queue.Appointment(r.Context(), r.PathValue("code"))
	if err != nil {
		s.lookups.fail(clientIP(r), time.Now())
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// POST /api/v1/queue/appointments/{code}/cancel {"phone": …}
func (s *Server) apiQueueCancelBooking(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Phone string `json:"phone"`
	}
	if err := decodeQueueJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.lookups.allowed(clientIP(r), time.Now()) {
		s.fail(w, r, apperr.New(apperr.RateLimited, "too_many_failures", "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 10 phút."))
		return
	}
	if err := s.Queue.CancelBooking(r.Context(), r.PathValue("code"), req.Phone); err != nil {
		s.lookups.fail(clientIP(r), time.Now())
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"state": "cancelled"})
}

// GET /api/v1/queue/stats?from=&to=
func (s *Server) apiQueueStats(w http.ResponseWriter, r *http.Request) {
	// A province supervisor reads any commune's figures; others their own.
	agency, err := s.queueOwnAgency(r)
	if p := principal(r); p != nil && p.Has(identity.RoleSupervisor) {
		agency, err = s.queueAgency(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	from, to, err := queuePeriod(r, s.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Queue.Stats(r.Context(), agency, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// queuePeriod reads from/to (local dates, inclusive); both default to today.
func queuePeriod(r *http.Request, now time.Time) (time.Time, time.Time, error) {
	q := r.URL.Query()
	today := now.In(calendar.Location)
	from, to := today, today
	var err error
	if v := q.Get("from"); v != "" {
		if from, err = time.ParseInLocation(time.DateOnly, v, calendar.Location); err != nil {
			return from, to, apperr.Field("from", "invalid_date", "Ngày bắt đầu phải có dạng NNNN-TT-NN.")
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = time.ParseInLocation(time.DateOnly, v, calendar.Location); err != nil {
			return from, to, apperr.Field("to", "invalid_date", "Ngày kết thúc phải có dạng NNNN-TT-NN.")
		}
	}
	return from, to, nil
}

// GET /api/v1/queue/settings
func (s *Server) apiQueueSettings(w http.ResponseWriter, r *http.Request) {
	agency, err := s.queueOwnAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Queue.Settings(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// PUT /api/v1/queue/settings
func (s *Server) apiQueueSettingsSave(w http.ResponseWriter, r *http.Request) {
	var st queue.Settings
	if err := decodeQueueJSON(w, r, &st); err != nil {
		s.fail(w, r, err)
		return
	}
	agency, err := s.queueOwnAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Queue.SaveSettings(r.Context(), principal(r).Actor(), agency, st); err != nil {
		s.fail(w, r, err)
		return
	}
	st, _ = s.Queue.Settings(r.Context(), agency)
	writeJSON(w, http.StatusOK, st)
}

// PUT /api/v1/queue/groups/{code}
func (s *Server) apiQueueGroupSave(w http.ResponseWriter, r *http.Request) {
	var g queue.Group
	if err := decodeQueueJSON(w, r, &g); err != nil {
		s.fail(w, r, err)
		return
	}
	g.Code = r.PathValue("code")
	agency, err := s.queueOwnAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Queue.SaveGroup(r.Context(), principal(r).Actor(), agency, g); err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.Queue.Group(r.Context(), agency, g.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

// PUT /api/v1/queue/counters/{counter} {"groups": […], "open": true}
func (s *Server) apiQueueCounterSave(w http.ResponseWriter, r *http.Request) {
	n, err := counterParam(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var req struct {
		Groups []string `json:"groups"`
		Open   *bool    `json:"open"`
	}
	if err := decodeQueueJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	agency, err := s.queueOwnAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	open := true
	if req.Open != nil {
		open = *req.Open
	}
	if err := s.Queue.SetCounter(r.Context(), principal(r).Actor(), agency, n, req.Groups, open); err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Queue.Counter(r.Context(), agency, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}
