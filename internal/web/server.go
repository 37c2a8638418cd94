// Package web is motcua's HTTP face: the JSON API under /api/v1, the HTML
// pages (public guide, and later the portal, staff console, kiosk and
// display), static files, health and metrics. It translates HTTP to service
// calls and back, and nothing else.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/motcua/motcua/internal/assist"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/eid"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/score"
	"github.com/motcua/motcua/internal/store"
)

// Deps are the services the web layer calls.
type Deps struct {
	Log      *slog.Logger
	DB       *store.DB
	Catalog  *catalog.Service
	Calendar *calendar.Service
	Org      *org.Service
	Tokens   *identity.Tokens
	Dossiers *dossier.Engine
	Staff    *identity.Staff
	Queue    *queue.Service
	Citizens *citizen.Service
	// Assist is assisted mode: community digital teams and consents.
	Assist *assist.Service
	// Population is the population-data lookup; PopulationSandbox, when set,
	// is served at /sandbox/population/ for other tools to try.
	Population        *registry.Service
	PopulationSandbox http.Handler
	// Notify is the outbox of messages to citizens; SMSSandbox, when set,
	// is the sandbox SMS gateway, served at /sandbox/sms/.
	Notify     *notify.Outbox
	SMSSandbox http.Handler
	// Feedback keeps ratings and feedback/complaints (PAKN).
	Feedback *feedback.Service
	// Score is the Decision 766 index (dashboard pages).
	Score *score.Service
	// EID signs citizens in with their e-ID; EIDSandbox, when set, is the
	// sandbox e-ID provider, served at /sandbox/eid/.
	EID        *eid.Client
	EIDSandbox http.Handler
	// Registry receives the web layer's metrics; nil makes a new one.
	Registry *prometheus.Registry
	// BaseURL is the public address of this installation, for links in
	// receipts and notifications.
	BaseURL string
	// RateLimit is the anonymous API requests a second one client may make
	// (bursts of three times as many); 0 turns the limit off.
	RateLimit float64
	// Version is the build version shown in the footer and /healthz.
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Server serves motcua over HTTP.
type Server struct {
	Deps
	pages   *pages
	metrics *httpMetrics
	limiter *rateLimiter
	lookups *failureLimiter
	signIns *failureLimiter
	started time.Time
	routes  []string

	// closing ends the long-lived streams (display boards' events) when
	// the server shuts down; they would otherwise hold shutdown open.
	closeMu sync.Mutex
	closing chan struct{}
}

// CloseStreams ends every open event stream (for
// http.Server.RegisterOnShutdown); screens reconnect by themselves, and
// streams opened afterwards are not affected.
func (s *Server) CloseStreams() {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	close(s.closing)
	s.closing = make(chan struct{})
}

// streamsClosing is closed when the streams open now must end.
func (s *Server) streamsClosing() <-chan struct{} {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	return s.closing
}

// New builds the server and its routes.
func New(d Deps) (*Server, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Registry == nil {
		d.Registry = prometheus.NewRegistry()
		d.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		d.Registry.MustRegister(store.Collectors()...)
		d.Registry.MustRegister(notify.Collectors()...)
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Deps:    d,
		pages:   p,
		metrics: newHTTPMetrics(d.Registry),
		limiter: newRateLimiter(d.RateLimit, 3*d.RateLimit),
		lookups: newFailureLimiter(10, 10*time.Minute),
		signIns: newFailureLimiter(20, 10*time.Minute),
		started: time.Now(),
		closing: make(chan struct{}),
	}
	return s, nil
}

// Handler returns the complete HTTP handler with its middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes = nil
	route := func(pattern string, h http.HandlerFunc) {
		s.routes = append(s.routes, pattern)
		mux.Handle(pattern, s.metrics.instrument(pattern, h))
	}

	route("GET /healthz", s.healthz)
	route("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	mux.Handle("GET /static/", staticHandler())
	route("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})

	// Public guide.
	route("GET /{$}", s.homePage)
	route("GET /procedures", s.procedureListPage)
	route("GET /procedures/{code}", s.procedurePage)
	route("GET /calendar", s.calendarPage)
	route("GET /settings/display", s.displaySettings)
	route("GET /tra-cuu", s.lookupPage)
	route("GET /tra-cuu/{$}", s.statusPage)
	route("GET /tra-cuu/{code}", s.statusPage)
	route("GET /tra-cuu/{code}/giay-tiep-nhan.pdf", s.publicReceipt)
	route("GET /verify", s.verifyPage)
	route("POST /verify", s.verifyPage)
	route("GET /static/forms.css", s.formsCSS)

	// JSON API.
	route("GET /api/v1/procedures", s.apiProcedureList)
	route("GET /api/v1/procedures/{code}", s.apiProcedureGet)
	route("GET /api/v1/calendar/holidays/{year}", s.apiHolidays)
	route("GET /api/v1/calendar/lunar/{date}", s.apiLunar)
	route("GET /api/v1/calendar/due", s.apiDue)
	route("PUT /api/v1/calendar/schedules/{year}", s.requireRole(s.apiPutSchedule, identity.RoleAdministrator))
	// The staff console.
	route("GET /staff/login", s.staffLogin)
	route("POST /staff/login", s.staffLoginPost)
	route("POST /staff/logout", s.staffPage(s.staffLogout))
	route("GET /staff/{$}", s.staffPage(s.staffHome))
	route("GET /staff/account", s.staffPage(s.staffAccount))
	route("POST /staff/account", s.staffPage(s.staffAccount))
	route("GET /staff/inbox", s.staffPage(s.staffInbox))
	route("GET /staff/notifications", s.staffPage(s.staffNotifications))
	route("POST /staff/notifications", s.staffPage(s.staffNotifications))
	route("GET /staff/intake", s.staffPage(s.staffIntake, identity.RoleCounter))
	route("GET /staff/intake/{code}", s.staffPage(s.staffIntakeForm, identity.RoleCounter))
	route("POST /staff/intake/{code}", s.staffPage(s.staffIntakePost, identity.RoleCounter))
	route("GET /staff/dossiers/{code}", s.staffPage(s.staffDossier))
	route("GET /staff/dossiers/{code}/act/{action}", s.staffPage(s.staffAct))
	route("POST /staff/dossiers/{code}/act/{action}", s.staffPage(s.staffAct))
	route("GET /staff/dossiers/{code}/forms/{file}", s.staffPage(s.staffForm))
	route("GET /staff/dossiers/{code}/files/{id}", s.staffPage(s.staffFile))
	route("POST /staff/dossiers/{code}/files", s.staffPage(s.staffUpload))
	s.deskRoutes(route)
	s.adminRoutes(route)
	route("/staff/", s.staffNotFound)

	// Dossiers.
	route("POST /api/v1/dossiers", s.requireRole(s.apiDossierCreate, identity.RoleCounter))
	route("GET /api/v1/dossiers", s.requireRole(s.apiDossierList, staff...))
	route("GET /api/v1/dossiers/{code}", s.requireRole(s.apiDossierGet, staff...))
	route("POST /api/v1/dossiers/{code}/actions", s.requireRole(s.apiDossierAct, staff...))
	route("GET /api/v1/notifications", s.requireRole(s.apiNotifications, staff...))
	route("GET /api/v1/dossiers/{code}/forms/{file}", s.requireRole(s.apiDossierForm, staff...))
	route("GET /api/v1/register", s.requireRole(s.apiRegister, staff...))
	route("GET /api/v1/public/dossiers/{code}", s.apiPublicDossier)
	route("GET /api/v1/public/verify", s.apiVerify)
	queueRoutes(s, route)
	queuePageRoutes(s, route)
	queueConsoleRoutes(s, route)
	portalRoutes(s, route)
	dxRoutes(s, route)
	score766Routes(s, route)
	route("GET /api/v1/openapi.json", s.apiOpenAPI)
	if s.SMSSandbox != nil {
		mux.Handle(notify.SandboxPrefix+"/", http.StripPrefix(notify.SandboxPrefix, s.SMSSandbox))
	}
	if s.EIDSandbox != nil {
		mux.Handle(eid.SandboxPrefix+"/", http.StripPrefix(eid.SandboxPrefix, s.EIDSandbox))
	}
	if s.PopulationSandbox != nil {
		mux.Handle("/sandbox/population/", http.StripPrefix("/sandbox/population", s.PopulationSandbox))
	}
	route("/api/", s.apiNotFound)
	route("/", s.notFoundPage)

	var h http.Handler = mux
	h = s.rateLimit(h)
	h = s.authenticate(h)
	h = secureHeaders(h)
	h = s.logRequests(h)
	h = s.recoverPanics(h)
	return h
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": s.Version, "uptime_seconds": int(time.Since(s.started).Seconds())})
}

// readyz answers 200 only when the database answers and is fully migrated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "database": "down"})
		return
	}
	if n, err := s.DB.Pending(ctx); err != nil || n > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "migrations_pending": n})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "engine": s.DB.Engine(), "procedures": s.Catalog.Catalog().Len()})
}
