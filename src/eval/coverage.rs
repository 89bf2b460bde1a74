//! The fail-safe guard: an attack that could not run over its input has not
//! shown that a release is safe.
//!
//! Every attack says how much of its input it could align (release rows with
//! at least one compatible original, truth keys that resolve to an original,
//! documents that could be attributed). Each such figure is a
//! [`CoverageCheck`] with the share it must reach. [`guard`] turns a PASS into
//! INCONCLUSIVE when any check falls short and returns, for every check that
//! falls short (whatever the verdict), a warning that names the counts and the
//! likely cause. A FAIL stays a FAIL: an attack that already succeeds on part
//! of the input refutes the claim no matter what the rest would show.
//!
//! The threshold [`MIN_ALIGNED_SHARE`] (95 % of release rows) leaves room for
//! the few rows an honest release may hold that match nothing (a record
//! perturbed beyond its original), while a misread column, a missing
//! hierarchy or a release audited against the wrong originals leave far more.

use super::decision::Verdict;
use crate::attacks::linkage::QiJoinResult;
use crate::data::ValueKind;

/// Share of release rows that must have at least one compatible original
/// before a linkage attack's low success rate may support a PASS.
pub const MIN_ALIGNED_SHARE: f64 = 0.95;

/// How much of its input an attack could really work on.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageCheck {
    /// What was counted, e.g. "release rows with a compatible original".
    pub what: String,
    /// How many of the input's items the attack could use.
    pub covered: u64,
    /// How many items there were.
    pub total: u64,
    /// The share `covered / total` must reach (1 means every item).
    pub required_share: f64,
    /// The likely cause when the check falls short, and what to do about it.
    pub cause: String,
}

impl CoverageCheck {
    /// True when the share reached is at least the share required (an empty
    /// input never holds: an attack over nothing shows nothing).
    pub fn holds(&self) -> bool {
        self.total > 0 && self.covered as f64 >= self.required_share * self.total as f64
    }

    /// The warning shown when the check does not hold.
    pub fn warning(&self) -> String {
        if self.total == 0 {
            return format!(
                "{}: the input is empty, so the attack did not run. {}",
                self.what, self.cause
            );
        }
        let share = self.covered as f64 / self.total as f64;
        let required = if self.required_share >= 1.0 {
            "all".to_string()
        } else {
            format!("at least {:.0}%", self.required_share * 100.0)
        };
        format!(
            "{}: {} of {} ({:.1}%), {required} needed for a PASS. {}",
            self.what,
            self.covered,
            self.total,
            share * 100.0,
            self.cause
        )
    }
}

/// Applies the coverage checks to a verdict: a PASS with any check falling
/// short becomes INCONCLUSIVE; FAIL and INCONCLUSIVE stay. Returns the
/// verdict and one warning per check that falls short.
pub fn guard(verdict: Verdict, checks: &[CoverageCheck]) -> (Verdict, Vec<String>) {
    let warnings: Vec<String> = checks
        .iter()
        .filter(|c| !c.holds())
        .map(CoverageCheck::warning)
        .collect();
    let verdict = if verdict == Verdict::Pass && !warnings.is_empty() {
        Verdict::Inconclusive
    } else {
        verdict
    };
    (verdict, warnings)
}

/// The coverage checks of a QI-join attack: release rows with a compatible
/// original (at least [`MIN_ALIGNED_SHARE`]) and, with a truth key, release
/// rows whose key names an original (all of them). The cause names the
/// columns whose values match nothing, how each was read, and what to try.
pub fn qi_join_checks(result: &QiJoinResult) -> Vec<CoverageCheck> {
    let mut columns: Vec<_> = result
        .unmatched_by_column
        .iter()
        .filter(|u| u.rows > 0)
        .collect();
    columns.sort_by(|a, b| b.rows.cmp(&a.rows).then(a.column.cmp(&b.column)));
    let mut cause = String::new();
    if !columns.is_empty() {
        let parts: Vec<String> = columns
            .iter()
            .map(|u| {
                let shapes = u
                    .example_shapes
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let hint = match (u.kind, u.has_hierarchy) {
                    (_, false) if u.example_shapes.iter().any(|s| s.contains('a')) => format!(
                        "a generalization hierarchy for `{}` may be missing",
                        u.column
                    ),
                    (_, true) => format!(
                        "the hierarchy for `{}` may miss these values",
                        u.column
                    ),
                    (ValueKind::Code, false) => format!(
                        "if these are ranges, set `kinds = {{ {} = \"number\" }}` (`--kind {}=number`)",
                        u.column, u.column
                    ),
                    (ValueKind::Number, false) => format!(
                        "if these are codes, set `kinds = {{ {} = \"code\" }}` (`--kind {}=code`)",
                        u.column, u.column
                    ),
                    (ValueKind::Generalized, false) => format!(
                        "if the originals of `{}` are codes, set `kinds = {{ {} = \"code\" }}`",
                        u.column, u.column
                    ),
                };
                format!(
                    "`{}` (read as {}): {} rows, {} distinct values shaped like {shapes}; {hint}",
                    u.column, u.kind, u.rows, u.distinct_values
                )
            })
            .collect();
        cause.push_str(&format!(
            "Release values that match no original value, by column: {}. ",
            parts.join("; ")
        ));
    }
    cause.push_str("Otherwise the originals may not be the records the release was made from.");
    let mut checks = vec![CoverageCheck {
        what: "release rows with at least one compatible original".into(),
        covered: result.n_release as u64 - result.no_candidates.min(result.n_release as u64),
        total: result.n_release as u64,
        required_share: MIN_ALIGNED_SHARE,
        cause,
    }];
    if let Some(unresolved) = result.truth_unresolved {
        checks.push(CoverageCheck {
            what: "release rows whose truth key names an original row".into(),
            covered: result.n_release as u64 - unresolved.min(result.n_release as u64),
            total: result.n_release as u64,
            required_share: 1.0,
            cause: "Rows whose key is missing or names no original cannot be scored, and counting them as not re-identified would understate the rate: check the truth column and the key map.".into(),
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(covered: u64, total: u64, required: f64) -> CoverageCheck {
        CoverageCheck {
            what: "rows".into(),
            covered,
            total,
            required_share: required,
            cause: "cause".into(),
        }
    }

    #[test]
    fn guard_turns_pass_into_inconclusive_only() {
        let short = [check(827, 24_253, 0.95)];
        let (v, w) = guard(Verdict::Pass, &short);
        assert_eq!(v, Verdict::Inconclusive);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("827 of 24253 (3.4%)"), "{}", w[0]);
        let (v, w) = guard(Verdict::Fail, &short);
        assert_eq!((v, w.len()), (Verdict::Fail, 1));
        let (v, w) = guard(Verdict::Pass, &[check(95, 100, 0.95)]);
        assert_eq!((v, w.len()), (Verdict::Pass, 0));
        let (v, _) = guard(Verdict::Pass, &[check(99, 100, 1.0)]);
        assert_eq!(v, Verdict::Inconclusive);
        let (v, w) = guard(Verdict::Pass, &[check(0, 0, 0.95)]);
        assert_eq!(v, Verdict::Inconclusive);
        assert!(w[0].contains("empty"));
    }
}
