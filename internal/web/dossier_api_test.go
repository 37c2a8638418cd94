package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// staffTokens makes a token for each demo staff account used here.
func staffTokens(t *testing.T, env *apptest.Env) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, u := range []string{"motcua.lan", "tuphap.huong", "chutich.binh", "giamsat.tinh", "quantri"} {
		tok, err := env.App.Tokens.Create(context.Background(), identity.TokenSpec{User: u})
		if err != nil {
			t.Fatal(err)
		}
		out[u] = tok
	}
	return out
}

const birthJSON = `{"procedure":"1.001193","applicant":{"name":"Nguyễn Thị Hoa","id_number":"038190012345","phone":"0912 345 678"},
 "components":[{"id":"to-khai"},{"id":"giay-chung-sinh","files":1},{"id":"giay-to-tuy-than","source":"population_db"}],
 "form":{"child_name":"Nguyễn Minh An","child_birth_date":"2026-11-20","child_sex":"male","birth_place":"Trạm y tế xã","mother_name":"Nguyễn Thị Hoa",
  "applicant_name":"Nguyễn Thị Hoa","applicant_id":"038190012345","relation":"mother","address":"Thôn Đông Hòa","phone":"0912345678"}}`

type created struct {
	Code      string `json:"code"`
	Status    int    `json:"status"`
	DueAt     string `json:"due_at"`
	LookupKey string `json:"lookup_key"`
	Outcome   string `json:"outcome"`
	StatusURL string `json:"status_url"`
	Actions   []struct {
		ID string `json:"id"`
	} `json:"actions"`
	Forms map[string]string `json:"forms"`
}

func post(t *testing.T, env *apptest.Env, path, token, body string, headers map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", env.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := make([]byte, 0, 4096)
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b, resp.Header
}

func TestDossierAPI(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		tok := staffTokens(t, env)
		st, b, h := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], birthJSON, map[string]string{"Idempotency-Key": "k-1"})
		if st != 201 {
			t.Fatalf("create: %d %s", st, b)
		}
		c := apptest.JSON[created](t, b)
		if !strings.HasPrefix(c.Code, "H56.16072-261127-") || c.Status != 2 || c.DueAt == "" || c.LookupKey == "" || c.Outcome != "received" {
			t.Errorf("created %+v", c)
		}
		if h.Get("Location") != "/api/v1/dossiers/"+c.Code || c.Forms["receipt"] == "" {
			t.Errorf("location %q forms %v", h.Get("Location"), c.Forms)
		}
		st, b2, h2 := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], birthJSON, map[string]string{"Idempotency-Key": "k-1"})
		if st != 201 || h2.Get("Idempotent-Replayed") != "true" || apptest.JSON[created](t, b2).Code != c.Code {
			t.Errorf("retry: %d %s", st, b2)
		}
		// The specialist cannot receive; the counter officer transfers.
		if st, _, _ := post(t, env, "/api/v1/dossiers", tok["tuphap.huong"], birthJSON, nil); st != 403 {
			t.Errorf("specialist creates: %d", st)
		}
		st, b, _ = post(t, env, "/api/v1/dossiers/"+c.Code+"/actions", tok["motcua.lan"], `{"action":"transfer"}`, nil)
		if st != 200 || !strings.Contains(string(b), `"state":"processing"`) {
			t.Fatalf("transfer: %d %s", st, b)
		}
		st, b, _ = post(t, env, "/api/v1/dossiers/"+c.Code+"/actions", tok["motcua.lan"], `{"action":"transfer"}`, nil)
		if e := apptest.JSON[apiError](t, b); st != 409 || e.Error.Code != "action_not_allowed" || !strings.Contains(e.Error.Message, "Không thể") {
			t.Errorf("repeat transfer: %d %s", st, b)
		}
		st, b = env.Do(t, "GET", "/api/v1/dossiers/"+c.Code, tok["tuphap.huong"], nil)
		if st != 200 || !strings.Contains(string(b), `"history":[`) || !strings.Contains(string(b), `"id":"submit"`) {
			t.Errorf("get: %d %s", st, b)
		}
		// The supervisor reads the province's dossiers, but cannot act.
		if st, _ := env.Do(t, "GET", "/api/v1/dossiers/"+c.Code, tok["giamsat.tinh"], nil); st != 200 {
			t.Errorf("supervisor read: %d", st)
		}
		if st, b, _ := post(t, env, "/api/v1/dossiers/"+c.Code+"/actions", tok["giamsat.tinh"], `{"action":"submit"}`, nil); st != 403 {
			t.Errorf("supervisor acts: %d %s", st, b)
		}
		st, b = env.Do(t, "GET", "/api/v1/dossiers?inbox=role", tok["tuphap.huong"], nil)
		if st != 200 || !strings.Contains(string(b), c.Code) {
			t.Errorf("inbox: %d %s", st, b)
		}
		// Public lookup with the key from the receipt.
		st, b = env.Do(t, "GET", "/api/v1/public/dossiers/"+c.Code+"?key="+c.LookupKey, "", nil)
		if st != 200 || !strings.Contains(string(b), `"applicant":"Nguyễn T. H."`) || strings.Contains(string(b), "038190012345") {
			t.Errorf("public: %d %s", st, b)
		}
		u, _ := url.Parse(c.StatusURL)
		st, b = env.Do(t, "GET", "/api/v1/public/verify?r="+url.QueryEscape(u.Query().Get("r")), "", nil)
		if st != 200 || !strings.Contains(string(b), `"genuine":true`) {
			t.Errorf("verify: %d %s", st, b)
		}
		// Without credentials nothing of the staff API answers.
		if st, _ := env.Do(t, "GET", "/api/v1/dossiers/"+c.Code, "", nil); st != 401 {
			t.Errorf("anonymous get: %d", st)
		}
	})
}

// Bad input gets a 4xx with a Vietnamese message and a stable code, never a
// 500, and writes nothing.
func TestDossierAPIBadInput(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	tok := staffTokens(t, env)
	bodies := map[string]string{
		"":                                   "empty_body",
		"{":                                  "invalid_json",
		"[]":                                 "invalid_json_type",
		`{"procedure": 5}`:                   "invalid_json_type",
		`{"procedure":"1.001193","extra":1}`: "unknown_field",
		`{"procedure":"1.001193"}`:           "applicant_name_required",
		`{"procedure":"1.001193"} {"x":1}`:   "invalid_json",
		`{"procedure":"1.001193","applicant":{"name":"A","id_number":"038190012345"},"components":[{"id":"to-khai","files":-3}]}`: "invalid_file_count",
		strings.Repeat(" ", 300<<10): "body_too_large",
	}
	for body, code := range bodies {
		st, b, _ := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], body, nil)
		e := apptest.JSON[apiError](t, b)
		if st < 400 || st >= 500 || e.Error.Code != code || e.Error.Message == "" {
			t.Errorf("%.40q: %d %s, want %s", body, st, b, code)
		}
	}
	for body, code := range map[string]string{`{"action":""}`: "action_required", `{"action":"fly"}`: "dossier_not_found", `{"rev":"x"}`: "invalid_json_type"} {
		st, b, _ := post(t, env, "/api/v1/dossiers/H56.16072-261127-0001/actions", tok["motcua.lan"], body, nil)
		if e := apptest.JSON[apiError](t, b); st < 400 || st >= 500 || e.Error.Code != code {
			t.Errorf("action %s: %d %s, want %s", body, st, b, code)
		}
	}
	if st, b, _ := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], birthJSON, map[string]string{"Content-Type": "text/plain"}); st != 415 || !strings.Contains(string(b), "unsupported_media_type") {
		t.Errorf("text/plain: %d %s", st, b)
	}
	for _, q := range []string{"status=11", "from=yesterday", "limit=-1", "inbox=everything", "urgency=panic"} {
		if st, _ := env.Do(t, "GET", "/api/v1/dossiers?"+q, tok["motcua.lan"], nil); st != 400 {
			t.Errorf("list ?%s: %d", q, st)
		}
	}
	var n int
	env.App.DB.Read().QueryRow("SELECT COUNT(*) FROM dossiers").Scan(&n)
	if n != 0 {
		t.Errorf("bad requests wrote %d dossiers", n)
	}
}

// Guessing codes and keys is stopped after ten failures.
func TestPublicLookupThrottled(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: fixedNow})
	tok := staffTokens(t, env)
	_, b, _ := post(t, env, "/api/v1/dossiers", tok["motcua.lan"], birthJSON, nil)
	c := apptest.JSON[created](t, b)
	for i := 0; i < 10; i++ {
		if st, _ := env.Do(t, "GET", "/api/v1/public/dossiers/"+c.Code+"?key=AAAAAAAA", "", nil); st != 404 {
			t.Fatalf("failure %d: %d", i, st)
		}
	}
	st, b := env.Do(t, "GET", "/api/v1/public/dossiers/"+c.Code+"?key="+c.LookupKey, "", nil)
	if st != 429 || !strings.Contains(string(b), "too_many_failed_lookups") {
		t.Errorf("after ten failures even the right key waits: %d %s", st, b)
	}
}
