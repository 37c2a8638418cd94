package web_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// A province supervisor reads the ranking, opens a commune's index, its
// chart's table from the keyboard, and the dossiers behind indicator 2.1;
// every page passes axe on a phone and a desktop, in normal and large text.
func TestScore766Browser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	s766Dataset(t, env)
	p := browsertest.New(t)
	browserSignIn(t, p, env, "giamsat.tinh")
	march := "period=month&year=2026&month=3"

	assistAxe(t, p, env, "/staff/766/province?"+march)
	p.Navigate(env.URL + "/staff/766/province?" + march)
	if txt := p.Text("main table"); !strings.Contains(txt, "Hoa Lộc") {
		t.Fatalf("ranking: %q", txt)
	}
	if st := p.ClickAndWait("main table a[href*='agency=H56.16072']"); st != 200 {
		t.Fatalf("commune from the ranking: %d", st)
	}
	index := strings.TrimPrefix(p.URL(), env.URL)
	if !strings.Contains(index, "agency=H56.16072") || !strings.Contains(p.Text(".s766-total"), "/ 100") {
		t.Fatalf("index at %s: %q", index, p.Text("main"))
	}
	assistAxe(t, p, env, index)
	p.Navigate(env.URL + index)
	// The table behind the group chart opens from the keyboard.
	p.Focus("section[aria-labelledby=groups-h] summary")
	p.Press("\r")
	if txt := p.Text("section[aria-labelledby=groups-h] details table"); !strings.Contains(txt, "Tiến độ, kết quả giải quyết") || !strings.Contains(txt, "10") {
		t.Fatalf("table behind the chart: %q", txt)
	}
	if n := p.Count(".s766-losers li"); n == 0 {
		t.Fatal("no indicator losing points")
	}
	// Bad input: the form again with the message, the field marked.
	p.IgnoreConsoleErrors("400")
	p.Clear("#year")
	p.Type("#year", "2030")
	if st := p.ClickAndWait("form.s766-form button[type=submit]"); st != 400 {
		t.Fatalf("bad year: %d", st)
	}
	if !strings.Contains(p.Text("[role=alert]"), "Năm phải từ 2015 đến 2026") {
		t.Fatalf("error: %q", p.Text("main"))
	}
	if v, _ := p.Attr("#year", "aria-invalid"); v != "true" {
		t.Fatal("the field at fault is not marked")
	}
	if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
		t.Log("index with an error")
	}
	// The dossiers behind 2.1's denominator.
	p.Navigate(env.URL + index)
	if st := p.ClickAndWait("#ind-2\\.1 td a[href*='which=denominator']"); st != 200 {
		t.Fatalf("drill-down: %d", st)
	}
	drill := strings.TrimPrefix(p.URL(), env.URL)
	if n := p.Count("main tbody tr"); n != 4 {
		t.Fatalf("%d dossiers in 2.1's denominator, want 4", n)
	}
	if txt := p.Text("main table"); !strings.Contains(txt, "Trễ hạn") || !strings.Contains(txt, "H56.16072-260305-0001") {
		t.Fatalf("drill-down: %q", txt)
	}
	assistAxe(t, p, env, drill)
	p.Navigate(env.URL + drill + "&lang=en")
	if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
		t.Log("English drill-down")
	}
	if !strings.Contains(p.Text("main"), "Dossiers in the denominator") {
		t.Fatalf("English drill-down: %q", p.Text("main"))
	}
}
