package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// Kind says whether stored content is a blob or a tree.
type Kind int

const (
	KindAny  Kind = 0 // Blobs: everything
	KindBlob Kind = C.MLOPS_KIND_BLOB
	KindTree Kind = C.MLOPS_KIND_TREE
)

func (k Kind) String() string {
	switch k {
	case KindBlob:
		return "blob"
	case KindTree:
		return "tree"
	}
	return "any"
}

// Encoding is how a blob is stored.
type Encoding int

const (
	EncodingRaw     Encoding = C.MLOPS_ENCODING_RAW     // one object, as is
	EncodingZstd    Encoding = C.MLOPS_ENCODING_ZSTD    // one object, zstd-compressed
	EncodingChunked Encoding = C.MLOPS_ENCODING_CHUNKED // chunks listed by a manifest
)

func (e Encoding) String() string {
	switch e {
	case EncodingRaw:
		return "raw"
	case EncodingZstd:
		return "zstd"
	case EncodingChunked:
		return "chunked"
	}
	return "unknown"
}

// BlobInfo is what the store knows about a blob or tree.
type BlobInfo struct {
	Kind       Kind
	Size       uint64 // content bytes (a tree: bytes of its encoding)
	Stored     uint64 // bytes of its object files on disk
	Chunks     uint64 // chunk objects (a tree: its number of entries)
	Encoding   Encoding
	ZstdChunks uint64 // of the chunks, how many are compressed
	Created    time.Time
}

func blobInfoFromC(i *C.mlops_blob_info) BlobInfo {
	return BlobInfo{
		Kind: Kind(i.kind), Size: uint64(i.size), Stored: uint64(i.stored), Chunks: uint64(i.chunks),
		Encoding: Encoding(i.encoding), ZstdChunks: uint64(i.zstd_chunks), Created: msTime(i.created_ms),
	}
}

// Stat describes blob or tree d.
func (s *Store) Stat(d Digest) (BlobInfo, error) {
	var info C.mlops_blob_info
	err := s.with(func(c *C.mlops_store) C.int {
		if rc := C.mlops_blob_info_init(&info, C.MLOPS_BLOB_INFO_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		return C.mlops_blob_stat(c, d.c(), &info)
	})
	return blobInfoFromC(&info), err
}

// BlobIter iterates over the blobs and trees of a store in digest order:
//
//	it, err := s.Blobs(mlops.KindAny)
//	for it.Next() {
//		fmt.Println(it.Digest(), it.Info().Size)
//	}
//	err = it.Err()
//	it.Close()
type BlobIter struct {
	s    *Store
	h    *handle
	d    Digest
	info BlobInfo
	err  error
}

// Blobs starts an iteration over the store's content of the kind (KindAny
// for everything). It reads in pages and holds no lock between calls.
func (s *Store) Blobs(kind Kind) (*BlobIter, error) {
	h, err := s.open(nil, func(c *C.mlops_store) (unsafe.Pointer, C.int) {
		var it *C.mlops_blob_iter
		rc := C.mlops_blob_list_open(c, C.int(kind), &it)
		return unsafe.Pointer(it), rc
	}, func(p unsafe.Pointer) { C.mlops_blob_list_close((*C.mlops_blob_iter)(p)) })
	if err != nil {
		return nil, err
	}
	bi := &BlobIter{s: s, h: h}
	runtime.SetFinalizer(bi, (*BlobIter).Close)
	return bi, nil
}

// Next advances to the next item; false at the end or on an error (see Err).
func (it *BlobIter) Next() bool {
	if it.err != nil {
		return false
	}
	var info C.mlops_blob_info
	var done bool
	err := it.s.withHandle(it.h, true, func(p unsafe.Pointer) C.int {
		if rc := C.mlops_blob_info_init(&info, C.MLOPS_BLOB_INFO_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		rc := C.mlops_blob_list_next((*C.mlops_blob_iter)(p), it.d.c(), &info)
		if rc == C.MLOPS_ITEROVER {
			done = true
			return C.MLOPS_OK
		}
		return rc
	})
	runtime.KeepAlive(it)
	if err != nil {
		it.err = err
		return false
	}
	if done {
		return false
	}
	it.info = blobInfoFromC(&info)
	return true
}

// Digest returns the current item's digest.
func (it *BlobIter) Digest() Digest { return it.d }

// Info returns the current item's description.
func (it *BlobIter) Info() BlobInfo { return it.info }

// Err returns the error that stopped the iteration, if any.
func (it *BlobIter) Err() error { return it.err }

// Close releases the iterator. Closing twice is a no-op.
func (it *BlobIter) Close() error {
	it.s.detach(it.h)
	runtime.SetFinalizer(it, nil)
	return nil
}

// TreeFlags change PutTree.
type TreeFlags uint

// TreeFollowSymlinks stores what symlinks point to instead of the links.
const TreeFollowSymlinks TreeFlags = C.MLOPS_TREE_FOLLOW_SYMLINKS

// PutTree stores the directory dir recursively (one tree per directory,
// files as blobs, symlinks as links unless TreeFollowSymlinks) and returns
// the root tree's digest.
func (s *Store) PutTree(dir string, flags TreeFlags) (Digest, error) {
	var cs cstrings
	defer cs.free()
	p := cs.str(dir)
	var d Digest
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_tree_put(c, p, C.unsigned(flags), d.c()) })
	return d, err
}

// GetTree restores tree d into dir, which must not exist or be empty. The
// tree is checked whole before anything is written, and dir appears at the
// end, complete. It is GetTreeWith(d, dir, nil).
func (s *Store) GetTree(d Digest, dir string) error {
	return s.GetTreeWith(d, dir, nil)
}

// TreeGetOptions change GetTreeWith; the zero value (or nil) means the
// library's defaults.
type TreeGetOptions struct {
	MaxEntries     uint64 // entries the restore may create, all levels (0: 10,000,000; math.MaxUint64: no limit)
	MaxBytes       uint64 // file bytes it may write (0: 1 TiB; math.MaxUint64: no limit)
	KeepModes      bool   // permission bits as stored, not less the umask
	ContainedLinks bool   // refuse links that are absolute, climb above dir or have ".." after a name
}

// GetTreeWith restores tree d into dir as GetTree does, with options.
// Before anything is written the expanded tree is measured (each distinct
// subtree once) and refused beyond the limits (ErrInvalid) or the free
// space of dir's file system (ErrIO). Permission bits lose the umask
// unless KeepModes.
func (s *Store) GetTreeWith(d Digest, dir string, opts *TreeGetOptions) error {
	var cs cstrings
	defer cs.free()
	p := cs.str(dir)
	var o C.mlops_tree_get_opts
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		if rc := C.mlops_tree_get_opts_init(&o, C.MLOPS_TREE_GET_OPTS_VERSION); rc != C.MLOPS_OK {
			return rc
		}
		if opts != nil {
			if opts.MaxEntries != 0 {
				o.max_entries = C.uint64_t(opts.MaxEntries)
			}
			if opts.MaxBytes != 0 {
				o.max_bytes = C.uint64_t(opts.MaxBytes)
			}
			if opts.KeepModes {
				o.keep_modes = 1
			}
			if opts.ContainedLinks {
				o.links = C.MLOPS_TREE_LINKS_CONTAINED
			}
		}
		return C.mlops_tree_get_ex(c, d.c(), p, &o)
	})
}

// SetRef points reference name at blob or tree d (creating or moving it).
// References keep what they name from garbage collection.
func (s *Store) SetRef(name string, d Digest) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_ref_set(c, n, d.c()) })
}

// Ref returns the digest reference name points at.
func (s *Store) Ref(name string) (Digest, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var d Digest
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_ref_get(c, n, d.c()) })
	return d, err
}

// DeleteRef removes reference name.
func (s *Store) DeleteRef(name string) error {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	return s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_ref_delete(c, n) })
}

// RefIter iterates over references in name order (see BlobIter for the
// loop).
type RefIter struct {
	s    *Store
	h    *handle
	name string
	d    Digest
	err  error
}

// Refs starts an iteration over the references whose names start with
// prefix ("" for all).
func (s *Store) Refs(prefix string) (*RefIter, error) {
	var cs cstrings
	defer cs.free()
	p := cs.opt(prefix)
	h, err := s.open(&cs, func(c *C.mlops_store) (unsafe.Pointer, C.int) {
		var it *C.mlops_ref_iter
		rc := C.mlops_ref_list_open(c, p, &it)
		return unsafe.Pointer(it), rc
	}, func(p unsafe.Pointer) { C.mlops_ref_list_close((*C.mlops_ref_iter)(p)) })
	if err != nil {
		return nil, err
	}
	ri := &RefIter{s: s, h: h}
	runtime.SetFinalizer(ri, (*RefIter).Close)
	return ri, nil
}

// Next advances to the next reference; false at the end or on an error.
func (it *RefIter) Next() bool {
	if it.err != nil {
		return false
	}
	var done bool
	err := it.s.withHandle(it.h, true, func(p unsafe.Pointer) C.int {
		var name *C.char
		rc := C.mlops_ref_list_next((*C.mlops_ref_iter)(p), &name, it.d.c())
		if rc == C.MLOPS_ITEROVER {
			done = true
			return C.MLOPS_OK
		}
		if rc == C.MLOPS_OK {
			it.name = C.GoString(name) // valid until the next call only
		}
		return rc
	})
	runtime.KeepAlive(it)
	if err != nil {
		it.err = err
		return false
	}
	return !done
}

// Name returns the current reference's name.
func (it *RefIter) Name() string { return it.name }

// Digest returns what the current reference points at.
func (it *RefIter) Digest() Digest { return it.d }

// Err returns the error that stopped the iteration, if any.
func (it *RefIter) Err() error { return it.err }

// Close releases the iterator. Closing twice is a no-op.
func (it *RefIter) Close() error {
	it.s.detach(it.h)
	runtime.SetFinalizer(it, nil)
	return nil
}
