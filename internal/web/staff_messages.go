package web

import (
	"net/http"
	"strconv"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
)

// The messages sent to citizens (SMS: "three people ahead of you",
// appointment reminders, later dossier news), for the administrator: what
// was sent, what waits, what failed and why. Numbers and texts are
// citizens' data: numbers are shown partly masked, and every reading is
// audited by the outbox.

// messagesRoutes registers the messages page of the administration.
func (s *Server) messagesRoutes(route func(string, http.HandlerFunc), out *notify.Outbox) {
	route("GET /staff/admin/messages", s.staffPage(s.adminMessages(out), identity.RoleAdministrator))
}

// messageRow is one message as the page shows it.
type messageRow struct {
	notify.Record
	StateText, KindText, Tag string
}

// messageCount is how many listed messages are in one state.
type messageCount struct {
	State, Text string
	N           int
}

// GET /staff/admin/messages[?limit=n] — the latest messages, newest first.
func (s *Server) adminMessages(out *notify.Outbox) func(w http.ResponseWriter, r *http.Request, v *staffView) {
	return func(w http.ResponseWriter, r *http.Request, v *staffView) {
		if out == nil {
			s.adminFail(w, r, v, apperr.New(apperr.NotFound, "notify_not_configured", "Hệ thống chưa cấu hình gửi tin nhắn cho công dân."))
			return
		}
		agency := v.User.Agency
		if agency == "" {
			home, err := s.adminHome(r)
			if err != nil {
				s.adminFail(w, r, v, err)
				return
			}
			agency = home.Code
		}
		limit := 100
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
			limit = min(n, 500)
		}
		records, err := out.List(r.Context(), principal(r), agency, limit)
		if err != nil {
			s.adminFail(w, r, v, err)
			return
		}
		rows := make([]messageRow, 0, len(records))
		counts := map[string]int{}
		for _, rec := range records {
			counts[rec.State]++
			rows = append(rows, messageRow{Record: rec, StateText: messageText(v, "notify.state.", rec.State),
				KindText: messageText(v, "notify.kind.", rec.Kind), Tag: messageTag[rec.State]})
		}
		var summary []messageCount
		for _, st := range messageStates {
			if counts[st] > 0 {
				summary = append(summary, messageCount{State: st, Text: messageText(v, "notify.state.", st), N: counts[st]})
			}
		}
		s.renderStaff(w, r, http.StatusOK, "staff_messages", v, v.T("admin.messages"), map[string]any{
			"Rows": rows, "Summary": summary, "Sandbox": out.Sandbox(), "Limit": limit,
		})
	}
}

// messageTag is the tag class of a state (the words say it too).
var messageTag = map[string]string{
	notify.StateSent:    "tag-ok",
	notify.StatePending: "tag-soon",
	notify.StateSending: "tag-soon",
	notify.StateFailed:  "tag-overdue",
	notify.StateExpired: "tag-overdue",
}

// messageStates are the states in the order the summary gives them.
var messageStates = []string{notify.StatePending, notify.StateSending, notify.StateSent, notify.StateFailed, notify.StateExpired, notify.StateCancelled}

// messageText is the page's word for a state or kind, or the code itself
// for one it does not know (a kind added later).
func messageText(v *staffView, prefix, code string) string {
	if t := v.T(prefix + code); t != prefix+code {
		return t
	}
	return code
}
