"""Shared fixtures: the repository root and the cargo-built `reident` binary.

Every test compares the Python API with the binary run on the same inputs, so
the binary must come from the same sources: `run_tests.sh` builds it with
`cargo build --bin reident` first. `REIDENT_BIN` overrides where it is looked
for (default: `$CARGO_TARGET_DIR/debug/reident`, else `target/debug/reident`).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def reident_bin() -> Path:
    if os.environ.get("REIDENT_BIN"):
        return Path(os.environ["REIDENT_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "reident"


class Cli:
    """Runs the `reident` binary and returns what it printed."""

    def __init__(self, binary: Path) -> None:
        self.binary = binary

    def run(self, *args, cwd=None):
        proc = subprocess.run(
            [str(self.binary), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
        )
        return proc

    def json(self, *args, cwd=None):
        proc = self.run(*args, cwd=cwd)
        assert proc.returncode in (0, 1, 3), proc.stderr
        return proc.stdout, json.loads(proc.stdout), proc.returncode

    def error(self, *args, cwd=None) -> str:
        """The message after `error: ` of a command that must fail (exit 2)."""
        proc = self.run(*args, cwd=cwd)
        assert proc.returncode == 2, (proc.returncode, proc.stdout)
        lines = [l for l in proc.stderr.splitlines() if l.startswith("error: ")]
        assert lines, proc.stderr
        return proc.stderr[proc.stderr.index("error: ") + len("error: "):].rstrip("\n")


@pytest.fixture(scope="session")
def cli() -> Cli:
    binary = reident_bin()
    if not binary.exists():
        pytest.fail(f"{binary} not found: build it with `cargo build --bin reident` (run_tests.sh does)")
    return Cli(binary)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
