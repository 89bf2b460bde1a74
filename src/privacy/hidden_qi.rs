//! Hidden quasi-identifiers: release columns left out of the declared
//! quasi-identifiers (QIs) that re-create one, or that single out records on
//! their own, with the k the release would have if they were declared.
//!
//! A k computed over the declared QIs is only as good as the declaration. A
//! column the vendor did not list can carry the same information as a listed
//! one, e.g. a population-density code that maps one-to-one to the area code
//! (in the NIST ACS excerpts `DENSITY` takes one value per `PUMA`): when the
//! area is generalized but the density stays exact, adding the density to the
//! QIs can drop a "k = 5" release to k = 1, and nothing in the declared k says
//! so. Sweeney's original k-anonymity paper (IJUFKS 10(5), 2002, section 3)
//! already names the choice of the quasi-identifier as the weak point: every
//! attribute the adversary can link on belongs in it.
//!
//! For every release column outside the declared QIs (the subject column
//! excepted) [`detect_hidden_quasi_identifiers`] runs one group-by, the shared
//! [`EquivalenceClasses`] builder over the QIs plus that column, and reads
//! from its classes:
//!
//! * **k with the column**: the smallest class (in persons with a subject
//!   column), and the records in classes below the target k;
//! * **determination** of each declared QI `Q` by the column `C`, measured
//!   with counts `n(c, q)` of records: the column determines `Q` exactly when
//!   every value `c` occurs with one value `q` (conditional entropy
//!   `H(Q | C) = 0`), one-to-one when moreover every `q` occurs with one `c`.
//!   Near determination is measured by Goodman and Kruskal's lambda
//!   (*Measures of association for cross classifications*, JASA 49, 1954):
//!   `lambda = (sum_c max_q n(c,q) - max_q n(q)) / (n - max_q n(q))`, the
//!   share of the errors in guessing `Q` that knowing `C` removes (1 for exact
//!   determination, 0 when `C` does not help). A QI with a single value is
//!   determined by everything and is skipped.
//! * **near-uniqueness**: distinct values of the column over records (over
//!   persons with a subject column), at least [`HiddenQiOptions::near_unique_share`]
//!   (0.9 by default): an identifier or a free-text field singles records out
//!   whatever the QIs say.
//!
//! A column is *flagged* when it determines a declared QI (lambda at least
//! [`HiddenQiOptions::min_lambda`], 0.95 by default, with the column having
//! at least two values) or is near-unique (its determinations, trivial, are
//! then not listed). Every candidate is reported, with
//! its k, flagged or not; flagged columns come first. A column one-to-one
//! with a declared QI leaves k unchanged while that QI is released as it is,
//! but re-creates it as soon as the QI is generalized or dropped, so it is
//! flagged too.
//!
//! Sensitive attributes are checked like any column but reported with
//! [`CandidateRole::Sensitive`]: declaring a sensitive attribute as a QI is a
//! different decision (it assumes the adversary knows the secret), so
//! callers list them apart.
//!
//! Rows excluded from the declared-QI classes (every declared QI suppressed,
//! under [`SuppressedRows::Exclude`](super::SuppressedRows)) stay excluded
//! when a candidate is added, so k with and without the column compare the
//! same records.
//!
//! Cost: one group-by (a parallel sort of the rows) per candidate column and
//! a pass over the classes per declared QI; linear-logarithmic in rows,
//! linear in candidates.

use serde::{Deserialize, Serialize};

use super::classes::{canonical_codes, ClassOptions, NO_CLASS};
use super::params::MetricsParams;
use super::{EquivalenceClasses, PrivacyError};
use crate::data::EncodedTable;

/// The most candidate columns a caller should check (one group-by over all rows
/// each): `reident metrics` skips the check with a warning above it, and the
/// audit does not let a k claim PASS unchecked.
pub const MAX_CANDIDATE_COLUMNS: usize = 1_000;

/// Thresholds of the hidden quasi-identifier check.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenQiOptions {
    /// A column is near-unique when its distinct values make up at least this
    /// share of the records (of the persons, with a subject column). Default
    /// 0.9. In `(0, 1]`.
    pub near_unique_share: f64,
    /// A column determines a QI when Goodman and Kruskal's lambda of the QI
    /// given the column is at least this. Default 0.95 (1 = exact
    /// determination only). In `(0, 1]`.
    pub min_lambda: f64,
    /// The columns to check; `None` checks every column of the table that is
    /// neither a declared QI nor the subject column.
    pub columns: Option<Vec<String>>,
}

impl Default for HiddenQiOptions {
    fn default() -> Self {
        HiddenQiOptions {
            near_unique_share: 0.9,
            min_lambda: 0.95,
            columns: None,
        }
    }
}

/// Whether a candidate is an ordinary release column or a declared sensitive attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateRole {
    /// Neither a QI nor sensitive: a hidden QI if flagged.
    Other,
    /// A declared sensitive attribute (reported apart; see the module docs).
    Sensitive,
}

/// How a candidate column determines one declared QI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Determination {
    /// The declared QI.
    pub quasi_identifier: String,
    /// Goodman and Kruskal's lambda of the QI given the column, in [0, 1].
    pub lambda: f64,
    /// Every value of the column occurs with a single value of the QI.
    pub exact: bool,
    /// Exact, and every value of the QI occurs with a single value of the column.
    pub one_to_one: bool,
}

/// One candidate column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenQiColumn {
    /// Column name.
    pub column: String,
    /// Ordinary column or declared sensitive attribute.
    pub role: CandidateRole,
    /// Distinct values of the column among the records in classes.
    pub n_distinct: u64,
    /// `n_distinct` over the records (over the persons, with a subject
    /// column), at most 1.
    pub distinct_share: f64,
    /// At least [`HiddenQiOptions::near_unique_share`].
    pub near_unique: bool,
    /// The declared QIs the column determines (lambda at least
    /// [`HiddenQiOptions::min_lambda`]), strongest first.
    pub determines: Vec<Determination>,
    /// k of the release if the column were added to the QIs.
    pub k_with: u64,
    /// Classes (over the QIs and the column) smaller than the target k.
    pub classes_below_target_k: u64,
    /// Records in those classes.
    pub records_below_target_k: u64,
    /// Near-unique or determines a declared QI.
    pub flagged: bool,
}

/// Result of [`detect_hidden_quasi_identifiers`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HiddenQiReport {
    /// The declared QIs.
    pub quasi_identifiers: Vec<String>,
    /// `records` or `subjects`: what class sizes count.
    pub unit: String,
    /// k over the declared QIs.
    pub k: u64,
    /// The target k the `*_below_target_k` counts refer to.
    pub target_k: u64,
    /// Records in classes below the target k over the declared QIs alone.
    pub records_below_target_k: u64,
    /// The near-uniqueness threshold used.
    pub near_unique_share: f64,
    /// The determination threshold used.
    pub min_lambda: f64,
    /// Every candidate column: flagged ones first, then by `k_with`
    /// ascending, then by name.
    pub columns: Vec<HiddenQiColumn>,
}

impl HiddenQiReport {
    /// Flagged candidates that are not sensitive attributes: the hidden QIs.
    pub fn hidden(&self) -> impl Iterator<Item = &HiddenQiColumn> {
        self.columns
            .iter()
            .filter(|c| c.flagged && c.role == CandidateRole::Other)
    }

    /// Flagged candidates that are declared sensitive attributes.
    pub fn flagged_sensitive(&self) -> impl Iterator<Item = &HiddenQiColumn> {
        self.columns
            .iter()
            .filter(|c| c.flagged && c.role == CandidateRole::Sensitive)
    }

    /// One line per kind of finding, for a warning on standard error, e.g.
    /// `hidden quasi-identifiers (k = 5 over age, area): density (determines
    /// area) would give k = 1`; empty when nothing is flagged.
    pub fn warnings(&self) -> Vec<String> {
        let describe = |c: &HiddenQiColumn| {
            let mut why: Vec<String> = c
                .determines
                .iter()
                .map(|d| {
                    let how = if d.one_to_one {
                        "one-to-one with"
                    } else if d.exact {
                        "determines"
                    } else {
                        "nearly determines"
                    };
                    format!("{how} {}", d.quasi_identifier)
                })
                .collect();
            if c.near_unique {
                why.push(format!(
                    "near-unique: {:.0}% distinct",
                    100.0 * c.distinct_share
                ));
            }
            format!(
                "{} ({}) would give k = {}",
                c.column,
                why.join("; "),
                c.k_with
            )
        };
        let head = format!(
            "(k = {} over {}{})",
            self.k,
            self.quasi_identifiers.join(", "),
            if self.unit == "subjects" {
                ", counting persons"
            } else {
                ""
            }
        );
        let mut lines = Vec::new();
        let hidden: Vec<String> = self.hidden().map(describe).collect();
        if !hidden.is_empty() {
            lines.push(format!(
                "hidden quasi-identifiers {head}: {}; declare them as quasi-identifiers or generalize them",
                hidden.join(", ")
            ));
        }
        let sensitive: Vec<String> = self.flagged_sensitive().map(describe).collect();
        if !sensitive.is_empty() {
            lines.push(format!(
                "sensitive attributes that re-create or single out {head}: {}",
                sensitive.join(", ")
            ));
        }
        lines
    }
}

/// Checks every release column outside `params`' quasi-identifiers (see the
/// module docs). `params` gives the QIs, the sensitive attributes (reported
/// apart), the subject column (class sizes in persons), the suppressed-row
/// policy and the target k; its other fields are ignored.
///
/// Errors: no QI, an empty table, a column of `params` or `options.columns`
/// not in the table, a candidate that is a declared QI or the subject column,
/// thresholds outside `(0, 1]`, target k 0.
pub fn detect_hidden_quasi_identifiers(
    table: &EncodedTable,
    params: &MetricsParams,
    options: &HiddenQiOptions,
) -> Result<HiddenQiReport, PrivacyError> {
    check_options(params, options)?;
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    let subject = params.subject.as_deref();
    let base_options = ClassOptions {
        suppressed_rows: params.suppressed_rows,
        subject,
        suppression_columns: None,
    };
    let base = EquivalenceClasses::build_with(table, &qis, &[], &base_options)?;
    let k = base.unit_sizes().iter().copied().min().unwrap_or(0);
    let records_below: u64 = base
        .unit_sizes()
        .iter()
        .zip(base.class_sizes())
        .filter(|(&u, _)| u < params.target_k)
        .map(|(_, &records)| records)
        .sum();

    let candidates = candidate_columns(&table.column_names(), params, options)?;
    let n_units = match base.subject() {
        Some(s) => s.n_subjects,
        None => base.n_rows_in_classes as u64,
    };

    let mut columns = Vec::with_capacity(candidates.len());
    for candidate in &candidates {
        let mut with: Vec<&str> = qis.clone();
        with.push(candidate);
        let options_with = ClassOptions {
            suppression_columns: Some(&qis),
            ..base_options
        };
        let classes = EquivalenceClasses::build_with(table, &with, &[], &options_with)?;
        let column = check_candidate(table, &classes, &qis, candidate, params, n_units, options)?;
        columns.push(column);
    }
    Ok(hidden_qi_report(params, options, k, records_below, columns))
}

/// Checks `options`' thresholds (in `(0, 1]`) and `params`' target k (at least 1).
pub fn check_options(
    params: &MetricsParams,
    options: &HiddenQiOptions,
) -> Result<(), PrivacyError> {
    for (name, value) in [
        ("near_unique_share", options.near_unique_share),
        ("min_lambda", options.min_lambda),
    ] {
        if !(value > 0.0 && value <= 1.0) {
            return Err(PrivacyError::InvalidParameter {
                name,
                message: format!("{value} is not in (0, 1]"),
            });
        }
    }
    if params.target_k == 0 {
        return Err(PrivacyError::InvalidParameter {
            name: "target_k",
            message: "must be at least 1 (every class has at least one row)".to_string(),
        });
    }
    Ok(())
}

/// The candidate columns: `options.columns`, or every one of `table_columns`
/// that is neither a declared QI nor the subject column. Errors when a
/// column of `options.columns` is a declared QI or the subject column.
pub fn candidate_columns(
    table_columns: &[&str],
    params: &MetricsParams,
    options: &HiddenQiOptions,
) -> Result<Vec<String>, PrivacyError> {
    let is_qi = |c: &str| params.quasi_identifiers.iter().any(|q| q == c);
    let subject = params.subject.as_deref();
    match &options.columns {
        Some(columns) => {
            for c in columns {
                if is_qi(c) || subject == Some(c.as_str()) {
                    return Err(PrivacyError::InvalidParameter {
                        name: "columns",
                        message: format!(
                            "`{c}` is a declared quasi-identifier or the subject column; check the other columns"
                        ),
                    });
                }
            }
            Ok(columns.clone())
        }
        None => Ok(table_columns
            .iter()
            .filter(|c| !is_qi(c) && subject != Some(**c))
            .map(|c| c.to_string())
            .collect()),
    }
}

/// The report from the candidates' findings (any order; sorted here:
/// flagged first, then by `k_with`, then by name), `k` and
/// `records_below` over the declared QIs.
pub fn hidden_qi_report(
    params: &MetricsParams,
    options: &HiddenQiOptions,
    k: u64,
    records_below: u64,
    mut columns: Vec<HiddenQiColumn>,
) -> HiddenQiReport {
    columns.sort_by(|a, b| {
        b.flagged
            .cmp(&a.flagged)
            .then(a.k_with.cmp(&b.k_with))
            .then_with(|| a.column.cmp(&b.column))
    });
    HiddenQiReport {
        quasi_identifiers: params.quasi_identifiers.clone(),
        unit: if params.subject.is_some() {
            "subjects".to_string()
        } else {
            "records".to_string()
        },
        k,
        target_k: params.target_k,
        records_below_target_k: records_below,
        near_unique_share: options.near_unique_share,
        min_lambda: options.min_lambda,
        columns,
    }
}

/// The figures of one candidate column that its finding is decided from.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateFigures {
    /// Column name.
    pub column: String,
    /// Distinct values of the column among the records in classes.
    pub n_distinct: u64,
    /// Records in classes (persons, with a subject column).
    pub n_units: u64,
    /// Smallest class over the QIs and the column.
    pub k_with: u64,
    /// Classes below the target k.
    pub classes_below_target_k: u64,
    /// Records in them.
    pub records_below_target_k: u64,
}

impl CandidateFigures {
    /// `n_distinct / n_units`, at most 1 (0 without units).
    pub fn distinct_share(&self) -> f64 {
        if self.n_units == 0 {
            0.0
        } else {
            (self.n_distinct as f64 / self.n_units as f64).min(1.0)
        }
    }

    /// Whether the determinations of the declared QIs are read: a column
    /// with one value determines nothing, and a near-unique one determines
    /// every QI trivially (its values hardly repeat), so they are not listed.
    pub fn needs_determinations(&self, options: &HiddenQiOptions) -> bool {
        self.n_distinct >= 2 && self.distinct_share() < options.near_unique_share
    }

    /// The finding: near-uniqueness, the determinations at least
    /// `options.min_lambda` (strongest first; none unless
    /// [`needs_determinations`](Self::needs_determinations)), flagged when
    /// either holds; the role from `params`' sensitive attributes.
    pub fn finding(
        self,
        params: &MetricsParams,
        options: &HiddenQiOptions,
        determinations: Vec<Determination>,
    ) -> HiddenQiColumn {
        let distinct_share = self.distinct_share();
        let near_unique = distinct_share >= options.near_unique_share;
        let mut determines: Vec<Determination> = if self.needs_determinations(options) {
            determinations
                .into_iter()
                .filter(|d| d.lambda >= options.min_lambda)
                .collect()
        } else {
            Vec::new()
        };
        determines.sort_by(|a, b| {
            b.lambda
                .total_cmp(&a.lambda)
                .then_with(|| a.quasi_identifier.cmp(&b.quasi_identifier))
        });
        let flagged = near_unique || !determines.is_empty();
        HiddenQiColumn {
            role: if params.sensitive.contains(&self.column) {
                CandidateRole::Sensitive
            } else {
                CandidateRole::Other
            },
            column: self.column,
            n_distinct: self.n_distinct,
            distinct_share,
            near_unique,
            determines,
            k_with: self.k_with,
            classes_below_target_k: self.classes_below_target_k,
            records_below_target_k: self.records_below_target_k,
            flagged,
        }
    }
}

/// The figures of one candidate from the classes over the QIs plus it.
fn check_candidate(
    table: &EncodedTable,
    classes: &EquivalenceClasses,
    qis: &[&str],
    candidate: &str,
    params: &MetricsParams,
    n_units: u64,
    options: &HiddenQiOptions,
) -> Result<HiddenQiColumn, PrivacyError> {
    let column_of = |name: &str| {
        table
            .column(name)
            .ok_or_else(|| PrivacyError::MissingColumn {
                source_name: table.source.clone(),
                role: "candidate",
                column: name.to_string(),
                available: table.column_names().iter().map(|s| s.to_string()).collect(),
            })
    };
    let col = column_of(candidate)?;
    let col_canon = canonical_codes(col);
    let sizes = classes.class_sizes();
    let units = classes.unit_sizes();
    let k_with = units.iter().copied().min().unwrap_or(0);
    let (mut classes_below, mut records_below) = (0u64, 0u64);
    for (&u, &records) in units.iter().zip(sizes) {
        if u < params.target_k {
            classes_below += 1;
            records_below += records;
        }
    }

    // One representative row per class: every row of a class has the same
    // QI values and the same candidate value.
    let mut representative = vec![u32::MAX; classes.n_classes()];
    for (row, &class) in classes.row_classes().iter().enumerate() {
        if class != NO_CLASS && representative[class as usize] == u32::MAX {
            representative[class as usize] = row as u32;
        }
    }
    let value_of = |class: usize| col_canon[col.codes[representative[class] as usize] as usize];
    let mut values: Vec<u32> = (0..classes.n_classes()).map(value_of).collect();
    values.sort_unstable();
    values.dedup();
    let figures = CandidateFigures {
        column: candidate.to_string(),
        n_distinct: values.len() as u64,
        n_units,
        k_with,
        classes_below_target_k: classes_below,
        records_below_target_k: records_below,
    };
    let mut determines = Vec::new();
    if figures.needs_determinations(options) {
        for &qi in qis {
            let q = column_of(qi)?;
            let q_canon = canonical_codes(q);
            // (candidate value, QI value, records) per class, then summed per pair.
            let mut cells: Vec<(u32, u32, u64)> = (0..classes.n_classes())
                .map(|c| {
                    let row = representative[c] as usize;
                    (value_of(c), q_canon[q.codes[row] as usize], sizes[c])
                })
                .collect();
            cells.sort_unstable();
            let mut pairs: Vec<(u32, u32, u64)> = Vec::with_capacity(cells.len());
            for (v, qv, n) in cells {
                match pairs.last_mut() {
                    Some(last) if last.0 == v && last.1 == qv => last.2 += n,
                    _ => pairs.push((v, qv, n)),
                }
            }
            determines.extend(determination(qi, &pairs));
        }
    }
    Ok(figures.finding(params, options, determines))
}

/// Goodman-Kruskal lambda and exactness of `qi` given the candidate, from the
/// record counts of the (candidate value, QI value) pairs sorted by candidate
/// value. `None` when the QI has a single value (nothing to determine).
fn determination(qi: &str, pairs: &[(u32, u32, u64)]) -> Option<Determination> {
    let mut counts = CrossCounts::default();
    // Records per QI value.
    let mut per_q: Vec<(u32, u64)> = pairs.iter().map(|p| (p.1, p.2)).collect();
    per_q.sort_unstable();
    for run in per_q.chunk_by(|a, b| a.0 == b.0) {
        counts.q_totals.push(run.iter().map(|x| x.1).sum());
        counts.q_partners.push(run.len() as u64);
    }
    counts.exact = true;
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        counts.add_candidate_value(run.iter().map(|p| p.2));
    }
    counts.determination(qi)
}

/// The counts Goodman and Kruskal's lambda of a QI given a candidate is
/// computed from, additive over the candidate's values: a caller that sees
/// the cross counts `n(c, q)` a few candidate values at a time (the
/// out-of-core check) sums them here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrossCounts {
    /// Records (the sum of `n(c, q)`).
    pub total: u64,
    /// `sum_c max_q n(c, q)`: the right guesses of the QI knowing the candidate.
    pub best_with: u64,
    /// Every candidate value met occurs with a single QI value (start true).
    pub exact: bool,
    /// Records per QI value (`n(q)`), any order.
    pub q_totals: Vec<u64>,
    /// Candidate values per QI value, in the order of `q_totals`.
    pub q_partners: Vec<u64>,
}

impl CrossCounts {
    /// Adds one candidate value's counts `n(c, q)` over the QI values it
    /// occurs with (each at least 1); `exact` must have started true.
    pub fn add_candidate_value(&mut self, counts: impl Iterator<Item = u64>) {
        let (mut max, mut sum, mut len) = (0u64, 0u64, 0usize);
        for n in counts {
            max = max.max(n);
            sum += n;
            len += 1;
        }
        self.best_with += max;
        self.total += sum;
        self.exact &= len == 1;
    }

    /// The determination of `qi`; `None` when the QI has a single value
    /// (nothing to determine).
    pub fn determination(&self, qi: &str) -> Option<Determination> {
        if self.q_totals.len() < 2 {
            return None;
        }
        let best_without = *self.q_totals.iter().max()?;
        let lambda = if self.exact {
            1.0
        } else {
            (self.best_with - best_without) as f64 / (self.total - best_without) as f64
        };
        Some(Determination {
            quasi_identifier: qi.to_string(),
            lambda,
            exact: self.exact,
            one_to_one: self.exact && self.q_partners.iter().all(|&p| p == 1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::CategoricalColumn;

    #[test]
    fn lambda_by_hand() {
        // Candidate values a, b; QI values x, y. Counts: (a,x)=3 (a,y)=1 (b,y)=4.
        // Without the candidate the best guess is y (5 of 8): 3 errors. With
        // it: a -> x (3 right), b -> y (4 right): 1 error. lambda = (7-5)/(8-5).
        let d = determination("q", &[(0, 0, 3), (0, 1, 1), (1, 1, 4)]).unwrap();
        assert!((d.lambda - 2.0 / 3.0).abs() < 1e-12, "{}", d.lambda);
        assert!(!d.exact && !d.one_to_one);
        // Exact but not one-to-one: a -> x, b -> x, c -> y.
        let d = determination("q", &[(0, 0, 2), (1, 0, 2), (2, 1, 1)]).unwrap();
        assert_eq!((d.lambda, d.exact, d.one_to_one), (1.0, true, false));
        // A QI with one value is determined by anything: skipped.
        assert!(determination("q", &[(0, 0, 2), (1, 0, 2)]).is_none());
    }

    #[test]
    fn candidates_exclude_qis_and_the_subject() {
        let t = EncodedTable::new(
            "t",
            vec![
                CategoricalColumn::from_strs("q", &["a", "a", "b", "b"]),
                CategoricalColumn::from_strs("p", &["1", "1", "2", "3"]),
                CategoricalColumn::from_strs("x", &["u", "v", "u", "v"]),
            ],
        );
        let params = MetricsParams::new(["q"]).subject("p");
        let r = detect_hidden_quasi_identifiers(&t, &params, &HiddenQiOptions::default()).unwrap();
        let names: Vec<&str> = r.columns.iter().map(|c| c.column.as_str()).collect();
        assert_eq!(names, vec!["x"]);
        assert_eq!(r.unit, "subjects");
        // Persons per class over q: a {1}, b {2, 3}: k = 1.
        assert_eq!(r.k, 1);
        let e = detect_hidden_quasi_identifiers(
            &t,
            &params,
            &HiddenQiOptions {
                columns: Some(vec!["q".into()]),
                ..HiddenQiOptions::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("`q`"), "{e}");
    }
}
