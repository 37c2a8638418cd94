package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/vntext"
)

// procedureSummary is a procedure as listed: enough to choose it.
type procedureSummary struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	NameEn   string   `json:"name_en,omitempty"`
	Field    string   `json:"field"`
	Summary  string   `json:"summary,omitempty"`
	Online   string   `json:"online"`
	Time     string   `json:"time"`
	Fee      string   `json:"fee"`
	URL      string   `json:"url"`
	Agency   string   `json:"agency"`
	Channels []string `json:"channels"`
	// Apply is the portal's online service for it, when it takes dossiers online.
	Apply string `json:"apply_url,omitempty"`
}

func summarize(p *catalog.Procedure, now time.Time) procedureSummary {
	s := procedureSummary{Code: p.Code, Name: p.Name, NameEn: p.NameEn, Field: p.Field, Summary: p.Summary, URL: "/procedures/" + p.Code}
	if v, ok := p.VersionAt(now); ok {
		s.Online = string(v.Online)
		s.Time = v.Time.String()
		s.Fee = v.Fee.Describe()
		s.Agency = v.Agency
		for _, c := range v.Channels {
			s.Channels = append(s.Channels, string(c))
		}
		if servesOnline(v) {
			s.Apply = "/dich-vu/" + p.Code
		}
	}
	return s
}

// searchLimit bounds one search answer.
const searchLimit = 100

// searchProcedures answers ?q= and ?field= with procedure summaries.
func (s *Server) searchProcedures(r *http.Request) (q, field string, items []procedureSummary) {
	q = vntext.NFC(strings.TrimSpace(r.URL.Query().Get("q")))
	if len(q) > 200 {
		q = q[:200]
	}
	field = r.URL.Query().Get("field")
	online := r.URL.Query().Get("online") == "1" // only what can be filed on the portal
	now := s.Now()
	items = []procedureSummary{}
	for _, p := range s.Catalog.Catalog().Search(q, 0) {
		if (field == "" || p.Field == field) && len(items) < searchLimit {
			if sum := summarize(p, now); !online || sum.Apply != "" {
				items = append(items, sum)
			}
		}
	}
	return q, field, items
}

// GET /api/v1/procedures?q=&field=
func (s *Server) apiProcedureList(w http.ResponseWriter, r *http.Request) {
	q, field, items := s.searchProcedures(r)
	writeJSON(w, http.StatusOK, map[string]any{"query": q, "field": field, "count": len(items), "procedures": items})
}

// GET /api/v1/procedures/{code}
func (s *Server) apiProcedureGet(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Catalog.Catalog().Get(r.PathValue("code"))
	if !ok {
		s.fail(w, r, errProcedureNotFound)
		return
	}
	body := struct {
		*catalog.Procedure
		CurrentVersion *int `json:"current_version"`
	}{Procedure: p}
	if v, ok := p.VersionAt(s.Now()); ok {
		body.CurrentVersion = &v.Version
	}
	writeJSON(w, http.StatusOK, body)
}

var errProcedureNotFound = apperr.New(apperr.NotFound, "procedure_not_found", "Không tìm thấy thủ tục hành chính với mã này.")

// homePage: the centre, a search box, and the procedures by field.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request) {
	c := s.Catalog.Catalog()
	type group struct {
		Field string
		Procs []procedureSummary
	}
	var groups []group
	now := s.Now()
	for _, p := range c.All() {
		if len(groups) == 0 || groups[len(groups)-1].Field != p.Field {
			groups = append(groups, group{Field: p.Field})
		}
		g := &groups[len(groups)-1]
		g.Procs = append(g.Procs, summarize(p, now))
	}
	v := s.newView(w, r, "", map[string]any{"Groups": groups, "Count": c.Len()})
	v.Title = v.T("home.title")
	s.render(w, r, http.StatusOK, "home", v)
}

// procedureListPage: search results (works without JavaScript).
func (s *Server) procedureListPage(w http.ResponseWriter, r *http.Request) {
	q, field, items := s.searchProcedures(r)
	v := s.newView(w, r, "", map[string]any{"Query": q, "Field": field, "Fields": s.Catalog.Catalog().Fields(), "Items": items,
		"Online": r.URL.Query().Get("online") == "1"})
	v.Title = v.T("procedures.title")
	if q != "" {
		v.Title = v.T("procedures.results_for") + " “" + q + "”"
	}
	s.render(w, r, http.StatusOK, "procedures", v)
}

// guideItem is a component as the public guide shows it.
type guideItem struct {
	catalog.Component
	VNeID bool // a level-2 VNeID account can be shown instead
}

// guide is a procedure explained for the public, in plain words.
type guide struct {
	P          *catalog.Procedure
	V          *catalog.Version
	Next       *catalog.Version // a later version already published
	Bring      []guideItem
	Show       []guideItem
	IfNeeded   []guideItem
	NoNeed     []guideItem // we look these up; the citizen need not bring them
	Online     string
	TimeText   string
	FeeText    string
	Effective  string
	Uncertain  []catalog.Source
	LinkedText []string
}

func (s *Server) procedurePage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.Catalog.Catalog().Get(r.PathValue("code"))
	if !ok {
		s.fail(w, r, errProcedureNotFound)
		return
	}
	now := s.Now()
	v, ok := p.VersionAt(now)
	if !ok {
		s.fail(w, r, apperr.New(apperr.NotFound, "procedure_not_in_force", "Thủ tục này hiện chưa có hoặc đã hết hiệu lực áp dụng."))
		return
	}
	g := &guide{P: p, V: v, TimeText: v.Time.String(), FeeText: v.Fee.Describe()}
	today := now.In(calendar.Location).Format(time.DateOnly)
	for i := range p.Versions {
		nv := &p.Versions[i]
		if nv.EffectiveFrom > today && (g.Next == nil || nv.EffectiveFrom < g.Next.EffectiveFrom) {
			g.Next = nv
		}
	}
	if t, err := time.Parse(time.DateOnly, v.EffectiveFrom); err == nil {
		g.Effective = t.Format("02/01/2006")
	}
	for _, c := range v.Components {
		it := guideItem{Component: c}
		identityDoc := slices.Contains(c.Reuse, catalog.ReusePopulationDB) && c.Form == catalog.FormShowOriginal
		switch {
		case identityDoc:
			// An ID paper is still shown in person, but a level-2 e-ID does as well.
			it.VNeID = true
			g.Show = append(g.Show, it)
		case len(c.Reuse) > 0:
			g.NoNeed = append(g.NoNeed, it)
		case !c.Required:
			g.IfNeeded = append(g.IfNeeded, it)
		case c.Form == catalog.FormShowOriginal:
			g.Show = append(g.Show, it)
		default:
			g.Bring = append(g.Bring, it)
		}
	}
	g.Uncertain = v.Uncertain()
	view := s.newView(w, r, p.Name, g)
	if view.Lang == "en" && p.NameEn != "" {
		view.Title = p.NameEn
	}
	switch v.Online {
	case catalog.OnlineFull:
		g.Online = view.T("online.full")
	case catalog.OnlinePartial:
		g.Online = view.T("online.partial")
	default:
		g.Online = view.T("online.none")
	}
	if view.Lang == "en" {
		g.TimeText = v.Time.English()
	}
	s.render(w, r, http.StatusOK, "procedure", view)
}

// calendarPage shows a year's holidays and the office hours.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) {
	now := s.Now().In(calendar.Location)
	year := now.Year()
	if ys := r.URL.Query().Get("year"); ys != "" {
		y, err := strconv.Atoi(ys)
		if err != nil || y < calendar.MinYear || y > calendar.MaxYear {
			s.fail(w, r, apperr.Field("year", "invalid_year", "Năm phải là số từ 1900 đến 2199."))
			return
		}
		year = y
	}
	cal := s.Calendar.Calendar()
	source, official := cal.ScheduleSource(year)
	type row struct {
		calendar.Day
		Weekday string
		Display string
		Lunar   string
	}
	var rows []row
	for _, d := range cal.Holidays(year) {
		t, _ := time.ParseInLocation(time.DateOnly, d.Date, calendar.Location)
		l := calendar.SolarToLunar(t.Day(), int(t.Month()), t.Year())
		rows = append(rows, row{Day: d, Weekday: weekdayVN(t), Display: t.Format("02/01/2006"), Lunar: l.String()})
	}
	lunarToday := calendar.SolarToLunar(now.Day(), int(now.Month()), now.Year())
	var office []string
	for _, p := range cal.Config().Office {
		office = append(office, p.Start.String()+"–"+p.End.String())
	}
	v := s.newView(w, r, "", map[string]any{
		"Year": year, "Prev": year - 1, "Next": year + 1, "Rows": rows, "Source": source, "Official": official,
		"Today": now, "LunarToday": lunarToday.String(), "WorkingToday": cal.IsWorkingDay(now),
		"Office": strings.Join(office, ", "), "Cutoff": cal.Config().Cutoff.String(),
	})
	v.Title = v.T("calendar.title") + " " + strconv.Itoa(year)
	s.render(w, r, http.StatusOK, "calendar", v)
}

// displaySettings switches large text and high contrast (cookies), then
// returns to the page the person came from.
func (s *Server) displaySettings(w http.ResponseWriter, r *http.Request) {
	set := func(name, value string) {
		if value == "" {
			return
		}
		age := 365 * 24 * 3600
		if value == "off" {
			age = -1
		}
		http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: age, SameSite: http.SameSiteLaxMode, HttpOnly: true})
	}
	q := r.URL.Query()
	switch q.Get("text") {
	case "large", "off":
		set("text", q.Get("text"))
	}
	switch q.Get("contrast") {
	case "high", "off":
		set("contrast", q.Get("contrast"))
	}
	back := q.Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
