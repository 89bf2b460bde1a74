//! "At most X of users in traces T are singled out by p points": trace unicity
//! (de Montjoye et al. 2013, [`crate::attacks::unicity::unicity_sweep`]), the
//! share of users whose trace is the only one containing p random points of
//! their own, with its Wilson interval.

use serde::{Deserialize, Serialize};

use super::{check_rate, verdict, wilson, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::attacks::unicity::{UnicityReport, UnicityResult};
use crate::audit::AuditError;
use crate::eval;
use crate::report::ClaimVerdict;

/// `kind = "trace_unicity"`: `traces`, `points`, `max_unicity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceUnicity {
    /// Traces name.
    pub traces: String,
    /// Points the adversary knows.
    pub points: usize,
    /// Largest acceptable unicity.
    pub max_unicity: f64,
}

impl Claim for TraceUnicity {
    fn statement(&self) -> String {
        format!(
            "at most {} of users in `{}` are singled out by {} points",
            percent(self.max_unicity),
            self.traces,
            self.points
        )
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        let (traces, points) = (&self.traces, self.points);
        check_rate(at, "max_unicity", self.max_unicity)?;
        if points == 0 {
            return Err(format!(
                "{at}: key `points` = 0: the adversary must know at least 1 point"
            ));
        }
        let t = config
            .traces
            .iter()
            .find(|t| &t.name == traces)
            .ok_or_else(|| format!("{at}: no [[traces]] named `{traces}`"))?;
        if !t.points.contains(&points) {
            return Err(format!(
                "{at}: add {points} to `points` of traces `{traces}`"
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        self.verdict(&facts.traces(&self.traces)?.report, level)
    }
}

impl TraceUnicity {
    /// The verdict on a unicity sweep
    /// ([`crate::attacks::unicity::unicity_sweep`]; its first bucket width)
    /// with intervals at `level`, for the audit and `reident unicity
    /// --max-unicity` alike.
    pub fn verdict(&self, report: &UnicityReport, level: f64) -> Result<ClaimVerdict, AuditError> {
        let curve = report
            .curves
            .first()
            .ok_or_else(|| super::missing_facts(&self.traces))?;
        self.verdict_on_curve(curve, level)
    }

    /// The verdict on one bucket width's unicity curve.
    pub fn verdict_on_curve(
        &self,
        curve: &UnicityResult,
        level: f64,
    ) -> Result<ClaimVerdict, AuditError> {
        let points = self.points;
        let missing = || super::missing_facts(&self.traces);
        let point = curve
            .curve
            .iter()
            .find(|p| p.points == points)
            .ok_or_else(missing)?;
        let p = wilson(point.n_unique as f64, point.n_users, level, "trace unicity")?;
        Ok(verdict(
            self,
            eval::interval_at_most(p.low, p.high, self.max_unicity),
            "trace unicity",
            Some(p.point),
            Some(p),
            &format!(
                "trace unicity with {points} random points ({} s buckets)",
                curve.spec.bucket_seconds
            ),
            format!(
                "{} of {} users are the only ones whose trace contains {points} of their own points.",
                point.n_unique, point.n_users
            ),
            Vec::new(),
        ))
    }
}
