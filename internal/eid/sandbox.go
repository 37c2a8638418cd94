package eid

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// Sandbox is a stand-in for the national e-ID provider: a real OpenID
// Connect provider (discovery, JWKS, authorization with its own page,
// token endpoint with PKCE and client authentication, ES256-signed ID
// tokens, userinfo) whose accounts are the synthetic residents of the
// sandbox population registry — so the ID numbers that sign in are the
// ones the population lookups know. Residents the registry gives a VNeID
// level of 1 or 2 have an account at that level; others have none.
//
// On its page the person types their ID number (or picks one of a few
// demo residents) and confirms, as they would approve on the VNeID app.
// It behaves like the real one: a little latency, OAuth error answers
// (invalid_grant, invalid_client, access_denied when the person cancels).
// Its pending requests and codes live in memory: run it on one instance.
type Sandbox struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectPath is the client's redirect path; a redirect URI is
	// accepted when it has this path on the host the browser reached the
	// sandbox at (the sandbox and the portal are one server).
	RedirectPath string
	// ClientName is shown on the page ("… asks you to sign in").
	ClientName string
	// Latency is the typical answer time of the token endpoint.
	Latency time.Duration
	Log     *slog.Logger
	Now     func() time.Time

	db   *store.DB
	key  *ecdsa.PrivateKey
	kid  string
	page *template.Template

	mu           sync.Mutex
	interactions map[string]*interaction
	codes        map[string]*grant
	tokens       map[string]*issued
}

// SandboxPrefix is where motcua serves the sandbox.
const SandboxPrefix = "/sandbox/eid"

// SandboxLabel is the label the sandbox shows on every page.
const SandboxLabel = "VNeID SANDBOX — không phải VNeID thật"

type interaction struct {
	id, clientID, redirect, state, nonce, challenge, scope, lang string
	expires                                                      time.Time
	failures                                                     int
}

type grant struct {
	clientID, redirect, challenge, nonce, scope string
	account                                     Account
	authTime, expires                           time.Time
	used                                        bool
	access                                      string
}

type issued struct {
	account Account
	scope   string
	expires time.Time
}

// Account is a sandbox e-ID account: a synthetic resident.
type Account struct {
	IDNumber  string
	FullName  string
	BirthDate string
	Sex       string
	Phone     string
	Level     int // 0: no e-ID account
}

const (
	interactionTTL = 10 * time.Minute
	codeTTL        = 2 * time.Minute
	tokenTTL       = 10 * time.Minute
	maxPending     = 10000
	maxFailures    = 5
	settingKey     = "eid.sandbox.signing_key"
)

//go:embed sandbox_page.html sandbox.css
var sandboxAssets embed.FS

// NewSandbox makes the sandbox provider. Its ES256 key is kept in the
// database's settings, so tokens verify across restarts and instances.
func NewSandbox(ctx context.Context, db *store.DB, issuer, clientID, clientSecret string) (*Sandbox, error) {
	key, err := sandboxKey(ctx, db)
	if err != nil {
		return nil, err
	}
	pub, _ := key.PublicKey.Bytes()
	sum := sha256.Sum256(pub)
	page, err := template.ParseFS(sandboxAssets, "sandbox_page.html")
	if err != nil {
		return nil, err
	}
	return &Sandbox{
		Issuer: strings.TrimRight(issuer, "/"), ClientID: clientID, ClientSecret: clientSecret,
		RedirectPath: "/dang-nhap/callback", ClientName: "motcua",
		db: db, key: key, kid: "sbx-" + hex.EncodeToString(sum[:6]), page: page,
		interactions: map[string]*interaction{}, codes: map[string]*grant{}, tokens: map[string]*issued{},
	}, nil
}

func sandboxKey(ctx context.Context, db *store.DB) (*ecdsa.PrivateKey, error) {
	read := func() (string, error) {
		var v string
		err := db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", settingKey).Scan(&v)
		return v, err
	}
	v, err := read()
	if errors.Is(err, sql.ErrNoRows) {
		k, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		der, merr := x509.MarshalPKCS8PrivateKey(k)
		if merr != nil {
			return nil, merr
		}
		err = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			// Another instance may have made one meanwhile: theirs wins.
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
				settingKey, base64.StdEncoding.EncodeToString(der), time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("eid sandbox: store key: %w", err)
		}
		v, err = read()
	}
	if err != nil {
		return nil, fmt.Errorf("eid sandbox: read key: %w", err)
	}
	der, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("eid sandbox: key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("eid sandbox: key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("eid sandbox: key is not ECDSA")
	}
	return ek, nil
}

func (s *Sandbox) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Subject is the sandbox's stable subject of a person: not their ID
// number, as a provider's subject need not be.
func Subject(idNumber string) string {
	sum := sha256.Sum256([]byte("vneid-sandbox-subject\n" + idNumber))
	return "sbx-" + hex.EncodeToString(sum[:12])
}

// Account returns the account of an ID number; ok is false when the
// registry has no such resident.
func (s *Sandbox) Account(ctx context.Context, idNumber string) (Account, bool, error) {
	a := Account{IDNumber: idNumber}
	var doc string
	err := s.db.Read().QueryRowContext(ctx, "SELECT full_name, birth_date, sex, phone, doc FROM sandbox_residents WHERE id_number = $1", idNumber).
		Scan(&a.FullName, &a.BirthDate, &a.Sex, &a.Phone, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, err
	}
	var extra struct {
		EIDLevel int `json:"eid_level"`
	}
	json.Unmarshal([]byte(doc), &extra)
	a.Level = extra.EIDLevel
	return a, true, nil
}

// DemoAccounts are a few residents to sign in as in a demo: up to three at
// level 2 and two at level 1, adults with a phone, always the same ones.
func (s *Sandbox) DemoAccounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id_number, full_name, birth_date, sex, phone, doc FROM sandbox_residents
		WHERE relation IN ('head', 'spouse') AND phone <> '' ORDER BY household_id, id_number LIMIT 400`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var two, one []Account
	for rows.Next() && (len(two) < 3 || len(one) < 2) {
		var a Account
		var doc string
		if err := rows.Scan(&a.IDNumber, &a.FullName, &a.BirthDate, &a.Sex, &a.Phone, &doc); err != nil {
			return nil, err
		}
		var extra struct {
			EIDLevel int `json:"eid_level"`
		}
		json.Unmarshal([]byte(doc), &extra)
		a.Level = extra.EIDLevel
		switch {
		case a.Level == 2 && len(two) < 3:
			two = append(two, a)
		case a.Level == 1 && len(one) < 2:
			one = append(one, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return append(two, one...), nil
}

// ServeHTTP serves the provider under its prefix (stripped).
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/.well-known/openid-configuration" && r.Method == http.MethodGet:
		s.discovery(w)
	case r.URL.Path == "/jwks" && r.Method == http.MethodGet:
		s.jwks(w)
	case r.URL.Path == "/authorize" && r.Method == http.MethodGet:
		s.authorize(w, r)
	case r.URL.Path == "/authorize" && r.Method == http.MethodPost:
		s.approve(w, r)
	case r.URL.Path == "/token" && r.Method == http.MethodPost:
		s.token(w, r)
	case r.URL.Path == "/userinfo" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		s.userinfo(w, r)
	case r.URL.Path == "/sandbox.css" && r.Method == http.MethodGet:
		b, _ := sandboxAssets.ReadFile("sandbox.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(b)
	default:
		oauthError(w, http.StatusNotFound, "invalid_request", "no such endpoint")
	}
}

func (s *Sandbox) discovery(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, Discovery{
		Issuer:                 s.Issuer,
		AuthorizationEndpoint:  s.Issuer + "/authorize",
		TokenEndpoint:          s.Issuer + "/token",
		UserinfoEndpoint:       s.Issuer + "/userinfo",
		JWKSURI:                s.Issuer + "/jwks",
		ResponseTypes:          []string{"code"},
		SubjectTypes:           []string{"public"},
		SigningAlgs:            []string{"ES256"},
		CodeChallengeMethods:   []string{"S256"},
		TokenEndpointAuth:      []string{"client_secret_basic", "client_secret_post"},
		Scopes:                 []string{"openid", "profile", "phone"},
		Claims:                 []string{"sub", "name", "so_dinh_danh", "birthdate", "gender", "phone_number", "acr"},
		ACRValues:              []string{"urn:vneid:loa:1", "urn:vneid:loa:2"},
		UILocales:              []string{"vi", "en"},
		AuthorizationResponseI: true,
	})
}

func (s *Sandbox) jwks(w http.ResponseWriter) {
	pub, _ := s.key.PublicKey.Bytes() // 0x04 || x || y
	writeJSON(w, http.StatusOK, jwkSet{Keys: []jwk{{Kty: "EC", Crv: "P-256", Kid: s.kid, Use: "sig", Alg: "ES256",
		X: base64.RawURLEncoding.EncodeToString(pub[1:33]), Y: base64.RawURLEncoding.EncodeToString(pub[33:])}}})
}

// redirectOK accepts a redirect URI on the host the browser reached the
// sandbox at, with the client's path.
func (s *Sandbox) redirectOK(r *http.Request, raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host == r.Host && u.Path == s.RedirectPath &&
		u.Fragment == "" && u.User == nil && len(raw) < 500
}

func (s *Sandbox) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := pageLang(q.Get("ui_locales"))
	// Without a known client and redirect URI there is nowhere safe to
	// send an answer: the page says so.
	if q.Get("client_id") != s.ClientID {
		s.render(w, r, http.StatusBadRequest, pageData{Lang: lang, Fatal: "unknown_client"})
		return
	}
	redirect := q.Get("redirect_uri")
	if !s.redirectOK(r, redirect) {
		s.render(w, r, http.StatusBadRequest, pageData{Lang: lang, Fatal: "bad_redirect"})
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) { s.redirectError(w, r, redirect, state, code, desc) }
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only the authorization code flow")
		return
	case !contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "scope must include openid")
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "PKCE with S256 is required")
		return
	case len(state) > 500 || len(q.Get("nonce")) > 500:
		fail("invalid_request", "state or nonce too long")
		return
	}
	in := &interaction{id: random(), clientID: s.ClientID, redirect: redirect, state: state, nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), scope: q.Get("scope"), lang: lang, expires: s.now().Add(interactionTTL)}
	s.mu.Lock()
	s.sweep()
	full := len(s.interactions) >= maxPending
	if !full {
		s.interactions[in.id] = in
	}
	s.mu.Unlock()
	if full {
		fail("temporarily_unavailable", "too many sign-ins in progress")
		return
	}
	s.renderAsk(w, r, http.StatusOK, in, "", "")
}

func (s *Sandbox) renderAsk(w http.ResponseWriter, r *http.Request, status int, in *interaction, errKey, typed string) {
	demo, err := s.DemoAccounts(r.Context())
	if err != nil && s.Log != nil {
		s.Log.Warn("eid sandbox: demo accounts", "err", err)
	}
	s.render(w, r, status, pageData{Lang: in.lang, Interaction: in.id, Error: errKey, Typed: typed, Demo: demo, Client: s.ClientName})
}

// approve handles the page's form: the person confirms or cancels.
func (s *Sandbox) approve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, pageData{Lang: "vi", Fatal: "expired"})
		return
	}
	s.mu.Lock()
	in := s.interactions[r.PostForm.Get("interaction")]
	if in != nil && s.now().After(in.expires) {
		delete(s.interactions, in.id)
		in = nil
	}
	s.mu.Unlock()
	if in == nil {
		s.render(w, r, http.StatusBadRequest, pageData{Lang: pageLang(r.PostForm.Get("lang")), Fatal: "expired"})
		return
	}
	if r.PostForm.Get("action") == "cancel" {
		s.forget(in)
		s.redirectError(w, r, in.redirect, in.state, "access_denied", "the person cancelled the sign-in")
		return
	}
	id := strings.NewReplacer(" ", "", ".", "", "-", "").Replace(strings.TrimSpace(r.PostForm.Get("id_number")))
	typed := id
	if len(typed) > 20 {
		typed = typed[:20]
	}
	if !reID.MatchString(id) {
		s.renderAsk(w, r, http.StatusUnprocessableEntity, in, "bad_id", typed)
		return
	}
	acct, ok, err := s.Account(r.Context(), id)
	if err != nil {
		if s.Log != nil {
			s.Log.Error("eid sandbox: account", "err", err)
		}
		s.forget(in)
		s.redirectError(w, r, in.redirect, in.state, "server_error", "the sandbox could not read its accounts")
		return
	}
	if !ok || acct.Level < 1 {
		s.mu.Lock()
		in.failures++
		tooMany := in.failures >= maxFailures
		s.mu.Unlock()
		if tooMany { // no guessing through the residents
			s.forget(in)
			s.redirectError(w, r, in.redirect, in.state, "access_denied", "too many unknown ID numbers")
			return
		}
		s.renderAsk(w, r, http.StatusUnprocessableEntity, in, "no_account", typed)
		return
	}
	code := random()
	now := s.now()
	s.mu.Lock()
	delete(s.interactions, in.id)
	s.codes[code] = &grant{clientID: in.clientID, redirect: in.redirect, challenge: in.challenge, nonce: in.nonce, scope: in.scope,
		account: acct, authTime: now, expires: now.Add(codeTTL)}
	s.mu.Unlock()
	q := url.Values{"code": {code}, "iss": {s.Issuer}}
	if in.state != "" {
		q.Set("state", in.state)
	}
	http.Redirect(w, r, in.redirect+"?"+q.Encode(), http.StatusSeeOther)
}

func (s *Sandbox) forget(in *interaction) {
	s.mu.Lock()
	delete(s.interactions, in.id)
	s.mu.Unlock()
}

func (s *Sandbox) redirectError(w http.ResponseWriter, r *http.Request, redirect, state, code, desc string) {
	q := url.Values{"error": {code}, "error_description": {desc}, "iss": {s.Issuer}}
	if state != "" {
		q.Set("state", state)
	}
	http.Redirect(w, r, redirect+"?"+q.Encode(), http.StatusSeeOther)
}

// sweep drops what has expired; the caller holds mu.
func (s *Sandbox) sweep() {
	now := s.now()
	for k, v := range s.interactions {
		if now.After(v.expires) {
			delete(s.interactions, k)
		}
	}
	for k, v := range s.codes {
		if now.After(v.expires) {
			delete(s.codes, k)
		}
	}
	for k, v := range s.tokens {
		if now.After(v.expires) {
			delete(s.tokens, k)
		}
	}
}

func (s *Sandbox) token(w http.ResponseWriter, r *http.Request) {
	if s.Latency > 0 {
		time.Sleep(s.Latency/2 + time.Duration(mrand.Int64N(int64(s.Latency))))
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	f := r.PostForm
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if id != s.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(s.ClientSecret)) != 1 || s.ClientSecret == "" {
		w.Header().Set("WWW-Authenticate", `Basic realm="vneid-sandbox"`)
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	now := s.now()
	s.mu.Lock()
	g := s.codes[f.Get("code")]
	var why string
	switch {
	case g == nil || now.After(g.expires):
		why = "the code is unknown or expired"
	case g.used:
		// RFC 6749 §4.1.2: a code used twice revokes what it gave.
		delete(s.tokens, g.access)
		why = "the code was already used"
	case g.clientID != id:
		why = "the code was issued to another client"
	case f.Get("redirect_uri") != g.redirect:
		why = "redirect_uri differs from the authorization request"
	case len(f.Get("code_verifier")) < 43 || len(f.Get("code_verifier")) > 128 ||
		subtle.ConstantTimeCompare([]byte(Challenge(f.Get("code_verifier"))), []byte(g.challenge)) != 1:
		why = "PKCE verification failed"
	}
	if g != nil {
		g.used = true // one try only, right or wrong
	}
	if why != "" {
		s.mu.Unlock()
		oauthError(w, http.StatusBadRequest, "invalid_grant", why)
		return
	}
	access := random()
	g.access = access
	s.tokens[access] = &issued{account: g.account, scope: g.scope, expires: now.Add(tokenTTL)}
	acct, scope, authTime, nonce := g.account, g.scope, g.authTime, g.nonce
	s.mu.Unlock()

	claims := s.claims(acct, scope)
	claims["iss"], claims["aud"], claims["azp"] = s.Issuer, id, id
	claims["iat"], claims["exp"], claims["auth_time"] = now.Unix(), now.Add(tokenTTL).Unix(), authTime.Unix()
	claims["amr"] = []string{"app"}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	idToken, err := signES256(s.key, s.kid, claims)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(tokenTTL.Seconds()),
		"id_token": idToken, "scope": scope})
}

// claims are what the sandbox says about a person, by scope.
func (s *Sandbox) claims(a Account, scope string) map[string]any {
	c := map[string]any{"sub": Subject(a.IDNumber), "acr": fmt.Sprintf("urn:vneid:loa:%d", a.Level)}
	sc := strings.Fields(scope)
	if contains(sc, "profile") {
		c["name"], c["so_dinh_danh"], c["birthdate"] = a.FullName, a.IDNumber, a.BirthDate
		if a.Sex != "" {
			c["gender"] = a.Sex
		}
	}
	if contains(sc, "phone") && a.Phone != "" {
		c["phone_number"] = "+84" + strings.TrimPrefix(a.Phone, "0")
		c["phone_number_verified"] = true
	}
	return c
}

func (s *Sandbox) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	t := s.tokens[tok]
	if t != nil && s.now().After(t.expires) {
		t = nil
	}
	s.mu.Unlock()
	if !ok || t == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown or expired")
		return
	}
	writeJSON(w, http.StatusOK, s.claims(t.account, t.scope))
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// The page.

type pageData struct {
	Lang        string
	Fatal       string // a request the page cannot serve: unknown_client, bad_redirect, expired
	Interaction string
	Error       string // bad_id, no_account
	Typed       string
	Demo        []Account
	Client      string
	LargeText   bool
	Contrast    bool
}

func (d pageData) T(key string) string {
	if m, ok := pageText[d.Lang]; ok {
		if s, ok := m[key]; ok {
			return s
		}
	}
	return pageText["vi"][key]
}

func pageLang(locales string) string {
	if f := strings.Fields(locales); len(f) > 0 && strings.HasPrefix(f[0], "en") {
		return "en"
	}
	return "vi"
}

func (s *Sandbox) render(w http.ResponseWriter, r *http.Request, status int, d pageData) {
	if c, err := r.Cookie("text"); err == nil && c.Value == "large" {
		d.LargeText = true
	}
	if c, err := r.Cookie("contrast"); err == nil && c.Value == "high" {
		d.Contrast = true
	}
	var b strings.Builder
	if err := s.page.Execute(&b, d); err != nil {
		if s.Log != nil {
			s.Log.Error("eid sandbox: page", "err", err)
		}
		http.Error(w, "VNeID SANDBOX: lỗi hiển thị", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", d.Lang)
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

// MaskID shows the last four digits of an ID number.
func MaskID(id string) string {
	if len(id) <= 4 {
		return id
	}
	return strings.Repeat("•", len(id)-4) + id[len(id)-4:]
}

var pageText = map[string]map[string]string{
	"vi": {
		"label":                SandboxLabel,
		"title":                "Đăng nhập bằng định danh điện tử",
		"ask":                  "đề nghị bạn xác nhận đăng nhập. Nếu bạn đồng ý, ứng dụng sẽ nhận: họ tên, số định danh cá nhân, ngày sinh, giới tính, số điện thoại và mức độ định danh điện tử của bạn.",
		"sandbox_note":         "Đây là môi trường thử nghiệm. Tài khoản là cư dân giả lập của xã, không phải người thật. Trên VNeID thật, bạn xác nhận bằng ứng dụng VNeID trên điện thoại.",
		"id_label":             "Số định danh cá nhân",
		"id_hint":              "Gồm 12 chữ số, in trên căn cước công dân.",
		"approve":              "Xác nhận đăng nhập",
		"cancel":               "Hủy, không đăng nhập",
		"demo_title":           "Người dùng thử",
		"demo_lead":            "Chọn một người dưới đây để đăng nhập nhanh khi trình diễn:",
		"level":                "Mức",
		"as":                   "Đăng nhập là",
		"err_bad_id":           "Số định danh cá nhân phải gồm đúng 12 chữ số. Vui lòng nhập lại.",
		"err_no_account":       "Không có tài khoản định danh điện tử nào với số định danh này. Vui lòng kiểm tra lại từng chữ số.",
		"fatal_title":          "Không thể đăng nhập",
		"fatal_unknown_client": "Ứng dụng yêu cầu đăng nhập không được đăng ký với VNeID SANDBOX. Bạn không cần làm gì; hãy quay lại trang của Trung tâm.",
		"fatal_bad_redirect":   "Địa chỉ quay về không hợp lệ. Để bảo vệ bạn, yêu cầu đăng nhập này bị từ chối.",
		"fatal_expired":        "Yêu cầu đăng nhập đã hết hạn. Vui lòng quay lại trang của Trung tâm và bấm đăng nhập lại.",
	},
	"en": {
		"label":                "VNeID SANDBOX — not the real VNeID",
		"title":                "Sign in with your electronic identity",
		"ask":                  "asks you to confirm signing in. If you agree, it will receive your full name, personal ID number, date of birth, sex, phone number and e-ID level.",
		"sandbox_note":         "This is a test environment. The accounts are synthetic residents of the commune, not real people. With the real VNeID you confirm in the VNeID app on your phone.",
		"id_label":             "Personal ID number",
		"id_hint":              "12 digits, printed on the citizen identity card.",
		"approve":              "Confirm sign-in",
		"cancel":               "Cancel, do not sign in",
		"demo_title":           "Test people",
		"demo_lead":            "Pick a person below to sign in quickly in a demonstration:",
		"level":                "Level",
		"as":                   "Sign in as",
		"err_bad_id":           "The personal ID number must have exactly 12 digits. Please type it again.",
		"err_no_account":       "There is no electronic identity account with this ID number. Please check each digit.",
		"fatal_title":          "Cannot sign in",
		"fatal_unknown_client": "The application asking you to sign in is not registered with the VNeID SANDBOX. You need not do anything; go back to the centre's site.",
		"fatal_bad_redirect":   "The return address is not valid. To protect you, this sign-in request is refused.",
		"fatal_expired":        "The sign-in request has expired. Please go back to the centre's site and sign in again.",
	},
}
