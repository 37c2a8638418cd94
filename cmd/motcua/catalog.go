package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/motcua/motcua/data"
	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/catalog"
)

const catalogUsage = `Usage:
  motcua catalog validate <dir | file.json …>   check catalogue files; exits 1 and names each problem
  motcua catalog import <dir | file.json …>     validate, then add or replace those procedures in the database
  motcua catalog export <dir>                    write the database's catalogue as files
  motcua catalog list                            list the procedures in the database

A catalogue directory holds procedures/*.json (one procedure a file) and
workflows/*.json (workflow templates). Single procedure files may name the
shipped templates. The format is described in docs/catalog-format.md.
Database flags: --data-dir, --database-url (or MOTCUA_DATA_DIR, MOTCUA_DATABASE_URL).`

func runCatalog(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, catalogUsage)
		return nil
	}
	sub := args[0]
	var f dbFlags
	fs := newFlags("catalog "+sub, "catalog "+sub+" [flags] <paths>", out)
	f.register(fs)
	paths, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	switch sub {
	case "validate":
		if len(paths) == 0 {
			return fmt.Errorf("give a catalogue directory or procedure files")
		}
		set, err := readCatalog(paths)
		if err != nil {
			return reportCatalogErrors(out, err)
		}
		versions := 0
		for _, p := range set.Procedures {
			versions += len(p.Versions)
		}
		fmt.Fprintf(out, "ok: %d procedures, %d versions, %d workflow templates\n", len(set.Procedures), versions, len(set.Workflows))
		return nil
	case "import":
		if len(paths) == 0 {
			return fmt.Errorf("give a catalogue directory or procedure files")
		}
		set, err := readCatalog(paths)
		if err != nil {
			return reportCatalogErrors(out, err)
		}
		svc, closeDB, err := openCatalog(ctx, f)
		if err != nil {
			return err
		}
		defer closeDB()
		res, err := svc.Import(ctx, set, cliActor("catalog import"))
		if err != nil {
			return reportCatalogErrors(out, err)
		}
		fmt.Fprintf(out, "imported: %d added, %d updated, %d versions; the catalogue now has %d procedures\n",
			res.Added, res.Updated, res.Versions, svc.Catalog().Len())
		return nil
	case "export":
		if len(paths) != 1 {
			return fmt.Errorf("give one directory to write to")
		}
		svc, closeDB, err := openCatalog(ctx, f)
		if err != nil {
			return err
		}
		defer closeDB()
		procs := svc.Catalog().All()
		workflows := map[string]*catalog.Workflow{}
		for _, p := range procs {
			for _, v := range p.Versions {
				if v.WorkflowDef != nil && v.Workflow != "" {
					workflows[v.Workflow] = v.WorkflowDef
				}
			}
		}
		if err := catalog.WriteDir(paths[0], procs, workflows); err != nil {
			return err
		}
		fmt.Fprintf(out, "exported %d procedures and %d workflow templates to %s\n", len(procs), len(workflows), paths[0])
		return nil
	case "list":
		svc, closeDB, err := openCatalog(ctx, f)
		if err != nil {
			return err
		}
		defer closeDB()
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tFIELD\tNAME\tVERSIONS")
		for _, p := range svc.Catalog().All() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", p.Code, p.Field, p.Name, len(p.Versions))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown subcommand %q\n\n%s", sub, catalogUsage)
}

// readCatalog reads a directory or procedure files; single files may use
// the shipped workflow templates.
func readCatalog(paths []string) (*catalog.Set, error) {
	shipped, err := catalog.ReadDir(data.FS, "catalog")
	if err != nil {
		return nil, fmt.Errorf("shipped catalogue: %w", err)
	}
	return catalog.ReadFiles(shipped.Workflows, paths...)
}

func reportCatalogErrors(out io.Writer, err error) error {
	var errs catalog.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(out, e.Error())
		}
		return fmt.Errorf("%d problems; nothing was imported", len(errs))
	}
	return err
}

func openCatalog(ctx context.Context, f dbFlags) (*catalog.Service, func(), error) {
	log, err := newLogger(os.Stderr, "text", f.logLevel)
	if err != nil {
		return nil, nil, err
	}
	a, err := app.Open(ctx, f.cfg, log)
	if err != nil {
		return nil, nil, err
	}
	return a.Catalog, func() { a.Close() }, nil
}
