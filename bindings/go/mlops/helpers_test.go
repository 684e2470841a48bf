package mlops_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// newStore opens a fresh store in a temporary directory, closed at the
// end of the test.
func newStore(t testing.TB) *mlops.Store {
	t.Helper()
	s, err := mlops.Open(filepath.Join(t.TempDir(), "store"), &mlops.Options{Durability: mlops.DurabilityNone})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newRun starts a run in a fresh store; both are closed at the end.
func newRun(t testing.TB) (*mlops.Store, *mlops.Run) {
	t.Helper()
	s := newStore(t)
	exp, err := s.CreateExperiment("e")
	must(t, err)
	run, err := s.StartRun(exp, "")
	must(t, err)
	t.Cleanup(func() { run.Close() })
	return s, run
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err is an *mlops.Error matching sentinel with a
// non-empty message from the library.
func wantErr(t testing.TB, err error, sentinel error) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %v, got nil", sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("want %v, got %v", sentinel, err)
	}
	var e *mlops.Error
	if !errors.As(err, &e) || e.Message == "" {
		t.Fatalf("want an *mlops.Error with a message, got %#v", err)
	}
}
