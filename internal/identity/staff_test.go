package identity_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

// RFC 6238 appendix B vectors for SHA-1, cut to the six digits an
// authenticator app shows.
func TestTOTPVectors(t *testing.T) {
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of "12345678901234567890"
	for _, c := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		got, err := identity.TOTPCode(secret, identity.TOTPStep(time.Unix(c.unix, 0)))
		if err != nil || got != c.want {
			t.Errorf("T=%d: %q, %v; want %s", c.unix, got, err, c.want)
		}
	}
	now := time.Unix(1234567890, 0)
	step := identity.TOTPStep(now)
	for _, d := range []int64{-1, 0, 1} {
		code, _ := identity.TOTPCode(secret, step+d)
		if got := identity.CheckTOTP(secret, code, now); got != step+d {
			t.Errorf("drift %d: step %d", d, got)
		}
	}
	old, _ := identity.TOTPCode(secret, step-2)
	for _, bad := range []string{old, "", "12345", "1234567", "abcdef"} {
		if identity.CheckTOTP(secret, bad, now) != -1 {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, err := identity.TOTPCode("not base32!", 1); err == nil {
		t.Error("bad secret accepted")
	}
	u := identity.TOTPURL("motcua Hòa Lộc", "canbo1", secret)
	if !strings.HasPrefix(u, "otpauth://totp/") || !strings.Contains(u, "secret="+secret) || !strings.Contains(u, "period=30") {
		t.Errorf("url %s", u)
	}
}

func TestPasswords(t *testing.T) {
	h, err := identity.HashPassword("Mật-khẩu đủ dài")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %s", h)
	}
	h2, _ := identity.HashPassword("Mật-khẩu đủ dài")
	if h == h2 {
		t.Error("two hashes of one password must differ (salt)")
	}
	if !identity.CheckPassword(h, "Mật-khẩu đủ dài") || identity.CheckPassword(h, "mật-khẩu đủ dài") || identity.CheckPassword(h, "") {
		t.Error("check")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$YQ$YQ", "$argon2id$v=19$m=x$YQ$YQ", h[:len(h)-3] + "!!!"} {
		if identity.CheckPassword(bad, "Mật-khẩu đủ dài") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
	if identity.CheckPasswordPolicy("ngan", "") == nil || identity.CheckPasswordPolicy("xxcanbo1xxxx", "canbo1") == nil ||
		identity.CheckPasswordPolicy("một câu dài dễ nhớ", "canbo1") != nil {
		t.Error("policy")
	}
	seen := map[string]bool{}
	for range 200 {
		p := identity.GeneratePassword()
		if len(p) != 19 || strings.ContainsAny(p, "01ilo") || seen[p] {
			t.Fatalf("generated %q", p)
		}
		seen[p] = true
		if identity.CheckPasswordPolicy(p, "canbo1") != nil {
			t.Fatalf("generated password %q fails the policy", p)
		}
	}
}

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

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := identity.TOTPCode(secret, identity.TOTPStep(at))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != want {
		t.Fatalf("error %v, want code %s", err, want)
	}
}

func TestStaffSignInSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)}
		staff := identity.NewStaff(db, clk.Now)
		admin := &identity.Principal{ID: "admin", Name: "Quản trị", Roles: []string{identity.RoleAdministrator}, Agency: "H56.16072"}
		if err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			for _, code := range []string{"H56.16072", "A"} {
				if _, err := tx.ExecContext(ctx, "INSERT INTO agencies (code, name, kind, created_at) VALUES ($1, $2, 'commune', 0)", code, "UBND "+code); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		_, _, err := staff.CreateUser(ctx, admin, identity.UserInput{Username: "nobody", FullName: "A", Roles: []string{identity.RoleCounter}, Agency: "H56.00000"})
		wantCode(t, err, "unknown_agency")

		if _, _, err := staff.CreateUser(ctx, admin, identity.UserInput{Username: "x y", FullName: "A", Roles: []string{identity.RoleCounter}, Agency: "A"}); err == nil {
			t.Error("username with a space accepted")
		}
		if _, _, err := staff.CreateUser(ctx, admin, identity.UserInput{Username: "abc", FullName: "A", Roles: []string{"king"}, Agency: "A"}); err == nil {
			t.Error("unknown role accepted")
		}
		u, creds, err := staff.CreateUser(ctx, admin, identity.UserInput{Username: " CanBo1 ", FullName: "Nguyễn  Thị   Lan",
			Roles: []string{identity.RoleCounter}, Agency: "H56.16072", Counter: 2})
		if err != nil {
			t.Fatal(err)
		}
		if u.Username != "canbo1" || u.FullName != "Nguyễn Thị Lan" || !u.HasPassword || !u.HasTOTP || u.Counter != 2 {
			t.Errorf("user %+v", u)
		}
		if _, _, err := staff.CreateUser(ctx, admin, identity.UserInput{Username: "canbo1", FullName: "B", Roles: []string{identity.RoleCounter}, Agency: "A"}); err == nil {
			t.Error("duplicate username accepted")
		} else {
			wantCode(t, err, "username_taken")
		}

		// A good sign-in; the same code cannot be used twice.
		c := code(t, creds.TOTPSecret, clk.Now())
		sess, err := staff.SignIn(ctx, "CANBO1", creds.Password, c, "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if sess.User.ID != u.ID || sess.CSRF == "" || sess.Token == "" {
			t.Errorf("session %+v", sess)
		}
		_, err = staff.SignIn(ctx, "canbo1", creds.Password, c, "10.0.0.1", "test")
		wantCode(t, err, "invalid_credentials")

		// Idle expiry: activity keeps the session alive, two idle hours end it.
		clk.Add(identity.SessionIdle - time.Minute)
		if _, err := staff.Session(ctx, sess.Token); err != nil {
			t.Fatalf("session before idle limit: %v", err)
		}
		clk.Add(identity.SessionIdle - time.Minute)
		if _, err := staff.Session(ctx, sess.Token); err != nil {
			t.Fatalf("session kept alive by activity: %v", err)
		}
		clk.Add(identity.SessionIdle + time.Second)
		if _, err := staff.Session(ctx, sess.Token); err != identity.ErrNoSession {
			t.Fatalf("idle session still open: %v", err)
		}

		// Absolute expiry: twelve hours, however busy.
		clk.Add(time.Minute)
		sess, err = staff.SignIn(ctx, "canbo1", creds.Password, code(t, creds.TOTPSecret, clk.Now()), "", "")
		if err != nil {
			t.Fatal(err)
		}
		for elapsed := time.Duration(0); elapsed < identity.SessionAbsolute-time.Hour; elapsed += time.Hour {
			clk.Add(time.Hour)
			if _, err := staff.Session(ctx, sess.Token); err != nil {
				t.Fatalf("busy session closed after %s: %v", elapsed+time.Hour, err)
			}
		}
		clk.Add(time.Hour + time.Second)
		if _, err := staff.Session(ctx, sess.Token); err != identity.ErrNoSession {
			t.Fatal("session outlived the absolute limit")
		}
		for _, bad := range []string{"", "x", strings.Repeat("a", 200)} {
			if _, err := staff.Session(ctx, bad); err != identity.ErrNoSession {
				t.Errorf("token %q opened a session", bad)
			}
		}

		// Sign-out.
		clk.Add(time.Minute)
		sess, err = staff.SignIn(ctx, "canbo1", creds.Password, code(t, creds.TOTPSecret, clk.Now()), "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := staff.SignOut(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if _, err := staff.Session(ctx, sess.Token); err != identity.ErrNoSession {
			t.Fatal("signed-out session still open")
		}

		// Lock-out: five wrong attempts lock the account even for the right
		// password; the error for a locked account is distinct; it unlocks
		// after LockFor.
		clk.Add(time.Minute)
		for i := range identity.MaxFailures {
			pw, cd := creds.Password, "000000"
			if i%2 == 0 {
				pw, cd = "sai mật khẩu rồi", code(t, creds.TOTPSecret, clk.Now())
			}
			_, err := staff.SignIn(ctx, "canbo1", pw, cd, "10.0.0.9", "")
			wantCode(t, err, "invalid_credentials")
		}
		clk.Add(time.Minute)
		_, err = staff.SignIn(ctx, "canbo1", creds.Password, code(t, creds.TOTPSecret, clk.Now()), "", "")
		wantCode(t, err, "account_locked")
		clk.Add(identity.LockFor)
		sess, err = staff.SignIn(ctx, "canbo1", creds.Password, code(t, creds.TOTPSecret, clk.Now()), "", "")
		if err != nil {
			t.Fatalf("after the lock: %v", err)
		}

		// Unknown users get the same answer as wrong passwords.
		_, err = staff.SignIn(ctx, "khongco", "bất kỳ mật khẩu", "123456", "", "")
		wantCode(t, err, "invalid_credentials")

		// Disabling an account ends its sessions and refuses sign-in.
		in := identity.UserInput{FullName: u.FullName, Roles: u.Roles, Agency: u.Agency, Counter: 2, Disabled: true}
		if err := staff.UpdateUser(ctx, admin, u.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := staff.Session(ctx, sess.Token); err != identity.ErrNoSession {
			t.Fatal("disabled user's session still open")
		}
		clk.Add(time.Minute)
		_, err = staff.SignIn(ctx, "canbo1", creds.Password, code(t, creds.TOTPSecret, clk.Now()), "", "")
		wantCode(t, err, "account_disabled")
		in.Disabled = false
		if err := staff.UpdateUser(ctx, admin, u.ID, in); err != nil {
			t.Fatal(err)
		}

		// Reset: the old password and authenticator stop working.
		nc, err := staff.ResetCredentials(ctx, admin, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		_, err = staff.SignIn(ctx, "canbo1", creds.Password, code(t, creds.TOTPSecret, clk.Now()), "", "")
		wantCode(t, err, "invalid_credentials")
		sess, err = staff.SignIn(ctx, "canbo1", nc.Password, code(t, nc.TOTPSecret, clk.Now()), "", "")
		if err != nil {
			t.Fatal(err)
		}

		// Changing one's own password.
		p := sess.User.Principal()
		if err := staff.ChangePassword(ctx, p, "sai", "một câu mới đủ dài"); err == nil {
			t.Error("wrong old password accepted")
		}
		if err := staff.ChangePassword(ctx, p, nc.Password, "ngắn"); err == nil {
			t.Error("weak password accepted")
		}
		if err := staff.ChangePassword(ctx, p, nc.Password, "một câu mới đủ dài"); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Minute)
		if _, err := staff.SignIn(ctx, "canbo1", "một câu mới đủ dài", code(t, nc.TOTPSecret, clk.Now()), "", ""); err != nil {
			t.Fatal(err)
		}

		// An administrator cannot lock themselves out.
		self := &identity.Principal{ID: u.ID, Roles: []string{identity.RoleAdministrator}}
		if err := staff.UpdateUser(ctx, admin, u.ID, identity.UserInput{FullName: "A", Roles: []string{identity.RoleAdministrator}, Agency: "A"}); err != nil {
			t.Fatal(err)
		}
		err = staff.UpdateUser(ctx, self, u.ID, identity.UserInput{FullName: "A", Roles: []string{identity.RoleCounter}, Agency: "A"})
		wantCode(t, err, "cannot_demote_self")

		// Every attempt is in the sign-in log, newest first; successes are audited.
		log, err := staff.SignIns(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		outcomes := map[string]int{}
		for _, r := range log {
			outcomes[r.Outcome]++
		}
		if outcomes["ok"] != 6 || outcomes["locked"] != 1 || outcomes["disabled"] != 1 || outcomes["unknown_user"] != 1 ||
			outcomes["bad_password"] < 3 || outcomes["bad_code"] < 2 {
			t.Errorf("sign-in log outcomes %v", outcomes)
		}
		if !log[0].At.After(log[len(log)-1].At) && len(log) > 1 {
			t.Error("sign-in log not newest first")
		}
		if rep, err := audit.Verify(ctx, db); err != nil || rep.Problem != nil || rep.Entries < 10 {
			t.Errorf("audit chain: %+v, %v", rep, err)
		}
	})
}
