package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/dossier"
)

const importUsage = `Usage:
  motcua import dossiers <file.jsonl | file.csv> [--skip-existing] [--data-dir … | --database-url …]

Imports dossiers from an older one-stop system, in the national portal's
sync fields (MaHoSo, MaTTHC, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy,
TrangThaiHoSo, KenhThucHien, ChuHoSo, …; see docs/import-format.md), as JSON
lines or CSV with a header row. Dates are RFC 3339 or yyyyMMddHHmmss
(Vietnam time). The whole file is imported, or — if any line is bad —
nothing, and every bad line and field is named. The receiving agency is the
prefix of MaHoSo; agencies motcua does not know yet are created.`

func runImport(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, importUsage)
		return nil
	}
	if args[0] != "dossiers" {
		return fmt.Errorf("unknown import %q\n\n%s", args[0], importUsage)
	}
	var f dbFlags
	fs := newFlags("import dossiers", "import dossiers <file> [flags]", out)
	f.register(fs)
	skip := fs.Bool("skip-existing", false, "skip dossiers whose code motcua already has (to re-run an import)")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("give one file")
	}
	file, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer file.Close()
	recs, err := dossier.ReadImport(file)
	if err != nil {
		return reportImport(out, pos[0], err)
	}
	log, err := newLogger(os.Stderr, "text", f.logLevel)
	if err != nil {
		return err
	}
	a, err := app.Open(ctx, f.cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Dossiers.Import(ctx, cliActor("import dossiers"), recs, *skip)
	if err != nil {
		return reportImport(out, pos[0], err)
	}
	fmt.Fprintf(out, "imported %d dossiers from %s (%d skipped)", res.Imported, pos[0], res.Skipped)
	if len(res.NewAgencies) > 0 {
		fmt.Fprintf(out, "; new agencies: %v", res.NewAgencies)
	}
	fmt.Fprintln(out)
	return nil
}

func reportImport(out io.Writer, file string, err error) error {
	var ie *dossier.ImportError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			fmt.Fprintf(out, "%s: %s\n", file, p)
		}
		return fmt.Errorf("%d problems in %s; nothing was imported", len(ie.Problems), file)
	}
	return err
}
