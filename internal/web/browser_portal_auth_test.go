package web_test

import (
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// paAxe checks the page as it is, on a phone and on a desktop.
func paAxe(t *testing.T, p *browsertest.Page, what string) {
	t.Helper()
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p.SetViewport(vp)
		if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
			t.Logf("%s at %d px", what, vp.Width)
		}
	}
}

// A citizen signs in through the sandbox VNeID provider's page with the
// keyboard, lands on their home page, and signs out from the header. The
// sign-in page, the provider's page and the home page have no axe
// violations in normal and large-text modes, on a phone and a desktop.
func TestPortalSignInBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow,
		Cfg: func(c *app.Config) { c.BaseURL = "https://dichvucong.hoaloc.example" }})
	sandboxResident(t, env, paLevel1, 1) // in the provider's list of test people
	name := sandboxResident(t, env, paLevel2, 2)
	p := browsertest.New(t)
	large := func(on bool, back string) {
		mode := "off"
		if on {
			mode = "large"
		}
		p.Navigate(env.URL + "/settings/display?text=" + mode + "&back=" + back)
		if cls, _ := p.Attr("body", "class"); strings.Contains(cls, "large-text") != on {
			t.Fatalf("large text %v: body class %q", on, cls)
		}
	}

	p.Navigate(env.URL + "/dang-nhap")
	if !strings.Contains(p.Text("main"), "VNeID SANDBOX") || !strings.Contains(p.Text(".genuine-bar"), "dichvucong.hoaloc.example") {
		t.Errorf("sign-in page: %s", p.Text("body"))
	}
	paAxe(t, p, "/dang-nhap")
	large(true, "/dang-nhap")
	paAxe(t, p, "/dang-nhap large text")

	// To the provider, in large text still (the same site keeps the setting).
	if st := p.ClickAndWait(".pauth-vneid"); st != 200 || !strings.Contains(p.URL(), "/sandbox/eid/authorize?") {
		t.Fatalf("to the provider: %d %s", st, p.URL())
	}
	provider := p.URL()
	if got := p.Text(".sb-label"); !strings.Contains(got, "VNeID SANDBOX — không phải VNeID thật") {
		t.Errorf("provider label %q", got)
	}
	if !strings.Contains(p.Text(".sb-demo"), name) {
		t.Errorf("the test people lack %s: %s", name, p.Text(".sb-demo"))
	}
	paAxe(t, p, "provider page large text")
	large(false, "/")
	p.Navigate(provider)
	paAxe(t, p, "provider page")

	// A wrong number is said plainly (422); then the right one, with the keyboard.
	p.IgnoreConsoleErrors("status of 422")
	p.Type("#id_number", "12345")
	p.PressAndWait(browsertest.Enter)
	if !strings.Contains(p.Text("[role=alert]"), "12 chữ số") {
		t.Errorf("wrong number: %s", p.Text("main"))
	}
	paAxe(t, p, "provider page with an error")
	p.Clear("#id_number")
	p.Type("#id_number", paLevel2)
	if st := p.PressAndWait(browsertest.Enter); st != 200 || !strings.HasSuffix(p.URL(), "/cong-dan") {
		t.Fatalf("after approving: %d %s", st, p.URL())
	}
	if h := p.Text("h1"); !strings.Contains(h, name) {
		t.Errorf("home h1 %q", h)
	}
	if got := p.Text(".pauth-who"); !strings.Contains(got, "1234") || strings.Contains(got, paLevel2) || !strings.Contains(got, "Mức độ 2") {
		t.Errorf("who: %q", got)
	}
	if !strings.Contains(p.Text(".site-header"), name) {
		t.Errorf("header: %q", p.Text(".site-header"))
	}
	paAxe(t, p, "/cong-dan")
	large(true, "/cong-dan")
	paAxe(t, p, "/cong-dan large text")
	p.Navigate(env.URL + "/procedures")
	paAxe(t, p, "/procedures signed in, large text")

	// Sign out from the header.
	if st := p.ClickAndWait(".account-out button"); st != 200 || !strings.Contains(p.URL(), "/dang-nhap?da_dang_xuat=1") {
		t.Fatalf("sign-out: %d %s", st, p.URL())
	}
	if !strings.Contains(p.Text("main"), "Bạn đã đăng xuất") || !p.Exists(".account-in") {
		t.Errorf("after sign-out: %s", p.Text("body"))
	}
}
