package eid

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// A sign-in in progress is kept in the browser, in a cookie sealed with
// AES-GCM under a key all instances share (kept in the settings), so the
// callback may reach any instance and nobody can read or change it.

const settingStateKey = "eid.state_key"

// StateKey returns the key that seals pending sign-ins, creating it once.
func StateKey(ctx context.Context, db *store.DB) ([]byte, error) {
	var v string
	read := func() error {
		return db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", settingStateKey).Scan(&v)
	}
	err := read()
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		rand.Read(b)
		if werr := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
				settingStateKey, hex.EncodeToString(b), time.Now().UnixMilli())
			return err
		}); werr != nil {
			return nil, fmt.Errorf("eid: store state key: %w", werr)
		}
		err = read()
	}
	if err != nil {
		return nil, fmt.Errorf("eid: state key: %w", err)
	}
	k, err := hex.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, errors.New("eid: state key is damaged")
	}
	return k, nil
}

// Seal encrypts a pending sign-in for a cookie.
func (p *Pending) Seal(key []byte) (string, error) {
	aead, err := gcm(key)
	if err != nil {
		return "", err
	}
	plain, _ := json.Marshal(p)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte("motcua-eid-pending"))), nil
}

// OpenPending decrypts a sealed pending sign-in and checks its age.
func OpenPending(key []byte, sealed string, now time.Time) (*Pending, error) {
	expired := &Error{Code: CodeInvalidGrant, Desc: "no pending sign-in in this browser, or it expired"}
	aead, err := gcm(key)
	if err != nil {
		return nil, err
	}
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < aead.NonceSize() {
		return nil, expired
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], []byte("motcua-eid-pending"))
	if err != nil {
		return nil, expired
	}
	var p Pending
	if err := json.Unmarshal(plain, &p); err != nil {
		return nil, expired
	}
	if age := now.Sub(time.Unix(p.Created, 0)); age > PendingMaxAge || age < -Skew {
		return nil, expired
	}
	return &p, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("eid: %w", err)
	}
	return cipher.NewGCM(block)
}

// InProcess is an HTTP client that hands requests straight to h without a
// network: motcua reaches its own sandbox provider without a port.
func InProcess(h http.Handler) *http.Client {
	return &http.Client{Timeout: timeout, Transport: inProcess{h}}
}

type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r.Clone(r.Context()))
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}
