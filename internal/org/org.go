// Package org holds the organisations motcua serves: the commune People's
// Committee and its service centre, departments, partner agencies, villages
// and the centre's counters.
package org

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/motcua/motcua/internal/store"
)

// ErrNotFound is returned for an unknown agency.
var ErrNotFound = errors.New("org: not found")

// Agency is an administrative body identified by its electronic agency
// code (mã định danh điện tử của cơ quan).
type Agency struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEn  string `json:"name_en,omitempty"`
	Kind    string `json:"kind"` // commune, department, police, social_insurance, province
	Parent  string `json:"parent,omitempty"`
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	Centre  Centre `json:"centre"`
}

// Centre describes a commune's service centre for the public.
type Centre struct {
	Name     string `json:"name,omitempty"`
	Address  string `json:"address,omitempty"`
	Hours    string `json:"hours,omitempty"` // in plain words, e.g. "Sáng 7:30–11:30, chiều 13:00–17:00, thứ Hai đến thứ Sáu"
	Hotline  string `json:"hotline,omitempty"`
	Website  string `json:"website,omitempty"` // the official address citizens should trust
	Province string `json:"province,omitempty"`
	// Sandbox marks a demo or test installation; every page then says so.
	Sandbox bool `json:"sandbox,omitempty"`
}

// Village is a village (thôn) of a commune.
type Village struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Fictitious bool   `json:"fictitious"`
}

// Counter is a counter (quầy) at the centre.
type Counter struct {
	Number int    `json:"number"`
	Name   string `json:"name"`
}

// Service reads and writes organisations.
type Service struct{ db *store.DB }

// NewService returns the organisation service over db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// SettingHomeAgency names the agency whose centre this installation runs.
const SettingHomeAgency = "home_agency"

// Home returns the agency whose service centre this installation runs, or
// ErrNotFound when none is configured yet.
func (s *Service) Home(ctx context.Context) (*Agency, error) {
	var code string
	err := s.db.Read().QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", SettingHomeAgency).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("org: read home agency: %w", err)
	}
	return s.Get(ctx, code)
}

// Get returns one agency.
func (s *Service) Get(ctx context.Context, code string) (*Agency, error) {
	a := &Agency{}
	var parent sql.NullString
	var doc string
	err := s.db.Read().QueryRowContext(ctx, `SELECT code, name, name_en, kind, parent_code, address, phone, email, doc
		FROM agencies WHERE code = $1`, code).Scan(&a.Code, &a.Name, &a.NameEn, &a.Kind, &parent, &a.Address, &a.Phone, &a.Email, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("org: read agency %s: %w", code, err)
	}
	a.Parent = parent.String
	if err := json.Unmarshal([]byte(doc), &a.Centre); err != nil {
		return nil, fmt.Errorf("org: agency %s: %w", code, err)
	}
	return a, nil
}

// List returns every agency, by code.
func (s *Service) List(ctx context.Context) ([]Agency, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT code FROM agencies ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("org: list agencies: %w", err)
	}
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("org: list agencies: %w", err)
		}
		codes = append(codes, c)
	}
	rows.Close()
	out := make([]Agency, 0, len(codes))
	for _, c := range codes {
		a, err := s.Get(ctx, c)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// Villages lists a commune's villages by name.
func (s *Service) Villages(ctx context.Context, agency string) ([]Village, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT code, name, fictitious FROM villages WHERE agency_code = $1 ORDER BY code", agency)
	if err != nil {
		return nil, fmt.Errorf("org: villages: %w", err)
	}
	defer rows.Close()
	var out []Village
	for rows.Next() {
		var v Village
		if err := rows.Scan(&v.Code, &v.Name, &v.Fictitious); err != nil {
			return nil, fmt.Errorf("org: villages: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Counters lists the centre's counters.
func (s *Service) Counters(ctx context.Context, agency string) ([]Counter, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT number, name FROM counters WHERE agency_code = $1 ORDER BY number", agency)
	if err != nil {
		return nil, fmt.Errorf("org: counters: %w", err)
	}
	defer rows.Close()
	var out []Counter
	for rows.Next() {
		var c Counter
		if err := rows.Scan(&c.Number, &c.Name); err != nil {
			return nil, fmt.Errorf("org: counters: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveAgency inserts or replaces an agency within a write transaction.
func SaveAgency(ctx context.Context, tx store.Tx, a Agency) error {
	doc, err := json.Marshal(a.Centre)
	if err != nil {
		return fmt.Errorf("org: encode agency %s: %w", a.Code, err)
	}
	var parent sql.NullString
	if a.Parent != "" {
		parent = sql.NullString{String: a.Parent, Valid: true}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO agencies (code, name, name_en, kind, parent_code, address, phone, email, doc, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, kind = excluded.kind,
			parent_code = excluded.parent_code, address = excluded.address, phone = excluded.phone,
			email = excluded.email, doc = excluded.doc`,
		a.Code, a.Name, a.NameEn, a.Kind, parent, a.Address, a.Phone, a.Email, string(doc), time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("org: save agency %s: %w", a.Code, err)
	}
	return nil
}

// SetHome makes agency the installation's home agency.
func SetHome(ctx context.Context, tx store.Tx, code string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		SettingHomeAgency, code, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("org: set home agency: %w", err)
	}
	return nil
}
