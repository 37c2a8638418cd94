package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
)

// The staff's side of feedback: the feedback and complaints (PAKN) to
// answer, by deadline, and the ratings with the Decision 766 satisfaction
// figures. Counter officers and leaders answer PAKN (the one-stop desk
// receives them; a leader answers those about staff); leaders and province
// supervisors read the ratings and figures. Senders' names and numbers are
// citizens' data: numbers are masked in the list and every reading is
// audited.

// pfAnswerRoles may list and answer PAKN; pfFigureRoles read the figures.
var (
	pfAnswerRoles = []string{identity.RoleCounter, identity.RoleLeader}
	pfFigureRoles = []string{identity.RoleLeader, identity.RoleSupervisor}
)

func staffFeedbackRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET /staff/feedback", s.staffPage(s.sfList, pfAnswerRoles...))
	route("GET /staff/feedback/ratings", s.staffPage(s.sfRatings, pfFigureRoles...))
	route("GET /staff/feedback/{code}", s.staffPage(s.sfPetition, pfAnswerRoles...))
	route("POST /staff/feedback/{code}", s.staffPage(s.sfPetition, pfAnswerRoles...))
}

// sfAgency is the agency whose feedback the officer sees: their own, or
// the centre's for a province supervisor.
func (s *Server) sfAgency(r *http.Request, v *staffView) (string, error) {
	if v.User.Agency != "" {
		return v.User.Agency, nil
	}
	home, err := s.adminHome(r)
	if err != nil {
		return "", err
	}
	return home.Code, nil
}

func sfStaff(v *staffView) feedback.Staff {
	return feedback.Staff{Actor: audit.Actor{ID: v.User.ID, Name: v.User.FullName, Roles: v.User.Roles}, Agency: v.User.Agency}
}

// sfRow is a petition in the staff's list.
type sfRow struct {
	pfPetition
	MaskedPhone string
	Urgency     string // the console's urgency tag: on_time, due_soon, overdue
}

func sfRowOf(v *staffView, p *feedback.Petition, now time.Time) sfRow {
	row := sfRow{pfPetition: pfPetitionOf(v.view, p, now), MaskedPhone: notify.Mask(p.Phone)}
	switch row.Standing {
	case feedback.StandingOverdue, feedback.StandingLate:
		row.Urgency = "overdue"
	case feedback.StandingDueSoon:
		row.Urgency = "due_soon"
	default:
		row.Urgency = "on_time"
	}
	return row
}

// GET /staff/feedback[?show=handled] — the PAKN to answer, the most
// urgent first, or those answered.
func (s *Server) sfList(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, err := s.sfAgency(r, v)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	show := feedback.ListOpen
	if r.URL.Query().Get("show") == feedback.ListHandled {
		show = feedback.ListHandled
	}
	list, err := s.Feedback.List(r.Context(), agency, show, 200)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	if err := s.Feedback.AuditList(r.Context(), sfStaff(v), agency, show); err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	now := s.Now()
	rows := make([]sfRow, 0, len(list))
	overdue := 0
	for _, p := range list {
		row := sfRowOf(v, p, now)
		if row.Standing == feedback.StandingOverdue {
			overdue++
		}
		rows = append(rows, row)
	}
	s.renderStaff(w, r, http.StatusOK, "staff_feedback", v, v.T("sfb.title"), map[string]any{
		"Rows": rows, "Show": show, "Overdue": overdue, "Figures": v.Has(identity.RoleLeader),
	})
}

// GET/POST /staff/feedback/{code} — one PAKN, and the form to answer it
// or refuse to handle it.
func (s *Server) sfPetition(w http.ResponseWriter, r *http.Request, v *staffView) {
	st := sfStaff(v)
	code := r.PathValue("code")
	data := map[string]any{"Outcome": feedback.StateAnswered}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		outcome, text := r.PostFormValue("outcome"), r.PostFormValue("answer")
		p, err := s.Feedback.Handle(r.Context(), st, code, outcome, text)
		if err == nil {
			http.Redirect(w, r, "/staff/feedback/"+url.PathEscape(p.Code)+"?ok="+url.QueryEscape(v.T("sfb.saved")), http.StatusSeeOther)
			return
		}
		e := s.adminUserError(w, r, err)
		if e == nil {
			return
		}
		if e.Field == "" {
			s.staffFail(w, r, v, e)
			return
		}
		msg, lang := adminErrText(v, e), ""
		if v.Lang != "vi" && msg == e.Message {
			lang = "vi"
		}
		data["Error"], data["ErrorLang"], data["ErrorField"] = msg, lang, e.Field
		data["Outcome"], data["Answer"], status = outcome, text, e.Status()
	}
	p, err := s.Feedback.Get(r.Context(), st, code)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	data["P"] = sfRowOf(v, p, s.Now())
	s.renderStaff(w, r, status, "staff_feedback_petition", v, v.T("sfb.petition")+" "+p.Code, data)
}

// sfCriterion is one line of the figures' averages.
type sfCriterion struct {
	Name    string
	Average float64
}

// GET /staff/feedback/ratings[?from=YYYY-MM-DD&to=YYYY-MM-DD] — the
// ratings given in a period (this month by default) and the satisfaction
// figures of Decision 766 group 5.
func (s *Server) sfRatings(w http.ResponseWriter, r *http.Request, v *staffView) {
	agency, err := s.sfAgency(r, v)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	now := s.Now().In(calendar.Location)
	from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Location)
	to := from.AddDate(0, 1, 0)
	q := r.URL.Query()
	if q.Get("from") != "" || q.Get("to") != "" {
		f, err1 := time.ParseInLocation(time.DateOnly, q.Get("from"), calendar.Location)
		t, err2 := time.ParseInLocation(time.DateOnly, q.Get("to"), calendar.Location)
		if err1 != nil || err2 != nil || t.Before(f) || t.Sub(f) > 366*24*time.Hour {
			s.staffFail(w, r, v, apperr.Field("from", "invalid_period", "Khoảng thời gian không hợp lệ: chọn ngày bắt đầu và ngày kết thúc (tối đa một năm)."))
			return
		}
		from, to = f, t.AddDate(0, 0, 1)
	}
	fig, err := s.Feedback.Satisfaction(r.Context(), agency, from, to)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	ratings, err := s.Feedback.Ratings(r.Context(), agency, from, to, 200)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	var avgs []sfCriterion
	for _, a := range fig.Averages {
		avgs = append(avgs, sfCriterion{Name: v.T("fb.crit." + a.Criterion), Average: a.Average})
	}
	var topics []pfTopic
	for _, t := range feedback.Topics {
		topics = append(topics, pfTopic{Value: t, Name: v.T("fb.topic." + t)})
	}
	s.renderStaff(w, r, http.StatusOK, "staff_feedback_ratings", v, v.T("sfb.ratings"), map[string]any{
		"F": fig, "Averages": avgs, "Ratings": ratings, "Topics": topics,
		"From": from.Format(time.DateOnly), "To": to.AddDate(0, 0, -1).Format(time.DateOnly),
	})
}
