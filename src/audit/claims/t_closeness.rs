//! "Table T satisfies t-closeness": every equivalence class's distribution of
//! every sensitive attribute is within equal-distance EMD t of the overall
//! distribution (Li et al. 2007), measured exactly by
//! [`crate::privacy::evaluate`].

use serde::{Deserialize, Serialize};

use super::{require_sensitive, verdict, Claim, DatasetFacts};
use crate::audit::declarations::Declared;
use crate::audit::AuditError;
use crate::eval;
use crate::privacy::MetricsReport;
use crate::report::ClaimVerdict;

/// `kind = "t_closeness"`: `table`, `t`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TCloseness {
    /// Table name.
    pub table: String,
    /// Claimed t.
    pub t: f64,
}

impl Claim for TCloseness {
    fn statement(&self) -> String {
        format!("table `{}` satisfies {}-closeness", self.table, self.t)
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        let t = self.t;
        if !(t.is_finite() && (0.0..1.0).contains(&t)) {
            return Err(format!(
                "{at}: key `t` = {t}: give a finite t in [0, 1) (the equal-distance EMD never exceeds 1, so t >= 1 would pass whatever the data)"
            ));
        }
        require_sensitive(config, at, &self.table)
    }

    fn decide(&self, facts: &DatasetFacts, _level: f64) -> Result<ClaimVerdict, AuditError> {
        self.verdict(&facts.table(&self.table)?.metrics)
    }
}

impl TCloseness {
    /// The verdict on the release's metrics ([`crate::privacy::evaluate`]),
    /// for the audit and the CLI alike: the sensitive attribute furthest from
    /// its overall distribution.
    pub fn verdict(&self, metrics: &MetricsReport) -> Result<ClaimVerdict, AuditError> {
        let worst = metrics
            .sensitive
            .iter()
            .max_by(|a, b| a.t_equal_distance.t.total_cmp(&b.t_equal_distance.t))
            .ok_or_else(|| super::missing_facts(&self.table))?;
        let measured = worst.t_equal_distance.t;
        Ok(verdict(
            self,
            eval::at_most(measured, self.t),
            "t (equal-distance EMD)",
            Some(measured),
            None,
            "t-closeness (Li et al. 2007)",
            format!(
                "The class furthest from the overall distribution of `{}` is at EMD {measured:.4}.",
                worst.attribute
            ),
            Vec::new(),
        ))
    }
}
