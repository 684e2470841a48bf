// The Go binding's overhead, measured beside its anchor, the C API called
// directly from C, in the same process and the same run:
//
//   - logging 1M metric points in batches (Run.LogMetrics vs
//     mlops_run_log_metrics), the binding's heaviest conversion;
//   - logging single points (Run.LogMetric vs mlops_run_log_metric);
//   - a KS test on two 1M-value slices (DriftKS vs mlops_drift_ks), which
//     the binding passes without copying.
//
// Each figure is the median of several alternating repetitions; the ratio
// is Go time / C time (1.00 = no overhead).
//
// usage: go run . [-q] WORKDIR
package main

/*
#cgo pkg-config: libmlops
#include <stdlib.h>
#include <mlops.h>

// The anchor: the same work written in C against the C API.
static int c_log_batches(mlops_store *s, int64_t exp, size_t n, size_t batch,
                         char run_id[33]) {
    mlops_run *r = NULL;
    int rc = mlops_run_start(s, exp, "c", &r);
    if (rc) return rc;
    mlops_metric *m = malloc(batch * sizeof *m);
    if (!m) { mlops_run_free(r); return MLOPS_ENOMEM; }
    for (size_t done = 0; done < n && !rc; done += batch) {
        for (size_t i = 0; i < batch; i++) {
            size_t k = done + i;
            m[i].key = (k & 1) ? "accuracy" : "loss";
            m[i].value = 1.0 / (double)(k + 1);
            m[i].step = (int64_t)(k / 2);
            m[i].ts_ms = 1700000000000 + (int64_t)k;
        }
        rc = mlops_run_log_metrics(r, m, batch);
    }
    free(m);
    for (int i = 0; i < 33; i++) run_id[i] = mlops_run_id(r)[i];
    mlops_run_free(r);
    return rc;
}

static int c_log_single(mlops_store *s, int64_t exp, size_t n) {
    mlops_run *r = NULL;
    int rc = mlops_run_start(s, exp, "c1", &r);
    for (size_t k = 0; k < n && !rc; k++)
        rc = mlops_run_log_metric(r, "loss", 1.0 / (double)(k + 1), (int64_t)k, 1700000000000 + (int64_t)k);
    mlops_run_free(r);
    return rc;
}
*/
import "C"

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"time"
	"unsafe"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "bench: %s: %v\n", what, err)
	os.Exit(1)
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func report(name string, unit float64, unitName string, goT, cT []time.Duration) {
	g, c := median(goT), median(cT)
	fmt.Printf("%-34s Go %8.1f ms (%10.0f %s)   C %8.1f ms (%10.0f %s)   Go/C %.2f\n", name,
		g.Seconds()*1e3, unit/g.Seconds(), unitName, c.Seconds()*1e3, unit/c.Seconds(), unitName,
		g.Seconds()/c.Seconds())
}

func main() {
	args := os.Args[1:]
	points, single, reps := 1000000, 2000, 9
	if len(args) > 0 && args[0] == "-q" {
		points, single, reps = 100000, 200, 3
		args = args[1:]
	}
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run . [-q] WORKDIR")
		os.Exit(2)
	}
	dir := filepath.Join(args[0], fmt.Sprintf("store-%d", time.Now().UnixNano()))
	defer os.RemoveAll(dir)
	s, err := mlops.Open(dir, &mlops.Options{Durability: mlops.DurabilityNone})
	if err != nil {
		fail("open", err)
	}
	defer s.Close()
	// The C side opens its own handle on the same store.
	cdir := C.CString(dir)
	defer C.free(unsafe.Pointer(cdir))
	var opts C.mlops_store_opts
	C.mlops_store_opts_init(&opts, C.MLOPS_STORE_OPTS_VERSION)
	opts.durability = C.MLOPS_DURABILITY_NONE
	var cs *C.mlops_store
	if rc := C.mlops_store_open(cdir, &opts, &cs); rc != 0 {
		fail("open (C)", fmt.Errorf("%s", C.GoString(C.mlops_last_error())))
	}
	defer C.mlops_store_close(cs)
	exp, err := s.CreateExperiment("bench")
	if err != nil {
		fail("experiment", err)
	}
	fmt.Printf("libmlops %s, %s; medians of %d alternating repetitions\n", mlops.Version(), "Go binding vs C", reps)

	const batch = 1000
	var goT, cT []time.Duration
	for r := 0; r < reps; r++ {
		run, err := s.StartRun(exp, "go")
		if err != nil {
			fail("start", err)
		}
		t0 := time.Now()
		m := make([]mlops.Metric, batch)
		for done := 0; done < points; done += batch {
			for i := range m {
				k := done + i
				key := "loss"
				if k&1 == 1 {
					key = "accuracy"
				}
				m[i] = mlops.Metric{Key: key, Value: 1 / float64(k+1), Step: int64(k / 2), Time: time.UnixMilli(1700000000000 + int64(k))}
			}
			if err := run.LogMetrics(m); err != nil {
				fail("log", err)
			}
		}
		goT = append(goT, time.Since(t0))
		run.Close()

		var id [33]C.char
		t0 = time.Now()
		if rc := C.c_log_batches(cs, C.int64_t(exp), C.size_t(points), batch, &id[0]); rc != 0 {
			fail("log (C)", fmt.Errorf("%s", C.GoString(C.mlops_last_error())))
		}
		cT = append(cT, time.Since(t0))
	}
	report(fmt.Sprintf("log %d points, batches of %d", points, batch), float64(points), "points/s", goT, cT)

	goT, cT = nil, nil
	for r := 0; r < reps; r++ {
		run, err := s.StartRun(exp, "go1")
		if err != nil {
			fail("start", err)
		}
		t0 := time.Now()
		for k := 0; k < single; k++ {
			if err := run.LogMetric("loss", 1/float64(k+1), int64(k)); err != nil {
				fail("log one", err)
			}
		}
		goT = append(goT, time.Since(t0))
		run.Close()
		t0 = time.Now()
		if rc := C.c_log_single(cs, C.int64_t(exp), C.size_t(single)); rc != 0 {
			fail("log one (C)", fmt.Errorf("%s", C.GoString(C.mlops_last_error())))
		}
		cT = append(cT, time.Since(t0))
	}
	report(fmt.Sprintf("log %d single points", single), float64(single), "points/s", goT, cT)

	rng := rand.New(rand.NewSource(1))
	ref, cur := make([]float64, points), make([]float64, points)
	for i := range ref {
		ref[i], cur[i] = rng.NormFloat64(), rng.NormFloat64()+0.01
	}
	goT, cT = nil, nil
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		if _, err := mlops.DriftKS(ref, cur); err != nil {
			fail("ks", err)
		}
		goT = append(goT, time.Since(t0))
		var res C.mlops_test_result
		t0 = time.Now()
		if rc := C.mlops_drift_ks((*C.double)(unsafe.Pointer(&ref[0])), C.size_t(len(ref)),
			(*C.double)(unsafe.Pointer(&cur[0])), C.size_t(len(cur)), &res); rc != 0 {
			fail("ks (C)", fmt.Errorf("%s", C.GoString(C.mlops_last_error())))
		}
		cT = append(cT, time.Since(t0))
	}
	report(fmt.Sprintf("KS test, 2 x %d values", points), 2*float64(points), "values/s", goT, cT)
}
