package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/dossier"
)

// The citizen hears by SMS, in the same transaction as the change, when a
// paper is missing and when the result is ready; an imported history is
// not news.
func TestDossierNotices(t *testing.T) {
	each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		f := newDeskFlow(t, env)
		code := f.create(birthJSON).Code
		sent := func(kind string) []string {
			t.Helper()
			rows, err := env.App.DB.Read().QueryContext(ctx, "SELECT body FROM notify_messages WHERE kind = $1 AND recipient = '0912345678' ORDER BY seq", kind)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var b string
				rows.Scan(&b)
				if strings.Contains(b, code) {
					out = append(out, b)
				}
			}
			return out
		}
		if got := sent("dossier_received"); len(got) != 0 {
			t.Errorf("a dossier received at the counter is texted: %v", got)
		}
		f.act("motcua.lan", code, "transfer", "")
		mineAct(t, f, "tuphap.huong", code, `{"action":"request_supplement","reasons":["Bản chụp giấy chứng sinh rõ nét"]}`)
		if got := sent("dossier_supplement"); len(got) != 1 || !strings.Contains(got[0], "can bo sung") {
			t.Fatalf("supplement notice: %v", got)
		}
		mineAct(t, f, "motcua.lan", code, `{"action":"supplement_received"}`)
		mineAct(t, f, "tuphap.huong", code, `{"action":"submit"}`)
		mineAct(t, f, "chutich.binh", code, `{"action":"sign","result_code":"12/2026/KS"}`)
		if got := sent("dossier_result"); len(got) != 1 || !strings.Contains(got[0], "da co ket qua") || !strings.Contains(got[0], "Ma kiem tra") {
			t.Fatalf("result notice: %v", got)
		}
		// A retried action does not text twice; an imported past says nothing.
		var n int
		env.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM notify_messages WHERE kind LIKE 'dossier_%'").Scan(&n)
		rec := dossier.ImportRecord{MaHoSo: "H56.16072-250310-0009", MaTTHC: "1.001612", NgayTiepNhan: "20250310083000", NgayHenTra: "20250313170000",
			NgayKetThucXuLy: "20250312100000", TrangThaiHoSo: "10", KenhThucHien: "2", ChuHoSo: "Nguyễn Thị Hoa", SoGiayToChuHoSo: "038190012345",
			SoDienThoai: "0912345678", MaKetQua: "27A8012345"}
		if _, err := env.App.Dossiers.Import(ctx, audit.System, []dossier.ImportRecord{rec}, false); err != nil {
			t.Fatal(err)
		}
		var m int
		env.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM notify_messages WHERE kind LIKE 'dossier_%'").Scan(&m)
		if m != n {
			t.Errorf("importing an old dossier sent %d messages", m-n)
		}
	})
}
