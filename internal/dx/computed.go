package dx

import (
	"context"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// Figure is one computed value: numerator and denominator of a share, or
// a count (Numerator alone). OK is false when there is nothing to divide
// by: the page says "no data", never 0%.
type Figure struct {
	Numerator   int64   `json:"numerator"`
	Denominator int64   `json:"denominator"`
	Value       float64 `json:"value"`
	OK          bool    `json:"ok"`
}

func share(num, den int64) Figure {
	v, ok := Ratio(num, den)
	return Figure{Numerator: num, Denominator: den, Value: v, OK: ok}
}

func count(n int64) Figure { return Figure{Numerator: n, Value: float64(n), OK: true} }

// Figures are the computed indicators over one period [From, To).
type Figures struct {
	From, To time.Time
	ByKey    map[string]Figure
}

// One electronic result: the engine writes electronic_at into result_doc
// when a result file is attached (portable across both engines' JSON).
const eResult = `(result_doc LIKE '%"electronic_at"%')`

// onTime: finished by the promised date (after supplement pauses), no
// apology with a new date, at most one supplement request.
const onTime = `(finished_at <= due_at AND apologized_at IS NULL AND NOT counts_late)`

// Compute works the computed indicators out over [from, to) for an agency,
// from its dossiers and assisted submissions.
func (s *Service) Compute(ctx context.Context, agency string, from, to time.Time) (*Figures, error) {
	all, err := s.computePeriods(ctx, agency, [][2]time.Time{{from, to}})
	if err != nil {
		return nil, err
	}
	return &all[0], nil
}

// dossierFacts are what the figures need of one dossier; the flags are
// worked out by the database (the same SQL on both engines).
type dossierFacts struct {
	received, finished, due, paid      int64 // 0: none
	done, online, reused, onTime, eRes bool
	fee, paidOnline, open              bool
}

// computePeriods computes the figures for several periods at once (the
// chosen period and the trend's months) from one scan of the dossiers
// that can count in any of them: received, finished or paid in the
// window, or still open at its start.
func (s *Service) computePeriods(ctx context.Context, agency string, periods [][2]time.Time) ([]Figures, error) {
	lo, hi := periods[0][0], periods[0][1]
	for _, p := range periods {
		if p[0].Before(lo) {
			lo = p[0]
		}
		if p[1].After(hi) {
			hi = p[1]
		}
	}
	from, to := store.Millis(lo), store.Millis(hi)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT COALESCE(received_at, 0), COALESCE(finished_at, 0), COALESCE(due_at, 0), COALESCE(paid_at, 0),
		CASE WHEN status IN (9, 10) THEN 1 ELSE 0 END, CASE WHEN channel = 'online' THEN 1 ELSE 0 END, CASE WHEN reused > 0 THEN 1 ELSE 0 END,
		CASE WHEN `+onTime+` THEN 1 ELSE 0 END, CASE WHEN `+eResult+` THEN 1 ELSE 0 END,
		CASE WHEN fee > 0 THEN 1 ELSE 0 END, CASE WHEN paid_online THEN 1 ELSE 0 END, CASE WHEN status NOT IN (3, 7) THEN 1 ELSE 0 END
		FROM dossiers WHERE agency_code = $1 AND received_at < $3
		AND (received_at >= $2 OR finished_at IS NULL OR finished_at >= $2 OR paid_at >= $2)`, agency, from, to)
	if err != nil {
		return nil, wrap(err, "compute")
	}
	var facts []dossierFacts
	for rows.Next() {
		var f dossierFacts
		var flags [8]int
		if err := rows.Scan(&f.received, &f.finished, &f.due, &f.paid, &flags[0], &flags[1], &flags[2], &flags[3], &flags[4], &flags[5], &flags[6], &flags[7]); err != nil {
			rows.Close()
			return nil, wrap(err, "compute")
		}
		f.done, f.online, f.reused, f.onTime, f.eRes, f.fee, f.paidOnline, f.open = flags[0] == 1, flags[1] == 1, flags[2] == 1, flags[3] == 1, flags[4] == 1, flags[5] == 1, flags[6] == 1, flags[7] == 1
		facts = append(facts, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "compute")
	}
	var assisted []int64
	rows, err = s.db.Read().QueryContext(ctx, `SELECT a.at FROM assist_dossiers a JOIN dossiers d ON d.code = a.dossier_code
		WHERE d.agency_code = $1 AND a.at >= $2 AND a.at < $3`, agency, from, to)
	if err != nil {
		return nil, wrap(err, "compute assisted")
	}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return nil, wrap(err, "compute assisted")
		}
		assisted = append(assisted, at)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "compute assisted")
	}
	out := make([]Figures, len(periods))
	for i, p := range periods {
		a, b := store.Millis(p[0]), store.Millis(p[1])
		in := func(t int64) bool { return t != 0 && t >= a && t < b }
		var received, online, reused, finished, onTime, eRes, overdue, paid, paidOnline, help int64
		for _, f := range facts {
			if in(f.received) {
				received++
				if f.online {
					online++
				}
				if f.reused {
					reused++
				}
			}
			if f.done && in(f.finished) {
				finished++
				if f.onTime {
					onTime++
				}
				if f.eRes {
					eRes++
				}
			}
			// Still open at the period's end, and overdue then: late.
			if f.open && f.received < b && (f.finished == 0 || f.finished >= b) && f.due != 0 && f.due < b {
				overdue++
			}
			if f.fee && in(f.paid) {
				paid++
				if f.paidOnline {
					paidOnline++
				}
			}
		}
		for _, at := range assisted {
			if in(at) {
				help++
			}
		}
		out[i] = Figures{From: p[0], To: p[1], ByKey: map[string]Figure{
			OnlineShare:   share(online, received),
			Reuse:         share(reused, received),
			OnTime:        share(onTime, finished+overdue),
			EResults:      share(eRes, finished),
			OnlinePayment: share(paidOnline, paid),
			Assisted:      count(help),
		}}
	}
	return out, nil
}

// VillageTeam is one row of the community digital teams panel: a
// village's team, or (Village "") the officers at the centre.
type VillageTeam struct {
	Village     string `json:"village"`
	VillageName string `json:"village_name"`
	TeamName    string `json:"team_name"`
	HasTeam     bool   `json:"has_team"`
	Active      bool   `json:"active"`
	Members     int64  `json:"members"`  // active members
	Sessions    int64  `json:"sessions"` // assisted portal sessions opened
	People      int64  `json:"people"`   // distinct citizens who consented
	Dossiers    int64  `json:"dossiers"` // dossiers submitted with help
}

// Teams is the panel: every village with its team and work in the period,
// and the officers at the centre.
type Teams struct {
	Villages []VillageTeam `json:"villages"`
	Centre   VillageTeam   `json:"centre"`
	// Totals over the villages' teams.
	TeamCount, ActiveTeams, Members, Sessions, People, Dossiers int64
}

// TeamsPanel computes the panel for an agency over [from, to).
func (s *Service) TeamsPanel(ctx context.Context, agency string, from, to time.Time) (*Teams, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT v.code, v.name, COALESCE(t.id, ''), COALESCE(t.name, ''), COALESCE(t.active, FALSE),
		(SELECT COUNT(*) FROM assist_members m WHERE m.team_id = t.id AND m.active)
		FROM villages v LEFT JOIN assist_teams t ON t.agency_code = v.agency_code AND t.village_code = v.code
		WHERE v.agency_code = $1 ORDER BY v.code`, agency)
	if err != nil {
		return nil, wrap(err, "teams")
	}
	var out Teams
	idx := map[string]int{} // team id → row
	for rows.Next() {
		var vt VillageTeam
		var id string
		if err := rows.Scan(&vt.Village, &vt.VillageName, &id, &vt.TeamName, &vt.Active, &vt.Members); err != nil {
			rows.Close()
			return nil, wrap(err, "teams")
		}
		vt.HasTeam = id != ""
		if vt.HasTeam {
			idx[id] = len(out.Villages)
		}
		out.Villages = append(out.Villages, vt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "teams")
	}
	out.Centre = VillageTeam{HasTeam: false}
	// Work by helper's team ('' = officers at the centre).
	helperTeam := `CASE WHEN c.helper_kind = 'member' THEN COALESCE(m.team_id, '') ELSE '' END`
	join := ` JOIN assist_consents c ON c.id = x.consent_id LEFT JOIN assist_members m ON c.helper_kind = 'member' AND m.id = c.helper_id`
	add := func(q string, set func(r *VillageTeam, n int64)) error {
		rows, err := s.db.Read().QueryContext(ctx, q, agency, store.Millis(from), store.Millis(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var team string
			var n int64
			if err := rows.Scan(&team, &n); err != nil {
				return err
			}
			if i, ok := idx[team]; ok {
				set(&out.Villages[i], n)
			} else if team == "" {
				set(&out.Centre, n)
			}
		}
		return rows.Err()
	}
	err = add(`SELECT `+helperTeam+`, COUNT(*) FROM assist_log x`+join+`
		WHERE c.agency_code = $1 AND x.action = 'session.opened' AND x.at >= $2 AND x.at < $3 GROUP BY 1`,
		func(r *VillageTeam, n int64) { r.Sessions = n })
	if err == nil {
		err = add(`SELECT `+helperTeam+`, COUNT(DISTINCT x.id_number) FROM assist_consents x`+strings.Replace(join, "c.id = x.consent_id", "c.id = x.id", 1)+`
			WHERE c.agency_code = $1 AND x.consented_at >= $2 AND x.consented_at < $3 GROUP BY 1`,
			func(r *VillageTeam, n int64) { r.People = n })
	}
	if err == nil {
		err = add(`SELECT `+helperTeam+`, COUNT(*) FROM assist_dossiers x`+join+`
			WHERE c.agency_code = $1 AND x.at >= $2 AND x.at < $3 GROUP BY 1`,
			func(r *VillageTeam, n int64) { r.Dossiers = n })
	}
	if err != nil {
		return nil, wrap(err, "team work")
	}
	for _, v := range out.Villages {
		if v.HasTeam {
			out.TeamCount++
			if v.Active {
				out.ActiveTeams++
			}
		}
		out.Members += v.Members
		out.Sessions += v.Sessions
		out.People += v.People
		out.Dossiers += v.Dossiers
	}
	return &out, nil
}
