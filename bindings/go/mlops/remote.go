package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"unsafe"
)

// Remotes, push and pull (doc/remotes.md). A remote is a directory or an
// s3://bucket/prefix location shared by several stores. Push sends what
// selections reach, each object the remote lacks once; Pull brings it into
// this store, each object and blob verified before any of it is visible.
// A selection is "sha256:HEX", "ref:NAME", "run:ID", "model:NAME@ALIAS"
// or "model:NAME/N". Since libmlops 1.1.

// Remote is one of a store's remotes.
type Remote struct {
	Name string
	URL  string
}

// TransferReport says what a Push or Pull did.
type TransferReport struct {
	Contents       uint64 // blobs and trees the selections reach
	Objects        uint64 // distinct objects they need
	ObjectsSent    uint64 // copied by this call
	ObjectsPresent uint64 // already at the destination
	BytesSent      uint64 // stored bytes copied
	Lookups        uint64 // objects asked about one by one (push)
	Listed         uint64 // objects seen by listing the remote instead (push)
}

// RemoteAdd records the remote name at url (s3://bucket/prefix or a
// directory; a relative one is made absolute). ErrExists when the name is
// taken.
func (s *Store) RemoteAdd(name, url string) error {
	var cs cstrings
	defer cs.free()
	n, u := cs.str(name), cs.str(url)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_remote_add(c, n, u) })
}

// RemoteRemove forgets the remote name (ErrNotFound when there is none).
func (s *Store) RemoteRemove(name string) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_remote_remove(c, n) })
}

// Remotes lists the store's remotes by name.
func (s *Store) Remotes() ([]Remote, error) {
	var out []Remote
	err := s.with(func(c *C.mlops_store) C.int {
		var l *C.mlops_remotes
		if rc := C.mlops_remote_list(c, &l); rc != C.MLOPS_OK {
			return rc
		}
		defer C.mlops_remotes_free(l)
		n := int(C.mlops_remotes_count(l))
		for i := 0; i < n; i++ {
			var name, url *C.char
			if rc := C.mlops_remotes_at(l, C.size_t(i), &name, &url); rc != C.MLOPS_OK {
				return rc
			}
			out = append(out, Remote{C.GoString(name), C.GoString(url)})
		}
		return C.MLOPS_OK
	})
	return out, err
}

func (s *Store) transfer(pull bool, remote string, selections []string) (TransferReport, error) {
	var cs cstrings
	var m cmem
	defer cs.free()
	defer m.free()
	r := cs.str(remote)
	arr := (**C.char)(m.alloc(uintptr(len(selections)) * unsafe.Sizeof((*C.char)(nil))))
	items := unsafe.Slice(arr, len(selections)+1)
	for i, sel := range selections {
		items[i] = cs.str(sel)
	}
	var rep C.mlops_transfer_report
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_transfer_report_init(&rep, C.MLOPS_TRANSFER_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if pull {
			return C.mlops_remote_pull(c, r, arr, C.size_t(len(selections)), &rep)
		}
		return C.mlops_remote_push(c, r, arr, C.size_t(len(selections)), &rep)
	})
	return TransferReport{uint64(rep.contents), uint64(rep.objects), uint64(rep.objects_sent),
		uint64(rep.objects_present), uint64(rep.bytes_sent), uint64(rep.lookups),
		uint64(rep.listed)}, err
}

// Push sends to remote every object the selections reach that it lacks,
// then records each selection there. Rerunning an interrupted push sends
// only what is missing.
func (s *Store) Push(remote string, selections ...string) (TransferReport, error) {
	return s.transfer(false, remote, selections)
}

// Pull fetches what the selections named on remote when last pushed: each
// object checked, each blob proven by its digest, then all of it (and for
// ref:NAME the ref) visible at once. ErrCorrupt when the remote's copy is
// damaged; ErrNotFound for a selection never pushed.
func (s *Store) Pull(remote string, selections ...string) (TransferReport, error) {
	return s.transfer(true, remote, selections)
}

// BundleReport says what a BundleExport wrote or a BundleImport found and
// added (doc/remotes.md, "Bundles").
type BundleReport struct {
	Runs              uint64 // run records carried
	MetricPoints      uint64 // metric points carried
	Versions          uint64 // model versions carried
	AliasEntries      uint64 // alias history entries carried
	Signatures        uint64 // signatures carried
	Events            uint64 // origin audit events carried
	Objects           uint64 // objects carried
	ObjectsAdded      uint64 // import: objects this store lacked
	Bytes             uint64 // export: the file's size; import: stored bytes added
	RecordsAdded      uint64 // import: records new here (0 for a bundle imported before)
	Renumbered        uint64 // import: versions given another number (Rename)
	Renamed           uint64 // import: aliases given the prefix (Rename)
	SignaturesSkipped uint64 // import: signatures of renumbered versions
	OriginHeadSeq     int64  // the origin's audit head when exported
	OriginHeadHash    Digest
}

func bundleReport(r *C.mlops_bundle_report) BundleReport {
	return BundleReport{uint64(r.runs), uint64(r.metric_points), uint64(r.versions),
		uint64(r.alias_entries), uint64(r.signatures), uint64(r.events), uint64(r.objects),
		uint64(r.objects_added), uint64(r.bytes), uint64(r.records_added),
		uint64(r.renumbered), uint64(r.renamed), uint64(r.signatures_skipped),
		int64(r.origin_head_seq), *(*Digest)(unsafe.Pointer(&r.origin_head_hash))}
}

// BundleExport writes to path (replaced when done) one bundle of what the
// selections name: runs with their metric points and lineage, model
// versions with their signatures and alias histories, the audit events
// about them with this store's audit head, and every object they reach.
// ErrNotFound for a selection naming nothing.
func (s *Store) BundleExport(path string, selections ...string) (BundleReport, error) {
	var cs cstrings
	var m cmem
	defer cs.free()
	defer m.free()
	p := cs.str(path)
	arr := (**C.char)(m.alloc(uintptr(len(selections)+1) * unsafe.Sizeof((*C.char)(nil))))
	items := unsafe.Slice(arr, len(selections)+1)
	for i, sel := range selections {
		items[i] = cs.str(sel)
	}
	var rep C.mlops_bundle_report
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_bundle_report_init(&rep, C.MLOPS_BUNDLE_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_bundle_export(c, p, arr, C.size_t(len(selections)), &rep)
	})
	return bundleReport(&rep), err
}

// BundleImportOptions are BundleImport's options; the zero value is the
// default.
type BundleImportOptions struct {
	// Rename: "" makes a version number or alias name taken here with
	// other content ErrConflict (nothing added). A prefix gives such a
	// version the next free number and such an alias the name
	// Rename+alias.
	Rename string
	// Actor of the import events; "" is the store's.
	Actor string
}

// BundleImport brings in the bundle at path: all of it checked first
// (digests, signatures, the audit events' hashes), then every collision,
// then the objects and the records through the import API, each recorded
// as imported from the origin store at its audit head. Importing it again
// adds nothing. ErrCorrupt (or ErrSignature) for a damaged bundle, with
// nothing added. opts may be nil.
func (s *Store) BundleImport(path string, opts *BundleImportOptions) (BundleReport, error) {
	var cs cstrings
	defer cs.free()
	p := cs.str(path)
	var o C.mlops_bundle_import_opts
	var rep C.mlops_bundle_report
	err := s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_bundle_import_opts_init(&o, C.MLOPS_BUNDLE_IMPORT_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_bundle_report_init(&rep, C.MLOPS_BUNDLE_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.MLOPS_OK
	})
	if err != nil {
		return BundleReport{}, err
	}
	if opts != nil && opts.Rename != "" {
		o.rename_prefix = cs.str(opts.Rename)
	}
	if opts != nil && opts.Actor != "" {
		o.actor = cs.str(opts.Actor)
	}
	err = s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_bundle_import(c, p, &o, &rep)
	})
	return bundleReport(&rep), err
}
