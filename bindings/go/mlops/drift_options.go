package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import "strconv"

// The scipy options of the drift statistics (libmlops 1.1).

// KSAlternative is scipy's alternative of ks_2samp, with F_ref and F_cur the
// two empirical CDFs.
type KSAlternative int

const (
	KSTwoSided KSAlternative = C.MLOPS_KS_TWO_SIDED // D = max |F_ref - F_cur|
	KSLess     KSAlternative = C.MLOPS_KS_LESS      // D- = max(F_cur - F_ref)
	KSGreater  KSAlternative = C.MLOPS_KS_GREATER   // D+ = max(F_ref - F_cur)
)

// KSOptions chooses the alternative and the method of DriftKSOptions; the
// zero value is two-sided, auto.
type KSOptions struct {
	Alternative KSAlternative
	Method      KSMethod
}

// DriftKSOptions is the KS test with an alternative, equal to
// scipy.stats.ks_2samp(ref, cur, alternative, method): one-sided, the exact
// p-value counts lattice paths and the asymptotic one is Hodges'
// approximation; scipy's switch between them is kept (Method says which ran).
func DriftKSOptions(ref, cur []float64, opts KSOptions) (KSResult, error) {
	var r C.mlops_ks_result
	err := call(func() C.int {
		var o C.mlops_ks_opts
		if rc := C.mlops_ks_opts_init(&o, C.MLOPS_KS_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.alternative = C.int(opts.Alternative)
		o.method = C.int(opts.Method)
		if rc := C.mlops_ks_result_init(&r, C.MLOPS_KS_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_ks_opts(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &o, &r)
	})
	return KSResult{
		Statistic: float64(r.statistic), PValue: float64(r.p_value), LogPValue: float64(r.log_p_value),
		Method: KSMethod(r.method), NRef: uint64(r.n_ref), NCur: uint64(r.n_cur),
		RefNaN: uint64(r.ref_nan), RefInf: uint64(r.ref_inf), CurNaN: uint64(r.cur_nan), CurInf: uint64(r.cur_inf),
	}, err
}

// Weights are scipy's u_weights and v_weights: nil (every value weighs 1)
// or one finite weight >= 0 per value; a NaN or infinite value takes its
// weight out with it.
type Weights struct {
	Ref, Cur []float64
}

func weighted(ref, cur []float64, w Weights, energy bool) (float64, error) {
	for _, s := range []struct {
		name   string
		w, val []float64
	}{{"reference", w.Ref, ref}, {"current", w.Cur, cur}} {
		if s.w != nil && len(s.w) != len(s.val) {
			return 0, &Error{Code: CodeInvalid, Message: "mlops: " + strconv.Itoa(len(s.w)) +
				" " + s.name + " weights for " + strconv.Itoa(len(s.val)) + " values"}
		}
	}
	var out C.double
	err := call(func() C.int {
		var o C.mlops_distance_opts
		if rc := C.mlops_distance_opts_init(&o, C.MLOPS_DISTANCE_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		// The options struct is Go memory holding pointers: pinned (or
		// copied to C memory before Go 1.21) for the call.
		var cp columnPointers
		defer cp.release()
		o.ref_weights = cp.ptr(w.Ref)
		o.cur_weights = cp.ptr(w.Cur)
		if energy {
			return C.mlops_drift_energy_opts(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &o, &out)
		}
		return C.mlops_drift_wasserstein_opts(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &o, &out)
	})
	return float64(out), err
}

// DriftWassersteinWeighted is the weighted Wasserstein-1 distance, equal
// to scipy.stats.wasserstein_distance(ref, cur, u_weights, v_weights).
func DriftWassersteinWeighted(ref, cur []float64, w Weights) (float64, error) {
	return weighted(ref, cur, w, false)
}

// DriftEnergyWeighted is the weighted energy distance, equal to
// scipy.stats.energy_distance(ref, cur, u_weights, v_weights).
func DriftEnergyWeighted(ref, cur []float64, w Weights) (float64, error) {
	return weighted(ref, cur, w, true)
}

// CvMMethod chooses how DriftCramerVonMisesWith computes the p-value.
type CvMMethod int

const (
	CvMAuto       CvMMethod = C.MLOPS_CVM_AUTO       // exact when max(n) <= 20 (scipy's rule)
	CvMExact      CvMMethod = C.MLOPS_CVM_EXACT      // the exact law: cost grows fast with n
	CvMAsymptotic CvMMethod = C.MLOPS_CVM_ASYMPTOTIC // the limiting law
)

// DriftCramerVonMisesWith is the Cramer-von Mises test with a chosen
// method, equal to scipy.stats.cramervonmises_2samp(ref, cur, method).
func DriftCramerVonMisesWith(ref, cur []float64, method CvMMethod) (TestResult, error) {
	var r C.mlops_test_result
	err := call(func() C.int {
		var o C.mlops_cvm_opts
		if rc := C.mlops_cvm_opts_init(&o, C.MLOPS_CVM_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.method = C.int(method)
		return C.mlops_drift_cramer_von_mises_opts(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &o, &r)
	})
	return testResult(r), err
}

// BinnedOptions changes two binned figures; the zero value gives
// DriftBinned's results.
type BinnedOptions struct {
	// Base of Jensen-Shannon's logarithm, scipy's base: 0 = e, else > 1
	// (2 gives a distance in [0, 1]).
	Base float64
	// NoKLFloor computes KL on the proportions as they are, equal to
	// scipy.stats.entropy (+Inf when a bin holds reference values and no
	// current ones), instead of flooring them at 1e-4.
	NoKLFloor bool
}

func binnedOpts(o *C.mlops_binned_opts, opts BinnedOptions) C.int {
	if rc := C.mlops_binned_opts_init(o, C.MLOPS_BINNED_OPTS_VERSION); rc != C.MLOPS_OK {
		return rc
	}
	o.base = C.double(opts.Base)
	if opts.NoKLFloor {
		o.kl_floor = 0
	}
	return C.MLOPS_OK
}

// DriftBinnedOptions is DriftBinned with options.
func DriftBinnedOptions(ref, cur []float64, bins int, opts BinnedOptions) (BinnedResult, error) {
	if bins < 0 {
		return BinnedResult{}, &Error{Code: CodeInvalid, Message: "mlops: negative bin count"}
	}
	var r C.mlops_binned_result
	err := call(func() C.int {
		var o C.mlops_binned_opts
		if rc := binnedOpts(&o, opts); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_binned_result_init(&r, C.MLOPS_BINNED_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_binned_opts(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), C.size_t(bins), &o, &r)
	})
	return binnedResult(&r), err
}

// DriftBinnedCountsOptions is DriftBinnedCounts with options.
func DriftBinnedCountsOptions(refCounts, curCounts []float64, opts BinnedOptions) (BinnedResult, error) {
	if err := sameLength(refCounts, curCounts); err != nil {
		return BinnedResult{}, err
	}
	var r C.mlops_binned_result
	err := call(func() C.int {
		var o C.mlops_binned_opts
		if rc := binnedOpts(&o, opts); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_binned_result_init(&r, C.MLOPS_BINNED_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_binned_counts_opts(f64(refCounts), f64(curCounts), C.size_t(len(refCounts)), &o, &r)
	})
	return binnedResult(&r), err
}

// Cressie-Read lambdas that scipy.stats.power_divergence names.
const (
	LambdaPearson          = 1.0       // "pearson"
	LambdaLogLikelihood    = 0.0       // "log-likelihood" (G-test)
	LambdaFreemanTukey     = -0.5      // "freeman-tukey"
	LambdaModLogLikelihood = -1.0      // "mod-log-likelihood"
	LambdaNeyman           = -2.0      // "neyman"
	LambdaCressieRead      = 2.0 / 3.0 // "cressie-read"
)

// ChiSquareOptions are scipy's chi2_contingency arguments. Use
// ChiSquareDefaults (Yates on, Pearson) and change what differs.
type ChiSquareOptions struct {
	Correction bool    // Yates' correction when the table has one degree of freedom
	Lambda     float64 // Cressie-Read power (Lambda* constants or any finite number)
}

// ChiSquareDefaults are scipy's defaults: correction=True, lambda_=None.
var ChiSquareDefaults = ChiSquareOptions{Correction: true, Lambda: LambdaPearson}

// ChiSquareTableResult is the test of a contingency table.
type ChiSquareTableResult struct {
	Statistic, PValue, LogPValue float64
	DoF                          uint64 // (rows - 1) * (columns - 1)
}

// DriftChiSquareTable is the chi-square test of independence of an R x C
// table of counts (rows of equal length), equal to
// scipy.stats.chi2_contingency(table, correction, lambda_). An empty row
// or column is ErrInvalid, as scipy refuses it.
func DriftChiSquareTable(table [][]float64, opts ChiSquareOptions) (ChiSquareTableResult, error) {
	rows := len(table)
	cols := 0
	if rows > 0 {
		cols = len(table[0])
	}
	flat := make([]float64, 0, rows*cols)
	for i, row := range table {
		if len(row) != cols {
			return ChiSquareTableResult{}, &Error{Code: CodeInvalid, Message: "mlops: row " +
				strconv.Itoa(i) + " has " + strconv.Itoa(len(row)) + " counts, row 0 " + strconv.Itoa(cols)}
		}
		flat = append(flat, row...)
	}
	var r C.mlops_chisq_result
	err := call(func() C.int {
		var o C.mlops_chisq_opts
		if rc := C.mlops_chisq_opts_init(&o, C.MLOPS_CHISQ_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.correction = 0
		if opts.Correction {
			o.correction = 1
		}
		o.lambda = C.double(opts.Lambda)
		if rc := C.mlops_chisq_result_init(&r, C.MLOPS_CHISQ_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_chisq_table(f64(flat), C.size_t(rows), C.size_t(cols), &o, &r)
	})
	return ChiSquareTableResult{Statistic: float64(r.statistic), PValue: float64(r.p_value),
		LogPValue: float64(r.log_p_value), DoF: uint64(r.dof)}, err
}
