#!/bin/sh
# Stylometry benchmark: reident vs faststylometry (Burrows' Delta, 100 MFW), 5 runs each, on
# 10,000 synthetic documents by 500 authors (5,000 train / 5,000 test).
# Usage: benches/stylometry_bench.sh [DATA] [REIDENT]
#   DATA    default /work/stylobench-data (generated data; not committed)
#   REIDENT default target/release/reident
# Prints one line per run: tool, input, wall s, user s, system s, peak RSS KB, top-1 hits.
set -eu
DATA=${1:-/work/stylobench-data}
R=${2:-target/release/reident}
HERE=$(dirname "$0")
mkdir -p "$DATA"
[ -f "$DATA/synth/comments.ndjson" ] ||
  "$R" synth --out "$DATA/synth" --users 600 --seed 7 --activity 1.5 --format ndjson
python3 "$HERE/make_stylometry_corpus.py" "$DATA" --pretokenised
uptime
for SUFFIX in "" .tok; do
  for RUN in 1 2 3 4 5; do
    for PROFILE in subcorpus centroid; do
      OUT="$DATA/reident$SUFFIX.$PROFILE.json"
      /usr/bin/time -f "%e %U %S %M" -o "$DATA/time.txt" "$R" stylometry \
        --train "$DATA/train$SUFFIX.csv" --test "$DATA/test$SUFFIX.csv" \
        --features mfw:100 --classifier burrows --profile $PROFILE --top-n 1 > "$OUT"
      HITS=$(python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['attribution']['evaluation']; print(round(e['top1_accuracy']*e['n_documents']))" "$OUT")
      echo "reident-$PROFILE train$SUFFIX run$RUN wall,user,sys_s,maxrss_kb=$(cat "$DATA/time.txt") hits=$HITS"
    done
    /usr/bin/time -f "%e %U %S %M" -o "$DATA/time.txt" python3 "$HERE/faststylometry_bench.py" "$DATA" \
      --suffix "$SUFFIX" --compare "$DATA/reident$SUFFIX.subcorpus.json" > "$DATA/fast$SUFFIX.json"
    echo "faststylometry train$SUFFIX run$RUN wall,user,sys_s,maxrss_kb=$(cat "$DATA/time.txt") $(cat "$DATA/fast$SUFFIX.json")"
  done
done
