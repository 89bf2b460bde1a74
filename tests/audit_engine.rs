//! `engine` in the audit config: a table run as in-process partials
//! (`engine = "partials:ROWS"`, per table or for the whole audit) gives the
//! same report as the one-pass run (every claim's verdict, figure and
//! warnings, every section); a bad engine or a `subject` with an engine is
//! a config error naming the key; a Spark table without the `spark`
//! feature fails with a message saying how to build it.

use std::path::Path;

use reident::audit::{run_audit, AuditConfig, AuditOptions};

fn config(engine_line: &str, table_engine: &str) -> Result<AuditConfig, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linkage");
    let text = format!(
        r#"
title = "engine test"
{engine_line}

[[table]]
name = "adult"
release = "adult400_release.csv"
original = "adult400_original.csv"
quasi_identifiers = ["sex", "age", "race", "marital-status", "education"]
sensitive = ["occupation", "salary-class"]
truth = {{ original = "rec_id", release = "rec_id" }}
{table_engine}

[[claim]]
kind = "k_anonymity"
table = "adult"
k = 2

[[claim]]
kind = "l_diversity"
table = "adult"
l = 2

[[claim]]
kind = "t_closeness"
table = "adult"
t = 0.5

[[claim]]
kind = "reidentification"
table = "adult"
max_rate = 0.2

[[claim]]
kind = "no_direct_identifiers"
"#
    );
    AuditConfig::from_toml(&text, "engine-test.toml", &dir).map_err(|e| e.to_string())
}

fn report_json(c: &AuditConfig) -> String {
    let outcome = run_audit(c, &AuditOptions::default(), &|_| {}).unwrap();
    serde_json::to_string_pretty(&outcome.report).unwrap()
}

#[test]
fn partials_engine_gives_the_in_process_report() {
    let one_pass = report_json(&config("", "").unwrap());
    // The measured k, so the equality is not between two empty reports.
    let v: serde_json::Value = serde_json::from_str(&one_pass).unwrap();
    assert_eq!(v["claims"][0]["measured"], 1.0, "{}", v["claims"][0]);
    assert_eq!(v["claims"].as_array().unwrap().len(), 5);
    for (audit, table) in [
        ("engine = \"partials:7\"", ""),
        ("", "engine = \"partials:50\""),
        ("engine = \"in-process\"", "engine = \"partials:1000\""),
    ] {
        assert_eq!(
            report_json(&config(audit, table).unwrap()),
            one_pass,
            "{audit} {table}"
        );
    }
}

#[test]
fn bad_engines_are_config_errors_naming_the_key() {
    let e = config("", "engine = \"duckdb\"").unwrap_err();
    assert!(
        e.contains("table `adult`: key `engine`") && e.contains("duckdb"),
        "{e}"
    );
    let e = config("engine = \"partials:0\"", "").unwrap_err();
    assert!(e.contains("key `engine`"), "{e}");
    let e = config("", "engine = \"partials:10\"\nsubject = \"rec_id\"").unwrap_err();
    assert!(e.contains("key `subject`"), "{e}");
    // A Spark table's release is a name on the cluster, not a local file.
    let c = config("", "engine = \"spark://127.0.0.1:1\"").unwrap();
    if !cfg!(feature = "spark") {
        let e = run_audit(&c, &AuditOptions::default(), &|_| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains("--features spark"), "{e}");
    }
}
