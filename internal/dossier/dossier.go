// Package dossier is the one-stop lifecycle of a dossier (hồ sơ) by the
// Vietnamese rules (Decrees 61/2018, 107/2021, 118/2025): receipt with a
// dossier code and a promised date, processing through the procedure's
// workflow, supplements that stop the clock, refusals, stops, withdrawals,
// apologies with a new date, the result and its return — every transition
// written as a history row and an audit entry in the same transaction.
package dossier

import (
	"time"

	"github.com/motcua/motcua/internal/catalog"
)

// Lifecycle states the engine adds to every workflow. A workflow may not use
// these ids for its own states.
const (
	StateNew             = "new"              // submitted (online, by post), not yet checked at the desk
	StateGuided          = "guided"           // incomplete at reception: one-time guidance (form 02) given
	StateNotAccepted     = "not_accepted"     // refused at reception (form 03)
	StateSupplementing   = "supplementing"    // waiting for the citizen's supplement; the clock stops
	StateAwaitingPayment = "awaiting_payment" // waiting for a financial obligation; the clock stops
	StateWithdrawn       = "withdrawn"        // withdrawn at the citizen's request
	StateStopped         = "stopped"          // processing stopped (stop notice)
	StateRefused         = "refused"          // refused after processing (form 03)
)

// LifecycleStates lists them, with their national status codes.
var LifecycleStates = map[string]int{
	StateNew: 1, StateGuided: 1, StateNotAccepted: 3, StateSupplementing: 5,
	StateAwaitingPayment: 6, StateWithdrawn: 7, StateStopped: 8, StateRefused: 8,
}

// National lifecycle actions. Their names are fixed by the API; a
// procedure's own steps use the names its workflow defines.
const (
	ActionReceive            = "receive"
	ActionRequestSupplement  = "request_supplement"
	ActionSupplementReceived = "supplement_received"
	ActionRefuse             = "refuse"
	ActionRequestPayment     = "request_payment"
	ActionPaymentReceived    = "payment_received"
	ActionStop               = "stop"
	ActionWithdraw           = "withdraw"
	ActionApologize          = "apologize"
	ActionComplete           = "complete"
	ActionReturnResult       = "return_result"
	ActionTake               = "take"
	ActionRelease            = "release"
)

// StatusName is the national name of a status code (TrangThaiHoSo).
func StatusName(code int) string {
	switch code {
	case 1:
		return "Mới đăng ký"
	case 2:
		return "Được tiếp nhận"
	case 3:
		return "Không được tiếp nhận"
	case 4:
		return "Đang xử lý"
	case 5:
		return "Yêu cầu bổ sung giấy tờ"
	case 6:
		return "Yêu cầu thực hiện nghĩa vụ tài chính"
	case 7:
		return "Công dân yêu cầu rút hồ sơ"
	case 8:
		return "Dừng xử lý"
	case 9:
		return "Đã xử lý xong"
	case 10:
		return "Đã trả kết quả"
	}
	return ""
}

// Dossier is one citizen's application for one procedure.
type Dossier struct {
	ID               string          `json:"id"`
	Code             string          `json:"code"`
	Agency           string          `json:"agency"`
	Procedure        string          `json:"procedure"`
	ProcedureName    string          `json:"procedure_name"`
	ProcedureVersion int             `json:"procedure_version"`
	Channel          catalog.Channel `json:"channel"`
	State            string          `json:"state"`
	StateName        string          `json:"state_name"`
	Status           int             `json:"status"`
	StatusName       string          `json:"status_name"`
	Applicant        Applicant       `json:"applicant"`
	Form             map[string]any  `json:"form"`
	Components       []Component     `json:"components"`
	LookupKey        string          `json:"-"`

	SubmittedAt   time.Time  `json:"submitted_at"`
	ReceivedAt    *time.Time `json:"received_at"`
	DueAt         *time.Time `json:"due_at"`
	OriginalDueAt *time.Time `json:"original_due_at,omitempty"`
	TransferredAt *time.Time `json:"transferred_at,omitempty"`
	StepStartedAt *time.Time `json:"step_started_at,omitempty"`
	StepDueAt     *time.Time `json:"step_due_at,omitempty"`
	FinishedAt    *time.Time `json:"finished_at,omitempty"`
	ReturnedAt    *time.Time `json:"returned_at,omitempty"`
	ApologizedAt  *time.Time `json:"apologized_at,omitempty"`
	DueSoonAt     *time.Time `json:"due_soon_at,omitempty"`
	OverdueAt     *time.Time `json:"overdue_at,omitempty"`
	PausedAt      *time.Time `json:"paused_at,omitempty"`
	PaidAt        *time.Time `json:"paid_at,omitempty"`

	StepRoles       []string `json:"step_roles,omitempty"`
	AssigneeID      string   `json:"assignee_id,omitempty"`
	AssigneeName    string   `json:"assignee_name,omitempty"`
	ResumeState     string   `json:"resume_state,omitempty"`
	PausedMinutes   int      `json:"paused_minutes"`
	SupplementCount int      `json:"supplement_count"`
	// SupplementBy lists the agency kinds that asked for a supplement: each
	// may ask once.
	SupplementBy   []string `json:"supplement_by,omitempty"`
	CountsLate     bool     `json:"counts_late"`
	Fee            int64    `json:"fee"`
	PaidOnline     bool     `json:"paid_online"`
	Reused         int      `json:"reused"`
	PopulationData bool     `json:"population_data"`
	VNeID          bool     `json:"vneid"`
	Digitized      bool     `json:"digitized"`
	Result         Result   `json:"result"`
	Imported       bool     `json:"imported"`
	Rev            int      `json:"rev"`
}

// Applicant is the person or organisation the dossier is for (chủ hồ sơ).
type Applicant struct {
	Kind     string `json:"kind,omitempty"` // citizen, organisation
	Name     string `json:"name"`
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Email    string `json:"email,omitempty"`
	Address  string `json:"address,omitempty"`
}

// Component is one document of a dossier as received.
type Component struct {
	ID       string                `json:"id"`
	Name     string                `json:"name"`
	Form     catalog.ComponentForm `json:"form"`
	Count    int                   `json:"count"`
	Provided bool                  `json:"provided"`
	// Source: paper (brought at the counter), upload, or where it was reused
	// from: population_db, civil_status_db, document_store.
	Source string `json:"source"`
	Files  int    `json:"files"`
}

// Component sources besides the reuse sources of the catalogue.
const (
	SourcePaper  = "paper"
	SourceUpload = "upload"
)

// Result is the outcome handed to the citizen.
type Result struct {
	Code         string     `json:"code,omitempty"` // MaKetQua: number of the certificate or decision
	FileURL      string     `json:"file_url,omitempty"`
	ElectronicAt *time.Time `json:"electronic_at,omitempty"`
	Method       string     `json:"method,omitempty"` // counter, post, online
	CollectedBy  string     `json:"collected_by,omitempty"`
	Note         string     `json:"note,omitempty"`
}

// HistoryEntry is one transition: the control slip's row.
type HistoryEntry struct {
	Seq        int            `json:"seq"`
	At         time.Time      `json:"at"`
	ActorID    string         `json:"actor_id"`
	ActorName  string         `json:"actor_name"`
	ActorRole  string         `json:"actor_role"`
	Action     string         `json:"action"`
	ActionName string         `json:"action_name"`
	From       string         `json:"from_state"`
	To         string         `json:"to_state"`
	FromStatus int            `json:"from_status"`
	ToStatus   int            `json:"to_status"`
	StepDueAt  *time.Time     `json:"step_due_at,omitempty"`
	Outcome    string         `json:"outcome,omitempty"` // early, on_time, late
	Comment    string         `json:"comment,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
}

// Step outcomes on the control slip.
const (
	OutcomeEarly  = "early"   // trước hạn
	OutcomeOnTime = "on_time" // đúng hạn
	OutcomeLate   = "late"    // quá hạn
)

// OutcomeName is the Vietnamese word for a step outcome.
func OutcomeName(o string) string {
	switch o {
	case OutcomeEarly:
		return "Trước hạn"
	case OutcomeOnTime:
		return "Đúng hạn"
	case OutcomeLate:
		return "Quá hạn"
	}
	return ""
}

// Terminal reports whether the dossier's state is an end state.
func (d *Dossier) Terminal() bool {
	switch d.Status {
	case 3, 7, 8, 10:
		return true
	}
	return false
}

// Received reports whether the dossier was received (has a due date).
func (d *Dossier) Received() bool { return d.ReceivedAt != nil }
