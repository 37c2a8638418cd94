package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// adminBrowserSignIn signs a demo account in through the sign-in page, with the
// keyboard. The authenticator code comes from the environment's clock; a
// code is accepted once, so sign each account in once per test.
func adminBrowserSignIn(t *testing.T, env *apptest.Env, p *browsertest.Page, username string) {
	t.Helper()
	_, secret := staffUser(t, env, username)
	p.Navigate(env.URL + "/staff/login")
	p.Type("#username", username)
	p.Press(browsertest.Tab)
	p.Press(testPassword)
	p.Press(browsertest.Tab)
	p.Press(totpAt(t, secret, env.App.Cfg.Now()))
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("sign-in of %s: %d", username, st)
	}
	if !strings.Contains(p.Text("header"), "Đăng xuất") {
		t.Fatalf("sign-in of %s failed: %s", username, p.Text("main"))
	}
}

// adminTabTo presses Tab until the element matching selector has the
// focus, as a keyboard user reaches it; the test fails if Tab never gets
// there.
func adminTabTo(p *browsertest.Page, selector string) {
	p.T().Helper()
	for range 400 {
		if p.IsFocused(selector) {
			return
		}
		p.Press(browsertest.Tab)
	}
	p.T().Fatalf("Tab never reaches %s (focus on %s)", selector, p.Focused())
}

// adminSubmit tabs to a form's submit button and presses Enter, as a
// keyboard user does, and returns the status of the page it loads.
func adminSubmit(p *browsertest.Page, button string) int {
	p.T().Helper()
	adminTabTo(p, button)
	return p.PressAndWait(browsertest.Enter)
}

// adminRetype empties a field and types text into it.
func adminRetype(p *browsertest.Page, selector, text string) {
	p.T().Helper()
	p.Clear(selector)
	p.Type(selector, text)
}

// adminFlash is the confirmation at the top of the page.
func adminFlash(p *browsertest.Page) string {
	p.T().Helper()
	if !p.Exists("p.notice.ok[role=status]") {
		return ""
	}
	return p.Text("p.notice.ok[role=status]")
}

// The administrator's day, with the keyboard only, each page free of axe
// violations: create an account and see its key once, edit and disable it,
// add a counter, untick and tick a served procedure, edit a workflow with a
// mistake and then validly, change office hours, load the 2027 schedule.
func TestAdminJourney(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	ctx := context.Background()
	p := browsertest.New(t)
	p.IgnoreConsoleErrors("status of 400")
	adminBrowserSignIn(t, env, p, "quantri")

	// The index, reached from the console's navigation.
	if st := p.ClickAndWait(`nav.main-nav a[href="/staff/admin"]`); st != 200 {
		t.Fatalf("admin: %d", st)
	}
	if p.Count("main .card") != 7 {
		t.Errorf("%d sections on the index", p.Count("main .card"))
	}
	p.AssertNoAxeViolations()

	// A new account: the first password and the authenticator key, once.
	p.Navigate(env.URL + "/staff/admin/users")
	p.AssertNoAxeViolations()
	p.ClickAndWait(`a[href="/staff/admin/users/new"]`)
	p.AssertNoAxeViolations()
	p.Type("#username", "vanphong.hoa")
	p.Type("#full_name", "Trịnh Thị Hòa")
	adminTabTo(p, "#role-specialist")
	p.Press(browsertest.Space)
	p.Type("#title", "Công chức Văn phòng – Thống kê")
	adminTabTo(p, "#counter")
	p.Press(browsertest.ArrowDown) // counter 1
	if st := adminSubmit(p, `main form button[type=submit]`); st != 200 {
		t.Fatalf("create: %d %s", st, p.Text("main"))
	}
	if !strings.Contains(p.Text("main"), "Chỉ hiện một lần") || p.Text("#cred-password") == "" || p.Text("#cred-secret") == "" {
		t.Fatalf("credentials page: %s", p.Text("main"))
	}
	if w := browsertest.Eval[int](p, `document.getElementById("totp-qr").naturalWidth`); w < 100 {
		t.Errorf("the QR code is not shown (width %d)", w)
	}
	secret := strings.ReplaceAll(p.Text("#cred-secret"), " ", "")
	if !strings.Contains(p.HTML(), "secret="+secret) {
		t.Error("the otpauth address does not carry the key shown")
	}
	p.AssertNoAxeViolations()
	id := adminUserID(t, env, "vanphong.hoa")
	if u, _ := env.App.Staff.User(ctx, id); u.Counter != 1 || len(u.Roles) != 1 || u.Roles[0] != "specialist" {
		t.Errorf("created %+v", u)
	}
	// Shown once: the account page does not show it again.
	p.Navigate(env.URL + "/staff/admin/users/" + id)
	if strings.Contains(p.HTML(), secret) {
		t.Error("the key is shown again")
	}
	p.AssertNoAxeViolations()
	adminRetype(p, "#full_name", "Trịnh Thị Thu Hòa")
	adminTabTo(p, "#role-leader")
	p.Press(browsertest.Space)
	if st := adminSubmit(p, `main form[action^="/staff/admin/users/"] button[type=submit]`); st != 200 || !strings.Contains(adminFlash(p), "Trịnh Thị Thu Hòa") {
		t.Errorf("edit: %d %q", st, adminFlash(p))
	}
	if u, _ := env.App.Staff.User(ctx, id); u.FullName != "Trịnh Thị Thu Hòa" || len(u.Roles) != 2 {
		t.Errorf("edited %+v", u)
	}
	p.Navigate(env.URL + "/staff/admin/users/" + id)
	if st := adminSubmit(p, "#disable"); st != 200 || !strings.Contains(adminFlash(p), "vô hiệu hóa") {
		t.Errorf("disable: %d %q", st, adminFlash(p))
	}
	if u, _ := env.App.Staff.User(ctx, id); !u.Disabled {
		t.Error("not disabled")
	}
	if !p.Exists("#enable") {
		t.Error("no way to enable the account again")
	}
	p.AssertNoAxeViolations()
	// A form with a mistake: the summary names it and leads to the field.
	p.Navigate(env.URL + "/staff/admin/users/new")
	p.Type("#username", "motcua.lan")
	p.Type("#full_name", "Ai Đó")
	adminTabTo(p, "#role-counter_officer")
	p.Press(browsertest.Space)
	if st := adminSubmit(p, `main form button[type=submit]`); st != 400 {
		t.Errorf("a taken username: %d", st)
	}
	if !strings.Contains(p.Text("#error-summary"), "Tên đăng nhập đã có người dùng") {
		t.Errorf("summary: %s", p.Text("#error-summary"))
	}
	if v, _ := p.Attr("#username", "aria-invalid"); v != "true" {
		t.Error("the field is not marked invalid")
	}
	p.AssertNoAxeViolations()
	p.Navigate(env.URL + "/staff/admin/signins")
	p.AssertNoAxeViolations()

	// A counter.
	p.Navigate(env.URL + "/staff/admin/counters")
	p.AssertNoAxeViolations()
	p.Type("#number", "7")
	p.Type("#name", "Quầy 7 – Đất đai")
	if st := p.PressAndWait(browsertest.Enter); st != 200 || !strings.Contains(adminFlash(p), "7") {
		t.Errorf("add a counter: %d %q", st, adminFlash(p))
	}
	if !strings.Contains(p.Text("main table"), "Quầy 7 – Đất đai") {
		t.Error("the new counter is not listed")
	}
	p.AssertNoAxeViolations()

	// Served procedures: untick one, then tick it again.
	p.Navigate(env.URL + "/staff/admin/procedures")
	p.AssertNoAxeViolations()
	box := `input[name="served"][value="1.001193"]`
	adminTabTo(p, box)
	p.Press(browsertest.Space)
	if st := adminSubmit(p, `main form > button[type=submit]`); st != 200 {
		t.Fatalf("save served: %d", st)
	}
	if codes, _ := env.App.Catalog.Served(ctx, "H56.16072"); len(codes) != env.App.Catalog.Catalog().Len()-1 {
		t.Errorf("%d served after unticking one", len(codes))
	}
	if browsertest.Eval[bool](p, `document.querySelector('`+box+`').checked`) {
		t.Error("still ticked")
	}
	adminTabTo(p, box)
	p.Press(browsertest.Space)
	adminSubmit(p, `main form > button[type=submit]`)
	if codes, _ := env.App.Catalog.Served(ctx, "H56.16072"); len(codes) != 0 {
		t.Errorf("%d stored after ticking all", len(codes))
	}

	// The workflow: a mistake named by its field, then a valid change.
	p.ClickAndWait(`a[href="/staff/admin/procedures/1.001193"]`)
	if !strings.Contains(p.Text("main"), "cần kiểm tra (3P)") {
		t.Error("the sources to check are not shown")
	}
	p.AssertNoAxeViolations()
	proc, _ := env.App.Catalog.Catalog().Get("1.001193")
	v1, _ := proc.Version(1)
	b, _ := json.Marshal(v1.WorkflowDef)
	wf := string(b)
	adminRetype(p, "#workflow", strings.Replace(wf, `"counter_officer"`, `"janitor"`, 1))
	if st := adminSubmit(p, `main form button[type=submit]`); st != 400 {
		t.Fatalf("an invalid workflow: %d", st)
	}
	if s := p.Text("#error-summary"); !strings.Contains(s, "states[0].roles[0]: không có vai trò") {
		t.Errorf("the error does not name the field: %s", s)
	}
	if href, _ := p.Attr("#error-summary a", "href"); href != "#workflow" {
		t.Errorf("the summary leads to %s", href)
	}
	p.AssertNoAxeViolations()
	adminRetype(p, "#workflow", strings.Replace(wf, `"Đã tiếp nhận"`, `"Đã tiếp nhận tại quầy"`, 1))
	if st := adminSubmit(p, `main form button[type=submit]`); st != 200 || !strings.Contains(adminFlash(p), "Đã tạo phiên bản 3") {
		t.Fatalf("a valid workflow: %d %q", st, adminFlash(p))
	}
	if !strings.Contains(p.Text("main table"), "28/11/2026") {
		t.Error("the new version is not listed")
	}
	p.AssertNoAxeViolations()

	// Office hours, and the 2027 schedule from a file.
	p.Navigate(env.URL + "/staff/admin/calendar")
	p.AssertNoAxeViolations()
	adminRetype(p, "#from-1", "07:00")
	if st := adminSubmit(p, `form[action="/staff/admin/calendar/hours"] button`); st != 200 || !strings.Contains(adminFlash(p), "07:00-11:30") {
		t.Errorf("office hours: %d %q", st, adminFlash(p))
	}
	if env.App.Calendar.Calendar().Config().Office[0].Start != 7*60 {
		t.Error("office hours not changed")
	}
	file := filepath.Join(t.TempDir(), "2027.json")
	os.WriteFile(file, []byte(adminSchedule2027), 0o644)
	p.Do(chromedp.SetUploadFiles("#schedule_file", []string{file}))
	if st := adminSubmit(p, `form[action="/staff/admin/calendar/schedule"] button`); st != 200 || !strings.Contains(adminFlash(p), "2027") {
		t.Fatalf("upload 2027: %d %q", st, adminFlash(p))
	}
	if _, official := env.App.Calendar.Calendar().ScheduleSource(2027); !official {
		t.Error("2027 is not official")
	}
	if !strings.Contains(p.Text("#days + p"), "Chính thức") || !strings.Contains(p.Text("main"), "Làm bù") {
		t.Error("the 2027 days are not shown as official")
	}
	p.AssertNoAxeViolations()
	// A schedule with a mistake.
	p.Type("#schedule_json", `{"year": 2027, "days": [`)
	if st := adminSubmit(p, `form[action="/staff/admin/calendar/schedule"] button`); st != 400 || !strings.Contains(p.Text("#error-summary"), "cắt cụt") {
		t.Errorf("a cut schedule: %d", st)
	}
	p.AssertNoAxeViolations()
}

// Every administration page, in English and on a phone, is free of axe
// violations; so are the adminCredentials and error pages in English.
func TestAdminPagesAccessible(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	pages := append(adminGetPages, "/staff/admin/users/"+adminUserID(t, env, "motcua.lan"), "/staff/admin/users/"+adminUserID(t, env, "motcua.lan")+"/reset")
	t.Run("english", func(t *testing.T) {
		p := browsertest.New(t)
		p.IgnoreConsoleErrors("status of 400")
		adminBrowserSignIn(t, env, p, "quantri")
		p.Navigate(env.URL + "/staff/admin?lang=en")
		for _, path := range pages {
			p.Navigate(env.URL + path)
			if lang, _ := p.Attr("html", "lang"); lang != "en" {
				t.Errorf("%s: lang %s", path, lang)
			}
			if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
				t.Logf("page %s", path)
			}
		}
		// Reset a password in English: the adminCredentials page.
		p.Navigate(env.URL + "/staff/admin/users/" + adminUserID(t, env, "motcua.hung") + "/reset")
		if st := adminSubmit(p, `main form button[type=submit]`); st != 200 || !strings.Contains(p.Text("main"), "Shown only once") {
			t.Fatalf("reset: %d", st)
		}
		p.AssertNoAxeViolations()
		// Errors in English.
		p.Navigate(env.URL + "/staff/admin/counters")
		p.Type("#number", "1")
		p.Type("#name", "Quầy 1 bis")
		if st := p.PressAndWait(browsertest.Enter); st != 400 || !strings.Contains(p.Text("#error-summary"), "There is already a counter with this number") {
			t.Errorf("a counter that exists: %d %s", st, p.Text("main"))
		}
		p.AssertNoAxeViolations()
		p.Navigate(env.URL + "/staff/admin/calendar")
		adminRetype(p, "#cutoff", "19:00")
		if st := adminSubmit(p, `form[action="/staff/admin/calendar/hours"] button`); st != 400 || !strings.Contains(p.Text("#error-summary"), "within office hours") {
			t.Errorf("a late cut-off: %d", st)
		}
		p.AssertNoAxeViolations()
		p.Navigate(env.URL + "/staff/admin/procedures/1.001193")
		adminRetype(p, "#workflow", `{"id": "x", "name": "x", "states": []}`)
		if st := adminSubmit(p, `main form button[type=submit]`); st != 400 || !strings.Contains(p.Text("#error-summary"), "states: at least one state is required") {
			t.Errorf("an empty workflow: %d %s", st, p.Text("main"))
		}
		p.AssertNoAxeViolations()
		p.Navigate(env.URL + "/staff/admin?lang=vi")
	})
	t.Run("phone", func(t *testing.T) {
		p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
		adminBrowserSignIn(t, env, p, "chutich.binh")
		// A leader has no administration: the page says so, accessibly.
		p.IgnoreConsoleErrors("status of 403")
		if st := p.NavigateStatus(env.URL + "/staff/admin"); st != 403 {
			t.Errorf("a leader at the administration: %d", st)
		}
		p.AssertNoAxeViolations()
	})
	t.Run("phone-admin", func(t *testing.T) {
		// The administrator's code of this clock step was used by the
		// English subtest; another administrator signs in on the phone.
		if err := env.App.Staff.UpdateUser(context.Background(), &identity.Principal{ID: "test"}, adminUserID(t, env, "tuphap.duc"), identity.UserInput{FullName: "Trần Minh Đức", Roles: []string{"specialist", "administrator"}, Agency: "H56.16072"}); err != nil {
			t.Fatal(err)
		}
		p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
		adminBrowserSignIn(t, env, p, "tuphap.duc")
		for _, path := range pages {
			p.Navigate(env.URL + path)
			if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
				t.Logf("page %s", path)
			}
		}
	})
}
