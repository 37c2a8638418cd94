package dx_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

const home = "H56.16072"

var (
	leader     = &identity.Principal{ID: "u-leader", Name: "Lê Văn Lãnh", Roles: []string{identity.RoleLeader}, Agency: home}
	admin      = &identity.Principal{ID: "u-admin", Name: "Quản Trị", Roles: []string{identity.RoleAdministrator}, Agency: home}
	specialist = &identity.Principal{ID: "u-spec", Name: "Chuyên Viên", Roles: []string{identity.RoleSpecialist}, Agency: home}
	supervisor = &identity.Principal{ID: "u-sup", Name: "Giám Sát", Roles: []string{identity.RoleSupervisor}}
)

// now is 09:00 on 27/11/2026 in Vietnam.
var now = time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)

func setup(t *testing.T, db *store.DB) *dx.Service {
	t.Helper()
	if _, err := demo.SeedCommune(context.Background(), db, now); err != nil {
		t.Fatal(err)
	}
	return dx.New(db, func() time.Time { return now })
}

func code(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	ae := apperr.As(err)
	if ae.Kind == apperr.Internal {
		t.Fatalf("internal error: %v", err)
	}
	return ae.Code
}

// Figures are entered with their source and date; the history is in date
// order whatever the order of entry; a correction of the same date stands
// on the dashboard and the earlier entry stays in the history.
func TestEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		e, err := s.Enter(ctx, leader, home, dx.Input{Indicator: "eid_level2", AsOf: "30/06/2025", Numerator: "27.926", Denominator: "31.920", Source: "Báo cáo Công an xã số 12/BC-CAX"})
		if err != nil {
			t.Fatal(err)
		}
		if e.Value != 87.49 || *e.Numerator != 27926 || *e.Denominator != 31920 || e.AsOf != "2025-06-30" || e.EnteredName != leader.Name {
			t.Fatalf("entry: %+v", e)
		}
		// Earlier date entered later; then a correction of 30/06/2025.
		for _, in := range []dx.Input{
			{Indicator: "eid_level2", AsOf: "2024-12-31", Numerator: "20150", Denominator: "31500", Source: "Báo cáo năm 2024"},
			{Indicator: "eid_level2", AsOf: "2025-06-30", Numerator: "27926", Denominator: "31920", Value: "87,5", Source: "Báo cáo đã sửa"},
			{Indicator: "smartphone", AsOf: "2025-06-30", Value: "80,2", Source: "Khảo sát của xã"},
			{Indicator: "cashless_points", AsOf: "2025-06-30", Value: "1.250", Source: "Ngân hàng"},
		} {
			if _, err := s.Enter(ctx, admin, home, in); err != nil {
				t.Fatalf("%+v: %v", in, err)
			}
		}
		h, err := s.History(ctx, home, "eid_level2")
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].AsOf != "2024-12-31" || h[1].Source != "Báo cáo Công an xã số 12/BC-CAX" || h[2].Source != "Báo cáo đã sửa" {
			t.Fatalf("history: %+v", h)
		}
		sm, _ := s.History(ctx, home, "smartphone")
		if len(sm) != 1 || sm[0].Value != 80.2 || sm[0].Numerator != nil {
			t.Fatalf("smartphone: %+v", sm)
		}
		cp, _ := s.History(ctx, home, "cashless_points")
		if len(cp) != 1 || cp[0].Value != 1250 {
			t.Fatalf("count: %+v", cp)
		}
		d, err := s.Dashboard(ctx, leader, home, time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Location), time.Date(2026, 11, 28, 0, 0, 0, 0, calendar.Location))
		if err != nil {
			t.Fatal(err)
		}
		card := cardOf(t, d, "eid_level2")
		if len(card.Trend) != 2 || card.Current.Value != 87.49 || card.Latest.Source != "Báo cáo đã sửa" || card.Direction != "up" || card.Change != 23.52 {
			t.Fatalf("card: %+v", card)
		}

		bad := []struct {
			p    *identity.Principal
			in   dx.Input
			code string
		}{
			{specialist, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Value: "50", Source: "x"}, "forbidden"},
			{supervisor, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Value: "50", Source: "x"}, "forbidden"},
			{leader, dx.Input{Indicator: "nope", AsOf: "2025-01-01", Value: "50", Source: "x"}, "unknown_indicator"},
			{leader, dx.Input{Indicator: dx.OnTime, AsOf: "2025-01-01", Value: "50", Source: "x"}, "indicator_computed"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "28/11/2026", Value: "50", Source: "x"}, "date_in_future"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "31/02/2025", Value: "50", Source: "x"}, "invalid_date"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Value: "101", Source: "x"}, "invalid_percent"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Value: "", Source: "x"}, "value_required"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Numerator: "5", Source: "x"}, "fraction_incomplete"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Numerator: "6", Denominator: "5", Source: "x"}, "numerator_above_denominator"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Numerator: "1", Denominator: "0", Source: "x"}, "invalid_denominator"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Numerator: "1", Denominator: "4", Value: "30", Source: "x"}, "value_mismatch"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Value: "50", Source: " "}, "source_required"},
			{leader, dx.Input{Indicator: "smartphone", AsOf: "2025-01-01", Value: "50", Source: "a\x00b"}, "invalid_text"},
			{leader, dx.Input{Indicator: "cashless_points", AsOf: "2025-01-01", Value: "2,5", Source: "x"}, "invalid_count"},
			{leader, dx.Input{Indicator: "cashless_points", AsOf: "2025-01-01", Value: "2", Numerator: "1", Denominator: "2", Source: "x"}, "no_fraction_for_count"},
		}
		for _, b := range bad {
			if _, err := s.Enter(ctx, b.p, home, b.in); code(t, err) != b.code {
				t.Errorf("%+v: got %v, want %s", b.in, err, b.code)
			}
		}
		if h, _ := s.History(ctx, home, "smartphone"); len(h) != 1 {
			t.Fatalf("a refused entry was written: %+v", h)
		}
		// Targets: the default, then the commune's own.
		if card := cardOf(t, d, dx.OnTime); card.Target.Value != 98 || card.Target.Own {
			t.Fatalf("default target: %+v", card.Target)
		}
		if _, err := s.SetTarget(ctx, specialist, home, "eid_level2", "90", "KH 15/KH-UBND"); code(t, err) != "forbidden" {
			t.Fatalf("specialist target: %v", err)
		}
		if _, err := s.SetTarget(ctx, leader, home, "eid_level2", "120", "KH 15/KH-UBND"); code(t, err) != "invalid_target" {
			t.Fatalf("target 120: %v", err)
		}
		if _, err := s.SetTarget(ctx, leader, home, "eid_level2", "85", "Kế hoạch 15/KH-UBND năm 2025"); err != nil {
			t.Fatal(err)
		}
		d, _ = s.Dashboard(ctx, leader, home, time.Date(2026, 1, 1, 0, 0, 0, 0, calendar.Location), time.Date(2026, 11, 28, 0, 0, 0, 0, calendar.Location))
		if card := cardOf(t, d, "eid_level2"); card.Target.Value != 85 || !card.Target.Own || !card.Met {
			t.Fatalf("own target: %+v", card)
		}
		// A province supervisor reads the communes under the province only.
		province := &identity.Principal{ID: "u-tinh", Name: "Giám Sát Tỉnh", Roles: []string{identity.RoleSupervisor}, Agency: "H56"}
		if _, err := s.Dashboard(ctx, province, home, time.Now(), time.Now()); err != nil {
			t.Fatalf("province supervisor: %v", err)
		}
		if _, err := s.Dashboard(ctx, province, "H57.00001", time.Now(), time.Now()); code(t, err) != "forbidden" {
			t.Fatalf("another province: %v", err)
		}
		if _, err := s.Dashboard(ctx, specialist, home, time.Now(), time.Now()); code(t, err) != "forbidden" {
			t.Fatalf("specialist reads: %v", err)
		}
	})
}

func cardOf(t *testing.T, d *dx.Dashboard, key string) dx.Card {
	t.Helper()
	for _, c := range d.Cards {
		if c.Indicator.Key == key {
			return c
		}
	}
	t.Fatalf("no card %s", key)
	return dx.Card{}
}

// sheet fills the import template with rows (cells from column A).
func sheet(t *testing.T, rows [][]string) []byte {
	t.Helper()
	b, err := dx.Template()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	// Clear the template's rows, then write ours.
	for r := 2; r <= 20; r++ {
		x.RemoveRow(dx.ImportSheet, 2)
	}
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			x.SetCellStr(dx.ImportSheet, cell, v)
		}
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An import with bad rows reports each by its row and writes nothing; a
// corrected file is written whole, once.
func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		// The template as offered: one row per entered indicator, left
		// blank, is "nothing to import".
		tpl, err := dx.Template()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReadImport(ctx, leader, home, "mau.xlsx", tpl); code(t, err) != "spreadsheet_empty" {
			t.Fatalf("blank template: %v", err)
		}
		if _, err := s.ReadImport(ctx, leader, home, "x.xlsx", []byte("not a spreadsheet")); code(t, err) != "unreadable_spreadsheet" {
			t.Fatalf("garbage: %v", err)
		}
		if _, err := s.ReadImport(ctx, specialist, home, "x.xlsx", tpl); code(t, err) != "forbidden" {
			t.Fatalf("specialist: %v", err)
		}
		good := [][]string{
			{"eid_level2", "", "30/06/2025", "87,5", "27926", "31920", "Công an xã"},
			{"health_record", "", "2025-09-30", "97", "", "", "Trạm y tế xã"},
			{"cashless_electricity", "", "30/09/2025", "75%", "", "", "Điện lực Hoằng Hóa", "Báo cáo ghi trên 75%"},
		}
		badRows := append(append([][]string{}, good...),
			[]string{"smartphone", "", "31/13/2025", "80,2", "", "", "Khảo sát"},
			[]string{"khong_co", "", "30/06/2025", "50", "", "", "x"},
			[]string{"school_digital", "", "30/06/2025", "100", "", "", ""},
		)
		im, err := s.ReadImport(ctx, leader, home, "so-lieu.xlsx", sheet(t, badRows))
		if err != nil {
			t.Fatal(err)
		}
		if len(im.Rows) != 6 || im.Errors != 3 || im.Valid() != 3 {
			t.Fatalf("import: %d rows, %d errors", len(im.Rows), im.Errors)
		}
		want := map[int]string{5: "invalid_date", 6: "unknown_indicator", 7: "source_required"}
		for _, r := range im.Rows {
			if r.Code != want[r.Line] {
				t.Errorf("row %d: %q, want %q", r.Line, r.Code, want[r.Line])
			}
		}
		if _, err := s.ConfirmImport(ctx, leader, home, im.ID); code(t, err) != "import_has_errors" {
			t.Fatalf("confirm with errors: %v", err)
		}
		for _, key := range []string{"eid_level2", "health_record", "cashless_electricity"} {
			if h, _ := s.History(ctx, home, key); len(h) != 0 {
				t.Fatalf("half-written: %s %+v", key, h)
			}
		}
		im, err = s.ReadImport(ctx, leader, home, "so-lieu-da-sua.xlsx", sheet(t, good))
		if err != nil || im.Errors != 0 {
			t.Fatalf("good import: %v %+v", err, im)
		}
		if _, err := s.ConfirmImport(ctx, admin, home, im.ID); code(t, err) != "import_not_yours" {
			t.Fatalf("another's import: %v", err)
		}
		if _, err := s.ConfirmImport(ctx, leader, home, im.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmImport(ctx, leader, home, im.ID); code(t, err) != "import_done" {
			t.Fatalf("twice: %v", err)
		}
		h, _ := s.History(ctx, home, "eid_level2")
		if len(h) != 1 || h[0].Value != 87.49 || h[0].ImportID != im.ID || h[0].Source != "Công an xã" {
			t.Fatalf("imported: %+v", h)
		}
		h, _ = s.History(ctx, home, "cashless_electricity")
		if len(h) != 1 || h[0].Value != 75 || h[0].Note != "Báo cáo ghi trên 75%" || h[0].AsOf != "2025-09-30" {
			t.Fatalf("imported: %+v", h)
		}
	})
}

// dossier inserts a hand-built dossier.
type dossierRow struct {
	code          string
	channel       string
	status        int
	received      time.Time
	due, finished *time.Time
	countsLate    bool
	apologized    bool
	fee           int64
	paid          *time.Time
	paidOnline    bool
	reused        int
	eResult       bool
}

func vn(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, calendar.Location)
}
func at(t time.Time) *time.Time { return &t }

func insertDossiers(t *testing.T, db *store.DB, rows []dossierRow) {
	t.Helper()
	err := db.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for i, r := range rows {
			res := "{}"
			if r.eResult {
				res = `{"code":"12/QĐ","file_url":"/f/1","electronic_at":"2026-03-02T10:00:00+07:00"}`
			}
			var apology *int64
			if r.apologized {
				v := store.Millis(r.received)
				apology = &v
			}
			ms := func(t *time.Time) *int64 {
				if t == nil {
					return nil
				}
				v := store.Millis(*t)
				return &v
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO dossiers (id, code, agency_code, procedure_code, procedure_version, procedure_name, channel, state, status,
				applicant_name, lookup_key, submitted_at, received_at, due_at, finished_at, counts_late, apologized_at, fee, paid_at, paid_online, reused, result_doc, created_at, updated_at)
				VALUES ($1, $2, $3, '1.001193', 1, 'Đăng ký khai sinh', $4, 'x', $5, 'Nguyễn Văn A', 'k', $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $6, $6)`,
				fmt.Sprintf("d%d", i), r.code, home, r.channel, r.status, store.Millis(r.received), ms(r.due), ms(r.finished), r.countsLate, apology,
				r.fee, ms(r.paid), r.paidOnline, r.reused, res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The computed figures over a small dataset worked out by hand, and the
// community digital teams' work by village.
func TestComputed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := setup(t, db)
		if _, _, err := demo.SeedAssist(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		mar := func(d int) time.Time { return vn(2026, 3, d, 9) }
		insertDossiers(t, db, []dossierRow{
			// March: 6 received, 4 online, 2 reusing data.
			{code: "A1", channel: "online", status: 10, received: mar(2), due: at(mar(10)), finished: at(mar(5)), eResult: true, fee: 8000, paid: at(mar(2)), paidOnline: true, reused: 1},
			{code: "A2", channel: "online", status: 9, received: mar(3), due: at(mar(10)), finished: at(mar(12))},                                                // late
			{code: "A3", channel: "online", status: 10, received: mar(4), due: at(mar(20)), finished: at(mar(6)), countsLate: true, fee: 8000, paid: at(mar(4))}, // two supplements: late
			{code: "A4", channel: "online", status: 10, received: mar(5), due: at(mar(9)), finished: at(mar(9)), apologized: true, reused: 2},                    // apology: late
			{code: "A5", channel: "in_person", status: 4, received: mar(6), due: at(mar(20))},                                                                    // open, overdue at the end of March
			{code: "A6", channel: "in_person", status: 7, received: mar(7), due: at(mar(9)), finished: at(mar(8))},                                               // withdrawn: not counted as finished
			// February: one received and finished on time, on paper; one
			// finished in March: counted in March.
			{code: "B1", channel: "in_person", status: 10, received: vn(2026, 2, 10, 9), due: at(vn(2026, 2, 20, 9)), finished: at(vn(2026, 2, 12, 9)), eResult: true},
			{code: "B2", channel: "post", status: 10, received: vn(2026, 2, 25, 9), due: at(vn(2026, 3, 10, 9)), finished: at(mar(3)), fee: 20000, paid: at(vn(2026, 2, 25, 9))},
		})
		// Two assisted submissions: one by the team of T03, one at the counter.
		err := db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			for i, c := range []struct{ kind, helper, dossier string }{{"member", "tcns-T03-2", "A1"}, {"staff", "u-counter", "A2"}} {
				id := fmt.Sprintf("c%d", i)
				if _, err := tx.ExecContext(ctx, `INSERT INTO assist_consents (id, id_number, full_name, helper_kind, helper_id, helper_name, agency_code, method, scope, state, created_at, consented_at, expires_at)
					VALUES ($1, $2, 'Lê Thị Lan', $3, $4, 'Người giúp', $5, 'sms', 'all', 'expired', $6, $6, $6)`, id, fmt.Sprintf("03819000123%d", i), c.kind, c.helper, home, store.Millis(mar(2))); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO assist_log (seq, consent_id, id_number, at, action, actor) VALUES ($1, $2, 'x', $3, 'session.opened', 'Người giúp')`, i+1, id, store.Millis(mar(2))); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO assist_dossiers (dossier_code, consent_id, id_number, helper_kind, helper_id, helper_name, at) VALUES ($1, $2, 'x', $3, $4, 'Người giúp', $5)`,
					c.dossier, id, c.kind, c.helper, store.Millis(mar(2))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		f, err := s.Compute(ctx, home, vn(2026, 3, 1, 0), vn(2026, 4, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]dx.Figure{
			dx.OnlineShare: {Numerator: 4, Denominator: 6, Value: 66.67, OK: true},
			dx.Reuse:       {Numerator: 2, Denominator: 6, Value: 33.33, OK: true},
			// Finished in March with a result: A1 (on time), A2 (late), A3
			// (late), A4 (late), B2 (on time); A5 open and overdue.
			dx.OnTime:        {Numerator: 2, Denominator: 6, Value: 33.33, OK: true},
			dx.EResults:      {Numerator: 1, Denominator: 5, Value: 20, OK: true},
			dx.OnlinePayment: {Numerator: 1, Denominator: 2, Value: 50, OK: true},
			dx.Assisted:      {Numerator: 2, Value: 2, OK: true},
		}
		for k, w := range want {
			if got := f.ByKey[k]; got != w {
				t.Errorf("%s: got %+v, want %+v", k, got, w)
			}
		}
		// February: B1 and B2 received (0 online); B1 finished on time with
		// an e-result; B2 paid at the counter.
		f, _ = s.Compute(ctx, home, vn(2026, 2, 1, 0), vn(2026, 3, 1, 0))
		if g := f.ByKey[dx.OnlineShare]; g.Value != 0 || !g.OK || g.Denominator != 2 {
			t.Errorf("Feb online: %+v", g)
		}
		if g := f.ByKey[dx.OnTime]; g.Value != 100 || g.Denominator != 1 {
			t.Errorf("Feb on time: %+v", g)
		}
		// January: nothing: no data, not 0%.
		f, _ = s.Compute(ctx, home, vn(2026, 1, 1, 0), vn(2026, 2, 1, 0))
		if g := f.ByKey[dx.OnlineShare]; g.OK {
			t.Errorf("Jan: %+v", g)
		}
		// The dashboard's trend has the same months.
		d, err := s.Dashboard(ctx, supervisor, home, vn(2026, 1, 1, 0), vn(2026, 4, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		c := cardOf(t, d, dx.OnlineShare)
		if len(c.Trend) != dx.TrendMonths || c.Trend[11].Value != 66.67 || c.Trend[10].Value != 0 || !c.Trend[10].OK || c.Trend[9].OK || c.Direction != "up" {
			t.Fatalf("trend: %+v", c.Trend)
		}
		if c.Current.Value != 50 || *c.Current.Denominator != 8 { // Jan–Mar: 4 of 8
			t.Fatalf("current: %+v", c.Current)
		}
		// Teams: 40 villages, 40 teams, 202 members; T03's team helped once.
		tm := d.Teams
		if len(tm.Villages) != 40 || tm.TeamCount != 40 || tm.Members != 202 || tm.Sessions != 1 || tm.People != 1 || tm.Dossiers != 1 {
			t.Fatalf("teams: %+v", tm)
		}
		if v := tm.Villages[2]; v.Village != "T03" || v.Sessions != 1 || v.People != 1 || v.Dossiers != 1 {
			t.Fatalf("T03: %+v", v)
		}
		if tm.Centre.Sessions != 1 || tm.Centre.Dossiers != 1 {
			t.Fatalf("centre: %+v", tm.Centre)
		}
		// The exports carry the figures.
		xb, err := dx.XLSX(d, "UBND xã Hoa Lộc")
		if err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(bytes.NewReader(xb))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := x.GetCellValue("Chuyển đổi số", "B5"); v != "50%" {
			t.Errorf("xlsx B5: %q", v)
		}
		if v, _ := x.GetCellValue("Chuyển đổi số", "C5"); v != "4 / 8" {
			t.Errorf("xlsx C5: %q", v)
		}
		pb, err := dx.PDF(d, "UBND xã Hoa Lộc", true, now)
		if err != nil || !bytes.HasPrefix(pb, []byte("%PDF")) {
			t.Fatalf("pdf: %v", err)
		}
	})
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		lang string
		want string
	}{{27926, 0, "vi", "27.926"}, {27926, 0, "en", "27,926"}, {87.5, 2, "vi", "87,5"}, {87.49, 2, "en", "87.49"}, {100, 2, "vi", "100"}, {-2.5, 2, "vi", "−2,5"}, {1234567, 0, "vi", "1.234.567"}} {
		if got := dx.FormatNumber(c.v, c.d, c.lang); got != c.want {
			t.Errorf("%v %s: %q, want %q", c.v, c.lang, got, c.want)
		}
	}
	if !strings.Contains(dx.FormatValue(87.5, dx.Percent, "vi"), "%") {
		t.Error("percent sign")
	}
}
