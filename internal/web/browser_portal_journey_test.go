package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// The whole journey of issue 5 in one browser, as a citizen lives it: she
// finds the household business re-issue, signs in with her VNeID (the
// sandbox provider's page), files it fully online with her data reused,
// the centre asks for one more paper, she sends it from "my dossiers",
// the centre signs an electronic result, she downloads it, checks it at
// /verify, and rates the service. (Each page's axe checks live in the
// tests of its part; this one follows the thread through all of them.)
func TestPortalFullJourneyBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	svcAddResident(t, env)
	sandboxResident(t, env, svcResident, 2)
	earlier := svcEarlierResult(t, env)
	f := newDeskFlow(t, env)
	nam, err := env.App.Tokens.Create(context.Background(), identity.TokenSpec{User: "kinhte.nam"}) // the economic office's specialist
	if err != nil {
		t.Fatal(err)
	}
	f.tok["kinhte.nam"] = nam
	p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))

	// From the guide, through the e-ID, back to the service.
	p.Navigate(env.URL + "/procedures?online=1&q=" + "ho kinh doanh")
	if st := p.ClickAndWait(`a.button[href="/dich-vu/` + svcHKD + `"]`); st != 200 {
		t.Fatalf("apply online from the list: %d", st)
	}
	if st := p.ClickAndWait(`a.button[href^="/dang-nhap?next="]`); st != 200 {
		t.Fatalf("to sign in: %d", st)
	}
	if st := p.ClickAndWait(".pauth-vneid"); st != 200 || !strings.Contains(p.URL(), "/sandbox/eid/authorize?") {
		t.Fatalf("to the e-ID provider: %d %s", st, p.URL())
	}
	p.Type("#id_number", svcResident)
	if st := p.PressAndWait(browsertest.Enter); st != 200 || !strings.HasSuffix(p.URL(), "/dich-vu/"+svcHKD) {
		t.Fatalf("signed in, back at the service: %d %s", st, p.URL())
	}
	if !strings.Contains(p.Text("header"), "Đăng xuất") {
		t.Errorf("the header does not show the signed-in citizen: %s", p.Text("header"))
	}

	// The page can be read aloud (the browser's Vietnamese voice).
	p.Exec(`window.__spoken = []; window.speechSynthesis.speak = function (u) { window.__spoken.push(u.text + "|" + u.lang); };`)
	p.Click(`[data-read-aloud="#main"]`)
	if got := browsertest.Eval[string](p, `window.__spoken.join(" ")`); !strings.Contains(got, "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh") || !strings.Contains(got, "|vi-VN") {
		t.Errorf("read aloud: %q", got)
	}

	// File it, reusing what the state already holds.
	if st := p.ClickAndWait(`form[action$="/bat-dau"] button`); st != 200 {
		t.Fatalf("start: %d", st)
	}
	svcBrowserFill(t, p, earlier, false)
	if st := p.ClickAndWait(`form[action$="/nop"] button`); st != 200 {
		t.Fatalf("send: %d", st)
	}
	code := p.Text(".svc-code")
	if code == "" {
		t.Fatalf("no dossier code: %s", p.Text("main"))
	}

	// The centre receives it and asks for one more paper.
	ctx := context.Background()
	if _, err := env.App.Dossiers.Act(ctx, svcOfficer(t, env), code, dossier.ActionRequest{Action: dossier.ActionReceive}, ""); err != nil {
		t.Fatal(err)
	}
	mineAct(t, f, "motcua.lan", code, `{"action":"transfer"}`)
	mineAct(t, f, "kinhte.nam", code, `{"action":"request_supplement","reasons":["Giấy xác nhận mất Giấy chứng nhận đăng ký hộ kinh doanh"]}`)

	// She sees it in "my dossiers" and answers online.
	p.Navigate(env.URL + "/cong-dan/ho-so")
	if got := p.Text("main"); !strings.Contains(got, code) || !strings.Contains(got, "Bạn cần bổ sung giấy tờ") {
		t.Fatalf("my dossiers: %s", got)
	}
	if st := p.ClickAndWait(`a.button[href$="#bo-sung"]`); st != 200 {
		t.Fatalf("open the dossier: %d", st)
	}
	scan := filepath.Join(t.TempDir(), "xac-nhan-mat.pdf")
	if err := os.WriteFile(scan, minePDF, 0o600); err != nil {
		t.Fatal(err)
	}
	input := browsertest.Eval[string](p, `document.querySelector('#bo-sung input[type="file"]').name`)
	p.Do(chromedp.SetUploadFiles(chromedp.CSS(`input[name="`+input+`"]`), []string{scan}))
	if st := p.ClickAndWait(`#bo-sung button[type="submit"]`); st != 200 || !strings.Contains(p.Text("main"), "Đã gửi giấy tờ bổ sung") {
		t.Fatalf("supplement sent: %d %s", st, p.Text("main"))
	}

	// The centre finishes it with an electronic result.
	mineAct(t, f, "kinhte.nam", code, `{"action":"submit"}`)
	mineAct(t, f, "chutich.binh", code, `{"action":"approve"}`)
	// The chairman signs in the console; an online dossier's result goes
	// out electronically unless he unticks it.
	binh := signIn(t, env, "chutich.binh")
	if st, page := binh.get(t, "/staff/dossiers/"+code+"/act/sign"); st != 200 || !strings.Contains(page, `id="electronic_result" name="electronic_result" value="1" checked`) {
		t.Fatalf("sign confirmation: %d", st)
	}
	_, page := binh.get(t, "/staff/dossiers/"+code+"/act/sign")
	form := url.Values{"result_code": {"27A8012345-CL"}, "electronic_result": {"1"}}
	if m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(page); m != nil {
		form.Set("key", m[1])
	}
	if m := reRevOne.FindStringSubmatch(page); m != nil {
		form.Set("rev", m[1])
	}
	if st, body, u := binh.post(t, "/staff/dossiers/"+code+"/act/sign", form); st != 200 || !strings.HasPrefix(u.Path, "/staff/dossiers/") {
		t.Fatalf("sign: %d %s", st, body)
	}

	// She downloads the result and checks it at /verify.
	p.Navigate(env.URL + "/cong-dan/ho-so/" + code)
	href, ok := p.Attr("#download-result", "href")
	if !ok {
		t.Fatalf("no electronic result to download: %s", p.Text("main"))
	}
	p.Navigate(env.URL + "/verify")
	n := browsertest.Eval[int](p, `(async () => {
		const r = await fetch(`+jsQuote(href)+`, {credentials: "same-origin"});
		if (!r.ok) { return -r.status; }
		const dt = new DataTransfer();
		dt.items.add(new File([await r.blob()], "ket-qua.pdf", {type: "application/pdf"}));
		document.querySelector("#file").files = dt.files;
		return dt.files[0].size;
	})()`)
	if n <= 0 {
		t.Fatalf("download: %d", n)
	}
	if st := p.ClickAndWait(`form[action="/verify"] button[type="submit"]`); st != 200 || !strings.Contains(p.Text("main"), code) {
		t.Fatalf("verification: %d %s", st, p.Text("main"))
	}

	// And rates it, from the dossier's page.
	p.Navigate(env.URL + "/cong-dan/ho-so/" + code)
	if st := p.ClickAndWait(`a[href$="/danh-gia"]`); st != 200 {
		t.Fatalf("rating page: %d", st)
	}
	for _, id := range []string{"fb-reception-5", "fb-timeliness-4", "fb-result-5", "fb-attitude-5"} {
		p.Click(`label[for="` + id + `"]`)
	}
	if st := p.ClickAndWait(`main form button[type=submit]`); st != 200 || !strings.Contains(p.Text("main"), "Cảm ơn bạn") {
		t.Fatalf("rated: %d %s", st, p.Text("main"))
	}
	p.AssertNoAxeViolations()

	// A service with conditions: starting without confirming them says so.
	p.Navigate(env.URL + "/dich-vu/1.011607")
	if st := p.ClickAndWait(`form[action$="/bat-dau"] button`); st != 200 || !strings.Contains(p.Text("#eligible-err"), "Vui lòng đánh dấu") {
		t.Fatalf("start without the conditions confirmed: %d %s", st, p.URL())
	}
	p.AssertNoAxeViolations()
	p.Exec(`document.body.classList.add("large-text")`)
	p.AssertNoAxeViolations()
}
