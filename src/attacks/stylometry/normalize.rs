//! Feature normalization fitted on training rows only and then applied to
//! any rows: z-scores (Burrows 2002: column mean and sample standard
//! deviation of the training documents, as R's `scale` used by stylo), TF-IDF
//! (smoothed idf `ln((1 + n) / (1 + df)) + 1` as scikit-learn, then rows
//! scaled to unit L2 norm) and L2 row normalization.
//!
//! It does not choose features; see `features`.

use ndarray::{Array1, Array2, Axis};
use serde::{Deserialize, Serialize};

use super::StylometryError;

/// A normalization method (offered on the command line through a wrapper in
/// `cli`; no clap in library types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// Use values as they are.
    #[default]
    None,
    /// z-scores with training means and sample standard deviations; a
    /// column constant in training (sd 0) becomes 0.
    ZScore,
    /// TF-IDF weighting with training document frequencies, then L2 rows.
    TfIdf,
    /// Each row divided by its Euclidean norm (a zero row stays zero).
    L2,
}

/// A normalization with its training statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedNormalizer {
    method: Normalization,
    /// Column offsets (z-score means) or zeros.
    shift: Array1<f64>,
    /// Column multipliers (1/sd, idf) or ones.
    scale: Array1<f64>,
}

/// Column means and sample standard deviations (n - 1 denominator) of `x`.
/// Errors with fewer than two rows.
pub fn column_mean_sd(x: &Array2<f64>) -> Result<(Array1<f64>, Array1<f64>), StylometryError> {
    let n = x.nrows();
    if n < 2 {
        return Err(StylometryError::Invalid(format!(
            "z-scores need at least two training documents, got {n}"
        )));
    }
    let mean = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    let mut var = Array1::<f64>::zeros(x.ncols());
    for row in x.rows() {
        var.zip_mut_with(&(&row - &mean), |v, d| *v += d * d);
    }
    let sd = var.mapv(|v| (v / (n - 1) as f64).sqrt());
    Ok((mean, sd))
}

impl FittedNormalizer {
    /// Learns the statistics of `method` from training rows `x`.
    pub fn fit(method: Normalization, x: &Array2<f64>) -> Result<Self, StylometryError> {
        let d = x.ncols();
        let (shift, scale) = match method {
            Normalization::None | Normalization::L2 => (Array1::zeros(d), Array1::ones(d)),
            Normalization::ZScore => {
                let (mean, sd) = column_mean_sd(x)?;
                (mean, sd.mapv(|s| if s > 0.0 { 1.0 / s } else { 0.0 }))
            }
            Normalization::TfIdf => {
                if x.nrows() == 0 {
                    return Err(StylometryError::Invalid(
                        "TF-IDF needs training documents".into(),
                    ));
                }
                let n = x.nrows() as f64;
                let idf = x.axis_iter(Axis(1)).map(|col| {
                    let df = col.iter().filter(|&&v| v > 0.0).count() as f64;
                    ((1.0 + n) / (1.0 + df)).ln() + 1.0
                });
                (Array1::zeros(d), idf.collect())
            }
        };
        Ok(Self {
            method,
            shift,
            scale,
        })
    }

    /// The method.
    pub fn method(&self) -> Normalization {
        self.method
    }

    /// Applies the fitted normalization to `x` (same columns as training).
    pub fn transform(&self, x: &Array2<f64>) -> Result<Array2<f64>, StylometryError> {
        if x.ncols() != self.scale.len() {
            return Err(StylometryError::Invalid(format!(
                "{} feature columns but the normalizer was fitted on {}",
                x.ncols(),
                self.scale.len()
            )));
        }
        let mut out = (x - &self.shift) * &self.scale;
        if matches!(self.method, Normalization::TfIdf | Normalization::L2) {
            for mut row in out.rows_mut() {
                let norm = row.dot(&row).sqrt();
                if norm > 0.0 {
                    row /= norm;
                }
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
    fn zscore_uses_training_statistics() {
        // column 0: 1, 3 -> mean 2, sd sqrt(((1-2)^2 + (3-2)^2)/1) = sqrt(2).
        // column 1 constant -> 0.
        let train = array![[1.0, 5.0], [3.0, 5.0]];
        let n = FittedNormalizer::fit(Normalization::ZScore, &train).unwrap();
        let z = n.transform(&array![[4.0, 7.0]]).unwrap();
        assert!((z[[0, 0]] - 2.0 / 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(z[[0, 1]], 0.0);
        assert!(FittedNormalizer::fit(Normalization::ZScore, &array![[1.0]]).is_err());
    }

    #[test]
    fn tfidf_and_l2() {
        // 2 docs; column 0 in both (idf = ln(3/3)+1 = 1), column 1 in one
        // (idf = ln(3/2)+1).
        let train = array![[1.0, 1.0], [1.0, 0.0]];
        let t = FittedNormalizer::fit(Normalization::TfIdf, &train).unwrap();
        let y = t.transform(&array![[1.0, 1.0]]).unwrap();
        let idf1 = (1.5f64).ln() + 1.0;
        let norm = (1.0 + idf1 * idf1).sqrt();
        assert!((y[[0, 0]] - 1.0 / norm).abs() < 1e-12);
        assert!((y[[0, 1]] - idf1 / norm).abs() < 1e-12);
        let l = FittedNormalizer::fit(Normalization::L2, &train).unwrap();
        assert_eq!(
            l.transform(&array![[3.0, 4.0], [0.0, 0.0]]).unwrap(),
            array![[0.6, 0.8], [0.0, 0.0]]
        );
    }
}
