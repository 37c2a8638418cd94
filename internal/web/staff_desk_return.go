package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/vntext"
)

// Returning results at the counter: find the dossier by its code (typed,
// or scanned from the receipt's QR code), check its key facts, record who
// collected the result and how, then print what is needed.

type deskReturnPage struct {
	Code       string // as looked up
	D          *dossier.Dossier
	State      string
	ResultName string
	CanReturn  bool
	Returned   bool   // the result was returned already
	Warning    string // not ready, already returned, ended
	Done       bool   // just returned
	Method     string // how it was returned, in words
	Error      string
	Field      string
	Values     url.Values
	Key        string // idempotency key of the form
	Forms      []formLink
}

// deskReturnLoad finds the dossier of pg.Code and fills in its facts and
// what the counter may do; it answers the HTTP status to show them with.
func (s *Server) deskReturnLoad(r *http.Request, v *staffView, pg *deskReturnPage) (int, error) {
	p := principal(r)
	d, _, err := s.Dossiers.Get(r.Context(), p, pg.Code)
	if err != nil && strings.ToUpper(pg.Code) != pg.Code {
		d, _, err = s.Dossiers.Get(r.Context(), p, strings.ToUpper(pg.Code))
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			return 0, err
		}
		pg.Error, pg.Field = e.Message, "code"
		if e.Code == "dossier_not_found" {
			pg.Error = "Không tìm thấy hồ sơ có mã “" + pg.Code + "”. Kiểm tra lại mã trên Giấy tiếp nhận, hoặc quét lại mã QR."
		}
		return e.Status(), nil
	}
	pg.D, pg.Code = d, d.Code
	wf := s.deskWorkflow(d)
	pg.State = deskStateName(v, wf, d.State, d.StateName)
	if pr, ok := s.Catalog.Catalog().Get(d.Procedure); ok {
		if ver, ok := pr.Version(d.ProcedureVersion); ok {
			pg.ResultName = ver.Result.Name
			if v.Lang == "en" && ver.Result.NameEn != "" {
				pg.ResultName = ver.Result.NameEn
			}
		}
	}
	pg.CanReturn = slices.ContainsFunc(s.Dossiers.Available(d, p), func(a dossier.ActionInfo) bool { return a.ID == dossier.ActionReturnResult })
	if d.Result.Method != "" {
		pg.Method = v.T("method." + d.Result.Method)
	}
	switch {
	case d.ReturnedAt != nil:
		pg.Returned = true
		who := d.Result.CollectedBy
		if who == "" {
			who = "—"
		}
		pg.Warning = fmt.Sprintf(v.T("ret.already"), d.ReturnedAt.In(calendar.Location).Format("15:04 02/01/2006"), who, pg.Method)
	case pg.CanReturn:
	case d.Terminal() || d.Status == 3 || d.Status == 7 || d.Status == 8:
		pg.Warning = fmt.Sprintf(v.T("ret.ended"), pg.State)
	case d.Status < 9:
		pg.Warning = fmt.Sprintf(v.T("ret.not_ready"), pg.State)
	default:
		pg.Warning = fmt.Sprintf(v.T("ret.cannot"), pg.State)
	}
	if d.ReceivedAt != nil {
		pg.Forms = []formLink{{Name: v.T("form.control_slip"), File: "control_slip"}, {Name: v.T("ret.receipt_again"), File: "receipt"}}
	}
	if pg.Values == nil {
		pg.Values = url.Values{}
	}
	if _, posted := pg.Values["collected_by"]; !posted {
		pg.Values.Set("collected_by", d.Applicant.Name)
		pg.Values.Set("method", "counter")
		res := pg.ResultName
		if d.Result.Code != "" {
			res = strings.TrimSpace(res + " " + fmt.Sprintf(v.T("ret.result_no"), d.Result.Code))
		}
		pg.Values.Set("result", res)
	}
	return http.StatusOK, nil
}

// GET /staff/return[?code=…[&done=1]]
func (s *Server) deskReturn(w http.ResponseWriter, r *http.Request, v *staffView) {
	q := r.URL.Query()
	pg := &deskReturnPage{Code: deskCode(q.Get("code")), Key: deskNewKey()}
	status := http.StatusOK
	if pg.Code != "" {
		var err error
		if status, err = s.deskReturnLoad(r, v, pg); err != nil {
			s.staffFail(w, r, v, err)
			return
		}
		pg.Done = pg.Returned && q.Get("done") == "1"
	}
	s.renderStaff(w, r, status, "staff_return", v, v.T("staff.return"), pg)
}

// deskSameName reports whether two names are the same person's name as
// typed (letter case and spacing aside).
func deskSameName(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(vntext.NFC(s)), " ")) }
	return norm(a) == norm(b)
}

// POST /staff/return: record the return of the result.
func (s *Server) deskReturnPost(w http.ResponseWriter, r *http.Request, v *staffView) {
	r.ParseForm()
	pg := &deskReturnPage{Code: deskCode(r.PostFormValue("code")), Values: r.PostForm, Key: r.PostFormValue("key")}
	if !deskKeyRE.MatchString(pg.Key) {
		pg.Key = deskNewKey()
	}
	show := func(status int) { s.renderStaff(w, r, status, "staff_return", v, v.T("staff.return"), pg) }
	if pg.Code == "" {
		pg.Error, pg.Field = "Nhập mã hồ sơ cần trả kết quả (in trên Giấy tiếp nhận), hoặc quét mã QR.", "code"
		show(http.StatusBadRequest)
		return
	}
	status, err := s.deskReturnLoad(r, v, pg)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	if pg.D == nil {
		show(status)
		return
	}
	d := pg.D
	invalid := func(field, msg string) {
		pg.Error, pg.Field = msg, field
		show(http.StatusBadRequest)
	}
	method := r.PostFormValue("method")
	if method != "counter" && method != "post" && method != "online" {
		invalid("method", "Chọn hình thức trả kết quả: tại quầy, qua bưu chính hoặc trực tuyến.")
		return
	}
	name := strings.Join(strings.Fields(vntext.NFC(r.PostFormValue("collected_by"))), " ")
	if method == "counter" && name == "" {
		invalid("collected_by", "Ghi họ tên người nhận kết quả (mặc định là người nộp hồ sơ).")
		return
	}
	if len([]rune(name)) > 150 {
		invalid("collected_by", "Họ tên người nhận quá dài (tối đa 150 ký tự).")
		return
	}
	proxyID := strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) || c == '.' || c == '-' {
			return -1
		}
		return c
	}, r.PostFormValue("proxy_id"))
	proxy := name != "" && !deskSameName(name, d.Applicant.Name)
	if proxy && method == "counter" && proxyID == "" {
		invalid("proxy_id", "Người nhận không phải người nộp hồ sơ: ghi số định danh cá nhân (hoặc số CMND) của người nhận thay.")
		return
	}
	if proxyID != "" && (strings.Trim(proxyID, "0123456789") != "" || (len(proxyID) != 12 && len(proxyID) != 9)) {
		invalid("proxy_id", "Số định danh cá nhân gồm 12 chữ số (chứng minh nhân dân cũ: 9 chữ số).")
		return
	}
	result := strings.TrimSpace(vntext.NFC(r.PostFormValue("result")))
	note := strings.TrimSpace(vntext.NFC(r.PostFormValue("note")))
	if len([]rune(result)) > 500 || len([]rune(note)) > 1000 {
		invalid("note", "Nội dung kết quả hoặc ghi chú quá dài.")
		return
	}
	var parts []string
	if result != "" {
		parts = append(parts, "Kết quả đã trao: "+result)
	}
	if proxy {
		parts = append(parts, "Người nhận thay: "+name+", số định danh "+proxyID)
	} else if proxyID != "" {
		parts = append(parts, "Số định danh người nhận: "+proxyID)
	}
	if note != "" {
		parts = append(parts, "Ghi chú: "+note)
	}
	req := dossier.ActionRequest{Action: dossier.ActionReturnResult, Method: method, CollectedBy: name, Comment: strings.Join(parts, ". ")}
	// The revision the officer saw: a change since then is not overwritten
	// (and a double submit carries the same one, so it is recognised).
	if rev, err := strconv.Atoi(r.PostFormValue("rev")); err == nil && rev > 0 {
		req.Rev = rev
	}
	if _, err := s.Dossiers.Act(r.Context(), principal(r), d.Code, req, "return:"+pg.Key); err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		pg.Error, pg.Field = e.Message, e.Field
		show(e.Status())
		return
	}
	http.Redirect(w, r, "/staff/return?done=1&code="+url.QueryEscape(d.Code), http.StatusSeeOther)
}
