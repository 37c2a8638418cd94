package score_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/score"
	"github.com/motcua/motcua/internal/store"
)

var (
	lan   = &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}, Agency: home}
	huong = &identity.Principal{ID: "u003", Name: "Phạm Thị Hương", Roles: []string{identity.RoleSpecialist}, Agency: home}
	binh  = &identity.Principal{ID: "u007", Name: "Lê Văn Bình", Roles: []string{identity.RoleLeader}, Agency: home}
)

func birthRequest(online, scan, eid bool) dossier.SubmitRequest {
	files := 0
	if scan {
		files = 1
	}
	req := dossier.SubmitRequest{
		Procedure: "1.001193", Applicant: dossier.Applicant{Name: "Nguyễn Thị Hoa", IDNumber: "001190012345", Phone: "0912345678"},
		Components: []dossier.ComponentInput{{ID: "to-khai", Files: files}, {ID: "giay-chung-sinh", Files: files}, {ID: "giay-to-tuy-than", Source: "population_db"}},
		Form: map[string]any{"child_name": "Nguyễn Minh An", "child_birth_date": "2026-02-20", "child_sex": "male", "birth_place": "Trạm y tế xã Hoa Lộc",
			"mother_name": "Nguyễn Thị Hoa", "applicant_name": "Nguyễn Thị Hoa", "applicant_id": "001190012345", "relation": "mother",
			"address": "Thôn Đông Hòa", "phone": "0912345678"},
	}
	if online {
		req.Channel, req.Decision, req.EID = catalog.ChannelOnline, dossier.DecisionSubmit, eid
	}
	return req
}

// snapshot reads the maintained facts and the non-zero sums.
func snapshot(t *testing.T, db *store.DB) (facts, sums []string) {
	t.Helper()
	ctx := context.Background()
	read := func(q string) []string {
		rows, err := db.Read().QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				fmt.Fprintf(&b, "%s=%v;", cols[i], v.String)
			}
			out = append(out, b.String())
		}
		return out
	}
	facts = read("SELECT * FROM score_facts ORDER BY dossier_id")
	sums = read(`SELECT * FROM score_daily WHERE received <> 0 OR online <> 0 OR online_ok <> 0 OR fee <> 0 OR paid_online <> 0 OR digitized <> 0
		OR reused <> 0 OR store_reuse <> 0 OR population <> 0 OR finished <> 0 OR late_finished <> 0 OR completed <> 0 OR done_minutes <> 0
		OR done_paper <> 0 OR done_eresult <> 0 OR late_start <> 0 ORDER BY agency_code, day, procedure_code`)
	return facts, sums
}

// TestMaintainedEqualsRecomputed runs a random sequence of engine actions
// — receive, supplements, resume, payments, approve, return, refuse, stop,
// withdraw, apologies, scans, imports — and checks that the facts and sums
// kept as the dossiers changed equal a full recomputation from the
// dossiers' history, and so do the indexes.
func TestMaintainedEqualsRecomputed(t *testing.T) {
	each(t, time.Date(2026, 3, 2, 8, 0, 0, 0, calendar.Location), func(t *testing.T, e *apptest.Env, c *clock) {
		ctx := context.Background()
		eng := e.App.Dossiers
		rng := rand.New(rand.NewPCG(7, 766))
		var codes []string
		state := map[string]string{}
		imported := 0
		pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
		counts := map[string]int{}
		act := func(p *identity.Principal, code string, req dossier.ActionRequest) {
			if res, err := eng.Act(ctx, p, code, req, ""); err == nil {
				counts[req.Action]++
				state[code] = res.Dossier.State
			}
		}
		reasons := []string{"Bổ sung giấy tờ"}
		// A dossier asked twice for a supplement, within its time: counted
		// late from the second request.
		first, err := eng.Submit(ctx, lan, birthRequest(false, true, false), "")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, first.Dossier.Code)
		for _, a := range []struct {
			p   *identity.Principal
			req dossier.ActionRequest
		}{{lan, dossier.ActionRequest{Action: "transfer"}}, {lan, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: reasons}},
			{lan, dossier.ActionRequest{Action: dossier.ActionSupplementReceived}}, {lan, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: reasons}}} {
			c.Add(10 * time.Minute)
			if _, err := eng.Act(ctx, a.p, first.Dossier.Code, a.req, ""); err != nil {
				t.Fatalf("%s: %v", a.req.Action, err)
			}
		}
		state[first.Dossier.Code] = dossier.StateSupplementing
		for step := 0; step < 400; step++ {
			c.Add(time.Duration(5+rng.IntN(60*16)) * time.Minute)
			if len(codes) == 0 || rng.IntN(10) == 0 {
				online := rng.IntN(3) == 0
				res, err := eng.Submit(ctx, lan, birthRequest(online, rng.IntN(2) == 0, rng.IntN(2) == 0), "")
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, res.Dossier.Code)
				state[res.Dossier.Code] = res.Dossier.State
				counts["submit"]++
				continue
			}
			if rng.IntN(15) == 0 {
				imported++
				recv := c.Now().Add(-time.Duration(24+rng.IntN(24*20)) * time.Hour)
				due := recv.Add(time.Duration(24+rng.IntN(24*6)) * time.Hour)
				rec := dossier.ImportRecord{MaHoSo: fmt.Sprintf("%s-%s-%04d", home, recv.In(calendar.Location).Format("060102"), 9000+imported), MaTTHC: "1.001193",
					ChuHoSo: "Trần Văn Nam", KenhThucHien: fmt.Sprint(1 + rng.IntN(2)), TrangThaiHoSo: "4",
					NgayTiepNhan: recv.In(calendar.Location).Format("20060102150405"), NgayHenTra: due.In(calendar.Location).Format("20060102150405"),
					SoLanBoSung: fmt.Sprint(rng.IntN(3)), MaCSDL: []string{"", "CSDLQGDC"}[rng.IntN(2)]}
				if fin := recv.Add(time.Duration(rng.IntN(24*8)) * time.Hour); fin.Before(c.Now()) && rng.IntN(3) > 0 {
					rec.TrangThaiHoSo, rec.NgayKetThucXuLy = "10", fin.In(calendar.Location).Format("20060102150405")
					if rng.IntN(2) == 0 {
						rec.DuongDanTepTinKetQua = "https://kq.example/imp.pdf"
					}
				}
				if _, err := eng.Import(ctx, importer, []dossier.ImportRecord{rec}, false); err != nil {
					t.Fatalf("import: %v", err)
				}
				counts["import"]++
				continue
			}
			code := codes[rng.IntN(len(codes))]
			r := rng.IntN(20)
			switch state[code] {
			case dossier.StateNew, dossier.StateGuided:
				switch {
				case r < 13:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionReceive})
				case r < 16:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: reasons})
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionSupplementReceived})
				case r < 18:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionRefuse, Reasons: reasons})
				default:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionWithdraw})
				}
			case "received":
				if r < 18 {
					act(lan, code, dossier.ActionRequest{Action: "transfer"})
				} else {
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionWithdraw})
				}
			case "processing":
				switch {
				case r < 9:
					act(huong, code, dossier.ActionRequest{Action: "submit"})
				case r < 13:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionRequestSupplement, Reasons: reasons})
				case r < 15:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionRequestPayment, Amount: 8000})
				case r < 16:
					act(huong, code, dossier.ActionRequest{Action: dossier.ActionTake})
				case r < 17:
					act(binh, code, dossier.ActionRequest{Action: dossier.ActionRefuse, Reasons: reasons})
				case r < 18:
					act(binh, code, dossier.ActionRequest{Action: dossier.ActionStop, Reasons: reasons})
				default:
					if _, err := eng.AddFiles(ctx, huong, code, "giay-chung-sinh", []dossier.Upload{{Name: "gcs.pdf", Data: pdf}}); err == nil {
						counts["add_files"]++
					}
				}
			case dossier.StateSupplementing:
				switch {
				case r < 15:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionSupplementReceived})
				case r < 17:
					act(binh, code, dossier.ActionRequest{Action: dossier.ActionStop, Reasons: reasons})
				default:
					act(lan, code, dossier.ActionRequest{Action: dossier.ActionWithdraw})
				}
			case dossier.StateAwaitingPayment:
				act(lan, code, dossier.ActionRequest{Action: dossier.ActionPaymentReceived, Online: r < 10})
			case "signing":
				switch {
				case r < 14:
					req := dossier.ActionRequest{Action: "sign", ResultCode: "15/2026"}
					if r < 8 {
						req.ResultFile = "https://kq.example/" + code + ".pdf"
					}
					act(binh, code, req)
				case r < 16:
					act(binh, code, dossier.ActionRequest{Action: "send_back"})
				default:
					act(binh, code, dossier.ActionRequest{Action: dossier.ActionApologize, Reasons: reasons, NewDue: c.Now().AddDate(0, 0, 10).Format(time.DateOnly)})
				}
			case "result_ready":
				act(lan, code, dossier.ActionRequest{Action: dossier.ActionReturnResult, Method: "counter", CollectedBy: "Nguyễn Thị Hoa"})
			}
		}
		t.Logf("actions done: %v", counts)
		for _, a := range []string{"submit", dossier.ActionReceive, dossier.ActionRequestSupplement, dossier.ActionSupplementReceived, "transfer", "sign",
			dossier.ActionReturnResult, dossier.ActionRefuse, dossier.ActionWithdraw, dossier.ActionPaymentReceived, dossier.ActionStop, "add_files", "import"} {
			if counts[a] == 0 {
				t.Errorf("the random run never did %s", a)
			}
		}
		facts, sums := snapshot(t, e.App.DB)
		var late int
		e.App.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM score_facts WHERE late_supp_at IS NOT NULL AND imported = 0").Scan(&late)
		if len(facts) < 40 || late == 0 {
			t.Fatalf("%d facts, %d native dossiers late for supplements: the run is too thin to prove anything", len(facts), late)
		}
		from, to := score.Year(2026)
		before, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		mid, err := e.App.Score.Index(ctx, score.Query{Agency: home, From: time.Date(2026, 3, 10, 0, 0, 0, 0, calendar.Location), To: time.Date(2026, 4, 3, 0, 0, 0, 0, calendar.Location)})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Score.Recompute(ctx); err != nil {
			t.Fatal(err)
		}
		facts2, sums2 := snapshot(t, e.App.DB)
		if !reflect.DeepEqual(facts, facts2) {
			for i := range min(len(facts), len(facts2)) {
				if facts[i] != facts2[i] {
					t.Errorf("fact differs:\nmaintained %s\nrecomputed %s", facts[i], facts2[i])
				}
			}
			t.Fatalf("%d maintained facts, %d recomputed", len(facts), len(facts2))
		}
		if !reflect.DeepEqual(sums, sums2) {
			t.Fatalf("sums differ:\nmaintained %v\nrecomputed %v", sums, sums2)
		}
		after, _ := e.App.Score.Index(ctx, score.Query{Agency: home, From: from, To: to})
		mid2, _ := e.App.Score.Index(ctx, score.Query{Agency: home, From: mid.Query.From, To: mid.Query.To})
		if !reflect.DeepEqual(before.Indicators, after.Indicators) || !reflect.DeepEqual(mid.Indicators, mid2.Indicators) {
			t.Fatal("the index changed on recomputation")
		}
		// The index's 2.1 equals a count over the dossiers themselves.
		in, _ := mid.Indicator("2.1")
		num, _ := e.App.Score.Members(ctx, "2.1", mid.Query, score.Numerator, score.Page{Limit: 500})
		den, _ := e.App.Score.Members(ctx, "2.1", mid.Query, score.Denominator, score.Page{Limit: 500})
		if int64(num.Total) != in.Numerator || int64(den.Total) != in.Denominator || in.Denominator == 0 {
			t.Errorf("2.1 = %d/%d from the sums, %d/%d from the dossiers", in.Numerator, in.Denominator, num.Total, den.Total)
		}
		for _, id := range []string{"3.3", "4.1", "4.2", "4.5b"} {
			in, _ := before.Indicator(id)
			n, _ := e.App.Score.Members(ctx, id, before.Query, score.Numerator, score.Page{Limit: 1})
			d, _ := e.App.Score.Members(ctx, id, before.Query, score.Denominator, score.Page{Limit: 1})
			if int64(n.Total) != in.Numerator || int64(d.Total) != in.Denominator {
				t.Errorf("%s = %d/%d from the sums, %d/%d from the dossiers", id, in.Numerator, in.Denominator, n.Total, d.Total)
			}
		}
	})
}

// TestObserverFailureRollsBack: the facts are written in the dossier's own
// transaction, so a failing observer leaves neither the dossier nor its
// fact half-changed.
func TestObserverFailureRollsBack(t *testing.T) {
	each(t, time.Date(2026, 3, 2, 8, 0, 0, 0, calendar.Location), func(t *testing.T, e *apptest.Env, c *clock) {
		ctx := context.Background()
		eng := e.App.Dossiers
		res, err := eng.Submit(ctx, lan, birthRequest(false, true, false), "")
		if err != nil {
			t.Fatal(err)
		}
		code := res.Dossier.Code
		fail := false
		eng.Observe(func(ctx context.Context, tx store.Tx, d *dossier.Dossier, h *dossier.HistoryEntry) error {
			if fail {
				return fmt.Errorf("observer refuses")
			}
			return nil
		})
		before, _ := snapshot(t, e.App.DB)
		fail = true
		c.Add(time.Hour)
		if _, err := eng.Act(ctx, lan, code, dossier.ActionRequest{Action: dossier.ActionWithdraw}, ""); err == nil {
			t.Fatal("the action succeeded though its observer failed")
		}
		after, _ := snapshot(t, e.App.DB)
		if !reflect.DeepEqual(before, after) {
			t.Errorf("facts changed by a rolled-back action")
		}
		d, _, err := eng.Get(ctx, lan, code)
		if err != nil || d.State != "received" {
			t.Errorf("dossier after a rolled-back action: %v %v", d, err)
		}
		fail = false
		if _, err := eng.Act(ctx, lan, code, dossier.ActionRequest{Action: dossier.ActionWithdraw}, ""); err != nil {
			t.Fatal(err)
		}
		var status int
		e.App.DB.Read().QueryRowContext(ctx, "SELECT status FROM score_facts WHERE code = $1", code).Scan(&status)
		if status != 7 {
			t.Errorf("fact status %d after the withdrawal; want 7", status)
		}
	})
}
