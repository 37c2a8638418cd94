package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// qpTV is the centre's television.
var qpTV = browsertest.Viewport{Width: 1920, Height: 1080}

// qpStub replaces, in every page the tab loads, the printer and the voice
// with recorders: window.__printed counts the prints, window.__spoken keeps
// what was handed to speechSynthesis.speak, window.__streamErrors counts
// the event stream's errors (drops).
func qpStub(t *testing.T, p *browsertest.Page) {
	t.Helper()
	const js = `window.__printed = 0;
window.print = function () { window.__printed++; };
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = function (u) { window.__spoken.push(u.text); setTimeout(function () { if (u.onend) { u.onend(); } }, 0); };
  window.speechSynthesis.cancel = function () {};
  window.speechSynthesis.getVoices = function () { return []; };
}
window.__streamErrors = 0;
if (window.EventSource) {
  const ES = window.EventSource;
  const Counted = function (url, opts) { const e = new ES(url, opts); e.addEventListener("error", function () { window.__streamErrors++; }); return e; };
  Counted.CONNECTING = ES.CONNECTING; Counted.OPEN = ES.OPEN; Counted.CLOSED = ES.CLOSED;
  window.EventSource = Counted;
}`
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js})
		return err
	}))
}

// qpWaitFor waits (up to 10 s) until a JavaScript expression's string
// contains want, and returns its last value.
func qpWaitFor(p *browsertest.Page, expr, want string) string {
	return browsertest.Eval[string](p, fmt.Sprintf(`new Promise(resolve => {
		const end = Date.now() + 10000;
		const value = () => { try { return String(%s); } catch (e) { return ""; } };
		const check = () => { const v = value(); if (v.includes(%s) || Date.now() > end) { resolve(v); } else { setTimeout(check, 100); } };
		check();
	})`, expr, jsQuote(want)))
}

// qpText is the visible text of the first element matching selector, or "".
func qpText(selector string) string {
	return fmt.Sprintf(`(document.querySelector(%s) || {innerText: ""}).innerText`, jsQuote(selector))
}

// qpAxe checks the page as it is at each viewport.
func qpAxe(t *testing.T, p *browsertest.Page, what string, vps ...browsertest.Viewport) {
	t.Helper()
	for _, vp := range vps {
		p.SetViewport(vp)
		if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
			t.Logf("%s at %d px", what, vp.Width)
		}
	}
}

// A day at the centre in the browser: the kiosk is registered with its
// token; a citizen takes a normal and a priority ticket by touching the
// screen and another with the keyboard only; two counters call them
// through the API; the board shows and says each call without reloading,
// and the first citizen's phone follows their place. Every page has no
// axe violations in Vietnamese and English.
func TestQueueBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: qpClock()})
	kioskToken := qpToken(t, env, identity.TokenSpec{Role: identity.RoleKiosk, Label: "Máy lấy số sảnh"})
	counter1 := qpToken(t, env, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "1", Label: "Màn hình quầy 1"})
	counter3 := qpToken(t, env, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "3", Label: "Màn hình quầy 3"})

	// An unregistered screen says how to register; the token registers it.
	k := browsertest.New(t)
	qpStub(t, k)
	k.Navigate(env.URL + "/queue/kiosk")
	if !strings.Contains(k.Text("h1"), "chưa được đăng ký") {
		t.Fatalf("unregistered kiosk: %s", k.Text("main"))
	}
	axeEverywhere(t, k, env.URL+"/queue/kiosk")
	axeEverywhere(t, k, env.URL+"/queue/device")
	k.Type("#qdevice-token", kioskToken)
	if st := k.PressAndWait(browsertest.Enter); st != 200 || !strings.HasSuffix(k.URL(), "/queue/kiosk") {
		t.Fatalf("registration: %d %s", st, k.URL())
	}

	// A normal ticket, by touch.
	take := func(group, priority string) (number, id string) {
		t.Helper()
		k.Click(`a[href="/queue/kiosk/priority?group=` + group + `"]`)
		k.WaitVisible(".kiosk-step-priority")
		if priority == "" {
			k.Click(".kbtn-no")
		} else {
			k.Click(`.kbtn-prio[href$="priority=` + priority + `"]`)
		}
		k.WaitVisible(".kiosk-step-confirm")
		k.Click(".kbtn-go")
		k.WaitVisible(".kiosk-step-ticket")
		id, _ = k.Attr(".kiosk-step-ticket", "data-ticket")
		return k.Text(".slip-number"), id
	}
	a1, a1ID := take("ho_tich", "")
	if a1 != "A001" {
		t.Fatalf("first ticket %s", a1)
	}
	if n := qpWaitFor(k, "window.__printed", "1"); n != "1" {
		t.Errorf("the ticket was printed %s times", n)
	}
	spoken := qpWaitFor(k, `window.__spoken.join(" | ")`, "A không không một")
	for _, want := range []string{"Bạn có thuộc nhóm được ưu tiên không?", "Bạn chọn dịch vụ Hộ tịch", "Số thứ tự của bạn là A không không một"} {
		if !strings.Contains(spoken, want) {
			t.Errorf("the kiosk did not say %q: %s", want, spoken)
		}
	}
	if !strings.Contains(k.Text(".slip"), "Hộ tịch") || !k.Exists(`img.slip-qr[src="/queue/t/`+a1ID+`/qr.png"]`) {
		t.Errorf("ticket: %s", k.Text(".slip"))
	}
	if qr := browsertest.Eval[int](k, `new Promise(r => { const i = document.querySelector(".slip-qr"); if (i.complete) { r(i.naturalWidth); } else { i.onload = () => r(i.naturalWidth); i.onerror = () => r(0); } })`); qr < 100 {
		t.Errorf("QR code image %d px wide", qr)
	}
	// The listen-again button says the step once more.
	before := browsertest.Eval[int](k, `window.__spoken.length`)
	k.Click("[data-kiosk-listen]")
	if after := browsertest.Eval[int](k, `window.__spoken.length`); after != before+1 {
		t.Errorf("listen again: %d → %d", before, after)
	}
	axeEverywhere(t, k, env.URL+"/queue/kiosk/tickets/"+a1ID)

	// A priority ticket, by touch.
	k.Navigate(env.URL + "/queue/kiosk")
	a2, _ := take("ho_tich", "elderly")
	if a2 != "A002" || !strings.Contains(k.Text(".slip"), "Ưu tiên: Người cao tuổi (từ 60 tuổi)") {
		t.Fatalf("priority ticket %s: %s", a2, k.Text(".slip"))
	}

	// Another with the keyboard only.
	k.Navigate(env.URL + "/queue/kiosk")
	tabTo(t, k, `a[href="/queue/kiosk/priority?group=chung_thuc"]`)
	k.Press(browsertest.Enter)
	k.WaitVisible(".kiosk-step-priority")
	if !hasFocus(k, "#kiosk-h1") {
		t.Errorf("after a step the focus is on %s, not its heading", k.Focused())
	}
	tabTo(t, k, ".kbtn-no")
	k.Press(browsertest.Enter)
	k.WaitVisible(".kiosk-step-confirm")
	tabTo(t, k, "#kiosk-phone")
	k.Press("0912 345 678")
	tabTo(t, k, ".kbtn-go")
	k.Press(browsertest.Enter)
	k.WaitVisible(".kiosk-step-ticket")
	if b1 := k.Text(".slip-number"); b1 != "B001" {
		t.Fatalf("keyboard ticket %s", b1)
	}

	// A wrong phone number is said and shown on the step.
	k.IgnoreConsoleErrors("status of 400")
	k.Navigate(env.URL + "/queue/kiosk/confirm?group=ho_tich")
	k.Type("#kiosk-phone", "12345")
	k.Click(".kbtn-go")
	k.WaitVisible(".kiosk-error")
	if !strings.Contains(k.Text(".kiosk-error"), "Số điện thoại di động không hợp lệ") {
		t.Errorf("error: %s", k.Text(".kiosk-step"))
	}
	qpAxe(t, k, "kiosk error", browsertest.Mobile, browsertest.Desktop)
	for _, path := range []string{"/queue/kiosk", "/queue/kiosk?q=khai+sinh", "/queue/kiosk/priority?group=ho_tich",
		"/queue/kiosk/confirm?group=ho_tich&priority=elderly", "/queue/kiosk/appointment"} {
		axeEverywhere(t, k, env.URL+path)
	}
	axeEverywhere(t, k, env.URL+"/queue/device")

	// The phone of the first citizen, and the board on the TV.
	phone := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
	phone.Navigate(env.URL + "/queue/t/" + a1ID)
	if got := phone.Text("#follow-live"); !strings.Contains(got, "Đang chờ — còn 1 người phía trước") {
		t.Errorf("phone before the calls: %s", got)
	}
	axeEverywhere(t, phone, env.URL+"/queue/t/"+a1ID)
	board := browsertest.New(t, browsertest.WithViewport(qpTV))
	qpStub(t, board)
	board.Navigate(env.URL + "/queue/board?lang=en")
	qpAxe(t, board, "board (en)", qpTV, browsertest.Mobile, browsertest.Desktop)
	board.Navigate(env.URL + "/queue/board?lang=vi")
	qpAxe(t, board, "board", browsertest.Mobile, browsertest.Desktop, qpTV)
	if got := qpWaitFor(board, `document.querySelector("[data-board-waiting]").innerText`, "Hộ tịch"); !strings.Contains(got, "2") {
		t.Errorf("waiting: %s", got)
	}
	board.Exec(`window.__sameBoard = true`)

	call := func(counter int, token, want, speech string) {
		t.Helper()
		st, b := env.Do(t, "POST", fmt.Sprintf("/api/v1/queue/counters/%d/call-next", counter), token, nil)
		if st != 200 || !strings.Contains(string(b), `"number":"`+want+`"`) {
			t.Fatalf("call-next at %d: %d %s", counter, st, b)
		}
		sel := fmt.Sprintf(`[data-counter="%d"] .bc-number`, counter)
		if got := qpWaitFor(board, qpText(sel), want); got != want {
			t.Errorf("board, counter %d: %q, want %s", counter, got, want)
		}
		if got := qpWaitFor(board, `window.__spoken.join(" | ")`, speech); !strings.Contains(got, speech) {
			t.Errorf("board said %q, want %q", got, speech)
		}
		if !board.Exists(fmt.Sprintf(`[data-counter="%d"].is-called`, counter)) {
			t.Errorf("counter %d's number does not blink", counter)
		}
	}
	call(1, counter1, "A002", "Mời công dân có số thứ tự A không không hai, đến quầy số một.")
	if got := qpWaitFor(phone, qpText("#follow-live"), "bạn là người tiếp theo"); !strings.Contains(got, "bạn là người tiếp theo") {
		t.Errorf("phone after the first call: %s", got)
	}
	call(3, counter3, "A001", "Mời công dân có số thứ tự A không không một, đến quầy số ba.")
	if got := qpWaitFor(phone, qpText("#follow-live"), "Mời bạn đến quầy số 3"); !strings.Contains(got, "Mời bạn đến quầy số 3") {
		t.Errorf("phone after its call: %s", got)
	}
	if !browsertest.Eval[bool](board, `window.__sameBoard === true`) {
		t.Error("the board reloaded instead of updating")
	}
	if got := board.Text("[data-board-recent] li"); !strings.Contains(got, "A001") || !strings.Contains(got, "3") {
		t.Errorf("last call: %s", got)
	}
	if got := board.Text("[data-board-announce]"); !strings.Contains(got, "quầy số ba") {
		t.Errorf("screen-reader announcement: %q", got)
	}
	qpAxe(t, board, "board after calls", qpTV)

	// The line drops (the server ends the stream); while the board is
	// away a call is made; the board comes back by itself and shows it,
	// without reloading the page.
	board.IgnoreConsoleErrors("events")
	env.App.Web.CloseStreams()
	if got := qpWaitFor(board, `window.__streamErrors`, "1"); got == "0" {
		t.Fatal("the board did not notice the dropped stream")
	}
	st, b := env.Do(t, "POST", "/api/v1/queue/counters/3/call-next", counter3, nil)
	if st != 200 || !strings.Contains(string(b), `"number":"B001"`) {
		t.Fatalf("call while the board is away: %d %s", st, b)
	}
	if got := qpWaitFor(board, qpText(`[data-counter="3"] .bc-number`), "B001"); got != "B001" {
		t.Errorf("after the drop the board shows %q at counter 3, want B001", got)
	}
	if !browsertest.Eval[bool](board, `window.__sameBoard === true`) {
		t.Error("the board reloaded instead of reconnecting")
	}
	axeEverywhere(t, phone, env.URL+"/queue/t/"+a1ID)
	phone.IgnoreConsoleErrors("status of 404")
	if st := phone.NavigateStatus(env.URL + "/queue/t/khongco"); st != 404 {
		t.Errorf("unknown ticket: %d", st)
	}
	phone.AssertNoAxeViolations()

	// Booking online with the keyboard and mouse; the confirmation.
	bk := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
	bk.Navigate(env.URL + "/queue/book")
	axeEverywhere(t, bk, env.URL+"/queue/book")
	bk.Click("#qbook-g-kinh_doanh")
	bk.Exec(`document.querySelector("#qbook-date").value = "2026-11-30"`)
	if st := bk.ClickAndWait(".qbook-choose button"); st != 200 {
		t.Fatalf("slots: %d", st)
	}
	axeEverywhere(t, bk, bk.URL())
	bk.Click("#qbook-slot-1")
	bk.Type("#qbook-name", "Phạm Thị Hoa")
	bk.IgnoreConsoleErrors("status of 400")
	if st := bk.ClickAndWait(".qbook-book button"); st != 400 || !strings.Contains(bk.Text(".qerror"), "Số điện thoại di động không hợp lệ") {
		t.Fatalf("booking without a phone: %d %s", st, bk.Text("main"))
	}
	qpAxe(t, bk, "booking error", browsertest.Mobile, browsertest.Desktop)
	bk.Type("#qbook-phone", "0987 111 222")
	if st := bk.ClickAndWait(".qbook-book button"); st != 200 || !strings.Contains(bk.Text("main"), "Đã đặt lịch hẹn.") {
		t.Fatalf("booking: %d %s", st, bk.Text("main"))
	}
	code := bk.Text(".qbook-code")
	if len(code) != 8 || !strings.Contains(bk.Text("main"), "08:00 – 08:30") {
		t.Errorf("confirmation: %s", bk.Text("main"))
	}
	axeEverywhere(t, bk, env.URL+"/queue/book/"+code)

	// The administrator's view of the registration page.
	adm := browsertest.New(t)
	browserSignIn(t, adm, env, "quantri")
	axeEverywhere(t, adm, env.URL+"/queue/device")
}
