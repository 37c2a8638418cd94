// Package storetest opens throw-away databases on both engines for tests:
// SQLite in a temporary directory, and PostgreSQL in a fresh schema of the
// server named by MOTCUA_TEST_POSTGRES_URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"testing"

	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/testenv"
)

// Each runs fn as a subtest once per engine, each with a new, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			fn(t, Open(t, eng))
		})
	}
}

// Open returns a new, migrated database on the engine, closed and removed when
// the test ends. For PostgreSQL without MOTCUA_TEST_POSTGRES_URL the test is
// skipped (or failed, when CI requires every test).
func Open(t testing.TB, eng store.Engine) *store.DB {
	t.Helper()
	cfg := Config(t, eng)
	ctx := context.Background()
	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", eng, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", eng, err)
	}
	return db
}

// Config returns the configuration of a new, empty database on the engine;
// for PostgreSQL a schema that is dropped when the test ends.
func Config(t testing.TB, eng store.Engine) store.Config {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if eng == store.SQLite {
		return store.Config{DataDir: t.TempDir(), Logger: quiet}
	}
	base := testenv.PostgresURL()
	if base == "" {
		testenv.Missing(t, "PostgreSQL (MOTCUA_TEST_POSTGRES_URL)")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("MOTCUA_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return store.Config{URL: u.String(), Logger: quiet}
}
