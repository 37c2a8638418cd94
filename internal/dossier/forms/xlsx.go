package forms

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// RegisterSheet is the name of the register's worksheet.
const RegisterSheet = "Sổ theo dõi hồ sơ"

// Rows of the register worksheet.
const (
	xlsxHeadRow  = 9  // column headings
	xlsxNumRow   = 10 // (1) (2) … under them
	xlsxFirstRow = 11 // first dossier
)

// RegisterXLSX renders the dossier register (d.Kind Register or empty) as
// an Excel workbook: one sheet, the national heading, the columns of the
// register form, dates as real Excel dates (dd/mm/yyyy hh:mm, Vietnam
// time), the header frozen and repeated on every printed page, A4
// landscape fitted to the page width.
func RegisterXLSX(d Data) ([]byte, error) {
	if d.Kind == "" {
		d.Kind = Register
	}
	if d.Kind != Register {
		return nil, fmt.Errorf("%w: RegisterXLSX renders the register, not %s", ErrNoSuchForm, d.Kind)
	}
	num, err := check(d)
	if err != nil {
		return nil, err
	}
	x := excelize.NewFile()
	defer x.Close()
	if err := writeRegister(x, d, num); err != nil {
		return nil, fmt.Errorf("forms: XLSX: %w", err)
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("forms: XLSX: %w", err)
	}
	return buf.Bytes(), nil
}

// excelTime is t's wall clock in Vietnam as a zone-less time, which
// excelize turns into an Excel serial date.
func excelTime(t time.Time) time.Time {
	l := local(t)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func ptr[T any](v T) *T { return &v }

func colName(i int) string {
	n, _ := excelize.ColumnNumberToName(i)
	return n
}

func writeRegister(x *excelize.File, d Data, num string) error {
	const sh = RegisterSheet
	var err error
	if err := x.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	if err := x.SetDefaultFont("Times New Roman"); err != nil {
		return err
	}
	ncol := len(registerColumns)
	last := colName(ncol)
	thin := func() []excelize.Border {
		var b []excelize.Border
		for _, side := range []string{"left", "right", "top", "bottom"} {
			b = append(b, excelize.Border{Type: side, Color: "000000", Style: 1})
		}
		return b
	}
	font := func(bold, italic bool, size float64, underline string) *excelize.Font {
		return &excelize.Font{Family: "Times New Roman", Bold: bold, Italic: italic, Size: size, Underline: underline, Color: "000000"}
	}
	style := func(s *excelize.Style) int {
		if err == nil {
			var id int
			id, err = x.NewStyle(s)
			return id
		}
		return 0
	}
	var (
		center  = &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
		sRight  = style(&excelize.Style{Font: font(true, false, 11, ""), Alignment: &excelize.Alignment{Horizontal: "right"}})
		sPlain  = style(&excelize.Style{Font: font(false, false, 12, ""), Alignment: center})
		sBold   = style(&excelize.Style{Font: font(true, false, 12, ""), Alignment: center})
		sBoldU  = style(&excelize.Style{Font: font(true, false, 12, "single"), Alignment: center})
		sItalic = style(&excelize.Style{Font: font(false, true, 12, ""), Alignment: center})
		sTitle  = style(&excelize.Style{Font: font(true, false, 14, ""), Alignment: center})
		sHead   = style(&excelize.Style{Font: font(true, false, 10, ""), Alignment: center, Border: thin()})
		sNum    = style(&excelize.Style{Font: font(false, true, 9, ""), Alignment: center, Border: thin()})
		sCell   = style(&excelize.Style{Font: font(false, false, 10, ""), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, Border: thin()})
		sCellC  = style(&excelize.Style{Font: font(false, false, 10, ""), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}, Border: thin()})
		sDate   = style(&excelize.Style{Font: font(false, false, 10, ""), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}, Border: thin(), CustomNumFmt: ptr("dd/mm/yyyy hh:mm")})
		sDay    = style(&excelize.Style{Font: font(false, false, 10, ""), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}, Border: thin(), CustomNumFmt: ptr("dd/mm/yyyy")})
	)
	if err != nil {
		return err
	}
	set := func(cell string, v any, st int) {
		if err == nil {
			err = x.SetCellValue(sh, cell, v)
		}
		if err == nil && st != 0 {
			err = x.SetCellStyle(sh, cell, cell, st)
		}
	}
	merge := func(from, to string, v any, st int) {
		if err == nil {
			err = x.MergeCell(sh, from, to)
		}
		set(from, v, st)
	}

	// Heading: form number, issuing body | country and motto, date line.
	leftEnd, rightStart := "E", "H"
	merge("L1", last+"1", "Mẫu số "+num, sRight)
	if p := upper(d.ParentBody); p != "" {
		merge("A2", leftEnd+"2", p, sPlain)
	}
	merge("A3", leftEnd+"3", orBlank(upper(d.Unit)), sBoldU)
	if clean(d.DocNumber) != "" {
		merge("A4", leftEnd+"4", docNumber(d), sPlain)
	}
	merge(rightStart+"2", last+"2", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", sBold)
	merge(rightStart+"3", last+"3", "Độc lập - Tự do - Hạnh phúc", sBoldU)
	merge(rightStart+"4", last+"4", dateLine(d), sItalic)
	merge("A6", last+"6", formTitle(Register, d.Numbering), sTitle)
	merge("A7", last+"7", "Từ "+dateWords(d.From)+" đến "+dateWords(d.To), sItalic)
	if b := clean(d.Dossier.RegisterBook); b != "" {
		merge("A8", last+"8", "Quyển số: "+b, sPlain)
	}
	if d.Sandbox {
		merge("A5", last+"5", SandboxBanner, style(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Bold: true, Size: 12, Color: "7A1010"}, Alignment: center, Border: thin(), Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF1F1"}}}))
	}

	// Column headings and widths.
	for i, c := range registerColumns {
		col := colName(i + 1)
		set(fmt.Sprintf("%s%d", col, xlsxHeadRow), c.head, sHead)
		set(fmt.Sprintf("%s%d", col, xlsxNumRow), fmt.Sprintf("(%d)", i+1), sNum)
		if err == nil {
			err = x.SetColWidth(sh, col, col, c.chars)
		}
	}
	if err == nil {
		err = x.SetRowHeight(sh, xlsxHeadRow, 54)
	}
	if err == nil {
		err = x.SetRowHeight(sh, 6, 24)
	}

	// Dossiers.
	for i, r := range d.Rows {
		row := xlsxFirstRow + i
		c := func(col int) string { return fmt.Sprintf("%s%d", colName(col), row) }
		texts := []string{"", clean(r.Code), clean(r.Procedure), "", clean(r.Applicant), clean(r.AddressPhone), clean(r.LeadAgency)}
		set(c(1), registerNo(i, r), 0)
		for col := 2; col <= 7; col++ {
			if col == 4 {
				if r.Sets > 0 {
					set(c(4), r.Sets, 0)
				}
				continue
			}
			if texts[col-1] != "" {
				set(c(col), texts[col-1], 0)
			}
		}
		for j, t := range []time.Time{r.ReceivedAt, r.DueAt, r.TransferredAt, r.ResultAt, r.ReturnedAt} {
			if !t.IsZero() {
				set(c(8+j), excelTime(t), 0)
			}
		}
		if n := registerNote(r); n != "" {
			set(c(14), n, 0)
		}
		// Row height: the tallest wrapped cell.
		lines := 1.0
		for col, s := range map[int]string{2: texts[1], 3: texts[2], 5: texts[4], 6: texts[5], 7: texts[6], 14: registerNote(r)} {
			lines = math.Max(lines, wrappedLines(s, registerColumns[col-1].chars))
		}
		if err == nil {
			err = x.SetRowHeight(sh, row, 13*lines+3)
		}
	}
	if n := len(d.Rows); n > 0 && err == nil {
		end := xlsxFirstRow + n - 1
		rng := func(col int, st int) {
			if err == nil {
				err = x.SetCellStyle(sh, fmt.Sprintf("%s%d", colName(col), xlsxFirstRow), fmt.Sprintf("%s%d", colName(col), end), st)
			}
		}
		for col := 1; col <= ncol; col++ {
			switch {
			case col == 1 || col == 4 || col == 13:
				rng(col, sCellC)
			case col == 8 || col == 9: // received, appointment: the hour matters
				rng(col, sDate)
			case col >= 10 && col <= 12: // transfer, result, return: the day
				rng(col, sDay)
			default:
				rng(col, sCell)
			}
		}
	}
	if err != nil {
		return err
	}

	// Freeze the heading, repeat it on every printed page, A4 landscape.
	if err := x.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: xlsxNumRow, TopLeftCell: fmt.Sprintf("A%d", xlsxFirstRow), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := x.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", Scope: sh,
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, xlsxHeadRow, xlsxNumRow),
	}); err != nil {
		return err
	}
	if err := x.SetPageLayout(sh, &excelize.PageLayoutOptions{
		Size: ptr(9), Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0),
	}); err != nil {
		return err
	}
	if err := x.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := x.SetPageMargins(sh, &excelize.PageLayoutMarginsOptions{
		Left: ptr(0.79), Right: ptr(0.47), Top: ptr(0.59), Bottom: ptr(0.59), Header: ptr(0.3), Footer: ptr(0.3), Horizontally: ptr(true),
	}); err != nil {
		return err
	}
	if err := x.SetHeaderFooter(sh, &excelize.HeaderFooterOptions{OddFooter: "&CTrang &P/&N"}); err != nil {
		return err
	}
	when := pdfDate(d).UTC().Format("2006-01-02T15:04:05Z")
	return x.SetDocProps(&excelize.DocProperties{
		Title:    formName(Register, d.Numbering) + " (Mẫu số " + num + ")",
		Subject:  "Từ " + dateWords(d.From) + " đến " + dateWords(d.To),
		Creator:  "motcua",
		Created:  when,
		Modified: when,
		Language: "vi-VN",
	})
}

// wrappedLines estimates how many lines s takes in a column chars wide.
func wrappedLines(s string, chars float64) float64 {
	n := 0.0
	for _, l := range strings.Split(s, "\n") {
		n += math.Max(1, math.Ceil(float64(utf8.RuneCountInString(l))*1.15/chars))
	}
	return n
}
