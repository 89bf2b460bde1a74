//! The direct-identifier scan and the hidden quasi-identifier check out of
//! core (`reident::engine::scan_out_of_core`, issue #18): on real tables
//! (the NIST ACS excerpt, the Apache Jira and demo users tables, a
//! hand-built table of identifiers) the results equal the in-memory ones
//! exactly, under a budget that fits and under tiny budgets that spill the
//! distinct values and the classes into several partitions; the spill
//! folder is left empty; the audit gives the k-anonymity and
//! direct-identifier claims the same verdicts and figures with and without
//! `memory`; `reident identifiers --memory` prints what it prints without.

use std::path::{Path, PathBuf};

use reident::audit::{run_audit, AuditConfig, AuditOptions};
use reident::data::{load_table, MissingPolicy, ReadOptions};
use reident::engine::out_of_core::{evaluate_file, OutOfCore};
use reident::engine::scan_out_of_core::{hidden_qi_file, scan_identifiers_file, ScanSummary};
use reident::engine::MemoryBudget;
use reident::privacy::direct_identifiers::{scan_file, DirectIdentifierConfig};
use reident::privacy::{
    detect_hidden_quasi_identifiers, HiddenQiOptions, HiddenQiReport, MetricsParams, SuppressedRows,
};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn settings(budget: u64, chunk_rows: usize, partitions: usize, temp: &Path) -> OutOfCore {
    let mut s = OutOfCore::new(MemoryBudget(budget));
    s.chunk_rows = Some(chunk_rows);
    s.partitions = partitions;
    s.temp_dir = Some(temp.to_path_buf());
    s
}

fn assert_empty_dir(dir: &Path) {
    let left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "spill files left behind: {left:?}");
}

/// Six people (the table of tests/identifiers_table.rs) with a missing phone
/// and padded, repeated and missing values.
const PEOPLE: &str = "\
user_email,phone,full_name,account_id,comment,age,zip,login
jane.doe@example.com,+1 415 555 0142,Jane Doe,3f2504e0-4f89-11d3-9a0c-0305e82c3301,The export job failed again after the nightly upgrade,34,02139,jdoe
bob.smith@example.org,(415) 555-0199,Bob Smith,7c9e6679-7425-40de-944b-e07fc1f90ae7,Please reset my password before the quarterly review,41,02139, bsmith 
mary.jones@example.net,415.555.0123,Mary Jones,16fd2706-8baf-433b-82eb-8c7fada847da,I could not open the shared calendar on my laptop today,29,10001,mjones
li.chen@example.com,+44 20 7946 0958,Li Chen,6ba7b810-9dad-11d1-80b4-00c04fd430c8,Moving the meeting to Thursday works better for the whole team,52,10001,?
omar.haddad@example.com,,Omar Haddad,6ba7b811-9dad-11d1-80b4-00c04fd430c8,The invoice from last month still shows the wrong amount,38,94110,ohaddad
ana.garcia@example.com,+34 912 345 678,Ana Garcia,6ba7b812-9dad-11d1-80b4-00c04fd430c8,Thanks for fixing the printer on the third floor so quickly,45,94110,jdoe
";

/// The scan of `path` in memory and out of core under each of `runs`
/// (budget, chunk rows, partitions): equal; returns the summaries.
fn identifiers_equal(
    path: &Path,
    config: &DirectIdentifierConfig,
    runs: &[(u64, usize, usize)],
) -> Vec<ScanSummary> {
    let want = scan_file(path, &ReadOptions::default(), config).unwrap();
    let temp = tempfile::tempdir().unwrap();
    runs.iter()
        .map(|&(budget, chunk, parts)| {
            let s = settings(budget, chunk, parts, temp.path());
            let (got, summary) =
                scan_identifiers_file(path, &ReadOptions::default(), config, &s).unwrap();
            assert_eq!(got, want, "{}: budget {budget}", path.display());
            assert_empty_dir(temp.path());
            summary
        })
        .collect()
}

#[test]
fn direct_identifier_scan_out_of_core_equals_in_memory_on_real_tables() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(&people, PEOPLE).unwrap();
    let masked = DirectIdentifierConfig::default();
    let shown = DirectIdentifierConfig {
        include_examples: true,
        max_examples: 2,
        ..DirectIdentifierConfig::default()
    };
    // Fits: one table, no spill. Tiny: 64K with 100-row chunks spills the
    // distinct values into several partitions.
    let fits = (1u64 << 30, 1_000_000, 16);
    let tiny = (64u64 << 10, 100, 4);
    let tinier = (16u64 << 10, 50, 3);
    let acs = crate_path("tests/fixtures/nist_acs/ma2019.csv.gz");
    let summaries = identifiers_equal(&acs, &masked, &[fits, tiny, tinier]);
    assert_eq!(summaries[0].rows, 7634);
    assert_eq!(summaries[0].spill.spills, 0);
    assert_eq!(summaries[0].spill.partitions, 1);
    for s in &summaries[1..] {
        assert_eq!(s.rows, 7634);
        assert!(
            s.spill.spills > 1 && s.spill.partitions > 1,
            "tiny budget must spill into several partitions: {s:?}"
        );
    }
    identifiers_equal(&acs, &shown, &[tiny]);
    // The hand-built table: every category, masked and shown, one chunk
    // per row.
    identifiers_equal(&people, &masked, &[fits, (64 << 10, 1, 2)]);
    identifiers_equal(&people, &shown, &[(64 << 10, 1, 2)]);
    let scan = scan_file(&people, &ReadOptions::default(), &masked).unwrap();
    assert_eq!(
        scan.flagged,
        [
            "user_email",
            "phone",
            "full_name",
            "account_id",
            "comment",
            "login"
        ]
    );
    // Masked as in memory: no e-mail address appears whole.
    let email = &scan.columns[0];
    assert!(!email.examples.is_empty());
    assert!(email.examples.iter().all(|e| !e.contains("jane.doe")));
    // Logins and names (Jira), NDJSON with pseudonyms (the demo).
    for rel in [
        "datasets/apache_jira/users.csv",
        "datasets/atlassian_demo/original/users.ndjson.gz",
        "datasets/atlassian_demo/release/users.csv",
    ] {
        let path = crate_path(rel);
        if !path.exists() {
            eprintln!("skipped: {} is not here", path.display());
            continue;
        }
        identifiers_equal(&path, &masked, &[fits, tiny]);
    }
    // Columns asked for: the same subset; an unknown one is an error naming it.
    let some = DirectIdentifierConfig {
        columns: vec!["DENSITY".into(), "PUMA".into()],
        ..DirectIdentifierConfig::default()
    };
    identifiers_equal(&acs, &some, &[tiny]);
    let bad = DirectIdentifierConfig {
        columns: vec!["nope".into()],
        ..DirectIdentifierConfig::default()
    };
    let temp = tempfile::tempdir().unwrap();
    let e = scan_identifiers_file(
        &acs,
        &ReadOptions::default(),
        &bad,
        &settings(1 << 20, 1000, 4, temp.path()),
    )
    .unwrap_err();
    assert!(e.to_string().contains("`nope`"), "{e}");
}

/// The ACS excerpt as in tests/privacy_hidden_qi.rs: age banded to ten
/// years, the PUMA masked to its first five characters, `DENSITY` kept (one
/// value per original PUMA). Written to a CSV file.
fn acs_masked_release(dir: &Path) -> PathBuf {
    let path = crate_path("tests/fixtures/nist_acs/ma2019.csv.gz");
    let raw = load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    let mut csv = raw.column_names().join(",") + "\n";
    for r in 0..raw.n_rows {
        let row: Vec<String> = raw
            .columns
            .iter()
            .map(|c| {
                let v = c.value(r);
                match c.name.as_str() {
                    "AGEP" => {
                        let a: u32 = v.parse().unwrap();
                        format!("[{}-{})", a / 10 * 10, a / 10 * 10 + 10)
                    }
                    "PUMA" => format!("{}***", &v[..5]),
                    _ => v.to_string(),
                }
            })
            .collect();
        csv += &(row.join(",") + "\n");
    }
    let out = dir.join("ma2019_masked.csv");
    std::fs::write(&out, csv).unwrap();
    out
}

/// The hidden-QI report of `path` in memory, and out of core under
/// `settings` (k over the declared QIs from the out-of-core metrics).
fn hidden_qi_both(
    path: &Path,
    params: &MetricsParams,
    options: &HiddenQiOptions,
    s: &OutOfCore,
) -> (HiddenQiReport, HiddenQiReport, ScanSummary) {
    let missing = MissingPolicy::default();
    let table = load_table(path, &[], &ReadOptions::default(), &missing).unwrap();
    let want = detect_hidden_quasi_identifiers(&table, params, options).unwrap();
    let base = evaluate_file(
        path,
        &ReadOptions::default(),
        &missing,
        params,
        s,
        &mut |_| {},
    )
    .unwrap();
    let (got, summary) = hidden_qi_file(
        path,
        &ReadOptions::default(),
        &missing,
        params,
        options,
        base.k,
        base.below_target_k.n_records,
        base.n_rows_in_classes,
        s,
    )
    .unwrap();
    (want, got, summary)
}

#[test]
fn hidden_qi_out_of_core_equals_in_memory_on_the_acs_excerpt() {
    let dir = tempfile::tempdir().unwrap();
    let path = acs_masked_release(dir.path());
    let temp = tempfile::tempdir().unwrap();
    let params = MetricsParams::new(["AGEP", "SEX", "PUMA"]).target_k(5);
    let options = HiddenQiOptions::default();
    for (budget, chunk, parts, spills) in [
        (1u64 << 30, 1_000_000, 16, false),
        (64 << 10, 500, 4, true),
        (16 << 10, 100, 3, true),
    ] {
        let s = settings(budget, chunk, parts, temp.path());
        let (want, got, summary) = hidden_qi_both(&path, &params, &options, &s);
        assert_eq!(got, want, "budget {budget}");
        assert_empty_dir(temp.path());
        // The figures of tests/privacy_hidden_qi.rs.
        assert_eq!((got.k, got.records_below_target_k), (7, 0));
        let hidden: Vec<&str> = got.hidden().map(|c| c.column.as_str()).collect();
        assert_eq!(hidden, vec!["DENSITY"]);
        let d = &got.columns[0];
        assert_eq!(
            (
                d.column.as_str(),
                d.k_with,
                d.records_below_target_k,
                d.n_distinct
            ),
            ("DENSITY", 1, 1, 5)
        );
        assert!(d.determines[0].exact && !d.determines[0].one_to_one);
        assert_eq!(got.columns.len(), 21);
        if spills {
            assert!(
                summary.spill.spills > 1 && summary.spill.partitions > 1,
                "{summary:?}"
            );
        } else {
            assert_eq!(summary.spill.spills, 0);
        }
    }
    // Near-uniqueness and lambda below 1: thresholds that let them show.
    let loose = HiddenQiOptions {
        near_unique_share: 0.05,
        min_lambda: 0.1,
        columns: None,
    };
    let s = settings(32 << 10, 300, 5, temp.path());
    let (want, got, _) = hidden_qi_both(&path, &params, &loose, &s);
    assert_eq!(got, want);
    assert!(got.columns.iter().any(|c| c.near_unique), "{got:?}");
    assert!(
        got.columns
            .iter()
            .flat_map(|c| &c.determines)
            .any(|d| d.lambda < 1.0),
        "{got:?}"
    );
    assert_empty_dir(temp.path());
}

/// Suppressed values: rows whose declared QIs are all `*` are left out
/// (and kept under `OneClass`), a column's suppression tokens are one value.
#[test]
fn hidden_qi_out_of_core_keeps_the_suppression_rules() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suppressed.csv");
    let mut csv = String::from("age,zip,code,note\n");
    let rows = [
        ("30", "021", "a", "x"),
        ("30", "021", "a", "y"),
        ("30", "021", "*", "x"),
        ("30", "*", "**", "x"),
        ("40", "*", "b", "y"),
        ("40", "*", "b", "y"),
        ("*", "*", "c", "z"),
        ("**", "***", "c", "z"),
        ("*", "*", "d", "?"),
        ("40", "022", "", "y"),
        ("40", "022", "e", "y"),
        ("50", "022", "e", "x"),
    ];
    for (i, (a, z, c, n)) in rows.iter().enumerate() {
        csv += &format!("{a},{z},{c},{n}{}\n", if i % 2 == 0 { "" } else { " " });
    }
    std::fs::write(&path, csv).unwrap();
    let temp = tempfile::tempdir().unwrap();
    for policy in [SuppressedRows::Exclude, SuppressedRows::OneClass] {
        let params = MetricsParams::new(["age", "zip"])
            .target_k(2)
            .suppressed_rows(policy);
        let loose = HiddenQiOptions {
            near_unique_share: 0.99,
            min_lambda: 0.2,
            columns: None,
        };
        for options in [HiddenQiOptions::default(), loose] {
            let s = settings(1 << 20, 3, 2, temp.path());
            let (want, got, _) = hidden_qi_both(&path, &params, &options, &s);
            assert_eq!(got, want, "{policy:?}");
        }
    }
    assert_empty_dir(temp.path());
}

fn claims(dir: &Path, body: &str) -> Vec<serde_json::Value> {
    let c = AuditConfig::from_toml(body, "scan-test.toml", dir).unwrap();
    let outcome = run_audit(&c, &AuditOptions::default(), &|_| {}).unwrap();
    let v = serde_json::to_value(&outcome.report).unwrap();
    v["claims"].as_array().unwrap().clone()
}

/// The audit: a k-anonymity claim (its hidden-QI guard) and the
/// direct-identifier claims get the same verdicts and figures with `memory`
/// as without: on the masked ACS release DENSITY re-creates the PUMA, so
/// k = 7 over the declared QIs does not PASS; the people table holds
/// identifiers (FAIL); over sex and marital status the Adult fixture's
/// classes are large and no column is a hidden QI (PASS).
#[test]
fn audit_k_and_direct_identifier_claims_equal_with_and_without_memory() {
    let dir = tempfile::tempdir().unwrap();
    acs_masked_release(dir.path());
    std::fs::write(dir.path().join("people.csv"), PEOPLE).unwrap();
    for file in ["adult400_release.csv", "adult400_original.csv"] {
        let from = crate_path("tests/fixtures/linkage").join(file);
        std::fs::copy(&from, dir.path().join(file)).unwrap();
    }
    let body = |memory: &str| {
        format!(
            r#"
title = "scan test"
{memory}

[[table]]
name = "acs"
release = "ma2019_masked.csv"
quasi_identifiers = ["AGEP", "SEX", "PUMA"]

[[table]]
name = "people"
release = "people.csv"
quasi_identifiers = ["age", "zip"]

[[table]]
name = "adult"
release = "adult400_release.csv"
original = "adult400_original.csv"
truth = {{ original = "rec_id", release = "rec_id" }}
quasi_identifiers = ["sex", "marital-status"]

[[claim]]
kind = "k_anonymity"
table = "acs"
k = 5

[[claim]]
kind = "k_anonymity"
table = "adult"
k = 2

[[claim]]
kind = "no_direct_identifiers"
tables = ["acs"]

[[claim]]
kind = "no_direct_identifiers"
tables = ["people"]
"#
        )
    };
    let want = claims(dir.path(), &body(""));
    assert_eq!(want.len(), 4);
    for memory in ["memory = \"1G\"", "memory = \"64K\""] {
        let got = claims(dir.path(), &body(memory));
        assert_eq!(got, want, "{memory}");
    }
    // Not all inconclusive: the comparison means something.
    let verdict = |i: usize| want[i]["verdict"].as_str().unwrap().to_string();
    assert_ne!(verdict(0), "Pass", "{}", want[0]);
    assert!(want[0].to_string().contains("DENSITY"), "{}", want[0]);
    assert_eq!(want[0]["measured"], 7.0, "{}", want[0]);
    assert_eq!(verdict(1), "Pass", "{}", want[1]);
    assert_eq!(verdict(2), "Pass", "{}", want[2]);
    assert_eq!(verdict(3), "Fail", "{}", want[3]);
}

/// `reident identifiers --memory` prints the same JSON and exits with the
/// same code as without.
#[test]
fn cli_identifiers_memory_prints_the_same() {
    let acs = crate_path("tests/fixtures/nist_acs/ma2019.csv.gz");
    let temp = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "identifiers",
            "--data",
            acs.to_str().unwrap(),
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .output()
            .unwrap()
    };
    let want = run(&[]);
    let got = run(&[
        "--memory",
        "64K",
        "--temp-dir",
        temp.path().to_str().unwrap(),
    ]);
    assert_eq!(got.status.code(), want.status.code());
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want.stdout)
    );
    assert!(!want.stdout.is_empty());
    assert_empty_dir(temp.path());
    let bad = run(&["--memory", "lots"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("memory budget `lots`"));
}

/// `reident metrics --memory` runs the hidden quasi-identifier check out of
/// core: the same JSON (the `out_of_core` section aside) and the same
/// warning as in memory.
#[test]
fn cli_metrics_memory_runs_the_hidden_qi_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = acs_masked_release(dir.path());
    let temp = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "metrics",
            "--data",
            path.to_str().unwrap(),
            "--qi",
            "AGEP,SEX,PUMA",
            "--target-k",
            "5",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(0), "{extra:?}: {stderr}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (json, stderr)
    };
    let (want, want_err) = run(&[]);
    let (mut got, got_err) = run(&[
        "--memory",
        "64K",
        "--temp-dir",
        temp.path().to_str().unwrap(),
    ]);
    assert!(got.as_object_mut().unwrap().remove("out_of_core").is_some());
    assert_eq!(got, want);
    assert_eq!(got["hidden_qi"]["columns"][0]["column"], "DENSITY");
    let warning = "warning: hidden quasi-identifiers (k = 7 over AGEP, SEX, PUMA): DENSITY (determines PUMA) would give k = 1";
    assert!(want_err.contains(warning), "{want_err}");
    assert!(got_err.contains(warning), "{got_err}");
    assert_empty_dir(temp.path());
}
