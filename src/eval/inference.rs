//! Anonymeter-style risks scored from the attacks' counts (Giomi et al. 2023,
//! "A Unified Framework for Quantifying Privacy Risk in Synthetic Data",
//! PoPETs 2023(2), section 3; Anonymeter's `stats/confidence.py`).
//!
//! The attacks of `crate::attacks::inference` return counts per attack (and
//! per secret): attacks made and successes of the attack on the originals,
//! of the random baseline and of the same attack on the control set
//! ([`crate::attacks::inference::AttackCounts`]). Here each count becomes a
//! [`SuccessRate`] (Wilson score centre and half-width, from
//! [`Rate::wilson_score`], the crate's one Wilson) and the three combine into
//! the residual risk `(attack - control) / (1 - control)` with its
//! propagated error ([`residual_risk`]); [`score_risks`] builds the scored
//! [`RiskReport`], the JSON contract of `reident risk` and of the audit.
//!
//! Wilson: E. B. Wilson, "Probable inference, the law of succession, and
//! statistical inference", JASA 22 (1927) 209-212.
//!
//! No sampling happens here: these are pure functions of counts.

use serde::{Deserialize, Serialize};

use super::rate::Rate;
use super::EvalError;
use crate::attacks::inference::{
    AttackCounts, ColumnKind, InferenceCounts, LinkabilityCounts, RiskConfig, RiskCounts,
    SinglingOutCounts, SinglingOutMode,
};

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
    /// `rate - error`, the Wilson lower bound (not clamped).
    pub low: f64,
    /// `rate + error`, the Wilson upper bound (not clamped).
    pub high: f64,
}

/// Wilson score estimate of a Bernoulli success rate from `n_success` out of
/// `n_attacks` at `confidence`. `n_success` is capped to `[0, n_attacks]` so
/// the variance term is never negative (Anonymeter raises a math-domain
/// error when a size-corrected control count exceeds the number of attacks).
///
/// Errors: no attacks (`n_attacks == 0`), or `confidence` not in (0, 1).
pub fn wilson_rate(
    n_attacks: usize,
    n_success: f64,
    confidence: f64,
) -> Result<SuccessRate, EvalError> {
    if n_attacks == 0 {
        return Err(EvalError::Parameter {
            name: "n_attacks",
            message: "no attack could be made (0 targets or queries); give more rows or \
                      columns so the attack has something to work with"
                .into(),
        });
    }
    let score = Rate::new(n_success, n_attacks as u64).wilson_score(confidence, "attack")?;
    let x = score.successes;
    Ok(SuccessRate {
        n_attacks,
        n_success: x,
        raw_rate: x / n_attacks as f64,
        rate: score.centre,
        error: score.half_width,
        low: score.centre - score.half_width,
        high: score.centre + score.half_width,
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

/// The three rates of `counts` at `confidence` and their residual risk.
pub fn score_counts(counts: &AttackCounts, confidence: f64) -> Result<RiskEstimate, EvalError> {
    let attack = wilson_rate(counts.n_attacks, counts.n_success as f64, confidence)?;
    let control = wilson_rate(counts.n_control_attacks, counts.n_control, confidence)?;
    let baseline = wilson_rate(
        counts.n_baseline_attacks,
        counts.n_baseline as f64,
        confidence,
    )?;
    Ok(residual_risk(attack, control, baseline))
}

/// Singling-out result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SinglingOutRisk {
    /// Predicate family.
    pub mode: SinglingOutMode,
    /// Predicates asked for (`n_attacks`).
    pub n_requested: usize,
    /// Predicates found that single out one release record: the denominator.
    pub n_queries: usize,
    /// Control successes before the size correction.
    pub n_control_raw: usize,
    /// Factor applied to the control count (1 when the control set has as
    /// many distinct rows as the originals).
    pub control_correction: f64,
    /// Rates and risk; `None` when no predicate singles out a release record
    /// (e.g. a k-anonymous release with k >= 2 on every column combination
    /// tried): the attacker has nothing to single out with, so there is no
    /// rate to estimate (Anonymeter reports a rate over the requested
    /// number instead).
    pub estimate: Option<RiskEstimate>,
}

/// Scores a singling-out run: no estimate when it found no query.
pub fn score_singling_out(
    c: &SinglingOutCounts,
    confidence: f64,
) -> Result<SinglingOutRisk, EvalError> {
    let estimate = if c.n_queries == 0 {
        None
    } else {
        Some(score_counts(&c.counts, confidence)?)
    };
    Ok(SinglingOutRisk {
        mode: c.mode,
        n_requested: c.n_requested,
        n_queries: c.n_queries,
        n_control_raw: c.n_control_raw,
        control_correction: c.control_correction,
        estimate,
    })
}

/// Linkability result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkabilityRisk {
    /// First column set known to the attacker.
    pub columns_a: Vec<String>,
    /// Second column set.
    pub columns_b: Vec<String>,
    /// Neighbours per side.
    pub n_neighbors: usize,
    /// Rates and risk.
    pub estimate: RiskEstimate,
}

/// Scores a linkability run.
pub fn score_linkability(
    c: &LinkabilityCounts,
    confidence: f64,
) -> Result<LinkabilityRisk, EvalError> {
    Ok(LinkabilityRisk {
        columns_a: c.columns_a.clone(),
        columns_b: c.columns_b.clone(),
        n_neighbors: c.n_neighbors,
        estimate: score_counts(&c.counts, confidence)?,
    })
}

/// Attribute-inference result for one secret column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InferenceRisk {
    /// The secret column.
    pub secret: String,
    /// The columns the attacker knows.
    pub auxiliary: Vec<String>,
    /// Rates and risk.
    pub estimate: RiskEstimate,
}

/// Scores an attribute-inference run of one secret.
pub fn score_inference(c: &InferenceCounts, confidence: f64) -> Result<InferenceRisk, EvalError> {
    Ok(InferenceRisk {
        secret: c.secret.clone(),
        auxiliary: c.auxiliary.clone(),
        estimate: score_counts(&c.counts, confidence)?,
    })
}

/// Everything `reident risk` computes, the JSON contract of the command (and
/// of the audit's `risk` facts).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RiskReport {
    /// The parameters used.
    pub config: RiskConfig,
    /// Rows of the originals, release and control (before de-duplication).
    pub rows: [usize; 3],
    /// The columns used and how each was compared.
    pub columns: Vec<(String, ColumnKind)>,
    /// Univariate singling out.
    pub singling_out_univariate: Option<SinglingOutRisk>,
    /// Multivariate singling out.
    pub singling_out_multivariate: Option<SinglingOutRisk>,
    /// Linkability, when two column sets were given.
    pub linkability: Option<LinkabilityRisk>,
    /// Attribute inference, one per secret column.
    pub inference: Vec<InferenceRisk>,
}

/// Scores every attack of `counts` at its configured confidence.
pub fn score_risks(counts: &RiskCounts) -> Result<RiskReport, EvalError> {
    let confidence = counts.config.confidence;
    Ok(RiskReport {
        config: counts.config.clone(),
        rows: counts.rows,
        columns: counts.columns.clone(),
        singling_out_univariate: counts
            .singling_out_univariate
            .as_ref()
            .map(|c| score_singling_out(c, confidence))
            .transpose()?,
        singling_out_multivariate: counts
            .singling_out_multivariate
            .as_ref()
            .map(|c| score_singling_out(c, confidence))
            .transpose()?,
        linkability: counts
            .linkability
            .as_ref()
            .map(|c| score_linkability(c, confidence))
            .transpose()?,
        inference: counts
            .inference
            .iter()
            .map(|c| score_inference(c, confidence))
            .collect::<Result<_, _>>()?,
    })
}

impl RiskReport {
    /// Every estimate with a label, for verdicts and tables.
    pub fn estimates(&self) -> Vec<(String, &RiskEstimate)> {
        let mut out = Vec::new();
        if let Some(e) = self
            .singling_out_univariate
            .as_ref()
            .and_then(|s| s.estimate.as_ref())
        {
            out.push(("singling out (univariate)".to_string(), e));
        }
        if let Some(e) = self
            .singling_out_multivariate
            .as_ref()
            .and_then(|s| s.estimate.as_ref())
        {
            out.push(("singling out (multivariate)".to_string(), e));
        }
        if let Some(l) = &self.linkability {
            out.push(("linkability".to_string(), &l.estimate));
        }
        for i in &self.inference {
            out.push((format!("inference of `{}`", i.secret), &i.estimate));
        }
        out
    }
}

/// Singling out run and scored: the attack's counts
/// ([`crate::attacks::inference::singling_out_counts`]) through
/// [`score_singling_out`], at `config.confidence`.
pub fn singling_out_risk(
    tables: &crate::attacks::inference::RiskTables,
    mode: crate::attacks::inference::SinglingOutMode,
    config: &crate::attacks::inference::RiskConfig,
) -> Result<SinglingOutRisk, EvalError> {
    let counts = crate::attacks::inference::singling_out_counts(tables, mode, config)?;
    score_singling_out(&counts, config.confidence)
}

/// Linkability run and scored ([`crate::attacks::inference::linkability_counts`]
/// through [`score_linkability`]).
pub fn linkability_risk(
    tables: &crate::attacks::inference::RiskTables,
    columns_a: &[String],
    columns_b: &[String],
    config: &crate::attacks::inference::RiskConfig,
) -> Result<LinkabilityRisk, EvalError> {
    let counts =
        crate::attacks::inference::linkability_counts(tables, columns_a, columns_b, config)?;
    score_linkability(&counts, config.confidence)
}

/// Attribute inference run and scored
/// ([`crate::attacks::inference::attribute_inference_counts`] through
/// [`score_inference`]).
pub fn attribute_inference_risk(
    tables: &crate::attacks::inference::RiskTables,
    secret: &str,
    auxiliary: &[String],
    config: &crate::attacks::inference::RiskConfig,
) -> Result<InferenceRisk, EvalError> {
    let counts =
        crate::attacks::inference::attribute_inference_counts(tables, secret, auxiliary, config)?;
    score_inference(&counts, config.confidence)
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

    #[test]
    fn residual_by_hand() {
        // Attack 20/100, control 10/100 at 95 %: Wilson centres
        // (20 + z^2/2) / (100 + z^2) and (10 + z^2/2) / (100 + z^2).
        let counts = AttackCounts {
            n_attacks: 100,
            n_success: 20,
            n_baseline_attacks: 100,
            n_baseline: 5,
            n_control_attacks: 100,
            n_control: 10.0,
        };
        let est = score_counts(&counts, 0.95).unwrap();
        let z2 = 1.959963984540054f64.powi(2);
        let (ra, rc) = (
            (20.0 + z2 / 2.0) / (100.0 + z2),
            (10.0 + z2 / 2.0) / (100.0 + z2),
        );
        assert!((est.residual - (ra - rc) / (1.0 - rc)).abs() < 1e-12);
        // ra = 0.2110980, rc = 0.1147974: residual = 0.0963006 / 0.8852026 = 0.1087894.
        assert!(
            (est.residual - 0.108_789_4).abs() < 1e-6,
            "{}",
            est.residual
        );
        assert!(!est.attack_not_better_than_baseline);
    }
}
