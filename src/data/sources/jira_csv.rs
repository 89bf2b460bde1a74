//! Jira's issue navigator export, "Export Excel CSV (all fields)".
//!
//! The layout (Atlassian, "Export your issues" and "Importing data from
//! CSV", which documents the comment cell the exporter writes):
//! * one header row; a field with several values gets one column per value
//!   under a **repeated header** (`Labels,Labels,Comment,Comment,...`);
//! * comment cells are `date;author;body`, e.g.
//!   `12/Apr/26 3:30 PM;557058:f58131cb-...;Looks good`, where the author is
//!   an account id (Cloud) or a username (Data Center) and the body may hold
//!   further `;`;
//! * user fields hold display names, with `Reporter Id`-style columns beside
//!   them on Cloud; dates are in the site's date format ([`super::jira_dates`]);
//! * cells may span lines inside quotes; custom fields are `Custom field (Name)`.
//!
//! The result has three tables: `issues` (one row per issue: `issue_key`,
//! the usual fields under snake-case names, every other column under its
//! header, repeated columns joined by `, `; text = summary and
//! description, author = reporter), `comments` (`comment_id` =
//! `ISSUE-1#n`, `issue_key`, `author`, `created`, `body`) and `users`.

use std::collections::BTreeMap;

use super::jira_dates::to_iso;
use super::{mentions, ImportedSource, SourceFormat, SourceTable, UserCollector};
use crate::data::DataError;

/// Header -> column name in the `issues` table, for the fields whose role
/// reident uses.
const KNOWN: &[(&str, &str)] = &[
    ("Issue key", "issue_key"),
    ("Issue id", "issue_id"),
    ("Summary", "summary"),
    ("Description", "description"),
    ("Issue Type", "issue_type"),
    ("Status", "status"),
    ("Priority", "priority"),
    ("Resolution", "resolution"),
    ("Project key", "project_key"),
    ("Project name", "project_name"),
    ("Assignee", "assignee"),
    ("Assignee Id", "assignee_id"),
    ("Reporter", "reporter"),
    ("Reporter Id", "reporter_id"),
    ("Creator", "creator"),
    ("Creator Id", "creator_id"),
    ("Created", "created"),
    ("Updated", "updated"),
    ("Resolved", "resolved"),
    ("Labels", "labels"),
    ("Component/s", "components"),
    ("Watchers", "watchers"),
    ("Watchers Id", "watcher_ids"),
];

/// Columns holding dates, converted to ISO 8601.
const DATES: &[&str] = &["created", "updated", "resolved"];

/// (name column, id column) of the user fields.
const USER_FIELDS: &[(&str, &str)] = &[
    ("reporter", "reporter_id"),
    ("assignee", "assignee_id"),
    ("creator", "creator_id"),
];

fn bad(source: &str, line: u64, issue: &str, column: &str, message: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: format!("line {line}, issue {issue}, column `{column}`: {message}"),
    }
}

/// Splits a comment cell `date;author;body` (body may hold `;`).
fn comment_parts(cell: &str) -> Option<(String, &str, &str)> {
    let (date, rest) = cell.split_once(';')?;
    let (author, body) = rest.split_once(';')?;
    Some((to_iso(date)?, author.trim(), body))
}

/// The physical line a record starts on (header = line 1), from its byte
/// offset (quoted cells span lines); with CRLF endings the csv crate's
/// offset points at the `\n` ending the previous record.
pub(crate) fn record_line(text: &str, record: &csv::StringRecord) -> u64 {
    record.position().map_or(0, |p| line_at(text, p))
}

/// The physical line of a csv position (see [`record_line`]); the csv
/// crate's own line count is one short after CRLF line ends.
pub(crate) fn line_at(text: &str, p: &csv::Position) -> u64 {
    let at = (p.byte() as usize + 1).min(text.len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// Parses the text of a Jira CSV export; `source` names it in errors.
pub fn parse(source: &str, text: &str) -> Result<ImportedSource, DataError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| DataError::Parse {
            source_name: source.to_string(),
            message: format!("cannot read the header row: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    // Header -> output column, and which positions feed it.
    let mut targets: Vec<String> = Vec::new();
    let mut positions: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut comment_columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if h == "Comment" {
            comment_columns.push(i);
            continue;
        }
        let name = KNOWN
            .iter()
            .find(|(header, _)| header == h)
            .map_or_else(|| h.clone(), |(_, n)| n.to_string());
        if !positions.contains_key(&name) {
            targets.push(name.clone());
        }
        positions.entry(name).or_default().push(i);
    }
    let key_column = positions.get("issue_key").and_then(|p| p.first().copied());
    let Some(key_column) = key_column else {
        return Err(DataError::Parse {
            source_name: source.to_string(),
            message: format!(
                "no `Issue key` column in the header, so this is not a Jira issue navigator CSV export; the header has: {}",
                headers.join(", ")
            ),
        });
    };

    let mut issues = SourceTable::with_columns(&targets);
    let mut comments =
        SourceTable::with_columns(&["comment_id", "issue_key", "author", "created", "body"]);
    let mut users = UserCollector::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(text, p));
            DataError::Parse {
                source_name: source.to_string(),
                message: format!(
                    "line {line}: {e}; every record of the export must have one field per header column (was the file cut short?)"
                ),
            }
        })?;
        let line = record_line(text, &record);
        let issue = record.get(key_column).unwrap_or("").trim().to_string();
        if issue.is_empty() {
            return Err(bad(
                source,
                line,
                "(none)",
                "Issue key",
                "the issue key is empty".into(),
            ));
        }
        let mut row: Vec<(&str, Option<String>)> = Vec::with_capacity(targets.len());
        for name in &targets {
            let values: Vec<&str> = positions[name]
                .iter()
                .filter_map(|&i| record.get(i))
                .filter(|v| !v.trim().is_empty())
                .collect();
            let mut value = (!values.is_empty()).then(|| values.join(", "));
            if DATES.contains(&name.as_str()) {
                if let Some(v) = &value {
                    value = Some(to_iso(v).ok_or_else(|| {
                        bad(
                            source,
                            line,
                            &issue,
                            name,
                            format!("`{v}` is not a date Jira writes (e.g. `12/Apr/26 3:30 PM` or `2026-04-12T15:30:00.000+0200`)"),
                        )
                    })?);
                }
            }
            row.push((name.as_str(), value));
        }
        let get = |row: &[(&str, Option<String>)], name: &str| {
            row.iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| v.clone())
        };
        for (name, id) in USER_FIELDS {
            users.add(get(&row, id).as_deref(), get(&row, name).as_deref(), name);
        }
        for text_column in ["summary", "description"] {
            if let Some(t) = get(&row, text_column) {
                for m in mentions(&t) {
                    users.add(Some(m), None, "mention");
                }
            }
        }
        issues.push(row);
        let mut n = 0;
        for &c in &comment_columns {
            let cell = record.get(c).unwrap_or("");
            if cell.trim().is_empty() {
                continue;
            }
            let (created, author, body) = comment_parts(cell).ok_or_else(|| {
                let shown: String = cell.chars().take(40).collect();
                bad(
                    source,
                    line,
                    &issue,
                    "Comment",
                    format!(
                        "comment cell `{shown}` is not `date;author;body` with a Jira date (e.g. `12/Apr/26 3:30 PM;jsmith;Looks good`)"
                    ),
                )
            })?;
            n += 1;
            users.add(Some(author), None, "comment author");
            for m in mentions(body) {
                users.add(Some(m), None, "mention");
            }
            comments.push(vec![
                ("comment_id", Some(format!("{issue}#{n}"))),
                ("issue_key", Some(issue.clone())),
                ("author", Some(author.to_string())),
                ("created", Some(created)),
                ("body", Some(body.to_string())),
            ]);
        }
    }
    if issues.n_rows() == 0 {
        return Err(DataError::NoDataRows {
            source_name: source.to_string(),
            n_columns: headers.len(),
        });
    }
    Ok(ImportedSource::new(
        SourceFormat::JiraCsv,
        source,
        vec![
            ("issues", issues),
            ("comments", comments),
            ("users", users.table()),
        ],
        vec![
            ("issues", super::JIRA_ISSUE_ROLES),
            ("comments", super::COMMENT_ROLES),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "Summary,Issue key,Issue id,Issue Type,Reporter,Reporter Id,Created,Labels,Labels,Description,Comment,Comment,Custom field (Story Points)\r\n\
\"Login fails, again\",ABC-1,10001,Bug,Jane Smith,557058:aa11,12/Apr/26 3:30 PM,auth,urgent,\"Steps:\r\n1. open\r\n2. see [~accountid:5b10ff]\",\"12/Apr/26 4:00 PM;557058:bb22;Same here; on Firefox\",13/Apr/26 9:05 AM;557058:aa11;Fixed,3\r\n\
Docs,ABC-2,10002,Task,Bob Lee,557058:bb22,01/May/26 10:00 AM,,,,,,\r\n";

    #[test]
    fn reads_repeated_headers_comments_dates_and_users() {
        let s = parse("export.csv", EXPORT).unwrap();
        let issues = s.table("issues").unwrap();
        assert_eq!(issues.n_rows(), 2);
        assert_eq!(
            issues.column("labels").unwrap()[0].as_deref(),
            Some("auth, urgent")
        );
        assert_eq!(issues.column("labels").unwrap()[1], None);
        assert_eq!(
            issues.column("created").unwrap()[0].as_deref(),
            Some("2026-04-12T15:30")
        );
        assert_eq!(
            issues.column("description").unwrap()[0].as_deref(),
            Some("Steps:\r\n1. open\r\n2. see [~accountid:5b10ff]")
        );
        assert_eq!(
            issues.column("Custom field (Story Points)").unwrap()[0].as_deref(),
            Some("3")
        );
        let comments = s.table("comments").unwrap();
        assert_eq!(comments.n_rows(), 2);
        assert_eq!(
            comments.column("comment_id").unwrap(),
            &[Some("ABC-1#1".to_string()), Some("ABC-1#2".to_string())]
        );
        assert_eq!(
            comments.column("body").unwrap()[0].as_deref(),
            Some("Same here; on Firefox")
        );
        assert_eq!(
            comments.column("created").unwrap()[1].as_deref(),
            Some("2026-04-13T09:05")
        );
        let users = s.table("users").unwrap();
        let ids: Vec<_> = users
            .column("user_id")
            .unwrap()
            .iter()
            .flatten()
            .cloned()
            .collect();
        assert_eq!(ids, vec!["557058:aa11", "5b10ff", "557058:bb22"]);
        assert_eq!(
            users.column("display_name").unwrap()[0].as_deref(),
            Some("Jane Smith")
        );
        assert_eq!(
            users.column("seen_as").unwrap()[2].as_deref(),
            Some("comment author,reporter")
        );
    }

    #[test]
    fn wrong_shapes_name_the_line_issue_and_column() {
        let broken = EXPORT.replace("13/Apr/26 9:05 AM;557058:aa11;Fixed", "Fixed by me");
        let err = parse("export.csv", &broken).unwrap_err().to_string();
        assert!(
            err.contains("export.csv")
                && err.contains("line 2")
                && err.contains("issue ABC-1")
                && err.contains("`Comment`")
                && err.contains("date;author;body"),
            "{err}"
        );
        let broken = EXPORT.replace("01/May/26 10:00 AM", "May 1st");
        let err = parse("export.csv", &broken).unwrap_err().to_string();
        assert!(
            err.contains("issue ABC-2") && err.contains("`created`"),
            "{err}"
        );
        // Cut short inside the last record.
        let cut = &EXPORT[..EXPORT.len() - 20];
        let err = parse("export.csv", cut).unwrap_err().to_string();
        assert!(err.contains("cut short"), "{err}");
        let err = parse("x.csv", "a,b\n1,2\n").unwrap_err().to_string();
        assert!(err.contains("no `Issue key`"), "{err}");
    }
}
