package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/org"
)

// adminAgencyRow is one line of the list of agencies.
type adminAgencyRow struct {
	org.Agency
	ParentName string
	Home       bool
}

// GET /staff/admin/agencies
func (s *Server) adminAgencies(w http.ResponseWriter, r *http.Request, v *staffView) {
	as, err := s.Org.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[string]string{}
	for _, a := range as {
		names[a.Code] = a.Name
	}
	home, _ := s.Org.Home(r.Context())
	rows := make([]adminAgencyRow, 0, len(as))
	for _, a := range as {
		rows = append(rows, adminAgencyRow{Agency: a, ParentName: names[a.Parent], Home: home != nil && home.Code == a.Code})
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_agencies", v, v.T("admin.agencies"), rows)
}

// adminAgencyPage is the form that creates or changes an agency.
type adminAgencyPage struct {
	adminForm
	Agency  *org.Agency // nil: a new agency
	Kinds   []string
	Parents []org.Agency
}

func (s *Server) adminAgencyPage(w http.ResponseWriter, r *http.Request, a *org.Agency, vals url.Values) (*adminAgencyPage, bool) {
	as, err := s.Org.List(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	pg := &adminAgencyPage{adminForm: adminForm{Values: vals}, Agency: a, Kinds: org.Kinds}
	for _, p := range as {
		if a == nil || p.Code != a.Code {
			pg.Parents = append(pg.Parents, p)
		}
	}
	return pg, true
}

func adminAgencyValues(a *org.Agency) url.Values {
	return url.Values{"code": {a.Code}, "name": {a.Name}, "name_en": {a.NameEn}, "kind": {a.Kind}, "parent": {a.Parent}, "address": {a.Address},
		"phone": {a.Phone}, "email": {a.Email}, "centre_name": {a.Centre.Name}, "centre_address": {a.Centre.Address},
		"centre_hours": {a.Centre.Hours}, "centre_hotline": {a.Centre.Hotline}, "centre_website": {a.Centre.Website}}
}

func adminAgencyFrom(f url.Values) org.Agency {
	return org.Agency{Code: f.Get("code"), Name: f.Get("name"), NameEn: f.Get("name_en"), Kind: f.Get("kind"), Parent: f.Get("parent"),
		Address: f.Get("address"), Phone: f.Get("phone"), Email: f.Get("email"),
		Centre: org.Centre{Name: f.Get("centre_name"), Address: f.Get("centre_address"), Hours: f.Get("centre_hours"),
			Hotline: f.Get("centre_hotline"), Website: f.Get("centre_website")}}
}

// GET /staff/admin/agencies/new[?kind=department]
func (s *Server) adminAgencyNew(w http.ResponseWriter, r *http.Request, v *staffView) {
	vals := url.Values{"kind": {r.URL.Query().Get("kind")}}
	if home, err := s.Org.Home(r.Context()); err == nil {
		vals.Set("parent", home.Code)
		if vals.Get("kind") == org.KindDepartment {
			vals.Set("code", home.Code+".")
		}
	}
	pg, ok := s.adminAgencyPage(w, r, nil, vals)
	if !ok {
		return
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_agency", v, v.T("admin.agency_new"), pg)
}

// POST /staff/admin/agencies
func (s *Server) adminAgencyCreate(w http.ResponseWriter, r *http.Request, v *staffView) {
	if err := parseAdminForm(w, r, 64<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	pg, ok := s.adminAgencyPage(w, r, nil, r.PostForm)
	if !ok {
		return
	}
	a := adminAgencyFrom(r.PostForm)
	var err error
	if a.Kind == org.KindDepartment && strings.TrimSpace(a.Parent) == "" {
		err = s.Org.CreateDepartment(r.Context(), a, principal(r).Actor())
	} else {
		err = s.Org.CreateAgency(r.Context(), a, principal(r).Actor())
	}
	if err == nil {
		adminDone(w, r, "/staff/admin/agencies", fmt.Sprintf(v.T("admin.agency_saved"), strings.TrimSpace(a.Name)))
		return
	}
	e := s.adminUserError(w, r, err)
	if e == nil {
		return
	}
	pg.addErr(v, e, nil)
	s.renderStaff(w, r, e.Status(), "staff_admin_agency", v, v.T("admin.agency_new"), pg)
}

func (s *Server) adminAgencyFor(w http.ResponseWriter, r *http.Request, v *staffView) (*org.Agency, bool) {
	a, err := s.Org.Get(r.Context(), r.PathValue("code"))
	if errors.Is(err, org.ErrNotFound) {
		s.adminFail(w, r, v, org.ErrAgencyNotFound)
		return nil, false
	}
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return a, true
}

// GET /staff/admin/agencies/{code}
func (s *Server) adminAgencyEdit(w http.ResponseWriter, r *http.Request, v *staffView) {
	a, ok := s.adminAgencyFor(w, r, v)
	if !ok {
		return
	}
	pg, ok := s.adminAgencyPage(w, r, a, adminAgencyValues(a))
	if !ok {
		return
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin_agency", v, a.Name, pg)
}

// POST /staff/admin/agencies/{code}
func (s *Server) adminAgencyUpdate(w http.ResponseWriter, r *http.Request, v *staffView) {
	a, ok := s.adminAgencyFor(w, r, v)
	if !ok {
		return
	}
	if err := parseAdminForm(w, r, 64<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	vals := r.PostForm
	vals.Set("code", a.Code)
	pg, ok := s.adminAgencyPage(w, r, a, vals)
	if !ok {
		return
	}
	in := adminAgencyFrom(vals)
	err := s.Org.UpdateAgency(r.Context(), in, principal(r).Actor())
	if err == nil {
		adminDone(w, r, "/staff/admin/agencies", fmt.Sprintf(v.T("admin.agency_saved"), strings.TrimSpace(in.Name)))
		return
	}
	e := s.adminUserError(w, r, err)
	if e == nil {
		return
	}
	pg.addErr(v, e, nil)
	s.renderStaff(w, r, e.Status(), "staff_admin_agency", v, a.Name, pg)
}

// adminCountersPage lists the home centre's counters, with the forms that
// change them.
type adminCountersPage struct {
	adminForm
	Centre   *org.Agency
	Counters []org.Counter
	Seated   map[int][]string // who sits at each counter
	Row      int              // the counter whose rename failed
}

func (s *Server) adminCountersPage(w http.ResponseWriter, r *http.Request, v *staffView, status int, pg *adminCountersPage) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	pg.Centre = home
	if pg.Counters, err = s.Org.Counters(r.Context(), home.Code); err != nil {
		s.fail(w, r, err)
		return
	}
	pg.Seated = map[int][]string{}
	if users, err := s.Staff.Users(r.Context(), home.Code); err == nil {
		for _, u := range users {
			if u.Counter > 0 && !u.Disabled {
				pg.Seated[u.Counter] = append(pg.Seated[u.Counter], u.FullName)
			}
		}
	}
	if pg.Values == nil {
		pg.Values = url.Values{}
	}
	s.renderStaff(w, r, status, "staff_admin_counters", v, v.T("admin.counters"), pg)
}

// GET /staff/admin/counters
func (s *Server) adminCounters(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.adminCountersPage(w, r, v, http.StatusOK, &adminCountersPage{})
}

// POST /staff/admin/counters — add a counter.
func (s *Server) adminCounterAdd(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	if err := parseAdminForm(w, r, 16<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	pg := &adminCountersPage{adminForm: adminForm{Values: r.PostForm}}
	n, convErr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("number")))
	if convErr != nil {
		pg.add("number", "", v.T("admin.err_counter_number"))
		s.adminCountersPage(w, r, v, http.StatusBadRequest, pg)
		return
	}
	name := r.PostFormValue("name")
	err = s.Org.AddCounter(r.Context(), home.Code, org.Counter{Number: n, Name: name}, principal(r).Actor())
	if err == nil {
		adminDone(w, r, "/staff/admin/counters", fmt.Sprintf(v.T("admin.counter_added"), n))
		return
	}
	e := s.adminUserError(w, r, err)
	if e == nil {
		return
	}
	pg.addErr(v, e, nil)
	s.adminCountersPage(w, r, v, e.Status(), pg)
}

func adminCounterNumber(r *http.Request) (int, error) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return 0, org.ErrCounterNotFound
	}
	return n, nil
}

// POST /staff/admin/counters/{number} — rename.
func (s *Server) adminCounterRename(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	n, err := adminCounterNumber(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	if err := parseAdminForm(w, r, 16<<10); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	err = s.Org.RenameCounter(r.Context(), home.Code, n, r.PostFormValue("name"), principal(r).Actor())
	if err == nil {
		adminDone(w, r, "/staff/admin/counters", fmt.Sprintf(v.T("admin.counter_renamed"), n))
		return
	}
	e := s.adminUserError(w, r, err)
	if e == nil {
		return
	}
	if e.Kind == apperr.NotFound {
		s.adminFail(w, r, v, e)
		return
	}
	pg := &adminCountersPage{adminForm: adminForm{Values: url.Values{}}, Row: n}
	pg.add(fmt.Sprintf("name-%d", n), "", adminErrText(v, e))
	s.adminCountersPage(w, r, v, e.Status(), pg)
}

// POST /staff/admin/counters/{number}/remove
func (s *Server) adminCounterRemove(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	n, err := adminCounterNumber(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	err = s.Org.RemoveCounter(r.Context(), home.Code, n, principal(r).Actor())
	if err == nil {
		adminDone(w, r, "/staff/admin/counters", fmt.Sprintf(v.T("admin.counter_removed"), n))
		return
	}
	e := s.adminUserError(w, r, err)
	if e == nil {
		return
	}
	if e.Kind == apperr.NotFound {
		s.adminFail(w, r, v, e)
		return
	}
	pg := &adminCountersPage{}
	pg.add("", fmt.Sprintf("remove-%d", n), adminErrText(v, e))
	s.adminCountersPage(w, r, v, e.Status(), pg)
}
