package dossier

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/org"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// ImportRecord is one dossier from an older one-stop system, in the fields
// of the national portal's sync format (vietnam-rules.md §2).
type ImportRecord struct {
	Line int `json:"-"`

	MaHoSo                      string `json:"MaHoSo"`
	MaTTHC                      string `json:"MaTTHC"`
	TenTTHC                     string `json:"TenTTHC"`
	NgayNopHoSo                 string `json:"NgayNopHoSo"`
	NgayTiepNhan                string `json:"NgayTiepNhan"`
	NgayHenTra                  string `json:"NgayHenTra"`
	NgayKetThucXuLy             string `json:"NgayKetThucXuLy"`
	NgayTraKetQua               string `json:"NgayTraKetQua"`
	TrangThaiHoSo               string `json:"TrangThaiHoSo"`
	KenhThucHien                string `json:"KenhThucHien"`
	ChuHoSo                     string `json:"ChuHoSo"`
	SoGiayToChuHoSo             string `json:"SoGiayToChuHoSo"`
	SoDienThoai                 string `json:"SoDienThoai"`
	DiaChi                      string `json:"DiaChi"`
	SoLanBoSung                 string `json:"SoLanBoSung"`
	ThoiGianBoSung              string `json:"ThoiGianBoSung"` // working minutes the dossier waited for supplements
	MaKetQua                    string `json:"MaKetQua"`
	DuongDanTepTinKetQua        string `json:"DuongDanTepTinKetQua"`
	DuocThanhToanTrucTuyen      string `json:"DuocThanhToanTrucTuyen"`
	PhiLePhi                    string `json:"PhiLePhi"`
	HoSoCoThanhPhanSoHoa        string `json:"HoSoCoThanhPhanSoHoa"`
	TaiKhoanDuocXacThucVoiVNeID string `json:"TaiKhoanDuocXacThucVoiVNeID"`
	MaCSDL                      string `json:"MaCSDL"`
	DuocLayTuKhoDMQG            string `json:"DuocLayTuKhoDMQG"`
}

// ImportProblem is one bad line and field of an import file.
type ImportProblem struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (p ImportProblem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", p.Line, p.Field, p.Message)
}

// ImportError lists every problem of a file; nothing was imported.
type ImportError struct{ Problems []ImportProblem }

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems; nothing was imported:", len(e.Problems))
	for i, p := range e.Problems {
		if i == 200 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Problems)-200)
			break
		}
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// ReadImport reads JSON lines (one object a line) or CSV (a header row of
// the field names). The format is told by the first non-space byte.
func ReadImport(r io.Reader) ([]ImportRecord, error) {
	br := bufio.NewReader(r)
	first, _ := br.Peek(512)
	first = bytes.TrimLeft(bytes.TrimPrefix(first, []byte("\ufeff")), " \t\r\n")
	if len(first) == 0 {
		return nil, &ImportError{[]ImportProblem{{Line: 1, Message: "the file is empty"}}}
	}
	if first[0] == '{' {
		return readJSONLines(br)
	}
	return readCSV(br)
}

func readJSONLines(r *bufio.Reader) ([]ImportRecord, error) {
	var out []ImportRecord
	var problems []ImportProblem
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(bytes.TrimPrefix(sc.Bytes(), []byte("\ufeff")))
		if len(text) == 0 {
			continue
		}
		var raw map[string]any
		if err := json.Unmarshal(text, &raw); err != nil {
			problems = append(problems, ImportProblem{Line: line, Message: "not a JSON object: " + err.Error()})
			continue
		}
		rec := ImportRecord{Line: line}
		fields := importFields(&rec)
		for k, v := range raw {
			dst, ok := fields[k]
			if !ok {
				problems = append(problems, ImportProblem{Line: line, Field: k, Message: "unknown field"})
				continue
			}
			switch x := v.(type) {
			case string:
				*dst = x
			case float64:
				*dst = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				*dst = map[bool]string{true: "1", false: "0"}[x]
			case nil:
			default:
				b, _ := json.Marshal(x)
				*dst = string(b)
			}
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, ImportProblem{Line: line + 1, Message: err.Error()})
	}
	if len(problems) > 0 {
		return nil, &ImportError{problems}
	}
	return out, nil
}

func readCSV(r io.Reader) ([]ImportRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, &ImportError{[]ImportProblem{{Line: 1, Message: "cannot read the CSV header: " + err.Error()}}}
	}
	var problems []ImportProblem
	probe := ImportRecord{}
	known := importFields(&probe)
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if _, ok := known[h]; !ok {
			problems = append(problems, ImportProblem{Line: 1, Field: h, Message: "unknown column"})
		}
	}
	var out []ImportRecord
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			problems = append(problems, ImportProblem{Line: line, Message: "bad CSV: " + err.Error()})
			continue
		}
		if len(row) != len(header) {
			problems = append(problems, ImportProblem{Line: line, Message: fmt.Sprintf("%d columns, the header has %d", len(row), len(header))})
			continue
		}
		rec := ImportRecord{Line: line}
		fields := importFields(&rec)
		for i, v := range row {
			if dst, ok := fields[header[i]]; ok {
				*dst = v
			}
		}
		out = append(out, rec)
	}
	if len(problems) > 0 {
		return nil, &ImportError{problems}
	}
	return out, nil
}

func importFields(r *ImportRecord) map[string]*string {
	return map[string]*string{
		"MaHoSo": &r.MaHoSo, "MaTTHC": &r.MaTTHC, "TenTTHC": &r.TenTTHC, "NgayNopHoSo": &r.NgayNopHoSo, "NgayTiepNhan": &r.NgayTiepNhan,
		"NgayHenTra": &r.NgayHenTra, "NgayKetThucXuLy": &r.NgayKetThucXuLy, "NgayTraKetQua": &r.NgayTraKetQua, "TrangThaiHoSo": &r.TrangThaiHoSo,
		"KenhThucHien": &r.KenhThucHien, "ChuHoSo": &r.ChuHoSo, "SoGiayToChuHoSo": &r.SoGiayToChuHoSo, "SoDienThoai": &r.SoDienThoai,
		"DiaChi": &r.DiaChi, "SoLanBoSung": &r.SoLanBoSung, "ThoiGianBoSung": &r.ThoiGianBoSung, "MaKetQua": &r.MaKetQua,
		"DuongDanTepTinKetQua": &r.DuongDanTepTinKetQua, "DuocThanhToanTrucTuyen": &r.DuocThanhToanTrucTuyen, "PhiLePhi": &r.PhiLePhi,
		"HoSoCoThanhPhanSoHoa": &r.HoSoCoThanhPhanSoHoa, "TaiKhoanDuocXacThucVoiVNeID": &r.TaiKhoanDuocXacThucVoiVNeID,
		"MaCSDL": &r.MaCSDL, "DuocLayTuKhoDMQG": &r.DuocLayTuKhoDMQG,
	}
}

var reCode = regexp.MustCompile(`^([A-Za-z0-9.]+)-([0-9]{6})-([0-9]{4,7})$`)

// parseNationalTime reads RFC 3339 or the national yyyyMMddHHmmss form
// (Vietnam time).
func parseNationalTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if len(s) == 14 {
		if t, err := time.ParseInLocation("20060102150405", s, calendar.Location); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor yyyyMMddHHmmss", s)
}

// ImportResult counts an import.
type ImportResult struct {
	Imported    int      `json:"imported"`
	Skipped     int      `json:"skipped"`
	NewAgencies []string `json:"new_agencies,omitempty"`
}

// Import writes the records as dossiers in one transaction — all of them or,
// if any line is bad, none — and returns every problem with its line and
// field. Agencies not known yet are created from the code's prefix.
// Existing codes are errors unless skipExisting.
func (e *Engine) Import(ctx context.Context, by audit.Actor, recs []ImportRecord, skipExisting bool) (ImportResult, error) {
	var problems []ImportProblem
	bad := func(line int, field, format string, args ...any) {
		problems = append(problems, ImportProblem{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	type row struct {
		rec  ImportRecord
		d    *Dossier
		hist []*HistoryEntry
	}
	rows := make([]row, 0, len(recs))
	seen := map[string]int{}
	agencies := map[string]bool{}
	now := e.now()
	for _, rec := range recs {
		l := rec.Line
		d := &Dossier{ID: newID("d"), Imported: true, Form: map[string]any{}, LookupKey: newLookupKey()}
		m := reCode.FindStringSubmatch(strings.TrimSpace(rec.MaHoSo))
		if m == nil {
			bad(l, "MaHoSo", "%q is not a dossier code {agency}-{yyMMdd}-{sequence}", rec.MaHoSo)
			continue
		}
		d.Code, d.Agency = m[0], m[1]
		if prev, dup := seen[d.Code]; dup {
			bad(l, "MaHoSo", "%s already appears on line %d", d.Code, prev)
			continue
		}
		seen[d.Code] = l
		d.Procedure = strings.TrimSpace(rec.MaTTHC)
		if d.Procedure == "" {
			bad(l, "MaTTHC", "is required")
		}
		d.ProcedureName = vntext.NFC(strings.TrimSpace(rec.TenTTHC))
		if p, ok := e.cat.Catalog().Get(d.Procedure); ok {
			d.ProcedureName = p.Name
		}
		if d.ProcedureName == "" {
			d.ProcedureName = "Thủ tục " + d.Procedure
		}
		d.Applicant.Name = vntext.NFC(strings.Join(strings.Fields(rec.ChuHoSo), " "))
		if d.Applicant.Name == "" {
			bad(l, "ChuHoSo", "is required")
		}
		d.Applicant.IDNumber = strings.TrimSpace(rec.SoGiayToChuHoSo)
		d.Applicant.Phone = NormalizePhone(rec.SoDienThoai)
		d.Applicant.Address = vntext.NFC(strings.TrimSpace(rec.DiaChi))
		d.Applicant.Kind = "citizen"
		status, err := strconv.Atoi(strings.TrimSpace(rec.TrangThaiHoSo))
		if err != nil || status < 1 || status > 10 {
			bad(l, "TrangThaiHoSo", "%q is not a status code 1–10", rec.TrangThaiHoSo)
		}
		d.Status = status
		switch strings.TrimSpace(rec.KenhThucHien) {
		case "", "1":
			d.Channel = catalog.ChannelInPerson
		case "2":
			d.Channel = catalog.ChannelOnline
		case "3":
			d.Channel = catalog.ChannelPost
		default:
			bad(l, "KenhThucHien", "%q must be 1 (trực tiếp), 2 (trực tuyến) or 3 (bưu chính)", rec.KenhThucHien)
		}
		times := map[string]**time.Time{"NgayTiepNhan": &d.ReceivedAt, "NgayHenTra": &d.DueAt, "NgayKetThucXuLy": &d.FinishedAt, "NgayTraKetQua": &d.ReturnedAt}
		for _, f := range []string{"NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTraKetQua"} {
			raw := importFields(&rec)[f]
			if strings.TrimSpace(*raw) == "" {
				continue
			}
			t, err := parseNationalTime(*raw)
			if err != nil {
				bad(l, f, "%v", err)
				continue
			}
			if t.After(now.Add(24*time.Hour)) && f != "NgayHenTra" {
				bad(l, f, "%s is in the future", t.Format(time.RFC3339))
			}
			t = t.UTC()
			*times[f] = &t
		}
		if s := strings.TrimSpace(rec.NgayNopHoSo); s != "" {
			if t, err := parseNationalTime(s); err != nil {
				bad(l, "NgayNopHoSo", "%v", err)
			} else {
				d.SubmittedAt = t.UTC()
			}
		}
		if d.SubmittedAt.IsZero() && d.ReceivedAt != nil {
			d.SubmittedAt = *d.ReceivedAt
		}
		if d.SubmittedAt.IsZero() {
			bad(l, "NgayNopHoSo", "NgayNopHoSo or NgayTiepNhan is required")
		}
		if status >= 2 && status != 3 && d.ReceivedAt == nil {
			bad(l, "NgayTiepNhan", "is required for a received dossier (status %d)", status)
		}
		if d.ReceivedAt != nil && d.DueAt != nil && d.DueAt.Before(*d.ReceivedAt) {
			bad(l, "NgayHenTra", "is before NgayTiepNhan")
		}
		if d.ReceivedAt != nil && d.FinishedAt != nil && d.FinishedAt.Before(*d.ReceivedAt) {
			bad(l, "NgayKetThucXuLy", "is before NgayTiepNhan")
		}
		if status >= 9 && d.FinishedAt == nil {
			bad(l, "NgayKetThucXuLy", "is required for a processed dossier (status %d)", status)
		}
		if status == 10 && d.ReturnedAt == nil {
			d.ReturnedAt = d.FinishedAt
		}
		if d.DueAt != nil {
			orig := *d.DueAt
			d.OriginalDueAt = &orig
		}
		for field, dst := range map[string]*int{"SoLanBoSung": &d.SupplementCount, "ThoiGianBoSung": &d.PausedMinutes} {
			raw := importFields(&rec)[field]
			if strings.TrimSpace(*raw) == "" {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(*raw))
			if err != nil || n < 0 {
				bad(l, field, "%q is not a whole number", *raw)
				continue
			}
			*dst = n
		}
		d.CountsLate = d.SupplementCount > 1
		flag := func(field, v string) bool {
			switch strings.TrimSpace(v) {
			case "", "0":
				return false
			case "1":
				return true
			}
			bad(l, field, "%q must be 0 or 1", v)
			return false
		}
		d.Digitized = flag("HoSoCoThanhPhanSoHoa", rec.HoSoCoThanhPhanSoHoa)
		d.VNeID = flag("TaiKhoanDuocXacThucVoiVNeID", rec.TaiKhoanDuocXacThucVoiVNeID)
		if flag("DuocLayTuKhoDMQG", rec.DuocLayTuKhoDMQG) {
			d.Reused = 1
		}
		d.PopulationData = strings.TrimSpace(rec.MaCSDL) != "" || d.VNeID
		switch strings.TrimSpace(rec.DuocThanhToanTrucTuyen) {
		case "", "0":
		case "1", "2":
			d.PaidOnline = true
		default:
			bad(l, "DuocThanhToanTrucTuyen", "%q must be 0, 1 or 2", rec.DuocThanhToanTrucTuyen)
		}
		if s := strings.TrimSpace(rec.PhiLePhi); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				bad(l, "PhiLePhi", "%q is not an amount in đồng", s)
			}
			d.Fee = n
		}
		d.Result.Code = strings.TrimSpace(rec.MaKetQua)
		d.Result.FileURL = strings.TrimSpace(rec.DuongDanTepTinKetQua)
		if d.Result.FileURL != "" && d.FinishedAt != nil {
			d.Result.ElectronicAt = d.FinishedAt
		}
		d.State = importedState(e, d)
		if d.Terminal() && d.FinishedAt == nil && d.ReceivedAt != nil {
			bad(l, "NgayKetThucXuLy", "is required for an ended dossier (status %d)", status)
		}
		agencies[d.Agency] = true
		h := &HistoryEntry{Seq: 1, At: d.SubmittedAt, ActorID: "import", ActorName: "Nhập từ hệ thống cũ", ActorRole: "system",
			Action: "import", To: d.State, ToStatus: d.Status, Detail: map[string]any{"line": l}}
		rows = append(rows, row{rec: rec, d: d, hist: []*HistoryEntry{h}})
	}
	if len(problems) > 0 {
		return ImportResult{}, &ImportError{problems}
	}
	var res ImportResult
	err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		res = ImportResult{}
		var problems []ImportProblem
		for a := range agencies {
			var x int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM agencies WHERE code = $1", a).Scan(&x); err == nil {
				continue
			}
			if err := org.SaveAgency(ctx, tx, org.Agency{Code: a, Name: "Cơ quan " + a + " (nhập từ hệ thống cũ)", Kind: "commune"}); err != nil {
				return err
			}
			res.NewAgencies = append(res.NewAgencies, a)
		}
		for _, r := range rows {
			var x int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM dossiers WHERE code = $1", r.d.Code).Scan(&x); err == nil {
				if skipExisting {
					res.Skipped++
					continue
				}
				problems = append(problems, ImportProblem{Line: r.rec.Line, Field: "MaHoSo", Message: r.d.Code + " is already in motcua"})
				continue
			}
			if err := insertDossier(ctx, tx, r.d, now); err != nil {
				return err
			}
			for _, h := range r.hist {
				if err := insertHistory(ctx, tx, r.d.ID, h); err != nil {
					return err
				}
			}
			if err := e.observed(ctx, tx, r.d, r.hist[len(r.hist)-1]); err != nil {
				return err
			}
			if err := audit.Append(ctx, tx, now, audit.Event{Actor: by, Action: "dossier.import", ObjectType: "dossier", ObjectID: r.d.Code,
				Detail: map[string]any{"status": r.d.Status, "line": r.rec.Line}}); err != nil {
				return err
			}
			res.Imported++
		}
		if len(problems) > 0 {
			return &ImportError{problems}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// importedState is the state an imported dossier is in, by its status: the
// procedure's workflow state with that status where the procedure is known.
func importedState(e *Engine, d *Dossier) string {
	switch d.Status {
	case 1:
		return StateNew
	case 3:
		return StateNotAccepted
	case 5:
		return StateSupplementing
	case 6:
		return StateAwaitingPayment
	case 7:
		return StateWithdrawn
	case 8:
		return StateStopped
	}
	if p, ok := e.cat.Catalog().Get(d.Procedure); ok {
		v, ok := p.VersionAt(d.SubmittedAt)
		if !ok && len(p.Versions) > 0 {
			v = &p.Versions[0]
		}
		if v != nil && v.WorkflowDef != nil {
			d.ProcedureVersion = v.Version
			for _, s := range v.WorkflowDef.States {
				if s.Status == d.Status {
					return s.ID
				}
			}
		}
	}
	return map[int]string{2: "received", 4: "processing", 9: "result_ready", 10: "returned"}[d.Status]
}
