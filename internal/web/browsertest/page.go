package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// DefaultTimeout bounds every action of a Page (a navigation, a click, a
// query that waits for its element, an axe-core run, ...). An action that
// takes longer fails the test, so a hung page never hangs CI.
const DefaultTimeout = 20 * time.Second

// Keys for Press and PressAndWait. Any other text is typed as it is; more
// keys are in github.com/chromedp/chromedp/kb.
const (
	Tab        = kb.Tab
	Enter      = kb.Enter
	Escape     = kb.Escape
	Backspace  = kb.Backspace
	Space      = " "
	ArrowUp    = kb.ArrowUp
	ArrowDown  = kb.ArrowDown
	ArrowLeft  = kb.ArrowLeft
	ArrowRight = kb.ArrowRight
	Home       = kb.Home
	End        = kb.End
)

// Modifiers for Press and PressAndWait, e.g. p.Press(Tab, Shift).
const (
	Shift = chromedp.ModifierShift
	Ctrl  = chromedp.ModifierCtrl
	Alt   = chromedp.ModifierAlt
)

// Viewport is the size of the page's window in CSS pixels.
type Viewport struct {
	Width, Height int64
	// Mobile emulates a phone: the page's <meta name="viewport"> applies and
	// touch events are on (Click still sends a mouse click).
	Mobile bool
	// Scale is the device pixel ratio; 0 means 1, which keeps screenshots
	// small.
	Scale float64
}

// The two viewports every page of the service centre is checked at.
var (
	// Mobile is a common phone (iPhone 12 to 15) held upright.
	Mobile = Viewport{Width: 390, Height: 844, Mobile: true}
	// Desktop is a laptop screen, and the viewport of a new Page.
	Desktop = Viewport{Width: 1280, Height: 800}
)

// Option changes how New opens a Page.
type Option func(*config)

type config struct {
	timeout            time.Duration
	viewport           Viewport
	allowConsoleErrors bool
}

// WithTimeout sets the time limit of each action of the Page (DefaultTimeout
// by default).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithViewport sets the first viewport of the Page (Desktop by default).
func WithViewport(v Viewport) Option { return func(c *config) { c.viewport = v } }

// AllowConsoleErrors turns off the check that fails the test when the page
// wrote an error to its console. To allow only some errors, use
// (*Page).IgnoreConsoleErrors instead.
func AllowConsoleErrors() Option { return func(c *config) { c.allowConsoleErrors = true } }

// Page is one browser tab of one test, in the shared browser. It has its own
// browser context (like an incognito window): cookies, storage and cache are
// not shared with the pages of other tests, so tests can run in parallel.
//
// Its methods fail the test (t.Fatalf) when the browser reports an error or
// an action takes longer than the timeout. A Page belongs to the test that
// made it: call its methods from that test's goroutine only, and make a new
// Page in each subtest.
type Page struct {
	t       testing.TB
	ctx     context.Context // the tab's chromedp context; it has no deadline
	timeout time.Duration
	console console
}

// New opens a new tab in the shared browser, starting the browser if this is
// the first Page of the test binary, and closes the tab when the test ends.
//
// When Chromium (ChromiumPath) is not installed, New skips the test, or fails
// it when MOTCUA_TEST_REQUIRE_ALL=1 (as CI sets).
//
// When the test ends, New's cleanup:
//   - fails the test if the page wrote errors to its console (see
//     ConsoleErrors and AllowConsoleErrors);
//   - if the test failed and MOTCUA_BROWSERTEST_ARTIFACTS names a directory,
//     saves a screenshot and the HTML of the page there;
//   - closes the tab.
func New(t testing.TB, opts ...Option) *Page {
	t.Helper()
	cfg := config{timeout: DefaultTimeout, viewport: Desktop}
	for _, o := range opts {
		o(&cfg)
	}
	bctx := browser(t)

	p := &Page{t: t, timeout: cfg.timeout}
	p.console.check = !cfg.allowConsoleErrors
	ctx, cancel := chromedp.NewContext(bctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(p.console.listen),
	)
	p.ctx = ctx
	// The first Run opens the tab and binds its life to ctx, so it runs on
	// ctx itself, bounded by a timer.
	err := within(startTimeout, cancel, func() error {
		return chromedp.Do(ctx,
			// Each tab is in its own window, and only one window has the
			// focus; emulate focus so that focus and blur events, :focus
			// and :focus-visible work in every tab of parallel tests.
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled,
					emulation.SetFocusEmulationEnabledParams{Enabled: true})
				return err
			}),
			viewportAction(cfg.viewport),
		)
	})
	if err != nil {
		cancel()
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	t.Cleanup(func() {
		if p.console.check {
			p.reportConsoleErrors()
		}
		if t.Failed() {
			p.saveArtifacts()
		}
		cancel()
	})
	return p
}

// Context returns the chromedp context of the tab, for what this package does
// not wrap: chromedp.Run(p.Context(), ...). The context has no deadline; add
// one (context.WithTimeout), or use Do and Run, which do.
func (p *Page) Context() context.Context { return p.ctx }

// T returns the test the Page belongs to.
func (p *Page) T() testing.TB { return p.t }

// Do runs chromedp actions in the tab, within the timeout, and fails the test
// on an error.
func (p *Page) Do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	run(p, "running chromedp actions", chromedp.Steps(actions...))
}

// Run runs one chromedp action in the tab, within the timeout, and returns
// its value; it fails the test on an error.
func Run[T any](p *Page, action chromedp.Action[T]) T {
	p.t.Helper()
	return run(p, "running a chromedp action", action)
}

// run runs the action with the Page's timeout; what says what it does, for
// the failure message.
func run[T any](p *Page, what string, action chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		p.fail(what, err)
	}
	return v
}

func (p *Page) fail(what string, err error) {
	p.t.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		p.t.Fatalf("browsertest: %s: not done within %v", what, p.timeout)
	}
	p.t.Fatalf("browsertest: %s: %v", what, err)
}

// Navigate loads url and waits for its load event. It fails the test when the
// server answers with an HTTP status of 400 or more (use NavigateStatus to
// look at an error page).
func (p *Page) Navigate(url string) {
	p.t.Helper()
	if status := p.NavigateStatus(url); status >= 400 {
		p.t.Fatalf("browsertest: GET %s: HTTP status %d", url, status)
	}
}

// NavigateStatus loads url, waits for its load event, and returns the HTTP
// status of the document (0 for a URL without one, such as about:blank).
func (p *Page) NavigateStatus(url string) int {
	p.t.Helper()
	resp := run(p, "loading "+url, chromedp.NavigateResponse(url))
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// ClickAndWait clicks the first element matching the CSS selector, waits for
// the page that the click loads (a link, a form's submit button), and returns
// its HTTP status. The test fails if no page loads within the timeout.
func (p *Page) ClickAndWait(selector string) int {
	p.t.Helper()
	return p.loadBy("clicking "+selector+" and waiting for the next page", chromedp.Click(chromedp.CSS(selector)))
}

// PressAndWait is Press, then waits for the page that the keys load (Enter in
// a form field submits the form), and returns its HTTP status.
func (p *Page) PressAndWait(keys string, modifiers ...chromedp.Modifier) int {
	p.t.Helper()
	return p.loadBy(fmt.Sprintf("pressing %q and waiting for the next page", keys), keyAction(keys, modifiers))
}

func (p *Page) loadBy(what string, action chromedp.Action[chromedp.Void]) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, action)
	if err != nil {
		p.fail(what, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Title returns the document's title.
func (p *Page) Title() string {
	p.t.Helper()
	return run(p, "reading the title", chromedp.Title())
}

// URL returns the URL of the document.
func (p *Page) URL() string {
	p.t.Helper()
	return run(p, "reading the URL", chromedp.Location())
}

// HTML returns the HTML of the whole document, as the browser has it now.
func (p *Page) HTML() string {
	p.t.Helper()
	return Eval[string](p, `document.documentElement.outerHTML`)
}

// Text returns the text of the first element matching the CSS selector, as a
// person sees it (innerText: hidden parts left out, "" for a hidden element).
// It waits for such an element to exist, up to the timeout.
func (p *Page) Text(selector string) string {
	p.t.Helper()
	return run(p, "reading the text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Texts returns the text (innerText) of every element matching the CSS
// selector, in document order; it does not wait.
func (p *Page) Texts(selector string) []string {
	p.t.Helper()
	texts := Eval[[]string](p, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.innerText)`, jsString(selector)))
	if texts == nil {
		texts = []string{}
	}
	return texts
}

// Count returns how many elements match the CSS selector now; it does not
// wait.
func (p *Page) Count(selector string) int {
	p.t.Helper()
	return Eval[int](p, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(selector)))
}

// Exists reports whether an element matches the CSS selector now; it does not
// wait.
func (p *Page) Exists(selector string) bool {
	p.t.Helper()
	return p.Count(selector) > 0
}

// WaitVisible waits until an element matching the CSS selector is visible.
func (p *Page) WaitVisible(selector string) {
	p.t.Helper()
	run(p, "waiting for "+selector+" to be visible", chromedp.WaitVisible(chromedp.CSS(selector)))
}

// WaitGone waits until no element matches the CSS selector.
func (p *Page) WaitGone(selector string) {
	p.t.Helper()
	run(p, "waiting for "+selector+" to go away", chromedp.WaitNotPresent(chromedp.CSS(selector)))
}

// Attr returns the value of an attribute of the first element matching the
// CSS selector, and whether the element has it. It waits for the element.
func (p *Page) Attr(selector, name string) (string, bool) {
	p.t.Helper()
	r := run(p, "reading "+name+" of "+selector, chromedp.AttributeValue(chromedp.CSS(selector), name))
	return r.Value, r.Exists
}

// Value returns the value of the form field matching the CSS selector.
func (p *Page) Value(selector string) string {
	p.t.Helper()
	return run(p, "reading the value of "+selector, chromedp.Value(chromedp.CSS(selector)))
}

// Click clicks the middle of the first element matching the CSS selector,
// with the mouse, after waiting for it to be visible. If the click loads a
// new page, use ClickAndWait.
func (p *Page) Click(selector string) {
	p.t.Helper()
	run(p, "clicking "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// Focus moves the keyboard focus to the first element matching the CSS
// selector.
func (p *Page) Focus(selector string) {
	p.t.Helper()
	run(p, "focusing "+selector, chromedp.Focus(chromedp.CSS(selector)))
}

// Type focuses the first element matching the CSS selector and types text
// into it, key by key, after what the field holds already. Vietnamese letters
// with diacritics are typed as themselves; "\n" presses Enter.
func (p *Page) Type(selector, text string) {
	p.t.Helper()
	run(p, "typing into "+selector, chromedp.SendKeys(chromedp.CSS(selector), text))
}

// Clear empties the form field matching the CSS selector.
func (p *Page) Clear(selector string) {
	p.t.Helper()
	run(p, "clearing "+selector, chromedp.Clear(chromedp.CSS(selector)))
}

// Press presses keys, one after the other, in the element that has the
// focus, as a keyboard user would: p.Press(Tab), p.Press(Tab, Shift),
// p.Press(Enter), p.Press("abc").
func (p *Page) Press(keys string, modifiers ...chromedp.Modifier) {
	p.t.Helper()
	run(p, fmt.Sprintf("pressing %q", keys), keyAction(keys, modifiers))
}

func keyAction(keys string, modifiers []chromedp.Modifier) chromedp.Action[chromedp.Void] {
	if len(modifiers) == 0 {
		return chromedp.KeyEvent(keys)
	}
	return chromedp.KeyEvent(keys, chromedp.KeyModifiers(modifiers...))
}

// IsFocused reports whether the first element matching the CSS selector has
// the keyboard focus.
func (p *Page) IsFocused(selector string) bool {
	p.t.Helper()
	return Eval[bool](p, fmt.Sprintf(`document.activeElement !== null && document.activeElement === document.querySelector(%s)`, jsString(selector)))
}

// Focused describes the element that has the keyboard focus, for test
// messages: its tag, id, name and the start of its text, such as
// `input#ho-ten[name="hoTen"]` or `a "Tra cứu hồ sơ"`.
func (p *Page) Focused() string {
	p.t.Helper()
	return Eval[string](p, `(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return "(nothing: the body)";
		let s = e.tagName.toLowerCase();
		if (e.id) s += "#" + e.id;
		const name = e.getAttribute("name");
		if (name) s += '[name="' + name + '"]';
		const text = (e.innerText || e.value || "").trim().replace(/\s+/g, " ");
		if (text) s += ' "' + (text.length > 40 ? text.slice(0, 40) + "…" : text) + '"';
		return s;
	})()`)
}

// Exec runs JavaScript in the page, waiting for it if it gives a promise.
func (p *Page) Exec(js string) {
	p.t.Helper()
	run(p, "running JavaScript", chromedp.Evaluate[chromedp.Void](js, chromedp.EvalAwaitPromise))
}

// Eval runs a JavaScript expression in the page and returns its value, decoded
// from JSON into T; it waits for a promise. A thrown exception, undefined or
// null (for a T that cannot be nil) fails the test.
//
//	n := browsertest.Eval[int](p, `document.forms.length`)
func Eval[T any](p *Page, js string) T {
	p.t.Helper()
	return run(p, "evaluating JavaScript", chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// SetViewport resizes the page's viewport, e.g. p.SetViewport(Mobile).
func (p *Page) SetViewport(v Viewport) {
	p.t.Helper()
	run(p, fmt.Sprintf("setting the viewport to %dx%d", v.Width, v.Height), viewportAction(v))
}

func viewportAction(v Viewport) chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{}
	if v.Scale != 0 {
		opts = append(opts, chromedp.EmulateScale(v.Scale))
	}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(v.Width, v.Height, opts...)
}

// Screenshot saves a PNG of the whole page (not only the viewport) to path,
// creating its directory. Open it to see what the test saw.
func (p *Page) Screenshot(path string) {
	p.t.Helper()
	png := run(p, "taking a screenshot", chromedp.FullScreenshot(100))
	if err := writeFile(path, png); err != nil {
		p.t.Fatalf("browsertest: %v", err)
	}
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// saveArtifacts saves a screenshot and the HTML of the page of a failed test
// in MOTCUA_BROWSERTEST_ARTIFACTS, if set. It never fails the test.
func (p *Page) saveArtifacts() {
	dir := os.Getenv("MOTCUA_BROWSERTEST_ARTIFACTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	base := filepath.Join(dir, unsafeName.ReplaceAllString(p.t.Name(), "_"))
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		if err := writeFile(base+".png", png); err == nil {
			p.t.Logf("browsertest: screenshot of the failed page: %s", base+".png")
		}
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		if err := writeFile(base+".html", []byte(html)); err == nil {
			p.t.Logf("browsertest: HTML of the failed page: %s", base+".html")
		}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
