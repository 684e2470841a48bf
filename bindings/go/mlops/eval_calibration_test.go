package mlops_test

import (
	"errors"
	"math"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// calibArgs builds the call a calibration golden line describes.
func calibArgs(t *testing.T, g *evalGolden, kv map[string]string, binning mlops.Binning) ([]int32, []float64, int, *mlops.CalibrationOptions) {
	o := mlops.DefaultCalibrationOptions()
	o.Bins = atoi(t, kv["bins"])
	o.Binning = binning
	if v, ok := kv["pos"]; ok {
		o.PosLabel = int32(atoi(t, v))
	}
	if v, ok := kv["labels"]; ok {
		o.Labels = g.ints[v]
	}
	k := 1
	if v, ok := kv["k"]; ok {
		k = atoi(t, v)
	}
	return g.ints[kv["yt"]], g.floats[kv["s"]], k, &o
}

// Against torchmetrics (tests/eval/calibration_golden.txt).
func TestEvalCalibrationGoldenTorchmetrics(t *testing.T) {
	g := loadEvalGolden(t, "../../../tests/eval/calibration_golden.txt")
	for _, p := range g.kinds(t, "calib") {
		kv, rest := split(p[2:])
		yt, s, k, o := calibArgs(t, g, kv, mlops.BinningTorchmetrics)
		c, err := mlops.EvalCalibration(yt, s, k, nil, o)
		must(t, err)
		want := []float64{gnum(t, rest[0]), gnum(t, rest[1]), gnum(t, rest[2])}
		if !close12(c.ECE, want[0]) || !close12(c.MCE, want[1]) || !close12(c.RMSCE, want[2]) || c.Reason != mlops.ReasonDefined {
			t.Errorf("calib %s: %+v, want %v", p[1], c, want)
		}
		if len(c.Bins) != atoi(t, rest[3]) {
			t.Fatalf("calib %s: %d bins, want %s", p[1], len(c.Bins), rest[3])
		}
		for j, b := range c.Bins {
			cell := rest[4+4*j : 8+4*j]
			if b.Count != uint64(atoi(t, cell[0])) || !close12(b.Weight/float64(len(yt)), gnum(t, cell[1])) {
				t.Errorf("calib %s bin %d: %+v, want %v", p[1], j, b, cell)
			}
			if b.Count > 0 && (!close12(b.Confidence, gnum(t, cell[2])) || !close12(b.Accuracy, gnum(t, cell[3]))) {
				t.Errorf("calib %s bin %d: %+v, want %v", p[1], j, b, cell)
			}
			if b.Count == 0 && (!math.IsNaN(b.Confidence) || !math.IsNaN(b.Accuracy)) {
				t.Errorf("calib %s bin %d: empty bin %+v not NaN", p[1], j, b)
			}
		}
		if o.Bins == 15 {
			eo := mlops.DefaultEvalOptions()
			eo.PosLabel, eo.Labels = o.PosLabel, o.Labels
			for i, m := range []mlops.EvalMetric{mlops.MetricECE, mlops.MetricMCE, mlops.MetricRMSCE} {
				r, err := mlops.EvalScores(m, yt, s, k, nil, &eo)
				must(t, err)
				if !close12(r.Value, want[i]) {
					t.Errorf("calib %s metric %d: %v, want %v", p[1], m, r.Value, want[i])
				}
			}
		}
	}
}

// Against scikit-learn's calibration_curve: the non-empty bins in order.
func TestEvalCalibrationGoldenSklearn(t *testing.T) {
	g := loadEvalGolden(t, "../../../tests/eval/calibration_golden.txt")
	for _, p := range g.kinds(t, "curve") {
		kv, rest := split(p[2:])
		yt, s, k, o := calibArgs(t, g, kv, mlops.BinningSklearn)
		c, err := mlops.EvalCalibration(yt, s, k, nil, o)
		must(t, err)
		m := atoi(t, rest[0])
		var got []float64
		var pred []float64
		for _, b := range c.Bins {
			if b.Count > 0 {
				got, pred = append(got, b.Accuracy), append(pred, b.Confidence)
			}
		}
		if len(got) != m || len(c.Bins) != o.Bins {
			t.Fatalf("curve %s: %d non-empty of %d bins, want %d", p[1], len(got), len(c.Bins), m)
		}
		for i := 0; i < m; i++ {
			if !close12(got[i], gnum(t, rest[1+i])) || !close12(pred[i], gnum(t, rest[1+m+i])) {
				t.Errorf("curve %s bin %d: %v %v", p[1], i, got[i], pred[i])
			}
		}
	}
}

func TestEvalCalibrationErrors(t *testing.T) {
	y, s := []int32{0, 1, 1}, []float64{0.2, 0.7, 0.9}
	for name, f := range map[string]func() error{
		"probability above 1": func() error { _, err := mlops.EvalCalibration(y, []float64{0.2, 1.5, 0.9}, 1, nil, nil); return err },
		"short scores":        func() error { _, err := mlops.EvalCalibration(y, s[:2], 1, nil, nil); return err },
		"zero bins": func() error {
			o := mlops.DefaultCalibrationOptions()
			o.Bins = 0
			_, err := mlops.EvalCalibration(y, s, 1, nil, &o)
			return err
		},
		"labels not matching the columns": func() error {
			o := mlops.DefaultCalibrationOptions()
			o.Labels = []int32{0, 1, 2}
			_, err := mlops.EvalCalibration(y, []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, 2, nil, &o)
			return err
		},
	} {
		if err := f(); !errors.Is(err, mlops.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}
	c, err := mlops.EvalCalibration(y, s, 1, []float64{0, 0, 0}, nil)
	must(t, err)
	if c.Reason != mlops.ReasonNoWeight || !math.IsNaN(c.ECE) || c.Reason.String() != "total sample weight is 0" {
		t.Fatalf("zero weights: %+v (%s)", c, c.Reason)
	}
	b, err := mlops.EvalBootstrap(mlops.MetricECE, mlops.EvalData{LabelsTrue: y, Scores: s}, nil,
		&mlops.BootstrapOptions{Resamples: 20, Confidence: 0.9, Seed: 1})
	must(t, err)
	if b.Defined != 20 || b.Resamples != 20 {
		t.Fatalf("bootstrap: %+v", b)
	}
}
