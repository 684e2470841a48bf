package mlops_test

import (
	"bufio"
	"errors"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// goldenLines returns the fields of the lines of one kind in
// tests/drift/golden.txt (values from scipy 1.14.1, tests/drift/gen_golden.py).
func goldenLines(t *testing.T, kind string) [][]string {
	t.Helper()
	f, err := os.Open("../../../tests/drift/golden.txt")
	must(t, err)
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 0 && fields[0] == kind {
			out = append(out, fields)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s lines", kind)
	}
	return out
}

func gnum(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	must(t, err)
	return v
}

// gsample rebuilds a golden sample from its spec (irwin, nan and ties, as
// gen_golden.py makes them).
func gsample(t *testing.T, spec string) []float64 {
	t.Helper()
	f := strings.Split(spec, ":")
	seed, _ := strconv.ParseUint(f[1], 10, 64)
	n, _ := strconv.Atoi(f[2])
	x := seed
	u := func() float64 {
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		return float64((z^(z>>31))>>11) * 0x1p-53
	}
	out := make([]float64, n)
	if f[0] == "ties" {
		k, shift := gnum(t, f[3]), gnum(t, f[4])
		for i := range out {
			out[i] = math.Floor(u()*k) + shift
		}
		return out
	}
	shift, scale := gnum(t, f[3]), gnum(t, f[4])
	for i := range out {
		s := u() + u()
		s = s + u()
		s = s + u()
		out[i] = float64(s-2.0)*scale + shift
	}
	if f[0] == "nan" {
		m, _ := strconv.Atoi(f[5])
		for i := range out {
			if i%m == 0 {
				out[i] = math.NaN()
			}
		}
		for i := range out {
			if i%(m+1) == 1 {
				out[i] = math.Inf(1)
			}
		}
	}
	return out
}

func closeRel(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return got == want || math.Abs(got-want) <= rel*math.Abs(want)
}

func TestDriftKSAlternatives(t *testing.T) {
	alts := map[string]mlops.KSAlternative{"two-sided": mlops.KSTwoSided, "less": mlops.KSLess, "greater": mlops.KSGreater}
	methods := map[string]mlops.KSMethod{"auto": mlops.KSAuto, "exact": mlops.KSExact, "asymp": mlops.KSAsymptotic}
	n := 0
	for _, g := range goldenLines(t, "ksalt") {
		a, b := gsample(t, g[3]), gsample(t, g[4])
		if len(a)+len(b) > 2000 {
			continue // the large cases run in C
		}
		r, err := mlops.DriftKSOptions(a, b, mlops.KSOptions{Alternative: alts[g[1]], Method: methods[g[2]]})
		must(t, err)
		if !closeRel(r.Statistic, gnum(t, g[5]), 1e-12) || !closeRel(r.PValue, gnum(t, g[6]), 1e-9) {
			t.Errorf("%v: got D %v p %v", g, r.Statistic, r.PValue)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d KS cases", n)
	}
	if _, err := mlops.DriftKSOptions([]float64{1, 2}, []float64{3}, mlops.KSOptions{Alternative: 7}); !errors.Is(err, mlops.ErrInvalid) {
		t.Fatalf("alternative 7: %v", err)
	}
}

func TestDriftWeightedAndCvMMethods(t *testing.T) {
	for _, g := range goldenLines(t, "wdist") {
		a, b := gsample(t, g[1]), gsample(t, g[2])
		if len(a) > 5000 {
			continue
		}
		var w mlops.Weights
		if g[3] != "none" {
			w.Ref = gsample(t, g[3])
		}
		if g[4] != "none" {
			w.Cur = gsample(t, g[4])
		}
		ws, err := mlops.DriftWassersteinWeighted(a, b, w)
		must(t, err)
		es, err := mlops.DriftEnergyWeighted(a, b, w)
		must(t, err)
		if !closeRel(ws, gnum(t, g[5]), 1e-12) || !closeRel(es, gnum(t, g[6]), 1e-12) {
			t.Errorf("%v: got W %v E %v", g, ws, es)
		}
	}
	if _, err := mlops.DriftWassersteinWeighted([]float64{1, 2}, []float64{3}, mlops.Weights{Ref: []float64{1}}); !errors.Is(err, mlops.ErrInvalid) {
		t.Fatalf("short weights: %v", err)
	}
	methods := map[string]mlops.CvMMethod{"auto": mlops.CvMAuto, "exact": mlops.CvMExact, "asymptotic": mlops.CvMAsymptotic}
	for _, g := range goldenLines(t, "cvmm") {
		r, err := mlops.DriftCramerVonMisesWith(gsample(t, g[2]), gsample(t, g[3]), methods[g[1]])
		must(t, err)
		if !closeRel(r.Statistic, gnum(t, g[4]), 1e-12) || !closeRel(r.PValue, gnum(t, g[5]), 1e-9) {
			t.Errorf("%v: got T %v p %v", g, r.Statistic, r.PValue)
		}
	}
}

func TestDriftChiSquareTableAndJSBase(t *testing.T) {
	lambdas := map[string]float64{"pearson": mlops.LambdaPearson, "log-likelihood": mlops.LambdaLogLikelihood,
		"freeman-tukey": mlops.LambdaFreemanTukey, "mod-log-likelihood": mlops.LambdaModLogLikelihood,
		"neyman": mlops.LambdaNeyman, "cressie-read": mlops.LambdaCressieRead}
	for _, g := range goldenLines(t, "ctab") {
		rows, _ := strconv.Atoi(g[1])
		cols, _ := strconv.Atoi(g[2])
		table := make([][]float64, rows)
		for i := range table {
			for j := 0; j < cols; j++ {
				table[i] = append(table[i], gnum(t, g[5+i*cols+j]))
			}
		}
		opts := mlops.ChiSquareDefaults
		opts.Correction = g[3] == "1"
		if l, ok := lambdas[g[4]]; ok {
			opts.Lambda = l
		} else {
			opts.Lambda = gnum(t, g[4])
		}
		r, err := mlops.DriftChiSquareTable(table, opts)
		must(t, err)
		k := 5 + rows*cols
		stat := gnum(t, g[k])
		okStat := closeRel(r.Statistic, stat, 1e-12) || (math.IsInf(stat, 1) && math.IsInf(r.Statistic, 1))
		if !okStat || !closeRel(r.PValue, gnum(t, g[k+1]), 1e-9) || strconv.FormatUint(r.DoF, 10) != g[k+2] {
			t.Errorf("%v: got %+v", g, r)
		}
	}
	if _, err := mlops.DriftChiSquareTable([][]float64{{0, 0}, {1, 2}}, mlops.ChiSquareDefaults); !errors.Is(err, mlops.ErrInvalid) {
		t.Fatalf("empty row: %v", err)
	}
	for _, g := range goldenLines(t, "jsbasec") {
		k, _ := strconv.Atoi(g[1])
		p, q := make([]float64, k), make([]float64, k)
		for i := 0; i < k; i++ {
			p[i], q[i] = gnum(t, g[2+i]), gnum(t, g[2+k+i])
		}
		r, err := mlops.DriftBinnedCountsOptions(p, q, mlops.BinnedOptions{Base: gnum(t, g[2+2*k]), NoKLFloor: true})
		must(t, err)
		kl := gnum(t, g[4+2*k])
		if !closeRel(r.JensenShannon, gnum(t, g[3+2*k]), 1e-12) || !(closeRel(r.KL, kl, 1e-12) || (math.IsInf(kl, 1) && math.IsInf(r.KL, 1))) {
			t.Errorf("%v: got JS %v KL %v", g, r.JensenShannon, r.KL)
		}
	}
	a, b := gsample(t, "irwin:1:300:0:1"), gsample(t, "irwin:2:200:0.3:1")
	r0, err := mlops.DriftBinned(a, b, 10)
	must(t, err)
	r1, err := mlops.DriftBinnedOptions(a, b, 10, mlops.BinnedOptions{})
	must(t, err)
	if r0 != r1 {
		t.Fatalf("zero options differ: %+v %+v", r0, r1)
	}
	if _, err := mlops.DriftBinnedOptions(a, b, 10, mlops.BinnedOptions{Base: 1}); !errors.Is(err, mlops.ErrInvalid) {
		t.Fatalf("base 1: %v", err)
	}
}
