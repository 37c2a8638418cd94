package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/motcua/motcua/internal/vntext"
)

// FieldError is one problem in a procedure or workflow, naming the field by
// its JSON path, e.g. "versions[0].fee.tiers[1].amount".
type FieldError struct {
	File      string `json:"file,omitempty"`
	Procedure string `json:"procedure,omitempty"`
	Field     string `json:"field"`
	Message   string `json:"message"`
}

func (e FieldError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Procedure != "" {
		b.WriteString("procedure " + e.Procedure + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Errors is a list of problems found together.
type Errors []FieldError

func (es Errors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(es))
	for _, e := range es {
		b.WriteString("\n  " + e.Error())
	}
	return b.String()
}

// codePattern accepts national codes (1.001193, 2.000815, 1.012753.H19) and
// local codes (LOCAL.xxx) for procedures whose national code is not known.
var codePattern = regexp.MustCompile(`^([0-9]\.[0-9]{6}(\.[A-Z0-9]+)?|LOCAL\.[A-Za-z0-9.-]+|LT\.[A-Za-z0-9.-]+)$`)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Validate checks a procedure against the catalogue rules. workflows holds
// the templates a version may name. Every problem is returned, each naming
// its field.
func Validate(p *Procedure, workflows map[string]*Workflow) Errors {
	var errs Errors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Procedure: p.Code, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !codePattern.MatchString(p.Code) {
		add("code", "%q is not a national procedure code like 1.001193 (or LOCAL.… / LT.… when none exists)", p.Code)
	}
	checkText := func(field, s string, required bool) {
		if required && strings.TrimSpace(s) == "" {
			add(field, "is required")
		}
		if s != vntext.NFC(s) {
			add(field, "is not in Unicode NFC form (retype it or save the file as NFC)")
		}
	}
	checkText("name", p.Name, true)
	checkText("field", p.Field, true)
	checkText("summary", p.Summary, false)
	if len(p.Versions) == 0 {
		add("versions", "at least one version is required")
	}
	checkSources(p.Sources, "sources", add)
	seen := map[int]bool{}
	for i := range p.Versions {
		v := &p.Versions[i]
		f := fmt.Sprintf("versions[%d]", i)
		if v.Version < 1 {
			add(f+".version", "must be 1 or more")
		} else if seen[v.Version] {
			add(f+".version", "%d is used twice", v.Version)
		}
		seen[v.Version] = true
		from, err := time.Parse(time.DateOnly, v.EffectiveFrom)
		if err != nil {
			add(f+".effective_from", "%q is not a date YYYY-MM-DD", v.EffectiveFrom)
		}
		if v.EffectiveTo != "" {
			to, err := time.Parse(time.DateOnly, v.EffectiveTo)
			if err != nil {
				add(f+".effective_to", "%q is not a date YYYY-MM-DD", v.EffectiveTo)
			} else if !to.After(from) {
				add(f+".effective_to", "%s is not after effective_from %s", v.EffectiveTo, v.EffectiveFrom)
			}
		}
		checkText(f+".agency", v.Agency, true)
		switch v.AgencyKind {
		case AgencyCommune, AgencyEconomic, AgencyPolice, AgencySocialInsurance:
		default:
			add(f+".agency_kind", "%q must be commune, economic, police or social_insurance", v.AgencyKind)
		}
		if len(v.Subjects) == 0 {
			add(f+".subjects", "is required (citizen, organisation)")
		}
		for j, s := range v.Subjects {
			if s != "citizen" && s != "organisation" {
				add(fmt.Sprintf("%s.subjects[%d]", f, j), "%q must be citizen or organisation", s)
			}
		}
		switch v.Online {
		case OnlineFull, OnlinePartial, OnlineNone:
		default:
			add(f+".online", "%q must be full, partial or none", v.Online)
		}
		if len(v.Channels) == 0 {
			add(f+".channels", "is required")
		}
		for j, c := range v.Channels {
			switch c {
			case ChannelInPerson, ChannelOnline, ChannelPost:
			default:
				add(fmt.Sprintf("%s.channels[%d]", f, j), "%q must be in_person, online or post", c)
			}
		}
		if v.Online != OnlineNone && !v.HasChannel(ChannelOnline) {
			add(f+".channels", "an online service (online: %s) must accept the online channel", v.Online)
		}
		if v.Online == OnlineNone && v.HasChannel(ChannelOnline) {
			add(f+".online", "is none but the online channel is listed")
		}
		if err := v.Time.Valid(); err != nil {
			add(f+".time", "%v", err)
		}
		if v.VerificationTime != nil {
			if err := v.VerificationTime.Valid(); err != nil {
				add(f+".verification_time", "%v", err)
			}
		}
		validateFee(v.Fee, f+".fee", add)
		if len(v.Components) == 0 {
			add(f+".components", "at least one component is required")
		}
		cids := map[string]bool{}
		for j, c := range v.Components {
			cf := fmt.Sprintf("%s.components[%d]", f, j)
			if !idPattern.MatchString(c.ID) {
				add(cf+".id", "%q must be lower-case letters, digits, - or _", c.ID)
			} else if cids[c.ID] {
				add(cf+".id", "%q is used twice", c.ID)
			}
			cids[c.ID] = true
			checkText(cf+".name", c.Name, true)
			switch c.Form {
			case FormOriginal, FormCopy, FormCertifiedCopy, FormShowOriginal, FormElectronic:
			default:
				add(cf+".form", "%q must be original, copy, certified_copy, show_original or electronic", c.Form)
			}
			if c.Count < 1 {
				add(cf+".count", "must be 1 or more")
			}
			for k, r := range c.Reuse {
				switch r {
				case ReusePopulationDB, ReuseDocumentStore, ReuseCivilStatusDB:
				default:
					add(fmt.Sprintf("%s.reuse[%d]", cf, k), "%q must be population_db, document_store or civil_status_db", r)
				}
			}
			for k, a := range c.Accept {
				switch a {
				case "pdf", "jpg", "png", "xml":
				default:
					add(fmt.Sprintf("%s.accept[%d]", cf, k), "%q must be pdf, jpg, png or xml", a)
				}
			}
			if c.MaxSizeMB < 0 || c.MaxSizeMB > 50 {
				add(cf+".max_size_mb", "%d must be between 0 and 50", c.MaxSizeMB)
			}
		}
		fids := map[string]bool{}
		for j, fl := range v.Form {
			ff := fmt.Sprintf("%s.form[%d]", f, j)
			if !idPattern.MatchString(fl.ID) {
				add(ff+".id", "%q must be lower-case letters, digits, - or _", fl.ID)
			} else if fids[fl.ID] {
				add(ff+".id", "%q is used twice", fl.ID)
			}
			fids[fl.ID] = true
			checkText(ff+".label", fl.Label, true)
			switch fl.Type {
			case FieldText, FieldTextarea, FieldDate, FieldIDNumber, FieldPhone, FieldEmail, FieldNumber, FieldCheckbox:
			case FieldSelect:
				if len(fl.Options) == 0 {
					add(ff+".options", "a select field needs options")
				}
			default:
				add(ff+".type", "unknown field type %q", fl.Type)
			}
			if fl.Prefill != "" && !prefillAttrs[fl.Prefill] {
				add(ff+".prefill", "unknown population attribute %q", fl.Prefill)
			}
		}
		checkText(f+".result.name", v.Result.Name, true)
		switch v.Result.Kind {
		case ResultPaper, ResultElectronic, ResultRecord:
		default:
			add(f+".result.kind", "%q must be paper, electronic or record", v.Result.Kind)
		}
		if len(v.LegalBasis) == 0 {
			add(f+".legal_basis", "at least one legal text is required")
		}
		for j, s := range v.Steps {
			checkText(fmt.Sprintf("%s.steps[%d]", f, j), s, true)
		}
		for j, l := range v.Linked {
			lf := fmt.Sprintf("%s.linked[%d]", f, j)
			if !codePattern.MatchString(l.Code) {
				add(lf+".code", "%q is not a procedure code", l.Code)
			}
			checkText(lf+".name", l.Name, true)
			if err := l.Time.Valid(); err != nil {
				add(lf+".time", "%v", err)
			}
		}
		checkSources(v.Sources, f+".sources", add)
		// The workflow: a named template, an inline definition, or both (then
		// the inline one is the frozen copy of the template).
		wf := v.WorkflowDef
		if wf == nil {
			if v.Workflow == "" {
				add(f+".workflow", "is required: the id of a workflow template")
			} else if t, ok := workflows[v.Workflow]; !ok {
				add(f+".workflow", "unknown workflow template %q", v.Workflow)
			} else {
				wf = t
			}
		}
		if wf != nil {
			for _, we := range wf.Validate() {
				add(f+".workflow_def."+we.Field, "%s", we.Message)
			}
		}
	}
	// Versions must not overlap in time.
	for i := range p.Versions {
		for j := i + 1; j < len(p.Versions); j++ {
			a, b := &p.Versions[i], &p.Versions[j]
			if overlaps(a, b) {
				add(fmt.Sprintf("versions[%d]", j), "is in force at the same time as version %d; set effective_to on the older one", a.Version)
			}
		}
	}
	return errs
}

func overlaps(a, b *Version) bool {
	end := func(v *Version) string {
		if v.EffectiveTo == "" {
			return "9999-12-31"
		}
		return v.EffectiveTo
	}
	return a.EffectiveFrom < end(b) && b.EffectiveFrom < end(a)
}

func validateFee(fee Fee, f string, add func(string, string, ...any)) {
	switch fee.Kind {
	case FeeFree:
		if fee.Amount != 0 || len(fee.Tiers) > 0 {
			add(f+".amount", "a free procedure has no amount")
		}
	case FeeFixed, FeePerCopy, FeeProvincial:
		if fee.Amount < 0 {
			add(f+".amount", "must not be negative")
		}
		if fee.Kind != FeeProvincial && fee.Amount == 0 {
			add(f+".amount", "is required for a %s fee", fee.Kind)
		}
	case FeePerPage:
		if len(fee.Tiers) == 0 {
			add(f+".tiers", "a per-page fee needs tiers")
		}
		next := 1
		for i, t := range fee.Tiers {
			tf := fmt.Sprintf("%s.tiers[%d]", f, i)
			if t.From != next {
				add(tf+".from", "is %d; tiers must start at page 1 and follow on without gaps (expected %d)", t.From, next)
			}
			if t.To != 0 && t.To < t.From {
				add(tf+".to", "%d is before from %d", t.To, t.From)
			}
			if t.Amount <= 0 {
				add(tf+".amount", "must be more than 0")
			}
			if t.To == 0 && i != len(fee.Tiers)-1 {
				add(tf+".to", "only the last tier may be open-ended")
			}
			next = t.To + 1
		}
		if fee.CapPerCopy < 0 {
			add(f+".cap_per_copy", "must not be negative")
		}
	default:
		add(f+".kind", "%q must be free, fixed, per_copy, per_page or provincial", fee.Kind)
	}
	if fee.OnlineAmount != nil && *fee.OnlineAmount < 0 {
		add(f+".online_amount", "must not be negative")
	}
}

func checkSources(ss []Source, f string, add func(string, string, ...any)) {
	for i, s := range ss {
		sf := fmt.Sprintf("%s[%d]", f, i)
		if s.Field == "" {
			add(sf+".field", "is required")
		}
		switch s.Confidence {
		case "V", "3P", "K":
		default:
			add(sf+".confidence", "%q must be V, 3P or K", s.Confidence)
		}
	}
}

// prefillAttrs are the population-data attributes an e-form field may be
// filled from.
var prefillAttrs = map[string]bool{
	"full_name": true, "birth_date": true, "sex": true, "id_number": true,
	"address": true, "permanent_address": true, "current_address": true,
	"phone": true, "email": true, "ethnicity": true, "nationality": true,
	"religion": true, "hometown": true, "marital_status": true,
	"household_head": true, "relation_to_head": true,
	"father_name": true, "mother_name": true, "spouse_name": true,
}
