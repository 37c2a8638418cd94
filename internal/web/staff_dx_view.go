package web

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dx"
)

// What the dashboard's templates receive: every number already written
// the reader's way, and each chart as coordinates for an inline SVG (no
// script, no charting library) with the same figures as a table.

type dxCard struct {
	Key, Name, Definition, Basis string
	Computed, Count              bool
	HasValue                     bool
	Value, Fraction              string
	AsOf, Source, Note           string
	HasTarget, Met, OwnTarget    bool
	Target, TargetSource, Gap    string
	Direction, Change            string
	Chart                        dxChart
	Rows                         []dxTrendRow
}

type dxTrendRow struct {
	When, Value, Fraction string
	HasValue              bool
}

// dxChart is a small line chart: values over time, a dashed target line.
type dxChart struct {
	ID               string
	W, H             int
	Left, Right      float64 // plot area x bounds
	Top, Bottom      float64 // plot area y bounds
	Segments         []string
	Points           []dxChartPoint
	HasTarget        bool
	TargetY          float64
	YMaxLabel        string
	FirstX, LastX    string // the first and last dates, under the axis
	Title, Desc      string
	Empty            bool
	YMaxY, MidY      float64
	YMidLabel        string
	LabelY, TextBase float64
}

type dxChartPoint struct{ X, Y float64 }

func dxName(v *staffView, in dx.Indicator) string {
	if v.Lang == "en" {
		return in.NameEN
	}
	return in.Name
}

func dxPick(v *staffView, vi, en string) string {
	if v.Lang == "en" && en != "" {
		return en
	}
	return vi
}

func dxFraction(v *staffView, in dx.Indicator, num, den *int64) string {
	if num == nil || den == nil {
		return ""
	}
	return fmt.Sprintf("%s / %s %s", dx.FormatNumber(float64(*num), 0, v.Lang), dx.FormatNumber(float64(*den), 0, v.Lang), dxPick(v, in.DenLabel, in.DenLabelEN))
}

func dxWhen(pt dx.Point) string {
	if pt.Month {
		return pt.At.In(calendar.Location).Format("01/2006")
	}
	return pt.At.In(calendar.Location).Format("02/01/2006")
}

func dxCardOf(v *staffView, c dx.Card, per dxPeriod) dxCard {
	in := c.Indicator
	out := dxCard{Key: in.Key, Name: dxName(v, in), Definition: dxPick(v, in.Definition, in.DefinitionEN), Basis: in.Basis,
		Computed: in.Kind == dx.Computed, Count: in.Unit == dx.Count, HasValue: c.Current.OK}
	if c.Current.OK {
		out.Value = dx.FormatValue(c.Current.Value, in.Unit, v.Lang)
		out.Fraction = dxFraction(v, in, c.Current.Numerator, c.Current.Denominator)
	}
	if out.Computed {
		out.AsOf = per.FromVN + " – " + per.ToVN
		out.Source = v.T("dx.source_motcua")
	} else if c.Latest != nil {
		out.AsOf = c.Latest.Date().Format("02/01/2006")
		out.Source, out.Note = c.Latest.Source, c.Latest.Note
	}
	if c.Target.Value > 0 {
		out.HasTarget, out.Met, out.OwnTarget = true, c.Met, c.Target.Own
		out.Target = dx.FormatValue(c.Target.Value, in.Unit, v.Lang)
		out.TargetSource = c.Target.Source
		if c.Current.OK && !c.Met {
			gap := c.Target.Value - c.Current.Value
			if in.Unit == dx.Percent {
				out.Gap = dx.FormatNumber(gap, 2, v.Lang)
			} else {
				out.Gap = dx.FormatNumber(gap, 0, v.Lang)
			}
		}
	}
	out.Direction = c.Direction
	if c.Direction == "up" || c.Direction == "down" {
		out.Change = dx.FormatNumber(math.Abs(c.Change), 2, v.Lang)
	}
	for _, pt := range c.Trend {
		row := dxTrendRow{When: dxWhen(pt), HasValue: pt.OK}
		if pt.OK {
			row.Value = dx.FormatValue(pt.Value, in.Unit, v.Lang)
			row.Fraction = dxFraction(v, in, pt.Numerator, pt.Denominator)
		}
		out.Rows = append(out.Rows, row)
	}
	out.Chart = dxChartOf(v, in, c)
	return out
}

// dxChartOf lays the trend out in a 320×120 box: x by date (months evenly,
// dated figures by their dates), y from 0 to 100% (or to a round count),
// gaps where a month has no data.
func dxChartOf(v *staffView, in dx.Indicator, c dx.Card) dxChart {
	ch := dxChart{ID: "chart-" + in.Key, W: 320, H: 128, Left: 44, Right: 310, Top: 10, Bottom: 100}
	ch.LabelY, ch.TextBase = 120, 4
	name := dxName(v, in)
	ch.Title = fmt.Sprintf(v.T("dx.chart_title"), name)
	yMax := 100.0
	if in.Unit == dx.Count {
		yMax = 0
		for _, pt := range c.Trend {
			yMax = math.Max(yMax, pt.Value)
		}
		yMax = math.Max(yMax, c.Target.Value)
		yMax = niceCeil(yMax)
	}
	ch.YMaxLabel = dx.FormatValue(yMax, in.Unit, v.Lang)
	ch.YMidLabel = dx.FormatValue(yMax/2, in.Unit, v.Lang)
	y := func(val float64) float64 { return round1(ch.Bottom - (ch.Bottom-ch.Top)*val/yMax) }
	ch.YMaxY, ch.MidY = ch.Top, y(yMax/2)
	if c.Target.Value > 0 {
		ch.HasTarget, ch.TargetY = true, y(c.Target.Value)
	}
	pts := c.Trend
	if len(pts) == 0 {
		ch.Empty = true
		ch.Desc = v.T("dx.no_data")
		return ch
	}
	ch.FirstX, ch.LastX = dxWhen(pts[0]), dxWhen(pts[len(pts)-1])
	first, last := pts[0].At, pts[len(pts)-1].At
	x := func(i int, at time.Time) float64 {
		switch {
		case len(pts) == 1:
			return (ch.Left + ch.Right) / 2
		case pts[0].Month:
			return round1(ch.Left + (ch.Right-ch.Left)*float64(i)/float64(len(pts)-1))
		}
		return round1(ch.Left + (ch.Right-ch.Left)*at.Sub(first).Hours()/last.Sub(first).Hours())
	}
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			ch.Segments = append(ch.Segments, strings.Join(seg, " "))
		}
		seg = nil
	}
	var ok int
	for i, pt := range pts {
		if !pt.OK {
			flush()
			continue
		}
		ok++
		px, py := x(i, pt.At), y(pt.Value)
		seg = append(seg, fmt.Sprintf("%g,%g", px, py))
		ch.Points = append(ch.Points, dxChartPoint{px, py})
	}
	flush()
	if ok == 0 {
		ch.Empty = true
	}
	ch.Desc = fmt.Sprintf(v.T("dx.chart_desc"), ok, ch.FirstX, ch.LastX)
	return ch
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// niceCeil rounds a count up to 1, 2 or 5 times a power of ten.
func niceCeil(f float64) float64 {
	if f <= 0 {
		return 10
	}
	p := math.Pow(10, math.Floor(math.Log10(f)))
	for _, m := range []float64{1, 2, 5, 10} {
		if f <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// dxHistRow is one entry in an indicator's history.
type dxHistRow struct {
	AsOf, Value, Fraction, Source, Note, By, At string
	Imported                                    bool
}

func dxHistRowOf(v *staffView, in dx.Indicator, e *dx.Entry) dxHistRow {
	return dxHistRow{AsOf: e.Date().Format("02/01/2006"), Value: dx.FormatValue(e.Value, in.Unit, v.Lang), Fraction: dxFraction(v, in, e.Numerator, e.Denominator),
		Source: e.Source, Note: e.Note, By: e.EnteredName, At: e.CreatedAt.In(calendar.Location).Format("15:04 02/01/2006"), Imported: e.ImportID != ""}
}

// dxTeams is the community digital teams panel.
type dxTeams struct {
	Rows                                               []dx.VillageTeam
	Centre                                             dx.VillageTeam
	Teams, Active, Members, Sessions, People, Dossiers string
	Villages                                           int
}

func dxTeamsOf(v *staffView, t *dx.Teams) dxTeams {
	n := func(x int64) string { return dx.FormatNumber(float64(x), 0, v.Lang) }
	return dxTeams{Rows: t.Villages, Centre: t.Centre, Teams: n(t.TeamCount), Active: n(t.ActiveTeams), Members: n(t.Members),
		Sessions: n(t.Sessions), People: n(t.People), Dossiers: n(t.Dossiers), Villages: len(t.Villages)}
}

// dxIndicatorRef names an entered indicator for the import page.
type dxIndicatorRef struct{ Key, Name, Unit, Definition string }

func dxEnteredList(v *staffView) []dxIndicatorRef {
	var out []dxIndicatorRef
	for _, in := range dx.Indicators {
		if in.Kind != dx.Entered {
			continue
		}
		unit := v.T("dx.unit_percent")
		if in.Unit == dx.Count {
			unit = v.T("dx.unit_count")
		}
		out = append(out, dxIndicatorRef{Key: in.Key, Name: dxName(v, in), Unit: unit, Definition: dxPick(v, in.Definition, in.DefinitionEN)})
	}
	return out
}

func init() {
	// dxArgs hands a sub-template the translator and one card.
	funcs["dxArgs"] = func(t any, c any) map[string]any { return map[string]any{"T": t, "C": c} }
}
