package mlops_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

func TestPushPullRoundTrip(t *testing.T) {
	s := newStore(t)
	remote := filepath.Join(t.TempDir(), "remote")
	data := bytes.Repeat([]byte("0123456789abcdef"), 700000) // 11 MB: a chunked blob
	d, err := s.Put(bytes.NewReader(data))
	must(t, err)
	must(t, s.SetRef("weights", d))
	must(t, s.RemoteAdd("team", remote))
	rs, err := s.Remotes()
	must(t, err)
	if len(rs) != 1 || rs[0].Name != "team" || rs[0].URL != remote {
		t.Fatalf("remotes %v", rs)
	}
	wantErr(t, s.RemoteAdd("team", remote), mlops.ErrExists)
	first, err := s.Push("team", "ref:weights")
	must(t, err)
	if first.ObjectsSent == 0 || first.ObjectsSent != first.Objects {
		t.Fatalf("first push %+v", first)
	}
	again, err := s.Push("team", "ref:weights")
	must(t, err)
	if again.ObjectsSent != 0 || again.ObjectsPresent != first.Objects {
		t.Fatalf("second push %+v", again)
	}

	o := newStore(t)
	must(t, o.RemoteAdd("team", remote))
	rep, err := o.Pull("team", "ref:weights")
	must(t, err)
	if rep.BytesSent != first.BytesSent {
		t.Fatalf("pull %+v after push %+v", rep, first)
	}
	got, err := o.Ref("weights")
	must(t, err)
	if got != d {
		t.Fatalf("ref %v, want %v", got, d)
	}
	back, err := o.Get(d)
	must(t, err)
	if !bytes.Equal(back, data) {
		t.Fatal("pulled bytes differ")
	}
	_, err = o.Pull("team", "ref:never-pushed")
	wantErr(t, err, mlops.ErrNotFound)
	_, err = o.Push("team", "nokind")
	wantErr(t, err, mlops.ErrInvalid)
	_, err = o.Push("team", "ref:a\x00b")
	wantErr(t, err, mlops.ErrInvalid)
	must(t, o.RemoteRemove("team"))
	wantErr(t, o.RemoteRemove("team"), mlops.ErrNotFound)
}

func TestBundleRoundTripAndRename(t *testing.T) {
	s := newStore(t)
	art, err := s.Put(bytes.NewReader(bytes.Repeat([]byte("weights!"), 40000)))
	must(t, err)
	exp, err := s.CreateExperiment("e")
	must(t, err)
	run, err := s.StartRun(exp, "train")
	must(t, err)
	must(t, run.LogMetric("loss", 0.5, 1))
	must(t, run.LogMetric("loss", 0.25, 2))
	must(t, run.LogOutput(art, "model.bin", "model"))
	must(t, s.CreateModel("m", "", nil))
	_, err = s.CreateVersion("m", art, run.ID(), "", nil)
	must(t, err)
	must(t, run.End(mlops.RunFinished))
	must(t, s.SetAlias("m", "prod", 1, nil))
	path := filepath.Join(t.TempDir(), "m.mlb")
	out, err := s.BundleExport(path, "model:m@prod")
	must(t, err)
	if out.Runs != 1 || out.MetricPoints != 2 || out.Versions != 1 || out.AliasEntries != 1 {
		t.Fatalf("export %+v", out)
	}
	_, head, err := s.AuditHead()
	must(t, err)
	if out.OriginHeadHash != head {
		t.Fatalf("origin head %v, want %v", out.OriginHeadHash, head)
	}

	o := newStore(t)
	first, err := o.BundleImport(path, nil)
	must(t, err)
	if first.RecordsAdded == 0 || first.ObjectsAdded != out.Objects {
		t.Fatalf("import %+v", first)
	}
	v, err := o.Alias("m", "prod")
	must(t, err)
	if v != 1 {
		t.Fatalf("prod -> %d", v)
	}
	pts, err := o.MetricHistory(run.ID(), "loss", nil)
	must(t, err)
	if len(pts) != 2 {
		t.Fatalf("%d points", len(pts))
	}
	must(t, o.AuditVerify())
	again, err := o.BundleImport(path, nil)
	must(t, err)
	if again.RecordsAdded != 0 || again.ObjectsAdded != 0 {
		t.Fatalf("second import %+v", again)
	}

	third := newStore(t)
	mine, err := third.Put(bytes.NewReader([]byte("another model")))
	must(t, err)
	must(t, third.CreateModel("m", "", nil))
	_, err = third.CreateVersion("m", mine, "", "", nil)
	must(t, err)
	_, err = third.BundleImport(path, nil)
	wantErr(t, err, mlops.ErrConflict)
	rep, err := third.BundleImport(path, &mlops.BundleImportOptions{Rename: "team-"})
	must(t, err)
	if rep.Renumbered != 1 {
		t.Fatalf("rename %+v", rep)
	}
	v, err = third.Alias("m", "prod")
	must(t, err)
	if v != 2 {
		t.Fatalf("prod -> %d after renumbering", v)
	}
	_, err = s.BundleExport(filepath.Join(t.TempDir(), "x.mlb"), "nokind")
	wantErr(t, err, mlops.ErrInvalid)
	_, err = third.BundleImport(path, &mlops.BundleImportOptions{Rename: "bad prefix"})
	wantErr(t, err, mlops.ErrInvalid)
}
