package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"errors"
	"math"
	"unsafe"
)

// Gate is an alias's promotion gate (registry.h, "Promotion gates";
// doc/gates.md; libmlops 1.1): its conditions in canonical text and the
// dataset whose latest evaluation metrics.X reads (nil: the metrics of the
// run that produced the version).
type Gate struct {
	Conditions []string
	Dataset    *Digest
}

// GateCheck is one condition decided for one candidate version. Outcome
// is "pass", "fail" or "skip" (it reads the baseline, and there is none);
// Left and Right are NaN when not known (a missing value).
type GateCheck struct {
	Candidate   int64
	Condition   string
	Outcome     string
	Left, Right float64
	Why         string
}

// GateDecision is what a promotion decided. Promoted: the alias points at
// the version now. Gated: the alias has a gate, and Event is the audit
// event of the decision. Passed: every condition passed or was skipped.
// Forced: refused, and moved by force. Baseline: the version the alias
// pointed at (0: none).
type GateDecision struct {
	Promoted, Gated, Passed, Forced bool
	Baseline, Event                 int64
	Checks                          []GateCheck
}

// SetGate sets the gate of alias of model (replacing the one it had) to
// conditions; dataset may be nil. ErrInvalid for a condition that does
// not parse (the message names it and the column), none, or more than 64.
func (s *Store) SetGate(model, alias string, conditions []string, dataset *Digest, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	n := len(conditions)
	var arr **C.char
	if n > 0 {
		// C memory: the array of C strings.
		arr = (**C.char)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof((*C.char)(nil)))))
		defer C.free(unsafe.Pointer(arr))
		ps := unsafe.Slice(arr, n)
		for i, c := range conditions {
			ps[i] = cs.str(c)
		}
	}
	var d *C.mlops_digest
	if dataset != nil {
		d = dataset.c()
	}
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_gate_set(c, m, a, arr, C.size_t(n), d, o)
	})
}

// Gate returns the gate of alias of model (ErrNotFound when it has none).
func (s *Store) Gate(model, alias string) (*Gate, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var g *C.mlops_gate
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_gate_get(c, m, a, &g) }); err != nil {
		return nil, err
	}
	defer C.mlops_gate_free(g)
	out := &Gate{}
	for i, n := C.size_t(0), C.mlops_gate_count(g); i < n; i++ {
		out.Conditions = append(out.Conditions, C.GoString(C.mlops_gate_condition(g, i)))
	}
	if d := C.mlops_gate_dataset(g); d != nil {
		dv := *(*Digest)(unsafe.Pointer(d))
		out.Dataset = &dv
	}
	return out, nil
}

// ClearGate removes the gate of alias of model (ErrNotFound when none).
func (s *Store) ClearGate(model, alias string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_gate_clear(c, m, a, o)
	})
}

var gateOutcomes = map[C.int]string{C.MLOPS_GATE_PASS: "pass", C.MLOPS_GATE_FAIL: "fail", C.MLOPS_GATE_SKIP: "skip"}

func decisionFromC(d *C.mlops_gate_decision, promoted bool) (*GateDecision, error) {
	out := &GateDecision{
		Promoted: promoted,
		Gated:    C.mlops_gate_decision_gated(d) != 0,
		Passed:   C.mlops_gate_decision_passed(d) != 0,
		Forced:   C.mlops_gate_decision_forced(d) != 0,
		Baseline: int64(C.mlops_gate_decision_baseline(d)),
		Event:    int64(C.mlops_gate_decision_event(d)),
	}
	for i, n := C.size_t(0), C.mlops_gate_decision_count(d); i < n; i++ {
		var k C.mlops_gate_check
		if err := call(func() C.int {
			if rc := C.mlops_gate_check_init(&k, C.MLOPS_GATE_CHECK_VERSION); rc != C.MLOPS_OK {
				return rc
			}
			return C.mlops_gate_decision_at(d, i, &k)
		}); err != nil {
			return nil, err
		}
		l, r := math.NaN(), math.NaN()
		if k.left_known != 0 {
			l = float64(k.left)
		}
		if k.right_known != 0 {
			r = float64(k.right)
		}
		out.Checks = append(out.Checks, GateCheck{
			Candidate: int64(k.candidate), Condition: C.GoString(k.condition),
			Outcome: gateOutcomes[k.outcome], Left: l, Right: r, Why: C.GoString(k.why),
		})
	}
	return out, nil
}

// Promote moves alias of model to version if the alias's gate passes it
// (doc/gates.md); the decision is recorded in the audit log either way.
// A refusal by the gate returns the decision and an error that is
// ErrPolicy (errors.Is). force moves the alias anyway and needs a reason
// in ch. A signing policy's refusal is ErrPolicy with a nil decision.
func (s *Store) Promote(model string, version int64, alias string, force bool, ch *Change) (*GateDecision, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var po C.mlops_promote_opts
	if err := call(func() C.int { return C.mlops_promote_opts_init(&po, C.MLOPS_PROMOTE_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	if force {
		po.force = 1
	}
	var d *C.mlops_gate_decision
	err := s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_promote(c, m, C.int64_t(version), a, &po, o, &d)
	})
	if d == nil {
		return nil, err
	}
	defer C.mlops_gate_decision_free(d)
	if err != nil && !errors.Is(err, ErrPolicy) {
		return nil, err
	}
	out, derr := decisionFromC(d, err == nil)
	if derr != nil {
		return nil, derr
	}
	return out, err
}
