package calendar

import (
	"fmt"
	"math"
)

// The Vietnamese lunisolar calendar (âm lịch), computed for the meridian
// 105°E (UTC+7) as Vietnam has done since 1968. This is Hồ Ngọc Đức's
// published algorithm (after Jean Meeus, "Astronomical Algorithms"). A
// Chinese-calendar library computes new moons at UTC+8 and so puts some
// Vietnamese months — Tết 1985, Tết 2007 among them — on the wrong day.

// vnTimeZone is the offset, in hours, at which new moons are placed.
const vnTimeZone = 7.0

// MinYear and MaxYear bound the years the lunar conversion is checked for.
const (
	MinYear = 1900
	MaxYear = 2199
)

// LunarDate is a date of the Vietnamese lunar calendar. Year is the solar
// year in which the lunar year begins (Tết of 2026 starts lunar year 2026).
type LunarDate struct {
	Day       int  `json:"day"`
	Month     int  `json:"month"`
	Year      int  `json:"year"`
	LeapMonth bool `json:"leap_month"`
}

func (l LunarDate) String() string {
	leap := ""
	if l.LeapMonth {
		leap = " nhuận"
	}
	return fmt.Sprintf("%d/%d%s/%d âm lịch", l.Day, l.Month, leap, l.Year)
}

// jdFromDate returns the Julian day number of a Gregorian (or, before
// 15 October 1582, Julian) date.
func jdFromDate(dd, mm, yy int) int {
	a := (14 - mm) / 12
	y := yy + 4800 - a
	m := mm + 12*a - 3
	jd := dd + (153*m+2)/5 + 365*y + y/4 - y/100 + y/400 - 32045
	if jd < 2299161 {
		jd = dd + (153*m+2)/5 + 365*y + y/4 - 32083
	}
	return jd
}

// jdToDate is the inverse of jdFromDate.
func jdToDate(jd int) (dd, mm, yy int) {
	var b, c int
	if jd > 2299160 {
		a := jd + 32044
		b = (4*a + 3) / 146097
		c = a - (b*146097)/4
	} else {
		b = 0
		c = jd + 32082
	}
	d := (4*c + 3) / 1461
	e := c - (1461*d)/4
	m := (5*e + 2) / 153
	dd = e - (153*m+2)/5 + 1
	mm = m + 3 - 12*(m/10)
	yy = b*100 + d - 4800 + m/10
	return dd, mm, yy
}

// newMoon returns the Julian date (UTC, fractional) of the k-th new moon
// after the one of 1 January 1900.
func newMoon(k int) float64 {
	kf := float64(k)
	t := kf / 1236.85
	t2 := t * t
	t3 := t2 * t
	const dr = math.Pi / 180
	jd1 := 2415020.75933 + 29.53058868*kf + 0.0001178*t2 - 0.000000155*t3
	jd1 += 0.00033 * math.Sin((166.56+132.87*t-0.009173*t2)*dr)
	m := 359.2242 + 29.10535608*kf - 0.0000333*t2 - 0.00000347*t3
	mpr := 306.0253 + 385.81691806*kf + 0.0107306*t2 + 0.00001236*t3
	f := 21.2964 + 390.67050646*kf - 0.0016528*t2 - 0.00000239*t3
	c1 := (0.1734-0.000393*t)*math.Sin(m*dr) + 0.0021*math.Sin(2*dr*m)
	c1 = c1 - 0.4068*math.Sin(mpr*dr) + 0.0161*math.Sin(dr*2*mpr)
	c1 = c1 - 0.0004*math.Sin(dr*3*mpr)
	c1 = c1 + 0.0104*math.Sin(dr*2*f) - 0.0051*math.Sin(dr*(m+mpr))
	c1 = c1 - 0.0074*math.Sin(dr*(m-mpr)) + 0.0004*math.Sin(dr*(2*f+m))
	c1 = c1 - 0.0004*math.Sin(dr*(2*f-m)) - 0.0006*math.Sin(dr*(2*f+mpr))
	c1 = c1 + 0.0010*math.Sin(dr*(2*f-mpr)) + 0.0005*math.Sin(dr*(2*mpr+m))
	var deltat float64
	if t < -11 {
		deltat = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltat = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return jd1 + c1 - deltat
}

// sunLongitude returns the sun's apparent longitude, in radians in [0, 2π),
// at the Julian date jdn (UTC).
func sunLongitude(jdn float64) float64 {
	t := (jdn - 2451545.0) / 36525
	t2 := t * t
	const dr = math.Pi / 180
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2
	dl := (1.914600 - 0.004817*t - 0.000014*t2) * math.Sin(dr*m)
	dl += (0.019993-0.000101*t)*math.Sin(dr*2*m) + 0.000290*math.Sin(dr*3*m)
	l := (l0 + dl) * dr
	l -= math.Pi * 2 * math.Floor(l/(math.Pi*2))
	return l
}

// newMoonDay is the local day number of the k-th new moon.
func newMoonDay(k int) int {
	return int(math.Floor(newMoon(k) + 0.5 + vnTimeZone/24))
}

// sunSector is the sun's longitude at the start of a local day, as one of
// twelve 30° sectors (0 = spring equinox … 9 = winter solstice).
func sunSector(dayNumber int) int {
	return int(math.Floor(sunLongitude(float64(dayNumber)-0.5-vnTimeZone/24) / math.Pi * 6))
}

// lunarMonth11 returns the day number of the first day of lunar month 11 —
// the month holding the winter solstice — of solar year yy.
func lunarMonth11(yy int) int {
	off := jdFromDate(31, 12, yy) - 2415021
	k := int(math.Floor(float64(off) / 29.530588853))
	nm := newMoonDay(k)
	if sunSector(nm) >= 9 {
		nm = newMoonDay(k - 1)
	}
	return nm
}

// leapMonthOffset returns which month after month 11 (starting at a11) is the
// leap month: the first with no major solar term.
func leapMonthOffset(a11 int) int {
	k := int(math.Floor((float64(a11)-2415021.076998695)/29.530588853 + 0.5))
	i := 1
	arc := sunSector(newMoonDay(k + i))
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k + i))
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

// SolarToLunar converts a solar (Gregorian) date to the Vietnamese lunar date.
func SolarToLunar(dd, mm, yy int) LunarDate {
	dayNumber := jdFromDate(dd, mm, yy)
	k := int(math.Floor((float64(dayNumber) - 2415021.076998695) / 29.530588853))
	// The estimate k can be one lunation off near a new moon; step back
	// until the month starts on or before the day (the published algorithm
	// steps back once, which misses e.g. 7 May 2054).
	monthStart := newMoonDay(k + 1)
	for monthStart > dayNumber {
		k--
		monthStart = newMoonDay(k + 1)
	}
	a11 := lunarMonth11(yy)
	b11 := a11
	var lunarYear int
	if a11 >= monthStart {
		lunarYear = yy
		a11 = lunarMonth11(yy - 1)
	} else {
		lunarYear = yy + 1
		b11 = lunarMonth11(yy + 1)
	}
	lunarDay := dayNumber - monthStart + 1
	diff := (monthStart - a11) / 29
	leap := false
	lunarMonth := diff + 11
	if b11-a11 > 365 {
		leapDiff := leapMonthOffset(a11)
		if diff >= leapDiff {
			lunarMonth = diff + 10
			if diff == leapDiff {
				leap = true
			}
		}
	}
	if lunarMonth > 12 {
		lunarMonth -= 12
	}
	if lunarMonth >= 11 && diff < 4 {
		lunarYear--
	}
	return LunarDate{Day: lunarDay, Month: lunarMonth, Year: lunarYear, LeapMonth: leap}
}

// LunarToSolar converts a Vietnamese lunar date to a solar date. ok is false
// when the date does not exist (a leap month the year does not have, or a day
// beyond the month's length).
func LunarToSolar(l LunarDate) (dd, mm, yy int, ok bool) {
	if l.Month < 1 || l.Month > 12 || l.Day < 1 || l.Day > 30 {
		return 0, 0, 0, false
	}
	start, length, ok := lunarMonthStart(l.Month, l.Year, l.LeapMonth)
	if !ok || l.Day > length {
		return 0, 0, 0, false
	}
	dd, mm, yy = jdToDate(start + l.Day - 1)
	return dd, mm, yy, true
}

// lunarMonthStart returns the day number on which a lunar month begins and
// how many days it has.
func lunarMonthStart(month, year int, leap bool) (start, length int, ok bool) {
	var a11, b11 int
	if month < 11 {
		a11 = lunarMonth11(year - 1)
		b11 = lunarMonth11(year)
	} else {
		a11 = lunarMonth11(year)
		b11 = lunarMonth11(year + 1)
	}
	k := int(math.Floor(0.5 + (float64(a11)-2415021.076998695)/29.530588853))
	off := month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		if leap && month != leapMonth {
			return 0, 0, false
		}
		if leap || off >= leapOff {
			off++
		}
	} else if leap {
		return 0, 0, false
	}
	start = newMoonDay(k + off)
	return start, newMoonDay(k+off+1) - start, true
}

// LeapMonth returns the leap month of lunar year y, or 0 if it has none.
func LeapMonth(y int) int {
	for m := 1; m <= 12; m++ {
		if _, _, ok := lunarMonthStart(m, y, true); ok {
			return m
		}
	}
	return 0
}
