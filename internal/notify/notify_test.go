package notify_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/vntext"
)

// vietnamese reports whether s is a non-empty NFC sentence with Vietnamese letters.
func vietnamese(s string) bool {
	return s != "" && vntext.NFC(s) == s && strings.ContainsAny(s, "ăâđêôơưĂÂĐÊÔƠƯáàảãạíìóòõúùýếềểễệốồổỗộớờởỡợứừửữự")
}

// fieldErr checks err is the field error code about field, in Vietnamese.
func fieldErr(t *testing.T, what string, err error, field, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("%s: want apperr %s, got %T %v", what, code, err, err)
	}
	if ae.Kind != apperr.Invalid || ae.Code != code || ae.Field != field || !vietnamese(ae.Message) {
		t.Fatalf("%s: got kind %d code %q field %q message %q, want %s on %s", what, ae.Kind, ae.Code, ae.Field, ae.Message, code, field)
	}
	if ae.Status() != 400 {
		t.Fatalf("%s: status %d", what, ae.Status())
	}
}

func TestNormalizePhone(t *testing.T) {
	good := map[string]string{
		"0912345678":         "0912345678",
		" 0912 345 678 ":     "0912345678",
		"0912.345.678":       "0912345678",
		"0912-345-678":       "0912345678",
		"+84912345678":       "0912345678",
		"+84 912 345 678":    "0912345678",
		"(+84) 912 345 678":  "0912345678",
		"84912345678":        "0912345678",
		"84 35 123 4567":     "0351234567",
		"0351234567":         "0351234567", // Viettel 03x
		"0561234567":         "0561234567", // Vietnamobile 05x
		"0771234567":         "0771234567", // MobiFone 07x
		"0841234567":         "0841234567", // VinaPhone 084: ten digits, not a country code
		"0981234567":         "0981234567",
		"0501234567":         "0501234567", // well-formed; no network serves 050 (the gateway says so)
		"(+84)-98-123-45-67": "0981234567",
		"0912345678\n":       "0912345678", // pasted with its line break
	}
	for in, want := range good {
		got, err := notify.NormalizePhone(in)
		if err != nil || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "   ", "091234567", "09123456789", "01234567890", // too short, too long, old 11-digit
		"0212345678", "0412345678", "0612345678", "0112345678", "0012345678", // landline or no mobile prefix
		"02373800000",                 // a landline of Thanh Hóa
		"+1 212 555 0100", "+8409123", // another country, too short
		"8491234567", // 84 then nine digits is not a mobile number
		"091234567a", "0912345678 ext 1", "0912/345/678", "0912_345_678",
		"０９１２３４５６７８", // full-width digits
		"09１2345678", "0912\n345678", "0912\u00a0345678", "+ 84912345678x",
		"++84912345678", "0+912345678", "84+912345678",
	}
	for _, in := range bad {
		got, err := notify.NormalizePhone(in)
		if err == nil {
			t.Errorf("NormalizePhone(%q) = %q, want an error", in, got)
			continue
		}
		fieldErr(t, in, err, "to", "invalid_phone")
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"0912345678": "0912***678", "0351234567": "0351***567", "123": "***", "": ""} {
		if got := notify.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSegments(t *testing.T) {
	cases := []struct {
		body     string
		segments int
		unicode  bool
	}{
		{"", 0, false},
		{"Con 3 nguoi nua den luot ban", 1, false},
		{strings.Repeat("a", 160), 1, false},
		{strings.Repeat("a", 161), 2, false},
		{strings.Repeat("a", 306), 2, false},
		{strings.Repeat("a", 307), 3, false},
		{strings.Repeat("a", 459), 3, false},
		{strings.Repeat("[", 80), 1, false}, // extension characters count twice
		{strings.Repeat("[", 81), 2, false},
		{"Còn 3 người nữa đến lượt bạn", 1, true},
		{strings.Repeat("ệ", 70), 1, true},
		{strings.Repeat("ệ", 71), 2, true},
		{strings.Repeat("ệ", 134), 2, true},
		{strings.Repeat("ệ", 135), 3, true},
		{strings.Repeat("ệ", 201), 3, true},
		{"Café", 1, true},        // é is in the GSM alphabet, but a Vietnamese é must keep its mark
		{"a`b", 1, true},         // the backtick is not in the GSM alphabet
		{"giá 50.000đ", 1, true}, // đ
		{"Quầy số 2\nmời vào", 1, true},
	}
	for _, c := range cases {
		n, uni := notify.Segments(c.body)
		if n != c.segments || uni != c.unicode {
			t.Errorf("Segments(%.20q… %d chars) = %d, %v; want %d, %v", c.body, len([]rune(c.body)), n, uni, c.segments, c.unicode)
		}
	}
}

// a valid message, to be spoiled one field at a time.
func valid() notify.Message {
	return notify.Message{To: "+84 912 345 678", Body: "UBND xã Hoa Lộc: số A023 của bạn còn 3 người nữa đến lượt. Mời bạn đến khu vực chờ.",
		Kind: notify.KindQueueNear, Key: "queue_near:t-1", Agency: "H56.16072"}
}

func TestValidate(t *testing.T) {
	m, err := notify.Validate(valid())
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "0912345678" || m.Channel != notify.ChannelSMS {
		t.Fatalf("normalised: %+v", m)
	}
	// Decomposed text (typed on some phones) is stored composed; the ends
	// are trimmed and Windows line breaks become plain ones.
	in := valid()
	in.Body = "  Ho\u0302\u0300 so\u031b\r\nđã có kết quả.\t "
	if m, err := notify.Validate(in); err != nil || m.Body != "Hồ sơ\nđã có kết quả." {
		t.Fatalf("body %q %v", m.Body, err)
	}

	cases := []struct {
		name        string
		spoil       func(*notify.Message)
		field, code string
	}{
		{"bad number", func(m *notify.Message) { m.To = "0212345678" }, "to", "invalid_phone"},
		{"no number", func(m *notify.Message) { m.To = "" }, "to", "invalid_phone"},
		{"empty body", func(m *notify.Message) { m.Body = " \n " }, "body", "empty_message"},
		{"emoji", func(m *notify.Message) { m.Body = "Đến lượt bạn 🎉" }, "body", "invalid_message_text"},
		{"NUL", func(m *notify.Message) { m.Body = "Đến lượt\x00 bạn" }, "body", "invalid_message_text"},
		{"broken UTF-8", func(m *notify.Message) { m.Body = "Đến lượt \xff bạn" }, "body", "invalid_message_text"},
		{"tab inside", func(m *notify.Message) { m.Body = "Đến\tlượt" }, "body", "invalid_message_text"},
		{"private use", func(m *notify.Message) { m.Body = "Đến lượt \ue000" }, "body", "invalid_message_text"},
		{"202 with diacritics", func(m *notify.Message) { m.Body = strings.Repeat("ệ", 202) }, "body", "message_too_long"},
		{"460 without", func(m *notify.Message) { m.Body = strings.Repeat("a", 460) }, "body", "message_too_long"},
		{"email", func(m *notify.Message) { m.Channel = "email" }, "channel", "unsupported_channel"},
		{"no kind", func(m *notify.Message) { m.Kind = "" }, "kind", "invalid_message_kind"},
		{"kind with spaces", func(m *notify.Message) { m.Kind = "queue near" }, "kind", "invalid_message_kind"},
		{"kind upper case", func(m *notify.Message) { m.Kind = "QueueNear" }, "kind", "invalid_message_kind"},
		{"no key", func(m *notify.Message) { m.Key = "  " }, "key", "invalid_message_key"},
		{"key too long", func(m *notify.Message) { m.Key = strings.Repeat("k", 201) }, "key", "invalid_message_key"},
		{"no agency", func(m *notify.Message) { m.Agency = "" }, "agency", "missing_agency"},
		{"window backwards", func(m *notify.Message) {
			m.NotBefore = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
			m.NotAfter = m.NotBefore.Add(-time.Minute)
		}, "not_after", "invalid_send_window"},
	}
	for _, c := range cases {
		m := valid()
		c.spoil(&m)
		_, err := notify.Validate(m)
		fieldErr(t, c.name, err, c.field, c.code)
	}
	// At the limits, accepted.
	for _, body := range []string{strings.Repeat("ệ", 201), strings.Repeat("a", 459)} {
		m := valid()
		m.Body = body
		if _, err := notify.Validate(m); err != nil {
			t.Errorf("%d characters: %v", len([]rune(body)), err)
		}
	}
	// The message of a long body says how long it is and what the limit is.
	m = valid()
	m.Body = strings.Repeat("ệ", 250)
	_, err = notify.Validate(m)
	if msg := apperr.As(err).Message; !strings.Contains(msg, "250") || !strings.Contains(msg, "201") {
		t.Errorf("too long: %q", msg)
	}
}
