package eid

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// A JSON Web Key as a provider publishes it (RFC 7517); only the
// members motcua needs.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// publicKey turns a JWK into an RSA or P-256 ECDSA key; other keys (and
// keys for encryption) are skipped.
func (k jwk) publicKey() (crypto.PublicKey, error) {
	if k.Use != "" && k.Use != "sig" {
		return nil, fmt.Errorf("key %q is not for signatures", k.Kid)
	}
	switch k.Kty {
	case "RSA":
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("key %q: bad RSA members", k.Kid)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < 2048 {
			return nil, fmt.Errorf("key %q: RSA key of %d bits is too weak", k.Kid, pub.N.BitLen())
		}
		return pub, nil
	case "EC":
		if k.Crv != "P-256" {
			return nil, fmt.Errorf("key %q: curve %q not supported", k.Kid, k.Crv)
		}
		x, err1 := base64.RawURLEncoding.DecodeString(k.X)
		y, err2 := base64.RawURLEncoding.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return nil, fmt.Errorf("key %q: bad EC members", k.Kid)
		}
		// ParseUncompressedPublicKey checks that the point is on the curve.
		pub, err := ecdsa.ParseUncompressedPublicKey(ecdsaCurve(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k.Kid, err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("key %q: type %q not supported", k.Kid, k.Kty)
}

// keyCache holds a provider's signing keys. A token signed with a key it
// does not know makes it fetch the set again (the provider rotated its
// keys), but not more often than minRefresh, so forged tokens with made-up
// key ids cannot make motcua hammer the provider.
type keyCache struct {
	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
	forced  time.Time // the last fetch for an unknown key id
}

const (
	keysMaxAge = 6 * time.Hour
	minRefresh = 30 * time.Second
)

func (c *Client) key(ctx context.Context, kid, alg string) (crypto.PublicKey, error) {
	c.jwks.mu.Lock()
	defer c.jwks.mu.Unlock()
	now := time.Now()
	stale := c.jwks.keys == nil || now.Sub(c.jwks.fetched) > keysMaxAge
	if !stale {
		if k := pickKey(c.jwks.keys, kid, alg); k != nil {
			return k, nil
		}
		if _, known := c.jwks.keys[kid]; known && kid != "" {
			return nil, &Error{Code: CodeInvalidToken, Desc: "key " + kid + " is not an " + alg + " key"}
		}
		if now.Sub(c.jwks.forced) < minRefresh {
			return nil, &Error{Code: CodeInvalidToken, Desc: "unknown signing key " + kid}
		}
		c.jwks.forced = now
	}
	keys, err := c.fetchKeys(ctx)
	if err != nil {
		if c.jwks.keys != nil { // keep the keys we had if the provider stumbles
			if k := pickKey(c.jwks.keys, kid, alg); k != nil {
				return k, nil
			}
		}
		return nil, err
	}
	c.jwks.keys, c.jwks.fetched = keys, now
	if k := pickKey(keys, kid, alg); k != nil {
		return k, nil
	}
	return nil, &Error{Code: CodeInvalidToken, Desc: "unknown signing key " + kid}
}

// pickKey finds the key by id; a token without a key id may use the only
// key of the right type.
func pickKey(keys map[string]crypto.PublicKey, kid, alg string) crypto.PublicKey {
	if kid != "" {
		if k, ok := keys[kid]; ok && keyFits(k, alg) {
			return k
		}
		return nil
	}
	var found crypto.PublicKey
	for _, k := range keys {
		if keyFits(k, alg) {
			if found != nil {
				return nil
			}
			found = k
		}
	}
	return found
}

func keyFits(k crypto.PublicKey, alg string) bool {
	switch k.(type) {
	case *rsa.PublicKey:
		return alg == "RS256"
	case *ecdsa.PublicKey:
		return alg == "ES256"
	}
	return false
}

func (c *Client) fetchKeys(ctx context.Context) (map[string]crypto.PublicKey, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	var set jwkSet
	if err := c.getJSON(ctx, d.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]crypto.PublicKey{}
	for i, k := range set.Keys {
		pub, err := k.publicKey()
		if err != nil {
			continue // a key motcua cannot use is not an error of the set
		}
		if k.Alg != "" && ((k.Alg == "RS256") != (k.Kty == "RSA") || (k.Alg == "ES256") != (k.Kty == "EC")) {
			continue
		}
		id := k.Kid
		if id == "" {
			id = fmt.Sprintf("#%d", i)
		}
		keys[id] = pub
	}
	if len(keys) == 0 {
		return nil, &Error{Code: CodeProvider, Desc: "the provider publishes no usable signing key"}
	}
	return keys, nil
}

// verifyJWT checks a compact JWS signed with RS256 or ES256 by one of the
// provider's keys and returns its payload. Nothing of the payload is
// trusted before the signature is.
func (c *Client) verifyJWT(ctx context.Context, token string) ([]byte, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, &Error{Code: CodeInvalidToken, Desc: "not a signed JWT"}
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, &Error{Code: CodeInvalidToken, Desc: "bad header encoding"}
	}
	var h struct {
		Alg  string `json:"alg"`
		Kid  string `json:"kid"`
		Crit []string
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, &Error{Code: CodeInvalidToken, Desc: "bad header"}
	}
	if h.Alg != "RS256" && h.Alg != "ES256" {
		// "none", HS256 with the public key as secret and the like.
		return nil, &Error{Code: CodeInvalidToken, Desc: "signature algorithm " + h.Alg + " not accepted"}
	}
	if len(h.Crit) > 0 {
		return nil, &Error{Code: CodeInvalidToken, Desc: "critical header extensions not understood"}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, &Error{Code: CodeInvalidToken, Desc: "bad signature encoding"}
	}
	key, err := c.key(ctx, h.Kid, h.Alg)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	ok := false
	switch k := key.(type) {
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig) == nil
	case *ecdsa.PublicKey:
		if len(sig) == 64 {
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			ok = ecdsa.Verify(k, sum[:], r, s)
		}
	}
	if !ok {
		return nil, &Error{Code: CodeInvalidToken, Desc: "signature does not verify"}
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, &Error{Code: CodeInvalidToken, Desc: "bad payload encoding"}
	}
	return payload, nil
}

// signES256 makes a compact JWS; the sandbox signs its ID tokens with it.
func signES256(key *ecdsa.PrivateKey, kid string, claims any) (string, error) {
	hb, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": kid})
	pb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(pb)
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(nil, key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// getJSON fetches a provider document.
func (c *Client) getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return &Error{Code: CodeProvider, Desc: "bad provider address", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http().Do(req)
	if err != nil {
		return &Error{Code: CodeUnavailable, Desc: "provider not reachable", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		code := CodeProvider
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			code = CodeUnavailable
		}
		return &Error{Code: code, Desc: fmt.Sprintf("%s answered %d", url, resp.StatusCode)}
	}
	if err := json.NewDecoder(limit(resp.Body)).Decode(v); err != nil {
		return &Error{Code: CodeProvider, Desc: "bad JSON from " + url, Err: err}
	}
	return nil
}
