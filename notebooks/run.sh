#!/usr/bin/env bash
# Executes every notebook from a clean checkout: installs the Python packages, builds the
# reident binary if needed, and writes the executed copies to target/notebooks/ (the
# notebooks in this folder are never overwritten).
#   bash notebooks/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet -r notebooks/requirements.txt
export REIDENT_BIN="${REIDENT_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/debug/reident}"
[ -x "$REIDENT_BIN" ] || cargo build --quiet
export REIDENT_NOTEBOOK_OUT="$PWD/target/notebooks"
mkdir -p "$REIDENT_NOTEBOOK_OUT"
python3 -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
  --output-dir "$REIDENT_NOTEBOOK_OUT" notebooks/*.ipynb
echo "executed notebooks: $REIDENT_NOTEBOOK_OUT"
