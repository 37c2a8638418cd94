package assist

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
)

// Consent methods, scopes and states.
const (
	MethodSMS   = "sms"
	MethodPaper = "paper"

	ScopeProcedure = "procedure" // one procedure
	ScopeAll       = "all"       // all online services

	StateDraft   = "draft"   // the citizen was looked up; nothing asked yet
	StatePending = "pending" // a code was sent; waiting for it
	StateActive  = "active"  // consent given
	StateFailed  = "failed"  // too many wrong codes
	StateRevoked = "revoked" // withdrawn by the citizen
	StateExpired = "expired" // past its expiry (never stored)
)

// Consent is a citizen's consent to be helped, and its history's head.
type Consent struct {
	ID          string     `json:"id"`
	IDNumber    string     `json:"id_number"`
	FullName    string     `json:"full_name"`
	BirthDate   string     `json:"birth_date,omitempty"`
	Phone       string     `json:"phone,omitempty"` // where the code went
	PhoneTyped  bool       `json:"phone_typed"`
	HasRegPhone bool       `json:"has_registry_phone"`
	HelperKind  string     `json:"helper_kind"`
	HelperID    string     `json:"helper_id"`
	HelperName  string     `json:"helper_name"`
	Agency      string     `json:"agency"`
	Method      string     `json:"method,omitempty"`
	Scope       string     `json:"scope,omitempty"`
	Procedure   string     `json:"procedure,omitempty"`
	IDVerified  bool       `json:"id_verified"`
	Level       int        `json:"level"`
	State       string     `json:"state"`
	CodeExpires time.Time  `json:"code_expires,omitzero"`
	CodeTries   int        `json:"code_tries"`
	CodesSent   int        `json:"codes_sent"`
	PaperRef    string     `json:"paper_ref,omitempty"`
	ScanType    string     `json:"scan_type,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ConsentedAt *time.Time `json:"consented_at,omitempty"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
	RevokedBy   string     `json:"revoked_by,omitempty"`

	registryPhone string
}

// Live reports whether the consent is given and in force.
func (c *Consent) Live() bool { return c.State == StateActive }

// Covers reports whether the consent's scope covers a procedure.
func (c *Consent) Covers(procedure string) bool {
	return c.Scope == ScopeAll || (c.Scope == ScopeProcedure && c.Procedure == procedure)
}

// LogEntry is one line of the assistance log.
type LogEntry struct {
	At        time.Time `json:"at"`
	ConsentID string    `json:"consent_id"`
	Action    string    `json:"action"`
	Actor     string    `json:"actor"`
	Detail    string    `json:"detail,omitempty"`
}

const consentCols = `id, id_number, full_name, birth_date, registry_phone, phone, phone_typed, helper_kind, helper_id, helper_name, agency_code,
	method, scope, procedure_code, id_verified, level, state, code_expires, code_tries, codes_sent, paper_ref, scan_type, created_at, consented_at, expires_at, revoked_at, revoked_by`

func (s *Service) scanConsent(row interface{ Scan(...any) error }) (*Consent, error) {
	var c Consent
	var codeExp, created, expires int64
	var consented, revoked sql.NullInt64
	if err := row.Scan(&c.ID, &c.IDNumber, &c.FullName, &c.BirthDate, &c.registryPhone, &c.Phone, &c.PhoneTyped, &c.HelperKind, &c.HelperID, &c.HelperName, &c.Agency,
		&c.Method, &c.Scope, &c.Procedure, &c.IDVerified, &c.Level, &c.State, &codeExp, &c.CodeTries, &c.CodesSent, &c.PaperRef, &c.ScanType,
		&created, &consented, &expires, &revoked, &c.RevokedBy); err != nil {
		return nil, err
	}
	c.HasRegPhone = c.registryPhone != ""
	if codeExp > 0 {
		c.CodeExpires = time.UnixMilli(codeExp)
	}
	c.CreatedAt, c.ExpiresAt = time.UnixMilli(created), time.UnixMilli(expires)
	if consented.Valid {
		t := time.UnixMilli(consented.Int64)
		c.ConsentedAt = &t
	}
	if revoked.Valid {
		t := time.UnixMilli(revoked.Int64)
		c.RevokedAt = &t
	}
	switch c.State {
	case StateDraft, StatePending, StateActive:
		if !s.now().Before(c.ExpiresAt) {
			c.State = StateExpired
		}
	}
	return &c, nil
}

var errConsentNotFound = apperr.New(apperr.NotFound, "consent_not_found", "Không tìm thấy lần đồng ý hỗ trợ này.")

// Get returns a consent.
func (s *Service) Get(ctx context.Context, id string) (*Consent, error) {
	return s.get(ctx, s.db.Read(), id)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) get(ctx context.Context, q querier, id string) (*Consent, error) {
	c, err := s.scanConsent(q.QueryRowContext(ctx, "SELECT "+consentCols+" FROM assist_consents WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errConsentNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("assist: consent: %w", err)
	}
	return c, nil
}

// mine loads a consent for the helper who started it.
func (s *Service) mine(ctx context.Context, tx store.Tx, h Helper, id string) (*Consent, error) {
	c, err := s.get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if c.HelperKind != h.Kind || c.HelperID != h.ID {
		return nil, errConsentNotFound // another helper's citizen is none of this helper's business
	}
	return c, nil
}

func checkHelper(h Helper) error {
	switch {
	case h.Principal == nil || h.ID == "":
		return apperr.New(apperr.Unauthorized, "authentication_required", "Cần đăng nhập để hỗ trợ công dân.")
	case h.Kind == HelperStaff && !h.Principal.Has(identity.RoleCounter):
		return apperr.New(apperr.Forbidden, "forbidden", "Chỉ cán bộ một cửa được bắt đầu hỗ trợ công dân tại quầy.")
	case h.Kind != HelperStaff && h.Kind != HelperMember:
		return apperr.New(apperr.Forbidden, "forbidden", "Tài khoản này không được hỗ trợ công dân.")
	}
	return nil
}

func (s *Service) log(ctx context.Context, tx store.Tx, c *Consent, action, actor, detail string) error {
	// Writes are serialised (one writer; an advisory lock across
	// PostgreSQL instances), so the next sequence number is safe to take.
	_, err := tx.ExecContext(ctx, `INSERT INTO assist_log (seq, consent_id, id_number, at, action, actor, detail)
		SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6 FROM assist_log`,
		c.ID, c.IDNumber, ms(s.now()), action, actor, detail)
	return err
}

// Begin looks the citizen up in the population data (audited) and starts a
// consent for the helper to ask for.
func (s *Service) Begin(ctx context.Context, h Helper, idNumber string) (*Consent, error) {
	if err := checkHelper(h); err != nil {
		return nil, err
	}
	if s.pop == nil {
		return nil, apperr.New(apperr.Unavailable, "population_unavailable", "Chưa kết nối Cơ sở dữ liệu dân cư.")
	}
	p, err := s.pop.Lookup(ctx, h.Principal, idNumber, "")
	if err != nil {
		return nil, err
	}
	phone, _ := notify.NormalizePhone(p.Phone)
	now := s.now()
	c := &Consent{ID: newID(), IDNumber: p.IDNumber, FullName: p.FullName, BirthDate: p.BirthDate, registryPhone: phone,
		HelperKind: h.Kind, HelperID: h.ID, HelperName: h.Name, Agency: h.Agency}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO assist_consents (id, id_number, full_name, birth_date, registry_phone, helper_kind, helper_id, helper_name,
			agency_code, state, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11)`,
			c.ID, c.IDNumber, c.FullName, c.BirthDate, phone, h.Kind, h.ID, h.Name, h.Agency, ms(now), ms(now.Add(DraftTTL))); err != nil {
			return err
		}
		return s.log(ctx, tx, c, "consent.started", h.Name, "")
	})
	if err != nil {
		return nil, wrap(err, "begin")
	}
	return s.Get(ctx, c.ID)
}

// Terms are what the citizen agrees to.
type Terms struct {
	Scope     string // ScopeProcedure or ScopeAll
	Procedure string // with ScopeProcedure
	// IDVerified: the officer checked the citizen's chip ID card in person
	// (staff only); sessions then open at e-ID level 2.
	IDVerified bool
	// Phone typed by the citizen, when the code should not go to the
	// population data's number (or it has none).
	Phone string
}

var reProcedure = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.\-_]{0,39}$`)

func (t *Terms) check(h Helper) error {
	switch t.Scope {
	case ScopeAll:
		t.Procedure = ""
	case ScopeProcedure:
		t.Procedure = strings.TrimSpace(t.Procedure)
		if !reProcedure.MatchString(t.Procedure) {
			return apperr.Field("procedure", "procedure_required", "Vui lòng chọn thủ tục mà công dân đồng ý được hỗ trợ.")
		}
	default:
		return apperr.Field("scope", "invalid_scope", "Vui lòng chọn phạm vi hỗ trợ: một thủ tục, hoặc mọi dịch vụ công trực tuyến.")
	}
	if t.IDVerified && h.Kind != HelperStaff {
		return apperr.Field("id_verified", "id_check_staff_only", "Chỉ cán bộ một cửa tại quầy mới xác nhận đã kiểm tra thẻ căn cước.")
	}
	return nil
}

// level is the e-ID level sessions under these terms get: level 2 (the
// same as showing the căn cước card) only when an officer checked the chip
// card in person; a code by SMS proves only the phone, so level 1.
func (t Terms) level() int {
	if t.IDVerified {
		return citizen.Level2
	}
	return citizen.Level1
}

func (s *Service) open(c *Consent) error {
	switch c.State {
	case StateDraft, StatePending:
		return nil
	case StateExpired:
		return apperr.New(apperr.Conflict, "consent_expired", "Đã quá thời gian chờ công dân đồng ý. Vui lòng bắt đầu lại.")
	case StateFailed:
		return apperr.New(apperr.Conflict, "consent_failed", "Đã nhập sai mã quá nhiều lần. Vui lòng bắt đầu lại.")
	}
	return apperr.New(apperr.Conflict, "consent_closed", "Lần hỗ trợ này đã được ghi nhận hoặc đã kết thúc.")
}

// SendCode sends the citizen a 6-digit one-time code (valid 10 minutes)
// by SMS, to the phone the population data holds, or to one the citizen
// typed. Sending again replaces the code, at most CodeSends times.
func (s *Service) SendCode(ctx context.Context, h Helper, id string, t Terms) (*Consent, error) {
	if err := checkHelper(h); err != nil {
		return nil, err
	}
	if err := t.check(h); err != nil {
		return nil, err
	}
	if s.outbox == nil {
		return nil, apperr.New(apperr.Unavailable, "sms_unavailable", "Chưa cấu hình gửi tin nhắn SMS.")
	}
	code := sixDigits()
	now := s.now()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		c, err := s.mine(ctx, tx, h, id)
		if err != nil {
			return err
		}
		if err := s.open(c); err != nil {
			return err
		}
		if c.CodesSent >= CodeSends {
			return apperr.New(apperr.RateLimited, "too_many_codes", "Đã gửi mã "+fmt.Sprint(CodeSends)+" lần. Vui lòng bắt đầu lại, hoặc ghi nhận đồng ý bằng giấy tại quầy.")
		}
		phone, typed := c.registryPhone, false
		if strings.TrimSpace(t.Phone) != "" {
			if phone, err = notify.NormalizePhone(t.Phone); err != nil {
				return apperr.Field("phone", "invalid_phone", "Số điện thoại di động không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
			}
			typed = phone != c.registryPhone
			// A volunteer away from the counter may use another number only
			// when the population data has none, and never their own.
			if typed && h.Kind == HelperMember && c.registryPhone != "" {
				return apperr.Field("phone", "registry_phone_only", "Mã chỉ được gửi đến số điện thoại của công dân trong Cơ sở dữ liệu dân cư.")
			}
		}
		if phone == "" {
			return apperr.Field("phone", "phone_required", "Cơ sở dữ liệu dân cư chưa có số điện thoại của công dân. Vui lòng nhập số điện thoại công dân đang dùng.")
		}
		if h.Phone != "" && phone == h.Phone {
			return apperr.Field("phone", "helper_phone", "Mã phải gửi đến điện thoại của công dân, không phải của người hỗ trợ.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assist_consents SET method = 'sms', scope = $1, procedure_code = $2, id_verified = $3, level = $4, state = 'pending',
			code_hash = $5, code_expires = $6, code_tries = 0, codes_sent = codes_sent + 1, phone = $7, phone_typed = $8 WHERE id = $9`,
			t.Scope, t.Procedure, t.IDVerified, t.level(), hash("otp", c.ID, code), ms(now.Add(CodeTTL)), phone, typed, c.ID); err != nil {
			return err
		}
		helper := []rune(h.Name)
		if len(helper) > 40 {
			helper = helper[:40]
		}
		body := fmt.Sprintf("Mã %s: bạn đồng ý để %s hỗ trợ làm thủ tục trực tuyến của xã. Hiệu lực 10 phút. Chỉ đọc mã cho người đang ngồi cùng bạn.", code, string(helper))
		if err := s.outbox.Enqueue(ctx, tx, notify.Message{To: phone, Body: body, Kind: "assist_consent_code",
			Key: fmt.Sprintf("assist_code:%s:%d", c.ID, c.CodesSent+1), NotAfter: now.Add(CodeTTL), Agency: c.Agency}); err != nil {
			return err
		}
		return s.log(ctx, tx, c, "code.sent", h.Name, notify.Mask(phone))
	})
	if err != nil {
		return nil, wrap(err, "send code")
	}
	s.outbox.Kick()
	return s.Get(ctx, id)
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1000000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// endOfDay is the end of the day in Vietnam: a volunteer's or an SMS
// consent lasts the visit, not longer.
func endOfDay(t time.Time) time.Time {
	l := t.In(calendar.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 23, 59, 59, 0, calendar.Location)
}

// Confirm checks the code the citizen read out. Right, the consent is given
// until the end of the day; wrong CodeTries times, it fails.
func (s *Service) Confirm(ctx context.Context, h Helper, id, code string) (*Consent, error) {
	if err := checkHelper(h); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
	var result error
	now := s.now()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		result = nil
		c, err := s.mine(ctx, tx, h, id)
		if err != nil {
			return err
		}
		if err := s.open(c); err != nil {
			return err
		}
		if c.State != StatePending {
			return apperr.New(apperr.Conflict, "no_code_sent", "Chưa gửi mã xác nhận cho công dân.")
		}
		if !now.Before(c.CodeExpires) {
			return apperr.Field("code", "code_expired", "Mã đã hết hạn (sau 10 phút). Vui lòng gửi mã mới.")
		}
		var stored string
		if err := tx.QueryRowContext(ctx, "SELECT code_hash FROM assist_consents WHERE id = $1", id).Scan(&stored); err != nil {
			return err
		}
		if len(code) != 6 || subtle.ConstantTimeCompare([]byte(stored), []byte(hash("otp", c.ID, code))) != 1 {
			tries := c.CodeTries + 1
			if tries >= CodeTries {
				// Committed with the refusal, so retrying cannot reset it.
				if _, err := tx.ExecContext(ctx, "UPDATE assist_consents SET code_tries = $1, state = 'failed', code_hash = '' WHERE id = $2", tries, id); err != nil {
					return err
				}
				result = apperr.Field("code", "too_many_tries", "Đã nhập sai mã "+fmt.Sprint(CodeTries)+" lần. Lần hỗ trợ này bị hủy; vui lòng bắt đầu lại.")
				return s.log(ctx, tx, c, "consent.failed", h.Name, "")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE assist_consents SET code_tries = $1 WHERE id = $2", tries, id); err != nil {
				return err
			}
			result = apperr.Field("code", "wrong_code", fmt.Sprintf("Mã không đúng. Còn %d lần thử.", CodeTries-tries))
			return s.log(ctx, tx, c, "code.wrong", h.Name, "")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE assist_consents SET state = 'active', code_hash = '', consented_at = $1, expires_at = $2 WHERE id = $3",
			ms(now), ms(endOfDay(now)), id); err != nil {
			return err
		}
		if err := s.log(ctx, tx, c, "consent.given", h.Name, "sms"); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: h.Principal.Actor(), Action: "assist.consent.given", ObjectType: "assist_consent", ObjectID: id,
			Detail: map[string]any{"method": "sms", "scope": c.Scope, "procedure": c.Procedure, "level": c.Level}})
	})
	if err != nil {
		return nil, wrap(err, "confirm")
	}
	if result != nil {
		return nil, result
	}
	return s.Get(ctx, id)
}

// Paper is a signed paper consent recorded at the counter.
type Paper struct {
	Terms
	Ref  string // the form's number or reference
	Scan []byte // the scanned signed form (PDF, JPEG or PNG), may be empty
	// Attest: the officer saw the citizen sign the form.
	Attest bool
}

// MaxScan bounds a scanned consent form.
const MaxScan = 3 << 19 // 1.5 MB: the console reads at most 2 MB a form

// RecordPaper records a consent the citizen signed on paper in front of
// the officer, who checked the chip ID card: it lasts 30 days and opens
// sessions at level 2.
func (s *Service) RecordPaper(ctx context.Context, h Helper, id string, p Paper) (*Consent, error) {
	if err := checkHelper(h); err != nil {
		return nil, err
	}
	if h.Kind != HelperStaff {
		return nil, apperr.New(apperr.Forbidden, "paper_staff_only", "Chỉ cán bộ một cửa tại quầy được ghi nhận giấy đồng ý.")
	}
	if err := p.Terms.check(h); err != nil {
		return nil, err
	}
	ref, err := cleanText("paper_ref", p.Ref, 60, true, "số hoặc ký hiệu của giấy đồng ý")
	if err != nil {
		return nil, err
	}
	if !p.IDVerified {
		return nil, apperr.Field("id_verified", "id_check_required", "Cần kiểm tra thẻ căn cước gắn chíp của công dân trước khi ghi nhận giấy đồng ý.")
	}
	if !p.Attest {
		return nil, apperr.Field("attest", "attestation_required", "Cần xác nhận công dân đã ký giấy đồng ý trước mặt cán bộ.")
	}
	var scanType, scanSum string
	var scan any
	if len(p.Scan) > 0 {
		if len(p.Scan) > MaxScan {
			return nil, apperr.New(apperr.TooLarge, "scan_too_large", "Tệp bản quét quá lớn (tối đa 1,5 MB).")
		}
		scanType = sniff(p.Scan)
		if scanType == "" {
			return nil, &apperr.Error{Kind: apperr.UnsupportedMedia, Code: "scan_type", Field: "scan", Message: "Bản quét phải là tệp PDF, JPG hoặc PNG."}
		}
		sum := sha256.Sum256(p.Scan)
		scanSum, scan = hex.EncodeToString(sum[:]), p.Scan
	}
	now := s.now()
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		c, err := s.mine(ctx, tx, h, id)
		if err != nil {
			return err
		}
		if err := s.open(c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE assist_consents SET method = 'paper', scope = $1, procedure_code = $2, id_verified = TRUE, level = $3, state = 'active',
			code_hash = '', paper_ref = $4, scan_type = $5, scan_sha256 = $6, scan = $7, consented_at = $8, expires_at = $9 WHERE id = $10`,
			p.Scope, p.Procedure, citizen.Level2, ref, scanType, scanSum, scan, ms(now), ms(now.Add(PaperTTL)), c.ID); err != nil {
			return err
		}
		if err := s.log(ctx, tx, c, "consent.given", h.Name, "paper "+ref); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: h.Principal.Actor(), Action: "assist.consent.given", ObjectType: "assist_consent", ObjectID: id,
			Detail: map[string]any{"method": "paper", "ref": ref, "scan_sha256": scanSum, "scope": p.Scope, "procedure": p.Procedure, "level": citizen.Level2}})
	})
	if err != nil {
		return nil, wrap(err, "record paper")
	}
	return s.Get(ctx, id)
}

func sniff(b []byte) string {
	ct := http.DetectContentType(b)
	for _, ok := range []string{"application/pdf", "image/jpeg", "image/png"} {
		if strings.HasPrefix(ct, ok) {
			return ok
		}
	}
	return ""
}

// Scan returns a paper consent's scanned form.
func (s *Service) Scan(ctx context.Context, id string) (contentType string, data []byte, err error) {
	err = s.db.Read().QueryRowContext(ctx, "SELECT scan_type, scan FROM assist_consents WHERE id = $1 AND scan_type <> ''", id).Scan(&contentType, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.New(apperr.NotFound, "scan_not_found", "Không có bản quét giấy đồng ý.")
	}
	return contentType, data, err
}

// OpenSession opens a portal session for the citizen under a live consent,
// to be kept in the helper's browser.
func (s *Service) OpenSession(ctx context.Context, h Helper, id string) (*citizen.Session, *Consent, error) {
	if err := checkHelper(h); err != nil {
		return nil, nil, err
	}
	c, err := s.get(ctx, s.db.Read(), id)
	if err != nil {
		return nil, nil, err
	}
	if c.HelperKind != h.Kind || c.HelperID != h.ID {
		return nil, nil, errConsentNotFound
	}
	if !c.Live() {
		return nil, nil, apperr.New(apperr.Conflict, "consent_not_live", "Công dân chưa đồng ý, hoặc sự đồng ý đã hết hạn hay đã bị thu hồi.")
	}
	sess, err := s.citizens.SignIn(ctx, citizen.Identity{Issuer: Issuer, Subject: c.IDNumber, IDNumber: c.IDNumber, FullName: c.FullName,
		BirthDate: c.BirthDate, Phone: c.Phone, Level: c.Level}, h.Kind+":"+h.ID, c.ID)
	if err != nil {
		return nil, nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := s.log(ctx, tx, c, "session.opened", h.Name, ""); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: h.Principal.Actor(), Action: "assist.session.open", ObjectType: "assist_consent", ObjectID: c.ID,
			Detail: map[string]any{"level": c.Level}})
	})
	if err != nil {
		return nil, nil, wrap(err, "open session")
	}
	return sess, c, nil
}

// EndSession ends an assisted portal session ("end assistance"); the
// consent stays until it expires or is revoked.
func (s *Service) EndSession(ctx context.Context, sess *citizen.Session) error {
	if sess == nil || !sess.Assisted() {
		return nil
	}
	if err := s.citizens.SignOut(ctx, sess.Token); err != nil {
		return err
	}
	c, err := s.Get(ctx, sess.AssistID)
	if err != nil {
		return err
	}
	return wrap(s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return s.log(ctx, tx, c, "session.ended", c.HelperName, "")
	}), "end session")
}

// Revoke withdraws a citizen's consent and ends every session opened
// under it. idNumber is the signed-in citizen's: nobody revokes another's.
func (s *Service) Revoke(ctx context.Context, idNumber, id, by string) error {
	now := s.now()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		c, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.IDNumber != idNumber {
			return errConsentNotFound
		}
		if c.State == StateRevoked {
			return apperr.New(apperr.Conflict, "consent_revoked", "Sự đồng ý này đã được thu hồi trước đó.")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE assist_consents SET state = 'revoked', code_hash = '', revoked_at = $1, revoked_by = $2 WHERE id = $3", ms(now), by, id); err != nil {
			return err
		}
		if err := s.log(ctx, tx, c, "consent.revoked", by, ""); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: audit.Actor{ID: "citizen:" + idNumber, Name: by, Roles: []string{identity.RoleCitizen}},
			Action: "assist.consent.revoke", ObjectType: "assist_consent", ObjectID: id})
	})
	if err != nil {
		return wrap(err, "revoke")
	}
	return s.citizens.EndAssisted(ctx, id)
}

// Allowed says whether a dossier for procedure may be submitted under the
// consent now (the services part calls it before an assisted submission).
func (s *Service) Allowed(ctx context.Context, consentID, procedure string) error {
	c, err := s.Get(ctx, consentID)
	if err != nil {
		return err
	}
	if !c.Live() {
		return apperr.New(apperr.Forbidden, "consent_not_live", "Sự đồng ý của công dân đã hết hạn hoặc đã bị thu hồi.")
	}
	if !c.Covers(procedure) {
		return apperr.New(apperr.Forbidden, "outside_consent", "Công dân chỉ đồng ý được hỗ trợ thủ tục "+c.Procedure+"; thủ tục này cần công dân tự làm hoặc đồng ý lại.")
	}
	return nil
}

// RecordDossier records that a dossier was submitted in a session assisted
// under the consent: who helped whom with what. Recording it twice is a
// no-op. The dossier must exist and fall within the consent's scope.
func (s *Service) RecordDossier(ctx context.Context, consentID, dossierCode string) error {
	now := s.now()
	return wrap(s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		c, err := s.get(ctx, tx, consentID)
		if err != nil {
			return err
		}
		var procedure, applicant string
		err = tx.QueryRowContext(ctx, "SELECT procedure_code, applicant_id FROM dossiers WHERE code = $1", dossierCode).Scan(&procedure, &applicant)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "dossier_not_found", "Không tìm thấy hồ sơ "+dossierCode+".")
		}
		if err != nil {
			return err
		}
		if c.State != StateActive && c.State != StateExpired { // submitted just as the day ended still counts
			return apperr.New(apperr.Forbidden, "consent_not_live", "Sự đồng ý của công dân đã bị thu hồi hoặc chưa được ghi nhận.")
		}
		if !c.Covers(procedure) {
			return apperr.New(apperr.Forbidden, "outside_consent", "Hồ sơ này nằm ngoài phạm vi công dân đồng ý được hỗ trợ.")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO assist_dossiers (dossier_code, consent_id, id_number, helper_kind, helper_id, helper_name, procedure_code, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dossier_code) DO NOTHING`,
			dossierCode, c.ID, c.IDNumber, c.HelperKind, c.HelperID, c.HelperName, procedure, ms(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.log(ctx, tx, c, "dossier.submitted", c.HelperName, dossierCode); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: audit.Actor{ID: c.HelperKind + ":" + c.HelperID, Name: c.HelperName, Roles: []string{c.HelperKind}},
			Action: "assist.dossier", ObjectType: "dossier", ObjectID: dossierCode, Detail: map[string]any{"consent": c.ID}})
	}), "record dossier")
}

// DossierAssist is who helped submit a dossier.
type DossierAssist struct {
	DossierCode string    `json:"dossier_code"`
	ConsentID   string    `json:"consent_id"`
	HelperKind  string    `json:"helper_kind"`
	HelperName  string    `json:"helper_name"`
	At          time.Time `json:"at"`
}

// ForDossier returns who assisted a dossier's submission, or nil.
func (s *Service) ForDossier(ctx context.Context, code string) (*DossierAssist, error) {
	var d DossierAssist
	var at int64
	err := s.db.Read().QueryRowContext(ctx, "SELECT dossier_code, consent_id, helper_kind, helper_name, at FROM assist_dossiers WHERE dossier_code = $1", code).
		Scan(&d.DossierCode, &d.ConsentID, &d.HelperKind, &d.HelperName, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("assist: dossier: %w", err)
	}
	d.At = time.UnixMilli(at)
	return &d, nil
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]Consent, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+consentCols+" FROM assist_consents WHERE "+where+" ORDER BY created_at DESC LIMIT 100", args...)
	if err != nil {
		return nil, fmt.Errorf("assist: consents: %w", err)
	}
	defer rows.Close()
	var out []Consent
	for rows.Next() {
		c, err := s.scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("assist: consents: %w", err)
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// ForCitizen lists a citizen's consents, newest first (drafts included:
// the citizen sees every time someone looked them up to help).
func (s *Service) ForCitizen(ctx context.Context, idNumber string) ([]Consent, error) {
	return s.list(ctx, "id_number = $1", idNumber)
}

// ByHelper lists the consents a helper asked for today or still live.
func (s *Service) ByHelper(ctx context.Context, h Helper) ([]Consent, error) {
	return s.list(ctx, "helper_kind = $1 AND helper_id = $2 AND (expires_at > $3 OR created_at > $4)", h.Kind, h.ID, ms(s.now()), ms(s.now().Add(-12*time.Hour)))
}

// Log is a citizen's assistance log, newest first.
func (s *Service) Log(ctx context.Context, idNumber string) ([]LogEntry, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT at, consent_id, action, actor, detail FROM assist_log WHERE id_number = $1 ORDER BY seq DESC LIMIT 200", idNumber)
	if err != nil {
		return nil, fmt.Errorf("assist: log: %w", err)
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var e LogEntry
		var at int64
		if err := rows.Scan(&at, &e.ConsentID, &e.Action, &e.Actor, &e.Detail); err != nil {
			return nil, fmt.Errorf("assist: log: %w", err)
		}
		e.At = time.UnixMilli(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
