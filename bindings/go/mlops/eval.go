package mlops

/*
#include <mlops.h>
*/
import "C"

import (
	"strconv"
	"unsafe"
)

// EvalMetric chooses the evaluation metric of EvalRegression, EvalLabels,
// EvalScores and EvalBootstrap (the MLOPS_METRIC_* ids of mlops/eval.h).
// Each equals the scikit-learn function named in its comment.
type EvalMetric int

// Regression metrics (EvalRegression).
const (
	MetricMAE               EvalMetric = C.MLOPS_METRIC_MAE                // mean_absolute_error
	MetricMSE               EvalMetric = C.MLOPS_METRIC_MSE                // mean_squared_error
	MetricRMSE              EvalMetric = C.MLOPS_METRIC_RMSE               // root_mean_squared_error
	MetricMAPE              EvalMetric = C.MLOPS_METRIC_MAPE               // mean_absolute_percentage_error
	MetricR2                EvalMetric = C.MLOPS_METRIC_R2                 // r2_score (ForceFinite)
	MetricExplainedVariance EvalMetric = C.MLOPS_METRIC_EXPLAINED_VARIANCE // explained_variance_score (ForceFinite)
	MetricMedianAE          EvalMetric = C.MLOPS_METRIC_MEDIAN_AE          // median_absolute_error
	MetricMaxError          EvalMetric = C.MLOPS_METRIC_MAX_ERROR          // max_error (no weights)
	MetricPinball           EvalMetric = C.MLOPS_METRIC_PINBALL            // mean_pinball_loss (Alpha)
)

// Classification metrics on predicted labels (EvalLabels).
const (
	MetricAccuracy         EvalMetric = C.MLOPS_METRIC_ACCURACY          // accuracy_score
	MetricBalancedAccuracy EvalMetric = C.MLOPS_METRIC_BALANCED_ACCURACY // balanced_accuracy_score (Adjusted)
	MetricPrecision        EvalMetric = C.MLOPS_METRIC_PRECISION         // precision_score
	MetricRecall           EvalMetric = C.MLOPS_METRIC_RECALL            // recall_score
	MetricFBeta            EvalMetric = C.MLOPS_METRIC_FBETA             // fbeta_score (Beta; 1 is f1_score)
)

// Ranking and probabilistic metrics on scores (EvalScores).
const (
	MetricROCAUC           EvalMetric = C.MLOPS_METRIC_ROC_AUC           // roc_auc_score
	MetricAveragePrecision EvalMetric = C.MLOPS_METRIC_AVERAGE_PRECISION // average_precision_score
	MetricLogLoss          EvalMetric = C.MLOPS_METRIC_LOG_LOSS          // log_loss
	MetricBrier            EvalMetric = C.MLOPS_METRIC_BRIER             // brier_score_loss
)

// Average is scikit-learn's `average` argument.
type Average int

const (
	AverageBinary   Average = C.MLOPS_AVERAGE_BINARY   // the class PosLabel only (the default)
	AverageMicro    Average = C.MLOPS_AVERAGE_MICRO    // counts pooled over the classes
	AverageMacro    Average = C.MLOPS_AVERAGE_MACRO    // unweighted mean over the classes
	AverageWeighted Average = C.MLOPS_AVERAGE_WEIGHTED // mean weighted by each class's true count
)

// MultiClass chooses how ROC AUC treats a score matrix.
type MultiClass int

const (
	MultiClassOVR MultiClass = C.MLOPS_MULTI_CLASS_OVR // one class against the rest (the default)
	MultiClassOVO MultiClass = C.MLOPS_MULTI_CLASS_OVO // Hand & Till: every pair of classes
)

// Normalize chooses the normalisation of EvalConfusion's matrix.
type Normalize int

const (
	NormalizeNone Normalize = C.MLOPS_NORMALIZE_NONE // counts or weight sums (the default)
	NormalizeTrue Normalize = C.MLOPS_NORMALIZE_TRUE // each row (true class) sums to 1
	NormalizePred Normalize = C.MLOPS_NORMALIZE_PRED // each column (predicted class) sums to 1
	NormalizeAll  Normalize = C.MLOPS_NORMALIZE_ALL  // the whole matrix sums to 1
)

// EvalOptions are the options of every metric; a metric reads the fields
// that concern it. Start from DefaultEvalOptions (scikit-learn's
// defaults); a nil *EvalOptions means the defaults.
type EvalOptions struct {
	Average      Average
	PosLabel     int32      // the positive class of binary metrics (1)
	Beta         float64    // F-beta's beta (1)
	ZeroDivision float64    // 0, 1 or NaN: a precision, recall or F with a zero denominator (0)
	Labels       []int32    // the classes and their order; nil: the sorted distinct labels
	MultiClass   MultiClass // ROC AUC on a score matrix (ovr)
	MaxFPR       float64    // ROC AUC up to this false positive rate, McClish-standardised (1)
	ForceFinite  bool       // R2, explained variance on a constant y_true: 1 or 0 (true)
	Alpha        float64    // pinball loss quantile (0.5)
	Adjusted     bool       // balanced accuracy adjusted for chance (false)
	Normalize    Normalize  // confusion matrix (none)
}

// DefaultEvalOptions returns the library's defaults (scikit-learn's).
func DefaultEvalOptions() EvalOptions {
	var o C.mlops_eval_opts
	C.mlops_eval_opts_init(&o, C.MLOPS_EVAL_OPTS_VERSION)
	return EvalOptions{
		Average: Average(o.average), PosLabel: int32(o.pos_label), Beta: float64(o.beta),
		ZeroDivision: float64(o.zero_division), MultiClass: MultiClass(o.multi_class),
		MaxFPR: float64(o.max_fpr), ForceFinite: o.force_finite != 0, Alpha: float64(o.alpha),
		Adjusted: o.adjusted != 0, Normalize: Normalize(o.normalize),
	}
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// copts fills the C options from o (nil: the defaults). Labels, a Go
// pointer stored in a struct passed to C, are pinned (or copied before Go
// 1.21) through cp, which the caller releases after the call.
func copts(o *EvalOptions, cp *columnPointers) C.mlops_eval_opts {
	var c C.mlops_eval_opts
	C.mlops_eval_opts_init(&c, C.MLOPS_EVAL_OPTS_VERSION)
	if o == nil {
		return c
	}
	c.average = C.int(o.Average)
	c.pos_label = C.int(o.PosLabel)
	c.beta = C.double(o.Beta)
	c.zero_division = C.double(o.ZeroDivision)
	c.labels = cp.iptr(o.Labels)
	c.n_labels = C.size_t(len(o.Labels))
	c.multi_class = C.int(o.MultiClass)
	c.max_fpr = C.double(o.MaxFPR)
	c.force_finite = cbool(o.ForceFinite)
	c.alpha = C.double(o.Alpha)
	c.adjusted = cbool(o.Adjusted)
	c.normalize = C.int(o.Normalize)
	return c
}

// Reason says why a metric's value is NaN or a substitute (the
// MLOPS_EVAL_* reasons of mlops/eval.h); ReasonDefined when the value is
// the formula's own.
type Reason int

const (
	ReasonDefined      Reason = C.MLOPS_EVAL_DEFINED       // the formula's own value
	ReasonOneClass     Reason = C.MLOPS_EVAL_ONE_CLASS     // ROC AUC with one class: NaN
	ReasonZeroDivision Reason = C.MLOPS_EVAL_ZERO_DIVISION // a zero denominator took ZeroDivision
	ReasonConstantTrue Reason = C.MLOPS_EVAL_CONSTANT_TRUE // R2 / explained variance on a constant y_true
	ReasonNoPositives  Reason = C.MLOPS_EVAL_NO_POSITIVES  // average precision without a positive: NaN
	ReasonTooFew       Reason = C.MLOPS_EVAL_TOO_FEW       // R2 with one sample: NaN
	ReasonNoWeight     Reason = C.MLOPS_EVAL_NO_WEIGHT     // the weights sum to 0: NaN
)

// String is the library's short text for the reason ("zero division", ...).
func (r Reason) String() string { return C.GoString(C.mlops_eval_reason_name(C.int(r))) }

// EvalResult is one metric value. Value is NaN (or the substitute the
// options chose) when Reason is not ReasonDefined; the reason says why.
type EvalResult struct {
	Value  float64
	Reason Reason
	N      uint64 // samples used
}

// Defined reports whether Value is the formula's own value.
func (r EvalResult) Defined() bool { return r.Reason == ReasonDefined }

func evalResult(r *C.mlops_eval_result) EvalResult {
	return EvalResult{Value: float64(r.value), Reason: Reason(r.reason), N: uint64(r.n)}
}

// invalid is an ErrInvalid found by the binding before any C call.
func invalid(msg string) error { return &Error{Code: CodeInvalid, Message: "mlops: " + msg} }

// lengths checks that the arrays of one evaluation have n samples each
// (weights may be nil).
func lengths(fn string, n, other int, weights []float64) error {
	if other != n {
		return invalid(fn + ": y_true has " + strconv.Itoa(n) + " samples and the predictions " + strconv.Itoa(other))
	}
	if weights != nil && len(weights) != n {
		return invalid(fn + ": " + strconv.Itoa(len(weights)) + " weights for " + strconv.Itoa(n) + " samples")
	}
	return nil
}

// i32 points at the first label of x for one C call (no copy), NULL when
// x is empty.
func i32(x []int32) *C.int {
	if len(x) == 0 {
		return nil
	}
	return (*C.int)(unsafe.Pointer(&x[0]))
}

// evalCall runs one metric function on a fresh result with the options o
// (the shared body of EvalRegression, EvalLabels and EvalScores).
func evalCall(o *EvalOptions, metric func(opts *C.mlops_eval_opts, r *C.mlops_eval_result) C.int) (EvalResult, error) {
	var cp columnPointers
	defer cp.release()
	opts := copts(o, &cp)
	var r C.mlops_eval_result
	err := call(func() C.int {
		if rc := C.mlops_eval_result_init(&r, C.MLOPS_EVAL_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return metric(&opts, &r)
	})
	return evalResult(&r), err
}

// EvalRegression computes a regression metric (MetricMAE .. MetricPinball)
// of yPred against yTrue, weights nil or one per sample. The slices are
// read in place.
func EvalRegression(m EvalMetric, yTrue, yPred, weights []float64, o *EvalOptions) (EvalResult, error) {
	if err := lengths("EvalRegression", len(yTrue), len(yPred), weights); err != nil {
		return EvalResult{}, err
	}
	return evalCall(o, func(opts *C.mlops_eval_opts, r *C.mlops_eval_result) C.int {
		return C.mlops_eval_regression(C.int(m), f64(yTrue), f64(yPred), C.size_t(len(yTrue)), f64(weights), opts, r)
	})
}

// EvalLabels computes a classification metric on predicted labels
// (MetricAccuracy .. MetricFBeta, and fairlearn's rates of fairness.go).
func EvalLabels(m EvalMetric, yTrue, yPred []int32, weights []float64, o *EvalOptions) (EvalResult, error) {
	if err := lengths("EvalLabels", len(yTrue), len(yPred), weights); err != nil {
		return EvalResult{}, err
	}
	return evalCall(o, func(opts *C.mlops_eval_opts, r *C.mlops_eval_result) C.int {
		return C.mlops_eval_labels(C.int(m), i32(yTrue), i32(yPred), C.size_t(len(yTrue)), f64(weights), opts, r)
	})
}

// scoreColumns checks that scores hold k values per sample.
func scoreColumns(fn string, n, k int, scores, weights []float64) error {
	if k < 1 || len(scores) != n*k {
		return invalid(fn + ": " + strconv.Itoa(len(scores)) + " scores for " + strconv.Itoa(n) +
			" samples of " + strconv.Itoa(k) + " columns")
	}
	return lengths(fn, n, n, weights)
}

// EvalScores computes a ranking or probabilistic metric (MetricROCAUC ..
// MetricBrier). k = 1: one score per sample (of the class PosLabel); k >= 2:
// a row-major n x k matrix whose columns are the classes.
func EvalScores(m EvalMetric, yTrue []int32, scores []float64, k int, weights []float64, o *EvalOptions) (EvalResult, error) {
	if err := scoreColumns("EvalScores", len(yTrue), k, scores, weights); err != nil {
		return EvalResult{}, err
	}
	return evalCall(o, func(opts *C.mlops_eval_opts, r *C.mlops_eval_result) C.int {
		return C.mlops_eval_scores(C.int(m), i32(yTrue), f64(scores), C.size_t(len(yTrue)), C.size_t(k), f64(weights), opts, r)
	})
}

// ClassMetrics are the precision, recall, F-beta and support of one class,
// each with its reason.
type ClassMetrics struct {
	Label                                  int32
	Precision, Recall, FBeta, Support      float64
	PrecisionReason, RecallReason, FReason Reason
}

// EvalPerClass returns precision, recall, F-beta and support of every class
// (scikit-learn's precision_recall_fscore_support with average=None), in
// the order of o.Labels, else of the sorted distinct labels.
func EvalPerClass(yTrue, yPred []int32, weights []float64, o *EvalOptions) ([]ClassMetrics, error) {
	if err := lengths("EvalPerClass", len(yTrue), len(yPred), weights); err != nil {
		return nil, err
	}
	var cp columnPointers
	defer cp.release()
	opts := copts(o, &cp)
	var l *C.mlops_eval_classes
	if err := call(func() C.int {
		return C.mlops_eval_per_class(i32(yTrue), i32(yPred), C.size_t(len(yTrue)), f64(weights), &opts, &l)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_eval_classes_free(l)
	out := make([]ClassMetrics, int(C.mlops_eval_classes_count(l)))
	for i := range out {
		c := C.mlops_eval_classes_at(l, C.size_t(i))
		out[i] = ClassMetrics{
			Label: int32(c.label), Precision: float64(c.precision), Recall: float64(c.recall),
			FBeta: float64(c.fbeta), Support: float64(c.support), PrecisionReason: Reason(c.precision_reason),
			RecallReason: Reason(c.recall_reason), FReason: Reason(c.fbeta_reason),
		}
	}
	return out, nil
}

// Confusion is a confusion matrix: Matrix[i*len(Labels)+j] counts (or
// weighs, or normalises) the samples of true class Labels[i] predicted as
// Labels[j].
type Confusion struct {
	Labels []int32
	Matrix []float64
}

// At is the cell of true class index i and predicted class index j.
func (c Confusion) At(i, j int) float64 { return c.Matrix[i*len(c.Labels)+j] }

// EvalConfusion is scikit-learn's confusion_matrix (o.Normalize, o.Labels).
func EvalConfusion(yTrue, yPred []int32, weights []float64, o *EvalOptions) (Confusion, error) {
	if err := lengths("EvalConfusion", len(yTrue), len(yPred), weights); err != nil {
		return Confusion{}, err
	}
	var cp columnPointers
	defer cp.release()
	opts := copts(o, &cp)
	var labels *C.int
	var matrix *C.double
	var k C.size_t
	if err := call(func() C.int {
		return C.mlops_eval_confusion(i32(yTrue), i32(yPred), C.size_t(len(yTrue)), f64(weights), &opts, &labels, &matrix, &k)
	}); err != nil {
		return Confusion{}, err
	}
	defer C.mlops_free(unsafe.Pointer(labels))
	defer C.mlops_free(unsafe.Pointer(matrix))
	n := int(k)
	out := Confusion{Labels: make([]int32, n), Matrix: make([]float64, n*n)}
	if n > 0 {
		copy(out.Labels, unsafe.Slice((*int32)(unsafe.Pointer(labels)), n))
		copy(out.Matrix, unsafe.Slice((*float64)(unsafe.Pointer(matrix)), n*n))
	}
	return out, nil
}
