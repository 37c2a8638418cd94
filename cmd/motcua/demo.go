package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/app"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/identity"
)

func runDemo(ctx context.Context, args []string, out io.Writer) error {
	var f serverFlags
	fs := newFlags("demo", "demo [flags]", out)
	f.register(fs, "motcua-demo")
	fresh := fs.Bool("fresh", false, "delete the demo data directory first and seed a new demo commune")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.cfg.DatabaseURL != "" && *fresh {
		return fmt.Errorf("--fresh deletes a data directory; it does not apply to --database-url")
	}
	log, err := newLogger(os.Stderr, f.logFormat, f.logLevel)
	if err != nil {
		return err
	}
	if *fresh {
		if err := os.RemoveAll(f.cfg.DataDir); err != nil {
			return fmt.Errorf("remove %s: %w", f.cfg.DataDir, err)
		}
	}
	f.cfg.BaseURL = f.baseURL()
	f.startPprof()
	a, err := app.Open(ctx, f.cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.SMSSandbox != nil {
		a.SMSSandbox.LogBody = true // synthetic citizens: show each SANDBOX SMS in full
	}
	seeded, err := demo.Seeded(ctx, a.DB)
	if err != nil {
		return err
	}
	// The demo's tokens are kept beside its SQLite database so every start
	// can print them; on PostgreSQL they are printed once, when seeded.
	credFile := filepath.Join(f.cfg.DataDir, "demo-credentials.txt")
	if f.cfg.DatabaseURL != "" {
		credFile = filepath.Join(os.TempDir(), "motcua-demo-credentials-"+strconv.Itoa(os.Getpid())+".txt")
		defer os.Remove(credFile)
	}
	if !seeded {
		start := time.Now()
		sum, err := demo.Seed(ctx, a.DB, time.Now())
		if err != nil {
			return err
		}
		log.Info("demo commune seeded", "agencies", sum.Agencies, "villages", sum.Villages, "staff", sum.Staff,
			"residents", sum.Residents, "households", sum.Households, "ms", time.Since(start).Milliseconds())
		if t, m, err := demo.SeedAssist(ctx, a.DB, time.Now()); err != nil {
			return err
		} else {
			log.Info("community digital teams seeded", "teams", t, "members", m)
		}
		// The year of dossiers and the two weeks of the queue touch different
		// tables: seeded side by side, their commits share the disk's flushes
		// (the store's group commit) and the demo is ready sooner.
		start = time.Now()
		queueDone := make(chan error, 1)
		go func() {
			tickets, err := demo.SeedQueue(ctx, a.QueueConfig(), 10, time.Now())
			if err == nil {
				log.Info("two weeks of the demo queue seeded", "tickets", tickets, "ms", time.Since(start).Milliseconds())
			}
			queueDone <- err
		}()
		hist, err := demo.SeedHistory(ctx, a.DB, a.Dossiers, a.Catalog.Catalog(), time.Now())
		if err == nil {
			_, err = a.Dossiers.Sweep(ctx)
		}
		if qerr := <-queueDone; err == nil {
			err = qerr
		}
		if err != nil {
			return err
		}
		log.Info("a year of demo dossiers seeded", "dossiers", hist.Dossiers, "by_status", fmt.Sprint(hist.ByStatus), "ms", time.Since(start).Milliseconds())
		if f, n, err := demo.SeedDX(ctx, a.DB, time.Now()); err != nil {
			return err
		} else {
			log.Info("digital-transformation figures and assisted submissions seeded", "figures", f, "assisted", n)
		}
		if err := writeDemoCredentials(ctx, a, credFile); err != nil {
			return err
		}
	}
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ctx, ready) }()
	select {
	case err := <-errc:
		return err
	case addr := <-ready:
		url := f.cfg.BaseURL
		if strings.HasSuffix(f.cfg.Addr, ":0") {
			url = "http://" + addr
		}
		creds, _ := os.ReadFile(credFile)
		creds = append(creds, demoCitizens(ctx, a)...)
		fmt.Fprintf(out, "\nmotcua demo — Trung tâm Phục vụ hành chính công xã Hoa Lộc (SANDBOX)\n\n  Open %s\n\n%s\nText messages to citizens go to the SMS SANDBOX: logged as \"SANDBOX SMS\", listed at %s/staff/admin/messages, never delivered.\n\nData: %s (delete it, or run with --fresh, to start over). Stop with Ctrl+C.\n\n",
			url, creds, url, f.cfg.DataDir)
	}
	return <-errc
}

// demoCitizens says how to sign in to the citizen portal as a synthetic
// resident through the VNeID sandbox.
func demoCitizens(ctx context.Context, a *app.App) string {
	if a.EIDSandbox == nil {
		return ""
	}
	accts, err := a.EIDSandbox.DemoAccounts(ctx)
	if err != nil || len(accts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n  Citizen portal — sign in at /dang-nhap through the VNeID SANDBOX (not the real VNeID):\n")
	b.WriteString("  type one of these personal ID numbers on its page, or pick the person from its list:\n")
	for _, lv := range []int{2, 1} {
		for _, ac := range accts {
			if ac.Level == lv {
				fmt.Fprintf(&b, "    %s  level %d  %s\n", ac.IDNumber, ac.Level, ac.FullName)
				break
			}
		}
	}
	return b.String()
}

// writeDemoCredentials creates the demo's API tokens once and keeps them in
// the demo data directory, so each start can print them.
func writeDemoCredentials(ctx context.Context, a *app.App, path string) error {
	var b strings.Builder
	users, err := a.Staff.Users(ctx, "")
	if err != nil {
		return err
	}
	// The counter first, then the order of work: specialists, leaders, …
	rank := func(u identity.User) int {
		if len(u.Roles) == 0 {
			return len(identity.StaffRoles)
		}
		return slices.Index(identity.StaffRoles, u.Roles[0])
	}
	slices.SortStableFunc(users, func(x, y identity.User) int {
		if c := cmp.Compare(rank(x), rank(y)); c != 0 {
			return c
		}
		return strings.Compare(x.Username, y.Username)
	})
	b.WriteString("  Demo staff accounts — sign in at /staff/ (sandbox only; the 6-digit code comes from an\n")
	b.WriteString("  authenticator app given the key, or from: motcua totp <key>):\n\n")
	fmt.Fprintf(&b, "    %-16s %-26s %-21s %s\n", "username", "role", "password", "authenticator key")
	for _, u := range users {
		pw, secret := identity.GeneratePassword(), identity.NewTOTPSecret()
		if err := a.Staff.SetCredentials(ctx, &identity.Principal{ID: "system", Name: "motcua demo"}, u.ID, pw, secret); err != nil {
			return err
		}
		fmt.Fprintf(&b, "    %-16s %-26s %-21s %s\n", u.Username, strings.Join(u.Roles, ","), pw, secret)
	}
	b.WriteString("\n  Demo API tokens (sandbox only):\n")
	for _, spec := range []identity.TokenSpec{
		{Role: identity.RoleAdministrator, Label: "Quản trị (demo)"},
		{Role: identity.RoleCounter, Agency: "H56.16072", Label: "Cán bộ một cửa (demo)"},
	} {
		tok, err := a.Tokens.Create(ctx, spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "    %-16s %s\n", spec.Role, tok)
	}
	// The queue's screens: open /queue/device on the kiosk, on a counter's
	// screen or on the board's TV and enter the token once.
	b.WriteString("\n  Queue screens — open /queue/device on the device and enter its token (sandbox only);\n")
	b.WriteString("  the display board needs none: /queue/board. Citizens book at /queue/book.\n")
	for _, spec := range []identity.TokenSpec{
		{Role: identity.RoleKiosk, Agency: "H56.16072", Label: "Máy lấy số sảnh (demo)"},
		{Role: identity.RoleQueueCounter, Agency: "H56.16072", Counter: "1", Label: "Màn hình quầy 1 (demo)"},
		{Role: identity.RoleQueueCounter, Agency: "H56.16072", Counter: "2", Label: "Màn hình quầy 2 (demo)"},
	} {
		tok, err := a.Tokens.Create(ctx, spec)
		if err != nil {
			return err
		}
		what := "kiosk"
		if spec.Counter != "" {
			what = "counter " + spec.Counter
		}
		fmt.Fprintf(&b, "    %-16s %s\n", what, tok)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
