package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/vntext"
)

// Satisfaction and feedback on the portal: a citizen rates each finished
// dossier of theirs, and sends feedback or a complaint (PAKN) — signed in,
// or without signing in with a phone number — and reads the answer. The
// staff's side is in staff_feedback.go; checking an SMS at /verify is in
// portal_feedback_verify.go.

func portalFeedbackRoutes(s *Server, route func(string, http.HandlerFunc)) {
	if s.Feedback == nil {
		return
	}
	route("GET /cong-dan/ho-so/{code}/danh-gia", s.portalPage(1, s.pfRate))
	route("POST /cong-dan/ho-so/{code}/danh-gia", s.portalPage(1, s.pfRate))
	route("GET /cong-dan/gop-y", s.portalPage(1, s.pfMine))
	route("POST /cong-dan/gop-y", s.portalPage(1, s.pfMine))
	route("GET /gop-y", s.pfPublic)
	route("POST /gop-y", s.pfPublic)
	route("GET /gop-y/{code}", s.pfFollow)
	route("POST /gop-y/{code}", s.pfFollow)
	staffFeedbackRoutes(s, route)
}

// pfMaxForm bounds a feedback form (a 2,000-character complaint in UTF-8
// with its fields).
const pfMaxForm = 32 << 10

// pfCitizen is the session's citizen as the feedback service sees them.
func pfCitizen(sess *citizen.Session) feedback.Citizen {
	return feedback.Citizen{ID: sess.Citizen.ID, IDNumber: sess.Citizen.IDNumber, Name: sess.Citizen.FullName, Phone: sess.Citizen.Phone,
		AssistedBy: sess.AssistedBy}
}

// pfReadForm bounds and parses a form and refuses text no one could type.
func pfReadForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, pfMaxForm)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "unreadable_form", "Không đọc được biểu mẫu đã gửi. Vui lòng tải lại trang và thử lại.")
	}
	for name, vals := range r.PostForm {
		for _, v := range vals {
			if !vntext.Valid(v) || !vntext.Valid(name) {
				return apperr.Field(name, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
			}
		}
	}
	return nil
}

// pfError is an error shown on a feedback page beside its field.
type pfError struct {
	Message, Lang, Field, Code string
}

func pfNewError(v *view, err error) *pfError {
	e := apperr.As(err)
	pe := &pfError{Message: e.Message, Field: e.Field, Code: e.Code}
	if v.Lang != "vi" {
		if t, ok := messages[v.Lang]["fb.err."+e.Code]; ok {
			pe.Message = t
		} else {
			pe.Lang = "vi"
		}
	}
	return pe
}

// pfUserErr reports whether err is shown on the page (not a fault).
func pfUserErr(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Kind != apperr.Internal
}

// pfLevel is one mark of the 1–5 scale.
type pfLevel struct {
	Value int
	Name  string
}

// pfCriterion is one question of the rating form.
type pfCriterion struct {
	ID, Name, Hint string
	Value          int
}

func pfLevels(v *view) []pfLevel {
	var out []pfLevel
	for i := 5; i >= 1; i-- {
		out = append(out, pfLevel{Value: i, Name: v.T("fb.level." + strconv.Itoa(i))})
	}
	return out
}

// pfRatePage is the rating page.
type pfRatePage struct {
	CSRF      string
	D         *feedback.RatableDossier
	Criteria  []pfCriterion
	Levels    []pfLevel
	Comment   string
	Editable  bool
	Saved     bool
	Until     time.Time
	Error     *pfError
	StatusTxt string
}

// GET/POST /cong-dan/ho-so/{code}/danh-gia — rate a finished dossier.
func (s *Server) pfRate(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	c := pfCitizen(sess)
	code := r.PathValue("code")
	v := s.newView(w, r, "", nil)
	d, err := s.Feedback.Dossier(r.Context(), c, code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg := &pfRatePage{CSRF: sess.CSRF, D: d, Levels: pfLevels(v), Saved: r.URL.Query().Get("saved") == "1"}
	scores := feedback.Scores{}
	if d.Rating != nil {
		scores, pg.Comment, pg.Until = d.Rating.Scores, d.Rating.Comment, d.Rating.EditableUntil
	}
	pg.Editable = d.Finished && (d.Rating == nil || d.Rating.Editable(s.Now()))
	status := http.StatusOK
	if r.Method == http.MethodPost {
		err := pfReadForm(w, r)
		if err == nil {
			scores = feedback.Scores{}
			for _, crit := range feedback.Criteria {
				n, _ := strconv.Atoi(r.PostFormValue(crit))
				switch crit {
				case feedback.CriterionReception:
					scores.Reception = n
				case feedback.CriterionTimeliness:
					scores.Timeliness = n
				case feedback.CriterionResult:
					scores.Result = n
				case feedback.CriterionAttitude:
					scores.Attitude = n
				}
			}
			pg.Comment = r.PostFormValue("comment")
			_, err = s.Feedback.Rate(r.Context(), c, code, scores, pg.Comment)
		}
		if err == nil {
			http.Redirect(w, r, "/cong-dan/ho-so/"+url.PathEscape(d.Code)+"/danh-gia?saved=1", http.StatusSeeOther)
			return
		}
		if !pfUserErr(err) {
			s.fail(w, r, err)
			return
		}
		pg.Error, status = pfNewError(v, err), apperr.As(err).Status()
	}
	for _, crit := range feedback.Criteria {
		pg.Criteria = append(pg.Criteria, pfCriterion{ID: crit, Name: v.T("fb.crit." + crit), Hint: v.T("fb.crit." + crit + ".hint"), Value: scores.Of(crit)})
	}
	v.Data = pg
	v.Title = v.T("fb.rate.title")
	s.render(w, r, status, "portal_feedback_rate", v)
}

// pfTopic is one choice of what a petition is about.
type pfTopic struct{ Value, Name string }

func pfTopics(v *view) []pfTopic {
	var out []pfTopic
	for _, t := range feedback.Topics {
		out = append(out, pfTopic{Value: t, Name: v.T("fb.topic." + t)})
	}
	return out
}

// pfPetition is a petition as a citizen's page shows it.
type pfPetition struct {
	*feedback.Petition
	TopicName, StateName, Standing string
}

func pfPetitionOf(v *view, p *feedback.Petition, now time.Time) pfPetition {
	return pfPetition{Petition: p, TopicName: v.T("fb.topic." + p.Topic), StateName: v.T("fb.state." + p.State), Standing: p.Standing(now)}
}

// pfForm is the "send feedback" form's values.
type pfForm struct {
	Topic, Dossier, Follows, Name, Phone, Body string
}

// pfMinePage is the citizen's feedback page.
type pfMinePage struct {
	CSRF      string
	Petitions []pfPetition
	Dossiers  []feedback.RatableDossier
	Topics    []pfTopic
	Form      pfForm
	Sent      string
	Reacted   bool
	Error     *pfError
	Signed    bool
}

// GET/POST /cong-dan/gop-y — my feedback and complaints, and a form to
// send one (optionally about one of my dossiers, or sending one again).
func (s *Server) pfMine(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	c := pfCitizen(sess)
	v := s.newView(w, r, "", nil)
	q := r.URL.Query()
	pg := &pfMinePage{CSRF: sess.CSRF, Topics: pfTopics(v), Sent: q.Get("sent"), Reacted: q.Get("reacted") == "1", Signed: true,
		Form: pfForm{Dossier: q.Get("ho-so"), Follows: q.Get("gui-lai"), Phone: sess.Citizen.Phone}}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		err := pfReadForm(w, r)
		if err == nil && r.PostFormValue("action") == "react" {
			var p *feedback.Petition
			if p, err = s.Feedback.MineOne(r.Context(), c, r.PostFormValue("code")); err == nil {
				if err = s.Feedback.React(r.Context(), p, r.PostFormValue("reaction")); err == nil {
					http.Redirect(w, r, "/cong-dan/gop-y?reacted=1#"+url.QueryEscape(p.Code), http.StatusSeeOther)
					return
				}
			}
		} else if err == nil {
			pg.Form = pfForm{Topic: r.PostFormValue("topic"), Dossier: r.PostFormValue("dossier"), Follows: r.PostFormValue("follows"),
				Phone: r.PostFormValue("phone"), Body: r.PostFormValue("body")}
			home, herr := s.Org.Home(r.Context())
			if herr != nil {
				s.fail(w, r, apperr.Wrap(herr, "home agency"))
				return
			}
			var p *feedback.Petition
			p, err = s.Feedback.Submit(r.Context(), feedback.Submission{Agency: home.Code, Citizen: &c, Phone: pg.Form.Phone, Topic: pg.Form.Topic,
				DossierCode: pg.Form.Dossier, Follows: pg.Form.Follows, Body: pg.Form.Body})
			if err == nil {
				http.Redirect(w, r, "/cong-dan/gop-y?sent="+url.QueryEscape(p.Code)+"#"+url.QueryEscape(p.Code), http.StatusSeeOther)
				return
			}
		}
		if !pfUserErr(err) {
			s.fail(w, r, err)
			return
		}
		pg.Error, status = pfNewError(v, err), apperr.As(err).Status()
	}
	mine, err := s.Feedback.Mine(r.Context(), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Now()
	for _, p := range mine {
		pg.Petitions = append(pg.Petitions, pfPetitionOf(v, p, now))
	}
	if pg.Dossiers, err = s.Feedback.MyDossiers(r.Context(), c, 30); err != nil {
		s.fail(w, r, err)
		return
	}
	v.Data = pg
	v.Title = v.T("fb.mine.title")
	s.render(w, r, status, "portal_feedback", v)
}

// Forms sent without signing in carry a token that matches a cookie (the
// double-submit pattern), and must come from this site.
const pfFormCookie = "motcua_gopy"

func pfFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(pfFormCookie); err == nil && len(c.Value) == 32 {
		if _, err := hex.DecodeString(c.Value); err == nil {
			return c.Value
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: pfFormCookie, Value: tok, Path: "/gop-y", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return tok
}

func pfFormTokenOK(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		return false
	}
	c, err := r.Cookie(pfFormCookie)
	if err != nil || len(c.Value) != 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("form_token"))) == 1
}

// pfSubmitLimits bound what one address may send without signing in: 10
// petitions an hour (a centre's public computer serves many, but not more).
var pfSubmitLimits sync.Map // *Server → *failureLimiter

func pfSubmitLimit(s *Server) *failureLimiter {
	l, _ := pfSubmitLimits.LoadOrStore(s, newFailureLimiter(10, time.Hour))
	return l.(*failureLimiter)
}

var pfErrFormExpired = apperr.New(apperr.Forbidden, "csrf_failed", "Biểu mẫu đã cũ hoặc không được gửi từ trang của Trung tâm. Vui lòng tải lại trang và thử lại.")

// pfPublicPage is the feedback form without signing in.
type pfPublicPage struct {
	FormToken string
	Topics    []pfTopic
	Form      pfForm
	Sent      *pfPetition
	Error     *pfError
}

// GET/POST /gop-y — send feedback or a complaint without signing in (a
// phone number is needed for the answer); ?ma= opens one already sent.
func (s *Server) pfPublic(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if code := strings.TrimSpace(r.URL.Query().Get("ma")); code != "" && r.Method == http.MethodGet {
		http.Redirect(w, r, "/gop-y/"+url.PathEscape(strings.ToUpper(code)), http.StatusSeeOther)
		return
	}
	v := s.newView(w, r, "", nil)
	pg := &pfPublicPage{FormToken: pfFormToken(w, r), Topics: pfTopics(v)}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		err := pfReadForm(w, r)
		if err == nil && !pfFormTokenOK(r) {
			err = pfErrFormExpired
		}
		limit := pfSubmitLimit(s)
		if err == nil && !limit.allowed(clientIP(r), time.Now()) {
			err = apperr.New(apperr.RateLimited, "too_many_petitions", "Bạn đã gửi nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau một giờ, hoặc gọi điện cho Trung tâm.")
		}
		if err == nil {
			pg.Form = pfForm{Topic: r.PostFormValue("topic"), Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Body: r.PostFormValue("body")}
			home, herr := s.Org.Home(r.Context())
			if herr != nil {
				s.fail(w, r, apperr.Wrap(herr, "home agency"))
				return
			}
			var p *feedback.Petition
			if p, err = s.Feedback.Submit(r.Context(), feedback.Submission{Agency: home.Code, Name: pg.Form.Name, Phone: pg.Form.Phone,
				Topic: pg.Form.Topic, Body: pg.Form.Body}); err == nil {
				limit.fail(clientIP(r), time.Now()) // counts every one sent
				sent := pfPetitionOf(v, p, s.Now())
				pg.Sent, pg.Form = &sent, pfForm{}
				status = http.StatusCreated
			}
		}
		if err != nil {
			if !pfUserErr(err) {
				s.fail(w, r, err)
				return
			}
			pg.Error, status = pfNewError(v, err), apperr.As(err).Status()
		}
	}
	v.Data = pg
	v.Title = v.T("fb.public.title")
	s.render(w, r, status, "portal_feedback_public", v)
}

// pfFollowPage follows one petition with its code and phone number.
type pfFollowPage struct {
	FormToken string
	Code      string
	Phone     string
	P         *pfPetition
	Reacted   bool
	Error     *pfError
}

// GET/POST /gop-y/{code} — the sender gives the phone number they sent it
// with and reads where it stands and the answer. Wrong numbers count
// against the address's lookups (10 in 10 minutes).
func (s *Server) pfFollow(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	v := s.newView(w, r, "", nil)
	pg := &pfFollowPage{FormToken: pfFormToken(w, r), Code: strings.ToUpper(r.PathValue("code"))}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		ip := clientIP(r)
		err := pfReadForm(w, r)
		if err == nil && !pfFormTokenOK(r) {
			err = pfErrFormExpired
		}
		if err == nil && !s.lookups.allowed(ip, time.Now()) {
			err = apperr.New(apperr.RateLimited, "too_many_failed_lookups", "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 10 phút, hoặc hỏi cán bộ tại Trung tâm.")
		}
		if err == nil {
			pg.Phone = r.PostFormValue("phone")
			var p *feedback.Petition
			p, err = s.Feedback.Follow(r.Context(), pg.Code, pg.Phone)
			if errors.Is(err, feedback.ErrPetitionNotFound) {
				s.lookups.fail(ip, time.Now())
			}
			if err == nil && r.PostFormValue("reaction") != "" {
				if err = s.Feedback.React(r.Context(), p, r.PostFormValue("reaction")); err == nil {
					pg.Reacted = true
				}
			}
			if err == nil {
				fp := pfPetitionOf(v, p, s.Now())
				pg.P = &fp
				if n, nerr := notify.NormalizePhone(pg.Phone); nerr == nil {
					pg.Phone = n
				}
			}
		}
		if err != nil {
			if !pfUserErr(err) {
				s.fail(w, r, err)
				return
			}
			pg.Error, status = pfNewError(v, err), apperr.As(err).Status()
		}
	}
	v.Data = pg
	v.Title = v.T("fb.follow.title") + " " + pg.Code
	s.render(w, r, status, "portal_feedback_follow", v)
}
