package web

import (
	"strconv"

	"github.com/motcua/motcua/internal/catalog"
	"github.com/motcua/motcua/internal/dossier"
)

// The dossier engine names its states, actions and statuses in Vietnamese
// (they go on the forms and the control slip); workflow steps carry an
// English name of their own. These are the English names of the engine's
// own words, for the console in English.
var lifecycleEn = map[string]string{
	"state." + dossier.StateNew:             "Awaiting reception",
	"state." + dossier.StateGuided:          "Guided to complete the dossier",
	"state." + dossier.StateNotAccepted:     "Not accepted",
	"state." + dossier.StateSupplementing:   "Waiting for the citizen's supplement",
	"state." + dossier.StateAwaitingPayment: "Waiting for the fee to be paid",
	"state." + dossier.StateWithdrawn:       "Withdrawn",
	"state." + dossier.StateStopped:         "Processing stopped",
	"state." + dossier.StateRefused:         "Refused",

	"action." + dossier.ActionReceive:            "Receive the dossier",
	"action." + dossier.ActionRequestSupplement:  "Request a supplement",
	"action." + dossier.ActionSupplementReceived: "Supplement received",
	"action." + dossier.ActionRefuse:             "Refuse",
	"action." + dossier.ActionRequestPayment:     "Request payment of the fee",
	"action." + dossier.ActionPaymentReceived:    "Fee paid",
	"action." + dossier.ActionStop:               "Stop processing",
	"action." + dossier.ActionWithdraw:           "Withdraw at the citizen's request",
	"action." + dossier.ActionApologize:          "Apologise and set a new date",
	"action." + dossier.ActionComplete:           "Processing complete",
	"action." + dossier.ActionReturnResult:       "Return the result",
	"action." + dossier.ActionTake:               "Take",
	"action." + dossier.ActionRelease:            "Put back in the shared inbox",
	"action.submit_online":                       "Submitted online",
	"action.guide":                               "Guidance to complete the dossier (form 02)",
	"action.import":                              "Imported from the previous system",

	"status.1": "Newly submitted", "status.2": "Received", "status.3": "Not accepted", "status.4": "In processing",
	"status.5": "Supplement requested", "status.6": "Fee payment requested", "status.7": "Withdrawn by the citizen",
	"status.8": "Processing stopped", "status.9": "Processed", "status.10": "Result returned",
}

// stateLabel is a dossier state's name in the page's language; vi is the
// engine's (Vietnamese) name.
func (v *staffView) stateLabel(wf *catalog.Workflow, state, vi string) string {
	if v.Lang != "en" {
		return vi
	}
	if wf != nil {
		if st, ok := wf.State(state); ok && st.NameEn != "" {
			return st.NameEn
		}
	}
	if s, ok := lifecycleEn["state."+state]; ok {
		return s
	}
	return vi
}

// actionLabel is an action's name in the page's language.
func (v *staffView) actionLabel(wf *catalog.Workflow, id, vi string) string {
	if v.Lang != "en" {
		return vi
	}
	if wf != nil {
		if a, ok := wf.Action(id); ok && a.NameEn != "" {
			return a.NameEn
		}
	}
	if s, ok := lifecycleEn["action."+id]; ok {
		return s
	}
	return vi
}

// statusLabel is a national status's name in the page's language.
func (v *staffView) statusLabel(code int) string {
	if v.Lang == "en" {
		if s, ok := lifecycleEn["status."+strconv.Itoa(code)]; ok {
			return s
		}
	}
	return dossier.StatusName(code)
}

// localizeDossier names a dossier's state, status, history and actions in
// the page's language.
func (s *Server) localizeDossier(v *staffView, d *dossier.Dossier, hist []dossier.HistoryEntry, actions []dossier.ActionInfo) {
	if v.Lang != "en" || d == nil {
		return
	}
	wf := s.deskWorkflow(d)
	d.StateName = v.stateLabel(wf, d.State, d.StateName)
	d.StatusName = v.statusLabel(d.Status)
	for i := range hist {
		hist[i].ActionName = v.actionLabel(wf, hist[i].Action, hist[i].ActionName)
	}
	for i := range actions {
		actions[i].Name = v.actionLabel(wf, actions[i].ID, actions[i].Name)
	}
}

// localizeSummaries names listed dossiers' states and statuses in the
// page's language.
func (s *Server) localizeSummaries(v *staffView, items []dossier.Summary) {
	if v.Lang != "en" {
		return
	}
	for i := range items {
		var wf *catalog.Workflow
		if p, ok := s.Catalog.Catalog().Get(items[i].Procedure); ok {
			if ver, ok := p.VersionAt(items[i].SubmittedAt); ok {
				wf = ver.WorkflowDef
			}
		}
		items[i].StateName = v.stateLabel(wf, items[i].State, items[i].StateName)
		items[i].StatusName = v.statusLabel(items[i].Status)
	}
}

func init() {
	vi, en := map[string]string{}, map[string]string{}
	for code := 1; code <= 10; code++ {
		k := "status." + strconv.Itoa(code)
		vi[k], en[k] = dossier.StatusName(code), lifecycleEn[k]
	}
	addMessages(vi, en)
}

// English texts of the errors the console shows most, by code (the
// services' messages are Vietnamese); see adminErrText.
func init() {
	vi := map[string]string{}
	en := map[string]string{
		"adminerr.forbidden":          "Your account may not open this page or do this.",
		"adminerr.not_found":          "There is no such page.",
		"adminerr.dossier_not_found":  "There is no dossier with this code.",
		"adminerr.csrf_failed":        "The session has changed or the form is out of date. Reload the page and try again.",
		"adminerr.action_not_allowed": "You cannot take this action on the dossier in its present state.",
		"adminerr.dossier_changed":    "Someone else has just updated the dossier. Reload it and try again.",
	}
	for k := range en {
		if _, ok := messages["vi"][k]; !ok {
			vi[k] = "" // the service's own Vietnamese message is shown
		}
	}
	addMessages(vi, en)
}
