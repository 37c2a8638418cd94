package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
	"github.com/motcua/motcua/internal/identity"
)

// deskRoutes registers the leader's desk, the return of results and the
// register.
//
//	GET  /staff/leader                  dossiers awaiting approval and signature
//	GET  /staff/leader/confirm          what a batch action will do, to confirm
//	POST /staff/leader/act              the batch action, dossier by dossier
//	GET  /staff/return[?code=]          find a dossier (typed or scanned), its facts, the return form
//	POST /staff/return                  record the return of the result
//	GET  /staff/register                the register (sổ theo dõi) of a period, paginated
//	GET  /staff/register/export?format= the same register as XLSX, PDF or HTML
func (s *Server) deskRoutes(route func(string, http.HandlerFunc)) {
	route("GET /staff/leader", s.staffPage(s.deskLeader, identity.RoleLeader))
	route("GET /staff/leader/confirm", s.staffPage(s.deskLeaderConfirm, identity.RoleLeader))
	route("POST /staff/leader/act", s.staffPage(s.deskLeaderAct, identity.RoleLeader))
	route("GET /staff/return", s.staffPage(s.deskReturn, identity.RoleCounter))
	route("POST /staff/return", s.staffPage(s.deskReturnPost, identity.RoleCounter))
	route("GET /staff/register", s.staffPage(s.deskRegister, staff...))
	route("GET /staff/register/export", s.staffPage(s.deskRegisterExport, staff...))
}

// deskNewKey is a fresh idempotency key for one form: a double submit of
// the form does its work once.
func deskNewKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var deskKeyRE = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// deskWorkflow is the workflow a dossier runs under (nil if unknown).
func (s *Server) deskWorkflow(d *dossier.Dossier) *catalog.Workflow {
	if p, ok := s.Catalog.Catalog().Get(d.Procedure); ok {
		if ver, ok := p.Version(d.ProcedureVersion); ok {
			return ver.WorkflowDef
		}
	}
	return nil
}

// deskStateName is the name of a workflow state in the page's language.
func deskStateName(v *staffView, wf *catalog.Workflow, state, fallback string) string {
	if wf != nil && v.Lang == "en" {
		if st, ok := wf.State(state); ok && st.NameEn != "" {
			return st.NameEn
		}
	}
	if fallback == "" && wf != nil {
		if st, ok := wf.State(state); ok {
			return st.Name
		}
	}
	return fallback
}

// deskCode reads a dossier code as typed or scanned: a receipt's QR code
// read by a USB scanner types the whole status-page address, of which only
// the code counts (the page's script does the same in the browser).
func deskCode(raw string) string {
	s := strings.TrimSpace(raw)
	if i := strings.Index(s, "/tra-cuu/"); i >= 0 {
		s = s[i+len("/tra-cuu/"):]
		if j := strings.IndexAny(s, "?#/ \t"); j >= 0 {
			s = s[:j]
		}
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	return strings.TrimSpace(s)
}

// deskGet loads several dossiers at once (each read is audited, in one
// commit), keeping the order of codes; a dossier that cannot be read has
// its error.
func (s *Server) deskGet(ctx context.Context, p *identity.Principal, codes []string) ([]*dossier.Dossier, [][]dossier.HistoryEntry, []error) {
	ds, hs, errs, err := s.Dossiers.GetMany(ctx, p, codes)
	if err != nil {
		errs = make([]error, len(codes))
		for i := range errs {
			errs[i] = err
		}
		return make([]*dossier.Dossier, len(codes)), make([][]dossier.HistoryEntry, len(codes)), errs
	}
	return ds, hs, errs
}
