"""Datasets for mlops.mlflow_compat.log_input: ``mlflow.data.from_pandas``
and ``from_numpy`` (as ``mlops.mlflow_compat.data``), and the content a
dataset is stored as (the store keeps the data itself: the run's input is
its digest)."""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, Optional, Tuple

from ._mlflow_entities import MlflowException

__all__ = ["Dataset", "from_pandas", "from_numpy", "content"]


@dataclass(frozen=True)
class Dataset:
    """A dataset to log with log_input: its name, where it came from, and
    its data (a pandas DataFrame or numpy arrays)."""

    name: str
    source: Optional[str]
    df: Any = None
    features: Any = None
    targets: Any = None


def from_pandas(df: Any, source: Optional[str] = None, targets: Optional[str] = None,
                name: Optional[str] = None, **_: Any) -> Dataset:
    return Dataset(name or "dataset", source, df=df)


def from_numpy(features: Any, source: Optional[str] = None, targets: Any = None,
               name: Optional[str] = None, **_: Any) -> Dataset:
    return Dataset(name or "dataset", source, features=features, targets=targets)


def _npy(*arrays: Any) -> bytes:
    import numpy as np

    buf = io.BytesIO()
    for a in arrays:
        if a is not None:
            np.save(buf, np.asarray(a), allow_pickle=False)
    return buf.getvalue()


def content(ds: Any) -> Tuple[str, bytes]:
    """(name, bytes) of what log_input stores for ``ds``: a DataFrame as
    CSV, numpy arrays as .npy, bytes as they are, a file path as the
    file's bytes. MLflow's own dataset objects (mlflow.data) are read
    through their ``df`` / ``features`` and ``targets`` attributes."""
    name = getattr(ds, "name", None) or "dataset"
    df = getattr(ds, "df", None)
    if df is None and hasattr(ds, "to_csv") and hasattr(ds, "columns"):
        df = ds
    if df is not None:
        buf = io.BytesIO()
        df.to_csv(buf, index=False, encoding="utf-8")
        return name, buf.getvalue()
    features = getattr(ds, "features", None)
    if features is not None:
        return name, _npy(features, getattr(ds, "targets", None))
    if isinstance(ds, (bytes, bytearray, memoryview)):
        return name, bytes(ds)
    if isinstance(ds, (str, os.PathLike)) and os.path.isfile(ds):
        with open(ds, "rb") as f:
            return os.path.basename(os.fspath(ds)), f.read()
    if hasattr(ds, "__array__"):
        return name, _npy(ds)
    raise MlflowException(f"log_input takes a dataset (mlflow_compat.data.from_pandas, "
                          f"from_numpy), a DataFrame, an array, bytes or a file path, not "
                          f"{type(ds).__name__}", "INVALID_PARAMETER_VALUE")
