"""A run's artifacts as one tree in the store (mlops.mlflow_compat).

The tree's digest is kept under the reference ``mlflow/runs/<id>/artifacts``
(which also keeps it from garbage collection) and moves as artifacts
arrive; when the run ends it is recorded as the run's output "artifacts"
(role "artifacts"), as the MLflow importer records an imported run's. A
tree is made from a directory, so each process keeps a staging copy of the
run's tree: the first artifact of a run restores the current tree into
it (when another process made it), each new file is copied in and the
directory stored again (unchanged files and subtrees are the same objects:
nothing is stored twice)."""
from __future__ import annotations

import atexit
import os
import posixpath
import shutil
import tempfile
import threading
from typing import Any, Dict, List, Optional, Tuple

from ._mlflow_entities import FileInfo, MlflowException
from .digest import Digest
from .errors import NotFound

__all__ = ["ArtifactTrees", "ref_name", "split_runs_uri"]


def ref_name(run_id: str) -> str:
    """The reference naming run ``run_id``'s artifact tree."""
    return f"mlflow/runs/{run_id}/artifacts"


def split_runs_uri(uri: str) -> Tuple[str, str]:
    """(run id, path) of "runs:/<run id>/<path>"."""
    if not uri.startswith("runs:/"):
        raise MlflowException(f"Not a runs:/ URI: {uri!r}", "INVALID_PARAMETER_VALUE")
    rest = uri[len("runs:/"):].lstrip("/")
    run_id, _, path = rest.partition("/")
    if not run_id:
        raise MlflowException(f"No run id in {uri!r}", "INVALID_PARAMETER_VALUE")
    return run_id, _clean(path)


def _clean(path: Optional[str]) -> str:
    # A relative "/"-separated path inside the tree ("" for its root).
    if not path:
        return ""
    p = posixpath.normpath(path.replace(os.sep, "/")).lstrip("/")
    if p == "." :
        return ""
    if p == ".." or p.startswith("../"):
        raise MlflowException(f"Artifact path {path!r} leaves the run's artifact root",
                              "INVALID_PARAMETER_VALUE")
    return p


class ArtifactTrees:
    """The artifact trees of the runs of one store, with their staging
    copies in this process."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._lock = threading.Lock()
        # run id -> (staging directory, digest it holds or None when empty)
        self._staging: Dict[str, Tuple[str, Optional[Digest]]] = {}
        self._root = tempfile.mkdtemp(prefix="mlops-mlflow-")
        atexit.register(shutil.rmtree, self._root, True)

    def current(self, run_id: str) -> Optional[Digest]:
        """The run's artifact tree, None when it has no artifact."""
        try:
            return self._store.get_ref(ref_name(run_id))
        except NotFound:
            return None

    def _stage(self, run_id: str) -> str:
        # The staging directory holding the run's current tree (restored
        # again when another process moved the reference meanwhile).
        cur = self.current(run_id)
        entry = self._staging.get(run_id)
        if entry is not None and entry[1] == cur:
            return entry[0]
        if entry is not None:
            shutil.rmtree(os.path.dirname(entry[0]), ignore_errors=True)
        d = tempfile.mkdtemp(dir=self._root)
        tree = os.path.join(d, "tree")
        if cur is not None:
            self._store.get_tree(cur, tree, keep_modes=True)
        else:
            os.mkdir(tree)
        self._staging[run_id] = (tree, cur)
        return tree

    def add(self, run_id: str, local_path: str, artifact_path: Optional[str],
            *, contents_only: bool = False) -> Digest:
        """Adds a file (or a directory's contents with ``contents_only``)
        under ``artifact_path``; returns the run's new tree."""
        if not os.path.exists(local_path):
            raise MlflowException(f"No such file or directory: {local_path!r}",
                                  "INVALID_PARAMETER_VALUE")
        with self._lock:
            tree = self._stage(run_id)
            dest = os.path.join(tree, *(_clean(artifact_path).split("/") or [""]))
            if contents_only or os.path.isdir(local_path):
                if not contents_only:
                    dest = os.path.join(dest, os.path.basename(os.path.normpath(local_path)))
                shutil.copytree(local_path, dest, dirs_exist_ok=True)
            else:
                os.makedirs(dest, exist_ok=True)
                shutil.copy2(local_path, os.path.join(dest, os.path.basename(local_path)))
            digest = self._store.put_tree(tree)
            self._store.set_ref(ref_name(run_id), digest)
            self._staging[run_id] = (tree, digest)
            return digest

    def forget(self, run_id: str) -> None:
        """Drops the run's staging copy (when it ends: the store keeps
        the tree, and a later artifact restores it)."""
        with self._lock:
            entry = self._staging.pop(run_id, None)
        if entry is not None:
            shutil.rmtree(os.path.dirname(entry[0]), ignore_errors=True)

    def _materialize(self, run_id: str) -> str:
        cur = self.current(run_id)
        if cur is None:
            raise MlflowException(f"Run '{run_id}' has no artifacts",
                                  "RESOURCE_DOES_NOT_EXIST")
        with self._lock:
            return self._stage(run_id)

    def list(self, run_id: str, path: Optional[str] = None) -> List[FileInfo]:
        """The entries directly under ``path`` (MLflow's list_artifacts)."""
        if self.current(run_id) is None:
            return []
        tree = self._materialize(run_id)
        p = _clean(path)
        full = os.path.join(tree, *p.split("/")) if p else tree
        if not os.path.isdir(full):
            return []
        out = []
        for name in sorted(os.listdir(full)):
            f = os.path.join(full, name)
            rel = f"{p}/{name}" if p else name
            isdir = os.path.isdir(f)
            out.append(FileInfo(rel, isdir, None if isdir else os.path.getsize(f)))
        return out

    def download(self, run_id: str, path: str, dst: str) -> str:
        """Copies ``path`` of the run's tree into directory ``dst``;
        returns the local path."""
        tree = self._materialize(run_id)
        p = _clean(path)
        src = os.path.join(tree, *p.split("/")) if p else tree
        if not os.path.exists(src):
            raise MlflowException(f"No artifact {path!r} in run '{run_id}'",
                                  "RESOURCE_DOES_NOT_EXIST")
        os.makedirs(dst, exist_ok=True)
        out = os.path.join(dst, os.path.basename(src) if p else "")
        if os.path.isdir(src):
            shutil.copytree(src, out, dirs_exist_ok=True)
        else:
            shutil.copy2(src, out)
        return out.rstrip(os.sep) or dst

    def digest_of(self, run_id: str, path: str) -> Digest:
        """The digest of ``path`` in the run's tree: a blob for a file, a
        tree for a directory (the whole tree for "")."""
        p = _clean(path)
        if not p:
            cur = self.current(run_id)
            if cur is None:
                raise MlflowException(f"Run '{run_id}' has no artifacts",
                                      "RESOURCE_DOES_NOT_EXIST")
            return cur
        tree = self._materialize(run_id)
        src = os.path.join(tree, *p.split("/"))
        if os.path.isdir(src):
            return self._store.put_tree(src)
        if os.path.exists(src):
            return self._store.put_file(src)
        raise MlflowException(f"No artifact {path!r} in run '{run_id}'",
                              "RESOURCE_DOES_NOT_EXIST")
