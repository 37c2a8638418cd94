package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/vntext"
)

// The queue's staff pages: the counter's screen (an officer seated at a
// counter, or the counter's registered device), the manager's board, and
// the queue's administration (queue_admin.go).
//
// The counter's screen works with plain form posts (each one answered by
// a redirect to the screen with what happened) and refreshes itself from
// the queue's live events when JavaScript runs. A registered counter
// device without a staff session acts through the JSON API with its
// X-Device-CSRF header (queue-counter.js), or by the same form posts.

// queueConsoleRoutes registers the queue's staff pages: the counter's
// screen, the manager's board, and the queue's administration.
func queueConsoleRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET /static/queue-staff.css", queueStaffCSSHandler)
	route("GET /queue/counter", s.queueCounterAuth(s.queueCounter))
	route("POST /queue/counter/next", s.queueCounterAuth(s.queueCounterNext))
	route("POST /queue/counter/act", s.queueCounterAuth(s.queueCounterAct))
	route("POST /queue/counter/open", s.queueCounterAuth(s.queueCounterOpen))
	// After signing in the console sends one back to /staff/… only.
	route("GET /staff/queue/counter", s.staffPage(func(w http.ResponseWriter, r *http.Request, v *staffView) {
		http.Redirect(w, r, "/queue/counter", http.StatusSeeOther)
	}, queueCounterRoles...))
	queueManagerRoutes(s, route)
	queueAdminRoutes(s, route)
}

// queueCounterRoles are the staff who may sit at a queue counter (as the
// queue service's own check).
var queueCounterRoles = []string{identity.RoleCounter, identity.RoleSpecialist, identity.RoleLeader, identity.RolePolice, identity.RoleSocialInsurance}

// qcCtx is who uses the counter's screen: a signed-in officer (staff) or
// the counter's registered device (dev).
type qcCtx struct {
	staff  *staffView
	dev    *qcDeviceView
	v      *view
	p      *identity.Principal
	agency string
	number int    // the counter; 0: the officer has none
	csrf   string // what the forms carry
}

// qcDeviceView is what the device's layout receives.
type qcDeviceView struct {
	*view
	Flash string
}

// queueCounterAuth admits a staff session (with its roles and CSRF token,
// through staffPage) or, without one, the counter's registered device
// (with its per-device CSRF value in the form).
func (s *Server) queueCounterAuth(h func(w http.ResponseWriter, r *http.Request, cx *qcCtx)) http.HandlerFunc {
	staff := s.staffPage(func(w http.ResponseWriter, r *http.Request, v *staffView) {
		p := principal(r)
		cx := &qcCtx{staff: v, v: v.view, p: p, csrf: v.CSRF}
		cx.agency = s.queueCentre(r.Context(), p.Agency)
		cx.number, _ = strconv.Atoi(p.Counter)
		h(w, r, cx)
	}, queueCounterRoles...)
	return func(w http.ResponseWriter, r *http.Request) {
		if s.sessionFromCookie(r) != nil {
			staff(w, r)
			return
		}
		p, tok := s.deviceFromCookie(r)
		if p == nil || !p.Has(identity.RoleQueueCounter) || p.Counter == "" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/staff/login?next="+url.QueryEscape("/staff/queue/counter"), http.StatusSeeOther)
				return
			}
			staff(w, r) // the console's answer: sign in first
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			if err := parseAdminForm(w, r, 64<<10); err != nil {
				s.fail(w, r, err)
				return
			}
			got := r.PostFormValue("csrf")
			if o := r.Header.Get("Origin"); (o != "" && !sameOrigin(o, r)) || subtle.ConstantTimeCompare([]byte(got), []byte(deviceCSRF(tok))) != 1 {
				s.fail(w, r, apperr.New(apperr.Forbidden, "csrf_failed", "Phiên làm việc đã thay đổi hoặc biểu mẫu đã cũ. Vui lòng tải lại trang và thử lại."))
				return
			}
			for name, vals := range r.PostForm {
				for _, val := range vals {
					if !vntext.Valid(val) || !vntext.Valid(name) {
						s.fail(w, r, apperr.Field(name, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại."))
						return
					}
				}
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), principalKey, p))
		v := s.newView(w, r, "", nil)
		cx := &qcCtx{dev: &qcDeviceView{view: v}, v: v, p: p, csrf: deviceCSRF(tok)}
		cx.agency = s.queueCentre(r.Context(), p.Agency)
		cx.number, _ = strconv.Atoi(p.Counter)
		h(w, r, cx)
	}
}

// queueCentre is the centre whose queue an agency's staff work in: a
// commune's department or police work at the commune's centre; a token
// or account bound to no agency (or to the province) at the home centre.
func (s *Server) queueCentre(ctx context.Context, agency string) string {
	if agency != "" {
		if a, err := s.Org.Get(ctx, agency); err == nil {
			switch {
			case (a.Kind == org.KindDepartment || a.Kind == org.KindPolice) && a.Parent != "":
				return a.Parent
			case a.Kind == org.KindCommune:
				return a.Code
			}
		}
	}
	if home, err := s.Org.Home(ctx); err == nil {
		return home.Code
	}
	return agency
}

// qcTicket is a ticket as the counter's screen shows it.
type qcTicket struct {
	*queue.Ticket
	GroupName    string
	PriorityName string
	Waited       string // since it was taken (to its first call, once called)
	CalledAt     string // HH:MM
	ReturnsAt    string // an absent ticket back in line at HH:MM
	ToHere       bool   // transferred to this counter
	IntakeURL    string
	FirstTime    bool // never called before
}

// qcOption is a place a ticket may be transferred to.
type qcOption struct {
	Value, Label string
}

// qcPage is the counter's screen.
type qcPage struct {
	Device     bool
	CSRF       string
	Number     int
	Counter    *queue.Counter
	ServesText string
	Current    *qcTicket
	Held       []*qcTicket
	Waiting    []*qcTicket
	Priority   int        // waiting with a priority class
	ToGroups   []qcOption // transfer targets
	ToCounters []qcOption
	CanIntake  bool
	Error      string
	ErrorCode  string
	ErrorLang  string
	Focus      string // the id of the control to start from
	Announce   string // what the live region says after a refresh
	ErrorsEn   string // device pages in English: the API's error codes in English (JSON)
	Shortcuts  []qcShortcut
	Mode       string
}

// qcShortcut is a keyboard shortcut of the screen (the browser's access
// keys: Alt+letter in Chrome and Edge, Alt+Shift+letter in Firefox).
type qcShortcut struct {
	Key, What string
}

// qcKeys are the access keys of the counter's screen; the console's own
// Alt+N, Alt+I, Alt+T, Alt+R and the browsers' Alt+D, Alt+E, Alt+F are left
// alone.
var qcKeys = []struct{ Key, Action string }{
	{"g", "next"}, {"l", queue.ActRecall}, {"v", queue.ActAbsent}, {"b", queue.ActStart}, {"x", queue.ActFinish},
}

// GET /queue/counter[?did=<action>&t=<ticket>][&part=live]
func (s *Server) queueCounter(w http.ResponseWriter, r *http.Request, cx *qcCtx) {
	q := r.URL.Query()
	if did := q.Get("did"); did != "" {
		msg := s.qcDoneMessage(r.Context(), cx, did, q.Get("t"))
		if cx.staff != nil {
			cx.staff.Flash = msg
		} else {
			cx.dev.Flash = msg
		}
	}
	s.qcShow(w, r, cx, http.StatusOK, nil)
}

// qcShow renders the screen, with an error at the top when err is set.
func (s *Server) qcShow(w http.ResponseWriter, r *http.Request, cx *qcCtx, status int, err error) {
	pg, lerr := s.qcLoad(r.Context(), cx)
	if lerr != nil {
		e := apperr.As(lerr)
		if e.Kind == apperr.Internal {
			s.fail(w, r, lerr)
			return
		}
		err, status = lerr, e.Status()
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		pg.Error, pg.ErrorCode = qcErrText(cx.v, e), e.Code
		if cx.v.Lang != "vi" && pg.Error == e.Message {
			pg.ErrorLang = "vi"
		}
		if cx.staff != nil {
			cx.staff.Flash = ""
		} else {
			cx.dev.Flash = ""
		}
	}
	v := cx.v
	title := v.T("qc.title")
	if cx.number > 0 {
		title = fmt.Sprintf(v.T("qc.title_n"), cx.number)
	}
	if r.URL.Query().Get("part") == "live" && r.Method == http.MethodGet {
		// Only the part that changes, for the screen's live refresh.
		if cx.staff != nil {
			cx.staff.Title, cx.staff.Data = title, pg
			s.renderLayout(w, r, status, "queue_counter", "qc_live", cx.staff, v)
		} else {
			cx.dev.Title, cx.dev.Data = title, pg
			s.renderLayout(w, r, status, "queue_counter", "qc_live", cx.dev, v)
		}
		return
	}
	if cx.staff != nil {
		s.renderStaff(w, r, status, "queue_counter", cx.staff, title, pg)
		return
	}
	cx.dev.Title, cx.dev.Data = title, pg
	s.renderLayout(w, r, status, "queue_counter", "qc_device_layout", cx.dev, v)
}

// qcLoad reads what the screen shows.
func (s *Server) qcLoad(ctx context.Context, cx *qcCtx) (*qcPage, error) {
	v := cx.v
	pg := &qcPage{Device: cx.dev != nil, CSRF: cx.csrf, Number: cx.number, Mode: "staff"}
	if pg.Device {
		pg.Mode = "device"
	}
	pg.CanIntake = pg.Device || cx.staff.Has(identity.RoleCounter)
	for _, k := range qcKeys {
		what := v.T(fmt.Sprint("qc.act_", k.Action))
		pg.Shortcuts = append(pg.Shortcuts, qcShortcut{Key: "Alt+" + strings.ToUpper(k.Key), What: what})
	}
	if pg.Device && v.Lang != "vi" {
		pg.ErrorsEn = qcErrorsJSON(v)
	}
	if cx.number == 0 {
		return pg, nil
	}
	c, err := s.Queue.Counter(ctx, cx.agency, cx.number)
	if err != nil {
		if errors.Is(err, queue.ErrCounterNotFound) {
			// Seated at a counter the queue does not know (removed since).
			return pg, err
		}
		return pg, err
	}
	pg.Counter = c
	groups, err := s.Queue.Groups(ctx, cx.agency, true)
	if err != nil {
		return pg, err
	}
	st, err := s.Queue.Settings(ctx, cx.agency)
	if err != nil {
		return pg, err
	}
	names := map[string]string{}
	var served []string
	for _, g := range groups {
		names[g.Code] = g.Prefix + " – " + qGroupName(v, g)
		if g.Active {
			pg.ToGroups = append(pg.ToGroups, qcOption{Value: "g:" + g.Code, Label: names[g.Code]})
		}
		if c.Serves(g.Code) {
			served = append(served, names[g.Code])
		}
	}
	pg.ServesText = strings.Join(served, "; ")
	if counters, err := s.Queue.Counters(ctx, cx.agency); err == nil {
		for _, o := range counters {
			if o.Number != c.Number {
				pg.ToCounters = append(pg.ToCounters, qcOption{Value: fmt.Sprintf("c:%d", o.Number), Label: o.Name})
			}
		}
	}
	now := s.Now()
	view := func(t *queue.Ticket) *qcTicket {
		qt := &qcTicket{Ticket: t, GroupName: names[t.Group], FirstTime: t.FirstCalledAt == nil}
		if qt.GroupName == "" {
			qt.GroupName = t.Group
		}
		if t.Priority != "" {
			qt.PriorityName = qPriorityName(v, st, t.Priority)
		}
		end := now
		if t.FirstCalledAt != nil {
			end = *t.FirstCalledAt
		}
		qt.Waited = qDuration(v, int(end.Sub(t.CreatedAt).Seconds()), false)
		if t.CalledAt != nil {
			qt.CalledAt = t.CalledAt.In(calendar.Location).Format("15:04")
		}
		if t.State == queue.StateWaiting && t.CallableAt.After(now) {
			qt.ReturnsAt = t.CallableAt.In(calendar.Location).Format("15:04")
		}
		qt.ToHere = t.TargetCounter == c.Number
		qt.IntakeURL = "/staff/intake?ticket=" + url.QueryEscape(t.ID)
		if t.Procedure != "" {
			qt.IntakeURL = "/staff/intake/" + url.PathEscape(t.Procedure) + "?ticket=" + url.QueryEscape(t.ID)
		}
		return qt
	}
	cur, held, err := s.Queue.AtCounter(ctx, cx.agency, c.Number)
	if err != nil {
		return pg, err
	}
	if cur != nil {
		pg.Current = view(cur)
	}
	for _, t := range held {
		pg.Held = append(pg.Held, view(t))
	}
	waiting, err := s.Queue.Waiting(ctx, cx.agency, c, 100)
	if err != nil {
		return pg, err
	}
	for _, t := range waiting {
		pg.Waiting = append(pg.Waiting, view(t))
		if t.Priority != "" {
			pg.Priority++
		}
	}
	switch {
	case pg.Current == nil:
		pg.Focus = "qc-next"
	case pg.Current.State == queue.StateCalled:
		pg.Focus = "qc-start"
	default:
		pg.Focus = "qc-finish"
	}
	pg.Announce = fmt.Sprintf(v.T("qc.announce"), len(pg.Waiting))
	if pg.Current != nil {
		pg.Announce = fmt.Sprintf(v.T("qc.announce_current"), pg.Current.Label, len(pg.Waiting))
	}
	return pg, nil
}

// POST /queue/counter/next — call the next ticket.
func (s *Server) queueCounterNext(w http.ResponseWriter, r *http.Request, cx *qcCtx) {
	if cx.number == 0 {
		s.qcShow(w, r, cx, http.StatusForbidden, queue.ErrNotAtCounter)
		return
	}
	t, err := s.Queue.CallNext(r.Context(), cx.p, cx.agency, cx.number)
	if err != nil {
		s.qcShow(w, r, cx, apperr.As(err).Status(), err)
		return
	}
	if t == nil {
		http.Redirect(w, r, "/queue/counter?did=none", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/queue/counter?did=next&t="+url.QueryEscape(t.ID), http.StatusSeeOther)
}

// POST /queue/counter/act — id, action, rev and, for a transfer, to
// (g:<group> or c:<counter>); for a link, dossier.
func (s *Server) queueCounterAct(w http.ResponseWriter, r *http.Request, cx *qcCtx) {
	f := r.PostForm
	id, action := f.Get("id"), f.Get("action")
	req := queue.ActRequest{Action: action, Counter: cx.number, Dossier: f.Get("dossier")}
	if rev := f.Get("rev"); rev != "" {
		req.Rev, _ = strconv.Atoi(rev)
	}
	if cx.number == 0 && action != queue.ActLink && action != queue.ActCancel {
		s.qcShow(w, r, cx, http.StatusForbidden, queue.ErrNotAtCounter)
		return
	}
	switch action {
	case queue.ActCall, queue.ActRecall, queue.ActAbsent, queue.ActStart, queue.ActFinish, queue.ActHold, queue.ActResume, queue.ActCancel:
	case queue.ActTransfer:
		to := f.Get("to")
		switch {
		case strings.HasPrefix(to, "g:"):
			req.Group = strings.TrimPrefix(to, "g:")
		case strings.HasPrefix(to, "c:"):
			n, err := strconv.Atoi(strings.TrimPrefix(to, "c:"))
			if err != nil || n < 1 || n > 99 {
				s.qcShow(w, r, cx, http.StatusBadRequest, apperr.Field("to", "counter_not_found", "Không có quầy này."))
				return
			}
			req.To = n
		default:
			s.qcShow(w, r, cx, http.StatusBadRequest, apperr.Field("to", "transfer_target_required", "Chọn quầy hoặc nhóm dịch vụ để chuyển đến."))
			return
		}
	case queue.ActLink:
		code := strings.ToUpper(strings.TrimSpace(req.Dossier))
		if code != "" && vntext.Valid(code) && len(code) <= 60 && cx.staff != nil {
			// A code that names no dossier is a typing mistake.
			if _, _, err := s.Dossiers.Get(r.Context(), cx.p, code); err != nil && apperr.As(err).Kind == apperr.NotFound {
				s.qcShow(w, r, cx, http.StatusNotFound, apperr.Field("dossier", "dossier_not_found", fmt.Sprintf("Không tìm thấy hồ sơ mã %s.", code)))
				return
			}
		}
	default:
		s.qcShow(w, r, cx, http.StatusBadRequest, apperr.Field("action", "invalid_action", "Thao tác không hợp lệ."))
		return
	}
	// The ticket must be of this centre (the service checks the counter).
	if t, err := s.Queue.Get(r.Context(), id); err != nil || t.Agency != cx.agency {
		s.qcShow(w, r, cx, http.StatusNotFound, queue.ErrNotFound)
		return
	}
	t, err := s.Queue.Act(r.Context(), cx.p, id, req)
	if err != nil {
		s.qcShow(w, r, cx, apperr.As(err).Status(), err)
		return
	}
	http.Redirect(w, r, "/queue/counter?did="+url.QueryEscape(action)+"&t="+url.QueryEscape(t.ID), http.StatusSeeOther)
}

// POST /queue/counter/open — open=1 opens the counter to calls, open=0
// closes it (a break): the officer's own counter, with its groups.
func (s *Server) queueCounterOpen(w http.ResponseWriter, r *http.Request, cx *qcCtx) {
	if cx.number == 0 || cx.staff == nil {
		s.qcShow(w, r, cx, http.StatusForbidden, queue.ErrNotAtCounter)
		return
	}
	c, err := s.Queue.Counter(r.Context(), cx.agency, cx.number)
	if err != nil {
		s.qcShow(w, r, cx, apperr.As(err).Status(), err)
		return
	}
	open := r.PostFormValue("open") == "1"
	if err := s.Queue.SetCounter(r.Context(), cx.p.Actor(), cx.agency, c.Number, c.Groups, open); err != nil {
		s.qcShow(w, r, cx, apperr.As(err).Status(), err)
		return
	}
	did := "closed"
	if open {
		did = "opened"
	}
	http.Redirect(w, r, "/queue/counter?did="+did, http.StatusSeeOther)
}

// qcDoneMessage says what an action did, from the ticket as it is now.
func (s *Server) qcDoneMessage(ctx context.Context, cx *qcCtx, did, id string) string {
	v := cx.v
	switch did {
	case "none":
		return v.T("qc.done_none")
	case "opened", "closed":
		return v.T(fmt.Sprint("qc.done_", did))
	}
	if id == "" {
		return ""
	}
	t, err := s.Queue.Get(ctx, id)
	if err != nil || t.Agency != cx.agency {
		return ""
	}
	switch did {
	case "next", queue.ActCall:
		return fmt.Sprintf(v.T("qc.done_call"), t.Label, t.Counter)
	case queue.ActAbsent:
		if t.State == queue.StateNoShow {
			return fmt.Sprintf(v.T("qc.done_no_show"), t.Label, t.Absences)
		}
		return fmt.Sprintf(v.T("qc.done_absent"), t.Label, t.CallableAt.In(calendar.Location).Format("15:04"))
	case queue.ActTransfer:
		if t.TargetCounter != 0 {
			return fmt.Sprintf(v.T("qc.done_transfer_counter"), t.Label, t.TargetCounter)
		}
		name := t.Group
		if g, err := s.Queue.Group(ctx, t.Agency, t.Group); err == nil {
			name = qGroupName(v, *g)
		}
		return fmt.Sprintf(v.T("qc.done_transfer_group"), t.Label, name)
	case queue.ActLink:
		return fmt.Sprintf(v.T("qc.done_link"), t.Dossier, t.Label)
	case queue.ActRecall, queue.ActStart, queue.ActFinish, queue.ActHold, queue.ActResume, queue.ActCancel:
		return fmt.Sprintf(v.T(fmt.Sprint("qc.done_", did)), t.Label)
	}
	return ""
}

// qcErrText is an error in the page's language: the queue's codes have
// their own English words (qcerr.), then those of the console.
func qcErrText(v *view, e *apperr.Error) string {
	if v.Lang != "vi" {
		if msg, ok := messages[v.Lang]["qcerr."+e.Code]; ok {
			return msg
		}
		if msg, ok := messages[v.Lang]["adminerr."+e.Code]; ok {
			return msg
		}
	}
	return e.Message
}

// qGroupName is a group's name in the page's language.
func qGroupName(v *view, g queue.Group) string {
	if v.Lang != "vi" && g.NameEn != "" {
		return g.NameEn
	}
	return g.Name
}

// qPriorityName is a priority class's name in the page's language.
func qPriorityName(v *view, st queue.Settings, code string) string {
	for _, c := range st.PriorityClasses {
		if c.Code == code {
			if v.Lang != "vi" && c.NameEn != "" {
				return c.NameEn
			}
			return c.Name
		}
	}
	return code
}

// qDuration says how long seconds are: "12 phút", "1 giờ 5 phút", or with
// the seconds for averages.
func qDuration(v *view, sec int, withSeconds bool) string {
	if sec < 0 {
		sec = 0
	}
	h, m, s := sec/3600, sec%3600/60, sec%60
	var parts []string
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", h, v.T("q.hours")))
	}
	if m > 0 || (h == 0 && (!withSeconds || s == 0)) {
		parts = append(parts, fmt.Sprintf("%d %s", m, v.T("q.minutes")))
	}
	if withSeconds && s > 0 && h == 0 {
		parts = append(parts, fmt.Sprintf("%d %s", s, v.T("q.seconds")))
	}
	return strings.Join(parts, " ")
}

// qClock is a time of day in Vietnam.
func qClock(t time.Time) string { return t.In(calendar.Location).Format("15:04") }
