package forms

import (
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/motcua/motcua/internal/calendar"
)

// NewReport starts an A4 landscape report of motcua's (the dashboards'
// exports): the forms' fonts, the document's metadata, the sandbox banner
// on every page of a test copy, and "made at … – page n" at the foot.
// Margins are 15 mm; the caller adds pages and draws with PDFTable.
func NewReport(title, author string, sandbox bool, issued time.Time) *fpdf.Fpdf {
	f := fpdf.New("L", "mm", "A4", "")
	regular, bold, italic := PDFFonts()
	f.AddUTF8FontFromBytes("NotoSerif", "", regular)
	f.AddUTF8FontFromBytes("NotoSerif", "B", bold)
	f.AddUTF8FontFromBytes("NotoSerif", "I", italic)
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetCreationDate(issued.UTC())
	f.SetModificationDate(issued.UTC())
	f.SetTitle(title, true)
	f.SetAuthor(author, true)
	f.SetCreator("motcua", false)
	f.SetLang("vi-VN")
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(false, 15)
	f.SetHeaderFunc(func() {
		if sandbox {
			f.SetFont("NotoSerif", "B", 9)
			f.SetTextColor(122, 16, 16)
			f.CellFormat(0, 6, SandboxBanner, "1", 1, "C", false, 0, "")
			f.SetTextColor(0, 0, 0)
			f.Ln(2)
		}
	})
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("NotoSerif", "I", 8)
		f.CellFormat(0, 5, fmt.Sprintf("motcua – lập lúc %s – trang %d", issued.In(calendar.Location).Format("15:04 02/01/2006"), f.PageNo()), "", 0, "C", false, 0, "")
	})
	return f
}

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
