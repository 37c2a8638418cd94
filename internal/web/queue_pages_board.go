package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/queue"
)

// The display board on the centre's TV and the phone page of a ticket.
// Both are rendered on the server first; queue-board.js and
// queue-follow.js keep them live from the queue's event stream.

// qpBoardPage is what the board shows.
type qpBoardPage struct {
	Agency   string
	Counters []qpBoardCounter
	Recent   []qpBoardCall
	Waiting  []qpBoardGroup
	Clock    string
}

type qpBoardCounter struct {
	Number  int
	Name    string
	Open    bool
	Current string
}

type qpBoardCall struct {
	Label   string
	Counter int
	Time    string
}

type qpBoardGroup struct {
	Code, Prefix, Name string
	Waiting            int
	Wait               string
}

// qpBoardAgency is the centre a board shows: ?agency=, or the home centre.
func (s *Server) qpBoardAgency(r *http.Request) (string, error) {
	if a := r.URL.Query().Get("agency"); a != "" {
		if _, err := s.Org.Get(r.Context(), a); err != nil {
			return "", apperr.New(apperr.NotFound, "unknown_agency", "Không có trung tâm này.")
		}
		return a, nil
	}
	return s.qpAgencyOf(r.Context(), nil)
}

// GET /queue/board — the centre's display board.
func (s *Server) qpBoard(w http.ResponseWriter, r *http.Request) {
	agency, err := s.qpBoardAgency(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := s.Queue.Board(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qpNoStore(w)
	pg := &qpBoardPage{Agency: agency, Clock: s.Now().In(calendar.Location).Format("15:04")}
	v := s.newView(w, r, "", pg)
	v.Title = v.T("qboard.title")
	for _, c := range b.Counters {
		pg.Counters = append(pg.Counters, qpBoardCounter{Number: c.Number, Name: c.Name, Open: c.Open, Current: c.Current})
	}
	for i, c := range b.Recent {
		if i == 6 {
			break
		}
		pg.Recent = append(pg.Recent, qpBoardCall{Label: c.Label, Counter: c.Counter, Time: time.UnixMilli(c.At).In(calendar.Location).Format("15:04")})
	}
	for _, g := range b.Waiting {
		pg.Waiting = append(pg.Waiting, qpBoardGroup{Code: g.Code, Prefix: g.Prefix, Name: qpGroupName(v, g.Name, g.NameEn), Waiting: g.Waiting, Wait: qpWait(v, g.EstimatedWait)})
	}
	s.renderLayout(w, r, http.StatusOK, "queue_board", "board_layout", v, v)
}

// qpFollowPage is the phone page of a ticket.
type qpFollowPage struct {
	T        *queue.Ticket
	Group    string
	Priority string
	Time     string
	State    string // the state in plain words
	Detail   string // what to do now
	Tone     string // waiting, called, serving, ended
	Final    bool
	Wait     string
	Ahead    string
}

// GET /queue/t/{id} — where a ticket stands, for the citizen's phone.
func (s *Server) qpFollow(w http.ResponseWriter, r *http.Request) {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qpNoStore(w)
	pg := &qpFollowPage{T: t, Time: qpTime(t.CreatedAt)}
	v := s.newView(w, r, "", pg)
	v.Title = v.T("qfollow.title") + " " + t.Label
	pg.Group = t.GroupName
	if g, err := s.Queue.Group(r.Context(), t.Agency, t.Group); err == nil {
		pg.Group = qpGroupName(v, g.Name, g.NameEn)
	}
	if t.Priority != "" {
		if st, err := s.Queue.Settings(r.Context(), t.Agency); err == nil {
			pg.Priority = qpPriorityName(v, st, t.Priority)
		}
	}
	counter := strconv.Itoa(t.Counter)
	switch t.State {
	case queue.StateWaiting:
		pg.Tone, pg.Wait, pg.Ahead = "waiting", qpWait(v, t.EstimatedWait), qpAhead(v, t)
		switch {
		case t.Position == 0:
			pg.State = v.T("qfollow.next")
		case pg.Wait != "":
			pg.State = qpFill(v.T("qfollow.waiting_wait"), "ahead", pg.Ahead, "wait", pg.Wait)
		default:
			pg.State = qpFill(v.T("qfollow.waiting"), "ahead", pg.Ahead)
		}
		pg.Detail = v.T("qfollow.waiting_detail")
		if t.Absences > 0 {
			pg.Detail = v.T("qfollow.absent_detail")
		}
	case queue.StateCalled:
		pg.Tone, pg.State, pg.Detail = "called", qpFill(v.T("qfollow.called"), "counter", counter), v.T("qfollow.called_detail")
	case queue.StateServing:
		pg.Tone, pg.State = "serving", qpFill(v.T("qfollow.serving"), "counter", counter)
	case queue.StateHeld:
		pg.Tone, pg.State, pg.Detail = "serving", qpFill(v.T("qfollow.held"), "counter", counter), v.T("qfollow.held_detail")
	case queue.StateDone:
		pg.Tone, pg.State, pg.Final = "ended", v.T("qfollow.done"), true
	case queue.StateNoShow:
		pg.Tone, pg.State, pg.Detail, pg.Final = "ended", v.T("qfollow.no_show"), v.T("qfollow.new_ticket"), true
	case queue.StateCancelled:
		pg.Tone, pg.State, pg.Detail, pg.Final = "ended", v.T("qfollow.cancelled"), v.T("qfollow.new_ticket"), true
	default:
		pg.Tone, pg.State, pg.Detail, pg.Final = "ended", v.T("qfollow.expired"), v.T("qfollow.new_ticket"), true
	}
	s.render(w, r, http.StatusOK, "queue_ticket", v)
}
