package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/notify"
)

// serverFlags are the flags serve and demo share.
type serverFlags struct {
	cfg       app.Config
	logFormat string
	logLevel  string
	pprofAddr string
}

func (f *serverFlags) register(fs *flag.FlagSet, defaultDataDir string) {
	d := app.DefaultConfig()
	fs.StringVar(&f.cfg.Addr, "addr", d.Addr, "listen address; the default listens on every interface so kiosks and display boards on the centre's network can connect")
	fs.StringVar(&f.cfg.DataDir, "data-dir", defaultDataDir, "directory of the embedded SQLite database")
	fs.StringVar(&f.cfg.DatabaseURL, "database-url", "", "PostgreSQL URL (postgres://user:pass@host/db); when set, PostgreSQL is used instead of SQLite")
	fs.StringVar(&f.cfg.BaseURL, "base-url", "", "public address of this installation, for QR codes and links (default: http://<addr>)")
	fs.StringVar(&f.cfg.Office, "office-hours", d.Office, "office hours, comma-separated periods HH:MM-HH:MM")
	fs.StringVar(&f.cfg.Cutoff, "cutoff", d.Cutoff, "dossiers received at or after this time count as received on the next working day")
	fs.StringVar(&f.cfg.Numbering, "form-numbering", "03/2025", "numbering of forms 01–07: 03/2025 (Circular 03/2025/TT-VPCP) or 01/2018 (Circular 01/2018/TT-VPCP)")
	fs.BoolVar(&f.cfg.CultureDay, "culture-day", false, "treat 24/11 (Ngày Văn hóa Việt Nam, pending in law) as a holiday in years without an official schedule")
	fs.Float64Var(&f.cfg.RateLimit, "rate-limit", d.RateLimit, "anonymous API requests a second allowed to one client address (bursts of three times as many); 0 turns the limit off")
	fs.StringVar(&f.cfg.PopulationURL, "population-url", "", "address of the national population database's sharing platform; empty uses the built-in sandbox (clearly labelled)")
	fs.StringVar(&f.cfg.PopulationClientID, "population-client-id", "", "client identifier issued to this commune by the population database's platform")
	fs.StringVar(&f.cfg.PopulationSecret, "population-secret", "", "signing secret for the population database's platform; set it by MOTCUA_POPULATION_SECRET, not on the command line")
	fs.StringVar(&f.cfg.SMSURL, "sms-url", "", "address of the SMS brandname gateway (eSMS.vn protocol; default "+notify.DefaultSMSURL+")")
	fs.StringVar(&f.cfg.SMSAPIKey, "sms-api-key", "", "API key of the SMS gateway account; empty uses the built-in sandbox (clearly labelled, nothing is delivered)")
	fs.StringVar(&f.cfg.SMSSecretKey, "sms-secret-key", "", "secret key of the SMS gateway account; set it by MOTCUA_SMS_SECRET_KEY, not on the command line")
	fs.StringVar(&f.cfg.SMSBrandname, "sms-brandname", "", "the brandname registered for the commune, shown as the sender (at most 11 characters)")
	fs.StringVar(&f.cfg.EIDIssuer, "eid-issuer", "", "OpenID Connect issuer of the national e-ID (VNeID) for citizens' sign-in; empty uses the built-in VNeID sandbox at <base-url>/sandbox/eid (clearly labelled)")
	fs.StringVar(&f.cfg.EIDClientID, "eid-client-id", "", "client identifier issued to this installation by the e-ID provider")
	fs.StringVar(&f.cfg.EIDClientSecret, "eid-client-secret", "", "client secret issued by the e-ID provider; set it by MOTCUA_EID_CLIENT_SECRET, not on the command line")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&f.pprofAddr, "pprof-addr", "", "serve Go profiling (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off by default")
}

// startPprof serves the profiler on its own address, never on the public one.
func (f *serverFlags) startPprof() {
	if f.pprofAddr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	go http.ListenAndServe(f.pprofAddr, mux)
}

func (f *serverFlags) baseURL() string {
	if f.cfg.BaseURL != "" {
		return f.cfg.BaseURL
	}
	host := f.cfg.Addr
	if len(host) > 0 && host[0] == ':' {
		host = "localhost" + host
	}
	return "http://" + host
}

func runServe(ctx context.Context, args []string, out io.Writer) error {
	var f serverFlags
	fs := newFlags("serve", "serve [flags]", out)
	f.register(fs, app.DefaultConfig().DataDir)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(os.Stderr, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	f.cfg.BaseURL = f.baseURL()
	f.startPprof()
	a, err := app.Open(ctx, f.cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Serve(ctx, nil)
}

func version() string {
	if app.Version != "dev" {
		return app.Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				return "dev-" + s.Value[:7]
			}
		}
	}
	return "dev"
}

func init() { app.Version = version() }

func printf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }
