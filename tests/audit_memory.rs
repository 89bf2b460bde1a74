//! `memory` in the audit config: a table read out of core (`memory = "1M"`,
//! per table or for the whole audit) gives the metric claims (k, l, t) the
//! same measured values as the in-memory run, through the code `reident
//! metrics --memory` runs; the re-identification claim the same claim as in
//! memory (the QI join runs out of core, `engine::qi_join_out_of_core`), and
//! so do the direct-identifier scan and the hidden quasi-identifier check
//! (the same verdicts; see also tests/scan_out_of_core.rs); bad or
//! conflicting keys are config errors naming the key.

use std::path::{Path, PathBuf};

use reident::audit::{run_audit, AuditConfig, AuditOptions};
use serde_json::Value;

fn config(dir: &Path, body: &str) -> Result<AuditConfig, String> {
    AuditConfig::from_toml(body, "memory-test.toml", dir).map_err(|e| e.to_string())
}

fn claims(c: &AuditConfig) -> Vec<Value> {
    let outcome = run_audit(c, &AuditOptions::default(), &|_| {}).unwrap();
    let v = serde_json::to_value(&outcome.report).unwrap();
    v["claims"].as_array().unwrap().clone()
}

/// The Adult fixture with originals: metric and attack claims.
fn adult400(audit_line: &str, table_line: &str, k: u64) -> String {
    format!(
        r#"
title = "memory test"
{audit_line}

[[table]]
name = "adult"
release = "adult400_release.csv"
original = "adult400_original.csv"
quasi_identifiers = ["sex", "age", "race", "marital-status", "education"]
sensitive = ["occupation", "salary-class"]
truth = {{ original = "rec_id", release = "rec_id" }}
{table_line}

[[claim]]
kind = "k_anonymity"
table = "adult"
k = {k}

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
    )
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linkage")
}

#[test]
fn memory_key_gives_the_same_metric_claims_and_inconclusive_row_claims() {
    let dir = fixture_dir();
    let want = claims(&config(&dir, &adult400("", "", 2)).unwrap());
    assert_eq!(want.len(), 5);
    // Not all inconclusive in memory, so the comparison means something.
    assert_eq!(want[0]["measured"], 1.0, "{}", want[0]);
    assert_ne!(want[3]["verdict"], "Inconclusive", "{}", want[3]);
    for (audit, table) in [("memory = \"1M\"", ""), ("", "memory = \"16K\"")] {
        let got = claims(&config(&dir, &adult400(audit, table, 2)).unwrap());
        assert_eq!(got.len(), 5);
        // k, l, t: the same claim, measure, value and verdict (k fails at 1).
        for i in 0..3 {
            for field in ["claim", "measure", "measured", "verdict"] {
                assert_eq!(
                    got[i][field], want[i][field],
                    "{audit}{table}: claim {i} {field}"
                );
            }
        }
        // The direct-identifier scan runs out of core: the same claim.
        assert_eq!(got[4], want[4], "{audit}{table}");
        // The re-identification claim: the QI join runs out of core
        // (engine::qi_join_out_of_core), but five release ages match no
        // original and the in-memory run reads some of them through a
        // hierarchy it builds from the rows: out of core the claim keeps
        // its (lower) figures and cannot pass, saying why.
        assert_eq!(want[3]["verdict"], "Fail", "{}", want[3]);
        assert_eq!(got[3]["verdict"], "Fail", "{}", got[3]);
        let text = got[3].to_string();
        assert!(
            text.contains("hierarchies are not built out of core")
                && text.contains("`age` (5 rows)"),
            "{text}"
        );
    }
}

/// Without hierarchies built from the rows, the re-identification claim
/// under `memory` is the in-memory claim, figures and warnings included
/// (the QI join runs out of core).
#[test]
fn reidentification_claim_equals_in_memory_without_built_hierarchies() {
    let dir = fixture_dir();
    let body = |audit: &str| adult400(audit, "build_hierarchies = false", 2);
    let want = claims(&config(&dir, &body("")).unwrap());
    assert_eq!(want[3]["verdict"], "Fail", "{}", want[3]);
    for audit in ["memory = \"1M\"", "memory = \"16K\""] {
        let got = claims(&config(&dir, &body(audit)).unwrap());
        assert_eq!(got[3], want[3], "{audit}");
    }
}

/// The hidden quasi-identifier check runs out of core: a k claim that
/// passes in memory passes under `memory` too.
#[test]
fn a_k_claim_that_passes_in_memory_passes_out_of_core() {
    let dir = fixture_dir();
    // Over sex and marital status alone every class has several rows.
    let body = |audit: &str| {
        adult400(audit, "", 2).replace(
            r#"["sex", "age", "race", "marital-status", "education"]"#,
            r#"["sex", "marital-status"]"#,
        )
    };
    let want = claims(&config(&dir, &body("")).unwrap());
    let got = claims(&config(&dir, &body("memory = \"1M\"")).unwrap());
    assert_eq!(want[0]["verdict"], "Pass", "{}", want[0]);
    assert_eq!(got[0], want[0]);
}

/// ARX's Adult (30,162 rows) under a budget small enough to spill: the
/// metric claims measure the same k, l and t as in memory.
#[test]
fn arx_adult_metric_claims_equal_under_a_tiny_budget() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/adult_arx");
    if !dir.join("adult.csv").exists() {
        eprintln!("skipped: {} is not here", dir.display());
        return;
    }
    let body = |memory: &str| {
        format!(
            r#"
title = "ARX Adult"
{memory}

[[table]]
name = "adult"
release = "adult.csv"
delimiter = ";"
quasi_identifiers = ["sex", "age", "race", "marital-status", "native-country"]
sensitive = ["occupation", "salary-class"]

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
t = 0.2
"#
        )
    };
    let want = claims(&config(&dir, &body("")).unwrap());
    let got = claims(&config(&dir, &body("memory = \"64K\"")).unwrap());
    assert_eq!(want.len(), 3);
    for i in 0..3 {
        assert!(want[i]["measured"].is_number(), "{}", want[i]);
        for field in ["claim", "measure", "measured", "verdict"] {
            assert_eq!(got[i][field], want[i][field], "claim {i} {field}");
        }
    }
}

#[test]
fn bad_or_conflicting_memory_keys_are_config_errors_naming_the_key() {
    let dir = fixture_dir();
    let e = config(&dir, &adult400("", "memory = \"lots\"", 2)).unwrap_err();
    assert!(
        e.contains("table `adult`: key `memory`") && e.contains("lots"),
        "{e}"
    );
    let e = config(&dir, &adult400("memory = \"0\"", "", 2)).unwrap_err();
    assert!(e.contains("key `memory`"), "{e}");
    let e = config(
        &dir,
        &adult400("memory = \"1M\"", "engine = \"partials:10\"", 2),
    )
    .unwrap_err();
    assert!(
        e.contains("key `memory`") && e.contains("key `engine`"),
        "{e}"
    );
    let e = config(
        &dir,
        &adult400("", "memory = \"1M\"\nsubject = \"rec_id\"", 2),
    )
    .unwrap_err();
    assert!(e.contains("key `subject`"), "{e}");
}
