//! The hidden quasi-identifier check on a real Spark Connect server
//! (`engine::spark_scans`) against the in-process check on the same
//! Parquet files: the whole report equal on the NIST ACS excerpt released
//! with its PUMA masked but `DENSITY` kept (real rows; `DENSITY` re-creates
//! the PUMA), on UCI Adult, and on a hand-made table with suppression tokens
//! (`*`, ` ** `), missing values and fully suppressed rows under both
//! suppressed-row policies, whose figures are also checked by hand. The
//! audit's `k_anonymity` claim on a Spark table now gets the in-process
//! verdict (PASS when the release is clean, not PASS when `DENSITY` is
//! there), and `reident metrics --engine spark://` prints the in-process
//! JSON with the check on.
//!
//! The direct-identifier scan on Spark (`spark_scans::scan_identifiers`,
//! `reident identifiers --engine spark://`) gives the in-process scan, with
//! the examples in the same order, on the Apache Jira users table (real
//! logins and names), the ACS excerpt and a hand-built table of e-mails,
//! phones, names and account ids with padded and missing values.
//!
//! Needs the `spark` feature and a server, as `spark_engine` (see there).

#![cfg(feature = "spark")]

use std::path::Path;
use std::process::Command;

use reident::data::{load_table, EncodedTable, MissingPolicy, ReadOptions};
use reident::engine::spark::{class_partial, SparkTable};
use reident::engine::spark_scans::{hidden_quasi_identifiers, scan_identifiers, DeclaredClasses};
use reident::privacy::direct_identifiers::{scan_file, DirectIdentifierConfig};
use reident::privacy::{
    detect_hidden_quasi_identifiers, HiddenQiOptions, HiddenQiReport, MetricsParams, SuppressedRows,
};

use crate::adult_support::adult;
use crate::privacy_hidden_qi::acs_released_value;
use crate::spark_engine::{server, write_parquet};

/// The check on Spark, with k and the records from Spark's own metrics of
/// the same file, and in process on the file as the Rust reader loads it.
fn both(url: &str, path: &str, params: &MetricsParams) -> (HiddenQiReport, HiddenQiReport) {
    let missing = MissingPolicy::default();
    let local = load_table(Path::new(path), &[], &ReadOptions::default(), &missing).unwrap();
    let in_process =
        detect_hidden_quasi_identifiers(&local, params, &HiddenQiOptions::default()).unwrap();
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    let sas: Vec<&str> = params.sensitive.iter().map(String::as_str).collect();
    let table = SparkTable::parse(path);
    let metrics = class_partial(url, &table, &qis, &sas, params.target_k, &missing)
        .unwrap()
        .evaluate(path, params)
        .unwrap();
    let on_spark = hidden_quasi_identifiers(
        url,
        &table,
        params,
        &missing,
        &HiddenQiOptions::default(),
        DeclaredClasses {
            k: metrics.k,
            records_below_target_k: metrics.below_target_k.n_records,
            records_in_classes: metrics.n_rows_in_classes,
        },
    )
    .unwrap();
    (on_spark, in_process)
}

fn json(r: &HiddenQiReport) -> serde_json::Value {
    serde_json::to_value(r).unwrap()
}

/// Every column of `table` as text.
fn text_columns(table: &EncodedTable) -> Vec<(&str, Vec<String>)> {
    table
        .columns
        .iter()
        .map(|c| {
            let values = (0..table.n_rows).map(|r| c.value(r).to_string()).collect();
            (c.name.as_str(), values)
        })
        .collect()
}

/// The ACS excerpt (7,634 rows) with AGEP banded to ten years and the PUMA
/// masked to five characters (`25-00703` -> `25-00***`), every other column
/// as published, `DENSITY` left out when `with_density` is false.
fn acs_release(dir: &tempfile::TempDir, with_density: bool) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nist_acs/ma2019.csv.gz");
    let raw = load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    let columns: Vec<(&str, Vec<String>)> = text_columns(&raw)
        .into_iter()
        .filter(|(name, _)| with_density || *name != "DENSITY")
        .map(|(name, values)| {
            let values = values.iter().map(|v| acs_released_value(name, v)).collect();
            (name, values)
        })
        .collect();
    let name = if with_density { "acs" } else { "acs_clean" };
    write_parquet(dir, name, &columns)
}

#[test]
fn spark_check_equals_in_process_on_acs_and_adult() {
    let Some(url) = server() else { return };
    let dir = tempfile::tempdir().unwrap();

    // ACS: DENSITY (one value per original PUMA) re-creates the masked PUMA.
    let acs = acs_release(&dir, true);
    let params = MetricsParams::new(["AGEP", "SEX", "PUMA"]).target_k(5);
    let (spark, local) = both(&url, &acs, &params);
    assert_eq!(json(&spark), json(&local));
    assert_eq!((spark.k, spark.records_below_target_k), (7, 0));
    let hidden: Vec<&str> = spark.hidden().map(|c| c.column.as_str()).collect();
    assert_eq!(hidden, vec!["DENSITY"]);
    assert_eq!(spark.columns.len(), 21);

    // Adult (30,162 rows), six QIs, two sensitive attributes.
    let adult = adult();
    let path = write_parquet(&dir, "adult", &text_columns(&adult));
    let params = MetricsParams::new([
        "age",
        "sex",
        "race",
        "marital-status",
        "education",
        "native-country",
    ])
    .sensitive(["occupation", "salary-class"])
    .target_k(5);
    let (spark, local) = both(&url, &path, &params);
    assert_eq!(json(&spark), json(&local));
    assert_eq!(spark.columns.len(), 3);
}

/// Twelve rows. `q1`, `q2` are the QIs; rows 9 and 10 have both suppressed
/// (`*`, ` ** ` with spaces, `***`), row 7 and 8 miss `q2` (`?` and the
/// empty string, one missing value). `det` takes one value per `q1` value
/// (`*` included): it determines `q1` exactly and one-to-one. `uid` is a
/// record number. `masked` holds masked values (`1**`, not suppressed) and
/// suppression tokens of several lengths (one value). `sens` is sensitive.
fn suppression_table(dir: &tempfile::TempDir) -> String {
    let rows = [
        ["a", "x", "A", "u1", "1**", "s1"],
        ["a", "x", "A", "u2", "1**", "s2"],
        ["a", "y", "A", "u3", "2**", "s1"],
        ["a", "y", "A", "u4", "2**", "s2"],
        ["b", "x", "B", "u5", "1**", "s1"],
        ["b", "x", "B", "u6", "*", "s1"],
        ["b", "?", "B", "u7", "**", "s2"],
        ["b", "", "B", "u8", " *** ", "s2"],
        ["*", "*", "C", "u9", "3**", "s1"],
        [" ** ", "***", "C", "u10", "3**", "s2"],
        ["*", "x", "D", "u11", "1**", "s1"],
        ["b", "**", "B", "u12", "2**", "s2"],
    ];
    let names = ["q1", "q2", "det", "uid", "masked", "sens"];
    let columns: Vec<(&str, Vec<String>)> = names
        .iter()
        .enumerate()
        .map(|(j, &n)| (n, rows.iter().map(|r| r[j].to_string()).collect()))
        .collect();
    write_parquet(dir, "suppression", &columns)
}

#[test]
fn spark_check_follows_suppression_and_missing_values_as_in_process() {
    let Some(url) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = suppression_table(&dir);
    for policy in [SuppressedRows::Exclude, SuppressedRows::OneClass] {
        let params = MetricsParams::new(["q1", "q2"])
            .sensitive(["sens"])
            .target_k(2)
            .suppressed_rows(policy);
        let (spark, local) = both(&url, &path, &params);
        assert_eq!(json(&spark), json(&local), "{policy:?}");
        let column = |name: &str| spark.columns.iter().find(|c| c.column == name).unwrap();
        // By hand. Exclude: rows 9 and 10 are out, 10 records in classes;
        // `det` meets a, b, * (A, B, D) one-to-one; `uid` 10 of 10 distinct.
        // OneClass: 12 records, `det` C joins `*`,`*` with a, b, * (C and D
        // both meet `*` for q1: exact, not one-to-one).
        let det = column("det");
        let uid = column("uid");
        assert!(uid.near_unique && uid.flagged, "{uid:?}");
        assert_eq!(det.determines[0].quasi_identifier, "q1");
        assert_eq!(det.determines[0].lambda, 1.0);
        // `masked`: 1**, 2**, 3** and the suppressed value.
        let masked = column("masked");
        match policy {
            SuppressedRows::Exclude => {
                assert_eq!((det.n_distinct, uid.n_distinct), (3, 10));
                assert!(det.determines[0].one_to_one);
                assert_eq!(masked.n_distinct, 3);
            }
            SuppressedRows::OneClass => {
                assert_eq!((det.n_distinct, uid.n_distinct), (4, 12));
                assert!(det.determines[0].exact && !det.determines[0].one_to_one);
                assert_eq!(masked.n_distinct, 4);
            }
        }
    }
}

/// `reident audit` with a Spark table: the `k_anonymity` claim now gets the
/// in-process verdict, PASS on the clean ACS release and not PASS with
/// `DENSITY`; `reident metrics --engine spark://` prints the in-process JSON
/// with the check.
#[test]
fn audit_and_cli_on_spark_run_the_check() {
    let Some(url) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let engine = format!("spark://{}", url.trim_start_matches("sc://"));
    let claims = |release: &str, engine_line: &str| {
        let text = format!(
            r#"
title = "spark hidden QIs"
[[table]]
name = "acs"
release = "{release}"
quasi_identifiers = ["AGEP", "SEX", "PUMA"]
{engine_line}

[[claim]]
kind = "k_anonymity"
table = "acs"
k = 5
"#
        );
        let config =
            reident::audit::AuditConfig::from_toml(&text, "spark.toml", dir.path()).unwrap();
        let outcome =
            reident::audit::run_audit(&config, &reident::audit::AuditOptions::default(), &|_| {})
                .unwrap();
        serde_json::to_value(&outcome.report.claims).unwrap()
    };
    let on_spark = format!("engine = \"{engine}\"");
    for (with_density, verdict) in [(false, "Pass"), (true, "Inconclusive")] {
        let release = acs_release(&dir, with_density);
        let (local, spark) = (claims(&release, ""), claims(&release, &on_spark));
        for key in ["verdict", "measured", "evidence", "warnings"] {
            assert_eq!(
                spark[0][key], local[0][key],
                "{key} (DENSITY: {with_density})"
            );
        }
        assert_eq!(spark[0]["verdict"], verdict, "{}", spark[0]);
    }

    let release = acs_release(&dir, true);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "metrics",
            "--data",
            &release,
            "--qi",
            "AGEP,SEX,PUMA",
            "--target-k",
            "5",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v
    };
    let in_process = run(&[]);
    assert_eq!(in_process["hidden_qi"]["columns"][0]["column"], "DENSITY");
    assert_eq!(run(&["--engine", &engine]), in_process);
}

/// A table file (CSV, NDJSON) as a Parquet file of text columns.
fn as_parquet(dir: &tempfile::TempDir, name: &str, path: &Path) -> String {
    let table = load_table(
        path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    write_parquet(dir, name, &text_columns(&table))
}

#[test]
fn spark_identifier_scan_equals_in_process() {
    let Some(url) = server() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The hand-built table, with a padded e-mail, a missing name (`?`) and
    // an empty account id.
    let hand = dir.path().join("people.csv");
    let text = crate::identifiers_table::TABLE
        .replacen("jane.doe@example.com", "  jane.doe@example.com ", 1)
        .replacen("Bob Smith", "?", 1)
        .replacen("16fd2706-8baf-433b-82eb-8c7fada847da", "", 1);
    std::fs::write(&hand, text).unwrap();
    let files = [
        ("jira_users", root.join("datasets/apache_jira/users.csv")),
        ("acs", root.join("tests/fixtures/nist_acs/ma2019.csv.gz")),
        ("people", hand),
    ];
    for include_examples in [false, true] {
        let config = DirectIdentifierConfig {
            include_examples,
            ..DirectIdentifierConfig::default()
        };
        for (name, file) in &files {
            let path = as_parquet(&dir, name, file);
            let local = scan_file(Path::new(&path), &ReadOptions::default(), &config).unwrap();
            let spark = scan_identifiers(&url, &SparkTable::parse(&path), &path, &config).unwrap();
            assert_eq!(
                serde_json::to_value(&spark).unwrap(),
                serde_json::to_value(&local).unwrap(),
                "{name}"
            );
            match *name {
                "jira_users" => {
                    assert_eq!(spark.rows, 556);
                    assert_eq!(spark.flagged, ["login", "display_name"]);
                }
                "acs" => assert!(spark.flagged.is_empty(), "{:?}", spark.flagged),
                _ => {
                    for c in ["user_email", "phone"] {
                        assert!(spark.flagged.iter().any(|f| f == c), "{:?}", spark.flagged);
                    }
                }
            }
        }
    }
    // The CLI: the same JSON, exit code 1 (a column is flagged).
    let path = as_parquet(&dir, "jira_cli", &files[0].1);
    let run = |extra: &[&str]| {
        let mut args = vec!["identifiers", "--data", &path, "--format", "json"];
        args.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let engine = format!("spark://{}", url.trim_start_matches("sc://"));
    assert_eq!(run(&["--engine", &engine]), run(&[]));
}
