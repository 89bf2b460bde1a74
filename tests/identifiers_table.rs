//! The table scan for direct-identifier columns (`privacy::direct_identifiers`,
//! `reident identifiers`): a hand-built table whose identifier columns are
//! known by construction next to honest columns that must stay unflagged, and
//! real tables: excerpts of German Credit and NIST ACS (no direct
//! identifiers), the Apache Jira users table (logins and names) and the demo's
//! original and released users tables.

use std::path::{Path, PathBuf};

use clap::Parser;
use reident::cli::{run, Cli, CliError, Outcome};
use reident::data::ReadOptions;
use reident::privacy::direct_identifiers::{
    header_hint, scan_file, ColumnCategory, DirectIdentifierConfig, DirectIdentifierScan,
};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Six people; the phone of the fifth is missing.
pub(crate) const TABLE: &str = "\
user_email,phone,full_name,account_id,comment,age,zip,category,age_range,salary
jane.doe@example.com,+1 415 555 0142,Jane Doe,3f2504e0-4f89-11d3-9a0c-0305e82c3301,The export job failed again after the nightly upgrade,34,02139,Private,[30-40),52000
bob.smith@example.org,(415) 555-0199,Bob Smith,7c9e6679-7425-40de-944b-e07fc1f90ae7,Please reset my password before the quarterly review,41,02139,Self-emp,[40-50),61000
mary.jones@example.net,415.555.0123,Mary Jones,16fd2706-8baf-433b-82eb-8c7fada847da,I could not open the shared calendar on my laptop today,29,10001,Private,[20-30),48000
li.chen@example.com,+44 20 7946 0958,Li Chen,6ba7b810-9dad-11d1-80b4-00c04fd430c8,Moving the meeting to Thursday works better for the whole team,52,10001,Federal-gov,[50-60),75000
omar.haddad@example.com,,Omar Haddad,6ba7b811-9dad-11d1-80b4-00c04fd430c8,The invoice from last month still shows the wrong amount,38,94110,Private,[30-40),58000
ana.garcia@example.com,+34 912 345 678,Ana Garcia,6ba7b812-9dad-11d1-80b4-00c04fd430c8,Thanks for fixing the printer on the third floor so quickly,45,94110,Local-gov,[40-50),66000
";

fn scan_text(csv: &str, config: &DirectIdentifierConfig) -> DirectIdentifierScan {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    std::fs::write(&path, csv).unwrap();
    scan_file(&path, &ReadOptions::default(), config).unwrap()
}

fn column<'a>(
    scan: &'a DirectIdentifierScan,
    name: &str,
) -> &'a reident::privacy::direct_identifiers::ColumnFinding {
    scan.columns.iter().find(|c| c.column == name).unwrap()
}

#[test]
fn hand_built_table_flags_identifier_columns_and_only_those() {
    let scan = scan_text(TABLE, &DirectIdentifierConfig::default());
    assert_eq!(scan.rows, 6);
    assert_eq!(
        scan.flagged,
        ["user_email", "phone", "full_name", "account_id", "comment"]
    );
    let cat = |name: &str| column(&scan, name).category;
    assert_eq!(cat("user_email"), Some(ColumnCategory::Email));
    assert_eq!(cat("phone"), Some(ColumnCategory::Phone));
    assert_eq!(cat("full_name"), Some(ColumnCategory::PersonName));
    assert_eq!(cat("account_id"), Some(ColumnCategory::AccountId));
    assert_eq!(cat("comment"), Some(ColumnCategory::FreeText));
    assert_eq!(
        scan.flagged_by_category
            .values()
            .copied()
            .collect::<Vec<_>>(),
        [1, 1, 1, 1, 1]
    );
    // Honest columns: numbers, ZIP codes, categories, generalized ranges.
    for honest in ["age", "zip", "category", "age_range", "salary"] {
        let c = column(&scan, honest);
        assert!(!c.flagged, "{honest}: {:?}", c.rule);
        assert_eq!(c.rule, None);
    }
    // Shares by hand: the phone column has 5 values (one missing), all phone-shaped.
    let phone = column(&scan, "phone");
    assert_eq!((phone.rows, phone.non_missing), (6, 5));
    assert_eq!(phone.shape_share, Some(1.0));
    assert_eq!(phone.header_hint, Some(ColumnCategory::Phone));
    // ZIP: 3 distinct of 6; salary: 6 of 6 distinct yet no identifier shape.
    assert_eq!(column(&scan, "zip").distinct_share, Some(0.5));
    assert_eq!(column(&scan, "salary").distinct_share, Some(1.0));
    assert_eq!(column(&scan, "salary").category, None);
    // Examples are masked by default...
    assert_eq!(
        column(&scan, "user_email").examples,
        [
            "j***.d**@e******.com",
            "b**.s****@e******.org",
            "m***.j****@e******.net"
        ]
    );
    assert_eq!(
        phone.examples,
        ["+1 *** *** ****", "(4**) ***-****", "4**.***.****"]
    );
    assert_eq!(
        column(&scan, "full_name").examples,
        ["J*** D**", "B** S****", "M*** J****"]
    );
    // ...and shown only when asked.
    let shown = scan_text(
        TABLE,
        &DirectIdentifierConfig {
            include_examples: true,
            max_examples: 1,
            ..DirectIdentifierConfig::default()
        },
    );
    assert_eq!(column(&shown, "full_name").examples, ["Jane Doe"]);
    assert!(shown.examples_included && !scan.examples_included);
}

#[test]
fn names_without_a_header_hint_need_shape_uniqueness_and_census_names() {
    // `attendee` is not a hint word: the name rule without a header applies
    // (6 of 6 name-shaped, 6 distinct, census first or last names).
    let csv = "attendee,team\nJane Doe,Sales Team\nBob Smith,Sales Team\nMary Jones,Data Team\nLi Chen,Data Team\nOluwaseun Adebayo,Sales Team\nAna Garcia,Data Team\n";
    let scan = scan_text(csv, &DirectIdentifierConfig::default());
    assert_eq!(scan.flagged, ["attendee"]);
    let a = column(&scan, "attendee");
    assert_eq!(a.category, Some(ColumnCategory::PersonName));
    assert_eq!(a.header_hint, None);
    // Jane, Bob, Mary, Ana are census first names; Smith, Jones, Chen, Garcia
    // census last names; Oluwaseun Adebayo is neither: 5 of 6.
    assert_eq!(a.known_name_share, Some(5.0 / 6.0));
    // `team` is name-shaped too but repeats (2 distinct of 6) and is no name.
    let t = column(&scan, "team");
    assert!(!t.flagged);
    assert_eq!(t.distinct_share, Some(2.0 / 6.0));
}

#[test]
fn headers_give_hints_not_verdicts() {
    assert_eq!(header_hint("emailAddress"), Some(ColumnCategory::Email));
    assert_eq!(header_hint("telephone"), Some(ColumnCategory::Phone));
    assert_eq!(header_hint("reporter"), Some(ColumnCategory::Login));
    assert_eq!(header_hint("hostname"), None);
    // A phone header over yes/no codes (German Credit's `telephone`) is not a phone column.
    let scan = scan_file(
        &crate_path("tests/fixtures/identifiers/german_credit_head.csv"),
        &ReadOptions::default(),
        &DirectIdentifierConfig::default(),
    )
    .unwrap();
    let tel = column(&scan, "telephone");
    assert_eq!(tel.header_hint, Some(ColumnCategory::Phone));
    assert!(!tel.flagged);
}

#[test]
fn real_tables_without_direct_identifiers_flag_nothing() {
    for (file, rows, cols) in [
        ("german_credit_head.csv", 60, 21),
        ("nist_acs_ma2019_head.csv", 60, 24),
    ] {
        let scan = scan_file(
            &crate_path("tests/fixtures/identifiers").join(file),
            &ReadOptions::default(),
            &DirectIdentifierConfig::default(),
        )
        .unwrap();
        assert_eq!((scan.rows, scan.columns.len()), (rows, cols), "{file}");
        assert!(scan.flagged.is_empty(), "{file}: {:?}", scan.flagged);
    }
}

#[test]
fn apache_jira_users_flag_login_and_name() {
    let scan = scan_file(
        &crate_path("datasets/apache_jira/users.csv"),
        &ReadOptions::default(),
        &DirectIdentifierConfig::default(),
    )
    .unwrap();
    assert_eq!(scan.rows, 556);
    assert_eq!(scan.flagged, ["login", "display_name"]);
    assert_eq!(column(&scan, "login").category, Some(ColumnCategory::Login));
    assert_eq!(
        column(&scan, "display_name").category,
        Some(ColumnCategory::PersonName)
    );
    // Every login is distinct.
    assert_eq!(column(&scan, "login").distinct_share, Some(1.0));
}

#[test]
fn demo_users_original_flagged_release_pseudonyms_reported_not_flagged() {
    let original = scan_file(
        &crate_path("datasets/atlassian_demo/original/users.ndjson.gz"),
        &ReadOptions::default(),
        &DirectIdentifierConfig::default(),
    )
    .unwrap();
    let mut flagged = original.flagged.clone();
    flagged.sort();
    assert_eq!(flagged, ["display_name", "email", "login"]);
    // The release keeps one 16-hex-digit HMAC pseudonym per user: a hex digest,
    // reported with a note, not flagged (a keyed pseudonym cannot be told from
    // a hash without the originals).
    let release = scan_file(
        &crate_path("datasets/atlassian_demo/release/users.csv"),
        &ReadOptions::default(),
        &DirectIdentifierConfig::default(),
    )
    .unwrap();
    assert!(release.flagged.is_empty(), "{:?}", release.flagged);
    let user = column(&release, "user");
    assert_eq!(user.category, Some(ColumnCategory::HexDigest));
    assert_eq!(user.shape_share, Some(1.0));
    assert!(user.note.is_some());
}

fn cli(args: &[&str]) -> (Result<Outcome, CliError>, String) {
    let mut argv = vec!["reident", "identifiers"];
    argv.extend_from_slice(args);
    let mut out = Vec::new();
    let r = run(Cli::parse_from(argv), &mut out);
    (r, String::from_utf8(out).unwrap())
}

#[test]
fn cli_exit_codes_formats_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(&people, TABLE).unwrap();
    let (r, out) = cli(&["--data", people.to_str().unwrap(), "--format", "json"]);
    assert_eq!(r.unwrap(), Outcome::Refuted);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["flagged"].as_array().unwrap().len(), 5);
    assert_eq!(v["columns"][0]["examples"][0], "j***.d**@e******.com");
    assert!(!out.contains("jane.doe@example.com"));
    // Restricted to honest columns: exit 0; the text view says so.
    let (r, out) = cli(&[
        "--data",
        people.to_str().unwrap(),
        "--columns",
        "age,zip,salary",
    ]);
    assert_eq!(r.unwrap(), Outcome::Success);
    assert!(out.contains("0 flagged"), "{out}");
    // Errors name the file or the column.
    let (r, _) = cli(&["--data", people.to_str().unwrap(), "--columns", "nope"]);
    let e = r.unwrap_err().to_string();
    assert!(
        e.contains("no column `nope`") && e.contains("user_email"),
        "{e}"
    );
    let missing = dir.path().join("missing.csv");
    let (r, _) = cli(&["--data", missing.to_str().unwrap()]);
    let e = r.unwrap_err().to_string();
    assert!(e.contains("missing.csv"), "{e}");
}
