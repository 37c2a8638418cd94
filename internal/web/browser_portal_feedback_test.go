package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// fbAxe checks the page at both sizes.
func fbAxe(t *testing.T, p *browsertest.Page, what string) {
	t.Helper()
	for _, vp := range []browsertest.Viewport{browsertest.Mobile, browsertest.Desktop} {
		p.SetViewport(vp)
		if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
			t.Logf("%s at %d px", what, vp.Width)
		}
	}
	p.SetViewport(browsertest.Desktop)
}

// The journey in a browser: a citizen rates her finished dossier and sends
// a complaint about it; the chairman answers it in the console; she reads
// the answer and says she is satisfied. Someone checks a genuine and a
// fake SMS at /verify. Every new page passes axe on a phone and a desktop,
// in normal and in large text.
func TestPortalFeedbackInABrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	ctx := context.Background()
	done, _ := fbFinished(t, env)
	sess, err := env.App.Citizens.SignIn(ctx, citizen.Identity{Issuer: "test", Subject: "hoa", IDNumber: "038190012345", FullName: "Nguyễn Thị Hoa", Level: 2}, "", "")
	if err != nil {
		t.Fatal(err)
	}

	// The citizen rates her dossier, by keyboard and pointer.
	p := browsertest.New(t)
	p.IgnoreConsoleErrors("status of 400") // the empty rating, on purpose
	p.Navigate(env.URL + "/verify")
	p.Exec(`document.cookie = "motcua_citizen=` + sess.Token + `; path=/"`)
	rate := env.URL + "/cong-dan/ho-so/" + done + "/danh-gia"
	p.Navigate(rate)
	if !strings.Contains(p.Text("h1"), "Đánh giá mức độ hài lòng") {
		t.Fatalf("rating page: %s", p.Text("main"))
	}
	fbAxe(t, p, "rating")
	// Submitting with nothing chosen: the error links to the first question.
	if st := p.ClickAndWait(`main form button[type=submit]`); st != 400 {
		t.Errorf("empty rating: %d", st)
	}
	if !strings.Contains(p.Text("#fb-error"), "Vui lòng chọn mức đánh giá") {
		t.Errorf("error: %s", p.Text("main"))
	}
	fbAxe(t, p, "rating error")
	p.Click(`label[for="fb-reception-5"]`)
	p.Click(`label[for="fb-timeliness-4"]`)
	p.Click(`label[for="fb-result-5"]`)
	// The last by keyboard: focus a radio, arrows move within the group.
	p.Focus(`#fb-attitude-5`)
	p.Press(" ")
	p.Type("#fb-comment", "Cán bộ hướng dẫn tận tình.")
	if st := p.ClickAndWait(`main form button[type=submit]`); st != 200 {
		t.Fatalf("rate: %d", st)
	}
	if !strings.Contains(p.Text("main"), "Cảm ơn bạn") || p.Value("#fb-comment") != "Cán bộ hướng dẫn tận tình." {
		t.Errorf("after rating: %s", p.Text("main"))
	}

	// A complaint about the dossier, from the rating page's link.
	if st := p.ClickAndWait(`main a[href^="/cong-dan/gop-y?ho-so="]`); st != 200 {
		t.Fatalf("feedback page: %d", st)
	}
	p.Click(`label[for="fb-topic-staff"]`)
	p.Type("#fb-body", "Tôi phải chờ lâu mới được trả kết quả.")
	if st := p.ClickAndWait(`#fb-send + form button[type=submit]`); st != 200 {
		t.Fatalf("send: %d", st)
	}
	if !strings.Contains(p.Text("main"), "PA-261127-0001") || !strings.Contains(p.Text("main"), "Đang xử lý") {
		t.Fatalf("sent: %s", p.Text("main"))
	}
	fbAxe(t, p, "my feedback")

	// The chairman answers it.
	staff := browsertest.New(t)
	adminBrowserSignIn(t, env, staff, "chutich.binh")
	staff.Navigate(env.URL + "/staff/feedback")
	if !strings.Contains(staff.Text("main"), "PA-261127-0001") {
		t.Fatalf("staff list: %s", staff.Text("main"))
	}
	fbAxe(t, staff, "staff list")
	if st := staff.ClickAndWait(`main a[href="/staff/feedback/PA-261127-0001"]`); st != 200 {
		t.Fatalf("petition: %d", st)
	}
	fbAxe(t, staff, "staff petition")
	staff.Type("#answer", "Trung tâm xin lỗi bà; từ tuần sau kết quả được trả đúng giờ hẹn.")
	if st := staff.ClickAndWait(`main form button[type=submit]`); st != 200 {
		t.Fatalf("answer: %d", st)
	}
	if !strings.Contains(staff.Text("main"), "Đã gửi trả lời") {
		t.Errorf("answered: %s", staff.Text("main"))
	}
	staff.Navigate(env.URL + "/staff/feedback/ratings")
	if !strings.Contains(staff.Text("main"), "Chỉ số nhóm 5") || !strings.Contains(staff.Text("main"), done) {
		t.Errorf("ratings: %s", staff.Text("main"))
	}
	fbAxe(t, staff, "ratings")

	// She reads the answer and is satisfied.
	p.Navigate(env.URL + "/cong-dan/gop-y")
	if !strings.Contains(p.Text("main"), "từ tuần sau kết quả được trả đúng giờ hẹn") {
		t.Fatalf("answer not shown: %s", p.Text("main"))
	}
	if st := p.ClickAndWait(`button[name="reaction"][value="like"]`); st != 200 || !strings.Contains(p.Text("main"), "bạn đã chọn: hài lòng") {
		t.Errorf("reaction: %d", st)
	}
	fbAxe(t, p, "my feedback answered")

	// Without signing in: send, then follow with the phone.
	anon := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
	anon.Navigate(env.URL + "/gop-y")
	fbAxe(t, anon, "public form")
	anon.Click(`label[for="fb-topic-procedure"]`)
	anon.Type("#fb-body", "Đề nghị niêm yết lệ phí ở cửa ra vào.")
	anon.Type("#fb-phone", "0987654321")
	if st := anon.ClickAndWait(`main form[action="/gop-y"][method="post"] button`); st != 201 {
		t.Fatalf("anonymous send: %d %s", st, anon.Text("main"))
	}
	fbAxe(t, anon, "public sent")
	if st := anon.ClickAndWait(`#fb-sent a`); st != 200 {
		t.Fatalf("follow: %d", st)
	}
	fbAxe(t, anon, "follow form")
	anon.Type("#fb-phone", "0987 654 321")
	if st := anon.ClickAndWait(`main form button`); st != 200 || !strings.Contains(anon.Text("main"), "niêm yết lệ phí") {
		t.Fatalf("followed: %d", st)
	}
	fbAxe(t, anon, "followed")

	// Check a genuine SMS and a fake one.
	if _, err := env.App.Notify.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	var sms string
	env.App.DB.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE kind = 'petition_received' AND recipient = '0987654321'").Scan(&sms)
	anon.Navigate(env.URL + "/verify")
	fbAxe(t, anon, "verify")
	anon.Type("#message", sms)
	if st := anon.ClickAndWait(`form[action^="/verify#"] button`); st != 200 || !strings.Contains(anon.Text("#fb-verify-result"), "Tin nhắn này do Trung tâm gửi lúc") ||
		!strings.Contains(anon.Text("#fb-verify-result"), "0987***321") {
		t.Errorf("genuine SMS: %d %s", st, anon.Text("main"))
	}
	fbAxe(t, anon, "verify genuine")
	anon.Clear("#message")
	anon.Type("#message", "UBND xa: ho so cua ban bi treo, nop phi tai http://dvc-gov.top. Ma kiem tra: ABCD-EFGH")
	if st := anon.ClickAndWait(`form[action^="/verify#"] button`); st != 200 || !strings.Contains(anon.Text("#fb-verify-result"), "Không tìm thấy — có thể là tin giả mạo") {
		t.Errorf("fake SMS: %d %s", st, anon.Text("main"))
	}
	fbAxe(t, anon, "verify fake")

	// Large text: every page again.
	for _, pg := range []*browsertest.Page{p, staff, anon} {
		pg.Navigate(env.URL + "/settings/display?text=large")
	}
	for _, c := range []struct {
		p    *browsertest.Page
		path string
	}{
		{p, "/cong-dan/ho-so/" + done + "/danh-gia"}, {p, "/cong-dan/gop-y"}, {anon, "/gop-y"}, {anon, "/gop-y/PA-261127-0002"}, {anon, "/verify"},
		{staff, "/staff/feedback"}, {staff, "/staff/feedback/PA-261127-0001"}, {staff, "/staff/feedback/ratings"},
	} {
		c.p.Navigate(env.URL + c.path)
		if cls, _ := c.p.Attr("body", "class"); !strings.Contains(cls, "large-text") {
			t.Fatalf("%s: not in large text (%q)", c.path, cls)
		}
		fbAxe(t, c.p, "large text "+c.path)
	}
}
