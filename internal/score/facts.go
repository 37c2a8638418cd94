package score

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/store"
)

// Fact is what one dossier contributes to the index: a row of score_facts.
type Fact struct {
	DossierID   string
	Code        string
	Agency      string
	Procedure   string
	Field       string
	Channel     string
	Status      int
	Imported    bool
	ReceivedAt  *int64 // ms
	FinishedAt  *int64
	DueAt       *int64
	LateSuppAt  *int64 // the second supplement request
	LateAt      *int64 // counted late from then, if it ends (or is measured) after it
	LateReason  string // overdue, supplements
	Supplements int
	Completed   bool
	DoneMinutes int64
	Online      bool
	OnlineOK    bool
	Fee         bool
	PaidOnline  bool
	PaperResult bool
	EResult     bool
	Digitized   bool
	Reused      bool
	StoreReuse  bool
	Population  bool
}

// Late reasons.
const (
	ReasonOverdue     = "overdue"     // finished (or measured) after the due date
	ReasonSupplements = "supplements" // more than one supplement request
)

// input is what a fact is computed from: a dossier as the engine holds it,
// or as Recompute reads it back.
type input struct {
	d          *dossier.Dossier
	storeReuse bool   // a component taken from the citizen's document store
	lateSupp   *int64 // when the second supplement request was made
}

// day is the Vietnam date of ms as yyyymmdd.
func day(ms int64) int {
	t := time.UnixMilli(ms).In(calendar.Location)
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

func dayOf(p *int64) *int {
	if p == nil {
		return nil
	}
	d := day(*p)
	return &d
}

func ms(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMilli()
	return &v
}

// compute derives a dossier's fact. The rules are those of
// vietnam-rules.md §1 (on-time test) and §5 (the indicators' inputs).
func (s *Service) compute(in input) Fact {
	d := in.d
	f := Fact{DossierID: d.ID, Code: d.Code, Agency: d.Agency, Procedure: d.Procedure, Channel: string(d.Channel),
		Status: d.Status, Imported: d.Imported, Supplements: d.SupplementCount}
	var ver *catalog.Version
	if p, ok := s.cat.Catalog().Get(d.Procedure); ok {
		f.Field = p.Field
		if v, ok := p.Version(d.ProcedureVersion); ok {
			ver = v
		} else if v, ok := p.VersionAt(d.SubmittedAt); ok {
			ver = v
		} else if len(p.Versions) > 0 {
			ver = &p.Versions[len(p.Versions)-1]
		}
	}
	// A procedure motcua does not know (an imported one) is taken as not
	// issuing a paper result: nothing is demanded that cannot be checked.
	f.PaperResult = ver != nil && ver.Result.Kind == catalog.ResultPaper
	f.EResult = d.Result.FileURL != ""
	f.Online = d.Channel == catalog.ChannelOnline
	// §5 3.3: online only counts with an e-result where the result is a
	// paper document.
	f.OnlineOK = f.Online && (!f.PaperResult || f.EResult)
	f.Fee = d.Fee > 0
	f.PaidOnline = f.Fee && d.PaidOnline
	// §5 4.2 / §4: digitised = scans of the components and, where the
	// result is a paper document, an e-result.
	f.Digitized = d.Digitized && (!f.PaperResult || f.EResult)
	f.Reused = d.Reused > 0
	// §5 4.4: a component from the personal document store; an imported
	// dossier carries it as DuocLayTuKhoDMQG, kept as Reused.
	f.StoreReuse = in.storeReuse || (d.Imported && d.Reused > 0)
	// §5 4.5b: VNeID-authenticated account or population-database data.
	f.Population = d.PopulationData || d.VNeID
	if d.ReceivedAt == nil {
		return f // never received: counted nowhere
	}
	f.ReceivedAt = ms(d.ReceivedAt)
	f.FinishedAt = ms(d.FinishedAt)
	f.DueAt = ms(d.DueAt)
	f.Completed = d.Status == 9 || d.Status == 10
	if f.Completed && d.FinishedAt != nil {
		m := int64(s.cal.Calendar().WorkingMinutesBetween(*d.ReceivedAt, *d.FinishedAt)) - int64(d.PausedMinutes)
		f.DoneMinutes = max(m, 0)
	}
	// The on-time test (§1, §5 2.1): the end of processing against the due
	// date, which the engine has already moved by the time spent waiting for
	// the citizen (supplement time deducted). A dossier waiting on a
	// supplement is measured at the request date: late only if that was
	// after the due date. Unfinished dossiers are late from the due date
	// on, so a period ending later counts them late. LateAt is the instant
	// from which the dossier counts late.
	if f.DueAt != nil {
		due := *f.DueAt
		switch {
		case f.FinishedAt != nil:
			if *f.FinishedAt > due {
				f.LateAt, f.LateReason = &due, ReasonOverdue
			}
		case d.PausedAt != nil:
			if d.PausedAt.UnixMilli() > due {
				f.LateAt, f.LateReason = &due, ReasonOverdue
			}
		default:
			f.LateAt, f.LateReason = &due, ReasonOverdue
		}
	}
	// More than one supplement request counts late (§1, §5 2.1), from the
	// second request; an imported dossier gives no time, so from receipt.
	if d.CountsLate {
		at := *f.ReceivedAt
		if in.lateSupp != nil {
			at = *in.lateSupp
		}
		f.LateSuppAt = &at
		if f.LateAt == nil || at < *f.LateAt {
			f.LateAt, f.LateReason = &at, ReasonSupplements
		}
	}
	if f.LateAt != nil && f.FinishedAt != nil && *f.LateAt > *f.FinishedAt {
		v := *f.FinishedAt
		f.LateAt = &v
	}
	return f
}

// Counters of score_daily, in column order.
const (
	cReceived = iota
	cOnline
	cOnlineOK
	cFee
	cPaidOnline
	cDigitized
	cReused
	cStoreReuse
	cPopulation
	cFinished
	cLateFinished
	cCompleted
	cDoneMinutes
	cDonePaper
	cDoneEResult
	cLateStart
	nCounters
)

var counterCols = []string{"received", "online", "online_ok", "fee", "paid_online", "digitized", "reused", "store_reuse", "population",
	"finished", "late_finished", "completed", "done_minutes", "done_paper", "done_eresult", "late_start"}

type vec [nCounters]int64

type aggKey struct {
	agency, procedure string
	day               int
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// add adds (sign +1) or removes (−1) a fact's contribution to the sums of
// its days and of their months.
func (f *Fact) add(m map[aggKey]*vec, sign int64) {
	if f.ReceivedAt == nil {
		return
	}
	put := func(d int, c int, v int64) {
		if v == 0 {
			return
		}
		for _, k := range []aggKey{{f.Agency, f.Procedure, d}, {f.Agency, f.Procedure, d / 100}} {
			x := m[k]
			if x == nil {
				x = &vec{}
				m[k] = x
			}
			x[c] += sign * v
		}
	}
	r := day(*f.ReceivedAt)
	put(r, cReceived, 1)
	put(r, cOnline, b2i(f.Online))
	put(r, cOnlineOK, b2i(f.OnlineOK))
	put(r, cFee, b2i(f.Fee))
	put(r, cPaidOnline, b2i(f.PaidOnline))
	put(r, cDigitized, b2i(f.Digitized))
	put(r, cReused, b2i(f.Reused))
	put(r, cStoreReuse, b2i(f.StoreReuse))
	put(r, cPopulation, b2i(f.Population))
	if f.LateAt != nil {
		put(day(*f.LateAt), cLateStart, 1)
	}
	if f.FinishedAt != nil {
		fd := day(*f.FinishedAt)
		put(fd, cFinished, 1)
		put(fd, cLateFinished, b2i(f.LateAt != nil))
		if f.Completed {
			put(fd, cCompleted, 1)
			put(fd, cDoneMinutes, f.DoneMinutes)
			put(fd, cDonePaper, b2i(f.PaperResult))
			put(fd, cDoneEResult, b2i(f.PaperResult && f.EResult))
		}
	}
}

const factCols = `dossier_id, code, agency_code, procedure_code, field, channel, status, imported, received_at, recv_day, finished_at, fin_day,
	due_at, late_supp_at, late_at, late_day, late_reason, supplements, completed, done_minutes, online, online_ok, fee, paid_online,
	paper_result, e_result, digitized, reused, store_reuse, population`

func (f *Fact) args() []any {
	return []any{f.DossierID, f.Code, f.Agency, f.Procedure, f.Field, f.Channel, f.Status, b2i(f.Imported),
		nullInt(f.ReceivedAt), nullDay(f.ReceivedAt), nullInt(f.FinishedAt), nullDay(f.FinishedAt),
		nullInt(f.DueAt), nullInt(f.LateSuppAt), nullInt(f.LateAt), nullDay(f.LateAt), f.LateReason, f.Supplements,
		b2i(f.Completed), f.DoneMinutes, b2i(f.Online), b2i(f.OnlineOK), b2i(f.Fee), b2i(f.PaidOnline),
		b2i(f.PaperResult), b2i(f.EResult), b2i(f.Digitized), b2i(f.Reused), b2i(f.StoreReuse), b2i(f.Population)}
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func nullDay(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(day(*p)), Valid: true}
}

func scanFact(r interface{ Scan(...any) error }) (*Fact, error) {
	f := &Fact{}
	var recv, fin, due, supp, late, recvDay, finDay, lateDay sql.NullInt64
	var imported, completed, online, onlineOK, fee, paid, paper, eres, dig, reused, storeR, pop int64
	err := r.Scan(&f.DossierID, &f.Code, &f.Agency, &f.Procedure, &f.Field, &f.Channel, &f.Status, &imported, &recv, &recvDay, &fin, &finDay,
		&due, &supp, &late, &lateDay, &f.LateReason, &f.Supplements, &completed, &f.DoneMinutes, &online, &onlineOK, &fee, &paid,
		&paper, &eres, &dig, &reused, &storeR, &pop)
	if err != nil {
		return nil, err
	}
	ptr := func(n sql.NullInt64) *int64 {
		if !n.Valid {
			return nil
		}
		v := n.Int64
		return &v
	}
	f.ReceivedAt, f.FinishedAt, f.DueAt, f.LateSuppAt, f.LateAt = ptr(recv), ptr(fin), ptr(due), ptr(supp), ptr(late)
	f.Imported, f.Completed, f.Online, f.OnlineOK = imported == 1, completed == 1, online == 1, onlineOK == 1
	f.Fee, f.PaidOnline, f.PaperResult, f.EResult = fee == 1, paid == 1, paper == 1, eres == 1
	f.Digitized, f.Reused, f.StoreReuse, f.Population = dig == 1, reused == 1, storeR == 1, pop == 1
	return f, nil
}

// observe is the engine's observer: it rewrites the dossier's fact and
// moves the sums by the difference, in the dossier's own transaction.
func (s *Service) observe(ctx context.Context, tx store.Tx, d *dossier.Dossier, h *dossier.HistoryEntry) error {
	old, err := scanFact(tx.QueryRowContext(ctx, "SELECT "+factCols+" FROM score_facts WHERE dossier_id = $1", d.ID))
	if errors.Is(err, sql.ErrNoRows) {
		old, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("score: fact of %s: %w", d.Code, err)
	}
	in := input{d: d}
	for _, c := range d.Components {
		if c.Source == string(catalog.ReuseDocumentStore) {
			in.storeReuse = true
		}
	}
	switch {
	case h != nil && h.Action == dossier.ActionRequestSupplement && h.To == dossier.StateSupplementing && d.SupplementCount == 2:
		at := h.At.UnixMilli()
		in.lateSupp = &at
	case old != nil:
		in.lateSupp = old.LateSuppAt
	}
	f := s.compute(in)
	if _, err := tx.ExecContext(ctx, upsertFact, f.args()...); err != nil {
		return fmt.Errorf("score: fact of %s: %w", d.Code, err)
	}
	m := map[aggKey]*vec{}
	if old != nil {
		old.add(m, -1)
	}
	f.add(m, 1)
	return writeSums(ctx, tx, m)
}

var upsertFact = func() string {
	cols := strings.Split(strings.Join(strings.Fields(factCols), ""), ",")
	ph := make([]string, len(cols))
	var set []string
	for i, c := range cols {
		ph[i] = fmt.Sprintf("$%d", i+1)
		if c != "dossier_id" {
			set = append(set, c+" = excluded."+c)
		}
	}
	return "INSERT INTO score_facts (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(ph, ", ") +
		") ON CONFLICT (dossier_id) DO UPDATE SET " + strings.Join(set, ", ")
}()

// writeSums adds the non-zero differences to score_daily, in statements of
// a few hundred rows.
func writeSums(ctx context.Context, tx store.Tx, m map[aggKey]*vec) error {
	type row struct {
		k aggKey
		v *vec
	}
	var rows []row
	for k, v := range m {
		if *v != (vec{}) {
			rows = append(rows, row{k, v})
		}
	}
	var set []string
	for _, c := range counterCols {
		set = append(set, c+" = score_daily."+c+" + excluded."+c)
	}
	const per = 200
	for len(rows) > 0 {
		n := min(per, len(rows))
		var b strings.Builder
		b.WriteString("INSERT INTO score_daily (agency_code, procedure_code, day, " + strings.Join(counterCols, ", ") + ") VALUES ")
		args := make([]any, 0, n*(3+nCounters))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range 3 + nCounters {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "$%d", len(args)+j+1)
			}
			b.WriteString(")")
			args = append(args, r.k.agency, r.k.procedure, r.k.day)
			for _, x := range r.v {
				args = append(args, x)
			}
		}
		b.WriteString(" ON CONFLICT (agency_code, day, procedure_code) DO UPDATE SET " + strings.Join(set, ", "))
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("score: sums: %w", err)
		}
		rows = rows[n:]
	}
	return nil
}

// Recompute rebuilds every fact and sum from the dossiers and their
// history, in one transaction: after a migration, or to check the
// maintained figures.
func (s *Service) Recompute(ctx context.Context) error {
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		ins, err := s.readInputs(ctx, tx)
		if err != nil {
			return err
		}
		for _, q := range []string{"DELETE FROM score_facts", "DELETE FROM score_daily", "DELETE FROM score_meta"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("score: recompute: %w", err)
			}
		}
		m := map[aggKey]*vec{}
		const per = 500
		cols := strings.Count(factCols, ",") + 1
		for start := 0; start < len(ins); start += per {
			batch := ins[start:min(start+per, len(ins))]
			var b strings.Builder
			b.WriteString("INSERT INTO score_facts (" + factCols + ") VALUES ")
			args := make([]any, 0, len(batch)*cols)
			for i, in := range batch {
				f := s.compute(in)
				f.add(m, 1)
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(")
				for j := range cols {
					if j > 0 {
						b.WriteString(", ")
					}
					fmt.Fprintf(&b, "$%d", len(args)+j+1)
				}
				b.WriteString(")")
				args = append(args, f.args()...)
			}
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("score: recompute facts: %w", err)
			}
		}
		if err := writeSums(ctx, tx, m); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO score_meta (id, rebuilt_at) VALUES (1, $1)", s.now().UnixMilli())
		return err
	})
}

// readInputs reads every dossier as the fact computation needs it: the
// dossier row, whether a component came from the document store, and the
// time of the second supplement request from the history.
func (s *Service) readInputs(ctx context.Context, tx store.Tx) ([]input, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, agency_code, procedure_code, procedure_version, channel, status, imported,
		submitted_at, received_at, due_at, finished_at, paused_at, paused_minutes, supplement_count, counts_late,
		fee, paid_online, reused, population_data, vneid, digitized, result_doc FROM dossiers`)
	if err != nil {
		return nil, fmt.Errorf("score: read dossiers: %w", err)
	}
	var ins []input
	byID := map[string]int{}
	for rows.Next() {
		d := &dossier.Dossier{}
		var channel, result string
		var submitted int64
		var recv, due, fin, paused sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Code, &d.Agency, &d.Procedure, &d.ProcedureVersion, &channel, &d.Status, &d.Imported,
			&submitted, &recv, &due, &fin, &paused, &d.PausedMinutes, &d.SupplementCount, &d.CountsLate,
			&d.Fee, &d.PaidOnline, &d.Reused, &d.PopulationData, &d.VNeID, &d.Digitized, &result); err != nil {
			rows.Close()
			return nil, fmt.Errorf("score: read dossiers: %w", err)
		}
		d.Channel = catalog.Channel(channel)
		d.SubmittedAt = time.UnixMilli(submitted)
		d.ReceivedAt, d.DueAt, d.FinishedAt, d.PausedAt = tm(recv), tm(due), tm(fin), tm(paused)
		d.Result.FileURL = resultFile(result)
		byID[d.ID] = len(ins)
		ins = append(ins, input{d: d})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("score: read dossiers: %w", err)
	}
	rows, err = tx.QueryContext(ctx, "SELECT DISTINCT dossier_id FROM dossier_components WHERE source = $1", string(catalog.ReuseDocumentStore))
	if err != nil {
		return nil, fmt.Errorf("score: read components: %w", err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := byID[id]; ok {
			ins[i].storeReuse = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The second supplement request of each dossier (§1: more than one
	// counts late).
	rows, err = tx.QueryContext(ctx, `SELECT dossier_id, at FROM dossier_history WHERE action = $1 AND to_state = $2 ORDER BY dossier_id, seq`,
		dossier.ActionRequestSupplement, dossier.StateSupplementing)
	if err != nil {
		return nil, fmt.Errorf("score: read history: %w", err)
	}
	seen := map[string]int{}
	for rows.Next() {
		var id string
		var at int64
		if err := rows.Scan(&id, &at); err != nil {
			rows.Close()
			return nil, err
		}
		seen[id]++
		if i, ok := byID[id]; ok && seen[id] == 2 {
			ins[i].lateSupp = &at
		}
	}
	rows.Close()
	return ins, rows.Err()
}

func tm(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.UnixMilli(n.Int64).UTC()
	return &t
}
