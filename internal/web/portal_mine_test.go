package web_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
)

// hoaID is the applicant of birthJSON: Nguyễn Thị Hoa.
const hoaID = "038190012345"

// mineClient is a browser of the portal: a citizen session's cookie.
type mineClient struct {
	env  *apptest.Env
	sess *citizen.Session
}

func mineSignIn(t *testing.T, env *apptest.Env, subject, id, name string, level int) *mineClient {
	t.Helper()
	sess, err := env.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "test", Subject: subject, IDNumber: id, FullName: name, Level: level}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return &mineClient{env: env, sess: sess}
}

func (c *mineClient) do(t *testing.T, req *http.Request) (int, string, http.Header) {
	t.Helper()
	if c.sess != nil {
		req.AddCookie(&http.Cookie{Name: "motcua_citizen", Value: c.sess.Token})
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (c *mineClient) get(t *testing.T, path string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.env.URL+path, nil)
	return c.do(t, req)
}

func (c *mineClient) postForm(t *testing.T, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", c.env.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(t, req)
}

// postFiles sends a multipart form: fields, then files by field name.
func (c *mineClient) postFiles(t *testing.T, path string, fields map[string]string, files map[string][]byte) (int, string, http.Header) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for k, data := range files {
		field, name, _ := strings.Cut(k, "|")
		fw, _ := mw.CreateFormFile(field, name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.env.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(t, req)
}

// minePDF is a small file whose content is a PDF.
var minePDF = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func mineAct(t *testing.T, f *deskFlow, user, code, body string) {
	t.Helper()
	if st, b, _ := post(t, f.env, "/api/v1/dossiers/"+code+"/actions", f.tok[user], body, nil); st != 200 {
		t.Fatalf("%s on %s by %s: %d %s", body, code, user, st, b)
	}
}

func mineAudited(t *testing.T, env *apptest.Env, code, action string) int {
	t.Helper()
	es, err := audit.ForObject(context.Background(), env.App.DB, "dossier", code)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action && strings.HasPrefix(e.ActorID, "citizen:") {
			n++
		}
	}
	return n
}

var reMineCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// A citizen follows their dossiers: the list (only theirs, newest first,
// in pages, with what is expected of them), a dossier's timeline, the
// supplement request answered online, the electronic result downloaded and
// verified, a withdrawal with its confirmation, an apology letter; another
// person's dossier is "not found" everywhere; every view is audited.
func TestPortalMine(t *testing.T) {
	deskEach(t, func(t *testing.T, env *apptest.Env) {
		f := newDeskFlow(t, env)
		ctx := context.Background()
		birth := f.create(birthJSON).Code
		var marital []string
		for i := 0; i < 10; i++ {
			marital = append(marital, f.create(maritalJSON("Nguyễn Thị Hoa", hoaID)).Code)
		}
		other := f.create(maritalJSON("Trần Văn Nam", "038190000001")).Code
		hoa := mineSignIn(t, env, "hoa", hoaID, "Nguyễn Thị Hoa", citizen.Level2)
		nam := mineSignIn(t, env, "nam", "038190000001", "Trần Văn Nam", citizen.Level2)

		// Without a session: to the sign-in, and back here after.
		if st, _, h := (&mineClient{env: env}).get(t, "/cong-dan/ho-so"); st != http.StatusSeeOther || h.Get("Location") != "/dang-nhap?next=%2Fcong-dan%2Fho-so" {
			t.Fatalf("no session: %d %s", st, h.Get("Location"))
		}

		// The list: hers only, newest first, ten a page.
		st, body, _ := hoa.get(t, "/cong-dan/ho-so")
		if st != 200 {
			t.Fatalf("list: %d %s", st, body)
		}
		text := html.UnescapeString(body)
		for _, want := range []string{"Hồ sơ của tôi", "Nguyễn Thị Hoa", "Số hồ sơ: <strong>11</strong>", "trang 1/2", marital[9], "Đã tiếp nhận", "Bạn không cần làm gì lúc này.", "Xem chi tiết", "Trang sau"} {
			if !strings.Contains(text, want) {
				t.Errorf("list lacks %q", want)
			}
		}
		if strings.Contains(body, other) || strings.Contains(body, birth) {
			t.Errorf("page 1 shows %s or the oldest %s", other, birth)
		}
		if strings.Index(body, marital[9]) > strings.Index(body, marital[8]) {
			t.Error("not newest first")
		}
		if _, body, _ := hoa.get(t, "/cong-dan/ho-so?trang=2"); !strings.Contains(body, birth) || strings.Contains(body, marital[9]) || !strings.Contains(body, "Trang trước") {
			t.Errorf("page 2: %s", body)
		}
		if _, body, _ := hoa.get(t, "/cong-dan/ho-so?lang=en"); !strings.Contains(body, "My dossiers") || !strings.Contains(body, "Nothing is needed from you now.") {
			t.Errorf("English list: %s", body)
		}
		hoa.get(t, "/cong-dan/ho-so?lang=vi")
		if n := func() int {
			es, _ := audit.ForObject(ctx, env.App.DB, "applicant", "038******345")
			return len(es)
		}(); n < 3 {
			t.Errorf("list views audited %d times", n)
		}

		// Another person's dossier does not exist, whatever the address.
		for _, path := range []string{"/cong-dan/ho-so/" + other, "/cong-dan/ho-so/" + other + "/rut", "/cong-dan/ho-so/" + other + "/ket-qua.pdf",
			"/cong-dan/ho-so/" + other + "/giay-to/giay-tiep-nhan.pdf", "/cong-dan/ho-so/H56.16072-261127-9999"} {
			if st, _, _ := hoa.get(t, path); st != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, st)
			}
		}
		if st, _, _ := hoa.postForm(t, "/cong-dan/ho-so/"+other+"/rut", url.Values{"csrf": {hoa.sess.CSRF}, "reason": {"x"}}); st != http.StatusNotFound {
			t.Errorf("withdraw another's: %d", st)
		}
		if st, _, _ := hoa.postFiles(t, "/cong-dan/ho-so/"+other+"/bo-sung", map[string]string{"csrf": hoa.sess.CSRF}, map[string][]byte{"file:to-khai|a.pdf": minePDF}); st != http.StatusNotFound {
			t.Errorf("supplement another's: %d", st)
		}
		// Staff paths are closed to a citizen.
		if _, _, err := env.App.Dossiers.Get(ctx, hoa.sess.Principal(), birth); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("engine Get by a citizen: %v", err)
		}
		if _, err := env.App.Dossiers.Act(ctx, hoa.sess.Principal(), birth, dossier.ActionRequest{Action: "withdraw"}, ""); !errors.Is(err, dossier.ErrNotFound) {
			t.Errorf("engine Act by a citizen: %v", err)
		}

		// The specialist asks for a paper: the list and the page say what to do.
		f.act("motcua.lan", birth, "transfer", "")
		mineAct(t, f, "tuphap.huong", birth, `{"action":"request_supplement","reasons":["Bản chụp giấy chứng sinh rõ nét, đủ bốn góc"]}`)
		_, body, _ = hoa.get(t, "/cong-dan/ho-so?trang=2")
		if text := html.UnescapeString(body); !strings.Contains(text, "Đang chờ bạn bổ sung giấy tờ") || !strings.Contains(text, "Bổ sung giấy tờ") ||
			!strings.Contains(body, `href="/cong-dan/ho-so/`+birth+`#bo-sung"`) {
			t.Errorf("list after the request: %s", body)
		}
		st, body, _ = hoa.get(t, "/cong-dan/ho-so/"+birth)
		text = html.UnescapeString(body)
		if st != 200 || !strings.Contains(text, "Bản chụp giấy chứng sinh rõ nét, đủ bốn góc") || !strings.Contains(body, `name="file:giay-chung-sinh"`) ||
			!strings.Contains(text, "Trung tâm đã tiếp nhận hồ sơ") || !strings.Contains(text, "Cơ quan giải quyết đề nghị bạn bổ sung giấy tờ") {
			t.Fatalf("dossier page: %d %s", st, body)
		}
		if m := reMineCSRF.FindStringSubmatch(body); m == nil || m[1] != hoa.sess.CSRF {
			t.Fatalf("no CSRF token in the form")
		}
		reads := mineAudited(t, env, birth, "dossier.read")
		if reads == 0 {
			t.Error("the view is not audited")
		}

		// Bad answers change nothing: no CSRF, no file, a file that is not
		// what it says, a file too large.
		sup := "/cong-dan/ho-so/" + birth + "/bo-sung"
		if st, _, _ := hoa.postFiles(t, sup, nil, map[string][]byte{"file:giay-chung-sinh|gcs.pdf": minePDF}); st != http.StatusForbidden {
			t.Errorf("no CSRF: %d", st)
		}
		if st, body, _ := hoa.postFiles(t, sup, map[string]string{"csrf": hoa.sess.CSRF}, nil); st != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "Chưa chọn tệp nào") {
			t.Errorf("no file: %d", st)
		}
		if st, body, _ := hoa.postFiles(t, sup, map[string]string{"csrf": hoa.sess.CSRF}, map[string][]byte{"file:giay-chung-sinh|gcs.pdf": []byte("MZ\x90\x00 not a pdf at all")}); st != http.StatusBadRequest ||
			!strings.Contains(html.UnescapeString(body), "không phải") || !strings.Contains(body, `role="alert"`) {
			t.Errorf("wrong content: %d %s", st, body)
		}
		big := append(append([]byte{}, minePDF...), bytes.Repeat([]byte("0"), 11<<20)...)
		if st, _, _ := hoa.postFiles(t, sup, map[string]string{"csrf": hoa.sess.CSRF}, map[string][]byte{"file:giay-chung-sinh|big.pdf": big}); st != http.StatusRequestEntityTooLarge {
			t.Errorf("too large: %d", st)
		}
		huge := append(append([]byte{}, minePDF...), bytes.Repeat([]byte("0"), 41<<20)...)
		if st, body, _ := hoa.postFiles(t, sup, map[string]string{"csrf": hoa.sess.CSRF}, map[string][]byte{"file:giay-chung-sinh|huge.pdf": huge}); st != http.StatusRequestEntityTooLarge ||
			!strings.Contains(body, "tối đa 40 MB") {
			t.Errorf("more than a request may carry: %d", st)
		}
		if d := f.get(birth); d.State != "supplementing" {
			t.Fatalf("after bad answers: %s", d.State)
		}
		// The real answer: two files; the dossier goes back to the specialist.
		st, _, h := hoa.postFiles(t, sup, map[string]string{"csrf": hoa.sess.CSRF, "note": "Tôi gửi lại bản chụp rõ hơn."},
			map[string][]byte{"file:giay-chung-sinh|gcs-1.pdf": minePDF, "file:giay-chung-sinh|gcs-2.pdf": minePDF})
		if st != http.StatusSeeOther || h.Get("Location") != "/cong-dan/ho-so/"+birth+"?ok=supplement" {
			t.Fatalf("supplement: %d %s", st, h.Get("Location"))
		}
		d := f.get(birth)
		if d.State != "processing" || d.count("supplement_received") != 1 {
			t.Fatalf("after the answer: %s %+v", d.State, d.History)
		}
		if c := d.History[len(d.History)-1].Comment; c != "Tôi gửi lại bản chụp rõ hơn." {
			t.Errorf("note: %q", c)
		}
		if mineAudited(t, env, birth, "dossier.supplement_online") != 1 {
			t.Error("online supplement not audited")
		}
		_, body, _ = hoa.get(t, "/cong-dan/ho-so/"+birth+"?ok=supplement")
		if text := html.UnescapeString(body); !strings.Contains(text, "Đã gửi giấy tờ bổ sung") || !strings.Contains(text, "bạn gửi trực tuyến") || strings.Contains(body, `id="bo-sung"`) {
			t.Errorf("after the answer: %s", body)
		}
		if st, _, _ := hoa.postFiles(t, sup, map[string]string{"csrf": hoa.sess.CSRF}, map[string][]byte{"file:giay-chung-sinh|gcs.pdf": minePDF}); st != http.StatusConflict {
			t.Errorf("a second answer: %d", st)
		}

		// The result: signed with an electronic copy; the citizen downloads it
		// and /verify finds it genuine; an altered copy is caught.
		if st, _, _ := hoa.get(t, "/cong-dan/ho-so/"+birth+"/ket-qua.pdf"); st != http.StatusNotFound {
			t.Errorf("result before there is one: %d", st)
		}
		mineAct(t, f, "tuphap.huong", birth, `{"action":"submit"}`)
		mineAct(t, f, "chutich.binh", birth, `{"action":"sign","result_code":"125/2026/KS","result_file":"ks-125.pdf"}`)
		_, body, _ = hoa.get(t, "/cong-dan/ho-so?trang=2")
		if !strings.Contains(body, `href="/cong-dan/ho-so/`+birth+`/ket-qua.pdf"`) || !strings.Contains(html.UnescapeString(body), "Kết quả điện tử đã sẵn sàng") {
			t.Errorf("list with the result: %s", body)
		}
		st, pdf, h := hoa.get(t, "/cong-dan/ho-so/"+birth+"/ket-qua.pdf")
		if st != 200 || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("result: %d %s", st, h)
		}
		if mineAudited(t, env, birth, "dossier.result_download") != 1 {
			t.Error("download not audited")
		}
		if st, _, _ := nam.get(t, "/cong-dan/ho-so/"+birth+"/ket-qua.pdf"); st != http.StatusNotFound {
			t.Errorf("someone else's result: %d", st)
		}
		verify := func(file []byte) string {
			c := &mineClient{env: env}
			_, body, _ := c.postFiles(t, "/verify", nil, map[string][]byte{"file|ket-qua.pdf": file})
			return html.UnescapeString(body)
		}
		if got := verify([]byte(pdf)); !strings.Contains(got, "Bản điện tử kết quả hợp lệ") || !strings.Contains(got, birth) {
			t.Errorf("verify the result: %s", got)
		}
		// The QR code's address: the signed facts alone.
		doc, err := env.App.Dossiers.Keys().OpenFile([]byte(pdf))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := forms.SealFromPDF(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, body, _ := (&mineClient{env: env}).get(t, "/verify?r="+url.QueryEscape(tok)); !strings.Contains(html.UnescapeString(body), "Bản điện tử kết quả hợp lệ") {
			t.Errorf("verify the QR code: %s", body)
		}
		altered := []byte(pdf)
		altered[len(pdf)/2] ^= 1
		if got := verify(altered); strings.Contains(got, "kết quả hợp lệ") {
			t.Errorf("an altered result passes: %s", got)
		}
		if st, _, _ := hoa.get(t, "/cong-dan/ho-so/"+birth+"/rut"); st != http.StatusConflict {
			t.Errorf("withdraw after the result: %d", st)
		}

		// Withdraw, after a confirmation page that asks why.
		w := "/cong-dan/ho-so/" + marital[0] + "/rut"
		st, body, _ = hoa.get(t, w)
		if st != 200 || !strings.Contains(html.UnescapeString(body), "Không hoàn tác được") || !strings.Contains(body, `name="reason"`) {
			t.Fatalf("confirmation: %d %s", st, body)
		}
		if st, _, _ := hoa.postForm(t, w, url.Values{"reason": {"Không cần nữa"}}); st != http.StatusForbidden {
			t.Errorf("withdraw without CSRF: %d", st)
		}
		if st, body, _ := hoa.postForm(t, w, url.Values{"csrf": {hoa.sess.CSRF}, "reason": {"  "}}); st != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "lý do rút hồ sơ") {
			t.Errorf("withdraw without a reason: %d", st)
		}
		if st, _, _ := hoa.postForm(t, w, url.Values{"csrf": {hoa.sess.CSRF}, "reason": {"bad\x00text"}}); st != http.StatusBadRequest {
			t.Errorf("withdraw with NUL: %d", st)
		}
		if f.get(marital[0]).State == "withdrawn" {
			t.Fatal("withdrawn by a bad request")
		}
		st, _, h = hoa.postForm(t, w, url.Values{"csrf": {hoa.sess.CSRF}, "reason": {"Tôi đã nộp nhầm thủ tục"}})
		if st != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "?ok=withdrawn") {
			t.Fatalf("withdraw: %d", st)
		}
		if d := f.get(marital[0]); d.State != "withdrawn" || d.count("withdraw") != 1 {
			t.Errorf("after withdrawal: %s", d.State)
		}
		_, body, _ = hoa.get(t, "/cong-dan/ho-so/"+marital[0]+"?ok=withdrawn")
		if text := html.UnescapeString(body); !strings.Contains(text, "Đã rút hồ sơ theo yêu cầu của bạn.") || !strings.Contains(text, "Tôi đã nộp nhầm thủ tục") || strings.Contains(body, "/rut\"") {
			t.Errorf("withdrawn page: %s", body)
		}

		// An apology with a new date: its reasons and its letter.
		f.act("motcua.lan", marital[1], "transfer", "")
		mineAct(t, f, "chutich.binh", marital[1], `{"action":"apologize","reasons":["Cần xác minh thêm tại nơi cư trú trước đây"],"new_due":"2026-12-30"}`)
		_, body, _ = hoa.get(t, "/cong-dan/ho-so/"+marital[1])
		if text := html.UnescapeString(body); !strings.Contains(text, "Thư xin lỗi của Trung tâm") || !strings.Contains(text, "Cần xác minh thêm tại nơi cư trú trước đây") || !strings.Contains(text, "30/12/2026") {
			t.Errorf("apology: %s", body)
		}
		if st, pdf, _ := hoa.get(t, "/cong-dan/ho-so/"+marital[1]+"/giay-to/van-ban-xin-loi.pdf"); st != 200 || !strings.HasPrefix(pdf, "%PDF") {
			t.Errorf("apology letter: %d", st)
		}
		if st, _, _ := hoa.get(t, "/cong-dan/ho-so/"+marital[2]+"/giay-to/van-ban-xin-loi.pdf"); st != http.StatusConflict {
			t.Errorf("a letter the dossier does not have: %d", st)
		}
		if st, _, _ := hoa.get(t, "/cong-dan/ho-so/"+marital[2]+"/giay-to/khac.pdf"); st != http.StatusNotFound {
			t.Errorf("an unknown letter: %d", st)
		}

		// A level-1 sign-in sees, but does not act.
		low := mineSignIn(t, env, "hoa-l1", hoaID, "Nguyễn Thị Hoa", citizen.Level1)
		if st, _, _ := low.get(t, "/cong-dan/ho-so/"+marital[2]); st != 200 {
			t.Errorf("level 1 view: %d", st)
		}
		if _, body, _ := low.get(t, "/cong-dan/ho-so/"+marital[2]); strings.Contains(body, "/rut\"") || !strings.Contains(html.UnescapeString(body), "mức độ 2") {
			t.Errorf("level 1 is offered the withdrawal")
		}
		if st, _, _ := low.postForm(t, "/cong-dan/ho-so/"+marital[2]+"/rut", url.Values{"csrf": {low.sess.CSRF}, "reason": {"x"}}); st != http.StatusForbidden {
			t.Errorf("level 1 withdraw: %d", st)
		}
		// Nam sees only his.
		if _, body, _ := nam.get(t, "/cong-dan/ho-so"); !strings.Contains(body, other) || strings.Contains(body, birth) || !strings.Contains(body, fmt.Sprintf("<strong>%d</strong>", 1)) {
			t.Errorf("Nam's list: %s", body)
		}
	})
}
