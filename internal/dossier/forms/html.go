package forms

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"html"
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Stylesheet is forms.css, the stylesheet every HTML form links as
// StylesheetPath; the web layer serves it.
//
//go:embed forms.css
var Stylesheet []byte

// StylesheetPath is where the HTML forms expect Stylesheet.
const StylesheetPath = "/static/forms.css"

// SandboxBanner is the mark printed on every form of a sandbox.
const SandboxBanner = "BẢN THỬ NGHIỆM (SANDBOX) – không có giá trị pháp lý"

// HTML renders d's form as a complete, printable HTML5 page (A4 portrait;
// the register A4 landscape). It has no inline style or script, so that it
// can be served under a strict Content-Security-Policy; it links
// StylesheetPath. Images are data: URLs.
func HTML(d Data) ([]byte, error) {
	dc, err := build(d)
	if err != nil {
		return nil, err
	}
	w := &hw{}
	w.page(dc)
	return w.b.Bytes(), nil
}

// hw writes HTML. text escapes; raw is for the markup written here.
type hw struct{ b bytes.Buffer }

func (w *hw) raw(s ...string) {
	for _, x := range s {
		w.b.WriteString(x)
	}
}

func (w *hw) text(s string) { w.b.WriteString(html.EscapeString(s)) }

// attr writes ` name="value"` with value escaped.
func (w *hw) attr(name, value string) {
	w.raw(" ", name, `="`)
	w.text(value)
	w.raw(`"`)
}

// lines writes text, turning "\n" into <br>.
func (w *hw) lines(s string) {
	for i, l := range strings.Split(s, "\n") {
		if i > 0 {
			w.raw("<br>")
		}
		w.text(l)
	}
}

func (w *hw) spans(ss []span) {
	for _, s := range ss {
		t := norm.NFC.String(s.text)
		switch {
		case s.bold && s.italic:
			w.raw("<strong><em>")
			w.lines(t)
			w.raw("</em></strong>")
		case s.bold:
			w.raw("<strong>")
			w.lines(t)
			w.raw("</strong>")
		case s.italic:
			w.raw("<em>")
			w.lines(t)
			w.raw("</em>")
		default:
			w.lines(t)
		}
	}
}

func (w *hw) page(dc *doc) {
	d := dc.d
	orient := "portrait"
	if dc.landscape {
		orient = "landscape"
	}
	w.raw("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	w.text(docTitle(d, dc.number))
	w.raw("</title>\n<link rel=\"stylesheet\"")
	w.attr("href", StylesheetPath)
	w.raw(">\n</head>\n<body")
	w.attr("class", "form "+orient+" form-"+strings.ReplaceAll(string(d.Kind), "_", "-"))
	w.raw(">\n<div class=\"sheet\">\n<header class=\"doc-head\">\n")
	if d.Sandbox {
		w.raw("<p class=\"sandbox\" role=\"note\">")
		w.text(SandboxBanner)
		w.raw("</p>\n")
	}
	if dc.number != "" {
		w.raw("<p class=\"form-no\">Mẫu số ")
		w.text(dc.number)
		w.raw("</p>\n")
	}
	w.raw("<div class=\"nat-head\">\n<div class=\"issuer\">\n")
	if p := upper(d.ParentBody); p != "" {
		w.raw("<p class=\"parent\">")
		w.text(p)
		w.raw("</p>\n")
	}
	w.raw("<p class=\"unit\">")
	w.text(orBlank(upper(d.Unit)))
	w.raw("</p>\n")
	if !dc.landscape || clean(d.DocNumber) != "" {
		w.raw("<p class=\"doc-no\">")
		w.text(docNumber(d))
		w.raw("</p>\n")
	}
	w.raw("</div>\n<div class=\"nation\">\n<p class=\"country\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>\n",
		"<p class=\"motto\"><span>Độc lập - Tự do - Hạnh phúc</span></p>\n<p class=\"date-line\">")
	w.text(dateLine(d))
	w.raw("</p>\n</div>\n</div>\n</header>\n<main>\n<h1>")
	w.text(dc.title)
	w.raw("</h1>\n")
	for _, b := range dc.subs {
		w.block(b)
	}
	for _, b := range dc.body {
		w.block(b)
	}
	w.raw("</main>\n</div>\n</body>\n</html>\n")
}

var paraClass = map[paraStyle]string{
	styleField: "field",
	styleProse: "prose",
	styleSub:   "sub",
	styleAddr:  "addressee",
	styleNote:  "note",
}

func (w *hw) block(b block) {
	switch b.kind {
	case blkPara:
		w.raw("<p class=\"", paraClass[b.style], "\">")
		w.spans(b.spans)
		w.raw("</p>\n")
	case blkHeading:
		w.raw("<h2>")
		w.spans(plain(b.spans))
		w.raw("</h2>\n")
	case blkList:
		w.raw("<ol class=\"items\">\n")
		for _, it := range b.items {
			w.raw("<li>")
			w.spans(it)
			w.raw("</li>\n")
		}
		w.raw("</ol>\n")
	case blkTable:
		w.table(b.table)
	case blkLookup:
		w.lookup(b.lookup)
	case blkSigns:
		w.signs(b.signs)
	}
}

// plain drops bold from spans whose container is bold already.
func plain(ss []span) []span {
	out := make([]span, len(ss))
	for i, s := range ss {
		s.bold = false
		out[i] = s
	}
	return out
}

var alignClass = map[align]string{alignLeft: "al", alignCenter: "ac", alignRight: "ar", alignJustify: "al"}

func (w *hw) table(t *table) {
	wrapped := len(t.cols) > 8
	if wrapped {
		// A wide table scrolls sideways on a narrow screen; the region is
		// focusable so that keyboard users can scroll it too.
		w.raw("<div class=\"scroll\" role=\"region\" tabindex=\"0\"")
		w.attr("aria-label", t.caption)
		w.raw(">\n")
	}
	w.raw("<table")
	w.attr("class", "grid t-"+t.id)
	w.attr("id", t.id)
	w.raw(">\n<caption class=\"visually-hidden\">")
	w.text(t.caption)
	w.raw("</caption>\n<colgroup>")
	total := 0.0
	for _, c := range t.cols {
		total += c.width
	}
	for _, c := range t.cols {
		pct := int(math.Round(c.width / total * 100))
		pct = max(1, min(pct, 80))
		w.raw("<col class=\"w", strconv.Itoa(pct), "\">")
	}
	w.raw("</colgroup>\n<thead>\n<tr>")
	for _, c := range t.cols {
		w.raw("<th scope=\"col\">")
		w.text(c.head)
		w.raw("</th>")
	}
	w.raw("</tr>\n")
	if t.colNumbers {
		w.raw("<tr class=\"colno\" aria-hidden=\"true\">")
		for i := range t.cols {
			w.raw("<td>(", strconv.Itoa(i+1), ")</td>")
		}
		w.raw("</tr>\n")
	}
	w.raw("</thead>\n<tbody>\n")
	for _, row := range t.rows {
		w.raw("<tr>")
		for i, cell := range row {
			tag := "td"
			if i == t.rowHeader && len(cell) > 0 {
				tag = "th"
			}
			w.raw("<", tag)
			if tag == "th" {
				w.raw(" scope=\"row\"")
			}
			cls := alignClass[t.cols[i].align]
			if len(cell) == 0 {
				cls += " sign-cell"
			}
			w.attr("class", cls)
			w.raw(">")
			w.spans(cell)
			w.raw("</", tag, ">")
		}
		w.raw("</tr>\n")
	}
	if len(t.rows) == 0 {
		w.raw("<tr><td class=\"ac empty\"")
		w.attr("colspan", strconv.Itoa(len(t.cols)))
		w.raw(">(Không có)</td></tr>\n")
	}
	w.raw("</tbody>\n</table>\n")
	if wrapped {
		w.raw("</div>\n")
	}
}

func (w *hw) lookup(l *lookup) {
	w.raw("<section class=\"lookup\" aria-labelledby=\"tra-cuu\">\n<h2 id=\"tra-cuu\" class=\"visually-hidden\">Tra cứu tình trạng hồ sơ</h2>\n")
	if l.png != nil {
		w.raw("<img class=\"qr\"")
		w.attr("src", "data:image/png;base64,"+base64.StdEncoding.EncodeToString(l.png))
		w.attr("alt", l.alt)
		w.raw(" width=\"114\" height=\"114\">\n")
	}
	w.raw("<div class=\"lookup-text\">\n<dl class=\"keys\">\n")
	if l.key != "" {
		w.raw("<div><dt>Mã tra cứu:</dt> <dd class=\"key\">")
		w.text(l.key)
		w.raw("</dd></div>\n")
	}
	if l.code != "" {
		w.raw("<div><dt>Mã hồ sơ:</dt> <dd class=\"code\">")
		w.text(l.code)
		w.raw("</dd></div>\n")
	}
	w.raw("</dl>\n<p class=\"qr-caption\">")
	w.text(l.caption)
	w.raw("</p>\n</div>\n</section>\n")
}

func (w *hw) signs(s *signs) {
	w.raw("<section class=\"signs\" aria-label=\"Chữ ký\">\n")
	switch {
	case len(s.recipients) > 0:
		w.raw("<div class=\"recipients\">\n<p class=\"rec-head\">Nơi nhận:</p>\n<ul>\n")
		for _, r := range s.recipients {
			w.raw("<li>")
			w.text(r)
			w.raw("</li>\n")
		}
		w.raw("</ul>\n</div>\n")
	case s.left != nil:
		w.sign(s.left)
	default:
		w.raw("<div class=\"sign-space\"></div>\n")
	}
	if s.right != nil {
		w.sign(s.right)
	}
	w.raw("</section>\n")
}

func (w *hw) sign(s *sign) {
	w.raw("<div class=\"sign\">\n<p class=\"sign-title\">")
	w.text(s.title)
	w.raw("</p>\n<p class=\"sign-hint\">")
	w.text(s.hint)
	w.raw("</p>\n<p class=\"sign-name\">")
	w.text(s.name)
	w.raw("</p>\n</div>\n")
}
