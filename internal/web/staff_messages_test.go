package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/web/browsertest"
)

// TestAdminMessagesPage needs the outbox wired into the application
// (App.Notify, web.Deps.Notify, the route): until it is, the build
// constraint at the top of this file keeps it out; then delete it.
func TestAdminMessagesPage(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		o := env.App.Notify
		if o == nil || !o.Sandbox() {
			t.Fatal("the demo application sends its messages to the sandbox")
		}
		admin := signIn(t, env, "quantri")
		if st, body := admin.get(t, "/staff/admin/messages"); st != 200 || !strings.Contains(body, "Chưa có tin nhắn nào") || !strings.Contains(body, "SANDBOX") {
			t.Fatalf("empty page: %d", st)
		}
		msgs := []notify.Message{
			{To: "0912345678", Body: "UBND xã Hoa Lộc: số A023 còn 3 người nữa đến lượt bạn.", Kind: notify.KindQueueNear, Key: "web:1", Agency: "H56.16072"},
			{To: "+84 35 123 4567", Body: "Nhắc lịch hẹn 08:30 ngày 28/11/2026, mã K7Q2.", Kind: notify.KindAppointmentReminder, Key: "web:2", Agency: "H56.16072"},
			{To: "0501234567", Body: "Số không thuộc nhà mạng nào.", Kind: notify.KindQueueNear, Key: "web:3", Agency: "H56.16072"},
			{To: "0987654321", Body: "Tin của cơ quan khác.", Kind: notify.KindQueueNear, Key: "web:4", Agency: "H56.BHXH.HL"},
		}
		err := env.App.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			for _, m := range msgs {
				if err := o.Enqueue(ctx, tx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		st, body := admin.get(t, "/staff/admin/messages")
		if st != 200 {
			t.Fatalf("page: %d", st)
		}
		for _, want := range []string{"Tin nhắn gửi công dân", "0912***678", "0351***567", "0501***567", "số A023 còn 3 người nữa đến lượt bạn",
			"Đã gửi", "Không gửi được", "108: ", "Sắp đến lượt", "Nhắc lịch hẹn", "SANDBOX", "nhật ký"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page does not show %q", want)
			}
		}
		// Numbers are masked; another agency's messages are not listed.
		for _, never := range []string{"0912345678", "0351234567", "0501234567", "0987***321", "cơ quan khác"} {
			if strings.Contains(body, never) {
				t.Errorf("the page shows %q", never)
			}
		}
		// Every reading is audited.
		if !adminAudited(t, env, "notify_messages", "H56.16072", "notify.list") {
			t.Error("reading the messages is not audited")
		}
		// In English, with the Vietnamese texts marked as such.
		st, body = admin.get(t, "/staff/admin/messages?lang=en&limit=2")
		if st != 200 || !strings.Contains(body, "Messages to citizens") || !strings.Contains(body, `lang="vi"`) || strings.Contains(body, ">notify.") ||
			strings.Count(body, "<tr>") != 3 {
			t.Errorf("English page, two rows: %d", st)
		}
		admin.get(t, "/staff/admin/messages?lang=vi")
		// The administration index leads to it.
		if _, body := admin.get(t, "/staff/admin"); !strings.Contains(body, `href="/staff/admin/messages"`) {
			t.Error("the administration index has no link to the messages")
		}
		// Administrators only.
		for _, who := range []string{"motcua.lan", "chutich.binh"} {
			if st, _ := signIn(t, env, who).get(t, "/staff/admin/messages"); st != 403 {
				t.Errorf("%s: %d, want 403", who, st)
			}
		}
	})
}

// The page in a browser, with a sent, a failed and a waiting message:
// reached from the administration index, and accessible in both languages.
func TestAdminMessagesPageInABrowser(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true, Now: fixedNow})
	ctx := context.Background()
	o := env.App.Notify
	later := notify.Message{To: "0771234567", Body: "Nhắc lịch hẹn ngày mai.", Kind: notify.KindAppointmentReminder, Key: "b:3", Agency: "H56.16072",
		NotBefore: fixedNow().Add(24 * time.Hour)}
	err := env.App.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		for _, m := range []notify.Message{
			{To: "0912345678", Body: "Số A023 còn 3 người nữa đến lượt bạn.", Kind: notify.KindQueueNear, Key: "b:1", Agency: "H56.16072"},
			{To: "0501234567", Body: "Số không thuộc nhà mạng nào.", Kind: notify.KindQueueNear, Key: "b:2", Agency: "H56.16072"},
			later,
		} {
			if err := o.Enqueue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	p := browsertest.New(t)
	adminBrowserSignIn(t, env, p, "quantri")
	p.Navigate(env.URL + "/staff/admin")
	if st := p.ClickAndWait(`main a[href="/staff/admin/messages"]`); st != 200 {
		t.Fatalf("messages: %d", st)
	}
	if n := p.Count("main tbody tr"); n != 3 {
		t.Errorf("%d rows", n)
	}
	if text := p.Text("main"); !strings.Contains(text, "SANDBOX") || !strings.Contains(text, "Dự kiến gửi lúc") {
		t.Errorf("page text: %s", text)
	}
	p.AssertNoAxeViolations()
	p.Navigate(env.URL + "/staff/admin/messages?lang=en")
	p.AssertNoAxeViolations()
	p.Navigate(env.URL + "/staff/admin/messages?lang=vi")
}
