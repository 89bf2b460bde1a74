#!/usr/bin/env python3
"""Writes the demo's `tickets` corpus (datasets/jira_rewritten): real ASF Jira
issues held out from the semantic-linkage tuning set, and their rewritten
("AI summary") release.

The originals are issues of ../shared/datasets/apache_jira_issues (public ASF
Jira text, see that SOURCE.md) that are NOT among the 177 issues of
datasets/apache_jira, on which the semantic attack's thresholds were chosen:
the demo's figure is therefore a held-out check of those thresholds. Chosen:
issues whose description has at least 40 words, sorted by key, every third one,
at most 240. Text = summary + blank line + description, as captured.

The release is made by reident itself (`reident anonymize paraphrase`, seed 7,
summary of 4 sentences, numbers masked, rows shuffled), so the truth is known
by construction; this script prints the command and runs it when the reident
binary is given.

    python3 datasets/jira_rewritten/make.py [path/to/reident]
"""
import csv, gzip, io, json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
shared = os.path.join(root, "..", "shared", "datasets", "apache_jira_issues", "issues.jsonl.gz")

tuned = set()
for f in ("train.jsonl", "test.jsonl"):
    with open(os.path.join(root, "datasets", "apache_jira", f), encoding="utf-8") as fh:
        for line in fh:
            v = json.loads(line)
            if v.get("kind") == "issue":
                tuned.add(v["issue_key"])

rows = []
with gzip.open(shared, "rt", encoding="utf-8") as fh:
    for line in fh:
        v = json.loads(line)
        desc = (v.get("description") or "").strip()
        if v["issue_key"] in tuned or len(desc.split()) < 40:
            continue
        text = (v.get("summary") or "").strip() + "\n\n" + desc
        rows.append((v["issue_key"], v["project"], v.get("reporter_name") or "", text))
rows.sort(key=lambda r: (r[1], int(r[0].split("-")[1])))
rows = rows[::3][:240]

def write_csv_gz(path, header, data):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(data)
    with gzip.GzipFile(path, "wb", mtime=0) as g:
        g.write(buf.getvalue().encode("utf-8"))

orig = os.path.join(here, "original.csv.gz")
write_csv_gz(orig, ["ticket_id", "project", "reporter", "text"], rows)
print(f"{orig}: {len(rows)} held-out issues ({len(tuned)} tuning issues excluded)")

if len(sys.argv) > 1:
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "tickets.csv")
        out = os.path.join(tmp, "rewritten.csv")
        with gzip.open(orig, "rb") as g, open(plain, "wb") as o:
            o.write(g.read())
        cmd = [sys.argv[1], "anonymize", "paraphrase", "--input", plain, "--output", out,
               "--column", "text", "--drop", "reporter", "--seed", "7",
               "--summary-sentences", "4", "--mask-numbers", "--shuffle-seed", "7"]
        print(" ".join(cmd[1:]))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(out, newline="", encoding="utf-8") as fh:
            data = list(csv.reader(fh))
        rel = os.path.join(here, "rewritten.csv.gz")
        write_csv_gz(rel, data[0], data[1:])
        print(f"{rel}: {len(data) - 1} rewritten issues")
