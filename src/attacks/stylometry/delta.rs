//! Distance classifiers for authorship attribution: the Delta family
//! (Burrows' Delta, Cosine Delta, Eder's Delta) over z-scored features,
//! nearest centroid and k-nearest neighbours.
//!
//! * Burrows' Delta (Burrows 2002, "Delta: a Measure of Stylistic Difference
//!   and a Guide to Likely Authorship", LLC 17(3)): mean absolute difference
//!   of z-scores, `sum_i |z_a,i - z_b,i| / n` (stylo's `dist.delta`).
//! * Cosine Delta (Smith & Aldridge 2011, "Improving Authorship Attribution:
//!   Optimizing Burrows' Delta Method", J. Quant. Linguistics 18(1); Evert et
//!   al. 2017): `1 - cos(z_a, z_b)` (stylo's `dist.wurzburg`).
//! * Eder's Delta (Eder 2015, "Does size matter? Authorship attribution,
//!   small samples, big problem", DSH 30(2)): Manhattan distance of z-scores
//!   weighted by reverse frequency rank. We follow stylo's `dist.eder`
//!   exactly: the column of rank r (1 = most frequent, n columns) is
//!   multiplied by `(n - r + 2) / n` (R: `(1 + n:1) / n`), and the weighted
//!   absolute differences are summed, not averaged. Columns must be in
//!   descending frequency order (as `FeatureKind::Mfw` produces).
//!
//! z-scores use the training documents' column means and sample standard
//! deviations; a column constant in training is ignored (weight 0). An
//! author is represented by the mean z-score vector of their training
//! documents (Burrows' author "subcorpus" profile, [`Profile::Centroid`]) or
//! by their nearest training document ([`Profile::NearestDocument`], stylo's
//! `classify()` default), or, through `pipeline`, by the features of their
//! concatenated training documents with z-scores over the authors
//! ([`Profile::Subcorpus`], Burrows 2002). Scores are negative distances.

use ndarray::{Array1, Array2, ArrayView1};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::normalize::column_mean_sd;
use super::{AuthorshipClassifier, AuthorshipModel, StylometryError};

/// A Delta distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeltaMetric {
    /// Burrows' Delta: mean absolute z-score difference.
    Burrows,
    /// Cosine Delta: 1 - cosine similarity of z-score vectors.
    Cosine,
    /// Eder's Delta: rank-weighted Manhattan distance (stylo's weights).
    Eder,
}

/// How an author is represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Mean of the author's training rows.
    #[default]
    Centroid,
    /// The author's closest training row.
    NearestDocument,
    /// Burrows' (2002) author subcorpus: `pipeline` concatenates each
    /// author's training documents into one text before extracting features,
    /// so the classifier is fitted on one row per author (pooled relative
    /// frequencies) and the z-score means and standard deviations are taken
    /// over the authors' subcorpora, as in Burrows' "main set" and
    /// faststylometry's `calculate_burrows_delta`. Given document rows
    /// directly, the classifier treats it as [`Profile::Centroid`].
    Subcorpus,
}

/// Burrows' Delta between two z-score vectors.
pub fn burrows_delta(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let n = a.len().max(1) as f64;
    sum_abs_diff(a, b) / n
}

/// `sum_i |a_i - b_i|`. On contiguous rows it keeps four partial sums (the
/// additions are independent, so the loop pipelines and vectorizes); the
/// result can differ from a left-to-right sum in the last bits only.
fn sum_abs_diff(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    match (a.as_slice(), b.as_slice()) {
        (Some(x), Some(y)) if x.len() == y.len() => {
            let mut acc = [0.0f64; 4];
            let xs = x.chunks_exact(4);
            let ys = y.chunks_exact(4);
            let tail: f64 = xs
                .remainder()
                .iter()
                .zip(ys.remainder())
                .map(|(p, q)| (p - q).abs())
                .sum();
            for (cx, cy) in xs.zip(ys) {
                for k in 0..4 {
                    acc[k] += (cx[k] - cy[k]).abs();
                }
            }
            (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
        }
        _ => a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).sum(),
    }
}

/// Eder's Delta between two z-score vectors whose columns are in descending
/// frequency order: `sum_r |a_r - b_r| * (n - r + 2) / n`, r = 1..n (stylo).
pub fn eder_delta(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let n = a.len() as f64;
    a.iter()
        .zip(b.iter())
        .enumerate()
        .map(|(i, (x, y))| (x - y).abs() * (n - (i as f64 + 1.0) + 2.0) / n)
        .sum()
}

/// Cosine distance `1 - a.b / (|a||b|)`; 1 when either vector is zero.
pub fn cosine_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    let na = a.dot(&a).sqrt();
    let nb = b.dot(&b).sqrt();
    if na == 0.0 || nb == 0.0 {
        return 1.0;
    }
    1.0 - a.dot(&b) / (na * nb)
}

/// Euclidean distance.
pub fn euclidean_distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

impl DeltaMetric {
    /// The distance between two z-score vectors.
    pub fn distance(self, a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
        match self {
            Self::Burrows => burrows_delta(a, b),
            Self::Cosine => cosine_distance(a, b),
            Self::Eder => eder_delta(a, b),
        }
    }
}

fn check_fit(
    x: &Array2<f64>,
    y: &[usize],
    n_authors: usize,
) -> Result<Vec<usize>, StylometryError> {
    super::check_training_set(x, y, n_authors)
}

fn centroids(x: &Array2<f64>, y: &[usize], counts: &[usize]) -> Array2<f64> {
    let mut c = Array2::<f64>::zeros((counts.len(), x.ncols()));
    for (row, &l) in x.rows().into_iter().zip(y) {
        let mut target = c.row_mut(l);
        target += &row;
    }
    for (mut row, &n) in c.rows_mut().into_iter().zip(counts) {
        row /= n as f64;
    }
    c
}

fn check_width(x: &Array2<f64>, width: usize) -> Result<(), StylometryError> {
    if x.ncols() != width {
        return Err(StylometryError::Invalid(format!(
            "{} feature columns but the classifier was fitted on {width}",
            x.ncols()
        )));
    }
    Ok(())
}

/// Scores each row against each author by a distance to the author's
/// centroid or nearest training row: `-distance`.
fn profile_scores(
    z: &Array2<f64>,
    train: &Array2<f64>,
    labels: &[usize],
    centroid: &Array2<f64>,
    profile: Profile,
    dist: impl Fn(ArrayView1<f64>, ArrayView1<f64>) -> f64 + Sync,
) -> Array2<f64> {
    let n_authors = centroid.nrows();
    // Rows are independent: score them in parallel, one output row each.
    let rows: Vec<Vec<f64>> = (0..z.nrows())
        .into_par_iter()
        .map(|i| {
            let row = z.row(i);
            match profile {
                Profile::Centroid | Profile::Subcorpus => (0..n_authors)
                    .map(|a| -dist(row, centroid.row(a)))
                    .collect(),
                Profile::NearestDocument => {
                    let mut best = vec![f64::NEG_INFINITY; n_authors];
                    for (t, &l) in train.rows().into_iter().zip(labels) {
                        let s = -dist(row, t);
                        if s > best[l] {
                            best[l] = s;
                        }
                    }
                    best
                }
            }
        })
        .collect();
    let mut out = Array2::<f64>::zeros((z.nrows(), n_authors));
    for (mut target, row) in out.rows_mut().into_iter().zip(rows) {
        for (t, v) in target.iter_mut().zip(row) {
            *t = v;
        }
    }
    out
}

/// The parameters of a Delta classifier (see the module docs); [`fit`]
/// returns a [`FittedDelta`].
///
/// [`fit`]: AuthorshipClassifier::fit
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeltaClassifier {
    /// The distance.
    pub metric: DeltaMetric,
    /// Author representation.
    pub profile: Profile,
}

/// A Delta classifier fitted on training rows: z-score statistics, the
/// training rows as z-scores and the author centroids.
#[derive(Debug, Clone)]
pub struct FittedDelta {
    metric: DeltaMetric,
    profile: Profile,
    mean: Array1<f64>,
    inv_sd: Array1<f64>,
    train_z: Array2<f64>,
    labels: Vec<usize>,
    centroids: Array2<f64>,
}

impl DeltaClassifier {
    /// The parameters of a Delta classifier.
    pub fn new(metric: DeltaMetric, profile: Profile) -> Self {
        Self { metric, profile }
    }
}

impl AuthorshipClassifier for DeltaClassifier {
    type Model = FittedDelta;

    fn fit(
        &self,
        x: &Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<FittedDelta, StylometryError> {
        let counts = check_fit(x, y, n_authors)?;
        let (mean, sd) = column_mean_sd(x)?;
        let inv_sd = sd.mapv(|s| if s > 0.0 { 1.0 / s } else { 0.0 });
        let train_z = (x - &mean) * &inv_sd;
        let centroids = centroids(&train_z, y, &counts);
        Ok(FittedDelta {
            metric: self.metric,
            profile: self.profile,
            mean,
            inv_sd,
            train_z,
            labels: y.to_vec(),
            centroids,
        })
    }
}

impl AuthorshipModel for FittedDelta {
    fn scores(&self, x: &Array2<f64>) -> Result<Array2<f64>, StylometryError> {
        check_width(x, self.mean.len())?;
        let z = (x - &self.mean) * &self.inv_sd;
        let metric = self.metric;
        Ok(profile_scores(
            &z,
            &self.train_z,
            &self.labels,
            &self.centroids,
            self.profile,
            |a, b| metric.distance(a, b),
        ))
    }
}

/// Nearest centroid: Euclidean distance to each author's mean training row
/// in the given (already normalized) feature space; score = -distance.
/// It has no parameters; [`fit`] returns a [`FittedNearestCentroid`].
///
/// [`fit`]: AuthorshipClassifier::fit
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NearestCentroid;

/// Nearest centroid fitted on training rows: the author centroids.
#[derive(Debug, Clone)]
pub struct FittedNearestCentroid {
    centroids: Array2<f64>,
}

impl NearestCentroid {
    /// The (parameterless) classifier.
    pub fn new() -> Self {
        Self
    }
}

impl AuthorshipClassifier for NearestCentroid {
    type Model = FittedNearestCentroid;

    fn fit(
        &self,
        x: &Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<FittedNearestCentroid, StylometryError> {
        let counts = check_fit(x, y, n_authors)?;
        Ok(FittedNearestCentroid {
            centroids: centroids(x, y, &counts),
        })
    }
}

impl AuthorshipModel for FittedNearestCentroid {
    fn scores(&self, x: &Array2<f64>) -> Result<Array2<f64>, StylometryError> {
        let c = &self.centroids;
        check_width(x, c.ncols())?;
        Ok(profile_scores(
            x,
            c,
            &[],
            c,
            Profile::Centroid,
            euclidean_distance,
        ))
    }
}

/// Distance used by [`Knn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KnnDistance {
    /// Euclidean distance.
    #[default]
    Euclidean,
    /// Cosine distance.
    Cosine,
}

/// The parameters of a k-nearest-neighbour vote over training rows; [`fit`]
/// returns a [`FittedKnn`]. The score of an author is
/// the number of the `k` nearest training rows that belong to them plus a
/// tie-breaker `0.5 / (1 + d)` where `d` is the distance to that author's
/// closest training row; the tie-breaker is below 1 so it never overturns a
/// vote count, and it ranks authors without votes by proximity (needed for
/// top-k accuracy). Neighbours at equal distance are taken in training order.
///
/// [`fit`]: AuthorshipClassifier::fit
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Knn {
    /// Number of neighbours (>= 1).
    pub k: usize,
    /// Distance.
    pub distance: KnnDistance,
}

/// kNN fitted on training rows: the rows themselves and their labels.
#[derive(Debug, Clone)]
pub struct FittedKnn {
    k: usize,
    distance: KnnDistance,
    train: Array2<f64>,
    labels: Vec<usize>,
    n_authors: usize,
}

impl Knn {
    /// The parameters of a kNN classifier.
    pub fn new(k: usize, distance: KnnDistance) -> Self {
        Self { k, distance }
    }
}

impl AuthorshipClassifier for Knn {
    type Model = FittedKnn;

    fn fit(
        &self,
        x: &Array2<f64>,
        y: &[usize],
        n_authors: usize,
    ) -> Result<FittedKnn, StylometryError> {
        check_fit(x, y, n_authors)?;
        if self.k == 0 {
            return Err(StylometryError::Invalid("kNN needs k >= 1".into()));
        }
        Ok(FittedKnn {
            k: self.k,
            distance: self.distance,
            train: x.clone(),
            labels: y.to_vec(),
            n_authors,
        })
    }
}

impl AuthorshipModel for FittedKnn {
    fn scores(&self, x: &Array2<f64>) -> Result<Array2<f64>, StylometryError> {
        let (train, labels, n_authors) = (&self.train, &self.labels, self.n_authors);
        check_width(x, train.ncols())?;
        let mut out = Array2::<f64>::zeros((x.nrows(), n_authors));
        let mut dists: Vec<(f64, usize)> = Vec::with_capacity(train.nrows());
        for (i, row) in x.rows().into_iter().enumerate() {
            dists.clear();
            for (t, trow) in train.rows().into_iter().enumerate() {
                let d = match self.distance {
                    KnnDistance::Euclidean => euclidean_distance(row, trow),
                    KnnDistance::Cosine => cosine_distance(row, trow),
                };
                dists.push((d, t));
            }
            dists.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut nearest = vec![f64::INFINITY; n_authors];
            for &(d, t) in dists.iter() {
                let l = labels[t];
                if d < nearest[l] {
                    nearest[l] = d;
                }
            }
            for &(_, t) in dists.iter().take(self.k) {
                out[[i, labels[t]]] += 1.0;
            }
            for (a, d) in nearest.iter().enumerate() {
                out[[i, a]] += 0.5 / (1.0 + d);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn distances_by_hand() {
        let a = array![1.0, 0.0, 2.0];
        let b = array![0.0, 0.0, 0.0];
        // Burrows: (1 + 0 + 2) / 3 = 1.
        assert_eq!(burrows_delta(a.view(), b.view()), 1.0);
        // Eder (stylo weights (n - r + 2)/n, n = 3): 1*4/3 + 0*3/3 + 2*2/3 = 8/3.
        assert!((eder_delta(a.view(), b.view()) - 8.0 / 3.0).abs() < 1e-12);
        // Cosine: (1,0) vs (1,1): 1 - 1/sqrt(2).
        let c = cosine_distance(array![1.0, 0.0].view(), array![1.0, 1.0].view());
        assert!((c - (1.0 - 1.0 / 2f64.sqrt())).abs() < 1e-12);
        assert_eq!(
            cosine_distance(array![0.0, 0.0].view(), array![1.0, 1.0].view()),
            1.0
        );
    }

    /// Eder's Delta weighting pinned to stylo's `dist.eder` (Eder 2015):
    /// `x * ((1 + n:1) / n)`, i.e. rank r gets `(n - r + 2) / n`; for n = 4
    /// the weights are 5/4, 4/4, 3/4, 2/4, applied to a unit difference in
    /// each column in turn, and the weighted differences are summed.
    #[test]
    fn eder_weights_pinned_to_stylo() {
        let zero = array![0.0, 0.0, 0.0, 0.0];
        let weights: Vec<f64> = (0..4)
            .map(|i| {
                let mut e = zero.clone();
                e[i] = 1.0;
                eder_delta(e.view(), zero.view())
            })
            .collect();
        assert_eq!(weights, vec![1.25, 1.0, 0.75, 0.5]);
        // Sum, not mean: all four columns differ by 1 -> 5/4 + 1 + 3/4 + 1/2 = 3.5.
        assert_eq!(
            eder_delta(array![1.0, 1.0, 1.0, 1.0].view(), zero.view()),
            3.5
        );
    }

    #[test]
    fn burrows_centroid_by_hand() {
        // One feature; author 0 rows 0, 2; author 1 rows 4, 6.
        // mean 3, sd = sqrt((9 + 1 + 1 + 9) / 3) = sqrt(20/3).
        // centroid z: A = -2/sd, B = 2/sd; test 2 -> z = -1/sd.
        // Delta to A = 1/sd, to B = 3/sd.
        let x = array![[0.0], [2.0], [4.0], [6.0]];
        let c = DeltaClassifier::new(DeltaMetric::Burrows, Profile::Centroid)
            .fit(&x, &[0, 0, 1, 1], 2)
            .unwrap();
        let s = c.scores(&array![[2.0]]).unwrap();
        let sd = (20.0f64 / 3.0).sqrt();
        assert!((s[[0, 0]] + 1.0 / sd).abs() < 1e-12);
        assert!((s[[0, 1]] + 3.0 / sd).abs() < 1e-12);
        // Nearest document: closest A row is 2 (distance 0), closest B row 4 (2/sd).
        let n = DeltaClassifier::new(DeltaMetric::Burrows, Profile::NearestDocument)
            .fit(&x, &[0, 0, 1, 1], 2)
            .unwrap();
        let s = n.scores(&array![[2.0]]).unwrap();
        assert_eq!(s[[0, 0]], 0.0);
        assert!((s[[0, 1]] + 2.0 / sd).abs() < 1e-12);
    }

    #[test]
    fn centroid_and_knn_by_hand() {
        let x = array![[0.0, 0.0], [0.0, 2.0], [10.0, 0.0]];
        let y = [0, 0, 1];
        let nc = NearestCentroid::new().fit(&x, &y, 2).unwrap();
        // centroid A = (0, 1); B = (10, 0); test (0, 1): distances 0 and sqrt(101).
        let s = nc.scores(&array![[0.0, 1.0]]).unwrap();
        assert_eq!(s[[0, 0]], 0.0);
        assert!((s[[0, 1]] + 101f64.sqrt()).abs() < 1e-12);
        let knn = Knn::new(2, KnnDistance::Euclidean).fit(&x, &y, 2).unwrap();
        // test (6, 0): distances 6, sqrt(40)=6.32, 4 -> 2 nearest: B (4), A (6).
        // A: 1 vote + 0.5/7; B: 1 vote + 0.5/5.
        let s = knn.scores(&array![[6.0, 0.0]]).unwrap();
        assert!((s[[0, 0]] - (1.0 + 0.5 / 7.0)).abs() < 1e-12);
        assert!((s[[0, 1]] - (1.0 + 0.5 / 5.0)).abs() < 1e-12);
    }

    #[test]
    fn bad_fits_are_errors() {
        let x = array![[0.0], [1.0]];
        let c = DeltaClassifier::new(DeltaMetric::Eder, Profile::Centroid);
        assert!(c.fit(&x, &[0, 0], 1).is_err()); // single author
        assert!(c.fit(&x, &[0, 0], 2).is_err()); // author 1 without documents
        assert!(c.fit(&x, &[0], 2).is_err()); // length mismatch
                                              // Scoring with other features than the fit's is an error.
        let fitted = c.fit(&x, &[0, 1], 2).unwrap();
        assert!(fitted.scores(&ndarray::array![[0.0, 1.0]]).is_err());
        assert!(Knn::new(0, KnnDistance::Cosine)
            .fit(&x, &[0, 1], 2)
            .is_err());
    }
}
