package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
)

// Registering a screen: the kiosk and each counter's screen keep a device
// token in an HttpOnly cookie for a year. A token made with `motcua token
// create --role kiosk` (or `--role counter --counter N`) is pasted here; or
// an administrator signed in to the console registers the screen in one
// click, which makes the token.

// qpDevicePage is the registration page.
type qpDevicePage struct {
	FormToken  string
	Kind       string // kiosk, counter, or "" when not registered
	Label      string
	Counter    string
	DeviceCSRF string
	Stale      bool // a token is kept but no longer works
	Forgot     bool
	Staff      bool
	Admin      bool
	StaffName  string
	StaffCSRF  string
	Counters   []queue.Counter
	Error      *qpError
}

// qpDeviceYear is how long a screen stays registered.
const qpDeviceYear = 365 * 24 * time.Hour

func qpSetDevice(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: token, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode,
		MaxAge: int(qpDeviceYear / time.Second), Expires: time.Now().Add(qpDeviceYear)})
}

// qpDeviceHome is the page a registered screen opens.
func qpDeviceHome(p *identity.Principal) string {
	if p.Has(identity.RoleKiosk) {
		return "/queue/kiosk"
	}
	return "/queue/counter"
}

func (s *Server) qpDeviceData(w http.ResponseWriter, r *http.Request, v *view, pg *qpDevicePage) {
	pg.FormToken = qpFormToken(w, r)
	if p, tok := s.deviceFromCookie(r); p != nil {
		pg.Label, pg.DeviceCSRF = p.Name, deviceCSRF(tok)
		pg.Kind = "counter"
		if p.Has(identity.RoleKiosk) {
			pg.Kind = "kiosk"
		}
		pg.Counter = p.Counter
	} else if c, err := r.Cookie(deviceCookie); err == nil && c.Value != "" {
		pg.Stale = true
	}
	if sess := s.sessionFromCookie(r); sess != nil {
		pg.Staff, pg.StaffName, pg.StaffCSRF = true, sess.User.FullName, sess.CSRF
		pg.Admin = slices.Contains(sess.User.Roles, identity.RoleAdministrator)
		if pg.Admin {
			if agency, err := s.qpAgencyOf(r.Context(), sess.User.Principal()); err == nil {
				pg.Counters, _ = s.Queue.Counters(r.Context(), agency)
			}
		}
	}
}

func (s *Server) qpDeviceRender(w http.ResponseWriter, r *http.Request, status int, v *view, pg *qpDevicePage) {
	v.Title = v.T("qdevice.title")
	s.render(w, r, status, "queue_device", v)
}

// qpDeviceFail shows the page again with what went wrong.
func (s *Server) qpDeviceFail(w http.ResponseWriter, r *http.Request, v *view, pg *qpDevicePage, err error) {
	if !qpIsAppErr(err) {
		s.fail(w, r, err)
		return
	}
	pg.Error = qpNewError(v, err)
	s.qpDeviceData(w, r, v, pg)
	s.qpDeviceRender(w, r, apperr.As(err).Status(), v, pg)
}

// GET /queue/device — what this screen is, and how to register it.
func (s *Server) qpDevice(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	pg := &qpDevicePage{Forgot: r.URL.Query().Has("forgot")}
	v := s.newView(w, r, "", pg)
	s.qpDeviceData(w, r, v, pg)
	s.qpDeviceRender(w, r, http.StatusOK, v, pg)
}

// POST /queue/device — register with a pasted token.
func (s *Server) qpDeviceRegister(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	pg := &qpDevicePage{}
	v := s.newView(w, r, "", pg)
	if err := qpReadForm(w, r); err != nil {
		s.qpDeviceFail(w, r, v, pg, err)
		return
	}
	ip := clientIP(r)
	switch {
	case !s.qpAllow(r):
		s.qpDeviceFail(w, r, v, pg, qpErrTooFast)
		return
	case !s.lookups.allowed(ip, time.Now()):
		s.qpDeviceFail(w, r, v, pg, qpErrTooMany)
		return
	case !qpFormTokenOK(r):
		s.qpDeviceFail(w, r, v, pg, qpErrFormExpired)
		return
	}
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	if tok == "" {
		s.qpDeviceFail(w, r, v, pg, apperr.Field("token", "token_required", "Vui lòng dán mã thiết bị."))
		return
	}
	p, err := s.Tokens.Authenticate(r.Context(), tok)
	if errors.Is(err, identity.ErrBadToken) {
		s.lookups.fail(ip, time.Now())
		s.qpDeviceFail(w, r, v, pg, apperr.Field("token", "invalid_token", "Mã thiết bị không đúng, đã bị thu hồi hoặc đã hết hạn."))
		return
	}
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "device token"))
		return
	}
	if !p.HasAny(identity.RoleKiosk, identity.RoleQueueCounter) {
		s.qpDeviceFail(w, r, v, pg, apperr.Field("token", "wrong_token_role",
			"Mã này không phải mã của máy lấy số hay màn hình quầy. Hãy tạo mã bằng lệnh motcua token create --role kiosk (hoặc --role counter --counter N)."))
		return
	}
	qpSetDevice(w, r, tok)
	s.Log.Info("queue screen registered", "token", p.ID, "role", p.Roles[0], "counter", p.Counter)
	http.Redirect(w, r, qpDeviceHome(p), http.StatusSeeOther)
}

// POST /queue/device/staff — an administrator registers this screen as the
// kiosk or as a counter's screen; the token is made here.
func (s *Server) qpDeviceStaff(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	pg := &qpDevicePage{}
	v := s.newView(w, r, "", pg)
	if err := qpReadForm(w, r); err != nil {
		s.qpDeviceFail(w, r, v, pg, err)
		return
	}
	sess := s.sessionFromCookie(r)
	switch {
	case sess == nil:
		s.qpDeviceFail(w, r, v, pg, apperr.New(apperr.Unauthorized, "authentication_required", "Phiên đăng nhập đã hết. Vui lòng đăng nhập lại vào trang cán bộ."))
		return
	case !s.csrfOK(r, sess):
		s.qpDeviceFail(w, r, v, pg, qpErrFormExpired)
		return
	case !slices.Contains(sess.User.Roles, identity.RoleAdministrator):
		s.qpDeviceFail(w, r, v, pg, apperr.New(apperr.Forbidden, "forbidden", "Chỉ quản trị viên mới đăng ký được màn hình."))
		return
	}
	admin := sess.User.Principal()
	when := s.Now().In(calendar.Location).Format("02/01/2006")
	spec := identity.TokenSpec{Agency: admin.Agency, By: admin.Actor()}
	switch r.PostForm.Get("role") {
	case "kiosk":
		spec.Role = identity.RoleKiosk
		spec.Label = qpFill(v.T("qdevice.label_kiosk"), "who", admin.Name, "date", when)
	case "counter":
		n, err := strconv.Atoi(r.PostForm.Get("counter"))
		agency, aerr := s.qpAgencyOf(r.Context(), admin)
		if aerr != nil {
			s.qpDeviceFail(w, r, v, pg, aerr)
			return
		}
		if err != nil || n < 1 {
			s.qpDeviceFail(w, r, v, pg, apperr.Field("counter", "counter_required", "Vui lòng chọn quầy."))
			return
		}
		if _, err := s.Queue.Counter(r.Context(), agency, n); err != nil {
			s.qpDeviceFail(w, r, v, pg, apperr.Field("counter", "counter_not_found", "Không có quầy này."))
			return
		}
		spec.Role, spec.Counter = identity.RoleQueueCounter, strconv.Itoa(n)
		spec.Label = qpFill(v.T("qdevice.label_counter"), "n", spec.Counter, "who", admin.Name, "date", when)
	default:
		s.qpDeviceFail(w, r, v, pg, apperr.Field("role", "invalid_role", "Chọn đăng ký làm máy lấy số hoặc màn hình quầy."))
		return
	}
	tok, err := s.Tokens.Create(r.Context(), spec)
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "device token"))
		return
	}
	p, err := s.Tokens.Authenticate(r.Context(), tok)
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "device token"))
		return
	}
	qpSetDevice(w, r, tok)
	s.Log.Info("queue screen registered", "token", p.ID, "role", spec.Role, "counter", spec.Counter, "by", admin.ID)
	http.Redirect(w, r, qpDeviceHome(p), http.StatusSeeOther)
}

// POST /queue/device/forget — this screen forgets its token (the token
// itself stays valid until an administrator revokes it).
func (s *Server) qpDeviceForget(w http.ResponseWriter, r *http.Request) {
	qpNoStore(w)
	pg := &qpDevicePage{}
	v := s.newView(w, r, "", pg)
	if err := qpReadForm(w, r); err != nil {
		s.qpDeviceFail(w, r, v, pg, err)
		return
	}
	ok := qpFormTokenOK(r)
	if _, tok := s.deviceFromCookie(r); tok != "" {
		ok = subtle.ConstantTimeCompare([]byte(r.PostForm.Get("device_csrf")), []byte(deviceCSRF(tok))) == 1
		if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
			ok = false
		}
	}
	if !ok {
		s.qpDeviceFail(w, r, v, pg, qpErrFormExpired)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/queue/device?forgot=1", http.StatusSeeOther)
}
