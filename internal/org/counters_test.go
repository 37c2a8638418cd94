package org_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

// seat adds a staff account sitting at a counter (0: none).
func seat(t *testing.T, db *store.DB, id, name, agency string, counter int, disabled bool) {
	t.Helper()
	var c sql.NullInt64
	if counter > 0 {
		c = sql.NullInt64{Int64: int64(counter), Valid: true}
	}
	err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, full_name, roles, agency_code, counter_number, disabled, created_at)
			VALUES ($1, $2, $3, 'counter_officer', $4, $5, $6, 0)`, id, "user."+id, name, agency, c, disabled)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func counters(t *testing.T, s *org.Service, agency string) map[int]string {
	t.Helper()
	cs, err := s.Counters(context.Background(), agency)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for i, c := range cs {
		if i > 0 && cs[i-1].Number >= c.Number {
			t.Fatalf("counters out of order: %+v", cs)
		}
		out[c.Number] = c.Name
	}
	return out
}

func TestCounters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := seeded(t, db)

		// Add: refused.
		for _, tc := range []struct {
			agency      string
			number      int
			name        string
			kind        apperr.Kind
			field, code string
		}{
			{home, 0, "Quầy 0", apperr.Invalid, "number", "invalid_counter_number"},
			{home, -1, "Quầy âm", apperr.Invalid, "number", "invalid_counter_number"},
			{home, 100, "Quầy 100", apperr.Invalid, "number", "invalid_counter_number"},
			{home, 7, "", apperr.Invalid, "name", "counter_name_required"},
			{home, 7, " \t ", apperr.Invalid, "name", "counter_name_required"},
			{home, 7, strings.Repeat("ư", 101), apperr.Invalid, "name", "counter_name_too_long"},
			{home, 1, "Quầy 1 – trùng", apperr.Invalid, "number", "counter_exists"},
			{"H99", 1, "Quầy 1", apperr.NotFound, "", "agency_not_found"},
			{"", 1, "Quầy 1", apperr.NotFound, "", "agency_not_found"},
		} {
			t.Run(fmt.Sprintf("add %s %d %q", tc.agency, tc.number, tc.name), func(t *testing.T) {
				wantErr(t, s.AddCounter(ctx, tc.agency, org.Counter{Number: tc.number, Name: tc.name}, admin), tc.kind, tc.code, tc.field)
			})
		}
		if cs := counters(t, s, home); len(cs) != 6 || cs[1] != "Quầy 1 – Hộ tịch" {
			t.Fatalf("refused additions changed the counters: %v", cs)
		}
		if n := auditCount(t, db); n != 0 {
			t.Fatalf("refused additions audited: %d", n)
		}

		// Add: accepted, the name cleaned; limits in letters.
		if err := s.AddCounter(ctx, home, org.Counter{Number: 7, Name: norm.NFD.String("  Quầy 7 –   Đất  đai ")}, admin); err != nil {
			t.Fatal(err)
		}
		if err := s.AddCounter(ctx, home, org.Counter{Number: org.MaxCounter, Name: strings.Repeat("ư", 100)}, admin); err != nil {
			t.Fatal(err)
		}
		// Another agency may have its own counter 1.
		if err := s.AddCounter(ctx, "H56.16072.CA", org.Counter{Number: 1, Name: "Quầy Công an"}, admin); err != nil {
			t.Fatal(err)
		}
		cs := counters(t, s, home)
		if len(cs) != 8 || cs[7] != "Quầy 7 – Đất đai" || cs[99] != strings.Repeat("ư", 100) {
			t.Fatalf("counters %v", cs)
		}
		if ca := counters(t, s, "H56.16072.CA"); len(ca) != 1 || ca[1] != "Quầy Công an" {
			t.Fatalf("police counters %v", ca)
		}
		if e, d := lastAudit(t, db, "counter", home+"/7"); e.Action != "counter.add" || d["name"] != "Quầy 7 – Đất đai" {
			t.Errorf("audit %+v %v", e, d)
		}

		// Rename.
		wantErr(t, s.RenameCounter(ctx, home, 50, "Quầy 50", admin), apperr.NotFound, "counter_not_found", "")
		wantErr(t, s.RenameCounter(ctx, "H99", 1, "Quầy 1", admin), apperr.NotFound, "counter_not_found", "")
		wantErr(t, s.RenameCounter(ctx, home, 0, "Quầy 0", admin), apperr.Invalid, "invalid_counter_number", "number")
		wantErr(t, s.RenameCounter(ctx, home, 7, "   ", admin), apperr.Invalid, "counter_name_required", "name")
		wantErr(t, s.RenameCounter(ctx, home, 7, strings.Repeat("a", 101), admin), apperr.Invalid, "counter_name_too_long", "name")
		if err := s.RenameCounter(ctx, home, 7, " Quầy 7 – Địa chính ", admin); err != nil {
			t.Fatal(err)
		}
		if cs := counters(t, s, home); cs[7] != "Quầy 7 – Địa chính" || len(cs) != 8 {
			t.Errorf("renamed: %v", cs)
		}
		if ca := counters(t, s, "H56.16072.CA"); ca[1] != "Quầy Công an" {
			t.Errorf("renaming the commune's counter touched the police's: %v", ca)
		}
		if e, d := lastAudit(t, db, "counter", home+"/7"); e.Action != "counter.rename" || d["from"] != "Quầy 7 – Đất đai" || d["to"] != "Quầy 7 – Địa chính" {
			t.Errorf("audit %+v %v", e, d)
		}

		// Remove: refused while an active officer of the commune (or of one of
		// its departments) sits at the counter. The demo seats its own officers;
		// they stand up first so that only the seats below count.
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET counter_number = NULL")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		seat(t, db, "u101", "Lê Thị Lan", home, 3, false)
		seat(t, db, "u102", "Đỗ Hoài Nam", "H56.16072.KT", 4, false)
		seat(t, db, "u103", "Phạm Thị Hương", home, 4, false)
		seat(t, db, "u104", "Hoàng Thu Thảo", home, 5, true)          // disabled
		seat(t, db, "u105", "Ngô Thị Hà", "H56.BHXH.HL", 6, false)    // another agency's counter 6
		seat(t, db, "u106", "Bùi Anh Tuấn", "H56.16072.CA", 2, false) // police officer at the commune's counter 2
		wantErr(t, s.RemoveCounter(ctx, home, 50, admin), apperr.NotFound, "counter_not_found", "")
		wantErr(t, s.RemoveCounter(ctx, "H99", 1, admin), apperr.NotFound, "counter_not_found", "")
		err := s.RemoveCounter(ctx, home, 3, admin)
		wantErr(t, err, apperr.Conflict, "counter_in_use", "")
		if msg := apperr.As(err).Message; !strings.Contains(msg, "Quầy số 3") || !strings.Contains(msg, "Lê Thị Lan") {
			t.Errorf("message does not name the counter and the officer: %s", msg)
		}
		err = s.RemoveCounter(ctx, home, 4, admin)
		wantErr(t, err, apperr.Conflict, "counter_in_use", "")
		if msg := apperr.As(err).Message; !strings.Contains(msg, "Đỗ Hoài Nam") || !strings.Contains(msg, "Phạm Thị Hương") {
			t.Errorf("message does not name both officers: %s", msg)
		}
		wantErr(t, s.RemoveCounter(ctx, home, 2, admin), apperr.Conflict, "counter_in_use", "")
		if cs := counters(t, s, home); cs[2] == "" || cs[3] == "" || cs[4] == "" {
			t.Fatalf("refused removals removed: %v", cs)
		}
		// A disabled account, or an officer of an unrelated agency, does not hold a counter.
		for _, n := range []int{5, 6, 99} {
			if err := s.RemoveCounter(ctx, home, n, admin); err != nil {
				t.Fatalf("remove %d: %v", n, err)
			}
		}
		// Once the officer moves, the counter goes.
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE users SET counter_number = NULL WHERE id = 'u101'")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveCounter(ctx, home, 3, admin); err != nil {
			t.Fatal(err)
		}
		cs = counters(t, s, home)
		if _, ok := cs[3]; ok || len(cs) != 4 {
			t.Errorf("after removals: %v", cs)
		}
		if ca := counters(t, s, "H56.16072.CA"); len(ca) != 1 {
			t.Errorf("the police's counter went too: %v", ca)
		}
		if e, d := lastAudit(t, db, "counter", home+"/3"); e.Action != "counter.remove" || d["name"] != "Quầy 3 – Hộ tịch, chứng thực" {
			t.Errorf("audit %+v %v", e, d)
		}
		// Removed, it can be neither renamed nor removed again.
		wantErr(t, s.RenameCounter(ctx, home, 3, "Quầy 3", admin), apperr.NotFound, "counter_not_found", "")
		wantErr(t, s.RemoveCounter(ctx, home, 3, admin), apperr.NotFound, "counter_not_found", "")
		// 3 additions, 1 rename, 4 removals.
		auditIntact(t, db, 8)
	})
}

// Officers of another agency whose code merely resembles this one's do not
// hold its counters. Agency codes may contain "_", which LIKE reads as "any
// character", and SQLite's LIKE ignores case.
func TestRemoveCounterLooksOnlyAtTheAgencysOwnOfficers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := seeded(t, db)
		for _, a := range []org.Agency{
			{Code: "HL_A", Name: "Ủy ban nhân dân xã A", Kind: org.KindCommune, Parent: "H56"},
			{Code: "HLXA", Name: "Ủy ban nhân dân xã X", Kind: org.KindCommune, Parent: "H56"},
			{Code: "HLXA.KT", Name: "Phòng Kinh tế xã X", Kind: org.KindDepartment, Parent: "HLXA"},
			{Code: "hlb", Name: "Ủy ban nhân dân xã B", Kind: org.KindCommune, Parent: "H56"},
			{Code: "HLB", Name: "Ủy ban nhân dân xã B hoa", Kind: org.KindCommune, Parent: "H56"},
			{Code: "HLB.KT", Name: "Phòng Kinh tế xã B hoa", Kind: org.KindDepartment, Parent: "HLB"},
		} {
			if err := s.CreateAgency(ctx, a, admin); err != nil {
				t.Fatalf("%s: %v", a.Code, err)
			}
		}
		for _, a := range []string{"HL_A", "hlb"} {
			if err := s.AddCounter(ctx, a, org.Counter{Number: 1, Name: "Quầy 1"}, admin); err != nil {
				t.Fatal(err)
			}
		}
		seat(t, db, "u201", "Trần Văn Xuân", "HLXA.KT", 1, false)
		seat(t, db, "u202", "Trần Văn Bảo", "HLB.KT", 1, false)
		if err := s.RemoveCounter(ctx, "HL_A", 1, admin); err != nil {
			t.Errorf("HL_A's counter 1 held by an officer of HLXA.KT: %v", err)
		}
		if err := s.RemoveCounter(ctx, "hlb", 1, admin); err != nil {
			t.Errorf("hlb's counter 1 held by an officer of HLB.KT: %v", err)
		}
	})
}
