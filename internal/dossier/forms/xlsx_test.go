package forms

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestRegisterXLSX(t *testing.T) {
	for _, n := range []Numbering{Circular01of2018, Circular03of2025} {
		d := sample(Register, n)
		d.Sandbox = n == Circular03of2025
		b, err := RegisterXLSX(d)
		if err != nil {
			t.Fatal(err)
		}
		dump(t, caseName(d)+".xlsx", b)
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("re-open: %v", err)
		}
		defer x.Close()
		if got := x.GetSheetList(); len(got) != 1 || got[0] != RegisterSheet {
			t.Fatalf("sheets %q", got)
		}
		rows, err := x.GetRows(RegisterSheet)
		if err != nil {
			t.Fatal(err)
		}
		if want := xlsxFirstRow - 1 + len(d.Rows); len(rows) != want {
			t.Errorf("%d rows, want %d (heading, header and %d dossiers)", len(rows), want, len(d.Rows))
		}
		num, _ := Number(Register, n)
		cell := func(ref string) string {
			t.Helper()
			v, err := x.GetCellValue(RegisterSheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		for ref, want := range map[string]string{
			"L1": "Mẫu số " + num, "A3": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "H2": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"H3": "Độc lập - Tự do - Hạnh phúc", "A6": "SỔ THEO DÕI HỒ SƠ",
			"A9": "STT", "B9": "Mã hồ sơ", "G9": "Cơ quan chủ trì giải quyết", "M9": "Ký nhận", "N9": "Ghi chú", "N10": "(14)",
			"B11": "H56.40.12-261101-0001", "C11": "Đăng ký khai sinh", "E11": "Nguyễn Thị Hường",
		} {
			if got := cell(ref); got != want {
				t.Errorf("%s = %q, want %q", ref, got, want)
			}
		}
		if d.Sandbox != strings.Contains(cell("A5"), "SANDBOX") {
			t.Errorf("sandbox %v, A5 = %q", d.Sandbox, cell("A5"))
		}

		// H11, received 01/11/2026 07:00 in Vietnam, is a real date: a
		// serial number with a date format, shown as dd/mm/yyyy hh:mm.
		if got := cell("H11"); got != "01/11/2026 07:00" {
			t.Errorf("H11 shows %q", got)
		}
		raw, err := x.GetCellValue(RegisterSheet, "H11", excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("H11 raw value %q is not a number", raw)
		}
		if got, _ := excelize.ExcelDateToTime(serial, false); !got.Equal(time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)) {
			t.Errorf("H11 is %v", got)
		}
		sid, _ := x.GetCellStyle(RegisterSheet, "H11")
		st, err := x.GetStyle(sid)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "dd/mm/yyyy hh:mm" {
			t.Errorf("H11 style %+v, %v", st, err)
		}
		if got := cell("K12"); got != "" { // the second dossier has no result yet
			t.Errorf("K12 = %q, want empty", got)
		}
		if got := cell("K11"); got != "03/11/2026" { // the result's day
			t.Errorf("K11 = %q", got)
		}

		panes, err := x.GetPanes(RegisterSheet)
		if err != nil || !panes.Freeze || panes.YSplit != xlsxNumRow {
			t.Errorf("panes %+v, %v", panes, err)
		}
		pl, err := x.GetPageLayout(RegisterSheet)
		if err != nil || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 {
			t.Errorf("page layout %+v, %v", pl, err)
		}
		names := x.GetDefinedName()
		found := false
		for _, dn := range names {
			found = found || (dn.Name == "_xlnm.Print_Titles" && strings.Contains(dn.RefersTo, "$9:$10"))
		}
		if !found {
			t.Errorf("no print titles: %+v", names)
		}
	}
}

func TestRegisterXLSXBig(t *testing.T) {
	d := sample(Register, Circular03of2025)
	d.Rows = sampleRows(300)
	d.Kind = "" // the register is implied
	b, err := RegisterXLSX(d)
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows(RegisterSheet)
	if len(rows) != xlsxFirstRow-1+300 {
		t.Errorf("%d rows", len(rows))
	}
	d.Numbering = "x"
	if _, err := RegisterXLSX(d); !errors.Is(err, ErrNoSuchForm) {
		t.Errorf("bad numbering: %v", err)
	}
}
