package catalog

import (
	"fmt"

	"github.com/motcua/motcua/internal/identity"
)

// Workflow is a procedure's internal process as data (the DIGIT model):
// states, and actions that move a dossier from one state to another, each
// allowed to a set of roles. The national lifecycle actions (supplement,
// refusal, payment, stop, withdrawal, apology) belong to the dossier engine
// and apply to every workflow; a workflow describes the steps between
// receipt and result.
type Workflow struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	States  []State  `json:"states"`
	Actions []Action `json:"actions"`
}

// State is one step of the process.
type State struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
	// Status is the national dossier status code (1–10) a dossier in this
	// state reports.
	Status int `json:"status"`
	// Roles work on dossiers in this state: the state's items appear in the
	// inbox of every officer with one of these roles until one takes it.
	Roles []string `json:"roles,omitempty"`
	// Share is this step's part of the processing time (0–1); the step's
	// time limit is that share of the working time from receipt to due.
	Share    float64 `json:"share,omitempty"`
	Start    bool    `json:"start,omitempty"`
	Terminal bool    `json:"terminal,omitempty"`
	// Agency is the kind of agency acting in this state, for linked
	// procedures whose steps cross agencies; empty means the procedure's own.
	Agency AgencyKind `json:"agency,omitempty"`
}

// Action moves a dossier from one of its From states to To.
type Action struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	NameEn string   `json:"name_en,omitempty"`
	From   []string `json:"from"`
	To     string   `json:"to"`
	Roles  []string `json:"roles"`
}

// WorkflowRoles are the roles a workflow may name.
var WorkflowRoles = []string{identity.RoleCounter, identity.RoleSpecialist, identity.RoleLeader, identity.RolePolice, identity.RoleSocialInsurance}

// reservedActions are the dossier engine's national lifecycle actions; a
// workflow may not define actions with these names.
var reservedActions = map[string]bool{
	"request_supplement": true, "supplement_received": true, "refuse": true,
	"request_payment": true, "payment_received": true, "stop": true,
	"withdraw": true, "apologize": true, "complete": true, "return_result": true,
	"take": true, "release": true,
}

// ReservedAction reports whether id is a lifecycle action of the engine.
func ReservedAction(id string) bool { return reservedActions[id] }

// StartState returns the workflow's start state.
func (w *Workflow) StartState() *State {
	for i := range w.States {
		if w.States[i].Start {
			return &w.States[i]
		}
	}
	return nil
}

// State returns the state with the given id.
func (w *Workflow) State(id string) (*State, bool) {
	for i := range w.States {
		if w.States[i].ID == id {
			return &w.States[i], true
		}
	}
	return nil, false
}

// ActionsFrom lists the actions available in state id.
func (w *Workflow) ActionsFrom(id string) []Action {
	var out []Action
	for _, a := range w.Actions {
		for _, f := range a.From {
			if f == id {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// Action returns the action with the given id.
func (w *Workflow) Action(id string) (*Action, bool) {
	for i := range w.Actions {
		if w.Actions[i].ID == id {
			return &w.Actions[i], true
		}
	}
	return nil, false
}

// Validate checks the workflow's structure and returns every problem found,
// each naming the field: one start state, terminal states reachable, every
// action between known states, known roles, shares that add up to at most 1,
// national status codes in range, no reserved action names.
func (w *Workflow) Validate() []FieldError {
	var errs []FieldError
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if w.ID == "" {
		add("id", "is required")
	}
	if w.Name == "" {
		add("name", "is required")
	}
	if len(w.States) == 0 {
		add("states", "at least one state is required")
		return errs
	}
	ids := map[string]bool{}
	starts, terminals := 0, 0
	share := 0.0
	for i, s := range w.States {
		f := fmt.Sprintf("states[%d]", i)
		if s.ID == "" {
			add(f+".id", "is required")
		} else if ids[s.ID] {
			add(f+".id", "%q is used twice", s.ID)
		}
		ids[s.ID] = true
		if s.Name == "" {
			add(f+".name", "is required")
		}
		if s.Status < 1 || s.Status > 10 {
			add(f+".status", "%d is not a national status code (1–10)", s.Status)
		}
		if s.Share < 0 || s.Share > 1 {
			add(f+".share", "%v must be between 0 and 1", s.Share)
		}
		share += s.Share
		if s.Start {
			starts++
		}
		if s.Terminal {
			terminals++
			if len(s.Roles) > 0 {
				add(f+".roles", "a terminal state has no one to act")
			}
		} else if len(s.Roles) == 0 {
			add(f+".roles", "a state that is not terminal needs the roles that act in it")
		}
		for j, r := range s.Roles {
			if !knownWorkflowRole(r) {
				add(fmt.Sprintf("%s.roles[%d]", f, j), "unknown role %q", r)
			}
		}
	}
	if starts != 1 {
		add("states", "exactly one state must be the start (found %d)", starts)
	}
	if terminals == 0 {
		add("states", "at least one state must be terminal")
	}
	if share > 1.0001 {
		add("states", "the steps' shares add up to %.2f, more than the whole processing time", share)
	}
	aids := map[string]bool{}
	for i, a := range w.Actions {
		f := fmt.Sprintf("actions[%d]", i)
		if a.ID == "" {
			add(f+".id", "is required")
		} else if aids[a.ID] {
			add(f+".id", "%q is used twice", a.ID)
		} else if reservedActions[a.ID] && a.ID != "return_result" {
			add(f+".id", "%q is a lifecycle action of the dossier engine", a.ID)
		}
		aids[a.ID] = true
		if a.Name == "" {
			add(f+".name", "is required")
		}
		if len(a.From) == 0 {
			add(f+".from", "is required")
		}
		for j, s := range a.From {
			if !ids[s] {
				add(fmt.Sprintf("%s.from[%d]", f, j), "unknown state %q", s)
			}
			if st, ok := w.State(s); ok && st.Terminal {
				add(fmt.Sprintf("%s.from[%d]", f, j), "state %q is terminal", s)
			}
		}
		if !ids[a.To] {
			add(f+".to", "unknown state %q", a.To)
		}
		if len(a.Roles) == 0 {
			add(f+".roles", "is required")
		}
		for j, r := range a.Roles {
			if !knownWorkflowRole(r) {
				add(fmt.Sprintf("%s.roles[%d]", f, j), "unknown role %q", r)
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// Every state must be reachable from the start, and a terminal state
	// reachable from every state.
	reach := map[string]bool{w.StartState().ID: true}
	for changed := true; changed; {
		changed = false
		for _, a := range w.Actions {
			for _, f := range a.From {
				if reach[f] && !reach[a.To] {
					reach[a.To] = true
					changed = true
				}
			}
		}
	}
	ends := map[string]bool{}
	for _, s := range w.States {
		if s.Terminal {
			ends[s.ID] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, a := range w.Actions {
			for _, f := range a.From {
				if ends[a.To] && !ends[f] {
					ends[f] = true
					changed = true
				}
			}
		}
	}
	for i, s := range w.States {
		if !reach[s.ID] {
			add(fmt.Sprintf("states[%d]", i), "state %q cannot be reached from the start", s.ID)
		}
		if !ends[s.ID] {
			add(fmt.Sprintf("states[%d]", i), "no terminal state can be reached from %q", s.ID)
		}
	}
	return errs
}

func knownWorkflowRole(r string) bool {
	for _, k := range WorkflowRoles {
		if k == r {
			return true
		}
	}
	return false
}
