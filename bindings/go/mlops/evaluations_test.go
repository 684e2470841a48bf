package mlops_test

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"path/filepath"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// evalStores runs f on a SQLite store and, with MLOPS_TEST_PG, on a
// PostgreSQL one, each with model "churn" at versions 1 and 2.
func evalStores(t *testing.T, f func(t *testing.T, s *mlops.Store)) {
	prepare := func(t *testing.T, s *mlops.Store) {
		art, err := s.PutBytes([]byte("weights"))
		must(t, err)
		must(t, s.CreateModel("churn", "", nil))
		for i := 0; i < 2; i++ {
			_, err = s.CreateVersion("churn", art, "", "", nil)
			must(t, err)
		}
		f(t, s)
	}
	t.Run("sqlite", func(t *testing.T) { prepare(t, newStore(t)) })
	t.Run("postgres", func(t *testing.T) {
		pg := testPG(t)
		var b [6]byte
		_, err := rand.Read(b[:])
		must(t, err)
		tmp := t.TempDir()
		loc := mlops.Location{Metadata: pg, Schema: "goeval_" + hex.EncodeToString(b[:]),
			Objects: filepath.Join(tmp, "objects")}
		s, err := mlops.Create(filepath.Join(tmp, "store"), &loc, fast)
		must(t, err)
		defer s.Close()
		prepare(t, s)
	})
}

func TestEvaluations(t *testing.T) {
	evalStores(t, func(t *testing.T, s *mlops.Store) {
		ds, other := mlops.ComputeDigest([]byte("data")), mlops.ComputeDigest([]byte("other"))
		payloadNaN := math.Float64frombits(0xfff4000000c0ffee)
		a, err := s.RecordEvaluation("churn", 1, ds, map[string]mlops.RecordedMetric{
			"auc":     {Value: 0.8, HasInterval: true, Low: 0.7, High: 0.9},
			"auc_one": {Value: payloadNaN, Reason: mlops.ReasonOneClass},
		}, &mlops.Change{Reason: "nightly"})
		must(t, err)
		b, err := s.RecordEvaluation("churn", 1, other, map[string]mlops.RecordedMetric{"auc": {Value: 0.85}}, nil)
		must(t, err)
		c, err := s.RecordEvaluation("churn", 1, ds, map[string]mlops.RecordedMetric{"auc": {Value: 0.9}}, nil)
		must(t, err)
		if !(a < b && b < c) {
			t.Fatalf("ids %d %d %d", a, b, c)
		}
		e, err := s.Evaluation(a)
		must(t, err)
		if e.Model != "churn" || e.Version != 1 || e.Dataset != ds || e.Reason != "nightly" || len(e.Metrics) != 2 {
			t.Fatalf("%+v", e)
		}
		if m := e.Metrics["auc"]; !m.HasInterval || m.Value != 0.8 || m.Low != 0.7 || m.High != 0.9 {
			t.Fatalf("auc %+v", m)
		}
		// NaN bit for bit with its reason; the bounds a metric lacked are NaN
		m := e.Metrics["auc_one"]
		if math.Float64bits(m.Value) != 0xfff4000000c0ffee || m.Reason != mlops.ReasonOneClass ||
			!m.HasInterval || !math.IsNaN(m.Low) {
			t.Fatalf("auc_one %+v", m)
		}
		all, err := s.Evaluations("churn", 1, nil)
		must(t, err)
		if len(all) != 3 || all[2].ID != c {
			t.Fatalf("%d evaluations", len(all))
		}
		onDS, err := s.Evaluations("churn", 1, &mlops.EvaluationQuery{Dataset: &ds})
		must(t, err)
		if len(onDS) != 2 || onDS[1].ID != c || onDS[1].Metrics["auc"].HasInterval {
			t.Fatalf("%+v", onDS)
		}
		page, err := s.Evaluations("churn", 1, &mlops.EvaluationQuery{AfterID: a, Limit: 1})
		must(t, err)
		if len(page) != 1 || page[0].ID != b {
			t.Fatalf("%+v", page)
		}
		none, err := s.Evaluations("churn", 2, nil)
		must(t, err)
		if len(none) != 0 {
			t.Fatal(none)
		}
		// refusals
		one := map[string]mlops.RecordedMetric{"auc": {Value: 1}}
		_, err = s.RecordEvaluation("churn", 9, ds, one, nil)
		wantErr(t, err, mlops.ErrNotFound)
		_, err = s.RecordEvaluation("nope", 1, ds, one, nil)
		wantErr(t, err, mlops.ErrNotFound)
		_, err = s.RecordEvaluation("churn", 1, ds, nil, nil)
		wantErr(t, err, mlops.ErrInvalid)
		_, err = s.RecordEvaluation("churn", 1, ds, map[string]mlops.RecordedMetric{"a\nb": {}}, nil)
		wantErr(t, err, mlops.ErrInvalid)
		_, err = s.RecordEvaluation("churn", 1, ds, map[string]mlops.RecordedMetric{"auc": {Reason: 99}}, nil)
		wantErr(t, err, mlops.ErrInvalid)
		_, err = s.Evaluations("churn", 9, nil)
		wantErr(t, err, mlops.ErrNotFound)
		_, err = s.Evaluation(c + 100)
		wantErr(t, err, mlops.ErrNotFound)
		// a deleted version keeps its evaluations
		must(t, s.DeleteVersion("churn", 1, nil))
		all, err = s.Evaluations("churn", 1, nil)
		must(t, err)
		if len(all) != 3 {
			t.Fatalf("%d after delete", len(all))
		}
		_, err = s.RecordEvaluation("churn", 1, ds, one, nil)
		wantErr(t, err, mlops.ErrNotFound)
	})
}
