package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"runtime"
	"sort"
	"sync"
	"unsafe"
)

// SchemaColumn is one column of a Schema: its kind and checks (see
// validate.h). A check is off when its flag is false (range, missing) or
// its slice is nil (categories).
type SchemaColumn struct {
	Name          string
	Kind          ProfileKind
	Required      bool     // a batch without the column is an anomaly
	HasRange      bool     // numeric: values within [Min, Max]
	Min, Max      float64  // may be infinite
	OutOfRangeMax float64  // share of non-missing values allowed outside
	Categories    []string // categorical: the allowed values; nil: no check
	UnseenMax     float64  // share of non-missing values allowed unseen
	HasMissing    bool     // missing share at most MissingMax
	MissingMax    float64
}

// SchemaInferOptions configure InferSchema; a zero field keeps the
// library's default (missing slack 0.05, range slack 0, at most 1000
// categories).
type SchemaInferOptions struct {
	MissingSlack  float64
	RangeSlack    float64
	MaxCategories uint32
}

// Schema is a data schema: per column its kind and checks, inferred from
// reference profiles, edited, stored by digest and checked against
// batches. Reads may run concurrently; changes are serialised. Close it
// when done (a finalizer is only a safety net).
type Schema struct {
	mu sync.RWMutex
	s  *C.mlops_schema
}

func newSchema(s *C.mlops_schema) *Schema {
	sc := &Schema{s: s}
	liveHandles.Add(1)
	runtime.SetFinalizer(sc, (*Schema).Close)
	return sc
}

// NewSchema returns a schema without columns.
func NewSchema() (*Schema, error) {
	var s *C.mlops_schema
	if err := call(func() C.int { return C.mlops_schema_new(&s) }); err != nil {
		return nil, err
	}
	return newSchema(s), nil
}

// Close releases the schema. Closing twice is a no-op.
func (s *Schema) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s != nil {
		C.mlops_schema_free(s.s)
		s.s = nil
		liveHandles.Add(-1)
	}
	runtime.SetFinalizer(s, nil)
	return nil
}

func (s *Schema) read(f func(c *C.mlops_schema) C.int) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.s == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(s.s) })
	runtime.KeepAlive(s)
	return err
}

func (s *Schema) write(f func(c *C.mlops_schema) C.int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.s == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(s.s) })
	runtime.KeepAlive(s)
	return err
}

// InferSchema infers a schema from reference profiles: names[i] is
// described by profiles[i] (each is frozen, as serialising does).
func InferSchema(names []string, profiles []*Profile, opts *SchemaInferOptions) (*Schema, error) {
	if len(names) != len(profiles) {
		return nil, &Error{Code: CodeInvalid, Message: "mlops: names and profiles differ in length"}
	}
	// Every distinct profile locked for writing, in address order (no
	// deadlock with another call locking some of them).
	locked := make([]*Profile, 0, len(profiles))
	seen := map[*Profile]bool{}
	for _, p := range profiles {
		if p != nil && !seen[p] {
			seen[p] = true
			locked = append(locked, p)
		}
	}
	sort.Slice(locked, func(i, j int) bool {
		return uintptr(unsafe.Pointer(locked[i])) < uintptr(unsafe.Pointer(locked[j]))
	})
	for _, p := range locked {
		p.mu.Lock()
		defer p.mu.Unlock()
	}
	var cs cstrings
	defer cs.free()
	n := len(names)
	// C memory for both arrays: they hold C pointers only, but a C array
	// needs no pinning whatever it holds.
	cnames := (**C.char)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(uintptr(0)))))
	cprofs := (**C.mlops_profile)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(uintptr(0)))))
	defer C.free(unsafe.Pointer(cnames))
	defer C.free(unsafe.Pointer(cprofs))
	nameSlice := unsafe.Slice(cnames, n+1)
	profSlice := unsafe.Slice(cprofs, n+1)
	for i := range names {
		nameSlice[i] = cs.str(names[i])
		if profiles[i] == nil || profiles[i].p == nil {
			return nil, ErrClosed
		}
		profSlice[i] = profiles[i].p
	}
	if err := cs.check(); err != nil {
		return nil, err
	}
	var out *C.mlops_schema
	err := call(func() C.int {
		var o C.mlops_schema_infer_opts
		if rc := C.mlops_schema_infer_opts_init(&o, C.MLOPS_SCHEMA_INFER_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if opts != nil {
			if opts.MissingSlack != 0 {
				o.missing_slack = C.double(opts.MissingSlack)
			}
			if opts.RangeSlack != 0 {
				o.range_slack = C.double(opts.RangeSlack)
			}
			if opts.MaxCategories != 0 {
				o.max_categories = C.uint32_t(opts.MaxCategories)
			}
		}
		return C.mlops_schema_infer(C.size_t(n), cnames, cprofs, &o, &out)
	})
	runtime.KeepAlive(profiles)
	if err != nil {
		return nil, err
	}
	return newSchema(out), nil
}

// ParseSchemaJSON reads the JSON text form (doc/validate.md).
func ParseSchemaJSON(text []byte) (*Schema, error) {
	var s *C.mlops_schema
	if err := call(func() C.int {
		return C.mlops_schema_from_json((*C.char)(bytesPtr(text)), C.size_t(len(text)), &s)
	}); err != nil {
		return nil, err
	}
	return newSchema(s), nil
}

// UnmarshalSchema reads a schema from its stored (msgpack) form.
func UnmarshalSchema(data []byte) (*Schema, error) {
	var s *C.mlops_schema
	if err := call(func() C.int { return C.mlops_schema_deserialize(bytesPtr(data), C.size_t(len(data)), &s) }); err != nil {
		return nil, err
	}
	return newSchema(s), nil
}

// MarshalBinary returns the stored form (versioned msgpack); equal
// schemas give equal bytes.
func (s *Schema) MarshalBinary() ([]byte, error) {
	var buf unsafe.Pointer
	var n C.size_t
	if err := s.read(func(c *C.mlops_schema) C.int { return C.mlops_schema_serialize(c, &buf, &n) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(buf)
	return goBytes(buf, n), nil
}

// JSON returns the JSON text form, for a person to edit.
func (s *Schema) JSON() ([]byte, error) {
	var text *C.char
	if err := s.read(func(c *C.mlops_schema) C.int { return C.mlops_schema_to_json(c, &text) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(unsafe.Pointer(text))
	return []byte(C.GoString(text)), nil
}

// Columns returns every column, in name order.
func (s *Schema) Columns() ([]SchemaColumn, error) {
	var out []SchemaColumn
	err := s.read(func(c *C.mlops_schema) C.int {
		n := int(C.mlops_schema_column_count(c))
		out = make([]SchemaColumn, 0, n)
		for i := 0; i < n; i++ {
			var col C.mlops_schema_column
			if rc := C.mlops_schema_column_init(&col, C.MLOPS_SCHEMA_COLUMN_VERSION); rc != C.MLOPS_OK {
				return rc
			}
			if rc := C.mlops_schema_column_get(c, C.size_t(i), &col); rc != C.MLOPS_OK {
				return rc
			}
			out = append(out, goColumn(&col))
		}
		return C.MLOPS_OK
	})
	return out, err
}

func goColumn(c *C.mlops_schema_column) SchemaColumn {
	g := SchemaColumn{
		Name:     C.GoString(c.name),
		Kind:     ProfileKind(c.kind),
		Required: c.checks&C.MLOPS_SCHEMA_CHECK_PRESENCE != 0,
		HasRange: c.checks&C.MLOPS_SCHEMA_CHECK_RANGE != 0, HasMissing: c.checks&C.MLOPS_SCHEMA_CHECK_MISSING != 0,
	}
	if g.HasRange {
		g.Min, g.Max, g.OutOfRangeMax = float64(c.min), float64(c.max), float64(c.out_of_range_max)
	}
	if g.HasMissing {
		g.MissingMax = float64(c.missing_max)
	}
	if c.checks&C.MLOPS_SCHEMA_CHECK_CATEGORIES != 0 {
		g.Categories = make([]string, int(c.n_categories))
		if c.n_categories > 0 {
			for i, p := range unsafe.Slice(c.categories, int(c.n_categories)) {
				g.Categories[i] = C.GoString(p)
			}
		}
		g.UnseenMax = float64(c.unseen_max)
	}
	return g
}

// SetColumn adds the column, or replaces the column of the same name.
func (s *Schema) SetColumn(col SchemaColumn) error {
	var cs cstrings
	defer cs.free()
	name := cs.str(col.Name)
	var cats **C.char
	if col.Categories != nil {
		cats = (**C.char)(C.calloc(C.size_t(len(col.Categories)+1), C.size_t(unsafe.Sizeof(uintptr(0)))))
		defer C.free(unsafe.Pointer(cats))
		sl := unsafe.Slice(cats, len(col.Categories)+1)
		for i, v := range col.Categories {
			sl[i] = cs.str(v)
		}
	}
	if err := cs.check(); err != nil {
		return err
	}
	return s.write(func(c *C.mlops_schema) C.int {
		var cc C.mlops_schema_column
		if rc := C.mlops_schema_column_init(&cc, C.MLOPS_SCHEMA_COLUMN_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		cc.name, cc.kind, cc.checks = name, C.int(col.Kind), 0
		if col.Required {
			cc.checks |= C.MLOPS_SCHEMA_CHECK_PRESENCE
		}
		if col.HasRange {
			cc.checks |= C.MLOPS_SCHEMA_CHECK_RANGE
			cc.min, cc.max, cc.out_of_range_max = C.double(col.Min), C.double(col.Max), C.double(col.OutOfRangeMax)
		}
		if col.Categories != nil {
			cc.checks |= C.MLOPS_SCHEMA_CHECK_CATEGORIES
			cc.categories, cc.n_categories = cats, C.size_t(len(col.Categories))
			cc.unseen_max = C.double(col.UnseenMax)
		}
		if col.HasMissing {
			cc.checks |= C.MLOPS_SCHEMA_CHECK_MISSING
			cc.missing_max = C.double(col.MissingMax)
		}
		return C.mlops_schema_column_set(c, &cc)
	})
}

// DeleteColumn removes the named column (a NotFound error when absent).
func (s *Schema) DeleteColumn(name string) error {
	var cs cstrings
	defer cs.free()
	p := cs.str(name)
	if err := cs.check(); err != nil {
		return err
	}
	return s.write(func(c *C.mlops_schema) C.int { return C.mlops_schema_column_delete(c, p) })
}

// PutSchema stores the schema as a blob and returns its digest.
func (st *Store) PutSchema(s *Schema) (Digest, error) {
	var d Digest
	var closed bool
	err := st.with(func(c *C.mlops_store) C.int {
		s.mu.RLock()
		defer s.mu.RUnlock()
		if s.s == nil {
			closed = true
			return C.MLOPS_OK
		}
		return C.mlops_schema_put(c, s.s, d.c())
	})
	runtime.KeepAlive(s)
	if closed {
		return d, ErrClosed
	}
	return d, err
}

// Schema loads the schema stored as blob d.
func (st *Store) Schema(d Digest) (*Schema, error) {
	var s *C.mlops_schema
	if err := st.with(func(c *C.mlops_store) C.int { return C.mlops_schema_get(c, d.c(), &s) }); err != nil {
		return nil, err
	}
	return newSchema(s), nil
}

// AnomalyKind is what an anomaly is about.
type AnomalyKind int

const (
	AnomalyUnknownColumn  AnomalyKind = C.MLOPS_ANOMALY_UNKNOWN_COLUMN
	AnomalyMissingColumn  AnomalyKind = C.MLOPS_ANOMALY_MISSING_COLUMN
	AnomalyKindChange     AnomalyKind = C.MLOPS_ANOMALY_KIND_CHANGE
	AnomalyOutOfRange     AnomalyKind = C.MLOPS_ANOMALY_OUT_OF_RANGE
	AnomalyUnseenCategory AnomalyKind = C.MLOPS_ANOMALY_UNSEEN_CATEGORY
	AnomalyMissingValues  AnomalyKind = C.MLOPS_ANOMALY_MISSING_VALUES
)

func (k AnomalyKind) String() string {
	switch k {
	case AnomalyUnknownColumn:
		return "unknown_column"
	case AnomalyMissingColumn:
		return "missing_column"
	case AnomalyKindChange:
		return "kind_change"
	case AnomalyOutOfRange:
		return "out_of_range"
	case AnomalyUnseenCategory:
		return "unseen_category"
	case AnomalyMissingValues:
		return "missing_values"
	}
	return "unknown"
}

// Example is one offending row (0-based) and its value as text.
type Example struct {
	Row   uint64
	Value string
}

// Anomaly is one finding of Validate (see mlops_anomaly in validate.h).
type Anomaly struct {
	Kind         AnomalyKind
	Column       string
	ExpectedKind ProfileKind // 0 for an unknown column
	ActualKind   ProfileKind // 0 for a missing column
	Count, Total uint64
	Share, Limit float64
	Examples     []Example
}

// BatchColumn is one column of a batch: Numbers for a numeric column
// (NaN is missing; read in place), or Strings when Categorical (Missing,
// nil or one flag per value, marks missing values).
type BatchColumn struct {
	Name        string
	Categorical bool
	Numbers     []float64
	Strings     []string
	Missing     []bool
}

// Validate checks a batch (every column of the same length) against the
// schema and returns its anomalies: none means it passed. maxExamples is
// the examples kept per anomaly (0..100).
func (s *Schema) Validate(batch []BatchColumn, maxExamples int) ([]Anomaly, error) {
	n := len(batch)
	rows := -1
	var cs cstrings
	defer cs.free()
	var pins columnPointers
	defer pins.release()
	var arrays []*cStringArray
	defer func() {
		for _, a := range arrays {
			a.free()
		}
	}()
	ptrSize := C.size_t(unsafe.Sizeof(uintptr(0)))
	names := (**C.char)(C.calloc(C.size_t(n+1), ptrSize))
	nums := (**C.double)(C.calloc(C.size_t(n+1), ptrSize))
	strs := (***C.char)(C.calloc(C.size_t(n+1), ptrSize))
	kinds := (*C.int)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(C.int(0)))))
	defer C.free(unsafe.Pointer(names))
	defer C.free(unsafe.Pointer(nums))
	defer C.free(unsafe.Pointer(strs))
	defer C.free(unsafe.Pointer(kinds))
	nameS, numS, strS, kindS := unsafe.Slice(names, n+1), unsafe.Slice(nums, n+1), unsafe.Slice(strs, n+1), unsafe.Slice(kinds, n+1)
	var ptrBlocks []unsafe.Pointer
	defer func() {
		for _, p := range ptrBlocks {
			C.free(p)
		}
	}()
	for i, col := range batch {
		nameS[i] = cs.str(col.Name)
		var m int
		if col.Categorical {
			a, err := newCStringArray(col.Strings, col.Missing)
			if err != nil {
				return nil, err
			}
			arrays = append(arrays, a)
			m = len(col.Strings)
			// The pointers themselves go to C memory too (the array of
			// columns holds them).
			block := C.calloc(C.size_t(m+1), ptrSize)
			ptrBlocks = append(ptrBlocks, block)
			copy(unsafe.Slice((**C.char)(block), m+1), a.ptrs)
			strS[i] = (**C.char)(block)
			kindS[i] = C.MLOPS_PROFILE_CATEGORICAL
		} else {
			m = len(col.Numbers)
			numS[i] = pins.ptr(col.Numbers)
			kindS[i] = C.MLOPS_PROFILE_NUMERIC
		}
		if rows >= 0 && m != rows {
			return nil, &Error{Code: CodeInvalid, Message: "mlops: the batch's columns differ in length"}
		}
		rows = m
	}
	if rows < 0 {
		rows = 0
	}
	if err := cs.check(); err != nil {
		return nil, err
	}
	var out []Anomaly
	err := s.read(func(c *C.mlops_schema) C.int {
		var o C.mlops_validate_opts
		if rc := C.mlops_validate_opts_init(&o, C.MLOPS_VALIDATE_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		o.max_examples = C.uint32_t(maxExamples)
		if maxExamples < 0 || maxExamples > 100 {
			o.max_examples = 101 // refused by the library with its message
		}
		var l *C.mlops_anomalies
		if rc := C.mlops_schema_validate(c, C.size_t(n), names, kinds, nums, strs, C.size_t(rows), &o, &l); rc != C.MLOPS_OK {
			return rc
		}
		defer C.mlops_anomalies_free(l)
		k := int(C.mlops_anomalies_count(l))
		out = make([]Anomaly, 0, k)
		for i := 0; i < k; i++ {
			a := C.mlops_anomalies_at(l, C.size_t(i))
			g := Anomaly{
				Kind: AnomalyKind(a.kind), Column: C.GoString(a.column),
				ExpectedKind: ProfileKind(a.expected_kind), ActualKind: ProfileKind(a.actual_kind),
				Count: uint64(a.count), Total: uint64(a.total), Share: float64(a.share), Limit: float64(a.limit),
			}
			if a.n_examples > 0 {
				rowsC := unsafe.Slice(a.example_rows, int(a.n_examples))
				vals := unsafe.Slice(a.example_values, int(a.n_examples))
				for e := range rowsC {
					g.Examples = append(g.Examples, Example{Row: uint64(rowsC[e]), Value: C.GoString(vals[e])})
				}
			}
			out = append(out, g)
		}
		return C.MLOPS_OK
	})
	return out, err
}
