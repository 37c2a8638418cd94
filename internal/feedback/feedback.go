// Package feedback is what citizens tell the centre: a rating of each of
// their finished dossiers, and feedback and complaints (PAKN — phản ánh,
// kiến nghị) that get a reference code, a handling deadline on the working
// calendar and an answer from the staff. Both feed the Decision 766
// satisfaction indicators (group 5, see Satisfaction).
//
// Every write is one transaction with its audit entry and, for PAKN, the
// SMS that tells the sender (internal/notify outbox).
package feedback

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Deadlines of a PAKN, in working days from receipt (vietnam-rules.md §5,
// indicator 5.2, from the national 766 formula document [V-3P], matching
// the vietjack summary of the legal text [V]): an answer within 15 working
// days; a refusal to handle it (not the centre's matter, a duplicate)
// within 2. The "supplement request ≤ 5" and "publish ≤ 2" deadlines of the
// same indicator are not modelled: the centre does not ask senders for
// more, and an answer is shown to its sender at once.
const (
	AnswerWorkingDays = 15
	RejectWorkingDays = 2
)

// RatingEditable is how long a rating may be changed after it was first
// given; then it is frozen, so figures already reported stay put.
const RatingEditable = 7 * 24 * time.Hour

// Config wires the service.
type Config struct {
	DB       *store.DB
	Calendar *calendar.Service
	// Outbox sends the SMS to senders of PAKN; nil sends none.
	Outbox *notify.Outbox
	// BaseURL is the official public address, the only link an SMS may
	// carry ("" — no link).
	BaseURL string
	Log     *slog.Logger
	Now     func() time.Time
}

// Service keeps ratings and PAKN.
type Service struct {
	cfg Config
	db  *store.DB
	now func() time.Time
	log *slog.Logger
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{cfg: cfg, db: cfg.DB, now: cfg.Now, log: cfg.Log}
}

// Errors with stable codes.
var (
	ErrDossierNotFound = apperr.New(apperr.NotFound, "dossier_not_found",
		"Không tìm thấy hồ sơ này trong các hồ sơ của bạn.")
	ErrNotFinished = apperr.New(apperr.Conflict, "dossier_not_finished",
		"Hồ sơ chưa giải quyết xong nên chưa đánh giá được. Bạn có thể đánh giá khi đã có kết quả.")
	ErrRatingFrozen = apperr.New(apperr.Conflict, "rating_frozen",
		"Đánh giá này đã được ghi nhận và không sửa được nữa (chỉ sửa được trong 7 ngày).")
	ErrScore = apperr.Field("scores", "invalid_score",
		"Vui lòng chọn mức đánh giá từ 1 đến 5 cho từng tiêu chí.")
	ErrComment = apperr.Field("comment", "invalid_comment",
		"Ý kiến tối đa 1000 ký tự và không chứa ký tự điều khiển.")
	ErrBody = apperr.Field("body", "invalid_body",
		"Vui lòng viết nội dung phản ánh, kiến nghị (từ 10 đến 2000 ký tự).")
	ErrTopic = apperr.Field("topic", "invalid_topic",
		"Vui lòng chọn phản ánh, kiến nghị về việc gì.")
	ErrName = apperr.Field("name", "invalid_name",
		"Họ và tên tối đa 100 ký tự và không chứa ký tự điều khiển.")
	ErrPhoneRequired = apperr.Field("phone", "phone_required",
		"Vui lòng nhập số điện thoại di động để nhận trả lời (khi gửi không đăng nhập).")
	ErrPetitionNotFound = apperr.New(apperr.NotFound, "petition_not_found",
		"Không tìm thấy phản ánh, kiến nghị với mã và số điện thoại này.")
	ErrAnswer = apperr.Field("answer", "invalid_answer",
		"Vui lòng viết nội dung trả lời (từ 10 đến 4000 ký tự).")
	ErrOutcome = apperr.Field("outcome", "invalid_outcome",
		"Vui lòng chọn trả lời hoặc không thụ lý.")
	ErrAlreadyHandled = apperr.New(apperr.Conflict, "petition_handled",
		"Phản ánh, kiến nghị này đã được xử lý.")
	ErrNotHandled = apperr.New(apperr.Conflict, "petition_not_handled",
		"Phản ánh, kiến nghị này chưa được trả lời.")
	ErrReaction = apperr.Field("reaction", "invalid_reaction",
		"Vui lòng chọn hài lòng hoặc không hài lòng với câu trả lời.")
	ErrForbidden = apperr.New(apperr.Forbidden, "forbidden",
		"Bạn không có quyền xem phản ánh, kiến nghị của cơ quan khác.")
)

// cleanText normalises free text and checks it: no control characters
// (line breaks allowed), NFC, trimmed, between min and max characters.
func cleanText(s string, min, max int, bad *apperr.Error) (string, error) {
	if !vntext.Valid(s) {
		return "", bad
	}
	s = vntext.NFC(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")))
	for _, r := range s {
		if r < 0x20 && r != '\n' || r == 0x7f {
			return "", bad
		}
	}
	if n := utf8.RuneCountInString(s); n < min || n > max {
		return "", bad
	}
	return s, nil
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ascii drops Vietnamese diacritics for an SMS body (GSM 7-bit: one
// segment holds 160 characters instead of 70).
func ascii(s string) string {
	var b strings.Builder
	for _, r := range vntext.NFC(s) {
		f := vntext.Fold(string(r))
		switch {
		case r < 0x80:
			b.WriteRune(r)
		case r == 'Đ':
			b.WriteByte('D')
		case f != "":
			if strings.ToUpper(string(r)) == string(r) {
				f = strings.ToUpper(f)
			}
			b.WriteString(f)
		}
	}
	return b.String()
}
