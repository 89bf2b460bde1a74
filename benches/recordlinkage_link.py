#!/usr/bin/env python3
"""recordlinkage (Python Record Linkage Toolkit) side of the linkage benchmark.

Links RELEASE rows to ORIGINAL rows with the closest model recordlinkage can
express to the one `reident link` and benches/splink_link.py run (see that
file's docstring for the full model), and prints wall time per stage plus
precision, recall and F1 against the truth key `id` as one JSON line.

Same as the others:
  * blocking: the union of `first_name & surname`, `dob`, `zip & surname`
    (recordlinkage.Index().block, rows with a missing key in no block);
  * comparison levels: first_name and surname null | exact | jw >= 0.92 |
    jw >= 0.8 | else; dob null | exact | <= 1 day | <= 31 days | else
    (a string that is not a date falls in else); gender, city, zip null |
    exact | else; email null | exact | jw >= 0.88 | else. Jaro-Winkler is
    recordlinkage's own (jellyfish); the levels are computed by a custom
    recordlinkage compare feature (BaseCompareFeature) per field;
  * links: match probability >= 0.5.
Where it differs (recordlinkage has no way to say otherwise):
  * m AND u are both estimated by recordlinkage's ECMClassifier
    (Expectation/Conditional Maximisation, Herzog, Scheuren & Winkler 2007)
    on all blocked pairs at once; there is no u from random pairs, no lambda
    from deterministic rules and no per-rule EM sessions: the prior is the
    in-block match share that ECM fits;
  * null is one more category of each feature (with its own m and u) rather
    than a level with Bayes factor 1;
  * no term-frequency adjustment;
  * ECM starts from Splink-like values (match: 0.95 on exact, the rest
    spread; non-match: 0.95 on else; in-block prior 0.1) instead of
    recordlinkage's 'jaro' start, which accepts binary features only, or
    'random', which is unseeded and can swap the classes.

    python3 benches/recordlinkage_link.py --original O.csv --release R.csv
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import recordlinkage
from recordlinkage.algorithms.nb_sklearn import ECM
from recordlinkage.algorithms.string import jarowinkler_similarity
from recordlinkage.base import BaseCompareFeature

COLUMNS = ["first_name", "surname", "dob", "gender", "city", "zip", "email"]


class LevelString(BaseCompareFeature):
    """null (0) | exact (1) | jw >= t1 (2) | jw >= t2 (3) .. | else."""

    def __init__(self, column, jw_thresholds=(), label=None):
        super().__init__(column, column, label=label)
        self.jw_thresholds = list(jw_thresholds)

    def _compute_vectorized(self, s_left, s_right):
        null = (s_left.isna() | s_right.isna()).to_numpy()
        exact = (s_left == s_right).to_numpy()
        conds, values = [null, exact], [0, 1]
        if self.jw_thresholds:
            jw = jarowinkler_similarity(s_left, s_right).to_numpy(dtype=float)
            for i, t in enumerate(self.jw_thresholds):
                conds.append(jw >= t)
                values.append(2 + i)
        return np.select(conds, values, default=len(values)).astype(np.int8)


class LevelDate(BaseCompareFeature):
    """null (0) | exact (1) | <= 1 day (2) | <= 31 days (3) | else (4)."""

    def _compute_vectorized(self, s_left, s_right):
        null = (s_left.isna() | s_right.isna()).to_numpy()
        exact = (s_left == s_right).to_numpy()
        dl = pd.to_datetime(s_left, format="%Y-%m-%d", errors="coerce")
        dr = pd.to_datetime(s_right, format="%Y-%m-%d", errors="coerce")
        days = (dl - dr).dt.days.abs().to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return np.select([null, exact, days <= 1, days <= 31], [0, 1, 2, 3],
                             default=4).astype(np.int8)


class SplinkStartECM(ECM):
    """recordlinkage's ECM with categorical start values (see module doc)."""

    def _init_parameters_jaro(self, X_bin):
        feature_prob = []
        for b in self._binarizers:
            classes = list(b.classes_)
            n = len(classes)
            match = np.full(n, 0.05 / max(n - 1, 1))
            non = np.full(n, 0.05 / max(n - 1, 1))
            if 1 in classes:
                match[classes.index(1)] = 0.95
            non[n - 1] = 0.95  # the highest level present is `else`
            match /= match.sum()
            non /= non.sum()
            for i in range(n):
                feature_prob.append([non[i], match[i]])
        return np.log([0.9, 0.1]), np.log(feature_prob).T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--original", required=True)
    ap.add_argument("--release", required=True)
    args = ap.parse_args()
    stages = {}
    t0 = time.perf_counter()
    t = t0

    def mark(name):
        nonlocal t
        now = time.perf_counter()
        stages[name] = round(now - t, 2)
        t = now
        print(f"[recordlinkage] {name}: {stages[name]:.1f} s", file=sys.stderr, flush=True)

    read = dict(dtype=str, keep_default_na=False, na_values=[""])
    a = pd.read_csv(args.original, **read)
    b = pd.read_csv(args.release, **read)
    mark("load")

    indexer = recordlinkage.Index()
    indexer.block(left_on=["first_name", "surname"], right_on=["first_name", "surname"])
    indexer.block(left_on="dob", right_on="dob")
    indexer.block(left_on=["zip", "surname"], right_on=["zip", "surname"])
    pairs = indexer.index(a, b)
    mark("blocking")
    print(f"[recordlinkage] {len(pairs):,} pairs", file=sys.stderr, flush=True)

    compare = recordlinkage.Compare()
    compare.add(LevelString("first_name", [0.92, 0.8], label="first_name"))
    compare.add(LevelString("surname", [0.92, 0.8], label="surname"))
    compare.add(LevelDate("dob", "dob", label="dob"))
    compare.add(LevelString("gender", label="gender"))
    compare.add(LevelString("city", label="city"))
    compare.add(LevelString("zip", label="zip"))
    compare.add(LevelString("email", [0.88], label="email"))
    features = compare.compute(pairs, a, b)
    mark("compare")

    clf = recordlinkage.ECMClassifier(init="jaro", max_iter=100)
    clf.kernel = SplinkStartECM(init="jaro", max_iter=100, binarize=None, atol=10e-5)
    clf.fit(features)
    mark("ecm")
    prob = clf.prob(features).to_numpy()
    links = prob >= 0.5
    mark("predict")

    left = a["id"].to_numpy()[pairs.get_level_values(0)]
    right = b["id"].to_numpy()[pairs.get_level_values(1)]
    correct = left == right
    n_links = int(links.sum())
    n_correct = int((links & correct).sum())
    n_true = int(b["id"].isin(set(a["id"])).sum())
    mark("evaluate")
    precision = n_correct / n_links if n_links else 0.0
    recall = n_correct / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(json.dumps({
        "tool": "recordlinkage", "recordlinkage": recordlinkage.__version__,
        "seconds": round(time.perf_counter() - t0, 2), "stages": stages,
        "pairs_compared": len(pairs), "true_pairs_blocked": int(correct.sum()),
        "in_block_match_share": float(np.exp(clf.kernel.class_log_prior_[1])),
        "links": n_links, "correct_links": n_correct, "true_pairs": n_true,
        "precision": round(precision, 5), "recall": round(recall, 5), "f1": round(f1, 5),
    }))


if __name__ == "__main__":
    main()
