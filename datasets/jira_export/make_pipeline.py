#!/usr/bin/env python3
"""Writes datasets/jira_export/pipeline: the 59 KAFKA issues of export.csv
(same shared capture, same selection as make_fixture.py) as the CSV files of
Jira Data Center's "Data pipeline" export, following Atlassian's "Data
pipeline export schema":

* RFC 4180, a header in every file, CRLF line ends, null values as empty
  fields, embedded line breaks printed as the two characters `\\n`,
  descriptions cut at 2000 characters;
* issues_job1_20260412120000.csv: id, key, project, summary, description,
  creator/reporter/assignee as numeric user ids (schema 2: names live in the
  users file), status, priority, resolution, created/updated/resolution dates
  as UTC ISO strings;
* issue_history_job1_20260412120000.csv: issue_id, changelog_id, author_id,
  author_key, created_date, field, field_type, from, from_string, to,
  to_string. The capture holds no changelog, so the entries are constructed
  from its real facts: for each resolved issue, `status` and `resolution`
  set by its assignee (the reporter when unassigned) at its resolution time;
  for each comment, nothing (comments are not history);
* users_job1_20260412120000.csv: user_id, user_key (JIRAUSER<id>), user_name
  (the real ASF login), user_fullname (the real display name), user_email
  (constructed: <login>@example.invalid, the capture has no e-mails).

Run: python3 datasets/jira_export/make_pipeline.py  (from the repo root).
"""
import csv, gzip, io, json, os, collections

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "apache_jira_issues")
OUT = os.path.join(HERE, "pipeline")
STAMP = "job1_20260412120000"

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

users = {}  # login -> (id, display name)
def uid(login, name):
    if not login:
        return ""
    if login not in users:
        users[login] = (10000 + len(users), name)
    return str(users[login][0])

def iso(text):
    return (text[:10] + "T" + text[11:19] + "Z") if text else ""

def flat(text):
    return (text or "").replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")

def write(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    with open(os.path.join(OUT, f"{name}_{STAMP}.csv"), "w", newline="", encoding="utf-8") as f:
        f.write(buf.getvalue())

issue_rows, history = [], []
changelog = 20000
for n, i in enumerate(chosen):
    reporter = uid(i["reporter_login"], i["reporter_name"])
    assignee = uid(i["assignee_login"], i["assignee_name"])
    for c in by_issue[i["issue_key"]]:
        uid(c["author_login"], c["author_name"])
    resolution = "Fixed" if i["resolved"] else ""
    issue_rows.append([10000 + n, "https://issues.apache.org/jira",
                       f"https://issues.apache.org/jira/browse/{i['issue_key']}", i["issue_key"],
                       "KAFKA", "Kafka", "software", "", i["issue_type"] or "",
                       flat(i["summary"]), flat(i["description"])[:2000],
                       reporter, reporter, assignee, i["status"] or "", i["priority"] or "",
                       resolution, iso(i["created"]), iso(i["updated"]), iso(i["resolved"])])
    if i["resolved"]:
        who = assignee or reporter
        key = "JIRAUSER" + who
        changelog += 1
        history.append([10000 + n, changelog, who, key, iso(i["resolved"]), "status", "jira",
                        "1", "Open", "5", i["status"] or "Resolved"])
        history.append([10000 + n, changelog, who, key, iso(i["resolved"]), "resolution", "jira",
                        "", "", "1", resolution])

os.makedirs(OUT, exist_ok=True)
write("issues", ["id", "instance_url", "url", "key", "project_key", "project_name", "project_type",
                 "project_category", "issue_type", "summary", "description", "creator_id",
                 "reporter_id", "assignee_id", "status", "priority_name", "resolution",
                 "created_date", "updated_date", "resolution_date"], issue_rows)
write("issue_history", ["issue_id", "changelog_id", "author_id", "author_key", "created_date",
                        "field", "field_type", "from", "from_string", "to", "to_string"], history)
write("users", ["user_id", "instance_url", "user_key", "user_name", "user_fullname", "user_email"],
      [[i, "https://issues.apache.org/jira", f"JIRAUSER{i}", login, name or "",
        f"{login}@example.invalid"] for login, (i, name) in users.items()])
print(f"{len(issue_rows)} issues, {len(history)} history rows, {len(users)} users")
