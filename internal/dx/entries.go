package dx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Entry is one figure an officer entered or imported: kept for ever, so
// that the trend can be drawn and every figure traced to its source.
type Entry struct {
	ID          string    `json:"id"`
	Agency      string    `json:"agency"`
	Indicator   string    `json:"indicator"`
	AsOf        string    `json:"as_of"` // yyyy-mm-dd
	Value       float64   `json:"value"`
	Numerator   *int64    `json:"numerator,omitempty"`
	Denominator *int64    `json:"denominator,omitempty"`
	Source      string    `json:"source"`
	Note        string    `json:"note,omitempty"`
	ImportID    string    `json:"import_id,omitempty"`
	EnteredBy   string    `json:"entered_by"`
	EnteredName string    `json:"entered_name"`
	CreatedAt   time.Time `json:"created_at"`
}

// Date is AsOf as a date in Vietnam.
func (e *Entry) Date() time.Time {
	t, _ := time.ParseInLocation("2006-01-02", e.AsOf, calendar.Location)
	return t
}

// Input is a figure as typed: every field text, as in a form or a
// spreadsheet cell.
type Input struct {
	Indicator   string
	AsOf        string // yyyy-mm-dd or dd/mm/yyyy
	Value       string // optional when numerator and denominator are given
	Numerator   string
	Denominator string
	Source      string
	Note        string
}

// parseNumber reads a number written the Vietnamese way (27.926 or 87,5)
// or the English way (27,926 or 87.5). A lone separator followed by
// exactly three digits is a thousands separator in whole counts.
func parseNumber(s string, whole bool) (float64, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	s = strings.ReplaceAll(s, " ", "")
	s = strings.ReplaceAll(s, "\u00a0", "")
	if s == "" {
		return 0, strconv.ErrSyntax
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots > 0 && commas > 0:
		// The last one is the decimal separator.
		if strings.LastIndex(s, ".") > strings.LastIndex(s, ",") {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
		}
	case dots > 1:
		s = strings.ReplaceAll(s, ".", "")
	case commas > 1:
		s = strings.ReplaceAll(s, ",", "")
	case commas == 1 || dots == 1:
		sep := ","
		if dots == 1 {
			sep = "."
		}
		i := strings.Index(s, sep)
		if whole && len(s)-i-1 == 3 {
			s = strings.Replace(s, sep, "", 1)
		} else {
			s = strings.Replace(s, sep, ".", 1)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, strconv.ErrSyntax
	}
	return f, nil
}

// parseDate reads yyyy-mm-dd or dd/mm/yyyy.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Location); err == nil {
			return t, nil
		}
	}
	return time.Time{}, strconv.ErrSyntax
}

func cleanText(field, s string, max int, required bool, what string) (string, error) {
	s = vntext.NFC(strings.TrimSpace(s))
	if !vntext.Valid(s) || strings.ContainsAny(s, "\r\n\t") {
		return "", apperr.Field(field, "invalid_text", "Nội dung "+what+" có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa).")
	}
	if required && s == "" {
		return "", apperr.Field(field, field+"_required", "Vui lòng ghi "+what+".")
	}
	if len([]rune(s)) > max {
		return "", apperr.Field(field, field+"_too_long", fmt.Sprintf("Nội dung %s dài quá %d ký tự.", what, max))
	}
	return s, nil
}

// check turns an input into an entry (without ID, agency or author), or
// the first thing wrong with it.
func (s *Service) check(in Input) (*Entry, error) {
	ind, ok := Lookup(strings.TrimSpace(in.Indicator))
	if !ok {
		return nil, apperr.Field("indicator", "unknown_indicator", "Không có chỉ tiêu này trong danh mục chuyển đổi số.")
	}
	if ind.Kind != Entered {
		return nil, apperr.Field("indicator", "indicator_computed", "Chỉ tiêu này do hệ thống tự tính từ hồ sơ, không nhập tay.")
	}
	e := &Entry{Indicator: ind.Key}
	day, err := parseDate(in.AsOf)
	if err != nil {
		return nil, apperr.Field("as_of", "invalid_date", "Ngày của số liệu không đúng (ghi theo dạng ngày/tháng/năm, ví dụ 30/06/2025).")
	}
	today, _ := parseDate(dayOf(s.now()))
	if day.After(today) {
		return nil, apperr.Field("as_of", "date_in_future", "Ngày của số liệu không được sau hôm nay.")
	}
	if day.Year() < 2000 {
		return nil, apperr.Field("as_of", "date_too_old", "Ngày của số liệu phải từ năm 2000 trở đi.")
	}
	e.AsOf = day.Format("2006-01-02")
	numS, denS, valS := strings.TrimSpace(in.Numerator), strings.TrimSpace(in.Denominator), strings.TrimSpace(in.Value)
	if ind.Unit == Count {
		if numS != "" || denS != "" {
			return nil, apperr.Field("numerator", "no_fraction_for_count", "Chỉ tiêu này là một con số, không có tử số, mẫu số.")
		}
		v, err := parseNumber(valS, true)
		if err != nil || v < 0 || v != math.Trunc(v) || v > 1e9 {
			return nil, apperr.Field("value", "invalid_count", "Giá trị phải là một số nguyên không âm.")
		}
		e.Value = v
	} else {
		if (numS == "") != (denS == "") {
			return nil, apperr.Field("denominator", "fraction_incomplete", "Cần ghi cả tử số và mẫu số, hoặc bỏ trống cả hai.")
		}
		if numS != "" {
			num, err1 := parseNumber(numS, true)
			den, err2 := parseNumber(denS, true)
			if err1 != nil || num < 0 || num != math.Trunc(num) || num > 1e12 {
				return nil, apperr.Field("numerator", "invalid_numerator", "Tử số phải là một số nguyên không âm.")
			}
			if err2 != nil || den <= 0 || den != math.Trunc(den) || den > 1e12 {
				return nil, apperr.Field("denominator", "invalid_denominator", "Mẫu số phải là một số nguyên lớn hơn 0.")
			}
			if num > den {
				return nil, apperr.Field("numerator", "numerator_above_denominator", "Tử số không được lớn hơn mẫu số.")
			}
			n, d := int64(num), int64(den)
			e.Numerator, e.Denominator = &n, &d
			e.Value, _ = Ratio(n, d)
			if valS != "" {
				v, err := parseNumber(valS, false)
				// A reported percentage is rounded to one decimal at least.
				if err != nil || math.Abs(v-e.Value) > 0.05 {
					return nil, apperr.Field("value", "value_mismatch", fmt.Sprintf("Tỷ lệ ghi không khớp với tử số ÷ mẫu số (%s%%). Bỏ trống tỷ lệ để hệ thống tự tính.", strconv.FormatFloat(e.Value, 'f', -1, 64)))
				}
			}
		} else {
			v, err := parseNumber(valS, false)
			if valS == "" {
				return nil, apperr.Field("value", "value_required", "Vui lòng ghi tỷ lệ (%), hoặc tử số và mẫu số.")
			}
			if err != nil || v < 0 || v > 100 {
				return nil, apperr.Field("value", "invalid_percent", "Tỷ lệ phải là một số từ 0 đến 100.")
			}
			e.Value = round2(v)
		}
	}
	if e.Source, err = cleanText("source", in.Source, 300, true, "nguồn số liệu"); err != nil {
		return nil, err
	}
	if e.Note, err = cleanText("note", in.Note, 500, false, "ghi chú"); err != nil {
		return nil, err
	}
	return e, nil
}

const entryCols = "id, agency_code, indicator, as_of, value, numerator, denominator, source, note, import_id, entered_by, entered_name, created_at"

func insertEntry(ctx context.Context, tx store.Tx, e *Entry) error {
	// Writes are serialised (one writer; an advisory lock across
	// PostgreSQL instances), so the next sequence number is safe to take.
	_, err := tx.ExecContext(ctx, "INSERT INTO dx_entries (seq, "+entryCols+") SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 FROM dx_entries",
		e.ID, e.Agency, e.Indicator, e.AsOf, e.Value, e.Numerator, e.Denominator, e.Source, e.Note, e.ImportID, e.EnteredBy, e.EnteredName, store.Millis(e.CreatedAt))
	return err
}

// Enter records a figure for an agency, after checking it.
func (s *Service) Enter(ctx context.Context, p *identity.Principal, agency string, in Input) (*Entry, error) {
	if err := canEnter(p); err != nil {
		return nil, err
	}
	if !p.CanActFor(agency) {
		return nil, errForbidden
	}
	e, err := s.check(in)
	if err != nil {
		return nil, err
	}
	now := s.now()
	e.ID, e.Agency, e.EnteredBy, e.EnteredName, e.CreatedAt = newID(), agency, p.ID, p.Name, now.Truncate(time.Millisecond)
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := insertEntry(ctx, tx, e); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "dx.entry", ObjectType: "dx_indicator", ObjectID: agency + "/" + e.Indicator,
			Detail: map[string]any{"entry": e.ID, "as_of": e.AsOf, "value": e.Value, "source": e.Source}})
	})
	if err != nil {
		return nil, wrap(err, "enter")
	}
	return e, nil
}

func scanEntry(row interface{ Scan(...any) error }) (*Entry, error) {
	var e Entry
	var num, den sql.NullInt64
	var created int64
	if err := row.Scan(&e.ID, &e.Agency, &e.Indicator, &e.AsOf, &e.Value, &num, &den, &e.Source, &e.Note, &e.ImportID, &e.EnteredBy, &e.EnteredName, &created); err != nil {
		return nil, err
	}
	if num.Valid && den.Valid {
		e.Numerator, e.Denominator = &num.Int64, &den.Int64
	}
	e.CreatedAt = store.FromMillis(created)
	return &e, nil
}

// History lists every entry of an indicator, oldest date first (entries of
// the same date in the order they were made: the last one stands).
func (s *Service) History(ctx context.Context, agency, indicator string) ([]Entry, error) {
	m, err := s.entries(ctx, agency, indicator)
	if err != nil {
		return nil, err
	}
	return m[indicator], nil
}

// entries returns the agency's entries by indicator (all indicators when
// indicator is empty), oldest first.
func (s *Service) entries(ctx context.Context, agency, indicator string) (map[string][]Entry, error) {
	q := "SELECT " + entryCols + " FROM dx_entries WHERE agency_code = $1"
	args := []any{agency}
	if indicator != "" {
		q += " AND indicator = $2"
		args = append(args, indicator)
	}
	rows, err := s.db.Read().QueryContext(ctx, q+" ORDER BY indicator, as_of, seq", args...)
	if err != nil {
		return nil, wrap(err, "entries")
	}
	defer rows.Close()
	out := map[string][]Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, wrap(err, "entries")
		}
		out[e.Indicator] = append(out[e.Indicator], *e)
	}
	return out, wrap(rows.Err(), "entries")
}

// Target is an indicator's target for an agency: the commune's own, or
// the default.
type Target struct {
	Value     float64   `json:"value"` // 0: none
	Source    string    `json:"source,omitempty"`
	Own       bool      `json:"own"` // set by the commune
	SetName   string    `json:"set_name,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

func (s *Service) targets(ctx context.Context, agency string) (map[string]Target, error) {
	out := map[string]Target{}
	for _, in := range Indicators {
		if in.Target > 0 {
			out[in.Key] = Target{Value: in.Target, Source: in.TargetSource}
		}
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT indicator, target, source, set_name, updated_at FROM dx_targets WHERE agency_code = $1", agency)
	if err != nil {
		return nil, wrap(err, "targets")
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var t Target
		var at int64
		if err := rows.Scan(&key, &t.Value, &t.Source, &t.SetName, &at); err != nil {
			return nil, wrap(err, "targets")
		}
		t.Own, t.UpdatedAt = true, store.FromMillis(at)
		out[key] = t
	}
	return out, wrap(rows.Err(), "targets")
}

// SetTarget sets an agency's own target for an indicator, with the
// decision or plan it comes from.
func (s *Service) SetTarget(ctx context.Context, p *identity.Principal, agency, indicator, value, source string) (*Target, error) {
	if err := canEnter(p); err != nil {
		return nil, err
	}
	if !p.CanActFor(agency) {
		return nil, errForbidden
	}
	ind, ok := Lookup(indicator)
	if !ok {
		return nil, apperr.Field("indicator", "unknown_indicator", "Không có chỉ tiêu này trong danh mục chuyển đổi số.")
	}
	v, err := parseNumber(value, ind.Unit == Count)
	if err != nil || v <= 0 || (ind.Unit == Percent && v > 100) || (ind.Unit == Count && (v != math.Trunc(v) || v > 1e9)) {
		if ind.Unit == Count {
			return nil, apperr.Field("target", "invalid_target", "Mục tiêu phải là một số nguyên lớn hơn 0.")
		}
		return nil, apperr.Field("target", "invalid_target", "Mục tiêu phải là một tỷ lệ lớn hơn 0 và không quá 100.")
	}
	src, err := cleanText("target_source", source, 300, true, "căn cứ của mục tiêu")
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := &Target{Value: round2(v), Source: src, Own: true, SetName: p.Name, UpdatedAt: now.Truncate(time.Millisecond)}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dx_targets (agency_code, indicator, target, source, set_by, set_name, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (agency_code, indicator) DO UPDATE SET target = excluded.target, source = excluded.source,
			set_by = excluded.set_by, set_name = excluded.set_name, updated_at = excluded.updated_at`,
			agency, indicator, t.Value, src, p.ID, p.Name, store.Millis(now)); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "dx.target", ObjectType: "dx_indicator", ObjectID: agency + "/" + indicator,
			Detail: map[string]any{"target": t.Value, "source": src}})
	})
	if err != nil {
		return nil, wrap(err, "set target")
	}
	return t, nil
}

var errNoIndicator = apperr.New(apperr.NotFound, "indicator_not_found", "Không có chỉ tiêu này trong danh mục chuyển đổi số.")

// IsNotFound reports whether err is an unknown indicator or import.
func IsNotFound(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Kind == apperr.NotFound
}
