//! Seeded generator of an Atlassian-style corpus.
//!
//! Placeholder: filled in by the corpus-generator work.

/// Errors from the corpus generator.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Invalid parameters.
    #[error("{0}")]
    Invalid(String),
}
