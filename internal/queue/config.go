package queue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

var (
	reCode   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	rePrefix = regexp.MustCompile(`^[A-Z]{1,2}$`)
)

// Groups lists a centre's service groups in kiosk order (inactive ones too
// when all is true).
func (s *Service) Groups(ctx context.Context, agency string, all bool) ([]Group, error) {
	gs, ok := cacheGet(&s.cache, s.cache.groups, agency, configTTL)
	if !ok {
		var err error
		if gs, err = s.groups(ctx, s.db.Read(), agency, true); err != nil {
			return nil, err
		}
		cachePut(&s.cache, s.cache.groups, agency, gs)
	}
	out := make([]Group, 0, len(gs))
	for _, g := range gs {
		if g.Active || all {
			g.Procedures = slices.Clone(g.Procedures)
			out = append(out, g)
		}
	}
	return out, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (s *Service) groups(ctx context.Context, q querier, agency string, all bool) ([]Group, error) {
	rows, err := q.QueryContext(ctx, `SELECT code, prefix, name, name_en, icon, procedures, service_seconds, position, active
		FROM queue_groups WHERE agency_code = $1 ORDER BY position, prefix`, agency)
	if err != nil {
		return nil, apperr.Wrap(err, "queue groups")
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		var g Group
		var procs string
		if err := rows.Scan(&g.Code, &g.Prefix, &g.Name, &g.NameEn, &g.Icon, &procs, &g.ServiceSeconds, &g.Position, &g.Active); err != nil {
			return nil, apperr.Wrap(err, "queue groups")
		}
		g.Procedures = strings.Fields(procs)
		if g.Active || all {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}

// Group returns one service group.
func (s *Service) Group(ctx context.Context, agency, code string) (*Group, error) {
	gs, err := s.Groups(ctx, agency, true)
	if err != nil {
		return nil, err
	}
	for i := range gs {
		if gs[i].Code == code {
			return &gs[i], nil
		}
	}
	return nil, ErrGroupNotFound
}

// GroupFor returns the active group that covers a procedure.
func (s *Service) GroupFor(ctx context.Context, agency, procedure string) (*Group, error) {
	gs, err := s.Groups(ctx, agency, false)
	if err != nil {
		return nil, err
	}
	for i := range gs {
		if slices.Contains(gs[i].Procedures, procedure) {
			return &gs[i], nil
		}
	}
	return nil, apperr.Field("procedure", "procedure_not_in_queue", "Thủ tục này chưa được xếp vào nhóm dịch vụ nào của trung tâm.")
}

// SaveGroup adds or changes a service group.
func (s *Service) SaveGroup(ctx context.Context, by audit.Actor, agency string, g Group) error {
	g.Code = strings.TrimSpace(g.Code)
	g.Prefix = strings.ToUpper(strings.TrimSpace(g.Prefix))
	g.Name = vntext.NFC(strings.Join(strings.Fields(g.Name), " "))
	g.NameEn = strings.Join(strings.Fields(g.NameEn), " ")
	g.Icon = strings.TrimSpace(g.Icon)
	switch {
	case !reCode.MatchString(g.Code):
		return apperr.Field("code", "invalid_group_code", "Mã nhóm gồm chữ thường không dấu, chữ số và dấu gạch dưới, ví dụ ho_tich.")
	case !rePrefix.MatchString(g.Prefix):
		return apperr.Field("prefix", "invalid_prefix", "Chữ đầu số thứ tự là một hoặc hai chữ cái in hoa không dấu, ví dụ A.")
	case g.Name == "" || len([]rune(g.Name)) > 100 || !vntext.Valid(g.Name) || !vntext.Valid(g.NameEn):
		return apperr.Field("name", "invalid_group_name", "Vui lòng nhập tên nhóm dịch vụ (tối đa 100 ký tự).")
	case g.ServiceSeconds < 30 || g.ServiceSeconds > 4*3600:
		return apperr.Field("service_seconds", "invalid_service_time", "Thời gian phục vụ trung bình phải từ 30 giây đến 4 giờ.")
	}
	if g.ServiceSeconds == 0 {
		g.ServiceSeconds = 600
	}
	for _, p := range g.Procedures {
		if s.cfg.Catalog != nil {
			if _, ok := s.cfg.Catalog.Catalog().Get(p); !ok {
				return apperr.Field("procedures", "unknown_procedure", fmt.Sprintf("Không có thủ tục %s trong danh mục.", p))
			}
		}
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var other string
		err := tx.QueryRowContext(ctx, "SELECT code FROM queue_groups WHERE agency_code = $1 AND prefix = $2 AND code <> $3", agency, g.Prefix, g.Code).Scan(&other)
		if err == nil {
			return apperr.Field("prefix", "prefix_taken", fmt.Sprintf("Chữ %s đã dùng cho nhóm %s.", g.Prefix, other))
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_groups (agency_code, code, prefix, name, name_en, icon, procedures, service_seconds, position, active)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (agency_code, code) DO UPDATE SET prefix = excluded.prefix, name = excluded.name, name_en = excluded.name_en,
			icon = excluded.icon, procedures = excluded.procedures, service_seconds = excluded.service_seconds, position = excluded.position,
			active = excluded.active`,
			agency, g.Code, g.Prefix, g.Name, g.NameEn, g.Icon, strings.Join(g.Procedures, " "), g.ServiceSeconds, g.Position, g.Active); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, s.now(), audit.Event{Actor: by, Action: "queue.group_save", ObjectType: "queue_group", ObjectID: agency + "/" + g.Code,
			Detail: map[string]any{"prefix": g.Prefix, "name": g.Name, "procedures": g.Procedures, "active": g.Active}}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Event{Kind: "changed", Agency: agency, Group: g.Code})
	})
	s.cache.forget(agency)
	if err := wrapWrite(err, "save queue group"); err != nil {
		return err
	}
	s.published(Event{Kind: "changed", Agency: agency, Group: g.Code})
	return nil
}

// Counters lists a centre's counters with the groups they serve.
func (s *Service) Counters(ctx context.Context, agency string) ([]Counter, error) {
	if cs, ok := cacheGet(&s.cache, s.cache.counters, agency, configTTL); ok {
		out := make([]Counter, len(cs))
		for i, c := range cs {
			c.Groups = slices.Clone(c.Groups)
			out[i] = c
		}
		return out, nil
	}
	cs, err := s.readCounters(ctx, agency)
	if err != nil {
		return nil, err
	}
	cachePut(&s.cache, s.cache.counters, agency, cs)
	return s.Counters(ctx, agency)
}

func (s *Service) readCounters(ctx context.Context, agency string) ([]Counter, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT number, name, queue_groups, queue_open FROM counters WHERE agency_code = $1 ORDER BY number", agency)
	if err != nil {
		return nil, apperr.Wrap(err, "queue counters")
	}
	defer rows.Close()
	out := []Counter{}
	for rows.Next() {
		var c Counter
		var groups string
		if err := rows.Scan(&c.Number, &c.Name, &groups, &c.Open); err != nil {
			return nil, apperr.Wrap(err, "queue counters")
		}
		c.Groups = strings.Fields(groups)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Counter returns one counter.
func (s *Service) Counter(ctx context.Context, agency string, number int) (*Counter, error) {
	cs, err := s.Counters(ctx, agency)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].Number == number {
			return &cs[i], nil
		}
	}
	return nil, ErrCounterNotFound
}

// SetCounter sets the groups a counter serves and whether it is open.
func (s *Service) SetCounter(ctx context.Context, by audit.Actor, agency string, number int, groups []string, open bool) error {
	known, err := s.Groups(ctx, agency, true)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if !slices.ContainsFunc(known, func(k Group) bool { return k.Code == g }) {
			return ErrGroupNotFound
		}
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE counters SET queue_groups = $1, queue_open = $2 WHERE agency_code = $3 AND number = $4",
			strings.Join(groups, " "), open, agency, number)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrCounterNotFound
		}
		if err := audit.Append(ctx, tx, s.now(), audit.Event{Actor: by, Action: "queue.counter_set", ObjectType: "counter", ObjectID: fmt.Sprintf("%s/%d", agency, number),
			Detail: map[string]any{"groups": groups, "open": open}}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Event{Kind: "changed", Agency: agency, Counter: number})
	})
	s.cache.forget(agency)
	if err := wrapWrite(err, "set counter"); err != nil {
		return err
	}
	s.published(Event{Kind: "changed", Agency: agency, Counter: number})
	return nil
}

// Settings returns a centre's queue rules.
func (s *Service) Settings(ctx context.Context, agency string) (Settings, error) {
	if st, ok := cacheGet(&s.cache, s.cache.settings, agency, configTTL); ok {
		st.PriorityClasses = slices.Clone(st.PriorityClasses)
		return st, nil
	}
	st, _, err := loadSettings(ctx, s.db.Read(), agency)
	if err == nil {
		cachePut(&s.cache, s.cache.settings, agency, st)
	}
	return st, err
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func loadSettings(ctx context.Context, q rowQuerier, agency string) (Settings, int, error) {
	st := DefaultSettings()
	var doc string
	var run int
	err := q.QueryRowContext(ctx, "SELECT doc, normal_run FROM queue_settings WHERE agency_code = $1", agency).Scan(&doc, &run)
	if errors.Is(err, sql.ErrNoRows) {
		return st, 0, nil
	}
	if err != nil {
		return st, 0, apperr.Wrap(err, "queue settings")
	}
	// Decoding into the defaults' classes would fill a class saved without
	// an English name with the default class's at the same place.
	st.PriorityClasses = nil
	if err := json.Unmarshal([]byte(doc), &st); err != nil {
		return DefaultSettings(), run, nil
	}
	if st.clean() != nil {
		return DefaultSettings(), run, nil
	}
	return st, run, nil
}

// SaveSettings changes a centre's queue rules.
func (s *Service) SaveSettings(ctx context.Context, by audit.Actor, agency string, st Settings) error {
	if err := st.clean(); err != nil {
		return err
	}
	doc, _ := json.Marshal(st)
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO queue_settings (agency_code, doc, normal_run, updated_at) VALUES ($1, $2, 0, $3)
			ON CONFLICT (agency_code) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`, agency, string(doc), ms(s.now())); err != nil {
			return err
		}
		if err := audit.Append(ctx, tx, s.now(), audit.Event{Actor: by, Action: "queue.settings_save", ObjectType: "queue_settings", ObjectID: agency,
			Detail: map[string]any{"settings": json.RawMessage(doc)}}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Event{Kind: "changed", Agency: agency})
	})
	s.cache.forget(agency)
	if err := wrapWrite(err, "save queue settings"); err != nil {
		return err
	}
	s.published(Event{Kind: "changed", Agency: agency})
	return nil
}

// wrapWrite keeps application errors and wraps the rest.
func wrapWrite(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(err, what)
}
