//! Distance-based record linkage (DBRL) for masked numeric microdata:
//! Domingo-Ferrer and Torra 2001, "A quantitative comparison of disclosure
//! control methods for microdata" (in Confidentiality, Disclosure and Data
//! Access, Elsevier), and Torra, Abowd and Domingo-Ferrer 2006 for the
//! Mahalanobis variant. Each masked record (noise-added, microaggregated,
//! ...) is linked to the nearest original record; the linkage rate against a
//! truth key is the disclosure-risk measure.
//!
//! Distances: Euclidean on z-scores, each column standardized with the
//! *originals'* mean and population standard deviation (a constant column is
//! only centred), applied to both files; or Mahalanobis with the originals'
//! population covariance (both files whitened by its Cholesky factor, so the
//! Euclidean distance of whitened records is the Mahalanobis distance).
//!
//! Ties are handled exactly: for each masked record the number of originals
//! strictly closer than its true original (`c`) and at exactly the same
//! distance (`t`, the true one included; squared distances within a
//! relative [`TIE_TOLERANCE`] are equal) are counted; with random
//! tie-breaking the true original is in the top `k` with probability 1 when
//! `c + t <= k`, 0 when `c >= k`, `(k - c) / t` otherwise. The linkage rate
//! is this expectation at `k = 1`; the top-k curve is the same for
//! `k = 1..=max_rank`.
//!
//! Brute force, one rayon task per masked record (cost masked x originals x
//! columns). Not done here: categorical attributes (see
//! `attacks::linkage`), one-to-one assignment, reading files.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::data::EncodedTable;

/// Errors of distance-based record linkage.
#[derive(Debug, thiserror::Error)]
pub enum DistanceLinkageError {
    /// The two files do not have the same columns.
    #[error("the originals have {original} column(s) and the masked file {masked}; give the same numeric columns in the same order")]
    ColumnCount {
        /// Columns of the originals.
        original: usize,
        /// Columns of the masked file.
        masked: usize,
    },
    /// A value is missing or not a finite number.
    #[error("{source_name}: column `{column}`, data row {row}: a missing or non-numeric value; DBRL needs a number in every cell (impute or drop the row first)")]
    NotNumeric {
        /// File or label.
        source_name: String,
        /// Column name.
        column: String,
        /// 1-based data row.
        row: usize,
    },
    /// A column is not in a table.
    #[error("{source_name}: no column `{column}`")]
    MissingColumn {
        /// File or label.
        source_name: String,
        /// Column.
        column: String,
    },
    /// The truth key names an original row that does not exist.
    #[error("truth key of masked row {masked_row} points to original row {original_row}, but the originals have {n_original} rows")]
    BadTruth {
        /// 1-based masked row.
        masked_row: usize,
        /// 1-based original row given.
        original_row: usize,
        /// Rows of the originals.
        n_original: usize,
    },
    /// The truth key has a different length than the masked file.
    #[error("the truth key has {truth} entries but the masked file has {masked} rows")]
    TruthLength {
        /// Entries in the truth key.
        truth: usize,
        /// Masked rows.
        masked: usize,
    },
    /// The covariance of the originals is singular.
    #[error("the covariance matrix of the originals is singular (a column is constant or a linear combination of others); drop that column or use the Euclidean metric")]
    SingularCovariance,
    /// An input is empty.
    #[error("the {0} file has no rows or no columns")]
    Empty(&'static str),
}

/// Relative tolerance under which two squared distances are a tie (so that
/// rounding in standardization does not break symmetric ties).
pub const TIE_TOLERANCE: f64 = 1e-9;

/// Distance between records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DistanceMetric {
    /// Euclidean distance of z-scores (originals' mean and sd).
    Euclidean,
    /// Mahalanobis distance with the originals' covariance.
    Mahalanobis,
}

/// A numeric matrix, one `Vec` per column, all of the same length.
pub type Columns = [Vec<f64>];

/// The numeric columns `columns` of `table` (each cell must be a finite
/// number), one `Vec` per column.
pub fn numeric_columns(
    table: &EncodedTable,
    columns: &[&str],
) -> Result<Vec<Vec<f64>>, DistanceLinkageError> {
    columns
        .iter()
        .map(|&name| {
            let col = table
                .column(name)
                .ok_or_else(|| DistanceLinkageError::MissingColumn {
                    source_name: table.source.clone(),
                    column: name.to_string(),
                })?;
            let values = col.numeric_values(&table.source).map_err(|_| {
                DistanceLinkageError::NotNumeric {
                    source_name: table.source.clone(),
                    column: name.to_string(),
                    row: 0,
                }
            })?;
            col.codes
                .iter()
                .enumerate()
                .map(|(row, &c)| {
                    values[c as usize].ok_or_else(|| DistanceLinkageError::NotNumeric {
                        source_name: table.source.clone(),
                        column: name.to_string(),
                        row: row + 1,
                    })
                })
                .collect()
        })
        .collect()
}

/// Share of masked records whose true original is within the first `k`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankPoint {
    /// Rank cut-off.
    pub k: usize,
    /// Expected share with random tie-breaking.
    pub share: f64,
}

/// DBRL result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DistanceLinkageResult {
    /// Metric used.
    pub metric: DistanceMetric,
    /// Original records.
    pub n_original: usize,
    /// Masked records.
    pub n_masked: usize,
    /// Masked records with a truth entry (the denominator).
    pub n_scored: usize,
    /// Masked records whose true original is strictly the nearest.
    pub n_linked: usize,
    /// Masked records whose true original ties with another at its distance.
    pub n_ties: usize,
    /// Expected share linked to the true original (ties credited `1/t`).
    pub linkage_rate: f64,
    /// Mean optimistic rank (1 + originals strictly closer than the truth).
    pub mean_rank: f64,
    /// `1 / n_original`: a random guess.
    pub chance: f64,
    /// Top-k curve, `k = 1..=max_rank`.
    pub top_k: Vec<RankPoint>,
}

/// Transforms both files into the space where Euclidean distance is the
/// chosen metric; returns row-major matrices.
fn transform(
    original: &Columns,
    masked: &Columns,
    metric: DistanceMetric,
) -> Result<(Vec<f64>, Vec<f64>), DistanceLinkageError> {
    let d = original.len();
    let n = original[0].len();
    let means: Vec<f64> = original
        .iter()
        .map(|c| c.iter().sum::<f64>() / n as f64)
        .collect();
    let row_major = |cols: &Columns| -> Vec<f64> {
        let m = cols[0].len();
        let mut out = vec![0.0; m * d];
        for (j, col) in cols.iter().enumerate() {
            for (i, &x) in col.iter().enumerate() {
                out[i * d + j] = x - means[j];
            }
        }
        out
    };
    let mut o = row_major(original);
    let mut m = row_major(masked);
    match metric {
        DistanceMetric::Euclidean => {
            let sds: Vec<f64> = (0..d)
                .map(|j| {
                    let var = (0..n).map(|i| o[i * d + j].powi(2)).sum::<f64>() / n as f64;
                    if var > 0.0 {
                        var.sqrt()
                    } else {
                        1.0
                    }
                })
                .collect();
            for data in [&mut o, &mut m] {
                for row in data.chunks_mut(d) {
                    for (x, s) in row.iter_mut().zip(&sds) {
                        *x /= s;
                    }
                }
            }
        }
        DistanceMetric::Mahalanobis => {
            let mut cov = vec![0.0; d * d];
            for row in o.chunks(d) {
                for a in 0..d {
                    for b in 0..=a {
                        cov[a * d + b] += row[a] * row[b] / n as f64;
                    }
                }
            }
            let l = cholesky(&cov, d).ok_or(DistanceLinkageError::SingularCovariance)?;
            for data in [&mut o, &mut m] {
                for row in data.chunks_mut(d) {
                    forward_substitute(&l, d, row);
                }
            }
        }
    }
    Ok((o, m))
}

/// Lower Cholesky factor of the symmetric matrix whose lower triangle is in
/// `a` (row-major `d x d`); `None` unless positive definite.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    let scale = (0..d).map(|i| a[i * d + i].abs()).fold(0.0, f64::max);
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum();
            if i == j {
                let v = a[i * d + i] - s;
                if v <= 1e-12 * scale.max(f64::MIN_POSITIVE) {
                    return None;
                }
                l[i * d + i] = v.sqrt();
            } else {
                l[i * d + j] = (a[i * d + j] - s) / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Solves `L y = x` in place.
fn forward_substitute(l: &[f64], d: usize, x: &mut [f64]) {
    for i in 0..d {
        let s: f64 = (0..i).map(|k| l[i * d + k] * x[k]).sum();
        x[i] = (x[i] - s) / l[i * d + i];
    }
}

/// Links every masked record to the originals (see the module doc).
/// `truth[i]` is the 0-based original row of masked row `i` (`None` when
/// unknown; such rows are not scored). `max_rank` is the length of the top-k
/// curve.
pub fn distance_linkage(
    original: &Columns,
    masked: &Columns,
    truth: &[Option<usize>],
    metric: DistanceMetric,
    max_rank: usize,
) -> Result<DistanceLinkageResult, DistanceLinkageError> {
    if original.len() != masked.len() {
        return Err(DistanceLinkageError::ColumnCount {
            original: original.len(),
            masked: masked.len(),
        });
    }
    if original.is_empty() || original[0].is_empty() {
        return Err(DistanceLinkageError::Empty("original"));
    }
    if masked[0].is_empty() {
        return Err(DistanceLinkageError::Empty("masked"));
    }
    for (label, cols) in [("originals", original), ("masked file", masked)] {
        for (j, c) in cols.iter().enumerate() {
            if c.len() != cols[0].len() {
                return Err(DistanceLinkageError::Empty(if label == "originals" {
                    "original"
                } else {
                    "masked"
                }));
            }
            if let Some(row) = c.iter().position(|x| !x.is_finite()) {
                return Err(DistanceLinkageError::NotNumeric {
                    source_name: label.to_string(),
                    column: format!("#{}", j + 1),
                    row: row + 1,
                });
            }
        }
    }
    let (n_o, n_m, d) = (original[0].len(), masked[0].len(), original.len());
    if truth.len() != n_m {
        return Err(DistanceLinkageError::TruthLength {
            truth: truth.len(),
            masked: n_m,
        });
    }
    if let Some((i, t)) = truth
        .iter()
        .enumerate()
        .find_map(|(i, t)| t.filter(|&t| t >= n_o).map(|t| (i, t)))
    {
        return Err(DistanceLinkageError::BadTruth {
            masked_row: i + 1,
            original_row: t + 1,
            n_original: n_o,
        });
    }
    let (o, m) = transform(original, masked, metric)?;
    let dist2 =
        |a: &[f64], b: &[f64]| -> f64 { a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum() };
    // Per scored masked row: (strictly closer, tied including the truth).
    let counts: Vec<(usize, usize)> = (0..n_m)
        .into_par_iter()
        .filter_map(|i| {
            let t = truth[i]?;
            let row = &m[i * d..(i + 1) * d];
            let d_true = dist2(row, &o[t * d..(t + 1) * d]);
            let tolerance = TIE_TOLERANCE * d_true;
            let (mut closer, mut tied) = (0, 0);
            for r in o.chunks(d) {
                let dr = dist2(row, r);
                if dr < d_true - tolerance {
                    closer += 1;
                } else if dr <= d_true + tolerance {
                    tied += 1;
                }
            }
            Some((closer, tied))
        })
        .collect();
    let n_scored = counts.len();
    let share_within = |k: usize| -> f64 {
        let total: f64 = counts
            .iter()
            .map(|&(c, t)| {
                if c + t <= k {
                    1.0
                } else if c >= k {
                    0.0
                } else {
                    (k - c) as f64 / t as f64
                }
            })
            .sum();
        if n_scored == 0 {
            0.0
        } else {
            total / n_scored as f64
        }
    };
    Ok(DistanceLinkageResult {
        metric,
        n_original: n_o,
        n_masked: n_m,
        n_scored,
        n_linked: counts.iter().filter(|&&(c, t)| c == 0 && t == 1).count(),
        n_ties: counts.iter().filter(|&&(_, t)| t > 1).count(),
        linkage_rate: share_within(1),
        mean_rank: if n_scored == 0 {
            0.0
        } else {
            counts.iter().map(|&(c, _)| (c + 1) as f64).sum::<f64>() / n_scored as f64
        },
        chance: 1.0 / n_o as f64,
        top_k: (1..=max_rank.max(1))
            .map(|k| RankPoint {
                k,
                share: share_within(k),
            })
            .collect(),
    })
}
