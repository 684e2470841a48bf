package mlops

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMain fails the run when C handles (runs, readers, writers,
// iterators, profiles, reports) are still held once every test is done and
// the finalizers of abandoned ones have run.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		for i := 0; i < 100 && liveHandles.Load() != 0; i++ {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		if n := liveHandles.Load(); n != 0 {
			fmt.Fprintf(os.Stderr, "leak check: %d C handles still held after the tests\n", n)
			code = 1
		}
	}
	os.Exit(code)
}
