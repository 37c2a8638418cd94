package calendar

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Kind says what a listed day is.
type Kind string

// The kinds of listed days. A swapped day off (nghỉ hoán đổi), given in
// exchange for a swapped working Saturday, is listed as Compensatory with
// SwapWith naming that Saturday.
const (
	Holiday        Kind = "holiday"         // a public holiday (ngày nghỉ lễ, tết)
	Compensatory   Kind = "compensatory"    // nghỉ bù, or nghỉ hoán đổi (with SwapWith)
	SwappedWorkday Kind = "swapped_workday" // làm bù: a Saturday or Sunday that is a working day
)

// Day is one listed day of a year's schedule.
type Day struct {
	Date      string `json:"date"` // YYYY-MM-DD
	Name      string `json:"name"`
	NameEn    string `json:"name_en,omitempty"`
	Kind      Kind   `json:"kind"`
	Projected bool   `json:"projected"`
	// SwapWith names the day this one is exchanged with, for swaps.
	SwapWith string `json:"swap_with,omitempty"`
}

// Schedule is a year's official list of non-working and swapped working
// days for civil servants, as announced by the Ministry of Home Affairs.
// Official schedules are shipped for the years known when motcua was built,
// and an administrator loads new ones; a year without one is projected from
// the Labor Code rules.
type Schedule struct {
	Year   int    `json:"year"`
	Source string `json:"source"` // the announcement it is taken from
	Days   []Day  `json:"days"`
}

// ParseSchedule reads and validates a schedule in its JSON file format.
func ParseSchedule(b []byte) (Schedule, error) {
	var s Schedule
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("calendar: schedule: %w", err)
	}
	return s, s.Validate()
}

// Validate checks that a schedule is coherent: dates in its year, known
// kinds, no day listed twice, swapped working days on a weekend.
func (s Schedule) Validate() error {
	if s.Year < MinYear || s.Year > MaxYear {
		return fmt.Errorf("calendar: schedule year %d is outside %d–%d", s.Year, MinYear, MaxYear)
	}
	if strings.TrimSpace(s.Source) == "" {
		return fmt.Errorf("calendar: schedule %d: source is required (the announcement it comes from)", s.Year)
	}
	seen := map[string]bool{}
	for i, d := range s.Days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			return fmt.Errorf("calendar: schedule %d: days[%d].date %q is not YYYY-MM-DD", s.Year, i, d.Date)
		}
		if t.Year() != s.Year {
			return fmt.Errorf("calendar: schedule %d: days[%d].date %s is not in %d", s.Year, i, d.Date, s.Year)
		}
		if seen[d.Date] {
			return fmt.Errorf("calendar: schedule %d: %s is listed twice", s.Year, d.Date)
		}
		seen[d.Date] = true
		if strings.TrimSpace(d.Name) == "" {
			return fmt.Errorf("calendar: schedule %d: days[%d] (%s) has no name", s.Year, i, d.Date)
		}
		wd := t.Weekday()
		switch d.Kind {
		case Holiday, Compensatory:
		case SwappedWorkday:
			if wd != time.Saturday && wd != time.Sunday {
				return fmt.Errorf("calendar: schedule %d: %s is a %s; a swapped working day must be a Saturday or Sunday", s.Year, d.Date, wd)
			}
		default:
			return fmt.Errorf("calendar: schedule %d: days[%d].kind %q must be holiday, compensatory or swapped_workday", s.Year, i, d.Kind)
		}
		if d.SwapWith != "" {
			if _, err := time.Parse(time.DateOnly, d.SwapWith); err != nil {
				return fmt.Errorf("calendar: schedule %d: days[%d].swap_with %q is not YYYY-MM-DD", s.Year, i, d.SwapWith)
			}
		}
	}
	return nil
}

// ProjectRules lists a year's days from the Labor Code 2019 Art. 112 rules:
// Tết Dương lịch (1/1); Tết Âm lịch, 5 days (the last day of the lunar year
// and mùng 1–4); Giỗ Tổ Hùng Vương (10/3 âm lịch); 30/4; 1/5; Quốc khánh,
// 2/9 and the adjacent day that makes the longer break; and, when enabled,
// the pending 24/11 Ngày Văn hóa Việt Nam. A holiday on a Saturday or Sunday
// gives a compensatory day off on the next working day (Art. 111(3)).
func ProjectRules(year int, cultureDay bool) []Day {
	type hol struct {
		jd     int
		name   string
		nameEn string
	}
	var hs []hol
	add := func(d, m, y int, name, nameEn string) {
		hs = append(hs, hol{jdFromDate(d, m, y), name, nameEn})
	}
	add(1, 1, year, "Tết Dương lịch", "New Year's Day")

	if start, _, ok := lunarMonthStart(1, year, false); ok {
		// The day before mùng 1 is the last day of the old lunar year: 29 or
		// 30 tháng Chạp, depending on that month's length.
		_, lastLen, _ := lunarMonthStart(12, year-1, false)
		if LeapMonth(year-1) == 12 {
			_, lastLen, _ = lunarMonthStart(12, year-1, true)
		}
		hs = append(hs, hol{start - 1, fmt.Sprintf("Tết Nguyên đán (%d tháng Chạp)", lastLen), "Lunar New Year (eve)"})
		for i := 0; i < 4; i++ {
			hs = append(hs, hol{start + i, fmt.Sprintf("Tết Nguyên đán (mùng %d)", i+1), fmt.Sprintf("Lunar New Year (day %d)", i+1)})
		}
	}
	if d, m, y, ok := LunarToSolar(LunarDate{Day: 10, Month: 3, Year: year}); ok {
		add(d, m, y, "Giỗ Tổ Hùng Vương (10/3 âm lịch)", "Hung Kings' Commemoration Day")
	}
	add(30, 4, year, "Ngày Chiến thắng (30/4)", "Reunification Day")
	add(1, 5, year, "Ngày Quốc tế Lao động (1/5)", "International Labour Day")
	add(2, 9, year, "Quốc khánh (2/9)", "National Day")
	// The second National Day holiday is 1/9 or 3/9; the government picks the
	// one that joins a weekend: 3/9 when 2/9 is a Monday, Thursday or Sunday.
	switch weekdayOfJD(jdFromDate(2, 9, year)) {
	case time.Monday, time.Thursday, time.Sunday:
		add(3, 9, year, "Quốc khánh (3/9)", "National Day (second day)")
	default:
		add(1, 9, year, "Quốc khánh (1/9)", "National Day (second day)")
	}
	if cultureDay {
		add(24, 11, year, "Ngày Văn hóa Việt Nam (24/11)", "Vietnam Culture Day")
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].jd < hs[j].jd })

	off := map[int]bool{}
	for _, h := range hs {
		off[h.jd] = true
	}
	var days []Day
	for _, h := range hs {
		days = append(days, Day{Date: jdString(h.jd), Name: h.name, NameEn: h.nameEn, Kind: Holiday, Projected: true})
	}
	for _, h := range hs {
		wd := weekdayOfJD(h.jd)
		if wd != time.Saturday && wd != time.Sunday {
			continue
		}
		c := h.jd + 1
		for off[c] || isWeekend(weekdayOfJD(c)) {
			c++
		}
		off[c] = true
		days = append(days, Day{Date: jdString(c), Name: "Nghỉ bù " + h.name, NameEn: "Compensatory day off for " + h.nameEn, Kind: Compensatory, Projected: true})
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	return days
}

func isWeekend(wd time.Weekday) bool { return wd == time.Saturday || wd == time.Sunday }

// weekdayOfJD: Julian day 0 was a Monday.
func weekdayOfJD(jd int) time.Weekday { return time.Weekday((jd + 1) % 7) }

func jdString(jd int) string {
	d, m, y := jdToDate(jd)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

func jdFromString(s string) (int, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return jdFromDate(t.Day(), int(t.Month()), t.Year()), nil
}

// LoadSchedules reads every *.json schedule in dir of fsys (the shipped
// data/calendar directory, or an administrator's folder).
func LoadSchedules(fsys fs.FS, dir string) ([]Schedule, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("calendar: list schedules: %w", err)
	}
	var out []Schedule
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("calendar: read %s: %w", name, err)
		}
		s, err := ParseSchedule(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
}
