//! `[[traces]] format = "atlassian-audit-log"`: the demo's 8,350 usage
//! events written as pages of the organization audit log API (actor id,
//! time, action `product:feature`) must give the audit the same trace
//! unicity, figure for figure, as the same events read as a plain table with
//! `actions = ["product", "feature"]` (the two are the same points: the
//! action string is a one-to-one spelling of the pair).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn audit(config: &Path, out: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args([
            "audit",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// The claim's measured figure and verdict, and the whole traces section
/// of facts the report holds about `events`.
fn unicity(report: &Value) -> (Value, Value) {
    let claim = &report["claims"][0];
    (claim["measured"].clone(), claim["verdict"].clone())
}

#[test]
fn audit_log_pages_give_the_same_unicity_as_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let events = root().join("datasets/atlassian_demo/original/events.ndjson.gz");
    let lines: Vec<Value> = BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&events).unwrap(),
    ))
    .lines()
    .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
    .collect();
    assert_eq!(lines.len(), 8350);
    // Pages of 1,000 events, one page per line, as a paging client saves them.
    let mut pages = String::new();
    for (p, chunk) in lines.chunks(1000).enumerate() {
        let data: Vec<Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| {
                json!({
                    "id": format!("ev-{p}-{i}"),
                    "type": "events",
                    "attributes": {
                        "time": e["timestamp"],
                        "action": format!("{}:{}", e["product"].as_str().unwrap(), e["feature"].as_str().unwrap()),
                        "actor": {"id": e["user"], "name": format!("Name of {}", e["user"].as_str().unwrap())},
                        "context": [{"id": "c1", "type": "sites", "attributes": {"name": "acme"}}],
                        "location": {"ip": "192.0.2.1"}
                    },
                    "links": {"self": "https://api.atlassian.com/admin/v1/orgs/o/events/x"}
                })
            })
            .collect();
        pages.push_str(&json!({"data": data, "links": {"next": null}}).to_string());
        pages.push('\n');
    }
    let log = dir.path().join("org-audit.ndjson");
    std::fs::write(&log, pages).unwrap();

    let claim = "[[claim]]\nkind = \"trace_unicity\"\ntraces = \"events\"\npoints = 4\nmax_unicity = 0.05\n";
    let table_config = dir.path().join("table.toml");
    std::fs::write(
        &table_config,
        format!(
            "title = \"t\"\n\n[[traces]]\nname = \"events\"\nevents = \"{}\"\nactions = [\"product\", \"feature\"]\nbucket_seconds = [86400]\npoints = [1, 2, 4]\n\n{claim}",
            events.display()
        ),
    )
    .unwrap();
    let log_config = dir.path().join("log.toml");
    std::fs::write(
        &log_config,
        format!(
            "title = \"t\"\n\n[[traces]]\nname = \"events\"\nevents = \"{}\"\nformat = \"atlassian-audit-log\"\nbucket_seconds = [86400]\npoints = [1, 2, 4]\n\n{claim}",
            log.display()
        ),
    )
    .unwrap();
    let from_table = audit(&table_config, &dir.path().join("a"));
    let from_log = audit(&log_config, &dir.path().join("b"));
    let (m_table, v_table) = unicity(&from_table);
    let (m_log, v_log) = unicity(&from_log);
    assert!(m_table.as_f64().unwrap() > 0.05, "{m_table}");
    assert_eq!(m_table, m_log);
    assert_eq!(v_table, v_log);
    assert_eq!(v_log, "Fail");

    // A format that holds no events is refused by the config check.
    let wrong = dir.path().join("wrong.toml");
    std::fs::write(
        &wrong,
        std::fs::read_to_string(&log_config)
            .unwrap()
            .replace("atlassian-audit-log", "jira-csv"),
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(["audit", "--config", wrong.to_str().unwrap(), "--out"])
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not events"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The admin UI's CSV download and a REST page of the same five events
/// (`tests/fixtures/audit_log`, one of them by the `System` actor) give the
/// same traces: user, time, activity, IP; the location is the REST
/// context's name (the REST reader writes `type:name`).
#[test]
fn admin_ui_csv_gives_the_same_traces_as_the_rest_page() {
    use reident::data::sources::{import, SourceFormat};
    let dir = root().join("tests/fixtures/audit_log");
    let csv = import(&dir.join("org-audit.csv"), None).unwrap();
    let json = import(&dir.join("org-audit.json"), None).unwrap();
    assert_eq!(csv.format, SourceFormat::AtlassianAuditLog);
    assert_eq!(json.format, SourceFormat::AtlassianAuditLog);
    let (c, j) = (csv.table("events").unwrap(), json.table("events").unwrap());
    assert_eq!((c.n_rows(), j.n_rows()), (4, 4));
    for column in ["user", "user_name", "timestamp", "action", "ip"] {
        assert_eq!(c.column(column), j.column(column), "{column}");
    }
    let cell = |t: &reident::data::sources::SourceTable, col: &str, r: usize| {
        t.column(col).unwrap()[r].clone().unwrap()
    };
    assert_eq!(cell(c, "timestamp", 0), "2026-04-12T13:30:00Z");
    assert_eq!(cell(c, "user", 2), "557058:aa11");
    for r in 0..4 {
        let rest = cell(j, "object", r);
        let name = rest.split_once(':').map_or(rest.as_str(), |(_, n)| n);
        assert_eq!(cell(c, "object", r), name);
    }
    assert_eq!(cell(c, "object", 2), "ABC-12 \"Login fails\"");
    assert_eq!(
        csv.table("users").unwrap().column("display_name"),
        json.table("users").unwrap().column("display_name")
    );

    // Bad CSVs name the file, the line and the column.
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(dir.join("org-audit.csv")).unwrap();
    let bad_date = tmp.path().join("bad-date.csv");
    std::fs::write(
        &bad_date,
        text.replace("2026-04-13T08:00:00Z", "last Monday"),
    )
    .unwrap();
    let err = import(&bad_date, None).unwrap_err().to_string();
    assert!(
        err.contains("bad-date.csv")
            && err.contains("line 5")
            && err.contains("`Date`")
            && err.contains("`last Monday`"),
        "{err}"
    );
    let short_row = tmp.path().join("short.csv");
    std::fs::write(&short_row, text.replace(",acme,", ",")).unwrap();
    let err = import(&short_row, Some(SourceFormat::AtlassianAuditLog))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("short.csv") && err.contains("line 4") && err.contains("cut short"),
        "{err}"
    );
    let no_actor = tmp.path().join("no-actor.csv");
    std::fs::write(&no_actor, "Date,Activity\n2026-04-12T13:30:00Z,Logged in\n").unwrap();
    let err = import(&no_actor, Some(SourceFormat::AtlassianAuditLog))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no actor column"), "{err}");
}

/// `[[traces]] format = "jira-pipeline"` takes the Data pipeline export's
/// folder and reads its issue history as traces: the same unicity as the
/// history table written out and read as a plain events file.
#[test]
fn pipeline_issue_history_is_traces() {
    use reident::data::sources::import;
    let dir = tempfile::tempdir().unwrap();
    let folder = root().join("datasets/jira_export/pipeline");
    let history = import(&folder, None).unwrap();
    let table = history.table("issue_history").unwrap();
    assert_eq!(table.n_rows(), 26);
    let events = dir.path().join("history.ndjson");
    std::fs::write(&events, table.to_ndjson()).unwrap();
    let claim = "[[claim]]\nkind = \"trace_unicity\"\ntraces = \"history\"\npoints = 1\nmax_unicity = 0.05\n";
    let plain = dir.path().join("plain.toml");
    std::fs::write(
        &plain,
        format!(
            "title = \"t\"\n\n[[traces]]\nname = \"history\"\nevents = \"{}\"\nactions = [\"action\"]\nbucket_seconds = [86400]\npoints = [1, 2]\n\n{claim}",
            events.display()
        ),
    )
    .unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(
        &pipeline,
        format!(
            "title = \"t\"\n\n[[traces]]\nname = \"history\"\nevents = \"{}\"\nformat = \"jira-pipeline\"\nbucket_seconds = [86400]\npoints = [1, 2]\n\n{claim}",
            folder.display()
        ),
    )
    .unwrap();
    let (m_plain, v_plain) = unicity(&audit(&plain, &dir.path().join("a")));
    let (m_pipe, v_pipe) = unicity(&audit(&pipeline, &dir.path().join("b")));
    assert_eq!(m_plain, m_pipe);
    assert_eq!(v_plain, v_pipe);
    // By hand: 13 users, each with one resolved issue (status and
    // resolution changed at the same minute, so every point of a user is
    // (that UTC day, field)). A user is unique from one point unless another
    // resolved an issue the same day: 2025-10-22 has four users, 2025-10-16
    // two, the other seven days one each: 7 of 13 are unique.
    assert!(
        (m_pipe.as_f64().unwrap() - 7.0 / 13.0).abs() < 1e-9,
        "{m_pipe}"
    );
}
