package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/queue"
)

// The queue's administration (administrators only): the service groups —
// their ticket letter, names, kiosk icon, the procedures they cover, the
// average service time, whether they take tickets and their order — the
// groups each counter serves and whether it is open, and the centre's
// queue rules with its priority classes.

func queueAdminRoutes(s *Server, route func(string, http.HandlerFunc)) {
	admin := func(h func(w http.ResponseWriter, r *http.Request, v *staffView)) http.HandlerFunc {
		return s.staffPage(h, identity.RoleAdministrator)
	}
	route("GET /staff/admin/queue", admin(s.queueAdmin))
	route("GET /staff/admin/queue/groups/new", admin(s.queueAdminGroupNew))
	route("POST /staff/admin/queue/groups", admin(s.queueAdminGroupCreate))
	route("GET /staff/admin/queue/groups/{code}", admin(s.queueAdminGroupEdit))
	route("POST /staff/admin/queue/groups/{code}", admin(s.queueAdminGroupUpdate))
	route("POST /staff/admin/queue/counters/{number}", admin(s.queueAdminCounterSave))
	route("GET /staff/admin/queue/settings", admin(s.queueAdminSettings))
	route("POST /staff/admin/queue/settings", admin(s.queueAdminSettingsSave))
}

// queueIcons are the kiosk's pictures for the groups.
var queueIcons = []string{"family", "stamp", "shop", "house", "heart", "shield"}

// qaGroupRow is a line of the groups' table.
type qaGroupRow struct {
	queue.Group
	Shown      string // the name in the page's language
	Minutes    string
	Procedures int
}

// qaCounterRow is a counter with its form.
type qaCounterRow struct {
	queue.Counter
	Seated string
	Serves map[string]bool
}

// qaIndexPage is the queue's administration page.
type qaIndexPage struct {
	adminForm
	Groups   []qaGroupRow
	Counters []qaCounterRow
	Row      int // the counter whose form failed
	Settings queue.Settings
	Mode     string
}

func (s *Server) queueAdminPage(w http.ResponseWriter, r *http.Request, v *staffView, status int, pg *qaIndexPage) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	ctx := r.Context()
	groups, err := s.Queue.Groups(ctx, home.Code, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, g := range groups {
		pg.Groups = append(pg.Groups, qaGroupRow{Group: g, Shown: qGroupName(v.view, g), Minutes: qaMinutes(g.ServiceSeconds), Procedures: len(g.Procedures)})
	}
	counters, err := s.Queue.Counters(ctx, home.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	seated := map[int][]string{}
	if users, err := s.Staff.Users(ctx, home.Code); err == nil {
		for _, u := range users {
			if u.Counter > 0 && !u.Disabled {
				seated[u.Counter] = append(seated[u.Counter], u.FullName)
			}
		}
	}
	for _, c := range counters {
		row := qaCounterRow{Counter: c, Seated: qmJoin(seated[c.Number]), Serves: map[string]bool{}}
		if pg.Row == c.Number && pg.Values != nil {
			// What was sent, shown again with the problem.
			for _, g := range pg.Values["groups"] {
				row.Serves[g] = true
			}
			row.Open = pg.Values.Get("open") == "1"
		} else {
			for _, g := range c.Groups {
				row.Serves[g] = true
			}
		}
		pg.Counters = append(pg.Counters, row)
	}
	if pg.Settings, err = s.Queue.Settings(ctx, home.Code); err != nil {
		s.fail(w, r, err)
		return
	}
	pg.Mode = v.T(fmt.Sprint("qa.mode_", pg.Settings.PriorityMode))
	if pg.Values == nil {
		pg.Values = url.Values{}
	}
	s.renderStaff(w, r, status, "staff_admin_queue", v, v.T("qa.title"), pg)
}

func qaMinutes(sec int) string {
	m := float64(sec) / 60
	if m == math.Trunc(m) {
		return strconv.Itoa(int(m))
	}
	return strconv.FormatFloat(m, 'f', 1, 64)
}

// GET /staff/admin/queue
func (s *Server) queueAdmin(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.queueAdminPage(w, r, v, http.StatusOK, &qaIndexPage{})
}

// POST /staff/admin/queue/counters/{number} — groups (repeated), open.
func (s *Server) queueAdminCounterSave(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		s.adminFail(w, r, v, queue.ErrCounterNotFound)
		return
	}
	if _, err := s.Queue.Counter(r.Context(), home.Code, n); err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	groups := []string{}
	for _, g := range r.PostForm["groups"] {
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	open := r.PostFormValue("open") == "1"
	err = s.Queue.SetCounter(r.Context(), principal(r).Actor(), home.Code, n, groups, open)
	if err == nil {
		http.Redirect(w, r, "/staff/admin/queue?ok="+url.QueryEscape(fmt.Sprintf(v.T("qa.counter_saved"), n))+"#counters", http.StatusSeeOther)
		return
	}
	e := s.adminUserError(w, r, err)
	if e == nil {
		return
	}
	pg := &qaIndexPage{adminForm: adminForm{Values: r.PostForm}, Row: n}
	pg.add(fmt.Sprintf("groups-%d", n), fmt.Sprintf("counter-%d-groups", n), adminErrText(v, e))
	s.queueAdminPage(w, r, v, e.Status(), pg)
}

// qaIcon is one of the kiosk's pictures.
type qaIcon struct {
	Code, Label string
}

// qaProc is a procedure that a group may cover.
type qaProc struct {
	Code, Name string
	Checked    bool
	Other      string // the other group that covers it
}

// qaField is the procedures of one field.
type qaField struct {
	Name  string
	ID    string
	Procs []qaProc
}

// qaGroupPage is the form of a service group.
type qaGroupPage struct {
	adminForm
	New    bool
	Code   string
	Icons  []qaIcon
	Fields []qaField
}

func (s *Server) queueAdminGroupPage(w http.ResponseWriter, r *http.Request, v *staffView, status int, pg *qaGroupPage) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	for _, ic := range queueIcons {
		pg.Icons = append(pg.Icons, qaIcon{Code: ic, Label: v.T(fmt.Sprint("qa.icon_", ic))})
	}
	groups, err := s.Queue.Groups(r.Context(), home.Code, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	other := map[string]string{}
	for _, g := range groups {
		if g.Code == pg.Code {
			continue
		}
		for _, p := range g.Procedures {
			if other[p] == "" {
				other[p] = g.Prefix + " – " + qGroupName(v.view, g)
			}
		}
	}
	checked := map[string]bool{}
	for _, c := range pg.Values["procedures"] {
		checked[c] = true
	}
	byField := map[string]int{}
	for i, p := range s.Catalog.Catalog().All() {
		field := p.Field
		if v.Lang != "vi" && p.FieldEn != "" {
			field = p.FieldEn
		}
		k, ok := byField[field]
		if !ok {
			k = len(pg.Fields)
			byField[field] = k
			pg.Fields = append(pg.Fields, qaField{Name: field, ID: fmt.Sprintf("field-%d", i)})
		}
		name := p.Name
		if v.Lang != "vi" && p.NameEn != "" {
			name = p.NameEn
		}
		pg.Fields[k].Procs = append(pg.Fields[k].Procs, qaProc{Code: p.Code, Name: name, Checked: checked[p.Code], Other: other[p.Code]})
	}
	title := v.T("qa.group_new")
	if !pg.New {
		title = fmt.Sprintf(v.T("qa.group_edit"), pg.Values.Get("prefix")+" – "+pg.Values.Get("name"))
	}
	s.renderStaff(w, r, status, "staff_admin_queue_group", v, title, pg)
}

func qaGroupValues(g *queue.Group) url.Values {
	vals := url.Values{"code": {g.Code}, "prefix": {g.Prefix}, "name": {g.Name}, "name_en": {g.NameEn}, "icon": {g.Icon},
		"service_minutes": {qaMinutes(g.ServiceSeconds)}, "position": {strconv.Itoa(g.Position)}, "procedures": g.Procedures}
	if g.Active {
		vals.Set("active", "1")
	}
	return vals
}

// GET /staff/admin/queue/groups/new
func (s *Server) queueAdminGroupNew(w http.ResponseWriter, r *http.Request, v *staffView) {
	vals := url.Values{"service_minutes": {"10"}, "active": {"1"}}
	if home, err := s.adminHome(r); err == nil {
		if gs, err := s.Queue.Groups(r.Context(), home.Code, true); err == nil {
			last := 0
			for _, g := range gs {
				last = max(last, g.Position)
			}
			vals.Set("position", strconv.Itoa(last+1))
		}
	}
	s.queueAdminGroupPage(w, r, v, http.StatusOK, &qaGroupPage{adminForm: adminForm{Values: vals}, New: true})
}

// GET /staff/admin/queue/groups/{code}
func (s *Server) queueAdminGroupEdit(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	g, err := s.Queue.Group(r.Context(), home.Code, r.PathValue("code"))
	if err != nil {
		s.adminFail(w, r, v, qaGroupNotFound(err))
		return
	}
	s.queueAdminGroupPage(w, r, v, http.StatusOK, &qaGroupPage{adminForm: adminForm{Values: qaGroupValues(g)}, Code: g.Code})
}

// qaGroupNotFound is a 404 for an unknown group's page.
func qaGroupNotFound(err error) error {
	if e := apperr.As(err); e.Code == "group_not_found" {
		return apperr.New(apperr.NotFound, "group_not_found", e.Message)
	}
	return err
}

// POST /staff/admin/queue/groups — a new group.
func (s *Server) queueAdminGroupCreate(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.queueAdminGroupSave(w, r, v, "")
}

// POST /staff/admin/queue/groups/{code}
func (s *Server) queueAdminGroupUpdate(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	if _, err := s.Queue.Group(r.Context(), home.Code, r.PathValue("code")); err != nil {
		s.adminFail(w, r, v, qaGroupNotFound(err))
		return
	}
	s.queueAdminGroupSave(w, r, v, r.PathValue("code"))
}

func (s *Server) queueAdminGroupSave(w http.ResponseWriter, r *http.Request, v *staffView, code string) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	f := r.PostForm
	if code != "" {
		f.Set("code", code)
	}
	pg := &qaGroupPage{adminForm: adminForm{Values: f}, New: code == "", Code: code}
	g := queue.Group{Code: strings.TrimSpace(f.Get("code")), Prefix: f.Get("prefix"), Name: f.Get("name"), NameEn: f.Get("name_en"),
		Icon: f.Get("icon"), Active: f.Get("active") == "1"}
	for _, p := range f["procedures"] {
		if !slices.Contains(g.Procedures, p) {
			g.Procedures = append(g.Procedures, p)
		}
	}
	minutes, merr := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f.Get("service_minutes")), ",", "."), 64)
	if merr != nil || math.IsNaN(minutes) || math.IsInf(minutes, 0) {
		pg.add("service_minutes", "", v.T("qa.err_minutes"))
	} else {
		g.ServiceSeconds = int(math.Round(minutes * 60))
	}
	pos, perr := strconv.Atoi(strings.TrimSpace(f.Get("position")))
	if perr != nil || pos < 0 || pos > 999 {
		pg.add("position", "", v.T("qa.err_position"))
	}
	g.Position = pos
	if g.Icon != "" && !slices.Contains(queueIcons, g.Icon) {
		pg.add("icon", "icon-"+queueIcons[0], v.T("qa.err_icon"))
	}
	if code == "" && g.Code != "" {
		if _, err := s.Queue.Group(r.Context(), home.Code, g.Code); err == nil {
			pg.add("code", "", v.T("qa.err_code_taken"))
		}
	}
	if len(pg.Errors) == 0 {
		err := s.Queue.SaveGroup(r.Context(), principal(r).Actor(), home.Code, g)
		if err == nil {
			adminDone(w, r, "/staff/admin/queue", fmt.Sprintf(v.T("qa.group_saved"), strings.ToUpper(strings.TrimSpace(g.Prefix)), strings.TrimSpace(g.Name)))
			return
		}
		e := s.adminUserError(w, r, err)
		if e == nil {
			return
		}
		ids := map[string]string{"service_seconds": "service_minutes", "procedures": "procedures-first"}
		field := e.Field
		if field == "service_seconds" {
			field = "service_minutes"
		}
		pg.Errors = append(pg.Errors, adminFormError{Field: field, ID: qaID(ids, e.Field), Message: adminErrText(v, e)})
		s.queueAdminGroupPage(w, r, v, e.Status(), pg)
		return
	}
	s.queueAdminGroupPage(w, r, v, http.StatusBadRequest, pg)
}

func qaID(ids map[string]string, field string) string {
	if id := ids[field]; id != "" {
		return id
	}
	if field == "" {
		return "main"
	}
	return field
}

// qaSettingsPage is the form of the queue's rules.
type qaSettingsPage struct {
	adminForm
	Classes []queue.PriorityClass // with two blank lines to add more
}

func (s *Server) queueAdminSettingsPage(w http.ResponseWriter, r *http.Request, v *staffView, status int, pg *qaSettingsPage) {
	for range 2 {
		pg.Classes = append(pg.Classes, queue.PriorityClass{})
	}
	s.renderStaff(w, r, status, "staff_admin_queue_settings", v, v.T("qa.settings"), pg)
}

// GET /staff/admin/queue/settings
func (s *Server) queueAdminSettings(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	st, err := s.Queue.Settings(r.Context(), home.Code)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vals := url.Values{"priority_mode": {st.PriorityMode}, "interleave_n": {strconv.Itoa(st.InterleaveN)}, "grace_minutes": {strconv.Itoa(st.GraceMinutes)},
		"max_absences": {strconv.Itoa(st.MaxAbsences)}, "notify_ahead": {strconv.Itoa(st.NotifyAhead)}, "slot_minutes": {strconv.Itoa(st.SlotMinutes)},
		"booking_days": {strconv.Itoa(st.BookingDays)}, "booking_share": {strconv.Itoa(st.BookingShare)}}
	if st.KeepOvernight {
		vals.Set("keep_overnight", "1")
	}
	pg := &qaSettingsPage{adminForm: adminForm{Values: vals}, Classes: append([]queue.PriorityClass(nil), st.PriorityClasses...)}
	s.queueAdminSettingsPage(w, r, v, http.StatusOK, pg)
}

// qaSettingsNumbers are the settings' whole-number fields.
var qaSettingsNumbers = []string{"interleave_n", "grace_minutes", "max_absences", "notify_ahead", "slot_minutes", "booking_days", "booking_share"}

// POST /staff/admin/queue/settings
func (s *Server) queueAdminSettingsSave(w http.ResponseWriter, r *http.Request, v *staffView) {
	home, err := s.adminHome(r)
	if err != nil {
		s.adminFail(w, r, v, err)
		return
	}
	f := r.PostForm
	pg := &qaSettingsPage{adminForm: adminForm{Values: f}}
	nums := map[string]int{}
	for _, k := range qaSettingsNumbers {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(k)))
		if err != nil {
			pg.add(k, "", v.T("qa.err_whole_number"))
			continue
		}
		nums[k] = n
	}
	st := queue.Settings{PriorityMode: f.Get("priority_mode"), InterleaveN: nums["interleave_n"], GraceMinutes: nums["grace_minutes"],
		MaxAbsences: nums["max_absences"], KeepOvernight: f.Get("keep_overnight") == "1", NotifyAhead: nums["notify_ahead"],
		SlotMinutes: nums["slot_minutes"], BookingDays: nums["booking_days"], BookingShare: nums["booking_share"]}
	codes, names, namesEn := f["pc_code"], f["pc_name"], f["pc_name_en"]
	at := func(xs []string, i int) string {
		if i < len(xs) {
			return strings.TrimSpace(xs[i])
		}
		return ""
	}
	for i := range max(len(codes), len(names), len(namesEn)) {
		c := queue.PriorityClass{Code: at(codes, i), Name: at(names, i), NameEn: at(namesEn, i)}
		pg.Classes = append(pg.Classes, c)
		if c.Code == "" && c.Name == "" && c.NameEn == "" {
			continue // an empty line
		}
		st.PriorityClasses = append(st.PriorityClasses, c)
	}
	if len(st.PriorityClasses) == 0 {
		pg.add("priority_classes", "pc_code-0", v.T("qa.err_no_classes"))
	}
	if len(pg.Errors) == 0 {
		err := s.Queue.SaveSettings(r.Context(), principal(r).Actor(), home.Code, st)
		if err == nil {
			adminDone(w, r, "/staff/admin/queue/settings", v.T("qa.settings_saved"))
			return
		}
		e := s.adminUserError(w, r, err)
		if e == nil {
			return
		}
		pg.Errors = append(pg.Errors, adminFormError{Field: e.Field, ID: qaID(map[string]string{"priority_classes": "pc_code-0", "priority_mode": "mode-strict"}, e.Field),
			Message: adminErrText(v, e)})
	}
	// Show the lines as sent, without the empty ones.
	var kept []queue.PriorityClass
	for _, c := range pg.Classes {
		if c.Code != "" || c.Name != "" || c.NameEn != "" {
			kept = append(kept, c)
		}
	}
	pg.Classes = kept
	s.queueAdminSettingsPage(w, r, v, http.StatusBadRequest, pg)
}
