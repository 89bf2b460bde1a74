//! The epsilon lower bound of a black-box mechanism audit.
//!
//! `crate::dp::audit::run_trials` runs a mechanism many times on two
//! neighbouring datasets and returns one membership score per run
//! ([`MechanismTrials`]); [`bound_audit`] turns those trials into the lower
//! bound of [`super::epsilon`] (Jagielski, Ullman & Oprea 2020; Nasr et al.
//! 2021) and, when a claim is given, a verdict on it. Running the mechanism is
//! `dp`'s job and scoring the runs is this module's, so `dp` never imports
//! `eval`. Nothing here runs a mechanism, reads a file or prints.

use serde::{Deserialize, Serialize};

use super::epsilon::{
    epsilon_lower_bound, verdict_for, Claim, ClaimVerdict, EpsilonLowerBound, ThresholdSelection,
};
use super::EvalError;
use crate::dp::MechanismTrials;

/// Parameters of an audit: how many trials `dp` runs and with which seed, and
/// how `eval` bounds epsilon from them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AuditConfig {
    /// Total trials (half on each dataset); at least 4.
    pub trials: usize,
    /// Base seed.
    pub seed: u64,
    /// Delta in the bound (the claimed delta).
    pub delta: f64,
    /// Confidence of the bound.
    pub confidence: f64,
    /// Threshold selection.
    pub selection: ThresholdSelection,
}

/// The outcome of an audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditResult {
    /// The mechanism audited.
    pub mechanism: String,
    /// The distinguisher used.
    pub distinguisher: String,
    /// The configuration (its delta is the claim's when a claim was given).
    pub config: AuditConfig,
    /// The lower bound.
    pub bound: EpsilonLowerBound,
    /// The verdict on a claim, when one was given (its bound is `bound`).
    pub claim: Option<ClaimVerdict>,
}

/// Bounds epsilon from the trials of a mechanism run with `config`. When
/// `claim` is given its delta is used in the bound and a verdict is attached.
pub fn bound_audit(
    trials: &MechanismTrials,
    config: &AuditConfig,
    claim: Option<Claim>,
) -> Result<AuditResult, EvalError> {
    let delta = claim.map_or(config.delta, |c| c.delta);
    let bound = epsilon_lower_bound(
        &trials.scores,
        &trials.is_member,
        delta,
        config.confidence,
        config.selection,
    )?;
    let claim = claim.map(|c| verdict_for(c, bound.clone()).without_bound());
    Ok(AuditResult {
        mechanism: trials.mechanism.clone(),
        distinguisher: trials.distinguisher.clone(),
        config: AuditConfig { delta, ..*config },
        bound,
        claim,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_distinguisher_gives_the_largest_bound_its_trials_allow() {
        // 20 + 20 trials that a threshold separates perfectly, Bonferroni over
        // the distinct scores (2 thresholds: per-test level 1 - 0.05 / 2 =
        // 0.975, each rate bounded at 1 - 0.025 / 2 = 0.9875). The best test
        // has FP = FN = 0 out of 20, so each rate's Clopper-Pearson upper end
        // is 1 - 0.0125^(1/20) = 0.196724 and the bound is
        // ln((1 - u) / u) = 1.407218.
        let trials = MechanismTrials {
            mechanism: "m".into(),
            distinguisher: "d".into(),
            scores: (0..40).map(|i| if i < 20 { 0.0 } else { 1.0 }).collect(),
            is_member: (0..40).map(|i| i >= 20).collect(),
        };
        let config = AuditConfig {
            trials: 40,
            seed: 0,
            delta: 0.0,
            confidence: 0.95,
            selection: ThresholdSelection::Bonferroni,
        };
        let claim = Claim {
            epsilon: 1.0,
            delta: 0.0,
        };
        let r = bound_audit(&trials, &config, Some(claim)).unwrap();
        let u: f64 = 1.0 - 0.0125f64.powf(1.0 / 20.0);
        let want = ((1.0 - u) / u).ln();
        assert!(
            (r.bound.epsilon_lower - want).abs() < 1e-9,
            "{}",
            r.bound.epsilon_lower
        );
        assert_eq!(
            r.claim.unwrap().verdict,
            super::super::epsilon::Verdict::Refuted
        );
        let mut bad = config;
        bad.delta = 1.0;
        assert!(bound_audit(&trials, &bad, None).is_err());
    }
}
