// Package mlops is the Go binding of libmlops, the embeddable MLOps core:
// a content-addressed artifact store, experiment records, a model registry
// with a tamper-evident audit log and signatures, and drift statistics.
//
// Import it as
//
//	import "github.com/libmlops/libmlops/bindings/go/mlops"
//
// (module github.com/libmlops/libmlops/bindings/go). It is a thin cgo
// binding: every function calls one libmlops C function (found with
// pkg-config as "libmlops", major version 1, checked at compile time) and
// turns its result into Go values; no storage or statistics logic lives
// in Go.
//
// # Handles and lifetimes
//
// Open returns a *Store, safe for concurrent use; Close it when done.
// Create (a new store, its metadata optionally in PostgreSQL, named by a
// Location) and OpenLocation (a shared store without a directory) return
// one too.
// Runs, blob readers, blob writers and iterators are opened from a store
// and are released by their own Close (or Commit/Abort); Store.Close releases any
// still open, and calls on them then fail with ErrClosed. Profiles and
// drift reports do not depend on a store and have their own Close.
// Finalizers release abandoned handles, but only as a safety net.
// Snapshots (Experiment, RunInfo, Model, ModelVersion, ...) are plain Go
// values copied from the library.
//
// # Errors
//
// A failing call returns an *Error carrying the library's code and its
// message (what failed, on which object, and why). Match kinds with
// errors.Is against the sentinels: ErrNotFound, ErrExists, ErrConflict,
// ErrCorrupt, ErrInvalid, ErrIO, ErrBusy, ErrFormat, ErrUnsupported,
// ErrReadOnly, ErrPolicy, ErrSignature, ErrPermission, ErrNoMemory.
// ErrNotFound also matches fs.ErrNotExist and ErrExists fs.ErrExist. The
// library keeps the message per OS thread, so each call and the read of
// its message run with the goroutine locked to its thread.
//
// # Memory
//
// Go memory is passed to C only for the duration of a call and never
// holds Go pointers (cgo's rules): drift functions read a []float64 in
// place through a pointer to its first element, Put streams through a
// buffer the library copies, and strings are copied to C. Reports over
// several columns pin the slices (Go 1.21 and later) or, on older Go,
// copy them once into C memory.
//
// # Time
//
// Times are time.Time at millisecond precision (the library keeps
// milliseconds since the epoch, UTC); the zero Time stands for "none"
// (or, where a time is an input, "now").
package mlops
