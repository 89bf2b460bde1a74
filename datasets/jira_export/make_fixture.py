#!/usr/bin/env python3
"""Writes the Jira export fixtures of datasets/jira_export from the shared
capture of real ASF Jira issues (../shared/datasets/apache_jira_issues).

The 59 KAFKA issues of the kunal29july capture whose reporter and comment
authors are known, with their 265 comments, are written in two export
formats, following Atlassian's public documentation:

* export.csv: the issue navigator's "Export Excel CSV (all fields)" of a Data
  Center site (usernames, no `Reporter Id` columns): repeated `Comment` and
  `Labels` headers, comment cells `dd/MMM/yy h:mm a;username;body`, dates in
  the default `dd/MMM/yy h:mm a`, RFC 4180 quoting with multi-line cells.
* search_v2.json.gz: the same issues as two pages of `/rest/api/2/search`
  (startAt 0 and 30), user fields as `{"name", "displayName"}`.
* release.csv: the vendor's "pseudonymized" export of the same issues:
  usernames and display names in user fields and comment cells replaced by a
  stable pseudonym `user-NN` (numbered by first appearance); text unchanged
  (the realistic leak: mentions and names in the bodies).
* release_truth.csv: username -> pseudonym (the truth key; never given to
  an attack).

Run: python3 datasets/jira_export/make_fixture.py  (from the repo root).
"""
import csv, gzip, io, json, os, collections
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "apache_jira_issues")

issues = [json.loads(l) for l in gzip.open(os.path.join(SHARED, "issues.jsonl.gz"))]
comments = [json.loads(l) for l in gzip.open(os.path.join(SHARED, "comments.jsonl.gz"))]
by_issue = collections.defaultdict(list)
for c in comments:
    if c["author_login"]:
        by_issue[c["issue_key"]].append(c)
chosen = [i for i in issues
          if i["project"] == "KAFKA" and i["reporter_login"]
          and "kunal29july" in i["source"] and by_issue[i["issue_key"]]]
chosen.sort(key=lambda i: int(i["issue_key"].split("-")[1]))

def when(text):
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)

def navigator(text):
    d = when(text)
    return f"{d.day:02d}/{d.strftime('%b')}/{d.strftime('%y')} {d.hour % 12 or 12}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"

max_comments = max(len(by_issue[i["issue_key"]]) for i in chosen)
header = (["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority",
           "Project key", "Assignee", "Reporter", "Creator", "Created", "Updated",
           "Labels", "Labels", "Description"] + ["Comment"] * max_comments
          + ["Custom field (Flagged)"])

def write_csv(path, rename):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for n, i in enumerate(chosen):
        cs = sorted(by_issue[i["issue_key"]], key=lambda c: c["created"])
        cells = [f"{navigator(c['created'])};{rename(c['author_login'])};{c['body']}" for c in cs]
        cells += [""] * (max_comments - len(cells))
        w.writerow([i["summary"], i["issue_key"], str(10000 + n), i["issue_type"] or "",
                    i["status"] or "", i["priority"] or "", "KAFKA",
                    rename(i["assignee_login"]) if i["assignee_login"] else "",
                    rename(i["reporter_login"]), rename(i["reporter_login"]),
                    navigator(i["created"]), navigator(i["updated"]) if i["updated"] else "",
                    "", "", i["description"] or ""] + cells + [""])
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(buf.getvalue())

write_csv(os.path.join(HERE, "export.csv"), lambda login: login)

pseudonyms = {}
def pseudonym(login):
    if login not in pseudonyms:
        pseudonyms[login] = f"user-{len(pseudonyms) + 1:02d}"
    return pseudonyms[login]
write_csv(os.path.join(HERE, "release.csv"), pseudonym)
with open(os.path.join(HERE, "release_truth.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["login", "pseudonym"])
    for login, p in pseudonyms.items():
        w.writerow([login, p])

def user(login, name):
    return {"name": login, "key": login, "displayName": name} if login else None

pages = []
for start in range(0, len(chosen), 30):
    page = {"expand": "schema,names", "startAt": start, "maxResults": 30,
            "total": len(chosen), "issues": []}
    for n, i in enumerate(chosen[start:start + 30], start):
        cs = sorted(by_issue[i["issue_key"]], key=lambda c: c["created"])
        page["issues"].append({
            "expand": "operations,renderedFields", "id": str(10000 + n),
            "self": f"https://issues.apache.org/jira/rest/api/2/issue/{10000 + n}",
            "key": i["issue_key"],
            "fields": {
                "summary": i["summary"], "description": i["description"],
                "issuetype": {"name": i["issue_type"]}, "status": {"name": i["status"]},
                "priority": {"name": i["priority"]}, "project": {"key": "KAFKA"},
                "labels": [], "components": [],
                "reporter": user(i["reporter_login"], i["reporter_name"]),
                "creator": user(i["reporter_login"], i["reporter_name"]),
                "assignee": user(i["assignee_login"], i["assignee_name"]),
                "created": i["created"], "updated": i["updated"], "resolutiondate": i["resolved"],
                "comment": {"startAt": 0, "maxResults": len(cs), "total": len(cs), "comments": [
                    {"id": str(c["comment_id"]), "author": user(c["author_login"], c["author_name"]),
                     "body": c["body"], "created": c["created"], "updated": c["created"]}
                    for c in cs]},
            }})
    pages.append(page)
with gzip.GzipFile(os.path.join(HERE, "search_v2.json.gz"), "wb", mtime=0) as f:
    f.write(json.dumps(pages, ensure_ascii=False, indent=1).encode("utf-8"))
print(f"{len(chosen)} issues, {sum(len(by_issue[i['issue_key']]) for i in chosen)} comments, "
      f"{len(pseudonyms)} users, {max_comments} comment columns")
