package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/url"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/citizen"
)

// The citizen portal: citizens sign in with their e-ID (portal_auth.go),
// submit dossiers online (portal_services.go), follow and answer them
// (portal_mine.go), and may be helped by an officer or a community digital
// team member with their consent (portal_assist.go). This file holds what
// they share: the citizen's session cookie, its CSRF check and the wrapper
// that requires a signed-in citizen at a given e-ID level.

const citizenCookie = "motcua_citizen"

// portalLogin is where a citizen without a session is sent.
const portalLogin = "/dang-nhap"

func portalRoutes(s *Server, route func(string, http.HandlerFunc)) {
	portalAuthRoutes(s, route)
	portalServiceRoutes(s, route)
	portalMineRoutes(s, route)
	portalAssistRoutes(s, route)
	portalFeedbackRoutes(s, route)
}

// citizenSessionKey carries the session portalPage found, so the page's
// header does not look it up a second time.
type citizenSessionKey struct{}

// citizenSession is the live portal session of the request, or nil.
func (s *Server) citizenSession(r *http.Request) *citizen.Session {
	if sess, ok := r.Context().Value(citizenSessionKey{}).(*citizen.Session); ok {
		return sess
	}
	if s.Citizens == nil {
		return nil
	}
	c, err := r.Cookie(citizenCookie)
	if err != nil {
		return nil
	}
	sess, err := s.Citizens.Session(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return sess
}

// setCitizenCookie keeps a new session in the browser, until the browser
// closes (a shared computer forgets it); the server ends the session at
// its idle and absolute limits. No Expires: the app's clock (fixed in
// tests) is not the browser's.
func setCitizenCookie(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	http.SetCookie(w, &http.Cookie{Name: citizenCookie, Value: sess.Token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode})
}

// clearCitizenCookie forgets the session in the browser.
func clearCitizenCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: citizenCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// citizenCSRFOK checks a form's csrf field (or the X-CSRF-Token header)
// against the session, and that the request comes from this site.
func citizenCSRFOK(r *http.Request, sess *citizen.Session) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		return false
	}
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) == 1
}

// ErrLevel2Required is shown when a procedure needs an e-ID verified in person.
var ErrLevel2Required = apperr.New(apperr.Forbidden, "eid_level2_required",
	"Thủ tục này cần tài khoản định danh điện tử mức độ 2. Vui lòng đăng nhập bằng tài khoản VNeID mức độ 2, hoặc đến Trung tâm để được hỗ trợ.")

// portalPage wraps a handler that needs a signed-in citizen with at least
// the given e-ID level: without a session it sends them to sign in and
// back; a POST must carry the session's CSRF token.
func (s *Server) portalPage(minLevel int, h func(w http.ResponseWriter, r *http.Request, sess *citizen.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.citizenSession(r)
		if sess == nil {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.fail(w, r, apperr.New(apperr.Unauthorized, "citizen_session_required", "Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."))
				return
			}
			http.Redirect(w, r, portalLogin+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.Method == http.MethodPost && !citizenCSRFOK(r, sess) {
			s.fail(w, r, apperr.New(apperr.Forbidden, "csrf_failed", "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại."))
			return
		}
		if sess.Level < minLevel {
			s.fail(w, r, ErrLevel2Required)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), citizenSessionKey{}, sess)), sess)
	}
}
