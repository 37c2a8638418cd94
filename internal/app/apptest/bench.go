package apptest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/demo"
)

// BenchApp opens a benchmark's large dataset at the clock now: on
// PostgreSQL when MOTCUA_BENCH_DATABASE_URL is set, else SQLite in
// MOTCUA_BENCH_DIR or <temp>/motcua-<name>. The first time, fill writes it
// (and must seed the demo commune, which marks it written); later runs
// reuse it. Planner statistics are refreshed, as the server keeps them.
func BenchApp(b testing.TB, name string, now time.Time, fill func(ctx context.Context, a *app.App) error) *app.App {
	b.Helper()
	ctx := context.Background()
	cfg := app.DefaultConfig()
	cfg.Now = func() time.Time { return now }
	cfg.DatabaseURL = os.Getenv("MOTCUA_BENCH_DATABASE_URL")
	cfg.DataDir = os.Getenv("MOTCUA_BENCH_DIR")
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(os.TempDir(), "motcua-"+name)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	seeded, err := demo.Seeded(ctx, a.DB)
	if err != nil {
		b.Fatal(err)
	}
	if !seeded {
		start := time.Now()
		if err := fill(ctx, a); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: dataset written in %s", name, time.Since(start).Round(time.Second))
	}
	if err := a.DB.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	return a
}

// ReportLatency reports the median and the 99th percentile of lat (sorted
// in place) as the benchmark's p50-ms and p99-ms.
func ReportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
}
