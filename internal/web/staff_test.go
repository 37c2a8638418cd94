package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

const testPassword = "mat-khau-thu-nghiem-2026"

// staffUser gives a demo account a known password and authenticator key.
func staffUser(t testing.TB, env *apptest.Env, username string) (id, secret string) {
	t.Helper()
	ctx := context.Background()
	users, err := env.App.Staff.Users(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == username {
			secret = identity.NewTOTPSecret()
			if err := env.App.Staff.SetCredentials(ctx, &identity.Principal{ID: "test"}, u.ID, testPassword, secret); err != nil {
				t.Fatal(err)
			}
			return u.ID, secret
		}
	}
	t.Fatalf("no demo account %s", username)
	return "", ""
}

func totpNow(t testing.TB, secret string) string {
	return totpAt(t, secret, time.Now())
}

func totpAt(t testing.TB, secret string, at time.Time) string {
	code, err := identity.TOTPCode(secret, identity.TOTPStep(at))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// staffClient is an HTTP client signed in to the console.
type staffClient struct {
	*http.Client
	env  *apptest.Env
	csrf string
}

var reCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func signIn(t testing.TB, env *apptest.Env, username string) *staffClient {
	t.Helper()
	_, secret := staffUser(t, env, username)
	jar, _ := cookiejar.New(nil)
	c := &staffClient{Client: &http.Client{Jar: jar}, env: env}
	now := time.Now()
	if env.App.Cfg.Now != nil {
		now = env.App.Cfg.Now()
	}
	resp, err := c.PostForm(env.URL+"/staff/login", url.Values{"username": {username}, "password": {testPassword}, "code": {totpAt(t, secret, now)}, "next": {"/staff/"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Đăng xuất") {
		t.Fatalf("sign-in of %s: %d %s", username, resp.StatusCode, body)
	}
	m := reCSRF.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatal("no CSRF token on the console")
	}
	c.csrf = m[1]
	return c
}

func (c *staffClient) get(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(c.env.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *staffClient) post(t testing.TB, path string, form url.Values) (int, string, *url.URL) {
	t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	resp, err := c.PostForm(c.env.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL
}

func TestStaffSignIn(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true})
	_, secret := staffUser(t, env, "motcua.lan")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Without a session every console page leads to the sign-in page.
	for _, p := range []string{"/staff/", "/staff/inbox?box=role", "/staff/intake", "/staff/dossiers/X"} {
		resp, err := client.Get(env.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login?next=") {
			t.Errorf("%s without a session: %d %s", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	login := func(user, pw, code string) (int, string) {
		resp, err := client.PostForm(env.URL+"/staff/login", url.Values{"username": {user}, "password": {pw}, "code": {code}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := login("motcua.lan", "wrong-password", totpNow(t, secret)); st != 401 || !strings.Contains(body, "không đúng") {
		t.Errorf("wrong password: %d", st)
	}
	if st, _ := login("motcua.lan", testPassword, "000000"); st != 401 {
		t.Errorf("wrong code: %d", st)
	}
	if st, _ := login("ai.do", testPassword, "123456"); st != 401 {
		t.Errorf("unknown user: %d", st)
	}
	// Three more failures lock the account, even with the right password.
	for i := 0; i < 3; i++ {
		login("motcua.lan", "wrong", "000000")
	}
	if st, body := login("motcua.lan", testPassword, totpNow(t, secret)); st != 403 || !strings.Contains(body, "tạm khóa") {
		t.Errorf("locked account: %d", st)
	}
	signIns, _ := env.App.Staff.SignIns(context.Background(), 50)
	outcomes := map[string]int{}
	for _, s := range signIns {
		outcomes[s.Outcome]++
	}
	if outcomes["bad_password"] < 4 || outcomes["bad_code"] < 1 || outcomes["unknown_user"] != 1 || outcomes["locked"] != 1 {
		t.Errorf("sign-in log: %v", outcomes)
	}
}

func TestStaffConsolePages(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		lan := signIn(t, env, "motcua.lan")
		for _, p := range []string{"/staff/", "/staff/inbox?box=role", "/staff/inbox?box=mine", "/staff/inbox?box=all&urgency=overdue", "/staff/intake?q=khai+sinh",
			"/staff/intake/1.001193", "/staff/notifications", "/staff/account"} {
			if st, body := lan.get(t, p); st != 200 || !strings.Contains(body, "Lê Thị Lan") {
				t.Errorf("%s: %d", p, st)
			}
		}
		// A POST without the CSRF token is refused.
		st, _, _ := lan.post(t, "/staff/notifications", url.Values{"csrf": {"forged"}})
		if st != 403 {
			t.Errorf("forged CSRF: %d", st)
		}
		// Text no one could type is refused inside the console, on both
		// engines alike; so is a form too large to be one.
		st, body, _ := lan.post(t, "/staff/account", url.Values{"old_password": {"x\x00"}, "new_password": {"y"}})
		if st != 400 || !strings.Contains(body, "invalid_text") || !strings.Contains(body, "Đăng xuất") {
			t.Errorf("NUL in a form: %d", st)
		}
		st, body, _ = lan.post(t, "/staff/notifications", url.Values{"note": {strings.Repeat("x", 3<<20)}})
		if st != 413 || !strings.Contains(body, "upload_too_large") {
			t.Errorf("a 3 MB form: %d", st)
		}
		// Roles are checked: a specialist has no intake, and is told so
		// inside the console.
		huong := signIn(t, env, "tuphap.huong")
		if st, body := huong.get(t, "/staff/intake"); st != 403 || !strings.Contains(body, "Đăng xuất") {
			t.Errorf("specialist at the intake: %d", st)
		}
		if st, body := huong.get(t, "/staff/no-such-page"); st != 404 || !strings.Contains(body, "Đăng xuất") {
			t.Errorf("unknown console page: %d", st)
		}
	})
}
