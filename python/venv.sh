#!/usr/bin/env bash
# Makes a venv with the reident Python package built from this checkout, for
# python/run_tests.sh (pytest) and notebooks/run.sh (Jupyter).
#
#   python/venv.sh VENV [PIP-ARGS...]   # e.g. python/venv.sh /tmp/v pytest pandas
#
# Creates VENV if needed (python3 -m venv, else virtualenv from PyPI: Debian's
# python3 may lack the venv module), installs maturin and PIP-ARGS from PyPI,
# then builds the extension with maturin in cargo's dev profile (the shared
# debug build of the workspace under $CARGO_TARGET_DIR; REIDENT_PY_PROFILE=release
# for an optimised one, much slower to build) and installs it into VENV.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="$1"
shift
# An absolute path: maturin runs in another folder and is found through PATH.
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
profile="${REIDENT_PY_PROFILE:-dev}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    "$python" -m pip install --quiet virtualenv
    "$python" -m virtualenv --quiet "$venv"
  fi
fi
"$venv/bin/python" -m pip install --quiet --upgrade "maturin>=1.9.4,<2" "$@"
# maturin's build backend runs the `maturin` command found on PATH.
PATH="$venv/bin:$PATH" MATURIN_PEP517_ARGS="--profile $profile" \
  "$venv/bin/python" -m pip install --quiet --no-build-isolation --force-reinstall --no-deps "$here"
