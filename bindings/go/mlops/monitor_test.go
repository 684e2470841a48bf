package mlops_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"math"
	mrand "math/rand"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

const (
	hourMs = int64(3600000)
	t0Ms   = int64(1767225600000) // 2026-01-01T00:00:00Z
	hours  = 48
)

// monStores runs f on a SQLite store and, with MLOPS_TEST_PG, on a
// PostgreSQL one.
func monStores(t *testing.T, f func(t *testing.T, s *mlops.Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newStore(t)) })
	t.Run("postgres", func(t *testing.T) {
		pg := testPG(t)
		var b [6]byte
		_, err := rand.Read(b[:])
		must(t, err)
		tmp := t.TempDir()
		loc := mlops.Location{Metadata: pg, Schema: "gomon_" + hex.EncodeToString(b[:]), Objects: filepath.Join(tmp, "objects")}
		s, err := mlops.Create(filepath.Join(tmp, "store"), &loc, fast)
		must(t, err)
		defer s.Close()
		f(t, s)
	})
}

// monReferences stores a numeric reference (an even grid on [0, 1)) and
// a categorical one (a, b, c evenly).
func monReferences(t *testing.T, s *mlops.Store) (mlops.Digest, mlops.Digest) {
	p, err := mlops.NewProfile(mlops.ProfileNumeric, nil)
	must(t, err)
	defer p.Close()
	grid := make([]float64, 4000)
	for i := range grid {
		grid[i] = float64(i) / 4000
	}
	must(t, p.Add(grid))
	q, err := mlops.NewProfile(mlops.ProfileCategorical, nil)
	must(t, err)
	defer q.Close()
	cats := make([]string, 1200)
	for i := range cats {
		cats[i] = string(rune('a' + i%3))
	}
	must(t, q.AddStrings(cats, nil))
	ref, err := s.PutProfile(p)
	must(t, err)
	refc, err := s.PutProfile(q)
	must(t, err)
	return ref, refc
}

// 48 hours: drift in hours 5-9, 20-21 and 30; hours 12 and 33 thin (not
// enough data). The same plan as the Python binding's test.
var (
	drifted = map[int]bool{5: true, 6: true, 7: true, 8: true, 9: true, 20: true, 21: true, 30: true}
	thin    = map[int]bool{12: true, 33: true}
)

type monRows struct {
	t []int64
	x []float64
	c []string
}

func monPlan() (monRows, []string) {
	var r monRows
	var states []string
	for h := 0; h < hours; h++ {
		n := 150
		if thin[h] {
			n = 30
		}
		shift := 0.0
		if drifted[h] {
			shift = 0.6
		}
		for i := 0; i < n; i++ {
			r.t = append(r.t, t0Ms+int64(h)*hourMs+int64(i)*(hourMs/int64(n)))
			r.x = append(r.x, (float64(i)+0.5)/float64(n)+shift)
			r.c = append(r.c, string(rune('a'+i%3)))
		}
		switch {
		case thin[h]:
			states = append(states, "ned")
		case drifted[h]:
			states = append(states, "breach")
		default:
			states = append(states, "clear")
		}
	}
	return r, states
}

type wantEvent struct {
	kind                 mlops.MonitorEventKind
	hour                 int
	breaches, considered uint32
}

// ruleEvents is the alert rule of doc/monitoring.md written out.
func ruleEvents(states []string, m, n, pending, keep int) []wantEvent {
	var hist []bool
	firing, streak := false, 0
	var out []wantEvent
	for h, s := range states {
		if s == "ned" {
			continue
		}
		hist = append(hist, s == "breach")
		last := hist
		if len(last) > n {
			last = last[len(last)-n:]
		}
		b := 0
		for _, x := range last {
			if x {
				b++
			}
		}
		holds := b >= m
		switch {
		case firing:
			if holds {
				streak = 0
			} else if streak++; streak > keep {
				firing, streak = false, 0
				out = append(out, wantEvent{mlops.MonitorEventResolved, h, uint32(b), uint32(len(last))})
			}
		case !holds:
			streak = 0
		default:
			if streak++; streak > pending {
				firing, streak = true, 0
				out = append(out, wantEvent{mlops.MonitorEventFiring, h, uint32(b), uint32(len(last))})
			}
		}
	}
	return out
}

func monSpec(ref, refc mlops.Digest) mlops.MonitorSpec {
	return mlops.MonitorSpec{
		Columns: []mlops.MonitorColumn{{Name: "x", Reference: ref}, {Name: "c", Reference: refc}},
		MinRows: 100, AlertM: 2, AlertN: 3, Pending: 1, KeepFiring: 1,
	}
}

func ingestRows(t *testing.T, s *mlops.Store, name string, r monRows, idx []int) mlops.IngestResult {
	t.Helper()
	var b monRows
	for _, i := range idx {
		b.t, b.x, b.c = append(b.t, r.t[i]), append(b.x, r.x[i]), append(b.c, r.c[i])
	}
	res, err := s.IngestMonitor(name, b.t, []mlops.MonitorData{{Name: "c", Strings: b.c}, {Name: "x", Values: b.x}}, 0)
	must(t, err)
	return res
}

func eventKeys(evs []mlops.MonitorEvent) [][6]int64 {
	var out [][6]int64
	for _, e := range evs {
		out = append(out, [6]int64{e.Seq, int64(e.Kind), e.WindowStartMs, e.WindowEndMs, int64(e.Breaches), int64(e.Considered)})
	}
	return out
}

func TestMonitorFiresAsTheRuleSays(t *testing.T) {
	monStores(t, func(t *testing.T, s *mlops.Store) {
		ref, refc := monReferences(t, s)
		rows, states := monPlan()
		want := ruleEvents(states, 2, 3, 1, 1)
		if len(want) != 4 {
			t.Fatalf("the plan should fire twice: %v", want)
		}

		// Shuffled rows in 4 batches, one check at the end.
		must(t, s.CreateMonitor("shuffled", monSpec(ref, refc)))
		perm := mrand.New(mrand.NewSource(7)).Perm(len(rows.t))
		var total uint64
		for k := 0; k < 4; k++ {
			total += ingestRows(t, s, "shuffled", rows, perm[k*len(perm)/4:(k+1)*len(perm)/4]).Rows
		}
		if total != uint64(len(rows.t)) {
			t.Fatalf("ingested %d rows of %d", total, len(rows.t))
		}
		end := time.UnixMilli(t0Ms + hours*hourMs)
		st, err := s.CheckMonitor("shuffled", end)
		must(t, err)
		if st.JudgedTo != end.UnixMilli() || st.WindowsJudged != uint64(hours-len(thin)) {
			t.Fatalf("status %+v", st)
		}
		shuffled, err := s.MonitorEvents("shuffled", mlops.EventsQuery{})
		must(t, err)
		if len(shuffled) != len(want) {
			t.Fatalf("events %+v, want %+v", shuffled, want)
		}
		for i, e := range shuffled {
			w := want[i]
			if e.Seq != int64(i+1) || e.Kind != w.kind || e.WindowStartMs != t0Ms+int64(w.hour)*hourMs ||
				e.Breaches != w.breaches || e.Considered != w.considered || e.CheckedMs != end.UnixMilli() {
				t.Fatalf("event %d: %+v, want %+v", i, e, w)
			}
		}

		// In order, hour by hour, checked after each: the same events, and
		// the status fires exactly between a firing and its resolution.
		must(t, s.CreateMonitor("ordered", monSpec(ref, refc)))
		for h := 0; h < hours; h++ {
			var idx []int
			for i, tm := range rows.t {
				if tm >= t0Ms+int64(h)*hourMs && tm < t0Ms+int64(h+1)*hourMs {
					idx = append(idx, i)
				}
			}
			ingestRows(t, s, "ordered", rows, idx)
			st, err := s.CheckMonitor("ordered", time.UnixMilli(t0Ms+int64(h+1)*hourMs))
			must(t, err)
			firing := (h >= want[0].hour && h < want[1].hour) || (h >= want[2].hour && h < want[3].hour)
			if (st.State == mlops.MonitorFiring) != firing {
				t.Fatalf("hour %d: state %v", h, st.State)
			}
		}
		ordered, err := s.MonitorEvents("ordered", mlops.EventsQuery{})
		must(t, err)
		if !reflect.DeepEqual(eventKeys(ordered), eventKeys(shuffled)) {
			t.Fatalf("ordered %v, shuffled %v", eventKeys(ordered), eventKeys(shuffled))
		}

		sr, err := s.MonitorSeries("shuffled", 0, 0)
		must(t, err)
		if !reflect.DeepEqual(sr.Columns, []string{"x", "c"}) || len(sr.Windows) != hours {
			t.Fatalf("series %v, %d windows", sr.Columns, len(sr.Windows))
		}
		name := map[mlops.WindowState]string{mlops.WindowClear: "clear", mlops.WindowBreach: "breach", mlops.WindowNotEnoughData: "ned"}
		for h, w := range sr.Windows {
			wantDrift := 0
			if thin[h] {
				wantDrift = -1
			} else if drifted[h] {
				wantDrift = 1
			}
			if name[w.State] != states[h] || w.StartMs != t0Ms+int64(h)*hourMs || w.Cells[0].Drifted != wantDrift {
				t.Fatalf("window %d: %+v", h, w)
			}
		}
		part, err := s.MonitorSeries("shuffled", t0Ms+10*hourMs, t0Ms+12*hourMs)
		must(t, err)
		if len(part.Windows) != 2 || part.Windows[0].StartMs != t0Ms+10*hourMs {
			t.Fatalf("part %+v", part.Windows)
		}
	})
}

func TestMonitorPage(t *testing.T) {
	s := newStore(t)
	ref, refc := monReferences(t, s)
	rows, _ := monPlan()
	must(t, s.CreateMonitor("m<&>", monSpec(ref, refc)))
	idx := make([]int, len(rows.t))
	for i := range idx {
		idx[i] = i
	}
	ingestRows(t, s, "m<&>", rows, idx)
	_, err := s.CheckMonitor("m<&>", time.UnixMilli(t0Ms+hours*hourMs))
	must(t, err)
	html, err := s.MonitorPageHTML("m<&>", &mlops.MonitorPageOptions{Title: "Drift <b>", NoTimestamp: true})
	must(t, err)
	page := string(html)
	if !strings.Contains(page, "<svg") || !strings.Contains(page, "Drift &lt;b&gt;") || strings.Contains(page, "Drift <b>") {
		t.Fatalf("page lacks its chart or escaping: %.200s", page)
	}
	if _, err := s.MonitorPageHTML("absent", nil); !errors.Is(err, mlops.ErrNotFound) {
		t.Fatalf("absent monitor: %v", err)
	}
	if _, err := s.MonitorPageHTML("m<&>", &mlops.MonitorPageOptions{MaxPoints: 1}); !errors.Is(err, mlops.ErrInvalid) {
		t.Fatalf("max points 1: %v", err)
	}
}

func TestMonitorEventsPoll(t *testing.T) {
	s := newStore(t)
	ref, refc := monReferences(t, s)
	rows, _ := monPlan()
	must(t, s.CreateMonitor("m", monSpec(ref, refc)))
	idx := make([]int, len(rows.t))
	for i := range idx {
		idx[i] = i
	}
	ingestRows(t, s, "m", rows, idx)
	_, err := s.CheckMonitor("m", time.UnixMilli(t0Ms+hours*hourMs))
	must(t, err)
	all, err := s.MonitorEvents("m", mlops.EventsQuery{})
	must(t, err)
	var seen []mlops.MonitorEvent
	for {
		after := int64(0)
		if len(seen) > 0 {
			after = seen[len(seen)-1].Seq
		}
		page, err := s.MonitorEvents("m", mlops.EventsQuery{AfterSeq: after, Limit: 1})
		must(t, err)
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
	}
	if len(all) != 4 || !reflect.DeepEqual(seen, all) {
		t.Fatalf("poll %v, all %v", seen, all)
	}
	byTime, err := s.MonitorEvents("m", mlops.EventsQuery{FromMs: all[1].WindowEndMs, ToMs: math.MaxInt64})
	must(t, err)
	if !reflect.DeepEqual(byTime, all[1:]) {
		t.Fatalf("by time %v", byTime)
	}
	m, err := s.Monitor("m")
	must(t, err)
	if m.Status.LastEventSeq != 4 || m.Status.State != mlops.MonitorInactive {
		t.Fatalf("status %+v", m.Status)
	}
}

func TestMonitorSpecAndErrors(t *testing.T) {
	monStores(t, func(t *testing.T, s *mlops.Store) {
		ref, refc := monReferences(t, s)
		spec := mlops.MonitorSpec{
			Columns: []mlops.MonitorColumn{{Name: "x", Reference: ref, Method: mlops.MethodPSI, Threshold: 0.2},
				{Name: "c", Reference: refc, Method: mlops.MethodChiSquare}},
			Window: 15 * time.Minute, Lateness: 5 * time.Minute, MinRows: 10, AlertM: 3, AlertN: 5, Pending: 2,
			KeepFiring: 4, BreachColumn: "x", DriftShare: 0.25, Alpha: 0.01, Model: "churn@champion",
		}
		must(t, s.CreateMonitor("churn", spec))
		must(t, s.CreateMonitor("churn", spec)) // the same spec: nothing changes
		m, err := s.Monitor("churn")
		must(t, err)
		if m.Name != "churn" || !reflect.DeepEqual(m.Spec, spec) {
			t.Fatalf("spec %+v\nwant %+v", m.Spec, spec)
		}
		if m.Status.State != mlops.MonitorInactive || m.Status.JudgedTo != math.MinInt64 || m.Status.State.String() != "inactive" {
			t.Fatalf("status %+v", m.Status)
		}
		wantErr(t, s.CreateMonitor("churn", mlops.MonitorSpec{Columns: spec.Columns}), mlops.ErrConflict)
		wantErr(t, s.CreateMonitor("other", mlops.MonitorSpec{Columns: []mlops.MonitorColumn{
			{Name: "x", Reference: mlops.ComputeDigest([]byte("no profile"))}}}), mlops.ErrNotFound)
		wantErr(t, s.CreateMonitor("other", mlops.MonitorSpec{Columns: spec.Columns[:1], AlertM: 4, AlertN: 3}), mlops.ErrInvalid)
		wantErr(t, s.CreateMonitor("other", mlops.MonitorSpec{}), mlops.ErrInvalid)
		must(t, s.CreateMonitor("another", mlops.MonitorSpec{Columns: spec.Columns[:1]}))
		list, err := s.Monitors()
		must(t, err)
		var names []string
		for _, m := range list {
			names = append(names, m.Name)
		}
		if !reflect.DeepEqual(names, []string{"another", "churn"}) {
			t.Fatalf("list %v", names)
		}

		tm := []int64{t0Ms}
		_, err = s.IngestMonitor("churn", tm, []mlops.MonitorData{{Name: "x", Values: []float64{0.1}}, {Name: "y", Values: []float64{1}},
			{Name: "c", Strings: []string{"a"}}}, 0)
		wantErr(t, err, mlops.ErrInvalid)
		_, err = s.IngestMonitor("churn", tm, []mlops.MonitorData{{Name: "x", Values: []float64{0.1}}, {Name: "c", Values: []float64{1}}}, 0)
		wantErr(t, err, mlops.ErrInvalid) // c is categorical
		_, err = s.IngestMonitor("churn", tm, []mlops.MonitorData{{Name: "x", Values: []float64{0.1, 0.2}}, {Name: "c", Strings: []string{"a"}}}, 0)
		if err == nil {
			t.Fatal("a column longer than the times was taken")
		}
		_, err = s.IngestMonitor("nobody", tm, []mlops.MonitorData{{Name: "x", Values: []float64{0.1}}}, 0)
		wantErr(t, err, mlops.ErrNotFound)
		r, err := s.IngestMonitor("churn", nil, []mlops.MonitorData{{Name: "x", Values: []float64{}}, {Name: "c", Strings: []string{}}}, 0)
		must(t, err)
		if r.Rows != 0 {
			t.Fatalf("empty batch %+v", r)
		}
		// Missing strings and NaN count as missing, not as values.
		r, err = s.IngestMonitor("churn", []int64{t0Ms, t0Ms + 1}, []mlops.MonitorData{
			{Name: "x", Values: []float64{math.NaN(), 0.5}}, {Name: "c", Strings: []string{"a", ""}, Missing: []bool{false, true}}}, 1)
		must(t, err)
		if r.Rows != 2 || r.Windows != 1 {
			t.Fatalf("ingest %+v", r)
		}
		must(t, s.DeleteMonitor("churn"))
		_, err = s.Monitor("churn")
		wantErr(t, err, mlops.ErrNotFound)
		_, err = s.CheckMonitor("churn", time.Time{})
		wantErr(t, err, mlops.ErrNotFound)
		_, err = s.MonitorSeries("churn", 0, 0)
		wantErr(t, err, mlops.ErrNotFound)
	})
}

// Every function monitor.h declares is called by monitor.go.
func TestMonitorHeaderIsBound(t *testing.T) {
	header, err := os.ReadFile(filepath.Join("..", "..", "..", "include", "mlops", "monitor.h"))
	if err != nil {
		t.Skip("no source tree:", err)
	}
	src, err := os.ReadFile("monitor.go")
	must(t, err)
	for _, f := range []string{"monitorpage.go", "monitorlabels.go"} {
		more, err := os.ReadFile(f)
		must(t, err)
		src = append(src, more...)
	}
	var missing []string
	names := regexp.MustCompile(`MLOPS_API[^;(]*?\b(mlops_\w+)\s*\(`).FindAllSubmatch(header, -1)
	for _, m := range names {
		if !regexp.MustCompile(`C\.` + string(m[1]) + `\(`).Match(src) {
			missing = append(missing, string(m[1]))
		}
	}
	sort.Strings(missing)
	if len(names) < 27 || len(missing) > 0 {
		t.Fatalf("%d functions in monitor.h; not bound: %v", len(names), missing)
	}
}

// Row windows of 4 rows, a regressor whose prediction is x, labels later
// (an unknown id among them): MAE and mean error per window against the
// values computed here.
func TestMonitorDelayedLabels(t *testing.T) {
	monStores(t, func(t *testing.T, s *mlops.Store) {
		ref, _ := monReferences(t, s)
		spec := mlops.MonitorSpec{Columns: []mlops.MonitorColumn{{Name: "x", Reference: ref}}}
		ext := mlops.MonitorExt{WindowRows: 4, Task: mlops.TaskRegression, PredictionColumn: "x", IDColumn: "id",
			Performance: "metrics.mae > 0.2", MinLabels: 1}
		must(t, s.CreateMonitorEx("reg", spec, ext))
		got, err := s.MonitorExt("reg")
		must(t, err)
		if !reflect.DeepEqual(got, ext) {
			t.Fatalf("ext %+v, want %+v", got, ext)
		}
		pred := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}
		_, err = s.IngestMonitor("reg", make([]int64, 6), []mlops.MonitorData{{Name: "x", Values: pred},
			{Name: "id", Strings: []string{"a", "b", "c", "d", "e", "f"}}}, 0)
		must(t, err)
		r, err := s.MonitorLabels("reg", []string{"a", "b", "c", "d", "e", "zz"}, []float64{0.1, 0.2, 0.3, 1.4, 0.5, 0}, nil)
		must(t, err)
		if r != (mlops.LabelsResult{Matched: 5, UnknownIDs: 1, Windows: 2}) {
			t.Fatalf("labels %+v", r)
		}
		_, err = s.MonitorLabels("reg", []string{"a"}, nil, []string{"x"})
		wantErr(t, err, mlops.ErrInvalid) // text labels for regression
		_, err = s.MonitorLabels("reg", []string{"a"}, []float64{1}, []string{"x"})
		wantErr(t, err, mlops.ErrInvalid)
		st, err := s.CheckMonitor("reg", time.UnixMilli(t0Ms))
		must(t, err)
		if st.State != mlops.MonitorFiring {
			t.Fatalf("status %+v", st)
		}
		perf, err := s.MonitorPerformance("reg", 0, 0)
		must(t, err)
		if len(perf) != 2 || perf[0].Labels != 4 || math.Abs(perf[0].MAE-0.25) > 1e-12 ||
			math.Abs(perf[0].MeanError+0.25) > 1e-12 || perf[1].Labels != 1 || perf[1].MAE != 0 ||
			perf[0].Task != mlops.TaskRegression || !math.IsNaN(perf[0].Accuracy) {
			t.Fatalf("performance %+v", perf)
		}
	})
}
