//! Redaction and pseudonymization against the generator's planted identifiers,
//! known hash vectors, the bundled demo, and bad input.

use std::path::Path;

use polars::prelude::*;
use proptest::prelude::*;
use reident::anonymize::pseudonym::{
    pseudonymize_frame, sha256_hex, PseudonymScheme, Pseudonymizer,
};
use reident::anonymize::text::{
    redact_frame, NameDictionary, Numbering, PlaceholderStyle, RedactionConfig, Redactor,
};
use reident::synth::{generate_in_memory, SynthConfig};

#[test]
fn redaction_removes_every_planted_identifier() {
    let config = SynthConfig {
        users: 40,
        seed: 99,
        plant_rate: 2.0,
        ..SynthConfig::default()
    };
    let corpus = generate_in_memory(&config).expect("corpus");
    let mut dictionary = NameDictionary::new();
    for u in corpus.user_records() {
        dictionary.add_person(&u.login, &u.display_name, true);
    }
    let redactor = Redactor::new(
        &dictionary,
        &RedactionConfig {
            style: PlaceholderStyle::Typed,
            ..RedactionConfig::default()
        },
    )
    .expect("redactor");
    let mut numbering = Numbering::new();
    let mut checked = 0;
    for b in &corpus.batches {
        for p in &b.planted {
            let text: &str = match (p.doc_kind.as_str(), p.field.as_str()) {
                ("issue", "summary") => {
                    &b.issues
                        .iter()
                        .find(|i| i.issue_key == p.doc_id)
                        .expect("issue")
                        .summary
                }
                ("issue", _) => b
                    .issues
                    .iter()
                    .find(|i| i.issue_key == p.doc_id)
                    .and_then(|i| i.description.as_deref())
                    .expect("desc"),
                ("comment", _) => {
                    &b.comments
                        .iter()
                        .find(|c| c.comment_id == p.doc_id)
                        .expect("comment")
                        .body
                }
                ("page", _) => {
                    &b.pages
                        .iter()
                        .find(|x| x.page_id == p.doc_id)
                        .expect("page")
                        .body
                }
                _ => {
                    &b.commits
                        .iter()
                        .find(|c| c.commit_hash == p.doc_id)
                        .expect("commit")
                        .message
                }
            };
            let spans = redactor.find(text);
            assert!(
                spans.iter().any(|s| s.start <= p.start && s.end >= p.end),
                "planted {:?} `{}` not covered in: {text}",
                p.kind,
                p.value
            );
            let redacted = redactor.redact(text, &mut numbering);
            assert!(
                !redacted.contains(&p.value),
                "`{}` survives in: {redacted}",
                p.value
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} planted identifiers");
}

#[test]
fn unsalted_sha256_matches_known_vector_and_falls_to_a_dictionary_attack() {
    // FIPS 180-2 appendix B.1.
    let mut p = Pseudonymizer::new(PseudonymScheme::Sha256Unsalted).expect("scheme");
    assert_eq!(
        p.pseudonym("abc").as_deref(),
        Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    // Anyone holding a list of candidate logins inverts every unsalted pseudonym.
    let logins = ["jdoe", "bsmith", "akumar"];
    let released: Vec<String> = logins
        .iter()
        .map(|l| p.pseudonym(l).expect("hash"))
        .collect();
    let recovered: Vec<&str> = released
        .iter()
        .map(|h| {
            *logins
                .iter()
                .find(|c| &sha256_hex(c.as_bytes()) == h)
                .expect("found by hashing candidates")
        })
        .collect();
    assert_eq!(recovered, logins);
}

#[test]
fn pseudonyms_are_consistent_across_columns_and_schemes() {
    let mut df = df!(
        "reporter" => ["jdoe", "bsmith", "jdoe"],
        "assignee" => [Some("bsmith"), None, Some("akumar")],
        "body" => ["x", "y", "z"]
    )
    .expect("frame");
    let mut seq = Pseudonymizer::new(PseudonymScheme::Sequential {
        prefix: "user_".into(),
        width: 4,
    })
    .expect("scheme");
    pseudonymize_frame(
        &mut df,
        &["reporter".into(), "assignee".into()],
        &mut seq,
        "test",
    )
    .expect("pseudonymize");
    let col = |df: &DataFrame, c: &str| -> Vec<Option<String>> {
        df.column(c)
            .expect("col")
            .str()
            .expect("str")
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    // First appearance order: jdoe (reporter row 0), bsmith (reporter row 1), akumar (assignee row 2).
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        col(&df, "reporter"),
        vec![s("user_0001"), s("user_0002"), s("user_0001")]
    );
    assert_eq!(
        col(&df, "assignee"),
        vec![s("user_0002"), None, s("user_0003")]
    );
    // HMAC: deterministic for one key, different across keys, truncated to hex_len.
    let hmac = |key: &str| {
        let mut p = Pseudonymizer::new(PseudonymScheme::Hmac {
            secret: key.as_bytes().to_vec(),
            hex_len: 16,
        })
        .expect("scheme");
        p.pseudonym("jdoe").expect("tag")
    };
    assert_eq!(hmac("k1"), hmac("k1"));
    assert_ne!(hmac("k1"), hmac("k2"));
    assert_eq!(hmac("k1").len(), 16);
    // Remove: null.
    let mut rm = Pseudonymizer::new(PseudonymScheme::Remove).expect("scheme");
    assert_eq!(rm.apply([Some("jdoe"), None]), vec![None, None]);
    // Empty HMAC secret is refused.
    assert!(Pseudonymizer::new(PseudonymScheme::Hmac {
        secret: vec![],
        hex_len: 16
    })
    .is_err());
}

#[test]
fn unknown_column_is_named_with_the_available_ones() {
    let mut df = df!("author" => ["jdoe"], "body" => ["hi"]).expect("frame");
    let redactor =
        Redactor::new(&NameDictionary::new(), &RedactionConfig::default()).expect("redactor");
    let err = redact_frame(
        &mut df,
        &["text".into()],
        &redactor,
        &mut Numbering::new(),
        "comments.csv",
    )
    .expect_err("unknown column");
    assert_eq!(
        err.to_string(),
        "comments.csv: no column `text`; the columns are: author, body"
    );
    let mut p = Pseudonymizer::new(PseudonymScheme::Sha256Unsalted).expect("scheme");
    let err = pseudonymize_frame(&mut df, &["user".into()], &mut p, "comments.csv")
        .expect_err("unknown column");
    assert!(err.to_string().contains("no column `user`"), "{err}");
}

#[test]
fn bundled_demo_regenerates_byte_for_byte() {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/atlassian_demo");
    let dir = tempfile::tempdir().expect("tempdir");
    reident::synth::demo::write_demo(dir.path()).expect("demo");
    for sub in ["original", "release", "truth"] {
        let mut names: Vec<_> = std::fs::read_dir(dir.path().join(sub))
            .expect("dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        assert!(!names.is_empty());
        for n in names {
            let fresh = std::fs::read(dir.path().join(sub).join(&n)).expect("fresh");
            let committed = std::fs::read(bundled.join(sub).join(&n)).expect("bundled file exists");
            assert!(
                fresh == committed,
                "{sub}/{n:?} differs: run `reident synth --demo --force --out datasets/atlassian_demo`"
            );
        }
    }
}

proptest! {
    #[test]
    fn emails_and_keys_in_random_context_are_always_redacted(
        login in "[a-z]{2,10}",
        n in 1u32..100_000,
        before in "[a-z ]{0,20}",
        after in "[a-z ]{0,20}",
    ) {
        let redactor = Redactor::new(&NameDictionary::new(), &RedactionConfig::default()).expect("redactor");
        let text = format!("{before} {login}.x@mail.example.com PROJ-{n} {after}");
        let spans = redactor.find(&text);
        // Spans are sorted and disjoint.
        for w in spans.windows(2) {
            prop_assert!(w[0].end <= w[1].start);
        }
        let out = redactor.redact(&text, &mut Numbering::new());
        prop_assert!(!out.contains('@'));
        let key = format!("PROJ-{n}");
        prop_assert!(!out.contains(&key));
        prop_assert!(out.contains("<EMAIL>") && out.contains("<ISSUE_KEY>"));
    }

    #[test]
    fn sequential_pseudonyms_are_a_bijection(values in proptest::collection::vec("[a-c]{1,3}", 1..40)) {
        let mut p = Pseudonymizer::new(PseudonymScheme::Sequential { prefix: "u".into(), width: 3 }).expect("scheme");
        let out: Vec<String> = values.iter().map(|v| p.pseudonym(v).expect("pseudonym")).collect();
        for i in 0..values.len() {
            for j in 0..values.len() {
                prop_assert_eq!(values[i] == values[j], out[i] == out[j]);
            }
        }
    }
}
