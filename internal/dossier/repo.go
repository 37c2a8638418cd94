package dossier

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/motcua/motcua/internal/vntext"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/store"
)

// errNotFound is returned by the repository for an unknown dossier.
var errNotFound = errors.New("dossier: not found")

const dossierCols = `id, code, agency_code, procedure_code, procedure_version, procedure_name, channel, state, status,
	applicant_name, applicant_id, applicant_phone, applicant_doc, form, lookup_key,
	submitted_at, received_at, due_at, original_due_at, step_roles, transferred_at, step_started_at, step_due_at, finished_at, returned_at,
	assignee_id, assignee_name, resume_state, paused_at, paused_minutes, supplement_count, supplement_by, counts_late,
	apologized_at, fee, paid_at, paid_online, reused, population_data, vneid, digitized, result_doc,
	due_soon_at, overdue_at, imported, rev`

type rowScanner interface{ Scan(dest ...any) error }

func msPtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.UnixMilli(n.Int64).UTC()
	return &t
}

func nullMs(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func scanDossier(r rowScanner) (*Dossier, error) {
	d := &Dossier{}
	var (
		channel, applicantDoc, form, resultDoc                                          string
		submitted                                                                       int64
		received, due, origDue, stepStart, stepDue, finished, returned, paused, apology sql.NullInt64
		transferred                                                                     sql.NullInt64
		stepRoles, supplementBy                                                         string
		paid, dueSoon, overdue                                                          sql.NullInt64
	)
	err := r.Scan(&d.ID, &d.Code, &d.Agency, &d.Procedure, &d.ProcedureVersion, &d.ProcedureName, &channel, &d.State, &d.Status,
		&d.Applicant.Name, &d.Applicant.IDNumber, &d.Applicant.Phone, &applicantDoc, &form, &d.LookupKey,
		&submitted, &received, &due, &origDue, &stepRoles, &transferred, &stepStart, &stepDue, &finished, &returned,
		&d.AssigneeID, &d.AssigneeName, &d.ResumeState, &paused, &d.PausedMinutes, &d.SupplementCount, &supplementBy, &d.CountsLate,
		&apology, &d.Fee, &paid, &d.PaidOnline, &d.Reused, &d.PopulationData, &d.VNeID, &d.Digitized, &resultDoc,
		&dueSoon, &overdue, &d.Imported, &d.Rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("dossier: scan: %w", err)
	}
	d.Channel = catalog.Channel(channel)
	d.SubmittedAt = time.UnixMilli(submitted).UTC()
	d.ReceivedAt, d.DueAt, d.OriginalDueAt = msPtr(received), msPtr(due), msPtr(origDue)
	d.StepRoles = strings.Fields(stepRoles)
	d.SupplementBy = strings.Fields(supplementBy)
	d.TransferredAt = msPtr(transferred)
	d.StepStartedAt, d.StepDueAt, d.FinishedAt, d.ReturnedAt = msPtr(stepStart), msPtr(stepDue), msPtr(finished), msPtr(returned)
	d.PausedAt, d.ApologizedAt, d.PaidAt, d.DueSoonAt, d.OverdueAt = msPtr(paused), msPtr(apology), msPtr(paid), msPtr(dueSoon), msPtr(overdue)
	var extra struct {
		Kind    string `json:"kind"`
		Email   string `json:"email"`
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(applicantDoc), &extra); err != nil {
		return nil, fmt.Errorf("dossier %s: applicant: %w", d.Code, err)
	}
	d.Applicant.Kind, d.Applicant.Email, d.Applicant.Address = extra.Kind, extra.Email, extra.Address
	if err := json.Unmarshal([]byte(form), &d.Form); err != nil {
		return nil, fmt.Errorf("dossier %s: form: %w", d.Code, err)
	}
	if err := json.Unmarshal([]byte(resultDoc), &d.Result); err != nil {
		return nil, fmt.Errorf("dossier %s: result: %w", d.Code, err)
	}
	d.StatusName = StatusName(d.Status)
	return d, nil
}

// loadForUpdate reads a dossier inside a write transaction.
func loadByCode(ctx context.Context, q store.Tx, code string) (*Dossier, error) {
	d, err := scanDossier(q.QueryRowContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE code = $1", code))
	if err != nil {
		return nil, err
	}
	d.Components, err = loadComponents(ctx, q, d.ID)
	return d, err
}

func loadComponents(ctx context.Context, q store.Tx, id string) ([]Component, error) {
	rows, err := q.QueryContext(ctx, `SELECT component_id, name, form, count, provided, source, files
		FROM dossier_components WHERE dossier_id = $1 ORDER BY component_id`, id)
	if err != nil {
		return nil, fmt.Errorf("dossier: components: %w", err)
	}
	defer rows.Close()
	var out []Component
	for rows.Next() {
		var c Component
		var form string
		if err := rows.Scan(&c.ID, &c.Name, &form, &c.Count, &c.Provided, &c.Source, &c.Files); err != nil {
			return nil, fmt.Errorf("dossier: components: %w", err)
		}
		c.Form = catalog.ComponentForm(form)
		out = append(out, c)
	}
	return out, rows.Err()
}

func insertDossier(ctx context.Context, tx store.Tx, d *Dossier, now time.Time) error {
	for _, st := range dossierStmts(d, now) {
		if _, err := tx.ExecContext(ctx, st.SQL, st.Args...); err != nil {
			return fmt.Errorf("dossier: insert %s: %w", d.Code, err)
		}
	}
	return nil
}

// dossierStmts are the statements that insert a dossier and its components.
func dossierStmts(d *Dossier, now time.Time) []store.Stmt {
	applicantDoc, _ := json.Marshal(map[string]string{"kind": d.Applicant.Kind, "email": d.Applicant.Email, "address": d.Applicant.Address})
	form, _ := json.Marshal(d.Form)
	if d.Form == nil {
		form = []byte("{}")
	}
	result, _ := json.Marshal(d.Result)
	ms := now.UnixMilli()
	stmts := []store.Stmt{{SQL: `INSERT INTO dossiers (id, code, agency_code, procedure_code, procedure_version, procedure_name, channel, state, status,
		applicant_name, applicant_id, applicant_phone, applicant_doc, form, lookup_key,
		submitted_at, received_at, due_at, original_due_at, step_started_at, step_due_at, finished_at, returned_at,
		fee, reused, population_data, vneid, digitized, result_doc, imported, step_roles, transferred_at,
		supplement_count, counts_late, paused_minutes, paid_online, rev, created_at, updated_at, applicant_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		$24, $25, $26, $27, $28, $29, $30, $32, $33, $34, $35, $36, $37, 1, $31, $31, $38)`, Args: []any{
		d.ID, d.Code, d.Agency, d.Procedure, d.ProcedureVersion, d.ProcedureName, string(d.Channel), d.State, d.Status,
		d.Applicant.Name, d.Applicant.IDNumber, d.Applicant.Phone, string(applicantDoc), string(form), d.LookupKey,
		d.SubmittedAt.UnixMilli(), nullMs(d.ReceivedAt), nullMs(d.DueAt), nullMs(d.OriginalDueAt), nullMs(d.StepStartedAt), nullMs(d.StepDueAt),
		nullMs(d.FinishedAt), nullMs(d.ReturnedAt),
		d.Fee, d.Reused, d.PopulationData, d.VNeID, d.Digitized, string(result), d.Imported, ms,
		strings.Join(d.StepRoles, " "), nullMs(d.TransferredAt),
		d.SupplementCount, d.CountsLate, d.PausedMinutes, d.PaidOnline, vntext.Fold(d.Applicant.Name)}}}
	if len(d.Components) > 0 {
		var b strings.Builder
		b.WriteString("INSERT INTO dossier_components (dossier_id, component_id, name, form, count, provided, source, files) VALUES ")
		args := make([]any, 0, 8*len(d.Components))
		for i, c := range d.Components {
			if i > 0 {
				b.WriteString(", ")
			}
			n := i * 8
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, d.ID, c.ID, c.Name, string(c.Form), c.Count, c.Provided, c.Source, c.Files)
		}
		stmts = append(stmts, store.Stmt{SQL: b.String(), Args: args})
	}
	return stmts
}

// updateDossier writes the mutable fields back, guarded by the row version.
func updateDossier(ctx context.Context, tx store.Tx, d *Dossier, now time.Time) error {
	result, _ := json.Marshal(d.Result)
	res, err := tx.ExecContext(ctx, `UPDATE dossiers SET state = $1, status = $2, received_at = $3, due_at = $4, original_due_at = $5,
		step_started_at = $6, step_due_at = $7, finished_at = $8, returned_at = $9, assignee_id = $10, assignee_name = $11,
		resume_state = $12, paused_at = $13, paused_minutes = $14, supplement_count = $15, counts_late = $16, apologized_at = $17,
		fee = $18, paid_at = $19, paid_online = $20, result_doc = $21, due_soon_at = $22, overdue_at = $23,
		step_roles = $27, transferred_at = $28, supplement_by = $29, rev = rev + 1, updated_at = $24
		WHERE id = $25 AND rev = $26`,
		d.State, d.Status, nullMs(d.ReceivedAt), nullMs(d.DueAt), nullMs(d.OriginalDueAt),
		nullMs(d.StepStartedAt), nullMs(d.StepDueAt), nullMs(d.FinishedAt), nullMs(d.ReturnedAt), d.AssigneeID, d.AssigneeName,
		d.ResumeState, nullMs(d.PausedAt), d.PausedMinutes, d.SupplementCount, d.CountsLate, nullMs(d.ApologizedAt),
		d.Fee, nullMs(d.PaidAt), d.PaidOnline, string(result), nullMs(d.DueSoonAt), nullMs(d.OverdueAt),
		now.UnixMilli(), d.ID, d.Rev, strings.Join(d.StepRoles, " "), nullMs(d.TransferredAt), strings.Join(d.SupplementBy, " "))
	if err != nil {
		return fmt.Errorf("dossier: update %s: %w", d.Code, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errConcurrent
	}
	d.Rev++
	return nil
}

var errConcurrent = errors.New("dossier: changed by someone else meanwhile")

func insertHistory(ctx context.Context, tx store.Tx, dossierID string, h *HistoryEntry) error {
	st, err := historyStmt(ctx, tx, dossierID, h)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, st.SQL, st.Args...); err != nil {
		return fmt.Errorf("dossier: history: %w", err)
	}
	return nil
}

// historyStmt is the statement that writes a history row; it finds the
// row's number first if the caller did not set it.
func historyStmt(ctx context.Context, tx store.Tx, dossierID string, h *HistoryEntry) (store.Stmt, error) {
	detail := "{}"
	if len(h.Detail) > 0 {
		b, err := json.Marshal(h.Detail)
		if err != nil {
			return store.Stmt{}, fmt.Errorf("dossier: history detail: %w", err)
		}
		detail = string(b)
	}
	if h.Seq == 0 {
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) + 1 FROM dossier_history WHERE dossier_id = $1", dossierID).Scan(&h.Seq); err != nil {
			return store.Stmt{}, fmt.Errorf("dossier: history seq: %w", err)
		}
	}
	return store.Stmt{SQL: `INSERT INTO dossier_history (dossier_id, seq, at, actor_id, actor_name, actor_role, action,
		from_state, to_state, from_status, to_status, step_due_at, outcome, comment, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, Args: []any{
		dossierID, h.Seq, h.At.UnixMilli(), h.ActorID, h.ActorName, h.ActorRole, h.Action,
		h.From, h.To, h.FromStatus, h.ToStatus, nullMs(h.StepDueAt), h.Outcome, h.Comment, detail}}, nil
}

func loadHistory(ctx context.Context, q store.Tx, dossierID string) ([]HistoryEntry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+historyCols+` FROM dossier_history WHERE dossier_id = $1 ORDER BY seq`, dossierID)
	if err != nil {
		return nil, fmt.Errorf("dossier: history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var id string
		h, err := scanHistory(rows, &id)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

const historyCols = `dossier_id, seq, at, actor_id, actor_name, actor_role, action, from_state, to_state,
		from_status, to_status, step_due_at, outcome, comment, detail`

func scanHistory(rows *sql.Rows, dossierID *string) (HistoryEntry, error) {
	var h HistoryEntry
	var at int64
	var stepDue sql.NullInt64
	var detail string
	if err := rows.Scan(dossierID, &h.Seq, &at, &h.ActorID, &h.ActorName, &h.ActorRole, &h.Action, &h.From, &h.To,
		&h.FromStatus, &h.ToStatus, &stepDue, &h.Outcome, &h.Comment, &detail); err != nil {
		return h, fmt.Errorf("dossier: history: %w", err)
	}
	h.At = time.UnixMilli(at).UTC()
	h.StepDueAt = msPtr(stepDue)
	if detail != "{}" && detail != "" {
		json.Unmarshal([]byte(detail), &h.Detail)
	}
	return h, nil
}

// loadMany reads several dossiers with their components and histories in
// three queries, whatever their number (a leader's desk lists hundreds).
func loadMany(ctx context.Context, q store.Tx, codes []string) (map[string]*Dossier, map[string][]HistoryEntry, error) {
	byCode := map[string]*Dossier{}
	hist := map[string][]HistoryEntry{}
	if len(codes) == 0 {
		return byCode, hist, nil
	}
	ph := make([]string, len(codes))
	args := make([]any, len(codes))
	for i, c := range codes {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), c
	}
	rows, err := q.QueryContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE code IN ("+strings.Join(ph, ", ")+")", args...)
	if err != nil {
		return nil, nil, fmt.Errorf("dossier: load: %w", err)
	}
	byID := map[string]*Dossier{}
	for rows.Next() {
		d, err := scanDossier(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		byCode[d.Code], byID[d.ID] = d, d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("dossier: load: %w", err)
	}
	if len(byID) == 0 {
		return byCode, hist, nil
	}
	ph, args = ph[:0], args[:0]
	for id := range byID {
		args = append(args, id)
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	rows, err = q.QueryContext(ctx, `SELECT dossier_id, component_id, name, form, count, provided, source, files
		FROM dossier_components WHERE dossier_id IN `+in+` ORDER BY dossier_id, component_id`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("dossier: components: %w", err)
	}
	for rows.Next() {
		var id, form string
		var c Component
		if err := rows.Scan(&id, &c.ID, &c.Name, &form, &c.Count, &c.Provided, &c.Source, &c.Files); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("dossier: components: %w", err)
		}
		c.Form = catalog.ComponentForm(form)
		byID[id].Components = append(byID[id].Components, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("dossier: components: %w", err)
	}
	rows, err = q.QueryContext(ctx, "SELECT "+historyCols+" FROM dossier_history WHERE dossier_id IN "+in+" ORDER BY dossier_id, seq", args...)
	if err != nil {
		return nil, nil, fmt.Errorf("dossier: history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		h, err := scanHistory(rows, &id)
		if err != nil {
			return nil, nil, err
		}
		hist[id] = append(hist[id], h)
	}
	return byCode, hist, rows.Err()
}
