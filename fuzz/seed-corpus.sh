#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from datasets/ (small slices of the real files) and
# from the specs the tests use. Safe to re-run: it only adds files.
set -euo pipefail
cd "$(dirname "$0")"
D=../datasets
mk() { mkdir -p "corpus/$1"; }
for t in read_csv read_ndjson read_parquet generalized_value arx_hierarchy audit_toml comparison_spec; do mk "$t"; done

# CSV: the first 40 lines of each small CSV, and two gzipped ones as they are.
i=0
for f in $(find "$D" -name '*.csv' | sort); do
  head -n 40 "$f" > "corpus/read_csv/seed$i.csv"; i=$((i+1))
done
for f in $(find "$D" -name '*.csv.gz' -size -64k | sort | head -n 2); do
  cp "$f" "corpus/read_csv/seed$i.csv.gz"; i=$((i+1))
done

# NDJSON: the first 20 lines of each gzipped NDJSON file (decompressed), one kept gzipped.
i=0
for f in $(find "$D" -name '*.ndjson.gz' -o -name '*.jsonl' -o -name '*.ndjson' | sort); do
  case "$f" in
    *.gz) (gzip -dc "$f" || true) | head -n 20 > "corpus/read_ndjson/seed$i.ndjson" ;;
    *) head -n 20 "$f" > "corpus/read_ndjson/seed$i.ndjson" ;;
  esac
  i=$((i+1))
done
printf '{"a": "x"}\n' | gzip -c > "corpus/read_ndjson/seed-gz.ndjson.gz"

# Parquet: datasets/ holds none, so a tiny corpus written by `reident synth --format
# parquet` (REIDENT names the binary; default: cargo run on the crate), and a bare
# header/footer pair.
printf 'PAR1\x15\x00PAR1' > corpus/read_parquet/seed-bare.parquet
tmp=$(mktemp -d)
if ${REIDENT:-cargo run --quiet --manifest-path ../Cargo.toml --} synth --out "$tmp/c" --users 2 --activity 0.1 --format parquet >/dev/null 2>&1; then
  for f in "$tmp"/c/*.parquet; do
    [ "$(stat -c %s "$f")" -le 65536 ] && cp "$f" "corpus/read_parquet/seed-$(basename "$f")"
  done
fi
rm -rf "$tmp"

# Generalized values.
i=0
for v in '[30-40)' '[30,40[' '30-39' '123**' '12***' '{a,b}' '{F,M,?}' '*' '>=40' '<18' '?' '' 'NULL' '1e3' '[-5,5]' $'[30-40)\x1f35'; do
  printf '%s' "$v" > "corpus/generalized_value/seed$i"; i=$((i+1))
done

# ARX hierarchies: every hierarchy file of datasets/.
i=0
for f in $(find "$D" -path '*hierarch*' -name '*.csv' | sort); do
  head -c 8192 "$f" > "corpus/arx_hierarchy/seed$i.csv"; i=$((i+1))
done

# Audit configs: the demo config.
cp "$D/audit-demo.toml" corpus/audit_toml/demo.toml

# Comparison specs and blocking rules (as in the tests).
i=0
for s in 'name:jw(0.92,0.8)+tf; age:num(1,5); zip=zip3:gen' 'x:jw(0.9,0.7)' 'name:exact+tf' \
         'dob:date(1,30); income:rel(0.1,0.5); city:lev(1,2); street:dl(1)' \
         'education & sex & race; occupation & marital-status' 'zip; prefix(2):name & year:dob' 'soundex:surname & zip=zip_code'; do
  printf '%s' "$s" > "corpus/comparison_spec/seed$i"; i=$((i+1))
done
echo "seeded: $(for t in corpus/*; do printf '%s=%s ' "$(basename "$t")" "$(ls "$t" | wc -l)"; done)"
