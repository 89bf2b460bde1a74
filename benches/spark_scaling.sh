#!/usr/bin/env bash
# Scaling of the Spark engine against in process (issue #18, must-have 6;
# benches/README.md section 11, "Scaling on the local Spark").
#
#   benches/spark_scaling.sh [ROWS...]      # default: 1000000 10000000
#
# For each size it writes (outside the repository, under $WORK, default
# /tmp/spark-scaling) the scaled Adult table (benches/make_scaled_adult.py)
# and, for link, the person-record pair (benches/make_linkage_data.py, at
# sizes up to $LINK_MAX, default 1000000), converts them to Parquet with
# Spark itself (string columns), then times:
#   reident metrics on the Parquet file, in process ($INPROC, a release build
#     without the spark feature is fine) and with --engine spark:// ($SPARKBIN,
#     a build with --features spark);
#   reident link (exact comparisons and levels Spark can run) the same two ways.
# Each Spark run starts a fresh server (scripts/spark-connect.sh, local[2],
# driver memory $REIDENT_SPARK_DRIVER_MEMORY, default 4g) so that the JVM's
# peak RSS (VmHWM) and CPU time (utime + stime of the server's process
# group, from /proc) belong to that run alone. Output: one line per run in
# $WORK/results.tsv and the JSON reports next to it.
#
# Needs: python3 with numpy ($PY), the Spark venv ($REIDENT_SPARK_VENV), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK="${WORK:-/tmp/spark-scaling}"
PY="${PY:-python3}"
INPROC="${INPROC:-target/release/reident}"
SPARKBIN="${SPARKBIN:-target/release/reident}"
LINK_MAX="${LINK_MAX:-1000000}"
export REIDENT_SPARK_PORT="${REIDENT_SPARK_PORT:-15012}"
export REIDENT_SPARK_VENV="${REIDENT_SPARK_VENV:-target/spark-venv}"
export REIDENT_SPARK_DRIVER_MEMORY="${REIDENT_SPARK_DRIVER_MEMORY:-4g}"
URL="spark://127.0.0.1:$REIDENT_SPARK_PORT"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
[ -f "$RESULTS" ] || printf 'command\trows\tengine\twall_s\tuser_s\tsys_s\tmaxrss_kb\tjvm_cpu_s\tjvm_hwm_kb\n' >"$RESULTS"

Q=sex,age,race,marital-status,education,native-country,workclass,zip
F="first_name:exact;surname:exact;dob:exact;gender:exact;city:exact;zip:exact;email:lev(2)"
LINK_ARGS=(--fields "$F" --block "first_name & surname; dob; zip & surname"
  --train-block "first_name & surname; dob" --deterministic "first_name & surname & dob"
  --recall 0.6 --u-pairs 1000000 --seed 42 --threshold 0 --assignment none --truth id --explain 0)

to_parquet() { # CSV SEP PARQUET-DIR
  [ -d "$3" ] && return 0
  SPARK_HOME="$("$REIDENT_SPARK_VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" \
  "$REIDENT_SPARK_VENV/bin/python" - "$1" "$2" "$3" <<'PYEOF'
import sys
from pyspark.sql import SparkSession
src, sep, out = sys.argv[1:]
spark = SparkSession.builder.master("local[2]").config("spark.driver.memory", "4g").getOrCreate()
spark.read.option("header", "true").option("sep", sep).csv(src).coalesce(1).write.parquet(out)
spark.stop()
PYEOF
}

group_cpu() { # PGID -> utime+stime in clock ticks of every process in the group
  local total=0
  for s in /proc/[0-9]*/stat; do
    read -r -a f <"$s" 2>/dev/null || continue
    # field 5 (index 4) is pgrp; 14/15 (index 13/14) utime/stime (no spaces in comm here)
    [ "${f[4]}" = "$1" ] && total=$((total + f[13] + f[14]))
  done
  echo "$total"
}

timed() { # LABEL ROWS ENGINE OUT -- command...
  local label=$1 rows=$2 engine=$3 out=$4; shift 5
  local jvm_cpu=- jvm_hwm=- pgid="" before=0
  if [ "$engine" = spark ]; then
    scripts/spark-connect.sh start >/dev/null
    pgid="$(cat target/spark-connect/pid)"
    before="$(group_cpu "$pgid")"
  fi
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" "$@" >"$out" 2>"$out.err" || true
  if [ -n "$pgid" ]; then
    local after tick pid hwm=0
    after="$(group_cpu "$pgid")"
    tick="$(getconf CLK_TCK)"
    jvm_cpu="$(awk -v a="$after" -v b="$before" -v t="$tick" 'BEGIN{printf "%.1f", (a-b)/t}')"
    for pid in $(pgrep -g "$pgid"); do
      local h
      h="$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
      [ "${h:-0}" -gt "$hwm" ] && hwm=$h
    done
    jvm_hwm=$hwm
    scripts/spark-connect.sh stop >/dev/null
  fi
  read -r wall user sys rss <"$WORK/time.txt"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rows" "$engine" "$wall" "$user" "$sys" "$rss" "$jvm_cpu" "$jvm_hwm" | tee -a "$RESULTS"
}

for n in "${SIZES[@]}"; do
  csv="$WORK/adult_scaled_$n.csv"
  [ -f "$csv" ] || "$PY" benches/make_scaled_adult.py --rows "$n" --out "$csv"
  pq="$WORK/adult_scaled_$n.parquet"
  to_parquet "$csv" ';' "$pq"
  file="$(ls "$pq"/part-*.parquet | head -1)"
  M=(metrics --qi "$Q" --sensitive occupation,salary-class --no-hidden-qi --format json)
  timed metrics "$n" in-process "$WORK/metrics_$n.inproc.json" -- "$INPROC" "${M[@]}" --data "$file"
  timed metrics "$n" spark "$WORK/metrics_$n.spark.json" -- "$SPARKBIN" "${M[@]}" --data "$file" --engine "$URL"
  if [ "$n" -le "$LINK_MAX" ]; then
    d="$WORK/link_$n"
    [ -f "$d/original.csv" ] || "$PY" benches/make_linkage_data.py --n "$n" --out "$d"
    to_parquet "$d/original.csv" ',' "$d/original.parquet"
    to_parquet "$d/release.csv" ',' "$d/release.parquet"
    o="$(ls "$d"/original.parquet/part-*.parquet | head -1)"
    r="$(ls "$d"/release.parquet/part-*.parquet | head -1)"
    timed link "$n" in-process "$WORK/link_$n.inproc.json" -- "$INPROC" link --original "$o" --release "$r" "${LINK_ARGS[@]}"
    timed link "$n" spark "$WORK/link_$n.spark.json" -- "$SPARKBIN" link --original "$o" --release "$r" "${LINK_ARGS[@]}" --engine "$URL"
  fi
done
