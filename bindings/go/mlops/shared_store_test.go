package mlops_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libmlops/libmlops/bindings/go/mlops"
)

// Create and OpenLocation (shared stores, libmlops 1.1). The PostgreSQL
// tests need a throwaway server whose libpq connection string is in
// MLOPS_TEST_PG (scripts/with-pg.sh sets it); without it they are skipped.

// someURI is any well-formed connection string: the refusals tested with
// it come before a connection is tried.
const someURI = "postgresql://trainer@localhost/mlops"

var fast = &mlops.Options{Durability: mlops.DurabilityNone}

// record puts a blob and logs a finished run; it returns both.
func record(t *testing.T, s *mlops.Store) (mlops.Digest, string) {
	t.Helper()
	d, err := s.PutBytes([]byte("shared bytes"))
	must(t, err)
	exp, err := s.CreateExperiment("exp")
	must(t, err)
	run, err := s.StartRun(exp, "r1")
	must(t, err)
	defer run.Close()
	must(t, run.LogParam("lr", "0.5"))
	must(t, run.LogMetric("loss", 0.25, 3))
	must(t, run.LogOutput(d, "model", "model"))
	must(t, run.End(mlops.RunFinished))
	return d, run.ID()
}

// checkRecord reads back what record wrote.
func checkRecord(t *testing.T, s *mlops.Store, d mlops.Digest, runID string) {
	t.Helper()
	b, err := s.Get(d)
	must(t, err)
	if string(b) != "shared bytes" {
		t.Fatalf("blob: %q", b)
	}
	info, err := s.GetRun(runID)
	must(t, err)
	if info.Name != "r1" || info.Status != mlops.RunFinished || info.Params["lr"] != "0.5" {
		t.Fatalf("run: %+v", info)
	}
	if m := info.Metrics["loss"]; m.Last != 0.25 || m.LastStep != 3 {
		t.Fatalf("metric: %+v", m)
	}
	if len(info.Lineage) != 1 || info.Lineage[0].Digest != d {
		t.Fatalf("lineage: %+v", info.Lineage)
	}
}

func TestCreateLocalStoreThenOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := mlops.Create(dir, nil, fast)
	must(t, err)
	if s.Path() != dir {
		t.Fatalf("Path: %q", s.Path())
	}
	d, runID := record(t, s)
	must(t, s.Close())
	if _, err := os.Stat(filepath.Join(dir, "mlops.conf")); !os.IsNotExist(err) {
		t.Fatalf("a local store has no mlops.conf: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mlops.db")); err != nil {
		t.Fatalf("a local store keeps its metadata in mlops.db: %v", err)
	}
	again, err := mlops.Open(dir, &mlops.Options{NoCreate: true})
	must(t, err)
	defer again.Close()
	checkRecord(t, again, d, runID)

	// An empty Metadata is the same as a nil Location.
	s2, err := mlops.Create(filepath.Join(t.TempDir(), "a", "b"), &mlops.Location{}, fast)
	must(t, err)
	must(t, s2.Close())
}

func TestCreateRefusesANonEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600))
	_, err := mlops.Create(dir, nil, nil)
	wantErr(t, err, mlops.ErrExists)
	if !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("message: %v", err)
	}
	names, err := os.ReadDir(dir)
	must(t, err)
	if len(names) != 1 {
		t.Fatalf("Create added files to a directory it refused: %v", names)
	}
	// An existing store is not empty either.
	store := filepath.Join(t.TempDir(), "s")
	s, err := mlops.Create(store, nil, fast)
	must(t, err)
	must(t, s.Close())
	_, err = mlops.Create(store, nil, nil)
	wantErr(t, err, mlops.ErrExists)
}

func TestCreateRefusesABadSchemaName(t *testing.T) {
	for _, schema := range []string{"Vision", "1st", "pg_x", "a-b", strings.Repeat("x", 64)} {
		tmp := t.TempDir()
		dir, objects := filepath.Join(tmp, "store"), filepath.Join(tmp, "objects")
		loc := mlops.Location{Metadata: someURI, Schema: schema, Objects: objects}
		_, err := mlops.Create(dir, &loc, nil)
		wantErr(t, err, mlops.ErrInvalid)
		if !strings.Contains(err.Error(), "schema") {
			t.Fatalf("%q: message: %v", schema, err)
		}
		_, err = mlops.OpenLocation(loc, nil)
		wantErr(t, err, mlops.ErrInvalid)
		for _, p := range []string{dir, objects} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Fatalf("%q: %s was made: %v", schema, p, err)
			}
		}
	}
}

func TestCreateBadArguments(t *testing.T) {
	tmp := t.TempDir()
	_, err := mlops.Create(filepath.Join(tmp, "ro"), nil, &mlops.Options{ReadOnly: true})
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.Create("", nil, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.Create(filepath.Join(tmp, "s"), &mlops.Location{Metadata: someURI + "\x00x"}, nil)
	wantErr(t, err, mlops.ErrInvalid)
	_, err = mlops.OpenLocation(mlops.Location{Objects: filepath.Join(tmp, "objects")}, nil)
	wantErr(t, err, mlops.ErrInvalid) // no metadata
	names, err := os.ReadDir(tmp)
	must(t, err)
	if len(names) != 0 {
		t.Fatalf("refused calls made files: %v", names)
	}
}

// testPG is the throwaway server's connection string, or a skip.
func testPG(t *testing.T) string {
	t.Helper()
	pg := os.Getenv("MLOPS_TEST_PG")
	if pg == "" {
		t.Skip("MLOPS_TEST_PG is not set (no PostgreSQL server to test against: see scripts/with-pg.sh)")
	}
	return pg
}

func TestPostgreSQLStore(t *testing.T) {
	pg := testPG(t)
	var b [6]byte
	_, err := rand.Read(b[:])
	must(t, err)
	schema := "gotest_" + hex.EncodeToString(b[:])
	tmp := t.TempDir()
	dir, objects := filepath.Join(tmp, "store"), filepath.Join(tmp, "objects")
	loc := mlops.Location{Metadata: pg, Schema: schema, Objects: objects}
	s, err := mlops.Create(dir, &loc, fast)
	must(t, err)
	d, runID := record(t, s)
	must(t, s.Close())

	conf, err := os.ReadFile(filepath.Join(dir, "mlops.conf"))
	must(t, err)
	if !strings.Contains(string(conf), "\nschema "+schema+"\n") ||
		!strings.Contains(string(conf), "\nobjects "+objects+"\n") {
		t.Fatalf("mlops.conf:\n%s", conf)
	}
	if _, err := os.Stat(filepath.Join(dir, "mlops.db")); !os.IsNotExist(err) {
		t.Fatalf("a PostgreSQL store has no mlops.db: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(objects, "objects")); err != nil || !fi.IsDir() {
		t.Fatalf("no objects folder in %s: %v", objects, err)
	}

	// The directory names the backends.
	again, err := mlops.Open(dir, &mlops.Options{NoCreate: true})
	must(t, err)
	checkRecord(t, again, d, runID)
	must(t, again.Close())

	// And the parts open without it.
	direct, err := mlops.OpenLocation(loc, &mlops.Options{NoCreate: true})
	must(t, err)
	defer direct.Close()
	if direct.Path() != objects {
		t.Fatalf("Path: %q", direct.Path())
	}
	checkRecord(t, direct, d, runID)

	// Another schema of the same database is another, empty store.
	must(t, os.Mkdir(filepath.Join(tmp, "other"), 0o700))
	other, err := mlops.OpenLocation(mlops.Location{Metadata: pg, Schema: schema + "_other",
		Objects: filepath.Join(tmp, "other")}, fast)
	must(t, err)
	defer other.Close()
	if ok, err := other.Exists(d); err != nil || ok {
		t.Fatalf("the other schema has the blob: %v %v", ok, err)
	}
	exps, err := other.Experiments(mlops.LifecycleAll)
	must(t, err)
	if len(exps) != 0 {
		t.Fatalf("the other schema has experiments: %+v", exps)
	}

	// OpenLocation needs the objects folder.
	_, err = mlops.OpenLocation(mlops.Location{Metadata: pg, Schema: schema}, nil)
	wantErr(t, err, mlops.ErrInvalid)
}

func TestPostgreSQLPasswordRefused(t *testing.T) {
	testPG(t)
	for _, metadata := range []string{
		"postgresql://trainer:secret@localhost/mlops",
		"host=localhost user=trainer password=secret dbname=mlops",
	} {
		tmp := t.TempDir()
		dir := filepath.Join(tmp, "store")
		_, err := mlops.Create(dir, &mlops.Location{Metadata: metadata, Schema: "never_made"}, nil)
		wantErr(t, err, mlops.ErrInvalid)
		if !strings.Contains(err.Error(), "password") || strings.Contains(err.Error(), "secret") {
			t.Fatalf("message: %v", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("%s was made: %v", dir, err)
		}
		_, err = mlops.OpenLocation(mlops.Location{Metadata: metadata, Objects: filepath.Join(tmp, "objects")}, nil)
		wantErr(t, err, mlops.ErrInvalid)
	}
}

// TestPostgreSQLReaderRole: a login in mlops_reader (sql/postgres-roles.sql,
// doc/shared-stores.md "Roles") reads the store; its write is ErrPermission
// naming the role.
func TestPostgreSQLReaderRole(t *testing.T) {
	pg := testPG(t)
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("no psql to apply sql/postgres-roles.sql")
	}
	var b [6]byte
	_, err = rand.Read(b[:])
	must(t, err)
	schema := "gotest_" + hex.EncodeToString(b[:])
	tmp := t.TempDir()
	objects := filepath.Join(tmp, "objects")
	s, err := mlops.Create(filepath.Join(tmp, "store"),
		&mlops.Location{Metadata: pg, Schema: schema, Objects: objects}, fast)
	must(t, err)
	d, runID := record(t, s)
	must(t, s.Close())
	for _, args := range [][]string{
		{"-v", "schema=" + schema, "-f", filepath.Join("..", "..", "..", "sql", "postgres-roles.sql")},
		{"-c", "DO $$ BEGIN CREATE ROLE goreader LOGIN IN ROLE mlops_reader; " +
			"EXCEPTION WHEN duplicate_object THEN NULL; END $$"},
	} {
		out, err := exec.Command(psql, append(append([]string{"-X", "-q"}, args...), pg)...).CombinedOutput()
		if err != nil {
			t.Fatalf("psql %v: %v\n%s", args, err, out)
		}
	}
	reader, err := mlops.OpenLocation(mlops.Location{Metadata: pg + " user=goreader",
		Schema: schema, Objects: objects}, &mlops.Options{NoCreate: true})
	must(t, err)
	defer reader.Close()
	checkRecord(t, reader, d, runID)
	_, err = reader.PutBytes([]byte("not the reader's to add"))
	wantErr(t, err, mlops.ErrPermission)
	if !strings.Contains(err.Error(), "role 'goreader' may not add artifacts") {
		t.Fatalf("message: %v", err)
	}
}
