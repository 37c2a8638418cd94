package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tokens := identity.NewTokens(db)
		tok, err := tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleAdministrator, Agency: "H56.16072", Label: "script"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := tokens.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Has(identity.RoleAdministrator) || p.Has(identity.RoleLeader) || p.Agency != "H56.16072" || !p.Token || p.Name != "script" {
			t.Errorf("principal %+v", p)
		}
		if !p.CanActFor("H56.16072") || p.CanActFor("H56.99999") {
			t.Error("agency scope")
		}
		for _, bad := range []string{"", "mc_", tok + "x", "Bearer " + tok, "mc_" + string(make([]byte, 200))} {
			if _, err := tokens.Authenticate(ctx, bad); err != identity.ErrBadToken {
				t.Errorf("Authenticate(%q) = %v", bad, err)
			}
		}
		if err := tokens.Revoke(ctx, p.ID, audit.System); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Authenticate(ctx, tok); err != identity.ErrBadToken {
			t.Errorf("revoked token: %v", err)
		}
		if err := tokens.Revoke(ctx, p.ID, audit.System); err == nil {
			t.Error("revoking twice must fail")
		}
		short, _ := tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleKiosk, TTL: time.Millisecond})
		time.Sleep(5 * time.Millisecond)
		if _, err := tokens.Authenticate(ctx, short); err != identity.ErrBadToken {
			t.Errorf("expired token: %v", err)
		}
		if _, err := tokens.Create(ctx, identity.TokenSpec{Role: "king"}); err == nil {
			t.Error("unknown role")
		}
		ct, err := tokens.Create(ctx, identity.TokenSpec{Role: identity.RoleQueueCounter, Counter: "3"})
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := tokens.Authenticate(ctx, ct); p.Counter != "3" {
			t.Errorf("counter token %+v", p)
		}
	})
}
