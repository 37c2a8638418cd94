package dossier

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/audit"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/identity"
	"github.com/motcua/motcua/internal/store"
)

// Numbering is the forms numbering in use (Circular 03/2025 by default).
func (e *Engine) Numbering() forms.Numbering {
	if e.numbering == "" {
		return forms.Circular03of2025
	}
	return e.numbering
}

// SetNumbering chooses the circular whose form numbers are printed.
func (e *Engine) SetNumbering(n forms.Numbering) error {
	switch n {
	case forms.Circular01of2018, forms.Circular03of2025:
		e.numbering = n
		return nil
	}
	return fmt.Errorf("dossier: forms numbering %q must be 01/2018 or 03/2025", n)
}

// Printed is a rendered form.
type Printed struct {
	Body        []byte
	ContentType string
	Filename    string
}

// Print renders one of a dossier's forms as PDF (sealed) or HTML. Printing
// shows the applicant's data, so it is audited.
func (e *Engine) Print(ctx context.Context, p *identity.Principal, code string, kind forms.Kind, format string) (*Printed, error) {
	d, hist, err := e.Get(ctx, p, code)
	if err != nil {
		return nil, err
	}
	data, err := e.formData(ctx, d, hist, kind)
	if err != nil {
		return nil, err
	}
	out, err := e.render(data, format, code+"-"+string(kind))
	if err != nil {
		return nil, err
	}
	if err := e.db.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return audit.Append(ctx, tx, e.now(), audit.Event{Actor: p.Actor(), Action: "dossier.print", ObjectType: "dossier", ObjectID: code,
			Detail: map[string]any{"form": kind, "format": format}})
	}); err != nil {
		return nil, apperr.Wrap(err, "audit print")
	}
	return out, nil
}

// PublicReceipt renders the receipt for whoever holds the code and lookup
// key — the citizen downloading it again.
func (e *Engine) PublicReceipt(ctx context.Context, code, key string) (*Printed, error) {
	if _, err := e.Public(ctx, code, key, ""); err != nil {
		return nil, err
	}
	var d *Dossier
	var hist []HistoryEntry
	err := e.db.ReadTx(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if d, err = loadByCode(ctx, tx, code); err != nil {
			return err
		}
		hist, err = loadHistory(ctx, tx, d.ID)
		return err
	})
	if err != nil {
		return nil, apperr.Wrap(err, "public receipt")
	}
	if d.ReceivedAt == nil {
		return nil, apperr.New(apperr.NotFound, "no_receipt", "Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận.")
	}
	data, err := e.formData(ctx, d, hist, forms.Receipt)
	if err != nil {
		return nil, err
	}
	return e.render(data, "pdf", code+"-receipt")
}

func (e *Engine) render(data forms.Data, format, name string) (*Printed, error) {
	switch format {
	case "pdf":
		b, err := forms.PDF(data)
		if err != nil {
			return nil, apperr.Wrap(err, "render pdf")
		}
		return &Printed{Body: e.keys.SealFile(b), ContentType: "application/pdf", Filename: name + ".pdf"}, nil
	case "html":
		b, err := forms.HTML(data)
		if err != nil {
			return nil, apperr.Wrap(err, "render html")
		}
		return &Printed{Body: b, ContentType: "text/html; charset=utf-8", Filename: name + ".html"}, nil
	}
	return nil, apperr.Field("format", "invalid_format", "Định dạng phải là pdf hoặc html.")
}

// heading fills the parts of a form that name the centre.
func (e *Engine) heading(ctx context.Context, agency string, kind forms.Kind, issued time.Time) forms.Data {
	data := forms.Data{Kind: kind, Numbering: e.Numbering(), Issued: issued, Unit: "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"}
	if a, err := e.org.Get(ctx, agency); err == nil {
		data.ParentBody = strings.ToUpper(a.Name)
		data.Place = placeName(a.Name)
		data.UnitName = a.Centre.Name
		data.Sandbox = a.Centre.Sandbox
		if a.Centre.Name == "" {
			data.UnitName = a.Name
		}
	} else if home, err := e.org.Home(ctx); err == nil {
		data.Sandbox = home.Centre.Sandbox
	}
	return data
}

// placeName is the place of a date line: "Ủy ban nhân dân xã Hoa Lộc" → "Hoa Lộc".
func placeName(agency string) string {
	low := strings.ToLower(agency)
	for _, w := range []string{" xã ", " phường ", " đặc khu ", " tỉnh ", " thành phố "} {
		if i := strings.LastIndex(low, w); i >= 0 {
			return strings.TrimSpace(agency[i+len(w):])
		}
	}
	return agency
}

// formData builds what a form prints from a dossier and its history.
func (e *Engine) formData(ctx context.Context, d *Dossier, hist []HistoryEntry, kind forms.Kind) (forms.Data, error) {
	issued := e.now()
	find := func(actions ...string) *HistoryEntry {
		for i := len(hist) - 1; i >= 0; i-- {
			for _, a := range actions {
				if hist[i].Action == a {
					return &hist[i]
				}
			}
		}
		return nil
	}
	var entry *HistoryEntry
	switch kind {
	case forms.Receipt:
		if d.ReceivedAt == nil {
			return forms.Data{}, apperr.New(apperr.Conflict, "form_not_available", "Hồ sơ chưa được tiếp nhận nên chưa có Giấy tiếp nhận.")
		}
		issued = *d.ReceivedAt
		entry = find(ActionReceive)
	case forms.Guidance:
		entry = find(ActionRequestSupplement, "guide")
	case forms.Refusal:
		entry = find(ActionRefuse)
	case forms.Apology:
		entry = find(ActionApologize)
	case forms.StopNotice:
		entry = find(ActionStop)
	case forms.ControlSlip, forms.Register:
	default:
		return forms.Data{}, apperr.Field("form", "unknown_form", "Không có mẫu này.")
	}
	if entry == nil && kind != forms.Receipt && kind != forms.ControlSlip {
		return forms.Data{}, apperr.New(apperr.Conflict, "form_not_available", "Hồ sơ này không có "+formWord(kind)+".")
	}
	if entry != nil && kind != forms.Receipt {
		issued = entry.At
	}
	data := e.heading(ctx, d.Agency, kind, issued)
	_, ver, _ := e.procedureVersion(d.Procedure, d.ProcedureVersion)
	seq := d.Code[strings.LastIndex(d.Code, "-")+1:]
	data.DocNumber = seq + "/TN-TTPVHCC"
	data.ReceiptNo = d.Code
	data.Dossier = forms.DossierFacts{
		Code: d.Code, LookupKey: d.LookupKey, ProcedureName: d.ProcedureName, ProcedureCode: d.Procedure,
		Applicant: d.Applicant.Name, ApplicantID: d.Applicant.IDNumber, Address: d.Applicant.Address, Phone: d.Applicant.Phone,
		Email: d.Applicant.Email, Channel: strings.ToLower(channelName(string(d.Channel))), Fee: vnd(d.Fee),
		RegisterBook: fmt.Sprintf("01/%d", d.SubmittedAt.In(calendar.Location).Year()), RegisterNo: strings.TrimLeft(seq, "0"),
	}
	if d.Fee == 0 {
		data.Dossier.Fee = "Không"
	}
	if ver != nil {
		data.Dossier.LegalTime = ver.Time.String()
		if ver.TimeNote != "" && ver.Time.Value == 0 {
			data.Dossier.LegalTime = "Trong ngày làm việc (hồ sơ nhận sau 15 giờ trả trong ngày làm việc tiếp theo)"
		}
	}
	if d.ReceivedAt != nil {
		data.Dossier.ReceivedAt = *d.ReceivedAt
	}
	if d.OriginalDueAt != nil {
		data.Dossier.DueAt = *d.OriginalDueAt
	}
	if home, err := e.org.Get(ctx, d.Agency); err == nil {
		data.Dossier.ReturnPlace = orDefault(home.Centre.Name, home.Name)
		if d.Channel == catalog.ChannelOnline {
			data.Dossier.ReturnPlace += " hoặc nhận bản điện tử trên Cổng Dịch vụ công quốc gia"
		}
	}
	data.Sets = 1
	if first := find(ActionReceive, "guide", "submit_online", ActionRefuse); first != nil {
		data.Officer = first.ActorName
	}
	for _, c := range d.Components {
		if !c.Provided {
			continue
		}
		data.Components = append(data.Components, forms.ComponentLine{Name: c.Name, Form: formText(c.Form), Count: c.Count, Note: sourceNote(c.Source)})
	}
	if entry != nil {
		data.Reasons = toStrings(entry.Detail["reasons"])
	}
	switch kind {
	case forms.Guidance:
		data.Components = nil
		for _, m := range toStrings(entry.Detail["missing"]) {
			data.Components = append(data.Components, forms.ComponentLine{Name: m, Note: "Còn thiếu"})
		}
		data.Officer = entry.ActorName
	case forms.Refusal, forms.StopNotice:
		data.Officer = entry.ActorName
		data.Signer, data.SignerTitle = entry.ActorName, e.titleOf(ctx, entry.ActorID)
	case forms.Apology:
		data.Signer, data.SignerTitle = entry.ActorName, e.titleOf(ctx, entry.ActorID)
		if s, ok := entry.Detail["previous_due"].(string); ok {
			data.PreviousDue, _ = time.Parse(time.RFC3339, s)
		}
		if s, ok := entry.Detail["new_due"].(string); ok {
			data.NewDue, _ = time.Parse(time.RFC3339, s)
		}
	case forms.ControlSlip:
		data.Slip = slipRows(hist)
	case forms.Receipt:
		data.QRText = e.StatusURL(d)
		data.QRCaption = fmt.Sprintf("Quét mã QR bằng điện thoại để xem tình trạng hồ sơ, hoặc vào trang %s/tra-cuu và nhập mã hồ sơ cùng mã tra cứu.", strings.TrimPrefix(strings.TrimPrefix(e.baseURL, "https://"), "http://"))
		data.Seal = e.ReceiptSeal(d)
	}
	return data, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func formWord(k forms.Kind) string {
	switch k {
	case forms.Guidance:
		return "phiếu hướng dẫn bổ sung"
	case forms.Refusal:
		return "phiếu từ chối"
	case forms.Apology:
		return "văn bản xin lỗi"
	case forms.StopNotice:
		return "thông báo dừng giải quyết"
	}
	return "mẫu này"
}

func (e *Engine) titleOf(ctx context.Context, userID string) string {
	var title string
	e.db.Read().QueryRowContext(ctx, "SELECT title FROM users WHERE id = $1", userID).Scan(&title)
	return title
}

func formText(f catalog.ComponentForm) string {
	switch f {
	case catalog.FormOriginal:
		return "Bản chính"
	case catalog.FormCopy:
		return "Bản sao"
	case catalog.FormCertifiedCopy:
		return "Bản sao có chứng thực"
	case catalog.FormShowOriginal:
		return "Xuất trình"
	case catalog.FormElectronic:
		return "Bản điện tử"
	}
	return string(f)
}

func sourceNote(src string) string {
	switch src {
	case string(catalog.ReusePopulationDB):
		return "Đối chiếu qua Cơ sở dữ liệu quốc gia về dân cư"
	case string(catalog.ReuseCivilStatusDB):
		return "Lấy từ Cơ sở dữ liệu hộ tịch điện tử"
	case string(catalog.ReuseDocumentStore):
		return "Lấy từ kho dữ liệu của công dân"
	case SourceUpload:
		return "Nộp bản điện tử"
	}
	return ""
}

// slipRows turns the history into the control slip's hand-offs: who handed
// the dossier to whom, when, and whether that step was early, on time or late.
func slipRows(hist []HistoryEntry) []forms.SlipRow {
	var rows []forms.SlipRow
	for i, h := range hist {
		if h.From == h.To || h.Action == ActionTake || h.Action == ActionRelease {
			continue
		}
		receiver := stateName(nil, h.To)
		for _, next := range hist[i+1:] {
			if next.Action != ActionRelease {
				receiver = next.ActorName
				break
			}
		}
		if h.ToStatus == 10 {
			if c, ok := h.Detail["collected_by"].(string); ok {
				receiver = c + " (người nhận kết quả)"
			} else {
				receiver = "Người nộp hồ sơ"
			}
		}
		row := forms.SlipRow{Giver: h.ActorName, Receiver: receiver, At: h.At, Outcome: OutcomeName(h.Outcome), Note: h.ActionName}
		if h.StepDueAt != nil {
			row.Due = *h.StepDueAt
		}
		if h.Comment != "" {
			row.Note += ": " + h.Comment
		}
		rows = append(rows, row)
	}
	return rows
}

// RegisterData is the dossier register for a period, ready to render.
func (e *Engine) RegisterData(ctx context.Context, p *identity.Principal, f Filter) (forms.Data, []Summary, error) {
	rows, err := e.Registered(ctx, p, f)
	if err != nil {
		return forms.Data{}, nil, err
	}
	return e.registerData(ctx, p, f, rows, 1), rows, nil
}

// RegisterPage is one page of the register, numbered from its place in the
// whole period, and the number of dossiers in the period — what the console
// shows without reading the whole period.
func (e *Engine) RegisterPage(ctx context.Context, p *identity.Principal, f Filter, offset, limit int) (forms.Data, int, error) {
	f.Sort, f.Inbox, f.Offset, f.Limit = "received", "", max(offset, 0), limit
	rows, total, err := e.List(ctx, p, f)
	if err != nil {
		return forms.Data{}, 0, err
	}
	return e.registerData(ctx, p, f, rows, f.Offset+1), total, nil
}

func (e *Engine) registerData(ctx context.Context, p *identity.Principal, f Filter, rows []Summary, firstNo int) forms.Data {
	agency := f.Agency
	if agency == "" {
		agency = p.Agency
	}
	if agency == "" {
		if home, err := e.org.Home(ctx); err == nil {
			agency = home.Code
		}
	}
	data := e.heading(ctx, agency, forms.Register, e.now())
	data.From, data.To = f.From, f.To
	lead := ""
	if a, err := e.org.Get(ctx, agency); err == nil {
		lead = a.Name
	}
	for i, s := range rows {
		r := forms.RegisterRow{No: firstNo + i, Code: s.Code, Procedure: s.ProcedureName, Sets: 1, Applicant: s.Applicant, AddressPhone: s.ApplicantInfo,
			LeadAgency: lead, Status: s.StatusName}
		set := func(dst *time.Time, t *time.Time) {
			if t != nil {
				*dst = *t
			}
		}
		set(&r.ReceivedAt, s.ReceivedAt)
		set(&r.DueAt, s.DueAt)
		set(&r.TransferredAt, s.TransferredAt)
		set(&r.ResultAt, s.FinishedAt)
		set(&r.ReturnedAt, s.ReturnedAt)
		if s.ReceivedAt == nil {
			r.ReceivedAt = s.SubmittedAt
			r.Note = s.StateName
		}
		if s.CountsLate {
			r.Note = strings.TrimSpace(r.Note + " Bổ sung nhiều lần")
		}
		data.Rows = append(data.Rows, r)
	}
	return data
}
