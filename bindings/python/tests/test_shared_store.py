"""Store.create and Store.open_location (shared stores, libmlops 1.1).

The PostgreSQL tests need a throwaway server: MLOPS_TEST_PG holds its
libpq connection string (scripts/with-pg.sh sets it). Without it they are
skipped; everything else runs on any build."""
import os
import shutil
import subprocess
import uuid

import pytest

import mlops

PG = os.environ.get("MLOPS_TEST_PG")
needs_pg = pytest.mark.skipif(not PG, reason="MLOPS_TEST_PG is not set (no PostgreSQL server "
                                             "to test against: see scripts/with-pg.sh)")

# Any well-formed connection string: the refusals below come before a
# connection is tried.
SOME_URI = "postgresql://trainer@localhost/mlops"


def _record(store):
    """Puts a blob and logs a finished run; returns (digest, run id)."""
    d = store.put(b"shared bytes")
    with store.start_run("exp", "r1") as run:
        run.log_param("lr", 0.5)
        run.log_metric("loss", 0.25, step=3)
        run.log_output(d, "model")
    return d, run.id


def _check_record(store, d, run_id):
    assert store.get(d) == b"shared bytes"
    info = store.get_run(run_id)
    assert info.name == "r1" and info.status == "FINISHED"
    assert info.params == {"lr": "0.5"}
    assert info.metrics["loss"].last == 0.25 and info.metrics["loss"].last_step == 3
    assert [e.digest for e in store.lineage(run_id)] == [d]


def test_create_local_store_then_open_it(tmp_path):
    path = tmp_path / "store"
    with mlops.Store.create(path, durability="none") as store:
        assert isinstance(store, mlops.Store) and not store.closed
        assert store.path == str(path)
        d, run_id = _record(store)
    assert store.closed
    assert not (path / "mlops.conf").exists()  # a local store: SQLite in the directory
    assert (path / "mlops.db").exists()
    with mlops.Store(path, create=False) as again:
        _check_record(again, d, run_id)


def test_create_makes_missing_parents_and_accepts_an_empty_directory(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    mlops.Store.create(empty, durability="none").close()
    with mlops.Store.create(tmp_path / "a" / "b", durability="none") as s:
        assert s.format_version >= 1


def test_create_refuses_a_directory_that_is_not_empty(tmp_path):
    path = tmp_path / "busy"
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    with pytest.raises(mlops.AlreadyExists) as err:
        mlops.Store.create(path)
    assert "mlops_store_create:" in str(err.value) and "not empty" in str(err.value)
    assert sorted(os.listdir(path)) == ["notes.txt"]  # nothing added
    # An existing store is not empty either.
    mlops.Store.create(tmp_path / "s", durability="none").close()
    with pytest.raises(mlops.AlreadyExists):
        mlops.Store.create(tmp_path / "s")


@pytest.mark.parametrize("schema", ["Vision", "1st", "pg_x", "a-b", "", "x" * 64])
def test_a_bad_schema_name_is_refused(tmp_path, schema):
    path = tmp_path / "store"
    with pytest.raises(mlops.InvalidArgument) as err:
        mlops.Store.create(path, metadata=SOME_URI, schema=schema)
    assert "mlops_store_create:" in str(err.value) and "schema" in str(err.value)
    assert not path.exists()  # refused before anything was made
    with pytest.raises(mlops.InvalidArgument) as err:
        mlops.Store.open_location(metadata=SOME_URI, objects=tmp_path / "objects", schema=schema)
    assert "mlops_store_open_location:" in str(err.value)
    assert not (tmp_path / "objects").exists()


def test_bad_arguments(tmp_path):
    with pytest.raises(mlops.InvalidArgument):  # a store is made writable
        mlops.Store.create(tmp_path / "ro", read_only=True)
    assert not (tmp_path / "ro").exists()
    with pytest.raises(mlops.InvalidArgument):
        mlops.Store.create("")
    with pytest.raises(mlops.InvalidArgument):
        mlops.Store.create(tmp_path / "s", metadata="")
    with pytest.raises(mlops.InvalidArgument):
        mlops.Store.open_location(metadata="", objects=tmp_path / "objects")
    with pytest.raises(ValueError, match="NUL"):
        mlops.Store.create(tmp_path / "s", metadata=SOME_URI + "\0x")
    with pytest.raises(ValueError, match="durability"):
        mlops.Store.create(tmp_path / "s", durability="sometimes")
    with pytest.raises(TypeError):
        mlops.Store.create(tmp_path / "s", no_such_option=1)
    with pytest.raises(TypeError):  # metadata and objects are required
        mlops.Store.open_location(objects=tmp_path / "objects")
    assert not (tmp_path / "s").exists()


# ---- PostgreSQL (MLOPS_TEST_PG) ---------------------------------------------


@needs_pg
def test_postgresql_store_create_reopen_and_open_location(tmp_path):
    schema = "pytest_" + uuid.uuid4().hex[:12]
    path, objects = tmp_path / "store", tmp_path / "objects"
    with mlops.Store.create(path, metadata=PG, schema=schema, objects=objects,
                            durability="none") as store:
        d, run_id = _record(store)
    conf = (path / "mlops.conf").read_text()
    assert f"schema {schema}\n" in conf and f"objects {objects}\n" in conf
    assert "mlops.db" not in os.listdir(path)  # the metadata lives in PostgreSQL
    assert (objects / "objects").is_dir()
    with mlops.Store(path, create=False) as again:  # the directory names the backends
        _check_record(again, d, run_id)
    with mlops.Store.open_location(metadata=PG, schema=schema, objects=objects,
                                   create=False) as direct:
        assert direct.path == str(objects)
        _check_record(direct, d, run_id)
    # Another schema of the same database is another, empty store.
    (tmp_path / "other").mkdir()
    with mlops.Store.open_location(metadata=PG, schema=schema + "_other",
                                   objects=tmp_path / "other") as other:
        assert d not in other and other.experiments() == []
    with pytest.raises(mlops.InvalidArgument):  # the objects folder is needed
        mlops.Store.open_location(metadata=PG, schema=schema, objects=None)


@needs_pg
@pytest.mark.parametrize("metadata", [
    "postgresql://trainer:secret@localhost/mlops",
    "host=localhost user=trainer password=secret dbname=mlops",
])
def test_postgresql_password_is_refused(tmp_path, metadata):
    path = tmp_path / "store"
    with pytest.raises(mlops.InvalidArgument) as err:
        mlops.Store.create(path, metadata=metadata, schema="never_made")
    assert "password" in str(err.value) and "secret" not in str(err.value)
    assert not path.exists()
    with pytest.raises(mlops.InvalidArgument):
        mlops.Store.open_location(metadata=metadata, objects=tmp_path / "objects")


ROLES_SQL = os.path.join(os.path.dirname(__file__), "..", "..", "..", "sql", "postgres-roles.sql")


@needs_pg
@pytest.mark.skipif(not shutil.which("psql"), reason="no psql to apply sql/postgres-roles.sql")
def test_postgresql_reader_role_reads_and_is_refused_writes(tmp_path):
    """A login in mlops_reader (doc/shared-stores.md, "Roles") reads; a
    write raises PermissionDenied naming the role."""
    schema = "pytest_" + uuid.uuid4().hex[:12]
    objects = tmp_path / "objects"
    with mlops.Store.create(tmp_path / "store", metadata=PG, schema=schema,
                            objects=objects) as store:
        d, run_id = _record(store)
    subprocess.run(["psql", "-X", "-q", "-v", f"schema={schema}", "-f", ROLES_SQL, PG],
                   check=True)
    subprocess.run(["psql", "-X", "-q", "-c",
                    "DO $$ BEGIN CREATE ROLE pyreader LOGIN IN ROLE mlops_reader; "
                    "EXCEPTION WHEN duplicate_object THEN NULL; END $$", PG], check=True)
    with mlops.Store.open_location(metadata=PG + " user=pyreader", schema=schema,
                                   objects=objects, create=False) as reader:
        _check_record(reader, d, run_id)
        with pytest.raises(mlops.PermissionDenied) as err:
            reader.put(b"not the reader's to add")
        assert err.value.code == 15
        assert "role 'pyreader' may not add artifacts" in err.value.message
