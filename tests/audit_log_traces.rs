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
