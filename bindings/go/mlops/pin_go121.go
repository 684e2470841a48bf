//go:build go1.21

package mlops

/*
#include <mlops.h>
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// columnPointers hands C pointers to several float64 slices at once (an
// array of pointers). cgo's rules allow Go memory holding Go pointers only
// when they are pinned: from Go 1.21 on the slices are pinned for the call
// and read in place.
type columnPointers struct {
	pin runtime.Pinner
}

func (c *columnPointers) ptr(x []float64) *C.double {
	if len(x) == 0 {
		return nil
	}
	c.pin.Pin(&x[0])
	return f64(x)
}

// iptr is ptr for a label slice (Go int32 is C int on every platform cgo
// supports here).
func (c *columnPointers) iptr(x []int32) *C.int {
	if len(x) == 0 {
		return nil
	}
	c.pin.Pin(&x[0])
	return (*C.int)(unsafe.Pointer(&x[0]))
}

func (c *columnPointers) release() { c.pin.Unpin() }
