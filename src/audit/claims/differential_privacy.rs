//! "Aggregate A is (epsilon, delta)-differentially private per record/user":
//! tested against the noise actually added. The Laplace or Gaussian noise is
//! fitted between true and released aggregates ([`crate::dp::fit_aggregate_noise`])
//! and the epsilon it implies at the unit's sensitivity is worked out from the
//! fitted scale ([`crate::dp::estimate::NoiseFit::epsilon_at`]; linear scaling
//! of a per-record epsilon is right for Laplace noise only). The claim fails
//! when the implied epsilon's interval lies above it; a release cannot prove
//! differential privacy, only refute it.

use serde::{Deserialize, Serialize};

use super::{Claim, DatasetFacts};
use crate::audit::declarations::Declared;
use crate::audit::AuditError;
use crate::dp;
use crate::eval;
use crate::report::{ClaimVerdict, Verdict};

/// Unit of privacy of a differential-privacy claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyUnit {
    /// One record (one event) is protected.
    Record,
    /// One user (all of their events) is protected.
    User,
}

fn default_unit() -> PrivacyUnit {
    PrivacyUnit::Record
}

/// `kind = "differential_privacy"`: `aggregate`, `epsilon`, optional `delta`
/// (0) and `unit` (`record`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DifferentialPrivacy {
    /// Aggregate name.
    pub aggregate: String,
    /// Claimed epsilon.
    pub epsilon: f64,
    /// Claimed delta (0 for pure DP).
    #[serde(default)]
    pub delta: f64,
    /// Unit of privacy.
    #[serde(default = "default_unit")]
    pub unit: PrivacyUnit,
}

/// Fewer paired aggregates than this leave the noise fit INCONCLUSIVE.
const MIN_PAIRED_AGGREGATES: usize = 30;

impl Claim for DifferentialPrivacy {
    fn statement(&self) -> String {
        let (aggregate, epsilon, delta) = (&self.aggregate, self.epsilon, self.delta);
        let unit = match self.unit {
            PrivacyUnit::Record => "record",
            PrivacyUnit::User => "user",
        };
        if delta > 0.0 {
            format!(
                "aggregate `{aggregate}` is ({epsilon}, {delta})-differentially private per {unit}"
            )
        } else {
            format!("aggregate `{aggregate}` is {epsilon}-differentially private per {unit}")
        }
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        let (aggregate, epsilon, delta) = (&self.aggregate, self.epsilon, self.delta);
        let a = config
            .aggregates
            .iter()
            .find(|a| &a.name == aggregate)
            .ok_or_else(|| format!("{at}: no [[aggregate]] named `{aggregate}`"))?;
        if !(epsilon.is_finite() && epsilon > 0.0) {
            return Err(format!(
                "{at}: key `epsilon` = {epsilon}: give a finite number > 0"
            ));
        }
        if !(delta.is_finite() && (0.0..1.0).contains(&delta)) {
            return Err(format!(
                "{at}: key `delta` = {delta}: give a number in [0, 1) (0 for pure differential privacy; delta >= 1 promises nothing)"
            ));
        }
        if self.unit == PrivacyUnit::User && a.contributions.is_none() {
            return Err(format!(
                "{at}: a per-user claim needs `[aggregate.contributions]` (the events behind the counts)"
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, _level: f64) -> Result<ClaimVerdict, AuditError> {
        let epsilon = self.epsilon;
        let a = facts.aggregate(&self.aggregate)?;
        let fit = &a.fit.fit;
        let use_gaussian =
            self.delta > 0.0 && fit.better_fit == dp::estimate::NoiseFamily::Gaussian;
        let family_kind = if use_gaussian {
            dp::estimate::NoiseFamily::Gaussian
        } else {
            dp::estimate::NoiseFamily::Laplace
        };
        let sensitivity = match self.unit {
            PrivacyUnit::Record => a.record_sensitivity,
            PrivacyUnit::User => a
                .user_sensitivity
                .ok_or_else(|| super::missing_facts(&self.aggregate))?,
        };
        let e = fit.epsilon_at(family_kind, sensitivity)?;
        let (point, low, high) = (e.point, e.lower, e.upper);
        let v = eval::epsilon_at_most(low, epsilon, fit.n_used, MIN_PAIRED_AGGREGATES);
        let family = if use_gaussian { "Gaussian" } else { "Laplace" };
        let finite_high = if high.is_finite() { high } else { f64::MAX };
        Ok(ClaimVerdict {
            claim: self.statement(),
            verdict: v,
            measure: "epsilon implied by the noise".into(),
            measured: Some(point),
            confidence_interval: Some((low, finite_high)),
            confidence_level: Some(e.confidence),
            decided_by: format!("{family} noise fit on {} paired aggregates", fit.n_used),
            warnings: Vec::new(),
            evidence: match v {
                Verdict::Fail => format!(
                    "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]), above the claimed {epsilon}: the noise is too small for the claim."
                ),
                Verdict::Pass => format!(
                    "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]): consistent with the claimed {epsilon}. This tests the noise level only; it cannot prove the mechanism private."
                ),
                Verdict::Inconclusive => format!(
                    "Only {} paired aggregates: too few to fit the noise reliably.",
                    fit.n_used
                ),
            },
        })
    }
}
