package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

func fill(t *testing.T, db *store.DB, n int) {
	t.Helper()
	actor := &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}}
	for i := 0; i < n; i++ {
		err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: actor.Actor(), Action: "dossier.read", ObjectType: "dossier", ObjectID: fmt.Sprintf("d%d", i), Detail: map[string]any{"i": i, "tên": "Nguyễn Văn A"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fill(t, db, 20)
		rep, err := audit.Verify(ctx, db)
		if err != nil || rep.Problem != nil || rep.Entries != 20 || rep.Head != 20 {
			t.Fatalf("clean chain: %+v %v", rep, err)
		}
		tamper := func(sql string, args ...any) {
			t.Helper()
			// Tampering goes behind motcua's back, straight to the tables.
			if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.ExecContext(ctx, sql, args...)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		expect := func(seq int64, reason string) {
			t.Helper()
			rep, err := audit.Verify(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Problem == nil || rep.Problem.Seq != seq || !strings.Contains(rep.Problem.Reason, reason) {
				t.Fatalf("want entry %d %q, got %+v", seq, reason, rep.Problem)
			}
		}
		// Altered detail.
		tamper("UPDATE audit_log SET detail = $1 WHERE seq = 7", `{"i":7,"tên":"Kẻ gian"}`)
		expect(7, "altered")
		tamper("UPDATE audit_log SET detail = $1 WHERE seq = 7", `{"i":6,"tên":"Nguyễn Văn A"}`) // entry 7 recorded i = 6
		if rep, _ := audit.Verify(ctx, db); rep.Problem != nil {
			t.Fatalf("restored chain: %+v", rep.Problem)
		}
		// Altered and re-hashed: the next entry no longer follows.
		tamper("UPDATE audit_log SET actor_name = 'X', hash = 'abc' WHERE seq = 9")
		expect(9, "altered")
		tamper("UPDATE audit_log SET hash = (SELECT prev_hash FROM audit_log WHERE seq = 10) WHERE seq = 9")
		expect(9, "altered")
		// Removed in the middle.
		tamper("DELETE FROM audit_log WHERE seq = 9")
		expect(9, "missing")
	})
}

func TestVerifyFindsTruncation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fill(t, db, 5)
		db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE seq >= 4")
			return err
		})
		rep, _ := audit.Verify(ctx, db)
		if rep.Problem == nil || rep.Problem.Seq != 4 || !strings.Contains(rep.Problem.Reason, "removed") {
			t.Fatalf("truncation: %+v", rep.Problem)
		}
	})
}

func TestAuditRollsBackWithItsWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fill(t, db, 2)
		err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := audit.Append(ctx, tx, time.Now(), audit.Event{Action: "x", ObjectType: "y", ObjectID: "z"}); err != nil {
				return err
			}
			return fmt.Errorf("the write fails")
		})
		if err == nil {
			t.Fatal("want error")
		}
		fill(t, db, 1)
		rep, _ := audit.Verify(ctx, db)
		if rep.Problem != nil || rep.Entries != 3 {
			t.Fatalf("%+v", rep)
		}
	})
}
