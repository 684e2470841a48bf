package mlops_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// The fairlearn and AIF360 golden vectors the C suite uses
// (tests/eval/golden_fairness.txt, written by
// tests/eval/gen_golden_fairness.py).
func loadFairGolden(t *testing.T) *evalGolden {
	t.Helper()
	return loadEvalGolden(t, "../../../tests/eval/golden_fairness.txt")
}

var goldenMetricIDs = map[string]mlops.EvalMetric{
	"mae": mlops.MetricMAE, "mse": mlops.MetricMSE, "rmse": mlops.MetricRMSE, "mape": mlops.MetricMAPE, "r2": mlops.MetricR2,
	"ev": mlops.MetricExplainedVariance, "medae": mlops.MetricMedianAE, "maxerr": mlops.MetricMaxError, "pinball": mlops.MetricPinball,
	"accuracy": mlops.MetricAccuracy, "balanced": mlops.MetricBalancedAccuracy, "precision": mlops.MetricPrecision,
	"recall": mlops.MetricRecall, "fbeta": mlops.MetricFBeta, "selection_rate": mlops.MetricSelectionRate,
	"tpr": mlops.MetricTruePositiveRate, "fpr": mlops.MetricFalsePositiveRate, "roc_auc": mlops.MetricROCAUC,
	"ap": mlops.MetricAveragePrecision, "log_loss": mlops.MetricLogLoss, "brier": mlops.MetricBrier,
}

func TestFairnessGoldenFrames(t *testing.T) {
	g := loadFairGolden(t)
	seen := 0
	for _, p := range g.kinds(t, "frame") {
		id, family, metric := p[1], p[2], p[3]
		kw, out := split(p[4:])
		var d mlops.EvalData
		if family == "reg" {
			d.ValuesTrue, d.ValuesPred = g.floats[kw["yt"]], g.floats[kw["yp"]]
		} else {
			d.LabelsTrue, d.LabelsPred, d.Scores = g.ints[kw["yt"]], g.ints[kw["yp"]], g.floats[kw["s"]]
			d.K, _ = strconv.Atoi(kw["k"])
		}
		d.Weights = g.floats[kw["w"]]
		o := mlops.DefaultEvalOptions()
		if pos, ok := kw["pos"]; ok {
			p, _ := strconv.Atoi(pos)
			o.PosLabel = int32(p)
		}
		o.Average = map[string]mlops.Average{"": mlops.AverageBinary, "binary": mlops.AverageBinary, "macro": mlops.AverageMacro, "weighted": mlops.AverageWeighted}[kw["avg"]]
		f, err := mlops.MetricFrameOf(goldenMetricIDs[metric], d, g.ints[kw["g"]], &o)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if !close12(f.Overall.Value, gnum(t, out[0])) {
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
			if gr.Group != int32(code) || !close12(gr.Value, gnum(t, c[1])) || gr.Reason != mlops.Reason(reason) || gr.Count != count {
				t.Errorf("%s group %d: %+v, want %v", id, j, gr, c)
			}
		}
		aggs := out[3+7*k:]
		got := []mlops.EvalResult{f.Difference(mlops.BetweenGroups), f.Difference(mlops.ToOverall), f.Ratio(mlops.BetweenGroups), f.Ratio(mlops.ToOverall)}
		for a, v := range got {
			r, _ := strconv.Atoi(aggs[2*a+1])
			if !close12(v.Value, gnum(t, aggs[2*a])) || v.Reason != mlops.Reason(r) {
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
		var v mlops.EvalResult
		var err error
		var out []string
		switch p[0] {
		case "parity":
			kw, o := split(p[4:])
			out = o
			m := map[string]mlops.FairnessMethod{"between_groups": mlops.BetweenGroups, "to_overall": mlops.ToOverall}[kw["method"]]
			agg := map[string]mlops.OddsAgg{"": mlops.WorstCase, "worst_case": mlops.WorstCase, "mean": mlops.MeanOfTwo}[kw["agg"]]
			yt, yp, gr, w := g.ints[kw["yt"]], g.ints[kw["yp"]], g.ints[kw["g"]], g.floats[kw["w"]]
			switch p[2] + p[3] {
			case "diffdp":
				v, err = mlops.DemographicParityDifference(yt, yp, gr, w, m)
			case "ratiodp":
				v, err = mlops.DemographicParityRatio(yt, yp, gr, w, m)
			case "diffeo":
				v, err = mlops.EqualizedOddsDifference(yt, yp, gr, w, m, agg)
			case "ratioeo":
				v, err = mlops.EqualizedOddsRatio(yt, yp, gr, w, m, agg)
			case "diffeop":
				v, err = mlops.EqualOpportunityDifference(yt, yp, gr, w, m)
			default:
				v, err = mlops.EqualOpportunityRatio(yt, yp, gr, w, m)
			}
		case "aif":
			kw, o := split(p[3:])
			out = o
			yp, gr, w := g.ints[kw["yp"]], g.ints[kw["g"]], g.floats[kw["w"]]
			if p[2] == "di" {
				v, err = mlops.DisparateImpact(yp, gr, w, g.ints[kw["priv"]], g.ints[kw["unpriv"]], 1)
			} else {
				v, err = mlops.StatisticalParityDifference(yp, gr, w, g.ints[kw["priv"]], g.ints[kw["unpriv"]], 1)
			}
		default:
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", p[1], err)
		}
		r, _ := strconv.Atoi(out[1])
		if !close12(v.Value, gnum(t, out[0])) || v.Reason != mlops.Reason(r) {
			t.Errorf("%s: %+v, want %s %s", p[1], v, out[0], out[1])
		}
		seen++
	}
	if seen < 46 {
		t.Fatalf("only %d parity and AIF360 cases", seen)
	}
}

func TestFairnessBadInput(t *testing.T) {
	if _, err := mlops.MetricFrameOf(mlops.MetricAccuracy, mlops.EvalData{LabelsTrue: []int32{0, 1}, LabelsPred: []int32{0}}, []int32{1, 2}, nil); err == nil {
		t.Error("mismatched lengths accepted")
	}
	_, err := mlops.MetricFrameOf(mlops.MetricAccuracy, mlops.EvalData{}, nil, nil)
	if !isCode(err, mlops.CodeInvalid) {
		t.Errorf("empty arrays: %v", err)
	}
	if _, err := mlops.EqualizedOddsDifference([]int32{0, 1, 2}, []int32{0, 1, 1}, []int32{1, 1, 2}, nil, mlops.BetweenGroups, mlops.WorstCase); !isCode(err, mlops.CodeInvalid) {
		t.Errorf("three labels: %v", err)
	}
	if _, err := mlops.DisparateImpact([]int32{0, 1}, []int32{1, 2}, nil, nil, nil, 1); !isCode(err, mlops.CodeInvalid) {
		t.Errorf("no privileged group: %v", err)
	}
	v, err := mlops.EqualOpportunityDifference([]int32{0, 0, 1, 1}, []int32{0, 1, 1, 0}, []int32{1, 1, 2, 2}, nil, mlops.BetweenGroups)
	if err != nil || !math.IsNaN(v.Value) || v.Reason != mlops.ReasonNoPositives {
		t.Errorf("a group without positives: %+v %v", v, err)
	}
}

func isCode(err error, c mlops.Code) bool {
	e, ok := err.(*mlops.Error)
	return ok && e.Code == c
}
