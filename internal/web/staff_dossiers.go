package web

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/assist"
	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
)

const inboxPage = 50

// GET /staff/inbox?box=role|mine|all&…filters
func (s *Server) staffInbox(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, err := parseFilter(r)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	box := r.URL.Query().Get("box")
	switch box {
	case "role", "mine":
		f.Inbox = box
	case "", "all":
		box = "all"
		f.Inbox = ""
	default:
		s.staffFail(w, r, v, apperr.Field("box", "invalid_inbox", "Hộp việc phải là role, mine hoặc all."))
		return
	}
	v.Box = box
	if box == "all" && f.Sort == "" {
		f.Sort = "newest" // browsing every dossier: the latest first
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	f.Limit, f.Offset = inboxPage, (page-1)*inboxPage
	items, total, err := s.Dossiers.List(r.Context(), principal(r), f)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	s.localizeSummaries(v, items)
	q := r.URL.Query()
	q.Del("page")
	title := map[string]string{"role": v.T("staff.inbox"), "mine": v.T("staff.mine"), "all": v.T("staff.all_dossiers")}[box]
	s.renderStaff(w, r, http.StatusOK, "staff_inbox", v, title, map[string]any{
		"Items": items, "Total": total, "Box": box, "F": f, "Q": q, "Query": template.URL(q.Encode()), // already encoded
		"Page": page, "Pages": (total + inboxPage - 1) / inboxPage, "Procedures": s.Catalog.Catalog().All(),
		"From": q.Get("from"), "To": q.Get("to"), "Status": q.Get("status"),
	})
}

// dossierPage is what the dossier page shows.
type dossierPage struct {
	D          *dossier.Dossier
	History    []dossier.HistoryEntry
	Actions    []dossier.ActionInfo
	Files      []dossier.File
	FilesBy    map[string][]dossier.File
	View       *dossier.File
	Forms      []formLink
	Procedure  *catalog.Procedure
	Version    *catalog.Version
	Print      string // a form just produced by the last action, to print now
	CanUpload  bool
	Components []catalog.Component
	// Assisted names who helped the citizen file it online, if anyone did.
	Assisted *assist.DossierAssist
}

type formLink struct {
	Name string
	File string
}

// GET /staff/dossiers/{code}
func (s *Server) staffDossier(w http.ResponseWriter, r *http.Request, v *staffView) {
	code := r.PathValue("code")
	d, hist, err := s.Dossiers.Get(r.Context(), principal(r), code)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	files, err := s.Dossiers.Files(r.Context(), d.ID)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	pg := &dossierPage{D: d, History: hist, Actions: s.Dossiers.Available(d, principal(r)), Files: files, FilesBy: map[string][]dossier.File{},
		Print: r.URL.Query().Get("print")}
	s.localizeDossier(v, d, hist, pg.Actions)
	for i := range files {
		pg.FilesBy[files[i].Component] = append(pg.FilesBy[files[i].Component], files[i])
		if files[i].ID == r.URL.Query().Get("file") {
			pg.View = &files[i]
		}
	}
	if p, ok := s.Catalog.Catalog().Get(d.Procedure); ok {
		pg.Procedure = p
		if ver, ok := p.Version(d.ProcedureVersion); ok {
			pg.Version = ver
			pg.Components = ver.Components
		}
	}
	pg.CanUpload = !d.Terminal() && principal(r).HasAny(identity.RoleCounter, identity.RoleSpecialist)
	if s.Assist != nil && d.Channel == catalog.ChannelOnline {
		if a, err := s.Assist.ForDossier(r.Context(), d.Code); err != nil {
			s.Log.Warn("staff dossier: who assisted", "dossier", d.Code, "err", err)
		} else {
			pg.Assisted = a
		}
	}
	for _, name := range []string{"receipt", "guidance", "refusal", "apology", "stop_notice", "control_slip"} {
		if link, ok := s.dossierForms(d)[name]; ok {
			_ = link
			pg.Forms = append(pg.Forms, formLink{Name: v.T("form." + name), File: name})
		}
	}
	s.renderStaff(w, r, http.StatusOK, "staff_dossier", v, d.Code, pg)
}

// actionDescription says in words what an action will do.
func actionDescription(v *staffView, d *dossier.Dossier, a dossier.ActionInfo, wf *catalog.Workflow) string {
	switch a.ID {
	case dossier.ActionTake:
		return v.T("act.take")
	case dossier.ActionRelease:
		return v.T("act.release")
	case dossier.ActionReceive:
		return v.T("act.receive")
	case dossier.ActionRequestSupplement:
		if d.State == dossier.StateNew {
			return v.T("act.guide")
		}
		return v.T("act.request_supplement")
	case dossier.ActionSupplementReceived:
		return v.T("act.supplement_received")
	case dossier.ActionRefuse:
		return v.T("act.refuse")
	case dossier.ActionRequestPayment:
		return v.T("act.request_payment")
	case dossier.ActionPaymentReceived:
		return v.T("act.payment_received")
	case dossier.ActionStop:
		return v.T("act.stop")
	case dossier.ActionWithdraw:
		return v.T("act.withdraw")
	case dossier.ActionApologize:
		return v.T("act.apologize")
	}
	if wf != nil {
		if wa, ok := wf.Action(a.ID); ok {
			if to, ok := wf.State(wa.To); ok {
				var who []string
				for _, role := range to.Roles {
					who = append(who, v.T("role."+role))
				}
				msg := fmt.Sprintf(v.T("act.move"), v.stateLabel(wf, wa.To, to.Name))
				if len(who) > 0 {
					msg += " " + fmt.Sprintf(v.T("act.move_who"), strings.Join(who, ", "))
				}
				if to.Status == 9 {
					msg += " " + v.T("act.finish")
				}
				if to.Status == 10 {
					msg += " " + v.T("act.returned")
				}
				return msg
			}
		}
	}
	return ""
}

// confirmPage is the confirmation of one action, with its inputs.
type confirmPage struct {
	D           *dossier.Dossier
	A           dossier.ActionInfo
	Description string
	Needs       map[string]bool
	Error       string
	Field       string
	Values      url.Values
	Form        string // the form this action produces
}

// GET and POST /staff/dossiers/{code}/act/{action}: a confirmation that
// states what will happen and asks for what the action needs, then the action.
func (s *Server) staffAct(w http.ResponseWriter, r *http.Request, v *staffView) {
	code, action := r.PathValue("code"), r.PathValue("action")
	p := principal(r)
	d, _, err := s.Dossiers.Get(r.Context(), p, code)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	var info *dossier.ActionInfo
	for _, a := range s.Dossiers.Available(d, p) {
		if a.ID == action {
			info = &a
			break
		}
	}
	if info == nil {
		s.staffFail(w, r, v, apperr.New(apperr.Conflict, "action_not_allowed", "Bạn không thể thực hiện thao tác này với hồ sơ ở trạng thái hiện tại."))
		return
	}
	var wf *catalog.Workflow
	if pr, ok := s.Catalog.Catalog().Get(d.Procedure); ok {
		if ver, ok := pr.Version(d.ProcedureVersion); ok {
			wf = ver.WorkflowDef
		}
	}
	s.localizeDossier(v, d, nil, nil)
	info.Name = v.actionLabel(wf, info.ID, info.Name)
	pg := &confirmPage{D: d, A: *info, Description: actionDescription(v, d, *info, wf), Needs: map[string]bool{}, Values: url.Values{}}
	for _, n := range info.Needs {
		pg.Needs[n] = true
	}
	pg.Form = map[string]string{dossier.ActionRequestSupplement: "guidance", dossier.ActionRefuse: "refusal", dossier.ActionStop: "stop_notice",
		dossier.ActionApologize: "apology", dossier.ActionReceive: "receipt"}[action]
	if r.Method == http.MethodGet {
		s.renderStaff(w, r, http.StatusOK, "staff_confirm", v, info.Name, pg)
		return
	}
	r.ParseForm()
	pg.Values = r.PostForm
	req := dossier.ActionRequest{Action: action, Comment: r.PostFormValue("comment"), NewDue: r.PostFormValue("new_due"),
		ResultCode: r.PostFormValue("result_code"), Method: r.PostFormValue("method"), CollectedBy: r.PostFormValue("collected_by"),
		Online: r.PostFormValue("online") == "1", Verification: r.PostFormValue("verification") == "1"}
	if r.PostFormValue("electronic_result") == "1" && pg.Needs["result_code"] {
		// The citizen gets the result electronically: a sealed result document
		// with a verification QR code, which motcua issues (portal, /verify).
		req.ResultFile = dossier.ElectronicResultFile
	}
	for _, line := range strings.Split(r.PostFormValue("reasons"), "\n") {
		if strings.TrimSpace(line) != "" {
			req.Reasons = append(req.Reasons, line)
		}
	}
	if a := r.PostFormValue("amount"); a != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.ReplaceAll(a, ".", ""), ",", ""), 10, 64)
		if err != nil {
			pg.Error, pg.Field = "Số tiền phải là số (đồng).", "amount"
			s.renderStaff(w, r, http.StatusBadRequest, "staff_confirm", v, info.Name, pg)
			return
		}
		req.Amount = n
	}
	if rev, err := strconv.Atoi(r.PostFormValue("rev")); err == nil {
		req.Rev = rev
	}
	res, err := s.Dossiers.Act(r.Context(), p, code, req, r.PostFormValue("key"))
	if err != nil {
		e := apperr.As(err)
		if e.Kind == apperr.Internal {
			s.staffFail(w, r, v, err)
			return
		}
		pg.Error, pg.Field = e.Message, e.Field
		s.renderStaff(w, r, e.Status(), "staff_confirm", v, info.Name, pg)
		return
	}
	dest := "/staff/dossiers/" + url.PathEscape(code) + "?ok=" + url.QueryEscape(v.T("act.done")+": "+info.Name)
	if action == dossier.ActionTake && r.PostFormValue("from") == "inbox" {
		dest = "/staff/inbox?box=mine&ok=" + url.QueryEscape(v.T("act.done")+": "+info.Name+" "+code)
	}
	if pg.Form != "" && !res.Replayed {
		dest += "&print=" + pg.Form
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// GET /staff/dossiers/{code}/forms/{file}: print a form with the session.
func (s *Server) staffForm(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.apiDossierForm(w, r)
}

// GET /staff/dossiers/{code}/files/{id}: a scan, shown inline (the dossier
// page frames it).
func (s *Server) staffFile(w http.ResponseWriter, r *http.Request, v *staffView) {
	f, data, err := s.Dossiers.OpenFile(r.Context(), principal(r), r.PathValue("code"), r.PathValue("id"))
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(f.Name))
	// Framed by the dossier page (same origin) only; never run as a page.
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; plugin-types application/pdf; frame-ancestors 'self'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	w.Write(data)
}

// POST /staff/dossiers/{code}/files: attach scans to a component.
func (s *Server) staffUpload(w http.ResponseWriter, r *http.Request, v *staffView) {
	code := r.PathValue("code")
	r.Body = http.MaxBytesReader(w, r.Body, 60<<20)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		s.staffFail(w, r, v, apperr.New(apperr.TooLarge, "upload_too_large", "Tệp tải lên quá lớn (tối đa 50 MB mỗi lần)."))
		return
	}
	uploads, err := readUploads(r, "files")
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	n, err := s.Dossiers.AddFiles(r.Context(), principal(r), code, r.PostFormValue("component"), uploads)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	http.Redirect(w, r, "/staff/dossiers/"+url.PathEscape(code)+"?ok="+url.QueryEscape(fmt.Sprintf(v.T("files.added"), n)), http.StatusSeeOther)
}

// readUploads reads the files of a multipart field.
func readUploads(r *http.Request, field string) ([]dossier.Upload, error) {
	var out []dossier.Upload
	if r.MultipartForm == nil {
		return nil, nil
	}
	for _, fh := range r.MultipartForm.File[field] {
		f, err := fh.Open()
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "unreadable_file", "Không đọc được tệp "+fh.Filename+".")
		}
		data := make([]byte, fh.Size)
		_, err = io.ReadFull(f, data)
		f.Close()
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "unreadable_file", "Không đọc được tệp "+fh.Filename+".")
		}
		out = append(out, dossier.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

// GET/POST /staff/notifications
func (s *Server) staffNotifications(w http.ResponseWriter, r *http.Request, v *staffView) {
	if r.Method == http.MethodPost {
		s.Dossiers.MarkRead(r.Context(), principal(r))
		http.Redirect(w, r, "/staff/notifications?ok="+url.QueryEscape(v.T("staff.marked_read")), http.StatusSeeOther)
		return
	}
	ns, err := s.Dossiers.Notifications(r.Context(), principal(r), 200)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	s.renderStaff(w, r, http.StatusOK, "staff_notifications", v, v.T("staff.notifications"), ns)
}
