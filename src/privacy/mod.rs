//! Privacy properties of a release on its own (k, l, t, beta, delta, risk).
//!
//! Placeholder: filled in by the privacy-metrics work.

pub mod population;
pub mod risk;

/// Errors from computing privacy metrics.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// Invalid parameters or data for a metric.
    #[error("{0}")]
    Invalid(String),
}
