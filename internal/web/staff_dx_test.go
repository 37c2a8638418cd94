package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/app/apptest"
	"github.com/motcua/motcua/internal/demo"
	"github.com/motcua/motcua/internal/dx"
	"github.com/motcua/motcua/internal/store"
)

// dxEnv is the demo commune with its teams and digital-transformation
// figures.
func dxEnv(t testing.TB, eng store.Engine) *apptest.Env {
	t.Helper()
	env := apptest.Start(t, eng, apptest.Options{Demo: true, Now: fixedNow})
	ctx := context.Background()
	if _, _, err := demo.SeedAssist(ctx, env.App.DB, fixedNow()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.SeedDX(ctx, env.App.DB, fixedNow()); err != nil {
		t.Fatal(err)
	}
	return env
}

func (c *staffClient) upload(t testing.TB, path, name string, data []byte) (int, string, *url.URL) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", c.csrf)
	f, _ := w.CreateFormFile("file", name)
	f.Write(data)
	w.Close()
	resp, err := c.Post(c.env.URL+path, w.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Request.URL
}

func dxHistoryLen(t *testing.T, env *apptest.Env, key string) int {
	t.Helper()
	h, err := dx.New(env.App.DB, nil).History(context.Background(), "H56.16072", key)
	if err != nil {
		t.Fatal(err)
	}
	return len(h)
}

// The dashboard's pages: who reads, who enters, CSRF, bad input shown in
// Vietnamese with nothing written, an import, the exports.
func TestDXPages(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			env := dxEnv(t, eng)
			leader := signIn(t, env, "chutich.binh")
			st, body := leader.get(t, "/staff/dx")
			for _, want := range []string{"Chỉ tiêu chuyển đổi số", "87,49%", "27.926 / 31.920 người trưởng thành", "Đạt mục tiêu", "Tổ công nghệ số cộng đồng", "Bảng số liệu", "Chưa có số liệu", `role="img"`} {
				if st != 200 || !strings.Contains(body, want) {
					t.Fatalf("dashboard %d: no %q", st, want)
				}
			}
			if _, body := leader.get(t, "/staff/dx?lang=en"); !strings.Contains(body, "87.49%") || !strings.Contains(body, "27,926 / 31,920 adults") {
				t.Fatal("English dashboard")
			}
			leader.get(t, "/staff/dx?lang=vi")
			if st, body := leader.get(t, "/staff/dx?from=2026-13-01"); st != 200 || !strings.Contains(body, "Ngày không đúng") {
				t.Fatalf("bad period: %d", st)
			}

			// A specialist neither reads nor enters.
			spec := signIn(t, env, "tuphap.huong")
			if st, _ := spec.get(t, "/staff/dx"); st != http.StatusForbidden {
				t.Fatalf("specialist reads: %d", st)
			}
			if st, _, _ := spec.post(t, "/staff/dx/smartphone", url.Values{"as_of": {"2026-06-30"}, "value": {"85"}, "source": {"x"}}); st != http.StatusForbidden {
				t.Fatalf("specialist enters: %d", st)
			}
			// A province supervisor reads, does not enter.
			sup := signIn(t, env, "giamsat.tinh")
			if st, body := sup.get(t, "/staff/dx"); st != 200 || !strings.Contains(body, "87,49%") {
				t.Fatalf("supervisor reads: %d", st)
			}
			if st, _, _ := sup.post(t, "/staff/dx/smartphone", url.Values{"as_of": {"2026-06-30"}, "value": {"85"}, "source": {"x"}}); st != http.StatusForbidden {
				t.Fatalf("supervisor enters: %d", st)
			}
			before := dxHistoryLen(t, env, "smartphone")
			// CSRF.
			if st, _, _ := leader.post(t, "/staff/dx/smartphone", url.Values{"csrf": {"wrong"}, "as_of": {"2026-06-30"}, "value": {"85"}, "source": {"x"}}); st != http.StatusForbidden {
				t.Fatalf("no CSRF: %d", st)
			}
			// Bad input: a Vietnamese message, the form kept, nothing written.
			for _, c := range []struct {
				form url.Values
				want string
			}{
				{url.Values{"as_of": {"2026-06-30"}, "numerator": {"9"}, "denominator": {"5"}, "source": {"Khảo sát"}}, "Tử số không được lớn hơn mẫu số"},
				{url.Values{"as_of": {"2026-06-30"}, "value": {"85"}, "source": {"a\x01b"}}, "ký tự không hợp lệ"},
				{url.Values{"as_of": {"2027-01-01"}, "value": {"85"}, "source": {"Khảo sát"}}, "không được sau hôm nay"},
				{url.Values{"as_of": {"2026-06-30"}, "value": {"abc"}, "source": {"Khảo sát"}}, "Tỷ lệ phải là một số từ 0 đến 100"},
			} {
				st, body, _ := leader.post(t, "/staff/dx/smartphone", c.form)
				if st != http.StatusBadRequest || !strings.Contains(body, c.want) {
					t.Errorf("%v: %d, want %q", c.form, st, c.want)
				}
			}
			if n := dxHistoryLen(t, env, "smartphone"); n != before {
				t.Fatalf("a refused entry was written: %d → %d", before, n)
			}
			st, body, u := leader.post(t, "/staff/dx/smartphone", url.Values{"as_of": {"2026-06-30"}, "numerator": {"26.100"}, "denominator": {"31.920"}, "source": {"Khảo sát giữa năm 2026"}})
			if st != 200 || u.Path != "/staff/dx/smartphone" || !strings.Contains(body, "Đã lưu số liệu 81,77% ngày 30/06/2026") || !strings.Contains(body, "Khảo sát giữa năm 2026") {
				t.Fatalf("entry: %d %s", st, u)
			}
			if !adminAudited(t, env, "dx_indicator", "H56.16072/smartphone", "dx.entry") {
				t.Fatal("entry not audited")
			}
			if st, _, _ := leader.post(t, "/staff/dx/targets/smartphone", url.Values{"target": {"90"}, "target_source": {"Kế hoạch chuyển đổi số 2026"}}); st != 200 {
				t.Fatalf("target: %d", st)
			}
			if st, body := leader.get(t, "/staff/dx/smartphone"); st != 200 || !strings.Contains(body, "Chưa đạt mục tiêu 90%") || !strings.Contains(body, "mục tiêu của xã") {
				t.Fatalf("target shown: %d", st)
			}
			if st, _ := leader.get(t, "/staff/dx/khong-co"); st != http.StatusNotFound {
				t.Fatalf("unknown indicator: %d", st)
			}
			if st, body := leader.get(t, "/staff/dx/on_time"); st != 200 || !strings.Contains(body, "Từng tháng") || strings.Contains(body, `action="/staff/dx/on_time"`) {
				t.Fatalf("computed indicator page: %d", st)
			}

			// Import: the template, a bad file, a file with a bad row, a good one.
			resp, err := leader.Get(env.URL + "/staff/dx/import/template.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			tpl, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if st, body, _ := leader.upload(t, "/staff/dx/import", "x.xlsx", []byte("hello")); st != http.StatusBadRequest || !strings.Contains(body, "Không đọc được tệp này") {
				t.Fatalf("bad file: %d", st)
			}
			fill := func(rows [][]string) []byte {
				x, err := excelize.OpenReader(bytes.NewReader(tpl))
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range rows {
					for j, v := range row {
						cell, _ := excelize.CoordinatesToCellName(j+3, i+2)
						x.SetCellStr(dx.ImportSheet, cell, v)
					}
				}
				b, _ := x.WriteToBuffer()
				return b.Bytes()
			}
			// Row 2 of the template is eid_level2, row 3 digital_platform.
			st, body, u = leader.upload(t, "/staff/dx/import", "so-lieu.xlsx", fill([][]string{{"30/06/2026", "", "28100", "31950", "Công an xã"}, {"30/06/2026", "150", "", "", "Khảo sát"}}))
			if st != 200 || !strings.HasPrefix(u.Path, "/staff/dx/import/") || !strings.Contains(body, "Tỷ lệ phải là một số từ 0 đến 100") || strings.Contains(body, "Xác nhận nhập") {
				t.Fatalf("preview with an error: %d %s", st, u)
			}
			if st, body, _ := leader.post(t, u.Path, url.Values{}); st != http.StatusConflict || !strings.Contains(body, "chưa nhập dòng nào") {
				t.Fatalf("confirm with errors: %d", st)
			}
			eid := dxHistoryLen(t, env, "eid_level2")
			if eid != 4 {
				t.Fatalf("eid entries: %d", eid)
			}
			st, body, u = leader.upload(t, "/staff/dx/import", "so-lieu.xlsx", fill([][]string{{"30/06/2026", "", "28100", "31950", "Công an xã"}, {"30/06/2026", "72,5", "", "", "Khảo sát"}}))
			if st != 200 || !strings.Contains(body, "Xác nhận nhập (2)") {
				t.Fatalf("good preview: %d", st)
			}
			if st, body, _ := leader.post(t, u.Path, url.Values{"csrf": {"x"}}); st != http.StatusForbidden || strings.Contains(body, "Đã nhập") {
				t.Fatalf("confirm without CSRF: %d", st)
			}
			if st, body, u2 := leader.post(t, u.Path, url.Values{}); st != 200 || u2.Path != "/staff/dx" || !strings.Contains(body, "Đã nhập 2 số liệu") || !strings.Contains(body, "87,95%") {
				t.Fatalf("confirm: %d %s", st, u2)
			}
			if n := dxHistoryLen(t, env, "eid_level2"); n != eid+1 {
				t.Fatalf("imported entries: %d", n)
			}

			// Exports.
			for path, ctype := range map[string]string{"/staff/dx/export.xlsx": "spreadsheetml", "/staff/dx/export.pdf": "application/pdf"} {
				resp, err := sup.Get(env.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), ctype) || len(b) < 1000 {
					t.Fatalf("%s: %d %s %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(b))
				}
			}
		})
	}
}
