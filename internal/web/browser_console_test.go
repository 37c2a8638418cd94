package web_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"golang.org/x/text/unicode/norm"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// The staff console driven in the browser as its users drive it: the
// counter officer receives at intake, the specialist takes the dossier from
// the inbox and moves it on, the leader approves and signs, the counter
// returns the result — with the keyboard where a person would use it.
//
// A TOTP code is accepted once per 30-second step and the clock is fixed,
// so each account signs in once per environment and keeps its Page (its own
// browser context and cookies) for the whole test.

// consPerson is a resident of the demo's sandbox population registry.
type consPerson struct {
	ID, Name, Phone string
}

// consResident picks a sandbox resident matching the SQL condition; skip
// passes over the first ones, so that tests do not share an applicant.
func consResident(t *testing.T, env *apptest.Env, cond string, skip int) consPerson {
	t.Helper()
	var p consPerson
	err := env.App.DB.Read().QueryRowContext(context.Background(),
		`SELECT id_number, full_name, phone FROM sandbox_residents WHERE phone <> '' AND `+cond+` ORDER BY id_number LIMIT 1 OFFSET `+fmt.Sprint(skip)).
		Scan(&p.ID, &p.Name, &p.Phone)
	if err != nil {
		t.Fatalf("no sandbox resident with %s: %v", cond, err)
	}
	return p
}

// Residents for the procedures: an unmarried adult, a married woman of
// child-bearing age, a head of household.
const (
	consSingle = `birth_date < '2006-01-01' AND doc LIKE '%"marital_status":"single"%'`
	consMother = `sex = 'female' AND birth_date BETWEEN '1990-01-01' AND '2004-12-31' AND doc LIKE '%"marital_status":"married"%'`
	consHead   = `relation = 'head' AND birth_date BETWEEN '1970-01-01' AND '1995-12-31'`
)

// consGet reads a dossier and its history through the engine, as a
// province supervisor (who may read every dossier).
func consGet(t *testing.T, env *apptest.Env, code string) (*dossier.Dossier, []dossier.HistoryEntry) {
	t.Helper()
	d, hist, err := env.App.Dossiers.Get(context.Background(), &identity.Principal{ID: "test", Name: "Kiểm thử", Roles: []string{identity.RoleSupervisor}}, code)
	if err != nil {
		t.Fatalf("get %s: %v", code, err)
	}
	return d, hist
}

// consActions lists the actions of a history, in order.
func consActions(hist []dossier.HistoryEntry) []string {
	out := []string{}
	for _, h := range hist {
		out = append(out, h.Action)
	}
	return out
}

// consKeys is a key pressed as a keyboard sends it on Linux and Windows —
// key down, the character, key up — with Alt held if alt. Page.Press differs
// from a keyboard in two ways that matter here: it leaves out the character
// event while Alt is held, and access keys fire on that event; and its
// character event is not suppressed when the page cancels the key down, as
// the console's "/" shortcut does.
func consKeys(key string, alt bool) chromedp.Action[chromedp.Void] {
	code, vk := "Slash", int64(191)
	if key != "/" {
		code, vk = "Key"+strings.ToUpper(key), int64(strings.ToUpper(key)[0])
	}
	var mod int64
	if alt {
		mod = int64(browsertest.Alt)
	}
	events := []input.DispatchKeyEventParams{
		{Type: kb.KeyRawDown, Modifiers: mod, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
		{Type: kb.KeyChar, Modifiers: mod, Key: key, Code: code, Text: key, UnmodifiedText: key, WindowsVirtualKeyCode: int64(key[0]), NativeVirtualKeyCode: int64(key[0])},
		{Type: kb.KeyUp, Modifiers: mod, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk},
	}
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, e := range events {
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// consAccessKey presses Alt+key, which activates the element with that
// accesskey, and returns the status of the page it loads.
func consAccessKey(p *browsertest.Page, key string) int {
	p.T().Helper()
	ctx, cancel := context.WithTimeout(p.Context(), browsertest.DefaultTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, consKeys(key, true))
	if err != nil {
		p.T().Fatalf("Alt+%s on %s: no page loaded: %v", strings.ToUpper(key), p.URL(), err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// consSelect chooses an option of a drop-down with the arrow keys.
func consSelect(t *testing.T, p *browsertest.Page, selector, value string) {
	t.Helper()
	p.Focus(selector)
	want := browsertest.Eval[int](p, `Array.from(document.querySelector(`+jsQuote(selector)+`).options).findIndex(o => o.value === `+jsQuote(value)+`)`)
	if want < 0 {
		t.Fatalf("%s has no option %q", selector, value)
	}
	cur := browsertest.Eval[int](p, `document.querySelector(`+jsQuote(selector)+`).selectedIndex`)
	for ; cur < want; cur++ {
		p.Press(browsertest.ArrowDown)
	}
	for ; cur > want; cur-- {
		p.Press(browsertest.ArrowUp)
	}
	if got := p.Value(selector); got != value {
		t.Fatalf("%s: chose %q with the arrow keys, want %q", selector, got, value)
	}
}

// consTick focuses a radio button or check box and presses Space.
func consTick(t *testing.T, p *browsertest.Page, selector string) {
	t.Helper()
	p.Focus(selector)
	p.Press(browsertest.Space)
	if !browsertest.Eval[bool](p, `document.querySelector(`+jsQuote(selector)+`).checked`) {
		t.Fatalf("Space did not tick %s", selector)
	}
}

// consDate types a date into a date field, segment by segment as a person
// does (the browser's locale decides the order of the segments).
func consDate(t *testing.T, p *browsertest.Page, selector, iso string) {
	t.Helper()
	y, m, d := iso[0:4], iso[5:7], iso[8:10]
	for _, keys := range []string{m + d + y, d + m + y, y + m + d} {
		p.Focus(selector)
		p.Type(selector, keys)
		if p.Value(selector) == iso {
			return
		}
		p.Exec(`document.querySelector(` + jsQuote(selector) + `).value = ""`)
	}
	t.Fatalf("could not type %s into %s", iso, selector)
}

// consInvalid lists the fields of a form that the browser would not let
// through (required and empty, or malformed).
func consInvalid(p *browsertest.Page, form string) []string {
	return browsertest.Eval[[]string](p, `Array.from(document.querySelectorAll(`+jsQuote(form+" :invalid")+`)).filter(e => e.name).map(e => e.name)`)
}

// consUpload attaches a file to a file field, as choosing it in the file
// dialog does.
func consUpload(p *browsertest.Page, selector, path string) {
	p.T().Helper()
	p.Do(chromedp.SetUploadFiles(chromedp.CSS(selector), []string{path}))
}

// consScan writes a small PNG "scan" and returns its path.
func consScan(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 40))
	for x := range 60 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(6 * y), 200, 255})
		}
	}
	path := filepath.Join(t.TempDir(), "to-khai-scan.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// consFetched is a file the page fetched with its session.
type consFetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Head   string `json:"head"` // the first bytes
	Text   string `json:"text"` // the body, for HTML
}

// consFetch fetches a console address with the page's session (as the
// print links open).
func consFetch(p *browsertest.Page, path string) consFetched {
	p.T().Helper()
	return browsertest.Eval[consFetched](p, `fetch(`+jsQuote(path)+`).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer());
		const type = r.headers.get("Content-Type") || "";
		return {status: r.status, type: type, head: String.fromCharCode(...b.slice(0, 5)),
			text: type.startsWith("text/html") ? new TextDecoder().decode(b) : ""};
	})`)
}

// consCheckForm checks that a form of a dossier is offered to print now,
// and that it is the right form with the dossier's code (and the given
// texts) in both its PDF and HTML.
func consCheckForm(t *testing.T, p *browsertest.Page, code, form, number string, texts ...string) {
	t.Helper()
	link := `p.notice.ok a.button[href="/staff/dossiers/` + code + `/forms/` + form + `.pdf"]`
	if !p.Exists(link) {
		t.Errorf("%s: no %q to print now on %s", code, form, p.URL())
		return
	}
	if got := p.Text(link); !strings.HasPrefix(got, "In ngay:") {
		t.Errorf("%s: the print link reads %q", code, got)
	}
	if pdf := consFetch(p, "/staff/dossiers/"+code+"/forms/"+form+".pdf"); pdf.Status != 200 || pdf.Head != "%PDF-" {
		t.Errorf("%s: %s.pdf: %d %q %q", code, form, pdf.Status, pdf.Type, pdf.Head)
	}
	h := consFetch(p, "/staff/dossiers/"+code+"/forms/"+form+".html")
	if h.Status != 200 {
		t.Errorf("%s: %s.html: %d", code, form, h.Status)
		return
	}
	for _, want := range append([]string{"Mẫu số " + number, code}, texts...) {
		if !strings.Contains(h.Text, want) {
			t.Errorf("%s: the printed %s lacks %q", code, form, want)
		}
	}
}

// consFlash is the confirmation at the top of a console page.
func consFlash(p *browsertest.Page) string {
	if !p.Exists("main > p.notice.ok[role=status]") {
		return ""
	}
	return p.Text("main > p.notice.ok[role=status]")
}

// consCode is the dossier code of a dossier page's address.
func consCode(t *testing.T, p *browsertest.Page) string {
	t.Helper()
	u, err := url.Parse(p.URL())
	if err != nil || !strings.HasPrefix(u.Path, "/staff/dossiers/") {
		t.Fatalf("not a dossier page: %s (%s)", p.URL(), p.Text("main"))
	}
	return strings.TrimPrefix(u.Path, "/staff/dossiers/")
}

// consOpenIntake opens intake with Alt+N, searches the procedure as typed
// (without diacritics), opens its form, and looks the applicant up in the
// population database (sandbox) by ID number.
func consOpenIntake(t *testing.T, p *browsertest.Page, env *apptest.Env, search, code, name string, who consPerson) {
	t.Helper()
	p.Navigate(env.URL + "/staff/")
	if st := consAccessKey(p, "n"); st != 200 || !strings.HasSuffix(p.URL(), "/staff/intake") {
		t.Fatalf("Alt+N: %d %s", st, p.URL())
	}
	if !hasFocus(p, "#q") {
		t.Errorf("intake: the search box is not focused (%s)", p.Focused())
		p.Focus("#q")
	}
	p.Press(search)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("search %q: %d", search, st)
	}
	link := `.procs a.proc-name[href="/staff/intake/` + code + `"]`
	if !p.Exists(link) {
		t.Fatalf("searching %q does not find %s: %v", search, code, p.Texts(".procs a.proc-name"))
	}
	if got := p.Text(link); got != name {
		t.Errorf("%s is listed as %q, want %q", code, got, name)
	}
	tabTo(t, p, link)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("open the form of %s: %d", code, st)
	}
	if h := p.Text("h1"); !strings.Contains(h, name) {
		t.Errorf("intake form h1 %q", h)
	}
	consLookup(t, p, who)
}

// consLookup looks the applicant up by ID number from the intake form's
// lookup box, with Enter. The sandbox, like the real platform, sometimes
// answers "busy"; the officer then presses Enter again.
func consLookup(t *testing.T, p *browsertest.Page, who consPerson) {
	t.Helper()
	if !hasFocus(p, "#lookup-id") {
		t.Errorf("intake form: the ID number box is not focused (%s)", p.Focused())
	}
	p.Focus("#lookup-id")
	p.Press(who.ID)
	for try := 1; ; try++ {
		if st := p.PressAndWait(browsertest.Enter); st != 200 {
			t.Fatalf("lookup %s: %d", who.ID, st)
		}
		if !p.Exists(".notice.error[role=alert]") || try == 3 {
			break
		}
		t.Logf("lookup %s, try %d: %s", who.ID, try, p.Text(".notice.error[role=alert]"))
		p.Focus("#lookup-id")
	}
	found := ""
	if p.Exists("main p.notice.ok[role=status]") {
		found = p.Text("main p.notice.ok[role=status]")
	}
	if !strings.Contains(found, "Đã tìm thấy") || !strings.Contains(found, who.Name) || !strings.Contains(found, "SANDBOX") {
		t.Fatalf("lookup of %s (%s): %q", who.ID, who.Name, p.Text("main"))
	}
	for sel, want := range map[string]string{"#name": who.Name, "#id_number": who.ID, "#phone": who.Phone} {
		if got := p.Value(sel); got != want {
			t.Errorf("after the lookup %s = %q, want %q", sel, got, want)
		}
	}
	if !strings.HasPrefix(p.Value("#address"), "Thôn ") {
		t.Errorf("the address is not pre-filled: %q", p.Value("#address"))
	}
	if p.Exists("#form_applicant_name") && p.Value("#form_applicant_name") != who.Name {
		t.Errorf("the e-form's applicant name is not pre-filled: %q", p.Value("#form_applicant_name"))
	}
}

// consReceive presses Alt+R (receive and print the receipt) and checks the
// dossier page that follows: the code, the receipt to print. It returns the
// code.
func consReceive(t *testing.T, p *browsertest.Page) string {
	t.Helper()
	if bad := consInvalid(p, "form.intake"); len(bad) > 0 {
		t.Fatalf("the intake form is not complete: %v", bad)
	}
	if st := consAccessKey(p, "r"); st != 200 {
		t.Fatalf("Alt+R (receive): %d %s", st, p.Text("main"))
	}
	code := consCode(t, p)
	if h := p.Text("h1"); !strings.HasPrefix(h, code+" — ") {
		t.Errorf("the dossier page's h1 %q does not show the code %s", h, code)
	}
	if got := consFlash(p); !strings.Contains(got, "Đã tiếp nhận hồ sơ "+code) {
		t.Errorf("after receiving: %q", got)
	}
	consCheckForm(t, p, code, "receipt", "01")
	return code
}

// consAct takes an action from the dossier page: Tab to its button, Enter,
// the confirmation page (fill adds what it asks for), Tab to Confirm,
// Enter. It returns the action's name as shown.
func consAct(t *testing.T, p *browsertest.Page, env *apptest.Env, code, action string, fill func()) string {
	t.Helper()
	p.Navigate(env.URL + "/staff/dossiers/" + code)
	button := `.actions-panel a[href="/staff/dossiers/` + code + `/act/` + action + `"]`
	if !p.Exists(button) {
		t.Fatalf("%s: the dossier page offers no %q to %s; it offers %v", code, action, p.Text(".who"), p.Texts(".actions-panel a"))
	}
	name := p.Text(button)
	p.Focus("a.skip")
	tabTo(t, p, button)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("%s %s: confirmation %d", code, action, st)
	}
	if h := p.Text("h1"); h != name+" — "+code {
		t.Errorf("%s %s: confirmation h1 %q", code, action, h)
	}
	if got := p.Text(".status-box"); !strings.Contains(got, "Điều gì sẽ xảy ra") || strings.TrimSpace(p.Text(".status-box p.big")) == "" {
		t.Errorf("%s %s: the confirmation does not say what will happen: %q", code, action, got)
	}
	if fill != nil {
		fill()
	}
	tabTo(t, p, `form.stack button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("%s %s: %d %s", code, action, st, p.Text("main"))
	}
	if got := consFlash(p); got != "Đã thực hiện: "+name {
		t.Errorf("%s %s: after confirming: %q (%s)", code, action, got, p.URL())
	}
	return name
}

// consTake finds the dossier in the inbox "for my role" by its code ("/"
// goes to the filter), and takes it with its row's button.
func consTake(t *testing.T, p *browsertest.Page, env *apptest.Env, code string) bool {
	t.Helper()
	p.Navigate(env.URL + "/staff/inbox?box=role")
	p.Do(consKeys("/", false))
	if !p.IsFocused("#q") || p.Value("#q") != "" {
		t.Errorf("\"/\" does not go to the inbox filter (%s, %q)", p.Focused(), p.Value("#q"))
		p.Focus("#q")
	}
	p.Press(code)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		// The filter form sends its empty fields too (status=&…).
		t.Errorf("BUG: filtering the inbox by a code with the filter form (%s) answers %d: %q", p.URL(), st, p.Text("main [role=alert]"))
		p.IgnoreConsoleErrors("status of 400")
		p.Navigate(env.URL + "/staff/inbox?box=role&q=" + url.QueryEscape(code))
	}
	take := `button[aria-label="Nhận xử lý ` + code + `"]`
	if !p.Exists(take) {
		t.Errorf("%s is not in the inbox \"for my role\" of %s: %q", code, p.Text(".who"), p.Text("h1"))
		return false
	}
	tabTo(t, p, take)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("take %s: %d", code, st)
	}
	if u := p.URL(); !strings.Contains(u, "/staff/inbox?box=mine") || !strings.Contains(consFlash(p), code) {
		t.Errorf("after taking %s: %s %q", code, u, consFlash(p))
	}
	link := `a[href="/staff/dossiers/` + code + `"]`
	if !p.Exists(link) {
		t.Fatalf("%s is not in \"my dossiers\" after taking it: %s", code, p.Text("main"))
	}
	tabTo(t, p, link)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("open %s: %d", code, st)
	}
	return true
}

// consDeskAct has the leader do an action on one dossier at the leader's
// desk: tick it, press the section's button, confirm.
func consDeskAct(t *testing.T, p *browsertest.Page, env *apptest.Env, code, section, action string) {
	t.Helper()
	p.Navigate(env.URL + "/staff/leader")
	box := "#h-" + section + " ~ form #cb-" + cssID(code)
	if !p.Exists(box) {
		t.Fatalf("%s is not on the leader's desk under %s: %s", code, section, p.Text("main"))
	}
	p.Focus("a.skip")
	tabTo(t, p, box)
	p.Press(browsertest.Space)
	tabTo(t, p, `#h-`+section+` ~ form button[value="`+action+`"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("desk %s %s: %d", action, code, st)
	}
	if got := p.Text("main"); !strings.Contains(got, "Sẽ thực hiện với 1 hồ sơ") || !strings.Contains(got, code) {
		t.Fatalf("desk confirmation: %s", got)
	}
	tabTo(t, p, `form[action="/staff/leader/act"] button[type="submit"]`)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("desk %s %s: %d", action, code, st)
	}
	if got := p.Text("[role=status]"); !strings.Contains(got, "Đã thực hiện 1 trong 1 hồ sơ") {
		t.Errorf("desk %s %s: %s", action, code, p.Text("main"))
	}
}

// consReturn returns the result at /staff/return (Alt+T): the code typed,
// the collector recorded (proxyID for someone other than the applicant).
func consReturn(t *testing.T, p *browsertest.Page, env *apptest.Env, code, applicant, collector, proxyID string) {
	t.Helper()
	p.Navigate(env.URL + "/staff/")
	if st := consAccessKey(p, "t"); st != 200 || !strings.HasSuffix(p.URL(), "/staff/return") {
		t.Fatalf("Alt+T: %d %s", st, p.URL())
	}
	if !hasFocus(p, "#code") {
		t.Errorf("return: the code box is not focused (%s)", p.Focused())
	}
	p.Type("#code", code)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("find %s: %d", code, st)
	}
	if !p.Exists("#collected_by") {
		t.Fatalf("%s cannot be returned: %s", code, p.Text("main"))
	}
	if got := p.Value("#collected_by"); got != applicant {
		t.Errorf("the collector is pre-filled with %q, want the applicant %q", got, applicant)
	}
	submit := `form[action="/staff/return"][method="post"] button[type="submit"]`
	if collector != applicant {
		p.Clear("#collected_by")
		p.Type("#collected_by", collector)
		// Someone else collects: without their ID number, a plain message.
		tabTo(t, p, submit)
		if st := p.PressAndWait(browsertest.Enter); st != 400 {
			t.Errorf("a proxy without an ID number: %d", st)
		}
		p.IgnoreConsoleErrors("status of 400")
		if got := p.Text("#err"); !strings.Contains(got, "số định danh cá nhân") {
			t.Errorf("a proxy without an ID number: %q", got)
		}
		p.Type("#proxy_id", proxyID)
	}
	tabTo(t, p, submit)
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("return %s: %d", code, st)
	}
	if got := p.Text("[role=status]"); !strings.Contains(got, "Đã trả kết quả") || !strings.Contains(got, collector) {
		t.Errorf("after the return of %s: %s", code, p.Text("main"))
	}
}

// consCheckDone checks through the engine that the dossier was returned to
// the collector, with each step in its history by the right person.
func consCheckDone(t *testing.T, env *apptest.Env, code, collector string, steps [][2]string) {
	t.Helper()
	d, hist := consGet(t, env, code)
	if d.Status != 10 || d.State != "returned" || d.ReturnedAt == nil {
		t.Errorf("%s: status %d state %s, want 10 returned", code, d.Status, d.State)
	}
	if d.Result.CollectedBy != collector || d.Result.Method != "counter" {
		t.Errorf("%s: collected by %q (%s), want %q at the counter", code, d.Result.CollectedBy, d.Result.Method, collector)
	}
	if !d.PopulationData {
		t.Errorf("%s: the population lookup is not recorded", code)
	}
	var want []string
	for _, s := range steps {
		want = append(want, s[0])
	}
	if got := consActions(hist); !slices.Equal(got, want) {
		t.Errorf("%s: history %v, want %v", code, got, want)
		return
	}
	for i, s := range steps {
		if hist[i].ActorName != s[1] {
			t.Errorf("%s: %s by %q, want %q", code, s[0], hist[i].ActorName, s[1])
		}
	}
	if last := hist[len(hist)-1]; last.ToStatus != 10 || last.Detail["collected_by"] != collector {
		t.Errorf("%s: the last step %+v", code, last)
	}
}

// The demo's staff, as the history names them.
const (
	consLan   = "Lê Thị Lan"
	consHuong = "Phạm Thị Hương"
	consNam   = "Đỗ Hoài Nam"
	consBinh  = "Lê Văn Bình"
)

// Three procedures, each from the counter to the returned result, by the
// four people who handle it in the commune.
func TestConsoleJourneys(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	scan := consScan(t)
	lan := browsertest.New(t)
	browserSignIn(t, lan, env, "motcua.lan")
	huong := browsertest.New(t)
	browserSignIn(t, huong, env, "tuphap.huong")
	nam := browsertest.New(t)
	browserSignIn(t, nam, env, "kinhte.nam")
	binh := browsertest.New(t)
	browserSignIn(t, binh, env, "chutich.binh")

	// 1. A marital-status certificate (standard workflow: specialist →
	// approval → signature), approved and signed at the leader's desk.
	single := consResident(t, env, consSingle, 0)
	consOpenIntake(t, lan, env, "xac nhan tinh trang hon nhan", "1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", single)
	// The registry says the applicant is unmarried; the e-form's "current
	// marital status" is pre-filled from it.
	if got := lan.Value("#form_marital_status_now"); got != "single" {
		t.Errorf("BUG: the marital status is not pre-filled from the population data (resident %s is unmarried): the field holds %q, want \"single\"", single.ID, got)
		consSelect(t, lan, "#form_marital_status_now", "single")
	}
	consTick(t, lan, "#c-giay-to-tuy-than-population_db")
	consUpload(lan, "#f-to-khai", scan)
	consSelect(t, lan, "#form_purpose", "marriage")
	lan.Type("#form_intended_spouse", "Trần Thị Mai, 1996, Việt Nam")
	lan.Type("#form_copies", "2")
	marital := consReceive(t, lan)
	if !lan.Exists(`a[href^="/staff/dossiers/` + marital + `?file="]`) {
		t.Errorf("%s: the scan uploaded at intake is not listed: %s", marital, lan.Text("#h-components + ul"))
	}
	consAct(t, lan, env, marital, "transfer", nil)
	consTake(t, huong, env, marital)
	consAct(t, huong, env, marital, "submit", func() { huong.Type("#comment", "Đủ điều kiện, kính trình lãnh đạo phê duyệt") })
	consDeskAct(t, binh, env, marital, "approval", "approve")
	consDeskAct(t, binh, env, marital, "signing", "sign")
	consReturn(t, lan, env, marital, single.Name, single.Name, "")
	consCheckDone(t, env, marital, single.Name, [][2]string{{"receive", consLan}, {"transfer", consLan}, {"take", consHuong}, {"submit", consHuong},
		{"approve", consBinh}, {"sign", consBinh}, {"return_result", consLan}})

	// 2. A birth registration (same day: processing → signature), signed on
	// the dossier page with the certificate's number; the father collects.
	mother := consResident(t, env, consMother, 0)
	father := consResident(t, env, `sex = 'male' AND doc LIKE '%"marital_status":"married"%' AND birth_date BETWEEN '1985-01-01' AND '2004-12-31'`, 0)
	consOpenIntake(t, lan, env, "dang ky khai sinh", "1.001193", "Đăng ký khai sinh", mother)
	consTick(t, lan, "#c-giay-to-tuy-than-population_db")
	consUpload(lan, "#f-giay-chung-sinh", scan)
	lan.Type("#form_child_name", "Trần Gia Bảo")
	consDate(t, lan, "#form_child_birth_date", "2026-11-20")
	consSelect(t, lan, "#form_child_sex", "male")
	lan.Type("#form_birth_place", "Trạm y tế xã Hoa Lộc")
	lan.Type("#form_mother_name", mother.Name)
	lan.Type("#form_father_name", father.Name)
	consSelect(t, lan, "#form_relation", "mother")
	birth := consReceive(t, lan)
	consAct(t, lan, env, birth, "transfer", nil)
	consTake(t, huong, env, birth)
	consAct(t, huong, env, birth, "submit", nil)
	consAct(t, binh, env, birth, "sign", func() { binh.Type("#result_code", "125/2026/KS") })
	consReturn(t, lan, env, birth, mother.Name, father.Name, father.ID)
	consCheckDone(t, env, birth, father.Name, [][2]string{{"receive", consLan}, {"transfer", consLan}, {"take", consHuong}, {"submit", consHuong},
		{"sign", consBinh}, {"return_result", consLan}})
	if d, _ := consGet(t, env, birth); d.Result.Code != "125/2026/KS" {
		t.Errorf("%s: result number %q", birth, d.Result.Code)
	}

	// 3. A business household's registration (standard workflow), handled
	// by the commune's economic office; the leader approves and signs on
	// the dossier page.
	head := consResident(t, env, consHead, 3)
	consOpenIntake(t, lan, env, "dang ky thanh lap ho kinh doanh", "1.001612", "Đăng ký thành lập hộ kinh doanh", head)
	if got := lan.Text(".fee-box"); !strings.Contains(got, "100.000") {
		t.Errorf("the fee shown is %q", got)
	}
	consTick(t, lan, "#c-thong-tin-nhan-than-population_db")
	consUpload(lan, "#f-giay-de-nghi", scan)
	lan.Type("#form_business_name", "Tạp hóa Hoa Lộc")
	lan.Type("#form_business_address", "Thôn Đông Hòa, xã Hoa Lộc")
	lan.Type("#form_business_lines", "Bán lẻ hàng tạp hóa, đồ uống")
	lan.Type("#form_capital", "50000000")
	consSelect(t, lan, "#form_founders", "individual")
	hkd := consReceive(t, lan)
	consAct(t, lan, env, hkd, "transfer", nil)
	if !consTake(t, nam, env, hkd) {
		// The economic office may read and act on the commune's dossiers,
		// but its inbox does not list them: go to the dossier directly.
		t.Errorf("BUG: the economic office's specialist (kinhte.nam, agency H56.16072.KT) does not find the commune's business-household dossier %s in the inbox \"for my role\"", hkd)
		consAct(t, nam, env, hkd, "take", nil)
	}
	consAct(t, nam, env, hkd, "submit", func() { nam.Type("#comment", "Ngành nghề không thuộc danh mục cấm") })
	consAct(t, binh, env, hkd, "approve", nil)
	consAct(t, binh, env, hkd, "sign", func() { binh.Type("#result_code", "27H8000123") })
	consReturn(t, lan, env, hkd, head.Name, head.Name, "")
	consCheckDone(t, env, hkd, head.Name, [][2]string{{"receive", consLan}, {"transfer", consLan}, {"take", consNam}, {"submit", consNam},
		{"approve", consBinh}, {"sign", consBinh}, {"return_result", consLan}})

	// The receipt of each dossier carries its code and the applicant.
	for code, who := range map[string]string{marital: single.Name, birth: mother.Name, hkd: head.Name} {
		r := consFetch(lan, "/staff/dossiers/"+code+"/forms/receipt.html")
		if r.Status != 200 || !strings.Contains(r.Text, code) || !strings.Contains(r.Text, who) {
			t.Errorf("the receipt of %s (%d) lacks its code or the applicant %s", code, r.Status, who)
		}
	}
}

// consReceived counts the dossiers that were ever received (a status from
// "received" on, refusals and withdrawals aside).
func consReceived(t *testing.T, env *apptest.Env) int {
	t.Helper()
	return env.App.Dossiers.Count(context.Background(), &identity.Principal{ID: "test", Roles: []string{identity.RoleSupervisor}},
		dossier.Filter{Status: []int{2, 4, 5, 6, 9, 10}})
}

// consAxeHere checks the page as it is now (a page that a POST produced) on
// a phone and a desktop.
func consAxeHere(t *testing.T, p *browsertest.Page) {
	t.Helper()
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p.SetViewport(vp)
		if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
			t.Logf("page %s (%d px)", p.URL(), vp.Width)
		}
	}
}

// What is not received: guidance instead of receipt at the counter, a
// supplement asked for during processing (reasons required), a refusal at
// the counter and one after processing — each with its printed form.
func TestConsoleSupplementAndRefusal(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	f := newDeskFlow(t, env)
	lan := browsertest.New(t)
	browserSignIn(t, lan, env, "motcua.lan")
	huong := browsertest.New(t)
	browserSignIn(t, huong, env, "tuphap.huong")
	binh := browsertest.New(t)
	browserSignIn(t, binh, env, "chutich.binh")

	// (a) A mother comes with her ID card only: no declaration, no birth
	// certificate. The officer prints the supplement guidance (Alt+G).
	mother := consResident(t, env, consMother, 1)
	consOpenIntake(t, lan, env, "dang ky khai sinh", "1.001193", "Đăng ký khai sinh", mother)
	consTick(t, lan, "#c-to-khai-none")
	consTick(t, lan, "#c-giay-chung-sinh-none")
	consTick(t, lan, "#c-giay-to-tuy-than-population_db")
	lan.Type("#reasons", "Bổ sung Tờ khai đăng ký khai sinh\nBổ sung Giấy chứng sinh do cơ sở y tế cấp")
	// The declaration is missing, so its e-form cannot be filled in; the
	// guidance does not need it (the server does not ask for it), so the
	// browser must let the guidance through.
	if bad := consInvalid(lan, "form.intake"); len(bad) > 0 && !browsertest.Eval[bool](lan, `document.querySelector('button[value="guide"]').formNoValidate`) {
		t.Errorf("BUG: \"Print the supplement guidance\" (Alt+G) cannot be submitted until the e-form of the missing declaration is filled in: the browser blocks %v", bad)
		lan.Type("#form_child_name", "Trần Gia Hân")
		consDate(t, lan, "#form_child_birth_date", "2026-11-18")
		consSelect(t, lan, "#form_child_sex", "female")
		lan.Type("#form_birth_place", "Bệnh viện Đa khoa huyện")
		lan.Type("#form_mother_name", mother.Name)
		consSelect(t, lan, "#form_relation", "mother")
	}
	if st := consAccessKey(lan, "g"); st != 200 {
		t.Fatalf("Alt+G (guidance): %d %s", st, lan.Text("main"))
	}
	guided := consCode(t, lan)
	if got := consFlash(lan); !strings.Contains(got, "Đã lập Phiếu hướng dẫn bổ sung cho hồ sơ "+guided) {
		t.Errorf("after the guidance: %q", got)
	}
	consCheckForm(t, lan, guided, "guidance", "02", "Bổ sung Giấy chứng sinh do cơ sở y tế cấp")
	if lan.Exists(`p.notice.ok a.button[href$="/forms/receipt.pdf"]`) {
		t.Error("a receipt is offered for a dossier that was not received")
	}
	if d, hist := consGet(t, env, guided); d.State != dossier.StateGuided || d.Status != 1 || d.ReceivedAt != nil || d.DueAt != nil ||
		!slices.Equal(consActions(hist), []string{"guide"}) {
		t.Errorf("guided: state %s status %d received %v due %v history %v", d.State, d.Status, d.ReceivedAt, d.DueAt, consActions(hist))
	}
	if n := consReceived(t, env); n != 0 {
		t.Errorf("%d dossiers received after the guidance", n)
	}

	// (b) A supplement asked for during processing, from the dossier page.
	sup := f.create(maritalJSON("Trần Văn Nam", "038190000001")).Code
	f.act("motcua.lan", sup, "transfer", "")
	huong.Navigate(env.URL + "/staff/dossiers/" + sup)
	huong.Focus("a.skip")
	tabTo(t, huong, `.actions-panel a[href$="/act/request_supplement"]`)
	if st := huong.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("supplement confirmation: %d", st)
	}
	if got := huong.Text(".status-box"); !strings.Contains(got, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ") || !strings.Contains(got, "không tính vào thời hạn") {
		t.Errorf("the supplement confirmation: %q", got)
	}
	if _, required := huong.Attr("#reasons", "required"); !required {
		t.Error("the reasons are not marked required")
	}
	// Blanks only: the browser lets them through; the server must answer
	// in Vietnamese, at the field.
	huong.Type("#reasons", "   \n  ")
	tabTo(t, huong, `form.stack button[type="submit"]`)
	if st := huong.PressAndWait(browsertest.Enter); st != 400 {
		t.Errorf("a supplement request without reasons: %d", st)
	}
	huong.IgnoreConsoleErrors("status of 400")
	if got := huong.Text("#err"); got != "Phải ghi rõ những giấy tờ, nội dung cần bổ sung." {
		t.Errorf("no reasons: %q", got)
	}
	if inv, _ := huong.Attr("#reasons", "aria-invalid"); inv != "true" {
		t.Error("the reasons field is not marked invalid")
	}
	consAxeHere(t, huong)
	if d, _ := consGet(t, env, sup); d.State != "processing" || d.Status != 4 {
		t.Errorf("a refused request changed the dossier: %s %d", d.State, d.Status)
	}
	const missing = "Bản sao trích lục bản án ly hôn đã có hiệu lực"
	consAct(t, huong, env, sup, "request_supplement", func() { huong.Type("#reasons", missing+"\nGiấy xác nhận nơi cư trú trước đây") })
	consCheckForm(t, huong, sup, "guidance", "02", missing)
	if d, _ := consGet(t, env, sup); d.State != dossier.StateSupplementing || d.Status != 5 || d.SupplementCount != 1 || d.PausedAt == nil {
		t.Errorf("supplementing: %s %d count %d paused %v", d.State, d.Status, d.SupplementCount, d.PausedAt)
	}
	// The citizen brings the papers to the counter; processing goes on.
	consAct(t, lan, env, sup, "supplement_received", nil)
	if d, _ := consGet(t, env, sup); d.State != "processing" || d.Status != 4 || d.PausedAt != nil {
		t.Errorf("after the supplement: %s %d paused %v", d.State, d.Status, d.PausedAt)
	}
	consAct(t, huong, env, sup, "submit", nil)
	if d, hist := consGet(t, env, sup); d.State != "approval" ||
		!slices.Equal(consActions(hist), []string{"receive", "transfer", "request_supplement", "supplement_received", "submit"}) {
		t.Errorf("after the supplement, processing: %s %v", d.State, consActions(hist))
	} else if r := hist[2].Detail["reasons"]; fmt.Sprint(r) != "["+missing+" Giấy xác nhận nơi cư trú trước đây]" {
		t.Errorf("the reasons recorded: %v", r)
	}

	// (c) A refusal at the counter: the applicant holds a certificate still
	// valid for the same purpose.
	single := consResident(t, env, consSingle, 1)
	consOpenIntake(t, lan, env, "xac nhan tinh trang hon nhan", "1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", single)
	consSelect(t, lan, "#form_marital_status_now", "single")
	consSelect(t, lan, "#form_purpose", "property")
	lan.Type("#form_copies", "1")
	consTick(t, lan, "#c-to-khai-none")
	consTick(t, lan, "#c-giay-to-tuy-than-population_db")
	// Receiving without the declaration: the officer is told what is missing.
	if st := consAccessKey(lan, "r"); st != 400 {
		t.Errorf("receiving an incomplete dossier: %d", st)
	}
	lan.IgnoreConsoleErrors("status of 400")
	if got := lan.Text("#err"); !strings.Contains(got, "Hồ sơ còn thiếu: Tờ khai cấp Giấy xác nhận tình trạng hôn nhân") {
		t.Errorf("incomplete: %q", got)
	}
	consAxeHere(t, lan)
	if got := lan.Value("#name"); got != single.Name {
		t.Errorf("the form lost the applicant after the error: %q", got)
	}
	consTick(t, lan, "#c-to-khai-paper")
	// Refusing without a reason: a message, not a refusal.
	lan.Focus("#reasons")
	tabTo(t, lan, `button[value="refuse"]`)
	if st := lan.PressAndWait(browsertest.Enter); st != 400 {
		t.Errorf("a refusal without reasons: %d", st)
	}
	if got := lan.Text("#err"); got != "Phải ghi rõ lý do từ chối tiếp nhận hồ sơ." {
		t.Errorf("refusal without reasons: %q", got)
	}
	const because = "Giấy xác nhận tình trạng hôn nhân cấp ngày 02/10/2026 vẫn còn giá trị cho cùng mục đích"
	lan.Type("#reasons", because)
	tabTo(t, lan, `button[value="refuse"]`)
	if st := lan.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("refuse at intake: %d %s", st, lan.Text("main"))
	}
	notAccepted := consCode(t, lan)
	if got := consFlash(lan); !strings.Contains(got, "Đã từ chối tiếp nhận hồ sơ "+notAccepted) {
		t.Errorf("after the refusal: %q", got)
	}
	consCheckForm(t, lan, notAccepted, "refusal", "03", because)
	if d, _ := consGet(t, env, notAccepted); d.State != dossier.StateNotAccepted || d.Status != 3 || d.ReceivedAt != nil {
		t.Errorf("refused at intake: %s %d received %v", d.State, d.Status, d.ReceivedAt)
	}
	if lan.Exists(".actions-panel a") {
		t.Errorf("a refused dossier still offers %v", lan.Texts(".actions-panel a"))
	}

	// (d) A refusal after processing. The specialist finds the case
	// ineligible; refusing is the leader's (the engine's rule), so she
	// proposes it and the leader refuses, with the refusal to print.
	ref := f.create(maritalJSON("Lê Thị Thu", "038190000002")).Code
	f.act("motcua.lan", ref, "transfer", "")
	huong.Navigate(env.URL + "/staff/dossiers/" + ref)
	if huong.Exists(`.actions-panel a[href$="/act/refuse"]`) {
		t.Error("the specialist is offered a refusal, which only the leader may decide")
	}
	const why = "Người yêu cầu đang có chồng theo Cơ sở dữ liệu hộ tịch điện tử, không đúng tình trạng đã khai"
	consAct(t, huong, env, ref, "submit", func() { huong.Type("#comment", "Đề nghị từ chối: "+why) })
	consAct(t, binh, env, ref, "refuse", func() {
		if cls, _ := binh.Attr(`form.stack button[type="submit"]`, "class"); cls != "danger-button" {
			t.Errorf("the refusal's button is not marked as dangerous: %q", cls)
		}
		binh.Type("#reasons", why)
	})
	consCheckForm(t, binh, ref, "refusal", "03", why)
	if d, hist := consGet(t, env, ref); d.State != dossier.StateRefused || d.Status != 8 || d.FinishedAt == nil ||
		consActions(hist)[len(hist)-1] != "refuse" || hist[len(hist)-1].ActorName != consBinh {
		t.Errorf("refused: %s %d %v", d.State, d.Status, consActions(hist))
	}
}

// consAxeStatus is axeEverywhere for a page that answers with an error
// status (403, 404), which Navigate does not accept.
func consAxeStatus(t *testing.T, p *browsertest.Page, address string, status int) {
	t.Helper()
	p.IgnoreConsoleErrors(fmt.Sprintf("status of %d", status))
	for _, lang := range []string{"en", "vi"} {
		sep := "?"
		if strings.Contains(address, "?") {
			sep = "&"
		}
		if st := p.NavigateStatus(address + sep + "lang=" + lang); st != status {
			t.Errorf("%s (%s): %d, want %d", address, lang, st, status)
		}
		for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
			p.SetViewport(vp)
			if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
				t.Logf("page %s (%s, %d px)", address, lang, vp.Width)
			}
		}
	}
}

// consNFC checks that the page as served is in Unicode NFC, as Vietnamese
// text must be (a decomposed "ệ" sorts, searches and prints differently).
func consNFC(t *testing.T, p *browsertest.Page) {
	t.Helper()
	html := p.HTML()
	if norm.NFC.IsNormalString(html) {
		return
	}
	runes := []rune(html)
	for i := range runes {
		if !norm.NFC.IsNormalString(string(runes[max(0, i-1) : i+1])) {
			t.Errorf("%s is not NFC near %q (U+%04X)", p.URL(), string(runes[max(0, i-20):i+1]), runes[i])
			return
		}
	}
	t.Errorf("%s is not NFC", p.URL())
}

// Every page of the console has no axe-core violations, in Vietnamese and
// English, on a phone and a desktop — signed out, for each role, with
// data, with an error — and its Vietnamese is NFC.
func TestConsolePagesAccessible(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	f := newDeskFlow(t, env)
	received := f.create(birthJSON).Code
	processing := f.create(maritalJSON("Trần Văn Nam", "038190000001")).Code
	f.act("motcua.lan", processing, "transfer", "")
	ready := f.resultReady().Code
	f.toLeader(maritalJSON("Lê Thị Thu", "038190000002"), "Đủ điều kiện")
	// A dossier received three working days ago, due at five today: the
	// deadline watch reminds the counter.
	ctx := context.Background()
	users, err := env.App.Staff.Users(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var lanP *identity.Principal
	for _, u := range users {
		if u.Username == "motcua.lan" {
			lanP = u.Principal()
		}
	}
	late, err := env.App.Dossiers.SubmitAt(ctx, lanP, dossier.SubmitRequest{Procedure: "1.004873", Channel: "in_person",
		Applicant:  dossier.Applicant{Name: "Đỗ Văn Long", IDNumber: "038190000003", Phone: "0912000333"},
		Components: []dossier.ComponentInput{{ID: "to-khai"}, {ID: "giay-to-tuy-than", Source: "population_db"}},
		Form: map[string]any{"marital_status_now": "single", "purpose": "marriage", "copies": 1, "applicant_name": "Đỗ Văn Long",
			"applicant_id": "038190000003", "address": "Thôn Đông Hòa", "phone": "0912000333"}}, "", fixedNow().AddDate(0, 0, -3))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := env.App.Dossiers.Sweep(ctx); err != nil || res.Notifications == 0 {
		t.Fatalf("deadline watch: %+v %v", res, err)
	}
	resident := consResident(t, env, consSingle, 2)
	if !norm.NFC.IsNormalString(resident.Name) {
		t.Errorf("the sandbox resident's name %q is not NFC", resident.Name)
	}

	// Signed out: the sign-in page, and the same page with an error.
	anon := browsertest.New(t)
	if st := anon.NavigateStatus(env.URL + "/staff/inbox?box=role"); st != 200 || !strings.Contains(anon.URL(), "/staff/login?next=") {
		t.Errorf("a console page without a session: %d %s", st, anon.URL())
	}
	axeEverywhere(t, anon, env.URL+"/staff/login")
	consNFC(t, anon)
	anon.IgnoreConsoleErrors("status of 401")
	for lang, wantButton := range map[string]string{"vi": "Đăng nhập", "en": "Sign in"} {
		anon.Navigate(env.URL + "/staff/login?lang=" + lang)
		if got := anon.Text(`form button[type="submit"]`); got != wantButton {
			t.Errorf("sign-in button (%s): %q", lang, got)
		}
		anon.Type("#username", "ai.do")
		anon.Type("#password", "sai-mat-khau-roi")
		anon.Type("#code", "123456")
		if st := anon.PressAndWait(browsertest.Enter); st != 401 {
			t.Errorf("a wrong sign-in (%s): %d", lang, st)
		}
		if got := anon.Text("[role=alert]"); got == "" {
			t.Errorf("a wrong sign-in (%s) says nothing", lang)
		}
		if got := anon.Value("#username"); got != "ai.do" {
			t.Errorf("the username is not kept after the error: %q", got)
		}
		consAxeHere(t, anon)
	}
	consNFC(t, anon)

	lan := browsertest.New(t)
	browserSignIn(t, lan, env, "motcua.lan")
	huong := browsertest.New(t)
	browserSignIn(t, huong, env, "tuphap.huong")
	binh := browsertest.New(t)
	browserSignIn(t, binh, env, "chutich.binh")
	admin := browsertest.New(t)
	browserSignIn(t, admin, env, "quantri")

	// Each role's home.
	for _, p := range []*browsertest.Page{lan, huong, binh, admin} {
		axeEverywhere(t, p, env.URL+"/staff/")
	}
	consNFC(t, lan)

	// The counter officer's pages.
	for _, path := range []string{
		"/staff/inbox?box=role",
		"/staff/inbox?box=mine",
		"/staff/inbox?box=all&q=&procedure=1.001193&status=2&channel=in_person&from=2026-11-01&to=2026-11-30",
		"/staff/inbox?box=all&q=khong+co+ai&urgency=overdue",
		"/staff/intake?q=khai+sinh",
		"/staff/intake/1.004873?lookup=1&id=" + resident.ID,
		"/staff/dossiers/" + ready + "/act/return_result",
		"/staff/notifications",
		"/staff/account",
	} {
		axeEverywhere(t, lan, env.URL+path)
	}
	// The reminder, and marking it read with the keyboard.
	lan.Navigate(env.URL + "/staff/notifications")
	if !lan.Exists(`.notes li.unread a[href="/staff/dossiers/`+late.Dossier.Code+`"]`) || lan.Text("nav.main-nav .count.alert") == "" {
		t.Errorf("the reminder of %s is not shown: %s", late.Dossier.Code, lan.Text("main"))
	}
	consNFC(t, lan)
	lan.Focus("a.skip")
	tabTo(t, lan, `form[action="/staff/notifications"] button[type="submit"]`)
	if st := lan.PressAndWait(browsertest.Enter); st != 200 || consFlash(lan) != "Đã đánh dấu đã đọc." || lan.Exists(".notes li.unread") {
		t.Errorf("mark as read: %d %q", st, consFlash(lan))
	}
	axeEverywhere(t, lan, env.URL+"/staff/notifications")
	lan.Navigate(env.URL + "/staff/inbox?box=all&q=&procedure=1.001193&status=2&channel=in_person&from=2026-11-01&to=2026-11-30")
	if got := lan.Text("main"); !strings.Contains(got, received) || strings.Contains(got, ready) || strings.Contains(got, processing) {
		t.Errorf("the filtered inbox: %s", got)
	}
	for try := 1; ; try++ { // the sandbox is now and then "busy", as the real platform is
		lan.Navigate(env.URL + "/staff/intake/1.004873?lookup=1&id=" + resident.ID)
		if strings.Contains(lan.Text("main"), resident.Name) {
			break
		}
		if try == 3 {
			t.Errorf("the intake form after a lookup lacks %s: %s", resident.Name, lan.Text("main"))
			break
		}
	}
	consNFC(t, lan)

	// A scan attached on the dossier page, then shown in the viewer.
	scan := consScan(t)
	lan.Navigate(env.URL + "/staff/dossiers/" + received)
	consUpload(lan, "#up-giay-chung-sinh", scan)
	lan.Focus("#up-giay-chung-sinh")
	tabTo(t, lan, `form:has(#up-giay-chung-sinh) button[type="submit"]`)
	if st := lan.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("upload: %d", st)
	}
	if got := consFlash(lan); got != "Đã thêm 1 tệp." {
		t.Errorf("after the upload: %q", got)
	}
	file := `a[href^="/staff/dossiers/` + received + `?file="]`
	if !lan.Exists(file) {
		t.Fatalf("the uploaded scan is not listed: %s", lan.Text("main"))
	}
	tabTo(t, lan, file)
	if st := lan.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("open the scan: %d", st)
	}
	lan.WaitVisible("#viewer img.viewer-img")
	if !browsertest.Eval[bool](lan, `new Promise(r => { const i = document.querySelector("#viewer img"); i.complete ? r(i.naturalWidth === 60) : i.onload = () => r(i.naturalWidth === 60); })`) {
		t.Error("the viewer does not show the scan")
	}
	viewer := strings.SplitN(lan.URL(), "#", 2)[0]
	axeEverywhere(t, lan, viewer)
	consNFC(t, lan)
	axeEverywhere(t, lan, env.URL+"/staff/dossiers/"+received+"/act/transfer")
	consNFC(t, lan)
	// In English, the workflow's steps and actions are named in English,
	// as the leader's desk and the return page name them.
	lan.Navigate(env.URL + "/staff/dossiers/" + received + "?lang=en")
	if got := lan.Text(`.actions-panel a[href$="/act/transfer"]`); got != "Transfer for processing" {
		t.Errorf("BUG: the English dossier page names the action %q, want the workflow's English name \"Transfer for processing\"", got)
	}
	if got := lan.Text(".facts dd strong"); got != "Received" {
		t.Errorf("BUG: the English dossier page names the state %q, want the workflow's English name \"Received\"", got)
	}
	lan.Navigate(env.URL + "/staff/?lang=vi")
	// 404: an unknown dossier code, an unknown console address.
	consAxeStatus(t, lan, env.URL+"/staff/dossiers/H56.16072-261127-9999", 404)
	if !strings.Contains(lan.Text("header"), "Đăng xuất") || !strings.Contains(lan.Text("main"), "Không tìm thấy") {
		t.Errorf("404 page: %s", lan.Text("main"))
	}
	consAxeStatus(t, lan, env.URL+"/staff/khong-co-trang-nay", 404)
	if !lan.Exists(`nav.main-nav a[href="/staff/intake"]`) {
		t.Errorf("BUG: an unknown console address (/staff/khong-co-trang-nay) shows the public site's 404 page, not the console's: the officer loses the console's navigation (header %q)", lan.Text("header"))
	}

	// The specialist's pages, and the intake she may not open (403).
	axeEverywhere(t, huong, env.URL+"/staff/inbox?box=role")
	axeEverywhere(t, huong, env.URL+"/staff/dossiers/"+processing+"/act/request_supplement")
	consNFC(t, huong)
	consAxeStatus(t, huong, env.URL+"/staff/intake", 403)
	if got := huong.Text("main [role=alert]"); got != "Tài khoản của bạn không có quyền vào trang này." {
		t.Errorf("403 page: %q", got)
	}
	if !huong.Exists(`nav.main-nav a[href="/staff/inbox?box=role"]`) || !strings.Contains(huong.Text("header"), "Đăng xuất") {
		t.Errorf("BUG: the 403 page of the console (a specialist at /staff/intake) is the public site's error page, not the console's: no console navigation, no sign-out (header %q)", huong.Text("header"))
	}

	// The leader's inbox with a filter, and desk.
	axeEverywhere(t, binh, env.URL+"/staff/inbox?box=role&urgency=on_time&procedure=1.004873&status=4&channel=in_person&from=2026-11-27&to=2026-11-27")
	axeEverywhere(t, binh, env.URL+"/staff/leader")
}
