package dossier

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Upload is a file given for a component: a scan at the counter, an upload
// online.
type Upload struct {
	Name string
	Data []byte
}

// File is a stored file's description.
type File struct {
	ID          string    `json:"id"`
	Component   string    `json:"component"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// maxFileMB is the limit of a component that does not set its own.
const maxFileMB = 10

// kinds of file a component may accept, by the name the catalogue uses.
var fileKinds = map[string]string{"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "xml": "text/xml; charset=utf-8"}

// sniff returns a file's real type from its content — the name and the
// type the browser claims are never trusted.
func sniff(b []byte) string {
	ct := http.DetectContentType(b)
	switch {
	case strings.HasPrefix(ct, "application/pdf"):
		return "application/pdf"
	case strings.HasPrefix(ct, "image/jpeg"):
		return "image/jpeg"
	case strings.HasPrefix(ct, "image/png"):
		return "image/png"
	case strings.HasPrefix(ct, "text/xml"):
		return "text/xml; charset=utf-8"
	}
	return ct
}

// checkUploads validates the files of each component against what the
// catalogue accepts, by content and size.
func checkUploads(v *catalog.Version, uploads map[string][]Upload) (map[string][]stored, error) {
	out := map[string][]stored{}
	byID := map[string]catalog.Component{}
	for _, c := range v.Components {
		byID[c.ID] = c
	}
	for id, files := range uploads {
		c, ok := byID[id]
		if !ok {
			return nil, apperr.Field("files."+id, "unknown_component", fmt.Sprintf("Thủ tục này không có thành phần hồ sơ “%s”.", id))
		}
		if len(files) > 20 {
			return nil, apperr.Field("files."+id, "too_many_files", "Mỗi thành phần tối đa 20 tệp.")
		}
		accept := c.Accept
		if len(accept) == 0 {
			accept = []string{"pdf", "jpg", "png"}
		}
		limit := c.MaxSizeMB
		if limit == 0 {
			limit = maxFileMB
		}
		for _, f := range files {
			if len(f.Data) == 0 {
				continue
			}
			if len(f.Data) > limit<<20 {
				return nil, &apperr.Error{Kind: apperr.TooLarge, Code: "file_too_large", Field: "files." + id,
					Message: fmt.Sprintf("Tệp “%s” lớn hơn %d MB.", f.Name, limit)}
			}
			ct := sniff(f.Data)
			ok := false
			for _, a := range accept {
				if fileKinds[a] == ct {
					ok = true
				}
			}
			if !ok {
				return nil, apperr.Field("files."+id, "file_type_not_accepted",
					fmt.Sprintf("Tệp “%s” không phải %s (nội dung tệp là %s).", f.Name, strings.ToUpper(strings.Join(accept, ", ")), ct))
			}
			sum := sha256.Sum256(f.Data)
			out[id] = append(out[id], stored{name: cleanName(f.Name), ct: ct, data: f.Data, sum: hex.EncodeToString(sum[:])})
		}
	}
	return out, nil
}

// CheckUploads checks files for one component of a procedure version as
// Submit will (accepted types by content, size, count), for the portal,
// which keeps a citizen's uploads in a draft before submitting them. It
// returns each file's sniffed type, size and SHA-256.
func CheckUploads(v *catalog.Version, component string, files []Upload) ([]File, error) {
	st, err := checkUploads(v, map[string][]Upload{component: files})
	if err != nil {
		return nil, err
	}
	out := make([]File, 0, len(st[component]))
	for _, f := range st[component] {
		out = append(out, File{Component: component, Name: f.name, ContentType: f.ct, Size: int64(len(f.data)), SHA256: f.sum})
	}
	return out, nil
}

type stored struct {
	name, ct, sum string
	data          []byte
}

func cleanName(n string) string {
	n = vntext.NFC(strings.TrimSpace(n))
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	if !vntext.Valid(n) || n == "" {
		n = "tep"
	}
	if r := []rune(n); len(r) > 120 {
		n = string(r[:120]) // whole letters, so the name stays valid text
	}
	return n
}

func fileStmts(dossierID, component, by string, files []stored, now time.Time) []store.Stmt {
	var out []store.Stmt
	for _, f := range files {
		out = append(out, store.Stmt{SQL: `INSERT INTO dossier_files (id, dossier_id, component_id, name, content_type, size, sha256, data, uploaded_at, uploaded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			Args: []any{newID("f"), dossierID, component, f.name, f.ct, int64(len(f.data)), f.sum, f.data, now.UnixMilli(), by}})
	}
	return out
}

// Files lists a dossier's files (without their content).
func (e *Engine) Files(ctx context.Context, dossierID string) ([]File, error) {
	rows, err := e.db.Read().QueryContext(ctx, `SELECT id, component_id, name, content_type, size, sha256, uploaded_at FROM dossier_files
		WHERE dossier_id = $1 ORDER BY component_id, uploaded_at`, dossierID)
	if err != nil {
		return nil, apperr.Wrap(err, "files")
	}
	defer rows.Close()
	out := []File{}
	for rows.Next() {
		var f File
		var at int64
		if err := rows.Scan(&f.ID, &f.Component, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &at); err != nil {
			return nil, apperr.Wrap(err, "files")
		}
		f.UploadedAt = time.UnixMilli(at).UTC()
		out = append(out, f)
	}
	return out, rows.Err()
}

// OpenFile returns a file of a dossier the principal may read; opening a
// citizen's document is audited.
func (e *Engine) OpenFile(ctx context.Context, p *identity.Principal, code, fileID string) (*File, []byte, error) {
	d, _, err := e.Get(ctx, p, code)
	if err != nil {
		return nil, nil, err
	}
	var f File
	var at int64
	var data []byte
	err = e.db.Read().QueryRowContext(ctx, `SELECT id, component_id, name, content_type, size, sha256, uploaded_at, data FROM dossier_files
		WHERE id = $1 AND dossier_id = $2`, fileID, d.ID).Scan(&f.ID, &f.Component, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &at, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.New(apperr.NotFound, "file_not_found", "Không có tệp này trong hồ sơ.")
	}
	if err != nil {
		return nil, nil, apperr.Wrap(err, "open file")
	}
	f.UploadedAt = time.UnixMilli(at).UTC()
	if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, e.now(), audit.Event{Actor: p.Actor(), Action: "dossier.open_file", ObjectType: "dossier", ObjectID: code,
			Detail: map[string]any{"file": fileID, "component": f.Component}})
	}); err != nil {
		return nil, nil, apperr.Wrap(err, "audit file")
	}
	return &f, data, nil
}

// AddFiles attaches scans to a component of a received dossier (the counter
// scanning what the citizen brought, a supplement arriving).
func (e *Engine) AddFiles(ctx context.Context, p *identity.Principal, code, component string, files []Upload) (int, error) {
	if !p.HasAny(identity.RoleCounter, identity.RoleSpecialist) {
		return 0, ErrForbidden
	}
	now := e.now()
	n := 0
	err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		n = 0
		d, err := loadByCode(ctx, tx, code)
		if errors.Is(err, errNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !canRead(p, d, e.involves(d)) {
			return ErrNotFound
		}
		if d.Terminal() {
			return apperr.New(apperr.Conflict, "dossier_closed", "Hồ sơ đã kết thúc; không thêm tệp được nữa.")
		}
		_, v, err := e.procedureVersion(d.Procedure, d.ProcedureVersion)
		if err != nil {
			return err
		}
		checked, err := checkUploads(v, map[string][]Upload{component: files})
		if err != nil {
			return err
		}
		if len(checked[component]) == 0 {
			return apperr.Field("files", "no_file", "Chưa chọn tệp nào.")
		}
		n = len(checked[component])
		stmts := fileStmts(d.ID, component, p.ID, checked[component], now)
		stmts = append(stmts, store.Stmt{SQL: `UPDATE dossier_components SET files = files + $1, provided = TRUE,
			source = CASE WHEN source = '' THEN 'paper' ELSE source END WHERE dossier_id = $2 AND component_id = $3`, Args: []any{n, d.ID, component}})
		ast, err := audit.Stmt(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "dossier.add_files", ObjectType: "dossier", ObjectID: code,
			Detail: map[string]any{"component": component, "files": n}})
		if err != nil {
			return err
		}
		stmts = append(stmts, ast)
		if err := store.ExecAll(ctx, tx, e.db.Engine(), stmts...); err != nil {
			return err
		}
		if err := e.refreshDigitized(ctx, tx, d.ID); err != nil {
			return err
		}
		if len(e.observers) == 0 {
			return nil
		}
		if d, err = loadByCode(ctx, tx, code); err != nil { // digitised and files changed
			return err
		}
		return e.observed(ctx, tx, d, nil)
	})
	if err != nil {
		return 0, asAppErr(err, "add files")
	}
	return n, nil
}

// refreshDigitized recomputes whether every paper component has a scan.
func (e *Engine) refreshDigitized(ctx context.Context, tx store.Tx, dossierID string) error {
	var missing int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM dossier_components WHERE dossier_id = $1 AND provided
		AND source IN ('paper', 'upload') AND form <> 'show_original' AND files = 0`, dossierID).Scan(&missing); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "UPDATE dossiers SET digitized = $1 WHERE id = $2", missing == 0, dossierID)
	return err
}

// accepted lists a component's accepted kinds, for the file input.
func accepted(c catalog.Component) []string {
	a := c.Accept
	if len(a) == 0 {
		a = []string{"pdf", "jpg", "png"}
	}
	return slices.Clone(a)
}

// Accept is the HTML accept attribute for a component's file input.
func Accept(c catalog.Component) string {
	var out []string
	for _, a := range accepted(c) {
		out = append(out, "."+a, fileKinds[a])
	}
	return strings.Join(out, ",")
}
