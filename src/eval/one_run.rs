//! The one-run audit: an epsilon lower bound from canaries inserted in a
//! single run of an expensive mechanism.
//!
//! Steinke, Nasr & Jagielski (2023), "Privacy Auditing with One (1) Training
//! Run", NeurIPS 2023 (arXiv:2305.08846). `m` canaries are each included in
//! the mechanism's input independently with probability 1/2; after the one
//! run, the auditor guesses "in" or "out" for `r` of them (abstaining on the
//! rest) and `v` guesses are right. Their Theorem 5.2 (with the computation
//! of their Appendix D) bounds the tail of `v` under `(eps, delta)`-DP: with
//! `q = e^eps / (1 + e^eps)` and `X ~ Binomial(r, q)`,
//!
//! ```text
//! P[v' >= v] <= P[X >= v] + 2 m delta * max_{i = 1..v} P[v - i <= X < v] / i.
//! ```
//!
//! The right side is the p-value of observing `v` correct guesses if the
//! mechanism were `(eps, delta)`-DP ([`one_run_p_value`]); it grows with
//! `eps`, and the lower bound at confidence `1 - beta` is the largest `eps`
//! whose p-value is below `beta`, found by bisection
//! ([`one_run_epsilon_lower_bound`]). At `delta = 0` it reduces to an exact
//! binomial test, so the bound is `logit` of the Clopper-Pearson lower bound
//! of `v / r`, which the tests use as an independent check.
//!
//! [`one_run_from_scores`] makes the guesses from a membership score per
//! canary: the `k_in` highest-scored canaries are guessed "in", the `k_out`
//! lowest "out". The numbers of guesses must be fixed before looking at
//! which canaries were included (choosing them to maximise the bound on the
//! same canaries would overstate it, as with thresholds in
//! [`super::epsilon`]).
//!
//! This module computes; it runs no mechanism and reads no file.

use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

use super::EvalError;

/// The counts of a one-run audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OneRunCounts {
    /// Canaries randomized (each included with probability 1/2).
    pub canaries: u64,
    /// Guesses made (abstentions excluded).
    pub guesses: u64,
    /// Correct guesses.
    pub correct: u64,
}

/// The bound of a one-run audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneRunBound {
    /// The counts.
    pub counts: OneRunCounts,
    /// Delta of the null hypothesis.
    pub delta: f64,
    /// Confidence of the bound.
    pub confidence: f64,
    /// Lower bound on epsilon: the largest epsilon whose p-value is below
    /// `1 - confidence` (0 when even epsilon 0 is not rejected).
    pub epsilon_lower: f64,
    /// The p-value of the counts under epsilon = 0 (no privacy loss).
    pub p_value_at_zero: f64,
    /// Guesses "in" (highest scores), when made from scores.
    pub guessed_in: Option<u64>,
    /// Guesses "out" (lowest scores), when made from scores.
    pub guessed_out: Option<u64>,
    /// The method, for reports.
    pub method: String,
}

const METHOD: &str = "one-run audit of Steinke, Nasr & Jagielski (NeurIPS 2023), Theorem 5.2 tail bound, bisection on epsilon";

fn ln_binomial_pmf(k: u64, n: u64, ln_q: f64, ln_1q: f64) -> f64 {
    let (k, n) = (k as f64, n as f64);
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0) + k * ln_q + (n - k) * ln_1q
}

/// The p-value of `correct` right guesses out of `guesses` among `canaries`
/// under `(epsilon, delta)`-DP (Steinke, Nasr & Jagielski 2023, Thm 5.2).
pub fn one_run_p_value(counts: &OneRunCounts, epsilon: f64, delta: f64) -> f64 {
    let OneRunCounts {
        canaries: m,
        guesses: r,
        correct: v,
    } = *counts;
    // q = e^eps / (1 + e^eps), in logs for large eps.
    let ln_q = -(-epsilon).exp().ln_1p();
    let ln_1q = -epsilon.exp().ln_1p();
    let pmf = |k: u64| ln_binomial_pmf(k, r, ln_q, ln_1q).exp();
    let tail: f64 = (v..=r).map(pmf).sum();
    let mut p = tail;
    if delta > 0.0 {
        let mut below = 0.0;
        let mut alpha = 0.0f64;
        for i in 1..=v {
            below += pmf(v - i);
            alpha = alpha.max(below / i as f64);
        }
        p += alpha * delta * 2.0 * m as f64;
    }
    p.min(1.0)
}

fn check_counts(c: &OneRunCounts) -> Result<(), EvalError> {
    if !(c.correct <= c.guesses && c.guesses <= c.canaries) {
        return Err(EvalError::Invalid(format!(
            "one-run audit: {} correct of {} guesses among {} canaries; need correct <= guesses <= canaries",
            c.correct, c.guesses, c.canaries
        )));
    }
    if c.guesses == 0 {
        return Err(EvalError::NoTrials {
            what: "one-run audit (no guesses)".into(),
        });
    }
    Ok(())
}

/// The epsilon lower bound of a one-run audit at `confidence`.
pub fn one_run_epsilon_lower_bound(
    counts: &OneRunCounts,
    delta: f64,
    confidence: f64,
) -> Result<OneRunBound, EvalError> {
    check_counts(counts)?;
    if !(delta.is_finite() && (0.0..1.0).contains(&delta)) {
        return Err(EvalError::Range {
            name: "delta".into(),
            value: delta.to_string(),
            requirement: "must satisfy 0 <= delta < 1".into(),
        });
    }
    if !(confidence.is_finite() && confidence > 0.0 && confidence < 1.0) {
        return Err(EvalError::Range {
            name: "confidence".into(),
            value: confidence.to_string(),
            requirement: "must lie strictly between 0 and 1".into(),
        });
    }
    let beta = 1.0 - confidence;
    let rejected = |eps: f64| one_run_p_value(counts, eps, delta) < beta;
    let p_value_at_zero = one_run_p_value(counts, 0.0, delta);
    let epsilon_lower = if !rejected(0.0) {
        0.0
    } else {
        let mut hi = 1.0;
        while rejected(hi) {
            hi *= 2.0;
            if hi > 1e4 {
                break;
            }
        }
        let mut lo = 0.0;
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            if rejected(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo < 1e-10 {
                break;
            }
        }
        lo
    };
    Ok(OneRunBound {
        counts: *counts,
        delta,
        confidence,
        epsilon_lower,
        p_value_at_zero,
        guessed_in: None,
        guessed_out: None,
        method: METHOD.into(),
    })
}

/// Guesses from scores (the `k_in` highest "in", the `k_out` lowest "out";
/// ties broken by canary order) and the bound. `included[i]` says whether
/// canary `i` was in the run.
pub fn one_run_from_scores(
    included: &[bool],
    scores: &[f64],
    k_in: usize,
    k_out: usize,
    delta: f64,
    confidence: f64,
) -> Result<OneRunBound, EvalError> {
    if included.len() != scores.len() {
        return Err(EvalError::LengthMismatch {
            left_name: "canary inclusion labels".into(),
            left: included.len(),
            right_name: "canary scores".into(),
            right: scores.len(),
        });
    }
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(EvalError::Invalid(format!(
            "score of canary {} is NaN",
            i + 1
        )));
    }
    let m = scores.len();
    if k_in + k_out > m {
        return Err(EvalError::Invalid(format!(
            "{k_in} \"in\" plus {k_out} \"out\" guesses exceed the {m} canaries"
        )));
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let correct_in = order[..k_in].iter().filter(|&&i| included[i]).count();
    let correct_out = order[m - k_out..].iter().filter(|&&i| !included[i]).count();
    let counts = OneRunCounts {
        canaries: m as u64,
        guesses: (k_in + k_out) as u64,
        correct: (correct_in + correct_out) as u64,
    };
    let mut b = one_run_epsilon_lower_bound(&counts, delta, confidence)?;
    b.guessed_in = Some(k_in as u64);
    b.guessed_out = Some(k_out as u64);
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Rate;

    #[test]
    fn all_correct_at_delta_zero_has_a_closed_form() {
        // r = v = 10, 95%: P[Bin(10, q) >= 10] = q^10 = 0.05, so
        // q = 0.05^(1/10) = 0.741134 and eps = ln(q / (1 - q)) = ln 2.863013 = 1.051873.
        let c = OneRunCounts {
            canaries: 100,
            guesses: 10,
            correct: 10,
        };
        let b = one_run_epsilon_lower_bound(&c, 0.0, 0.95).unwrap();
        let q = 0.05f64.powf(0.1);
        let want = (q / (1.0 - q)).ln();
        assert!((b.epsilon_lower - want).abs() < 1e-8, "{}", b.epsilon_lower);
        assert!((want - 1.051873).abs() < 1e-6, "{want}");
    }

    #[test]
    fn delta_zero_matches_the_clopper_pearson_lower_bound() {
        // Independent route: the exact binomial test's bound is the logit of
        // the one-sided Clopper-Pearson lower bound (statrs' Beta quantile).
        for (r, v) in [(100u64, 80u64), (1000, 620), (50, 50), (200, 101)] {
            let c = OneRunCounts {
                canaries: 2 * r,
                guesses: r,
                correct: v,
            };
            let b = one_run_epsilon_lower_bound(&c, 0.0, 0.95).unwrap();
            let lo = Rate::count(v, r).clopper_pearson_lower(0.95, "t").unwrap();
            let want = (lo / (1.0 - lo)).ln().max(0.0);
            assert!(
                (b.epsilon_lower - want).abs() < 1e-6,
                "r {r} v {v}: {} vs {want}",
                b.epsilon_lower
            );
        }
    }

    #[test]
    fn delta_term_matches_a_hand_case() {
        // m = r = v = 1: p = q + 2 delta (1 - q) (the only i is 1 and
        // P[0 <= X < 1] = 1 - q). At delta 0.1 and confidence 0.1 (beta 0.9):
        // 0.8 q + 0.2 = 0.9, q = 0.875, eps = ln 7.
        let c = OneRunCounts {
            canaries: 1,
            guesses: 1,
            correct: 1,
        };
        let b = one_run_epsilon_lower_bound(&c, 0.1, 0.1).unwrap();
        assert!(
            (b.epsilon_lower - 7f64.ln()).abs() < 1e-8,
            "{}",
            b.epsilon_lower
        );
        // delta > 0 never gives a larger bound than delta = 0.
        let c = OneRunCounts {
            canaries: 1000,
            guesses: 200,
            correct: 180,
        };
        let b0 = one_run_epsilon_lower_bound(&c, 0.0, 0.95).unwrap();
        let b1 = one_run_epsilon_lower_bound(&c, 1e-5, 0.95).unwrap();
        assert!(b1.epsilon_lower <= b0.epsilon_lower);
    }

    #[test]
    fn guesses_from_scores_and_bad_input() {
        // Scores rank the 4 included canaries on top: 2 "in" and 2 "out"
        // guesses are all right.
        let included = [true, false, true, false, true, false, true, false];
        let scores = [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4];
        let b = one_run_from_scores(&included, &scores, 2, 2, 0.0, 0.95).unwrap();
        assert_eq!(b.counts.correct, 4);
        assert_eq!(b.counts.guesses, 4);
        assert!(one_run_from_scores(&included, &scores, 5, 5, 0.0, 0.95).is_err());
        assert!(one_run_from_scores(&included[..3], &scores, 1, 1, 0.0, 0.95).is_err());
        let bad = OneRunCounts {
            canaries: 5,
            guesses: 6,
            correct: 1,
        };
        assert!(one_run_epsilon_lower_bound(&bad, 0.0, 0.95).is_err());
    }
}
