package forms

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The renderers share one model of a form: a heading (built from Data by
// each renderer), a title, lines under the title, and blocks. Each Kind's
// builder below fills it, so the HTML and the PDF say the same things.

// span is a run of text in one style. A "\n" in text breaks the line.
type span struct {
	text         string
	bold, italic bool
}

func tx(s string) span  { return span{text: s} }
func bd(s string) span  { return span{text: s, bold: true} }
func itl(s string) span { return span{text: s, italic: true} }

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
	alignJustify
)

type blockKind int

const (
	blkPara    blockKind = iota // a paragraph of spans
	blkHeading                  // a section heading (h2)
	blkList                     // a numbered list of items
	blkTable                    // a table
	blkLookup                   // the receipt's QR code and lookup key
	blkSigns                    // signature blocks
)

// paraStyle is how a paragraph looks.
type paraStyle int

const (
	styleField paraStyle = iota // "Label: value", left aligned
	styleProse                  // running text: first-line indent, justified
	styleSub                    // centred line under the title
	styleAddr                   // "Kính gửi: …", centred
	styleNote                   // small italic note
)

type block struct {
	kind   blockKind
	style  paraStyle
	spans  []span
	items  [][]span
	table  *table
	lookup *lookup
	signs  *signs
}

func field(s ...span) block { return block{kind: blkPara, style: styleField, spans: s} }
func prose(s ...span) block { return block{kind: blkPara, style: styleProse, spans: s} }
func note(s ...span) block  { return block{kind: blkPara, style: styleNote, spans: s} }
func heading(s string) block {
	return block{kind: blkHeading, spans: []span{bd(s)}}
}
func list(items [][]span) block { return block{kind: blkList, items: items} }

// column is one table column: its header, its width in millimetres on the
// PDF page (the HTML uses the same proportions) and its alignment.
type column struct {
	head  string
	width float64
	align align
}

// table is a bordered table with a header row repeated on every page.
type table struct {
	id         string // HTML id / class suffix
	caption    string // read by screen readers; not printed
	cols       []column
	colNumbers bool // a second header row "(1) (2) …", as in registers
	rowHeader  int  // the column whose cells head their row (th scope=row), -1 for none
	rows       [][][]span
	minRowH    float64 // millimetres: room for hand signatures
	fontSize   float64 // points, in the PDF
}

// lookup is the receipt's status lookup: the QR code, the key and the code
// in large type.
type lookup struct {
	png     []byte // QR code PNG, nil if there is no QRText
	alt     string
	caption string
	key     string
	code    string
}

// sign is one signature block.
type sign struct {
	title string // "NGƯỜI TIẾP NHẬN HỒ SƠ"
	hint  string // "(Ký và ghi rõ họ tên)"
	name  string
}

// signs are the signature blocks at the foot of a form: one or two signers,
// and, for letters, the "Nơi nhận" list on the left.
type signs struct {
	left, right *sign
	recipients  []string
}

// doc is a form ready to render.
type doc struct {
	d         Data
	number    string // "01"
	landscape bool
	title     string  // upper case
	size      float64 // body text size in the PDF, points
	subs      []block // centred lines under the title
	body      []block
}

// build makes the model of d's form.
func build(d Data) (*doc, error) {
	num, err := check(d)
	if err != nil {
		return nil, err
	}
	dc := &doc{d: d, number: num, title: formTitle(d.Kind, d.Numbering), size: 12}
	if d.Kind == Receipt || d.Kind == ControlSlip {
		dc.size = 11 // the receipt must fit one page
	}
	switch d.Kind {
	case Receipt:
		err = buildReceipt(dc)
	case Guidance:
		buildGuidance(dc)
	case Refusal:
		buildRefusal(dc)
	case Apology:
		buildApology(dc)
	case StopNotice:
		buildStopNotice(dc)
	case ControlSlip:
		buildControlSlip(dc)
	case Register:
		buildRegister(dc)
	case Result:
		err = buildResult(dc)
	}
	if err != nil {
		return nil, err
	}
	return dc, nil
}

func (dc *doc) add(b ...block) { dc.body = append(dc.body, b...) }
func (dc *doc) sub(s ...span) {
	dc.subs = append(dc.subs, block{kind: blkPara, style: styleSub, spans: s})
}

// codeLine is "Mã hồ sơ: <code>" under the title, if the dossier has one.
func (dc *doc) codeLine() {
	if c := clean(dc.d.Dossier.Code); c != "" {
		dc.sub(tx("Mã hồ sơ: "), bd(c))
	}
}

// applicantFields are the applicant's name, ID, address and contact.
func applicantFields(d Data, label string, withID bool) []block {
	f := d.Dossier
	out := []block{field(tx(label+": "), bd(orBlank(f.Applicant)))}
	if withID {
		out = append(out, field(tx("Số định danh cá nhân/Mã số thuế: "), tx(orBlank(f.ApplicantID))))
	}
	out = append(out, field(tx("Địa chỉ: "), tx(orBlank(f.Address))))
	contact := []span{tx("Số điện thoại: "), tx(orBlank(f.Phone))}
	if e := clean(f.Email); e != "" || withID {
		contact = append(contact, tx("; thư điện tử: "), tx(orBlank(e)))
	}
	return append(out, field(contact...))
}

// procedureField is "Nội dung yêu cầu giải quyết: <procedure> (mã thủ tục …)".
func procedureField(d Data) block {
	s := []span{tx("Nội dung yêu cầu giải quyết: "), bd(orBlank(d.Dossier.ProcedureName))}
	if c := clean(d.Dossier.ProcedureCode); c != "" {
		s = append(s, tx(" (mã thủ tục: "+c+")"))
	}
	return field(s...)
}

// numbered turns plain lines into list items.
func numbered(lines []string) [][]span {
	var out [][]span
	for _, l := range lines {
		if l = clean(l); l != "" {
			out = append(out, []span{tx(l)})
		}
	}
	return out
}

func buildReceipt(dc *doc) error {
	d := dc.d
	f := d.Dossier
	dc.codeLine()
	dc.add(applicantFields(d, "Tiếp nhận hồ sơ của", true)...)
	dc.add(procedureField(d))
	dc.add(heading("1. Thành phần hồ sơ nộp gồm:"))
	dc.add(componentsTable(d.Components, "thanh-phan", "Thành phần hồ sơ đã nhận"))
	sets := field(tx("2. Số lượng hồ sơ: "), bd(count(d.Sets)), tx(" (bộ)"))
	if ch := clean(f.Channel); ch != "" {
		sets.spans = append(sets.spans, tx(". Hình thức nộp: "+lowerFirst(ch)+"."))
	}
	dc.add(
		sets,
		field(tx("3. Thời gian giải quyết hồ sơ theo quy định: "), tx(orBlank(f.LegalTime))),
		field(tx("4. Thời gian nhận hồ sơ: "), tx(whenWords(f.ReceivedAt))),
		field(tx("5. Thời gian trả kết quả giải quyết hồ sơ: "), bd(whenWords(f.DueAt))),
		field(tx("6. Đăng ký nhận kết quả tại: "), tx(orBlank(f.ReturnPlace))),
		field(tx("7. Phí, lệ phí: "), tx(orBlank(f.Fee))),
		field(tx("Vào Sổ theo dõi hồ sơ, Quyển số: "), tx(orBlank(f.RegisterBook)), tx("; Số thứ tự: "), tx(orBlank(f.RegisterNo))),
	)
	if lk, err := receiptLookup(d); err != nil {
		return err
	} else if lk != nil {
		dc.add(block{kind: blkLookup, lookup: lk})
	}
	dc.add(block{kind: blkSigns, signs: &signs{
		left:  &sign{title: "NGƯỜI NỘP HỒ SƠ", hint: "(Ký và ghi rõ họ tên)", name: clean(f.Applicant)},
		right: &sign{title: "NGƯỜI TIẾP NHẬN HỒ SƠ", hint: "(Ký và ghi rõ họ tên)", name: clean(d.Officer)},
	}})
	return nil
}

// receiptLookup is the QR block, or nil if there is nothing to look up by.
func receiptLookup(d Data) (*lookup, error) {
	f := d.Dossier
	lk := &lookup{key: clean(f.LookupKey), code: clean(f.Code), caption: clean(d.QRCaption)}
	if lk.caption == "" {
		lk.caption = "Quét mã QR bằng điện thoại để xem tình trạng giải quyết hồ sơ, hoặc nhập mã tra cứu trên trang tra cứu hồ sơ của Trung tâm."
	}
	if t := strings.TrimSpace(d.QRText); t != "" {
		png, err := qrPNG(t)
		if err != nil {
			return nil, err
		}
		lk.png = png
		lk.alt = "Mã QR tra cứu tình trạng hồ sơ"
		if lk.code != "" {
			lk.alt += " " + lk.code
		}
		lk.alt += ": quét bằng điện thoại để mở trang tra cứu"
	}
	if lk.png == nil && lk.key == "" {
		return nil, nil
	}
	return lk, nil
}

// componentsTable lists documents: STT, name, form, count, note.
func componentsTable(cs []ComponentLine, id, caption string) block {
	t := &table{
		id: id, caption: caption, rowHeader: 1, fontSize: 10.5,
		cols: []column{
			{"STT", 10, alignCenter},
			{"Tên giấy tờ", 60, alignLeft},
			{"Hình thức", 31, alignCenter},
			{"Số lượng", 19, alignCenter},
			{"Ghi chú", 45, alignLeft},
		},
	}
	for i, c := range cs {
		t.rows = append(t.rows, [][]span{
			{tx(strconv.Itoa(i + 1))},
			{tx(clean(c.Name))},
			{tx(clean(c.Form))},
			{tx(countOrEmpty(c.Count))},
			{tx(clean(c.Note))},
		})
	}
	return block{kind: blkTable, table: t}
}

// lowerFirst lowers the first letter: "Trực tiếp" → "trực tiếp".
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

func countOrEmpty(n int) string {
	if n <= 0 {
		return ""
	}
	return twoDigits(n)
}

func buildGuidance(dc *doc) {
	d := dc.d
	dc.codeLine()
	dc.add(applicantFields(d, "Hồ sơ của", false)...)
	dc.add(procedureField(d))
	dc.add(prose(tx("Sau khi xem xét, đối chiếu với quy định hiện hành, đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")))
	items := numbered(d.Reasons)
	for _, c := range d.Components {
		name := clean(c.Name)
		if name == "" {
			continue
		}
		s := "Bổ sung " + name
		var det []string
		if f := clean(c.Form); f != "" {
			det = append(det, f)
		}
		if c.Count > 0 {
			det = append(det, "số lượng: "+twoDigits(c.Count))
		}
		if len(det) > 0 {
			s += " (" + strings.Join(det, ", ") + ")"
		}
		why := clean(c.Note)
		if why == "" {
			why = "hồ sơ còn thiếu thành phần này"
		}
		items = append(items, []span{tx(s + ". Lý do: " + why + ".")})
	}
	if len(items) == 0 {
		items = [][]span{{tx(blank)}}
	}
	dc.add(heading("Nội dung cần bổ sung, hoàn thiện:"))
	dc.add(list(items))
	dc.add(prose(tx("Nội dung hướng dẫn trên đây là đầy đủ và chỉ hướng dẫn một lần. Ông/Bà không phải bổ sung, hoàn thiện thêm nội dung nào khác ngoài các nội dung đã nêu.")))
	contact := []span{tx("Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "), bd(orBlank(d.Officer))}
	if t := clean(d.OfficerTitle); t != "" {
		contact = append(contact, tx(", "+t))
	}
	contact = append(contact, tx(", số điện thoại "), bd(orBlank(d.OfficerPhone)), tx(" để được hướng dẫn./."))
	dc.add(prose(contact...))
	dc.add(block{kind: blkSigns, signs: &signs{
		right: &sign{title: "NGƯỜI HƯỚNG DẪN", hint: "(Ký và ghi rõ họ tên)", name: clean(d.Officer)},
	}})
}

func buildRefusal(dc *doc) {
	d := dc.d
	dc.codeLine()
	dc.add(field(tx(unitInText(d)+" tiếp nhận hồ sơ của: "), bd(orBlank(d.Dossier.Applicant))))
	dc.add(applicantFields(d, "", false)[1:]...)
	dc.add(procedureField(d))
	dc.add(prose(tx("Sau khi xem xét, đối chiếu với quy định hiện hành, " + unitInText(d) + " không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:")))
	items := numbered(d.Reasons)
	if len(items) == 0 {
		items = [][]span{{tx(blank)}}
	}
	dc.add(heading("Lý do từ chối:"))
	dc.add(list(items))
	dc.add(prose(tx("Xin thông báo cho Ông/Bà được biết và thực hiện./.")))
	dc.add(block{kind: blkSigns, signs: &signs{
		right: &sign{title: "NGƯỜI TIẾP NHẬN HỒ SƠ", hint: "(Ký và ghi rõ họ tên)", name: clean(d.Officer)},
	}})
}

// addressee is "Kính gửi: <applicant>", centred under the title.
func (dc *doc) addressee() {
	dc.subs = append(dc.subs, block{kind: blkPara, style: styleAddr,
		spans: []span{tx("Kính gửi: "), bd(orBlank(dc.d.Dossier.Applicant))}})
}

// signer is the head of the agency who signs a letter.
func signer(d Data) *sign {
	t := upper(d.SignerTitle)
	if t == "" {
		t = "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"
	}
	return &sign{title: t, hint: "(Ký, ghi rõ họ tên và đóng dấu)", name: clean(d.Signer)}
}

// reasonBlocks are the reasons inline when there is one, numbered when there
// are several.
func reasonBlocks(intro string, reasons []string) []block {
	items := numbered(reasons)
	switch len(items) {
	case 0:
		return []block{prose(tx(intro + " " + blank))}
	case 1:
		return []block{prose(append([]span{tx(intro + " ")}, items[0]...)...)}
	}
	return []block{prose(tx(intro)), list(items)}
}

func buildApology(dc *doc) {
	d := dc.d
	f := d.Dossier
	unit := unitInText(d)
	dc.addressee()
	dc.add(prose(tx("Ngày "+strings.TrimPrefix(dateWords(f.ReceivedAt), "ngày ")+", "+unit+" tiếp nhận hồ sơ của Ông/Bà, mã hồ sơ: "), bd(orBlank(f.Code)), tx("; nội dung yêu cầu giải quyết: "), bd(orBlank(f.ProcedureName)), tx(".")))
	dc.add(prose(tx("Thời gian hẹn trả kết quả giải quyết hồ sơ: "), bd(whenWords(d.PreviousDue)), tx(".")))
	dc.add(reasonBlocks("Tuy nhiên, đến nay cơ quan, đơn vị chưa trả kết quả giải quyết hồ sơ cho Ông/Bà đúng hẹn. Lý do:", d.Reasons)...)
	if d.Numbering == Circular03of2025 {
		dc.add(prose(tx("Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. "+unit+" trân trọng xin lỗi Ông/Bà và đề nghị Ông/Bà đồng ý gia hạn thời gian giải quyết hồ sơ đến "), bd(whenWords(d.NewDue)), tx(".")))
	} else {
		dc.add(prose(tx("Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của Ông/Bà. "+unit+" xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả giải quyết hồ sơ vào "), bd(whenWords(d.NewDue)), tx(".")))
	}
	dc.add(prose(tx("Mong nhận được sự thông cảm của Ông/Bà. Trân trọng./.")))
	dc.add(block{kind: blkSigns, signs: &signs{
		recipients: []string{"Như trên;", "Bộ phận Một cửa;", "Lưu: VT."},
		right:      signer(d),
	}})
}

func buildStopNotice(dc *doc) {
	d := dc.d
	f := d.Dossier
	unit := unitInText(d)
	dc.addressee()
	dc.add(prose(tx("Ngày "+strings.TrimPrefix(dateWords(f.ReceivedAt), "ngày ")+", "+unit+" tiếp nhận hồ sơ của Ông/Bà, mã hồ sơ: "), bd(orBlank(f.Code)), tx("; nội dung yêu cầu giải quyết: "), bd(orBlank(f.ProcedureName)), tx(".")))
	dc.add(reasonBlocks(unit+" thông báo dừng giải quyết hồ sơ nêu trên. Lý do:", d.Reasons)...)
	dc.add(prose(tx("Xin thông báo để Ông/Bà được biết./.")))
	dc.add(block{kind: blkSigns, signs: &signs{
		recipients: []string{"Như trên;", "Bộ phận Một cửa;", "Lưu: VT."},
		right:      signer(d),
	}})
}

// slipMinRows is how many hand-off rows a control slip prints at least; the
// rows the system has not recorded are left blank to fill in on paper.
const slipMinRows = 4

func buildControlSlip(dc *doc) {
	d := dc.d
	f := d.Dossier
	dc.codeLine()
	rn := clean(d.ReceiptNo)
	if rn == "" {
		rn = orBlank(f.Code)
	}
	dc.sub(itl("(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: " + rn + ")"))
	dc.add(
		field(tx("Người nộp hồ sơ: "), bd(orBlank(f.Applicant))),
		field(tx("Thủ tục hành chính: "), tx(orBlank(f.ProcedureName))),
		field(tx("Thời gian nhận hồ sơ: "), tx(whenWords(f.ReceivedAt)), tx("; hẹn trả kết quả: "), bd(whenWords(f.DueAt))),
	)
	t := &table{
		id: "kiem-soat", caption: "Quá trình giao, nhận và giải quyết hồ sơ", rowHeader: -1, fontSize: 10, minRowH: 20,
		cols: []column{
			{"STT", 9, alignCenter},
			{"TÊN CƠ QUAN/NGƯỜI BÀN GIAO – NHẬN", 41, alignLeft},
			{"THỜI GIAN GIAO, NHẬN HỒ SƠ", 30, alignLeft},
			{"NGƯỜI GIAO (ký, ghi rõ họ tên)", 21, alignCenter},
			{"NGƯỜI NHẬN (ký, ghi rõ họ tên)", 21, alignCenter},
			{"KẾT QUẢ (Trước hạn/ Đúng hạn/ Quá hạn)", 23, alignCenter},
			{"GHI CHÚ", 20, alignLeft},
		},
	}
	for i, r := range d.Slip {
		when := slipWhen(r.At)
		if !r.Due.IsZero() {
			when += "\n(hạn: " + clockNum(r.Due) + " " + dateNum(r.Due) + ")"
		}
		t.rows = append(t.rows, [][]span{
			{tx(strconv.Itoa(i + 1))},
			{tx("Giao: "), bd(orBlank(r.Giver)), tx("\nNhận: "), bd(orBlank(r.Receiver))},
			{tx(when)},
			nil,
			nil,
			{tx(clean(r.Outcome))},
			{tx(clean(r.Note))},
		})
	}
	for i := len(d.Slip); i < slipMinRows; i++ {
		t.rows = append(t.rows, [][]span{
			{tx(strconv.Itoa(i + 1))},
			{tx("Giao: " + blank + "\nNhận: " + blank)},
			{tx(slipWhen(time.Time{}))},
			nil, nil, nil, nil,
		})
	}
	dc.add(block{kind: blkTable, table: t})
	dc.add(note(itl("Ghi chú: mỗi lần giao, nhận hồ sơ, bên giao và bên nhận ghi thời gian, ký và ghi rõ họ tên; bên nhận ghi kết quả giải quyết của bước trước (trước hạn, đúng hạn hoặc quá hạn).")))
}

// slipWhen is a hand-off time in a narrow column: "09 giờ 05 phút\nngày 27/11/2026".
func slipWhen(t time.Time) string {
	if t.IsZero() {
		return "…… giờ …… phút\nngày …/…/……"
	}
	l := local(t)
	return twoDigits(l.Hour()) + " giờ " + twoDigits(l.Minute()) + " phút\nngày " + dateNum(t)
}

func buildRegister(dc *doc) {
	d := dc.d
	dc.landscape = true
	dc.sub(itl("Từ " + dateWords(d.From) + " đến " + dateWords(d.To)))
	if b := clean(d.Dossier.RegisterBook); b != "" {
		dc.sub(tx("Quyển số: "), bd(b))
	}
	t := &table{
		id: "so-theo-doi", caption: "Sổ theo dõi hồ sơ từ " + dateWords(d.From) + " đến " + dateWords(d.To),
		rowHeader: 1, fontSize: 7.5, colNumbers: true,
	}
	for _, c := range registerColumns {
		t.cols = append(t.cols, column{c.head, c.mm, c.align})
	}
	for i, r := range d.Rows {
		t.rows = append(t.rows, registerCells(i, r))
	}
	dc.add(block{kind: blkTable, table: t})
}

// registerColumns are the columns of the dossier register (Mẫu 06 of
// Circular 01/2018, Mẫu 07 of Circular 03/2025), with their PDF widths in
// millimetres and XLSX widths in characters.
var registerColumns = []struct {
	head  string
	mm    float64
	chars float64
	align align
}{
	{"STT", 8, 4.5, alignCenter},
	{"Mã hồ sơ", 27, 17, alignLeft},
	{"Tên thủ tục hành chính", 34, 24, alignLeft},
	{"Số lượng hồ sơ (bộ)", 10, 7, alignCenter},
	{"Tên cá nhân, tổ chức", 24, 16, alignLeft},
	{"Địa chỉ, số điện thoại", 27, 20, alignLeft},
	{"Cơ quan chủ trì giải quyết", 22, 15, alignLeft},
	{"Nhận hồ sơ (ngày, giờ)", 16, 15, alignCenter},
	{"Hẹn trả kết quả", 16, 15, alignCenter},
	{"Chuyển hồ sơ đến cơ quan giải quyết", 16, 11, alignCenter},
	{"Nhận kết quả từ cơ quan giải quyết", 16, 11, alignCenter},
	{"Trả kết quả cho cá nhân, tổ chức", 16, 11, alignCenter},
	{"Ký nhận", 12, 9, alignCenter},
	{"Ghi chú", 18, 16, alignLeft},
}

// registerNo is a row's STT: its No, or its position.
func registerNo(i int, r RegisterRow) int {
	if r.No > 0 {
		return r.No
	}
	return i + 1
}

// registerNote joins the status and the note of a register row.
func registerNote(r RegisterRow) string {
	var s []string
	for _, x := range []string{clean(r.Status), clean(r.Note)} {
		if x != "" {
			s = append(s, x)
		}
	}
	return strings.Join(s, "; ")
}

func registerCells(i int, r RegisterRow) [][]span {
	sets := ""
	if r.Sets > 0 {
		sets = strconv.Itoa(r.Sets)
	}
	return [][]span{
		{tx(strconv.Itoa(registerNo(i, r)))},
		{tx(clean(r.Code))},
		{tx(clean(r.Procedure))},
		{tx(sets)},
		{tx(clean(r.Applicant))},
		{tx(clean(r.AddressPhone))},
		{tx(clean(r.LeadAgency))},
		{tx(dateTimeCell(r.ReceivedAt))},
		{tx(dateTimeCell(r.DueAt))},
		{tx(dateTimeCell(r.TransferredAt))},
		{tx(dateTimeCell(r.ResultAt))},
		{tx(dateTimeCell(r.ReturnedAt))},
		nil,
		{tx(registerNote(r))},
	}
}

// buildResult is the electronic copy of a result: what was decided, for
// whom, its number, and the QR code that checks it is genuine.
func buildResult(dc *doc) error {
	d := dc.d
	f := d.Dossier
	unit := unitInText(d)
	dc.codeLine()
	dc.add(applicantFields(d, "Cấp cho", true)...)
	dc.add(procedureField(d))
	dc.add(field(tx("Số, ký hiệu kết quả: "), bd(orBlank(d.ResultCode))))
	dc.add(field(tx("Thời gian có kết quả: "), tx(whenWords(d.ResultAt))))
	dc.add(prose(tx(unit + " xác nhận hồ sơ nêu trên đã được giải quyết xong. Tệp này là bản điện tử của kết quả, mang chữ ký số của " + unit +
		"; bản điện tử có giá trị như bản giấy khi chữ ký số còn nguyên vẹn.")))
	lk := &lookup{code: clean(f.Code), caption: clean(d.QRCaption)}
	if t := strings.TrimSpace(d.QRText); t != "" {
		png, err := qrPNG(t)
		if err != nil {
			return err
		}
		lk.png = png
		lk.alt = "Mã QR kiểm tra kết quả " + lk.code + ": quét bằng điện thoại để kiểm tra bản điện tử này là thật"
		dc.add(block{kind: blkLookup, lookup: lk})
	}
	dc.add(block{kind: blkSigns, signs: &signs{right: signer(d)}})
	return nil
}
