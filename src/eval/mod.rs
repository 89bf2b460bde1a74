//! Shared scoring and the claim decision rules: what turns an attack's counts
//! into a rate with an interval, and a rate into PASS, FAIL or INCONCLUSIVE.
//!
//! The audit and every CLI flag that checks a threshold (`risk --max-risk`,
//! `unicity --max-unicity`, ...) decide through this module, so two front doors
//! cannot give two answers on the same figures.
//!
//! * [`rate`]: a success count over trials ([`Rate`]) and its Wilson and
//!   Clopper-Pearson intervals ([`Interval`]); the crate's only
//!   Clopper-Pearson and its only Wilson.
//! * [`inference`]: the Anonymeter-style risks scored from the counts of
//!   `attacks::inference` (Wilson success rates of attack, control and
//!   baseline, the residual risk with its interval) and the scored
//!   [`inference::RiskReport`] of `reident risk` and the audit.
//! * [`epsilon`]: the epsilon (and Gaussian-DP `mu`) lower bound from scored
//!   membership trials and the claim check; [`mechanism_audit`] applies it
//!   to the trials of a black-box mechanism run (`crate::dp::run_trials`);
//!   [`one_run`] bounds epsilon from canaries in one run of a mechanism
//!   (Steinke, Nasr & Jagielski 2023); [`planner`] says before an audit how many trials refute a claim when
//!   the mechanism's true epsilon is known.
//! * [`attack_epsilon`]: the epsilon lower bound a re-identification,
//!   linkage or attribution success rate implies for a record- or user-level
//!   DP claim (Lee & Clifton 2011), with its assumptions in words.
//! * [`attribution`]: authorship attribution scored against the truth:
//!   top-1/top-k accuracy against chance, macro-F1, the confusion matrix, the
//!   pseudonym-level report; [`cross_validation`]: the cross-validation and
//!   sweeps (number of authors, text length) that fit `attacks::stylometry`
//!   pipelines and score them with [`attribution`].
//! * [`document_linkage`]: document linkage of a text release scored
//!   against a truth key (re-identification rate, precision, recall, PR
//!   points on a threshold grid, similarity distributions) and the scored
//!   text-attack report.
//! * [`linkage`]: record linkage scored against a truth key (precision,
//!   recall, F1, re-identification rates expected over ties and
//!   unique-and-correct over every release row, PR curve, weight histograms).
//! * [`roc`]: ROC curve, AUC, equal error rate and precision-recall curve of
//!   scored trials; [`verification`]: c@1 and the summary of authorship
//!   verification trials.
//! * [`channel`]: the randomized-response channel of a categorical column
//!   and its implied epsilon, with simultaneous Clopper-Pearson intervals.
//! * [`decision`]: the rules ([`Verdict`], [`at_least`], [`at_most`],
//!   [`interval_at_most`], [`composite_at_most`], [`epsilon_at_most`]).
//! * [`coverage`]: the fail-safe guard. An attack that could not run over its
//!   input (release rows that match no original, truth keys that resolve to
//!   nothing) has not shown that the release is safe: a PASS becomes
//!   INCONCLUSIVE with a warning naming the cause ([`guard`]).
//!
//! Data flows `data -> privacy | attacks | dp -> eval -> report`: this module
//! reads attack results and never reads a file or prints; the only attacks it
//! runs are the fits of a cross-validation or a sweep ([`cross_validation`]),
//! which are scoring procedures.

pub mod attack_epsilon;
pub mod attribution;
pub mod channel;
pub mod coverage;
pub mod cross_validation;
pub mod decision;
pub mod document_linkage;
pub mod epsilon;
pub mod inference;
pub mod linkage;
pub mod mechanism_audit;
pub mod one_run;
pub mod open_set;
pub mod planner;
pub mod pseudonym_linkage;
pub mod rate;
pub mod release_attack;
pub mod roc;
mod search;
pub mod text_linkage_semantic;
pub mod verification;

pub use coverage::{guard, qi_join_checks, CoverageCheck, MIN_ALIGNED_SHARE};
pub use decision::{
    at_least, at_most, composite_at_most, epsilon_at_most, interval_at_most, Verdict,
};
pub use epsilon::{
    check_claim, epsilon_lower_bound, epsilon_lower_bound_from_counts, trials_to_refute, Claim,
    ClaimCheck, ClaimVerdict, CountsBound, EpsilonLowerBound, ErrorCounts, GdpEpsilon,
    ThresholdSelection,
};
pub use mechanism_audit::{bound_audit, AuditConfig, AuditResult};
pub use rate::{Interval, Rate, WilsonScore};

/// Errors of the scoring layer.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// A parameter is out of range (a confidence level outside (0, 1), a
    /// threshold that is not a finite number).
    #[error("invalid {name}: {message}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong and what to give instead.
        message: String,
    },
    /// A parameter is outside its allowed range (the message names the value
    /// and what it must satisfy).
    #[error("{name} = {value} is invalid: {requirement}")]
    Range {
        /// The parameter's name as the user knows it (e.g. `delta`).
        name: String,
        /// The value given.
        value: String,
        /// What the value must satisfy.
        requirement: String,
    },
    /// Two inputs that must pair up one to one have different lengths.
    #[error("{left_name} has {left} rows but {right_name} has {right}; they must pair up row by row (same length, same order)")]
    LengthMismatch {
        /// Name of the first input.
        left_name: String,
        /// Its length.
        left: usize,
        /// Name of the second input.
        right_name: String,
        /// Its length.
        right: usize,
    },
    /// Invalid input that fits no more specific variant (a NaN score).
    #[error("{0}")]
    Invalid(String),
    /// A stylometry pipeline failed inside a scoring procedure
    /// (cross-validation, a sweep, pooling).
    #[error(transparent)]
    Stylometry(#[from] crate::attacks::stylometry::StylometryError),
    /// An Anonymeter-style attack failed before it could be scored.
    #[error(transparent)]
    Inference(#[from] crate::attacks::inference::InferenceError),
    /// A rate over no trials has no interval.
    #[error("{what}: no trials, so no rate can be estimated")]
    NoTrials {
        /// What was being measured.
        what: String,
    },
}
