package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

var tokenSpecAdmin = identity.TokenSpec{Role: identity.RoleAdministrator, Label: "bench"}

var fixedNow = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, calendar.Location) }

func each(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			fn(t, apptest.Start(t, eng, apptest.Options{Demo: true, Now: fixedNow}))
		})
	}
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type procList struct {
	Count      int `json:"count"`
	Procedures []struct {
		Code string `json:"code"`
		Name string `json:"name"`
	} `json:"procedures"`
}

func TestHealthReadyMetrics(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		if st, b := env.Do(t, "GET", "/healthz", "", nil); st != 200 || !strings.Contains(string(b), `"ok"`) {
			t.Fatalf("healthz %d %s", st, b)
		}
		st, b := env.Do(t, "GET", "/readyz", "", nil)
		if st != 200 || !strings.Contains(string(b), `"ready"`) {
			t.Fatalf("readyz %d %s", st, b)
		}
		env.Do(t, "GET", "/api/v1/procedures", "", nil)
		st, b = env.Do(t, "GET", "/metrics", "", nil)
		if st != 200 || !strings.Contains(string(b), `motcua_http_requests_total{code="2xx",route="GET /api/v1/procedures"}`) {
			t.Fatalf("metrics %d: request counter missing", st)
		}
	})
}

func TestProcedureSearchAPI(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		for _, q := range []string{"dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "1.001193", "giấy khai sinh"} {
			st, b := env.Do(t, "GET", "/api/v1/procedures?q="+url.QueryEscape(q), "", nil)
			if st != 200 {
				t.Fatalf("%q: %d %s", q, st, b)
			}
			res := apptest.JSON[procList](t, b)
			if res.Count == 0 || res.Procedures[0].Code != "1.001193" || res.Procedures[0].Name != "Đăng ký khai sinh" {
				t.Errorf("%q: first result %+v, want Đăng ký khai sinh", q, res.Procedures)
			}
		}
		st, b := env.Do(t, "GET", "/api/v1/procedures?q=zzzqqq", "", nil)
		if res := apptest.JSON[procList](t, b); st != 200 || res.Count != 0 {
			t.Errorf("nonsense query: %d %s", st, b)
		}
		st, b = env.Do(t, "GET", "/api/v1/procedures", "", nil)
		if res := apptest.JSON[procList](t, b); st != 200 || res.Count != env.App.Catalog.Catalog().Len() {
			t.Errorf("empty query lists %d, want all %d", res.Count, env.App.Catalog.Catalog().Len())
		}
		// Only what the portal takes online, each with where to apply.
		st, b = env.Do(t, "GET", "/api/v1/procedures?online=1", "", nil)
		var online struct {
			Count      int `json:"count"`
			Procedures []struct {
				Code  string `json:"code"`
				Apply string `json:"apply_url"`
			} `json:"procedures"`
		}
		if err := json.Unmarshal(b, &online); err != nil || st != 200 || online.Count == 0 || online.Count >= env.App.Catalog.Catalog().Len() {
			t.Fatalf("online only: %d, %d of %d (%v)", st, online.Count, env.App.Catalog.Catalog().Len(), err)
		}
		for _, p := range online.Procedures {
			if p.Apply != "/dich-vu/"+p.Code {
				t.Errorf("%s listed as online without its service: %q", p.Code, p.Apply)
			}
		}
		st, body := env.Do(t, "GET", "/procedures?online=1", "", nil)
		if st != 200 || !strings.Contains(string(body), `href="/dich-vu/`) || !strings.Contains(string(body), `name="online" value="1" checked`) {
			t.Errorf("online-only page: %d", st)
		}
	})
}

func TestProcedureGetAPI(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		st, b := env.Do(t, "GET", "/api/v1/procedures/1.001193", "", nil)
		if st != 200 {
			t.Fatalf("%d %s", st, b)
		}
		p := apptest.JSON[struct {
			Code           string `json:"code"`
			CurrentVersion int    `json:"current_version"`
			Versions       []struct {
				Version     int `json:"version"`
				WorkflowDef struct {
					States []struct{ ID string } `json:"states"`
				} `json:"workflow_def"`
			} `json:"versions"`
		}](t, b)
		if p.Code != "1.001193" || p.CurrentVersion != 1 || len(p.Versions) < 2 || len(p.Versions[0].WorkflowDef.States) == 0 {
			t.Errorf("procedure = %+v", p)
		}
		st, b = env.Do(t, "GET", "/api/v1/procedures/9.999999", "", nil)
		e := apptest.JSON[apiError](t, b)
		if st != 404 || e.Error.Code != "procedure_not_found" || !strings.Contains(e.Error.Message, "thủ tục") {
			t.Errorf("unknown procedure: %d %s", st, b)
		}
	})
}

func TestCalendarAPI(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		st, b := env.Do(t, "GET", "/api/v1/calendar/lunar/2026-02-17", "", nil)
		if st != 200 || strings.TrimSpace(string(b)) != `{"day":1,"month":1,"year":2026,"leap_month":false}` {
			t.Errorf("lunar: %d %s", st, b)
		}
		st, b = env.Do(t, "GET", "/api/v1/calendar/due?from="+url.QueryEscape("2026-02-13T10:00:00+07:00")+"&value=3&unit=working_days", "", nil)
		if st != 200 || !strings.Contains(string(b), `"due":"2026-02-25T17:00:00+07:00"`) {
			t.Errorf("due: %d %s", st, b)
		}
		st, b = env.Do(t, "GET", "/api/v1/calendar/holidays/2026", "", nil)
		if st != 200 || !strings.Contains(string(b), `"official":true`) || !strings.Contains(string(b), `"2026-08-22"`) {
			t.Errorf("holidays: %d %s", st, b)
		}
		bad := map[string]string{
			"/api/v1/calendar/lunar/2026-13-01":                                  "invalid_date",
			"/api/v1/calendar/lunar/hôm-nay":                                     "invalid_date",
			"/api/v1/calendar/holidays/abc":                                      "invalid_year",
			"/api/v1/calendar/holidays/3000":                                     "invalid_year",
			"/api/v1/calendar/due?from=yesterday&value=1":                        "invalid_time",
			"/api/v1/calendar/due?from=2026-02-13T10:00:00Z&value=-1":            "invalid_value",
			"/api/v1/calendar/due?from=2026-02-13T10:00:00Z&value=1&unit=months": "invalid_unit",
		}
		for path, code := range bad {
			st, b := env.Do(t, "GET", path, "", nil)
			if e := apptest.JSON[apiError](t, b); st != 400 || e.Error.Code != code || e.Error.Message == "" {
				t.Errorf("%s: %d %s, want 400 %s", path, st, b, code)
			}
		}
	})
}

func TestLoadScheduleAPI(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin, err := env.App.Tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleAdministrator})
		if err != nil {
			t.Fatal(err)
		}
		counter, _ := env.App.Tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleCounter})
		sched := `{"year":2027,"source":"Thông báo thử nghiệm","days":[{"date":"2027-01-01","name":"Tết Dương lịch","kind":"holiday"},{"date":"2027-02-20","name":"Làm bù","kind":"swapped_workday"}]}`
		if st, b := env.Do(t, "PUT", "/api/v1/calendar/schedules/2027", "", sched); st != 401 {
			t.Errorf("anonymous: %d %s", st, b)
		}
		if st, b := env.Do(t, "PUT", "/api/v1/calendar/schedules/2027", "mc_notarealtoken", sched); st != 401 {
			t.Errorf("bad token: %d %s", st, b)
		}
		if st, b := env.Do(t, "PUT", "/api/v1/calendar/schedules/2027", counter, sched); st != 403 {
			t.Errorf("counter officer: %d %s", st, b)
		}
		for body, code := range map[string]string{
			"{": "invalid_json",
			`{"year":2027,"source":"x","days":[{"date":"2027-01-04","name":"a","kind":"swapped_workday"}]}`: "invalid_schedule",
			`{"year":2028,"source":"x","days":[]}`:                                                          "year_mismatch",
		} {
			st, b := env.Do(t, "PUT", "/api/v1/calendar/schedules/2027", admin, body)
			if e := apptest.JSON[apiError](t, b); st != 400 || e.Error.Code != code {
				t.Errorf("%s: %d %s, want %s", body, st, b, code)
			}
		}
		st, b := env.Do(t, "PUT", "/api/v1/calendar/schedules/2027", admin, sched)
		if st != 200 {
			t.Fatalf("admin: %d %s", st, b)
		}
		st, b = env.Do(t, "GET", "/api/v1/calendar/holidays/2027", "", nil)
		if st != 200 || !strings.Contains(string(b), `"official":true`) || strings.Contains(string(b), `"projected":true`) {
			t.Errorf("after load: %s", b)
		}
		// The swapped Saturday now counts as a working day.
		st, b = env.Do(t, "GET", "/api/v1/calendar/due?from="+url.QueryEscape("2027-02-19T10:00:00+07:00")+"&value=1", "", nil)
		if !strings.Contains(string(b), `"due":"2027-02-20T17:00:00+07:00"`) {
			t.Errorf("due after load: %s", b)
		}
		// It is kept in the database: a fresh calendar service loads it.
		if err := env.App.Calendar.Load(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPages(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		pages := map[string][]string{
			"/":                               {"Trung tâm Phục vụ hành chính công xã Hoa Lộc", "Đăng ký khai sinh", "SANDBOX"},
			"/procedures?q=dang+ky+khai+sinh": {"Đăng ký khai sinh", "thủ tục phù hợp"},
			"/procedures/1.001193":            {"Đăng ký khai sinh", "Giấy chứng sinh", "Trong ngày", "Luật Hộ tịch"},
			"/calendar?year=2026":             {"Tết Nguyên đán (mùng 1)", "Làm việc bù", "22/08/2026"},
			"/calendar":                       {"Lịch làm việc năm 2026"},
			"/procedures/1.001193?lang=en":    {"Birth registration", `lang="en"`},
		}
		for path, wants := range pages {
			st, b := env.Do(t, "GET", path, "", nil)
			if st != 200 {
				t.Errorf("%s: %d", path, st)
				continue
			}
			for _, w := range wants {
				if !strings.Contains(string(b), w) {
					t.Errorf("%s: missing %q", path, w)
				}
			}
		}
		st, b := env.Do(t, "GET", "/procedures/0.000000", "", nil)
		if st != 404 || !strings.Contains(string(b), "procedure_not_found") {
			t.Errorf("unknown procedure page: %d", st)
		}
		if st, _ := env.Do(t, "GET", "/no-such-page", "", nil); st != 404 {
			t.Errorf("unknown page: %d", st)
		}
		if st, _ := env.Do(t, "GET", "/calendar?year=x", "", nil); st != 400 {
			t.Errorf("bad year: %d", st)
		}
	})
}

func TestSecureHeaders(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{})
	resp, err := http.Get(env.URL + "/procedures")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
		"Content-Type":            "text/html; charset=utf-8",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{})
	limited := 0
	for i := 0; i < 150; i++ {
		st, b := env.Do(t, "GET", "/api/v1/procedures?q=a", "", nil)
		if st == 429 {
			limited++
			if !strings.Contains(string(b), "rate_limited") {
				t.Fatalf("429 body %s", b)
			}
		}
	}
	if limited == 0 {
		t.Error("150 rapid anonymous requests were never limited")
	}
}

// Bad input of every kind gets a 4xx, never a 500.
func TestNoServerErrorsOnBadInput(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Demo: true})
	paths := []string{
		"/procedures?q=" + url.QueryEscape(strings.Repeat("ă", 5000)),
		"/procedures?q=%00%01%02",
		"/procedures?field=" + url.QueryEscape("<script>"),
		"/procedures/" + url.PathEscape("../../etc/passwd"),
		"/api/v1/procedures/%E0%A4%A",
		"/api/v1/calendar/lunar/0000-00-00",
		"/api/v1/calendar/due?from=2026-02-13T10:00:00%2B07:00&value=99999999999999999999",
		"/calendar?year=-5",
		"/settings/display?back=//evil.example",
	}
	for _, p := range paths {
		req, err := http.NewRequest("GET", env.URL+p, nil)
		if err != nil {
			continue
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); strings.Contains(loc, "evil") {
			t.Errorf("%s: open redirect to %s", p, loc)
		}
	}
}
