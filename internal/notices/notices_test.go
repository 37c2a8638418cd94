package notices_test

import (
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/notices"
)

func TestMessages(t *testing.T) {
	due := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) // 17:00 in Vietnam
	online := &dossier.Dossier{Code: "H56.16072-261127-0007", Channel: catalog.ChannelOnline, DueAt: &due}
	counter := &dossier.Dossier{Code: "H56.16072-261127-0008", Channel: catalog.ChannelInPerson, DueAt: &due}
	base := "https://dichvucong.hoaloc.example"
	for _, c := range []struct {
		name     string
		d        *dossier.Dossier
		h        dossier.HistoryEntry
		base     string
		kind     string
		has, not []string
	}{
		{"online received", online, dossier.HistoryEntry{Action: dossier.ActionReceive, ToStatus: 2}, base, "dossier_received",
			[]string{"H56.16072-261127-0007 da duoc tiep nhan", "02/12/2026", base + "/tra-cuu"}, nil},
		{"received at the counter: the paper receipt says it", counter, dossier.HistoryEntry{Action: dossier.ActionReceive, ToStatus: 2}, base, "", nil, nil},
		{"supplement, online", online, dossier.HistoryEntry{Action: dossier.ActionRequestSupplement, ToStatus: 5}, base, "dossier_supplement",
			[]string{"can bo sung", base + "/cong-dan/ho-so"}, nil},
		{"supplement, at the counter", counter, dossier.HistoryEntry{Action: dossier.ActionRequestSupplement, ToStatus: 5}, base, "dossier_supplement",
			[]string{"bo sung tai Trung tam"}, []string{"http"}},
		{"apology", online, dossier.HistoryEntry{Action: dossier.ActionApologize, ToStatus: 4}, base, "dossier_apology", []string{"xin loi", "02/12/2026"}, nil},
		{"paper result", counter, dossier.HistoryEntry{Action: "sign", FromStatus: 4, ToStatus: 9}, base, "dossier_result",
			[]string{"da co ket qua", "den Trung tam"}, []string{"http"}},
		{"a step inside processing", online, dossier.HistoryEntry{Action: "submit", FromStatus: 4, ToStatus: 4}, base, "", nil, nil},
		{"no official address: no link", online, dossier.HistoryEntry{Action: dossier.ActionReceive, ToStatus: 2}, "", "dossier_received", nil, []string{"http", "Tra cuu"}},
	} {
		kind, body := notices.Message(c.d, &c.h, c.base)
		if kind != c.kind {
			t.Errorf("%s: kind %q, want %q (%s)", c.name, kind, c.kind, body)
		}
		for _, w := range c.has {
			if !strings.Contains(body, w) {
				t.Errorf("%s: %q lacks %q", c.name, body, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(body, w) {
				t.Errorf("%s: %q has %q", c.name, body, w)
			}
		}
		for _, r := range body {
			if r > 127 {
				t.Errorf("%s: not ASCII: %q", c.name, body)
				break
			}
		}
	}
	electronic := *online
	at := due
	electronic.Result.ElectronicAt = &at
	if kind, body := notices.Message(&electronic, &dossier.HistoryEntry{Action: "sign", FromStatus: 4, ToStatus: 9}, base); kind != "dossier_result" ||
		!strings.Contains(body, base+"/cong-dan/ho-so") {
		t.Errorf("electronic result: %s %q", kind, body)
	}
}
