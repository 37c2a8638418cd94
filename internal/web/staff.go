package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"github.com/motcua/motcua/internal/vntext"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
)

// The staff console lives under /staff/. Every page needs a session (a
// sign-in with password and authenticator code); every form carries the
// session's CSRF token; every page checks the roles it needs.

const sessionCookie = "motcua_staff"

type sessionKey struct{}

func sessionOf(r *http.Request) *identity.Session {
	s, _ := r.Context().Value(sessionKey{}).(*identity.Session)
	return s
}

// staffView is what every console page receives.
type staffView struct {
	*view
	User   *identity.User
	CSRF   string
	Box    string // the inbox shown, for the navigation
	Counts navCounts
	Flash  string
	// Sandbox: the population lookups go to the sandbox.
	PopulationSandbox bool
}

// navCounts are the numbers beside the console's navigation.
type navCounts struct {
	Role, Mine, Leader, Notifications int
}

// Has reports whether the user holds a role (for templates).
func (v *staffView) Has(role string) bool {
	return v.User != nil && slices.Contains(v.User.Roles, role)
}

// staffPage wraps a console page: a session is required (else the sign-in
// page, then back here), POSTs must carry the CSRF token, and the user must
// hold one of roles (none listed: any staff role).
func (s *Server) staffPage(h func(w http.ResponseWriter, r *http.Request, v *staffView), roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.sessionFromCookie(r)
		if sess == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = "/staff/"
			}
			http.Redirect(w, r, "/staff/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), sessionKey{}, sess)
		ctx = context.WithValue(ctx, principalKey, sess.User.Principal())
		r = r.WithContext(ctx)
		w.Header().Set("Cache-Control", "no-store")
		// Refusals are shown inside the console, with its navigation.
		if r.Method == http.MethodPost {
			// Bound what a form may send (scans included) before reading it.
			limit := int64(maxStaffForm)
			if strings.HasPrefix(r.URL.Path, "/staff/intake/") || strings.HasSuffix(r.URL.Path, "/files") {
				limit = maxStaffPost
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			var err error
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
				err = r.ParseMultipartForm(16 << 20)
			} else {
				err = r.ParseForm()
			}
			if err != nil {
				var tooLarge *http.MaxBytesError
				e := apperr.New(apperr.Invalid, "unreadable_form", "Không đọc được biểu mẫu đã gửi. Vui lòng tải lại trang và thử lại.")
				if errors.As(err, &tooLarge) {
					e = apperr.New(apperr.TooLarge, "upload_too_large", fmt.Sprintf("Nội dung gửi lên quá lớn (tối đa %d MB).", max(limit>>20, 1)))
				}
				s.staffFail(w, r, s.newStaffView(w, r, sess), e)
				return
			}
		}
		if r.Method == http.MethodPost && !s.csrfOK(r, sess) {
			s.staffFail(w, r, s.newStaffView(w, r, sess), apperr.New(apperr.Forbidden, "csrf_failed", "Phiên làm việc đã thay đổi hoặc biểu mẫu đã cũ. Vui lòng tải lại trang và thử lại."))
			return
		}
		if len(roles) > 0 && !slices.ContainsFunc(roles, func(role string) bool { return slices.Contains(sess.User.Roles, role) }) {
			s.staffFail(w, r, s.newStaffView(w, r, sess), apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không có quyền vào trang này."))
			return
		}
		// Text no one could type (a NUL, broken UTF-8) is refused here,
		// once, rather than by the database of one engine and not the other.
		if r.Method == http.MethodPost {
			for name, vals := range r.PostForm {
				for _, val := range vals {
					if !vntext.Valid(val) || !vntext.Valid(name) {
						s.staffFail(w, r, s.newStaffView(w, r, sess), apperr.Field(name, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại."))
						return
					}
				}
			}
		}
		h(w, r, s.newStaffView(w, r, sess))
	}
}

func (s *Server) sessionFromCookie(r *http.Request) *identity.Session {
	if s.Staff == nil {
		return nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	sess, err := s.Staff.Session(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return sess
}

// csrfOK checks the form field (or header) against the session's token,
// and that the request comes from this site.
func (s *Server) csrfOK(r *http.Request, sess *identity.Session) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		return false
	}
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) == 1
}

func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func (s *Server) newStaffView(w http.ResponseWriter, r *http.Request, sess *identity.Session) *staffView {
	v := &staffView{view: s.newView(w, r, "", nil), User: sess.User, CSRF: sess.CSRF, Flash: r.URL.Query().Get("ok")}
	if s.Population != nil {
		v.PopulationSandbox = s.Population.Sandbox()
	}
	p := sess.User.Principal()
	v.Counts.Role = s.Dossiers.Count(r.Context(), p, dossier.Filter{Inbox: "role"})
	v.Counts.Mine = s.Dossiers.Count(r.Context(), p, dossier.Filter{Inbox: "mine"})
	if v.Has(identity.RoleLeader) {
		// What the leader's desk lists: awaiting approval or signature,
		// untaken or taken by this leader.
		for _, box := range []string{"role", "mine"} {
			for _, st := range []string{"approval", "signing"} {
				v.Counts.Leader += s.Dossiers.Count(r.Context(), p, dossier.Filter{Inbox: box, State: st})
			}
		}
	}
	v.Counts.Notifications = s.Dossiers.UnreadCount(r.Context(), p)
	return v
}

// renderStaff writes a console page inside the console's layout.
func (s *Server) renderStaff(w http.ResponseWriter, r *http.Request, status int, page string, v *staffView, title string, data any) {
	v.Title = title
	v.Data = data
	s.renderLayout(w, r, status, page, "staff_layout", v, v.view)
}

// staffFail shows an error inside the console, or sends it back to the form.
func (s *Server) staffFail(w http.ResponseWriter, r *http.Request, v *staffView, err error) {
	e := apperr.As(err)
	if e.Kind == apperr.Internal {
		s.fail(w, r, err)
		return
	}
	msg, lang := adminErrText(v, e), ""
	if v.Lang != "vi" && msg == e.Message {
		lang = "vi" // no English text for this code: the Vietnamese, marked as such
	}
	s.renderStaff(w, r, e.Status(), "staff_error", v, v.T("error.title"), map[string]string{"Message": msg, "Code": e.Code, "Lang": lang})
}

// What one console form may send: a dossier's scans at the counter, or
// any other form (a year's holiday schedule is the largest).
const (
	maxStaffPost = 80 << 20
	maxStaffForm = 2 << 20
)

// staffNotFound answers an unknown address under /staff/: inside the
// console for a signed-in user, the public page otherwise.
func (s *Server) staffNotFound(w http.ResponseWriter, r *http.Request) {
	sess := s.sessionFromCookie(r)
	if sess == nil {
		s.notFoundPage(w, r)
		return
	}
	r = r.WithContext(context.WithValue(context.WithValue(r.Context(), sessionKey{}, sess), principalKey, sess.User.Principal()))
	w.Header().Set("Cache-Control", "no-store")
	s.staffFail(w, r, s.newStaffView(w, r, sess), apperr.New(apperr.NotFound, "not_found", "Không tìm thấy trang này trong hệ thống."))
}

// GET /staff/login
func (s *Server) staffLogin(w http.ResponseWriter, r *http.Request) {
	if sess := s.sessionFromCookie(r); sess != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := s.newView(w, r, "", map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
	v.Title = v.T("login.title")
	s.render(w, r, http.StatusOK, "staff_login", v)
}

// POST /staff/login
func (s *Server) staffLoginPost(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	next := safeNext(r.PostFormValue("next"))
	show := func(status int, msg string) {
		v := s.newView(w, r, "", map[string]any{"Next": next, "Error": msg, "Username": r.PostFormValue("username")})
		v.Title = v.T("login.title")
		s.render(w, r, status, "staff_login", v)
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		show(http.StatusForbidden, "Yêu cầu đăng nhập không đến từ trang của Trung tâm.")
		return
	}
	if !s.signIns.allowed(ip, time.Now()) {
		show(http.StatusTooManyRequests, "Có quá nhiều lần đăng nhập sai từ máy này. Vui lòng chờ 10 phút.")
		return
	}
	sess, err := s.Staff.SignIn(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"), r.PostFormValue("code"), ip, r.UserAgent())
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind != apperr.Internal {
			s.signIns.fail(ip, time.Now())
			show(ae.Status(), ae.Message)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, Expires: sess.Expires})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// POST /staff/logout
func (s *Server) staffLogout(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.Staff.SignOut(r.Context(), sessionOf(r).Token)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

// safeNext keeps a redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/staff/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return "/staff/"
	}
	return next
}

// GET /staff/ — the officer's day at a glance.
func (s *Server) staffHome(w http.ResponseWriter, r *http.Request, v *staffView) {
	p := principal(r)
	ns, _ := s.Dossiers.Notifications(r.Context(), p, 10)
	overdue := s.Dossiers.Count(r.Context(), p, dossier.Filter{Urgency: dossier.UrgencyOverdue})
	dueSoon := s.Dossiers.Count(r.Context(), p, dossier.Filter{Urgency: dossier.UrgencyDueSoon})
	s.renderStaff(w, r, http.StatusOK, "staff_home", v, v.T("staff.home"), map[string]any{
		"Notifications": ns, "Overdue": overdue, "DueSoon": dueSoon,
	})
}

// GET/POST /staff/account — change one's own password.
func (s *Server) staffAccount(w http.ResponseWriter, r *http.Request, v *staffView) {
	data := map[string]any{}
	if r.Method == http.MethodPost {
		err := s.Staff.ChangePassword(r.Context(), principal(r), r.PostFormValue("old_password"), r.PostFormValue("new_password"))
		if err == nil && r.PostFormValue("new_password") != r.PostFormValue("new_password2") {
			err = apperr.Field("new_password2", "passwords_differ", "Hai lần nhập mật khẩu mới không giống nhau.")
		}
		if err != nil {
			e := apperr.As(err)
			if e.Kind == apperr.Internal {
				s.fail(w, r, err)
				return
			}
			data["Error"], data["Field"] = e.Message, e.Field
		} else {
			data["Done"] = true
		}
	}
	signIns, _ := s.Staff.SignIns(r.Context(), 200)
	var mine []identity.SignInRecord
	for _, si := range signIns {
		if si.Username == v.User.Username && len(mine) < 10 {
			mine = append(mine, si)
		}
	}
	data["SignIns"] = mine
	s.renderStaff(w, r, http.StatusOK, "staff_account", v, v.T("staff.account"), data)
}
