package mlops

/*
#include <stdlib.h>
#include <mlops.h>
*/
import "C"

import (
	"io"
	"runtime"
	"unsafe"
)

// PutBytes stores data as a blob and returns its digest. Content already
// in the store is not written again.
func (s *Store) PutBytes(data []byte) (Digest, error) {
	var d Digest
	err := s.with(func(c *C.mlops_store) C.int {
		return C.mlops_blob_put(c, bytesPtr(data), C.size_t(len(data)), d.c())
	})
	return d, err
}

// putBufferSize is how much Put reads from its reader per C write.
const putBufferSize = 1 << 20

// Put stores everything r yields as one blob, streaming it through the
// library's blob writer (memory stays bounded whatever the length), and
// returns its digest. If r fails, nothing is stored and r's error is
// returned.
func (s *Store) Put(r io.Reader) (Digest, error) {
	w, err := s.NewBlobWriter()
	if err != nil {
		return Digest{}, err
	}
	buf := make([]byte, putBufferSize)
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				w.Abort()
				return Digest{}, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			w.Abort()
			return Digest{}, rerr
		}
	}
	return w.Commit()
}

// PutFile stores the content of the file at path (read to its end, so a
// pipe works too) in one pass on the store's worker threads.
func (s *Store) PutFile(path string) (Digest, error) {
	var cs cstrings
	defer cs.free()
	p := cs.str(path)
	var d Digest
	err := s.withs(&cs, func(c *C.mlops_store) C.int { return C.mlops_blob_put_file(c, p, d.c()) })
	return d, err
}

// Get reads the whole blob d into memory; every byte is verified. For
// large blobs use OpenBlob.
func (s *Store) Get(d Digest) ([]byte, error) {
	var data unsafe.Pointer
	var n C.size_t
	err := s.with(func(c *C.mlops_store) C.int { return C.mlops_blob_get(c, d.c(), &data, &n) })
	if err != nil {
		return nil, err
	}
	defer C.mlops_free(data)
	return goBytes(data, n), nil
}

// GetFlags change GetFile.
type GetFlags uint

// GetReplace lets GetFile replace an existing file (atomically).
const GetReplace GetFlags = C.MLOPS_GET_REPLACE

// GetFile writes blob d to a new file at path through a temporary file
// renamed into place, so path never holds a partial blob. An existing path
// is refused with ErrExists unless flags has GetReplace.
func (s *Store) GetFile(d Digest, path string, flags GetFlags) error {
	var cs cstrings
	defer cs.free()
	p := cs.str(path)
	return s.withs(&cs, func(c *C.mlops_store) C.int {
		return C.mlops_blob_get_file_ex(c, d.c(), p, C.unsigned(flags))
	})
}

// Exists reports whether a blob or tree with digest d is in the store.
func (s *Store) Exists(d Digest) (bool, error) {
	var e C.int
	err := s.with(func(c *C.mlops_store) C.int { return C.mlops_blob_exists(c, d.c(), &e) })
	return e != 0, err
}

// ReadAt copies bytes of blob d from offset off into p, reading only the
// chunks that cover the range. As io.ReaderAt: fewer than len(p) bytes
// come with io.EOF at the end of the blob. Safe for concurrent use.
func (s *Store) ReadAt(d Digest, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Code: CodeInvalid, Message: "mlops: ReadAt: negative offset"}
	}
	total := 0
	for total < len(p) {
		var got C.size_t
		q := p[total:]
		err := s.with(func(c *C.mlops_store) C.int {
			return C.mlops_blob_read_at(c, d.c(), C.uint64_t(off)+C.uint64_t(total),
				unsafe.Pointer(&q[0]), C.size_t(len(q)), &got)
		})
		if err != nil {
			return total, err
		}
		if got == 0 {
			return total, io.EOF
		}
		total += int(got)
	}
	return total, nil
}

// BlobWriter streams content of unknown length into a new blob: Write any
// number of times, then Commit (or Abort). One goroutine at a time.
type BlobWriter struct {
	s *Store
	h *handle
}

// NewBlobWriter starts a blob.
func (s *Store) NewBlobWriter() (*BlobWriter, error) {
	h, err := s.open(nil, func(c *C.mlops_store) (unsafe.Pointer, C.int) {
		var w *C.mlops_blob_writer
		rc := C.mlops_blob_writer_open(c, &w)
		return unsafe.Pointer(w), rc
	}, func(p unsafe.Pointer) { C.mlops_blob_writer_abort((*C.mlops_blob_writer)(p)) })
	if err != nil {
		return nil, err
	}
	bw := &BlobWriter{s: s, h: h}
	runtime.SetFinalizer(bw, (*BlobWriter).Abort)
	return bw, nil
}

// Write appends p (the library copies it). After an error only Abort is
// useful.
func (w *BlobWriter) Write(p []byte) (int, error) {
	err := w.s.withHandle(w.h, true, func(h unsafe.Pointer) C.int {
		return C.mlops_blob_writer_write((*C.mlops_blob_writer)(h), bytesPtr(p), C.size_t(len(p)))
	})
	runtime.KeepAlive(w)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Commit ends the content and stores the blob, returning its digest. The
// writer is finished whatever the outcome.
func (w *BlobWriter) Commit() (Digest, error) {
	var d Digest
	err := w.s.withHandle(w.h, true, func(h unsafe.Pointer) C.int {
		rc := C.mlops_blob_writer_commit((*C.mlops_blob_writer)(h), d.c())
		w.h.p = nil // commit released the C writer
		liveHandles.Add(-1)
		return rc
	})
	w.s.detach(w.h)
	runtime.SetFinalizer(w, nil)
	return d, err
}

// Abort discards the content. Calling it after Commit or Abort is a no-op.
func (w *BlobWriter) Abort() {
	w.s.detach(w.h)
	runtime.SetFinalizer(w, nil)
}

// BlobReader reads one blob: io.Reader from its start (the library decodes
// and verifies the next chunks ahead) and io.ReaderAt anywhere (random
// access reading only the chunks that cover the range). Read is for one
// goroutine at a time; ReadAt may be called concurrently. For an
// io.ReadSeeker (http.ServeContent...), wrap it:
// io.NewSectionReader(r, 0, r.Size()).
type BlobReader struct {
	s    *Store
	h    *handle
	d    Digest
	size int64
}

// OpenBlob opens blob d for reading. Close the reader when done.
func (s *Store) OpenBlob(d Digest) (*BlobReader, error) {
	var size C.uint64_t
	h, err := s.open(nil, func(c *C.mlops_store) (unsafe.Pointer, C.int) {
		var r *C.mlops_blob_reader
		if rc := C.mlops_blob_reader_open(c, d.c(), &r); rc != C.MLOPS_OK {
			return nil, rc
		}
		if rc := C.mlops_blob_reader_size(r, &size); rc != C.MLOPS_OK {
			C.mlops_blob_reader_close(r)
			return nil, rc
		}
		return unsafe.Pointer(r), C.MLOPS_OK
	}, func(p unsafe.Pointer) { C.mlops_blob_reader_close((*C.mlops_blob_reader)(p)) })
	if err != nil {
		return nil, err
	}
	br := &BlobReader{s: s, d: d, size: int64(size), h: h}
	runtime.SetFinalizer(br, (*BlobReader).Close)
	return br, nil
}

// Size returns the blob's size in bytes.
func (r *BlobReader) Size() int64 { return r.size }

// Digest returns the digest of the blob being read.
func (r *BlobReader) Digest() Digest { return r.d }

// Read implements io.Reader: only verified bytes are returned, and io.EOF
// at the end of the blob.
func (r *BlobReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var got C.size_t
	err := r.s.withHandle(r.h, true, func(h unsafe.Pointer) C.int {
		return C.mlops_blob_reader_read((*C.mlops_blob_reader)(h), unsafe.Pointer(&p[0]), C.size_t(len(p)), &got)
	})
	runtime.KeepAlive(r)
	if err != nil {
		return int(got), err
	}
	if got == 0 {
		return 0, io.EOF
	}
	return int(got), nil
}

// ReadAt implements io.ReaderAt on the blob.
func (r *BlobReader) ReadAt(p []byte, off int64) (int, error) {
	r.h.mu.RLock()
	open := r.h.p != nil
	r.h.mu.RUnlock()
	if !open {
		return 0, ErrClosed
	}
	n, err := r.s.ReadAt(r.d, p, off)
	runtime.KeepAlive(r)
	return n, err
}

// Close releases the reader. Closing twice is a no-op.
func (r *BlobReader) Close() error {
	r.s.detach(r.h)
	runtime.SetFinalizer(r, nil)
	return nil
}

var (
	_ io.ReadCloser = (*BlobReader)(nil)
	_ io.ReaderAt   = (*BlobReader)(nil)
	_ io.Writer     = (*BlobWriter)(nil)
)
