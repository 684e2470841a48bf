package mlops

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The fairlearn and AIF360 golden vectors the C suite uses
// (tests/eval/golden_fairness.txt, written by
// tests/eval/gen_golden_fairness.py).
type fairGolden struct {
	ints   map[string][]int32
	floats map[string][]float64
	lines  [][]string
}

func loadFairGolden(t *testing.T) *fairGolden {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "tests", "eval", "golden_fairness.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g := &fairGolden{ints: map[string][]int32{}, floats: map[string][]float64{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
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
		for _, v := range p[4 : 4+n] {
			if p[2] == "i" {
				x, _ := strconv.Atoi(v)
				g.ints[p[1]] = append(g.ints[p[1]], int32(x))
			} else {
				g.floats[p[1]] = append(g.floats[p[1]], goldenNum(t, v))
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return g
}

func goldenNum(t *testing.T, s string) float64 {
	v, err := strconv.ParseFloat(s, 64) // Go reads C99 hex floats and nan
	if err != nil {
		t.Fatalf("golden number %q: %v", s, err)
	}
	return v
}

func close12(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return got == want || math.Abs(got-want) <= 1e-12*math.Max(math.Abs(got), math.Abs(want))
}

func goldenFields(p []string) (map[string]string, []string) {
	kv := map[string]string{}
	for i, f := range p {
		if f == "->" {
			return kv, p[i+1:]
		}
		k, v, _ := strings.Cut(f, "=")
		kv[k] = v
	}
	return kv, nil
}

var goldenMetricIDs = map[string]EvalMetric{
	"mae": MetricMAE, "mse": MetricMSE, "rmse": MetricRMSE, "mape": MetricMAPE, "r2": MetricR2,
	"ev": MetricExplainedVariance, "medae": MetricMedianAE, "maxerr": MetricMaxError, "pinball": MetricPinball,
	"accuracy": MetricAccuracy, "balanced": MetricBalancedAccuracy, "precision": MetricPrecision,
	"recall": MetricRecall, "fbeta": MetricFBeta, "selection_rate": MetricSelectionRate,
	"tpr": MetricTruePositiveRate, "fpr": MetricFalsePositiveRate, "roc_auc": MetricROCAUC,
	"ap": MetricAveragePrecision, "log_loss": MetricLogLoss, "brier": MetricBrier,
}

func TestFairnessGoldenFrames(t *testing.T) {
	g := loadFairGolden(t)
	seen := 0
	for _, p := range g.lines {
		if p[0] != "frame" {
			continue
		}
		id, family, metric := p[1], p[2], p[3]
		kw, out := goldenFields(p[4:])
		var d EvalData
		if family == "reg" {
			d.ValuesTrue, d.ValuesPred = g.floats[kw["yt"]], g.floats[kw["yp"]]
		} else {
			d.LabelsTrue, d.LabelsPred, d.Scores = g.ints[kw["yt"]], g.ints[kw["yp"]], g.floats[kw["s"]]
			d.K, _ = strconv.Atoi(kw["k"])
		}
		d.Weights = g.floats[kw["w"]]
		o := DefaultEvalOptions()
		if pos, ok := kw["pos"]; ok {
			p, _ := strconv.Atoi(pos)
			o.PosLabel = int32(p)
		}
		o.Average = map[string]Average{"": AverageBinary, "binary": AverageBinary, "macro": AverageMacro, "weighted": AverageWeighted}[kw["avg"]]
		f, err := MetricFrameOf(goldenMetricIDs[metric], d, g.ints[kw["g"]], &o)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if !close12(f.Overall.Value, goldenNum(t, out[0])) {
			t.Errorf("%s overall: %v, want %s", id, f.Overall.Value, out[0])
		}
		k, _ := strconv.Atoi(out[2])
		if len(f.Groups) != k {
			t.Fatalf("%s: %d groups, want %d", id, len(f.Groups), k)
		}
		for j, gr := range f.Groups {
			c := out[3+7*j : 10+7*j]
			code, _ := strconv.Atoi(c[0])
			reason, _ := strconv.Atoi(c[2])
			count, _ := strconv.ParseUint(c[3], 10, 64)
			if gr.Group != int32(code) || !close12(gr.Value, goldenNum(t, c[1])) || gr.Reason != Reason(reason) || gr.Count != count {
				t.Errorf("%s group %d: %+v, want %v", id, j, gr, c)
			}
		}
		aggs := out[3+7*k:]
		got := []EvalResult{f.Difference(BetweenGroups), f.Difference(ToOverall), f.Ratio(BetweenGroups), f.Ratio(ToOverall)}
		for a, v := range got {
			r, _ := strconv.Atoi(aggs[2*a+1])
			if !close12(v.Value, goldenNum(t, aggs[2*a])) || v.Reason != Reason(r) {
				t.Errorf("%s aggregate %d: %+v, want %s %s", id, a, v, aggs[2*a], aggs[2*a+1])
			}
		}
		seen++
	}
	if seen < 50 {
		t.Fatalf("only %d frames", seen)
	}
}

func TestFairnessGoldenParityAndAIF360(t *testing.T) {
	g := loadFairGolden(t)
	seen := 0
	for _, p := range g.lines {
		var v EvalResult
		var err error
		var out []string
		switch p[0] {
		case "parity":
			kw, o := goldenFields(p[4:])
			out = o
			m := map[string]FairnessMethod{"between_groups": BetweenGroups, "to_overall": ToOverall}[kw["method"]]
			agg := map[string]OddsAgg{"": WorstCase, "worst_case": WorstCase, "mean": MeanOfTwo}[kw["agg"]]
			yt, yp, gr, w := g.ints[kw["yt"]], g.ints[kw["yp"]], g.ints[kw["g"]], g.floats[kw["w"]]
			switch p[2] + p[3] {
			case "diffdp":
				v, err = DemographicParityDifference(yt, yp, gr, w, m)
			case "ratiodp":
				v, err = DemographicParityRatio(yt, yp, gr, w, m)
			case "diffeo":
				v, err = EqualizedOddsDifference(yt, yp, gr, w, m, agg)
			case "ratioeo":
				v, err = EqualizedOddsRatio(yt, yp, gr, w, m, agg)
			case "diffeop":
				v, err = EqualOpportunityDifference(yt, yp, gr, w, m)
			default:
				v, err = EqualOpportunityRatio(yt, yp, gr, w, m)
			}
		case "aif":
			kw, o := goldenFields(p[3:])
			out = o
			yp, gr, w := g.ints[kw["yp"]], g.ints[kw["g"]], g.floats[kw["w"]]
			if p[2] == "di" {
				v, err = DisparateImpact(yp, gr, w, g.ints[kw["priv"]], g.ints[kw["unpriv"]], 1)
			} else {
				v, err = StatisticalParityDifference(yp, gr, w, g.ints[kw["priv"]], g.ints[kw["unpriv"]], 1)
			}
		default:
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", p[1], err)
		}
		r, _ := strconv.Atoi(out[1])
		if !close12(v.Value, goldenNum(t, out[0])) || v.Reason != Reason(r) {
			t.Errorf("%s: %+v, want %s %s", p[1], v, out[0], out[1])
		}
		seen++
	}
	if seen < 46 {
		t.Fatalf("only %d parity and AIF360 cases", seen)
	}
}

func TestFairnessBadInput(t *testing.T) {
	if _, err := MetricFrameOf(MetricAccuracy, EvalData{LabelsTrue: []int32{0, 1}, LabelsPred: []int32{0}}, []int32{1, 2}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
	_, err := MetricFrameOf(MetricAccuracy, EvalData{}, nil, nil)
	if !isCode(err, CodeInvalid) {
		t.Errorf("empty arrays: %v", err)
	}
	if _, err := EqualizedOddsDifference([]int32{0, 1, 2}, []int32{0, 1, 1}, []int32{1, 1, 2}, nil, BetweenGroups, WorstCase); !isCode(err, CodeInvalid) {
		t.Errorf("three labels: %v", err)
	}
	if _, err := DisparateImpact([]int32{0, 1}, []int32{1, 2}, nil, nil, nil, 1); !isCode(err, CodeInvalid) {
		t.Errorf("no privileged group: %v", err)
	}
	v, err := EqualOpportunityDifference([]int32{0, 0, 1, 1}, []int32{0, 1, 1, 0}, []int32{1, 1, 2, 2}, nil, BetweenGroups)
	if err != nil || !math.IsNaN(v.Value) || v.Reason != ReasonNoPositives {
		t.Errorf("a group without positives: %+v %v", v, err)
	}
}

func isCode(err error, c Code) bool {
	e, ok := err.(*Error)
	return ok && e.Code == c
}
