package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// BenchmarkDXDashboard measures the digital-transformation dashboard
// (/staff/dx: the period's figures, 12 months of trend, every entered
// figure, the 40 villages' teams) over the demo commune's year of dossiers
// with its assisted submissions, request to response, and reports p50 and
// p99. The target is under 100 ms.
//
//	go test ./internal/web -run '^$' -bench DXDashboard -benchtime 100x
func BenchmarkDXDashboard(b *testing.B) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(eng), func(b *testing.B) {
			ctx := context.Background()
			env := apptest.Start(b, eng, apptest.Options{Demo: true, Now: fixedNow})
			a := env.App
			if _, _, err := demo.SeedAssist(ctx, a.DB, fixedNow()); err != nil {
				b.Fatal(err)
			}
			hist, err := demo.SeedHistory(ctx, a.DB, a.Dossiers, a.Catalog.Catalog(), fixedNow())
			if err != nil {
				b.Fatal(err)
			}
			_, assisted, err := demo.SeedDX(ctx, a.DB, fixedNow())
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d dossiers, %d assisted", eng, hist.Dossiers, assisted)
			c := signIn(b, env, "chutich.binh")
			svc := dx.New(a.DB, fixedNow)
			leader := &identity.Principal{ID: "bench", Roles: []string{identity.RoleLeader}, Agency: "H56.16072"}
			from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Location), time.Date(2026, 11, 28, 0, 0, 0, 0, calendar.Location)
			b.Run("service", func(b *testing.B) {
				for b.Loop() {
					if _, err := svc.Dashboard(ctx, leader, "H56.16072", from, to); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, path := range []string{"/staff/dx", "/staff/dx?from=2025-11-28&to=2026-11-27", "/staff/dx/on_time"} {
				b.Run(path, func(b *testing.B) {
					var took []time.Duration
					for b.Loop() {
						start := time.Now()
						if st, _ := c.get(b, path); st != 200 {
							b.Fatalf("%s: %d", path, st)
						}
						took = append(took, time.Since(start))
					}
					apptest.ReportLatency(b, took)
				})
			}
		})
	}
}
