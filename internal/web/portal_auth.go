package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/eid"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// The portal's entrance: sign-in with the national e-ID (VNeID) by OpenID
// Connect, sign-out, and the citizen's home page. A sign-in in progress
// (state, nonce, PKCE verifier, where to go next) waits in a sealed cookie
// scoped to /dang-nhap; the callback must come back to the same browser.

const eidCookie = "motcua_eid"

// portalHomePath is where a citizen lands after signing in.
const portalHomePath = "/cong-dan"

// portalAuthRoutes registers this part of the citizen portal's pages.
func portalAuthRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET /dang-nhap", s.portalLogin)
	route("GET /dang-nhap/vneid", s.portalLoginStart)
	route("GET /dang-nhap/callback", s.portalLoginCallback)
	route("POST /dang-xuat", s.portalSignOut)
	route("GET /cong-dan", s.portalPage(citizen.Level1, s.portalHome))
}

// portalView fills what the public layout's header and anti-fraud line
// need: the signed-in citizen (if any) and the genuine address.
func (s *Server) portalView(w http.ResponseWriter, r *http.Request, v *view) {
	v.Official = officialAddress(s.BaseURL)
	if _, err := r.Cookie(citizenCookie); err != nil {
		return
	}
	if v.Citizen = s.citizenSession(r); v.Citizen != nil {
		// A page naming the citizen is theirs alone: no shared cache keeps it.
		w.Header().Set("Cache-Control", "private, no-store")
		// Whoever helps is named on every page, with the way to stop it.
		v.Assist = s.assistBannerFor(r, v.Citizen, v.T)
	}
}

// officialAddress is the base URL as a person reads it: host and path.
func officialAddress(base string) string {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Host + u.Path
}

// portalNext is where to go after signing in: a local path only, never
// another site ("//evil.example", "/\\evil.example", "https://…").
func portalNext(next string) string {
	if next == "" || len(next) > 1000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return portalHomePath
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return portalHomePath
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return portalHomePath
	}
	if strings.HasPrefix(u.Path, "/dang-nhap") || strings.HasPrefix(u.Path, "/dang-xuat") {
		return portalHomePath
	}
	return next
}

type loginData struct {
	Next      string
	StartURL  string
	Sandbox   bool
	Available bool
	Error     string // an i18n key
	SignedOut bool
}

// GET /dang-nhap — the sign-in page.
func (s *Server) portalLogin(w http.ResponseWriter, r *http.Request) {
	next := portalNext(r.URL.Query().Get("next"))
	if sess := s.citizenSession(r); sess != nil && r.URL.Query().Get("da_dang_xuat") == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, next, "", r.URL.Query().Get("da_dang_xuat") != "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, next, errKey string, signedOut bool) {
	d := &loginData{Next: next, Error: errKey, SignedOut: signedOut, Available: s.EID != nil && s.Citizens != nil}
	d.StartURL = "/dang-nhap/vneid"
	if next != portalHomePath {
		d.StartURL += "?next=" + url.QueryEscape(next)
	}
	if s.EID != nil {
		d.Sandbox = s.EID.Sandbox()
	}
	w.Header().Set("Cache-Control", "no-store")
	v := s.newView(w, r, "", d)
	v.Title = v.T("pauth.login_title")
	s.render(w, r, status, "portal_login", v)
}

// GET /dang-nhap/vneid — start: remember the sign-in in this browser and
// send it to the provider.
func (s *Server) portalLoginStart(w http.ResponseWriter, r *http.Request) {
	next := portalNext(r.URL.Query().Get("next"))
	if s.EID == nil || s.Citizens == nil {
		s.renderLogin(w, r, http.StatusServiceUnavailable, next, "pauth.err_down", false)
		return
	}
	p, authURL, err := s.EID.Begin(r.Context(), s.eidRedirectURI(r), next, lang(w, r))
	if err != nil {
		s.Log.Warn("e-ID: cannot start a sign-in", "err", err)
		s.renderLogin(w, r, http.StatusServiceUnavailable, next, "pauth.err_down", false)
		return
	}
	sealed, err := s.EID.SealPending(p)
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "eid seal"))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: eidCookie, Value: sealed, Path: "/dang-nhap/", MaxAge: int(eid.PendingMaxAge.Seconds()),
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	if s.EID.Sandbox() {
		// The sandbox is this very server: send the browser to it on the
		// address it used, whatever the configured base URL.
		if u, err := url.Parse(authURL); err == nil {
			authURL = u.RequestURI()
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// eidRedirectURI is the callback's address. The sandbox, being this
// server, gets it on the address the browser used; a real provider gets
// the registered one under the base URL.
func (s *Server) eidRedirectURI(r *http.Request) string {
	if s.EID.Sandbox() || s.BaseURL == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + r.Host + "/dang-nhap/callback"
	}
	return strings.TrimRight(s.BaseURL, "/") + "/dang-nhap/callback"
}

// GET /dang-nhap/callback — the provider's answer: check it, exchange the
// code, open the portal session, audit the sign-in.
func (s *Server) portalLoginCallback(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: eidCookie, Value: "", Path: "/dang-nhap/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	if s.EID == nil || s.Citizens == nil {
		s.renderLogin(w, r, http.StatusServiceUnavailable, portalHomePath, "pauth.err_down", false)
		return
	}
	var p *eid.Pending
	if c, err := r.Cookie(eidCookie); err == nil {
		p, _ = s.EID.OpenPending(c.Value)
	}
	next := portalHomePath
	if p != nil {
		next = portalNext(p.Next)
	}
	if p == nil && r.URL.Query().Get("error") == "access_denied" {
		s.renderLogin(w, r, http.StatusOK, next, "pauth.err_cancelled", false)
		return
	}
	code, err := s.EID.CheckCallback(r.URL.Query(), p)
	if err == nil {
		var res *eid.Result
		res, err = s.EID.Exchange(r.Context(), code, p)
		if err == nil {
			err = s.portalSignIn(w, r, res.Identity)
			if err == nil {
				http.Redirect(w, r, next, http.StatusSeeOther)
				return
			}
		}
	}
	status, key := http.StatusBadGateway, "pauth.err_invalid"
	switch eid.ErrorCode(err) {
	case eid.CodeAccessDenied:
		status, key = http.StatusOK, "pauth.err_cancelled"
	case eid.CodeInvalidGrant:
		status, key = http.StatusBadRequest, "pauth.err_expired"
	case eid.CodeUnavailable:
		status, key = http.StatusServiceUnavailable, "pauth.err_down"
	case eid.CodeIdentity:
		key = "pauth.err_identity"
	}
	if e := (*apperr.Error)(nil); errors.As(err, &e) {
		if e.Kind == apperr.Invalid {
			key = "pauth.err_identity"
		} else {
			status, key = http.StatusServiceUnavailable, "pauth.err_down"
		}
	}
	if eid.ErrorCode(err) == eid.CodeConfig || status == http.StatusBadGateway {
		s.Log.Error("e-ID sign-in failed", "err", err)
	} else {
		s.Log.Info("e-ID sign-in not completed", "err", err)
	}
	s.renderLogin(w, r, status, next, key, false)
}

// portalSignIn opens the session of the identity the provider vouched for
// and audits it; without its audit entry, the session does not stay open.
func (s *Server) portalSignIn(w http.ResponseWriter, r *http.Request, id citizen.Identity) error {
	sess, err := s.Citizens.SignIn(r.Context(), id, "", "")
	if err != nil {
		return err
	}
	err = s.DB.Write(r.Context(), func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, s.Now(), audit.Event{
			Actor:  citizenActor(sess),
			Action: "citizen.sign_in", ObjectType: "citizen", ObjectID: sess.Citizen.ID,
			Detail: map[string]any{"issuer": id.Issuer, "level": sess.Level, "sandbox": s.EID.Sandbox(), "id_number": maskID(id.IDNumber)},
		})
	})
	if err != nil {
		s.Citizens.SignOut(context.WithoutCancel(r.Context()), sess.Token)
		return apperr.Wrap(err, "audit sign-in")
	}
	setCitizenCookie(w, r, sess)
	return nil
}

func citizenActor(sess *citizen.Session) audit.Actor {
	p := sess.Principal()
	return audit.Actor{ID: p.ID, Name: p.Name, Roles: []string{identity.RoleCitizen}}
}

// POST /dang-xuat — sign out (with the session's CSRF token).
func (s *Server) portalSignOut(w http.ResponseWriter, r *http.Request) {
	sess := s.citizenSession(r)
	if sess == nil {
		clearCitizenCookie(w, r)
		http.Redirect(w, r, portalLogin+"?da_dang_xuat=1", http.StatusSeeOther)
		return
	}
	if !citizenCSRFOK(r, sess) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "csrf_failed", "Biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại."))
		return
	}
	if err := s.Citizens.SignOut(r.Context(), sess.Token); err != nil {
		s.fail(w, r, apperr.Wrap(err, "sign out"))
		return
	}
	if err := s.DB.Write(r.Context(), func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, s.Now(), audit.Event{Actor: citizenActor(sess), Action: "citizen.sign_out", ObjectType: "citizen", ObjectID: sess.Citizen.ID})
	}); err != nil {
		s.Log.Warn("audit sign-out", "err", err) // the session is ended either way
	}
	clearCitizenCookie(w, r)
	http.Redirect(w, r, portalLogin+"?da_dang_xuat=1", http.StatusSeeOther)
}

type portalHomeData struct {
	Sess     *citizen.Session
	MaskedID string
	Sandbox  bool
}

// GET /cong-dan — the citizen's home page.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	if sess.Assisted() {
		// Someone else sees the citizen's data with their consent: recorded.
		if err := s.DB.Write(r.Context(), func(ctx context.Context, tx store.Tx) error {
			return audit.Append(ctx, tx, s.Now(), audit.Event{Actor: audit.Actor{ID: sess.AssistedBy, Name: sess.AssistedBy, Roles: []string{"assistant"}},
				Action: "citizen.read", ObjectType: "citizen", ObjectID: sess.Citizen.ID, Detail: map[string]string{"page": "home", "assist_id": sess.AssistID}})
		}); err != nil {
			s.fail(w, r, apperr.Wrap(err, "audit"))
			return
		}
	}
	d := &portalHomeData{Sess: sess, MaskedID: maskID(sess.Citizen.IDNumber), Sandbox: s.EID != nil && s.EID.Sandbox()}
	v := s.newView(w, r, "", d)
	v.Title = v.T("pauth.home_title")
	s.render(w, r, http.StatusOK, "portal_home", v)
}

// maskID shows only the last four digits of a personal ID number.
func maskID(id string) string { return eid.MaskID(id) }
