package store

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite spends about a fifth of an intake request parsing SQL; prepared
// statements are kept and reused instead. database/sql reuses a statement
// prepared on a connection when a transaction on that connection asks for
// it (Tx.StmtContext), so one cache serves the reader pool and the writer.
//
// The writer has a single connection, busy inside a transaction whenever a
// new query shows up; such a query runs unprepared once and is prepared
// after the batch commits, when the connection is free.

// maxCached bounds the cache: queries built with a varying number of
// placeholders are few, but must not grow it without end.
const maxCached = 512

type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool // seen inside a transaction, to prepare later
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.RLock()
	st := c.stmts[q]
	c.mu.RUnlock()
	return st
}

// getOrPrepare prepares q on the pool if it is not cached yet (reader pool:
// a connection is always available to prepare on).
func (c *stmtCache) getOrPrepare(ctx context.Context, q string) *sql.Stmt {
	if st := c.get(q); st != nil {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.stmts[q]; st != nil {
		return st
	}
	if len(c.stmts) >= maxCached {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, q)
	if err != nil {
		return nil // the caller runs it unprepared and reports the error then
	}
	c.stmts[q] = st
	return st
}

// want notes a query seen inside a writer transaction.
func (c *stmtCache) want(q string) {
	c.mu.Lock()
	if len(c.stmts)+len(c.pending) < maxCached {
		c.pending[q] = true
	}
	c.mu.Unlock()
}

// preparePending prepares the queries noted while the connection was busy.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.pending {
		if st, err := c.db.PrepareContext(ctx, q); err == nil {
			c.stmts[q] = st
		}
		delete(c.pending, q)
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// cachedTx runs a transaction's statements through the cache.
type cachedTx struct {
	tx    *sql.Tx
	cache *stmtCache
	// lazy: prepare unknown queries right away (reader pool) rather than
	// after the transaction (single-connection writer).
	lazy bool
	// batch is the state shared by the writes of one group commit.
	batch *batchState
}

func (t *cachedTx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.cache == nil {
		return nil
	}
	var st *sql.Stmt
	if t.lazy {
		st = t.cache.getOrPrepare(ctx, q)
	} else if st = t.cache.get(q); st == nil {
		t.cache.want(q)
	}
	if st == nil {
		return nil
	}
	return t.tx.StmtContext(ctx, st)
}

func (t *cachedTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *cachedTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, q, args...)
}

// Reader runs queries on the reader pool, through the statement cache on
// SQLite.
type Reader struct {
	db    *sql.DB
	cache *stmtCache // nil on PostgreSQL, whose driver caches statements itself
}

// QueryContext runs a query.
func (r *Reader) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if r.cache != nil {
		if st := r.cache.getOrPrepare(ctx, q); st != nil {
			return st.QueryContext(ctx, args...)
		}
	}
	return r.db.QueryContext(ctx, q, args...)
}

// QueryRowContext runs a query that returns one row.
func (r *Reader) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if r.cache != nil {
		if st := r.cache.getOrPrepare(ctx, q); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return r.db.QueryRowContext(ctx, q, args...)
}

// QueryRow is QueryRowContext without a context, for tests and tools.
func (r *Reader) QueryRow(q string, args ...any) *sql.Row {
	return r.QueryRowContext(context.Background(), q, args...)
}

// Query is QueryContext without a context, for tests and tools.
func (r *Reader) Query(q string, args ...any) (*sql.Rows, error) {
	return r.QueryContext(context.Background(), q, args...)
}

// PingContext checks the pool.
func (r *Reader) PingContext(ctx context.Context) error { return r.db.PingContext(ctx) }
