//! The distribution functions the noise fits and the analytic Gaussian
//! mechanism need: the standard normal CDF and the Gamma quantile.
//!
//! Binomial (Wilson, Clopper-Pearson) intervals are not here: they are
//! scoring and live in `crate::eval::rate`, the one place the crate computes
//! them. This module does no estimation of its own.

use statrs::distribution::{ContinuousCDF, Gamma, Normal};

/// Standard normal cumulative distribution function.
pub fn normal_cdf(x: f64) -> f64 {
    standard_normal().cdf(x)
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
    fn gamma_quantile_matches_exponential() {
        // Gamma(1, 1) is Exp(1): the median is ln 2.
        assert!((gamma_quantile(1.0, 0.5) - std::f64::consts::LN_2).abs() < 1e-9);
    }
}
