package mlops_test

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// evalGolden is one of the golden files of tests/eval (golden.txt,
// golden_fairness.txt, calibration_golden.txt, written by the generators
// beside them; the C suites read the same): its named arrays and its
// other lines.
type evalGolden struct {
	ints   map[string][]int32
	floats map[string][]float64
	lines  [][]string
}

func loadEvalGolden(t *testing.T, path string) *evalGolden {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	g := &evalGolden{ints: map[string][]int32{}, floats: map[string][]float64{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		p := strings.Fields(sc.Text())
		if len(p) == 0 || strings.HasPrefix(p[0], "#") {
			continue
		}
		if p[0] != "data" {
			g.lines = append(g.lines, p)
			continue
		}
		n, _ := strconv.Atoi(p[3])
		vals := p[4 : 4+n]
		if p[2] == "i" {
			a := make([]int32, n)
			for i, v := range vals {
				x, err := strconv.ParseInt(v, 10, 32)
				must(t, err)
				a[i] = int32(x)
			}
			g.ints[p[1]] = a
		} else {
			a := make([]float64, n)
			for i, v := range vals {
				a[i] = gnum(t, v)
			}
			g.floats[p[1]] = a
		}
	}
	must(t, sc.Err())
	return g
}

// kinds returns the lines whose first field is kind (at least one).
func (g *evalGolden) kinds(t *testing.T, kind string) [][]string {
	t.Helper()
	var out [][]string
	for _, p := range g.lines {
		if p[0] == kind {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s lines", kind)
	}
	return out
}

// split parses "key=value ... -> results".
func split(p []string) (map[string]string, []string) {
	kv := map[string]string{}
	for i, s := range p {
		if s == "->" {
			return kv, p[i+1:]
		}
		if k, v, ok := strings.Cut(s, "="); ok {
			kv[k] = v
		}
	}
	return kv, nil
}

// close12 is the suite's tolerance: 1e-12 relative, NaN equal to NaN.
func close12(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return got == want || math.Abs(got-want) <= 1e-12*math.Max(math.Abs(got), math.Abs(want))
}
