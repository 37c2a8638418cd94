package browsertest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/web/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// cleanPage is a small page of the service centre that meets WCAG 2.2 AA:
// language, title, a main landmark, a heading, labelled fields, enough
// contrast.
const cleanPage = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tra cứu hồ sơ – Trung tâm Phục vụ hành chính công xã</title>
<style>
body { font-family: sans-serif; color: #1a1a1a; background: #fff; margin: 1rem; }
a { color: #0b4f9c; }
label, input, button { display: block; margin: .25rem 0; font-size: 1rem; }
button { color: #fff; background: #0b4f9c; border: 0; padding: .5rem 1rem; }
:focus-visible { outline: 3px solid #b35c00; outline-offset: 2px; }
</style>
</head>
<body>
<a href="#noi-dung">Bỏ qua, đến nội dung chính</a>
<main id="noi-dung">
<h1>Tra cứu hồ sơ thủ tục hành chính</h1>
<p>Nhập mã hồ sơ ghi trên giấy tiếp nhận để xem tình trạng giải quyết.</p>
<form action="/ket-qua" method="get">
<label for="ma-ho-so">Mã hồ sơ</label>
<input id="ma-ho-so" name="ma" type="text" autocomplete="off">
<label for="ho-ten">Họ và tên người nộp</label>
<input id="ho-ten" name="ten" type="text" autocomplete="name">
<button type="submit">Tra cứu</button>
</form>
</main>
</body>
</html>`

// badPage breaks three WCAG rules on purpose: an image without alt text, a
// field without a label, and grey text on white.
const badPage = `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>Trang chưa đạt</title></head>
<body>
<main>
<h1>Thông báo</h1>
<img src="/logo.png" width="40" height="40">
<input type="text" name="tim-kiem">
<p id="chu-mo" style="color: #bbbbbb; background: #ffffff">Chữ mờ, người cao tuổi khó đọc.</p>
</main>
</body>
</html>`

var resultPage = template.Must(template.New("").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Kết quả tra cứu</title></head>
<body><main><h1>Kết quả tra cứu</h1>
<p id="ma">{{.Ma}}</p><p id="ten">{{.Ten}}</p>
</main></body></html>`))

// consolePage makes every kind of console error there is.
const consolePage = `<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Lỗi</title></head>
<body><main><h1>Lỗi</h1>
<img src="/khong-co.png" alt="Ảnh không có">
<script>
console.log("chào");
console.warn("cảnh báo");
console.error("lỗi tự ghi", 42);
console.assert(1 === 2, "khẳng định sai");
Promise.reject(new Error("lời hứa bị từ chối"));
khongTonTai();
</script>
</main></body></html>`

// site serves the test pages.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	logo := pngBytes(t)
	page := func(body string, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Set(headers[i], headers[i+1])
			}
			fmt.Fprint(w, body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", page(cleanPage))
	mux.Handle("GET /csp", page(cleanPage, "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'"))
	mux.Handle("GET /bad", page(badPage))
	mux.Handle("GET /console", page(consolePage))
	mux.HandleFunc("GET /ket-qua", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		resultPage.Execute(w, map[string]string{"Ma": r.FormValue("ma"), "Ten": r.FormValue("ten")})
	})
	mux.HandleFunc("GET /logo.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(logo)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	img.Set(0, 0, color.RGBA{0x0b, 0x4f, 0x9c, 0xff})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCleanPageHasNoViolations(t *testing.T) {
	t.Parallel()
	srv := site(t)
	p := browsertest.New(t)
	p.Navigate(srv.URL)
	r := p.AssertNoAxeViolations()
	if r.AxeVersion != browsertest.AxeVersion {
		t.Errorf("axe reports version %q, want %q", r.AxeVersion, browsertest.AxeVersion)
	}
	p.SetViewport(browsertest.Mobile)
	p.AssertNoAxeViolations()
}

// TestStrictCSP shows that axe runs on a page whose Content-Security-Policy
// forbids inline scripts and eval, as the project's pages will.
func TestStrictCSP(t *testing.T) {
	t.Parallel()
	srv := site(t)
	p := browsertest.New(t)
	p.Navigate(srv.URL + "/csp")
	p.AssertNoAxeViolations()
}

func TestBadPageReportsViolations(t *testing.T) {
	t.Parallel()
	srv := site(t)
	rec := &recorder{TB: t}
	p := browsertest.New(rec)
	p.Navigate(srv.URL + "/bad")
	r := p.AssertNoAxeViolations()

	want := []string{"color-contrast", "image-alt", "label"}
	got := r.ViolationIDs()
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("violations %v lack %q", got, id)
		}
	}
	errs := rec.errors()
	if len(errs) != 1 {
		t.Fatalf("AssertNoAxeViolations reported %d errors, want 1: %q", len(errs), errs)
	}
	// The report must be enough to fix the page from the test output alone.
	msg := errs[0]
	t.Logf("what a developer sees:\n%s", msg)
	for _, s := range []string{
		"[critical] image-alt: Images must have alternative text",
		"https://dequeuniversity.com/rules/axe/" + majorMinor(browsertest.AxeVersion) + "/image-alt",
		`<img src="/logo.png" width="40" height="40">`,
		"label: Form elements must have labels",
		`<input type="text" name="tim-kiem">`,
		"[serious] color-contrast:",
		"#chu-mo",
		"insufficient color contrast",
	} {
		if !strings.Contains(msg, s) {
			t.Errorf("the report lacks %q:\n%s", s, msg)
		}
	}
	cc := r.Violation("color-contrast")
	if cc == nil || len(cc.Nodes) != 1 || !slices.Equal(cc.Nodes[0].Target, []string{"#chu-mo"}) {
		t.Errorf("color-contrast violation = %+v, want one node #chu-mo", cc)
	}

	// Options: leaving the bad parts out, the page passes.
	r = p.Axe(browsertest.AxeExclude("img", "input"), browsertest.AxeDisableRule("color-contrast", "test of the option"))
	if len(r.Violations) != 0 {
		t.Errorf("with the bad parts left out: %s", r)
	}
	if !strings.Contains(r.String(), "color-contrast: test of the option") {
		t.Errorf("the report does not say which rule was turned off: %s", r)
	}
}

func TestKeyboardFocus(t *testing.T) {
	t.Parallel()
	srv := site(t)
	p := browsertest.New(t)
	p.Navigate(srv.URL)
	for _, step := range []struct {
		keys  string
		shift bool
		want  string
	}{
		{browsertest.Tab, false, `a[href="#noi-dung"]`},
		{browsertest.Tab, false, "#ma-ho-so"},
		{browsertest.Tab, false, "#ho-ten"},
		{browsertest.Tab, false, "button[type=submit]"},
		{browsertest.Tab, true, "#ho-ten"},
	} {
		if step.shift {
			p.Press(step.keys, browsertest.Shift)
		} else {
			p.Press(step.keys)
		}
		if !p.IsFocused(step.want) {
			t.Fatalf("after Tab (shift %v), focus is on %s, want %s", step.shift, p.Focused(), step.want)
		}
	}
	// A keyboard user sees where the focus is.
	if !browsertest.Eval[bool](p, `document.activeElement.matches(":focus-visible")`) {
		t.Errorf("%s has the focus but not :focus-visible", p.Focused())
	}
	if got, want := p.Focused(), `input#ho-ten[name="ten"]`; got != want {
		t.Errorf("Focused() = %q, want %q", got, want)
	}
}

func TestVietnameseTextAndForm(t *testing.T) {
	t.Parallel()
	srv := site(t)
	p := browsertest.New(t)
	p.Navigate(srv.URL)
	if got, want := p.Title(), "Tra cứu hồ sơ – Trung tâm Phục vụ hành chính công xã"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := p.Text("h1"), "Tra cứu hồ sơ thủ tục hành chính"; got != want {
		t.Errorf("h1 = %q, want %q", got, want)
	}
	if got, want := p.Texts("label"), []string{"Mã hồ sơ", "Họ và tên người nộp"}; !slices.Equal(got, want) {
		t.Errorf("labels = %q, want %q", got, want)
	}

	const name = "Nguyễn Thị Hằng Ưng Đạt"
	p.Type("#ma-ho-so", "H01-250101-0001")
	p.Type("#ho-ten", name)
	if got := p.Value("#ho-ten"); got != name {
		t.Errorf("typed %q, field holds %q", name, got)
	}
	if status := p.PressAndWait(browsertest.Enter); status != http.StatusOK {
		t.Fatalf("submitting with Enter: HTTP %d", status)
	}
	if got := p.Text("h1"); got != "Kết quả tra cứu" {
		t.Errorf("after submitting, h1 = %q", got)
	}
	if got := p.Text("#ten"); got != name {
		t.Errorf("the server got %q, want %q", got, name)
	}
	if got := p.Text("#ma"); got != "H01-250101-0001" {
		t.Errorf("the server got code %q", got)
	}
}

func TestViewportAndScreenshot(t *testing.T) {
	t.Parallel()
	srv := site(t)
	p := browsertest.New(t, browsertest.WithViewport(browsertest.Mobile))
	p.Navigate(srv.URL)
	if w := browsertest.Eval[int](p, `window.innerWidth`); w != 390 {
		t.Errorf("mobile innerWidth = %d, want 390", w)
	}
	path := filepath.Join(t.TempDir(), "shots", "mobile.png")
	p.Screenshot(path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if cfg.Width != 390 {
		t.Errorf("screenshot width = %d, want 390", cfg.Width)
	}
	p.SetViewport(browsertest.Desktop)
	if w := browsertest.Eval[int](p, `window.innerWidth`); w != 1280 {
		t.Errorf("desktop innerWidth = %d, want 1280", w)
	}
	// (Not new Date(0): in 1970 Saigon was at UTC+8.)
	if tz := browsertest.Eval[int](p, `new Date("2026-01-01T00:00:00Z").getTimezoneOffset()`); tz != -420 {
		t.Errorf("the browser's time zone is %d minutes from UTC, want -420 (UTC+7)", tz)
	}
	if tz := browsertest.Eval[string](p, `Intl.DateTimeFormat().resolvedOptions().timeZone`); tz != "Asia/Ho_Chi_Minh" && tz != "Asia/Saigon" {
		t.Errorf("the browser's time zone is %q, want Asia/Ho_Chi_Minh", tz)
	}
}

func TestConsoleErrors(t *testing.T) {
	t.Parallel()
	srv := site(t)
	rec := &recorder{TB: t}
	p := browsertest.New(rec)
	p.Navigate(srv.URL + "/console")
	p.Click("h1") // any later step; errors are collected in the background

	var got []string
	for _, m := range p.ConsoleErrors() {
		got = append(got, m.String())
	}
	t.Logf("console errors:\n%s", strings.Join(got, "\n"))
	for _, want := range []string{
		"error (console): lỗi tự ghi 42",
		"error (console): khẳng định sai",
		"exception (exception): Uncaught (in promise) Error: lời hứa bị từ chối",
		"exception (exception): Uncaught ReferenceError: khongTonTai is not defined",
		"error (network): Failed to load resource: the server responded with a status of 404",
	} {
		if !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("no console error starts with %q", want)
		}
	}
	if n := len(got); n != 5 {
		t.Errorf("%d console errors, want 5", n)
	}
	var levels []string
	for _, m := range p.ConsoleMessages() {
		levels = append(levels, m.Level)
	}
	for _, l := range []string{"log", "warning"} {
		if !slices.Contains(levels, l) {
			t.Errorf("no %q message among %v", l, levels)
		}
	}

	p.AssertNoConsoleErrors()
	if errs := rec.errors(); len(errs) != 1 || !strings.Contains(errs[0], "the page wrote 5 error(s)") {
		t.Errorf("AssertNoConsoleErrors reported %q", errs)
	}
	// Reported errors are not reported again, and ignored ones not at all.
	p.IgnoreConsoleErrors("cố ý")
	p.Exec(`console.error("lỗi cố ý")`)
	p.AssertNoConsoleErrors()
	if errs := rec.errors(); len(errs) != 1 {
		t.Errorf("after ignoring, AssertNoConsoleErrors reported %q", errs[1:])
	}
	p.Exec(`console.error("lỗi mới")`)
	p.AssertNoConsoleErrors()
	if errs := rec.errors(); len(errs) != 2 || !strings.Contains(errs[1], "lỗi mới") {
		t.Errorf("a new error was not reported: %q", errs)
	}
}

func TestNavigateTimeoutFails(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	rec := &recorder{TB: t}
	p := browsertest.New(rec, browsertest.WithTimeout(300*time.Millisecond))
	t.Cleanup(func() { close(release) })

	start := time.Now()
	rec.run(func() { p.Navigate(srv.URL) })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the navigation gave up after %v", d)
	}
	if f := rec.fatals(); len(f) != 1 || !strings.Contains(f[0], "not done within 300ms") {
		t.Errorf("a hung page gave %q, want one fatal time-out", f)
	}
}

func TestNotFoundFailsNavigate(t *testing.T) {
	t.Parallel()
	srv := site(t)
	rec := &recorder{TB: t}
	p := browsertest.New(rec)
	p.IgnoreConsoleErrors("status of 404")
	rec.run(func() { p.Navigate(srv.URL + "/khong-co") })
	if f := rec.fatals(); len(f) != 1 || !strings.Contains(f[0], "HTTP status 404") {
		t.Errorf("Navigate to a missing page gave %q", f)
	}
	if got := p.NavigateStatus(srv.URL + "/khong-co"); got != http.StatusNotFound {
		t.Errorf("NavigateStatus = %d, want 404", got)
	}
}

func TestMissingChromium(t *testing.T) {
	t.Setenv("MOTCUA_CHROMIUM", filepath.Join(t.TempDir(), "no-chromium"))
	for _, requireAll := range []string{"", "1"} {
		t.Setenv("MOTCUA_TEST_REQUIRE_ALL", requireAll)
		rec := &recorder{TB: t}
		rec.run(func() { browsertest.New(rec) })
		skips, fatals := rec.skips(), rec.fatals()
		switch {
		case requireAll == "" && (len(skips) != 1 || len(fatals) != 0):
			t.Errorf("without MOTCUA_TEST_REQUIRE_ALL: skips %q, fatals %q; want one skip", skips, fatals)
		case requireAll == "1" && (len(skips) != 0 || len(fatals) != 1):
			t.Errorf("with MOTCUA_TEST_REQUIRE_ALL=1: skips %q, fatals %q; want one failure", skips, fatals)
		}
	}
}

// TestAxeVendored checks that axe.min.js is the file of the npm package
// axe-core@4.14.1, unchanged. To update axe-core, see README.md.
func TestAxeVendored(t *testing.T) {
	b, err := os.ReadFile("axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("/*! axe v"+browsertest.AxeVersion+"\n")) {
		t.Errorf("axe.min.js does not start with the header of axe %s", browsertest.AxeVersion)
	}
	const want = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
		t.Errorf("axe.min.js has SHA-256 %x, want %s (the file of axe-core@%s)", sum, want, browsertest.AxeVersion)
	}
}

// majorMinor turns "4.14.1" into "4.14".
func majorMinor(version string) string {
	parts := strings.SplitN(version, ".", 3)
	return strings.Join(parts[:min(2, len(parts))], ".")
}

// recorder is a testing.TB that records errors instead of reporting them, to
// test that the harness fails when it should. Inside run, it records Fatalf
// and Skipf too, and they end only the function that run calls; elsewhere
// they go to the real test (so a missing Chromium still skips it).
type recorder struct {
	testing.TB
	inRun                 atomic.Bool
	mu                    sync.Mutex
	errs, fatal, skipMsgs []string
}

func (r *recorder) add(list *[]string, s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	*list = append(*list, s)
}

func (r *recorder) Error(args ...any)                 { r.add(&r.errs, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) { r.add(&r.errs, fmt.Sprintf(format, args...)) }
func (r *recorder) Fatalf(format string, args ...any) {
	if !r.inRun.Load() {
		r.TB.Helper()
		r.TB.Fatalf(format, args...)
	}
	r.add(&r.fatal, fmt.Sprintf(format, args...))
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	if !r.inRun.Load() {
		r.TB.Helper()
		r.TB.Skipf(format, args...)
	}
	r.add(&r.skipMsgs, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// run calls f in its own goroutine, recording its Fatalf and Skipf calls,
// which end only f.
func (r *recorder) run(f func()) {
	r.inRun.Store(true)
	defer r.inRun.Store(false)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
}

func (r *recorder) get(list *[]string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(*list)
}

func (r *recorder) errors() []string { return r.get(&r.errs) }
func (r *recorder) fatals() []string { return r.get(&r.fatal) }
func (r *recorder) skips() []string  { return r.get(&r.skipMsgs) }
