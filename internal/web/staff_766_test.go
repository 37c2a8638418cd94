package web_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/score"
	"github.com/motcua/motcua/internal/store"
)

// s766Dataset: five dossiers of the demo commune, imported through the
// dossier engine (which keeps the index), period March 2026.
//
//	A received 02/03, due 03/03, finished 03/03 → on time
//	B received 05/03, due 06/03, finished 09/03 → late
//	C received 20/02, due 24/02, finished 02/03 → open at the start, late
//	D received 10/02, finished 13/02         → before March: not counted
//	E received 31/03, due 01/04, open          → on time at the end
//
// Indicator 2.1 counts A, B, C, E; on time A, E.
func s766Dataset(t testing.TB, env *apptest.Env) {
	t.Helper()
	r := func(code, recv, due, fin, st string) dossier.ImportRecord {
		rec := dossier.ImportRecord{MaHoSo: "H56.16072-" + code, MaTTHC: "1.001193", KenhThucHien: "1", TrangThaiHoSo: st, ChuHoSo: "Nguyễn Văn A",
			NgayTiepNhan: recv + "00", NgayHenTra: due + "00"}
		if fin != "" {
			rec.NgayKetThucXuLy = fin + "00"
		}
		return rec
	}
	recs := []dossier.ImportRecord{
		r("260302-0001", "202603020800", "202603031700", "202603031000", "10"),
		r("260305-0001", "202603050800", "202603061700", "202603090900", "10"),
		r("260220-0001", "202602200800", "202602241700", "202603020900", "10"),
		r("260210-0001", "202602100800", "202602121700", "202602130900", "10"),
		r("260331-0001", "202603311000", "202604011700", "", "2"),
	}
	by := audit.Actor{ID: "test", Name: "test", Roles: []string{"administrator"}}
	if _, err := env.App.Dossiers.Import(context.Background(), by, recs, false); err != nil {
		t.Fatal(err)
	}
}

var s766CodeRe = regexp.MustCompile(`href="/staff/dossiers/(H56\.16072-[0-9-]+)"`)

func s766Codes(body string) []string {
	var out []string
	for _, m := range s766CodeRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return out
}

// The index pages: who reads what, the figures the engine computed, the
// drill-down listing exactly the dossiers counted, bad input refused in
// Vietnamese, the province ranking, the exports.
func TestScore766Pages(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			env := apptest.Start(t, eng, apptest.Options{Commune: true, Now: fixedNow})
			s766Dataset(t, env)
			ctx := context.Background()
			march := "period=month&year=2026&month=3"
			from, to := score.Month(2026, time.March)
			x, err := env.App.Score.Index(ctx, score.Query{Agency: "H56.16072", From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			in21, _ := x.Indicator("2.1")
			if in21.Numerator != 2 || in21.Denominator != 4 {
				t.Fatalf("2.1 by the engine: %d / %d", in21.Numerator, in21.Denominator)
			}

			leader := signIn(t, env, "chutich.binh")
			st, body := leader.get(t, "/staff/766?"+march)
			total := dx.FormatNumber(x.Total, 2, "vi")
			for _, want := range []string{"Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)", `<span class="s766-big">` + total + `</span>`,
				"01/03/2026 – 31/03/2026", "motcua không có số liệu này", "Không áp dụng", "Chỉ số làm mất nhiều điểm nhất",
				"Bảng số liệu của biểu đồ", "2.1. Hồ sơ xử lý trước hạn, đúng hạn", "50%", "Nhóm 3b", "/staff/766/export.xlsx?"} {
				if st != 200 || !strings.Contains(body, want) {
					t.Fatalf("index %d: no %q", st, want)
				}
			}
			// 2.1 loses the most here (10 of 20 points): listed first.
			losers := body[strings.Index(body, `class="s766-losers"`):]
			if !strings.HasPrefix(losers[strings.Index(losers, "<strong>")+8:], "2.1.") {
				t.Fatalf("2.1 not first among the losers: %.300s", losers)
			}
			// The 2022 set: five groups, the same total.
			if st, body := leader.get(t, "/staff/766?formula=2022&"+march); st != 200 || strings.Contains(body, "Nhóm 3b") || !strings.Contains(body, "Nhóm 3. Cung cấp dịch vụ công trực tuyến") || !strings.Contains(body, `<span class="s766-big">`+total+`</span>`) {
				t.Fatalf("2022 set: %d", st)
			}
			// Default: this year up to today.
			if st, body := leader.get(t, "/staff/766"); st != 200 || !strings.Contains(body, "01/01/2026 – 27/11/2026") {
				t.Fatalf("default period: %d", st)
			}
			if _, body := leader.get(t, "/staff/766?lang=en&"+march); !strings.Contains(body, "Decision 766 index") || !strings.Contains(body, "Dossiers handled early or on time") {
				t.Fatal("English index")
			}
			leader.get(t, "/staff/766?lang=vi")
			// Filters: by procedure, by field.
			if st, body := leader.get(t, "/staff/766?procedure=1.001193&"+march); st != 200 || !strings.Contains(body, "Đang lọc theo thủ tục") || !strings.Contains(body, "Thời gian xử lý trung bình") {
				t.Fatalf("procedure filter: %d", st)
			}
			if st, _ := leader.get(t, "/staff/766?field=H%E1%BB%99+t%E1%BB%8Bch&"+march); st != 200 {
				t.Fatalf("field filter: %d", st)
			}

			// Drill-down: exactly what the index counted.
			st, body = leader.get(t, "/staff/766/2.1?which=denominator&"+march)
			want := []string{"H56.16072-260220-0001", "H56.16072-260302-0001", "H56.16072-260305-0001", "H56.16072-260331-0001"}
			if got := s766Codes(body); st != 200 || !slices.Equal(got, want) {
				t.Fatalf("2.1 denominator %d: %v", st, got)
			}
			if !strings.Contains(body, "Trễ hạn") || !strings.Contains(body, "quá hạn hẹn trả") || !strings.Contains(body, "Trang 1 / 1") {
				t.Fatal("late dossiers not marked")
			}
			st, body = leader.get(t, "/staff/766/2.1?which=numerator&"+march)
			if got := s766Codes(body); st != 200 || !slices.Equal(got, []string{"H56.16072-260302-0001", "H56.16072-260331-0001"}) {
				t.Fatalf("2.1 numerator %d: %v", st, got)
			}
			mp, err := env.App.Score.Members(ctx, "4.2", score.Query{Agency: "H56.16072", From: from, To: to}, score.Denominator, score.Page{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var fromEngine []string
			for _, m := range mp.Members {
				fromEngine = append(fromEngine, m.Code)
			}
			slices.Sort(fromEngine)
			if _, body := leader.get(t, "/staff/766/4.2?which=denominator&"+march); !slices.Equal(s766Codes(body), fromEngine) || len(fromEngine) != 3 {
				t.Fatalf("4.2: page %v, engine %v", s766Codes(body), fromEngine)
			}
			// A native dossier asked twice for a supplement: late, from the
			// second request, made by the counter officer.
			lan := &identity.Principal{ID: "u001", Name: "Lê Thị Lan", Roles: []string{identity.RoleCounter}, Agency: "H56.16072"}
			res, err := env.App.Dossiers.Submit(ctx, lan, dossier.SubmitRequest{
				Procedure: "1.001193", Applicant: dossier.Applicant{Name: "Nguyễn Thị Hoa", IDNumber: "001190012345", Phone: "0912345678"},
				Components: []dossier.ComponentInput{{ID: "to-khai", Files: 1}, {ID: "giay-chung-sinh", Files: 1}, {ID: "giay-to-tuy-than", Source: "population_db"}},
				Form: map[string]any{"child_name": "Nguyễn Minh An", "child_birth_date": "2026-11-20", "child_sex": "male", "birth_place": "Trạm y tế xã Hoa Lộc",
					"mother_name": "Nguyễn Thị Hoa", "applicant_name": "Nguyễn Thị Hoa", "applicant_id": "001190012345", "relation": "mother",
					"address": "Thôn Đông Hòa", "phone": "0912345678"},
			}, "")
			if err != nil {
				t.Fatal(err)
			}
			code := res.Dossier.Code
			var row string
			reasons := []string{"Bổ sung giấy tờ"}
			for _, req := range []dossier.ActionRequest{{Action: "transfer"}, {Action: dossier.ActionRequestSupplement, Reasons: reasons},
				{Action: dossier.ActionSupplementReceived}, {Action: dossier.ActionRequestSupplement, Reasons: reasons}} {
				if _, err := env.App.Dossiers.Act(ctx, lan, code, req, ""); err != nil {
					t.Fatalf("%s: %v", req.Action, err)
				}
			}
			nov := "period=month&year=2026&month=11"
			st, body = leader.get(t, "/staff/766/2.1?which=denominator&"+nov)
			row = body[strings.Index(body, code):]
			row = row[:strings.Index(row, "</tr>")]
			for _, want := range []string{"Trễ hạn", "yêu cầu bổ sung quá một lần", "Cán bộ giữ hồ sơ: Lê Thị Lan", "Bước làm trễ: Đang xử lý → Yêu cầu bổ sung, hoàn thiện hồ sơ"} {
				if st != 200 || !strings.Contains(row, want) {
					t.Fatalf("late native dossier %d: no %q in %s", st, want, row)
				}
			}
			if _, body := leader.get(t, "/staff/766/2.1?which=numerator&"+nov); strings.Contains(body, code) {
				t.Fatal("a late dossier in 2.1's numerator")
			}
			if st, body := leader.get(t, "/staff/766/1.3?"+march); st != 200 || !strings.Contains(body, "không tính theo từng hồ sơ") {
				t.Fatalf("1.3 drill-down: %d", st)
			}
			if st, _ := leader.get(t, "/staff/766/9.9?"+march); st != http.StatusNotFound {
				t.Fatalf("unknown indicator: %d", st)
			}

			// Bad input: 400 and a Vietnamese message.
			for q, msg := range map[string]string{
				"period=month&year=2026&month=13":             "Tháng phải từ 1 đến 12",
				"period=week":                                 "Kỳ phải là tháng, quý, năm",
				"period=custom&from=2026-13-01&to=2026-03-31": "Ngày không đúng",
				"period=custom&from=2026-03-31&to=2026-03-01": "Ngày kết thúc phải sau ngày bắt đầu",
				"year=abc":              "Năm phải từ 2015",
				"formula=x":             "Bộ công thức",
				"procedure=9.999999":    "Không có thủ tục với mã 9.999999",
				"period=year&year=2027": "Năm phải từ 2015 đến 2026",
				"period=custom&from=2026-12-01&to=2026-12-02": "chưa bắt đầu",
			} {
				st, body := leader.get(t, "/staff/766?"+q)
				if st != http.StatusBadRequest || !strings.Contains(body, msg) || !strings.Contains(body, `role="alert"`) {
					t.Errorf("%s: %d, want %q", q, st, msg)
				}
			}
			if st, body := leader.get(t, "/staff/766/2.1?page=abc&"+march); st != http.StatusBadRequest || !strings.Contains(body, "Số trang không hợp lệ") {
				t.Errorf("bad page: %d", st)
			}
			if st, _ := leader.get(t, "/staff/766/2.1?which=x&"+march); st != http.StatusBadRequest {
				t.Errorf("bad side: %d", st)
			}

			// Who reads: not a specialist; a leader only the own commune
			// and no province; a supervisor the province.
			spec := signIn(t, env, "tuphap.huong")
			for _, p := range []string{"/staff/766", "/staff/766/2.1", "/staff/766/export.xlsx", "/staff/766/export.pdf", "/staff/766/province"} {
				if st, _ := spec.get(t, p); st != http.StatusForbidden {
					t.Errorf("specialist %s: %d", p, st)
				}
			}
			if st, _ := leader.get(t, "/staff/766/province"); st != http.StatusForbidden {
				t.Errorf("leader reads the province: %d", st)
			}
			if err := env.App.Org.CreateAgency(ctx, org.Agency{Code: "H56.16073", Name: "Ủy ban nhân dân xã Hoằng Đạt", Kind: org.KindCommune, Parent: "H56"}, audit.Actor{ID: "t", Name: "t"}); err != nil {
				t.Fatal(err)
			}
			if st, _ := leader.get(t, "/staff/766?agency=H56.16073"); st != http.StatusForbidden {
				t.Errorf("leader reads another commune: %d", st)
			}
			sup := signIn(t, env, "giamsat.tinh")
			st, body = sup.get(t, "/staff/766/province?"+march)
			if st != 200 || !strings.Contains(body, "Hoa Lộc") || !strings.Contains(body, "Hoằng Đạt") || !strings.Contains(body, "agency=H56.16072") || !strings.Contains(body, "Bảng xếp hạng các xã") {
				t.Fatalf("province ranking: %d", st)
			}
			if strings.Index(body, "Hoa Lộc") > strings.Index(body, "Hoằng Đạt") {
				t.Fatal("the commune with dossiers should rank first")
			}
			if st, body := sup.get(t, "/staff/766?agency=H56.16073&"+march); st != 200 || !strings.Contains(body, "Hoằng Đạt") {
				t.Fatalf("supervisor reads a commune: %d", st)
			}
			if st, _ := sup.get(t, "/staff/766?agency=H99.00001"); st != http.StatusForbidden {
				t.Fatalf("supervisor outside the province: %d", st)
			}

			// Exports.
			resp, err := leader.Get(env.URL + "/staff/766/export.xlsx?" + march)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			xf, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatalf("xlsx: %v", err)
			}
			rows, _ := xf.GetRows("Chỉ số 766")
			var flat string
			for _, r := range rows {
				flat += strings.Join(r, "|") + "\n"
			}
			if !strings.Contains(flat, "Tổng điểm: "+total+" / 100") || !strings.Contains(flat, "2.1|Hồ sơ xử lý trước hạn, đúng hạn|2|4|50%|10|20|Đã tính") || !strings.Contains(flat, "motcua không có số liệu này") {
				t.Fatalf("xlsx rows:\n%s", flat)
			}
			resp, err = leader.Get(env.URL + "/staff/766/export.pdf?" + march)
			if err != nil {
				t.Fatal(err)
			}
			buf.Reset()
			buf.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF")) || resp.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("pdf: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		})
	}
}
