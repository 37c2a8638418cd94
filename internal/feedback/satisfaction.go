package feedback

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// Figures are an agency's satisfaction figures for a period, the inputs of
// Decision 766 group 5 "Mức độ hài lòng" (vietnam-rules.md §5). Raw counts
// are kept beside the ratios, as the rules advise, so a scorecard can
// recompute them when the national formulas change.
type Figures struct {
	Agency string    `json:"agency"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	// AsOf is when open petitions were judged: the end of the period, or
	// now for a period not over yet.
	AsOf time.Time `json:"as_of"`

	// Ratings given in the period (by the time they were first given).
	Ratings      int                `json:"ratings"`
	Averages     []CriterionAverage `json:"averages"`
	Overall      float64            `json:"overall"`       // mean of the ratings' means
	Satisfied    int                `json:"satisfied"`     // mean ≥ 4 (hài lòng, rất hài lòng)
	Neutral      int                `json:"neutral"`       // 3 ≤ mean < 4
	Dissatisfied int                `json:"dissatisfied"`  // mean < 3: the "dislike" of indicator 5.4
	PctSatisfied float64            `json:"pct_satisfied"` // Satisfied ÷ Ratings × 100

	// Petitions (PAKN) received in the period, and where they stand at AsOf.
	Petitions      int `json:"petitions"`
	HandledOnTime  int `json:"handled_on_time"`
	HandledLate    int `json:"handled_late"`
	PendingOnTime  int `json:"pending_on_time"` // open, deadline not passed
	PendingOverdue int `json:"pending_overdue"` // open, deadline passed
	// ByTopic counts them by indicator 5.1's classification.
	ByTopic map[string]int `json:"by_topic"`
	// Unsatisfactory petitions for indicator 5.3: the sender disliked the
	// answer, it was late or is overdue, or it was sent again. Each
	// petition counts once, whatever number of these it has.
	PetitionsDisliked     int `json:"petitions_disliked"`
	PetitionsRecomplained int `json:"petitions_recomplained"`
	PetitionsUnsatisfied  int `json:"petitions_unsatisfied"`

	// Dossiers of the agency finished in the period, for indicator 5.4.
	DossiersFinished int `json:"dossiers_finished"`
	// Late: finished after their due date, or counted late for asking for a
	// supplement more than once (§1). An approximation of the engine's
	// on-time test; the scorecard should use the engine's own.
	DossiersLate int `json:"dossiers_late"`
	// DislikedOrPetitioned: rated below 3, or the subject of a petition.
	DossiersDislikedOrPetitioned int `json:"dossiers_disliked_or_petitioned"`

	// Indicator ratios in percent, two decimals.
	//
	// 5.2 PAKN handled on time = (handled on time + open with time left) ÷
	// received; 100 when none were received (the rule gives full marks).
	// Open petitions not yet due are not held against the centre, as
	// indicator 2.1 does for dossiers in progress.
	PetitionOnTimeRate float64 `json:"petition_on_time_rate"`
	// 5.3 satisfaction with PAKN handling = (received − unsatisfactory) ÷
	// received; 100 when none.
	PetitionSatisfactionRate float64 `json:"petition_satisfaction_rate"`
	// 5.4 satisfaction with receiving and handling dossiers = 100 − (late
	// rate + disliked-or-petitioned rate), at least 0; 0 when no dossier
	// was finished (the rule scores 0).
	DossierSatisfactionRate float64 `json:"dossier_satisfaction_rate"`
}

// CriterionAverage is the mean mark of one criterion.
type CriterionAverage struct {
	Criterion string  `json:"criterion"`
	Average   float64 `json:"average"`
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func pct(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return round2(float64(n) / float64(d) * 100)
}

// Satisfaction computes an agency's figures for [from, to). The formulas
// are documented on Figures; their source is vietnam-rules.md §5, group 5
// (indicators 5.1–5.4, from the national 766 formula document [V-3P]).
func (s *Service) Satisfaction(ctx context.Context, agency string, from, to time.Time) (*Figures, error) {
	f := &Figures{Agency: agency, From: from, To: to, AsOf: to, ByTopic: map[string]int{}}
	if now := s.now(); now.Before(to) {
		f.AsOf = now
	}
	fromMs, toMs, asOf := store.Millis(from), store.Millis(to), store.Millis(f.AsOf)
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		// Ratings.
		rows, err := tx.QueryContext(ctx, `SELECT reception, timeliness, result, attitude FROM feedback_ratings
			WHERE agency_code = $1 AND created_at >= $2 AND created_at < $3`, agency, fromMs, toMs)
		if err != nil {
			return err
		}
		sums := make([]int, len(Criteria))
		var means float64
		for rows.Next() {
			var sc Scores
			if err := rows.Scan(&sc.Reception, &sc.Timeliness, &sc.Result, &sc.Attitude); err != nil {
				rows.Close()
				return err
			}
			f.Ratings++
			for i, c := range Criteria {
				sums[i] += sc.Of(c)
			}
			m := sc.Mean()
			means += m
			switch {
			case m >= 4:
				f.Satisfied++
			case m < 3:
				f.Dissatisfied++
			default:
				f.Neutral++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, c := range Criteria {
			avg := 0.0
			if f.Ratings > 0 {
				avg = round2(float64(sums[i]) / float64(f.Ratings))
			}
			f.Averages = append(f.Averages, CriterionAverage{Criterion: c, Average: avg})
		}
		if f.Ratings > 0 {
			f.Overall = round2(means / float64(f.Ratings))
		}
		f.PctSatisfied = pct(f.Satisfied, f.Ratings)

		// Petitions received in the period.
		rows, err = tx.QueryContext(ctx, `SELECT p.topic, p.state, p.due_at, p.reject_due_at, p.answered_at, p.reaction,
			(SELECT COUNT(*) FROM feedback_petitions n WHERE n.follows_code = p.code AND n.received_at < $4)
			FROM feedback_petitions p WHERE p.agency_code = $1 AND p.received_at >= $2 AND p.received_at < $3`, agency, fromMs, toMs, asOf)
		if err != nil {
			return err
		}
		for rows.Next() {
			var topic, state, reaction string
			var due, rdue int64
			var answered *int64
			var again int
			if err := rows.Scan(&topic, &state, &due, &rdue, &answered, &reaction, &again); err != nil {
				rows.Close()
				return err
			}
			f.Petitions++
			f.ByTopic[topic]++
			late := false
			switch {
			case answered != nil && *answered <= asOf && state != StateReceived:
				deadline := due
				if state == StateRejected {
					deadline = rdue
				}
				if *answered <= deadline {
					f.HandledOnTime++
				} else {
					f.HandledLate++
					late = true
				}
				if reaction == ReactionDislike {
					f.PetitionsDisliked++
				}
			case asOf > due:
				f.PendingOverdue++
				late = true
			default:
				f.PendingOnTime++
			}
			if again > 0 {
				f.PetitionsRecomplained++
			}
			if late || again > 0 || (reaction == ReactionDislike && state != StateReceived) {
				f.PetitionsUnsatisfied++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}

		// Dossiers finished in the period.
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*),
			COALESCE(SUM(CASE WHEN d.counts_late OR (d.due_at IS NOT NULL AND d.finished_at > d.due_at) THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM feedback_ratings r WHERE r.dossier_id = d.id
					AND r.reception + r.timeliness + r.result + r.attitude < 12)
				OR EXISTS (SELECT 1 FROM feedback_petitions p WHERE p.dossier_code = d.code) THEN 1 ELSE 0 END), 0)
			FROM dossiers d WHERE d.agency_code = $1 AND d.finished_at >= $2 AND d.finished_at < $3`, agency, fromMs, toMs).
			Scan(&f.DossiersFinished, &f.DossiersLate, &f.DossiersDislikedOrPetitioned)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("feedback: satisfaction figures: %w", err)
	}
	if f.Petitions == 0 {
		f.PetitionOnTimeRate, f.PetitionSatisfactionRate = 100, 100
	} else {
		f.PetitionOnTimeRate = pct(f.HandledOnTime+f.PendingOnTime, f.Petitions)
		f.PetitionSatisfactionRate = pct(f.Petitions-f.PetitionsUnsatisfied, f.Petitions)
	}
	if f.DossiersFinished > 0 {
		r := 100 - (float64(f.DossiersLate)+float64(f.DossiersDislikedOrPetitioned))/float64(f.DossiersFinished)*100
		f.DossierSatisfactionRate = round2(math.Max(0, r))
	}
	return f, nil
}
