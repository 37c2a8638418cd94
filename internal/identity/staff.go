package identity

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Session rules: a counter officer works all day, but a PC left unlocked
// must not stay signed in.
const (
	SessionIdle     = 2 * time.Hour
	SessionAbsolute = 12 * time.Hour
	MaxFailures     = 5                // consecutive failures before the account locks
	LockFor         = 15 * time.Minute // how long it stays locked
)

// User is a staff account.
type User struct {
	ID          string     `json:"id"`
	Username    string     `json:"username"`
	FullName    string     `json:"full_name"`
	Roles       []string   `json:"roles"`
	Agency      string     `json:"agency"`
	Title       string     `json:"title"`
	Phone       string     `json:"phone"`
	Department  string     `json:"department"`
	Counter     int        `json:"counter,omitempty"`
	Disabled    bool       `json:"disabled"`
	HasPassword bool       `json:"has_password"`
	HasTOTP     bool       `json:"has_totp"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// Principal is the user as a principal.
func (u *User) Principal() *Principal {
	return &Principal{ID: u.ID, Name: u.FullName, Roles: u.Roles, Agency: u.Agency, Counter: counterString(u.Counter)}
}

func counterString(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// Staff manages staff accounts, sign-in and sessions.
type Staff struct {
	db  *store.DB
	now func() time.Time
}

// NewStaff returns the staff service.
func NewStaff(db *store.DB, now func() time.Time) *Staff {
	if now == nil {
		now = time.Now
	}
	return &Staff{db: db, now: now}
}

const userCols = `id, username, full_name, roles, agency_code, title, phone, department, COALESCE(counter_number, 0), disabled,
	password_hash <> '', totp_secret <> '', locked_until`

func scanUser(r interface{ Scan(...any) error }) (*User, error) {
	u := &User{}
	var roles string
	var locked sql.NullInt64
	if err := r.Scan(&u.ID, &u.Username, &u.FullName, &roles, &u.Agency, &u.Title, &u.Phone, &u.Department, &u.Counter, &u.Disabled,
		&u.HasPassword, &u.HasTOTP, &locked); err != nil {
		return nil, err
	}
	u.Roles = strings.Fields(roles)
	if locked.Valid {
		t := time.UnixMilli(locked.Int64).UTC()
		u.LockedUntil = &t
	}
	return u, nil
}

// ErrNoUser is returned for an unknown account.
var ErrNoUser = apperr.New(apperr.NotFound, "user_not_found", "Không có tài khoản này.")

// User returns one account by id.
func (s *Staff) User(ctx context.Context, id string) (*User, error) {
	u, err := scanUser(s.db.Read().QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoUser
	}
	if err != nil {
		return nil, apperr.Wrap(err, "user")
	}
	return u, nil
}

// Users lists the accounts of an agency and the agencies below it ("" for all).
func (s *Staff) Users(ctx context.Context, agency string) ([]User, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+userCols+" FROM users WHERE $1 = '' OR agency_code = $1 OR agency_code LIKE $2 ORDER BY full_name",
		agency, agency+".%")
	if err != nil {
		return nil, apperr.Wrap(err, "users")
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "users")
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// Session is a signed-in staff member's session.
type Session struct {
	Token   string // the cookie value; only its hash is stored
	CSRF    string
	Expires time.Time
	User    *User
}

// SignIn checks a username, password and authenticator code and opens a
// session. Every attempt is logged; after MaxFailures consecutive failures
// the account locks for LockFor. The error never says which part was wrong.
func (s *Staff) SignIn(ctx context.Context, username, password, code, ip, ua string) (*Session, error) {
	now := s.now()
	username = strings.ToLower(strings.TrimSpace(username))
	var (
		u            *User
		hash, secret string
		failures     int
		lastStep     int64
		outcome      = "ok"
		result       *Session
		errOut       error
		bad          = apperr.New(apperr.Unauthorized, "invalid_credentials", "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.")
		lockedErr    = apperr.New(apperr.Forbidden, "account_locked", fmt.Sprintf("Tài khoản tạm khóa do nhập sai %d lần liên tiếp. Vui lòng thử lại sau %d phút hoặc liên hệ quản trị viên.", MaxFailures, int(LockFor.Minutes())))
		disabledErr  = apperr.New(apperr.Forbidden, "account_disabled", "Tài khoản đã bị vô hiệu hóa. Vui lòng liên hệ quản trị viên.")
	)
	row := s.db.Read().QueryRowContext(ctx, "SELECT "+userCols+", password_hash, totp_secret, failed_attempts, last_totp_step FROM users WHERE username = $1", username)
	var roles string
	var locked sql.NullInt64
	u = &User{}
	err := row.Scan(&u.ID, &u.Username, &u.FullName, &roles, &u.Agency, &u.Title, &u.Phone, &u.Department, &u.Counter, &u.Disabled,
		&u.HasPassword, &u.HasTOTP, &locked, &hash, &secret, &failures, &lastStep)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Spend the same time as a real check, so timing does not tell
		// which usernames exist.
		CheckPassword("$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", password)
		outcome, errOut, u = "unknown_user", bad, nil
	case err != nil:
		return nil, apperr.Wrap(err, "sign in")
	default:
		u.Roles = strings.Fields(roles)
		switch {
		case u.Disabled:
			outcome, errOut = "disabled", disabledErr
		case locked.Valid && now.UnixMilli() < locked.Int64:
			outcome, errOut = "locked", lockedErr
		case hash == "" || !CheckPassword(hash, password):
			outcome, errOut = "bad_password", bad
		default:
			step := int64(-1)
			if secret != "" {
				step = CheckTOTP(secret, code, now)
			}
			if step < 0 || step <= lastStep {
				outcome, errOut = "bad_code", bad
			} else {
				lastStep = step
			}
		}
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		uid := ""
		if u != nil {
			uid = u.ID
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO sign_ins (id, at, username, user_id, outcome, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7)",
			newHexID("si"), now.UnixMilli(), truncate(username, 100), uid, outcome, ip, truncate(ua, 300)); err != nil {
			return err
		}
		if u == nil {
			return nil
		}
		switch outcome {
		case "bad_password", "bad_code":
			failures++
			var lock sql.NullInt64
			if failures >= MaxFailures {
				lock = sql.NullInt64{Int64: now.Add(LockFor).UnixMilli(), Valid: true}
				failures = 0
			}
			_, err := tx.ExecContext(ctx, "UPDATE users SET failed_attempts = $1, locked_until = $2 WHERE id = $3", failures, lock, u.ID)
			return err
		case "ok":
			if _, err := tx.ExecContext(ctx, "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_totp_step = $1 WHERE id = $2", lastStep, u.ID); err != nil {
				return err
			}
			sess, err := newSession(ctx, tx, u, ip, ua, now)
			if err != nil {
				return err
			}
			result = sess
			return audit.Append(ctx, tx, now, audit.Event{Actor: u.Principal().Actor(), Action: "staff.sign_in", ObjectType: "user", ObjectID: u.ID,
				Detail: map[string]any{"ip": ip}})
		}
		return nil
	})
	if err != nil {
		return nil, apperr.Wrap(err, "sign in")
	}
	if errOut != nil {
		return nil, errOut
	}
	return result, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func newHexID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func newSession(ctx context.Context, tx store.Tx, u *User, ip, ua string, now time.Time) (*Session, error) {
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	csrf := make([]byte, 18)
	rand.Read(csrf)
	s := &Session{Token: token, CSRF: base64.RawURLEncoding.EncodeToString(csrf), Expires: now.Add(SessionAbsolute), User: u}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, hashToken(token), u.ID, s.CSRF, now.UnixMilli(), s.Expires.UnixMilli(), ip, truncate(ua, 300))
	if err != nil {
		return nil, fmt.Errorf("identity: session: %w", err)
	}
	return s, nil
}

// ErrNoSession means the cookie does not open a live session.
var ErrNoSession = errors.New("identity: no valid session")

// Session returns the live session a cookie opens, extending its idle time.
func (s *Staff) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	now := s.now()
	var (
		csrf              string
		lastSeen, expires int64
		revoked           sql.NullInt64
	)
	row := s.db.Read().QueryRowContext(ctx, "SELECT s.csrf_token, s.last_seen, s.expires_at, s.revoked_at, "+prefixCols("u.", userCols)+
		" FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1", hashToken(token))
	u := &User{}
	var roles string
	var locked sql.NullInt64
	err := row.Scan(&csrf, &lastSeen, &expires, &revoked, &u.ID, &u.Username, &u.FullName, &roles, &u.Agency, &u.Title, &u.Phone, &u.Department,
		&u.Counter, &u.Disabled, &u.HasPassword, &u.HasTOTP, &locked)
	if err != nil {
		return nil, ErrNoSession
	}
	u.Roles = strings.Fields(roles)
	ms := now.UnixMilli()
	if revoked.Valid || u.Disabled || ms >= expires || ms-lastSeen > SessionIdle.Milliseconds() {
		return nil, ErrNoSession
	}
	// Record activity at most once a minute: a page view need not write.
	if ms-lastSeen > time.Minute.Milliseconds() {
		s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET last_seen = $1 WHERE id_hash = $2", ms, hashToken(token))
			return err
		})
	}
	return &Session{Token: token, CSRF: csrf, Expires: time.UnixMilli(expires), User: u}, nil
}

func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		switch {
		case strings.HasPrefix(p, "COALESCE("):
			p = "COALESCE(" + prefix + strings.TrimPrefix(p, "COALESCE(")
		case strings.HasPrefix(p, "0)"):
		default:
			p = prefix + p
		}
		parts[i] = p
	}
	return strings.Join(parts, ", ")
}

// SignOut ends a session.
func (s *Staff) SignOut(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL", s.now().UnixMilli(), hashToken(token))
		return err
	})
}

// SignInRecord is one line of the sign-in log.
type SignInRecord struct {
	At       time.Time `json:"at"`
	Username string    `json:"username"`
	Outcome  string    `json:"outcome"`
	IP       string    `json:"ip"`
}

// SignIns lists the latest sign-in attempts.
func (s *Staff) SignIns(ctx context.Context, limit int) ([]SignInRecord, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT at, username, outcome, ip FROM sign_ins ORDER BY at DESC LIMIT "+fmt.Sprint(max(1, min(limit, 1000))))
	if err != nil {
		return nil, apperr.Wrap(err, "sign-ins")
	}
	defer rows.Close()
	out := []SignInRecord{}
	for rows.Next() {
		var r SignInRecord
		var at int64
		if err := rows.Scan(&at, &r.Username, &r.Outcome, &r.IP); err != nil {
			return nil, apperr.Wrap(err, "sign-ins")
		}
		r.At = time.UnixMilli(at).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// UserInput creates or changes an account.
type UserInput struct {
	Username   string   `json:"username"`
	FullName   string   `json:"full_name"`
	Roles      []string `json:"roles"`
	Agency     string   `json:"agency"`
	Title      string   `json:"title"`
	Phone      string   `json:"phone"`
	Department string   `json:"department"`
	Counter    int      `json:"counter"`
	Disabled   bool     `json:"disabled"`
}

func (in *UserInput) clean() error {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.FullName = vntext.NFC(strings.Join(strings.Fields(in.FullName), " "))
	in.Title = vntext.NFC(strings.TrimSpace(in.Title))
	in.Department = vntext.NFC(strings.TrimSpace(in.Department))
	in.Phone = strings.TrimSpace(in.Phone)
	if len(in.Username) < 3 || len(in.Username) > 50 || strings.ContainsAny(in.Username, " \t/@:") {
		return apperr.Field("username", "invalid_username", "Tên đăng nhập dài 3–50 ký tự, không có dấu cách, @, / hoặc :.")
	}
	if in.FullName == "" {
		return apperr.Field("full_name", "full_name_required", "Vui lòng nhập họ và tên.")
	}
	if len(in.Roles) == 0 {
		return apperr.Field("roles", "roles_required", "Chọn ít nhất một vai trò.")
	}
	for _, r := range in.Roles {
		if !slices.Contains(StaffRoles, r) {
			return apperr.Field("roles", "invalid_role", "Vai trò không hợp lệ: "+r+".")
		}
	}
	if in.Agency == "" {
		return apperr.Field("agency", "agency_required", "Chọn cơ quan của cán bộ.")
	}
	if in.Counter < 0 || in.Counter > 99 {
		return apperr.Field("counter", "invalid_counter", "Số quầy không hợp lệ.")
	}
	return nil
}

// Credentials are a new account's first password and authenticator secret,
// shown once to the administrator who hands them over.
type Credentials struct {
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret"`
}

// CreateUser adds an account with a generated first password and TOTP secret.
func (s *Staff) CreateUser(ctx context.Context, by *Principal, in UserInput) (*User, *Credentials, error) {
	if err := in.clean(); err != nil {
		return nil, nil, err
	}
	creds := &Credentials{Password: GeneratePassword(), TOTPSecret: NewTOTPSecret()}
	hash, err := HashPassword(creds.Password)
	if err != nil {
		return nil, nil, apperr.Wrap(err, "hash")
	}
	id := newHexID("u")
	now := s.now()
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE username = $1", in.Username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("username", "username_taken", "Tên đăng nhập đã có người dùng.")
		}
		if err := agencyExists(ctx, tx, in.Agency); err != nil {
			return err
		}
		var counter sql.NullInt64
		if in.Counter > 0 {
			counter = sql.NullInt64{Int64: int64(in.Counter), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, full_name, roles, agency_code, title, phone, department, counter_number,
			disabled, password_hash, totp_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			id, in.Username, in.FullName, strings.Join(in.Roles, " "), in.Agency, in.Title, in.Phone, in.Department, counter, in.Disabled,
			hash, creds.TOTPSecret, now.UnixMilli()); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: by.Actor(), Action: "user.create", ObjectType: "user", ObjectID: id,
			Detail: map[string]any{"username": in.Username, "roles": in.Roles, "agency": in.Agency}})
	})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, nil, ae
		}
		return nil, nil, apperr.Wrap(err, "create user")
	}
	u, err := s.User(ctx, id)
	return u, creds, err
}

// UpdateUser changes an account's name, roles, agency, counter and status.
func (s *Staff) UpdateUser(ctx context.Context, by *Principal, id string, in UserInput) error {
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	in.Username = u.Username
	if err := in.clean(); err != nil {
		return err
	}
	if id == by.ID && (in.Disabled || !slices.Contains(in.Roles, RoleAdministrator)) && slices.Contains(u.Roles, RoleAdministrator) {
		return apperr.New(apperr.Conflict, "cannot_demote_self", "Không thể tự bỏ quyền quản trị hoặc vô hiệu hóa tài khoản của chính mình.")
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := agencyExists(ctx, tx, in.Agency); err != nil {
			return err
		}
		var counter sql.NullInt64
		if in.Counter > 0 {
			counter = sql.NullInt64{Int64: int64(in.Counter), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET full_name = $1, roles = $2, agency_code = $3, title = $4, phone = $5, department = $6,
			counter_number = $7, disabled = $8 WHERE id = $9`, in.FullName, strings.Join(in.Roles, " "), in.Agency, in.Title, in.Phone, in.Department,
			counter, in.Disabled, id); err != nil {
			return err
		}
		if in.Disabled {
			if _, err := tx.ExecContext(ctx, "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", s.now().UnixMilli(), id); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: by.Actor(), Action: "user.update", ObjectType: "user", ObjectID: id,
			Detail: map[string]any{"roles": in.Roles, "agency": in.Agency, "disabled": in.Disabled}})
	})
	var ae *apperr.Error
	if err != nil && !errors.As(err, &ae) {
		return apperr.Wrap(err, "update user")
	}
	return err
}

// agencyExists turns a missing agency into a field error rather than a
// foreign-key failure.
func agencyExists(ctx context.Context, tx store.Tx, code string) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM agencies WHERE code = $1", code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Field("agency", "unknown_agency", "Cơ quan không có trong danh mục.")
	}
	return nil
}

// ResetCredentials gives an account a new password and authenticator
// secret (a lost phone, a forgotten password) and ends its sessions.
func (s *Staff) ResetCredentials(ctx context.Context, by *Principal, id string) (*Credentials, error) {
	if _, err := s.User(ctx, id); err != nil {
		return nil, err
	}
	creds := &Credentials{Password: GeneratePassword(), TOTPSecret: NewTOTPSecret()}
	if err := s.SetCredentials(ctx, by, id, creds.Password, creds.TOTPSecret); err != nil {
		return nil, err
	}
	return creds, nil
}

// SetCredentials sets an account's password and TOTP secret and unlocks it.
func (s *Staff) SetCredentials(ctx context.Context, by *Principal, id, password, totpSecret string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return apperr.Wrap(err, "hash")
	}
	now := s.now()
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, totp_secret = $2, failed_attempts = 0, locked_until = NULL,
			last_totp_step = 0 WHERE id = $3`, hash, totpSecret, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", now.UnixMilli(), id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: by.Actor(), Action: "user.reset_credentials", ObjectType: "user", ObjectID: id})
	})
}

// ChangePassword lets a signed-in user change their own password.
func (s *Staff) ChangePassword(ctx context.Context, p *Principal, old, newPw string) error {
	var hash, username string
	if err := s.db.Read().QueryRowContext(ctx, "SELECT password_hash, username FROM users WHERE id = $1", p.ID).Scan(&hash, &username); err != nil {
		return ErrNoUser
	}
	if !CheckPassword(hash, old) {
		return apperr.Field("old_password", "wrong_password", "Mật khẩu hiện tại không đúng.")
	}
	if err := CheckPasswordPolicy(newPw, username); err != nil {
		return apperr.Field("new_password", "weak_password", err.Error())
	}
	nh, err := HashPassword(newPw)
	if err != nil {
		return apperr.Wrap(err, "hash")
	}
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = $1 WHERE id = $2", nh, p.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(), Action: "user.change_password", ObjectType: "user", ObjectID: p.ID})
	})
}

// GeneratePassword returns a readable random password (four groups of
// letters and digits without look-alikes).
func GeneratePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	var out strings.Builder
	for i := 0; i < 16; {
		var b [1]byte
		rand.Read(b[:])
		// Reject the top of the byte range so every letter is equally likely.
		if int(b[0]) >= 256-256%len(alphabet) {
			continue
		}
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(alphabet[int(b[0])%len(alphabet)])
		i++
	}
	return out.String()
}
