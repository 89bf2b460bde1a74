//! "At most X of table T's rows can be re-identified": the QI-join linkage
//! attack against the originals ([`crate::attacks::linkage::qi_join`]), the
//! rate with its Wilson interval, behind the coverage guard
//! ([`crate::eval::qi_join_checks`]): rows that match nothing or truth keys
//! that do not resolve make a PASS INCONCLUSIVE. So do release columns the
//! originals also hold that are not quasi-identifiers
//! ([`undeclared_shared_columns`]): an adversary holding the originals joins
//! on them too, so a rate measured on the declared quasi-identifiers alone
//! understates the risk.

use serde::{Deserialize, Serialize};

use super::{check_rate, require_table, verdict, wilson, Claim, DatasetFacts};
use crate::audit::declarations::{percent, Declared};
use crate::attacks::linkage::QiJoinResult;
use crate::audit::AuditError;
use crate::eval::{self, qi_join_checks};
use crate::report::{ClaimVerdict, Verdict};

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
        let t = facts.table(&self.table)?;
        let q = t
            .qi_join
            .as_ref()
            .ok_or_else(|| super::missing_facts(&self.table))?;
        Ok(super::built_hierarchy_guard(
            t,
            self.verdict(q, &t.undeclared_shared_columns, level)?,
        ))
    }
}

impl Reidentification {
    /// The verdict on a QI-join attack's result
    /// ([`crate::attacks::linkage::qi_join`]) with intervals at `level`, for
    /// the audit and `reident link --qi ... --max-rate` alike.
    /// `undeclared_shared` are the release columns the originals also hold
    /// that the join did not use ([`undeclared_shared_columns`]).
    pub fn verdict(
        &self,
        q: &QiJoinResult,
        undeclared_shared: &[String],
        level: f64,
    ) -> Result<ClaimVerdict, AuditError> {
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
        let (mut v, mut warnings) = eval::guard(
            eval::interval_at_most(p.low, p.high, self.max_rate),
            &qi_join_checks(q),
        );
        if !undeclared_shared.is_empty() {
            // Fail safe: the attack joined on fewer columns than an adversary
            // holding the originals would; a FAIL stays a FAIL.
            if v == Verdict::Pass {
                v = Verdict::Inconclusive;
            }
            warnings.push(format!(
                "The release keeps {} column(s) that the originals also hold but that are not quasi-identifiers: {}. An adversary holding the originals joins on them too, so the rate above (on the quasi-identifiers alone) understates the risk. Declare them as quasi-identifiers to test that adversary, or drop them from the release.",
                undeclared_shared.len(),
                undeclared_shared
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
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

/// The release columns the originals also hold (by name) that are neither
/// quasi-identifiers (release names, or the originals' names they map to)
/// nor the truth key's columns: what an adversary holding the originals
/// could join on beyond the declared quasi-identifiers. In release order.
pub fn undeclared_shared_columns(
    release_columns: &[&str],
    original_columns: &[&str],
    quasi_identifiers: &[String],
    original_quasi_identifiers: &[String],
    truth_columns: &[&str],
) -> Vec<String> {
    release_columns
        .iter()
        .filter(|c| original_columns.contains(c))
        .filter(|c| !quasi_identifiers.iter().any(|q| q == *c))
        .filter(|c| !original_quasi_identifiers.iter().any(|q| q == *c))
        .filter(|c| !truth_columns.contains(c))
        .map(|c| c.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_columns_leave_out_quasi_identifiers_and_the_truth_key() {
        let got = undeclared_shared_columns(
            &["rid", "age", "role_family", "purpose", "pseudonym_only", "job"],
            &["rid", "age", "role", "purpose", "job", "salary"],
            &["age".to_string(), "role_family".to_string()],
            &["age".to_string(), "role".to_string()],
            &["rid"],
        );
        assert_eq!(got, ["purpose", "job"]);
    }
}
