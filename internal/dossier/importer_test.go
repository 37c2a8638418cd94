package dossier_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/dossier"
)

const goodJSONL = `{"MaHoSo":"H56.16072-250301-0001","MaTTHC":"1.001193","NgayTiepNhan":"20250301083000","NgayHenTra":"20250301170000","NgayKetThucXuLy":"20250301110000","TrangThaiHoSo":"10","KenhThucHien":"2","ChuHoSo":"Lê Văn Tám","SoGiayToChuHoSo":"038088001234","DuongDanTepTinKetQua":"https://example.vn/kq.pdf","MaKetQua":"12/2025","TaiKhoanDuocXacThucVoiVNeID":1}
{"MaHoSo":"H56.99001-250302-0007","MaTTHC":"2.000815","NgayTiepNhan":"2025-03-02T09:00:00+07:00","NgayHenTra":"2025-03-02T17:00:00+07:00","TrangThaiHoSo":4,"ChuHoSo":"Trần Thị Bưởi","PhiLePhi":"4000"}

{"MaHoSo":"H56.16072-250303-0002","MaTTHC":"9.999999","TenTTHC":"Thủ tục cũ đã bãi bỏ","NgayTiepNhan":"20250303090000","NgayKetThucXuLy":"20250305090000","TrangThaiHoSo":"8","ChuHoSo":"Phạm Văn C","SoLanBoSung":"2"}
`

func TestImportJSONLines(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		recs, err := dossier.ReadImport(strings.NewReader(goodJSONL))
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.eng.Import(ctx, audit.System, recs, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 3 || len(res.NewAgencies) != 1 || res.NewAgencies[0] != "H56.99001" {
			t.Errorf("result %+v", res)
		}
		d, hist, err := e.eng.Get(ctx, binh, "H56.16072-250301-0001")
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != 10 || d.State != "returned" || d.Channel != "online" || !d.VNeID || !d.Imported || d.Result.FileURL == "" || len(hist) != 1 {
			t.Errorf("imported dossier %+v", d)
		}
		if got := d.ReceivedAt.Format("2006-01-02T15:04"); got != "2025-03-01T01:30" {
			t.Errorf("yyyyMMddHHmmss is Vietnam time: received %s UTC", got)
		}
		old, _, err := e.eng.Get(ctx, binh, "H56.16072-250303-0002")
		if err != nil || old.Status != 8 || !old.CountsLate || old.ProcedureName != "Thủ tục cũ đã bãi bỏ" {
			t.Errorf("unknown procedure: %+v %v", old, err)
		}
		// Again: refused, unless skipping existing codes.
		if _, err := e.eng.Import(ctx, audit.System, recs, false); err == nil || !strings.Contains(err.Error(), "already in motcua") {
			t.Errorf("re-import: %v", err)
		}
		if res, err := e.eng.Import(ctx, audit.System, recs, true); err != nil || res.Skipped != 3 || res.Imported != 0 {
			t.Errorf("skip existing: %+v %v", res, err)
		}
	})
}

func TestImportCSVAndProblems(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		csv := "\ufeffMaHoSo,MaTTHC,NgayTiepNhan,NgayHenTra,TrangThaiHoSo,KenhThucHien,ChuHoSo\n" +
			"H56.16072-250401-0001,2.000815,20250401080000,20250401170000,2,1,Nguyễn Văn A\n" +
			"H56.16072-250401-0002,2.000815,20250401090000,,4,1,\"Trần Thị B, con\"\n"
		recs, err := dossier.ReadImport(strings.NewReader(csv))
		if err != nil {
			t.Fatal(err)
		}
		if res, err := e.eng.Import(ctx, audit.System, recs, false); err != nil || res.Imported != 2 {
			t.Fatalf("csv: %+v %v", res, err)
		}
		bad := "MaHoSo,MaTTHC,NgayTiepNhan,TrangThaiHoSo,KenhThucHien,ChuHoSo\n" +
			"H56.16072-250402-0001,2.000815,20250402080000,2,1,Ok\n" +
			"not-a-code,2.000815,20250402080000,2,1,X\n" +
			"H56.16072-250402-0003,,02/04/2025,11,5,\n"
		recs, err = dossier.ReadImport(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.eng.Import(ctx, audit.System, recs, false)
		var ie *dossier.ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("want an ImportError, got %v", err)
		}
		msg := err.Error()
		for _, want := range []string{"line 3: MaHoSo", "line 4: MaTTHC", "line 4: NgayTiepNhan", "line 4: TrangThaiHoSo", "line 4: KenhThucHien", "line 4: ChuHoSo"} {
			if !strings.Contains(msg, want) {
				t.Errorf("report lacks %q:\n%s", want, msg)
			}
		}
		var n int
		e.App.DB.Read().QueryRow("SELECT COUNT(*) FROM dossiers WHERE code LIKE 'H56.16072-250402-%'").Scan(&n)
		if n != 0 {
			t.Errorf("a bad file imported %d dossiers", n)
		}
		if _, err := dossier.ReadImport(strings.NewReader("MaHoSo,Nope\nx,y\n")); err == nil || !strings.Contains(err.Error(), "Nope") {
			t.Errorf("unknown column: %v", err)
		}
		if _, err := dossier.ReadImport(strings.NewReader(`{"MaHoSo":"x","Colour":"red"}` + "\n{broken\n")); err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "Colour") {
			t.Errorf("bad json lines: %v", err)
		}
	})
}
