package mlops

/*
#include <mlops.h>
*/
import "C"

// Calibration errors on 15 bins through EvalScores and EvalBootstrap
// (torchmetrics' CalibrationError defaults; EvalCalibration for others).
const (
	MetricECE   EvalMetric = C.MLOPS_METRIC_ECE   // norm "l1": expected calibration error
	MetricMCE   EvalMetric = C.MLOPS_METRIC_MCE   // norm "max": maximum calibration error
	MetricRMSCE EvalMetric = C.MLOPS_METRIC_RMSCE // norm "l2": root mean square calibration error
)

// Binning says where a confidence on a bin edge goes.
type Binning int

const (
	// BinningTorchmetrics is torchmetrics' CalibrationError: bins [lower,
	// upper) on torch.linspace's edges, and confidences equal to 1 in a
	// bin [1, 1] of their own (Bins+1 rows).
	BinningTorchmetrics Binning = C.MLOPS_CALIBRATION_TORCHMETRICS
	// BinningSklearn is scikit-learn's calibration_curve (strategy
	// "uniform"): bins (lower, upper], the first [0, upper] (Bins rows).
	BinningSklearn Binning = C.MLOPS_CALIBRATION_SKLEARN
)

// CalibrationOptions are the options of EvalCalibration; start from
// DefaultCalibrationOptions. A nil *CalibrationOptions means the defaults.
type CalibrationOptions struct {
	Bins     int     // equal-width bins on [0, 1] (15)
	Binning  Binning // (BinningTorchmetrics)
	PosLabel int32   // k = 1: the class whose probability the scores are (1)
	Labels   []int32 // k >= 2: the classes of the columns; nil: the sorted distinct y_true
}

// DefaultCalibrationOptions returns the library's defaults.
func DefaultCalibrationOptions() CalibrationOptions {
	var o C.mlops_calibration_opts
	C.mlops_calibration_opts_init(&o, C.MLOPS_CALIBRATION_OPTS_VERSION)
	return CalibrationOptions{Bins: int(o.n_bins), Binning: Binning(o.binning), PosLabel: int32(o.pos_label)}
}

// CalibrationBin is one row of the reliability table. Confidence and
// Accuracy are NaN for an empty bin.
type CalibrationBin struct {
	Lower, Upper float64
	Count        uint64  // samples in the bin
	Weight       float64 // their weight sum (Count without weights)
	Confidence   float64 // mean confidence
	Accuracy     float64 // share correct (k = 1: share of PosLabel)
}

// Calibration holds the three calibration errors and the reliability
// table. When Reason is ReasonNoWeight (the weights sum to 0) the errors
// are NaN.
type Calibration struct {
	ECE, MCE, RMSCE float64
	Reason          Reason
	N               uint64
	Bins            []CalibrationBin
}

// EvalCalibration computes the top-label calibration error as torchmetrics'
// CalibrationError (norms l1, max and l2) and the reliability table. k = 1:
// scores are the probabilities of PosLabel (the binary task); k >= 2: a
// row-major n x k probability matrix whose columns are the classes, the
// confidence being a row's largest probability. weights: nil or one per
// sample. The slices are read in place.
func EvalCalibration(yTrue []int32, scores []float64, k int, weights []float64, o *CalibrationOptions) (Calibration, error) {
	if err := scoreColumns("EvalCalibration", len(yTrue), k, scores, weights); err != nil {
		return Calibration{}, err
	}
	var cp columnPointers
	defer cp.release()
	var co C.mlops_calibration_opts
	C.mlops_calibration_opts_init(&co, C.MLOPS_CALIBRATION_OPTS_VERSION)
	if o != nil {
		if o.Bins < 0 {
			return Calibration{}, invalid("EvalCalibration: negative bin count")
		}
		co.n_bins = C.size_t(o.Bins)
		co.binning = C.int(o.Binning)
		co.pos_label = C.int(o.PosLabel)
		co.labels = cp.iptr(o.Labels)
		co.n_labels = C.size_t(len(o.Labels))
	}
	var r C.mlops_calibration_result
	var l *C.mlops_calibration_bins
	if err := call(func() C.int {
		if rc := C.mlops_calibration_result_init(&r, C.MLOPS_CALIBRATION_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_eval_calibration(i32(yTrue), f64(scores), C.size_t(len(yTrue)), C.size_t(k), f64(weights), &co, &r, &l)
	}); err != nil {
		return Calibration{}, err
	}
	defer C.mlops_calibration_bins_free(l)
	out := Calibration{ECE: float64(r.ece), MCE: float64(r.mce), RMSCE: float64(r.rmsce), Reason: Reason(r.reason), N: uint64(r.n)}
	out.Bins = make([]CalibrationBin, int(C.mlops_calibration_bins_count(l)))
	for i := range out.Bins {
		b := C.mlops_calibration_bins_at(l, C.size_t(i))
		out.Bins[i] = CalibrationBin{Lower: float64(b.lower), Upper: float64(b.upper), Count: uint64(b.count),
			Weight: float64(b.weight), Confidence: float64(b.confidence), Accuracy: float64(b.accuracy)}
	}
	return out, nil
}
