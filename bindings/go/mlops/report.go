package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// ColumnKind says how a report treats a column.
type ColumnKind int

const (
	ColumnNumeric     ColumnKind = C.MLOPS_COLUMN_NUMERIC
	ColumnCategorical ColumnKind = C.MLOPS_COLUMN_CATEGORICAL // values are category codes; NaN is missing
)

// DriftMethod is a per-column drift method of a report.
type DriftMethod int

const (
	MethodAuto           DriftMethod = C.MLOPS_DRIFT_METHOD_AUTO // Evidently's default rules
	MethodKS             DriftMethod = C.MLOPS_DRIFT_METHOD_KS
	MethodWasserstein    DriftMethod = C.MLOPS_DRIFT_METHOD_WASSERSTEIN
	MethodJensenShannon  DriftMethod = C.MLOPS_DRIFT_METHOD_JENSEN_SHANNON
	MethodChiSquare      DriftMethod = C.MLOPS_DRIFT_METHOD_CHISQ
	MethodZ              DriftMethod = C.MLOPS_DRIFT_METHOD_Z
	MethodPSI            DriftMethod = C.MLOPS_DRIFT_METHOD_PSI
	MethodKL             DriftMethod = C.MLOPS_DRIFT_METHOD_KL
	MethodHellinger      DriftMethod = C.MLOPS_DRIFT_METHOD_HELLINGER
	MethodCramerVonMises DriftMethod = C.MLOPS_DRIFT_METHOD_CRAMER_VON_MISES
	MethodEnergy         DriftMethod = C.MLOPS_DRIFT_METHOD_ENERGY
)

// Correction is a multiple-testing correction of a report.
type Correction int

const (
	CorrectionNone Correction = C.MLOPS_DRIFT_CORRECTION_NONE
	CorrectionBH   Correction = C.MLOPS_DRIFT_CORRECTION_BH // Benjamini-Hochberg over the p-value columns
)

// Column is one column of a drift report: its reference and current
// values. The slices are read in place during the computation.
type Column struct {
	Name      string
	Kind      ColumnKind
	Ref, Cur  []float64
	Method    DriftMethod // MethodAuto by default
	Threshold float64     // 0: the method's default
}

// ReportOptions configure ComputeDriftReport; zero fields keep defaults.
type ReportOptions struct {
	DriftShare float64    // dataset drift when drifted/columns >= this (default 0.5)
	Correction Correction // CorrectionNone by default
	Threads    uint32     // 0: online CPUs
	Bins       uint32     // quantile bins for binned methods (default 10)
}

// ColumnResult is one column of a report.
type ColumnResult struct {
	Name           string
	Kind           ColumnKind
	Method         DriftMethod // never MethodAuto
	MethodName     string      // "ks", "wasserstein", "jensenshannon", ...
	Statistic      float64
	PValue         float64 // NaN for distance methods
	LogPValue      float64
	AdjustedPValue float64
	Score          float64 // what the threshold is compared with
	Threshold      float64
	Drifted        bool
	NRef, NCur     uint64
	RefNaN, RefInf uint64
	CurNaN, CurInf uint64
	Missing        TestResult // z-test of the NaN share
	Chart          Histogram  // what both sides look like (drawn by HTML)
}

// Histogram is the chart data of a report column: len(Ref) bars counting
// finite values of each side. A numeric column with many distinct values
// has equal-width bins (Edges holds len(Ref)+1 edges; Clipped when the end
// bins also count values beyond them); other columns have one bar per
// distinct value (Values; a NaN value is the bar of all the others).
type Histogram struct {
	Edges    []float64
	Values   []float64
	Ref, Cur []uint64
	Clipped  bool
}

func histogramFromC(c *C.mlops_drift_column_result) Histogram {
	n := int(c.hist_n)
	h := Histogram{Clipped: c.hist_clipped != 0}
	if n == 0 {
		return h
	}
	if c.hist_edges != nil {
		h.Edges = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(c.hist_edges)), n+1)...)
	}
	if c.hist_values != nil {
		h.Values = append([]float64(nil), unsafe.Slice((*float64)(unsafe.Pointer(c.hist_values)), n)...)
	}
	if c.hist_ref != nil {
		h.Ref = append([]uint64(nil), unsafe.Slice((*uint64)(unsafe.Pointer(c.hist_ref)), n)...)
	}
	if c.hist_cur != nil {
		h.Cur = append([]uint64(nil), unsafe.Slice((*uint64)(unsafe.Pointer(c.hist_cur)), n)...)
	}
	return h
}

// DriftReport is a dataset drift report. It keeps the library's report
// for JSON, HTML and logging: Close it when done (a finalizer is only a
// safety net).
type DriftReport struct {
	Columns      []ColumnResult
	Drifted      int
	ShareDrifted float64
	DriftShare   float64
	DatasetDrift bool
	Correction   Correction

	mu sync.RWMutex
	r  *C.mlops_drift_report
}

// ComputeDriftReport computes a drift report over columns (in parallel in
// the library). opts may be nil.
func ComputeDriftReport(columns []Column, opts *ReportOptions) (*DriftReport, error) {
	n := len(columns)
	var o C.mlops_drift_report_opts
	var cs cstrings
	defer cs.free()
	var pins columnPointers
	defer pins.release()
	// Go memory holding C pointers (names) or pinned Go pointers (columns)
	// may be passed to C.
	names := make([]*C.char, n)
	kinds := make([]C.int, n)
	refs := make([]*C.double, n)
	curs := make([]*C.double, n)
	nref := make([]C.size_t, n)
	ncur := make([]C.size_t, n)
	custom := false
	for i, c := range columns {
		names[i] = cs.str(c.Name)
		kinds[i] = C.int(c.Kind)
		refs[i], curs[i] = pins.ptr(c.Ref), pins.ptr(c.Cur)
		nref[i], ncur[i] = C.size_t(len(c.Ref)), C.size_t(len(c.Cur))
		custom = custom || c.Method != MethodAuto || c.Threshold != 0
	}
	if err := cs.check(); err != nil {
		return nil, err
	}
	if err := call(func() C.int { return C.mlops_drift_report_opts_init(&o, C.MLOPS_DRIFT_REPORT_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	if opts != nil {
		if opts.DriftShare != 0 {
			o.drift_share = C.double(opts.DriftShare)
		}
		o.correction = C.int(opts.Correction)
		o.threads = C.uint32_t(opts.Threads)
		if opts.Bins != 0 {
			o.bins = C.uint32_t(opts.Bins)
		}
	}
	if custom && n > 0 {
		// The options struct is Go memory: its arrays go to C memory.
		methods := (*C.int)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.int(0)))))
		thresholds := (*C.double)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.double(0)))))
		defer C.free(unsafe.Pointer(methods))
		defer C.free(unsafe.Pointer(thresholds))
		ms, ts := unsafe.Slice(methods, n), unsafe.Slice(thresholds, n)
		for i, c := range columns {
			ms[i] = C.int(c.Method)
			ts[i] = C.double(math.NaN())
			if c.Threshold != 0 {
				ts[i] = C.double(c.Threshold)
			}
		}
		o.methods, o.thresholds = methods, thresholds
	}
	var r *C.mlops_drift_report
	err := call(func() C.int {
		if n == 0 {
			return C.mlops_drift_report_compute(0, nil, nil, nil, nil, nil, nil, &o, &r)
		}
		return C.mlops_drift_report_compute(C.size_t(n), &names[0], &kinds[0], &refs[0], &nref[0], &curs[0], &ncur[0], &o, &r)
	})
	if err != nil {
		return nil, err
	}
	rep := &DriftReport{
		r: r, Drifted: int(r.n_drifted), ShareDrifted: float64(r.share_drifted), DriftShare: float64(r.drift_share),
		DatasetDrift: r.dataset_drift != 0, Correction: Correction(r.correction),
		Columns: make([]ColumnResult, 0, int(r.n_columns)),
	}
	if r.n_columns > 0 {
		for _, c := range unsafe.Slice(r.columns, int(r.n_columns)) {
			rep.Columns = append(rep.Columns, ColumnResult{
				Name: C.GoString(c.name), Kind: ColumnKind(c.kind), Method: DriftMethod(c.method),
				MethodName: goStr(c.method_name), Statistic: float64(c.statistic), PValue: float64(c.p_value),
				LogPValue: float64(c.log_p_value), AdjustedPValue: float64(c.adjusted_p_value), Score: float64(c.score),
				Threshold: float64(c.threshold), Drifted: c.drifted != 0, NRef: uint64(c.n_ref), NCur: uint64(c.n_cur),
				RefNaN: uint64(c.ref_nan), RefInf: uint64(c.ref_inf), CurNaN: uint64(c.cur_nan), CurInf: uint64(c.cur_inf),
				Missing: testResult(c.missing), Chart: histogramFromC(c),
			})
		}
	}
	liveHandles.Add(1)
	runtime.SetFinalizer(rep, (*DriftReport).Close)
	return rep, nil
}

// Close releases the library's report (the Go fields stay readable).
func (r *DriftReport) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.r != nil {
		C.mlops_drift_report_free(r.r)
		r.r = nil
		liveHandles.Add(-1)
	}
	runtime.SetFinalizer(r, nil)
	return nil
}

func (r *DriftReport) read(f func(c *C.mlops_drift_report) C.int) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.r == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(r.r) })
	runtime.KeepAlive(r)
	return err
}

// JSON returns the report as a JSON document (NaN written as null).
func (r *DriftReport) JSON() ([]byte, error) {
	var js *C.char
	if err := r.read(func(c *C.mlops_drift_report) C.int { return C.mlops_drift_report_json(c, &js) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(js))
	return []byte(C.GoString(js)), nil
}

// Log logs the report's figures as metrics of a running run
// (drift.<column>.<statistic>, drift.share_drifted, drift.dataset_drift)
// at step and time t (zero: now), in one transaction.
func (r *DriftReport) Log(run *Run, step int64, t time.Time) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.r == nil {
		return ErrClosed
	}
	err := run.do(nil, func(p *C.mlops_run) C.int {
		return C.mlops_drift_report_log(p, r.r, C.int64_t(step), timeMs(t))
	})
	runtime.KeepAlive(r)
	return err
}

// HTMLOptions configure DriftReport.HTML; zero fields keep the defaults.
type HTMLOptions struct {
	Title         string // default "Data drift report"
	ReferenceName string // e.g. a file name; default "reference"
	CurrentName   string // default "current"
	// Names of the categories of categorical columns, by column name:
	// element k names category code k. Codes without a name show as numbers.
	CategoryLabels map[string][]string
	Generated      time.Time // time shown in the footer (zero: now)
	NoTimestamp    bool      // show no time in the footer
}

// HTML returns the report as one self-contained HTML page (inline CSS and
// SVG, no script, nothing fetched): the verdict, a summary table, and per
// column its figures and a chart of both sides. opts may be nil.
func (r *DriftReport) HTML(opts *HTMLOptions) ([]byte, error) {
	var o C.mlops_drift_html_opts
	var cs cstrings
	defer cs.free()
	if err := call(func() C.int { return C.mlops_drift_html_opts_init(&o, C.MLOPS_DRIFT_HTML_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	var blocks []unsafe.Pointer
	defer func() {
		for _, b := range blocks {
			C.free(b)
		}
	}()
	// cmem is C memory for the arrays the options struct points at.
	cmem := func(n int, size uintptr) unsafe.Pointer {
		p := C.calloc(C.size_t(n), C.size_t(size))
		blocks = append(blocks, p)
		return p
	}
	if opts != nil {
		o.title = cs.opt(opts.Title)
		o.reference_name = cs.opt(opts.ReferenceName)
		o.current_name = cs.opt(opts.CurrentName)
		switch {
		case opts.NoTimestamp:
			o.generated_ms = -1
		case !opts.Generated.IsZero():
			o.generated_ms = timeMs(opts.Generated)
		}
		if len(opts.CategoryLabels) > 0 && len(r.Columns) > 0 {
			n := len(r.Columns)
			outer := unsafe.Slice((***C.char)(cmem(n, unsafe.Sizeof((**C.char)(nil)))), n)
			counts := unsafe.Slice((*C.size_t)(cmem(n, unsafe.Sizeof(C.size_t(0)))), n)
			for i, c := range r.Columns {
				labels := opts.CategoryLabels[c.Name]
				if len(labels) == 0 {
					continue
				}
				inner := unsafe.Slice((**C.char)(cmem(len(labels), unsafe.Sizeof((*C.char)(nil)))), len(labels))
				for k, l := range labels {
					inner[k] = cs.str(l)
				}
				outer[i] = &inner[0]
				counts[i] = C.size_t(len(labels))
			}
			o.category_labels = &outer[0]
			o.category_label_counts = &counts[0]
		}
	}
	if err := cs.check(); err != nil {
		return nil, err
	}
	var html *C.char
	if err := r.read(func(c *C.mlops_drift_report) C.int { return C.mlops_drift_report_html(c, &o, &html) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(html))
	return []byte(C.GoString(html)), nil
}
