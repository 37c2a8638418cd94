// Package store opens motcua's database — embedded SQLite or PostgreSQL — runs
// its migrations, and gives the services one way to read and one way to write.
//
// Both engines are reached through database/sql with the same SQL: `$n`
// placeholders, RETURNING, ON CONFLICT. Times are stored as BIGINT Unix
// milliseconds (UTC) and calendar dates as 'YYYY-MM-DD' text, so comparisons
// and indexes behave the same on both engines.
//
// Every write goes through one writer goroutine that group-commits concurrent
// writes: a commune PC runs with synchronous=FULL so a promised receipt
// survives a power cut, and one fsync per request would cap intake at a few
// thousand commits a second. Each write runs in its own savepoint, so one
// failing write never takes the others in its batch down with it. On
// PostgreSQL, where several motcua instances may share one database, each
// batch first takes a transaction-level advisory lock: writes are serialised
// across instances exactly as they are within one, which keeps dossier
// sequence numbers gap-free and the audit chain linear without deadlocks.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Engine names a database engine.
type Engine string

// The engines motcua runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Config says which database to open.
type Config struct {
	// DataDir holds the SQLite database (motcua.db) when URL is empty.
	DataDir string
	// URL is a postgres:// URL; when set, PostgreSQL is used.
	URL string
	// ReadConns is the size of the reader pool (0: a default from the CPU count).
	ReadConns int
	// Logger receives store events; nil means slog.Default().
	Logger *slog.Logger
}

// Tx is what a write function gets: the statements of one transaction.
// *sql.Tx satisfies it.
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open motcua database.
type DB struct {
	engine    Engine
	read      *sql.DB
	write     *sql.DB
	reader    *Reader
	gc        *groupCommitter
	closeOnce sync.Once
	log       *slog.Logger
	path      string
	readConns int
}

// Open opens (and creates, for SQLite) the database described by cfg. It does
// not run migrations; call Migrate.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	readConns := cfg.ReadConns
	if readConns <= 0 {
		readConns = max(8, 4*runtime.NumCPU())
	}
	if cfg.URL != "" {
		return openPostgres(ctx, cfg.URL, readConns, log)
	}
	return openSQLite(ctx, cfg.DataDir, readConns, log)
}

func openSQLite(ctx context.Context, dir string, readConns int, log *slog.Logger) (*DB, error) {
	if dir == "" {
		dir = "motcua-data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	path := filepath.Join(dir, "motcua.db")
	base := "file:" + filepath.ToSlash(path) + "?" + sqlitePragmas()
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	read.SetConnMaxIdleTime(0)
	read.SetConnMaxLifetime(0)
	db := &DB{engine: SQLite, read: read, write: write, log: log, path: path, readConns: readConns,
		reader: &Reader{db: read, cache: newStmtCache(read)}}
	db.gc = newGroupCommitter(write, log, nil)
	db.gc.cache = newStmtCache(write)
	return db, nil
}

func sqlitePragmas() string {
	p := []string{
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"cache_size(-16000)",
		"temp_store(MEMORY)",
	}
	v := url.Values{}
	for _, s := range p {
		v.Add("_pragma", s)
	}
	return v.Encode()
}

func openPostgres(ctx context.Context, rawURL string, conns int, log *slog.Logger) (*DB, error) {
	pool, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(conns, 16))
	pool.SetMaxIdleConns(max(conns, 16))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to postgres %s: %w", redactURL(rawURL), err)
	}
	db := &DB{engine: Postgres, read: pool, write: pool, log: log, path: redactURL(rawURL), reader: &Reader{db: pool}}
	db.gc = newGroupCommitter(pool, log, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", writeLockKey)
		return err
	})
	return db, nil
}

// writeLockKey is the advisory lock that serialises write batches across
// motcua instances sharing one PostgreSQL database.
const writeLockKey = 7263102

// redactURL hides a password in a database URL so it can be logged.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Engine reports which engine the database runs on.
func (db *DB) Engine() Engine { return db.engine }

// Location is the SQLite file path or the redacted PostgreSQL URL.
func (db *DB) Location() string { return db.path }

// Read is the pool for queries. On SQLite its connections are read-only.
func (db *DB) Read() *Reader { return db.reader }

// ReadTx runs fn in a read-only transaction, so that several queries see one
// consistent state.
func (db *DB) ReadTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.engine == Postgres})
	if err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(ctx, &cachedTx{tx: tx, cache: db.reader.cache, lazy: true})
}

// Write runs fn in a transaction and returns after the transaction is durably
// committed, or with fn's error (and nothing of fn written). fn shares its
// transaction with other concurrent writes (group commit), each in its own
// savepoint; fn must therefore not commit or roll back itself, and must not
// keep the Tx after it returns.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error {
	return db.gc.do(ctx, fn)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) {
		return coded.SQLState() == "23505"
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "constraint failed: UNIQUE")
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close stops the writer after the writes already queued and closes the
// pools. Closing twice does nothing.
func (db *DB) Close() error {
	var errs []error
	db.closeOnce.Do(func() { errs = db.close() })
	return errors.Join(errs...)
}

func (db *DB) close() []error {
	db.gc.close()
	if db.gc.cache != nil {
		db.gc.cache.close()
	}
	if db.reader.cache != nil {
		db.reader.cache.close()
	}
	var errs []error
	if db.write != db.read {
		errs = append(errs, db.write.Close())
	}
	errs = append(errs, db.read.Close())
	return errs
}

// Millis converts a time to what the database stores: Unix milliseconds, UTC.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis converts stored Unix milliseconds back to a time (UTC); 0 is the
// zero time.
func FromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NullMillis is Millis for an optional time: the zero time becomes NULL.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// Optimize refreshes the query planner's statistics, so that a database
// grown from a few dossiers to hundreds of thousands keeps choosing the
// right indexes. On SQLite the dossiers table is analysed in full — a
// sampled analysis misjudges a column that holds one agency code for every
// row, and the console's newest-first list then sorts the whole table — and
// the other tables by PRAGMA optimize (bounded, cheap when nothing changed).
// On PostgreSQL, ANALYZE on top of autovacuum.
func (db *DB) Optimize(ctx context.Context) error {
	var err error
	if db.engine == SQLite {
		err = db.Write(ctx, func(ctx context.Context, tx Tx) error {
			for _, q := range []string{"PRAGMA analysis_limit = 0", "ANALYZE dossiers", "PRAGMA analysis_limit = 1000", "PRAGMA optimize = 0x10002"} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			// A connection reads the statistics when it opens: let the
			// readers open anew, idle ones now, busy ones when returned.
			db.read.SetMaxIdleConns(0)
			db.read.SetMaxIdleConns(db.readConns)
		}
	} else {
		_, err = db.write.ExecContext(ctx, "ANALYZE")
	}
	if err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}
