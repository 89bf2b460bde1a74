"""Type stubs of the reident package (see reident/__init__.py for the docs)."""

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

_Path = Union[str, "os.PathLike[str]"]
# A file path or a table with `__arrow_c_stream__` (pandas, polars, pyarrow).
_Table = Any

__version__: str

class ReidentError(Exception): ...
class ReidentValueError(ReidentError, ValueError): ...
class ReidentFileNotFoundError(ReidentError, FileNotFoundError): ...

def run_cli(args: Sequence[str], inputs: Any = ..., progress: Optional[bool] = ...) -> Tuple[int, str]: ...
def set_progress(enabled: bool) -> None: ...

class _Result:
    exit_code: int
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __getitem__(self, key: str) -> Any: ...

class PrivacyMetrics(_Result):
    k: int
    n_classes: int
    n_rows: int
    def classes(self) -> Any: ...
    def class_sizes(self) -> Any: ...
    def sensitive(self) -> Any: ...
    def _repr_html_(self) -> str: ...

def privacy_metrics(
    release: _Table,
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str] = ...,
    *,
    numeric: Sequence[str] = ...,
    hierarchies: Optional[Mapping[str, _Path]] = ...,
    target_k: int = ...,
    suppressed: str = ...,
    missing: Optional[Sequence[str]] = ...,
    delimiter: Optional[str] = ...,
    risk_threshold: float = ...,
    sampling_fraction: Optional[float] = ...,
    population: Optional[_Table] = ...,
    subject: Optional[str] = ...,
    hidden_qi: bool = ...,
    near_unique: float = ...,
    min_lambda: float = ...,
    progress: Optional[bool] = ...,
) -> PrivacyMetrics: ...

class Linkage(_Result):
    @property
    def method(self) -> str: ...
    @property
    def scores(self) -> Dict[str, Any]: ...
    def links(self) -> Any: ...
    def m_u(self) -> Any: ...
    def _repr_html_(self) -> str: ...

def link(
    original: _Table,
    release: _Table,
    *,
    quasi_identifiers: Sequence[str] = ...,
    fields: Optional[str] = ...,
    block: Optional[str] = ...,
    train_block: Optional[str] = ...,
    truth: Optional[str] = ...,
    truth_map: Optional[_Path] = ...,
    lambda_: Optional[float] = ...,
    deterministic: Optional[str] = ...,
    recall: float = ...,
    threshold: float = ...,
    assignment: str = ...,
    max_pairs: int = ...,
    u_pairs: int = ...,
    seed: int = ...,
    hierarchies: Optional[Mapping[str, _Path]] = ...,
    kinds: Optional[Mapping[str, str]] = ...,
    explain: int = ...,
    rows: bool = ...,
    max_rate: Optional[float] = ...,
    delimiter: Optional[str] = ...,
    progress: Optional[bool] = ...,
) -> Linkage: ...

class Risks(_Result):
    def table(self) -> Any: ...
    def _repr_html_(self) -> str: ...

def risks(
    original: _Table,
    release: _Table,
    control: _Table,
    *,
    columns: Sequence[str] = ...,
    numeric: Optional[Sequence[str]] = ...,
    n_attacks: int = ...,
    confidence: float = ...,
    seed: int = ...,
    singling_out: bool = ...,
    singling_out_columns: int = ...,
    max_attempts: int = ...,
    link_a: Sequence[str] = ...,
    link_b: Sequence[str] = ...,
    n_neighbors: int = ...,
    secret: Sequence[str] = ...,
    aux: Sequence[str] = ...,
    tolerance: float = ...,
    hierarchies: Optional[Mapping[str, _Path]] = ...,
    kinds: Optional[Mapping[str, str]] = ...,
    max_risk: Optional[float] = ...,
    missing: Optional[Sequence[str]] = ...,
    delimiter: Optional[str] = ...,
    progress: Optional[bool] = ...,
) -> Risks: ...

class Unicity(_Result):
    def curve(self) -> Any: ...
    def _repr_html_(self) -> str: ...

def unicity(
    events: _Table,
    *,
    user_column: str = ...,
    timestamp_column: str = ...,
    action_columns: Sequence[str] = ...,
    time_only: bool = ...,
    bucket_seconds: Sequence[int] = ...,
    points: Sequence[int] = ...,
    seed: int = ...,
    release: Optional[_Table] = ...,
    release_user_column: Optional[str] = ...,
    truth: Optional[_Table] = ...,
    truth_user_column: str = ...,
    truth_pseudonym_column: str = ...,
    max_unicity: Optional[float] = ...,
    progress: Optional[bool] = ...,
) -> Unicity: ...

class EpsilonEstimate(_Result): ...

def epsilon_estimate(
    original: _Table,
    release: _Table,
    *,
    kind: Optional[str] = ...,
    column: Optional[str] = ...,
    release_column: Optional[str] = ...,
    group_by: Sequence[str] = ...,
    sensitivity: Optional[float] = ...,
    delta: Optional[float] = ...,
    confidence: Optional[float] = ...,
    clamp_detection: bool = ...,
    rounding_detection: bool = ...,
    progress: Optional[bool] = ...,
) -> EpsilonEstimate: ...

class Stylometry(_Result):
    def documents(self) -> Any: ...

def stylometry(train: _Table, test: Optional[_Table] = ..., *, progress: Optional[bool] = ..., **options: Any) -> Stylometry: ...
class Verification(_Result):
    def scores(self) -> Dict[str, Any]: ...

def verify(train: _Table, test: Optional[_Table] = ..., *, progress: Optional[bool] = ..., **options: Any) -> Verification: ...

class PseudonymLinkage(_Result):
    def signals(self) -> Any: ...

def pseudonyms(
    original: _Table,
    release: _Table,
    *,
    text: Union[str, Sequence[str]],
    id: str,
    progress: Optional[bool] = ...,
    **options: Any,
) -> PseudonymLinkage: ...
def text_leakage(
    original: _Table, release: _Table, *, text_column: str, id_column: str, progress: Optional[bool] = ..., **options: Any
) -> _Result: ...

def epsilon_bound(scores: _Table, *, progress: Optional[bool] = ..., **options: Any) -> _Result: ...

class AuditReport:
    out: str
    exit_code: int
    summary: str
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def verdicts(self) -> Any: ...
    def html(self) -> str: ...
    def charts(self) -> Dict[str, str]: ...
    def _repr_html_(self) -> str: ...

def audit(
    config: Union[_Path, Mapping[str, Any]],
    *,
    out: Optional[_Path] = ...,
    seed: Optional[int] = ...,
    include_examples: bool = ...,
    strict: bool = ...,
    base_dir: Optional[_Path] = ...,
    progress: Optional[bool] = ...,
) -> AuditReport: ...

class EpsilonAudit(_Result):
    @property
    def epsilon_lower(self) -> float: ...
    @property
    def verdict(self) -> Optional[str]: ...
    @property
    def refuted(self) -> bool: ...

def epsilon_audit(
    mechanism: Callable[..., Any],
    dataset: _Table,
    neighbour: _Table,
    *,
    column: str,
    claimed_epsilon: Optional[float] = ...,
    claimed_delta: float = ...,
    trials: int = ...,
    target_value: Optional[str] = ...,
    delta: float = ...,
    seed: Optional[int] = ...,
    confidence: Optional[float] = ...,
    selection: Optional[str] = ...,
    frame: str = ...,
    progress: Optional[bool] = ...,
) -> EpsilonAudit: ...
