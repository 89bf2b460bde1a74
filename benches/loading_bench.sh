#!/bin/bash
# Loading figures of benches/README.md section 12, reident and its peers side by side.
# usage: benches/loading_bench.sh REIDENT_BINARY DATA_DIR PYTHON_WITH_DUCKDB_AND_SPLINK
# DATA_DIR holds adult_10m.csv, adult_10m.parquet and link_{100000,300000,1000000}/ (see the README).
# Prints /usr/bin/time lines (wall, user, sys, peak RSS) and each tool's JSON line.
set -u
B=$1; D=$2; P=$3
QI=sex,age,race,marital-status,education,native-country,workclass,salary-class
T='wall=%e s user=%U s sys=%S s maxrss=%M KB'
HERE=$(cd "$(dirname "$0")" && pwd)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in adult_10m.csv adult_10m.parquet; do
  echo "== reident metrics $f"
  /usr/bin/time -f "$T" "$B" metrics --data "$D/$f" --qi $QI --sensitive occupation --format json > /dev/null
  echo "== duckdb $f"
  /usr/bin/time -f "$T" "$P" "$HERE/loading_duckdb.py" --data "$D/$f" --qi $QI
done
for n in 100000 300000 1000000; do
  L=$D/link_$n
  echo "== reident link $n"
  /usr/bin/time -f "$T" "$B" link --original "$L/original.csv" --release "$L/release.csv" \
    --fields "first_name:jw(0.92,0.8)+tf;surname:jw(0.92,0.8)+tf;dob:date(1,31);gender:exact;city:exact+tf;zip:exact;email:jw(0.88)" \
    --block "first_name & surname; dob; zip & surname" --train-block "first_name & surname; dob" \
    --deterministic "first_name & surname & dob" --recall 0.6 --u-pairs 1000000 --seed 42 \
    --threshold 0 --assignment none --truth id --explain 0 --timings > /dev/null
  if [ "$n" != 1000000 ]; then
    echo "== splink $n"
    /usr/bin/time -f "$T" "$P" "$HERE/splink_link.py" --original "$L/original.csv" --release "$L/release.csv"
  fi
done
