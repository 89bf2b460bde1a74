//! The decision rules that turn a measured figure into PASS, FAIL or
//! INCONCLUSIVE, shared by the audit and every CLI flag that checks a threshold.
//!
//! - **Exact properties of the release** (k, l, t, surviving identifiers): the
//!   figure is computed, not estimated, so the verdict is PASS or FAIL
//!   ([`at_least`], [`at_most`]).
//! - **Attack success rates** (re-identification, attribution, linkage,
//!   unicity): "at most `max`" FAILS when the whole interval lies above `max`
//!   (the attack demonstrably beats the claim), PASSES when the whole interval
//!   lies at or below `max`, and is INCONCLUSIVE otherwise
//!   ([`interval_at_most`]).
//! - **Composite claims** (one claim over several risks, e.g. singling out,
//!   linkability and inference): PASS only when every component's upper end
//!   is at or below `max`; FAIL when any component's lower end is above it;
//!   INCONCLUSIVE otherwise ([`composite_at_most`]). Deciding on the highest
//!   point estimate alone would pass a claim whose other components may still
//!   exceed it.
//! - **Differential privacy** against the epsilon implied by the noise
//!   ([`epsilon_at_most`]).
//!
//! A threshold that is NaN makes every comparison false; the callers validate
//! thresholds before they get here, and these rules treat a NaN figure as
//! INCONCLUSIVE rather than PASS.

use serde::{Deserialize, Serialize};

/// The outcome of testing one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// The evidence supports the claim.
    Pass,
    /// The evidence refutes the claim.
    Fail,
    /// The evidence neither supports nor refutes the claim (too few trials,
    /// or the attack could not run over its input).
    Inconclusive,
}

impl Verdict {
    /// Upper-case label used in badges: PASS, FAIL, INCONCLUSIVE.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Inconclusive => "INCONCLUSIVE",
        }
    }
}

/// PASS when `measured >= claimed` (k, l: larger is more private).
pub fn at_least(measured: f64, claimed: f64) -> Verdict {
    if measured.is_nan() || claimed.is_nan() {
        Verdict::Inconclusive
    } else if measured >= claimed {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// PASS when `measured <= claimed` (t, counts of leaks: smaller is more private).
pub fn at_most(measured: f64, claimed: f64) -> Verdict {
    if measured.is_nan() || claimed.is_nan() {
        Verdict::Inconclusive
    } else if measured <= claimed {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// The claim "the rate is at most `max`" against an interval `[low, high]`:
/// FAIL when `low > max`, PASS when `high <= max`, INCONCLUSIVE otherwise.
pub fn interval_at_most(low: f64, high: f64, max: f64) -> Verdict {
    composite_at_most(&[(low, high)], max)
}

/// The claim "every component rate is at most `max`" against one interval
/// per component: FAIL when any lower end is above `max`, PASS when every
/// upper end is at or below it, INCONCLUSIVE otherwise (also without
/// components, or when a figure is NaN).
pub fn composite_at_most(components: &[(f64, f64)], max: f64) -> Verdict {
    if components.is_empty()
        || max.is_nan()
        || components.iter().any(|(l, h)| l.is_nan() || h.is_nan())
    {
        return Verdict::Inconclusive;
    }
    if components.iter().any(|&(low, _)| low > max) {
        Verdict::Fail
    } else if components.iter().all(|&(_, high)| high <= max) {
        Verdict::Pass
    } else {
        Verdict::Inconclusive
    }
}

/// The claim "epsilon is at most `claimed`" against the epsilon implied by
/// the noise actually added, whose interval starts at `low`.
///
/// A release can refute a DP claim (the noise is demonstrably too small for
/// the claimed epsilon: `low > claimed`, FAIL) but never prove it: noise of
/// the right size is necessary, not sufficient. So a noise level consistent
/// with the claim is a PASS of this test, stated as such in the evidence;
/// INCONCLUSIVE is kept for fits on fewer than `min_pairs` pairs.
pub fn epsilon_at_most(low: f64, claimed: f64, pairs: usize, min_pairs: usize) -> Verdict {
    if pairs < min_pairs || low.is_nan() || claimed.is_nan() {
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
    fn rate_rules() {
        assert_eq!(interval_at_most(0.2, 0.4, 0.1), Verdict::Fail);
        assert_eq!(interval_at_most(0.0, 0.05, 0.1), Verdict::Pass);
        assert_eq!(interval_at_most(0.0, 0.1, 0.1), Verdict::Pass);
        assert_eq!(interval_at_most(0.05, 0.15, 0.1), Verdict::Inconclusive);
        assert_eq!(interval_at_most(0.0, 0.05, f64::NAN), Verdict::Inconclusive);
        assert_eq!(at_least(1.0, 5.0), Verdict::Fail);
        assert_eq!(at_least(5.0, 5.0), Verdict::Pass);
        assert_eq!(at_most(0.3, 0.2), Verdict::Fail);
        assert_eq!(at_most(0.2, 0.2), Verdict::Pass);
        assert_eq!(at_most(f64::NAN, 0.2), Verdict::Inconclusive);
    }

    #[test]
    fn composite_needs_every_upper_end() {
        // The audit case of the fail-safe issue: the highest point estimate
        // 0.022 [0.005, 0.039] is below 5 %, but two other components reach
        // 0.094 and 0.101: not a PASS.
        let parts = [(0.005, 0.039), (0.0, 0.094), (0.0, 0.101)];
        assert_eq!(composite_at_most(&parts, 0.05), Verdict::Inconclusive);
        assert_eq!(composite_at_most(&parts[..1], 0.05), Verdict::Pass);
        assert_eq!(
            composite_at_most(&[(0.0, 0.01), (0.06, 0.2)], 0.05),
            Verdict::Fail
        );
        assert_eq!(composite_at_most(&[], 0.05), Verdict::Inconclusive);
    }

    #[test]
    fn epsilon_rules() {
        assert_eq!(epsilon_at_most(0.9, 1.0, 500, 30), Verdict::Pass);
        assert_eq!(epsilon_at_most(3.0, 1.0, 500, 30), Verdict::Fail);
        assert_eq!(epsilon_at_most(3.0, 1.0, 10, 30), Verdict::Inconclusive);
    }
}
