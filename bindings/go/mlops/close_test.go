package mlops_test

// Closing handles while other goroutines are inside calls on them, and
// strings holding a NUL byte. Close write-locks what every call
// read-locks: it waits for the calls in flight, later calls return
// ErrClosed, and calls on one store still run in parallel. Strings reach C
// only through cstrings, which refuses a NUL byte (C would end the string
// there).

import (
	"errors"
	"io"
	"math/rand"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestGetsOnOneStoreRunInParallel(t *testing.T) {
	s, err := mlops.Open(filepath.Join(t.TempDir(), "s"), &mlops.Options{Durability: mlops.DurabilityNone, Threads: 1})
	must(t, err)
	defer s.Close()
	data := randomBytes(24<<20, 13)
	d, err := s.PutBytes(data)
	must(t, err)
	best := 0.0
	for attempt := 1; attempt <= 5 && best <= 0.5; attempt++ {
		var spans [2][2]time.Time
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				spans[i][0] = time.Now()
				got, err := s.Get(d)
				spans[i][1] = time.Now()
				if err != nil || len(got) != len(data) {
					t.Errorf("get: %v, %d bytes", err, len(got))
				}
			}(i)
		}
		close(start)
		wg.Wait()
		first := spans[0][0]
		if spans[1][0].After(first) {
			first = spans[1][0]
		}
		last := spans[0][1]
		if spans[1][1].Before(last) {
			last = spans[1][1]
		}
		shortest := spans[0][1].Sub(spans[0][0])
		if d1 := spans[1][1].Sub(spans[1][0]); d1 < shortest {
			shortest = d1
		}
		overlap := last.Sub(first)
		t.Logf("attempt %d: gets of 24 MiB took %v and %v, overlapping %v", attempt,
			spans[0][1].Sub(spans[0][0]), spans[1][1].Sub(spans[1][0]), overlap)
		if r := overlap.Seconds() / shortest.Seconds(); r > best {
			best = r
		}
	}
	// Were the calls serialised, the second get could not start before the
	// first returned.
	if best <= 0.5 {
		t.Fatalf("two gets on one store did not overlap (best %.2f of the shorter)", best)
	}
}

// untilClosed runs work until it returns ErrClosed (the expected end) and
// records anything else.
func untilClosed(work func() error, fail func(error)) {
	for {
		err := work()
		if errors.Is(err, mlops.ErrClosed) {
			return
		}
		if err != nil {
			fail(err)
			return
		}
	}
}

// stress closes what make opens, at a random moment, while its workers
// call into it, for rounds rounds.
func stress(t *testing.T, name string, rounds int, maxDelay time.Duration, open func() (io.Closer, []func() error)) {
	t.Run(name, func(t *testing.T) { stressRounds(t, name, rounds, maxDelay, open) })
}

func stressRounds(t *testing.T, name string, rounds int, maxDelay time.Duration, open func() (io.Closer, []func() error)) {
	rng := rand.New(rand.NewSource(13))
	for r := 0; r < rounds && !t.Failed(); r++ {
		c, works := open()
		var wg sync.WaitGroup
		for _, w := range works {
			wg.Add(1)
			go func(w func() error) {
				defer wg.Done()
				untilClosed(w, func(err error) { t.Errorf("%s: %v", name, err) })
			}(w)
		}
		time.Sleep(time.Duration(rng.Int63n(int64(maxDelay))))
		must(t, c.Close())
		wg.Wait()
	}
}

func TestCloseWhileCallsRun(t *testing.T) {
	root := t.TempDir()
	opts := &mlops.Options{Durability: mlops.DurabilityNone}

	// fsck: enough objects for one to take milliseconds.
	fsckDir := filepath.Join(root, "fsck")
	s, err := mlops.Open(fsckDir, opts)
	must(t, err)
	for i := 0; i < 150; i++ {
		_, err := s.PutBytes(randomBytes(1000+i*200, int64(i)))
		must(t, err)
	}
	_, err = s.PutBytes(randomBytes(3<<20, 1))
	must(t, err)
	must(t, s.Close())
	stress(t, "fsck", 15, 80*time.Millisecond, func() (io.Closer, []func() error) {
		s, err := mlops.Open(fsckDir, opts)
		must(t, err)
		fsck := func() error {
			rep, err := s.Fsck(&mlops.FsckOptions{NoQuarantine: true})
			if err == nil && (rep.Corrupt != 0 || rep.Missing != 0) {
				return errors.New("fsck reported damage")
			}
			return err
		}
		return s, []func() error{fsck, fsck}
	})

	// get/put, and the handles opened from a store.
	rwDir := filepath.Join(root, "rw")
	stress(t, "get/put", 15, 50*time.Millisecond, func() (io.Closer, []func() error) {
		s, err := mlops.Open(rwDir, opts)
		must(t, err)
		seed := randomBytes(70000, 2)
		sd, err := s.PutBytes(seed)
		must(t, err)
		exp, err := s.CreateExperiment("e")
		if errors.Is(err, mlops.ErrExists) {
			var e *mlops.Experiment
			e, err = s.ExperimentByName("e")
			if e != nil {
				exp = e.ID
			}
		}
		must(t, err)
		getPut := func() error {
			data := randomBytes(1+rand.Intn(300000), rand.Int63())
			d, err := s.PutBytes(data)
			if err != nil {
				return err
			}
			got, err := s.Get(d)
			if err != nil {
				return err
			}
			if string(got) != string(data) {
				return errors.New("get returned other bytes")
			}
			buf := make([]byte, 5)
			if _, err := s.ReadAt(sd, buf, 3); err != nil {
				return err
			}
			if string(buf) != string(seed[3:8]) {
				return errors.New("ReadAt returned other bytes")
			}
			return nil
		}
		children := func() error {
			r, err := s.OpenBlob(sd)
			if err != nil {
				return err
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				return err
			}
			if string(got) != string(seed) {
				return errors.New("reader returned other bytes")
			}
			w, err := s.NewBlobWriter()
			if err != nil {
				return err
			}
			if _, err := w.Write(seed); err != nil {
				w.Abort()
				return err
			}
			if d, err := w.Commit(); err != nil || d != sd {
				if err == nil {
					err = errors.New("writer stored other bytes")
				}
				return err
			}
			run, err := s.StartRun(exp, "")
			if err != nil {
				return err
			}
			err = run.LogMetric("m", 1, 0)
			run.Close()
			if err != nil {
				return err
			}
			it, err := s.Blobs(mlops.KindAny)
			if err != nil {
				return err
			}
			for it.Next() {
			}
			err = it.Err()
			it.Close()
			if err != nil {
				return err
			}
			if err := s.SetRef("r", sd); err != nil {
				return err
			}
			refs, err := s.Refs("")
			if err != nil {
				return err
			}
			for refs.Next() {
			}
			err = refs.Err()
			refs.Close()
			return err
		}
		return s, []func() error{getPut, getPut, children}
	})

	// A profile (changes are serialised by the binding) and a report.
	values := normal(200000, 0, 1, 3)
	stress(t, "profile", 15, 20*time.Millisecond, func() (io.Closer, []func() error) {
		p, err := mlops.NewProfile(mlops.ProfileNumeric, &mlops.ProfileOptions{FreezeAfter: 1000000})
		must(t, err)
		add := func() error {
			if err := p.Add(values); err != nil {
				return err
			}
			_, err := p.Summary()
			return err
		}
		return p, []func() error{add, add}
	})
	stress(t, "report", 15, 20*time.Millisecond, func() (io.Closer, []func() error) {
		var cols []mlops.Column
		for i := 0; i < 8; i++ {
			x := values[i*3000 : (i+1)*3000]
			cols = append(cols, mlops.Column{Name: string(rune('a' + i)), Kind: mlops.ColumnNumeric, Ref: x, Cur: x})
		}
		rep, err := mlops.ComputeDriftReport(cols, nil)
		must(t, err)
		html := func() error {
			if _, err := rep.HTML(nil); err != nil {
				return err
			}
			_, err := rep.JSON()
			return err
		}
		return rep, []func() error{html, html}
	})
}

func TestNULStringsAreRefused(t *testing.T) {
	s, run := newRun(t)
	d1, err := s.PutBytes([]byte("one"))
	must(t, err)
	d2, err := s.PutBytes([]byte("two"))
	must(t, err)
	must(t, s.SetRef("prod", d1))
	must(t, s.CreateModel("m", "", nil))
	v, err := s.CreateVersion("m", d1, run.ID(), "", nil)
	must(t, err)
	must(t, run.LogMetric("acc", 0.9, 0))
	exp := run.ExperimentID()
	priv, pub := ed25519PEMs(t)
	badPEM := strings.Replace(pub, "\n", "\x00", 1)
	cat, err := mlops.NewProfile(mlops.ProfileCategorical, nil)
	must(t, err)
	defer cat.Close()
	must(t, cat.AddStrings([]string{"a", "b"}, nil))
	rep, err := mlops.ComputeDriftReport([]mlops.Column{{Name: "x", Kind: mlops.ColumnNumeric, Ref: []float64{1, 2, 3}, Cur: []float64{1, 2, 4}}}, nil)
	must(t, err)
	defer rep.Close()
	dir := t.TempDir()
	bad := &mlops.Change{Actor: "a\x00b"}
	errOf := func(_ interface{}, err error) error { return err }
	calls := map[string]error{
		"Open path":             errOf(mlops.Open(filepath.Join(dir, "s\x00x"), nil)),
		"Open actor":            errOf(mlops.Open(filepath.Join(dir, "s2"), &mlops.Options{Actor: "a\x00b"})),
		"PutFile":               errOf(s.PutFile(filepath.Join(dir, "f\x00"))),
		"GetFile":               s.GetFile(d1, filepath.Join(dir, "o\x00x"), 0),
		"PutTree":               errOf(s.PutTree(dir+"\x00x", 0)),
		"GetTree":               s.GetTree(d1, filepath.Join(dir, "t\x00x")),
		"ParseDigest":           errOf(mlops.ParseDigest(d1.String() + "\x00x")),
		"SetRef":                s.SetRef("prod\x00x", d2),
		"Ref":                   errOf(s.Ref("prod\x00x")),
		"DeleteRef":             s.DeleteRef("prod\x00x"),
		"Refs":                  errOf(s.Refs("p\x00")),
		"CreateExperiment":      errOf(s.CreateExperiment("e\x00x")),
		"ExperimentByName":      errOf(s.ExperimentByName("e\x00x")),
		"RenameExperiment":      s.RenameExperiment(exp, "n\x00x"),
		"SetExperimentTag key":  s.SetExperimentTag(exp, "k\x00x", "v"),
		"SetExperimentTag val":  s.SetExperimentTag(exp, "k", "v\x00x"),
		"DeleteExperimentTag":   s.DeleteExperimentTag(exp, "k\x00x"),
		"StartRun name":         errOf(s.StartRun(exp, "r\x00x")),
		"StartRunWith user":     errOf(s.StartRunWith(exp, &mlops.RunOptions{User: "u\x00x"})),
		"StartRunWith parent":   errOf(s.StartRunWith(exp, &mlops.RunOptions{ParentRunID: run.ID() + "\x00x"})),
		"OpenRun":               errOf(s.OpenRun(run.ID() + "\x00x")),
		"GetRun":                errOf(s.GetRun(run.ID() + "\x00x")),
		"DeleteRun":             s.DeleteRun(run.ID() + "\x00x"),
		"MetricHistory run":     errOf(s.MetricHistory(run.ID()+"\x00x", "acc", nil)),
		"MetricHistory key":     errOf(s.MetricHistory(run.ID(), "acc\x00x", nil)),
		"RunLineage":            errOf(s.RunLineage(run.ID() + "\x00x")),
		"SearchRuns filter":     errOf2(s.SearchRuns(&mlops.SearchOptions{Filter: "metrics.acc > 0.5\x00 AND metrics.acc < 0"})),
		"SearchRuns order":      errOf2(s.SearchRuns(&mlops.SearchOptions{OrderBy: "metrics.acc\x00 DESC"})),
		"SearchRuns token":      errOf2(s.SearchRuns(&mlops.SearchOptions{PageToken: "x\x00y"})),
		"LogParam key":          run.LogParam("k\x00x", "v"),
		"LogParam value":        run.LogParam("k", "v\x00x"),
		"LogParams":             run.LogParams(map[string]string{"k": "v\x00x"}),
		"LogMetric":             run.LogMetric("m\x00x", 1, 0),
		"LogMetrics":            run.LogMetrics([]mlops.Metric{{Key: "m\x00x", Value: 1}}),
		"SetTag":                run.SetTag("k\x00x", "v"),
		"DeleteTag":             run.DeleteTag("k\x00x"),
		"LogInput":              run.LogInput(d1, "n\x00x", "dataset"),
		"LogOutput role":        run.LogOutput(d1, "n", "r\x00x"),
		"CreateModel":           s.CreateModel("m\x00x", "", nil),
		"CreateModel desc":      s.CreateModel("m2", "d\x00x", nil),
		"CreateModel actor":     s.CreateModel("m2", "", bad),
		"CreateModel reason":    s.CreateModel("m2", "", &mlops.Change{Reason: "r\x00x"}),
		"Model":                 errOf(s.Model("m\x00x")),
		"SearchModels glob":     errOf(s.SearchModels(&mlops.ModelSearch{NameGlob: "m*\x00"})),
		"SearchModels tag":      errOf(s.SearchModels(&mlops.ModelSearch{Tags: map[string]string{"k": "v\x00x"}})),
		"SearchModels has tag":  errOf(s.SearchModels(&mlops.ModelSearch{HasTags: []string{"k\x00x"}})),
		"RenameModel":           s.RenameModel("m", "n\x00x", nil),
		"DeleteModel":           s.DeleteModel("m\x00x", false, nil),
		"SetModelDescription":   s.SetModelDescription("m", "d\x00x", nil),
		"SetModelTag":           s.SetModelTag("m", "k", "v\x00x", nil),
		"DeleteModelTag":        s.DeleteModelTag("m", "k\x00x", nil),
		"CreateVersion":         errOf(s.CreateVersion("m\x00x", d1, "", "", nil)),
		"CreateVersion run":     errOf(s.CreateVersion("m", d1, run.ID()+"\x00x", "", nil)),
		"ModelVersion":          errOf(s.ModelVersion("m\x00x", v)),
		"ModelVersions":         errOf(s.ModelVersions("m\x00x", false)),
		"SetVersionDescription": s.SetVersionDescription("m", v, "d\x00x", nil),
		"SetVersionTag":         s.SetVersionTag("m", v, "k\x00x", "v", nil),
		"DeleteVersion":         s.DeleteVersion("m\x00x", v, nil),
		"SetAlias":              s.SetAlias("m", "prod\x00x", v, nil),
		"Alias":                 errOf(s.Alias("m", "prod\x00x")),
		"DeleteAlias":           s.DeleteAlias("m", "prod\x00x", nil),
		"Resolve":               errOf3(s.Resolve("m@prod\x00x")),
		"SetAliasPolicy alias":  s.SetAliasPolicy("m", "prod\x00x", []string{pub}, nil),
		"SetAliasPolicy key":    s.SetAliasPolicy("m", "prod", []string{badPEM}, nil),
		"AliasPolicy":           errOf(s.AliasPolicy("m", "prod\x00x")),
		"KeyFingerprint":        errOf(mlops.KeyFingerprint(badPEM)),
		"VersionManifest":       errOf(s.VersionManifest("m\x00x", v)),
		"SignVersion":           s.SignVersion("m", v, priv+"\x00", nil),
		"VerifyVersion":         s.VerifyVersion("m", v, badPEM),
		"ModelEvents":           errOf(s.ModelEvents("m\x00x")),
		"AliasAt":               errOf(s.AliasAt("m", "prod\x00x", time.Now())),
		"VersionLineage":        errOf(s.VersionLineage("m\x00x", v)),
		"AddStrings":            cat.AddStrings([]string{"a\x00x"}, nil),
		"CategoryCount":         errOf(cat.CategoryCount("a\x00x")),
		"CompareStrings":        errOf(cat.CompareStrings([]string{"a\x00x"}, nil, 0)),
		"ComputeDriftReport":    errOf(mlops.ComputeDriftReport([]mlops.Column{{Name: "x\x00y", Kind: mlops.ColumnNumeric, Ref: []float64{1}, Cur: []float64{1}}}, nil)),
		"HTML title":            errOf(rep.HTML(&mlops.HTMLOptions{Title: "t\x00x"})),
		"HTML labels":           errOf(rep.HTML(&mlops.HTMLOptions{CategoryLabels: map[string][]string{"x": {"a\x00x"}}})),
	}
	for name, err := range calls {
		if !errors.Is(err, mlops.ErrInvalid) || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%s: want the NUL byte refused, got %v", name, err)
		}
	}
	// Nothing was cut at the NUL and done.
	if got, err := s.Ref("prod"); err != nil || got != d1 {
		t.Fatalf("prod moved: %v %v", got, err)
	}
	models, err := s.SearchModels(nil)
	must(t, err)
	if len(models) != 1 || models[0].Name != "m" || len(models[0].Aliases) != 0 {
		t.Fatalf("models changed: %+v", models)
	}
	info, err := s.GetRun(run.ID())
	must(t, err)
	if len(info.Params) != 0 || info.Tags["k"] != "" || len(info.Metrics) != 1 {
		t.Fatalf("run changed: %+v", info)
	}
	if exps, err := s.Experiments(mlops.LifecycleAll); err != nil || len(exps) != 1 {
		t.Fatalf("experiments: %+v %v", exps, err)
	}
}

func errOf2(_ interface{}, _ string, err error) error { return err }

func errOf3(_ int64, _ mlops.Digest, err error) error { return err }
