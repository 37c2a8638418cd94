// Package dx is the commune's digital-transformation dashboard
// (chuyển đổi số): the figures motcua computes from its own dossiers, the
// figures officers enter (or import from a spreadsheet) with their source
// and date, each with a target and a trend, and the community
// digital-technology teams' work.
//
// The computed figures here are the dashboard's own, simple ones (a share
// of dossiers over a period). The Decision 766 index, with its exact
// formulas, thresholds and drill-down, is internal/score's; the two are
// kept apart on purpose so that neither is mistaken for the other.
package dx

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// Kinds of indicator.
const (
	Computed = "computed" // from motcua's own data
	Entered  = "entered"  // entered by officers or imported
)

// Units of a value.
const (
	Percent = "percent" // 0–100, usually numerator ÷ denominator
	Count   = "count"   // a whole number
)

// Indicator is one figure of the dashboard.
type Indicator struct {
	Key  string `json:"key"`
	Kind string `json:"kind"`
	Unit string `json:"unit"`
	// Name and Definition are Vietnamese; NameEN and DefinitionEN English.
	Name         string `json:"name"`
	NameEN       string `json:"name_en"`
	Definition   string `json:"definition"`
	DefinitionEN string `json:"definition_en"`
	// NumLabel and DenLabel name the numerator and the denominator of a
	// percentage ("người đã kích hoạt", "người trưởng thành").
	NumLabel, NumLabelEN string
	DenLabel, DenLabelEN string
	// Target is the default target (percent or count), 0 for none;
	// TargetSource says who sets it.
	Target       float64 `json:"target,omitempty"`
	TargetSource string  `json:"target_source,omitempty"`
	// Basis is the programme the figure is reported under.
	Basis string `json:"basis"`
}

// Keys of the computed indicators.
const (
	OnlineShare   = "online_share"
	OnTime        = "on_time"
	EResults      = "e_results"
	OnlinePayment = "online_payment"
	Reuse         = "reuse"
	Assisted      = "assisted"
)

// Indicators are the dashboard's figures in the order shown: what motcua
// computes first, then what officers report. The list and the definitions
// follow vietnam-rules §10 (Resolution 57, Project 06, the provincial
// targets) and the figures Hoa Lộc reports.
var Indicators = []Indicator{
	{Key: OnlineShare, Kind: Computed, Unit: Percent, Basis: "NQ 57-NQ/TW; QĐ 766 (3.3)",
		Name: "Hồ sơ nộp trực tuyến", NameEN: "Dossiers submitted online",
		Definition:   "Hồ sơ nộp qua dịch vụ công trực tuyến trên tổng số hồ sơ tiếp nhận trong kỳ.",
		DefinitionEN: "Dossiers submitted through the online services, out of all dossiers received in the period.",
		NumLabel:     "hồ sơ trực tuyến", NumLabelEN: "online dossiers", DenLabel: "hồ sơ tiếp nhận", DenLabelEN: "dossiers received",
		Target: 50, TargetSource: "QĐ 766/QĐ-TTg, chỉ số 3.3: đạt điểm tối đa khi từ 50%"},
	{Key: OnTime, Kind: Computed, Unit: Percent, Basis: "QĐ 766 (2.1)",
		Name: "Hồ sơ giải quyết đúng hạn", NameEN: "Dossiers handled on time",
		Definition:   "Hồ sơ giải quyết xong trong kỳ trước hoặc đúng hẹn (không phải xin lỗi hẹn lại, không bổ sung quá một lần), trên số hồ sơ giải quyết xong trong kỳ cộng hồ sơ còn dở và đã quá hạn vào cuối kỳ.",
		DefinitionEN: "Dossiers finished in the period on or before the promised date (no apology and new date, at most one supplement request), out of those finished plus those still open and overdue at the end of the period.",
		NumLabel:     "hồ sơ đúng hạn", NumLabelEN: "on time", DenLabel: "hồ sơ đã xong hoặc quá hạn", DenLabelEN: "finished or overdue",
		Target: 98, TargetSource: "Mục tiêu cấp tỉnh (ví dụ Lâm Đồng 2025): từ 98%"},
	{Key: EResults, Kind: Computed, Unit: Percent, Basis: "NQ 57-NQ/TW; QĐ 766 (4.1)",
		Name: "Kết quả được cấp bản điện tử", NameEN: "Results issued electronically",
		Definition:   "Hồ sơ giải quyết xong trong kỳ có kết quả điện tử, trên số hồ sơ giải quyết xong trong kỳ.",
		DefinitionEN: "Dossiers finished in the period with an electronic result, out of all dossiers finished in the period.",
		NumLabel:     "có kết quả điện tử", NumLabelEN: "with an e-result", DenLabel: "hồ sơ đã xong", DenLabelEN: "dossiers finished",
		Target: 80, TargetSource: "Mục tiêu cấp tỉnh (ví dụ Lâm Đồng 2025): số hóa hồ sơ, kết quả từ 80%"},
	{Key: OnlinePayment, Kind: Computed, Unit: Percent, Basis: "NQ 57-NQ/TW; QĐ 766 (3.6)",
		Name: "Thanh toán phí, lệ phí trực tuyến", NameEN: "Fees paid online",
		Definition:   "Hồ sơ có phí, lệ phí được nộp trực tuyến, trên số hồ sơ đã nộp phí, lệ phí trong kỳ.",
		DefinitionEN: "Fee-bearing dossiers paid online, out of all fee-bearing dossiers paid in the period.",
		NumLabel:     "nộp trực tuyến", NumLabelEN: "paid online", DenLabel: "hồ sơ đã nộp phí", DenLabelEN: "dossiers paid",
		Target: 60, TargetSource: "Mục tiêu cấp tỉnh (ví dụ Lâm Đồng 2025): từ 60%"},
	{Key: Reuse, Kind: Computed, Unit: Percent, Basis: "Đề án 06; QĐ 766 (4.3)",
		Name: "Hồ sơ dùng lại dữ liệu đã số hóa", NameEN: "Dossiers reusing digitised data",
		Definition:   "Hồ sơ tiếp nhận trong kỳ có ít nhất một thành phần lấy từ cơ sở dữ liệu hoặc kho dữ liệu của công dân, trên tổng số hồ sơ tiếp nhận.",
		DefinitionEN: "Dossiers received in the period with at least one document taken from a database or the citizen's data store, out of all dossiers received.",
		NumLabel:     "có dùng lại dữ liệu", NumLabelEN: "reusing data", DenLabel: "hồ sơ tiếp nhận", DenLabelEN: "dossiers received",
		Target: 50, TargetSource: "Mục tiêu cấp tỉnh (ví dụ Lâm Đồng 2025): từ 50%"},
	{Key: Assisted, Kind: Computed, Unit: Count, Basis: "NQ 57-NQ/TW (tổ công nghệ số cộng đồng)",
		Name: "Hồ sơ nộp trực tuyến có người hỗ trợ", NameEN: "Online dossiers submitted with help",
		Definition:   "Hồ sơ công dân nộp trực tuyến với sự hỗ trợ của cán bộ một cửa hoặc tổ công nghệ số cộng đồng, có sự đồng ý của công dân.",
		DefinitionEN: "Dossiers citizens submitted online with the help of a counter officer or a community digital team, with the citizen's consent."},

	{Key: "eid_level2", Kind: Entered, Unit: Percent, Basis: "Đề án 06",
		Name: "Người trưởng thành có định danh điện tử mức 2", NameEN: "Adults with a level-2 e-ID",
		Definition:   "Người từ 14 tuổi trở lên đã kích hoạt tài khoản định danh điện tử VNeID mức 2, trên số người từ 14 tuổi trở lên cư trú trên địa bàn (số liệu Công an xã).",
		DefinitionEN: "Residents aged 14 and over who have activated a level-2 VNeID account, out of all residents aged 14 and over (figures from the commune police).",
		NumLabel:     "người đã kích hoạt", NumLabelEN: "activated", DenLabel: "người trưởng thành", DenLabelEN: "adults"},
	{Key: "digital_platform", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Người dân dùng nền tảng số", NameEN: "People using a digital platform",
		Definition:   "Người dân dùng ít nhất một nền tảng số (dịch vụ công, VNeID, ngân hàng số…) để giao dịch hành chính, trên số người trưởng thành.",
		DefinitionEN: "People who use at least one digital platform (public services, VNeID, digital banking…) for administrative transactions, out of all adults.",
		NumLabel:     "người dùng", NumLabelEN: "users", DenLabel: "người trưởng thành", DenLabelEN: "adults"},
	{Key: "smartphone", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Người trưởng thành có điện thoại thông minh", NameEN: "Adults with a smartphone",
		Definition:   "Người trưởng thành sở hữu điện thoại thông minh, trên số người trưởng thành.",
		DefinitionEN: "Adults who own a smartphone, out of all adults.",
		NumLabel:     "người có điện thoại thông minh", NumLabelEN: "with a smartphone", DenLabel: "người trưởng thành", DenLabelEN: "adults"},
	{Key: "health_record", Kind: Entered, Unit: Percent, Basis: "Đề án 06; NQ 57-NQ/TW",
		Name: "Người dân có hồ sơ sức khỏe điện tử", NameEN: "People with an electronic health record",
		Definition:   "Người dân có hồ sơ sức khỏe điện tử được cập nhật, trên dân số của xã (số liệu Trạm y tế).",
		DefinitionEN: "People with an up-to-date electronic health record, out of the commune's population (figures from the health station).",
		NumLabel:     "người có hồ sơ", NumLabelEN: "with a record", DenLabel: "dân số", DenLabelEN: "population"},
	{Key: "cashless_electricity", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Hộ trả tiền điện không dùng tiền mặt", NameEN: "Households paying electricity without cash",
		Definition:   "Hộ gia đình thanh toán tiền điện không dùng tiền mặt, trên số hộ dùng điện (số liệu Điện lực).",
		DefinitionEN: "Households that pay their electricity bill without cash, out of all households with electricity (figures from the power company).",
		NumLabel:     "hộ", NumLabelEN: "households", DenLabel: "hộ dùng điện", DenLabelEN: "households with electricity"},
	{Key: "sme_einvoice", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Doanh nghiệp nhỏ và vừa dùng hóa đơn điện tử", NameEN: "Small and medium enterprises using e-invoices",
		Definition:   "Doanh nghiệp nhỏ và vừa trên địa bàn dùng hóa đơn điện tử, trên số doanh nghiệp nhỏ và vừa (số liệu Thuế).",
		DefinitionEN: "Small and medium enterprises in the commune that use e-invoices, out of all of them (figures from the tax office).",
		NumLabel:     "doanh nghiệp", NumLabelEN: "enterprises", DenLabel: "doanh nghiệp nhỏ và vừa", DenLabelEN: "small and medium enterprises"},
	{Key: "sme_platform", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Doanh nghiệp nhỏ và vừa dùng nền tảng số", NameEN: "Small and medium enterprises using digital platforms",
		Definition:   "Doanh nghiệp nhỏ và vừa dùng nền tảng số trong sản xuất, kinh doanh hoặc quản lý, trên số doanh nghiệp nhỏ và vừa.",
		DefinitionEN: "Small and medium enterprises that use digital platforms in production, business or management, out of all of them.",
		NumLabel:     "doanh nghiệp", NumLabelEN: "enterprises", DenLabel: "doanh nghiệp nhỏ và vừa", DenLabelEN: "small and medium enterprises"},
	{Key: "school_digital", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Trường tiểu học, THCS quản lý bằng số", NameEN: "Primary and lower-secondary schools run digitally",
		Definition:   "Trường tiểu học và trung học cơ sở quản lý số, dữ liệu số chuẩn hóa, có học liệu mở (ứng dụng cho giáo viên, phụ huynh), trên số trường.",
		DefinitionEN: "Primary and lower-secondary schools with digital management, standardised digital data and open learning materials (teacher and parent apps), out of all of them.",
		NumLabel:     "trường", NumLabelEN: "schools", DenLabel: "trường tiểu học, THCS", DenLabelEN: "primary and lower-secondary schools"},
	{Key: "school_cashless", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Trường học nhận thanh toán không dùng tiền mặt", NameEN: "Schools accepting cashless payment",
		Definition:   "Trường học trên địa bàn nhận thanh toán học phí, các khoản thu không dùng tiền mặt, trên số trường.",
		DefinitionEN: "Schools in the commune that accept fees and other payments without cash, out of all schools.",
		NumLabel:     "trường", NumLabelEN: "schools", DenLabel: "trường học", DenLabelEN: "schools"},
	{Key: "docs_electronic", Kind: Entered, Unit: Percent, Basis: "NQ 57-NQ/TW",
		Name: "Văn bản giữa các cơ quan gửi, nhận điện tử", NameEN: "Documents between agencies sent electronically",
		Definition:   "Văn bản đi, đến giữa các cơ quan qua hệ thống quản lý văn bản điện tử (trừ văn bản mật), trên tổng số văn bản.",
		DefinitionEN: "Documents sent and received between agencies through the electronic document system (secret documents excepted), out of all documents.",
		NumLabel:     "văn bản điện tử", NumLabelEN: "electronic", DenLabel: "văn bản", DenLabelEN: "documents",
		Target: 100, TargetSource: "Mục tiêu cấp tỉnh (ví dụ Lâm Đồng 2025): 100% văn bản, hồ sơ công việc xử lý trên môi trường điện tử"},
	{Key: "cashless_points", Kind: Entered, Unit: Count, Basis: "NQ 57-NQ/TW",
		Name: "Điểm chấp nhận thanh toán không dùng tiền mặt", NameEN: "Points accepting cashless payment",
		Definition:   "Số cửa hàng, chợ, cơ sở dịch vụ trên địa bàn nhận thanh toán không dùng tiền mặt (mã QR, thẻ).",
		DefinitionEN: "Shops, markets and service points in the commune that accept cashless payment (QR code, card)."},
}

// Lookup returns the indicator with key.
func Lookup(key string) (Indicator, bool) {
	for _, in := range Indicators {
		if in.Key == key {
			return in, true
		}
	}
	return Indicator{}, false
}

// Who may read the dashboard, and who may enter figures and targets.
var (
	ReadRoles  = []string{identity.RoleLeader, identity.RoleAdministrator, identity.RoleSupervisor}
	EnterRoles = []string{identity.RoleLeader, identity.RoleAdministrator}
)

// Service keeps and computes the dashboard's figures.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New makes the service; now nil means time.Now.
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: db, now: now}
}

var errForbidden = apperr.New(apperr.Forbidden, "forbidden", "Chỉ lãnh đạo và quản trị hệ thống được nhập số liệu chuyển đổi số.")

func canEnter(p *identity.Principal) error {
	if !p.HasAny(EnterRoles...) {
		return errForbidden
	}
	return nil
}

// canRead: leaders and administrators read their own unit's figures; a
// province supervisor reads those of every commune under the province.
func canRead(p *identity.Principal, agency string) error {
	ok := p.HasAny(EnterRoles...) && p.CanActFor(agency)
	if p.Has(identity.RoleSupervisor) {
		ok = ok || p.Agency == "" || agency == p.Agency || strings.HasPrefix(agency, p.Agency+".")
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "forbidden", "Tài khoản của bạn không được xem số liệu chuyển đổi số của đơn vị này.")
	}
	return nil
}

func newID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// round2 rounds to two decimals, as the national reports do.
func round2(f float64) float64 { return math.Round(f*100) / 100 }

// Ratio is num ÷ den as a percentage with two decimals; ok is false when
// den is 0 (no data, never zero).
func Ratio(num, den int64) (float64, bool) {
	if den <= 0 {
		return 0, false
	}
	return round2(float64(num) * 100 / float64(den)), true
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
	return apperr.Wrap(err, "dx: "+what)
}

// dayOf is t's date in Vietnam.
func dayOf(t time.Time) string { return t.In(calendar.Location).Format("2006-01-02") }
