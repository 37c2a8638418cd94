package web_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// The queue's JSON API through the real server, on both engines, with the
// demo commune: groups A–F (ho_tich, chung_thuc, kinh_doanh, dat_dai,
// xa_hoi, cu_tru), counters 1–6 with their groups, officers seated at
// counters 1–6.

// qaClock is the server's clock, moved by the tests.
type qaClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *qaClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *qaClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func (c *qaClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// queueAPIEnv is a running motcua with the tokens the tests use.
type queueAPIEnv struct {
	*apptest.Env
	clock *qaClock
	// Devices: a kiosk, and counter tokens bound to counters 1, 2, 3.
	kiosk, counter1, counter2, counter3 string
	// Role tokens bound to no agency.
	admin, leader, supervisor, officer, specialist string
}

// qaStart is Friday 27 November 2026, 09:00 in Vietnam.
var qaStart = time.Date(2026, 11, 27, 9, 0, 0, 0, calendar.Location)

func queueAPIEach(t *testing.T, fn func(t *testing.T, e *queueAPIEnv)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			fn(t, startQueueAPI(t, eng))
		})
	}
}

func startQueueAPI(t *testing.T, eng store.Engine) *queueAPIEnv {
	t.Helper()
	c := &qaClock{t: qaStart}
	e := &queueAPIEnv{Env: apptest.Start(t, eng, apptest.Options{Commune: true, Now: c.Now}), clock: c}
	e.kiosk = e.token(t, identity.TokenSpec{Role: identity.RoleKiosk, Label: "Ki-ốt sảnh"})
	e.counter1 = e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "1"})
	e.counter2 = e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "2"})
	e.counter3 = e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "3"})
	e.admin = e.token(t, identity.TokenSpec{Role: identity.RoleAdministrator})
	e.leader = e.token(t, identity.TokenSpec{Role: identity.RoleLeader})
	e.supervisor = e.token(t, identity.TokenSpec{Role: identity.RoleSupervisor, Agency: "H56"})
	e.officer = e.token(t, identity.TokenSpec{Role: identity.RoleCounter})
	e.specialist = e.token(t, identity.TokenSpec{Role: identity.RoleSpecialist})
	return e
}

func (e *queueAPIEnv) token(t testing.TB, spec identity.TokenSpec) string {
	t.Helper()
	tok, err := e.App.Tokens.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// request sends a request with headers and returns the response (body
// read) and its body.
func (e *queueAPIEnv) request(t testing.TB, method, path string, body io.Reader, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

type qaTicket struct {
	ID            string     `json:"id"`
	Number        string     `json:"number"`
	Sequence      int        `json:"sequence"`
	Group         string     `json:"group"`
	GroupName     string     `json:"group_name"`
	Priority      string     `json:"priority"`
	Source        string     `json:"source"`
	State         string     `json:"state"`
	Position      int        `json:"position"`
	EstimatedWait int        `json:"estimated_wait_seconds"`
	Counter       int        `json:"counter"`
	CalledAt      *time.Time `json:"called_at"`
	Dossier       string     `json:"dossier"`
	Rev           int        `json:"rev"`
	FollowURL     string     `json:"follow_url"`
}

type qaCounter struct {
	Number int      `json:"number"`
	Name   string   `json:"name"`
	Groups []string `json:"groups"`
	Open   bool     `json:"open"`
}

type qaCounterView struct {
	Counter qaCounter  `json:"counter"`
	Current *qaTicket  `json:"current"`
	Held    []qaTicket `json:"held"`
	Waiting []qaTicket `json:"waiting"`
}

type qaBoard struct {
	Agency   string `json:"agency"`
	Counters []struct {
		Number  int    `json:"number"`
		Name    string `json:"name"`
		Open    bool   `json:"open"`
		Current string `json:"current"`
		State   string `json:"state"`
	} `json:"counters"`
	Recent []struct {
		Label   string `json:"label"`
		Counter int    `json:"counter"`
	} `json:"recent"`
	Waiting []struct {
		Code          string `json:"code"`
		Prefix        string `json:"prefix"`
		Waiting       int    `json:"waiting"`
		EstimatedWait int    `json:"estimated_wait_seconds"`
	} `json:"waiting"`
	At int64 `json:"at"`
}

type qaEventData struct {
	Event struct {
		Kind        string `json:"kind"`
		Agency      string `json:"agency"`
		Group       string `json:"group"`
		Label       string `json:"label"`
		Counter     int    `json:"counter"`
		CounterName string `json:"counter_name"`
		Speech      string `json:"speech"`
		At          int64  `json:"at"`
	} `json:"event"`
	Board qaBoard `json:"board"`
}

type qaSlot struct {
	At       time.Time `json:"at"`
	Minutes  int       `json:"minutes"`
	Capacity int       `json:"capacity"`
	Booked   int       `json:"booked"`
	Free     int       `json:"free"`
}

type qaAppointment struct {
	ID       string    `json:"id"`
	Group    string    `json:"group"`
	Code     string    `json:"code"`
	SlotAt   time.Time `json:"slot_at"`
	Name     string    `json:"name"`
	State    string    `json:"state"`
	TicketID string    `json:"ticket_id"`
}

type qaError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// vietnamese reports whether a message reads as Vietnamese: it has letters
// with diacritics.
func vietnamese(s string) bool {
	for _, r := range s {
		if r > 0x7f && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// wantError checks a 4xx answer in the API's error shape, with a code and a
// Vietnamese message. status 0 accepts any 4xx; code "" accepts any code.
func wantError(t testing.TB, what string, st int, b []byte, status int, code string) {
	t.Helper()
	var e qaError
	err := json.Unmarshal(b, &e)
	switch {
	case st >= 500:
		t.Errorf("%s: server error %d %s", what, st, b)
	case st < 400 || (status != 0 && st != status):
		t.Errorf("%s: status %d %s, want %d %s", what, st, b, status, code)
	case err != nil || e.Error.Code == "":
		t.Errorf("%s: %d, not an error body: %q", what, st, b)
	case code != "" && e.Error.Code != code:
		t.Errorf("%s: %d %s, want code %s", what, st, b, code)
	case !vietnamese(e.Error.Message):
		t.Errorf("%s: message %q is not Vietnamese", what, e.Error.Message)
	}
}

func (e *queueAPIEnv) issue(t testing.TB, body any) qaTicket {
	t.Helper()
	st, b := e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, body)
	if st != http.StatusCreated {
		t.Fatalf("issue %v: %d %s", body, st, b)
	}
	e.clock.Add(time.Second) // tickets taken in the same millisecond are ordered by chance
	return apptest.JSON[qaTicket](t, b)
}

// callNext calls the next ticket to a counter and returns its number ("" on
// 204).
func (e *queueAPIEnv) callNext(t testing.TB, token string, counter int) string {
	t.Helper()
	st, b := e.Do(t, "POST", fmt.Sprintf("/api/v1/queue/counters/%d/call-next", counter), token, nil)
	switch st {
	case http.StatusNoContent:
		if len(b) != 0 {
			t.Errorf("204 with a body: %q", b)
		}
		return ""
	case http.StatusOK:
		return apptest.JSON[qaTicket](t, b).Number
	}
	t.Fatalf("call next at %d: %d %s", counter, st, b)
	return ""
}

func (e *queueAPIEnv) act(t testing.TB, token, id string, body any) (int, []byte) {
	t.Helper()
	return e.Do(t, "POST", "/api/v1/queue/tickets/"+id+"/actions", token, body)
}

func (e *queueAPIEnv) ticket(t testing.TB, id string) qaTicket {
	t.Helper()
	st, b := e.Do(t, "GET", "/api/v1/queue/tickets/"+id, "", nil)
	if st != http.StatusOK {
		t.Fatalf("ticket %s: %d %s", id, st, b)
	}
	return apptest.JSON[qaTicket](t, b)
}

// sessionDo calls the API with a console session (cookie), with the
// session's CSRF header when csrf is set.
func sessionDo(t testing.TB, c *staffClient, method, path string, body any, csrf string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, c.env.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The issue's contract: a kiosk takes a ticket with {"group", "priority"}
// and gets 201 {"number", "id", "position", "estimated_wait_seconds"}.
func TestQueueAPIIssueTicket(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		st, b := e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, map[string]any{"group": "ho_tich", "priority": ""})
		if st != http.StatusCreated {
			t.Fatalf("issue: %d %s", st, b)
		}
		raw := apptest.JSON[map[string]any](t, b)
		for _, k := range []string{"number", "id", "position", "estimated_wait_seconds"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("the answer has no %q: %s", k, b)
			}
		}
		first := apptest.JSON[qaTicket](t, b)
		e.clock.Add(time.Second)
		if first.Number != "A001" || first.ID == "" || first.Position != 0 || first.EstimatedWait != 0 || first.Source != "kiosk" ||
			first.State != "waiting" || first.GroupName != "Hộ tịch" || !strings.HasSuffix(first.FollowURL, "/queue/t/"+first.ID) {
			t.Errorf("first ticket %+v", first)
		}

		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, map[string]any{"group": "ho_tich", "phone": "0912 345 678"})
		second := apptest.JSON[qaTicket](t, b)
		e.clock.Add(time.Second)
		// One ahead; civil status is served by counters 1 and 3 at 480 s a
		// person: (1 × 480 + 480/2) / 2.
		if st != http.StatusCreated || second.Number != "A002" || second.Position != 1 || second.EstimatedWait != 360 {
			t.Errorf("second ticket %d %+v", st, second)
		}
		if strings.Contains(string(b), "345") {
			t.Errorf("the phone number is shown back: %s", b)
		}

		// Strict priority: the elderly citizen goes before both.
		prio := e.issue(t, map[string]any{"group": "ho_tich", "priority": "elderly"})
		if prio.Number != "A003" || prio.Position != 0 || prio.Priority != "elderly" {
			t.Errorf("priority ticket %+v", prio)
		}
		if got := e.ticket(t, first.ID); got.Position != 1 || got.EstimatedWait != 360 {
			t.Errorf("first after the priority ticket: position %d wait %d", got.Position, got.EstimatedWait)
		}
		if got := e.ticket(t, second.ID); got.Position != 2 || got.EstimatedWait != 600 {
			t.Errorf("second after the priority ticket: position %d wait %d", got.Position, got.EstimatedWait)
		}

		// By procedure: the group covering household business registration.
		if biz := e.issue(t, map[string]any{"procedure": "1.001612"}); biz.Number != "C001" || biz.Group != "kinh_doanh" {
			t.Errorf("by procedure %+v", biz)
		}

		// Who may take one: kiosks, counters and staff at a desk.
		for _, c := range []struct {
			token, source string
		}{{e.counter2, "api"}, {e.admin, "staff"}, {e.officer, "staff"}} {
			st, b := e.Do(t, "POST", "/api/v1/queue/tickets", c.token, map[string]any{"group": "xa_hoi"})
			if tk := apptest.JSON[qaTicket](t, b); st != http.StatusCreated || tk.Source != c.source {
				t.Errorf("issued by %s: %d %s", c.source, st, b)
			}
		}
		resp, b := e.request(t, "POST", "/api/v1/queue/tickets", strings.NewReader(`{"group":"ho_tich"}`), map[string]string{"Content-Type": "application/json"})
		wantError(t, "anonymous", resp.StatusCode, b, http.StatusUnauthorized, "authentication_required")
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", e.supervisor, map[string]any{"group": "ho_tich"})
		wantError(t, "supervisor", st, b, http.StatusForbidden, "forbidden")
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", "mc_notatoken", map[string]any{"group": "ho_tich"})
		wantError(t, "unknown token", st, b, http.StatusUnauthorized, "invalid_token")
		// A kiosk of another agency takes no ticket here.
		other := e.token(t, identity.TokenSpec{Role: identity.RoleKiosk, Agency: "H56.BHXH.HL"})
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", other, map[string]any{"group": "ho_tich", "agency": "H56.16072"})
		wantError(t, "another agency's kiosk", st, b, http.StatusForbidden, "forbidden")

		for _, c := range []struct {
			body   any
			status int
			code   string
		}{
			{map[string]any{}, 400, "group_required"},
			{map[string]any{"group": "nope"}, 400, "group_not_found"},
			{map[string]any{"group": "ho_tich", "priority": "vip"}, 400, "invalid_priority"},
			{map[string]any{"group": "ho_tich", "phone": "12345"}, 400, "invalid_phone"},
			{map[string]any{"procedure": "9.999999"}, 400, "procedure_not_in_queue"},
			{map[string]any{"appointment_code": "ZZZZZZZZ"}, 400, "appointment_not_found"},
			{map[string]any{"group": "ho_tich", "colour": "red"}, 400, "unknown_field"},
			{map[string]any{"group": 5}, 400, "invalid_json_type"},
			{map[string]any{"group": "ho_tich", "priority": []string{"elderly"}}, 400, "invalid_json_type"},
			{`{"group":"ho_tich"`, 400, "invalid_json"},
			{`{"group":"ho_tich"} {"group":"ho_tich"}`, 400, "invalid_json"},
			{`{"group":"` + strings.Repeat("a", 300<<10) + `"}`, 413, "body_too_large"},
		} {
			st, b := e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, c.body)
			what := fmt.Sprint(c.body)
			if len(what) > 80 {
				what = what[:80] + "…"
			}
			wantError(t, what, st, b, c.status, c.code)
		}
		resp, b = e.request(t, "POST", "/api/v1/queue/tickets", nil, map[string]string{"Authorization": "Bearer " + e.kiosk})
		wantError(t, "no body", resp.StatusCode, b, 400, "empty_body")
		resp, b = e.request(t, "POST", "/api/v1/queue/tickets", strings.NewReader("group=ho_tich"),
			map[string]string{"Authorization": "Bearer " + e.kiosk, "Content-Type": "application/x-www-form-urlencoded"})
		wantError(t, "a form", resp.StatusCode, b, http.StatusUnsupportedMediaType, "unsupported_media_type")
	})
}

// Call-next gives a counter its next ticket (200) or nothing (204), only to
// whoever sits at that counter.
func TestQueueAPICallNext(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		if got := e.callNext(t, e.counter2, 2); got != "" {
			t.Fatalf("nobody waits, yet %s was called", got)
		}
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.issue(t, map[string]any{"group": "chung_thuc", "priority": "pregnant"})
		e.issue(t, map[string]any{"group": "ho_tich"})
		st, b := e.Do(t, "POST", "/api/v1/queue/counters/2/call-next", e.counter2, nil)
		called := apptest.JSON[qaTicket](t, b)
		if st != http.StatusOK || called.Number != "B002" || called.State != "called" || called.Counter != 2 || called.CalledAt == nil || called.GroupName != "Chứng thực" {
			t.Fatalf("call next: %d %s", st, b)
		}
		// Counter 2 serves certification only: B001, then nobody.
		if got := e.callNext(t, e.counter2, 2); got != "B001" {
			t.Errorf("second call %q", got)
		}
		if got := e.callNext(t, e.counter2, 2); got != "" {
			t.Errorf("third call %q, want 204", got)
		}
		if tk := e.ticket(t, called.ID); tk.State != "done" {
			t.Errorf("the previous ticket is %s, want done", tk.State)
		}

		// Only whoever sits at the counter calls.
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/3/call-next", e.counter2, nil)
		wantError(t, "counter 2's token at counter 3", st, b, http.StatusForbidden, "not_at_counter")
		for name, tok := range map[string]string{"kiosk": e.kiosk, "administrator": e.admin, "supervisor": e.supervisor} {
			st, b = e.Do(t, "POST", "/api/v1/queue/counters/2/call-next", tok, nil)
			wantError(t, name, st, b, http.StatusForbidden, "forbidden")
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/2/call-next", "", nil)
		wantError(t, "anonymous", st, b, http.StatusUnauthorized, "authentication_required")
		// A token acting as the officer is bound to a counter only when asked.
		hung := e.token(t, identity.TokenSpec{User: "motcua.hung", Counter: "2"})
		if got := e.callNext(t, hung, 2); got != "" {
			t.Errorf("officer's token: %q", got)
		}
		unbound := e.token(t, identity.TokenSpec{User: "motcua.hung"})
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/2/call-next", unbound, nil)
		wantError(t, "officer's token without --counter", st, b, http.StatusForbidden, "not_at_counter")

		// An officer signed in to the console, seated at counter 2.
		e.issue(t, map[string]any{"group": "chung_thuc"})
		hungSession := signIn(t, e.Env, "motcua.hung")
		st, b = sessionDo(t, hungSession, "POST", "/api/v1/queue/counters/2/call-next", nil, "")
		wantError(t, "session without its CSRF header", st, b, http.StatusForbidden, "csrf_failed")
		st, b = sessionDo(t, hungSession, "POST", "/api/v1/queue/counters/2/call-next", nil, hungSession.csrf)
		if tk := apptest.JSON[qaTicket](t, b); st != http.StatusOK || tk.Number != "B003" {
			t.Errorf("officer seated at counter 2: %d %s", st, b)
		}
		lan := signIn(t, e.Env, "motcua.lan") // seated at counter 1
		st, b = sessionDo(t, lan, "POST", "/api/v1/queue/counters/2/call-next", nil, lan.csrf)
		wantError(t, "officer of counter 1 at counter 2", st, b, http.StatusForbidden, "not_at_counter")

		for _, n := range []string{"0", "100", "abc", "-1", "99999999999999999999", "2.5"} {
			st, b = e.Do(t, "POST", "/api/v1/queue/counters/"+n+"/call-next", e.counter2, nil)
			wantError(t, "counter "+n, st, b, http.StatusBadRequest, "invalid_counter")
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/2/call-next?agency=nope", e.counter2, nil)
		wantError(t, "unknown agency", st, b, http.StatusBadRequest, "unknown_agency")
		c42 := e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "42"})
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/42/call-next", c42, nil)
		wantError(t, "no counter 42", st, b, http.StatusNotFound, "counter_not_found")

		// A closed counter does not call.
		if st, b := e.Do(t, "PUT", "/api/v1/queue/counters/2", e.admin, map[string]any{"groups": []string{"chung_thuc"}, "open": false}); st != http.StatusOK {
			t.Fatalf("close counter 2: %d %s", st, b)
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/2/call-next", e.counter2, nil)
		wantError(t, "closed counter", st, b, http.StatusConflict, "counter_closed")

		// The day's figures saw it all.
		st, b = e.Do(t, "GET", "/api/v1/queue/stats", e.leader, nil)
		stats := apptest.JSON[struct {
			Total struct{ Issued, Called, Served int } `json:"total"`
		}](t, b)
		if st != http.StatusOK || stats.Total.Issued != 4 || stats.Total.Called != 3 || stats.Total.Served != 2 {
			t.Errorf("stats %d %s", st, b)
		}
	})
}

// Many counters calling at once through the API never get the same ticket.
func TestQueueAPINoTicketTwice(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		groups := []string{"ho_tich", "chung_thuc", "kinh_doanh", "xa_hoi", "cu_tru"}
		const tickets = 40
		for i := 0; i < tickets; i++ {
			body := map[string]any{"group": groups[i%len(groups)]}
			if i%6 == 0 {
				body["priority"] = "elderly"
			}
			e.issue(t, body)
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for c := 1; c <= 6; c++ {
			tok := e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: strconv.Itoa(c)})
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					st, b := e.Do(t, "POST", fmt.Sprintf("/api/v1/queue/counters/%d/call-next", c), tok, nil)
					if st == http.StatusNoContent {
						return
					}
					if st != http.StatusOK {
						t.Errorf("counter %d: %d %s", c, st, b)
						return
					}
					var tk qaTicket
					if err := json.Unmarshal(b, &tk); err != nil {
						t.Errorf("counter %d: %v", c, err)
						return
					}
					mu.Lock()
					if prev, dup := seen[tk.ID]; dup {
						t.Errorf("%s called by counters %d and %d", tk.Number, prev, c)
					}
					seen[tk.ID] = c
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != tickets {
			t.Errorf("%d of %d tickets called", len(seen), tickets)
		}
	})
}

// Actions on a ticket by the officer at the counter that has it.
func TestQueueAPITicketActions(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		a := e.issue(t, map[string]any{"group": "ho_tich"})
		b2 := e.issue(t, map[string]any{"group": "ho_tich"})
		if got := e.callNext(t, e.counter1, 1); got != "A001" {
			t.Fatalf("first call %q", got)
		}
		ok := func(token, id string, body map[string]any, state string) qaTicket {
			t.Helper()
			st, b := e.act(t, token, id, body)
			tk := apptest.JSON[qaTicket](t, b)
			if st != http.StatusOK || tk.State != state {
				t.Fatalf("%v: %d %s, want %s", body, st, b, state)
			}
			return tk
		}
		// Counter 3 may not act on counter 1's ticket, nor pretend to be counter 1.
		st, b := e.act(t, e.counter3, a.ID, map[string]any{"action": "start", "counter": 3})
		wantError(t, "another counter starts it", st, b, http.StatusConflict, "action_not_allowed")
		st, b = e.act(t, e.counter3, a.ID, map[string]any{"action": "start", "counter": 1})
		wantError(t, "counter 3's token as counter 1", st, b, http.StatusForbidden, "not_at_counter")
		st, b = e.act(t, e.kiosk, a.ID, map[string]any{"action": "start", "counter": 1})
		wantError(t, "kiosk", st, b, http.StatusForbidden, "forbidden")
		st, b = e.act(t, "", a.ID, map[string]any{"action": "start", "counter": 1})
		wantError(t, "anonymous", st, b, http.StatusUnauthorized, "authentication_required")

		recalled := ok(e.counter1, a.ID, map[string]any{"action": "recall", "counter": 1}, "called")
		// Acting on what one saw: an old revision is refused.
		st, b = e.act(t, e.counter1, a.ID, map[string]any{"action": "absent", "counter": 1, "rev": recalled.Rev - 1})
		wantError(t, "stale rev", st, b, http.StatusConflict, "ticket_changed")
		ok(e.counter1, a.ID, map[string]any{"action": "absent", "counter": 1, "rev": recalled.Rev}, "waiting")
		// During the grace the next one is called; after it, A001 may be called again.
		if got := e.callNext(t, e.counter1, 1); got != b2.Number {
			t.Errorf("during the grace: %q", got)
		}
		e.clock.Add(5*time.Minute + time.Second)
		ok(e.counter1, a.ID, map[string]any{"action": "call", "counter": 1}, "called")
		if got := e.ticket(t, b2.ID); got.State != "done" {
			t.Errorf("calling A001 finished A002? %s", got.State)
		}
		ok(e.counter1, a.ID, map[string]any{"action": "start", "counter": 1}, "serving")
		ok(e.counter1, a.ID, map[string]any{"action": "hold", "counter": 1}, "held")
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/1", e.counter1, nil)
		if v := apptest.JSON[qaCounterView](t, b); st != http.StatusOK || v.Current != nil || len(v.Held) != 1 || v.Held[0].ID != a.ID {
			t.Errorf("counter 1 holding A001: %d %s", st, b)
		}
		ok(e.counter1, a.ID, map[string]any{"action": "resume", "counter": 1}, "serving")

		for _, c := range []struct {
			body   map[string]any
			status int
			code   string
		}{
			{map[string]any{"action": "transfer", "counter": 1, "to": 3, "group": "chung_thuc"}, 400, "transfer_ambiguous"},
			{map[string]any{"action": "transfer", "counter": 1, "to": 1}, 400, "transfer_same_counter"},
			{map[string]any{"action": "transfer", "counter": 1}, 400, "transfer_target_required"},
			{map[string]any{"action": "transfer", "counter": 1, "to": 99}, 400, "counter_not_found"},
			{map[string]any{"action": "transfer", "counter": 1, "group": "nope"}, 400, "group_not_found"},
			{map[string]any{"action": "dance", "counter": 1}, 400, "invalid_action"},
			{map[string]any{"action": "link", "counter": 1, "dossier": ""}, 400, "invalid_dossier_code"},
			{map[string]any{"action": "start", "counter": 1, "mood": "happy"}, 400, "unknown_field"},
			{map[string]any{"action": "start", "counter": "one"}, 400, "invalid_json_type"},
			{map[string]any{"action": "recall", "counter": 1}, 409, "action_not_allowed"}, // serving, not called
		} {
			st, b := e.act(t, e.counter1, a.ID, c.body)
			wantError(t, fmt.Sprint(c.body), st, b, c.status, c.code)
		}

		// Sent to counter 3, which calls it first; counter 1 no longer does.
		if tk := ok(e.counter1, a.ID, map[string]any{"action": "transfer", "counter": 1, "to": 3}, "waiting"); tk.Number != "A001" {
			t.Errorf("transfer renumbered it: %+v", tk)
		}
		if got := e.callNext(t, e.counter1, 1); got != "" {
			t.Errorf("counter 1 called %q, a ticket sent to counter 3", got)
		}
		if got := e.callNext(t, e.counter3, 3); got != "A001" {
			t.Errorf("counter 3 called %q", got)
		}
		// On to certification, keeping its number; linked by a leader at no counter.
		if tk := ok(e.counter3, a.ID, map[string]any{"action": "transfer", "counter": 3, "group": "chung_thuc"}, "waiting"); tk.Group != "chung_thuc" || tk.Number != "A001" {
			t.Errorf("transfer to a group: %+v", tk)
		}
		if tk := ok(e.leader, a.ID, map[string]any{"action": "link", "dossier": "h56.16072-261127-0001"}, "waiting"); tk.Dossier != "H56.16072-261127-0001" {
			t.Errorf("link: %+v", tk)
		}
		if got := e.callNext(t, e.counter2, 2); got != "A001" {
			t.Errorf("certification counter called %q", got)
		}
		ok(e.counter2, a.ID, map[string]any{"action": "finish", "counter": 2}, "done")
		st, b = e.act(t, e.counter2, a.ID, map[string]any{"action": "finish", "counter": 2})
		wantError(t, "finish twice", st, b, http.StatusConflict, "action_not_allowed")

		// A ticket taken by mistake is cancelled by staff of the centre.
		mistake := e.issue(t, map[string]any{"group": "xa_hoi"})
		st, b = e.act(t, e.kiosk, mistake.ID, map[string]any{"action": "cancel"})
		wantError(t, "kiosk cancels", st, b, http.StatusForbidden, "forbidden")
		ok(e.admin, mistake.ID, map[string]any{"action": "cancel"}, "cancelled")

		st, b = e.act(t, e.counter1, "nosuchticket", map[string]any{"action": "start", "counter": 1})
		wantError(t, "unknown ticket", st, b, http.StatusNotFound, "ticket_not_found")
		st, b = e.Do(t, "GET", "/api/v1/queue/tickets/"+strings.Repeat("x", 41), "", nil)
		wantError(t, "long id", st, b, http.StatusNotFound, "ticket_not_found")
	})
}

// A counter's screen, for whoever sits there.
func TestQueueAPICounterView(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		st, b := e.Do(t, "GET", "/api/v1/queue/counters/2", e.counter2, nil)
		v := apptest.JSON[qaCounterView](t, b)
		if st != http.StatusOK || v.Counter.Number != 2 || v.Counter.Name != "Quầy 2 – Chứng thực" || !slices.Equal(v.Counter.Groups, []string{"chung_thuc"}) ||
			!v.Counter.Open || v.Current != nil || v.Held == nil || v.Waiting == nil || len(v.Waiting) != 0 {
			t.Fatalf("empty counter: %d %s", st, b)
		}
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.issue(t, map[string]any{"group": "chung_thuc", "priority": "disabled"})
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.issue(t, map[string]any{"group": "ho_tich"})
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/2", e.counter2, nil)
		v = apptest.JSON[qaCounterView](t, b)
		var order []string
		for _, tk := range v.Waiting {
			order = append(order, tk.Number)
		}
		if st != http.StatusOK || strings.Join(order, " ") != "B002 B001 B003" {
			t.Errorf("waiting for counter 2: %v (%d)", order, st)
		}
		e.callNext(t, e.counter2, 2)
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/2", e.counter2, nil)
		v = apptest.JSON[qaCounterView](t, b)
		if st != http.StatusOK || v.Current == nil || v.Current.Number != "B002" || v.Current.State != "called" || len(v.Waiting) != 2 {
			t.Errorf("after a call: %d %s", st, b)
		}

		// The officer seated at counter 2 reads it with the session alone.
		hung := signIn(t, e.Env, "motcua.hung")
		if st, b := sessionDo(t, hung, "GET", "/api/v1/queue/counters/2", nil, ""); st != http.StatusOK || !strings.Contains(string(b), `"B002"`) {
			t.Errorf("officer's session: %d %s", st, b)
		}
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/3", e.counter2, nil)
		wantError(t, "counter 2's token reads counter 3", st, b, http.StatusForbidden, "not_at_counter")
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/2", e.leader, nil)
		wantError(t, "leader at no counter", st, b, http.StatusForbidden, "not_at_counter")
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/2", e.kiosk, nil)
		wantError(t, "kiosk", st, b, http.StatusForbidden, "forbidden")
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/2", "", nil)
		wantError(t, "anonymous", st, b, http.StatusUnauthorized, "authentication_required")
		for _, n := range []string{"0", "100", "abc"} {
			st, b = e.Do(t, "GET", "/api/v1/queue/counters/"+n, e.counter2, nil)
			wantError(t, "counter "+n, st, b, http.StatusBadRequest, "invalid_counter")
		}
		c42 := e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "42"})
		st, b = e.Do(t, "GET", "/api/v1/queue/counters/42", c42, nil)
		wantError(t, "no counter 42", st, b, http.StatusNotFound, "counter_not_found")

		// The screen names the groups of the tickets it lists, as the
		// ticket's own page and call-next do.
		t.Run("group names", func(t *testing.T) {
			if v.Current != nil && v.Current.GroupName != "Chứng thực" {
				t.Errorf("current ticket's group_name %q, want Chứng thực", v.Current.GroupName)
			}
			for _, tk := range v.Waiting {
				if tk.GroupName != "Chứng thực" {
					t.Errorf("waiting %s: group_name %q, want Chứng thực", tk.Number, tk.GroupName)
				}
			}
		})
		// A counter token of another agency is refused at this centre's
		// counters, for reading as for calling.
		t.Run("another agency", func(t *testing.T) {
			other := e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "2", Agency: "H56.BHXH.HL"})
			st, b := e.Do(t, "POST", "/api/v1/queue/counters/2/call-next?agency=H56.16072", other, nil)
			wantError(t, "calling", st, b, http.StatusForbidden, "")
			st, b = e.Do(t, "GET", "/api/v1/queue/counters/2?agency=H56.16072", other, nil)
			wantError(t, "reading", st, b, http.StatusForbidden, "")
		})
	})
}

// The groups a kiosk offers and the display board are public.
func TestQueueAPIBoardAndGroups(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		st, b := e.Do(t, "GET", "/api/v1/queue/groups", "", nil)
		groups := apptest.JSON[struct {
			Agency string `json:"agency"`
			Groups []struct {
				Code, Prefix, Name string
				Active             bool
			} `json:"groups"`
			PriorityClasses []struct{ Code, Name string } `json:"priority_classes"`
			PriorityMode    string                        `json:"priority_mode"`
		}](t, b)
		var got []string
		for _, g := range groups.Groups {
			got = append(got, g.Prefix+":"+g.Code)
		}
		if st != http.StatusOK || groups.Agency != "H56.16072" || strings.Join(got, " ") != "A:ho_tich B:chung_thuc C:kinh_doanh D:dat_dai E:xa_hoi F:cu_tru" ||
			len(groups.PriorityClasses) != 5 || groups.PriorityClasses[0].Code != "elderly" || groups.PriorityMode != "strict" {
			t.Errorf("groups %d %s", st, b)
		}

		st, b = e.Do(t, "GET", "/api/v1/queue/board", "", nil)
		board := apptest.JSON[qaBoard](t, b)
		if st != http.StatusOK || board.Agency != "H56.16072" || len(board.Counters) != 6 || len(board.Recent) != 0 || len(board.Waiting) != 6 || board.At != qaStart.UnixMilli() {
			t.Fatalf("empty board %d %s", st, b)
		}
		e.issue(t, map[string]any{"group": "ho_tich", "phone": "0987654321"})
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.callNext(t, e.counter2, 2)
		st, b = e.Do(t, "GET", "/api/v1/queue/board?agency=H56.16072", "", nil)
		board = apptest.JSON[qaBoard](t, b)
		if st != http.StatusOK || board.Counters[1].Current != "B001" || board.Counters[1].State != "called" || board.Counters[0].Current != "" ||
			len(board.Recent) != 1 || board.Recent[0].Label != "B001" || board.Recent[0].Counter != 2 {
			t.Errorf("board after a call: %d %s", st, b)
		}
		if w := board.Waiting[0]; w.Code != "ho_tich" || w.Waiting != 1 || w.EstimatedWait != 240 {
			t.Errorf("civil status line: %+v", w)
		}
		if strings.Contains(string(b), "654") {
			t.Errorf("the board shows a phone number: %s", b)
		}
		for _, p := range []string{"/api/v1/queue/board?agency=nope", "/api/v1/queue/groups?agency=nope", "/api/v1/queue/events?agency=nope"} {
			st, b = e.Do(t, "GET", p, "", nil)
			wantError(t, p, st, b, http.StatusBadRequest, "unknown_agency")
		}
	})
}

// Slots, booking, lookup, cancellation and check-in of appointments.
func TestQueueAPIAppointments(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		st, b := e.Do(t, "GET", "/api/v1/queue/slots?group=kinh_doanh&date=2026-11-30", "", nil)
		list := apptest.JSON[struct {
			Agency, Group, Date string
			Slots               []qaSlot
		}](t, b)
		// Monday: office hours 07:30–11:30 and 13:00–17:00 in 30-minute
		// slots; one counter serves business at 12 minutes a person, two a
		// slot, half of it offered for booking.
		if st != http.StatusOK || list.Date != "2026-11-30" || list.Group != "kinh_doanh" || len(list.Slots) != 16 ||
			list.Slots[0].At.In(calendar.Location).Format("15:04") != "07:30" || list.Slots[0].Capacity != 1 || list.Slots[0].Free != 1 {
			t.Fatalf("slots %d %s", st, b)
		}
		if st, b := e.Do(t, "GET", "/api/v1/queue/slots?group=kinh_doanh&date=2026-11-29", "", nil); st != http.StatusOK || !strings.Contains(string(b), `"slots":[]`) {
			t.Errorf("a Sunday: %d %s", st, b)
		}
		for _, c := range []struct{ query, code string }{
			{"group=kinh_doanh", "invalid_date"},
			{"group=kinh_doanh&date=30/11/2026", "invalid_date"},
			{"date=2026-11-30", "group_not_found"},
			{"group=nope&date=2026-11-30", "group_not_found"},
		} {
			st, b := e.Do(t, "GET", "/api/v1/queue/slots?"+c.query, "", nil)
			wantError(t, c.query, st, b, http.StatusBadRequest, c.code)
		}

		at := list.Slots[2].At // 08:30
		book := map[string]any{"group": "kinh_doanh", "at": at, "name": "  Phạm   Thị Hoa ", "phone": "0987 654 321"}
		st, b = e.Do(t, "POST", "/api/v1/queue/appointments", "", book)
		ap := apptest.JSON[qaAppointment](t, b)
		if st != http.StatusCreated || len(ap.Code) != 8 || ap.State != "booked" || ap.Name != "Phạm Thị Hoa" || !ap.SlotAt.Equal(at) {
			t.Fatalf("book: %d %s", st, b)
		}
		if strings.Contains(string(b), "654") {
			t.Errorf("the booking shows the phone: %s", b)
		}
		// The slot is full now.
		st, b = e.Do(t, "POST", "/api/v1/queue/appointments", "", map[string]any{"group": "kinh_doanh", "at": at, "name": "Lê Văn Tám", "phone": "0912000111"})
		wantError(t, "full slot", st, b, http.StatusBadRequest, "slot_full")
		if _, b := e.Do(t, "GET", "/api/v1/queue/slots?group=kinh_doanh&date=2026-11-30", "", nil); !strings.Contains(string(b), `"capacity":1,"booked":1,"free":0`) {
			t.Errorf("slots after booking: %s", b)
		}
		for _, c := range []struct {
			body any
			code string
		}{
			{map[string]any{"group": "kinh_doanh", "at": list.Slots[3].At, "name": "Lê Văn Tám", "phone": "0212000111"}, "invalid_phone"},
			{map[string]any{"group": "kinh_doanh", "at": list.Slots[3].At, "name": "Lê Văn Tám", "phone": "abc"}, "invalid_phone"},
			{map[string]any{"group": "kinh_doanh", "at": list.Slots[3].At, "name": " ", "phone": "0912000111"}, "name_required"},
			{map[string]any{"group": "kinh_doanh", "at": at.Add(time.Minute), "name": "Lê Văn Tám", "phone": "0912000111"}, "slot_unavailable"},
			{map[string]any{"group": "kinh_doanh", "at": "2026-11-29T01:30:00Z", "name": "Lê Văn Tám", "phone": "0912000111"}, "slot_unavailable"},
			{map[string]any{"group": "nope", "at": list.Slots[3].At, "name": "Lê Văn Tám", "phone": "0912000111"}, "group_not_found"},
			{map[string]any{"group": "kinh_doanh", "at": "sáng mai", "name": "Lê Văn Tám", "phone": "0912000111"}, "invalid_json"},
			{map[string]any{"group": "kinh_doanh", "at": list.Slots[3].At, "name": "Lê Văn Tám", "phone": "0912000111", "email": "x@y"}, "unknown_field"},
		} {
			st, b := e.Do(t, "POST", "/api/v1/queue/appointments", "", c.body)
			wantError(t, fmt.Sprint(c.body), st, b, http.StatusBadRequest, c.code)
		}

		// The citizen looks it up by its code, in any case.
		for _, code := range []string{ap.Code, strings.ToLower(ap.Code)} {
			st, b := e.Do(t, "GET", "/api/v1/queue/appointments/"+code, "", nil)
			if got := apptest.JSON[qaAppointment](t, b); st != http.StatusOK || got.ID != ap.ID || strings.Contains(string(b), "654") {
				t.Errorf("lookup %s: %d %s", code, st, b)
			}
		}
		st, b = e.Do(t, "GET", "/api/v1/queue/appointments/ZZZZZZZZ", "", nil)
		wantError(t, "unknown code", st, b, http.StatusBadRequest, "appointment_not_found")
		// Cancelling needs the phone it was booked with.
		st, b = e.Do(t, "POST", "/api/v1/queue/appointments/"+ap.Code+"/cancel", "", map[string]any{"phone": "0912000111"})
		wantError(t, "cancel with another phone", st, b, http.StatusBadRequest, "appointment_not_found")
		st, b = e.Do(t, "POST", "/api/v1/queue/appointments/"+ap.Code+"/cancel", "", map[string]any{"phone": "0987.654.321"})
		if st != http.StatusOK || strings.TrimSpace(string(b)) != `{"state":"cancelled"}` {
			t.Errorf("cancel: %d %s", st, b)
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/appointments/"+ap.Code+"/cancel", "", map[string]any{"phone": "0987654321"})
		wantError(t, "cancel twice", st, b, http.StatusBadRequest, "appointment_used")
		if _, b := e.Do(t, "GET", "/api/v1/queue/appointments/"+ap.Code, "", nil); apptest.JSON[qaAppointment](t, b).State != "cancelled" {
			t.Errorf("after cancelling: %s", b)
		}

		// The slot is free again; on the day the booking checks in at the kiosk.
		st, b = e.Do(t, "POST", "/api/v1/queue/appointments", "", map[string]any{"group": "kinh_doanh", "at": at, "name": "Lê Văn Tám", "phone": "0912000111"})
		again := apptest.JSON[qaAppointment](t, b)
		if st != http.StatusCreated {
			t.Fatalf("book the freed slot: %d %s", st, b)
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, map[string]any{"appointment_code": again.Code})
		wantError(t, "check-in three days early", st, b, http.StatusBadRequest, "appointment_not_today")
		e.clock.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, calendar.Location))
		tk := e.issue(t, map[string]any{"appointment_code": strings.ToLower(again.Code)})
		if tk.Source != "appointment" || tk.Group != "kinh_doanh" || tk.Number != "C001" {
			t.Errorf("check-in: %+v", tk)
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, map[string]any{"appointment_code": again.Code})
		wantError(t, "check-in twice", st, b, http.StatusBadRequest, "appointment_used")
		if _, b := e.Do(t, "GET", "/api/v1/queue/appointments/"+again.Code, "", nil); apptest.JSON[qaAppointment](t, b).TicketID != tk.ID {
			t.Errorf("checked-in booking: %s", b)
		}
	})
}

// The figures, for those who manage the centre.
func TestQueueAPIStats(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.issue(t, map[string]any{"group": "ho_tich"})
		e.callNext(t, e.counter2, 2)
		e.clock.Add(4 * time.Minute)
		e.callNext(t, e.counter2, 2)
		type figures struct {
			Key                    string
			Issued, Called, Served int
			AvgServiceSeconds      int `json:"avg_service_seconds"`
			AvgWait                int `json:"avg_wait_seconds"`
			MaxWait                int `json:"max_wait_seconds"`
			NoShow                 int `json:"no_show"`
			Name                   string
		}
		type stats struct {
			From, To                         string
			Total                            figures
			Groups, Counters, Officers, Days []figures
		}
		for name, tok := range map[string]string{"leader": e.leader, "administrator": e.admin, "supervisor": e.supervisor, "counter officer": e.officer} {
			path := "/api/v1/queue/stats"
			if name == "supervisor" { // a province supervisor names the commune
				path += "?agency=H56.16072"
			}
			st, b := e.Do(t, "GET", path, tok, nil)
			s := apptest.JSON[stats](t, b)
			if st != http.StatusOK || s.From != "2026-11-27" || s.To != "2026-11-27" || s.Total.Issued != 3 || s.Total.Called != 2 || s.Total.Served != 1 ||
				s.Total.AvgServiceSeconds != 240 || len(s.Groups) != 2 || len(s.Counters) != 1 || s.Counters[0].Key != "2" || len(s.Days) != 1 {
				t.Errorf("%s: %d %s", name, st, b)
			}
		}
		for name, tok := range map[string]string{"kiosk": e.kiosk, "counter device": e.counter2, "specialist": e.specialist} {
			st, b := e.Do(t, "GET", "/api/v1/queue/stats", tok, nil)
			wantError(t, name, st, b, http.StatusForbidden, "forbidden")
		}
		st, b := e.Do(t, "GET", "/api/v1/queue/stats", "", nil)
		wantError(t, "anonymous", st, b, http.StatusUnauthorized, "authentication_required")

		st, b = e.Do(t, "GET", "/api/v1/queue/stats?from=2026-11-01&to=2026-11-30", e.leader, nil)
		if s := apptest.JSON[stats](t, b); st != http.StatusOK || s.From != "2026-11-01" || s.To != "2026-11-30" || s.Total.Issued != 3 {
			t.Errorf("November: %d %s", st, b)
		}
		for _, c := range []struct{ query, code string }{
			{"from=2026-13-01", "invalid_date"},
			{"to=yesterday", "invalid_date"},
			{"from=2026-11-28&to=2026-11-27", "invalid_period"},
			{"from=2024-01-01&to=2026-11-27", "period_too_long"},
			{"agency=nope", "unknown_agency"},
		} {
			st, b := e.Do(t, "GET", "/api/v1/queue/stats?"+c.query, e.leader, nil)
			wantError(t, c.query, st, b, http.StatusBadRequest, c.code)
		}
	})
}

// Settings, groups and counters: administrators change them, with
// validation.
func TestQueueAPISettingsAndAdmin(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		type settings struct {
			PriorityMode    string `json:"priority_mode"`
			InterleaveN     int    `json:"interleave_n"`
			GraceMinutes    int    `json:"grace_minutes"`
			MaxAbsences     int    `json:"max_absences"`
			SlotMinutes     int    `json:"slot_minutes"`
			BookingDays     int    `json:"booking_days"`
			BookingShare    int    `json:"booking_share"`
			NotifyAhead     int    `json:"notify_ahead"`
			PriorityClasses []struct {
				Code   string `json:"code"`
				Name   string `json:"name"`
				NameEn string `json:"name_en"`
			} `json:"priority_classes"`
		}
		for name, tok := range map[string]string{"administrator": e.admin, "leader": e.leader} {
			st, b := e.Do(t, "GET", "/api/v1/queue/settings", tok, nil)
			if s := apptest.JSON[settings](t, b); st != http.StatusOK || s.PriorityMode != "strict" || s.InterleaveN != 3 || s.GraceMinutes != 5 || len(s.PriorityClasses) != 5 {
				t.Errorf("%s reads the defaults: %d %s", name, st, b)
			}
		}
		for name, tok := range map[string]string{"counter officer": e.officer, "kiosk": e.kiosk, "supervisor": e.supervisor} {
			st, b := e.Do(t, "GET", "/api/v1/queue/settings", tok, nil)
			wantError(t, name, st, b, http.StatusForbidden, "forbidden")
		}
		st, b := e.Do(t, "GET", "/api/v1/queue/settings", "", nil)
		wantError(t, "anonymous", st, b, http.StatusUnauthorized, "authentication_required")

		valid := map[string]any{"priority_mode": "interleave", "interleave_n": 2, "grace_minutes": 5, "max_absences": 2, "keep_overnight": false,
			"notify_ahead": 3, "slot_minutes": 30, "booking_days": 14, "booking_share": 50}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range valid {
				m[kk] = vv
			}
			m[k] = v
			return m
		}
		st, b = e.Do(t, "PUT", "/api/v1/queue/settings", e.admin, valid)
		if s := apptest.JSON[settings](t, b); st != http.StatusOK || s.PriorityMode != "interleave" || s.InterleaveN != 2 || len(s.PriorityClasses) != 5 {
			t.Errorf("save: %d %s", st, b)
		}
		if _, b := e.Do(t, "GET", "/api/v1/queue/groups", "", nil); !strings.Contains(string(b), `"priority_mode":"interleave"`) {
			t.Errorf("the kiosk does not see the new mode: %s", b)
		}
		st, b = e.Do(t, "PUT", "/api/v1/queue/settings", e.leader, valid)
		wantError(t, "leader saves", st, b, http.StatusForbidden, "forbidden")
		for _, c := range []struct {
			body any
			code string
		}{
			{with("priority_mode", "random"), "invalid_priority_mode"},
			{with("interleave_n", 0), "invalid_interleave_n"},
			{with("grace_minutes", -1), "invalid_grace"},
			{with("max_absences", 11), "invalid_max_absences"},
			{with("notify_ahead", 21), "invalid_notify_ahead"},
			{with("slot_minutes", 5), "invalid_slot_minutes"},
			{with("booking_days", 0), "invalid_booking_days"},
			{with("booking_share", 101), "invalid_booking_share"},
			{with("priority_classes", []map[string]string{{"code": "a", "name": "A"}, {"code": "a", "name": "B"}}), "invalid_priority_class"},
			{with("priority_classes", []map[string]string{{"code": "Có dấu", "name": "A"}}), "invalid_priority_class"},
			{with("priority_classes", []map[string]string{{"code": "a"}}), "invalid_priority_class"},
			{with("vip", true), "unknown_field"},
			{with("interleave_n", "two"), "invalid_json_type"},
			{map[string]any{}, "invalid_interleave_n"}, // a PUT replaces everything: zeros
		} {
			st, b := e.Do(t, "PUT", "/api/v1/queue/settings", e.admin, c.body)
			wantError(t, fmt.Sprint(c.body), st, b, http.StatusBadRequest, c.code)
		}

		// The centre's own priority classes replace the defaults.
		st, b = e.Do(t, "PUT", "/api/v1/queue/settings", e.admin, with("priority_classes", []map[string]string{{"code": "thuong_binh", "name": "Thương binh, bệnh binh"}}))
		if st != http.StatusOK {
			t.Fatalf("custom classes: %d %s", st, b)
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, map[string]any{"group": "ho_tich", "priority": "elderly"})
		wantError(t, "a default class no longer offered", st, b, http.StatusBadRequest, "invalid_priority")
		if tk := e.issue(t, map[string]any{"group": "ho_tich", "priority": "thuong_binh"}); tk.Priority != "thuong_binh" {
			t.Errorf("custom class: %+v", tk)
		}
		t.Run("custom class names", func(t *testing.T) {
			_, b := e.Do(t, "GET", "/api/v1/queue/settings", e.admin, nil)
			s := apptest.JSON[settings](t, b)
			if len(s.PriorityClasses) != 1 || s.PriorityClasses[0].Code != "thuong_binh" || s.PriorityClasses[0].NameEn != "" {
				t.Errorf("a class saved without an English name reads back as %+v", s.PriorityClasses)
			}
		})

		// Groups.
		group := map[string]any{"prefix": "g", "name": "Tư pháp  khác", "name_en": "Other justice", "icon": "scales", "procedures": []string{"1.001193"},
			"service_seconds": 600, "position": 7, "active": true}
		st, b = e.Do(t, "PUT", "/api/v1/queue/groups/tu_phap", e.admin, group)
		saved := apptest.JSON[struct {
			Code, Prefix, Name string
			Active             bool
		}](t, b)
		if st != http.StatusOK || saved.Code != "tu_phap" || saved.Prefix != "G" || saved.Name != "Tư pháp khác" || !saved.Active {
			t.Fatalf("new group: %d %s", st, b)
		}
		if tk := e.issue(t, map[string]any{"group": "tu_phap"}); tk.Number != "G001" {
			t.Errorf("new group's ticket %+v", tk)
		}
		groupWith := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range group {
				m[kk] = vv
			}
			m[k] = v
			return m
		}
		for _, c := range []struct {
			code string
			body any
			want string
		}{
			{"tu_phap", groupWith("prefix", "A"), "prefix_taken"},
			{"tu_phap", groupWith("prefix", "1"), "invalid_prefix"},
			{"tu_phap", groupWith("prefix", "ABC"), "invalid_prefix"},
			{"Tu-Phap", group, "invalid_group_code"},
			{"tu_phap", groupWith("name", " "), "invalid_group_name"},
			{"tu_phap", groupWith("name", strings.Repeat("ư", 101)), "invalid_group_name"},
			{"tu_phap", groupWith("service_seconds", 10), "invalid_service_time"},
			{"tu_phap", groupWith("service_seconds", 5*3600), "invalid_service_time"},
			{"tu_phap", groupWith("procedures", []string{"9.999999"}), "unknown_procedure"},
			{"tu_phap", groupWith("colour", "red"), "unknown_field"},
			{"tu_phap", groupWith("active", "yes"), "invalid_json_type"},
		} {
			st, b := e.Do(t, "PUT", "/api/v1/queue/groups/"+c.code, e.admin, c.body)
			wantError(t, c.code+" "+c.want, st, b, http.StatusBadRequest, c.want)
		}
		for name, tok := range map[string]string{"leader": e.leader, "kiosk": e.kiosk} {
			st, b := e.Do(t, "PUT", "/api/v1/queue/groups/tu_phap", tok, group)
			wantError(t, name, st, b, http.StatusForbidden, "forbidden")
		}
		// Stopped: no longer on the kiosk, and refusing tickets.
		if st, b := e.Do(t, "PUT", "/api/v1/queue/groups/tu_phap", e.admin, groupWith("active", false)); st != http.StatusOK {
			t.Fatalf("stop group: %d %s", st, b)
		}
		if _, b := e.Do(t, "GET", "/api/v1/queue/groups", "", nil); strings.Contains(string(b), "tu_phap") {
			t.Errorf("a stopped group is offered: %s", b)
		}
		st, b = e.Do(t, "POST", "/api/v1/queue/tickets", e.kiosk, map[string]any{"group": "tu_phap"})
		wantError(t, "stopped group", st, b, http.StatusBadRequest, "group_closed")

		// Counters.
		st, b = e.Do(t, "PUT", "/api/v1/queue/counters/5", e.admin, map[string]any{"groups": []string{"xa_hoi", "tu_phap"}, "open": false})
		if c := apptest.JSON[qaCounter](t, b); st != http.StatusOK || c.Number != 5 || c.Open || !slices.Equal(c.Groups, []string{"xa_hoi", "tu_phap"}) {
			t.Errorf("close counter 5: %d %s", st, b)
		}
		if _, b := e.Do(t, "GET", "/api/v1/queue/board", "", nil); apptest.JSON[qaBoard](t, b).Counters[4].Open {
			t.Errorf("the board shows counter 5 open: %s", b)
		}
		c5 := e.token(t, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "5"})
		st, b = e.Do(t, "POST", "/api/v1/queue/counters/5/call-next", c5, nil)
		wantError(t, "closed counter 5", st, b, http.StatusConflict, "counter_closed")
		st, b = e.Do(t, "PUT", "/api/v1/queue/counters/5", e.admin, map[string]any{"groups": []string{"xa_hoi"}}) // open by default
		if c := apptest.JSON[qaCounter](t, b); st != http.StatusOK || !c.Open {
			t.Errorf("reopen counter 5: %d %s", st, b)
		}
		for _, c := range []struct {
			path   string
			body   any
			status int
			code   string
		}{
			{"/api/v1/queue/counters/5", map[string]any{"groups": []string{"nope"}}, 400, "group_not_found"},
			{"/api/v1/queue/counters/5", map[string]any{"groups": "xa_hoi"}, 400, "invalid_json_type"},
			{"/api/v1/queue/counters/5", map[string]any{"open": true, "name": "Quầy năm"}, 400, "unknown_field"},
			{"/api/v1/queue/counters/42", map[string]any{"groups": []string{"xa_hoi"}}, 404, "counter_not_found"},
			{"/api/v1/queue/counters/0", map[string]any{}, 400, "invalid_counter"},
			{"/api/v1/queue/counters/abc", map[string]any{}, 400, "invalid_counter"},
		} {
			st, b := e.Do(t, "PUT", c.path, e.admin, c.body)
			wantError(t, c.path+" "+c.code, st, b, c.status, c.code)
		}
		for name, tok := range map[string]string{"leader": e.leader, "counter device": e.counter2} {
			st, b := e.Do(t, "PUT", "/api/v1/queue/counters/2", tok, map[string]any{"open": false})
			wantError(t, name, st, b, http.StatusForbidden, "forbidden")
		}

		// An administrator of another agency changes nothing here.
		t.Run("another agency's administrator", func(t *testing.T) {
			other := e.token(t, identity.TokenSpec{Role: identity.RoleAdministrator, Agency: "H56.BHXH.HL"})
			st, b := e.Do(t, "PUT", "/api/v1/queue/settings?agency=H56.16072", other, valid)
			wantError(t, "settings", st, b, http.StatusForbidden, "")
			st, b = e.Do(t, "PUT", "/api/v1/queue/groups/ho_tich?agency=H56.16072", other, groupWith("prefix", "H"))
			wantError(t, "group", st, b, http.StatusForbidden, "")
			st, b = e.Do(t, "PUT", "/api/v1/queue/counters/1?agency=H56.16072", other, map[string]any{"open": false})
			wantError(t, "counter", st, b, http.StatusForbidden, "")
		})
	})
}

// deviceCSRFFor is the X-Device-CSRF value of a device token. It repeats
// the rule of the web package's deviceCSRF (hex of the first 16 bytes of
// SHA-256("motcua-device-csrf\n" + token)); change both together.
func deviceCSRFFor(token string) string {
	sum := sha256.Sum256([]byte("motcua-device-csrf\n" + token))
	return hex.EncodeToString(sum[:16])
}

// A registered screen keeps its token in the motcua_device cookie; a change
// then needs its X-Device-CSRF header.
func TestQueueAPIDeviceCookie(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		device := func(method, path, token, csrf string, body string) (int, []byte) {
			t.Helper()
			h := map[string]string{"Cookie": "motcua_device=" + token}
			if body != "" {
				h["Content-Type"] = "application/json"
			}
			if csrf != "" {
				h["X-Device-CSRF"] = csrf
			}
			var r io.Reader
			if body != "" {
				r = strings.NewReader(body)
			}
			resp, b := e.request(t, method, path, r, h)
			return resp.StatusCode, b
		}
		ticket := `{"group":"chung_thuc","priority":""}`
		st, b := device("POST", "/api/v1/queue/tickets", e.kiosk, deviceCSRFFor(e.kiosk), ticket)
		if tk := apptest.JSON[qaTicket](t, b); st != http.StatusCreated || tk.Number != "B001" || tk.Source != "kiosk" {
			t.Fatalf("kiosk by cookie: %d %s", st, b)
		}
		st, b = device("POST", "/api/v1/queue/tickets", e.kiosk, "", ticket)
		wantError(t, "no X-Device-CSRF", st, b, http.StatusForbidden, "csrf_failed")
		good := deviceCSRFFor(e.kiosk)
		wrong := good[:len(good)-1] + map[bool]string{true: "1", false: "0"}[good[len(good)-1] == '0'] // the last digit changed, whatever it was
		st, b = device("POST", "/api/v1/queue/tickets", e.kiosk, wrong, ticket)
		wantError(t, "wrong X-Device-CSRF", st, b, http.StatusForbidden, "csrf_failed")
		st, b = device("POST", "/api/v1/queue/tickets", e.kiosk, deviceCSRFFor(e.counter2), ticket)
		wantError(t, "another device's X-Device-CSRF", st, b, http.StatusForbidden, "csrf_failed")

		// A counter screen reads without the header, and calls with it.
		st, b = device("GET", "/api/v1/queue/counters/2", e.counter2, "", "")
		if v := apptest.JSON[qaCounterView](t, b); st != http.StatusOK || len(v.Waiting) != 1 {
			t.Errorf("counter screen by cookie: %d %s", st, b)
		}
		st, b = device("POST", "/api/v1/queue/counters/2/call-next", e.counter2, "", "")
		wantError(t, "call without X-Device-CSRF", st, b, http.StatusForbidden, "csrf_failed")
		st, b = device("POST", "/api/v1/queue/counters/2/call-next", e.counter2, deviceCSRFFor(e.counter2), "")
		if tk := apptest.JSON[qaTicket](t, b); st != http.StatusOK || tk.Number != "B001" {
			t.Errorf("call by cookie: %d %s", st, b)
		}
		st, b = device("POST", "/api/v1/queue/counters/3/call-next", e.counter2, deviceCSRFFor(e.counter2), "")
		wantError(t, "counter 2's screen calls for counter 3", st, b, http.StatusForbidden, "not_at_counter")

		// Only kiosk and counter tokens are devices: another token in the
		// cookie is not a credential, and neither is an unknown one.
		st, b = device("POST", "/api/v1/queue/tickets", e.admin, deviceCSRFFor(e.admin), ticket)
		wantError(t, "administrator's token in the cookie", st, b, http.StatusUnauthorized, "authentication_required")
		st, b = device("GET", "/api/v1/queue/settings", e.admin, "", "")
		wantError(t, "administrator's token in the cookie reads settings", st, b, http.StatusUnauthorized, "authentication_required")
		st, b = device("POST", "/api/v1/queue/tickets", "mc_unknown", deviceCSRFFor("mc_unknown"), ticket)
		wantError(t, "unknown token in the cookie", st, b, http.StatusUnauthorized, "authentication_required")
		// A bearer header needs no device header, cookie or not.
		resp, b := e.request(t, "POST", "/api/v1/queue/tickets", strings.NewReader(ticket),
			map[string]string{"Authorization": "Bearer " + e.kiosk, "Cookie": "motcua_device=" + e.counter2, "Content-Type": "application/json"})
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("bearer with a device cookie: %d %s", resp.StatusCode, b)
		}
	})
}

// sseFrame is one Server-Sent Events frame.
type sseFrame struct {
	Retry int
	Event string
	Data  string
}

type sseStream struct {
	resp   *http.Response
	frames chan sseFrame
	cancel context.CancelFunc
}

// openEvents opens GET /api/v1/queue/events with a real client and reads
// its frames in the background until the test ends.
func openEvents(t *testing.T, base string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/queue/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sseStream{resp: resp, frames: make(chan sseFrame, 64), cancel: cancel}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("events: %d %s", resp.StatusCode, b)
	}
	go func() {
		defer close(s.frames)
		br := bufio.NewReader(resp.Body)
		var f sseFrame
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			switch {
			case line == "":
				if f != (sseFrame{}) {
					select {
					case s.frames <- f:
					case <-ctx.Done():
						return
					}
				}
				f = sseFrame{}
			case strings.HasPrefix(line, ":"): // a comment: keep-alive
			case strings.HasPrefix(line, "retry:"):
				f.Retry, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "retry:")))
			case strings.HasPrefix(line, "event:"):
				f.Event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				if f.Data != "" {
					f.Data += "\n"
				}
				f.Data += strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ")
			}
		}
	}()
	return s
}

// next returns the next frame, or fails the test after the timeout.
func (s *sseStream) next(t *testing.T, timeout time.Duration) sseFrame {
	t.Helper()
	select {
	case f, ok := <-s.frames:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return f
	case <-time.After(timeout):
		t.Fatalf("no event within %v", timeout)
	}
	return sseFrame{}
}

// waitFor skips frames until a queue event of the kind arrives; false after
// the timeout.
func (s *sseStream) waitFor(t *testing.T, kind string, timeout time.Duration) (qaEventData, bool) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatal("the event stream ended")
			}
			var d qaEventData
			if err := json.Unmarshal([]byte(f.Data), &d); err != nil {
				t.Fatalf("frame %q: %v", f.Data, err)
			}
			if f.Event != "queue" {
				t.Errorf("frame %q after the first, want event: queue", f.Event)
			}
			if d.Event.Kind == kind {
				return d, true
			}
		case <-deadline:
			return qaEventData{}, false
		}
	}
}

// runQueue runs the queue's background work as motcua serve does: on
// PostgreSQL, events then travel through LISTEN/NOTIFY as between
// instances.
func (e *queueAPIEnv) runQueue(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.App.Queue.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	if e.App.DB.Engine() == store.Postgres {
		deadline := time.Now().Add(5 * time.Second)
		for !e.App.Queue.Listening() {
			if time.Now().After(deadline) {
				t.Fatal("the queue does not listen")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// The live stream: the whole board first, then each change with the board
// after it; a call carries the words the board says.
func TestQueueAPIEvents(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		e.runQueue(t)
		s := openEvents(t, e.URL)
		if ct := s.resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || s.resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", s.resp.Header)
		}
		first := s.next(t, 5*time.Second)
		var d qaEventData
		if err := json.Unmarshal([]byte(first.Data), &d); err != nil || first.Event != "board" || first.Retry != 2000 || d.Event.Kind != "board" ||
			d.Event.Agency != "H56.16072" || len(d.Board.Counters) != 6 || len(d.Board.Waiting) != 6 {
			t.Fatalf("first frame %+v (%v)", first, err)
		}

		e.issue(t, map[string]any{"group": "chung_thuc"})
		d, ok := s.waitFor(t, "issued", 5*time.Second)
		if !ok || d.Event.Label != "B001" || d.Event.Group != "chung_thuc" || d.Board.Waiting[1].Waiting != 1 {
			t.Fatalf("issued: %v %+v", ok, d)
		}
		if got := e.callNext(t, e.counter2, 2); got != "B001" {
			t.Fatalf("call %q", got)
		}
		d, ok = s.waitFor(t, "called", 5*time.Second)
		if !ok {
			t.Fatal("no called event within 5 s")
		}
		if d.Event.Label != "B001" || d.Event.Counter != 2 || d.Event.CounterName != "Quầy 2 – Chứng thực" ||
			d.Event.Speech != "Mời công dân có số thứ tự B không không một, đến quầy số hai." {
			t.Errorf("called event %+v", d.Event)
		}
		if d.Board.Counters[1].Current != "B001" || len(d.Board.Recent) != 1 || d.Board.Waiting[1].Waiting != 0 {
			t.Errorf("board with the call %+v", d.Board)
		}
		// A recall is said again.
		_, b := e.Do(t, "GET", "/api/v1/queue/counters/2", e.counter2, nil)
		v := apptest.JSON[qaCounterView](t, b)
		if v.Current == nil {
			t.Fatalf("counter 2 has no current ticket: %s", b)
		}
		if st, b := e.act(t, e.counter2, v.Current.ID, map[string]any{"action": "recall", "counter": 2}); st != http.StatusOK {
			t.Fatalf("recall %d %s", st, b)
		}
		if d, ok := s.waitFor(t, "recalled", 5*time.Second); !ok || !strings.HasPrefix(d.Event.Speech, "Mời công dân có số thứ tự B không không một") {
			t.Errorf("recalled: %v %+v", ok, d.Event)
		}
	})
}

// Every change reaches the boards, also when events travel between
// instances (PostgreSQL's LISTEN/NOTIFY, as under motcua serve).
func TestQueueAPIEventsEveryChange(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		e.runQueue(t)
		s := openEvents(t, e.URL)
		s.next(t, 5*time.Second)
		e.issue(t, map[string]any{"group": "chung_thuc"})
		e.callNext(t, e.counter2, 2)
		if _, ok := s.waitFor(t, "called", 5*time.Second); !ok {
			t.Fatal("no called event")
		}
		t.Run("the last ticket finished", func(t *testing.T) {
			// Nobody else waits: the call finishes B001 and calls no one.
			if got := e.callNext(t, e.counter2, 2); got != "" {
				t.Fatalf("called %q", got)
			}
			d, ok := s.waitFor(t, "finished", 3*time.Second)
			if !ok {
				t.Fatal("the boards never heard that B001 was finished: they still show it at counter 2")
			}
			if d.Event.Label != "B001" || d.Board.Counters[1].Current != "" {
				t.Errorf("finished %+v, counter 2 shows %q", d.Event, d.Board.Counters[1].Current)
			}
		})
		t.Run("a counter closed", func(t *testing.T) {
			if st, b := e.Do(t, "PUT", "/api/v1/queue/counters/5", e.admin, map[string]any{"groups": []string{"xa_hoi"}, "open": false}); st != http.StatusOK {
				t.Fatalf("close counter 5: %d %s", st, b)
			}
			d, ok := s.waitFor(t, "changed", 3*time.Second)
			if !ok {
				t.Fatal("the boards never heard that counter 5 closed")
			}
			if d.Board.Counters[4].Open {
				t.Errorf("board after closing counter 5: %+v", d.Board.Counters[4])
			}
		})
	})
}

// Stopping motcua does not wait on the boards' open streams.
func TestQueueAPIEventsEndOnShutdown(t *testing.T) {
	c := &qaClock{t: qaStart}
	env := apptest.Start(t, store.SQLite, apptest.Options{Commune: true, Now: c.Now})
	env.App.Cfg.Addr = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- env.App.Serve(ctx, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("not listening")
	}
	s := openEvents(t, "http://"+addr)
	if f := s.next(t, 5*time.Second); f.Event != "board" {
		t.Fatalf("first frame %+v", f)
	}
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("shutdown still waits for an open event stream after 5 s")
		s.cancel() // the client hangs up; then the server can stop
		if err := <-done; err != nil {
			t.Logf("serve ended after %v with %v", time.Since(start).Round(time.Second), err)
		}
	}
}

// Bad input anywhere gets a 4xx in the error shape with a Vietnamese
// message, never a 500 — on PostgreSQL too, which refuses NUL in text.
func TestQueueAPIBadInput(t *testing.T) {
	queueAPIEach(t, func(t *testing.T, e *queueAPIEnv) {
		tk := e.issue(t, map[string]any{"group": "chung_thuc"})
		e.callNext(t, e.counter2, 2)
		huge := `{"x":"` + strings.Repeat("ă", 150<<10) + `"}`
		type call struct {
			method, path, token string
			body                any
			status              int
		}
		actions := "/api/v1/queue/tickets/" + tk.ID + "/actions"
		calls := []call{
			// Unknown fields, wrong types, broken and empty bodies.
			{"POST", "/api/v1/queue/tickets", e.kiosk, `{"group":"ho_tich","extra":1}`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, `{"group":["ho_tich"]}`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, `[]`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, `null`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, `"ho_tich"`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, `{"group":"ho_tich","phone":12}`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, `{`, 400},
			{"POST", "/api/v1/queue/tickets", e.kiosk, huge, 413},
			{"POST", actions, e.counter2, `{"action":"start","counter":2,"extra":true}`, 400},
			{"POST", actions, e.counter2, `{"action":1,"counter":2}`, 400},
			{"POST", actions, e.counter2, `{"action":"start","counter":1e10}`, 400},
			{"POST", actions, e.counter2, `{"action":"start","counter":-1}`, 403},
			{"POST", actions, e.counter2, `{"action":"transfer","counter":2,"to":-5}`, 400},
			{"POST", actions, e.counter2, `{"action":"link","counter":2,"dossier":"` + strings.Repeat("X", 61) + `"}`, 400},
			{"POST", actions, e.counter2, huge, 413},
			{"POST", "/api/v1/queue/appointments", "", `{"group":"kinh_doanh","at":12,"name":"A","phone":"0912000111"}`, 400},
			{"POST", "/api/v1/queue/appointments", "", `{"group":"kinh_doanh","at":"2026-11-30T01:30:00Z","name":"` + strings.Repeat("A", 101) + `","phone":"0912000111"}`, 400},
			{"POST", "/api/v1/queue/appointments", "", huge, 413},
			{"POST", "/api/v1/queue/appointments/ZZZZZZZZ/cancel", "", `{"phone":"0912000111","code":"x"}`, 400},
			{"PUT", "/api/v1/queue/settings", e.admin, `{"priority_mode":"strict","interleave_n":3.5}`, 400},
			{"PUT", "/api/v1/queue/settings", e.admin, huge, 413},
			{"PUT", "/api/v1/queue/groups/ho_tich", e.admin, `{"prefix":"A","name":"Hộ tịch","service_seconds":"480"}`, 400},
			{"PUT", "/api/v1/queue/groups/" + strings.Repeat("a", 41), e.admin, `{"prefix":"Z","name":"Z","service_seconds":480}`, 400},
			{"PUT", "/api/v1/queue/counters/3", e.admin, `{"groups":[1,2]}`, 400},
			{"PUT", "/api/v1/queue/counters/3", e.admin, `{"open":"no"}`, 400},
			// Bad counter numbers and unknown things.
			{"POST", "/api/v1/queue/counters/0/call-next", e.counter2, nil, 400},
			{"POST", "/api/v1/queue/counters/100/call-next", e.counter2, nil, 400},
			{"POST", "/api/v1/queue/counters/abc/call-next", e.counter2, nil, 400},
			{"POST", "/api/v1/queue/counters/%20/call-next", e.counter2, nil, 400},
			{"GET", "/api/v1/queue/counters/0", e.counter2, nil, 400},
			{"PUT", "/api/v1/queue/counters/100", e.admin, `{}`, 400},
			{"GET", "/api/v1/queue/tickets/nosuchticket", e.kiosk, nil, 404},
			{"POST", "/api/v1/queue/tickets/nosuchticket/actions", e.counter2, `{"action":"start","counter":2}`, 404},
			{"GET", "/api/v1/queue/appointments/short", e.kiosk, nil, 400},
			{"GET", "/api/v1/queue/slots?group=kinh_doanh&date=2026-02-30", e.kiosk, nil, 400},
			{"GET", "/api/v1/queue/slots?group=kinh_doanh&date=" + strings.Repeat("9", 5000), e.kiosk, nil, 400},
			{"GET", "/api/v1/queue/stats?from=0000-00-00", e.admin, nil, 400},
			{"GET", "/api/v1/queue/board?agency=" + strings.Repeat("x", 5000), e.kiosk, nil, 400},
			{"GET", "/api/v1/queue/nosuchthing", e.kiosk, nil, 404},
			{"DELETE", "/api/v1/queue/tickets/" + tk.ID, e.admin, nil, 0},
		}
		for _, c := range calls {
			st, b := e.Do(t, c.method, c.path, c.token, c.body)
			what := c.method + " " + c.path
			if len(what) > 90 {
				what = what[:90] + "…"
			}
			if s, ok := c.body.(string); ok && len(s) < 120 {
				what += " " + s
			}
			wantError(t, what, st, b, c.status, "")
		}

		// Text PostgreSQL cannot store (NUL) is refused, not a server error.
		t.Run("NUL", func(t *testing.T) {
			nul := []call{
				{"POST", "/api/v1/queue/tickets", e.kiosk, `{"group":"chung_thuc","procedure":"1.00\u00001"}`, 400},
				{"POST", "/api/v1/queue/tickets", e.kiosk, `{"appointment_code":"AB\u0000CDEFG"}`, 400},
				{"POST", "/api/v1/queue/tickets", e.kiosk, `{"group":"chung_thuc","agency":"H56\u0000"}`, 0},
				{"GET", "/api/v1/queue/tickets/ab%00cd", e.kiosk, nil, 404},
				{"POST", "/api/v1/queue/tickets/ab%00cd/actions", e.counter2, `{"action":"start","counter":2}`, 404},
				{"POST", actions, e.counter2, `{"action":"transfer","counter":2,"group":"x\u0000y"}`, 400},
				{"GET", "/api/v1/queue/appointments/ABCD%00EFG", e.kiosk, nil, 400},
				{"POST", "/api/v1/queue/appointments/ABCD%00EFG/cancel", "", `{"phone":"0912000111"}`, 400},
				{"POST", "/api/v1/queue/appointments", "", `{"agency":"H\u0000","group":"kinh_doanh","at":"2026-11-30T01:30:00Z","name":"A","phone":"0912000111"}`, 0},
				{"PUT", "/api/v1/queue/groups/chung_thuc", e.admin, `{"prefix":"B","name":"Chứng thực","icon":"st\u0000amp","service_seconds":240,"active":true}`, 400},
				{"PUT", "/api/v1/queue/settings", e.admin, `{"priority_mode":"strict","interleave_n":3,"max_absences":2,"slot_minutes":30,"booking_days":14,"priority_classes":[{"code":"x","name":"a\u0000b"}]}`, 400},
				{"GET", "/api/v1/queue/board?agency=H56%00", e.kiosk, nil, 400},
				{"GET", "/api/v1/queue/slots?group=kinh%00doanh&date=2026-11-30", e.kiosk, nil, 400},
			}
			for _, c := range nul {
				st, b := e.Do(t, c.method, c.path, c.token, c.body)
				what := c.method + " " + c.path
				if s, ok := c.body.(string); ok {
					what += " " + s
				}
				wantError(t, what, st, b, c.status, "")
			}
		})
	})
}
