package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"strconv"
	"unsafe"
)

// f64 points at the first element of x for the duration of one C call (the
// slice is not copied), or is NULL for an empty slice.
func f64(x []float64) *C.double {
	if len(x) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&x[0]))
}

// TestResult is a statistic and its p-value (NaN when it has none).
type TestResult struct {
	Statistic float64
	PValue    float64
}

func testResult(r C.mlops_test_result) TestResult {
	return TestResult{Statistic: float64(r.statistic), PValue: float64(r.p_value)}
}

// DriftKS is the two-sided two-sample Kolmogorov-Smirnov test, equal to
// scipy.stats.ks_2samp(ref, cur) (exact distribution when max(n) <= 10000).
// NaN and infinities are excluded. The slices are read in place.
func DriftKS(ref, cur []float64) (TestResult, error) {
	var r C.mlops_test_result
	err := call(func() C.int {
		return C.mlops_drift_ks(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &r)
	})
	return testResult(r), err
}

// KSMethod chooses how DriftKSWith computes the p-value.
type KSMethod int

const (
	KSAuto       KSMethod = C.MLOPS_KS_AUTO       // exact when max(n) <= 10000 (scipy's rule)
	KSExact      KSMethod = C.MLOPS_KS_EXACT      // the exact distribution of D
	KSAsymptotic KSMethod = C.MLOPS_KS_ASYMPTOTIC // kstwo.sf at the effective sample size
)

// KSResult is the KS test with the method used, the log p-value (finite
// where the p-value underflows to 0) and the counts of excluded values.
type KSResult struct {
	Statistic, PValue, LogPValue float64
	Method                       KSMethod // KSExact or KSAsymptotic: the one used
	NRef, NCur                   uint64   // finite values used
	RefNaN, RefInf               uint64   // values excluded
	CurNaN, CurInf               uint64
}

// DriftKSWith is DriftKS with a chosen method and more detail.
func DriftKSWith(ref, cur []float64, method KSMethod) (KSResult, error) {
	var r C.mlops_ks_result
	err := call(func() C.int {
		if rc := C.mlops_ks_result_init(&r, C.MLOPS_KS_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_ks_ex(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), C.int(method), &r)
	})
	return KSResult{
		Statistic: float64(r.statistic), PValue: float64(r.p_value), LogPValue: float64(r.log_p_value),
		Method: KSMethod(r.method), NRef: uint64(r.n_ref), NCur: uint64(r.n_cur),
		RefNaN: uint64(r.ref_nan), RefInf: uint64(r.ref_inf), CurNaN: uint64(r.cur_nan), CurInf: uint64(r.cur_inf),
	}, err
}

// distance runs one of the C functions of shape f(ref, nref, cur, ncur, &out).
func distance(ref, cur []float64, f func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, out *C.double) C.int) (float64, error) {
	var out C.double
	err := call(func() C.int { return f(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &out) })
	return float64(out), err
}

// binnedDistance is distance for the functions that take a bin count.
func binnedDistance(ref, cur []float64, bins int, f func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, b C.size_t, out *C.double) C.int) (float64, error) {
	if bins < 0 {
		return 0, &Error{Code: CodeInvalid, Message: "mlops: negative bin count"}
	}
	var out C.double
	err := call(func() C.int {
		return f(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), C.size_t(bins), &out)
	})
	return float64(out), err
}

// DriftWasserstein is the Wasserstein-1 distance, equal to
// scipy.stats.wasserstein_distance(ref, cur).
func DriftWasserstein(ref, cur []float64) (float64, error) {
	return distance(ref, cur, func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, out *C.double) C.int {
		return C.mlops_drift_wasserstein(r, nr, c, nc, out)
	})
}

// DriftEnergy is the energy distance, equal to scipy.stats.energy_distance.
func DriftEnergy(ref, cur []float64) (float64, error) {
	return distance(ref, cur, func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, out *C.double) C.int {
		return C.mlops_drift_energy(r, nr, c, nc, out)
	})
}

// DriftCramerVonMises is the two-sample Cramer-von Mises test, equal to
// scipy.stats.cramervonmises_2samp(ref, cur).
func DriftCramerVonMises(ref, cur []float64) (TestResult, error) {
	var r C.mlops_test_result
	err := call(func() C.int {
		return C.mlops_drift_cramer_von_mises(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &r)
	})
	return testResult(r), err
}

// DriftMissing is the two-proportion z-test of the share of NaN values in
// ref against cur.
func DriftMissing(ref, cur []float64) (TestResult, error) {
	var r C.mlops_test_result
	err := call(func() C.int {
		return C.mlops_drift_missing(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), &r)
	})
	return testResult(r), err
}

// DriftPSI is the population stability index on bins quantile bins frozen
// from the reference.
func DriftPSI(ref, cur []float64, bins int) (float64, error) {
	return binnedDistance(ref, cur, bins, func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, b C.size_t, out *C.double) C.int {
		return C.mlops_drift_psi(r, nr, c, nc, b, out)
	})
}

// DriftJensenShannon is the Jensen-Shannon distance on the reference's
// quantile bins (scipy's jensenshannon, natural log).
func DriftJensenShannon(ref, cur []float64, bins int) (float64, error) {
	return binnedDistance(ref, cur, bins, func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, b C.size_t, out *C.double) C.int {
		return C.mlops_drift_jensen_shannon(r, nr, c, nc, b, out)
	})
}

// DriftKL is the Kullback-Leibler divergence KL(ref || cur) on the
// reference's quantile bins.
func DriftKL(ref, cur []float64, bins int) (float64, error) {
	return binnedDistance(ref, cur, bins, func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, b C.size_t, out *C.double) C.int {
		return C.mlops_drift_kl(r, nr, c, nc, b, out)
	})
}

// DriftHellinger is the Hellinger distance on the reference's quantile bins.
func DriftHellinger(ref, cur []float64, bins int) (float64, error) {
	return binnedDistance(ref, cur, bins, func(r *C.double, nr C.size_t, c *C.double, nc C.size_t, b C.size_t, out *C.double) C.int {
		return C.mlops_drift_hellinger(r, nr, c, nc, b, out)
	})
}

// BinnedResult holds every binned figure of one binning pass.
type BinnedResult struct {
	PSI, JensenShannon, KL, Hellinger float64
	ChiSquare                         TestResult
	Bins                              int // bins used (after duplicate edges collapsed)
}

func binnedResult(r *C.mlops_binned_result) BinnedResult {
	return BinnedResult{
		PSI: float64(r.psi), JensenShannon: float64(r.jensen_shannon), KL: float64(r.kl), Hellinger: float64(r.hellinger),
		ChiSquare: testResult(r.chisq), Bins: int(r.n_bins),
	}
}

// DriftBinned computes PSI, Jensen-Shannon, KL, Hellinger and chi-square on
// the reference's quantile bins at once.
func DriftBinned(ref, cur []float64, bins int) (BinnedResult, error) {
	if bins < 0 {
		return BinnedResult{}, &Error{Code: CodeInvalid, Message: "mlops: negative bin count"}
	}
	var r C.mlops_binned_result
	err := call(func() C.int {
		if rc := C.mlops_binned_result_init(&r, C.MLOPS_BINNED_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_binned(f64(ref), C.size_t(len(ref)), f64(cur), C.size_t(len(cur)), C.size_t(bins), &r)
	})
	return binnedResult(&r), err
}

// sameLength checks that two count vectors match.
func sameLength(a, b []float64) error {
	if len(a) != len(b) {
		return &Error{Code: CodeInvalid, Message: "mlops: count vectors of different lengths (" +
			strconv.Itoa(len(a)) + " and " + strconv.Itoa(len(b)) + ")"}
	}
	return nil
}

// DriftBinnedCounts computes the binned figures from two count (or weight)
// vectors of the same length, e.g. category counts.
func DriftBinnedCounts(refCounts, curCounts []float64) (BinnedResult, error) {
	if err := sameLength(refCounts, curCounts); err != nil {
		return BinnedResult{}, err
	}
	var r C.mlops_binned_result
	err := call(func() C.int {
		if rc := C.mlops_binned_result_init(&r, C.MLOPS_BINNED_RESULT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_drift_binned_counts(f64(refCounts), f64(curCounts), C.size_t(len(refCounts)), &r)
	})
	return binnedResult(&r), err
}

// DriftChiSquare is the chi-square test of homogeneity of two count
// vectors of the same length (scipy's chi2_contingency without correction).
func DriftChiSquare(refCounts, curCounts []float64) (TestResult, error) {
	if err := sameLength(refCounts, curCounts); err != nil {
		return TestResult{}, err
	}
	var r C.mlops_test_result
	err := call(func() C.int {
		return C.mlops_drift_chisq(f64(refCounts), f64(curCounts), C.size_t(len(refCounts)), &r)
	})
	return testResult(r), err
}

// QuantileEdges returns the interior bin edges of ref for bins quantile
// bins (strictly increasing, at most bins-1).
func QuantileEdges(ref []float64, bins int) ([]float64, error) {
	if bins < 0 {
		return nil, &Error{Code: CodeInvalid, Message: "mlops: negative bin count"}
	}
	var e *C.double
	var n C.size_t
	if err := call(func() C.int {
		return C.mlops_drift_quantile_edges(f64(ref), C.size_t(len(ref)), C.size_t(bins), &e, &n)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(e))
	out := make([]float64, int(n))
	if n > 0 {
		copy(out, unsafe.Slice((*float64)(unsafe.Pointer(e)), int(n)))
	}
	return out, nil
}

// BinCounts counts the finite values into the len(edges)+1 bins that the
// strictly increasing edges define.
func BinCounts(values, edges []float64) ([]uint64, error) {
	counts := make([]uint64, len(edges)+1)
	err := call(func() C.int {
		return C.mlops_drift_bin_counts(f64(values), C.size_t(len(values)), f64(edges), C.size_t(len(edges)),
			(*C.uint64_t)(unsafe.Pointer(&counts[0])))
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// BHAdjust returns the Benjamini-Hochberg adjusted p-values (scipy's
// false_discovery_control(p, method='bh')).
func BHAdjust(p []float64) ([]float64, error) {
	out := make([]float64, len(p))
	if len(p) == 0 {
		return out, nil
	}
	err := call(func() C.int { return C.mlops_drift_bh_adjust(f64(p), C.size_t(len(p)), f64(out)) })
	if err != nil {
		return nil, err
	}
	return out, nil
}
