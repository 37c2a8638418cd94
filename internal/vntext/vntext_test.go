package vntext

import "testing"

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Đăng ký khai sinh":                   "dang ky khai sinh",
		"CHỨNG THỰC bản sao":                  "chung thuc ban sao",
		"Nguyễn Thị Hương, thôn Đông Hòa":     "nguyen thi huong thon dong hoa",
		"Thủ tục 1.001193":                    "thu tuc 1.001193",
		"  nhiều   khoảng   trắng  ":          "nhieu khoang trang",
		"Hòa  vs  Hoà":                        "hoa vs hoa",
		"Tr\u01b0\u0301\u01a1ng (decomposed)": "truong decomposed",
	}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNFC(t *testing.T) {
	decomposed := "Hoa\u0300 Lo\u0302\u0323c"
	if got := NFC(decomposed); got != "Hoà Lộc" {
		t.Errorf("NFC = %q", got)
	}
	if NFC("Hoa Lộc") != "Hoa Lộc" {
		t.Error("NFC changed an NFC string")
	}
}

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"Nguyễn Thị Lan":        true,
		"hai dòng\nvà\ttab\r\n": true,
		"":                      true,
		"có NUL\x00":            false,
		"chuông\a":              false,
		"hỏng \xed mã":          false,
		"DEL\x7f":               false,
		"C1 \u0085":             false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
