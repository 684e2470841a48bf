package mlops_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestThreadLimit(t *testing.T) {
	defer mlops.SetThreadLimit(0)
	for _, n := range []uint{1, 2, 0} {
		if err := mlops.SetThreadLimit(n); err != nil {
			t.Fatal(err)
		}
		if got := mlops.ThreadLimit(); got != n {
			t.Fatalf("mlops.ThreadLimit() = %d, want %d", got, n)
		}
	}
	if err := mlops.SetThreadLimit(257); !errors.Is(err, mlops.ErrInvalid) {
		t.Fatalf("mlops.SetThreadLimit(257) = %v, want mlops.ErrInvalid", err)
	}
}

// The same bytes come back at every limit.
func TestThreadLimitPutGet(t *testing.T) {
	defer mlops.SetThreadLimit(0)
	s := newStore(t)
	data := make([]byte, 3<<20)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	for _, n := range []uint{1, 2, 0} {
		if err := mlops.SetThreadLimit(n); err != nil {
			t.Fatal(err)
		}
		d, err := s.Put(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		back, err := s.Get(d)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("limit %d: get: %v", n, err)
		}
	}
}

// MLOPS_THREADS is read when the package loads; a bad value stops the
// program there.
func TestThreadLimitEnvironment(t *testing.T) {
	if os.Getenv("MLOPS_GO_THREADS_CHILD") != "" {
		if mlops.ThreadLimit() != 3 {
			t.Fatalf("MLOPS_THREADS=3 gave limit %d", mlops.ThreadLimit())
		}
		return
	}
	child := func(value string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestThreadLimitEnvironment$")
		cmd.Env = append(os.Environ(), "MLOPS_GO_THREADS_CHILD=1", "MLOPS_THREADS="+value)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := child("3"); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if out, err := child("many"); err == nil || !strings.Contains(out, "MLOPS_THREADS") {
		t.Fatalf("MLOPS_THREADS=many: %v\n%s", err, out)
	}
}
