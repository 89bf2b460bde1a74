//! The randomized-response channel of a categorical column and its implied
//! epsilon, estimated from paired (original, release) values.
//!
//! The channel `P(release = j | original = i)` gets a Clopper-Pearson (1934)
//! interval per cell ([`crate::eval::Rate::clopper_pearson`]),
//! Bonferroni-corrected so that all cells hold at once, and the implied
//! epsilon `ln max_j max_{i,i'} P(j|i) / P(j|i')` the interval those
//! simultaneous cell bounds give. When the release domain equals the original
//! domain, the k-ary randomized response model (Warner 1965; Kairouz, Bonawitz
//! & Ramage 2016) is also fitted: the keep probability
//! `p = e^eps / (e^eps + k - 1)` from the diagonal, so
//! `eps = ln(p (k - 1) / (1 - p))`.
//!
//! It lives in `eval` rather than `dp` because it is a table of counts turned
//! into binomial intervals, and the crate computes those in one place
//! ([`super::rate`]); the numeric noise fits (Gamma and chi-square intervals
//! of a scale) stay in `crate::dp::estimate`. Nothing here reads files; the
//! CLI parses the columns and calls [`estimate_channel`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::rate::Rate;
use super::EvalError;
use crate::dp::Estimate;

/// Two-sided Clopper-Pearson interval of `count` out of `total` at `level`.
fn clopper_pearson_interval(count: u64, total: u64, level: f64) -> Result<(f64, f64), EvalError> {
    let i = Rate::count(count, total).clopper_pearson(level, "channel cell")?;
    Ok((i.low, i.high))
}

/// Checks a confidence level strictly between 0 and 1.
fn check_confidence(confidence: f64) -> Result<(), EvalError> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(EvalError::Range {
            name: "confidence".into(),
            value: confidence.to_string(),
            requirement: "must lie strictly between 0 and 1, e.g. 0.95".into(),
        })
    }
}

/// Errors unless there are as many release values as original values, and some.
fn check_paired_lengths(n_original: usize, n_release: usize) -> Result<(), EvalError> {
    if n_original != n_release {
        return Err(EvalError::LengthMismatch {
            left_name: "original".into(),
            left: n_original,
            right_name: "release".into(),
            right: n_release,
        });
    }
    if n_original == 0 {
        return Err(EvalError::Invalid(
            "no (original, release) pairs: the inputs are empty".into(),
        ));
    }
    Ok(())
}

/// One cell of the estimated channel `P(release = j | original = i)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelCell {
    /// The original category `i`.
    pub original: String,
    /// The released category `j`.
    pub release: String,
    /// Rows with original `i` released as `j`.
    pub count: u64,
    /// Rows with original `i`.
    pub row_total: u64,
    /// Clopper-Pearson interval of `P(j | i)` at the per-cell (Bonferroni) level.
    pub probability: Estimate,
}

/// The cells achieving the largest ratio `P(j | i) / P(j | i')`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorstRatio {
    /// Released category `j`.
    pub release: String,
    /// Original category `i` (numerator).
    pub original: String,
    /// Original category `i'` (denominator).
    pub other_original: String,
}

/// The k-ary randomized response fit (Warner 1965; Kairouz et al. 2016).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KrrFit {
    /// Number of categories `k`.
    pub k: usize,
    /// Probability that a value is released unchanged, Clopper-Pearson interval.
    pub keep_probability: Estimate,
    /// `ln(p (k - 1) / (1 - p))`, 0 when `p <= 1/k`.
    pub epsilon: Estimate,
}

/// The estimated randomized-response channel of a categorical column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelEstimate {
    /// Number of pairs.
    pub n_rows: usize,
    /// Original categories (rows of the channel), in order of first appearance.
    pub original_categories: Vec<String>,
    /// Release categories (columns), in order of first appearance.
    pub release_categories: Vec<String>,
    /// Cells, row-major (original-major).
    pub cells: Vec<ChannelCell>,
    /// Confidence of each cell interval: `1 - (1 - confidence) / cells`.
    pub per_cell_confidence: f64,
    /// Implied epsilon `ln max P(j|i) / P(j|i')` with the simultaneous interval.
    pub epsilon: Estimate,
    /// Where the largest point ratio occurs.
    pub worst_ratio: Option<WorstRatio>,
    /// The k-RR fit, when the release uses the same categories as the originals.
    pub krr: Option<KrrFit>,
}

fn index_of<S: AsRef<str>>(values: &[S]) -> (Vec<&str>, Vec<usize>) {
    let mut map: HashMap<&str, usize> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let codes = values
        .iter()
        .map(|v| {
            let v = v.as_ref();
            *map.entry(v).or_insert_with(|| {
                names.push(v);
                names.len() - 1
            })
        })
        .collect();
    (names, codes)
}

/// Estimates the channel `P(release | original)` of a categorical column from
/// paired values and its implied epsilon at `confidence` (see module docs).
pub fn estimate_channel<S: AsRef<str>, T: AsRef<str>>(
    original: &[S],
    release: &[T],
    confidence: f64,
) -> Result<ChannelEstimate, EvalError> {
    check_confidence(confidence)?;
    check_paired_lengths(original.len(), release.len())?;
    let (orig_names, orig_codes) = index_of(original);
    let (rel_names, rel_codes) = index_of(release);
    let (ko, kr) = (orig_names.len(), rel_names.len());
    let mut counts = vec![0u64; ko * kr];
    for (&i, &j) in orig_codes.iter().zip(&rel_codes) {
        counts[i * kr + j] += 1;
    }
    let totals: Vec<u64> = (0..ko)
        .map(|i| counts[i * kr..(i + 1) * kr].iter().sum())
        .collect();
    let m = (ko * kr) as f64;
    let per_cell = 1.0 - (1.0 - confidence) / m;
    let mut cells = Vec::with_capacity(ko * kr);
    for i in 0..ko {
        for j in 0..kr {
            let c = counts[i * kr + j];
            let (lo, hi) = clopper_pearson_interval(c, totals[i], per_cell)?;
            cells.push(ChannelCell {
                original: orig_names[i].to_string(),
                release: rel_names[j].to_string(),
                count: c,
                row_total: totals[i],
                probability: Estimate {
                    point: c as f64 / totals[i] as f64,
                    lower: lo,
                    upper: hi,
                    confidence: per_cell,
                },
            });
        }
    }
    let (mut point, mut lower, mut upper) = (0.0f64, 0.0f64, 0.0f64);
    let mut worst: Option<(usize, usize, usize)> = None;
    for j in 0..kr {
        for i in 0..ko {
            for i2 in 0..ko {
                if i == i2 {
                    continue;
                }
                let a = &cells[i * kr + j].probability;
                let b = &cells[i2 * kr + j].probability;
                let r_point = log_ratio(a.point, b.point);
                if r_point > point || (worst.is_none() && r_point >= point && a.point > 0.0) {
                    point = r_point;
                    worst = Some((j, i, i2));
                }
                lower = lower.max(log_ratio(a.lower, b.upper));
                upper = upper.max(log_ratio(a.upper, b.lower));
            }
        }
    }
    let krr = fit_krr(&orig_names, &rel_names, &orig_codes, &rel_codes, confidence)?;
    Ok(ChannelEstimate {
        n_rows: original.len(),
        original_categories: orig_names.iter().map(|s| s.to_string()).collect(),
        release_categories: rel_names.iter().map(|s| s.to_string()).collect(),
        cells,
        per_cell_confidence: per_cell,
        epsilon: Estimate {
            point,
            lower,
            upper,
            confidence,
        },
        worst_ratio: worst.map(|(j, i, i2)| WorstRatio {
            release: rel_names[j].to_string(),
            original: orig_names[i].to_string(),
            other_original: orig_names[i2].to_string(),
        }),
        krr,
    })
}

/// `ln(a / b)` with `ln(0/0) = 0`, `ln(a/0) = inf`, clipped below at 0.
fn log_ratio(a: f64, b: f64) -> f64 {
    if a <= 0.0 {
        0.0
    } else if b <= 0.0 {
        f64::INFINITY
    } else {
        (a / b).ln().max(0.0)
    }
}

fn fit_krr(
    orig_names: &[&str],
    rel_names: &[&str],
    orig_codes: &[usize],
    rel_codes: &[usize],
    confidence: f64,
) -> Result<Option<KrrFit>, EvalError> {
    let k = orig_names.len();
    if k < 2 || rel_names.iter().any(|r| !orig_names.contains(r)) {
        return Ok(None);
    }
    // Map release codes onto original codes by name.
    let rel_to_orig: Vec<usize> = rel_names
        .iter()
        .map(|r| orig_names.iter().position(|o| o == r).unwrap_or(usize::MAX))
        .collect();
    let kept = orig_codes
        .iter()
        .zip(rel_codes)
        .filter(|(&i, &j)| rel_to_orig[j] == i)
        .count() as u64;
    let n = orig_codes.len() as u64;
    let (lo, hi) = clopper_pearson_interval(kept, n, confidence)?;
    let km1 = (k - 1) as f64;
    let eps = |p: f64| {
        if p >= 1.0 {
            f64::INFINITY
        } else {
            (p * km1 / (1.0 - p)).ln().max(0.0)
        }
    };
    let p = kept as f64 / n as f64;
    Ok(Some(KrrFit {
        k,
        keep_probability: Estimate {
            point: p,
            lower: lo,
            upper: hi,
            confidence,
        },
        epsilon: Estimate {
            point: eps(p),
            lower: eps(lo),
            upper: eps(hi),
            confidence,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_by_hand() {
        // Original x: 3 kept, 1 flipped to y; original y: 1 kept, 1 flipped.
        // P(x|x) = 3/4, P(x|y) = 1/2 -> ratio 1.5; P(y|y) = 1/2, P(y|x) = 1/4
        // -> ratio 2 (largest): eps = ln 2.
        let o = ["x", "x", "x", "x", "y", "y"];
        let r = ["x", "x", "x", "y", "y", "x"];
        let c = estimate_channel(&o, &r, 0.95).unwrap();
        assert!((c.epsilon.point - 2f64.ln()).abs() < 1e-12);
        let w = c.worst_ratio.unwrap();
        assert_eq!((w.release.as_str(), w.original.as_str()), ("y", "y"));
        // k-RR: 4 of 6 kept, p = 2/3, k = 2: eps = ln(2) as well.
        let krr = c.krr.unwrap();
        assert!((krr.epsilon.point - 2f64.ln()).abs() < 1e-12);
    }
}
