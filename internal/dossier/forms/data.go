// Package forms renders the one-stop forms 01–07 (Circular 01/2018/TT-VPCP,
// and Circular 03/2025/TT-VPCP with its own numbering) as printable HTML and
// as PDF with correct Vietnamese diacritics and the national heading, and
// the dossier register as XLSX. It only renders: the dossier engine fills a
// Data and seals the PDF it gets back.
package forms

import "time"

// Kind is a form by its meaning; its number depends on the numbering in use.
type Kind string

// The forms.
const (
	Receipt     Kind = "receipt"      // Giấy tiếp nhận hồ sơ và hẹn trả kết quả
	Guidance    Kind = "guidance"     // Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
	Refusal     Kind = "refusal"      // Phiếu từ chối tiếp nhận (giải quyết) hồ sơ
	Apology     Kind = "apology"      // Phiếu/Văn bản xin lỗi và hẹn lại ngày trả kết quả
	StopNotice  Kind = "stop_notice"  // Thông báo dừng giải quyết hồ sơ (Circular 03/2025 only)
	ControlSlip Kind = "control_slip" // Phiếu kiểm soát quá trình giải quyết hồ sơ
	Register    Kind = "register"     // Sổ theo dõi hồ sơ
	// Result is the electronic copy of a dossier's result handed to the
	// applicant online: not one of the circulars' numbered forms.
	Result Kind = "result" // Bản điện tử kết quả giải quyết thủ tục hành chính
)

// Numbering is the circular whose form numbers are printed.
type Numbering string

// Numberings.
const (
	Circular01of2018 Numbering = "01/2018" // 01 receipt … 05 control slip, 06 register
	Circular03of2025 Numbering = "03/2025" // 01 … 04, 05 stop notice, 06 control slip, 07 register
)

// Number returns the printed form number ("Mẫu số 06") of a kind under a
// numbering, and whether the kind exists under it.
func Number(k Kind, n Numbering) (string, bool) {
	switch k {
	case Receipt:
		return "01", true
	case Guidance:
		return "02", true
	case Refusal:
		return "03", true
	case Apology:
		return "04", true
	case StopNotice:
		return "05", n == Circular03of2025
	case ControlSlip:
		if n == Circular03of2025 {
			return "06", true
		}
		return "05", true
	case Register:
		if n == Circular03of2025 {
			return "07", true
		}
		return "06", true
	case Result:
		return "", true // no form number
	}
	return "", false
}

// KindByNumber is the inverse of Number.
func KindByNumber(num string, n Numbering) (Kind, bool) {
	for _, k := range []Kind{Receipt, Guidance, Refusal, Apology, StopNotice, ControlSlip, Register} {
		if x, ok := Number(k, n); ok && x == num {
			return k, true
		}
	}
	return "", false
}

// Data is everything a form may print. Fields a kind does not use are left
// empty.
type Data struct {
	Kind      Kind
	Numbering Numbering

	// The heading: the body above (e.g. "ỦY BAN NHÂN DÂN XÃ HOA LỘC") and the
	// issuing unit (e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"), the place name
	// of the date line ("Hoa Lộc, ngày 27 tháng 11 năm 2026"), and the date.
	ParentBody string
	Unit       string
	Place      string
	Issued     time.Time
	DocNumber  string // "Số: 0001/TN" etc.; empty prints a blank to fill
	// UnitName is the issuing unit as written inside a sentence ("Trung tâm
	// Phục vụ hành chính công xã Hoa Lộc"); empty derives it from Unit and
	// ParentBody.
	UnitName string
	// ReceiptNo is the number of the receipt the control slip goes with
	// ("Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: …"); empty
	// prints the dossier code.
	ReceiptNo string

	Dossier DossierFacts

	// Components received (receipt) or to supplement (guidance).
	Components []ComponentLine
	Sets       int // number of sets of the dossier

	// Reasons: what to supplement (guidance), why refused (refusal), why
	// stopped (stop notice), why late (apology).
	Reasons []string

	// Officer is who received / handled; OfficerPhone a number to call.
	Officer      string
	OfficerTitle string
	OfficerPhone string
	// Signer is who signs (apology: the head of the agency responsible).
	Signer      string
	SignerTitle string

	// Result facts: its number or code, when and by whom it was issued.
	ResultCode string
	ResultAt   time.Time

	// Apology dates.
	PreviousDue time.Time
	NewDue      time.Time

	// Control slip rows (the dossier's hand-offs) and register rows.
	Slip     []SlipRow
	Rows     []RegisterRow
	From, To time.Time // the register's period

	// QRText is encoded as a QR code on the receipt (the public status page,
	// carrying the seal); QRCaption explains it in plain words.
	QRText    string
	QRCaption string
	// Seal is the signed key facts; it is also embedded in the PDF metadata.
	Seal string
	// Sandbox prints a visible "SANDBOX — no legal value" mark.
	Sandbox bool
}

// DossierFacts are the dossier's printed facts.
type DossierFacts struct {
	Code          string
	LookupKey     string
	ProcedureName string
	ProcedureCode string
	Applicant     string
	ApplicantID   string
	Address       string
	Phone         string
	Email         string
	Channel       string // plain words: Trực tiếp / Trực tuyến / Bưu chính
	LegalTime     string // e.g. "03 ngày làm việc"
	ReceivedAt    time.Time
	DueAt         time.Time
	ReturnPlace   string // where the result is returned
	Fee           string // e.g. "5.000 đồng"
	RegisterBook  string // quyển số
	RegisterNo    string // số thứ tự
}

// ComponentLine is one document on a receipt or guidance.
type ComponentLine struct {
	Name  string
	Form  string // bản chính, bản sao, bản sao có chứng thực, xuất trình, điện tử
	Count int
	Note  string // e.g. "Lấy từ CSDL quốc gia về dân cư"
}

// SlipRow is one hand-off on the control slip.
type SlipRow struct {
	Giver    string // unit / person handing over
	Receiver string
	At       time.Time
	Due      time.Time // the step's deadline, zero if none
	Outcome  string    // Trước hạn / Đúng hạn / Quá hạn
	Note     string
}

// RegisterRow is one line of the dossier register (sổ theo dõi hồ sơ).
type RegisterRow struct {
	No            int
	Code          string
	Procedure     string
	Sets          int
	Applicant     string
	AddressPhone  string
	LeadAgency    string
	ReceivedAt    time.Time
	DueAt         time.Time
	TransferredAt time.Time
	ResultAt      time.Time // result received from the processing unit (finished)
	ReturnedAt    time.Time
	Status        string
	Note          string
}
