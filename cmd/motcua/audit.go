package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/audit"
)

const auditUsage = `Usage:
  motcua audit verify [--data-dir … | --database-url …]

verify walks the whole hash-chained audit log and exits 1, naming the first
bad entry, if any entry was altered, removed or added out of order.`

func runAudit(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, auditUsage)
		return nil
	}
	if args[0] != "verify" {
		return fmt.Errorf("unknown subcommand %q\n\n%s", args[0], auditUsage)
	}
	var f dbFlags
	fs := newFlags("audit verify", "audit verify [flags]", out)
	f.register(fs)
	if _, err := parseArgs(fs, args[1:]); err != nil {
		return err
	}
	log, err := newLogger(os.Stderr, "text", f.logLevel)
	if err != nil {
		return err
	}
	db, err := app.OpenDB(ctx, f.cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := audit.Verify(ctx, db)
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		fmt.Fprintf(out, "BROKEN: %s (checked %d entries; the head records %d)\n", rep.Problem.Error(), rep.Entries, rep.Head)
		return fmt.Errorf("the audit log has been tampered with at entry %d", rep.Problem.Seq)
	}
	fmt.Fprintf(out, "ok: %d audit entries, chain intact\n", rep.Entries)
	return nil
}
