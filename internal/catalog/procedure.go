// Package catalog is the catalogue of administrative procedures (thủ tục
// hành chính) a service centre serves: for each procedure, versions with
// effective dates, each carrying its processing time, fee rule, dossier
// components, e-form, result, legal basis and internal workflow as data.
//
// The catalogue is loaded from files (data/catalog, format in
// docs/catalog-format.md) into the database, and served from memory.
package catalog

import (
	"time"

	"github.com/motcua/motcua/internal/calendar"
)

// Procedure is one administrative procedure of the national catalogue.
type Procedure struct {
	// Code is the national procedure code, e.g. "1.001193"; procedures with
	// no national code found carry a local code and say so in Sources.
	Code     string    `json:"code"`
	Name     string    `json:"name"`
	NameEn   string    `json:"name_en,omitempty"`
	Field    string    `json:"field"` // lĩnh vực, e.g. "Hộ tịch"
	FieldEn  string    `json:"field_en,omitempty"`
	Keywords []string  `json:"keywords,omitempty"` // everyday words people search with
	Summary  string    `json:"summary,omitempty"`  // one plain-Vietnamese sentence: who needs it and why
	Versions []Version `json:"versions"`
	// Sources records how sure each fact of the procedure is; see Source.
	Sources []Source `json:"sources,omitempty"`
}

// Version is the procedure as in force from EffectiveFrom (inclusive) to
// EffectiveTo (exclusive; empty = still in force). A dossier keeps the
// version it was received under.
type Version struct {
	Version       int    `json:"version"`
	EffectiveFrom string `json:"effective_from"`         // YYYY-MM-DD
	EffectiveTo   string `json:"effective_to,omitempty"` // YYYY-MM-DD
	// Decision is the publication (công bố) decision this version follows.
	Decision string `json:"decision,omitempty"`

	// Agency: who decides (e.g. "Ủy ban nhân dân cấp xã") and which kind of
	// local agency receives and processes it.
	Agency     string     `json:"agency"`
	AgencyKind AgencyKind `json:"agency_kind"`
	// Subjects: who may apply ("citizen", "organisation").
	Subjects []string `json:"subjects"`

	Online   OnlineLevel `json:"online"`
	Channels []Channel   `json:"channels"`

	// Time is the legal processing time; VerificationTime applies when the
	// case must be verified (and is then the promised time).
	Time             calendar.Duration  `json:"time"`
	VerificationTime *calendar.Duration `json:"verification_time,omitempty"`
	TimeNote         string             `json:"time_note,omitempty"`

	Fee        Fee         `json:"fee"`
	Components []Component `json:"components"`
	Form       []Field     `json:"form,omitempty"`
	Result     Result      `json:"result"`
	Conditions []string    `json:"conditions,omitempty"`
	Steps      []string    `json:"steps,omitempty"` // how it goes, in plain words, for the public guide
	LegalBasis []string    `json:"legal_basis"`

	// Workflow names a workflow template (data/catalog/workflows); WorkflowDef
	// is the workflow itself, filled in from the template on import so that a
	// version's workflow never changes under its dossiers.
	Workflow    string    `json:"workflow"`
	WorkflowDef *Workflow `json:"workflow_def,omitempty"`

	// Linked lists, for a linked procedure (liên thông), the procedures and
	// agencies it chains, in order.
	Linked []LinkedStep `json:"linked,omitempty"`

	Sources []Source `json:"sources,omitempty"`
}

// AgencyKind is the kind of local agency that handles a procedure.
type AgencyKind string

// Agency kinds at commune level.
const (
	AgencyCommune         AgencyKind = "commune"          // Ủy ban nhân dân xã (its offices)
	AgencyEconomic        AgencyKind = "economic"         // Phòng Kinh tế (business registration)
	AgencyPolice          AgencyKind = "police"           // Công an xã
	AgencySocialInsurance AgencyKind = "social_insurance" // Bảo hiểm xã hội
)

// OnlineLevel is the online-service level of Decree 42/2022.
type OnlineLevel string

// Online levels.
const (
	OnlineFull    OnlineLevel = "full"    // toàn trình
	OnlinePartial OnlineLevel = "partial" // một phần
	OnlineNone    OnlineLevel = "none"
)

// Channel is a way of filing a dossier (national KenhThucHien).
type Channel string

// Channels.
const (
	ChannelInPerson Channel = "in_person" // 1 trực tiếp
	ChannelOnline   Channel = "online"    // 2 trực tuyến
	ChannelPost     Channel = "post"      // 3 bưu chính công ích
)

// NationalCode is the KenhThucHien code of the channel.
func (c Channel) NationalCode() int {
	switch c {
	case ChannelOnline:
		return 2
	case ChannelPost:
		return 3
	}
	return 1
}

// Component is one document of the dossier (thành phần hồ sơ).
type Component struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	NameEn    string        `json:"name_en,omitempty"`
	Form      ComponentForm `json:"form"`
	Count     int           `json:"count"`
	Required  bool          `json:"required"`
	Condition string        `json:"condition,omitempty"` // when it is needed, if not always
	// Reuse lists where the document or its data can be taken from instead
	// of the citizen bringing it (Decree 45/2020: do not ask again).
	Reuse    []ReuseSource `json:"reuse,omitempty"`
	Template string        `json:"template,omitempty"` // the blank form, e.g. "Mẫu CT01"
	// Accept lists accepted upload types (pdf, jpg, png); MaxSizeMB bounds one file.
	Accept    []string `json:"accept,omitempty"`
	MaxSizeMB int      `json:"max_size_mb,omitempty"`
}

// ComponentForm is how a document is given.
type ComponentForm string

// Component forms.
const (
	FormOriginal      ComponentForm = "original"       // bản chính
	FormCopy          ComponentForm = "copy"           // bản sao
	FormCertifiedCopy ComponentForm = "certified_copy" // bản sao có chứng thực
	FormShowOriginal  ComponentForm = "show_original"  // xuất trình bản chính (not kept)
	FormElectronic    ComponentForm = "electronic"     // e-form or electronic document
)

// ReuseSource is where a component can be taken from.
type ReuseSource string

// Reuse sources.
const (
	ReusePopulationDB  ReuseSource = "population_db"   // CSDL quốc gia về dân cư
	ReuseDocumentStore ReuseSource = "document_store"  // the citizen's store on the national portal
	ReuseCivilStatusDB ReuseSource = "civil_status_db" // CSDL hộ tịch điện tử
)

// Field is one question of the procedure's e-form.
type Field struct {
	ID       string    `json:"id"`
	Label    string    `json:"label"`
	LabelEn  string    `json:"label_en,omitempty"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required"`
	Options  []Option  `json:"options,omitempty"`
	// Prefill names the population-data attribute that fills the field
	// (full_name, birth_date, sex, id_number, address, phone, …).
	Prefill string `json:"prefill,omitempty"`
	Help    string `json:"help,omitempty"`
}

// FieldType is an e-form field's kind of answer.
type FieldType string

// Field types.
const (
	FieldText     FieldType = "text"
	FieldTextarea FieldType = "textarea"
	FieldDate     FieldType = "date"
	FieldIDNumber FieldType = "id_number"
	FieldPhone    FieldType = "phone"
	FieldEmail    FieldType = "email"
	FieldNumber   FieldType = "number"
	FieldSelect   FieldType = "select"
	FieldCheckbox FieldType = "checkbox"
)

// Option is one choice of a select field.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Result is what the citizen receives.
type Result struct {
	Name   string     `json:"name"`
	NameEn string     `json:"name_en,omitempty"`
	Kind   ResultKind `json:"kind"`
	Code   string     `json:"code,omitempty"` // national result code, e.g. KQ.G15.000032
}

// ResultKind says whether the result is a paper document (which counts as
// online for Decision 766 only with an electronic result too).
type ResultKind string

// Result kinds.
const (
	ResultPaper      ResultKind = "paper"      // a paper document (an electronic copy may be issued too)
	ResultElectronic ResultKind = "electronic" // electronic only
	ResultRecord     ResultKind = "record"     // a database update with a notice (e.g. residence)
)

// LinkedStep is one procedure of a linked group.
type LinkedStep struct {
	Code       string            `json:"code"`
	Name       string            `json:"name"`
	AgencyKind AgencyKind        `json:"agency_kind"`
	Time       calendar.Duration `json:"time"`
	// After names the step (by code) whose result this one needs.
	After string `json:"after,omitempty"`
}

// Source records the confidence of a fact, as in shared/domain: V (seen in
// a source), 3P (third party only), K (known, not re-checked). An
// administrator checks 3P and K facts against the province's decision.
type Source struct {
	Field      string `json:"field"` // "code", "time", "fee", "components", "*" …
	Confidence string `json:"confidence"`
	Note       string `json:"note,omitempty"`
}

// VersionAt returns the version in force at t (by its date in Vietnam).
func (p *Procedure) VersionAt(t time.Time) (*Version, bool) {
	day := t.In(calendar.Location).Format(time.DateOnly)
	var best *Version
	for i := range p.Versions {
		v := &p.Versions[i]
		if v.EffectiveFrom > day || (v.EffectiveTo != "" && v.EffectiveTo <= day) {
			continue
		}
		if best == nil || v.EffectiveFrom > best.EffectiveFrom {
			best = v
		}
	}
	return best, best != nil
}

// Version returns the version with number n.
func (p *Procedure) Version(n int) (*Version, bool) {
	for i := range p.Versions {
		if p.Versions[i].Version == n {
			return &p.Versions[i], true
		}
	}
	return nil, false
}

// Uncertain lists the sources whose confidence is not V: the facts an
// administrator should check against the province's publication decision.
func (v *Version) Uncertain() []Source {
	var out []Source
	for _, s := range v.Sources {
		if s.Confidence != "V" {
			out = append(out, s)
		}
	}
	return out
}

// HasChannel reports whether the version accepts dossiers by channel c.
func (v *Version) HasChannel(c Channel) bool {
	for _, x := range v.Channels {
		if x == c {
			return true
		}
	}
	return false
}
