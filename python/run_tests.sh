#!/usr/bin/env bash
# Builds the Python package into a venv and runs its pytest suite, which
# compares every function with the cargo-built `reident` binary.
#
#   python/run_tests.sh            # venv under $CARGO_TARGET_DIR (or target/)/python-venv
#
# The extension is built in cargo's dev profile (the shared debug build of the
# workspace; REIDENT_PY_PROFILE=release for an optimised one, much slower to
# build). Packages come from PyPI: maturin, pytest, pandas, polars, pyarrow.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="${REIDENT_VENV:-$CARGO_TARGET_DIR/python-venv}"
profile="${REIDENT_PY_PROFILE:-dev}"
python="${PYTHON:-python3}"

start=$SECONDS
step() { echo "python/run_tests.sh: $1 ($((SECONDS - start)) s so far)"; }

if [ ! -x "$venv/bin/python" ]; then
  # Debian's python3 may lack the venv module (python3-venv); virtualenv from
  # PyPI makes the same environment without it.
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m pip install --quiet virtualenv
    "$python" -m virtualenv --quiet "$venv"
  fi
fi
"$venv/bin/python" -m pip install --quiet --upgrade "maturin>=1.9.4,<2" pytest pandas polars pyarrow
step "venv ready: $venv"

(cd "$root" && cargo build --quiet --bin reident)
step "reident binary built"

# maturin's build backend runs the `maturin` command found on PATH.
PATH="$venv/bin:$PATH" MATURIN_PEP517_ARGS="--profile $profile" \
  "$venv/bin/python" -m pip install --quiet --no-build-isolation --force-reinstall --no-deps "$here"
step "extension built and installed ($profile profile)"

cd "$here"
status=0
# pytest (not `python -m pytest`, which would put python/ on sys.path and
# import the source folder reident/ instead of the installed package).
"$venv/bin/pytest" tests -q -p no:cacheprovider || status=$?
step "pytest finished (exit $status)"
exit $status
