package forms

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ict is Vietnam time for the fixtures.
var ict = time.FixedZone("ICT", 7*3600)

func at(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, ict) }

// sample is a filled Data of kind k under numbering n, as the dossier engine
// would give it.
func sample(k Kind, n Numbering) Data {
	d := Data{
		Kind:       k,
		Numbering:  n,
		ParentBody: "Ủy ban nhân dân xã Hoa Lộc",
		Unit:       "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
		Place:      "Hoa Lộc",
		Issued:     at(2026, time.November, 27, 8, 42),
		DocNumber:  "0153/TN-TTPVHCC",
		Dossier: DossierFacts{
			Code:          "H56.40.12-261127-0153",
			LookupKey:     "HL7K-2Q9M",
			ProcedureName: "Đăng ký khai sinh",
			ProcedureCode: "1.001193",
			Applicant:     "Nguyễn Thị Hường",
			ApplicantID:   "038186001234",
			Address:       "Thôn Đông Khê, xã Hoa Lộc, tỉnh Thanh Hóa",
			Phone:         "0912 345 678",
			Email:         "huong.nguyen@example.vn",
			Channel:       "Trực tiếp",
			LegalTime:     "Trong ngày làm việc (sau 15 giờ chuyển sang ngày làm việc tiếp theo)",
			ReceivedAt:    at(2026, time.November, 27, 8, 35),
			DueAt:         at(2026, time.November, 28, 10, 0),
			ReturnPlace:   "Trung tâm Phục vụ hành chính công xã Hoa Lộc (quầy số 2)",
			Fee:           "Miễn lệ phí (đăng ký khai sinh đúng hạn)",
			RegisterBook:  "01/2026",
			RegisterNo:    "153",
		},
		Components: []ComponentLine{
			{Name: "Tờ khai đăng ký khai sinh", Form: "Bản chính", Count: 1},
			{Name: "Giấy chứng sinh", Form: "Bản chính", Count: 1, Note: "Do Trạm y tế xã Hoa Lộc cấp"},
			{Name: "Giấy chứng nhận kết hôn của cha, mẹ", Form: "Xuất trình", Count: 1, Note: "Lấy từ Cơ sở dữ liệu hộ tịch điện tử"},
			{Name: "Căn cước của người đi đăng ký", Form: "Xuất trình", Count: 1, Note: "Đối chiếu qua Cơ sở dữ liệu quốc gia về dân cư"},
		},
		Sets:         1,
		Officer:      "Lê Văn Đức",
		OfficerTitle: "công chức Tư pháp - Hộ tịch",
		OfficerPhone: "0237 3 812 345",
		Signer:       "Phạm Quốc Việt",
		SignerTitle:  "Giám đốc",
		QRText:       "https://hoaloc.motcua.vn/tra-cuu/H56.40.12-261127-0153?k=HL7K-2Q9M&s=bW90Y3VhLXNlYWwtdjE",
		QRCaption:    "Quét mã QR bằng điện thoại để xem tình trạng hồ sơ, hoặc vào trang hoaloc.motcua.vn/tra-cuu và nhập mã tra cứu.",
		Seal:         "v1.eyJjIjoiSDU2LjQwLjEyLTI2MTEyNy0wMTUzIn0.MEUCIQDx3v2f",
	}
	switch k {
	case Guidance:
		d.Reasons = []string{
			"Tờ khai đăng ký khai sinh chưa ghi nơi sinh của trẻ theo Giấy chứng sinh. Lý do: mục “Nơi sinh” phải khớp với Giấy chứng sinh.",
		}
		d.Components = []ComponentLine{{Name: "Giấy chứng sinh", Form: "Bản chính", Count: 1, Note: "hồ sơ nộp bản chụp không rõ chữ, không đối chiếu được"}}
	case Refusal:
		d.Reasons = []string{
			"Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã (khai sinh có yếu tố nước ngoài).",
			"Đề nghị Ông/Bà nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa.",
		}
	case Apology:
		d.PreviousDue = at(2026, time.December, 2, 16, 0)
		d.NewDue = at(2026, time.December, 5, 10, 30)
		d.Issued = at(2026, time.December, 1, 9, 0)
		d.Reasons = []string{"Cần xác minh thông tin nơi cư trú của người yêu cầu tại Công an xã."}
	case StopNotice:
		d.Issued = at(2026, time.December, 1, 14, 0)
		d.Reasons = []string{"Người yêu cầu đã rút hồ sơ theo đơn đề nghị ngày 30/11/2026.", "Hồ sơ không còn đủ điều kiện để tiếp tục giải quyết."}
	case ControlSlip:
		d.ReceiptNo = "0153/TN-TTPVHCC"
		d.Slip = []SlipRow{
			{Giver: "Trung tâm Phục vụ hành chính công", Receiver: "Lê Văn Đức (công chức Tư pháp - Hộ tịch)", At: at(2026, time.November, 27, 9, 5), Due: at(2026, time.November, 27, 16, 0), Outcome: "Trước hạn"},
			{Giver: "Lê Văn Đức (công chức Tư pháp - Hộ tịch)", Receiver: "Phó Chủ tịch UBND xã", At: at(2026, time.November, 27, 15, 10), Outcome: "Đúng hạn", Note: "Trình ký"},
		}
	case Register:
		d.Issued = at(2026, time.December, 1, 8, 0)
		d.DocNumber = ""
		d.From = at(2026, time.November, 1, 0, 0)
		d.To = at(2026, time.November, 30, 0, 0)
		d.Rows = sampleRows(12)
	}
	return d
}

var procedures = []string{
	"Đăng ký khai sinh",
	"Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
	"Đăng ký kết hôn",
	"Cấp bản sao trích lục hộ tịch",
	"Xác nhận thông tin hộ tịch",
}

var names = []string{"Nguyễn Thị Hường", "Trần Văn Bình", "Lê Thị Ánh Tuyết", "Phạm Đức Thắng", "Hoàng Thị Yến", "Công ty TNHH Thương mại Hoa Lộc"}

// sampleRows are n register rows with varied lengths and missing dates.
func sampleRows(n int) []RegisterRow {
	rows := make([]RegisterRow, n)
	for i := range rows {
		rec := at(2026, time.November, 1+i%28, 7+i%9, (i*7)%60)
		r := RegisterRow{
			No:           i + 1,
			Code:         fmt.Sprintf("H56.40.12-2611%02d-%04d", 1+i%28, i+1),
			Procedure:    procedures[i%len(procedures)],
			Sets:         1 + i%2,
			Applicant:    names[i%len(names)],
			AddressPhone: fmt.Sprintf("Thôn Đông Khê, xã Hoa Lộc; 09%08d", 12345678+i),
			LeadAgency:   "UBND xã Hoa Lộc",
			ReceivedAt:   rec,
			DueAt:        rec.Add(72 * time.Hour),
			Status:       "Đang giải quyết",
		}
		if i%3 != 2 {
			r.TransferredAt = rec.Add(30 * time.Minute)
		}
		if i%2 == 0 {
			r.ResultAt = rec.Add(48 * time.Hour)
			r.ReturnedAt = rec.Add(50 * time.Hour)
			r.Status = "Đã trả kết quả"
		}
		if i%5 == 4 {
			r.Note = "Trả kết quả qua dịch vụ bưu chính công ích"
		}
		rows[i] = r
	}
	return rows
}

// allCases are every kind under every numbering it exists in.
func allCases() []Data {
	var out []Data
	for _, n := range []Numbering{Circular01of2018, Circular03of2025} {
		for _, k := range []Kind{Receipt, Guidance, Refusal, Apology, StopNotice, ControlSlip, Register} {
			if _, ok := Number(k, n); ok {
				out = append(out, sample(k, n))
			}
		}
	}
	return out
}

// dump writes a rendering to $MOTCUA_FORMS_OUT, for people to look at.
func dump(t *testing.T, name string, b []byte) {
	t.Helper()
	dir := os.Getenv("MOTCUA_FORMS_OUT")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func caseName(d Data) string {
	return fmt.Sprintf("%s-%s", d.Kind, map[Numbering]string{Circular01of2018: "tt01-2018", Circular03of2025: "tt03-2025"}[d.Numbering])
}
