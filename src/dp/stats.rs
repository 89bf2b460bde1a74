//! Exact binomial (Clopper-Pearson) confidence bounds and the distribution
//! quantiles the epsilon estimators need.
//!
//! Clopper & Pearson (1934), "The use of confidence or fiducial limits
//! illustrated in the case of the binomial", Biometrika 26(4): for `x`
//! successes in `n` trials, the one-sided upper bound at confidence `1 - a` is
//! the `1 - a` quantile of `Beta(x + 1, n - x)` (1 when `x = n`), and the lower
//! bound is the `a` quantile of `Beta(x, n - x + 1)` (0 when `x = 0`); the
//! two-sided interval at confidence `1 - a` uses `a / 2` on each side. The
//! Beta quantile is statrs' inverse regularized incomplete beta function.
//! This module does no estimation of its own.

use statrs::distribution::{Beta, ContinuousCDF, Gamma, Normal};

use super::DpError;

fn check_counts(successes: u64, trials: u64) -> Result<(), DpError> {
    if trials == 0 {
        return Err(DpError::Parameter {
            name: "trials".into(),
            value: "0".into(),
            requirement: "a binomial bound needs at least one trial".into(),
        });
    }
    if successes > trials {
        return Err(DpError::Invalid(format!(
            "{successes} successes out of {trials} trials: successes cannot exceed trials"
        )));
    }
    Ok(())
}

fn check_level(confidence: f64) -> Result<(), DpError> {
    super::check_confidence(confidence)
}

fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    // a, b > 0 and p in (0, 1) are guaranteed by the callers.
    match Beta::new(a, b) {
        Ok(beta) => beta.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// One-sided Clopper-Pearson upper bound on a binomial proportion at
/// confidence `confidence`: the true proportion is at most this value with
/// probability at least `confidence`.
pub fn clopper_pearson_upper(successes: u64, trials: u64, confidence: f64) -> Result<f64, DpError> {
    check_counts(successes, trials)?;
    check_level(confidence)?;
    if successes == trials {
        return Ok(1.0);
    }
    Ok(beta_quantile(
        successes as f64 + 1.0,
        (trials - successes) as f64,
        confidence,
    ))
}

/// One-sided Clopper-Pearson lower bound on a binomial proportion at
/// confidence `confidence`.
pub fn clopper_pearson_lower(successes: u64, trials: u64, confidence: f64) -> Result<f64, DpError> {
    check_counts(successes, trials)?;
    check_level(confidence)?;
    if successes == 0 {
        return Ok(0.0);
    }
    Ok(beta_quantile(
        successes as f64,
        (trials - successes) as f64 + 1.0,
        1.0 - confidence,
    ))
}

/// Two-sided Clopper-Pearson interval at confidence `confidence`
/// (`(1 - confidence) / 2` in each tail).
pub fn clopper_pearson_interval(
    successes: u64,
    trials: u64,
    confidence: f64,
) -> Result<(f64, f64), DpError> {
    check_level(confidence)?;
    let one_sided = 1.0 - (1.0 - confidence) / 2.0;
    Ok((
        clopper_pearson_lower(successes, trials, one_sided)?,
        clopper_pearson_upper(successes, trials, one_sided)?,
    ))
}

/// Standard normal cumulative distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    standard_normal().cdf(x)
}

/// Standard normal quantile; `-inf` at 0 and `+inf` at 1.
pub fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        standard_normal().inverse_cdf(p)
    }
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// Quantile of the Gamma distribution with `shape` and rate 1.
pub(crate) fn gamma_quantile(shape: f64, p: f64) -> f64 {
    match Gamma::new(shape, 1.0) {
        Ok(g) => g.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_successes_upper_bound_has_closed_form() {
        // With x = 0 the upper bound solves (1 - p)^n = 1 - c:
        // n = 10, c = 0.95 -> p = 1 - 0.05^(1/10) = 0.25886555...
        let u = clopper_pearson_upper(0, 10, 0.95).unwrap();
        assert!((u - (1.0 - 0.05f64.powf(0.1))).abs() < 1e-10, "{u}");
        // With x = n the lower bound solves p^n = 1 - c.
        let l = clopper_pearson_lower(10, 10, 0.95).unwrap();
        assert!((l - 0.05f64.powf(0.1)).abs() < 1e-10, "{l}");
    }

    #[test]
    fn bad_counts_are_errors() {
        assert!(clopper_pearson_upper(0, 0, 0.95).is_err());
        assert!(clopper_pearson_upper(3, 2, 0.95).is_err());
        assert!(clopper_pearson_upper(1, 2, 1.0).is_err());
    }

    #[test]
    fn gamma_quantile_matches_exponential() {
        // Gamma(1, 1) is Exp(1): the median is ln 2.
        assert!((gamma_quantile(1.0, 0.5) - std::f64::consts::LN_2).abs() < 1e-9);
    }
}
