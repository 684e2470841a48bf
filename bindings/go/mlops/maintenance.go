package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"time"
	"unsafe"
)

// FsckOptions configure Fsck; the zero value checks every object and
// quarantines corrupt ones.
type FsckOptions struct {
	Sample       float64 // fraction of objects to re-hash, in (0, 1] (0: all)
	NoQuarantine bool    // only report, move nothing to <store>/quarantine/
}

// FsckProblem says what is wrong with an object.
type FsckProblem int

const (
	FsckCorrupt FsckProblem = C.MLOPS_FSCK_CORRUPT // its bytes fail verification
	FsckMissing FsckProblem = C.MLOPS_FSCK_MISSING // recorded, but its file is gone
)

func (p FsckProblem) String() string {
	switch p {
	case FsckCorrupt:
		return "corrupt"
	case FsckMissing:
		return "missing"
	}
	return "unknown"
}

// FsckIssue is one damaged object.
type FsckIssue struct {
	Digest  Digest
	Problem FsckProblem
}

// FsckReport is what Fsck found.
type FsckReport struct {
	Objects      uint64 // objects the store records
	Checked      uint64 // of those, how many were re-hashed
	BytesChecked uint64
	Corrupt      uint64
	Missing      uint64
	Quarantined  uint64 // corrupt files moved to quarantine/
	Orphans      uint64 // unrecorded object files (full checks only; not an error)
	Issues       []FsckIssue
}

// Fsck re-hashes the store's objects (or a random sample) and reports the
// corrupt and missing ones. The report is returned in full also when the
// error is ErrCorrupt (something was found).
func (s *Store) Fsck(opts *FsckOptions) (FsckReport, error) {
	var o C.mlops_fsck_opts
	var r C.mlops_fsck_report
	err := s.with(func(c *C.mlops_store) C.int {
		if rc := C.mlops_fsck_opts_init(&o, C.MLOPS_FSCK_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_fsck_report_init(&r, C.MLOPS_FSCK_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if opts != nil {
			if opts.Sample != 0 {
				o.sample = C.double(opts.Sample)
			}
			if opts.NoQuarantine {
				o.quarantine = 0
			}
		}
		return C.mlops_store_fsck(c, &o, &r)
	})
	defer C.mlops_free(unsafe.Pointer(r.issues))
	rep := FsckReport{
		Objects: uint64(r.objects), Checked: uint64(r.checked), BytesChecked: uint64(r.bytes_checked),
		Corrupt: uint64(r.corrupt), Missing: uint64(r.missing), Quarantined: uint64(r.quarantined),
		Orphans: uint64(r.orphans),
	}
	if r.issues != nil && r.nissues > 0 {
		for _, is := range unsafe.Slice(r.issues, int(r.nissues)) {
			rep.Issues = append(rep.Issues, FsckIssue{Digest: *(*Digest)(unsafe.Pointer(&is.digest)), Problem: FsckProblem(is.problem)})
		}
	}
	return rep, err
}

// GCOptions configure GC; the zero value deletes what nothing reaches and
// nothing touched in the last hour.
type GCOptions struct {
	Grace   time.Duration // protect what was committed, put again or referenced this recently (0: one hour)
	NoGrace bool          // a grace period of zero
	DryRun  bool          // report what would be freed, delete nothing
}

// GCReport is what GC deleted (or, in a dry run, would delete).
type GCReport struct {
	Contents     uint64 // blobs and trees deleted
	Objects      uint64 // object files deleted
	Bytes        uint64 // bytes of those files
	Orphans      uint64 // unrecorded object files older than the grace period, removed
	KeptContents uint64
	KeptObjects  uint64
}

// GC deletes the blobs, trees and objects that no root reaches (named
// references, run outputs, model versions), except what the grace period
// protects. Writers are never blocked for long.
func (s *Store) GC(opts *GCOptions) (GCReport, error) {
	var o C.mlops_gc_opts
	var r C.mlops_gc_report
	err := s.with(func(c *C.mlops_store) C.int {
		if rc := C.mlops_gc_opts_init(&o, C.MLOPS_GC_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_gc_report_init(&r, C.MLOPS_GC_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if opts != nil {
			switch {
			case opts.NoGrace:
				o.grace_ms = 0
			case opts.Grace != 0:
				o.grace_ms = C.int64_t(opts.Grace / time.Millisecond)
			}
			if opts.DryRun {
				o.dry_run = 1
			}
		}
		return C.mlops_store_gc(c, &o, &r)
	})
	return GCReport{
		Contents: uint64(r.contents), Objects: uint64(r.objects), Bytes: uint64(r.bytes), Orphans: uint64(r.orphans),
		KeptContents: uint64(r.kept_contents), KeptObjects: uint64(r.kept_objects),
	}, err
}
