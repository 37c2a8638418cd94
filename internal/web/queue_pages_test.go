package web_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/store"
)

// queueNow is a Friday morning at the centre.
var queueNow = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, calendar.Location) }

// qpClock runs from a Friday morning at the centre, a millisecond at least
// between two readings, so that tickets taken one after the other are in
// that order.
func qpClock() func() time.Time {
	var mu sync.Mutex
	start, base := time.Now(), queueNow()
	var last time.Time
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := base.Add(time.Since(start))
		if !t.After(last) {
			t = last.Add(time.Millisecond)
		}
		last = t
		return t
	}
}

// qpClient is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so a test sees each 303.
type qpClient struct {
	t   *testing.T
	env *apptest.Env
	*http.Client
}

func newQPClient(t *testing.T, env *apptest.Env) *qpClient {
	jar, _ := cookiejar.New(nil)
	return &qpClient{t: t, env: env, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *qpClient) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.Get(c.env.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form; headers are name, value pairs.
func (c *qpClient) post(path string, form url.Values, headers ...string) (status int, body, location string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.env.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

func (c *qpClient) cookie(path, name string) *http.Cookie {
	u, _ := url.Parse(c.env.URL + path)
	for _, k := range c.Jar.Cookies(u) {
		if k.Name == name {
			return k
		}
	}
	return nil
}

func (c *qpClient) setDevice(token string) {
	u, _ := url.Parse(c.env.URL + "/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "motcua_device", Value: token, Path: "/"}})
}

var (
	reQPDeviceCSRF = regexp.MustCompile(`name="device_csrf" value="([^"]*)"`)
	reQPFormToken  = regexp.MustCompile(`name="form_token" value="([0-9a-f]+)"`)
)

func qpField(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in the page: %.600s", re, body)
	}
	return m[1]
}

// qpWant fails the test unless the page has the status and every text.
func qpWant(t *testing.T, what string, status int, body string, want int, texts ...string) {
	t.Helper()
	if status != want {
		t.Errorf("%s: status %d, want %d: %.400s", what, status, want, body)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Errorf("%s: the page lacks %q", what, s)
		}
	}
}

func qpToken(t *testing.T, env *apptest.Env, spec identity.TokenSpec) string {
	t.Helper()
	tok, err := env.App.Tokens.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The queue's pages on both engines: registering a screen, the kiosk's
// forms without JavaScript, the phone page, the board and booking. Every
// refusal is a 4xx page in Vietnamese.
func TestQueuePages(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			env := apptest.Start(t, eng, apptest.Options{Commune: true, Now: qpClock()})
			t.Run("device", func(t *testing.T) { qpTestDevice(t, env) })
			t.Run("kiosk", func(t *testing.T) { qpTestKiosk(t, env) })
			t.Run("phone-and-board", func(t *testing.T) { qpTestPhoneBoard(t, env) })
			t.Run("booking", func(t *testing.T) { qpTestBooking(t, env) })
		})
	}
}

func qpTestDevice(t *testing.T, env *apptest.Env) {
	c := newQPClient(t, env)
	st, body := c.get("/queue/device")
	qpWant(t, "device page", st, body, 200, "Đăng ký màn hình", "Chưa đăng ký", "motcua token create --role kiosk")
	tok := qpField(t, reQPFormToken, body)
	kiosk := qpToken(t, env, identity.TokenSpec{Role: identity.RoleKiosk, Label: "Máy lấy số sảnh"})
	counter := qpToken(t, env, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "2", Label: "Màn hình quầy 2"})
	admin := qpToken(t, env, identity.TokenSpec{Role: identity.RoleAdministrator, Label: "script"})

	st, body, _ = c.post("/queue/device", url.Values{"token": {kiosk}})
	qpWant(t, "no form token", st, body, 403, "Biểu mẫu đã cũ")
	st, body, _ = c.post("/queue/device", url.Values{"token": {kiosk}, "form_token": {tok}}, "Origin", "https://evil.example")
	qpWant(t, "another site", st, body, 403, "Biểu mẫu đã cũ")
	st, body, _ = c.post("/queue/device", url.Values{"token": {"mc_khongphaima"}, "form_token": {tok}})
	qpWant(t, "bad token", st, body, 400, "Mã thiết bị không đúng, đã bị thu hồi hoặc đã hết hạn.")
	st, body, _ = c.post("/queue/device", url.Values{"token": {""}, "form_token": {tok}})
	qpWant(t, "no token", st, body, 400, "Vui lòng dán mã thiết bị.")
	st, body, _ = c.post("/queue/device", url.Values{"token": {admin}, "form_token": {tok}})
	qpWant(t, "administrator's token", st, body, 400, "không phải mã của máy lấy số hay màn hình quầy")
	if c.cookie("/", "motcua_device") != nil {
		t.Fatal("a refused token was kept")
	}
	st, _, loc := c.post("/queue/device", url.Values{"token": {" " + kiosk + " "}, "form_token": {tok}})
	if st != 303 || loc != "/queue/kiosk" {
		t.Fatalf("kiosk registration: %d → %q", st, loc)
	}
	if k := c.cookie("/", "motcua_device"); k == nil || k.Value != kiosk {
		t.Fatalf("device cookie %+v", k)
	}
	st, body = c.get("/queue/device")
	qpWant(t, "registered kiosk", st, body, 200, "Máy lấy số", "Máy lấy số sảnh", "Quên màn hình này")
	st, body = c.get("/queue/kiosk")
	qpWant(t, "kiosk after registration", st, body, 200, "Mời bạn chọn dịch vụ cần làm", "Hộ tịch", "Chứng thực", `href="/queue/kiosk/priority?group=ho_tich"`)

	// Forgetting needs the device's form token.
	st, body, _ = c.post("/queue/device/forget", url.Values{"device_csrf": {"sai"}})
	qpWant(t, "forget with a wrong token", st, body, 403, "Biểu mẫu đã cũ")
	_, body = c.get("/queue/device")
	st, _, loc = c.post("/queue/device/forget", url.Values{"device_csrf": {qpField(t, reQPDeviceCSRF, body)}})
	if st != 303 || loc != "/queue/device?forgot=1" || c.cookie("/", "motcua_device") != nil {
		t.Fatalf("forget: %d %q, cookie %+v", st, loc, c.cookie("/", "motcua_device"))
	}
	st, body = c.get("/queue/device?forgot=1")
	qpWant(t, "forgotten", st, body, 200, "Màn hình này đã quên mã thiết bị.", "Chưa đăng ký")

	// A counter's token registers a counter screen.
	st, _, loc = c.post("/queue/device", url.Values{"token": {counter}, "form_token": {tok}})
	if st != 303 || loc != "/queue/counter" {
		t.Fatalf("counter registration: %d → %q", st, loc)
	}
	st, body = c.get("/queue/kiosk")
	qpWant(t, "counter screen at the kiosk", st, body, 200, "chưa được đăng ký làm máy lấy số", "quầy số 2")
	// The cookie: HttpOnly, SameSite=Strict, a year.
	req, _ := http.NewRequest("POST", env.URL+"/queue/device", strings.NewReader(url.Values{"token": {kiosk}, "form_token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "motcua_form", Value: tok})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"motcua_device=" + kiosk, "HttpOnly", "SameSite=Strict", "Max-Age=31536000", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("device cookie %q lacks %s", sc, want)
		}
	}

	// An administrator registers a screen in one click; others cannot.
	adm := signIn(t, env, "quantri")
	st, b := adm.get(t, "/queue/device")
	qpWant(t, "administrator's device page", st, b, 200, "Đăng ký nhanh (quản trị viên)", "Mai Xuân Trường", "Quầy 3 – Hộ tịch, chứng thực")
	noFollow := *adm.Client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	ac := &qpClient{t: t, env: env, Client: &noFollow}
	st, b, _ = ac.post("/queue/device/staff", url.Values{"role": {"kiosk"}, "csrf": {"sai"}})
	qpWant(t, "one click with a wrong CSRF", st, b, 403, "Biểu mẫu đã cũ")
	st, b, _ = ac.post("/queue/device/staff", url.Values{"role": {"counter"}, "counter": {"42"}, "csrf": {adm.csrf}})
	qpWant(t, "unknown counter", st, b, 400, "Không có quầy này.")
	st, _, loc = ac.post("/queue/device/staff", url.Values{"role": {"kiosk"}, "csrf": {adm.csrf}})
	if st != 303 || loc != "/queue/kiosk" {
		t.Fatalf("one-click kiosk: %d %q", st, loc)
	}
	st, b = ac.get("/queue/kiosk")
	qpWant(t, "one-click kiosk", st, b, 200, "Mời bạn chọn dịch vụ cần làm")
	st, _, loc = ac.post("/queue/device/staff", url.Values{"role": {"counter"}, "counter": {"3"}, "csrf": {adm.csrf}})
	if st != 303 || loc != "/queue/counter" {
		t.Fatalf("one-click counter: %d %q", st, loc)
	}
	st, b = ac.get("/queue/device")
	qpWant(t, "one-click counter", st, b, 200, "Màn hình quầy số 3", "Mai Xuân Trường đăng ký 27/11/2026")
	lan := signIn(t, env, "motcua.lan")
	st, b, _ = lan.post(t, "/queue/device/staff", url.Values{"role": {"kiosk"}})
	qpWant(t, "a counter officer's one click", st, b, 403, "Chỉ quản trị viên mới đăng ký được màn hình.")
	st, b, _ = newQPClient(t, env).post("/queue/device/staff", url.Values{"role": {"kiosk"}})
	qpWant(t, "one click signed out", st, b, 401, "Phiên đăng nhập đã hết")
}

func qpTestKiosk(t *testing.T, env *apptest.Env) {
	ctx := context.Background()
	anon := newQPClient(t, env)
	st, body := anon.get("/queue/kiosk")
	qpWant(t, "unregistered kiosk", st, body, 200, "Màn hình này chưa được đăng ký làm máy lấy số", `href="/queue/device"`)
	st, body, _ = anon.post("/queue/kiosk/tickets", url.Values{"group": {"ho_tich"}})
	qpWant(t, "unregistered screen issues", st, body, 403, "chưa được đăng ký")

	c := newQPClient(t, env)
	c.setDevice(qpToken(t, env, identity.TokenSpec{Role: identity.RoleKiosk, Label: "Máy lấy số 1"}))
	st, body = c.get("/queue/kiosk/priority?group=ho_tich")
	qpWant(t, "priority step", st, body, 200, "Bạn có thuộc nhóm được ưu tiên không?", "Người cao tuổi (từ 60 tuổi)", "Phụ nữ mang thai",
		`href="/queue/kiosk/confirm?group=ho_tich&amp;procedure=&amp;priority=elderly"`, `data-speak="Bạn có thuộc nhóm được ưu tiên không?`)
	st, body = c.get("/queue/kiosk/confirm?group=ho_tich&priority=elderly")
	qpWant(t, "confirm step", st, body, 200, "Kiểm tra và lấy số", "Người cao tuổi (từ 60 tuổi)", "khi còn 3 người phía trước", `name="phone"`)
	csrf := qpField(t, reQPDeviceCSRF, body)

	issue := func(form url.Values) (int, string, string) {
		form.Set("device_csrf", csrf)
		return c.post("/queue/kiosk/tickets", form)
	}
	ticketPage := func(loc string) string {
		t.Helper()
		if !strings.HasPrefix(loc, "/queue/kiosk/tickets/") {
			t.Fatalf("after issuing: %q", loc)
		}
		st, body := c.get(loc)
		if st != 200 {
			t.Fatalf("ticket page %d", st)
		}
		return body
	}
	st, _, loc := issue(url.Values{"group": {"ho_tich"}, "priority": {""}})
	if st != 303 {
		t.Fatalf("issue: %d", st)
	}
	normal := ticketPage(loc)
	normalID := strings.TrimPrefix(loc, "/queue/kiosk/tickets/")
	qpWant(t, "normal ticket", 200, normal, 200, `<p class="slip-number">A001</p>`, "Hộ tịch", "không có ai phía trước", "/queue/t/"+normalID+"/qr.png",
		env.URL+"/queue/t/"+normalID, "Số thứ tự của bạn là A không không một.", `content="20;url=/queue/kiosk?lang=vi"`)
	if strings.Contains(normal, "slip-prio") {
		t.Error("a normal ticket says priority")
	}
	st, _, loc = issue(url.Values{"group": {"ho_tich"}, "priority": {"elderly"}, "phone": {"0912 345 678"}})
	prio := ticketPage(loc)
	qpWant(t, "priority ticket", st, prio, 303, `<p class="slip-number">A002</p>`, "Ưu tiên: Người cao tuổi (từ 60 tuổi)", "không có ai phía trước")
	if tk, err := env.App.Queue.Get(ctx, strings.TrimPrefix(loc, "/queue/kiosk/tickets/")); err != nil || tk.Priority != "elderly" || tk.Phone != "0912345678" || tk.Source != queue.SourceKiosk {
		t.Errorf("priority ticket %+v %v", tk, err)
	}
	// The normal ticket now has the priority one ahead of it.
	st, body = c.get("/queue/t/" + normalID)
	qpWant(t, "phone page behind a priority ticket", st, body, 200, "Đang chờ — còn 1 người phía trước, khoảng")

	// The QR code opens the phone page.
	resp, err := c.Get(env.URL + "/queue/t/" + normalID + "/qr.png")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if _, err := png.Decode(bytes.NewReader(img)); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || err != nil {
		t.Errorf("QR: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}

	// Refusals: a forged form, another site, a bad phone, a bad priority.
	before := qpWaiting(t, env)
	st, body, _ = c.post("/queue/kiosk/tickets", url.Values{"group": {"ho_tich"}, "device_csrf": {"gia-mao"}})
	qpWant(t, "forged device CSRF", st, body, 403, "không được gửi từ máy lấy số này")
	st, body, _ = c.post("/queue/kiosk/tickets", url.Values{"group": {"ho_tich"}, "device_csrf": {csrf}}, "Origin", "https://evil.example")
	qpWant(t, "another site", st, body, 403, "không được gửi từ máy lấy số này")
	st, body, _ = issue(url.Values{"group": {"ho_tich"}, "phone": {"12345"}})
	qpWant(t, "bad phone", st, body, 400, "Số điện thoại di động không hợp lệ", "Kiểm tra và lấy số", `value="12345"`, `aria-invalid="true"`)
	st, body, _ = issue(url.Values{"group": {"ho_tich"}, "priority": {"vip"}})
	qpWant(t, "bad priority", st, body, 400, "Nhóm ưu tiên không hợp lệ.")
	st, body, _ = issue(url.Values{"group": {"khong_co"}})
	qpWant(t, "unknown group", st, body, 400, "Không có nhóm dịch vụ này.", "Mời bạn chọn dịch vụ cần làm")
	if after := qpWaiting(t, env); after != before {
		t.Errorf("refused forms issued tickets: %d → %d waiting", before, after)
	}
	st, body = c.get("/queue/kiosk/priority?group=khong_co")
	qpWant(t, "unknown group's step", st, body, 400, "Không có nhóm dịch vụ này.")
	st, body = c.get("/queue/kiosk/confirm?group=ho_tich&priority=vip")
	qpWant(t, "unknown priority's step", st, body, 400, "Nhóm ưu tiên không hợp lệ.")

	// Search without diacritics, then the procedure's group.
	st, body = c.get("/queue/kiosk?q=dang+ky+khai+sinh")
	qpWant(t, "search", st, body, 200, "Kết quả tìm kiếm cho “dang ky khai sinh”", "Đăng ký khai sinh", `href="/queue/kiosk/priority?procedure=1.001193"`)
	st, body = c.get("/queue/kiosk/priority?procedure=1.001193")
	qpWant(t, "procedure's priority step", st, body, 200, "Hộ tịch — Đăng ký khai sinh", "procedure=1.001193")
	st, _, loc = issue(url.Values{"procedure": {"1.001612"}})
	qpWant(t, "by procedure", st, ticketPage(loc), 303, `<p class="slip-number">C001</p>`, "Kinh doanh")
	st, body = c.get("/queue/kiosk?q=zzzqqq")
	qpWant(t, "search without results", st, body, 200, "Không tìm thấy thủ tục phù hợp")

	// Check-in with a booking code.
	slots, err := env.App.Queue.Slots(ctx, "H56.16072", "ho_tich", queueNow())
	if err != nil || len(slots) == 0 {
		t.Fatalf("slots today: %v %v", slots, err)
	}
	ap, err := env.App.Queue.Book(ctx, queue.BookRequest{Group: "ho_tich", At: slots[0].At, Name: "Trần Thị Mai", Phone: "0987654321"})
	if err != nil {
		t.Fatal(err)
	}
	st, body = c.get("/queue/kiosk/appointment")
	qpWant(t, "appointment step", st, body, 200, "Mã lịch hẹn", `name="appointment_code"`)
	st, body, _ = issue(url.Values{"appointment_code": {""}})
	qpWant(t, "no code", st, body, 400, "Vui lòng nhập mã lịch hẹn.")
	st, body, _ = issue(url.Values{"appointment_code": {"ZZZZZZZZ"}})
	qpWant(t, "unknown code", st, body, 400, "Không tìm thấy lịch hẹn với mã này.", `value="ZZZZZZZZ"`)
	st, _, loc = issue(url.Values{"appointment_code": {strings.ToLower(ap.Code)}})
	qpWant(t, "check-in", st, ticketPage(loc), 303, "Theo lịch hẹn", "Hộ tịch")
	st, body, _ = issue(url.Values{"appointment_code": {ap.Code}})
	qpWant(t, "second check-in", st, body, 400, "Lịch hẹn này đã được sử dụng hoặc đã hủy.")

	// English.
	st, body = c.get("/queue/kiosk/confirm?group=ho_tich&priority=pregnant&lang=en")
	qpWant(t, "English confirm", st, body, 200, `lang="en"`, "Check and take your number", "Pregnant woman", "Take a number")
	st, body, _ = issue(url.Values{"group": {"ho_tich"}, "phone": {"12345"}})
	qpWant(t, "English error", st, body, 400, "That mobile number is not valid")
	c.get("/queue/kiosk?lang=vi")
}

// qpWaiting counts the tickets waiting at the home centre.
func qpWaiting(t *testing.T, env *apptest.Env) int {
	t.Helper()
	b, err := env.App.Queue.Board(context.Background(), "H56.16072")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range b.Waiting {
		n += g.Waiting
	}
	return n
}

func qpTestPhoneBoard(t *testing.T, env *apptest.Env) {
	ctx := context.Background()
	kiosk := &identity.Principal{ID: "k", Name: "Máy lấy số", Roles: []string{identity.RoleKiosk}}
	a, err := env.App.Queue.Issue(ctx, kiosk, queue.IssueRequest{Group: "cu_tru"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.App.Queue.Issue(ctx, kiosk, queue.IssueRequest{Group: "cu_tru"})
	if err != nil {
		t.Fatal(err)
	}
	c := newQPClient(t, env)
	st, body := c.get("/queue/t/" + b.ID)
	qpWant(t, "phone page", st, body, 200, "F002", "Công an xã – cư trú", "Đang chờ — còn 1 người phía trước, khoảng", `id="follow-live"`, "/static/queue-follow.js")
	st, body = c.get("/queue/t/" + a.ID)
	qpWant(t, "first in line", st, body, 200, "Đang chờ — bạn là người tiếp theo")
	counter6 := qpToken(t, env, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "6", Label: "Quầy 6"})
	if st, out := env.Do(t, "POST", "/api/v1/queue/counters/6/call-next", counter6, nil); st != 200 || !strings.Contains(string(out), "F001") {
		t.Fatalf("call next: %d %s", st, out)
	}
	st, body = c.get("/queue/t/" + a.ID)
	qpWant(t, "called", st, body, 200, "Mời bạn đến quầy số 6", "tone-called")
	st, body = c.get("/queue/t/" + b.ID + "?lang=en")
	qpWant(t, "English phone page", st, body, 200, "Waiting — you are next")
	c.get("/queue/t/" + b.ID + "?lang=vi")
	st, body = c.get("/queue/t/khongcoso")
	qpWant(t, "unknown ticket", st, body, 404, "Không tìm thấy số thứ tự này.")
	st, body = c.get("/queue/t/khongcoso/qr.png")
	qpWant(t, "unknown ticket's QR", st, body, 404)

	st, body = c.get("/queue/board")
	qpWant(t, "board", st, body, 200, "Bảng gọi số", `data-counter="6"`, "F001", "Công an xã – cư trú", `<meta http-equiv="refresh" content="10">`,
		"/static/queue-board.js", "SANDBOX")
	st, body = c.get("/queue/board?lang=en")
	qpWant(t, "English board", st, body, 200, "Calling board", "Commune police – residence", "Counter 6")
	c.get("/queue/board?lang=vi")
	st, body = c.get("/queue/board?agency=KHONG")
	qpWant(t, "unknown centre's board", st, body, 404, "Không có trung tâm này.")
}

func qpTestBooking(t *testing.T, env *apptest.Env) {
	c := newQPClient(t, env)
	st, body := c.get("/queue/book")
	qpWant(t, "booking form", st, body, 200, "Đặt lịch hẹn", "Kinh doanh", "Thứ Hai, 30/11/2026", "Thứ Sáu, 27/11/2026")
	if strings.Contains(body, "Thứ Bảy, 28/11/2026") || strings.Contains(body, "Chủ nhật, 29/11/2026") {
		t.Error("the weekend is offered")
	}
	st, body = c.get("/queue/book?group=kinh_doanh&date=2026-11-30")
	qpWant(t, "slots", st, body, 200, "Kinh doanh — Thứ Hai, 30/11/2026", "07:30 – 08:00", "còn 1 chỗ", `name="at"`)
	tok := qpField(t, reQPFormToken, body)
	st, body = c.get("/queue/book?group=kinh_doanh&date=2026-11-29")
	qpWant(t, "a Sunday", st, body, 400, "Vui lòng chọn một ngày làm việc trong danh sách.")
	st, body = c.get("/queue/book?group=khong_co&date=2026-11-30")
	qpWant(t, "unknown group", st, body, 400, "Vui lòng chọn nhóm dịch vụ.")

	at := time.Date(2026, 11, 30, 8, 0, 0, 0, calendar.Location).Format(time.RFC3339)
	form := func(kv ...string) url.Values {
		f := url.Values{"form_token": {tok}, "group": {"kinh_doanh"}, "date": {"2026-11-30"}, "at": {at}, "name": {"Phạm Thị Hoa"}, "phone": {"0987 111 222"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	st, body, _ = c.post("/queue/book", form("form_token", ""))
	qpWant(t, "no form token", st, body, 403, "Biểu mẫu đã cũ")
	st, body, _ = c.post("/queue/book", form("phone", "0212 000 111"))
	qpWant(t, "bad phone", st, body, 400, "Số điện thoại di động không hợp lệ", `href="#qbook-phone"`, `value="Phạm Thị Hoa"`)
	st, body, _ = c.post("/queue/book", form("name", "  "))
	qpWant(t, "no name", st, body, 400, "Vui lòng nhập họ và tên")
	st, body, _ = c.post("/queue/book", form("at", ""))
	qpWant(t, "no time", st, body, 400, "Vui lòng chọn giờ hẹn.")
	st, body, loc := c.post("/queue/book", form())
	if st != 303 || !strings.HasPrefix(loc, "/queue/book/") || !strings.HasSuffix(loc, "?new=1") {
		t.Fatalf("book: %d %q %.300s", st, loc, body)
	}
	code := strings.TrimSuffix(strings.TrimPrefix(loc, "/queue/book/"), "?new=1")
	st, body = c.get(loc)
	qpWant(t, "confirmation", st, body, 200, "Đã đặt lịch hẹn.", `<p class="qbook-code">`+code+`</p>`, "data:image/png;base64,", "Phạm Thị Hoa",
		"Thứ Hai, 30/11/2026, 08:00 – 08:30", "Tôi có lịch hẹn", "/queue/book/"+code+"/cancel")
	// The slot had one place: it is full now.
	st, body = c.get("/queue/book?group=kinh_doanh&date=2026-11-30")
	qpWant(t, "full slot", st, body, 200, "hết chỗ")
	st, body, _ = c.post("/queue/book", form("phone", "0912 000 333", "name", "Lê Văn Tám"))
	qpWant(t, "booking a full slot", st, body, 400, "Khung giờ này vừa hết chỗ")

	// Cancelling needs the phone number it was booked with.
	st, body, _ = c.post("/queue/book/"+code+"/cancel", url.Values{"form_token": {tok}, "phone": {"0912000999"}})
	qpWant(t, "cancel with another phone", st, body, 400, "Số điện thoại không khớp")
	st, body, _ = c.post("/queue/book/"+code+"/cancel", url.Values{"phone": {"0987111222"}})
	qpWant(t, "cancel without the form token", st, body, 403, "Biểu mẫu đã cũ")
	st, _, loc = c.post("/queue/book/"+code+"/cancel", url.Values{"form_token": {tok}, "phone": {"0987 111 222"}})
	if st != 303 || loc != "/queue/book/"+code+"?cancelled=1" {
		t.Fatalf("cancel: %d %q", st, loc)
	}
	st, body = c.get(loc)
	qpWant(t, "cancelled", st, body, 200, "Đã hủy lịch hẹn.", "Đã hủy")
	st, body, _ = c.post("/queue/book/"+code+"/cancel", url.Values{"form_token": {tok}, "phone": {"0987111222"}})
	qpWant(t, "cancel twice", st, body, 400, "Lịch hẹn này đã được sử dụng hoặc đã hủy.")
	st, body = c.get("/queue/book/ZZZZZZZZ")
	qpWant(t, "unknown booking", st, body, 404, "Không tìm thấy lịch hẹn với mã này.")
	st, body = c.get("/queue/book?lang=en")
	qpWant(t, "English booking", st, body, 200, "Book an appointment", "Monday, 30/11/2026")
	c.get("/queue/book?lang=vi")
}
