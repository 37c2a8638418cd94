package feedback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
)

// Topics of a PAKN: Decision 766 indicator 5.1 classifies them as about
// rules and procedures, or about staff (vietnam-rules.md §5).
const (
	TopicProcedure = "procedure" // quy định, thủ tục hành chính
	TopicStaff     = "staff"     // cán bộ, công chức
	TopicOther     = "other"
)

// Topics lists them in the order a form offers them.
var Topics = []string{TopicProcedure, TopicStaff, TopicOther}

// States of a PAKN.
const (
	StateReceived = "received" // waiting for the answer
	StateAnswered = "answered"
	StateRejected = "rejected" // not handled: not the centre's matter, a duplicate
)

// Reactions of the sender to the answer (Decision 766 indicator 5.3).
const (
	ReactionLike    = "like"
	ReactionDislike = "dislike"
)

// Petition is one feedback or complaint (phản ánh, kiến nghị).
type Petition struct {
	ID             string     `json:"-"`
	Code           string     `json:"code"`
	Agency         string     `json:"agency"`
	CitizenID      string     `json:"-"`
	Name           string     `json:"name,omitempty"`
	Phone          string     `json:"-"`
	Topic          string     `json:"topic"`
	DossierCode    string     `json:"dossier_code,omitempty"`
	Follows        string     `json:"follows,omitempty"`
	Body           string     `json:"body"`
	State          string     `json:"state"`
	ReceivedAt     time.Time  `json:"received_at"`
	DueAt          time.Time  `json:"due_at"`
	RejectDueAt    time.Time  `json:"reject_due_at"`
	Answer         string     `json:"answer,omitempty"`
	AnsweredBy     string     `json:"-"`
	AnsweredByName string     `json:"answered_by_name,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	Reaction       string     `json:"reaction,omitempty"`
	ReactedAt      *time.Time `json:"reacted_at,omitempty"`
}

// Handled reports whether the centre answered or refused it.
func (p *Petition) Handled() bool { return p.State == StateAnswered || p.State == StateRejected }

// Deadline is the deadline that applies: the refusal deadline for a
// refused petition, the answer deadline otherwise.
func (p *Petition) Deadline() time.Time {
	if p.State == StateRejected {
		return p.RejectDueAt
	}
	return p.DueAt
}

// Standing of a petition against its deadline.
const (
	StandingOnTime  = "on_time"  // handled by the deadline, or open with time left
	StandingDueSoon = "due_soon" // open, within a day of the deadline
	StandingOverdue = "overdue"  // open past the deadline
	StandingLate    = "late"     // handled after the deadline
)

// Standing says where the petition stands at now.
func (p *Petition) Standing(now time.Time) string {
	if p.Handled() {
		if p.AnsweredAt.After(p.Deadline()) {
			return StandingLate
		}
		return StandingOnTime
	}
	switch {
	case now.After(p.DueAt):
		return StandingOverdue
	case now.Add(24 * time.Hour).After(p.DueAt):
		return StandingDueSoon
	}
	return StandingOnTime
}

// Submission is a new petition.
type Submission struct {
	// Agency receives it when it is not about a dossier (the centre).
	Agency string
	// Citizen is the signed-in sender; nil: sent without signing in, and
	// Phone is then required (the answer is followed with code and phone).
	Citizen     *Citizen
	Name        string
	Phone       string
	Topic       string
	DossierCode string // one of the signed-in citizen's dossiers
	Follows     string // an earlier petition of the same sender, sent again
	Body        string
}

const petitionCols = `id, code, agency_code, citizen_id, name, phone, topic, dossier_code, follows_code, body, state, received_at, due_at, reject_due_at,
	answer, answered_by, answered_by_name, answered_at, reaction, reacted_at`

func scanPetition(row interface{ Scan(...any) error }) (*Petition, error) {
	p := &Petition{}
	var rec, due, rdue int64
	var ans, react sql.NullInt64
	if err := row.Scan(&p.ID, &p.Code, &p.Agency, &p.CitizenID, &p.Name, &p.Phone, &p.Topic, &p.DossierCode, &p.Follows, &p.Body, &p.State,
		&rec, &due, &rdue, &p.Answer, &p.AnsweredBy, &p.AnsweredByName, &ans, &p.Reaction, &react); err != nil {
		return nil, err
	}
	p.ReceivedAt, p.DueAt, p.RejectDueAt = store.FromMillis(rec), store.FromMillis(due), store.FromMillis(rdue)
	if ans.Valid {
		t := store.FromMillis(ans.Int64)
		p.AnsweredAt = &t
	}
	if react.Valid {
		t := store.FromMillis(react.Int64)
		p.ReactedAt = &t
	}
	return p, nil
}

// Deadlines returns the answer and refusal deadlines of a petition
// received at t: AnswerWorkingDays and RejectWorkingDays working days on
// the working calendar, counted as a dossier's are (from the next working
// day; received after the cut-off or on a day off, from the one after).
func (s *Service) Deadlines(t time.Time) (answer, reject time.Time) {
	cal := s.cfg.Calendar.Calendar()
	return cal.AddWorkingDays(t, AnswerWorkingDays), cal.AddWorkingDays(t, RejectWorkingDays)
}

// Submit records a petition, gives it its code and deadlines, and texts
// the sender its code when there is a number to text.
func (s *Service) Submit(ctx context.Context, sub Submission) (*Petition, error) {
	body, err := cleanText(sub.Body, 10, 2000, ErrBody)
	if err != nil {
		return nil, err
	}
	name, err := cleanText(strings.Join(strings.Fields(sub.Name), " "), 0, 100, ErrName)
	if err != nil {
		return nil, err
	}
	if !contains(Topics, sub.Topic) {
		return nil, ErrTopic
	}
	phone := strings.TrimSpace(sub.Phone)
	if phone == "" && sub.Citizen != nil {
		phone = sub.Citizen.Phone
	}
	if phone != "" {
		if phone, err = notify.NormalizePhone(phone); err != nil {
			return nil, err
		}
	} else if sub.Citizen == nil {
		return nil, ErrPhoneRequired
	}
	if sub.Citizen == nil && sub.DossierCode != "" {
		return nil, ErrDossierNotFound // only a signed-in citizen's own dossier
	}
	actor := audit.Actor{ID: "anonymous", Name: name, Roles: []string{"public"}}
	citizenID := ""
	if sub.Citizen != nil {
		actor, citizenID = sub.Citizen.actor(), sub.Citizen.ID
		if name == "" {
			name = sub.Citizen.Name
		}
	}
	var out *Petition
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		now := s.now()
		p := &Petition{ID: newID(), Agency: sub.Agency, CitizenID: citizenID, Name: name, Phone: phone, Topic: sub.Topic, Body: body,
			State: StateReceived, ReceivedAt: now}
		if sub.DossierCode != "" {
			d, err := s.dossierTx(ctx, tx, *sub.Citizen, strings.TrimSpace(sub.DossierCode))
			if err != nil {
				return err
			}
			p.DossierCode, p.Agency = d.Code, d.Agency
		}
		if sub.Follows != "" {
			prev, err := s.getTx(ctx, tx, strings.TrimSpace(sub.Follows))
			if err != nil || !sameSender(prev, citizenID, phone) {
				return ErrPetitionNotFound
			}
			p.Follows = prev.Code
		}
		p.DueAt, p.RejectDueAt = s.Deadlines(now)
		day := now.In(calendar.Location).Format("060102")
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM feedback_petitions WHERE code LIKE $1", "PA-"+day+"-%").Scan(&n); err != nil {
			return fmt.Errorf("feedback: number petition: %w", err)
		}
		p.Code = fmt.Sprintf("PA-%s-%04d", day, n+1)
		_, err := tx.ExecContext(ctx, `INSERT INTO feedback_petitions (id, code, agency_code, citizen_id, name, phone, topic, dossier_code, follows_code, body,
			state, received_at, due_at, reject_due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $12, $12)`,
			p.ID, p.Code, p.Agency, p.CitizenID, p.Name, p.Phone, p.Topic, p.DossierCode, p.Follows, p.Body, p.State,
			store.Millis(now), store.Millis(p.DueAt), store.Millis(p.RejectDueAt))
		if err != nil {
			return fmt.Errorf("feedback: save petition: %w", err)
		}
		if p.Phone != "" {
			text := fmt.Sprintf("Trung tam phuc vu hanh chinh cong da nhan phan anh, kien nghi %s cua ban. Han tra loi: %s.%s",
				p.Code, p.DueAt.In(calendar.Location).Format("02/01/2006"), s.followText(p))
			if err := s.sms(ctx, tx, p, "petition_received", text); err != nil {
				return err
			}
		}
		out = p
		return audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "feedback.petition_submit", ObjectType: "petition", ObjectID: p.Code,
			Detail: map[string]any{"topic": p.Topic, "dossier": p.DossierCode, "follows": p.Follows, "phone": notify.Mask(p.Phone), "anonymous": citizenID == ""}})
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.Outbox != nil && out.Phone != "" {
		s.cfg.Outbox.Kick()
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func sameSender(p *Petition, citizenID, phone string) bool {
	if citizenID != "" {
		return p.CitizenID == citizenID
	}
	return p.CitizenID == "" && phone != "" && p.Phone == phone
}

// followText is where an SMS sends the sender: the official address only.
func (s *Service) followText(p *Petition) string {
	if s.cfg.BaseURL == "" {
		return " Xem tren Cong thong tin cua Trung tam, muc Gop y."
	}
	return " Xem tai " + s.cfg.BaseURL + "/gop-y/" + p.Code
}

// sms writes a text to the sender in the transaction, without diacritics.
func (s *Service) sms(ctx context.Context, tx store.Tx, p *Petition, kind, text string) error {
	if s.cfg.Outbox == nil {
		return nil
	}
	return s.cfg.Outbox.Enqueue(ctx, tx, notify.Message{To: p.Phone, Body: ascii(text), Kind: kind, Key: kind + ":" + p.ID, Agency: p.Agency})
}

func (s *Service) getTx(ctx context.Context, tx store.Tx, code string) (*Petition, error) {
	p, err := scanPetition(tx.QueryRowContext(ctx, "SELECT "+petitionCols+" FROM feedback_petitions WHERE code = $1", strings.ToUpper(strings.TrimSpace(code))))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrPetitionNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("feedback: read petition: %w", err)
	}
	return p, nil
}

func (s *Service) get(ctx context.Context, code string) (*Petition, error) {
	var p *Petition
	err := s.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		p, err = s.getTx(ctx, tx, code)
		return err
	})
	return p, err
}

// Mine lists the citizen's petitions, newest first.
func (s *Service) Mine(ctx context.Context, c Citizen) ([]*Petition, error) {
	return s.list(ctx, "SELECT "+petitionCols+" FROM feedback_petitions WHERE citizen_id = $1 ORDER BY received_at DESC LIMIT 200", c.ID)
}

// MineOne is one of the citizen's petitions.
func (s *Service) MineOne(ctx context.Context, c Citizen, code string) (*Petition, error) {
	p, err := s.get(ctx, code)
	if err != nil {
		return nil, err
	}
	if p.CitizenID == "" || p.CitizenID != c.ID {
		return nil, ErrPetitionNotFound
	}
	return p, nil
}

// Follow is a petition found by its code and the sender's phone number
// (sent without signing in, or followed from the SMS). The caller limits
// failed attempts.
func (s *Service) Follow(ctx context.Context, code, phone string) (*Petition, error) {
	phone, err := notify.NormalizePhone(phone)
	if err != nil {
		return nil, ErrPetitionNotFound
	}
	p, err := s.get(ctx, code)
	if err != nil {
		return nil, err
	}
	if p.Phone == "" || p.Phone != phone {
		return nil, ErrPetitionNotFound
	}
	return p, nil
}

// Staff is the officer acting on petitions.
type Staff struct {
	Actor  audit.Actor
	Agency string // "" = every agency (a province supervisor)
}

// Filters of the staff's list.
const (
	ListOpen    = "open"
	ListHandled = "handled"
)

// List is the agency's petitions for the staff: open ones by deadline
// (the most urgent first), or handled ones newest first.
func (s *Service) List(ctx context.Context, agency, which string, limit int) ([]*Petition, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	if which == ListHandled {
		return s.list(ctx, "SELECT "+petitionCols+" FROM feedback_petitions WHERE agency_code = $1 AND state <> 'received' ORDER BY answered_at DESC LIMIT $2", agency, limit)
	}
	return s.list(ctx, "SELECT "+petitionCols+" FROM feedback_petitions WHERE agency_code = $1 AND state = 'received' ORDER BY due_at, received_at LIMIT $2", agency, limit)
}

func (s *Service) list(ctx context.Context, q string, args ...any) ([]*Petition, error) {
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("feedback: list petitions: %w", err)
	}
	defer rows.Close()
	var out []*Petition
	for rows.Next() {
		p, err := scanPetition(rows)
		if err != nil {
			return nil, fmt.Errorf("feedback: list petitions: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AuditList records that an officer read the list of an agency's
// petitions (names and numbers of senders).
func (s *Service) AuditList(ctx context.Context, st Staff, agency, which string) error {
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: st.Actor, Action: "feedback.petition_list", ObjectType: "petitions", ObjectID: agency,
			Detail: map[string]any{"filter": which}})
	})
}

// Get is one petition for an officer of its agency; the reading is audited.
func (s *Service) Get(ctx context.Context, st Staff, code string) (*Petition, error) {
	p, err := s.get(ctx, code)
	if err != nil {
		return nil, err
	}
	if st.Agency != "" && p.Agency != st.Agency {
		return nil, ErrForbidden
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: st.Actor, Action: "feedback.petition_read", ObjectType: "petition", ObjectID: p.Code})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Handle answers a petition (outcome StateAnswered) or refuses to handle
// it (StateRejected, with the reason as the answer), and texts the sender.
func (s *Service) Handle(ctx context.Context, st Staff, code, outcome, text string) (*Petition, error) {
	if outcome != StateAnswered && outcome != StateRejected {
		return nil, ErrOutcome
	}
	text, err := cleanText(text, 10, 4000, ErrAnswer)
	if err != nil {
		return nil, err
	}
	var out *Petition
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		now := s.now()
		p, err := s.getTx(ctx, tx, code)
		if err != nil {
			return err
		}
		if st.Agency != "" && p.Agency != st.Agency {
			return ErrForbidden
		}
		if p.Handled() {
			return ErrAlreadyHandled
		}
		res, err := tx.ExecContext(ctx, `UPDATE feedback_petitions SET state = $1, answer = $2, answered_by = $3, answered_by_name = $4, answered_at = $5,
			updated_at = $5 WHERE id = $6 AND state = 'received'`, outcome, text, st.Actor.ID, st.Actor.Name, store.Millis(now), p.ID)
		if err != nil {
			return fmt.Errorf("feedback: answer petition: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrAlreadyHandled
		}
		p.State, p.Answer, p.AnsweredBy, p.AnsweredByName, p.AnsweredAt = outcome, text, st.Actor.ID, st.Actor.Name, &now
		if p.Phone != "" {
			msg := fmt.Sprintf("Trung tam phuc vu hanh chinh cong da tra loi phan anh, kien nghi %s cua ban.%s", p.Code, s.followText(p))
			if err := s.sms(ctx, tx, p, "petition_answered", msg); err != nil {
				return err
			}
		}
		out = p
		return audit.Append(ctx, tx, now, audit.Event{Actor: st.Actor, Action: "feedback.petition_" + outcome, ObjectType: "petition", ObjectID: p.Code,
			Detail: map[string]any{"late": p.Standing(now) == StandingLate}})
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.Outbox != nil && out.Phone != "" {
		s.cfg.Outbox.Kick()
	}
	return out, nil
}

// React records whether the sender of p (found by MineOne or Follow) is
// satisfied with the answer (Decision 766 indicator 5.3). They may change
// their mind.
func (s *Service) React(ctx context.Context, p *Petition, reaction string) error {
	if reaction != ReactionLike && reaction != ReactionDislike {
		return ErrReaction
	}
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		now := s.now()
		cur, err := s.getTx(ctx, tx, p.Code)
		if err != nil {
			return err
		}
		if !cur.Handled() {
			return ErrNotHandled
		}
		if _, err := tx.ExecContext(ctx, "UPDATE feedback_petitions SET reaction = $1, reacted_at = $2, updated_at = $2 WHERE id = $3",
			reaction, store.Millis(now), p.ID); err != nil {
			return fmt.Errorf("feedback: react: %w", err)
		}
		actor := audit.Actor{ID: "anonymous", Name: p.Name, Roles: []string{"public"}}
		if p.CitizenID != "" {
			actor = audit.Actor{ID: "citizen:" + p.CitizenID, Name: p.Name, Roles: []string{"citizen"}}
		}
		p.Reaction, p.ReactedAt = reaction, &now
		return audit.Append(ctx, tx, now, audit.Event{Actor: actor, Action: "feedback.petition_react", ObjectType: "petition", ObjectID: p.Code,
			Detail: map[string]any{"reaction": reaction}})
	})
}
