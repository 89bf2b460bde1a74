"""The native module (PyO3). Used by reident/__init__.py; not a public API."""

import os
from typing import Any, List, Optional, Tuple, Union

__version__: str

def run_cli(args: List[str]) -> Tuple[int, str, Optional[Tuple[str, str]]]: ...
def arrow_to_parquet(obj: Any, path: Union[str, "os.PathLike[str]"], label: str) -> int: ...
def json_to_toml(json: str) -> str: ...
def equivalence_classes(
    path: Union[str, "os.PathLike[str]"],
    quasi_identifiers: List[str],
    delimiter: Optional[str] = ...,
    missing: Optional[List[str]] = ...,
    one_class: bool = ...,
) -> Tuple[Optional[List[Tuple[List[str], int]]], Optional[Tuple[str, str]]]: ...
