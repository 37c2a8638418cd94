package dx

import (
	"context"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
)

// Point is one value of a trend.
type Point struct {
	At          time.Time `json:"at"` // the date (entered) or the month's first day (computed)
	Month       bool      `json:"-"`  // a month's figure, not a day's
	Value       float64   `json:"value"`
	OK          bool      `json:"ok"` // false: no data for that month
	Numerator   *int64    `json:"numerator,omitempty"`
	Denominator *int64    `json:"denominator,omitempty"`
}

// Card is one indicator as the dashboard shows it.
type Card struct {
	Indicator Indicator `json:"indicator"`
	// Current is the value for the period (computed) or the latest entry
	// on or before the period's end (entered); OK false: no data.
	Current Point  `json:"current"`
	Latest  *Entry `json:"latest,omitempty"` // the entry behind Current (entered)
	Target  Target `json:"target"`
	// Met: the current value reaches the target (only with both).
	Met bool `json:"met"`
	// Trend: the last months (computed) or every dated figure (entered).
	Trend []Point `json:"trend"`
	// Change is the difference between the last two values with data,
	// Direction "up", "down", "flat", or "" with fewer than two.
	Change    float64 `json:"change"`
	Direction string  `json:"direction"`
}

// Dashboard is the whole page's figures.
type Dashboard struct {
	Agency   string    `json:"agency"`
	From, To time.Time `json:"-"` // the period [From, To)
	Cards    []Card    `json:"cards"`
	Teams    *Teams    `json:"teams"`
}

// TrendMonths is how many months a computed trend shows.
const TrendMonths = 12

func monthStart(t time.Time) time.Time {
	l := t.In(calendar.Location)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, calendar.Location)
}

// Dashboard computes every card for an agency over [from, to), and the
// teams panel.
func (s *Service) Dashboard(ctx context.Context, p *identity.Principal, agency string, from, to time.Time) (*Dashboard, error) {
	if err := canRead(p, agency); err != nil {
		return nil, err
	}
	d := &Dashboard{Agency: agency, From: from, To: to}
	// The period's figures and the trend: the 12 months up to the
	// period's end, the last one cut at it, in one scan.
	last := monthStart(to.Add(-time.Millisecond))
	periods := [][2]time.Time{{from, to}}
	for i := TrendMonths - 1; i >= 0; i-- {
		end := last.AddDate(0, -i+1, 0)
		if i == 0 {
			end = to
		}
		periods = append(periods, [2]time.Time{last.AddDate(0, -i, 0), end})
	}
	all, err := s.computePeriods(ctx, agency, periods)
	if err != nil {
		return nil, err
	}
	cur, months := all[0], all[1:]
	targets, err := s.targets(ctx, agency)
	if err != nil {
		return nil, err
	}
	entries, err := s.entries(ctx, agency, "")
	if err != nil {
		return nil, err
	}
	endDay := dayOf(to.Add(-time.Millisecond))
	for _, in := range Indicators {
		c := Card{Indicator: in, Target: targets[in.Key]}
		if in.Kind == Computed {
			c.Current = figurePoint(from, cur.ByKey[in.Key], in.Unit)
			for _, m := range months {
				pt := figurePoint(m.From, m.ByKey[in.Key], in.Unit)
				pt.Month = true
				c.Trend = append(c.Trend, pt)
			}
		} else {
			c.Trend, c.Latest = entryTrend(entries[in.Key], endDay)
			if c.Latest != nil {
				c.Current = c.Trend[len(c.Trend)-1]
			}
		}
		c.Met = c.Current.OK && c.Target.Value > 0 && c.Current.Value >= c.Target.Value
		c.Change, c.Direction = direction(c.Trend)
		d.Cards = append(d.Cards, c)
	}
	if d.Teams, err = s.TeamsPanel(ctx, agency, from, to); err != nil {
		return nil, err
	}
	return d, nil
}

func figurePoint(at time.Time, f Figure, unit string) Point {
	pt := Point{At: at, Value: f.Value, OK: f.OK}
	if unit == Percent && f.OK {
		n, d := f.Numerator, f.Denominator
		pt.Numerator, pt.Denominator = &n, &d
	}
	return pt
}

// entryTrend is one point per date up to endDay (the last entry of a date
// stands: a correction replaces the figure, the earlier one stays in the
// history), and the entry behind the newest point.
func entryTrend(es []Entry, endDay string) ([]Point, *Entry) {
	var pts []Point
	var latest *Entry
	for i := range es {
		e := &es[i]
		if e.AsOf > endDay {
			break
		}
		pt := Point{At: e.Date(), Value: e.Value, OK: true, Numerator: e.Numerator, Denominator: e.Denominator}
		if n := len(pts); n > 0 && pts[n-1].At.Equal(pt.At) {
			pts[n-1] = pt
		} else {
			pts = append(pts, pt)
		}
		latest = e
	}
	return pts, latest
}

// direction compares the last two points with data.
func direction(pts []Point) (float64, string) {
	var vals []float64
	for i := len(pts) - 1; i >= 0 && len(vals) < 2; i-- {
		if pts[i].OK {
			vals = append(vals, pts[i].Value)
		}
	}
	if len(vals) < 2 {
		return 0, ""
	}
	ch := round2(vals[0] - vals[1])
	switch {
	case ch > 0:
		return ch, "up"
	case ch < 0:
		return ch, "down"
	}
	return 0, "flat"
}
