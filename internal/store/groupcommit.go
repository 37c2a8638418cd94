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
	metricCommitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "motcua_store_commit_seconds",
		Help:    "Time to run and durably commit one group of writes.",
		Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
	})
)

// Collectors are the store's Prometheus metrics, registered by the server.
func Collectors() []prometheus.Collector {
	return []prometheus.Collector{metricBatchSize, metricCommitSeconds}
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

// commit runs one batch in one transaction. Each request's function runs in
// a savepoint; its own failure rolls back only its savepoint.
func (g *groupCommitter) commit(batch []*writeReq) {
	start := time.Now()
	results := make([]error, len(batch))
	ctx := context.Background()
	tx, err := g.db.BeginTx(ctx, nil)
	if err == nil && g.afterBegin != nil {
		if err = g.afterBegin(ctx, tx); err != nil {
			tx.Rollback()
		}
	}
	if err != nil {
		err = fmt.Errorf("store: begin: %w", err)
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	ok := 0
	btx := &cachedTx{tx: tx, cache: g.cache, batch: &batchState{}}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
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
	var hookErr error
	if ok > 0 {
		for _, h := range btx.batch.hooks {
			if hookErr = h.fn(ctx, btx); hookErr != nil {
				hookErr = fmt.Errorf("store: before commit: %w", hookErr)
				break
			}
		}
	}
	if ok == 0 {
		tx.Rollback()
	} else if hookErr != nil {
		tx.Rollback()
		g.log.Error("group commit failed", "err", hookErr, "writes", len(batch))
		for i := range results {
			if results[i] == nil {
				results[i] = hookErr
			}
		}
	} else if err := tx.Commit(); err != nil {
		err = fmt.Errorf("store: commit: %w", err)
		g.log.Error("group commit failed", "err", err, "writes", len(batch))
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	if g.cache != nil {
		g.cache.preparePending(ctx)
	}
	metricBatchSize.Observe(float64(len(batch)))
	metricCommitSeconds.Observe(time.Since(start).Seconds())
	for i, r := range batch {
		r.done <- results[i]
	}
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
