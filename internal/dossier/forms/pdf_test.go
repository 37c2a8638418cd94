package forms

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// pdfCache renders each case once for the tests of this file.
var pdfCache sync.Map

func renderPDF(t *testing.T, d Data) []byte {
	t.Helper()
	key := caseName(d)
	if b, ok := pdfCache.Load(key); ok {
		return b.([]byte)
	}
	b, err := PDF(d)
	if err != nil {
		t.Fatalf("PDF(%s): %v", key, err)
	}
	pdfCache.Store(key, b)
	dump(t, key+".pdf", b)
	return b
}

var pageObj = regexp.MustCompile(`/Type /Page\b`)

func pageCount(b []byte) int { return len(pageObj.FindAll(b, -1)) }

func TestPDFEveryKind(t *testing.T) {
	for _, d := range allCases() {
		t.Run(caseName(d), func(t *testing.T) {
			t.Parallel()
			b := renderPDF(t, d)
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("does not start with %%PDF-: %q", b[:min(len(b), 8)])
			}
			if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
				t.Error("no end-of-file marker")
			}
			seal, err := SealFromPDF(b)
			if err != nil || seal != d.Seal {
				t.Errorf("SealFromPDF = %q, %v; want %q", seal, err, d.Seal)
			}
			for _, want := range []string{"/Creator (motcua)", "/Producer (motcua)", "/CreationDate (D:" + pdfDate(d).UTC().Format("20060102150405") + ")", "/Lang (vi-VN)", "/FontFile2", "/Filter /FlateDecode"} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("PDF lacks %q", want)
				}
			}
			// The Noto Serif subsets are embedded in the three styles used.
			if n := bytes.Count(b, []byte("/BaseFont /utf8notoserif")); n < 2 {
				t.Errorf("%d embedded Noto Serif fonts", n)
			}
			if d.Kind == Receipt && pageCount(b) != 1 {
				t.Errorf("the receipt takes %d pages", pageCount(b))
			}
			if d.Kind == Register {
				if !bytes.Contains(b, []byte("/MediaBox [0 0 841.89 595.28]")) {
					t.Error("the register is not A4 landscape")
				}
			} else if !bytes.Contains(b, []byte("/MediaBox [0 0 595.28 841.89]")) {
				t.Error("not A4 portrait")
			}
		})
	}
}

func TestPDFDeterministic(t *testing.T) {
	for _, k := range []Kind{Receipt, Register} {
		d := sample(k, Circular03of2025)
		d.Sandbox = true
		a, err := PDF(d)
		if err != nil {
			t.Fatal(err)
		}
		b, err := PDF(d)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings of the same Data differ", k)
		}
		d.Seal = "another-seal"
		c, _ := PDF(d)
		if bytes.Equal(a, c) {
			t.Errorf("%s: the seal does not change the bytes", k)
		}
	}
}

func TestSealFromPDF(t *testing.T) {
	d := sample(Refusal, Circular01of2018)
	d.Seal = "v1.(paren)\\back-slash.ấn-ký" // escapes, and non-ASCII (UTF-16 in the PDF)
	b, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := SealFromPDF(b); err != nil || got != d.Seal {
		t.Errorf("SealFromPDF = %q, %v; want %q", got, err, d.Seal)
	}
	d.Seal = ""
	b, _ = PDF(d)
	if _, err := SealFromPDF(b); err != ErrNoSeal {
		t.Errorf("no seal: err = %v", err)
	}
}

// pdfText extracts the text of a PDF with poppler's pdftotext when it is
// installed. When it is not, the caller checks the embedded fonts instead.
func extractText(t *testing.T, pdf []byte, layout bool) (string, bool) {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", false
	}
	in := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-enc", "UTF-8", in, "-"}
	if layout {
		args = append([]string{"-layout"}, args...)
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out), true
}

// Vietnamese text survives into the PDF with its diacritics.
func TestPDFVietnameseText(t *testing.T) {
	d := sample(Receipt, Circular03of2025)
	b := renderPDF(t, d)
	txt, ok := extractText(t, b, false)
	if !ok {
		// No poppler: the glyphs must at least come from the embedded
		// Vietnamese-capable font, with a ToUnicode map for the text layer.
		for _, want := range []string{"/BaseFont /utf8notoserif", "/FontFile2", "/ToUnicode", "/CIDToGIDMap"} {
			if !bytes.Contains(b, []byte(want)) {
				t.Errorf("PDF lacks %q", want)
			}
		}
		return
	}
	txt = strings.Join(strings.Fields(txt), " ")
	for _, want := range []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hoa Lộc, ngày 27 tháng 11 năm 2026",
		"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mẫu số 01", "ỦY BAN NHÂN DÂN XÃ HOA LỘC",
		"Nguyễn Thị Hường", "Thôn Đông Khê, xã Hoa Lộc, tỉnh Thanh Hóa", "Giấy chứng sinh",
		"10 giờ 00 phút, ngày 28 tháng 11 năm 2026", "HL7K-2Q9M", "H56.40.12-261127-0153",
		"NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Lê Văn Đức",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

// A register of 300 dossiers runs over several landscape pages, each
// starting with the column headings.
func TestPDFRegisterPaginates(t *testing.T) {
	d := sample(Register, Circular03of2025)
	d.Rows = sampleRows(300)
	b, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	dump(t, "register-300.pdf", b)
	pages := pageCount(b)
	if pages < 8 {
		t.Fatalf("300 rows on %d pages", pages)
	}
	txt, ok := extractText(t, b, false)
	if !ok {
		return // page count checked above; text needs pdftotext
	}
	perPage := strings.Split(txt, "\f")
	if got := len(perPage) - 1; got != pages { // a form feed ends every page
		t.Errorf("pdftotext sees %d pages, the PDF has %d", got, pages)
	}
	for i, p := range perPage[:pages] {
		flat := strings.Join(strings.Fields(p), " ")
		if !strings.Contains(flat, "Cơ quan chủ trì giải quyết") || !strings.Contains(flat, "(14)") {
			t.Errorf("page %d lacks the header row", i+1)
		}
	}
	// Codes wrap after a hyphen in their cell, and pdftotext joins such
	// lines without it: compare without spaces and hyphens.
	squash := func(s string) string { return strings.ReplaceAll(strings.Join(strings.Fields(s), ""), "-", "") }
	all := squash(txt)
	for _, code := range []string{"H56.40.12-261101-0001", "H56.40.12-261120-0300", "H56.40.12-261110-0150"} {
		if !strings.Contains(all, squash(code)) {
			t.Errorf("row %s missing", code)
		}
	}
}

// A Data with nothing but its kind still renders, with dots to fill in.
func TestEmptyData(t *testing.T) {
	for _, n := range []Numbering{Circular01of2018, Circular03of2025} {
		for _, k := range []Kind{Receipt, Guidance, Refusal, Apology, StopNotice, ControlSlip, Register} {
			if _, ok := Number(k, n); !ok {
				continue
			}
			d := Data{Kind: k, Numbering: n}
			h, err := HTML(d)
			if err != nil {
				t.Fatalf("HTML(%s, %s): %v", k, n, err)
			}
			if !bytes.Contains(h, []byte(blank)) {
				t.Errorf("HTML(%s, %s) has no blanks to fill in", k, n)
			}
			p, err := PDF(d)
			if err != nil || !bytes.HasPrefix(p, []byte("%PDF-")) {
				t.Fatalf("PDF(%s, %s): %v", k, n, err)
			}
			if _, err := SealFromPDF(p); err != ErrNoSeal {
				t.Errorf("PDF(%s, %s) has a seal", k, n)
			}
		}
	}
	if _, err := RegisterXLSX(Data{Numbering: Circular01of2018}); err != nil {
		t.Errorf("empty register XLSX: %v", err)
	}
}

// Characters the fonts lack do not break the PDF: they become look-alikes
// or "?", and a long unbroken word wraps inside its column.
func TestPDFOddText(t *testing.T) {
	d := sample(Receipt, Circular03of2025)
	d.Dossier.Applicant = "Nguyễn Văn → 😀 A\tB"
	d.Dossier.Address = strings.Repeat("Rất-dài-không-có-dấu-cách-", 12)
	d.Components = append(d.Components, ComponentLine{Name: strings.Repeat("x", 300), Form: "Bản sao", Count: 2})
	b, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	if got := pdfText("→ 😀\u0001"); got != "-> ? " {
		t.Errorf("pdfText = %q", got)
	}
	if txt, ok := extractText(t, b, false); ok && !strings.Contains(txt, "Nguyễn Văn -> ? A B") {
		t.Errorf("applicant not in the text: %q", txt[:min(len(txt), 400)])
	}
	if !hasGlyph('ễ') || !hasGlyph('Đ') || !hasGlyph('…') || hasGlyph('→') {
		t.Error("the font coverage table is wrong")
	}
}

// Many components push the receipt onto a second page, where the table's
// header row is repeated.
func TestPDFLongReceipt(t *testing.T) {
	d := sample(Receipt, Circular01of2018)
	for i := 0; i < 25; i++ {
		d.Components = append(d.Components, ComponentLine{Name: "Giấy tờ bổ sung số " + strconv.Itoa(i+1), Form: "Bản sao có chứng thực", Count: 1})
	}
	b, err := PDF(d)
	if err != nil {
		t.Fatal(err)
	}
	n := pageCount(b)
	if n < 2 {
		t.Fatalf("%d pages", n)
	}
	if txt, ok := extractText(t, b, false); ok {
		pages := strings.Split(txt, "\f")
		if !strings.Contains(pages[1], "Tên giấy tờ") {
			t.Errorf("page 2 lacks the table header: %q", pages[1][:min(len(pages[1]), 300)])
		}
		if !strings.Contains(pages[n-1], "NGƯỜI TIẾP NHẬN HỒ SƠ") {
			t.Errorf("the last page lacks the signatures")
		}
	}
}
