package browsertest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's axe.min.js, vendored from the npm package axe-core
// (MPL-2.0, see LICENSE.axe-core and README.md).
//
//go:embed axe.min.js
var axeSource string

// AxeVersion is the version of the vendored axe.min.js. TestAxeVendored
// checks that it matches the file.
const AxeVersion = "4.14.1"

// WCAG22AA are the axe-core rule tags of WCAG 2.2 level AA: the rules of
// levels A and AA of WCAG 2.0, 2.1 and 2.2. Axe checks these by default.
var WCAG22AA = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// AxeOption changes what Axe checks.
type AxeOption func(*axeConfig)

type axeConfig struct {
	Tags     []string          `json:"tags"`
	Include  []string          `json:"include"`
	Exclude  []string          `json:"exclude"`
	Disabled map[string]string `json:"disabled"` // rule id: why
}

// AxeTags replaces the rule tags that Axe runs (WCAG22AA by default); add
// "best-practice" for axe's advice beyond WCAG, e.g.
// AxeTags(append(slices.Clone(WCAG22AA), "best-practice")...).
func AxeTags(tags ...string) AxeOption {
	return func(c *axeConfig) { c.Tags = slices.Clone(tags) }
}

// AxeInclude limits the check to the elements matching the CSS selectors
// (and what they hold).
func AxeInclude(selectors ...string) AxeOption {
	return func(c *axeConfig) { c.Include = append(c.Include, selectors...) }
}

// AxeExclude leaves out the elements matching the CSS selectors (and what
// they hold), such as a third-party widget the project cannot fix.
func AxeExclude(selectors ...string) AxeOption {
	return func(c *axeConfig) { c.Exclude = append(c.Exclude, selectors...) }
}

// AxeDisableRule turns off one axe rule (by id, such as "color-contrast"),
// saying why; the reason shows in the report, for reviewers.
func AxeDisableRule(ruleID, reason string) AxeOption {
	return func(c *axeConfig) { c.Disabled[ruleID] = reason }
}

// AxeReport is the outcome of an axe-core run on a page.
type AxeReport struct {
	AxeVersion string   `json:"version"`
	URL        string   `json:"url"`
	Tags       []string `json:"-"`
	// Disabled are the rules that AxeDisableRule turned off, with the reason.
	Disabled map[string]string `json:"-"`
	// Violations are the rules that failed, each with the elements that
	// failed it; a page that meets WCAG 2.2 AA (as far as axe can tell)
	// has none.
	Violations []AxeRule `json:"violations"`
	// Incomplete are the rules that axe could not decide for some elements
	// (such as the contrast of text over a background image): a person has
	// to check them. They do not fail AssertNoAxeViolations.
	Incomplete []AxeRule `json:"incomplete"`
}

// AxeRule is one axe rule and the elements that failed (or may fail) it.
type AxeRule struct {
	ID          string    `json:"id"`     // such as "image-alt"
	Impact      string    `json:"impact"` // "critical", "serious", "moderate" or "minor"
	Description string    `json:"description"`
	Help        string    `json:"help"`    // what to do, in one line
	HelpURL     string    `json:"helpUrl"` // the rule's page at Deque University
	Tags        []string  `json:"tags"`
	Nodes       []AxeNode `json:"nodes"`
}

// AxeNode is one element that failed a rule.
type AxeNode struct {
	// Target is the CSS selector of the element: one selector, or, for an
	// element in an iframe or a shadow root, one per level (the selectors
	// within a shadow root joined by " >>> ").
	Target []string `json:"target"`
	// HTML is the start tag of the element, as axe shows it.
	HTML string `json:"html"`
	// FailureSummary says what is wrong and how to fix it, in axe's words.
	FailureSummary string `json:"failureSummary"`
}

// Violation returns the violation of the rule with the id, or nil.
func (r *AxeReport) Violation(ruleID string) *AxeRule {
	for i := range r.Violations {
		if r.Violations[i].ID == ruleID {
			return &r.Violations[i]
		}
	}
	return nil
}

// ViolationIDs returns the ids of the violated rules, sorted.
func (r *AxeReport) ViolationIDs() []string {
	ids := make([]string, 0, len(r.Violations))
	for _, v := range r.Violations {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

// maxNodesShown is how many failing elements String shows per rule.
const maxNodesShown = 10

var impactRank = map[string]int{"critical": 0, "serious": 1, "moderate": 2, "minor": 3}

// String formats the violations for a test failure: for each rule, most
// severe first, its impact, id, help text and URL, then each failing element
// with its selector, HTML and what to fix.
func (r *AxeReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core %s: %d rule(s) of %s violated on %s", r.AxeVersion, len(r.Violations), strings.Join(r.Tags, ","), r.URL)
	rules := slices.Clone(r.Violations)
	slices.SortStableFunc(rules, func(x, y AxeRule) int {
		if d := rank(x.Impact) - rank(y.Impact); d != 0 {
			return d
		}
		return strings.Compare(x.ID, y.ID)
	})
	for _, v := range rules {
		fmt.Fprintf(&b, "\n\n[%s] %s: %s\n  %s\n  %d element(s):", v.Impact, v.ID, v.Help, v.HelpURL, len(v.Nodes))
		for i, n := range v.Nodes {
			if i == maxNodesShown {
				fmt.Fprintf(&b, "\n  … and %d more", len(v.Nodes)-maxNodesShown)
				break
			}
			fmt.Fprintf(&b, "\n  - %s\n      %s", strings.Join(n.Target, " "), n.HTML)
			if n.FailureSummary != "" {
				b.WriteString("\n      " + strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
			}
		}
	}
	if len(r.Disabled) > 0 {
		b.WriteString("\n\nrules turned off by the test:")
		for _, id := range sortedKeys(r.Disabled) {
			fmt.Fprintf(&b, "\n  %s: %s", id, r.Disabled[id])
		}
	}
	return b.String()
}

func rank(impact string) int {
	if r, ok := impactRank[impact]; ok {
		return r
	}
	return len(impactRank)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// axeRunJS runs axe on the page with the config (JSON) and gives a trimmed
// result: the violations and incomplete rules, with the selectors flattened
// to strings.
const axeRunJS = `(async (cfg) => {
	const context = (cfg.include.length || cfg.exclude.length)
		? { include: cfg.include.length ? cfg.include : [document], exclude: cfg.exclude }
		: document;
	const rules = {};
	for (const id of Object.keys(cfg.disabled)) rules[id] = { enabled: false };
	const r = await axe.run(context, {
		runOnly: { type: "tag", values: cfg.tags },
		rules,
		resultTypes: ["violations", "incomplete"],
	});
	const pick = (list) => list.map((x) => ({
		id: x.id, impact: x.impact || "", description: x.description, help: x.help,
		helpUrl: x.helpUrl, tags: x.tags,
		nodes: x.nodes.map((n) => ({
			target: n.target.map((s) => Array.isArray(s) ? s.join(" >>> ") : String(s)),
			html: n.html, failureSummary: n.failureSummary || "",
		})),
	}));
	return { version: axe.version, url: r.url, violations: pick(r.violations), incomplete: pick(r.incomplete) };
})(%s)`

// Axe runs axe-core's WCAG 2.2 AA rules (WCAG22AA) on the page as it is now,
// and returns the report. It injects the vendored axe-core into the page
// first if needed. It fails the test only if axe cannot run; use
// AssertNoAxeViolations to fail on violations.
//
// Axe checks the main document only, not the content of iframes.
func (p *Page) Axe(opts ...AxeOption) *AxeReport {
	p.t.Helper()
	cfg := axeConfig{Tags: WCAG22AA, Include: []string{}, Exclude: []string{}, Disabled: map[string]string{}}
	for _, o := range opts {
		o(&cfg)
	}
	present := Eval[bool](p, fmt.Sprintf(`typeof window.axe === "object" && window.axe.version === %s`, jsString(AxeVersion)))
	if !present {
		run(p, "injecting axe-core", chromedp.Evaluate[chromedp.Void](axeSource+"\n;void 0"))
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		p.t.Fatalf("browsertest: %v", err)
	}
	r := run(p, "running axe-core", chromedp.Evaluate[AxeReport](fmt.Sprintf(axeRunJS, cfgJSON), chromedp.EvalAwaitPromise))
	r.Tags, r.Disabled = cfg.Tags, cfg.Disabled
	return &r
}

// AssertNoAxeViolations runs Axe and fails the test (without stopping it) if
// the page violates a rule, printing for each rule its id, impact, help text
// and URL, and each failing element's selector, HTML and what to fix. The
// rules axe could not decide are logged (see AxeReport.Incomplete).
func (p *Page) AssertNoAxeViolations(opts ...AxeOption) *AxeReport {
	p.t.Helper()
	r := p.Axe(opts...)
	if len(r.Incomplete) > 0 {
		ids := make([]string, 0, len(r.Incomplete))
		for _, v := range r.Incomplete {
			ids = append(ids, fmt.Sprintf("%s (%d element(s))", v.ID, len(v.Nodes)))
		}
		p.t.Logf("browsertest: axe-core could not decide, check by hand: %s", strings.Join(ids, ", "))
	}
	if len(r.Violations) > 0 {
		p.t.Error("browsertest: " + r.String())
	}
	return r
}
