//! Semantic (paraphrase-robust) document linkage on real issue-tracker text:
//! the 177 distinct Jira issues of `datasets/apache_jira` (HADOOP, KAFKA,
//! SPARK; summary + description as captured) and their seeded paraphrases
//! (`anonymize::paraphrase`).
//!
//! Tests without a model: the near-copy check (hand-computed) and the fail
//! safe (a paraphrased release's `document_linkage` claim is INCONCLUSIVE,
//! not PASS, when no embedding model ran). Tests with the model
//! (`#[cfg(feature = "semantic")]`): they need all-MiniLM-L6-v2 in
//! `target/models/all-MiniLM-L6-v2` (or `$REIDENT_EMBEDDING_MODEL`) and FAIL
//! with a message saying to run `scripts/fetch-embedding-model.sh` when it is
//! absent, so CI cannot skip them silently.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use reident::anonymize::paraphrase::{paraphrase_all, ParaphraseConfig};
use reident::attacks::text::{
    audit_text, link_documents, Corpus, IdentifierSet, LinkageConfig, LinkageResult,
    TextAuditConfig, TruthKey,
};
use reident::audit::{run_audit, AuditConfig, AuditOptions};
use reident::eval::text_linkage_semantic::{near_copy_check, NEAR_COPY_MIN_SHARE};
use reident::eval::Verdict;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The distinct issues (id = issue key, text = summary + description), in
/// file order (train then test).
fn jira_issues() -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in ["train.jsonl", "test.jsonl"] {
        let text = std::fs::read_to_string(root().join("datasets/apache_jira").join(f)).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v["kind"] == "issue" {
                let key = v["issue_key"].as_str().unwrap().to_string();
                if seen.insert(key.clone()) {
                    out.push((key, v["text"].as_str().unwrap().to_string()));
                }
            }
        }
    }
    out
}

fn corpus(name: &str, docs: &[(String, String)]) -> Corpus {
    Corpus::new(
        name,
        docs.iter().map(|(i, _)| Some(i.clone())).collect(),
        docs.iter().map(|(_, t)| Some(t.clone())).collect(),
    )
    .unwrap()
}

/// The paraphrase used by every test: default config (every listed word
/// replaced, 20% of sentences dropped, reordered, names masked), seed 7.
fn paraphrased(docs: &[(String, String)]) -> Vec<(String, String)> {
    let texts: Vec<String> = docs.iter().map(|(_, t)| t.clone()).collect();
    let config = ParaphraseConfig {
        seed: 7,
        ..ParaphraseConfig::default()
    };
    let out = paraphrase_all(&texts, &config).unwrap();
    docs.iter()
        .zip(out)
        .map(|((id, _), t)| (id.clone(), t))
        .collect()
}

fn minhash(original: &Corpus, release: &Corpus, truth: Option<&TruthKey>) -> LinkageResult {
    link_documents(original, release, truth, &LinkageConfig::default()).unwrap()
}

#[test]
fn near_copy_check_is_the_share_of_release_documents_with_a_jaccard_link() {
    // Hand-computed: originals "a b c d" and "e f g h"; word 1-shingles would
    // make everything share; with word 3-shingles (default) the release
    // "a b c d" (identical: Jaccard 1) links and "x y z w" (no shared
    // shingle) does not, and the empty document is not counted: 1 of 2 = 50%.
    let original = corpus(
        "o",
        &[
            ("1".into(), "a b c d".into()),
            ("2".into(), "e f g h".into()),
        ],
    );
    let release = Corpus::new(
        "r",
        vec![Some("1".into()), Some("2".into()), Some("3".into())],
        vec![Some("a b c d".into()), Some("x y z w".into()), None],
    )
    .unwrap();
    let l = minhash(&original, &release, None);
    assert_eq!((l.linked, l.empty_release_documents), (1, 1));
    let check = near_copy_check(&l, release.len());
    assert_eq!((check.covered, check.total), (1, 2));
    assert_eq!(check.required_share, NEAR_COPY_MIN_SHARE);
    assert!(check.holds(), "1 of 2 reaches 50%");
    // One more unlinked document: 1 of 3 < 50%.
    let release3 = Corpus::new(
        "r",
        vec![Some("1".into()), Some("2".into()), Some("3".into())],
        vec![
            Some("a b c d".into()),
            Some("x y z w".into()),
            Some("p q r s".into()),
        ],
    )
    .unwrap();
    let l3 = minhash(&original, &release3, None);
    let check3 = near_copy_check(&l3, release3.len());
    assert_eq!((check3.covered, check3.total), (1, 3));
    assert!(!check3.holds());
    assert!(
        check3.warning().contains("1 of 3 (33.3%)"),
        "{}",
        check3.warning()
    );
}

#[test]
fn minhash_links_almost_none_of_the_paraphrased_jira_issues() {
    let docs = jira_issues();
    assert_eq!(docs.len(), 177);
    let original = corpus("issues", &docs);
    let release = corpus("paraphrased", &paraphrased(&docs));
    let truth = TruthKey::same_ids(&release, &original).unwrap();
    let l = minhash(&original, &release, Some(&truth));
    let rate = l.correct as f64 / l.with_truth as f64;
    eprintln!(
        "MinHash: {} of {} linked to their original",
        l.correct, l.with_truth
    );
    assert!(
        rate < 0.10,
        "MinHash links {} of {}",
        l.correct,
        l.with_truth
    );
    assert!(!near_copy_check(&l, release.len()).holds());
    // Unchanged text is a near-copy: every document links to itself.
    let same = minhash(
        &original,
        &original,
        Some(&TruthKey::same_ids(&original, &original).unwrap()),
    );
    assert_eq!(same.correct, 177);
    assert!(near_copy_check(&same, original.len()).holds());
}

#[test]
fn paraphrase_claim_without_model_is_inconclusive_not_pass() {
    let docs = jira_issues();
    let original = corpus("issues", &docs);
    let release = corpus("paraphrased", &paraphrased(&docs));
    let truth = TruthKey::same_ids(&release, &original).unwrap();
    let report = audit_text(
        &original,
        &release,
        Some(&truth),
        &IdentifierSet::new(),
        &[],
        &TextAuditConfig {
            linkage: LinkageConfig::default(),
            show_identifiers: false,
            max_examples: 0,
        },
        &mut |_| {},
    )
    .unwrap();
    let claim = reident::audit::claims::document_linkage::DocumentLinkage {
        corpus: "issues".into(),
        max_rate: 0.1,
    };
    let report = reident::eval::document_linkage::score_text_report(report).unwrap();
    let v = claim.verdict(&report, 0.95).unwrap();
    // MinHash's whole interval is below 10%: without the near-copy check
    // this claim would PASS.
    assert!(v.confidence_interval.unwrap().1 < 0.1, "{v:?}");
    assert_eq!(v.verdict, Verdict::Inconclusive, "{v:?}");
    assert!(
        v.warnings.iter().any(|w| w.contains("near-copy")),
        "{:?}",
        v.warnings
    );
}

/// Writes originals and release as JSONL (`id`, `text`) and returns the
/// audit's claim verdicts for `document_linkage` at `max_rate` 0.1, with the
/// model folder when given.
fn audit_paraphrase(model: Option<&Path>) -> Vec<reident::report::ClaimVerdict> {
    let docs = jira_issues();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, docs: &[(String, String)]| {
        let path = dir.path().join(name);
        let lines: Vec<String> = docs
            .iter()
            .map(|(id, t)| serde_json::json!({"id": id, "text": t}).to_string())
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        path
    };
    let o = write("original.jsonl", &docs);
    let r = write("release.jsonl", &paraphrased(&docs));
    let model_line = model.map_or(String::new(), |m| {
        format!("embedding_model = \"{}\"\n", m.display())
    });
    let toml = format!(
        r#"
title = "paraphrased Jira issues"
[[corpus]]
name = "issues"
original = "{}"
release = "{}"
text = "text"
id = "id"
{model_line}
[[claim]]
kind = "document_linkage"
corpus = "issues"
max_rate = 0.1
"#,
        o.display(),
        r.display()
    );
    let config = AuditConfig::from_toml(&toml, "test config", dir.path()).unwrap();
    run_audit(&config, &AuditOptions::default(), &|_| {})
        .unwrap()
        .report
        .claims
}

#[test]
fn audit_of_a_paraphrased_release_without_model_is_inconclusive() {
    let claims = audit_paraphrase(None);
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].verdict, Verdict::Inconclusive, "{:?}", claims[0]);
    assert!(claims[0].decided_by.contains("semantic attack not run"));
}

/// Scores of the three attacks on hand-made vectors (no model): three
/// originals on the axes of R^3; release r0 paraphrases o0 (cosine 0.99388,
/// shares `namenode` and `8020`), r1 copies o1 word for word (Jaccard 1 and
/// cosine 1), r2 is generic and equidistant (margin 0).
#[test]
fn semantic_scores_have_wilson_intervals_and_a_cosine_pr_curve() {
    use reident::attacks::text::semantic::{link_semantic, SemanticConfig};
    use reident::eval::text_linkage_semantic::score_semantic;
    let docs = |v: &[&str]| -> Vec<(String, String)> {
        v.iter()
            .enumerate()
            .map(|(i, t)| (format!("d{i}"), t.to_string()))
            .collect()
    };
    let original = corpus(
        "o",
        &docs(&[
            "NameNode crash on 8020 HDFS-1234",
            "Kafka broker KAFKA-77 rebalance zookeeper",
            "Spark executor OOM SPARK-5 shuffle",
        ]),
    );
    let release = corpus(
        "r",
        &docs(&[
            "the namenode died, port 8020",
            "Kafka broker KAFKA-77 rebalance zookeeper",
            "generic text",
        ]),
    );
    let truth = TruthKey::same_ids(&release, &original).unwrap();
    let ov = vec![
        vec![1.0, 0.0, 0.0],
        vec![0.0, 1.0, 0.0],
        vec![0.0, 0.0, 1.0],
    ];
    let rv = vec![
        vec![0.9, 0.1, 0.0],
        vec![0.0, 1.0, 0.0],
        vec![1.0, 1.0, 1.0],
    ];
    let config = SemanticConfig {
        max_document_frequency: 0.5,
        ..SemanticConfig::default()
    };
    let s = link_semantic(&original, &release, &ov, &rv, Some(&truth), &config).unwrap();
    assert_eq!(s.search, "exact");
    let mh = minhash(&original, &release, Some(&truth));
    let scores = score_semantic(&mh, &s, 0.95).unwrap();
    // Semantic: r0 and r1 linked and right; MinHash: r1 only; combined: both.
    assert_eq!(
        (
            scores.semantic.counts.correct,
            scores.semantic.counts.with_truth
        ),
        (2, 3)
    );
    assert_eq!(
        (scores.minhash.counts.correct, scores.minhash.counts.linked),
        (1, 1)
    );
    assert_eq!(scores.combined.counts.correct, 2);
    // Wilson 95% of 2 of 3: [0.207660, 0.938508]; of 2 of 2: [0.342380, 1].
    let r = scores.semantic.reidentification.unwrap();
    assert!((r.point - 2.0 / 3.0).abs() < 1e-12);
    assert!(
        (r.low - 0.207_660).abs() < 1e-6 && (r.high - 0.938_508).abs() < 1e-6,
        "{r:?}"
    );
    let p = scores.semantic.precision.unwrap();
    assert!((p.low - 0.342_380).abs() < 1e-6 && p.high == 1.0, "{p:?}");
    // Wilson of 1 of 3 for MinHash: [0.061492, 0.792340].
    let m = scores.minhash.reidentification.unwrap();
    assert!((m.low - 0.061_492).abs() < 1e-6 && (m.high - 0.792_340).abs() < 1e-6);
    // The curve: 101 points; r2 (margin 0) never counts. At cosine 0.50 and
    // 0.99 both links are accepted (recall 2/3); at 1.00 only r1 (cosine 1).
    assert_eq!(scores.pr_curve.len(), 101);
    let at = |t: usize| scores.pr_curve[t];
    assert!((at(50).recall - 2.0 / 3.0).abs() < 1e-12 && at(50).precision == 1.0);
    assert!((at(99).recall - 2.0 / 3.0).abs() < 1e-12);
    assert!((at(100).recall - 1.0 / 3.0).abs() < 1e-12);
}

#[cfg(feature = "semantic")]
mod with_model {
    use super::*;
    use reident::attacks::text::embedding::SentenceEmbedder;
    use reident::attacks::text::hnsw::HnswParams;
    use reident::attacks::text::semantic::{link_semantic, NeighbourSearch, SemanticConfig};
    use reident::eval::text_linkage_semantic::score_semantic;

    use crate::embedding_support::model_dir;

    fn embed(model: &SentenceEmbedder, c: &Corpus) -> Vec<Vec<f32>> {
        let texts: Vec<&str> = c.texts.iter().map(String::as_str).collect();
        model.embed(&texts, 32).unwrap()
    }

    #[test]
    fn semantic_attack_links_most_paraphrased_issues_and_no_unrelated_ones() {
        let model = SentenceEmbedder::load(&model_dir()).unwrap();
        let docs = jira_issues();
        let original = corpus("issues", &docs);
        let release = corpus("paraphrased", &paraphrased(&docs));
        let truth = TruthKey::same_ids(&release, &original).unwrap();
        let ov = embed(&model, &original);
        let rv = embed(&model, &release);
        let s = link_semantic(
            &original,
            &release,
            &ov,
            &rv,
            Some(&truth),
            &SemanticConfig::default(),
        )
        .unwrap();
        let mh = minhash(&original, &release, Some(&truth));
        // The HNSW index (forced; exact search is the default at this size)
        // finds the same nearest original, and links the same documents.
        let approx = link_semantic(
            &original,
            &release,
            &ov,
            &rv,
            Some(&truth),
            &SemanticConfig {
                search: NeighbourSearch::Hnsw(HnswParams::default()),
                ..SemanticConfig::default()
            },
        )
        .unwrap();
        assert_eq!((s.search, approx.search), ("exact", "hnsw"));
        let pairs = |l: &reident::attacks::text::semantic::SemanticLinkage| -> Vec<(usize, bool)> {
            l.links
                .iter()
                .map(|k| (k.original_index, k.linked))
                .collect()
        };
        assert_eq!(pairs(&s), pairs(&approx));
        // The curve at the attack's own cosine threshold (0.50) is the attack.
        let scores = score_semantic(&mh, &s, 0.95).unwrap();
        let at_threshold = scores.pr_curve[50];
        assert!((at_threshold.recall - s.correct as f64 / s.with_truth as f64).abs() < 1e-12);
        assert!(
            (at_threshold.precision - s.correct as f64 / s.linked_with_truth as f64).abs() < 1e-12
        );
        let semantic_rate = s.correct as f64 / s.with_truth as f64;
        let precision = s.correct as f64 / s.linked_with_truth as f64;
        eprintln!(
            "MinHash: {} of {} linked correctly; semantic: {} linked, {} correct of {} (rate {semantic_rate:.3}, precision {precision:.3})",
            mh.correct, mh.with_truth, s.linked, s.correct, s.with_truth
        );
        assert!(
            semantic_rate > 0.5,
            "semantic links {} of {}",
            s.correct,
            s.with_truth
        );
        assert!(precision >= 0.9, "precision {precision}");
        assert!(semantic_rate > 5.0 * mh.correct as f64 / mh.with_truth as f64);

        // Unrelated documents: HADOOP issues as originals, paraphrased KAFKA
        // and SPARK issues as the release. Nothing may be linked.
        let (hadoop, others): (Vec<_>, Vec<_>) = docs
            .iter()
            .cloned()
            .partition(|(k, _)| k.starts_with("HADOOP-"));
        assert!(hadoop.len() > 20 && others.len() > 20);
        let o2 = corpus("hadoop", &hadoop);
        let r2 = corpus("others", &paraphrased(&others));
        let idx_o: Vec<usize> = hadoop
            .iter()
            .map(|(k, _)| docs.iter().position(|(d, _)| d == k).unwrap())
            .collect();
        let ov2: Vec<Vec<f32>> = idx_o.iter().map(|&i| ov[i].clone()).collect();
        let rv2 = embed(&model, &r2);
        let u = link_semantic(&o2, &r2, &ov2, &rv2, None, &SemanticConfig::default()).unwrap();
        eprintln!(
            "unrelated: {} of {} release documents linked",
            u.linked, u.n_release
        );
        assert_eq!(u.linked, 0);
    }

    #[test]
    fn audit_of_a_paraphrased_release_with_model_fails() {
        let claims = audit_paraphrase(Some(&model_dir()));
        assert_eq!(claims[0].verdict, Verdict::Fail, "{:?}", claims[0]);
        assert!(
            claims[0].decided_by.contains("all-MiniLM-L6-v2")
                || claims[0].decided_by.contains("MiniLM"),
            "{}",
            claims[0].decided_by
        );
    }

    #[test]
    fn incomplete_model_folder_names_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        let err = SentenceEmbedder::load(dir.path())
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("missing model.safetensors, tokenizer.json, 1_Pooling/config.json"),
            "{err}"
        );
        assert!(err.contains("fetch-embedding-model.sh"), "{err}");
    }
}
