//! Open-set authorship attribution: a questioned document gets its
//! closed-set best candidate only when a pairwise verifier agrees that the
//! candidate wrote it; otherwise the answer is "none of the known authors".
//!
//! The rule (verification-thresholded attribution, as in the open-set
//! baselines of PAN 2019's cross-domain authorship attribution task, which
//! leave a document unattributed when the top candidate does not stand out;
//! Kestemont et al., "Overview of the Cross-Domain Authorship Attribution
//! Task at PAN 2019", CLEF 2019 Working Notes): the closed-set classifier's
//! best candidate `c` for document `d` is accepted iff the mean probability,
//! under the pairwise verifier of Weerasinghe & Greenstadt 2021
//! ([`super::pairwise`]) fitted on same/different-author pairs of the
//! training (known) writing, that `d` and each training document of `c` share
//! an author exceeds `threshold`. The verifier's probability is calibrated
//! on the known writing, so the default threshold 0.5 ("more likely the same
//! author than not") is chosen without looking at any test truth.
//!
//! It does not score the answers (that is `crate::eval::open_set`).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::pairwise::PairwiseParams;
use super::StylometryError;

/// Parameters of open-set attribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpenSetParams {
    /// The pairwise verifier fitted on the training documents.
    pub verifier: PairwiseParams,
    /// Accept the best candidate when its verification probability exceeds
    /// this. Default 0.5.
    pub threshold: f64,
}

impl Default for OpenSetParams {
    fn default() -> Self {
        OpenSetParams {
            verifier: PairwiseParams::default(),
            threshold: 0.5,
        }
    }
}

/// Open-set answers of a set of documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenSetAttribution {
    /// The closed-set best candidate of each document (ties to the lower
    /// index).
    pub candidate: Vec<usize>,
    /// The verification probability of each document against its candidate.
    pub verification: Vec<f64>,
    /// The answer: `Some(author)` when accepted, `None` for "none of the
    /// known authors".
    pub answer: Vec<Option<usize>>,
    /// The threshold applied.
    pub threshold: f64,
}

/// Open-set attribution of `test_texts` from their closed-set scores
/// (`closed_scores`: documents x authors, higher = more likely, from any
/// classifier fitted on the same training corpus) and the training
/// documents (`train_labels[i]` = author index of `train_texts[i]`).
pub fn open_set_attribute(
    closed_scores: &Array2<f64>,
    train_texts: &[String],
    train_labels: &[usize],
    test_texts: &[String],
    params: &OpenSetParams,
) -> Result<OpenSetAttribution, StylometryError> {
    if closed_scores.nrows() != test_texts.len() {
        return Err(StylometryError::Invalid(format!(
            "open set: {} score rows for {} test documents",
            closed_scores.nrows(),
            test_texts.len()
        )));
    }
    if train_texts.len() != train_labels.len() {
        return Err(StylometryError::Invalid(format!(
            "open set: {} training texts but {} labels",
            train_texts.len(),
            train_labels.len()
        )));
    }
    if let Some(&a) = train_labels.iter().find(|&&a| a >= closed_scores.ncols()) {
        return Err(StylometryError::Invalid(format!(
            "open set: training author {a} has no column among the {} scored authors",
            closed_scores.ncols()
        )));
    }
    if !(params.threshold.is_finite() && (0.0..1.0).contains(&params.threshold)) {
        return Err(StylometryError::Invalid(format!(
            "open set: threshold {} must lie in [0, 1)",
            params.threshold
        )));
    }
    let verifier = params.verifier.fit_corpus(train_texts, train_labels)?;
    let n_train = train_texts.len();
    let mut all: Vec<String> = train_texts.to_vec();
    all.extend_from_slice(test_texts);
    let vectors = verifier.vectors(&all)?;
    let mut candidate = Vec::with_capacity(test_texts.len());
    let mut verification = Vec::with_capacity(test_texts.len());
    let mut answer = Vec::with_capacity(test_texts.len());
    for (d, row) in closed_scores.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| v.is_nan()) {
            return Err(StylometryError::Invalid(format!(
                "open set: document {d}, author {j}: the closed-set score is NaN"
            )));
        }
        let best = super::ranking::top_ranked(row, 1)
            .first()
            .copied()
            .unwrap_or(0);
        let pairs: Vec<(usize, usize)> = train_labels
            .iter()
            .enumerate()
            .filter(|(_, &a)| a == best)
            .map(|(i, _)| (n_train + d, i))
            .collect();
        let p = if pairs.is_empty() {
            0.0
        } else {
            let probs = verifier.probabilities_of_rows(&vectors, &pairs)?;
            probs.iter().sum::<f64>() / probs.len() as f64
        };
        candidate.push(best);
        verification.push(p);
        answer.push((p > params.threshold).then_some(best));
    }
    Ok(OpenSetAttribution {
        candidate,
        verification,
        answer,
        threshold: params.threshold,
    })
}
