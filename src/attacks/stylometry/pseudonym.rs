//! The pseudonym-level stylometry attack, once, for the audit and the CLI.
//!
//! Setting: a release keeps each document's text (perhaps rewritten) and
//! replaces its author by a stable pseudonym. The adversary knows some writing
//! of every candidate author and attributes each release document (document
//! level) and each pseudonym from all its documents (pseudonym level, see
//! `pooling` for the two pooling methods, the default and the policy for a
//! pseudonym shared by several authors).
//!
//! Two entry points share the attribution and pooling code:
//!
//! * [`pseudonym_attack`] is the audit's experiment on an original corpus and
//!   its release: per candidate author (at least `min_documents` non-empty
//!   originals, at least 2), a seeded share `known_share` of their originals
//!   is the adversary's training set and the release versions of the others
//!   (matched by document id) are attacked. The release documents of the
//!   authors left out (fewer than `min_documents` originals: no known writing
//!   the attacker could use) are attacked open-set together with them
//!   ([`super::open_set`]: named only when the pairwise verifier agrees), so
//!   the report can say how many of them would be wrongly named.
//! * [`attribute_release`] attacks given release documents with an already
//!   fitted pipeline; [`attribute_pseudonyms`] fits the pipeline on a
//!   training corpus first (`reident stylometry --train --test
//!   --pseudonym-column`).
//!
//! Both return scores and truths (documents x authors, pseudonyms x
//! authors); `eval::attribution` scores them (`score_release`,
//! `pseudonym_run`).
//!
//! A release document without a pseudonym (missing or blank) is attributed at
//! document level but pooled with no other document; the number of such
//! documents is reported. This module does not score against the truth, read
//! files, render, or decide claims.

use std::collections::{BTreeMap, HashMap};

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::corpus::Corpus;
use super::features::{FeatureConfig, FeatureKind};
use super::normalize::Normalization;
use super::open_set::{
    choose_open_set_threshold, open_set_attribute, OpenSetAttribution, OpenSetObjective,
    OpenSetParams, ThresholdChoice, ThresholdSearch,
};
use super::pairwise::PairwiseParams;
use super::pipeline::{
    attribution_run, AttributionRun, ClassifierKind, ClassifierSpec, FittedPipeline, PipelineConfig,
};
use super::pooling::{pooled_scores, pseudonym_truth, PoolingMethod};
use super::StylometryError;

/// Parameters of [`pseudonym_attack`].
#[derive(Debug, Clone, PartialEq)]
pub struct PseudonymAttackParams {
    /// Features, normalization and classifier.
    pub pipeline: PipelineConfig,
    /// Share of each author's original documents the adversary knows, in
    /// (0, 1); at least one document is known and one held out per author.
    pub known_share: f64,
    /// Authors with fewer non-empty original documents than this (and than
    /// 2) are left out.
    pub min_documents: usize,
    /// Seed of the known/held-out split.
    pub seed: u64,
    /// How a pseudonym's documents are pooled.
    pub pooling: PoolingMethod,
}

impl PseudonymAttackParams {
    /// The audit's settings for `features` and `classifier`: no extra
    /// normalization for the distance classifiers (the Delta family z-scores
    /// itself), z-scores for the linear models; half of each author's
    /// documents known, authors with fewer than 4 documents left out, seed
    /// 42, the default pooling ([`PoolingMethod::SumScores`]).
    pub fn new(features: Vec<FeatureKind>, classifier: ClassifierKind) -> Self {
        let normalization = match classifier {
            ClassifierKind::Burrows
            | ClassifierKind::Cosine
            | ClassifierKind::Eder
            | ClassifierKind::Knn
            | ClassifierKind::NearestCentroid => Normalization::None,
            ClassifierKind::Logistic | ClassifierKind::LinearSvm => Normalization::ZScore,
        };
        Self {
            pipeline: PipelineConfig {
                features: FeatureConfig {
                    kinds: features,
                    ..FeatureConfig::default()
                },
                normalization,
                classifier: ClassifierSpec::new(classifier),
            },
            known_share: 0.5,
            min_documents: 4,
            seed: 42,
            pooling: PoolingMethod::default(),
        }
    }
}

/// The corpora [`pseudonym_attack`] reads (the crate's one corpus type,
/// ids unique), with their author and pseudonym columns row for row.
#[derive(Debug, Clone, Copy)]
pub struct PseudonymAttackInput<'a> {
    /// The original documents (ids and texts).
    pub original: &'a Corpus,
    /// Original authors, one per original document (`None` = unknown; such
    /// documents are not used).
    pub original_authors: &'a [Option<String>],
    /// The release documents; a release id names the original of the same id.
    pub release: &'a Corpus,
    /// Release pseudonyms, one per release document (`None` or blank = no
    /// pseudonym).
    pub release_pseudonyms: &'a [Option<String>],
}

/// Pseudonym-level attribution of attacked release documents.
#[derive(Debug, Clone, PartialEq)]
pub struct PooledAttribution {
    /// Pooling method used.
    pub method: PoolingMethod,
    /// Pseudonyms, sorted; rows of `scores`.
    pub names: Vec<String>,
    /// Attacked documents per pseudonym.
    pub documents: Vec<usize>,
    /// Truth per pseudonym: its majority author (see `pooling`).
    pub truth: Vec<usize>,
    /// Pseudonyms whose documents have more than one true author.
    pub shared: usize,
    /// Pseudonyms x authors pooled scores.
    pub scores: Array2<f64>,
}

/// Document- and pseudonym-level attribution of attacked release documents.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseAttribution {
    /// Documents x authors scores.
    pub document_scores: Array2<f64>,
    /// True author of each attacked document.
    pub document_truth: Vec<usize>,
    /// Attacked documents with no pseudonym (not pooled).
    pub documents_without_pseudonym: usize,
    /// Pseudonym level; `None` when no attacked document has a pseudonym.
    pub pseudonyms: Option<PooledAttribution>,
}

/// Result of [`pseudonym_attack`].
#[derive(Debug, Clone, PartialEq)]
pub struct PseudonymAttack {
    /// The pipeline that was fitted.
    pub pipeline: PipelineConfig,
    /// Candidate authors (sorted); author indices index this list.
    pub authors: Vec<String>,
    /// Authors with a non-empty original left out for too few documents.
    pub authors_left_out: usize,
    /// Every non-empty original document of the candidate authors (for
    /// sweeps over the number of authors).
    pub eligible: Corpus,
    /// Original documents the adversary knows (the training set).
    pub known_documents: usize,
    /// Held-out original documents of the candidate authors (the targets).
    pub held_out_documents: usize,
    /// Of those, the ones whose id names a release document.
    pub held_out_in_release: usize,
    /// Attribution of the attacked (non-empty) release documents.
    pub attribution: ReleaseAttribution,
    /// Open-set attribution ([`super::open_set`]) of the attacked documents
    /// followed by the release documents of the left-out authors (authors
    /// without enough known writing, whom the attacker cannot name), when
    /// there are any of the latter; `None` otherwise. `Some(Err(why))` when
    /// it could not run (e.g. no known author has two documents to pair): the
    /// closed-set attack stands and the reason is reported.
    pub open_set: Option<Result<OpenSetRun, String>>,
}

/// The open-set run of [`PseudonymAttack::open_set`].
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSetRun {
    /// The answers, one per document: the attacked documents in
    /// [`ReleaseAttribution::document_truth`] order, then the left-out
    /// authors' release documents.
    pub attribution: OpenSetAttribution,
    /// The truth of each document: `Some(author)` for a candidate author,
    /// `None` for a left-out author.
    pub truth: Vec<Option<usize>>,
    /// How the threshold was chosen on the known writing
    /// ([`super::open_set::choose_open_set_threshold`]); `None` when the
    /// default was used.
    pub threshold_choice: Option<ThresholdChoice>,
    /// Why the default threshold was used instead of a chosen one, if so.
    pub threshold_note: Option<String>,
}

/// Attributes release documents `texts` (true authors `truth`, indices into
/// `pipeline.authors()`) with a fitted pipeline, document by document and
/// pooled per pseudonym with `method`.
pub fn attribute_release(
    pipeline: &FittedPipeline,
    texts: &[String],
    truth: &[usize],
    pseudonyms: &[Option<String>],
    method: PoolingMethod,
) -> Result<ReleaseAttribution, StylometryError> {
    if texts.is_empty() {
        return Err(StylometryError::Invalid(
            "no release document of a known author to attribute".into(),
        ));
    }
    if truth.len() != texts.len() || pseudonyms.len() != texts.len() {
        return Err(StylometryError::Invalid(format!(
            "{} documents, {} true authors and {} pseudonyms; they must pair up row by row",
            texts.len(),
            truth.len(),
            pseudonyms.len()
        )));
    }
    let authors = pipeline.authors();
    let x = pipeline.transform(texts)?;
    let document_scores = pipeline.classifier().scores(&x)?;
    if let Some((row, &t)) = truth.iter().enumerate().find(|(_, &t)| t >= authors.len()) {
        return Err(StylometryError::Invalid(format!(
            "document {row}: true author {t} is outside the {} candidate authors",
            authors.len()
        )));
    }

    fn named(p: &Option<String>) -> Option<&str> {
        p.as_deref().filter(|p| !p.trim().is_empty())
    }
    let mut names: Vec<&str> = pseudonyms.iter().filter_map(named).collect();
    names.sort_unstable();
    names.dedup();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    // Rows (documents) that carry a pseudonym, and its index.
    let (rows, doc_pseudonym): (Vec<usize>, Vec<usize>) = pseudonyms
        .iter()
        .enumerate()
        .filter_map(|(row, p)| named(p).map(|p| (row, index[p])))
        .unzip();
    let documents_without_pseudonym = texts.len() - rows.len();
    let pseudonyms = if names.is_empty() {
        None
    } else {
        let x_named = x.select(ndarray::Axis(0), &rows);
        let scores_named = document_scores.select(ndarray::Axis(0), &rows);
        let truth_named: Vec<usize> = rows.iter().map(|&r| truth[r]).collect();
        let scores = pooled_scores(
            pipeline.classifier(),
            &x_named,
            &scores_named,
            &doc_pseudonym,
            names.len(),
            method,
        )?;
        let (p_truth, shared) = pseudonym_truth(&doc_pseudonym, &truth_named, names.len());
        let mut count = vec![0usize; names.len()];
        for &p in &doc_pseudonym {
            count[p] += 1;
        }
        Some(PooledAttribution {
            method,
            names: names.iter().map(|s| s.to_string()).collect(),
            documents: count,
            truth: p_truth,
            shared,
            scores,
        })
    };
    Ok(ReleaseAttribution {
        document_scores,
        document_truth: truth.to_vec(),
        documents_without_pseudonym,
        pseudonyms,
    })
}

/// Fits `config` on `train`, attributes `texts` (true authors `truth`,
/// indices into `train.authors`) and pools them per pseudonym
/// (`pseudonyms[doc]`) with `method`: the document-level run (each
/// document's `top_n` best authors) and the [`ReleaseAttribution`] (scores
/// and truths at both levels), from one fitted pipeline and
/// [`attribute_release`].
pub fn attribute_pseudonyms(
    config: &PipelineConfig,
    train: &Corpus,
    texts: &[String],
    truth: &[usize],
    pseudonyms: &[Option<String>],
    method: PoolingMethod,
    top_n: usize,
) -> Result<(AttributionRun, ReleaseAttribution), StylometryError> {
    if texts.is_empty() {
        return Err(StylometryError::Invalid("no documents to attribute".into()));
    }
    let pipeline = FittedPipeline::fit(config, train)?;
    let release = attribute_release(&pipeline, texts, truth, pseudonyms, method)?;
    let run = attribution_run(config, train, &pipeline, &release.document_scores, top_n);
    Ok((run, release))
}

/// Runs the audit's pseudonym-level attack (see the module docs) on an
/// original corpus and its release.
pub fn pseudonym_attack(
    input: PseudonymAttackInput<'_>,
    params: &PseudonymAttackParams,
) -> Result<PseudonymAttack, StylometryError> {
    pseudonym_attack_choosing(input, params, &mut |_| Ok(params.pipeline.clone()), None)
}

/// [`pseudonym_attack`] with the pipeline chosen by `choose` from the
/// adversary's known writing (the training corpus of the seeded split, and
/// nothing else: neither the held-out originals nor the truth key), as an
/// attacker picks a method by cross-validating on what it knows
/// (`crate::eval::release_attack::attack_release` passes such a chooser).
/// `params.pipeline` is ignored; the chosen one is fitted and reported.
/// With `open_set_objective`, the open-set threshold of the left-out
/// authors' documents is chosen by cross-validation on the same known
/// writing, maximising it ([`choose_open_set_threshold`]); without it, or
/// when the search cannot run (fewer than 3 known authors), the default 0.5
/// is used and [`OpenSetRun::threshold_note`] says why.
pub fn pseudonym_attack_choosing(
    input: PseudonymAttackInput<'_>,
    params: &PseudonymAttackParams,
    choose: &mut dyn FnMut(&Corpus) -> Result<PipelineConfig, StylometryError>,
    open_set_objective: Option<OpenSetObjective<'_>>,
) -> Result<PseudonymAttack, StylometryError> {
    let (original, release) = (input.original, input.release);
    let n = original.len();
    if input.original_authors.len() != n {
        return Err(StylometryError::Invalid(format!(
            "{}: {n} original documents and {} authors; they must pair up row by row",
            original.source,
            input.original_authors.len()
        )));
    }
    let m = release.len();
    if input.release_pseudonyms.len() != m {
        return Err(StylometryError::Invalid(format!(
            "{}: {m} release documents and {} pseudonyms; they must pair up row by row",
            release.source,
            input.release_pseudonyms.len()
        )));
    }
    if !(params.known_share > 0.0 && params.known_share < 1.0) {
        return Err(StylometryError::Invalid(format!(
            "the known share of each author's documents must be in (0, 1), got {}",
            params.known_share
        )));
    }
    let release_row: HashMap<&str, usize> = release.index();

    // Documents per original author (non-empty text only), in file order.
    let mut by_author: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (row, (a, t)) in input
        .original_authors
        .iter()
        .zip(&original.texts)
        .enumerate()
    {
        if let Some(a) = a {
            if !t.trim().is_empty() {
                by_author.entry(a.as_str()).or_default().push(row);
            }
        }
    }
    let total_authors = by_author.len();
    let min_documents = params.min_documents.max(2);
    // The release versions of the left-out authors' documents: the open-set
    // attack's "none of the known authors" documents.
    let mut unknown_texts: Vec<String> = by_author
        .values()
        .filter(|rows| rows.len() < min_documents)
        .flatten()
        .filter_map(|&row| release_row.get(original.ids[row].as_str()))
        .map(|&r| release.texts[r].clone())
        .filter(|t| !t.trim().is_empty())
        .collect();
    unknown_texts.sort_unstable();
    by_author.retain(|_, rows| rows.len() >= min_documents);
    if by_author.len() < 2 {
        return Err(StylometryError::Invalid(format!(
            "stylometry needs at least 2 authors with {min_documents} or more documents; found {} \
             (lower `stylometry.min_documents`)",
            by_author.len()
        )));
    }
    // One seeded shuffle per author, in author order: the split is a
    // function of the seed and the corpus only.
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let (mut train_texts, mut train_names) = (Vec::new(), Vec::new());
    let (mut test_texts, mut test_names, mut test_pseudonyms) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut held_out_documents, mut held_out_in_release) = (0usize, 0usize);
    for (author, rows) in &by_author {
        let mut rows = rows.clone();
        rows.shuffle(&mut rng);
        let known =
            ((rows.len() as f64 * params.known_share).round() as usize).clamp(1, rows.len() - 1);
        for &row in &rows[..known] {
            train_texts.push(original.texts[row].clone());
            train_names.push(author.to_string());
        }
        for &row in &rows[known..] {
            held_out_documents += 1;
            let Some(&r) = release_row.get(original.ids[row].as_str()) else {
                continue;
            };
            held_out_in_release += 1;
            let text = &release.texts[r];
            if text.trim().is_empty() {
                continue;
            }
            test_texts.push(text.clone());
            test_names.push(*author);
            test_pseudonyms.push(input.release_pseudonyms[r].clone());
        }
    }
    let train = Corpus::from_named(train_texts, &train_names)?;
    let chosen = choose(&train)?;
    let pipeline = FittedPipeline::fit(&chosen, &train)?;
    let authors = pipeline.authors().to_vec();
    let index: HashMap<&str, usize> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let truth: Vec<usize> = test_names.iter().map(|n| index[n]).collect();
    let attribution = attribute_release(
        &pipeline,
        &test_texts,
        &truth,
        &test_pseudonyms,
        params.pooling,
    )?;
    let open_set = if unknown_texts.is_empty() {
        None
    } else {
        let mut texts = test_texts.clone();
        texts.extend(unknown_texts.iter().cloned());
        let verifier = PairwiseParams {
            seed: params.seed,
            ..PairwiseParams::default()
        };
        let (threshold_choice, threshold_note) = match open_set_objective {
            None => (
                None,
                Some("no open-set objective was given; the default threshold 0.5 was used".into()),
            ),
            Some(objective) => match choose_open_set_threshold(
                &train,
                &mut |known, texts| FittedPipeline::fit(&chosen, known)?.scores(texts),
                objective,
                &ThresholdSearch {
                    seed: params.seed,
                    verifier,
                    ..ThresholdSearch::default()
                },
            ) {
                Ok(c) => (Some(c), None),
                Err(e) => (
                    None,
                    Some(format!(
                        "the threshold could not be chosen on the known writing ({e}); the default 0.5 was used"
                    )),
                ),
            },
        };
        let threshold = threshold_choice
            .as_ref()
            .map_or(OpenSetParams::default().threshold, |c| c.threshold);
        let open = pipeline.scores(&texts).and_then(|scores| {
            open_set_attribute(
                &scores,
                &train.texts,
                &train.labels,
                &texts,
                &OpenSetParams {
                    verifier,
                    threshold,
                },
            )
        });
        let mut open_truth: Vec<Option<usize>> = truth.iter().map(|&t| Some(t)).collect();
        open_truth.extend(std::iter::repeat_n(None, unknown_texts.len()));
        Some(
            open.map(|attribution| OpenSetRun {
                attribution,
                truth: open_truth,
                threshold_choice,
                threshold_note,
            })
            .map_err(|e| e.to_string()),
        )
    };

    let (mut texts, mut names) = (Vec::new(), Vec::new());
    for (author, rows) in &by_author {
        for &row in rows {
            texts.push(original.texts[row].clone());
            names.push(author.to_string());
        }
    }
    Ok(PseudonymAttack {
        pipeline: chosen,
        authors_left_out: total_authors - authors.len(),
        authors,
        eligible: Corpus::from_named(texts, &names)?,
        known_documents: train.len(),
        held_out_documents,
        held_out_in_release,
        attribution,
        open_set,
    })
}

#[cfg(test)]
mod tests {
    use super::super::ranking::top_ranked;
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// Three authors with disjoint vocabularies, 4 documents each, 2 known
    /// and 2 attacked per author. Every release document of `a` and `b`
    /// carries pseudonym `p` (2 + 2 documents: a tie, so its truth is the
    /// lower author index, `a`, and it counts as shared); `c`'s carry none
    /// (attributed, not pooled).
    #[test]
    fn shared_and_missing_pseudonyms_follow_the_policy() {
        let texts = [
            "alpha alpha beta beta alpha gamma",
            "delta delta epsilon epsilon delta zeta",
            "eta eta theta theta eta iota",
        ];
        let mut original_texts = Vec::new();
        let mut original_authors = Vec::new();
        let mut release_pseudonyms = Vec::new();
        for (author, text) in ["a", "b", "c"].iter().zip(texts) {
            for _ in 0..4 {
                original_texts.push(text.to_string());
                original_authors.push(Some(author.to_string()));
                release_pseudonyms.push((*author != "c").then(|| "p".to_string()));
            }
        }
        let original_ids: Vec<Option<String>> = (0..12).map(|i| Some(i.to_string())).collect();
        let original = Corpus::new(
            "original",
            original_ids,
            original_texts.into_iter().map(Some).collect(),
        )
        .unwrap();
        let params = PseudonymAttackParams {
            min_documents: 2,
            ..PseudonymAttackParams::new(
                vec![FeatureKind::Mfw {
                    n: 9,
                    culling_percent: 0.0,
                }],
                ClassifierKind::Burrows,
            )
        };
        let r = pseudonym_attack(
            PseudonymAttackInput {
                original: &original,
                original_authors: &original_authors,
                release: &original,
                release_pseudonyms: &release_pseudonyms,
            },
            &params,
        )
        .unwrap();
        assert_eq!(r.authors, s(&["a", "b", "c"]));
        assert_eq!((r.known_documents, r.held_out_documents), (6, 6));
        assert_eq!(r.held_out_in_release, 6);
        assert_eq!(r.eligible.len(), 12);
        let at = &r.attribution;
        assert_eq!(at.document_truth, vec![0, 0, 1, 1, 2, 2]);
        // Identical texts per author: every document's best-scored author
        // is its author.
        for (row, &t) in at
            .document_scores
            .rows()
            .into_iter()
            .zip(&at.document_truth)
        {
            assert_eq!(top_ranked(row, 1), vec![t]);
        }
        assert_eq!(at.documents_without_pseudonym, 2);
        let p = at.pseudonyms.as_ref().unwrap();
        assert_eq!(p.names, s(&["p"]));
        assert_eq!(p.documents, vec![4]);
        assert_eq!(p.truth, vec![0]);
        assert_eq!(p.shared, 1);
        // Pooled: sum of the 4 documents' scores; a's and b's documents are
        // equally far from each other's centroid, so a and b tie and the
        // ranking puts a (lower index) first: top-1 correct.
        let row = p.scores.row(0);
        assert_eq!(top_ranked(row, 1), vec![0]);
        assert_eq!(row[0], row[1]);
        assert!(row[2] < row[0]);
        // Every author is a candidate: no open-set run.
        assert!(r.open_set.is_none());
    }

    /// An author with one original (below `min_documents`) is left out of the
    /// candidates; its release document is attacked open-set as an unknown
    /// after the 6 attacked documents of the candidates.
    #[test]
    fn left_out_authors_are_attacked_open_set() {
        let texts = [
            "alpha alpha beta beta alpha gamma, alpha!",
            "delta delta epsilon epsilon delta zeta; delta.",
            "eta eta theta theta eta iota: eta?",
        ];
        let mut original_texts = Vec::new();
        let mut original_authors = Vec::new();
        for (author, text) in ["a", "b", "c"].iter().zip(texts) {
            for _ in 0..4 {
                original_texts.push(text.to_string());
                original_authors.push(Some(author.to_string()));
            }
        }
        original_texts.push("kappa lambda mu nu xi omicron pi".to_string());
        original_authors.push(Some("d".to_string()));
        let n = original_texts.len();
        let original = Corpus::new(
            "original",
            (0..n).map(|i| Some(i.to_string())).collect(),
            original_texts.into_iter().map(Some).collect(),
        )
        .unwrap();
        let pseudonyms: Vec<Option<String>> = vec![None; n];
        let params = PseudonymAttackParams {
            min_documents: 2,
            ..PseudonymAttackParams::new(vec![FeatureKind::FunctionWords], ClassifierKind::Cosine)
        };
        let r = pseudonym_attack(
            PseudonymAttackInput {
                original: &original,
                original_authors: &original_authors,
                release: &original,
                release_pseudonyms: &pseudonyms,
            },
            &params,
        )
        .unwrap();
        assert_eq!(r.authors_left_out, 1);
        let run = r.open_set.unwrap().unwrap();
        assert_eq!(
            run.truth,
            vec![Some(0), Some(0), Some(1), Some(1), Some(2), Some(2), None]
        );
        assert_eq!(run.attribution.answer.len(), 7);
        assert!(run
            .attribution
            .verification
            .iter()
            .all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn too_few_authors_is_an_error() {
        let some = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        let corpus =
            Corpus::new("docs", some(&["1", "2", "3"]), some(&["a b", "a b", "c d"])).unwrap();
        let authors = vec![Some("x".into()), Some("x".into()), Some("y".into())];
        let none = vec![None, None, None];
        let input = PseudonymAttackInput {
            original: &corpus,
            original_authors: &authors,
            release: &corpus,
            release_pseudonyms: &none,
        };
        let params = PseudonymAttackParams {
            min_documents: 2,
            ..PseudonymAttackParams::new(Vec::new(), ClassifierKind::Burrows)
        };
        let e = pseudonym_attack(input, &params).unwrap_err().to_string();
        assert!(
            e.contains("at least 2 authors with 2 or more documents; found 1"),
            "{e}"
        );
    }
}
