//! Stylometric authorship attribution: tokenization that understands
//! Jira/Confluence markup, feature extractors (most-frequent words with
//! culling, function words, character and word n-grams, stems, BPE subwords,
//! formatting habits), normalizations fitted on training data, the Delta family
//! of distance classifiers with nearest centroid and kNN, linear classifiers,
//! and the attacks that return documents x authors scores.
//!
//! Module map: `tokenize` (cleaning, words, truncation), `corpus` (labelled
//! documents), `features` (extractors fitted on training text; `formatting`
//! holds the formatting-habit features), `normalize` (z, TF-IDF,
//! L2), `delta` (Burrows/Cosine/Eder Delta, nearest centroid, kNN),
//! `pipeline` (features + normalization + classifier, `attribute`),
//! `ranking` (candidate order of a score row, ties to the lower index),
//! `linear` (multinomial logistic regression and one-vs-rest linear SVM via
//! linfa), `verification` (open-set verification trials, the impostors
//! method, epsilon bounds from verification scores), `pooling`
//! (pseudonym-level attribution by pooling a pseudonym's documents),
//! `pseudonym` (the pseudonym-level attack the audit and the CLI share),
//! `pairwise` (Weerasinghe & Greenstadt 2021 feature-difference verifier),
//! `lambdag` (Nini et al. 2024 grammar-model likelihood ratio), `verifiers`
//! (one call over the pairwise verifiers, for `reident verify` and open-set
//! attribution), `pan_baselines` (the PAN 2020/2021 official TF-IDF cosine
//! and compression baselines), `open_set` (attribution with a "none of the known
//! authors" answer, verification-thresholded).
//! Classifiers plug in through [`AuthorshipClassifier`] (parameters, `fit`)
//! and [`AuthorshipModel`] (the fitted model, `scores`) on a
//! [`FeatureMatrix`]'s values.
//!
//! It does not score attributions against the truth: top-k accuracy,
//! macro-F1 and the confusion matrix are in `eval::attribution`,
//! cross-validation and the sweeps over the number of authors and text
//! length in `eval::cross_validation`. It does not read files (see [`crate::data`]; `corpus::string_column` takes an already
//! loaded frame) or render charts (see `report`); results are serde structs.

/// Errors of the stylometry module.
#[derive(Debug, thiserror::Error)]
pub enum StylometryError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// Invalid input or parameters; the message says what and how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// A corpus is malformed (see [`crate::data::Corpus`]); the message
    /// names the document.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

/// A document-by-feature matrix: one row per document, one column per named
/// feature.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMatrix {
    /// Feature names, one per column of `values`.
    pub names: Vec<String>,
    /// Values, rows = documents, columns = features.
    pub values: ndarray::Array2<f64>,
}

/// The parameters of a closed-set authorship classifier over feature rows,
/// in linfa's shape (`linfa::traits::Fit`: a params value, `fit` on training
/// data, a separate fitted type): [`AuthorshipClassifier::fit`] returns an
/// [`AuthorshipModel`], and only a model can score, so a classifier used
/// before it is fitted cannot be written. Labels are indices into an author
/// list of length `n_authors`.
///
/// linfa's own `Fit` is not implemented because it takes a `DatasetBase`
/// whose targets do not carry the size of the candidate-author list (an
/// author may be scored without being the label of any row in a fold).
///
/// ```compile_fail
/// use reident::attacks::stylometry::delta::{DeltaClassifier, DeltaMetric, Profile};
/// use reident::attacks::stylometry::AuthorshipModel;
/// let x = ndarray::array![[0.0], [1.0]];
/// // Parameters have no `scores`: only the fitted model does.
/// DeltaClassifier::new(DeltaMetric::Burrows, Profile::Centroid).scores(&x);
/// ```
pub trait AuthorshipClassifier {
    /// The fitted model.
    type Model: AuthorshipModel;
    /// Fits on training rows `x` with labels `y` (author indices below
    /// `n_authors`).
    fn fit(
        &self,
        x: &ndarray::Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<Self::Model, StylometryError>;
}

/// A fitted closed-set authorship classifier (see [`AuthorshipClassifier`]).
pub trait AuthorshipModel: Send + Sync {
    /// Scores every row of `x` against every author: rows = documents,
    /// columns = authors, higher is more likely (distance classifiers return
    /// negative distances).
    fn scores(&self, x: &ndarray::Array2<f64>) -> Result<ndarray::Array2<f64>, StylometryError>;
}

impl AuthorshipModel for Box<dyn AuthorshipModel> {
    fn scores(&self, x: &ndarray::Array2<f64>) -> Result<ndarray::Array2<f64>, StylometryError> {
        self.as_ref().scores(x)
    }
}

pub mod corpus;
pub mod delta;
pub mod features;
pub mod formatting;
pub mod lambdag;
pub mod linear;
pub mod normalize;
pub mod open_set;
pub mod pairwise;
pub mod pan_baselines;
pub mod pipeline;
pub mod pooling;
pub mod pseudonym;
pub mod ranking;
pub mod tokenize;
pub mod verification;
pub mod verifiers;

/// Checks a training set shared by every classifier: rows pair with labels,
/// at least two authors, every label in range, every author with at least one
/// document, every value finite. Returns the number of documents per author.
pub(crate) fn check_training_set(
    x: &ndarray::Array2<f64>,
    y: &[usize],
    n_authors: usize,
) -> Result<Vec<usize>, StylometryError> {
    if x.nrows() != y.len() {
        return Err(StylometryError::Invalid(format!(
            "the feature matrix has {} documents but {} author labels were given; they must pair up row by row",
            x.nrows(),
            y.len()
        )));
    }
    if n_authors < 2 {
        return Err(StylometryError::Invalid(format!(
            "{n_authors} candidate author(s): attribution needs at least 2"
        )));
    }
    check_finite_features(x, "training")?;
    let mut count = vec![0usize; n_authors];
    for (row, &a) in y.iter().enumerate() {
        if a >= n_authors {
            return Err(StylometryError::Invalid(format!(
                "training document {row}: author index {a} is outside the author list of {n_authors}"
            )));
        }
        count[a] += 1;
    }
    if let Some(a) = count.iter().position(|&c| c == 0) {
        return Err(StylometryError::Invalid(format!(
            "author {a} has no training document; drop it from the author list or add documents"
        )));
    }
    Ok(count)
}

/// Errors on the first non-finite value, naming its document and column.
pub(crate) fn check_finite_features(
    x: &ndarray::Array2<f64>,
    what: &str,
) -> Result<(), StylometryError> {
    if let Some((i, _)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(StylometryError::Invalid(format!(
            "{what} feature matrix: document {}, feature column {} is not a finite number",
            i.0, i.1
        )));
    }
    Ok(())
}
