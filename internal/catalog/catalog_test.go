package catalog

import (
	"testing"

	"github.com/motcua/motcua/data"
)

func TestShippedCatalogLoads(t *testing.T) {
	set, err := ReadDir(data.FS, "catalog")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range set.Procedures {
		for _, v := range p.Versions {
			if v.WorkflowDef == nil {
				t.Errorf("%s v%d: workflow not frozen", p.Code, v.Version)
			}
		}
	}
}
