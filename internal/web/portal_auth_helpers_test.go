package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/store"
)

// portalUser is a citizen signed in to the portal, for tests of the
// portal's pages: an HTTP client holding the session cookie (it does not
// follow redirects, so a test sees each one), the session's CSRF token,
// and who they are.
type portalUser struct {
	t        testing.TB
	env      *apptest.Env
	Client   *http.Client
	IDNumber string
	Name     string
	Level    int
	CSRF     string
	Session  *citizen.Session
}

// portalSignIn signs idNumber in at the given e-ID level (1 or 2) through
// the real flow: /dang-nhap/vneid, the sandbox VNeID provider's page
// (typing the ID number and confirming), the callback. The resident is
// made a sandbox resident with an e-ID account at that level first —
// added if the population sandbox does not know them (name "Nguyễn Văn
// Thử"), their level changed if it does — so any env works, seeded with
// the demo or not.
func portalSignIn(t testing.TB, env *apptest.Env, idNumber string, level int) *portalUser {
	t.Helper()
	name := sandboxResident(t, env, idNumber, level)
	u := newPortalBrowser(t, env)
	u.IDNumber, u.Name, u.Level = idNumber, name, level
	jar := u.Client.Jar

	st, loc, page := u.signInVia("/dang-nhap/vneid", idNumber, "approve")
	if st != http.StatusSeeOther || loc != "/cong-dan" {
		t.Fatalf("portalSignIn: callback: %d %q %s", st, loc, page)
	}
	base, _ := url.Parse(env.URL)
	for _, ck := range jar.Cookies(base) {
		if ck.Name == "motcua_citizen" {
			sess, err := env.App.Citizens.Session(context.Background(), ck.Value)
			if err != nil {
				t.Fatalf("portalSignIn: session: %v", err)
			}
			u.Session, u.CSRF = sess, sess.CSRF
		}
	}
	if u.Session == nil || u.Session.Level != level {
		t.Fatalf("portalSignIn: no session at level %d", level)
	}
	return u
}

// signInVia walks a sign-in from start (/dang-nhap/vneid?next=…) through
// the sandbox provider's page, where the person types idNumber and
// approves or cancels (action), and returns the callback's answer.
func (u *portalUser) signInVia(start, idNumber, action string) (int, string, string) {
	u.t.Helper()
	st, loc, _ := u.do("GET", start, nil)
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/sandbox/eid/authorize?") {
		u.t.Fatalf("sign-in: start: %d %q", st, loc)
	}
	st, _, page := u.do("GET", loc, nil)
	interaction := cutBetween(page, `name="interaction" value="`, `"`)
	if st != http.StatusOK || interaction == "" {
		u.t.Fatalf("sign-in: the provider's page: %d", st)
	}
	st, loc, page = u.do("POST", "/sandbox/eid/authorize", url.Values{"interaction": {interaction}, "id_number": {idNumber}, "action": {action}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/dang-nhap/callback?") {
		u.t.Fatalf("sign-in: approve: %d %q %s", st, loc, page)
	}
	return u.do("GET", loc, nil)
}

// newPortalBrowser is a client with no session yet.
func newPortalBrowser(t testing.TB, env *apptest.Env) *portalUser {
	jar, _ := cookiejar.New(nil)
	return &portalUser{t: t, env: env, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Get fetches a page; it returns the status and the body.
func (u *portalUser) Get(path string) (int, string) {
	u.t.Helper()
	st, _, body := u.do("GET", path, nil)
	return st, body
}

// PostForm posts a form with the session's CSRF token added; it returns
// the status, the Location (of a redirect) and the body.
func (u *portalUser) PostForm(path string, form url.Values) (int, string, string) {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("csrf") == "" {
		form.Set("csrf", u.CSRF)
	}
	return u.do("POST", path, form)
}

func (u *portalUser) do(method, path string, form url.Values) (int, string, string) {
	u.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = u.env.URL + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		u.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := u.Client.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	loc := resp.Header.Get("Location")
	if strings.HasPrefix(loc, u.env.URL) && strings.HasPrefix(loc[len(u.env.URL):], "/dang-nhap/callback") {
		loc = loc[len(u.env.URL):]
	}
	return resp.StatusCode, loc, string(b)
}

// sandboxResident makes idNumber a sandbox resident with an e-ID account
// at level (0: none) and returns their name.
func sandboxResident(t testing.TB, env *apptest.Env, idNumber string, level int) string {
	t.Helper()
	ctx := context.Background()
	var name, doc string
	err := env.App.DB.Read().QueryRowContext(ctx, "SELECT full_name, doc FROM sandbox_residents WHERE id_number = $1", idNumber).Scan(&name, &doc)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	exists := err == nil
	extra := map[string]any{}
	json.Unmarshal([]byte(doc), &extra)
	extra["eid_level"] = level
	js, _ := json.Marshal(extra)
	if !exists {
		name = "Nguyễn Văn Thử"
	}
	err = env.App.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if exists {
			_, err := tx.ExecContext(ctx, "UPDATE sandbox_residents SET doc = $1 WHERE id_number = $2", string(js), idNumber)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sandbox_residents (id_number, full_name, birth_date, sex, agency_code, village_code, household_id, relation, phone, doc)
			VALUES ($1, $2, '1985-06-15', 'male', 'H56.16072', 'T01', $3, 'head', $4, $5)`, idNumber, name, "TEST"+idNumber, "09"+idNumber[4:], string(js))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func cutBetween(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}
