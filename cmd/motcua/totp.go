package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/motcua/motcua/internal/identity"
)

// runTOTP prints the current authenticator code of a key: for the demo's
// accounts when no authenticator app is at hand.
func runTOTP(ctx context.Context, args []string, out io.Writer) error {
	if len(args) != 1 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, "Usage: motcua totp <authenticator key>   prints the current 6-digit code (demo and tests)")
		return nil
	}
	now := time.Now()
	code, err := identity.TOTPCode(args[0], identity.TOTPStep(now))
	if err != nil {
		return err
	}
	left := 30 - now.Unix()%30
	fmt.Fprintf(out, "%s (valid %d more seconds)\n", code, left)
	return nil
}
