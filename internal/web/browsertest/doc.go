// Package browsertest drives Debian's headless Chromium through chromedp for
// the page tests of motcua, and checks pages with axe-core against WCAG 2.2
// AA.
//
// # Use
//
// A package with page tests calls Main from its TestMain, so that the one
// browser of the test binary is stopped at the end, and opens a Page (a tab)
// in each test:
//
//	func TestMain(m *testing.M) { browsertest.Main(m) }
//
//	func TestTraCuuHoSo(t *testing.T) {
//		srv := httptest.NewServer(handler) // the application under test
//		t.Cleanup(srv.Close)
//		p := browsertest.New(t)
//		p.Navigate(srv.URL + "/tra-cuu")
//		p.Type("#ma-ho-so", "000.00.00.H01-250101-0001")
//		if got := p.PressAndWait(browsertest.Enter); got != 200 {
//			t.Fatalf("status %d", got)
//		}
//		if got := p.Text("h1"); got != "Kết quả tra cứu" {
//			t.Errorf("h1 = %q", got)
//		}
//		p.AssertNoAxeViolations()
//		p.SetViewport(browsertest.Mobile)
//		p.AssertNoAxeViolations()
//	}
//
// Methods of Page fail the test on an error, so a test reads as a list of
// steps. Each step has a time limit (DefaultTimeout, 20 s; see WithTimeout):
// a hung page fails the test instead of hanging CI. Selectors are CSS
// selectors. For what the Page does not wrap, Do and Run take chromedp
// actions, and Context gives the tab's chromedp context.
//
// # The browser
//
// The browser is ChromiumPath: /usr/bin/chromium (Debian's chromium
// package), or the program that MOTCUA_CHROMIUM names. If it is not
// installed, New skips the test, or fails it when MOTCUA_TEST_REQUIRE_ALL=1,
// as CI sets (see package testenv).
//
// One headless Chromium serves all the tests of a test binary: the first New
// starts it and Close (called by Main) stops it. It runs with a fresh
// temporary profile (--user-data-dir, removed by Close), --no-sandbox, and the
// flags that keep it from reaching for the network (no QUIC, no background
// networking, no component updates, no sync); see browser.go. Its time zone
// is Asia/Ho_Chi_Minh, whatever the machine's. Each Page is a new tab in a new
// browser context (like an incognito window): tests share no cookies or
// storage and may call t.Parallel. MOTCUA_BROWSERTEST_VERBOSE=1 shows
// Chromium's own output on stderr.
//
// # Console errors
//
// A Page records its console. When the test ends, the test fails if the page
// had an uncaught exception, an unhandled promise rejection, a console.error,
// a failed console.assert, or a browser error such as a script or image that
// did not load (HTTP 404). Turn this off for one test with
// AllowConsoleErrors, or pass over expected errors with
// (*Page).IgnoreConsoleErrors. AssertNoConsoleErrors checks at any point;
// ConsoleMessages and ConsoleErrors return what was recorded.
//
// # Accessibility
//
// (*Page).AssertNoAxeViolations runs axe-core (vendored as axe.min.js, see
// README.md) with the rule tags of WCAG 2.2 AA (WCAG22AA) on the page as it
// is, and fails the test with, for each violated rule, its id, impact, help
// text and help URL, and for each failing element its CSS selector, its HTML
// and what to fix. (*Page).Axe returns the same report without judging it.
// Axe's color-contrast rule works in headless Chromium; check pages at both
// viewports (Desktop and Mobile), since layouts differ.
//
// # Debugging
//
// (*Page).Screenshot saves a PNG of the page. If MOTCUA_BROWSERTEST_ARTIFACTS
// names a directory, a failed test leaves there a screenshot and the HTML of
// its page, named after the test.
package browsertest
