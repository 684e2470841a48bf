package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"runtime"
	"sort"
	"time"
	"unsafe"
)

// Importing history (doc/import.md). Each import call takes the ids,
// numbers and times a record had at its origin and an origin string
// ("mlflow:http://host:5000", "bundle:<store id>"), recorded in the audit
// log. The same record again is a no-op; the same id with other content
// is ErrConflict. Since libmlops 1.1.

// Import says where imported history comes from and who imports it.
type Import struct {
	Origin string // required
	Actor  string // "": the store's actor
}

// cmem collects C allocations for one call (arrays C may keep pointers in).
type cmem struct{ ps []unsafe.Pointer }

func (m *cmem) alloc(n uintptr) unsafe.Pointer {
	if n == 0 {
		n = 1
	}
	p := C.calloc(1, C.size_t(n))
	if p == nil {
		panic("mlops: out of memory")
	}
	m.ps = append(m.ps, p)
	return p
}

func (m *cmem) free() {
	for _, p := range m.ps {
		C.free(p)
	}
	m.ps = nil
}

// kvs copies a map into a C array of mlops_kv, keys sorted.
func (m *cmem) kvs(cs *cstrings, kv map[string]string) (*C.mlops_kv, C.size_t) {
	if len(kv) == 0 {
		return nil, 0
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	arr := (*C.mlops_kv)(m.alloc(uintptr(len(keys)) * unsafe.Sizeof(C.mlops_kv{})))
	s := unsafe.Slice(arr, len(keys))
	for i, k := range keys {
		s[i].key = cs.str(k)
		s[i].value = cs.str(kv[k])
	}
	return arr, C.size_t(len(keys))
}

// importOpts fills a C mlops_import_opts in C memory.
func (m *cmem) importOpts(cs *cstrings, im Import) (*C.mlops_import_opts, error) {
	o := (*C.mlops_import_opts)(m.alloc(unsafe.Sizeof(C.mlops_import_opts{})))
	if err := call(func() C.int { return C.mlops_import_opts_init(o, C.MLOPS_IMPORT_OPTS_VERSION) }); err != nil {
		return nil, err
	}
	o.origin = cs.str(im.Origin)
	o.actor = cs.opt(im.Actor)
	return o, nil
}

func ms(t time.Time) C.int64_t {
	if t.IsZero() {
		return 0
	}
	return C.int64_t(t.UnixMilli())
}

// ImportExperiment brings in an experiment with its creation time and
// tags and returns its id here.
func (s *Store) ImportExperiment(im Import, name string, created time.Time, tags map[string]string) (int64, error) {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return 0, err
	}
	n := cs.str(name)
	arr, cnt := m.kvs(&cs, tags)
	id := (*C.int64_t)(m.alloc(8))
	err = s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_experiment_import(c, o, n, ms(created), arr, cnt, id)
	})
	return int64(*id), err
}

// RunRecord is a run as it was at its origin.
type RunRecord struct {
	ID         string // 32 lowercase hex digits
	Experiment string // its experiment's name, imported before
	Name       string // "": none
	ParentID   string // "": top level
	Status     RunStatus
	Start      time.Time
	End        time.Time // zero: not ended
	Deleted    time.Time // zero: not deleted
	Params     map[string]string
	Tags       map[string]string
}

// ImportRun brings in a run with its id, status, times, params and tags.
func (s *Store) ImportRun(im Import, r RunRecord) error {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return err
	}
	rec := (*C.mlops_run_record)(m.alloc(unsafe.Sizeof(C.mlops_run_record{})))
	if err := call(func() C.int { return C.mlops_run_record_init(rec, C.MLOPS_RUN_RECORD_VERSION) }); err != nil {
		return err
	}
	rec.run_id = cs.str(r.ID)
	rec.experiment = cs.str(r.Experiment)
	rec.name = cs.opt(r.Name)
	rec.parent_id = cs.opt(r.ParentID)
	rec.status = C.int(r.Status)
	rec.start_ms = ms(r.Start)
	rec.end_ms = ms(r.End)
	rec.deleted_ms = ms(r.Deleted)
	rec.params, rec.nparams = m.kvs(&cs, r.Params)
	rec.tags, rec.ntags = m.kvs(&cs, r.Tags)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_run_import(c, o, rec) })
}

// ImportMetrics brings in metric points of an imported run (which may
// have ended), each with its own step and time; it returns how many were
// new (points already there are skipped).
func (s *Store) ImportMetrics(im Import, runID string, points []Metric) (int, error) {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return 0, err
	}
	id := cs.str(runID)
	arr := (*C.mlops_metric)(m.alloc(uintptr(len(points)) * unsafe.Sizeof(C.mlops_metric{})))
	sl := unsafe.Slice(arr, len(points))
	for i, p := range points {
		sl[i] = C.mlops_metric{key: cs.str(p.Key), value: C.double(p.Value), step: C.int64_t(p.Step), ts_ms: ms(p.Time)}
	}
	added := (*C.size_t)(m.alloc(unsafe.Sizeof(C.size_t(0))))
	err = s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_metric_import(c, o, id, arr, C.size_t(len(points)), added)
	})
	return int(*added), err
}

// ImportLineage brings in one lineage edge of an imported run (which may
// have ended): the run read (output false) or wrote (output true) content
// d, in the store, under name with role, at time t.
func (s *Store) ImportLineage(im Import, runID string, output bool, d Digest, name, role string, t time.Time) error {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return err
	}
	id, n, r := cs.str(runID), cs.str(name), cs.str(role)
	dir := C.int(C.MLOPS_LINEAGE_INPUT)
	if output {
		dir = C.MLOPS_LINEAGE_OUTPUT
	}
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_lineage_import(c, o, id, dir, d.c(), n, r, ms(t))
	})
}

// VersionRecord is a model version as it was at its origin.
type VersionRecord struct {
	Model       string // created when missing
	Number      int64
	Artifact    Digest // must be in the store
	RunID       string // "": none
	Description string
	Creator     string // "": the importer's actor
	Created     time.Time
	Tags        map[string]string
}

// ImportModelVersion brings in a version with its number.
func (s *Store) ImportModelVersion(im Import, v VersionRecord) error {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return err
	}
	rec := (*C.mlops_version_record)(m.alloc(unsafe.Sizeof(C.mlops_version_record{})))
	if err := call(func() C.int { return C.mlops_version_record_init(rec, C.MLOPS_VERSION_RECORD_VERSION) }); err != nil {
		return err
	}
	rec.model = cs.str(v.Model)
	rec.number = C.int64_t(v.Number)
	rec.artifact = *v.Artifact.c()
	rec.run_id = cs.opt(v.RunID)
	rec.description = cs.opt(v.Description)
	rec.creator = cs.opt(v.Creator)
	rec.created_ms = ms(v.Created)
	rec.tags, rec.ntags = m.kvs(&cs, v.Tags)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_version_import(c, o, rec) })
}

// ImportSignature brings in an Ed25519 signature of a version by the key
// publicPEM, as made at its origin at time t by signer. It must verify over
// the version's manifest here (ErrSignature otherwise).
func (s *Store) ImportSignature(im Import, model string, version int64, publicPEM string, sig [64]byte, t time.Time, signer string) error {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return err
	}
	mo, k, who := cs.str(model), cs.str(publicPEM), cs.str(signer)
	buf := (*C.uchar)(m.alloc(64))
	copy(unsafe.Slice((*byte)(unsafe.Pointer(buf)), 64), sig[:])
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_signature_import(c, o, mo, C.int64_t(version), k, buf, ms(t), who)
	})
}

// ImportAlias brings in one entry of an alias's history: at time t the
// alias pointed at version (0: it was removed). Entries come in time order.
func (s *Store) ImportAlias(im Import, model, alias string, version int64, t time.Time) error {
	var cs cstrings
	defer cs.free()
	var m cmem
	defer m.free()
	o, err := m.importOpts(&cs, im)
	if err != nil {
		return err
	}
	mo, al := cs.str(model), cs.str(alias)
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_alias_import(c, o, mo, al, C.int64_t(version), ms(t))
	})
}

// CopyReport is what CopyTo did.
type CopyReport struct {
	ObjectsCopied, ObjectsPresent, BytesCopied uint64
	RecordsWritten, EventsCopied               uint64
	HeadSeq                                    int64
	HeadHash                                   Digest
}

// CopyTo copies everything of s into dst (empty, or an earlier copy of s),
// ids and audit chain kept: dst then verifies with s's audit head.
// ErrConflict for any other destination.
func (s *Store) CopyTo(dst *Store) (CopyReport, error) {
	if dst == nil || dst == s {
		return CopyReport{}, &Error{Code: CodeInvalid, Message: "mlops: CopyTo needs another store"}
	}
	dst.mu.RLock()
	defer dst.mu.RUnlock()
	if dst.c == nil {
		return CopyReport{}, ErrClosed
	}
	d := dst.c
	var o C.mlops_store_copy_opts
	var r C.mlops_store_copy_report
	err := s.with(func(c *C.mlops_store) C.int {
		if rc := C.mlops_store_copy_opts_init(&o, C.MLOPS_STORE_COPY_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if rc := C.mlops_store_copy_report_init(&r, C.MLOPS_STORE_COPY_REPORT_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_store_copy(c, d, &o, &r)
	})
	runtime.KeepAlive(dst)
	return CopyReport{uint64(r.objects_copied), uint64(r.objects_present), uint64(r.bytes_copied),
		uint64(r.rows_written), uint64(r.events_copied), int64(r.head_seq),
		*(*Digest)(unsafe.Pointer(&r.head_hash))}, err
}
