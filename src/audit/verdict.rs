//! The decision rules that turn a measured figure into PASS, FAIL or
//! INCONCLUSIVE. Kept apart from the runner so each rule can be read and
//! tested on its own.
//!
//! Two kinds of claims:
//!
//! - **Exact properties of the release** (k, l, t, no surviving identifier):
//!   the figure is computed, not estimated, so there is no interval and the
//!   verdict is PASS or FAIL.
//! - **Attack success rates** (re-identification, attribution, linkage,
//!   unicity, residual risk): the figure is a proportion estimated from a
//!   finite number of trials. The claim "at most `max`" FAILS when the whole
//!   confidence interval lies above `max` (the attack demonstrably beats the
//!   claim), PASSES when the whole interval lies at or below `max`, and is
//!   INCONCLUSIVE otherwise (more data is needed to tell).
//!
//! Differential-privacy claims are decided by [`epsilon_verdict`]; see there.

use crate::attacks::inference::stats::wilson_rate;
use crate::report::Verdict;

/// A proportion with its Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    /// Point estimate `successes / trials`.
    pub rate: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Trials.
    pub trials: usize,
}

/// The Wilson score interval (Wilson 1927) of `successes` out of `trials`
/// at `confidence`; `None` without trials.
///
/// `successes` may be fractional: for the QI join it is the expected number
/// of correct re-identifications `sum 1/|candidates|`, a sum of independent
/// Bernoulli trials with unequal probabilities (a Poisson-binomial), whose
/// variance is at most that of a binomial with the same mean, so the
/// interval is conservative.
pub fn proportion(successes: f64, trials: usize, confidence: f64) -> Option<Proportion> {
    if trials == 0 {
        return None;
    }
    let w = wilson_rate(trials, successes, confidence).ok()?;
    Some(Proportion {
        rate: w.raw_rate,
        low: w.low.max(0.0),
        high: w.high.min(1.0),
        trials,
    })
}

/// PASS when `measured >= claimed` (k, l: larger is more private).
pub fn at_least(measured: f64, claimed: f64) -> Verdict {
    if measured >= claimed {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// PASS when `measured <= claimed` (t, counts of leaks: smaller is more private).
pub fn at_most(measured: f64, claimed: f64) -> Verdict {
    if measured <= claimed {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// The claim "the rate is at most `max`" against an interval `[low, high]`:
/// FAIL when `low > max`, PASS when `high <= max`, INCONCLUSIVE otherwise.
pub fn rate_at_most(low: f64, high: f64, max: f64) -> Verdict {
    if low > max {
        Verdict::Fail
    } else if high <= max {
        Verdict::Pass
    } else {
        Verdict::Inconclusive
    }
}

/// The claim "epsilon is at most `claimed`" against the epsilon implied by
/// the noise actually added, with interval `[low, high]`.
///
/// A release can refute a DP claim (the noise is demonstrably too small for
/// the claimed epsilon: `low > claimed`, FAIL) but never prove it: noise of
/// the right size is necessary, not sufficient (the mechanism could still,
/// say, leak through which groups are released). So a noise level consistent
/// with the claim (`low <= claimed`) is a PASS of this test, stated as such in
/// the evidence; INCONCLUSIVE is kept for fits on fewer than `min_pairs`
/// pairs.
pub fn epsilon_verdict(low: f64, claimed: f64, pairs: usize, min_pairs: usize) -> Verdict {
    if pairs < min_pairs {
        Verdict::Inconclusive
    } else if low > claimed {
        Verdict::Fail
    } else {
        Verdict::Pass
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_by_hand() {
        // x = 8, n = 10, z = 1.959964 (95 %), z^2 = 3.841459: centre
        // (8 + 1.920729) / 13.841459 = 0.716740; half-width
        // 1.959964 / 13.841459 * sqrt(8*2/10 + 0.960365) = 0.141601 * 1.600114
        // = 0.226578 -> [0.490162, 0.943318].
        let p = proportion(8.0, 10, 0.95).unwrap();
        assert!((p.rate - 0.8).abs() < 1e-12);
        assert!((p.low - 0.490_162).abs() < 1e-5, "{}", p.low);
        assert!((p.high - 0.943_318).abs() < 1e-5, "{}", p.high);
        assert!(proportion(1.0, 0, 0.95).is_none());
    }

    #[test]
    fn rate_rules() {
        assert_eq!(rate_at_most(0.2, 0.4, 0.1), Verdict::Fail);
        assert_eq!(rate_at_most(0.0, 0.05, 0.1), Verdict::Pass);
        assert_eq!(rate_at_most(0.0, 0.1, 0.1), Verdict::Pass);
        assert_eq!(rate_at_most(0.05, 0.15, 0.1), Verdict::Inconclusive);
        assert_eq!(at_least(1.0, 5.0), Verdict::Fail);
        assert_eq!(at_least(5.0, 5.0), Verdict::Pass);
        assert_eq!(at_most(0.3, 0.2), Verdict::Fail);
        assert_eq!(at_most(0.2, 0.2), Verdict::Pass);
    }

    #[test]
    fn epsilon_rules() {
        assert_eq!(epsilon_verdict(0.9, 1.0, 500, 30), Verdict::Pass);
        assert_eq!(epsilon_verdict(3.0, 1.0, 500, 30), Verdict::Fail);
        assert_eq!(epsilon_verdict(3.0, 1.0, 10, 30), Verdict::Inconclusive);
    }
}
