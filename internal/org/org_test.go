package org_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
	"github.com/motcua/motcua/internal/vntext"
)

const home = "H56.16072"

var admin = audit.Actor{ID: "u011", Name: "Mai Xuân Trường", Roles: []string{"administrator"}}

// seeded returns the organisation service over the demo commune (agencies,
// villages, counters and staff; no residents).
func seeded(t *testing.T, db *store.DB) *org.Service {
	t.Helper()
	if _, err := demo.SeedCommune(context.Background(), db, time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return org.NewService(db)
}

// wantErr checks err is the apperr of kind and code about field, with a
// Vietnamese message.
func wantErr(t *testing.T, err error, kind apperr.Kind, code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %T %v", code, err, err)
	}
	if ae.Kind != kind || ae.Code != code || ae.Field != field {
		t.Fatalf("want %s (kind %d, field %q), got %s (kind %d, field %q): %v", code, kind, field, ae.Code, ae.Kind, ae.Field, err)
	}
	if !vietnamese(ae.Message) {
		t.Fatalf("%s: message %q is not plain Vietnamese", code, ae.Message)
	}
	if ae.Status() >= 500 && kind != apperr.Internal {
		t.Fatalf("%s: status %d", code, ae.Status())
	}
}

func vietnamese(s string) bool {
	return s != "" && vntext.NFC(s) == s && strings.ContainsAny(s, "ăâđêôơưĂÂĐÊÔƠƯáàảãạíìóòõúùýếềểễệốồổỗộớờởỡợứừửữựĩủụịọỏ")
}

func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Read().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func auditIntact(t *testing.T, db *store.DB, entries int) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db)
	if err != nil || rep.Problem != nil || rep.Entries != int64(entries) {
		t.Fatalf("audit chain: %+v %v, want %d intact entries", rep, err, entries)
	}
}

// lastAudit returns the only, or the last, entry about an object.
func lastAudit(t *testing.T, db *store.DB, objectType, objectID string) (audit.Entry, map[string]any) {
	t.Helper()
	es, err := audit.ForObject(context.Background(), db, objectType, objectID)
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit entry for %s %s: %v", objectType, objectID, err)
	}
	e := es[len(es)-1]
	var d map[string]any
	if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
		t.Fatal(err)
	}
	if e.ActorID != admin.ID || e.ActorName != admin.Name || e.ActorRole != "administrator" {
		t.Errorf("%s %s audited as %s %s %s", objectType, objectID, e.ActorID, e.ActorName, e.ActorRole)
	}
	return e, d
}

func get(t *testing.T, s *org.Service, code string) *org.Agency {
	t.Helper()
	a, err := s.Get(context.Background(), code)
	if err != nil {
		t.Fatalf("get %s: %v", code, err)
	}
	return a
}

func TestReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := org.NewService(db)
		// An empty installation.
		if _, err := s.Home(ctx); !errors.Is(err, org.ErrNotFound) {
			t.Fatalf("home of an empty installation: %v", err)
		}
		if _, err := s.Get(ctx, home); !errors.Is(err, org.ErrNotFound) {
			t.Fatalf("get: %v", err)
		}
		if as, err := s.List(ctx); err != nil || len(as) != 0 {
			t.Fatalf("list: %v %v", as, err)
		}
		if vs, err := s.Villages(ctx, home); err != nil || len(vs) != 0 {
			t.Fatalf("villages: %v %v", vs, err)
		}
		if cs, err := s.Counters(ctx, home); err != nil || len(cs) != 0 {
			t.Fatalf("counters: %v %v", cs, err)
		}

		s = seeded(t, db)
		h, err := s.Home(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.Code != home || h.Kind != org.KindCommune || h.Parent != "H56" || h.Name != "Ủy ban nhân dân xã Hoa Lộc" ||
			h.Email != "ubnd.hoaloc@thanhhoa.gov.vn" || !h.Centre.Sandbox || h.Centre.Province != "Thanh Hóa" ||
			h.Centre.Name != "Trung tâm Phục vụ hành chính công xã Hoa Lộc" || h.Centre.Website != "dichvucong.gov.vn" {
			t.Errorf("home %+v", h)
		}
		as, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, a := range as {
			codes = append(codes, a.Code)
		}
		if want := []string{"H56", "H56.16072", "H56.16072.CA", "H56.16072.KT", "H56.BHXH.HL"}; !slices.Equal(codes, want) {
			t.Errorf("list %v, want %v", codes, want)
		}
		if kt := get(t, s, "H56.16072.KT"); kt.Kind != org.KindDepartment || kt.Parent != home || kt.Centre != (org.Centre{}) {
			t.Errorf("department %+v", kt)
		}
		if p := get(t, s, "H56"); p.Parent != "" || p.Kind != org.KindProvince {
			t.Errorf("province %+v", p)
		}

		vs, err := s.Villages(ctx, home)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 40 || vs[0] != (org.Village{Code: "T01", Name: "Đông Hòa", Fictitious: false}) || vs[39].Code != "T40" || vs[39].Name != "Hòa Khánh" {
			t.Fatalf("villages %d: %+v … %+v", len(vs), vs[0], vs[len(vs)-1])
		}
		for i, v := range vs {
			if v.Code != fmt.Sprintf("T%02d", i+1) || (i > 0) != v.Fictitious || vntext.NFC(v.Name) != v.Name {
				t.Errorf("village %d: %+v", i, v)
			}
		}
		if vs, err := s.Villages(ctx, "H56.16072.KT"); err != nil || len(vs) != 0 {
			t.Errorf("a department's villages: %v %v", vs, err)
		}

		cs, err := s.Counters(ctx, home)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 6 || cs[0] != (org.Counter{Number: 1, Name: "Quầy 1 – Hộ tịch"}) || cs[5] != (org.Counter{Number: 6, Name: "Quầy 6 – Công an xã (cư trú)"}) {
			t.Errorf("counters %+v", cs)
		}

		// A home setting that names no agency is "not configured".
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error { return org.SetHome(ctx, tx, "H99") }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Home(ctx); !errors.Is(err, org.ErrNotFound) {
			t.Errorf("home naming a missing agency: %v", err)
		}
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error { return org.SetHome(ctx, tx, "H56.16072.KT") }); err != nil {
			t.Fatal(err)
		}
		if h, err := s.Home(ctx); err != nil || h.Code != "H56.16072.KT" {
			t.Errorf("home moved: %+v %v", h, err)
		}
	})
}

func TestCreateAgencyValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := seeded(t, db)
		base := org.Agency{Code: "H56.16072.TP", Name: "Ban Tư pháp xã Hoa Lộc", Kind: org.KindDepartment, Parent: home}
		long := func(n int) string { return strings.Repeat("ễ", n) }
		cases := []struct {
			name  string
			edit  func(a *org.Agency)
			field string
			code  string
		}{
			{"no code", func(a *org.Agency) { a.Code = "" }, "code", "agency_code_required"},
			{"blank code", func(a *org.Agency) { a.Code = "  \t" }, "code", "agency_code_required"},
			{"space in code", func(a *org.Agency) { a.Code = "H56 16072" }, "code", "invalid_agency_code"},
			{"double dot", func(a *org.Agency) { a.Code = "H56..TP" }, "code", "invalid_agency_code"},
			{"leading dot", func(a *org.Agency) { a.Code = ".H56" }, "code", "invalid_agency_code"},
			{"trailing dot", func(a *org.Agency) { a.Code = "H56." }, "code", "invalid_agency_code"},
			{"slash", func(a *org.Agency) { a.Code = "H56/TP" }, "code", "invalid_agency_code"},
			{"quote", func(a *org.Agency) { a.Code = "H56'--" }, "code", "invalid_agency_code"},
			{"diacritics", func(a *org.Agency) { a.Code = "HÀ.TP" }, "code", "invalid_agency_code"},
			{"51 characters", func(a *org.Agency) { a.Code = strings.Repeat("A", 51) }, "code", "invalid_agency_code"},
			{"no name", func(a *org.Agency) { a.Name = "" }, "name", "agency_name_required"},
			{"blank name", func(a *org.Agency) { a.Name = " \t\n " }, "name", "agency_name_required"},
			{"long name", func(a *org.Agency) { a.Name = long(201) }, "name", "agency_name_too_long"},
			{"long English name", func(a *org.Agency) { a.NameEn = strings.Repeat("a", 201) }, "name_en", "agency_name_too_long"},
			{"no kind", func(a *org.Agency) { a.Kind = "" }, "kind", "invalid_agency_kind"},
			{"unknown kind", func(a *org.Agency) { a.Kind = "ward" }, "kind", "invalid_agency_kind"},
			{"kind in capitals", func(a *org.Agency) { a.Kind = "Department" }, "kind", "invalid_agency_kind"},
			{"own parent", func(a *org.Agency) { a.Parent = " " + a.Code + " " }, "parent", "agency_own_parent"},
			{"long address", func(a *org.Agency) { a.Address = long(301) }, "address", "address_too_long"},
			{"long phone", func(a *org.Agency) { a.Phone = strings.Repeat("0", 51) }, "phone", "phone_too_long"},
			{"bad email", func(a *org.Agency) { a.Email = "ubnd.hoaloc" }, "email", "invalid_email"},
			{"named email", func(a *org.Agency) { a.Email = "UBND <ubnd@thanhhoa.gov.vn>" }, "email", "invalid_email"},
			{"two emails", func(a *org.Agency) { a.Email = "a@thanhhoa.gov.vn, b@thanhhoa.gov.vn" }, "email", "invalid_email"},
			{"long hotline", func(a *org.Agency) { a.Centre.Hotline = strings.Repeat("1", 51) }, "centre_hotline", "phone_too_long"},
			{"long centre name", func(a *org.Agency) { a.Centre.Name = long(201) }, "centre_name", "centre_name_too_long"},
			{"long hours", func(a *org.Agency) { a.Centre.Hours = long(301) }, "centre_hours", "centre_hours_too_long"},
			{"script website", func(a *org.Agency) { a.Centre.Website = "javascript:alert('x')" }, "centre_website", "invalid_website"},
			{"markup website", func(a *org.Agency) { a.Centre.Website = "https://hoaloc.vn/<script>" }, "centre_website", "invalid_website"},
			{"long website", func(a *org.Agency) { a.Centre.Website = "https://" + strings.Repeat("a", 200) + ".vn" }, "centre_website", "invalid_website"},
			{"department without parent", func(a *org.Agency) { a.Parent = "" }, "parent", "department_parent_required"},
			{"department under the police", func(a *org.Agency) { a.Parent = "H56.16072.CA" }, "parent", "department_parent_commune"},
			{"department under the province", func(a *org.Agency) { a.Parent = "H56" }, "parent", "department_parent_commune"},
			{"department under a department", func(a *org.Agency) { a.Parent = "H56.16072.KT" }, "parent", "department_parent_commune"},
			{"unknown parent", func(a *org.Agency) { a.Kind, a.Parent = org.KindPolice, "H99" }, "parent", "parent_not_found"},
			{"code taken", func(a *org.Agency) { a.Code = "H56.16072.KT" }, "code", "agency_code_taken"},
			{"code of the home commune", func(a *org.Agency) { a.Code, a.Kind, a.Parent = " "+home+" ", org.KindCommune, "H56" }, "code", "agency_code_taken"},
		}
		for _, tc := range cases {
			a := base
			tc.edit(&a)
			err := s.CreateAgency(ctx, a, admin)
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
				continue
			}
			t.Run(tc.name, func(t *testing.T) { wantErr(t, err, apperr.Invalid, tc.code, tc.field) })
		}
		if as, _ := s.List(ctx); len(as) != 5 {
			t.Errorf("refused agencies were stored: %d agencies", len(as))
		}
		if n := auditCount(t, db); n != 0 {
			t.Errorf("refused creations audited: %d entries", n)
		}
		// The home commune is untouched by the refused duplicate.
		if h := get(t, s, home); h.Kind != org.KindCommune || h.Name != "Ủy ban nhân dân xã Hoa Lộc" {
			t.Errorf("home changed: %+v", h)
		}
	})
}

func TestCreateAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := seeded(t, db)
		// Text is trimmed, spaces collapsed, decomposed letters composed; a
		// non-commune keeps no centre facts.
		err := s.CreateAgency(ctx, org.Agency{
			Code: " H56.16072.QS ", Name: norm.NFD.String("  Ban Chỉ huy   Quân sự\txã Hoa Lộc "), Kind: " " + org.KindPolice, Parent: " " + home,
			Address: norm.NFD.String(" Trụ sở  UBND xã "), Phone: " 0237 3800 111 ", Email: " bchqs.hoaloc@thanhhoa.gov.vn ",
			Centre: org.Centre{Name: "Trung tâm giả", Hours: "24/7", Province: "Thanh Hóa", Sandbox: true},
		}, admin)
		if err != nil {
			t.Fatal(err)
		}
		qs := get(t, s, "H56.16072.QS")
		want := org.Agency{Code: "H56.16072.QS", Name: "Ban Chỉ huy Quân sự xã Hoa Lộc", Kind: org.KindPolice, Parent: home,
			Address: "Trụ sở UBND xã", Phone: "0237 3800 111", Email: "bchqs.hoaloc@thanhhoa.gov.vn", Centre: org.Centre{Province: "Thanh Hóa"}}
		if *qs != want {
			t.Errorf("stored\n%+v\nwant\n%+v", *qs, want)
		}
		e, d := lastAudit(t, db, "agency", "H56.16072.QS")
		if e.Action != "agency.create" || d["name"] != want.Name || d["kind"] != org.KindPolice || d["parent"] != home {
			t.Errorf("audit %+v %v", e, d)
		}

		// A commune keeps its centre's facts.
		centre := org.Centre{Name: "Trung tâm Phục vụ hành chính công xã Hoa Quỳ", Address: "Xã Hoa Quỳ", Hours: "Sáng 7:30–11:30",
			Hotline: "0237 3900 000", Website: "https://hoaquy.thanhhoa.gov.vn", Province: "Thanh Hóa"}
		if err := s.CreateAgency(ctx, org.Agency{Code: "H56.16073", Name: "Ủy ban nhân dân xã Hoa Quỳ", Kind: org.KindCommune, Parent: "H56", Centre: centre}, admin); err != nil {
			t.Fatal(err)
		}
		if got := get(t, s, "H56.16073"); got.Centre != centre {
			t.Errorf("commune centre %+v, want %+v", got.Centre, centre)
		}
		// Limits are in letters, not bytes; codes may use _ and -.
		max := org.Agency{Code: strings.Repeat("A", 48) + "_1", Name: strings.Repeat("ễ", 200), Kind: org.KindSocialInsurance}
		if err := s.CreateAgency(ctx, max, admin); err != nil {
			t.Fatalf("longest allowed: %v", err)
		}
		if err := s.CreateAgency(ctx, org.Agency{Code: "H56.BHXH-HQ", Name: "Bảo hiểm xã hội Hoa Quỳ", Kind: org.KindSocialInsurance, Parent: "H56"}, admin); err != nil {
			t.Fatal(err)
		}
		if as, _ := s.List(ctx); len(as) != 9 {
			t.Errorf("%d agencies, want 9", len(as))
		}
		auditIntact(t, db, 4)
	})
}

func TestCreateDepartment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := org.NewService(db)
		err := s.CreateDepartment(ctx, org.Agency{Code: "X.VX", Name: "Phòng Văn hóa – Xã hội"}, admin)
		wantErr(t, err, apperr.Conflict, "no_home_agency", "")

		s = seeded(t, db)
		// Whatever kind and parent the form sends, a department of the home commune is made.
		if err := s.CreateDepartment(ctx, org.Agency{Code: "H56.16072.VX", Name: "Phòng Văn hóa – Xã hội", Kind: org.KindProvince, Parent: "H56"}, admin); err != nil {
			t.Fatal(err)
		}
		if vx := get(t, s, "H56.16072.VX"); vx.Kind != org.KindDepartment || vx.Parent != home {
			t.Errorf("department %+v", vx)
		}
		wantErr(t, s.CreateDepartment(ctx, org.Agency{Code: "H56.16072.YT"}, admin), apperr.Invalid, "agency_name_required", "name")
		wantErr(t, s.CreateDepartment(ctx, org.Agency{Code: "H56.16072.VX", Name: "Trùng"}, admin), apperr.Invalid, "agency_code_taken", "code")
		if e, _ := lastAudit(t, db, "agency", "H56.16072.VX"); e.Action != "agency.create" {
			t.Errorf("audit %+v", e)
		}
		auditIntact(t, db, 1)
	})
}

func TestUpdateAgency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// A bounded context: a loop check that loops fails instead of hanging.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s := seeded(t, db)

		wantErr(t, s.UpdateAgency(ctx, org.Agency{Code: "H99", Name: "Không có", Kind: org.KindPolice}, admin), apperr.NotFound, "agency_not_found", "")
		if err := s.UpdateAgency(ctx, org.Agency{Code: "", Name: "Không có", Kind: org.KindPolice}, admin); apperr.As(err).Code != "agency_not_found" {
			t.Errorf("empty code: %v", err)
		}

		// Refused changes, nothing written.
		refused := []struct {
			name  string
			a     org.Agency
			field string
			code  string
		}{
			{"province under its commune", org.Agency{Code: "H56", Name: "UBND tỉnh", Kind: org.KindProvince, Parent: home}, "parent", "agency_parent_loop"},
			{"province under the commune police", org.Agency{Code: "H56", Name: "UBND tỉnh", Kind: org.KindProvince, Parent: "H56.16072.CA"}, "parent", "agency_parent_loop"},
			{"commune under its police", org.Agency{Code: home, Name: "UBND xã", Kind: org.KindCommune, Parent: "H56.16072.CA"}, "parent", "agency_parent_loop"},
			{"commune under its department", org.Agency{Code: home, Name: "UBND xã", Kind: org.KindCommune, Parent: "H56.16072.KT"}, "parent", "agency_parent_loop"},
			{"own parent", org.Agency{Code: "H56.16072.CA", Name: "Công an", Kind: org.KindPolice, Parent: "H56.16072.CA"}, "parent", "agency_own_parent"},
			{"commune with departments made police", org.Agency{Code: home, Name: "UBND xã", Kind: org.KindPolice, Parent: "H56"}, "kind", "commune_has_departments"},
			{"department under the police", org.Agency{Code: "H56.16072.KT", Name: "Phòng Kinh tế", Kind: org.KindDepartment, Parent: "H56.16072.CA"}, "parent", "department_parent_commune"},
			{"department without parent", org.Agency{Code: "H56.16072.KT", Name: "Phòng Kinh tế", Kind: org.KindDepartment}, "parent", "department_parent_required"},
			{"unknown parent", org.Agency{Code: "H56.16072.KT", Name: "Phòng Kinh tế", Kind: org.KindDepartment, Parent: "H99"}, "parent", "parent_not_found"},
			{"bad kind", org.Agency{Code: "H56.16072.KT", Name: "Phòng Kinh tế", Kind: "phòng", Parent: home}, "kind", "invalid_agency_kind"},
			{"no name", org.Agency{Code: "H56.16072.KT", Kind: org.KindDepartment, Parent: home}, "name", "agency_name_required"},
			{"bad email", org.Agency{Code: "H56.16072.KT", Name: "Phòng Kinh tế", Kind: org.KindDepartment, Parent: home, Email: "kt@"}, "email", "invalid_email"},
		}
		before, _ := s.List(ctx)
		for _, tc := range refused {
			err := s.UpdateAgency(ctx, tc.a, admin)
			if err == nil {
				t.Errorf("%s: accepted", tc.name)
				continue
			}
			t.Run(tc.name, func(t *testing.T) { wantErr(t, err, apperr.Invalid, tc.code, tc.field) })
		}
		if after, _ := s.List(ctx); !slices.EqualFunc(before, after, func(a, b org.Agency) bool { return a == b }) {
			t.Errorf("refused updates changed agencies:\n%+v\n%+v", before, after)
		}
		if n := auditCount(t, db); n != 0 {
			t.Errorf("refused updates audited: %d", n)
		}

		// A department is renamed.
		if err := s.UpdateAgency(ctx, org.Agency{Code: " H56.16072.KT ", Name: "Phòng Kinh tế – Hạ tầng  xã Hoa Lộc", Kind: org.KindDepartment, Parent: home}, admin); err != nil {
			t.Fatal(err)
		}
		if kt := get(t, s, "H56.16072.KT"); kt.Name != "Phòng Kinh tế – Hạ tầng xã Hoa Lộc" || kt.Address != "" {
			t.Errorf("renamed %+v", kt)
		}
		if e, d := lastAudit(t, db, "agency", "H56.16072.KT"); e.Action != "agency.update" || d["name"] != "Phòng Kinh tế – Hạ tầng xã Hoa Lộc" {
			t.Errorf("audit %+v %v", e, d)
		}

		// The home commune's centre is edited; its province and sandbox mark are kept.
		centre := org.Centre{Name: "Trung tâm Phục vụ hành chính công xã Hoa Lộc", Hours: "Sáng 7:00–11:30, chiều 13:30–17:00",
			Hotline: "0237 3800 999", Website: "https://hoaloc.thanhhoa.gov.vn", Province: "Nghệ An", Sandbox: false}
		if err := s.UpdateAgency(ctx, org.Agency{Code: home, Name: "Ủy ban nhân dân xã Hoa Lộc", Kind: org.KindCommune, Parent: "H56", Centre: centre}, admin); err != nil {
			t.Fatal(err)
		}
		h := get(t, s, home)
		want := centre
		want.Province, want.Sandbox = "Thanh Hóa", true
		if h.Centre != want || h.Email != "" {
			t.Errorf("home centre %+v, want %+v", h.Centre, want)
		}

		// A commune without departments may become another kind (and loses its centre facts).
		if err := s.CreateAgency(ctx, org.Agency{Code: "H56.16073", Name: "Ủy ban nhân dân xã Hoa Quỳ", Kind: org.KindCommune, Parent: "H56",
			Centre: org.Centre{Name: "Trung tâm", Province: "Thanh Hóa"}}, admin); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateAgency(ctx, org.Agency{Code: "H56.16073", Name: "Công an xã Hoa Quỳ", Kind: org.KindPolice, Parent: "H56", Centre: org.Centre{Name: "Trung tâm"}}, admin); err != nil {
			t.Fatal(err)
		}
		if q := get(t, s, "H56.16073"); q.Kind != org.KindPolice || q.Centre != (org.Centre{Province: "Thanh Hóa"}) {
			t.Errorf("commune turned police: %+v", q)
		}
		// A department may move to another commune; a chain without a loop is fine.
		if err := s.UpdateAgency(ctx, org.Agency{Code: "H56.16073", Name: "Ủy ban nhân dân xã Hoa Quỳ", Kind: org.KindCommune, Parent: "H56"}, admin); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateAgency(ctx, org.Agency{Code: "H56.16072.KT", Name: "Phòng Kinh tế", Kind: org.KindDepartment, Parent: "H56.16073"}, admin); err != nil {
			t.Fatal(err)
		}
		if kt := get(t, s, "H56.16072.KT"); kt.Parent != "H56.16073" {
			t.Errorf("moved department %+v", kt)
		}
		if es, _ := audit.ForObject(ctx, db, "agency", "H56.16073"); len(es) != 3 || es[0].Action != "agency.create" || es[2].Action != "agency.update" {
			t.Errorf("audit of H56.16073: %+v", es)
		}
		auditIntact(t, db, 6)
	})
}

// Text that is not valid UTF-8, or holds a NUL, is bad input: refused with a
// field error on both engines, not stored by one and an internal error on the
// other.
func TestAgencyAndCounterTextMustBeValidText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := seeded(t, db)
		for i, name := range []string{"Phòng Tài chính\x00", "Phòng Tài ch\xednh"} {
			code := fmt.Sprintf("H56.16072.TC%d", i)
			err := s.CreateAgency(ctx, org.Agency{Code: code, Name: name, Kind: org.KindDepartment, Parent: home}, admin)
			if ae := apperr.As(err); err == nil || ae.Kind != apperr.Invalid || ae.Field != "name" {
				t.Errorf("agency name %q: %v, want a field error on name", name, err)
			}
			err = s.AddCounter(ctx, home, org.Counter{Number: 10 + i, Name: name}, admin)
			if ae := apperr.As(err); err == nil || ae.Kind != apperr.Invalid || ae.Field != "name" {
				t.Errorf("counter name %q: %v, want a field error on name", name, err)
			}
		}
	})
}
