//! Differential privacy: estimating and bounding epsilon.
//!
//! Placeholder: filled in by the epsilon work.

/// Errors from epsilon estimation and audits.
#[derive(Debug, thiserror::Error)]
pub enum DpError {
    /// Invalid parameters or data.
    #[error("{0}")]
    Invalid(String),
}
