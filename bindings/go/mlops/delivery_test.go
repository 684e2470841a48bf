package mlops_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func churnStore(t *testing.T) *mlops.Store {
	t.Helper()
	s := newStore(t)
	d, err := s.PutBytes([]byte("weights"))
	must(t, err)
	must(t, s.CreateModel("churn", "", nil))
	for i := 0; i < 5; i++ {
		_, err := s.CreateVersion("churn", d, "", "", nil)
		must(t, err)
	}
	return s
}

func TestAliasSplits(t *testing.T) {
	s := churnStore(t)
	must(t, s.SetAliasSplit("churn", "champion", "4:10,3:90+shadow:5", &mlops.Change{Actor: "ana"}))
	sp, err := s.AliasSplit("churn", "champion")
	must(t, err)
	if sp.Text != "3:90,4:10+shadow:5" || sp.Primary != 3 || sp.Shadow != 5 || len(sp.Legs) != 2 ||
		sp.Legs[1] != (mlops.Leg{Version: 4, Weight: 10}) || len(sp.Salt) != 32 {
		t.Fatalf("split %+v", sp)
	}
	v, err := s.Alias("churn", "champion") // 1.0: the primary
	must(t, err)
	if v != 3 {
		t.Fatalf("primary %d", v)
	}
	must(t, s.SetAliasSplit("churn", "stage", "2", nil))
	all, err := s.AliasSplits("churn")
	must(t, err)
	if len(all) != 2 || all[0].Alias != "champion" || all[1].Text != "2" {
		t.Fatalf("splits %+v", all)
	}
	wantErr(t, s.SetAliasSplit("churn", "champion", "3:90,4:5", nil), mlops.ErrInvalid)
	wantErr(t, s.SetAliasSplit("churn", "champion", "3:90,9:10", nil), mlops.ErrNotFound)
	wantErr(t, s.RampAlias("churn", "champion", 4, 101, nil), mlops.ErrInvalid)
	wantErr(t, s.SetAliasSplit("churn", "champ\x00ion", "3", nil), mlops.ErrInvalid)
}

// A weight that does not fit a C int is refused, not cut to its low 32
// bits: 1<<32 + 50 used to give the version 50 percent.
func TestRampAliasWeightBeyondCInt(t *testing.T) {
	s := churnStore(t)
	must(t, s.SetAliasSplit("churn", "champion", "3", nil))
	wantErr(t, s.RampAlias("churn", "champion", 4, 1<<32+50, nil), mlops.ErrInvalid)
	wantErr(t, s.RampAlias("churn", "champion", 4, -(1<<32)+50, nil), mlops.ErrInvalid)
	sp, err := s.AliasSplit("churn", "champion")
	must(t, err)
	if sp.Text != "3" {
		t.Fatalf("split %q after refused ramps", sp.Text)
	}
	must(t, s.RampAlias("churn", "champion", 4, 50, nil))
}

func TestRouting(t *testing.T) {
	s := churnStore(t)
	must(t, s.SetAliasSplit("churn", "champion", "3:90,4:10", nil))
	snap, err := s.RouteSnapshot("churn", "champion")
	must(t, err)
	const n = 20000
	at10 := make([]int64, n)
	on4 := 0
	for i := range at10 {
		at10[i], err = snap.RouteString(fmt.Sprintf("user-%d", i))
		must(t, err)
		if at10[i] == 4 {
			on4++
		}
	}
	if share := float64(on4) / n; share < 0.09 || share > 0.11 {
		t.Fatalf("share %f", share)
	}
	one, err := s.Route("churn", "champion", []byte("user-7"))
	must(t, err)
	if one != at10[7] {
		t.Fatalf("store route %d, snapshot %d", one, at10[7])
	}
	must(t, snap.Close())
	must(t, snap.Close())
	if _, err := snap.RouteString("k"); err != mlops.ErrClosed {
		t.Fatalf("closed snapshot: %v", err)
	}

	before := time.Now()
	time.Sleep(5 * time.Millisecond)
	must(t, s.RampAlias("churn", "champion", 4, 50, nil))
	snap, err = s.RouteSnapshot("churn", "champion")
	must(t, err)
	defer snap.Close()
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() { // many goroutines on one snapshot; monotone ramp
			defer wg.Done()
			for i := 0; i < n; i += 7 {
				v, err := snap.RouteString(fmt.Sprintf("user-%d", i))
				if err != nil || (at10[i] == 4 && v != 4) {
					t.Errorf("key %d: %d, %v", i, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	sp, err := s.AliasSplitAt("churn", "champion", before)
	must(t, err)
	if sp.Text != "3:90,4:10" {
		t.Fatalf("split then %q", sp.Text)
	}
	must(t, s.RollbackAlias("churn", "champion", time.Time{}, nil))
	sp, err = s.AliasSplit("churn", "champion")
	must(t, err)
	if sp.Text != "3:90,4:10" {
		t.Fatalf("after rollback %q", sp.Text)
	}
	must(t, s.DeleteAlias("churn", "champion", nil))
	_, err = s.Route("churn", "champion", []byte("k"))
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.RouteSnapshot("churn", "champion")
	wantErr(t, err, mlops.ErrNotFound)
}
