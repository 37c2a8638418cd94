package score

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/store"
)

// Which side of an indicator Members lists.
const (
	Numerator   = "numerator"
	Denominator = "denominator"
)

// Page is a page of a listing.
type Page struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"` // 1–500, default 50
}

// Member is one dossier counted by an indicator.
type Member struct {
	Code       string     `json:"code"`
	Agency     string     `json:"agency"`
	Procedure  string     `json:"procedure"`
	Field      string     `json:"field,omitempty"`
	Channel    string     `json:"channel"`
	ReceivedAt time.Time  `json:"received_at"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Late: counted late by indicator 2.1 at the period's end.
	Late       bool      `json:"late"`
	LateReason string    `json:"late_reason,omitempty"` // overdue, supplements
	LateStep   *LateStep `json:"late_step,omitempty"`
}

// LateStep is the step that made a dossier late and who held it.
type LateStep struct {
	State   string     `json:"state"`              // the workflow state being handled
	Action  string     `json:"action,omitempty"`   // the action that left it late (empty: still there)
	StepDue *time.Time `json:"step_due,omitempty"` // the step's deadline
	At      *time.Time `json:"at,omitempty"`
	Officer string     `json:"officer"` // who held it
}

// MemberPage is a page of members and their total.
type MemberPage struct {
	Indicator string   `json:"indicator"`
	Which     string   `json:"which"`
	Total     int      `json:"total"`
	Members   []Member `json:"members"`
}

// memberConds are, per indicator, the conditions on score_facts of its
// denominator and of its numerator (added to the denominator's). $F and $T
// are the period's first and last days.
var memberConds = map[string][2]string{
	"2.1":  {"recv_day <= $T AND (fin_day IS NULL OR fin_day >= $F)", "NOT (late_day IS NOT NULL AND late_day <= $T)"},
	"2.2":  {"fin_day BETWEEN $F AND $T AND completed = 1", "1 = 1"},
	"3.3":  {"recv_day BETWEEN $F AND $T", "online_ok = 1"},
	"3.6":  {"recv_day BETWEEN $F AND $T AND fee = 1", "paid_online = 1"},
	"4.1":  {"fin_day BETWEEN $F AND $T AND completed = 1 AND paper_result = 1", "e_result = 1"},
	"4.2":  {"recv_day BETWEEN $F AND $T", "digitized = 1"},
	"4.3":  {"recv_day BETWEEN $F AND $T", "reused = 1"},
	"4.4":  {"recv_day BETWEEN $F AND $T", "store_reuse = 1"},
	"4.5b": {"recv_day BETWEEN $F AND $T", "population = 1"},
}

// Members lists the dossiers counted in an indicator's numerator or
// denominator, oldest first; a late dossier comes with the step that made
// it late and the officer who held it (from its history).
func (s *Service) Members(ctx context.Context, id string, q Query, which string, page Page) (*MemberPage, error) {
	if err := q.normalize(); err != nil {
		return nil, err
	}
	conds, ok := memberConds[id]
	if !ok {
		return nil, apperr.Field("indicator", "no_members", "Chỉ số này không tính theo từng hồ sơ.")
	}
	if which != Numerator && which != Denominator {
		return nil, apperr.Field("which", "invalid_which", "Chọn tử số (numerator) hoặc mẫu số (denominator).")
	}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	if page.Limit > 500 || page.Offset < 0 {
		return nil, apperr.Field("limit", "invalid_page", "Trang không hợp lệ (tối đa 500 dòng).")
	}
	ags, err := s.agencies(ctx, q)
	if err != nil {
		return nil, err
	}
	var a argList
	from, to := dayT(q.From), dayT(q.To)
	where := a.in("agency_code", ags) + " AND received_at IS NOT NULL"
	cond := conds[0]
	if which == Numerator {
		cond += " AND " + conds[1]
	}
	fArg, tArg := a.add(from), a.add(to)
	for _, r := range [][2]string{{"$F", fArg}, {"$T", tArg}} {
		cond = strings.ReplaceAll(cond, r[0], r[1])
	}
	where += " AND " + cond
	if procs := s.filterProcs(q); procs != nil {
		where += " AND " + a.in("procedure_code", procs)
	}
	out := &MemberPage{Indicator: id, Which: which, Members: []Member{}}
	err = s.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM score_facts WHERE "+where, a.args...).Scan(&out.Total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT dossier_id, code, agency_code, procedure_code, field, channel, received_at, due_at, finished_at,
			late_day, late_reason FROM score_facts WHERE `+where+fmt.Sprintf(" ORDER BY received_at, code LIMIT %d OFFSET %d", page.Limit, page.Offset), a.args...)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var m Member
			var id string
			var recv int64
			var due, fin, lateDay sql.NullInt64
			if err := rows.Scan(&id, &m.Code, &m.Agency, &m.Procedure, &m.Field, &m.Channel, &recv, &due, &fin, &lateDay, &m.LateReason); err != nil {
				rows.Close()
				return err
			}
			m.ReceivedAt = time.UnixMilli(recv).UTC()
			m.DueAt, m.FinishedAt = tm(due), tm(fin)
			m.Late = lateDay.Valid && int(lateDay.Int64) <= to
			if !m.Late {
				m.LateReason = ""
			}
			out.Members = append(out.Members, m)
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out.Members {
			if out.Members[i].Late {
				ls, err := lateStep(ctx, tx, ids[i], out.Members[i].LateReason)
				if err != nil {
					return err
				}
				out.Members[i].LateStep = ls
			}
		}
		return nil
	})
	if err != nil {
		return nil, apperr.Wrap(err, "score members")
	}
	return out, nil
}

// lateStep finds, in a dossier's history (the control slip), the step that
// made it late: the second supplement request when that is the reason,
// else the first step left after its deadline; failing both, the step the
// dossier is still in, with its assignee.
func lateStep(ctx context.Context, tx store.Tx, dossierID, reason string) (*LateStep, error) {
	rows, err := tx.QueryContext(ctx, `SELECT at, actor_name, action, from_state, to_state, step_due_at, outcome, detail
		FROM dossier_history WHERE dossier_id = $1 ORDER BY seq`, dossierID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	supp := 0
	var found *LateStep
	for rows.Next() {
		var at int64
		var actor, action, from, to, outcome, detail string
		var stepDue sql.NullInt64
		if err := rows.Scan(&at, &actor, &action, &from, &to, &stepDue, &outcome, &detail); err != nil {
			return nil, err
		}
		if found != nil {
			continue
		}
		t := time.UnixMilli(at).UTC()
		if action == "request_supplement" && to == "supplementing" {
			supp++
			if supp == 2 && reason == ReasonSupplements {
				found = &LateStep{State: from, Action: action, At: &t, StepDue: tm(stepDue), Officer: actor}
				continue
			}
		}
		if outcome == "late" && reason != ReasonSupplements {
			found = &LateStep{State: from, Action: action, At: &t, StepDue: tm(stepDue), Officer: actor}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if found != nil {
		return found, nil
	}
	var state, assignee string
	var stepDue sql.NullInt64
	err = tx.QueryRowContext(ctx, "SELECT state, assignee_name, step_due_at FROM dossiers WHERE id = $1", dossierID).Scan(&state, &assignee, &stepDue)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &LateStep{State: state, StepDue: tm(stepDue), Officer: assignee}, nil
}
