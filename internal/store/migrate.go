package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// A Migration is one ordered schema change. A file NNNN_name.sql applies to
// both engines; NNNN_name.sqlite.sql and NNNN_name.postgres.sql to one only.
// In shared files the type word BLOB becomes BYTEA on PostgreSQL.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations for an engine, in order.
func Migrations(engine Engine) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	byVersion := map[int]Migration{}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		only := ""
		for _, eng := range []Engine{SQLite, Postgres} {
			if strings.HasSuffix(base, "."+string(eng)) {
				only = string(eng)
				base = strings.TrimSuffix(base, "."+string(eng))
			}
		}
		if only != "" && only != string(engine) {
			continue
		}
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration file %s: name must be NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		sqlText := string(body)
		if engine == Postgres && only == "" {
			sqlText = strings.ReplaceAll(sqlText, " BLOB", " BYTEA")
		}
		if prev, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", prev.Name, name, v)
		}
		byVersion[v] = Migration{Version: v, Name: label, SQL: sqlText}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Migrate applies the migrations not yet applied, each in its own
// transaction. On PostgreSQL an advisory lock keeps several motcua instances
// starting together from migrating at once.
func (db *DB) Migrate(ctx context.Context) (applied []Migration, err error) {
	all, err := Migrations(db.engine)
	if err != nil {
		return nil, err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if db.engine == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(7263101)"); err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7263101)")
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	done := map[int]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("store: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read schema_migrations: %w", err)
		}
		done[v] = true
	}
	rows.Close()
	for _, m := range all {
		if done[m.Version] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("store: record migration %04d: %w", m.Version, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("store: commit migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, m)
		db.log.Info("migration applied", "version", m.Version, "name", m.Name, "engine", db.engine)
	}
	return applied, nil
}

// Pending reports how many embedded migrations the database has not applied.
func (db *DB) Pending(ctx context.Context) (int, error) {
	all, err := Migrations(db.engine)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		return len(all), fmt.Errorf("store: read schema_migrations: %w", err)
	}
	return len(all) - n, nil
}
