"""MLflow's fluent tracking API over an mlops store.

    import mlops.mlflow_compat as mlflow

    mlflow.set_tracking_uri("my-store")        # an mlops store folder
    mlflow.set_experiment("churn")
    with mlflow.start_run(run_name="trial-1"):
        mlflow.log_params({"lr": 0.01})
        mlflow.log_metric("loss", 0.25, step=1)
        mlflow.log_dict({"layers": 3}, "config.json")

The names, arguments, return types and errors are MLflow's (tracking
subset; see doc/python.md, "Coming from MLflow", for what differs). MLflow
itself is never imported: this module needs only mlops (and pandas for
search_runs' DataFrame)."""
from __future__ import annotations

import atexit
import getpass
import json
import numbers
import os
import random
import re
import sys
import tempfile
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from . import _mlflow_entities as entities
from . import _mlflow_filter
from ._mlflow_artifacts import ArtifactTrees, split_runs_uri
from ._mlflow_entities import (
    DatasetInput,
    Experiment,
    FileInfo,
    Metric,
    MlflowException,
    ModelVersion,
    PagedList,
    Param,
    RegisteredModel,
    Run,
    RunData,
    RunInfo,
    RunInputs,
    RunStatus,
    RunTag,
    ViewType,
)
from .digest import Digest
from .errors import AlreadyExists, Conflict, InvalidArgument, MlopsError, NotFound
from .store import Store
from .track import RunInfo as _MlopsRunInfo

exceptions = entities  # mlflow.exceptions.MlflowException
__all__ = [
    "MlflowClient", "MlflowException", "ActiveRun", "entities", "exceptions", "data",
    "set_tracking_uri", "get_tracking_uri", "set_experiment", "get_experiment",
    "get_experiment_by_name", "create_experiment", "start_run", "active_run",
    "last_active_run", "end_run", "log_param", "log_params", "log_metric", "log_metrics",
    "set_tag", "set_tags", "delete_tag", "log_artifact", "log_artifacts", "log_dict",
    "log_text", "log_input", "get_run", "search_runs", "register_model",
    "get_artifact_uri", "ViewType", "RunStatus",
]

#: The store used when no tracking URI is set (nor MLFLOW_TRACKING_URI).
DEFAULT_STORE = "mlops-store"
DEFAULT_EXPERIMENT = "Default"
_RUN_ID = re.compile(r"[0-9a-f]{32}")
_ORIGIN_TAGS = ("mlflow.user", "mlflow.source.name", "mlflow.source.type")


# ---- stores ---------------------------------------------------------------------------


class _Backend:
    """One open store, its artifact trees and the live run handles of this
    process (one per run, shared by every client on the store)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.store = Store(path)
        self.trees = ArtifactTrees(self.store)
        self.handles: Dict[str, Any] = {}
        self.lock = threading.Lock()

    def handle(self, run_id: str) -> Any:
        with self.lock:
            h = self.handles.get(run_id)
            if h is None or h.closed:
                with _errors(run_id=run_id):
                    h = self.store.open_run(run_id)
                self.handles[run_id] = h
            return h

    def drop(self, run_id: str) -> None:
        with self.lock:
            h = self.handles.pop(run_id, None)
        if h is not None:
            h.close()


_backends: Dict[str, _Backend] = {}
_backends_lock = threading.Lock()
_tracking_uri: Optional[str] = None
_active_experiment: Optional[Tuple[str, str]] = None  # (store path, experiment id)
_local = threading.local()
_last_active: Optional[str] = None


def _store_path(uri: Optional[str]) -> str:
    """The store folder a tracking URI names (file:// or a plain path)."""
    if uri is None:
        uri = get_tracking_uri()
    if uri.startswith("file://"):
        uri = uri[len("file://"):]
    elif uri.startswith("file:"):
        uri = uri[len("file:"):]
    elif "://" in uri or uri in ("databricks", "databricks-uc"):
        raise MlflowException(
            f"Tracking URI {uri!r} is not an mlops store: mlops.mlflow_compat logs into an "
            "mlops store, named by its folder (set_tracking_uri('path/to/store')); to bring an "
            "MLflow store's history in, run python -m mlops.mlflow_import SOURCE --store DIR",
            "INVALID_PARAMETER_VALUE")
    return os.path.abspath(uri)


def _backend(uri: Optional[str] = None) -> _Backend:
    path = _store_path(uri)
    with _backends_lock:
        b = _backends.get(path)
        if b is None:
            b = _backends[path] = _Backend(path)
        return b


class _errors:
    """Turns the store's errors into MlflowException with MLflow's codes."""

    def __init__(self, run_id: Optional[str] = None, what: Optional[str] = None) -> None:
        self.run_id, self.what = run_id, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is None or not isinstance(exc, MlopsError):
            return
        # A malformed run id names no run: MLflow says "not found" too.
        malformed = self.run_id is not None and not _RUN_ID.fullmatch(self.run_id)
        if isinstance(exc, NotFound) or (malformed and isinstance(exc, InvalidArgument)):
            if self.run_id and self.what is None:
                raise MlflowException(f"Run with id={self.run_id} not found",
                                      "RESOURCE_DOES_NOT_EXIST") from exc
            raise MlflowException(f"{self.what or 'Resource'} not found: {exc.message}",
                                  "RESOURCE_DOES_NOT_EXIST") from exc
        code = {AlreadyExists: "RESOURCE_ALREADY_EXISTS", Conflict: "INVALID_STATE",
                InvalidArgument: "INVALID_PARAMETER_VALUE"}.get(type(exc), "INTERNAL_ERROR")
        raise MlflowException(exc.message, code) from exc


# ---- conversions ----------------------------------------------------------------------


def _experiment(b: _Backend, e: Any) -> Experiment:
    return Experiment(str(e.id), e.name, f"mlops:{b.path}", "deleted" if e.deleted_ms else
                      "active", dict(e.tags), e.created_ms, e.updated_ms)


def _run(ri: _MlopsRunInfo) -> Run:
    info = RunInfo(
        run_id=ri.id, experiment_id=str(ri.experiment_id), run_name=ri.name,
        user_id=ri.tags.get("mlflow.user", ri.tags.get("mlops.user", "")), status=ri.status,
        start_time=ri.start_ms, end_time=ri.end_ms or None, artifact_uri=f"runs:/{ri.id}",
        lifecycle_stage="deleted" if ri.deleted_ms else "active")
    data = RunData(metrics={k: m.last for k, m in ri.metrics.items()}, params=dict(ri.params),
                   tags=dict(ri.tags))
    inputs = RunInputs([DatasetInput(e.name, str(e.digest), e.role) for e in ri.inputs])
    return Run(info, data, inputs)


def _version(b: _Backend, v: Any, aliases: Optional[Dict[str, int]] = None) -> ModelVersion:
    source = v.tags.get("mlflow.source", str(v.artifact))
    tags = {k: t for k, t in v.tags.items() if k != "mlflow.source"}
    if aliases is None:
        aliases = b.store.get_model(v.model).aliases
    return ModelVersion(
        name=v.model, version=v.version, creation_timestamp=v.created_ms,
        last_updated_timestamp=v.updated_ms, description=v.description, user_id=v.creator,
        current_stage="None", source=source, run_id=v.run_id, status="READY", tags=tags,
        aliases=sorted(a for a, n in aliases.items() if n == v.version))


def _check_metric(key: str, value: Any, step: Any, timestamp: Any) -> Tuple[float, int, int]:
    if not isinstance(value, numbers.Number) or isinstance(value, complex):
        raise MlflowException(
            f'Invalid value "{value}" for parameter \'value\' supplied: (timestamp={timestamp}). '
            "Please specify value as a valid double (64-bit floating point)",
            "INVALID_PARAMETER_VALUE")
    if timestamp is None:
        timestamp = time.time_ns() // 1_000_000
    if step is None:
        step = 0
    if not isinstance(step, numbers.Integral):
        raise MlflowException(f"Invalid value {step!r} for parameter 'step' supplied: "
                              "it must be an integer", "INVALID_PARAMETER_VALUE")
    return float(value), int(step), int(timestamp)


_ADJ = ("amber", "brisk", "calm", "daring", "eager", "gentle", "humble", "lively", "merry",
        "nimble", "quiet", "rustic", "silent", "tidy", "vivid", "witty")
_NOUN = ("badger", "crane", "dove", "finch", "gull", "heron", "ibis", "lark", "mole", "newt",
         "otter", "owl", "robin", "seal", "stork", "wren")


def _run_name() -> str:
    # A generated run name, as MLflow gives a run started without one.
    r = random.SystemRandom()
    return f"{r.choice(_ADJ)}-{r.choice(_NOUN)}-{r.randrange(1000)}"


# ---- the client ------------------------------------------------------------------------


class MlflowClient:
    """MLflow's lower-level client on an mlops store (``tracking_uri``: the
    store's folder; default: the current tracking URI)."""

    def __init__(self, tracking_uri: Optional[str] = None,
                 registry_uri: Optional[str] = None) -> None:
        self._b = _backend(tracking_uri)
        self._tracking_uri = self._b.path

    @property
    def tracking_uri(self) -> str:
        return self._tracking_uri

    @property
    def _store(self) -> Store:
        return self._b.store

    # ---- experiments ----

    def create_experiment(self, name: str, artifact_location: Optional[str] = None,
                          tags: Optional[Dict[str, Any]] = None) -> str:
        if not name:
            raise MlflowException("Invalid experiment name: ''", "INVALID_PARAMETER_VALUE")
        try:
            e = self._store.create_experiment(name)
        except AlreadyExists:
            raise MlflowException(f"Experiment(name={name}) already exists.",
                                  "RESOURCE_ALREADY_EXISTS") from None
        for k, v in (tags or {}).items():
            self._store.set_experiment_tag(e.id, k, str(v))
        return str(e.id)

    def _experiment_id(self, experiment_id: Any) -> int:
        try:
            return int(experiment_id)
        except (TypeError, ValueError):
            raise MlflowException(f"No Experiment with id={experiment_id} exists",
                                  "RESOURCE_DOES_NOT_EXIST") from None

    def get_experiment(self, experiment_id: str) -> Experiment:
        with _errors(what=f"Experiment id={experiment_id}"):
            try:
                return _experiment(self._b, self._store.get_experiment(
                    self._experiment_id(experiment_id)))
            except NotFound:
                raise MlflowException(f"No Experiment with id={experiment_id} exists",
                                      "RESOURCE_DOES_NOT_EXIST") from None

    def get_experiment_by_name(self, name: str) -> Optional[Experiment]:
        try:
            return _experiment(self._b, self._store.get_experiment(name))
        except NotFound:
            return None

    def search_experiments(self, view_type: int = ViewType.ACTIVE_ONLY,
                           max_results: Optional[int] = None, filter_string: Optional[str] = None,
                           order_by: Optional[List[str]] = None,
                           page_token: Optional[str] = None) -> PagedList:
        if filter_string or order_by:
            raise MlflowException("search_experiments takes no filter_string or order_by in "
                                  "mlops.mlflow_compat", "INVALID_PARAMETER_VALUE")
        exps = [_experiment(self._b, e) for e in
                self._store.experiments(ViewType.lifecycle(view_type))]
        return PagedList(exps[:max_results] if max_results else exps, None)

    def delete_experiment(self, experiment_id: str) -> None:
        with _errors(what=f"Experiment id={experiment_id}"):
            self._store.delete_experiment(self._experiment_id(experiment_id))

    def restore_experiment(self, experiment_id: str) -> None:
        with _errors(what=f"Experiment id={experiment_id}"):
            self._store.restore_experiment(self._experiment_id(experiment_id))

    def rename_experiment(self, experiment_id: str, new_name: str) -> None:
        with _errors(what=f"Experiment id={experiment_id}"):
            self._store.rename_experiment(self._experiment_id(experiment_id), new_name)

    def set_experiment_tag(self, experiment_id: str, key: str, value: Any) -> None:
        with _errors(what=f"Experiment id={experiment_id}"):
            self._store.set_experiment_tag(self._experiment_id(experiment_id), key, str(value))

    # ---- runs ----

    def create_run(self, experiment_id: str, start_time: Optional[int] = None,
                   tags: Optional[Dict[str, Any]] = None,
                   run_name: Optional[str] = None) -> Run:
        """Starts a run (RUNNING) in experiment ``experiment_id``."""
        tags = {k: str(v) for k, v in (tags or {}).items()}
        name = run_name or tags.get("mlflow.runName") or _run_name()
        tags["mlflow.runName"] = name
        exp = self.get_experiment(experiment_id)
        if exp.lifecycle_stage == "deleted":
            raise MlflowException(f"The experiment {experiment_id} must be in the 'active' "
                                  "state. Current state is deleted.", "INVALID_PARAMETER_VALUE")
        with _errors(what="Parent run"):
            h = self._store.start_run(int(exp.experiment_id), name,
                                      parent=tags.get("mlflow.parentRunId"),
                                      user=tags.get("mlflow.user"),
                                      source=tags.get("mlflow.source.name"),
                                      start_ms=start_time)
        with self._b.lock:
            self._b.handles[h.id] = h
        for k, v in tags.items():
            h.set_tag(k, v)
        return self.get_run(h.id)

    def get_run(self, run_id: str) -> Run:
        with _errors(run_id=run_id):
            return _run(self._store.get_run(run_id))

    def _live(self, run_id: str) -> Any:
        return self._b.handle(run_id)

    def log_param(self, run_id: str, key: str, value: Any, synchronous: Any = None) -> Any:
        v = value if isinstance(value, str) else str(value)
        h = self._live(run_id)
        with _errors(run_id=run_id):  # a key or value the store refuses
            try:
                h.log_param(key, v)
            except Conflict:
                self._param_conflict(run_id, {key: v})
        return value

    def _param_conflict(self, run_id: str, params: Dict[str, str]) -> None:
        # A Conflict logging params: another value (MLflow's message), or
        # a run that ended or was deleted.
        ri = self._store.get_run(run_id)
        for k, v in params.items():
            old = ri.params.get(k)
            if old is not None and old != v:
                raise MlflowException(
                    f"Changing param values is not allowed. Param with key='{k}' was already "
                    f"logged with value='{old}' for run ID='{run_id}'. Attempted logging new "
                    f"value '{v}'.", "INVALID_PARAMETER_VALUE")
        self._not_running(run_id, ri)

    def _not_running(self, run_id: str, ri: Any = None) -> None:
        ri = ri or self._store.get_run(run_id)
        if ri.deleted_ms:
            raise MlflowException(f"The run {run_id} must be in the 'active' state. "
                                  "Current state is deleted.", "INVALID_PARAMETER_VALUE")
        raise MlflowException(f"The run {run_id} has ended ({ri.status}): mlops runs take "
                              "params, metrics and artifacts only while RUNNING",
                              "INVALID_STATE")

    def log_metric(self, run_id: str, key: str, value: float, timestamp: Optional[int] = None,
                   step: Optional[int] = None, synchronous: Any = None, **_: Any) -> None:
        v, s, ts = _check_metric(key, value, step, timestamp)
        h = self._live(run_id)
        with _errors(run_id=run_id):
            try:
                h.log_metric(key, v, s, ts)
            except Conflict:
                self._not_running(run_id)

    def log_batch(self, run_id: str, metrics: Sequence[Metric] = (),
                  params: Sequence[Param] = (), tags: Sequence[RunTag] = (),
                  synchronous: Any = None) -> None:
        # The whole batch is checked before anything is written, as MLflow
        # does: a refused batch leaves the run unchanged.
        pts = [(m.key,) + _check_metric(m.key, m.value, m.step, m.timestamp)
               for m in metrics]
        keys = [p.key for p in params]
        dupes = [k for i, k in enumerate(keys) if k in keys[:i]]
        if dupes:
            raise MlflowException(
                f"Duplicate parameter keys have been submitted: {dupes}. Please ensure the "
                "request contains only one param value per param key.",
                "INVALID_PARAMETER_VALUE")
        h = self._live(run_id)
        pv = {p.key: p.value if isinstance(p.value, str) else str(p.value) for p in params}
        with _errors(run_id=run_id):
            self._write_batch(run_id, h, pv, pts)
        for t in tags:
            self.set_tag(run_id, t.key, t.value)

    def _write_batch(self, run_id: str, h: Any, pv: Dict[str, str],
                     pts: List[Tuple[str, float, int, int]]) -> None:
        if pv:
            try:
                h.log_params(pv)
            except Conflict:
                self._param_conflict(run_id, pv)
        if pts:
            # One transaction per (step, timestamp) group of points.
            groups: Dict[Tuple[int, int], Dict[str, float]] = {}
            ordered: List[Tuple[str, float, int, int]] = []
            for k, v, s, ts in pts:
                g = groups.setdefault((s, ts), {})
                if k in g:
                    ordered.append((k, v, s, ts))
                else:
                    g[k] = v
            try:
                for (s, ts), g in groups.items():
                    h.log_metrics(g, step=s, timestamp_ms=ts)
                for k, v, s, ts in ordered:
                    h.log_metric(k, v, s, ts)
            except Conflict:
                self._not_running(run_id)

    def set_tag(self, run_id: str, key: str, value: Any, synchronous: Any = None) -> None:
        with _errors(run_id=run_id):
            self._live(run_id).set_tag(key, str(value))

    def delete_tag(self, run_id: str, key: str) -> None:
        try:
            self._live(run_id).delete_tag(key)
        except NotFound:
            raise MlflowException(f"No tag with name: {key} in run with id {run_id}",
                                  "RESOURCE_DOES_NOT_EXIST") from None

    def set_terminated(self, run_id: str, status: Optional[str] = None,
                       end_time: Optional[int] = None) -> None:
        """Ends the run (FINISHED by default). The end time is now:
        ``end_time`` is not used."""
        status = status or "FINISHED"
        RunStatus.from_string(status)
        h = self._live(run_id)
        cur = self.current_artifacts(run_id)
        try:
            if cur is not None:
                h.log_output(cur, "artifacts", "artifacts")
            h.end(status)
        except Conflict:
            self._not_running(run_id)
        finally:
            self._b.drop(run_id)
            self._b.trees.forget(run_id)

    def current_artifacts(self, run_id: str) -> Optional[Digest]:
        """The digest of the run's artifact tree (None: no artifacts);
        an mlops addition."""
        return self._b.trees.current(run_id)

    def delete_run(self, run_id: str) -> None:
        with _errors(run_id=run_id):
            self._store.delete_run(run_id)

    def restore_run(self, run_id: str) -> None:
        with _errors(run_id=run_id):
            self._store.restore_run(run_id)

    def get_metric_history(self, run_id: str, key: str) -> List[Metric]:
        with _errors(run_id=run_id):
            self._store.get_run(run_id)
        try:
            h = self._store.metric_history(run_id, key)
        except NotFound:
            return []
        return [Metric(key, float(v), int(t), int(s))
                for v, s, t in zip(h.values, h.steps, h.timestamps_ms)]

    def search_runs(self, experiment_ids: Sequence[str], filter_string: str = "",
                    run_view_type: int = ViewType.ACTIVE_ONLY, max_results: int = 1000,
                    order_by: Optional[List[str]] = None,
                    page_token: Optional[str] = None) -> PagedList:
        flt = _mlflow_filter.translate_filter(filter_string)
        order = _mlflow_filter.translate_order_by(order_by)
        exps = [self._experiment_id(e) for e in experiment_ids]
        with _errors():
            page = self._store.search_runs(flt, order_by=order, experiments=exps,
                                           max_results=max_results, page_token=page_token,
                                           lifecycle=ViewType.lifecycle(run_view_type))
        return PagedList([_run(r) for r in page], page.next_page_token)

    # ---- artifacts ----

    def _add_artifact(self, run_id: str, local_path: str, artifact_path: Optional[str],
                      contents_only: bool) -> None:
        ri = self.get_run(run_id)
        if ri.info.lifecycle_stage == "deleted":
            self._not_running(run_id)
        # A running run records its tree as its output when it ends
        # (set_terminated); an ended run's tree moves under its reference.
        self._b.trees.add(run_id, local_path, artifact_path, contents_only=contents_only)

    def log_artifact(self, run_id: str, local_path: str,
                     artifact_path: Optional[str] = None) -> None:
        self._add_artifact(run_id, local_path, artifact_path, False)

    def log_artifacts(self, run_id: str, local_dir: str,
                      artifact_path: Optional[str] = None) -> None:
        self._add_artifact(run_id, local_dir, artifact_path, True)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        self._log_file(run_id, text, artifact_file)

    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> None:
        ext = os.path.splitext(artifact_file)[1].lower()
        if ext in (".yml", ".yaml"):
            try:
                import yaml  # type: ignore[import-untyped]
            except ImportError:
                raise MlflowException("log_dict to a YAML file needs PyYAML (pip install "
                                      "pyyaml)", "INVALID_PARAMETER_VALUE") from None
            text = yaml.dump(dictionary, indent=2, default_flow_style=False)
        else:
            text = json.dumps(dictionary, indent=2)
        self.log_text(run_id, text, artifact_file)

    def _log_file(self, run_id: str, text: str, artifact_file: str) -> None:
        head, name = os.path.split(artifact_file.replace("/", os.sep))
        if not name:
            raise MlflowException(f"Invalid artifact file {artifact_file!r}",
                                  "INVALID_PARAMETER_VALUE")
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, name)
            with open(p, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            self._add_artifact(run_id, p, head or None, False)

    def list_artifacts(self, run_id: str, path: Optional[str] = None) -> List[FileInfo]:
        return self._b.trees.list(run_id, path)

    def download_artifacts(self, run_id: str, path: str, dst_path: Optional[str] = None) -> str:
        return self._b.trees.download(run_id, path, dst_path or tempfile.mkdtemp())

    def log_inputs(self, run_id: str, datasets: Optional[Sequence[Any]] = None,
                   models: Any = None) -> None:
        for di in datasets or ():
            ds = getattr(di, "dataset", di)
            context = None
            for t in getattr(di, "tags", None) or ():
                if getattr(t, "key", None) == "mlflow.data.context":
                    context = t.value
            self._log_dataset(run_id, ds, context)

    def _log_dataset(self, run_id: str, dataset: Any, context: Optional[str]) -> None:
        from . import _mlflow_data
        name, blob = _mlflow_data.content(dataset)
        digest = self._store.put(blob)
        try:
            self._live(run_id).log_input(digest, name, context or "dataset")
        except Conflict:
            ri = self._store.get_run(run_id)
            if ri.status == "RUNNING" and not ri.deleted_ms:
                raise MlflowException(f"Dataset {name!r} was logged to run {run_id} with "
                                      "another context", "INVALID_PARAMETER_VALUE") from None
            self._not_running(run_id, ri)

    # ---- registry ----

    def create_registered_model(self, name: str, tags: Optional[Dict[str, Any]] = None,
                                description: Optional[str] = None) -> RegisteredModel:
        try:
            self._store.create_model(name, description)
        except AlreadyExists:
            raise MlflowException(f"Registered Model (name={name}) already exists.",
                                  "RESOURCE_ALREADY_EXISTS") from None
        for k, v in (tags or {}).items():
            self._store.set_model_tag(name, k, str(v))
        return self.get_registered_model(name)

    def get_registered_model(self, name: str) -> RegisteredModel:
        try:
            m = self._store.get_model(name)
        except NotFound:
            raise MlflowException(f"Registered Model with name={name} not found",
                                  "RESOURCE_DOES_NOT_EXIST") from None
        versions = self._store.model_versions(name)
        latest = [_version(self._b, versions[-1], m.aliases)] if versions else []
        return RegisteredModel(name, m.created_ms, m.updated_ms, m.description, dict(m.tags),
                               dict(m.aliases), latest)

    def search_registered_models(self, filter_string: Optional[str] = None,
                                 max_results: int = 100, order_by: Any = None,
                                 page_token: Optional[str] = None) -> PagedList:
        if filter_string or order_by:
            raise MlflowException("search_registered_models takes no filter_string or "
                                  "order_by in mlops.mlflow_compat", "INVALID_PARAMETER_VALUE")
        return PagedList([self.get_registered_model(m.name) for m in self._store.models()],
                         None)

    def _artifact_of(self, source: str, run_id: Optional[str]) -> Tuple[Digest, Optional[str]]:
        if source.startswith("runs:/"):
            rid, path = split_runs_uri(source)
            self.get_run(rid)
            return self._b.trees.digest_of(rid, path), run_id or rid
        if source.startswith("sha256:"):
            return Digest(source), run_id
        path = source[len("file://"):] if source.startswith("file://") else source
        if os.path.isdir(path):
            return self._store.put_tree(path), run_id
        if os.path.isfile(path):
            return self._store.put_file(path), run_id
        raise MlflowException(f"Model source {source!r} is not a runs:/ URI, a digest or a "
                              "local path", "INVALID_PARAMETER_VALUE")

    def create_model_version(self, name: str, source: str, run_id: Optional[str] = None,
                             tags: Optional[Dict[str, Any]] = None,
                             run_link: Optional[str] = None,
                             description: Optional[str] = None,
                             await_creation_for: int = 300, **_: Any) -> ModelVersion:
        digest, rid = self._artifact_of(source, run_id)
        try:
            self._store.get_model(name)
        except NotFound:
            raise MlflowException(f"Registered Model with name={name} not found",
                                  "RESOURCE_DOES_NOT_EXIST") from None
        with _errors():
            n = self._store.create_model_version(name, digest, rid, description=description)
            self._store.set_model_version_tag(name, n, "mlflow.source", source)
            for k, val in (tags or {}).items():
                self._store.set_model_version_tag(name, n, k, str(val))
        return self.get_model_version(name, n)

    def get_model_version(self, name: str, version: Any) -> ModelVersion:
        try:
            return _version(self._b, self._store.get_model_version(name, int(version)))
        except (NotFound, ValueError):
            raise MlflowException(f"Model Version (name={name}, version={version}) not found",
                                  "RESOURCE_DOES_NOT_EXIST") from None

    def search_model_versions(self, filter_string: Optional[str] = None,
                              max_results: int = 10000, order_by: Any = None,
                              page_token: Optional[str] = None) -> PagedList:
        """Versions of the models named in ``filter_string`` ("name='m'"),
        or of every model; "run_id='...'" selects by run."""
        name = run = None
        if filter_string:
            m = re.fullmatch(r"\s*(name|run_id)\s*=\s*(['\"])(.*)\2\s*", filter_string)
            if m is None:
                raise MlflowException(f"Filter {filter_string!r}: mlops.mlflow_compat takes "
                                      "name='...' or run_id='...' here",
                                      "INVALID_PARAMETER_VALUE")
            if m.group(1) == "name":
                name = m.group(3)
            else:
                run = m.group(3)
        names = [name] if name else [mm.name for mm in self._store.models()]
        out: List[ModelVersion] = []
        for n in names:
            try:
                vs = self._store.model_versions(n)
                aliases = self._store.get_model(n).aliases
            except NotFound:
                continue
            out += [_version(self._b, v, aliases) for v in reversed(vs)
                    if run is None or v.run_id == run]
        return PagedList(out[:max_results], None)

    def set_registered_model_alias(self, name: str, alias: str, version: Any) -> None:
        with _errors(what=f"Model Version (name={name}, version={version})"):
            self._store.set_alias(name, alias, int(version))

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        with _errors(what=f"Alias {alias} of model {name}"):
            self._store.delete_alias(name, alias)

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        try:
            n = self._store.get_alias(name, alias)
        except NotFound:
            raise MlflowException(f"Registered model alias {alias} not found.",
                                  "INVALID_PARAMETER_VALUE") from None
        return self.get_model_version(name, n)

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        with _errors(what=f"Registered Model {name}"):
            self._store.set_model_tag(name, key, str(value))

    def set_model_version_tag(self, name: str, version: Any = None, key: Optional[str] = None,
                              value: Any = None, stage: Any = None) -> None:
        with _errors(what=f"Model Version (name={name}, version={version})"):
            self._store.set_model_version_tag(name, int(version), str(key), str(value))

    def update_model_version(self, name: str, version: Any,
                             description: Optional[str] = None) -> ModelVersion:
        with _errors(what=f"Model Version (name={name}, version={version})"):
            self._store.set_model_version_description(name, int(version), description)
        return self.get_model_version(name, version)

    def delete_model_version(self, name: str, version: Any) -> None:
        with _errors(what=f"Model Version (name={name}, version={version})"):
            self._store.delete_model_version(name, int(version))

    def get_model_version_download_uri(self, name: str, version: Any) -> str:
        return self.get_model_version(name, version).source


# ---- the fluent API --------------------------------------------------------------------


class ActiveRun:
    """The run start_run began: its ``info`` and ``data`` (as when it
    started), and a context manager that ends it: FINISHED, or FAILED when
    the block raises."""

    def __init__(self, run: Run) -> None:
        self._run = run

    @property
    def info(self) -> RunInfo:
        return self._run.info

    @property
    def data(self) -> RunData:
        return self._run.data

    @property
    def inputs(self) -> RunInputs:
        return self._run.inputs

    def __repr__(self) -> str:
        return f"<ActiveRun: run_id={self.info.run_id}>"

    def __enter__(self) -> "ActiveRun":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if any(r.info.run_id == self.info.run_id for r in _stack()):
            end_run("FINISHED" if exc_type is None else "FAILED")
        return exc_type is None


def _stack() -> List[ActiveRun]:
    s = getattr(_local, "stack", None)
    if s is None:
        s = _local.stack = []
    return s


def set_tracking_uri(uri: Union[str, "os.PathLike[str]"]) -> None:
    """Logs into the mlops store in folder ``uri`` (created when missing)."""
    global _tracking_uri, _active_experiment
    uri = os.fspath(uri)
    _store_path(uri)
    _tracking_uri = uri
    _active_experiment = None


def get_tracking_uri() -> str:
    return _tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_STORE


def _client() -> MlflowClient:
    return MlflowClient()


def set_experiment(experiment_name: Optional[str] = None,
                   experiment_id: Optional[str] = None) -> Experiment:
    """Makes the experiment active, creating it (by name) when missing."""
    global _active_experiment
    if (experiment_name is None) == (experiment_id is None):
        raise MlflowException("Must specify exactly one of: `experiment_id` or "
                              "`experiment_name`.", "INVALID_PARAMETER_VALUE")
    c = _client()
    if experiment_id is not None:
        exp = c.get_experiment(experiment_id)
    else:
        exp = c.get_experiment_by_name(experiment_name or "")
        if exp is None:
            try:
                c.create_experiment(experiment_name or "")
            except MlflowException as e:  # created meanwhile by another process
                if e.error_code != "RESOURCE_ALREADY_EXISTS":
                    raise
            exp = c.get_experiment_by_name(experiment_name or "")
            assert exp is not None
    if exp.lifecycle_stage == "deleted":
        raise MlflowException(
            f"Cannot set a deleted experiment '{exp.name}' as the active experiment. You can "
            "restore the experiment, or permanently delete the experiment to create a new one.",
            "INVALID_PARAMETER_VALUE")
    _active_experiment = (c.tracking_uri, exp.experiment_id)
    return exp


def get_experiment(experiment_id: str) -> Experiment:
    return _client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Optional[Experiment]:
    return _client().get_experiment_by_name(name)


def create_experiment(name: str, artifact_location: Optional[str] = None,
                      tags: Optional[Dict[str, Any]] = None) -> str:
    return _client().create_experiment(name, artifact_location, tags)


def _current_experiment_id(c: MlflowClient) -> str:
    if _active_experiment is not None and _active_experiment[0] == c.tracking_uri:
        return _active_experiment[1]
    name = os.environ.get("MLFLOW_EXPERIMENT_NAME")
    if name:
        return set_experiment(name).experiment_id
    if os.environ.get("MLFLOW_EXPERIMENT_ID"):
        return c.get_experiment(os.environ["MLFLOW_EXPERIMENT_ID"]).experiment_id
    exp = c.get_experiment_by_name(DEFAULT_EXPERIMENT)
    if exp is None:
        try:
            return c.create_experiment(DEFAULT_EXPERIMENT)
        except MlflowException:
            exp = c.get_experiment_by_name(DEFAULT_EXPERIMENT)
            assert exp is not None
    return exp.experiment_id


def start_run(run_id: Optional[str] = None, experiment_id: Optional[str] = None,
              run_name: Optional[str] = None, nested: bool = False,
              parent_run_id: Optional[str] = None, tags: Optional[Dict[str, Any]] = None,
              description: Optional[str] = None, log_system_metrics: Optional[bool] = None
              ) -> ActiveRun:
    """Starts a run (or resumes RUNNING run ``run_id``) and makes it the
    active run; nested=True makes it a child of the active run."""
    global _last_active
    stack = _stack()
    run_id = run_id or os.environ.get("MLFLOW_RUN_ID")
    if stack and not nested:
        raise Exception(  # MLflow raises a bare Exception here
            f"Run with UUID {stack[-1].info.run_id} is already active. To start a new run, "
            "first end the current run with mlflow.end_run(). To start a nested run, call "
            "start_run with nested=True")
    c = _client()
    if run_id:
        run = c.get_run(run_id)
        if run.info.lifecycle_stage == "deleted":
            raise MlflowException(f"Cannot start run with ID {run_id} because it is in the "
                                  "deleted state.", "INVALID_PARAMETER_VALUE")
        if run.info.status != "RUNNING":
            raise MlflowException(
                f"Run {run_id} has ended ({run.info.status}): an mlops run cannot be set "
                "RUNNING again, so mlops.mlflow_compat resumes only running runs",
                "INVALID_STATE")
        c._live(run_id)
        active = ActiveRun(run)
    else:
        parent = parent_run_id or (stack[-1].info.run_id if nested and stack else None)
        if parent is not None:
            pr = c.get_run(parent)
            if pr.info.status != "RUNNING" or pr.info.lifecycle_stage != "active":
                raise MlflowException(f"Current run with UUID {parent} is not active",
                                      "INVALID_PARAMETER_VALUE")
        exp_id = experiment_id if experiment_id is not None else _current_experiment_id(c)
        all_tags: Dict[str, Any] = {
            "mlflow.user": _user(), "mlflow.source.name": _source_name(),
            "mlflow.source.type": "LOCAL"}
        if parent is not None:
            all_tags["mlflow.parentRunId"] = parent
        if description is not None:
            all_tags["mlflow.note.content"] = description
        all_tags.update(tags or {})
        active = ActiveRun(c.create_run(exp_id, tags=all_tags, run_name=run_name))
    stack.append(active)
    _last_active = active.info.run_id
    return active


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


def _source_name() -> str:
    return sys.argv[0] if sys.argv and sys.argv[0] else "<console>"


def active_run() -> Optional[ActiveRun]:
    s = _stack()
    return s[-1] if s else None


def last_active_run() -> Optional[Run]:
    a = active_run()
    if a is not None:
        return get_run(a.info.run_id)
    return get_run(_last_active) if _last_active else None


def end_run(status: str = "FINISHED") -> None:
    """Ends the active run with ``status``; no-op without one."""
    s = _stack()
    if not s:
        return
    run = s.pop()
    _client().set_terminated(run.info.run_id, status)


def _active_id() -> str:
    s = _stack()
    if not s:
        start_run()
    return s[-1].info.run_id


def log_param(key: str, value: Any, synchronous: Any = None) -> Any:
    return _client().log_param(_active_id(), key, value)


def log_params(params: Dict[str, Any], synchronous: Any = None, run_id: Optional[str] = None
               ) -> None:
    _client().log_batch(run_id or _active_id(), params=[Param(k, v) for k, v in params.items()])


def log_metric(key: str, value: float, step: Optional[int] = None, synchronous: Any = None,
               timestamp: Optional[int] = None, run_id: Optional[str] = None,
               **_: Any) -> None:
    _client().log_metric(run_id or _active_id(), key, value, timestamp, step)


def log_metrics(metrics: Dict[str, float], step: Optional[int] = None, synchronous: Any = None,
                run_id: Optional[str] = None, timestamp: Optional[int] = None,
                **_: Any) -> None:
    rid = run_id or _active_id()
    ts = time.time_ns() // 1_000_000 if timestamp is None else timestamp
    checked = {k: _check_metric(k, v, step, ts)[0] for k, v in metrics.items()}
    c = _client()
    h = c._live(rid)
    with _errors(run_id=rid):  # a key the store refuses
        try:
            h.log_metrics(checked, step=step or 0, timestamp_ms=ts)
        except Conflict:
            c._not_running(rid)


def set_tag(key: str, value: Any, synchronous: Any = None) -> None:
    _client().set_tag(_active_id(), key, value)


def set_tags(tags: Dict[str, Any], synchronous: Any = None) -> None:
    c, rid = _client(), _active_id()
    for k, v in tags.items():
        c.set_tag(rid, k, v)


def delete_tag(key: str) -> None:
    _client().delete_tag(_active_id(), key)


def log_artifact(local_path: str, artifact_path: Optional[str] = None,
                 run_id: Optional[str] = None) -> None:
    _client().log_artifact(run_id or _active_id(), local_path, artifact_path)


def log_artifacts(local_dir: str, artifact_path: Optional[str] = None,
                  run_id: Optional[str] = None) -> None:
    _client().log_artifacts(run_id or _active_id(), local_dir, artifact_path)


def log_dict(dictionary: Any, artifact_file: str, run_id: Optional[str] = None) -> None:
    _client().log_dict(run_id or _active_id(), dictionary, artifact_file)


def log_text(text: str, artifact_file: str, run_id: Optional[str] = None) -> None:
    _client().log_text(run_id or _active_id(), text, artifact_file)


def log_input(dataset: Any, context: Optional[str] = None, tags: Optional[Dict[str, str]] = None,
              model: Any = None) -> None:
    """Records that the active run read ``dataset`` (a dataset from
    mlops.mlflow_compat.data or mlflow.data, a pandas DataFrame, a numpy
    array, bytes or a file path): its content is stored and becomes an
    input of the run, named after the dataset, with ``context`` as role."""
    _client()._log_dataset(_active_id(), dataset, context)


def get_artifact_uri(artifact_path: Optional[str] = None) -> str:
    base = f"runs:/{_active_id()}"
    return f"{base}/{artifact_path}" if artifact_path else base


def get_run(run_id: str) -> Run:
    return _client().get_run(run_id)


def search_runs(experiment_ids: Optional[List[str]] = None, filter_string: str = "",
                run_view_type: int = ViewType.ACTIVE_ONLY, max_results: int = 100000,
                order_by: Optional[List[str]] = None, output_format: str = "pandas",
                search_all_experiments: bool = False,
                experiment_names: Optional[List[str]] = None) -> Any:
    """Runs matching MLflow's ``filter_string``, as a pandas DataFrame with
    MLflow's columns (output_format="pandas") or a list of Run ("list")."""
    c = _client()
    if experiment_names:
        ids = []
        for n in experiment_names:
            e = c.get_experiment_by_name(n)
            if e is not None:
                ids.append(e.experiment_id)
        experiment_ids = (experiment_ids or []) + ids
        if not experiment_ids:
            experiment_ids = []
    elif not experiment_ids:
        if search_all_experiments:
            experiment_ids = [e.experiment_id for e in
                              c.search_experiments(view_type=ViewType.ALL)]
        else:
            experiment_ids = [_current_experiment_id(c)]
    runs: List[Run] = []
    token = None
    if experiment_ids:
        while len(runs) < max_results:
            page = c.search_runs(experiment_ids, filter_string, run_view_type,
                                 min(max_results - len(runs), 50000), order_by, token)
            runs += page
            token = page.token
            if token is None:
                break
    if output_format == "list":
        return runs
    if output_format != "pandas":
        raise ValueError(f"Unsupported output format: {output_format}. Supported string "
                         "values are 'pandas' or 'list'")
    return _frame(runs)


def _frame(runs: List[Run]) -> Any:
    import pandas as pd

    info: Dict[str, List[Any]] = {k: [] for k in ("run_id", "experiment_id", "status",
                                                 "artifact_uri", "start_time", "end_time")}
    cols: Dict[str, Dict[str, List[Any]]] = {"metrics": {}, "params": {}, "tags": {}}
    nulls = {"metrics": float("nan"), "params": None, "tags": None}
    for i, r in enumerate(runs):
        info["run_id"].append(r.info.run_id)
        info["experiment_id"].append(r.info.experiment_id)
        info["status"].append(r.info.status)
        info["artifact_uri"].append(r.info.artifact_uri)
        info["start_time"].append(pd.to_datetime(r.info.start_time, unit="ms", utc=True))
        info["end_time"].append(pd.to_datetime(r.info.end_time, unit="ms", utc=True))
        for kind, values in (("metrics", r.data.metrics), ("params", r.data.params),
                             ("tags", r.data.tags)):
            d = cols[kind]
            for k in d:
                d[k].append(values.get(k, nulls[kind]))
            for k, v in values.items():
                if k not in d:
                    d[k] = [nulls[kind]] * i + [v]
    data: Dict[str, List[Any]] = dict(info)
    for kind in ("metrics", "params", "tags"):
        for k, v in cols[kind].items():
            data[f"{kind}.{k}"] = v
    return pd.DataFrame(data)


def register_model(model_uri: str, name: str, await_registration_for: int = 300, *,
                   tags: Optional[Dict[str, Any]] = None) -> ModelVersion:
    """Registers ``model_uri`` ("runs:/ID/path": that path of the run's
    artifact tree) as the next version of model ``name`` (created when
    missing)."""
    c = _client()
    try:
        c.create_registered_model(name)
    except MlflowException as e:
        if e.error_code != "RESOURCE_ALREADY_EXISTS":
            raise
    run_id = split_runs_uri(model_uri)[0] if model_uri.startswith("runs:/") else None
    return c.create_model_version(name, model_uri, run_id, tags=tags)


def _end_at_exit() -> None:
    # MLflow ends the runs still active when the interpreter exits.
    while _stack():
        try:
            end_run()
        except Exception:  # the store may already be gone
            _stack().pop()


atexit.register(_end_at_exit)

from . import _mlflow_data as data  # noqa: E402  (mlflow.data.from_pandas ...)
