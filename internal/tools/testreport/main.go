// Command testreport reads `go test -json` output on standard input, prints
// failures with their output and a summary per package, and exits non-zero
// if any test failed or was skipped: CI must run every test.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	output := map[string]*strings.Builder{}
	var failed, skipped []string
	passed := 0
	pkgTime := map[string]float64{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			b := output[key]
			if b == nil {
				b = &strings.Builder{}
				output[key] = b
			}
			b.WriteString(e.Output)
		case "pass":
			if e.Test == "" {
				pkgTime[e.Package] = e.Elapsed
			} else {
				passed++
			}
			delete(output, key)
		case "fail":
			if e.Test == "" {
				pkgTime[e.Package] = e.Elapsed
			}
			failed = append(failed, key)
		case "skip":
			if e.Test != "" {
				skipped = append(skipped, key)
			}
		}
	}
	for _, k := range failed {
		fmt.Printf("--- FAIL %s\n", k)
		if b := output[k]; b != nil {
			fmt.Print(b.String())
		}
	}
	for _, k := range skipped {
		fmt.Printf("--- SKIP %s\n", k)
		if b := output[k]; b != nil {
			fmt.Print(b.String())
		}
	}
	pkgs := make([]string, 0, len(pkgTime))
	for p := range pkgTime {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		fmt.Printf("%7.1fs  %s\n", pkgTime[p], p)
	}
	fmt.Printf("tests: %d passed, %d failed, %d skipped\n", passed, len(failed), len(skipped))
	if len(failed) > 0 || len(skipped) > 0 {
		os.Exit(1)
	}
}
