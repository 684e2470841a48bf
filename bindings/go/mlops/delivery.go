package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// Weighted aliases and routing (registry.h, "Weighted aliases and
// routing"; doc/delivery.md): an alias that splits traffic between
// versions ("3:90,4:10", with "+shadow:5" a version that gets mirrored
// traffic and is never routed to), ramp steps, rollbacks, point-in-time
// splits, and routing keys to versions with the store or from a
// RouteSnapshot.

// Leg is one version of a split with its share in percent.
type Leg struct {
	Version int64
	Weight  int
}

// AliasSplit is the split of a weighted alias.
type AliasSplit struct {
	Alias   string
	Text    string // canonical: "3:90,4:10+shadow:5", "4" for one version
	Legs    []Leg  // by ascending version
	Primary int64  // the largest share, the lower number on a tie (what Alias returns)
	Shadow  int64  // 0: none
	Salt    string // the routing salt ("" while the alias has none)
}

func splitFromC(sp *C.mlops_alias_split) AliasSplit {
	out := AliasSplit{
		Alias:   goStr(C.mlops_alias_split_alias(sp)),
		Text:    goStr(C.mlops_alias_split_text(sp)),
		Primary: int64(C.mlops_alias_split_primary(sp)),
		Shadow:  int64(C.mlops_alias_split_shadow(sp)),
		Salt:    goStr(C.mlops_alias_split_salt(sp)),
	}
	n := C.mlops_alias_split_count(sp)
	for i := C.size_t(0); i < n; i++ {
		var v C.int64_t
		var w C.int
		if C.mlops_alias_split_at(sp, i, &v, &w) == C.MLOPS_OK {
			out.Legs = append(out.Legs, Leg{int64(v), int(w)})
		}
	}
	return out
}

// SetAliasSplit sets alias of model to split, in its text form
// ("3:90,4:10", "3:90,4:10+shadow:5", or a plain "4"). ErrInvalid for a
// malformed split (weights not summing to 100...), ErrNotFound for a
// version missing or deleted, ErrPolicy when the alias's gate or signing
// policy refuses.
func (s *Store) SetAliasSplit(model, alias, split string, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a, t := cs.str(model), cs.str(alias), cs.str(split)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_split_set(c, m, a, t, o)
	})
}

// RampAlias gives version weight percent of the alias's traffic, moving
// the difference from or to the largest other share (100: full
// promotion, 0: the version out).
func (s *Store) RampAlias(model, alias string, version int64, weight int, ch *Change) error {
	if weight < math.MinInt32 || weight > math.MaxInt32 {
		// C.int would keep the low 32 bits (1<<32 + 50 would be 50).
		return invalid(fmt.Sprintf("RampAlias: weight %d does not fit a C int", weight))
	}
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_ramp(c, m, a, C.int64_t(version), C.int(weight), o)
	})
}

// RollbackAlias puts the alias back to its split before its last change
// (t zero), or to the split it had at t.
func (s *Store) RollbackAlias(model, alias string, t time.Time, ch *Change) error {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var ms int64
	if !t.IsZero() {
		ms = t.UnixMilli()
	}
	return s.change(&cs, ch, func(c *C.mlops_store, o *C.mlops_change_opts) C.int {
		return C.mlops_model_alias_rollback(c, m, a, C.int64_t(ms), o)
	})
}

// getSplit runs f, which fills a new split object, and copies it out.
func (s *Store) getSplit(cs *cstrings, f func(c *C.mlops_store, out **C.mlops_alias_split) C.int) (AliasSplit, error) {
	var sp *C.mlops_alias_split
	if err := s.withs(cs, func(c *C.mlops_store) C.int { return f(c, &sp) }); err != nil {
		return AliasSplit{}, err
	}
	defer C.mlops_alias_split_free(sp)
	return splitFromC(sp), nil
}

// AliasSplit returns the alias's split now (reserved aliases: their one
// version). ErrNotFound when it is not set.
func (s *Store) AliasSplit(model, alias string) (AliasSplit, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.getSplit(&cs, func(c *C.mlops_store, out **C.mlops_alias_split) C.int {
		return C.mlops_model_alias_split_get(c, m, a, out)
	})
}

// AliasSplitAt returns the split the alias had at t, from the audit log.
func (s *Store) AliasSplitAt(model, alias string, t time.Time) (AliasSplit, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	return s.getSplit(&cs, func(c *C.mlops_store, out **C.mlops_alias_split) C.int {
		return C.mlops_audit_alias_split_at(c, m, a, C.int64_t(t.UnixMilli()), out)
	})
}

// AliasSplits returns the splits of the model's aliases, by alias.
func (s *Store) AliasSplits(model string) ([]AliasSplit, error) {
	var cs cstrings
	defer cs.free()
	m := cs.str(model)
	var l *C.mlops_alias_splits
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_alias_splits(c, m, &l) }); err != nil {
		return nil, err
	}
	defer C.mlops_alias_splits_free(l)
	n := C.mlops_alias_splits_count(l)
	out := make([]AliasSplit, 0, int(n))
	for i := C.size_t(0); i < n; i++ {
		out = append(out, splitFromC(C.mlops_alias_splits_at(l, i)))
	}
	return out, nil
}

// keyPtr is the C view of a key's bytes (NULL for an empty key).
func keyPtr(key []byte) unsafe.Pointer {
	if len(key) == 0 {
		return nil
	}
	return unsafe.Pointer(&key[0])
}

// Route returns the version key is routed to by the alias now (one read
// of the store; for many keys take a RouteSnapshot). ErrNotFound for an
// alias that is not set (never, or deleted).
func (s *Store) Route(model, alias string, key []byte) (int64, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var v C.int64_t
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_model_route(c, m, a, keyPtr(key), C.size_t(len(key)), &v)
	})
	return int64(v), err
}

// RouteSnapshot is one alias's split and salt, taken once: Route reads no
// database, and any number of goroutines may route from it at once. It
// keeps the split it was taken with; it does not depend on the store
// staying open. Close releases it.
type RouteSnapshot struct {
	mu sync.RWMutex
	p  *C.mlops_route_snapshot
}

// RouteSnapshot takes a routing snapshot of the alias's split now.
func (s *Store) RouteSnapshot(model, alias string) (*RouteSnapshot, error) {
	var cs cstrings
	defer cs.free()
	m, a := cs.str(model), cs.str(alias)
	var p *C.mlops_route_snapshot
	if err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_model_route_snapshot(c, m, a, &p) }); err != nil {
		return nil, err
	}
	r := &RouteSnapshot{p: p}
	liveHandles.Add(1)
	runtime.SetFinalizer(r, (*RouteSnapshot).Close)
	return r, nil
}

// Route returns the version key goes to.
func (r *RouteSnapshot) Route(key []byte) (int64, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return 0, ErrClosed
	}
	var v C.int64_t
	if err := call(func() C.int {
		return C.mlops_route_snapshot_route(r.p, keyPtr(key), C.size_t(len(key)), &v)
	}); err != nil {
		return 0, err
	}
	return int64(v), nil
}

// RouteString is Route of the string's bytes.
func (r *RouteSnapshot) RouteString(key string) (int64, error) {
	return r.Route([]byte(key))
}

// Split returns the split the snapshot routes by.
func (r *RouteSnapshot) Split() (AliasSplit, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.p == nil {
		return AliasSplit{}, ErrClosed
	}
	return splitFromC(C.mlops_route_snapshot_split(r.p)), nil
}

// Close releases the snapshot. Closing twice is a no-op.
func (r *RouteSnapshot) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p != nil {
		C.mlops_route_snapshot_free(r.p)
		r.p = nil
		liveHandles.Add(-1)
	}
	runtime.SetFinalizer(r, nil)
	return nil
}
