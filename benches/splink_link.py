#!/usr/bin/env python3
"""Splink (DuckDB backend) side of the record-linkage benchmark (issue #4).

Links RELEASE rows to ORIGINAL rows with the same Fellegi-Sunter model that
`reident link` runs in benches/README.md section 5, and prints wall time per
stage plus precision, recall and F1 against the truth key `id` as one JSON
line. The model, level for level:

  first_name, surname  null | exact (term-frequency adjusted) | jw >= 0.92 | jw >= 0.8 | else
  dob                  null | exact | <= 1 day | <= 31 days | else
  gender, zip          null | exact | else
  city                 null | exact (term-frequency adjusted) | else
  email                null | exact | jw >= 0.88 | else

  blocking (union)     first_name & surname; dob; zip & surname
  lambda               pairs with first_name & surname & dob equal, recall 0.6
  u                    1e6 random pairs, seed 42 (one chunk, no early stop)
  m                    EM (25 iterations, tolerance 1e-4) on first_name & surname, then dob
  links                match probability >= 0.5 (match weight >= 0), no one-to-one step

`reident link` equivalent: --fields "first_name:jw(0.92,0.8)+tf;surname:jw(0.92,0.8)+tf;
dob:date(1,31);gender:exact;city:exact+tf;zip:exact;email:jw(0.88)"
--block "first_name & surname; dob; zip & surname"
--train-block "first_name & surname; dob" --deterministic "first_name & surname & dob"
--recall 0.6 --u-pairs 1000000 --seed 42 --threshold 0 --assignment none --truth id

The dob levels are written as SQL so that a string that is not a date (a
digit typo such as 1985-13-02) falls in `else`, as in reident, instead of
Splink's default of treating it as null.

    python3 benches/splink_link.py --original O.csv --release R.csv [--threads 2]
        [--seed 42] [--u-from reident.json] [--save-model splink_model.json]
"""

import argparse
import json
import sys
import time

import duckdb
import splink
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def dob_comparison():
    d_l = "try_cast(dob_l AS DATE)"
    d_r = "try_cast(dob_r AS DATE)"
    return {
        "output_column_name": "dob",
        "comparison_levels": [
            {"sql_condition": "dob_l IS NULL OR dob_r IS NULL", "label_for_charts": "null",
             "is_null_level": True},
            {"sql_condition": "dob_l = dob_r", "label_for_charts": "exact"},
            {"sql_condition": f"abs(date_diff('day', {d_l}, {d_r})) <= 1",
             "label_for_charts": "<= 1 day"},
            {"sql_condition": f"abs(date_diff('day', {d_l}, {d_r})) <= 31",
             "label_for_charts": "<= 31 days"},
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--original", required=True)
    ap.add_argument("--release", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--memory-limit", default="10GB", help="DuckDB memory_limit")
    ap.add_argument("--seed", type=int, default=42, help="seed of the u sample")
    ap.add_argument("--u-from", metavar="REIDENT_JSON",
                    help="take u from a `reident link` result (its model) instead of "
                         "sampling it: isolates the u sample from everything else")
    ap.add_argument("--save-model", metavar="PATH",
                    help="write Splink's trained model (save_model_to_json) here")
    args = ap.parse_args()

    stages = {}
    t0 = time.perf_counter()
    t = t0

    def mark(name):
        nonlocal t
        now = time.perf_counter()
        stages[name] = round(now - t, 2)
        t = now
        print(f"[splink] {name}: {stages[name]:.1f} s", file=sys.stderr, flush=True)

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute(f"SET memory_limit = '{args.memory_limit}'")
    for name, path in [("original", args.original), ("release", args.release)]:
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', all_varchar = true, "
            f"header = true, nullstr = '')"
        )
    mark("load")

    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="id",
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            dob_comparison(),
            cl.ExactMatch("gender"),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("zip"),
            cl.JaroWinklerAtThresholds("email", [0.88]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("zip", "surname"),
        ],
        max_iterations=25,
        em_convergence=0.0001,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    db = DuckDBAPI(con)
    linker = Linker([db.register("original"), db.register("release")], settings)
    mark("setup")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.6)
    mark("lambda")
    if args.u_from:
        with open(args.u_from) as f:
            theirs = json.load(f)["model"]["comparisons"]
        ours = linker._settings_obj.comparisons
        assert len(ours) == len(theirs), "the reident model has other comparisons"
        for comparison, given in zip(ours, theirs):
            levels = comparison.comparison_levels
            assert len(levels) == len(given["levels"]), comparison.output_column_name
            # Level 0 is null in both (no u); the others are in the same order.
            for level, value in zip(levels[1:], given["levels"][1:]):
                level.u_probability = value["u"]
    else:
        linker.training.estimate_u_using_random_sampling(
            max_pairs=1e6, seed=args.seed, min_count_per_level=None, num_chunks=1)
    mark("u")
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    mark("em")
    if args.save_model:
        linker.misc.save_model_to_json(args.save_model, overwrite=True)
    pred = linker.inference.predict(threshold_match_probability=0.5)
    mark("predict")
    n_links, n_correct = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE id_l = id_r) FROM {pred.physical_name}"
    ).fetchone()
    # Every release row has its original: the true pairs are the release rows.
    n_true = con.execute(
        "SELECT count(*) FROM release r JOIN original o ON o.id = r.id").fetchone()[0]
    mark("evaluate")
    precision = n_correct / n_links if n_links else 0.0
    recall = n_correct / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(json.dumps({
        "tool": "splink", "splink": splink.__version__, "duckdb": duckdb.__version__,
        "threads": args.threads, "seconds": round(time.perf_counter() - t0, 2), "stages": stages,
        "links": n_links, "correct_links": n_correct, "true_pairs": n_true,
        "precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
    }))


if __name__ == "__main__":
    main()
