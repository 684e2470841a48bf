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
