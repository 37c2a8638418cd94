package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
)

const (
	paLevel2 = "038090001234"
	paLevel1 = "038191005678"
)

func portalAuthEach(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			fn(t, apptest.Start(t, eng, apptest.Options{Commune: true, Now: fixedNow, Cfg: func(c *app.Config) { c.BaseURL = "https://dichvucong.hoaloc.example/" }}))
		})
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// The sign-in page, the flow through the sandbox provider to the home
// page at each level, the header and the anti-fraud line, the audit of
// each sign-in, and sign-out with its CSRF token.
func TestPortalSignIn(t *testing.T) {
	portalAuthEach(t, func(t *testing.T, env *apptest.Env) {
		anon := newPortalBrowser(t, env)
		st, page := anon.Get("/dang-nhap")
		if st != 200 {
			t.Fatalf("/dang-nhap: %d", st)
		}
		mustContain(t, "sign-in page", page, "Đăng nhập bằng VNeID", `href="/dang-nhap/vneid"`, "VNeID SANDBOX", "Mức độ 1", "Mức độ 2",
			"Cán bộ tại Trung tâm", `href="/dang-nhap"`, "không bao giờ hỏi mật khẩu hay mã OTP qua điện thoại", `href="/verify"`)
		if _, en := anon.Get("/dang-nhap?lang=en"); !strings.Contains(en, "Sign in with VNeID") || !strings.Contains(en, "never ask for your password or OTP") {
			t.Error("the English sign-in page")
		}
		anon.Get("/?lang=vi")
		// The anti-fraud line is on every public page.
		for _, path := range []string{"/", "/procedures", "/tra-cuu", "/verify"} {
			_, body := anon.Get(path)
			mustContain(t, path, body, `class="genuine-bar"`, "không bao giờ hỏi mật khẩu hay mã OTP", "<strong>dichvucong.hoaloc.example</strong>")
		}
		// The home page needs a session.
		if st, loc, _ := anon.do("GET", "/cong-dan", nil); st != http.StatusSeeOther || loc != "/dang-nhap?next=%2Fcong-dan" {
			t.Errorf("anonymous /cong-dan: %d %q", st, loc)
		}

		u := portalSignIn(t, env, paLevel2, 2)
		st, home := u.Get("/cong-dan")
		if st != 200 {
			t.Fatalf("/cong-dan: %d", st)
		}
		mustContain(t, "home", home, "Nguyễn Văn Thử", "••••••••1234", "Mức độ 2", `href="/cong-dan/ho-so"`, `href="/cong-dan/gop-y"`,
			`href="/cong-dan/ho-tro"`, `href="/procedures?online=1"`, `action="/dang-xuat"`, `value="`+u.CSRF+`"`)
		if strings.Contains(home, paLevel2) {
			t.Error("the home page shows the whole ID number")
		}
		if strings.Contains(home, "tài khoản mức độ 1. Một số thủ tục") {
			t.Error("a level-2 citizen is told about level-1 limits")
		}
		// The header of any public page names the citizen and offers sign-out.
		_, proc := u.Get("/procedures")
		mustContain(t, "header", proc, `class="account-name"`, "Nguyễn Văn Thử", "Đăng xuất")
		if strings.Contains(proc, `class="account-in"`) {
			t.Error("the header offers sign-in to a signed-in citizen")
		}
		// Signed in, the sign-in page goes on.
		if st, loc, _ := u.do("GET", "/dang-nhap?next=/tra-cuu", nil); st != http.StatusSeeOther || loc != "/tra-cuu" {
			t.Errorf("/dang-nhap when signed in: %d %q", st, loc)
		}

		// Level 1.
		u1 := portalSignIn(t, env, paLevel1, 1)
		_, home1 := u1.Get("/cong-dan")
		mustContain(t, "level-1 home", home1, "Mức độ 1", "tài khoản mức độ 1. Một số thủ tục")

		// Each sign-in is audited with the citizen as actor.
		var n int
		env.App.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'citizen.sign_in'
			AND actor_id = $1 AND object_id = $2`, "citizen:"+u.Session.Citizen.ID, u.Session.Citizen.ID).Scan(&n)
		if n != 1 {
			t.Errorf("%d audit entries of the sign-in", n)
		}

		// Sign-out needs the session's CSRF token.
		if st, _, _ := u.PostForm("/dang-xuat", url.Values{"csrf": {"forged"}}); st != http.StatusForbidden {
			t.Errorf("sign-out with a forged token: %d", st)
		}
		if st, _, _ := u.do("POST", "/dang-xuat", url.Values{}); st != http.StatusForbidden {
			t.Errorf("sign-out without a token: %d", st)
		}
		if st, _ := u.Get("/cong-dan"); st != 200 {
			t.Fatalf("the session did not survive a forged sign-out: %d", st)
		}
		if st, loc, _ := u.PostForm("/dang-xuat", nil); st != http.StatusSeeOther || loc != "/dang-nhap?da_dang_xuat=1" {
			t.Errorf("sign-out: %d %q", st, loc)
		}
		if st, _, _ := u.do("GET", "/cong-dan", nil); st != http.StatusSeeOther {
			t.Errorf("after sign-out /cong-dan: %d", st)
		}
		if _, err := env.App.Citizens.Session(context.Background(), u.Session.Token); err == nil {
			t.Error("the session lives on after sign-out")
		}
		env.App.DB.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'citizen.sign_out' AND object_id = $1`,
			u.Session.Citizen.ID).Scan(&n)
		if n != 1 {
			t.Errorf("%d audit entries of the sign-out", n)
		}
		_, out := u.Get("/dang-nhap?da_dang_xuat=1")
		mustContain(t, "signed-out page", out, "Bạn đã đăng xuất")
	})
}

// ?next= is honoured for local paths only; the person cancelling, a
// replayed callback and a callback in another browser end on the sign-in
// page with a plain message, never a 500; a provider that does not answer
// is said so.
func TestPortalSignInEdges(t *testing.T) {
	portalAuthEach(t, func(t *testing.T, env *apptest.Env) {
		sandboxResident(t, env, paLevel2, 2)
		for next, want := range map[string]string{
			"/procedures/1.001193?lang=vi": "/procedures/1.001193?lang=vi",
			"//evil.example/x":             "/cong-dan",
			"https://evil.example/":        "/cong-dan",
			`/\evil.example`:               "/cong-dan",
			"/%0d%0aSet-Cookie:x=1":        "/%0d%0aSet-Cookie:x=1",
			"/dang-nhap/callback":          "/cong-dan",
			"javascript:alert(1)":          "/cong-dan",
		} {
			b := newPortalBrowser(t, env)
			st, loc, body := b.signInVia("/dang-nhap/vneid?next="+url.QueryEscape(next), paLevel2, "approve")
			if st != http.StatusSeeOther || loc != want {
				t.Errorf("next=%q: %d %q, want %q %s", next, st, loc, want, body)
			}
		}
		// The sign-in page passes next on to the button.
		_, page := newPortalBrowser(t, env).Get("/dang-nhap?next=" + url.QueryEscape("/tra-cuu"))
		mustContain(t, "sign-in page with next", page, `href="/dang-nhap/vneid?next=%2Ftra-cuu"`)

		// Cancelled at the provider.
		b := newPortalBrowser(t, env)
		st, _, body := b.signInVia("/dang-nhap/vneid", paLevel2, "cancel")
		if st != http.StatusOK || !strings.Contains(body, "Bạn đã hủy đăng nhập") || !strings.Contains(body, `role="alert"`) {
			t.Errorf("cancelled: %d", st)
		}

		// A callback replayed with the same pending cookie: the code is spent.
		b = newPortalBrowser(t, env)
		st, loc, _ := b.do("GET", "/dang-nhap/vneid", nil)
		_, _, page = b.do("GET", loc, nil)
		_, cb, _ := b.do("POST", "/sandbox/eid/authorize", url.Values{"interaction": {cutBetween(page, `name="interaction" value="`, `"`)},
			"id_number": {paLevel2}, "action": {"approve"}})
		base, _ := url.Parse(env.URL + "/dang-nhap/")
		pending := b.Client.Jar.Cookies(base)
		if st, _, _ := b.do("GET", cb, nil); st != http.StatusSeeOther {
			t.Fatalf("callback: %d", st)
		}
		b.Client.Jar.SetCookies(base, pending)
		st, _, body = b.do("GET", cb, nil)
		if st != http.StatusBadRequest || !strings.Contains(body, "đã hết hạn hoặc đã được dùng") {
			t.Errorf("replayed callback: %d", st)
		}
		// The same callback in another browser (no pending sign-in there).
		st, _, body = newPortalBrowser(t, env).do("GET", cb, nil)
		if st != http.StatusBadRequest || !strings.Contains(body, "đã hết hạn") {
			t.Errorf("callback in another browser: %d", st)
		}
		// A forged callback with nonsense.
		st, _, _ = newPortalBrowser(t, env).do("GET", "/dang-nhap/callback?code=x&state=y", nil)
		if st != http.StatusBadRequest {
			t.Errorf("forged callback: %d", st)
		}
	})
}

// A configured provider that does not answer: the sign-in page says so.
func TestPortalProviderDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			env := apptest.Start(t, eng, apptest.Options{Commune: true, Now: fixedNow, Cfg: func(c *app.Config) {
				c.EIDIssuer, c.EIDClientID, c.EIDClientSecret = dead.URL, "motcua", "secret"
			}})
			b := newPortalBrowser(t, env)
			st, _, body := b.do("GET", "/dang-nhap/vneid", nil)
			if st != http.StatusServiceUnavailable || !strings.Contains(body, "VNeID đang không trả lời") {
				t.Errorf("provider down: %d", st)
			}
			if _, page := b.Get("/dang-nhap"); strings.Contains(page, "VNeID SANDBOX") {
				t.Error("a real provider is labelled SANDBOX")
			}
			if st, _, _ := b.do("GET", "/sandbox/eid/.well-known/openid-configuration", nil); st == 200 {
				t.Error("the sandbox provider is served beside a real one")
			}
		})
	}
}
