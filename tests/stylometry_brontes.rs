//! Brontë sisters (Anne 16, Charlotte 8, Emily 8 chapter excerpts): stratified
//! cross-validated attribution accuracy, against the 1/3 chance baseline.

use std::path::Path;

use reident::attacks::stylometry::corpus::{string_column, Corpus};
use reident::attacks::stylometry::features::{FeatureConfig, FeatureKind};
use reident::attacks::stylometry::normalize::Normalization;
use reident::attacks::stylometry::pipeline::{ClassifierKind, ClassifierSpec, PipelineConfig};
use reident::attacks::stylometry::tokenize::TokenizerOptions;
use reident::data::{read_frame, ReadOptions};
use reident::eval::cross_validation::{cross_validate, sweep_authors, sweep_length};

fn load() -> Corpus {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/brontes/documents.jsonl.gz");
    let df = read_frame(&path, &ReadOptions::default()).expect("brontes dataset");
    let text: Vec<String> = string_column(&df, "text")
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let author: Vec<String> = string_column(&df, "author")
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();
    Corpus::from_named(text, &author).unwrap()
}

fn config(
    kinds: Vec<FeatureKind>,
    normalization: Normalization,
    kind: ClassifierKind,
) -> PipelineConfig {
    PipelineConfig {
        features: FeatureConfig {
            kinds,
            tokenizer: TokenizerOptions::default(),
        },
        normalization,
        classifier: ClassifierSpec::new(kind),
    }
}

fn mfw100() -> Vec<FeatureKind> {
    vec![FeatureKind::Mfw {
        n: 100,
        culling_percent: 0.0,
    }]
}

/// Burrows' Delta, 100 MFW, 4 stratified folds, seed 42 (measured): 28 of
/// 32 chapters right (0.875), folds 7/8, 7/8, 6/8, 8/8; chance is 1/3.
#[test]
fn burrows_cross_validated() {
    let c = load();
    assert_eq!(c.author_counts(), vec![16, 8, 8]);
    let cfg = config(mfw100(), Normalization::None, ClassifierKind::Burrows);
    let cv = cross_validate(&c, &cfg, 4, 42, &|_, _| {}).unwrap();
    assert_eq!(cv.pooled.n_documents, 32);
    assert_eq!(cv.pooled.top1_accuracy, 28.0 / 32.0);
    assert_eq!(
        cv.per_fold
            .iter()
            .map(|f| f.top1_accuracy)
            .collect::<Vec<_>>(),
        vec![0.875, 0.875, 0.75, 1.0]
    );
    assert_eq!(cv.pooled.chance_top1, 1.0 / 3.0);
    assert_eq!(cv.pooled.top_k.last().unwrap().accuracy, 1.0);
    assert!(cv.untested_documents.is_empty());
    // Same seed, same result.
    assert_eq!(cross_validate(&c, &cfg, 4, 42, &|_, _| {}).unwrap(), cv);
}

/// All classifiers and two other feature sets, 4 folds, seed 42 (measured
/// pooled top-1): Cosine 0.875, Eder 0.84375, nearest centroid (z) 0.875,
/// kNN (k = 3, z) 0.75, Cosine Delta on character 2-3-grams 1.0, on the
/// Snowball function words 0.90625. Slow in debug builds:
/// `cargo test --test integration stylometry_brontes:: -- --ignored`.
#[test]
#[ignore]
fn all_classifiers_cross_validated() {
    let c = load();
    for (cfg, expected) in [
        (
            config(mfw100(), Normalization::None, ClassifierKind::Cosine),
            0.875,
        ),
        (
            config(mfw100(), Normalization::None, ClassifierKind::Eder),
            0.84375,
        ),
        (
            config(
                mfw100(),
                Normalization::ZScore,
                ClassifierKind::NearestCentroid,
            ),
            0.875,
        ),
        (
            config(mfw100(), Normalization::ZScore, ClassifierKind::Knn),
            0.75,
        ),
        (
            config(
                vec![FeatureKind::CharNgrams {
                    min: 2,
                    max: 3,
                    top: 300,
                }],
                Normalization::None,
                ClassifierKind::Cosine,
            ),
            1.0,
        ),
        (
            config(
                vec![FeatureKind::FunctionWords],
                Normalization::None,
                ClassifierKind::Cosine,
            ),
            0.90625,
        ),
    ] {
        let cv = cross_validate(&c, &cfg, 4, 42, &|_, _| {}).unwrap();
        assert_eq!(cv.pooled.top1_accuracy, expected, "{cfg:?}");
    }
}

/// Accuracy versus test length and versus number of authors (Cosine Delta,
/// 100 MFW, 4 folds, seed 42; measured): test chapters cut to 50 / 200 /
/// 1000 words give 0.4375 / 0.53125 / 0.6875 against chance 1/3. Slow in
/// debug builds: `cargo test --test integration stylometry_brontes:: -- --ignored`.
#[test]
#[ignore]
fn sweeps() {
    let c = load();
    let cfg = config(mfw100(), Normalization::None, ClassifierKind::Cosine);
    let by_length = sweep_length(&c, &cfg, &[50, 200, 1000], 4, 42, &|_, _| {}).unwrap();
    assert_eq!(
        by_length.iter().map(|p| p.mean_top1).collect::<Vec<_>>(),
        vec![0.4375, 0.53125, 0.6875]
    );
    let by_authors = sweep_authors(&c, &cfg, &[2, 3], 2, 4, 42, &|_, _| {}).unwrap();
    assert_eq!(
        by_authors.iter().map(|p| p.chance).collect::<Vec<_>>(),
        vec![0.5, 1.0 / 3.0]
    );
    assert!(by_authors.iter().all(|p| p.mean_top1 > p.chance));
}
