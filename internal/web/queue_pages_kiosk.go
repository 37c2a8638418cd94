package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/vntext"
)

// The kiosk: a touch screen where a citizen chooses a service (or searches
// a procedure, or checks in with a booking code), says whether the law
// gives them priority, and takes a printed number. Each step is a page of
// its own, so the kiosk works as plain HTML; queue-kiosk.js moves between
// the same pages without reloading (so the browser lets it speak each
// step), prints the ticket and comes back to the start by itself.

// qpKioskHome is where the kiosk comes back to, in Vietnamese for the next
// person.
const qpKioskHome = "/queue/kiosk?lang=vi"

// qpKioskGroup is a service group as a kiosk button.
type qpKioskGroup struct {
	Code, Prefix, Name, Icon string
	Tone                     int // the button's colour, by position
	Waiting                  int
	Wait                     string
}

// qpKioskClass is a priority class as a kiosk button.
type qpKioskClass struct{ Code, Name, Icon string }

// qpKioskResult is a procedure found by the kiosk's search.
type qpKioskResult struct {
	Code, Name string
	Group      qpKioskGroup
}

// qpKioskTicket is a ticket as the kiosk shows and prints it.
type qpKioskTicket struct {
	ID, Number, Group, Priority, Time, Ahead, Wait, QR, FollowURL string
	Appointment                                                   bool
}

// qpKioskPage is what every kiosk step receives.
type qpKioskPage struct {
	Step          string // start, priority, confirm, appointment, ticket, unregistered
	CSRF          string // the device's form token
	Groups        []qpKioskGroup
	Classes       []qpKioskClass
	Query         string
	Searched      bool
	Results       []qpKioskResult
	Group         *qpKioskGroup
	Procedure     string
	ProcedureName string
	Priority      string
	PriorityName  string
	Phone         string
	Code          string
	NotifyAhead   int
	PhoneHint     string
	Error         *qpError
	Ticket        *qpKioskTicket
	Speak         string // what the kiosk says on this step
	Refresh       int    // without JavaScript: back to the start after this many seconds
	DeviceCounter string // the screen is a counter's, not a kiosk
	Home          string
}

// qpKioskDevice reads the kiosk registered on this screen.
func (s *Server) qpKioskDevice(w http.ResponseWriter, r *http.Request, step string) (*view, *qpKioskPage, *identity.Principal) {
	qpNoStore(w)
	pg := &qpKioskPage{Step: step, Home: qpKioskHome}
	v := s.newView(w, r, "", pg)
	p, tok := s.deviceFromCookie(r)
	if p == nil || !p.Has(identity.RoleKiosk) {
		pg.Step = "unregistered"
		if p != nil {
			pg.DeviceCounter = p.Counter
		}
		return v, pg, nil
	}
	pg.CSRF = deviceCSRF(tok)
	return v, pg, p
}

// qpAgencyOf is the centre a device or staff member works at: its own
// agency (a department's or the police's: the commune's), or the home
// centre.
func (s *Server) qpAgencyOf(ctx context.Context, p *identity.Principal) (string, error) {
	if p != nil && p.Agency != "" {
		if a, err := s.Org.Get(ctx, p.Agency); err == nil && (a.Kind == "department" || a.Kind == "police") && a.Parent != "" {
			return a.Parent, nil
		}
		return p.Agency, nil
	}
	home, err := s.Org.Home(ctx)
	if err != nil {
		return "", apperr.New(apperr.NotFound, "no_home_agency", "Chưa cấu hình trung tâm.")
	}
	return home.Code, nil
}

// qpKioskRender writes a kiosk step in the kiosk's own full-screen layout.
func (s *Server) qpKioskRender(w http.ResponseWriter, r *http.Request, status int, v *view, pg *qpKioskPage) {
	switch pg.Step {
	case "start":
		v.Title = v.T("kiosk.title")
		pg.Speak = v.T("kiosk.say_start")
	case "priority":
		v.Title = v.T("kiosk.priority_title")
		var names []string
		for _, c := range pg.Classes {
			names = append(names, c.Name)
		}
		pg.Speak = qpFill(v.T("kiosk.say_priority"), "classes", strings.Join(names, ", "))
	case "confirm":
		v.Title = v.T("kiosk.confirm_title")
		if pg.Group != nil {
			pg.Speak = qpFill(v.T("kiosk.say_confirm"), "group", pg.Group.Name)
		}
		pg.PhoneHint = qpFill(v.T("kiosk.phone_hint"), "n", strconv.Itoa(pg.NotifyAhead))
	case "appointment":
		v.Title = v.T("kiosk.appointment_title")
		pg.Speak = v.T("kiosk.say_appointment")
	case "ticket":
		v.Title = v.T("kiosk.ticket_title")
	default:
		pg.Step = "unregistered"
		v.Title = v.T("kiosk.unregistered_title")
	}
	if pg.Step != "start" && pg.Step != "unregistered" && pg.Refresh == 0 {
		pg.Refresh = 120 // an abandoned kiosk returns to the start
	}
	if pg.Error != nil {
		pg.Speak = pg.Error.Message + " " + pg.Speak
	}
	s.renderLayout(w, r, status, "queue_kiosk", "kiosk_layout", v, v)
}

// qpKioskGroups lists the active groups as buttons, with the line of each.
func (s *Server) qpKioskGroups(ctx context.Context, v *view, agency string) ([]qpKioskGroup, error) {
	groups, err := s.Queue.Groups(ctx, agency, false)
	if err != nil {
		return nil, err
	}
	waiting := map[string]queue.BoardGroup{}
	if b, err := s.Queue.Board(ctx, agency); err == nil {
		for _, g := range b.Waiting {
			waiting[g.Code] = g
		}
	}
	out := make([]qpKioskGroup, 0, len(groups))
	for i, g := range groups {
		kg := qpKioskGroup{Code: g.Code, Prefix: g.Prefix, Name: qpGroupName(v, g.Name, g.NameEn), Icon: g.Icon, Tone: i % 6}
		if w, ok := waiting[g.Code]; ok {
			kg.Waiting, kg.Wait = w.Waiting, qpWait(v, w.EstimatedWait)
		}
		out = append(out, kg)
	}
	return out, nil
}

// GET /queue/kiosk — choose a service, search a procedure, or check in.
func (s *Server) qpKioskStart(w http.ResponseWriter, r *http.Request) {
	v, pg, p := s.qpKioskDevice(w, r, "start")
	if p == nil {
		s.qpKioskRender(w, r, http.StatusOK, v, pg)
		return
	}
	if err := s.qpKioskStartData(r, v, pg, p); err != nil {
		s.fail(w, r, err)
		return
	}
	s.qpKioskRender(w, r, http.StatusOK, v, pg)
}

func (s *Server) qpKioskStartData(r *http.Request, v *view, pg *qpKioskPage, p *identity.Principal) error {
	ctx := r.Context()
	agency, err := s.qpAgencyOf(ctx, p)
	if err != nil {
		return err
	}
	if pg.Groups, err = s.qpKioskGroups(ctx, v, agency); err != nil {
		return err
	}
	q := vntext.NFC(strings.TrimSpace(r.URL.Query().Get("q")))
	if len(q) > 100 || !vntext.Valid(q) {
		q = ""
	}
	pg.Query, pg.Searched = q, q != ""
	if q == "" {
		return nil
	}
	byProc := map[string]qpKioskGroup{}
	all, err := s.Queue.Groups(ctx, agency, false)
	if err != nil {
		return err
	}
	for i, g := range all {
		for _, code := range g.Procedures {
			if _, seen := byProc[code]; !seen {
				byProc[code] = pg.Groups[i]
			}
		}
	}
	for _, proc := range s.Catalog.Catalog().Search(q, 0) {
		g, ok := byProc[proc.Code]
		if !ok {
			continue
		}
		name := proc.Name
		if v.Lang == "en" && proc.NameEn != "" {
			name = proc.NameEn
		}
		pg.Results = append(pg.Results, qpKioskResult{Code: proc.Code, Name: name, Group: g})
		if len(pg.Results) == 8 {
			break
		}
	}
	return nil
}

// qpKioskChoice fills the group (or the procedure and its group) and the
// priority a person chose; it fails for one that does not exist.
func (s *Server) qpKioskChoice(ctx context.Context, v *view, pg *qpKioskPage, p *identity.Principal, group, procedure, priority string) error {
	agency, err := s.qpAgencyOf(ctx, p)
	if err != nil {
		return err
	}
	var g *queue.Group
	if procedure != "" {
		proc, ok := s.Catalog.Catalog().Get(procedure)
		if !ok {
			return errProcedureNotFound
		}
		if g, err = s.Queue.GroupFor(ctx, agency, procedure); err != nil {
			return err
		}
		pg.Procedure, pg.ProcedureName = proc.Code, proc.Name
		if v.Lang == "en" && proc.NameEn != "" {
			pg.ProcedureName = proc.NameEn
		}
	} else {
		if group == "" {
			return apperr.Field("group", "group_required", "Vui lòng chọn nhóm dịch vụ.")
		}
		if g, err = s.Queue.Group(ctx, agency, group); err != nil {
			return err
		}
		if !g.Active {
			return apperr.Field("group", "group_closed", "Nhóm dịch vụ này tạm ngừng nhận số.")
		}
	}
	pg.Group = &qpKioskGroup{Code: g.Code, Prefix: g.Prefix, Name: qpGroupName(v, g.Name, g.NameEn), Icon: g.Icon}
	st, err := s.Queue.Settings(ctx, agency)
	if err != nil {
		return err
	}
	pg.NotifyAhead = st.NotifyAhead
	for _, c := range st.PriorityClasses {
		pg.Classes = append(pg.Classes, qpKioskClass{Code: c.Code, Name: qpPriorityName(v, st, c.Code), Icon: c.Code})
	}
	if priority != "" {
		if !st.HasPriority(priority) {
			return apperr.Field("priority", "invalid_priority", "Nhóm ưu tiên không hợp lệ.")
		}
		pg.Priority, pg.PriorityName = priority, qpPriorityName(v, st, priority)
	}
	return nil
}

// qpKioskStep shows a step that follows a choice, or the start again with
// what was wrong.
func (s *Server) qpKioskStep(w http.ResponseWriter, r *http.Request, step string) {
	v, pg, p := s.qpKioskDevice(w, r, step)
	if p == nil {
		s.qpKioskRender(w, r, http.StatusOK, v, pg)
		return
	}
	q := r.URL.Query()
	if err := s.qpKioskChoice(r.Context(), v, pg, p, q.Get("group"), q.Get("procedure"), q.Get("priority")); err != nil {
		if !qpIsAppErr(err) {
			s.fail(w, r, err)
			return
		}
		pg.Step, pg.Error = "start", qpNewError(v, err)
		if err := s.qpKioskStartData(r, v, pg, p); err != nil {
			s.fail(w, r, err)
			return
		}
		s.qpKioskRender(w, r, apperr.As(err).Status(), v, pg)
		return
	}
	s.qpKioskRender(w, r, http.StatusOK, v, pg)
}

// GET /queue/kiosk/priority?group= (or ?procedure=)
func (s *Server) qpKioskPriority(w http.ResponseWriter, r *http.Request) {
	s.qpKioskStep(w, r, "priority")
}

// GET /queue/kiosk/confirm?group=&procedure=&priority=
func (s *Server) qpKioskConfirm(w http.ResponseWriter, r *http.Request) {
	s.qpKioskStep(w, r, "confirm")
}

// GET /queue/kiosk/appointment
func (s *Server) qpKioskAppointment(w http.ResponseWriter, r *http.Request) {
	v, pg, _ := s.qpKioskDevice(w, r, "appointment")
	s.qpKioskRender(w, r, http.StatusOK, v, pg)
}

// POST /queue/kiosk/tickets — a registered kiosk gives a ticket, then shows
// it (303 to its page).
func (s *Server) qpKioskIssue(w http.ResponseWriter, r *http.Request) {
	if err := qpReadForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	v, pg, p := s.qpKioskDevice(w, r, "confirm")
	if p == nil {
		s.qpKioskRender(w, r, http.StatusForbidden, v, pg)
		return
	}
	f := r.PostForm
	code := strings.TrimSpace(f.Get("appointment_code"))
	if code != "" || f.Has("appointment_code") {
		pg.Step, pg.Code = "appointment", code
	}
	fail := func(err error) {
		if !qpIsAppErr(err) {
			s.fail(w, r, err)
			return
		}
		status := apperr.As(err).Status()
		pg.Error = qpNewError(v, err)
		if pg.Step == "confirm" {
			if e := s.qpKioskChoice(r.Context(), v, pg, p, f.Get("group"), f.Get("procedure"), f.Get("priority")); e != nil {
				pg.Step = "start"
				if e := s.qpKioskStartData(r, v, pg, p); e != nil {
					s.fail(w, r, e)
					return
				}
			}
			pg.Phone = f.Get("phone")
		}
		s.qpKioskRender(w, r, status, v, pg)
	}
	if o := r.Header.Get("Origin"); (o != "" && !sameOrigin(o, r)) || subtle.ConstantTimeCompare([]byte(f.Get("device_csrf")), []byte(pg.CSRF)) != 1 {
		fail(apperr.New(apperr.Forbidden, "csrf_failed", "Biểu mẫu đã cũ hoặc không được gửi từ máy lấy số này. Vui lòng bấm Về đầu và thử lại."))
		return
	}
	if pg.Step == "appointment" && code == "" {
		fail(apperr.Field("appointment_code", "appointment_code_required", "Vui lòng nhập mã lịch hẹn."))
		return
	}
	req := queue.IssueRequest{Group: f.Get("group"), Procedure: f.Get("procedure"), Priority: f.Get("priority"), Phone: strings.TrimSpace(f.Get("phone")), AppointmentCode: code}
	if code != "" {
		req = queue.IssueRequest{AppointmentCode: code}
	}
	t, err := s.Queue.Issue(r.Context(), p, req)
	if err != nil {
		fail(err)
		return
	}
	s.Log.Debug("kiosk ticket", "ticket", t.Label, "group", t.Group, "priority", t.Priority != "", "kiosk", p.ID)
	http.Redirect(w, r, "/queue/kiosk/tickets/"+url.PathEscape(t.ID), http.StatusSeeOther)
}

// GET /queue/kiosk/tickets/{id} — the ticket just taken: shown, spoken and
// printed.
func (s *Server) qpKioskTicket(w http.ResponseWriter, r *http.Request) {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qpNoStore(w)
	pg := &qpKioskPage{Step: "ticket", Home: qpKioskHome, Refresh: 20}
	v := s.newView(w, r, "", pg)
	st, err := s.Queue.Settings(r.Context(), t.Agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	group := t.GroupName
	if g, err := s.Queue.Group(r.Context(), t.Agency, t.Group); err == nil {
		group = qpGroupName(v, g.Name, g.NameEn)
	}
	kt := &qpKioskTicket{ID: t.ID, Number: t.Label, Group: group, Time: qpTime(t.CreatedAt), Wait: qpWait(v, t.EstimatedWait),
		QR: "/queue/t/" + t.ID + "/qr.png", FollowURL: s.qpBase(r) + "/queue/t/" + t.ID, Appointment: t.AppointmentID != ""}
	if t.Priority != "" {
		kt.Priority = qpPriorityName(v, st, t.Priority)
	}
	if t.State == queue.StateWaiting {
		kt.Ahead = qpFill(v.T("kiosk.people"), "n", strconv.Itoa(t.Position))
	}
	pg.Ticket = kt
	say := qpFill(v.T("kiosk.say_ticket"), "number", qpSpell(v.Lang, t.Label), "group", group, "ahead", qpAhead(v, t))
	if kt.Wait != "" {
		say += " " + qpFill(v.T("kiosk.say_wait"), "wait", kt.Wait)
	}
	pg.Speak = say + " " + v.T("kiosk.say_ticket_end")
	s.qpKioskRender(w, r, http.StatusOK, v, pg)
}

// qpAhead says how many people are ahead of a waiting ticket.
func qpAhead(v *view, t *queue.Ticket) string {
	switch {
	case t.State != queue.StateWaiting:
		return ""
	case t.Position == 0:
		return v.T("qpub.ahead_none")
	case t.Position == 1:
		return v.T("qpub.ahead_one")
	}
	return qpFill(v.T("qpub.ahead_many"), "n", strconv.Itoa(t.Position))
}
