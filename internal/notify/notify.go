// Package notify is motcua's port for messages to citizens: today SMS through
// a brandname gateway ("UBND xa Hoa Loc" shown as the sender), later e-mail
// or Zalo. A service enqueues a message in its own write transaction — so
// the message exists if and only if the business change that caused it
// committed — and a worker delivers it through a Sender, in order, retrying
// with backoff, a minimum delay between two messages to one number, and no
// message lost across restarts.
//
// Delivery is at least once. A message whose sending was interrupted (the
// process died between handing it to the gateway and recording the answer)
// is sent again after its lease. The brandname client sends the message's
// id as the gateway's RequestId, which the gateway refuses to repeat within
// 24 hours and answers "duplicate" — recorded as sent — so in practice the
// citizen gets it once; a gateway without that guarantee may deliver twice.
//
// Beside the protocol client there is a Sandbox that speaks the same
// protocol and delivers nothing, clearly labelled SANDBOX in logs and pages.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/vntext"
)

// ChannelSMS is the only channel so far.
const ChannelSMS = "sms"

// Kinds of message. Later kinds for dossiers are named dossier_….
const (
	KindQueueNear           = "queue_near"           // "three people ahead of you"
	KindAppointmentReminder = "appointment_reminder" // the day before a booked visit
)

// Message is one message to a citizen.
type Message struct {
	// ID is given by the outbox when the message is enqueued (ignored on
	// Enqueue); it is the request id sent to the gateway.
	ID string
	// Channel is "sms" ("" means sms).
	Channel string
	// To is the recipient: a Vietnamese mobile number, stored normalised as
	// 0xxxxxxxxx (+84, 84, spaces, dots and dashes accepted on Enqueue).
	To string
	// Body is plain text, Vietnamese with diacritics welcome, at most
	// MaxSegments SMS segments (see Segments).
	Body string
	// Kind says what the message is about: queue_near, appointment_reminder,
	// dossier_….
	Kind string
	// Key makes enqueueing idempotent: a message whose Key is already in the
	// outbox is ignored, whatever its content. Callers build it from what
	// the message is about, e.g. "queue_near:<ticket id>".
	Key string
	// NotBefore delays the message (zero: as soon as possible).
	NotBefore time.Time
	// NotAfter is when the message becomes pointless ("three people ahead"
	// an hour later is wrong, not late): unsent by then, it is given up as
	// expired. Zero: never.
	NotAfter time.Time
	// Agency is the agency on whose behalf it is sent (the console lists an
	// agency's messages).
	Agency string
}

// MaxSegments bounds a message: three SMS segments. With Vietnamese
// diacritics a message is encoded in UCS-2, 70 characters in one segment and
// 67 in each of several, so three segments hold 201 characters; without
// diacritics (GSM 7-bit) 160, and 153 each, so 459. Gateways bill each
// segment, and carriers reassemble more than three unreliably on older
// phones. (306 characters would be two 7-bit segments, not two with
// diacritics, which hold 134.)
const MaxSegments = 3

// Limits of a message's body, in characters (UTF-16 code units for UCS-2).
const (
	maxUnicodeChars = 67 * MaxSegments  // 201
	maxGSMChars     = 153 * MaxSegments // 459 septets
	maxKeyLen       = 200
)

var reKind = regexp.MustCompile(`^[a-z][a-z0-9_]{1,47}$`)

// Validation errors: stable codes, Vietnamese messages, the field at fault.
var (
	ErrInvalidPhone = apperr.Field("to", "invalid_phone",
		"Số điện thoại di động không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (có thể viết +84).")
	ErrEmptyBody   = apperr.Field("body", "empty_message", "Nội dung tin nhắn không được để trống.")
	ErrInvalidText = apperr.Field("body", "invalid_message_text",
		"Tin nhắn chỉ được gồm chữ, số và dấu câu; không dùng biểu tượng cảm xúc, ký tự điều khiển hoặc ký tự lỗi mã hóa.")
	ErrChannel = apperr.Field("channel", "unsupported_channel", "Kênh gửi tin không được hỗ trợ; hiện chỉ gửi được tin nhắn SMS.")
	ErrKind    = apperr.Field("kind", "invalid_message_kind", "Loại tin nhắn không hợp lệ (chữ thường không dấu, số và dấu gạch dưới).")
	ErrKey     = apperr.Field("key", "invalid_message_key", "Thiếu khóa chống gửi trùng của tin nhắn, hoặc khóa dài quá 200 ký tự.")
	ErrAgency  = apperr.Field("agency", "missing_agency", "Thiếu cơ quan gửi tin nhắn.")
	ErrWindow  = apperr.Field("not_after", "invalid_send_window", "Thời hạn gửi tin nhắn phải sau thời điểm bắt đầu gửi.")
)

// errTooLong is the error of a body over MaxSegments.
func errTooLong(n, limit int, unicode bool) *apperr.Error {
	how := "có dấu"
	if !unicode {
		how = "không dấu"
	}
	return apperr.Field("body", "message_too_long",
		fmt.Sprintf("Tin nhắn dài %d ký tự, vượt quá %d ký tự của %d tin nhắn %s. Vui lòng rút gọn nội dung.", n, limit, MaxSegments, how))
}

// NormalizePhone returns a Vietnamese mobile number as 0xxxxxxxxx: ten
// digits starting 03, 05, 07, 08 or 09. It accepts the +84 or 84 country
// prefix, "(+84)", and spaces, dots and dashes between digits
// ("0912.345.678", "+84 912 345 678").
func NormalizePhone(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		default:
			return "", ErrInvalidPhone
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+84"):
		n = "0" + n[3:]
	case strings.HasPrefix(n, "84") && len(n) == 11:
		n = "0" + n[2:]
	}
	if len(n) != 10 || n[0] != '0' || !strings.ContainsRune("35789", rune(n[1])) {
		return "", ErrInvalidPhone
	}
	return n, nil
}

// Mask hides the middle of a phone number for lists and logs: 0912***678.
func Mask(phone string) string {
	if len(phone) < 8 {
		return strings.Repeat("*", len(phone))
	}
	return phone[:4] + "***" + phone[len(phone)-3:]
}

// gsmBasic and gsmExtended are the ASCII part of the GSM 03.38 default
// alphabet and of its extension table (two septets each). Vietnamese
// gateways send "không dấu" text as 7-bit and anything else as Unicode, so
// the few accented Latin letters of the GSM alphabet (é, à …) count as
// Unicode here: a Vietnamese "à" must keep its mark.
const (
	gsmBasic    = "@$\n\r_ !\"#%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	gsmExtended = "^{}\\[~]|"
)

// Segments reports how many SMS segments body takes and whether it needs
// Unicode (UCS-2) encoding: Vietnamese with diacritics does, text without
// them fits the GSM 7-bit alphabet.
func Segments(body string) (segments int, unicode bool) {
	n, uni := length(body)
	single, multi := 160, 153
	if uni {
		single, multi = 70, 67
	}
	if n == 0 {
		return 0, uni
	}
	if n <= single {
		return 1, uni
	}
	return (n + multi - 1) / multi, uni
}

// length is body's length in septets (GSM) or UTF-16 units (UCS-2).
func length(body string) (n int, unicode bool) {
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			n++
		case strings.ContainsRune(gsmExtended, r):
			n += 2
		default:
			return len(utf16.Encode([]rune(body))), true
		}
	}
	return n, false
}

// cleanBody normalises a body (NFC, trimmed, CRLF as LF) and checks it is
// plain text a phone shows: no control characters but line breaks, nothing
// outside the Basic Multilingual Plane (emoji garble on UCS-2).
func cleanBody(body string) (string, error) {
	if !vntext.Valid(body) {
		return "", ErrInvalidText
	}
	body = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n"))
	body = vntext.NFC(body)
	for _, r := range body {
		if r > 0xFFFF || r == '\t' || (unicode.IsControl(r) && r != '\n') || unicode.Is(unicode.Co, r) {
			return "", ErrInvalidText
		}
	}
	if body == "" {
		return "", ErrEmptyBody
	}
	n, uni := length(body)
	limit := maxGSMChars
	if uni {
		limit = maxUnicodeChars
	}
	if n > limit {
		return "", errTooLong(n, limit, uni)
	}
	return body, nil
}

// Validate checks a message and returns it normalised: the number as
// 0xxxxxxxxx, the body in NFC, the channel filled in. Errors are apperr
// field errors (fields to, body, channel, kind, key, agency, not_after).
func Validate(m Message) (Message, error) {
	if m.Channel == "" {
		m.Channel = ChannelSMS
	}
	if m.Channel != ChannelSMS {
		return m, ErrChannel
	}
	to, err := NormalizePhone(m.To)
	if err != nil {
		return m, err
	}
	m.To = to
	if m.Body, err = cleanBody(m.Body); err != nil {
		return m, err
	}
	if !reKind.MatchString(m.Kind) {
		return m, ErrKind
	}
	m.Key = strings.TrimSpace(m.Key)
	if m.Key == "" || len(m.Key) > maxKeyLen || !vntext.Valid(m.Key) {
		return m, ErrKey
	}
	m.Agency = strings.TrimSpace(m.Agency)
	if m.Agency == "" {
		return m, ErrAgency
	}
	if !m.NotAfter.IsZero() && !m.NotBefore.IsZero() && !m.NotAfter.After(m.NotBefore) {
		return m, ErrWindow
	}
	return m, nil
}

// newID is a random message id, also the gateway's request id: random, not
// a sequence, because communes of a province may share one gateway account
// and a repeated request id would be taken for a duplicate and dropped.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Sender delivers one message to a gateway.
type Sender interface {
	// Send hands m to the gateway and returns the gateway's id for it. An
	// error that is a *SendError says whether trying again may help; any
	// other error is taken as temporary.
	Send(ctx context.Context, m Message) (providerID string, err error)
	// Sandbox reports whether this is the sandbox, to label it.
	Sandbox() bool
}

// ErrorClass says what a failed send means for the message.
type ErrorClass int

// Classes of send error.
const (
	// Temporary: the gateway or the network failed; try again later.
	Temporary ErrorClass = iota
	// Permanent: this message will never go (number refused, blocked,
	// content not allowed); give it up.
	Permanent
	// Account: the gateway refuses every message for now (wrong key, no
	// balance, brandname not registered, address not allowed). Sending the
	// others is pointless: the worker stops its pass, and the message waits
	// without losing an attempt until an administrator fixes the account.
	Account
)

// SendError is a failed send.
type SendError struct {
	Class      ErrorClass
	Code       string        // the gateway's code, or "http_503", "network", …
	Message    string        // Vietnamese, for the console
	RetryAfter time.Duration // the gateway's hint, if any
	Err        error         // the cause, for logs
}

func (e *SendError) Error() string {
	s := e.Code + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *SendError) Unwrap() error { return e.Err }
