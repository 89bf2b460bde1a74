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
//! are dropped and counted, because trace unicity is about people.
//!
//! A fourth shape is the **admin UI's CSV download** of the organization
//! audit log (admin.atlassian.com, Security > Audit log > Export; Atlassian
//! "View audit log activities" and "Track organization activities from the
//! audit log"). Atlassian documents what each row shows (the activity, its
//! date and time, the actor, the app or site it happened in (location) and
//! the IP address) but not the exact header of the file, so [`parse_csv`]
//! goes by header names, case-insensitively: a time column (`Date`,
//! `Timestamp` or `Time`; a separate `Time` column is joined to `Date`), an
//! actor column (`Actor`, or `Actor ID`/`Actor account ID` beside `Actor`
//! for the name), an activity column (`Activity`, `Action` or `Event`), and
//! optionally `Location`/`Site`/`Context`/`Object` and `IP address`. A
//! header with no time, actor or activity column is an error listing the
//! names it accepts, so an unexpected layout is refused, not half read.
//! Which text the file holds is chosen by its first character: `{` or `[`
//! is JSON, anything else CSV ([`parse`] dispatches).

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

/// Parses an audit log: JSON pages, or the admin UI's CSV download when the
/// text does not start with `{` or `[`; `source` names it in errors.
pub fn parse(source: &str, text_: &str) -> Result<ImportedSource, DataError> {
    let head = text_.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        parse_json(source, text_)
    } else {
        parse_csv(source, text_)
    }
}

/// Parses audit-log JSON pages; `source` names them in errors.
pub fn parse_json(source: &str, text_: &str) -> Result<ImportedSource, DataError> {
    let mut collected = Collected::default();
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
            collected.push(read(source, &where_, item)?);
        }
    }
    collected.finish(source)
}

/// The events read so far, the users they name and how many had no user.
#[derive(Default)]
struct Collected {
    events: Option<SourceTable>,
    users: UserCollector,
    dropped: usize,
}

impl Collected {
    fn push(&mut self, e: Event) {
        let events = self.events.get_or_insert_with(|| {
            SourceTable::with_columns(&["user", "user_name", "timestamp", "action", "object", "ip"])
        });
        let Some(user) = e.user else {
            self.dropped += 1;
            return;
        };
        self.users.add(Some(&user), e.user_name.as_deref(), "actor");
        events.push(vec![
            ("user", Some(user)),
            ("user_name", e.user_name),
            ("timestamp", Some(e.timestamp)),
            ("action", e.action),
            ("object", e.object),
            ("ip", e.ip),
        ]);
    }

    fn finish(self, source: &str) -> Result<ImportedSource, DataError> {
        let events = self.events.unwrap_or_default();
        if events.n_rows() == 0 {
            return Err(bad(
                source,
                "audit log",
                format!("no event with a user ({} without one)", self.dropped),
            ));
        }
        Ok(ImportedSource::new(
            SourceFormat::AtlassianAuditLog,
            source,
            vec![("events", events), ("users", self.users.table())],
            vec![],
        ))
    }
}

/// Header names [`parse_csv`] accepts, lower-case, for each role.
const CSV_TIME: &[&str] = &["date", "timestamp", "time", "date (utc)", "created"];
const CSV_CLOCK: &[&str] = &["time"];
const CSV_ACTOR_ID: &[&str] = &["actor id", "actor account id", "account id", "actor_id"];
const CSV_ACTOR: &[&str] = &["actor", "user", "actor name"];
const CSV_ACTION: &[&str] = &["activity", "action", "event"];
const CSV_OBJECT: &[&str] = &["location", "site", "context", "object", "app"];
const CSV_IP: &[&str] = &["ip address", "ip"];

/// Reads the admin UI's CSV download of the organization audit log (see the
/// module documentation for the columns it takes). Errors name the line and
/// the column. When the file has an actor id column, a row without an id
/// (the `System` actor, anonymous access) is dropped and counted like a JSON
/// event without an actor id; without such a column the actor's name is the
/// user.
pub fn parse_csv(source: &str, text_: &str) -> Result<ImportedSource, DataError> {
    let text_ = text_.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text_.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(source, "line 1", format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let find = |names: &[&str], skip: Option<usize>| {
        names.iter().find_map(|n| {
            headers
                .iter()
                .enumerate()
                .position(|(i, h)| Some(i) != skip && h.to_lowercase() == *n)
        })
    };
    let time = find(CSV_TIME, None);
    // A separate clock column only when the time column is `Date`.
    let clock = time
        .filter(|&t| headers[t].eq_ignore_ascii_case("date"))
        .and_then(|t| find(CSV_CLOCK, Some(t)));
    let actor_id = find(CSV_ACTOR_ID, None);
    let actor = find(CSV_ACTOR, None);
    let action = find(CSV_ACTION, None);
    let object = find(CSV_OBJECT, None);
    let ip = find(CSV_IP, None);
    let (Some(time), Some(action)) = (time, action) else {
        return Err(bad(
            source,
            "line 1",
            format!(
                "the header has no {} column, so this is not an audit log CSV; it has: {}. A time column is one of {}, an activity column one of {}, an actor column one of {} or {}",
                if time.is_none() { "time" } else { "activity" },
                headers.join(", "),
                CSV_TIME.join("/"),
                CSV_ACTION.join("/"),
                CSV_ACTOR.join("/"),
                CSV_ACTOR_ID.join("/")
            ),
        ));
    };
    if actor.is_none() && actor_id.is_none() {
        return Err(bad(
            source,
            "line 1",
            format!(
                "the header has no actor column ({} or {}); it has: {}",
                CSV_ACTOR.join("/"),
                CSV_ACTOR_ID.join("/"),
                headers.join(", ")
            ),
        ));
    }
    let mut collected = Collected::default();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| super::jira_csv::line_at(text_, p));
            bad(
                source,
                &format!("line {line}"),
                format!("{e}; every row must have one field per header column (was the file cut short?)"),
            )
        })?;
        let line = super::jira_csv::record_line(text_, &record);
        let cell = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
        };
        let where_ = format!("line {line}, column `{}`", headers[time]);
        let stamp = match (cell(Some(time)), cell(clock)) {
            (Some(d), Some(t)) => format!("{d}T{t}"),
            (Some(d), None) => d,
            (None, _) => return Err(bad(source, &where_, "the row has no time".into())),
        };
        let timestamp = to_iso(&stamp).ok_or_else(|| {
            bad(
                source,
                &where_,
                format!(
                    "time `{stamp}` is not an ISO 8601 date-time (e.g. `2026-04-12T15:30:00Z`)"
                ),
            )
        })?;
        let name = cell(actor);
        let id = cell(actor_id);
        // With an id column, a row without an id is the Atlassian system or
        // an anonymous actor, as in the JSON; without one, the name is all
        // there is.
        let user = if actor_id.is_some() {
            id.clone()
        } else {
            name.clone()
        };
        collected.push(Event {
            user,
            user_name: if id.is_some() { name } else { None },
            timestamp,
            action: cell(Some(action)),
            object: cell(object),
            ip: cell(ip),
        });
    }
    collected.finish(source)
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
