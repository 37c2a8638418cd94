package forms

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/motcua/motcua/internal/web/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

// motcuaCSP is the Content-Security-Policy motcua serves its pages under
// (internal/web/middleware.go): a page with inline style or script breaks
// under it, and Chromium reports that on the console, which fails the test.
const motcuaCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// formServer serves each case's HTML at /<case> and the stylesheet.
func formServer(t *testing.T, cases []Data) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+StylesheetPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Write(Stylesheet)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	for _, d := range cases {
		b, err := HTML(d)
		if err != nil {
			t.Fatal(err)
		}
		mux.HandleFunc("GET /"+caseName(d), func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Security-Policy", motcuaCSP)
			w.Write(b)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Every form meets WCAG 2.2 AA as axe-core checks it, on a desktop and on a
// phone, under motcua's CSP, with the stylesheet applied.
func TestHTMLAccessible(t *testing.T) {
	var cases []Data
	for _, k := range []Kind{Receipt, Guidance, Refusal, Apology, StopNotice, ControlSlip, Register} {
		cases = append(cases, sample(k, Circular03of2025))
	}
	sb := sample(Receipt, Circular01of2018)
	sb.Sandbox = true
	cases = append(cases, sb)
	srv := formServer(t, cases)
	// Every form on a desktop; on a phone, the forms whose layout differs
	// most (the receipt with its QR box and sandbox mark, a letter, the
	// wide register).
	phone := []Data{sb, cases[3], cases[6]}
	for _, view := range []struct {
		name  string
		v     browsertest.Viewport
		cases []Data
	}{{"desktop", browsertest.Desktop, cases}, {"mobile", browsertest.Mobile, phone}} {
		t.Run(view.name, func(t *testing.T) {
			t.Parallel()
			p := browsertest.New(t, browsertest.WithViewport(view.v))
			for _, d := range view.cases {
				p.Navigate(srv.URL + "/" + caseName(d))
				if got := browsertest.Eval[bool](p, `getComputedStyle(document.querySelector("h1")).textAlign === "center"`); !got {
					t.Errorf("%s: the stylesheet did not apply", caseName(d))
				}
				if r := p.AssertNoAxeViolations(); len(r.Violations) > 0 {
					t.Logf("in %s", caseName(d))
				}
				if dir := os.Getenv("MOTCUA_FORMS_OUT"); dir != "" {
					p.Screenshot(filepath.Join(dir, caseName(d)+"-"+view.name+".png"))
				}
			}
		})
	}
}
