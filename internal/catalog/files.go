package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Set is a whole catalogue as read from files: procedures and the workflow
// templates they name.
type Set struct {
	Procedures []*Procedure
	Workflows  map[string]*Workflow
}

// ReadDir reads a catalogue directory: workflows/*.json (one workflow
// template a file) and procedures/*.json (one procedure a file). It returns
// every problem found, each naming the file, the procedure and the field.
// Versions that name a template get the template frozen into WorkflowDef.
func ReadDir(fsys fs.FS, dir string) (*Set, error) {
	set := &Set{Workflows: map[string]*Workflow{}}
	var errs Errors
	wfFiles, _ := fs.Glob(fsys, path.Join(dir, "workflows", "*.json"))
	for _, name := range wfFiles {
		var w Workflow
		if err := decodeFile(fsys, name, &w); err != nil {
			errs = append(errs, *err)
			continue
		}
		for _, e := range w.Validate() {
			e.File = name
			e.Field = "workflow " + w.ID + ": " + e.Field
			errs = append(errs, e)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); w.ID != want {
			errs = append(errs, FieldError{File: name, Field: "id", Message: fmt.Sprintf("%q must match the file name %q", w.ID, want)})
		}
		set.Workflows[w.ID] = &w
	}
	procFiles, _ := fs.Glob(fsys, path.Join(dir, "procedures", "*.json"))
	if len(procFiles) == 0 {
		errs = append(errs, FieldError{File: path.Join(dir, "procedures"), Message: "no procedure files (*.json) found"})
	}
	codes := map[string]string{}
	for _, name := range procFiles {
		errs = set.addFile(fsys, name, name, codes, errs)
	}
	return set.finish(errs)
}

// addFile reads one procedure file into the set, collecting its problems.
func (s *Set) addFile(fsys fs.FS, name, shown string, codes map[string]string, errs Errors) Errors {
	p := &Procedure{}
	if err := decodeFile(fsys, name, p); err != nil {
		err.File = shown
		return append(errs, *err)
	}
	if prev, dup := codes[p.Code]; dup {
		return append(errs, FieldError{File: shown, Procedure: p.Code, Field: "code", Message: "also defined in " + prev})
	}
	codes[p.Code] = shown
	for _, e := range Validate(p, s.Workflows) {
		e.File = shown
		errs = append(errs, e)
	}
	s.Procedures = append(s.Procedures, p)
	return errs
}

func (s *Set) finish(errs Errors) (*Set, error) {
	if len(errs) > 0 {
		return nil, errs
	}
	s.Freeze()
	return s, nil
}

// ReadFiles reads procedure files given one by one (or a directory laid out
// as ReadDir expects), resolving templates against the shipped workflows.
func ReadFiles(shipped map[string]*Workflow, names ...string) (*Set, error) {
	if len(names) == 1 {
		if st, err := os.Stat(names[0]); err == nil && st.IsDir() {
			return ReadDir(os.DirFS(names[0]), ".")
		}
	}
	set := &Set{Workflows: map[string]*Workflow{}}
	for k, v := range shipped {
		set.Workflows[k] = v
	}
	var errs Errors
	codes := map[string]string{}
	for _, name := range names {
		dir, base := filepath.Split(name)
		if dir == "" {
			dir = "."
		}
		errs = set.addFile(os.DirFS(dir), base, name, codes, errs)
	}
	return set.finish(errs)
}

// Freeze copies each named template into the versions that use it.
func (s *Set) Freeze() {
	for _, p := range s.Procedures {
		for i := range p.Versions {
			v := &p.Versions[i]
			if v.WorkflowDef == nil {
				if w, ok := s.Workflows[v.Workflow]; ok {
					c := *w
					v.WorkflowDef = &c
				}
			}
		}
	}
	sort.Slice(s.Procedures, func(i, j int) bool { return s.Procedures[i].Code < s.Procedures[j].Code })
}

// decodeFile reads one JSON file strictly: unknown fields are errors, and a
// syntax error names its line.
func decodeFile(fsys fs.FS, name string, v any) *FieldError {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return &FieldError{File: name, Message: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return &FieldError{File: name, Message: fmt.Sprintf("line %d: %v", lineOf(b, se.Offset), se)}
		case errors.As(err, &te):
			return &FieldError{File: name, Field: te.Field, Message: fmt.Sprintf("line %d: must be %s, not %s", lineOf(b, te.Offset), te.Type, te.Value)}
		}
		return &FieldError{File: name, Message: err.Error()}
	}
	return nil
}

func lineOf(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// WriteDir writes a catalogue in the file format ReadDir reads: one file a
// procedure under procedures/, one a workflow template under workflows/.
func WriteDir(dir string, procs []*Procedure, workflows map[string]*Workflow) error {
	for _, sub := range []string{"procedures", "workflows"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("catalog: export: %w", err)
		}
	}
	for id, w := range workflows {
		if err := writeJSON(filepath.Join(dir, "workflows", id+".json"), w); err != nil {
			return err
		}
	}
	for _, p := range procs {
		if err := writeJSON(filepath.Join(dir, "procedures", p.Code+".json"), p); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(name string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("catalog: encode %s: %w", name, err)
	}
	if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("catalog: write %s: %w", name, err)
	}
	return nil
}
