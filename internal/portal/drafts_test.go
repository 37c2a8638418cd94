package portal_test

import (
	"context"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/portal"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

func signIn(t *testing.T, db *store.DB, now func() time.Time, id string) *citizen.Session {
	t.Helper()
	s, err := citizen.New(db, now).SignIn(context.Background(), citizen.Identity{Issuer: "https://eid.test", Subject: "s-" + id,
		IDNumber: id, FullName: "Lê Văn Thử", Level: citizen.Level2}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// One open draft per citizen and procedure, kept 30 days after its last
// change; files kept until submission; a submitted draft is frozen.
func TestDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		svc := portal.New(db, clock)
		a := signIn(t, db, clock, "038190000001")
		b := signIn(t, db, clock, "038190000002")

		d, created, err := svc.Start(ctx, a.Citizen.ID, "LOCAL.hkd-cap-lai", 1)
		if err != nil || !created || d.Key == "" {
			t.Fatalf("start: %v %v", created, err)
		}
		again, created, err := svc.Start(ctx, a.Citizen.ID, "LOCAL.hkd-cap-lai", 1)
		if err != nil || created || again.ID != d.ID || again.Key != d.Key {
			t.Fatalf("a second start must continue the draft: %v %v", created, err)
		}
		d.Answers.For, d.Answers.Form["reason"] = portal.ForSelf, "lost"
		if err := svc.Save(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, b.Citizen.ID, d.ID); err != portal.ErrNotFound {
			t.Errorf("another citizen's draft: %v", err)
		}
		files := []dossier.File{{Component: "van-ban-uy-quyen", Name: "a.pdf", ContentType: "application/pdf", Size: 3, SHA256: "x"}}
		if err := svc.AddFiles(ctx, d, files, [][]byte{[]byte("abc")}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Get(ctx, a.Citizen.ID, d.ID)
		if err != nil || got.Answers.Form["reason"] != "lost" || len(got.FilesOf("van-ban-uy-quyen")) != 1 {
			t.Fatalf("get: %+v %v", got, err)
		}
		up, err := svc.Uploads(ctx, d.ID)
		if err != nil || string(up["van-ban-uy-quyen"][0].Data) != "abc" {
			t.Errorf("uploads: %v %v", up, err)
		}

		// Submitted: frozen, files dropped, a new start makes a new draft.
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return svc.MarkSubmittedTx(ctx, tx, got, "H56.16072-261127-0001", "ABCD1234")
		}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Save(ctx, got); err != portal.ErrSubmitted {
			t.Errorf("save after submission: %v", err)
		}
		if up, _ := svc.Uploads(ctx, d.ID); len(up) != 0 {
			t.Errorf("files kept after submission")
		}
		next, created, err := svc.Start(ctx, a.Citizen.ID, "LOCAL.hkd-cap-lai", 1)
		if err != nil || !created || next.ID == d.ID {
			t.Fatalf("start after submission: %v %v", created, err)
		}

		// 30 days later the unfinished draft is gone; the submitted one stays.
		now = now.Add(portal.Keep + time.Minute)
		if _, err := svc.Get(ctx, a.Citizen.ID, next.ID); err != portal.ErrNotFound {
			t.Errorf("expired draft: %v", err)
		}
		if o, err := svc.Open(ctx, a.Citizen.ID, "LOCAL.hkd-cap-lai"); o != nil || err != nil {
			t.Errorf("open after expiry: %v %v", o, err)
		}
		if err := svc.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM portal_drafts").Scan(&n)
		if n != 1 {
			t.Errorf("%d drafts after the purge, want the submitted one", n)
		}
		if s, err := svc.Get(ctx, a.Citizen.ID, d.ID); err != nil || s.DossierCode != "H56.16072-261127-0001" {
			t.Errorf("submitted draft: %v", err)
		}
	})
}
