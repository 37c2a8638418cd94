// Package portal keeps what the citizen portal's online services need
// between pages: a draft submission per citizen and procedure (answers,
// the sources chosen for components, the uploaded files), saved at every
// step so the citizen can stop and come back within 30 days, and the
// citizen's earlier electronic results offered for reuse.
package portal

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// Keep is how long a draft is kept after its last change.
const Keep = 30 * 24 * time.Hour

// MaxFilesPerComponent bounds the files one component's draft holds (the
// engine accepts 20).
const MaxFilesPerComponent = 20

// Who the dossier is for.
const (
	ForSelf   = "self"
	ForBehalf = "behalf"
)

// Component sources beyond the engine's: the e-form itself is the
// component (nothing to upload), or the citizen does not give it.
const (
	SourceEForm = "eform"
	SourceNone  = "none"
)

// Answers is what the citizen has answered so far.
type Answers struct {
	For  string            `json:"for,omitempty"`
	Form map[string]string `json:"form"`
	// Prefilled holds the values filled in from the population database,
	// so the pages can say so while the citizen keeps them.
	Prefilled map[string]string `json:"prefilled,omitempty"`
	// Sources: component id → upload, population_db, document_store,
	// civil_status_db, eform or none.
	Sources map[string]string `json:"sources"`
	// Reuse: component id → the code of the earlier dossier whose
	// electronic result is reused.
	Reuse map[string]string `json:"reuse,omitempty"`
	// Applicant contact facts (the name and ID number come from the e-ID).
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	// PopulationLookup: the population database answered for the citizen.
	PopulationLookup bool `json:"population_lookup,omitempty"`
	// Done lists the steps the citizen has answered.
	Done map[string]bool `json:"done"`
}

// Draft is one submission in progress (or submitted).
type Draft struct {
	ID          string
	CitizenID   string
	Procedure   string
	Version     int
	Answers     Answers
	Key         string // idempotency key of the submission
	DossierCode string
	LookupKey   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ExpiresAt   time.Time
	SubmittedAt *time.Time
	Files       []dossier.File
}

// Submitted reports whether the draft became a dossier.
func (d *Draft) Submitted() bool { return d.SubmittedAt != nil }

// FilesOf lists the draft's files of a component.
func (d *Draft) FilesOf(component string) []dossier.File {
	var out []dossier.File
	for _, f := range d.Files {
		if f.Component == component {
			out = append(out, f)
		}
	}
	return out
}

// ErrNotFound: no such draft of this citizen (or it expired).
var ErrNotFound = apperr.New(apperr.NotFound, "draft_not_found", "Không tìm thấy hồ sơ đang làm dở này (có thể đã quá 30 ngày nên đã bị xóa). Vui lòng bắt đầu lại.")

// ErrSubmitted: a submitted draft cannot change.
var ErrSubmitted = apperr.New(apperr.Conflict, "draft_submitted", "Hồ sơ này đã được nộp, không sửa được nữa.")

// Service keeps drafts. It holds no state beyond the database, so it is
// cheap to make.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New makes the service; now may be nil (the wall clock).
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

func newID(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

const draftCols = "id, citizen_id, procedure_code, version, answers, idem_key, dossier_code, lookup_key, created_at, updated_at, expires_at, submitted_at"

func scanDraft(row interface{ Scan(...any) error }) (*Draft, error) {
	d := &Draft{}
	var answers string
	var created, updated, expires int64
	var submitted sql.NullInt64
	if err := row.Scan(&d.ID, &d.CitizenID, &d.Procedure, &d.Version, &answers, &d.Key, &d.DossierCode, &d.LookupKey,
		&created, &updated, &expires, &submitted); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &d.Answers); err != nil {
		return nil, fmt.Errorf("portal: draft %s: answers: %w", d.ID, err)
	}
	d.Answers.init()
	d.CreatedAt, d.UpdatedAt, d.ExpiresAt = time.UnixMilli(created), time.UnixMilli(updated), time.UnixMilli(expires)
	if submitted.Valid {
		t := time.UnixMilli(submitted.Int64)
		d.SubmittedAt = &t
	}
	return d, nil
}

func (a *Answers) init() {
	if a.Form == nil {
		a.Form = map[string]string{}
	}
	if a.Sources == nil {
		a.Sources = map[string]string{}
	}
	if a.Done == nil {
		a.Done = map[string]bool{}
	}
	if a.Prefilled == nil {
		a.Prefilled = map[string]string{}
	}
	if a.Reuse == nil {
		a.Reuse = map[string]string{}
	}
}

// Open returns the citizen's open (unsubmitted, unexpired) draft of a
// procedure, or nil.
func (s *Service) Open(ctx context.Context, citizenID, procedure string) (*Draft, error) {
	d, err := scanDraft(s.db.Read().QueryRowContext(ctx, "SELECT "+draftCols+
		" FROM portal_drafts WHERE citizen_id = $1 AND procedure_code = $2 AND submitted_at IS NULL AND expires_at > $3",
		citizenID, procedure, store.Millis(s.now())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Wrap(err, "open draft")
	}
	return d, nil
}

// Start returns the citizen's open draft of the procedure, or starts one.
// Expired drafts (everyone's) are deleted on the way, with their files.
func (s *Service) Start(ctx context.Context, citizenID, procedure string, version int) (*Draft, bool, error) {
	now := s.now()
	var d *Draft
	created := false
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := purgeTx(ctx, tx, now); err != nil {
			return err
		}
		var err error
		d, err = scanDraft(tx.QueryRowContext(ctx, "SELECT "+draftCols+
			" FROM portal_drafts WHERE citizen_id = $1 AND procedure_code = $2 AND submitted_at IS NULL", citizenID, procedure))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		d = &Draft{ID: newID("pd", 12), CitizenID: citizenID, Procedure: procedure, Version: version, Key: newID("", 16),
			CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(Keep)}
		d.Answers.init()
		b, _ := json.Marshal(d.Answers)
		created = true
		_, err = tx.ExecContext(ctx, `INSERT INTO portal_drafts (id, citizen_id, procedure_code, version, answers, idem_key, created_at, updated_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`, d.ID, citizenID, procedure, version, string(b), d.Key, store.Millis(now), store.Millis(d.ExpiresAt))
		return err
	})
	if err != nil {
		return nil, false, apperr.Wrap(err, "start draft")
	}
	return d, created, nil
}

// Get returns a draft of the citizen with its files' descriptions; an
// expired unsubmitted draft is not found.
func (s *Service) Get(ctx context.Context, citizenID, id string) (*Draft, error) {
	d, err := scanDraft(s.db.Read().QueryRowContext(ctx, "SELECT "+draftCols+" FROM portal_drafts WHERE id = $1 AND citizen_id = $2", id, citizenID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, apperr.Wrap(err, "read draft")
	}
	if !d.Submitted() && !d.ExpiresAt.After(s.now()) {
		return nil, ErrNotFound
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, component_id, name, content_type, size, sha256, created_at
		FROM portal_draft_files WHERE draft_id = $1 ORDER BY created_at, id`, id)
	if err != nil {
		return nil, apperr.Wrap(err, "read draft files")
	}
	defer rows.Close()
	for rows.Next() {
		var f dossier.File
		var at int64
		if err := rows.Scan(&f.ID, &f.Component, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &at); err != nil {
			return nil, apperr.Wrap(err, "read draft files")
		}
		f.UploadedAt = time.UnixMilli(at)
		d.Files = append(d.Files, f)
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "read draft files")
	}
	return d, nil
}

// Save writes the draft's answers and keeps it another 30 days.
func (s *Service) Save(ctx context.Context, d *Draft) error {
	now := s.now()
	b, err := json.Marshal(d.Answers)
	if err != nil {
		return apperr.Wrap(err, "save draft")
	}
	var n int64
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE portal_drafts SET answers = $1, updated_at = $2, expires_at = $3 WHERE id = $4 AND submitted_at IS NULL",
			string(b), store.Millis(now), store.Millis(now.Add(Keep)), d.ID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return apperr.Wrap(err, "save draft")
	}
	if n == 0 {
		return ErrSubmitted
	}
	d.UpdatedAt, d.ExpiresAt = now, now.Add(Keep)
	return nil
}

// AddFiles keeps checked files (see dossier.CheckUploads) of a component
// in the draft; data[i] is the content of files[i].
func (s *Service) AddFiles(ctx context.Context, d *Draft, files []dossier.File, data [][]byte) error {
	if d.Submitted() {
		return ErrSubmitted
	}
	now := s.now()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		for i, f := range files {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM portal_draft_files WHERE draft_id = $1 AND component_id = $2", d.ID, f.Component).Scan(&n); err != nil {
				return err
			}
			if n >= MaxFilesPerComponent {
				return apperr.Field("files", "too_many_files", fmt.Sprintf("Mỗi thành phần tối đa %d tệp.", MaxFilesPerComponent))
			}
			f.ID = newID("pf", 10)
			if _, err := tx.ExecContext(ctx, `INSERT INTO portal_draft_files (id, draft_id, component_id, name, content_type, size, sha256, data, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, f.ID, d.ID, f.Component, f.Name, f.ContentType, f.Size, f.SHA256, data[i], store.Millis(now)); err != nil {
				return err
			}
			f.UploadedAt = now
			d.Files = append(d.Files, f)
		}
		_, err := tx.ExecContext(ctx, "UPDATE portal_drafts SET updated_at = $1, expires_at = $2 WHERE id = $3",
			store.Millis(now), store.Millis(now.Add(Keep)), d.ID)
		return err
	})
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return ae
		}
		return apperr.Wrap(err, "keep uploads")
	}
	return nil
}

// RemoveFile deletes one file of the draft.
func (s *Service) RemoveFile(ctx context.Context, d *Draft, fileID string) error {
	if d.Submitted() {
		return ErrSubmitted
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM portal_draft_files WHERE id = $1 AND draft_id = $2", fileID, d.ID)
		return err
	})
	if err != nil {
		return apperr.Wrap(err, "remove upload")
	}
	for i, f := range d.Files {
		if f.ID == fileID {
			d.Files = append(d.Files[:i:i], d.Files[i+1:]...)
			break
		}
	}
	return nil
}

// Uploads returns the draft's files by component, for the submission.
func (s *Service) Uploads(ctx context.Context, draftID string) (map[string][]dossier.Upload, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT component_id, name, data FROM portal_draft_files WHERE draft_id = $1 ORDER BY created_at, id", draftID)
	if err != nil {
		return nil, apperr.Wrap(err, "read uploads")
	}
	defer rows.Close()
	out := map[string][]dossier.Upload{}
	for rows.Next() {
		var comp string
		var u dossier.Upload
		if err := rows.Scan(&comp, &u.Name, &u.Data); err != nil {
			return nil, apperr.Wrap(err, "read uploads")
		}
		out[comp] = append(out[comp], u)
	}
	return out, rows.Err()
}

// MarkSubmittedTx records, in the caller's transaction, that the draft
// became the dossier code, and drops its files (the dossier holds copies).
// Marking again with the same dossier is harmless.
func (s *Service) MarkSubmittedTx(ctx context.Context, tx store.Tx, d *Draft, code, lookupKey string) error {
	now := s.now()
	if _, err := tx.ExecContext(ctx, `UPDATE portal_drafts SET dossier_code = $1, lookup_key = $2, submitted_at = $3, updated_at = $3
		WHERE id = $4 AND submitted_at IS NULL`, code, lookupKey, store.Millis(now), d.ID); err != nil {
		return fmt.Errorf("portal: mark submitted: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM portal_draft_files WHERE draft_id = $1", d.ID); err != nil {
		return fmt.Errorf("portal: drop uploads: %w", err)
	}
	if d.SubmittedAt == nil {
		d.SubmittedAt, d.DossierCode, d.LookupKey = &now, code, lookupKey
	}
	return nil
}

// Delete removes an unsubmitted draft of the citizen and its files.
func (s *Service) Delete(ctx context.Context, citizenID, id string) error {
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM portal_drafts WHERE id = $1 AND citizen_id = $2 AND submitted_at IS NULL", id, citizenID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM portal_draft_files WHERE draft_id = $1", id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM portal_drafts WHERE id = $1", id)
		return err
	})
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if err != nil {
		return apperr.Wrap(err, "delete draft")
	}
	return nil
}

// Purge deletes the drafts nobody finished within Keep, with their files.
func (s *Service) Purge(ctx context.Context) error {
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error { return purgeTx(ctx, tx, s.now()) })
}

func purgeTx(ctx context.Context, tx store.Tx, now time.Time) error {
	cut := store.Millis(now)
	if _, err := tx.ExecContext(ctx, `DELETE FROM portal_draft_files WHERE draft_id IN
		(SELECT id FROM portal_drafts WHERE submitted_at IS NULL AND expires_at <= $1)`, cut); err != nil {
		return fmt.Errorf("portal: purge files: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM portal_drafts WHERE submitted_at IS NULL AND expires_at <= $1", cut); err != nil {
		return fmt.Errorf("portal: purge drafts: %w", err)
	}
	return nil
}

// EarlierResult is an electronic result of one of the citizen's earlier
// dossiers, offered instead of an upload.
type EarlierResult struct {
	Code          string
	Procedure     string
	ProcedureName string
	ResultCode    string
	IssuedAt      time.Time
}

// EarlierResults lists the electronic results of the dossiers whose
// applicant has the ID number, newest first. The read is audited: it is a
// look into the citizen's records.
func (s *Service) EarlierResults(ctx context.Context, p *identity.Principal, idNumber string) ([]EarlierResult, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT code, procedure_code, procedure_name, result_doc, finished_at FROM dossiers
		WHERE applicant_id = $1 AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 100`, idNumber)
	if err != nil {
		return nil, apperr.Wrap(err, "earlier results")
	}
	var out []EarlierResult
	for rows.Next() {
		var r EarlierResult
		var doc string
		var finished int64
		if err := rows.Scan(&r.Code, &r.Procedure, &r.ProcedureName, &doc, &finished); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err, "earlier results")
		}
		var res dossier.Result
		json.Unmarshal([]byte(doc), &res)
		if res.ElectronicAt == nil && res.FileURL == "" {
			continue // a paper result only: nothing to reuse online
		}
		r.ResultCode, r.IssuedAt = res.Code, time.UnixMilli(finished)
		if res.ElectronicAt != nil {
			r.IssuedAt = *res.ElectronicAt
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err, "earlier results")
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(), Role: identity.RoleCitizen, Action: "portal.results_read",
			ObjectType: "resident", ObjectID: mask(idNumber), Detail: map[string]any{"results": len(out)}})
	})
	if err != nil {
		return nil, apperr.Wrap(err, "audit results read")
	}
	return out, nil
}

func mask(id string) string {
	if len(id) <= 6 {
		return "******"
	}
	return id[:3] + "******" + id[len(id)-3:]
}
