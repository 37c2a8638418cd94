package dossier_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// clock is a test clock the engine reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
func (c *clock) Set(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

const home = "H56.16072"

var (
	lan   = &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}, Agency: home}
	hung  = &identity.Principal{ID: "u002", Name: "Nguyễn Văn Hùng", Roles: []string{identity.RoleCounter}, Agency: home}
	huong = &identity.Principal{ID: "u003", Name: "Phạm Thị Hương", Roles: []string{identity.RoleSpecialist}, Agency: home}
	duc   = &identity.Principal{ID: "u004", Name: "Trần Minh Đức", Roles: []string{identity.RoleSpecialist}, Agency: home}
	binh  = &identity.Principal{ID: "u007", Name: "Lê Văn Bình", Roles: []string{identity.RoleLeader}, Agency: home}
	other = &identity.Principal{ID: "x001", Name: "Cán bộ xã khác", Roles: []string{identity.RoleCounter, identity.RoleSpecialist}, Agency: "H56.99999"}
)

type env struct {
	*apptest.Env
	clock *clock
	eng   *dossier.Engine
}

func start(t *testing.T, eng store.Engine) *env {
	c := &clock{}
	c.Set("2026-11-27 09:00") // a Friday
	e := apptest.Start(t, eng, apptest.Options{Commune: true, Now: c.Now})
	return &env{Env: e, clock: c, eng: e.App.Dossiers}
}

func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) { fn(t, start(t, eng)) })
	}
}

var applicant = dossier.Applicant{Name: "Nguyễn Thị Hoa", IDNumber: "038190012345", Phone: "0912345678", Address: "Thôn Đông Hòa, xã Hoa Lộc"}

// birth is a complete birth-registration dossier at the counter.
func birth() dossier.SubmitRequest {
	return dossier.SubmitRequest{
		Procedure: "1.001193", Applicant: applicant,
		Components: []dossier.ComponentInput{{ID: "to-khai"}, {ID: "giay-chung-sinh", Files: 1}, {ID: "giay-to-tuy-than", Source: "population_db"}},
		Form: map[string]any{"child_name": "Nguyễn Minh An", "child_birth_date": "2026-11-20", "child_sex": "male", "birth_place": "Trạm y tế xã Hoa Lộc",
			"mother_name": "Nguyễn Thị Hoa", "applicant_name": "Nguyễn Thị Hoa", "applicant_id": "038190012345", "relation": "mother",
			"address": "Thôn Đông Hòa", "phone": "0912345678"},
	}
}

// maritalStatus is a complete marital-status certificate dossier (3
// working days, the standard workflow).
func maritalStatus(t *testing.T, e *env) dossier.SubmitRequest {
	p, ok := e.App.Catalog.Catalog().Get("1.004873")
	if !ok {
		t.Fatal("1.004873 missing")
	}
	v, _ := p.VersionAt(e.clock.Now())
	req := dossier.SubmitRequest{Procedure: "1.004873", Applicant: applicant, Form: map[string]any{}}
	for _, c := range v.Components {
		if c.Required {
			req.Components = append(req.Components, dossier.ComponentInput{ID: c.ID, Files: 1})
		}
	}
	for _, f := range v.Form {
		if !f.Required {
			continue
		}
		switch f.Type {
		case "date":
			req.Form[f.ID] = "1990-05-01"
		case "id_number":
			req.Form[f.ID] = "038190012345"
		case "phone":
			req.Form[f.ID] = "0912345678"
		case "select":
			req.Form[f.ID] = f.Options[0].Value
		case "number":
			req.Form[f.ID] = 1
		case "checkbox":
			req.Form[f.ID] = true
		default:
			req.Form[f.ID] = "Nội dung " + f.Label
		}
	}
	return req
}

func code(t *testing.T, err error) string {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an apperr", err)
	}
	return ae.Code
}

func act(t *testing.T, e *env, p *identity.Principal, c string, req dossier.ActionRequest) *dossier.Dossier {
	t.Helper()
	res, err := e.eng.Act(context.Background(), p, c, req, "")
	if err != nil {
		t.Fatalf("%s by %s: %v", req.Action, p.Name, err)
	}
	return res.Dossier
}

func TestReceiveAtCounter(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res, err := e.eng.Submit(ctx, lan, birth(), "")
		if err != nil {
			t.Fatal(err)
		}
		d := res.Dossier
		if d.Code != "H56.16072-261127-0001" {
			t.Errorf("code %s", d.Code)
		}
		if res.Outcome != "received" || res.Form != "01" || d.Status != 2 || d.State != "received" {
			t.Errorf("outcome %s form %s status %d state %s", res.Outcome, res.Form, d.Status, d.State)
		}
		// Same-day procedure received at 09:00: due at the close of the day.
		if want := time.Date(2026, 11, 27, 17, 0, 0, 0, calendar.Location); !d.DueAt.Equal(want) {
			t.Errorf("due %s, want %s", d.DueAt, want)
		}
		if !regexp.MustCompile(`^[2-9A-Z]{8}$`).MatchString(res.LookupKey) {
			t.Errorf("lookup key %q", res.LookupKey)
		}
		if d.Reused != 1 || !d.PopulationData {
			t.Errorf("reuse flags: reused %d population %v", d.Reused, d.PopulationData)
		}
		got, hist, err := e.eng.Get(ctx, huong, d.Code)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Components) != 6 || len(hist) != 1 || hist[0].Action != "receive" || hist[0].ToStatus != 2 {
			t.Errorf("components %d, history %+v", len(got.Components), hist)
		}
		entries, _ := audit.ForObject(ctx, e.App.DB, "dossier", d.Code)
		if len(entries) < 2 || entries[0].Action != "dossier.receive" || entries[1].Action != "dossier.read" {
			t.Errorf("audit %+v", entries)
		}
		// Received after 15:00: counted from the next working day (Monday).
		e.clock.Set("2026-11-27 15:30")
		res2, err := e.eng.Submit(ctx, lan, birth(), "")
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 11, 30, 17, 0, 0, 0, calendar.Location); !res2.Dossier.DueAt.Equal(want) || res2.Dossier.Code != "H56.16072-261127-0002" {
			t.Errorf("after 15:00: due %s code %s", res2.Dossier.DueAt, res2.Dossier.Code)
		}
	})
}

func TestReceptionOutcomes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		inc := birth()
		inc.Components = inc.Components[:1]
		_, err := e.eng.Submit(ctx, lan, inc, "")
		if code(t, err) != "dossier_incomplete" || !strings.Contains(err.Error(), "Giấy chứng sinh") {
			t.Errorf("incomplete: %v", err)
		}
		inc.Decision = dossier.DecisionGuide
		res, err := e.eng.Submit(ctx, lan, inc, "")
		if err != nil || res.Outcome != "guided" || res.Form != "02" || res.Dossier.Status != 1 || len(res.Missing) == 0 {
			t.Fatalf("guide: %+v %v", res, err)
		}
		if res.Dossier.DueAt != nil {
			t.Error("a guided dossier is not received and has no due date")
		}
		// The citizen comes back with everything: the desk receives it.
		d := act(t, e, lan, res.Dossier.Code, dossier.ActionRequest{Action: "receive"})
		if d.Status != 2 || d.DueAt == nil {
			t.Errorf("receive after guidance: %+v", d)
		}
		ref := birth()
		ref.Decision = dossier.DecisionRefuse
		if _, err := e.eng.Submit(ctx, lan, ref, ""); code(t, err) != "reasons_required" {
			t.Errorf("refuse without reasons: %v", err)
		}
		ref.Reasons = []string{"Thủ tục không thuộc thẩm quyền của xã"}
		res, err = e.eng.Submit(ctx, lan, ref, "")
		if err != nil || res.Dossier.Status != 3 || res.Form != "03" || !res.Dossier.Terminal() {
			t.Errorf("refuse: %+v %v", res, err)
		}
		for _, bad := range []struct {
			mutate func(*dossier.SubmitRequest)
			code   string
		}{
			{func(r *dossier.SubmitRequest) { r.Procedure = "9.999999" }, "unknown_procedure"},
			{func(r *dossier.SubmitRequest) { r.Applicant.Name = "  " }, "applicant_name_required"},
			{func(r *dossier.SubmitRequest) { r.Applicant.IDNumber = "12345" }, "invalid_id_number"},
			{func(r *dossier.SubmitRequest) { r.Applicant.Phone = "12" }, "invalid_phone"},
			{func(r *dossier.SubmitRequest) { r.Components[0].ID = "nope" }, "unknown_component"},
			{func(r *dossier.SubmitRequest) { r.Components[2].Source = "document_store" }, "invalid_component_source"},
			{func(r *dossier.SubmitRequest) { r.Form["child_birth_date"] = "20/11/2026" }, "invalid_form_value"},
			{func(r *dossier.SubmitRequest) { r.Form["child_sex"] = "other" }, "invalid_form_value"},
			{func(r *dossier.SubmitRequest) { delete(r.Form, "child_name") }, "form_field_required"},
			{func(r *dossier.SubmitRequest) { r.Form["favourite_colour"] = "đỏ" }, "unknown_form_field"},
			{func(r *dossier.SubmitRequest) { r.Channel = "fax" }, "invalid_channel"},
			{func(r *dossier.SubmitRequest) { r.Decision = "maybe" }, "invalid_decision"},
		} {
			r := birth()
			bad.mutate(&r)
			if _, err := e.eng.Submit(ctx, lan, r, ""); err == nil || code(t, err) != bad.code {
				t.Errorf("want %s, got %v", bad.code, err)
			}
		}
		if _, err := e.eng.Submit(ctx, huong, birth(), ""); code(t, err) != "forbidden" {
			t.Errorf("a specialist cannot receive at the counter: %v", err)
		}
	})
}

// Codes are unique and gap-free per agency and day under concurrency.
func TestCodesGapFree(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const n = 60
		var wg sync.WaitGroup
		codes := make([]string, n)
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := birth()
				if i%5 == 0 {
					r.Applicant.IDNumber = "bad" // fails validation: must not consume a number
				}
				res, err := e.eng.Submit(ctx, lan, r, "")
				errs[i] = err
				if err == nil {
					codes[i] = res.Dossier.Code
				}
			}(i)
		}
		wg.Wait()
		var got []string
		for i := range codes {
			if i%5 == 0 {
				if errs[i] == nil {
					t.Fatalf("submit %d should fail", i)
				}
				continue
			}
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			got = append(got, codes[i])
		}
		sort.Strings(got)
		for i, c := range got {
			if want := fmt.Sprintf("H56.16072-261127-%04d", i+1); c != want {
				t.Fatalf("code %d = %s, want %s (all: %v)", i, c, want, got)
			}
		}
	})
}

func TestIdempotentSubmit(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		a, err := e.eng.Submit(ctx, lan, birth(), "retry-1")
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.eng.Submit(ctx, lan, birth(), "retry-1")
		if err != nil {
			t.Fatal(err)
		}
		if !b.Replayed || a.Dossier.Code != b.Dossier.Code || a.LookupKey != b.LookupKey {
			t.Errorf("retry returned %s (replayed %v), want %s", b.Dossier.Code, b.Replayed, a.Dossier.Code)
		}
		other := birth()
		other.Applicant.Name = "Người khác"
		if _, err := e.eng.Submit(ctx, lan, other, "retry-1"); code(t, err) != "idempotency_key_reused" {
			t.Errorf("same key, other body: %v", err)
		}
		// Another officer's key space is separate.
		c, err := e.eng.Submit(ctx, hung, birth(), "retry-1")
		if err != nil || c.Dossier.Code == a.Dossier.Code {
			t.Errorf("another officer: %v", err)
		}
		var n int
		e.App.DB.Read().QueryRow("SELECT COUNT(*) FROM dossiers").Scan(&n)
		if n != 2 {
			t.Errorf("%d dossiers, want 2", n)
		}
	})
}

// receive → transfer → submit → approve → sign → return, with every
// history row and the national statuses.
func TestStandardWorkflow(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.clock.Set("2026-11-23 09:00") // Monday
		res, err := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		if err != nil {
			t.Fatal(err)
		}
		c := res.Dossier.Code
		due := *res.Dossier.DueAt
		if want := time.Date(2026, 11, 26, 17, 0, 0, 0, calendar.Location); !due.Equal(want) {
			t.Errorf("3 working days from Monday: due %s, want %s", due, want)
		}
		steps := []struct {
			p      *identity.Principal
			action string
			at     string
			state  string
			status int
		}{
			{lan, "transfer", "2026-11-23 10:00", "processing", 4},
			{huong, "take", "2026-11-23 10:30", "processing", 4},
			{huong, "submit", "2026-11-24 15:00", "approval", 4},
			{binh, "approve", "2026-11-25 09:00", "signing", 4},
			{binh, "sign", "2026-11-25 09:10", "result_ready", 9},
		}
		for _, s := range steps {
			e.clock.Set(s.at)
			d := act(t, e, s.p, c, dossier.ActionRequest{Action: s.action, ResultCode: "15/2026/XNTTHN"})
			if d.State != s.state || d.Status != s.status {
				t.Fatalf("after %s: %s/%d, want %s/%d", s.action, d.State, d.Status, s.state, s.status)
			}
		}
		e.clock.Set("2026-11-25 14:00")
		if _, err := e.eng.Act(ctx, lan, c, dossier.ActionRequest{Action: "return_result"}, ""); code(t, err) != "collected_by_required" {
			t.Errorf("return without recipient: %v", err)
		}
		d := act(t, e, lan, c, dossier.ActionRequest{Action: "return_result", CollectedBy: "Nguyễn Thị Hoa"})
		if d.Status != 10 || d.ReturnedAt == nil || d.FinishedAt == nil || d.Result.Code != "15/2026/XNTTHN" || d.Result.CollectedBy != "Nguyễn Thị Hoa" {
			t.Errorf("returned: %+v", d)
		}
		_, hist, _ := e.eng.Get(ctx, binh, c)
		var actions []string
		for _, h := range hist {
			actions = append(actions, h.Action)
		}
		if strings.Join(actions, ",") != "receive,transfer,take,submit,approve,sign,return_result" {
			t.Errorf("history %v", actions)
		}
		for _, h := range hist {
			if h.Action == "submit" && h.Outcome == "" {
				t.Errorf("the specialist's step has no outcome: %+v", h)
			}
		}
		if _, err := e.eng.Act(ctx, lan, c, dossier.ActionRequest{Action: "transfer"}, ""); code(t, err) != "action_not_allowed" {
			t.Errorf("acting on a returned dossier: %v", err)
		}
	})
}

func TestForbiddenAndInvalidChangeNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res, _ := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		c := res.Dossier.Code
		before, hist0, _ := e.eng.Get(ctx, binh, c)
		cases := []struct {
			p    *identity.Principal
			req  dossier.ActionRequest
			code string
		}{
			{huong, dossier.ActionRequest{Action: "transfer"}, "forbidden"},
			{lan, dossier.ActionRequest{Action: "approve"}, "action_not_allowed"},
			{lan, dossier.ActionRequest{Action: "teleport"}, "unknown_action"},
			{lan, dossier.ActionRequest{Action: "payment_received"}, "action_not_allowed"},
			{huong, dossier.ActionRequest{Action: "stop", Reasons: []string{"x"}}, "forbidden"},
			{binh, dossier.ActionRequest{Action: "stop"}, "reasons_required"},
			{lan, dossier.ActionRequest{Action: "transfer", Rev: 99}, "dossier_changed"},
			{other, dossier.ActionRequest{Action: "transfer"}, "dossier_not_found"},
		}
		for _, tc := range cases {
			if _, err := e.eng.Act(ctx, tc.p, c, tc.req, ""); err == nil || code(t, err) != tc.code {
				t.Errorf("%s by %s: %v, want %s", tc.req.Action, tc.p.Name, err, tc.code)
			}
		}
		after, hist1, _ := e.eng.Get(ctx, binh, c)
		if after.Rev != before.Rev || after.State != before.State || len(hist1) != len(hist0) {
			t.Errorf("refused actions changed the dossier: rev %d→%d, history %d→%d", before.Rev, after.Rev, len(hist0), len(hist1))
		}
		if _, _, err := e.eng.Get(ctx, other, c); code(t, err) != "dossier_not_found" {
			t.Errorf("another commune's officer sees the dossier: %v", err)
		}
	})
}

// The clock stops while the citizen supplements; a second request is
// allowed but the dossier then counts as late.
func TestSupplementStopsTheClock(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.clock.Set("2026-11-23 09:00")
		res, _ := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		c := res.Dossier.Code
		due0 := *res.Dossier.DueAt // Thursday 26/11 17:00
		act(t, e, lan, c, dossier.ActionRequest{Action: "transfer"})
		e.clock.Set("2026-11-24 09:00")
		if _, err := e.eng.Act(ctx, huong, c, dossier.ActionRequest{Action: "request_supplement"}, ""); code(t, err) != "reasons_required" {
			t.Errorf("no reasons: %v", err)
		}
		d := act(t, e, huong, c, dossier.ActionRequest{Action: "request_supplement", Reasons: []string{"Bổ sung bản sao quyết định ly hôn"}})
		if d.Status != 5 || d.SupplementCount != 1 || d.CountsLate {
			t.Errorf("after request: %+v", d)
		}
		// The citizen comes back two working days later.
		e.clock.Set("2026-11-26 09:00")
		d = act(t, e, lan, c, dossier.ActionRequest{Action: "supplement_received"})
		want := e.eng.Calendar().ShiftWorkingMinutes(due0, 16*60)
		if d.Status != 4 || d.State != "processing" || !d.DueAt.Equal(want) || d.PausedMinutes != 960 {
			t.Errorf("after supplement: status %d state %s due %s (want %s) paused %d", d.Status, d.State, d.DueAt, want, d.PausedMinutes)
		}
		d = act(t, e, huong, c, dossier.ActionRequest{Action: "request_supplement", Reasons: []string{"Bổ sung thêm"}})
		if !d.CountsLate || d.SupplementCount != 2 {
			t.Errorf("second request must count late: %+v", d)
		}
	})
}

func TestApologyOnceOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.clock.Set("2026-11-23 09:00")
		res, _ := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		c := res.Dossier.Code
		act(t, e, lan, c, dossier.ActionRequest{Action: "transfer"})
		e.clock.Set("2026-11-24 10:00")
		if _, err := e.eng.Act(ctx, huong, c, dossier.ActionRequest{Action: "apologize", Reasons: []string{"x"}, NewDue: "2026-12-01"}, ""); code(t, err) != "forbidden" {
			t.Errorf("a specialist cannot sign the apology: %v", err)
		}
		if _, err := e.eng.Act(ctx, binh, c, dossier.ActionRequest{Action: "apologize", Reasons: []string{"x"}, NewDue: "2026-11-20"}, ""); code(t, err) != "new_due_not_later" {
			t.Errorf("earlier date: %v", err)
		}
		res2, err := e.eng.Act(ctx, binh, c, dossier.ActionRequest{Action: "apologize", Reasons: []string{"Chờ xác minh tình trạng hôn nhân tại nơi cư trú trước"}, NewDue: "2026-12-01"}, "")
		if err != nil {
			t.Fatal(err)
		}
		d := res2.Dossier
		if d.ApologizedAt == nil || !d.DueAt.Equal(time.Date(2026, 12, 1, 17, 0, 0, 0, calendar.Location)) || !d.OriginalDueAt.Equal(*res.Dossier.DueAt) {
			t.Errorf("apology: due %s original %s", d.DueAt, d.OriginalDueAt)
		}
		if res2.Entry.Detail["in_time"] != true {
			t.Errorf("sent 2 working days before the deadline: in_time must be true: %v", res2.Entry.Detail)
		}
		if _, err := e.eng.Act(ctx, binh, c, dossier.ActionRequest{Action: "apologize", Reasons: []string{"x"}, NewDue: "2026-12-05"}, ""); code(t, err) != "apology_already_sent" {
			t.Errorf("second apology: %v", err)
		}
	})
}

// Two officers take the same item at once: one gets it.
func TestTakeIsExclusive(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res, _ := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		c := res.Dossier.Code
		act(t, e, lan, c, dossier.ActionRequest{Action: "transfer"})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []*identity.Principal{huong, duc} {
			wg.Add(1)
			go func(i int, p *identity.Principal) {
				defer wg.Done()
				_, errs[i] = e.eng.Act(ctx, p, c, dossier.ActionRequest{Action: "take"}, "")
			}(i, p)
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("exactly one take must succeed: %v", errs)
		}
		loser := duc
		if errs[0] != nil {
			loser = huong
		}
		if _, err := e.eng.Act(ctx, loser, c, dossier.ActionRequest{Action: "submit"}, ""); code(t, err) != "assigned_to_other" {
			t.Errorf("the other officer acts on a taken dossier: %v", err)
		}
		mine, _, _ := e.eng.List(ctx, huong, dossier.Filter{Inbox: "role"})
		for _, s := range mine {
			if s.Code == c {
				t.Error("a taken dossier must leave the role inbox")
			}
		}
	})
}

func TestEndStates(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		mk := func() string {
			res, err := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
			if err != nil {
				t.Fatal(err)
			}
			act(t, e, lan, res.Dossier.Code, dossier.ActionRequest{Action: "transfer"})
			return res.Dossier.Code
		}
		w := act(t, e, lan, mk(), dossier.ActionRequest{Action: "withdraw", Reasons: []string{"Công dân không còn nhu cầu"}})
		s := act(t, e, binh, mk(), dossier.ActionRequest{Action: "stop", Reasons: []string{"Người yêu cầu chết"}})
		r := act(t, e, binh, mk(), dossier.ActionRequest{Action: "refuse", Reasons: []string{"Không đủ điều kiện"}})
		for _, d := range []*dossier.Dossier{w, s, r} {
			if !d.Terminal() || d.FinishedAt == nil || len(d.StepRoles) != 0 {
				t.Errorf("%s: terminal %v finished %v roles %v", d.State, d.Terminal(), d.FinishedAt, d.StepRoles)
			}
		}
		if w.Status != 7 || s.Status != 8 || r.Status != 8 {
			t.Errorf("statuses %d %d %d", w.Status, s.Status, r.Status)
		}
	})
}

func TestCompleteAlias(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res, _ := e.eng.Submit(ctx, lan, birth(), "")
		c := res.Dossier.Code
		act(t, e, lan, c, dossier.ActionRequest{Action: "transfer"})
		if _, err := e.eng.Act(ctx, huong, c, dossier.ActionRequest{Action: "complete"}, ""); code(t, err) != "action_not_allowed" {
			t.Errorf("complete before signing: %v", err)
		}
		act(t, e, huong, c, dossier.ActionRequest{Action: "submit"})
		d := act(t, e, binh, c, dossier.ActionRequest{Action: "complete", ResultCode: "123/2026"})
		if d.Status != 9 || d.Result.Code != "123/2026" {
			t.Errorf("complete: %+v", d)
		}
	})
}

func TestDeadlineWatch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.clock.Set("2026-11-23 09:00")
		res, _ := e.eng.Submit(ctx, lan, maritalStatus(t, e), "") // due Thu 26/11 17:00
		c := res.Dossier.Code
		act(t, e, lan, c, dossier.ActionRequest{Action: "transfer"})
		act(t, e, huong, c, dossier.ActionRequest{Action: "take"})
		if r, err := e.eng.Sweep(ctx); err != nil || r.DueSoon+r.Overdue != 0 {
			t.Fatalf("nothing is due yet: %+v %v", r, err)
		}
		e.clock.Set("2026-11-25 08:00") // 1.9 working days left
		r, err := e.eng.Sweep(ctx)
		if err != nil || r.DueSoon != 1 || r.Notifications < 2 {
			t.Fatalf("due soon: %+v %v", r, err)
		}
		ns, _ := e.eng.Notifications(ctx, huong, 10)
		if len(ns) != 1 || ns[0].Kind != "due_soon" || !strings.Contains(ns[0].Message, "mẫu 04") {
			t.Errorf("the assignee's reminder: %+v", ns)
		}
		desk, _ := e.eng.Notifications(ctx, lan, 10)
		if len(desk) != 1 {
			t.Errorf("the desk's reminder: %+v", desk)
		}
		// Again, and after a restart (a new engine on the same database): nothing twice.
		if r, _ := e.eng.Sweep(ctx); r.DueSoon != 0 || r.Notifications != 0 {
			t.Errorf("second sweep fired again: %+v", r)
		}
		e.clock.Set("2026-11-26 17:01")
		r, _ = e.eng.Sweep(ctx)
		if r.Overdue != 1 {
			t.Errorf("overdue: %+v", r)
		}
		r, _ = e.eng.Sweep(ctx)
		if r.Overdue != 0 || r.Notifications != 0 {
			t.Errorf("overdue fired twice: %+v", r)
		}
		lead, _ := e.eng.Notifications(ctx, binh, 10)
		if len(lead) == 0 {
			t.Error("the leader hears of an overdue dossier")
		}
		var n int
		e.App.DB.Read().QueryRow("SELECT COUNT(*) FROM notifications").Scan(&n)
		list, _, _ := e.eng.List(ctx, huong, dossier.Filter{Inbox: "mine"})
		if len(list) != 1 || list[0].Urgency != dossier.UrgencyOverdue {
			t.Errorf("inbox urgency: %+v", list)
		}
	})
}

func TestPublicLookupAndSeal(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		res, _ := e.eng.Submit(ctx, lan, birth(), "")
		d := res.Dossier
		v, err := e.eng.Public(ctx, d.Code, res.LookupKey, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Applicant != "Nguyễn T. H." || v.Status != 2 || len(v.Timeline) != 1 || v.DueAt == nil {
			t.Errorf("public view %+v", v)
		}
		if _, err := e.eng.Public(ctx, d.Code, "", "5678"); err != nil {
			t.Errorf("by phone digits: %v", err)
		}
		for _, bad := range [][3]string{{d.Code, "WRONGKEY", ""}, {d.Code, "", "0000"}, {"H56.16072-261127-9999", res.LookupKey, ""}, {d.Code, "", ""}} {
			if _, err := e.eng.Public(ctx, bad[0], bad[1], bad[2]); code(t, err) != "lookup_failed" {
				t.Errorf("%v: %v", bad, err)
			}
		}
		seal := e.eng.ReceiptSeal(d)
		ver, err := e.eng.VerifySeal(ctx, seal)
		if err != nil || !ver.Genuine || ver.Code != d.Code {
			t.Errorf("genuine receipt: %+v %v", ver, err)
		}
		ver, _ = e.eng.VerifySeal(ctx, e.eng.StatusURL(d))
		if !ver.Genuine {
			t.Errorf("the QR address verifies too: %+v", ver)
		}
		parts := strings.Split(seal, ".")
		forged := parts[0][:len(parts[0])-2] + "AA." + parts[1] + "." + parts[2]
		if ver, _ := e.eng.VerifySeal(ctx, forged); ver.Genuine {
			t.Error("an altered seal verified")
		}
	})
}

func TestInboxes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			res, _ := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
			act(t, e, lan, res.Dossier.Code, dossier.ActionRequest{Action: "transfer"})
		}
		forSpecialist, total, err := e.eng.List(ctx, huong, dossier.Filter{Inbox: "role"})
		if err != nil || total != 3 || len(forSpecialist) != 3 {
			t.Fatalf("specialist role inbox: %d %v", total, err)
		}
		forLeader, _, _ := e.eng.List(ctx, binh, dossier.Filter{Inbox: "role"})
		if len(forLeader) != 0 {
			t.Errorf("leader inbox has %d", len(forLeader))
		}
		act(t, e, huong, forSpecialist[0].Code, dossier.ActionRequest{Action: "take"})
		mine, _, _ := e.eng.List(ctx, huong, dossier.Filter{Inbox: "mine"})
		role, _, _ := e.eng.List(ctx, duc, dossier.Filter{Inbox: "role"})
		if len(mine) != 1 || len(role) != 2 {
			t.Errorf("after take: mine %d, role %d", len(mine), len(role))
		}
		if _, _, err := e.eng.List(ctx, other, dossier.Filter{Agency: home}); code(t, err) != "forbidden" {
			t.Errorf("another commune lists ours: %v", err)
		}
		acts := e.eng.Available(mustGet(t, e, forSpecialist[0].Code), huong)
		var ids []string
		for _, a := range acts {
			ids = append(ids, a.ID)
		}
		if !strings.Contains(strings.Join(ids, ","), "submit") || strings.Contains(strings.Join(ids, ","), "approve") {
			t.Errorf("available to the specialist: %v", ids)
		}
	})
}

func mustGet(t *testing.T, e *env, c string) *dossier.Dossier {
	d, _, err := e.eng.Get(context.Background(), binh, c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Staff find a dossier by code, ID number, or the start of the applicant's
// name typed with or without diacritics; the newest come first when asked;
// dossiers written before the search key existed get it filled.
func TestListSearch(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		names := []string{"Nguyễn Văn An", "Nguyễn Thị Bích", "Đặng Văn Nguyên", "NGUYỄN VĂN ĐỨC"}
		var codes []string
		for i, n := range names {
			req := maritalStatus(t, e)
			req.Applicant.Name = n
			req.Applicant.IDNumber = fmt.Sprintf("03819000%04d", i)
			res, err := e.eng.Submit(ctx, lan, req, "")
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, res.Dossier.Code)
			e.clock.Advance(time.Minute)
		}
		find := func(q string) []string {
			t.Helper()
			list, total, err := e.eng.List(ctx, lan, dossier.Filter{Q: q, Sort: "newest"})
			if err != nil || total != len(list) {
				t.Fatalf("search %q: %d %v", q, total, err)
			}
			var out []string
			for _, s := range list {
				out = append(out, s.Applicant)
			}
			return out
		}
		for q, want := range map[string]string{
			"nguyen van":      "NGUYỄN VĂN ĐỨC,Nguyễn Văn An",
			"Nguyễn  Văn":     "NGUYỄN VĂN ĐỨC,Nguyễn Văn An",
			"NGUYEN":          "NGUYỄN VĂN ĐỨC,Nguyễn Thị Bích,Nguyễn Văn An",
			"dang van nguyen": "Đặng Văn Nguyên",
			"đặng":            "Đặng Văn Nguyên",
			"038190000001":    "Nguyễn Thị Bích",
			"van":             "",
			"nguyen van dz":   "",
		} {
			if got := strings.Join(find(q), ","); got != want {
				t.Errorf("search %q: %q, want %q", q, got, want)
			}
		}
		if got := find(strings.ToLower(codes[2])); len(got) != 1 || got[0] != names[2] {
			t.Errorf("search by lower-case code: %v", got)
		}
		// A dossier from before migration 0004 has no key until filled.
		if err := e.App.DB.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE dossiers SET applicant_key = ''")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got := find("nguyen"); len(got) != 0 {
			t.Errorf("before filling: %v", got)
		}
		if n, err := e.eng.FillSearchKeys(ctx); err != nil || n != len(names) {
			t.Fatalf("filled %d, %v", n, err)
		}
		if n, _ := e.eng.FillSearchKeys(ctx); n != 0 {
			t.Errorf("filled again: %d", n)
		}
		if got := find("nguyen"); len(got) != 3 {
			t.Errorf("after filling: %v", got)
		}
		if err := e.App.DB.Optimize(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// Text with a NUL or broken UTF-8 is refused with a field error on both
// engines (PostgreSQL would otherwise fail the insert), and nothing is kept.
func TestInvalidTextRefused(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for field, mutate := range map[string]func(*dossier.SubmitRequest){
			"applicant.name":    func(r *dossier.SubmitRequest) { r.Applicant.Name = "Lê Văn\x00 Bình" },
			"applicant.address": func(r *dossier.SubmitRequest) { r.Applicant.Address = "Thôn \xed Đông" },
		} {
			req := maritalStatus(t, e)
			mutate(&req)
			_, err := e.eng.Submit(ctx, lan, req, "")
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != "invalid_text" || ae.Field != field {
				t.Errorf("%s: %v", field, err)
			}
		}
		res, err := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.eng.Act(ctx, lan, res.Dossier.Code, dossier.ActionRequest{Action: "transfer", Comment: "chuyển\x00"}, "")
		if code(t, err) != "invalid_text" {
			t.Errorf("NUL in a comment: %v", err)
		}
		if n := e.eng.Count(ctx, lan, dossier.Filter{}); n != 1 {
			t.Errorf("%d dossiers kept, want 1", n)
		}
	})
}

// GetMany reads a list of dossiers at once, in the order asked, each read
// audited once; unknown codes and dossiers of another commune are not found.
func TestGetMany(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var codes []string
		for range 3 {
			res, err := e.eng.Submit(ctx, lan, maritalStatus(t, e), "")
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, res.Dossier.Code)
		}
		act(t, e, lan, codes[1], dossier.ActionRequest{Action: "transfer", Comment: "Chuyển chuyên viên"})
		ask := []string{codes[2], "H56.16072-000000-0000", codes[1], codes[2], codes[0]}
		before := auditCount(t, e)
		ds, hs, errs, err := e.eng.GetMany(ctx, binh, ask)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range ask {
			if i == 1 {
				if ds[i] != nil || !errors.Is(errs[i], dossier.ErrNotFound) {
					t.Errorf("unknown code: %v %v", ds[i], errs[i])
				}
				continue
			}
			if errs[i] != nil || ds[i] == nil || ds[i].Code != c || len(ds[i].Components) == 0 || ds[i].StateName == "" {
				t.Fatalf("%s: %+v %v", c, ds[i], errs[i])
			}
		}
		if len(hs[2]) != 2 || hs[2][1].Comment != "Chuyển chuyên viên" || hs[2][1].ActionName == "" || len(hs[0]) != 1 {
			t.Errorf("histories: %+v / %+v", hs[2], hs[0])
		}
		if n := auditCount(t, e) - before; n != 3 {
			t.Errorf("%d read entries, want 3 (one per dossier)", n)
		}
		_, _, errs, err = e.eng.GetMany(ctx, other, codes)
		if err != nil || !errors.Is(errs[0], dossier.ErrNotFound) {
			t.Errorf("another commune's officer: %v %v", errs, err)
		}
	})
}

func auditCount(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.App.DB.Read().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = 'dossier.read'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
