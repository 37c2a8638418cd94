package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
)

// Service keeps the official schedules an administrator loads in the
// database, and installs them into the Calendar. Loaded schedules override
// the shipped ones for their year, which override the projection.
type Service struct {
	db  *store.DB
	cal *Calendar
}

// NewService returns a service that stores schedules in db for cal.
func NewService(db *store.DB, cal *Calendar) *Service { return &Service{db: db, cal: cal} }

// Calendar is the live calendar.
func (s *Service) Calendar() *Calendar { return s.cal }

// Load installs every stored schedule into the calendar.
func (s *Service) Load(ctx context.Context) error {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT year, doc FROM calendar_schedules ORDER BY year")
	if err != nil {
		return fmt.Errorf("calendar: read schedules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var year int
		var doc string
		if err := rows.Scan(&year, &doc); err != nil {
			return fmt.Errorf("calendar: read schedules: %w", err)
		}
		sch, err := ParseSchedule([]byte(doc))
		if err != nil {
			return fmt.Errorf("calendar: stored schedule %d: %w", year, err)
		}
		if err := s.cal.SetOfficial(sch); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Save stores a year's official schedule and installs it at once; by is who
// loaded it (audited).
func (s *Service) Save(ctx context.Context, sch Schedule, by audit.Actor) error {
	if err := sch.Validate(); err != nil {
		return err
	}
	doc, err := json.Marshal(sch)
	if err != nil {
		return fmt.Errorf("calendar: encode schedule: %w", err)
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO calendar_schedules (year, doc, loaded_at, loaded_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (year) DO UPDATE SET doc = excluded.doc, loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by`,
			sch.Year, string(doc), time.Now().UnixMilli(), by.Name)
		if err != nil {
			return err
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "calendar.load_schedule", ObjectType: "schedule",
			ObjectID: fmt.Sprint(sch.Year), Detail: map[string]any{"days": len(sch.Days), "source": sch.Source}})
	})
	if err != nil {
		return fmt.Errorf("calendar: store schedule %d: %w", sch.Year, err)
	}
	return s.cal.SetOfficial(sch)
}

// Settings keys of the office hours an administrator sets at run time; they
// override the command-line flags.
const (
	settingOffice = "calendar_office"
	settingCutoff = "calendar_cutoff"
)

// FormatOffice writes office hours as ParseOffice reads them.
func FormatOffice(ps []Period) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Start.String()+"-"+p.End.String())
	}
	return strings.Join(parts, ",")
}

// LoadConfig installs the office hours stored in the database, if any.
func (s *Service) LoadConfig(ctx context.Context) error {
	var office, cutoff string
	s.db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", settingOffice).Scan(&office)
	s.db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", settingCutoff).Scan(&cutoff)
	if office == "" && cutoff == "" {
		return nil
	}
	cfg := s.cal.Config()
	if office != "" {
		p, err := ParseOffice(office)
		if err != nil {
			return fmt.Errorf("calendar: stored office hours: %w", err)
		}
		cfg.Office = p
	}
	if cutoff != "" {
		c, err := ParseClock(cutoff)
		if err != nil {
			return fmt.Errorf("calendar: stored cut-off: %w", err)
		}
		cfg.Cutoff = c
	}
	return s.cal.SetConfig(cfg)
}

// SaveConfig stores and installs new office hours and cut-off. Dossiers
// already received keep the dates they were promised.
func (s *Service) SaveConfig(ctx context.Context, office []Period, cutoff Clock, by audit.Actor) error {
	if len(office) == 0 {
		return fmt.Errorf("calendar: no office hours")
	}
	if cutoff <= office[0].Start || cutoff > office[len(office)-1].End {
		return fmt.Errorf("calendar: the cut-off %s must fall within office hours", cutoff)
	}
	cfg := s.cal.Config()
	cfg.Office, cfg.Cutoff = office, cutoff
	now := time.Now()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		for k, v := range map[string]string{settingOffice: FormatOffice(office), settingCutoff: cutoff.String()} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, k, v, now.UnixMilli()); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, now, audit.Event{Actor: by, Action: "calendar.set_office_hours", ObjectType: "calendar", ObjectID: "office",
			Detail: map[string]any{"office": FormatOffice(office), "cutoff": cutoff.String()}})
	})
	if err != nil {
		return fmt.Errorf("calendar: store office hours: %w", err)
	}
	return s.cal.SetConfig(cfg)
}
