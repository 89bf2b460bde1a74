//! "At most X of table T's rows can be re-identified": the QI-join linkage
//! attack against the originals ([`crate::attacks::linkage::qi_join`]), the
//! rate with its Wilson interval, behind the coverage guard
//! ([`crate::eval::qi_join_checks`]): rows that match nothing or truth keys
//! that do not resolve make a PASS INCONCLUSIVE.

use serde::{Deserialize, Serialize};

use super::{check_rate, require_table, verdict, wilson, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::attacks::linkage::QiJoinResult;
use crate::audit::AuditError;
use crate::eval::{self, qi_join_checks};
use crate::report::ClaimVerdict;

/// `kind = "reidentification"`: `table`, `max_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reidentification {
    /// Table name.
    pub table: String,
    /// Largest acceptable re-identification rate.
    pub max_rate: f64,
}

impl Claim for Reidentification {
    fn statement(&self) -> String {
        format!(
            "at most {} of table `{}`'s rows can be re-identified",
            percent(self.max_rate),
            self.table
        )
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        check_rate(at, "max_rate", self.max_rate)?;
        if require_table(config, at, &self.table)?.original.is_none() {
            return Err(format!(
                "{at}: table `{}` needs `original` for the linkage attack",
                self.table
            ));
        }
        Ok(())
    }

    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError> {
        let q = facts
            .table(&self.table)?
            .qi_join
            .as_ref()
            .ok_or_else(|| super::missing_facts(&self.table))?;
        self.verdict(q, level)
    }
}

impl Reidentification {
    /// The verdict on a QI-join attack's result
    /// ([`crate::attacks::linkage::qi_join`]) with intervals at `level`, for
    /// the audit and `reident link --qi ... --max-rate` alike.
    pub fn verdict(&self, q: &QiJoinResult, level: f64) -> Result<ClaimVerdict, AuditError> {
        let table = &self.table;
        // `+ 0.0`: an empty f64 sum is -0.0, which would print as "-0.0".
        let (successes, how) = match q.expected_correct_reidentifications {
            Some(e) => (
                e + 0.0,
                "expected correct re-identifications, scored with the truth key",
            ),
            None => (
                q.expected_reidentifications + 0.0,
                "expected re-identifications (no truth key: every candidate set is assumed to hold the true original)",
            ),
        };
        let p = wilson(
            successes,
            q.n_release,
            level,
            &format!("table `{table}`: re-identification rate (the release has no rows)"),
        )?;
        let (v, warnings) = eval::guard(
            eval::interval_at_most(p.low, p.high, self.max_rate),
            &qi_join_checks(q),
        );
        Ok(verdict(
            self,
            v,
            "re-identification rate",
            Some(p.point),
            Some(p),
            "QI-join linkage attack against the originals",
            format!(
                "{:.1} of {} release rows re-identified ({how}); {} rows ({}) match exactly one original; {} match none.",
                successes,
                q.n_release,
                q.unique_matches,
                percent(q.certain_share),
                q.no_candidates
            ),
            warnings,
        ))
    }
}
