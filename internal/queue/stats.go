package queue

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/store"
)

// daily is an increment of a queue_daily row.
type daily struct {
	issued, called, served, noShow int
	waitMs, waitMaxMs, serviceMs   int64
}

// addDaily adds to the day's figures, in the caller's write.
func addDaily(ctx context.Context, tx store.Tx, agency, day, group string, counter int, officerID, officerName string, d daily) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO queue_daily (agency_code, day, group_code, counter_number, officer_id, officer_name,
		issued, called, wait_ms, wait_max_ms, served, service_ms, no_show) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (agency_code, day, group_code, counter_number, officer_id) DO UPDATE SET
		issued = queue_daily.issued + excluded.issued, called = queue_daily.called + excluded.called,
		wait_ms = queue_daily.wait_ms + excluded.wait_ms,
		wait_max_ms = CASE WHEN excluded.wait_max_ms > queue_daily.wait_max_ms THEN excluded.wait_max_ms ELSE queue_daily.wait_max_ms END,
		served = queue_daily.served + excluded.served, service_ms = queue_daily.service_ms + excluded.service_ms,
		no_show = queue_daily.no_show + excluded.no_show, officer_name = excluded.officer_name`,
		agency, day, group, counter, officerID, officerName, d.issued, d.called, d.waitMs, d.waitMaxMs, d.served, d.serviceMs, d.noShow)
	return err
}

// Figures are counts and times for a group, a counter or an officer.
type Figures struct {
	Key               string `json:"key"`
	Name              string `json:"name"`
	Issued            int    `json:"issued"`
	Called            int    `json:"called"`
	Served            int    `json:"served"`
	NoShow            int    `json:"no_show"`
	AvgWaitSeconds    int    `json:"avg_wait_seconds"`
	MaxWaitSeconds    int    `json:"max_wait_seconds"`
	AvgServiceSeconds int    `json:"avg_service_seconds"`

	waitMs, serviceMs int64
}

func (f *Figures) add(r Figures, waitMax int64) {
	f.Issued += r.Issued
	f.Called += r.Called
	f.Served += r.Served
	f.NoShow += r.NoShow
	f.waitMs += r.waitMs
	f.serviceMs += r.serviceMs
	if s := int(waitMax / 1000); s > f.MaxWaitSeconds {
		f.MaxWaitSeconds = s
	}
}

func (f *Figures) finish() {
	if f.Called > 0 {
		f.AvgWaitSeconds = int(f.waitMs / int64(f.Called) / 1000)
	}
	if f.Served > 0 {
		f.AvgServiceSeconds = int(f.serviceMs / int64(f.Served) / 1000)
	}
}

// Stats are a period's figures.
type Stats struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Total    Figures   `json:"total"`
	Groups   []Figures `json:"groups"`
	Counters []Figures `json:"counters"`
	Officers []Figures `json:"officers"`
	Days     []Figures `json:"days"` // one per day with tickets
}

// Stats sums a centre's figures for the days from..to (local dates,
// inclusive), by group, counter, officer and day.
func (s *Service) Stats(ctx context.Context, agency string, from, to time.Time) (*Stats, error) {
	f, t := dayOf(from), dayOf(to)
	if t < f {
		return nil, apperr.Field("to", "invalid_period", "Ngày kết thúc phải từ ngày bắt đầu trở đi.")
	}
	if to.Sub(from) > 400*24*time.Hour {
		return nil, apperr.Field("to", "period_too_long", "Kỳ thống kê tối đa một năm.")
	}
	groups, err := s.Groups(ctx, agency, true)
	if err != nil {
		return nil, err
	}
	groupName := map[string]string{}
	for _, g := range groups {
		groupName[g.Code] = g.Prefix + " – " + g.Name
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT day, group_code, counter_number, officer_id, MAX(officer_name), SUM(issued), SUM(called), SUM(wait_ms),
		MAX(wait_max_ms), SUM(served), SUM(service_ms), SUM(no_show) FROM queue_daily WHERE agency_code = $1 AND day >= $2 AND day <= $3
		GROUP BY day, group_code, counter_number, officer_id`, agency, f, t)
	if err != nil {
		return nil, apperr.Wrap(err, "queue stats")
	}
	defer rows.Close()
	st := &Stats{From: f, To: t}
	byGroup, byCounter, byOfficer, byDay := map[string]*Figures{}, map[string]*Figures{}, map[string]*Figures{}, map[string]*Figures{}
	get := func(m map[string]*Figures, key, name string) *Figures {
		if m[key] == nil {
			m[key] = &Figures{Key: key, Name: name}
		}
		return m[key]
	}
	for rows.Next() {
		var day, group, officer, officerName string
		var counter int
		var r Figures
		var waitMax int64
		if err := rows.Scan(&day, &group, &counter, &officer, &officerName, &r.Issued, &r.Called, &r.waitMs, &waitMax, &r.Served, &r.serviceMs, &r.NoShow); err != nil {
			return nil, apperr.Wrap(err, "queue stats")
		}
		st.Total.add(r, waitMax)
		name := groupName[group]
		if name == "" {
			name = group
		}
		get(byGroup, group, name).add(r, waitMax)
		get(byDay, day, day).add(r, waitMax)
		if counter != 0 {
			get(byCounter, fmt.Sprint(counter), fmt.Sprintf("Quầy %d", counter)).add(r, waitMax)
		}
		if officer != "" {
			get(byOfficer, officer, officerName).add(r, waitMax)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "queue stats")
	}
	st.Total.finish()
	list := func(m map[string]*Figures, less func(a, b *Figures) bool) []Figures {
		out := make([]*Figures, 0, len(m))
		for _, f := range m {
			f.finish()
			out = append(out, f)
		}
		sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
		res := make([]Figures, len(out))
		for i, f := range out {
			res[i] = *f
		}
		return res
	}
	byKey := func(a, b *Figures) bool { return a.Key < b.Key }
	st.Groups = list(byGroup, func(a, b *Figures) bool { return a.Name < b.Name })
	st.Counters = list(byCounter, func(a, b *Figures) bool { return len(a.Key) < len(b.Key) || len(a.Key) == len(b.Key) && a.Key < b.Key })
	st.Officers = list(byOfficer, func(a, b *Figures) bool { return a.Served > b.Served || a.Served == b.Served && a.Name < b.Name })
	st.Days = list(byDay, byKey)
	return st, nil
}
