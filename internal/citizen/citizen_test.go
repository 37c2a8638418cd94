package citizen_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/identity"
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

var lan = citizen.Identity{Issuer: "https://eid.example", Subject: "sub-1", IDNumber: "038190001234", FullName: "  Lê  Thị Lan ",
	BirthDate: "1990-05-01", Phone: "0912345678", Level: citizen.Level2}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)}
		s := citizen.New(db, c.Now)
		sess, err := s.SignIn(ctx, lan, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Citizen.FullName != "Lê Thị Lan" || sess.Level != 2 || sess.CSRF == "" || sess.Assisted() {
			t.Errorf("session %+v citizen %+v", sess, sess.Citizen)
		}
		if p := sess.Principal(); !p.Has(identity.RoleCitizen) || p.ID != "citizen:"+sess.Citizen.ID || p.Name != "Lê Thị Lan" {
			t.Errorf("principal %+v", p)
		}
		// The same person signing in again, at level 1 this time, is the same citizen.
		again := lan
		again.Level, again.Phone = citizen.Level1, ""
		s2, err := s.SignIn(ctx, again, "u001", "consent-1")
		if err != nil {
			t.Fatal(err)
		}
		if s2.Citizen.ID != sess.Citizen.ID || s2.Level != 1 || s2.Citizen.Phone != "0912345678" || !s2.Assisted() || s2.AssistID != "consent-1" {
			t.Errorf("second sign-in %+v %+v", s2, s2.Citizen)
		}
		// Idle for longer than allowed: gone. Activity keeps it.
		c.Add(20 * time.Minute)
		if _, err := s.Session(ctx, sess.Token); err != nil {
			t.Fatalf("after 20 minutes: %v", err)
		}
		c.Add(20 * time.Minute)
		if _, err := s.Session(ctx, sess.Token); err != nil {
			t.Fatalf("20 minutes after the last page: %v", err)
		}
		c.Add(31 * time.Minute)
		if _, err := s.Session(ctx, sess.Token); !errors.Is(err, citizen.ErrNoSession) {
			t.Errorf("idle 31 minutes: %v", err)
		}
		// Revoking a consent ends the sessions opened under it.
		s3, _ := s.SignIn(ctx, lan, "u001", "consent-2")
		if err := s.EndAssisted(ctx, "consent-2"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, s3.Token); !errors.Is(err, citizen.ErrNoSession) {
			t.Errorf("after revoking the consent: %v", err)
		}
		s4, _ := s.SignIn(ctx, lan, "", "")
		if err := s.SignOut(ctx, s4.Token); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{s4.Token, "", "nope", string(make([]byte, 200))} {
			if _, err := s.Session(ctx, tok); !errors.Is(err, citizen.ErrNoSession) {
				t.Errorf("session %q: %v", tok, err)
			}
		}
		// Absolute end.
		s5, _ := s.SignIn(ctx, lan, "", "")
		for range 17 {
			c.Add(29 * time.Minute)
			s.Session(ctx, s5.Token)
		}
		if _, err := s.Session(ctx, s5.Token); !errors.Is(err, citizen.ErrNoSession) {
			t.Errorf("after 8 hours: %v", err)
		}
		// What the provider sends must be whole and readable.
		for name, bad := range map[string]citizen.Identity{
			"short ID":  {Issuer: "i", Subject: "s", IDNumber: "12345", FullName: "A", Level: 2},
			"no name":   {Issuer: "i", Subject: "s", IDNumber: "038190001234", Level: 2},
			"NUL":       {Issuer: "i", Subject: "s\x00", IDNumber: "038190001234", FullName: "A", Level: 2},
			"level 3":   {Issuer: "i", Subject: "s", IDNumber: "038190001234", FullName: "A", Level: 3},
			"no issuer": {Subject: "s", IDNumber: "038190001234", FullName: "A", Level: 2},
		} {
			if _, err := s.SignIn(ctx, bad, "", ""); apperr.As(err).Code != "invalid_identity" {
				t.Errorf("%s: %v", name, err)
			}
		}
		if got, err := s.Get(ctx, sess.Citizen.ID); err != nil || got.IDNumber != "038190001234" {
			t.Errorf("get %+v %v", got, err)
		}
		if _, err := s.Get(ctx, "nobody"); apperr.As(err).Code != "citizen_not_found" {
			t.Errorf("get nobody: %v", err)
		}
	})
}
