package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// publicPages are every public page kind, with a procedure of each field.
func publicPages(env *apptest.Env) []string {
	pages := []string{"/", "/procedures", "/procedures?q=dang+ky+khai+sinh", "/procedures?q=khong+co+thu+tuc+nay", "/calendar", "/calendar?year=2027"}
	seen := map[string]bool{}
	for _, p := range env.App.Catalog.Catalog().All() {
		if !seen[p.Field] {
			seen[p.Field] = true
			pages = append(pages, "/procedures/"+p.Code)
		}
	}
	return pages
}

// Every public page has no axe violations, in Vietnamese and English, in
// normal, large-text and high-contrast modes, on a desktop and a phone.
func TestPublicPagesAccessible(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	modes := []struct {
		name    string
		setting string
		view    browsertest.Viewport
	}{
		{"normal", "", browsertest.Desktop},
		{"large-text-mobile", "/settings/display?text=large", browsertest.Mobile},
		{"high-contrast", "/settings/display?contrast=high", browsertest.Desktop},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			p := browsertest.New(t, browsertest.WithViewport(mode.view))
			if mode.setting != "" {
				p.Navigate(env.URL + mode.setting)
			}
			for _, path := range publicPages(env) {
				p.Navigate(env.URL + path)
				r := p.AssertNoAxeViolations()
				if len(r.Violations) > 0 {
					t.Logf("page %s", path)
				}
			}
			p.Navigate(env.URL + "/procedures/1.001193?lang=en")
			p.AssertNoAxeViolations()
			p.Navigate(env.URL + "/?lang=vi")
		})
	}
	t.Run("error-page", func(t *testing.T) {
		p := browsertest.New(t)
		p.IgnoreConsoleErrors("status of 404")
		if st := p.NavigateStatus(env.URL + "/procedures/0.000000"); st != http.StatusNotFound {
			t.Fatalf("status %d", st)
		}
		p.AssertNoAxeViolations()
	})
}

// A person types a search without diacritics, presses Enter, and opens the
// procedure; the page says what to bring, how long and how much.
func TestSearchJourney(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
	p.Navigate(env.URL + "/")
	p.Type("#q", "dang ky khai sinh")
	if st := p.PressAndWait(browsertest.Enter); st != 200 {
		t.Fatalf("search: %d", st)
	}
	first := p.Text(".procs .proc-name")
	if first != "Đăng ký khai sinh" {
		t.Fatalf("first result %q", first)
	}
	if st := p.ClickAndWait(".procs .proc-name"); st != 200 {
		t.Fatalf("open: %d", st)
	}
	if h := p.Text("h1"); h != "Đăng ký khai sinh" {
		t.Errorf("h1 = %q", h)
	}
	body := p.Text("main")
	for _, want := range []string{"Giấy tờ cần nộp", "Mất bao lâu", "Lệ phí", "Nộp ở đâu", "Trung tâm Phục vụ hành chính công xã Hoa Lộc"} {
		if !strings.Contains(body, want) {
			t.Errorf("procedure page lacks %q", want)
		}
	}
}

// The skip link is the first stop of the keyboard and leads to the content.
func TestKeyboardSkipLink(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	p := browsertest.New(t)
	p.Navigate(env.URL + "/procedures")
	p.Press(browsertest.Tab)
	if !p.IsFocused("a.skip") {
		t.Fatalf("first Tab focuses %s, want the skip link", p.Focused())
	}
	p.Press(browsertest.Enter)
	p.Press(browsertest.Tab)
	if f := p.Focused(); !strings.Contains(f, "main") && !strings.Contains(f, "input") && !strings.Contains(f, "a") {
		t.Errorf("after the skip link, focus is on %s", f)
	}
}

// Language and display switches persist across pages.
func TestDisplaySwitches(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	p := browsertest.New(t)
	p.Navigate(env.URL + "/procedures?lang=en")
	p.Navigate(env.URL + "/calendar")
	if lang, _ := p.Attr("html", "lang"); lang != "en" {
		t.Errorf("lang = %q after choosing English", lang)
	}
	p.Navigate(env.URL + "/settings/display?text=large&back=/calendar")
	if cls, _ := p.Attr("body", "class"); !strings.Contains(cls, "large-text") {
		t.Errorf("body class %q, want large-text", cls)
	}
}

// The citizen's pages: lookup, status (from the receipt's QR code), and the
// document check — accessible, and working with the keyboard.
func TestCitizenDossierPages(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	tok := staffTokens(t, env)
	_, b, _ := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], birthJSON, nil)
	c := apptest.JSON[created](t, b)
	u, _ := url.Parse(c.StatusURL)
	for _, mode := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p := browsertest.New(t, browsertest.WithViewport(mode))
		p.IgnoreConsoleErrors("status of 404")
		p.Navigate(env.URL + "/tra-cuu")
		p.AssertNoAxeViolations()
		p.Type("#code", c.Code)
		p.Type("#key", c.LookupKey)
		if st := p.PressAndWait(browsertest.Enter); st != 200 {
			t.Fatalf("lookup: %d", st)
		}
		if !strings.Contains(p.Text("main"), "Đăng ký khai sinh") {
			t.Errorf("status page: %s", p.Text("main"))
		}
		p.AssertNoAxeViolations()
		p.Navigate(env.URL + u.RequestURI())
		if !strings.Contains(p.Text("main"), "Giấy tiếp nhận này là thật") {
			t.Errorf("QR page lacks the genuine mark")
		}
		p.AssertNoAxeViolations()
		p.NavigateStatus(env.URL + "/tra-cuu/" + c.Code + "?key=AAAAAAAA")
		p.AssertNoAxeViolations()
		p.Navigate(env.URL + "/verify")
		p.AssertNoAxeViolations()
		p.Navigate(env.URL + "/verify?r=" + url.QueryEscape(u.Query().Get("r")))
		if !strings.Contains(p.Text("main"), "THẬT") {
			t.Error("verify page: not genuine")
		}
		p.AssertNoAxeViolations()
	}
}
