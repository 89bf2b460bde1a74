//! The analytic Gaussian mechanism and Gaussian differential privacy.
//!
//! Balle & Wang (2018), "Improving the Gaussian Mechanism for Differential
//! Privacy: Analytical Calibration and Optimal Denoising", ICML, Theorem 8: the
//! mechanism `f(x) + N(0, sigma^2 I)` with L2 sensitivity `Delta` is
//! `(eps, delta)`-DP if and only if
//!
//! ```text
//! Phi(Delta / (2 sigma) - eps sigma / Delta) - e^eps Phi(-Delta / (2 sigma) - eps sigma / Delta) <= delta.
//! ```
//!
//! The left side decreases in `eps`, so the smallest such `eps` (the epsilon a
//! given sigma implies) and the smallest sigma for a target `(eps, delta)` are
//! found by bisection on that exact condition (the paper's Algorithm 1 solves
//! the same equation by a change of variables and binary search).
//!
//! Dong, Roth & Su (2019/2022), "Gaussian Differential Privacy", JRSS-B,
//! Corollary 2.13: `mu`-GDP implies `(eps, delta(eps))`-DP for every `eps >= 0`
//! with the same formula at `Delta / sigma = mu`, so [`epsilon_for_gdp`] reuses it.
//! This module only converts between parameters; it estimates nothing.

use super::stats::normal_cdf;
use super::{check_delta, check_positive, DpError};

/// The `delta` at which the Gaussian mechanism with noise `sigma` and
/// sensitivity `sensitivity` is `(epsilon, delta)`-DP (Balle & Wang 2018, Thm 8).
pub fn gaussian_delta(epsilon: f64, sigma: f64, sensitivity: f64) -> f64 {
    let a = sensitivity / (2.0 * sigma);
    let b = epsilon * sigma / sensitivity;
    let first = normal_cdf(a - b);
    let second_log = epsilon + normal_cdf(-a - b).ln();
    let second = if second_log.is_finite() {
        second_log.exp()
    } else {
        0.0
    };
    (first - second).max(0.0)
}

/// The smallest epsilon for which the Gaussian mechanism with noise `sigma`
/// and sensitivity `sensitivity` is `(epsilon, delta)`-DP (Balle & Wang 2018).
/// Returns 0 when even `epsilon = 0` satisfies the condition.
pub fn gaussian_epsilon(sigma: f64, sensitivity: f64, delta: f64) -> Result<f64, DpError> {
    check_positive("sigma", sigma)?;
    check_positive("sensitivity", sensitivity)?;
    check_delta(delta)?;
    if delta == 0.0 {
        // Pure DP is impossible with Gaussian noise.
        return Ok(f64::INFINITY);
    }
    if gaussian_delta(0.0, sigma, sensitivity) <= delta {
        return Ok(0.0);
    }
    let mut hi = 1.0;
    while gaussian_delta(hi, sigma, sensitivity) > delta {
        hi *= 2.0;
        if hi > 1e6 {
            return Ok(f64::INFINITY);
        }
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gaussian_delta(mid, sigma, sensitivity) > delta {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    Ok(hi)
}

/// The smallest sigma that makes the Gaussian mechanism with sensitivity
/// `sensitivity` `(epsilon, delta)`-DP (analytic calibration, Balle & Wang 2018).
pub fn gaussian_sigma(epsilon: f64, delta: f64, sensitivity: f64) -> Result<f64, DpError> {
    check_positive("epsilon", epsilon)?;
    check_positive("sensitivity", sensitivity)?;
    check_delta(delta)?;
    if delta == 0.0 {
        return Err(DpError::Parameter {
            name: "delta".into(),
            value: "0".into(),
            requirement: "the Gaussian mechanism needs delta > 0".into(),
        });
    }
    // delta(eps) decreases as sigma grows; bracket then bisect.
    let mut hi = sensitivity;
    while gaussian_delta(epsilon, hi, sensitivity) > delta {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gaussian_delta(epsilon, mid, sensitivity) > delta {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi {
            break;
        }
    }
    Ok(hi)
}

/// The smallest epsilon at which a `mu`-GDP mechanism is `(epsilon, delta)`-DP
/// (Dong, Roth & Su 2019, Corollary 2.13). `mu = 0` gives 0.
pub fn epsilon_for_gdp(mu: f64, delta: f64) -> Result<f64, DpError> {
    check_delta(delta)?;
    if mu.is_nan() || mu < 0.0 {
        return Err(DpError::Parameter {
            name: "mu".into(),
            value: mu.to_string(),
            requirement: "must be >= 0".into(),
        });
    }
    if mu == 0.0 {
        return Ok(0.0);
    }
    if mu.is_infinite() {
        return Ok(f64::INFINITY);
    }
    gaussian_epsilon(1.0, mu, delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_round_trips() {
        let sigma = gaussian_sigma(1.0, 1e-5, 1.0).unwrap();
        // Independent check (scipy 1.15.3, brentq on the same Theorem 8
        // condition with scipy.stats.norm.cdf, xtol 1e-14):
        //   brentq(lambda s: d(1, s, 1) - 1e-5, 0.1, 100) = 3.730631634815946,
        // below the classical sqrt(2 ln(1.25/delta)) / eps = 4.845.
        assert!((sigma - 3.730631634815946).abs() < 1e-8, "{sigma}");
        let eps = gaussian_epsilon(sigma, 1.0, 1e-5).unwrap();
        assert!((eps - 1.0).abs() < 1e-6, "{eps}");
        let d = gaussian_delta(1.0, sigma, 1.0);
        assert!((d - 1e-5).abs() < 1e-9, "{d}");
    }

    #[test]
    fn delta_at_zero_epsilon_is_total_variation() {
        // At eps = 0: delta = Phi(D/2s) - Phi(-D/2s) = 2 Phi(0.5) - 1 for D = s.
        let d = gaussian_delta(0.0, 1.0, 1.0);
        assert!((d - (2.0 * normal_cdf(0.5) - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn gdp_conversion_matches_gaussian() {
        // mu-GDP is the Gaussian mechanism with Delta / sigma = mu.
        let a = epsilon_for_gdp(0.5, 1e-6).unwrap();
        let b = gaussian_epsilon(2.0, 1.0, 1e-6).unwrap();
        assert!((a - b).abs() < 1e-9);
        assert!(epsilon_for_gdp(1.0, 1.5).is_err());
    }
}
