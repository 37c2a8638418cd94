// Package demo seeds a living demo commune modelled on Hoa Lộc, Thanh Hóa:
// its agencies and service centre, villages, counters, staff, and the
// synthetic residents of the sandbox population registry. Everything is
// generated from a fixed seed, so two demos look alike.
package demo

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/motcua/motcua/data"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/store"
)

// SettingSeeded marks a database that holds the demo commune.
const SettingSeeded = "demo_seeded"

// Commune is the demo commune's file (data/demo/hoa-loc.json).
type Commune struct {
	Home     string       `json:"home"`
	Agencies []org.Agency `json:"agencies"`
	Villages []struct {
		Name       string `json:"name"`
		Fictitious *bool  `json:"fictitious"`
	} `json:"villages"`
	Counters []org.Counter `json:"counters"`
	Queue    struct {
		Groups   []queue.Group       `json:"groups"`
		Counters map[string][]string `json:"counters"` // counter number → groups
	} `json:"queue"`
	Staff []Staff `json:"staff"`
}

// Staff is one demo staff account.
type Staff struct {
	Username string   `json:"username"`
	FullName string   `json:"full_name"`
	Roles    []string `json:"roles"`
	Agency   string   `json:"agency"`
	Title    string   `json:"title"`
	Counter  int      `json:"counter,omitempty"`
}

// LoadCommune reads the demo commune's file.
func LoadCommune() (*Commune, error) {
	b, err := data.FS.ReadFile("demo/hoa-loc.json")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var c Commune
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("demo: hoa-loc.json: %w", err)
	}
	return &c, nil
}

// Seeded reports whether db already holds the demo commune.
func Seeded(ctx context.Context, db *store.DB) (bool, error) {
	var v string
	err := db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", SettingSeeded).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return true, nil
}

// Summary counts what Seed wrote.
type Summary struct {
	Agencies, Villages, Counters, Staff, Residents, Households int
}

// Seed writes the demo commune, residents included, in one transaction.
func Seed(ctx context.Context, db *store.DB, now time.Time) (Summary, error) {
	return seed(ctx, db, now, true)
}

// SeedCommune writes the commune without its residents: agencies, villages,
// counters and staff (what most tests need).
func SeedCommune(ctx context.Context, db *store.DB, now time.Time) (Summary, error) {
	return seed(ctx, db, now, false)
}

func seed(ctx context.Context, db *store.DB, now time.Time, residents bool) (Summary, error) {
	c, err := LoadCommune()
	if err != nil {
		return Summary{}, err
	}
	names, err := loadNames()
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	err = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		sum = Summary{}
		ms := now.UnixMilli()
		for _, a := range c.Agencies {
			if err := org.SaveAgency(ctx, tx, a); err != nil {
				return err
			}
			sum.Agencies++
		}
		if err := org.SetHome(ctx, tx, c.Home); err != nil {
			return err
		}
		for i, v := range c.Villages {
			fict := v.Fictitious == nil || *v.Fictitious
			if _, err := tx.ExecContext(ctx, "INSERT INTO villages (agency_code, code, name, fictitious) VALUES ($1, $2, $3, $4)",
				c.Home, villageCode(i), v.Name, fict); err != nil {
				return fmt.Errorf("demo: village %s: %w", v.Name, err)
			}
			sum.Villages++
		}
		for i, g := range c.Queue.Groups {
			if _, err := tx.ExecContext(ctx, `INSERT INTO queue_groups (agency_code, code, prefix, name, name_en, icon, procedures, service_seconds, position, active)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE)`, c.Home, g.Code, g.Prefix, g.Name, g.NameEn, g.Icon, strings.Join(g.Procedures, " "),
				g.ServiceSeconds, i+1); err != nil {
				return fmt.Errorf("demo: queue group %s: %w", g.Code, err)
			}
		}
		for _, ct := range c.Counters {
			if _, err := tx.ExecContext(ctx, "INSERT INTO counters (agency_code, number, name, queue_groups) VALUES ($1, $2, $3, $4)",
				c.Home, ct.Number, ct.Name, strings.Join(c.Queue.Counters[fmt.Sprint(ct.Number)], " ")); err != nil {
				return fmt.Errorf("demo: counter %d: %w", ct.Number, err)
			}
			sum.Counters++
		}
		for i, s := range c.Staff {
			roles := ""
			for j, r := range s.Roles {
				if j > 0 {
					roles += " "
				}
				roles += r
			}
			var counter any
			if s.Counter > 0 {
				counter = s.Counter
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, full_name, roles, agency_code, title, counter_number, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, fmt.Sprintf("u%03d", i+1), s.Username, s.FullName, roles, s.Agency, s.Title, counter, ms); err != nil {
				return fmt.Errorf("demo: staff %s: %w", s.Username, err)
			}
			sum.Staff++
		}
		var people []Resident
		if residents {
			people = Residents(c.Home, len(c.Villages), names, now)
		}
		households := map[string]bool{}
		for _, p := range people {
			doc, _ := json.Marshal(p.Extra)
			if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_residents (id_number, full_name, birth_date, sex, agency_code, village_code, household_id, relation, phone, doc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
				p.IDNumber, p.FullName, p.BirthDate, p.Sex, c.Home, p.Village, p.Household, p.Relation, p.Phone, string(doc)); err != nil {
				return fmt.Errorf("demo: resident: %w", err)
			}
			households[p.Household] = true
		}
		sum.Residents, sum.Households = len(people), len(households)
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, SettingSeeded, now.Format(time.RFC3339), ms)
		return err
	})
	return sum, err
}

func villageCode(i int) string { return fmt.Sprintf("T%02d", i+1) }

type nameLists struct {
	Family       []string `json:"family"`
	MaleMiddle   []string `json:"male_middle"`
	FemaleMiddle []string `json:"female_middle"`
	MaleGiven    []string `json:"male_given"`
	FemaleGiven  []string `json:"female_given"`
}

func loadNames() (*nameLists, error) {
	b, err := data.FS.ReadFile("demo/names.json")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var n nameLists
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("demo: names.json: %w", err)
	}
	return &n, nil
}

// Resident is one synthetic person of the sandbox population registry.
type Resident struct {
	IDNumber  string
	FullName  string
	BirthDate string // YYYY-MM-DD
	Sex       string // male, female
	Village   string
	Household string
	Relation  string // head, spouse, child, parent
	Phone     string
	Extra     ResidentExtra
}

// ResidentExtra holds the registry attributes beyond the indexed ones.
type ResidentExtra struct {
	Ethnicity     string `json:"ethnicity"`
	Religion      string `json:"religion"`
	Nationality   string `json:"nationality"`
	Hometown      string `json:"hometown"`
	MaritalStatus string `json:"marital_status"`
	EIDLevel      int    `json:"eid_level"` // 0 none, 1, 2 (VNeID)
	Disability    bool   `json:"disability,omitempty"`
	PoorHousehold bool   `json:"poor_household,omitempty"`
}

// Residents generates the commune's synthetic residents: 60 households a
// village on average, with heads, spouses, children and some elderly
// parents, each with a 12-digit personal ID number of the real structure.
func Residents(agency string, villages int, n *nameLists, now time.Time) []Resident {
	r := rand.New(rand.NewPCG(16072, 2025))
	used := map[string]bool{}
	year := now.Year()
	var out []Resident
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	idNumber := func(birthYear int, sex string) string {
		century := (birthYear - 1900) / 100 // 0 for 19xx, 1 for 20xx
		g := century * 2
		if sex == "female" {
			g++
		}
		for {
			id := fmt.Sprintf("038%d%02d%06d", g, birthYear%100, r.IntN(1000000))
			if !used[id] {
				used[id] = true
				return id
			}
		}
	}
	person := func(family string, sex string, birthYear int) (name, birth string) {
		if sex == "male" {
			name = family + " " + pick(n.MaleMiddle) + " " + pick(n.MaleGiven)
		} else {
			name = family + " " + pick(n.FemaleMiddle) + " " + pick(n.FemaleGiven)
		}
		birth = fmt.Sprintf("%04d-%02d-%02d", birthYear, 1+r.IntN(12), 1+r.IntN(28))
		return name, birth
	}
	phone := func() string {
		prefixes := []string{"091", "094", "098", "097", "096", "086", "088", "035", "036", "037", "038", "039", "070", "076", "077", "081", "083", "085"}
		return fmt.Sprintf("%s%07d", pick(prefixes), r.IntN(10000000))
	}
	add := func(p Resident, birthYear int, household string, village string) {
		p.Household, p.Village = household, village
		p.IDNumber = idNumber(birthYear, p.Sex)
		age := year - birthYear
		p.Extra.Ethnicity, p.Extra.Religion, p.Extra.Nationality = "Kinh", "Không", "Việt Nam"
		p.Extra.Hometown = "Xã Hoa Lộc, tỉnh Thanh Hóa"
		if age >= 18 && r.Float64() < 0.8 {
			p.Phone = phone()
		}
		if age >= 14 {
			switch x := r.Float64(); {
			case x < 0.875:
				p.Extra.EIDLevel = 2
			case x < 0.93:
				p.Extra.EIDLevel = 1
			}
		}
		p.Extra.Disability = r.Float64() < 0.03
		out = append(out, p)
	}
	hh := 0
	for v := 0; v < villages; v++ {
		village := villageCode(v)
		count := 45 + r.IntN(30)
		for h := 0; h < count; h++ {
			hh++
			household := fmt.Sprintf("HL%05d", hh)
			family := pick(n.Family)
			headAge := 25 + r.IntN(60)
			headSex := "male"
			if r.Float64() < 0.22 { // women head about a fifth of households (single mothers, widows)
				headSex = "female"
			}
			poor := r.Float64() < 0.04
			name, birth := person(family, headSex, year-headAge)
			head := Resident{FullName: name, BirthDate: birth, Sex: headSex, Relation: "head"}
			head.Extra.PoorHousehold = poor
			married := headAge > 24 && r.Float64() < 0.8
			if married {
				head.Extra.MaritalStatus = "married"
			} else if headAge > 70 {
				head.Extra.MaritalStatus = "widowed"
			} else {
				head.Extra.MaritalStatus = "single"
			}
			add(head, year-headAge, household, village)
			if married {
				sex := "female"
				if headSex == "female" {
					sex = "male"
				}
				age := headAge - 5 + r.IntN(8)
				name, birth := person(pick(n.Family), sex, year-age)
				sp := Resident{FullName: name, BirthDate: birth, Sex: sex, Relation: "spouse"}
				sp.Extra.MaritalStatus, sp.Extra.PoorHousehold = "married", poor
				add(sp, year-age, household, village)
			}
			if headAge < 60 {
				kids := r.IntN(4)
				for k := 0; k < kids; k++ {
					age := max(0, headAge-22-r.IntN(15))
					sex := "male"
					if r.IntN(2) == 0 {
						sex = "female"
					}
					name, birth := person(family, sex, year-age)
					ch := Resident{FullName: name, BirthDate: birth, Sex: sex, Relation: "child"}
					ch.Extra.MaritalStatus, ch.Extra.PoorHousehold = "single", poor
					add(ch, year-age, household, village)
				}
			}
			if headAge >= 35 && headAge < 55 && r.Float64() < 0.35 {
				age := headAge + 25 + r.IntN(10)
				sex := "female"
				if r.IntN(3) == 0 {
					sex = "male"
				}
				name, birth := person(family, sex, year-age)
				pa := Resident{FullName: name, BirthDate: birth, Sex: sex, Relation: "parent"}
				pa.Extra.MaritalStatus, pa.Extra.PoorHousehold = "widowed", poor
				add(pa, year-age, household, village)
			}
		}
	}
	return out
}

// ResidentsForTest generates the demo commune's residents as Seed does.
func ResidentsForTest(now time.Time) []Resident {
	c, err := LoadCommune()
	if err != nil {
		panic(err)
	}
	n, err := loadNames()
	if err != nil {
		panic(err)
	}
	return Residents(c.Home, len(c.Villages), n, now)
}
