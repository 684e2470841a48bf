package mlops

/*
#include <mlops.h>
*/
import "C"

import "strconv"

// EvalData holds the arrays of one evaluation for EvalBootstrap; the
// metric's family says which are read. Regression: ValuesTrue, ValuesPred.
// Labels: LabelsTrue, LabelsPred. Scores: LabelsTrue and Scores (a
// row-major n x K matrix; K 0 means 1). Weights: nil or one per sample.
type EvalData struct {
	ValuesTrue, ValuesPred []float64
	LabelsTrue, LabelsPred []int32
	Scores                 []float64
	K                      int
	Weights                []float64
}

// samples is the number of samples of d (of its y_true), after checking
// that every array given has that many.
func (d *EvalData) samples() (int, error) {
	n := len(d.LabelsTrue)
	if d.ValuesTrue != nil {
		n = len(d.ValuesTrue)
	}
	k := d.K
	if k == 0 {
		k = 1
	}
	bad := func(what string, got, want int) error {
		return invalid("EvalBootstrap: " + what + " has " + strconv.Itoa(got) + " values, not " + strconv.Itoa(want))
	}
	for _, a := range []struct {
		what string
		got  int
		set  bool
		want int
	}{
		{"ValuesTrue", len(d.ValuesTrue), d.ValuesTrue != nil, n},
		{"ValuesPred", len(d.ValuesPred), d.ValuesPred != nil, n},
		{"LabelsTrue", len(d.LabelsTrue), d.LabelsTrue != nil, n},
		{"LabelsPred", len(d.LabelsPred), d.LabelsPred != nil, n},
		{"Scores", len(d.Scores), d.Scores != nil, n * k},
		{"Weights", len(d.Weights), d.Weights != nil, n},
	} {
		if a.set && a.got != a.want {
			return 0, bad(a.what, a.got, a.want)
		}
	}
	return n, nil
}

// BootstrapOptions are the options of EvalBootstrap.
type BootstrapOptions struct {
	Resamples  uint32  // resamples drawn (1000)
	Confidence float64 // in (0, 1) (0.95)
	Seed       uint64  // the splitmix64 seed (0)
}

// DefaultBootstrapOptions returns the library's defaults.
func DefaultBootstrapOptions() BootstrapOptions {
	var b C.mlops_bootstrap_opts
	C.mlops_bootstrap_opts_init(&b, C.MLOPS_BOOTSTRAP_OPTS_VERSION)
	return BootstrapOptions{Resamples: uint32(b.resamples), Confidence: float64(b.confidence), Seed: uint64(b.seed)}
}

// BootstrapResult is the metric on the data and its percentile interval.
type BootstrapResult struct {
	Value     float64 // the metric on the data itself
	Reason    Reason  // its reason
	Low, High float64 // NaN when no resample gave a value
	Resamples uint32  // resamples drawn
	Defined   uint32  // resamples whose value was not NaN
}

// cdata is d as the C API's mlops_eval_data of n samples, its slices
// pinned (or copied) through cp for the call (EvalBootstrap, MetricFrameOf).
func (d *EvalData) cdata(n int, cp *columnPointers) C.mlops_eval_data {
	var cd C.mlops_eval_data
	C.mlops_eval_data_init(&cd, C.MLOPS_EVAL_DATA_VERSION)
	cd.n = C.size_t(n)
	cd.values_true = cp.ptr(d.ValuesTrue)
	cd.values_pred = cp.ptr(d.ValuesPred)
	cd.labels_true = cp.iptr(d.LabelsTrue)
	cd.labels_pred = cp.iptr(d.LabelsPred)
	cd.scores = cp.ptr(d.Scores)
	if d.K > 0 {
		cd.k = C.size_t(d.K)
	}
	cd.weights = cp.ptr(d.Weights)
	return cd
}

// EvalBootstrap is a seeded percentile bootstrap confidence interval for
// any metric: the same seed gives the same interval on every machine
// (doc/eval.md). A nil b means the defaults. The arrays are read in place
// (pinned for the call; copied once before Go 1.21, whose cgo cannot pin).
func EvalBootstrap(m EvalMetric, d EvalData, o *EvalOptions, b *BootstrapOptions) (BootstrapResult, error) {
	n, err := d.samples()
	if err != nil {
		return BootstrapResult{}, err
	}
	var cp columnPointers
	defer cp.release()
	opts := copts(o, &cp)
	var cb C.mlops_bootstrap_opts
	C.mlops_bootstrap_opts_init(&cb, C.MLOPS_BOOTSTRAP_OPTS_VERSION)
	if b != nil {
		cb.resamples = C.uint32_t(b.Resamples)
		cb.confidence = C.double(b.Confidence)
		cb.seed = C.uint64_t(b.Seed)
	}
	cd := d.cdata(n, &cp)
	var r C.mlops_bootstrap_result
	err = call(func() C.int {
		if rc := C.mlops_bootstrap_result_init(&r, C.MLOPS_BOOTSTRAP_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_eval_bootstrap(C.int(m), &cd, &opts, &cb, &r)
	})
	return BootstrapResult{
		Value: float64(r.value), Reason: Reason(r.reason), Low: float64(r.low), High: float64(r.high),
		Resamples: uint32(r.resamples), Defined: uint32(r.defined),
	}, err
}
