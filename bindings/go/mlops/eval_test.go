package mlops_test

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

var evalMetrics = map[string]mlops.EvalMetric{
	"reg mae": mlops.MetricMAE, "reg mse": mlops.MetricMSE, "reg rmse": mlops.MetricRMSE,
	"reg mape": mlops.MetricMAPE, "reg r2": mlops.MetricR2, "reg ev": mlops.MetricExplainedVariance,
	"reg medae": mlops.MetricMedianAE, "reg maxerr": mlops.MetricMaxError, "reg pinball": mlops.MetricPinball,
	"lab accuracy": mlops.MetricAccuracy, "lab balanced": mlops.MetricBalancedAccuracy,
	"lab precision": mlops.MetricPrecision, "lab recall": mlops.MetricRecall, "lab fbeta": mlops.MetricFBeta,
	"sco roc_auc": mlops.MetricROCAUC, "sco ap": mlops.MetricAveragePrecision,
	"sco log_loss": mlops.MetricLogLoss, "sco brier": mlops.MetricBrier,
}

// options builds the options of a golden line (absent keys: the defaults).
func (g *evalGolden) options(t *testing.T, kv map[string]string) *mlops.EvalOptions {
	o := mlops.DefaultEvalOptions()
	num := func(k string, dst *float64) {
		if v, ok := kv[k]; ok {
			*dst = gnum(t, v)
		}
	}
	num("beta", &o.Beta)
	num("alpha", &o.Alpha)
	num("max_fpr", &o.MaxFPR)
	switch kv["zd"] {
	case "1":
		o.ZeroDivision = 1
	case "nan":
		o.ZeroDivision = math.NaN()
	}
	o.Average = map[string]mlops.Average{"": mlops.AverageBinary, "binary": mlops.AverageBinary,
		"micro": mlops.AverageMicro, "macro": mlops.AverageMacro, "weighted": mlops.AverageWeighted}[kv["avg"]]
	if kv["mc"] == "ovo" {
		o.MultiClass = mlops.MultiClassOVO
	}
	o.Normalize = map[string]mlops.Normalize{"": mlops.NormalizeNone, "none": mlops.NormalizeNone,
		"true": mlops.NormalizeTrue, "pred": mlops.NormalizePred, "all": mlops.NormalizeAll}[kv["norm"]]
	if v, ok := kv["pos"]; ok {
		x, _ := strconv.Atoi(v)
		o.PosLabel = int32(x)
	}
	if kv["ff"] == "0" {
		o.ForceFinite = false
	}
	o.Adjusted = kv["adj"] == "1"
	if v, ok := kv["labels"]; ok {
		o.Labels = g.ints[v]
	}
	return &o
}

// data gathers the arrays a golden line names.
func (g *evalGolden) data(family string, kv map[string]string) mlops.EvalData {
	d := mlops.EvalData{Weights: g.floats[kv["w"]]}
	switch family {
	case "reg":
		d.ValuesTrue, d.ValuesPred = g.floats[kv["yt"]], g.floats[kv["yp"]]
	case "lab":
		d.LabelsTrue, d.LabelsPred = g.ints[kv["yt"]], g.ints[kv["yp"]]
	default:
		d.LabelsTrue, d.Scores, d.K = g.ints[kv["yt"]], g.floats[kv["s"]], 1
		if v, ok := kv["k"]; ok {
			d.K, _ = strconv.Atoi(v)
		}
	}
	return d
}

func TestEvalGoldenCases(t *testing.T) {
	g := loadEvalGolden(t, "../../../tests/eval/golden.txt")
	cases := g.kinds(t, "case")
	for _, p := range cases {
		m, ok := evalMetrics[p[2]+" "+p[3]]
		if !ok {
			t.Fatalf("case %s: unknown metric %s %s", p[1], p[2], p[3])
		}
		kv, rest := split(p[4:])
		o, d := g.options(t, kv), g.data(p[2], kv)
		want, wantReason := gnum(t, rest[0]), mlops.Reason(atoi(t, rest[1]))
		var r mlops.EvalResult
		var err error
		switch p[2] {
		case "reg":
			r, err = mlops.EvalRegression(m, d.ValuesTrue, d.ValuesPred, d.Weights, o)
		case "lab":
			r, err = mlops.EvalLabels(m, d.LabelsTrue, d.LabelsPred, d.Weights, o)
		default:
			r, err = mlops.EvalScores(m, d.LabelsTrue, d.Scores, d.K, d.Weights, o)
		}
		if err != nil {
			t.Fatalf("case %s: %v", p[1], err)
		}
		if !close12(r.Value, want) || r.Reason != wantReason || r.Defined() != (wantReason == mlops.ReasonDefined) {
			t.Errorf("case %s: got %v (%v), want %v (%v)", p[1], r.Value, r.Reason, want, wantReason)
		}
	}
	t.Logf("%d cases", len(cases))
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	must(t, err)
	return v
}

func TestEvalGoldenPerClass(t *testing.T) {
	g := loadEvalGolden(t, "../../../tests/eval/golden.txt")
	for _, p := range g.kinds(t, "perclass") {
		kv, rest := split(p[2:])
		cls, err := mlops.EvalPerClass(g.ints[kv["yt"]], g.ints[kv["yp"]], g.floats[kv["w"]], g.options(t, kv))
		must(t, err)
		if len(cls) != atoi(t, rest[0]) {
			t.Fatalf("perclass %s: %d classes, want %s", p[1], len(cls), rest[0])
		}
		for i, c := range cls {
			cell := rest[1+8*i : 9+8*i]
			got := []float64{c.Precision, c.Recall, c.FBeta, c.Support}
			for j, w := range cell[1:5] {
				if !close12(got[j], gnum(t, w)) {
					t.Errorf("perclass %s class %d field %d: %v, want %s", p[1], c.Label, j, got[j], w)
				}
			}
			reasons := []mlops.Reason{c.PrecisionReason, c.RecallReason, c.FReason}
			for j, w := range cell[5:8] {
				if reasons[j] != mlops.Reason(atoi(t, w)) {
					t.Errorf("perclass %s class %d reason %d: %v, want %s", p[1], c.Label, j, reasons[j], w)
				}
			}
			if c.Label != int32(atoi(t, cell[0])) {
				t.Errorf("perclass %s: label %d, want %s", p[1], c.Label, cell[0])
			}
		}
	}
}

func TestEvalGoldenConfusion(t *testing.T) {
	g := loadEvalGolden(t, "../../../tests/eval/golden.txt")
	for _, p := range g.kinds(t, "confusion") {
		kv, rest := split(p[2:])
		c, err := mlops.EvalConfusion(g.ints[kv["yt"]], g.ints[kv["yp"]], g.floats[kv["w"]], g.options(t, kv))
		must(t, err)
		k := atoi(t, rest[0])
		if len(c.Labels) != k || len(c.Matrix) != k*k || len(rest) != 1+k+k*k {
			t.Fatalf("confusion %s: %d labels, want %d", p[1], len(c.Labels), k)
		}
		for i := 0; i < k; i++ {
			if c.Labels[i] != int32(atoi(t, rest[1+i])) {
				t.Errorf("confusion %s: label %d is %d", p[1], i, c.Labels[i])
			}
			for j := 0; j < k; j++ {
				if w := gnum(t, rest[1+k+i*k+j]); !close12(c.At(i, j), w) {
					t.Errorf("confusion %s [%d,%d]: %v, want %v", p[1], i, j, c.At(i, j), w)
				}
			}
		}
	}
}

func TestEvalGoldenBootstrap(t *testing.T) {
	g := loadEvalGolden(t, "../../../tests/eval/golden.txt")
	for _, p := range g.kinds(t, "bootstrap") {
		m := evalMetrics[p[2]+" "+p[3]]
		kv, rest := split(p[4:])
		seed, err := strconv.ParseUint(kv["seed"], 10, 64)
		must(t, err)
		b := mlops.BootstrapOptions{Resamples: uint32(atoi(t, kv["resamples"])), Confidence: gnum(t, kv["confidence"]), Seed: seed}
		r, err := mlops.EvalBootstrap(m, g.data(p[2], kv), g.options(t, kv), &b)
		must(t, err)
		if !close12(r.Value, gnum(t, rest[0])) || !close12(r.Low, gnum(t, rest[1])) || !close12(r.High, gnum(t, rest[2])) ||
			r.Defined != uint32(atoi(t, rest[3])) || r.Resamples != b.Resamples {
			t.Errorf("bootstrap %s: %+v, want %v", p[1], r, rest)
		}
	}
}

// A NaN comes with its reason, readable as text; errors carry the
// library's message and match ErrInvalid.
func TestEvalReasonsAndErrors(t *testing.T) {
	r, err := mlops.EvalScores(mlops.MetricROCAUC, []int32{1, 1, 1}, []float64{0.2, 0.5, 0.9}, 1, nil, nil)
	must(t, err)
	if !math.IsNaN(r.Value) || r.Reason != mlops.ReasonOneClass || r.Defined() || r.Reason.String() == "" ||
		r.Reason.String() == mlops.Reason(999).String() {
		t.Fatalf("one class: %+v %q", r, r.Reason)
	}
	_, err = mlops.EvalScores(mlops.MetricROCAUC, []int32{0, 1}, []float64{0.2, math.NaN()}, 1, nil, nil)
	var e *mlops.Error
	if !errors.As(err, &e) || !errors.Is(err, mlops.ErrInvalid) || !strings.Contains(e.Message, "mlops_eval_scores") {
		t.Fatalf("NaN score: %v", err)
	}
	for _, f := range []func() error{
		func() error {
			_, err := mlops.EvalLabels(mlops.MetricAccuracy, []int32{0, 1}, []int32{0}, nil, nil)
			return err
		},
		func() error {
			_, err := mlops.EvalRegression(mlops.MetricMAE, []float64{1, 2}, []float64{1, 2}, []float64{1}, nil)
			return err
		},
		func() error {
			_, err := mlops.EvalScores(mlops.MetricBrier, []int32{0, 1}, []float64{0.5}, 1, nil, nil)
			return err
		},
		func() error { _, err := mlops.EvalLabels(mlops.MetricAccuracy, nil, nil, nil, nil); return err },
		func() error {
			_, err := mlops.EvalBootstrap(mlops.MetricMAE, mlops.EvalData{ValuesTrue: []float64{1}, ValuesPred: []float64{1, 2}}, nil, nil)
			return err
		},
	} {
		if err := f(); !errors.Is(err, mlops.ErrInvalid) {
			t.Errorf("want ErrInvalid, got %v", err)
		}
	}
	// Labels in the options (a Go pointer inside the C options) reach C.
	o := mlops.DefaultEvalOptions()
	o.Labels, o.Average = []int32{2, 0}, mlops.AverageMacro
	cls, err := mlops.EvalPerClass([]int32{0, 1, 2}, []int32{0, 1, 1}, nil, &o)
	must(t, err)
	if len(cls) != 2 || cls[0].Label != 2 || cls[1].Label != 0 || cls[0].RecallReason != mlops.ReasonDefined ||
		cls[0].PrecisionReason != mlops.ReasonZeroDivision {
		t.Fatalf("labels option: %+v", cls)
	}
}
