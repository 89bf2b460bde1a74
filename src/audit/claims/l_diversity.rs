//! "Table T is distinct-l-diverse": every equivalence class holds at least l
//! distinct values of every sensitive attribute (Machanavajjhala et al. 2007),
//! measured exactly by [`crate::privacy::evaluate`].

use serde::{Deserialize, Serialize};

use super::{check_at_least_two, require_sensitive, verdict, Claim, DatasetFacts};
use crate::audit::declarations::Declared;
use crate::audit::AuditError;
use crate::eval;
use crate::privacy::MetricsReport;
use crate::report::ClaimVerdict;

/// `kind = "l_diversity"`: `table`, `l`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LDiversity {
    /// Table name.
    pub table: String,
    /// Claimed l.
    pub l: u64,
}

impl Claim for LDiversity {
    fn statement(&self) -> String {
        format!("table `{}` is distinct-{}-diverse", self.table, self.l)
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        check_at_least_two(at, "l", self.l, "sensitive value")?;
        require_sensitive(config, at, &self.table)
    }

    fn decide(&self, facts: &DatasetFacts, _level: f64) -> Result<ClaimVerdict, AuditError> {
        self.verdict(&facts.table(&self.table)?.metrics)
    }
}

impl LDiversity {
    /// The verdict on the release's metrics ([`crate::privacy::evaluate`]),
    /// for the audit and the CLI alike: the least diverse sensitive attribute.
    pub fn verdict(&self, metrics: &MetricsReport) -> Result<ClaimVerdict, AuditError> {
        let worst = metrics
            .sensitive
            .iter()
            .min_by_key(|s| s.l_distinct)
            .ok_or_else(|| super::missing_facts(&self.table))?;
        Ok(verdict(
            self,
            eval::at_least(worst.l_distinct as f64, self.l as f64),
            "distinct l",
            Some(worst.l_distinct as f64),
            None,
            "distinct l-diversity (Machanavajjhala et al. 2007)",
            format!(
                "Some equivalence class holds only {} distinct value(s) of `{}`.",
                worst.l_distinct, worst.attribute
            ),
            Vec::new(),
        ))
    }
}
