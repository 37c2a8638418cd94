// Package seal signs what motcua issues — receipts, results, notifications —
// with Ed25519 so that anyone can tell a genuine document from a forged or
// altered one: by its QR code (the signed key facts) or, for a PDF file, by
// the signature over the whole file appended after its end.
package seal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// Keyring holds the installation's signing keys: one active private key and
// every public key ever used, so old receipts still verify after rotation.
type Keyring struct {
	mu       sync.RWMutex
	activeID string
	private  ed25519.PrivateKey
	public   map[string]ed25519.PublicKey
}

// ErrBadSignature means the document is not what motcua issued.
var ErrBadSignature = errors.New("seal: signature does not match")

// Load reads the keys from the database, creating the first key on a new
// installation. The private key stays in the database (never in the
// repository); several instances on one PostgreSQL share it.
func Load(ctx context.Context, db *store.DB) (*Keyring, error) {
	k, err := read(ctx, db)
	if err != nil {
		return nil, err
	}
	if k.activeID != "" {
		return k, nil
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("seal: generate key: %w", err)
	}
	sum := sha256.Sum256(pub)
	id := hex.EncodeToString(sum[:4])
	err = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM signing_keys WHERE active").Scan(&n); err != nil {
			return err
		}
		if n > 0 { // another instance created one meanwhile
			return nil
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO signing_keys (id, public_key, private_key, created_at, active) VALUES ($1, $2, $3, $4, $5)",
			id, base64.StdEncoding.EncodeToString(pub), base64.StdEncoding.EncodeToString(priv.Seed()), time.Now().UnixMilli(), true)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("seal: store key: %w", err)
	}
	return read(ctx, db)
}

func read(ctx context.Context, db *store.DB) (*Keyring, error) {
	rows, err := db.Read().QueryContext(ctx, "SELECT id, public_key, private_key, active FROM signing_keys ORDER BY created_at")
	if err != nil {
		return nil, fmt.Errorf("seal: read keys: %w", err)
	}
	defer rows.Close()
	k := &Keyring{public: map[string]ed25519.PublicKey{}}
	for rows.Next() {
		var id, pub, seed string
		var active bool
		if err := rows.Scan(&id, &pub, &seed, &active); err != nil {
			return nil, fmt.Errorf("seal: read keys: %w", err)
		}
		pb, err := base64.StdEncoding.DecodeString(pub)
		if err != nil || len(pb) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("seal: key %s: bad public key", id)
		}
		k.public[id] = pb
		if active {
			sb, err := base64.StdEncoding.DecodeString(seed)
			if err != nil || len(sb) != ed25519.SeedSize {
				return nil, fmt.Errorf("seal: key %s: bad private key", id)
			}
			k.activeID, k.private = id, ed25519.NewKeyFromSeed(sb)
		}
	}
	return k, rows.Err()
}

// New returns a keyring with one fresh key, for tests and offline tools.
func New() *Keyring {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sum := sha256.Sum256(pub)
	id := hex.EncodeToString(sum[:4])
	return &Keyring{activeID: id, private: priv, public: map[string]ed25519.PublicKey{id: pub}}
}

// PublicKeys returns the public keys by id, for publishing.
func (k *Keyring) PublicKeys() map[string]string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := map[string]string{}
	for id, p := range k.public {
		out[id] = base64.StdEncoding.EncodeToString(p)
	}
	return out
}

var b64 = base64.RawURLEncoding

// SealText signs a short text (the key facts of a receipt) and returns a
// compact token "<base64url text>.<key id>.<base64url signature>" that fits a
// QR code and verifies offline with the public key.
func (k *Keyring) SealText(text string) string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	sig := ed25519.Sign(k.private, []byte(text))
	return b64.EncodeToString([]byte(text)) + "." + k.activeID + "." + b64.EncodeToString(sig)
}

// OpenText verifies a token from SealText and returns the signed text.
func (k *Keyring) OpenText(token string) (string, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: not a motcua seal", ErrBadSignature)
	}
	text, err1 := b64.DecodeString(parts[0])
	sig, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return "", fmt.Errorf("%w: damaged seal", ErrBadSignature)
	}
	k.mu.RLock()
	pub, ok := k.public[parts[1]]
	k.mu.RUnlock()
	if !ok {
		return "", fmt.Errorf("%w: unknown signing key %q", ErrBadSignature, parts[1])
	}
	if !ed25519.Verify(pub, text, sig) {
		return "", ErrBadSignature
	}
	return string(text), nil
}

// pdfMarker starts the signature line appended after a PDF's end. PDF
// readers ignore bytes after %%EOF, so the file still opens everywhere.
const pdfMarker = "\n%MOTCUA-SEAL "

// SealFile appends a signature over the whole file.
func (k *Keyring) SealFile(doc []byte) []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	sig := ed25519.Sign(k.private, doc)
	out := make([]byte, 0, len(doc)+120)
	out = append(out, doc...)
	out = append(out, pdfMarker...)
	out = append(out, k.activeID+" "+b64.EncodeToString(sig)+"\n"...)
	return out
}

// OpenFile verifies a sealed file and returns it without its seal.
func (k *Keyring) OpenFile(b []byte) ([]byte, error) {
	i := bytes.LastIndex(b, []byte(pdfMarker))
	if i < 0 {
		return nil, fmt.Errorf("%w: the file carries no motcua seal", ErrBadSignature)
	}
	doc := b[:i]
	fields := strings.Fields(string(b[i+len(pdfMarker):]))
	if len(fields) != 2 {
		return nil, fmt.Errorf("%w: damaged seal", ErrBadSignature)
	}
	sig, err := b64.DecodeString(fields[1])
	if err != nil {
		return nil, fmt.Errorf("%w: damaged seal", ErrBadSignature)
	}
	k.mu.RLock()
	pub, ok := k.public[fields[0]]
	k.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: unknown signing key %q", ErrBadSignature, fields[0])
	}
	if !ed25519.Verify(pub, doc, sig) {
		return nil, fmt.Errorf("%w: the file was changed after it was issued", ErrBadSignature)
	}
	return doc, nil
}
