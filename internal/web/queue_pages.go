package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/vntext"
)

// The queue's public and device pages: the kiosk where a citizen takes a
// number, the display board on the centre's TV, the phone page a ticket's
// QR code opens, the registration of a screen as a kiosk or a counter, and
// online booking. Every page is plain HTML first — forms that post to the
// handlers here — and a small script of its own makes it live (speech, live
// updates, printing) where the browser allows.
//
// Anonymous forms (booking, cancelling, pasting a device token) are
// protected from cross-site posting by a double-submit token: a random value
// kept in the motcua_form cookie (HttpOnly, SameSite=Lax, path /queue/) and
// repeated in a hidden field; another site can neither read the cookie nor
// make the browser send it with its own POST. A registered kiosk's forms
// carry deviceCSRF(its token) instead, and an administrator's, the staff
// session's CSRF token.

func queuePageRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET /queue/kiosk", s.qpKioskStart)
	route("GET /queue/kiosk/priority", s.qpKioskPriority)
	route("GET /queue/kiosk/confirm", s.qpKioskConfirm)
	route("GET /queue/kiosk/appointment", s.qpKioskAppointment)
	route("POST /queue/kiosk/tickets", s.qpKioskIssue)
	route("GET /queue/kiosk/tickets/{id}", s.qpKioskTicket)
	route("GET /queue/board", s.qpBoard)
	route("GET /queue/t/{id}", s.qpFollow)
	route("GET /queue/t/{id}/qr.png", s.qpTicketQR)
	route("GET /queue/device", s.qpDevice)
	route("POST /queue/device", s.qpDeviceRegister)
	route("POST /queue/device/staff", s.qpDeviceStaff)
	route("POST /queue/device/forget", s.qpDeviceForget)
	route("GET /queue/book", s.qpBook)
	route("POST /queue/book", s.qpBookPost)
	route("GET /queue/book/{code}", s.qpBooking)
	route("POST /queue/book/{code}/cancel", s.qpBookingCancel)
}

const (
	qpFormCookie = "motcua_form"
	qpMaxForm    = 16 << 10 // what a queue page's form may send
)

// qpFormToken is this browser's anonymous form token, set in its cookie when
// new.
func qpFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(qpFormCookie); err == nil && len(c.Value) == 32 {
		if _, err := hex.DecodeString(c.Value); err == nil {
			return c.Value
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	tok := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: qpFormCookie, Value: tok, Path: "/queue/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return tok
}

// qpFormTokenOK checks an anonymous form: the field matches the cookie, and
// the request, if it says where it comes from, comes from this site.
func qpFormTokenOK(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		return false
	}
	c, err := r.Cookie(qpFormCookie)
	if err != nil || len(c.Value) != 32 {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("form_token"))) == 1
}

var (
	qpErrFormExpired = apperr.New(apperr.Forbidden, "csrf_failed", "Biểu mẫu đã cũ hoặc không được gửi từ trang của Trung tâm. Vui lòng tải lại trang và thử lại.")
	qpErrBadForm     = apperr.New(apperr.Invalid, "unreadable_form", "Không đọc được biểu mẫu đã gửi. Vui lòng tải lại trang và thử lại.")
	qpErrTooFast     = apperr.New(apperr.RateLimited, "rate_limited", "Bạn thao tác quá nhanh. Vui lòng chờ một chút rồi thử lại.")
	qpErrTooMany     = apperr.New(apperr.RateLimited, "too_many_failures", "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau 10 phút.")
)

// qpReadForm bounds and parses a page's form, and refuses text no one
// could type (a NUL, broken UTF-8).
func qpReadForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, qpMaxForm)
	if err := r.ParseForm(); err != nil {
		return qpErrBadForm
	}
	for name, vals := range r.PostForm {
		for _, v := range vals {
			if !vntext.Valid(v) || !vntext.Valid(name) {
				return apperr.Field(name, "invalid_text", "Nội dung có ký tự không hợp lệ. Vui lòng nhập lại.")
			}
		}
	}
	return nil
}

// qpAllow applies the per-address rate limit of the API to a page's
// anonymous POST.
func (s *Server) qpAllow(r *http.Request) bool {
	if s.limiter.rate <= 0 {
		return true
	}
	ok, _ := s.limiter.allow(clientIP(r), time.Now())
	return ok
}

// qpBase is the address phones reach this installation at: the
// configured base URL, or the address the request came to.
func (s *Server) qpBase(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// qpErrText is an error's message in the page's language: an English
// text where there is one, else the Vietnamese, with lang "vi" to say so.
func qpErrText(v *view, err error) (msg, lang string) {
	e := apperr.As(err)
	if v.Lang == "vi" {
		return e.Message, ""
	}
	if t, ok := messages[v.Lang]["qpub.err."+e.Code]; ok {
		return t, ""
	}
	return e.Message, "vi"
}

// qpError is an error shown on a queue page, beside the field it is
// about.
type qpError struct {
	Message string
	Lang    string
	Field   string
	Code    string
}

func qpNewError(v *view, err error) *qpError {
	e := apperr.As(err)
	msg, lang := qpErrText(v, err)
	return &qpError{Message: msg, Lang: lang, Field: e.Field, Code: e.Code}
}

// qpNoStore marks a page as private and changing.
func qpNoStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// GET /queue/t/{id}/qr.png — the QR code of a ticket's phone page.
func (s *Server) qpTicketQR(w http.ResponseWriter, r *http.Request) {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	png, err := qpQR(s.qpBase(r) + "/queue/t/" + t.ID)
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "ticket QR"))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(png)
}

// qpQR draws text as a QR code with 8 pixels a module: sharp on a
// receipt printer's 203 dpi and on a phone's screen.
func qpQR(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.PNG(-8)
}

// qpMinutes rounds seconds up to whole minutes (at least one).
func qpMinutes(seconds int) int { return max((seconds+59)/60, 1) }

// qpWait is an estimated wait in words: "khoảng 12 phút".
func qpWait(v *view, seconds int) string {
	if seconds <= 0 {
		return ""
	}
	m := qpMinutes(seconds)
	if m >= 90 {
		h := (m + 15) / 60
		return strings.ReplaceAll(v.T("qpub.about_hours"), "{n}", strconv.Itoa(h))
	}
	return strings.ReplaceAll(v.T("qpub.about_minutes"), "{n}", strconv.Itoa(m))
}

// qpFill replaces {name} placeholders in a text.
func qpFill(text string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		text = strings.ReplaceAll(text, "{"+kv[i]+"}", kv[i+1])
	}
	return text
}

// qpSpell reads a ticket number digit by digit ("A không không ba"), as
// the board does, which speech engines say clearly.
func qpSpell(lang, label string) string {
	en := []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	var parts []string
	for _, r := range label {
		switch {
		case r >= '0' && r <= '9' && lang == "en":
			parts = append(parts, en[r-'0'])
		case r >= '0' && r <= '9':
			parts = append(parts, queue.NumberWords(int(r-'0')))
		default:
			parts = append(parts, string(r))
		}
	}
	return strings.Join(parts, " ")
}

// qpGroupName is a group's name in the page's language.
func qpGroupName(v *view, name, nameEn string) string {
	if v.Lang == "en" && nameEn != "" {
		return nameEn
	}
	return name
}

// qpPriorityName is a priority class's name in the page's language.
func qpPriorityName(v *view, st queue.Settings, code string) string {
	for _, c := range st.PriorityClasses {
		if c.Code == code {
			if v.Lang == "en" && c.NameEn != "" {
				return c.NameEn
			}
			return c.Name
		}
	}
	return code
}

// qpTime formats a time for a page: "09:05 27/11/2026".
func qpTime(t time.Time) string { return t.In(calendar.Location).Format("15:04 02/01/2006") }

// qpIsAppErr reports whether err is one of the application's own errors
// (shown on the page) rather than a fault (the error page).
func qpIsAppErr(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Kind != apperr.Internal
}
