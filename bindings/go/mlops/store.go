package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"math"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Durability says what an acknowledged write survives (Options.Durability).
type Durability int

const (
	// DurabilityNormal: every acknowledged call survives a process kill,
	// and a power loss never corrupts the store. The default.
	DurabilityNormal Durability = C.MLOPS_DURABILITY_NORMAL
	// DurabilityFull: acknowledged calls also survive a power loss.
	DurabilityFull Durability = C.MLOPS_DURABILITY_FULL
	// DurabilityNone: no fsync; survives a process kill, not a power loss.
	DurabilityNone Durability = C.MLOPS_DURABILITY_NONE
)

// Options configure Open. The zero value (or a nil *Options) means the
// library's defaults; a zero field keeps its default.
type Options struct {
	NoCreate         bool          // fail with ErrNotFound instead of creating a missing store
	ReadOnly         bool          // writes fail with ErrReadOnly
	Durability       Durability    // DurabilityNormal by default
	BusyTimeout      time.Duration // how long a writer waits for the lock (default 60 s)
	CompressionLevel int           // zstd level 1..19 for new objects (default 3)
	ChunkMinSize     uint32        // content-defined chunking sizes, used when the
	ChunkAvgSize     uint32        // store is created (defaults 128 KiB, 512 KiB,
	ChunkMaxSize     uint32        // 4 MiB)
	Threads          uint32        // threads for parallel work (default: online CPUs), capped by SetThreadLimit
	Actor            string        // actor recorded in audit events (default: the login name)
}

// Store is an open libmlops store: a directory holding artifacts,
// experiment records, the model registry and drift profiles. A Store may
// be used by several goroutines at once. Close it when done; Close also
// releases the handles opened from it (runs, blob readers and writers,
// iterators).
type Store struct {
	mu     sync.RWMutex // read-held by calls, write-held by Close
	c      *C.mlops_store
	kidsMu sync.Mutex
	kids   map[*handle]struct{}
}

// Open opens the store at path, creating it when it is missing (unless
// opts.NoCreate). opts may be nil. A directory made by Create with a
// Location opens the same way: its mlops.conf names the backends.
func Open(path string, opts *Options) (*Store, error) {
	var o C.mlops_store_opts
	var cs cstrings
	defer cs.free()
	if err := storeOptions(opts, &o, &cs); err != nil {
		return nil, err
	}
	cpath := cs.str(path)
	if err := cs.check(); err != nil {
		return nil, err
	}
	var c *C.mlops_store
	if err := call(func() C.int { return C.mlops_store_open(cpath, &o, &c) }); err != nil {
		return nil, err
	}
	return adopt(c), nil
}

// Location says where a store's parts live when they are not all in one
// directory (mlops_store_location, libmlops 1.1; doc/shared-stores.md).
// An empty field means the library's default.
type Location struct {
	// Metadata is a libpq connection URI ("postgresql://...") or
	// "key=value" string; "" keeps the metadata in SQLite in the store
	// directory. A password in it is refused (ErrInvalid): libpq reads it
	// from PGPASSWORD, ~/.pgpass or PGSERVICEFILE.
	Metadata string
	// Schema is the PostgreSQL schema that is this store ("" = "mlops");
	// several stores may share a database, one per schema.
	Schema string
	// Objects is the folder holding objects/ and tmp/, which every user
	// of the store reaches at this path ("" = the store directory).
	Objects string
}

// Create makes dir (missing or empty) a new store whose parts live where
// loc says, and returns it open (mlops_store_create, libmlops 1.1). With
// loc.Metadata set, dir then holds only mlops.conf naming the PostgreSQL
// database, schema and objects folder (no secret is written), the schema
// is created when new, and every later Open(dir) uses them. A nil loc,
// or an empty loc.Metadata, makes an ordinary local store. opts may be
// nil; opts.ReadOnly is refused and opts.NoCreate has no effect.
//
// Errors: ErrExists (dir is not empty), ErrInvalid (a password in
// loc.Metadata, a bad schema name, ReadOnly), ErrUnsupported (a library
// built without PostgreSQL support), and those of Open.
func Create(dir string, loc *Location, opts *Options) (*Store, error) {
	var o C.mlops_store_opts
	var l C.mlops_store_location
	var cs cstrings
	defer cs.free()
	if err := storeOptions(opts, &o, &cs); err != nil {
		return nil, err
	}
	var lp *C.mlops_store_location
	if loc != nil {
		if err := loc.toC(&l, &cs); err != nil {
			return nil, err
		}
		lp = &l
	}
	cdir := cs.str(dir)
	if err := cs.check(); err != nil {
		return nil, err
	}
	var c *C.mlops_store
	if err := call(func() C.int { return C.mlops_store_create(cdir, lp, &o, &c) }); err != nil {
		return nil, err
	}
	return adopt(c), nil
}

// OpenLocation opens a shared store from its parts, without a store
// directory (mlops_store_open_location, libmlops 1.1): loc.Metadata and
// loc.Objects must be set. The schema and the objects folder are created
// when missing (unless opts.NoCreate). Path returns the objects folder.
// opts may be nil. Errors: as Create (but never ErrExists), ErrNotFound
// (no objects folder, with opts.NoCreate).
func OpenLocation(loc Location, opts *Options) (*Store, error) {
	var o C.mlops_store_opts
	var l C.mlops_store_location
	var cs cstrings
	defer cs.free()
	if err := storeOptions(opts, &o, &cs); err != nil {
		return nil, err
	}
	if err := loc.toC(&l, &cs); err != nil {
		return nil, err
	}
	if err := cs.check(); err != nil {
		return nil, err
	}
	var c *C.mlops_store
	if err := call(func() C.int { return C.mlops_store_open_location(&l, &o, &c) }); err != nil {
		return nil, err
	}
	return adopt(c), nil
}

// storeOptions fills o from opts (nil: the defaults); its strings go to cs.
func storeOptions(opts *Options, o *C.mlops_store_opts, cs *cstrings) error {
	if err := call(func() C.int { return C.mlops_store_opts_init(o, C.MLOPS_STORE_OPTS_VERSION) }); err != nil {
		return err
	}
	if opts == nil {
		return nil
	}
	if opts.NoCreate {
		o.create_if_missing = 0
	}
	if opts.ReadOnly {
		o.read_only = 1
	}
	o.durability = C.int(opts.Durability)
	if opts.BusyTimeout > 0 {
		ms := opts.BusyTimeout / time.Millisecond
		if ms > math.MaxUint32 {
			ms = math.MaxUint32
		}
		o.busy_timeout_ms = C.uint32_t(ms)
	}
	if opts.CompressionLevel != 0 {
		o.compression_level = C.int(opts.CompressionLevel)
	}
	if opts.ChunkMinSize != 0 {
		o.chunk_min_size = C.uint32_t(opts.ChunkMinSize)
	}
	if opts.ChunkAvgSize != 0 {
		o.chunk_avg_size = C.uint32_t(opts.ChunkAvgSize)
	}
	if opts.ChunkMaxSize != 0 {
		o.chunk_max_size = C.uint32_t(opts.ChunkMaxSize)
	}
	o.threads = C.uint32_t(opts.Threads)
	o.actor = cs.opt(opts.Actor)
	return nil
}

// toC fills l from loc ("" = NULL); its strings go to cs.
func (loc *Location) toC(l *C.mlops_store_location, cs *cstrings) error {
	if err := call(func() C.int { return C.mlops_store_location_init(l, C.MLOPS_STORE_LOCATION_VERSION) }); err != nil {
		return err
	}
	l.metadata = cs.opt(loc.Metadata)
	l.schema = cs.opt(loc.Schema)
	l.objects = cs.opt(loc.Objects)
	return nil
}

// adopt wraps an open C store.
func adopt(c *C.mlops_store) *Store {
	s := &Store{c: c, kids: make(map[*handle]struct{})}
	runtime.SetFinalizer(s, (*Store).Close)
	return s
}

// Close releases the store and every handle still open from it. Calls
// after Close fail with ErrClosed; closing twice is a no-op.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		return nil
	}
	s.kidsMu.Lock()
	kids := s.kids
	s.kids = make(map[*handle]struct{})
	s.kidsMu.Unlock()
	for h := range kids {
		h.release()
	}
	C.mlops_store_close(s.c)
	s.c = nil
	runtime.SetFinalizer(s, nil)
	return nil
}

// with runs f on the C store while holding it open.
func (s *Store) with(f func(c *C.mlops_store) C.int) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return ErrClosed
	}
	err := call(func() C.int { return f(s.c) })
	runtime.KeepAlive(s)
	return err
}

// Path returns the store's directory as given to Open or Create (the
// objects folder of a store from OpenLocation; "" once closed).
func (s *Store) Path() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.c == nil {
		return ""
	}
	p := C.GoString(C.mlops_store_path(s.c))
	runtime.KeepAlive(s)
	return p
}

// FormatVersion returns the store's on-disk format version.
func (s *Store) FormatVersion() (int, error) {
	var v C.int
	err := s.with(func(c *C.mlops_store) C.int { return C.mlops_store_format_version(c, &v) })
	return int(v), err
}

// withs is with, after checking that no string given to cs held a NUL
// byte (C would silently cut it there).
func (s *Store) withs(cs *cstrings, f func(c *C.mlops_store) C.int) error {
	if err := cs.check(); err != nil {
		return err
	}
	return s.with(f)
}

// cstrings collects C copies of Go strings for one call; free releases
// them. A string with a NUL byte is recorded, and check reports it.
type cstrings struct {
	ps  []*C.char
	bad bool
}

func (cs *cstrings) str(s string) *C.char {
	if strings.IndexByte(s, 0) >= 0 {
		cs.bad = true
	}
	p := C.CString(s)
	cs.ps = append(cs.ps, p)
	return p
}

func (cs *cstrings) check() error {
	if cs.bad {
		return &Error{Code: CodeInvalid, Message: "mlops: a string argument holds a NUL byte"}
	}
	return nil
}

// opt is str, or NULL for "".
func (cs *cstrings) opt(s string) *C.char {
	if s == "" {
		return nil
	}
	return cs.str(s)
}

func (cs *cstrings) free() {
	for _, p := range cs.ps {
		C.free(unsafe.Pointer(p))
	}
	cs.ps = nil
}
