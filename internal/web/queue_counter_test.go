package web_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
	"github.com/motcua/motcua/internal/store"
)

// qsClock is a clock the queue tests move forward, so that waits and
// service times are not all zero.
type qsClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *qsClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *qsClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// qsEach runs a queue staff test on both engines, on the demo commune
// (six groups A–F, counters 1–6, officers seated) at 09:00 on a Friday.
func qsEach(t *testing.T, fn func(t *testing.T, env *apptest.Env, clock *qsClock)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			clock := &qsClock{t: fixedNow()}
			fn(t, apptest.Start(t, eng, apptest.Options{Commune: true, Now: clock.Now}), clock)
		})
	}
}

var qsKiosk = &identity.Principal{ID: "k", Roles: []string{identity.RoleKiosk}}

// qsIssue takes a ticket at the kiosk, a minute after the last one.
func qsIssue(t *testing.T, env *apptest.Env, clock *qsClock, group, priority string) *queue.Ticket {
	t.Helper()
	tk, err := env.App.Queue.Issue(context.Background(), qsKiosk, queue.IssueRequest{Group: group, Priority: priority})
	if err != nil {
		t.Fatalf("issue %s: %v", group, err)
	}
	clock.Add(time.Minute)
	return tk
}

// qsRev is a ticket's revision now.
func qsRev(t *testing.T, env *apptest.Env, id string) string {
	t.Helper()
	tk, err := env.App.Queue.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(tk.Rev)
}

var reFlash = regexp.MustCompile(`(?s)<p class="notice ok" role="status">(.*?)</p>`)

// qsFlash is the confirmation at the top of a page.
func qsFlash(body string) string {
	if m := reFlash.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// qsAct posts an action on a ticket from the counter's screen.
func qsAct(t *testing.T, env *apptest.Env, c *staffClient, id, action string, extra url.Values) (int, string) {
	t.Helper()
	f := url.Values{"id": {id}, "action": {action}, "rev": {qsRev(t, env, id)}}
	for k, v := range extra {
		f[k] = v
	}
	st, body, _ := c.post(t, "/queue/counter/act", f)
	return st, body
}

// The counter's screen by form posts: roles, call next in priority order,
// recall, absent, start, hold and resume, transfer, call a given ticket,
// cancel, link a dossier, a stale form, a closed counter; a registered
// counter device without a session.
func TestQueueCounterPages(t *testing.T) {
	qsEach(t, func(t *testing.T, env *apptest.Env, clock *qsClock) {
		ctx := context.Background()
		a1 := qsIssue(t, env, clock, "ho_tich", "")
		a2 := qsIssue(t, env, clock, "ho_tich", "elderly")
		b1 := qsIssue(t, env, clock, "chung_thuc", "")
		b2 := qsIssue(t, env, clock, "chung_thuc", "")

		// Without a session: the sign-in page, which brings one back.
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, p := range []string{"/queue/counter", "/queue/manager"} {
			resp, err := noFollow.Get(env.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/staff/login?next=%2Fstaff"+strings.ReplaceAll(p, "/", "%2F") {
				t.Errorf("%s without a session: %d %s", p, resp.StatusCode, loc)
			}
		}
		resp, err := noFollow.PostForm(env.URL+"/queue/counter/next", url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/staff/login") {
			t.Errorf("call next without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}

		lan := signIn(t, env, "motcua.lan")     // counter 1: civil status
		hung := signIn(t, env, "motcua.hung")   // counter 2: certification
		huong := signIn(t, env, "tuphap.huong") // a specialist at no counter
		admin := signIn(t, env, "quantri")      // no counter role

		if st, body := huong.get(t, "/queue/counter"); st != 200 || !strings.Contains(body, "chưa được gán quầy") || strings.Contains(body, `id="qc-next"`) {
			t.Errorf("specialist without a counter: %d", st)
		}
		if st, body, _ := huong.post(t, "/queue/counter/next", url.Values{}); st != 403 || !strings.Contains(body, "không làm việc tại quầy") {
			t.Errorf("call next without a counter: %d", st)
		}
		if st, body := admin.get(t, "/queue/counter"); st != 403 || !strings.Contains(body, "Đăng xuất") {
			t.Errorf("administrator at the counter screen: %d", st)
		}

		st, body := lan.get(t, "/queue/counter")
		if st != 200 || !strings.Contains(body, "Quầy 1 – gọi số") || !strings.Contains(body, `accesskey="g"`) {
			t.Fatalf("counter 1: %d", st)
		}
		if i, j := strings.Index(body, ">"+a2.Label+"<"), strings.Index(body, ">"+a1.Label+"<"); i < 0 || j < 0 || i > j || strings.Contains(body, ">"+b1.Label+"<") {
			t.Errorf("counter 1's line: the priority ticket first, no certification (%d %d)", i, j)
		}
		// A forged token calls nobody.
		if st, _, _ := lan.post(t, "/queue/counter/next", url.Values{"csrf": {"forged"}}); st != 403 {
			t.Errorf("forged CSRF: %d", st)
		}
		if tk, _ := env.App.Queue.Get(ctx, a2.ID); tk.State != queue.StateWaiting {
			t.Errorf("called by a forged form: %s", tk.State)
		}

		// Call next: the elderly person first.
		st, body, u := lan.post(t, "/queue/counter/next", url.Values{})
		if st != 200 || u.Path != "/queue/counter" || qsFlash(body) != "Đã gọi số A002 đến quầy 1." || !strings.Contains(body, `id="qc-current-number">A002<`) {
			t.Fatalf("call next: %d %q", st, qsFlash(body))
		}
		if !strings.Contains(body, "Người cao tuổi") || !strings.Contains(body, `id="qc-start"`) || !strings.Contains(body, "/staff/intake?ticket="+a2.ID) {
			t.Error("the current ticket: priority class, start button, intake link")
		}
		// The dossier received for the ticket names it: the intake form
		// carries the ticket and links it once the dossier is written.
		_, form := lan.get(t, "/staff/intake/1.001193?ticket="+a2.ID)
		key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(form)
		if key == nil || !strings.Contains(form, `name="ticket" value="`+a2.ID+`"`) {
			t.Fatal("the intake form does not carry the ticket")
		}
		st, body, u = lan.post(t, "/staff/intake/1.001193", url.Values{"key": {key[1]}, "ticket": {a2.ID}, "decision": {"guide"},
			"kind": {"citizen"}, "name": {"Nguyễn Văn Bảy"}, "id_number": {"036090001234"}, "phone": {"0912345678"}, "reasons": {"Thiếu giấy chứng sinh"}})
		tk, _ := env.App.Queue.Get(ctx, a2.ID)
		if st != 200 || !strings.HasPrefix(u.Path, "/staff/dossiers/") || tk.Dossier == "" || !strings.HasSuffix(u.Path, tk.Dossier) {
			t.Errorf("intake for the ticket: %d %s, ticket's dossier %q: %s", st, u, tk.Dossier, regexp.MustCompile(`(?s)notice error[^>]*>(.*?)<`).FindString(body))
		}
		st, body = lan.get(t, "/queue/counter")
		clock.Add(time.Minute)
		steps := []struct{ action, want string }{
			{"recall", "Đã gọi lại số A002."},
			{"absent", "Số A002 vắng mặt: trở lại hàng chờ lúc 09:10."},
		}
		for _, s := range steps {
			if st, body := qsAct(t, env, lan, a2.ID, s.action, nil); st != 200 || qsFlash(body) != s.want {
				t.Errorf("%s: %d %q", s.action, st, qsFlash(body))
			}
		}
		// During the grace the next is the other one.
		if _, body, _ := lan.post(t, "/queue/counter/next", url.Values{}); qsFlash(body) != "Đã gọi số A001 đến quầy 1." || !strings.Contains(body, "vắng mặt, gọi lại được từ 09:10") {
			t.Errorf("next during the grace: %q", qsFlash(body))
		}
		staleRev := qsRev(t, env, a1.ID)
		clock.Add(2 * time.Minute)
		for _, s := range []struct{ action, want string }{
			{"start", "Bắt đầu phục vụ số A001."},
			{"hold", "Đã tạm dừng số A001. Bấm “Tiếp tục” khi công dân quay lại."},
			{"resume", "Tiếp tục phục vụ số A001."},
		} {
			st, body := qsAct(t, env, lan, a1.ID, s.action, nil)
			if st != 200 || qsFlash(body) != s.want {
				t.Errorf("%s: %d %q", s.action, st, qsFlash(body))
			}
			if s.action == "hold" && !strings.Contains(body, `id="qc-resume-`+a1.ID+`"`) {
				t.Error("the held ticket has no resume button")
			}
		}
		// A form older than the ticket: refused at the top, in Vietnamese, never a 500.
		st, body, _ = lan.post(t, "/queue/counter/act", url.Values{"id": {a1.ID}, "action": {"finish"}, "rev": {staleRev}})
		if st != 409 || !strings.Contains(body, "vừa được cập nhật") || !strings.Contains(body, `id="qc-error"`) || !strings.Contains(body, "Đăng xuất") {
			t.Errorf("stale form: %d", st)
		}
		env.App.Queue.Get(ctx, a1.ID)
		if st, body := qsAct(t, env, lan, a1.ID, "transfer", url.Values{"to": {"c:3"}}); st != 200 || qsFlash(body) != "Đã chuyển số A001 sang quầy 3." {
			t.Errorf("transfer to counter 3: %d %q", st, qsFlash(body))
		}
		if st, body := qsAct(t, env, lan, a1.ID, "transfer", url.Values{"to": {""}}); st != 400 || !strings.Contains(body, "Chọn quầy hoặc nhóm dịch vụ") {
			t.Errorf("transfer nowhere: %d", st)
		}
		if st, body := qsAct(t, env, lan, a1.ID, "dance", nil); st != 400 || !strings.Contains(body, "Thao tác không hợp lệ") {
			t.Errorf("unknown action: %d", st)
		}
		if st, _, _ := lan.post(t, "/queue/counter/act", url.Values{"id": {"nope"}, "action": {"recall"}}); st != 404 {
			t.Errorf("unknown ticket: %d", st)
		}

		// Counter 2 calls a given ticket, links a dossier, cancels a mistaken one.
		if st, body := qsAct(t, env, hung, b2.ID, "call", nil); st != 200 || qsFlash(body) != "Đã gọi số B002 đến quầy 2." {
			t.Errorf("call B002: %d %q", st, qsFlash(body))
		}
		if st, body := qsAct(t, env, hung, b2.ID, "link", url.Values{"dossier": {"H56.16072-261127-9999"}}); st != 404 || !strings.Contains(body, "Không tìm thấy hồ sơ") {
			t.Errorf("link to no dossier: %d", st)
		}
		d := newDeskFlow(t, env).create(birthJSON)
		if st, body := qsAct(t, env, hung, b2.ID, "link", url.Values{"dossier": {strings.ToLower(d.Code)}}); st != 200 || qsFlash(body) != "Đã gắn hồ sơ "+d.Code+" với số B002." || !strings.Contains(body, `href="/staff/dossiers/`+d.Code+`"`) {
			t.Errorf("link: %d %q", st, qsFlash(body))
		}
		if st, body := qsAct(t, env, hung, b1.ID, "cancel", nil); st != 200 || qsFlash(body) != "Đã hủy số B001." {
			t.Errorf("cancel: %d %q", st, qsFlash(body))
		}
		if st, body := qsAct(t, env, hung, b2.ID, "finish", nil); st != 200 || qsFlash(body) != "Đã xong số B002." {
			t.Errorf("finish: %d %q", st, qsFlash(body))
		}
		if st, body, _ := hung.post(t, "/queue/counter/next", url.Values{}); st != 200 || qsFlash(body) != "Không có ai đang chờ ở các nhóm của quầy này." {
			t.Errorf("nobody waiting: %d %q", st, qsFlash(body))
		}
		// Counter 1 takes A002 back after the grace; finishes it.
		clock.Add(5 * time.Minute)
		if _, body, _ := lan.post(t, "/queue/counter/next", url.Values{}); qsFlash(body) != "Đã gọi số A002 đến quầy 1." {
			t.Errorf("after the grace: %q", qsFlash(body))
		}
		// Another counter's ticket is not this one's to finish.
		if st, body := qsAct(t, env, hung, a2.ID, "finish", nil); st != 409 || !strings.Contains(body, "Không thể thực hiện thao tác này") {
			t.Errorf("counter 2 finishing counter 1's ticket: %d", st)
		}

		// Closing the counter: calls are refused until it opens again.
		if st, body, _ := lan.post(t, "/queue/counter/open", url.Values{"open": {"0"}}); st != 200 || qsFlash(body) != "Quầy đã tạm đóng." || !strings.Contains(body, `id="qc-open"`) {
			t.Errorf("close: %d %q", st, qsFlash(body))
		}
		if st, body, _ := lan.post(t, "/queue/counter/next", url.Values{}); st != 409 || !strings.Contains(body, "Quầy đang đóng") {
			t.Errorf("call at a closed counter: %d", st)
		}
		if _, body, _ := lan.post(t, "/queue/counter/open", url.Values{"open": {"1"}}); qsFlash(body) != "Quầy đã mở: có thể gọi số." {
			t.Errorf("open: %q", qsFlash(body))
		}

		// English: the page and the queue's errors.
		if st, body := lan.get(t, "/queue/counter?lang=en"); st != 200 || !strings.Contains(body, "Counter 1 – calling numbers") || !strings.Contains(body, "Call the next number") ||
			strings.Contains(body, ">qc.") || strings.Contains(body, `"qc.`) {
			t.Errorf("English page: %d", st)
		}
		if st, body, _ := lan.post(t, "/queue/counter/act", url.Values{"id": {a2.ID}, "action": {"finish"}, "rev": {"1"}}); st != 409 || !strings.Contains(body, "This number has just been updated") {
			t.Errorf("English error: %d", st)
		}
		lan.get(t, "/queue/counter?lang=vi")
		// The live part alone, for the screen's refresh.
		if st, body := lan.get(t, "/queue/counter?part=live"); st != 200 || !strings.HasPrefix(strings.TrimSpace(body), `<div id="qc-live"`) || strings.Contains(body, "<html") {
			t.Errorf("live part: %d %.80s", st, body)
		}

		// A registered counter device, without a session.
		c1 := qsIssue(t, env, clock, "kinh_doanh", "")
		tok, err := env.App.Tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "4", Label: "Máy quầy 4"})
		if err != nil {
			t.Fatal(err)
		}
		jar, _ := cookiejar.New(nil)
		u, _ = url.Parse(env.URL)
		jar.SetCookies(u, []*http.Cookie{{Name: "motcua_device", Value: tok, Path: "/"}})
		dev := &staffClient{Client: &http.Client{Jar: jar}, env: env}
		st, body = dev.get(t, "/queue/counter")
		m := reCSRF.FindStringSubmatch(body)
		if st != 200 || m == nil || !strings.Contains(body, "Quầy 4 – gọi số") || strings.Contains(body, "Đăng xuất") || !strings.Contains(body, `data-mode="device"`) {
			t.Fatalf("device screen: %d", st)
		}
		dev.csrf = m[1]
		if st, _, _ := dev.post(t, "/queue/counter/next", url.Values{"csrf": {"forged"}}); st != 403 {
			t.Errorf("device with a forged token: %d", st)
		}
		if st, body, _ := dev.post(t, "/queue/counter/next", url.Values{}); st != 200 || qsFlash(body) != "Đã gọi số "+c1.Label+" đến quầy 4." {
			t.Errorf("device calls next: %d %q", st, qsFlash(body))
		}
		// The device's API header is the one its page carries.
		req, _ := http.NewRequest("POST", env.URL+"/api/v1/queue/tickets/"+c1.ID+"/actions", strings.NewReader(`{"action":"start","counter":4}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Device-CSRF", dev.csrf)
		resp, err = dev.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("device API action: %d", resp.StatusCode)
		}
	})
}
