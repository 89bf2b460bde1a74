//! A success rate and its confidence intervals.
//!
//! Attacks report counts (successes out of trials); the interval is worked out
//! here, once, and nowhere else in the crate. Two intervals are offered:
//!
//! * Wilson ([`Rate::wilson`]), for reported attack success rates.
//! * Clopper-Pearson ([`Rate::clopper_pearson`] and its one-sided ends), the
//!   exact binomial interval, where a bound must hold at *at least* its
//!   nominal level whatever the true rate: the epsilon lower bounds of
//!   [`super::epsilon`] and the randomized-response channel of
//!   [`super::channel`]. It does not describe the rate better than Wilson; it
//!   is never below its level, which is what a refutation needs.
//!
//! The Wilson score interval (E. B. Wilson, "Probable inference,
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
//!
//! Clopper & Pearson (1934), "The use of confidence or fiducial limits
//! illustrated in the case of the binomial", Biometrika 26(4): for `x`
//! successes in `n` trials, the one-sided upper bound at confidence `c` is the
//! `c` quantile of `Beta(x + 1, n - x)` (1 when `x = n`), and the lower bound
//! is the `1 - c` quantile of `Beta(x, n - x + 1)` (0 when `x = 0`); the
//! two-sided interval at level `c` puts `(1 - c) / 2` in each tail. The Beta
//! quantile is statrs' inverse regularized incomplete beta function; the
//! figures agree with scipy's `beta.ppf` and
//! `binomtest(x, n).proportion_ci(method="exact")` to 1e-9
//! (`tests/eval_rate.rs`, fixture `tests/fixtures/dp/clopper_pearson.csv`).
//! Clopper-Pearson needs whole successes; a fractional count is an error.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, Normal};

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

/// The Wilson score of a rate before clamping ([`Rate::wilson_score`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilsonScore {
    /// The successes, capped to `[0, trials]`.
    pub successes: f64,
    /// Centre of the interval, `(x + z^2/2) / (n + z^2)`.
    pub centre: f64,
    /// Half-width, `z / (n + z^2) * sqrt(x (n - x) / n + z^2 / 4)`.
    pub half_width: f64,
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

/// The `p` quantile of `Beta(a, b)`; NaN for parameters statrs rejects (the
/// callers only pass `a, b > 0` and `p` in (0, 1)).
fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    match Beta::new(a, b) {
        Ok(beta) => beta.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

fn check_level(level: f64) -> Result<(), EvalError> {
    if level.is_finite() && level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(EvalError::Parameter {
            name: "confidence",
            message: format!("{level} is not strictly between 0 and 1; use e.g. 0.95"),
        })
    }
}

impl Rate {
    /// `successes` out of `trials`.
    pub fn new(successes: f64, trials: u64) -> Self {
        Rate { successes, trials }
    }

    /// Whole `successes` out of `trials` (the form Clopper-Pearson needs).
    pub fn count(successes: u64, trials: u64) -> Self {
        Rate {
            successes: successes as f64,
            trials,
        }
    }

    /// `successes / trials` (0 without trials).
    pub fn point(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            self.successes / self.trials as f64
        }
    }

    /// The Wilson score at `level` before clamping: the capped successes,
    /// the centre `(x + z^2/2) / (n + z^2)` and the half-width
    /// `z / (n + z^2) * sqrt(x (n - x) / n + z^2 / 4)`. Successes are capped
    /// to `[0, trials]` (a non-finite count counts as 0) so the variance term
    /// is never negative. [`Rate::wilson`] and the Anonymeter-style rates of
    /// [`super::inference`] are both computed from it.
    pub fn wilson_score(&self, level: f64, what: &str) -> Result<WilsonScore, EvalError> {
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
        let denominator = n + z2;
        Ok(WilsonScore {
            successes: x,
            centre: (x + 0.5 * z2) / denominator,
            half_width: z / denominator * (x * (n - x) / n + 0.25 * z2).sqrt(),
        })
    }

    /// The Wilson score interval at `level`, clamped to [0, 1]. Successes are
    /// capped to `[0, trials]`.
    pub fn wilson(&self, level: f64, what: &str) -> Result<Interval, EvalError> {
        let score = self.wilson_score(level, what)?;
        Ok(Interval {
            point: score.successes / self.trials as f64,
            low: (score.centre - score.half_width).max(0.0),
            high: (score.centre + score.half_width).min(1.0),
            level,
        })
    }

    /// The successes as a whole count in `[0, trials]`, or why Clopper-Pearson
    /// cannot be computed.
    fn whole_successes(&self, what: &str) -> Result<u64, EvalError> {
        if self.trials == 0 {
            return Err(EvalError::NoTrials {
                what: what.to_string(),
            });
        }
        let x = self.successes;
        if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= self.trials as f64) {
            return Err(EvalError::Parameter {
                name: "successes",
                message: format!(
                    "{what}: {x} successes out of {} trials; an exact binomial bound needs a whole number of successes between 0 and the trials",
                    self.trials
                ),
            });
        }
        Ok(x as u64)
    }

    /// One-sided Clopper-Pearson upper bound at `confidence`: the true rate
    /// is at most this value with probability at least `confidence`.
    pub fn clopper_pearson_upper(&self, confidence: f64, what: &str) -> Result<f64, EvalError> {
        let x = self.whole_successes(what)?;
        check_level(confidence)?;
        if x == self.trials {
            return Ok(1.0);
        }
        Ok(beta_quantile(
            x as f64 + 1.0,
            (self.trials - x) as f64,
            confidence,
        ))
    }

    /// One-sided Clopper-Pearson lower bound at `confidence`.
    pub fn clopper_pearson_lower(&self, confidence: f64, what: &str) -> Result<f64, EvalError> {
        let x = self.whole_successes(what)?;
        check_level(confidence)?;
        if x == 0 {
            return Ok(0.0);
        }
        Ok(beta_quantile(
            x as f64,
            (self.trials - x) as f64 + 1.0,
            1.0 - confidence,
        ))
    }

    /// The two-sided Clopper-Pearson interval at `level` (`(1 - level) / 2`
    /// in each tail).
    pub fn clopper_pearson(&self, level: f64, what: &str) -> Result<Interval, EvalError> {
        check_level(level)?;
        let one_sided = 1.0 - (1.0 - level) / 2.0;
        Ok(Interval {
            point: self.point(),
            low: self.clopper_pearson_lower(one_sided, what)?,
            high: self.clopper_pearson_upper(one_sided, what)?,
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

    #[test]
    fn clopper_pearson_matches_scipy_binomtest() {
        // scipy 1.17.1:
        // python3 -c "from scipy.stats import binomtest; \
        //   [print(x, n, binomtest(x, n).proportion_ci(0.95, method='exact')) \
        //    for x, n in [(8, 10), (0, 100), (3, 10), (17, 20000)]]"
        let cases = [
            (8, 10, 0.4439045376923585, 0.9747892736731665),
            (0, 100, 0.0, 0.03621669264519054),
            (3, 10, 0.06673951117773447, 0.652452850060008),
            (17, 20000, 0.000495231820571871, 0.001360584658759693),
        ];
        for (x, n, low, high) in cases {
            let i = Rate::count(x, n).clopper_pearson(0.95, "t").unwrap();
            assert!((i.low - low).abs() < 1e-9, "{x}/{n}: {} vs {low}", i.low);
            assert!(
                (i.high - high).abs() < 1e-9,
                "{x}/{n}: {} vs {high}",
                i.high
            );
            assert!((i.point - x as f64 / n as f64).abs() < 1e-15);
        }
    }

    #[test]
    fn clopper_pearson_closed_forms_and_errors() {
        // x = 0: the upper bound solves (1 - p)^n = 1 - c, so n = 10, c = 0.95
        // gives 1 - 0.05^(1/10) = 0.2588655...; x = n: the lower bound solves
        // p^n = 1 - c.
        let u = Rate::count(0, 10).clopper_pearson_upper(0.95, "t").unwrap();
        assert!((u - (1.0 - 0.05f64.powf(0.1))).abs() < 1e-10, "{u}");
        let l = Rate::count(10, 10)
            .clopper_pearson_lower(0.95, "t")
            .unwrap();
        assert!((l - 0.05f64.powf(0.1)).abs() < 1e-10, "{l}");
        assert_eq!(
            Rate::count(10, 10)
                .clopper_pearson_upper(0.95, "t")
                .unwrap(),
            1.0
        );
        assert_eq!(
            Rate::count(0, 10).clopper_pearson_lower(0.95, "t").unwrap(),
            0.0
        );
        assert!(Rate::count(0, 0).clopper_pearson_upper(0.95, "t").is_err());
        assert!(Rate::count(3, 2).clopper_pearson_upper(0.95, "t").is_err());
        assert!(Rate::new(1.5, 2).clopper_pearson_upper(0.95, "t").is_err());
        assert!(Rate::count(1, 2).clopper_pearson_upper(1.0, "t").is_err());
    }
}
