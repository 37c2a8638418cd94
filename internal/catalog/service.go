package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
)

// Service keeps the catalogue in the database and serves a snapshot of it
// from memory. Import replaces procedures in one transaction and then swaps
// the snapshot, so readers never see half an import.
type Service struct {
	db      *store.DB
	current atomic.Pointer[Catalog]
}

// NewService returns a service over db with an empty snapshot; call Load.
func NewService(db *store.DB) *Service {
	s := &Service{db: db}
	s.current.Store(New(nil))
	return s
}

// Catalog is the current snapshot.
func (s *Service) Catalog() *Catalog { return s.current.Load() }

// Load reads the catalogue from the database into memory.
func (s *Service) Load(ctx context.Context) error {
	procs, err := s.readAll(ctx)
	if err != nil {
		return err
	}
	s.current.Store(New(procs))
	return nil
}

// Count returns how many procedures the database holds.
func (s *Service) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM procedures").Scan(&n); err != nil {
		return 0, fmt.Errorf("catalog: count: %w", err)
	}
	return n, nil
}

func (s *Service) readAll(ctx context.Context) ([]*Procedure, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT code, doc FROM procedures ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("catalog: read procedures: %w", err)
	}
	defer rows.Close()
	byCode := map[string]*Procedure{}
	var procs []*Procedure
	for rows.Next() {
		var code, doc string
		if err := rows.Scan(&code, &doc); err != nil {
			return nil, fmt.Errorf("catalog: read procedures: %w", err)
		}
		p := &Procedure{}
		if err := json.Unmarshal([]byte(doc), p); err != nil {
			return nil, fmt.Errorf("catalog: procedure %s: %w", code, err)
		}
		p.Versions = nil
		byCode[code] = p
		procs = append(procs, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog: read procedures: %w", err)
	}
	vrows, err := s.db.Read().QueryContext(ctx, "SELECT code, doc FROM procedure_versions ORDER BY code, version")
	if err != nil {
		return nil, fmt.Errorf("catalog: read versions: %w", err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var code, doc string
		if err := vrows.Scan(&code, &doc); err != nil {
			return nil, fmt.Errorf("catalog: read versions: %w", err)
		}
		var v Version
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			return nil, fmt.Errorf("catalog: procedure %s version: %w", code, err)
		}
		if p, ok := byCode[code]; ok {
			p.Versions = append(p.Versions, v)
		}
	}
	return procs, vrows.Err()
}

// ImportResult counts what an import changed.
type ImportResult struct {
	Added, Updated int
	Versions       int
}

// Import validates the set and writes it: procedures are added or replaced
// (with all their versions), and the in-memory snapshot is reloaded.
// Procedures not in the set are left as they are.
func (s *Service) Import(ctx context.Context, set *Set, by audit.Actor) (ImportResult, error) {
	var errs Errors
	for _, p := range set.Procedures {
		errs = append(errs, Validate(p, set.Workflows)...)
	}
	if len(errs) > 0 {
		return ImportResult{}, errs
	}
	set.Freeze()
	var res ImportResult
	now := time.Now().UnixMilli()
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		res = ImportResult{}
		for _, p := range set.Procedures {
			head := *p
			head.Versions = nil
			doc, err := json.Marshal(head)
			if err != nil {
				return fmt.Errorf("catalog: encode %s: %w", p.Code, err)
			}
			var exists int
			err = tx.QueryRowContext(ctx, "SELECT 1 FROM procedures WHERE code = $1", p.Code).Scan(&exists)
			switch {
			case err == sql.ErrNoRows:
				res.Added++
				_, err = tx.ExecContext(ctx, "INSERT INTO procedures (code, name, field, doc, updated_at) VALUES ($1, $2, $3, $4, $5)",
					p.Code, p.Name, p.Field, string(doc), now)
			case err == nil:
				res.Updated++
				_, err = tx.ExecContext(ctx, "UPDATE procedures SET name = $2, field = $3, doc = $4, updated_at = $5 WHERE code = $1",
					p.Code, p.Name, p.Field, string(doc), now)
			}
			if err != nil {
				return fmt.Errorf("catalog: write %s: %w", p.Code, err)
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM procedure_versions WHERE code = $1", p.Code); err != nil {
				return fmt.Errorf("catalog: write %s: %w", p.Code, err)
			}
			for _, v := range p.Versions {
				vdoc, err := json.Marshal(v)
				if err != nil {
					return fmt.Errorf("catalog: encode %s v%d: %w", p.Code, v.Version, err)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO procedure_versions (code, version, effective_from, effective_to, doc)
					VALUES ($1, $2, $3, $4, $5)`, p.Code, v.Version, v.EffectiveFrom, v.EffectiveTo, string(vdoc)); err != nil {
					return fmt.Errorf("catalog: write %s v%d: %w", p.Code, v.Version, err)
				}
				res.Versions++
			}
		}
		codes := make([]string, 0, len(set.Procedures))
		for _, p := range set.Procedures {
			codes = append(codes, p.Code)
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "catalog.import", ObjectType: "catalog", ObjectID: "procedures",
			Detail: map[string]any{"added": res.Added, "updated": res.Updated, "procedures": codes}})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, s.Load(ctx)
}

// Served lists the procedures an agency's centre serves; empty means all
// of the catalogue.
func (s *Service) Served(ctx context.Context, agency string) ([]string, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT procedure_code FROM served_procedures WHERE agency_code = $1 ORDER BY procedure_code", agency)
	if err != nil {
		return nil, fmt.Errorf("catalog: served: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("catalog: served: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetServed replaces the list of procedures an agency's centre serves.
func (s *Service) SetServed(ctx context.Context, agency string, codes []string, by audit.Actor) error {
	cat := s.Catalog()
	for _, c := range codes {
		if _, ok := cat.Get(c); !ok {
			return fmt.Errorf("catalog: unknown procedure %s", c)
		}
	}
	return s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM served_procedures WHERE agency_code = $1", agency); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, "INSERT INTO served_procedures (agency_code, procedure_code) VALUES ($1, $2)", agency, c); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "catalog.set_served", ObjectType: "agency", ObjectID: agency,
			Detail: map[string]any{"procedures": codes}})
	})
}
