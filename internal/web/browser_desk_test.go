package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// browserSignIn signs a demo account in to the console in the page, with
// the keyboard.
func browserSignIn(t *testing.T, p *browsertest.Page, env *apptest.Env, username string) {
	t.Helper()
	_, secret := staffUser(t, env, username)
	now := time.Now()
	if env.App.Cfg.Now != nil {
		now = env.App.Cfg.Now()
	}
	p.Navigate(env.URL + "/staff/login")
	p.Type("#username", username)
	p.Type("#password", testPassword)
	p.Type("#code", totpAt(t, secret, now))
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("sign-in of %s: %d", username, st)
	}
	if !strings.Contains(p.Text("header"), "Đăng xuất") && !strings.Contains(p.Text("header"), "Sign out") {
		t.Fatalf("sign-in of %s failed: %s", username, p.Text("main"))
	}
}

// tabTo presses Tab until the element matching selector has the focus, as a
// keyboard user reaches it; the test fails if it is not reached.
func tabTo(t *testing.T, p *browsertest.Page, selector string) {
	t.Helper()
	for range 80 {
		if p.IsFocused(selector) {
			return
		}
		p.Press(browsertest.Tab)
	}
	t.Fatalf("Tab never reaches %s (focus on %s)", selector, p.Focused())
}

// axeEverywhere checks the page as it is in both viewports, and the same
// address in the other language, then comes back.
func axeEverywhere(t *testing.T, p *browsertest.Page, url string) {
	t.Helper()
	for _, lang := range []string{"en", "vi"} {
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		p.Navigate(url + sep + "lang=" + lang)
		for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
			p.SetViewport(vp)
			if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
				t.Logf("page %s (%s, %d px)", url, lang, vp.Width)
			}
		}
	}
}

// The leader approves several dossiers at once, signs, and sends one back
// with a comment — with the keyboard only; every page has no axe
// violations in Vietnamese and English, on a desktop and a phone.
func TestDeskLeaderBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	f := newDeskFlow(t, env)
	var approval []string
	for i, name := range []string{"Trần Văn Nam", "Lê Thị Thu", "Phạm Văn Hải", "Đỗ Thị Hoa"} {
		approval = append(approval, f.toLeader(maritalJSON(name, "03819000000"+string(rune('1'+i))), "Đủ điều kiện, đề nghị phê duyệt").Code)
	}
	birth := f.toLeader(birthJSON, "Kính trình ký")

	p := browsertest.New(t)
	browserSignIn(t, p, env, "chutich.binh")
	axeEverywhere(t, p, env.URL+"/staff/leader")
	if got := p.Text("#h-approval"); !strings.Contains(got, "Chờ phê duyệt") || !strings.Contains(got, "4") {
		t.Errorf("approval section: %q", got)
	}
	if !strings.Contains(p.Text("main"), "Đủ điều kiện, đề nghị phê duyệt") {
		t.Error("the specialist's comment is not shown")
	}

	// Approve three: tick them with Space, then the button.
	p.Focus("a.skip")
	for _, code := range approval[:3] {
		tabTo(t, p, "#cb-"+cssID(code))
		p.Press(browsertest.Space)
	}
	tabTo(t, p, `button[value="approve"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("confirm: %d", st)
	}
	if got := p.Text("main"); !strings.Contains(got, "Sẽ thực hiện với 3 hồ sơ") || !strings.Contains(got, approval[2]) || strings.Contains(got, approval[3]) {
		t.Fatalf("confirmation: %s", got)
	}
	confirmURL := p.URL()
	axeEverywhere(t, p, confirmURL)
	tabTo(t, p, "#comment")
	p.Press("Đồng ý")
	tabTo(t, p, `form[action="/staff/leader/act"] button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("approve: %d", st)
	}
	if got := p.Text("[role=status]"); !strings.Contains(got, "Đã thực hiện 3 trong 3 hồ sơ") {
		t.Fatalf("approve outcome: %s", p.Text("main"))
	}
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p.SetViewport(vp)
		p.AssertNoAxeViolations()
	}
	for _, code := range approval[:3] {
		if d := f.get(code); d.State != "signing" {
			t.Errorf("%s after approval: %s", code, d.State)
		}
	}

	// Sign everything awaiting signature, in English this time: "select
	// all", then Sign.
	tabTo(t, p, `a[href="/staff/leader"].button`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("back to the desk: %d", st)
	}
	p.Navigate(env.URL + "/staff/leader?lang=en")
	p.Focus("a.skip")
	tabTo(t, p, "#all-signing")
	p.Press(browsertest.Space)
	if n := browsertest.Eval[int](p, `document.querySelectorAll("input[name=signing]:checked").length`); n != 4 {
		t.Fatalf("select all ticked %d", n)
	}
	tabTo(t, p, `#h-signing ~ form button[value="sign"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("confirm signing: %d", st)
	}
	if got := p.Text("main"); !strings.Contains(got, "To be done for 4 dossiers") {
		t.Fatalf("signing confirmation: %s", got)
	}
	tabTo(t, p, `form[action="/staff/leader/act"] button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("sign: %d", st)
	}
	if got := p.Text("[role=status]"); !strings.Contains(got, "Done for 4 of 4 dossiers") {
		t.Fatalf("sign outcome: %s", p.Text("main"))
	}
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p.SetViewport(vp)
		p.AssertNoAxeViolations()
	}
	for _, code := range append(approval[:3:3], birth.Code) {
		if d := f.get(code); d.State != "result_ready" {
			t.Errorf("%s after signing: %s", code, d.State)
		}
	}

	// Send the last one back with a comment.
	p.Navigate(env.URL + "/staff/leader?lang=vi")
	p.Focus("a.skip")
	tabTo(t, p, "#cb-"+cssID(approval[3]))
	p.Press(browsertest.Space)
	tabTo(t, p, `#h-approval ~ form button[value="send_back"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("confirm sending back: %d", st)
	}
	axeEverywhere(t, p, p.URL())
	tabTo(t, p, "#comment")
	p.Press("Bổ sung xác nhận nơi cư trú")
	tabTo(t, p, `form[action="/staff/leader/act"] button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("send back: %d", st)
	}
	if got := p.Text("[role=status]"); !strings.Contains(got, "Đã thực hiện 1 trong 1 hồ sơ") {
		t.Fatalf("send back outcome: %s", p.Text("main"))
	}
	d := f.get(approval[3])
	if d.State != "processing" || d.History[len(d.History)-1].Comment != "Bổ sung xác nhận nơi cư trú" {
		t.Errorf("sent back: %+v", d)
	}
	// Nothing left: the empty desk is accessible too.
	axeEverywhere(t, p, env.URL+"/staff/leader")
}

// hasFocus waits a moment for the element to have the focus (autofocus
// applies after the page loads).
func hasFocus(p *browsertest.Page, selector string) bool {
	return browsertest.Eval[bool](p, `new Promise(resolve => {
		let n = 0;
		const check = () => {
			const ok = document.activeElement !== null && document.activeElement === document.querySelector(`+jsQuote(selector)+`);
			if (ok || n++ > 40) { resolve(ok); } else { setTimeout(check, 25); }
		};
		check();
	})`)
}

// cssID escapes a dossier code for an id selector (its dots).
func cssID(code string) string { return strings.ReplaceAll(code, ".", `\.`) }

// The counter officer finds a dossier by the receipt's QR code typed by a
// scanner, returns the result with the keyboard, and has the print links.
func TestDeskReturnBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	f := newDeskFlow(t, env)
	ready := f.resultReady()
	other := f.resultReady()
	waiting := f.toLeader(maritalJSON("Trần Văn Nam", "038190000001"), "")

	p := browsertest.New(t)
	browserSignIn(t, p, env, "motcua.lan")
	axeEverywhere(t, p, env.URL+"/staff/return")
	if p.Exists("button[data-scan-button]") != browsertest.Eval[bool](p, `(async () => "BarcodeDetector" in window && !!navigator.mediaDevices && !!navigator.mediaDevices.getUserMedia &&
		(await BarcodeDetector.getSupportedFormats()).includes("qr_code"))()`) {
		t.Error("the camera button is there where the browser cannot scan, or missing where it can")
	}
	// Not ready: a plain warning, no form.
	axeEverywhere(t, p, env.URL+"/staff/return?code="+waiting.Code)
	if !strings.Contains(p.Text("main"), "KẾT QUẢ CHƯA SẴN SÀNG") || p.Exists("#collected_by") {
		t.Error("the not-ready dossier offers a return")
	}
	// An unknown code: the error is shown at the field.
	if st := p.NavigateStatus(env.URL + "/staff/return?code=H56.16072-261127-9999"); st != 404 {
		t.Errorf("unknown code: %d", st)
	}
	p.IgnoreConsoleErrors("status of 404")
	p.AssertNoAxeViolations()

	// The scanner types the status-page address into the focused field.
	p.Navigate(env.URL + "/staff/return")
	if !hasFocus(p, "#code") {
		t.Errorf("the code field is not focused for the scanner: %s", p.Focused())
	}
	p.Type("#code", ready.StatusURL)
	p.Press(browsertest.Tab)
	if got := p.Value("#code"); got != ready.Code {
		t.Errorf("the field keeps %q, want the code %s", got, ready.Code)
	}
	p.Press(browsertest.Tab, browsertest.Shift)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("find: %d", st)
	}
	main := p.Text("main")
	for _, want := range []string{ready.Code, "Nguyễn Thị Hoa", "Đăng ký khai sinh", "Đã có kết quả, chờ trả"} {
		if !strings.Contains(main, want) {
			t.Errorf("the dossier's facts lack %q", want)
		}
	}
	axeEverywhere(t, p, p.URL())
	// The applicant collects it: the name is filled in; confirm.
	if !hasFocus(p, "#collected_by") || p.Value("#collected_by") != "Nguyễn Thị Hoa" {
		t.Errorf("collector field: focus %s, value %q", p.Focused(), p.Value("#collected_by"))
	}
	tabTo(t, p, `form[action="/staff/return"][method="post"] button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("return: %d", st)
	}
	if got := p.Text("[role=status]"); !strings.Contains(got, "Đã trả kết quả") || !strings.Contains(got, "Nguyễn Thị Hoa") {
		t.Fatalf("after the return: %s", p.Text("main"))
	}
	if !p.Exists(`a[href="/staff/dossiers/`+ready.Code+`/forms/control_slip.pdf"]`) || !p.Exists(`a[href="/staff/dossiers/`+ready.Code+`/forms/receipt.pdf"]`) {
		t.Error("no print links after the return")
	}
	if !hasFocus(p, "#code") {
		t.Errorf("after the return the code field is not ready for the next scan: %s", p.Focused())
	}
	axeEverywhere(t, p, p.URL())
	if d := f.get(ready.Code); d.Status != 10 || d.Result.CollectedBy != "Nguyễn Thị Hoa" {
		t.Errorf("returned: %+v", d)
	}

	// Where the browser reads QR codes with the camera (a stand-in camera
	// and reader here), "Scan with the camera" finds the dossier.
	p.Navigate(env.URL + "/staff/return")
	p.Exec(`window.BarcodeDetector = class {
		static getSupportedFormats() { return Promise.resolve(["qr_code", "ean_13"]); }
		detect() { return Promise.resolve([{ rawValue: ` + jsQuote(other.StatusURL) + ` }]); }
	};
	navigator.mediaDevices.getUserMedia = () => Promise.resolve(document.createElement("canvas").captureStream());
	const s = document.createElement("script"); s.src = "/static/staff-scan.js"; document.body.appendChild(s);
	new Promise(resolve => s.onload = resolve)`)
	p.WaitVisible("button[data-scan-button]")
	if got := p.Text("button[data-scan-button]"); got != "Quét bằng camera" {
		t.Errorf("camera button %q", got)
	}
	p.AssertNoAxeViolations()
	tabTo(t, p, "button[data-scan-button]")
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("camera scan: %d", st)
	}
	if got := p.URL(); !strings.HasSuffix(got, "/staff/return?code="+url.QueryEscape(other.Code)) {
		t.Errorf("the camera scan looked up %s", got)
	}
	if !strings.Contains(p.Text("main"), other.Code) || !p.Exists("#collected_by") {
		t.Errorf("the scanned dossier is not shown: %s", p.Text("main"))
	}
}

// The register of this month, filtered with the keyboard, and its XLSX
// downloaded with the session.
func TestDeskRegisterBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	f := newDeskFlow(t, env)
	birth := f.create(birthJSON)
	marital := f.create(maritalJSON("Trần Văn Nam", "038190000001"))

	p := browsertest.New(t)
	browserSignIn(t, p, env, "motcua.lan")
	axeEverywhere(t, p, env.URL+"/staff/register")
	if got := p.Text("main"); !strings.Contains(got, birth.Code) || !strings.Contains(got, marital.Code) {
		t.Fatalf("register: %s", got)
	}
	// Filter by procedure with the keyboard.
	p.Focus("a.skip")
	tabTo(t, p, "#procedure")
	idx := browsertest.Eval[int](p, `Array.from(document.querySelectorAll("#procedure option")).findIndex(o => o.value === "1.001193")`)
	for range idx {
		p.Press(browsertest.ArrowDown)
	}
	if got := p.Value("#procedure"); got != "1.001193" {
		t.Fatalf("procedure chosen: %q", got)
	}
	tabTo(t, p, `form.filters button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("filter: %d", st)
	}
	if got := p.Text("main"); !strings.Contains(got, birth.Code) || strings.Contains(got, marital.Code) {
		t.Errorf("filtered register (%s): %s", p.URL(), got)
	}
	// Bad dates: a message, not a crash.
	if st := p.NavigateStatus(env.URL + "/staff/register?from=2026-11-30&to=2026-11-01"); st != 400 {
		t.Errorf("bad period: %d", st)
	}
	p.IgnoreConsoleErrors("status of 400")
	if !strings.Contains(p.Text("[role=alert]"), "Ngày kết thúc phải từ ngày bắt đầu trở đi") {
		t.Error("no message for the bad period")
	}
	p.AssertNoAxeViolations()

	p.Navigate(env.URL + "/staff/register")
	href, _ := p.Attr(`a[href^="/staff/register/export?format=xlsx"]`, "href")
	start := browsertest.Eval[string](p, `fetch(`+jsQuote(href)+`).then(r => r.arrayBuffer()).then(b => String.fromCharCode(...new Uint8Array(b).slice(0, 2)))`)
	if start != "PK" {
		t.Errorf("the XLSX starts with %q", start)
	}
}

func jsQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
