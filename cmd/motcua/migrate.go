package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/motcua/motcua/internal/app"
)

// dbFlags are the flags of commands that only need the database.
type dbFlags struct {
	cfg      app.Config
	logLevel string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	d := app.DefaultConfig()
	fs.StringVar(&f.cfg.DataDir, "data-dir", d.DataDir, "directory of the embedded SQLite database")
	fs.StringVar(&f.cfg.DatabaseURL, "database-url", "", "PostgreSQL URL; when set, PostgreSQL is used instead of SQLite")
	fs.StringVar(&f.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	f.cfg.Office, f.cfg.Cutoff = d.Office, d.Cutoff
}

func runMigrate(ctx context.Context, args []string, out io.Writer) error {
	var f dbFlags
	fs := newFlags("migrate", "migrate [flags]", out)
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := newLogger(os.Stderr, "text", f.logLevel)
	if err != nil {
		return err
	}
	db, err := app.OpenDBNoMigrate(ctx, f.cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		fmt.Fprintf(out, "applied %04d_%s\n", m.Version, m.Name)
	}
	fmt.Fprintf(out, "%s database at %s is up to date (%d migrations applied now)\n", db.Engine(), db.Location(), len(applied))
	return nil
}
