#!/usr/bin/env python3
"""Write UCI Adult replicated to N rows (default 1,000,000) for peer timings.

Deterministic: the 30,162 rows of datasets/adult/adult.csv are repeated in file order
(copy 1, copy 2, ...) and the result is cut at exactly N rows; no randomness. The number
of equivalence classes therefore stays that of Adult (for a given QI set) while every
class grows about 33-fold, so the file measures how a tool scales with rows, not with
classes. Output goes to /tmp (never into the repository), same format as the input
(`;`-separated, header line).

Usage (from the repository root):
    python3 benches/make_adult_replica.py                 # -> /tmp/adult_1m.csv
    python3 benches/make_adult_replica.py --rows 5000000 --out /tmp/adult_5m.csv
"""

import argparse
import hashlib
import pathlib

import pandas as pd

REPO = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adult", default=str(REPO / "datasets/adult/adult.csv"))
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out", default="/tmp/adult_1m.csv")
    args = ap.parse_args()
    if args.rows <= 0:
        ap.error("--rows must be positive")
    out = pathlib.Path(args.out).resolve()
    if REPO in out.parents:
        ap.error(f"refusing to write inside the repository ({out}); use /tmp")

    adult = pd.read_csv(args.adult, sep=";", dtype=str, keep_default_na=False)
    copies = -(-args.rows // len(adult))  # ceiling division
    replica = pd.concat([adult] * copies, ignore_index=True).iloc[: args.rows]
    replica.to_csv(out, sep=";", index=False)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(f"wrote {out}: {len(replica)} rows ({copies} copies of {len(adult)}), sha256 {digest}")


if __name__ == "__main__":
    main()
