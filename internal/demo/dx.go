package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/store"
)

// dxFigure is one figure of the commune's digital-transformation reports.
type dxFigure struct {
	indicator, asOf string
	value           float64
	num, den        int64 // 0: a percentage only
	source, note    string
}

// dxFigures are Hoa Lộc's reported figures (hoa-loc.md): the latest ones
// as the commune reports them, with a few earlier, synthetic points so
// that the dashboard has trends to draw.
var dxFigures = []dxFigure{
	{"eid_level2", "2024-06-30", 0, 19840, 31650, "Báo cáo Công an xã 6 tháng đầu năm 2024 (dữ liệu mẫu)", ""},
	{"eid_level2", "2024-12-31", 0, 23512, 31780, "Báo cáo Công an xã năm 2024 (dữ liệu mẫu)", ""},
	{"eid_level2", "2025-06-30", 0, 26105, 31850, "Báo cáo Công an xã 6 tháng đầu năm 2025 (dữ liệu mẫu)", ""},
	{"eid_level2", "2025-12-31", 0, 27926, 31920, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "27.926/31.920 người trưởng thành (87,5%)"},
	{"digital_platform", "2024-12-31", 52, 0, 0, "Khảo sát của Ban Chỉ đạo chuyển đổi số xã (dữ liệu mẫu)", ""},
	{"digital_platform", "2025-06-30", 63, 0, 0, "Khảo sát của Ban Chỉ đạo chuyển đổi số xã (dữ liệu mẫu)", ""},
	{"digital_platform", "2025-12-31", 70, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "Báo cáo ghi: trên 70%"},
	{"smartphone", "2024-12-31", 74.5, 0, 0, "Khảo sát của Ban Chỉ đạo chuyển đổi số xã (dữ liệu mẫu)", ""},
	{"smartphone", "2025-12-31", 80.2, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "Báo cáo ghi: trên 80,2%"},
	{"health_record", "2024-12-31", 88, 0, 0, "Báo cáo Trạm y tế xã (dữ liệu mẫu)", ""},
	{"health_record", "2025-06-30", 93, 0, 0, "Báo cáo Trạm y tế xã (dữ liệu mẫu)", ""},
	{"health_record", "2025-12-31", 97, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "Báo cáo ghi: trên 97%"},
	{"cashless_electricity", "2024-12-31", 62, 0, 0, "Số liệu Điện lực (dữ liệu mẫu)", ""},
	{"cashless_electricity", "2025-06-30", 69, 0, 0, "Số liệu Điện lực (dữ liệu mẫu)", ""},
	{"cashless_electricity", "2025-12-31", 75, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "Báo cáo ghi: trên 75%"},
	{"sme_einvoice", "2024-12-31", 96, 0, 0, "Số liệu Thuế cơ sở (dữ liệu mẫu)", ""},
	{"sme_einvoice", "2025-12-31", 100, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", ""},
	{"sme_platform", "2024-12-31", 65, 0, 0, "Khảo sát doanh nghiệp (dữ liệu mẫu)", ""},
	{"sme_platform", "2025-12-31", 80, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", ""},
	{"school_digital", "2024-12-31", 90, 0, 0, "Báo cáo các trường (dữ liệu mẫu)", ""},
	{"school_digital", "2025-12-31", 100, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "Quản lý số, dữ liệu số chuẩn hóa, học liệu mở (ứng dụng cho giáo viên, phụ huynh)"},
	{"school_cashless", "2025-12-31", 100, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", ""},
	{"docs_electronic", "2025-12-31", 100, 0, 0, "Báo cáo kết quả chuyển đổi số xã Hoa Lộc 2025–2026", "Trừ văn bản mật"},
}

// SeedDX writes the demo commune's digital-transformation figures (those
// dated up to now) and a year of synthetic assisted submissions: about one
// online dossier in twenty-five submitted with the help of a village's
// community digital team (or, one time in five, a counter officer), each
// with the citizen's consent and the assistance log. It runs after
// SeedAssist and SeedHistory.
func SeedDX(ctx context.Context, db *store.DB, now time.Time) (figures, assisted int, err error) {
	c, err := LoadCommune()
	if err != nil {
		return 0, 0, err
	}
	today := now.In(calendar.Location).Format("2006-01-02")
	r := rand.New(rand.NewPCG(16072, 766))
	err = db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		figures, assisted = 0, 0
		ms := now.UnixMilli()
		for i, f := range dxFigures {
			if f.asOf > today {
				continue
			}
			var num, den any
			v := f.value
			if f.den > 0 {
				num, den = f.num, f.den
				v, _ = dx.Ratio(f.num, f.den) // as an officer's entry computes it
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dx_entries (seq, id, agency_code, indicator, as_of, value, numerator, denominator, source, note, import_id,
				entered_by, entered_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '', 'demo', 'Dữ liệu mẫu', $11)`,
				i+1, fmt.Sprintf("demo-dx-%02d", i+1), c.Home, f.indicator, f.asOf, v, num, den, f.source, f.note, ms); err != nil {
				return fmt.Errorf("demo: dx figure %s: %w", f.indicator, err)
			}
			figures++
		}
		// The counter officer who helps at the centre.
		var staffID, staffName string
		err := tx.QueryRowContext(ctx, "SELECT id, full_name FROM users WHERE username = 'motcua.lan'").Scan(&staffID, &staffName)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		type member struct{ id, name string }
		var members []member
		rows, err := tx.QueryContext(ctx, "SELECT id, full_name FROM assist_members WHERE active ORDER BY id")
		if err != nil {
			return err
		}
		for rows.Next() {
			var m member
			if err := rows.Scan(&m.id, &m.name); err != nil {
				rows.Close()
				return err
			}
			members = append(members, m)
		}
		rows.Close()
		if len(members) == 0 {
			return nil
		}
		type dossier struct {
			code, idNumber, name, procedure string
			submitted                       int64
		}
		var ds []dossier
		rows, err = tx.QueryContext(ctx, `SELECT code, applicant_id, applicant_name, procedure_code, submitted_at FROM dossiers
			WHERE agency_code = $1 AND channel = 'online' AND applicant_id <> '' AND submitted_at >= $2 ORDER BY code`, c.Home, now.AddDate(-1, 0, 0).UnixMilli())
		if err != nil {
			return err
		}
		for rows.Next() {
			var d dossier
			if err := rows.Scan(&d.code, &d.idNumber, &d.name, &d.procedure, &d.submitted); err != nil {
				rows.Close()
				return err
			}
			ds = append(ds, d)
		}
		rows.Close()
		var seq int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM assist_log").Scan(&seq); err != nil {
			return err
		}
		for _, d := range ds {
			if r.IntN(25) != 0 {
				continue
			}
			kind, helperID, helperName := "member", "", ""
			if staffID != "" && r.IntN(5) == 0 {
				kind, helperID, helperName = "staff", staffID, staffName
			} else {
				m := members[r.IntN(len(members))]
				helperID, helperName = m.id, m.name
			}
			start := d.submitted - int64(10+r.IntN(30))*60000
			id := "demo-consent-" + d.code
			method := "sms"
			if kind == "staff" && r.IntN(2) == 0 {
				method = "paper"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assist_consents (id, id_number, full_name, helper_kind, helper_id, helper_name, agency_code, method, scope,
				procedure_code, level, state, created_at, consented_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'procedure', $9, 1, 'expired', $10, $11, $12)`,
				id, d.idNumber, d.name, kind, helperID, helperName, c.Home, method, d.procedure, start, start+3*60000, d.submitted+8*3600000); err != nil {
				return fmt.Errorf("demo: consent: %w", err)
			}
			for _, ev := range []struct {
				at             int64
				action, detail string
			}{{start, "consent.started", ""}, {start + 3*60000, "consent.given", ""}, {start + 4*60000, "session.opened", ""}, {d.submitted, "dossier.submitted", d.code}} {
				seq++
				if _, err := tx.ExecContext(ctx, `INSERT INTO assist_log (seq, consent_id, id_number, at, action, actor, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
					seq, id, d.idNumber, ev.at, ev.action, helperName, ev.detail); err != nil {
					return fmt.Errorf("demo: assist log: %w", err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO assist_dossiers (dossier_code, consent_id, id_number, helper_kind, helper_id, helper_name, procedure_code, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.code, id, d.idNumber, kind, helperID, helperName, d.procedure, d.submitted); err != nil {
				return fmt.Errorf("demo: assisted dossier: %w", err)
			}
			assisted++
		}
		return nil
	})
	return figures, assisted, err
}
