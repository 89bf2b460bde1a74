#!/usr/bin/env python3
"""Write a generalized release of a `make_scaled_adult.py` table, for the out-of-core QI-join
figures (`reident link --qi ... --memory`, benches/README.md section 14).

Every row of the input is released, in order, with a `row` column (its 0-based data row:
the truth key `#row=row`) and six quasi-identifiers generalized the way a global-recoding
anonymizer would: `age` as a 10-year interval (`[30-40)`), `zip` (a 3-digit prefix) masked
to its first digit (`1**`), `marital-status` as its level-1 node and `education` as its
level-2 node of the Adult hierarchies (datasets/adult/hierarchies), `sex` suppressed (`*`)
on every 50th row, `race` kept. Deterministic; `;`-separated, header line.

Usage (from the repository root):
    python3 benches/make_generalized_release.py --data /tmp/adult_scaled_10m.csv --out /tmp/release_10m.csv
"""

import argparse
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[1]


def level(column: str, depth: int) -> dict:
    path = REPO / f"datasets/adult/hierarchies/adult_hierarchy_{column}.csv"
    out = {}
    for line in path.read_text().splitlines():
        parts = line.split(";")
        if parts and parts[0]:
            out[parts[0]] = parts[depth]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    marital = level("marital-status", 1)
    education = level("education", 2)
    with open(args.data) as src, open(args.out, "w") as dst:
        header = src.readline().rstrip("\n").split(";")
        at = {c: i for i, c in enumerate(header)}
        dst.write("row;sex;age;race;marital-status;education;zip\n")
        for row, line in enumerate(src):
            f = line.rstrip("\n").split(";")
            age = int(f[at["age"]]) // 10 * 10
            sex = "*" if row % 50 == 49 else f[at["sex"]]
            dst.write(
                f"{row};{sex};[{age}-{age + 10});{f[at['race']]};{marital[f[at['marital-status']]]};"
                f"{education[f[at['education']]]};{f[at['zip']][0]}**\n"
            )


if __name__ == "__main__":
    main()
