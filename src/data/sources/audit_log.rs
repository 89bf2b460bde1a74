//! Atlassian audit logs as event traces (user, time, action, object), the
//! input of trace unicity.
//!
//! Three JSON shapes, each as its REST API returns it (one page, an array
//! of pages, or one page per line):
//! * the **organization audit log** (`GET /admin/v1/orgs/{orgId}/events`,
//!   Atlassian "Organizations REST API: Events"): `data[]` of
//!   `{"id", "attributes": {"time", "action", "actor": {"id", "name"},
//!   "context": [...], "container": [...], "location": {"ip"}}}`;
//! * the **Jira audit records** (`GET /rest/api/2|3/auditing/record`,
//!   "Jira Cloud platform REST API: Audit records"): `records[]` of
//!   `{"summary", "category", "created", "authorAccountId" | "authorKey",
//!   "objectItem": {"typeName", "name"}, "remoteAddress"}`;
//! * the **Confluence audit log** (`GET /wiki/rest/api/audit`, "Confluence
//!   Cloud REST API: Audit"): `results[]` of `{"author": {"accountId",
//!   "displayName"}, "creationDate": epoch ms, "summary", "category",
//!   "affectedObject": {"objectType", "name"}, "remoteAddress"}`.
//!
//! The `events` table has `user`, `user_name`, `timestamp` (UTC ISO 8601),
//! `action`, `object`, `ip`; events without a user (system, anonymous)
//! are dropped and counted, because trace unicity is about people. The
//! admin UI's CSV download is not read: its columns are not documented.

use serde_json::Value;

use super::jira_dates::to_iso;
use super::{ImportedSource, SourceFormat, SourceTable, UserCollector};
use crate::data::DataError;

fn bad(source: &str, where_: &str, message: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: format!("{where_}: {message}"),
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Epoch milliseconds as UTC ISO 8601 (whole seconds).
fn from_epoch_ms(ms: i64) -> String {
    crate::data::calendar::iso_utc(ms.div_euclid(1000))
}

/// One event's fields, before the table.
struct Event {
    user: Option<String>,
    user_name: Option<String>,
    timestamp: String,
    action: Option<String>,
    object: Option<String>,
    ip: Option<String>,
}

fn timestamp(source: &str, where_: &str, v: Option<&Value>) -> Result<String, DataError> {
    match v {
        Some(Value::Number(n)) => n.as_i64().map(from_epoch_ms).ok_or_else(|| {
            bad(
                source,
                where_,
                format!("time `{n}` is not whole milliseconds"),
            )
        }),
        Some(Value::String(s)) => to_iso(s).ok_or_else(|| {
            bad(
                source,
                where_,
                format!("time `{s}` is not an ISO 8601 date-time"),
            )
        }),
        _ => Err(bad(source, where_, "the event has no time".into())),
    }
}

/// A context or container entry as `type:name`.
fn object_of(list: Option<&Value>) -> Option<String> {
    let first = list?.as_array()?.first()?;
    let kind = text(first.get("type"));
    let name = first
        .get("attributes")
        .and_then(|a| text(a.get("name")).or_else(|| text(a.get("displayName"))))
        .or_else(|| text(first.get("value")))
        .or_else(|| text(first.get("id")));
    match (kind, name) {
        (Some(k), Some(n)) => Some(format!("{k}:{n}")),
        (k, n) => n.or(k),
    }
}

fn org_event(source: &str, where_: &str, e: &Value) -> Result<Event, DataError> {
    let a = e
        .get("attributes")
        .ok_or_else(|| bad(source, where_, "the event has no `attributes`".into()))?;
    let actor = a.get("actor");
    Ok(Event {
        user: actor.and_then(|x| text(x.get("id"))),
        user_name: actor.and_then(|x| text(x.get("name"))),
        timestamp: timestamp(source, where_, a.get("time"))?,
        action: text(a.get("action")),
        object: object_of(a.get("context")).or_else(|| object_of(a.get("container"))),
        ip: a.get("location").and_then(|l| text(l.get("ip"))),
    })
}

fn jira_record(source: &str, where_: &str, r: &Value) -> Result<Event, DataError> {
    let object =
        r.get("objectItem")
            .and_then(|o| match (text(o.get("typeName")), text(o.get("name"))) {
                (Some(k), Some(n)) => Some(format!("{k}:{n}")),
                (k, n) => n.or(k),
            });
    Ok(Event {
        user: text(r.get("authorAccountId")).or_else(|| text(r.get("authorKey"))),
        user_name: None,
        timestamp: timestamp(source, where_, r.get("created"))?,
        action: text(r.get("summary")),
        object,
        ip: text(r.get("remoteAddress")),
    })
}

fn confluence_record(source: &str, where_: &str, r: &Value) -> Result<Event, DataError> {
    let author = r.get("author");
    let object = r.get("affectedObject").and_then(|o| {
        match (text(o.get("objectType")), text(o.get("name"))) {
            (Some(k), Some(n)) => Some(format!("{k}:{n}")),
            (k, n) => n.or(k),
        }
    });
    Ok(Event {
        user: author.and_then(|a| text(a.get("accountId")).or_else(|| text(a.get("username")))),
        user_name: author.and_then(|a| text(a.get("displayName"))),
        timestamp: timestamp(source, where_, r.get("creationDate"))?,
        action: text(r.get("summary")),
        object,
        ip: text(r.get("remoteAddress")),
    })
}

/// Parses audit-log JSON pages; `source` names them in errors.
pub fn parse(source: &str, text_: &str) -> Result<ImportedSource, DataError> {
    let mut events =
        SourceTable::with_columns(&["user", "user_name", "timestamp", "action", "object", "ip"]);
    let mut users = UserCollector::default();
    let mut dropped = 0usize;
    for (p, page) in super::jira_json::pages(source, text_)?.iter().enumerate() {
        type Reader = fn(&str, &str, &Value) -> Result<Event, DataError>;
        let (list, read, what): (&Vec<Value>, Reader, &str) = if let Some(l) =
            page.get("data").and_then(Value::as_array)
        {
            (l, org_event, "event")
        } else if let Some(l) = page.get("records").and_then(Value::as_array) {
            (l, jira_record, "record")
        } else if let Some(l) = page.get("results").and_then(Value::as_array) {
            (l, confluence_record, "record")
        } else {
            return Err(bad(
                    source,
                    &format!("page {}", p + 1),
                    "no `data`, `records` or `results` array: not an organization, Jira or Confluence audit log page".into(),
                ));
        };
        for (i, item) in list.iter().enumerate() {
            let where_ = format!("page {}, {what} {}", p + 1, i + 1);
            let e = read(source, &where_, item)?;
            let Some(user) = e.user else {
                dropped += 1;
                continue;
            };
            users.add(Some(&user), e.user_name.as_deref(), "actor");
            events.push(vec![
                ("user", Some(user)),
                ("user_name", e.user_name),
                ("timestamp", Some(e.timestamp)),
                ("action", e.action),
                ("object", e.object),
                ("ip", e.ip),
            ]);
        }
    }
    if events.n_rows() == 0 {
        return Err(bad(
            source,
            "audit log",
            format!("no event with a user ({dropped} without one)"),
        ));
    }
    Ok(ImportedSource::new(
        SourceFormat::AtlassianAuditLog,
        source,
        vec![("events", events), ("users", users.table())],
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_audit_logs() {
        let org = r#"{"data":[
          {"id":"e1","type":"events","attributes":{"time":"2026-04-12T15:30:00.123+02:00","action":"user_added_to_group",
            "actor":{"id":"557058:aa11","name":"Jane Smith"},"context":[{"id":"g1","type":"groups","attributes":{"name":"jira-admins"}}],
            "location":{"ip":"192.0.2.1"}}},
          {"id":"e2","type":"events","attributes":{"time":"2026-04-12T16:00:00Z","action":"policy_updated","actor":{"name":"System"}}}],
          "links":{"next":null}}"#;
        let s = parse("org.json", org).unwrap();
        let e = s.table("events").unwrap();
        assert_eq!(e.n_rows(), 1);
        assert_eq!(
            e.column("timestamp").unwrap()[0].as_deref(),
            Some("2026-04-12T13:30:00Z")
        );
        assert_eq!(
            e.column("object").unwrap()[0].as_deref(),
            Some("groups:jira-admins")
        );
        let jira = r#"{"offset":0,"limit":1000,"total":1,"records":[{"id":1,"summary":"User created","remoteAddress":"192.0.2.2",
          "authorAccountId":"5b10ff","created":"2014-03-19T18:45:42.967+0000","category":"user management",
          "objectItem":{"id":"user","name":"jdoe","typeName":"USER"}}]}"#;
        let e = parse("jira.json", jira).unwrap();
        let e = e.table("events").unwrap();
        assert_eq!(e.column("user").unwrap()[0].as_deref(), Some("5b10ff"));
        assert_eq!(e.column("object").unwrap()[0].as_deref(), Some("USER:jdoe"));
        assert_eq!(
            e.column("timestamp").unwrap()[0].as_deref(),
            Some("2014-03-19T18:45:42Z")
        );
        // 1700000000000 ms = 2023-11-14T22:13:20Z.
        let confluence = r#"{"results":[{"author":{"type":"user","displayName":"Bob Lee","accountId":"557058:bb22"},
          "remoteAddress":"192.0.2.3","creationDate":1700000000000,"summary":"Space permission added","category":"Permissions",
          "affectedObject":{"name":"ENG","objectType":"Space"}}],"start":0,"limit":1000,"size":1}"#;
        let c = parse("confluence.json", confluence).unwrap();
        let e = c.table("events").unwrap();
        assert_eq!(
            e.column("timestamp").unwrap()[0].as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            e.column("user_name").unwrap()[0].as_deref(),
            Some("Bob Lee")
        );
    }

    #[test]
    fn bad_pages_and_events_are_named() {
        let err = parse("x.json", r#"{"values":[]}"#).unwrap_err().to_string();
        assert!(
            err.contains("page 1") && err.contains("not an organization"),
            "{err}"
        );
        let err = parse(
            "x.json",
            r#"{"records":[{"summary":"a","authorKey":"u1","created":"last week"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("page 1, record 1") && err.contains("last week"),
            "{err}"
        );
        let err = parse(
            "x.json",
            r#"{"data":[{"attributes":{"time":"2026-01-01T00:00:00Z","actor":{}}}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("no event with a user (1 without one)"),
            "{err}"
        );
    }
}
