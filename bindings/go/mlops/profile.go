package mlops

/*
#include <stdlib.h>
#include <string.h>
#include <mlops.h>
*/
import "C"

import (
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// ProfileKind is numeric or categorical.
type ProfileKind int

const (
	ProfileNumeric     ProfileKind = C.MLOPS_PROFILE_NUMERIC
	ProfileCategorical ProfileKind = C.MLOPS_PROFILE_CATEGORICAL
)

// ProfileOptions configure NewProfile; a zero field keeps the library's
// default.
type ProfileOptions struct {
	Bins          uint32    // quantile bins, 2..65536 (default 10)
	SketchK       uint32    // compactor capacity, even, 16..65536 (default 2048)
	FreezeAfter   uint32    // finite values kept to compute the edges (default 100000)
	MaxCategories uint32    // exact categories before the frequent-items summary (default 10000)
	Edges         []float64 // fixed interior edges (strictly increasing); nil: quantiles
}

// Profile summarises a column without keeping it: built from batches,
// mergeable, serialisable, storable by digest. Reads may run concurrently;
// changes (Add, Merge, Freeze, and the calls that freeze) are serialised.
// Close it when done (a finalizer is only a safety net).
type Profile struct {
	mu sync.RWMutex
	p  *C.mlops_profile
}

func newProfile(p *C.mlops_profile) *Profile {
	pr := &Profile{p: p}
	liveHandles.Add(1)
	runtime.SetFinalizer(pr, (*Profile).Close)
	return pr
}

// NewProfile returns an empty profile of the kind (opts nil: defaults).
func NewProfile(kind ProfileKind, opts *ProfileOptions) (*Profile, error) {
	var o C.mlops_profile_opts
	var p *C.mlops_profile
	err := call(func() C.int {
		if rc := C.mlops_profile_opts_init(&o, C.MLOPS_PROFILE_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if opts != nil {
			if opts.Bins != 0 {
				o.bins = C.uint32_t(opts.Bins)
			}
			if opts.SketchK != 0 {
				o.sketch_k = C.uint32_t(opts.SketchK)
			}
			if opts.FreezeAfter != 0 {
				o.freeze_after = C.uint32_t(opts.FreezeAfter)
			}
			if opts.MaxCategories != 0 {
				o.max_categories = C.uint32_t(opts.MaxCategories)
			}
			if len(opts.Edges) > 0 {
				// The options struct is Go memory: the edges it points at
				// go to C memory (the library copies them anyway).
				n := C.size_t(len(opts.Edges)) * C.size_t(unsafe.Sizeof(C.double(0)))
				e := C.malloc(n)
				defer C.free(e)
				C.memcpy(e, unsafe.Pointer(&opts.Edges[0]), n)
				o.edges = (*C.double)(e)
				o.n_edges = C.size_t(len(opts.Edges))
			}
		}
		return C.mlops_profile_new(C.int(kind), &o, &p)
	})
	if err != nil {
		return nil, err
	}
	return newProfile(p), nil
}

// Close releases the profile. Closing twice is a no-op.
func (p *Profile) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.p != nil {
		C.mlops_profile_free(p.p)
		p.p = nil
		liveHandles.Add(-1)
	}
	runtime.SetFinalizer(p, nil)
	return nil
}

// read runs f on the C profile under the read lock; write under the write lock.
func (p *Profile) read(f func(c *C.mlops_profile) C.int) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.p == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(p.p) })
	runtime.KeepAlive(p)
	return err
}

func (p *Profile) write(f func(c *C.mlops_profile) C.int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.p == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(p.p) })
	runtime.KeepAlive(p)
	return err
}

// writeBoth runs f on two profiles under both write locks, taken in a
// fixed order (one lock when they are the same profile).
func writeBoth(a, b *Profile, f func(ca, cb *C.mlops_profile) C.int) error {
	first, second := a, b
	if uintptr(unsafe.Pointer(b)) < uintptr(unsafe.Pointer(a)) {
		first, second = b, a
	}
	first.mu.Lock()
	defer first.mu.Unlock()
	if second != first {
		second.mu.Lock()
		defer second.mu.Unlock()
	}
	if a.p == nil || b.p == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(a.p, b.p) })
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	return err
}

// NewLike returns an empty profile with p's kind, options and frozen edges
// (it freezes p first), for profiling current data on the reference's bins.
func (p *Profile) NewLike() (*Profile, error) {
	var out *C.mlops_profile
	if err := p.write(func(c *C.mlops_profile) C.int { return C.mlops_profile_new_like(c, &out) }); err != nil {
		return nil, err
	}
	return newProfile(out), nil
}

// Kind returns the profile's kind (0 once closed).
func (p *Profile) Kind() ProfileKind {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return ProfileKind(C.mlops_profile_kind(p.p))
}

// Add adds a batch of values to a numeric profile (read in place).
func (p *Profile) Add(values []float64) error {
	return p.write(func(c *C.mlops_profile) C.int { return C.mlops_profile_add(c, f64(values), C.size_t(len(values))) })
}

// cStringArray copies strings into one C block and returns a Go array of
// pointers into it (NULL where missing[i]); free releases the block.
type cStringArray struct {
	block unsafe.Pointer
	ptrs  []*C.char
	bad   bool
}

func newCStringArray(values []string, missing []bool) (*cStringArray, error) {
	if missing != nil && len(missing) != len(values) {
		return nil, &Error{Code: CodeInvalid, Message: "mlops: missing flags and values differ in length"}
	}
	total := 0
	for _, v := range values {
		total += len(v) + 1
	}
	a := &cStringArray{ptrs: make([]*C.char, len(values))}
	if total == 0 {
		return a, nil
	}
	a.block = C.malloc(C.size_t(total))
	buf := unsafe.Slice((*byte)(a.block), total)
	off := 0
	for i, v := range values {
		if strings.IndexByte(v, 0) >= 0 {
			a.bad = true
		}
		copy(buf[off:], v)
		buf[off+len(v)] = 0
		if missing == nil || !missing[i] {
			a.ptrs[i] = (*C.char)(unsafe.Pointer(&buf[off]))
		}
		off += len(v) + 1
	}
	if a.bad {
		a.free()
		return nil, &Error{Code: CodeInvalid, Message: "mlops: a string value holds a NUL byte"}
	}
	return a, nil
}

func (a *cStringArray) first() **C.char {
	if len(a.ptrs) == 0 {
		return nil
	}
	return &a.ptrs[0]
}

func (a *cStringArray) free() {
	C.free(a.block)
	a.block = nil
}

// AddStrings adds a batch of values to a categorical profile; missing
// (nil, or one flag per value) marks missing values.
func (p *Profile) AddStrings(values []string, missing []bool) error {
	a, err := newCStringArray(values, missing)
	if err != nil {
		return err
	}
	defer a.free()
	return p.write(func(c *C.mlops_profile) C.int {
		return C.mlops_profile_add_strings(c, a.first(), C.size_t(len(values)))
	})
}

// Freeze freezes a numeric profile's bin edges now.
func (p *Profile) Freeze() error {
	return p.write(func(c *C.mlops_profile) C.int { return C.mlops_profile_freeze(c) })
}

// Merge merges from into p, as if p had also seen from's values. Both are
// frozen first; profiles with different edges are ErrConflict.
func (p *Profile) Merge(from *Profile) error {
	return writeBoth(p, from, func(a, b *C.mlops_profile) C.int { return C.mlops_profile_merge(a, b) })
}

// ProfileSummary is what a profile knows.
type ProfileSummary struct {
	Kind            ProfileKind
	Count           uint64 // numeric: finite values; categorical: non-missing
	NaNCount        uint64 // numeric: NaN; categorical: missing
	InfCount        uint64 // numeric: +Inf and -Inf
	Min, Max, Mean  float64
	Variance        float64 // population variance
	RankError       float64 // the sketch's normalised rank-error bound
	Frozen          bool
	Edges           int // interior edges (0 until frozen)
	Categories      int
	CategoriesExact bool
	CategoryError   float64
}

// Summary returns what the profile knows.
func (p *Profile) Summary() (ProfileSummary, error) {
	var s C.mlops_profile_summary
	err := p.read(func(c *C.mlops_profile) C.int {
		if rc := C.mlops_profile_summary_init(&s, C.MLOPS_PROFILE_SUMMARY_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_profile_summary_get(c, &s)
	})
	return ProfileSummary{
		Kind: ProfileKind(s.kind), Count: uint64(s.count), NaNCount: uint64(s.nan_count), InfCount: uint64(s.inf_count),
		Min: float64(s.min), Max: float64(s.max), Mean: float64(s.mean), Variance: float64(s.variance),
		RankError: float64(s.rank_error), Frozen: s.frozen != 0, Edges: int(s.n_edges), Categories: int(s.n_categories),
		CategoriesExact: s.categories_exact != 0, CategoryError: float64(s.category_error),
	}, err
}

// Edges returns a copy of the frozen interior edges of a numeric profile.
func (p *Profile) Edges() ([]float64, error) {
	var out []float64
	err := p.read(func(c *C.mlops_profile) C.int {
		var e *C.double
		var n C.size_t
		rc := C.mlops_profile_edges(c, &e, &n)
		if rc == C.MLOPS_OK {
			out = make([]float64, int(n))
			if n > 0 {
				copy(out, unsafe.Slice((*float64)(unsafe.Pointer(e)), int(n)))
			}
		}
		return rc
	})
	return out, err
}

// Quantile returns the q-quantile (0 <= q <= 1) estimated from a numeric
// profile's sketch.
func (p *Profile) Quantile(q float64) (float64, error) {
	var out C.double
	err := p.read(func(c *C.mlops_profile) C.int { return C.mlops_profile_quantile(c, C.double(q), &out) })
	return float64(out), err
}

// CategoryCount returns the count of one category of a categorical profile.
func (p *Profile) CategoryCount(value string) (uint64, error) {
	var cs cstrings
	defer cs.free()
	v := cs.str(value)
	if err := cs.check(); err != nil {
		return 0, err
	}
	var out C.uint64_t
	err := p.read(func(c *C.mlops_profile) C.int { return C.mlops_profile_category_count(c, v, &out) })
	return uint64(out), err
}

// MarshalBinary serialises the profile (freezing it first) to its
// versioned msgpack form; equal input gives equal bytes.
func (p *Profile) MarshalBinary() ([]byte, error) {
	var buf unsafe.Pointer
	var n C.size_t
	if err := p.write(func(c *C.mlops_profile) C.int { return C.mlops_profile_serialize(c, &buf, &n) }); err != nil {
		return nil, err
	}
	defer C.mlops_free(buf)
	return goBytes(buf, n), nil
}

// UnmarshalProfile reads a profile from its serialised form.
func UnmarshalProfile(data []byte) (*Profile, error) {
	var p *C.mlops_profile
	if err := call(func() C.int { return C.mlops_profile_deserialize(bytesPtr(data), C.size_t(len(data)), &p) }); err != nil {
		return nil, err
	}
	return newProfile(p), nil
}

// PutProfile stores the profile (frozen first) as a blob and returns its
// digest.
func (s *Store) PutProfile(p *Profile) (Digest, error) {
	var d Digest
	var closed bool
	err := s.with(func(c *C.mlops_store) C.int {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.p == nil {
			closed = true
			return C.MLOPS_OK
		}
		return C.mlops_profile_put(c, p.p, d.c())
	})
	runtime.KeepAlive(p)
	if closed {
		return d, ErrClosed
	}
	return d, err
}

// Profile loads the profile stored as blob d.
func (s *Store) Profile(d Digest) (*Profile, error) {
	var p *C.mlops_profile
	if err := s.with(func(c *C.mlops_store) C.int { return C.mlops_profile_get(c, d.c(), &p) }); err != nil {
		return nil, err
	}
	return newProfile(p), nil
}

// Verdict is the KS verdict of a profile comparison.
type Verdict int

const (
	NoDrift      Verdict = C.MLOPS_VERDICT_NO_DRIFT
	Drift        Verdict = C.MLOPS_VERDICT_DRIFT
	Inconclusive Verdict = C.MLOPS_VERDICT_INCONCLUSIVE // the sketches cannot tell
)

func (v Verdict) String() string {
	switch v {
	case NoDrift:
		return "no drift"
	case Drift:
		return "drift"
	case Inconclusive:
		return "inconclusive"
	}
	return "unknown"
}

// ProfileComparison compares a reference profile with current data.
type ProfileComparison struct {
	Alpha                             float64
	PSI, JensenShannon, KL, Hellinger float64
	ChiSquare                         TestResult
	KSStatistic, KSError              float64 // |D - true D| <= KSError
	KSPValue, KSPLow, KSPHigh         float64
	Verdict                           Verdict
	NRef, NCur                        uint64
}

func comparisonFromC(c *C.mlops_profile_comparison) ProfileComparison {
	return ProfileComparison{
		Alpha: float64(c.alpha), PSI: float64(c.psi), JensenShannon: float64(c.jensen_shannon), KL: float64(c.kl),
		Hellinger: float64(c.hellinger), ChiSquare: testResult(c.chisq), KSStatistic: float64(c.ks_statistic),
		KSError: float64(c.ks_error), KSPValue: float64(c.ks_p_value), KSPLow: float64(c.ks_p_low),
		KSPHigh: float64(c.ks_p_high), Verdict: Verdict(c.ks_verdict), NRef: uint64(c.n_ref), NCur: uint64(c.n_cur),
	}
}

// comparison prepares the C struct with alpha (0: the default 0.05).
func comparison(alpha float64, c *C.mlops_profile_comparison) C.int {
	if rc := C.mlops_profile_comparison_init(c, C.MLOPS_PROFILE_COMPARISON_VERSION); rc != C.MLOPS_OK {
		return rc
	}
	if alpha != 0 {
		c.alpha = C.double(alpha)
	}
	return C.MLOPS_OK
}

// Compare compares reference profile p with profile cur of the same kind
// and edges (build cur with p.NewLike). alpha 0 means 0.05.
func (p *Profile) Compare(cur *Profile, alpha float64) (ProfileComparison, error) {
	var c C.mlops_profile_comparison
	err := writeBoth(p, cur, func(a, b *C.mlops_profile) C.int {
		if rc := comparison(alpha, &c); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_profile_compare(a, b, &c)
	})
	return comparisonFromC(&c), err
}

// CompareValues compares numeric reference profile p with a batch of
// current values (read in place).
func (p *Profile) CompareValues(cur []float64, alpha float64) (ProfileComparison, error) {
	var c C.mlops_profile_comparison
	err := p.write(func(cp *C.mlops_profile) C.int {
		if rc := comparison(alpha, &c); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_profile_compare_values(cp, f64(cur), C.size_t(len(cur)), &c)
	})
	return comparisonFromC(&c), err
}

// CompareStrings compares categorical reference profile p with a batch of
// current values (missing as in AddStrings).
func (p *Profile) CompareStrings(cur []string, missing []bool, alpha float64) (ProfileComparison, error) {
	a, err := newCStringArray(cur, missing)
	if err != nil {
		return ProfileComparison{}, err
	}
	defer a.free()
	var c C.mlops_profile_comparison
	err = p.write(func(cp *C.mlops_profile) C.int {
		if rc := comparison(alpha, &c); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_profile_compare_strings(cp, a.first(), C.size_t(len(cur)), &c)
	})
	return comparisonFromC(&c), err
}
