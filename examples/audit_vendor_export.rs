//! Audit a vendor export with the library API: the config is written in code
//! (the same TOML `reident audit --config` reads), the audit runs, each claim
//! gets its verdict, and the report is written to a temporary folder.
//!
//! The export is the bundled `datasets/atlassian_demo`: a generalized users
//! table, pseudonymized commits with redacted messages, and Laplace-noised
//! weekly usage counts. The vendor claims 3-anonymity of the users, that no
//! direct identifier remains in the commits, and epsilon = 1 per user for the
//! counts. The first two are refuted (k = 1; the commit e-mails are unsalted
//! SHA-256 hashes that a dictionary of known e-mails reverses), and so is the
//! third (epsilon 1 per *event*, but a user has up to 227 events).
//!
//! Run with `cargo run --example audit_vendor_export`.

use std::path::Path;

use reident::audit::{run_audit, AuditConfig, AuditOptions};
use reident::report::write_report;

const CONFIG: &str = r#"
title = "Vendor export: users, commits, usage counts"
seed = 7

[[table]]
name = "users"
release = "atlassian_demo/release/users.csv"
quasi_identifiers = ["team", "role_family", "region", "utc_offset_band", "tenure", "seniority"]

[[corpus]]
name = "commits"
original = "atlassian_demo/original/commits.ndjson.gz"
release = "atlassian_demo/release/commits.ndjson.gz"
text = "message"
id = "commit_hash"
author = "author"
identifier_columns = ["author_email"]
users = "atlassian_demo/original/users.ndjson.gz"

[[aggregate]]
name = "usage"
original = "atlassian_demo/original/usage_counts.csv"
release = "atlassian_demo/release/usage_counts.csv"
keys = ["product", "feature", "week"]
kind = "sum"
value = "count"
release_value = "count"
contributions = { events = "atlassian_demo/original/events.ndjson.gz", user = "user" }

[[claim]]
kind = "k_anonymity"
table = "users"
k = 3

[[claim]]
kind = "no_direct_identifiers"
corpora = ["commits"]

[[claim]]
kind = "differential_privacy"
aggregate = "usage"
epsilon = 1.0
unit = "user"
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let datasets = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets");
    let config = AuditConfig::from_toml(CONFIG, "examples/audit_vendor_export.rs", &datasets)?;
    let outcome = run_audit(&config, &AuditOptions::default(), &|step| {
        eprintln!("  done: {step}")
    })?;
    println!("{}", outcome.report.title);
    for claim in &outcome.report.claims {
        println!(
            "  {:<12} {}\n               {}",
            claim.verdict.label(),
            claim.claim,
            claim.evidence
        );
    }
    let out = std::env::temp_dir().join("reident-examples/audit_vendor_export");
    let written = write_report(
        &outcome.report,
        &outcome.charts,
        &out,
        &config.input_files(),
    )?;
    println!("report: {}", written.html.display());
    assert!(outcome.any_refuted(), "the demo export refutes its claims");
    Ok(())
}
