package dx

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier/forms"
)

// FormatNumber writes v with up to decimals decimals (trailing zeros
// dropped) the way lang reads numbers: 27.926 and 87,5 in Vietnamese,
// 27,926 and 87.5 in English.
func FormatNumber(v float64, decimals int, lang string) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	thou, dec := ".", ","
	if lang == "en" {
		thou, dec = ",", "."
	}
	var b strings.Builder
	if v < 0 && s != "0" {
		b.WriteString("−")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(dec + frac)
	}
	return b.String()
}

// FormatValue writes a point's value with its unit ("87,5%", "12").
func FormatValue(v float64, unit, lang string) string {
	if unit == Percent {
		return FormatNumber(v, 2, lang) + "%"
	}
	return FormatNumber(v, 0, lang)
}

// ExportRow is one indicator as the exports write it (Vietnamese).
type ExportRow struct {
	Name, Value, Fraction, Target, Met, Trend, AsOf, Source string
}

func periodText(d *Dashboard) string {
	return d.From.In(calendar.Location).Format("02/01/2006") + " – " + d.To.Add(-time.Millisecond).In(calendar.Location).Format("02/01/2006")
}

// ExportRows are the dashboard's cards as text, in Vietnamese.
func ExportRows(d *Dashboard) []ExportRow {
	var out []ExportRow
	for _, c := range d.Cards {
		in := c.Indicator
		r := ExportRow{Name: in.Name, Value: "Chưa có số liệu", Target: "—", Met: "—", Trend: "—"}
		if c.Current.OK {
			r.Value = FormatValue(c.Current.Value, in.Unit, "vi")
			if c.Current.Numerator != nil && c.Current.Denominator != nil {
				r.Fraction = FormatNumber(float64(*c.Current.Numerator), 0, "vi") + " / " + FormatNumber(float64(*c.Current.Denominator), 0, "vi")
			}
		}
		if c.Target.Value > 0 {
			r.Target = FormatValue(c.Target.Value, in.Unit, "vi")
			if c.Current.OK {
				r.Met = map[bool]string{true: "Đạt", false: "Chưa đạt"}[c.Met]
			}
		}
		switch c.Direction {
		case "up":
			r.Trend = "Tăng " + FormatNumber(c.Change, 2, "vi")
		case "down":
			r.Trend = "Giảm " + FormatNumber(-c.Change, 2, "vi")
		case "flat":
			r.Trend = "Không đổi"
		}
		if in.Kind == Computed {
			r.AsOf = periodText(d)
			r.Source = "motcua: tính từ hồ sơ của Trung tâm"
		} else if c.Latest != nil {
			r.AsOf = c.Latest.Date().Format("02/01/2006")
			r.Source = c.Latest.Source
		}
		out = append(out, r)
	}
	return out
}

var exportHead = []string{"Chỉ tiêu", "Giá trị", "Tử số / mẫu số", "Mục tiêu", "Đánh giá", "So với kỳ trước", "Kỳ / ngày số liệu", "Nguồn"}

var teamHead = []string{"Thôn", "Tổ công nghệ số", "Thành viên", "Phiên hỗ trợ", "Người được hỗ trợ", "Hồ sơ nộp có hỗ trợ"}

func teamRows(t *Teams) [][]string {
	var out [][]string
	n := func(v int64) string { return FormatNumber(float64(v), 0, "vi") }
	for _, v := range t.Villages {
		team := "Chưa có tổ"
		if v.HasTeam {
			team = v.TeamName
			if !v.Active {
				team += " (ngừng hoạt động)"
			}
		}
		out = append(out, []string{v.VillageName, team, n(v.Members), n(v.Sessions), n(v.People), n(v.Dossiers)})
	}
	out = append(out, []string{"Tại Trung tâm", "Cán bộ một cửa", "—", n(t.Centre.Sessions), n(t.Centre.People), n(t.Centre.Dossiers)})
	out = append(out, []string{"Cộng các thôn", fmt.Sprintf("%d tổ", t.TeamCount), n(t.Members), n(t.Sessions), n(t.People), n(t.Dossiers)})
	return out
}

// XLSX writes the dashboard as a workbook: the indicators, then the
// community digital teams.
func XLSX(d *Dashboard, unit string) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	const sh, teams = "Chuyển đổi số", "Tổ công nghệ số"
	if err := x.SetSheetName("Sheet1", sh); err != nil {
		return nil, fmt.Errorf("dx: xlsx: %w", err)
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	wrapS, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	x.SetCellStr(sh, "A1", "CHỈ TIÊU CHUYỂN ĐỔI SỐ – "+strings.ToUpper(unit))
	x.SetCellStr(sh, "A2", "Kỳ: "+periodText(d))
	x.SetCellStyle(sh, "A1", "A1", bold)
	for i, h := range exportHead {
		cell, _ := excelize.CoordinatesToCellName(i+1, 4)
		x.SetCellStr(sh, cell, h)
	}
	x.SetRowStyle(sh, 4, 4, bold)
	for i, r := range ExportRows(d) {
		for j, v := range []string{r.Name, r.Value, r.Fraction, r.Target, r.Met, r.Trend, r.AsOf, r.Source} {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+5)
			x.SetCellStr(sh, cell, v)
		}
	}
	x.SetColWidth(sh, "A", "A", 48)
	x.SetColWidth(sh, "B", "G", 16)
	x.SetColWidth(sh, "H", "H", 50)
	x.SetColStyle(sh, "A", wrapS)
	x.SetColStyle(sh, "H", wrapS)
	x.NewSheet(teams)
	for i, h := range teamHead {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellStr(teams, cell, h)
	}
	x.SetRowStyle(teams, 1, 1, bold)
	for i, r := range teamRows(d.Teams) {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			x.SetCellStr(teams, cell, v)
		}
	}
	x.SetColWidth(teams, "A", "A", 24)
	x.SetColWidth(teams, "B", "B", 44)
	x.SetColWidth(teams, "C", "F", 14)
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("dx: xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// PDF writes the dashboard as an A4 landscape report with the same fonts
// as motcua's forms; sandbox marks it as a test copy.
func PDF(d *Dashboard, unit string, sandbox bool, issued time.Time) ([]byte, error) {
	f := forms.NewReport("Chỉ tiêu chuyển đổi số – "+unit, unit, sandbox, issued)
	f.AddPage()
	f.SetFont("NotoSerif", "B", 14)
	f.MultiCell(0, 7, "CHỈ TIÊU CHUYỂN ĐỔI SỐ", "", "C", false)
	f.SetFont("NotoSerif", "", 11)
	f.MultiCell(0, 6, unit+" – kỳ "+periodText(d), "", "C", false)
	f.Ln(3)
	forms.PDFTable(f, exportHead, []float64{70, 22, 32, 20, 20, 26, 30, 47}, func(yield func([]string)) {
		for _, r := range ExportRows(d) {
			yield([]string{r.Name, r.Value, r.Fraction, r.Target, r.Met, r.Trend, r.AsOf, r.Source})
		}
	})
	f.Ln(5)
	f.SetFont("NotoSerif", "B", 12)
	f.MultiCell(0, 7, "Tổ công nghệ số cộng đồng", "", "L", false)
	f.Ln(1)
	forms.PDFTable(f, teamHead, []float64{50, 95, 30, 30, 30, 32}, func(yield func([]string)) {
		for _, r := range teamRows(d.Teams) {
			yield(r)
		}
	})
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("dx: pdf: %w", err)
	}
	return buf.Bytes(), nil
}
