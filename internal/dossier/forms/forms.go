package forms

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ErrNoSuchForm is returned (wrapped) when a Data asks for a kind that does
// not exist under its numbering (the stop notice under Circular 01/2018), an
// unknown kind, or an unknown numbering.
var ErrNoSuchForm = errors.New("forms: no such form")

// SealKeywordPrefix prefixes Data.Seal in the PDF's /Keywords entry; see
// SealFromPDF.
const SealKeywordPrefix = "motcua-seal:"

// vnZone is Asia/Ho_Chi_Minh, or a fixed UTC+7 zone if the time-zone
// database is missing (Vietnam has had no daylight saving time since 1975).
var vnZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return l
	}
	return time.FixedZone("ICT", 7*3600)
}()

// check validates the kind and numbering of d and returns the printed form
// number.
func check(d Data) (string, error) {
	switch d.Numbering {
	case Circular01of2018, Circular03of2025:
	default:
		return "", fmt.Errorf("%w: unknown numbering %q", ErrNoSuchForm, d.Numbering)
	}
	num, ok := Number(d.Kind, d.Numbering)
	if !ok {
		if num == "" {
			return "", fmt.Errorf("%w: unknown kind %q", ErrNoSuchForm, d.Kind)
		}
		return "", fmt.Errorf("%w: %s does not exist under Circular %s/TT-VPCP", ErrNoSuchForm, d.Kind, d.Numbering)
	}
	return num, nil
}

// formTitle is the printed (upper-case) title of a form.
func formTitle(k Kind, n Numbering) string {
	switch k {
	case Receipt:
		return "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
	case Guidance:
		return "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
	case Refusal:
		return "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
	case Apology:
		if n == Circular03of2025 {
			return "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
		}
		return "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
	case StopNotice:
		return "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
	case ControlSlip:
		return "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
	case Register:
		return "SỔ THEO DÕI HỒ SƠ"
	case Result:
		return "BẢN ĐIỆN TỬ KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
	}
	return ""
}

// formName is the title in sentence case, for the HTML <title> and the PDF
// metadata.
func formName(k Kind, n Numbering) string {
	t := []rune(strings.ToLower(formTitle(k, n)))
	if len(t) > 0 {
		t[0] = unicode.ToUpper(t[0])
	}
	return string(t)
}

// circularName is the full name of a numbering's circular.
func circularName(n Numbering) string {
	return "Thông tư số " + string(n) + "/TT-VPCP"
}

// docTitle is "Mẫu số 01 – Giấy tiếp nhận … – <code>".
func docTitle(d Data, num string) string {
	s := formName(d.Kind, d.Numbering)
	if num != "" {
		s = "Mẫu số " + num + " – " + s
	}
	if c := clean(d.Dossier.Code); c != "" && d.Kind != Register {
		s += " – " + c
	}
	return s
}

// clean normalises text to NFC (Vietnamese precomposed letters, which the
// fonts and the PDF text layer expect) and trims it.
func clean(s string) string {
	return strings.TrimSpace(norm.NFC.String(s))
}

// blank is what an empty field prints: dots to fill in by hand.
const blank = "……………"

// orBlank returns s cleaned, or the dots if it is empty.
func orBlank(s string) string {
	if s = clean(s); s == "" {
		return blank
	}
	return s
}

// local converts t to Vietnam time.
func local(t time.Time) time.Time { return t.In(vnZone) }

// twoDigits prints 1..9 as 01..09.
func twoDigits(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dateWords is "ngày 05 tháng 3 năm 2026" (Decree 30/2020: a day below 10
// and the months 1 and 2 take a leading zero).
func dateWords(t time.Time) string {
	if t.IsZero() {
		return "ngày …… tháng …… năm ………"
	}
	t = local(t)
	m := strconv.Itoa(int(t.Month()))
	if t.Month() <= 2 {
		m = "0" + m
	}
	return "ngày " + twoDigits(t.Day()) + " tháng " + m + " năm " + strconv.Itoa(t.Year())
}

// whenWords is "08 giờ 30 phút, ngày 05 tháng 3 năm 2026".
func whenWords(t time.Time) string {
	if t.IsZero() {
		return "…… giờ …… phút, " + dateWords(t)
	}
	l := local(t)
	return twoDigits(l.Hour()) + " giờ " + twoDigits(l.Minute()) + " phút, " + dateWords(t)
}

// dateNum is "05/03/2026"; empty for a zero time.
func dateNum(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return local(t).Format("02/01/2006")
}

// clockNum is "08:30"; empty for a zero time.
func clockNum(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return local(t).Format("15:04")
}

// dateTimeCell is "05/03/2026\n08:30" for narrow table columns.
func dateTimeCell(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return dateNum(t) + "\n" + clockNum(t)
}

// dateLine is the heading's "Hoa Lộc, ngày 27 tháng 11 năm 2026".
func dateLine(d Data) string {
	place := clean(d.Place)
	if place == "" {
		place = "……………"
	}
	return place + ", " + dateWords(d.Issued)
}

// docNumber is the heading's "Số: 0001/TN" (DocNumber with or without its
// "Số:"), or "Số: ……/……" to fill in.
func docNumber(d Data) string {
	n := clean(d.DocNumber)
	for _, p := range []string{"Số:", "số:", "SỐ:"} {
		n = strings.TrimSpace(strings.TrimPrefix(n, p))
	}
	if n == "" {
		n = "………/………"
	}
	return "Số: " + n
}

// count is "01", "02", … "12": counts of copies and sets are written with
// two digits in administrative documents.
func count(n int) string {
	if n <= 0 {
		return "……"
	}
	return twoDigits(n)
}

// upper is the Vietnamese upper case of s.
func upper(s string) string { return strings.ToUpper(clean(s)) }

// unitInText is the issuing unit as written inside a sentence: UnitName if
// set, else Unit turned from upper case into the usual capitalisation ("TRUNG
// TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" → "Trung tâm Phục vụ hành chính công") with
// the commune of ParentBody appended when Unit does not name it.
func unitInText(d Data) string {
	if n := clean(d.UnitName); n != "" {
		return n
	}
	u := clean(d.Unit)
	if u == "" {
		return "Bộ phận Một cửa"
	}
	if u != strings.ToUpper(u) { // already in running-text case
		return u
	}
	if p := adminPart(clean(d.ParentBody)); p != "" && adminPart(u) == "" {
		u += " " + p
	}
	return nameCase(u)
}

// adminWords open the name of an administrative unit; the words after them
// are a proper name.
var adminWords = []string{"THÀNH PHỐ", "THỊ TRẤN", "THỊ XÃ", "ĐẶC KHU", "PHƯỜNG", "TỈNH", "HUYỆN", "QUẬN", "XÃ"}

// adminPart returns "XÃ HOA LỘC" from "ỦY BAN NHÂN DÂN XÃ HOA LỘC".
func adminPart(s string) string {
	s = strings.ToUpper(s)
	words := strings.Fields(s)
	for i := range words {
		for _, a := range adminWords {
			aw := strings.Fields(a)
			if i+len(aw) < len(words) && strings.Join(words[i:i+len(aw)], " ") == a {
				return strings.Join(words[i:], " ")
			}
		}
	}
	return ""
}

// fixedNames are unit names whose official capitalisation is not the
// sentence case.
var fixedNames = []struct{ up, text string }{
	{"TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "Trung tâm Phục vụ hành chính công"},
	{"BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "Bộ phận Tiếp nhận và Trả kết quả"},
	{"BỘ PHẬN MỘT CỬA", "Bộ phận Một cửa"},
	{"ỦY BAN NHÂN DÂN", "Ủy ban nhân dân"},
	{"UỶ BAN NHÂN DÂN", "Ủy ban nhân dân"},
}

// nameCase turns an upper-case unit name into running-text case: a capital
// first letter, and capitals for the proper name after an administrative
// word ("xã Hoa Lộc").
func nameCase(s string) string {
	words := strings.Fields(strings.ToUpper(s))
	out := make([]string, len(words))
	proper := false
	for i := 0; i < len(words); i++ {
		matched := false
		if !proper {
			for _, f := range fixedNames {
				fw := strings.Fields(f.up)
				if i+len(fw) <= len(words) && strings.Join(words[i:i+len(fw)], " ") == f.up {
					tw := strings.Fields(f.text)
					if i > 0 {
						r := []rune(tw[0])
						r[0] = unicode.ToLower(r[0])
						tw[0] = string(r)
					}
					copy(out[i:], tw)
					i += len(fw) - 1
					matched = true
					break
				}
			}
		}
		if matched {
			continue
		}
		w := strings.ToLower(words[i])
		if proper || i == 0 {
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			w = string(r)
		}
		out[i] = w
		if !proper {
			for _, a := range adminWords {
				aw := strings.Fields(a)
				if j := i - len(aw) + 1; j >= 0 && strings.Join(words[j:i+1], " ") == a {
					proper = true
				}
			}
		}
	}
	return strings.Join(out, " ")
}
