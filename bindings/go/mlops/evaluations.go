package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"math"
	"sort"
	"time"
	"unsafe"
)

// RecordedMetric is one metric of an evaluation record: its value (NaN
// kept bit for bit), the library's reason code (Reason: why a value is
// undefined, 0 when defined) and the interval bounds when some were
// recorded.
type RecordedMetric struct {
	Value       float64
	Reason      Reason
	HasInterval bool
	Low, High   float64 // NaN when HasInterval is false
}

// Evaluation is a recorded evaluation of a model version on a dataset
// (registry.h, "Evaluation records"; libmlops 1.1).
type Evaluation struct {
	ID      int64
	Model   string // the model's current name
	Version int64
	Dataset Digest // the digest of the data it ran on
	Created time.Time
	Actor   string
	Reason  string // "" when none was given
	Metrics map[string]RecordedMetric
}

func evaluationFromC(e *C.mlops_evaluation) (Evaluation, error) {
	ev := Evaluation{
		ID:      int64(C.mlops_evaluation_id(e)),
		Model:   goStr(C.mlops_evaluation_model(e)),
		Version: int64(C.mlops_evaluation_model_version(e)),
		Dataset: *(*Digest)(unsafe.Pointer(C.mlops_evaluation_dataset(e))),
		Created: msTime(C.mlops_evaluation_created_ms(e)),
		Actor:   goStr(C.mlops_evaluation_actor(e)),
		Reason:  goStr(C.mlops_evaluation_reason(e)),
		Metrics: map[string]RecordedMetric{},
	}
	for i, n := C.size_t(0), C.mlops_evaluation_metric_count(e); i < n; i++ {
		var m C.mlops_evaluation_metric
		if err := call(func() C.int {
			if rc := C.mlops_evaluation_metric_init(&m, C.MLOPS_EVALUATION_METRIC_VERSION); rc != C.MLOPS_OK {
				return rc
			}
			return C.mlops_evaluation_metric_at(e, i, &m)
		}); err != nil {
			return ev, err
		}
		ev.Metrics[C.GoString(m.name)] = RecordedMetric{
			Value: float64(m.value), Reason: Reason(m.reason), HasInterval: m.has_interval != 0,
			Low: float64(m.low), High: float64(m.high),
		}
	}
	return ev, nil
}

// RecordEvaluation records how version of model (not deleted) scored on
// the dataset whose digest is dataset, and returns the evaluation's id.
// When any metric has an interval, those without get NaN bounds (the
// library records bounds for all metrics or none).
func (s *Store) RecordEvaluation(model string, version int64, dataset Digest, metrics map[string]RecordedMetric, ch *Change) (int64, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	names := make([]string, 0, len(metrics))
	bounds := false
	for k, v := range metrics {
		names = append(names, k)
		bounds = bounds || v.HasInterval
	}
	sort.Strings(names)
	n := len(names)
	var in C.mlops_evaluation_input
	if err := call(func() C.int { return C.mlops_evaluation_input_init(&in, C.MLOPS_EVALUATION_INPUT_VERSION) }); err != nil {
		return 0, err
	}
	in.n = C.size_t(n)
	if n > 0 {
		// The input struct is Go memory: the arrays it points at are C memory.
		cn := (**C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		cv := (*C.double)(C.malloc(C.size_t(3*n) * C.size_t(unsafe.Sizeof(C.double(0)))))
		cr := (*C.int)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.int(0)))))
		defer C.free(unsafe.Pointer(cn))
		defer C.free(unsafe.Pointer(cv))
		defer C.free(unsafe.Pointer(cr))
		ns, vs, rs := unsafe.Slice(cn, n), unsafe.Slice(cv, 3*n), unsafe.Slice(cr, n)
		for i, k := range names {
			v := metrics[k]
			ns[i], vs[i], rs[i] = cs.str(k), C.double(v.Value), C.int(v.Reason)
			lo, hi := math.NaN(), math.NaN()
			if v.HasInterval {
				lo, hi = v.Low, v.High
			}
			vs[n+i], vs[2*n+i] = C.double(lo), C.double(hi)
		}
		in.names, in.values, in.reasons = cn, cv, cr
		if bounds {
			in.low = (*C.double)(unsafe.Pointer(&vs[n]))
			in.high = (*C.double)(unsafe.Pointer(&vs[2*n]))
		}
	}
	var id C.int64_t
	err := s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_evaluation_record(c, m, C.int64_t(version), dataset.c(), &in, o, &id)
	})
	return int64(id), err
}

// Evaluation returns evaluation id (of any version, deleted or not).
func (s *Store) Evaluation(id int64) (*Evaluation, error) {
	var e *C.mlops_evaluation
	if err := s.with(func(c *C.mlops_store) C.int { return C.mlops_evaluation_get(c, C.int64_t(id), &e) }); err != nil {
		return nil, err
	}
	defer C.mlops_evaluation_free(e)
	ev, err := evaluationFromC(e)
	if err != nil {
		return nil, err
	}
	return &ev, nil
}

// EvaluationQuery selects a page of a version's evaluations (nil: all).
type EvaluationQuery struct {
	Dataset *Digest // only the evaluations on this dataset
	AfterID int64   // only ids above this (paging)
	Limit   int     // at most this many (0: no limit)
}

// Evaluations lists the evaluations of version of model (a deleted
// version's too), oldest first: the last is the latest.
func (s *Store) Evaluations(model string, version int64, q *EvaluationQuery) ([]Evaluation, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	var o C.mlops_evaluation_list_opts
	if err := call(func() C.int {
		return C.mlops_evaluation_list_opts_init(&o, C.MLOPS_EVALUATION_LIST_OPTS_VERSION)
	}); err != nil {
		return nil, err
	}
	if q != nil {
		if q.Limit < 0 {
			return nil, &Error{Code: CodeInvalid, Message: "mlops: Evaluations: negative limit"}
		}
		if q.Dataset != nil {
			// a C copy: the options struct (Go memory) may not point at Go memory
			d := (*C.mlops_digest)(C.malloc(C.size_t(unsafe.Sizeof(C.mlops_digest{}))))
			defer C.free(unsafe.Pointer(d))
			*d = *q.Dataset.c()
			o.dataset = d
		}
		o.after_id = C.int64_t(q.AfterID)
		o.limit = C.size_t(q.Limit)
	}
	var l *C.mlops_evaluations
	if err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_evaluation_list(c, m, C.int64_t(version), &o, &l)
	}); err != nil {
		return nil, err
	}
	defer C.mlops_evaluations_free(l)
	n := C.mlops_evaluations_count(l)
	out := make([]Evaluation, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		ev, err := evaluationFromC(C.mlops_evaluations_at(l, i))
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}
