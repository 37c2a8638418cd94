package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/identity"
)

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
)

// principal returns who is making the request, or nil.
func principal(r *http.Request) *identity.Principal {
	p, _ := r.Context().Value(principalKey).(*identity.Principal)
	return p
}

// secureHeaders sets the headers every response carries: no framing, no
// sniffing, a strict content security policy (scripts and styles only from
// this origin), no referrer leaking dossier codes to other sites.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Flush lets Server-Sent Events through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status >= 400 || time.Since(start) > time.Second {
			level = slog.LevelInfo
		}
		// The path is logged without its query: queries may carry personal data.
		s.Log.Log(r.Context(), level, "http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "ms", time.Since(start).Milliseconds(), "request_id", id)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("panic", "err", fmt.Sprint(v), "path", r.URL.Path, "stack", string(debug.Stack()))
				s.fail(w, r, apperr.Wrap(fmt.Errorf("%v", v), "panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// authenticate reads a bearer token, if any, into the request context. A
// bad token is refused outright rather than treated as anonymous, so that a
// misconfigured kiosk or script learns at once.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		if auth == "" && strings.HasPrefix(r.URL.Path, "/api/") {
			// The console's own pages may call the API with the session;
			// a change then needs the session's CSRF token in a header.
			if sess := s.sessionFromCookie(r); sess != nil {
				if r.Method != http.MethodGet && r.Method != http.MethodHead && !s.csrfOK(r, sess) {
					s.fail(w, r, apperr.New(apperr.Forbidden, "csrf_failed", "Thiếu hoặc sai mã chống giả mạo yêu cầu (X-CSRF-Token)."))
					return
				}
				ctx := context.WithValue(r.Context(), principalKey, sess.User.Principal())
				next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, sessionKey{}, sess)))
				return
			}
			// A registered kiosk or counter screen: its token in a cookie; a
			// change needs the header its page was given.
			if p, tok := s.deviceFromCookie(r); p != nil {
				if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("X-Device-CSRF") != deviceCSRF(tok) {
					s.fail(w, r, apperr.New(apperr.Forbidden, "csrf_failed", "Thiếu hoặc sai mã chống giả mạo yêu cầu (X-Device-CSRF)."))
					return
				}
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
				return
			}
		}
		if auth == "" || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || s.Tokens == nil {
			s.fail(w, r, apperr.New(apperr.Unauthorized, "bad_authorization", "Thông tin xác thực không hợp lệ."))
			return
		}
		p, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			if err == identity.ErrBadToken {
				s.fail(w, r, apperr.New(apperr.Unauthorized, "invalid_token", "Mã truy cập không hợp lệ hoặc đã hết hạn."))
				return
			}
			s.fail(w, r, apperr.Wrap(err, "authenticate"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
	})
}

// requireRole lets the request through only for a principal with one of
// the roles.
func (s *Server) requireRole(h http.HandlerFunc, roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if p == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="motcua"`)
			s.fail(w, r, apperr.New(apperr.Unauthorized, "authentication_required", "Cần đăng nhập hoặc mã truy cập để thực hiện thao tác này."))
			return
		}
		if !p.HasAny(roles...) {
			s.fail(w, r, apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không có quyền thực hiện thao tác này."))
			return
		}
		h(w, r)
	}
}

// rateLimiter is a token bucket per client address.
type rateLimiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
	last    time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newRateLimiter(perSecond, burst float64) *rateLimiter {
	return &rateLimiter{rate: perSecond, burst: burst, buckets: map[string]*bucket{}, last: time.Now()}
}

func (l *rateLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.at) > time.Minute {
				delete(l.buckets, k)
			}
		}
		l.last = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// rateLimit throttles anonymous API clients by address. Authenticated
// devices (kiosks, counters, scripts with tokens) and static files are not
// throttled here; specific endpoints (status lookup, sign-in) add their own.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if principal(r) != nil || !strings.HasPrefix(r.URL.Path, "/api/") || s.limiter.rate <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		ok, wait := s.limiter.allow(clientIP(r), time.Now())
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.fail(w, r, apperr.New(apperr.RateLimited, "rate_limited", "Bạn thao tác quá nhanh. Vui lòng chờ một chút rồi thử lại."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the address a request came from. Forwarded headers are not
// trusted: motcua is reached directly on the centre's network.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// httpMetrics counts requests and their durations by route pattern.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "motcua_http_requests_total", Help: "HTTP requests by route and status class.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "motcua_http_request_seconds", Help: "HTTP request duration by route.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) instrument(route string, h http.Handler) http.Handler {
	dur := m.duration.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		h.ServeHTTP(sw, r)
		dur.Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status/100)+"xx").Inc()
	})
}

// failureLimiter blocks a client after too many failed attempts in a window:
// status lookups guessing dossier codes and keys.
type failureLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	m      map[string]*failures
}

type failures struct {
	n     int
	since time.Time
}

func newFailureLimiter(max int, window time.Duration) *failureLimiter {
	return &failureLimiter{max: max, window: window, m: map[string]*failures{}}
}

func (l *failureLimiter) allowed(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, ok := l.m[key]
	if !ok {
		return true
	}
	if now.Sub(f.since) > l.window {
		delete(l.m, key)
		return true
	}
	return f.n < l.max
}

func (l *failureLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) > 100000 { // bound memory under a flood
		for k, f := range l.m {
			if now.Sub(f.since) > l.window {
				delete(l.m, k)
			}
		}
	}
	f, ok := l.m[key]
	if !ok || now.Sub(f.since) > l.window {
		f = &failures{since: now}
		l.m[key] = f
	}
	f.n++
}
