//! Reference anonymizers that produce releases for experiments.
//!
//! Placeholder: filled in by the anonymizer work.

pub mod pseudonym;
pub mod text;

/// Errors from the reference anonymizers.
#[derive(Debug, thiserror::Error)]
pub enum AnonymizeError {
    /// Invalid parameters or data.
    #[error("{0}")]
    Invalid(String),
}
