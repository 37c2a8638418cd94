package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
)

//go:embed all:templates static
var assets embed.FS

// pages holds one parsed template set per page, each with the layout.
type pages struct {
	sets map[string]*template.Template
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") {
			continue
		}
		t := template.New(base).Funcs(funcs)
		t, err := t.ParseFS(assets, "templates/_*.html", name)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		p.sets[strings.TrimSuffix(base, ".html")] = t
	}
	return p, nil
}

var funcs = template.FuncMap{
	"vnd":         catalog.VND,
	"dateVN":      func(t time.Time) string { return t.In(calendar.Location).Format("02/01/2006") },
	"timeVN":      func(t time.Time) string { return t.In(calendar.Location).Format("15:04 02/01/2006") },
	"weekdayVN":   weekdayVN,
	"add":         func(a, b int) int { return a + b },
	"join":        strings.Join,
	"hasPrefix":   strings.HasPrefix,
	"roleName":    identity.RoleName,
	"list":        func(xs ...int) []int { return xs },
	"statusName":  dossier.StatusName,
	"outcomeName": dossier.OutcomeName,
	"dateOnly": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(calendar.Location).Format("02/01/2006")
	},
	"timePtr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(calendar.Location).Format("15:04 02/01/2006")
	},
	"lines":  func(ss []string) string { return strings.Join(ss, "\n") },
	"accept": dossier.Accept,
	"kb":     func(n int64) string { return fmt.Sprintf("%.0f KB", float64(n)/1024) },
	// urgencyOf hands the "urgency" tag both the translator and the urgency.
	"urgencyOf": func(t any, u string) map[string]any { return map[string]any{"T": t, "U": u} },
}

func weekdayVN(t time.Time) string {
	return [...]string{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}[t.In(calendar.Location).Weekday()]
}

// view is what every page template receives.
type view struct {
	Lang      string
	T         func(key string) string
	Title     string
	Path      string
	Query     string
	Centre    *org.Agency
	LargeText bool
	Contrast  bool
	Version   string
	Year      int
	Data      any
	// Citizen is the signed-in citizen's portal session, for the header;
	// Official is the genuine address, for the anti-fraud line (portal_auth.go).
	Citizen  *citizen.Session
	Official string
	// Assist is the banner of an assisted session (portal_assist.go).
	Assist *assistBanner
}

// lang picks the page language: ?lang= (remembered in a cookie), then the
// cookie, then Vietnamese.
func lang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "vi" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "vi" || c.Value == "en") {
		return c.Value
	}
	return "vi"
}

func (s *Server) newView(w http.ResponseWriter, r *http.Request, title string, data any) *view {
	l := lang(w, r)
	v := &view{
		Lang:    l,
		T:       translator(l),
		Title:   title,
		Path:    r.URL.Path,
		Query:   r.URL.Query().Get("q"),
		Version: s.Version,
		Year:    s.Now().In(calendar.Location).Year(),
		Data:    data,
	}
	if c, err := r.Cookie("text"); err == nil && c.Value == "large" {
		v.LargeText = true
	}
	if c, err := r.Cookie("contrast"); err == nil && c.Value == "high" {
		v.Contrast = true
	}
	if a, err := s.Org.Home(r.Context()); err == nil {
		v.Centre = a
	}
	s.portalView(w, r, v)
	return v
}

// render writes a page. Rendering goes to a buffer first, so a template
// error becomes a clean error page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	s.renderLayout(w, r, status, page, "layout", v, v)
}

// renderLayout executes a page inside the named layout with data (a view,
// or a view embedded in a larger struct).
func (s *Server) renderLayout(w http.ResponseWriter, r *http.Request, status int, page, layout string, data any, v *view) {
	t, ok := s.pages.sets[page]
	if !ok {
		s.fail(w, r, apperr.Wrap(fmt.Errorf("no template %q", page), "render"))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, data); err != nil {
		s.Log.Error("render", "page", page, "err", err)
		http.Error(w, "Lỗi hiển thị trang", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// writeJSON writes v as UTF-8 JSON, without HTML escaping so that
// Vietnamese and symbols read naturally.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"Lỗi hệ thống"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorBody is the JSON shape of every API error.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// fail answers with an error: JSON for the API, a page otherwise. Internal
// errors are logged with their cause and shown without it.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	if e.Kind == apperr.Internal {
		s.Log.Error("request failed", "path", r.URL.Path, "err", e.Err, "request_id", r.Context().Value(requestIDKey))
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") {
		var body errorBody
		body.Error.Code, body.Error.Message, body.Error.Field = e.Code, e.Message, e.Field
		writeJSON(w, e.Status(), body)
		return
	}
	v := s.newView(w, r, "", e)
	v.Title = v.T("error.title")
	s.render(w, r, e.Status(), "error", v)
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.New(apperr.NotFound, "page_not_found", "Không tìm thấy trang bạn cần."))
}

func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.New(apperr.NotFound, "endpoint_not_found", "Không có địa chỉ API này."))
}

// staticHandler serves embedded CSS, JavaScript and images, cacheable.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}
