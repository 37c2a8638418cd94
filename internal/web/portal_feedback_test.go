package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/store"
)

// fbEach runs a test on both engines with the demo commune (no residents).
func fbEach(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			fn(t, apptest.Start(t, eng, apptest.Options{Commune: true, Now: fixedNow}))
		})
	}
}

// fbClient is a browser-like client: cookies kept, redirects not followed.
type fbClient struct {
	*http.Client
	env *apptest.Env
}

func newFBClient(env *apptest.Env) *fbClient {
	jar, _ := cookiejar.New(nil)
	return &fbClient{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, env: env}
}

// fbCitizen signs a citizen in and returns their client.
func fbCitizen(t *testing.T, env *apptest.Env, subject, idNumber, name string) *fbClient {
	t.Helper()
	sess, err := env.App.Citizens.SignIn(context.Background(), citizen.Identity{Issuer: "test", Subject: subject, IDNumber: idNumber, FullName: name, Level: 2}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	c := newFBClient(env)
	u, _ := url.Parse(env.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "motcua_citizen", Value: sess.Token, Path: "/"}})
	return c
}

func (c *fbClient) do(t *testing.T, method, path string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.env.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

var (
	reFormToken = regexp.MustCompile(`name="form_token" value="([0-9a-f]+)"`)
	rePetition  = regexp.MustCompile(`PA-\d{6}-\d{4}`)
)

// fbFinished brings a birth registration of Nguyễn Thị Hoa (038190012345)
// to "result ready" through the engine, as the counter officer, the
// justice officer and the chairman; and receives a second one, open.
func fbFinished(t *testing.T, env *apptest.Env) (done, open string) {
	t.Helper()
	f := newDeskFlow(t, env)
	done = f.resultReady().Code
	open = f.create(birthJSON).Code
	return done, open
}

func TestPortalFeedbackRating(t *testing.T) {
	fbEach(t, func(t *testing.T, env *apptest.Env) {
		done, open := fbFinished(t, env)
		hoa := fbCitizen(t, env, "hoa", "038190012345", "Nguyễn Thị Hoa")
		path := "/cong-dan/ho-so/" + done + "/danh-gia"

		// Without a session: to the sign-in, and back.
		if st, _, loc := newFBClient(env).do(t, "GET", path, nil); st != 303 || !strings.HasPrefix(loc, "/dang-nhap?next=") {
			t.Errorf("no session: %d %s", st, loc)
		}
		st, body, _ := hoa.do(t, "GET", path, nil)
		if st != 200 || !strings.Contains(body, "Tiếp nhận và hướng dẫn") || !strings.Contains(body, "Rất hài lòng") || !strings.Contains(body, done) {
			t.Fatalf("rating page: %d", st)
		}
		csrf := reCSRF.FindStringSubmatch(body)[1]
		good := url.Values{"csrf": {csrf}, "reception": {"5"}, "timeliness": {"4"}, "result": {"5"}, "attitude": {"5"}, "comment": {"Cán bộ nhiệt tình."}}
		// CSRF required.
		noCSRF := url.Values{"reception": {"5"}, "timeliness": {"4"}, "result": {"5"}, "attitude": {"5"}}
		if st, _, _ := hoa.do(t, "POST", path, noCSRF); st != 403 {
			t.Errorf("without CSRF: %d", st)
		}
		// A criterion left out: a clear message, nothing saved.
		missing := url.Values{"csrf": {csrf}, "reception": {"5"}, "timeliness": {"4"}, "result": {"5"}}
		if st, body, _ := hoa.do(t, "POST", path, missing); st != 400 || !strings.Contains(body, "Vui lòng chọn mức đánh giá từ 1 đến 5") || !strings.Contains(body, `role="alert"`) {
			t.Errorf("missing score: %d", st)
		}
		st, _, loc := hoa.do(t, "POST", path, good)
		if st != 303 || loc != path+"?saved=1" {
			t.Fatalf("rate: %d %s", st, loc)
		}
		if _, body, _ := hoa.do(t, "GET", loc, nil); !strings.Contains(body, "Cảm ơn bạn") || !strings.Contains(body, "sửa đánh giá đến") || !strings.Contains(body, "Cán bộ nhiệt tình.") {
			t.Errorf("after rating: %s", body)
		}
		// English.
		if _, body, _ := hoa.do(t, "GET", path+"?lang=en", nil); !strings.Contains(body, "Receiving and guidance") || !strings.Contains(body, "Very satisfied") {
			t.Error("English rating page")
		}
		hoa.do(t, "GET", path+"?lang=vi", nil)
		// Someone else's dossier: not found; an open one: not yet.
		nam := fbCitizen(t, env, "nam", "038085004321", "Lê Văn Nam")
		if st, _, _ := nam.do(t, "GET", path, nil); st != 404 {
			t.Errorf("someone else's dossier: %d", st)
		}
		_, namPage, _ := nam.do(t, "GET", "/cong-dan/gop-y", nil)
		namCSRF := reCSRF.FindStringSubmatch(namPage)[1]
		if st, _, _ := nam.do(t, "POST", path, url.Values{"csrf": {namCSRF}, "reception": {"1"}, "timeliness": {"1"}, "result": {"1"}, "attitude": {"1"}}); st != 404 {
			t.Errorf("rating someone else's dossier: %d", st)
		}
		if st, body, _ := hoa.do(t, "GET", "/cong-dan/ho-so/"+open+"/danh-gia", nil); st != 200 || !strings.Contains(body, "chưa giải quyết xong") || strings.Contains(body, `name="reception"`) {
			t.Errorf("open dossier: %d", st)
		}
		var n int
		env.App.DB.Read().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM feedback_ratings").Scan(&n)
		if n != 1 {
			t.Errorf("%d ratings", n)
		}
	})
}

func TestPortalFeedbackPetitions(t *testing.T) {
	fbEach(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		done, _ := fbFinished(t, env)
		hoa := fbCitizen(t, env, "hoa", "038190012345", "Nguyễn Thị Hoa")

		// Signed in: about one of my dossiers.
		st, body, _ := hoa.do(t, "GET", "/cong-dan/gop-y?ho-so="+done, nil)
		if st != 200 || !strings.Contains(body, "Bạn chưa gửi phản ánh") || !strings.Contains(body, `value="`+done+`" selected`) {
			t.Fatalf("my feedback page: %d", st)
		}
		csrf := reCSRF.FindStringSubmatch(body)[1]
		send := url.Values{"csrf": {csrf}, "action": {"send"}, "topic": {"procedure"}, "dossier": {done}, "phone": {"0912 345 678"},
			"body": {"Kết quả trả chậm, tôi phải đi lại hai lần."}}
		if st, body, _ := hoa.do(t, "POST", "/cong-dan/gop-y", url.Values{"csrf": {csrf}, "action": {"send"}, "topic": {"procedure"}, "body": {"ngắn"}}); st != 400 ||
			!strings.Contains(body, `href="#fb-body"`) {
			t.Errorf("short body: %d", st)
		}
		st, _, loc := hoa.do(t, "POST", "/cong-dan/gop-y", send)
		if st != 303 || !strings.Contains(loc, "sent=PA-261127-0001") {
			t.Fatalf("send: %d %s", st, loc)
		}
		_, body, _ = hoa.do(t, "GET", "/cong-dan/gop-y?sent=PA-261127-0001", nil)
		if !strings.Contains(body, "PA-261127-0001") || !strings.Contains(body, "Đang xử lý") || !strings.Contains(body, "18/12/2026") {
			t.Errorf("my list: %s", body)
		}

		// Without signing in: the form token, the phone, the code.
		anon := newFBClient(env)
		if st, _, _ := anon.do(t, "POST", "/gop-y", url.Values{"topic": {"staff"}, "phone": {"0987654321"}, "body": {"Không có mã biểu mẫu."}}); st != 403 {
			t.Errorf("without form token: %d", st)
		}
		_, body, _ = anon.do(t, "GET", "/gop-y", nil)
		tok := reFormToken.FindStringSubmatch(body)[1]
		if st, body, _ := anon.do(t, "POST", "/gop-y", url.Values{"form_token": {tok}, "topic": {"staff"}, "body": {"Cán bộ quầy số 2 đến muộn."}}); st != 400 ||
			!strings.Contains(body, "Vui lòng nhập số điện thoại") {
			t.Errorf("no phone: %d", st)
		}
		st, body, _ = anon.do(t, "POST", "/gop-y", url.Values{"form_token": {tok}, "topic": {"staff"}, "name": {"Trần Văn Ba"}, "phone": {"0987654321"},
			"body": {"Cán bộ quầy số 2 đến muộn."}})
		code := rePetition.FindString(body)
		if st != 201 || code != "PA-261127-0002" {
			t.Fatalf("anonymous: %d %q", st, code)
		}
		// Following it: the right phone only.
		if st, _, loc := anon.do(t, "GET", "/gop-y?ma="+strings.ToLower(code), nil); st != 303 || loc != "/gop-y/"+code {
			t.Errorf("open by code: %d %s", st, loc)
		}
		if st, body, _ := anon.do(t, "GET", "/gop-y/"+code, nil); st != 200 || !strings.Contains(body, `name="phone"`) || strings.Contains(body, "đến muộn") {
			t.Errorf("follow form: %d", st)
		}
		if st, body, _ := anon.do(t, "POST", "/gop-y/"+code, url.Values{"form_token": {tok}, "phone": {"0912345678"}}); st != 404 || strings.Contains(body, "đến muộn") {
			t.Errorf("wrong phone: %d", st)
		}
		if st, body, _ := anon.do(t, "POST", "/gop-y/"+code, url.Values{"form_token": {tok}, "phone": {"+84 987 654 321"}}); st != 200 || !strings.Contains(body, "đến muộn") {
			t.Errorf("right phone: %d", st)
		}

		// The staff: counter officers and leaders; a specialist may not.
		if st, _ := signIn(t, env, "tuphap.huong").get(t, "/staff/feedback"); st != 403 {
			t.Errorf("specialist: %d", st)
		}
		lan := signIn(t, env, "motcua.lan")
		st, list := lan.get(t, "/staff/feedback")
		if st != 200 || !strings.Contains(list, "PA-261127-0001") || !strings.Contains(list, code) || !strings.Contains(list, "0987***321") ||
			strings.Contains(list, "0987654321") || !strings.Contains(list, "gửi không đăng nhập") {
			t.Fatalf("staff list: %d", st)
		}
		if strings.Index(list, "PA-261127-0001") > strings.Index(list, code) {
			t.Error("not by deadline")
		}
		st, page := lan.get(t, "/staff/feedback/"+code)
		if st != 200 || !strings.Contains(page, "đến muộn") || !strings.Contains(page, "0987654321") {
			t.Fatalf("staff petition: %d", st)
		}
		if st, body, _ := lan.post(t, "/staff/feedback/"+code, url.Values{"outcome": {"answered"}, "answer": {"ngắn"}}); st != 400 || !strings.Contains(body, "Vui lòng viết nội dung trả lời") {
			t.Errorf("short answer: %d", st)
		}
		st, _, u := lan.post(t, "/staff/feedback/"+code, url.Values{"outcome": {"answered"}, "answer": {"Trung tâm đã nhắc nhở cán bộ quầy số 2 và xin lỗi ông."}})
		if st != 200 || !strings.Contains(u.RawQuery, "ok=") {
			t.Fatalf("answer: %d %s", st, u)
		}
		if st, body, _ := lan.post(t, "/staff/feedback/"+code, url.Values{"outcome": {"answered"}, "answer": {"Trả lời thêm một lần nữa."}}); st != 409 || !strings.Contains(body, "đã được xử lý") {
			t.Errorf("answered twice: %d", st)
		}
		// The sender reads the answer and says what they think of it.
		_, body, _ = anon.do(t, "POST", "/gop-y/"+code, url.Values{"form_token": {tok}, "phone": {"0987654321"}})
		if !strings.Contains(body, "xin lỗi ông") || !strings.Contains(body, "Đã trả lời") {
			t.Errorf("answer not shown: %s", body)
		}
		if _, body, _ := anon.do(t, "POST", "/gop-y/"+code, url.Values{"form_token": {tok}, "phone": {"0987654321"}, "reaction": {"like"}}); !strings.Contains(body, "bạn đã chọn: hài lòng") {
			t.Error("reaction not recorded")
		}
		// The signed-in citizen's answer and reaction.
		lan.post(t, "/staff/feedback/PA-261127-0001", url.Values{"outcome": {"answered"}, "answer": {"Hồ sơ đã có kết quả, mời bà đến nhận."}})
		_, body, _ = hoa.do(t, "GET", "/cong-dan/gop-y", nil)
		if !strings.Contains(body, "mời bà đến nhận") {
			t.Error("the citizen does not see the answer")
		}
		if st, _, loc := hoa.do(t, "POST", "/cong-dan/gop-y", url.Values{"csrf": {csrf}, "action": {"react"}, "code": {"PA-261127-0001"}, "reaction": {"dislike"}}); st != 303 || !strings.Contains(loc, "reacted=1") {
			t.Errorf("react: %d %s", st, loc)
		}
		// Someone else may not react to it.
		nam := fbCitizen(t, env, "nam", "038085004321", "Lê Văn Nam")
		_, namPage, _ := nam.do(t, "GET", "/cong-dan/gop-y", nil)
		if st, _, _ := nam.do(t, "POST", "/cong-dan/gop-y", url.Values{"csrf": {reCSRF.FindStringSubmatch(namPage)[1]}, "action": {"react"}, "code": {"PA-261127-0001"}, "reaction": {"like"}}); st != 404 {
			t.Errorf("another citizen reacts: %d", st)
		}
		// SMS to both senders: received and answered, without diacritics.
		rows, _ := env.App.DB.Read().QueryContext(ctx, "SELECT kind, recipient, body FROM notify_messages WHERE kind LIKE 'petition_%' ORDER BY seq")
		var kinds []string
		for rows.Next() {
			var kind, to, b string
			rows.Scan(&kind, &to, &b)
			kinds = append(kinds, kind+":"+to)
			for _, r := range b {
				if r > 0x7f {
					t.Errorf("SMS with diacritics: %q", b)
					break
				}
			}
		}
		rows.Close()
		if strings.Join(kinds, ",") != "petition_received:0912345678,petition_received:0987654321,petition_answered:0987654321,petition_answered:0912345678" {
			t.Errorf("SMS: %v", kinds)
		}
		// Ratings and figures: leaders, not counter officers.
		if st, _ := lan.get(t, "/staff/feedback/ratings"); st != 403 {
			t.Errorf("counter officer on figures: %d", st)
		}
		st, fig := signIn(t, env, "chutich.binh").get(t, "/staff/feedback/ratings?from=2026-11-01&to=2026-11-30")
		if st != 200 || !strings.Contains(fig, "PAKN xử lý đúng hạn") || !strings.Contains(fig, "100.00%") {
			t.Errorf("figures: %d", st)
		}
		if st, _ := signIn(t, env, "chutich.binh").get(t, "/staff/feedback/ratings?from=2026-11-30&to=2026-11-01"); st != 400 {
			t.Errorf("bad period: %d", st)
		}
		// Readings of senders' data are audited.
		entries, _ := audit.ForObject(ctx, env.App.DB, "petition", code)
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, "feedback.petition_read") || !strings.Contains(got, "feedback.petition_answered") {
			t.Errorf("audit: %s", got)
		}
	})
}

// /verify tells an SMS the centre sent from a fake one.
func TestVerifyMessage(t *testing.T) {
	fbEach(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		anon := newFBClient(env)
		_, body, _ := anon.do(t, "GET", "/gop-y", nil)
		tok := reFormToken.FindStringSubmatch(body)[1]
		if st, _, _ := anon.do(t, "POST", "/gop-y", url.Values{"form_token": {tok}, "topic": {"other"}, "phone": {"0912345678"}, "body": {"Đề nghị có thêm ghế chờ."}}); st != 201 {
			t.Fatalf("send: %d", st)
		}
		if _, err := env.App.Notify.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		var sms string
		env.App.DB.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE kind = 'petition_received'").Scan(&sms)
		if !strings.Contains(sms, "Ma kiem tra: ") {
			t.Fatalf("no code: %q", sms)
		}
		check := func(text string) (int, string) {
			st, body, _ := anon.do(t, "POST", "/verify", url.Values{"message": {text}})
			return st, body
		}
		if st, body := check(sms); st != 200 || !strings.Contains(body, "Tin nhắn này do Trung tâm gửi lúc") || !strings.Contains(body, "0912***678") || !strings.Contains(body, "SANDBOX") {
			t.Errorf("genuine: %d %s", st, body)
		}
		code := sms[strings.LastIndex(sms, " ")+1:]
		if _, body := check(strings.ToLower(code)); !strings.Contains(body, "Tin nhắn thật của Trung tâm") {
			t.Error("the code alone")
		}
		if _, body := check("Ho so cua ban can nop phi tai http://dvc-gov.top ngay. Ma kiem tra: " + code); !strings.Contains(body, "Nội dung không khớp") || !strings.Contains(body, "đừng cung cấp mã OTP") {
			t.Error("a genuine code in a fake text")
		}
		if _, body := check("Ho so cua ban can nop phi. Ma kiem tra: ABCD-EFGH"); !strings.Contains(body, "Không tìm thấy — có thể là tin giả mạo") || !strings.Contains(body, "Đừng bấm vào đường link") {
			t.Error("a made-up code")
		}
		if _, body := check("Ho so cua ban can nop phi tai http://dvc-gov.top"); !strings.Contains(body, "không có mã kiểm tra") {
			t.Error("no code")
		}
		if _, body := check("bad\x00"); !strings.Contains(body, "ký tự không hợp lệ") {
			t.Error("NUL")
		}
		st, body, _ := anon.do(t, "POST", "/verify?lang=en", url.Values{"message": {sms}})
		if st != 200 || !strings.Contains(body, "The centre sent this message at") {
			t.Errorf("English: %d", st)
		}
		// Made-up codes count against the address: 10 in 10 minutes.
		for i := 0; i < 12; i++ {
			check("Ma kiem tra: ABCD-EFG" + string(rune('A'+i%8)))
		}
		if _, body := check(sms); !strings.Contains(body, "Vui lòng thử lại sau 10 phút") && !strings.Contains(body, "try again in 10 minutes") {
			t.Error("no limit on guessing codes")
		}
		// The PDF check is still there.
		if _, body, _ := anon.do(t, "GET", "/verify", nil); !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `name="message"`) {
			t.Error("the verify page lost a form")
		}
	})
}
