package web

import (
	"net/http"
	"net/url"

	"github.com/motcua/motcua/internal/apperr"
	"github.com/motcua/motcua/internal/assist"
	"github.com/motcua/motcua/internal/identity"
)

// Administration of the community digital-technology teams: one team per
// village, its members (tổ trưởng, thành viên), and members' personal
// access codes for the volunteer pages.

func staffAdminTeamsRoutes(s *Server, route func(string, http.HandlerFunc)) {
	admin := func(h func(w http.ResponseWriter, r *http.Request, v *staffView)) http.HandlerFunc {
		return s.staffPage(func(w http.ResponseWriter, r *http.Request, v *staffView) {
			if s.Assist == nil {
				s.staffFail(w, r, v, apperr.New(apperr.NotFound, "not_found", "Không tìm thấy trang này trong hệ thống."))
				return
			}
			h(w, r, v)
		}, identity.RoleAdministrator)
	}
	route("GET /staff/admin/teams", admin(s.adminTeams))
	route("POST /staff/admin/teams", admin(s.adminTeamCreate))
	route("GET /staff/admin/teams/{id}", admin(s.adminTeam))
	route("POST /staff/admin/teams/{id}", admin(s.adminTeamSave))
	route("POST /staff/admin/teams/{id}/members", admin(s.adminMemberSave))
	route("POST /staff/admin/teams/{id}/members/{mid}", admin(s.adminMemberSave))
	route("POST /staff/admin/teams/{id}/members/{mid}/code", admin(s.adminMemberCode))
}

func (s *Server) teamsAgency(r *http.Request) string {
	if p := principal(r); p.Agency != "" {
		return p.Agency
	}
	if a, err := s.Org.Home(r.Context()); err == nil {
		return a.Code
	}
	return ""
}

// GET /staff/admin/teams
func (s *Server) adminTeams(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.adminTeamsPage(w, r, v, http.StatusOK, nil)
}

func (s *Server) adminTeamsPage(w http.ResponseWriter, r *http.Request, v *staffView, status int, fail *apperr.Error) {
	agency := s.teamsAgency(r)
	teams, err := s.Assist.Teams(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	villages, err := s.Org.Villages(r.Context(), agency)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	has := map[string]bool{}
	members := 0
	for _, t := range teams {
		has[t.Village] = true
		members += t.Members
	}
	var free []any
	for _, vi := range villages {
		if !has[vi.Code] {
			free = append(free, vi)
		}
	}
	data := map[string]any{"Teams": teams, "Free": free, "Members": members, "Form": r.PostForm}
	if fail != nil {
		data["Error"], data["Field"] = adminErrText(v, fail), fail.Field
	}
	s.renderStaff(w, r, status, "staff_admin_teams", v, v.T("teams.title"), data)
}

// POST /staff/admin/teams — a village's new team.
func (s *Server) adminTeamCreate(w http.ResponseWriter, r *http.Request, v *staffView) {
	t, err := s.Assist.SaveTeam(r.Context(), principal(r), assist.Team{Agency: s.teamsAgency(r), Village: r.PostFormValue("village"), Name: r.PostFormValue("name")})
	if err != nil {
		if e := s.adminUserError(w, r, err); e != nil {
			s.adminTeamsPage(w, r, v, e.Status(), e)
		}
		return
	}
	http.Redirect(w, r, "/staff/admin/teams/"+url.PathEscape(t.ID)+"?ok=saved", http.StatusSeeOther)
}

// GET /staff/admin/teams/{id}
func (s *Server) adminTeam(w http.ResponseWriter, r *http.Request, v *staffView) {
	s.adminTeamPage(w, r, v, http.StatusOK, nil, nil)
}

func (s *Server) adminTeamPage(w http.ResponseWriter, r *http.Request, v *staffView, status int, fail *apperr.Error, extra map[string]any) {
	t, members, err := s.Assist.Team(r.Context(), r.PathValue("id"))
	if err == nil && t.Agency != s.teamsAgency(r) {
		err = apperr.New(apperr.NotFound, "team_not_found", "Không tìm thấy tổ công nghệ số này.")
	}
	if err != nil {
		if e := s.adminUserError(w, r, err); e != nil {
			s.staffFail(w, r, v, e)
		}
		return
	}
	data := map[string]any{"Team": t, "List": members, "Form": r.PostForm, "Target": r.PathValue("mid")}
	for k, x := range extra {
		data[k] = x
	}
	if fail != nil {
		data["Error"], data["Field"] = adminErrText(v, fail), fail.Field
	}
	s.renderStaff(w, r, status, "staff_admin_teams_team", v, t.Name, data)
}

// checkTeam refuses a team of another commune.
func (s *Server) checkTeam(w http.ResponseWriter, r *http.Request, v *staffView) bool {
	t, _, err := s.Assist.Team(r.Context(), r.PathValue("id"))
	if err == nil && t.Agency != s.teamsAgency(r) {
		err = apperr.New(apperr.NotFound, "team_not_found", "Không tìm thấy tổ công nghệ số này.")
	}
	if err != nil {
		if e := s.adminUserError(w, r, err); e != nil {
			s.staffFail(w, r, v, e)
		}
		return false
	}
	return true
}

// POST /staff/admin/teams/{id} — rename, activate or deactivate.
func (s *Server) adminTeamSave(w http.ResponseWriter, r *http.Request, v *staffView) {
	if !s.checkTeam(w, r, v) {
		return
	}
	_, err := s.Assist.SaveTeam(r.Context(), principal(r), assist.Team{ID: r.PathValue("id"), Name: r.PostFormValue("name"), Active: r.PostFormValue("active") == "yes"})
	if err != nil {
		if e := s.adminUserError(w, r, err); e != nil {
			s.adminTeamPage(w, r, v, e.Status(), e, nil)
		}
		return
	}
	http.Redirect(w, r, "/staff/admin/teams/"+url.PathEscape(r.PathValue("id"))+"?ok=saved", http.StatusSeeOther)
}

// POST /staff/admin/teams/{id}/members[/{mid}] — add or change a member.
func (s *Server) adminMemberSave(w http.ResponseWriter, r *http.Request, v *staffView) {
	if !s.checkTeam(w, r, v) {
		return
	}
	m := assist.Member{ID: r.PathValue("mid"), TeamID: r.PathValue("id"), FullName: r.PostFormValue("full_name"), Phone: r.PostFormValue("phone"),
		Role: r.PostFormValue("role"), Active: r.PostFormValue("active") == "yes"}
	if _, err := s.Assist.SaveMember(r.Context(), principal(r), m); err != nil {
		if e := s.adminUserError(w, r, err); e != nil {
			s.adminTeamPage(w, r, v, e.Status(), e, nil)
		}
		return
	}
	http.Redirect(w, r, "/staff/admin/teams/"+url.PathEscape(r.PathValue("id"))+"?ok=saved", http.StatusSeeOther)
}

// POST /staff/admin/teams/{id}/members/{mid}/code — a new personal access
// code, shown this once.
func (s *Server) adminMemberCode(w http.ResponseWriter, r *http.Request, v *staffView) {
	if !s.checkTeam(w, r, v) {
		return
	}
	m, err := s.Assist.Member(r.Context(), r.PathValue("mid"))
	if err == nil && m.TeamID != r.PathValue("id") {
		err = apperr.New(apperr.NotFound, "member_not_found", "Không tìm thấy thành viên này.")
	}
	var code string
	if err == nil {
		code, err = s.Assist.IssueCode(r.Context(), principal(r), m.ID)
	}
	if err != nil {
		if e := s.adminUserError(w, r, err); e != nil {
			s.adminTeamPage(w, r, v, e.Status(), e, nil)
		}
		return
	}
	s.adminTeamPage(w, r, v, http.StatusOK, nil, map[string]any{"Code": code, "CodeFor": m})
}
