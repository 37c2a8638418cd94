package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/store"
)

// assistResident is a synthetic resident the sandbox population registry answers for.
const assistResident = "038150007777"

func assistEnv(t *testing.T, eng store.Engine) *apptest.Env {
	t.Helper()
	env := apptest.Start(t, eng, apptest.Options{Commune: true})
	if _, err := env.App.DB.Read().QueryContext(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	err := env.App.DB.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sandbox_residents (id_number, full_name, birth_date, sex, agency_code, village_code, household_id, relation, phone, doc)
			VALUES ($1, 'Lê Thị Nhàn', '1950-04-12', 'female', 'H56.16072', 'T01', 'HL99999', 'head', '0912000777', '{"eid_level":0}')`, assistResident)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

var reAssistCode = regexp.MustCompile(`Mã (\d{6}):`)

func assistSMSCode(t testing.TB, env *apptest.Env, phone string) string {
	t.Helper()
	var body string
	if err := env.App.DB.Read().QueryRowContext(context.Background(), "SELECT body FROM notify_messages WHERE recipient = $1 AND kind = 'assist_consent_code' ORDER BY seq DESC LIMIT 1", phone).Scan(&body); err != nil {
		t.Fatalf("no code sent to %s: %v", phone, err)
	}
	m := reAssistCode.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in %q", body)
	}
	return m[1]
}

var reConsentPath = regexp.MustCompile(`^/staff/assist/([a-z0-9]+)$`)
var reCitizenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestAssistHTTP(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			env := assistEnv(t, eng)
			ctx := context.Background()
			officer := signIn(t, env, "motcua.lan")

			// CSRF on the staff side.
			if st, _, _ := officer.post(t, "/staff/assist", url.Values{"csrf": {"wrong"}, "id_number": {assistResident}}); st != http.StatusForbidden {
				t.Fatalf("no CSRF: %d", st)
			}
			// A malformed number: a Vietnamese message, no 500.
			if st, body, _ := officer.post(t, "/staff/assist", url.Values{"id_number": {"12ab"}}); st != http.StatusBadRequest || !strings.Contains(body, "12 chữ số") {
				t.Fatalf("bad id: %d", st)
			}
			// The sandbox population database is busy one time in 50, as the
			// real one can be: a lookup is tried again, as an officer would.
			lookup := func(c *staffClient, path string) (int, string, *url.URL) {
				for i := 0; ; i++ {
					st, body, u := c.post(t, path, url.Values{"id_number": {assistResident}})
					if st != http.StatusServiceUnavailable || i == 4 {
						return st, body, u
					}
				}
			}
			st, body, u := lookup(officer, "/staff/assist")
			m := reConsentPath.FindStringSubmatch(u.Path)
			if st != 200 || m == nil || !strings.Contains(body, "Lê Thị Nhàn") {
				t.Fatalf("lookup: %d %s", st, u)
			}
			id := m[1]
			if st, body, _ = officer.post(t, "/staff/assist/"+id+"/code", url.Values{"scope": {"all"}}); st != 200 || !strings.Contains(body, "0912000777") {
				t.Fatalf("send code: %d", st)
			}
			code := assistSMSCode(t, env, "0912000777")
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			if st, body, _ = officer.post(t, "/staff/assist/"+id+"/confirm", url.Values{"code": {wrong}}); st != http.StatusBadRequest || !strings.Contains(body, "Mã không đúng") {
				t.Fatalf("wrong code: %d", st)
			}
			st, body, u = officer.post(t, "/staff/assist/"+id+"/confirm", url.Values{"code": {code}})
			if st != 200 || u.Path != "/cong-dan/ho-tro" || !strings.Contains(body, "Bạn đang được hỗ trợ bởi Lê Thị Lan") || !strings.Contains(body, "Kết thúc hỗ trợ") {
				t.Fatalf("confirm: %d %s", st, u)
			}
			// The officer's browser holds an assisted citizen session.
			var token string
			base, _ := url.Parse(env.URL)
			for _, c := range officer.Jar.Cookies(base) {
				if c.Name == "motcua_citizen" {
					token = c.Value
				}
			}
			sess, err := env.App.Citizens.Session(ctx, token)
			if err != nil || !sess.Assisted() || sess.AssistID != id || sess.Citizen.IDNumber != assistResident || sess.Level != citizen.Level1 {
				t.Fatalf("assisted session: %+v %v", sess, err)
			}
			citizenCSRF := reCitizenCSRF.FindStringSubmatch(body)[1]

			// A specialist cannot start assistance, nor administer teams.
			spec := signIn(t, env, "tuphap.huong")
			if st, _ := spec.get(t, "/staff/assist"); st != http.StatusForbidden {
				t.Fatalf("specialist GET: %d", st)
			}
			if st, _, _ := spec.post(t, "/staff/assist", url.Values{"id_number": {assistResident}}); st != http.StatusForbidden {
				t.Fatalf("specialist POST: %d", st)
			}
			if st, _ := officer.get(t, "/staff/admin/teams"); st != http.StatusForbidden {
				t.Fatalf("officer at teams admin: %d", st)
			}

			// A citizen signed in alone cannot start one for another, nor revoke another's consent.
			other, err := env.App.Citizens.SignIn(ctx, citizen.Identity{Issuer: "https://eid.example", Subject: "s2", IDNumber: "038190005555", FullName: "Trần Văn Tư", Level: 2}, "", "")
			if err != nil {
				t.Fatal(err)
			}
			cc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, _ := http.NewRequest("POST", env.URL+"/staff/assist", strings.NewReader(url.Values{"id_number": {assistResident}, "csrf": {other.CSRF}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "motcua_citizen", Value: other.Token})
			resp, err := cc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login") {
				t.Fatalf("citizen starts assistance: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			req, _ = http.NewRequest("POST", env.URL+"/cong-dan/ho-tro/"+id+"/thu-hoi", strings.NewReader(url.Values{"csrf": {other.CSRF}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "motcua_citizen", Value: other.Token})
			if resp, err = cc.Do(req); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("revoke another's consent: %d", resp.StatusCode)
			}
			// Revocation needs the session's CSRF token.
			if st, _, _ := officer.post(t, "/cong-dan/ho-tro/"+id+"/thu-hoi", url.Values{"csrf": {"wrong"}}); st != http.StatusForbidden {
				t.Fatalf("revoke without CSRF: %d", st)
			}
			if _, err := env.App.Citizens.Session(ctx, token); err != nil {
				t.Fatal("session ended by a refused revocation")
			}
			// The citizen revokes (here, on the helper's device): the session ends.
			st, body, _ = officer.post(t, "/cong-dan/ho-tro/"+id+"/thu-hoi", url.Values{"csrf": {citizenCSRF}})
			if st != 200 || !strings.Contains(body, "Đã thu hồi sự đồng ý") {
				t.Fatalf("revoke: %d", st)
			}
			if _, err := env.App.Citizens.Session(ctx, token); err == nil {
				t.Fatal("session lives after revocation")
			}
			if c, _ := env.App.Assist.Get(ctx, id); c.State != "revoked" {
				t.Fatalf("state = %s", c.State)
			}
			// The lookup was audited.
			var n int
			env.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'resident.lookup'").Scan(&n)
			if n < 1 {
				t.Fatal("lookup not audited")
			}

			// Administration: 0 teams, add one, add a member, issue a code, the member signs in.
			admin := signIn(t, env, "quantri")
			if st, _, u = admin.post(t, "/staff/admin/teams", url.Values{"village": {"T01"}, "name": {"Tổ công nghệ số thôn Đông Hòa"}}); st != 200 || !strings.HasPrefix(u.Path, "/staff/admin/teams/") {
				t.Fatalf("add team: %d %s", st, u)
			}
			teamPath := u.Path
			if st, body, _ = admin.post(t, teamPath+"/members", url.Values{"full_name": {"Đỗ Minh Quân"}, "phone": {"0977000111"}, "role": {"leader"}}); st != 200 || !strings.Contains(body, "Đỗ Minh Quân") {
				t.Fatalf("add member: %d", st)
			}
			if st, _, _ = admin.post(t, teamPath+"/members", url.Values{"full_name": {"X"}, "phone": {"123"}, "role": {"member"}}); st != http.StatusBadRequest {
				t.Fatalf("bad phone: %d", st)
			}
			team, members, _ := env.App.Assist.Team(ctx, strings.TrimPrefix(teamPath, "/staff/admin/teams/"))
			if team == nil || len(members) != 1 {
				t.Fatalf("team %+v members %d", team, len(members))
			}
			st, body, _ = admin.post(t, teamPath+"/members/"+members[0].ID+"/code", url.Values{})
			mc := regexp.MustCompile(`<code>([A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{5})</code>`).FindStringSubmatch(body)
			if st != 200 || mc == nil {
				t.Fatalf("issue code: %d", st)
			}
			vol := &staffClient{Client: &http.Client{Jar: func() http.CookieJar { j, _ := cookiejar.New(nil); return j }()}, env: env}
			if st, _, _ = vol.post(t, "/ho-tro-cong-dong/dang-nhap", url.Values{"phone": {"0977000111"}, "code": {"WRONG-WRONG-WRONG"}}); st != http.StatusUnauthorized {
				t.Fatalf("volunteer wrong code: %d", st)
			}
			st, body, _ = vol.post(t, "/ho-tro-cong-dong/dang-nhap", url.Values{"phone": {"0977000111"}, "code": {strings.ToLower(mc[1])}})
			if st != 200 || !strings.Contains(body, "Đỗ Minh Quân") {
				t.Fatalf("volunteer sign-in: %d", st)
			}
			vol.csrf = reCitizenCSRF.FindStringSubmatch(body)[1]
			st, body, u = lookup(vol, "/ho-tro-cong-dong/")
			if st != 200 || !strings.HasPrefix(u.Path, "/ho-tro-cong-dong/") || strings.Contains(body, "Giấy đồng ý có chữ ký") {
				t.Fatalf("volunteer lookup: %d %s", st, u)
			}
			vid := strings.TrimPrefix(u.Path, "/ho-tro-cong-dong/")
			if st, _, _ = vol.post(t, "/ho-tro-cong-dong/"+vid+"/code", url.Values{"scope": {"all"}}); st != 200 {
				t.Fatalf("volunteer code: %d", st)
			}
			st, body, u = vol.post(t, "/ho-tro-cong-dong/"+vid+"/confirm", url.Values{"code": {assistSMSCode(t, env, "0912000777")}})
			if st != 200 || u.Path != "/cong-dan/ho-tro" || !strings.Contains(body, "tổ công nghệ số cộng đồng") {
				t.Fatalf("volunteer confirm: %d %s", st, u)
			}
			// A volunteer's session is level 1; ending assistance returns to the volunteer's page.
			csrf := reCitizenCSRF.FindStringSubmatch(body)[1]
			if st, _, u = vol.post(t, "/cong-dan/ho-tro/ket-thuc", url.Values{"csrf": {csrf}}); st != 200 || u.Path != "/ho-tro-cong-dong/" {
				t.Fatalf("end assistance: %d %s", st, u)
			}
		})
	}
}
