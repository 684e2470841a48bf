package mlops

/*
#include <mlops.h>

// The C structs of fairness.h hold array pointers; cgo forbids Go memory
// that holds Go pointers, so these helpers take each array as an argument
// (read in place for the call) and build the structs on the C stack.
static int go_fairness_frame(int metric, const double *vt, const double *vp, const int *lt,
                             const int *lp, const double *sc, size_t k, const double *w, size_t n,
                             const int *groups, const mlops_eval_opts *o,
                             mlops_fairness_frame **out)
{
    mlops_eval_data d = MLOPS_EVAL_DATA_INIT;
    d.n = n;
    d.values_true = vt;
    d.values_pred = vp;
    d.labels_true = lt;
    d.labels_pred = lp;
    d.scores = sc;
    d.k = k;
    d.weights = w;
    return mlops_fairness_frame_build(metric, &d, groups, o, out);
}

static int go_fairness_aif360(int ratio, const int *yp, const int *groups, size_t n,
                              const double *w, const int *priv, size_t npriv, const int *unpriv,
                              size_t nunpriv, int favorable, mlops_eval_result *out)
{
    mlops_fairness_opts o = MLOPS_FAIRNESS_OPTS_INIT;
    o.pos_label = favorable;
    o.privileged = priv;
    o.n_privileged = npriv;
    o.unprivileged = unpriv;
    o.n_unprivileged = nunpriv;
    return ratio ? mlops_fairness_disparate_impact(yp, groups, n, w, &o, out)
                 : mlops_fairness_statistical_parity_difference(yp, groups, n, w, &o, out);
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// i32 points at the first element of x for one C call, or is NULL when x is
// empty.
func i32(x []int32) *C.int {
	if len(x) == 0 {
		return nil
	}
	return (*C.int)(unsafe.Pointer(&x[0]))
}

// FairnessMethod is how groups are compared (fairlearn's method=).
type FairnessMethod int

const (
	BetweenGroups FairnessMethod = C.MLOPS_FAIRNESS_BETWEEN_GROUPS // max - min; min / max
	ToOverall     FairnessMethod = C.MLOPS_FAIRNESS_TO_OVERALL     // max |g - overall|; min of min(g/o, o/g)
)

// OddsAgg is how equalized odds combines its two rates (fairlearn's agg=).
type OddsAgg int

const (
	WorstCase OddsAgg = C.MLOPS_FAIRNESS_WORST_CASE // larger difference, smaller ratio
	MeanOfTwo OddsAgg = C.MLOPS_FAIRNESS_MEAN       // mean of the two
)

// The base rates of fairlearn, metric ids for MetricFrameOf beside the
// MLOPS_METRIC_* ids of eval.h.
const (
	FairnessSelectionRate     = int(C.MLOPS_METRIC_SELECTION_RATE)
	FairnessTruePositiveRate  = int(C.MLOPS_METRIC_TRUE_POSITIVE_RATE)
	FairnessFalsePositiveRate = int(C.MLOPS_METRIC_FALSE_POSITIVE_RATE)
)

// FairnessValue is a value with the library's reason (0: defined; else
// why it is NaN, as mlops_eval_reason_name says).
type FairnessValue struct {
	Value  float64
	Reason int
}

// FrameData holds the arrays of one evaluation, read in place: the
// metric's family says which (regression: ValuesTrue, ValuesPred; labels:
// LabelsTrue, LabelsPred; scores: LabelsTrue, Scores with K columns).
// Weights is nil or one per sample.
type FrameData struct {
	ValuesTrue, ValuesPred []float64
	LabelsTrue, LabelsPred []int32
	Scores                 []float64
	K                      int
	Weights                []float64
}

// FrameOptions are the metric's options (eval.h's mlops_eval_opts without
// explicit labels). Start from DefaultFrameOptions.
type FrameOptions struct {
	Average, PosLabel, MultiClass, Adjusted int
	Beta, ZeroDivision, MaxFPR, Alpha       float64
	ForceFinite                             bool
}

// DefaultFrameOptions are scikit-learn's defaults (the C library's).
func DefaultFrameOptions() FrameOptions {
	var o C.mlops_eval_opts
	C.mlops_eval_opts_init(&o, C.MLOPS_EVAL_OPTS_VERSION)
	return FrameOptions{Average: int(o.average), PosLabel: int(o.pos_label), MultiClass: int(o.multi_class),
		Adjusted: int(o.adjusted), Beta: float64(o.beta), ZeroDivision: float64(o.zero_division),
		MaxFPR: float64(o.max_fpr), Alpha: float64(o.alpha), ForceFinite: o.force_finite != 0}
}

// FairnessGroup is one group of a frame (or its overall row).
type FairnessGroup struct {
	Group     int32 // the group code
	Value     float64
	Reason    int
	Count     uint64  // samples
	Weight    float64 // their weight sum
	Positives float64 // weight of y_true == PosLabel (label and score metrics)
	Negatives float64
}

// MetricFrame is fairlearn's MetricFrame for one metric: Overall, the
// groups in increasing code order, and the differences and ratios.
type MetricFrame struct {
	Overall FairnessGroup
	Groups  []FairnessGroup
	aggs    [2][2]FairnessValue // [difference, ratio][method]
}

// Difference is fairlearn's MetricFrame.difference(method): NaN with the
// group's reason when a group is undefined.
func (f *MetricFrame) Difference(m FairnessMethod) FairnessValue { return f.aggs[0][m&1] }

// Ratio is fairlearn's MetricFrame.ratio(method).
func (f *MetricFrame) Ratio(m FairnessMethod) FairnessValue { return f.aggs[1][m&1] }

// ByGroup maps each group code to its value.
func (f *MetricFrame) ByGroup() map[int32]float64 {
	m := make(map[int32]float64, len(f.Groups))
	for _, g := range f.Groups {
		m[g.Group] = g.Value
	}
	return m
}

func fairnessGroup(g *C.mlops_fairness_group) FairnessGroup {
	return FairnessGroup{Group: int32(g.group), Value: float64(g.value), Reason: int(g.reason),
		Count: uint64(g.count), Weight: float64(g.weight), Positives: float64(g.positives),
		Negatives: float64(g.negatives)}
}

// MetricFrameOf computes metric (an MLOPS_METRIC_* id of eval.h, or one of
// the Fairness* rates) on data overall and by the group codes in groups
// (one per sample). opts nil means the defaults.
func MetricFrameOf(metric int, data FrameData, groups []int32, opts *FrameOptions) (*MetricFrame, error) {
	n := len(groups)
	for name, l := range map[string]int{"ValuesTrue": len(data.ValuesTrue), "ValuesPred": len(data.ValuesPred),
		"LabelsTrue": len(data.LabelsTrue), "LabelsPred": len(data.LabelsPred), "Weights": len(data.Weights)} {
		if l != 0 && l != n {
			return nil, fmt.Errorf("mlops: MetricFrameOf: %s has %d values for %d groups", name, l, n)
		}
	}
	k := data.K
	if k == 0 {
		k = 1
	}
	if len(data.Scores) != 0 && len(data.Scores) != n*k {
		return nil, fmt.Errorf("mlops: MetricFrameOf: %d scores for %d samples x %d columns", len(data.Scores), n, k)
	}
	var o C.mlops_eval_opts
	var po *C.mlops_eval_opts
	if opts != nil {
		C.mlops_eval_opts_init(&o, C.MLOPS_EVAL_OPTS_VERSION)
		o.average, o.pos_label, o.multi_class, o.adjusted = C.int(opts.Average), C.int(opts.PosLabel),
			C.int(opts.MultiClass), C.int(opts.Adjusted)
		o.beta, o.zero_division, o.max_fpr, o.alpha = C.double(opts.Beta), C.double(opts.ZeroDivision),
			C.double(opts.MaxFPR), C.double(opts.Alpha)
		o.force_finite = 0
		if opts.ForceFinite {
			o.force_finite = 1
		}
		po = &o
	}
	var cf *C.mlops_fairness_frame
	f := &MetricFrame{}
	err := call(func() C.int {
		rc := C.go_fairness_frame(C.int(metric), f64(data.ValuesTrue), f64(data.ValuesPred), i32(data.LabelsTrue),
			i32(data.LabelsPred), f64(data.Scores), C.size_t(k), f64(data.Weights), C.size_t(n), i32(groups), po, &cf)
		if rc != C.MLOPS_OK {
			return rc
		}
		for kind, fn := range []func(*C.mlops_fairness_frame, C.int, *C.mlops_eval_result) C.int{
			func(f *C.mlops_fairness_frame, m C.int, r *C.mlops_eval_result) C.int {
				return C.mlops_fairness_frame_difference(f, m, r)
			},
			func(f *C.mlops_fairness_frame, m C.int, r *C.mlops_eval_result) C.int {
				return C.mlops_fairness_frame_ratio(f, m, r)
			},
		} {
			for m := 0; m < 2; m++ {
				var r C.mlops_eval_result
				C.mlops_eval_result_init(&r, C.MLOPS_EVAL_RESULT_VERSION)
				if rc := fn(cf, C.int(m), &r); rc != C.MLOPS_OK {
					return rc
				}
				f.aggs[kind][m] = FairnessValue{float64(r.value), int(r.reason)}
			}
		}
		return C.MLOPS_OK
	})
	defer C.mlops_fairness_frame_free(cf)
	if err != nil {
		return nil, err
	}
	f.Overall = fairnessGroup(C.mlops_fairness_frame_overall(cf))
	f.Groups = make([]FairnessGroup, int(C.mlops_fairness_frame_count(cf)))
	for i := range f.Groups {
		f.Groups[i] = fairnessGroup(C.mlops_fairness_frame_at(cf, C.size_t(i)))
	}
	return f, nil
}

// parity runs mlops_fairness_difference or _ratio.
func parity(ratio bool, measure C.int, yTrue, yPred, groups []int32, weights []float64, m FairnessMethod, agg OddsAgg) (FairnessValue, error) {
	n := len(groups)
	if len(yTrue) != n || len(yPred) != n || (weights != nil && len(weights) != n) {
		return FairnessValue{}, fmt.Errorf("mlops: fairness: y_true, y_pred, groups and weights differ in length")
	}
	var o C.mlops_fairness_opts
	var r C.mlops_eval_result
	err := call(func() C.int {
		C.mlops_fairness_opts_init(&o, C.MLOPS_FAIRNESS_OPTS_VERSION)
		C.mlops_eval_result_init(&r, C.MLOPS_EVAL_RESULT_VERSION)
		o.method, o.agg = C.int(m), C.int(agg)
		if ratio {
			return C.mlops_fairness_ratio(measure, i32(yTrue), i32(yPred), i32(groups), C.size_t(n), f64(weights), &o, &r)
		}
		return C.mlops_fairness_difference(measure, i32(yTrue), i32(yPred), i32(groups), C.size_t(n), f64(weights), &o, &r)
	})
	return FairnessValue{float64(r.value), int(r.reason)}, err
}

// DemographicParityDifference is fairlearn's demographic_parity_difference
// (weights nil: 1 each).
func DemographicParityDifference(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (FairnessValue, error) {
	return parity(false, C.MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yTrue, yPred, groups, weights, m, WorstCase)
}

// DemographicParityRatio is fairlearn's demographic_parity_ratio.
func DemographicParityRatio(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (FairnessValue, error) {
	return parity(true, C.MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yTrue, yPred, groups, weights, m, WorstCase)
}

// EqualizedOddsDifference is fairlearn's equalized_odds_difference.
func EqualizedOddsDifference(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod, agg OddsAgg) (FairnessValue, error) {
	return parity(false, C.MLOPS_FAIRNESS_EQUALIZED_ODDS, yTrue, yPred, groups, weights, m, agg)
}

// EqualizedOddsRatio is fairlearn's equalized_odds_ratio.
func EqualizedOddsRatio(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod, agg OddsAgg) (FairnessValue, error) {
	return parity(true, C.MLOPS_FAIRNESS_EQUALIZED_ODDS, yTrue, yPred, groups, weights, m, agg)
}

// EqualOpportunityDifference is fairlearn's equal_opportunity_difference.
func EqualOpportunityDifference(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (FairnessValue, error) {
	return parity(false, C.MLOPS_FAIRNESS_EQUAL_OPPORTUNITY, yTrue, yPred, groups, weights, m, WorstCase)
}

// EqualOpportunityRatio is fairlearn's equal_opportunity_ratio.
func EqualOpportunityRatio(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (FairnessValue, error) {
	return parity(true, C.MLOPS_FAIRNESS_EQUAL_OPPORTUNITY, yTrue, yPred, groups, weights, m, WorstCase)
}

func aif360(ratio bool, yPred, groups []int32, weights []float64, privileged, unprivileged []int32, favorable int32) (FairnessValue, error) {
	n := len(groups)
	if len(yPred) != n || (weights != nil && len(weights) != n) {
		return FairnessValue{}, fmt.Errorf("mlops: fairness: y_pred, groups and weights differ in length")
	}
	var r C.mlops_eval_result
	err := call(func() C.int {
		C.mlops_eval_result_init(&r, C.MLOPS_EVAL_RESULT_VERSION)
		isRatio := C.int(0)
		if ratio {
			isRatio = 1
		}
		return C.go_fairness_aif360(isRatio, i32(yPred), i32(groups), C.size_t(n), f64(weights), i32(privileged),
			C.size_t(len(privileged)), i32(unprivileged), C.size_t(len(unprivileged)), C.int(favorable), &r)
	})
	return FairnessValue{float64(r.value), int(r.reason)}, err
}

// DisparateImpact is AIF360's disparate_impact: P(favorable | unprivileged)
// / P(favorable | privileged), the groups given by their codes
// (unprivileged nil: every other group).
func DisparateImpact(yPred, groups []int32, weights []float64, privileged, unprivileged []int32, favorable int32) (FairnessValue, error) {
	return aif360(true, yPred, groups, weights, privileged, unprivileged, favorable)
}

// StatisticalParityDifference is AIF360's statistical_parity_difference:
// P(favorable | unprivileged) - P(favorable | privileged).
func StatisticalParityDifference(yPred, groups []int32, weights []float64, privileged, unprivileged []int32, favorable int32) (FairnessValue, error) {
	return aif360(false, yPred, groups, weights, privileged, unprivileged, favorable)
}
