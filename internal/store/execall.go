package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Stmt is one statement with its arguments.
type Stmt struct {
	SQL  string
	Args []any
}

// ExecAll runs statements that return nothing the caller needs (inserts,
// updates) as one unit. On PostgreSQL they travel in one round trip, as one
// statement of data-modifying WITH clauses — a dossier's row, components,
// history and audit entry cost one round trip instead of four; on SQLite,
// in process, they simply run in order.
func ExecAll(ctx context.Context, tx Tx, engine Engine, stmts ...Stmt) error {
	if engine != Postgres || len(stmts) == 1 {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s.SQL, s.Args...); err != nil {
				return err
			}
		}
		return nil
	}
	var b strings.Builder
	var args []any
	for i, s := range stmts {
		sql := renumber(s.SQL, len(args))
		args = append(args, s.Args...)
		switch {
		case i == 0:
			b.WriteString("WITH ")
		case i < len(stmts)-1:
			b.WriteString(", ")
		}
		if i < len(stmts)-1 {
			fmt.Fprintf(&b, "s%d AS (%s)", i, sql)
		} else {
			b.WriteString(" " + sql)
		}
	}
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

// renumber shifts the $n placeholders of a statement by offset.
func renumber(sql string, offset int) string {
	if offset == 0 {
		return sql
	}
	var b strings.Builder
	b.Grow(len(sql) + 16)
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c != '$' || i+1 >= len(sql) || sql[i+1] < '0' || sql[i+1] > '9' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(sql[i+1 : j])
		b.WriteString("$" + strconv.Itoa(n+offset))
		i = j - 1
	}
	return b.String()
}
