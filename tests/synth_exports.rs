//! `reident synth --format jira-csv|confluence-html|git` read back by the
//! export readers: the same documents, ids, authors and times as the same
//! seed's NDJSON tables (to the precision each export keeps); and the
//! `datasets/audit-atlassian.toml` audit run end to end on such exports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use reident::data::sources::{import, SourceFormat, SourceTable};
use reident::synth::export::{jira_date, write_export, ExportFormat};
use reident::synth::{generate, OutputFormat, SynthConfig};
use serde_json::Value;

fn config() -> SynthConfig {
    SynthConfig {
        users: 12,
        seed: 5,
        ..SynthConfig::default()
    }
}

/// The rows of `name.ndjson` written by `reident synth --format ndjson`.
fn ndjson(dir: &Path, name: &str) -> Vec<Value> {
    std::fs::read_to_string(dir.join(format!("{name}.ndjson")))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn tables() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tables");
    generate(&config(), &dir, OutputFormat::Ndjson).unwrap();
    (tmp, dir)
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

fn cells(t: &SourceTable, name: &str) -> Vec<String> {
    t.column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .iter()
        .map(|v| v.clone().unwrap_or_default())
        .collect()
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn jira_dates_are_written_as_the_navigator_writes_them() {
    assert_eq!(
        jira_date("2026-04-12T15:30:59Z").unwrap(),
        "12/Apr/26 3:30 PM"
    );
    assert_eq!(
        jira_date("2023-01-02T00:05:00Z").unwrap(),
        "02/Jan/23 12:05 AM"
    );
    assert_eq!(
        jira_date("2023-01-02T12:00:00Z").unwrap(),
        "02/Jan/23 12:00 PM"
    );
    assert!(jira_date("yesterday").is_none());
}

#[test]
fn jira_csv_round_trip() {
    let (tmp, dir) = tables();
    let out = tmp.path().join("jira");
    write_export(&config(), &out, ExportFormat::JiraCsv, false).unwrap();
    let imported = import(&out.join("jira-export.csv"), None).unwrap();
    assert_eq!(imported.format, SourceFormat::JiraCsv);

    let issues = imported.table("issues").unwrap();
    let want: Vec<_> = ndjson(&dir, "issues")
        .iter()
        .map(|i| {
            (
                s(&i["issue_key"]),
                s(&i["summary"]),
                s(&i["description"]),
                s(&i["reporter"]),
                s(&i["created"])[..16].to_string(),
            )
        })
        .collect();
    let got: Vec<_> = (0..issues.n_rows())
        .map(|r| {
            let c = |n: &str| cells(issues, n)[r].clone();
            (
                c("issue_key"),
                c("summary"),
                c("description"),
                c("reporter"),
                c("created"),
            )
        })
        .collect();
    assert!(want.len() > 20, "{} issues", want.len());
    assert_eq!(got, want);

    let comments = imported.table("comments").unwrap();
    let mut want: Vec<_> = ndjson(&dir, "comments")
        .iter()
        .map(|c| {
            (
                s(&c["comment_id"]),
                s(&c["author"]),
                s(&c["created"])[..16].to_string(),
                s(&c["body"]),
            )
        })
        .collect();
    let mut got: Vec<_> = (0..comments.n_rows())
        .map(|r| {
            let c = |n: &str| cells(comments, n)[r].clone();
            (c("comment_id"), c("author"), c("created"), c("body"))
        })
        .collect();
    want.sort();
    got.sort();
    assert!(want.len() > 50, "{} comments", want.len());
    assert_eq!(got, want);
}

#[test]
fn confluence_html_round_trip() {
    let (tmp, dir) = tables();
    let out = tmp.path().join("confluence");
    write_export(&config(), &out, ExportFormat::ConfluenceHtml, false).unwrap();
    let imported = import(&out.join("confluence-export.zip"), None).unwrap();
    assert_eq!(imported.format, SourceFormat::ConfluenceHtml);
    let names: BTreeMap<String, String> = ndjson(&dir, "users")
        .iter()
        .map(|u| (s(&u["login"]), s(&u["display_name"])))
        .collect();
    let pages = imported.table("pages").unwrap();
    let mut want: Vec<_> = ndjson(&dir, "pages")
        .iter()
        .map(|p| {
            let id = s(&p["page_id"]);
            (
                id.rsplit_once("-p").unwrap().1.to_string(),
                s(&p["space"]),
                s(&p["title"]),
                names[&s(&p["author"])].clone(),
                s(&p["created"])[..10].to_string(),
                words(&s(&p["body"])),
            )
        })
        .collect();
    let mut got: Vec<_> = (0..pages.n_rows())
        .map(|r| {
            let c = |n: &str| cells(pages, n)[r].clone();
            (
                c("page_id"),
                c("space"),
                c("title"),
                c("author"),
                c("created")[..10].to_string(),
                words(&c("body")),
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert!(want.len() > 5, "{} pages", want.len());
    assert_eq!(got, want);
}

#[test]
fn git_round_trip_and_pseudonymized_release() {
    let (tmp, dir) = tables();
    let out = tmp.path().join("git");
    write_export(&config(), &out, ExportFormat::Git, false).unwrap();
    let imported = import(&out.join("repo.git"), None).unwrap();
    assert_eq!(imported.format, SourceFormat::Git);
    let names: BTreeMap<String, String> = ndjson(&dir, "users")
        .iter()
        .map(|u| (s(&u["email"]), s(&u["display_name"])))
        .collect();
    let mut want: Vec<_> = ndjson(&dir, "commits")
        .iter()
        .map(|c| {
            let mut paths: Vec<&str> = c["paths"].as_str().unwrap().split(';').collect();
            paths.sort();
            paths.dedup();
            let email = s(&c["author_email"]);
            (
                email.clone(),
                names[&email].clone(),
                s(&c["timestamp"]),
                s(&c["message"]),
                paths.join("\n"),
            )
        })
        .collect();
    let commits = imported.table("commits").unwrap();
    let mut got: Vec<_> = (0..commits.n_rows())
        .map(|r| {
            let c = |n: &str| cells(commits, n)[r].clone();
            assert_eq!(c("committer_email"), c("author_email"));
            assert_eq!(c("commit_time"), c("author_time"));
            (
                c("author_email"),
                c("author_name"),
                c("author_time"),
                c("message"),
                c("paths"),
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert!(want.len() > 20, "{} commits", want.len());
    assert_eq!(got, want);
    // One linear history: a root, every other commit with one parent.
    let parents = cells(commits, "parent_count");
    assert_eq!(parents.iter().filter(|p| *p == "0").count(), 1);
    assert_eq!(
        parents.iter().filter(|p| *p == "1").count(),
        parents.len() - 1
    );

    // The pseudonymized release: other commit ids and authors, the same
    // trees and messages.
    let rel = tmp.path().join("git-release");
    write_export(&config(), &rel, ExportFormat::Git, true).unwrap();
    let release = import(&rel.join("repo.git"), Some(SourceFormat::Git)).unwrap();
    let r_commits = release.table("commits").unwrap();
    let by_tree = |t: &SourceTable| -> BTreeMap<String, (String, String, String)> {
        (0..t.n_rows())
            .map(|r| {
                let c = |n: &str| cells(t, n)[r].clone();
                (
                    c("tree_id"),
                    (c("commit_id"), c("author_email"), c("message")),
                )
            })
            .collect()
    };
    let (o, r) = (by_tree(commits), by_tree(r_commits));
    assert_eq!(o.len(), commits.n_rows(), "tree ids are unique");
    assert_eq!(o.keys().collect::<Vec<_>>(), r.keys().collect::<Vec<_>>());
    for (tree, (o_id, _, o_msg)) in &o {
        let (r_id, r_email, r_msg) = &r[tree];
        assert_ne!(o_id, r_id);
        assert_eq!(o_msg, r_msg);
        assert!(
            r_email.starts_with("user_") && r_email.ends_with("@example.invalid"),
            "{r_email}"
        );
    }
}

fn reident(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .expect("run reident")
}

/// `datasets/atlassian_export/make.sh`'s six exports, written by the real
/// binary into a temporary folder beside a copy of the config, then the
/// audit of `datasets/audit-atlassian.toml`.
#[test]
fn atlassian_audit_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = tmp.path().join("audit-atlassian.toml");
    std::fs::copy(root.join("datasets/audit-atlassian.toml"), &config).unwrap();
    for (format, dir) in [
        ("jira-csv", "jira"),
        ("confluence-html", "confluence"),
        ("git", "git"),
    ] {
        for (side, extra) in [("original", None), ("release", Some("--pseudonymize"))] {
            let out = tmp.path().join("atlassian_export").join(side).join(dir);
            let mut args = vec![
                "synth",
                "--users",
                "30",
                "--seed",
                "16",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ];
            args.extend(extra);
            let o = reident(&args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
    let report_dir = tmp.path().join("report");
    let o = reident(&[
        "audit",
        "--config",
        config.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "claims are refuted: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(report_dir.join("report.json")).unwrap())
            .unwrap();
    let claims = report["claims"].as_array().unwrap();
    let verdicts: Vec<(&str, &str, f64)> = claims
        .iter()
        .map(|c| {
            (
                c["claim"].as_str().unwrap(),
                c["verdict"].as_str().unwrap(),
                c["measured"].as_f64().unwrap_or(f64::NAN),
            )
        })
        .collect();
    // Every release document is linked to its own original (the texts are
    // unchanged): 386 comments, 29 pages and 158 commits, the counts
    // `reident synth --users 30 --seed 16` prints.
    let evidence = |i: usize| claims[i]["evidence"].as_str().unwrap().to_string();
    for (i, n) in [(0, 386), (1, 29), (2, 158)] {
        assert_eq!(verdicts[i].2, 1.0);
        assert!(
            evidence(i).starts_with(&format!("{n} of {n} release documents are linked")),
            "{}",
            evidence(i)
        );
    }
    // The planted names, e-mails and mentions survive in the texts.
    assert!(verdicts[3].2 > 0.0, "{verdicts:?}");
    assert_eq!(
        verdicts.iter().map(|v| (v.0, v.1)).collect::<Vec<_>>(),
        vec![
            (
                "documents of corpus `jira` cannot be linked to their sources (at most 5%)",
                "Fail"
            ),
            (
                "documents of corpus `confluence` cannot be linked to their sources (at most 5%)",
                "Fail"
            ),
            (
                "documents of corpus `git` cannot be linked to their sources (at most 5%)",
                "Fail"
            ),
            ("no direct identifiers remain in the release", "Fail"),
        ]
    );
}
