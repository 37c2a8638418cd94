package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
	"github.com/motcua/motcua/internal/seal"
)

// parseFormFile reads "receipt.pdf", "control_slip.html" or, by the
// numbering in use, "01.pdf".
func (s *Server) parseFormFile(name string) (forms.Kind, string, error) {
	base, format, ok := strings.Cut(name, ".")
	if !ok || (format != "pdf" && format != "html") {
		return "", "", apperr.Field("file", "invalid_format", "Tệp phải có đuôi .pdf hoặc .html.")
	}
	if k, ok := forms.KindByNumber(base, s.Dossiers.Numbering()); ok {
		return k, format, nil
	}
	k := forms.Kind(base)
	if _, ok := forms.Number(k, s.Dossiers.Numbering()); !ok {
		return "", "", apperr.Field("file", "unknown_form", "Không có mẫu này.")
	}
	return k, format, nil
}

func sendPrinted(w http.ResponseWriter, p *dossier.Printed, download bool) {
	w.Header().Set("Content-Type", p.ContentType)
	disp := "inline"
	if download {
		disp = "attachment"
	}
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": p.Filename}))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(p.Body)
}

// GET /api/v1/dossiers/{code}/forms/{file}
func (s *Server) apiDossierForm(w http.ResponseWriter, r *http.Request) {
	kind, format, err := s.parseFormFile(r.PathValue("file"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if kind == forms.Register {
		s.fail(w, r, apperr.Field("file", "unknown_form", "Sổ theo dõi hồ sơ có ở /api/v1/register."))
		return
	}
	p, err := s.Dossiers.Print(r.Context(), principal(r), r.PathValue("code"), kind, format)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrinted(w, p, false)
}

// GET /api/v1/register?from=&to=&format=json|xlsx|pdf|html
func (s *Server) apiRegister(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if f.From.IsZero() {
		s.fail(w, r, apperr.Field("from", "period_required", "Chọn kỳ của sổ theo dõi: from và to (NNNN-TT-NN)."))
		return
	}
	if f.To.IsZero() {
		s.fail(w, r, apperr.Field("to", "period_required", "Chọn kỳ của sổ theo dõi: from và to (NNNN-TT-NN)."))
		return
	}
	if !f.To.After(f.From) {
		s.fail(w, r, apperr.Field("to", "invalid_period", "Ngày kết thúc phải từ ngày bắt đầu trở đi."))
		return
	}
	format := r.URL.Query().Get("format")
	switch format {
	case "", "json", "xlsx", "pdf", "html":
	default:
		s.fail(w, r, apperr.Field("format", "invalid_format", "Định dạng phải là json, xlsx, pdf hoặc html."))
		return
	}
	if f.To.Sub(f.From) > 366*24*time.Hour {
		s.fail(w, r, apperr.Field("to", "period_too_long", "Kỳ của sổ theo dõi tối đa một năm."))
		return
	}
	data, rows, err := s.Dossiers.RegisterData(r.Context(), principal(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("so-theo-doi-ho-so_%s_%s", r.URL.Query().Get("from"), r.URL.Query().Get("to"))
	switch format {
	case "", "json":
		writeJSON(w, http.StatusOK, map[string]any{"count": len(rows), "rows": rows})
	case "xlsx":
		b, err := forms.RegisterXLSX(data)
		if err != nil {
			s.fail(w, r, apperr.Wrap(err, "register xlsx"))
			return
		}
		sendPrinted(w, &dossier.Printed{Body: b, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Filename: name + ".xlsx"}, true)
	case "pdf":
		b, err := forms.PDF(data)
		if err != nil {
			s.fail(w, r, apperr.Wrap(err, "register pdf"))
			return
		}
		sendPrinted(w, &dossier.Printed{Body: s.Dossiers.Keys().SealFile(b), ContentType: "application/pdf", Filename: name + ".pdf"}, false)
	case "html":
		b, err := forms.HTML(data)
		if err != nil {
			s.fail(w, r, apperr.Wrap(err, "register html"))
			return
		}
		sendPrinted(w, &dossier.Printed{Body: b, ContentType: "text/html; charset=utf-8", Filename: name + ".html"}, false)
	default:
		s.fail(w, r, apperr.Field("format", "invalid_format", "Định dạng phải là json, xlsx, pdf hoặc html."))
	}
}

// formsCSS serves the printable forms' stylesheet.
func (s *Server) formsCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(forms.Stylesheet)
}

// GET /tra-cuu — the public status lookup form.
func (s *Server) lookupPage(w http.ResponseWriter, r *http.Request) {
	v := s.newView(w, r, "", map[string]any{"Code": r.URL.Query().Get("code")})
	v.Title = v.T("lookup.title")
	s.render(w, r, http.StatusOK, "lookup", v)
}

// GET /tra-cuu/{code}?key=…|phone=… — where a dossier stands, in plain
// words. The receipt's QR code opens this page with the key and its seal.
func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if code == "" {
		code = r.URL.Query().Get("code")
	}
	q := r.URL.Query()
	ip := clientIP(r)
	if !s.lookups.allowed(ip, time.Now()) {
		s.fail(w, r, apperr.New(apperr.RateLimited, "too_many_failed_lookups", "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 10 phút, hoặc hỏi cán bộ tại Trung tâm."))
		return
	}
	pv, err := s.Dossiers.Public(r.Context(), code, q.Get("key"), q.Get("phone"))
	if err != nil {
		if errors.Is(err, dossier.ErrLookupFailed) {
			s.lookups.fail(ip, time.Now())
			v := s.newView(w, r, "", map[string]any{"Code": code, "Error": apperr.As(err).Message})
			v.Title = v.T("lookup.title")
			s.render(w, r, http.StatusNotFound, "lookup", v)
			return
		}
		s.fail(w, r, err)
		return
	}
	var ver *dossier.Verification
	if token := q.Get("r"); token != "" {
		ver, _ = s.Dossiers.VerifySeal(r.Context(), token)
	}
	v := s.newView(w, r, "", map[string]any{"P": pv, "Key": q.Get("key"), "Verification": ver})
	v.Title = v.T("status.title") + " " + pv.Code
	s.render(w, r, http.StatusOK, "status", v)
}

// GET /tra-cuu/{code}/giay-tiep-nhan.pdf?key=… — the citizen downloads the
// receipt again.
func (s *Server) publicReceipt(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	if !s.lookups.allowed(ip, time.Now()) {
		s.fail(w, r, apperr.New(apperr.RateLimited, "too_many_failed_lookups", "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 10 phút."))
		return
	}
	p, err := s.Dossiers.PublicReceipt(r.Context(), r.PathValue("code"), r.URL.Query().Get("key"))
	if err != nil {
		if errors.Is(err, dossier.ErrLookupFailed) {
			s.lookups.fail(ip, time.Now())
		}
		s.fail(w, r, err)
		return
	}
	sendPrinted(w, p, true)
}

// verifyResult is what the /verify page shows.
type verifyResult struct {
	Checked bool
	Genuine bool
	Reason  string
	V       *dossier.Verification
	// Message is the answer about a pasted SMS (portal_feedback_verify.go).
	Message *messageCheck
}

// GET /verify[?r=…] and POST /verify (a PDF file): tell a genuine receipt
// from a forged or altered one.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	res := verifyResult{}
	v := s.newView(w, r, "", nil)
	switch {
	case r.Method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/"):
		res.Message = s.verifyMessage(w, r, v)
	case r.Method == http.MethodPost:
		res = s.verifyUpload(r)
	case r.URL.Query().Get("r") != "":
		v, err := s.Dossiers.VerifySeal(r.Context(), r.URL.Query().Get("r"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res = verifyResult{Checked: true, Genuine: v.Genuine, Reason: v.Reason, V: v}
	}
	v.Data = res
	v.Title = v.T("verify.title")
	s.render(w, r, http.StatusOK, "verify", v)
}

// verifyUpload checks an uploaded PDF: the seal over the whole file, then
// the key facts it carries against the dossier.
func (s *Server) verifyUpload(r *http.Request) verifyResult {
	bad := func(reason string) verifyResult { return verifyResult{Checked: true, Reason: reason} }
	r.Body = http.MaxBytesReader(nil, r.Body, 10<<20)
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		return bad("Không đọc được tệp tải lên (tối đa 10 MB).")
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return bad("Chưa chọn tệp PDF để kiểm tra.")
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return bad("Không đọc được tệp tải lên.")
	}
	doc, err := s.Dossiers.Keys().OpenFile(b)
	if err != nil {
		if errors.Is(err, seal.ErrBadSignature) && strings.Contains(err.Error(), "changed") {
			return bad("Tệp đã bị sửa sau khi Trung tâm phát hành: nội dung không còn khớp chữ ký số.")
		}
		return bad("Tệp không mang chữ ký số của Trung tâm: không phải giấy tờ do hệ thống phát hành.")
	}
	token, err := forms.SealFromPDF(doc)
	if err != nil {
		return verifyResult{Checked: true, Genuine: true, Reason: "Tệp do Trung tâm phát hành và chưa bị sửa."}
	}
	v, err := s.Dossiers.VerifySeal(r.Context(), token)
	if err != nil {
		return bad("Không kiểm tra được lúc này. Vui lòng thử lại.")
	}
	return verifyResult{Checked: true, Genuine: v.Genuine, Reason: v.Reason, V: v}
}
