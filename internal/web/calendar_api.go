package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
)

func parseYear(s string) (int, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
		return 0, apperr.Field("year", "invalid_year", "Năm phải là số từ 1900 đến 2199.")
	}
	return y, nil
}

// GET /api/v1/calendar/holidays/{year}
func (s *Server) apiHolidays(w http.ResponseWriter, r *http.Request) {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cal := s.Calendar.Calendar()
	source, official := cal.ScheduleSource(y)
	writeJSON(w, http.StatusOK, map[string]any{"year": y, "official": official, "source": source, "days": cal.Holidays(y)})
}

// GET /api/v1/calendar/lunar/{date}
func (s *Server) apiLunar(w http.ResponseWriter, r *http.Request) {
	t, err := time.Parse(time.DateOnly, r.PathValue("date"))
	if err != nil || t.Year() < calendar.MinYear || t.Year() > calendar.MaxYear {
		s.fail(w, r, apperr.Field("date", "invalid_date", "Ngày phải có dạng NNNN-TT-NN (ví dụ 2026-02-17), từ năm 1900 đến 2199."))
		return
	}
	writeJSON(w, http.StatusOK, calendar.SolarToLunar(t.Day(), int(t.Month()), t.Year()))
}

// GET /api/v1/calendar/due?from=RFC3339&value=3&unit=working_days
func (s *Server) apiDue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err := time.Parse(time.RFC3339, q.Get("from"))
	if err != nil {
		s.fail(w, r, apperr.Field("from", "invalid_time", "Thời điểm tiếp nhận phải theo dạng RFC 3339, ví dụ 2026-02-13T10:00:00+07:00."))
		return
	}
	n, err := strconv.Atoi(q.Get("value"))
	if err != nil || n < 0 || n > 3650 {
		s.fail(w, r, apperr.Field("value", "invalid_value", "Thời hạn phải là số nguyên từ 0 đến 3650."))
		return
	}
	unit := calendar.Unit(q.Get("unit"))
	if unit == "" {
		unit = calendar.WorkingDays
	}
	due, err := s.Calendar.Calendar().Due(from, calendar.Duration{Value: n, Unit: unit})
	if err != nil {
		s.fail(w, r, apperr.Field("unit", "invalid_unit", "Đơn vị thời hạn phải là working_days, working_hours hoặc calendar_days."))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"from":         from.In(calendar.Location).Format(time.RFC3339),
		"received_day": s.Calendar.Calendar().ReceivedDay(from).Format(time.DateOnly),
		"due":          due.Format(time.RFC3339),
	})
}

// PUT /api/v1/calendar/schedules/{year} — an administrator loads a year's
// official schedule (the JSON file format of data/calendar).
func (s *Server) apiPutSchedule(w http.ResponseWriter, r *http.Request) {
	y, err := parseYear(r.PathValue("year"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.fail(w, r, apperr.New(apperr.TooLarge, "body_too_large", "Tệp lịch quá lớn (tối đa 64 KB)."))
			return
		}
		s.fail(w, r, apperr.New(apperr.Invalid, "unreadable_body", "Không đọc được nội dung gửi lên."))
		return
	}
	sch, err := calendar.ParseSchedule(body)
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			s.fail(w, r, apperr.New(apperr.Invalid, "invalid_json", "Nội dung không phải JSON hợp lệ."))
			return
		}
		s.fail(w, r, &apperr.Error{Kind: apperr.Invalid, Code: "invalid_schedule", Message: "Lịch nghỉ không hợp lệ (chi tiết: " + strings.TrimPrefix(err.Error(), "calendar: ") + ")."})
		return
	}
	if sch.Year != y {
		s.fail(w, r, apperr.Field("year", "year_mismatch", "Năm trong tệp lịch khác với năm trên địa chỉ."))
		return
	}
	if err := s.Calendar.Save(r.Context(), sch, principal(r).Actor()); err != nil {
		s.fail(w, r, apperr.Wrap(err, "save schedule"))
		return
	}
	s.Log.Info("official schedule loaded", "year", y, "by", principal(r).ID, "days", len(sch.Days))
	writeJSON(w, http.StatusOK, map[string]any{"year": y, "official": true, "days": s.Calendar.Calendar().Holidays(y)})
}
