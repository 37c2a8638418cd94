package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/calendar"
)

// adminPeriod is one row of the office-hours form.
type adminPeriod struct {
	N        int
	From, To string
}

// adminYear is one year of the holiday schedules.
type adminYear struct {
	Year     int
	Official bool
	Source   string
	Days     int
}

// adminCalendarPage is the office hours, the cut-off and the holiday
// schedules.
type adminCalendarPage struct {
	Hours    adminForm
	Sched    adminForm
	Periods  []adminPeriod
	Years    []adminYear
	Year     int
	Days     []adminDayRow
	Official bool
	Source   string
}

// adminDayRow is one listed day of a year, in the page's language.
type adminDayRow struct {
	ISO, Date, Weekday, Name, Kind, KindText string
}

// maxPeriods bounds the office-hours rows.
const maxPeriods = 6

func (s *Server) adminCalendarRender(w http.ResponseWriter, r *http.Request, v *staffView, status int, pg *adminCalendarPage) {
	cal := s.Calendar.Calendar()
	cfg := cal.Config()
	if pg.Hours.Values == nil {
		pg.Hours.Values = url.Values{"cutoff": {cfg.Cutoff.String()}}
		for _, p := range cfg.Office {
			pg.Hours.Values.Add("from", p.Start.String())
			pg.Hours.Values.Add("to", p.End.String())
		}
	}
	if pg.Sched.Values == nil {
		pg.Sched.Values = url.Values{}
	}
	froms, tos := pg.Hours.Values["from"], pg.Hours.Values["to"]
	rows := min(max(len(froms), len(tos))+1, maxPeriods)
	rows = max(rows, 3)
	for i := range rows {
		p := adminPeriod{N: i + 1}
		if i < len(froms) {
			p.From = froms[i]
		}
		if i < len(tos) {
			p.To = tos[i]
		}
		pg.Periods = append(pg.Periods, p)
	}
	this := s.Now().In(calendar.Location).Year()
	if pg.Year == 0 {
		pg.Year = this
		if q := r.URL.Query().Get("year"); q != "" {
			y, err := parseYear(q)
			if err != nil {
				s.adminFail(w, r, v, err)
				return
			}
			pg.Year = y
		}
	}
	years := []int{this - 1, this, this + 1, this + 2}
	for _, y := range cal.OfficialYears() {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	if !slices.Contains(years, pg.Year) {
		years = append(years, pg.Year)
	}
	slices.Sort(years)
	for _, y := range years {
		src, official := cal.ScheduleSource(y)
		pg.Years = append(pg.Years, adminYear{Year: y, Official: official, Source: src, Days: len(cal.Holidays(y))})
	}
	for _, d := range cal.Holidays(pg.Year) {
		row := adminDayRow{ISO: d.Date, Date: adminDate(d.Date), Name: d.Name, Kind: string(d.Kind), KindText: v.T("admin.daykind." + string(d.Kind))}
		if v.Lang == "en" && d.NameEn != "" {
			row.Name = d.NameEn
		}
		if t, err := adminNoon(d.Date); err == nil {
			row.Weekday = weekdayVN(t)
			if v.Lang == "en" {
				row.Weekday = t.Weekday().String()
			}
		}
		pg.Days = append(pg.Days, row)
	}
	pg.Source, pg.Official = cal.ScheduleSource(pg.Year)
	s.renderStaff(w, r, status, "staff_admin_calendar", v, v.T("admin.calendar"), pg)
}

// GET /staff/admin/calendar[?year=]
func (s *Server) adminCalendar(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.adminCalendarRender(w, r, v, http.StatusOK, &adminCalendarPage{})
}

// adminClock reads a time of day typed "7:30" or "07:30".
func adminClock(s string) (calendar.Clock, error) {
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[1] == ':' {
		s = "0" + s
	}
	return calendar.ParseClock(s)
}

// POST /staff/admin/calendar/hours — office hours and the cut-off.
func (s *Server) adminOfficeHours(w http.ResponseWriter, r *http.Request, v *staffView) {
	if err := parseAdminForm(w, r, 16<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	f := &adminForm{Values: r.PostForm}
	froms, tos := f.Values["from"], f.Values["to"]
	if len(froms) > maxPeriods || len(tos) > maxPeriods {
		s.adminFail(w, r, v, adminInvalid("too_many_periods", v.T("admin.err_too_many_periods")))
		return
	}
	var periods []calendar.Period
	for i := range max(len(froms), len(tos)) {
		var from, to string
		if i < len(froms) {
			from = strings.TrimSpace(froms[i])
		}
		if i < len(tos) {
			to = strings.TrimSpace(tos[i])
		}
		if from == "" && to == "" {
			continue
		}
		fid, tid := fmt.Sprintf("from-%d", i+1), fmt.Sprintf("to-%d", i+1)
		a, errA := adminClock(from)
		b, errB := adminClock(to)
		switch {
		case errA != nil:
			f.add(fid, "", fmt.Sprintf(v.T("admin.err_time"), i+1))
		case errB != nil:
			f.add(tid, "", fmt.Sprintf(v.T("admin.err_time"), i+1))
		case b <= a:
			f.add(tid, "", fmt.Sprintf(v.T("admin.err_period_end"), i+1))
		case len(periods) > 0 && a <= periods[len(periods)-1].End:
			f.add(fid, "", fmt.Sprintf(v.T("admin.err_period_order"), i+1))
		default:
			periods = append(periods, calendar.Period{Start: a, End: b})
		}
	}
	if len(periods) == 0 && len(f.Errors) == 0 {
		f.add("from-1", "", v.T("admin.err_no_hours"))
	}
	cutoff, err := adminClock(f.Get("cutoff"))
	switch {
	case err != nil:
		f.add("cutoff", "", v.T("admin.err_cutoff"))
	case len(periods) > 0 && (cutoff <= periods[0].Start || cutoff > periods[len(periods)-1].End):
		f.add("cutoff", "", v.T("admin.err_cutoff_range"))
	}
	if len(f.Errors) > 0 {
		s.adminCalendarRender(w, r, v, http.StatusBadRequest, &adminCalendarPage{Hours: *f})
		return
	}
	if err := s.Calendar.SaveConfig(r.Context(), periods, cutoff, principal(r).Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	adminDone(w, r, "/staff/admin/calendar", fmt.Sprintf(v.T("admin.hours_saved"), calendar.FormatOffice(periods), cutoff))
}

// maxSchedule bounds an uploaded schedule file.
const maxSchedule = 256 << 10

// POST /staff/admin/calendar/schedule — a year's official schedule, as a
// file or pasted.
func (s *Server) adminSchedule(w http.ResponseWriter, r *http.Request, v *staffView) {
	if err := parseAdminForm(w, r, 2*maxSchedule); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	f := &adminForm{Values: url.Values{"schedule_json": {r.PostFormValue("schedule_json")}}}
	fail := func(field, msg string) {
		f.add(field, "", msg)
		s.adminCalendarRender(w, r, v, http.StatusBadRequest, &adminCalendarPage{Sched: *f})
	}
	body := []byte(r.PostFormValue("schedule_json"))
	field := "schedule_json"
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["schedule_file"]; len(fhs) > 0 && fhs[0].Size > 0 {
			field = "schedule_file"
			if fhs[0].Size > maxSchedule {
				fail(field, v.T("admin.err_schedule_large"))
				return
			}
			file, err := fhs[0].Open()
			if err != nil {
				fail(field, v.T("admin.err_schedule_unreadable"))
				return
			}
			body, err = io.ReadAll(io.LimitReader(file, maxSchedule))
			file.Close()
			if err != nil {
				fail(field, v.T("admin.err_schedule_unreadable"))
				return
			}
		}
	}
	if len(body) > maxSchedule {
		fail(field, v.T("admin.err_schedule_large"))
		return
	}
	if strings.TrimSpace(string(body)) == "" {
		fail("schedule_file", v.T("admin.err_schedule_empty"))
		return
	}
	sch, err := calendar.ParseSchedule(body)
	if err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			fail(field, fmt.Sprintf(v.T("admin.err_json_syntax"), jsonLine(string(body), se.Offset)))
		case errors.As(err, &te):
			fail(field, fmt.Sprintf(v.T("admin.err_json_type"), te.Field, jsonLine(string(body), te.Offset), adminJSONKind(v, te.Type)))
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			fail(field, v.T("admin.err_json_eof"))
		default:
			detail := strings.TrimPrefix(err.Error(), "calendar: ")
			detail = strings.TrimPrefix(detail, "schedule: ")
			fail(field, v.T("admin.err_schedule")+" "+detail)
		}
		return
	}
	if err := s.Calendar.Save(r.Context(), sch, principal(r).Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Log.Info("official schedule loaded", "year", sch.Year, "by", principal(r).ID, "days", len(sch.Days))
	adminDone(w, r, "/staff/admin/calendar?year="+strconv.Itoa(sch.Year), fmt.Sprintf(v.T("admin.schedule_saved"), sch.Year, len(sch.Days)))
}
