package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
)

// The administration pages of the console: staff accounts and the sign-in
// log, agencies and departments, counters, the procedures the centre serves
// and their workflows, office hours and holiday schedules. Every page needs
// the administrator role; every change goes through a service that audits it.

// adminRoutes registers the administration pages.
func (s *Server) adminRoutes(route func(string, http.HandlerFunc)) {
	admin := func(h func(w http.ResponseWriter, r *http.Request, v *staffView)) http.HandlerFunc {
		return s.staffPage(h, identity.RoleAdministrator)
	}
	route("GET /staff/admin", admin(s.adminIndex))
	route("GET /staff/admin/{$}", admin(func(w http.ResponseWriter, r *http.Request, v *staffView) {
		http.Redirect(w, r, "/staff/admin", http.StatusMovedPermanently)
	}))

	route("GET /staff/admin/users", admin(s.adminUsers))
	route("POST /staff/admin/users", admin(s.adminUserCreate))
	route("GET /staff/admin/users/new", admin(s.adminUserNew))
	route("GET /staff/admin/users/{id}", admin(s.adminUserEdit))
	route("POST /staff/admin/users/{id}", admin(s.adminUserUpdate))
	route("POST /staff/admin/users/{id}/disable", admin(s.adminUserDisable))
	route("POST /staff/admin/users/{id}/enable", admin(s.adminUserEnable))
	route("GET /staff/admin/users/{id}/reset", admin(s.adminUserReset))
	route("POST /staff/admin/users/{id}/reset", admin(s.adminUserReset))
	route("GET /staff/admin/signins", admin(s.adminSignIns))
	s.messagesRoutes(route, s.Notify)

	route("GET /staff/admin/agencies", admin(s.adminAgencies))
	route("POST /staff/admin/agencies", admin(s.adminAgencyCreate))
	route("GET /staff/admin/agencies/new", admin(s.adminAgencyNew))
	route("GET /staff/admin/agencies/{code}", admin(s.adminAgencyEdit))
	route("POST /staff/admin/agencies/{code}", admin(s.adminAgencyUpdate))

	route("GET /staff/admin/counters", admin(s.adminCounters))
	route("POST /staff/admin/counters", admin(s.adminCounterAdd))
	route("POST /staff/admin/counters/{number}", admin(s.adminCounterRename))
	route("POST /staff/admin/counters/{number}/remove", admin(s.adminCounterRemove))

	route("GET /staff/admin/procedures", admin(s.adminProcedures))
	route("POST /staff/admin/procedures", admin(s.adminServedSave))
	route("GET /staff/admin/procedures/{code}", admin(s.adminProcedure))
	route("POST /staff/admin/procedures/{code}/workflow", admin(s.adminWorkflowSave))

	route("GET /staff/admin/calendar", admin(s.adminCalendar))
	route("POST /staff/admin/calendar/hours", admin(s.adminOfficeHours))
	route("POST /staff/admin/calendar/schedule", admin(s.adminSchedule))
}

// adminSection is one entry of the administration index.
type adminSection struct {
	Href, Title, About string
}

// GET /staff/admin — the sections.
func (s *Server) adminIndex(w http.ResponseWriter, r *http.Request, v *staffView) {
	sections := []adminSection{
		{"/staff/admin/users", v.T("admin.users"), v.T("admin.users_about")},
		{"/staff/admin/signins", v.T("admin.signins"), v.T("admin.signins_about")},
		{"/staff/admin/messages", v.T("admin.messages"), v.T("admin.messages_about")},
		{"/staff/admin/agencies", v.T("admin.agencies"), v.T("admin.agencies_about")},
		{"/staff/admin/counters", v.T("admin.counters"), v.T("admin.counters_about")},
		{"/staff/admin/procedures", v.T("admin.procedures"), v.T("admin.procedures_about")},
		{"/staff/admin/calendar", v.T("admin.calendar"), v.T("admin.calendar_about")},
	}
	s.renderStaff(w, r, http.StatusOK, "staff_admin", v, v.T("admin.title"), sections)
}

// adminFormError is one problem of a submitted form; ID is the element the
// error summary links to.
type adminFormError struct {
	Field, ID, Message string
}

// adminForm is what every administration form carries back when it is
// shown again: what was typed, and the problems found.
type adminForm struct {
	Values url.Values
	Errors []adminFormError
}

// Get is a submitted value.
func (f *adminForm) Get(name string) string { return f.Values.Get(name) }

// Err is the message about a field ("" when none).
func (f *adminForm) Err(field string) string {
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Invalid describes a field for assistive technology: its hints (by id)
// and, when it is at fault, aria-invalid and the message beside it (id
// field-error).
func (f *adminForm) Invalid(field string, hints ...string) template.HTMLAttr {
	ids := hints
	attr := ""
	if f.Err(field) != "" {
		ids = append(ids[:len(ids):len(ids)], field+"-error")
		attr = `aria-invalid="true" `
	}
	if len(ids) == 0 {
		return template.HTMLAttr(attr)
	}
	return template.HTMLAttr(attr + `aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`)
}

// Errs lists every message about a field.
func (f *adminForm) Errs(field string) []string {
	var out []string
	for _, e := range f.Errors {
		if e.Field == field {
			out = append(out, e.Message)
		}
	}
	return out
}

// add records a problem about a field, linked to the element with id (the
// field's own name when id is "").
func (f *adminForm) add(field, id, msg string) {
	if id == "" {
		id = field
	}
	if id == "" {
		id = "main"
	}
	f.Errors = append(f.Errors, adminFormError{Field: field, ID: id, Message: msg})
}

// addErr records a service error, with its English text on English pages
// when one is known for its code.
func (f *adminForm) addErr(v *staffView, e *apperr.Error, ids map[string]string) {
	f.add(e.Field, ids[e.Field], adminErrText(v, e))
}

// adminErrText is an error's message in the page's language: the service's
// Vietnamese message, or on English pages the English text of its code.
func adminErrText(v *staffView, e *apperr.Error) string {
	if v.Lang != "vi" {
		if msg, ok := messages[v.Lang]["adminerr."+e.Code]; ok {
			return msg
		}
	}
	return e.Message
}

// adminUserError returns err as an error to show, or nil (and answers the
// request with the error page) when it is internal.
func (s *Server) adminUserError(w http.ResponseWriter, r *http.Request, err error) *apperr.Error {
	e := apperr.As(err)
	if e.Kind == apperr.Internal {
		s.fail(w, r, err)
		return nil
	}
	return e
}

// adminFail shows an error page inside the console, in the page's language
// when its code has an English text.
func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, v *staffView, err error) {
	e := apperr.As(err)
	if e.Kind != apperr.Internal {
		c := *e
		c.Message = adminErrText(v, e)
		err = &c
	}
	s.staffFail(w, r, v, err)
}

// adminHome is the agency whose centre this installation runs.
func (s *Server) adminHome(r *http.Request) (*org.Agency, error) {
	a, err := s.Org.Home(r.Context())
	if errors.Is(err, org.ErrNotFound) {
		return nil, apperr.New(apperr.Conflict, "no_home_agency", "Chưa cấu hình Ủy ban nhân dân xã mà hệ thống phục vụ.")
	}
	if err != nil {
		return nil, apperr.Wrap(err, "home agency")
	}
	return a, nil
}

// adminDone sends the browser to a page with a confirmation message.
func adminDone(w http.ResponseWriter, r *http.Request, path, msg string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"ok="+url.QueryEscape(msg), http.StatusSeeOther)
}

// parseAdminForm reads a posted form, multipart or not, within limit bytes.
func parseAdminForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(apperr.TooLarge, "form_too_large", "Nội dung gửi lên quá lớn.")
		}
		return apperr.New(apperr.Invalid, "unreadable_form", "Không đọc được nội dung biểu mẫu.")
	}
	return nil
}

// adminInvalid is a bad-input error whose message is already in the page's
// language.
func adminInvalid(code, msg string) error { return apperr.New(apperr.Invalid, code, msg) }
