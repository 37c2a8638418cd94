package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second Migrate applied %d migrations, want 0", len(applied))
		}
		n, err := db.Pending(ctx)
		if err != nil || n != 0 {
			t.Fatalf("Pending = %d, %v; want 0", n, err)
		}
	})
}

func TestWriteCommitsAndRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		put := func(key, value string) func(context.Context, store.Tx) error {
			return func(ctx context.Context, tx store.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", key, value, 1)
				return err
			}
		}
		if err := db.Write(ctx, put("a", "một")); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := put("b", "hai")(ctx, tx); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write error = %v, want boom", err)
		}
		// A duplicate key fails alone.
		if err := db.Write(ctx, put("a", "again")); !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v, want a unique violation", err)
		}
		var n int
		if err := db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM settings").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d rows, want 1: the failed writes must leave nothing behind", n)
		}
		var v string
		if err := db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", "a").Scan(&v); err != nil || v != "một" {
			t.Fatalf("value = %q, %v", v, err)
		}
	})
}

// Concurrent writes share commits, and a failing write in a batch does not
// undo the others.
func TestConcurrentWritesIsolateFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const n = 300
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
					if _, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)",
						fmt.Sprintf("k%03d", i), "v", i); err != nil {
						return err
					}
					if i%7 == 0 {
						return fmt.Errorf("write %d refuses", i)
					}
					return nil
				})
			}(i)
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			if i%7 == 0 {
				if err == nil {
					t.Errorf("write %d: want its error", i)
				}
				continue
			}
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			want++
		}
		var got int
		if err := db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM settings").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%d rows committed, want %d", got, want)
		}
	})
}

func TestWritePanicIsAnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			panic("bad write")
		})
		if err == nil {
			t.Fatal("a panicking write must return an error")
		}
		// The writer still works afterwards.
		if err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ('x', 'y', 1)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCancelledContextWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ('x', 'y', 1)")
			return err
		})
		if err == nil {
			t.Fatal("want an error for a cancelled context")
		}
		var n int
		db.Read().QueryRow("SELECT COUNT(*) FROM settings").Scan(&n)
		if n != 0 {
			t.Fatalf("%d rows written by a cancelled write", n)
		}
	})
}

func TestWriteAfterCloseFails(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	db.Close()
	err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error { return nil })
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Write after Close = %v, want ErrClosed", err)
	}
}

func TestSQLiteIsDurable(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	var mode string
	var sync int
	ctx := context.Background()
	if err := db.Read().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
	})
	if err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || sync != 2 {
		t.Fatalf("journal_mode=%s synchronous=%d, want wal and 2 (FULL)", mode, sync)
	}
}

func BenchmarkGroupCommit(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	ctx := context.Background()
	var mu sync.Mutex
	seq := 0
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			seq++
			k := fmt.Sprintf("k%d", seq)
			mu.Unlock()
			if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ($1, 'v', 1)", k)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// A counter kept in the batch state and stored before commit counts exactly
// the writes that succeeded, although failing writes changed it first.
func TestBatchStateRollsBackWithFailedWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ('n', '0', 0)")
			return err
		})
		type key struct{}
		const n = 300
		var wg sync.WaitGroup
		var okCount atomic.Int64
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
					var v int
					if x, ok := store.BatchValue(tx, key{}); ok {
						v = x.(int)
					} else {
						var s string
						if err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'n'").Scan(&s); err != nil {
							return err
						}
						fmt.Sscan(s, &v)
					}
					store.SetBatchValue(tx, key{}, v+1)
					store.BeforeCommit(tx, key{}, func(ctx context.Context, tx store.Tx) error {
						x, _ := store.BatchValue(tx, key{})
						_, err := tx.ExecContext(ctx, "UPDATE settings SET value = $1 WHERE key = 'n'", fmt.Sprint(x))
						return err
					})
					if i%3 == 0 {
						return fmt.Errorf("write %d fails", i)
					}
					return nil
				})
				if err == nil {
					okCount.Add(1)
				}
			}(i)
		}
		wg.Wait()
		var s string
		db.Read().QueryRow("SELECT value FROM settings WHERE key = 'n'").Scan(&s)
		if s != fmt.Sprint(okCount.Load()) {
			t.Fatalf("counter %s, successful writes %d", s, okCount.Load())
		}
	})
}

func TestExecAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return store.ExecAll(ctx, tx, db.Engine(),
				store.Stmt{SQL: "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", Args: []any{"a", "một", 1}},
				store.Stmt{SQL: "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3), ($4, $5, $6)", Args: []any{"b", "hai", 2, "c", "ba", 3}},
				store.Stmt{SQL: "UPDATE settings SET value = $1 WHERE key = $2", Args: []any{"bốn", "z"}},
			)
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		db.Read().QueryRow("SELECT COUNT(*) FROM settings WHERE value IN ('một', 'hai', 'ba')").Scan(&n)
		if n != 3 {
			t.Errorf("%d rows", n)
		}
		// A failing part fails the whole.
		err = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return store.ExecAll(ctx, tx, db.Engine(),
				store.Stmt{SQL: "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", Args: []any{"d", "x", 1}},
				store.Stmt{SQL: "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)", Args: []any{"a", "dup", 1}},
			)
		})
		if err == nil {
			t.Fatal("a duplicate key must fail")
		}
		db.Read().QueryRow("SELECT COUNT(*) FROM settings WHERE key = 'd'").Scan(&n)
		if n != 0 {
			t.Error("the failed unit left a row")
		}
	})
}
