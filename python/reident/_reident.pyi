"""The native module (PyO3). Used by reident/__init__.py; not a public API."""

import os
from typing import Any, Callable, List, Optional, Tuple, Union

__version__: str

_Progress = Optional[Callable[[str, int, Optional[int], str], None]]

def run_cli(args: List[str], progress: _Progress = ...) -> Tuple[int, str, Optional[Tuple[str, str]]]: ...
def epsilon_audit(
    args: List[str],
    bridge: Callable[[List[str], List[List[str]], int], Any],
    name: str,
    progress: _Progress = ...,
) -> Tuple[int, str, Optional[Tuple[str, str]]]: ...
def arrow_to_parquet(obj: Any, path: Union[str, "os.PathLike[str]"], label: str) -> int: ...
class RegisteredTable:
    """A table registered in memory under `name` (`mem://ID/LABEL`) until dropped."""

    @property
    def name(self) -> str: ...
    @property
    def rows(self) -> int: ...

def register_table(obj: Any, label: str) -> RegisteredTable: ...
def json_to_toml(json: str) -> str: ...
def equivalence_classes(
    path: Union[str, "os.PathLike[str]"],
    quasi_identifiers: List[str],
    delimiter: Optional[str] = ...,
    missing: Optional[List[str]] = ...,
    one_class: bool = ...,
) -> Tuple[Optional[List[Tuple[List[str], int]]], Optional[Tuple[str, str]]]: ...
