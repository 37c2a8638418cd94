// Package notices tells citizens by SMS what happens to their dossiers:
// received (for what they filed online), papers missing, an apology for a
// delay, the result ready. The messages are written in the dossier's own
// transaction through the notification outbox, so a dossier change and
// its message stand or fall together; an address the outbox refuses (no
// mobile number) never blocks the dossier.
package notices

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
)

// Fresh is how old an action may be and still be told: history replayed
// or imported (the demo's year, an older system's dossiers) is not news.
const Fresh = time.Hour

// Config wires the notices.
type Config struct {
	Outbox  *notify.Outbox
	BaseURL string // the official address, the only one a message may name
	Log     *slog.Logger
	Now     func() time.Time
}

// Observer returns the dossier engine's observer that enqueues the notices.
func Observer(cfg Config) dossier.Observer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	return func(ctx context.Context, tx store.Tx, d *dossier.Dossier, h *dossier.HistoryEntry) error {
		if cfg.Outbox == nil || h == nil || d.Applicant.Phone == "" || cfg.Now().Sub(h.At) > Fresh {
			return nil
		}
		kind, body := Message(d, h, base)
		if body == "" {
			return nil
		}
		err := cfg.Outbox.Enqueue(ctx, tx, notify.Message{Channel: notify.ChannelSMS, To: d.Applicant.Phone, Kind: kind, Agency: d.Agency,
			Key: kind + ":" + d.Code + ":" + strconv.Itoa(h.Seq), Body: body})
		var ae *apperr.Error
		if errors.As(err, &ae) {
			cfg.Log.Warn("notices: message not accepted", "dossier", d.Code, "kind", kind, "err", err)
			return nil
		}
		return err
	}
}

// Message is the notice for a history row, or "" when there is none. The
// text is unaccented ASCII (every phone shows it, one segment costs less)
// and links to nothing but the official address.
func Message(d *dossier.Dossier, h *dossier.HistoryEntry, base string) (kind, body string) {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(calendar.Location).Format("02/01/2006")
	}
	lookup := ""
	if base != "" {
		lookup = " Tra cuu: " + base + "/tra-cuu"
	}
	switch {
	case h.Action == dossier.ActionReceive && d.Channel == catalog.ChannelOnline:
		return "dossier_received", fmt.Sprintf("Ho so %s da duoc tiep nhan. Hen tra ket qua: %s.%s", d.Code, day(d.DueAt), lookup)
	case h.Action == dossier.ActionRequestSupplement:
		where := " Vui long bo sung tai Trung tam"
		if d.Channel == catalog.ChannelOnline && base != "" {
			where = " Vui long bo sung tai " + base + "/cong-dan/ho-so hoac tai Trung tam"
		}
		return "dossier_supplement", fmt.Sprintf("Ho so %s can bo sung giay to.%s.", d.Code, where)
	case h.Action == dossier.ActionApologize:
		return "dossier_apology", fmt.Sprintf("Trung tam xin loi vi ho so %s bi cham. Hen tra ket qua moi: %s.%s", d.Code, day(d.DueAt), lookup)
	case h.ToStatus == 9 && h.FromStatus != 9:
		if d.Result.ElectronicAt != nil && base != "" {
			return "dossier_result", fmt.Sprintf("Ho so %s da co ket qua. Tai ban dien tu tai %s/cong-dan/ho-so hoac nhan tai Trung tam.", d.Code, base)
		}
		return "dossier_result", fmt.Sprintf("Ho so %s da co ket qua. Moi ong/ba den Trung tam nhan ket qua, mang theo giay tiep nhan.", d.Code)
	}
	return "", ""
}
