package catalog

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/motcua/motcua/data"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

func shipped(t testing.TB) *Set {
	t.Helper()
	set, err := ReadDir(data.FS, "catalog")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestShippedCatalogLoads(t *testing.T) {
	set := shipped(t)
	if len(set.Procedures) < 25 {
		t.Fatalf("%d procedures, want at least 25", len(set.Procedures))
	}
	fields := map[string]int{}
	for _, p := range set.Procedures {
		fields[p.Field]++
		for _, v := range p.Versions {
			if v.WorkflowDef == nil {
				t.Errorf("%s v%d: workflow not frozen", p.Code, v.Version)
			}
		}
	}
	for _, f := range []string{"Hộ tịch", "Chứng thực", "Bảo trợ xã hội", "Đăng ký, quản lý cư trú"} {
		if fields[f] == 0 {
			t.Errorf("no procedure in field %q (have %v)", f, fields)
		}
	}
	// The named procedures are all there.
	for _, code := range []string{"1.001193", "1.000894", "1.000656", "1.004873", "2.000635", "2.000815", "2.000884", "1.001612", "LT.63.khai-sinh", "LT.63.khai-tu"} {
		found := false
		for _, p := range set.Procedures {
			found = found || p.Code == code
		}
		if !found {
			t.Errorf("procedure %s missing", code)
		}
	}
}

func TestFees(t *testing.T) {
	copyFee := Fee{Kind: FeePerPage, Tiers: []PageTier{{From: 1, To: 2, Amount: 2000}, {From: 3, Amount: 1000}}, CapPerCopy: 200000}
	online := int64(10000)
	tests := []struct {
		name string
		fee  Fee
		in   FeeInput
		want int64
	}{
		{"1 page", copyFee, FeeInput{Pages: 1}, 2000},
		{"2 pages", copyFee, FeeInput{Pages: 2}, 4000},
		{"3 pages", copyFee, FeeInput{Pages: 3}, 5000},
		{"10 pages, 2 copies", copyFee, FeeInput{Pages: 10, Copies: 2}, 2 * (4000 + 8000)},
		{"250 pages capped", copyFee, FeeInput{Pages: 250}, 200000},
		{"free", Fee{Kind: FeeFree}, FeeInput{}, 0},
		{"fixed", Fee{Kind: FeeFixed, Amount: 50000}, FeeInput{Copies: 3}, 50000},
		{"per copy", Fee{Kind: FeePerCopy, Amount: 8000}, FeeInput{Copies: 3}, 24000},
		{"residence in person", Fee{Kind: FeeFixed, Amount: 20000, OnlineAmount: &online}, FeeInput{Channel: ChannelInPerson}, 20000},
		{"residence online", Fee{Kind: FeeFixed, Amount: 20000, OnlineAmount: &online}, FeeInput{Channel: ChannelOnline}, 10000},
	}
	for _, tc := range tests {
		got, err := tc.fee.Compute(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s: %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	if _, err := copyFee.Compute(FeeInput{Pages: -1}); err == nil {
		t.Error("negative pages must fail")
	}
	if s := copyFee.Describe(); !strings.Contains(s, "2.000 đồng/trang") || !strings.Contains(s, "tối đa 200.000 đồng/bản") {
		t.Errorf("Describe = %q", s)
	}
	if s := (Fee{Kind: FeeProvincial}).Describe(); !strings.Contains(s, "Hội đồng nhân dân tỉnh") {
		t.Errorf("provincial Describe = %q", s)
	}
	if VND(1234567) != "1.234.567 đồng" || VND(0) != "0 đồng" {
		t.Error(VND(1234567))
	}
}

// The shipped certified-copy procedure uses the per-page rule.
func TestShippedCertifiedCopyFee(t *testing.T) {
	c := New(shipped(t).Procedures)
	p, ok := c.Get("2.000815")
	if !ok {
		t.Fatal("2.000815 missing")
	}
	v, _ := p.VersionAt(time.Date(2026, 6, 1, 9, 0, 0, 0, calendar.Location))
	if got, _ := v.Fee.Compute(FeeInput{Pages: 3, Copies: 2}); got != 10000 {
		t.Errorf("3 pages × 2 copies = %d, want 10000", got)
	}
}

func TestVersionAt(t *testing.T) {
	c := New(shipped(t).Procedures)
	p, _ := c.Get("1.001193")
	at := func(s string) int {
		tm, _ := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
		v, ok := p.VersionAt(tm)
		if !ok {
			return 0
		}
		return v.Version
	}
	if at("2025-06-30 23:59") != 0 || at("2025-07-01 00:00") != 1 || at("2027-02-28 23:59") != 1 || at("2027-03-01 00:00") != 2 {
		t.Errorf("versions: %d %d %d %d", at("2025-06-30 23:59"), at("2025-07-01 00:00"), at("2027-02-28 23:59"), at("2027-03-01 00:00"))
	}
	// 17:30 UTC on 28 February is already 1 March in Vietnam.
	if v, _ := p.VersionAt(time.Date(2027, 2, 28, 17, 30, 0, 0, time.UTC)); v.Version != 2 {
		t.Errorf("VersionAt must use the date in Vietnam")
	}
}

func TestSearch(t *testing.T) {
	c := New(shipped(t).Procedures)
	first := func(q string) string {
		r := c.Search(q, 10)
		if len(r) == 0 {
			return ""
		}
		return r[0].Code
	}
	tests := map[string]string{
		"dang ky khai sinh":            "1.001193",
		"Đăng ký khai sinh":            "1.001193",
		"ĐĂNG KÝ KHAI SINH":            "1.001193",
		"khai sinh":                    "1.001193",
		"1.001193":                     "1.001193",
		"dang ky ket hon":              "1.000894",
		"giấy độc thân":                "1.004873",
		"xac nhan tinh trang hon nhan": "1.004873",
		"sao y":                        "2.000815",
		"chung thuc chu ky":            "2.000884",
		"dang ky thuong tru":           "1.004222",
		"thành lập hộ kinh doanh":      "1.001612",
		"trich luc":                    "2.000635",
	}
	for q, want := range tests {
		if got := first(q); got != want {
			t.Errorf("Search(%q) first = %q, want %q (all: %v)", q, got, want, codes(c.Search(q, 5)))
		}
	}
	if r := c.Search("qqqzzz", 10); len(r) != 0 {
		t.Errorf("nonsense found %v", codes(r))
	}
	if r := c.Search("", 0); len(r) != c.Len() {
		t.Errorf("empty query lists %d of %d", len(r), c.Len())
	}
	if r := c.Search("kh", 5); len(r) == 0 {
		t.Error("a two-letter prefix should match")
	}
}

func codes(ps []*Procedure) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestValidateReportsFields(t *testing.T) {
	wf := shipped(t).Workflows
	p := &Procedure{Code: "x", Name: "Thu\u0309 tu\u0323c", Field: "", Versions: []Version{{
		Version: 1, EffectiveFrom: "2025-13-01", Agency: "UBND", AgencyKind: "moon", Subjects: []string{"alien"},
		Online: "full", Channels: []Channel{"pigeon"}, Time: calendar.Duration{Value: -1, Unit: "days"},
		Fee:        Fee{Kind: FeePerPage, Tiers: []PageTier{{From: 1, To: 2, Amount: 0}, {From: 4, Amount: 1000}}},
		Components: []Component{{ID: "A B", Name: "x", Form: "scroll", Count: 0, Reuse: []ReuseSource{"cloud"}}},
		Form:       []Field{{ID: "f", Label: "L", Type: FieldSelect}, {ID: "f", Label: "L", Type: "colour", Prefill: "shoe_size"}},
		Result:     Result{Name: "", Kind: "gift"}, Workflow: "nope",
	}}}
	errs := Validate(p, wf)
	for _, field := range []string{"code", "name", "field", "versions[0].effective_from", "versions[0].agency_kind",
		"versions[0].subjects[0]", "versions[0].channels[0]", "versions[0].channels", "versions[0].time", "versions[0].fee.tiers[0].amount",
		"versions[0].fee.tiers[1].from", "versions[0].components[0].id", "versions[0].components[0].form",
		"versions[0].components[0].count", "versions[0].components[0].reuse[0]", "versions[0].form[0].options",
		"versions[0].form[1].id", "versions[0].form[1].type", "versions[0].form[1].prefill", "versions[0].result.name",
		"versions[0].result.kind", "versions[0].legal_basis", "versions[0].workflow"} {
		found := false
		for _, e := range errs {
			if e.Field == field {
				found = true
			}
		}
		if !found {
			t.Errorf("no error for %s; got:\n%v", field, errs)
		}
	}
}

func TestOverlappingVersions(t *testing.T) {
	set := shipped(t)
	c := New(set.Procedures)
	p, _ := c.Get("1.001193")
	cp := *p
	cp.Versions = append([]Version(nil), p.Versions...)
	cp.Versions[0].EffectiveTo = ""
	errs := Validate(&cp, set.Workflows)
	if len(errs) == 0 || !strings.Contains(errs.Error(), "in force at the same time") {
		t.Errorf("overlap not reported: %v", errs)
	}
}

func TestWorkflowValidation(t *testing.T) {
	w := &Workflow{ID: "w", Name: "W",
		States: []State{
			{ID: "a", Name: "A", Status: 2, Roles: []string{"counter_officer"}, Start: true, Share: 0.7},
			{ID: "b", Name: "B", Status: 11, Roles: []string{"wizard"}, Share: 0.5},
			{ID: "island", Name: "I", Status: 4, Roles: []string{"specialist"}},
			{ID: "end", Name: "E", Status: 10, Terminal: true},
		},
		Actions: []Action{
			{ID: "go", Name: "Go", From: []string{"a"}, To: "b", Roles: []string{"counter_officer"}},
			{ID: "refuse", Name: "R", From: []string{"b"}, To: "end", Roles: []string{"leader"}},
			{ID: "x", Name: "X", From: []string{"ghost"}, To: "end", Roles: []string{"leader"}},
		},
	}
	msg := Errors(w.Validate()).Error()
	for _, want := range []string{"states[1].status", "unknown role \"wizard\"", "shares add up", "lifecycle action", "unknown state \"ghost\""} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	// Fix the structure; the unreachable island remains.
	w.States[1] = State{ID: "b", Name: "B", Status: 4, Roles: []string{"specialist"}, Share: 0.2}
	w.Actions = w.Actions[:1]
	w.Actions = append(w.Actions, Action{ID: "finish", Name: "F", From: []string{"b"}, To: "end", Roles: []string{"leader"}})
	msg = Errors(w.Validate()).Error()
	if !strings.Contains(msg, `"island" cannot be reached`) || !strings.Contains(msg, `no terminal state can be reached from "island"`) {
		t.Errorf("reachability: %s", msg)
	}
	for _, tmpl := range shipped(t).Workflows {
		if errs := tmpl.Validate(); len(errs) > 0 {
			t.Errorf("shipped workflow %s: %v", tmpl.ID, errs)
		}
	}
}

func TestReadDirReportsFileErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"c/workflows/same-day.json":   {Data: mustRead(t, "catalog/workflows/same-day.json")},
		"c/procedures/broken.json":    {Data: []byte("{\n  \"code\": \"1.000001\",\n  \"name\": \n}")},
		"c/procedures/typo.json":      {Data: []byte(`{"code":"1.000002","nmae":"x"}`)},
		"c/procedures/wrongtype.json": {Data: []byte(`{"code":"1.000003","versions":"many"}`)},
	}
	_, err := ReadDir(fsys, "c")
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{"c/procedures/broken.json: line 4", `c/procedures/typo.json: json: unknown field "nmae"`, "c/procedures/wrongtype.json: versions: line 1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	b, err := data.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The catalogue survives the database on both engines: import, load,
// re-import (update), and a failed import changes nothing.
func TestServiceImportLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := NewService(db)
		set := shipped(t)
		res, err := svc.Import(ctx, set, audit.System)
		if err != nil {
			t.Fatal(err)
		}
		if res.Added != len(set.Procedures) || res.Updated != 0 {
			t.Errorf("first import %+v", res)
		}
		fresh := NewService(db)
		if err := fresh.Load(ctx); err != nil {
			t.Fatal(err)
		}
		if fresh.Catalog().Len() != len(set.Procedures) {
			t.Fatalf("loaded %d", fresh.Catalog().Len())
		}
		p, _ := fresh.Catalog().Get("1.001193")
		if len(p.Versions) != 2 || p.Versions[0].WorkflowDef == nil || p.Versions[0].Components[1].ID != "giay-chung-sinh" {
			t.Errorf("round trip lost data: %+v", p.Versions[0].Components)
		}
		res, err = svc.Import(ctx, set, audit.System)
		if err != nil || res.Updated != len(set.Procedures) {
			t.Errorf("re-import %+v %v", res, err)
		}
		// A bad procedure in a set aborts the whole import.
		bad := &Set{Workflows: set.Workflows, Procedures: []*Procedure{set.Procedures[0], {Code: "1.999999", Name: "Hỏng"}}}
		if _, err := svc.Import(ctx, bad, audit.System); err == nil {
			t.Fatal("a bad set must fail")
		}
		n, _ := svc.Count(ctx)
		if n != len(set.Procedures) {
			t.Errorf("count after failed import %d", n)
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	c := New(shipped(b).Procedures)
	qs := []string{"dang ky khai sinh", "chứng thực bản sao", "ho kinh doanh", "thuong tru", "giấy độc thân"}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Search(qs[i%len(qs)], 100)
	}
}
