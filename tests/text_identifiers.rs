//! The identifier leak scan and the redaction guard on real Apache Jira text
//! (datasets/apache_jira: 409 real ASF Jira comments and issues, 556 users).
//!
//! Three accounts are planted whose logins are ordinary words that occur in
//! that text: `link` and `interface` (common English words) and `param` (a
//! Javadoc tag). Used as words they must not count as surviving identifiers;
//! written as `[~link]`, `@param` or `Assignee: interface` they must. Real
//! leaks (an e-mail address found in the originals, a full name) count
//! wherever they appear. Expected counts are computed here from the texts by
//! construction (whole-word matches), not copied from the scan.

use std::path::{Path, PathBuf};

use clap::Parser;
use regex::Regex;
use reident::anonymize::text::{
    vocabulary::WordClass, NameDictionary, Numbering, RedactionConfig, Redactor,
};
use reident::attacks::text::{
    AmbiguityReason, ContextRule, Corpus, IdentifierKind, IdentifierSet, KindLeaks, LeakScan,
};
use reident::cli::{run, Cli, Outcome};
use reident::data::{read_frame, text_column, ReadOptions};

fn dataset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/apache_jira")
        .join(name)
}

/// train.jsonl then test.jsonl: (ids, texts, authors).
fn jira_documents() -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut ids = Vec::new();
    let mut texts = Vec::new();
    let mut authors = Vec::new();
    for split in ["train", "test"] {
        let raw = std::fs::read_to_string(dataset(&format!("{split}.jsonl"))).unwrap();
        for (i, line) in raw.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            ids.push(format!("{split}-{i}"));
            texts.push(v["text"].as_str().unwrap().to_string());
            authors.push(v["author"].as_str().unwrap().to_string());
        }
    }
    (ids, texts, authors)
}

fn users() -> Vec<(String, String)> {
    let path = dataset("users.csv");
    let df = read_frame(&path, &ReadOptions::default()).unwrap();
    let logins = text_column(&df, "login", "users.csv").unwrap();
    let names = text_column(&df, "display_name", "users.csv").unwrap();
    logins
        .into_iter()
        .zip(names)
        .filter_map(|(l, n)| Some((l?, n?)))
        .collect()
}

const PLANTED: [&str; 3] = ["link", "param", "interface"];

/// The vendor's release: every document redacted with the users table (name
/// parts on, the redaction guard on) plus the planted accounts.
fn redacted(texts: &[String]) -> Vec<String> {
    let mut dictionary = NameDictionary::new();
    for (login, name) in users() {
        dictionary.add_person(&login, &name, true);
    }
    for login in PLANTED {
        dictionary.add_person(login, login, true);
    }
    let skipped = dictionary.guard_common_words();
    for login in PLANTED {
        assert!(skipped.iter().any(|s| s.alias == login), "{login}");
    }
    let redactor = Redactor::new(&dictionary, &RedactionConfig::default()).unwrap();
    let mut numbering = Numbering::new();
    texts
        .iter()
        .map(|t| redactor.redact(t, &mut numbering))
        .collect()
}

fn corpus(ids: &[String], texts: &[String]) -> Corpus {
    Corpus::new(
        "jira",
        ids.iter().cloned().map(Some).collect(),
        texts.iter().cloned().map(Some).collect(),
    )
    .unwrap()
}

fn whole_word_count(texts: &[String], word: &str) -> usize {
    let re = Regex::new(&format!(r"\b{word}\b")).unwrap();
    texts.iter().map(|t| re.find_iter(t).count()).sum()
}

fn kind(scan: &LeakScan, k: IdentifierKind) -> &KindLeaks {
    scan.kinds.iter().find(|x| x.kind == k).unwrap()
}

#[test]
fn common_word_logins_count_only_in_identifier_context() {
    let (ids, texts, _) = jira_documents();
    assert_eq!(texts.len(), 409);
    let original = corpus(&ids, &texts);
    // The identifiers: the three planted accounts and what the originals' text
    // reveals (mentions, e-mails, URLs, hosts, keys).
    let mut set = IdentifierSet::new();
    for login in PLANTED {
        set.add_person(login, &[], true);
    }
    set.add_from_texts(&texts).unwrap();
    let assessment = set.assess(Some(&original)).unwrap();
    let reason = |v: &str| {
        let i = set.items().iter().position(|k| k.value == v).unwrap();
        assessment[i].ambiguous
    };
    assert_eq!(reason("link"), Some(AmbiguityReason::CommonWord));
    assert_eq!(reason("interface"), Some(AmbiguityReason::CommonWord));
    assert_eq!(reason("param"), Some(AmbiguityReason::CodeToken));

    let mut release_texts = redacted(&texts);
    // The words survive redaction (the guard keeps them): 4 + 1 + 6 in the real
    // text (a seventh `interface` sits inside a URL the redactor replaced).
    let words: Vec<usize> = PLANTED
        .iter()
        .map(|w| whole_word_count(&release_texts, w))
        .collect();
    assert_eq!(words, [4, 1, 6]);

    // Used as words only: nothing of them counts, and all 11 are reported as not counted.
    let release = corpus(&ids, &release_texts);
    let scan = set
        .scan_with_originals(Some(&original), &release, 20, true)
        .unwrap();
    let login = kind(&scan, IdentifierKind::Login);
    assert_eq!(login.surviving, 0);
    assert_eq!(login.ambiguous_not_counted, 11);
    assert_eq!(login.ambiguous_values_not_counted, 3);
    assert_eq!(
        login.not_counted_reasons.get(&AmbiguityReason::CommonWord),
        Some(&10)
    );
    assert_eq!(
        login.not_counted_reasons.get(&AmbiguityReason::CodeToken),
        Some(&1)
    );
    assert_eq!(scan.n_surviving, 0);
    assert_eq!(scan.documents_with_leaks, 0);
    assert!(scan.originals_measured);
    assert_eq!(scan.original_documents, 409);
    // max(3, ceil(0.2 % of 409)) = 3 documents.
    assert_eq!(scan.common_in_originals_min_documents, Some(3));

    // Written as mentions and labels they count (and the words beside them do not).
    let mut ids2 = ids.clone();
    for (i, t) in [
        "Thanks [~link] for the review; the link in the param docs is stale.",
        "@param can you check the interface change?",
        "Assignee: interface",
    ]
    .iter()
    .enumerate()
    {
        ids2.push(format!("planted-{i}"));
        release_texts.push(t.to_string());
    }
    let release = corpus(&ids2, &release_texts);
    let scan = set
        .scan_with_originals(Some(&original), &release, 20, true)
        .unwrap();
    let login = kind(&scan, IdentifierKind::Login);
    assert_eq!(login.surviving, 3);
    assert_eq!(login.occurrences, 3);
    assert_eq!(login.counted_in_context, 3);
    assert_eq!(login.counted_unambiguous, 0);
    assert_eq!(
        login
            .context_rules
            .iter()
            .map(|(r, n)| (*r, *n))
            .collect::<Vec<_>>(),
        [
            (ContextRule::JiraMention, 1),
            (ContextRule::Mention, 1),
            (ContextRule::Label, 1)
        ]
    );
    // 11 words in the redacted originals + `link`, `param` in the first and
    // `interface` in the second planted document.
    assert_eq!(login.ambiguous_not_counted, 14);
    assert_eq!(scan.documents_with_leaks, 3);
    let mut counted: Vec<(String, Option<ContextRule>)> = login
        .examples
        .iter()
        .map(|e| (e.value.clone(), e.context))
        .collect();
    counted.sort();
    assert_eq!(
        counted,
        [
            ("interface".to_string(), Some(ContextRule::Label)),
            ("link".to_string(), Some(ContextRule::JiraMention)),
            ("param".to_string(), Some(ContextRule::Mention)),
        ]
    );
    // Masked by default.
    let masked = set
        .scan_with_originals(Some(&original), &release, 20, false)
        .unwrap();
    let values: Vec<String> = kind(&masked, IdentifierKind::Login)
        .examples
        .iter()
        .map(|e| e.value.clone())
        .collect();
    assert!(values.iter().all(|v| v.contains('*')), "{values:?}");
}

#[test]
fn leaked_emails_and_full_names_still_count() {
    let (ids, texts, authors) = jira_documents();
    let original = corpus(&ids, &texts);
    let mut set = IdentifierSet::new();
    for (login, name) in users() {
        set.add_person(&login, &[&name], true);
    }
    set.add_from_texts(&texts).unwrap();
    let email = set
        .items()
        .iter()
        .find(|k| k.kind == IdentifierKind::Email)
        .unwrap()
        .value
        .clone();
    // A real author's full name: the first author known as a display name
    // (some users have their display name as login; those are logins).
    let full_name = authors
        .iter()
        .find(|a| set.get(a).map(|k| k.kind) == Some(IdentifierKind::Name))
        .unwrap()
        .clone();
    assert!(full_name.contains(' '));

    let mut release_texts = redacted(&texts);
    let mut ids2 = ids.clone();
    let clean = set
        .scan_with_originals(Some(&original), &corpus(&ids, &release_texts), 20, true)
        .unwrap();
    // The redactor removed every e-mail and full name.
    assert_eq!(kind(&clean, IdentifierKind::Email).surviving, 0);
    assert_eq!(kind(&clean, IdentifierKind::Name).counted_unambiguous, 0);

    ids2.push("planted".to_string());
    release_texts.push(format!(
        "As discussed the fix is in, thanks. -- {full_name}, {email}"
    ));
    let scan = set
        .scan_with_originals(Some(&original), &corpus(&ids2, &release_texts), 20, true)
        .unwrap();
    let e = kind(&scan, IdentifierKind::Email);
    assert_eq!((e.surviving, e.counted_unambiguous), (1, 1));
    assert_eq!(e.examples[0].value, email);
    assert_eq!(e.examples[0].context, None);
    let n = kind(&scan, IdentifierKind::Name);
    assert_eq!(n.counted_unambiguous, 1);
    assert!(n
        .examples
        .iter()
        .any(|x| x.value == full_name && x.context.is_none()));
}

#[test]
fn redaction_guard_keeps_ordinary_words_and_counts_what_fired() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.csv");
    std::fs::write(&users, "login,display_name\ntj,Tom and Jerry\n").unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        "id,text\n\
         1,Tom and Jerry fixed the build and the tests.\n\
         2,\"Thanks Tom, and thanks Jerry.\"\n\
         3,Cats and dogs and mice.\n\
         4,Ask [~tj] and Tom.\n",
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    let report = dir.path().join("report.json");
    let redact = |extra: &[&str]| {
        let mut argv = vec![
            "reident",
            "redact",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--columns",
            "text",
            "--users",
            users.to_str().unwrap(),
            "--name-parts",
            "--report",
            report.to_str().unwrap(),
        ];
        argv.extend_from_slice(extra);
        let mut out = Vec::new();
        assert_eq!(
            run(Cli::parse_from(argv), &mut out).unwrap(),
            Outcome::Success
        );
        String::from_utf8(out).unwrap()
    };
    let stdout = redact(&["--include-examples"]);
    assert!(stdout.contains("(1 skipped as ordinary words)"), "{stdout}");
    let df = read_frame(&output, &ReadOptions::default()).unwrap();
    let out: Vec<String> = text_column(&df, "text", "out")
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(
        out,
        [
            "<PERSON> fixed the build and the tests.",
            "Thanks <PERSON>, and thanks <PERSON>.",
            "Cats and dogs and mice.",
            "Ask <PERSON> and <PERSON>.",
        ]
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["texts"], 4);
    assert_eq!(r["texts_changed"], 3);
    // Person spans: the full name, Tom twice, Jerry once, one mention.
    assert_eq!(r["spans"]["person"], 5);
    assert_eq!(r["dictionary_hits"], 4);
    let fired: Vec<(String, u64)> = r["fired"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["entry"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fired,
        [
            ("Tom".to_string(), 2),
            ("Jerry".to_string(), 1),
            ("Tom and Jerry".to_string(), 1)
        ]
    );
    assert_eq!(r["skipped"][0]["entry"], "and");
    assert_eq!(r["skipped"][0]["entity"], "tj");
    assert_eq!(
        r["skipped"][0]["reason"],
        serde_json::to_value(WordClass::StopWord).unwrap()
    );
    // Without --include-examples the report masks entries and entities (the second run
    // replaces the first run's outputs, so it says --force).
    redact(&["--force"]);
    let masked = std::fs::read_to_string(&report).unwrap();
    assert!(
        !masked.contains("Tom") && !masked.contains("\"tj\""),
        "{masked}"
    );
    let r: serde_json::Value = serde_json::from_str(&masked).unwrap();
    assert_eq!(r["fired"][0]["entry"], "T**");
    assert_eq!(r["fired"][2]["entry"], "T** a** J****");
}
