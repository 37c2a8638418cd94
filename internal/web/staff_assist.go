package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/assist"
	"github.com/motcua/motcua/internal/identity"
)

// Assisted mode, the helper's side: a counter officer (/staff/assist) or a
// community digital team member (/ho-tro-cong-dong/, portal_assist.go)
// looks a citizen up, asks for consent — a code sent to the citizen's
// phone, or (officers) a signed paper — and opens the portal as the
// citizen in their own browser. Both sides share these handlers and the
// staff_assist*.html pages; a member's pages use the public layout.

// assistSide is who is helping in this request and how to answer.
type assistSide struct {
	helper assist.Helper
	base   string // where this side's pages live
	staff  bool
	lang   string
	render func(status int, page, title string, data map[string]any)
}

// errText is an error's message in the page's language.
func (a *assistSide) errText(e *apperr.Error) string {
	if a.lang != "vi" {
		if msg, ok := messages[a.lang]["assisterr."+e.Code]; ok {
			return msg
		}
	}
	return e.Message
}

func (s *Server) staffAssistSide(w http.ResponseWriter, r *http.Request, v *staffView) *assistSide {
	return &assistSide{helper: assist.StaffHelper(principal(r)), base: "/staff/assist", staff: true, lang: v.Lang,
		render: func(status int, page, title string, data map[string]any) {
			data["Base"], data["Staff"] = "/staff/assist", true
			s.renderStaff(w, r, status, page, v, title, data)
		}}
}

// staffAssistRoutes registers the officer's assistance pages and the
// administration of community digital teams.
func staffAssistRoutes(s *Server, route func(string, http.HandlerFunc)) {
	counter := func(h func(w http.ResponseWriter, r *http.Request, a *assistSide)) http.HandlerFunc {
		return s.staffPage(func(w http.ResponseWriter, r *http.Request, v *staffView) {
			if s.Assist == nil {
				s.staffFail(w, r, v, apperr.New(apperr.NotFound, "not_found", "Không tìm thấy trang này trong hệ thống."))
				return
			}
			h(w, r, s.staffAssistSide(w, r, v))
		}, identity.RoleCounter)
	}
	route("GET /staff/assist", counter(s.assistStart))
	route("POST /staff/assist", counter(s.assistLookup))
	route("POST /staff/assist/{$}", counter(s.assistLookup))
	route("GET /staff/assist/{id}", counter(s.assistConsent))
	route("POST /staff/assist/{id}/code", counter(s.assistSendCode))
	route("POST /staff/assist/{id}/confirm", counter(s.assistConfirm))
	route("POST /staff/assist/{id}/paper", counter(s.assistPaper))
	route("POST /staff/assist/{id}/open", counter(s.assistOpen))
	staffAdminTeamsRoutes(s, route)
}

// GET — the start: a citizen's ID number, and this helper's consents of today.
func (s *Server) assistStart(w http.ResponseWriter, r *http.Request, a *assistSide) {
	s.assistStartPage(w, r, a, http.StatusOK, "", "")
}

func (s *Server) assistStartPage(w http.ResponseWriter, r *http.Request, a *assistSide, status int, idNumber, errMsg string) {
	mine, err := s.Assist.ByHelper(r.Context(), a.helper)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a.render(status, "staff_assist", translator(a.lang)("assist.start_title"), map[string]any{
		"Mine": mine, "IDNumber": idNumber, "Error": errMsg, "Helper": a.helper.Name,
		"Sandbox": s.Population != nil && s.Population.Sandbox(),
	})
}

// POST — look the citizen up (audited) and start a consent.
func (s *Server) assistLookup(w http.ResponseWriter, r *http.Request, a *assistSide) {
	id := strings.TrimSpace(r.PostFormValue("id_number"))
	c, err := s.Assist.Begin(r.Context(), a.helper, id)
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		s.assistStartPage(w, r, a, e.Status(), id, a.errText(e))
		return
	}
	http.Redirect(w, r, a.base+"/"+c.ID, http.StatusSeeOther)
}

// GET — one consent: choose how to ask, type the code, or open the portal.
func (s *Server) assistConsent(w http.ResponseWriter, r *http.Request, a *assistSide) {
	s.assistConsentPage(w, r, a, http.StatusOK, nil)
}

func (s *Server) assistConsentPage(w http.ResponseWriter, r *http.Request, a *assistSide, status int, fail *apperr.Error) {
	c, err := s.Assist.Get(r.Context(), r.PathValue("id"))
	if err == nil && (c.HelperKind != a.helper.Kind || c.HelperID != a.helper.ID) {
		err = apperr.New(apperr.NotFound, "consent_not_found", "Không tìm thấy lần đồng ý hỗ trợ này.")
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		a.render(e.Status(), "staff_assist", translator(a.lang)("assist.start_title"), map[string]any{"Error": a.errText(e), "Helper": a.helper.Name})
		return
	}
	data := map[string]any{"C": c, "Helper": a.helper.Name, "Form": r.PostForm}
	if fail != nil {
		data["Error"], data["Field"] = a.errText(fail), fail.Field
	}
	if s.Catalog != nil {
		data["Procedures"] = s.Catalog.Catalog().All()
	}
	a.render(status, "staff_assist_consent", translator(a.lang)("assist.consent_title"), data)
}

// after shows the consent page again with an error, or goes on.
func (s *Server) assistAfter(w http.ResponseWriter, r *http.Request, a *assistSide, err error, next func()) {
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		s.assistConsentPage(w, r, a, e.Status(), e)
		return
	}
	next()
}

func assistTerms(r *http.Request) assist.Terms {
	return assist.Terms{Scope: r.PostFormValue("scope"), Procedure: r.PostFormValue("procedure"),
		IDVerified: r.PostFormValue("id_verified") == "yes", Phone: r.PostFormValue("phone")}
}

// POST — send the citizen a one-time code.
func (s *Server) assistSendCode(w http.ResponseWriter, r *http.Request, a *assistSide) {
	t := assistTerms(r)
	if !a.staff {
		t.IDVerified = false
	}
	_, err := s.Assist.SendCode(r.Context(), a.helper, r.PathValue("id"), t)
	s.assistAfter(w, r, a, err, func() { http.Redirect(w, r, a.base+"/"+r.PathValue("id"), http.StatusSeeOther) })
}

// POST — the code the citizen read out; right, the portal opens.
func (s *Server) assistConfirm(w http.ResponseWriter, r *http.Request, a *assistSide) {
	_, err := s.Assist.Confirm(r.Context(), a.helper, r.PathValue("id"), r.PostFormValue("code"))
	s.assistAfter(w, r, a, err, func() { s.assistOpen(w, r, a) })
}

// POST — a signed paper consent recorded at the counter (officers only).
func (s *Server) assistPaper(w http.ResponseWriter, r *http.Request, a *assistSide) {
	var scan []byte
	if f, _, err := r.FormFile("scan"); err == nil {
		scan, err = io.ReadAll(io.LimitReader(f, assist.MaxScan+1))
		f.Close()
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	_, err := s.Assist.RecordPaper(r.Context(), a.helper, r.PathValue("id"), assist.Paper{Terms: assistTerms(r),
		Ref: r.PostFormValue("paper_ref"), Scan: scan, Attest: r.PostFormValue("attest") == "yes"})
	s.assistAfter(w, r, a, err, func() { s.assistOpen(w, r, a) })
}

// POST — open the portal as the citizen in this browser, under a live consent.
func (s *Server) assistOpen(w http.ResponseWriter, r *http.Request, a *assistSide) {
	sess, _, err := s.Assist.OpenSession(r.Context(), a.helper, r.PathValue("id"))
	s.assistAfter(w, r, a, err, func() {
		setCitizenCookie(w, r, sess)
		http.Redirect(w, r, portalAssistHome, http.StatusSeeOther)
	})
}
