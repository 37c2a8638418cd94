package dx

import (
	"context"
	"fmt"
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
// with SQL over its dossiers and assisted submissions.
func (s *Service) Compute(ctx context.Context, agency string, from, to time.Time) (*Figures, error) {
	all, err := s.computeBuckets(ctx, agency, []time.Time{from, to})
	if err != nil {
		return nil, err
	}
	return &all[0], nil
}

// computeBuckets computes the figures for consecutive periods bounded by
// edges (n+1 edges, n periods), each query grouping by period in one scan.
func (s *Service) computeBuckets(ctx context.Context, agency string, edges []time.Time) ([]Figures, error) {
	n := len(edges) - 1
	out := make([]Figures, n)
	for i := range out {
		out[i] = Figures{From: edges[i], To: edges[i+1], ByKey: map[string]Figure{}}
	}
	ms := make([]any, 0, len(edges)+1)
	ms = append(ms, agency)
	for _, e := range edges {
		ms = append(ms, store.Millis(e))
	}
	// bucket(col) is the period index of col, as a CASE over the edges.
	bucket := func(col string) string {
		var b strings.Builder
		b.WriteString("CASE")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, " WHEN %s < $%d THEN %d", col, i+2, i-1)
		}
		b.WriteString(" END")
		return b.String()
	}
	in := func(col string) string {
		return fmt.Sprintf("%s >= $2 AND %s < $%d", col, col, n+2)
	}
	type acc struct{ a, b, c int64 }
	run := func(q string, fn func(i int, x acc)) error {
		rows, err := s.db.Read().QueryContext(ctx, q, ms...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i int
			var x acc
			if err := rows.Scan(&i, &x.a, &x.b, &x.c); err != nil {
				return err
			}
			if i >= 0 && i < n {
				fn(i, x)
			}
		}
		return rows.Err()
	}
	received := make([]acc, n)
	finished := make([]acc, n)
	paid := make([]acc, n)
	assisted := make([]int64, n)
	err := run(`SELECT `+bucket("received_at")+` AS p, COUNT(*),
		COALESCE(SUM(CASE WHEN channel = 'online' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN reused > 0 THEN 1 ELSE 0 END), 0)
		FROM dossiers WHERE agency_code = $1 AND `+in("received_at")+` GROUP BY 1`,
		func(i int, x acc) { received[i] = x })
	if err == nil {
		err = run(`SELECT `+bucket("finished_at")+` AS p, COUNT(*),
			COALESCE(SUM(CASE WHEN `+onTime+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN `+eResult+` THEN 1 ELSE 0 END), 0)
			FROM dossiers WHERE agency_code = $1 AND status IN (9, 10) AND `+in("finished_at")+` GROUP BY 1`,
			func(i int, x acc) { finished[i] = x })
	}
	if err == nil {
		err = run(`SELECT `+bucket("paid_at")+` AS p, COUNT(*),
			COALESCE(SUM(CASE WHEN paid_online THEN 1 ELSE 0 END), 0), 0
			FROM dossiers WHERE agency_code = $1 AND fee > 0 AND `+in("paid_at")+` GROUP BY 1`,
			func(i int, x acc) { paid[i] = x })
	}
	if err == nil {
		err = run(`SELECT `+bucket("a.at")+` AS p, COUNT(*), 0, 0
			FROM assist_dossiers a JOIN dossiers d ON d.code = a.dossier_code
			WHERE d.agency_code = $1 AND `+in("a.at")+` GROUP BY 1`,
			func(i int, x acc) { assisted[i] = x.a })
	}
	if err != nil {
		return nil, wrap(err, "compute")
	}
	// Dossiers still open and overdue at each period's end count as late.
	for i := range out {
		var overdue int64
		end := store.Millis(edges[i+1])
		if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM dossiers WHERE agency_code = $1
			AND received_at < $2 AND (finished_at IS NULL OR finished_at >= $2) AND due_at < $2 AND status NOT IN (3, 7)`,
			agency, end).Scan(&overdue); err != nil {
			return nil, wrap(err, "compute overdue")
		}
		f := out[i].ByKey
		f[OnlineShare] = share(received[i].b, received[i].a)
		f[Reuse] = share(received[i].c, received[i].a)
		f[OnTime] = share(finished[i].b, finished[i].a+overdue)
		f[EResults] = share(finished[i].c, finished[i].a)
		f[OnlinePayment] = share(paid[i].b, paid[i].a)
		f[Assisted] = count(assisted[i])
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
