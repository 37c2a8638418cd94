// Command motcua runs a commune's public administrative service centre: the
// electronic one-stop system, its calendar and catalogue, and the pages and
// API around them.
//
//	motcua demo                      start a living demo commune on the embedded database
//	motcua serve [flags]             run with the given configuration
//	motcua migrate                   apply database migrations and exit
//	motcua calendar lunar|holidays|add|load …
//	motcua catalog validate|import|export|list …
//	motcua token create|revoke …
//
// Every flag can also be set by an environment variable MOTCUA_<FLAG>, with
// dashes as underscores: --data-dir is MOTCUA_DATA_DIR.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/motcua/motcua/internal/audit"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, out io.Writer) error
}

var commands = []command{
	{"serve", "run motcua with the given configuration", runServe},
	{"demo", "run motcua with a living demo commune (Hoa Lộc) on the embedded database", runDemo},
	{"migrate", "apply database migrations and exit", runMigrate},
	{"calendar", "working calendar: lunar, holidays, add, load", runCalendar},
	{"catalog", "procedure catalogue: validate, import, export, list", runCatalog},
	{"token", "API tokens for scripts and devices: create, revoke", runToken},
	{"audit", "verify the hash-chained audit log", runAudit},
	{"import", "import dossiers from an older system (national sync fields)", runImport},
	{"report", "Decision 766 service-quality index: report 766 --agency … --from … --to …", runReport},
	{"verify", "tell a genuine receipt from a forged or altered one", runVerify},
	{"totp", "print the current authenticator code of a key (demo accounts)", runTOTP},
	{"version", "print the version", runVersion},
}

// errUsage marks an error already explained to the user by a flag set.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], out)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintln(errOut, "motcua "+c.name+":", err)
			return 1
		}
	}
	fmt.Fprintf(errOut, "motcua: unknown command %q\n\n", args[0])
	usage(errOut)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "motcua — the electronic one-stop system of a commune's public administrative service centre")
	fmt.Fprintln(w, "\nUsage: motcua <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'motcua <command> --help' for a command's flags. Every flag can also be set as MOTCUA_<FLAG> in the environment.")
}

// newFlags returns a flag set whose errors and help go to out.
func newFlags(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("motcua "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: motcua %s\n\nFlags (each also read from MOTCUA_<FLAG>):\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, then fills each flag not given on the command line
// from its MOTCUA_* environment variable.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []string
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := "MOTCUA_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("bad environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

// parseArgs is parseFlags for commands that take positional arguments too:
// flags may come before, between or after them.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newLogger returns the structured logger: text for a person at a terminal,
// JSON for a log collector.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: use text or json", format)
}

func runVersion(ctx context.Context, args []string, out io.Writer) error {
	fmt.Fprintln(out, "motcua", version())
	return nil
}

// cliActor is who the audit log records for an administrator's command:
// the operating-system user who ran it.
func cliActor(command string) audit.Actor {
	who := os.Getenv("USER")
	if who == "" {
		who = "?"
	}
	return audit.Actor{ID: "cli:" + who, Name: "motcua " + command + " (" + who + ")", Roles: []string{"administrator"}}
}
