#!/usr/bin/env bash
# Builds the Python package into a venv and runs its pytest suite, which
# compares every function with the cargo-built `reident` binary.
#
#   python/run_tests.sh            # venv under $CARGO_TARGET_DIR (or target/)/python-venv
#
# The extension is built in cargo's dev profile (the shared debug build of the
# workspace; REIDENT_PY_PROFILE=release for an optimised one, much slower to
# build) by python/venv.sh, which notebooks/run.sh uses too. Packages come
# from PyPI: maturin, pytest, pandas, polars, pyarrow.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="${REIDENT_VENV:-$CARGO_TARGET_DIR/python-venv}"

start=$SECONDS
step() { echo "python/run_tests.sh: $1 ($((SECONDS - start)) s so far)"; }

(cd "$root" && cargo build --quiet --bin reident)
step "reident binary built"

# The venv with pytest and the table libraries, and the extension built and
# installed (python/venv.sh; REIDENT_PY_PROFILE picks the cargo profile).
bash "$here/venv.sh" "$venv" pytest pandas polars pyarrow
step "venv ready, extension built and installed: $venv (${REIDENT_PY_PROFILE:-dev} profile)"

cd "$here"
status=0
# pytest (not `python -m pytest`, which would put python/ on sys.path and
# import the source folder reident/ instead of the installed package).
"$venv/bin/pytest" tests -q -p no:cacheprovider || status=$?
step "pytest finished (exit $status)"
exit $status
