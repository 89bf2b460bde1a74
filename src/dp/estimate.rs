//! Estimating epsilon from paired data: each original value next to its
//! released version.
//!
//! * Numeric columns ([`fit_paired_noise`]): the errors `release - original`
//!   are fitted as zero-mean Laplace noise (the maximum-likelihood scale is the
//!   mean absolute error) and as zero-mean Gaussian noise (the maximum-likelihood
//!   variance is the mean squared error). Both intervals are exact: with `n`
//!   errors, `sum |e| / b ~ Gamma(n, 1)` and `sum e^2 / sigma^2 ~ chi^2(n)`. The
//!   implied epsilon is `Delta / b` for the Laplace mechanism (Dwork, McSherry,
//!   Nissim & Smith 2006) and, for the Gaussian mechanism, the smallest epsilon
//!   at the given delta by the exact condition of Balle & Wang (2018, Thm 8).
//!   Both maps are monotone in the scale, so the scale interval maps to an
//!   epsilon interval at the same confidence.
//! * Clamping: a pile-up of release values at the release minimum or maximum
//!   (more rows at the extreme value than at its nearest distinct neighbour, and
//!   at least 2 rows and 1% of rows) means the mechanism clamped its output.
//!   Those rows carry a censored error and are left out of the fit, which is
//!   reported; the clamp range also serves as the inferred sensitivity.
//! * Rounding: when every release value lies on a grid `v0 + k * step` (step =
//!   the smallest gap between distinct values), the step is reported and the
//!   Gaussian variance gets Sheppard's correction `- step^2 / 12`. The Laplace
//!   scale is not corrected; with a step small next to the scale the effect is
//!   negligible, and the report shows the step so a reader can judge.
//! * Noisy aggregates (counts or sums by group) are paired and fitted with
//!   the same fit in [`super::aggregate`].
//! * Categorical columns are not here: their randomized-response channel is
//!   a table of counts turned into Clopper-Pearson intervals, which is
//!   scoring, so it lives in `crate::eval::channel` next to the one binomial
//!   interval of the crate.
//!
//! The neighbouring relation for per-record noise is "replace one record's
//! value", so the inferred sensitivity of a column is its range. Nothing here
//! reads files; the CLI parses columns and calls these functions.

use serde::{Deserialize, Serialize};

use super::gaussian::gaussian_epsilon;
use super::stats::gamma_quantile;
use super::{check_confidence, check_delta, check_positive, DpError};

/// A point estimate with a two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point (maximum-likelihood) estimate.
    pub point: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval (may be infinite).
    pub upper: f64,
    /// Confidence level of the interval, e.g. 0.95.
    pub confidence: f64,
}

impl Estimate {
    /// True when `value` lies in `[lower, upper]`.
    pub fn covers(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// Where the sensitivity used for an implied epsilon came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitivitySource {
    /// Given by the user.
    Declared,
    /// The range of the detected clamp bounds (replace-one neighbour).
    ClampRange,
    /// The observed range of the original values (replace-one neighbour).
    ObservedRange,
    /// A count query: adding or removing one record changes it by 1.
    Count,
    /// A sum query: the largest absolute original value (add/remove one record).
    MaxAbsValue,
}

/// The sensitivity an implied epsilon is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The sensitivity `Delta`.
    pub value: f64,
    /// Where it came from.
    pub source: SensitivitySource,
}

/// Options for [`fit_paired_noise`] and [`fit_aggregate_noise`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoiseFitOptions {
    /// Confidence level of every interval (default 0.95).
    pub confidence: f64,
    /// Declared sensitivity; `None` infers it (see [`SensitivitySource`]).
    pub sensitivity: Option<f64>,
    /// The delta at which the Gaussian fit is turned into an epsilon (default 1e-5).
    pub delta: f64,
    /// Detect clamping and leave clamped rows out of the fit (default true).
    pub detect_clamping: bool,
    /// Detect rounding and correct the Gaussian variance for it (default true).
    pub detect_rounding: bool,
}

impl Default for NoiseFitOptions {
    fn default() -> Self {
        NoiseFitOptions {
            confidence: 0.95,
            sensitivity: None,
            delta: 1e-5,
            detect_clamping: true,
            detect_rounding: true,
        }
    }
}

/// Detected clamping of the released values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Clamping {
    /// The lower clamp bound, if the release piles up at its minimum.
    pub lower: Option<f64>,
    /// The upper clamp bound, if the release piles up at its maximum.
    pub upper: Option<f64>,
    /// Rows released at the lower bound (left out of the fit).
    pub rows_at_lower: usize,
    /// Rows released at the upper bound (left out of the fit).
    pub rows_at_upper: usize,
}

/// Detected rounding of the released values to a grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rounding {
    /// The grid step.
    pub step: f64,
    /// A grid point (the smallest release value).
    pub origin: f64,
}

/// Laplace noise fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LaplaceFit {
    /// Scale `b` (maximum likelihood: mean absolute error), exact interval.
    pub scale: Estimate,
    /// Implied epsilon `Delta / b`.
    pub epsilon: Estimate,
    /// Maximized log-likelihood `-n ln(2 b) - n`.
    pub log_likelihood: f64,
}

/// Gaussian noise fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaussianFit {
    /// Standard deviation (maximum likelihood: root mean squared error), exact interval.
    pub sigma: Estimate,
    /// Implied epsilon at `delta` (Balle & Wang 2018).
    pub epsilon: Estimate,
    /// The delta the epsilon is stated for.
    pub delta: f64,
    /// Maximized log-likelihood `-n/2 ln(2 pi sigma^2) - n/2`.
    pub log_likelihood: f64,
    /// True when Sheppard's rounding correction was applied.
    pub sheppard_corrected: bool,
}

/// Which noise family fits better (higher maximized likelihood; both have
/// one parameter, so this is also the AIC choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseFamily {
    /// Laplace noise.
    Laplace,
    /// Gaussian noise.
    Gaussian,
}

/// The result of fitting the noise between paired original and release values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoiseFit {
    /// Number of pairs given.
    pub n_pairs: usize,
    /// Number of pairs used in the fit (clamped rows left out).
    pub n_used: usize,
    /// Mean error `release - original` over the used pairs (should be near 0
    /// for an unbiased mechanism).
    pub mean_error: f64,
    /// Clamping, if detected.
    pub clamping: Option<Clamping>,
    /// Rounding, if detected.
    pub rounding: Option<Rounding>,
    /// The sensitivity the epsilons are computed for.
    pub sensitivity: Sensitivity,
    /// Laplace fit.
    pub laplace: LaplaceFit,
    /// Gaussian fit.
    pub gaussian: GaussianFit,
    /// The family with the higher likelihood.
    pub better_fit: NoiseFamily,
}

/// Fits the noise of a numeric column from `(original, release)` pairs (same
/// length, same row order) and turns it into implied epsilons.
pub fn fit_paired_noise(
    original: &[f64],
    release: &[f64],
    options: &NoiseFitOptions,
) -> Result<NoiseFit, DpError> {
    fit_noise(original, release, options, None)
}

/// Errors unless there are as many release values as original values, and some.
fn check_paired_lengths(n_original: usize, n_release: usize) -> Result<(), DpError> {
    if n_original != n_release {
        return Err(DpError::LengthMismatch {
            left_name: "original".into(),
            left: n_original,
            right_name: "release".into(),
            right: n_release,
        });
    }
    if n_original == 0 {
        return Err(DpError::Invalid(
            "no (original, release) pairs: the inputs are empty".into(),
        ));
    }
    Ok(())
}

fn validate_pairs(original: &[f64], release: &[f64]) -> Result<(), DpError> {
    check_paired_lengths(original.len(), release.len())?;
    if let Some(i) = original
        .iter()
        .chain(release.iter())
        .position(|v| !v.is_finite())
    {
        let (which, row) = if i < original.len() {
            ("original", i)
        } else {
            ("release", i - original.len())
        };
        return Err(DpError::Invalid(format!(
            "{which} row {} is not a finite number",
            row + 1
        )));
    }
    Ok(())
}

pub(super) fn fit_noise(
    original: &[f64],
    release: &[f64],
    options: &NoiseFitOptions,
    default_sensitivity: Option<Sensitivity>,
) -> Result<NoiseFit, DpError> {
    validate_pairs(original, release)?;
    check_confidence(options.confidence)?;
    check_delta(options.delta)?;
    if options.delta == 0.0 {
        return Err(DpError::Parameter {
            name: "delta".into(),
            value: "0".into(),
            requirement: "the Gaussian fit needs delta > 0 to state an epsilon".into(),
        });
    }
    if let Some(s) = options.sensitivity {
        check_positive("sensitivity", s)?;
    }

    let clamping = if options.detect_clamping {
        detect_clamping(release)
    } else {
        None
    };
    let rounding = if options.detect_rounding {
        detect_rounding(release)
    } else {
        None
    };

    let sensitivity = match (options.sensitivity, default_sensitivity, clamping) {
        (Some(value), _, _) => Sensitivity {
            value,
            source: SensitivitySource::Declared,
        },
        (None, Some(s), _) => s,
        (
            None,
            None,
            Some(Clamping {
                lower: Some(lo),
                upper: Some(hi),
                ..
            }),
        ) => Sensitivity {
            value: hi - lo,
            source: SensitivitySource::ClampRange,
        },
        (None, None, _) => {
            let (lo, hi) = min_max(original);
            Sensitivity {
                value: hi - lo,
                source: SensitivitySource::ObservedRange,
            }
        }
    };
    if sensitivity.value.is_nan() || sensitivity.value <= 0.0 {
        return Err(DpError::Invalid(
            "the sensitivity inferred from the data is 0 (all original values are equal); declare one with --sensitivity".into(),
        ));
    }

    // Sums over the rows kept (not clamped).
    let is_clamped = |r: f64| clamping.is_some_and(|c| c.lower == Some(r) || c.upper == Some(r));
    let mut n = 0usize;
    let mut sum = 0.0;
    let mut sum_abs = 0.0;
    let mut sum_sq = 0.0;
    for (&o, &r) in original.iter().zip(release) {
        if is_clamped(r) {
            continue;
        }
        let e = r - o;
        n += 1;
        sum += e;
        sum_abs += e.abs();
        sum_sq += e * e;
    }
    if n == 0 {
        return Err(DpError::Invalid(
            "every release value sits at a clamp bound; no uncensored error is left to fit (rerun with clamping detection off to fit anyway)".into(),
        ));
    }
    let nf = n as f64;
    let conf = options.confidence;
    let tail = (1.0 - conf) / 2.0;
    let delta_s = sensitivity.value;

    // Laplace: sum|e| / b ~ Gamma(n, 1).
    let g_lo = gamma_quantile(nf, tail);
    let g_hi = gamma_quantile(nf, 1.0 - tail);
    let b_hat = sum_abs / nf;
    let laplace = if sum_abs > 0.0 {
        LaplaceFit {
            scale: Estimate {
                point: b_hat,
                lower: sum_abs / g_hi,
                upper: sum_abs / g_lo,
                confidence: conf,
            },
            epsilon: Estimate {
                point: delta_s / b_hat,
                lower: delta_s * g_lo / sum_abs,
                upper: delta_s * g_hi / sum_abs,
                confidence: conf,
            },
            log_likelihood: -nf * (2.0 * b_hat).ln() - nf,
        }
    } else {
        no_noise_laplace(conf)
    };

    // Gaussian: sum e^2 / sigma^2 ~ chi^2(n) = 2 Gamma(n/2, 1).
    let step = rounding.map_or(0.0, |r| r.step);
    let sheppard = step > 0.0 && sum_sq - nf * step * step / 12.0 > 0.0;
    let q = if sheppard {
        sum_sq - nf * step * step / 12.0
    } else {
        sum_sq
    };
    let c_lo = 2.0 * gamma_quantile(nf / 2.0, tail);
    let c_hi = 2.0 * gamma_quantile(nf / 2.0, 1.0 - tail);
    let gaussian = if q > 0.0 {
        let s_hat = (q / nf).sqrt();
        let s_lo = (q / c_hi).sqrt();
        let s_hi = (q / c_lo).sqrt();
        GaussianFit {
            sigma: Estimate {
                point: s_hat,
                lower: s_lo,
                upper: s_hi,
                confidence: conf,
            },
            epsilon: Estimate {
                point: gaussian_epsilon(s_hat, delta_s, options.delta)?,
                lower: gaussian_epsilon(s_hi, delta_s, options.delta)?,
                upper: gaussian_epsilon(s_lo, delta_s, options.delta)?,
                confidence: conf,
            },
            delta: options.delta,
            log_likelihood: -nf / 2.0 * (2.0 * std::f64::consts::PI * s_hat * s_hat).ln()
                - nf / 2.0,
            sheppard_corrected: sheppard,
        }
    } else {
        no_noise_gaussian(conf, options.delta)
    };

    let better_fit = if laplace.log_likelihood >= gaussian.log_likelihood {
        NoiseFamily::Laplace
    } else {
        NoiseFamily::Gaussian
    };
    Ok(NoiseFit {
        n_pairs: original.len(),
        n_used: n,
        mean_error: sum / nf,
        clamping,
        rounding,
        sensitivity,
        laplace,
        gaussian,
        better_fit,
    })
}

fn no_noise_laplace(conf: f64) -> LaplaceFit {
    LaplaceFit {
        scale: Estimate {
            point: 0.0,
            lower: 0.0,
            upper: 0.0,
            confidence: conf,
        },
        epsilon: Estimate {
            point: f64::INFINITY,
            lower: f64::INFINITY,
            upper: f64::INFINITY,
            confidence: conf,
        },
        log_likelihood: f64::INFINITY,
    }
}

impl NoiseFit {
    /// The epsilon that the fitted noise of `family` implies at another
    /// sensitivity, e.g. the most one user can change an aggregate.
    ///
    /// For Laplace noise epsilon is linear in the sensitivity (`Delta / b`),
    /// so scaling the per-record epsilon would do; for Gaussian noise it is
    /// not (Balle & Wang 2018: epsilon solves an equation in `Delta / sigma`),
    /// and scaling understates it: with per-record epsilon 0.73 at
    /// delta 1e-5, ten events per user give 10.07, not 7.3. So the epsilon is
    /// worked out afresh from the fitted scale or sigma and its interval.
    pub fn epsilon_at(&self, family: NoiseFamily, sensitivity: f64) -> Result<Estimate, DpError> {
        check_positive("sensitivity", sensitivity)?;
        let (point, lower, upper, confidence) = match family {
            NoiseFamily::Laplace => {
                let b = &self.laplace.scale;
                let eps = |scale: f64| {
                    if scale > 0.0 {
                        sensitivity / scale
                    } else {
                        f64::INFINITY
                    }
                };
                (eps(b.point), eps(b.upper), eps(b.lower), b.confidence)
            }
            NoiseFamily::Gaussian => {
                let s = &self.gaussian.sigma;
                let delta = self.gaussian.delta;
                let eps = |sigma: f64| {
                    if sigma > 0.0 {
                        gaussian_epsilon(sigma, sensitivity, delta)
                    } else {
                        Ok(f64::INFINITY)
                    }
                };
                (eps(s.point)?, eps(s.upper)?, eps(s.lower)?, s.confidence)
            }
        };
        Ok(Estimate {
            point,
            lower,
            upper,
            confidence,
        })
    }
}

fn no_noise_gaussian(conf: f64, delta: f64) -> GaussianFit {
    GaussianFit {
        sigma: Estimate {
            point: 0.0,
            lower: 0.0,
            upper: 0.0,
            confidence: conf,
        },
        epsilon: Estimate {
            point: f64::INFINITY,
            lower: f64::INFINITY,
            upper: f64::INFINITY,
            confidence: conf,
        },
        delta,
        log_likelihood: f64::INFINITY,
        sheppard_corrected: false,
    }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// Sorted distinct values with their multiplicities.
fn distinct_counts(values: &[f64]) -> Vec<(f64, usize)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut out: Vec<(f64, usize)> = Vec::new();
    for v in sorted {
        match out.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

/// Detects a pile-up of release values at the minimum or maximum (see the
/// module docs for the rule).
pub fn detect_clamping(release: &[f64]) -> Option<Clamping> {
    let counts = distinct_counts(release);
    if counts.len() < 3 {
        return None;
    }
    let min_rows = 2usize.max(release.len().div_ceil(100));
    let piles = |extreme: (f64, usize), neighbour: (f64, usize)| {
        extreme.1 >= min_rows && extreme.1 > neighbour.1
    };
    let first = counts[0];
    let last = counts[counts.len() - 1];
    let lower = piles(first, counts[1]).then_some(first);
    let upper = piles(last, counts[counts.len() - 2]).then_some(last);
    if lower.is_none() && upper.is_none() {
        return None;
    }
    Some(Clamping {
        lower: lower.map(|c| c.0),
        upper: upper.map(|c| c.0),
        rows_at_lower: lower.map_or(0, |c| c.1),
        rows_at_upper: upper.map_or(0, |c| c.1),
    })
}

/// Detects rounding to a grid: every value is `origin + k * step` for an
/// integer `k`, where `step` is the smallest gap between distinct values.
/// Needs at least 3 distinct values and at least one tie (continuous noise
/// without rounding produces no ties).
pub fn detect_rounding(release: &[f64]) -> Option<Rounding> {
    let counts = distinct_counts(release);
    if counts.len() < 3 || counts.len() == release.len() {
        return None;
    }
    let origin = counts[0].0;
    let step = counts
        .windows(2)
        .map(|w| w[1].0 - w[0].0)
        .fold(f64::INFINITY, f64::min);
    if !(step.is_finite() && step > 0.0) {
        return None;
    }
    let on_grid = counts.iter().all(|&(v, _)| {
        let k = (v - origin) / step;
        (k - k.round()).abs() < 1e-6 * k.abs().max(1.0)
    });
    on_grid.then_some(Rounding { step, origin })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_user_epsilon_of_gaussian_noise_is_not_linear() {
        // Noise of exactly +-sigma, sigma calibrated to per-record epsilon 0.73
        // at delta 1e-5 and sensitivity 1 (Balle & Wang 2018). Ten events per
        // user: sensitivity 10. Linear scaling would give 7.3; the analytic
        // Gaussian mechanism gives 10.07 (the fail-safe issue's figures; at
        // per-record 1.0: 14.43, not 10).
        for (per_record, per_user) in [(0.73, 10.07), (1.0, 14.43)] {
            let sigma = crate::dp::gaussian::gaussian_sigma(per_record, 1e-5, 1.0).unwrap();
            let original: Vec<f64> = (0..1000).map(f64::from).collect();
            let release: Vec<f64> = original
                .iter()
                .enumerate()
                .map(|(i, o)| if i % 2 == 0 { o + sigma } else { o - sigma })
                .collect();
            let opts = NoiseFitOptions {
                sensitivity: Some(1.0),
                detect_clamping: false,
                detect_rounding: false,
                ..Default::default()
            };
            let fit = fit_paired_noise(&original, &release, &opts).unwrap();
            assert!((fit.gaussian.sigma.point - sigma).abs() < 1e-9);
            let record = fit.epsilon_at(NoiseFamily::Gaussian, 1.0).unwrap();
            assert!((record.point - per_record).abs() < 1e-6, "{}", record.point);
            let user = fit.epsilon_at(NoiseFamily::Gaussian, 10.0).unwrap();
            assert!((user.point - per_user).abs() < 0.005, "{}", user.point);
            assert!(user.lower < user.point && user.point < user.upper);
            // Laplace is linear: ten times the per-record figure.
            let l1 = fit.epsilon_at(NoiseFamily::Laplace, 1.0).unwrap();
            let l10 = fit.epsilon_at(NoiseFamily::Laplace, 10.0).unwrap();
            assert!((l10.point - 10.0 * l1.point).abs() < 1e-9);
        }
    }

    #[test]
    fn laplace_fit_by_hand() {
        // Errors 1, -1, 2, -2: mean |e| = 1.5 = b; Delta = range of originals
        // = 3 - 0 = 3, so eps = 3 / 1.5 = 2. mean squared error = 2.5.
        let original = [0.0, 1.0, 2.0, 3.0];
        let release = [1.0, 0.0, 4.0, 1.0];
        let opts = NoiseFitOptions {
            detect_clamping: false,
            detect_rounding: false,
            ..Default::default()
        };
        let fit = fit_paired_noise(&original, &release, &opts).unwrap();
        assert_eq!(fit.sensitivity.source, SensitivitySource::ObservedRange);
        assert!((fit.laplace.scale.point - 1.5).abs() < 1e-12);
        assert!((fit.laplace.epsilon.point - 2.0).abs() < 1e-12);
        assert!((fit.gaussian.sigma.point - 2.5f64.sqrt()).abs() < 1e-12);
        assert!(fit.laplace.scale.lower < 1.5 && fit.laplace.scale.upper > 1.5);
    }

    #[test]
    fn clamping_pile_up_is_detected() {
        // 5 of 12 values at 0 (more than at the next value 1): clamped below.
        let release = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 3.5, 4.0, 5.0, 6.0, 7.0];
        let c = detect_clamping(&release).unwrap();
        assert_eq!(c.lower, Some(0.0));
        assert_eq!(c.rows_at_lower, 5);
        assert_eq!(c.upper, None);
    }

    #[test]
    fn rounding_to_half_units_is_detected() {
        let release = [0.5, 1.0, 1.0, 2.5, -1.0];
        let r = detect_rounding(&release).unwrap();
        assert_eq!(r.step, 0.5);
        assert!(detect_rounding(&[0.1, 0.25, 0.7]).is_none());
    }
}
