package feedback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
)

// Citizen is the signed-in citizen acting, from the portal session.
type Citizen struct {
	ID       string // citizens.id
	IDNumber string // personal ID number: dossiers are theirs by it
	Name     string
	Phone    string
	// AssistedBy is the officer or volunteer acting with the citizen's
	// consent, recorded in the audit entry ("" = the citizen alone).
	AssistedBy string
}

func (c Citizen) actor() audit.Actor {
	return audit.Actor{ID: "citizen:" + c.ID, Name: c.Name, Roles: []string{"citizen"}}
}

// Criteria of a rating. Decision 766 group 5 (vietnam-rules.md §5) counts
// only whether a citizen liked or disliked how their dossier was handled
// (indicator 5.4) and lists no components; these four are the parts of a
// visit the centre asks about (our choice, after the satisfaction survey
// the brief names: receiving and guidance, processing time, the result,
// the staff's attitude). A rating whose mean is below 3 counts as the
// "dislike" of indicator 5.4.
const (
	CriterionReception  = "reception"
	CriterionTimeliness = "timeliness"
	CriterionResult     = "result"
	CriterionAttitude   = "attitude"
)

// Criteria lists them in the order they are asked.
var Criteria = []string{CriterionReception, CriterionTimeliness, CriterionResult, CriterionAttitude}

// Scores are a rating's marks, 1 (very dissatisfied) to 5 (very satisfied).
type Scores struct {
	Reception  int `json:"reception"`
	Timeliness int `json:"timeliness"`
	Result     int `json:"result"`
	Attitude   int `json:"attitude"`
}

// Of returns the mark of a criterion.
func (s Scores) Of(criterion string) int {
	switch criterion {
	case CriterionReception:
		return s.Reception
	case CriterionTimeliness:
		return s.Timeliness
	case CriterionResult:
		return s.Result
	case CriterionAttitude:
		return s.Attitude
	}
	return 0
}

// Mean is the average mark.
func (s Scores) Mean() float64 {
	return float64(s.Reception+s.Timeliness+s.Result+s.Attitude) / 4
}

func (s Scores) valid() bool {
	for _, c := range Criteria {
		if v := s.Of(c); v < 1 || v > 5 {
			return false
		}
	}
	return true
}

// Rating is a citizen's rating of one dossier.
type Rating struct {
	DossierCode   string    `json:"dossier_code"`
	Procedure     string    `json:"procedure_name"`
	Agency        string    `json:"agency"`
	Scores        Scores    `json:"scores"`
	Comment       string    `json:"comment"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	EditableUntil time.Time `json:"editable_until"`
}

// Editable reports whether the rating may still be changed at now.
func (r *Rating) Editable(now time.Time) bool { return now.Before(r.EditableUntil) }

// RatableDossier is one of the citizen's dossiers as the rating page
// shows it.
type RatableDossier struct {
	ID         string
	Code       string
	Agency     string
	Procedure  string
	Status     int
	FinishedAt time.Time
	// Finished: the dossier may be rated (status 9 "Đã xử lý xong" or 10
	// "Đã trả kết quả").
	Finished bool
	Rating   *Rating // nil: not rated yet
}

// finished reports whether a national status ends processing with a
// result the citizen can judge.
func finished(status int) bool { return status == 9 || status == 10 }

// Dossier returns the citizen's dossier with its rating, or
// ErrDossierNotFound when there is no such dossier or it is someone
// else's (the same answer, so codes cannot be probed).
func (s *Service) Dossier(ctx context.Context, c Citizen, code string) (*RatableDossier, error) {
	var d *RatableDossier
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		d, err = s.dossierTx(ctx, tx, c, code)
		return err
	})
	return d, err
}

func (s *Service) dossierTx(ctx context.Context, tx store.Tx, c Citizen, code string) (*RatableDossier, error) {
	d := &RatableDossier{}
	var applicant string
	var fin sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT id, code, agency_code, procedure_name, status, finished_at, applicant_id FROM dossiers WHERE code = $1`, code).
		Scan(&d.ID, &d.Code, &d.Agency, &d.Procedure, &d.Status, &fin, &applicant)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (c.IDNumber == "" || applicant != c.IDNumber)) {
		return nil, ErrDossierNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("feedback: read dossier: %w", err)
	}
	if fin.Valid {
		d.FinishedAt = store.FromMillis(fin.Int64)
	}
	d.Finished = finished(d.Status)
	r := &Rating{DossierCode: d.Code, Procedure: d.Procedure, Agency: d.Agency}
	var created, updated, until int64
	err = tx.QueryRowContext(ctx, `SELECT reception, timeliness, result, attitude, comment, created_at, updated_at, editable_until
		FROM feedback_ratings WHERE dossier_id = $1`, d.ID).
		Scan(&r.Scores.Reception, &r.Scores.Timeliness, &r.Scores.Result, &r.Scores.Attitude, &r.Comment, &created, &updated, &until)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("feedback: read rating: %w", err)
	default:
		r.CreatedAt, r.UpdatedAt, r.EditableUntil = store.FromMillis(created), store.FromMillis(updated), store.FromMillis(until)
		d.Rating = r
	}
	return d, nil
}

// Rate records the citizen's rating of their finished dossier, or changes
// it while it is editable. One rating per dossier.
func (s *Service) Rate(ctx context.Context, c Citizen, code string, sc Scores, comment string) (*Rating, error) {
	if !sc.valid() {
		return nil, ErrScore
	}
	comment, err := cleanText(comment, 0, 1000, ErrComment)
	if err != nil {
		return nil, err
	}
	var out *Rating
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		now := s.now()
		d, err := s.dossierTx(ctx, tx, c, code)
		if err != nil {
			return err
		}
		if !d.Finished {
			return ErrNotFinished
		}
		action := "feedback.rate"
		if d.Rating != nil {
			if !d.Rating.Editable(now) {
				return ErrRatingFrozen
			}
			action = "feedback.rate_change"
			_, err = tx.ExecContext(ctx, `UPDATE feedback_ratings SET reception = $1, timeliness = $2, result = $3, attitude = $4, comment = $5,
				citizen_id = $6, updated_at = $7 WHERE dossier_id = $8`,
				sc.Reception, sc.Timeliness, sc.Result, sc.Attitude, comment, c.ID, store.Millis(now), d.ID)
			out = &Rating{DossierCode: d.Code, Procedure: d.Procedure, Agency: d.Agency, Scores: sc, Comment: comment,
				CreatedAt: d.Rating.CreatedAt, UpdatedAt: now, EditableUntil: d.Rating.EditableUntil}
		} else {
			until := now.Add(RatingEditable)
			_, err = tx.ExecContext(ctx, `INSERT INTO feedback_ratings (dossier_id, dossier_code, agency_code, citizen_id, reception, timeliness, result, attitude,
				comment, created_at, updated_at, editable_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)`,
				d.ID, d.Code, d.Agency, c.ID, sc.Reception, sc.Timeliness, sc.Result, sc.Attitude, comment, store.Millis(now), store.Millis(until))
			out = &Rating{DossierCode: d.Code, Procedure: d.Procedure, Agency: d.Agency, Scores: sc, Comment: comment,
				CreatedAt: now, UpdatedAt: now, EditableUntil: until}
		}
		if err != nil {
			return fmt.Errorf("feedback: save rating: %w", err)
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: c.actor(), Action: action, ObjectType: "dossier", ObjectID: d.Code,
			Detail: map[string]any{"scores": sc, "comment": comment != "", "assisted_by": c.AssistedBy}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Ratings lists an agency's ratings given in [from, to), newest first, at
// most limit. Ratings carry no personal data beyond the dossier code.
func (s *Service) Ratings(ctx context.Context, agency string, from, to time.Time, limit int) ([]Rating, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT r.dossier_code, d.procedure_name, r.agency_code, r.reception, r.timeliness, r.result, r.attitude,
		r.comment, r.created_at, r.updated_at, r.editable_until
		FROM feedback_ratings r JOIN dossiers d ON d.id = r.dossier_id
		WHERE r.agency_code = $1 AND r.created_at >= $2 AND r.created_at < $3 ORDER BY r.created_at DESC LIMIT $4`,
		agency, store.Millis(from), store.Millis(to), limit)
	if err != nil {
		return nil, fmt.Errorf("feedback: list ratings: %w", err)
	}
	defer rows.Close()
	var out []Rating
	for rows.Next() {
		var r Rating
		var c, u, e int64
		if err := rows.Scan(&r.DossierCode, &r.Procedure, &r.Agency, &r.Scores.Reception, &r.Scores.Timeliness, &r.Scores.Result, &r.Scores.Attitude,
			&r.Comment, &c, &u, &e); err != nil {
			return nil, fmt.Errorf("feedback: list ratings: %w", err)
		}
		r.CreatedAt, r.UpdatedAt, r.EditableUntil = store.FromMillis(c), store.FromMillis(u), store.FromMillis(e)
		out = append(out, r)
	}
	return out, rows.Err()
}

// MyDossiers lists the citizen's latest dossiers (a form offers them as
// what a petition is about), newest first, at most limit.
func (s *Service) MyDossiers(ctx context.Context, c Citizen, limit int) ([]RatableDossier, error) {
	if c.IDNumber == "" {
		return nil, nil
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, code, agency_code, procedure_name, status FROM dossiers
		WHERE applicant_id = $1 ORDER BY submitted_at DESC LIMIT $2`, c.IDNumber, limit)
	if err != nil {
		return nil, fmt.Errorf("feedback: list dossiers: %w", err)
	}
	defer rows.Close()
	var out []RatableDossier
	for rows.Next() {
		var d RatableDossier
		if err := rows.Scan(&d.ID, &d.Code, &d.Agency, &d.Procedure, &d.Status); err != nil {
			return nil, fmt.Errorf("feedback: list dossiers: %w", err)
		}
		d.Finished = finished(d.Status)
		out = append(out, d)
	}
	return out, rows.Err()
}
