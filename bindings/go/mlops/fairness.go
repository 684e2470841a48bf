package mlops

/*
#include <mlops.h>
*/
import "C"

import "fmt"

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

// fairlearn's base rates, metrics on predicted labels (EvalLabels) and of
// metric frames: the share of yPred == PosLabel, and the true and false
// positive rates on at most two labels, NaN with ReasonNoPositives /
// ReasonNoNegatives where fairlearn says 0.
const (
	MetricSelectionRate     EvalMetric = C.MLOPS_METRIC_SELECTION_RATE      // selection_rate
	MetricTruePositiveRate  EvalMetric = C.MLOPS_METRIC_TRUE_POSITIVE_RATE  // true_positive_rate
	MetricFalsePositiveRate EvalMetric = C.MLOPS_METRIC_FALSE_POSITIVE_RATE // false_positive_rate
)

// ReasonNoNegatives: a false positive rate without a negative sample is NaN.
const ReasonNoNegatives Reason = C.MLOPS_EVAL_NO_NEGATIVES

// FairnessGroup is one group of a frame (or its overall row).
type FairnessGroup struct {
	Group     int32 // the group code
	Value     float64
	Reason    Reason
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
	aggs    [2][2]EvalResult // [difference, ratio][method]
}

// Difference is fairlearn's MetricFrame.difference(method): NaN with the
// group's reason when a group is undefined.
func (f *MetricFrame) Difference(m FairnessMethod) EvalResult { return f.aggs[0][m&1] }

// Ratio is fairlearn's MetricFrame.ratio(method).
func (f *MetricFrame) Ratio(m FairnessMethod) EvalResult { return f.aggs[1][m&1] }

// ByGroup maps each group code to its value.
func (f *MetricFrame) ByGroup() map[int32]float64 {
	m := make(map[int32]float64, len(f.Groups))
	for _, g := range f.Groups {
		m[g.Group] = g.Value
	}
	return m
}

func fairnessGroup(g *C.mlops_fairness_group) FairnessGroup {
	return FairnessGroup{Group: int32(g.group), Value: float64(g.value), Reason: Reason(g.reason),
		Count: uint64(g.count), Weight: float64(g.weight), Positives: float64(g.positives),
		Negatives: float64(g.negatives)}
}

// MetricFrameOf is fairlearn's MetricFrame for one metric (any EvalMetric)
// on d overall and by the group codes in groups (one per sample). The
// slices are read in place; o nil means the defaults. On score metrics the
// classes of the whole data hold in every group.
func MetricFrameOf(m EvalMetric, d EvalData, groups []int32, o *EvalOptions) (*MetricFrame, error) {
	n, err := d.samples()
	if err != nil {
		return nil, err
	}
	if len(groups) != n {
		return nil, invalid("MetricFrameOf: " + fmt.Sprint(len(groups)) + " group codes for " + fmt.Sprint(n) + " samples")
	}
	var cp columnPointers
	defer cp.release()
	opts := copts(o, &cp)
	cd := d.cdata(n, &cp)
	var cf *C.mlops_fairness_frame
	f := &MetricFrame{}
	err = call(func() C.int {
		if rc := C.mlops_fairness_frame_build(C.int(m), &cd, i32(groups), &opts, &cf); rc != C.MLOPS_OK {
			return rc
		}
		for kind := 0; kind < 2; kind++ {
			for method := 0; method < 2; method++ {
				var r C.mlops_eval_result
				C.mlops_eval_result_init(&r, C.MLOPS_EVAL_RESULT_VERSION)
				rc := C.mlops_fairness_frame_difference(cf, C.int(method), &r)
				if kind == 1 {
					rc = C.mlops_fairness_frame_ratio(cf, C.int(method), &r)
				}
				if rc != C.MLOPS_OK {
					return rc
				}
				f.aggs[kind][method] = evalResult(&r)
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
func parity(ratio bool, measure C.int, yTrue, yPred, groups []int32, weights []float64, m FairnessMethod, agg OddsAgg) (EvalResult, error) {
	n := len(groups)
	if len(yTrue) != n || len(yPred) != n || (weights != nil && len(weights) != n) {
		return EvalResult{}, invalid("fairness: y_true, y_pred, groups and weights differ in length")
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
	return evalResult(&r), err
}

// DemographicParityDifference is fairlearn's demographic_parity_difference
// (weights nil: 1 each).
func DemographicParityDifference(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (EvalResult, error) {
	return parity(false, C.MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yTrue, yPred, groups, weights, m, WorstCase)
}

// DemographicParityRatio is fairlearn's demographic_parity_ratio.
func DemographicParityRatio(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (EvalResult, error) {
	return parity(true, C.MLOPS_FAIRNESS_DEMOGRAPHIC_PARITY, yTrue, yPred, groups, weights, m, WorstCase)
}

// EqualizedOddsDifference is fairlearn's equalized_odds_difference.
func EqualizedOddsDifference(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod, agg OddsAgg) (EvalResult, error) {
	return parity(false, C.MLOPS_FAIRNESS_EQUALIZED_ODDS, yTrue, yPred, groups, weights, m, agg)
}

// EqualizedOddsRatio is fairlearn's equalized_odds_ratio.
func EqualizedOddsRatio(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod, agg OddsAgg) (EvalResult, error) {
	return parity(true, C.MLOPS_FAIRNESS_EQUALIZED_ODDS, yTrue, yPred, groups, weights, m, agg)
}

// EqualOpportunityDifference is fairlearn's equal_opportunity_difference.
func EqualOpportunityDifference(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (EvalResult, error) {
	return parity(false, C.MLOPS_FAIRNESS_EQUAL_OPPORTUNITY, yTrue, yPred, groups, weights, m, WorstCase)
}

// EqualOpportunityRatio is fairlearn's equal_opportunity_ratio.
func EqualOpportunityRatio(yTrue, yPred, groups []int32, weights []float64, m FairnessMethod) (EvalResult, error) {
	return parity(true, C.MLOPS_FAIRNESS_EQUAL_OPPORTUNITY, yTrue, yPred, groups, weights, m, WorstCase)
}

func aif360(ratio bool, yPred, groups []int32, weights []float64, privileged, unprivileged []int32, favorable int32) (EvalResult, error) {
	n := len(groups)
	if len(yPred) != n || (weights != nil && len(weights) != n) {
		return EvalResult{}, invalid("fairness: y_pred, groups and weights differ in length")
	}
	var cp columnPointers
	defer cp.release()
	var o C.mlops_fairness_opts
	C.mlops_fairness_opts_init(&o, C.MLOPS_FAIRNESS_OPTS_VERSION)
	o.pos_label = C.int(favorable)
	o.privileged, o.n_privileged = cp.iptr(privileged), C.size_t(len(privileged))
	o.unprivileged, o.n_unprivileged = cp.iptr(unprivileged), C.size_t(len(unprivileged))
	var r C.mlops_eval_result
	err := call(func() C.int {
		C.mlops_eval_result_init(&r, C.MLOPS_EVAL_RESULT_VERSION)
		if ratio {
			return C.mlops_fairness_disparate_impact(i32(yPred), i32(groups), C.size_t(n), f64(weights), &o, &r)
		}
		return C.mlops_fairness_statistical_parity_difference(i32(yPred), i32(groups), C.size_t(n), f64(weights), &o, &r)
	})
	return evalResult(&r), err
}

// DisparateImpact is AIF360's disparate_impact: P(favorable | unprivileged)
// / P(favorable | privileged), the groups given by their codes
// (unprivileged nil: every other group).
func DisparateImpact(yPred, groups []int32, weights []float64, privileged, unprivileged []int32, favorable int32) (EvalResult, error) {
	return aif360(true, yPred, groups, weights, privileged, unprivileged, favorable)
}

// StatisticalParityDifference is AIF360's statistical_parity_difference:
// P(favorable | unprivileged) - P(favorable | privileged).
func StatisticalParityDifference(yPred, groups []int32, weights []float64, privileged, unprivileged []int32, favorable int32) (EvalResult, error) {
	return aif360(false, yPred, groups, weights, privileged, unprivileged, favorable)
}
