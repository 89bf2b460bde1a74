#!/usr/bin/env python3
"""Write an Adult-like table of N rows whose equivalence classes grow with N (for the
out-of-core scaling figures of `reident metrics --memory`, benches/README.md section 14).

Unlike benches/make_adult_replica.py (Adult repeated, so the classes stay Adult's and
every class grows), each row here is drawn independently with a seeded generator:
a uniformly random row of datasets/adult/adult.csv (30,162 rows), its age moved by a
uniform offset in {-2..2} (kept in 17..90), plus a synthetic 3-digit ZIP prefix `zip`
drawn from a Zipf-like law over 900 prefixes (weight 1/rank^0.8). With the eight
quasi-identifiers sex, age, race, marital-status, education, native-country, workclass
and zip, new classes keep appearing as rows are added (see the counts in the README),
as they do in real releases. Deterministic for a given --seed and --rows. Output goes
outside the repository (`;`-separated, header line).

Usage (from the repository root):
    python3 benches/make_scaled_adult.py --rows 10000000 --out /tmp/adult_scaled_10m.csv
"""

import argparse
import pathlib

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[1]
CHUNK = 1_000_000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adult", default=str(REPO / "datasets/adult/adult.csv"))
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--out", default="/tmp/adult_scaled_1m.csv")
    args = ap.parse_args()
    if args.rows <= 0:
        ap.error("--rows must be positive")
    out = pathlib.Path(args.out).resolve()
    if REPO in out.parents:
        ap.error(f"refusing to write inside the repository ({out}); use /tmp")

    lines = pathlib.Path(args.adult).read_text().splitlines()
    header = lines[0].split(";")
    rows = [line.split(";") for line in lines[1:] if line]
    age_at = header.index("age")
    # Everything before and after age, as text, per Adult row.
    before = [";".join(r[:age_at]) for r in rows]
    ages = np.array([int(r[age_at]) for r in rows])
    # sex;age;race;marital-status;education;native-country;workclass | occupation;salary-class
    wc_at = header.index("workclass")
    middle = [";".join(r[age_at + 1 : wc_at + 1]) for r in rows]
    after = [";".join(r[wc_at + 1 :]) for r in rows]
    n_zip = 900
    weights = 1.0 / np.arange(1, n_zip + 1) ** 0.8
    weights /= weights.sum()
    zips = [f"{100 + z:03d}" for z in range(n_zip)]

    rng = np.random.default_rng(args.seed)
    new_header = header[: wc_at + 1] + ["zip"] + header[wc_at + 1 :]
    written = 0
    with open(out, "w", newline="\n") as f:
        f.write(";".join(new_header) + "\n")
        while written < args.rows:
            n = min(CHUNK, args.rows - written)
            pick = rng.integers(0, len(rows), size=n)
            age = np.clip(ages[pick] + rng.integers(-2, 3, size=n), 17, 90)
            zip_rank = rng.choice(n_zip, size=n, p=weights)
            f.write(
                "".join(
                    f"{before[p]};{a};{middle[p]};{zips[z]};{after[p]}\n"
                    for p, a, z in zip(pick.tolist(), age.tolist(), zip_rank.tolist())
                )
            )
            written += n
    print(f"wrote {out}: {written} rows, seed {args.seed}")


if __name__ == "__main__":
    main()
