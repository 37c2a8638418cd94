package web_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// svcAxe checks the page as it is, then in large-text mode (the class
// /settings/display puts on the body), on a phone.
func svcAxe(t *testing.T, p *browsertest.Page, what string) {
	t.Helper()
	if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
		t.Logf("%s: normal text", what)
	}
	p.Exec(`document.body.classList.add("large-text")`)
	if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
		t.Logf("%s: large text", what)
	}
	p.Exec(`document.body.classList.remove("large-text")`)
}

// svcContinue presses the page's main button.
func svcContinue(t *testing.T, p *browsertest.Page) {
	t.Helper()
	if st := p.ClickAndWait(".svc-actions button:not([name])"); st != http.StatusOK {
		t.Fatalf("continue from %s: %d", p.URL(), st)
	}
}

// A citizen re-issues her household business registration fully online
// on her phone: she signs in (level 2), starts from the procedure guide,
// says it is for herself, keeps the answers the population database filled
// in, types the rest, reuses her earlier certificate and her population
// data instead of uploading, checks her answers, sends, and gets her
// receipt once the desk receives the dossier. Every step passes axe in
// normal and large text.
func TestPortalServicesBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	svcAddResident(t, env)
	earlier := svcEarlierResult(t, env)
	sess, err := env.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "https://eid.sandbox", Subject: "sub-hoa",
		IDNumber: svcResident, FullName: "Nguyễn Thị Hoa", Phone: "0912345678", Level: citizen.Level2}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))

	// From the guide to the start page.
	p.Navigate(env.URL + "/procedures/" + svcHKD)
	if st := p.ClickAndWait(`a[href="/dich-vu/` + svcHKD + `"]`); st != 200 {
		t.Fatalf("apply online: %d", st)
	}
	if !strings.Contains(p.Text("main"), "VNeID mức độ 2") {
		t.Errorf("the start page says the e-ID level needed")
	}
	p.Exec(`document.cookie = "motcua_citizen=` + sess.Token + `; path=/"`)
	// Large text through the display settings, as a citizen would switch it on.
	p.Navigate(env.URL + "/settings/display?text=large&back=/dich-vu/" + svcHKD)
	if cls, _ := p.Attr("body", "class"); !strings.Contains(cls, "large-text") {
		t.Fatalf("large text is not on: %q", cls)
	}
	p.AssertNoAxeViolations()
	p.Navigate(env.URL + "/settings/display?text=off&back=/dich-vu/" + svcHKD)
	svcAxe(t, p, "start")
	if st := p.ClickAndWait(`form[action$="/bat-dau"] button`); st != 200 {
		t.Fatalf("start: %d", st)
	}

	svcBrowserFill(t, p, earlier, true)

	// Check the answers, change one, send.
	svcAxe(t, p, "check")
	main := p.Text("main")
	for _, want := range []string{"Tạp hóa Hoa Lộc", "Bị mất", "Dùng kết quả điện tử đã có của bạn", "Lấy từ Cơ sở dữ liệu quốc gia về dân cư", "từ Cơ sở dữ liệu quốc gia về dân cư"} {
		if !strings.Contains(main, want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	if st := p.ClickAndWait(`a[href$="cau-hoi-business_name?back=1"]`); st != 200 {
		t.Fatalf("change: %d", st)
	}
	p.Clear("#value")
	p.Type("#value", "Tạp hóa Hoa Lộc Xanh")
	svcContinue(t, p)
	if !strings.Contains(p.Text("main"), "Tạp hóa Hoa Lộc Xanh") || !strings.HasSuffix(p.URL(), "/kiem-tra") {
		t.Fatalf("back on the check page with the change: %s", p.URL())
	}
	if st := p.ClickAndWait(`form[action$="/nop"] button`); st != 200 {
		t.Fatalf("send: %d", st)
	}

	// Confirmation: the code; the receipt once the desk receives it.
	svcAxe(t, p, "confirmation")
	code := p.Text(".svc-code")
	if code == "" || !strings.Contains(p.Text("main"), "0912***678") {
		t.Fatalf("confirmation: %q", p.Text("main"))
	}
	if _, err := env.App.Dossiers.Act(context.Background(), svcOfficer(t, env), code, dossier.ActionRequest{Action: dossier.ActionReceive}, ""); err != nil {
		t.Fatal(err)
	}
	p.Navigate(p.URL())
	href, ok := p.Attr(`a[href*="giay-tiep-nhan.pdf"]`, "href")
	if !ok {
		t.Fatal("no receipt to download after reception")
	}
	st, pdf, h := get(t, env, html.UnescapeString(href), "")
	if st != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("receipt: %d %s", st, h.Get("Content-Type"))
	}
	svcAxe(t, p, "confirmation with receipt")
	// In English too.
	p.Navigate(p.URL() + "?lang=en")
	if !strings.Contains(p.Text("h1"), "Application sent") {
		t.Errorf("English confirmation: %q", p.Text("h1"))
	}
	p.AssertNoAxeViolations()
}

// svcBrowserFill answers the household business re-issue for the citizen
// herself, from the "who" page to the check page: she keeps what the
// population database filled in, types the rest and reuses her earlier
// certificate and her population data. With axe, every page is checked in
// normal and large text.
func svcBrowserFill(t *testing.T, p *browsertest.Page, earlier string, axe bool) {
	t.Helper()
	svcAxe := func(t *testing.T, p *browsertest.Page, what string) {
		t.Helper()
		if axe {
			svcAxe(t, p, what)
		}
	}
	// Who: for herself (her details come from the population database).
	svcAxe(t, p, "who")
	p.Click(`label[for="who-self"]`)
	svcContinue(t, p)

	type answer struct{ typed, option, prefilled string }
	answers := []answer{
		{typed: "27A8012345"},
		{typed: "Tạp hóa Hoa Lộc"},
		{option: "Bị mất"},
		{option: "Nhận bản điện tử trên Cổng Dịch vụ công / VNeID"},
		{prefilled: "Nguyễn Thị Hoa"},
		{prefilled: svcResident},
		{prefilled: "Thôn "},
		{prefilled: "0912345678"},
	}
	for i, a := range answers {
		svcAxe(t, p, "question "+p.Title())
		switch {
		case a.typed != "":
			p.Clear("#value")
			p.Type("#value", a.typed)
		case a.option != "":
			found := false
			for _, l := range p.Texts(".svc-radio label") {
				if l == a.option {
					found = true
				}
			}
			if !found {
				t.Fatalf("question %d: no option %q", i+1, a.option)
			}
			id := browsertest.Eval[string](p, `[...document.querySelectorAll(".svc-radio label")].find(l => l.innerText.trim() === `+jsQuote(a.option)+`).htmlFor`)
			p.Click(`label[for="` + id + `"]`)
		default:
			if v := p.Value("#value"); !strings.Contains(v, a.prefilled) {
				t.Errorf("question %d: pre-filled %q, want %q", i+1, v, a.prefilled)
			}
			if !strings.Contains(p.Text("main"), "từ Cơ sở dữ liệu quốc gia về dân cư") {
				t.Errorf("question %d: the pre-filled answer does not say where it came from", i+1)
			}
		}
		svcContinue(t, p)
	}

	// Documents: the earlier certificate and the population data are
	// offered (already chosen); no authorisation letter.
	svcAxe(t, p, "earlier certificate")
	if !strings.Contains(p.Text("main"), earlier) {
		t.Fatalf("the earlier result is not offered: %s", p.Text("main"))
	}
	svcContinue(t, p)
	svcAxe(t, p, "population data")
	svcContinue(t, p)
	svcAxe(t, p, "authorisation")
	p.Click(`label[for="src-none"]`)
	svcContinue(t, p)
}
