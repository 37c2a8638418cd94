// Package audit is motcua's append-only, hash-chained audit log: every action
// on a dossier and every read of a citizen's personal data. Each entry's hash
// covers the previous entry's hash, and a head row records the last entry, so
// altering, removing or truncating entries is found by Verify.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// Entry is one audited event.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	ActorRole  string    `json:"actor_role"`
	Action     string    `json:"action"`      // e.g. dossier.receive, dossier.read, calendar.load
	ObjectType string    `json:"object_type"` // dossier, resident, schedule, …
	ObjectID   string    `json:"object_id"`
	Detail     string    `json:"detail"` // JSON
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// Actor is who did it.
type Actor struct {
	ID    string
	Name  string
	Roles []string
}

// Event is what a caller records.
type Event struct {
	Actor      Actor  // zero: motcua itself (System)
	Role       string // the role acted in; defaults to the actor's first role
	Action     string
	ObjectType string
	ObjectID   string
	Detail     any // encoded as JSON
}

// System is the actor of what motcua does by itself (deadline watch, imports).
var System = Actor{ID: "system", Name: "Hệ thống motcua", Roles: []string{"system"}}

// Append writes an event as the next entry of the chain, inside the caller's
// write transaction (so the audit entry commits with what it records).
func Append(ctx context.Context, tx store.Tx, at time.Time, ev Event) error {
	st, err := Stmt(ctx, tx, at, ev)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, st.SQL, st.Args...); err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// Stmt prepares the next entry of the chain and returns the statement that
// writes it, for a caller that sends it together with its own statements
// (store.ExecAll). The caller must run it in the same transaction.
func Stmt(ctx context.Context, tx store.Tx, at time.Time, ev Event) (store.Stmt, error) {
	// The head is read once per write batch and stored once before it
	// commits (see store.BeforeCommit).
	var head chainHead
	if v, ok := store.BatchValue(tx, headKey{}); ok {
		head = v.(chainHead)
	} else if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&head.seq, &head.hash); err != nil {
		return store.Stmt{}, fmt.Errorf("audit: read head: %w", err)
	}
	actor := ev.Actor
	if actor.ID == "" {
		actor = System
	}
	role := ev.Role
	if role == "" && len(actor.Roles) > 0 {
		role = actor.Roles[0]
	}
	detail := "{}"
	if ev.Detail != nil {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return store.Stmt{}, fmt.Errorf("audit: encode detail: %w", err)
		}
		detail = string(b)
	}
	e := Entry{
		Seq: head.seq + 1, At: time.UnixMilli(at.UnixMilli()).UTC(), ActorID: actor.ID, ActorName: actor.Name, ActorRole: role,
		Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID, Detail: detail, PrevHash: head.hash,
	}
	e.Hash = e.computeHash()
	st := store.Stmt{SQL: `INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, action, object_type, object_id, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		Args: []any{e.Seq, e.At.UnixMilli(), e.ActorID, e.ActorName, e.ActorRole, e.Action, e.ObjectType, e.ObjectID, e.Detail, e.PrevHash, e.Hash}}
	store.SetBatchValue(tx, headKey{}, chainHead{e.Seq, e.Hash})
	moveHead := func(ctx context.Context, tx store.Tx) error {
		v, ok := store.BatchValue(tx, headKey{})
		if !ok {
			return nil
		}
		h := v.(chainHead)
		if _, err := tx.ExecContext(ctx, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", h.seq, h.hash); err != nil {
			return fmt.Errorf("audit: move head: %w", err)
		}
		return nil
	}
	if !store.BeforeCommit(tx, headKey{}, moveHead) {
		return st, moveHead(ctx, tx)
	}
	return st, nil
}

type headKey struct{}

type chainHead struct {
	seq  int64
	hash string
}

// computeHash is SHA-256 over the previous hash and the entry's fields.
func (e *Entry) computeHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%d\n", e.PrevHash, e.Seq, e.At.UnixMilli())
	for _, f := range []string{e.ActorID, e.ActorName, e.ActorRole, e.Action, e.ObjectType, e.ObjectID, e.Detail} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Problem describes the first place the chain is broken.
type Problem struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

func (p *Problem) Error() string { return fmt.Sprintf("audit entry %d: %s", p.Seq, p.Reason) }

// Report is the result of Verify.
type Report struct {
	Entries int64    `json:"entries"`
	Head    int64    `json:"head"`
	Problem *Problem `json:"problem,omitempty"`
}

// Verify walks the whole chain and reports the first entry that was altered,
// removed or added out of order, or a head that does not match the last entry.
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	var rep Report
	var headHash string
	if err := db.Read().QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&rep.Head, &headHash); err != nil {
		return rep, fmt.Errorf("audit: read head: %w", err)
	}
	rows, err := db.Read().QueryContext(ctx, `SELECT seq, at, actor_id, actor_name, actor_role, action, object_type, object_id, detail, prev_hash, hash
		FROM audit_log ORDER BY seq`)
	if err != nil {
		return rep, fmt.Errorf("audit: read log: %w", err)
	}
	defer rows.Close()
	prev := ""
	var want int64 = 1
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorName, &e.ActorRole, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return rep, fmt.Errorf("audit: read log: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		rep.Entries++
		switch {
		case e.Seq != want:
			rep.Problem = &Problem{Seq: want, Reason: fmt.Sprintf("missing: the chain jumps from entry %d to %d", want-1, e.Seq)}
		case e.PrevHash != prev:
			rep.Problem = &Problem{Seq: e.Seq, Reason: "does not follow the entry before it (previous hash differs): an entry before it was altered or replaced"}
		case e.computeHash() != e.Hash:
			rep.Problem = &Problem{Seq: e.Seq, Reason: "altered: its content no longer matches its hash"}
		}
		if rep.Problem != nil {
			return rep, nil
		}
		prev = e.Hash
		want++
	}
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("audit: read log: %w", err)
	}
	switch {
	case want-1 < rep.Head:
		rep.Problem = &Problem{Seq: want, Reason: fmt.Sprintf("missing: entries %d to %d were removed (the head records %d)", want, rep.Head, rep.Head)}
	case want-1 > rep.Head || prev != headHash:
		rep.Problem = &Problem{Seq: rep.Head, Reason: "the head does not match the last entry"}
	}
	return rep, nil
}

// ForObject lists the entries about one object, oldest first.
func ForObject(ctx context.Context, db *store.DB, objectType, objectID string) ([]Entry, error) {
	rows, err := db.Read().QueryContext(ctx, `SELECT seq, at, actor_id, actor_name, actor_role, action, object_type, object_id, detail, prev_hash, hash
		FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY seq`, objectType, objectID)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.ActorID, &e.ActorName, &e.ActorRole, &e.Action, &e.ObjectType, &e.ObjectID, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
