#!/usr/bin/env bash
# Executes every notebook from a clean checkout: makes a venv with the reident
# Python package built from this checkout (python/venv.sh, as python/run_tests.sh
# does) and the packages of requirements.txt, and writes the executed copies to
# target/notebooks/ (the notebooks in this folder are never overwritten).
#   bash notebooks/run.sh
# REIDENT_NOTEBOOK_VENV: where the venv goes (default $CARGO_TARGET_DIR/notebooks-venv);
# REIDENT_PY_PROFILE=release: an optimised build of the extension (slow to build).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
venv="${REIDENT_NOTEBOOK_VENV:-$CARGO_TARGET_DIR/notebooks-venv}"
bash python/venv.sh "$venv" -r notebooks/requirements.txt
export REIDENT_NOTEBOOK_OUT="$PWD/target/notebooks"
mkdir -p "$REIDENT_NOTEBOOK_OUT"
# The venv's bin/ first on PATH: `jupyter` finds the venv's nbconvert, and the
# notebooks' `python3` kernel is the venv's interpreter (where `import reident` works).
PATH="$venv/bin:$PATH" "$venv/bin/python" -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
  --output-dir "$REIDENT_NOTEBOOK_OUT" notebooks/*.ipynb
echo "executed notebooks: $REIDENT_NOTEBOOK_OUT"
