package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
)

// The leader's desk: the dossiers of the leader's agency awaiting approval
// and signature, with the specialist's comment, acted on several at once
// after a confirmation that lists them.

// deskLeaderActions are the actions of the desk, in the order of its buttons.
var deskLeaderActions = []string{"approve", "sign", "send_back"}

// deskMaxBatch bounds the dossiers of one batch.
const deskMaxBatch = 100

// deskLeaderRow is one dossier on the desk.
type deskLeaderRow struct {
	S         dossier.Summary
	Comment   string // of the last history row, if any
	CommentBy string
	Actions   []string // which of deskLeaderActions the leader may take now
}

// deskLeaderSection is one list of the desk: awaiting approval or signature.
type deskLeaderSection struct {
	ID      string // approval, signing: also the state and the checkboxes' name
	Title   string
	Rows    []deskLeaderRow
	Total   int
	Actions []string // the buttons: the actions some row allows
}

type deskLeaderPage struct {
	Sections []deskLeaderSection
	Error    string
}

// deskLeaderData builds the two sections of the desk.
func (s *Server) deskLeaderData(r *http.Request, v *staffView) (*deskLeaderPage, error) {
	p := principal(r)
	pg := &deskLeaderPage{}
	for _, st := range []string{"approval", "signing"} {
		sec := deskLeaderSection{ID: st, Title: v.T("desk.section_approval")}
		if st == "signing" {
			sec.Title = v.T("desk.section_signing")
		}
		// What nobody has taken, and what the leader has taken.
		for _, box := range []string{"role", "mine"} {
			items, total, err := s.Dossiers.List(r.Context(), p, dossier.Filter{Inbox: box, State: st, Limit: deskMaxBatch, Sort: "due"})
			if err != nil {
				return nil, err
			}
			sec.Total += total
			for _, it := range items {
				sec.Rows = append(sec.Rows, deskLeaderRow{S: it})
			}
		}
		slices.SortStableFunc(sec.Rows, func(a, b deskLeaderRow) int {
			switch {
			case a.S.DueAt == nil && b.S.DueAt == nil:
				return strings.Compare(a.S.Code, b.S.Code)
			case a.S.DueAt == nil:
				return 1
			case b.S.DueAt == nil:
				return -1
			}
			if c := a.S.DueAt.Compare(*b.S.DueAt); c != 0 {
				return c
			}
			return strings.Compare(a.S.Code, b.S.Code)
		})
		codes := make([]string, len(sec.Rows))
		for i, row := range sec.Rows {
			codes[i] = row.S.Code
		}
		ds, hs, errs := s.deskGet(r.Context(), p, codes)
		offered := map[string]bool{}
		for i := range sec.Rows {
			if errs[i] != nil {
				continue
			}
			row := &sec.Rows[i]
			wf := s.deskWorkflow(ds[i])
			row.S.StateName = deskStateName(v, wf, ds[i].State, row.S.StateName)
			if h := hs[i]; len(h) > 0 {
				last := h[len(h)-1]
				if last.Comment != "" {
					row.Comment = last.Comment
					row.CommentBy = last.ActorName
					if last.ActorRole != "" {
						row.CommentBy += " (" + identity.RoleName(last.ActorRole) + ")"
					}
				}
			}
			for _, a := range s.Dossiers.Available(ds[i], p) {
				if slices.Contains(deskLeaderActions, a.ID) {
					row.Actions = append(row.Actions, a.ID)
					offered[a.ID] = true
				}
			}
		}
		for _, a := range deskLeaderActions {
			if offered[a] {
				sec.Actions = append(sec.Actions, a)
			}
		}
		pg.Sections = append(pg.Sections, sec)
	}
	return pg, nil
}

// GET /staff/leader
func (s *Server) deskLeader(w http.ResponseWriter, r *http.Request, v *staffView) {
	pg, err := s.deskLeaderData(r, v)
	if err != nil {
		s.staffFail(w, r, v, err)
		return
	}
	s.renderStaff(w, r, http.StatusOK, "staff_leader", v, v.T("staff.leader"), pg)
}

// deskLeaderError shows the desk again with what is wrong.
func (s *Server) deskLeaderError(w http.ResponseWriter, r *http.Request, v *staffView, err *apperr.Error) {
	pg, lerr := s.deskLeaderData(r, v)
	if lerr != nil {
		s.staffFail(w, r, v, lerr)
		return
	}
	pg.Error = err.Message
	s.renderStaff(w, r, err.Status(), "staff_leader", v, v.T("staff.leader"), pg)
}

// deskBatchInput reads the action and the chosen dossiers of a batch, from
// the query (the desk's form) or the posted form (the confirmation).
func deskBatchInput(form url.Values) (string, []string, *apperr.Error) {
	action := form.Get("action")
	if !slices.Contains(deskLeaderActions, action) {
		return "", nil, apperr.Field("action", "invalid_action", "Thao tác phải là phê duyệt (approve), ký (sign) hoặc trả lại chuyên viên (send_back).")
	}
	var codes []string
	for _, field := range []string{"code", "approval", "signing"} {
		for _, c := range form[field] {
			c = strings.TrimSpace(c)
			if c != "" && !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) == 0 {
		return action, nil, apperr.Field("code", "no_dossier_chosen", "Chưa chọn hồ sơ nào. Đánh dấu ô bên cạnh các hồ sơ rồi chọn lại thao tác.")
	}
	if len(codes) > deskMaxBatch {
		return action, nil, apperr.Field("code", "too_many_dossiers", fmt.Sprintf("Mỗi lần chỉ xử lý tối đa %d hồ sơ.", deskMaxBatch))
	}
	return action, codes, nil
}

// deskConfirmItem is one dossier of a confirmation.
type deskConfirmItem struct {
	Code, Procedure, Applicant string
	Rev                        int
	Next                       string // the step it goes to
	Reason                     string // why it will be left out
}

type deskConfirmPage struct {
	Action      string
	Description string
	Items       []deskConfirmItem
	Skipped     []deskConfirmItem
	Batch       string
	Comment     string
	Error       string
	Field       string
}

// deskConfirmData checks each chosen dossier: those the action can be
// taken on now, and those left out and why.
func (s *Server) deskConfirmData(r *http.Request, v *staffView, action string, codes []string) *deskConfirmPage {
	p := principal(r)
	c := &deskConfirmPage{Action: action, Description: deskActionWhat(v, action), Batch: deskNewKey()}
	ds, _, errs := s.deskGet(r.Context(), p, codes)
	for i, code := range codes {
		it := deskConfirmItem{Code: code}
		if errs[i] != nil {
			it.Reason = apperr.As(errs[i]).Message
			c.Skipped = append(c.Skipped, it)
			continue
		}
		d := ds[i]
		wf := s.deskWorkflow(d)
		it.Code, it.Procedure, it.Applicant, it.Rev = d.Code, d.ProcedureName, d.Applicant.Name, d.Rev
		state := deskStateName(v, wf, d.State, d.StateName)
		allowed := slices.ContainsFunc(s.Dossiers.Available(d, p), func(a dossier.ActionInfo) bool { return a.ID == action })
		if !allowed {
			it.Reason = fmt.Sprintf(v.T("desk.cannot"), deskActionLabel(v, action), state)
			c.Skipped = append(c.Skipped, it)
			continue
		}
		if wf != nil {
			if a, ok := wf.Action(action); ok {
				it.Next = deskStateName(v, wf, a.To, "")
			}
		}
		c.Items = append(c.Items, it)
	}
	return c
}

// GET /staff/leader/confirm?action=…&approval=…&signing=…
func (s *Server) deskLeaderConfirm(w http.ResponseWriter, r *http.Request, v *staffView) {
	action, codes, aerr := deskBatchInput(r.URL.Query())
	if aerr != nil {
		s.deskLeaderError(w, r, v, aerr)
		return
	}
	c := s.deskConfirmData(r, v, action, codes)
	s.renderStaff(w, r, http.StatusOK, "staff_desk_confirm", v, v.T("desk.confirm_title")+": "+deskActionLabel(v, action), c)
}

// deskOutcome is what happened to one dossier of a batch.
type deskOutcome struct {
	Code, Procedure, Applicant string
	Done, Replayed             bool
	To                         string // the step it went to
	Message                    string // why not
}

type deskDonePage struct {
	Action   string
	Outcomes []deskOutcome
	Done     int
	Failed   int
}

// POST /staff/leader/act: the batch, dossier by dossier. One failure does
// not stop the others; each dossier's idempotency key comes from the
// batch's, so submitting the same confirmation twice acts once.
func (s *Server) deskLeaderAct(w http.ResponseWriter, r *http.Request, v *staffView) {
	r.ParseForm()
	action, codes, aerr := deskBatchInput(r.PostForm)
	if aerr != nil {
		s.deskLeaderError(w, r, v, aerr)
		return
	}
	batch := r.PostFormValue("batch")
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	title := v.T("desk.confirm_title") + ": " + deskActionLabel(v, action)
	if !deskKeyRE.MatchString(batch) || (action == "send_back" && comment == "") {
		c := s.deskConfirmData(r, v, action, codes)
		c.Comment = comment
		if !deskKeyRE.MatchString(batch) {
			c.Error, c.Field = "Biểu mẫu thiếu mã lượt xử lý. Vui lòng xác nhận lại.", "batch"
		} else {
			c.Error, c.Field = "Ghi ý kiến gửi chuyên viên: vì sao trả lại, cần xem lại hoặc bổ sung gì.", "comment"
		}
		s.renderStaff(w, r, http.StatusBadRequest, "staff_desk_confirm", v, title, c)
		return
	}
	p := principal(r)
	res := &deskDonePage{Action: action}
	firstStatus := 0
	for _, code := range codes {
		o := deskOutcome{Code: code}
		req := dossier.ActionRequest{Action: action, Comment: comment}
		if rev, err := strconv.Atoi(r.PostFormValue("rev:" + code)); err == nil && rev > 0 {
			req.Rev = rev
		}
		out, err := s.Dossiers.Act(r.Context(), p, code, req, "desk:"+batch+":"+code)
		if err != nil {
			e := apperr.As(err)
			if e.Kind == apperr.Internal {
				s.Log.Error("leader desk action", "code", code, "action", action, "err", e.Err)
			}
			o.Message = e.Message
			res.Failed++
			if firstStatus == 0 {
				firstStatus = e.Status()
			}
		} else {
			d := out.Dossier
			o.Done, o.Replayed = true, out.Replayed
			o.Procedure, o.Applicant = d.ProcedureName, d.Applicant.Name
			o.To = deskStateName(v, s.deskWorkflow(d), d.State, d.StateName)
			res.Done++
		}
		res.Outcomes = append(res.Outcomes, o)
	}
	// The navigation counted before the batch.
	v.Counts.Role = s.Dossiers.Count(r.Context(), p, dossier.Filter{Inbox: "role"})
	v.Counts.Mine = s.Dossiers.Count(r.Context(), p, dossier.Filter{Inbox: "mine"})
	v.Counts.Leader = s.Dossiers.Count(r.Context(), p, dossier.Filter{Inbox: "role", Status: []int{2, 4}})
	// Some done: the page reports each; none done: the first failure's status.
	status := http.StatusOK
	if res.Done == 0 {
		status = firstStatus
	}
	s.renderStaff(w, r, status, "staff_desk_done", v, v.T("desk.done_title")+": "+deskActionLabel(v, action), res)
}

// deskActionLabel is the name of a desk action, as on its button.
func deskActionLabel(v *staffView, action string) string {
	switch action {
	case "approve":
		return v.T("desk.do_approve")
	case "sign":
		return v.T("desk.do_sign")
	}
	return v.T("desk.do_send_back")
}

// deskActionWhat says what a desk action does.
func deskActionWhat(v *staffView, action string) string {
	switch action {
	case "approve":
		return v.T("desk.what_approve")
	case "sign":
		return v.T("desk.what_sign")
	}
	return v.T("desk.what_send_back")
}
