// Package apptest starts a whole motcua — database, services, HTTP server —
// for integration and browser tests, on either engine.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

// Env is a running motcua for one test.
type Env struct {
	App    *app.App
	URL    string
	Server *httptest.Server
}

// Options change how Start builds the environment.
type Options struct {
	Demo    bool             // seed the demo commune
	Commune bool             // seed the demo commune without its residents (faster)
	Now     func() time.Time // fixed clock
	Cfg     func(*app.Config)
}

// Start runs motcua on a fresh database of the engine until the test ends.
func Start(t testing.TB, eng store.Engine, opts Options) *Env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, eng)
	cfg := app.DefaultConfig()
	cfg.Now = opts.Now
	if opts.Cfg != nil {
		opts.Cfg(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.OpenWith(ctx, cfg, log, db, time.Now())
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	if opts.Demo || opts.Commune {
		now := time.Now()
		if opts.Now != nil {
			now = opts.Now()
		}
		seed := demo.Seed
		if !opts.Demo {
			seed = demo.SeedCommune
		}
		if _, err := seed(ctx, db, now); err != nil {
			t.Fatalf("seed demo: %v", err)
		}
	}
	srv := httptest.NewServer(a.Web.Handler())
	t.Cleanup(srv.Close)
	return &Env{App: a, URL: srv.URL, Server: srv}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// Do sends a request with an optional bearer token and JSON body, and
// returns the status and body.
func (e *Env) Do(t testing.TB, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = strings.NewReader(string(b))
	default:
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(js))
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// JSON decodes a response body, failing the test on bad JSON.
func JSON[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
	return v
}
