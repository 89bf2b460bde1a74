//! Stylometric authorship attribution (placeholder root written by the linear/verification/
//! pooling helper to compile in its worktree; the features/Delta helper's version replaces it).
pub mod linear;
pub mod pooling;
pub mod verification;

/// Errors of the stylometry module.
#[derive(Debug, thiserror::Error)]
pub enum StylometryError {
    /// Invalid input or parameters; the message says what and where.
    #[error("{0}")]
    Invalid(String),
}

/// Documents as rows, features as columns.
pub struct FeatureMatrix {
    /// Feature names, one per column.
    pub names: Vec<String>,
    /// Feature values, documents x features.
    pub values: ndarray::Array2<f64>,
}

/// A closed-set authorship classifier: fit on labelled documents, score new ones.
pub trait AuthorshipClassifier {
    /// Fits on documents `x` (rows) with author indices `y` into an author list of `n_authors`.
    fn fit(
        &mut self,
        x: &ndarray::Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<(), StylometryError>;
    /// Scores documents x authors; higher = more likely.
    fn scores(&self, x: &ndarray::Array2<f64>) -> Result<ndarray::Array2<f64>, StylometryError>;
}
