package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every interface text key used by a template or a handler exists in both
// Vietnamese and English: a missing key would show itself on the page.
func TestTranslationsComplete(t *testing.T) {
	re := regexp.MustCompile(`(?:call \$?\.?T|\.T\()\s*"([a-z_.]+[a-z_])"`)
	keys := map[string]string{}
	fs.WalkDir(assets, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(assets, path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = path
		}
		return nil
	})
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = f
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d keys; is the pattern right?", len(keys))
	}
	for k, where := range keys {
		for _, lang := range []string{"vi", "en"} {
			if _, ok := messages[lang][k]; !ok {
				t.Errorf("%s: key %q has no %s text", where, k, lang)
			}
		}
	}
	for k := range messages["vi"] {
		if _, ok := messages["en"][k]; !ok {
			t.Errorf("key %q has no English text", k)
		}
	}
}
