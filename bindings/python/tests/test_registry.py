"""Models, versions, aliases, resolve, policies, signing, audit, lineage."""
import subprocess

import pytest

import mlops


@pytest.fixture
def artifact(store):
    return store.put(b"model weights")


def test_models(store):
    m = store.create_model("team/churn", "predicts churn", actor="alice", reason="new")
    assert isinstance(m, mlops.Model)
    assert (m.name, m.description, m.max_version, m.deleted_ms) == (
        "team/churn", "predicts churn", 0, 0)
    store.set_model_tag("team/churn", "owner", "alice")
    store.set_model_description("team/churn", "v2 text")
    m = store.get_model("team/churn")
    assert m.tags == {"owner": "alice"} and m.description == "v2 text"
    store.delete_model_tag("team/churn", "owner")
    assert store.get_model("team/churn").tags == {}
    store.create_model("other")
    store.set_model_tag("other", "stage", "prod")
    assert [x.name for x in store.models()] == ["other", "team/churn"]
    assert [x.name for x in store.models("team/*")] == ["team/churn"]
    assert [x.name for x in store.models(tags={"stage": "prod"})] == ["other"]
    assert [x.name for x in store.models(tags={"stage": None})] == ["other"]
    assert store.models(tags={"stage": "dev"}) == []
    store.rename_model("other", "renamed")
    assert store.get_model("renamed").tags == {"stage": "prod"}
    store.delete_model("renamed")
    assert [x.name for x in store.models()] == ["team/churn"]
    assert [x.name for x in store.models(include_deleted=True)] == ["renamed", "team/churn"]
    assert [x.name for x in store.models(lifecycle="all")] == ["renamed", "team/churn"]
    assert [x.name for x in store.models(lifecycle="deleted")] == ["renamed"]
    assert [x.name for x in store.models("team/*", lifecycle="deleted")] == []
    with pytest.raises(ValueError):
        store.models(lifecycle="sometimes")
    with pytest.raises(ValueError):
        store.models(include_deleted=True, lifecycle="all")


def test_model_errors(store, artifact):
    store.create_model("m")
    with pytest.raises(mlops.AlreadyExists):
        store.create_model("m")
    with pytest.raises(mlops.InvalidArgument):
        store.create_model("bad@name")
    with pytest.raises(mlops.NotFound):
        store.get_model("nope")
    with pytest.raises(mlops.NotFound):
        store.rename_model("nope", "x")
    with pytest.raises(mlops.NotFound):
        store.delete_model_tag("m", "nope")
    store.create_model_version("m", artifact)
    with pytest.raises(mlops.Conflict):
        store.delete_model("m")
    store.delete_model("m", force=True)
    with pytest.raises(mlops.NotFound):
        store.get_model("m")


def test_versions(store, artifact):
    store.create_model("m")
    with store.start_run("e") as run:
        pass
    v1 = store.create_model_version("m", artifact, run, "first", actor="bob")
    v2 = store.create_model_version("m", str(artifact), run.id)
    v3 = store.create_model_version("m", artifact)
    assert (v1, v2, v3) == (1, 2, 3)
    v = store.get_model_version("m", 1)
    assert isinstance(v, mlops.ModelVersion)
    assert (v.model, v.version, v.artifact, v.run_id, v.description, v.creator, v.status) == (
        "m", 1, artifact, run.id, "first", "bob", "READY")
    assert store.get_model_version("m", 3).run_id is None
    store.set_model_version_status("m", 1, "ARCHIVED")
    store.set_model_version_description("m", 1, None)
    store.set_model_version_tag("m", 1, "k", "v")
    v = store.get_model_version("m", 1)
    assert (v.status, v.description, v.tags) == ("ARCHIVED", "", {"k": "v"})
    store.delete_model_version_tag("m", 1, "k")
    assert store.get_model_version("m", 1).tags == {}
    store.delete_model_version("m", 2)
    assert [x.version for x in store.model_versions("m")] == [1, 3]
    assert [x.version for x in store.model_versions("m", include_deleted=True)] == [1, 2, 3]
    assert [x.version for x in store.model_versions("m", lifecycle="all")] == [1, 2, 3]
    assert [x.version for x in store.model_versions("m", lifecycle="deleted")] == [2]
    with pytest.raises(ValueError):
        store.model_versions("m", include_deleted=True, lifecycle="deleted")
    assert store.get_model_version("m", 2).deleted_ms > 0
    assert store.get_model("m").max_version == 3
    with pytest.raises(ValueError):
        store.set_model_version_status("m", 1, "GONE")
    with pytest.raises(mlops.NotFound):
        store.create_model_version("m", mlops.Digest.compute(b"not stored"))
    with pytest.raises(mlops.NotFound):
        store.create_model_version("nope", artifact)
    with pytest.raises(mlops.NotFound):
        store.create_model_version("m", artifact, "0" * 32)
    with pytest.raises(mlops.NotFound):
        store.get_model_version("m", 99)
    with pytest.raises(mlops.NotFound):
        store.delete_model_version("m", 2)  # already deleted
    with pytest.raises(mlops.NotFound):
        store.model_versions("nope")


def test_aliases_and_resolve(store, artifact):
    store.create_model("m")
    other = store.put(b"other weights")
    store.create_model_version("m", artifact)
    store.create_model_version("m", other)
    store.set_alias("m", "champion", 1)
    assert store.get_alias("m", "champion") == 1
    assert store.get_alias("m", "latest") == 2
    assert store.get_alias("m", "v1") == 1
    assert store.get_model("m").aliases == {"champion": 1}
    r = store.resolve("m@champion")
    assert isinstance(r, mlops.Resolved) and (r.version, r.artifact) == (1, artifact)
    assert store.resolve("m/2") == mlops.Resolved(2, other)
    assert store.resolve("m@latest").version == 2
    store.set_alias("m", "champion", 2)
    assert store.get_alias("m", "champion") == 2
    store.delete_alias("m", "champion")
    with pytest.raises(mlops.NotFound):
        store.get_alias("m", "champion")
    with pytest.raises(mlops.InvalidArgument):
        store.set_alias("m", "latest", 1)
    with pytest.raises(mlops.InvalidArgument):
        store.set_alias("m", "bad alias", 1)
    with pytest.raises(mlops.NotFound):
        store.set_alias("m", "x", 99)
    with pytest.raises(mlops.InvalidArgument):
        store.resolve("no-reference-form")
    with pytest.raises(mlops.NotFound):
        store.resolve("m@nothing")
    with pytest.raises(mlops.NotFound):
        store.delete_alias("m", "nothing")


def test_sign_verify_and_policy(store, artifact, keypair, tmp_path):
    priv, pub = keypair
    store.create_model("m")
    store.create_model_version("m", artifact)
    store.create_model_version("m", artifact)
    fp = mlops.key_fingerprint(pub)
    assert fp == mlops.key_fingerprint(priv) == mlops.key_fingerprint(pub.encode())
    assert store.sign_model_version("m", 1, priv, reason="release") == fp
    store.verify_model_version("m", 1, pub)
    sigs = store.get_model_version("m", 1).signatures
    assert len(sigs) == 1 and isinstance(sigs[0], mlops.Signature)
    assert sigs[0].key_fingerprint == fp and len(sigs[0].signature) == 64
    with pytest.raises(mlops.AlreadyExists):
        store.sign_model_version("m", 1, priv)
    with pytest.raises(mlops.SignatureError):
        store.verify_model_version("m", 2, pub)
    with pytest.raises(mlops.FormatError):
        store.sign_model_version("m", 2, "not a pem")
    with pytest.raises(mlops.FormatError):
        mlops.key_fingerprint("garbage")
    # The manifest is what the signature covers: openssl verifies it too.
    manifest = store.model_version_manifest("m", 1)
    assert isinstance(manifest, bytes) and manifest
    (tmp_path / "manifest").write_bytes(manifest)
    (tmp_path / "sig").write_bytes(sigs[0].signature)
    (tmp_path / "pub.pem").write_text(pub)
    p = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                        str(tmp_path / "pub.pem"), "-rawin", "-in", str(tmp_path / "manifest"),
                        "-sigfile", str(tmp_path / "sig")], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    # A policy: the alias accepts only versions signed by the trusted key.
    store.set_alias_policy("m", "prod", [pub])
    assert store.get_alias_policy("m", "prod") == [fp]
    with pytest.raises(mlops.PolicyError):
        store.set_alias("m", "prod", 2)
    store.set_alias("m", "prod", 1)
    store.delete_alias_policy("m", "prod")
    store.set_alias("m", "prod", 2)
    with pytest.raises(mlops.NotFound):
        store.get_alias_policy("m", "prod")
    with pytest.raises(mlops.FormatError):
        store.set_alias_policy("m", "prod", ["not a key"])
    with pytest.raises(mlops.NotFound):
        store.model_version_manifest("m", 9)


def test_audit(store, artifact):
    assert store.audit_head() == mlops.AuditHead(0, mlops.Digest(bytes(32)))
    store.create_model("m", reason="because")
    store.create_model_version("m", artifact)
    store.set_alias("m", "champion", 1, actor="carol")
    store.audit_verify()
    head = store.audit_head()
    assert isinstance(head, mlops.AuditHead) and head.seq == 3
    store.audit_verify(head)
    store.audit_verify((head.seq, str(head.hash)))
    events = store.audit_events("m")
    assert [e.action for e in events] == ["model.create", "version.create", "alias.set"]
    assert isinstance(events[0], mlops.AuditEvent)
    assert events[0].reason == "because" and events[2].actor == "carol"
    assert events[2].key == "champion" and events[2].new_value == "1"
    assert events[-1].hash == head.hash
    assert [e.seq for e in store.audit_log()] == [1, 2, 3]
    assert [e.seq for e in store.audit_log(after_seq=1, limit=1)] == [2]
    assert store.alias_at("m", "champion", events[2].time_ms) == 1
    with pytest.raises(mlops.NotFound):
        store.alias_at("m", "champion", events[0].time_ms - 1)
    with pytest.raises(mlops.NotFound):
        store.audit_events("never")
    # A head that the chain does not reach is reported as corruption.
    with pytest.raises(mlops.Corrupt) as e:
        store.audit_verify((head.seq, mlops.Digest.compute(b"forged")))
    assert e.value.first_bad_seq >= 0


def test_audit_checkpoint(store, artifact, keypair):
    priv, pub = keypair
    with pytest.raises(mlops.NotFound):
        store.audit_checkpoint(priv)
    store.create_model("m")
    store.create_model_version("m", artifact)
    assert store.audit_checkpoint(priv, actor="release-bot", reason="nightly") == 2
    event = store.audit_log()[-1]
    assert (event.action, event.actor, event.key) == (
        "audit.checkpoint", "release-bot", str(mlops.key_fingerprint(pub)))
    store.set_alias("m", "prod", 1)
    r = store.audit_verify_checkpoints([pub], min_seq=2)
    assert isinstance(r, mlops.AuditReport)
    assert (r.events, r.checkpoints, r.attested_seq, r.unattested) == (4, 1, 2, 2)
    assert store.audit_verify_checkpoints().attested_seq == 0
    assert store.audit_verify_checkpoints(head=store.audit_head()).events == 4
    with pytest.raises(mlops.SignatureError):
        store.audit_verify_checkpoints([pub], min_seq=3)
    with pytest.raises(mlops.InvalidArgument):
        store.audit_verify_checkpoints(min_seq=1)
    with pytest.raises(mlops.FormatError):
        store.audit_checkpoint(pub)


def test_audit_detects_tampering(tmp_path, artifact=None):
    import sqlite3

    path = tmp_path / "s"
    with mlops.Store(path, durability="none") as store:
        d = store.put(b"w")
        store.create_model("m")
        store.create_model_version("m", d)
        store.set_alias("m", "a", 1)
    db = sqlite3.connect(str(path / "mlops.db"))
    tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
    audit = [t for t in tables if "audit" in t]
    assert audit, tables
    cols = [r[1] for r in db.execute(f"pragma table_info({audit[0]})")]
    col = "actor" if "actor" in cols else None
    if col is None:
        pytest.skip(f"unknown audit table layout {cols}")
    db.execute(f"update {audit[0]} set {col} = 'mallory' where seq = 2")
    db.commit()
    db.close()
    with mlops.Store(path) as store:
        with pytest.raises(mlops.Corrupt) as e:
            store.audit_verify()
        assert e.value.first_bad_seq == 2
        assert "2" in e.value.message


def test_version_lineage(store, artifact):
    data = store.put(b"data")
    with store.start_run("e") as run:
        run.log_param("lr", "0.1")
        run.log_metric("acc", 0.9)
        run.log_input(data, "train.csv")
    store.create_model("m")
    store.create_model_version("m", artifact, run)
    store.create_model_version("m", artifact)
    lin = store.model_version_lineage("m", 1)
    assert isinstance(lin, mlops.VersionLineage)
    assert (lin.version, lin.artifact) == (1, artifact)
    assert lin.run is not None and lin.run.id == run.id and lin.run.params == {"lr": "0.1"}
    assert lin.run.metrics["acc"].last == 0.9
    assert [(e.name, e.digest) for e in lin.inputs] == [("train.csv", data)]
    lin2 = store.model_version_lineage("m", 2)
    assert lin2.run is None and lin2.inputs == []
    with pytest.raises(mlops.NotFound):
        store.model_version_lineage("m", 5)


def test_model_page_html(store, artifact):
    store.create_model("m <1> & 'q'", "desc </svg>")
    store.create_model_version("m <1> & 'q'", artifact)
    store.set_alias("m <1> & 'q'", "champion", 1, reason="<b>why</b>")
    page = store.model_page_html("m <1> & 'q'", generated_ms=-1)
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Model m &lt;1&gt; &amp; &#39;q&#39;</title>" in page
    assert "desc &lt;/svg&gt;" in page and "&lt;b&gt;why&lt;/b&gt;" in page
    assert "<b>" not in page and page.count("<svg") == 2  # the alias's chart, the lineage
    assert page == store.model_page_html("m <1> & 'q'", generated_ms=-1)
    assert "<title>T &lt;2&gt;</title>" in store.model_page_html("m <1> & 'q'", title="T <2>")
    with pytest.raises(mlops.NotFound):
        store.model_page_html("nope")
