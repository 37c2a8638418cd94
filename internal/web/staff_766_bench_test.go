package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/store"
)

// BenchmarkScore766Page measures the 766 index page (/staff/766: the
// year's index, its groups and indicators) and a drill-down over the demo
// commune's year of dossiers, request to response, with p50 and p99. The
// target is under 100 ms.
//
//	go test ./internal/web -run '^$' -bench Score766Page -benchtime 100x
func BenchmarkScore766Page(b *testing.B) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(eng), func(b *testing.B) {
			ctx := context.Background()
			env := apptest.Start(b, eng, apptest.Options{Demo: true, Now: fixedNow})
			a := env.App
			hist, err := demo.SeedHistory(ctx, a.DB, a.Dossiers, a.Catalog.Catalog(), fixedNow())
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d dossiers", eng, hist.Dossiers)
			c := signIn(b, env, "chutich.binh")
			for _, path := range []string{"/staff/766", "/staff/766?period=year&year=2026&formula=2022", "/staff/766?procedure=1.001193",
				"/staff/766/2.1?which=denominator&page=3"} {
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
