package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
)

// The register (sổ theo dõi hồ sơ, Mẫu 06/07) of a period on screen, page
// by page, and the same register to download: XLSX, sealed PDF, HTML to
// print.

const deskRegisterPage = 50

type deskRegisterView struct {
	From, To                    string // YYYY-MM-DD, as in the form
	FromText, ToText            string // DD/MM/YYYY
	Procedure, Status, Channel  string
	Procedures                  []*catalog.Procedure
	Rows                        []forms.RegisterRow
	Total, Page, Pages, FirstNo int
	Query                       template.URL // the filter, for the pager and the downloads (encoded here)
	Error                       string
	Field                       string
}

// deskRegisterFilter reads the period and filters; the period defaults to
// this month.
func (s *Server) deskRegisterFilter(r *http.Request) (*deskRegisterView, dossier.Filter, error) {
	q := r.URL.Query()
	now := s.Now().In(calendar.Location)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, calendar.Location)
	rv := &deskRegisterView{From: q.Get("from"), To: q.Get("to"), Procedure: q.Get("procedure"), Status: q.Get("status"), Channel: q.Get("channel"),
		Procedures: s.Catalog.Catalog().All()}
	if rv.From == "" {
		rv.From = first.Format(time.DateOnly)
	}
	if rv.To == "" {
		rv.To = first.AddDate(0, 1, -1).Format(time.DateOnly)
	}
	var f dossier.Filter
	from, err := parseDay(rv.From, false)
	if err != nil {
		return rv, f, apperr.Field("from", "invalid_date", "Ngày bắt đầu không hợp lệ: nhập ngày dạng NNNN-TT-NN, ví dụ "+first.Format(time.DateOnly)+".")
	}
	to, err := parseDay(rv.To, true)
	if err != nil {
		return rv, f, apperr.Field("to", "invalid_date", "Ngày kết thúc không hợp lệ: nhập ngày dạng NNNN-TT-NN, ví dụ "+first.AddDate(0, 1, -1).Format(time.DateOnly)+".")
	}
	if !to.After(from) {
		return rv, f, apperr.Field("to", "invalid_period", "Ngày kết thúc phải từ ngày bắt đầu trở đi.")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return rv, f, apperr.Field("to", "period_too_long", "Kỳ của sổ theo dõi tối đa một năm.")
	}
	f.From, f.To = from, to
	rv.FromText, rv.ToText = from.Format("02/01/2006"), to.AddDate(0, 0, -1).Format("02/01/2006")
	if rv.Procedure != "" {
		if _, ok := s.Catalog.Catalog().Get(rv.Procedure); !ok {
			return rv, f, apperr.Field("procedure", "unknown_procedure", "Không có thủ tục này trong danh mục.")
		}
		f.Procedure = rv.Procedure
	}
	if rv.Status != "" {
		n, err := strconv.Atoi(rv.Status)
		if err != nil || n < 1 || n > 10 {
			return rv, f, apperr.Field("status", "invalid_status", "Trạng thái phải là mã từ 1 đến 10.")
		}
		f.Status = []int{n}
	}
	switch rv.Channel {
	case "", "in_person", "online", "post":
		f.Channel = rv.Channel
	default:
		return rv, f, apperr.Field("channel", "invalid_channel", "Kênh nộp phải là trực tiếp, trực tuyến hoặc bưu chính.")
	}
	qq := url.Values{"from": {rv.From}, "to": {rv.To}}
	for k, val := range map[string]string{"procedure": rv.Procedure, "status": rv.Status, "channel": rv.Channel} {
		if val != "" {
			qq.Set(k, val)
		}
	}
	rv.Query = template.URL(qq.Encode())
	return rv, f, nil
}

// GET /staff/register?from=&to=&procedure=&status=&channel=&page=
func (s *Server) deskRegister(w http.ResponseWriter, r *http.Request, v *staffView) {
	rv, f, err := s.deskRegisterFilter(r)
	title := v.T("reg.title")
	if err != nil {
		e := apperr.As(err)
		rv.Error, rv.Field = e.Message, e.Field
		s.renderStaff(w, r, e.Status(), "staff_register", v, title, rv)
		return
	}
	page, perr := strconv.Atoi(r.URL.Query().Get("page"))
	if perr != nil || page < 1 {
		page = 1
	}
	// Only the page shown is read; past the last page shows the last.
	data, total, err := s.Dossiers.RegisterPage(r.Context(), principal(r), f, (page-1)*deskRegisterPage, deskRegisterPage)
	if err == nil && len(data.Rows) == 0 && total > 0 {
		page = (total + deskRegisterPage - 1) / deskRegisterPage
		data, total, err = s.Dossiers.RegisterPage(r.Context(), principal(r), f, (page-1)*deskRegisterPage, deskRegisterPage)
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.staffFail(w, r, v, err)
			return
		}
		rv.Error, rv.Field = e.Message, e.Field
		s.renderStaff(w, r, e.Status(), "staff_register", v, title, rv)
		return
	}
	rv.Total = total
	rv.Pages = max((rv.Total+deskRegisterPage-1)/deskRegisterPage, 1)
	rv.Page = page
	rv.Rows = data.Rows
	rv.FirstNo = (page-1)*deskRegisterPage + 1
	s.renderStaff(w, r, http.StatusOK, "staff_register", v, title, rv)
}

// GET /staff/register/export?format=xlsx|pdf|html&… — the register of the
// same filter, downloaded with the console's session.
func (s *Server) deskRegisterExport(w http.ResponseWriter, r *http.Request, v *staffView) {
	format := r.URL.Query().Get("format")
	if format != "xlsx" && format != "pdf" && format != "html" {
		s.staffFail(w, r, v, apperr.Field("format", "invalid_format", "Định dạng tải về phải là xlsx, pdf hoặc html."))
		return
	}
	rv, f, err := s.deskRegisterFilter(r)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	data, _, err := s.Dossiers.RegisterData(r.Context(), principal(r), f)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	name := fmt.Sprintf("so-theo-doi-ho-so_%s_%s", rv.From, rv.To)
	switch format {
	case "xlsx":
		b, err := forms.RegisterXLSX(data)
		if err != nil {
			s.staffFail(w, r, v, apperr.Wrap(err, "register xlsx"))
			return
		}
		sendPrinted(w, &dossier.Printed{Body: b, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Filename: name + ".xlsx"}, true)
	case "pdf":
		b, err := forms.PDF(data)
		if err != nil {
			s.staffFail(w, r, v, apperr.Wrap(err, "register pdf"))
			return
		}
		sendPrinted(w, &dossier.Printed{Body: s.Dossiers.Keys().SealFile(b), ContentType: "application/pdf", Filename: name + ".pdf"}, false)
	case "html":
		b, err := forms.HTML(data)
		if err != nil {
			s.staffFail(w, r, v, apperr.Wrap(err, "register html"))
			return
		}
		sendPrinted(w, &dossier.Printed{Body: b, ContentType: "text/html; charset=utf-8", Filename: name + ".html"}, false)
	}
}
