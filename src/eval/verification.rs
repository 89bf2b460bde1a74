//! Scoring of authorship verification trials ("is this document by author
//! A?"): c@1, the PAN decision rule, the ROC/EER/c@1 summary, the epsilon
//! lower bound the trials imply, and the PAN 2020/2021 verification measures
//! ([`pan_scores`]).
//!
//! The PAN measures follow the official evaluator of the PAN 2020 and 2021
//! authorship verification tasks (`pan20_verif_evaluator.py` in
//! github.com/pan-webis-de/pan-code, the `clef21/authorship-verification`
//! copy, which added the Brier score and fixed F0.5u's non-answers; Kestemont
//! et al., "Overview of the Cross-Domain Authorship Verification Task at PAN
//! 2020", CLEF 2020 Working Notes). Every answer is a probability in [0, 1]
//! that the two texts share an author; exactly 0.5 is a non-answer.
//!
//! * AUC: area under the ROC curve of all answers, non-answers included
//!   (ties count half, as scikit-learn's `roc_auc_score`).
//! * c@1 (Peñas & Rodrigo 2011): `(nc + nu * nc / n) / n`, answers > 0.5
//!   read as "same", < 0.5 as "different".
//! * F0.5u (Bevendorff et al. 2019, "Generalizing Unmasking for Short
//!   Texts", NAACL): `1.25 tp / (1.25 tp + 0.25 (fn + nu) + fp)`, so a
//!   non-answer costs as a false negative.
//! * F1: the F1 of "same" on the answered problems only.
//! * Brier: the complement `1 - mean((answer - truth)^2)` over all problems.
//! * overall: the mean of the five.
//!
//! Where the official script returns 0.0 instead of failing (AUC of one
//! class, F1 with no "same" answer and no "same" truth) [`pan_scores`] does
//! the same, so figures compare one to one; where it would divide by zero
//! (F0.5u with no positive truth, no "same" answer and no non-answer) the
//! figure is 0.0 here. The official script rounds to three digits when it
//! prints; these are unrounded.
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

/// The PAN 2020/2021 authorship verification measures of one set of answers
/// (see the module documentation for the definitions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanScores {
    /// Area under the ROC curve (0.0 when the truth has one class, as the
    /// official script).
    pub auc: f64,
    /// c@1.
    pub c_at_1: f64,
    /// F0.5u.
    pub f_05_u: f64,
    /// F1 of "same" on the answered problems.
    pub f1: f64,
    /// The complement of the Brier score, `1 - mean((answer - truth)^2)`.
    pub brier: f64,
    /// Mean of the five.
    pub overall: f64,
    /// Problems scored.
    pub problems: usize,
    /// Problems answered (answer not exactly 0.5).
    pub answered: usize,
}

impl PanScores {
    /// The PAN 2020 overall score: the mean of AUC, c@1, F0.5u and F1 (the
    /// PAN 2020 evaluator has no Brier term), rounded to 3 digits as that
    /// evaluator's `evaluate_all` returns it. The PAN 2020 baselines' score
    /// shift is fitted on it.
    pub fn pan20_overall(&self) -> f64 {
        let mean = (self.auc + self.c_at_1 + self.f_05_u + self.f1) / 4.0;
        (mean * 1000.0).round() / 1000.0
    }
}

/// The PAN 2020/2021 verification measures of `answers` (probabilities in
/// [0, 1] that a pair shares an author; exactly 0.5 = no answer) against
/// `truth` (`true` = same author). Problems the system did not answer must
/// be given as 0.5, as the official evaluator does.
pub fn pan_scores(answers: &[f64], truth: &[bool]) -> Result<PanScores, EvalError> {
    if answers.len() != truth.len() {
        return Err(EvalError::LengthMismatch {
            left_name: "answers".into(),
            left: answers.len(),
            right_name: "truth".into(),
            right: truth.len(),
        });
    }
    if truth.is_empty() {
        return Err(EvalError::Invalid(
            "PAN scores of zero problems: give at least one answer".into(),
        ));
    }
    if let Some(i) = answers
        .iter()
        .position(|a| !a.is_finite() || !(0.0..=1.0).contains(a))
    {
        return Err(EvalError::Invalid(format!(
            "answer {i} is {}; PAN answers are probabilities in [0, 1] (0.5 = no answer)",
            answers[i]
        )));
    }
    let n = truth.len() as f64;
    let has_both = truth.iter().any(|&t| t) && truth.iter().any(|&t| !t);
    let auc = if has_both {
        super::roc::auc(answers, truth)?
    } else {
        0.0
    };
    let decisions = decide(answers, 0.5, 0.0);
    let c_at_1 = c_at_1(&decisions, truth)?;
    let (mut tp, mut fp, mut fn_, mut nu) = (0usize, 0usize, 0usize, 0usize);
    for (d, &t) in decisions.iter().zip(truth) {
        match (d, t) {
            (None, _) => nu += 1,
            (Some(true), true) => tp += 1,
            (Some(true), false) => fp += 1,
            (Some(false), true) => fn_ += 1,
            (Some(false), false) => {}
        }
    }
    let f05_den = 1.25 * tp as f64 + 0.25 * (fn_ + nu) as f64 + fp as f64;
    let f_05_u = if f05_den > 0.0 {
        1.25 * tp as f64 / f05_den
    } else {
        0.0
    };
    // F1 on the answered problems: 2 tp / (2 tp + fp + fn), 0 when undefined
    // (scikit-learn's zero_division default).
    let f1_den = 2 * tp + fp + fn_;
    let f1 = if f1_den > 0 {
        2.0 * tp as f64 / f1_den as f64
    } else {
        0.0
    };
    let brier = 1.0
        - answers
            .iter()
            .zip(truth)
            .map(|(&a, &t)| (a - f64::from(u8::from(t))).powi(2))
            .sum::<f64>()
            / n;
    Ok(PanScores {
        auc,
        c_at_1,
        f_05_u,
        f1,
        brier,
        overall: (auc + c_at_1 + f_05_u + f1 + brier) / 5.0,
        problems: truth.len(),
        answered: truth.len() - nu,
    })
}

#[cfg(test)]
mod pan_tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn pan_scores_by_hand_with_a_non_answer_and_a_tie() {
        // truth:   1    1    1    0    0    0
        // answer: 0.9  0.5  0.3  0.5  0.2  0.9
        // decisions: yes, none, no, none, no, yes
        // tp = 1 (0.9/1), fn = 1 (0.3/1), fp = 1 (0.9/0), tn = 1 (0.2/0), nu = 2.
        let truth = [true, true, true, false, false, false];
        let answers = [0.9, 0.5, 0.3, 0.5, 0.2, 0.9];
        let s = pan_scores(&answers, &truth).unwrap();
        // AUC: 9 positive/negative pairs. P0.9 vs N0.5 win, N0.2 win, N0.9 tie
        // -> 2.5; P0.5 vs N0.5 tie, N0.2 win, N0.9 lose -> 1.5; P0.3 vs N0.5
        // lose, N0.2 win, N0.9 lose -> 1. (2.5 + 1.5 + 1) / 9 = 5/9.
        close(s.auc, 5.0 / 9.0);
        // c@1: nc = 2 (tp + tn), nu = 2, n = 6: (2 + 2 * 2 / 6) / 6 = 4/9.
        close(s.c_at_1, (2.0 + 2.0 * 2.0 / 6.0) / 6.0);
        // F0.5u: 1.25 / (1.25 + 0.25 (1 + 2) + 1) = 1.25 / 3.
        close(s.f_05_u, 1.25 / 3.0);
        // F1 on the 4 answered: 2 / (2 + 1 + 1) = 0.5.
        close(s.f1, 0.5);
        // Brier: squared errors .01 .25 .49 .25 .04 .81 = 1.85; 1 - 1.85 / 6.
        close(s.brier, 1.0 - 1.85 / 6.0);
        close(
            s.overall,
            (5.0 / 9.0 + 4.0 / 9.0 + 1.25 / 3.0 + 0.5 + 1.0 - 1.85 / 6.0) / 5.0,
        );
        assert_eq!((s.problems, s.answered), (6, 4));
    }

    #[test]
    fn pan_scores_all_unanswered_and_one_class() {
        // Every answer 0.5: c@1 = 0 (nc = 0), F0.5u = 0 / (0.25 * 2) = 0,
        // F1 undefined -> 0, Brier = 1 - 0.25 = 0.75, AUC = 0.5 (all tied).
        let s = pan_scores(&[0.5, 0.5], &[true, false]).unwrap();
        close(s.auc, 0.5);
        close(s.c_at_1, 0.0);
        close(s.f_05_u, 0.0);
        close(s.f1, 0.0);
        close(s.brier, 0.75);
        assert_eq!(s.answered, 0);
        // One class: AUC is 0.0 as in the official script; the rest as usual.
        // answers 1.0, 0.0 on truth 1, 1: tp = 1, fn = 1: c@1 = 1/2,
        // F0.5u = 1.25 / (1.25 + 0.25) = 5/6, F1 = 2 / 3, Brier = 1 - 1/2.
        let s = pan_scores(&[1.0, 0.0], &[true, true]).unwrap();
        close(s.auc, 0.0);
        close(s.c_at_1, 0.5);
        close(s.f_05_u, 1.25 / 1.5);
        close(s.f1, 2.0 / 3.0);
        close(s.brier, 0.5);
    }

    #[test]
    fn pan_scores_perfect_and_errors() {
        let s = pan_scores(&[1.0, 0.0, 1.0], &[true, false, true]).unwrap();
        for v in [s.auc, s.c_at_1, s.f_05_u, s.f1, s.brier, s.overall] {
            close(v, 1.0);
        }
        assert!(pan_scores(&[1.2], &[true]).is_err());
        assert!(pan_scores(&[f64::NAN], &[true]).is_err());
        assert!(pan_scores(&[0.1, 0.2], &[true]).is_err());
        assert!(pan_scores(&[], &[]).is_err());
    }
}
