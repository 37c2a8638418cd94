package store

import (
	"context"
	"maps"
)

// Within one group commit, many writes run one after another in the same
// transaction. Counters that every write bumps — the audit chain's head, a
// day's dossier sequence — would cost a read and a write each time; instead
// a write can keep the value in the batch's state and register one hook
// that stores it just before the commit. A write that fails has its
// savepoint rolled back, and its changes to the batch state with it.

type batchState struct {
	values map[any]any
	hooks  []hookEntry
}

type hookEntry struct {
	key any
	fn  func(ctx context.Context, tx Tx) error
}

func (b *batchState) snapshot() (map[any]any, int) { return maps.Clone(b.values), len(b.hooks) }

func (b *batchState) restore(values map[any]any, hooks int) {
	b.values = values
	b.hooks = b.hooks[:hooks]
}

func batchOf(tx Tx) *batchState {
	if c, ok := tx.(*cachedTx); ok {
		return c.batch
	}
	return nil
}

// BatchValue returns a value a write of this batch stored under key.
func BatchValue(tx Tx, key any) (any, bool) {
	b := batchOf(tx)
	if b == nil {
		return nil, false
	}
	v, ok := b.values[key]
	return v, ok
}

// SetBatchValue stores a value for the later writes of this batch. Outside a
// write batch it does nothing.
func SetBatchValue(tx Tx, key, value any) {
	if b := batchOf(tx); b != nil {
		if b.values == nil {
			b.values = map[any]any{}
		}
		b.values[key] = value
	}
}

// BeforeCommit registers fn to run once, just before the batch commits,
// however many writes register it under the same key. It reports false
// outside a write batch: the caller must then store its value itself.
func BeforeCommit(tx Tx, key any, fn func(ctx context.Context, tx Tx) error) bool {
	b := batchOf(tx)
	if b == nil {
		return false
	}
	for _, h := range b.hooks {
		if h.key == key {
			return true
		}
	}
	b.hooks = append(b.hooks, hookEntry{key, fn})
	return true
}
