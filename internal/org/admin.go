package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/store"
	"github.com/motcua/motcua/internal/vntext"
)

// Administration of agencies, departments and counters. Every write is
// checked first (with a Vietnamese message naming the field at fault) and
// audited in the transaction that makes it.

// Kinds of agency.
const (
	KindCommune         = "commune"
	KindDepartment      = "department"
	KindPolice          = "police"
	KindSocialInsurance = "social_insurance"
	KindProvince        = "province"
)

// Kinds lists the kinds of agency an administrator may choose.
var Kinds = []string{KindCommune, KindDepartment, KindPolice, KindSocialInsurance, KindProvince}

// MaxCounter is the highest counter number (a staff account's counter is 1–99).
const MaxCounter = 99

var agencyCodePattern = regexp.MustCompile(`^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$`)

// ErrAgencyNotFound is the apperr form of ErrNotFound.
var ErrAgencyNotFound = apperr.New(apperr.NotFound, "agency_not_found", "Không có cơ quan này.")

// clean normalises an agency's text and checks what does not need the
// database.
func (a *Agency) clean() error {
	sp := func(s string) string { return vntext.NFC(strings.Join(strings.Fields(s), " ")) }
	a.Code = strings.TrimSpace(a.Code)
	a.Name, a.NameEn = sp(a.Name), sp(a.NameEn)
	a.Kind, a.Parent = strings.TrimSpace(a.Kind), strings.TrimSpace(a.Parent)
	a.Address, a.Phone, a.Email = sp(a.Address), sp(a.Phone), strings.TrimSpace(a.Email)
	a.Centre.Name, a.Centre.Address, a.Centre.Hours = sp(a.Centre.Name), sp(a.Centre.Address), sp(a.Centre.Hours)
	a.Centre.Hotline, a.Centre.Website = sp(a.Centre.Hotline), strings.TrimSpace(a.Centre.Website)
	for field, v := range map[string]string{"name": a.Name, "name_en": a.NameEn, "address": a.Address, "phone": a.Phone, "email": a.Email,
		"centre.name": a.Centre.Name, "centre.address": a.Centre.Address, "centre.hours": a.Centre.Hours, "centre.hotline": a.Centre.Hotline,
		"centre.website": a.Centre.Website, "code": a.Code, "parent": a.Parent, "kind": a.Kind} {
		if !vntext.Valid(v) {
			return apperr.Field(field, "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
		}
	}
	switch {
	case a.Code == "":
		return apperr.Field("code", "agency_code_required", "Vui lòng nhập mã định danh của cơ quan.")
	case len(a.Code) > 50 || !agencyCodePattern.MatchString(a.Code):
		return apperr.Field("code", "invalid_agency_code", "Mã cơ quan chỉ gồm chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới (tối đa 50 ký tự), ví dụ H56.16072.KT.")
	case a.Name == "":
		return apperr.Field("name", "agency_name_required", "Vui lòng nhập tên cơ quan.")
	case utf8.RuneCountInString(a.Name) > 200:
		return apperr.Field("name", "agency_name_too_long", "Tên cơ quan dài quá 200 ký tự.")
	case utf8.RuneCountInString(a.NameEn) > 200:
		return apperr.Field("name_en", "agency_name_too_long", "Tên tiếng Anh dài quá 200 ký tự.")
	case !slices.Contains(Kinds, a.Kind):
		return apperr.Field("kind", "invalid_agency_kind", "Loại cơ quan không hợp lệ.")
	case a.Parent == a.Code:
		return apperr.Field("parent", "agency_own_parent", "Một cơ quan không thể là cơ quan cấp trên của chính nó.")
	case utf8.RuneCountInString(a.Address) > 300:
		return apperr.Field("address", "address_too_long", "Địa chỉ dài quá 300 ký tự.")
	case len(a.Phone) > 50:
		return apperr.Field("phone", "phone_too_long", "Số điện thoại dài quá 50 ký tự.")
	case len(a.Centre.Hotline) > 50:
		return apperr.Field("centre_hotline", "phone_too_long", "Số đường dây nóng dài quá 50 ký tự.")
	case utf8.RuneCountInString(a.Centre.Name) > 200:
		return apperr.Field("centre_name", "centre_name_too_long", "Tên Trung tâm dài quá 200 ký tự.")
	case utf8.RuneCountInString(a.Centre.Hours) > 300:
		return apperr.Field("centre_hours", "centre_hours_too_long", "Giờ làm việc dài quá 300 ký tự.")
	case len(a.Centre.Website) > 200 || strings.ContainsAny(a.Centre.Website, " <>\"'"):
		return apperr.Field("centre_website", "invalid_website", "Địa chỉ trang web không hợp lệ.")
	}
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email || len(a.Email) > 200 {
			return apperr.Field("email", "invalid_email", "Địa chỉ thư điện tử không hợp lệ, ví dụ ubnd@thanhhoa.gov.vn.")
		}
	}
	return nil
}

// checkParent checks, in the transaction, that the parent exists, that a
// department hangs under a commune, and that the chain of parents has no loop.
func checkParent(ctx context.Context, tx store.Tx, a *Agency) error {
	if a.Parent == "" {
		if a.Kind == KindDepartment {
			return apperr.Field("parent", "department_parent_required", "Phòng, ban phải thuộc một Ủy ban nhân dân xã.")
		}
		return nil
	}
	var kind string
	err := tx.QueryRowContext(ctx, "SELECT kind FROM agencies WHERE code = $1", a.Parent).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Field("parent", "parent_not_found", "Không có cơ quan cấp trên này.")
	}
	if err != nil {
		return err
	}
	if a.Kind == KindDepartment && kind != KindCommune {
		return apperr.Field("parent", "department_parent_commune", "Phòng, ban phải thuộc một Ủy ban nhân dân xã.")
	}
	seen := map[string]bool{a.Code: true}
	for p := a.Parent; p != ""; {
		if seen[p] {
			return apperr.Field("parent", "agency_parent_loop", "Cơ quan cấp trên này lại trực thuộc cơ quan đang sửa: không thể chọn.")
		}
		seen[p] = true
		var next sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT parent_code FROM agencies WHERE code = $1", p).Scan(&next); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				break
			}
			return err
		}
		p = next.String
	}
	return nil
}

func agencyDetail(a Agency) map[string]any {
	return map[string]any{"name": a.Name, "kind": a.Kind, "parent": a.Parent, "address": a.Address, "phone": a.Phone, "email": a.Email,
		"centre": a.Centre}
}

// writeErr passes apperr errors through and wraps the rest.
func writeErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apperr.Wrap(err, what)
}

// CreateAgency adds an agency; by is who adds it (audited).
func (s *Service) CreateAgency(ctx context.Context, a Agency, by audit.Actor) error {
	if err := a.clean(); err != nil {
		return err
	}
	if a.Kind != KindCommune {
		a.Centre = Centre{Province: a.Centre.Province}
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM agencies WHERE code = $1", a.Code).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("code", "agency_code_taken", "Đã có cơ quan với mã này.")
		}
		if err := checkParent(ctx, tx, &a); err != nil {
			return err
		}
		if err := SaveAgency(ctx, tx, a); err != nil {
			return err
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "agency.create", ObjectType: "agency", ObjectID: a.Code,
			Detail: agencyDetail(a)})
	})
	return writeErr(err, "create agency")
}

// CreateDepartment adds a department (phòng, ban) of the home commune.
func (s *Service) CreateDepartment(ctx context.Context, a Agency, by audit.Actor) error {
	home, err := s.Home(ctx)
	if errors.Is(err, ErrNotFound) {
		return apperr.New(apperr.Conflict, "no_home_agency", "Chưa cấu hình Ủy ban nhân dân xã mà hệ thống phục vụ.")
	}
	if err != nil {
		return apperr.Wrap(err, "home agency")
	}
	a.Kind, a.Parent = KindDepartment, home.Code
	return s.CreateAgency(ctx, a, by)
}

// UpdateAgency changes an agency (its code stays). A commune's centre
// facts are kept as given; the province and the sandbox mark are kept as
// they were.
func (s *Service) UpdateAgency(ctx context.Context, a Agency, by audit.Actor) error {
	old, err := s.Get(ctx, strings.TrimSpace(a.Code))
	if errors.Is(err, ErrNotFound) {
		return ErrAgencyNotFound
	}
	if err != nil {
		return apperr.Wrap(err, "agency")
	}
	if err := a.clean(); err != nil {
		return err
	}
	a.Centre.Province, a.Centre.Sandbox = old.Centre.Province, old.Centre.Sandbox
	if a.Kind != KindCommune {
		a.Centre = Centre{Province: old.Centre.Province, Sandbox: old.Centre.Sandbox}
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := checkParent(ctx, tx, &a); err != nil {
			return err
		}
		if a.Kind != KindCommune && old.Kind == KindCommune {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM agencies WHERE parent_code = $1 AND kind = $2", a.Code, KindDepartment).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return apperr.Field("kind", "commune_has_departments", "Ủy ban nhân dân xã này còn phòng, ban trực thuộc: không thể đổi sang loại khác.")
			}
		}
		if err := SaveAgency(ctx, tx, a); err != nil {
			return err
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "agency.update", ObjectType: "agency", ObjectID: a.Code,
			Detail: agencyDetail(a)})
	})
	return writeErr(err, "update agency")
}

func cleanCounter(number int, name string) (string, error) {
	if !vntext.Valid(name) {
		return "", apperr.Field("name", "invalid_text", "Nội dung có ký tự không hợp lệ (ký tự điều khiển hoặc lỗi mã hóa). Vui lòng nhập lại.")
	}
	name = vntext.NFC(strings.Join(strings.Fields(name), " "))
	if number < 1 || number > MaxCounter {
		return "", apperr.Field("number", "invalid_counter_number", fmt.Sprintf("Số quầy phải từ 1 đến %d.", MaxCounter))
	}
	if name == "" {
		return "", apperr.Field("name", "counter_name_required", "Vui lòng nhập tên quầy, ví dụ: Quầy 1 – Hộ tịch.")
	}
	if utf8.RuneCountInString(name) > 100 {
		return "", apperr.Field("name", "counter_name_too_long", "Tên quầy dài quá 100 ký tự.")
	}
	return name, nil
}

// ErrCounterNotFound is returned for an unknown counter.
var ErrCounterNotFound = apperr.New(apperr.NotFound, "counter_not_found", "Không có quầy này.")

func counterExists(ctx context.Context, tx store.Tx, agency string, number int) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM counters WHERE agency_code = $1 AND number = $2", agency, number).Scan(&n)
	return n > 0, err
}

// AddCounter adds a counter to an agency's centre.
func (s *Service) AddCounter(ctx context.Context, agency string, c Counter, by audit.Actor) error {
	name, err := cleanCounter(c.Number, c.Name)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM agencies WHERE code = $1", agency).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrAgencyNotFound
		}
		if ok, err := counterExists(ctx, tx, agency, c.Number); err != nil {
			return err
		} else if ok {
			return apperr.Field("number", "counter_exists", fmt.Sprintf("Đã có quầy số %d.", c.Number))
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO counters (agency_code, number, name) VALUES ($1, $2, $3)", agency, c.Number, name); err != nil {
			return err
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "counter.add", ObjectType: "counter", ObjectID: fmt.Sprintf("%s/%d", agency, c.Number),
			Detail: map[string]any{"name": name}})
	})
	return writeErr(err, "add counter")
}

// RenameCounter renames one of an agency's counters.
func (s *Service) RenameCounter(ctx context.Context, agency string, number int, name string, by audit.Actor) error {
	name, err := cleanCounter(number, name)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, "SELECT name FROM counters WHERE agency_code = $1 AND number = $2", agency, number).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrCounterNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE counters SET name = $1 WHERE agency_code = $2 AND number = $3", name, agency, number); err != nil {
			return err
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "counter.rename", ObjectType: "counter", ObjectID: fmt.Sprintf("%s/%d", agency, number),
			Detail: map[string]any{"from": old, "to": name}})
	})
	return writeErr(err, "rename counter")
}

// RemoveCounter removes a counter. Officers still seated at it (accounts
// in use with that counter number) must be moved first.
func (s *Service) RemoveCounter(ctx context.Context, agency string, number int, by audit.Actor) error {
	err := s.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, "SELECT name FROM counters WHERE agency_code = $1 AND number = $2", agency, number).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrCounterNotFound
		}
		if err != nil {
			return err
		}
		// The agency's own officers and those of its units (departments,
		// commune police) sit at its counters.
		rows, err := tx.QueryContext(ctx, `SELECT full_name FROM users WHERE counter_number = $1 AND NOT disabled
			AND (agency_code = $2 OR agency_code IN (SELECT code FROM agencies WHERE parent_code = $2)) ORDER BY full_name`,
			number, agency)
		if err != nil {
			return err
		}
		var seated []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			seated = append(seated, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(seated) > 0 {
			return apperr.New(apperr.Conflict, "counter_in_use",
				fmt.Sprintf("Quầy số %d đang có cán bộ ngồi (%s). Hãy chuyển họ sang quầy khác trước khi bỏ quầy.", number, strings.Join(seated, ", ")))
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM counters WHERE agency_code = $1 AND number = $2", agency, number); err != nil {
			return err
		}
		return audit.Append(ctx, tx, time.Now(), audit.Event{Actor: by, Action: "counter.remove", ObjectType: "counter", ObjectID: fmt.Sprintf("%s/%d", agency, number),
			Detail: map[string]any{"name": old}})
	})
	return writeErr(err, "remove counter")
}
