package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Verification codes. Fraudsters send SMS that look like the centre's
// ("your dossier needs a fee, pay at this link"). Every SMS the outbox
// sends ends with "Ma kiem tra: XXXX-XXXX": 40 bits of an HMAC, under a
// secret kept in the database, of the message's id, number and text — so
// nobody without the secret can make a code that Check accepts, and a
// genuine code copied into a different text is told apart by comparing
// the texts. The words avoid "xac thuc" (OTP codes are called that): the
// code is to be checked, never given to anyone.

// verifySuffix precedes the code at the end of the body.
const verifySuffix = "\nMa kiem tra: "

// codeAlphabet has 32 symbols and no 0/O or 1/I: a code is read off a
// phone and typed.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

var reVerifyCode = regexp.MustCompile(`(?i)ma kiem tra:?\s*([` + codeAlphabet + `]{4})[-\s]?([` + codeAlphabet + `]{4})\b`)

// reBareCode is a code typed alone ("K7MQ-2XPA", "k7mq2xpa").
var reBareCode = regexp.MustCompile(`(?i)^\s*([` + codeAlphabet + `]{4})[-\s]?([` + codeAlphabet + `]{4})\s*$`)

// verifyCode derives the code of a message from the key.
func verifyCode(key []byte, id, to, body string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "\x00" + to + "\x00" + body))
	sum := mac.Sum(nil)
	// 40 bits, five at a time, into 8 symbols.
	var b strings.Builder
	var acc uint64
	for _, c := range sum[:5] {
		acc = acc<<8 | uint64(c)
	}
	for i := 0; i < 8; i++ {
		b.WriteByte(codeAlphabet[(acc>>(5*uint(7-i)))&31])
		if i == 3 {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// LoadVerifyKey reads the installation's verification secret, creating it
// on first use; instances sharing a PostgreSQL database share it.
func LoadVerifyKey(ctx context.Context, db *store.DB) ([]byte, error) {
	read := func() ([]byte, error) {
		var s string
		err := db.Read().QueryRowContext(ctx, "SELECT secret FROM notify_keys WHERE id = 1").Scan(&s)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("notify: read verification key: %w", err)
		}
		return hex.DecodeString(s)
	}
	if k, err := read(); err != nil || k != nil {
		return k, err
	}
	b := make([]byte, 32)
	rand.Read(b)
	err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO notify_keys (id, secret, created_at) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
			hex.EncodeToString(b), time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("notify: store verification key: %w", err)
	}
	return read()
}

// CodeOf finds a verification code in what a citizen pasted: a whole
// message ending "Ma kiem tra: XXXX-XXXX", or the code alone. It returns
// the code as XXXX-XXXX, or "".
func CodeOf(text string) string {
	m := reVerifyCode.FindStringSubmatch(vntext.Fold(text))
	if m == nil {
		m = reBareCode.FindStringSubmatch(text)
	}
	if m == nil {
		return ""
	}
	return strings.ToUpper(m[1] + "-" + m[2])
}

// Checked is what Check found.
type Checked struct {
	Code    string    // the code looked up ("" when the text carried none)
	Found   bool      // the centre sent a message with this code
	SentAt  time.Time // when it went to the gateway
	To      string    // the number it went to, masked: 0912***678
	Agency  string
	Kind    string
	Body    string // the message as sent, to compare with the one received
	Sandbox bool   // sent to the sandbox, not to a phone
	// Altered: the text pasted is not the text sent with this code — a
	// genuine code copied into another message.
	Altered bool
}

// Check tells whether the centre sent the message a citizen pasted (or
// whose code they typed). Only messages handed to the gateway count; a
// code whose stored message does not match its HMAC (a row written
// without the secret) is not found.
func (o *Outbox) Check(ctx context.Context, text string) (*Checked, error) {
	res := &Checked{Code: CodeOf(text)}
	if res.Code == "" || len(o.cfg.VerifyKey) == 0 {
		return res, nil
	}
	var id, to, body, agency, kind, state string
	var sent sql.NullInt64
	var sandbox bool
	err := o.db.Read().QueryRowContext(ctx, `SELECT id, recipient, body, agency_code, kind, state, sent_at, sandbox FROM notify_messages
		WHERE verify_code = $1 AND state IN ('sent', 'sending')`, res.Code).Scan(&id, &to, &body, &agency, &kind, &state, &sent, &sandbox)
	if errors.Is(err, sql.ErrNoRows) {
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("notify: check code: %w", err)
	}
	plain, ok := strings.CutSuffix(body, verifySuffix+res.Code)
	if !ok || !hmac.Equal([]byte(verifyCode(o.cfg.VerifyKey, id, to, plain)), []byte(res.Code)) {
		return res, nil
	}
	res.Found, res.To, res.Agency, res.Kind, res.Body, res.Sandbox = true, Mask(to), agency, kind, body, sandbox
	if sent.Valid {
		res.SentAt = store.FromMillis(sent.Int64)
	}
	// More than the code was pasted: it must be the text sent.
	if reBareCode.FindString(text) == "" && squash(text) != squash(body) {
		res.Altered = true
	}
	return res, nil
}

// squash compares texts as a phone may show them: case, spaces, line
// breaks and diacritics aside.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, vntext.Fold(s))
}
