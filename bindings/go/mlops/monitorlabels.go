package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"math"
	"unsafe"
)

// Row windows, delayed labels and performance (monitor.h;
// doc/monitoring.md): a monitor created with a MonitorExt may cut its
// windows by row count, keep each row's id and prediction until its label
// arrives, and judge windows on a performance condition.

// MonitorTask is what a monitor's predictions are.
type MonitorTask int

const (
	TaskNone           MonitorTask = C.MLOPS_MONITOR_TASK_NONE
	TaskClassification MonitorTask = C.MLOPS_MONITOR_TASK_CLASSIFICATION
	TaskRegression     MonitorTask = C.MLOPS_MONITOR_TASK_REGRESSION
)

// MonitorExt holds the settings MonitorSpec has no room for
// (mlops_monitor_ext): WindowRows (0: time windows; else windows of that
// many rows in arrival order), the task with its prediction and id columns
// (LabelColumn: the labels' column the CLI reads, "" for "label"), a
// performance condition in the gate grammar ("metrics.accuracy < 0.8",
// then the breach) and the labels a judged window needs (0: 1).
type MonitorExt struct {
	WindowRows       uint64
	Task             MonitorTask
	PredictionColumn string
	LabelColumn      string
	IDColumn         string
	Performance      string
	MinLabels        uint64
}

// CreateMonitorEx is CreateMonitor with the settings of ext
// (mlops_monitor_create_ex); with WindowRows the spec's window kind is
// rows and its Window is ignored.
func (s *Store) CreateMonitorEx(name string, spec MonitorSpec, ext MonitorExt) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var sp C.mlops_monitor_spec
	cols, err := spec.toC(&cs, &sp)
	defer C.free(cols)
	if err != nil {
		return err
	}
	if ext.WindowRows != 0 {
		sp.window_kind = C.MLOPS_MONITOR_WINDOW_ROWS
	}
	var x C.mlops_monitor_ext
	if err := call(func() C.int { return C.mlops_monitor_ext_init(&x, C.MLOPS_MONITOR_EXT_VERSION) }); err != nil {
		return err
	}
	x.window_rows = C.uint64_t(ext.WindowRows)
	x.task = C.int(ext.Task)
	x.prediction_column = cs.opt(ext.PredictionColumn)
	x.label_column = cs.opt(ext.LabelColumn)
	x.id_column = cs.opt(ext.IDColumn)
	x.performance = cs.opt(ext.Performance)
	if ext.MinLabels != 0 {
		x.min_labels = C.uint64_t(ext.MinLabels)
	}
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_monitor_create_ex(c, n, &sp, &x) })
}

// MonitorExt returns the monitor's row-window, task and performance
// settings (mlops_monitor_ext_get).
func (s *Store) MonitorExt(name string) (MonitorExt, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var m *C.mlops_monitor
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_monitor_get(c, n, &m) }); err != nil {
		return MonitorExt{}, err
	}
	defer C.mlops_monitor_free(m)
	var x C.mlops_monitor_ext
	err := call(func() C.int {
		if rc := C.mlops_monitor_ext_init(&x, C.MLOPS_MONITOR_EXT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_monitor_ext_get(m, &x)
	})
	if err != nil {
		return MonitorExt{}, err
	}
	return MonitorExt{
		WindowRows: uint64(x.window_rows), Task: MonitorTask(x.task), PredictionColumn: goStr(x.prediction_column),
		LabelColumn: goStr(x.label_column), IDColumn: goStr(x.id_column), Performance: goStr(x.performance),
		MinLabels: uint64(x.min_labels),
	}, nil
}

// LabelsResult is what MonitorLabels did: labels joined to a prediction,
// ids with no prediction, ids labeled already, windows changed, and the
// matched labels of windows already judged.
type LabelsResult struct {
	Matched, UnknownIDs, Duplicates, Windows, LateLabels uint64
}

// MonitorLabels ingests labels of earlier predictions, joined by id
// (mlops_monitor_labels_ingest): numeric (one per id) or text labels (one
// per id; classification), the other nil. The first label of an id
// counts; unknown ids are counted. ErrInvalid as the C call says (nothing
// ingested).
func (s *Store) MonitorLabels(name string, ids []string, numeric []float64, text []string) (LabelsResult, error) {
	if (numeric == nil) == (text == nil) {
		return LabelsResult{}, &Error{Code: CodeInvalid, Message: "mlops: give numeric or text labels (one of them)"}
	}
	if len(numeric)+len(text) != len(ids) {
		return LabelsResult{}, &Error{Code: CodeInvalid, Message: "mlops: ids and labels differ in length"}
	}
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	idb, err := stringColumn(ids, nil)
	if err != nil {
		return LabelsResult{}, err
	}
	defer C.free(idb)
	var num unsafe.Pointer
	var txt unsafe.Pointer
	if numeric != nil {
		num = C.malloc(C.size_t(8 * (len(numeric) + 1)))
		copy(unsafe.Slice((*float64)(num), len(numeric)), numeric)
	} else {
		if txt, err = stringColumn(text, nil); err != nil {
			return LabelsResult{}, err
		}
	}
	defer C.free(num)
	defer C.free(txt)
	var r C.mlops_monitor_labels_result
	if err := call(func() C.int {
		return C.mlops_monitor_labels_result_init(&r, C.MLOPS_MONITOR_LABELS_RESULT_VERSION)
	}); err != nil {
		return LabelsResult{}, err
	}
	err = s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_monitor_labels_ingest(c, n, C.size_t(len(ids)), (**C.char)(idb), (*C.double)(num),
			(**C.char)(txt), &r)
	})
	if err != nil {
		return LabelsResult{}, err
	}
	return LabelsResult{uint64(r.matched), uint64(r.unknown_ids), uint64(r.duplicates), uint64(r.windows),
		uint64(r.late_labels)}, nil
}

// MonitorPerformance is a window's performance: the labels joined so far
// and the task's metrics (NaN for other tasks' or without labels), and the
// condition's value and labels when it was judged.
type MonitorPerformance struct {
	StartMs                             int64
	Task                                MonitorTask
	Labels                              uint64
	Accuracy, BalancedAccuracy, F1Macro float64
	MAE, MSE, RMSE, R2, MeanError       float64
	JudgedLabels                        uint64
	JudgedValue                         float64
}

// MonitorPerformance returns the performance of the windows starting in
// [fromMs, toMs) (both 0: every window), in order
// (mlops_monitor_series_performance).
func (s *Store) MonitorPerformance(name string, fromMs, toMs int64) ([]MonitorPerformance, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	if fromMs == 0 && toMs == 0 {
		fromMs, toMs = math.MinInt64, math.MaxInt64
	}
	var sr *C.mlops_monitor_series
	if err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_monitor_series_get(c, n, C.int64_t(fromMs), C.int64_t(toMs), &sr)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_monitor_series_free(sr)
	nw := int(C.mlops_monitor_series_count(sr))
	out := make([]MonitorPerformance, nw)
	err := call(func() C.int {
		var w C.mlops_monitor_window
		var p C.mlops_monitor_performance
		for i := 0; i < nw; i++ {
			if rc := C.mlops_monitor_series_window(sr, C.size_t(i), &w); rc != C.MLOPS_OK {
				return rc
			}
			if rc := C.mlops_monitor_performance_init(&p, C.MLOPS_MONITOR_PERFORMANCE_VERSION); rc != C.MLOPS_OK {
				return rc
			}
			if rc := C.mlops_monitor_series_performance(sr, C.size_t(i), &p); rc != C.MLOPS_OK {
				return rc
			}
			out[i] = MonitorPerformance{
				StartMs: int64(w.start_ms), Task: MonitorTask(p.task), Labels: uint64(p.labels),
				Accuracy: float64(p.accuracy), BalancedAccuracy: float64(p.balanced_accuracy), F1Macro: float64(p.f1_macro),
				MAE: float64(p.mae), MSE: float64(p.mse), RMSE: float64(p.rmse), R2: float64(p.r2),
				MeanError: float64(p.mean_error), JudgedLabels: uint64(p.judged_labels), JudgedValue: float64(p.judged_value),
			}
		}
		return C.MLOPS_OK
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
