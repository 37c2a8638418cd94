package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

// Messages end with a verification code when the outbox has a key; Check
// finds a sent message by its code (alone or in the pasted text), tells a
// genuine code in a changed text, and finds nothing for made-up codes,
// unsent messages or another installation's key.
func TestVerificationCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		key, err := notify.LoadVerifyKey(ctx, db)
		if err != nil || len(key) != 32 {
			t.Fatalf("key: %v %d", err, len(key))
		}
		if again, _ := notify.LoadVerifyKey(ctx, db); string(again) != string(key) {
			t.Fatal("the key changes between loads")
		}
		c := &clock{t: start}
		snd := &fakeSender{}
		o := notify.New(notify.Config{DB: db, Sender: snd, Log: quiet, Now: c.Now, VerifyKey: key})
		enqueue := func(m notify.Message) error {
			return db.Write(ctx, func(ctx context.Context, tx store.Tx) error { return o.Enqueue(ctx, tx, m) })
		}
		body := "Trung tam PVHCC: ho so H56-261127-0001 da co ket qua."
		if err := enqueue(notify.Message{To: "0912345678", Body: body, Kind: "dossier_result", Key: "v:1", Agency: "H56"}); err != nil {
			t.Fatal(err)
		}
		if err := enqueue(notify.Message{To: "0987654321", Body: "Chua gui.", Kind: "dossier_result", Key: "v:2", Agency: "H56",
			NotBefore: start.Add(48 * 3600e9)}); err != nil {
			t.Fatal(err)
		}
		// A text too long once the code is added is refused, not cut.
		long := strings.Repeat("a", 450)
		if err := enqueue(notify.Message{To: "0912345678", Body: long, Kind: "dossier_result", Key: "v:3", Agency: "H56"}); apperr.As(err).Code != "message_too_long" {
			t.Fatalf("long body: %v", err)
		}
		if _, err := o.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		sent := snd.bodies()
		if len(sent) != 1 || !strings.HasPrefix(sent[0], body+"\nMa kiem tra: ") {
			t.Fatalf("sent %q", sent)
		}
		code := notify.CodeOf(sent[0])
		if len(code) != 9 || code[4] != '-' {
			t.Fatalf("code %q", code)
		}
		for _, pasted := range []string{sent[0], code, strings.ToLower(strings.ReplaceAll(code, "-", "")), " " + strings.ReplaceAll(sent[0], "\n", " ") + " "} {
			got, err := o.Check(ctx, pasted)
			if err != nil || !got.Found || got.Altered || got.To != "0912***678" || got.SentAt.IsZero() || got.Body != sent[0] {
				t.Errorf("check %q: %+v %v", pasted, got, err)
			}
		}
		// The genuine code in a fraudster's text.
		fake := "Trung tam PVHCC: ho so cua ban can nop phi tai http://dvc-gov.top. Ma kiem tra: " + code
		if got, _ := o.Check(ctx, fake); !got.Found || !got.Altered {
			t.Errorf("altered text: %+v", got)
		}
		// Made-up codes, no code, a message not sent yet.
		var waiting string
		db.Read().QueryRowContext(ctx, "SELECT verify_code FROM notify_messages WHERE idem_key = 'v:2'").Scan(&waiting)
		if waiting == "" {
			t.Fatal("the waiting message has no code")
		}
		for _, pasted := range []string{"Ma kiem tra: ABCD-EFGH", "Trung tam PVHCC: ho so cua ban can nop phi.", waiting, ""} {
			if got, err := o.Check(ctx, pasted); err != nil || got.Found {
				t.Errorf("check %q found: %+v %v", pasted, got, err)
			}
		}
		// Another key (another installation, or a row written without the
		// secret) does not vouch for this one's codes.
		other := notify.New(notify.Config{DB: db, Sender: snd, Log: quiet, Now: c.Now, VerifyKey: []byte("another key of thirty-two bytes!")})
		if got, _ := other.Check(ctx, code); got.Found {
			t.Error("a code checked under another key")
		}
		// Without a key nothing is added.
		plain := notify.New(notify.Config{DB: db, Sender: snd, Log: quiet, Now: c.Now})
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return plain.Enqueue(ctx, tx, notify.Message{To: "0912000111", Body: "Khong ma.", Kind: "dossier_result", Key: "v:4", Agency: "H56"})
		}); err != nil {
			t.Fatal(err)
		}
		var b string
		db.Read().QueryRowContext(ctx, "SELECT body FROM notify_messages WHERE idem_key = 'v:4'").Scan(&b)
		if b != "Khong ma." {
			t.Errorf("without a key: %q", b)
		}
	})
}
