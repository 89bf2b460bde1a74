//! Pseudonym-level attribution: when a release replaces each author by one
//! stable pseudonym, the attacker attributes the pseudonym, not each
//! document, by pooling all documents that carry it.
//!
//! Two pooling methods are offered ([`PoolingMethod`]):
//!
//! - **Sum of document scores.** Each document is scored by the fitted
//!   classifier and the pseudonym's score for author `a` is the sum over its
//!   documents. With log-probability scores (e.g. `LogisticAuthorship`),
//!   `sum_d ln p(a | d) = sum_d ln p(d | a) + n ln p(a) - sum_d ln p(d)`: the
//!   log-likelihood of "all n documents are by `a`" for documents independent
//!   given the author, plus the training prior counted n times (constant
//!   across authors when the training set is balanced), plus a term that does
//!   not depend on `a`. With margins (SVM decision values) or negated
//!   distances (Delta) it is a confidence-weighted vote, a heuristic.
//! - **Average of feature vectors.** The pseudonym's documents are merged into
//!   one profile (mean feature vector, i.e. the relative-frequency profile of
//!   the concatenated documents when documents have equal length), which the
//!   classifier scores once. This is how Delta-style attribution treats an
//!   author's collected works (Burrows 2002); it suits classifiers whose
//!   scores are not log-probabilities.
//!
//! A pseudonym whose documents have several true authors (a pseudonymizer
//! that maps two people to one name, or a shared account) is attributed like
//! any other; its truth is the **majority** author of its documents (ties: the
//! lower author index), and such pseudonyms are counted (the `shared` count
//! of `pseudonym::PooledAttribution`), never an error: an audit must not
//! stop because a release merges authors, and scoring the pseudonym against
//! the author of most of its text is what an attacker naming it would be
//! credited with. [`pseudonym_truth`] is that policy.
//!
//! This module returns pooled scores; scoring them against the truth
//! (document-level and pseudonym-level accuracy side by side, each
//! pseudonym's top-k candidates) is `eval::attribution`'s (`evaluate_pooling`,
//! `pooling_report`). It does not fit classifiers, extract features, or map
//! pseudonym strings to indices.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{AuthorshipModel, StylometryError};

/// How a pseudonym's documents are combined before attribution.
///
/// The default is [`PoolingMethod::SumScores`]: it needs nothing from the
/// classifier but its document scores (so it applies to every classifier the
/// same way), it is the joint log-likelihood of the pseudonym's documents when
/// the scores are log-probabilities (see the module docs), and it is what the
/// audit has reported since pseudonym-level attribution was added, so the
/// audit's figures do not move. [`PoolingMethod::AverageFeatures`] (Burrows'
/// profile of an author's collected works) is the option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PoolingMethod {
    /// Sum the per-document scores (log-probabilities: joint log-likelihood).
    #[default]
    SumScores,
    /// Average the documents' feature vectors and score the mean profile once.
    AverageFeatures,
}

/// Checks pseudonym labels for `n_docs` documents: one label per document,
/// each below `n_pseudonyms`, every pseudonym with a document. Returns the
/// number of documents per pseudonym.
pub fn check_pseudonyms(
    n_docs: usize,
    pseudonym: &[usize],
    n_pseudonyms: usize,
) -> Result<Vec<usize>, StylometryError> {
    if n_docs == 0 {
        return Err(StylometryError::Invalid(
            "no release documents to attribute".into(),
        ));
    }
    if pseudonym.len() != n_docs {
        return Err(StylometryError::Invalid(format!(
            "{n_docs} documents but {} pseudonym labels; they must pair up row by row",
            pseudonym.len()
        )));
    }
    let mut count = vec![0usize; n_pseudonyms];
    for (doc, &p) in pseudonym.iter().enumerate() {
        if p >= n_pseudonyms {
            return Err(StylometryError::Invalid(format!(
                "document {doc}: pseudonym index {p} is outside the list of {n_pseudonyms} pseudonyms"
            )));
        }
        count[p] += 1;
    }
    if let Some(p) = count.iter().position(|&c| c == 0) {
        return Err(StylometryError::Invalid(format!(
            "pseudonym {p} has no documents; drop it from the pseudonym list"
        )));
    }
    Ok(count)
}

/// Sums document score rows per pseudonym: returns pseudonyms x authors.
pub fn pool_scores(
    doc_scores: &Array2<f64>,
    pseudonym: &[usize],
    n_pseudonyms: usize,
) -> Result<Array2<f64>, StylometryError> {
    check_pseudonyms(doc_scores.nrows(), pseudonym, n_pseudonyms)?;
    let mut out = Array2::<f64>::zeros((n_pseudonyms, doc_scores.ncols()));
    for (row, &p) in doc_scores.rows().into_iter().zip(pseudonym) {
        let mut acc = out.row_mut(p);
        acc += &row;
    }
    Ok(out)
}

/// Mean feature vector of each pseudonym's documents: pseudonyms x features.
pub fn pool_features(
    x: &Array2<f64>,
    pseudonym: &[usize],
    n_pseudonyms: usize,
) -> Result<Array2<f64>, StylometryError> {
    let count = check_pseudonyms(x.nrows(), pseudonym, n_pseudonyms)?;
    let mut out = Array2::<f64>::zeros((n_pseudonyms, x.ncols()));
    for (row, &p) in x.rows().into_iter().zip(pseudonym) {
        let mut acc = out.row_mut(p);
        acc += &row;
    }
    for (mut row, &c) in out.rows_mut().into_iter().zip(&count) {
        row /= c as f64;
    }
    Ok(out)
}

/// Scores each pseudonym against each author with a fitted classifier:
/// pseudonyms x authors, higher = more likely.
pub fn attribute_pseudonyms(
    classifier: &dyn AuthorshipModel,
    x: &Array2<f64>,
    pseudonym: &[usize],
    n_pseudonyms: usize,
    method: PoolingMethod,
) -> Result<Array2<f64>, StylometryError> {
    check_pseudonyms(x.nrows(), pseudonym, n_pseudonyms)?;
    let doc_scores = match method {
        PoolingMethod::SumScores => classifier.scores(x)?,
        // Document scores are not needed to average features.
        PoolingMethod::AverageFeatures => Array2::zeros((x.nrows(), 0)),
    };
    pooled_scores(classifier, x, &doc_scores, pseudonym, n_pseudonyms, method)
}

/// The truth of each pseudonym under this module's policy: the majority true
/// author of its documents, ties to the lower author index. Returns the truth
/// per pseudonym and the number of pseudonyms with more than one true author.
/// `pseudonym[doc]` and `true_author[doc]` pair up; a pseudonym without
/// documents gets author 0 (callers check that every pseudonym has one).
pub fn pseudonym_truth(
    pseudonym: &[usize],
    true_author: &[usize],
    n_pseudonyms: usize,
) -> (Vec<usize>, usize) {
    let mut votes: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); n_pseudonyms];
    for (&p, &a) in pseudonym.iter().zip(true_author) {
        *votes[p].entry(a).or_insert(0) += 1;
    }
    let shared = votes.iter().filter(|v| v.len() > 1).count();
    let truth = votes
        .iter()
        .map(|v| {
            // Highest count; among equal counts the lower author index.
            v.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or(0, |(&a, _)| a)
        })
        .collect();
    (truth, shared)
}

/// Pseudonyms x authors scores of the pseudonyms by `method`, from the fitted
/// `classifier`, the document feature rows `x` and their scores
/// `doc_scores` (= `classifier.scores(x)`, passed in so it is computed once).
pub fn pooled_scores(
    classifier: &dyn AuthorshipModel,
    x: &Array2<f64>,
    doc_scores: &Array2<f64>,
    pseudonym: &[usize],
    n_pseudonyms: usize,
    method: PoolingMethod,
) -> Result<Array2<f64>, StylometryError> {
    match method {
        PoolingMethod::SumScores => pool_scores(doc_scores, pseudonym, n_pseudonyms),
        PoolingMethod::AverageFeatures => {
            classifier.scores(&pool_features(x, pseudonym, n_pseudonyms)?)
        }
    }
}
