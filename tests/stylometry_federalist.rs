//! The Federalist Papers: train on the undisputed Hamilton and Madison papers,
//! attribute the 12 disputed ones (49-58, 62, 63). Scholarly consensus
//! (Mosteller & Wallace 1964) gives all 12 to Madison; faststylometry 1.0.5's
//! Burrows' Delta gives 10 of 12 (fixture in tests/fixtures/stylometry/).

use std::path::Path;

use reident::attacks::stylometry::corpus::{string_column, Corpus};
use reident::attacks::stylometry::features::{FeatureConfig, FeatureKind, FittedFeatures};
use reident::attacks::stylometry::normalize::{FittedNormalizer, Normalization};
use reident::attacks::stylometry::pipeline::{ClassifierKind, ClassifierSpec};
use reident::attacks::stylometry::tokenize::TokenizerOptions;
use reident::attacks::stylometry::{AuthorshipClassifier, AuthorshipModel};
use reident::data::{read_frame, ReadOptions};

struct Federalist {
    train: Corpus,
    disputed: Vec<String>,
    disputed_ids: Vec<String>,
}

fn load() -> Federalist {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/federalist/documents.jsonl.gz");
    let df = read_frame(&path, &ReadOptions::default()).expect("federalist dataset");
    let text = string_column(&df, "text").unwrap();
    let author = string_column(&df, "author").unwrap();
    let status = string_column(&df, "author_status").unwrap();
    let ids = string_column(&df, "doc_id").unwrap();
    let (mut texts, mut names, mut disputed, mut disputed_ids) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..df.height() {
        let (t, a, s) = (
            text[i].clone().unwrap(),
            author[i].clone().unwrap(),
            status[i].clone().unwrap(),
        );
        if s == "known" && (a == "Hamilton" || a == "Madison") {
            texts.push(t);
            names.push(a);
        } else if s.starts_with("disputed") {
            disputed.push(t);
            disputed_ids.push(ids[i].clone().unwrap());
        }
    }
    Federalist {
        train: Corpus::from_named(texts, &names).unwrap(),
        disputed,
        disputed_ids,
    }
}

/// Papers (doc ids) attributed to Hamilton by each classifier, with the
/// features fitted once on the training papers (`mfw` most frequent words).
fn hamilton_papers(f: &Federalist, mfw: usize) -> Vec<(ClassifierKind, Vec<String>)> {
    let config = FeatureConfig {
        kinds: vec![FeatureKind::Mfw {
            n: mfw,
            culling_percent: 0.0,
        }],
        tokenizer: TokenizerOptions::default(),
    };
    let features = FittedFeatures::fit(&config, &f.train.texts).unwrap();
    let train = features.transform(&f.train.texts).unwrap().values;
    let test = features.transform(&f.disputed).unwrap().values;
    let z = FittedNormalizer::fit(Normalization::ZScore, &train).unwrap();
    let hamilton = f
        .train
        .authors
        .iter()
        .position(|a| a == "Hamilton")
        .unwrap();
    [
        ClassifierKind::Burrows,
        ClassifierKind::Cosine,
        ClassifierKind::Eder,
        ClassifierKind::NearestCentroid,
        ClassifierKind::Knn,
    ]
    .into_iter()
    .map(|kind| {
        // Delta classifiers z-score internally; the others get z-scored rows.
        let (xtr, xte) = if matches!(kind, ClassifierKind::NearestCentroid | ClassifierKind::Knn) {
            (z.transform(&train).unwrap(), z.transform(&test).unwrap())
        } else {
            (train.clone(), test.clone())
        };
        let c = ClassifierSpec::new(kind)
            .fit(&xtr, &f.train.labels, 2)
            .unwrap();
        let s = c.scores(&xte).unwrap();
        let papers = (0..f.disputed.len())
            .filter(|&i| s[[i, hamilton]] > s[[i, 1 - hamilton]])
            .map(|i| f.disputed_ids[i].clone())
            .collect();
        (kind, papers)
    })
    .collect()
}

/// Measured with 50 most frequent words (faststylometry's default vocabulary
/// size), Delta classifiers with author-centroid profiles, nearest centroid
/// and kNN (k = 3, Euclidean) on training z-scores. Madison counts out of 12:
/// Burrows 10, Cosine 12, Eder 11, nearest centroid 11, kNN 8.
#[test]
fn disputed_papers_per_classifier() {
    let f = load();
    assert_eq!(f.train.len(), 65); // 51 Hamilton + 14 Madison
    assert_eq!(f.disputed.len(), 12);
    let got = hamilton_papers(&f, 50);
    let madison: Vec<(ClassifierKind, usize)> =
        got.iter().map(|(k, h)| (*k, 12 - h.len())).collect();
    assert_eq!(
        madison,
        vec![
            (ClassifierKind::Burrows, 10),
            (ClassifierKind::Cosine, 12),
            (ClassifierKind::Eder, 11),
            (ClassifierKind::NearestCentroid, 11),
            (ClassifierKind::Knn, 8),
        ],
        "{got:?}"
    );
}

/// faststylometry 1.0.5 (fixture) gives 10 of 12 to Madison; our Burrows'
/// Delta with the same vocabulary size also gives 10. The two implementations
/// differ (faststylometry pools each author's counts and z-scores over the two
/// author profiles, drops pronouns and digits; we z-score over training
/// documents), so the papers left to Hamilton differ in one paper.
#[test]
fn burrows_agrees_with_faststylometry_count() {
    let fixture: serde_json::Value = serde_json::from_str(include_str!(
        "fixtures/stylometry/faststylometry_federalist.json"
    ))
    .unwrap();
    assert_eq!(fixture["madison_count"], 10);
    let theirs: Vec<&str> = fixture["papers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["attributed"] == "Hamilton")
        .map(|p| p["doc_id"].as_str().unwrap())
        .collect();
    assert_eq!(theirs, vec!["federalist_50", "federalist_55"]);
    let f = load();
    let ours = &hamilton_papers(&f, 50)[0];
    assert_eq!(ours.0, ClassifierKind::Burrows);
    assert_eq!(12 - ours.1.len(), 10);
    // Both leave paper 55 to Hamilton; they differ on 50 (theirs) vs 56 (ours).
    assert_eq!(ours.1, vec!["federalist_55", "federalist_56"]);
}

/// The attacker's choice (issue #17, must-have 5): on the 70 undisputed
/// papers of Hamilton (51), Madison (14) and Jay (5), Cosine Delta with
/// author centroids collapses under the class imbalance (the issue measured
/// 74.0% leave-one-out against Burrows' 91.8% and Eder's 94.5%), so an
/// attacker who cross-validates on what it knows picks another method, and
/// the imbalance is warned about.
#[test]
fn the_attacker_cross_validates_and_does_not_pick_centroid_cosine_delta() {
    use reident::audit::declarations::StylometryConfig;
    use reident::eval::release_attack::choose_pipeline;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/federalist/documents.jsonl.gz");
    let df = read_frame(&path, &ReadOptions::default()).unwrap();
    let text = string_column(&df, "text").unwrap();
    let author = string_column(&df, "author").unwrap();
    let status = string_column(&df, "author_status").unwrap();
    let (mut texts, mut names) = (Vec::new(), Vec::new());
    for i in 0..df.height() {
        let a = author[i].clone().unwrap();
        if status[i].as_deref() == Some("known")
            && ["Hamilton", "Madison", "Jay"].contains(&a.as_str())
        {
            texts.push(text[i].clone().unwrap());
            names.push(a);
        }
    }
    let known = Corpus::from_named(texts, &names).unwrap();
    let count = |a: &str| names.iter().filter(|n| *n == a).count();
    assert_eq!(
        (count("Hamilton"), count("Madison"), count("Jay")),
        (51, 14, 5)
    );
    let suite = StylometryConfig::default().attack_suite(42).unwrap();
    let labels: Vec<&str> = suite.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Cosine Delta",
            "Burrows' Delta",
            "Eder's Delta",
            "Cosine Delta (nearest document)",
            "Burrows' Delta (nearest document)",
        ]
    );
    let choice = choose_pipeline(&known, &suite, 42).unwrap();
    let acc = |label: &str| {
        choice
            .suite
            .iter()
            .find(|s| s.label == label)
            .unwrap()
            .cv_top1_accuracy
    };
    eprintln!("{:#?}", choice.suite);
    assert_eq!(choice.folds, 5);
    // One-standard-error rule: Eder's 66/70 = 0.943 is best, SE =
    // sqrt(0.943 x 0.057 / 70) = 0.0277, so the first candidate at or above
    // 0.915 wins: Burrows' Delta (65/70 = 0.929); Cosine (53/70 = 0.757) is
    // far below.
    assert_eq!(choice.suite[choice.best].label, "Eder's Delta");
    assert!((acc("Eder's Delta") - 66.0 / 70.0).abs() < 1e-12);
    assert!((acc("Burrows' Delta") - 65.0 / 70.0).abs() < 1e-12);
    assert!((acc("Cosine Delta") - 53.0 / 70.0).abs() < 1e-12);
    assert_eq!(choice.chosen_label(), "Burrows' Delta");
    // Hamilton holds 51 of 70 known papers (73%).
    assert!(
        choice.warnings.iter().any(|w| w.contains("51 of the 70")),
        "{:?}",
        choice.warnings
    );
}
