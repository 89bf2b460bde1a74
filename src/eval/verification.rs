//! Scoring of authorship verification trials ("is this document by author
//! A?"): c@1, the PAN decision rule, the ROC/EER/c@1 summary, and the epsilon
//! lower bound the trials imply.
//!
//! The trials themselves (one score per document x candidate pair, labelled
//! same-author or not) come from `crate::attacks::stylometry::verification`,
//! which computes scores and nothing else; everything that turns them into
//! figures is here or in [`super::roc`] and [`super::epsilon`].

use serde::{Deserialize, Serialize};

use super::epsilon::{epsilon_lower_bound, EpsilonLowerBound, ThresholdSelection};
use super::roc::{equal_error_rate, roc_curve, EqualErrorRate, RocCurve};
use super::EvalError;
use crate::attacks::stylometry::verification::VerificationTrials;

/// c@1 (Peñas & Rodrigo 2011): `(n_correct + n_unanswered * n_correct / n) / n`.
///
/// `decisions[i]` is `Some(answer)` or `None` (left unanswered); `truth[i]` is
/// the correct answer. Unanswered cases earn the accuracy shown on the whole
/// set, so abstaining beats guessing wrong.
pub fn c_at_1(decisions: &[Option<bool>], truth: &[bool]) -> Result<f64, EvalError> {
    if decisions.len() != truth.len() {
        return Err(EvalError::Invalid(format!(
            "{} decisions but {} true answers; they must pair up one to one",
            decisions.len(),
            truth.len()
        )));
    }
    if truth.is_empty() {
        return Err(EvalError::Invalid("c@1 of zero problems".into()));
    }
    let n = truth.len() as f64;
    let correct = decisions
        .iter()
        .zip(truth)
        .filter(|(d, t)| **d == Some(**t))
        .count() as f64;
    let unanswered = decisions.iter().filter(|d| d.is_none()).count() as f64;
    Ok((correct + unanswered * correct / n) / n)
}

/// Decisions from scores: "yes" when `score > threshold + margin`, "no" when
/// `score < threshold - margin`, unanswered otherwise (PAN convention:
/// threshold 0.5, margin 0, so exactly 0.5 is a non-answer).
pub fn decide(scores: &[f64], threshold: f64, margin: f64) -> Vec<Option<bool>> {
    scores
        .iter()
        .map(|&s| {
            if s > threshold + margin {
                Some(true)
            } else if s < threshold - margin {
                Some(false)
            } else {
                None
            }
        })
        .collect()
}

/// ROC, AUC, EER and c@1 of a set of verification trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// The ROC curve (with AUC).
    pub roc: RocCurve,
    /// Equal error rate.
    pub eer: EqualErrorRate,
    /// c@1 of deciding at the EER threshold (`score >= threshold` = yes, no
    /// abstentions), i.e. plain accuracy at that operating point.
    pub c_at_1_at_eer_threshold: f64,
}

/// ROC, AUC, EER and c@1 (at the EER threshold) of `trials`.
pub fn evaluate_verification(trials: &VerificationTrials) -> Result<VerificationReport, EvalError> {
    let roc = roc_curve(&trials.scores, &trials.same_author)?;
    let eer = equal_error_rate(&roc)?;
    let decisions: Vec<Option<bool>> = trials
        .scores
        .iter()
        .map(|&s| Some(s >= eer.threshold))
        .collect();
    let c = c_at_1(&decisions, &trials.same_author)?;
    Ok(VerificationReport {
        roc,
        eer,
        c_at_1_at_eer_threshold: c,
    })
}

/// The epsilon lower bound ([`super::epsilon::epsilon_lower_bound`]) that a
/// verifier's trials imply, with "same author" as the "member" hypothesis.
///
/// Meaning: if a release were `(eps, delta)`-DP with respect to which author
/// wrote a document, no test could tell "written by A" from "not written by
/// A" better than the DP trade-off allows; a verifier that does so bounds
/// `eps` from below. The bound's Clopper-Pearson intervals assume
/// independent trials; trials built from one score matrix share documents, so
/// for a strict audit use one trial per document
/// ([`VerificationTrials::one_per_document`]).
pub fn verification_epsilon_lower_bound(
    trials: &VerificationTrials,
    delta: f64,
    confidence: f64,
    selection: ThresholdSelection,
) -> Result<EpsilonLowerBound, EvalError> {
    let (scores, is_member) = trials.epsilon_inputs();
    epsilon_lower_bound(scores, is_member, delta, confidence, selection)
}
