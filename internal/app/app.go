// Package app assembles motcua: it opens the database, runs migrations,
// loads the calendar and catalogue, wires the services to the web layer and
// runs the HTTP server until it is told to stop.
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/motcua/motcua/internal/assist"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/motcua/motcua/data"
	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/eid"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notices"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/score"
	"github.com/motcua/motcua/internal/seal"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web"
)

// Version is set at build time (-ldflags "-X github.com/motcua/motcua/internal/app.Version=…").
var Version = "dev"

// Config is everything an installation can be told at start.
type Config struct {
	Addr        string  // listen address, e.g. ":8080"
	DataDir     string  // SQLite data directory
	DatabaseURL string  // postgres://…; overrides DataDir
	BaseURL     string  // public address, for links on receipts
	Office      string  // office hours, "07:30-11:30,13:00-17:00"
	Cutoff      string  // receipt cut-off, "15:00"
	CultureDay  bool    // 24/11 as a holiday (pending in law)
	Numbering   string  // forms numbering: 03/2025 (default) or 01/2018
	RateLimit   float64 // anonymous API requests a second per client; 0: off

	// The population database's platform; empty PopulationURL uses the
	// built-in sandbox.
	PopulationURL      string
	PopulationClientID string
	PopulationSecret   string

	// The SMS brandname gateway; an empty SMSAPIKey uses the built-in
	// sandbox (nothing reaches a phone).
	SMSURL       string
	SMSAPIKey    string
	SMSSecretKey string
	SMSBrandname string

	// The e-ID provider (OpenID Connect); an empty EIDIssuer uses the
	// built-in VNeID sandbox at <base-url>/sandbox/eid.
	EIDIssuer       string
	EIDClientID     string
	EIDClientSecret string

	// Now is the clock (tests fix it); nil means time.Now.
	Now func() time.Time
}

// DefaultConfig runs a commune on one PC.
func DefaultConfig() Config {
	return Config{
		Addr:      ":8080",
		DataDir:   "motcua-data",
		Office:    "07:30-11:30,13:00-17:00",
		Cutoff:    "15:00",
		RateLimit: 20,
	}
}

// App is a running motcua.
type App struct {
	Cfg      Config
	Log      *slog.Logger
	DB       *store.DB
	Calendar *calendar.Service
	Catalog  *catalog.Service
	Org      *org.Service
	Tokens   *identity.Tokens
	Dossiers *dossier.Engine
	Staff    *identity.Staff
	Registry *registry.Service
	Queue    *queue.Service
	Citizens *citizen.Service
	Notify   *notify.Outbox
	Assist   *assist.Service
	Feedback *feedback.Service
	Score    *score.Service
	// SMSSandbox is the sandbox SMS gateway, when no gateway is configured.
	SMSSandbox *notify.Sandbox
	// EID signs citizens in; EIDSandbox is the sandbox provider when no
	// issuer is configured.
	EID        *eid.Client
	EIDSandbox *eid.Sandbox
	Web        *web.Server

	queueCfg queue.Config
}

// QueueConfig is the queue's configuration, for tools (the demo) that run
// a queue service of their own on another clock.
func (a *App) QueueConfig() queue.Config { return a.queueCfg }

// CalendarConfig turns the configuration's office hours into a calendar
// configuration.
func (c Config) CalendarConfig() (calendar.Config, error) {
	cc := calendar.DefaultConfig()
	if c.Office != "" {
		p, err := calendar.ParseOffice(c.Office)
		if err != nil {
			return cc, err
		}
		cc.Office = p
	}
	if c.Cutoff != "" {
		t, err := calendar.ParseClock(c.Cutoff)
		if err != nil {
			return cc, err
		}
		cc.Cutoff = t
	}
	cc.CultureDay = c.CultureDay
	return cc, nil
}

// NewCalendar builds the calendar with the shipped official schedules.
func NewCalendar(c Config) (*calendar.Calendar, error) {
	cc, err := c.CalendarConfig()
	if err != nil {
		return nil, err
	}
	shipped, err := calendar.LoadSchedules(data.FS, "calendar")
	if err != nil {
		return nil, err
	}
	return calendar.New(cc, shipped...)
}

// OpenDB opens and migrates the configured database.
func OpenDB(ctx context.Context, cfg Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{DataDir: cfg.DataDir, URL: cfg.DatabaseURL, Logger: log})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenDBNoMigrate opens the configured database without migrating it.
func OpenDBNoMigrate(ctx context.Context, cfg Config, log *slog.Logger) (*store.DB, error) {
	return store.Open(ctx, store.Config{DataDir: cfg.DataDir, URL: cfg.DatabaseURL, Logger: log})
}

// Open starts everything but the HTTP listener.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	start := time.Now()
	db, err := OpenDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return OpenWith(ctx, cfg, log, db, start)
}

// OpenWith assembles motcua over an open, migrated database (tests open
// theirs with storetest).
func OpenWith(ctx context.Context, cfg Config, log *slog.Logger, db *store.DB, start time.Time) (*App, error) {
	a, err := assemble(ctx, cfg, log, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	log.Info("motcua ready", "engine", db.Engine(), "database", db.Location(), "procedures", a.Catalog.Catalog().Len(),
		"official_years", a.Calendar.Calendar().OfficialYears(), "ms", time.Since(start).Milliseconds())
	return a, nil
}

func assemble(ctx context.Context, cfg Config, log *slog.Logger, db *store.DB) (*App, error) {
	cal, err := NewCalendar(cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: db,
		Calendar: calendar.NewService(db, cal),
		Catalog:  catalog.NewService(db),
		Org:      org.NewService(db),
		Tokens:   identity.NewTokens(db),
	}
	if err := a.Calendar.Load(ctx); err != nil {
		return nil, err
	}
	if err := a.Calendar.LoadConfig(ctx); err != nil {
		return nil, err
	}
	if err := a.SeedCatalog(ctx); err != nil {
		return nil, err
	}
	if err := a.Catalog.Load(ctx); err != nil {
		return nil, err
	}
	keys, err := seal.Load(ctx, db)
	if err != nil {
		return nil, err
	}
	a.Dossiers = dossier.New(dossier.Config{DB: db, Calendar: a.Calendar, Catalog: a.Catalog, Org: a.Org, Keys: keys, Log: log, Now: cfg.Now, BaseURL: cfg.BaseURL})
	if cfg.Numbering != "" {
		if err := a.Dossiers.SetNumbering(forms.Numbering(cfg.Numbering)); err != nil {
			return nil, err
		}
	}
	if n, err := a.Dossiers.FillSearchKeys(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		log.Info("dossier search keys filled", "dossiers", n)
	}
	a.Staff = identity.NewStaff(db, cfg.Now)
	var pop registry.Population
	var sandbox http.Handler
	if cfg.PopulationURL == "" {
		secret := identity.NewTOTPSecret() // any random string shared in-process
		sb := &registry.Sandbox{DB: db, Secret: secret, Log: log, Latency: 60 * time.Millisecond, FailEvery: 50}
		c := registry.NewClient("http://sandbox/sandbox/population", "sandbox", secret).MarkSandbox()
		c.HTTP = registry.InProcess(sb)
		pop, sandbox = c, sb
		log.Info("population database: SANDBOX (synthetic residents)")
	} else {
		pop = registry.NewClient(cfg.PopulationURL, cfg.PopulationClientID, cfg.PopulationSecret)
	}
	a.Registry = registry.NewService(db, pop, cfg.Now)
	var sms notify.Sender
	var smsSandbox http.Handler
	if cfg.SMSAPIKey == "" {
		c, sb := notify.NewSandboxClient(log)
		sms, smsSandbox, a.SMSSandbox = c, sb, sb
		log.Info("SMS gateway: SANDBOX (messages are logged and kept, never delivered)")
	} else {
		sms = notify.NewHTTPClient(cfg.SMSURL, cfg.SMSAPIKey, cfg.SMSSecretKey, cfg.SMSBrandname)
	}
	verifyKey, err := notify.LoadVerifyKey(ctx, db)
	if err != nil {
		return nil, err
	}
	a.Notify = notify.New(notify.Config{DB: db, Sender: sms, Log: log, Now: cfg.Now, VerifyKey: verifyKey})
	// Citizens hear by SMS when their dossier is received, lacks a paper,
	// is late or has its result — written with the dossier's change.
	a.Dossiers.Observe(notices.Observer(notices.Config{Outbox: a.Notify, BaseURL: cfg.BaseURL, Log: log, Now: cfg.Now}))
	a.Feedback = feedback.New(feedback.Config{DB: db, Calendar: a.Calendar, Outbox: a.Notify, BaseURL: cfg.BaseURL, Log: log, Now: cfg.Now})
	a.Score = score.New(score.Config{DB: db, Calendar: a.Calendar, Catalog: a.Catalog, Feedback: a.Feedback, Dossiers: a.Dossiers, Log: log, Now: cfg.Now})
	if err := a.Score.EnsureBuilt(ctx); err != nil {
		return nil, err
	}
	a.queueCfg = queue.Config{DB: db, Calendar: a.Calendar.Calendar(), Catalog: a.Catalog, Org: a.Org, Log: log, Now: cfg.Now, BaseURL: cfg.BaseURL,
		Notifier: queueNotifier{a.Notify, log}}
	a.Queue = queue.New(a.queueCfg)
	a.Citizens = citizen.New(db, cfg.Now)
	a.Assist = assist.New(assist.Config{DB: db, Population: a.Registry, Outbox: a.Notify, Citizens: a.Citizens, Now: cfg.Now})
	if err := a.openEID(ctx, cfg, log, db); err != nil {
		return nil, err
	}
	var eidSandbox http.Handler
	if a.EIDSandbox != nil {
		eidSandbox = a.EIDSandbox
	}
	a.Web, err = web.New(web.Deps{
		Staff: a.Staff, Population: a.Registry, PopulationSandbox: sandbox, Queue: a.Queue, Citizens: a.Citizens, Assist: a.Assist,
		Notify: a.Notify, SMSSandbox: smsSandbox, Feedback: a.Feedback, Score: a.Score, EID: a.EID, EIDSandbox: eidSandbox,
		Log: log, DB: db, Catalog: a.Catalog, Calendar: a.Calendar, Org: a.Org, Tokens: a.Tokens, Dossiers: a.Dossiers,
		BaseURL: cfg.BaseURL, Version: Version, Now: cfg.Now, RateLimit: cfg.RateLimit,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// openEID sets up e-ID sign-in: the configured provider, or the sandbox
// provider served by motcua itself and reached in-process.
func (a *App) openEID(ctx context.Context, cfg Config, log *slog.Logger, db *store.DB) error {
	key, err := eid.StateKey(ctx, db)
	if err != nil {
		return err
	}
	if cfg.EIDIssuer != "" {
		if u, err := url.Parse(cfg.EIDIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("e-ID issuer %q is not an http(s) address", cfg.EIDIssuer)
		}
		if cfg.EIDClientID == "" {
			return errors.New("an e-ID issuer needs its client identifier (--eid-client-id)")
		}
		a.EID = eid.New(eid.Config{Issuer: cfg.EIDIssuer, ClientID: cfg.EIDClientID, ClientSecret: cfg.EIDClientSecret, Now: cfg.Now, StateKey: key})
		log.Info("e-ID provider", "issuer", cfg.EIDIssuer)
		return nil
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = "http://localhost"
	}
	secret := identity.NewTOTPSecret() // shared in-process only
	sb, err := eid.NewSandbox(ctx, db, base+eid.SandboxPrefix, "motcua", secret)
	if err != nil {
		return err
	}
	sb.Log, sb.Now, sb.Latency = log, cfg.Now, 40*time.Millisecond
	a.EIDSandbox = sb
	a.EID = eid.New(eid.Config{Issuer: sb.Issuer, ClientID: "motcua", ClientSecret: secret, Now: cfg.Now, StateKey: key, Sandbox: true,
		HTTP: eid.InProcess(http.StripPrefix(eid.SandboxPrefix, sb))})
	log.Info("e-ID: SANDBOX (VNeID sandbox provider at /sandbox/eid; synthetic residents, not the real VNeID)")
	return nil
}

// SeedCatalog imports the shipped catalogue into an empty database, so a
// new installation starts with the procedures a commune serves.
func (a *App) SeedCatalog(ctx context.Context) error {
	n, err := a.Catalog.Count(ctx)
	if err != nil || n > 0 {
		return err
	}
	set, err := catalog.ReadDir(data.FS, "catalog")
	if err != nil {
		return fmt.Errorf("shipped catalogue: %w", err)
	}
	res, err := a.Catalog.Import(ctx, set, audit.System)
	if err != nil {
		return err
	}
	a.Log.Info("catalogue seeded", "procedures", res.Added, "versions", res.Versions)
	return nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// Serve listens on the configured address until ctx ends, then shuts down
// gracefully: it stops accepting, lets requests in flight finish (up to 15
// seconds), and closes the database after the last write has committed.
// ready, if not nil, receives the bound address once listening.
func (a *App) Serve(ctx context.Context, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	srv.RegisterOnShutdown(a.Web.CloseStreams)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go a.Dossiers.RunWatch(watchCtx, time.Minute)
	go a.optimizeNightly(watchCtx)
	go a.Queue.Run(watchCtx)
	go a.Notify.Run(watchCtx)
	a.Log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

// optimizeNightly refreshes the planner's statistics at start and then
// each night at 02:00 (Vietnam time), as the dossiers accumulate; a full
// analysis holds the write lock for a moment, which nobody notices at night.
func (a *App) optimizeNightly(ctx context.Context) {
	for {
		start := time.Now()
		if err := a.DB.Optimize(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			a.Log.Warn("optimize", "err", err)
		} else {
			a.Log.Debug("planner statistics refreshed", "ms", time.Since(start).Milliseconds())
		}
		now := time.Now().In(calendar.Location)
		next := time.Date(now.Year(), now.Month(), now.Day(), 2, 0, 0, 0, calendar.Location)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
	}
}

// queueNotifier hands the queue's text messages to the outbox. A message
// the outbox refuses (a malformed number that slipped through) is logged
// and dropped: calling the next citizen must never fail because of it.
type queueNotifier struct {
	out *notify.Outbox
	log *slog.Logger
}

func (n queueNotifier) EnqueueSMS(ctx context.Context, tx store.Tx, m queue.SMS) error {
	err := n.out.Enqueue(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: m.To, Body: m.Body, Kind: m.Kind, Key: m.Key,
		NotBefore: m.NotBefore, NotAfter: m.NotAfter, Agency: m.Agency})
	if e := (*apperr.Error)(nil); errors.As(err, &e) && e.Kind == apperr.Invalid {
		n.log.Warn("queue: text message not queued", "kind", m.Kind, "code", e.Code, "field", e.Field)
		return nil
	}
	return err
}

func (n queueNotifier) CancelSMS(ctx context.Context, tx store.Tx, key string) error {
	return n.out.Cancel(ctx, tx, key)
}
