package mlops

/*
#include <mlops.h>
*/
import "C"

import (
	"io/fs"
	"runtime"
)

// Code is a libmlops error code (the MLOPS_E* values of mlops/common.h).
type Code int

// The error codes. Their values are those of the C library and never change.
const (
	CodeOK          Code = C.MLOPS_OK
	CodeInvalid     Code = C.MLOPS_EINVAL
	CodeNotFound    Code = C.MLOPS_ENOTFOUND
	CodeExists      Code = C.MLOPS_EEXIST
	CodeConflict    Code = C.MLOPS_ECONFLICT
	CodeCorrupt     Code = C.MLOPS_ECORRUPT
	CodeIO          Code = C.MLOPS_EIO
	CodeNoMemory    Code = C.MLOPS_ENOMEM
	CodeBusy        Code = C.MLOPS_EBUSY
	CodeFormat      Code = C.MLOPS_EFORMAT
	CodeUnsupported Code = C.MLOPS_EUNSUPPORTED
	CodeReadOnly    Code = C.MLOPS_EREADONLY
	CodePolicy      Code = C.MLOPS_EPOLICY
	CodeSignature   Code = C.MLOPS_ESIGNATURE
	// CodePermission: the database refused the action to the role the
	// store connects as (since 1.1; doc/shared-stores.md).
	CodePermission Code = C.MLOPS_EPERM
)

// String returns the library's name for the code ("not found", ...).
func (c Code) String() string { return C.GoString(C.mlops_strerror(C.int(c))) }

// Error is a failure reported by libmlops: the code the C function
// returned and the library's message for it (what failed, on which object,
// and why). Test for a kind of failure with errors.Is and the Err*
// sentinels:
//
//	if errors.Is(err, mlops.ErrNotFound) { ... }
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "mlops: " + e.Code.String()
	}
	return "mlops: " + e.Message + " (" + e.Code.String() + ")"
}

// Is reports whether target is the sentinel of e's code (an *Error with the
// same code and no message). ErrNotFound also matches fs.ErrNotExist and
// ErrExists fs.ErrExist.
func (e *Error) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.Code == CodeNotFound
	case fs.ErrExist:
		return e.Code == CodeExists
	}
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels for errors.Is, one per code.
var (
	ErrInvalid     = &Error{Code: CodeInvalid}
	ErrNotFound    = &Error{Code: CodeNotFound}
	ErrExists      = &Error{Code: CodeExists}
	ErrConflict    = &Error{Code: CodeConflict}
	ErrCorrupt     = &Error{Code: CodeCorrupt}
	ErrIO          = &Error{Code: CodeIO}
	ErrNoMemory    = &Error{Code: CodeNoMemory}
	ErrBusy        = &Error{Code: CodeBusy}
	ErrFormat      = &Error{Code: CodeFormat}
	ErrUnsupported = &Error{Code: CodeUnsupported}
	ErrReadOnly    = &Error{Code: CodeReadOnly}
	ErrPolicy      = &Error{Code: CodePolicy}
	ErrSignature   = &Error{Code: CodeSignature}
	ErrPermission  = &Error{Code: CodePermission}
)

// ErrClosed is returned by a call on a Store (or a handle from it) after
// Close. errors.Is(ErrClosed, ErrInvalid) holds.
var ErrClosed = &Error{Code: CodeInvalid, Message: "mlops: use of a closed handle"}

// lastError builds the error for code rc from the calling thread's
// library message. Callers hold the OS thread (see call).
func lastError(rc C.int) error {
	return &Error{Code: Code(rc), Message: C.GoString(C.mlops_last_error())}
}

// call runs one C call with the goroutine pinned to its OS thread, so that
// the thread-local message read after a failure is the one that call set.
func call(f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if rc := f(); rc != C.MLOPS_OK {
		return lastError(rc)
	}
	return nil
}
