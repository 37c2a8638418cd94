package score

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/motcua/motcua/data"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/store"
)

// The benchmark's province: 100 communes, 50,000 dossiers each in 2026 —
// 5 million dossiers.
const (
	benchProvince = "B99"
	benchCommunes = 100
	benchPer      = 50_000
	benchVersion  = "v2"
)

// BenchmarkIndexProvinceYear measures the full index of a province of 100
// communes and 5 million dossiers for one year, its ranking, and one
// commune's year and month. The dossiers' facts are generated and their
// daily and monthly sums written straight into score_daily (through the
// same code that maintains them), once, and kept in MOTCUA_BENCH_DIR
// (default: the temp directory) or MOTCUA_BENCH_DATABASE_URL.
//
//	go test ./internal/score -run '^$' -bench IndexProvinceYear -benchtime 20x -timeout 60m
//
// Figures (2 cores, 1,574,364 rows of sums; p50 of 20 runs), SQLite /
// PostgreSQL: province-year 89 / 78 ms, ranking of the 100 communes 93 / 81
// ms, a commune's year 0.9 / 1.2 ms, a month 0.5 / 1.0 ms, a province range
// of partial months (15/02–21/11) 340 / 199 ms. Writing the sums: 4.5 min
// on SQLite, under a minute on PostgreSQL.
func BenchmarkIndexProvinceYear(b *testing.B) {
	ctx := context.Background()
	s := benchService(b)
	from, to := Year(2026)
	mFrom, mTo := Month(2026, time.June)
	commune := fmt.Sprintf("%s.%03d", benchProvince, 1)
	for _, c := range []struct {
		name string
		run  func() (float64, error)
	}{
		{"province-year", func() (float64, error) {
			x, err := s.Index(ctx, Query{Province: benchProvince, From: from, To: to})
			if err != nil {
				return 0, err
			}
			in, _ := x.Indicator("2.1")
			if in.Denominator < benchCommunes*benchPer*9/10 {
				return 0, fmt.Errorf("2.1 counts %d dossiers", in.Denominator)
			}
			return x.Total, nil
		}},
		{"ranking-year", func() (float64, error) {
			r, err := s.Ranking(ctx, benchProvince, from, to)
			if err != nil || len(r) != benchCommunes {
				return 0, fmt.Errorf("%d communes: %v", len(r), err)
			}
			return r[0].Total, nil
		}},
		{"commune-year", func() (float64, error) {
			x, err := s.Index(ctx, Query{Agency: commune, From: from, To: to})
			if err != nil {
				return 0, err
			}
			return x.Total, nil
		}},
		{"commune-month", func() (float64, error) {
			x, err := s.Index(ctx, Query{Agency: commune, From: mFrom, To: mTo})
			if err != nil {
				return 0, err
			}
			return x.Total, nil
		}},
		{"province-range", func() (float64, error) { // a range that is not whole months: day rows at both ends
			x, err := s.Index(ctx, Query{Province: benchProvince, From: from.AddDate(0, 1, 14), To: to.AddDate(0, -1, -10)})
			if err != nil {
				return 0, err
			}
			return x.Total, nil
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			var total float64
			for range b.N {
				t0 := time.Now()
				v, err := c.run()
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				total = v
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
			b.ReportMetric(total, "score")
		})
	}
}

func benchService(b *testing.B) *Service {
	b.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := store.Config{URL: os.Getenv("MOTCUA_BENCH_DATABASE_URL"), DataDir: os.Getenv("MOTCUA_BENCH_DIR"), Logger: quiet}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(os.TempDir(), "motcua-score-bench-"+benchVersion)
	}
	os.MkdirAll(cfg.DataDir, 0o755)
	db, err := store.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	cc, err := calendar.LoadSchedules(data.FS, "calendar")
	if err != nil {
		b.Fatal(err)
	}
	cal, err := calendar.New(calendar.DefaultConfig(), cc...)
	if err != nil {
		b.Fatal(err)
	}
	cat := catalog.NewService(db)
	if n, _ := cat.Count(ctx); n == 0 {
		set, err := catalog.ReadDir(data.FS, "catalog")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cat.Import(ctx, set, audit.System); err != nil {
			b.Fatal(err)
		}
	}
	if err := cat.Load(ctx); err != nil {
		b.Fatal(err)
	}
	s := New(Config{DB: db, Calendar: calendar.NewService(db, cal), Catalog: cat, Log: quiet,
		Feedback: feedback.New(feedback.Config{DB: db, Log: quiet})})
	var n int
	db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM score_meta").Scan(&n)
	if n == 0 {
		start := time.Now()
		if err := fillProvince(ctx, db, cat.Catalog()); err != nil {
			b.Fatal(err)
		}
		b.Logf("%d dossiers' sums written in %s", benchCommunes*benchPer, time.Since(start).Round(time.Second))
	}
	if err := db.Optimize(ctx); err != nil {
		b.Fatal(err)
	}
	var rows int
	db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM score_daily").Scan(&rows)
	b.Logf("%s: %d rows of sums", db.Engine(), rows)
	return s
}

// fillProvince generates each commune's year of dossiers as facts and
// writes their sums, commune by commune.
func fillProvince(ctx context.Context, db *store.DB, cat *catalog.Catalog) error {
	procs := cat.All()
	r := rand.New(rand.NewPCG(766, 2026))
	start := time.Date(2026, 1, 1, 7, 30, 0, 0, calendar.Location)
	if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM score_daily"); err != nil { // a run stopped halfway
			return err
		}
		if err := org.SaveAgency(ctx, tx, org.Agency{Code: benchProvince, Name: "Tỉnh thử", Kind: "province"}); err != nil {
			return err
		}
		for i := 1; i <= benchCommunes; i++ {
			code := fmt.Sprintf("%s.%03d", benchProvince, i)
			if err := org.SaveAgency(ctx, tx, org.Agency{Code: code, Name: fmt.Sprintf("Xã thử %d", i), Kind: "commune", Parent: benchProvince}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	for i := 1; i <= benchCommunes; i++ {
		agency := fmt.Sprintf("%s.%03d", benchProvince, i)
		m := map[aggKey]*vec{}
		for range benchPer {
			p := procs[r.IntN(len(procs))]
			recv := start.Add(time.Duration(r.IntN(365*24*60)) * time.Minute).UnixMilli()
			due := recv + int64(1+r.IntN(7))*86_400_000
			f := Fact{Agency: agency, Procedure: p.Code, ReceivedAt: &recv, DueAt: &due}
			if r.IntN(20) > 0 { // 5% still open
				fin := recv + int64(r.IntN(8*86_400))*1000
				f.FinishedAt = &fin
				f.Completed = r.IntN(10) > 0
				f.DoneMinutes = int64(r.IntN(3000))
				if fin > due {
					f.LateAt = &due
				}
			} else {
				f.LateAt = &due
			}
			f.Online = r.IntN(10) < 4
			f.PaperResult = r.IntN(10) < 8
			f.EResult = r.IntN(10) < 6
			f.OnlineOK = f.Online && (!f.PaperResult || f.EResult)
			f.Fee = r.IntN(3) == 0
			f.PaidOnline = f.Fee && r.IntN(2) == 0
			f.Digitized = r.IntN(10) < 7
			f.Reused = r.IntN(10) < 5
			f.StoreReuse = r.IntN(10) < 2
			f.Population = r.IntN(10) < 6
			f.add(m, 1)
		}
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error { return writeSums(ctx, tx, m) }); err != nil {
			return err
		}
	}
	return db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO score_meta (id, rebuilt_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", time.Now().UnixMilli())
		return err
	})
}
