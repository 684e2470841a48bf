package mlops_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func TestDigest(t *testing.T) {
	data := []byte("hello")
	d := mlops.ComputeDigest(data)
	if [32]byte(d) != sha256.Sum256(data) {
		t.Fatal("ComputeDigest is not SHA-256")
	}
	text := d.String()
	if len(text) != 71 || text[:7] != "sha256:" {
		t.Fatalf("text form %q", text)
	}
	back, err := mlops.ParseDigest(text)
	must(t, err)
	if back != d {
		t.Fatal("round trip")
	}
	for _, bad := range []string{"", "sha256:", text[:70], text + "0", "SHA256:" + text[7:], "sha256:" + string(bytes.ToUpper([]byte(text[7:]))), text[:10] + "\x00" + text[11:]} {
		_, err := mlops.ParseDigest(bad)
		wantErr(t, err, mlops.ErrInvalid)
	}
	mt, err := d.MarshalText()
	must(t, err)
	var u mlops.Digest
	must(t, u.UnmarshalText(mt))
	if u != d || u.IsZero() || !(mlops.Digest{}).IsZero() {
		t.Fatal("text marshalling")
	}
	wantErr(t, u.UnmarshalText([]byte("nope")), mlops.ErrInvalid)
	if mlops.ComputeDigest(nil) != sha256.Sum256(nil) {
		t.Fatal("empty digest")
	}
}

func TestPutGetBytes(t *testing.T) {
	s := newStore(t)
	for _, data := range [][]byte{{}, []byte("x"), randomBytes(3<<20, 1)} {
		d, err := s.PutBytes(data)
		must(t, err)
		if d != mlops.ComputeDigest(data) {
			t.Fatal("digest of PutBytes")
		}
		got, err := s.Get(d)
		must(t, err)
		if !bytes.Equal(got, data) || got == nil {
			t.Fatalf("Get: %d bytes, want %d", len(got), len(data))
		}
		ok, err := s.Exists(d)
		must(t, err)
		if !ok {
			t.Fatal("Exists")
		}
	}
	missing := mlops.ComputeDigest([]byte("never stored"))
	ok, err := s.Exists(missing)
	must(t, err)
	if ok {
		t.Fatal("Exists of a missing blob")
	}
	_, err = s.Get(missing)
	wantErr(t, err, mlops.ErrNotFound)
}

func TestPutStreams(t *testing.T) {
	s := newStore(t)
	data := randomBytes(5<<20+123, 2)
	// A reader handing out odd-sized pieces.
	d, err := s.Put(iotest.HalfReader(bytes.NewReader(data)))
	must(t, err)
	if d != mlops.ComputeDigest(data) {
		t.Fatal("digest of Put")
	}
	got, err := s.Get(d)
	must(t, err)
	if !bytes.Equal(got, data) {
		t.Fatal("content of Put")
	}
	// Empty stream.
	d0, err := s.Put(bytes.NewReader(nil))
	must(t, err)
	if d0 != mlops.ComputeDigest(nil) {
		t.Fatal("empty Put")
	}
	// A failing reader stores nothing and returns its error.
	boom := errors.New("boom")
	partial := io.MultiReader(bytes.NewReader([]byte("partial content")), iotest.ErrReader(boom))
	_, err = s.Put(partial)
	if err != boom {
		t.Fatalf("failing reader: %v", err)
	}
	ok, err := s.Exists(mlops.ComputeDigest([]byte("partial content")))
	must(t, err)
	if ok {
		t.Fatal("a failed Put left a blob")
	}
}

func TestBlobWriter(t *testing.T) {
	s := newStore(t)
	w, err := s.NewBlobWriter()
	must(t, err)
	n, err := io.Copy(w, bytes.NewReader([]byte("streamed")))
	must(t, err)
	if n != 8 {
		t.Fatalf("copied %d", n)
	}
	d, err := w.Commit()
	must(t, err)
	if d != mlops.ComputeDigest([]byte("streamed")) {
		t.Fatal("digest")
	}
	if _, err := w.Commit(); err != mlops.ErrClosed {
		t.Fatalf("second commit: %v", err)
	}
	if _, err := w.Write([]byte("x")); err != mlops.ErrClosed {
		t.Fatalf("write after commit: %v", err)
	}
	w.Abort() // no-op

	w2, err := s.NewBlobWriter()
	must(t, err)
	_, err = w2.Write([]byte("aborted"))
	must(t, err)
	w2.Abort()
	ok, err := s.Exists(mlops.ComputeDigest([]byte("aborted")))
	must(t, err)
	if ok {
		t.Fatal("aborted content stored")
	}

	ro := readOnlyCopy(t, s)
	_, err = ro.NewBlobWriter()
	wantErr(t, err, mlops.ErrReadOnly)
	_, err = ro.Put(bytes.NewReader([]byte("x")))
	wantErr(t, err, mlops.ErrReadOnly)
}

// readOnlyCopy opens s's directory again, read-only.
func readOnlyCopy(t *testing.T, s *mlops.Store) *mlops.Store {
	t.Helper()
	ro, err := mlops.Open(s.Path(), &mlops.Options{ReadOnly: true})
	must(t, err)
	t.Cleanup(func() { ro.Close() })
	return ro
}

func TestBlobReader(t *testing.T) {
	s := newStore(t)
	data := randomBytes(9<<20+7, 3)
	d, err := s.PutBytes(data)
	must(t, err)
	r, err := s.OpenBlob(d)
	must(t, err)
	defer r.Close()
	if r.Size() != int64(len(data)) || r.Digest() != d {
		t.Fatalf("size %d", r.Size())
	}
	// Reads from the start, in odd pieces.
	got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(r, 1000)))
	must(t, err)
	rest, err := io.ReadAll(r)
	must(t, err)
	if !bytes.Equal(append(got, rest...), data) {
		t.Fatal("streamed content")
	}
	n, err := r.Read(make([]byte, 10))
	if n != 0 || err != io.EOF {
		t.Fatalf("read at end: %d %v", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Fatalf("empty read: %d %v", n, err)
	}
	// Random access, concurrently, with io.ReaderAt semantics.
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(g)))
			for i := 0; i < 20; i++ {
				off := rng.Int63n(int64(len(data)))
				buf := make([]byte, rng.Intn(3<<20))
				n, err := r.ReadAt(buf, off)
				want := data[off:]
				if len(want) > len(buf) {
					want = want[:len(buf)]
				}
				if n != len(want) || !bytes.Equal(buf[:n], want) {
					t.Errorf("ReadAt(%d, %d): %d bytes", len(buf), off, n)
				}
				if (n < len(buf)) != (err == io.EOF) || (err != nil && err != io.EOF) {
					t.Errorf("ReadAt error %v with %d of %d", err, n, len(buf))
				}
			}
		}(g)
	}
	wg.Wait()
	// The standard reader checks (byte by byte: a small blob).
	small := data[:4000]
	ds, err := s.PutBytes(small)
	must(t, err)
	sr, err := s.OpenBlob(ds)
	must(t, err)
	defer sr.Close()
	if err := iotest.TestReader(io.NewSectionReader(sr, 0, sr.Size()), small); err != nil {
		t.Fatal(err)
	}
	if n, err := r.ReadAt(make([]byte, 4), int64(len(data))); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt past the end: %d %v", n, err)
	}
	_, err = r.ReadAt(make([]byte, 4), -1)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.ReadAt(mlops.ComputeDigest([]byte("nope")), make([]byte, 4), 0)
	wantErr(t, err, mlops.ErrNotFound)

	must(t, r.Close())
	must(t, r.Close())
	if _, err := r.Read(make([]byte, 1)); err != mlops.ErrClosed {
		t.Fatalf("read after close: %v", err)
	}
	if _, err := r.ReadAt(make([]byte, 1), 0); err != mlops.ErrClosed {
		t.Fatalf("ReadAt after close: %v", err)
	}
	_, err = s.OpenBlob(mlops.ComputeDigest([]byte("nope")))
	wantErr(t, err, mlops.ErrNotFound)
}

func TestCorruptBlobIsReported(t *testing.T) {
	s := newStore(t)
	data := bytes.Repeat([]byte("corrupt me "), 1000)
	d, err := s.PutBytes(data)
	must(t, err)
	// Damage every object file of the store.
	var files []string
	filepath.Walk(filepath.Join(s.Path(), "objects"), func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no object files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		b[len(b)-1] ^= 0xff
		must(t, os.WriteFile(f, b, 0o644))
	}
	_, err = s.Get(d)
	wantErr(t, err, mlops.ErrCorrupt)
	r, err := s.OpenBlob(d)
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	wantErr(t, err, mlops.ErrCorrupt)
}

func TestFiles(t *testing.T) {
	s := newStore(t)
	tmp := t.TempDir()
	src := filepath.Join(tmp, "in.bin")
	data := randomBytes(2<<20, 4)
	must(t, os.WriteFile(src, data, 0o644))
	d, err := s.PutFile(src)
	must(t, err)
	if d != mlops.ComputeDigest(data) {
		t.Fatal("PutFile digest")
	}
	out := filepath.Join(tmp, "out.bin")
	must(t, s.GetFile(d, out, 0))
	got, err := os.ReadFile(out)
	must(t, err)
	if !bytes.Equal(got, data) {
		t.Fatal("GetFile content")
	}
	wantErr(t, s.GetFile(d, out, 0), mlops.ErrExists)
	small, err := s.PutBytes([]byte("small"))
	must(t, err)
	must(t, s.GetFile(small, out, mlops.GetReplace))
	got, err = os.ReadFile(out)
	must(t, err)
	if string(got) != "small" {
		t.Fatal("GetFile replace")
	}
	wantErr(t, s.GetFile(d, out, 0x80), mlops.ErrInvalid)
	wantErr(t, s.GetFile(mlops.ComputeDigest([]byte("no")), filepath.Join(tmp, "x"), 0), mlops.ErrNotFound)
	_, err = s.PutFile(filepath.Join(tmp, "missing"))
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.PutFile(tmp)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.PutFile("a\x00b")
	wantErr(t, err, mlops.ErrInvalid)
}

// zeros yields n zero bytes.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	for i := range p {
		p[i] = 0
	}
	z.n -= int64(len(p))
	return len(p), nil
}

// Get of a blob of 2 GiB or more: its size was passed to C.GoBytes as a
// C.int, so 2 GiB panicked (a negative length) and 4 GiB + 5 bytes came
// back as 5 bytes. It needs about 4.5 GiB of memory and some seconds:
// run with MLOPS_TEST_BIG=1.
func TestGetBlobBeyondCInt(t *testing.T) {
	if os.Getenv("MLOPS_TEST_BIG") == "" {
		t.Skip("set MLOPS_TEST_BIG=1 (needs about 4.5 GiB of memory)")
	}
	s, err := mlops.Open(filepath.Join(t.TempDir(), "s"), &mlops.Options{Durability: mlops.DurabilityNone})
	must(t, err)
	defer s.Close()
	const size = 1<<31 + 3
	d, err := s.Put(&zeros{size})
	must(t, err)
	got, err := s.Get(d)
	must(t, err)
	if len(got) != size || got[0] != 0 || got[size-1] != 0 {
		t.Fatalf("Get: %d bytes, want %d", len(got), size)
	}
}
