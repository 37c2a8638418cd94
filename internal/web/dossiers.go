package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/calendar"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
)

// maxBody bounds a JSON request body.
const maxBody = 256 << 10

// decodeJSON reads a JSON body strictly into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.New(apperr.UnsupportedMedia, "unsupported_media_type", "Nội dung gửi lên phải là JSON (Content-Type: application/json).")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return apperr.New(apperr.TooLarge, "body_too_large", "Nội dung gửi lên quá lớn.")
		case errors.As(err, &te):
			return apperr.Field(te.Field, "invalid_json_type", "Trường “"+te.Field+"” có kiểu dữ liệu không đúng.")
		case errors.Is(err, io.EOF):
			return apperr.New(apperr.Invalid, "empty_body", "Thiếu nội dung gửi lên.")
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return apperr.Field(field, "unknown_field", "Không có trường “"+field+"”.")
		}
		return apperr.New(apperr.Invalid, "invalid_json", "Nội dung gửi lên không phải JSON hợp lệ.")
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "invalid_json", "Nội dung gửi lên chỉ được chứa một đối tượng JSON.")
	}
	return nil
}

// dossierBody is a dossier as the API returns it, with what the caller may
// do next and where its forms are.
type dossierBody struct {
	*dossier.Dossier
	History []dossier.HistoryEntry `json:"history,omitempty"`
	Actions []dossier.ActionInfo   `json:"actions"`
	Forms   map[string]string      `json:"forms"`
}

func (s *Server) dossierForms(d *dossier.Dossier) map[string]string {
	base := "/api/v1/dossiers/" + d.Code + "/forms/"
	f := map[string]string{"control_slip": base + "control_slip.pdf"}
	switch d.State {
	case dossier.StateGuided:
		f["guidance"] = base + "guidance.pdf"
	case dossier.StateNotAccepted, dossier.StateRefused:
		f["refusal"] = base + "refusal.pdf"
	case dossier.StateStopped:
		f["stop_notice"] = base + "stop_notice.pdf"
	}
	if d.ReceivedAt != nil {
		f["receipt"] = base + "receipt.pdf"
	}
	if d.ApologizedAt != nil {
		f["apology"] = base + "apology.pdf"
	}
	if d.SupplementCount > 0 {
		f["guidance"] = base + "guidance.pdf"
	}
	return f
}

// POST /api/v1/dossiers
func (s *Server) apiDossierCreate(w http.ResponseWriter, r *http.Request) {
	var req dossier.SubmitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Dossiers.Submit(r.Context(), principal(r), req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := res.Dossier
	body := struct {
		dossierBody
		Outcome   string   `json:"outcome"`
		Form      string   `json:"form_number"`
		Missing   []string `json:"missing,omitempty"`
		LookupKey string   `json:"lookup_key"`
		StatusURL string   `json:"status_url"`
	}{
		dossierBody: dossierBody{Dossier: d, Actions: s.Dossiers.Available(d, principal(r)), Forms: s.dossierForms(d)},
		Outcome:     res.Outcome, Form: res.Form, Missing: res.Missing, LookupKey: res.LookupKey, StatusURL: s.Dossiers.StatusURL(d),
	}
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/api/v1/dossiers/"+d.Code)
	writeJSON(w, http.StatusCreated, body)
}

// GET /api/v1/dossiers/{code}
func (s *Server) apiDossierGet(w http.ResponseWriter, r *http.Request) {
	d, hist, err := s.Dossiers.Get(r.Context(), principal(r), r.PathValue("code"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dossierBody{Dossier: d, History: hist, Actions: s.Dossiers.Available(d, principal(r)), Forms: s.dossierForms(d)})
}

// POST /api/v1/dossiers/{code}/actions
func (s *Server) apiDossierAct(w http.ResponseWriter, r *http.Request) {
	var req dossier.ActionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Dossiers.Act(r.Context(), principal(r), r.PathValue("code"), req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if res.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusOK, struct {
		dossierBody
		Entry *dossier.HistoryEntry `json:"entry,omitempty"`
	}{dossierBody{Dossier: res.Dossier, Actions: s.Dossiers.Available(res.Dossier, principal(r)), Forms: s.dossierForms(res.Dossier)}, res.Entry})
}

// parseFilter reads list filters from the query string.
func parseFilter(r *http.Request) (dossier.Filter, error) {
	q := r.URL.Query()
	f := dossier.Filter{Agency: q.Get("agency"), Procedure: q.Get("procedure"), Channel: q.Get("channel"), State: q.Get("state"),
		Inbox: q.Get("inbox"), Urgency: q.Get("urgency"), Q: q.Get("q"), Sort: q.Get("sort")}
	var err error
	if f.From, err = parseDay(q.Get("from"), false); err != nil {
		return f, apperr.Field("from", "invalid_date", "Ngày bắt đầu phải có dạng NNNN-TT-NN.")
	}
	if f.To, err = parseDay(q.Get("to"), true); err != nil {
		return f, apperr.Field("to", "invalid_date", "Ngày kết thúc phải có dạng NNNN-TT-NN.")
	}
	for _, st := range q["status"] {
		for _, part := range strings.Split(st, ",") {
			if strings.TrimSpace(part) == "" {
				continue // "any status" in a form
			}
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil || n < 1 || n > 10 {
				return f, apperr.Field("status", "invalid_status", "Trạng thái phải là mã từ 1 đến 10.")
			}
			f.Status = append(f.Status, n)
		}
	}
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return f, apperr.Field(name, "invalid_"+name, "Giá trị "+name+" không hợp lệ.")
			}
			*dst = n
		}
	}
	return f, nil
}

// parseDay reads YYYY-MM-DD in Vietnam; end=true gives the start of the next
// day (an exclusive bound).
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, calendar.Location)
	if err != nil {
		return t, err
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// GET /api/v1/dossiers
func (s *Server) apiDossierList(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, total, err := s.Dossiers.List(r.Context(), principal(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "count": len(items), "dossiers": items})
}

// GET /api/v1/notifications
func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request) {
	ns, err := s.Dossiers.Notifications(r.Context(), principal(r), 100)
	if err != nil {
		s.fail(w, r, apperr.Wrap(err, "notifications"))
		return
	}
	if ns == nil {
		ns = []dossier.Notification{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": ns})
}

// GET /api/v1/public/dossiers/{code}?key=…|phone=…
func (s *Server) apiPublicDossier(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	if !s.lookups.allowed(ip, time.Now()) {
		w.Header().Set("Retry-After", "600")
		s.fail(w, r, apperr.New(apperr.RateLimited, "too_many_failed_lookups", "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 10 phút, hoặc hỏi cán bộ tại Trung tâm."))
		return
	}
	q := r.URL.Query()
	v, err := s.Dossiers.Public(r.Context(), r.PathValue("code"), q.Get("key"), q.Get("phone"))
	if err != nil {
		if errors.Is(err, dossier.ErrLookupFailed) {
			s.lookups.fail(ip, time.Now())
		}
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// GET /api/v1/public/verify?r=…
func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("r")
	if token == "" {
		s.fail(w, r, apperr.Field("r", "seal_required", "Thiếu mã xác thực (nội dung mã QR)."))
		return
	}
	v, err := s.Dossiers.VerifySeal(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// staff are the roles that work on dossiers.
var staff = identity.StaffRoles
