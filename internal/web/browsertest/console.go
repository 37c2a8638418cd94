package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ConsoleMessage is one message of the page's console: a call of console.*,
// an uncaught exception or unhandled promise rejection, or a message of the
// browser itself (a resource that failed to load, a blocked script, ...).
type ConsoleMessage struct {
	// Level is "exception", "error", "warning", "info", "log" or "debug".
	// console.assert failures count as "error".
	Level string
	// Source is "console" for a call of console.*, "exception" for an
	// uncaught exception, else the part of the browser that wrote it, such as
	// "network", "security" or "javascript".
	Source string
	Text   string
	// URL and Line (1-based, 0 if unknown) tell where it came from.
	URL  string
	Line int64
}

// IsError reports whether the message is an error: an uncaught exception, an
// unhandled promise rejection, console.error, a failed console.assert, or an
// error of the browser (such as a 404 for an image or a script).
func (m ConsoleMessage) IsError() bool { return m.Level == "exception" || m.Level == "error" }

func (m ConsoleMessage) String() string {
	s := fmt.Sprintf("%s (%s): %s", m.Level, m.Source, m.Text)
	if m.URL != "" {
		s += " [" + m.URL
		if m.Line > 0 {
			s += fmt.Sprintf(":%d", m.Line)
		}
		s += "]"
	}
	return s
}

// console collects the messages of a tab. listen runs in chromedp's loop that
// reads the tab's messages, so it is quick and takes the lock.
type console struct {
	check bool // fail the test on errors when it ends

	mu       sync.Mutex
	messages []ConsoleMessage
	ignore   []string
	reported int // messages[:reported] were already reported
}

func (c *console) listen(ev any) {
	var m ConsoleMessage
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		m = ConsoleMessage{Level: string(ev.Type), Source: "console"}
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeAssert:
			m.Level = "error"
		case runtime.ConsoleAPICalledTypeWarning, runtime.ConsoleAPICalledTypeError,
			runtime.ConsoleAPICalledTypeInfo, runtime.ConsoleAPICalledTypeDebug:
		default:
			m.Level = "log"
		}
		args := make([]string, 0, len(ev.Args))
		for _, a := range ev.Args {
			args = append(args, remoteText(a))
		}
		m.Text = strings.Join(args, " ")
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			m.URL, m.Line = st.CallFrames[0].URL, st.CallFrames[0].LineNumber+1
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d == nil {
			return
		}
		m = ConsoleMessage{Level: "exception", Source: "exception", Text: d.Text, URL: d.URL, Line: d.LineNumber + 1}
		if d.Exception != nil {
			desc, _, _ := strings.Cut(remoteText(d.Exception), "\n    at ")
			m.Text = strings.TrimSpace(d.Text + " " + desc)
		}
		if m.URL == "" && d.StackTrace != nil && len(d.StackTrace.CallFrames) > 0 {
			m.URL, m.Line = d.StackTrace.CallFrames[0].URL, d.StackTrace.CallFrames[0].LineNumber+1
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		if e == nil {
			return
		}
		m = ConsoleMessage{Level: string(e.Level), Source: string(e.Source), Text: e.Text, URL: e.URL}
		if e.LineNumber > 0 {
			m.Line = e.LineNumber + 1
		}
		if e.Level == log.EntryLevelVerbose {
			m.Level = "debug"
		}
	default:
		return
	}
	c.mu.Lock()
	c.messages = append(c.messages, m)
	c.mu.Unlock()
}

// remoteText is how the DevTools console shows a value, roughly.
func remoteText(o *runtime.RemoteObject) string {
	switch {
	case o == nil:
		return ""
	case o.Type == runtime.RemoteObjectTypeString:
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return string(o.Type)
}

func (c *console) ignored(m ConsoleMessage) bool {
	for _, s := range c.ignore {
		if strings.Contains(m.Text, s) || strings.Contains(m.URL, s) {
			return true
		}
	}
	return false
}

// errorsSince returns the errors not ignored among messages[from:].
func (c *console) errorsSince(from int) []ConsoleMessage {
	var errs []ConsoleMessage
	for _, m := range c.messages[from:] {
		if m.IsError() && !c.ignored(m) {
			errs = append(errs, m)
		}
	}
	return errs
}

// flush makes a round trip to the tab: chromedp hands the events that came
// before a reply to the listener before the call returns, so after it every
// message the page wrote so far is collected.
func (p *Page) flush() {
	_ = Run(p, chromedp.Evaluate[chromedp.Void](`0`))
}

// ConsoleMessages returns every message the page wrote to its console so far,
// in order, errors or not.
func (p *Page) ConsoleMessages() []ConsoleMessage {
	p.t.Helper()
	p.flush()
	p.console.mu.Lock()
	defer p.console.mu.Unlock()
	return append([]ConsoleMessage(nil), p.console.messages...)
}

// ConsoleErrors returns the errors (see ConsoleMessage.IsError) the page wrote
// to its console so far, less those that IgnoreConsoleErrors matches.
func (p *Page) ConsoleErrors() []ConsoleMessage {
	p.t.Helper()
	p.flush()
	p.console.mu.Lock()
	defer p.console.mu.Unlock()
	return p.console.errorsSince(0)
}

// IgnoreConsoleErrors makes the console check pass over errors whose text or
// URL contains one of the substrings, e.g. "status of 404" on a test that
// loads a missing page on purpose. Keep the substrings narrow.
func (p *Page) IgnoreConsoleErrors(substrings ...string) {
	p.console.mu.Lock()
	defer p.console.mu.Unlock()
	p.console.ignore = append(p.console.ignore, substrings...)
}

// AssertNoConsoleErrors fails the test (without stopping it) if the page
// wrote errors to its console since the last check. New's cleanup does the
// same when the test ends, unless AllowConsoleErrors was given; call it to
// check at a given point too.
func (p *Page) AssertNoConsoleErrors() {
	p.t.Helper()
	p.flush()
	p.reportNewConsoleErrors()
}

// reportConsoleErrors is AssertNoConsoleErrors for the cleanup: the tab may be
// stuck, so a failed round trip does not fail the test.
func (p *Page) reportConsoleErrors() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`0`))
	p.reportNewConsoleErrors()
}

func (p *Page) reportNewConsoleErrors() {
	p.t.Helper()
	p.console.mu.Lock()
	errs := p.console.errorsSince(p.console.reported)
	p.console.reported = len(p.console.messages)
	p.console.mu.Unlock()
	if len(errs) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "browsertest: the page wrote %d error(s) to its console:", len(errs))
	for _, m := range errs {
		b.WriteString("\n  " + m.String())
	}
	b.WriteString("\n(if that is expected: p.IgnoreConsoleErrors(\"…\") or browsertest.AllowConsoleErrors())")
	p.t.Error(b.String())
}
