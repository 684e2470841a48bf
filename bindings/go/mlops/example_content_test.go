package mlops_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func ExampleStore_PutTree() {
	s, done := exampleStore()
	defer done()

	src, _ := os.MkdirTemp("", "mlops-tree-")
	defer os.RemoveAll(src)
	os.MkdirAll(filepath.Join(src, "images"), 0o755)
	os.WriteFile(filepath.Join(src, "labels.csv"), []byte("id,label\n1,cat\n"), 0o644)
	os.WriteFile(filepath.Join(src, "images", "1.txt"), []byte("pixels"), 0o644)

	tree, err := s.PutTree(src, 0) // one digest names the whole directory
	if err != nil {
		log.Fatal(err)
	}
	s.SetRef("datasets/pets", tree) // kept from garbage collection
	out := filepath.Join(src, "restored")
	if err := s.GetTree(tree, out); err != nil {
		log.Fatal(err)
	}
	labels, _ := os.ReadFile(filepath.Join(out, "labels.csv"))
	info, _ := s.Stat(tree)
	fmt.Printf("%s, %d entries\n%s", info.Kind, info.Chunks, labels)
	// Output:
	// tree, 2 entries
	// id,label
	// 1,cat
}

func ExampleRefIter() {
	s, done := exampleStore()
	defer done()

	a, _ := s.PutBytes([]byte("a"))
	b, _ := s.PutBytes([]byte("b"))
	s.SetRef("datasets/train", a)
	s.SetRef("datasets/test", b)
	s.SetRef("models/best", b)

	it, err := s.Refs("datasets/")
	if err != nil {
		log.Fatal(err)
	}
	defer it.Close()
	for it.Next() {
		fmt.Println(it.Name(), it.Digest() == a)
	}
	if err := it.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// datasets/test false
	// datasets/train true
}

func ExampleStore_GC() {
	s, done := exampleStore()
	defer done()

	kept, _ := s.PutBytes([]byte("named by a reference"))
	s.SetRef("keep", kept)
	s.PutBytes([]byte("nothing refers to this"))
	time.Sleep(5 * time.Millisecond) // even a zero grace period spares the current millisecond

	rep, _ := s.GC(&mlops.GCOptions{NoGrace: true})
	fmt.Println("deleted", rep.Contents, "kept", rep.KeptContents)
	fsck, err := s.Fsck(nil)
	fmt.Println("fsck:", fsck.Checked, "objects checked, error", err)
	// Output:
	// deleted 1 kept 1
	// fsck: 1 objects checked, error <nil>
}
