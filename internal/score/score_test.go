package score_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/score"
	"github.com/motcua/motcua/internal/store"
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

const home = "H56.16072"

func each(t *testing.T, now time.Time, fn func(t *testing.T, e *apptest.Env, c *clock)) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			c := &clock{t: now}
			fn(t, apptest.Start(t, eng, apptest.Options{Commune: true, Now: c.Now}), c)
		})
	}
}

var importer = audit.Actor{ID: "test", Name: "test", Roles: []string{"administrator"}}

// vn is a Vietnam time yyyyMMddHHmm as the import format's yyyyMMddHHmmss.
func vn(s string) string { return s + "00" }

// The hand-built dataset: thirteen dossiers of the demo commune designed on
// paper, imported in the national sync fields (so imported dossiers are
// shown to count like native ones). The period is March 2026.
//
//	P1 = 1.001193 birth registration: free, paper result, online (full)
//	P2 = 2.000884 signature certification: fee 10,000, paper result
//	P3 = 1.002755 residence: fee 15,000, result a record (not paper)
//
//	   proc ch  received     due          finished     st  notes
//	D1  P1  1   02/03 08:00  03/03 17:00  03/03 10:00  10  e-result, digitised, population DB → on time
//	D2  P1  2   05/03 08:00  06/03 17:00  09/03 09:00  10  e-result, VNeID → late (overdue)
//	D3  P1  2   10/03 08:00  11/03 17:00  11/03 09:00   9  no e-result: not "online" (3.3)
//	D4  P2  1   12/03 08:00  13/03 17:00  13/03 09:00  10  fee, paid online, e-result, digitised, from the store
//	D5  P2  1   16/03 08:00  17/03 17:00  17/03 09:00  10  fee, 2 supplement requests → late
//	D6  P2  2   18/03 08:00  20/03 17:00  —             4  fee, paid online, digitised but no e-result; open, overdue at 31/03 → late
//	D7  P3  2   23/03 08:00  27/04 17:00  —             4  fee, paid online, digitised (record result): open, on time
//	D8  P3  1   25/03 08:00  26/03 17:00  26/03 09:00   7  withdrawn, fee 0
//	D9  P1  1   20/02 08:00  24/02 17:00  02/03 09:00  10  open at the start, finished late in March
//	D10 P1  1   10/02 08:00  12/02 17:00  13/02 09:00  10  finished before March: not counted
//	D11 P1  1   25/02 08:00  10/04 17:00  —             4  open at the start, on time at the end
//	D12 P2  1   (submitted 04/03, not accepted)         3  never received: not counted
//	D13 P1  1   31/03 10:00  01/04 17:00  —             2  received the last day, on time
func handDataset() []dossier.ImportRecord {
	r := func(code, proc, ch, recv, due, fin, st string) dossier.ImportRecord {
		rec := dossier.ImportRecord{MaHoSo: home + "-" + code, MaTTHC: proc, KenhThucHien: ch, TrangThaiHoSo: st, ChuHoSo: "Nguyễn Văn A"}
		if recv != "" {
			rec.NgayTiepNhan = vn(recv)
		}
		if due != "" {
			rec.NgayHenTra = vn(due)
		}
		if fin != "" {
			rec.NgayKetThucXuLy = vn(fin)
		}
		return rec
	}
	d1 := r("260302-0001", "1.001193", "1", "202603020800", "202603031700", "202603031000", "10")
	d1.DuongDanTepTinKetQua, d1.MaKetQua, d1.HoSoCoThanhPhanSoHoa, d1.MaCSDL = "https://kq/1.pdf", "1/2026", "1", "CSDLQGDC"
	d2 := r("260305-0001", "1.001193", "2", "202603050800", "202603061700", "202603090900", "10")
	d2.DuongDanTepTinKetQua, d2.TaiKhoanDuocXacThucVoiVNeID = "https://kq/2.pdf", "1"
	d3 := r("260310-0001", "1.001193", "2", "202603100800", "202603111700", "202603110900", "9")
	d4 := r("260312-0001", "2.000884", "1", "202603120800", "202603131700", "202603130900", "10")
	d4.PhiLePhi, d4.DuocThanhToanTrucTuyen, d4.DuongDanTepTinKetQua, d4.HoSoCoThanhPhanSoHoa, d4.DuocLayTuKhoDMQG = "10000", "1", "https://kq/4.pdf", "1", "1"
	d5 := r("260316-0001", "2.000884", "1", "202603160800", "202603171700", "202603170900", "10")
	d5.PhiLePhi, d5.SoLanBoSung = "10000", "2"
	d6 := r("260318-0001", "2.000884", "2", "202603180800", "202603201700", "", "4")
	d6.PhiLePhi, d6.DuocThanhToanTrucTuyen, d6.HoSoCoThanhPhanSoHoa = "10000", "2", "1"
	d7 := r("260323-0001", "1.002755", "2", "202603230800", "202604271700", "", "4")
	d7.PhiLePhi, d7.DuocThanhToanTrucTuyen, d7.HoSoCoThanhPhanSoHoa = "15000", "1", "1"
	d8 := r("260325-0001", "1.002755", "1", "202603250800", "202603261700", "202603260900", "7")
	d8.PhiLePhi = "0"
	d9 := r("260220-0001", "1.001193", "1", "202602200800", "202602241700", "202603020900", "10")
	d10 := r("260210-0001", "1.001193", "1", "202602100800", "202602121700", "202602130900", "10")
	d11 := r("260225-0001", "1.001193", "1", "202602250800", "202604101700", "", "4")
	d12 := r("260304-0001", "2.000884", "1", "", "", "", "3")
	d12.NgayNopHoSo = vn("202603040900")
	d13 := r("260331-0001", "1.001193", "1", "202603311000", "202604011700", "", "2")
	return []dossier.ImportRecord{d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13}
}

type want struct {
	num, den int64
	ratio    float64
	score    float64
	state    string
}

func TestIndexByHand(t *testing.T) {
	each(t, time.Date(2026, 4, 20, 10, 0, 0, 0, calendar.Location), func(t *testing.T, e *apptest.Env, _ *clock) {
		ctx := context.Background()
		if _, err := e.App.Dossiers.Import(ctx, importer, handDataset(), false); err != nil {
			t.Fatal(err)
		}
		from, to := score.Month(2026, time.March)
		x, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		// The catalogue (data/catalog, versions in force on 31/03/2026): 41
		// procedures, all published in full (1.3); 40 offered online (all but
		// 1.003583); 16 with a fee; 40 for citizens.
		ws := map[string]want{
			// 41 ÷ 41 = 100% → 2 × 1 = 2.
			"1.3": {41, 41, 100, 2, score.StateComputed},
			"1.1": {0, 0, 0, 0, score.StateNotApplicable},
			"1.4": {0, 0, 0, 0, score.StateNoData},
			// Handled in March: received in March (D1–D8, D13 = 9) + open at
			// its start (D9, D11) = 11. Late: D2 (finished after due), D5 (two
			// supplement requests), D6 (open, due 20/03 < 31/03), D9 (finished
			// 02/03 after due 24/02) = 4. On time 7 ÷ 11 = 63.64% → 20 × 0.6364
			// = 12.728 → 12.73.
			"2.1": {7, 11, 63.64, 12.73, score.StateComputed},
			"2.2": {0, 0, 0, 0, score.StateNotApplicable},
			// 40 ÷ 41 = 97.56% ≥ 80% → 2.
			"3.1": {40, 41, 97.56, 2, score.StateComputed},
			// Online services with an online dossier: P1 (D2, D3), P2 (D6),
			// P3 (D7) = 3 ÷ 40 = 7.5% → 4 × 0.075 = 0.3.
			"3.2": {3, 40, 7.5, 0.3, score.StateComputed},
			// Online with an e-result where the result is paper: D2 (e-result),
			// D7 (record); not D3, D6 (paper, no e-result). 2 ÷ 9 = 22.22% →
			// 6 × 22.22 ÷ 50 = 2.6664 → 2.67.
			"3.3": {2, 9, 22.22, 2.67, score.StateComputed},
			// Fee procedures with a fee dossier: P2, P3 = 2 ÷ 16 = 12.5% →
			// 2 × 12.5 ÷ 80 = 0.3125 → 0.31.
			"3.5": {2, 16, 12.5, 0.31, score.StateComputed},
			// With an online payment: P2 (D4, D6), P3 (D7) = 2 ÷ 16 → 0.31.
			"3.5b": {2, 16, 12.5, 0.31, score.StateComputed},
			// Fee dossiers received: D4, D5, D6, D7 = 4; paid online D4, D6,
			// D7 = 3 → 75% → 6 × 0.75 = 4.5.
			"3.6": {3, 4, 75, 4.5, score.StateComputed},
			// Completed in March, paper result: D1, D2, D3, D4, D5, D9 = 6;
			// with an e-result D1, D2, D4 = 3 → 50% → 6 × 0.5 = 3.
			"4.1": {3, 6, 50, 3, score.StateComputed},
			// Digitised (scans and, for paper results, an e-result): D1, D4,
			// D7 (record); not D6 (no e-result). 3 ÷ 9 = 33.33% → 4 × 0.3333 =
			// 1.3332 → 1.33.
			"4.2": {3, 9, 33.33, 1.33, score.StateComputed},
			// Reused: D4 = 1 ÷ 9 = 11.11% → 2 × 11.11 ÷ 80 = 0.27775 → 0.28.
			"4.3": {1, 9, 11.11, 0.28, score.StateComputed},
			// From the store: D4 → 4 × 0.1111 = 0.4444 → 0.44.
			"4.4": {1, 9, 11.11, 0.44, score.StateComputed},
			// Procedures with population data: P1 (D1, D2) = 1 ÷ 40 = 2.5% →
			// 2 × 0.025 = 0.05.
			"4.5a": {1, 40, 2.5, 0.05, score.StateComputed},
			// D1 (population DB), D2 (VNeID) = 2 ÷ 9 = 22.22% → 0.44.
			"4.5b": {2, 9, 22.22, 0.44, score.StateComputed},
			"4.6":  {0, 0, 0, 0, score.StateNoData},
			// No PAKN: full marks.
			"5.2": {0, 0, 100, 6, score.StateComputed},
			"5.3": {0, 0, 100, 6, score.StateComputed},
			// Finished in March: D1, D2, D3, D4, D5, D8, D9 = 7; late D2, D5,
			// D9 = 3; none disliked. 100 − 3 ÷ 7 × 100 = 57.14% → 6 × 57.14 ÷
			// 90 = 3.8093 → 3.81.
			"5.4": {4, 7, 57.14, 3.81, score.StateComputed},
		}
		for id, w := range ws {
			in, ok := x.Indicator(id)
			if !ok {
				t.Errorf("%s missing", id)
				continue
			}
			if in.Numerator != w.num || in.Denominator != w.den || in.Ratio != w.ratio || in.Score != w.score || in.State != w.state {
				t.Errorf("%s = %d/%d %.2f%% score %.2f %s; want %d/%d %.2f%% score %.2f %s (%s)", id, in.Numerator, in.Denominator, in.Ratio, in.Score, in.State,
					w.num, w.den, w.ratio, w.score, w.state, in.Note)
			}
		}
		// Groups 1: 2; 2: 12.73; 3a: 2 + 0.3 + 2.67 = 4.97; 3b: 0.31 + 0.31
		// + 4.5 = 5.12; 4: 3 + 1.33 + 0.28 + 0.44 + 0.05 + 0.44 = 5.54; 5: 6
		// + 6 + 3.81 = 15.81. Total 46.17 of 82 computable.
		if x.Total != 46.17 || x.MaxAvailable != 82 || len(x.Groups) != 6 {
			t.Errorf("total %.2f of %.0f in %d groups; want 46.17 of 82 in 6", x.Total, x.MaxAvailable, len(x.Groups))
		}
		// The 2022 set: five groups, the same indicators, the same total.
		x22, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: from, To: to, Formula: score.Formula2022})
		if err != nil {
			t.Fatal(err)
		}
		if len(x22.Groups) != 5 || x22.Total != 46.17 || x22.Groups[2].Score != 10.09 {
			t.Errorf("2022: %d groups, total %.2f, group 3 %.2f; want 5, 46.17, 10.09", len(x22.Groups), x22.Total, x22.Groups[2].Score)
		}

		// The province (its only commune here) and its ranking.
		xprov, err := e.App.Score.Index(ctx, score.Query{Province: "H56", From: from, To: to})
		if err != nil || xprov.Total != 46.17 || len(xprov.Agencies) != 1 {
			t.Errorf("province: %v %v", xprov, err)
		}
		rank, err := e.App.Score.Ranking(ctx, "H56", from, to)
		if err != nil || len(rank) != 1 || rank[0].Agency != home || rank[0].Total != 46.17 || rank[0].Rank != 1 {
			t.Errorf("ranking: %+v %v", rank, err)
		}

		// One procedure: P1 only. 2.1: D1, D2, D3, D13 received + D9, D11
		// open = 6; late D2, D9 → 4 ÷ 6 = 66.67%. 2.2 average time is shown.
		xp, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: from, To: to, Procedure: "1.001193"})
		if err != nil {
			t.Fatal(err)
		}
		if in, _ := xp.Indicator("2.1"); in.Numerator != 4 || in.Denominator != 6 || in.Score != 13.33 {
			t.Errorf("P1 2.1 = %+v", in)
		}
		if in, _ := xp.Indicator("2.2"); in.State != score.StateComputed || in.Denominator != 4 || in.Unit != "working_days" {
			t.Errorf("P1 2.2 = %+v", in)
		}

		// A period in the middle of a month reads day rows: 01/03–10/03.
		// Handled: D1, D2, D3 + D9, D11 = 5; late D2 (09/03), D9 = 2 → 3/5.
		xm, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: from, To: from.AddDate(0, 0, 9)})
		if err != nil {
			t.Fatal(err)
		}
		if in, _ := xm.Indicator("2.1"); in.Numerator != 3 || in.Denominator != 5 {
			t.Errorf("1–10/03 2.1 = %d/%d; want 3/5", in.Numerator, in.Denominator)
		}

		// Drill-down: the dossiers behind 2.1.
		den, err := e.App.Score.Members(ctx, "2.1", score.Query{Agency: home, From: from, To: to}, score.Denominator, score.Page{})
		if err != nil {
			t.Fatal(err)
		}
		num, err := e.App.Score.Members(ctx, "2.1", score.Query{Agency: home, From: from, To: to}, score.Numerator, score.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if den.Total != 11 || num.Total != 7 || len(den.Members) != 11 {
			t.Fatalf("members: %d/%d", num.Total, den.Total)
		}
		late := map[string]string{}
		for _, m := range den.Members {
			if m.Late {
				late[m.Code] = m.LateReason
				if m.LateStep == nil {
					t.Errorf("%s late without a step", m.Code)
				}
			}
		}
		wantLate := map[string]string{home + "-260305-0001": "overdue", home + "-260316-0001": "supplements", home + "-260318-0001": "overdue", home + "-260220-0001": "overdue"}
		if len(late) != len(wantLate) {
			t.Errorf("late = %v; want %v", late, wantLate)
		}
		for c, r := range wantLate {
			if late[c] != r {
				t.Errorf("late %s = %q; want %q", c, late[c], r)
			}
		}
		if _, err := e.App.Score.Members(ctx, "3.1", score.Query{Agency: home, From: from, To: to}, score.Numerator, score.Page{}); err == nil {
			t.Error("3.1 counts procedures, not dossiers")
		}
		if _, err := e.App.Score.Index(ctx, score.Query{Agency: "nowhere", From: from, To: to}); err == nil {
			t.Error("unknown agency accepted")
		}
		if _, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: to, To: from}); err == nil {
			t.Error("reversed period accepted")
		}
	})
}
