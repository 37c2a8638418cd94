package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/citizen"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/dossier/forms"
)

// "My dossiers": a signed-in citizen's dossiers, whatever the channel, with
// what is expected of them now; one dossier's timeline, its supplement
// request answered online, its withdrawal, its letters and its electronic
// result. The engine's applicant path (dossier/applicant.go) checks every
// dossier is the citizen's own: another person's code is "not found".
// Viewing needs any e-ID level; acting on a dossier or downloading its
// result needs level 2.

const (
	mineBase     = "/cong-dan/ho-so"
	minePageSize = 10
	// mineMaxUpload bounds a supplement's request body: the engine checks
	// each file against its document's own limit.
	mineMaxUpload = 40 << 20
)

func portalMineRoutes(s *Server, route func(string, http.HandlerFunc)) {
	route("GET "+mineBase, s.portalPage(citizen.Level1, s.mineList))
	route("GET "+mineBase+"/{code}", s.portalPage(citizen.Level1, s.mineDossier))
	route("POST "+mineBase+"/{code}/bo-sung", s.mineUploads(s.portalPage(citizen.Level2, s.mineSupplement)))
	route("GET "+mineBase+"/{code}/rut", s.portalPage(citizen.Level2, s.mineWithdraw))
	route("POST "+mineBase+"/{code}/rut", limitBody(64<<10, s.portalPage(citizen.Level2, s.mineWithdraw)))
	route("GET "+mineBase+"/{code}/ket-qua.pdf", s.portalPage(citizen.Level2, s.mineResult))
	route("GET "+mineBase+"/{code}/giay-to/{file}", s.portalPage(citizen.Level1, s.mineForm))
}

// limitBody bounds a request's body before anything reads it (the CSRF
// check parses the form).
func limitBody(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		h(w, r)
	}
}

// mineUploads bounds a supplement's body and reads it before the CSRF
// check does, so that too much is answered "too large", not "form expired".
// Without a session nothing is read: the wrapper refuses it.
func (s *Server) mineUploads(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, mineMaxUpload)
		if s.citizenSession(r) != nil {
			var tooLarge *http.MaxBytesError
			if err := r.ParseMultipartForm(8 << 20); errors.As(err, &tooLarge) {
				s.fail(w, r, errUploadTooLarge)
				return
			}
		}
		h(w, r)
	}
}

var errUploadTooLarge = &apperr.Error{Kind: apperr.TooLarge, Code: "upload_too_large", Field: "files",
	Message: fmt.Sprintf("Các tệp gửi một lần tối đa %d MB. Hãy gửi ít tệp hơn hoặc chụp lại với độ phân giải thấp hơn.", mineMaxUpload>>20)}

// mineItem is one dossier of the list, with its words.
type mineItem struct {
	dossier.MineSummary
	StatusKey string // i18n key of the status in plain words
	ExpectKey string // i18n key of what is expected now
	Action    string // where the call to action goes
	ActionKey string // its words
}

type mineListData struct {
	Name        string
	Items       []mineItem
	Total       int
	Page, Pages int
	PrevURL     string
	NextURL     string
}

// statusKey is the plain words of a dossier's state: lifecycle states by
// name, workflow states by their national status.
func statusKey(state string, status int) string {
	switch state {
	case dossier.StateNew, dossier.StateGuided, dossier.StateNotAccepted, dossier.StateSupplementing,
		dossier.StateAwaitingPayment, dossier.StateWithdrawn, dossier.StateStopped, dossier.StateRefused:
		return "mine.st." + state
	}
	switch status {
	case 2:
		return "mine.st.received"
	case 9:
		return "mine.st.result_ready"
	case 10:
		return "mine.st.returned"
	}
	return "mine.st.processing"
}

func mineAction(code, expect string) (href, key string) {
	base := mineBase + "/" + url.PathEscape(code)
	switch expect {
	case dossier.ExpectSupplement:
		return base + "#bo-sung", "mine.cta.supplement"
	case dossier.ExpectPay:
		return base + "#nop-phi", "mine.cta.pay"
	case dossier.ExpectCollect:
		return base + "#nhan-ket-qua", "mine.cta.collect"
	case dossier.ExpectDownload:
		return base + "/ket-qua.pdf", "mine.cta.download"
	}
	return base, "mine.cta.view"
}

func expectKey(expect string) string {
	if expect == "" {
		return "mine.expect.nothing"
	}
	return "mine.expect." + expect
}

// GET /cong-dan/ho-so?trang=N
func (s *Server) mineList(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	page, _ := strconv.Atoi(r.URL.Query().Get("trang"))
	if page < 1 {
		page = 1
	}
	list, total, err := s.Dossiers.Mine(r.Context(), sess.Principal(), sess.Citizen.IDNumber, (page-1)*minePageSize, minePageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := mineListData{Name: sess.Citizen.FullName, Total: total, Page: page, Pages: (total + minePageSize - 1) / minePageSize}
	for _, m := range list {
		it := mineItem{MineSummary: m, StatusKey: statusKey(m.State, m.Status), ExpectKey: expectKey(m.Expect)}
		it.Action, it.ActionKey = mineAction(m.Code, m.Expect)
		if m.Expect == dossier.ExpectDownload && sess.Level < citizen.Level2 {
			// The download needs level 2: the dossier's page says so.
			it.Action = mineBase + "/" + url.PathEscape(m.Code) + "#nhan-ket-qua"
		}
		d.Items = append(d.Items, it)
	}
	if page > 1 {
		d.PrevURL = fmt.Sprintf("%s?trang=%d", mineBase, page-1)
	}
	if page < d.Pages {
		d.NextURL = fmt.Sprintf("%s?trang=%d", mineBase, page+1)
	}
	v := s.newView(w, r, "", d)
	v.Title = v.T("mine.title")
	s.render(w, r, http.StatusOK, "portal_mine", v)
}

// mineStep is a timeline row with its words.
type mineStep struct {
	dossier.MineStep
	Key string
}

type mineDossierData struct {
	V          *dossier.MineView
	D          *dossier.Dossier
	CSRF       string
	Level2     bool
	StatusKey  string
	ExpectKey  string
	Action     string
	ActionKey  string
	Steps      []mineStep
	Done       string // what was just done: supplement, withdrawn
	Error      string // the supplement form's error
	ErrorField string
	Note       string
	Forms      []mineFormLink
}

type mineFormLink struct{ Href, Key string }

// mineForms are the letters a citizen may download, by the file name in
// the address.
var mineForms = map[string]forms.Kind{
	"giay-tiep-nhan.pdf":  forms.Receipt,
	"phieu-bo-sung.pdf":   forms.Guidance,
	"van-ban-xin-loi.pdf": forms.Apology,
	"phieu-tu-choi.pdf":   forms.Refusal,
	"thong-bao-dung.pdf":  forms.StopNotice,
}

func (s *Server) mineView(w http.ResponseWriter, r *http.Request, sess *citizen.Session) (*mineDossierData, bool) {
	mv, err := s.Dossiers.MineGet(r.Context(), sess.Principal(), sess.Citizen.IDNumber, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	d := &mineDossierData{V: mv, D: mv.Dossier, CSRF: sess.CSRF, Level2: sess.Level >= citizen.Level2,
		StatusKey: statusKey(mv.Dossier.State, mv.Dossier.Status), ExpectKey: expectKey(mv.Expect)}
	d.Action, d.ActionKey = mineAction(mv.Dossier.Code, mv.Expect)
	for _, st := range mv.Timeline {
		d.Steps = append(d.Steps, mineStep{MineStep: st, Key: "mine.tl." + st.Kind})
	}
	base := mineBase + "/" + url.PathEscape(mv.Dossier.Code) + "/giay-to/"
	if mv.Dossier.ReceivedAt != nil {
		d.Forms = append(d.Forms, mineFormLink{base + "giay-tiep-nhan.pdf", "mine.form.receipt"})
	}
	for _, st := range mv.Timeline {
		switch st.Kind {
		case "supplement_requested", "guided":
			d.Forms = appendForm(d.Forms, mineFormLink{base + "phieu-bo-sung.pdf", "mine.form.guidance"})
		case "apology":
			d.Forms = appendForm(d.Forms, mineFormLink{base + "van-ban-xin-loi.pdf", "mine.form.apology"})
		case "refused", "not_accepted":
			d.Forms = appendForm(d.Forms, mineFormLink{base + "phieu-tu-choi.pdf", "mine.form.refusal"})
		case "stopped":
			d.Forms = appendForm(d.Forms, mineFormLink{base + "thong-bao-dung.pdf", "mine.form.stop"})
		}
	}
	return d, true
}

func appendForm(fs []mineFormLink, f mineFormLink) []mineFormLink {
	for _, x := range fs {
		if x.Href == f.Href {
			return fs
		}
	}
	return append(fs, f)
}

func (s *Server) renderMine(w http.ResponseWriter, r *http.Request, status int, d *mineDossierData) {
	v := s.newView(w, r, "", d)
	v.Title = v.T("mine.dossier") + " " + d.D.Code
	s.render(w, r, status, "portal_mine_dossier", v)
}

// GET /cong-dan/ho-so/{code}
func (s *Server) mineDossier(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	d, ok := s.mineView(w, r, sess)
	if !ok {
		return
	}
	switch r.URL.Query().Get("ok") {
	case "supplement", "withdrawn":
		d.Done = r.URL.Query().Get("ok")
	}
	s.renderMine(w, r, http.StatusOK, d)
}

// POST /cong-dan/ho-so/{code}/bo-sung — the papers asked for, sent online.
func (s *Server) mineSupplement(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	code := r.PathValue("code")
	uploads := map[string][]dossier.Upload{}
	err := r.ParseMultipartForm(8 << 20)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		err = errUploadTooLarge
	case err != nil:
		err = apperr.Field("files", "no_file", "Chưa chọn tệp nào. Hãy chọn ít nhất một tệp giấy tờ cần bổ sung.")
	default:
		for field := range r.MultipartForm.File {
			comp, ok := strings.CutPrefix(field, "file:")
			if !ok {
				continue
			}
			fs, rerr := readUploads(r, field)
			if rerr != nil {
				err = rerr
				break
			}
			uploads[comp] = fs
		}
	}
	note := r.PostFormValue("note")
	if err == nil {
		_, err = s.Dossiers.MineSupplement(r.Context(), sess.Principal(), sess.Citizen.IDNumber, code, uploads, note)
	}
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.NotFound || e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		d, ok := s.mineView(w, r, sess)
		if !ok {
			return
		}
		d.Error, d.ErrorField, d.Note = e.Message, e.Field, note
		s.renderMine(w, r, e.Status(), d)
		return
	}
	http.Redirect(w, r, mineBase+"/"+url.PathEscape(code)+"?ok=supplement", http.StatusSeeOther)
}

type mineWithdrawData struct {
	D      *dossier.Dossier
	CSRF   string
	Reason string
	Error  string
}

// GET and POST /cong-dan/ho-so/{code}/rut — withdraw the dossier, after
// saying what it means and asking why.
func (s *Server) mineWithdraw(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	mv, err := s.Dossiers.MineGet(r.Context(), sess.Principal(), sess.Citizen.IDNumber, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &mineWithdrawData{D: mv.Dossier, CSRF: sess.CSRF}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		d.Reason = r.PostFormValue("reason")
		_, err := s.Dossiers.MineWithdraw(r.Context(), sess.Principal(), sess.Citizen.IDNumber, mv.Dossier.Code, d.Reason)
		if err == nil {
			http.Redirect(w, r, mineBase+"/"+url.PathEscape(mv.Dossier.Code)+"?ok=withdrawn", http.StatusSeeOther)
			return
		}
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		d.Error, status = e.Message, e.Status()
	} else if !mv.Withdrawable {
		s.fail(w, r, apperr.New(apperr.Conflict, "cannot_withdraw", "Hồ sơ đã có kết quả hoặc đã kết thúc nên không rút được nữa."))
		return
	}
	v := s.newView(w, r, "", d)
	v.Title = v.T("mine.withdraw.title") + " " + mv.Dossier.Code
	s.render(w, r, status, "portal_mine_withdraw", v)
}

// GET /cong-dan/ho-so/{code}/ket-qua.pdf — the electronic result, sealed.
func (s *Server) mineResult(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	p, err := s.Dossiers.MineResult(r.Context(), sess.Principal(), sess.Citizen.IDNumber, r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrinted(w, p, true)
}

// GET /cong-dan/ho-so/{code}/giay-to/{file} — a letter of the dossier.
func (s *Server) mineForm(w http.ResponseWriter, r *http.Request, sess *citizen.Session) {
	kind, ok := mineForms[r.PathValue("file")]
	if !ok {
		s.notFoundPage(w, r)
		return
	}
	p, err := s.Dossiers.MinePrint(r.Context(), sess.Principal(), sess.Citizen.IDNumber, r.PathValue("code"), kind)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrinted(w, p, true)
}
