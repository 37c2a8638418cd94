package web

import (
	"net/http"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/vntext"
)

// Checking a text message at /verify: a citizen pastes an SMS (or types
// the code at its end) and learns whether the centre sent it. Every SMS
// the outbox sends ends "Ma kiem tra: XXXX-XXXX" (internal/notify). Codes
// that are not found count against the address's lookups, like dossier
// lookups, so codes cannot be tried one after another.

// messageCheck is the answer about a pasted message.
type messageCheck struct {
	Text    string // what was pasted, shown back in the form
	NoCode  bool   // nothing that looks like a code in it
	Found   bool
	Altered bool // a genuine code in a different text
	Checked *notify.Checked
	Error   *pfError
}

// pfMaxMessage bounds what may be pasted (three SMS are 459 characters).
const pfMaxMessage = 2000

// verifyMessage checks the message posted in the field "message".
func (s *Server) verifyMessage(w http.ResponseWriter, r *http.Request, v *view) *messageCheck {
	mc := &messageCheck{}
	r.Body = http.MaxBytesReader(w, r.Body, pfMaxForm)
	if err := r.ParseForm(); err != nil || !vntext.Valid(r.PostFormValue("message")) {
		mc.Error = pfNewError(v, apperr.Field("message", "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng dán lại."))
		return mc
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r) {
		mc.Error = pfNewError(v, pfErrFormExpired)
		return mc
	}
	mc.Text = r.PostFormValue("message")
	if len([]rune(mc.Text)) > pfMaxMessage {
		mc.Text = string([]rune(mc.Text)[:pfMaxMessage])
	}
	ip := clientIP(r)
	if !s.lookups.allowed(ip, time.Now()) {
		mc.Error = pfNewError(v, apperr.New(apperr.RateLimited, "too_many_failed_lookups", "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 10 phút, hoặc hỏi cán bộ tại Trung tâm."))
		return mc
	}
	if s.Notify == nil {
		mc.NoCode = true
		return mc
	}
	res, err := s.Notify.Check(r.Context(), mc.Text)
	if err != nil {
		s.Log.Error("verify message", "err", err)
		mc.Error = pfNewError(v, apperr.New(apperr.Unavailable, "verify_unavailable", "Không kiểm tra được lúc này. Vui lòng thử lại."))
		return mc
	}
	mc.Checked, mc.NoCode, mc.Found, mc.Altered = res, res.Code == "", res.Found, res.Altered
	if res.Code != "" && !res.Found {
		s.lookups.fail(ip, time.Now())
	}
	return mc
}
