package forms

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"
)

// PDF renders d's form as an A4 PDF (the register landscape) with the
// embedded Noto Serif fonts. Its metadata carries Data.Seal in /Keywords as
// SealKeywordPrefix+seal (see SealFromPDF), the title, the unit as author,
// and "motcua" as creator. The same Data gives the same bytes: the dates in
// the file are d.Issued, and the catalogues are sorted.
func PDF(d Data) ([]byte, error) {
	dc, err := build(d)
	if err != nil {
		return nil, err
	}
	r := newPDF(dc)
	r.render()
	var buf bytes.Buffer
	if err := r.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("forms: PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// ptMM is one typographic point in millimetres.
const ptMM = 25.4 / 72

// pdfR lays a doc out on fpdf pages. It breaks pages itself (fpdf's
// automatic break is off), so that tables repeat their header row.
type pdfR struct {
	f              *fpdf.Fpdf
	dc             *doc
	pw, ph         float64
	lm, tm, rm, bm float64
	cw             float64 // content width
	y              float64
}

// pdfDate is the date written into the PDF: when the form was issued, or
// another date of the dossier, never the clock (the engine signs the bytes).
func pdfDate(d Data) time.Time {
	for _, t := range []time.Time{d.Issued, d.Dossier.ReceivedAt, d.To} {
		if !t.IsZero() {
			return local(t)
		}
	}
	return time.Date(2000, 1, 1, 0, 0, 0, 0, vnZone)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}

func newPDF(dc *doc) *pdfR {
	d := dc.d
	r := &pdfR{dc: dc, lm: 30, tm: 20, rm: 15, bm: 20}
	orient := "P"
	if dc.landscape {
		orient = "L"
		r.lm, r.tm, r.rm, r.bm = 20, 18, 12, 14
	}
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: orient, UnitStr: "mm", SizeStr: "A4"})
	r.f = f
	r.pw, r.ph = f.GetPageSize()
	r.cw = r.pw - r.lm - r.rm
	f.SetCompression(true)
	f.SetCatalogSort(true)
	when := pdfDate(d).UTC() // fpdf writes no zone: give it the true UTC time
	f.SetCreationDate(when)
	f.SetModificationDate(when)
	f.SetTitle(docTitle(d, dc.number), true)
	f.SetAuthor(unitInText(d), true)
	if dc.number != "" {
		f.SetSubject("Mẫu số "+dc.number+" ("+circularName(d.Numbering)+"): "+formName(d.Kind, d.Numbering), true)
	} else {
		f.SetSubject(formName(d.Kind, d.Numbering), true)
	}
	if seal := d.Seal; seal != "" {
		f.SetKeywords(SealKeywordPrefix+seal, !isASCII(seal))
	}
	f.SetCreator("motcua", false)
	f.SetProducer("motcua", false)
	f.SetLang("vi-VN")
	f.AddUTF8FontFromBytes(pdfFontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(pdfFontFamily, "B", fontBold)
	f.AddUTF8FontFromBytes(pdfFontFamily, "I", fontItalic)
	f.SetMargins(r.lm, r.tm, r.rm)
	f.SetAutoPageBreak(false, r.bm)
	f.SetCellMargin(0)
	f.SetDrawColor(0, 0, 0)
	f.SetTextColor(0, 0, 0)
	f.SetLineWidth(0.2)
	f.SetHeaderFuncMode(r.pageHeader, false)
	return r
}

// pageHeader runs at the top of every page: the sandbox mark, and the page
// number from page 2 on (top centre, Decree 30/2020).
func (r *pdfR) pageHeader() {
	f := r.f
	if r.dc.d.Sandbox {
		// A faint diagonal watermark under the content…
		f.SetTextColor(222, 222, 222)
		f.SetFont(pdfFontFamily, "B", 44)
		wm := "BẢN THỬ NGHIỆM"
		w := f.GetStringWidth(wm)
		cx, cy := r.pw/2, r.ph/2
		f.TransformBegin()
		f.TransformRotate(math.Atan(r.ph/r.pw)*180/math.Pi, cx, cy)
		f.Text(cx-w/2, cy, wm)
		f.TransformEnd()
		// …and a framed banner in the top margin.
		f.SetTextColor(122, 16, 16)
		f.SetDrawColor(122, 16, 16)
		f.SetLineWidth(0.5)
		f.SetFont(pdfFontFamily, "B", 10)
		bw := f.GetStringWidth(SandboxBanner) + 8
		y := r.tm - 15
		f.Rect((r.pw-bw)/2, y, bw, 7, "D")
		f.Text((r.pw-bw)/2+4, y+4.8, SandboxBanner)
		f.SetTextColor(0, 0, 0)
		f.SetDrawColor(0, 0, 0)
		f.SetLineWidth(0.2)
	}
	if n := f.PageNo(); n > 1 {
		f.SetFont(pdfFontFamily, "", 11)
		s := strconv.Itoa(n)
		f.Text((r.pw-f.GetStringWidth(s))/2, r.tm-3, s)
	}
}

func (r *pdfR) newPage() {
	r.f.AddPage()
	r.y = r.tm
}

// room breaks the page unless h millimetres fit above the bottom margin.
func (r *pdfR) room(h float64) bool {
	if r.y+h > r.ph-r.bm {
		r.newPage()
		return true
	}
	return false
}

// --- Text layout -------------------------------------------------------

// frag is text in one style; word is what lies between spaces.
type frag struct {
	s, st string
	w     float64
}

type word struct {
	frags []frag
	w     float64
	br    bool // a forced line break comes before this word
}

type pline struct {
	words []word
	w     float64 // natural width, single spaces
	last  bool    // last line of a paragraph or before a forced break
}

// ptext is how a run of text is set.
type ptext struct {
	size   float64 // points
	lhf    float64 // line height as a multiple of size (1.35 if zero)
	al     align
	indent float64 // first-line indent, mm
	x, w   float64 // the box; w zero means the content width
}

func (p ptext) lh() float64 {
	f := p.lhf
	if f == 0 {
		f = 1.3
	}
	return p.size * ptMM * f
}

func fontStyle(s span) string {
	if s.bold {
		return "B"
	}
	if s.italic {
		return "I"
	}
	return ""
}

func (r *pdfR) width(s, st string, size float64) float64 {
	r.f.SetFont(pdfFontFamily, st, size)
	return r.f.GetStringWidth(s)
}

// words splits spans into words, measured at size.
func (r *pdfR) words(spans []span, size float64) []word {
	var out []word
	var cur word
	var buf []rune
	st := ""
	br := false
	flush := func() {
		if len(buf) > 0 {
			s := string(buf)
			w := r.width(s, st, size)
			cur.frags = append(cur.frags, frag{s: s, st: st, w: w})
			cur.w += w
			buf = buf[:0]
		}
	}
	endWord := func() {
		flush()
		if len(cur.frags) > 0 {
			cur.br = br
			br = false
			out = append(out, cur)
		}
		cur = word{}
	}
	for _, sp := range spans {
		flush()
		st = fontStyle(sp)
		for _, c := range pdfText(sp.text) {
			switch c {
			case ' ':
				endWord()
			case '\n':
				endWord()
				br = true
			default:
				buf = append(buf, c)
			}
		}
	}
	endWord()
	return out
}

// splitWord cuts a word wider than avail into pieces that fit, after a
// hyphen, slash, dot or underscore where it can (dossier codes, e-mail
// addresses, web addresses), else between any two characters.
func (r *pdfR) splitWord(w word, avail, size float64) []word {
	type rc struct {
		c  rune
		st string
		w  float64
	}
	var rs []rc
	for _, fr := range w.frags {
		for _, c := range fr.s {
			rs = append(rs, rc{c, fr.st, r.width(string(c), fr.st, size)})
		}
	}
	mk := func(part []rc) word {
		var out word
		for _, x := range part {
			if n := len(out.frags); n > 0 && out.frags[n-1].st == x.st {
				out.frags[n-1].s += string(x.c)
				out.frags[n-1].w += x.w
			} else {
				out.frags = append(out.frags, frag{s: string(x.c), st: x.st, w: x.w})
			}
			out.w += x.w
		}
		return out
	}
	var out []word
	start, width, brk := 0, 0.0, -1
	for i := 0; i < len(rs); i++ {
		if width+rs[i].w > avail && i > start {
			cut := i
			if brk > start {
				cut = brk
			}
			out = append(out, mk(rs[start:cut]))
			start, brk, width = cut, -1, 0
			for j := start; j < i; j++ {
				width += rs[j].w
			}
		}
		width += rs[i].w
		switch rs[i].c {
		case '-', '/', '.', '_', ',', ';', '@':
			brk = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, mk(rs[start:]))
	}
	if len(out) > 0 {
		out[0].br = w.br
	}
	return out
}

// layout breaks words into lines of at most width (the first line indented).
func (r *pdfR) layout(ws []word, width, indent, size float64) []pline {
	space := r.width(" ", "", size)
	var lines []pline
	var cur pline
	avail := width - indent
	push := func(last bool) {
		cur.last = last
		lines = append(lines, cur)
		cur = pline{}
		avail = width
	}
	for _, w := range ws {
		if w.br && len(cur.words) > 0 {
			push(true)
		}
		pieces := []word{w}
		if w.w > avail {
			if len(cur.words) > 0 && w.w <= width {
				push(false)
			} else {
				if len(cur.words) > 0 {
					push(false)
				}
				pieces = r.splitWord(w, avail, size)
			}
		}
		for i, p := range pieces {
			need := p.w
			if len(cur.words) > 0 {
				need += space
			}
			if len(cur.words) > 0 && cur.w+need > avail {
				push(false)
				need = p.w
			}
			cur.words = append(cur.words, p)
			cur.w += need
			if i < len(pieces)-1 {
				push(false)
			}
		}
	}
	if len(cur.words) > 0 {
		push(true)
	}
	return lines
}

// drawLine sets one line with its top at y.
func (r *pdfR) drawLine(l pline, p ptext, y, indent float64) {
	space := r.width(" ", "", p.size)
	x := p.x + indent
	gap := space
	switch p.al {
	case alignCenter:
		x = p.x + (p.w-l.w)/2
	case alignRight:
		x = p.x + p.w - l.w
	case alignJustify:
		if !l.last && len(l.words) > 1 {
			gap += (p.w - indent - l.w) / float64(len(l.words)-1)
		}
	}
	base := y + p.lh()/2 + 0.3*p.size*ptMM
	for i, w := range l.words {
		if i > 0 {
			x += gap
		}
		for _, fr := range w.frags {
			r.f.SetFont(pdfFontFamily, fr.st, p.size)
			r.f.Text(x, base, fr.s)
			x += fr.w
		}
	}
}

// text sets spans at r.y, breaking pages as needed, and returns the width
// of the widest line.
func (r *pdfR) text(spans []span, p ptext) float64 {
	if p.w == 0 {
		p.x, p.w = r.lm, r.cw
	}
	lines := r.layout(r.words(spans, p.size), p.w, p.indent, p.size)
	widest := 0.0
	for i, l := range lines {
		ind := 0.0
		if i == 0 {
			ind = p.indent
		}
		r.room(p.lh())
		r.drawLine(l, p, r.y, ind)
		r.y += p.lh()
		widest = max(widest, l.w)
	}
	return widest
}

// textHeight is the height spans take in a box of width w.
func (r *pdfR) textHeight(spans []span, p ptext, w float64) (float64, []pline) {
	lines := r.layout(r.words(spans, p.size), w, p.indent, p.size)
	return float64(len(lines)) * p.lh(), lines
}

// fit is the largest size ≤ size (down to minSize) at which s fits in w.
func (r *pdfR) fit(s, st string, size, minSize, w float64) float64 {
	for size > minSize && r.width(s, st, size) > w {
		size -= 0.25
	}
	return size
}

// --- The form -----------------------------------------------------------

func (r *pdfR) render() {
	r.newPage()
	r.nationalHeading()
	r.y += 5
	r.text([]span{bd(r.dc.title)}, ptext{size: 14, lhf: 1.3, al: alignCenter})
	for _, b := range r.dc.subs {
		r.block(b)
	}
	r.y += 2
	for _, b := range r.dc.body {
		r.block(b)
	}
}

// nationalHeading draws the form number, then the issuing body (left) and
// the country, motto and date (right).
func (r *pdfR) nationalHeading() {
	d := r.dc.d
	if r.dc.number != "" {
		r.text([]span{bd("Mẫu số " + r.dc.number)}, ptext{size: 12, al: alignRight})
	}
	y0 := r.y + 1
	const gutter = 4.0
	split := 0.42
	leftW := r.cw*split - gutter
	rightW := r.cw - leftW - gutter
	xL, xR := r.lm, r.lm+leftW+gutter

	// Left: parent body, unit (bold, ruled), number.
	r.y = y0
	if p := upper(d.ParentBody); p != "" {
		sz := r.fit(p, "", 12.5, 10.5, leftW)
		r.text([]span{tx(p)}, ptext{size: sz, lhf: 1.25, al: alignCenter, x: xL, w: leftW})
	}
	u := orBlank(upper(d.Unit))
	sz := r.fit(u, "B", 12.5, 11, leftW)
	uw := r.text([]span{bd(u)}, ptext{size: sz, lhf: 1.25, al: alignCenter, x: xL, w: leftW})
	rule := math.Max(uw*0.4, 14)
	r.f.Line(xL+(leftW-rule)/2, r.y+0.6, xL+(leftW+rule)/2, r.y+0.6)
	r.y += 3
	if !r.dc.landscape || clean(d.DocNumber) != "" {
		r.text([]span{tx(docNumber(d))}, ptext{size: 13, al: alignCenter, x: xL, w: leftW})
	}
	yL := r.y

	// Right: country, motto (bold, ruled to its length), date line (italic).
	r.y = y0
	country := "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	r.text([]span{bd(country)}, ptext{size: r.fit(country, "B", 12.5, 10, rightW), lhf: 1.25, al: alignCenter, x: xR, w: rightW})
	motto := "Độc lập - Tự do - Hạnh phúc"
	msz := r.fit(motto, "B", 13, 10, rightW)
	mw := r.text([]span{bd(motto)}, ptext{size: msz, lhf: 1.25, al: alignCenter, x: xR, w: rightW})
	r.f.Line(xR+(rightW-mw)/2, r.y+0.3, xR+(rightW+mw)/2, r.y+0.3)
	r.y += 3
	r.text([]span{itl(dateLine(d))}, ptext{size: 13, al: alignCenter, x: xR, w: rightW})
	r.y = math.Max(yL, r.y)
}

func (r *pdfR) block(b block) {
	switch b.kind {
	case blkPara:
		switch b.style {
		case styleField:
			r.y += 0.6
			r.text(b.spans, ptext{size: r.dc.size, al: alignLeft})
		case styleProse:
			r.y += 1
			r.text(b.spans, ptext{size: r.dc.size, al: alignJustify, indent: 10})
		case styleSub:
			r.y += 0.8
			size := 13.0
			if r.dc.landscape {
				size = 12
			}
			r.text(b.spans, ptext{size: size, al: alignCenter})
		case styleAddr:
			r.y += 2
			r.text(b.spans, ptext{size: 13, al: alignCenter})
			r.y += 2
		case styleNote:
			r.y += 1
			r.text(b.spans, ptext{size: 10.5, al: alignJustify})
		}
	case blkHeading:
		r.y += 1.5
		r.room(3 * r.dc.size * ptMM * 1.35) // keep the heading with what follows
		r.text(b.spans, ptext{size: r.dc.size, al: alignLeft})
	case blkList:
		for i, it := range b.items {
			r.listItem(i+1, it)
		}
	case blkTable:
		r.table(b.table)
	case blkLookup:
		r.lookup(b.lookup)
	case blkSigns:
		r.signs(b.signs)
	}
}

// listItem sets "n." and the item with a hanging indent.
func (r *pdfR) listItem(n int, it []span) {
	const hang = 8.0
	p := ptext{size: r.dc.size, al: alignJustify, x: r.lm + 2 + hang, w: r.cw - 2 - hang}
	r.y += 0.6
	r.room(p.lh())
	num := strconv.Itoa(n) + "."
	r.f.SetFont(pdfFontFamily, "", r.dc.size)
	r.f.Text(r.lm+2+hang-1.5-r.f.GetStringWidth(num), r.y+p.lh()/2+0.3*r.dc.size*ptMM, num)
	r.text(it, p)
}

// table draws t with its header row on every page it spans.
func (r *pdfR) table(t *table) {
	const pad = 1.0
	total := 0.0
	for _, c := range t.cols {
		total += c.width
	}
	scale := r.cw / total
	ws := make([]float64, len(t.cols))
	for i, c := range t.cols {
		ws[i] = c.width * scale
	}
	body := ptext{size: t.fontSize, lhf: 1.22}
	head := ptext{size: t.fontSize, lhf: 1.18, al: alignCenter}
	if t.fontSize < 9 {
		head.size = t.fontSize
	}

	// The header row(s), laid out once.
	headH := 0.0
	headLines := make([][]pline, len(t.cols))
	for i, c := range t.cols {
		h, ls := r.textHeight([]span{bd(c.head)}, head, ws[i]-2*pad)
		headLines[i] = ls
		headH = math.Max(headH, h+2*pad)
	}
	numH := 0.0
	if t.colNumbers {
		numH = body.lh() + 0.8
	}
	drawHead := func() {
		x := r.lm
		for i := range t.cols {
			r.f.Rect(x, r.y, ws[i], headH, "D")
			th := float64(len(headLines[i])) * head.lh()
			y := r.y + (headH-th)/2
			for _, l := range headLines[i] {
				r.drawLine(l, ptext{size: head.size, lhf: head.lhf, al: alignCenter, x: x + pad, w: ws[i] - 2*pad}, y, 0)
				y += head.lh()
			}
			x += ws[i]
		}
		r.y += headH
		if t.colNumbers {
			x := r.lm
			r.f.SetFont(pdfFontFamily, "I", body.size)
			for i := range t.cols {
				r.f.Rect(x, r.y, ws[i], numH, "D")
				s := "(" + strconv.Itoa(i+1) + ")"
				r.f.Text(x+(ws[i]-r.f.GetStringWidth(s))/2, r.y+numH/2+0.3*body.size*ptMM, s)
				x += ws[i]
			}
			r.y += numH
		}
	}

	rowH := func(row [][]span) (float64, [][]pline) {
		h := t.minRowH
		ls := make([][]pline, len(row))
		for i, cell := range row {
			if len(cell) == 0 {
				continue
			}
			ch, lines := r.textHeight(cell, body, ws[i]-2*pad)
			ls[i] = lines
			h = math.Max(h, ch+2*pad)
		}
		return math.Max(h, body.lh()+2*pad), ls
	}

	first := 0.0
	if len(t.rows) > 0 {
		first, _ = rowH(t.rows[0])
	}
	r.y += 1
	r.room(headH + numH + first)
	drawHead()
	fresh := r.ph - r.bm - r.tm - headH - numH // room for rows on a new page
	for _, row := range t.rows {
		h, lines := rowH(row)
		if r.y+h > r.ph-r.bm && h <= fresh {
			r.newPage()
			drawHead()
		}
		x := r.lm
		for i := range t.cols {
			r.f.Rect(x, r.y, ws[i], h, "D")
			al := t.cols[i].align
			y := r.y + pad
			for _, l := range lines[i] {
				r.drawLine(l, ptext{size: body.size, lhf: body.lhf, al: al, x: x + pad, w: ws[i] - 2*pad}, y, 0)
				y += body.lh()
			}
			x += ws[i]
		}
		r.y += h
	}
	if len(t.rows) == 0 {
		h := body.lh() + 2*pad
		r.f.Rect(r.lm, r.y, r.cw, h, "D")
		r.drawLine(r.layout(r.words([]span{tx("(Không có)")}, body.size), r.cw, 0, body.size)[0],
			ptext{size: body.size, lhf: body.lhf, al: alignCenter, x: r.lm, w: r.cw}, r.y+pad, 0)
		r.y += h
	}
	r.y += 2
}

// lookup draws the framed QR code with the lookup key and code beside it
// in large type, and the caption under them.
func (r *pdfR) lookup(l *lookup) {
	const pad = 1.5 // the QR code brings its own quiet zone
	tx0 := r.lm + pad
	if l.png != nil {
		tx0 += qrSizeMM + 5
	}
	tw := r.lm + r.cw - pad - tx0
	type pair struct {
		label, value string
		vsize        float64
	}
	var pairs []pair
	if l.key != "" {
		pairs = append(pairs, pair{"Mã tra cứu:", l.key, 20})
	}
	if l.code != "" {
		pairs = append(pairs, pair{"Mã hồ sơ:", l.code, 14})
	}
	const lsize = 11.0
	capP := ptext{size: 10, lhf: 1.25, al: alignJustify, x: tx0, w: tw}
	capH, _ := r.textHeight([]span{itl(l.caption)}, capP, tw)
	// A pair fits on one line (label, then the value on the same baseline)
	// or takes two.
	pairH := func(p pair) (float64, bool) {
		lw := r.width(p.label+" ", "", lsize)
		vw := r.width(p.value, "B", p.vsize)
		vh := p.vsize * ptMM * 1.2
		if lw+vw <= tw {
			return vh, true
		}
		return lsize*ptMM*1.3 + vh, false
	}
	textH := capH + 1.5
	for _, p := range pairs {
		h, _ := pairH(p)
		textH += h + 1
	}
	boxH := textH + 2*pad
	if l.png != nil {
		boxH = math.Max(boxH, qrSizeMM+2*pad)
	}
	r.y += 1.5
	r.room(boxH + 1)
	top := r.y
	r.f.Rect(r.lm, top, r.cw, boxH, "D")
	if l.png != nil {
		r.f.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(l.png))
		r.f.ImageOptions("qr", r.lm+pad, top+(boxH-qrSizeMM)/2, qrSizeMM, qrSizeMM, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}
	r.y = top + (boxH-textH)/2
	for _, p := range pairs {
		h, one := pairH(p)
		base := r.y + h*0.8
		r.f.SetFont(pdfFontFamily, "", lsize)
		if one {
			r.f.Text(tx0, base, p.label)
			vx := tx0 + r.width(p.label+" ", "", lsize)
			r.f.SetFont(pdfFontFamily, "B", p.vsize)
			r.f.Text(vx, base, pdfText(p.value))
		} else {
			r.f.Text(tx0, r.y+lsize*ptMM, p.label)
			r.f.SetFont(pdfFontFamily, "B", r.fit(p.value, "B", p.vsize, 9, tw))
			r.f.Text(tx0, base, pdfText(p.value))
		}
		r.y += h + 1
	}
	r.y += 1.5
	r.text([]span{itl(l.caption)}, capP)
	r.y = top + boxH + 1.5
}

// signs draws the signature blocks (and the "Nơi nhận" list) side by side.
func (r *pdfR) signs(s *signs) {
	colW := r.cw / 2
	xL, xR := r.lm, r.lm+colW
	r.y += 2
	r.room(r.signGap() + 3*12*ptMM*1.3 + 1)
	y0 := r.y
	yL := y0
	switch {
	case len(s.recipients) > 0:
		r.y = y0 + 1
		r.text([]span{bd("Nơi nhận:")}, ptext{size: 11.5, lhf: 1.25, x: xL, w: colW})
		for _, rc := range s.recipients {
			r.text([]span{tx("- " + rc)}, ptext{size: 10.5, lhf: 1.25, x: xL, w: colW})
		}
		yL = r.y
	case s.left != nil:
		r.y = y0
		r.sign(s.left, xL, colW)
		yL = r.y
	}
	yR := y0
	if s.right != nil {
		r.y = y0
		r.sign(s.right, xR, colW)
		yR = r.y
	}
	r.y = math.Max(yL, yR) + 2
}

// signGap is the room left to sign (and stamp) above the signer's name.
func (r *pdfR) signGap() float64 {
	if r.dc.d.Kind == Receipt {
		return 18 // the receipt must fit one page
	}
	return 22
}

func (r *pdfR) sign(s *sign, x, w float64) {
	r.text([]span{bd(s.title)}, ptext{size: 12, lhf: 1.3, al: alignCenter, x: x, w: w})
	r.text([]span{itl(s.hint)}, ptext{size: 11.5, lhf: 1.3, al: alignCenter, x: x, w: w})
	r.y += r.signGap()
	if s.name != "" {
		r.text([]span{bd(s.name)}, ptext{size: 12, lhf: 1.3, al: alignCenter, x: x, w: w})
	}
}
