package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/motcua/motcua/internal/testenv"
)

// DefaultChromium is where Debian's chromium package installs the browser.
// The environment variable MOTCUA_CHROMIUM overrides it (a path, or a
// command name looked up in PATH).
const DefaultChromium = "/usr/bin/chromium"

// startTimeout bounds the start of the shared browser and the opening of a
// tab, so that a browser that hangs fails the test instead of hanging CI.
const startTimeout = 30 * time.Second

// ChromiumPath returns the browser that the tests use: MOTCUA_CHROMIUM when it
// is set, DefaultChromium otherwise.
func ChromiumPath() string {
	if p := os.Getenv("MOTCUA_CHROMIUM"); p != "" {
		return p
	}
	return DefaultChromium
}

// shared is the one browser process of the test binary. It starts on the
// first New and stops in Close (which Main calls).
var shared struct {
	mu sync.Mutex
	// ctx is the chromedp context of the browser; each Page is a child of it.
	ctx  context.Context
	stop func() error // stops the browser, then the allocator
	err  error        // why the browser did not start, for later New calls
}

// browserFlags are the command line flags of the shared browser. They start
// from chromedp's defaults (Puppeteer's list: no extensions, no background
// throttling, no crash reporter, sRGB colours, ...) and add what a machine
// without internet needs so that Chromium neither waits for nor logs about
// network services it cannot reach.
func browserFlags(execPath string) []chromedp.ExecAllocatorOption {
	opts := append([]chromedp.ExecAllocatorOption{}, chromedp.DefaultExecAllocatorOptions[:]...)
	opts = append(opts,
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true),
		// Pages see the commune's clock (UTC+7), whatever the machine's zone.
		chromedp.Env("TZ=Asia/Ho_Chi_Minh"),
		// No --user-data-dir here on purpose: without one, chromedp passes
		// --user-data-dir=<a fresh os.MkdirTemp directory> and removes that
		// directory when the browser stops.
	)
	if os.Getenv("MOTCUA_BROWSERTEST_VERBOSE") == "1" {
		opts = append(opts, chromedp.CombinedOutput(os.Stderr))
	}
	return opts
}

// browser returns the chromedp context of the shared browser, starting the
// browser on the first call. A missing Chromium skips the test (or fails it
// when MOTCUA_TEST_REQUIRE_ALL=1); a Chromium that does not start fails it.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath()
	resolved, lookErr := exec.LookPath(path)
	if lookErr != nil {
		testenv.Missing(t, fmt.Sprintf("Chromium (%s)", path))
		return nil
	}

	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.err != nil {
		t.Fatalf("browsertest: the shared Chromium did not start earlier in this test binary: %v", shared.err)
	}
	if shared.ctx != nil {
		return shared.ctx
	}

	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), browserFlags(resolved)...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop := func() error {
		// Cancel closes the browser gracefully and waits for it; allocCancel
		// then kills what is left and removes the user data directory.
		err := chromedp.Cancel(ctx)
		cancel()
		allocCancel()
		return err
	}
	// The first Run binds the browser's life to its context, so it must run
	// on ctx itself; a timer bounds it instead of context.WithTimeout.
	if err := within(startTimeout, func() { _ = stop() }, func() error { return chromedp.Do(ctx) }); err != nil {
		shared.err = fmt.Errorf("starting %s: %w", resolved, err)
		t.Fatalf("browsertest: %v", shared.err)
	}
	shared.ctx, shared.stop = ctx, stop
	return ctx
}

// within runs f, and gives up after d: it then calls abort, which must make f
// return, and reports the time-out.
func within(d time.Duration, abort func(), f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		abort()
		<-done
		return fmt.Errorf("gave up after %v", d)
	}
}

// Close stops the shared browser, if it runs, and removes its temporary user
// data directory. Tests started after Close start a new browser. Main calls
// it; a TestMain that does more than Main calls it after m.Run.
//
// Without Close the browser still dies with the test binary (chromedp starts
// it with a parent-death signal), but its temporary directory stays behind.
func Close() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	var err error
	if shared.stop != nil {
		err = shared.stop()
	}
	shared.ctx, shared.stop, shared.err = nil, nil, nil
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// Main runs the tests of a package that uses browsertest and then stops the
// shared browser. Call it from the package's TestMain:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if err := Close(); err != nil {
		fmt.Fprintln(os.Stderr, "browsertest:", err)
	}
	os.Exit(code)
}
