package web_test

import (
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
)

// deskEach runs a test of the leader's desk, the return of results and the
// register on both engines, with the demo commune's staff (no residents:
// the dossiers are made by the test).
func deskEach(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			fn(t, apptest.Start(t, eng, apptest.Options{Commune: true, Now: fixedNow}))
		})
	}
}

// maritalJSON is a dossier of a procedure with the standard workflow
// (specialist → approval → signing → result).
func maritalJSON(name, id string) string {
	return fmt.Sprintf(`{"procedure":"1.004873","applicant":{"name":%q,"id_number":%q,"phone":"0912 000 111","address":"Thôn Đông Hòa"},
 "components":[{"id":"to-khai"},{"id":"giay-to-tuy-than","source":"population_db"}],
 "form":{"marital_status_now":"single","purpose":"marriage","copies":1,"applicant_name":%q,"applicant_id":%q,"address":"Thôn Đông Hòa","phone":"0912000111"}}`,
		name, id, name, id)
}

// deskDossier is a dossier as the API shows it.
type deskDossier struct {
	Code   string `json:"code"`
	State  string `json:"state"`
	Status int    `json:"status"`
	Result struct {
		Method      string `json:"method"`
		CollectedBy string `json:"collected_by"`
	} `json:"result"`
	History []struct {
		Action  string `json:"action"`
		Comment string `json:"comment"`
	} `json:"history"`
}

func (d deskDossier) count(action string) int {
	n := 0
	for _, h := range d.History {
		if h.Action == action {
			n++
		}
	}
	return n
}

// deskFlow receives dossiers through the API and moves them on, as the
// counter and the specialist do.
type deskFlow struct {
	t   *testing.T
	env *apptest.Env
	tok map[string]string
}

func newDeskFlow(t *testing.T, env *apptest.Env) *deskFlow {
	return &deskFlow{t: t, env: env, tok: staffTokens(t, env)}
}

func (f *deskFlow) create(body string) created {
	f.t.Helper()
	st, b, _ := post(f.t, f.env, "/api/v1/dossiers", f.tok["motcua.lan"], body, nil)
	if st != 201 {
		f.t.Fatalf("create: %d %s", st, b)
	}
	return apptest.JSON[created](f.t, b)
}

func (f *deskFlow) act(user, code, action, comment string) {
	f.t.Helper()
	body := fmt.Sprintf(`{"action":%q,"comment":%q}`, action, comment)
	if st, b, _ := post(f.t, f.env, "/api/v1/dossiers/"+code+"/actions", f.tok[user], body, nil); st != 200 {
		f.t.Fatalf("%s %s by %s: %d %s", action, code, user, st, b)
	}
}

func (f *deskFlow) get(code string) deskDossier {
	f.t.Helper()
	st, b := f.env.Do(f.t, "GET", "/api/v1/dossiers/"+code, f.tok["chutich.binh"], nil)
	if st != 200 {
		f.t.Fatalf("get %s: %d %s", code, st, b)
	}
	return apptest.JSON[deskDossier](f.t, b)
}

// toLeader receives a dossier and brings it to the leader: approval for the
// standard workflow, signing for the same-day one (birth registration).
func (f *deskFlow) toLeader(body, comment string) created {
	f.t.Helper()
	c := f.create(body)
	f.act("motcua.lan", c.Code, "transfer", "")
	f.act("tuphap.huong", c.Code, "submit", comment)
	return c
}

// resultReady brings a birth registration to "result ready".
func (f *deskFlow) resultReady() created {
	f.t.Helper()
	c := f.toLeader(birthJSON, "")
	f.act("chutich.binh", c.Code, "sign", "")
	return c
}

var (
	reBatch  = regexp.MustCompile(`name="batch" value="([0-9a-f]+)"`)
	reRev    = regexp.MustCompile(`name="rev:([^"]+)" value="(\d+)"`)
	reKey    = regexp.MustCompile(`name="key" value="([0-9a-f]+)"`)
	reRevOne = regexp.MustCompile(`name="rev" value="(\d+)"`)
)

// confirmForm reads the confirmation page's form: what the leader would post.
func confirmForm(t *testing.T, body, action string) url.Values {
	t.Helper()
	m := reBatch.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no batch key on the confirmation: %s", body)
	}
	form := url.Values{"action": {action}, "batch": {m[1]}}
	for _, r := range reRev.FindAllStringSubmatch(body, -1) {
		form.Add("code", r[1])
		form.Set("rev:"+r[1], r[2])
	}
	return form
}

func TestDeskLeader(t *testing.T) {
	deskEach(t, func(t *testing.T, env *apptest.Env) {
		f := newDeskFlow(t, env)
		var approval []string
		for i, name := range []string{"Trần Văn Nam", "Lê Thị Thu", "Phạm Văn Hải", "Đỗ Thị Hoa"} {
			c := f.toLeader(maritalJSON(name, fmt.Sprintf("0381900%05d", i+1)), "Đủ điều kiện, đề nghị phê duyệt "+name)
			approval = append(approval, c.Code)
		}
		birth := f.toLeader(birthJSON, "Kính trình ký giấy khai sinh")
		binh := signIn(t, env, "chutich.binh")

		st, body := binh.get(t, "/staff/leader")
		if st != 200 {
			t.Fatalf("desk: %d %s", st, body)
		}
		for _, want := range append(approval, birth.Code, "Chờ phê duyệt", "Chờ ký", "Đủ điều kiện, đề nghị phê duyệt Trần Văn Nam",
			"Kính trình ký giấy khai sinh", "Phạm Thị Hương", "Trần Văn Nam", `data-select-all="approval"`, `value="approve"`, `value="sign"`, `value="send_back"`, "Trong hạn") {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("desk lacks %q", want)
			}
		}
		if st, body := binh.get(t, "/staff/leader?lang=en"); st != 200 || !strings.Contains(body, "Awaiting approval") || !strings.Contains(body, "Send back to the specialist") {
			t.Errorf("desk in English: %d", st)
		}
		binh.get(t, "/staff/leader?lang=vi")

		// Approve three, with the birth registration (awaiting signature)
		// chosen by mistake: the confirmation leaves it out and says why.
		q := url.Values{"action": {"approve"}, "approval": approval[:3], "signing": {birth.Code}}
		st, body = binh.get(t, "/staff/leader/confirm?"+q.Encode())
		if st != 200 || !strings.Contains(body, "Sẽ thực hiện với 3 hồ sơ") || !strings.Contains(body, "Bỏ qua 1 hồ sơ") || !strings.Contains(html.UnescapeString(body), "Không thể “Phê duyệt”") {
			t.Fatalf("confirm: %d %s", st, body)
		}
		form := confirmForm(t, body, "approve")
		if len(form["code"]) != 3 {
			t.Fatalf("confirmation posts %v", form["code"])
		}
		// One failure does not stop the others: add an unknown code and the
		// dossier in the wrong state to the batch.
		form.Add("code", "H56.16072-261127-9999")
		form.Add("code", birth.Code)
		st, body, _ = binh.post(t, "/staff/leader/act", form)
		if st != 200 || !strings.Contains(body, "Đã thực hiện 3 trong 5 hồ sơ.") || !strings.Contains(body, "2 hồ sơ không thực hiện được") ||
			!strings.Contains(body, "Không tìm thấy hồ sơ") {
			t.Fatalf("batch approve: %d %s", st, body)
		}
		for _, code := range approval[:3] {
			if d := f.get(code); d.State != "signing" || d.count("approve") != 1 {
				t.Errorf("%s after approve: %s", code, d.State)
			}
		}
		if d := f.get(birth.Code); d.State != "signing" {
			t.Errorf("birth dossier moved: %s", d.State)
		}
		// The same confirmation posted twice acts once.
		st, body, _ = binh.post(t, "/staff/leader/act", form)
		if st != 200 || !strings.Contains(body, "Đã thực hiện ở lần gửi trước") {
			t.Errorf("double submit: %d %s", st, body)
		}
		for _, code := range approval[:3] {
			if d := f.get(code); d.State != "signing" || d.count("approve") != 1 {
				t.Errorf("%s after the double submit: %s, %d approvals", code, d.State, d.count("approve"))
			}
		}

		// Sign two of them and the birth registration.
		q = url.Values{"action": {"sign"}, "signing": {approval[0], approval[1], birth.Code}}
		st, body = binh.get(t, "/staff/leader/confirm?"+q.Encode())
		if st != 200 || !strings.Contains(body, "Sẽ thực hiện với 3 hồ sơ") {
			t.Fatalf("confirm sign: %d %s", st, body)
		}
		st, body, _ = binh.post(t, "/staff/leader/act", confirmForm(t, body, "sign"))
		if st != 200 || !strings.Contains(body, "Đã thực hiện 3 trong 3 hồ sơ.") {
			t.Fatalf("sign: %d %s", st, body)
		}
		for _, code := range []string{approval[0], approval[1], birth.Code} {
			if d := f.get(code); d.State != "result_ready" {
				t.Errorf("%s after signing: %s", code, d.State)
			}
		}

		// Send one back: a comment is required.
		q = url.Values{"action": {"send_back"}, "signing": {approval[2]}}
		_, body = binh.get(t, "/staff/leader/confirm?"+q.Encode())
		form = confirmForm(t, body, "send_back")
		st, body, _ = binh.post(t, "/staff/leader/act", form)
		if st != 400 || !strings.Contains(body, "Ghi ý kiến gửi chuyên viên") || f.get(approval[2]).State != "signing" {
			t.Errorf("send back without a comment: %d", st)
		}
		form.Set("comment", "Bổ sung xác nhận nơi cư trú trước đây")
		if st, body, _ = binh.post(t, "/staff/leader/act", form); st != 200 || !strings.Contains(body, "Đã thực hiện 1 trong 1 hồ sơ.") {
			t.Fatalf("send back: %d %s", st, body)
		}
		d := f.get(approval[2])
		if d.State != "processing" || d.History[len(d.History)-1].Comment != "Bổ sung xác nhận nơi cư trú trước đây" {
			t.Errorf("sent back: %+v", d)
		}

		// The desk now shows what is left.
		_, body = binh.get(t, "/staff/leader")
		if !strings.Contains(body, approval[3]) || strings.Contains(body, approval[0]) || strings.Contains(body, approval[2]) {
			t.Errorf("desk after the batches")
		}

		// Bad input: 4xx with a Vietnamese message, never a 500.
		for path, want := range map[string]string{
			"/staff/leader/confirm?action=fly&approval=" + approval[3]: "Thao tác phải là",
			"/staff/leader/confirm?action=approve":                     "Chưa chọn hồ sơ nào",
		} {
			if st, body := binh.get(t, path); st != 400 || !strings.Contains(body, want) {
				t.Errorf("%s: %d", path, st)
			}
		}
		if st, body, _ := binh.post(t, "/staff/leader/act", url.Values{"action": {"approve"}, "code": {approval[3]}, "batch": {"x"}}); st != 400 || !strings.Contains(body, "mã lượt xử lý") {
			t.Errorf("no batch key: %d", st)
		}
		// All failed: a 4xx.
		if st, _, _ := binh.post(t, "/staff/leader/act", url.Values{"action": {"approve"}, "code": {"H56.16072-261127-9998"}, "batch": {"0123456789abcdef"}}); st != 404 {
			t.Errorf("batch of an unknown code: %d", st)
		}

		// Roles and CSRF.
		lan := signIn(t, env, "motcua.lan")
		huong := signIn(t, env, "tuphap.huong")
		if st, _ := lan.get(t, "/staff/leader"); st != 403 {
			t.Errorf("counter officer at the desk: %d", st)
		}
		if st, _ := huong.get(t, "/staff/leader/confirm?"+q.Encode()); st != 403 {
			t.Errorf("specialist confirms: %d", st)
		}
		if st, _, _ := huong.post(t, "/staff/leader/act", url.Values{"action": {"approve"}, "code": {approval[3]}, "batch": {"0123456789abcdef"}}); st != 403 {
			t.Errorf("specialist acts: %d", st)
		}
		if st, _, _ := binh.post(t, "/staff/leader/act", url.Values{"csrf": {"forged"}, "action": {"approve"}, "code": {approval[3]}, "batch": {"0123456789abcdef"}}); st != 403 {
			t.Errorf("forged CSRF: %d", st)
		}
		if d := f.get(approval[3]); d.State != "approval" {
			t.Errorf("refused requests moved %s to %s", approval[3], d.State)
		}
	})
}

func TestDeskReturn(t *testing.T) {
	deskEach(t, func(t *testing.T, env *apptest.Env) {
		f := newDeskFlow(t, env)
		ready := f.resultReady()
		other := f.resultReady()
		waiting := f.toLeader(maritalJSON("Trần Văn Nam", "038190000001"), "")
		lan := signIn(t, env, "motcua.lan")

		if st, body := lan.get(t, "/staff/return"); st != 200 || !strings.Contains(body, `data-code-input`) || !strings.Contains(body, `data-label="Quét bằng camera"`) {
			t.Fatalf("return page: %d", st)
		}
		// The receipt's QR code read by a scanner types the status-page
		// address: the dossier is found by its code.
		st, body := lan.get(t, "/staff/return?code="+url.QueryEscape(ready.StatusURL))
		if st != 200 {
			t.Fatalf("find by QR: %d %s", st, body)
		}
		for _, want := range []string{ready.Code, "Nguyễn Thị Hoa", "Đăng ký khai sinh", "Đã có kết quả, chờ trả", `name="collected_by" value="Nguyễn Thị Hoa"`, "Xác nhận đã trả kết quả"} {
			if !strings.Contains(html.UnescapeString(body), want) {
				t.Errorf("return form lacks %q", want)
			}
		}
		if st, body := lan.get(t, "/staff/return?lang=en&code="+strings.ToLower(ready.Code)); st != 200 || !strings.Contains(body, "Confirm the result is returned") {
			t.Errorf("English, lower-case code: %d", st)
		}
		lan.get(t, "/staff/return?lang=vi")
		// Not ready yet: said plainly, and no form.
		st, body = lan.get(t, "/staff/return?code="+waiting.Code)
		if st != 200 || !strings.Contains(body, "KẾT QUẢ CHƯA SẴN SÀNG") || strings.Contains(body, "Xác nhận đã trả kết quả") {
			t.Errorf("not ready: %d", st)
		}
		// An unknown code.
		if st, body := lan.get(t, "/staff/return?code=H56.16072-261127-9999"); st != 404 || !strings.Contains(body, "Không tìm thấy hồ sơ") {
			t.Errorf("unknown code: %d", st)
		}

		key := reKey.FindStringSubmatch(lan.mustGet(t, "/staff/return?code="+ready.Code))[1]
		rev := reRevOne.FindStringSubmatch(lan.mustGet(t, "/staff/return?code="+ready.Code))[1]
		base := url.Values{"code": {ready.Code}, "rev": {rev}, "key": {key}, "method": {"counter"}, "result": {"Giấy khai sinh bản chính"}}
		with := func(kv ...string) url.Values {
			v := url.Values{}
			for k, vs := range base {
				v[k] = vs
			}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		for _, c := range []struct {
			form   url.Values
			status int
			want   string
		}{
			{with("collected_by", "  "), 400, "Ghi họ tên người nhận kết quả"},
			{with("collected_by", "Nguyễn Văn Bố"), 400, "ghi số định danh cá nhân"},
			{with("collected_by", "Nguyễn Văn Bố", "proxy_id", "12345"), 400, "12 chữ số"},
			{with("collected_by", "Nguyễn Thị Hoa", "method", "drone"), 400, "Chọn hình thức trả kết quả"},
			{with("code", ""), 400, "Nhập mã hồ sơ"},
			{with("code", "H56.16072-261127-9999", "collected_by", "A"), 404, "Không tìm thấy hồ sơ"},
			{with("code", waiting.Code, "rev", "", "collected_by", "Trần Văn Nam"), 409, "Không thể thực hiện"},
		} {
			st, body, _ := lan.post(t, "/staff/return", c.form)
			if st != c.status || !strings.Contains(body, c.want) {
				t.Errorf("%v: %d, want %d %q", c.form, st, c.status, c.want)
			}
		}
		if d := f.get(ready.Code); d.Status != 9 {
			t.Fatalf("bad input changed the dossier: %+v", d)
		}

		// The father collects it for the mother, with his ID number.
		form := with("collected_by", "Nguyễn Văn Bố", "proxy_id", "038 090 012 345", "note", "Mang theo giấy ủy quyền")
		st, body, u := lan.post(t, "/staff/return", form)
		if st != 200 || u.Path != "/staff/return" || u.Query().Get("done") != "1" || !strings.Contains(body, "Đã trả kết quả") ||
			!strings.Contains(body, "/staff/dossiers/"+ready.Code+"/forms/control_slip.pdf") || !strings.Contains(body, "/staff/dossiers/"+ready.Code+"/forms/receipt.pdf") {
			t.Fatalf("return: %d %s %s", st, u, body)
		}
		d := f.get(ready.Code)
		last := d.History[len(d.History)-1]
		if d.Status != 10 || d.Result.CollectedBy != "Nguyễn Văn Bố" || d.Result.Method != "counter" || last.Action != "return_result" ||
			!strings.Contains(last.Comment, "Người nhận thay: Nguyễn Văn Bố, số định danh 038090012345") || !strings.Contains(last.Comment, "Giấy khai sinh bản chính") {
			t.Errorf("returned: %+v", d)
		}
		// A double submit does nothing twice.
		if st, _, u := lan.post(t, "/staff/return", form); st != 200 || u.Query().Get("done") != "1" || f.get(ready.Code).count("return_result") != 1 {
			t.Errorf("double submit: %d %s", st, u)
		}
		// Found again, it says it was returned.
		if _, body := lan.get(t, "/staff/return?code="+ready.Code); !strings.Contains(body, "ĐÃ TRẢ KẾT QUẢ") || strings.Contains(body, "Xác nhận đã trả kết quả") {
			t.Errorf("returned dossier found again")
		}
		// The print links work with the session.
		resp, err := lan.Get(env.URL + "/staff/dossiers/" + ready.Code + "/forms/control_slip.pdf")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "%PDF") {
			t.Errorf("control slip: %d", resp.StatusCode)
		}

		// By post, no name needed.
		key2 := reKey.FindStringSubmatch(lan.mustGet(t, "/staff/return?code="+other.Code))[1]
		if st, _, u := lan.post(t, "/staff/return", url.Values{"code": {other.Code}, "key": {key2}, "method": {"post"}, "collected_by": {""}}); st != 200 || u.Query().Get("done") != "1" {
			t.Errorf("return by post: %d", st)
		}
		if d := f.get(other.Code); d.Status != 10 || d.Result.Method != "post" {
			t.Errorf("returned by post: %+v", d)
		}

		// Roles and CSRF.
		binh := signIn(t, env, "chutich.binh")
		if st, _ := binh.get(t, "/staff/return"); st != 403 {
			t.Errorf("leader at the counter: %d", st)
		}
		if st, _, _ := binh.post(t, "/staff/return", with("collected_by", "Nguyễn Thị Hoa")); st != 403 {
			t.Errorf("leader returns: %d", st)
		}
		if st, _, _ := lan.post(t, "/staff/return", with("csrf", "forged", "collected_by", "Nguyễn Thị Hoa")); st != 403 {
			t.Errorf("forged CSRF: %d", st)
		}
	})
}

func (c *staffClient) mustGet(t *testing.T, path string) string {
	t.Helper()
	st, body := c.get(t, path)
	if st != 200 {
		t.Fatalf("GET %s: %d", path, st)
	}
	return body
}

func TestDeskRegister(t *testing.T) {
	deskEach(t, func(t *testing.T, env *apptest.Env) {
		f := newDeskFlow(t, env)
		birth := f.create(birthJSON)
		var marital []string
		for i := range 51 {
			marital = append(marital, f.create(maritalJSON(fmt.Sprintf("Người Thứ %d", i+1), fmt.Sprintf("0381900%05d", i+1))).Code)
		}
		lan := signIn(t, env, "motcua.lan")

		// This month by default: 52 dossiers, 50 a page.
		st, body := lan.get(t, "/staff/register")
		if st != 200 {
			t.Fatalf("register: %d %s", st, body)
		}
		body = html.UnescapeString(body)
		for _, want := range []string{`value="2026-11-01"`, `value="2026-11-30"`, "52 hồ sơ trong kỳ", "Trang 1/2", birth.Code, "Nguyễn Thị Hoa", "Thôn Đông Hòa",
			"STT", "Mã hồ sơ", "Tên thủ tục hành chính", "Số bộ", "Người nộp", "Địa chỉ, điện thoại", "Cơ quan chủ trì giải quyết", "Ngày nhận", "Hẹn trả",
			"Ngày chuyển", "Ngày có kết quả", "Ngày trả", "Ghi chú", "09:00 27/11/2026",
			"/staff/register/export?format=xlsx&from=2026-11-01&to=2026-11-30"} {
			if !strings.Contains(body, want) {
				t.Errorf("register lacks %q", want)
			}
		}
		if _, body := lan.get(t, "/staff/register?from=2026-11-01&to=2026-11-30&page=2"); !strings.Contains(body, marital[50]) || strings.Contains(body, birth.Code) || !strings.Contains(body, "Trang 2/2") {
			t.Errorf("page 2")
		}
		// Filters.
		_, body = lan.get(t, "/staff/register?from=2026-11-27&to=2026-11-27&procedure=1.001193")
		if !strings.Contains(body, "1 hồ sơ trong kỳ") || !strings.Contains(body, birth.Code) || strings.Contains(body, marital[0]) {
			t.Errorf("filtered by procedure")
		}
		if _, body := lan.get(t, "/staff/register?from=2026-10-01&to=2026-10-31"); !strings.Contains(body, "0 hồ sơ trong kỳ") {
			t.Errorf("empty month")
		}
		if st, body := lan.get(t, "/staff/register?lang=en&status=2&channel=in_person"); st != 200 || !strings.Contains(body, "Dossier register") || !strings.Contains(body, "52 dossiers") {
			t.Errorf("English: %d", st)
		}
		lan.get(t, "/staff/register?lang=vi")

		// Downloads with the session.
		for format, prefix := range map[string]string{"xlsx": "PK", "pdf": "%PDF", "html": "<!"} {
			resp, err := lan.Get(env.URL + "/staff/register/export?format=" + format + "&from=2026-11-01&to=2026-11-30&procedure=1.001193")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.HasPrefix(strings.TrimSpace(string(b)), prefix) {
				t.Errorf("%s: %d %.20q", format, resp.StatusCode, b)
			}
			if format == "xlsx" && !strings.Contains(resp.Header.Get("Content-Disposition"), "so-theo-doi-ho-so_2026-11-01_2026-11-30.xlsx") {
				t.Errorf("xlsx file name: %s", resp.Header.Get("Content-Disposition"))
			}
			if format == "html" && (!strings.Contains(string(b), birth.Code) || strings.Contains(string(b), marital[0])) {
				t.Errorf("the HTML register is not filtered")
			}
		}

		// Bad input: 4xx with a Vietnamese message.
		for path, want := range map[string]string{
			"/staff/register?from=2026-13-01":                      "Ngày bắt đầu không hợp lệ",
			"/staff/register?to=yesterday":                         "Ngày kết thúc không hợp lệ",
			"/staff/register?from=2026-11-30&to=2026-11-01":        "Ngày kết thúc phải từ ngày bắt đầu trở đi",
			"/staff/register?from=2024-01-01&to=2026-11-30":        "tối đa một năm",
			"/staff/register?status=11":                            "Trạng thái phải là mã từ 1 đến 10",
			"/staff/register?channel=fax":                          "Kênh nộp phải là",
			"/staff/register?procedure=9.999999":                   "Không có thủ tục này",
			"/staff/register/export?format=docx":                   "Định dạng tải về phải là",
			"/staff/register/export?format=xlsx&from=2026-02-30":   "Ngày bắt đầu không hợp lệ",
			"/staff/register/export?format=pdf&to=2026-10-01":      "Ngày kết thúc phải từ ngày bắt đầu trở đi",
			"/staff/register/export?format=html&from=2020-01-01":   "tối đa một năm",
			"/staff/register/export?format=xlsx&status=0":          "Trạng thái phải là mã từ 1 đến 10",
			"/staff/register/export?format=xlsx&procedure=unknown": "Không có thủ tục này",
		} {
			if st, body := lan.get(t, path); st != 400 || !strings.Contains(body, want) {
				t.Errorf("%s: %d, want 400 %q", path, st, want)
			}
		}
		// Every staff role reads the register; the supervisor the province's.
		for _, user := range []string{"tuphap.huong", "chutich.binh"} {
			if st, body := signIn(t, env, user).get(t, "/staff/register"); st != 200 || !strings.Contains(body, birth.Code) {
				t.Errorf("%s: %d", user, st)
			}
		}
	})
}
