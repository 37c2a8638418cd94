package web_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// qsWaitFor waits up to five seconds for a JavaScript condition to hold
// in the page (a live update).
func qsWaitFor(p *browsertest.Page, cond string) bool {
	return browsertest.Eval[bool](p, `new Promise(resolve => {
		let n = 0;
		const check = () => {
			let ok = false;
			try { ok = !!(`+cond+`); } catch (e) {}
			if (ok || n++ > 100) { resolve(ok); } else { setTimeout(check, 50); }
		};
		check();
	})`)
}

// qsText is the text of an element, "" when there is none.
func qsText(p *browsertest.Page, selector string) string {
	return browsertest.Eval[string](p, `(document.querySelector(`+jsQuote(selector)+`) || {textContent: ""}).textContent.trim()`)
}

// Two officers at two counters call tickets in priority order and act on
// them with the keyboard only; the manager's board and the counters' lines
// update live; every queue staff page — the counter's screen as an officer
// and as a registered device, the manager's board, the queue's
// administration with a refused form — has no axe violations in
// Vietnamese and English, on a phone and a desktop.
func TestQueueCounterBrowser(t *testing.T) {
	clock := &qsClock{t: fixedNow()}
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: clock.Now})
	ctx := context.Background()
	qsIssue(t, env, clock, "ho_tich", "") // A001
	a2 := qsIssue(t, env, clock, "ho_tich", "")
	a3 := qsIssue(t, env, clock, "ho_tich", "elderly")
	b1 := qsIssue(t, env, clock, "chung_thuc", "pregnant")

	// The manager watches the board.
	pm := browsertest.New(t)
	browserSignIn(t, pm, env, "chutich.binh")
	axeEverywhere(t, pm, env.URL+"/queue/manager")
	if got := qsText(pm, "#qm-waiting-total"); got != "4" {
		t.Fatalf("waiting on the board: %q", got)
	}

	// Counter 1 (civil status) and counter 3 (civil status and certification).
	p1 := browsertest.New(t)
	browserSignIn(t, p1, env, "motcua.lan")
	axeEverywhere(t, p1, env.URL+"/queue/counter")
	p3 := browsertest.New(t)
	browserSignIn(t, p3, env, "tuphap.duc")
	p3.Navigate(env.URL + "/queue/counter")

	// Alt+G calls the next: the elderly man at counter 1, the pregnant
	// woman at counter 3, both before those who came earlier.
	if st := consAccessKey(p1, "g"); st != 200 {
		t.Fatalf("Alt+G at counter 1: %d", st)
	}
	if got := p1.Text("#qc-current-number"); got != a3.Label {
		t.Fatalf("counter 1 called %q, want %s", got, a3.Label)
	}
	if !strings.Contains(p1.Text("[role=status]"), "Đã gọi số A003 đến quầy 1") || !hasFocus(p1, "#qc-start") {
		t.Errorf("after the call: %q, focus on %s", p1.Text("[role=status]"), p1.Focused())
	}
	if st := consAccessKey(p3, "g"); st != 200 || p3.Text("#qc-current-number") != b1.Label {
		t.Fatalf("counter 3 called %q (%d), want %s", p3.Text("#qc-current-number"), st, b1.Label)
	}
	// Counter 1's line lost A003 by itself; the board shows both calls.
	if !qsWaitFor(pm, `document.querySelector("#qm-counter-1").textContent.includes("A003") && document.querySelector("#qm-counter-3").textContent.includes("B001")`) {
		t.Errorf("the manager's board did not update: %s", pm.Text("#qm-counters"))
	}
	if got := qsText(pm, "#qm-waiting-total"); got != "2" {
		t.Errorf("waiting on the board after two calls: %q", got)
	}
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p1.SetViewport(vp)
		p1.AssertNoAxeViolations()
		if os.Getenv("QS_SHOTS") != "" {
			p1.Screenshot(fmt.Sprintf("/tmp/q/counter-%d.png", vp.Width))
			pm.SetViewport(vp)
			pm.Screenshot(fmt.Sprintf("/tmp/q/manager-%d.png", vp.Width))
		}
	}

	// Counter 1: Enter starts (the focus is there), Alt+X finishes, Alt+G
	// calls A001, Alt+L calls again, Alt+V: absent.
	if st := p1.PressAndWait(browsertest.Enter); st != 200 || !strings.Contains(p1.Text("[role=status]"), "Bắt đầu phục vụ số A003") {
		t.Fatalf("start: %d %s", st, p1.Text("main"))
	}
	for _, k := range []struct{ key, want string }{
		{"x", "Đã xong số A003."}, {"g", "Đã gọi số A001 đến quầy 1."}, {"l", "Đã gọi lại số A001."}, {"v", "Số A001 vắng mặt"},
	} {
		if st := consAccessKey(p1, k.key); st != 200 || !strings.Contains(p1.Text("[role=status]"), k.want) {
			t.Fatalf("Alt+%s: %d %q", strings.ToUpper(k.key), st, p1.Text("[role=status]"))
		}
	}
	if !strings.Contains(p1.Text("#qc-live"), "vắng mặt, gọi lại được từ") {
		t.Error("the absent ticket is not marked in the line")
	}

	// Counter 3 finishes B001 and calls A002 (A001 is in its grace); puts
	// it on hold and resumes it, by Tab and Enter.
	if st := consAccessKey(p3, "g"); st != 200 || p3.Text("#qc-current-number") != a2.Label {
		t.Fatalf("counter 3's second call: %q", p3.Text("#qc-current-number"))
	}
	p3.Focus("a.skip")
	tabTo(t, p3, "#qc-hold")
	if st := p3.PressAndWait(browsertest.Enter); st != 200 || !strings.Contains(p3.Text("[role=status]"), "Đã tạm dừng số A002") {
		t.Fatalf("hold: %q", p3.Text("[role=status]"))
	}
	p3.Focus("a.skip")
	tabTo(t, p3, "#qc-resume-"+a2.ID)
	if st := p3.PressAndWait(browsertest.Enter); st != 200 || !strings.Contains(p3.Text("[role=status]"), "Tiếp tục phục vụ số A002") {
		t.Fatalf("resume: %q", p3.Text("[role=status]"))
	}
	// Transfer it to counter 1 with the keyboard: open the disclosure,
	// choose in the list, send.
	p3.Focus("a.skip")
	tabTo(t, p3, "#qc-transfer")
	p3.Press(browsertest.Enter)
	tabTo(t, p3, "#qc-to")
	for range 20 {
		if p3.Value("#qc-to") == "c:1" {
			break
		}
		p3.Press(browsertest.ArrowDown)
	}
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p3.SetViewport(vp)
		p3.AssertNoAxeViolations() // with the transfer form open
	}
	if os.Getenv("QS_SHOTS") != "" {
		p3.Screenshot("/tmp/q/counter3.png")
	}
	tabTo(t, p3, "#qc-transfer-go")
	if st := p3.PressAndWait(browsertest.Enter); st != 200 || !strings.Contains(p3.Text("[role=status]"), "Đã chuyển số A002 sang quầy 1") {
		t.Fatalf("transfer: %q", p3.Text("main"))
	}

	// A new ticket appears in both lines without a reload; the transferred
	// one is in counter 1's, marked.
	a4 := qsIssue(t, env, clock, "ho_tich", "")
	for _, p := range []*browsertest.Page{p1, p3} {
		if !qsWaitFor(p, `document.getElementById("qc-live").textContent.includes("`+a4.Label+`")`) {
			t.Errorf("the line did not update: %s", p.Text("#qc-live"))
		}
	}
	if !strings.Contains(p1.Text("#qc-live"), "chuyển đến quầy này") {
		t.Error("counter 1 does not see the ticket sent to it")
	}
	// Counter 1 calls the transferred ticket from its line (Tab, Enter).
	p1.Focus("a.skip")
	tabTo(t, p1, "#qc-call-"+a2.ID)
	if st := p1.PressAndWait(browsertest.Enter); st != 200 || p1.Text("#qc-current-number") != a2.Label {
		t.Fatalf("call A002 from the line: %q", p1.Text("main"))
	}
	if !qsWaitFor(pm, `document.querySelector("#qm-counter-1").textContent.includes("A002")`) {
		t.Errorf("the board after the transfer: %s", pm.Text("#qm-counters"))
	}
	axeEverywhere(t, pm, env.URL+"/queue/manager?from=2026-11-01&to=2026-11-27")
	axeEverywhere(t, p3, env.URL+"/queue/counter?did=none")

	// A registered counter device, without a session, in both languages.
	tok, err := env.App.Tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "5", Label: "Máy quầy 5"})
	if err != nil {
		t.Fatal(err)
	}
	e1 := qsIssue(t, env, clock, "xa_hoi", "disabled")
	pd := browsertest.New(t)
	pd.IgnoreConsoleErrors("status of 409") // the stale action below
	pd.Navigate(env.URL + "/static/favicon.svg")
	pd.Exec(`document.cookie = "motcua_device=` + tok + `; path=/"`)
	axeEverywhere(t, pd, env.URL+"/queue/counter")
	if st := consAccessKey(pd, "g"); st != 200 || pd.Text("#qc-current-number") != e1.Label {
		t.Fatalf("device call (through the API): %q", pd.Text("main"))
	}
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		pd.SetViewport(vp)
		pd.AssertNoAxeViolations()
	}
	// A stale action on the device: the API's error, at the top.
	env.App.Queue.Get(ctx, e1.ID)
	if _, err := env.App.Queue.Act(ctx, &identity.Principal{ID: "x", Roles: []string{identity.RoleQueueCounter}, Counter: "5"}, e1.ID,
		queue.ActRequest{Action: queue.ActStart, Counter: 5}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the live refresh may redraw; the form still holds its revision
	pd.Focus("a.skip")
	tabTo(t, pd, "#qc-finish")
	pd.Exec(`document.querySelector("#qc-live input[name=rev]").value = "1"`)
	pd.Press(browsertest.Enter)
	if !qsWaitFor(pd, `!document.getElementById("qc-jserror").hidden`) || !strings.Contains(pd.Text("#qc-jserror"), "vừa được cập nhật") {
		t.Errorf("device error: %q", pd.Text("#qc-jserror"))
	}

	// The queue's administration, with a refused form.
	pa := browsertest.New(t)
	pa.IgnoreConsoleErrors("status of 400")
	browserSignIn(t, pa, env, "quantri")
	for _, path := range []string{"/staff/admin/queue", "/staff/admin/queue/groups/new", "/staff/admin/queue/groups/ho_tich", "/staff/admin/queue/settings"} {
		axeEverywhere(t, pa, env.URL+path)
	}
	pa.Navigate(env.URL + "/staff/admin/queue/groups/new")
	pa.Type("#code", "hanh_chinh")
	pa.Type("#prefix", "a")
	pa.Type("#name", "Hành chính khác")
	tabTo(t, pa, "#qa-group-save")
	if st := pa.PressAndWait(browsertest.Enter); st != 400 || !strings.Contains(pa.Text("#error-summary"), "Chữ A đã dùng cho nhóm ho_tich") {
		t.Fatalf("refused group: %d %s", st, pa.Text("main"))
	}
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		pa.SetViewport(vp)
		pa.AssertNoAxeViolations()
	}
	if os.Getenv("QS_SHOTS") != "" {
		pa.Screenshot("/tmp/q/admin-err.png")
		pd.Screenshot("/tmp/q/device.png")
		pa.Navigate(env.URL + "/staff/admin/queue")
		pa.Screenshot("/tmp/q/admin.png")
		pa.Navigate(env.URL + "/staff/admin/queue/settings")
		pa.Screenshot("/tmp/q/settings.png")
		pa.Navigate(env.URL + "/staff/admin/queue/groups/new")
		pa.Type("#code", "hanh_chinh")
		pa.Type("#prefix", "a")
		pa.Type("#name", "Hành chính khác")
		tabTo(t, pa, "#qa-group-save")
		pa.PressAndWait(browsertest.Enter)
	}
	adminRetype(pa, "#prefix", "H")
	tabTo(t, pa, "#qa-group-save")
	if st := pa.PressAndWait(browsertest.Enter); st != 200 || !strings.Contains(pa.Text("[role=status]"), "Đã lưu nhóm H – Hành chính khác") {
		t.Fatalf("saved group: %d %s", st, pa.Text("main"))
	}
}
