package catalog

import (
	"sort"
	"strings"

	"github.com/motcua/motcua/internal/vntext"
)

// Catalog is an immutable, searchable snapshot of the procedures. Replace
// the whole snapshot to change it (see Service).
type Catalog struct {
	procs  []*Procedure
	byCode map[string]*Procedure
	index  []indexEntry
	fields []string
}

// indexEntry holds a procedure's folded words by where they come from, for
// ranking: a match in the name counts more than one in a component.
type indexEntry struct {
	code     string
	name     []string
	nameText string
	keywords []string
	field    []string
	other    []string
}

// New builds a catalogue snapshot; procedures are listed by field, then name.
func New(procs []*Procedure) *Catalog {
	c := &Catalog{byCode: make(map[string]*Procedure, len(procs))}
	c.procs = append(c.procs, procs...)
	sort.SliceStable(c.procs, func(i, j int) bool {
		a, b := c.procs[i], c.procs[j]
		if a.Field != b.Field {
			return vntext.Fold(a.Field) < vntext.Fold(b.Field)
		}
		return vntext.Fold(a.Name) < vntext.Fold(b.Name)
	})
	seenField := map[string]bool{}
	for _, p := range c.procs {
		c.byCode[p.Code] = p
		if !seenField[p.Field] {
			seenField[p.Field] = true
			c.fields = append(c.fields, p.Field)
		}
		e := indexEntry{
			code:     p.Code,
			name:     vntext.Words(p.Name + " " + p.NameEn),
			nameText: vntext.Fold(p.Name),
			field:    vntext.Words(p.Field + " " + p.FieldEn),
		}
		for _, k := range p.Keywords {
			e.keywords = append(e.keywords, vntext.Words(k)...)
		}
		var other strings.Builder
		other.WriteString(p.Summary)
		for _, v := range p.Versions {
			other.WriteString(" " + v.Result.Name + " " + v.Agency)
			for _, comp := range v.Components {
				other.WriteString(" " + comp.Name)
			}
		}
		e.other = vntext.Words(other.String())
		c.index = append(c.index, e)
	}
	return c
}

// All lists every procedure, by field then name.
func (c *Catalog) All() []*Procedure { return c.procs }

// Len is the number of procedures.
func (c *Catalog) Len() int { return len(c.procs) }

// Fields lists the fields (lĩnh vực) in catalogue order.
func (c *Catalog) Fields() []string { return c.fields }

// Get returns the procedure with the national code.
func (c *Catalog) Get(code string) (*Procedure, bool) {
	p, ok := c.byCode[strings.TrimSpace(code)]
	return p, ok
}

// Search finds procedures matching every word of q, with or without
// Vietnamese diacritics ("dang ky khai sinh" finds "Đăng ký khai sinh"); a
// word also matches as the start of a longer word. Results are ranked: the
// whole query in the name first, then name and keyword matches, then
// matches in the field, summary, components and result. An empty query
// lists everything.
func (c *Catalog) Search(q string, limit int) []*Procedure {
	words := vntext.Words(q)
	if len(words) == 0 {
		if limit > 0 && limit < len(c.procs) {
			return c.procs[:limit]
		}
		return c.procs
	}
	phrase := strings.Join(words, " ")
	type hit struct {
		i     int
		score int
	}
	var hits []hit
	for i := range c.index {
		e := &c.index[i]
		if e.code == phrase {
			hits = append(hits, hit{i, 10000})
			continue
		}
		score := 0
		all := true
		for _, w := range words {
			s := 0
			switch {
			case matchAny(e.name, w):
				s = 10
			case matchAny(e.keywords, w):
				s = 6
			case matchAny(e.field, w):
				s = 3
			case matchAny(e.other, w):
				s = 1
			case strings.HasPrefix(e.code, w):
				s = 8
			}
			if s == 0 {
				all = false
				break
			}
			score += s
		}
		if !all {
			continue
		}
		if strings.HasPrefix(e.nameText, phrase) {
			score += 40
		} else if strings.Contains(e.nameText, phrase) {
			score += 20
		}
		hits = append(hits, hit{i, score})
	}
	// Equal scores: the shorter name is the closer match ("chứng thực chữ ký"
	// before "chứng thực chữ ký người dịch").
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].score != hits[b].score {
			return hits[a].score > hits[b].score
		}
		return len(c.index[hits[a].i].name) < len(c.index[hits[b].i].name)
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]*Procedure, len(hits))
	for k, h := range hits {
		out[k] = c.byCode[c.index[h.i].code]
	}
	return out
}

func matchAny(words []string, w string) bool {
	for _, x := range words {
		if x == w || (len(w) >= 2 && strings.HasPrefix(x, w)) {
			return true
		}
	}
	return false
}
