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
//! [`evaluate_pooling`] reports document-level and pseudonym-level accuracy
//! side by side plus each pseudonym's top-k candidates, so a report can show
//! how much a stable pseudonym costs its author. This module does not fit
//! classifiers, extract features, or map pseudonym strings to indices.

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::{AuthorshipModel, StylometryError};

/// How a pseudonym's documents are combined before attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolingMethod {
    /// Sum the per-document scores (log-probabilities: joint log-likelihood).
    SumScores,
    /// Average the documents' feature vectors and score the mean profile once.
    AverageFeatures,
}

fn check_pseudonyms(
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
    match method {
        PoolingMethod::SumScores => {
            check_pseudonyms(x.nrows(), pseudonym, n_pseudonyms)?;
            let s = classifier.scores(x)?;
            pool_scores(&s, pseudonym, n_pseudonyms)
        }
        PoolingMethod::AverageFeatures => {
            let profiles = pool_features(x, pseudonym, n_pseudonyms)?;
            classifier.scores(&profiles)
        }
    }
}

/// One candidate author and its pooled score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankedAuthor {
    /// Author index.
    pub author: usize,
    /// Pooled score (higher = more likely).
    pub score: f64,
}

/// The attack's result for one pseudonym.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PseudonymAttribution {
    /// Pseudonym index.
    pub pseudonym: usize,
    /// Number of release documents carrying it.
    pub documents: usize,
    /// The author who really wrote its documents.
    pub true_author: usize,
    /// The `k` best-scoring authors, best first (ties: lower index first).
    pub top: Vec<RankedAuthor>,
    /// 1-based rank of the true author among all candidates (1 = attributed).
    pub true_author_rank: usize,
}

/// Document-level versus pseudonym-level attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolingReport {
    /// Pooling method used.
    pub method: PoolingMethod,
    /// Release documents attributed.
    pub n_documents: usize,
    /// Pseudonyms attributed.
    pub n_pseudonyms: usize,
    /// Candidate authors.
    pub n_authors: usize,
    /// Share of documents whose best-scoring author is their author.
    pub document_accuracy: f64,
    /// Share of pseudonyms whose best-scoring author is their author.
    pub pseudonym_accuracy: f64,
    /// Share of documents whose author is among the top `i + 1` (i = 0..k).
    pub document_top_k_accuracy: Vec<f64>,
    /// Share of pseudonyms whose author is among the top `i + 1` (i = 0..k).
    pub pseudonym_top_k_accuracy: Vec<f64>,
    /// Chance level of top-1 accuracy (1 / candidate authors).
    pub chance: f64,
    /// Per-pseudonym top-k.
    pub pseudonyms: Vec<PseudonymAttribution>,
}

/// Authors ordered by descending score (ties: lower index first).
fn ranking(row: ArrayView1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
    order
}

fn top_k_accuracy(scores: &Array2<f64>, truth: &[usize], k: usize) -> Vec<f64> {
    let mut hits = vec![0usize; k];
    for (row, &t) in scores.rows().into_iter().zip(truth) {
        let rank = ranking(row)
            .iter()
            .position(|&a| a == t)
            .unwrap_or(usize::MAX);
        for (i, h) in hits.iter_mut().enumerate() {
            if rank <= i {
                *h += 1;
            }
        }
    }
    hits.iter()
        .map(|&h| h as f64 / truth.len() as f64)
        .collect()
}

/// Attributes every release document and every pseudonym with a fitted
/// classifier and reports both accuracies and each pseudonym's top `k`.
///
/// `true_author[doc]` is the ground truth (from the experiment's truth key).
/// A pseudonym's true author is the author of its documents; documents of one
/// pseudonym by different authors are an error, since the attack assumes one
/// pseudonym per author.
pub fn evaluate_pooling(
    classifier: &dyn AuthorshipModel,
    x: &Array2<f64>,
    pseudonym: &[usize],
    n_pseudonyms: usize,
    true_author: &[usize],
    method: PoolingMethod,
    k: usize,
) -> Result<PoolingReport, StylometryError> {
    let count = check_pseudonyms(x.nrows(), pseudonym, n_pseudonyms)?;
    if true_author.len() != x.nrows() {
        return Err(StylometryError::Invalid(format!(
            "{} documents but {} true authors; they must pair up row by row",
            x.nrows(),
            true_author.len()
        )));
    }
    if k == 0 {
        return Err(StylometryError::Invalid("top-k needs k >= 1".into()));
    }
    let mut pseudonym_author: Vec<Option<usize>> = vec![None; n_pseudonyms];
    for (doc, (&p, &a)) in pseudonym.iter().zip(true_author).enumerate() {
        match pseudonym_author[p] {
            None => pseudonym_author[p] = Some(a),
            Some(b) if b != a => {
                return Err(StylometryError::Invalid(format!(
                    "pseudonym {p} has documents by authors {b} and {a} (document {doc}); pooling assumes one author per pseudonym"
                )))
            }
            Some(_) => {}
        }
    }
    // Every pseudonym has a document (checked), so every entry is Some.
    let pseudonym_truth: Vec<usize> = pseudonym_author.into_iter().flatten().collect();

    let doc_scores = classifier.scores(x)?;
    let n_authors = doc_scores.ncols();
    if let Some((doc, &a)) = true_author
        .iter()
        .enumerate()
        .find(|(_, &a)| a >= n_authors)
    {
        return Err(StylometryError::Invalid(format!(
            "document {doc}: true author {a} is outside the {n_authors} candidate authors the classifier scores"
        )));
    }
    let pooled = match method {
        PoolingMethod::SumScores => pool_scores(&doc_scores, pseudonym, n_pseudonyms)?,
        PoolingMethod::AverageFeatures => {
            classifier.scores(&pool_features(x, pseudonym, n_pseudonyms)?)?
        }
    };
    let k = k.min(n_authors);
    let document_top_k_accuracy = top_k_accuracy(&doc_scores, true_author, k);
    let pseudonym_top_k_accuracy = top_k_accuracy(&pooled, &pseudonym_truth, k);
    let pseudonyms = pooled
        .rows()
        .into_iter()
        .enumerate()
        .map(|(p, row)| {
            let order = ranking(row);
            let truth = pseudonym_truth[p];
            PseudonymAttribution {
                pseudonym: p,
                documents: count[p],
                true_author: truth,
                top: order
                    .iter()
                    .take(k)
                    .map(|&a| RankedAuthor {
                        author: a,
                        score: row[a],
                    })
                    .collect(),
                true_author_rank: order.iter().position(|&a| a == truth).map_or(0, |r| r + 1),
            }
        })
        .collect();
    Ok(PoolingReport {
        method,
        n_documents: x.nrows(),
        n_pseudonyms,
        n_authors,
        document_accuracy: document_top_k_accuracy[0],
        pseudonym_accuracy: pseudonym_top_k_accuracy[0],
        document_top_k_accuracy,
        pseudonym_top_k_accuracy,
        chance: 1.0 / n_authors as f64,
        pseudonyms,
    })
}
