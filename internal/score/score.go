package score

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/feedback"
	"github.com/motcua/motcua/internal/store"
)

// Config wires the service.
type Config struct {
	DB       *store.DB
	Calendar *calendar.Service
	Catalog  *catalog.Service
	Feedback *feedback.Service // satisfaction figures (group 5); nil: no data
	Dossiers *dossier.Engine   // when set, its writes keep the facts up to date
	Log      *slog.Logger
	Now      func() time.Time
}

// Service computes the index.
type Service struct {
	db  *store.DB
	cal *calendar.Service
	cat *catalog.Service
	fb  *feedback.Service
	log *slog.Logger
	now func() time.Time
}

// New returns the service and registers it with the dossier engine.
func New(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	s := &Service{db: c.DB, cal: c.Calendar, cat: c.Catalog, fb: c.Feedback, log: c.Log, now: c.Now}
	if c.Dossiers != nil {
		c.Dossiers.Observe(s.observe)
	}
	return s
}

// EnsureBuilt rebuilds the facts once if they were never built (a
// database migrated with dossiers in it).
func (s *Service) EnsureBuilt(ctx context.Context) error {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM score_meta").Scan(&n); err != nil {
		return fmt.Errorf("score: meta: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.Recompute(ctx)
}

// Query selects what an index is computed over. From and To are dates
// (Vietnam), both included.
type Query struct {
	Agency    string    `json:"agency,omitempty"`
	Province  string    `json:"province,omitempty"` // all communes of a province
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Formula   string    `json:"formula,omitempty"` // 2022 or current (default)
	Procedure string    `json:"procedure,omitempty"`
	Field     string    `json:"field,omitempty"`
}

// Month, Quarter and Year are the usual reporting periods.
func Month(y int, m time.Month) (from, to time.Time) {
	from = time.Date(y, m, 1, 0, 0, 0, 0, calendar.Location)
	return from, from.AddDate(0, 1, -1)
}

// Quarter q (1–4) of year y.
func Quarter(y, q int) (from, to time.Time) {
	from = time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, calendar.Location)
	return from, from.AddDate(0, 3, -1)
}

// Year y.
func Year(y int) (from, to time.Time) {
	from = time.Date(y, 1, 1, 0, 0, 0, 0, calendar.Location)
	return from, from.AddDate(1, 0, -1)
}

// Indicator states.
const (
	StateComputed      = "computed"
	StateNoData        = "no_data"        // needs data motcua does not hold
	StateNotApplicable = "not_applicable" // not for this level, filter, or nothing to measure
)

// Indicator is one indicator's figures.
type Indicator struct {
	ID          string           `json:"id"`
	Group       string           `json:"group"`
	Code        string           `json:"code,omitempty"`
	Name        string           `json:"name"`
	NameEn      string           `json:"name_en"`
	Numerator   int64            `json:"numerator"`
	Denominator int64            `json:"denominator"`
	Ratio       float64          `json:"ratio"` // percent, 2 decimals (2.2: working days)
	Unit        string           `json:"unit"`  // percent, working_days
	Score       float64          `json:"score"`
	Max         float64          `json:"max"`
	State       string           `json:"state"`
	Note        string           `json:"note,omitempty"`
	Detail      map[string]int64 `json:"detail,omitempty"`
	// Members: whether Members lists the dossiers counted.
	Members bool `json:"members"`
}

// Group is a group's score.
type Group struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	NameEn string  `json:"name_en"`
	Score  float64 `json:"score"`
	Max    float64 `json:"max"`
}

// Index is the index for a query.
type Index struct {
	Query    Query    `json:"query"`
	Formula  string   `json:"formula"`
	Agencies []string `json:"agencies"`
	// Total is the sum of the computed indicators' scores, out of 100;
	// MaxAvailable is what the computed indicators could give.
	Total        float64     `json:"total"`
	Max          float64     `json:"max"`
	MaxAvailable float64     `json:"max_available"`
	Groups       []Group     `json:"groups"`
	Indicators   []Indicator `json:"indicators"`
}

// Indicator returns the indicator with the id.
func (x *Index) Indicator(id string) (Indicator, bool) {
	for _, in := range x.Indicators {
		if in.ID == id {
			return in, true
		}
	}
	return Indicator{}, false
}

var errBadQuery = func(field, code, msg string) error { return apperr.Field(field, code, msg) }

// normalize checks a query and fills its defaults.
func (q *Query) normalize() error {
	q.Agency, q.Province = strings.TrimSpace(q.Agency), strings.TrimSpace(q.Province)
	if (q.Agency == "") == (q.Province == "") {
		return errBadQuery("agency", "agency_or_province", "Chọn một cơ quan (xã) hoặc một tỉnh.")
	}
	if q.From.IsZero() || q.To.IsZero() {
		return errBadQuery("from", "period_required", "Chọn khoảng thời gian (từ ngày, đến ngày).")
	}
	if dayT(q.To) < dayT(q.From) {
		return errBadQuery("to", "period_reversed", "Ngày kết thúc phải sau ngày bắt đầu.")
	}
	if q.Formula == "" {
		q.Formula = FormulaCurrent
	}
	if _, ok := FormulaSets[q.Formula]; !ok {
		return errBadQuery("formula", "unknown_formula", "Bộ công thức phải là 2022 hoặc current (hiện hành).")
	}
	return nil
}

// dayT is the Vietnam date of t as yyyymmdd; dates given at midnight UTC
// (parsed from YYYY-MM-DD) keep their calendar date.
func dayT(t time.Time) int {
	if t.Location() != calendar.Location {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, calendar.Location)
	}
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

func dateOf(d int) time.Time {
	return time.Date(d/10000, time.Month(d/100%100), d%100, 0, 0, 0, 0, calendar.Location)
}

// raw are one agency's sums for a period.
type raw struct {
	sums                             vec
	before                           vec // up to the day before the period
	lateStartTo                      int64
	online, fee, paid, population    map[string]bool // procedures with such a dossier in the period
	petitions, petOnTime, petUnsat   int64
	dislikedOrPetitioned, fbFinished int64
	byTopic                          map[string]int64
	hasFeedback                      bool
}

func newRaw() *raw {
	return &raw{online: map[string]bool{}, fee: map[string]bool{}, paid: map[string]bool{}, population: map[string]bool{}, byTopic: map[string]int64{}}
}

// agencies lists the agencies a query covers.
func (s *Service) agencies(ctx context.Context, q Query) ([]string, error) {
	if q.Agency != "" {
		var n int
		if err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM agencies WHERE code = $1", q.Agency).Scan(&n); err != nil {
			return nil, fmt.Errorf("score: agency: %w", err)
		}
		if n == 0 {
			return nil, apperr.New(apperr.NotFound, "unknown_agency", "Không có cơ quan với mã "+q.Agency+".")
		}
		return []string{q.Agency}, nil
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT code FROM agencies WHERE kind = 'commune' AND (parent_code = $1 OR code LIKE $2) ORDER BY code`,
		q.Province, q.Province+".%")
	if err != nil {
		return nil, fmt.Errorf("score: agencies: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.New(apperr.NotFound, "unknown_province", "Không có xã nào thuộc tỉnh "+q.Province+".")
	}
	return out, nil
}

// procedures is the catalogue's procedures a query covers.
func (s *Service) procedures(q Query) []*catalog.Procedure {
	var out []*catalog.Procedure
	for _, p := range s.cat.Catalog().All() {
		if q.Procedure != "" && p.Code != q.Procedure || q.Field != "" && p.Field != q.Field {
			continue
		}
		out = append(out, p)
	}
	return out
}

// filterProcs is the procedure codes the sums are restricted to (nil: all).
func (s *Service) filterProcs(q Query) []string {
	if q.Procedure != "" {
		return []string{q.Procedure}
	}
	if q.Field == "" {
		return nil
	}
	var out []string
	for _, p := range s.procedures(q) {
		out = append(out, p.Code)
	}
	if out == nil {
		out = []string{""} // a field with no procedure: nothing
	}
	return out
}

// span is a range of score_daily.day values, read with one index range.
type span struct{ lo, hi int }

// ranges are the spans holding the days [a, b]: whole months are read from
// their monthly rows (day yyyymm, which sort before every day row, so a run
// of months is one span), the partial months at the ends from day rows.
func ranges(a, b int) []span {
	var out []span
	run, last := 0, 0 // the current run of whole months
	flush := func() {
		if run != 0 {
			out = append(out, span{run, last})
			run = 0
		}
	}
	for m := a / 100; m <= b/100; m = nextMonth(m) {
		first, end := m*100+1, m*100+lastDay(m)
		lo, hi := max(a, first), min(b, end)
		if lo == first && hi == end {
			if run == 0 {
				run = m
			}
			last = m
			continue
		}
		flush()
		out = append(out, span{lo, hi})
	}
	flush()
	return out
}

// upTo are the spans holding every day up to and including x.
func upTo(x int) []span {
	m := x / 100
	if x%100 == lastDay(m) { // a whole month: monthly rows only
		return []span{{0, m}}
	}
	return []span{{0, m - 1}, {m*100 + 1, x}}
}

// spanQuery sums score_daily over spans, grouped by the columns given: one
// SELECT per span joined by UNION ALL, so each reads one index range (an
// OR of ranges makes SQLite scan every row of the agencies).
func spanQuery(spans []span, agencies, procs []string, group string) (string, []any) {
	var a argList
	var parts []string
	for _, sp := range spans {
		where := a.in("agency_code", agencies) + " AND day BETWEEN " + a.add(sp.lo) + " AND " + a.add(sp.hi)
		if procs != nil {
			where += " AND " + a.in("procedure_code", procs)
		}
		parts = append(parts, "SELECT "+group+", "+sumCols()+" FROM score_daily WHERE "+where+" GROUP BY "+group)
	}
	return strings.Join(parts, " UNION ALL "), a.args
}

func nextMonth(m int) int {
	if m%100 == 12 {
		return (m/100+1)*100 + 1
	}
	return m + 1
}

func lastDay(m int) int {
	return time.Date(m/100, time.Month(m%100)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type argList struct{ args []any }

func (a *argList) add(v any) string {
	a.args = append(a.args, v)
	return fmt.Sprintf("$%d", len(a.args))
}

func (a *argList) in(col string, vals []string) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = a.add(v)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

func sumCols() string {
	var b []string
	for _, c := range counterCols {
		b = append(b, "COALESCE(SUM("+c+"), 0)")
	}
	return strings.Join(b, ", ")
}

// gather reads the sums of every agency for the query.
func (s *Service) gather(ctx context.Context, q Query, agencies []string) (map[string]*raw, error) {
	out := map[string]*raw{}
	for _, a := range agencies {
		out[a] = newRaw()
	}
	from, to := dayT(q.From), dayT(q.To)
	before := dayT(dateOf(from).AddDate(0, 0, -1))
	procs := s.filterProcs(q)
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		// The period's sums per agency and procedure.
		q, args := spanQuery(ranges(from, to), agencies, procs, "agency_code, procedure_code")
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("score: sums: %w", err)
		}
		for rows.Next() {
			var ag, proc string
			var v vec
			dest := []any{&ag, &proc}
			for i := range v {
				dest = append(dest, &v[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			r := out[ag]
			for i := range v {
				r.sums[i] += v[i]
			}
			r.online[proc] = r.online[proc] || v[cOnline] > 0
			r.fee[proc] = r.fee[proc] || v[cFee] > 0
			r.paid[proc] = r.paid[proc] || v[cPaidOnline] > 0
			r.population[proc] = r.population[proc] || v[cPopulation] > 0
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Everything before the period (dossiers still open at its start),
		// and the dossiers late by its end.
		for _, pass := range []struct {
			x      int
			before bool
		}{{before, true}, {to, false}} {
			q, args := spanQuery(upTo(pass.x), agencies, procs, "agency_code")
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("score: sums: %w", err)
			}
			for rows.Next() {
				var ag string
				var v vec
				dest := []any{&ag}
				for i := range v {
					dest = append(dest, &v[i])
				}
				if err := rows.Scan(dest...); err != nil {
					rows.Close()
					return err
				}
				for i := range v {
					if pass.before {
						out[ag].before[i] += v[i]
					} else if i == cLateStart {
						out[ag].lateStartTo += v[i]
					}
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Satisfaction (group 5) is per agency, from the feedback service.
	if s.fb != nil && q.Procedure == "" && q.Field == "" {
		start := dateOf(from)
		end := dateOf(to).AddDate(0, 0, 1)
		for _, ag := range agencies {
			f, err := s.fb.Satisfaction(ctx, ag, start, end)
			if err != nil {
				return nil, err
			}
			r := out[ag]
			r.hasFeedback = true
			r.petitions = int64(f.Petitions)
			r.petOnTime = int64(f.HandledOnTime + f.PendingOnTime)
			r.petUnsat = int64(f.PetitionsUnsatisfied)
			r.dislikedOrPetitioned = int64(f.DossiersDislikedOrPetitioned)
			r.fbFinished = int64(f.DossiersFinished)
			for t, n := range f.ByTopic {
				r.byTopic[t] += int64(n)
			}
		}
	}
	return out, nil
}

// Index computes the index for a query.
func (s *Service) Index(ctx context.Context, q Query) (*Index, error) {
	if err := q.normalize(); err != nil {
		return nil, err
	}
	ags, err := s.agencies(ctx, q)
	if err != nil {
		return nil, err
	}
	raws, err := s.gather(ctx, q, ags)
	if err != nil {
		return nil, apperr.Wrap(err, "score index")
	}
	all := make([]*raw, 0, len(ags))
	for _, a := range ags {
		all = append(all, raws[a])
	}
	x := s.build(q, all)
	x.Agencies = ags
	return x, nil
}

// RankRow is one commune in a province's ranking.
type RankRow struct {
	Rank         int     `json:"rank"`
	Agency       string  `json:"agency"`
	Name         string  `json:"name"`
	Total        float64 `json:"total"`
	MaxAvailable float64 `json:"max_available"`
	Index        *Index  `json:"-"`
}

// Ranking ranks a province's communes by their index for a period, best
// first.
func (s *Service) Ranking(ctx context.Context, province string, from, to time.Time) ([]RankRow, error) {
	q := Query{Province: province, From: from, To: to}
	if err := q.normalize(); err != nil {
		return nil, err
	}
	ags, err := s.agencies(ctx, q)
	if err != nil {
		return nil, err
	}
	raws, err := s.gather(ctx, q, ags)
	if err != nil {
		return nil, apperr.Wrap(err, "score ranking")
	}
	names := map[string]string{}
	if rows, err := s.db.Read().QueryContext(ctx, "SELECT code, name FROM agencies WHERE kind = 'commune' AND (parent_code = $1 OR code LIKE $2)", province, province+".%"); err == nil {
		for rows.Next() {
			var c, n string
			if rows.Scan(&c, &n) == nil {
				names[c] = n
			}
		}
		rows.Close()
	}
	out := make([]RankRow, 0, len(ags))
	for _, a := range ags {
		aq := q
		aq.Province, aq.Agency = "", a
		x := s.build(aq, []*raw{raws[a]})
		x.Agencies = []string{a}
		out = append(out, RankRow{Agency: a, Name: names[a], Total: x.Total, MaxAvailable: x.MaxAvailable, Index: x})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Agency < out[j].Agency
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Total == out[i-1].Total {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out, nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// ratio is num ÷ den in percent, 2 decimals (§5 conventions).
func ratio(num, den int64) float64 {
	if den == 0 {
		return 0
	}
	return round2(float64(num) / float64(den) * 100)
}

// scoreOf is max × min(1, ratio ÷ threshold), 2 decimals.
func scoreOf(d Def, r float64) float64 {
	return round2(d.Max * math.Min(1, r/d.Threshold))
}

// build computes the indicators from the sums of the agencies.
func (s *Service) build(q Query, rs []*raw) *Index {
	fs := FormulaSets[q.Formula]
	x := &Index{Query: q, Formula: fs.ID, Max: 100}
	var sum raw
	sum = *newRaw()
	for _, r := range rs {
		for i := range r.sums {
			sum.sums[i] += r.sums[i]
			sum.before[i] += r.before[i]
		}
		sum.lateStartTo += r.lateStartTo
		sum.petitions += r.petitions
		sum.petOnTime += r.petOnTime
		sum.petUnsat += r.petUnsat
		sum.dislikedOrPetitioned += r.dislikedOrPetitioned
		sum.fbFinished += r.fbFinished
		sum.hasFeedback = sum.hasFeedback || r.hasFeedback
		for t, n := range r.byTopic {
			sum.byTopic[t] += n
		}
	}
	procs := s.procedures(q)
	at := dateOf(dayT(q.To))
	// Per-procedure indicators: count (agency, procedure) pairs, so that a
	// province's figure is the sum of its communes'.
	var content, offered, online, onlineUsed, feeProcs, feeUsed, paidUsed, citizenProcs, popUsed int64
	for _, p := range procs {
		v, ok := p.VersionAt(at)
		if !ok {
			if len(p.Versions) == 0 {
				continue
			}
			v = &p.Versions[len(p.Versions)-1]
		}
		for _, r := range rs {
			offered++
			// §5 1.3: name, steps, method, components, deadline, subjects
			// and implementing agency all published.
			if p.Name != "" && len(v.Steps) > 0 && len(v.Channels) > 0 && len(v.Components) > 0 && v.Time.Unit != "" && len(v.Subjects) > 0 && v.Agency != "" {
				content++
			}
			if v.Online == catalog.OnlineFull || v.Online == catalog.OnlinePartial {
				online++
				if r.online[p.Code] {
					onlineUsed++
				}
			}
			if v.Fee.HasFee() {
				feeProcs++
				if r.fee[p.Code] {
					feeUsed++
				}
				if r.paid[p.Code] {
					paidUsed++
				}
			}
			if slices.Contains(v.Subjects, "citizen") {
				citizenProcs++
				if r.population[p.Code] {
					popUsed++
				}
			}
		}
	}
	v := sum.sums
	b := sum.before
	inds := map[string]Indicator{}
	set := func(id string, num, den int64, state, note string) {
		d, _ := def(id)
		in := Indicator{ID: id, Code: d.Code, Name: d.Name, NameEn: d.NameEn, Numerator: num, Denominator: den, Max: d.Max, Unit: "percent", State: state, Note: note}
		if state == StateComputed && den == 0 {
			in.State = StateNotApplicable
			if in.Note == "" {
				in.Note = "Không có hồ sơ hoặc TTHC nào để tính trong kỳ."
			}
		}
		if in.State == StateComputed {
			in.Ratio = ratio(num, den)
			in.Score = scoreOf(d, in.Ratio)
		}
		inds[id] = in
	}
	level := StateNotApplicable
	set("1.1", 0, 0, level, "Chỉ tính cho bộ, tỉnh (quyết định công bố TTHC).")
	set("1.2", 0, 0, level, "Chỉ tính cho bộ, tỉnh.")
	set("1.3", content, offered, StateComputed, "")
	set("1.4", 0, 0, StateNoData, "motcua chưa đồng bộ hồ sơ lên Cổng DVCQG; cần số liệu của Cổng.")

	// §5 2.1: dossiers handled in the period = received by its end and not
	// finished before its start; on time unless counted late (late_at)
	// before both the end of processing and the period's end.
	den21 := v[cReceived] + b[cReceived] - b[cFinished]
	late21 := sum.lateStartTo - b[cLateFinished]
	set("2.1", den21-late21, den21, StateComputed, "")
	in := inds["2.1"]
	in.Detail = map[string]int64{"late": late21, "received_in_period": v[cReceived], "open_at_start": b[cReceived] - b[cFinished]}
	in.Members = true
	inds["2.1"] = in

	// §5 2.2: monitoring only, one procedure at a time.
	if q.Procedure != "" {
		set("2.2", v[cDoneMinutes], v[cCompleted], StateComputed, "")
		in := inds["2.2"]
		if in.State == StateComputed {
			dayMin := 0
			for _, p := range s.cal.Calendar().Config().Office {
				dayMin += int(p.End - p.Start)
			}
			in.Ratio = round2(float64(v[cDoneMinutes]) / float64(v[cCompleted]) / float64(max(dayMin, 1)))
			in.Unit, in.Score = "working_days", 0
		}
		in.Members = true
		inds["2.2"] = in
	} else {
		set("2.2", 0, 0, StateNotApplicable, "Chỉ hiển thị khi chọn một thủ tục.")
	}

	set("3.1", online, offered, StateComputed, "")
	set("3.2", onlineUsed, online, StateComputed, "")
	// §5 3.3: × the sync rate, which is 1 — motcua is the record itself.
	set("3.3", v[cOnlineOK], v[cReceived], StateComputed, "")
	set("3.5", feeUsed, feeProcs, StateComputed, "")
	set("3.5b", paidUsed, feeProcs, StateComputed, "")
	set("3.6", v[cPaidOnline], v[cFee], StateComputed, "")
	set("4.1", v[cDoneEResult], v[cDonePaper], StateComputed, "")
	set("4.2", v[cDigitized], v[cReceived], StateComputed, "")
	set("4.3", v[cReused], v[cReceived], StateComputed, "")
	set("4.4", v[cStoreReuse], v[cReceived], StateComputed, "")
	set("4.5a", popUsed, citizenProcs, StateComputed, "")
	set("4.5b", v[cPopulation], v[cReceived], StateComputed, "")
	set("4.6", 0, 0, StateNoData, "§5 không có công thức; motcua chưa cấp chứng thực bản sao điện tử.")
	for _, id := range []string{"3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "4.5b"} {
		in := inds[id]
		in.Members = true
		inds[id] = in
	}

	switch {
	case q.Procedure != "" || q.Field != "":
		for _, id := range []string{"5.1", "5.2", "5.3", "5.4"} {
			set(id, 0, 0, StateNotApplicable, "Mức độ hài lòng chỉ tính theo cơ quan.")
		}
	case !sum.hasFeedback:
		for _, id := range []string{"5.1", "5.2", "5.3", "5.4"} {
			set(id, 0, 0, StateNoData, "Không có dữ liệu đánh giá, phản ánh kiến nghị.")
		}
	default:
		set("5.1", sum.petitions, sum.petitions, StateComputed, "")
		in := inds["5.1"]
		in.Detail = sum.byTopic
		if in.State == StateNotApplicable {
			in.State, in.Note = StateComputed, "Không có PAKN."
		}
		in.Ratio, in.Score = ratio(sum.petitions, sum.petitions), 0
		inds["5.1"] = in
		// §5 5.2, 5.3: 6 × ratio; full marks when there is no PAKN.
		for _, p := range []struct {
			id  string
			num int64
		}{{"5.2", sum.petOnTime}, {"5.3", sum.petitions - sum.petUnsat}} {
			set(p.id, p.num, sum.petitions, StateComputed, "")
			if sum.petitions == 0 {
				in := inds[p.id]
				in.State, in.Ratio, in.Score, in.Note = StateComputed, 100, in.Max, "Không có PAKN: đạt điểm tối đa."
				inds[p.id] = in
			}
		}
		// §5 5.4: 100% − (late rate + rate disliked or petitioned), over the
		// dossiers finished in the period; 0 when there are none.
		fin := v[cFinished]
		d54, _ := def("5.4")
		in = Indicator{ID: "5.4", Code: d54.Code, Name: d54.Name, NameEn: d54.NameEn, Max: d54.Max, Unit: "percent", State: StateComputed,
			Denominator: fin, Detail: map[string]int64{"late": v[cLateFinished], "disliked_or_petitioned": sum.dislikedOrPetitioned}}
		if fin > 0 {
			rate := 100 - float64(v[cLateFinished])/float64(fin)*100
			if sum.fbFinished > 0 {
				rate -= float64(sum.dislikedOrPetitioned) / float64(sum.fbFinished) * 100
			}
			in.Ratio = round2(math.Max(0, rate))
			in.Numerator = max(0, fin-v[cLateFinished]-sum.dislikedOrPetitioned)
			in.Score = scoreOf(d54, in.Ratio)
		} else {
			in.Note = "Không có hồ sơ kết thúc trong kỳ: 0 điểm."
		}
		inds["5.4"] = in
	}

	for _, g := range fs.Groups {
		grp := Group{ID: g.ID, Name: g.Name, NameEn: g.NameEn, Max: g.Max}
		for _, id := range g.Indicators {
			in := inds[id]
			in.Group = g.ID
			grp.Score += in.Score
			if in.State == StateComputed {
				x.MaxAvailable += in.Max
			}
			x.Indicators = append(x.Indicators, in)
		}
		grp.Score = round2(grp.Score)
		x.Total += grp.Score
		x.Groups = append(x.Groups, grp)
	}
	x.Total = round2(x.Total)
	return x
}

// resultFile reads the e-result link from a dossier's stored result.
func resultFile(doc string) string {
	var r struct {
		FileURL string `json:"file_url"`
	}
	json.Unmarshal([]byte(doc), &r)
	return r.FileURL
}
