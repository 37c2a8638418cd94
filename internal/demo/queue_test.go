package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/store"
)

// The demo's queue is played through the queue service: past days end
// with everyone served (or gone), today leaves people waiting, and the
// manager's figures have something to show.
func TestSeedQueue(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 27, 10, 15, 0, 0, calendar.Location) // a Friday morning
			env := apptest.Start(t, eng, apptest.Options{Commune: true, Now: func() time.Time { return now }})
			issued, err := demo.SeedQueue(ctx, env.App.QueueConfig(), 2, now)
			if err != nil {
				t.Fatal(err)
			}
			home := "H56.16072"
			st, err := env.App.Queue.Stats(ctx, home, now.AddDate(0, 0, -7), now)
			if err != nil {
				t.Fatal(err)
			}
			if issued < 60 || st.Total.Issued != issued || st.Total.Served < issued/2 || len(st.Days) != 3 || len(st.Counters) < 5 {
				t.Errorf("issued %d; figures %+v over %d days, %d counters", issued, st.Total, len(st.Days), len(st.Counters))
			}
			// Nothing of the past days is left at a counter or in line.
			var stale, waiting int
			env.App.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_tickets WHERE day < '2026-11-27' AND state IN ('waiting', 'called', 'serving', 'held')`).Scan(&stale)
			env.App.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM queue_tickets WHERE day = '2026-11-27' AND state = 'waiting'`).Scan(&waiting)
			if stale != 0 || waiting < 7 {
				t.Errorf("%d tickets of past days still live; %d waiting today", stale, waiting)
			}
			b, err := env.App.Queue.Board(ctx, home)
			if err != nil || len(b.Recent) == 0 {
				t.Errorf("board %+v %v", b, err)
			}
		})
	}
}
