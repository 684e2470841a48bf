//go:build !go1.21

package mlops

/*
#include <stdlib.h>
#include <string.h>
#include <mlops.h>
*/
import "C"

import "unsafe"

// columnPointers hands C pointers to several float64 slices at once (an
// array of pointers). Before Go 1.21 there is no way to pin Go memory, and
// cgo's rules forbid passing Go memory that holds Go pointers, so each
// slice is copied once into C memory for the call.
type columnPointers struct {
	bufs []unsafe.Pointer
}

func (c *columnPointers) ptr(x []float64) *C.double {
	if len(x) == 0 {
		return nil
	}
	n := C.size_t(len(x)) * C.size_t(unsafe.Sizeof(C.double(0)))
	p := C.malloc(n)
	C.memcpy(p, unsafe.Pointer(&x[0]), n)
	c.bufs = append(c.bufs, p)
	return (*C.double)(p)
}

// iptr is ptr for a label slice, copied into C memory the same way.
func (c *columnPointers) iptr(x []int32) *C.int {
	if len(x) == 0 {
		return nil
	}
	n := C.size_t(len(x)) * C.size_t(unsafe.Sizeof(C.int(0)))
	p := C.malloc(n)
	C.memcpy(p, unsafe.Pointer(&x[0]), n)
	c.bufs = append(c.bufs, p)
	return (*C.int)(p)
}

func (c *columnPointers) release() {
	for _, p := range c.bufs {
		C.free(p)
	}
	c.bufs = nil
}
