//! "Singling-out, linkability and inference risks of table T are at most X":
//! the Anonymeter-style attacks (Giomi et al. 2023,
//! [`crate::attacks::inference::run_risk_attacks`] scored by [`crate::eval::inference::score_risks`]) against a control set, one
//! claim over several risks decided by [`crate::eval::composite_at_most`]:
//! every component must be below the threshold, not only the highest point.

use serde::{Deserialize, Serialize};

use super::{check_rate, require_table, verdict, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::eval::inference::RiskReport;
use crate::audit::AuditError;
use crate::eval::{self, Interval};
use crate::report::{ClaimVerdict, Verdict};

/// `kind = "inference_risk"`: `table`, `max_risk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InferenceRisk {
    /// Table name.
    pub table: String,
    /// Largest acceptable residual risk.
    pub max_risk: f64,
}

impl Claim for InferenceRisk {
    fn statement(&self) -> String {
        format!(
            "singling-out, linkability and inference risks of table `{}` are at most {}",
            self.table,
            percent(self.max_risk)
        )
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        check_rate(at, "max_risk", self.max_risk)?;
        if require_table(config, at, &self.table)?.risk.is_none() {
            return Err(format!(
                "{at}: table `{}` needs a `[table.risk]` section (control set, secrets)",
                self.table
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        let t = facts.table(&self.table)?;
        let r = t
            .risk
            .as_ref()
            .ok_or_else(|| super::missing_facts(&self.table))?;
        Ok(super::built_hierarchy_guard(t, self.verdict(r, level)?))
    }
}

impl InferenceRisk {
    /// The verdict on the Anonymeter-style risks
    /// ([`crate::attacks::inference::run_risk_attacks`] scored by [`crate::eval::inference::score_risks`]; their intervals are at
    /// `level`), for the audit and `reident risk --max-risk` alike.
    pub fn verdict(&self, r: &RiskReport, level: f64) -> Result<ClaimVerdict, AuditError> {
        let max_risk = self.max_risk;
        let estimates = r.estimates();
        let parts: Vec<(f64, f64)> = estimates.iter().map(|(_, e)| e.ci).collect();
        let v = eval::composite_at_most(&parts, max_risk);
        // The figure shown is the component that decides: on a FAIL the one
        // whose lower end is highest, otherwise the one reaching highest.
        let (name, worst) = estimates
            .iter()
            .max_by(|a, b| match v {
                Verdict::Fail => a.1.ci.0.total_cmp(&b.1.ci.0),
                _ => a.1.ci.1.total_cmp(&b.1.ci.1),
            })
            .ok_or_else(|| super::missing_facts(&self.table))?;
        let listed: Vec<String> = estimates
            .iter()
            .map(|(n, e)| format!("{n} {:.4} [{:.4}, {:.4}]", e.risk, e.ci.0, e.ci.1))
            .collect();
        Ok(verdict(
            self,
            v,
            "residual risk (attack vs control) of the deciding component",
            Some(worst.risk),
            Some(Interval {
                point: worst.risk,
                low: worst.ci.0,
                high: worst.ci.1,
                level,
            }),
            &format!(
                "Anonymeter-style risks ({} components; {name} decides)",
                estimates.len()
            ),
            format!(
                "PASS needs every component's upper end at or below {max_risk}, FAIL any lower end above it: {}.",
                listed.join("; ")
            ),
            Vec::new(),
        ))
    }
}
