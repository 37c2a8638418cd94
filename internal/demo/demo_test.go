package demo_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
	"github.com/motcua/motcua/internal/vntext"
)

var idPattern = regexp.MustCompile(`^038[0-3][0-9]{2}[0-9]{6}$`)

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		if ok, _ := demo.Seeded(ctx, db); ok {
			t.Fatal("empty database reported seeded")
		}
		sum, err := demo.Seed(ctx, db, now)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Villages != 40 || sum.Staff < 10 || sum.Residents < 5000 || sum.Counters < 5 {
			t.Errorf("summary %+v", sum)
		}
		if ok, _ := demo.Seeded(ctx, db); !ok {
			t.Error("not marked seeded")
		}
		o := org.NewService(db)
		home, err := o.Home(ctx)
		if err != nil || home.Code != "H56.16072" || !home.Centre.Sandbox {
			t.Fatalf("home %+v %v", home, err)
		}
		villages, _ := o.Villages(ctx, home.Code)
		for _, v := range villages {
			if (v.Name == "Đông Hòa") == v.Fictitious {
				t.Errorf("village %s fictitious=%v: only Đông Hòa is from a public source", v.Name, v.Fictitious)
			}
		}
		rows, err := db.Read().QueryContext(ctx, "SELECT id_number, full_name, birth_date, sex FROM sandbox_residents")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n, elderly, children := 0, 0, 0
		for rows.Next() {
			var id, name, birth, sex string
			rows.Scan(&id, &name, &birth, &sex)
			n++
			if !idPattern.MatchString(id) {
				t.Fatalf("bad ID %s", id)
			}
			b, _ := time.Parse(time.DateOnly, birth)
			// Digit 4 encodes sex and century; digits 5–6 the year of birth.
			wantG := (b.Year()-1900)/100*2 + map[string]int{"male": 0, "female": 1}[sex]
			if int(id[3]-'0') != wantG || id[4:6] != birth[2:4] {
				t.Fatalf("ID %s does not match %s born %s", id, sex, birth)
			}
			if vntext.NFC(name) != name {
				t.Fatalf("name %q not NFC", name)
			}
			age := now.Year() - b.Year()
			if age >= 75 {
				elderly++
			}
			if age < 6 {
				children++
			}
		}
		if n != sum.Residents || elderly == 0 || children == 0 {
			t.Errorf("residents %d, elderly %d, children under 6 %d", n, elderly, children)
		}
	})
}

// The same seed gives the same residents.
func TestResidentsDeterministic(t *testing.T) {
	c, err := demo.LoadCommune()
	if err != nil {
		t.Fatal(err)
	}
	_ = c
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := demo.ResidentsForTest(now)
	b := demo.ResidentsForTest(now)
	if len(a) != len(b) || a[0] != b[0] || a[len(a)-1] != b[len(b)-1] {
		t.Error("residents differ between runs")
	}
}
