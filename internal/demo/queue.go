package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
)

// queueMix is how many people a working day takes a number for each
// group, and how long serving one takes, on average.
var queueMix = []struct {
	group   string
	perDay  float64
	minutes float64
}{
	{"ho_tich", 14, 8}, {"chung_thuc", 22, 4}, {"kinh_doanh", 4, 12}, {"dat_dai", 3, 15}, {"xa_hoi", 5, 10}, {"cu_tru", 7, 9},
}

// SeedQueue runs the centre's queue through the last days working days
// and today up to now, through the queue service itself on a simulated
// clock — people arrive through the day (some with priority), officers
// call, serve and finish, a few are absent — and leaves a handful waiting
// now, so the board, the counters and the manager's figures have a living
// line. It returns the tickets issued.
func SeedQueue(ctx context.Context, cfg queue.Config, days int, now time.Time) (int, error) {
	c, err := LoadCommune()
	if err != nil {
		return 0, err
	}
	clk := &simClock{}
	cfg.Now = clk.Now
	cfg.Notifier = nil // no text messages for the past
	q := queue.New(cfg)
	officers := map[int]*identity.Principal{}
	for i, s := range c.Staff {
		if s.Counter > 0 {
			officers[s.Counter] = &identity.Principal{ID: fmt.Sprintf("u%03d", i+1), Name: s.FullName, Roles: s.Roles, Agency: s.Agency, Counter: fmt.Sprint(s.Counter)}
		}
	}
	kiosk := &identity.Principal{ID: "demo-kiosk", Name: "Máy lấy số (demo)", Roles: []string{identity.RoleKiosk}, Agency: c.Home}
	r := rand.New(rand.NewPCG(16072, 6))
	cal := cfg.Calendar
	local := now.In(calendar.Location)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, calendar.Location)
	var dayList []time.Time
	for d := today.AddDate(0, 0, -days*2); !d.After(today); d = d.AddDate(0, 0, 1) {
		if cal.IsWorkingDay(d) {
			dayList = append(dayList, d)
		}
	}
	if len(dayList) > days+1 {
		dayList = dayList[len(dayList)-days-1:]
	}
	issued := 0
	for _, day := range dayList {
		n, err := simulateDay(ctx, q, clk, r, c.Home, kiosk, officers, day, now)
		issued += n
		if err != nil {
			return issued, fmt.Errorf("demo queue %s: %w", day.Format(time.DateOnly), err)
		}
	}
	// Last night's sweep: what the past days left in line expired.
	clk.Set(now)
	if _, err := q.Sweep(ctx); err != nil {
		return issued, err
	}
	// A few people waiting now, whatever the hour.
	for i := 0; i < 7; i++ {
		m := queueMix[r.IntN(len(queueMix))]
		prio := ""
		if r.IntN(5) == 0 {
			prio = queue.DefaultPriorityClasses[r.IntN(len(queue.DefaultPriorityClasses))].Code
		}
		if _, err := q.Issue(ctx, kiosk, queue.IssueRequest{Agency: c.Home, Group: m.group, Priority: prio}); err != nil {
			return issued, err
		}
		issued++
	}
	return issued, nil
}

type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// simulateDay plays one day, up to stop.
func simulateDay(ctx context.Context, q *queue.Service, clk *simClock, r *rand.Rand, agency string, kiosk *identity.Principal,
	officers map[int]*identity.Principal, day, stop time.Time) (int, error) {
	type arrival struct {
		at    time.Time
		group string
		prio  string
	}
	var arrivals []arrival
	open := day.Add(7*time.Hour + 30*time.Minute)
	for _, m := range queueMix {
		for k := poisson(r, m.perDay); k > 0; k-- {
			minute := r.IntN(8*60 + 30) // 07:30–16:00, with the lunch break shifted
			if minute >= 4*60 && minute < 5*60+30 {
				minute += 90
			}
			prio := ""
			if r.IntN(6) == 0 {
				prio = queue.DefaultPriorityClasses[r.IntN(len(queue.DefaultPriorityClasses))].Code
			}
			arrivals = append(arrivals, arrival{open.Add(time.Duration(minute)*time.Minute + time.Duration(r.IntN(60))*time.Second), m.group, prio})
		}
	}
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].at.Before(arrivals[j].at) })
	minutes := map[string]float64{}
	for _, m := range queueMix {
		minutes[m.group] = m.minutes
	}
	counters := make([]int, 0, len(officers))
	for n := range officers {
		counters = append(counters, n)
	}
	sort.Ints(counters)
	busyUntil := map[int]time.Time{}
	serving := map[int]*queue.Ticket{}
	issued := 0
	// What is waiting, kept here so idle counters ask only when someone is.
	waiting := map[string]int{}
	serves := map[int]queue.Counter{}
	cs, err := q.Counters(ctx, agency)
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		serves[c.Number] = c
	}
	waitingFor := func(n int) bool {
		for g, k := range waiting {
			if k > 0 && serves[n].Serves(g) {
				return true
			}
		}
		return false
	}
	// Counters free at t call the next; a service ends when its time is up.
	settle := func(t time.Time) error {
		for _, n := range counters {
			if cur := serving[n]; cur != nil && !busyUntil[n].After(t) {
				clk.Set(busyUntil[n])
				if _, err := q.Act(ctx, officers[n], cur.ID, queue.ActRequest{Action: queue.ActFinish, Counter: n}); err != nil {
					return err
				}
				serving[n] = nil
			}
			if serving[n] == nil && !busyUntil[n].After(t) && waitingFor(n) {
				at := t
				if busyUntil[n].After(day) && busyUntil[n].Before(t) {
					at = busyUntil[n]
				}
				clk.Set(at)
				tk, err := q.CallNext(ctx, officers[n], agency, n)
				if err != nil {
					return err
				}
				if tk == nil {
					// Those waiting are in their grace after an absence.
					busyUntil[n] = at.Add(time.Minute)
					continue
				}
				waiting[tk.Group]--
				if r.IntN(30) == 0 && tk.Absences == 0 {
					waiting[tk.Group]++
					// Not there: back in line after the grace.
					clk.Set(at.Add(time.Minute))
					if _, err := q.Act(ctx, officers[n], tk.ID, queue.ActRequest{Action: queue.ActAbsent, Counter: n}); err != nil {
						return err
					}
					busyUntil[n] = at.Add(time.Minute)
					continue
				}
				clk.Set(at.Add(30 * time.Second))
				if _, err := q.Act(ctx, officers[n], tk.ID, queue.ActRequest{Action: queue.ActStart, Counter: n}); err != nil {
					return err
				}
				d := time.Duration((0.5 + r.Float64()) * minutes[tk.Group] * float64(time.Minute))
				busyUntil[n], serving[n] = at.Add(30*time.Second+d), tk
			}
		}
		return nil
	}
	for _, a := range arrivals {
		if !a.at.Before(stop) {
			break
		}
		// Let the counters work up to this arrival, minute by minute.
		for t := open; t.Before(a.at); t = t.Add(time.Minute) {
			if err := settle(t); err != nil {
				return issued, err
			}
			open = t
		}
		clk.Set(a.at)
		if _, err := q.Issue(ctx, kiosk, queue.IssueRequest{Agency: agency, Group: a.group, Priority: a.prio}); err != nil {
			return issued, err
		}
		issued++
		waiting[a.group]++
		if err := settle(a.at); err != nil {
			return issued, err
		}
	}
	// The afternoon's end: the line is worked off until 17:00.
	closeAt := day.Add(17 * time.Hour)
	for t := open; t.Before(closeAt) && t.Before(stop); t = t.Add(time.Minute) {
		if err := settle(t); err != nil {
			return issued, err
		}
	}
	return issued, nil
}
