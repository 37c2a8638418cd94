package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
)

const verifyUsage = `Usage:
  motcua verify <receipt.pdf | QR content or status-page address | dossier code> [--data-dir … | --database-url …]

Tells a genuine receipt from a forged or altered one: a PDF must carry the
centre's signature over the whole file; a QR code's signed facts must match
the dossier motcua holds. A dossier code alone prints the facts to compare
with the paper. Exits 1 when the document is not genuine.`

var reDossierCode = regexp.MustCompile(`^[A-Za-z0-9.]+-[0-9]{6}-[0-9]{4,7}$`)

var errNotGenuine = errors.New("the document is not genuine")

func runVerify(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(out, verifyUsage)
		return nil
	}
	var f dbFlags
	fs := newFlags("verify", "verify <file or code> [flags]", out)
	f.register(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("give one file, QR content or dossier code")
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
	arg := pos[0]
	var v *dossier.Verification
	switch b, readErr := os.ReadFile(arg); {
	case readErr == nil:
		doc, err := a.Dossiers.Keys().OpenFile(b)
		if err != nil {
			fmt.Fprintf(out, "NOT GENUINE: %s: %v\n", arg, err)
			return errNotGenuine
		}
		token, err := forms.SealFromPDF(doc)
		if err != nil {
			fmt.Fprintf(out, "GENUINE: %s was issued by this centre and has not been changed since\n", arg)
			return nil
		}
		if v, err = a.Dossiers.VerifySeal(ctx, token); err != nil {
			return err
		}
	case reDossierCode.MatchString(arg):
		facts, ok, err := a.Dossiers.ReceiptFacts(ctx, arg)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(out, "NOT FOUND: this centre has no dossier %s\n", arg)
			return errNotGenuine
		}
		fmt.Fprintln(out, "FOUND: compare these facts with the paper (for a full check, verify its QR code or PDF):")
		printFacts(out, facts)
		return nil
	default:
		if v, err = a.Dossiers.VerifySeal(ctx, arg); err != nil {
			return err
		}
	}
	if !v.Genuine {
		fmt.Fprintf(out, "NOT GENUINE: %s\n", v.Reason)
		return errNotGenuine
	}
	fmt.Fprintf(out, "GENUINE: %s\n", v.Reason)
	printFacts(out, v)
	return nil
}

func printFacts(out io.Writer, v *dossier.Verification) {
	fmt.Fprintf(out, "  dossier:   %s\n  procedure: %s\n  applicant: %s\n", v.Code, v.Procedure, v.Applicant)
	if v.Received != nil {
		fmt.Fprintf(out, "  received:  %s\n", v.Received.In(calendar.Location).Format("15:04 02/01/2006"))
	}
	if v.Due != nil {
		fmt.Fprintf(out, "  due:       %s\n", v.Due.In(calendar.Location).Format("15:04 02/01/2006"))
	}
	fmt.Fprintf(out, "  status:    %s\n", v.Status)
}
