package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/store/storetest"
)

// TestReport766 imports dossiers with `motcua import dossiers` and prints
// their index with `motcua report 766`, on both engines: imported dossiers
// count like native ones.
func TestReport766(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			cfg := storetest.Config(t, eng)
			db := []string{"--data-dir", cfg.DataDir}
			if cfg.URL != "" {
				db = []string{"--database-url", cfg.URL}
			}
			dir := t.TempDir()
			// Three birth registrations received in March 2026 in Hoa Lộc: one
			// on time, one late, one online with an e-result and on time.
			file := filepath.Join(dir, "old.jsonl")
			lines := []string{
				`{"MaHoSo":"H56.16072-260302-0001","MaTTHC":"1.001193","ChuHoSo":"Nguyễn Văn A","TrangThaiHoSo":"10","KenhThucHien":"1","NgayTiepNhan":"20260302080000","NgayHenTra":"20260303170000","NgayKetThucXuLy":"20260303090000"}`,
				`{"MaHoSo":"H56.16072-260305-0001","MaTTHC":"1.001193","ChuHoSo":"Trần Thị B","TrangThaiHoSo":"10","KenhThucHien":"1","NgayTiepNhan":"20260305080000","NgayHenTra":"20260306170000","NgayKetThucXuLy":"20260310090000"}`,
				`{"MaHoSo":"H56.16072-260310-0001","MaTTHC":"1.001193","ChuHoSo":"Lê Văn C","TrangThaiHoSo":"10","KenhThucHien":"2","NgayTiepNhan":"20260310080000","NgayHenTra":"20260311170000","NgayKetThucXuLy":"20260311090000","DuongDanTepTinKetQua":"https://kq/3.pdf"}`,
			}
			os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
			if code, out := runCLI(t, append([]string{"import", "dossiers", file}, db...)...); code != 0 {
				t.Fatalf("import: %s", out)
			}
			args := append([]string{"report", "766", "--agency", "H56.16072", "--from", "2026-03-01", "--to", "2026-03-31", "--json"}, db...)
			code, out := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("report: %s", out)
			}
			var r struct {
				Total      float64 `json:"total"`
				Indicators []struct {
					ID          string  `json:"id"`
					Numerator   int64   `json:"numerator"`
					Denominator int64   `json:"denominator"`
					Ratio       float64 `json:"ratio"`
					Score       float64 `json:"score"`
					Max         float64 `json:"max"`
					State       string  `json:"state"`
				} `json:"indicators"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			got := map[string]string{}
			for _, in := range r.Indicators {
				got[in.ID] = strings.TrimSpace(strings.Join([]string{in.State, itoa(in.Numerator), itoa(in.Denominator), ftoa(in.Ratio), ftoa(in.Score), ftoa(in.Max)}, " "))
			}
			for id, w := range map[string]string{
				"2.1": "computed 2 3 66.67 13.33 20", // 2 of 3 on time: 20 × 0.6667
				"3.3": "computed 1 3 33.33 4 6",      // 1 online with an e-result: 6 × 33.33 ÷ 50 = 3.9996 → 4
				"4.1": "computed 1 3 33.33 2 6",      // 6 × 0.3333 = 1.9998 → 2
				"1.4": "no_data 0 0 0 0 6",
				"1.1": "not_applicable 0 0 0 0 6",
			} {
				if got[id] != w {
					t.Errorf("%s = %q; want %q", id, got[id], w)
				}
			}
			if r.Total <= 0 {
				t.Errorf("total %v", r.Total)
			}
			// The table, in Vietnamese.
			code, out = runCLI(t, append([]string{"report", "766", "--agency", "H56.16072", "--from", "2026-03-01", "--to", "2026-03-31", "--formula", "2022"}, db...)...)
			if code != 0 || !strings.Contains(out, "2.1 Hồ sơ xử lý trước hạn, đúng hạn") || !strings.Contains(out, "Nhóm 3 Cung cấp dịch vụ công trực tuyến") {
				t.Errorf("table: %s", out)
			}
			// Bad input: clear messages, no crash.
			for _, bad := range [][]string{
				{"report", "766", "--agency", "H56.16072", "--from", "2026-13-01", "--to", "2026-03-31"},
				{"report", "766", "--agency", "H56.16072", "--from", "2026-03-31", "--to", "2026-03-01"},
				{"report", "766", "--agency", "NOWHERE", "--from", "2026-03-01", "--to", "2026-03-31"},
				{"report", "766", "--agency", "H56.16072", "--from", "2026-03-01", "--to", "2026-03-31", "--formula", "1999"},
				{"report", "999"},
			} {
				if code, out := runCLI(t, append(bad, db...)...); code == 0 {
					t.Errorf("%v accepted: %s", bad, out)
				}
			}
		})
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }
