package seal_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/seal"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

func TestSealText(t *testing.T) {
	k := seal.New()
	tok := k.SealText("v1|H56.16072-261127-0001|1.001193|2026-11-27T09:00|2026-11-27T17:00")
	text, err := k.OpenText(tok)
	if err != nil || !strings.Contains(text, "H56.16072-261127-0001") {
		t.Fatalf("%q %v", text, err)
	}
	// Change one fact: the due date.
	forged := seal.New().SealText("v1|H56.16072-261127-0001|1.001193|2026-11-27T09:00|2026-11-20T17:00")
	if _, err := k.OpenText(forged); !errors.Is(err, seal.ErrBadSignature) {
		t.Errorf("a token signed by another key must fail: %v", err)
	}
	parts := strings.Split(tok, ".")
	other := k.SealText("v1|H56.16072-261127-0002|x|y|z")
	swapped := strings.Split(other, ".")[0] + "." + parts[1] + "." + parts[2]
	if _, err := k.OpenText(swapped); !errors.Is(err, seal.ErrBadSignature) {
		t.Errorf("facts with another document's signature must fail: %v", err)
	}
	for _, bad := range []string{"", "abc", "a.b.c", tok + "x"} {
		if _, err := k.OpenText(bad); err == nil {
			t.Errorf("OpenText(%q) succeeded", bad)
		}
	}
}

func TestSealFile(t *testing.T) {
	k := seal.New()
	doc := []byte("%PDF-1.4\n... Giấy tiếp nhận hồ sơ ... hẹn trả 27/11/2026\n%%EOF\n")
	sealed := k.SealFile(doc)
	got, err := k.OpenFile(sealed)
	if err != nil || string(got) != string(doc) {
		t.Fatalf("%v", err)
	}
	altered := []byte(strings.Replace(string(sealed), "27/11/2026", "20/11/2026", 1))
	if _, err := k.OpenFile(altered); !errors.Is(err, seal.ErrBadSignature) {
		t.Errorf("an altered file must fail: %v", err)
	}
	if _, err := k.OpenFile(doc); err == nil {
		t.Error("an unsealed file must fail")
	}
}

func TestKeysPersist(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k1, err := seal.Load(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		tok := k1.SealText("hello")
		k2, err := seal.Load(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := k2.OpenText(tok); err != nil {
			t.Errorf("a second load must verify the first's seals: %v", err)
		}
		if len(k2.PublicKeys()) != 1 {
			t.Errorf("keys: %v", k2.PublicKeys())
		}
	})
}
