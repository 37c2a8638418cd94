package identity

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

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
)

// ErrBadToken is returned for an unknown, revoked or expired token.
var ErrBadToken = errors.New("identity: invalid or expired token")

// Tokens issues and checks bearer tokens. Only a SHA-256 of each token is
// stored, so a copy of the database does not give away working tokens.
type Tokens struct{ db *store.DB }

// NewTokens returns the token service over db.
func NewTokens(db *store.DB) *Tokens { return &Tokens{db: db} }

// TokenSpec describes a token to create.
type TokenSpec struct {
	// User, when set, makes the token act as that staff account (username):
	// with the account's name, roles and agency. Role is then optional.
	User    string
	Role    string
	Agency  string
	Counter string
	Label   string
	TTL     time.Duration // 0: does not expire
	// By is who creates the token (audited).
	By audit.Actor
}

// Create stores a new token and returns its plaintext, which is shown once.
func (t *Tokens) Create(ctx context.Context, spec TokenSpec) (string, error) {
	userID := ""
	if spec.User != "" {
		var roles, agency string
		err := t.db.Read().QueryRowContext(ctx, "SELECT id, roles, agency_code FROM users WHERE username = $1 AND NOT disabled", spec.User).Scan(&userID, &roles, &agency)
		if errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("identity: no active staff account %q", spec.User)
		}
		if err != nil {
			return "", fmt.Errorf("identity: look up user: %w", err)
		}
		if spec.Role == "" {
			spec.Role = strings.Fields(roles)[0]
		}
		if spec.Agency == "" {
			spec.Agency = agency
		}
	}
	if !ValidTokenRole(spec.Role) {
		return "", fmt.Errorf("identity: unknown role %q (one of %s)", spec.Role, strings.Join(TokenRoles, ", "))
	}
	if spec.Role == RoleQueueCounter && spec.Counter == "" {
		return "", fmt.Errorf("identity: a counter token needs --counter")
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("identity: random: %w", err)
	}
	plain := "mc_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	idb := make([]byte, 8)
	rand.Read(idb)
	id := "tok_" + hex.EncodeToString(idb)
	now := time.Now()
	var expires sql.NullInt64
	if spec.TTL > 0 {
		expires = sql.NullInt64{Int64: now.Add(spec.TTL).UnixMilli(), Valid: true}
	}
	err := t.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, token_hash, role, agency_code, counter, label, created_at, expires_at, user_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, hashToken(plain), spec.Role, spec.Agency, spec.Counter, spec.Label, now.UnixMilli(), expires, userID)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: spec.By, Action: "token.create", ObjectType: "token", ObjectID: id,
			Detail: map[string]any{"role": spec.Role, "agency": spec.Agency, "user": spec.User, "label": spec.Label}})
	})
	if err != nil {
		return "", fmt.Errorf("identity: store token: %w", err)
	}
	return plain, nil
}

// Authenticate returns the principal a token stands for.
func (t *Tokens) Authenticate(ctx context.Context, plain string) (*Principal, error) {
	if !strings.HasPrefix(plain, "mc_") || len(plain) > 100 {
		return nil, ErrBadToken
	}
	var (
		id, role, agency, counter, label, userID string
		expires, revoked                         sql.NullInt64
	)
	err := t.db.Read().QueryRowContext(ctx, `SELECT id, role, agency_code, counter, label, expires_at, revoked_at, user_id
		FROM api_tokens WHERE token_hash = $1`, hashToken(plain)).Scan(&id, &role, &agency, &counter, &label, &expires, &revoked, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, fmt.Errorf("identity: look up token: %w", err)
	}
	if revoked.Valid || (expires.Valid && time.Now().UnixMilli() >= expires.Int64) {
		return nil, ErrBadToken
	}
	if userID != "" {
		var name, roles, uagency string
		var disabled bool
		err := t.db.Read().QueryRowContext(ctx, "SELECT full_name, roles, agency_code, disabled FROM users WHERE id = $1", userID).Scan(&name, &roles, &uagency, &disabled)
		if err != nil || disabled {
			return nil, ErrBadToken
		}
		return &Principal{ID: userID, Name: name, Roles: strings.Fields(roles), Agency: uagency, Counter: counter, Token: true}, nil
	}
	name := label
	if name == "" {
		name = RoleName(role) + " (token)"
	}
	return &Principal{ID: id, Name: name, Roles: []string{role}, Agency: agency, Counter: counter, Token: true}, nil
}

// Revoke makes a token unusable.
func (t *Tokens) Revoke(ctx context.Context, id string, by audit.Actor) error {
	return t.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		now := time.Now()
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", id, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("identity: revoke: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("identity: no active token %s", id)
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: by, Action: "token.revoke", ObjectType: "token", ObjectID: id})
	})
}

func hashToken(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}
