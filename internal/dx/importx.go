package dx

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// The import template: one sheet, a heading row, one row per figure.
const (
	ImportSheet   = "Số liệu"
	importMaxRows = 1000
	// MaxImportBytes bounds the spreadsheet an officer may upload.
	MaxImportBytes = 4 << 20
)

// importColumns are the template's columns, in order.
var importColumns = []string{"Mã chỉ tiêu", "Tên chỉ tiêu (để đọc, không bắt buộc)", "Ngày số liệu (dd/mm/yyyy)", "Tỷ lệ (%) hoặc số", "Tử số", "Mẫu số", "Nguồn số liệu", "Ghi chú"}

// Template is the spreadsheet the import page offers: the columns, one
// row per indicator to fill in, and a second sheet with the definitions.
func Template() ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", ImportSheet); err != nil {
		return nil, fmt.Errorf("dx: template: %w", err)
	}
	bold, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	text, _ := x.NewStyle(&excelize.Style{NumFmt: 49}) // "@": dates and codes stay text as typed
	for i, h := range importColumns {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue(ImportSheet, cell, h)
	}
	x.SetRowStyle(ImportSheet, 1, 1, bold)
	x.SetColStyle(ImportSheet, "A:C", text)
	x.SetColWidth(ImportSheet, "A", "A", 22)
	x.SetColWidth(ImportSheet, "B", "B", 50)
	x.SetColWidth(ImportSheet, "C", "F", 16)
	x.SetColWidth(ImportSheet, "G", "H", 40)
	x.SetPanes(ImportSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	row := 2
	for _, in := range Indicators {
		if in.Kind != Entered {
			continue
		}
		x.SetCellStr(ImportSheet, fmt.Sprintf("A%d", row), in.Key)
		x.SetCellStr(ImportSheet, fmt.Sprintf("B%d", row), in.Name)
		row++
	}
	const defs = "Định nghĩa"
	x.NewSheet(defs)
	for i, h := range []string{"Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị", "Định nghĩa", "Tử số", "Mẫu số"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue(defs, cell, h)
	}
	x.SetRowStyle(defs, 1, 1, bold)
	x.SetColWidth(defs, "A", "A", 22)
	x.SetColWidth(defs, "B", "B", 45)
	x.SetColWidth(defs, "D", "D", 90)
	x.SetColWidth(defs, "E", "F", 28)
	row = 2
	for _, in := range Indicators {
		if in.Kind != Entered {
			continue
		}
		unit := "tỷ lệ %"
		if in.Unit == Count {
			unit = "số"
		}
		for i, v := range []string{in.Key, in.Name, unit, in.Definition, in.NumLabel, in.DenLabel} {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			x.SetCellStr(defs, cell, v)
		}
		row++
	}
	buf, err := x.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("dx: template: %w", err)
	}
	return buf.Bytes(), nil
}

// ImportRow is one row of a spreadsheet as read, with what is wrong with it.
type ImportRow struct {
	Line  int    `json:"line"` // the spreadsheet's row number
	Input Input  `json:"input"`
	Entry *Entry `json:"entry,omitempty"` // the figure it makes, when valid
	Error string `json:"error,omitempty"` // Vietnamese, as shown
	Code  string `json:"code,omitempty"`
	Field string `json:"field,omitempty"`
}

// Import is a spreadsheet read and waiting to be confirmed.
type Import struct {
	ID        string      `json:"id"`
	Agency    string      `json:"agency"`
	FileName  string      `json:"file_name"`
	Rows      []ImportRow `json:"rows"`
	Errors    int         `json:"errors"`
	State     string      `json:"state"` // pending, confirmed
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
}

// Valid counts the rows that make a figure.
func (im *Import) Valid() int { return len(im.Rows) - im.Errors }

var errUnreadable = apperr.Field("file", "unreadable_spreadsheet", "Không đọc được tệp này. Vui lòng dùng tệp Excel (.xlsx) theo mẫu tải về từ trang này.")

// cellText is a cell's text as the officer sees it; dates Excel stored as
// numbers are given back as dd/mm/yyyy.
func cellText(x *excelize.File, sheet, cell string) string {
	v, _ := x.GetCellValue(sheet, cell)
	v = strings.TrimSpace(v)
	if t, _ := x.GetCellType(sheet, cell); t == excelize.CellTypeDate || t == excelize.CellTypeNumber {
		raw, _ := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if f, err := strconv.ParseFloat(raw, 64); err == nil && strings.HasPrefix(cell, "C") && f > 30000 && f < 80000 {
			if d, err := excelize.ExcelDateToTime(f, false); err == nil {
				return d.Format("02/01/2006")
			}
		}
		if raw != "" && !strings.HasPrefix(cell, "C") {
			return raw // full precision, not the cell's display format
		}
	}
	return v
}

// ReadImport reads a spreadsheet, checks every row and keeps the result
// for confirmation. Nothing is written to the figures yet.
func (s *Service) ReadImport(ctx context.Context, p *identity.Principal, agency, fileName string, data []byte) (*Import, error) {
	if err := canEnter(p); err != nil {
		return nil, err
	}
	if !p.CanActFor(agency) {
		return nil, errForbidden
	}
	if len(data) == 0 {
		return nil, apperr.Field("file", "file_required", "Vui lòng chọn tệp Excel (.xlsx) để nhập.")
	}
	if len(data) > MaxImportBytes {
		return nil, apperr.New(apperr.TooLarge, "upload_too_large", fmt.Sprintf("Tệp quá lớn (tối đa %d MB).", MaxImportBytes>>20))
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, errUnreadable
	}
	defer x.Close()
	sheet := ImportSheet
	if idx, _ := x.GetSheetIndex(sheet); idx < 0 {
		sheet = x.GetSheetName(0)
	}
	rows, err := x.GetRows(sheet)
	if err != nil || len(rows) == 0 {
		return nil, errUnreadable
	}
	if h := strings.TrimSpace(rows[0][0]); !strings.EqualFold(h, importColumns[0]) {
		return nil, apperr.Field("file", "not_the_template", "Dòng đầu của trang tính phải là tiêu đề cột của mẫu (“Mã chỉ tiêu”, “Tên chỉ tiêu”…). Vui lòng dùng mẫu tải về từ trang này.")
	}
	if len(rows)-1 > importMaxRows {
		return nil, apperr.Field("file", "too_many_rows", fmt.Sprintf("Tệp có quá nhiều dòng (tối đa %d dòng số liệu).", importMaxRows))
	}
	name, err := cleanText("file", fileName, 200, false, "tên tệp")
	if err != nil {
		name = "tep.xlsx"
	}
	im := &Import{ID: newID(), Agency: agency, FileName: name, State: "pending", CreatedBy: p.ID, CreatedAt: s.now().Truncate(time.Millisecond)}
	for i := 1; i < len(rows); i++ {
		line := i + 1
		get := func(col int) string {
			cell, _ := excelize.CoordinatesToCellName(col+1, line)
			return cellText(x, sheet, cell)
		}
		in := Input{Indicator: get(0), AsOf: get(2), Value: get(3), Numerator: get(4), Denominator: get(5), Source: get(6), Note: get(7)}
		// A template row left blank is not an error: nothing to import.
		if in.AsOf == "" && in.Value == "" && in.Numerator == "" && in.Denominator == "" && in.Source == "" && in.Note == "" {
			continue
		}
		r := ImportRow{Line: line, Input: in}
		if e, err := s.check(in); err != nil {
			ae := apperr.As(err)
			if ae.Kind == apperr.Internal {
				return nil, err
			}
			r.Error, r.Code, r.Field = ae.Message, ae.Code, ae.Field
			im.Errors++
		} else {
			e.Agency, e.ImportID, e.EnteredBy, e.EnteredName = agency, im.ID, p.ID, p.Name
			r.Entry = e
		}
		im.Rows = append(im.Rows, r)
	}
	if len(im.Rows) == 0 {
		return nil, apperr.Field("file", "spreadsheet_empty", "Tệp không có dòng số liệu nào (các dòng của mẫu còn để trống).")
	}
	js, err := json.Marshal(im.Rows)
	if err != nil {
		return nil, wrap(err, "read import")
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO dx_imports (id, agency_code, file_name, rows, errors, state, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7)`, im.ID, agency, im.FileName, string(js), im.Errors, p.ID, store.Millis(im.CreatedAt))
		return err
	})
	if err != nil {
		return nil, wrap(err, "read import")
	}
	return im, nil
}

var errImportNotFound = apperr.New(apperr.NotFound, "import_not_found", "Không tìm thấy lần nhập số liệu này.")

// GetImport returns an import of the agency.
func (s *Service) GetImport(ctx context.Context, agency, id string) (*Import, error) {
	return s.getImport(ctx, s.db.Read(), agency, id)
}

type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Service) getImport(ctx context.Context, q querier, agency, id string) (*Import, error) {
	im := &Import{ID: id, Agency: agency}
	var js string
	var created int64
	err := q.QueryRowContext(ctx, "SELECT file_name, rows, errors, state, created_by, created_at FROM dx_imports WHERE id = $1 AND agency_code = $2", id, agency).
		Scan(&im.FileName, &js, &im.Errors, &im.State, &im.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errImportNotFound
	}
	if err != nil {
		return nil, wrap(err, "import")
	}
	im.CreatedAt = store.FromMillis(created)
	if err := json.Unmarshal([]byte(js), &im.Rows); err != nil {
		return nil, wrap(err, "import rows")
	}
	return im, nil
}

// ConfirmImport writes an import's figures, all in one transaction, only
// if no row has an error; an import is confirmed once.
func (s *Service) ConfirmImport(ctx context.Context, p *identity.Principal, agency, id string) (*Import, error) {
	if err := canEnter(p); err != nil {
		return nil, err
	}
	if !p.CanActFor(agency) {
		return nil, errForbidden
	}
	now := s.now()
	var im *Import
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if im, err = s.getImport(ctx, tx, agency, id); err != nil {
			return err
		}
		if im.State != "pending" {
			return apperr.New(apperr.Conflict, "import_done", "Lần nhập này đã được xác nhận rồi; số liệu đã có trong bảng theo dõi.")
		}
		if im.CreatedBy != p.ID {
			return apperr.New(apperr.Forbidden, "import_not_yours", "Chỉ người đã tải tệp lên được xác nhận lần nhập này.")
		}
		if im.Errors > 0 {
			return apperr.New(apperr.Conflict, "import_has_errors", fmt.Sprintf("Tệp còn %d dòng có lỗi: chưa nhập dòng nào. Vui lòng sửa trong tệp Excel rồi tải lên lại.", im.Errors))
		}
		for _, r := range im.Rows {
			e := *r.Entry
			e.ID, e.CreatedAt = newID(), now.Truncate(time.Millisecond)
			if err := insertEntry(ctx, tx, &e); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, "UPDATE dx_imports SET state = 'confirmed', confirmed_at = $1 WHERE id = $2 AND state = 'pending'", store.Millis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "import_done", "Lần nhập này đã được xác nhận rồi; số liệu đã có trong bảng theo dõi.")
		}
		im.State = "confirmed"
		return audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "dx.import", ObjectType: "dx_import", ObjectID: id,
			Detail: map[string]any{"file": im.FileName, "rows": len(im.Rows), "agency": agency}})
	})
	if err != nil {
		return nil, wrap(err, "confirm import")
	}
	return im, nil
}
