package web

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/score"
)

// The index as a file, in Vietnamese (a report goes up the hierarchy in
// Vietnamese whatever the reader's language): the total, the groups, and
// every indicator with its numerator, denominator, ratio, score and state.

type s766Report struct {
	Unit, Period, Formula, Filter string
	Total, MaxAvailable           string
	Groups                        [][]string
	Indicators                    [][]string
}

var (
	s766GroupHead = []string{"Nhóm", "Tên nhóm", "Điểm", "Tối đa"}
	s766IndHead   = []string{"Chỉ số", "Tên chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm", "Tối đa", "Trạng thái", "Ghi chú"}
)

func s766StateVi(state string) string {
	switch state {
	case score.StateComputed:
		return "Đã tính"
	case score.StateNoData:
		return "motcua không có số liệu này"
	}
	return "Không áp dụng"
}

func s766ReportOf(f s766Form, a *org.Agency, x *score.Index, cat *catalog.Catalog) *s766Report {
	n := func(v float64) string { return dx.FormatNumber(v, 2, "vi") }
	r := &s766Report{Unit: a.Name, Period: f.FromVN + " – " + f.ToVN, Formula: score.FormulaSets[x.Formula].Name,
		Total: n(x.Total), MaxAvailable: n(x.MaxAvailable)}
	var filt []string
	if f.Procedure != "" {
		name := f.Procedure
		if p, ok := cat.Get(f.Procedure); ok {
			name += " – " + p.Name
		}
		filt = append(filt, "Thủ tục: "+name)
	}
	if f.Field != "" {
		filt = append(filt, "Lĩnh vực: "+f.Field)
	}
	r.Filter = strings.Join(filt, "; ")
	for _, g := range x.Groups {
		r.Groups = append(r.Groups, []string{g.ID, g.Name, n(g.Score), n(g.Max)})
	}
	for _, in := range x.Indicators {
		row := []string{in.ID, in.Name, "", "", "", "", n(in.Max), s766StateVi(in.State), in.Note}
		if in.State == score.StateComputed {
			row[2], row[3] = dx.FormatNumber(float64(in.Numerator), 0, "vi"), dx.FormatNumber(float64(in.Denominator), 0, "vi")
			if in.Unit == "working_days" {
				row[4] = n(in.Ratio) + " ngày làm việc"
			} else {
				row[4] = n(in.Ratio) + "%"
			}
			row[5] = n(in.Score)
		}
		r.Indicators = append(r.Indicators, row)
	}
	return r
}

func (r *s766Report) heading() []string {
	out := []string{"Đơn vị: " + r.Unit, "Kỳ: " + r.Period, "Bộ công thức: " + r.Formula}
	if r.Filter != "" {
		out = append(out, r.Filter)
	}
	return append(out, "Tổng điểm: "+r.Total+" / 100 (các chỉ số tính được cho tối đa "+r.MaxAvailable+" điểm)")
}

// XLSX writes the report as a workbook: a sheet of groups and indicators.
func (r *s766Report) XLSX() ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	const sh = "Chỉ số 766"
	if err := x.SetSheetName("Sheet1", sh); err != nil {
		return nil, fmt.Errorf("766: xlsx: %w", err)
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	wrapS, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	row := 1
	put := func(cells []string, style int) {
		for j, v := range cells {
			cell, _ := excelize.CoordinatesToCellName(j+1, row)
			x.SetCellStr(sh, cell, v)
		}
		if style != 0 {
			x.SetRowStyle(sh, row, row, style)
		}
		row++
	}
	put([]string{"CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QĐ 766/QĐ-TTg)"}, bold)
	for _, h := range r.heading() {
		put([]string{h}, 0)
	}
	row++
	put(s766GroupHead, bold)
	for _, g := range r.Groups {
		put(g, 0)
	}
	row++
	put(s766IndHead, bold)
	for _, in := range r.Indicators {
		put(in, 0)
	}
	x.SetColWidth(sh, "A", "A", 10)
	x.SetColWidth(sh, "B", "B", 50)
	x.SetColWidth(sh, "C", "G", 12)
	x.SetColWidth(sh, "H", "H", 24)
	x.SetColWidth(sh, "I", "I", 50)
	x.SetColStyle(sh, "B", wrapS)
	x.SetColStyle(sh, "I", wrapS)
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("766: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// PDF writes the report as an A4 landscape page with the forms' fonts;
// sandbox marks it as a test copy.
func (r *s766Report) PDF(sandbox bool, issued time.Time) ([]byte, error) {
	f := forms.NewReport("Chỉ số 766 – "+r.Unit, r.Unit, sandbox, issued)
	f.AddPage()
	f.SetFont("NotoSerif", "B", 14)
	f.MultiCell(0, 7, "CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (QĐ 766/QĐ-TTg)", "", "C", false)
	f.SetFont("NotoSerif", "", 11)
	for _, h := range r.heading() {
		f.MultiCell(0, 6, h, "", "C", false)
	}
	f.Ln(3)
	s766PDFTable(f, s766GroupHead, []float64{20, 120, 30, 30}, r.Groups)
	f.Ln(5)
	s766PDFTable(f, s766IndHead, []float64{16, 72, 18, 18, 24, 16, 16, 36, 51}, r.Indicators)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("766: pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// s766PDFTable draws the rows as the reports' table (forms.PDFTable).
func s766PDFTable(f *fpdf.Fpdf, head []string, w []float64, rows [][]string) {
	forms.PDFTable(f, head, w, func(yield func([]string)) {
		for _, r := range rows {
			yield(r)
		}
	})
}
