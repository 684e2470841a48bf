package mlops_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestVersion(t *testing.T) {
	if mlops.Version() != mlops.HeaderVersion {
		t.Fatalf("library %s, headers %s", mlops.Version(), mlops.HeaderVersion)
	}
	if mlops.VersionNumber() != mlops.HeaderVersionNumber || mlops.VersionNumber()/10000 != 1 {
		t.Fatalf("version number %d, headers %d", mlops.VersionNumber(), mlops.HeaderVersionNumber)
	}
}

func TestErrorCodes(t *testing.T) {
	if mlops.CodeNotFound.String() != "not found" {
		t.Fatalf("strerror: %q", mlops.CodeNotFound.String())
	}
	e := &mlops.Error{Code: mlops.CodeNotFound, Message: "no blob x"}
	if !errors.Is(e, mlops.ErrNotFound) || errors.Is(e, mlops.ErrExists) {
		t.Fatal("Is against sentinels")
	}
	if !errors.Is(e, fs.ErrNotExist) || errors.Is(e, fs.ErrExist) {
		t.Fatal("Is against fs errors")
	}
	if !errors.Is(&mlops.Error{Code: mlops.CodeExists}, fs.ErrExist) {
		t.Fatal("ErrExists is fs.ErrExist")
	}
	if !strings.Contains(e.Error(), "no blob x") || !strings.Contains(e.Error(), "not found") {
		t.Fatalf("Error(): %q", e.Error())
	}
	if mlops.ErrInvalid.Error() != "mlops: invalid argument" && !strings.HasPrefix(mlops.ErrInvalid.Error(), "mlops: ") {
		t.Fatalf("sentinel text %q", mlops.ErrInvalid.Error())
	}
	if !errors.Is(mlops.ErrClosed, mlops.ErrInvalid) || !errors.Is(mlops.ErrClosed, mlops.ErrClosed) {
		t.Fatal("ErrClosed")
	}
	// Every code has a name from the library.
	codes := []mlops.Code{mlops.CodePermission}
	for c := mlops.CodeInvalid; c <= mlops.CodeSignature; c++ {
		codes = append(codes, c)
	}
	for _, c := range codes {
		if c.String() == "" || c.String() == "unknown error" {
			t.Fatalf("code %d has no name", int(c))
		}
	}
}

func TestOpenCreatesAndReopens(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a store")
	s, err := mlops.Open(dir, nil)
	must(t, err)
	if s.Path() != dir {
		t.Fatalf("Path %q", s.Path())
	}
	v, err := s.FormatVersion()
	must(t, err)
	if v < 1 {
		t.Fatalf("format version %d", v)
	}
	d, err := s.PutBytes([]byte("kept"))
	must(t, err)
	must(t, s.Close())
	must(t, s.Close()) // twice is a no-op
	if s.Path() != "" {
		t.Fatal("Path after Close")
	}
	if _, err := s.FormatVersion(); err != mlops.ErrClosed {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := s.PutBytes(nil); !errors.Is(err, mlops.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}

	ro, err := mlops.Open(dir, &mlops.Options{ReadOnly: true, NoCreate: true, BusyTimeout: 1e9,
		CompressionLevel: 5, Threads: 2, Actor: "tester", Durability: mlops.DurabilityFull})
	must(t, err)
	defer ro.Close()
	got, err := ro.Get(d)
	must(t, err)
	if string(got) != "kept" {
		t.Fatalf("reopened: %q", got)
	}
	_, err = ro.PutBytes([]byte("x"))
	wantErr(t, err, mlops.ErrReadOnly)
}

func TestOpenErrors(t *testing.T) {
	tmp := t.TempDir()
	_, err := mlops.Open(filepath.Join(tmp, "missing"), &mlops.Options{NoCreate: true})
	wantErr(t, err, mlops.ErrNotFound)

	file := filepath.Join(tmp, "file")
	must(t, os.WriteFile(file, []byte("not a store"), 0o644))
	_, err = mlops.Open(file, nil)
	wantErr(t, err, mlops.ErrFormat)

	_, err = mlops.Open(filepath.Join(tmp, "bad"), &mlops.Options{CompressionLevel: 99})
	wantErr(t, err, mlops.ErrInvalid)

	_, err = mlops.Open(filepath.Join(tmp, "bad2"), &mlops.Options{ChunkMinSize: 10, ChunkAvgSize: 5, ChunkMaxSize: 1})
	wantErr(t, err, mlops.ErrInvalid)

	_, err = mlops.Open("nul\x00byte", nil)
	wantErr(t, err, mlops.ErrInvalid)
}

// The library's message is thread-local: under many goroutines failing at
// once, each error must carry its own message.
func TestErrorMessagesStayWithTheirCall(t *testing.T) {
	s := newStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				name := "exp-" + string(rune('a'+g))
				if g%2 == 0 {
					_, err := s.ExperimentByName(name)
					if err == nil || !strings.Contains(err.Error(), name) {
						errs <- err
						return
					}
				} else {
					_, err := s.Get(mlops.ComputeDigest([]byte(name)))
					if !errors.Is(err, mlops.ErrNotFound) || !strings.Contains(err.Error(), mlops.ComputeDigest([]byte(name)).String()[7:20]) {
						errs <- err
						return
					}
				}
				runtime.Gosched()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("message of another call: %v", err)
	}
}

func TestFinalizerClosesAbandonedHandles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "s")
	func() {
		s, err := mlops.Open(dir, nil)
		must(t, err)
		id, err := s.CreateExperiment("e")
		must(t, err)
		_, err = s.StartRun(id, "abandoned")
		must(t, err)
		d, err := s.PutBytes([]byte("abc"))
		must(t, err)
		_, err = s.OpenBlob(d)
		must(t, err)
		_, err = s.NewBlobWriter()
		must(t, err)
	}()
	for i := 0; i < 5; i++ {
		runtime.GC()
	}
	s, err := mlops.Open(dir, nil)
	must(t, err)
	defer s.Close()
	e, err := s.ExperimentByName("e")
	must(t, err)
	runs, err := s.Runs(e.ID, mlops.LifecycleAll)
	must(t, err)
	if len(runs) != 1 || runs[0].Status != mlops.RunRunning {
		t.Fatalf("runs %+v", runs)
	}
}

func TestCloseReleasesChildren(t *testing.T) {
	s, err := mlops.Open(filepath.Join(t.TempDir(), "s"), nil)
	must(t, err)
	id, err := s.CreateExperiment("e")
	must(t, err)
	run, err := s.StartRun(id, "r")
	must(t, err)
	d, err := s.PutBytes([]byte("abc"))
	must(t, err)
	br, err := s.OpenBlob(d)
	must(t, err)
	w, err := s.NewBlobWriter()
	must(t, err)
	must(t, s.Close())
	if err := run.LogMetric("m", 1, 0); err != mlops.ErrClosed {
		t.Fatalf("run after store close: %v", err)
	}
	if _, err := br.Read(make([]byte, 1)); err != mlops.ErrClosed {
		t.Fatalf("reader after store close: %v", err)
	}
	if _, err := br.ReadAt(make([]byte, 1), 0); err != mlops.ErrClosed {
		t.Fatalf("ReadAt after store close: %v", err)
	}
	if _, err := w.Write([]byte("x")); err != mlops.ErrClosed {
		t.Fatalf("writer after store close: %v", err)
	}
	if _, err := w.Commit(); err != mlops.ErrClosed {
		t.Fatalf("commit after store close: %v", err)
	}
	must(t, run.Close())
	must(t, br.Close())
	w.Abort()
}

// Close racing with goroutines that open and use handles: every call
// either works or returns ErrClosed, and nothing outlives the store.
func TestCloseWhileOpening(t *testing.T) {
	for round := 0; round < 5; round++ {
		s, err := mlops.Open(filepath.Join(t.TempDir(), "s"), &mlops.Options{Durability: mlops.DurabilityNone})
		must(t, err)
		exp, err := s.CreateExperiment("e")
		must(t, err)
		d, err := s.PutBytes([]byte("content"))
		must(t, err)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 30; i++ {
					if r, err := s.StartRun(exp, ""); err == nil {
						if err := r.LogMetric("m", 1, int64(i)); err != nil && err != mlops.ErrClosed {
							t.Error(err)
						}
						r.Close()
					} else if err != mlops.ErrClosed {
						t.Error(err)
					}
					if br, err := s.OpenBlob(d); err == nil {
						if _, err := io.ReadAll(br); err != nil && err != mlops.ErrClosed {
							t.Error(err)
						}
						br.Close()
					} else if err != mlops.ErrClosed {
						t.Error(err)
					}
				}
			}()
		}
		time.Sleep(time.Duration(round) * time.Millisecond)
		must(t, s.Close())
		wg.Wait()
	}
}
