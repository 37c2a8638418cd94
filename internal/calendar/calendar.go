// Package calendar is motcua's working calendar for Vietnam: which days are
// working days for civil servants (weekends, the Labor Code holidays,
// compensatory days off, swapped working Saturdays, the official yearly
// schedules), the Vietnamese lunar calendar at UTC+7, and the arithmetic that
// turns a receipt time and a legal processing time into a promised date.
//
// All arithmetic happens in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
package calendar

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // a commune PC may have no zoneinfo
)

// Location is Vietnam's time zone.
var Location = loadLocation()

func loadLocation() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}

// Clock is a time of day, in minutes after midnight.
type Clock int

// ParseClock reads "HH:MM".
func ParseClock(s string) (Clock, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(s) != 5 {
		return 0, fmt.Errorf("calendar: %q is not a time of day HH:MM", s)
	}
	return Clock(h*60 + m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Period is one stretch of office hours within a day.
type Period struct{ Start, End Clock }

// Config sets the office's hours and rules.
type Config struct {
	// Office hours, in order, e.g. 07:30–11:30 and 13:00–17:00.
	Office []Period
	// Cutoff: a dossier received at or after this time counts as received
	// on the next working day (15:00 by the one-stop rules).
	Cutoff Clock
	// CultureDay makes 24/11 (Ngày Văn hóa Việt Nam, pending in law) a
	// holiday in years without an official schedule.
	CultureDay bool
}

// DefaultConfig is a commune centre's usual week: 07:30–11:30, 13:00–17:00,
// cut-off 15:00.
func DefaultConfig() Config {
	return Config{
		Office: []Period{{Start: 7*60 + 30, End: 11*60 + 30}, {Start: 13 * 60, End: 17 * 60}},
		Cutoff: 15 * 60,
	}
}

// ParseOffice reads office hours written "07:30-11:30,13:00-17:00".
func ParseOffice(s string) ([]Period, error) {
	var ps []Period
	var prev Clock = -1
	for _, part := range splitComma(s) {
		if len(part) != 11 || part[5] != '-' {
			return nil, fmt.Errorf("calendar: office hours %q: each period is HH:MM-HH:MM", s)
		}
		a, err := ParseClock(part[:5])
		if err != nil {
			return nil, err
		}
		b, err := ParseClock(part[6:])
		if err != nil {
			return nil, err
		}
		if b <= a || a <= prev {
			return nil, fmt.Errorf("calendar: office hours %q: periods must be in order and not overlap", s)
		}
		ps = append(ps, Period{a, b})
		prev = b
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("calendar: office hours are empty")
	}
	return ps, nil
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if p := trimSpace(s[start:i]); p != "" {
				out = append(out, p)
			}
			start = i + 1
		}
	}
	return out
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// Calendar answers working-day questions. It is safe for concurrent use;
// SetOfficial swaps a year's schedule in while others read.
type Calendar struct {
	state atomic.Pointer[state]
	mu    sync.Mutex // serialises SetOfficial and SetConfig
}

// state is replaced whole when a schedule or the office hours change, so
// that readers never see a half-changed calendar.
type state struct {
	cfg      Config
	official map[int]Schedule
	years    sync.Map // int → *yearTable
}

// yearTable is one year's days, computed once.
type yearTable struct {
	year     int
	firstJD  int
	off      []bool // by day of year: not a working day
	days     []Day
	official bool
	source   string
}

// New returns a calendar with the given configuration and official schedules.
func New(cfg Config, official ...Schedule) (*Calendar, error) {
	if len(cfg.Office) == 0 {
		return nil, fmt.Errorf("calendar: no office hours")
	}
	if cfg.Cutoff <= 0 {
		cfg.Cutoff = 15 * 60
	}
	c := &Calendar{}
	st := &state{cfg: cfg, official: map[int]Schedule{}}
	for _, s := range official {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		st.official[s.Year] = s
	}
	c.state.Store(st)
	return c, nil
}

// Config returns the calendar's configuration.
func (c *Calendar) Config() Config { return c.state.Load().cfg }

// SetConfig changes the office hours, cut-off and 24/11 switch.
func (c *Calendar) SetConfig(cfg Config) error {
	if len(cfg.Office) == 0 {
		return fmt.Errorf("calendar: no office hours")
	}
	if cfg.Cutoff <= 0 {
		cfg.Cutoff = 15 * 60
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state.Store(&state{cfg: cfg, official: c.state.Load().official})
	return nil
}

// SetOfficial installs (or replaces) a year's official schedule.
func (c *Calendar) SetOfficial(s Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.state.Load()
	st := &state{cfg: old.cfg, official: make(map[int]Schedule, len(old.official)+1)}
	for y, o := range old.official {
		st.official[y] = o
	}
	st.official[s.Year] = s
	c.state.Store(st)
	return nil
}

// Official returns the official schedule of a year, if one is installed.
func (c *Calendar) Official(year int) (Schedule, bool) {
	s, ok := c.state.Load().official[year]
	return s, ok
}

// OfficialYears lists the years that have an official schedule.
func (c *Calendar) OfficialYears() []int {
	st := c.state.Load()
	ys := make([]int, 0, len(st.official))
	for y := range st.official {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

func (c *Calendar) table(year int) *yearTable {
	st := c.state.Load()
	if t, ok := st.years.Load(year); ok {
		return t.(*yearTable)
	}
	t := c.buildYear(st, year)
	actual, _ := st.years.LoadOrStore(year, t)
	return actual.(*yearTable)
}

func (c *Calendar) buildYear(st *state, year int) *yearTable {
	first := jdFromDate(1, 1, year)
	n := jdFromDate(1, 1, year+1) - first
	t := &yearTable{year: year, firstJD: first, off: make([]bool, n)}
	for i := range n {
		t.off[i] = isWeekend(weekdayOfJD(first + i))
	}
	if s, ok := st.official[year]; ok {
		t.official, t.source = true, s.Source
		t.days = append([]Day(nil), s.Days...)
		for i := range t.days {
			t.days[i].Projected = false
		}
	} else {
		t.days = ProjectRules(year, st.cfg.CultureDay)
		t.source = "Bộ luật Lao động 2019, Điều 111–112 (dự kiến theo quy tắc)"
	}
	sort.Slice(t.days, func(i, j int) bool { return t.days[i].Date < t.days[j].Date })
	for _, d := range t.days {
		jd, err := jdFromString(d.Date)
		if err != nil || jd < first || jd >= first+n {
			continue
		}
		t.off[jd-first] = d.Kind != SwappedWorkday
	}
	return t
}

// Holidays lists a year's holidays, compensatory days and swapped working
// days, in date order. Projected is true when no official schedule covers
// the year.
func (c *Calendar) Holidays(year int) []Day {
	return append([]Day(nil), c.table(year).days...)
}

// ScheduleSource says where a year's days come from.
func (c *Calendar) ScheduleSource(year int) (source string, official bool) {
	t := c.table(year)
	return t.source, t.official
}

// offJD reports whether the day number is not a working day.
func (c *Calendar) offJD(jd int) bool {
	dd, mm, yy := jdToDate(jd)
	_ = dd
	_ = mm
	t := c.table(yy)
	return t.off[jd-t.firstJD]
}

// IsWorkingDay reports whether the date of t (in Vietnam) is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return !c.offJD(jdOf(t))
}

// DayInfo describes one date: whether it is a working day and why not.
func (c *Calendar) DayInfo(t time.Time) (working bool, listed *Day) {
	jd := jdOf(t)
	yt := c.table(yearOfJD(jd))
	s := jdString(jd)
	for i := range yt.days {
		if yt.days[i].Date == s {
			d := yt.days[i]
			return !yt.off[jd-yt.firstJD], &d
		}
	}
	return !yt.off[jd-yt.firstJD], nil
}

func yearOfJD(jd int) int {
	_, _, y := jdToDate(jd)
	return y
}

// jdOf is the day number of t's date in Vietnam.
func jdOf(t time.Time) int {
	v := t.In(Location)
	return jdFromDate(v.Day(), int(v.Month()), v.Year())
}

// at returns the instant of a clock time on a day number, in Vietnam.
func at(jd int, c Clock) time.Time {
	d, m, y := jdToDate(jd)
	return time.Date(y, time.Month(m), d, int(c)/60, int(c)%60, 0, 0, Location)
}

func clockOf(t time.Time) Clock {
	v := t.In(Location)
	return Clock(v.Hour()*60 + v.Minute())
}

func (c *Calendar) conf() *Config { return &c.state.Load().cfg }
func (c *Calendar) open() Clock   { return c.conf().Office[0].Start }
func (c *Calendar) close() Clock  { return c.conf().Office[len(c.conf().Office)-1].End }

// nextWorkingJD returns the first working day after jd.
func (c *Calendar) nextWorkingJD(jd int) int {
	jd++
	for c.offJD(jd) {
		jd++
	}
	return jd
}

// ReceivedDay returns the day a dossier received at t counts as received on:
// the same day, or — when t is on a non-working day or at or after the
// cut-off — the next working day.
func (c *Calendar) ReceivedDay(t time.Time) time.Time {
	return at(c.receivedJD(t), 0)
}

func (c *Calendar) receivedJD(t time.Time) int {
	jd := jdOf(t)
	if c.offJD(jd) || clockOf(t) >= c.conf().Cutoff {
		return c.nextWorkingJD(jd)
	}
	return jd
}

// AddWorkingDays returns the due time of a result promised n working days
// after receipt at t: counting starts the day after the day the dossier
// counts as received on; n = 0 (same-day procedures) is that day itself. The
// due time is the close of office hours on the due date.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	jd := c.receivedJD(t)
	for ; n > 0; n-- {
		jd = c.nextWorkingJD(jd)
	}
	return at(jd, c.close())
}

// AddCalendarDays returns the due time of a result promised n calendar days
// after receipt at t. Counting starts the day after the day of receipt; if
// the last day is not a working day the period ends on the next working day
// (Civil Code 2015, Art. 147–148).
func (c *Calendar) AddCalendarDays(t time.Time, n int) time.Time {
	jd := c.receivedJD(t) + n
	if c.offJD(jd) {
		jd = c.nextWorkingJD(jd)
	}
	return at(jd, c.close())
}

// AddWorkingHours returns the time n working hours after receipt at t,
// counting office hours only. A dossier received on a non-working day or
// after the cut-off starts counting when the office opens on the next
// working day.
func (c *Calendar) AddWorkingHours(t time.Time, n int) time.Time {
	return c.AddWorkingMinutes(t, n*60)
}

// AddWorkingMinutes is AddWorkingHours in minutes.
func (c *Calendar) AddWorkingMinutes(t time.Time, minutes int) time.Time {
	jd := jdOf(t)
	cur := clockOf(t)
	if rj := c.receivedJD(t); rj != jd {
		jd, cur = rj, c.open()
	}
	for {
		for _, p := range c.conf().Office {
			if cur >= p.End {
				continue
			}
			if cur < p.Start {
				cur = p.Start
			}
			avail := int(p.End - cur)
			if minutes <= avail {
				return at(jd, cur+Clock(minutes))
			}
			minutes -= avail
			cur = p.End
		}
		jd = c.nextWorkingJD(jd)
		cur = c.open()
	}
}

// ShiftWorkingMinutes moves t forward by minutes of office time, without
// the receipt rules: a due date moved by the time a dossier waited for the
// citizen keeps its place in the working day.
func (c *Calendar) ShiftWorkingMinutes(t time.Time, minutes int) time.Time {
	if minutes <= 0 {
		return t
	}
	jd := jdOf(t)
	cur := clockOf(t)
	if c.offJD(jd) {
		jd, cur = c.nextWorkingJD(jd), c.open()
	}
	for {
		for _, p := range c.conf().Office {
			if cur >= p.End {
				continue
			}
			if cur < p.Start {
				cur = p.Start
			}
			avail := int(p.End - cur)
			if minutes <= avail {
				return at(jd, cur+Clock(minutes))
			}
			minutes -= avail
			cur = p.End
		}
		jd = c.nextWorkingJD(jd)
		cur = c.open()
	}
}

// WorkingMinutesBetween counts office minutes on working days in [a, b).
// It is used for step deadlines and to move a due date by the time a
// dossier waited for a supplement.
func (c *Calendar) WorkingMinutesBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	ja, jb := jdOf(a), jdOf(b)
	total := 0
	for jd := ja; jd <= jb; jd++ {
		if c.offJD(jd) {
			continue
		}
		lo, hi := Clock(0), Clock(24*60)
		if jd == ja {
			lo = clockOf(a)
		}
		if jd == jb {
			hi = clockOf(b)
		}
		for _, p := range c.conf().Office {
			s, e := max(p.Start, lo), min(p.End, hi)
			if e > s {
				total += int(e - s)
			}
		}
	}
	return total
}

// Unit is the unit of a legal processing time.
type Unit string

// Units of processing time, as in the national DonViTinh field.
const (
	WorkingDays  Unit = "working_days"
	WorkingHours Unit = "working_hours"
	CalendarDays Unit = "calendar_days"
)

// Duration is a legal processing time: a number and its unit.
type Duration struct {
	Value int  `json:"value"`
	Unit  Unit `json:"unit"`
}

// Valid reports whether the duration is well-formed.
func (d Duration) Valid() error {
	if d.Value < 0 {
		return fmt.Errorf("value %d is negative", d.Value)
	}
	switch d.Unit {
	case WorkingDays, WorkingHours, CalendarDays:
		return nil
	}
	return fmt.Errorf("unit %q must be working_days, working_hours or calendar_days", d.Unit)
}

// String says the duration in Vietnamese.
func (d Duration) String() string {
	switch d.Unit {
	case WorkingDays:
		if d.Value == 0 {
			return "Trong ngày"
		}
		return fmt.Sprintf("%d ngày làm việc", d.Value)
	case WorkingHours:
		return fmt.Sprintf("%d giờ làm việc", d.Value)
	case CalendarDays:
		return fmt.Sprintf("%d ngày", d.Value)
	}
	return fmt.Sprintf("%d %s", d.Value, d.Unit)
}

// English says the duration in English.
func (d Duration) English() string {
	switch d.Unit {
	case WorkingDays:
		if d.Value == 0 {
			return "Same day"
		}
		return fmt.Sprintf("%d working days", d.Value)
	case WorkingHours:
		return fmt.Sprintf("%d working hours", d.Value)
	case CalendarDays:
		return fmt.Sprintf("%d days", d.Value)
	}
	return fmt.Sprintf("%d %s", d.Value, d.Unit)
}

// Due returns when a result is due for a dossier received at t.
func (c *Calendar) Due(t time.Time, d Duration) (time.Time, error) {
	if err := d.Valid(); err != nil {
		return time.Time{}, fmt.Errorf("calendar: %w", err)
	}
	switch d.Unit {
	case WorkingHours:
		return c.AddWorkingHours(t, d.Value), nil
	case CalendarDays:
		return c.AddCalendarDays(t, d.Value), nil
	default:
		return c.AddWorkingDays(t, d.Value), nil
	}
}
