package mlops_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// ed25519PEMs generates a key pair as PEM "PRIVATE KEY" and "PUBLIC KEY".
func ed25519PEMs(t testing.TB) (priv, pub string) {
	t.Helper()
	pk, sk, err := ed25519.GenerateKey(rand.Reader)
	must(t, err)
	skDER, err := x509.MarshalPKCS8PrivateKey(sk)
	must(t, err)
	pkDER, err := x509.MarshalPKIXPublicKey(pk)
	must(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: skDER})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkDER}))
}

func TestModels(t *testing.T) {
	s := newStore(t)
	must(t, s.CreateModel("team/churn", "predicts churn", &mlops.Change{Actor: "ana", Reason: "new project"}))
	wantErr(t, s.CreateModel("team/churn", "", nil), mlops.ErrExists)
	wantErr(t, s.CreateModel("bad@name", "", nil), mlops.ErrInvalid)
	wantErr(t, s.CreateModel("x", "", &mlops.Change{Actor: "bad\nactor"}), mlops.ErrInvalid)
	must(t, s.CreateModel("fraud", "", nil))
	must(t, s.SetModelTag("team/churn", "owner", "ana", nil))
	must(t, s.SetModelTag("team/churn", "tier", "1", nil))
	must(t, s.SetModelTag("fraud", "tier", "2", nil))
	must(t, s.DeleteModelTag("team/churn", "tier", nil))
	wantErr(t, s.DeleteModelTag("team/churn", "tier", nil), mlops.ErrNotFound)
	must(t, s.SetModelDescription("fraud", "catches fraud", nil))
	wantErr(t, s.SetModelDescription("nope", "x", nil), mlops.ErrNotFound)
	wantErr(t, s.SetModelTag("nope", "k", "v", nil), mlops.ErrNotFound)

	m, err := s.Model("team/churn")
	must(t, err)
	if m.Name != "team/churn" || m.Description != "predicts churn" || m.Tags["owner"] != "ana" || len(m.Tags) != 1 ||
		m.Created.IsZero() || !m.Deleted.IsZero() || m.MaxVersion != 0 || len(m.Aliases) != 0 {
		t.Fatalf("model %+v", m)
	}
	_, err = s.Model("nope")
	wantErr(t, err, mlops.ErrNotFound)

	all, err := s.SearchModels(nil)
	must(t, err)
	if len(all) != 2 || all[0].Name != "fraud" || all[1].Name != "team/churn" {
		t.Fatalf("all models %+v", all)
	}
	found, err := s.SearchModels(&mlops.ModelSearch{NameGlob: "team/*"})
	must(t, err)
	if len(found) != 1 || found[0].Name != "team/churn" {
		t.Fatalf("glob %+v", found)
	}
	found, err = s.SearchModels(&mlops.ModelSearch{HasTags: []string{"tier"}})
	must(t, err)
	if len(found) != 1 || found[0].Name != "fraud" {
		t.Fatalf("has tag %+v", found)
	}
	found, err = s.SearchModels(&mlops.ModelSearch{Tags: map[string]string{"owner": "bob"}})
	must(t, err)
	if len(found) != 0 {
		t.Fatalf("tag value %+v", found)
	}

	must(t, s.RenameModel("fraud", "fraud-v2", nil))
	wantErr(t, s.RenameModel("fraud", "x", nil), mlops.ErrNotFound)
	wantErr(t, s.RenameModel("fraud-v2", "team/churn", nil), mlops.ErrExists)

	d, err := s.PutBytes([]byte("weights"))
	must(t, err)
	v, err := s.CreateVersion("fraud-v2", d, "", "", nil)
	must(t, err)
	wantErr(t, s.DeleteModel("fraud-v2", false, nil), mlops.ErrConflict)
	must(t, s.DeleteModel("fraud-v2", true, &mlops.Change{Reason: "retired"}))
	_, err = s.Model("fraud-v2")
	wantErr(t, err, mlops.ErrNotFound)
	found, err = s.SearchModels(&mlops.ModelSearch{IncludeDeleted: true})
	must(t, err)
	if len(found) != 2 || found[0].Deleted.IsZero() {
		t.Fatalf("with deleted %+v", found)
	}
	found, err = s.SearchModels(&mlops.ModelSearch{Lifecycle: mlops.LifecycleDeleted})
	must(t, err)
	if len(found) != 1 || found[0].Name != "fraud-v2" {
		t.Fatalf("deleted only %+v", found)
	}
	found, err = s.SearchModels(&mlops.ModelSearch{Lifecycle: mlops.LifecycleAll, NameGlob: "*"})
	must(t, err)
	if len(found) != 2 {
		t.Fatalf("all %+v", found)
	}
	_, err = s.SearchModels(&mlops.ModelSearch{IncludeDeleted: true, Lifecycle: mlops.LifecycleDeleted})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.SearchModels(&mlops.ModelSearch{Lifecycle: 7})
	wantErr(t, err, mlops.ErrInvalid)
	if err == nil || !strings.Contains(err.Error(), "mlops_model_search_ex: unknown lifecycle 7") {
		t.Fatalf("message %v", err)
	}
	events, err := s.ModelEvents("fraud-v2")
	must(t, err)
	if len(events) < 4 || events[0].Action != "model.create" || events[0].Model != "fraud" ||
		events[len(events)-1].Action != "model.delete" || events[len(events)-1].Reason != "retired" {
		t.Fatalf("events %+v", events)
	}
	_ = v
}

func TestVersionsAliasesAndAudit(t *testing.T) {
	s := newStore(t)
	exp, err := s.CreateExperiment("e")
	must(t, err)
	run, err := s.StartRun(exp, "train")
	must(t, err)
	defer run.Close()
	data, err := s.PutBytes([]byte("train.csv"))
	must(t, err)
	must(t, run.LogInput(data, "train.csv", "dataset"))
	must(t, run.LogParam("lr", "0.1"))
	must(t, run.LogMetric("acc", 0.9, 1))
	w1, err := s.PutBytes([]byte("weights 1"))
	must(t, err)
	w2, err := s.PutBytes([]byte("weights 2"))
	must(t, err)
	must(t, s.CreateModel("m", "", nil))

	v1, err := s.CreateVersion("m", w1, run.ID(), "first", &mlops.Change{Actor: "ana"})
	must(t, err)
	v2, err := s.CreateVersion("m", w2, "", "", nil)
	must(t, err)
	if v1 != 1 || v2 != 2 {
		t.Fatalf("versions %d %d", v1, v2)
	}
	_, err = s.CreateVersion("m", mlops.ComputeDigest([]byte("absent")), "", "", nil)
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.CreateVersion("nope", w1, "", "", nil)
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.CreateVersion("m", w1, "not-a-run", "", nil)
	wantErr(t, err, mlops.ErrInvalid)

	must(t, s.SetVersionDescription("m", 2, "second", nil))
	must(t, s.SetVersionStatus("m", 2, mlops.VersionArchived, nil))
	wantErr(t, s.SetVersionStatus("m", 2, mlops.VersionStatus(5), nil), mlops.ErrInvalid)
	must(t, s.SetVersionTag("m", 2, "stage", "shadow", nil))
	must(t, s.SetVersionTag("m", 2, "tmp", "x", nil))
	must(t, s.DeleteVersionTag("m", 2, "tmp", nil))
	wantErr(t, s.DeleteVersionTag("m", 2, "tmp", nil), mlops.ErrNotFound)
	wantErr(t, s.SetVersionDescription("m", 9, "x", nil), mlops.ErrNotFound)

	mv, err := s.ModelVersion("m", 1)
	must(t, err)
	if mv.Model != "m" || mv.Version != 1 || mv.Artifact != w1 || mv.RunID != run.ID() || mv.Description != "first" ||
		mv.Creator != "ana" || mv.Status != mlops.VersionReady || mv.Created.IsZero() || !mv.Deleted.IsZero() || len(mv.Signatures) != 0 {
		t.Fatalf("version %+v", mv)
	}
	mv2, err := s.ModelVersion("m", 2)
	must(t, err)
	if mv2.Status != mlops.VersionArchived || mv2.Status.String() != "archived" || mv2.Tags["stage"] != "shadow" || mv2.RunID != "" {
		t.Fatalf("version 2 %+v", mv2)
	}
	if mlops.VersionReady.String() != "ready" || mlops.VersionStatus(9).String() != "unknown" {
		t.Fatal("status names")
	}
	_, err = s.ModelVersion("m", 3)
	wantErr(t, err, mlops.ErrNotFound)

	must(t, s.SetAlias("m", "champion", 1, &mlops.Change{Reason: "best"}))
	wantErr(t, s.SetAlias("m", "latest", 1, nil), mlops.ErrInvalid)
	wantErr(t, s.SetAlias("m", "x", 7, nil), mlops.ErrNotFound)
	before := time.Now()
	time.Sleep(5 * time.Millisecond)
	must(t, s.SetAlias("m", "champion", 2, nil))
	got, err := s.Alias("m", "champion")
	must(t, err)
	if got != 2 {
		t.Fatalf("alias %d", got)
	}
	latest, err := s.Alias("m", "latest")
	must(t, err)
	if latest != 2 {
		t.Fatalf("latest %d", latest)
	}
	at, err := s.AliasAt("m", "champion", before)
	must(t, err)
	if at != 1 {
		t.Fatalf("alias at %d", at)
	}
	_, err = s.AliasAt("m", "champion", time.UnixMilli(1))
	wantErr(t, err, mlops.ErrNotFound)
	_, err = s.Alias("m", "nope")
	wantErr(t, err, mlops.ErrNotFound)
	v, art, err := s.Resolve("m@champion")
	must(t, err)
	if v != 2 || art != w2 {
		t.Fatalf("resolve %d %v", v, art)
	}
	v, art, err = s.Resolve("m/1")
	must(t, err)
	if v != 1 || art != w1 {
		t.Fatalf("resolve /1: %d", v)
	}
	_, _, err = s.Resolve("no-ref-form")
	wantErr(t, err, mlops.ErrInvalid)
	_, _, err = s.Resolve("m@gone")
	wantErr(t, err, mlops.ErrNotFound)
	m, err := s.Model("m")
	must(t, err)
	if m.Aliases["champion"] != 2 || m.MaxVersion != 2 {
		t.Fatalf("model aliases %+v", m)
	}

	list, err := s.ModelVersions("m", false)
	must(t, err)
	if len(list) != 2 || list[0].Version != 1 || list[1].Version != 2 {
		t.Fatalf("versions %+v", list)
	}
	must(t, s.DeleteVersion("m", 2, nil))
	wantErr(t, s.DeleteVersion("m", 2, nil), mlops.ErrNotFound)
	_, err = s.Alias("m", "champion")
	wantErr(t, err, mlops.ErrNotFound)
	list, err = s.ModelVersions("m", false)
	must(t, err)
	all, err2 := s.ModelVersions("m", true)
	must(t, err2)
	if len(list) != 1 || len(all) != 2 || all[1].Deleted.IsZero() {
		t.Fatalf("after delete %d %d", len(list), len(all))
	}
	_, err = s.ModelVersions("nope", false)
	wantErr(t, err, mlops.ErrNotFound)
	must(t, s.SetAlias("m", "champion", 1, nil))
	must(t, s.DeleteAlias("m", "champion", nil))
	wantErr(t, s.DeleteAlias("m", "champion", nil), mlops.ErrNotFound)

	// Lineage of a version made by a run.
	lin, err := s.VersionLineage("m", 1)
	must(t, err)
	if lin.Version != 1 || lin.Artifact != w1 || lin.Run == nil || lin.Run.ID != run.ID() || lin.Run.Params["lr"] != "0.1" ||
		lin.Run.Metrics["acc"].Last != 0.9 || len(lin.Inputs) != 1 || lin.Inputs[0].Digest != data {
		t.Fatalf("lineage %+v", lin)
	}
	lin, err = s.VersionLineage("m", 2)
	must(t, err)
	if lin.Run != nil || len(lin.Inputs) != 0 {
		t.Fatalf("lineage without run %+v", lin)
	}
	_, err = s.VersionLineage("m", 99)
	wantErr(t, err, mlops.ErrNotFound)

	// The audit log.
	must(t, s.AuditVerify())
	seq, head, err := s.AuditHead()
	must(t, err)
	if seq < 10 || head.IsZero() {
		t.Fatalf("head %d %v", seq, head)
	}
	bad, err := s.AuditVerifyHead(seq, head)
	must(t, err)
	if bad != 0 {
		t.Fatalf("first bad %d", bad)
	}
	_, err = s.AuditVerifyHead(seq, mlops.ComputeDigest([]byte("forged")))
	wantErr(t, err, mlops.ErrCorrupt)
	events, err := s.AuditEvents(0, 0)
	must(t, err)
	if int64(len(events)) != seq || events[0].Seq != 1 || events[len(events)-1].Hash != head {
		t.Fatalf("%d events, head %d", len(events), seq)
	}
	page, err := s.AuditEvents(3, 2)
	must(t, err)
	if len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 5 {
		t.Fatalf("page %+v", page)
	}
	var sawMove bool
	for _, e := range events {
		if e.Action == "alias.move" && e.Key == "champion" && e.OldValue == "1" && e.NewValue == "2" {
			sawMove = true
		}
		if e.Time.IsZero() || e.Actor == "" {
			t.Fatalf("event %+v", e)
		}
	}
	if !sawMove {
		t.Fatalf("no alias.move event in %+v", events)
	}
	_, err = s.AuditEvents(0, -1)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.ModelEvents("never")
	wantErr(t, err, mlops.ErrNotFound)
}

func TestSigning(t *testing.T) {
	s := newStore(t)
	priv, pub := ed25519PEMs(t)
	_, otherPub := ed25519PEMs(t)
	fpPriv, err := mlops.KeyFingerprint(priv)
	must(t, err)
	fpPub, err := mlops.KeyFingerprint(pub)
	must(t, err)
	if fpPriv != fpPub || fpPub.IsZero() {
		t.Fatal("fingerprints of a pair differ")
	}
	_, err = mlops.KeyFingerprint("not pem")
	wantErr(t, err, mlops.ErrFormat)
	_, err = mlops.KeyFingerprint(pub + "\x00")
	wantErr(t, err, mlops.ErrInvalid)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	der, err := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	must(t, err)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	_, err = mlops.KeyFingerprint(ecPEM)
	wantErr(t, err, mlops.ErrUnsupported)

	d, err := s.PutBytes([]byte("weights"))
	must(t, err)
	must(t, s.CreateModel("m", "", nil))
	v, err := s.CreateVersion("m", d, "", "", nil)
	must(t, err)
	v2, err := s.CreateVersion("m", d, "", "", nil)
	must(t, err)

	manifest, err := s.VersionManifest("m", v)
	must(t, err)
	if len(manifest) == 0 {
		t.Fatal("empty manifest")
	}
	_, err = s.VersionManifest("m", 42)
	wantErr(t, err, mlops.ErrNotFound)

	wantErr(t, s.VerifyVersion("m", v, pub), mlops.ErrSignature)
	must(t, s.SignVersion("m", v, priv, &mlops.Change{Reason: "release"}))
	wantErr(t, s.SignVersion("m", v, priv, nil), mlops.ErrExists)
	wantErr(t, s.SignVersion("m", v, pub, nil), mlops.ErrFormat)
	wantErr(t, s.SignVersion("m", 42, priv, nil), mlops.ErrNotFound)
	must(t, s.VerifyVersion("m", v, pub))
	wantErr(t, s.VerifyVersion("m", v, otherPub), mlops.ErrSignature)
	wantErr(t, s.VerifyVersion("m", v, "junk"), mlops.ErrFormat)

	// The recorded signature verifies over the manifest with Go's own Ed25519.
	mv, err := s.ModelVersion("m", v)
	must(t, err)
	if len(mv.Signatures) != 1 || mv.Signatures[0].KeyFingerprint != fpPub || mv.Signatures[0].Signed.IsZero() {
		t.Fatalf("signatures %+v", mv.Signatures)
	}
	blk, _ := pem.Decode([]byte(pub))
	pk, err := x509.ParsePKIXPublicKey(blk.Bytes)
	must(t, err)
	if !ed25519.Verify(pk.(ed25519.PublicKey), manifest, mv.Signatures[0].Signature[:]) {
		t.Fatal("signature does not verify over the manifest in Go")
	}

	// Alias policies.
	must(t, s.SetAliasPolicy("m", "prod", []string{pub}, nil))
	wantErr(t, s.SetAliasPolicy("m", "prod", nil, nil), mlops.ErrInvalid)
	wantErr(t, s.SetAliasPolicy("m", "prod", []string{"junk"}, nil), mlops.ErrFormat)
	wantErr(t, s.SetAliasPolicy("m", "prod", []string{ecPEM}, nil), mlops.ErrUnsupported)
	fps, err := s.AliasPolicy("m", "prod")
	must(t, err)
	if len(fps) != 1 || fps[0] != fpPub {
		t.Fatalf("policy %v", fps)
	}
	wantErr(t, s.SetAlias("m", "prod", v2, nil), mlops.ErrPolicy)
	must(t, s.SetAlias("m", "prod", v, nil))
	must(t, s.DeleteAliasPolicy("m", "prod", nil))
	wantErr(t, s.DeleteAliasPolicy("m", "prod", nil), mlops.ErrNotFound)
	_, err = s.AliasPolicy("m", "prod")
	wantErr(t, err, mlops.ErrNotFound)
	must(t, s.SetAlias("m", "prod", v2, nil))
	must(t, s.AuditVerify())
}

func TestAuditCheckpoints(t *testing.T) {
	s := newStore(t)
	priv, pub := ed25519PEMs(t)
	_, otherPub := ed25519PEMs(t)
	_, err := s.AuditCheckpoint(priv, nil)
	wantErr(t, err, mlops.ErrNotFound)
	w, err := s.PutBytes([]byte("weights"))
	must(t, err)
	must(t, s.CreateModel("m", "", nil))
	_, err = s.CreateVersion("m", w, "", "", nil)
	must(t, err)
	covered, err := s.AuditCheckpoint(priv, &mlops.Change{Actor: "release-bot"})
	must(t, err)
	if covered != 2 {
		t.Fatalf("covered %d", covered)
	}
	must(t, s.SetAlias("m", "prod", 1, nil))
	r, err := s.AuditVerifyCheckpoints([]string{pub}, 2)
	must(t, err)
	if r != (mlops.AuditReport{Events: 4, Checkpoints: 1, AttestedSeq: 2, Unattested: 2}) {
		t.Fatalf("report %+v", r)
	}
	r, err = s.AuditVerifyCheckpoints(nil, 0)
	must(t, err)
	if r.AttestedSeq != 0 || r.Unattested != 4 {
		t.Fatalf("report without keys %+v", r)
	}
	_, err = s.AuditVerifyCheckpoints([]string{pub}, 3)
	wantErr(t, err, mlops.ErrSignature)
	r, err = s.AuditVerifyCheckpoints([]string{otherPub}, 0)
	wantErr(t, err, mlops.ErrCorrupt)
	if r.FirstBad != 3 {
		t.Fatalf("first bad %d", r.FirstBad)
	}
	_, err = s.AuditVerifyCheckpoints(nil, 1)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = s.AuditCheckpoint(pub, nil)
	wantErr(t, err, mlops.ErrFormat)
	_, err = s.AuditCheckpoint(priv+"\x00", nil)
	wantErr(t, err, mlops.ErrInvalid)
	ev, err := s.AuditEvents(2, 1)
	must(t, err)
	if len(ev) != 1 || ev[0].Action != "audit.checkpoint" || ev[0].Actor != "release-bot" {
		t.Fatalf("events %+v", ev)
	}
}

// Issue 13: the signature covers the artifact's digest; the deep check
// also re-hashes the bytes the store holds for it.
func TestVerifyVersionDeep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := mlops.Open(dir, &mlops.Options{Durability: mlops.DurabilityNone})
	must(t, err)
	defer s.Close()
	priv, pub := ed25519PEMs(t)
	d, err := s.PutBytes([]byte("model weights"))
	must(t, err)
	must(t, s.CreateModel("m", "", nil))
	v, err := s.CreateVersion("m", d, "", "", nil)
	must(t, err)
	must(t, s.SignVersion("m", v, priv, nil))
	must(t, s.VerifyVersionDeep("m", v, pub))

	hex := strings.TrimPrefix(d.String(), "sha256:")
	obj := filepath.Join(dir, "objects", "sha256", hex[:2], hex[2:])
	must(t, os.Chmod(obj, 0o644))
	data, err := os.ReadFile(obj)
	must(t, err)
	data[len(data)-1] ^= 0xFF
	must(t, os.WriteFile(obj, data, 0o644))
	must(t, s.VerifyVersion("m", v, pub))
	wantErr(t, s.VerifyVersionDeep("m", v, pub), mlops.ErrCorrupt)
	wantErr(t, s.VerifyVersionDeep("m", v, pub+"\x00"), mlops.ErrInvalid)
}
