package web

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
)

// totpIssuer names this system in the staff's authenticator apps.
const totpIssuer = "motcua"

// adminUserRow is one line of the list of accounts.
type adminUserRow struct {
	identity.User
	AgencyName string
	Locked     bool
}

// GET /staff/admin/users
func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, v *staffView) {
	users, err := s.Staff.Users(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := s.adminAgencyNames(r)
	now := s.Now()
	rows := make([]adminUserRow, 0, len(users))
	for _, u := range users {
		rows = append(rows, adminUserRow{User: u, AgencyName: names[u.Agency], Locked: u.LockedUntil != nil && u.LockedUntil.After(now)})
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_users", v, v.T("admin.users"), rows)
}

func (s *Server) adminAgencyNames(r *http.Request) map[string]string {
	out := map[string]string{}
	if as, err := s.Org.List(r.Context()); err == nil {
		for _, a := range as {
			out[a.Code] = a.Name
		}
	}
	return out
}

// adminRoleOption is one role checkbox.
type adminRoleOption struct {
	ID, Name string
	Checked  bool
}

// adminUserPage is the form that creates or changes an account.
type adminUserPage struct {
	adminForm
	User     *identity.User // nil: a new account
	Roles    []adminRoleOption
	Agencies []org.Agency
	Counters []org.Counter
	Self     bool
}

// adminUserFieldIDs maps the fields the staff service names to the elements of
// the form.
var adminUserFieldIDs = map[string]string{"roles": "role-" + identity.StaffRoles[0]}

func (s *Server) adminUserPage(w http.ResponseWriter, r *http.Request, v *staffView, u *identity.User, vals url.Values) (*adminUserPage, bool) {
	agencies, err := s.Org.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	pg := &adminUserPage{adminForm: adminForm{Values: vals}, User: u, Agencies: agencies, Self: u != nil && u.ID == v.User.ID}
	if home, err := s.Org.Home(r.Context()); err == nil {
		pg.Counters, _ = s.Org.Counters(r.Context(), home.Code)
	}
	if u != nil && u.Counter > 0 && !slices.ContainsFunc(pg.Counters, func(c org.Counter) bool { return c.Number == u.Counter }) {
		// A counter removed since: keep it choosable, so saving does not move the officer.
		pg.Counters = append(pg.Counters, org.Counter{Number: u.Counter, Name: fmt.Sprintf(v.T("admin.counter_n"), u.Counter)})
	}
	for _, role := range identity.StaffRoles {
		pg.Roles = append(pg.Roles, adminRoleOption{ID: role, Name: v.T("role." + role), Checked: slices.Contains(vals["roles"], role)})
	}
	return pg, true
}

func adminUserValues(u *identity.User) url.Values {
	vals := url.Values{"username": {u.Username}, "full_name": {u.FullName}, "roles": u.Roles, "agency": {u.Agency}, "title": {u.Title},
		"phone": {u.Phone}, "department": {u.Department}}
	if u.Counter > 0 {
		vals.Set("counter", strconv.Itoa(u.Counter))
	}
	return vals
}

// GET /staff/admin/users/new
func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request, v *staffView) {
	vals := url.Values{}
	if home, err := s.Org.Home(r.Context()); err == nil {
		vals.Set("agency", home.Code)
	}
	pg, ok := s.adminUserPage(w, r, v, nil, vals)
	if !ok {
		return
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_user", v, v.T("admin.user_new"), pg)
}

// adminUserInput reads the form; problems the service would not name in the
// page's words are added to the page.
func (s *Server) adminUserInput(r *http.Request, v *staffView, pg *adminUserPage) identity.UserInput {
	f := r.PostForm
	in := identity.UserInput{Username: f.Get("username"), FullName: f.Get("full_name"), Roles: f["roles"], Agency: f.Get("agency"),
		Title: f.Get("title"), Phone: f.Get("phone"), Department: f.Get("department")}
	if c := strings.TrimSpace(f.Get("counter")); c != "" {
		n, err := strconv.Atoi(c)
		switch {
		case err != nil || n < 0:
			pg.add("counter", "", v.T("admin.err_counter"))
		case n > 0 && !slices.ContainsFunc(pg.Counters, func(c org.Counter) bool { return c.Number == n }):
			pg.add("counter", "", v.T("admin.err_counter_unknown"))
		default:
			in.Counter = n
		}
	}
	if in.Agency != "" && !slices.ContainsFunc(pg.Agencies, func(a org.Agency) bool { return a.Code == in.Agency }) {
		pg.add("agency", "", v.T("admin.err_agency_unknown"))
	}
	for _, text := range []struct{ name, value string }{{"full_name", in.FullName}, {"title", in.Title}, {"department", in.Department}, {"phone", in.Phone}} {
		if len(text.value) > 300 {
			pg.add(text.name, "", v.T("admin.err_too_long"))
		}
	}
	return in
}

// POST /staff/admin/users — create an account and show its first password
// and authenticator key, once.
func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request, v *staffView) {
	if err := parseAdminForm(w, r, 64<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	pg, ok := s.adminUserPage(w, r, v, nil, r.PostForm)
	if !ok {
		return
	}
	in := s.adminUserInput(r, v, pg)
	if len(pg.Errors) == 0 {
		u, creds, err := s.Staff.CreateUser(r.Context(), principal(r), in)
		if err == nil {
			s.adminShowCredentials(w, r, v, u, creds, false)
			return
		}
		e := s.adminUserError(w, r, err)
		if e == nil {
			return
		}
		pg.addErr(v, e, adminUserFieldIDs)
	}
	s.renderStaff(w, r, http.StatusBadRequest, "staff_admin_user", v, v.T("admin.user_new"), pg)
}

// adminCredentialsPage shows a first password and authenticator key once.
type adminCredentialsPage struct {
	U      *identity.User
	C      *identity.Credentials
	Secret string // the key in groups of four, to type
	URL    string
	QR     template.URL
	Reset  bool
}

func (s *Server) adminShowCredentials(w http.ResponseWriter, r *http.Request, v *staffView, u *identity.User, c *identity.Credentials, reset bool) {
	otp := identity.TOTPURL(totpIssuer, u.Username, c.TOTPSecret)
	pg := &adminCredentialsPage{U: u, C: c, URL: otp, Reset: reset, Secret: totpGroups(c.TOTPSecret, 4)}
	if png, err := qrcode.Encode(otp, qrcode.Medium, 240); err == nil {
		pg.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	title := v.T("admin.credentials_title")
	s.renderStaff(w, r, http.StatusOK, "staff_admin_credentials", v, title, pg)
}

// totpGroups writes s in groups of n characters, for reading aloud or typing.
func totpGroups(s string, n int) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && i%n == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (s *Server) adminUserFor(w http.ResponseWriter, r *http.Request, v *staffView) (*identity.User, bool) {
	u, err := s.Staff.User(r.Context(), r.PathValue("id"))
	if err != nil {
		s.adminFail(w, r, v, err)
		return nil, false
	}
	return u, true
}

// GET /staff/admin/users/{id}
func (s *Server) adminUserEdit(w http.ResponseWriter, r *http.Request, v *staffView) {
	u, ok := s.adminUserFor(w, r, v)
	if !ok {
		return
	}
	pg, ok := s.adminUserPage(w, r, v, u, adminUserValues(u))
	if !ok {
		return
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_user", v, u.FullName, pg)
}

// POST /staff/admin/users/{id}
func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request, v *staffView) {
	u, ok := s.adminUserFor(w, r, v)
	if !ok {
		return
	}
	if err := parseAdminForm(w, r, 64<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	vals := r.PostForm
	vals.Set("username", u.Username)
	pg, ok := s.adminUserPage(w, r, v, u, vals)
	if !ok {
		return
	}
	in := s.adminUserInput(r, v, pg)
	in.Disabled = u.Disabled
	status := http.StatusBadRequest
	if len(pg.Errors) == 0 {
		err := s.Staff.UpdateUser(r.Context(), principal(r), u.ID, in)
		if err == nil {
			adminDone(w, r, "/staff/admin/users", fmt.Sprintf(v.T("admin.user_saved"), in.FullName))
			return
		}
		e := s.adminUserError(w, r, err)
		if e == nil {
			return
		}
		status = e.Status()
		pg.addErr(v, e, adminUserFieldIDs)
	}
	s.renderStaff(w, r, status, "staff_admin_user", v, u.FullName, pg)
}

// POST /staff/admin/users/{id}/disable and …/enable
func (s *Server) adminUserDisable(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.adminSetDisabled(w, r, v, true)
}

func (s *Server) adminUserEnable(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.adminSetDisabled(w, r, v, false)
}

func (s *Server) adminSetDisabled(w http.ResponseWriter, r *http.Request, v *staffView, disabled bool) {
	u, ok := s.adminUserFor(w, r, v)
	if !ok {
		return
	}
	in := identity.UserInput{Username: u.Username, FullName: u.FullName, Roles: u.Roles, Agency: u.Agency, Title: u.Title, Phone: u.Phone,
		Department: u.Department, Counter: u.Counter, Disabled: disabled}
	if err := s.Staff.UpdateUser(r.Context(), principal(r), u.ID, in); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	msg := v.T("admin.user_enabled")
	if disabled {
		msg = v.T("admin.user_disabled")
	}
	adminDone(w, r, "/staff/admin/users/"+url.PathEscape(u.ID), fmt.Sprintf(msg, u.FullName))
}

// GET /staff/admin/users/{id}/reset asks; POST gives a new password and
// authenticator key (shown once) and ends the account's sessions.
func (s *Server) adminUserReset(w http.ResponseWriter, r *http.Request, v *staffView) {
	u, ok := s.adminUserFor(w, r, v)
	if !ok {
		return
	}
	if r.Method == http.MethodGet {
		s.renderStaff(w, r, http.StatusOK, "staff_admin_reset", v, v.T("admin.reset_title"), u)
		return
	}
	creds, err := s.Staff.ResetCredentials(r.Context(), principal(r), u.ID)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	if u.ID == v.User.ID {
		// One's own sessions end too: this page is the last one.
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	s.adminShowCredentials(w, r, v, u, creds, true)
}

// adminSignInRow is one line of the sign-in log.
type adminSignInRow struct {
	identity.SignInRecord
	OK   bool
	Text string // the outcome in words
}

// GET /staff/admin/signins?username=
func (s *Server) adminSignIns(w http.ResponseWriter, r *http.Request, v *staffView) {
	records, err := s.Staff.SignIns(r.Context(), 1000)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	who := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("username")))
	rows := []adminSignInRow{}
	for _, rec := range records {
		if who != "" && !strings.Contains(rec.Username, who) {
			continue
		}
		if len(rows) == 300 {
			break
		}
		text := v.T("admin.outcome." + rec.Outcome)
		if text == "admin.outcome."+rec.Outcome {
			text = rec.Outcome
		}
		rows = append(rows, adminSignInRow{SignInRecord: rec, OK: rec.Outcome == "ok", Text: text})
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_signins", v, v.T("admin.signins"), map[string]any{"Rows": rows, "Username": who})
}
