//! Lower bounds on epsilon from membership-attack outcomes, and the claim check.
//!
//! This is scoring, so it lives in `eval`: an attack (stylometric verification,
//! a membership test) or a black-box mechanism run (`crate::dp::audit`)
//! produces raw trials, a score and a label per trial, and this module turns
//! them into a bound. Neither `attacks` nor `dp` calls it; their callers (CLI,
//! audit, examples) do.
//!
//! An `(eps, delta)`-DP mechanism limits every test that tells two
//! neighbouring datasets apart: its false-positive rate `FPR` and
//! false-negative rate `FNR` satisfy `FPR + e^eps FNR >= 1 - delta` and
//! `FNR + e^eps FPR >= 1 - delta` (Kairouz, Oh & Viswanath 2015). Any observed
//! test therefore gives
//!
//! ```text
//! eps >= max( ln((1 - delta - FPR) / FNR), ln((1 - delta - FNR) / FPR) ).
//! ```
//!
//! Following Jagielski, Ullman & Oprea (2020, "Auditing Differentially Private
//! Machine Learning: How Private is Private SGD?") and Nasr, Song, Thakurta,
//! Papernot & Carlini (2021, "Adversary Instantiation: Lower Bounds for
//! Differentially Private Machine Learning"), the rates are replaced by
//! one-sided Clopper-Pearson (1934) upper bounds, each at confidence
//! `1 - alpha/2`, so the bound holds with probability at least `1 - alpha`.
//!
//! The attack yields a score per trial (higher = "member"); each threshold `t`
//! gives a test "member iff score >= t". Maximising over thresholds on the same
//! data would overstate the bound, so either the threshold is chosen on a
//! held-out part of the trials and the bound is computed on the rest
//! ([`ThresholdSelection::HeldOut`]; on the selection part thresholds are
//! ranked by their bound at the Bonferroni level, which keeps the choice away
//! from far-tail thresholds that only looked good by luck), or all thresholds are evaluated with a
//! Bonferroni-corrected level `alpha / m` ([`ThresholdSelection::Bonferroni`]).
//!
//! The same test also bounds the Gaussian-DP parameter: a `mu`-GDP mechanism
//! has `FNR >= Phi(Phi^-1(1 - FPR) - mu)` (Dong, Roth & Su 2019), so
//! `mu >= Phi^-1(1 - FPR) - Phi^-1(FNR)` (and symmetrically).
//!
//! A claim `(eps, delta)` is refuted only when the lower bound at the stated
//! confidence exceeds `eps`; otherwise it is "not refuted". More trials are
//! said to be able to refute it only when the chosen test puts epsilon above
//! the claim at even odds (its bound at 50% confidence, which stays finite
//! when a count is 0) and at its observed rates; the number given is then a
//! conditional projection (*if* the true rates are the observed ones) and the
//! message says the data are still consistent with the claim. When the
//! observed rates imply an epsilon at or below the claim (an honest
//! mechanism, a weak attack) it says more trials of this attack cannot be
//! expected to refute the claim; when only the point estimate lies above the
//! claim (typically a far-tail threshold whose zero false positives may be
//! luck) it says the errors seen are too few to tell, and gives no number.
//!
//! Why this file is long: about 55 of its lines are tests, and the bound, its
//! threshold selection and the claim check share the Clopper-Pearson step.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use statrs::distribution::{ContinuousCDF, Normal};

use super::rate::Rate;
use super::EvalError;

/// Checks `0 <= delta < 1`.
fn check_delta(delta: f64) -> Result<(), EvalError> {
    if delta.is_finite() && (0.0..1.0).contains(&delta) {
        Ok(())
    } else {
        Err(EvalError::Range {
            name: "delta".into(),
            value: delta.to_string(),
            requirement: "must satisfy 0 <= delta < 1 (delta >= 1 promises nothing)".into(),
        })
    }
}

/// Checks that a confidence level lies strictly between 0 and 1.
fn check_confidence(confidence: f64) -> Result<(), EvalError> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(EvalError::Range {
            name: "confidence".into(),
            value: confidence.to_string(),
            requirement: "must lie strictly between 0 and 1, e.g. 0.95".into(),
        })
    }
}

/// Standard normal quantile; `-inf` at 0 and `+inf` at 1.
fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        Normal::standard().inverse_cdf(p)
    }
}

/// Errors of one test: false positives among non-member trials and false
/// negatives among member trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// Non-member trials called "member".
    pub false_positives: u64,
    /// Non-member trials.
    pub negatives: u64,
    /// Member trials called "non-member".
    pub false_negatives: u64,
    /// Member trials.
    pub positives: u64,
}

/// The bounds one test (one set of error counts) gives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CountsBound {
    /// Lower bound on epsilon at the requested confidence (>= 0).
    pub epsilon_lower: f64,
    /// The same formula at the observed rates (no confidence; may be infinite).
    pub epsilon_point: f64,
    /// The lower bound at 50% confidence (each rate at its one-sided
    /// Clopper-Pearson upper bound at 75%): finite even when a count is 0.
    /// The "more trials would refute it" projection is given only when this
    /// exceeds the claim (see [`ClaimCheck::trials_to_decide`]).
    pub epsilon_lower_half: f64,
    /// Observed false-positive rate.
    pub fpr: f64,
    /// Observed false-negative rate.
    pub fnr: f64,
    /// Clopper-Pearson upper bound on FPR at `1 - alpha/2`.
    pub fpr_upper: f64,
    /// Clopper-Pearson upper bound on FNR at `1 - alpha/2`.
    pub fnr_upper: f64,
    /// Lower bound on the Gaussian-DP `mu` (>= 0).
    pub mu_lower: f64,
    /// `mu` at the observed rates (may be infinite).
    pub mu_point: f64,
}

/// The epsilon at which `(fpr, fnr)` lies on the `(eps, delta)`-DP
/// trade-off boundary (module docs; 0 when nothing is implied, infinite when
/// an error rate is 0).
pub(crate) fn eps_from_rates(fpr: f64, fnr: f64, delta: f64) -> f64 {
    let one = |num: f64, den: f64| {
        if num <= 0.0 {
            0.0
        } else if den <= 0.0 {
            f64::INFINITY
        } else {
            (num / den).ln()
        }
    };
    one(1.0 - delta - fpr, fnr)
        .max(one(1.0 - delta - fnr, fpr))
        .max(0.0)
}

fn mu_from_rates(fpr: f64, fnr: f64) -> f64 {
    let a = normal_quantile(1.0 - fpr) - normal_quantile(fnr);
    let b = normal_quantile(1.0 - fnr) - normal_quantile(fpr);
    let m = a.max(b);
    if m.is_nan() {
        0.0
    } else {
        m.max(0.0)
    }
}

/// The epsilon and GDP-`mu` lower bounds from one test's error counts, at
/// confidence `confidence` (each rate bounded at `1 - (1 - confidence) / 2`).
pub fn epsilon_lower_bound_from_counts(
    counts: &ErrorCounts,
    delta: f64,
    confidence: f64,
) -> Result<CountsBound, EvalError> {
    check_delta(delta)?;
    check_confidence(confidence)?;
    if counts.negatives == 0 || counts.positives == 0 {
        return Err(EvalError::Range {
            name: "trials".into(),
            value: format!(
                "{} non-member, {} member",
                counts.negatives, counts.positives
            ),
            requirement: "a bound needs at least one member and one non-member trial".into(),
        });
    }
    let each = 1.0 - (1.0 - confidence) / 2.0;
    let fpr_upper = Rate::count(counts.false_positives, counts.negatives)
        .clopper_pearson_upper(each, "false-positive rate")?;
    let fnr_upper = Rate::count(counts.false_negatives, counts.positives)
        .clopper_pearson_upper(each, "false-negative rate")?;
    let fpr_half = Rate::count(counts.false_positives, counts.negatives)
        .clopper_pearson_upper(0.75, "false-positive rate")?;
    let fnr_half = Rate::count(counts.false_negatives, counts.positives)
        .clopper_pearson_upper(0.75, "false-negative rate")?;
    let fpr = counts.false_positives as f64 / counts.negatives as f64;
    let fnr = counts.false_negatives as f64 / counts.positives as f64;
    Ok(CountsBound {
        epsilon_lower: eps_from_rates(fpr_upper, fnr_upper, delta),
        epsilon_point: eps_from_rates(fpr, fnr, delta),
        epsilon_lower_half: eps_from_rates(fpr_half, fnr_half, delta),
        fpr,
        fnr,
        fpr_upper,
        fnr_upper,
        mu_lower: mu_from_rates(fpr_upper, fnr_upper),
        mu_point: mu_from_rates(fpr, fnr),
    })
}

/// How the decision threshold is chosen without overstating the bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ThresholdSelection {
    /// Choose the threshold on a seeded, label-stratified `fraction` of the
    /// trials; compute the bound on the rest.
    HeldOut {
        /// Share of trials used to pick the threshold (0 < fraction < 1).
        fraction: f64,
        /// Seed of the split.
        seed: u64,
    },
    /// Use all trials and every threshold at level `alpha / m` (m thresholds).
    Bonferroni,
}

impl Default for ThresholdSelection {
    /// Held-out selection on half of the trials, seed 0.
    fn default() -> Self {
        ThresholdSelection::HeldOut {
            fraction: 0.5,
            seed: 0,
        }
    }
}

/// The lower bound on epsilon from attack scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpsilonLowerBound {
    /// Lower bound on epsilon, valid at `confidence`.
    pub epsilon_lower: f64,
    /// The chosen test's epsilon at the observed rates (not a bound).
    pub epsilon_point: f64,
    /// Lower bound on the Gaussian-DP `mu` (threshold chosen for `mu`).
    pub mu_lower: f64,
    /// `mu` at the observed rates of the test chosen for `mu`.
    pub mu_point: f64,
    /// `mu_lower` turned into an epsilon at this bound's delta, valid only
    /// if the mechanism's trade-off curve is Gaussian (see [`GdpEpsilon`]).
    pub gaussian_tradeoff: GdpEpsilon,
    /// The threshold of the test giving `epsilon_lower` ("member" iff score >= threshold).
    pub threshold: f64,
    /// The threshold of the test giving `mu_lower`.
    pub mu_threshold: f64,
    /// That test's error counts on the evaluation trials.
    pub counts: ErrorCounts,
    /// Bounds of that test.
    pub test: CountsBound,
    /// Confidence of the bound.
    pub confidence: f64,
    /// Confidence each threshold's bound was computed at (lower than
    /// `confidence` only with Bonferroni).
    pub per_test_confidence: f64,
    /// The delta in the bound.
    pub delta: f64,
    /// How the threshold was chosen.
    pub selection: ThresholdSelection,
    /// Number of thresholds considered.
    pub thresholds_considered: usize,
    /// All trials.
    pub n_trials: usize,
    /// Trials used to choose the threshold (0 with Bonferroni).
    pub n_selection: usize,
    /// Trials the bound was computed on.
    pub n_evaluation: usize,
}

/// Sorted thresholds and the error counts of "member iff score >= t" at each.
fn sweep(scores: &[f64], is_member: &[bool], idx: &[usize]) -> Vec<(f64, ErrorCounts)> {
    let mut order: Vec<usize> = idx.to_vec();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let positives = idx.iter().filter(|&&i| is_member[i]).count() as u64;
    let negatives = idx.len() as u64 - positives;
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut out = Vec::new();
    let mut k = 0;
    while k < order.len() {
        let s = scores[order[k]];
        while k < order.len() && scores[order[k]] == s {
            if is_member[order[k]] {
                tp += 1;
            } else {
                fp += 1;
            }
            k += 1;
        }
        out.push((
            s,
            ErrorCounts {
                false_positives: fp,
                negatives,
                false_negatives: positives - tp,
                positives,
            },
        ));
    }
    out
}

/// Error counts of "member iff score >= threshold" on the trials `idx`.
fn counts_at(scores: &[f64], is_member: &[bool], idx: &[usize], threshold: f64) -> ErrorCounts {
    let mut c = ErrorCounts {
        false_positives: 0,
        negatives: 0,
        false_negatives: 0,
        positives: 0,
    };
    for &i in idx {
        let said_member = scores[i] >= threshold;
        if is_member[i] {
            c.positives += 1;
            c.false_negatives += u64::from(!said_member);
        } else {
            c.negatives += 1;
            c.false_positives += u64::from(said_member);
        }
    }
    c
}

fn best_by<F: Fn(&CountsBound) -> f64>(
    table: &[(f64, ErrorCounts)],
    delta: f64,
    confidence: f64,
    key: F,
) -> Result<(f64, ErrorCounts, CountsBound), EvalError> {
    let mut best: Option<(f64, ErrorCounts, CountsBound)> = None;
    for &(t, c) in table {
        let b = epsilon_lower_bound_from_counts(&c, delta, confidence)?;
        if best.as_ref().is_none_or(|(_, _, bb)| key(&b) > key(bb)) {
            best = Some((t, c, b));
        }
    }
    best.ok_or_else(|| EvalError::Invalid("no thresholds to evaluate".into()))
}

fn validate_scores(scores: &[f64], is_member: &[bool]) -> Result<(), EvalError> {
    if scores.len() != is_member.len() {
        return Err(EvalError::LengthMismatch {
            left_name: "scores".into(),
            left: scores.len(),
            right_name: "membership labels".into(),
            right: is_member.len(),
        });
    }
    if scores.is_empty() {
        return Err(EvalError::Range {
            name: "trials".into(),
            value: "0".into(),
            requirement: "at least one member and one non-member trial are needed".into(),
        });
    }
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(EvalError::Invalid(format!(
            "score of trial {} is NaN",
            i + 1
        )));
    }
    Ok(())
}

/// The epsilon lower bound from attack `scores` (higher = "member") and
/// labels (`true` = the trial ran on the dataset with the target), at
/// confidence `confidence` for a mechanism claimed `(eps, delta)`-DP.
pub fn epsilon_lower_bound(
    scores: &[f64],
    is_member: &[bool],
    delta: f64,
    confidence: f64,
    selection: ThresholdSelection,
) -> Result<EpsilonLowerBound, EvalError> {
    validate_scores(scores, is_member)?;
    check_delta(delta)?;
    check_confidence(confidence)?;
    match selection {
        ThresholdSelection::Bonferroni => {
            let all: Vec<usize> = (0..scores.len()).collect();
            let table = sweep(scores, is_member, &all);
            let m = table.len();
            let per_test = 1.0 - (1.0 - confidence) / m as f64;
            let (t, c, b) = best_by(&table, delta, per_test, |b| b.epsilon_lower)?;
            let (tm, _, bm) = best_by(&table, delta, per_test, |b| b.mu_lower)?;
            Ok(EpsilonLowerBound {
                epsilon_lower: b.epsilon_lower,
                epsilon_point: b.epsilon_point,
                mu_lower: bm.mu_lower,
                mu_point: bm.mu_point,
                gaussian_tradeoff: gdp_epsilon(bm.mu_lower, delta)?,
                threshold: t,
                mu_threshold: tm,
                counts: c,
                test: b,
                confidence,
                per_test_confidence: per_test,
                delta,
                selection,
                thresholds_considered: m,
                n_trials: scores.len(),
                n_selection: 0,
                n_evaluation: scores.len(),
            })
        }
        ThresholdSelection::HeldOut { fraction, seed } => {
            if !(fraction > 0.0 && fraction < 1.0) {
                return Err(EvalError::Range {
                    name: "held-out fraction".into(),
                    value: fraction.to_string(),
                    requirement: "must lie strictly between 0 and 1".into(),
                });
            }
            let (select, evaluate) = stratified_split(is_member, fraction, seed)?;
            let table = sweep(scores, is_member, &select);
            // Rank thresholds on the selection trials by their bound at the
            // Bonferroni level: this penalizes thresholds in the far tails,
            // whose few errors on the selection trials are mostly luck, and
            // so picks tests that hold up on the evaluation trials. (Any
            // rule that does not look at the evaluation trials keeps the
            // final bound valid.)
            let select_level = 1.0 - (1.0 - confidence) / table.len() as f64;
            let (t, _, _) = best_by(&table, delta, select_level, |b| b.epsilon_lower)?;
            let (tm, _, _) = best_by(&table, delta, select_level, |b| b.mu_lower)?;
            let c = counts_at(scores, is_member, &evaluate, t);
            let b = epsilon_lower_bound_from_counts(&c, delta, confidence)?;
            let cm = counts_at(scores, is_member, &evaluate, tm);
            let bm = epsilon_lower_bound_from_counts(&cm, delta, confidence)?;
            Ok(EpsilonLowerBound {
                epsilon_lower: b.epsilon_lower,
                epsilon_point: b.epsilon_point,
                mu_lower: bm.mu_lower,
                mu_point: bm.mu_point,
                gaussian_tradeoff: gdp_epsilon(bm.mu_lower, delta)?,
                threshold: t,
                mu_threshold: tm,
                counts: c,
                test: b,
                confidence,
                per_test_confidence: confidence,
                delta,
                selection,
                thresholds_considered: table.len(),
                n_trials: scores.len(),
                n_selection: select.len(),
                n_evaluation: evaluate.len(),
            })
        }
    }
}

/// Splits trial indices into (selection, evaluation), stratified by label,
/// with a seeded shuffle.
fn stratified_split(
    is_member: &[bool],
    fraction: f64,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>), EvalError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut select = Vec::new();
    let mut evaluate = Vec::new();
    for label in [false, true] {
        let mut idx: Vec<usize> = (0..is_member.len())
            .filter(|&i| is_member[i] == label)
            .collect();
        if idx.len() < 2 {
            return Err(EvalError::Range {
                name: "trials".into(),
                value: format!(
                    "{} {} trials",
                    idx.len(),
                    if label { "member" } else { "non-member" }
                ),
                requirement: "held-out selection needs at least 2 member and 2 non-member trials (one to choose the threshold, one to evaluate it)".into(),
            });
        }
        idx.shuffle(&mut rng);
        let k = ((idx.len() as f64 * fraction).round() as usize).clamp(1, idx.len() - 1);
        select.extend_from_slice(&idx[..k]);
        evaluate.extend_from_slice(&idx[k..]);
    }
    Ok((select, evaluate))
}

/// The label every GDP-derived epsilon carries in reports.
pub const GAUSSIAN_TRADEOFF_ASSUMPTION: &str = "assumes the mechanism's trade-off curve is Gaussian (mu-GDP, Dong, Roth & Su 2022); the Clopper-Pearson bound assumes nothing";

/// An epsilon lower bound read off the trade-off curve under the assumption
/// that it is Gaussian.
///
/// Dong, Roth & Su (2022, "Gaussian Differential Privacy", JRSS-B) describe a
/// mechanism by its trade-off curve `f(FPR)` = the smallest FNR of any test
/// at that FPR; `mu`-GDP means `f >= G_mu`, `G_mu(a) = Phi(Phi^-1(1 - a) - mu)`.
/// Every observed test with Clopper-Pearson-corrected rates `(a, b)` lies on
/// or above the true curve, so if that curve is `G_mu` then
/// `mu >= Phi^-1(1 - a) - Phi^-1(b)`; the tightest such `mu` over the ROC is
/// [`EpsilonLowerBound::mu_lower`] (all thresholds at the Bonferroni level,
/// or the threshold chosen on held-out trials). Their Corollary 2.13 gives
/// the `(eps, delta)` curve of `mu`-GDP,
/// `delta(eps) = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2)`; solving it
/// at the claim's delta gives the epsilon a Gaussian trade-off with
/// `mu >= mu_lower` must have. This is much tighter than the Clopper-Pearson
/// bound when the mechanism really is Gaussian (DP-SGD, the Gaussian
/// mechanism) and can overstate epsilon when it is not (Laplace, randomized
/// response), which is why it is reported beside the rigorous bound, never
/// instead of it. At delta 0 a Gaussian trade-off with `mu > 0` has no
/// finite epsilon, so no epsilon is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GdpEpsilon {
    /// The GDP `mu` lower bound the epsilon comes from.
    pub mu_lower: f64,
    /// The delta the epsilon is read at.
    pub delta: f64,
    /// Epsilon at `delta` of a `mu_lower`-GDP mechanism; `None` at delta 0
    /// (no finite epsilon) or when `mu_lower` is 0 (no evidence).
    pub epsilon_lower: Option<f64>,
    /// [`GAUSSIAN_TRADEOFF_ASSUMPTION`].
    pub assumption: String,
}

/// The epsilon at `delta` of a `mu`-GDP mechanism (Dong, Roth & Su 2022,
/// Corollary 2.13), labelled with its assumption; see [`GdpEpsilon`].
pub fn gdp_epsilon(mu_lower: f64, delta: f64) -> Result<GdpEpsilon, EvalError> {
    check_delta(delta)?;
    if mu_lower.is_nan() || mu_lower < 0.0 {
        return Err(EvalError::Range {
            name: "mu".into(),
            value: mu_lower.to_string(),
            requirement: "must be >= 0".into(),
        });
    }
    let epsilon_lower = if delta == 0.0 || mu_lower == 0.0 {
        None
    } else {
        crate::dp::gaussian::epsilon_for_gdp(mu_lower, delta)
            .ok()
            .filter(|e| e.is_finite())
    };
    Ok(GdpEpsilon {
        mu_lower,
        delta,
        epsilon_lower,
        assumption: GAUSSIAN_TRADEOFF_ASSUMPTION.into(),
    })
}

/// A claimed privacy guarantee.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Claimed epsilon.
    pub epsilon: f64,
    /// Claimed delta (0 for pure DP).
    pub delta: f64,
}

/// The verdict on a DP claim from an epsilon lower bound: refuted or not
/// (a bound can never confirm a claim). Distinct from [`super::Verdict`]
/// (PASS / FAIL / INCONCLUSIVE of an audit claim), hence not re-exported at
/// the root of `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The lower bound at the stated confidence exceeds the claimed epsilon.
    Refuted,
    /// The evidence does not contradict the claim (which does not prove it).
    NotRefuted,
}

/// The result of checking a claim against attack outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimCheck {
    /// The claim checked.
    pub claim: Claim,
    /// The lower bound, computed at the claim's delta.
    pub bound: EpsilonLowerBound,
    /// Refuted iff `bound.epsilon_lower > claim.epsilon`.
    pub verdict: Verdict,
    /// When not refuted: the number of trials that, at the observed error
    /// rates of the chosen test, would make the bound exceed the claim
    /// (same selection split and, with Bonferroni, the same number of
    /// thresholds; continuous scores add thresholds as trials grow, so read
    /// it as an estimate).
    /// `None` when already refuted or when more trials cannot be expected
    /// to refute: the observed rates themselves, or the same test's bound at
    /// 50% confidence ([`CountsBound::epsilon_lower_half`]), put epsilon at
    /// or below the claim. When `Some`, it is a projection under the assumption that the
    /// true rates equal the observed ones, and the explanation says so.
    pub trials_to_decide: Option<u64>,
    /// A sentence for the report.
    pub explanation: String,
}

/// A verdict on a claim without the bound it came from (for embedding next
/// to a bound reported elsewhere, as in an audit result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimVerdict {
    /// The claim checked.
    pub claim: Claim,
    /// Refuted iff the lower bound exceeds the claimed epsilon.
    pub verdict: Verdict,
    /// See [`ClaimCheck::trials_to_decide`].
    pub trials_to_decide: Option<u64>,
    /// A sentence for the report.
    pub explanation: String,
}

impl ClaimCheck {
    /// The verdict without the bound.
    pub fn without_bound(&self) -> ClaimVerdict {
        ClaimVerdict {
            claim: self.claim,
            verdict: self.verdict,
            trials_to_decide: self.trials_to_decide,
            explanation: self.explanation.clone(),
        }
    }
}

/// Checks a claim against attack scores (see [`epsilon_lower_bound`]).
pub fn check_claim(
    claim: Claim,
    scores: &[f64],
    is_member: &[bool],
    confidence: f64,
    selection: ThresholdSelection,
) -> Result<ClaimCheck, EvalError> {
    if !(claim.epsilon.is_finite() && claim.epsilon >= 0.0) {
        return Err(EvalError::Range {
            name: "claimed epsilon".into(),
            value: claim.epsilon.to_string(),
            requirement: "must be a finite number >= 0".into(),
        });
    }
    let bound = epsilon_lower_bound(scores, is_member, claim.delta, confidence, selection)?;
    Ok(verdict_for(claim, bound))
}

/// Builds the verdict for a claim from a computed bound (whose delta must be
/// the claim's delta).
pub(crate) fn verdict_for(claim: Claim, bound: EpsilonLowerBound) -> ClaimCheck {
    let pct = bound.confidence * 100.0;
    if bound.epsilon_lower > claim.epsilon {
        let explanation = format!(
            "refuted: at {pct}% confidence epsilon >= {:.4}, above the claimed {} (delta {})",
            bound.epsilon_lower, claim.epsilon, claim.delta
        ) + &gdp_sentence(&bound, claim);
        return ClaimCheck {
            claim,
            bound,
            verdict: Verdict::Refuted,
            trials_to_decide: None,
            explanation,
        };
    }
    // A projection is offered only when the chosen test puts epsilon above
    // the claim at even odds (its bound at 50% confidence, finite at zero
    // counts): a test whose observed rates imply an epsilon at or below the
    // claim cannot refute it with more trials, and must not be told that it
    // would. (A far-tail threshold with no false positive has an infinite
    // point estimate that says little about the rates; an honest Laplace
    // mechanism produces such tests by chance.)
    let projected = bound.test.epsilon_lower_half.min(bound.epsilon_point);
    let needed = if projected > claim.epsilon {
        trials_to_refute(&bound.counts, claim, bound.per_test_confidence).map(|eval_trials| {
            // Scale evaluation trials up to all trials (held-out selection uses
            // a share of the trials for choosing the threshold).
            let scale = bound.n_trials as f64 / bound.n_evaluation as f64;
            (eval_trials as f64 * scale).ceil() as u64
        })
    } else {
        None
    };
    let explanation = match needed {
        Some(n) => format!(
            "not refuted: at {pct}% confidence epsilon >= {:.4}, not above the claimed {}. At 50% confidence the same test puts epsilon above the claim (>= {:.4}), but not at {pct}%, so these data are also consistent with a mechanism that meets the claim; only if the attack's true error rates equal the observed ones would about {n} trials refute it (a projection, not a finding: if the mechanism meets the claim, no number of trials of this attack will)",
            bound.epsilon_lower, claim.epsilon, projected
        ),
        None if bound.epsilon_point <= claim.epsilon => format!(
            "not refuted: at {pct}% confidence epsilon >= {:.4}; the observed error rates imply epsilon {:.4} <= claimed {}, so more trials of this attack cannot be expected to refute it (a stronger attack might)",
            bound.epsilon_lower, bound.epsilon_point, claim.epsilon
        ),
        None => format!(
            "not refuted: at {pct}% confidence epsilon >= {:.4}, not above the claimed {}; the observed error rates imply epsilon {:.4}, but even at 50% confidence the test only puts epsilon at {:.4} or more: too few errors were seen to tell a mechanism that meets the claim from one that does not, or to project a trial count",
            bound.epsilon_lower, claim.epsilon, bound.epsilon_point, bound.test.epsilon_lower_half
        ),
    };
    let explanation = explanation + &gdp_sentence(&bound, claim);
    ClaimCheck {
        claim,
        bound,
        verdict: Verdict::NotRefuted,
        trials_to_decide: needed,
        explanation,
    }
}

/// The sentence on the Gaussian-trade-off epsilon, when there is one.
fn gdp_sentence(bound: &EpsilonLowerBound, claim: Claim) -> String {
    match bound.gaussian_tradeoff.epsilon_lower {
        Some(e) => format!(
            ". If the mechanism's trade-off curve is Gaussian (an assumption, unlike the bound above), the same trials give mu >= {:.4} and so epsilon >= {e:.4} at delta {}{}",
            bound.gaussian_tradeoff.mu_lower,
            claim.delta,
            if e > claim.epsilon {
                ", above the claim"
            } else {
                ""
            }
        ),
        None => String::new(),
    }
}

/// The number of trials (members plus non-members, in the proportions of
/// `counts`) at which a test with the same error rates as `counts` would give
/// a lower bound above `claim.epsilon` at confidence `confidence`. `None` when
/// the rates themselves imply an epsilon at or below the claim, or when more
/// than 2^40 times the current trials would be needed.
pub fn trials_to_refute(counts: &ErrorCounts, claim: Claim, confidence: f64) -> Option<u64> {
    let point = eps_from_rates(
        counts.false_positives as f64 / counts.negatives.max(1) as f64,
        counts.false_negatives as f64 / counts.positives.max(1) as f64,
        claim.delta,
    );
    if point <= claim.epsilon || counts.negatives == 0 || counts.positives == 0 {
        return None;
    }
    // Search over the total number of trials N; counts are scaled by
    // N / (current total) and rounded.
    let total = counts.negatives + counts.positives;
    let scaled = |n: u64| {
        let c = n as f64 / total as f64;
        ErrorCounts {
            false_positives: (counts.false_positives as f64 * c).round() as u64,
            negatives: ((counts.negatives as f64 * c).round() as u64).max(1),
            false_negatives: (counts.false_negatives as f64 * c).round() as u64,
            positives: ((counts.positives as f64 * c).round() as u64).max(1),
        }
    };
    let refutes = |n: u64| {
        epsilon_lower_bound_from_counts(&scaled(n), claim.delta, confidence)
            .is_ok_and(|b| b.epsilon_lower > claim.epsilon)
    };
    let mut hi = total;
    while !refutes(hi) {
        hi = hi.checked_mul(2)?;
        if hi > total << 40 {
            return None;
        }
    }
    let mut lo = hi / 2;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if refutes(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_separation_bound_has_closed_form() {
        // 100 members, 100 non-members, no errors. Each rate's one-sided upper
        // bound at 1 - 0.05/2 = 0.975 is 1 - 0.025^(1/100) = 0.0362178...
        // eps >= ln((1 - 0.0362178) / 0.0362178) = 3.2813...
        let c = ErrorCounts {
            false_positives: 0,
            negatives: 100,
            false_negatives: 0,
            positives: 100,
        };
        let b = epsilon_lower_bound_from_counts(&c, 0.0, 0.95).unwrap();
        let u = 1.0 - 0.025f64.powf(0.01);
        assert!((b.fpr_upper - u).abs() < 1e-10);
        assert!((b.epsilon_lower - ((1.0 - u) / u).ln()).abs() < 1e-9);
        assert!(b.epsilon_point.is_infinite());
        // mu >= Phi^-1(1 - u) - Phi^-1(u) = 2 Phi^-1(1 - u).
        let mu = 2.0 * normal_quantile(1.0 - u);
        assert!((b.mu_lower - mu).abs() < 1e-9);
    }

    #[test]
    fn gdp_epsilon_solves_corollary_2_13() {
        // mu = 1, eps = 1: delta = Phi(-0.5) - e Phi(-1.5)
        //   = 0.3085375387 - 2.7182818285 * 0.0668072013 = 0.1269367375
        // (hand-checked with Python's math.erf), so at that delta the
        // GDP epsilon is 1.
        let g = gdp_epsilon(1.0, 0.126_936_737_5).unwrap();
        let e = g.epsilon_lower.unwrap();
        assert!((e - 1.0).abs() < 1e-6, "{e}");
        assert!(g.assumption.contains("Gaussian"));
        // Pure DP: a Gaussian trade-off has no finite epsilon.
        assert_eq!(gdp_epsilon(1.0, 0.0).unwrap().epsilon_lower, None);
        // No evidence, no bound.
        assert_eq!(gdp_epsilon(0.0, 1e-5).unwrap().epsilon_lower, None);
        assert!(gdp_epsilon(-1.0, 1e-5).is_err());
    }

    #[test]
    fn sweep_counts_ties_together() {
        let scores = [0.9, 0.5, 0.5, 0.1];
        let members = [true, true, false, false];
        let t = sweep(&scores, &members, &[0, 1, 2, 3]);
        assert_eq!(t.len(), 3);
        // threshold 0.5: TP = 2, FP = 1
        assert_eq!(t[1].1.false_positives, 1);
        assert_eq!(t[1].1.false_negatives, 0);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(epsilon_lower_bound(&[], &[], 0.0, 0.95, ThresholdSelection::Bonferroni).is_err());
        assert!(epsilon_lower_bound(
            &[1.0],
            &[true, false],
            0.0,
            0.95,
            ThresholdSelection::Bonferroni
        )
        .is_err());
        assert!(epsilon_lower_bound(
            &[1.0, 0.0],
            &[true, false],
            1.0,
            0.95,
            ThresholdSelection::Bonferroni
        )
        .is_err());
    }
}
