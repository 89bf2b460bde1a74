//! Linear authorship classifiers: multinomial logistic regression and a
//! one-vs-rest linear support vector machine, both fitted with linfa.
//!
//! Both implement [`AuthorshipClassifier`] in linfa's shape: the parameters
//! ([`LogisticAuthorship`], [`LinearSvmAuthorship`]) fit on a documents x
//! features matrix with author indices and return a fitted model
//! ([`FittedLogistic`], [`FittedLinearSvm`]) whose `scores` is a documents x
//! authors matrix (higher = more likely). [`LogisticAuthorship`] returns log-probabilities
//! (log-softmax of the linear predictor of linfa-logistic's
//! `MultiLogisticRegression`, an L2-regularised softmax regression fitted by
//! L-BFGS), so per-document scores of one pseudonym can be summed as a
//! log-likelihood (see `pooling`). [`LinearSvmAuthorship`] fits one binary
//! C-SVM per author (author vs all others, linfa-svm's SMO solver with a linear
//! kernel) and returns the raw decision values `w.x - rho` without Platt
//! scaling, as in the one-vs-rest scheme of LIBLINEAR / scikit-learn's
//! `LinearSVC`; those are margins, not probabilities.
//!
//! Stylometric features are on very different scales (a function word's
//! relative frequency versus a line-length statistic), so by default both
//! classifiers z-score every feature with the training mean and standard
//! deviation first, as Burrows' Delta does (Burrows 2002); switch this off with
//! `standardize(false)`.
//!
//! Both solvers are deterministic (L-BFGS from a zero start; SMO with a fixed
//! working-set rule), so no seed is needed: the same input gives the same
//! scores. This module does not extract features, choose hyperparameters by
//! cross-validation, or evaluate; see the rest of `stylometry`.

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use linfa_svm::Svm;
use ndarray::{Array1, Array2, ArrayView1, Axis};
use rayon::prelude::*;

use super::{AuthorshipClassifier, AuthorshipModel, StylometryError};

/// Per-feature z-scoring with training statistics; constant features get a
/// standard deviation of 1 (so they map to 0).
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    /// Training mean of each feature.
    pub mean: Array1<f64>,
    /// Training standard deviation of each feature (population, 1 if zero).
    pub std: Array1<f64>,
}

impl Standardizer {
    /// Learns means and standard deviations from the rows of `x`.
    pub fn fit(x: &Array2<f64>) -> Self {
        let n = x.nrows().max(1) as f64;
        let mean = x.sum_axis(Axis(0)) / n;
        let mut var = Array1::<f64>::zeros(x.ncols());
        for row in x.rows() {
            for ((v, &m), &xv) in var.iter_mut().zip(mean.iter()).zip(row.iter()) {
                let d = xv - m;
                *v += d * d;
            }
        }
        let std = var.mapv(|v| {
            let s = (v / n).sqrt();
            if s > 0.0 && s.is_finite() {
                s
            } else {
                1.0
            }
        });
        Standardizer { mean, std }
    }

    /// Applies `(x - mean) / std` column-wise.
    pub fn transform(&self, x: &Array2<f64>) -> Array2<f64> {
        (x - &self.mean) / &self.std
    }
}

fn check_training(x: &Array2<f64>, y: &[usize], n_authors: usize) -> Result<(), StylometryError> {
    if x.ncols() == 0 {
        return Err(StylometryError::Invalid(
            "the feature matrix has no columns; extract at least one feature".into(),
        ));
    }
    super::check_training_set(x, y, n_authors).map(|_| ())
}

fn check_finite(x: &Array2<f64>, what: &str) -> Result<(), StylometryError> {
    super::check_finite_features(x, what)
}

fn check_scoring(x: &Array2<f64>, n_features: usize) -> Result<(), StylometryError> {
    if x.ncols() != n_features {
        return Err(StylometryError::Invalid(format!(
            "the classifier was fitted on {n_features} features but the documents to score have {}; extract the same features",
            x.ncols()
        )));
    }
    check_finite(x, "scored")
}

/// Hyperparameters of [`LogisticAuthorship`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogisticParams {
    /// L2 penalty weight `alpha` in `-sum log p(y|x) + alpha/2 |W|^2` (linfa-logistic). Default 1.
    pub alpha: f64,
    /// Maximum L-BFGS iterations. Default 100.
    pub max_iterations: u64,
    /// Stop when the gradient norm falls below this. Default 1e-4.
    pub gradient_tolerance: f64,
    /// Z-score features with training statistics before fitting. Default true.
    pub standardize: bool,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 100,
            gradient_tolerance: 1e-4,
            standardize: true,
        }
    }
}

impl LogisticParams {
    /// Sets the L2 penalty weight.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    /// Sets the iteration limit.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }
    /// Sets the gradient tolerance.
    pub fn gradient_tolerance(mut self, tol: f64) -> Self {
        self.gradient_tolerance = tol;
        self
    }
    /// Switches feature standardization on or off.
    pub fn standardize(mut self, on: bool) -> Self {
        self.standardize = on;
        self
    }
}

/// Multinomial (softmax) logistic regression over authors: the
/// hyperparameters; [`fit`] returns a [`FittedLogistic`] whose scores are
/// log-probabilities `ln p(author | document)`.
///
/// Fitted with linfa-logistic 0.8 `MultiLogisticRegression` (L-BFGS on the
/// L2-penalised multinomial log-likelihood, as scikit-learn's
/// `LogisticRegression(multi_class="multinomial")`).
///
/// [`fit`]: AuthorshipClassifier::fit
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LogisticAuthorship {
    /// Hyperparameters.
    pub params: LogisticParams,
}

/// A fitted [`LogisticAuthorship`].
#[derive(Debug, Clone)]
pub struct FittedLogistic {
    scaler: Option<Standardizer>,
    /// features x authors
    weights: Array2<f64>,
    /// one per author
    intercept: Array1<f64>,
}

impl LogisticAuthorship {
    /// The classifier with these hyperparameters.
    pub fn new(params: LogisticParams) -> Self {
        LogisticAuthorship { params }
    }
}

impl FittedLogistic {
    /// Fitted weights (features x authors, on the standardized scale when
    /// standardization is on).
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }
}

impl AuthorshipClassifier for LogisticAuthorship {
    type Model = FittedLogistic;

    fn fit(
        &self,
        x: &Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<FittedLogistic, StylometryError> {
        check_training(x, y, n_authors)?;
        let p = self.params;
        if !(p.alpha >= 0.0 && p.alpha.is_finite()) {
            return Err(StylometryError::Invalid(format!(
                "logistic regression alpha = {}: must be a finite number >= 0",
                p.alpha
            )));
        }
        if !(p.gradient_tolerance > 0.0 && p.gradient_tolerance.is_finite()) {
            return Err(StylometryError::Invalid(format!(
                "logistic regression gradient tolerance = {}: must be a finite number > 0",
                p.gradient_tolerance
            )));
        }
        let scaler = p.standardize.then(|| Standardizer::fit(x));
        let xs = match &scaler {
            Some(s) => s.transform(x),
            None => x.clone(),
        };
        let targets = Array1::from_iter(y.iter().copied());
        let dataset = Dataset::new(xs, targets);
        let fitted = MultiLogisticRegression::default()
            .alpha(p.alpha)
            .max_iterations(p.max_iterations)
            .gradient_tolerance(p.gradient_tolerance)
            .fit(&dataset)
            .map_err(|e| {
                StylometryError::Invalid(format!("logistic regression fit failed: {e}"))
            })?;
        // Every author has a training document (checked), so linfa's sorted
        // class list is exactly 0..n_authors; map columns defensively anyway.
        let mut weights = Array2::<f64>::zeros((x.ncols(), n_authors));
        let mut intercept = Array1::<f64>::zeros(n_authors);
        for (col, &author) in fitted.classes().iter().enumerate() {
            weights
                .column_mut(author)
                .assign(&fitted.params().column(col));
            intercept[author] = fitted.intercept()[col];
        }
        Ok(FittedLogistic {
            scaler,
            weights,
            intercept,
        })
    }
}

impl AuthorshipModel for FittedLogistic {
    fn scores(&self, x: &Array2<f64>) -> Result<Array2<f64>, StylometryError> {
        let m = self;
        check_scoring(x, m.weights.nrows())?;
        let xs = match &m.scaler {
            Some(s) => s.transform(x),
            None => x.clone(),
        };
        let mut z = xs.dot(&m.weights) + &m.intercept;
        for mut row in z.rows_mut() {
            let max = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let lse = max + row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            row.mapv_inplace(|v| v - lse);
        }
        Ok(z)
    }
}

/// Hyperparameters of [`LinearSvmAuthorship`].
///
/// linfa-svm 0.8.1 has no iteration limit to set: its SMO solver stops when
/// the maximal violating pair is within `eps` or after
/// `max(10_000_000, 100 * n_documents)` steps.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinearSvmParams {
    /// Soft-margin penalty `C` (larger = less regularization). Default 1.
    pub c: f64,
    /// SMO stopping tolerance. Default 1e-3 (LIBSVM's default).
    pub eps: f64,
    /// Weight `C` per class inversely to its size in each one-vs-rest
    /// problem (`C_pos = C * n / (2 n_pos)`, `C_neg = C * n / (2 n_neg)`, as
    /// scikit-learn's `class_weight="balanced"`). Default true.
    pub balanced: bool,
    /// Z-score features with training statistics before fitting. Default true.
    pub standardize: bool,
}

impl Default for LinearSvmParams {
    fn default() -> Self {
        LinearSvmParams {
            c: 1.0,
            eps: 1e-3,
            balanced: true,
            standardize: true,
        }
    }
}

impl LinearSvmParams {
    /// Sets the penalty `C`.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }
    /// Sets the SMO tolerance.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    /// Switches class-balanced `C` on or off.
    pub fn balanced(mut self, on: bool) -> Self {
        self.balanced = on;
        self
    }
    /// Switches feature standardization on or off.
    pub fn standardize(mut self, on: bool) -> Self {
        self.standardize = on;
        self
    }
}

/// One-vs-rest linear C-SVM over authors: the hyperparameters; [`fit`]
/// returns a [`FittedLinearSvm`] whose scores are decision values
/// `w_a . x + b_a` (positive = on author `a`'s side of the margin).
///
/// [`fit`]: AuthorshipClassifier::fit
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LinearSvmAuthorship {
    /// Hyperparameters.
    pub params: LinearSvmParams,
}

/// A fitted [`LinearSvmAuthorship`].
#[derive(Debug, Clone)]
pub struct FittedLinearSvm {
    scaler: Option<Standardizer>,
    /// features x authors: the primal weight vector of each one-vs-rest SVM
    weights: Array2<f64>,
    /// one bias per author (`-rho`)
    bias: Array1<f64>,
}

impl LinearSvmAuthorship {
    /// The classifier with these hyperparameters.
    pub fn new(params: LinearSvmParams) -> Self {
        LinearSvmAuthorship { params }
    }
}

impl FittedLinearSvm {
    /// Fitted primal weights (features x authors).
    pub fn weights(&self) -> &Array2<f64> {
        &self.weights
    }
}

impl AuthorshipClassifier for LinearSvmAuthorship {
    type Model = FittedLinearSvm;

    fn fit(
        &self,
        x: &Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<FittedLinearSvm, StylometryError> {
        check_training(x, y, n_authors)?;
        let p = self.params;
        if !(p.c > 0.0 && p.c.is_finite()) {
            return Err(StylometryError::Invalid(format!(
                "SVM C = {}: must be a finite number > 0",
                p.c
            )));
        }
        if !(p.eps > 0.0 && p.eps.is_finite()) {
            return Err(StylometryError::Invalid(format!(
                "SVM eps = {}: must be a finite number > 0",
                p.eps
            )));
        }
        let scaler = p.standardize.then(|| Standardizer::fit(x));
        let xs = match &scaler {
            Some(s) => s.transform(x),
            None => x.clone(),
        };
        let n = xs.nrows() as f64;
        let d = xs.ncols();
        let fits: Vec<Result<(Array1<f64>, f64), StylometryError>> = (0..n_authors)
            .into_par_iter()
            .map(|author| {
                let targets = Array1::from_iter(y.iter().map(|&a| a == author));
                let n_pos = targets.iter().filter(|&&t| t).count() as f64;
                let n_neg = n - n_pos;
                let (c_pos, c_neg) = if p.balanced && n_neg > 0.0 {
                    (p.c * n / (2.0 * n_pos), p.c * n / (2.0 * n_neg))
                } else {
                    (p.c, p.c)
                };
                let dataset = Dataset::new(xs.clone(), targets);
                let model = Svm::<f64, bool>::params()
                    .pos_neg_weights(c_pos, c_neg)
                    .eps(p.eps)
                    .linear_kernel()
                    .fit(&dataset)
                    .map_err(|e| {
                        StylometryError::Invalid(format!(
                            "SVM fit for author {author} (one vs rest) failed: {e}"
                        ))
                    })?;
                // With a linear kernel the decision function is
                // `weighted_sum(x) - rho` with `weighted_sum(x) = w . x`, so
                // the primal weights are its values on the unit vectors.
                let mut w = Array1::<f64>::zeros(d);
                let mut unit = Array1::<f64>::zeros(d);
                for j in 0..d {
                    unit[j] = 1.0;
                    w[j] = model.weighted_sum(&unit);
                    unit[j] = 0.0;
                }
                Ok((w, -model.rho))
            })
            .collect();
        let mut weights = Array2::<f64>::zeros((d, n_authors));
        let mut bias = Array1::<f64>::zeros(n_authors);
        for (author, fit) in fits.into_iter().enumerate() {
            let (w, b) = fit?;
            weights.column_mut(author).assign(&w);
            bias[author] = b;
        }
        Ok(FittedLinearSvm {
            scaler,
            weights,
            bias,
        })
    }
}

impl AuthorshipModel for FittedLinearSvm {
    fn scores(&self, x: &Array2<f64>) -> Result<Array2<f64>, StylometryError> {
        let m = self;
        check_scoring(x, m.weights.nrows())?;
        let xs = match &m.scaler {
            Some(s) => s.transform(x),
            None => x.clone(),
        };
        Ok(xs.dot(&m.weights) + &m.bias)
    }
}

/// Index of the highest score in a row (the first one on ties).
pub fn argmax(row: ArrayView1<f64>) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Share of documents whose highest-scoring author is their true author.
pub fn top1_accuracy(scores: &Array2<f64>, truth: &[usize]) -> Result<f64, StylometryError> {
    if scores.nrows() != truth.len() {
        return Err(StylometryError::Invalid(format!(
            "{} score rows but {} true authors",
            scores.nrows(),
            truth.len()
        )));
    }
    if truth.is_empty() {
        return Err(StylometryError::Invalid(
            "no documents to compute accuracy on".into(),
        ));
    }
    let hits = scores
        .rows()
        .into_iter()
        .zip(truth)
        .filter(|(row, &t)| argmax(row.view()) == t)
        .count();
    Ok(hits as f64 / truth.len() as f64)
}
