// Package identity knows who is acting: staff and partner roles, API tokens
// for scripts and devices, and (later) staff sessions and citizens' e-ID.
package identity

import (
	"slices"

	"github.com/motcua/motcua/internal/audit"
)

// Roles. A role names what a person or device may do, not who they are; one
// account may hold several.
const (
	RoleCounter         = "counter_officer"          // cán bộ một cửa: receives dossiers, returns results
	RoleSpecialist      = "specialist"               // chuyên viên: processes
	RoleLeader          = "leader"                   // lãnh đạo: approves and signs
	RoleAdministrator   = "administrator"            // quản trị hệ thống
	RoleSupervisor      = "supervisor"               // giám sát cấp tỉnh: reads across communes
	RolePolice          = "police_officer"           // cán bộ Công an xã, in linked procedures
	RoleSocialInsurance = "social_insurance_officer" // cán bộ Bảo hiểm xã hội, in linked procedures
	RoleKiosk           = "kiosk"                    // a registered queue kiosk
	RoleQueueCounter    = "counter"                  // an officer's device at one queue counter
	RoleCitizen         = "citizen"                  // a citizen signed in to the portal with the e-ID (never a staff or token role)
)

// StaffRoles are the roles a staff account may hold.
var StaffRoles = []string{RoleCounter, RoleSpecialist, RoleLeader, RoleAdministrator, RoleSupervisor, RolePolice, RoleSocialInsurance}

// TokenRoles are the roles an API token may carry.
var TokenRoles = append(slices.Clone(StaffRoles), RoleKiosk, RoleQueueCounter)

// RoleName is a role's Vietnamese name.
func RoleName(role string) string {
	switch role {
	case RoleCounter:
		return "Cán bộ một cửa"
	case RoleSpecialist:
		return "Chuyên viên"
	case RoleLeader:
		return "Lãnh đạo"
	case RoleAdministrator:
		return "Quản trị hệ thống"
	case RoleSupervisor:
		return "Giám sát cấp tỉnh"
	case RolePolice:
		return "Cán bộ Công an xã"
	case RoleSocialInsurance:
		return "Cán bộ Bảo hiểm xã hội"
	case RoleKiosk:
		return "Ki-ốt lấy số"
	case RoleQueueCounter:
		return "Quầy giao dịch"
	case RoleCitizen:
		return "Công dân"
	}
	return role
}

// ValidTokenRole reports whether role may be given to a token.
func ValidTokenRole(role string) bool { return slices.Contains(TokenRoles, role) }

// Principal is whoever makes a request: a staff member or a token.
type Principal struct {
	ID      string   // user id or token id
	Name    string   // for history rows and logs
	Roles   []string // what they may do
	Agency  string   // the agency they act for ("" = any, for province supervisors and administrators)
	Counter string   // the queue counter a counter token is bound to
	Token   bool     // authenticated by bearer token
}

// Has reports whether the principal holds role.
func (p *Principal) Has(role string) bool {
	return p != nil && slices.Contains(p.Roles, role)
}

// HasAny reports whether the principal holds one of roles.
func (p *Principal) HasAny(roles ...string) bool {
	for _, r := range roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// CanActFor reports whether the principal may act for agency.
func (p *Principal) CanActFor(agency string) bool {
	return p != nil && (p.Agency == "" || p.Agency == agency)
}

// Actor is the principal as the audit log records it.
func (p *Principal) Actor() audit.Actor {
	if p == nil {
		return audit.Actor{}
	}
	return audit.Actor{ID: p.ID, Name: p.Name, Roles: p.Roles}
}
