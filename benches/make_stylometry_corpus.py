#!/usr/bin/env python3
"""Builds the 10,000-document x 500-author stylometry benchmark corpus.

The real Apache Jira capture has too few authors (26 with >= 10 documents), so
the corpus comes from `reident synth` (seeded Atlassian-style text with
per-user writing style). Run first:

    reident synth --out DATA/synth --users 600 --seed 7 --activity 1.5 --format ndjson

then:

    python3 benches/make_stylometry_corpus.py DATA [--pretokenised]

Documents: comments (author, body), issues (reporter, summary + blank line +
description), pages (author, title + blank line + body). Authors with >= 20
documents are sorted by name, 500 are drawn with random.Random(SEED), and 20
documents of each (by id order, then a seeded sample) are split 10 / 10 into
DATA/train.csv and DATA/test.csv (columns author,id,text): 5,000 training
and 5,000 test documents, 10,000 in all. Deterministic: same synth seed, same
bytes.

With --pretokenised it also writes DATA/train.tok.csv and DATA/test.tok.csv:
the same documents with `text` replaced by faststylometry's tokens
(`tokenise_remove_pronouns_en`) that match its vocabulary filter
^[a-z][a-z]+$, joined by spaces. Both tools then see the same token stream
(same words, same per-document token totals), so the comparison isolates
the Delta computation.
"""
import csv
import json
import os
import random
import re
import sys

SEED = 11
AUTHORS = 500
DOCS = 20


def main():
    data = sys.argv[1]
    synth = os.path.join(data, "synth")
    docs = {}

    def add(author, doc_id, text):
        if author and text and text.strip():
            docs.setdefault(author, []).append((doc_id, text))

    with open(os.path.join(synth, "comments.ndjson")) as f:
        for line in f:
            r = json.loads(line)
            add(r["author"], "comment:" + r["comment_id"], r["body"])
    with open(os.path.join(synth, "issues.ndjson")) as f:
        for line in f:
            r = json.loads(line)
            add(r["reporter"], "issue:" + r["issue_key"],
                (r["summary"] or "") + "\n\n" + (r["description"] or ""))
    with open(os.path.join(synth, "pages.ndjson")) as f:
        for line in f:
            r = json.loads(line)
            add(r["author"], "page:" + r["page_id"], (r["title"] or "") + "\n\n" + (r["body"] or ""))

    rng = random.Random(SEED)
    eligible = sorted(a for a, d in docs.items() if len(d) >= DOCS)
    if len(eligible) < AUTHORS:
        sys.exit(f"only {len(eligible)} authors have >= {DOCS} documents; raise --users or --activity")
    authors = sorted(rng.sample(eligible, AUTHORS))
    train, test = [], []
    for a in authors:
        chosen = rng.sample(sorted(docs[a]), DOCS)
        train += [(a, i, t) for i, t in chosen[: DOCS // 2]]
        test += [(a, i, t) for i, t in chosen[DOCS // 2:]]
    for name, rows in (("train.csv", train), ("test.csv", test)):
        with open(os.path.join(data, name), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["author", "id", "text"])
            w.writerows(rows)
    if "--pretokenised" in sys.argv[2:]:
        from faststylometry import tokenise_remove_pronouns_en
        keep = re.compile(r"^[a-z][a-z]+$")
        for name, rows in (("train.tok.csv", train), ("test.tok.csv", test)):
            with open(os.path.join(data, name), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["author", "id", "text"])
                for a, i, t in rows:
                    tokens = [x for x in tokenise_remove_pronouns_en(t) if keep.match(x)]
                    w.writerow([a, i, " ".join(tokens)])
    words = sum(len(t.split()) for _, _, t in train + test)
    print(f"{len(authors)} authors, {len(train)} train + {len(test)} test documents, "
          f"{words} whitespace words ({words / (len(train) + len(test)):.0f} per document)")


if __name__ == "__main__":
    main()
