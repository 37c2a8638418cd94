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
	"github.com/motcua/motcua/internal/assist"
)

// An assisted submission: the counter officer checks the citizen's chip
// card, the citizen consents with the code sent to her phone, and the
// officer files the household business re-issue with her on the portal.
// The dossier names who helped — on the citizen's log and on the staff's
// dossier page; a consent for another procedure does not stretch to it.
func TestPortalAssistedSubmission(t *testing.T) {
	svcEach(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		earlier := svcEarlierResult(t, env)
		officer := svcOfficer(t, env)
		h := assist.StaffHelper(officer)
		consent := func(terms assist.Terms) *svcClient {
			t.Helper()
			c, err := env.App.Assist.Begin(ctx, h, svcResident)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.App.Assist.SendCode(ctx, h, c.ID, terms); err != nil {
				t.Fatal(err)
			}
			var body string
			if err := env.App.DB.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE kind = 'assist_consent_code' ORDER BY seq DESC LIMIT 1").Scan(&body); err != nil {
				t.Fatal(err)
			}
			m := reAssistCode.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no code in %q", body)
			}
			if _, err := env.App.Assist.Confirm(ctx, h, c.ID, m[1]); err != nil {
				t.Fatal(err)
			}
			sess, _, err := env.App.Assist.OpenSession(ctx, h, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			jar, _ := cookiejar.New(nil)
			u, _ := url.Parse(env.URL)
			jar.SetCookies(u, []*http.Cookie{{Name: "motcua_citizen", Value: sess.Token, Path: "/"}})
			return &svcClient{t: t, env: env, csrf: sess.CSRF, sess: sess, c: &http.Client{Jar: jar,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		}

		// Consent for another procedure only: the filing is refused.
		narrow := consent(assist.Terms{Scope: assist.ScopeProcedure, Procedure: "1.001193", IDVerified: true})
		base := hkdJourney(t, narrow, earlier)
		if st, body, _ := narrow.post(base+"nop", nil); st == http.StatusSeeOther || !strings.Contains(body, "notice") {
			t.Fatalf("filing outside the consent: %d", st)
		}

		// Consent for all online services, the chip card checked: level 2.
		c := consent(assist.Terms{Scope: assist.ScopeAll, IDVerified: true})
		if c.sess.Level != 2 || !c.sess.Assisted() {
			t.Fatalf("assisted session %+v", c.sess)
		}
		if st, body, _ := c.get("/dich-vu/" + svcHKD); st != 200 || !strings.Contains(body, "assist-banner") || !strings.Contains(body, officer.Name) {
			t.Fatalf("the portal does not say who is helping: %d", st)
		}
		// The draft saved under the narrow consent is the citizen's: it is
		// there to send under the wider one.
		if st, _, loc := c.post("/dich-vu/"+svcHKD+"/bat-dau", nil); st != http.StatusSeeOther || loc != base+"kiem-tra" {
			t.Fatalf("continuing the draft: %d %s, want %skiem-tra", st, loc, base)
		}
		st, _, loc := c.post(base+"nop", nil)
		if st != http.StatusSeeOther || !strings.HasSuffix(loc, "/xong") {
			t.Fatalf("assisted submit: %d %s", st, loc)
		}
		_, body, _ := c.get(loc)
		code := regexp.MustCompile(`class="svc-code">([^<]+)<`).FindStringSubmatch(body)
		if code == nil {
			t.Fatal("no dossier code")
		}
		a, err := env.App.Assist.ForDossier(ctx, code[1])
		if err != nil || a == nil || a.HelperName != officer.Name || a.HelperKind != assist.HelperStaff {
			t.Fatalf("who assisted %s: %+v %v", code[1], a, err)
		}
		lan := signIn(t, env, "motcua.lan")
		if st, page := lan.get(t, "/staff/dossiers/"+code[1]); st != 200 || !strings.Contains(page, "nộp với sự hỗ trợ của "+officer.Name) {
			t.Errorf("staff dossier page does not say who assisted: %d", st)
		}
		log, err := env.App.Assist.Log(ctx, svcResident)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range log {
			if strings.Contains(e.Detail+e.Action, code[1]) {
				found = true
			}
		}
		if !found {
			t.Errorf("the citizen's assistance log does not list %s: %+v", code[1], log)
		}
	})
}

// Eligibility first: a procedure with conditions starts only once the
// citizen says she meets them; the page lists them and says whom to ask.
func TestPortalServiceEligibility(t *testing.T) {
	svcEach(t, func(t *testing.T, env *apptest.Env) {
		const code = "1.011607" // partial online, with conditions
		c := newSvcClient(t, env, 1)
		st, body, _ := c.get("/dich-vu/" + code)
		if st != 200 || !strings.Contains(body, `id="dieu-kien"`) || !strings.Contains(body, `name="eligible"`) {
			t.Fatalf("start page without its conditions: %d", st)
		}
		st, _, loc := c.post("/dich-vu/"+code+"/bat-dau", nil)
		if st != http.StatusSeeOther || loc != "/dich-vu/"+code+"?dieu-kien=0#dieu-kien" {
			t.Fatalf("start without confirming: %d %s", st, loc)
		}
		if _, body, _ := c.get("/dich-vu/" + code + "?dieu-kien=0"); !strings.Contains(body, "Vui lòng đánh dấu") || !strings.Contains(body, `aria-invalid="true"`) {
			t.Error("the start page does not say what is missing")
		}
		var n int
		env.App.DB.Read().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM portal_drafts").Scan(&n)
		if n != 0 {
			t.Fatalf("%d drafts started without the conditions confirmed", n)
		}
		if loc := c.begin(code); !strings.Contains(loc, "/pd") {
			t.Errorf("confirmed start: %s", loc)
		}
	})
}
