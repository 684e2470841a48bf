package mlops

/*
#include <mlops.h>
*/
import "C"

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// liveHandles counts the C handles the package holds (store children,
// profiles, reports; not stores), for the tests' leak check.
var liveHandles atomic.Int64

// handle owns one C handle that depends on a store (a run, a blob reader,
// a blob writer, an iterator). The store keeps the set of its open handles
// so that Store.Close can release them before the store itself: a C handle
// must never outlive its store. The user-facing Go value points at its
// handle and carries the finalizer; the store's set points only at the
// handle, so an abandoned Go value can still be collected.
type handle struct {
	mu   sync.RWMutex
	p    unsafe.Pointer
	free func(unsafe.Pointer)
}

// release frees the C handle once; later calls do nothing.
func (h *handle) release() {
	h.mu.Lock()
	if h.p != nil {
		h.free(h.p)
		h.p = nil
		liveHandles.Add(-1)
	}
	h.mu.Unlock()
}

// attach registers a new C handle p of the store, released by free.
func (s *Store) attach(p unsafe.Pointer, free func(unsafe.Pointer)) *handle {
	h := &handle{p: p, free: free}
	liveHandles.Add(1)
	s.kidsMu.Lock()
	s.kids[h] = struct{}{}
	s.kidsMu.Unlock()
	return h
}

// open runs f, which opens a C handle depending on the store, and
// registers the handle within the same read-locked call, so that Close
// cannot run between the two. cs (may be nil) is checked first as withs.
func (s *Store) open(cs *cstrings, f func(c *C.mlops_store) (unsafe.Pointer, C.int), free func(unsafe.Pointer)) (*handle, error) {
	if cs != nil {
		if err := cs.check(); err != nil {
			return nil, err
		}
	}
	var h *handle
	err := s.with(func(c *C.mlops_store) C.int {
		p, rc := f(c)
		if rc == C.MLOPS_OK {
			h = s.attach(p, free)
		}
		return rc
	})
	return h, err
}

// detach releases h and forgets it.
func (s *Store) detach(h *handle) {
	h.release()
	s.kidsMu.Lock()
	delete(s.kids, h)
	s.kidsMu.Unlock()
}

// withHandle runs f on h's C pointer while holding the store open and h
// alive. exclusive serialises the calls on h (for C handles that one
// thread at a time may use).
func (s *Store) withHandle(h *handle, exclusive bool, f func(p unsafe.Pointer) C.int) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return ErrClosed
	}
	if exclusive {
		h.mu.Lock()
		defer h.mu.Unlock()
	} else {
		h.mu.RLock()
		defer h.mu.RUnlock()
	}
	if h.p == nil {
		return ErrClosed
	}
	return call(func() C.int { return f(h.p) })
}
