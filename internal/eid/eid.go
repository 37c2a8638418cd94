// Package eid signs citizens in with the national electronic identity
// (VNeID) by OpenID Connect: a relying-party client of the authorization
// code flow with PKCE, and — because the national provider cannot be
// reached from a test bench or a demo — a sandbox provider that speaks the
// same protocol over the synthetic residents of the sandbox population
// registry, clearly labelled SANDBOX.
//
// # Claims read
//
// The client reads, from the verified ID token and then the userinfo
// endpoint (for what the token lacks; its sub must be the token's):
//
//   - sub: the provider's stable id of the person (Identity.Subject)
//   - so_dinh_danh, else personal_id_number, else preferred_username when it
//     is 12 digits: the personal ID number (số định danh cá nhân)
//   - name, else family_name + middle_name + given_name in Vietnamese order
//   - birthdate (YYYY-MM-DD), phone_number (+84… becomes 0…), email
//   - acr: the assurance level, "urn:vneid:loa:2" → 2, "urn:vneid:loa:1" → 1;
//     an absent or unknown acr counts as level 1, never 2.
//
// The ID token must be signed with RS256 or ES256 by a key of the
// provider's JWKS, name the configured issuer (iss) and this client (aud,
// and azp when there are several audiences), be unexpired (exp) and not
// issued in the future (iat), allowing two minutes of clock skew, and carry
// the nonce of this sign-in.
package eid

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/internal/citizen"
)

// Error codes: what went wrong, in terms the portal can explain.
const (
	CodeAccessDenied = "access_denied"  // the person cancelled at the provider
	CodeInvalidGrant = "invalid_grant"  // the code expired, was used, or PKCE failed
	CodeInvalidToken = "invalid_token"  // the ID token did not verify
	CodeUnavailable  = "unavailable"    // the provider does not answer
	CodeProvider     = "provider_error" // the provider answered something unusable
	CodeConfig       = "config"         // the client is not accepted (invalid_client) or misconfigured
	CodeIdentity     = "identity"       // the identity lacks what the portal needs
)

// Error is a failed step of a sign-in.
type Error struct {
	Code string
	Desc string
	Err  error
}

func (e *Error) Error() string {
	s := "eid: " + e.Code
	if e.Desc != "" {
		s += ": " + e.Desc
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode is the code of an eid error, or CodeProvider for any other.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeProvider
}

// timeout bounds one call to the provider; a citizen is waiting.
const timeout = 10 * time.Second

// Skew is the clock difference tolerated between motcua and the provider.
const Skew = 2 * time.Minute

// Config configures the client.
type Config struct {
	Issuer       string // e.g. https://sso.dancuquocgia.gov.vn (exactly as the ID tokens' iss)
	ClientID     string
	ClientSecret string
	// AuthMethod is client_secret_basic (default) or client_secret_post.
	AuthMethod string
	// Scopes requested beyond openid; default profile phone.
	Scopes []string
	// HTTP reaches the provider; nil is a client with the timeout.
	HTTP *http.Client
	// Now is the clock for token checks; nil means time.Now.
	Now func() time.Time
	// Sandbox marks the built-in sandbox provider, to label it.
	Sandbox bool
	// StateKey seals pending sign-ins in the browser (32 bytes, StateKey).
	StateKey []byte
}

// Client is an OpenID Connect relying party.
type Client struct {
	cfg  Config
	mu   sync.Mutex
	disc *Discovery
	at   time.Time
	jwks keyCache
}

// New makes a client; nothing is fetched before the first sign-in, so a
// provider that is down does not stop motcua from starting.
func New(cfg Config) *Client {
	cfg.Issuer = strings.TrimRight(cfg.Issuer, "/")
	if cfg.AuthMethod == "" {
		cfg.AuthMethod = "client_secret_basic"
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"profile", "phone"}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{cfg: cfg}
}

// Issuer is the configured issuer.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// SealPending and OpenPending keep a pending sign-in in a cookie.
func (c *Client) SealPending(p *Pending) (string, error) { return p.Seal(c.cfg.StateKey) }

// OpenPending opens what SealPending sealed.
func (c *Client) OpenPending(sealed string) (*Pending, error) {
	return OpenPending(c.cfg.StateKey, sealed, c.cfg.Now())
}

// Sandbox reports whether this is the built-in sandbox provider.
func (c *Client) Sandbox() bool { return c.cfg.Sandbox }

func (c *Client) http() *http.Client {
	if c.cfg.HTTP != nil {
		return c.cfg.HTTP
	}
	return &http.Client{Timeout: timeout}
}

// Discovery is the provider's metadata (OpenID Connect Discovery 1.0).
type Discovery struct {
	Issuer                 string   `json:"issuer"`
	AuthorizationEndpoint  string   `json:"authorization_endpoint"`
	TokenEndpoint          string   `json:"token_endpoint"`
	UserinfoEndpoint       string   `json:"userinfo_endpoint,omitempty"`
	JWKSURI                string   `json:"jwks_uri"`
	ResponseTypes          []string `json:"response_types_supported"`
	SubjectTypes           []string `json:"subject_types_supported"`
	SigningAlgs            []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethods   []string `json:"code_challenge_methods_supported,omitempty"`
	TokenEndpointAuth      []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	Scopes                 []string `json:"scopes_supported,omitempty"`
	Claims                 []string `json:"claims_supported,omitempty"`
	ACRValues              []string `json:"acr_values_supported,omitempty"`
	UILocales              []string `json:"ui_locales_supported,omitempty"`
	AuthorizationResponseI bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
}

// discoveryMaxAge is how long the provider's metadata is kept.
const discoveryMaxAge = time.Hour

// Discover returns the provider's metadata, fetched at most once an hour.
func (c *Client) Discover(ctx context.Context) (*Discovery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.disc != nil && time.Since(c.at) < discoveryMaxAge {
		return c.disc, nil
	}
	var d Discovery
	if err := c.getJSON(ctx, c.cfg.Issuer+"/.well-known/openid-configuration", &d); err != nil {
		if c.disc != nil { // the provider stumbles: the old metadata still holds
			return c.disc, nil
		}
		return nil, err
	}
	// The issuer must be the one configured (OpenID Connect Discovery §4.3),
	// or a look-alike could hand out its own endpoints.
	if strings.TrimRight(d.Issuer, "/") != c.cfg.Issuer {
		return nil, &Error{Code: CodeProvider, Desc: fmt.Sprintf("discovery names issuer %q, configured %q", d.Issuer, c.cfg.Issuer)}
	}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" || d.JWKSURI == "" {
		return nil, &Error{Code: CodeProvider, Desc: "discovery lacks an endpoint"}
	}
	if len(d.CodeChallengeMethods) > 0 && !contains(d.CodeChallengeMethods, "S256") {
		return nil, &Error{Code: CodeProvider, Desc: "the provider does not support PKCE S256"}
	}
	c.disc, c.at = &d, time.Now()
	return c.disc, nil
}

// Pending is a sign-in in progress, kept by the portal between the
// redirect to the provider and the callback (in an encrypted cookie).
type Pending struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"` // PKCE code verifier
	Redirect string `json:"r"` // the redirect_uri sent
	Next     string `json:"x"` // where to go after signing in
	Created  int64  `json:"t"` // unix seconds
}

// PendingMaxAge is how long a person may take at the provider.
const PendingMaxAge = 10 * time.Minute

// Begin starts a sign-in: fresh state, nonce and PKCE verifier, and the
// provider's authorization URL to send the browser to. lang is the page
// language, passed as ui_locales.
func (c *Client) Begin(ctx context.Context, redirectURI, next, lang string) (*Pending, string, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, "", err
	}
	p := &Pending{State: random(), Nonce: random(), Verifier: random() + random(), Redirect: redirectURI, Next: next, Created: c.cfg.Now().Unix()}
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.cfg.ClientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {strings.Join(append([]string{"openid"}, c.cfg.Scopes...), " ")},
		"state":                 {p.State},
		"nonce":                 {p.Nonce},
		"code_challenge":        {Challenge(p.Verifier)},
		"code_challenge_method": {"S256"},
	}
	if lang != "" {
		q.Set("ui_locales", lang)
	}
	sep := "?"
	if strings.Contains(d.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	return p, d.AuthorizationEndpoint + sep + q.Encode(), nil
}

// Challenge is the PKCE S256 code challenge of a verifier (RFC 7636).
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// CheckCallback checks the provider's answer on the redirect URI: the
// state must be the pending one, an error is returned as such, and an iss
// parameter (RFC 9207), when present, must be the issuer. It returns the code.
func (c *Client) CheckCallback(q url.Values, p *Pending) (string, error) {
	if p == nil || q.Get("state") == "" || q.Get("state") != p.State {
		return "", &Error{Code: CodeInvalidGrant, Desc: "state does not match this browser's sign-in"}
	}
	if iss := q.Get("iss"); iss != "" && strings.TrimRight(iss, "/") != c.cfg.Issuer {
		return "", &Error{Code: CodeProvider, Desc: "answer from another issuer " + iss}
	}
	if c.cfg.Now().Sub(time.Unix(p.Created, 0)) > PendingMaxAge+Skew {
		return "", &Error{Code: CodeInvalidGrant, Desc: "the sign-in took too long"}
	}
	if e := q.Get("error"); e != "" {
		code := CodeProvider
		switch e {
		case "access_denied", "login_required", "consent_required", "interaction_required":
			code = CodeAccessDenied
		case "temporarily_unavailable", "server_error":
			code = CodeUnavailable
		}
		return "", &Error{Code: code, Desc: e + ": " + q.Get("error_description")}
	}
	code := q.Get("code")
	if code == "" || len(code) > 2048 {
		return "", &Error{Code: CodeProvider, Desc: "no code in the answer"}
	}
	return code, nil
}

// Claims are the ID token's (and userinfo's) claims.
type Claims map[string]any

func (c Claims) str(name string) string {
	switch v := c[name].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func (c Claims) num(name string) (float64, bool) {
	v, ok := c[name].(float64)
	return v, ok
}

// Result is a finished sign-in.
type Result struct {
	Identity    citizen.Identity
	Claims      Claims
	AccessToken string
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	IDToken     string `json:"id_token"`
	ExpiresIn   int    `json:"expires_in"`
	Error       string `json:"error"`
	ErrorDesc   string `json:"error_description"`
}

// Exchange trades the code for tokens, verifies the ID token against the
// pending sign-in, and returns the identity it vouches for.
func (c *Client) Exchange(ctx context.Context, code string, p *Pending) (*Result, error) {
	d, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {p.Redirect},
		"code_verifier": {p.Verifier},
	}
	if c.cfg.AuthMethod == "client_secret_post" {
		form.Set("client_id", c.cfg.ClientID)
		form.Set("client_secret", c.cfg.ClientSecret)
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodPost, d.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{Code: CodeProvider, Desc: "bad token endpoint", Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.cfg.AuthMethod != "client_secret_post" {
		// RFC 6749 §2.3.1: both parts form-encoded before Basic.
		req.SetBasicAuth(url.QueryEscape(c.cfg.ClientID), url.QueryEscape(c.cfg.ClientSecret))
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, &Error{Code: CodeUnavailable, Desc: "token endpoint not reachable", Err: err}
	}
	defer resp.Body.Close()
	var tr tokenResponse
	body, _ := io.ReadAll(limit(resp.Body))
	jerr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK {
		switch {
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || tr.Error == "temporarily_unavailable":
			return nil, &Error{Code: CodeUnavailable, Desc: fmt.Sprintf("token endpoint answered %d %s", resp.StatusCode, tr.Error)}
		case tr.Error == "invalid_grant":
			return nil, &Error{Code: CodeInvalidGrant, Desc: tr.ErrorDesc}
		case tr.Error == "invalid_client" || tr.Error == "unauthorized_client":
			return nil, &Error{Code: CodeConfig, Desc: tr.Error + ": " + tr.ErrorDesc}
		}
		return nil, &Error{Code: CodeProvider, Desc: fmt.Sprintf("token endpoint answered %d %s %s", resp.StatusCode, tr.Error, tr.ErrorDesc)}
	}
	if jerr != nil || tr.IDToken == "" {
		return nil, &Error{Code: CodeProvider, Desc: "token response without an ID token", Err: jerr}
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "Bearer") {
		return nil, &Error{Code: CodeProvider, Desc: "token type " + tr.TokenType}
	}
	claims, err := c.VerifyIDToken(ctx, tr.IDToken, p.Nonce)
	if err != nil {
		return nil, err
	}
	// What the token lacks, userinfo may say.
	if d.UserinfoEndpoint != "" && tr.AccessToken != "" && (idNumber(claims) == "" || fullName(claims) == "") {
		if err := c.userinfo(ctx, d.UserinfoEndpoint, tr.AccessToken, claims); err != nil {
			return nil, err
		}
	}
	id, err := c.identity(claims)
	if err != nil {
		return nil, err
	}
	return &Result{Identity: id, Claims: claims, AccessToken: tr.AccessToken}, nil
}

// VerifyIDToken checks an ID token's signature and claims.
func (c *Client) VerifyIDToken(ctx context.Context, token, nonce string) (Claims, error) {
	payload, err := c.verifyJWT(ctx, token)
	if err != nil {
		return nil, err
	}
	var cl Claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&cl); err != nil {
		return nil, &Error{Code: CodeInvalidToken, Desc: "bad claims"}
	}
	bad := func(why string) (Claims, error) { return nil, &Error{Code: CodeInvalidToken, Desc: why} }
	if cl.str("iss") != c.cfg.Issuer {
		return bad("issuer " + cl.str("iss"))
	}
	var aud []string
	switch a := cl["aud"].(type) {
	case string:
		aud = []string{a}
	case []any:
		for _, x := range a {
			if s, ok := x.(string); ok {
				aud = append(aud, s)
			}
		}
	}
	if !contains(aud, c.cfg.ClientID) {
		return bad("audience is not this client")
	}
	if len(aud) > 1 && cl.str("azp") != c.cfg.ClientID {
		return bad("several audiences and azp is not this client")
	}
	if azp := cl.str("azp"); azp != "" && azp != c.cfg.ClientID {
		return bad("azp is another client")
	}
	now := c.cfg.Now()
	exp, ok1 := cl.num("exp")
	iat, ok2 := cl.num("iat")
	if !ok1 || !ok2 {
		return bad("no exp or iat")
	}
	if now.After(time.Unix(int64(exp), 0).Add(Skew)) {
		return bad("expired")
	}
	if time.Unix(int64(iat), 0).After(now.Add(Skew)) {
		return bad("issued in the future")
	}
	if now.Sub(time.Unix(int64(iat), 0)) > PendingMaxAge+Skew {
		return bad("issued too long ago")
	}
	if nonce == "" || cl.str("nonce") != nonce {
		return bad("nonce does not match this sign-in")
	}
	if cl.str("sub") == "" {
		return bad("no subject")
	}
	return cl, nil
}

func (c *Client) userinfo(ctx context.Context, endpoint, accessToken string, claims Claims) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return &Error{Code: CodeProvider, Desc: "bad userinfo endpoint", Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http().Do(req)
	if err != nil {
		return &Error{Code: CodeUnavailable, Desc: "userinfo not reachable", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		code := CodeProvider
		if resp.StatusCode >= 500 {
			code = CodeUnavailable
		}
		return &Error{Code: code, Desc: fmt.Sprintf("userinfo answered %d", resp.StatusCode)}
	}
	var ui Claims
	if err := json.NewDecoder(limit(resp.Body)).Decode(&ui); err != nil {
		return &Error{Code: CodeProvider, Desc: "bad userinfo", Err: err}
	}
	// OpenID Connect Core §5.3.2: a userinfo of another subject is refused.
	if ui.str("sub") != claims.str("sub") {
		return &Error{Code: CodeInvalidToken, Desc: "userinfo is about another subject"}
	}
	for k, v := range ui {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return nil
}

var (
	reID  = regexp.MustCompile(`^[0-9]{12}$`)
	reACR = regexp.MustCompile(`(?i)(?:loa|level)[:_-]?([0-9])$`)
)

func idNumber(cl Claims) string {
	for _, name := range []string{"so_dinh_danh", "personal_id_number"} {
		if v := strings.TrimSpace(cl.str(name)); v != "" {
			return v
		}
	}
	if v := cl.str("preferred_username"); reID.MatchString(v) {
		return v
	}
	return ""
}

func fullName(cl Claims) string {
	if n := strings.TrimSpace(cl.str("name")); n != "" {
		return n
	}
	return strings.Join(strings.Fields(cl.str("family_name")+" "+cl.str("middle_name")+" "+cl.str("given_name")), " ")
}

// Level is the assurance level an acr value states: 2 only when it says
// so; anything else is level 1.
func Level(acr string) int {
	if m := reACR.FindStringSubmatch(strings.TrimSpace(acr)); m != nil && m[1] == "2" {
		return citizen.Level2
	}
	return citizen.Level1
}

func (c *Client) identity(cl Claims) (citizen.Identity, error) {
	id := citizen.Identity{
		Issuer:    c.cfg.Issuer,
		Subject:   cl.str("sub"),
		IDNumber:  idNumber(cl),
		FullName:  fullName(cl),
		BirthDate: cl.str("birthdate"),
		Phone:     localPhone(cl.str("phone_number")),
		Email:     cl.str("email"),
		Level:     Level(cl.str("acr")),
	}
	if !reID.MatchString(id.IDNumber) {
		return id, &Error{Code: CodeIdentity, Desc: "no 12-digit personal ID number among the claims"}
	}
	if id.FullName == "" {
		return id, &Error{Code: CodeIdentity, Desc: "no name among the claims"}
	}
	if id.BirthDate != "" {
		if _, err := time.Parse("2006-01-02", id.BirthDate); err != nil {
			id.BirthDate = "" // a year alone or another form: not needed to sign in
		}
	}
	return id, nil
}

// localPhone writes +84 912 345 678 as 0912345678.
func localPhone(p string) string {
	p = strings.NewReplacer(" ", "", ".", "", "-", "").Replace(strings.TrimSpace(p))
	if strings.HasPrefix(p, "+84") {
		p = "0" + p[3:]
	} else if strings.HasPrefix(p, "84") && len(p) == 11 {
		p = "0" + p[2:]
	}
	return p
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func limit(r io.Reader) io.Reader { return io.LimitReader(r, 1<<20) }

func ecdsaCurve() elliptic.Curve { return elliptic.P256() }
