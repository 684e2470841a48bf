package mlops_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// deprecatedFunctions reads the public headers: the functions declared
// between a comment that says "Deprecated since" and the next comment.
func deprecatedFunctions(t *testing.T, dir string) map[string]bool {
	t.Helper()
	headers, err := filepath.Glob(filepath.Join(dir, "*.h"))
	must(t, err)
	comment := regexp.MustCompile(`(?s)/\*.*?\*/`)
	decl := regexp.MustCompile(`MLOPS_API[^;(]*?\b(mlops_\w+)\s*\(`)
	out := map[string]bool{}
	for _, h := range headers {
		b, err := os.ReadFile(h)
		must(t, err)
		text := string(b)
		locs := comment.FindAllStringIndex(text, -1)
		for i, loc := range locs {
			if !strings.Contains(text[loc[0]:loc[1]], "Deprecated since") {
				continue
			}
			end := len(text)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			for _, m := range decl.FindAllStringSubmatch(text[loc[1]:end], -1) {
				out[m[1]] = true
			}
		}
	}
	return out
}

// The binding calls the 1.1 replacements, never a deprecated function
// (doc/conventions.md).
func TestNoDeprecatedCalls(t *testing.T) {
	dep := deprecatedFunctions(t, filepath.Join("..", "..", "..", "include", "mlops"))
	if !dep["mlops_run_search"] {
		t.Fatalf("the header scan found no deprecation: %v", dep)
	}
	sources, err := filepath.Glob("*.go")
	must(t, err)
	call := regexp.MustCompile(`C\.(mlops_\w+)\(`)
	var bad []string
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		must(t, err)
		for _, m := range call.FindAllStringSubmatch(string(b), -1) {
			if dep[m[1]] {
				bad = append(bad, f+": "+m[1])
			}
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Fatalf("deprecated functions called: %v", bad)
	}
}
