#!/usr/bin/env python3
"""A PAN-format authorship verification sample from the real Apache Jira comments.

The PAN 2020/2021 verification data (fan fiction, on Zenodo) is not reachable
from this machine, so this script builds a sample in the same file format from
the shared capture of real ASF Jira comments
(/work/shared/datasets/apache_jira_issues, see ../apache_jira/SOURCE.md):

  train/pairs.jsonl  {"id", "pair": [text_1, text_2]}
  train/truth.jsonl  {"id", "same": bool, "authors": [a, b]}
  test/pairs.jsonl, test/truth.jsonl   the same for the test authors

Rules (deterministic; SEED below):
  1. comments (body, by author_name) and issues (summary + blank line +
     description, by reporter_name), bot accounts dropped (BOT_NAMES, as in
     ../apache_jira/make_subsample.py); author = display name;
  2. each author's comments and issues in time order (created, then comment id or
     issue key) are cut
     into documents: consecutive texts joined by a blank line until the
     document has >= MIN_CHARS characters (a trailing shorter rest is
     dropped), so a document is a few comments or issues of one person;
  3. authors with >= MIN_DOCS documents are kept; they are shuffled and
     split into disjoint train and test authors (TEST_SHARE of them to test):
     the open setting of PAN 2021, no test author is seen in training;
  4. pairs within each side: each author's documents are shuffled and taken
     two by two as same-author pairs (a document is in at most one same-author
     pair); as many different-author pairs are drawn, each from two
     different authors picked uniformly (weighted by nothing), with documents
     not reused within the different-author pairs where possible; ids are
     sha1 prefixes of the side, index and kind.

Usage: python3 make_pan_sample.py [SHARED_DIR]

Corpus mode (the same rules on a public authorship corpus with few authors,
e.g. ../federalist or ../brontes, whose documents.jsonl.gz has `text` and
`author`):

  python3 make_pan_sample.py --corpus DOCUMENTS.jsonl.gz --out DIR
      [--chunk CHARS] [--keep-status known]

  1'. each document is cut into paragraphs (runs of 3+ line breaks), and
      rule 2 is applied to the paragraphs of one document at a time with
      CHARS (default 4000) in place of MIN_CHARS, so a text is a run of
      consecutive paragraphs of one work; with --keep-status S only
      documents whose `author_status` is S are read (the Federalist papers'
      joint and disputed papers are left out);
  3'. with three authors no test author can be unseen, so the split is the
      closed setting of PAN 2020 instead: each author's source documents are
      shuffled and half of them (rounded down, at least one each side when
      the author has two) go to test, the rest to train, so no work is cut
      across the two sides;
  4'. as rule 4, but a same-author pair takes its two texts from two
      different source documents (two excerpts of one paper or chapter would
      share its topic), and texts that find no partner are dropped.
"""
import gzip
import hashlib
import json
import os
import random
import sys

SEED = 2021
MIN_CHARS = 400
MIN_DOCS = 4
TEST_SHARE = 0.5
BOT_NAMES = {"ASF GitHub Bot", "Hadoop QA", "Apache Spark", "ci-cassandra.apache.org",
             "Hudson", "Jenkins", "jiraposter", "githubbot"}


def documents(shared):
    by_author = {}
    with gzip.open(os.path.join(shared, "comments.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            a = (r.get("author_name") or "").strip()
            body = (r.get("body") or "").strip()
            if not a or a in BOT_NAMES or not body:
                continue
            by_author.setdefault(a, []).append((r.get("created") or "", r.get("comment_id") or "", body))
    with gzip.open(os.path.join(shared, "issues.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            a = (r.get("reporter_name") or "").strip()
            desc = (r.get("description") or "").strip()
            if not a or a in BOT_NAMES or not desc:
                continue
            body = ((r.get("summary") or "").strip() + "\n\n" + desc).strip()
            by_author.setdefault(a, []).append((r.get("created") or "", r.get("issue_key") or "", body))
    docs = {}
    for a, comments in by_author.items():
        comments.sort()
        # The same comment may be captured twice by different scrapers.
        seen, cur, out = set(), [], []
        for _, cid, body in comments:
            if (cid, body) in seen:
                continue
            seen.add((cid, body))
            cur.append(body)
            if sum(len(c) for c in cur) >= MIN_CHARS:
                out.append("\n\n".join(cur))
                cur = []
        if len(out) >= MIN_DOCS:
            docs[a] = out
    return docs


def pairs_of(authors, docs, rng, side):
    same, diff = [], []
    pool = []
    for a in authors:
        d = list(docs[a])
        rng.shuffle(d)
        for i in range(0, len(d) - 1, 2):
            same.append((d[i], d[i + 1], a, a))
        pool.extend((a, t) for t in d)
    rng.shuffle(pool)
    used = set()
    tries = 0
    while len(diff) < len(same) and tries < 100000:
        tries += 1
        a, b = rng.sample(authors, 2)
        ca = [i for i, (x, _) in enumerate(pool) if x == a and i not in used] or \
             [i for i, (x, _) in enumerate(pool) if x == a]
        cb = [i for i, (x, _) in enumerate(pool) if x == b and i not in used] or \
             [i for i, (x, _) in enumerate(pool) if x == b]
        i, j = rng.choice(ca), rng.choice(cb)
        used.update((i, j))
        diff.append((pool[i][1], pool[j][1], a, b))
    problems = [(p, True) for p in same] + [(p, False) for p in diff]
    rng.shuffle(problems)
    out = []
    for k, ((t1, t2, a, b), s) in enumerate(problems):
        pid = hashlib.sha1(f"{side}-{k}-{s}".encode()).hexdigest()[:16]
        out.append((pid, t1, t2, a, b, s))
    return out


def corpus_texts(path, chunk, keep_status):
    """Rule 1': {author: [(source_id, text), ...]} from a documents.jsonl.gz."""
    import re
    by_author = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            r = json.loads(line)
            if keep_status and r.get("author_status") != keep_status:
                continue
            a = (r.get("author") or "").strip()
            text = (r.get("text") or "").strip()
            if not a or not text:
                continue
            src = r.get("doc_id") or str(n)
            cur, out = [], []
            for para in re.split(r"\n{3,}", text):
                para = para.strip()
                if not para:
                    continue
                cur.append(para)
                if sum(len(c) for c in cur) >= chunk:
                    out.append("\n\n\n\n".join(cur))
                    cur = []
            by_author.setdefault(a, []).extend((src, t) for t in out)
    return by_author


def corpus_pairs(authors, texts, rng, side):
    """Rule 4': same-author pairs from two different source documents."""
    same, diff, pool = [], [], []
    for a in authors:
        d = list(texts[a])
        rng.shuffle(d)
        left = d
        while len(left) >= 2:
            first, rest = left[0], left[1:]
            k = next((i for i, (src, _) in enumerate(rest) if src != first[0]), None)
            if k is None:
                break
            same.append((first[1], rest[k][1], a, a))
            pool.append((a, first[1]))
            pool.append((a, rest[k][1]))
            left = rest[:k] + rest[k + 1:]
    rng.shuffle(pool)
    used = set()
    tries = 0
    while len(diff) < len(same) and tries < 100000:
        tries += 1
        a, b = rng.sample(authors, 2)
        ca = [i for i, (x, _) in enumerate(pool) if x == a and i not in used] or \
             [i for i, (x, _) in enumerate(pool) if x == a]
        cb = [i for i, (x, _) in enumerate(pool) if x == b and i not in used] or \
             [i for i, (x, _) in enumerate(pool) if x == b]
        if not ca or not cb:
            continue
        i, j = rng.choice(ca), rng.choice(cb)
        used.update((i, j))
        diff.append((pool[i][1], pool[j][1], a, b))
    problems = [(p, True) for p in same] + [(p, False) for p in diff]
    rng.shuffle(problems)
    out = []
    for k, ((t1, t2, a, b), s) in enumerate(problems):
        pid = hashlib.sha1(f"{side}-{k}-{s}".encode()).hexdigest()[:16]
        out.append((pid, t1, t2, a, b, s))
    return out


def write_side(out_dir, side, problems, n_authors):
    os.makedirs(os.path.join(out_dir, side), exist_ok=True)
    with open(os.path.join(out_dir, side, "pairs.jsonl"), "w", encoding="utf-8") as fp, \
         open(os.path.join(out_dir, side, "truth.jsonl"), "w", encoding="utf-8") as ft:
        for pid, t1, t2, a, b, s in problems:
            fp.write(json.dumps({"id": pid, "pair": [t1, t2]}, ensure_ascii=False) + "\n")
            ft.write(json.dumps({"id": pid, "same": s, "authors": [a, b]}, ensure_ascii=False) + "\n")
    n_same = sum(1 for p in problems if p[5])
    print(f"{side}: {n_authors} authors, {len(problems)} pairs ({n_same} same-author)")


def corpus_main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chunk", type=int, default=4000)
    ap.add_argument("--keep-status", default=None)
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    texts = corpus_texts(args.corpus, args.chunk, args.keep_status)
    authors = sorted(texts)
    split = {"train": {}, "test": {}}
    for a in authors:
        sources = sorted({src for src, _ in texts[a]})
        rng.shuffle(sources)
        n_test = len(sources) // 2
        test_src = set(sources[:n_test])
        split["test"][a] = [(s, t) for s, t in texts[a] if s in test_src]
        split["train"][a] = [(s, t) for s, t in texts[a] if s not in test_src]
    for side in ("train", "test"):
        side_authors = [a for a in authors if split[side][a]]
        problems = corpus_pairs(side_authors, split[side], rng, side)
        write_side(args.out, side, problems, len(side_authors))


def main():
    if "--corpus" in sys.argv[1:]:
        corpus_main(sys.argv[1:])
        return
    shared = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/apache_jira_issues"
    here = os.path.dirname(os.path.abspath(__file__))
    rng = random.Random(SEED)
    docs = documents(shared)
    authors = sorted(docs)
    rng.shuffle(authors)
    n_test = int(round(len(authors) * TEST_SHARE))
    split = {"test": sorted(authors[:n_test]), "train": sorted(authors[n_test:])}
    for side in ("train", "test"):
        problems = pairs_of(split[side], docs, rng, side)
        os.makedirs(os.path.join(here, side), exist_ok=True)
        with open(os.path.join(here, side, "pairs.jsonl"), "w", encoding="utf-8") as fp, \
             open(os.path.join(here, side, "truth.jsonl"), "w", encoding="utf-8") as ft:
            for pid, t1, t2, a, b, s in problems:
                fp.write(json.dumps({"id": pid, "pair": [t1, t2]}, ensure_ascii=False) + "\n")
                ft.write(json.dumps({"id": pid, "same": s, "authors": [a, b]}, ensure_ascii=False) + "\n")
        n_same = sum(1 for p in problems if p[5])
        print(f"{side}: {len(split[side])} authors, {len(problems)} pairs ({n_same} same-author)")


if __name__ == "__main__":
    main()
