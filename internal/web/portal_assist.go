package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/assist"
	"github.com/motcua/motcua/internal/citizen"
)

// Assisted mode in the portal: the citizen's page of consents given and
// the assistance log, where they revoke a consent (/cong-dan/ho-tro); the
// banner of an assisted session with its "end assistance" button; and the
// pages of community digital team members (/ho-tro-cong-dong/), who sign
// in with their phone and the personal access code an administrator gave
// them.

// portalAssistHome is where an assisted session starts.
const portalAssistHome = "/cong-dan/ho-tro"

const helperCookie = "motcua_helper"

// portalAssistRoutes registers this part of the citizen portal's pages.
func portalAssistRoutes(s *Server, route func(string, http.HandlerFunc)) {
	if s.Assist == nil {
		return
	}
	staffAssistRoutes(s, route)
	route("GET /cong-dan/ho-tro", s.portalPage(citizen.Level1, s.portalAssist))
	route("POST /cong-dan/ho-tro/ket-thuc", s.portalPage(citizen.Level1, s.portalAssistEnd))
	route("POST /cong-dan/ho-tro/{id}/thu-hoi", s.portalPage(citizen.Level1, s.portalAssistRevoke))

	route("GET /ho-tro-cong-dong/{$}", s.volunteerHome)
	route("POST /ho-tro-cong-dong/dang-nhap", s.volunteerSignIn)
	route("POST /ho-tro-cong-dong/dang-xuat", s.volunteerPage(s.volunteerSignOut))
	route("POST /ho-tro-cong-dong/{$}", s.volunteerPage(s.assistLookup))
	route("GET /ho-tro-cong-dong/{id}", s.volunteerPage(s.assistConsent))
	route("POST /ho-tro-cong-dong/{id}/code", s.volunteerPage(s.assistSendCode))
	route("POST /ho-tro-cong-dong/{id}/confirm", s.volunteerPage(s.assistConfirm))
	route("POST /ho-tro-cong-dong/{id}/open", s.volunteerPage(s.assistOpen))
}

// assistBanner is what the "assist_banner" template shows on the pages of
// an assisted session.
type assistBanner struct {
	T      func(string) string
	Helper string
	Staff  bool
	Since  time.Time
	Scope  string
	Proc   string
	CSRF   string
}

// assistBannerFor is the banner of the request's session, or nil when the
// citizen is alone. The public layout can show it on every portal page:
// {{with .Assist}}{{template "assist_banner" .}}{{end}} with view.Assist
// set from this.
func (s *Server) assistBannerFor(r *http.Request, sess *citizen.Session, t func(string) string) *assistBanner {
	if sess == nil || !sess.Assisted() || s.Assist == nil {
		return nil
	}
	c, err := s.Assist.Get(r.Context(), sess.AssistID)
	if err != nil {
		return nil
	}
	since := c.CreatedAt
	if c.ConsentedAt != nil {
		since = *c.ConsentedAt
	}
	return &assistBanner{T: t, Helper: c.HelperName, Staff: c.HelperKind == assist.HelperStaff, Since: since, Scope: c.Scope, Proc: c.Procedure, CSRF: sess.CSRF}
}

// GET /cong-dan/ho-tro — consents given and the assistance log.
func (s *Server) portalAssist(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	consents, err := s.Assist.ForCitizen(r.Context(), sess.Citizen.IDNumber)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	log, err := s.Assist.Log(r.Context(), sess.Citizen.IDNumber)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(w, r, "", nil)
	v.Title = v.T("passist.title")
	v.Data = map[string]any{"Consents": consents, "Log": log, "CSRF": sess.CSRF, "Name": sess.Citizen.FullName,
		"Banner": s.assistBannerFor(r, sess, v.T), "Done": r.URL.Query().Get("ok")}
	s.render(w, r, http.StatusOK, "portal_assist", v)
}

// POST /cong-dan/ho-tro/{id}/thu-hoi — the citizen withdraws a consent.
func (s *Server) portalAssistRevoke(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	id := r.PathValue("id")
	if err := s.Assist.Revoke(r.Context(), sess.Citizen.IDNumber, id, sess.Citizen.FullName); err != nil {
		s.fail(w, r, err)
		return
	}
	if sess.AssistID == id { // this very session ended with it
		clearCitizenCookie(w, r)
		s.portalAssistDone(w, r, "passist.revoked_here")
		return
	}
	http.Redirect(w, r, portalAssistHome+"?ok=revoked", http.StatusSeeOther)
}

// POST /cong-dan/ho-tro/ket-thuc — end the assisted session in this browser.
func (s *Server) portalAssistEnd(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	if !sess.Assisted() {
		s.fail(w, r, apperr.New(apperr.Conflict, "not_assisted", "Phiên này không phải phiên được hỗ trợ."))
		return
	}
	if err := s.Assist.EndSession(r.Context(), sess); err != nil {
		s.fail(w, r, err)
		return
	}
	clearCitizenCookie(w, r)
	if strings.HasPrefix(sess.AssistedBy, assist.HelperStaff+":") {
		http.Redirect(w, r, "/staff/assist", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/ho-tro-cong-dong/", http.StatusSeeOther)
}

func (s *Server) portalAssistDone(w http.ResponseWriter, r *http.Request, msg string) {
	v := s.newView(w, r, "", nil)
	v.Title = v.T("passist.done_title")
	v.Data = map[string]any{"Message": v.T(msg)}
	s.render(w, r, http.StatusOK, "portal_assist_done", v)
}

// volunteerView is a member's page in the public layout.
type volunteerView struct {
	*view
	CSRF string
}

func (s *Server) volunteerSession(r *http.Request) *assist.MemberSession {
	c, err := r.Cookie(helperCookie)
	if err != nil {
		return nil
	}
	ms, err := s.Assist.MemberSession(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return ms
}

// volunteerPage wraps a member's page: a session (else the sign-in page),
// CSRF on POST, text that no one could type refused.
func (s *Server) volunteerPage(h func(w http.ResponseWriter, r *http.Request, a *assistSide)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ms := s.volunteerSession(r)
		if ms == nil {
			if r.Method != http.MethodGet {
				s.fail(w, r, apperr.New(apperr.Unauthorized, "member_session_required", "Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."))
				return
			}
			http.Redirect(w, r, "/ho-tro-cong-dong/", http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, apperr.New(apperr.Invalid, "unreadable_form", "Không đọc được biểu mẫu đã gửi. Vui lòng tải lại trang và thử lại."))
				return
			}
			if !memberCSRFOK(r, ms) {
				s.fail(w, r, apperr.New(apperr.Forbidden, "csrf_failed", "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại."))
				return
			}
		}
		v := s.newView(w, r, "", nil)
		vv := &volunteerView{view: v, CSRF: ms.CSRF}
		a := &assistSide{helper: ms.Member.Helper(), base: "/ho-tro-cong-dong", lang: v.Lang,
			render: func(status int, page, title string, data map[string]any) {
				data["Base"], data["Member"] = "/ho-tro-cong-dong", ms.Member
				v.Title, v.Data = title, data
				s.renderLayout(w, r, status, page, "layout", vv, v)
			}}
		h(w, r, a)
	}
}

func memberCSRFOK(r *http.Request, ms *assist.MemberSession) bool {
	return citizenCSRFOK(r, &citizen.Session{CSRF: ms.CSRF})
}

// GET /ho-tro-cong-dong/ — sign in, or start helping.
func (s *Server) volunteerHome(w http.ResponseWriter, r *http.Request) {
	if s.volunteerSession(r) != nil {
		s.volunteerPage(s.assistStart)(w, r)
		return
	}
	s.volunteerLogin(w, r, http.StatusOK, "", "")
}

func (s *Server) volunteerLogin(w http.ResponseWriter, r *http.Request, status int, phone, errMsg string) {
	w.Header().Set("Cache-Control", "no-store")
	v := s.newView(w, r, "", map[string]any{"Phone": phone, "Error": errMsg})
	v.Title = v.T("volunteer.login_title")
	s.render(w, r, status, "portal_assist_volunteer_login", v)
}

// POST /ho-tro-cong-dong/dang-nhap
func (s *Server) volunteerSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	r.ParseForm()
	phone := r.PostFormValue("phone")
	t := translator(lang(w, r))
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		s.volunteerLogin(w, r, http.StatusForbidden, phone, t("volunteer.bad_origin"))
		return
	}
	ip := clientIP(r)
	if !s.signIns.allowed(ip, time.Now()) {
		s.volunteerLogin(w, r, http.StatusTooManyRequests, phone, t("volunteer.too_many"))
		return
	}
	ms, err := s.Assist.MemberSignIn(r.Context(), phone, r.PostFormValue("code"))
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		s.signIns.fail(ip, time.Now())
		s.volunteerLogin(w, r, e.Status(), phone, t("volunteer.failed"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: helperCookie, Value: ms.Token, Path: "/ho-tro-cong-dong/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, Expires: ms.Expires})
	http.Redirect(w, r, "/ho-tro-cong-dong/", http.StatusSeeOther)
}

// POST /ho-tro-cong-dong/dang-xuat
func (s *Server) volunteerSignOut(w http.ResponseWriter, r *http.Request, a *assistSide) {
	if c, err := r.Cookie(helperCookie); err == nil {
		s.Assist.MemberSignOut(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: helperCookie, Value: "", Path: "/ho-tro-cong-dong/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/ho-tro-cong-dong/", http.StatusSeeOther)
}
