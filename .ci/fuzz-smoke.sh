#!/usr/bin/env bash
# Fuzz smoke test: builds every cargo-fuzz target of fuzz/ and runs each for
# FUZZ_SECONDS (default 30) on a corpus seeded from datasets/, so the targets keep
# compiling and the parsers meet a little random input on every CI run. Needs the
# nightly toolchain; installs cargo-fuzz when it is missing. A crash fails the
# script and leaves its input in fuzz/artifacts/<target>/ (turn it into a
# regression test in tests/hostile_cli.rs or the module's tests).
# Not called by .ci/run itself; call it as `bash .ci/fuzz-smoke.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${FUZZ_SECONDS:-30}
# FUZZ_PROFILE=dev builds the targets without optimizations (`cargo fuzz --dev`):
# a smoke run needs the targets built and run, not fast, and the optimized build
# of the whole dependency tree (polars included) takes 15-40 minutes on 2 cores.
PROFILE_FLAG=()
if [ "${FUZZ_PROFILE:-release}" = dev ]; then
  PROFILE_FLAG=(--dev)
fi

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz-smoke: the nightly toolchain is missing (rustup toolchain install nightly); cargo-fuzz needs it" >&2
  exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# Seed the corpus (Parquet seeds come from `reident synth`, run with cargo run).
./fuzz/seed-corpus.sh

cd fuzz
# No sanitizer: the crate has no unsafe code of its own, and uninstrumented builds
# compile and run several times faster on a small CI machine.
cargo +nightly fuzz build -s none "${PROFILE_FLAG[@]}"
targets=$(cargo +nightly fuzz list)
for t in $targets; do
  echo "--- fuzz $t for ${SECONDS_PER_TARGET}s"
  cargo +nightly fuzz run -s none "${PROFILE_FLAG[@]}" "$t" "corpus/$t" -- \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
    -print_final_stats=1 2>&1 | grep -E 'stat::number_of_executed_units|Done|ERROR|panicked|SUMMARY' || true
  if [ -n "$(ls -A "artifacts/$t" 2>/dev/null)" ]; then
    echo "fuzz-smoke: $t crashed; inputs in fuzz/artifacts/$t" >&2
    exit 1
  fi
done
echo "fuzz-smoke: $(echo $targets | wc -w) targets, ${SECONDS_PER_TARGET}s each, no crash"
