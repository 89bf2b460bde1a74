//! "Table T is k-anonymous": every equivalence class of the release's
//! quasi-identifiers holds at least k records (or persons, with a subject
//! column). Measured exactly by [`crate::privacy::evaluate`]; a release column
//! left out of the quasi-identifiers that would break k makes a PASS
//! INCONCLUSIVE ([`crate::privacy::hidden_qi`]).

use serde::{Deserialize, Serialize};

use super::{check_at_least_two, require_table, verdict, Claim, DatasetFacts};
use crate::audit::declarations::Declared;
use crate::audit::AuditError;
use crate::eval;
use crate::privacy::MetricsReport;
use crate::report::{ClaimVerdict, Verdict};

/// `kind = "k_anonymity"`: `table`, `k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KAnonymity {
    /// Table name.
    pub table: String,
    /// Claimed k.
    pub k: u64,
}

impl Claim for KAnonymity {
    fn statement(&self) -> String {
        format!("table `{}` is {}-anonymous", self.table, self.k)
    }

    fn check(&self, config: &Declared, at: &str) -> Result<(), String> {
        require_table(config, at, &self.table)?;
        check_at_least_two(at, "k", self.k, "record")
    }

    fn decide(&self, facts: &DatasetFacts, _level: f64) -> Result<ClaimVerdict, AuditError> {
        Ok(self.verdict(&facts.table(&self.table)?.metrics))
    }
}

impl KAnonymity {
    /// The verdict on the release's metrics ([`crate::privacy::evaluate`]),
    /// for the audit and the CLI alike.
    pub fn verdict(&self, m: &MetricsReport) -> ClaimVerdict {
        let k = self.k;
        let unit = if m.subjects.is_some() {
            "person(s)"
        } else {
            "record(s)"
        };
        // A column left out of the QIs that re-creates one (or is
        // near-unique) and would break the claimed k: not a PASS.
        let hidden: Vec<String> = m
            .hidden_qi
            .as_ref()
            .map(|h| {
                h.hidden()
                    .filter(|c| c.k_with < k)
                    .map(|c| {
                        format!(
                            "`{}` would give k = {} if added to the quasi-identifiers",
                            c.column, c.k_with
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut warnings = Vec::new();
        if !hidden.is_empty() {
            warnings.push(format!(
                "Release columns not declared as quasi-identifiers determine one or are near-unique: {}. An adversary who knows them sees smaller classes; declare them as quasi-identifiers or remove them from the release.",
                hidden.join("; ")
            ));
        }
        if let Some(s) = &m.subjects {
            if s.profile_k < k {
                warnings.push(format!(
                    "k counts persons ({} per smallest class; {} counting records), but an adversary who knows all of a person's records narrows some persons to a group of {}.",
                    s.subject_k, s.record_k, s.profile_k
                ));
            }
        }
        if m.hidden_qi.is_none() {
            warnings.push(format!(
                "The release has more than {} columns besides the quasi-identifiers, so they were not checked for hidden quasi-identifiers.",
                crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
            ));
        }
        let mut v = eval::at_least(m.k as f64, k as f64);
        if v == Verdict::Pass && (!hidden.is_empty() || m.hidden_qi.is_none()) {
            v = Verdict::Inconclusive;
        }
        verdict(
            self,
            v,
            "k (smallest equivalence class)",
            Some(m.k as f64),
            None,
            "k-anonymity over the release's quasi-identifiers",
            format!(
                "The smallest of {} equivalence classes has {} {unit}; {} records sit in classes smaller than {k}.",
                m.n_classes, m.k, m.below_target_k.n_records
            ),
            warnings,
        )
    }
}
