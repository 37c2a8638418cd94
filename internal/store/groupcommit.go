package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// maxBatch bounds one group commit, so that a flood of writes still commits
// (and answers) in steady slices.
const maxBatch = 512

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("store: database is closed")

var (
	metricBatchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "motcua_store_group_commit_batch_size",
		Help:    "Writes committed together in one SQLite transaction.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
	})
	metricRetried = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "motcua_store_batches_retried_total",
		Help: "Group commits run again with savepoints because one of their writes failed.",
	})
	metricCommitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "motcua_store_commit_seconds",
		Help:    "Time to run and durably commit one group of writes.",
		Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
	})
)

// Collectors are the store's Prometheus metrics, registered by the server.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{metricBatchSize, metricCommitSeconds, metricRetried}
}

type writeReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx Tx) error
	done chan error
}

// groupCommitter is SQLite's single writer. Requests queue on a channel; the
// writer takes whatever has queued while the previous commit was fsyncing and
// runs it as one transaction.
type groupCommitter struct {
	db *sql.DB
	// afterBegin runs first in every batch: on PostgreSQL it takes the
	// cluster-wide write lock.
	afterBegin func(ctx context.Context, tx *sql.Tx) error
	cache      *stmtCache // SQLite only
	log        *slog.Logger
	reqs       chan *writeReq
	closeMu    sync.RWMutex
	closed     bool
	stopped    chan struct{}
}

func newGroupCommitter(db *sql.DB, log *slog.Logger, afterBegin func(context.Context, *sql.Tx) error) *groupCommitter {
	g := &groupCommitter{
		db:         db,
		afterBegin: afterBegin,
		log:        log,
		reqs:       make(chan *writeReq, 4*maxBatch),
		stopped:    make(chan struct{}),
	}
	go g.run()
	return g
}

var reqPool = sync.Pool{New: func() any { return &writeReq{done: make(chan error, 1)} }}

func (g *groupCommitter) do(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := reqPool.Get().(*writeReq)
	r.ctx, r.fn = ctx, fn
	g.closeMu.RLock()
	if g.closed {
		g.closeMu.RUnlock()
		return ErrClosed
	}
	g.reqs <- r
	g.closeMu.RUnlock()
	// The outcome is always awaited, even if ctx ends meanwhile: once fn is
	// queued it may be committed, and the caller must learn whether it was.
	err := <-r.done
	r.ctx, r.fn = nil, nil
	reqPool.Put(r)
	return err
}

func (g *groupCommitter) close() {
	g.closeMu.Lock()
	if !g.closed {
		g.closed = true
		close(g.reqs)
	}
	g.closeMu.Unlock()
	<-g.stopped
}

func (g *groupCommitter) run() {
	defer close(g.stopped)
	batch := make([]*writeReq, 0, maxBatch)
	for first := range g.reqs {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case r, ok := <-g.reqs:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		g.commit(batch)
	}
}

// commit runs one batch in one transaction. Most batches succeed whole, so
// the writes first run back to back; if one fails, the transaction is rolled
// back and the batch runs again with each write in its own savepoint, so
// that the failing write is undone alone. Writes are functions of the
// transaction only, so running one again is safe.
func (g *groupCommitter) commit(batch []*writeReq) {
	start := time.Now()
	results := g.attempt(batch, false)
	if results == nil {
		metricRetried.Inc()
		results = g.attempt(batch, true)
	}
	if g.cache != nil {
		g.cache.preparePending(context.Background())
	}
	metricBatchSize.Observe(float64(len(batch)))
	metricCommitSeconds.Observe(time.Since(start).Seconds())
	for i, r := range batch {
		r.done <- results[i]
	}
}

// attempt runs the batch once and commits it. Without savepoints it gives
// up (returns nil, having rolled back) at the first write that fails.
func (g *groupCommitter) attempt(batch []*writeReq, savepoints bool) []error {
	results := make([]error, len(batch))
	fail := func(err error) []error {
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		return results
	}
	ctx := context.Background()
	tx, err := g.db.BeginTx(ctx, nil)
	if err == nil && g.afterBegin != nil {
		if err = g.afterBegin(ctx, tx); err != nil {
			tx.Rollback()
		}
	}
	if err != nil {
		return fail(fmt.Errorf("store: begin: %w", err))
	}
	ok := 0
	btx := &cachedTx{tx: tx, cache: g.cache, batch: &batchState{}}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if !savepoints {
			if results[i] = runDirect(r.ctx, btx, r.fn); results[i] != nil {
				tx.Rollback()
				return nil
			}
			ok++
			continue
		}
		values, hooks := btx.batch.snapshot()
		results[i] = runInSavepoint(r.ctx, btx, r.fn)
		if results[i] == nil {
			ok++
		} else {
			btx.batch.restore(values, hooks)
		}
	}
	if ok == 0 {
		tx.Rollback()
		return results
	}
	for _, h := range btx.batch.hooks {
		if err := h.fn(ctx, btx); err != nil {
			tx.Rollback()
			err = fmt.Errorf("store: before commit: %w", err)
			g.log.Error("group commit failed", "err", err, "writes", len(batch))
			return fail(err)
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("store: commit: %w", err)
		g.log.Error("group commit failed", "err", err, "writes", len(batch))
		return fail(err)
	}
	return results
}

// runDirect runs a write without a savepoint, turning a panic into an error.
func runDirect(ctx context.Context, tx Tx, fn func(ctx context.Context, tx Tx) error) (err error) {
	ctx = context.WithoutCancel(ctx)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: write panicked: %v", r)
		}
	}()
	return fn(ctx, tx)
}

func runInSavepoint(ctx context.Context, tx Tx, fn func(ctx context.Context, tx Tx) error) (err error) {
	// A statement interrupted by a cancelled context would make SQLite roll
	// back the whole shared transaction, so once fn starts it runs to its end.
	ctx = context.WithoutCancel(ctx)
	if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return fmt.Errorf("store: savepoint: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store: write panicked: %v", r)
		}
		if err != nil {
			if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO w"); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("store: rollback to savepoint: %w", rbErr))
			}
		}
		if _, relErr := tx.ExecContext(ctx, "RELEASE w"); relErr != nil && err == nil {
			err = fmt.Errorf("store: release savepoint: %w", relErr)
		}
	}()
	return fn(ctx, tx)
}
