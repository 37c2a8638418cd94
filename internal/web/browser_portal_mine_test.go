package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// mineBrowserSession puts a citizen's portal session into the browser, as
// signing in with the e-ID does.
func mineBrowserSession(t *testing.T, p *browsertest.Page, env *apptest.Env, sess *citizen.Session) {
	t.Helper()
	httpOnly := true
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "motcua_citizen", Value: sess.Token, URL: env.URL + "/", HTTPOnly: &httpOnly})
		return err
	}))
}

// A citizen on a phone: the list says a paper is missing; they open the
// dossier, attach the paper and send it; the staff finish the dossier; the
// citizen downloads the electronic result and checks it at /verify. Then
// they open the withdrawal of another dossier. Every page has no axe
// violations in both languages, on a phone and a desktop, in normal and
// large text.
func TestPortalMineBrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	f := newDeskFlow(t, env)
	birth := f.create(birthJSON).Code
	other := f.create(maritalJSON("Nguyễn Thị Hoa", hoaID)).Code
	f.act("motcua.lan", birth, "transfer", "")
	mineAct(t, f, "tuphap.huong", birth, `{"action":"request_supplement","reasons":["Bản chụp giấy chứng sinh rõ nét, đủ bốn góc"]}`)
	sess, err := env.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "test", Subject: "hoa", IDNumber: hoaID, FullName: "Nguyễn Thị Hoa", Level: citizen.Level2}, "", "")
	if err != nil {
		t.Fatal(err)
	}

	p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
	mineBrowserSession(t, p, env, sess)
	list := env.URL + "/cong-dan/ho-so"
	dossierURL := list + "/" + birth
	withdraw := list + "/" + other + "/rut"
	for _, mode := range []string{"off", "large"} {
		p.Navigate(env.URL + "/settings/display?text=" + mode + "&back=/cong-dan/ho-so")
		for _, u := range []string{list, dossierURL, withdraw} {
			axeEverywhere(t, p, u)
		}
	}
	p.SetViewport(browsertest.Mobile)

	// The list: what is expected, as a link to follow.
	p.Navigate(list)
	if got := p.Text("main"); !strings.Contains(got, "Đang chờ bạn bổ sung giấy tờ") || !strings.Contains(got, "Bạn cần bổ sung giấy tờ") {
		t.Fatalf("list: %s", got)
	}
	if st := p.ClickAndWait(`a.button[href$="#bo-sung"]`); st != 200 {
		t.Fatalf("open the dossier: %d", st)
	}
	if got := p.Text("#bo-sung"); !strings.Contains(got, "Bản chụp giấy chứng sinh rõ nét, đủ bốn góc") {
		t.Fatalf("supplement request: %s", got)
	}

	// Attach the paper and send it.
	scan := filepath.Join(t.TempDir(), "giay-chung-sinh.pdf")
	if err := os.WriteFile(scan, minePDF, 0o600); err != nil {
		t.Fatal(err)
	}
	p.Do(chromedp.SetUploadFiles(chromedp.CSS(`input[name="file:giay-chung-sinh"]`), []string{scan}))
	p.Type("#note", "Tôi gửi bản chụp rõ hơn.")
	if st := p.ClickAndWait(`#bo-sung button[type="submit"]`); st != 200 {
		t.Fatalf("send: %d", st)
	}
	if got := p.Text("main"); !strings.Contains(got, "Đã gửi giấy tờ bổ sung") || !strings.Contains(got, "bạn gửi trực tuyến") {
		t.Fatalf("after sending: %s", got)
	}
	if d := f.get(birth); d.State != "processing" {
		t.Fatalf("the dossier after the answer: %s", d.State)
	}

	// The staff finish it, with an electronic result.
	mineAct(t, f, "tuphap.huong", birth, `{"action":"submit"}`)
	mineAct(t, f, "chutich.binh", birth, `{"action":"sign","result_code":"125/2026/KS","result_file":"ks-125.pdf"}`)
	axeEverywhere(t, p, dossierURL)
	p.Navigate(dossierURL + "?lang=vi")
	if got := p.Text("#nhan-ket-qua"); !strings.Contains(got, "125/2026/KS") {
		t.Fatalf("result section: %s", got)
	}
	href, _ := p.Attr("#download-result", "href")
	if href != "/cong-dan/ho-so/"+birth+"/ket-qua.pdf" {
		t.Fatalf("download link %q", href)
	}

	// Download it with the citizen's session and hand the file to /verify,
	// as a person saving it and uploading it there does.
	p.Navigate(env.URL + "/verify")
	n := browsertest.Eval[int](p, `(async () => {
		const r = await fetch(`+jsQuote(href)+`, {credentials: "same-origin"});
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") { return -r.status; }
		const blob = await r.blob();
		const dt = new DataTransfer();
		dt.items.add(new File([blob], "ket-qua.pdf", {type: "application/pdf"}));
		document.querySelector("#file").files = dt.files;
		return blob.size;
	})()`)
	if n <= 0 {
		t.Fatalf("download: %d", n)
	}
	if st := p.ClickAndWait(`form[action="/verify"] button[type="submit"]`); st != 200 {
		t.Fatalf("verify: %d", st)
	}
	if got := p.Text("main"); !strings.Contains(got, "Bản điện tử kết quả hợp lệ") || !strings.Contains(got, birth) {
		t.Fatalf("verification: %s", got)
	}
	if mineAudited(t, env, birth, "dossier.result_download") != 1 {
		t.Error("the download is not audited")
	}

	// Withdrawal of the other dossier, confirmed with a reason.
	p.Navigate(withdraw)
	p.Type("#reason", "Tôi đã nộp nhầm thủ tục")
	if st := p.ClickAndWait(`main form button[type="submit"]`); st != 200 {
		t.Fatalf("withdraw: %d", st)
	}
	if got := p.Text("main"); !strings.Contains(got, "Đã rút hồ sơ theo yêu cầu của bạn.") {
		t.Fatalf("after withdrawal: %s", got)
	}
}
