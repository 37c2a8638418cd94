package calendar

import (
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/data"
)

func shipped(t testing.TB) []Schedule {
	t.Helper()
	s, err := LoadSchedules(data.FS, "calendar")
	if err != nil {
		t.Fatal(err)
	}
	if len(s) < 2 {
		t.Fatalf("shipped schedules: %d, want 2025 and 2026", len(s))
	}
	return s
}

func newCal(t testing.TB) *Calendar {
	t.Helper()
	c, err := New(DefaultConfig(), shipped(t)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func vn(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Location)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLunarKnownDates(t *testing.T) {
	tests := []struct {
		solar string
		want  LunarDate
	}{
		{"2026-02-17", LunarDate{1, 1, 2026, false}}, // Tết Bính Ngọ
		{"2026-02-16", LunarDate{29, 12, 2025, false}},
		{"2025-01-29", LunarDate{1, 1, 2025, false}},
		{"2024-02-10", LunarDate{1, 1, 2024, false}},
		{"2027-02-06", LunarDate{1, 1, 2027, false}},
		{"2028-01-26", LunarDate{1, 1, 2028, false}},
		{"2026-04-26", LunarDate{10, 3, 2026, false}}, // Giỗ Tổ
		{"2025-04-07", LunarDate{10, 3, 2025, false}},
		// Years where Vietnam (UTC+7) and China (UTC+8) disagree.
		{"1985-01-21", LunarDate{1, 1, 1985, false}}, // China: 1985-02-20, a month later
		{"2007-02-17", LunarDate{1, 1, 2007, false}}, // China: 2007-02-18
		{"1968-01-29", LunarDate{1, 1, 1968, false}}, // China: 1968-01-30
		// Leap months.
		{"2023-03-22", LunarDate{1, 2, 2023, true}},
		{"2020-05-23", LunarDate{1, 4, 2020, true}},
		{"2025-07-25", LunarDate{1, 6, 2025, true}},
	}
	for _, tc := range tests {
		d, _ := time.Parse(time.DateOnly, tc.solar)
		got := SolarToLunar(d.Day(), int(d.Month()), d.Year())
		if got != tc.want {
			t.Errorf("SolarToLunar(%s) = %v, want %v", tc.solar, got, tc.want)
		}
		dd, mm, yy, ok := LunarToSolar(tc.want)
		if !ok || dd != d.Day() || mm != int(d.Month()) || yy != d.Year() {
			t.Errorf("LunarToSolar(%v) = %d-%d-%d %v, want %s", tc.want, yy, mm, dd, ok, tc.solar)
		}
	}
}

func TestChineseCalendarDiffers(t *testing.T) {
	// Tết by the Chinese (UTC+8) calendar in these years; a library built for
	// China would give these dates, which are wrong for Vietnam.
	chinese := map[int]string{1985: "1985-02-20", 2007: "2007-02-18", 1968: "1968-01-30"}
	for y, cn := range chinese {
		days := ProjectRules(y, false)
		var tet string
		for _, d := range days {
			if d.Name == "Tết Nguyên đán (mùng 1)" {
				tet = d.Date
			}
		}
		if tet == "" || tet == cn {
			t.Errorf("%d: Tết = %q, must differ from the Chinese %s", y, tet, cn)
		}
	}
}

func TestLeapMonths(t *testing.T) {
	want := map[int]int{2020: 4, 2023: 2, 2024: 0, 2025: 6, 2026: 0, 2028: 5, 2033: 11}
	for y, m := range want {
		if got := LeapMonth(y); got != m {
			t.Errorf("LeapMonth(%d) = %d, want %d", y, got, m)
		}
	}
	if _, _, _, ok := LunarToSolar(LunarDate{1, 3, 2023, true}); ok {
		t.Error("2023 has no leap month 3")
	}
	if _, _, _, ok := LunarToSolar(LunarDate{30, 12, 2025, false}); ok {
		t.Error("month 12 of 2025 has 29 days; day 30 must not exist")
	}
}

// Every solar day from 1900 to 2199 converts to a lunar date and back.
func TestLunarRoundTrip(t *testing.T) {
	start := jdFromDate(1, 1, MinYear)
	end := jdFromDate(31, 12, MaxYear)
	step := 1
	if testing.Short() {
		step = 7
	}
	for jd := start; jd <= end; jd += step {
		d, m, y := jdToDate(jd)
		l := SolarToLunar(d, m, y)
		if l.Day < 1 || l.Day > 30 || l.Month < 1 || l.Month > 12 {
			t.Fatalf("%d-%d-%d → %v out of range", y, m, d, l)
		}
		d2, m2, y2, ok := LunarToSolar(l)
		if !ok || d2 != d || m2 != m || y2 != y {
			t.Fatalf("%d-%02d-%02d → %v → %d-%02d-%02d (%v)", y, m, d, l, y2, m2, d2, ok)
		}
	}
}

func TestOfficialSchedules(t *testing.T) {
	c := newCal(t)
	nonWorking := []string{
		"2025-01-01", "2025-01-27", "2025-01-31", "2025-04-07", "2025-04-30", "2025-05-02", "2025-09-01", "2025-09-02",
		"2026-01-01", "2026-01-02", "2026-02-16", "2026-02-20", "2026-04-27", "2026-04-30", "2026-05-01",
		"2026-08-31", "2026-09-01", "2026-09-02",
		"2026-02-14", "2026-02-22", // weekends inside the Tết break
	}
	for _, d := range nonWorking {
		if c.IsWorkingDay(vn(d + " 09:00")) {
			t.Errorf("%s must not be a working day", d)
		}
	}
	working := []string{
		"2025-04-26", "2026-01-10", "2026-08-22", // swapped working Saturdays
		"2025-02-03", "2026-02-23", "2026-04-28", "2026-09-03",
	}
	for _, d := range working {
		if !c.IsWorkingDay(vn(d + " 09:00")) {
			t.Errorf("%s must be a working day", d)
		}
	}
	for _, y := range []int{2025, 2026} {
		for _, d := range c.Holidays(y) {
			if d.Projected {
				t.Errorf("%d has an official schedule; %s must not be projected", y, d.Date)
			}
		}
	}
	kinds := map[string]Kind{}
	for _, d := range c.Holidays(2026) {
		kinds[d.Date] = d.Kind
	}
	if kinds["2026-01-10"] != SwappedWorkday || kinds["2026-04-27"] != Compensatory || kinds["2026-02-17"] != Holiday {
		t.Errorf("2026 kinds wrong: %v", kinds)
	}
}

func TestProjectedYear(t *testing.T) {
	c := newCal(t)
	days := c.Holidays(2027)
	if len(days) == 0 {
		t.Fatal("no days projected for 2027")
	}
	byDate := map[string]Day{}
	for _, d := range days {
		if !d.Projected {
			t.Errorf("2027 has no official schedule; %s must be marked projected", d.Date)
		}
		byDate[d.Date] = d
	}
	// 1/5/2027 is a Saturday: compensatory Monday 3/5.
	if byDate["2027-05-03"].Kind != Compensatory {
		t.Errorf("2027-05-03 must be a compensatory day: %v", byDate["2027-05-03"])
	}
	// Tết 2027: mùng 1 is Saturday 6/2; its eve Friday 5/2 and mùng 2–4 are
	// holidays, and the weekend days are made up on Wednesday and Thursday.
	for _, d := range []string{"2027-02-05", "2027-02-06", "2027-02-09", "2027-02-10", "2027-02-11"} {
		if c.IsWorkingDay(vn(d + " 09:00")) {
			t.Errorf("%s must be off", d)
		}
	}
	if !c.IsWorkingDay(vn("2027-02-12 09:00")) {
		t.Error("2027-02-12 must be a working day")
	}
	if _, ok := byDate["2027-11-24"]; ok {
		t.Error("24/11 is pending in law and must be off by default")
	}
}

func TestCultureDaySwitch(t *testing.T) {
	cfg := DefaultConfig()
	cfg.CultureDay = true
	c, err := New(cfg, shipped(t)...)
	if err != nil {
		t.Fatal(err)
	}
	if c.IsWorkingDay(vn("2027-11-24 09:00")) {
		t.Error("with the switch on, 24/11/2027 must be a holiday")
	}
	// An official schedule is authoritative for its year.
	if !c.IsWorkingDay(vn("2026-11-24 09:00")) {
		t.Error("2026 has an official schedule without 24/11; it must stay a working day")
	}
}

func TestSetOfficialOverridesProjection(t *testing.T) {
	c := newCal(t)
	s := Schedule{Year: 2027, Source: "Thông báo thử nghiệm", Days: []Day{
		{Date: "2027-01-01", Name: "Tết Dương lịch", Kind: Holiday},
		{Date: "2027-01-09", Name: "Làm bù", Kind: SwappedWorkday},
	}}
	if err := c.SetOfficial(s); err != nil {
		t.Fatal(err)
	}
	if !c.IsWorkingDay(vn("2027-01-09 09:00")) {
		t.Error("the loaded swapped Saturday must be a working day")
	}
	if !c.IsWorkingDay(vn("2027-05-03 09:00")) {
		t.Error("the official schedule replaces the projection: 3/5/2027 is no longer a compensatory day")
	}
	for _, d := range c.Holidays(2027) {
		if d.Projected {
			t.Errorf("%s still projected", d.Date)
		}
	}
	if src, official := c.ScheduleSource(2027); !official || src != s.Source {
		t.Errorf("source = %q %v", src, official)
	}
}

func TestScheduleValidation(t *testing.T) {
	bad := map[string]string{
		"wrong year":   `{"year":2027,"source":"x","days":[{"date":"2026-01-01","name":"a","kind":"holiday"}]}`,
		"bad kind":     `{"year":2027,"source":"x","days":[{"date":"2027-01-01","name":"a","kind":"party"}]}`,
		"twice":        `{"year":2027,"source":"x","days":[{"date":"2027-01-01","name":"a","kind":"holiday"},{"date":"2027-01-01","name":"b","kind":"holiday"}]}`,
		"weekday swap": `{"year":2027,"source":"x","days":[{"date":"2027-01-04","name":"a","kind":"swapped_workday"}]}`,
		"no source":    `{"year":2027,"days":[]}`,
		"bad date":     `{"year":2027,"source":"x","days":[{"date":"1/1/2027","name":"a","kind":"holiday"}]}`,
		"unknown key":  `{"year":2027,"source":"x","dayz":[]}`,
	}
	for name, js := range bad {
		if _, err := ParseSchedule([]byte(js)); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestWorkingDayArithmetic(t *testing.T) {
	c := newCal(t)
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"the issue's example: Friday before Tết 2026", "2026-02-13 10:00", 3, "2026-02-25 17:00"},
		{"same day before 15:00", "2026-03-10 14:59", 0, "2026-03-10 17:00"},
		{"same day at 15:00 moves to the next working day", "2026-03-10 15:00", 0, "2026-03-11 17:00"},
		{"after 15:00 on a Friday", "2026-03-13 16:30", 0, "2026-03-16 17:00"},
		{"received on a Sunday", "2026-03-15 09:00", 1, "2026-03-17 17:00"},
		{"counting starts the day after receipt", "2026-03-10 08:00", 1, "2026-03-11 17:00"},
		{"30/4 and 1/5 2026", "2026-04-29 10:00", 1, "2026-05-04 17:00"},
		{"swapped working Saturday 22/8/2026 counts", "2026-08-21 10:00", 1, "2026-08-22 17:00"},
		{"Quốc khánh 2026", "2026-08-28 10:00", 1, "2026-09-03 17:00"},
		{"received on a swapped Saturday", "2026-01-10 09:00", 0, "2026-01-10 17:00"},
		{"Giỗ Tổ compensatory day", "2026-04-24 09:00", 1, "2026-04-28 17:00"},
		{"across Tết 2025", "2025-01-24 09:00", 2, "2025-02-04 17:00"},
		{"2025 swap: 2/5 off, 26/4 on", "2025-04-25 09:00", 1, "2025-04-26 17:00"},
		{"7 working days", "2026-11-27 09:00", 7, "2026-12-08 17:00"},
		{"a UTC time is read in Vietnam", "2026-03-10 14:30", 0, "2026-03-10 17:00"},
	}
	for _, tc := range tests {
		got := c.AddWorkingDays(vn(tc.from), tc.n)
		if want := vn(tc.want); !got.Equal(want) {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", tc.name, tc.from, tc.n, got.Format(time.RFC3339), want.Format(time.RFC3339))
		}
	}
	// The same instant given in UTC.
	utc := vn("2026-03-10 15:30").UTC()
	if got := c.AddWorkingDays(utc, 0); !got.Equal(vn("2026-03-11 17:00")) {
		t.Errorf("UTC input: %s", got)
	}
}

func TestWorkingHours(t *testing.T) {
	c := newCal(t)
	tests := []struct {
		from string
		h    int
		want string
	}{
		{"2026-03-09 10:00", 8, "2026-03-10 10:00"},
		{"2026-03-09 10:00", 1, "2026-03-09 11:00"},
		{"2026-03-09 11:00", 1, "2026-03-09 13:30"},
		{"2026-03-09 12:00", 2, "2026-03-09 15:00"}, // lunch break: counting starts at 13:00
		{"2026-03-09 15:10", 2, "2026-03-10 09:30"}, // after the cut-off
		{"2026-03-14 10:00", 4, "2026-03-16 11:30"}, // Saturday
		{"2026-02-13 14:00", 8, "2026-02-23 14:00"}, // 3 h on Friday, Tết, 5 h on Monday
	}
	for _, tc := range tests {
		if got := c.AddWorkingHours(vn(tc.from), tc.h); !got.Equal(vn(tc.want)) {
			t.Errorf("AddWorkingHours(%s, %d) = %s, want %s", tc.from, tc.h, got.In(Location).Format("2006-01-02 15:04"), tc.want)
		}
	}
}

func TestCalendarDays(t *testing.T) {
	c := newCal(t)
	// 2 days after Friday 24/4/2026 is Sunday 26/4 (Giỗ Tổ); Monday is its
	// compensatory day, so the period ends on Tuesday.
	if got := c.AddCalendarDays(vn("2026-04-24 09:00"), 2); !got.Equal(vn("2026-04-28 17:00")) {
		t.Errorf("AddCalendarDays = %s", got)
	}
	if got := c.AddCalendarDays(vn("2026-03-02 09:00"), 15); !got.Equal(vn("2026-03-17 17:00")) {
		t.Errorf("AddCalendarDays 15 = %s", got)
	}
}

func TestDue(t *testing.T) {
	c := newCal(t)
	got, err := c.Due(vn("2026-02-13 10:00"), Duration{3, WorkingDays})
	if err != nil || !got.Equal(vn("2026-02-25 17:00")) {
		t.Errorf("Due = %s, %v", got, err)
	}
	if _, err := c.Due(vn("2026-02-13 10:00"), Duration{3, "weeks"}); err == nil {
		t.Error("unknown unit must be an error")
	}
	if _, err := c.Due(vn("2026-02-13 10:00"), Duration{-1, WorkingDays}); err == nil {
		t.Error("negative duration must be an error")
	}
}

func TestWorkingMinutesBetween(t *testing.T) {
	c := newCal(t)
	if got := c.WorkingMinutesBetween(vn("2026-03-09 10:00"), vn("2026-03-10 10:00")); got != 8*60 {
		t.Errorf("one working day = %d minutes, want 480", got)
	}
	if got := c.WorkingMinutesBetween(vn("2026-02-13 17:00"), vn("2026-02-23 07:30")); got != 0 {
		t.Errorf("across Tết = %d, want 0", got)
	}
	if got := c.WorkingMinutesBetween(vn("2026-03-10 10:00"), vn("2026-03-09 10:00")); got != 0 {
		t.Errorf("reversed = %d", got)
	}
}

func TestParseOffice(t *testing.T) {
	p, err := ParseOffice("07:00-11:30, 13:30-17:00")
	if err != nil || len(p) != 2 || p[1].Start != 13*60+30 {
		t.Fatalf("ParseOffice = %v, %v", p, err)
	}
	for _, bad := range []string{"", "7:00-11:00", "11:00-07:00", "07:00-12:00,11:00-17:00", "25:00-26:00"} {
		if _, err := ParseOffice(bad); err == nil {
			t.Errorf("ParseOffice(%q) must fail", bad)
		}
	}
}

func TestDurationText(t *testing.T) {
	if s := (Duration{0, WorkingDays}).String(); s != "Trong ngày" {
		t.Error(s)
	}
	if s := (Duration{3, WorkingDays}).String(); !strings.Contains(s, "ngày làm việc") {
		t.Error(s)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := newCal(b)
	from := vn("2026-02-13 10:00")
	c.AddWorkingDays(from, 3)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.AddWorkingDays(from, 3)
	}
}

func BenchmarkDue15WorkingDays(b *testing.B) {
	c := newCal(b)
	from := vn("2026-04-20 16:00")
	d := Duration{15, WorkingDays}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Due(from, d)
	}
}

func TestShiftWorkingMinutes(t *testing.T) {
	c := newCal(t)
	tests := []struct {
		from string
		m    int
		want string
	}{
		{"2026-03-10 17:00", 0, "2026-03-10 17:00"},
		{"2026-03-10 17:00", 480, "2026-03-11 17:00"},
		{"2026-03-10 17:00", 30, "2026-03-11 08:00"},
		{"2026-03-10 16:00", 120, "2026-03-11 08:30"},
		{"2026-02-13 17:00", 960, "2026-02-24 17:00"}, // Tết in between
	}
	for _, tc := range tests {
		if got := c.ShiftWorkingMinutes(vn(tc.from), tc.m); !got.Equal(vn(tc.want)) {
			t.Errorf("ShiftWorkingMinutes(%s, %d) = %s, want %s", tc.from, tc.m, got.In(Location).Format("2006-01-02 15:04"), tc.want)
		}
	}
}
