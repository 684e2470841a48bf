package mlops_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func normal(n int, mean, sd float64, seed int64) []float64 {
	rng := rand.New(rand.NewSource(seed))
	x := make([]float64, n)
	for i := range x {
		x[i] = mean + sd*rng.NormFloat64()
	}
	return x
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestDriftArrays(t *testing.T) {
	r, err := mlops.DriftKS([]float64{1, 2, 3}, []float64{4, 5, 6})
	must(t, err)
	if r.Statistic != 1 || !near(r.PValue, 0.1, 1e-12) {
		t.Fatalf("KS %+v", r)
	}
	kr, err := mlops.DriftKSWith([]float64{1, 2, 3, math.NaN()}, []float64{4, 5, 6, math.Inf(1)}, mlops.KSExact)
	must(t, err)
	if kr.Statistic != 1 || kr.Method != mlops.KSExact || kr.NRef != 3 || kr.RefNaN != 1 || kr.CurInf != 1 ||
		!near(kr.LogPValue, math.Log(0.1), 1e-12) {
		t.Fatalf("KS ex %+v", kr)
	}
	kr, err = mlops.DriftKSWith(normal(500, 0, 1, 1), normal(500, 0, 1, 2), mlops.KSAsymptotic)
	must(t, err)
	if kr.Method != mlops.KSAsymptotic || kr.PValue < 0.001 {
		t.Fatalf("KS asymptotic %+v", kr)
	}
	_, err = mlops.DriftKSWith([]float64{1}, []float64{2}, mlops.KSMethod(9))
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.DriftKS(nil, []float64{1})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.DriftKS([]float64{math.NaN()}, []float64{1})
	wantErr(t, err, mlops.ErrInvalid)

	w, err := mlops.DriftWasserstein([]float64{0, 1, 3}, []float64{5, 6, 8})
	must(t, err)
	if !near(w, 5, 1e-12) {
		t.Fatalf("wasserstein %v", w)
	}
	_, err = mlops.DriftWasserstein(nil, nil)
	wantErr(t, err, mlops.ErrInvalid)
	e, err := mlops.DriftEnergy([]float64{0}, []float64{2})
	must(t, err)
	if !near(e, 2, 1e-12) {
		t.Fatalf("energy %v", e)
	}
	_, err = mlops.DriftEnergy([]float64{1}, nil)
	wantErr(t, err, mlops.ErrInvalid)
	cvm, err := mlops.DriftCramerVonMises([]float64{1, 2, 3, 4}, []float64{5, 6, 7, 8})
	must(t, err)
	if cvm.Statistic <= 0 || cvm.PValue <= 0 || cvm.PValue >= 0.1 {
		t.Fatalf("cvm %+v", cvm)
	}
	_, err = mlops.DriftCramerVonMises([]float64{1}, []float64{2, 3})
	wantErr(t, err, mlops.ErrInvalid)
	m, err := mlops.DriftMissing([]float64{1, 2}, []float64{3, 4})
	must(t, err)
	if m.Statistic != 0 || m.PValue != 1 {
		t.Fatalf("missing %+v", m)
	}
	_, err = mlops.DriftMissing(nil, []float64{1})
	wantErr(t, err, mlops.ErrInvalid)

	ref, same, shifted := normal(5000, 0, 1, 3), normal(5000, 0, 1, 4), normal(5000, 1, 1, 5)
	for name, f := range map[string]func([]float64, []float64, int) (float64, error){
		"psi": mlops.DriftPSI, "js": mlops.DriftJensenShannon, "kl": mlops.DriftKL, "hellinger": mlops.DriftHellinger,
	} {
		self, err := f(ref, ref, 10)
		must(t, err)
		low, err := f(ref, same, 10)
		must(t, err)
		high, err := f(ref, shifted, 10)
		must(t, err)
		if math.Abs(self) > 1e-12 || !(low < 0.05 && high > 0.1) {
			t.Fatalf("%s: self %v same %v shifted %v", name, self, low, high)
		}
		_, err = f(ref, same, 1)
		wantErr(t, err, mlops.ErrInvalid)
		_, err = f(ref, same, -1)
		wantErr(t, err, mlops.ErrInvalid)
	}
	b, err := mlops.DriftBinned(ref, shifted, 10)
	must(t, err)
	psi, _ := mlops.DriftPSI(ref, shifted, 10)
	if b.Bins != 10 || b.PSI != psi || b.ChiSquare.PValue > 1e-6 {
		t.Fatalf("binned %+v (psi %v)", b, psi)
	}
	_, err = mlops.DriftBinned(ref, nil, 10)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.DriftBinned(ref, shifted, -3)
	wantErr(t, err, mlops.ErrInvalid)

	chi, err := mlops.DriftChiSquare([]float64{10, 20}, []float64{20, 10})
	must(t, err)
	if !near(chi.Statistic, 20.0/3, 1e-12) || !near(chi.PValue, math.Erfc(math.Sqrt(10.0/3)), 1e-9) {
		t.Fatalf("chisq %+v", chi)
	}
	_, err = mlops.DriftChiSquare([]float64{1, 2}, []float64{1})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.DriftChiSquare([]float64{-1, 2}, []float64{1, 1})
	wantErr(t, err, mlops.ErrInvalid)
	bc, err := mlops.DriftBinnedCounts([]float64{10, 20}, []float64{20, 10})
	must(t, err)
	if bc.ChiSquare != chi || bc.Bins != 2 {
		t.Fatalf("binned counts %+v", bc)
	}
	_, err = mlops.DriftBinnedCounts([]float64{1}, []float64{1, 2})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.DriftBinnedCounts([]float64{0}, []float64{0})
	wantErr(t, err, mlops.ErrInvalid)

	seq := make([]float64, 100)
	for i := range seq {
		seq[i] = float64(i + 1)
	}
	edges, err := mlops.QuantileEdges(seq, 4)
	must(t, err)
	if len(edges) != 3 || edges[0] != 25.75 || edges[1] != 50.5 || edges[2] != 75.25 {
		t.Fatalf("edges %v", edges)
	}
	edges, err = mlops.QuantileEdges([]float64{7, 7, 7}, 4)
	must(t, err)
	if len(edges) != 1 || edges[0] != 7 {
		t.Fatalf("edges of a constant (duplicates collapse) %v", edges)
	}
	_, err = mlops.QuantileEdges(seq, 1)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.QuantileEdges(seq, -1)
	wantErr(t, err, mlops.ErrInvalid)
	counts, err := mlops.BinCounts([]float64{1, 2, 3, 4, 5, math.NaN()}, []float64{2, 4})
	must(t, err)
	if len(counts) != 3 || counts[0] != 2 || counts[1] != 2 || counts[2] != 1 {
		t.Fatalf("counts %v", counts)
	}
	counts, err = mlops.BinCounts(nil, nil)
	must(t, err)
	if len(counts) != 1 || counts[0] != 0 {
		t.Fatalf("counts of nothing %v", counts)
	}
	_, err = mlops.BinCounts([]float64{1}, []float64{4, 2})
	wantErr(t, err, mlops.ErrInvalid)

	adj, err := mlops.BHAdjust([]float64{0.01, 0.04, 0.03, 0.5})
	must(t, err)
	want := []float64{0.04, 0.16 / 3, 0.16 / 3, 0.5}
	for i := range want {
		if !near(adj[i], want[i], 1e-12) {
			t.Fatalf("bh %v", adj)
		}
	}
	adj, err = mlops.BHAdjust(nil)
	must(t, err)
	if len(adj) != 0 {
		t.Fatal("bh of nothing")
	}
	_, err = mlops.BHAdjust([]float64{1.5})
	wantErr(t, err, mlops.ErrInvalid)
}

// The drift functions read the caller's slices in place: a call on two
// 8 MB slices allocates next to nothing on the Go heap.
func TestDriftDoesNotCopy(t *testing.T) {
	ref, cur := normal(1<<20, 0, 1, 6), normal(1<<20, 0.01, 1, 7)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := mlops.DriftWasserstein(ref, cur)
	must(t, err)
	_, err = mlops.DriftPSI(ref, cur, 10)
	must(t, err)
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
		t.Fatalf("the calls allocated %d bytes of Go memory", grew)
	}
	rep, err := mlops.ComputeDriftReport([]mlops.Column{{Name: "x", Kind: mlops.ColumnNumeric, Ref: ref, Cur: cur}}, nil)
	must(t, err)
	rep.Close()
}

func TestProfiles(t *testing.T) {
	s := newStore(t)
	ref := normal(20000, 0, 1, 8)
	p, err := mlops.NewProfile(mlops.ProfileNumeric, &mlops.ProfileOptions{Bins: 10, SketchK: 256, FreezeAfter: 5000})
	must(t, err)
	defer p.Close()
	if p.Kind() != mlops.ProfileNumeric {
		t.Fatal("kind")
	}
	must(t, p.Add(ref[:7000]))
	must(t, p.Add(ref[7000:]))
	must(t, p.Add([]float64{math.NaN(), math.Inf(1)}))
	must(t, p.Add(nil))
	sum, err := p.Summary()
	must(t, err)
	if sum.Kind != mlops.ProfileNumeric || sum.Count != 20000 || sum.NaNCount != 1 || sum.InfCount != 1 || !sum.Frozen ||
		sum.Edges != 9 || math.Abs(sum.Mean) > 0.05 || math.Abs(sum.Variance-1) > 0.05 || sum.RankError <= 0 {
		t.Fatalf("summary %+v", sum)
	}
	edges, err := p.Edges()
	must(t, err)
	if len(edges) != 9 || !(edges[0] < edges[8]) {
		t.Fatalf("edges %v", edges)
	}
	med, err := p.Quantile(0.5)
	must(t, err)
	if math.Abs(med) > 0.1 {
		t.Fatalf("median %v", med)
	}
	_, err = p.Quantile(2)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = p.CategoryCount("x")
	wantErr(t, err, mlops.ErrInvalid)
	wantErr(t, p.AddStrings([]string{"a"}, nil), mlops.ErrInvalid)

	// Compare with current batches.
	same, err := p.CompareValues(normal(5000, 0, 1, 9), 0)
	must(t, err)
	drifted, err := p.CompareValues(normal(5000, 0.5, 1, 10), 0.01)
	must(t, err)
	if same.Verdict == mlops.Drift || drifted.Verdict != mlops.Drift || drifted.Alpha != 0.01 || same.Alpha != 0.05 ||
		drifted.PSI <= same.PSI || drifted.NCur != 5000 || drifted.NRef != 20000 {
		t.Fatalf("same %+v\ndrifted %+v", same, drifted)
	}
	if mlops.Drift.String() != "drift" || mlops.NoDrift.String() != "no drift" || mlops.Inconclusive.String() != "inconclusive" || mlops.Verdict(7).String() != "unknown" {
		t.Fatal("verdict names")
	}
	_, err = p.CompareValues(normal(10, 0, 1, 1), 2)
	wantErr(t, err, mlops.ErrInvalid)

	// A current profile on the reference's bins, and shards merged.
	cur, err := p.NewLike()
	must(t, err)
	defer cur.Close()
	shard, err := p.NewLike()
	must(t, err)
	defer shard.Close()
	must(t, cur.Add(normal(3000, 0.5, 1, 11)))
	must(t, shard.Add(normal(2000, 0.5, 1, 12)))
	must(t, cur.Merge(shard))
	cs, err := cur.Summary()
	must(t, err)
	if cs.Count != 5000 {
		t.Fatalf("merged count %d", cs.Count)
	}
	cmp, err := p.Compare(cur, 0)
	must(t, err)
	if cmp.Verdict != mlops.Drift || cmp.KSError <= 0 || !(cmp.KSPLow <= cmp.KSPValue && cmp.KSPValue <= cmp.KSPHigh) {
		t.Fatalf("compare %+v", cmp)
	}
	other, err := mlops.NewProfile(mlops.ProfileNumeric, &mlops.ProfileOptions{Bins: 10, SketchK: 256, FreezeAfter: 5000})
	must(t, err)
	defer other.Close()
	must(t, other.Add(normal(1000, 5, 1, 13)))
	wantErr(t, p.Merge(other), mlops.ErrConflict)
	_, err = p.Compare(other, 0)
	wantErr(t, err, mlops.ErrConflict)
	fixed, err := mlops.NewProfile(mlops.ProfileNumeric, &mlops.ProfileOptions{Edges: []float64{-1, 0, 1}})
	must(t, err)
	defer fixed.Close()
	must(t, fixed.Freeze())
	fe, err := fixed.Edges()
	must(t, err)
	if len(fe) != 3 || fe[1] != 0 {
		t.Fatalf("fixed edges %v", fe)
	}
	_, err = mlops.NewProfile(mlops.ProfileNumeric, &mlops.ProfileOptions{Edges: []float64{1, 0}})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.NewProfile(mlops.ProfileKind(9), nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.NewProfile(mlops.ProfileNumeric, &mlops.ProfileOptions{Bins: 1})
	wantErr(t, err, mlops.ErrInvalid)

	// Serialisation and storage.
	blob, err := p.MarshalBinary()
	must(t, err)
	back, err := mlops.UnmarshalProfile(blob)
	must(t, err)
	defer back.Close()
	blob2, err := back.MarshalBinary()
	must(t, err)
	if !bytes.Equal(blob, blob2) {
		t.Fatal("serialisation round trip differs")
	}
	_, err = mlops.UnmarshalProfile([]byte("not a profile"))
	wantErr(t, err, mlops.ErrFormat)
	d, err := s.PutProfile(p)
	must(t, err)
	if d != mlops.ComputeDigest(blob) {
		t.Fatal("stored profile's digest")
	}
	loaded, err := s.Profile(d)
	must(t, err)
	defer loaded.Close()
	ls, err := loaded.Summary()
	must(t, err)
	if ls.Count != sum.Count || ls.Mean != sum.Mean {
		t.Fatalf("loaded %+v", ls)
	}
	_, err = s.Profile(mlops.ComputeDigest([]byte("none")))
	wantErr(t, err, mlops.ErrNotFound)
	notProfile, err := s.PutBytes([]byte("plain bytes"))
	must(t, err)
	_, err = s.Profile(notProfile)
	wantErr(t, err, mlops.ErrFormat)

	// Closed profiles.
	must(t, back.Close())
	must(t, back.Close())
	wantErr(t, back.Add([]float64{1}), mlops.ErrInvalid)
	if _, err := back.Summary(); err != mlops.ErrClosed {
		t.Fatalf("summary after close: %v", err)
	}
	if _, err := s.PutProfile(back); err != mlops.ErrClosed {
		t.Fatalf("put after close: %v", err)
	}
	if back.Kind() != 0 {
		t.Fatal("kind after close")
	}
	for _, err := range []error{
		func() error { _, err := back.NewLike(); return err }(),
		func() error { _, err := back.MarshalBinary(); return err }(),
		func() error { _, err := p.Compare(back, 0); return err }(),
		func() error { _, err := back.CompareValues([]float64{1}, 0); return err }(),
		back.Merge(p),
	} {
		if err != mlops.ErrClosed {
			t.Fatalf("on a closed profile: %v", err)
		}
	}
}

func TestCategoricalProfile(t *testing.T) {
	p, err := mlops.NewProfile(mlops.ProfileCategorical, nil)
	must(t, err)
	defer p.Close()
	vals := []string{"red", "green", "red", "", "blue", "red"}
	must(t, p.AddStrings(vals, []bool{false, false, false, true, false, false}))
	must(t, p.AddStrings([]string{"green"}, nil))
	must(t, p.AddStrings(nil, nil))
	wantErr(t, p.AddStrings([]string{"a"}, []bool{false, true}), mlops.ErrInvalid)
	wantErr(t, p.AddStrings([]string{"a\x00b"}, nil), mlops.ErrInvalid)
	_, err = p.CategoryCount("a\x00b")
	wantErr(t, err, mlops.ErrInvalid)
	wantErr(t, p.AddStrings([]string{string([]byte{0xff, 0xfe})}, nil), mlops.ErrInvalid)
	wantErr(t, p.Add([]float64{1}), mlops.ErrInvalid)
	n, err := p.CategoryCount("red")
	must(t, err)
	n2, err := p.CategoryCount("green")
	must(t, err)
	n3, err := p.CategoryCount("purple")
	must(t, err)
	if n != 3 || n2 != 2 || n3 != 0 {
		t.Fatalf("counts %d %d %d", n, n2, n3)
	}
	sum, err := p.Summary()
	must(t, err)
	if sum.Kind != mlops.ProfileCategorical || sum.Count != 6 || sum.NaNCount != 1 || sum.Categories != 3 || !sum.CategoriesExact {
		t.Fatalf("summary %+v", sum)
	}
	_, err = p.Edges()
	wantErr(t, err, mlops.ErrInvalid)
	same, err := p.CompareStrings([]string{"red", "green", "red", "blue", "red", "green"}, nil, 0)
	must(t, err)
	shifted := make([]string, 300)
	for i := range shifted {
		shifted[i] = "blue"
	}
	diff, err := p.CompareStrings(shifted, nil, 0)
	must(t, err)
	if !math.IsNaN(same.KSStatistic) || same.ChiSquare.PValue < 0.5 || diff.Verdict != mlops.Drift || diff.ChiSquare.PValue > 1e-6 {
		t.Fatalf("same %+v\ndiff %+v", same, diff)
	}
	_, err = p.CompareStrings([]string{"x"}, []bool{true, false}, 0)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = p.CompareValues([]float64{1}, 0)
	wantErr(t, err, mlops.ErrInvalid)
}

func TestDriftReport(t *testing.T) {
	s := newStore(t)
	cols := []mlops.Column{
		{Name: "age", Kind: mlops.ColumnNumeric, Ref: normal(800, 40, 10, 14), Cur: normal(800, 48, 10, 15)},
		{Name: "income", Kind: mlops.ColumnNumeric, Ref: normal(800, 50, 5, 16), Cur: normal(800, 50, 5, 17)},
		{Name: "segment", Kind: mlops.ColumnCategorical, Ref: []float64{1, 2, 3, 1, 2, 3, 1, 2, math.NaN()}, Cur: []float64{1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{Name: "score", Kind: mlops.ColumnNumeric, Ref: normal(800, 0, 1, 18), Cur: normal(800, 0.2, 1, 19),
			Method: mlops.MethodPSI, Threshold: 0.01},
	}
	rep, err := mlops.ComputeDriftReport(cols, &mlops.ReportOptions{DriftShare: 0.5, Correction: mlops.CorrectionBH, Threads: 2, Bins: 10})
	must(t, err)
	defer rep.Close()
	if len(rep.Columns) != 4 || rep.Correction != mlops.CorrectionBH || rep.DriftShare != 0.5 {
		t.Fatalf("report %+v", rep)
	}
	byName := map[string]mlops.ColumnResult{}
	for _, c := range rep.Columns {
		byName[c.Name] = c
	}
	age, inc, seg, score := byName["age"], byName["income"], byName["segment"], byName["score"]
	if age.Method != mlops.MethodKS || age.MethodName != "ks" || !age.Drifted || age.NRef != 800 || age.PValue > 1e-6 {
		t.Fatalf("age %+v", age)
	}
	if inc.Drifted || inc.Kind != mlops.ColumnNumeric {
		t.Fatalf("income %+v", inc)
	}
	if seg.Kind != mlops.ColumnCategorical || seg.RefNaN != 1 || seg.Missing.PValue > 1 {
		t.Fatalf("segment %+v", seg)
	}
	if score.Method != mlops.MethodPSI || score.Threshold != 0.01 || !math.IsNaN(score.PValue) || score.Score != score.Statistic {
		t.Fatalf("score %+v", score)
	}
	nd := 0
	for _, c := range rep.Columns {
		if c.Drifted {
			nd++
		}
	}
	if rep.Drifted != nd || rep.ShareDrifted != float64(nd)/4 || rep.DatasetDrift != (rep.ShareDrifted >= 0.5) {
		t.Fatalf("dataset figures %+v", rep)
	}

	// Chart data: a histogram for a numeric column, bars for a categorical one.
	sumOf := func(x []uint64) (t uint64) {
		for _, v := range x {
			t += v
		}
		return t
	}
	if h := age.Chart; len(h.Ref) < 10 || len(h.Edges) != len(h.Ref)+1 || h.Values != nil || sumOf(h.Ref) != 800 || sumOf(h.Cur) != 800 {
		t.Fatalf("age chart %+v", h)
	}
	if h := seg.Chart; h.Edges != nil || len(h.Values) != 3 || h.Values[0] != 1 || sumOf(h.Ref) != 8 || sumOf(h.Cur) != 9 {
		t.Fatalf("segment chart %+v", h)
	}

	page, err := rep.HTML(&mlops.HTMLOptions{Title: "Churn <drift>", ReferenceName: "train.csv", CurrentName: "prod.csv",
		CategoryLabels: map[string][]string{"segment": {"zero", "Bronze", "Silver", "Gold"}}, NoTimestamp: true})
	must(t, err)
	html := string(page)
	for _, want := range []string{"<svg", "Churn &lt;drift&gt;", "train.csv", "prod.csv", "Bronze", "Gold", "age", "segment"} {
		if !strings.Contains(html, want) {
			t.Fatalf("HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<script") {
		t.Fatal("HTML has a script")
	}
	again, err := rep.HTML(&mlops.HTMLOptions{Title: "Churn <drift>", ReferenceName: "train.csv", CurrentName: "prod.csv",
		CategoryLabels: map[string][]string{"segment": {"zero", "Bronze", "Silver", "Gold"}}, NoTimestamp: true})
	must(t, err)
	if !bytes.Equal(page, again) {
		t.Fatal("HTML without a timestamp is not reproducible")
	}
	page, err = rep.HTML(nil)
	must(t, err)
	if !strings.Contains(string(page), "Data drift report") {
		t.Fatal("default title")
	}
	stamped, err := rep.HTML(&mlops.HTMLOptions{Generated: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)})
	must(t, err)
	if !strings.Contains(string(stamped), "2024-05-06") {
		t.Fatal("footer time")
	}
	_, err = rep.HTML(&mlops.HTMLOptions{Title: string([]byte{0xff})})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = rep.HTML(&mlops.HTMLOptions{Title: "a\x00"})
	wantErr(t, err, mlops.ErrInvalid)

	js, err := rep.JSON()
	must(t, err)
	var doc map[string]interface{}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatalf("JSON does not parse: %v\n%s", err, js)
	}
	if !strings.Contains(string(js), `"age"`) {
		t.Fatalf("JSON %s", js)
	}

	exp, err := s.CreateExperiment("monitoring")
	must(t, err)
	run, err := s.StartRun(exp, "daily")
	must(t, err)
	defer run.Close()
	must(t, rep.Log(run, 7, time.UnixMilli(1700000000000)))
	info, err := s.GetRun(run.ID())
	must(t, err)
	if m, ok := info.Metrics["drift.age.ks"]; !ok || m.Last != age.Statistic || m.LastStep != 7 {
		t.Fatalf("logged metrics %v", info.Metrics)
	}
	if m := info.Metrics["drift.share_drifted"]; m.Last != rep.ShareDrifted {
		t.Fatalf("share metric %+v", m)
	}
	must(t, run.End(mlops.RunFinished))
	wantErr(t, rep.Log(run, 8, time.Time{}), mlops.ErrConflict)
	must(t, run.Close())
	if err := rep.Log(run, 8, time.Time{}); err != mlops.ErrClosed {
		t.Fatalf("log into a closed run: %v", err)
	}

	// Bad input names the problem.
	_, err = mlops.ComputeDriftReport(nil, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.ComputeDriftReport([]mlops.Column{cols[0], cols[0]}, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.ComputeDriftReport([]mlops.Column{{Name: "empty", Kind: mlops.ColumnNumeric, Ref: []float64{1}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty column: %v", err)
	}
	_, err = mlops.ComputeDriftReport([]mlops.Column{{Name: "k", Kind: mlops.ColumnKind(9), Ref: []float64{1}, Cur: []float64{1}}}, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.ComputeDriftReport([]mlops.Column{{Name: "x\x00", Kind: mlops.ColumnNumeric, Ref: []float64{1}, Cur: []float64{1}}}, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.ComputeDriftReport(cols[:1], &mlops.ReportOptions{DriftShare: 2})
	wantErr(t, err, mlops.ErrInvalid)

	must(t, rep.Close())
	if _, err := rep.JSON(); err != mlops.ErrClosed {
		t.Fatalf("JSON after close: %v", err)
	}
	if _, err := rep.HTML(nil); err != mlops.ErrClosed {
		t.Fatalf("HTML after close: %v", err)
	}
	if len(rep.Columns) != 4 {
		t.Fatal("fields after close")
	}
}

// Reports and profiles may be read by several goroutines at once.
func TestDriftConcurrency(t *testing.T) {
	ref := normal(5000, 0, 1, 20)
	p, err := mlops.NewProfile(mlops.ProfileNumeric, nil)
	must(t, err)
	defer p.Close()
	must(t, p.Add(ref))
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			cur := normal(1000, float64(g), 1, int64(g))
			for i := 0; i < 5; i++ {
				if _, err := p.CompareValues(cur, 0); err != nil {
					t.Error(err)
				}
				if _, err := p.Summary(); err != nil {
					t.Error(err)
				}
				if _, err := mlops.DriftKS(ref, cur); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
}
