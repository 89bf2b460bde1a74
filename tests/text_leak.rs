//! Hand-built cases for the text attacks: the identifier leak scan per kind,
//! masking, redaction recovery per placeholder kind, placeholder consistency,
//! the unsalted-hash dictionary attack, document linkage on a small corpus and
//! bad input.

use reident::anonymize::pseudonym::sha256_hex;
use reident::attacks::text::{
    hash_dictionary_attack, link_documents, mask_identifier, recover_redactions, Corpus,
    HashColumn, IdentifierKind, IdentifierSet, LinkageConfig, ShingleConfig, ShingleUnit,
    TextAttackError, TruthKey, Verification,
};
use reident::data::DataError;
use reident::eval::document_linkage::score_document_linkage;

fn corpus(name: &str, docs: &[(&str, &str)]) -> Corpus {
    Corpus::new(
        name,
        docs.iter().map(|(i, _)| Some(i.to_string())).collect(),
        docs.iter().map(|(_, t)| Some(t.to_string())).collect(),
    )
    .expect("valid corpus")
}

const O1: &str =
    "Mail jane.doe@example.com or see https://jira.example.com/browse/PAY-12 about PAY-7.";
const O2: &str =
    "Host db-01.use1.example.net at 10.1.2.3 failed; call +1 415 555 0142. Ask [~bsmith].";

fn identifiers() -> IdentifierSet {
    let mut ids = IdentifierSet::new();
    ids.add_person("jdoe", &["Jane Doe", "jane.doe@example.com"], true);
    ids.add_column_value("bsmith", true);
    ids.add_person("bsmith", &["Bob Smith"], true);
    ids.add_from_texts(&[O1.to_string(), O2.to_string()])
        .expect("detectors");
    ids
}

#[test]
fn identifier_set_collects_columns_and_text_detections() {
    let ids = identifiers();
    let kinds = |k: IdentifierKind| {
        let mut v: Vec<&str> = ids
            .items()
            .iter()
            .filter(|i| i.kind == k)
            .map(|i| i.value.as_str())
            .collect();
        v.sort_unstable();
        v
    };
    assert_eq!(kinds(IdentifierKind::Login), vec!["bsmith", "jdoe"]);
    assert_eq!(
        kinds(IdentifierKind::Name),
        vec!["Bob", "Bob Smith", "Doe", "Jane", "Jane Doe", "Smith"]
    );
    assert_eq!(kinds(IdentifierKind::Email), vec!["jane.doe@example.com"]);
    // The URL swallows the key and host inside it (leftmost-longest resolution).
    assert_eq!(
        kinds(IdentifierKind::Url),
        vec!["https://jira.example.com/browse/PAY-12"]
    );
    assert_eq!(kinds(IdentifierKind::IssueKey), vec!["PAY-7"]);
    assert_eq!(kinds(IdentifierKind::Ip), vec!["10.1.2.3"]);
    assert_eq!(kinds(IdentifierKind::Host), vec!["db-01.use1.example.net"]);
    assert_eq!(kinds(IdentifierKind::Phone), vec!["+1 415 555 0142"]);
    assert_eq!(ids.entity_of("Jane"), Some("jdoe"));
    assert_eq!(ids.len(), 14);
}

#[test]
fn leak_scan_counts_each_kind() {
    let ids = identifiers();
    let release = corpus(
        "release",
        &[
            // The URL survives; e-mail and key were redacted.
            (
                "r1",
                "Mail EMAIL_1 or see https://jira.example.com/browse/PAY-12 about ISSUE_KEY_1.",
            ),
            // IP, login and a first name survive ("Janet" is not "Jane": word boundary).
            (
                "r2",
                "Host HOST_1 at 10.1.2.3 failed; call PHONE_1. Ask bsmith, Jane said to Janet.",
            ),
            // E-mail, host, phone and key survive; "Jane" inside the e-mail is not counted apart.
            (
                "r3",
                "jane.doe@example.com wrote from db-01.use1.example.net, +1 415 555 0142, PAY-7",
            ),
            ("r4", ""),
        ],
    );
    let scan = ids.scan(&release, 5, false).expect("scan");
    let got: Vec<(IdentifierKind, usize, usize, usize, usize)> = scan
        .kinds
        .iter()
        .map(|k| (k.kind, k.known, k.surviving, k.occurrences, k.documents))
        .collect();
    assert_eq!(
        got,
        vec![
            (IdentifierKind::Login, 2, 1, 1, 1),
            (IdentifierKind::Name, 6, 1, 1, 1),
            (IdentifierKind::Email, 1, 1, 1, 1),
            (IdentifierKind::Url, 1, 1, 1, 1),
            (IdentifierKind::Ip, 1, 1, 1, 1),
            (IdentifierKind::Host, 1, 1, 1, 1),
            (IdentifierKind::IssueKey, 1, 1, 1, 1),
            (IdentifierKind::Phone, 1, 1, 1, 1),
        ]
    );
    assert_eq!(scan.n_known, 14);
    assert_eq!(scan.n_surviving, 8);
    // r1, r2, r3 of 4 documents.
    assert_eq!(scan.documents_with_leaks, 3);
    assert_eq!(scan.share_documents_with_leaks, Some(0.75));
    let email = &scan.kinds[2];
    assert_eq!(email.examples[0].value, "j***.d**@e******.com");
    assert_eq!(email.examples[0].release_id, "r3");
    let phone = &scan.kinds[7];
    assert_eq!(phone.examples[0].value, "+1 *** *** ****");
    // Asked for, identifiers are shown in full.
    let shown = ids.scan(&release, 5, true).expect("scan");
    assert_eq!(shown.kinds[2].examples[0].value, "jane.doe@example.com");
}

#[test]
fn masking_never_shows_the_whole_identifier() {
    assert_eq!(mask_identifier("john@example.com"), "j***@e******.com");
    assert_eq!(mask_identifier("Jane Doe"), "J*** D**");
    assert_eq!(mask_identifier("192.168.10.7"), "1**.***.**.*");
    assert_eq!(mask_identifier("PAY-123"), "P**-***");
    assert_eq!(mask_identifier("jdoe"), "j***");
}

#[test]
fn recovery_reports_what_each_placeholder_hid() {
    let ids = identifiers();
    let original = corpus(
        "original",
        &[
            ("o1", O1),
            ("o2", O2),
            ("o3", "Write to jane.doe@example.com today"),
        ],
    );
    let release = corpus(
        "release",
        &[
            ("r1", "Mail EMAIL_1 or see URL_1 about ISSUE_KEY_1."),
            (
                "r2",
                "Host [REDACTED] at <IP> failed; call <PHONE>. Ask <PERSON>.",
            ),
            // A mislabelled placeholder: PERSON hides an e-mail.
            ("r3", "Write to PERSON_3 today"),
        ],
    );
    let rec = recover_redactions(
        &original,
        &release,
        &[(0, 0), (1, 1), (2, 2)],
        &ids,
        3,
        false,
    )
    .expect("recovery");
    assert_eq!(rec.pairs, 3);
    assert_eq!(rec.placeholders, 8);
    assert_eq!(rec.recovered, 8);
    assert_eq!(rec.unaligned_stretches, 0);
    let labels: Vec<(String, Vec<(String, usize)>)> = rec
        .labels
        .iter()
        .map(|l| {
            (
                l.label.clone(),
                l.hidden_kinds
                    .iter()
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        labels,
        vec![
            (s("EMAIL"), vec![(s("email"), 1)]),
            (s("IP"), vec![(s("ip"), 1)]),
            (s("ISSUE_KEY"), vec![(s("issue_key"), 1)]),
            (s("PERSON"), vec![(s("email"), 1), (s("login"), 1)]),
            (s("PHONE"), vec![(s("phone"), 1)]),
            (s("REDACTED"), vec![(s("host"), 1)]),
            (s("URL"), vec![(s("url"), 1)]),
        ]
    );
    // Examples are masked.
    let url = rec.labels.iter().find(|l| l.label == "URL").expect("url");
    assert_eq!(
        url.examples[0],
        (s("URL_1"), s("h****://j***.e******.c**/b*****/P**-**"))
    );
}

#[test]
fn consistent_placeholders_are_detected_and_per_document_numbering_is_not() {
    let ids = identifiers();
    let original = corpus(
        "original",
        &[
            ("o1", "Thanks Jane Doe for the fix"),
            ("o2", "Jane Doe reviewed it"),
            ("o3", "Bob Smith merged it"),
        ],
    );
    let pairs = [(0, 0), (1, 1), (2, 2)];
    // One numbering across the corpus: PERSON_1 = jdoe in o1 and o2, PERSON_2 = bsmith.
    let consistent = corpus(
        "release",
        &[
            ("r1", "Thanks PERSON_1 for the fix"),
            ("r2", "PERSON_1 reviewed it"),
            ("r3", "PERSON_2 merged it"),
        ],
    );
    let c = recover_redactions(&original, &consistent, &pairs, &ids, 3, false)
        .expect("recovery")
        .consistency;
    assert_eq!(c.distinct_placeholders, 2);
    assert_eq!(c.in_several_documents, 1);
    assert_eq!(c.single_entity, 2);
    assert_eq!(c.purity, Some(1.0));
    // PERSON_1 links r1-r2 (1 pair, correct); PERSON_2 is in one document.
    assert_eq!(c.linked_document_pairs, 1);
    assert_eq!(c.correctly_linked_document_pairs, 1);
    assert_eq!(c.entities_with_one_placeholder, Some(1.0));
    assert!(c.consistent);
    // Numbering restarted in every document: PERSON_1 hides jdoe, jdoe, bsmith.
    let restarted = corpus(
        "release",
        &[
            ("r1", "Thanks PERSON_1 for the fix"),
            ("r2", "PERSON_1 reviewed it"),
            ("r3", "PERSON_1 merged it"),
        ],
    );
    let c = recover_redactions(&original, &restarted, &pairs, &ids, 3, false)
        .expect("recovery")
        .consistency;
    assert_eq!(c.distinct_placeholders, 1);
    assert_eq!(c.single_entity, 0);
    // purity = 2 (jdoe) / 3 occurrences.
    assert!((c.purity.expect("purity") - 2.0 / 3.0).abs() < 1e-12);
    // 3 documents -> 3 pairs; only r1-r2 share the entity.
    assert_eq!(c.linked_document_pairs, 3);
    assert_eq!(c.correctly_linked_document_pairs, 1);
    assert!(!c.consistent);
}

#[test]
fn hash_attack_reverses_unsalted_and_truncated_digests() {
    let mut ids = IdentifierSet::new();
    ids.add_person("jdoe", &["Jane.Doe@Example.com"], false);
    let full = sha256_hex(b"jdoe");
    // Vendor lower-cased the e-mail and kept 16 hex digits.
    let truncated = sha256_hex(b"jane.doe@example.com")[..16].to_string();
    let text = format!("author {full} and {truncated}; other 0123456789abcdef0123, not hex");
    let columns = [HashColumn {
        name: "author",
        values: vec![text.as_str()],
    }];
    let h = hash_dictionary_attack(&ids, &columns, 5, false);
    // Candidates: jdoe, Jane.Doe@Example.com and its lower-case form.
    assert_eq!(h.candidates_hashed, 3);
    assert_eq!(h.hex_tokens, 3);
    assert_eq!(h.recovered, 2);
    assert_eq!(h.entities_recovered, 1);
    assert_eq!(
        h.by_kind
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<Vec<_>>(),
        vec![("email", 1), ("login", 1)]
    );
    let email = h
        .examples
        .iter()
        .find(|e| e.kind == IdentifierKind::Email)
        .expect("email reversed");
    assert!(email.lowercased);
    assert_eq!(email.identifier, "j***.d**@e******.com");
}

fn small_corpora() -> (Corpus, Corpus) {
    let original = corpus(
        "original",
        &[
            ("o1", "the cache adapter drops our batch size when the queue is full and nobody notices"),
            ("o2", "setting pool max size to three did not help since the scheduler keeps retrying forever"),
            ("o3", "please review the change to the payment repository before the next release goes out"),
        ],
    );
    let release = corpus(
        "release",
        &[
            ("r3", "please review the change to the payment repository before the next release goes out"),
            ("r1", "the cache adapter drops our batch size when the queue is full and PERSON_1 notices"),
            ("r2", "setting pool max size to three did not help since the scheduler keeps retrying forever"),
            ("rx", "an unrelated note about lunch plans and the weather on friday afternoon at the office"),
            ("empty", "  ... "),
        ],
    );
    (original, release)
}

#[test]
fn linkage_of_a_small_corpus() {
    let (original, release) = small_corpora();
    let truth = TruthKey::from_pairs(
        &release,
        &original,
        &[
            ("r1".into(), "o1".into()),
            ("r2".into(), "o2".into()),
            ("r3".into(), "o3".into()),
            ("zz".into(), "o1".into()),
        ],
    )
    .expect("truth");
    assert_eq!(truth.unknown_release_ids, 1);
    assert_eq!(truth.n_known(), 3);
    for verification in [Verification::Jaccard, Verification::Cosine] {
        let config = LinkageConfig {
            verification,
            ..LinkageConfig::default()
        };
        let r = score_document_linkage(
            link_documents(&original, &release, Some(&truth), &config).expect("linkage"),
        )
        .expect("scores");
        assert_eq!(r.empty_release_documents, 1);
        assert_eq!(r.with_truth, 3);
        assert_eq!(r.correct, 3, "{verification:?}");
        assert_eq!(r.precision, Some(1.0));
        assert_eq!(r.reidentification_rate, Some(1.0));
        let r3 = r.links.iter().find(|l| l.release_id == "r3").expect("r3");
        assert!((r3.similarity - 1.0).abs() < 1e-9);
        // r1: 15 words -> 13 word 3-shingles; "and nobody notices" -> "and person_1 notices"
        // changes the last 2 shingles: 11 common of 13 + 2 = 15 -> 11/15.
        if verification == Verification::Jaccard {
            let r1 = r.links.iter().find(|l| l.release_id == "r1").expect("r1");
            assert!(
                (r1.similarity - 11.0 / 15.0).abs() < 1e-12,
                "{}",
                r1.similarity
            );
        }
        assert!(r.links.iter().all(|l| l.release_id != "rx" || !l.linked));
        let total: usize = r
            .similarity_histogram
            .iter()
            .map(|b| b.true_links + b.false_links)
            .sum();
        assert_eq!(
            total,
            r.links.iter().filter(|l| l.correct.is_some()).count()
        );
        assert_eq!(r.pr_curve.len(), 101);
    }
    // Character shingles link the same way.
    let config = LinkageConfig {
        shingle: ShingleConfig {
            unit: ShingleUnit::Char,
            k: 5,
            lowercase: true,
        },
        ..LinkageConfig::default()
    };
    let r = link_documents(&original, &release, Some(&truth), &config).expect("linkage");
    assert_eq!(r.correct, 3);
}

#[test]
fn bad_input_is_reported() {
    let dup = Corpus::new(
        "docs.csv",
        vec![Some("a".into()), Some("b".into()), Some("a".into())],
        vec![Some("x".into()), None, Some("z".into())],
    );
    match dup {
        Err(e @ DataError::DuplicateId { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("docs.csv") && msg.contains("rows 1 and 3"),
                "{msg}"
            );
        }
        other => panic!("expected a duplicate id error, got {other:?}"),
    }
    let missing = Corpus::new("docs.csv", vec![Some("a".into()), None], vec![None, None]);
    assert!(matches!(missing, Err(DataError::MissingId { row: 2, .. })));
    let (original, release) = small_corpora();
    let none = TruthKey::from_pairs(&release, &original, &[("x".into(), "y".into())]);
    assert!(matches!(none, Err(TextAttackError::Truth(_))));
    let twice = TruthKey::from_pairs(
        &release,
        &original,
        &[("r1".into(), "o1".into()), ("r1".into(), "o2".into())],
    );
    assert!(matches!(twice, Err(TextAttackError::Truth(_))));
    // Empty documents everywhere: nothing links, nothing panics.
    let empty = Corpus::new(
        "e",
        vec![Some("1".into()), Some("2".into())],
        vec![None, Some(String::new())],
    )
    .expect("corpus");
    let r = score_document_linkage(
        link_documents(&empty, &empty, None, &LinkageConfig::default()).expect("linkage"),
    )
    .expect("scores");
    assert_eq!(r.empty_release_documents, 2);
    assert!(r.links.is_empty());
    assert_eq!(r.precision, None);
    let bad = LinkageConfig {
        threshold: 1.5,
        ..LinkageConfig::default()
    };
    assert!(link_documents(&empty, &empty, None, &bad).is_err());
    let rec = recover_redactions(&empty, &empty, &[(5, 0)], &IdentifierSet::new(), 3, false);
    assert!(rec.is_err());
}

mod roundtrip {
    use super::*;
    use proptest::prelude::*;
    use reident::anonymize::text::{
        NameDictionary, Numbering, PlaceholderStyle, RedactionConfig, Redactor,
    };

    const WORDS: &[&str] = &["the", "cache", "fails", "on", "review", "retry", "thanks"];
    const IDENTIFIERS: &[&str] = &[
        "jane.doe@example.com",
        "https://x.example.org/a/b?c=1",
        "10.0.0.7",
        "PAY-12",
        "Jane Doe",
        "Bob",
        "[~bsmith]",
        "@jdoe",
        "db-1.example.net",
        "+1 415 555 0142",
    ];
    const SEPARATORS: &[&str] = &[" ", ", ", ". ", "\n", " (", ") "];

    proptest! {
        // Each case compiles the dictionary detectors twice; 32 cases keep this to ~2 s.
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Redacting with the crate's own redactor (consistent placeholders) and
        /// recovering against the original gives back exactly the redacted spans,
        /// each under its own kind's placeholder.
        #[test]
        fn recovery_inverts_redaction(
            pieces in proptest::collection::vec((0usize..IDENTIFIERS.len(), 0usize..WORDS.len(), 0usize..SEPARATORS.len(), any::<bool>()), 1..12)
        ) {
            let mut text = String::new();
            for (i, w, s, with_id) in &pieces {
                text.push_str(WORDS[*w]);
                text.push_str(SEPARATORS[*s]);
                if *with_id {
                    text.push_str(IDENTIFIERS[*i]);
                    text.push(' ');
                }
            }
            text.push_str("end");
            let mut dict = NameDictionary::new();
            dict.add_person("jdoe", "Jane Doe", true);
            dict.add_person("bsmith", "Bob Smith", true);
            let redactor = Redactor::new(
                &dict,
                &RedactionConfig {
                    style: PlaceholderStyle::Consistent,
                    ..RedactionConfig::default()
                },
            )
            .expect("redactor");
            let spans = redactor.find(&text);
            let redacted = redactor.redact(&text, &mut Numbering::new());
            let mut expected: Vec<(String, String)> = spans
                .iter()
                .map(|s| (s.kind.label().to_string(), text[s.start..s.end].to_string()))
                .collect();
            expected.sort();
            let original = corpus("o", &[("1", text.as_str())]);
            let release = corpus("r", &[("1", redacted.as_str())]);
            let mut ids = IdentifierSet::new();
            ids.add_person("jdoe", &["Jane Doe"], true);
            ids.add_person("bsmith", &["Bob Smith"], true);
            let rec = recover_redactions(&original, &release, &[(0, 0)], &ids, 1000, true)
                .expect("recovery");
            prop_assert_eq!(rec.placeholders, spans.len());
            prop_assert_eq!(rec.recovered, spans.len());
            prop_assert_eq!(rec.unaligned_stretches, 0);
            let mut got: Vec<(String, String)> = rec
                .labels
                .iter()
                .flat_map(|l| l.examples.iter().map(move |(_, h)| (l.label.clone(), h.clone())))
                .collect();
            got.sort();
            prop_assert_eq!(got, expected);
            if !spans.is_empty() {
                prop_assert_eq!(rec.consistency.purity, Some(1.0));
            }
        }
    }
}
