"""Strings holding a NUL byte are refused with ValueError before any C call.

C takes a NUL for the end of a string: before, set_ref("prod\\0x", d)
moved "prod", create_model("m\\0x") made "m" and a filter ended at the
NUL. Every string the binding passes to C goes through _capi.enc (text)
or _capi.enc_path (paths), which refuse them.
"""
import os
import re

import pytest

import mlops
from mlops import drift

PACKAGE = os.path.dirname(mlops.__file__)


def refused(call):
    with pytest.raises(ValueError, match="NUL byte") as e:
        call()
    assert not isinstance(e.value, mlops.MlopsError)  # the binding refused, not C


def test_set_ref_does_not_move_the_prefix(store):
    d1, d2 = store.put(b"one"), store.put(b"two")
    store.set_ref("prod", d1)
    refused(lambda: store.set_ref("prod\0x", d2))
    assert store.refs() == {"prod": d1}
    refused(lambda: store.delete_ref("prod\0x"))
    refused(lambda: store.get_ref("prod\0x"))
    refused(lambda: store.refs("pr\0"))
    assert store.get_ref("prod") == d1


def test_create_model_does_not_make_the_prefix(store):
    refused(lambda: store.create_model("m\0x"))
    assert store.models() == []
    with pytest.raises(mlops.NotFound):
        store.get_model("m")


def test_filter_is_not_cut_at_the_nul(store):
    with store.start_run("e", "a") as run:
        run.log_metric("acc", 0.9)
    assert len(store.search_runs("metrics.acc > 0.5")) == 1
    # Cut at the NUL, this filter would match the run.
    refused(lambda: store.search_runs("metrics.acc > 0.5\0 AND metrics.acc < 0"))
    refused(lambda: store.search_runs(order_by="metrics.acc\0 DESC"))
    refused(lambda: store.search_runs(page_token="x\0y"))
    refused(lambda: list(store.iter_runs("metrics.acc > 0.5\0")))


def test_every_string_argument_refuses_nul(store, tmp_path, keypair):
    private_pem, public_pem = keypair
    d = store.put(b"content")
    exp = store.create_experiment("e")
    run = store.start_run(exp, "r")
    store.create_model("m")
    v = store.create_model_version("m", d, run)
    bad_pem = public_pem.replace("\n", "\0", 1)
    cat = drift.Profile("categorical").add(["a", "b"])
    report = drift.report({"x": [1.0, 2.0, 3.0]}, {"x": [1.0, 2.0, 4.0]})
    calls = [
        # the store and paths
        lambda: mlops.Store(tmp_path / "s\0x"),
        lambda: mlops.Store(tmp_path / "s2", actor="a\0b"),
        lambda: store.put(str(tmp_path / "f\0")),
        lambda: store.put_file(str(tmp_path / "f\0")),
        lambda: store.get_file(d, str(tmp_path / "out\0x")),
        lambda: store.put_tree(str(tmp_path) + "\0x"),
        lambda: store.get_tree(d, str(tmp_path / "t\0x")),
        lambda: mlops.Digest(str(d) + "\0x"),
        # experiments and runs
        lambda: store.create_experiment("e\0x"),
        lambda: store.get_experiment("e\0x"),
        lambda: store.rename_experiment(exp, "n\0x"),
        lambda: store.set_experiment_tag(exp, "k\0x", "v"),
        lambda: store.set_experiment_tag(exp, "k", "v\0x"),
        lambda: store.delete_experiment_tag(exp, "k\0x"),
        lambda: store.start_run("e\0x"),
        lambda: store.start_run(exp, "r\0x"),
        lambda: store.start_run(exp, user="u\0x"),
        lambda: store.start_run(exp, source="s\0x"),
        lambda: store.start_run(exp, git_commit="abcd\0"),
        lambda: store.start_run(exp, parent=run.id + "\0x"),
        lambda: store.open_run(run.id + "\0x"),
        lambda: store.get_run(run.id + "\0x"),
        lambda: store.delete_run(run.id + "\0x"),
        lambda: store.restore_run(run.id + "\0x"),
        lambda: store.runs("e\0x"),
        lambda: store.metric_history(run.id + "\0x", "m"),
        lambda: store.metric_history(run.id, "m\0x"),
        lambda: store.lineage(run.id + "\0x"),
        lambda: run.log_param("k\0x", "v"),
        lambda: run.log_param("k", "v\0x"),
        lambda: run.log_params({"k\0x": 1}),
        lambda: run.log_params({"k": "v\0x"}),
        lambda: run.log_metric("m\0x", 1.0),
        lambda: run.log_metrics({"m\0x": 1.0}),
        lambda: run.log_metric_arrays({"m\0x": [1.0]}),
        lambda: run.set_tag("k\0x", "v"),
        lambda: run.set_tag("k", "v\0x"),
        lambda: run.delete_tag("k\0x"),
        lambda: run.log_input(d, "n\0x"),
        lambda: run.log_input(d, "n", role="r\0x"),
        lambda: run.log_output(d, "n\0x"),
        # the registry
        lambda: store.create_model("m2", "description\0x"),
        lambda: store.create_model("m2", actor="a\0x"),
        lambda: store.create_model("m2", reason="r\0x"),
        lambda: store.get_model("m\0x"),
        lambda: store.models("m*\0x"),
        lambda: store.models(tags={"k\0x": None}),
        lambda: store.models(tags={"k": "v\0x"}),
        lambda: store.rename_model("m", "n\0x"),
        lambda: store.rename_model("m\0x", "n"),
        lambda: store.delete_model("m\0x"),
        lambda: store.set_model_description("m", "d\0x"),
        lambda: store.set_model_tag("m", "k\0x", "v"),
        lambda: store.set_model_tag("m", "k", "v\0x"),
        lambda: store.delete_model_tag("m", "k\0x"),
        lambda: store.create_model_version("m\0x", d),
        lambda: store.create_model_version("m", d, run.id + "\0x"),
        lambda: store.create_model_version("m", d, None, "d\0x"),
        lambda: store.get_model_version("m\0x", v),
        lambda: store.model_versions("m\0x"),
        lambda: store.set_model_version_description("m", v, "d\0x"),
        lambda: store.set_model_version_status("m\0x", v, "ARCHIVED"),
        lambda: store.set_model_version_tag("m", v, "k\0x", "v"),
        lambda: store.set_model_version_tag("m", v, "k", "v\0x"),
        lambda: store.delete_model_version_tag("m", v, "k\0x"),
        lambda: store.delete_model_version("m\0x", v),
        lambda: store.set_alias("m", "prod\0x", v),
        lambda: store.get_alias("m", "prod\0x"),
        lambda: store.delete_alias("m", "prod\0x"),
        lambda: store.resolve("m@prod\0x"),
        lambda: store.set_alias_policy("m", "prod\0x", [public_pem]),
        lambda: store.set_alias_policy("m", "prod", [bad_pem]),
        lambda: store.delete_alias_policy("m", "prod\0x"),
        lambda: store.get_alias_policy("m", "prod\0x"),
        lambda: store.model_version_manifest("m\0x", v),
        lambda: store.sign_model_version("m", v, private_pem + "\0"),
        lambda: store.verify_model_version("m", v, bad_pem),
        lambda: mlops.key_fingerprint(bad_pem),
        lambda: store.audit_events("m\0x"),
        lambda: store.alias_at("m", "prod\0x", 0),
        lambda: store.model_version_lineage("m\0x", v),
        # drift
        lambda: drift.Profile("categorical").add(["a\0x"]),
        lambda: cat.category_count("a\0x"),
        lambda: cat.compare(["a\0x"]),
        lambda: drift.report({"x\0y": [1.0]}, {"x\0y": [1.0]}),
        lambda: report.to_html(title="t\0x"),
        lambda: report.to_html(reference_name="r\0x"),
        lambda: report.to_html(current_name="c\0x"),
        lambda: report.to_html(category_labels={"x": ["a\0x"]}),
    ]
    before_models = store.models()
    before_refs = store.refs()
    for i, call in enumerate(calls):
        try:
            refused(call)
        except BaseException as e:  # pragma: no cover - names the call
            raise AssertionError(f"call {i} did not refuse its NUL byte: {e!r}") from e
    assert store.models() == before_models and store.refs() == before_refs
    assert [e.name for e in store.experiments()] == ["e"]
    assert store.get_run(run.id).params == {} and store.get_run(run.id).tags.get("k") is None
    assert not os.path.exists(tmp_path / "s")
    run.close()


def test_strings_reach_c_only_through_enc():
    # The one place: a str encoded anywhere else would bypass the check.
    offenders = []
    for name in sorted(os.listdir(PACKAGE)):
        if not name.endswith(".py") or name == "_capi.py":
            continue
        with open(os.path.join(PACKAGE, name), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if re.search(r"\.encode\(|fsencode\(", line):
                    offenders.append(f"{name}:{n}: {line.strip()}")
    assert offenders == [], "use _capi.enc / enc_path for strings passed to C:\n" + \
        "\n".join(offenders)
