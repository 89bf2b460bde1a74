//! The trial planner: before an audit, how many trials are needed to refute
//! a claim of `eps = c` when the mechanism's true epsilon is `e`, at
//! confidence `q`.
//!
//! The audit of [`super::epsilon`] (Jagielski, Ullman & Oprea 2020; Nasr et
//! al. 2021) bounds epsilon from the false-positive and false-negative rates
//! of a threshold test, each replaced by its one-sided Clopper-Pearson upper
//! bound. For a reference mechanism the optimal distinguisher is known: for
//! the Laplace and Gaussian mechanisms on one output, the likelihood-ratio
//! test (Neyman-Pearson) is a threshold on the released value, so its rates
//! at every threshold `t` have closed forms (sensitivity 1, without loss of
//! generality):
//!
//! ```text
//! Laplace, b = 1/e:   FPR(t) = P(Lap(0, b) >= t),  FNR(t) = P(Lap(1, b) < t)
//! Gaussian, sigma:    FPR(t) = 1 - Phi(t / sigma), FNR(t) = Phi((t - 1) / sigma)
//! k-ary randomized response (the target's value is released or not):
//!                     FPR = 1 / (e^e + k - 1),      FNR = 1 - e^e / (e^e + k - 1)
//! ```
//!
//! where the Gaussian sigma is the analytic calibration of the mechanism at
//! `(e, mechanism delta)` (Balle & Wang 2018, [`crate::dp::gaussian`]).
//!
//! **The rule** (the "median-count criterion"): with `n` trials (half on each
//! dataset, as `crate::dp::run_trials` runs them), every error count is set
//! to its expected value rounded to the nearest integer (the median of a
//! binomial count is within one of its mean), and the audit's own procedure
//! is run on those counts: with held-out selection, the threshold is the one
//! the audit would pick on its selection share (thresholds on a fine grid
//! ranked by their Clopper-Pearson bound at the Bonferroni level, about one
//! threshold per selection trial for a continuous score), and the bound of
//! [`super::epsilon::epsilon_lower_bound_from_counts`] is computed at that
//! threshold on the evaluation share; with Bonferroni, the best threshold at
//! level `1 - (1 - q)/m` on all trials. The plan is the smallest `n` at which
//! that bound exceeds `c`: an audit of that size refutes the claim in about
//! half of its runs. `tests/eval_planner.rs` checks this against seeded
//! simulations of the real audit (Laplace and Gaussian sums): the
//! refutation rate is below one half at 80% of the plan and at least one
//! half at 120% of it.
//!
//! When the mechanism's true epsilon does not exceed the claim, or the best
//! test's rates imply an epsilon at or below it, no number of trials
//! refutes the claim and the plan says so.
//!
//! This module computes; it runs no mechanism (the simulation that checks it
//! lives in the tests).

use serde::{Deserialize, Serialize};

use super::epsilon::{eps_from_rates, epsilon_lower_bound_from_counts, ErrorCounts};
use super::EvalError;
use crate::dp::stats::normal_cdf;

/// A reference mechanism whose optimal distinguisher the planner knows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PlannedMechanism {
    /// Laplace noise of scale `sensitivity / epsilon` on one value.
    Laplace,
    /// Gaussian noise calibrated to `(epsilon, delta)` analytically.
    Gaussian {
        /// The mechanism's delta (its calibration), strictly in (0, 1).
        delta: f64,
    },
    /// k-ary randomized response of the target's value.
    RandomizedResponse {
        /// Number of categories (at least 2).
        categories: usize,
    },
}

/// How the planned audit chooses its threshold (as in
/// [`super::epsilon::ThresholdSelection`], without the seed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PlannedSelection {
    /// A share `fraction` of the trials chooses the threshold; the bound is
    /// computed on the rest.
    HeldOut {
        /// Share of the trials used for choosing (0 < fraction < 1).
        fraction: f64,
    },
    /// All trials, each threshold at the Bonferroni level.
    Bonferroni,
}

/// What to plan for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// The claimed epsilon.
    pub claimed_epsilon: f64,
    /// The claimed delta (the delta in the bound).
    pub claimed_delta: f64,
    /// The mechanism's true epsilon.
    pub true_epsilon: f64,
    /// The mechanism.
    pub mechanism: PlannedMechanism,
    /// Confidence of the bound.
    pub confidence: f64,
    /// Threshold selection of the planned audit.
    pub selection: PlannedSelection,
}

/// One point of the expected-bound curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Total trials.
    pub trials: u64,
    /// The bound at the median error counts and the best threshold.
    pub epsilon_lower: f64,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The request.
    pub request: PlanRequest,
    /// Trials needed (total, both datasets); `None` when no number refutes.
    pub trials: Option<u64>,
    /// The epsilon the optimal test's true rates imply (the ceiling of any
    /// bound this attack can reach), at the claimed delta.
    pub attack_epsilon: f64,
    /// The best threshold at the planned trials (in units of the
    /// sensitivity; the count threshold 1 for randomized response).
    pub threshold: Option<f64>,
    /// False-positive rate of that test.
    pub fpr: Option<f64>,
    /// False-negative rate of that test.
    pub fnr: Option<f64>,
    /// Expected bound against trials, for the chart (doubling steps from
    /// 16 up to four times the plan, or up to 2^20 trials without one).
    pub curve: Vec<CurvePoint>,
    /// Canaries a one-run audit (Steinke, Nasr & Jagielski 2023,
    /// [`super::one_run`]) needs under the same median-count rule, guessing
    /// every canary with the optimal test at its balanced threshold
    /// (accuracy `canary_accuracy`); `None` when no number of trials
    /// refutes, or more than 2^20 canaries would be needed.
    pub canaries: Option<u64>,
    /// The per-canary guessing accuracy that plan assumes:
    /// `max_t 1 - (FPR(t) + FNR(t)) / 2`.
    pub canary_accuracy: f64,
    /// The rule, in words.
    pub rule: String,
    /// A sentence for the report.
    pub explanation: String,
}

/// The rule as written in every plan.
pub const PLAN_RULE: &str = "smallest total number of trials (half on each dataset) at which the audit's own procedure (threshold chosen on the selection share, Clopper-Pearson bound on the evaluation share), run on the expected error counts of the optimal test rounded to integers (about the median counts), gives a lower bound above the claimed epsilon: an audit of that size refutes the claim in about half of its runs";

fn range_err(name: &str, value: f64, requirement: &str) -> EvalError {
    EvalError::Range {
        name: name.into(),
        value: value.to_string(),
        requirement: requirement.into(),
    }
}

fn check(req: &PlanRequest) -> Result<(), EvalError> {
    if !(req.claimed_epsilon.is_finite() && req.claimed_epsilon >= 0.0) {
        return Err(range_err(
            "claimed epsilon",
            req.claimed_epsilon,
            "must be a finite number >= 0",
        ));
    }
    if !(req.true_epsilon.is_finite() && req.true_epsilon > 0.0) {
        return Err(range_err(
            "true epsilon",
            req.true_epsilon,
            "must be a finite number > 0",
        ));
    }
    if !(req.claimed_delta.is_finite() && (0.0..1.0).contains(&req.claimed_delta)) {
        return Err(range_err(
            "claimed delta",
            req.claimed_delta,
            "must satisfy 0 <= delta < 1",
        ));
    }
    if !(req.confidence.is_finite() && req.confidence > 0.0 && req.confidence < 1.0) {
        return Err(range_err(
            "confidence",
            req.confidence,
            "must lie strictly between 0 and 1",
        ));
    }
    match req.mechanism {
        PlannedMechanism::Gaussian { delta } if !(delta > 0.0 && delta < 1.0) => {
            return Err(range_err(
                "mechanism delta",
                delta,
                "the Gaussian mechanism needs 0 < delta < 1",
            ))
        }
        PlannedMechanism::RandomizedResponse { categories } if categories < 2 => {
            return Err(range_err(
                "categories",
                categories as f64,
                "randomized response needs at least 2",
            ))
        }
        _ => {}
    }
    if let PlannedSelection::HeldOut { fraction } = req.selection {
        if !(fraction > 0.0 && fraction < 1.0) {
            return Err(range_err(
                "held-out fraction",
                fraction,
                "must lie strictly between 0 and 1",
            ));
        }
    }
    Ok(())
}

/// The optimal test's `(threshold, FPR, FNR)` at each threshold of a grid.
/// Public so the report and tests can draw or check the rates.
pub fn optimal_test_rates(
    mechanism: PlannedMechanism,
    true_epsilon: f64,
) -> Result<Vec<(f64, f64, f64)>, EvalError> {
    match mechanism {
        PlannedMechanism::Laplace => {
            let b = 1.0 / true_epsilon;
            let fpr = |t: f64| {
                if t >= 0.0 {
                    0.5 * (-t / b).exp()
                } else {
                    1.0 - 0.5 * (t / b).exp()
                }
            };
            let fnr = |t: f64| {
                if t <= 1.0 {
                    0.5 * ((t - 1.0) / b).exp()
                } else {
                    1.0 - 0.5 * (-(t - 1.0) / b).exp()
                }
            };
            // From 12 scales below 0 to 12 scales above 1: beyond, one
            // error count is below e^-12 / 2 of the trials.
            Ok(grid(-12.0 * b, 1.0 + 12.0 * b)
                .map(|t| (t, fpr(t), fnr(t)))
                .collect())
        }
        PlannedMechanism::Gaussian { delta } => {
            let sigma = crate::dp::gaussian::gaussian_sigma(true_epsilon, delta, 1.0)
                .map_err(|e| EvalError::Invalid(e.to_string()))?;
            Ok(grid(-8.0 * sigma, 1.0 + 8.0 * sigma)
                .map(|t| {
                    (
                        t,
                        1.0 - normal_cdf(t / sigma),
                        normal_cdf((t - 1.0) / sigma),
                    )
                })
                .collect())
        }
        PlannedMechanism::RandomizedResponse { categories } => {
            let e = true_epsilon.exp();
            let keep = e / (e + categories as f64 - 1.0);
            let flip_to_target = 1.0 / (e + categories as f64 - 1.0);
            Ok(vec![(1.0, flip_to_target, 1.0 - keep)])
        }
    }
}

fn grid(lo: f64, hi: f64) -> impl Iterator<Item = f64> {
    const STEPS: usize = 600;
    (0..=STEPS).map(move |i| lo + (hi - lo) * i as f64 / STEPS as f64)
}

/// Median error counts of the test with rates `(fpr, fnr)` on `per_class`
/// trials of each dataset.
fn median_counts(fpr: f64, fnr: f64, per_class: u64) -> ErrorCounts {
    ErrorCounts {
        false_positives: (fpr * per_class as f64).round() as u64,
        negatives: per_class,
        false_negatives: (fnr * per_class as f64).round() as u64,
        positives: per_class,
    }
}

/// The threshold (index into `rates`) whose bound at `per_test` on
/// `per_class` median counts is largest, and that bound.
fn best_test(
    rates: &[(f64, f64, f64)],
    per_class: u64,
    delta: f64,
    per_test: f64,
) -> Result<(usize, f64), EvalError> {
    let mut best = (0usize, f64::NEG_INFINITY);
    for (i, &(_, fpr, fnr)) in rates.iter().enumerate() {
        let b =
            epsilon_lower_bound_from_counts(&median_counts(fpr, fnr, per_class), delta, per_test)?;
        if b.epsilon_lower > best.1 {
            best = (i, b.epsilon_lower);
        }
    }
    Ok(best)
}

/// The audit's own procedure run on the median counts of `n` trials:
/// `(bound, threshold, fpr, fnr)`. With held-out selection, the threshold
/// is the one the audit would pick on its selection share (each threshold
/// ranked by its bound at the Bonferroni level, about one threshold per
/// selection trial for a continuous score, as
/// [`super::epsilon::epsilon_lower_bound`] does) and the bound is computed
/// at `confidence` on the evaluation share; with Bonferroni, the best
/// threshold at level `1 - (1 - q)/m` on all trials.
fn expected_bound(
    req: &PlanRequest,
    rates: &[(f64, f64, f64)],
    n: u64,
) -> Result<(f64, f64, f64, f64), EvalError> {
    // A continuous score has about one threshold per trial; a
    // randomized-response count has two distinct values.
    let thresholds = |trials: u64| {
        if rates.len() == 1 {
            2
        } else {
            trials.max(1)
        }
    };
    let level = |m: u64| 1.0 - (1.0 - req.confidence) / m as f64;
    let i = match req.selection {
        PlannedSelection::HeldOut { fraction } => {
            let select_n = (n as f64 * fraction).round() as u64;
            let eval_n = n.saturating_sub(select_n);
            let (i, _) = best_test(
                rates,
                (select_n / 2).max(1),
                req.claimed_delta,
                level(thresholds(select_n)),
            )?;
            let (_, fpr, fnr) = rates[i];
            let b = epsilon_lower_bound_from_counts(
                &median_counts(fpr, fnr, (eval_n / 2).max(1)),
                req.claimed_delta,
                req.confidence,
            )?;
            return Ok((b.epsilon_lower, rates[i].0, fpr, fnr));
        }
        PlannedSelection::Bonferroni => best_test(
            rates,
            (n / 2).max(1),
            req.claimed_delta,
            level(thresholds(n)),
        )?,
    };
    let (t, fpr, fnr) = rates[i.0];
    Ok((i.1, t, fpr, fnr))
}

/// Largest total number of trials the planner searches.
const MAX_TRIALS: u64 = 1 << 34;

/// Plans an audit (see the module docs for the rule).
pub fn plan_trials(req: &PlanRequest) -> Result<Plan, EvalError> {
    check(req)?;
    let rates = optimal_test_rates(req.mechanism, req.true_epsilon)?;
    let attack_epsilon = rates
        .iter()
        .map(|&(_, fpr, fnr)| eps_from_rates(fpr, fnr, req.claimed_delta))
        .fold(0.0, f64::max);
    let refutes = |n: u64| -> Result<bool, EvalError> {
        Ok(expected_bound(req, &rates, n)?.0 > req.claimed_epsilon)
    };
    let mut trials = None;
    // A tolerance for rounding: the Laplace tail tests sit exactly at the
    // mechanism's epsilon.
    if attack_epsilon > req.claimed_epsilon + 1e-9 {
        let mut hi = 16u64;
        while hi <= MAX_TRIALS && !refutes(hi)? {
            hi *= 2;
        }
        if hi <= MAX_TRIALS {
            let mut lo = hi / 2;
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if refutes(mid)? {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            // Trials come in pairs (one per dataset).
            trials = Some(hi + hi % 2);
        }
    }
    let top = trials.map_or(1u64 << 20, |n| n.saturating_mul(4));
    let mut curve = Vec::new();
    let mut n = 16u64;
    while n <= top {
        curve.push(CurvePoint {
            trials: n,
            epsilon_lower: expected_bound(req, &rates, n)?.0,
        });
        n *= 2;
    }
    let (threshold, fpr, fnr) = match trials {
        Some(n) => {
            let (_, t, fpr, fnr) = expected_bound(req, &rates, n)?;
            (Some(t), Some(fpr), Some(fnr))
        }
        None => (None, None, None),
    };
    let pct = req.confidence * 100.0;
    let explanation = match trials {
        Some(n) => format!(
            "about {n} trials (half on each dataset) refute a claim of epsilon {} when the mechanism's true epsilon is {}: at that size the audit's {pct}% Clopper-Pearson bound at the median error counts of the optimal test exceeds the claim, so about half of such audits refute it",
            req.claimed_epsilon, req.true_epsilon
        ),
        None if attack_epsilon <= req.claimed_epsilon + 1e-9 => format!(
            "no number of trials refutes a claim of epsilon {}: the optimal test against this mechanism implies at most epsilon {attack_epsilon:.4} at delta {}",
            req.claimed_epsilon, req.claimed_delta
        ),
        None => format!(
            "more than {MAX_TRIALS} trials would be needed to refute a claim of epsilon {} (the optimal test implies epsilon {attack_epsilon:.4}, barely above it)",
            req.claimed_epsilon
        ),
    };
    let canary_accuracy = rates
        .iter()
        .map(|&(_, fpr, fnr)| 1.0 - (fpr + fnr) / 2.0)
        .fold(0.5, f64::max);
    // Only when some number of trials refutes: otherwise the optimal test
    // is consistent with the claim and so is every canary guess.
    let canaries = if trials.is_some() {
        plan_canaries(req, canary_accuracy)?
    } else {
        None
    };
    Ok(Plan {
        request: *req,
        trials,
        canaries,
        canary_accuracy,
        attack_epsilon,
        threshold,
        fpr,
        fnr,
        curve,
        rule: PLAN_RULE.into(),
        explanation,
    })
}

/// The smallest number of canaries `m` at which the one-run bound, with every
/// canary guessed and `round(accuracy m)` guesses right, exceeds the claim.
fn plan_canaries(req: &PlanRequest, accuracy: f64) -> Result<Option<u64>, EvalError> {
    use super::one_run::{one_run_epsilon_lower_bound, OneRunCounts};
    let refutes = |m: u64| -> Result<bool, EvalError> {
        let counts = OneRunCounts {
            canaries: m,
            guesses: m,
            correct: ((accuracy * m as f64).round() as u64).min(m),
        };
        Ok(
            one_run_epsilon_lower_bound(&counts, req.claimed_delta, req.confidence)?.epsilon_lower
                > req.claimed_epsilon,
        )
    };
    super::search::smallest_holding(8, 1 << 20, refutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(mechanism: PlannedMechanism, claimed: f64, truth: f64) -> PlanRequest {
        PlanRequest {
            claimed_epsilon: claimed,
            claimed_delta: 0.0,
            true_epsilon: truth,
            mechanism,
            confidence: 0.95,
            selection: PlannedSelection::HeldOut { fraction: 0.5 },
        }
    }

    #[test]
    fn laplace_tail_tests_have_ratio_e_to_the_epsilon() {
        // For t >= 1: (1 - FNR) / FPR = e^{-(t-1)/b} / e^{-t/b} = e^{1/b} = e^eps.
        let rates = optimal_test_rates(PlannedMechanism::Laplace, 2.0).unwrap();
        for &(t, fpr, fnr) in rates.iter().filter(|r| r.0 >= 1.0) {
            let r = ((1.0 - fnr) / fpr).ln();
            assert!((r - 2.0).abs() < 1e-9, "t {t}: {r}");
        }
    }

    #[test]
    fn randomized_response_plan_matches_a_hand_search() {
        // 2-RR at eps = ln 9: FPR = FNR = 0.1. Claim 1, held-out half, 95%.
        // With n trials, each class has n/4 evaluation trials and
        // round(0.1 n / 4) errors; the plan is the first n (even) at which
        // ln((1 - u) / u) > 1 with u the 97.5% Clopper-Pearson upper bound.
        let p = plan_trials(&req(
            PlannedMechanism::RandomizedResponse { categories: 2 },
            1.0,
            9f64.ln(),
        ))
        .unwrap();
        let n = p.trials.unwrap();
        let bound_at = |n: u64| {
            let k = n / 4;
            let c = ErrorCounts {
                false_positives: (0.1 * k as f64).round() as u64,
                negatives: k,
                false_negatives: (0.1 * k as f64).round() as u64,
                positives: k,
            };
            epsilon_lower_bound_from_counts(&c, 0.0, 0.95)
                .unwrap()
                .epsilon_lower
        };
        assert!(bound_at(n) > 1.0);
        assert!(bound_at(n - 4) <= 1.0 || bound_at(n - 2) <= 1.0);
        assert!((p.attack_epsilon - 9f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn canary_plan_is_the_first_refuting_size() {
        // 2-RR at eps = ln 9 guesses each canary right with probability 0.9;
        // at delta 0 the one-run bound with v = round(0.9 m) of m is
        // logit of the Clopper-Pearson lower bound (see eval::one_run).
        let p = plan_trials(&req(
            PlannedMechanism::RandomizedResponse { categories: 2 },
            1.0,
            9f64.ln(),
        ))
        .unwrap();
        assert!((p.canary_accuracy - 0.9).abs() < 1e-12);
        let m = p.canaries.unwrap();
        let bound = |m: u64| {
            let v = (0.9 * m as f64).round() as u64;
            let lo = crate::eval::Rate::count(v, m)
                .clopper_pearson_lower(0.95, "t")
                .unwrap();
            (lo / (1.0 - lo)).ln()
        };
        assert!(bound(m) > 1.0, "{m}");
        assert!(bound(m - 1) <= 1.0 || bound(m - 2) <= 1.0, "{m}");
        // Laplace's balanced accuracy: 1 - e^(-eps/2) / 2.
        let l = plan_trials(&req(PlannedMechanism::Laplace, 1.0, 2.0)).unwrap();
        assert!((l.canary_accuracy - (1.0 - 0.5 * (-1f64).exp())).abs() < 1e-3);
    }

    #[test]
    fn honest_mechanisms_cannot_be_refuted() {
        let p = plan_trials(&req(PlannedMechanism::Laplace, 1.0, 1.0)).unwrap();
        assert_eq!(p.trials, None);
        assert!(p.explanation.contains("no number of trials"));
        let p = plan_trials(&req(PlannedMechanism::Laplace, 1.0, 0.5)).unwrap();
        assert_eq!(p.trials, None);
        assert!(plan_trials(&req(PlannedMechanism::Laplace, 1.0, -1.0)).is_err());
    }
}
