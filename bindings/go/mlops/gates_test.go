package mlops_test

import (
	"errors"
	"math"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// Gates on SQLite and PostgreSQL: set, read, clear; a better candidate
// promoted, a worse one refused (decision and ErrPolicy), a forced move.
func TestGates(t *testing.T) {
	evalStores(t, func(t *testing.T, s *mlops.Store) {
		ds := mlops.ComputeDigest([]byte("holdout"))
		for v, auc := range map[int64]float64{1: 0.85, 2: 0.70} {
			_, err := s.RecordEvaluation("churn", v, ds, map[string]mlops.RecordedMetric{"auc": {Value: auc}}, nil)
			must(t, err)
		}
		wantErr(t, s.SetGate("churn", "champion", []string{"metrics.auc >="}, nil, nil), mlops.ErrInvalid)
		must(t, s.SetGate("churn", "champion", []string{"METRICS.auc>=0.8", "metrics.auc >= baseline.metrics.auc - 0.005"}, &ds, nil))
		g, err := s.Gate("churn", "champion")
		must(t, err)
		if len(g.Conditions) != 2 || g.Conditions[0] != "metrics.auc >= 0.8" || g.Dataset == nil || *g.Dataset != ds {
			t.Fatalf("gate %+v", g)
		}
		d, err := s.Promote("churn", 1, "champion", false, nil)
		must(t, err)
		if !d.Promoted || !d.Gated || !d.Passed || d.Baseline != 0 || len(d.Checks) != 2 || d.Checks[1].Outcome != "skip" {
			t.Fatalf("decision %+v", d)
		}
		d, err = s.Promote("churn", 2, "champion", false, nil)
		if !errors.Is(err, mlops.ErrPolicy) || d == nil || d.Promoted || d.Baseline != 1 {
			t.Fatalf("refusal: %v %+v", err, d)
		}
		if d.Checks[0].Outcome != "fail" || d.Checks[0].Left != 0.70 || math.IsNaN(d.Checks[0].Right) {
			t.Fatalf("check %+v", d.Checks[0])
		}
		wantErr(t, s.SetAlias("churn", "champion", 2, nil), mlops.ErrPolicy)
		_, err = s.Promote("churn", 2, "champion", true, nil)
		wantErr(t, err, mlops.ErrInvalid)
		d, err = s.Promote("churn", 2, "champion", true, &mlops.Change{Reason: "hotfix"})
		must(t, err)
		if !d.Forced || !d.Promoted {
			t.Fatalf("forced %+v", d)
		}
		must(t, s.ClearGate("churn", "champion", nil))
		_, err = s.Gate("churn", "champion")
		wantErr(t, err, mlops.ErrNotFound)
		must(t, s.AuditVerify())
	})
}
