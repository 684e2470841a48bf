package mlops_test

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestExperiments(t *testing.T) {
	s := newStore(t)
	id, err := s.CreateExperiment("vision")
	must(t, err)
	if id <= 0 {
		t.Fatalf("id %d", id)
	}
	_, err = s.CreateExperiment("vision")
	wantErr(t, err, mlops.ErrExists)
	_, err = s.CreateExperiment("")
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.CreateExperiment("bad\x00name")
	wantErr(t, err, mlops.ErrInvalid)

	must(t, s.SetExperimentTag(id, "team", "cv"))
	must(t, s.SetExperimentTag(id, "owner", "ana"))
	must(t, s.DeleteExperimentTag(id, "owner"))
	err = s.DeleteExperimentTag(id, "owner")
	wantErr(t, err, mlops.ErrNotFound)
	if !strings.Contains(err.Error(), "mlops_experiment_tag_delete:") {
		t.Fatalf("not the 1.1 function: %v", err)
	}
	wantErr(t, s.SetExperimentTag(id, strings.Repeat("k", 251), "v"), mlops.ErrInvalid)
	must(t, s.SetExperimentTag(id, strings.Repeat("k", 250), "v"))
	must(t, s.DeleteExperimentTag(id, strings.Repeat("k", 250)))
	wantErr(t, s.SetExperimentTag(999, "k", "v"), mlops.ErrNotFound)
	must(t, s.RenameExperiment(id, "vision-2"))
	other, err := s.CreateExperiment("other")
	must(t, err)
	wantErr(t, s.RenameExperiment(other, "vision-2"), mlops.ErrExists)
	wantErr(t, s.RenameExperiment(999, "x"), mlops.ErrNotFound)

	e, err := s.Experiment(id)
	must(t, err)
	if e.ID != id || e.Name != "vision-2" || e.Tags["team"] != "cv" || len(e.Tags) != 1 ||
		e.Created.IsZero() || e.Updated.Before(e.Created) || !e.Deleted.IsZero() {
		t.Fatalf("experiment %+v", e)
	}
	byName, err := s.ExperimentByName("vision-2")
	must(t, err)
	if byName.ID != id {
		t.Fatal("by name")
	}
	_, err = s.Experiment(12345)
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.ExperimentByName("nope")
	wantErr(t, err, mlops.ErrNotFound)

	must(t, s.DeleteExperiment(other))
	_, err = s.StartRun(other, "r")
	wantErr(t, err, mlops.ErrConflict)
	active, err := s.Experiments(mlops.LifecycleActive)
	must(t, err)
	deleted, err := s.Experiments(mlops.LifecycleDeleted)
	must(t, err)
	all, err := s.Experiments(mlops.LifecycleAll)
	must(t, err)
	if len(active) != 1 || active[0].ID != id || len(deleted) != 1 || deleted[0].Deleted.IsZero() || len(all) != 2 {
		t.Fatalf("lists %v %v %v", active, deleted, all)
	}
	_, err = s.Experiments(mlops.Lifecycle(7))
	wantErr(t, err, mlops.ErrInvalid)
	must(t, s.RestoreExperiment(other))
	wantErr(t, s.DeleteExperiment(999), mlops.ErrNotFound)
	wantErr(t, s.RestoreExperiment(999), mlops.ErrNotFound)
}

func TestRunLifecycle(t *testing.T) {
	s := newStore(t)
	exp, err := s.CreateExperiment("e")
	must(t, err)
	start := time.UnixMilli(1700000000123).UTC()
	parent, err := s.StartRun(exp, "parent")
	must(t, err)
	defer parent.Close()
	run, err := s.StartRunWith(exp, &mlops.RunOptions{Name: "child", ParentRunID: parent.ID(), User: "ana",
		Source: "train.go", GitCommit: "abcdef12", Start: start})
	must(t, err)
	defer run.Close()
	if len(run.ID()) != 32 || run.ExperimentID() != exp {
		t.Fatalf("run id %q exp %d", run.ID(), run.ExperimentID())
	}
	_, err = s.StartRunWith(exp, &mlops.RunOptions{GitCommit: "xyz"})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.StartRunWith(exp, &mlops.RunOptions{ParentRunID: strings.Repeat("0", 32)})
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.StartRun(999, "")
	wantErr(t, err, mlops.ErrNotFound)

	must(t, run.LogParam("lr", "0.01"))
	must(t, run.LogParam("lr", "0.01"))
	wantErr(t, run.LogParam("lr", "0.02"), mlops.ErrConflict)
	must(t, run.LogParams(map[string]string{"epochs": "10", "optimizer": "adam"}))
	must(t, run.LogParams(nil))
	wantErr(t, run.LogParams(map[string]string{"batch": "32", "lr": "0.5"}), mlops.ErrConflict)
	wantErr(t, run.LogParam("", "x"), mlops.ErrInvalid)
	wantErr(t, run.LogParam("k\x00", "x"), mlops.ErrInvalid)
	must(t, run.SetTag("stage", "dev"))
	must(t, run.SetTag("tmp", "x"))
	must(t, run.DeleteTag("tmp"))
	err = run.DeleteTag("tmp")
	wantErr(t, err, mlops.ErrNotFound)
	if !strings.Contains(err.Error(), "mlops_run_tag_delete:") {
		t.Fatalf("not the 1.1 function: %v", err)
	}

	must(t, run.LogMetric("loss", 0.5, 1))
	ts := time.UnixMilli(1700000001000).UTC()
	must(t, run.LogMetrics([]mlops.Metric{
		{Key: "loss", Value: 0.25, Step: 2, Time: ts},
		{Key: "acc", Value: 0.9, Step: 2, Time: ts},
		{Key: "weird", Value: math.NaN(), Step: 1},
		{Key: "weird", Value: math.Inf(-1), Step: 2},
		{Key: "weird", Value: math.Copysign(0, -1), Step: 3},
	}))
	must(t, run.LogMetrics(nil))
	wantErr(t, run.LogMetrics([]mlops.Metric{{Key: "ok", Value: 1}, {Key: "", Value: 2}}), mlops.ErrInvalid)

	d, err := s.PutBytes([]byte("dataset"))
	must(t, err)
	m, err := s.PutBytes([]byte("model"))
	must(t, err)
	must(t, run.LogInput(d, "train.csv", "dataset"))
	must(t, run.LogOutput(m, "model.bin", "model"))
	must(t, run.LogOutput(m, "model.bin", "model"))
	wantErr(t, run.LogOutput(m, "model.bin", "other-role"), mlops.ErrConflict)
	wantErr(t, run.LogInput(mlops.ComputeDigest([]byte("absent")), "x", "dataset"), mlops.ErrNotFound)

	must(t, run.End(mlops.RunFinished))
	wantErr(t, run.End(mlops.RunFailed), mlops.ErrConflict)
	wantErr(t, parent.End(mlops.RunStatus(9)), mlops.ErrInvalid)
	wantErr(t, run.LogMetric("loss", 1, 3), mlops.ErrConflict)
	wantErr(t, run.LogParam("late", "x"), mlops.ErrConflict)
	must(t, run.SetTag("after", "end"))

	info, err := s.GetRun(run.ID())
	must(t, err)
	if info.ID != run.ID() || info.ExperimentID != exp || info.Name != "child" || info.ParentID != parent.ID() ||
		info.Status != mlops.RunFinished || !info.Start.Equal(start) || info.End.IsZero() || !info.Deleted.IsZero() {
		t.Fatalf("run info %+v", info)
	}
	if info.Status.String() != "FINISHED" || mlops.RunStatus(42).String() != "RunStatus(42)" {
		t.Fatal("status names")
	}
	if len(info.Params) != 3 || info.Params["optimizer"] != "adam" || info.Params["lr"] != "0.01" {
		t.Fatalf("params %v", info.Params)
	}
	if info.Tags["stage"] != "dev" || info.Tags["after"] != "end" || info.Tags["mlops.user"] != "ana" ||
		info.Tags["mlops.source"] != "train.go" || info.Tags["mlops.git.commit"] != "abcdef12" {
		t.Fatalf("tags %v", info.Tags)
	}
	loss := info.Metrics["loss"]
	if loss.Key != "loss" || loss.Last != 0.25 || loss.LastStep != 2 || !loss.LastTime.Equal(ts) ||
		loss.Min != 0.25 || loss.Max != 0.5 || loss.Count != 2 {
		t.Fatalf("loss summary %+v", loss)
	}
	w := info.Metrics["weird"]
	if w.Count != 3 || !math.Signbit(w.Last) || w.Last != 0 || !math.IsInf(w.Min, -1) {
		t.Fatalf("weird summary %+v", w)
	}
	if len(info.Lineage) != 2 || info.Lineage[0].Direction != mlops.Input || info.Lineage[0].Digest != d ||
		info.Lineage[0].Name != "train.csv" || info.Lineage[0].Role != "dataset" || info.Lineage[1].Direction != mlops.Output ||
		info.Lineage[1].RunID != run.ID() || info.Lineage[1].Created.IsZero() {
		t.Fatalf("lineage %+v", info.Lineage)
	}
	if mlops.Input.String() != "input" || mlops.Output.String() != "output" {
		t.Fatal("direction names")
	}

	edges, err := s.RunLineage(run.ID())
	must(t, err)
	if len(edges) != 2 || edges[1].Digest != m {
		t.Fatalf("RunLineage %+v", edges)
	}
	edges, err = s.DigestLineage(m)
	must(t, err)
	if len(edges) != 1 || edges[0].RunID != run.ID() || edges[0].Direction != mlops.Output {
		t.Fatalf("DigestLineage %+v", edges)
	}
	edges, err = s.DigestLineage(mlops.ComputeDigest([]byte("unused")))
	must(t, err)
	if len(edges) != 0 {
		t.Fatal("lineage of an unused digest")
	}
	_, err = s.RunLineage("zz")
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.RunLineage(strings.Repeat("a", 32))
	wantErr(t, err, mlops.ErrNotFound)

	// Reopen the run from its id.
	again, err := s.OpenRun(parent.ID())
	must(t, err)
	must(t, again.LogMetric("from-reopened", 1, 0))
	must(t, again.End(mlops.RunKilled))
	must(t, again.Close())
	wantErr(t, again.End(mlops.RunKilled), mlops.ErrClosed)
	_, err = s.OpenRun(strings.Repeat("b", 32))
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.OpenRun("not-an-id")
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.GetRun("not-an-id")
	wantErr(t, err, mlops.ErrInvalid)

	runs, err := s.Runs(exp, mlops.LifecycleActive)
	must(t, err)
	if len(runs) != 2 {
		t.Fatalf("%d runs", len(runs))
	}
	must(t, s.DeleteRun(run.ID()))
	runs, err = s.Runs(exp, mlops.LifecycleDeleted)
	must(t, err)
	if len(runs) != 1 || runs[0].ID != run.ID() || runs[0].Deleted.IsZero() {
		t.Fatalf("deleted runs %+v", runs)
	}
	must(t, s.RestoreRun(run.ID()))
	wantErr(t, s.DeleteRun(strings.Repeat("c", 32)), mlops.ErrNotFound)
	wantErr(t, s.RestoreRun("x"), mlops.ErrInvalid)
	_, err = s.Runs(999, mlops.LifecycleAll)
	wantErr(t, err, mlops.ErrNotFound)
}

func TestCompareRunsHTML(t *testing.T) {
	s, run := newRun(t)
	ms := make([]mlops.Metric, 3000)
	for i := range ms {
		ms[i] = mlops.Metric{Key: "loss </svg>", Value: 1 / float64(i+1), Step: int64(i), Time: time.UnixMilli(int64(1e12 + i))}
	}
	must(t, run.LogMetrics(ms))
	page, err := s.CompareRunsHTML([]string{run.ID()}, &mlops.CompareOptions{Title: "<T>", MaxPoints: 40, NoTimestamp: true})
	must(t, err)
	html := string(page)
	for _, want := range []string{"<!DOCTYPE html>", "&lt;T&gt;", "loss &lt;/svg&gt;", "Downsampled (LTTB): at most 40 of up to 3"} {
		if !strings.Contains(html, want) {
			t.Fatalf("no %q in the page", want)
		}
	}
	if strings.Count(html, "<svg") != 1 || strings.Contains(html, "<script") {
		t.Fatal("one chart, no script")
	}
	again, err := s.CompareRunsHTML([]string{run.ID()}, &mlops.CompareOptions{Title: "<T>", MaxPoints: 40, NoTimestamp: true})
	must(t, err)
	if string(again) != html {
		t.Fatal("the same page twice")
	}
	page, err = s.CompareRunsHTML([]string{run.ID()}, &mlops.CompareOptions{TimeAxis: true})
	must(t, err)
	if !strings.Contains(string(page), "Time since the run started") {
		t.Fatal("time axis")
	}
	_, err = s.CompareRunsHTML(nil, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.CompareRunsHTML([]string{run.ID(), run.ID()}, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.CompareRunsHTML([]string{run.ID()}, &mlops.CompareOptions{MaxPoints: -1})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.CompareRunsHTML([]string{strings.Repeat("0", 32)}, nil)
	wantErr(t, err, mlops.ErrNotFound)
}

func TestMetricHistory(t *testing.T) {
	s, run := newRun(t)
	ms := make([]mlops.Metric, 1000)
	for i := range ms {
		ms[i] = mlops.Metric{Key: "loss", Value: 1 / float64(i+1), Step: int64(i), Time: time.UnixMilli(int64(1e12 + i))}
	}
	must(t, run.LogMetrics(ms))
	pts, err := s.MetricHistory(run.ID(), "loss", nil)
	must(t, err)
	if len(pts) != 1000 {
		t.Fatalf("%d points", len(pts))
	}
	for i, p := range pts {
		if p.Step != int64(i) || p.Value != 1/float64(i+1) || p.Time.UnixMilli() != int64(1e12+i) {
			t.Fatalf("point %d: %+v", i, p)
		}
	}
	pts, err = s.MetricHistory(run.ID(), "loss", &mlops.HistoryOptions{StepRange: true, MinStep: 10, MaxStep: 19})
	must(t, err)
	if len(pts) != 10 || pts[0].Step != 10 || pts[9].Step != 19 {
		t.Fatalf("range: %+v", pts)
	}
	pts, err = s.MetricHistory(run.ID(), "loss", &mlops.HistoryOptions{Buckets: 10})
	must(t, err)
	if len(pts) == 0 || len(pts) > 20 || pts[0].Step != 0 {
		t.Fatalf("buckets: %d points", len(pts))
	}
	pts, err = s.MetricHistory(run.ID(), "loss", &mlops.HistoryOptions{StepRange: true, MinStep: 5000, MaxStep: 6000})
	must(t, err)
	if len(pts) != 0 {
		t.Fatal("empty range")
	}
	_, err = s.MetricHistory(run.ID(), "loss", &mlops.HistoryOptions{StepRange: true, MinStep: 5, MaxStep: 1})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.MetricHistory(run.ID(), "loss", &mlops.HistoryOptions{Buckets: -1})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.MetricHistory(run.ID(), "nope", nil)
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.MetricHistory("bad", "loss", nil)
	wantErr(t, err, mlops.ErrInvalid)
}

func TestSearchRuns(t *testing.T) {
	s := newStore(t)
	e1, err := s.CreateExperiment("one")
	must(t, err)
	e2, err := s.CreateExperiment("two")
	must(t, err)
	for i := 0; i < 25; i++ {
		exp := e1
		if i%5 == 0 {
			exp = e2
		}
		r, err := s.StartRun(exp, "")
		must(t, err)
		must(t, r.LogParam("i", string(rune('a'+i))))
		must(t, r.LogMetric("acc", float64(i)/100, 0))
		must(t, r.End(mlops.RunFinished))
		must(t, r.Close())
	}
	runs, next, err := s.SearchRuns(nil)
	must(t, err)
	if len(runs) != 25 || next != "" {
		t.Fatalf("all: %d %q", len(runs), next)
	}
	// Paging, ordered, in one experiment, filtered.
	var seen []float64
	token := ""
	pages := 0
	for {
		runs, next, err := s.SearchRuns(&mlops.SearchOptions{ExperimentIDs: []int64{e1}, Filter: "metrics.acc >= 0.05",
			OrderBy: "metrics.acc DESC", MaxResults: 4, PageToken: token})
		must(t, err)
		pages++
		for _, r := range runs {
			if r.ExperimentID != e1 {
				t.Fatal("other experiment")
			}
			seen = append(seen, r.Metrics["acc"].Last)
		}
		if next == "" {
			break
		}
		token = next
	}
	if len(seen) != 16 || pages != 4 || seen[0] != 0.24 || seen[15] != 0.06 {
		t.Fatalf("%d runs in %d pages: %v", len(seen), pages, seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] > seen[i-1] {
			t.Fatalf("order %v", seen)
		}
	}
	runs, _, err = s.SearchRuns(&mlops.SearchOptions{ExperimentIDs: []int64{e2}, Lifecycle: mlops.LifecycleAll})
	must(t, err)
	if len(runs) != 5 {
		t.Fatalf("e2: %d", len(runs))
	}
	_, _, err = s.SearchRuns(&mlops.SearchOptions{Filter: "metrics.acc >>> 1"})
	wantErr(t, err, mlops.ErrInvalid)
	_, _, err = s.SearchRuns(&mlops.SearchOptions{PageToken: "garbage"})
	wantErr(t, err, mlops.ErrInvalid)
	_, _, err = s.SearchRuns(&mlops.SearchOptions{Filter: "a\x00"})
	wantErr(t, err, mlops.ErrInvalid)
}

// A run handle may be used by several goroutines at once.
func TestRunConcurrentLogging(t *testing.T) {
	s, run := newRun(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if err := run.LogMetric("m", float64(i), int64(g*1000+i)); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	info, err := s.GetRun(run.ID())
	must(t, err)
	if info.Metrics["m"].Count != 200 {
		t.Fatalf("count %d", info.Metrics["m"].Count)
	}
}

// Many distinct keys in one batch (past the short key list) and repeated
// keys all land under their own names.
func TestLogMetricsManyKeys(t *testing.T) {
	s, run := newRun(t)
	var ms []mlops.Metric
	for i := 0; i < 40; i++ {
		for k := 0; k < 20; k++ {
			ms = append(ms, mlops.Metric{Key: "m" + strconv.Itoa(k), Value: float64(k*1000 + i), Step: int64(i)})
		}
	}
	must(t, run.LogMetrics(ms))
	info, err := s.GetRun(run.ID())
	must(t, err)
	if len(info.Metrics) != 20 {
		t.Fatalf("%d metrics", len(info.Metrics))
	}
	for k := 0; k < 20; k++ {
		m := info.Metrics["m"+strconv.Itoa(k)]
		if m.Count != 40 || m.Last != float64(k*1000+39) || m.Min != float64(k*1000) {
			t.Fatalf("m%d: %+v", k, m)
		}
	}
	if _, err := s.DigestLineage(mlops.Digest{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.DigestLineage(mlops.Digest{}); err != mlops.ErrClosed {
		t.Fatalf("after close: %v", err)
	}
}
