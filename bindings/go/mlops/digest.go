package mlops

/*
#include <mlops.h>
*/
import "C"

import "unsafe"

// Digest names content: the SHA-256 of its raw bytes (so it equals
// sha256sum of a file). Its text form is "sha256:" and 64 lowercase hex
// digits.
type Digest [32]byte

func (d *Digest) c() *C.mlops_digest { return (*C.mlops_digest)(unsafe.Pointer(d)) }

// String returns the text form "sha256:<64 hex>".
func (d Digest) String() string {
	var buf [C.MLOPS_DIGEST_STRLEN]C.char
	C.mlops_digest_format(d.c(), &buf[0])
	return C.GoString(&buf[0])
}

// IsZero reports whether d is all zero bytes (no digest).
func (d Digest) IsZero() bool { return d == Digest{} }

// MarshalText implements encoding.TextMarshaler with the text form.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (strict, as ParseDigest).
func (d *Digest) UnmarshalText(text []byte) error {
	v, err := ParseDigest(string(text))
	if err == nil {
		*d = v
	}
	return err
}

// ParseDigest parses the text form strictly: "sha256:" and exactly 64
// lowercase hex digits. Anything else is ErrInvalid.
func ParseDigest(text string) (Digest, error) {
	var cs cstrings
	defer cs.free()
	t := cs.str(text)
	var d Digest
	if err := cs.check(); err != nil {
		return d, err
	}
	err := call(func() C.int { return C.mlops_digest_parse(t, d.c()) })
	return d, err
}

// ComputeDigest returns the digest of data (what Put would name it).
func ComputeDigest(data []byte) Digest {
	var d Digest
	C.mlops_digest_compute(bytesPtr(data), C.size_t(len(data)), d.c())
	return d
}

// goBytes copies n bytes the library allocated at p into Go memory. Not
// C.GoBytes: its length is a C.int, which 2 GiB or more does not fit.
func goBytes(p unsafe.Pointer, n C.size_t) []byte {
	out := make([]byte, int(n))
	if n > 0 {
		copy(out, unsafe.Slice((*byte)(p), int(n)))
	}
	return out
}

// bytesPtr points at the first byte of b, or is NULL for an empty slice.
// The pointer is for the duration of one C call only.
func bytesPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}
