package web_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// A leader reads the dashboard, opens a chart's table, enters a figure and
// imports a spreadsheet; every page passes axe on a phone and a desktop,
// in normal and large text, and the dashboard in English too.
func TestDXBrowser(t *testing.T) {
	env := dxEnv(t, store.SQLite)
	p := browsertest.New(t)
	browserSignIn(t, p, env, "chutich.binh")
	assistAxe(t, p, env, "/staff/dx")
	p.Navigate(env.URL + "/staff/dx")
	if n := p.Count("article.dx-card"); n != len(dx.Indicators) {
		t.Fatalf("%d cards, want %d", n, len(dx.Indicators))
	}
	if n := p.Count("article.dx-card svg[role=img] title"); n != len(dx.Indicators) {
		t.Fatalf("%d charts with a title", n)
	}
	// The table behind a chart opens from the keyboard.
	card := "article[aria-labelledby=card-eid_level2]"
	p.Focus(card + " summary")
	p.Press("\r")
	if txt := p.Text(card + " details table"); !strings.Contains(txt, "87,49%") || !strings.Contains(txt, "30/06/2024") {
		t.Fatalf("table behind the chart: %q", txt)
	}
	if txt := p.Text(card); !strings.Contains(txt, "Tăng") || !strings.Contains(txt, "27.926 / 31.920") {
		t.Fatalf("card: %q", txt)
	}
	p.Navigate(env.URL + "/staff/dx?lang=en")
	if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
		t.Log("English dashboard")
	}
	if !strings.Contains(p.Text("main"), "Digital-transformation indicators") {
		t.Fatal("English dashboard")
	}
	p.Navigate(env.URL + "/staff/dx?lang=vi")

	// Enter a figure: a mistake first, then right.
	assistAxe(t, p, env, "/staff/dx/cashless_electricity")
	p.Navigate(env.URL + "/staff/dx/cashless_electricity")
	p.Exec(`document.querySelector('#as_of').value = '2026-06-30'`)
	p.Type("#numerator", "5200")
	p.Type("#denominator", "5000")
	p.Type("#source", "Điện lực Hoằng Hóa")
	p.IgnoreConsoleErrors("400")
	if st := p.ClickAndWait("form[action='/staff/dx/cashless_electricity'] button[type=submit]"); st != 400 {
		t.Fatalf("bad entry: %d", st)
	}
	if !strings.Contains(p.Text("[role=alert]"), "Tử số không được lớn hơn mẫu số") {
		t.Fatalf("error: %q", p.Text("main"))
	}
	if v, _ := p.Attr("#numerator", "aria-invalid"); v != "true" {
		t.Fatal("the field at fault is not marked")
	}
	if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
		t.Log("entry form with an error")
	}
	p.Clear("#numerator")
	p.Type("#numerator", "4000")
	if st := p.ClickAndWait("form[action='/staff/dx/cashless_electricity'] button[type=submit]"); st != 200 {
		t.Fatalf("entry: %d", st)
	}
	if txt := p.Text("main"); !strings.Contains(txt, "Đã lưu số liệu 80% ngày 30/06/2026") || !strings.Contains(txt, "Điện lực Hoằng Hóa") {
		t.Fatalf("after entry: %q", txt)
	}

	// Import: the page, a file with one good row, the preview, confirm.
	assistAxe(t, p, env, "/staff/dx/import")
	tpl, err := dx.Template()
	if err != nil {
		t.Fatal(err)
	}
	x, _ := excelize.OpenReader(bytes.NewReader(tpl))
	for col, v := range map[string]string{"C": "30/09/2026", "D": "98", "G": "Trạm y tế xã"} {
		x.SetCellStr(dx.ImportSheet, col+"5", v) // row 5: health_record
	}
	buf, _ := x.WriteToBuffer()
	file := filepath.Join(t.TempDir(), "so-lieu.xlsx")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	p.Navigate(env.URL + "/staff/dx/import")
	p.Do(chromedp.SetUploadFiles("#file", []string{file}))
	if st := p.ClickAndWait("form[action='/staff/dx/import'] button[type=submit]"); st != 200 {
		t.Fatalf("upload: %d", st)
	}
	preview := strings.TrimPrefix(p.URL(), env.URL)
	if !strings.Contains(p.Text("main"), "health_record") {
		t.Fatalf("preview: %q", p.Text("main"))
	}
	assistAxe(t, p, env, preview)
	p.Navigate(env.URL + preview)
	if st := p.ClickAndWait("main form button[type=submit]"); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	if txt := p.Text(".notice.ok"); !strings.Contains(txt, "Đã nhập 1 số liệu") {
		t.Fatalf("after import: %q", txt)
	}
	if txt := p.Text("article[aria-labelledby=card-health_record]"); !strings.Contains(txt, "98%") {
		t.Fatalf("imported figure: %q", txt)
	}
}
