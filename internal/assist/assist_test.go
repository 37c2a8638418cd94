package assist_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/assist"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/registry"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// population is a fake population database of two residents.
type population struct{}

func (population) Sandbox() bool { return true }
func (population) Lookup(ctx context.Context, id string, _ registry.Purpose) (*registry.Person, error) {
	switch id {
	case "038190001234":
		return &registry.Person{IDNumber: id, FullName: "Lê Thị Lan", BirthDate: "1950-03-02", Phone: "0912345678", Source: "SANDBOX"}, nil
	case "038090004321":
		return &registry.Person{IDNumber: id, FullName: "Trịnh Văn Hùng", BirthDate: "1948-07-09", Source: "SANDBOX"}, nil
	}
	return nil, registry.ErrNotFound
}

type env struct {
	db       *store.DB
	clk      *clock
	svc      *assist.Service
	citizens *citizen.Service
	officer  assist.Helper
	admin    *identity.Principal
}

func setup(t *testing.T, db *store.DB) *env {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)} // 09:00 in Vietnam
	if _, err := demo.SeedCommune(ctx, db, clk.Now()); err != nil {
		t.Fatal(err)
	}
	cit := citizen.New(db, clk.Now)
	svc := assist.New(assist.Config{DB: db, Population: registry.NewService(db, population{}, clk.Now),
		Outbox: notify.New(notify.Config{DB: db, Now: clk.Now}), Citizens: cit, Now: clk.Now})
	officer := assist.StaffHelper(&identity.Principal{ID: "u002", Name: "Lê Thị Hoa", Roles: []string{identity.RoleCounter}, Agency: "H56.16072"})
	return &env{db: db, clk: clk, svc: svc, citizens: cit, officer: officer,
		admin: &identity.Principal{ID: "u001", Name: "Quản trị", Roles: []string{identity.RoleAdministrator}}}
}

var reCode = regexp.MustCompile(`Mã (\d{6}):`)

// lastCode reads the latest code sent to phone from the outbox.
func lastCode(t *testing.T, db *store.DB, phone string) string {
	t.Helper()
	var body string
	if err := db.Read().QueryRowContext(context.Background(), "SELECT body FROM notify_messages WHERE recipient = $1 AND kind = 'assist_consent_code' ORDER BY seq DESC LIMIT 1", phone).Scan(&body); err != nil {
		t.Fatalf("no code sent to %s: %v", phone, err)
	}
	m := reCode.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code in %q", body)
	}
	return m[1]
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Code
}

func wrongOf(c string) string {
	if c == "000000" {
		return "111111"
	}
	return "000000"
}

func TestConsentBySMS(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := setup(t, db)
		c, err := e.svc.Begin(ctx, e.officer, "038190001234")
		if err != nil {
			t.Fatal(err)
		}
		if c.State != assist.StateDraft || c.FullName != "Lê Thị Lan" || !c.HasRegPhone {
			t.Fatalf("draft = %+v", c)
		}
		// The lookup is audited.
		var n int
		db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'resident.lookup' AND actor_id = 'u002'").Scan(&n)
		if n != 1 {
			t.Fatalf("lookups audited = %d", n)
		}
		if _, err := e.svc.Begin(ctx, e.officer, "038199999999"); code(err) != "resident_not_found" {
			t.Fatalf("unknown resident: %v", err)
		}
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: "bogus"}); code(err) != "invalid_scope" {
			t.Fatalf("bad scope: %v", err)
		}
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeProcedure}); code(err) != "procedure_required" {
			t.Fatalf("no procedure: %v", err)
		}
		// Another helper cannot touch it.
		other := assist.StaffHelper(&identity.Principal{ID: "u009", Name: "Khác", Roles: []string{identity.RoleCounter}})
		if _, err := e.svc.SendCode(ctx, other, c.ID, assist.Terms{Scope: assist.ScopeAll}); code(err) != "consent_not_found" {
			t.Fatalf("other helper: %v", err)
		}
		// A specialist is no helper.
		spec := assist.StaffHelper(&identity.Principal{ID: "u005", Name: "CV", Roles: []string{identity.RoleSpecialist}})
		if _, err := e.svc.Begin(ctx, spec, "038190001234"); code(err) != "forbidden" {
			t.Fatalf("specialist: %v", err)
		}
		c, err = e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeProcedure, Procedure: "1.001193"})
		if err != nil {
			t.Fatal(err)
		}
		if c.State != assist.StatePending || c.Phone != "0912345678" || c.Level != citizen.Level1 {
			t.Fatalf("pending = %+v", c)
		}
		right := lastCode(t, db, "0912345678")
		// Wrong code: refused, counted.
		if _, err := e.svc.Confirm(ctx, e.officer, c.ID, wrongOf(right)); code(err) != "wrong_code" {
			t.Fatalf("wrong code: %v", err)
		}
		if got, _ := e.svc.Get(ctx, c.ID); got.CodeTries != 1 {
			t.Fatalf("tries = %d", got.CodeTries)
		}
		// Not opened before consent.
		if _, _, err := e.svc.OpenSession(ctx, e.officer, c.ID); code(err) != "consent_not_live" {
			t.Fatalf("open before consent: %v", err)
		}
		c, err = e.svc.Confirm(ctx, e.officer, c.ID, right)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != assist.StateActive || c.ConsentedAt == nil {
			t.Fatalf("active = %+v", c)
		}
		// Expires at the end of the day in Vietnam.
		if want := time.Date(2026, 11, 27, 16, 59, 59, 0, time.UTC); !c.ExpiresAt.Equal(want) {
			t.Fatalf("expires %v, want %v", c.ExpiresAt.UTC(), want)
		}
		// The code cannot be used twice.
		if _, err := e.svc.Confirm(ctx, e.officer, c.ID, right); code(err) != "consent_closed" {
			t.Fatalf("code reused: %v", err)
		}
		sess, _, err := e.svc.OpenSession(ctx, e.officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sess.Assisted() || sess.AssistID != c.ID || sess.Level != citizen.Level1 || sess.Citizen.IDNumber != "038190001234" {
			t.Fatalf("session = %+v", sess)
		}
		// Scope: this procedure only.
		if err := e.svc.Allowed(ctx, c.ID, "1.001193"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Allowed(ctx, c.ID, "2.000001"); code(err) != "outside_consent" {
			t.Fatalf("outside scope: %v", err)
		}
		if err := e.svc.RecordDossier(ctx, c.ID, "H56.16072-261127-9999"); code(err) != "dossier_not_found" {
			t.Fatalf("unknown dossier: %v", err)
		}
		// Revoked by someone else's ID number: refused; by the citizen: ends the session.
		if err := e.svc.Revoke(ctx, "038090004321", c.ID, "Trịnh Văn Hùng"); code(err) != "consent_not_found" {
			t.Fatalf("revoke by another: %v", err)
		}
		if err := e.svc.Revoke(ctx, "038190001234", c.ID, "Lê Thị Lan"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.citizens.Session(ctx, sess.Token); err == nil {
			t.Fatal("session lives after revocation")
		}
		if err := e.svc.Allowed(ctx, c.ID, "1.001193"); code(err) != "consent_not_live" {
			t.Fatalf("after revoke: %v", err)
		}
		if _, _, err := e.svc.OpenSession(ctx, e.officer, c.ID); code(err) != "consent_not_live" {
			t.Fatalf("open after revoke: %v", err)
		}
		log, err := e.svc.Log(ctx, "038190001234")
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for i := len(log) - 1; i >= 0; i-- {
			actions = append(actions, log[i].Action)
		}
		want := []string{"consent.started", "code.sent", "code.wrong", "consent.given", "session.opened", "consent.revoked"}
		if len(actions) != len(want) {
			t.Fatalf("log = %v", actions)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("log = %v, want %v", actions, want)
			}
		}
	})
}

func TestCodeLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := setup(t, db)
		// Expired code.
		c, _ := e.svc.Begin(ctx, e.officer, "038190001234")
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll}); err != nil {
			t.Fatal(err)
		}
		right := lastCode(t, db, "0912345678")
		e.clk.Add(assist.CodeTTL + time.Second)
		if _, err := e.svc.Confirm(ctx, e.officer, c.ID, right); code(err) != "code_expired" {
			t.Fatalf("expired code: %v", err)
		}
		// A new code works; the first is gone.
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll}); err != nil {
			t.Fatal(err)
		}
		second := lastCode(t, db, "0912345678")
		if second != right {
			if _, err := e.svc.Confirm(ctx, e.officer, c.ID, right); code(err) != "wrong_code" {
				t.Fatalf("old code: %v", err)
			}
		}
		if _, err := e.svc.Confirm(ctx, e.officer, c.ID, second); err != nil {
			t.Fatal(err)
		}

		// Too many tries: the consent fails, even the right code is refused.
		c, _ = e.svc.Begin(ctx, e.officer, "038190001234")
		e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll})
		right = lastCode(t, db, "0912345678")
		for i := 1; i <= assist.CodeTries; i++ {
			_, err := e.svc.Confirm(ctx, e.officer, c.ID, wrongOf(right))
			want := "wrong_code"
			if i == assist.CodeTries {
				want = "too_many_tries"
			}
			if code(err) != want {
				t.Fatalf("try %d: %v", i, err)
			}
		}
		if _, err := e.svc.Confirm(ctx, e.officer, c.ID, right); code(err) != "consent_failed" {
			t.Fatalf("after too many: %v", err)
		}
		if got, _ := e.svc.Get(ctx, c.ID); got.State != assist.StateFailed {
			t.Fatalf("state = %s", got.State)
		}
		// At most CodeSends codes.
		c, _ = e.svc.Begin(ctx, e.officer, "038190001234")
		for i := 0; i < assist.CodeSends; i++ {
			if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll}); code(err) != "too_many_codes" {
			t.Fatalf("fourth code: %v", err)
		}
		// No phone in the population data: one must be typed.
		c, _ = e.svc.Begin(ctx, e.officer, "038090004321")
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll}); code(err) != "phone_required" {
			t.Fatalf("no phone: %v", err)
		}
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll, Phone: "12345"}); code(err) != "invalid_phone" {
			t.Fatalf("bad phone: %v", err)
		}
		c, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll, Phone: "+84 987 654 321", IDVerified: true})
		if err != nil {
			t.Fatal(err)
		}
		if c.Phone != "0987654321" || !c.PhoneTyped || c.Level != citizen.Level2 {
			t.Fatalf("typed phone: %+v", c)
		}
		// A draft left alone expires.
		c, _ = e.svc.Begin(ctx, e.officer, "038190001234")
		e.clk.Add(assist.DraftTTL)
		if _, err := e.svc.SendCode(ctx, e.officer, c.ID, assist.Terms{Scope: assist.ScopeAll}); code(err) != "consent_expired" {
			t.Fatalf("stale draft: %v", err)
		}
	})
}

func TestPaperConsentAndExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := setup(t, db)
		c, _ := e.svc.Begin(ctx, e.officer, "038090004321")
		paper := assist.Paper{Terms: assist.Terms{Scope: assist.ScopeAll, IDVerified: true}, Ref: "GĐY-2026/15", Attest: true}
		bad := paper
		bad.Attest = false
		if _, err := e.svc.RecordPaper(ctx, e.officer, c.ID, bad); code(err) != "attestation_required" {
			t.Fatalf("no attestation: %v", err)
		}
		bad = paper
		bad.IDVerified = false
		if _, err := e.svc.RecordPaper(ctx, e.officer, c.ID, bad); code(err) != "id_check_required" {
			t.Fatalf("no card check: %v", err)
		}
		bad = paper
		bad.Scan = []byte("MZ\x90\x00 not a scan")
		if _, err := e.svc.RecordPaper(ctx, e.officer, c.ID, bad); code(err) != "scan_type" {
			t.Fatalf("exe as scan: %v", err)
		}
		bad = paper
		bad.Ref = "a\x00b"
		if _, err := e.svc.RecordPaper(ctx, e.officer, c.ID, bad); code(err) != "invalid_text" {
			t.Fatalf("NUL in ref: %v", err)
		}
		paper.Scan = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
		c, err := e.svc.RecordPaper(ctx, e.officer, c.ID, paper)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != assist.StateActive || c.Level != citizen.Level2 || c.ScanType != "application/pdf" || c.Method != assist.MethodPaper {
			t.Fatalf("paper = %+v", c)
		}
		if ct, data, err := e.svc.Scan(ctx, c.ID); err != nil || ct != "application/pdf" || string(data) != string(paper.Scan) {
			t.Fatalf("scan = %s %q %v", ct, data, err)
		}
		sess, _, err := e.svc.OpenSession(ctx, e.officer, c.ID)
		if err != nil || sess.Level != citizen.Level2 {
			t.Fatalf("session %+v %v", sess, err)
		}
		// A volunteer cannot record paper.
		m := member(t, e)
		mc, err := e.svc.Begin(ctx, m.Helper(), "038090004321")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordPaper(ctx, m.Helper(), mc.ID, paper); code(err) != "paper_staff_only" {
			t.Fatalf("volunteer paper: %v", err)
		}
		// Thirty days later it has expired.
		e.clk.Add(assist.PaperTTL)
		if got, _ := e.svc.Get(ctx, c.ID); got.State != assist.StateExpired {
			t.Fatalf("after 30 days: %s", got.State)
		}
		if _, _, err := e.svc.OpenSession(ctx, e.officer, c.ID); code(err) != "consent_not_live" {
			t.Fatalf("open expired: %v", err)
		}
	})
}

func member(t *testing.T, e *env) *assist.Member {
	t.Helper()
	ctx := context.Background()
	team, err := e.svc.SaveTeam(ctx, e.admin, assist.Team{Agency: "H56.16072", Village: "T01", Name: "Tổ công nghệ số thôn Đông Hòa"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.SaveMember(ctx, e.admin, assist.Member{TeamID: team.ID, FullName: "Đỗ Minh Quân", Phone: "0977000111", Role: assist.TeamLeader})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTeamsAndMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := setup(t, db)
		if _, err := e.svc.SaveTeam(ctx, e.officer.Principal, assist.Team{Agency: "H56.16072", Village: "T01", Name: "X"}); code(err) != "forbidden" {
			t.Fatalf("officer manages teams: %v", err)
		}
		if _, err := e.svc.SaveTeam(ctx, e.admin, assist.Team{Agency: "H56.16072", Village: "T99", Name: "X"}); code(err) != "village_not_found" {
			t.Fatalf("unknown village: %v", err)
		}
		m := member(t, e)
		if _, err := e.svc.SaveTeam(ctx, e.admin, assist.Team{Agency: "H56.16072", Village: "T01", Name: "Lần hai"}); code(err) != "team_exists" {
			t.Fatalf("second team: %v", err)
		}
		if _, err := e.svc.SaveMember(ctx, e.admin, assist.Member{TeamID: m.TeamID, FullName: "B", Phone: "0977000111", Role: assist.TeamMember}); code(err) != "member_phone_taken" {
			t.Fatalf("same phone: %v", err)
		}
		if _, err := e.svc.SaveMember(ctx, e.admin, assist.Member{TeamID: m.TeamID, FullName: "B", Phone: "0977000112", Role: "boss"}); code(err) != "invalid_member_role" {
			t.Fatalf("bad role: %v", err)
		}
		// Sign-in only with an issued code.
		if _, err := e.svc.MemberSignIn(ctx, "0977000111", "anything"); code(err) != "member_sign_in_failed" {
			t.Fatalf("no code: %v", err)
		}
		ac, err := e.svc.IssueCode(ctx, e.admin, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MemberSignIn(ctx, "0977000111", "AAAAA-BBBBB-CCCCC"); code(err) != "member_sign_in_failed" {
			t.Fatalf("wrong code: %v", err)
		}
		ms, err := e.svc.MemberSignIn(ctx, "+84977000111", ac)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.MemberSession(ctx, ms.Token); err != nil || got.Member.ID != m.ID {
			t.Fatalf("member session: %+v %v", got, err)
		}
		// The volunteer helps: a code goes only to the registry's phone, never their own.
		h := ms.Member.Helper()
		c, err := e.svc.Begin(ctx, h, "038190001234")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SendCode(ctx, h, c.ID, assist.Terms{Scope: assist.ScopeAll, Phone: "0977000111"}); code(err) != "registry_phone_only" {
			t.Fatalf("own phone: %v", err)
		}
		if _, err := e.svc.SendCode(ctx, h, c.ID, assist.Terms{Scope: assist.ScopeAll, IDVerified: true}); code(err) != "id_check_staff_only" {
			t.Fatalf("volunteer card check: %v", err)
		}
		c2, _ := e.svc.Begin(ctx, h, "038090004321") // no phone in the registry
		if _, err := e.svc.SendCode(ctx, h, c2.ID, assist.Terms{Scope: assist.ScopeAll, Phone: "0977000111"}); code(err) != "helper_phone" {
			t.Fatalf("own phone, no registry phone: %v", err)
		}
		if _, err := e.svc.SendCode(ctx, h, c.ID, assist.Terms{Scope: assist.ScopeAll}); err != nil {
			t.Fatal(err)
		}
		c, err = e.svc.Confirm(ctx, h, c.ID, lastCode(t, db, "0912345678"))
		if err != nil || c.Level != citizen.Level1 {
			t.Fatalf("volunteer consent: %+v %v", c, err)
		}
		// Deactivating the member ends their sign-in.
		m.Active = false
		if _, err := e.svc.SaveMember(ctx, e.admin, *m); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MemberSession(ctx, ms.Token); err == nil {
			t.Fatal("inactive member still signed in")
		}
		if _, err := e.svc.MemberSignIn(ctx, "0977000111", ac); code(err) != "member_sign_in_failed" {
			t.Fatalf("inactive member signs in: %v", err)
		}
		teams, err := e.svc.Teams(ctx, "H56.16072")
		if err != nil || len(teams) != 1 || teams[0].Members != 0 || teams[0].VillageName == "" {
			t.Fatalf("teams = %+v %v", teams, err)
		}
	})
}

func TestDemoTeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		if _, err := demo.SeedCommune(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		teams, members, err := demo.SeedAssist(ctx, db, now)
		if err != nil || teams != 40 || members != 202 {
			t.Fatalf("demo: %d teams, %d members, %v", teams, members, err)
		}
		var leaders int
		db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM assist_members WHERE role = 'leader'").Scan(&leaders)
		if leaders != 40 {
			t.Fatalf("leaders = %d", leaders)
		}
	})
}
