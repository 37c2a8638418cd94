package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/store"
)

// openAPIFile is the document as embedded by the server.
func openAPIFile(t *testing.T) ([]byte, map[string]any) {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	return b, doc
}

// httpMethods are the operation keys of an OpenAPI path item.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// documentedOperations returns "METHOD /path" for every operation.
func documentedOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatal("no paths")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		m, ok := item.(map[string]any)
		if !ok {
			t.Fatalf("path %s is not an object", p)
		}
		for _, method := range httpMethods {
			if op, ok := m[method].(map[string]any); ok {
				ops[strings.ToUpper(method)+" "+p] = op
			}
		}
	}
	return ops
}

// resolve follows a local JSON pointer ("#/components/schemas/Dossier").
func resolve(doc any, ref string) (any, bool) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(c) {
				return nil, false
			}
			cur = c[n]
		default:
			return nil, false
		}
	}
	return cur, true
}

func TestOpenAPIDocument(t *testing.T) {
	_, doc := openAPIFile(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "motcua API" || info["version"] != "1" {
		t.Errorf("info = %v", info)
	}
	schemes, _ := resolve(doc, "#/components/securitySchemes/bearerAuth")
	if s, _ := schemes.(map[string]any); s["type"] != "http" || s["scheme"] != "bearer" {
		t.Errorf("bearerAuth = %v", schemes)
	}
	for _, name := range []string{"Error", "Dossier", "Applicant", "Component", "HistoryEntry", "ActionInfo", "SubmitRequest", "ActionRequest",
		"DossierSummary", "PublicView", "Verification", "Notification", "Procedure", "ProcedureSummary", "Day", "LunarDate"} {
		if _, ok := resolve(doc, "#/components/schemas/"+name); !ok {
			t.Errorf("components/schemas/%s is missing", name)
		}
	}

	// Every $ref points inside the document and resolves.
	refs := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"]; ok {
				refs++
				s, _ := r.(string)
				if _, ok := resolve(doc, s); !ok {
					t.Errorf("%s: $ref %q does not resolve", path, r)
				}
			}
			for k, c := range x {
				walk(path+"/"+k, c)
			}
		case []any:
			for i, c := range x {
				walk(path+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("#", doc)
	if refs == 0 {
		t.Error("no $ref at all")
	}

	// Every operation has an id, a summary and responses, and every
	// {name} of its path is declared as a required path parameter.
	ids := map[string]string{}
	placeholder := regexp.MustCompile(`\{([^}]+)\}`)
	for key, op := range documentedOperations(t, doc) {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %s", key, other, id)
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		if r, _ := op["responses"].(map[string]any); len(r) == 0 {
			t.Errorf("%s: no responses", key)
		}
		declared := map[string]bool{}
		item, _ := resolve(doc, "#/paths/"+strings.ReplaceAll(strings.ReplaceAll(strings.SplitN(key, " ", 2)[1], "~", "~0"), "/", "~1"))
		var params []any
		if m, ok := item.(map[string]any); ok {
			params, _ = m["parameters"].([]any)
		}
		ps, _ := op["parameters"].([]any)
		for _, p := range append(params, ps...) {
			pm, _ := p.(map[string]any)
			if r, ok := pm["$ref"].(string); ok {
				v, _ := resolve(doc, r)
				pm, _ = v.(map[string]any)
			}
			if pm["in"] == "path" {
				if pm["required"] != true {
					t.Errorf("%s: path parameter %v is not required", key, pm["name"])
				}
				declared[pm["name"].(string)] = true
			}
		}
		for _, m := range placeholder.FindAllStringSubmatch(key, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", key, m[1])
			}
			delete(declared, m[1])
		}
		for name := range declared {
			t.Errorf("%s: declares path parameter %s that the path does not have", key, name)
		}
	}
}

// openAPIPath turns a ServeMux pattern path into an OpenAPI path:
// "{name...}" becomes "{name}", and "{$}" (an exact trailing slash) goes.
func openAPIPath(p string) string {
	p = strings.ReplaceAll(p, "{$}", "")
	return regexp.MustCompile(`\{([^}.]+)\.\.\.\}`).ReplaceAllString(p, "{$1}")
}

// apiRoutes returns the registered API routes as "METHOD /path".
func apiRoutes(t *testing.T, env *apptest.Env) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, pattern := range env.App.Web.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			// A pattern without a method is a catch-all ("/api/", "/").
			continue
		}
		path = openAPIPath(path)
		if strings.HasPrefix(path, "/api/v1/") {
			out[method+" "+path] = true
		}
	}
	if len(out) == 0 {
		t.Fatal("no API routes registered")
	}
	return out
}

func TestOpenAPICoversRoutes(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{})
	_, doc := openAPIFile(t)
	ops := documentedOperations(t, doc)
	routes := apiRoutes(t, env)
	var missing, stale []string
	for r := range routes {
		if _, ok := ops[r]; !ok {
			missing = append(missing, r)
		}
	}
	all := map[string]bool{}
	for _, p := range env.App.Web.Routes() {
		all[p] = true
	}
	for op := range ops {
		path := strings.SplitN(op, " ", 2)[1]
		switch {
		case strings.HasPrefix(path, "/api/"):
			if !routes[op] {
				stale = append(stale, op)
			}
		case all[op]:
		default:
			// Handlers mounted without route() (such as /metrics) must
			// still answer.
			if !strings.HasPrefix(op, "GET ") {
				stale = append(stale, op)
				continue
			}
			resp, err := http.Get(env.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				stale = append(stale, op+" ("+resp.Status+")")
			}
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, r := range missing {
		t.Errorf("route %s is not in openapi.json", r)
	}
	for _, r := range stale {
		t.Errorf("openapi.json documents %s, which is not a route", r)
	}
	for _, op := range []string{"GET /healthz", "GET /readyz", "GET /metrics"} {
		if _, ok := ops[op]; !ok {
			t.Errorf("%s is not documented", op)
		}
	}
}

// Operations that declare security answer an anonymous call with 401
// authentication_required; the others never do.
func TestOpenAPISecurityMatchesHandlers(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{})
	_, doc := openAPIFile(t)
	sample := strings.NewReplacer("{code}", "H56.16072-261127-0001", "{year}", "2026", "{date}", "2026-02-17", "{file}", "receipt.pdf")
	for key, op := range documentedOperations(t, doc) {
		method, path, _ := strings.Cut(key, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		sec, _ := op["security"].([]any)
		secured := slices.ContainsFunc(sec, func(v any) bool { m, _ := v.(map[string]any); return len(m) > 0 })
		var body io.Reader
		if method == "POST" || method == "PUT" {
			body = strings.NewReader("{}")
		}
		req, _ := http.NewRequest(method, env.URL+sample.Replace(path), body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		got := resp.StatusCode == http.StatusUnauthorized && e.Error.Code == "authentication_required"
		if got != secured {
			t.Errorf("%s: documented security %v, anonymous call answered %d %s", key, sec, resp.StatusCode, e.Error.Code)
		}
		if _, ok := op["responses"].(map[string]any)["401"]; !ok && secured {
			t.Errorf("%s: secured but documents no 401", key)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	env := apptest.Start(t, store.SQLite, apptest.Options{})
	want, _ := openAPIFile(t)
	resp, err := http.Get(env.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("served %d bytes that differ from openapi.json (%d bytes)", len(got), len(want))
	}
}
