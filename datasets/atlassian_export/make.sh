#!/bin/sh
# Writes the exports datasets/audit-atlassian.toml audits: the demo corpus
# (30 users, seed 16) as a Jira issue-navigator CSV, a Confluence HTML space
# export and a bare git repository, each twice: as the originals and as a
# naive "pseudonymized release" (people replaced in the fields, texts kept).
# Nothing here is committed (see .gitignore); tests/synth_exports.rs builds
# the same files in a temporary folder and runs the audit on them.
#
#   sh datasets/atlassian_export/make.sh        # from the repository root
#   reident audit --config datasets/audit-atlassian.toml --out atlassian-report
set -eu
REIDENT=${REIDENT:-reident}
cd "$(dirname "$0")"
for format in jira-csv confluence-html git; do
  dir=${format%%-*}
  "$REIDENT" synth --users 30 --seed 16 --format "$format" --out "original/$dir" --force
  "$REIDENT" synth --users 30 --seed 16 --format "$format" --pseudonymize --out "release/$dir" --force
done
