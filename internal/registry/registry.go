// Package registry is motcua's port to the National Population Database
// (Cơ sở dữ liệu quốc gia về dân cư): look a resident up by personal ID
// number so that forms pre-fill and papers already held by the state are not
// asked for again (Decree 45/2020). Communes reach the database through the
// province's data-sharing platform (LGSP/NDXP) by agreement, so motcua holds
// a protocol client and, beside it, a sandbox that speaks the same protocol
// over synthetic residents — clearly labelled sandbox — for demos and tests.
package registry

import (
	"context"
	"github.com/motcua/motcua/internal/vntext"
	"time"

	"github.com/motcua/motcua/internal/apperr"
)

// Person is a resident as the population database returns them.
type Person struct {
	IDNumber         string `json:"so_dinh_danh"`
	FullName         string `json:"ho_ten"`
	BirthDate        string `json:"ngay_sinh"` // YYYY-MM-DD
	Sex              string `json:"gioi_tinh"` // male, female
	Ethnicity        string `json:"dan_toc"`
	Religion         string `json:"ton_giao"`
	Nationality      string `json:"quoc_tich"`
	Hometown         string `json:"que_quan"`
	PermanentAddress string `json:"noi_thuong_tru"`
	CurrentAddress   string `json:"noi_o_hien_tai"`
	Phone            string `json:"so_dien_thoai,omitempty"`
	HouseholdID      string `json:"ma_ho"`
	HouseholdHead    string `json:"chu_ho"`
	RelationToHead   string `json:"quan_he_voi_chu_ho"`
	MaritalStatus    string `json:"tinh_trang_hon_nhan"`
	EIDLevel         int    `json:"muc_dinh_danh_dien_tu"` // VNeID level: 0, 1, 2
	// Source names the database that answered (MaCSDL), "SANDBOX" for the sandbox.
	Source string `json:"nguon"`
}

// Attr returns the attribute an e-form field pre-fills from (catalog
// Field.Prefill).
func (p *Person) Attr(name string) string {
	switch name {
	case "full_name":
		return p.FullName
	case "birth_date":
		return p.BirthDate
	case "sex":
		return p.Sex
	case "id_number":
		return p.IDNumber
	case "address", "permanent_address":
		return p.PermanentAddress
	case "current_address":
		return p.CurrentAddress
	case "phone":
		return p.Phone
	case "ethnicity":
		return p.Ethnicity
	case "nationality":
		return p.Nationality
	case "religion":
		return p.Religion
	case "hometown":
		return p.Hometown
	case "marital_status":
		return p.MaritalStatus
	case "household_head":
		return p.HouseholdHead
	case "relation_to_head":
		return p.RelationToHead
	}
	return ""
}

// Purpose says why a resident is looked up; the database logs it.
type Purpose struct {
	Procedure string // the procedure code
	Officer   string // the officer's id (or the citizen's, online)
}

// Population is the port.
type Population interface {
	Lookup(ctx context.Context, idNumber string, purpose Purpose) (*Person, error)
	// Sandbox reports whether this is the sandbox, to label it in the UI.
	Sandbox() bool
}

// Errors of the port.
var (
	ErrNotFound    = apperr.New(apperr.NotFound, "resident_not_found", "Không tìm thấy công dân có số định danh này trong Cơ sở dữ liệu quốc gia về dân cư.")
	ErrUnavailable = apperr.New(apperr.Unavailable, "population_unavailable", "Cơ sở dữ liệu dân cư tạm thời không trả lời. Vui lòng thử lại, hoặc nhập thông tin theo giấy tờ công dân xuất trình.")
	ErrInvalidID   = apperr.Field("id_number", "invalid_id_number", "Số định danh cá nhân phải gồm đúng 12 chữ số.")
)

// timeout bounds one lookup; the counter must not wait longer.
const timeout = 5 * time.Second

// MaritalCode is the catalogue's code (single, married, divorced, widowed)
// for the marital status the population database states in words, or "".
func MaritalCode(label string) string {
	return map[string]string{
		"chua ket hon": "single", "doc than": "single",
		"da ket hon": "married", "dang co vo hoac chong": "married", "co vo": "married", "co chong": "married",
		"da ly hon": "divorced", "ly hon": "divorced",
		"goa": "widowed", "vo hoac chong da mat": "widowed",
	}[vntext.Fold(label)]
}
