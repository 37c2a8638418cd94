package web

import (
	"testing"

	"github.com/motcua/motcua/internal/dossier"
)

// The keys "My dossiers" builds at run time (statuses, expectations, calls
// to action, timeline events, channels) exist in both languages: the
// template test cannot see them.
func TestPortalMineKeys(t *testing.T) {
	var keys []string
	for state := range dossier.LifecycleStates {
		keys = append(keys, statusKey(state, 1))
	}
	for _, st := range []int{2, 4, 9, 10} {
		keys = append(keys, statusKey("a_workflow_state", st))
	}
	for _, e := range []string{dossier.ExpectNothing, dossier.ExpectSupplement, dossier.ExpectPay, dossier.ExpectCollect, dossier.ExpectDownload} {
		_, cta := mineAction("X", e)
		keys = append(keys, expectKey(e), cta)
	}
	for _, k := range []string{"submitted", "received", "guided", "not_accepted", "processing", "next_step", "approved", "signed", "supplement_requested",
		"supplement_received", "payment_requested", "paid", "apology", "result_ready", "returned", "refused", "stopped", "withdrawn", "imported"} {
		keys = append(keys, "mine.tl."+k)
	}
	for _, c := range []string{"in_person", "online", "post"} {
		keys = append(keys, "mine.channel."+c)
	}
	for _, f := range []string{"receipt", "guidance", "apology", "refusal", "stop"} {
		keys = append(keys, "mine.form."+f)
	}
	for _, k := range keys {
		for _, lang := range []string{"vi", "en"} {
			if _, ok := messages[lang][k]; !ok {
				t.Errorf("key %q has no %s text", k, lang)
			}
		}
	}
	if statusKey(dossier.StateSupplementing, 5) != "mine.st.supplementing" || statusKey("processing", 4) != "mine.st.processing" {
		t.Error("status words")
	}
}
