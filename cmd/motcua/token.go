package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/identity"
)

const tokenUsage = `Usage:
  motcua token create --role <role> [--agency <code>] [--counter <counter>] [--label <text>] [--ttl 720h]
  motcua token create --user <username> [--ttl 720h]      a token that acts as a staff account
  motcua token revoke <token-id>

Roles: ` + "%s" + `
The token is printed once; only its hash is stored.`

func runToken(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(out, tokenUsage+"\n", strings.Join(identity.TokenRoles, ", "))
		return nil
	}
	sub := args[0]
	var f dbFlags
	fs := newFlags("token "+sub, "token "+sub+" [flags]", out)
	f.register(fs)
	user := fs.String("user", "", "staff account (username) the token acts as, with its name, roles and agency")
	role := fs.String("role", "", "role of the token: "+strings.Join(identity.TokenRoles, ", "))
	agency := fs.String("agency", "", "agency code the token acts for (empty: any)")
	counter := fs.String("counter", "", "queue counter a counter token is bound to")
	label := fs.String("label", "", "a note saying what the token is for")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h (0: does not expire)")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
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
	tokens := identity.NewTokens(db)
	switch sub {
	case "create":
		tok, err := tokens.Create(ctx, identity.TokenSpec{By: cliActor("token create"), User: *user, Role: *role, Agency: *agency, Counter: *counter, Label: *label, TTL: *ttl})
		if err != nil {
			return err
		}
		fmt.Fprintln(out, tok)
		return nil
	case "revoke":
		if len(pos) != 1 {
			return fmt.Errorf("give the token id")
		}
		if err := tokens.Revoke(ctx, pos[0], cliActor("token revoke")); err != nil {
			return err
		}
		fmt.Fprintln(out, "revoked", pos[0], "at", time.Now().Format(time.RFC3339))
		return nil
	}
	return fmt.Errorf("unknown subcommand %q", sub)
}
