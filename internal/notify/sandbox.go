package notify

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Sandbox is a stand-in for the brandname gateway: the same protocol, the
// gateway's habits — its latency, a busy answer now and then, a balance that
// runs out, numbers no network serves — and no phone at the end. What it
// accepts it logs as "SANDBOX SMS" and keeps (Sent), so that the demo and
// the tests can show what a citizen would have received.
type Sandbox struct {
	// The account the sandbox accepts.
	APIKey, SecretKey, Brandname string
	Log                          *slog.Logger
	// LogBody adds the text to the log line (synthetic data only: the demo).
	LogBody bool
	// Latency is the typical answer time.
	Latency time.Duration
	// FailEvery makes every n-th request answer 503 with Retry-After
	// (0: never).
	FailEvery int
	// Quota is how many messages the account's balance pays for; the next
	// ones are refused with code 103 (0: unlimited).
	Quota int
	// Now is the clock of the Sent records; nil means time.Now.
	Now func() time.Time

	mu       sync.Mutex
	requests int
	accepted int
	seen     map[string]string // RequestId → SMSID
	sent     []SentSMS
}

// SentSMS is a message the sandbox accepted.
type SentSMS struct {
	At        time.Time
	RequestID string
	SMSID     string
	Brandname string
	Phone     string
	Content   string
	Unicode   bool
}

// keepSent bounds what the sandbox remembers.
const keepSent = 1000

// allocated are the mobile prefixes Vietnamese networks serve (Viettel,
// VinaPhone, MobiFone, Vietnamobile, Gmobile, iTel, Reddi). A well-formed
// number outside them (050…, 073…) is refused with code 108, as the real
// gateway refuses it.
var allocated = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`032 033 034 035 036 037 038 039 086 096 097 098
		081 082 083 084 085 088 091 094
		070 076 077 078 079 089 090 093
		052 056 058 092 059 099 087 055`) {
		allocated[p] = true
	}
}

// ServeHTTP answers POST /SendMultipleMessage_V4_post_json/.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != smsPath {
		writeSMS(w, http.StatusNotFound, smsResponse{CodeResult: "404", ErrorMessage: "không có dịch vụ này"})
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil {
		writeSMS(w, http.StatusBadRequest, smsResponse{CodeResult: "400", ErrorMessage: "yêu cầu quá lớn"})
		return
	}
	s.mu.Lock()
	s.requests++
	n := s.requests
	s.mu.Unlock()
	if s.Latency > 0 {
		d := s.Latency/2 + time.Duration(rand.Int64N(int64(s.Latency)))
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if s.FailEvery > 0 && n%s.FailEvery == 0 {
		w.Header().Set("Retry-After", "1")
		writeSMS(w, http.StatusServiceUnavailable, smsResponse{CodeResult: "503", ErrorMessage: "hệ thống bận, thử lại sau"})
		return
	}
	var req smsRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		writeSMS(w, http.StatusBadRequest, smsResponse{CodeResult: "400", ErrorMessage: "yêu cầu không đúng định dạng JSON"})
		return
	}
	refuse := func(code, msg string) { writeSMS(w, http.StatusOK, smsResponse{CodeResult: code, ErrorMessage: msg}) }
	if !equal(req.APIKey, s.APIKey) || !equal(req.SecretKey, s.SecretKey) {
		refuse(codeAuth, "ApiKey hoặc SecretKey không đúng")
		return
	}
	if req.Brandname != s.Brandname {
		refuse(codeBrandname, "brandname chưa được đăng ký")
		return
	}
	if req.SmsType != "2" {
		refuse(codeBadType, "loại tin nhắn không được hỗ trợ")
		return
	}
	phone, err := NormalizePhone(req.Phone)
	if err != nil || !allocated[phone[:3]] {
		refuse(codeBadPhone, "số điện thoại không đúng định dạng")
		return
	}
	if strings.TrimSpace(req.Content) == "" || req.RequestID == "" || len(req.RequestID) > 50 {
		writeSMS(w, http.StatusBadRequest, smsResponse{CodeResult: "400", ErrorMessage: "thiếu nội dung hoặc RequestId"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.seen[req.RequestID]; dup {
		refuse(codeDuplicate, "RequestId đã được sử dụng")
		return
	}
	if s.Quota > 0 && s.accepted >= s.Quota {
		refuse(codeNoBalance, "tài khoản không đủ số dư")
		return
	}
	s.accepted++
	id := newID()
	if s.seen == nil || len(s.seen) > 100_000 {
		s.seen = map[string]string{}
	}
	s.seen[req.RequestID] = id
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	sms := SentSMS{At: now(), RequestID: req.RequestID, SMSID: id, Brandname: req.Brandname, Phone: phone, Content: req.Content, Unicode: req.IsUnicode == "1"}
	s.sent = append(s.sent, sms)
	if len(s.sent) > keepSent {
		s.sent = append([]SentSMS(nil), s.sent[len(s.sent)-keepSent:]...)
	}
	if s.Log != nil {
		segments, _ := Segments(req.Content)
		attrs := []any{"to", Mask(phone), "brandname", req.Brandname, "segments", segments, "request_id", req.RequestID, "sms_id", id}
		if s.LogBody {
			attrs = append(attrs, "body", req.Content)
		}
		s.Log.Info("SANDBOX SMS", attrs...)
	}
	writeSMS(w, http.StatusOK, smsResponse{CodeResult: codeAccepted, SMSID: id})
}

// Sent returns the messages the sandbox accepted, oldest first (the last
// thousand).
func (s *Sandbox) Sent() []SentSMS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentSMS(nil), s.sent...)
}

// Requests is how many requests the sandbox has answered.
func (s *Sandbox) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func writeSMS(w http.ResponseWriter, status int, r smsResponse) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		smsResponse
		IsSandbox string `json:"IsSandbox"`
	}{r, "1"})
}

// SandboxPrefix is where the application serves the sandbox, and the path
// the in-process client's base address carries.
const SandboxPrefix = "/sandbox/sms"

// InProcess is an HTTP client that hands requests straight to h, without a
// network, bounded like the network client; a base address of
// "http://sandbox/sandbox/sms" reaches h at the protocol's path.
func InProcess(h http.Handler) *http.Client {
	return &http.Client{Timeout: smsTimeout, Transport: roundTripper{h}}
}

type roundTripper struct{ h http.Handler }

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	in := r.Clone(r.Context())
	in.URL.Path = strings.TrimPrefix(r.URL.Path, SandboxPrefix)
	if in.Body == nil {
		in.Body = http.NoBody
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.h.ServeHTTP(rec, in)
	}()
	select {
	case <-done:
		return rec.Result(), nil
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
}

// NewSandboxClient returns the sandbox, ready for the demo: an account of
// its own, a brandname, the gateway's latency and a busy answer one request
// in fifty, and the client that reaches it in process, labelled sandbox.
func NewSandboxClient(log *slog.Logger) (*HTTPClient, *Sandbox) {
	key, secret := newID(), newID()
	sb := &Sandbox{APIKey: key, SecretKey: secret, Brandname: "MOTCUA-TEST", Log: log, Latency: 80 * time.Millisecond, FailEvery: 50}
	c := NewHTTPClient("http://sandbox"+SandboxPrefix, key, secret, sb.Brandname).MarkSandbox()
	c.HTTP = InProcess(sb)
	return c, sb
}
