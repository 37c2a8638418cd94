package forms

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestNumbering(t *testing.T) {
	want := map[Numbering]map[Kind]string{
		Circular01of2018: {Receipt: "01", Guidance: "02", Refusal: "03", Apology: "04", ControlSlip: "05", Register: "06"},
		Circular03of2025: {Receipt: "01", Guidance: "02", Refusal: "03", Apology: "04", StopNotice: "05", ControlSlip: "06", Register: "07"},
	}
	for n, kinds := range want {
		for k, num := range kinds {
			if got, ok := Number(k, n); !ok || got != num {
				t.Errorf("Number(%s, %s) = %q, %v; want %q", k, n, got, ok, num)
			}
			if got, ok := KindByNumber(num, n); !ok || got != k {
				t.Errorf("KindByNumber(%s, %s) = %q, %v; want %s", num, n, got, ok, k)
			}
		}
	}
	if _, ok := Number(StopNotice, Circular01of2018); ok {
		t.Error("the stop notice exists under Circular 01/2018")
	}
	if _, ok := KindByNumber("07", Circular01of2018); ok {
		t.Error("Mẫu 07 exists under Circular 01/2018")
	}
	if _, ok := Number("certificate", Circular03of2025); ok {
		t.Error("an unknown kind has a number")
	}
}

func TestStopNoticeOnlyUnder2025(t *testing.T) {
	d := sample(StopNotice, Circular01of2018)
	if _, err := HTML(d); !errors.Is(err, ErrNoSuchForm) {
		t.Errorf("HTML: err = %v, want ErrNoSuchForm", err)
	}
	if _, err := PDF(d); !errors.Is(err, ErrNoSuchForm) {
		t.Errorf("PDF: err = %v, want ErrNoSuchForm", err)
	}
	d.Numbering = Circular03of2025
	if _, err := HTML(d); err != nil {
		t.Errorf("HTML under 03/2025: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	for _, d := range []Data{
		{Kind: "certificate", Numbering: Circular03of2025},
		{Kind: Receipt},
		{Kind: Receipt, Numbering: "02/2030"},
	} {
		if _, err := HTML(d); !errors.Is(err, ErrNoSuchForm) {
			t.Errorf("HTML(%q, %q): err = %v", d.Kind, d.Numbering, err)
		}
		if _, err := PDF(d); !errors.Is(err, ErrNoSuchForm) {
			t.Errorf("PDF(%q, %q): err = %v", d.Kind, d.Numbering, err)
		}
	}
	if _, err := RegisterXLSX(sample(Receipt, Circular03of2025)); !errors.Is(err, ErrNoSuchForm) {
		t.Errorf("RegisterXLSX(receipt): err = %v", err)
	}
}

var (
	inlineStyle  = regexp.MustCompile(`(?i)<style|\sstyle\s*=`)
	inlineScript = regexp.MustCompile(`(?i)<script|\son[a-z]+\s*=|javascript:`)
)

func TestHTMLEveryKind(t *testing.T) {
	for _, d := range allCases() {
		t.Run(caseName(d), func(t *testing.T) {
			b, err := HTML(d)
			if err != nil {
				t.Fatal(err)
			}
			dump(t, caseName(d)+".html", b)
			s := string(b)
			num, _ := Number(d.Kind, d.Numbering)
			for _, want := range []string{
				"<!DOCTYPE html>", `<html lang="vi">`, "<title>Mẫu số " + num, "<main>", "</main>", "<h1>" + formTitle(d.Kind, d.Numbering) + "</h1>",
				`<link rel="stylesheet" href="/static/forms.css">`,
				"Mẫu số " + num,
				"ỦY BAN NHÂN DÂN XÃ HOA LỘC", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
				"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
				"Hoa Lộc, " + dateWords(d.Issued),
			} {
				if !strings.Contains(s, want) {
					t.Errorf("missing %q", want)
				}
			}
			if inlineStyle.MatchString(s) {
				t.Errorf("inline style: %q", inlineStyle.FindString(s))
			}
			if inlineScript.MatchString(s) {
				t.Errorf("script: %q", inlineScript.FindString(s))
			}
			if strings.Contains(s, "<table") && (!strings.Contains(s, "<caption") || !strings.Contains(s, `<th scope="col">`)) {
				t.Error("a table without caption or column headers")
			}
			if strings.Contains(s, SandboxBanner) {
				t.Error("sandbox banner on a real form")
			}
		})
	}
}

func TestHTMLFacts(t *testing.T) {
	get := func(k Kind, n Numbering) string {
		t.Helper()
		b, err := HTML(sample(k, n))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	check := func(name, s string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(s, w) {
				t.Errorf("%s: missing %q", name, w)
			}
		}
	}
	r := get(Receipt, Circular03of2025)
	check("receipt", r,
		"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mã hồ sơ: <strong>H56.40.12-261127-0153</strong>",
		"Nguyễn Thị Hường", "038186001234", "Thôn Đông Khê, xã Hoa Lộc, tỉnh Thanh Hóa", "0912 345 678", "huong.nguyen@example.vn",
		"Đăng ký khai sinh", "1.001193", "Giấy chứng sinh", "Do Trạm y tế xã Hoa Lộc cấp", "Bản chính", "Xuất trình",
		"Số lượng hồ sơ: <strong>01</strong> (bộ)",
		"08 giờ 35 phút, ngày 27 tháng 11 năm 2026", "10 giờ 00 phút, ngày 28 tháng 11 năm 2026",
		"quầy số 2", "Miễn lệ phí", "Quyển số: 01/2026", "Số thứ tự: 153",
		`<img class="qr" src="data:image/png;base64,iVBOR`, `alt="Mã QR tra cứu tình trạng hồ sơ H56.40.12-261127-0153: quét bằng điện thoại để mở trang tra cứu"`,
		"Mã tra cứu", `<dd class="key">HL7K-2Q9M</dd>`,
		"NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Lê Văn Đức", "Số: 0153/TN-TTPVHCC",
		`<th scope="row"`, "<caption",
	)
	check("guidance", get(Guidance, Circular01of2018),
		"PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Hồ sơ của: <strong>Nguyễn Thị Hường</strong>",
		"<ol class=\"items\">", "mục “Nơi sinh” phải khớp", "Bổ sung Giấy chứng sinh (Bản chính, số lượng: 01). Lý do: hồ sơ nộp bản chụp",
		"chỉ hướng dẫn một lần", "Lê Văn Đức", "0237 3 812 345", "NGƯỜI HƯỚNG DẪN")
	check("refusal", get(Refusal, Circular03of2025),
		"PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Trung tâm Phục vụ hành chính công xã Hoa Lộc tiếp nhận hồ sơ của",
		"không thuộc thẩm quyền", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Lê Văn Đức")
	a18 := get(Apology, Circular01of2018)
	check("apology 01/2018", a18,
		"PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Kính gửi: <strong>Nguyễn Thị Hường</strong>",
		"16 giờ 00 phút, ngày 02 tháng 12 năm 2026", "10 giờ 30 phút, ngày 05 tháng 12 năm 2026",
		"xác minh thông tin nơi cư trú", "xin lỗi Ông/Bà", "GIÁM ĐỐC", "Phạm Quốc Việt", "Nơi nhận:", "Hoa Lộc, ngày 01 tháng 12 năm 2026")
	check("apology 03/2025", get(Apology, Circular03of2025),
		"VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "đề nghị Ông/Bà đồng ý gia hạn thời gian giải quyết")
	check("stop notice", get(StopNotice, Circular03of2025),
		"THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Mẫu số 05", "thông báo dừng giải quyết hồ sơ", "đã rút hồ sơ", "Phạm Quốc Việt")
	slip := get(ControlSlip, Circular03of2025)
	check("control slip", slip,
		"PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Mẫu số 06",
		"Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: 0153/TN-TTPVHCC",
		"TÊN CƠ QUAN/NGƯỜI BÀN GIAO – NHẬN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "Trước hạn", "Đúng hạn", "Quá hạn",
		"09 giờ 05 phút<br>ngày 27/11/2026", "Phó Chủ tịch UBND xã", "GHI CHÚ")
	if n := strings.Count(slip, "<tr>"); n != 1+slipMinRows {
		t.Errorf("control slip: %d rows, want header + %d", n, slipMinRows)
	}
	reg := get(Register, Circular01of2018)
	check("register", reg,
		"SỔ THEO DÕI HỒ SƠ", "Mẫu số 06", `class="form landscape form-register"`,
		"Từ ngày 01 tháng 11 năm 2026 đến ngày 30 tháng 11 năm 2026",
		"Cơ quan chủ trì giải quyết", "Chuyển hồ sơ đến cơ quan giải quyết", "Nhận kết quả từ cơ quan giải quyết",
		"Trả kết quả cho cá nhân, tổ chức", "Ký nhận", "Ghi chú", "Địa chỉ, số điện thoại", "Số lượng hồ sơ (bộ)",
		"H56.40.12-261101-0001", "01/11/2026<br>07:00", "Đã trả kết quả")
	if !strings.Contains(get(Register, Circular03of2025), "Mẫu số 07") {
		t.Error("register 03/2025 is not Mẫu số 07")
	}
}

func TestHTMLEscapesAndSandbox(t *testing.T) {
	d := sample(Receipt, Circular01of2018)
	d.Dossier.Applicant = `<script>alert("x")</script> & Co`
	d.Sandbox = true
	b, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "<script") || !strings.Contains(s, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co") {
		t.Error("applicant not escaped")
	}
	if !strings.Contains(s, "BẢN THỬ NGHIỆM (SANDBOX) – không có giá trị pháp lý") {
		t.Error("no sandbox banner")
	}
}

func TestDecomposedInputIsComposed(t *testing.T) {
	d := sample(Receipt, Circular03of2025)
	d.Dossier.Applicant = "Nguye\u0302\u0303n Thi\u0323 Hu\u031bo\u031b\u0300ng" // NFD
	b, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("Nguyễn Thị Hường")) {
		t.Error("NFD name not composed to NFC")
	}
}

func TestDates(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 3, 5, 1, 30, 0, 0, time.UTC), "08 giờ 30 phút, ngày 05 tháng 3 năm 2026"},
		{time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC), "00 giờ 00 phút, ngày 01 tháng 02 năm 2026"},
		{time.Date(2026, 12, 24, 9, 5, 0, 0, ict), "09 giờ 05 phút, ngày 24 tháng 12 năm 2026"},
	} {
		if got := whenWords(c.t); got != c.want {
			t.Errorf("whenWords(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	if got := whenWords(time.Time{}); !strings.Contains(got, "……") {
		t.Errorf("zero time prints %q, want dots to fill in", got)
	}
}

func TestUnitInText(t *testing.T) {
	for _, c := range []struct{ parent, unit, name, want string }{
		{"ỦY BAN NHÂN DÂN XÃ HOA LỘC", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "", "Trung tâm Phục vụ hành chính công xã Hoa Lộc"},
		{"ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "ỦY BAN NHÂN DÂN XÃ HOA LỘC", "", "Ủy ban nhân dân xã Hoa Lộc"},
		{"ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH", "BỘ PHẬN MỘT CỬA", "", "Bộ phận Một cửa phường Ba Đình"},
		{"", "Trung tâm PVHCC", "", "Trung tâm PVHCC"},
		{"X", "Y", "Trung tâm Phục vụ hành chính công xã Hoa Lộc", "Trung tâm Phục vụ hành chính công xã Hoa Lộc"},
	} {
		if got := unitInText(Data{ParentBody: c.parent, Unit: c.unit, UnitName: c.name}); got != c.want {
			t.Errorf("unitInText(%q, %q) = %q, want %q", c.parent, c.unit, got, c.want)
		}
	}
}

func TestStylesheet(t *testing.T) {
	css := string(Stylesheet)
	for _, want := range []string{"@page", "size: A4 portrait", "size: A4 landscape", "margin: 20mm 15mm 20mm 30mm", "@media print", ".sandbox", ".lookup .qr"} {
		if !strings.Contains(css, want) {
			t.Errorf("forms.css lacks %q", want)
		}
	}
}
