package eid_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/eid"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

const (
	clientID = "motcua-test"
	secret   = "s3cret/with+odd&chars"
	level2ID = "038090001234"
	level1ID = "038190005678"
	noEID    = "038200009999"
)

// seed writes three synthetic residents: one with a level-2 e-ID, one
// with level 1, one without.
func seed(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, r := range []struct{ id, name, birth, sex, phone, doc string }{
			{level2ID, "Nguyễn Văn Bình", "1990-04-12", "male", "0912345678", `{"eid_level":2}`},
			{level1ID, "Lê Thị Hoa", "1991-09-30", "female", "0987654321", `{"eid_level":1}`},
			{noEID, "Trần Minh Đức", "2000-01-01", "male", "", `{"eid_level":0}`},
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_residents (id_number, full_name, birth_date, sex, agency_code, village_code, household_id, relation, phone, doc)
				VALUES ($1, $2, $3, $4, 'H56.16072', 'T01', $5, 'head', $6, $7)`, r.id, r.name, r.birth, r.sex, "HH"+r.id[8:], r.phone, r.doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// provider runs the sandbox on a test server under its usual prefix.
type provider struct {
	sb     *eid.Sandbox
	srv    *httptest.Server
	issuer string
}

func startSandbox(t *testing.T, db *store.DB) *provider {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	sb, err := eid.NewSandbox(context.Background(), db, srv.URL+eid.SandboxPrefix, clientID, secret)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle(eid.SandboxPrefix+"/", http.StripPrefix(eid.SandboxPrefix, sb))
	return &provider{sb: sb, srv: srv, issuer: srv.URL + eid.SandboxPrefix}
}

func (p *provider) client(method string) *eid.Client {
	return eid.New(eid.Config{Issuer: p.issuer, ClientID: clientID, ClientSecret: secret, AuthMethod: method})
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// approve goes through the provider's page as a person would: open it,
// type the ID number, confirm (or cancel); it returns the callback query.
func (p *provider) approve(t *testing.T, authURL, idNumber, action string) (url.Values, int, string) {
	t.Helper()
	resp, err := http.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(resp)
	if resp.StatusCode != 200 {
		return nil, resp.StatusCode, page
	}
	if !strings.Contains(page, "VNeID SANDBOX") || strings.Contains(page, `lang="vi"`) && !strings.Contains(page, eid.SandboxLabel) {
		t.Errorf("the provider's page is not labelled %q", eid.SandboxLabel)
	}
	interaction := between(page, `name="interaction" value="`, `"`)
	resp, err = noFollow.PostForm(p.srv.URL+eid.SandboxPrefix+"/authorize", url.Values{"interaction": {interaction}, "id_number": {idNumber}, "action": {action}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(resp)
	if resp.StatusCode != http.StatusSeeOther {
		return nil, resp.StatusCode, body
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || u.Path != "/dang-nhap/callback" {
		t.Fatalf("redirect to %q", resp.Header.Get("Location"))
	}
	return u.Query(), resp.StatusCode, body
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := eid.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %s, want %s", err, got, code)
	}
}

// The whole flow against the sandbox, with both client authentication
// methods: the identity comes back with the level, the name, the phone in
// local form; the code works once; a wrong verifier or secret fails.
func TestSandboxSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		p := startSandbox(t, db)
		ctx := context.Background()
		redirect := p.srv.URL + "/dang-nhap/callback"
		for _, method := range []string{"client_secret_basic", "client_secret_post"} {
			c := p.client(method)
			pend, authURL, err := c.Begin(ctx, redirect, "/cong-dan", "vi")
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			if q := u.Query(); q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") != eid.Challenge(pend.Verifier) ||
				q.Get("state") != pend.State || q.Get("nonce") != pend.Nonce || !strings.Contains(q.Get("scope"), "openid") {
				t.Fatalf("authorization request %s", authURL)
			}
			q, _, body := p.approve(t, authURL, level2ID, "approve")
			if q == nil {
				t.Fatalf("approve: %s", body)
			}
			code, err := c.CheckCallback(q, pend)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Exchange(ctx, code, pend)
			if err != nil {
				t.Fatalf("%s: %v", method, err)
			}
			id := res.Identity
			want := citizen.Identity{Issuer: p.issuer, Subject: eid.Subject(level2ID), IDNumber: level2ID, FullName: "Nguyễn Văn Bình",
				BirthDate: "1990-04-12", Phone: "0912345678", Level: 2}
			if id != want {
				t.Errorf("%s: identity %+v, want %+v", method, id, want)
			}
			if res.Claims["acr"] != "urn:vneid:loa:2" {
				t.Errorf("acr %v", res.Claims["acr"])
			}
			// Replayed: the code is spent.
			_, err = c.Exchange(ctx, code, pend)
			wantCode(t, err, eid.CodeInvalidGrant)
		}

		// PKCE mismatch: an attacker who stole the code lacks the verifier.
		c := p.client("")
		pend, authURL, _ := c.Begin(ctx, redirect, "", "en")
		q, _, _ := p.approve(t, authURL, level1ID, "approve")
		code, _ := c.CheckCallback(q, pend)
		stolen := *pend
		stolen.Verifier = strings.Repeat("x", 64)
		_, err := c.Exchange(ctx, code, &stolen)
		wantCode(t, err, eid.CodeInvalidGrant)
		// ... and the code is spent by the wrong try.
		_, err = c.Exchange(ctx, code, pend)
		wantCode(t, err, eid.CodeInvalidGrant)

		// A level-1 account signs in at level 1; a wrong secret is refused.
		pend, authURL, _ = c.Begin(ctx, redirect, "", "vi")
		q, _, _ = p.approve(t, authURL, level1ID, "approve")
		code, _ = c.CheckCallback(q, pend)
		bad := eid.New(eid.Config{Issuer: p.issuer, ClientID: clientID, ClientSecret: "wrong"})
		_, err = bad.Exchange(ctx, code, pend)
		wantCode(t, err, eid.CodeConfig)
		res, err := c.Exchange(ctx, code, pend)
		if err != nil {
			t.Fatal(err)
		}
		if res.Identity.Level != 1 || res.Identity.FullName != "Lê Thị Hoa" {
			t.Errorf("level-1 identity %+v", res.Identity)
		}
		// Userinfo answers with the access token, not without.
		req, _ := http.NewRequest("GET", p.issuer+"/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+res.AccessToken)
		resp, _ := http.DefaultClient.Do(req)
		if ui := readAll(resp); resp.StatusCode != 200 || !strings.Contains(ui, level1ID) {
			t.Errorf("userinfo %d %s", resp.StatusCode, ui)
		}
		resp, _ = http.Get(p.issuer + "/userinfo")
		if readAll(resp); resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("userinfo without a token: %d", resp.StatusCode)
		}
	})
}

// The person cancels; unknown ID numbers and residents without an e-ID
// are refused on the page, and a fifth guess ends the request.
func TestSandboxPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seed(t, db)
		p := startSandbox(t, db)
		ctx := context.Background()
		c := p.client("")
		redirect := p.srv.URL + "/dang-nhap/callback"

		pend, authURL, _ := c.Begin(ctx, redirect, "", "vi")
		q, _, _ := p.approve(t, authURL, "", "cancel")
		_, err := c.CheckCallback(q, pend)
		wantCode(t, err, eid.CodeAccessDenied)

		// A state from another browser is refused before anything else.
		pend2, authURL, _ := c.Begin(ctx, redirect, "", "vi")
		q, _, _ = p.approve(t, authURL, level2ID, "approve")
		_, err = c.CheckCallback(q, pend)
		wantCode(t, err, eid.CodeInvalidGrant)
		if _, err := c.CheckCallback(q, pend2); err != nil {
			t.Fatal(err)
		}

		for _, tc := range []struct{ id, want string }{
			{"12345", "đúng 12 chữ số"},
			{noEID, "Không có tài khoản"},
			{"038099999999", "Không có tài khoản"},
		} {
			_, authURL, _ = c.Begin(ctx, redirect, "", "vi")
			q, st, body := p.approve(t, authURL, tc.id, "approve")
			if q != nil || st != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) || !strings.Contains(body, `role="alert"`) {
				t.Errorf("%s: %d %v", tc.id, st, q)
			}
		}

		// Guessing: the fifth unknown number ends the request with access_denied.
		_, authURL, _ = c.Begin(ctx, redirect, "", "en")
		resp, _ := http.Get(authURL)
		page := readAll(resp)
		if !strings.Contains(page, "not the real VNeID") || !strings.Contains(page, `lang="en"`) {
			t.Errorf("English page: %s", page)
		}
		inter := between(page, `name="interaction" value="`, `"`)
		var last *http.Response
		for i := 0; i < 5; i++ {
			last, _ = noFollow.PostForm(p.issuer+"/authorize", url.Values{"interaction": {inter}, "id_number": {"03809999999" + string(rune('0'+i))}, "action": {"approve"}})
			readAll(last)
		}
		if loc := last.Header.Get("Location"); last.StatusCode != 303 || !strings.Contains(loc, "error=access_denied") {
			t.Errorf("after five guesses: %d %s", last.StatusCode, loc)
		}

		// No redirect to an unknown client or another host: the page says so.
		for _, bad := range []url.Values{
			{"client_id": {"someone-else"}, "redirect_uri": {redirect}},
			{"client_id": {clientID}, "redirect_uri": {"https://evil.example/dang-nhap/callback"}},
			{"client_id": {clientID}, "redirect_uri": {p.srv.URL + "/elsewhere"}},
		} {
			bad.Set("response_type", "code")
			bad.Set("scope", "openid")
			resp, _ := noFollow.Get(p.issuer + "/authorize?" + bad.Encode())
			if body := readAll(resp); resp.StatusCode != 400 || !strings.Contains(body, "Không thể đăng nhập") {
				t.Errorf("%v: %d", bad, resp.StatusCode)
			}
		}
		// Without PKCE the answer is an OAuth error at the redirect URI.
		resp, _ = noFollow.Get(p.issuer + "/authorize?" + url.Values{"client_id": {clientID}, "redirect_uri": {redirect},
			"response_type": {"code"}, "scope": {"openid"}, "state": {"st"}}.Encode())
		readAll(resp)
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.Contains(loc, "error=invalid_request") || !strings.Contains(loc, "state=st") {
			t.Errorf("without PKCE: %d %s", resp.StatusCode, loc)
		}
		// The demo list: level-2 and level-1 residents, never those without an e-ID.
		demo, err := p.sb.DemoAccounts(ctx)
		if err != nil || len(demo) != 2 || demo[0].Level != 2 || demo[1].Level != 1 {
			t.Errorf("demo accounts %+v %v", demo, err)
		}
		// The signing key is kept: a second sandbox on the database publishes the same.
		sb2, err := eid.NewSandbox(ctx, db, p.issuer, clientID, secret)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		sb2.ServeHTTP(rec, httptest.NewRequest("GET", "/jwks", nil))
		resp, _ = http.Get(p.issuer + "/jwks")
		if a, b := rec.Body.String(), readAll(resp); a != b {
			t.Errorf("keys differ after restart:\n%s\n%s", a, b)
		}
	})
}

// fake is a provider whose ID tokens the test makes, to check what the
// client refuses.
type fake struct {
	srv      *httptest.Server
	ec       *ecdsa.PrivateKey
	rsa      *rsa.PrivateKey
	kids     []string // published: ec, rsa
	mint     func(nonce string) string
	jwksHits atomic.Int32
	down     bool
}

func newFake(t *testing.T) *fake {
	f := &fake{kids: []string{"ec1", "rsa1"}}
	f.ec, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.rsa, _ = rsa.GenerateKey(rand.Reader, 2048)
	var nonce string
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	iss := f.srv.URL
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "authorization_endpoint": iss + "/auth", "token_endpoint": iss + "/token",
			"jwks_uri": iss + "/jwks", "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		f.jwksHits.Add(1)
		pub, _ := f.ec.PublicKey.Bytes()
		e := big.NewInt(int64(f.rsa.E)).Bytes()
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
			{"kty": "EC", "crv": "P-256", "kid": f.kids[0], "x": b64(pub[1:33]), "y": b64(pub[33:])},
			{"kty": "RSA", "kid": f.kids[1], "n": b64(f.rsa.N.Bytes()), "e": b64(e)},
		}})
	})
	mux.HandleFunc("GET /auth", func(w http.ResponseWriter, r *http.Request) { nonce = r.URL.Query().Get("nonce") })
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if f.down {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "id_token": f.mint(nonce)})
	})
	return f
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (f *fake) claims(nonce string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": f.srv.URL, "aud": clientID, "sub": "abc", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": nonce, "so_dinh_danh": level2ID, "name": "Nguyễn Văn Bình", "acr": "urn:vneid:loa:2"}
}

func jwt(header, claims map[string]any, sign func(input []byte) []byte) string {
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(claims)
	in := b64(hb) + "." + b64(cb)
	return in + "." + b64(sign([]byte(in)))
}

func (f *fake) es256(key *ecdsa.PrivateKey, kid string) func(map[string]any) string {
	return func(c map[string]any) string {
		return jwt(map[string]any{"alg": "ES256", "kid": kid}, c, func(in []byte) []byte {
			sum := sha256.Sum256(in)
			r, s, _ := ecdsa.Sign(rand.Reader, key, sum[:])
			sig := make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
			return sig
		})
	}
}

func (f *fake) rs256(key *rsa.PrivateKey, kid string) func(map[string]any) string {
	return func(c map[string]any) string {
		return jwt(map[string]any{"alg": "RS256", "kid": kid}, c, func(in []byte) []byte {
			sum := sha256.Sum256(in)
			sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
			return sig
		})
	}
}

// signIn runs a sign-in against the fake with the token mint makes.
func (f *fake) signIn(t *testing.T, c *eid.Client, mint func(nonce string) string) (*eid.Result, error) {
	t.Helper()
	f.mint = mint
	ctx := context.Background()
	pend, authURL, err := c.Begin(ctx, "http://portal/dang-nhap/callback", "", "")
	if err != nil {
		return nil, err
	}
	http.Get(authURL)
	return c.Exchange(ctx, "code", pend)
}

// The ID token checks: a forged signature, a wrong audience, issuer or
// nonce, an expired token or one from the future, alg none, a key the set
// does not have — each refused; RS256 and ES256 tokens accepted; an unknown
// key id makes the client fetch the keys again (rotation), but not at once
// again.
func TestIDTokenVerification(t *testing.T) {
	f := newFake(t)
	c := eid.New(eid.Config{Issuer: f.srv.URL, ClientID: clientID, ClientSecret: secret})
	ec, rs := f.es256(f.ec, "ec1"), f.rs256(f.rsa, "rsa1")
	with := func(sign func(map[string]any) string, change func(map[string]any)) func(string) string {
		return func(nonce string) string {
			cl := f.claims(nonce)
			if change != nil {
				change(cl)
			}
			return sign(cl)
		}
	}
	for name, sign := range map[string]func(map[string]any) string{"ES256": ec, "RS256": rs} {
		res, err := f.signIn(t, c, with(sign, nil))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Identity.Level != 2 || res.Identity.IDNumber != level2ID || res.Identity.Subject != "abc" {
			t.Errorf("%s: %+v", name, res.Identity)
		}
	}
	otherEC, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	cases := map[string]func(string) string{
		"forged ES256 signature": with(f.es256(otherEC, "ec1"), nil),
		"forged RS256 signature": with(f.rs256(otherRSA, "rsa1"), nil),
		"RS256 header on EC key": with(f.rs256(f.rsa, "ec1"), nil),
		"wrong audience":         with(ec, func(c map[string]any) { c["aud"] = "another-app" }),
		"audiences without azp":  with(ec, func(c map[string]any) { c["aud"] = []string{clientID, "another-app"} }),
		"wrong issuer":           with(ec, func(c map[string]any) { c["iss"] = "https://evil.example" }),
		"wrong nonce":            with(ec, func(c map[string]any) { c["nonce"] = "replayed-from-another-sign-in" }),
		"no nonce":               with(ec, func(c map[string]any) { delete(c, "nonce") }),
		"expired":                with(ec, func(c map[string]any) { c["exp"] = time.Now().Add(-3 * time.Minute).Unix() }),
		"issued in the future":   with(ec, func(c map[string]any) { c["iat"] = time.Now().Add(5 * time.Minute).Unix() }),
		"no subject":             with(ec, func(c map[string]any) { delete(c, "sub") }),
		"tampered claims": func(nonce string) string {
			tok := ec(f.claims(nonce))
			parts := strings.Split(tok, ".")
			cl := f.claims(nonce)
			cl["acr"] = "urn:vneid:loa:2"
			cl["so_dinh_danh"] = "038090009999"
			cb, _ := json.Marshal(cl)
			return parts[0] + "." + b64(cb) + "." + parts[2]
		},
		"alg none": func(nonce string) string {
			return jwt(map[string]any{"alg": "none"}, f.claims(nonce), func([]byte) []byte { return nil })
		},
		"HS256 with the public key": func(nonce string) string {
			return jwt(map[string]any{"alg": "HS256", "kid": "rsa1"}, f.claims(nonce), func([]byte) []byte { return []byte("x") })
		},
	}
	for name, mint := range cases {
		_, err := f.signIn(t, c, mint)
		if eid.ErrorCode(err) != eid.CodeInvalidToken {
			t.Errorf("%s: %v, want invalid_token", name, err)
		}
	}
	// Within the skew, a just-expired token still passes.
	if _, err := f.signIn(t, c, with(ec, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })); err != nil {
		t.Errorf("one minute late: %v", err)
	}
	// Key rotation: the provider starts signing with a new key id.
	hits := f.jwksHits.Load()
	f.kids[0] = "ec2"
	if _, err := f.signIn(t, c, with(f.es256(f.ec, "ec2"), nil)); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if f.jwksHits.Load() != hits+1 {
		t.Errorf("the keys were fetched %d times for a rotation", f.jwksHits.Load()-hits)
	}
	// Made-up key ids right after do not make it fetch again.
	for i := 0; i < 3; i++ {
		_, err := f.signIn(t, c, with(f.es256(otherEC, "made-up"), nil))
		wantCode(t, err, eid.CodeInvalidToken)
	}
	if f.jwksHits.Load() != hits+1 {
		t.Errorf("unknown key ids made the client fetch the keys %d more times", f.jwksHits.Load()-hits-1)
	}
	// An identity without a 12-digit ID number is refused.
	ec = f.es256(f.ec, "ec2")
	_, err := f.signIn(t, c, with(ec, func(c map[string]any) { c["so_dinh_danh"] = "12345" }))
	wantCode(t, err, eid.CodeIdentity)
	// The provider fails at the token endpoint.
	f.down = true
	_, err = f.signIn(t, c, with(ec, nil))
	wantCode(t, err, eid.CodeUnavailable)
}

// A provider that does not answer, or whose discovery names another
// issuer, stops the sign-in before the browser is sent anywhere.
func TestDiscoveryFailures(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, _, err := eid.New(eid.Config{Issuer: url, ClientID: clientID}).Begin(context.Background(), "http://x/cb", "", "")
	wantCode(t, err, eid.CodeUnavailable)

	f := newFake(t)
	_, _, err = eid.New(eid.Config{Issuer: f.srv.URL + "/other", ClientID: clientID}).Begin(context.Background(), "http://x/cb", "", "")
	if err == nil {
		t.Fatal("a discovery document of another issuer was accepted")
	}
}

func TestLevel(t *testing.T) {
	for acr, want := range map[string]int{"urn:vneid:loa:2": 2, "urn:vneid:loa:1": 1, "": 1, "urn:vneid:loa:3": 1, "loa2": 2,
		"urn:other:level:2": 2, "urn:vneid:loa:22": 1, "2": 1} {
		if got := eid.Level(acr); got != want {
			t.Errorf("Level(%q) = %d, want %d", acr, got, want)
		}
	}
	if eid.MaskID(level2ID) != "••••••••1234" {
		t.Errorf("mask %q", eid.MaskID(level2ID))
	}
}
