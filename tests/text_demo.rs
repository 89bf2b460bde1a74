//! The text attacks on the bundled demo release (datasets/atlassian_demo, see its
//! SOURCE.md: redacted text with consistent placeholders, HMAC-pseudonymized
//! authors, unsalted SHA-256 commit e-mails). The figures asserted here were
//! measured with `reident text` at the default parameters (word 3-shingles,
//! 32 bands x 4 rows, seed 1, Jaccard >= 0.5) and cross-checked against the
//! gold annotations in `original/planted.ndjson.gz`.

use std::path::{Path, PathBuf};

use polars::prelude::DataFrame;
use reident::anonymize::pseudonym::sha256_hex;
use reident::attacks::text::{
    audit_text, hash_dictionary_attack, Corpus, HashColumn, IdentifierSet, TextAuditConfig,
    TruthKey,
};
use reident::cli::text::{run, TextArgs};
use reident::cli::{CliError, Outcome};
use reident::data::{read_frame, ReadOptions};
use reident::eval::document_linkage::score_text_report;

fn demo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/atlassian_demo")
        .join(path)
}

fn frame(path: &str) -> DataFrame {
    read_frame(&demo(path), &ReadOptions::default()).expect("demo file reads")
}

fn column(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .expect("column")
        .str()
        .expect("text")
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn corpus(df: &DataFrame, id: &str, text: &str) -> Corpus {
    Corpus::new("demo", column(df, id), column(df, text)).expect("corpus")
}

#[test]
fn demo_commits() {
    let (o, r) = (
        frame("original/commits.ndjson.gz"),
        frame("release/commits.ndjson.gz"),
    );
    let original = corpus(&o, "commit_hash", "message");
    let release = corpus(&r, "commit_hash", "message");
    let truth = TruthKey::same_ids(&release, &original).expect("truth");
    let mut ids = IdentifierSet::new();
    for c in ["author", "author_email"] {
        for v in column(&o, c).into_iter().flatten() {
            ids.add_column_value(&v, true);
        }
    }
    ids.add_from_texts(&original.texts).expect("detectors");
    let hash_columns = vec![
        ("author".to_string(), column(&r, "author")),
        ("author_email".to_string(), column(&r, "author_email")),
    ];
    let mut stages = Vec::new();
    let report = score_text_report(
        audit_text(
            &original,
            &release,
            Some(&truth),
            &ids,
            &hash_columns,
            &TextAuditConfig::default(),
            &mut |s| stages.push(s),
        )
        .expect("audit"),
    )
    .expect("scores");
    assert_eq!(stages.len(), 4);
    // Linkage: 666 commits; LSH surfaces the true original for 635 (95.3 %), and 623
    // messages (93.5 %) link to their original with Jaccard >= 0.5, all correctly.
    let l = &report.linkage;
    assert_eq!(l.with_truth, 666);
    assert_eq!(l.candidate_recall, Some(635.0 / 666.0));
    assert_eq!(l.linked, 623);
    assert_eq!(l.correct, 623);
    assert_eq!(l.precision, Some(1.0));
    assert_eq!(l.reidentification_rate, Some(623.0 / 666.0));
    // Leak scan: the redactor removed every identifier of the originals from the text.
    assert_eq!(report.leak_scan.n_known, 525);
    assert_eq!(report.leak_scan.n_surviving, 0);
    // Recovery: every placeholder is recovered; the gold annotations plant exactly 401
    // identifiers in commit messages, all issue keys.
    let rec = &report.recovery;
    assert_eq!(rec.placeholders, 401);
    assert_eq!(rec.recovered, 401);
    assert_eq!(rec.labels.len(), 1);
    assert_eq!(rec.labels[0].label, "ISSUE_KEY");
    assert_eq!(rec.labels[0].hidden_kinds.get("issue_key"), Some(&401));
    // Placeholders are numbered across the corpus: 267 distinct, 98 reappear in other
    // commits, always for the same key; 177 commit pairs are linked through them.
    let c = &rec.consistency;
    assert_eq!(c.distinct_placeholders, 267);
    assert_eq!(c.in_several_documents, 98);
    assert_eq!(c.purity, Some(1.0));
    assert_eq!(c.linked_document_pairs, 177);
    assert_eq!(c.correctly_linked_document_pairs, 177);
    assert!(c.consistent);
    // Hashes: all 129 distinct author e-mails are reversed (unsalted SHA-256); the 129
    // HMAC author pseudonyms are not.
    let h = &report.hash_attack;
    let col = |n: &str| h.columns.iter().find(|c| c.column == n).expect("column");
    assert_eq!(
        (
            col("author_email").hex_tokens,
            col("author_email").recovered
        ),
        (129, 129)
    );
    assert_eq!(
        (col("author").hex_tokens, col("author").recovered),
        (129, 0)
    );
    assert_eq!(h.entities_recovered, 129);
    assert_eq!(h.by_kind.get("email"), Some(&129));
}

#[test]
fn unsalted_sha256_of_logins_is_reversed_for_every_login() {
    // The demo pseudonymizes logins with HMAC; build the weak release the SOURCE.md
    // warns about: author = SHA-256(login), unsalted.
    let o = frame("original/comments.ndjson.gz");
    let logins: Vec<String> = column(&o, "author").into_iter().flatten().collect();
    let hashed: Vec<String> = logins.iter().map(|l| sha256_hex(l.as_bytes())).collect();
    let mut distinct = logins.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut ids = IdentifierSet::new();
    for l in &logins {
        ids.add_column_value(l, true);
    }
    let columns = [HashColumn {
        name: "author",
        values: hashed.iter().map(String::as_str).collect(),
    }];
    let h = hash_dictionary_attack(&ids, &columns, 3, false);
    assert_eq!(distinct.len(), 200);
    assert_eq!(h.hex_tokens, 200);
    assert_eq!(h.recovered, 200);
    assert_eq!(h.entities_recovered, 200);
    assert_eq!(h.by_kind.get("login"), Some(&200));
    // The same logins under the demo's HMAC pseudonyms: nothing is reversed.
    let r = frame("release/comments.ndjson.gz");
    let hmac: Vec<String> = column(&r, "author").into_iter().flatten().collect();
    let columns = [HashColumn {
        name: "author",
        values: hmac.iter().map(String::as_str).collect(),
    }];
    let h = hash_dictionary_attack(&ids, &columns, 3, false);
    assert_eq!((h.hex_tokens, h.recovered), (200, 0));
}

fn args(original: PathBuf, release: PathBuf, text: &str, id: &str, idcols: &[&str]) -> TextArgs {
    TextArgs {
        original,
        release,
        truth: None,
        truth_columns: vec!["release_id".into(), "original_id".into()],
        same_ids: true,
        text_column: text.into(),
        id_column: id.into(),
        identifier_columns: idcols.iter().map(|s| s.to_string()).collect(),
        users: None,
        user_columns: vec!["login".into(), "display_name".into(), "email".into()],
        no_name_parts: false,
        hash_columns: Vec::new(),
        shingle: reident::cli::choices::ShingleUnitArg::Word,
        k: 3,
        bands: 32,
        rows: 4,
        seed: 1,
        verify: reident::cli::choices::VerificationArg::Jaccard,
        threshold: 0.5,
        show_identifiers: false,
        max_examples: 5,
        output: None,
        force: false,
        max_linkage_rate: None,
        embedding_model: None,
    }
}

/// Comments with the users table (logins, display names, e-mails). Takes ~10 s in a
/// debug build on a busy machine: `cargo test --test integration text_demo:: -- --ignored`.
#[test]
#[ignore]
fn demo_comments_cli() {
    let mut a = args(
        demo("original/comments.ndjson.gz"),
        demo("release/comments.ndjson.gz"),
        "body",
        "comment_id",
        &["author"],
    );
    a.users = Some(demo("original/users.ndjson.gz"));
    let mut out = Vec::new();
    assert_eq!(run(&a, &mut out).expect("runs"), Outcome::Refuted);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let l = &v["linkage"];
    assert_eq!(l["with_truth"], 1637);
    assert_eq!(l["linked"], 1522);
    assert_eq!(l["correct"], 1520);
    assert_eq!(l["candidate_recall"].as_f64(), Some(1573.0 / 1637.0));
    assert_eq!(v["leak_scan"]["n_known"], 1673);
    assert_eq!(v["leak_scan"]["n_surviving"], 0);
    let rec = &v["recovery"];
    assert_eq!(rec["placeholders"], 1807);
    assert_eq!(rec["recovered"], 1807);
    // Gold (planted.ndjson.gz, comment bodies): 479 URLs, 337 issue keys, 55 e-mails,
    // 50 IPs, 33 phones, 416 person names, 181 mentions. HOST hides 94 planted hosts
    // plus 162 `com.example` Java package prefixes the redactor also took for hosts.
    let label = |name: &str, kind: &str| {
        rec["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .find(|l| l["label"] == name)
            .map(|l| l["hidden_kinds"][kind].as_u64().unwrap_or(0))
            .unwrap_or(0)
    };
    assert_eq!(label("URL", "url"), 479);
    assert_eq!(label("ISSUE_KEY", "issue_key"), 337);
    assert_eq!(label("EMAIL", "email"), 55);
    assert_eq!(label("IP", "ip"), 50);
    assert_eq!(label("PHONE", "phone"), 33);
    assert_eq!(label("PERSON", "name"), 416);
    assert_eq!(label("PERSON", "login"), 181);
    assert_eq!(label("HOST", "host"), 256);
    let c = &rec["consistency"];
    assert_eq!(c["in_several_documents"], 198);
    assert_eq!(c["linked_document_pairs"], 2693);
    assert_eq!(c["purity"].as_f64(), Some(1.0));
    assert_eq!(v["hash_attack"]["hex_tokens"], 200);
    assert_eq!(v["hash_attack"]["recovered"], 0);
}

#[test]
fn cli_on_demo_pages_writes_json_and_refutes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = args(
        demo("original/pages.ndjson.gz"),
        demo("release/pages.ndjson.gz"),
        "body",
        "page_id",
        &["author"],
    );
    let path = dir.path().join("report.json");
    a.output = Some(path.clone());
    let mut out = Vec::new();
    // Placeholders are consistent across pages: a leak, exit code 1.
    assert_eq!(run(&a, &mut out).expect("runs"), Outcome::Refuted);
    assert!(out.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("report")).expect("json");
    assert_eq!(v["n_release_documents"], 110);
    assert_eq!(v["recovery"]["recovery_rate"].as_f64(), Some(1.0));
    assert_eq!(v["recovery"]["consistency"]["consistent"], true);
}

#[test]
fn cli_bad_input() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Not UTF-8.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, b"id,text\n1,caf\xe9 au lait\n").expect("write");
    // The two sides must be different files (the same file is refused first).
    let bad_release = dir.path().join("bad_release.csv");
    std::fs::write(&bad_release, b"id,text\n1,caf\xe9 noir\n").expect("write");
    let a = args(bad, bad_release, "text", "id", &[]);
    match run(&a, &mut Vec::new()) {
        Err(CliError::Data(e)) => assert!(e.to_string().contains("UTF-8"), "{e}"),
        other => panic!("expected a UTF-8 error, got {other:?}"),
    }
    // A column that does not exist is named with the available ones.
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "id,text\n1,hello there world\n2,\n").expect("write");
    // The release: the same documents in the other order.
    let release = dir.path().join("release.csv");
    std::fs::write(&release, "id,text\n2,\n1,hello there world\n").expect("write");
    let a = args(good.clone(), release.clone(), "body", "id", &[]);
    let msg = run(&a, &mut Vec::new()).expect_err("no column").to_string();
    assert!(msg.contains("body") && msg.contains("id, text"), "{msg}");
    // Mismatched ids: a truth key none of whose ids exist.
    let truth = dir.path().join("truth.csv");
    std::fs::write(&truth, "release_id,original_id\nx,y\n").expect("write");
    let mut a = args(good.clone(), release.clone(), "text", "id", &[]);
    a.same_ids = false;
    a.truth = Some(truth);
    let msg = run(&a, &mut Vec::new()).expect_err("bad truth").to_string();
    assert!(msg.contains("truth key") && msg.contains("`x`"), "{msg}");
    // An empty document is fine.
    let a = args(good.clone(), release, "text", "id", &[]);
    let mut out = Vec::new();
    assert_eq!(run(&a, &mut out).expect("runs"), Outcome::Success);
    // The same file on both sides is an error naming it.
    let a = args(good.clone(), good.clone(), "text", "id", &[]);
    let msg = run(&a, &mut Vec::new()).expect_err("same file").to_string();
    assert!(
        msg.contains("same file") && msg.contains("good.csv"),
        "{msg}"
    );
    let a = args(
        good.clone(),
        dir.path().join("release.csv"),
        "text",
        "id",
        &[],
    );
    let mut out = Vec::new();
    assert_eq!(run(&a, &mut out).expect("runs"), Outcome::Success);
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["linkage"]["empty_release_documents"], 1);
    assert_eq!(v["linkage"]["correct"], 1);
}
