#!/usr/bin/env python3
"""Reproducible authorship subsample of the real Apache Jira data.

Reads the shared capture (issues.jsonl.gz, comments.jsonl.gz; see SOURCE.md)
and writes, next to this script:

  train.jsonl  the attacker's background: documents with their author
  test.jsonl   the "release": the other documents of the same authors, with
               the true `author` (the truth key, for scoring) and a stable
               `pseudonym` per author (what a pseudonymised release shows)
  users.csv    login,display_name of every human account in the capture
               (the name dictionary a data owner would redact with)
  bots.txt     the bot accounts dropped, with their document counts

Rules (all deterministic; seed 5):
  1. documents = comments (author_name) and issues (reporter_name; text =
     summary + blank line + description); author = display name (logins are
     missing for some sources, display names are not);
  2. drop bot accounts: the explicit list BOT_NAMES / BOT_LOGINS below, which
     covers every bot-like account in the capture (checked by the regex
     BOT_LIKE over all names and logins: the script fails if it matches an
     account that is not listed);
  3. keep documents with >= MIN_WORDS whitespace-separated words;
  4. keep authors with >= MIN_DOCS such documents; sample at most MAX_DOCS
     per author (random.Random(SEED));
  5. split each author's documents by issue: the author's issues are shuffled
     and each goes to the release if it still fits in half of the author's
     documents (rounded down), else to training; no issue thread of an author
     is on both sides. Authors left with < MIN_SIDE documents on either side
     (their text sits in one or two long threads) are dropped and listed.

Usage: python3 make_subsample.py [SHARED_DIR]
  (default SHARED_DIR = /work/shared/datasets/apache_jira_issues)
"""
import collections
import csv
import gzip
import json
import os
import random
import re
import sys

SEED = 5
MIN_WORDS = 10
MIN_DOCS = 10
MAX_DOCS = 20
MIN_SIDE = 3
BOT_NAMES = {
    "ASF GitHub Bot",  # mirrored GitHub PR events (logins githubbot / none)
    "Hadoop QA",  # Yetus pre-commit vote tables (hadoopqa)
    "Apache Spark",  # "User 'x' has created a pull request" (apachespark)
    "ci-cassandra.apache.org",  # same PR notice from the Cassandra CI
    # Listed for other captures of ASF Jira; absent from this one:
    "Hudson",
    "Jenkins",
    "jiraposter",
    "githubbot",
}
BOT_LOGINS = {"githubbot", "hadoopqa", "apachespark", "ci-cassandra.apache.org",
              "hudson", "jenkins", "jiraposter"}
BOT_LIKE = re.compile(r"bot\b|\bqa\b|hudson|jenkins|jiraposter|^apache |\.apache\.org$|^ci[-_]",
                      re.IGNORECASE)


def is_bot(name, login):
    return name in BOT_NAMES or (login or "").lower() in BOT_LOGINS


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/datasets/apache_jira_issues"
    out = os.path.dirname(os.path.abspath(__file__))
    comments = [json.loads(l) for l in gzip.open(os.path.join(shared, "comments.jsonl.gz"), "rt")]
    issues = [json.loads(l) for l in gzip.open(os.path.join(shared, "issues.jsonl.gz"), "rt")]

    accounts = collections.Counter()
    for c in comments:
        if c["author_name"]:
            accounts[(c["author_name"], c["author_login"])] += 1
    for i in issues:
        for role in ("reporter", "assignee"):
            if i[role + "_name"]:
                accounts[(i[role + "_name"], i[role + "_login"])] += 1
    bots = collections.Counter()
    users = set()
    for (name, login), n in accounts.items():
        if is_bot(name, login):
            bots[(name, login)] += n
            continue
        if BOT_LIKE.search(name) or BOT_LIKE.search(login or ""):
            sys.exit(f"bot-like account not in BOT_NAMES/BOT_LOGINS: {name!r} ({login!r})")
        users.add((login or name, name))

    docs = []
    for n, c in enumerate(comments):
        if c["author_name"] and not is_bot(c["author_name"], c["author_login"]):
            # comment_id is missing in some sources: fall back to the line number.
            cid = c["comment_id"] or f"line{n:05d}"
            docs.append({"author": c["author_name"], "kind": "comment", "issue_key": c["issue_key"],
                         "id": f"comment:{c['issue_key']}:{cid}", "text": c["body"] or ""})
    for i in issues:
        if i["reporter_name"] and not is_bot(i["reporter_name"], i["reporter_login"]):
            text = (i["summary"] or "") + "\n\n" + (i["description"] or "")
            docs.append({"author": i["reporter_name"], "kind": "issue", "issue_key": i["issue_key"],
                         "id": "issue:" + i["issue_key"], "text": text})
    docs = [d for d in docs if len(d["text"].split()) >= MIN_WORDS]
    by_author = collections.defaultdict(list)
    for d in docs:
        by_author[d["author"]].append(d)
    rng = random.Random(SEED)
    authors = sorted(a for a, ds in by_author.items() if len(ds) >= MIN_DOCS)
    train, test, kept, dropped = [], [], [], []
    for a in authors:
        ds = sorted(by_author[a], key=lambda d: d["id"])
        if len(ds) > MAX_DOCS:
            ds = sorted(rng.sample(ds, MAX_DOCS), key=lambda d: d["id"])
        keys = sorted({d["issue_key"] for d in ds})
        rng.shuffle(keys)
        target = len(ds) // 2
        release_keys, held = set(), 0
        for k in keys:
            size = sum(d["issue_key"] == k for d in ds)
            if held + size <= target:
                release_keys.add(k)
                held += size
        a_train = [d for d in ds if d["issue_key"] not in release_keys]
        a_test = [d for d in ds if d["issue_key"] in release_keys]
        if min(len(a_train), len(a_test)) < MIN_SIDE:
            dropped.append((a, len(a_train), len(a_test)))
            continue
        kept.append(a)
        train += a_train
        test += a_test
    authors = kept
    pseudonym_order = authors[:]
    rng.shuffle(pseudonym_order)
    pseudonym = {a: f"user_{n:02d}" for n, a in enumerate(pseudonym_order, 1)}

    with open(os.path.join(out, "train.jsonl"), "w") as f:
        for d in train:
            f.write(json.dumps({"author": d["author"], "kind": d["kind"], "issue_key": d["issue_key"],
                                "text": d["text"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "test.jsonl"), "w") as f:
        for d in test:
            f.write(json.dumps({"author": d["author"], "pseudonym": pseudonym[d["author"]],
                                "kind": d["kind"], "issue_key": d["issue_key"], "text": d["text"]},
                               ensure_ascii=False) + "\n")
    with open(os.path.join(out, "users.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["login", "display_name"])
        for login, name in sorted(users):
            w.writerow([login, name])
    with open(os.path.join(out, "bots.txt"), "w") as f:
        for (name, login), n in sorted(bots.items(), key=lambda x: (-x[1], x[0][0], x[0][1] or "")):
            f.write(f"{name}\t{login or '-'}\t{n}\n")
    test_authors = {d["author"] for d in test}
    for a, n_train, n_test in dropped:
        print(f"dropped {a}: {n_train} train / {n_test} release documents after the issue split")
    print(f"{len(authors)} authors, {len(train)} train / {len(test)} release documents, "
          f"{len(test_authors)} authors in the release, {len(users)} users, "
          f"{sum(bots.values())} bot documents/roles dropped")


if __name__ == "__main__":
    main()
