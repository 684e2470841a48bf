"""The records mlops.mlflow_compat returns, shaped as MLflow's entities
(mlflow.entities): same class names, attribute names and value types, so
code that reads ``run.info.status`` or ``mv.version`` keeps working."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

__all__ = [
    "MlflowException",
    "ViewType",
    "RunStatus",
    "Experiment",
    "Metric",
    "Param",
    "RunTag",
    "RunInfo",
    "RunData",
    "RunInputs",
    "DatasetInput",
    "Run",
    "FileInfo",
    "ModelVersion",
    "RegisteredModel",
    "PagedList",
]


class MlflowException(Exception):
    """MLflow's exception: ``message`` and ``error_code``, a name from
    MLflow's error codes (INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST,
    RESOURCE_ALREADY_EXISTS, INVALID_STATE, INTERNAL_ERROR)."""

    def __init__(self, message: Any, error_code: str = "INTERNAL_ERROR") -> None:
        self.message = str(message)
        self.error_code = error_code
        super().__init__(self.message)


class ViewType:
    """Which runs or experiments a search returns, by lifecycle stage."""

    ACTIVE_ONLY, DELETED_ONLY, ALL = 1, 2, 3
    _LIFECYCLE = {1: "active", 2: "deleted", 3: "all"}

    @classmethod
    def lifecycle(cls, view_type: int) -> str:
        try:
            return cls._LIFECYCLE[view_type]
        except KeyError:
            raise MlflowException(f"Invalid view type {view_type!r}",
                                  "INVALID_PARAMETER_VALUE") from None

    @classmethod
    def from_string(cls, s: str) -> int:
        return {"ACTIVE_ONLY": 1, "DELETED_ONLY": 2, "ALL": 3}[s.upper()]


class RunStatus:
    """Run statuses as MLflow numbers them."""

    RUNNING, SCHEDULED, FINISHED, FAILED, KILLED = 1, 2, 3, 4, 5
    _NAMES = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}

    @classmethod
    def to_string(cls, status: int) -> str:
        return cls._NAMES[status]

    @classmethod
    def from_string(cls, name: str) -> int:
        for k, v in cls._NAMES.items():
            if v == name:
                return k
        raise MlflowException(f"Could not get run status corresponding to string {name}",
                              "INVALID_PARAMETER_VALUE")

    @classmethod
    def is_terminated(cls, status: Any) -> bool:
        if isinstance(status, int):
            status = cls._NAMES.get(status, "")
        return status in ("FINISHED", "FAILED", "KILLED")


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str
    tags: Dict[str, str] = field(default_factory=dict)
    creation_time: Optional[int] = None
    last_update_time: Optional[int] = None


@dataclass(frozen=True)
class Metric:
    key: str
    value: float
    timestamp: int
    step: int


@dataclass(frozen=True)
class Param:
    key: str
    value: str


@dataclass(frozen=True)
class RunTag:
    key: str
    value: str


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    experiment_id: str
    run_name: Optional[str]
    user_id: str
    status: str
    start_time: int
    #: None while the run is running.
    end_time: Optional[int]
    artifact_uri: str
    lifecycle_stage: str

    @property
    def run_uuid(self) -> str:
        return self.run_id


@dataclass(frozen=True)
class RunData:
    #: The latest value of each metric (greatest step, then timestamp).
    metrics: Dict[str, float]
    params: Dict[str, str]
    tags: Dict[str, str]


@dataclass(frozen=True)
class DatasetInput:
    #: The dataset's name and its digest in the store ("sha256:...").
    name: str
    digest: str
    #: The context it was logged with ("training", "eval"...).
    context: str


@dataclass(frozen=True)
class RunInputs:
    dataset_inputs: List[DatasetInput] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    info: RunInfo
    data: RunData
    inputs: RunInputs = field(default_factory=RunInputs)

    def to_dictionary(self) -> Dict[str, Any]:
        return {"info": self.info.__dict__, "data": self.data.__dict__}


@dataclass(frozen=True)
class FileInfo:
    #: Relative to the run's artifact root, "/"-separated.
    path: str
    is_dir: bool
    #: None for a directory.
    file_size: Optional[int]


@dataclass(frozen=True)
class ModelVersion:
    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    description: str
    user_id: str
    #: Always "None": stages are deprecated in MLflow; aliases replace them.
    current_stage: str
    #: "runs:/ID/path" when registered from a run, else "sha256:..."
    source: str
    run_id: Optional[str]
    #: "READY" (MLflow's PENDING and FAILED_REGISTRATION never occur).
    status: str
    tags: Dict[str, str] = field(default_factory=dict)
    aliases: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str
    tags: Dict[str, str] = field(default_factory=dict)
    #: alias -> version number
    aliases: Dict[str, int] = field(default_factory=dict)
    latest_versions: List[ModelVersion] = field(default_factory=list)


class PagedList(list):  # type: ignore[type-arg]
    """A page of results and the token of the next page (None: the last)."""

    def __init__(self, items: Any, token: Optional[str]) -> None:
        super().__init__(items)
        self.token = token
