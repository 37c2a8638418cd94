package queue_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/store"
)

// The statistics benchmark's year: 10,000 tickets a day for 365 days.
const (
	benchDays         = 365
	benchTicketsADay  = 10_000
	benchStatsVersion = "v1"
)

var benchNow = time.Date(2026, 11, 27, 10, 0, 0, 0, calendar.Location)

// BenchmarkQueueStats measures the statistics a manager opens — today, a
// month, a year — and the board, over a year of 10,000 tickets a day
// (3.65 million tickets and their daily figures). The year is written once
// (straight into the tables, a few minutes) and kept in MOTCUA_BENCH_DIR
// (default: the temp directory) or MOTCUA_BENCH_DATABASE_URL.
//
//	go test ./internal/queue -run '^$' -bench QueueStats -benchtime 100x -timeout 60m
func BenchmarkQueueStats(b *testing.B) {
	ctx := context.Background()
	a := benchQueueApp(b)
	var n int
	a.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM queue_tickets").Scan(&n)
	b.Logf("%d tickets (%s)", n, a.DB.Engine())
	for _, c := range []struct {
		name     string
		from, to time.Time
	}{
		{"today", benchNow, benchNow},
		{"month", benchNow.AddDate(0, -1, 1), benchNow},
		{"year", benchNow.AddDate(-1, 0, 1), benchNow},
	} {
		b.Run("stats/"+c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				t0 := time.Now()
				st, err := a.Queue.Stats(ctx, home, c.from, c.to)
				lat = append(lat, time.Since(t0))
				if err != nil || st.Total.Issued == 0 {
					b.Fatalf("%+v %v", st, err)
				}
			}
			apptest.ReportLatency(b, lat)
		})
	}
	// The line itself must not slow down as the year fills up: a ticket
	// issued and called among 3.65 million kept for the figures.
	b.Run("issue-and-call-next", func(b *testing.B) {
		kiosk := &identity.Principal{ID: "bench-kiosk", Name: "Kiosk", Roles: []string{identity.RoleKiosk}, Agency: home}
		officer := &identity.Principal{ID: "bench-officer", Name: "Cán bộ", Roles: []string{identity.RoleCounter}, Agency: home, Counter: "1"}
		lat := make([]time.Duration, 0, 2*b.N)
		for range b.N {
			t0 := time.Now()
			if _, err := a.Queue.Issue(ctx, kiosk, queue.IssueRequest{Group: "ho_tich"}); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := a.Queue.CallNext(ctx, officer, home, 1); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, t1.Sub(t0), time.Since(t1))
		}
		apptest.ReportLatency(b, lat)
	})
	b.Run("board", func(b *testing.B) {
		lat := make([]time.Duration, 0, b.N)
		for range b.N {
			t0 := time.Now()
			if _, err := a.Queue.Board(ctx, home); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t0))
		}
		apptest.ReportLatency(b, lat)
	})
}

func benchQueueApp(b *testing.B) *app.App {
	return apptest.BenchApp(b, "queue-bench-"+benchStatsVersion, benchNow, func(ctx context.Context, a *app.App) error {
		if _, err := demo.SeedCommune(ctx, a.DB, benchNow); err != nil {
			return err
		}
		return fillQueueYear(ctx, a.DB)
	})
}

// fillQueueYear writes a year of served tickets and their daily figures
// straight into the tables, as the service would have left them.
func fillQueueYear(ctx context.Context, db *store.DB) error {
	groups := []string{"ho_tich", "chung_thuc", "kinh_doanh", "dat_dai", "xa_hoi", "cu_tru"}
	prefixes := []string{"A", "B", "C", "D", "E", "F"}
	counterOf := []int{1, 2, 4, 4, 5, 6}
	r := rand.New(rand.NewPCG(6, 10000))
	for d := benchDays - 1; d >= 0; d-- {
		day := benchNow.AddDate(0, 0, -d)
		dayKey := day.Format(time.DateOnly)
		open := time.Date(day.Year(), day.Month(), day.Day(), 7, 30, 0, 0, calendar.Location)
		type agg struct{ issued, called, served, noShow, wait, waitMax, service int64 }
		figures := map[string]*agg{}
		numbers := make([]int, len(groups))
		var stmts []store.Stmt
		var vals []string
		var args []any
		flush := func() {
			if len(vals) == 0 {
				return
			}
			stmts = append(stmts, store.Stmt{SQL: `INSERT INTO queue_tickets (id, agency_code, day, group_code, number, label, priority, source, state, rank_at,
				callable_at, counter_number, officer_id, officer_name, created_at, first_called_at, called_at, started_at, finished_at) VALUES ` + strings.Join(vals, ", "), Args: args})
			vals, args = nil, nil
		}
		for i := 0; i < benchTicketsADay; i++ {
			g := r.IntN(len(groups))
			numbers[g]++
			created := open.Add(time.Duration(r.IntN(9*3600)) * time.Second)
			wait := int64(60+r.IntN(1800)) * 1000
			service := int64(120+r.IntN(900)) * 1000
			c := counterOf[g]
			state := "done"
			if r.IntN(40) == 0 {
				state = "no_show"
			}
			called := created.UnixMilli() + wait
			k := fmt.Sprintf("%s|%d|o%d", groups[g], c, c)
			if figures[k] == nil {
				figures[k] = &agg{}
			}
			f := figures[k]
			f.issued++
			f.called++
			f.wait += wait
			f.waitMax = max(f.waitMax, wait)
			if state == "done" {
				f.served++
				f.service += service
			} else {
				f.noShow++
			}
			n := len(args)
			vals = append(vals, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, '', 'kiosk', $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10, n+11, n+12, n+13, n+14, n+15, n+16, n+17))
			args = append(args, fmt.Sprintf("b%s%05d", strings.ReplaceAll(dayKey, "-", ""), i), home, dayKey, groups[g], numbers[g],
				fmt.Sprintf("%s%03d", prefixes[g], numbers[g]), state, created.UnixMilli(), created.UnixMilli(), c, fmt.Sprintf("o%d", c),
				fmt.Sprintf("Cán bộ quầy %d", c), created.UnixMilli(), called, called, called, called+service)
			if len(vals) == 500 {
				flush()
			}
		}
		flush()
		for k, f := range figures {
			parts := strings.Split(k, "|")
			var c int
			fmt.Sscan(parts[1], &c)
			stmts = append(stmts, store.Stmt{SQL: `INSERT INTO queue_daily (agency_code, day, group_code, counter_number, officer_id, officer_name, issued, called,
				wait_ms, wait_max_ms, served, service_ms, no_show) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				Args: []any{home, dayKey, parts[0], c, parts[2], fmt.Sprintf("Cán bộ quầy %d", c), f.issued, f.called, f.wait, f.waitMax, f.served, f.service, f.noShow}})
		}
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			for _, st := range stmts {
				if _, err := tx.ExecContext(ctx, st.SQL, st.Args...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("day %s: %w", dayKey, err)
		}
	}
	return nil
}
