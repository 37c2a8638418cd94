package dossier

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/store"
)

// PublicView is what anyone holding the receipt (the code and its lookup
// key, or the applicant's phone digits) may see, without signing in: no
// personal data beyond initials.
type PublicView struct {
	Code          string       `json:"code"`
	Procedure     string       `json:"procedure"`
	ProcedureName string       `json:"procedure_name"`
	Applicant     string       `json:"applicant"` // masked
	Channel       string       `json:"channel"`
	Status        int          `json:"status"`
	StatusName    string       `json:"status_name"`
	StateName     string       `json:"state_name"`
	Plain         string       `json:"plain"`    // where it stands, in plain words
	Expected      string       `json:"expected"` // what is expected of the citizen now, if anything
	SubmittedAt   time.Time    `json:"submitted_at"`
	ReceivedAt    *time.Time   `json:"received_at,omitempty"`
	DueAt         *time.Time   `json:"due_at,omitempty"`
	OriginalDueAt *time.Time   `json:"original_due_at,omitempty"`
	FinishedAt    *time.Time   `json:"finished_at,omitempty"`
	ReturnedAt    *time.Time   `json:"returned_at,omitempty"`
	Apology       *Apology     `json:"apology,omitempty"`
	Timeline      []PublicStep `json:"timeline"`
}

// Apology is the apology and new date a late dossier got.
type Apology struct {
	At      time.Time `json:"at"`
	NewDue  time.Time `json:"new_due"`
	Reasons []string  `json:"reasons"`
}

// PublicStep is one event of the timeline, in plain words.
type PublicStep struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// ErrLookupFailed is the one answer to an unknown code and to a wrong key,
// so that nobody can find out which codes exist.
var ErrLookupFailed = apperr.New(apperr.NotFound, "lookup_failed", "Không tìm thấy hồ sơ khớp với mã hồ sơ và mã tra cứu (hoặc số điện thoại) đã nhập. Vui lòng kiểm tra lại trên Giấy tiếp nhận.")

// Public returns the public view of a dossier if key matches its lookup key
// or phone matches the last four digits of the applicant's phone.
func (e *Engine) Public(ctx context.Context, code, key, phone string) (*PublicView, error) {
	code, key, phone = strings.TrimSpace(code), strings.ToUpper(strings.TrimSpace(strings.ReplaceAll(key, "-", ""))), strings.TrimSpace(phone)
	if code == "" || len(code) > 80 || (key == "" && phone == "") {
		return nil, ErrLookupFailed
	}
	// The busiest read of all (citizens checking, display screens): only the
	// columns the public view shows, no transaction, no JSON decoding.
	d := &Dossier{}
	var channel string
	var submitted int64
	var received, due, origDue, finished, returned sql.NullInt64
	err := e.db.Read().QueryRowContext(ctx, `SELECT id, code, procedure_code, procedure_version, procedure_name, channel, state, status,
		applicant_name, applicant_phone, lookup_key, fee, submitted_at, received_at, due_at, original_due_at, finished_at, returned_at
		FROM dossiers WHERE code = $1`, code).Scan(&d.ID, &d.Code, &d.Procedure, &d.ProcedureVersion, &d.ProcedureName, &channel, &d.State, &d.Status,
		&d.Applicant.Name, &d.Applicant.Phone, &d.LookupKey, &d.Fee, &submitted, &received, &due, &origDue, &finished, &returned)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrLookupFailed
	}
	if err == nil && !lookupMatches(d, key, phone) {
		return nil, ErrLookupFailed
	}
	var hist []HistoryEntry
	if err == nil {
		d.Channel = catalog.Channel(channel)
		d.SubmittedAt = time.UnixMilli(submitted).UTC()
		d.ReceivedAt, d.DueAt, d.OriginalDueAt, d.FinishedAt, d.ReturnedAt = msPtr(received), msPtr(due), msPtr(origDue), msPtr(finished), msPtr(returned)
		hist, err = publicHistory(ctx, e.db.Read(), d.ID)
	}
	if err != nil {
		return nil, apperr.Wrap(err, "public lookup")
	}
	return e.publicView(d, hist), nil
}

// publicHistory reads what the public timeline needs; the detail is decoded
// only for the rows that show reasons or dates.
func publicHistory(ctx context.Context, r *store.Reader, dossierID string) ([]HistoryEntry, error) {
	rows, err := r.QueryContext(ctx, `SELECT at, action, from_status, to_status, detail FROM dossier_history WHERE dossier_id = $1 ORDER BY seq`, dossierID)
	if err != nil {
		return nil, fmt.Errorf("dossier: history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		var at int64
		var detail string
		if err := rows.Scan(&at, &h.Action, &h.FromStatus, &h.ToStatus, &detail); err != nil {
			return nil, fmt.Errorf("dossier: history: %w", err)
		}
		h.At = time.UnixMilli(at).UTC()
		switch h.Action {
		case ActionRequestSupplement, ActionRefuse, ActionStop, ActionApologize:
			json.Unmarshal([]byte(detail), &h.Detail)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func lookupMatches(d *Dossier, key, phone string) bool {
	if key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(d.LookupKey)) == 1 {
		return true
	}
	digits := NormalizePhone(phone)
	if len(digits) >= 4 && len(d.Applicant.Phone) >= 4 {
		return subtle.ConstantTimeCompare([]byte(digits[len(digits)-4:]), []byte(d.Applicant.Phone[len(d.Applicant.Phone)-4:])) == 1 && len(digits) == 4
	}
	return false
}

func (e *Engine) publicView(d *Dossier, hist []HistoryEntry) *PublicView {
	wf, _ := e.workflowOf(d)
	v := &PublicView{
		Code: d.Code, Procedure: d.Procedure, ProcedureName: d.ProcedureName, Applicant: MaskName(d.Applicant.Name),
		Channel: channelName(string(d.Channel)), Status: d.Status, StatusName: StatusName(d.Status), StateName: stateName(wf, d.State),
		SubmittedAt: d.SubmittedAt, ReceivedAt: d.ReceivedAt, DueAt: d.DueAt, OriginalDueAt: d.OriginalDueAt,
		FinishedAt: d.FinishedAt, ReturnedAt: d.ReturnedAt, Timeline: []PublicStep{},
	}
	for _, h := range hist {
		text := plainStep(h, wf)
		if text == "" {
			continue
		}
		v.Timeline = append(v.Timeline, PublicStep{At: h.At, Text: text})
		if h.Action == ActionApologize {
			a := &Apology{At: h.At, Reasons: toStrings(h.Detail["reasons"])}
			if s, ok := h.Detail["new_due"].(string); ok {
				a.NewDue, _ = time.Parse(time.RFC3339, s)
			}
			v.Apology = a
		}
	}
	v.Plain, v.Expected = plainStatus(d, hist)
	return v
}

func toStrings(v any) []string {
	xs, _ := v.([]any)
	var out []string
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// plainStep says one history row in words a citizen understands.
func plainStep(h HistoryEntry, wf any) string {
	switch h.Action {
	case "submit_online":
		return "Hồ sơ đã được nộp và đang chờ Trung tâm kiểm tra."
	case ActionReceive:
		return "Trung tâm đã tiếp nhận hồ sơ và hẹn ngày trả kết quả."
	case "guide":
		return "Hồ sơ chưa đầy đủ: Trung tâm đã hướng dẫn bổ sung, hoàn thiện (một lần)."
	case ActionRequestSupplement:
		if h.FromStatus == 1 {
			return "Hồ sơ chưa đầy đủ: cần bổ sung, hoàn thiện theo hướng dẫn."
		}
		return "Cần bổ sung giấy tờ: " + strings.Join(toStrings(h.Detail["reasons"]), "; ") + ". Thời gian chờ bổ sung không tính vào thời hạn giải quyết."
	case ActionSupplementReceived:
		return "Đã nhận giấy tờ bổ sung; hồ sơ tiếp tục được giải quyết."
	case ActionRefuse:
		return "Hồ sơ bị từ chối. Lý do: " + strings.Join(toStrings(h.Detail["reasons"]), "; ") + "."
	case ActionRequestPayment:
		return "Cần nộp phí, lệ phí hoặc thực hiện nghĩa vụ tài chính."
	case ActionPaymentReceived:
		return "Đã nhận tiền phí, lệ phí."
	case ActionStop:
		return "Hồ sơ bị dừng giải quyết. Lý do: " + strings.Join(toStrings(h.Detail["reasons"]), "; ") + "."
	case ActionWithdraw:
		return "Hồ sơ đã được rút theo yêu cầu của người nộp."
	case ActionApologize:
		return "Trung tâm xin lỗi vì chậm trả kết quả và hẹn lại ngày trả."
	case ActionTake, ActionRelease:
		return ""
	case "import":
		return "Hồ sơ được chuyển từ hệ thống cũ."
	}
	switch h.ToStatus {
	case 4:
		if h.FromStatus == 4 {
			return "Hồ sơ được chuyển sang bước tiếp theo."
		}
		return "Hồ sơ đang được cán bộ chuyên môn giải quyết."
	case 9:
		return "Đã có kết quả. Mời nhận kết quả theo hình thức đã đăng ký."
	case 10:
		return "Đã trả kết quả."
	}
	return ""
}

// plainStatus says where the dossier stands and what the citizen must do.
func plainStatus(d *Dossier, hist []HistoryEntry) (plain, expected string) {
	due := ""
	if d.DueAt != nil {
		due = d.DueAt.In(calendar.Location).Format("15:04 ngày 02/01/2006")
	}
	switch d.State {
	case StateNew:
		return "Hồ sơ đã được nộp, đang chờ Trung tâm kiểm tra.", ""
	case StateGuided:
		return "Hồ sơ chưa đầy đủ.", "Bổ sung, hoàn thiện hồ sơ theo Phiếu hướng dẫn rồi nộp lại."
	case StateNotAccepted:
		return "Hồ sơ không được tiếp nhận.", ""
	case StateSupplementing:
		return "Hồ sơ đang tạm dừng để chờ bổ sung giấy tờ.", "Bổ sung các giấy tờ được yêu cầu tại Trung tâm hoặc trực tuyến."
	case StateAwaitingPayment:
		return "Hồ sơ đang chờ nộp phí, lệ phí.", fmt.Sprintf("Nộp %s tại Trung tâm hoặc trực tuyến.", vnd(d.Fee))
	case StateWithdrawn:
		return "Hồ sơ đã được rút theo yêu cầu.", ""
	case StateStopped:
		return "Hồ sơ đã dừng giải quyết.", ""
	case StateRefused:
		return "Hồ sơ bị từ chối giải quyết.", ""
	}
	switch d.Status {
	case 9:
		return "Đã có kết quả.", "Nhận kết quả tại Trung tâm (mang theo Giấy tiếp nhận) hoặc theo hình thức đã đăng ký."
	case 10:
		return "Đã trả kết quả.", ""
	}
	return "Hồ sơ đang được giải quyết; hẹn trả kết quả lúc " + due + ".", ""
}

func vnd(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String() + " đồng"
}

func channelName(c string) string {
	switch c {
	case "online":
		return "Trực tuyến"
	case "post":
		return "Bưu chính công ích"
	}
	return "Trực tiếp"
}

// MaskName keeps the family name and the initials of the rest:
// "Nguyễn Thị Hương" → "Nguyễn T. H.".
func MaskName(name string) string {
	parts := strings.Fields(name)
	if len(parts) == 0 {
		return ""
	}
	out := []string{parts[0]}
	for _, p := range parts[1:] {
		r := []rune(p)
		out = append(out, string(r[0])+".")
	}
	return strings.Join(out, " ")
}

// receiptText is the key facts of a receipt that its seal signs: the code,
// the procedure, the applicant's name, the received and promised times.
func receiptText(d *Dossier) string {
	var recv, due int64
	if d.ReceivedAt != nil {
		recv = d.ReceivedAt.Unix() / 60
	}
	if d.OriginalDueAt != nil {
		due = d.OriginalDueAt.Unix() / 60
	}
	return strings.Join([]string{"R1", d.Code, d.Procedure, strconv.FormatInt(recv, 10), strconv.FormatInt(due, 10), d.Applicant.Name}, "|")
}

// ReceiptSeal is the signed key facts of a dossier's receipt.
func (e *Engine) ReceiptSeal(d *Dossier) string { return e.keys.SealText(receiptText(d)) }

// StatusURL is the public status page of a dossier, as printed in the
// receipt's QR code: it carries the lookup key and the seal.
func (e *Engine) StatusURL(d *Dossier) string {
	return fmt.Sprintf("%s/tra-cuu/%s?key=%s&r=%s", e.baseURL, url.PathEscape(d.Code), url.QueryEscape(d.LookupKey), url.QueryEscape(e.ReceiptSeal(d)))
}

// Verification is the answer to "is this receipt genuine?".
type Verification struct {
	Genuine   bool       `json:"genuine"`
	Reason    string     `json:"reason"`
	Code      string     `json:"code,omitempty"`
	Procedure string     `json:"procedure,omitempty"`
	Applicant string     `json:"applicant,omitempty"` // masked
	Received  *time.Time `json:"received_at,omitempty"`
	// Due is the date printed on the receipt; CurrentDue the date now
	// promised, when a supplement or an apology moved it.
	Due        *time.Time `json:"due_at,omitempty"`
	CurrentDue *time.Time `json:"current_due_at,omitempty"`
	Status     string     `json:"status,omitempty"`
	// Kind is "result" for an electronic result (ResultCode and ResultAt
	// set), empty for a receipt.
	Kind       string     `json:"kind,omitempty"`
	ResultCode string     `json:"result_code,omitempty"`
	ResultAt   *time.Time `json:"result_at,omitempty"`
}

// VerifySeal checks a receipt's seal (the token, or the whole QR address):
// the signature must be motcua's, and the facts must match the dossier
// motcua holds under that code.
func (e *Engine) VerifySeal(ctx context.Context, token string) (*Verification, error) {
	token = strings.TrimSpace(token)
	if u, err := url.Parse(token); err == nil && u.RawQuery != "" {
		if r := u.Query().Get("r"); r != "" {
			token = r
		}
	}
	text, err := e.keys.OpenText(token)
	if err != nil {
		return &Verification{Genuine: false, Reason: "Chữ ký số không hợp lệ: giấy tờ này không do hệ thống của Trung tâm phát hành, hoặc mã QR đã bị sửa."}, nil
	}
	f := strings.SplitN(text, "|", 6)
	if len(f) == 6 && f[0] == "K1" {
		return e.verifyResult(ctx, text, f)
	}
	if len(f) != 6 || f[0] != "R1" {
		return &Verification{Genuine: false, Reason: "Mã QR không phải của Giấy tiếp nhận hồ sơ."}, nil
	}
	var d *Dossier
	err = e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		d, err = scanDossier(tx.QueryRowContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE code = $1", f[1]))
		return err
	})
	if errors.Is(err, errNotFound) {
		return &Verification{Genuine: false, Code: f[1], Reason: "Chữ ký đúng nhưng hệ thống không có hồ sơ với mã này."}, nil
	}
	if err != nil {
		return nil, apperr.Wrap(err, "verify")
	}
	v := &Verification{Code: d.Code, Procedure: d.ProcedureName, Applicant: MaskName(d.Applicant.Name), Received: d.ReceivedAt,
		Due: d.OriginalDueAt, Status: StatusName(d.Status)}
	if d.DueAt != nil && d.OriginalDueAt != nil && !d.DueAt.Equal(*d.OriginalDueAt) {
		v.CurrentDue = d.DueAt
	}
	if receiptText(d) != text {
		v.Reason = "Chữ ký đúng nhưng nội dung không khớp với hồ sơ trong hệ thống."
		return v, nil
	}
	v.Genuine = true
	v.Reason = "Giấy tiếp nhận hợp lệ, do Trung tâm phát hành. Hãy so các thông tin dưới đây với bản giấy."
	return v, nil
}

// ReceiptFacts returns the facts of a dossier's receipt to compare with a
// paper copy, for an administrator holding only the code.
func (e *Engine) ReceiptFacts(ctx context.Context, code string) (*Verification, bool, error) {
	var d *Dossier
	err := e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		d, err = scanDossier(tx.QueryRowContext(ctx, "SELECT "+dossierCols+" FROM dossiers WHERE code = $1", code))
		return err
	})
	if errors.Is(err, errNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, apperr.Wrap(err, "receipt facts")
	}
	return &Verification{Code: d.Code, Procedure: d.ProcedureName, Applicant: MaskName(d.Applicant.Name), Received: d.ReceivedAt,
		Due: d.OriginalDueAt, Status: StatusName(d.Status)}, true, nil
}
