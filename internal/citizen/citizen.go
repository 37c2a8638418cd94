// Package citizen keeps the citizens who sign in to the portal with their
// e-ID and their sessions: who they are (as the identity provider vouches),
// at which assurance level, and — in assisted mode — who acts with them.
package citizen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Assurance levels of the national e-ID (VNeID): level 1 is an account
// registered by the person; level 2 was verified in person by the police.
const (
	Level1 = 1
	Level2 = 2
)

// Session lengths: a citizen on a shared or public computer must not stay
// signed in for long.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 8 * time.Hour
)

// Identity is what the e-ID provider vouches for at sign-in.
type Identity struct {
	Issuer    string
	Subject   string
	IDNumber  string // 12-digit personal ID number
	FullName  string
	BirthDate string // YYYY-MM-DD, may be empty
	Phone     string
	Email     string
	Level     int
}

// Citizen is a person known to the portal.
type Citizen struct {
	ID        string    `json:"id"`
	Issuer    string    `json:"issuer"`
	Subject   string    `json:"-"`
	IDNumber  string    `json:"id_number"`
	FullName  string    `json:"full_name"`
	BirthDate string    `json:"birth_date,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Email     string    `json:"email,omitempty"`
	Level     int       `json:"level"`
	CreatedAt time.Time `json:"created_at"`
	LastLogin time.Time `json:"last_login"`
}

// Session is a live portal session.
type Session struct {
	Token      string // the cookie value; only its hash is stored
	CSRF       string
	Level      int       // assurance level of this sign-in
	AssistedBy string    // staff user or volunteer acting with the citizen's consent ("" = the citizen alone)
	AssistID   string    // the consent record
	Expires    time.Time // absolute end
	Citizen    *Citizen
}

// Principal is the session as the dossier engine and the audit log see it.
func (s *Session) Principal() *identity.Principal {
	name := s.Citizen.FullName
	return &identity.Principal{ID: "citizen:" + s.Citizen.ID, Name: name, Roles: []string{identity.RoleCitizen}}
}

// Assisted reports whether someone acts with the citizen in this session.
func (s *Session) Assisted() bool { return s.AssistedBy != "" }

// ErrNoSession means the cookie does not open a live session.
var ErrNoSession = errors.New("citizen: no valid session")

// Service keeps citizens and sessions.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New makes the service; now may be nil (the wall clock).
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

const citizenCols = "id, issuer, subject, id_number, full_name, birth_date, phone, email, level, created_at, last_login"

func scanCitizen(row interface{ Scan(...any) error }) (*Citizen, error) {
	c := &Citizen{}
	var created, last int64
	if err := row.Scan(&c.ID, &c.Issuer, &c.Subject, &c.IDNumber, &c.FullName, &c.BirthDate, &c.Phone, &c.Email, &c.Level, &created, &last); err != nil {
		return nil, err
	}
	c.CreatedAt, c.LastLogin = time.UnixMilli(created), time.UnixMilli(last)
	return c, nil
}

func (id *Identity) clean() error {
	id.Issuer, id.Subject = strings.TrimSpace(id.Issuer), strings.TrimSpace(id.Subject)
	id.IDNumber = strings.TrimSpace(id.IDNumber)
	id.FullName = vntext.NFC(strings.Join(strings.Fields(id.FullName), " "))
	id.Phone, id.Email, id.BirthDate = strings.TrimSpace(id.Phone), strings.TrimSpace(id.Email), strings.TrimSpace(id.BirthDate)
	for _, v := range []string{id.Issuer, id.Subject, id.IDNumber, id.FullName, id.Phone, id.Email, id.BirthDate} {
		if !vntext.Valid(v) || len(v) > 300 {
			return apperr.New(apperr.Invalid, "invalid_identity", "Thông tin định danh nhận được không hợp lệ.")
		}
	}
	if id.Issuer == "" || id.Subject == "" || id.FullName == "" || !validIDNumber(id.IDNumber) {
		return apperr.New(apperr.Invalid, "invalid_identity", "Thông tin định danh nhận được không đầy đủ (cần số định danh cá nhân 12 số và họ tên).")
	}
	if id.Level != Level1 && id.Level != Level2 {
		return apperr.New(apperr.Invalid, "invalid_identity", "Mức độ định danh điện tử không hợp lệ.")
	}
	return nil
}

func validIDNumber(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SignIn records (or updates) the citizen the provider vouched for and
// opens a session at the level of this sign-in. assistedBy and assistID are
// empty unless a staff member or volunteer starts the session with the
// citizen's recorded consent.
func (s *Service) SignIn(ctx context.Context, id Identity, assistedBy, assistID string) (*Session, error) {
	if err := id.clean(); err != nil {
		return nil, err
	}
	now := s.now().UnixMilli()
	token, csrf := newToken(), newToken()
	var c *Citizen
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		c, err = scanCitizen(tx.QueryRowContext(ctx, "SELECT "+citizenCols+" FROM citizens WHERE issuer = $1 AND subject = $2", id.Issuer, id.Subject))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c = &Citizen{ID: newID()}
			if _, err := tx.ExecContext(ctx, `INSERT INTO citizens (`+citizenCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
				c.ID, id.Issuer, id.Subject, id.IDNumber, id.FullName, id.BirthDate, id.Phone, id.Email, id.Level, now); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			// The provider is the source of truth for who the person is.
			if _, err := tx.ExecContext(ctx, `UPDATE citizens SET id_number = $1, full_name = $2, birth_date = $3, phone = CASE WHEN $4 = '' THEN phone ELSE $4 END,
				email = CASE WHEN $5 = '' THEN email ELSE $5 END, level = $6, last_login = $7 WHERE id = $8`,
				id.IDNumber, id.FullName, id.BirthDate, id.Phone, id.Email, id.Level, now, c.ID); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO citizen_sessions (id_hash, citizen_id, csrf_token, level, assisted_by, assist_id, created_at, last_seen, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`, hashToken(token), c.ID, csrf, id.Level, assistedBy, assistID, now, now+SessionAbsolute.Milliseconds())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("citizen: sign in: %w", err)
	}
	return s.Session(ctx, token)
}

// Session returns the live session a cookie opens, extending its idle time.
func (s *Service) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	var (
		sess              = &Session{Token: token}
		lastSeen, expires int64
		revoked           sql.NullInt64
	)
	row := s.db.Read().QueryRowContext(ctx, `SELECT s.csrf_token, s.level, s.assisted_by, s.assist_id, s.last_seen, s.expires_at, s.revoked_at,
		c.id, c.issuer, c.subject, c.id_number, c.full_name, c.birth_date, c.phone, c.email, c.level, c.created_at, c.last_login
		FROM citizen_sessions s JOIN citizens c ON c.id = s.citizen_id WHERE s.id_hash = $1`, hashToken(token))
	c := &Citizen{}
	var created, last int64
	if err := row.Scan(&sess.CSRF, &sess.Level, &sess.AssistedBy, &sess.AssistID, &lastSeen, &expires, &revoked,
		&c.ID, &c.Issuer, &c.Subject, &c.IDNumber, &c.FullName, &c.BirthDate, &c.Phone, &c.Email, &c.Level, &created, &last); err != nil {
		return nil, ErrNoSession
	}
	c.CreatedAt, c.LastLogin = time.UnixMilli(created), time.UnixMilli(last)
	sess.Citizen, sess.Expires = c, time.UnixMilli(expires)
	ms := s.now().UnixMilli()
	if revoked.Valid || ms >= expires || ms-lastSeen > SessionIdle.Milliseconds() {
		return nil, ErrNoSession
	}
	if ms-lastSeen > time.Minute.Milliseconds() { // a page view need not write
		s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE citizen_sessions SET last_seen = $1 WHERE id_hash = $2", ms, hashToken(token))
			return err
		})
	}
	return sess, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE citizen_sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL", s.now().UnixMilli(), hashToken(token))
		return err
	})
}

// EndAssisted ends every live session opened under a consent (the citizen
// revoked it).
func (s *Service) EndAssisted(ctx context.Context, assistID string) error {
	if assistID == "" {
		return nil
	}
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE citizen_sessions SET revoked_at = $1 WHERE assist_id = $2 AND revoked_at IS NULL", s.now().UnixMilli(), assistID)
		return err
	})
}

// Get returns a citizen by id.
func (s *Service) Get(ctx context.Context, id string) (*Citizen, error) {
	c, err := scanCitizen(s.db.Read().QueryRowContext(ctx, "SELECT "+citizenCols+" FROM citizens WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "citizen_not_found", "Không tìm thấy công dân.")
	}
	if err != nil {
		return nil, apperr.Wrap(err, "citizen")
	}
	return c, nil
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func newID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte("motcua-citizen-session\n" + t))
	return hex.EncodeToString(sum[:])
}
