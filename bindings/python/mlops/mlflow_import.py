"""Brings an MLflow tracking store's history into an mlops store.

    python -m mlops.mlflow_import SOURCE --store DIR [--json]

SOURCE is an MLflow store: an ``mlruns/`` folder (file store) or a
database URI such as ``sqlite:///mlflow.db``. It is read through MLflow's
own client (``mlflow.MlflowClient``; MLflow must be installed, the store is
opened read-only in spirit: nothing is written to it) and written through
the import calls (doc/import.md): experiments, runs with their ids, status
and times, params, tags, every metric point with its step and timestamp,
each run's artifacts as one tree (the run's output "artifacts", also under
the reference ``mlflow/runs/<id>/artifacts`` as mlops.mlflow_compat keeps
it), registered models, their versions (numbers kept, the artifact
stored) and current aliases. Running it again adds nothing. The report
lists what was imported, what was already there, and what was skipped and
why."""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ._mlflow_artifacts import ref_name
from .errors import Conflict, MlopsError, NotFound
from .store import Store

__all__ = ["Report", "import_mlflow", "main"]

_RUN_ID = re.compile(r"[0-9a-f]{32}")
_STATUSES = ("RUNNING", "FINISHED", "FAILED", "KILLED")


@dataclass
class Report:
    """What an import did: per kind of record, how many were new
    (``imported``) and how many were there already (``present``); and
    each record left out, with the reason (``skipped``)."""

    origin: str
    imported: Dict[str, int] = field(default_factory=dict)
    present: Dict[str, int] = field(default_factory=dict)
    skipped: List[Dict[str, str]] = field(default_factory=list)

    def count(self, kind: str, new: bool, n: int = 1) -> None:
        if n <= 0:
            return
        d = self.imported if new else self.present
        d[kind] = d.get(kind, 0) + n

    def skip(self, what: str, reason: str) -> None:
        self.skipped.append({"what": what, "reason": reason})

    def text(self) -> str:
        kinds = ("experiments", "runs", "metric points", "artifact trees", "models",
                 "model versions", "aliases", "model tags and descriptions")
        lines = [f"import from {self.origin}"]
        for k in kinds:
            lines.append(f"  {k}: {self.imported.get(k, 0)} imported, "
                         f"{self.present.get(k, 0)} already there")
        lines.append(f"  skipped: {len(self.skipped)}")
        lines += [f"    {s['what']}: {s['reason']}" for s in self.skipped]
        return "\n".join(lines)


def _tracking_uri(source: str) -> str:
    if "://" in source or source.startswith("file:"):
        return source
    path = os.path.abspath(source)
    if not os.path.isdir(path):
        raise SystemExit(f"mlflow_import: {source}: no such folder (give an mlruns/ folder "
                         "or a URI such as sqlite:///mlflow.db)")
    # MLflow 3 opens a file store only when allowed (it is in maintenance
    # mode); reading one to migrate it is what that allowance is for.
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    return "file://" + path


def _put(store: Store, path: str) -> Any:
    return store.put_tree(path) if os.path.isdir(path) else store.put_file(path)


class _Importer:
    def __init__(self, client: Any, uri: str, store: Store, origin: str,
                 report: Report) -> None:
        self.c, self.uri, self.s, self.origin, self.r = client, uri, store, origin, report
        self.runs_here: Dict[str, bool] = {}
        self.tmp = tempfile.mkdtemp(prefix="mlops-mlflow-import-")

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- experiments and runs ----

    def experiments(self) -> List[Any]:
        from mlflow.entities import ViewType

        out = []
        token = None
        while True:
            page = self.c.search_experiments(view_type=ViewType.ALL, max_results=1000,
                                             page_token=token)
            out += list(page)
            token = page.token
            if not token:
                return out

    def experiment(self, e: Any) -> bool:
        what = f"experiment {e.name!r} ({e.experiment_id})"
        if e.lifecycle_stage == "deleted":
            self.r.skip(what, "deleted in MLflow: the import calls bring no deleted "
                        "experiment (restore it in MLflow to bring it and its runs)")
            return False
        try:
            self.s.get_experiment(e.name)
            new = False
        except NotFound:
            new = True
        try:
            self.s.import_experiment(e.name, int(e.creation_time or 0), dict(e.tags),
                                     origin=self.origin)
        except Conflict as ex:
            self.r.skip(what, f"an experiment of that name with other content is there, "
                        f"so its runs are not brought either ({ex.message})")
            return False
        self.r.count("experiments", new)
        return True

    def runs(self, e: Any) -> List[Any]:
        from mlflow.entities import ViewType

        out = []
        token = None
        while True:
            page = self.c.search_runs([e.experiment_id], run_view_type=ViewType.ALL,
                                      max_results=1000, page_token=token)
            out += list(page)
            token = page.token
            if not token:
                return out

    def logged_models(self, e: Any) -> None:
        # MLflow 3's LoggedModel records (mlflow.<flavor>.log_model) have
        # no counterpart here; a registered version of one comes with the
        # registry, its artifact stored.
        search = getattr(self.c, "search_logged_models", None)
        if search is None:
            return
        try:
            n = len(search(experiment_ids=[e.experiment_id], max_results=1000))
        except Exception:  # a store without LoggedModel support
            return
        if n:
            self.r.skip(f"experiment {e.name!r}: {n} logged model(s)",
                        "MLflow 3 LoggedModel records are not brought; register a model "
                        "version from one to bring its artifact")

    def run(self, exp_name: str, run: Any) -> None:
        info, data = run.info, run.data
        rid = info.run_id
        what = f"run {rid}"
        if not _RUN_ID.fullmatch(rid):
            self.r.skip(what, "its id is not 32 lowercase hex digits")
            return
        if info.status not in _STATUSES:
            self.r.skip(what, f"status {info.status}: only RUNNING, FINISHED, FAILED and "
                        "KILLED runs are brought")
            return
        parent = data.tags.get("mlflow.parentRunId")
        if parent is not None and not self.runs_here.get(parent):
            self.r.skip(what, f"its parent run {parent} was not brought")
            return
        try:
            self.s.get_run(rid)
            new = False
        except NotFound:
            new = True
        end = int(info.end_time or 0)
        deleted = 0
        if info.lifecycle_stage == "deleted":
            # MLflow's run entity has no deletion time: its last time stands in.
            deleted = max(end, int(info.start_time or 0)) or 1
        try:
            self.s.import_run(rid, exp_name, status=info.status, start_ms=int(info.start_time or 0),
                              end_ms=end, name=info.run_name, parent_id=parent,
                              deleted_ms=deleted, params=dict(data.params),
                              tags=dict(data.tags), origin=self.origin)
        except Conflict as ex:
            self.r.skip(what, f"a run with this id and other content is there ({ex.message})")
            return
        except MlopsError as ex:  # a key or value MLflow took and the store does not
            self.r.skip(what, f"the store refuses it ({ex.message})")
            return
        self.runs_here[rid] = True
        self.r.count("runs", new)
        self.metrics(rid, sorted(data.metrics))
        self.artifacts(rid, info, what)
        if getattr(run, "inputs", None) is not None and run.inputs.dataset_inputs:
            self.r.skip(f"{what} dataset inputs", f"{len(run.inputs.dataset_inputs)} dataset "
                        "record(s): MLflow keeps a dataset's description, not its data, and "
                        "a lineage input names stored content")

    def metrics(self, rid: str, keys: List[str]) -> None:
        for key in keys:
            hist = self.c.get_metric_history(rid, key)
            pts = [(key, m.value, m.step, m.timestamp) for m in hist]
            try:
                added = self.s.import_metrics(rid, pts, origin=self.origin)
            except MlopsError as ex:  # a key MLflow took and the store does not
                self.r.skip(f"run {rid} metric {key!r}", f"the store refuses it "
                            f"({ex.message}): its {len(pts)} point(s) are not brought")
                continue
            self.r.count("metric points", True, added)
            self.r.count("metric points", False, len(pts) - added)

    def artifacts(self, rid: str, info: Any, what: str) -> None:
        try:
            listed = self.c.list_artifacts(rid)
        except Exception as ex:  # the artifact location is unreachable
            self.r.skip(f"{what} artifacts", f"cannot list them: {ex}")
            return
        if not listed:
            return
        d = os.path.join(self.tmp, rid)
        try:
            local = self.c.download_artifacts(rid, "", d)
            digest = self.s.put_tree(local)
        except Exception as ex:
            self.r.skip(f"{what} artifacts", f"cannot read them: {ex}")
            return
        finally:
            shutil.rmtree(d, ignore_errors=True)
        new = digest not in {e.digest for e in self.s.lineage(rid) if e.name == "artifacts"}
        when = int(info.end_time or info.start_time or 0)
        try:
            self.s.import_lineage(rid, "output", digest, "artifacts", "artifacts", when,
                                  origin=self.origin)
        except Conflict as ex:
            self.r.skip(f"{what} artifacts", f"another artifact tree was recorded "
                        f"({ex.message})")
            return
        self.s.set_ref(ref_name(rid), digest)
        self.r.count("artifact trees", new)

    # ---- registry ----

    def models(self) -> None:
        token = None
        while True:
            page = self.c.search_registered_models(max_results=1000, page_token=token)
            for m in page:
                self.model(m)
            token = page.token
            if not token:
                return

    def model(self, m: Any) -> None:
        name = m.name
        versions = sorted(self.c.search_model_versions(f"name='{name}'"),
                          key=lambda v: int(v.version))
        try:
            self.s.get_model(name)
            self.r.count("models", False)
        except NotFound:
            if not versions:
                self.s.create_model(name, m.description or None, reason=f"import from "
                                    f"{self.origin}")
            self.r.count("models", True)
        brought = set()
        for v in versions:
            if self.version(name, v):
                brought.add(int(v.version))
        self.model_meta(m)
        for alias, number in sorted((m.aliases or {}).items()):
            number = int(number)
            if number not in brought:
                self.r.skip(f"alias {name}@{alias}", f"its version {number} was not brought")
                continue
            try:
                new = self.s.get_alias(name, alias) != number
            except NotFound:
                new = True
            # MLflow keeps an alias's target, not when it was set: the
            # model's last update stands in for that time.
            when = max(int(m.last_updated_timestamp or 0),
                       max(int(v.creation_timestamp or 0) for v in versions))
            try:
                self.s.import_alias(name, alias, number, when, origin=self.origin)
            except (Conflict, MlopsError) as ex:
                self.r.skip(f"alias {name}@{alias}", ex.message)
                continue
            self.r.count("aliases", new)

    def model_meta(self, m: Any) -> None:
        # Descriptions and tags have no import call: set as ordinary
        # changes, only when they differ (so a second import adds nothing).
        cur = self.s.get_model(m.name)
        reason = f"import from {self.origin}"
        if (m.description or "") != cur.description:
            self.s.set_model_description(m.name, m.description or None, reason=reason)
            self.r.count("model tags and descriptions", True)
        for k, v in sorted((m.tags or {}).items()):
            if cur.tags.get(k) != v:
                self.s.set_model_tag(m.name, k, v, reason=reason)
                self.r.count("model tags and descriptions", True)

    def version(self, name: str, v: Any) -> bool:
        what = f"version {name}/{v.version}"
        if v.status != "READY":
            self.r.skip(what, f"status {v.status}: only READY versions are brought")
            return False
        rid = v.run_id if v.run_id and self.runs_here.get(v.run_id) else None
        if v.run_id and rid is None:
            self.r.skip(f"{what} run link", f"run {v.run_id} was not brought: the version "
                        "comes without its run")
        try:
            existing = self.s.get_model_version(name, int(v.version))
        except NotFound:
            existing = None
        if existing is not None:
            digest = existing.artifact
        else:
            import mlflow.artifacts

            d = os.path.join(self.tmp, "version")
            try:
                uri = self.c.get_model_version_download_uri(name, v.version)
                local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=d,
                                                            tracking_uri=self.uri)
                digest = _put(self.s, local)
            except Exception as ex:
                self.r.skip(what, f"its artifact {v.source!r} cannot be read: {ex}")
                return False
            finally:
                shutil.rmtree(d, ignore_errors=True)
        tags = dict(v.tags or {})
        tags.setdefault("mlflow.source", v.source)
        try:
            self.s.import_model_version(name, int(v.version), digest,
                                        created_ms=int(v.creation_timestamp or 0), run_id=rid,
                                        description=v.description or None,
                                        creator=v.user_id or None, tags=tags,
                                        origin=self.origin)
        except Conflict as ex:
            self.r.skip(what, f"that number holds another version here ({ex.message})")
            return False
        self.r.count("model versions", existing is None)
        return True


def import_mlflow(source: str, store: Store, *, origin: Optional[str] = None) -> Report:
    """Imports MLflow store ``source`` (an mlruns/ folder or a tracking
    URI) into ``store``; returns the report."""
    try:
        from mlflow import MlflowClient
    except ImportError:
        raise SystemExit("mlflow_import reads the MLflow store through MLflow's own client: "
                         "pip install mlflow (or mlflow-skinny with sqlalchemy and alembic "
                         "for sqlite:// stores)") from None
    uri = _tracking_uri(source)
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    report = Report(origin or f"mlflow:{uri}")
    imp = _Importer(client, uri, store, report.origin, report)
    try:
        all_runs = []
        for e in imp.experiments():
            if imp.experiment(e):
                all_runs += [(e.name, r) for r in imp.runs(e)]
                imp.logged_models(e)
        # Parents before their children, whatever their experiments.
        ids = {r.info.run_id for _, r in all_runs}
        done: set = set()
        pending = all_runs
        while pending:
            later = []
            for exp_name, r in pending:
                parent = r.data.tags.get("mlflow.parentRunId")
                if parent in ids and parent not in done:
                    later.append((exp_name, r))
                    continue
                imp.run(exp_name, r)
                done.add(r.info.run_id)
            if len(later) == len(pending):  # a cycle: import them, the parent check skips
                for exp_name, r in later:
                    imp.run(exp_name, r)
                break
            pending = later
        imp.models()
    finally:
        imp.close()
    return report


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m mlops.mlflow_import",
                                description="Bring an MLflow tracking store's history into an "
                                "mlops store (a second run adds nothing).")
    p.add_argument("source", help="an mlruns/ folder or a URI such as sqlite:///mlflow.db")
    p.add_argument("--store", required=True, help="the mlops store folder (created when "
                   "missing)")
    p.add_argument("--origin", help="the origin recorded in the audit log (default: "
                   "mlflow:<tracking URI>)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    a = p.parse_args(argv)
    with Store(a.store) as s:
        rep = import_mlflow(a.source, s, origin=a.origin)
    if a.json:
        print(json.dumps({"origin": rep.origin, "imported": rep.imported,
                          "present": rep.present, "skipped": rep.skipped}, indent=2))
    else:
        print(rep.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
