// Package assist is the portal's assisted mode: a counter officer, or a
// member of a village community digital-technology team (tổ công nghệ số
// cộng đồng), helps a citizen use the online services with the citizen's
// recorded consent (Decree 13/2023: explicit, provable, withdrawable).
//
// Consent is given by a one-time code sent by SMS to the citizen's phone,
// or by a signed paper form recorded at the counter. It has a scope (one
// procedure or all online services) and an expiry, and the citizen can
// revoke it at any time, which ends the portal sessions opened under it.
// Every step — lookup, code, consent, session, dossier, revocation — is in
// the assistance log the citizen reads, and in the audit chain.
package assist

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Issuer is the identity issuer of portal sessions opened by assistance.
const Issuer = "motcua-assist"

// RoleHelper is the role a team member acts in (audit, population lookups).
// It is not a staff role: members sign in on the volunteer pages only.
const RoleHelper = "community_digital_team_member"

// Kinds of helper.
const (
	HelperStaff  = "staff"
	HelperMember = "member"
)

// Helper is who helps: a signed-in counter officer or a team member.
type Helper struct {
	Kind   string // HelperStaff or HelperMember
	ID     string // user id or member id
	Name   string
	Phone  string // a member's own phone (a code must not go to it)
	Agency string
	// Principal is how the helper appears to the population lookup and
	// the audit log.
	Principal *identity.Principal
}

// StaffHelper is a signed-in staff user as a helper.
func StaffHelper(p *identity.Principal) Helper {
	return Helper{Kind: HelperStaff, ID: p.ID, Name: p.Name, Agency: p.Agency, Principal: p}
}

// Service runs assisted mode.
type Service struct {
	db       *store.DB
	pop      *registry.Service
	outbox   *notify.Outbox
	citizens *citizen.Service
	now      func() time.Time
}

// Config are the service's collaborators.
type Config struct {
	DB         *store.DB
	Population *registry.Service // citizens are looked up here (audited)
	Outbox     *notify.Outbox    // one-time codes go out here
	Citizens   *citizen.Service  // assisted portal sessions are opened here
	Now        func() time.Time
}

// New makes the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{db: cfg.DB, pop: cfg.Population, outbox: cfg.Outbox, citizens: cfg.Citizens, now: cfg.Now}
}

// Limits.
const (
	CodeTTL        = 10 * time.Minute // a one-time code
	CodeTries      = 5                // wrong codes before the consent fails
	CodeSends      = 3                // codes sent for one consent (resends included)
	DraftTTL       = 30 * time.Minute // a started consent not yet given
	PaperTTL       = 30 * 24 * time.Hour
	MemberCodeTTL  = 180 * 24 * time.Hour // a member's personal access code
	MemberIdle     = 30 * time.Minute
	MemberAbsolute = 10 * time.Hour
)

// cleanText trims, normalises and checks a short text field.
func cleanText(field, s string, max int, required bool, what string) (string, error) {
	s = vntext.NFC(strings.Join(strings.Fields(s), " "))
	if !vntext.Valid(s) {
		return "", apperr.Field(field, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
	}
	if required && s == "" {
		return "", apperr.Field(field, "required", "Vui lòng nhập "+what+".")
	}
	if len([]rune(s)) > max {
		return "", apperr.Field(field, "too_long", "Nội dung quá dài: "+what+" tối đa "+strconv.Itoa(max)+" ký tự.")
	}
	return s, nil
}

func newID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func hash(purpose string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte("motcua-assist-" + purpose))
	for _, p := range parts {
		h.Write([]byte{'\n'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func ms(t time.Time) int64 { return t.UnixMilli() }
