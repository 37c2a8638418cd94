package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// The household business re-issue (full online, level 2) and a partial
// online certification (level 1).
const (
	svcHKD      = "LOCAL.hkd-cap-lai"
	svcPartial  = "1.011607" // Công nhận hộ nghèo, hộ cận nghèo: partial online
	svcResident = "038190012345"
)

// svcEach runs a test on both engines with the demo commune (no residents)
// and one resident added to the sandbox population registry.
func svcEach(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			env := apptest.Start(t, eng, apptest.Options{Commune: true, Now: fixedNow})
			svcAddResident(t, env)
			fn(t, env)
		})
	}
}

// svcAddResident writes the test's resident into the sandbox population
// registry, in a village of the demo commune.
func svcAddResident(t testing.TB, env *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	var agency, village string
	if err := env.App.DB.Read().QueryRowContext(ctx, "SELECT agency_code, code FROM villages ORDER BY code LIMIT 1").Scan(&agency, &village); err != nil {
		t.Fatalf("no village: %v", err)
	}
	err := env.App.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sandbox_residents (id_number, full_name, birth_date, sex, agency_code, village_code, household_id, relation, phone, doc)
			VALUES ($1, 'Nguyễn Thị Hoa', '1990-05-12', 'female', $2, $3, 'HH-T1', 'head', '0912345678', '{"marital_status":"married","eid_level":2}')`, svcResident, agency, village)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// svcEarlierResult imports the citizen's earlier household business
// registration, finished online with an electronic result.
func svcEarlierResult(t testing.TB, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	home, err := env.App.Org.Home(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code := home.Code + "-250310-0001"
	rec := dossier.ImportRecord{MaHoSo: code, MaTTHC: "1.001612", NgayTiepNhan: "20250310083000", NgayHenTra: "20250313170000",
		NgayKetThucXuLy: "20250312100000", TrangThaiHoSo: "10", KenhThucHien: "2", ChuHoSo: "Nguyễn Thị Hoa", SoGiayToChuHoSo: svcResident,
		MaKetQua: "27A8012345", DuongDanTepTinKetQua: "https://dichvucong.gov.vn/kq/27A8012345.pdf"}
	if _, err := env.App.Dossiers.Import(ctx, audit.System, []dossier.ImportRecord{rec}, false); err != nil {
		t.Fatal(err)
	}
	return code
}

// svcClient is a citizen's browser: a session cookie, no automatic
// redirects (the test checks where each answer leads).
type svcClient struct {
	t    testing.TB
	env  *apptest.Env
	c    *http.Client
	csrf string
	sess *citizen.Session
}

func newSvcClient(t testing.TB, env *apptest.Env, level int) *svcClient {
	t.Helper()
	sess, err := env.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "https://eid.sandbox", Subject: "sub-" + svcResident,
		IDNumber: svcResident, FullName: "Nguyễn Thị Hoa", Phone: "0912345678", Level: level}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(env.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "motcua_citizen", Value: sess.Token, Path: "/"}})
	return &svcClient{t: t, env: env, csrf: sess.CSRF, sess: sess, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *svcClient) do(req *http.Request) (int, string, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	loc := resp.Header.Get("Location")
	if strings.HasPrefix(loc, c.env.URL) {
		loc = strings.TrimPrefix(loc, c.env.URL)
	}
	return resp.StatusCode, string(b), loc
}

func (c *svcClient) get(path string) (int, string, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.env.URL+path, nil)
	return c.do(req)
}

// post sends a form with the session's CSRF token (unless vals sets it).
func (c *svcClient) post(path string, vals url.Values) (int, string, string) {
	c.t.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	if _, ok := vals["csrf"]; !ok {
		vals.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.env.URL+path, strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// upload sends a multipart form with files under "files".
func (c *svcClient) upload(path string, vals url.Values, files map[string][]byte) (int, string, string) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf)
	for k, vs := range vals {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("files", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.env.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// begin starts (or continues) the draft of a procedure; it returns the
// first page's address.
func (c *svcClient) begin(code string) string {
	c.t.Helper()
	st, body, loc := c.post("/dich-vu/"+code+"/bat-dau", url.Values{"eligible": {"1"}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/dich-vu/"+code+"/pd") {
		c.t.Fatalf("begin %s: %d %s %.300s", code, st, loc, body)
	}
	return loc
}

// answer posts one step and checks where it leads.
func (c *svcClient) answer(path string, vals url.Values, wantNext string) string {
	c.t.Helper()
	st, body, loc := c.post(path, vals)
	if st != http.StatusSeeOther || (wantNext != "" && !strings.HasSuffix(strings.SplitN(loc, "?", 2)[0], wantNext)) {
		c.t.Fatalf("answer %s %v: %d → %q (want …%s) %s", path, vals, st, loc, wantNext, svcErr(body))
	}
	return loc
}

var reErr = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)</div>`)

func svcErr(body string) string {
	if m := reErr.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " "))
	}
	if len(body) > 300 {
		return body[:300]
	}
	return body
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// hkdJourney answers every question of the re-issue: for herself, the
// pre-filled answers kept, the earlier certificate and the population data
// reused, no authorisation letter. It returns the draft's base address.
func hkdJourney(t *testing.T, c *svcClient, earlier string) string {
	first := c.begin(svcHKD)
	base := strings.TrimSuffix(first, "nguoi-nop")
	if !strings.HasSuffix(first, "/nguoi-nop") {
		t.Fatalf("first page %s", first)
	}
	c.answer(base+"nguoi-nop", url.Values{"value": {"self"}}, "cau-hoi-registration_number")
	c.answer(base+"cau-hoi-registration_number", url.Values{"value": {"27A8012345"}}, "cau-hoi-business_name")
	c.answer(base+"cau-hoi-business_name", url.Values{"value": {"Tạp hóa Hoa Lộc"}}, "cau-hoi-reason")
	c.answer(base+"cau-hoi-reason", url.Values{"value": {"lost"}}, "cau-hoi-delivery")
	c.answer(base+"cau-hoi-delivery", url.Values{"value": {"online"}}, "cau-hoi-applicant_name")
	// Pre-filled from the population database, and said so.
	st, body, _ := c.get(base + "cau-hoi-applicant_name")
	if st != 200 || !strings.Contains(body, `value="Nguyễn Thị Hoa"`) || !strings.Contains(body, "từ Cơ sở dữ liệu quốc gia về dân cư") {
		t.Fatalf("applicant_name not pre-filled: %d %s", st, svcErr(body))
	}
	c.answer(base+"cau-hoi-applicant_name", url.Values{"value": {"Nguyễn Thị Hoa"}}, "cau-hoi-applicant_id")
	c.answer(base+"cau-hoi-applicant_id", url.Values{"value": {svcResident}}, "cau-hoi-address")
	st, body, _ = c.get(base + "cau-hoi-address")
	if st != 200 || !strings.Contains(body, "Thôn ") {
		t.Fatalf("address not pre-filled: %s", svcErr(body))
	}
	c.answer(base+"cau-hoi-address", url.Values{"value": {"Thôn Đông, xã Hoa Lộc, tỉnh Thanh Hóa"}}, "cau-hoi-phone")
	c.answer(base+"cau-hoi-phone", url.Values{"value": {"0912 345 678"}}, "giay-to-giay-chung-nhan-da-cap")
	st, body, _ = c.get(base + "giay-to-giay-chung-nhan-da-cap")
	if st != 200 || !strings.Contains(body, earlier) || !strings.Contains(body, `value="document_store:`+earlier+`" checked`) {
		t.Fatalf("earlier result not offered: %d %s", st, svcErr(body))
	}
	c.answer(base+"giay-to-giay-chung-nhan-da-cap", url.Values{"source": {"document_store:" + earlier}}, "giay-to-thong-tin-chu-ho")
	c.answer(base+"giay-to-thong-tin-chu-ho", url.Values{"source": {"population_db"}}, "giay-to-van-ban-uy-quyen")
	c.answer(base+"giay-to-van-ban-uy-quyen", url.Values{"source": {"none"}}, "kiem-tra")
	return base
}

func TestPortalServicesJourney(t *testing.T) {
	svcEach(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		earlier := svcEarlierResult(t, env)
		// The procedure page offers to apply online; the start page says what is needed.
		st, pb, _ := get(t, env, "/procedures/"+svcHKD, "")
		if st != 200 || !strings.Contains(string(pb), `href="/dich-vu/`+svcHKD+`"`) {
			t.Fatalf("procedure page has no online button: %d", st)
		}
		if st, b, _ := get(t, env, "/procedures/1.003583", ""); st != 200 || strings.Contains(string(b), `href="/dich-vu/`) {
			t.Errorf("a procedure without the online channel must not offer it: %d", st)
		}
		if st, _, _ := get(t, env, "/dich-vu/1.003583", ""); st != 404 {
			t.Errorf("online start of an offline procedure: %d", st)
		}
		st, b, _ := get(t, env, "/dich-vu/"+svcHKD, "")
		if st != 200 || !strings.Contains(string(b), "VNeID mức độ 2") || !strings.Contains(string(b), "/dang-nhap?next=") {
			t.Fatalf("start page, signed out: %d", st)
		}
		if st, _, _ := get(t, env, "/dich-vu/"+svcHKD+"?lang=en", ""); st != 200 {
			t.Errorf("English start page: %d", st)
		}

		c := newSvcClient(t, env, citizen.Level2)
		st, body, _ := c.get("/dich-vu/" + svcHKD)
		if st != 200 || !strings.Contains(body, "/bat-dau") {
			t.Fatalf("start page, signed in: %d", st)
		}
		base := hkdJourney(t, c, earlier)

		// Check your answers: every answer with a change link; the pre-filled marked.
		st, body, _ = c.get(base + "kiem-tra")
		if st != 200 || !strings.Contains(body, "Tạp hóa Hoa Lộc") || !strings.Contains(body, "Bị mất") ||
			strings.Count(body, "Thay đổi") < 12 || !strings.Contains(body, earlier) || strings.Contains(body, "Còn thiếu") {
			t.Fatalf("check page: %d %s", st, svcErr(body))
		}
		// Change one answer from the check page: back to the check page.
		c.answer(base+"cau-hoi-business_name", url.Values{"value": {"Tạp hóa Hoa Lộc Xanh"}, "back": {"1"}}, "kiem-tra")

		// Submit twice (a double click): one dossier.
		st, _, loc := c.post(base+"nop", nil)
		if st != http.StatusSeeOther || !strings.HasSuffix(loc, "/xong") {
			t.Fatalf("submit: %d %s", st, loc)
		}
		st, _, loc2 := c.post(base+"nop", nil)
		if st != http.StatusSeeOther || loc2 != loc {
			t.Fatalf("second submit: %d %s", st, loc2)
		}
		st, body, _ = c.get(loc)
		if st != 200 || !strings.Contains(body, "Đã nộp hồ sơ") || !strings.Contains(body, "0912***678") {
			t.Fatalf("confirmation: %d %s", st, svcErr(body))
		}
		code := regexp.MustCompile(`class="svc-code">([^<]+)<`).FindStringSubmatch(body)
		if code == nil {
			t.Fatalf("no dossier code on the confirmation")
		}
		var n int
		env.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM dossiers WHERE applicant_id = $1 AND channel = 'online' AND imported = FALSE", svcResident).Scan(&n)
		if n != 1 {
			t.Fatalf("%d dossiers for one draft submitted twice", n)
		}
		sup := &identity.Principal{ID: "test", Name: "Kiểm thử", Roles: []string{identity.RoleSupervisor}}
		d, _, err := env.App.Dossiers.Get(ctx, sup, code[1])
		if err != nil {
			t.Fatal(err)
		}
		src := map[string]string{}
		for _, comp := range d.Components {
			src[comp.ID] = comp.Source
		}
		if d.Channel != "online" || d.State != dossier.StateNew || !d.VNeID || !d.PopulationData || d.Reused != 2 ||
			src["giay-chung-nhan-da-cap"] != "document_store" || src["thong-tin-chu-ho"] != "population_db" || src["giay-de-nghi"] != "upload" ||
			d.Form["business_name"] != "Tạp hóa Hoa Lộc Xanh" || d.Applicant.IDNumber != svcResident || d.Applicant.Phone != "0912345678" {
			t.Errorf("dossier %+v components %v form %v", d, src, d.Form)
		}
		// The SMS: unaccented, the code, no link.
		var body2s string
		env.App.DB.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE idem_key = $1", "dossier_submitted:"+d.Code).Scan(&body2s)
		if !strings.Contains(body2s, d.Code) || strings.Contains(body2s, "http") || !isASCII(body2s) {
			t.Errorf("SMS %q", body2s)
		}
		// Each population lookup and the reading of earlier results are audited.
		for _, action := range []string{"resident.lookup", "portal.results_read", "portal.submit"} {
			var k int
			env.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = $1", action).Scan(&k)
			if k == 0 {
				t.Errorf("no audit entry %s", action)
			}
		}
		// After submission the draft cannot change; the pages lead to the confirmation.
		if st, _, l := c.get(base + "cau-hoi-reason"); st != http.StatusSeeOther || !strings.HasSuffix(l, "/xong") {
			t.Errorf("question after submission: %d %s", st, l)
		}
		if st, _, _ := c.post(base+"cau-hoi-reason", url.Values{"value": {"damaged"}}); st != http.StatusConflict {
			t.Errorf("changing a submitted draft: %d", st)
		}
		// The desk receives it: the receipt is downloadable from the confirmation.
		if _, err := env.App.Dossiers.Act(ctx, svcOfficer(t, env), d.Code, dossier.ActionRequest{Action: dossier.ActionReceive}, ""); err != nil {
			t.Fatal(err)
		}
		_, body, _ = c.get(loc)
		m := regexp.MustCompile(`href="(/tra-cuu/[^"]+/giay-tiep-nhan\.pdf\?key=[^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no receipt link after reception: %s", svcErr(body))
		}
		st, pdf, h := get(t, env, html.UnescapeString(m[1]), "")
		if st != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Errorf("receipt: %d %s", st, h.Get("Content-Type"))
		}
		// Another citizen cannot open this draft.
		other := newSvcClientID(t, env, "038190099999", citizen.Level2)
		if st, _, _ := other.get(base + "kiem-tra"); st != 404 {
			t.Errorf("someone else's draft: %d", st)
		}
	})
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

func newSvcClientID(t testing.TB, env *apptest.Env, id string, level int) *svcClient {
	sess, err := env.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "https://eid.sandbox", Subject: "sub-" + id,
		IDNumber: id, FullName: "Trần Văn Khác", Level: level}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	c := newSvcClient(t, env, level)
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(env.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "motcua_citizen", Value: sess.Token, Path: "/"}})
	c.c.Jar, c.csrf, c.sess = jar, sess.CSRF, sess
	return c
}

// svcOfficer is the demo commune's counter officer.
func svcOfficer(t testing.TB, env *apptest.Env) *identity.Principal {
	t.Helper()
	var id string
	if err := env.App.DB.Read().QueryRowContext(context.Background(), "SELECT id FROM users WHERE username = 'motcua.lan'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	u, err := env.App.Staff.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Principal()
}

func TestPortalServicesSaveAndReturn(t *testing.T) {
	svcEach(t, func(t *testing.T, env *apptest.Env) {
		c := newSvcClient(t, env, citizen.Level2)
		first := c.begin(svcHKD)
		base := strings.TrimSuffix(first, "nguoi-nop")
		c.answer(base+"nguoi-nop", url.Values{"value": {"self"}}, "cau-hoi-registration_number")
		// Save and continue later, on an unanswered question.
		loc := c.answer(base+"cau-hoi-registration_number", url.Values{"value": {"27A8099999"}, "later": {"1"}}, "")
		if loc != "/dich-vu/"+svcHKD+"?saved=1" {
			t.Fatalf("later → %s", loc)
		}
		st, body, _ := c.get(loc)
		if st != 200 || !strings.Contains(body, "Tiếp tục hồ sơ đang làm dở") || !strings.Contains(body, "Đã lưu hồ sơ") {
			t.Fatalf("start page with the draft: %d", st)
		}
		// Coming back (a new session, the next day): the same draft, at the first unanswered question.
		c2 := newSvcClient(t, env, citizen.Level2)
		if again := c2.begin(svcHKD); again != base+"cau-hoi-registration_number" {
			t.Fatalf("resume at %s", again)
		}
		if _, body, _ := c2.get(base + "cau-hoi-registration_number"); !strings.Contains(body, `value="27A8099999"`) {
			t.Errorf("the saved answer is kept")
		}
		// Not answered: the check page lists what is missing and submitting is refused.
		st, body, _ = c2.get(base + "kiem-tra")
		if st != 200 || !strings.Contains(body, "Còn thiếu") {
			t.Fatalf("check page of an unfinished draft: %d", st)
		}
		if st, body, _ := c2.post(base+"nop", nil); st != 400 || !strings.Contains(body, "chưa trả lời") {
			t.Errorf("submitting an unfinished draft: %d %s", st, svcErr(body))
		}
		// A required answer left empty, an answer not among the options.
		if st, body, _ := c2.post(base+"cau-hoi-business_name", url.Values{"value": {"  "}}); st != 400 || !strings.Contains(body, "Vui lòng trả lời") {
			t.Errorf("empty required answer: %d %s", st, svcErr(body))
		}
		if st, _, _ := c2.post(base+"cau-hoi-reason", url.Values{"value": {"stolen-by-aliens"}}); st != 400 {
			t.Errorf("answer not among the options: %d", st)
		}
		if st, _, _ := c2.post(base+"cau-hoi-business_name", url.Values{"value": {"Tạp\x00hóa"}}); st != 400 {
			t.Errorf("NUL in an answer: %d", st)
		}
		// Drafts expire after 30 days.
		ctx := context.Background()
		env.App.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE portal_drafts SET expires_at = $1", fixedNow().Add(-time.Hour).UnixMilli())
			return err
		})
		if st, _, _ := c2.get(base + "kiem-tra"); st != 404 {
			t.Errorf("expired draft: %d", st)
		}
		if again := c2.begin(svcHKD); strings.HasPrefix(again, base) {
			t.Errorf("an expired draft must not come back: %s", again)
		}
		var n int
		env.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM portal_drafts").Scan(&n)
		if n != 1 {
			t.Errorf("expired drafts not purged: %d drafts", n)
		}
		// Delete a draft.
		_, body, _ = c2.get("/dich-vu/" + svcHKD)
		m := regexp.MustCompile(`action="(/dich-vu/[^"]+/xoa)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no delete button")
		}
		if st, _, l := c2.post(m[1], nil); st != http.StatusSeeOther || !strings.Contains(l, "deleted=1") {
			t.Errorf("delete: %d %s", st, l)
		}
	})
}

func TestPortalServicesLevelCSRFAndUploads(t *testing.T) {
	svcEach(t, func(t *testing.T, env *apptest.Env) {
		// Level 1 is refused for a full-online procedure…
		c1 := newSvcClient(t, env, citizen.Level1)
		st, body, _ := c1.get("/dich-vu/" + svcHKD)
		if st != 200 || strings.Contains(body, "/bat-dau") || !strings.Contains(body, "mức độ 2") {
			t.Errorf("start page at level 1: %d", st)
		}
		if st, body, _ := c1.post("/dich-vu/"+svcHKD+"/bat-dau", nil); st != 403 || !strings.Contains(body, "mức độ 2") {
			t.Errorf("level 1 starting a level-2 procedure: %d", st)
		}
		// …and its level-2 draft cannot be continued at level 1.
		c2 := newSvcClient(t, env, citizen.Level2)
		base := strings.TrimSuffix(c2.begin(svcHKD), "nguoi-nop")
		if st, _, _ := c1.get(base + "nguoi-nop"); st != 403 && st != 404 {
			t.Errorf("level 1 on a draft page: %d", st)
		}
		// A partial-online procedure takes level 1.
		pbase := strings.TrimSuffix(c1.begin(svcPartial), "nguoi-nop")

		// CSRF: no token, a wrong token, another site's origin.
		if st, _, _ := c2.post(base+"nguoi-nop", url.Values{"value": {"self"}, "csrf": {"nope"}}); st != 403 {
			t.Errorf("wrong CSRF token: %d", st)
		}
		req, _ := http.NewRequest("POST", env.URL+base+"nguoi-nop", strings.NewReader(url.Values{"value": {"self"}, "csrf": {c2.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if st, _, _ := c2.do(req); st != 403 {
			t.Errorf("cross-site POST: %d", st)
		}
		// Signed out: a POST is refused, a GET is sent to sign in.
		anon := &svcClient{t: t, env: env, c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		if st, _, _ := anon.post(base+"nguoi-nop", url.Values{"value": {"self"}}); st != 401 {
			t.Errorf("signed-out POST: %d", st)
		}
		if st, _, l := anon.get(base + "nguoi-nop"); st != http.StatusSeeOther || !strings.HasPrefix(l, "/dang-nhap?next=") {
			t.Errorf("signed-out GET: %d %s", st, l)
		}

		// Uploads on the authorisation letter (PDF/JPG/PNG, 10 MB).
		comp := base + "giay-to-van-ban-uy-quyen"
		// An executable named .pdf: refused by its content.
		exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
		if st, body, _ := c2.upload(comp, url.Values{"source": {"upload"}}, map[string][]byte{"giay-uy-quyen.pdf": exe}); st != 400 || !strings.Contains(body, "không phải") {
			t.Errorf("disguised file: %d %s", st, svcErr(body))
		}
		// HTML named .png.
		if st, _, _ := c2.upload(comp, url.Values{"source": {"upload"}}, map[string][]byte{"anh.png": []byte("<html><script>alert(1)</script></html>")}); st != 400 {
			t.Errorf("HTML as PNG: %d", st)
		}
		// Over the component's 10 MB.
		big := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("0"), 11<<20)...)
		if st, body, _ := c2.upload(comp, url.Values{"source": {"upload"}}, map[string][]byte{"lon.pdf": big}); st != 413 || !strings.Contains(body, "10 MB") {
			t.Errorf("file over 10 MB: %d %s", st, svcErr(body))
		}
		// Over the request limit.
		huge := append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte("0"), 26<<20)...)
		if st, _, _ := c2.upload(comp, url.Values{"source": {"upload"}}, map[string][]byte{"rat-lon.pdf": huge}); st != 413 {
			t.Errorf("request over the limit: %d", st)
		}
		// Upload chosen without a file.
		if st, _, _ := c2.upload(comp, url.Values{"source": {"upload"}}, nil); st != 400 {
			t.Errorf("upload without a file: %d", st)
		}
		// Two good files, then one removed.
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
		if st, body, _ := c2.upload(comp, url.Values{"source": {"upload"}}, map[string][]byte{"trang1.pdf": pdfBytes, "trang2.png": png}); st != http.StatusSeeOther {
			t.Fatalf("good files: %d %s", st, svcErr(body))
		}
		_, body, _ = c2.get(comp)
		if !strings.Contains(body, "trang1.pdf") || !strings.Contains(body, "trang2.png") {
			t.Fatalf("uploaded files not listed")
		}
		ids := regexp.MustCompile(`name="remove" value="([^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(ids) != 2 {
			t.Fatalf("remove buttons: %d", len(ids))
		}
		if st, _, _ := c2.upload(comp, url.Values{"remove": {ids[0][1]}}, nil); st != http.StatusSeeOther {
			t.Errorf("remove: %d", st)
		}
		if _, body, _ = c2.get(comp); strings.Count(body, `name="remove"`) != 1 {
			t.Errorf("one file should remain")
		}
		// For someone else, the authorisation letter becomes required.
		c2.answer(base+"nguoi-nop", url.Values{"value": {"behalf"}}, "")
		if st, _, _ := c2.post(comp, url.Values{"source": {"none"}}); st != 400 {
			t.Errorf("no authorisation letter when filing for someone else: %d", st)
		}
		// A reuse source the component does not have.
		if st, _, _ := c2.post(base+"giay-to-thong-tin-chu-ho", url.Values{"source": {"civil_status_db"}}); st != 400 {
			t.Errorf("foreign reuse source: %d", st)
		}
		if st, _, _ := c2.post(base+"giay-to-giay-chung-nhan-da-cap", url.Values{"source": {"document_store:H56.0000-000000-0000"}}); st != 400 {
			t.Errorf("someone else's result: %d", st)
		}
		_ = pbase
	})
}

// BenchmarkPortalServicePages measures the server time (handler, database,
// template; no network) of the online-service pages a citizen goes
// through, on a draft with answers and a reusable earlier result, and
// reports the median and 99th percentile of each page. Target: under 50 ms.
//
//	go test ./internal/web -run '^$' -bench PortalServicePages -benchtime 300x
func BenchmarkPortalServicePages(b *testing.B) {
	env := apptest.Start(b, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	svcAddResident(b, env)
	svcEarlierResult(b, env)
	c := newSvcClient(b, env, citizen.Level2)
	base := strings.TrimSuffix(c.begin(svcHKD), "nguoi-nop")
	c.post(base+"nguoi-nop", url.Values{"value": {"self"}})
	c.post(base+"cau-hoi-business_name", url.Values{"value": {"Tạp hóa Hoa Lộc"}})
	h := env.App.Web.Handler()
	pages := []string{"/dich-vu/" + svcHKD, base + "cau-hoi-business_name", base + "cau-hoi-reason", base + "giay-to-giay-chung-nhan-da-cap", base + "kiem-tra"}
	for _, path := range pages {
		b.Run(strings.TrimPrefix(path[strings.LastIndex(path, "/"):], "/"), func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("GET", path, nil)
				req.AddCookie(&http.Cookie{Name: "motcua_citizen", Value: c.sess.Token})
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				times = append(times, time.Since(start))
				if w.Code != 200 {
					b.Fatalf("%s: %d", path, w.Code)
				}
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50_ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99_ms")
		})
	}
}
