package score

// The Decision 766 indicators and formula sets, from vietnam-rules.md §5
// (the national dashboard's formula document and the weights fitted from
// its API, tagged [V-3P] there). Score = max × min(1, ratio ÷ threshold);
// a linear indicator has threshold 100%.

// Def is one indicator of §5.
type Def struct {
	ID        string  `json:"id"`
	Code      string  `json:"code,omitempty"` // the national API code, where §5 gives one
	Name      string  `json:"name"`
	NameEn    string  `json:"name_en"`
	Max       float64 `json:"max"`
	Threshold float64 `json:"threshold"` // percent giving full marks
}

// Defs are all indicators of §5, in its order.
var Defs = []Def{
	// Group 1 (§5 "Công khai, minh bạch"): linear.
	{ID: "1.1", Code: "PUBLISH_ON_TIME", Name: "TTHC công bố đúng hạn", NameEn: "Procedures announced on time", Max: 6, Threshold: 100},
	{ID: "1.2", Code: "PUBLIC_UPDATE_ON_TIME", Name: "TTHC cập nhật, công khai đúng hạn", NameEn: "Procedures published on time", Max: 4, Threshold: 100},
	{ID: "1.3", Code: "PUBLIC_CONTENT_FULL", Name: "TTHC công khai đầy đủ nội dung", NameEn: "Procedures published in full", Max: 2, Threshold: 100},
	{ID: "1.4", Code: "DOSSIER_SYNC", Name: "Hồ sơ đồng bộ lên Cổng DVCQG", NameEn: "Dossiers synced to the national portal", Max: 6, Threshold: 100},
	// Group 2: 2.1 is 20 × ratio; 2.2 is monitoring only.
	{ID: "2.1", Name: "Hồ sơ xử lý trước hạn, đúng hạn", NameEn: "Dossiers handled early or on time", Max: 20, Threshold: 100},
	{ID: "2.2", Name: "Thời gian xử lý trung bình", NameEn: "Average processing time", Max: 0, Threshold: 100},
	// Group 3a.
	{ID: "3.1", Name: "TTHC cung cấp dịch vụ công trực tuyến", NameEn: "Procedures offered online", Max: 2, Threshold: 80},
	{ID: "3.2", Name: "DVCTT có phát sinh hồ sơ", NameEn: "Online services with online dossiers", Max: 4, Threshold: 100},
	{ID: "3.3", Name: "Hồ sơ nộp trực tuyến", NameEn: "Dossiers submitted online", Max: 6, Threshold: 50},
	// Group 3b.
	{ID: "3.5", Name: "TTHC có nghĩa vụ tài chính tích hợp thanh toán trực tuyến", NameEn: "Fee-bearing procedures with online payment", Max: 2, Threshold: 80},
	{ID: "3.5b", Name: "TTHC có giao dịch thanh toán trực tuyến thành công", NameEn: "Procedures with a successful online payment", Max: 2, Threshold: 80},
	{ID: "3.6", Name: "Hồ sơ thanh toán trực tuyến", NameEn: "Dossiers paid online", Max: 6, Threshold: 100},
	// Group 4 (4.2 full marks at 80% in the spec, linear in the fitted API:
	// the API is authoritative, §5).
	{ID: "4.1", Code: "ORIGINAL_RESULT_AVAILABLE", Name: "Hồ sơ có cấp kết quả điện tử", NameEn: "Dossiers with an electronic result", Max: 6, Threshold: 100},
	{ID: "4.2", Code: "SO_HOA_GIAY_TO_GIAI_QUYET", Name: "Hồ sơ thực hiện số hóa", NameEn: "Digitised dossiers", Max: 4, Threshold: 100},
	{ID: "4.3", Code: "REUSED_DIGITIZED_DATA", Name: "Khai thác, sử dụng lại dữ liệu số hóa", NameEn: "Reuse of digitised data", Max: 2, Threshold: 80},
	{ID: "4.4", Code: "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", Name: "Hồ sơ số hóa kết nối, chia sẻ để tái sử dụng", NameEn: "Dossiers using the citizen's document store", Max: 4, Threshold: 100},
	{ID: "4.5a", Code: "CITIZEN_DATA_CONNECTED_FORMALITY", Name: "TTHC kết nối dữ liệu dân cư", NameEn: "Procedures connected to population data", Max: 2, Threshold: 100},
	{ID: "4.5b", Code: "CITIZEN_DATA_CONNECTED_DOSSIER", Name: "Hồ sơ sử dụng dữ liệu dân cư", NameEn: "Dossiers using population data", Max: 2, Threshold: 100},
	// §5 lists it without a number or formula; "4.6" here.
	{ID: "4.6", Code: "ELECTRONIC_CERTIFIED_COPY", Name: "Cung cấp chứng thực bản sao điện tử từ bản chính", NameEn: "Electronic certified copies", Max: 2, Threshold: 100},
	// Group 5.
	{ID: "5.1", Name: "PAKN theo phân loại", NameEn: "Feedback by topic", Max: 0, Threshold: 100},
	{ID: "5.2", Code: "PETITION_PROCESSING_ON_TIME", Name: "PAKN xử lý đúng hạn", NameEn: "Feedback handled on time", Max: 6, Threshold: 100},
	{ID: "5.3", Code: "PETITION_HANDLING_SATISFACTION", Name: "Hài lòng xử lý PAKN", NameEn: "Satisfaction with feedback handling", Max: 6, Threshold: 100},
	{ID: "5.4", Code: "DOSSIER_RECEIVING_SATISFACTION", Name: "Hài lòng tiếp nhận, giải quyết TTHC", NameEn: "Satisfaction with dossier handling", Max: 6, Threshold: 90},
}

func def(id string) (Def, bool) {
	for _, d := range Defs {
		if d.ID == id {
			return d, true
		}
	}
	return Def{}, false
}

// GroupDef is one group of a formula set.
type GroupDef struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	NameEn     string   `json:"name_en"`
	Max        float64  `json:"max"`
	Indicators []string `json:"indicators"`
}

// FormulaSet is a version of the weights.
type FormulaSet struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Groups []GroupDef `json:"groups"`
}

// Formula set identifiers.
const (
	Formula2022    = "2022"
	FormulaCurrent = "current"
)

var (
	g1 = GroupDef{ID: "1", Name: "Công khai, minh bạch", NameEn: "Transparency", Max: 18, Indicators: []string{"1.1", "1.2", "1.3", "1.4"}}
	g2 = GroupDef{ID: "2", Name: "Tiến độ, kết quả giải quyết", NameEn: "Timeliness", Max: 20, Indicators: []string{"2.1", "2.2"}}
	g4 = GroupDef{ID: "4", Name: "Số hóa hồ sơ", NameEn: "Digitisation", Max: 22, Indicators: []string{"4.1", "4.2", "4.3", "4.4", "4.5a", "4.5b", "4.6"}}
	g5 = GroupDef{ID: "5", Name: "Mức độ hài lòng", NameEn: "Satisfaction", Max: 18, Indicators: []string{"5.1", "5.2", "5.3", "5.4"}}
)

// FormulaSets: the 2022 decision's five groups, and the live dashboard's
// six (2025–26), where the 22-point online group is split into online
// services (12) and online payment (10). §5 gives the indicator weights
// only for the current set; the 2022 set groups the same indicators.
var FormulaSets = map[string]FormulaSet{
	Formula2022: {ID: Formula2022, Name: "QĐ 766/QĐ-TTg (2022): 5 nhóm", Groups: []GroupDef{g1, g2,
		{ID: "3", Name: "Cung cấp dịch vụ công trực tuyến", NameEn: "Online services", Max: 22, Indicators: []string{"3.1", "3.2", "3.3", "3.5", "3.5b", "3.6"}},
		g4, g5}},
	FormulaCurrent: {ID: FormulaCurrent, Name: "Bộ chỉ số hiện hành (2025–2026): 6 nhóm", Groups: []GroupDef{g1, g2,
		{ID: "3a", Name: "Dịch vụ công trực tuyến", NameEn: "Online services", Max: 12, Indicators: []string{"3.1", "3.2", "3.3"}},
		{ID: "3b", Name: "Thanh toán trực tuyến", NameEn: "Online payment", Max: 10, Indicators: []string{"3.5", "3.5b", "3.6"}},
		g4, g5}},
}
