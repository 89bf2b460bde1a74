//! A success rate and its confidence interval.
//!
//! Attacks report counts (successes out of trials); the interval is worked out
//! here, once. The Wilson score interval (E. B. Wilson, "Probable inference,
//! the law of succession, and statistical inference", JASA 22 (1927) 209-212)
//! is used for every attack success rate because it keeps its coverage near
//! the nominal level for small counts and rates near 0 or 1, where the normal
//! approximation fails.
//!
//! `successes` may be fractional: for the QI join it is the expected number of
//! correct re-identifications `sum 1/|candidates|`, a sum of independent
//! Bernoulli trials with unequal probabilities (a Poisson-binomial), whose
//! variance is at most that of a binomial with the same mean, so the interval
//! is conservative.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::EvalError;

/// Successes out of trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// Successes (fractional for an expectation over ties).
    pub successes: f64,
    /// Trials: every attacked record, including those the attack found no
    /// candidate for.
    pub trials: u64,
}

/// A two-sided confidence interval of a rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Point estimate, `successes / trials`.
    pub point: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub level: f64,
}

/// The two-sided standard normal quantile `Phi^-1((1 + level) / 2)`.
pub fn two_sided_z(level: f64) -> Result<f64, EvalError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(EvalError::Parameter {
            name: "confidence level",
            message: format!("{level} is not strictly between 0 and 1; use e.g. 0.95"),
        });
    }
    Ok(Normal::standard().inverse_cdf(0.5 * (1.0 + level)))
}

impl Rate {
    /// `successes` out of `trials`.
    pub fn new(successes: f64, trials: u64) -> Self {
        Rate { successes, trials }
    }

    /// `successes / trials` (0 without trials).
    pub fn point(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            self.successes / self.trials as f64
        }
    }

    /// The Wilson score interval at `level`, clamped to [0, 1]. Successes are
    /// capped to `[0, trials]`.
    pub fn wilson(&self, level: f64, what: &str) -> Result<Interval, EvalError> {
        if self.trials == 0 {
            return Err(EvalError::NoTrials {
                what: what.to_string(),
            });
        }
        let z = two_sided_z(level)?;
        let n = self.trials as f64;
        // `+ 0.0` turns the -0.0 of an empty f64 sum into 0.0.
        let x = if self.successes.is_finite() {
            self.successes.clamp(0.0, n) + 0.0
        } else {
            0.0
        };
        let z2 = z * z;
        let centre = (x + 0.5 * z2) / (n + z2);
        let half = z / (n + z2) * (x * (n - x) / n + 0.25 * z2).sqrt();
        Ok(Interval {
            point: x / n,
            low: (centre - half).max(0.0),
            high: (centre + half).min(1.0),
            level,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_interval_by_hand() {
        // x = 8, n = 10, z = 1.959964 (95 %), z^2 = 3.841459: centre
        // (8 + 1.920729) / 13.841459 = 0.716740; half-width
        // 1.959964 / 13.841459 * sqrt(8*2/10 + 0.960365) = 0.141601 * 1.600114
        // = 0.226578 -> [0.490162, 0.943318].
        let p = Rate::new(8.0, 10).wilson(0.95, "t").unwrap();
        assert!((p.point - 0.8).abs() < 1e-12);
        assert!((p.low - 0.490_162).abs() < 1e-5, "{}", p.low);
        assert!((p.high - 0.943_318).abs() < 1e-5, "{}", p.high);
        assert!(Rate::new(1.0, 0).wilson(0.95, "t").is_err());
        assert!(Rate::new(1.0, 5).wilson(1.0, "t").is_err());
        assert!(Rate::new(1.0, 5).wilson(f64::NAN, "t").is_err());
    }

    #[test]
    fn zero_successes_still_have_an_upper_end() {
        // x = 0, n = 100: high = z^2 / (n + z^2) = 3.841459 / 103.841459 = 0.036994.
        let p = Rate::new(0.0, 100).wilson(0.95, "t").unwrap();
        assert!(p.low.abs() < 1e-12, "{}", p.low);
        assert!((p.high - 0.036_994).abs() < 1e-5, "{}", p.high);
    }
}
