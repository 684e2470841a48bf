package mlops_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestStatAndList(t *testing.T) {
	s := newStore(t)
	small, err := s.PutBytes([]byte("small"))
	must(t, err)
	text, err := s.PutBytes([]byte(string(make([]byte, 100000))))
	must(t, err)
	big, err := s.PutBytes(randomBytes(9<<20, 9))
	must(t, err)
	info, err := s.Stat(small)
	must(t, err)
	if info.Kind != mlops.KindBlob || info.Size != 5 || info.Stored == 0 || info.Chunks != 1 || info.Created.IsZero() {
		t.Fatalf("small %+v", info)
	}
	info, err = s.Stat(text)
	must(t, err)
	if info.Encoding != mlops.EncodingZstd || info.Stored >= info.Size || info.Encoding.String() != "zstd" {
		t.Fatalf("zeros %+v", info)
	}
	info, err = s.Stat(big)
	must(t, err)
	if info.Encoding != mlops.EncodingChunked || info.Chunks < 2 || info.Size != 9<<20 || info.Encoding.String() != "chunked" {
		t.Fatalf("big %+v", info)
	}
	_, err = s.Stat(mlops.ComputeDigest([]byte("none")))
	wantErr(t, err, mlops.ErrNotFound)

	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("small"), 0o644))
	tree, err := s.PutTree(dir, 0)
	must(t, err)

	seen := map[mlops.Digest]mlops.Kind{}
	it, err := s.Blobs(mlops.KindAny)
	must(t, err)
	var last mlops.Digest
	for it.Next() {
		if string(it.Digest().String()) <= string(last.String()) && !last.IsZero() {
			t.Fatal("not in digest order")
		}
		last = it.Digest()
		seen[it.Digest()] = it.Info().Kind
	}
	must(t, it.Err())
	must(t, it.Close())
	must(t, it.Close())
	if it.Next() {
		t.Fatal("Next after Close")
	}
	if len(seen) != 4 || seen[tree] != mlops.KindTree || seen[big] != mlops.KindBlob {
		t.Fatalf("listed %v", seen)
	}
	trees, err := s.Blobs(mlops.KindTree)
	must(t, err)
	defer trees.Close()
	n := 0
	for trees.Next() {
		n++
		if trees.Digest() != tree || trees.Info().Kind.String() != "tree" {
			t.Fatal("tree listing")
		}
	}
	if n != 1 {
		t.Fatalf("%d trees", n)
	}
	names := []string{mlops.KindBlob.String(), mlops.KindTree.String(), mlops.KindAny.String(),
		mlops.EncodingRaw.String(), mlops.EncodingZstd.String(), mlops.EncodingChunked.String(), mlops.Encoding(9).String(),
		mlops.FsckCorrupt.String(), mlops.FsckMissing.String(), mlops.FsckProblem(9).String()}
	if strings.Join(names, ",") != "blob,tree,any,raw,zstd,chunked,unknown,corrupt,missing,unknown" {
		t.Fatalf("names %v", names)
	}
	_, err = s.Blobs(mlops.Kind(7))
	wantErr(t, err, mlops.ErrInvalid)
}

func TestTrees(t *testing.T) {
	s := newStore(t)
	src := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(src, "sub", "deeper"), 0o755))
	must(t, os.WriteFile(filepath.Join(src, "top.txt"), []byte("top"), 0o644))
	must(t, os.WriteFile(filepath.Join(src, "sub", "deeper", "x.bin"), randomBytes(3000, 1), 0o600))
	must(t, os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh\n"), 0o755))
	must(t, os.Symlink("top.txt", filepath.Join(src, "link")))
	d, err := s.PutTree(src, 0)
	must(t, err)
	again, err := s.PutTree(src, 0)
	must(t, err)
	if again != d {
		t.Fatal("the same directory gave another tree")
	}
	followed, err := s.PutTree(src, mlops.TreeFollowSymlinks)
	must(t, err)
	if followed == d {
		t.Fatal("following symlinks changed nothing")
	}

	out := filepath.Join(t.TempDir(), "restored")
	must(t, s.GetTree(d, out))
	got, err := os.ReadFile(filepath.Join(out, "sub", "deeper", "x.bin"))
	must(t, err)
	if string(got) != string(randomBytes(3000, 1)) {
		t.Fatal("restored content")
	}
	st, err := os.Stat(filepath.Join(out, "run.sh"))
	must(t, err)
	if st.Mode().Perm() != 0o755 {
		t.Fatalf("mode %v", st.Mode())
	}
	target, err := os.Readlink(filepath.Join(out, "link"))
	must(t, err)
	if target != "top.txt" {
		t.Fatalf("link %q", target)
	}
	wantErr(t, s.GetTree(d, out), mlops.ErrExists)
	blob, err := s.PutBytes([]byte("top"))
	must(t, err)
	wantErr(t, s.GetTree(blob, filepath.Join(t.TempDir(), "x")), mlops.ErrInvalid)
	wantErr(t, s.GetTree(mlops.ComputeDigest([]byte("none")), filepath.Join(t.TempDir(), "y")), mlops.ErrNotFound)

	// Issue 13, findings 4 and 11: limits, links leaving the target, modes.
	escaping := filepath.Join(t.TempDir(), "esc")
	must(t, os.MkdirAll(filepath.Join(escaping, "open"), 0o755))
	must(t, os.Chmod(filepath.Join(escaping, "open"), 0o777))
	must(t, os.Symlink("../../outside", filepath.Join(escaping, "open", "l")))
	e, err := s.PutTree(escaping, 0)
	must(t, err)
	wantErr(t, s.GetTreeWith(e, filepath.Join(t.TempDir(), "a"), &mlops.TreeGetOptions{MaxEntries: 1}), mlops.ErrInvalid)
	wantErr(t, s.GetTreeWith(e, filepath.Join(t.TempDir(), "b"), &mlops.TreeGetOptions{ContainedLinks: true}), mlops.ErrInvalid)
	kept := filepath.Join(t.TempDir(), "kept")
	must(t, s.GetTreeWith(e, kept, &mlops.TreeGetOptions{KeepModes: true, MaxEntries: math.MaxUint64}))
	st, err = os.Stat(filepath.Join(kept, "open"))
	must(t, err)
	if st.Mode().Perm() != 0o777 {
		t.Fatalf("kept mode %v", st.Mode())
	}
	_, err = s.PutTree(filepath.Join(src, "top.txt"), 0)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.PutTree(filepath.Join(src, "missing"), 0)
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.PutTree(src, 0x40)
	wantErr(t, err, mlops.ErrInvalid)
}

func TestRefs(t *testing.T) {
	s := newStore(t)
	a, err := s.PutBytes([]byte("a"))
	must(t, err)
	b, err := s.PutBytes([]byte("b"))
	must(t, err)
	must(t, s.SetRef("datasets/train", a))
	must(t, s.SetRef("datasets/test", b))
	must(t, s.SetRef("models/best", b))
	must(t, s.SetRef("datasets/train", b)) // moved
	got, err := s.Ref("datasets/train")
	must(t, err)
	if got != b {
		t.Fatal("moved ref")
	}
	wantErr(t, s.SetRef("x", mlops.ComputeDigest([]byte("none"))), mlops.ErrNotFound)
	wantErr(t, s.SetRef("", a), mlops.ErrInvalid)
	_, err = s.Ref("nope")
	wantErr(t, err, mlops.ErrNotFound)

	it, err := s.Refs("datasets/")
	must(t, err)
	var names []string
	for it.Next() {
		names = append(names, it.Name())
		if it.Digest() != b {
			t.Fatal("ref digest")
		}
	}
	must(t, it.Err())
	must(t, it.Close())
	if len(names) != 2 || names[0] != "datasets/test" || names[1] != "datasets/train" {
		t.Fatalf("refs %v", names)
	}
	all, err := s.Refs("")
	must(t, err)
	n := 0
	for all.Next() {
		n++
	}
	all.Close()
	if n != 3 {
		t.Fatalf("%d refs", n)
	}
	must(t, s.DeleteRef("models/best"))
	wantErr(t, s.DeleteRef("models/best"), mlops.ErrNotFound)
	// Iterators are released by Store.Close too.
	open, err := s.Refs("")
	must(t, err)
	must(t, s.Close())
	if open.Next() || open.Err() != mlops.ErrClosed {
		t.Fatalf("iterator after store close: %v", open.Err())
	}
	open.Close()
}

func TestFsckAndGC(t *testing.T) {
	s := newStore(t)
	kept, err := s.PutBytes([]byte("kept by a ref"))
	must(t, err)
	must(t, s.SetRef("keep", kept))
	garbage, err := s.PutBytes(randomBytes(100000, 3))
	must(t, err)
	time.Sleep(5 * time.Millisecond) // even a zero grace period spares the current millisecond

	rep, err := s.Fsck(nil)
	must(t, err)
	if rep.Objects < 2 || rep.Checked != rep.Objects || rep.BytesChecked == 0 || rep.Corrupt != 0 || len(rep.Issues) != 0 {
		t.Fatalf("fsck %+v", rep)
	}
	rep, err = s.Fsck(&mlops.FsckOptions{Sample: 0.5, NoQuarantine: true})
	must(t, err)
	if rep.Checked > rep.Objects {
		t.Fatalf("sampled fsck %+v", rep)
	}
	_, err = s.Fsck(&mlops.FsckOptions{Sample: 2})
	wantErr(t, err, mlops.ErrInvalid)

	// Within the grace period nothing is collected.
	g, err := s.GC(nil)
	must(t, err)
	if g.Contents != 0 || g.KeptContents < 2 {
		t.Fatalf("gc within grace %+v", g)
	}
	g, err = s.GC(&mlops.GCOptions{NoGrace: true, DryRun: true})
	must(t, err)
	if g.Contents != 1 || g.Bytes == 0 {
		t.Fatalf("dry run %+v", g)
	}
	if ok, _ := s.Exists(garbage); !ok {
		t.Fatal("a dry run deleted")
	}
	g, err = s.GC(&mlops.GCOptions{NoGrace: true})
	must(t, err)
	if g.Contents != 1 || g.Objects < 1 {
		t.Fatalf("gc %+v", g)
	}
	if ok, _ := s.Exists(garbage); ok {
		t.Fatal("garbage survived")
	}
	if ok, _ := s.Exists(kept); !ok {
		t.Fatal("a referenced blob was collected")
	}
	_, err = s.GC(&mlops.GCOptions{Grace: -time.Second})
	wantErr(t, err, mlops.ErrInvalid)
	g, err = s.GC(&mlops.GCOptions{Grace: 24 * time.Hour})
	must(t, err)
	if g.Contents != 0 {
		t.Fatalf("gc with a long grace %+v", g)
	}

	// A damaged object is found and quarantined.
	var files []string
	filepath.Walk(filepath.Join(s.Path(), "objects"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(t, err)
		b[len(b)-1] ^= 1
		must(t, os.WriteFile(f, b, 0o644))
	}
	rep, err = s.Fsck(nil)
	wantErr(t, err, mlops.ErrCorrupt)
	if rep.Corrupt == 0 || len(rep.Issues) == 0 || rep.Issues[0].Problem != mlops.FsckCorrupt || rep.Quarantined != rep.Corrupt ||
		rep.Issues[0].Problem.String() != "corrupt" {
		t.Fatalf("fsck of a damaged store %+v", rep)
	}
	rep, err = s.Fsck(nil)
	wantErr(t, err, mlops.ErrCorrupt)
	if rep.Missing == 0 || rep.Issues[0].Problem != mlops.FsckMissing {
		t.Fatalf("after quarantine %+v", rep)
	}
	ro := readOnlyCopy(t, s)
	_, err = ro.GC(&mlops.GCOptions{NoGrace: true})
	wantErr(t, err, mlops.ErrReadOnly)
}
