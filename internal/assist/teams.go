package assist

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/notify"
	"github.com/motcua/motcua/internal/store"
)

// Team is a village's community digital-technology team.
type Team struct {
	ID          string `json:"id"`
	Agency      string `json:"agency"`
	Village     string `json:"village"`
	VillageName string `json:"village_name"`
	Name        string `json:"name"`
	Active      bool   `json:"active"`
	Members     int    `json:"members"` // active members
}

// Member roles.
const (
	TeamLeader = "leader" // tổ trưởng
	TeamMember = "member" // thành viên
)

// Member is one member of a team.
type Member struct {
	ID          string    `json:"id"`
	TeamID      string    `json:"team_id"`
	TeamName    string    `json:"team_name"`
	Agency      string    `json:"agency"`
	FullName    string    `json:"full_name"`
	Phone       string    `json:"phone"`
	Role        string    `json:"role"`
	Active      bool      `json:"active"`
	HasCode     bool      `json:"has_code"`
	CodeExpires time.Time `json:"code_expires,omitzero"`
}

// Helper is the member as a helper.
func (m *Member) Helper() Helper {
	return Helper{Kind: HelperMember, ID: m.ID, Name: m.FullName, Phone: m.Phone, Agency: m.Agency,
		Principal: &identity.Principal{ID: "member:" + m.ID, Name: m.FullName, Roles: []string{RoleHelper}, Agency: m.Agency}}
}

var errTeamNotFound = apperr.New(apperr.NotFound, "team_not_found", "Không tìm thấy tổ công nghệ số này.")
var errMemberNotFound = apperr.New(apperr.NotFound, "member_not_found", "Không tìm thấy thành viên này.")

func admin(p *identity.Principal) error {
	if !p.Has(identity.RoleAdministrator) {
		return apperr.New(apperr.Forbidden, "forbidden", "Chỉ quản trị hệ thống được quản lý tổ công nghệ số cộng đồng.")
	}
	return nil
}

// Teams lists a commune's teams by village, with their active members counted.
func (s *Service) Teams(ctx context.Context, agency string) ([]Team, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT t.id, t.agency_code, t.village_code, v.name, t.name, t.active,
		(SELECT COUNT(*) FROM assist_members m WHERE m.team_id = t.id AND m.active)
		FROM assist_teams t JOIN villages v ON v.agency_code = t.agency_code AND v.code = t.village_code
		WHERE t.agency_code = $1 ORDER BY t.village_code`, agency)
	if err != nil {
		return nil, fmt.Errorf("assist: teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.Agency, &t.Village, &t.VillageName, &t.Name, &t.Active, &t.Members); err != nil {
			return nil, fmt.Errorf("assist: teams: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Team returns a team and all its members (leaders first).
func (s *Service) Team(ctx context.Context, id string) (*Team, []Member, error) {
	var t Team
	err := s.db.Read().QueryRowContext(ctx, `SELECT t.id, t.agency_code, t.village_code, v.name, t.name, t.active
		FROM assist_teams t JOIN villages v ON v.agency_code = t.agency_code AND v.code = t.village_code WHERE t.id = $1`, id).
		Scan(&t.ID, &t.Agency, &t.Village, &t.VillageName, &t.Name, &t.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errTeamNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("assist: team: %w", err)
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+memberCols+" FROM assist_members m JOIN assist_teams t ON t.id = m.team_id WHERE m.team_id = $1 ORDER BY m.role = 'leader' DESC, m.full_name", id)
	if err != nil {
		return nil, nil, fmt.Errorf("assist: members: %w", err)
	}
	defer rows.Close()
	var ms []Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("assist: members: %w", err)
		}
		if m.Active {
			t.Members++
		}
		ms = append(ms, *m)
	}
	return &t, ms, rows.Err()
}

const memberCols = "m.id, m.team_id, t.name, t.agency_code, m.full_name, m.phone, m.role, m.active, m.code_hash, m.code_expires"

func scanMember(row interface{ Scan(...any) error }) (*Member, error) {
	var m Member
	var codeHash string
	var exp int64
	if err := row.Scan(&m.ID, &m.TeamID, &m.TeamName, &m.Agency, &m.FullName, &m.Phone, &m.Role, &m.Active, &codeHash, &exp); err != nil {
		return nil, err
	}
	m.HasCode = codeHash != ""
	if exp > 0 {
		m.CodeExpires = time.UnixMilli(exp)
	}
	return &m, nil
}

// Member returns one member.
func (s *Service) Member(ctx context.Context, id string) (*Member, error) {
	m, err := scanMember(s.db.Read().QueryRowContext(ctx, "SELECT "+memberCols+" FROM assist_members m JOIN assist_teams t ON t.id = m.team_id WHERE m.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errMemberNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("assist: member: %w", err)
	}
	return m, nil
}

// SaveTeam creates a village's team (ID empty) or renames, activates or
// deactivates one. Deactivating a team ends its members' sign-ins.
func (s *Service) SaveTeam(ctx context.Context, p *identity.Principal, t Team) (*Team, error) {
	if err := admin(p); err != nil {
		return nil, err
	}
	name, err := cleanText("name", t.Name, 120, true, "tên tổ")
	if err != nil {
		return nil, err
	}
	now := ms(s.now())
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if t.ID == "" {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM villages WHERE agency_code = $1 AND code = $2", t.Agency, t.Village).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return apperr.Field("village", "village_not_found", "Không tìm thấy thôn này của xã.")
			}
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM assist_teams WHERE agency_code = $1 AND village_code = $2", t.Agency, t.Village).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Field("village", "team_exists", "Thôn này đã có tổ công nghệ số; mỗi thôn một tổ.")
			}
			t.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO assist_teams (id, agency_code, village_code, name, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, TRUE, $5, $5)`, t.ID, t.Agency, t.Village, name, now); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, "UPDATE assist_teams SET name = $1, active = $2, updated_at = $3 WHERE id = $4", name, t.Active, now, t.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errTeamNotFound
			}
			if !t.Active {
				if _, err := tx.ExecContext(ctx, `UPDATE assist_member_sessions SET revoked_at = $1 WHERE revoked_at IS NULL
					AND member_id IN (SELECT id FROM assist_members WHERE team_id = $2)`, now, t.ID); err != nil {
					return err
				}
			}
		}
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(), Action: "assist.team.save", ObjectType: "assist_team", ObjectID: t.ID,
			Detail: map[string]any{"name": name, "active": t.ID == "" || t.Active}})
	})
	if err != nil {
		return nil, wrap(err, "save team")
	}
	out, _, err := s.Team(ctx, t.ID)
	return out, err
}

// SaveMember adds a member to a team (ID empty) or changes one. A member
// made inactive can no longer sign in, and their sessions end.
func (s *Service) SaveMember(ctx context.Context, p *identity.Principal, m Member) (*Member, error) {
	if err := admin(p); err != nil {
		return nil, err
	}
	name, err := cleanText("full_name", m.FullName, 120, true, "họ và tên")
	if err != nil {
		return nil, err
	}
	phone, err := notify.NormalizePhone(m.Phone)
	if err != nil {
		return nil, apperr.Field("phone", "invalid_phone", "Số điện thoại di động không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.")
	}
	if m.Role != TeamLeader && m.Role != TeamMember {
		return nil, apperr.Field("role", "invalid_member_role", "Vai trò phải là tổ trưởng hoặc thành viên.")
	}
	now := ms(s.now())
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM assist_teams WHERE id = $1", m.TeamID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errTeamNotFound
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM assist_members WHERE phone = $1 AND id <> $2", phone, m.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("phone", "member_phone_taken", "Số điện thoại này đã là của một thành viên khác.")
		}
		if m.ID == "" {
			m.ID = newID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO assist_members (id, team_id, full_name, phone, role, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)`, m.ID, m.TeamID, name, phone, m.Role, now); err != nil {
				return err
			}
			m.Active = true
		} else {
			res, err := tx.ExecContext(ctx, "UPDATE assist_members SET full_name = $1, phone = $2, role = $3, active = $4, updated_at = $5 WHERE id = $6 AND team_id = $7",
				name, phone, m.Role, m.Active, now, m.ID, m.TeamID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return errMemberNotFound
			}
			if !m.Active {
				if _, err := tx.ExecContext(ctx, "UPDATE assist_member_sessions SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL", now, m.ID); err != nil {
					return err
				}
			}
		}
		return audit.Append(ctx, tx, s.now(), audit.Event{Actor: p.Actor(), Action: "assist.member.save", ObjectType: "assist_member", ObjectID: m.ID,
			Detail: map[string]any{"team": m.TeamID, "role": m.Role, "active": m.Active}})
	})
	if err != nil {
		return nil, wrap(err, "save member")
	}
	return s.Member(ctx, m.ID)
}

// IssueCode gives a member a new personal access code, shown once to the
// administrator who hands it over; only its hash is kept. It replaces any
// earlier code and ends the member's sign-ins.
func (s *Service) IssueCode(ctx context.Context, p *identity.Principal, memberID string) (string, error) {
	if err := admin(p); err != nil {
		return "", err
	}
	code := newAccessCode()
	now := s.now()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE assist_members SET code_hash = $1, code_expires = $2, updated_at = $3 WHERE id = $4 AND active",
			hash("member-code", normCode(code)), ms(now.Add(MemberCodeTTL)), ms(now), memberID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "member_inactive", "Không cấp mã cho thành viên đã ngừng hoạt động hoặc không tồn tại.")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE assist_member_sessions SET revoked_at = $1 WHERE member_id = $2 AND revoked_at IS NULL", ms(now), memberID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: p.Actor(), Action: "assist.member.code", ObjectType: "assist_member", ObjectID: memberID})
	})
	if err != nil {
		return "", wrap(err, "issue code")
	}
	return code, nil
}

// newAccessCode is 15 base32 characters (75 bits) in three groups, e.g.
// HQ4ZK-7MW2P-XD9RT: easy to read out and type, impossible to guess.
func newAccessCode() string {
	t := strings.ToUpper(newToken())[:15]
	return t[:5] + "-" + t[5:10] + "-" + t[10:]
}

func normCode(c string) string {
	c = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(c)))
	return c
}

// MemberSession is a member's sign-in on the volunteer pages.
type MemberSession struct {
	Token   string
	CSRF    string
	Expires time.Time
	Member  *Member
}

var errMemberSignIn = apperr.New(apperr.Unauthorized, "member_sign_in_failed", "Số điện thoại hoặc mã truy cập không đúng, hoặc mã đã hết hạn. Vui lòng hỏi quản trị của xã để được cấp mã mới.")

// ErrNoMemberSession means the cookie opens no live member session.
var ErrNoMemberSession = errors.New("assist: no member session")

// MemberSignIn opens a session for a member who gives their phone and
// personal access code.
func (s *Service) MemberSignIn(ctx context.Context, phone, code string) (*MemberSession, error) {
	phone, err := notify.NormalizePhone(phone)
	if err != nil || len(code) > 40 {
		return nil, errMemberSignIn
	}
	var id, codeHash string
	var exp int64
	var active bool
	err = s.db.Read().QueryRowContext(ctx, `SELECT m.id, m.code_hash, m.code_expires, m.active AND t.active FROM assist_members m
		JOIN assist_teams t ON t.id = m.team_id WHERE m.phone = $1`, phone).Scan(&id, &codeHash, &exp, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errMemberSignIn
	}
	if err != nil {
		return nil, wrap(err, "member sign in")
	}
	now := s.now()
	if !active || codeHash == "" || ms(now) >= exp || subtle.ConstantTimeCompare([]byte(codeHash), []byte(hash("member-code", normCode(code)))) != 1 {
		return nil, errMemberSignIn
	}
	token, csrf := newToken(), newToken()
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO assist_member_sessions (id_hash, member_id, csrf_token, created_at, last_seen, expires_at)
			VALUES ($1, $2, $3, $4, $4, $5)`, hash("member-session", token), id, csrf, ms(now), ms(now.Add(MemberAbsolute)))
		return err
	})
	if err != nil {
		return nil, wrap(err, "member sign in")
	}
	return s.MemberSession(ctx, token)
}

// MemberSession returns the live session a cookie opens.
func (s *Service) MemberSession(ctx context.Context, token string) (*MemberSession, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoMemberSession
	}
	var memberID, csrf string
	var lastSeen, expires int64
	var revoked sql.NullInt64
	if err := s.db.Read().QueryRowContext(ctx, "SELECT member_id, csrf_token, last_seen, expires_at, revoked_at FROM assist_member_sessions WHERE id_hash = $1",
		hash("member-session", token)).Scan(&memberID, &csrf, &lastSeen, &expires, &revoked); err != nil {
		return nil, ErrNoMemberSession
	}
	now := ms(s.now())
	if revoked.Valid || now >= expires || now-lastSeen > MemberIdle.Milliseconds() {
		return nil, ErrNoMemberSession
	}
	m, err := s.Member(ctx, memberID)
	if err != nil || !m.Active {
		return nil, ErrNoMemberSession
	}
	if now-lastSeen > time.Minute.Milliseconds() {
		s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE assist_member_sessions SET last_seen = $1 WHERE id_hash = $2", now, hash("member-session", token))
			return err
		})
	}
	return &MemberSession{Token: token, CSRF: csrf, Expires: time.UnixMilli(expires), Member: m}, nil
}

// MemberSignOut ends a member's session.
func (s *Service) MemberSignOut(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE assist_member_sessions SET revoked_at = $1 WHERE id_hash = $2 AND revoked_at IS NULL", ms(s.now()), hash("member-session", token))
		return err
	})
}

// wrap passes an apperr through and marks anything else internal.
func wrap(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(err, "assist: "+what)
}
