//! Jira REST search results: pages of `/rest/api/2/search` or
//! `/rest/api/3/search` (Atlassian, "Jira Cloud platform REST API v3: Issue
//! search"), one page object, an array of pages, or one page per line.
//!
//! Each issue is `{"id", "key", "fields": {...}}`; comments are under
//! `fields.comment.comments[]`. In v2 `description` and comment bodies are
//! wiki-markup strings; in v3 they are Atlassian Document Format (ADF)
//! trees, rendered here to text: text nodes as they are, a line break per
//! block and `hardBreak`, a mention as its display text (`@Jane Smith`),
//! whose account id also goes to the `users` table. User fields are objects
//! with `accountId` (Cloud) or `name`/`key` (Data Center), `displayName`
//! and, where the caller may see it, `emailAddress`.
//!
//! The tables and roles are those of [`super::jira_csv`], so the two exports
//! of one project give the same corpus.

use serde_json::Value;

use super::jira_dates::to_iso;
use super::{mentions, ImportedSource, SourceFormat, SourceTable, UserCollector};
use crate::data::DataError;

fn bad(source: &str, where_: &str, message: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: format!("{where_}: {message}"),
    }
}

/// Renders an ADF node to text, collecting mentioned account ids.
fn render_adf(node: &Value, out: &mut String, mentioned: &mut Vec<String>) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    let attr = |k: &str| {
        node.get("attrs")
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
    };
    match kind {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        "hardBreak" => out.push('\n'),
        "mention" => {
            if let Some(id) = attr("id") {
                mentioned.push(id.to_string());
            }
            out.push_str(attr("text").unwrap_or("@user"));
        }
        "emoji" => out.push_str(attr("text").or(attr("shortName")).unwrap_or("")),
        "inlineCard" | "blockCard" => out.push_str(attr("url").unwrap_or("")),
        "date" => out.push_str(attr("timestamp").unwrap_or("")),
        _ => {
            if let Some(children) = node.get("content").and_then(Value::as_array) {
                for child in children {
                    render_adf(child, out, mentioned);
                }
            }
            let block = matches!(
                kind,
                "paragraph"
                    | "heading"
                    | "codeBlock"
                    | "blockquote"
                    | "listItem"
                    | "rule"
                    | "tableRow"
                    | "panel"
                    | "mediaSingle"
            );
            if block && !out.ends_with('\n') {
                out.push('\n');
            }
        }
    }
}

/// A v2 string or a v3 ADF document as text (`None` for null or absent).
fn body_text(value: Option<&Value>, mentioned: &mut Vec<String>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => {
            mentioned.extend(mentions(s).into_iter().map(String::from));
            Some(s.clone())
        }
        adf @ Value::Object(_) => {
            let mut out = String::new();
            render_adf(adf, &mut out, mentioned);
            Some(out.trim_end_matches('\n').to_string())
        }
        other => Some(other.to_string()),
    }
}

/// A user object's (id, display name).
fn user(value: Option<&Value>) -> (Option<String>, Option<String>) {
    let Some(u) = value.filter(|v| v.is_object()) else {
        return (None, None);
    };
    let s = |k: &str| u.get(k).and_then(Value::as_str).map(String::from);
    (
        s("accountId").or_else(|| s("name")).or_else(|| s("key")),
        s("displayName"),
    )
}

/// `fields.x.name` (issue type, status, priority, components' names).
fn name_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(String::from),
        Value::Array(items) => {
            let names: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    other => other.get("name").and_then(Value::as_str).map(String::from),
                })
                .collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn date(
    source: &str,
    where_: &str,
    field: &str,
    value: Option<&Value>,
) -> Result<Option<String>, DataError> {
    match value.and_then(Value::as_str) {
        None => Ok(None),
        Some(text) => to_iso(text).map(Some).ok_or_else(|| {
            bad(
                source,
                where_,
                format!("`{field}` = `{text}` is not a date the REST API writes (e.g. 2026-04-12T15:30:00.000+0200)"),
            )
        }),
    }
}

/// The page objects in the text: one object, an array of them, or one per line.
pub(crate) fn pages(source: &str, text: &str) -> Result<Vec<Value>, DataError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(page) => Ok(vec![page]),
        Err(whole) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    bad(
                        source,
                        &format!("line {}", i + 1),
                        format!(
                            "not JSON ({e}; read as one document: {whole}); is the file cut short?"
                        ),
                    )
                })
            })
            .collect(),
    }
}

/// Parses REST search JSON; `source` names it in errors.
pub fn parse(source: &str, text: &str) -> Result<ImportedSource, DataError> {
    let mut issues = SourceTable::with_columns(&[
        "issue_key",
        "issue_id",
        "project_key",
        "issue_type",
        "status",
        "priority",
        "summary",
        "description",
        "reporter",
        "reporter_id",
        "assignee",
        "assignee_id",
        "creator",
        "creator_id",
        "created",
        "updated",
        "resolved",
        "labels",
        "components",
    ]);
    let mut comments =
        SourceTable::with_columns(&["comment_id", "issue_key", "author", "created", "body"]);
    let mut users = UserCollector::default();
    for (p, page) in pages(source, text)?.iter().enumerate() {
        let list = page
            .get("issues")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                bad(
                    source,
                    &format!("page {}", p + 1),
                    "no `issues` array; is this the output of /rest/api/2|3/search?".into(),
                )
            })?;
        for (i, issue) in list.iter().enumerate() {
            let key = issue.get("key").and_then(Value::as_str).ok_or_else(|| {
                bad(
                    source,
                    &format!("page {}, issue {}", p + 1, i + 1),
                    "the issue has no `key`".into(),
                )
            })?;
            let where_ = format!("page {}, issue {key}", p + 1);
            let empty = Value::Null;
            let fields = issue.get("fields").unwrap_or(&empty);
            let f = |k: &str| fields.get(k);
            let mut mentioned = Vec::new();
            let description = body_text(f("description"), &mut mentioned);
            let summary = f("summary").and_then(Value::as_str).map(String::from);
            let (reporter_id, reporter) = user(f("reporter"));
            let (assignee_id, assignee) = user(f("assignee"));
            let (creator_id, creator) = user(f("creator"));
            users.add(reporter_id.as_deref(), reporter.as_deref(), "reporter");
            users.add(assignee_id.as_deref(), assignee.as_deref(), "assignee");
            users.add(creator_id.as_deref(), creator.as_deref(), "creator");
            issues.push(vec![
                ("issue_key", Some(key.to_string())),
                (
                    "issue_id",
                    issue.get("id").and_then(Value::as_str).map(String::from),
                ),
                (
                    "project_key",
                    f("project")
                        .and_then(|p| p.get("key"))
                        .and_then(Value::as_str)
                        .map(String::from),
                ),
                ("issue_type", name_of(f("issuetype"))),
                ("status", name_of(f("status"))),
                ("priority", name_of(f("priority"))),
                ("summary", summary),
                ("description", description),
                ("reporter", reporter.clone().or(reporter_id.clone())),
                ("reporter_id", reporter_id),
                ("assignee", assignee.or(assignee_id.clone())),
                ("assignee_id", assignee_id),
                ("creator", creator.or(creator_id.clone())),
                ("creator_id", creator_id),
                ("created", date(source, &where_, "created", f("created"))?),
                ("updated", date(source, &where_, "updated", f("updated"))?),
                (
                    "resolved",
                    date(source, &where_, "resolutiondate", f("resolutiondate"))?,
                ),
                ("labels", name_of(f("labels"))),
                ("components", name_of(f("components"))),
            ]);
            let list = f("comment")
                .and_then(|c| c.get("comments"))
                .and_then(Value::as_array);
            for (n, c) in list.into_iter().flatten().enumerate() {
                let cwhere = format!("{where_}, comment {}", n + 1);
                let (author_id, author_name) = user(c.get("author"));
                let author = author_id
                    .clone()
                    .or(author_name.clone())
                    .ok_or_else(|| bad(source, &cwhere, "the comment has no author".into()))?;
                users.add(
                    author_id.as_deref(),
                    author_name.as_deref(),
                    "comment author",
                );
                let body = body_text(c.get("body"), &mut mentioned);
                let id = c
                    .get("id")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("{key}#{}", n + 1), |id| format!("{key}#{id}"));
                comments.push(vec![
                    ("comment_id", Some(id)),
                    ("issue_key", Some(key.to_string())),
                    ("author", Some(author)),
                    (
                        "created",
                        date(source, &cwhere, "created", c.get("created"))?,
                    ),
                    ("body", body),
                ]);
            }
            for m in mentioned {
                users.add(Some(&m), None, "mention");
            }
        }
    }
    if issues.n_rows() == 0 {
        return Err(DataError::Parse {
            source_name: source.to_string(),
            message: "the search result holds no issue".into(),
        });
    }
    Ok(ImportedSource::new(
        SourceFormat::JiraJson,
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

    const V3: &str = r#"{"startAt":0,"maxResults":50,"total":1,"issues":[{"id":"10001","key":"ABC-1","fields":{
      "summary":"Login fails","issuetype":{"name":"Bug"},"status":{"name":"Open"},
      "project":{"key":"ABC"},"labels":["auth","urgent"],"components":[{"name":"web"}],
      "reporter":{"accountId":"557058:aa11","displayName":"Jane Smith"},
      "assignee":null,
      "created":"2026-04-12T15:30:00.000+0200",
      "description":{"type":"doc","version":1,"content":[
        {"type":"paragraph","content":[{"type":"text","text":"Steps to see it, ask "},
          {"type":"mention","attrs":{"id":"5b10ff","text":"@Bob Lee"}},{"type":"hardBreak"},
          {"type":"text","text":"then retry."}]},
        {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"Firefox"}]}]}]}]},
      "comment":{"comments":[{"id":"100","author":{"accountId":"557058:bb22","displayName":"Bob Lee"},
        "body":"Same here [~accountid:557058:cc33]","created":"2026-04-13T09:05:00.000+0000"}]}}}]}"#;

    #[test]
    fn reads_v3_pages_with_adf_and_mentions() {
        let s = parse("search.json", V3).unwrap();
        let issues = s.table("issues").unwrap();
        assert_eq!(
            issues.column("description").unwrap()[0].as_deref(),
            Some("Steps to see it, ask @Bob Lee\nthen retry.\nFirefox")
        );
        assert_eq!(
            issues.column("labels").unwrap()[0].as_deref(),
            Some("auth, urgent")
        );
        assert_eq!(
            issues.column("created").unwrap()[0].as_deref(),
            Some("2026-04-12T13:30:00Z")
        );
        assert_eq!(issues.column("assignee").unwrap()[0], None);
        let comments = s.table("comments").unwrap();
        assert_eq!(
            comments.column("comment_id").unwrap()[0].as_deref(),
            Some("ABC-1#100")
        );
        assert_eq!(
            comments.column("author").unwrap()[0].as_deref(),
            Some("557058:bb22")
        );
        let users = s.table("users").unwrap();
        let ids: Vec<_> = users
            .column("user_id")
            .unwrap()
            .iter()
            .flatten()
            .cloned()
            .collect();
        assert_eq!(
            ids,
            vec!["557058:aa11", "557058:bb22", "5b10ff", "557058:cc33"]
        );
        assert_eq!(
            users.column("display_name").unwrap()[1].as_deref(),
            Some("Bob Lee")
        );
    }

    #[test]
    fn several_pages_and_bad_records_are_named() {
        let two = format!(
            "{}\n{}\n",
            V3.replace('\n', ""),
            V3.replace('\n', "").replace("ABC-1", "ABC-2")
        );
        let s = parse("pages.ndjson", &two).unwrap();
        assert_eq!(s.table("issues").unwrap().n_rows(), 2);
        let err = parse(
            "s.json",
            &V3.replace("2026-04-13T09:05:00.000+0000", "yesterday"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("issue ABC-1, comment 1") && err.contains("yesterday"),
            "{err}"
        );
        let err = parse("s.json", "{\"values\":[]}").unwrap_err().to_string();
        assert!(err.contains("no `issues` array"), "{err}");
        let err = parse("s.json", &V3[..200]).unwrap_err().to_string();
        assert!(err.contains("cut short"), "{err}");
    }
}
