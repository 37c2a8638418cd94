package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Channel is the PostgreSQL notification channel for a topic in this
// database's schema: notifications are database-wide, and several motcua
// databases (or test schemas) may share one PostgreSQL database.
func (db *DB) Channel(ctx context.Context, topic string) (string, error) {
	if db.engine != Postgres {
		return topic, nil
	}
	var schema sql.NullString
	if err := db.read.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return "", fmt.Errorf("store: channel: %w", err)
	}
	sum := sha256.Sum256([]byte(schema.String))
	return "motcua_" + topic + "_" + hex.EncodeToString(sum[:6]), nil
}

// Notify sends payload on a channel from inside a write: PostgreSQL delivers
// it to every listener when (and only if) the transaction commits. On
// SQLite, a single process, it does nothing: the caller publishes in
// process after the write.
func Notify(ctx context.Context, tx Tx, engine Engine, channel, payload string) error {
	if engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, payload)
	return err
}

// Listen calls fn with each notification on channel until ctx ends,
// reconnecting after a lost connection (calling fn with "" then, so the
// listener can resynchronise what it may have missed). PostgreSQL only.
func (db *DB) Listen(ctx context.Context, channel string, ready func(), fn func(payload string)) error {
	if db.engine != Postgres {
		return errors.New("store: listen needs PostgreSQL")
	}
	first := true
	for ctx.Err() == nil {
		err := db.listenOnce(ctx, channel, func() {
			if first {
				first = false
				if ready != nil {
					ready()
				}
			} else {
				fn("") // reconnected: something may have been missed
			}
		}, fn)
		if ctx.Err() != nil {
			return nil
		}
		db.log.Warn("notification listener lost its connection; reconnecting", "channel", channel, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (db *DB) listenOnce(ctx context.Context, channel string, ready func(), fn func(string)) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: listen: driver connection is %T", dc)
		}
		c := pc.Conn()
		if _, err := c.Exec(ctx, `LISTEN "`+channel+`"`); err != nil {
			return err
		}
		ready()
		for {
			n, err := c.WaitForNotification(ctx)
			if err != nil {
				if ctx.Err() != nil {
					// Leave the connection clean for the pool.
					c.Exec(context.Background(), `UNLISTEN "`+channel+`"`)
				}
				return err
			}
			fn(n.Payload)
		}
	})
}
