package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// SeedAssist writes the demo commune's 40 community digital-technology
// teams (one per village) and their 202 synthetic members, as Hoa Lộc
// reports: a team leader and four or five members each. Members get no
// access code: an administrator issues one at /staff/admin/teams.
func SeedAssist(ctx context.Context, db *store.DB, now time.Time) (teams, members int, err error) {
	c, err := LoadCommune()
	if err != nil {
		return 0, 0, err
	}
	n, err := loadNames()
	if err != nil {
		return 0, 0, err
	}
	r := rand.New(rand.NewPCG(16072, 202))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	// 202 members over 40 teams: 22 teams of five and 18 of six.
	const total = 202
	err = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		teams, members = 0, 0
		ms := now.UnixMilli()
		phones := map[string]bool{}
		for i, v := range c.Villages {
			id := fmt.Sprintf("tcns-%s", villageCode(i))
			if _, err := tx.ExecContext(ctx, `INSERT INTO assist_teams (id, agency_code, village_code, name, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, TRUE, $5, $5)`, id, c.Home, villageCode(i), "Tổ công nghệ số cộng đồng thôn "+v.Name, ms); err != nil {
				return fmt.Errorf("demo: team %s: %w", v.Name, err)
			}
			teams++
			size := total / len(c.Villages)
			if i < total%len(c.Villages) {
				size++
			}
			for j := 0; j < size; j++ {
				name := pick(n.Family) + " " + pick(n.MaleMiddle) + " " + pick(n.MaleGiven)
				if r.IntN(2) == 0 {
					name = pick(n.Family) + " " + pick(n.FemaleMiddle) + " " + pick(n.FemaleGiven)
				}
				var phone string
				for phone == "" || phones[phone] {
					phone = fmt.Sprintf("09%d%07d", []int{1, 4, 8, 7, 6}[r.IntN(5)], r.IntN(10000000))
				}
				phones[phone] = true
				role := "member"
				if j == 0 {
					role = "leader"
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO assist_members (id, team_id, full_name, phone, role, active, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)`, fmt.Sprintf("%s-%d", id, j+1), id, name, phone, role, ms); err != nil {
					return fmt.Errorf("demo: member: %w", err)
				}
				members++
			}
		}
		return nil
	})
	return teams, members, err
}
