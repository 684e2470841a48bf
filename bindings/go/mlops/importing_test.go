package mlops_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestImportCallsAreIdempotent(t *testing.T) {
	s := newStore(t)
	im := mlops.Import{Origin: "mlflow:file:///mlruns"}
	created := time.UnixMilli(1_700_000_000_000)
	id, err := s.ImportExperiment(im, "exp", created, map[string]string{"owner": "ann"})
	must(t, err)
	again, err := s.ImportExperiment(im, "exp", created, map[string]string{"owner": "ann"})
	must(t, err)
	if again != id {
		t.Fatalf("experiment id %d then %d", id, again)
	}
	_, err = s.ImportExperiment(im, "exp", created.Add(time.Millisecond), nil)
	wantErr(t, err, mlops.ErrConflict)

	run := mlops.RunRecord{ID: "0123456789abcdef0123456789abcdef", Experiment: "exp",
		Status: mlops.RunFinished, Start: created, End: created.Add(time.Second),
		Params: map[string]string{"lr": "0.1"}}
	must(t, s.ImportRun(im, run))
	must(t, s.ImportRun(im, run))
	run.Params["lr"] = "0.2"
	wantErr(t, s.ImportRun(im, run), mlops.ErrConflict)

	pts := []mlops.Metric{{Key: "loss", Value: 0.5, Step: 1, Time: created.Add(10 * time.Millisecond)},
		{Key: "loss", Value: 0.25, Step: 2, Time: created.Add(20 * time.Millisecond)}}
	n, err := s.ImportMetrics(im, run.ID, pts)
	must(t, err)
	if n != 2 {
		t.Fatalf("%d new points, want 2", n)
	}
	if n, err = s.ImportMetrics(im, run.ID, pts); err != nil || n != 0 {
		t.Fatalf("again: %d new points, %v", n, err)
	}
	hist, err := s.MetricHistory(run.ID, "loss", nil)
	must(t, err)
	if len(hist) != 2 || !hist[1].Time.Equal(pts[1].Time) {
		t.Fatalf("history %+v", hist)
	}

	d, err := s.PutBytes([]byte("weights"))
	must(t, err)
	must(t, s.ImportLineage(im, run.ID, true, d, "model", "model", created))
	must(t, s.ImportLineage(im, run.ID, true, d, "model", "model", created))
	wantErr(t, s.ImportLineage(im, run.ID, true, d, "model", "data", created), mlops.ErrConflict)
	v := mlops.VersionRecord{Model: "m", Number: 7, Artifact: d, RunID: run.ID, Creator: "bob",
		Created: created, Tags: map[string]string{"stage": "prod"}}
	must(t, s.ImportModelVersion(im, v))
	must(t, s.ImportModelVersion(im, v))
	v.Creator = "eve"
	wantErr(t, s.ImportModelVersion(im, v), mlops.ErrConflict)
	must(t, s.ImportAlias(im, "m", "champion", 7, created.Add(time.Minute)))
	must(t, s.ImportAlias(im, "m", "champion", 7, created.Add(time.Minute)))
	wantErr(t, s.ImportAlias(im, "m", "champion", 7, created), mlops.ErrConflict)
	num, _, err := s.Resolve("m@champion")
	must(t, err)
	if num != 7 {
		t.Fatalf("champion -> %d", num)
	}
	must(t, s.AuditVerify())
}

func TestImportSignature(t *testing.T) {
	a, b := newStore(t), newStore(t)
	im := mlops.Import{Origin: "bundle:a"}
	for _, s := range []*mlops.Store{a, b} {
		d, err := s.PutBytes([]byte("signed model"))
		must(t, err)
		must(t, s.ImportModelVersion(im, mlops.VersionRecord{Model: "m", Number: 1, Artifact: d, Created: time.UnixMilli(1)}))
	}
	priv, pub := ed25519PEMs(t)
	must(t, a.SignVersion("m", 1, priv, nil))
	mv, err := a.ModelVersion("m", 1)
	must(t, err)
	sig := mv.Signatures[0]
	must(t, b.ImportSignature(im, "m", 1, pub, sig.Signature, sig.Signed, "ann"))
	must(t, b.ImportSignature(im, "m", 1, pub, sig.Signature, sig.Signed, "ann"))
	must(t, b.VerifyVersion("m", 1, pub))
	_, pub2 := ed25519PEMs(t)
	wantErr(t, b.ImportSignature(im, "m", 1, pub2, sig.Signature, sig.Signed, "ann"), mlops.ErrSignature)
}

func TestCopyTo(t *testing.T) {
	src := newStore(t)
	dst, err := mlops.Open(filepath.Join(t.TempDir(), "copy"), &mlops.Options{Durability: mlops.DurabilityNone})
	must(t, err)
	defer dst.Close()
	d, err := src.PutBytes([]byte("model bytes"))
	must(t, err)
	must(t, src.CreateModel("m", "", nil))
	must(t, src.ImportModelVersion(mlops.Import{Origin: "test"}, mlops.VersionRecord{
		Model: "m", Number: 1, Artifact: d, Created: time.UnixMilli(1)}))
	rep, err := src.CopyTo(dst)
	must(t, err)
	seq, head, err := src.AuditHead()
	must(t, err)
	if rep.ObjectsCopied != 1 || rep.HeadSeq != seq || rep.HeadHash != head {
		t.Fatalf("report %+v, source head %d %v", rep, seq, head)
	}
	_, err = dst.AuditVerifyHead(seq, head)
	must(t, err)
	rep, err = src.CopyTo(dst)
	must(t, err)
	if rep.ObjectsCopied != 0 || rep.RecordsWritten != 0 || rep.EventsCopied != 0 {
		t.Fatalf("second copy %+v", rep)
	}
	_, err = dst.CopyTo(src)
	wantErr(t, err, mlops.ErrConflict)
	_, err = src.CopyTo(src)
	wantErr(t, err, mlops.ErrInvalid)
}
