//! Shared scoring and the claim decision rules: what turns an attack's counts
//! into a rate with an interval, and a rate into PASS, FAIL or INCONCLUSIVE.
//!
//! The audit and every CLI flag that checks a threshold (`risk --max-risk`,
//! `unicity --max-unicity`, ...) decide through this module, so two front doors
//! cannot give two answers on the same figures.
//!
//! * [`rate`]: a success count over trials ([`Rate`]) and its Wilson score
//!   interval ([`Interval`]).
//! * [`decision`]: the rules ([`Verdict`], [`at_least`], [`at_most`],
//!   [`interval_at_most`], [`composite_at_most`], [`epsilon_at_most`]).
//! * [`coverage`]: the fail-safe guard. An attack that could not run over its
//!   input (release rows that match no original, truth keys that resolve to
//!   nothing) has not shown that the release is safe: a PASS becomes
//!   INCONCLUSIVE with a warning naming the cause ([`guard`]).
//!
//! Data flows `data -> privacy | attacks | dp -> eval -> report`: this module
//! reads attack results and never runs an attack, reads a file or prints.

pub mod coverage;
pub mod decision;
pub mod rate;

pub use coverage::{guard, qi_join_checks, CoverageCheck, MIN_ALIGNED_SHARE};
pub use decision::{
    at_least, at_most, composite_at_most, epsilon_at_most, interval_at_most, Verdict,
};
pub use rate::{Interval, Rate};

/// Errors of the scoring layer.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// A parameter is out of range (a confidence level outside (0, 1), a
    /// threshold that is not a finite number).
    #[error("invalid {name}: {message}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong and what to give instead.
        message: String,
    },
    /// A rate over no trials has no interval.
    #[error("{what}: no trials, so no rate can be estimated")]
    NoTrials {
        /// What was being measured.
        what: String,
    },
}
