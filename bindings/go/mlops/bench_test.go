package mlops_test

import (
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// BenchmarkLogMetrics logs batches of 1,000 points (two keys); see
// benchmarks/go for the same work beside the C API.
func BenchmarkLogMetrics(b *testing.B) {
	_, run := newRun(b)
	m := make([]mlops.Metric, 1000)
	b.ResetTimer()
	start := time.Now()
	for n := 0; n < b.N; n++ {
		for i := range m {
			k := n*len(m) + i
			key := "loss"
			if k&1 == 1 {
				key = "accuracy"
			}
			m[i] = mlops.Metric{Key: key, Value: 1 / float64(k+1), Step: int64(k / 2), Time: time.UnixMilli(1700000000000 + int64(k))}
		}
		must(b, run.LogMetrics(m))
	}
	b.ReportMetric(float64(b.N*len(m))/time.Since(start).Seconds(), "points/s")
}

// BenchmarkDriftKS runs a KS test on two 100,000-value slices read in place.
func BenchmarkDriftKS(b *testing.B) {
	ref, cur := normal(100000, 0, 1, 1), normal(100000, 0.01, 1, 2)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		_, err := mlops.DriftKS(ref, cur)
		must(b, err)
	}
}
