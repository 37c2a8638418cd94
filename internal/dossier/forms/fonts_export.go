package forms

import "github.com/go-pdf/fpdf"

// PDFFonts gives other reports (the digital-transformation dashboard's
// export) the embedded Noto Serif fonts, so that every PDF motcua makes
// draws Vietnamese the same way.
func PDFFonts() (regular, bold, italic []byte) {
	return fontRegular, fontBold, fontItalic
}

// PDFTable draws a bordered table of the reports (Noto Serif 9 pt, set up
// with PDFFonts) whose cells wrap, repeating the heading on a new page;
// rows yields each row's cells in turn.
func PDFTable(f *fpdf.Fpdf, head []string, w []float64, rows func(yield func([]string))) {
	const lh = 5.0
	_, pageH := f.GetPageSize()
	left, _, _, bottom := f.GetMargins()
	var row func(cells []string, style string)
	row = func(cells []string, style string) {
		f.SetFont("NotoSerif", style, 9)
		h := lh
		for i, c := range cells {
			if n := len(f.SplitText(c, w[i]-2)); float64(n)*lh > h {
				h = float64(n) * lh
			}
		}
		h += 2
		if f.GetY()+h > pageH-bottom-6 {
			f.AddPage()
			if style == "" {
				row(head, "B")
				f.SetFont("NotoSerif", style, 9)
			}
		}
		x, y := f.GetX(), f.GetY()
		for i, c := range cells {
			f.Rect(x, y, w[i], h, "D")
			f.SetXY(x+1, y+1)
			f.MultiCell(w[i]-2, lh, c, "", "L", false)
			x += w[i]
		}
		f.SetXY(left, y+h)
	}
	row(head, "B")
	rows(func(cells []string) { row(cells, "") })
}
