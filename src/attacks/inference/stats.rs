//! Success rates with Wilson score intervals and the residual risk of an
//! attack over its control (Giomi et al. 2023, section 3; Anonymeter's
//! `stats/confidence.py`). Wilson: E. B. Wilson, "Probable inference, the law
//! of succession, and statistical inference", JASA 22 (1927) 209-212.
//!
//! No sampling happens here: these are pure functions of counts.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::InferenceError;

/// An attack's success rate: raw share and Wilson score estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SuccessRate {
    /// Attacks made (the denominator).
    pub n_attacks: usize,
    /// Successful attacks (fractional only for a size-corrected control count).
    pub n_success: f64,
    /// `n_success / n_attacks`.
    pub raw_rate: f64,
    /// Centre of the Wilson score interval, `(x + z^2/2) / (n + z^2)`; this is
    /// the rate used in the risk, as in Anonymeter.
    pub rate: f64,
    /// Half-width of the Wilson interval,
    /// `z / (n + z^2) * sqrt(x (n - x) / n + z^2 / 4)`.
    pub error: f64,
    /// `rate - error`, the Wilson lower bound.
    pub low: f64,
    /// `rate + error`, the Wilson upper bound.
    pub high: f64,
}

/// The two-sided standard normal quantile for `confidence`:
/// `Phi^-1((1 + confidence) / 2)`.
pub fn probit(confidence: f64) -> Result<f64, InferenceError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(InferenceError::Parameter {
            name: "confidence",
            message: format!("{confidence} is not in (0, 1); use e.g. 0.95"),
        });
    }
    let normal = Normal::standard();
    Ok(normal.inverse_cdf(0.5 * (1.0 + confidence)))
}

/// Wilson score estimate of a Bernoulli success rate from `n_success` out of
/// `n_attacks`. `n_success` is capped to `[0, n_attacks]` so the variance
/// term is never negative (Anonymeter raises a math-domain error when a
/// size-corrected control count exceeds the number of attacks).
pub fn wilson_rate(
    n_attacks: usize,
    n_success: f64,
    confidence: f64,
) -> Result<SuccessRate, InferenceError> {
    if n_attacks == 0 {
        return Err(InferenceError::Parameter {
            name: "n_attacks",
            message: "no attack could be made (0 targets or queries); give more rows or \
                      columns so the attack has something to work with"
                .into(),
        });
    }
    let z = probit(confidence)?;
    let n = n_attacks as f64;
    let x = if n_success.is_finite() {
        n_success.clamp(0.0, n)
    } else {
        0.0
    };
    let z2 = z * z;
    let denominator = n + z2;
    let rate = (x + 0.5 * z2) / denominator;
    let error = z / denominator * (x * (n - x) / n + 0.25 * z2).sqrt();
    Ok(SuccessRate {
        n_attacks,
        n_success: x,
        raw_rate: x / n,
        rate,
        error,
        low: rate - error,
        high: rate + error,
    })
}

/// Attack versus control versus random baseline, and the residual risk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskEstimate {
    /// The attack on the originals.
    pub attack: SuccessRate,
    /// The same attack on the held-out control set.
    pub control: SuccessRate,
    /// A random-guessing attacker on the originals.
    pub baseline: SuccessRate,
    /// `(attack.rate - control.rate) / (1 - control.rate)`, not clipped: in
    /// `(-inf, 1]`, negative when the control set is easier to attack.
    pub residual: f64,
    /// Propagated error of `residual` (first-order, as Anonymeter).
    pub residual_error: f64,
    /// `residual` clipped to `[0, 1]`: the reported risk.
    pub risk: f64,
    /// `residual -/+ residual_error`, each clipped to `[0, 1]`.
    pub ci: (f64, f64),
    /// True when the control rate is 1 (only possible at vanishing
    /// confidence): the attack cannot do better than control, so the risk is
    /// set to 0 with error 0 instead of dividing by zero.
    pub control_saturated: bool,
    /// True when the attack is no better than the random baseline
    /// (Anonymeter: "analysis results cannot be trusted").
    pub attack_not_better_than_baseline: bool,
}

/// Combines the three rates into the residual risk (Giomi et al. eq. 2):
/// `R = (r_attack - r_control) / (1 - r_control)` with error
/// `sqrt((e_a / (1 - r_c))^2 + (e_c (1 - r_a) / (1 - r_c)^2)^2)`.
pub fn residual_risk(
    attack: SuccessRate,
    control: SuccessRate,
    baseline: SuccessRate,
) -> RiskEstimate {
    let margin = 1.0 - control.rate;
    let (residual, residual_error, control_saturated) = if margin <= f64::EPSILON {
        (0.0, 0.0, true)
    } else {
        let residual = (attack.rate - control.rate) / margin;
        let d_attack = 1.0 / margin;
        let d_control = (1.0 - attack.rate) / (margin * margin);
        let error =
            ((attack.error * d_attack).powi(2) + (control.error * d_control).powi(2)).sqrt();
        (residual, error, false)
    };
    let clip = |v: f64| v.clamp(0.0, 1.0);
    RiskEstimate {
        attack,
        control,
        baseline,
        residual,
        residual_error,
        risk: clip(residual),
        ci: (
            clip(residual - residual_error),
            clip(residual + residual_error),
        ),
        control_saturated,
        attack_not_better_than_baseline: baseline.rate >= attack.rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_by_hand() {
        // n = 100, x = 20, z = 1.959963984540054 (95 %), z^2 = 3.841458820694124.
        // rate  = (20 + 1.920729410347062) / 103.841458820694124 = 0.2110980...
        // error = 1.959963984540054 / 103.841458820694124
        //         * sqrt(20 * 80 / 100 + 0.960364705173531) = 0.0188744... * 4.118296 = 0.0777311...
        let r = wilson_rate(100, 20.0, 0.95).unwrap();
        let z: f64 = 1.959963984540054;
        let z2 = z * z;
        let rate = (20.0 + z2 / 2.0) / (100.0 + z2);
        let error = z / (100.0 + z2) * (16.0 + z2 / 4.0).sqrt();
        assert!((r.rate - rate).abs() < 1e-12);
        assert!((r.error - error).abs() < 1e-12);
        assert!((r.rate - 0.211_098_0).abs() < 1e-6, "{}", r.rate);
        assert!((r.error - 0.077_731).abs() < 1e-5, "{}", r.error);
        // Wilson interval for 20/100: [0.1334, 0.2888] (textbook value).
        assert!((r.low - 0.1334).abs() < 1e-4 && (r.high - 0.2888).abs() < 1e-4);
    }

    #[test]
    fn saturated_control_is_finite() {
        let c = SuccessRate {
            n_attacks: 10,
            n_success: 10.0,
            raw_rate: 1.0,
            rate: 1.0,
            error: 0.0,
            low: 1.0,
            high: 1.0,
        };
        let est = residual_risk(c, c, c);
        assert!(est.control_saturated);
        assert_eq!(est.risk, 0.0);
        assert!(est.residual.is_finite());
    }

    #[test]
    fn corrected_count_above_the_attacks_is_capped() {
        // Anonymeter: sqrt(12 * (10 - 12) / 10 + z^2/4) = sqrt(-2.4 + 0.96): math-domain error.
        let r = wilson_rate(10, 12.0, 0.95).unwrap();
        assert_eq!(r.n_success, 10.0);
        let z2 = 1.959963984540054f64.powi(2);
        assert!((r.rate - (10.0 + z2 / 2.0) / (10.0 + z2)).abs() < 1e-12);
        assert!(r.error.is_finite());
    }

    #[test]
    fn zero_attacks_is_an_error() {
        assert!(wilson_rate(0, 0.0, 0.95).is_err());
        assert!(wilson_rate(10, 1.0, 1.0).is_err());
    }
}
