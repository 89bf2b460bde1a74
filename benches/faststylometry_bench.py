#!/usr/bin/env python3
"""faststylometry (Burrows' Delta) on the stylometry benchmark corpus.

Reads DATA/train.csv and DATA/test.csv (author,id,text; made by
benches/make_stylometry_corpus.py), tokenises with faststylometry's English
tokeniser (lowercase, apostrophes removed, \\w+ tokens, tokens with digits and
pronouns dropped), computes Burrows' Delta of every test document against
every training author with `calculate_burrows_delta` (vocabulary: the MFW most
frequent training tokens matching ^[a-z][a-z]+$, faststylometry's default
filter; authors are represented by their pooled training counts) and
attributes each test document to the author of smallest Delta. Prints one
JSON line: accuracy, per-phase seconds.

--calibrate also runs faststylometry's calibration flow: `calibrate(train)`
(leave-one-out over every training document, each fold a full Burrows' Delta
with vocab 50, then a logistic regression delta -> P(same author)) and
`predict_proba(train, test)`, attributing by the highest probability (a
monotone map of Delta, so the same top-1 as Delta). Its leave-one-out is
quadratic in the number of training documents; --calibrate-folds K times only
the first K folds and extrapolates.

Usage: python3 benches/faststylometry_bench.py DATA [--mfw 100] [--suffix .tok] [--compare REIDENT.json]
                                                   [--calibrate-folds K]
"""
import argparse
import csv
import json
import sys
import time

import numpy as np
import faststylometry
from faststylometry import Corpus, calculate_burrows_delta, tokenise_remove_pronouns_en
from faststylometry.probability import every_item_but_one

csv.field_size_limit(sys.maxsize)


def load(path):
    corpus = Corpus()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            corpus.add_book(row["author"], row["id"], row["text"])
    return corpus


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--mfw", type=int, default=100)
    ap.add_argument("--calibrate-folds", type=int, default=0)
    ap.add_argument("--compare", help="a `reident stylometry` JSON report on the same test file: "
                    "count documents both tools attribute to the same author")
    ap.add_argument("--suffix", default="", help="read train{suffix}.csv / test{suffix}.csv, e.g. .tok")
    args = ap.parse_args()
    t0 = time.perf_counter()
    train = load(f"{args.data}/train{args.suffix}.csv")
    test = load(f"{args.data}/test{args.suffix}.csv")
    t1 = time.perf_counter()
    train.tokenise(tokenise_remove_pronouns_en)
    test.tokenise(tokenise_remove_pronouns_en)
    t2 = time.perf_counter()
    delta = calculate_burrows_delta(train, test, vocab_size=args.mfw)
    t3 = time.perf_counter()
    # Rows: training authors; columns: "author - id" of each test document.
    predicted = delta.index.values[np.argmin(delta.values, axis=0)]
    truth = {f"{a} - {b}": a for a, b in zip(test.authors, test.books)}
    hits = sum(truth[c] == p for c, p in zip(delta.columns, predicted))
    result = {
        "tool": "faststylometry",
        "version": faststylometry.__version__,
        "mfw": args.mfw,
        "train_documents": len(train.authors),
        "test_documents": len(test.authors),
        "authors": len(set(train.authors)),
        "top1_hits": int(hits),
        "top1_accuracy": hits / len(test.authors),
        "seconds_read": round(t1 - t0, 3),
        "seconds_tokenise": round(t2 - t1, 3),
        "seconds_delta": round(t3 - t2, 3),
        "seconds_total": round(t3 - t0, 3),
    }
    if args.compare:
        with open(args.compare) as f:
            report = json.load(f)
        ours = [d["predicted"] for d in report["attribution"]["documents"]]
        theirs = dict(zip(delta.columns, predicted))
        keys = [f"{a} - {b}" for a, b in zip(test.authors, test.books)]
        result["same_prediction_as_reident"] = sum(o == theirs[k] for o, k in zip(ours, keys))
    if args.calibrate_folds:
        # The first K folds of faststylometry.probability.get_calibration_curve,
        # verbatim in effect: leave training document i out, Burrows' Delta
        # (vocab 50) of it against the other documents' authors.
        k = min(args.calibrate_folds, len(train.authors))
        t4 = time.perf_counter()
        for i in range(k):
            fold_train = Corpus(every_item_but_one(train.authors, i), every_item_but_one(train.books, i),
                                every_item_but_one(train.tokens, i))
            fold_test = Corpus(train.authors[i:i + 1], train.books[i:i + 1], train.tokens[i:i + 1])
            calculate_burrows_delta(fold_train, fold_test)
        t5 = time.perf_counter()
        per_fold = (t5 - t4) / k
        result["calibrate_folds_timed"] = k
        result["calibrate_seconds_per_fold"] = round(per_fold, 3)
        result["calibrate_seconds_extrapolated"] = round(per_fold * len(train.authors), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
