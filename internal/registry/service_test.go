package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

var officer = &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}, Agency: "H56.16072"}

type auditRow struct {
	At                            int64
	ActorID, ActorName, ActorRole string
	Action, ObjectType, ObjectID  string
	Detail                        map[string]any
	rawDetail                     string
}

func auditRows(t *testing.T, db *store.DB) []auditRow {
	t.Helper()
	rows, err := db.Read().QueryContext(context.Background(), `SELECT at, actor_id, actor_name, actor_role, action, object_type, object_id, detail
		FROM audit_log ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var r auditRow
		if err := rows.Scan(&r.At, &r.ActorID, &r.ActorName, &r.ActorRole, &r.Action, &r.ObjectType, &r.ObjectID, &r.rawDetail); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(r.rawDetail), &r.Detail); err != nil {
			t.Fatalf("detail %q: %v", r.rawDetail, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func verifyIntact(t *testing.T, db *store.DB, entries int64) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db)
	if err != nil || rep.Problem != nil || rep.Entries != entries || rep.Head != entries {
		t.Fatalf("audit chain: %+v %v, want %d intact entries", rep, err, entries)
	}
}

func TestServiceLookupIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := seedResidents(t, db)
		now := time.Date(2026, 6, 2, 9, 15, 30, 0, time.UTC)
		sb := newSandbox(db)
		svc := registry.NewService(db, inProcess(sb, secret), func() time.Time { return now })
		if !svc.Sandbox() {
			t.Error("service over the sandbox not labelled sandbox")
		}

		p, err := svc.Lookup(ctx, officer, " "+h.spouse.IDNumber+" ", "1.001193")
		if err != nil || p.FullName != h.spouse.FullName || p.HouseholdHead != h.head.FullName || p.Source != "SANDBOX" {
			t.Fatalf("found: %+v %v", p, err)
		}
		if _, err := svc.Lookup(ctx, officer, unknown, "1.001193"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatalf("unknown: %v", err)
		}
		if _, err := svc.Lookup(ctx, officer, "12345", "1.001193"); !errors.Is(err, registry.ErrInvalidID) {
			t.Fatalf("malformed: %v", err)
		}
		sb.FailEvery = 1
		if _, err := svc.Lookup(ctx, officer, h.head.IDNumber, "2.000986"); !errors.Is(err, registry.ErrUnavailable) {
			t.Fatalf("unavailable: %v", err)
		}
		sb.FailEvery = 0

		// Without a principal: refused, nothing looked up, nothing to audit.
		var hits atomic.Int32
		counting := registry.NewService(db, countingPop{&hits}, nil)
		if _, err := counting.Lookup(ctx, nil, h.head.IDNumber, "1.001193"); err == nil {
			t.Fatal("anonymous lookup allowed")
		} else {
			isAppErr(t, err, apperr.Unauthorized, "authentication_required")
		}
		if hits.Load() != 0 {
			t.Fatal("an anonymous lookup reached the platform")
		}

		// A malformed ID asks nothing of the platform and is not audited.
		rows := auditRows(t, db)
		if len(rows) != 3 {
			t.Fatalf("%d audit entries, want one per lookup that reached the platform (3): %+v", len(rows), rows)
		}
		want := []struct {
			id, procedure, outcome string
		}{
			{h.spouse.IDNumber, "1.001193", "found"},
			{unknown, "1.001193", "not_found"},
			{h.head.IDNumber, "2.000986", "error"},
		}
		for i, r := range rows {
			w := want[i]
			if r.Action != "resident.lookup" || r.ObjectType != "resident" {
				t.Errorf("entry %d: %s %s", i, r.Action, r.ObjectType)
			}
			if r.ActorID != "u001" || r.ActorName != "Lê Thị Lan" || r.ActorRole != identity.RoleCounter {
				t.Errorf("entry %d: actor %s %s %s", i, r.ActorID, r.ActorName, r.ActorRole)
			}
			if r.At != now.UnixMilli() {
				t.Errorf("entry %d: at %d, want the service clock %d", i, r.At, now.UnixMilli())
			}
			if r.Detail["procedure"] != w.procedure || r.Detail["outcome"] != w.outcome || r.Detail["sandbox"] != true {
				t.Errorf("entry %d: detail %v, want procedure %s outcome %s sandbox", i, r.Detail, w.procedure, w.outcome)
			}
			// The ID is masked: never whole, anywhere in the entry.
			if strings.Contains(r.ObjectID+r.rawDetail, w.id) {
				t.Errorf("entry %d holds the whole ID %s: %s %s", i, w.id, r.ObjectID, r.rawDetail)
			}
			if len(w.id) == 12 {
				masked := w.id[:3] + "******" + w.id[9:]
				if r.ObjectID != masked {
					t.Errorf("entry %d: object %q, want %q", i, r.ObjectID, masked)
				}
			} else if strings.Trim(r.ObjectID, "*") != "" || len(r.ObjectID) != len(w.id) {
				t.Errorf("entry %d: a short input is masked whole, got %q", i, r.ObjectID)
			}
		}
		verifyIntact(t, db, 3)

		// A real platform's lookups are marked as such.
		real := httptest.NewServer(sb)
		defer real.Close()
		svc = registry.NewService(db, registry.NewClient(real.URL, "H56.16072", secret), nil)
		if svc.Sandbox() {
			t.Error("labelled sandbox")
		}
		before := time.Now().Add(-time.Second).UnixMilli()
		if _, err := svc.Lookup(ctx, officer, h.child.IDNumber, "1.001193"); err != nil {
			t.Fatal(err)
		}
		rows = auditRows(t, db)
		last := rows[len(rows)-1]
		if last.Detail["sandbox"] != false || last.Detail["outcome"] != "found" || last.At < before {
			t.Errorf("real-platform entry %+v", last)
		}
		verifyIntact(t, db, 4)
	})
}

// An officer who types a name (or anything else that is not an ID) into the
// ID box is told the ID is malformed; the attempt is audited and the audit
// chain stays sound on both engines.
func TestServiceLookupOfNonDigitInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedResidents(t, db)
		svc := registry.NewService(db, inProcess(newSandbox(db), secret), nil)
		for _, input := range []string{"Lê Văn Bình", "Đỗ Thị Hà 038190", "０３８１９００１２３４５"} {
			_, err := svc.Lookup(ctx, officer, input, "1.001193")
			if !errors.Is(err, registry.ErrInvalidID) {
				t.Errorf("%q: got %v, want %s (not an internal error)", input, err, registry.ErrInvalidID.Code)
			}
		}
		for _, r := range auditRows(t, db) {
			if !utf8.ValidString(r.ObjectID) {
				t.Errorf("audit object %q is not valid UTF-8 (the mask cut a letter in half)", r.ObjectID)
			}
		}
		rep, err := audit.Verify(ctx, db)
		if err != nil || rep.Problem != nil {
			t.Fatalf("audit chain: %+v %v", rep, err)
		}
	})
}

// Without a working audit log there is no lookup: the person is not returned.
func TestServiceLookupFailsClosedWithoutAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := seedResidents(t, db)
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM audit_head")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		svc := registry.NewService(db, inProcess(newSandbox(db), secret), nil)
		p, err := svc.Lookup(ctx, officer, h.head.IDNumber, "1.001193")
		if p != nil || err == nil {
			t.Fatalf("unaudited lookup returned %+v %v", p, err)
		}
		if ae := apperr.As(err); ae.Kind != apperr.Internal || ae.Status() != http.StatusInternalServerError {
			t.Fatalf("%+v", ae)
		}
	})
}

type countingPop struct{ n *atomic.Int32 }

func (c countingPop) Lookup(ctx context.Context, id string, p registry.Purpose) (*registry.Person, error) {
	c.n.Add(1)
	return &registry.Person{IDNumber: id}, nil
}

func (countingPop) Sandbox() bool { return false }
