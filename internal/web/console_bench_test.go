package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/identity"
)

// consoleBenchDossiers is the size the console must stay fast at: a
// province instance after a year and a half.
const consoleBenchDossiers = 200_000

// The benchmark's clock: the dataset is generated up to this moment, and the
// console runs at it, so a cached dataset gives the same figures any day.
var consoleBenchNow = time.Date(2026, 11, 27, 9, 30, 0, 0, calendar.Location)

// BenchmarkConsolePages measures the server time of each staff console page
// — handler, database and template, without the network — against at least
// 200,000 dossiers, and reports p50 and p99 per page. The dataset is the demo
// commune's history at 28 times its volume since the catalogue took effect
// (1 July 2025), generated through the engine once (a few minutes) and kept
// in MOTCUA_BENCH_DIR (default: the temp directory) for later runs. Set
// MOTCUA_BENCH_DATABASE_URL to run it on PostgreSQL (the database is filled
// the first time and reused).
//
//	go test ./internal/web -run '^$' -bench ConsolePages -benchtime 200x -timeout 60m
func BenchmarkConsolePages(b *testing.B) {
	ctx := context.Background()
	a := consoleBenchApp(b)
	h := a.Web.Handler()

	var total int
	if err := a.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM dossiers").Scan(&total); err != nil {
		b.Fatal(err)
	}
	if total < consoleBenchDossiers {
		b.Fatalf("dataset has %d dossiers, want %d", total, consoleBenchDossiers)
	}
	b.Logf("%d dossiers (%s)", total, a.DB.Engine())

	// A recent dossier in processing, one returned, and a code to return.
	var processing, returned, toReturn string
	a.DB.Read().QueryRowContext(ctx, "SELECT code FROM dossiers WHERE status = 4 ORDER BY received_at DESC LIMIT 1").Scan(&processing)
	a.DB.Read().QueryRowContext(ctx, "SELECT code FROM dossiers WHERE status = 10 ORDER BY received_at DESC LIMIT 1").Scan(&returned)
	a.DB.Read().QueryRowContext(ctx, "SELECT code FROM dossiers WHERE status = 9 ORDER BY received_at DESC LIMIT 1").Scan(&toReturn)
	if processing == "" || returned == "" {
		b.Fatal("dataset lacks dossiers in processing or returned")
	}
	month := consoleBenchNow.AddDate(0, -1, 0).Format(time.DateOnly) + "&to=" + consoleBenchNow.Format(time.DateOnly)

	pages := []struct{ name, user, path string }{
		{"home/counter", "motcua.lan", "/staff/"},
		{"home/leader", "chutich.binh", "/staff/"},
		{"inbox/role", "tuphap.huong", "/staff/inbox?box=role"},
		{"inbox/mine", "tuphap.huong", "/staff/inbox?box=mine"},
		{"inbox/all", "motcua.lan", "/staff/inbox?box=all"},
		{"inbox/all-page-50", "motcua.lan", "/staff/inbox?box=all&page=50"},
		{"inbox/filtered", "motcua.lan", "/staff/inbox?box=all&procedure=2.000815&channel=online&from=" + month},
		{"inbox/overdue", "motcua.lan", "/staff/inbox?box=all&urgency=overdue"},
		{"inbox/search-name", "motcua.lan", "/staff/inbox?box=all&q=" + url.QueryEscape("nguyen van")},
		{"dossier/processing", "tuphap.huong", "/staff/dossiers/" + processing},
		{"dossier/returned", "motcua.lan", "/staff/dossiers/" + returned},
		{"intake", "motcua.lan", "/staff/intake?q=" + url.QueryEscape("khai sinh")},
		{"intake-form", "motcua.lan", "/staff/intake/1.001193"},
		{"notifications", "tuphap.huong", "/staff/notifications"},
		{"leader-desk", "chutich.binh", "/staff/leader"},
		{"return", "motcua.lan", "/staff/return?code=" + toReturn},
		{"register/month", "motcua.lan", "/staff/register?from=" + month},
		{"admin/users", "quantri", "/staff/admin/users"},
		{"admin/signins", "quantri", "/staff/admin/signins"},
		{"admin/procedures", "quantri", "/staff/admin/procedures"},
	}
	cookies := map[string]string{}
	for _, p := range pages {
		if cookies[p.user] == "" {
			cookies[p.user] = consoleBenchSignIn(b, a, p.user)
		}
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", p.path, nil)
			req.Header.Set("Cookie", "motcua_staff="+cookies[p.user])
			req.Header.Set("Accept-Language", "vi")
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req.Clone(ctx))
				lat = append(lat, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d: %.300s", p.path, rec.Code, rec.Body.String())
				}
			}
			b.StopTimer()
			apptest.ReportLatency(b, lat)
		})
	}
}

// consoleBenchApp opens (and the first time fills) the benchmark database.
func consoleBenchApp(b *testing.B) *app.App {
	return apptest.BenchApp(b, "console-bench", consoleBenchNow, func(ctx context.Context, a *app.App) error {
		if _, err := demo.Seed(ctx, a.DB, consoleBenchNow); err != nil {
			return err
		}
		sum, err := demo.SeedHistoryScaled(ctx, a.DB, a.Dossiers, a.Catalog.Catalog(), consoleBenchNow, 2, 28)
		if err != nil {
			return err
		}
		_, err = a.Dossiers.Sweep(ctx)
		b.Logf("generated %d dossiers", sum.Dossiers)
		return err
	})
}

// consoleBenchSignIn gives a demo account fresh credentials and signs it in
// at the benchmark's clock, returning the session cookie's value.
func consoleBenchSignIn(b *testing.B, a *app.App, username string) string {
	b.Helper()
	ctx := context.Background()
	users, err := a.Staff.Users(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range users {
		if u.Username != username {
			continue
		}
		pw, secret := identity.GeneratePassword(), identity.NewTOTPSecret()
		if err := a.Staff.SetCredentials(ctx, &identity.Principal{ID: "bench", Name: "benchmark"}, u.ID, pw, secret); err != nil {
			b.Fatal(err)
		}
		code, _ := identity.TOTPCode(secret, identity.TOTPStep(consoleBenchNow))
		sess, err := a.Staff.SignIn(ctx, username, pw, code, "127.0.0.1", "bench")
		if err != nil {
			b.Fatal(fmt.Errorf("sign in %s: %w", username, err))
		}
		return sess.Token
	}
	b.Fatalf("no account %s", username)
	return ""
}
