//! The quasi-identifier join attack on a generalized release: for each
//! release row, the original rows whose every quasi-identifier value is
//! covered by the release value (interval, mask, set, `*`, hierarchy
//! ancestor, see [`crate::data::kinds`]). An attacker who picks
//! one candidate uniformly succeeds with probability `1/|candidates|`
//! (the prosecutor model of Sweeney 2002 / El Emam 2008, evaluated on the
//! actual originals rather than on equivalence-class sizes).
//!
//! How a release value is compared with an original value is decided per
//! column by [`crate::data::kinds`] (exact text first; a code is never read
//! as a range; generalized attacker data matches by overlap). The result says
//! which kind each column was read as and, per column, how many release rows
//! match no original value at all, so a caller can tell an attack that found
//! nothing from an attack that could not run (see [`QiJoinResult::coverage`]).
//!
//! Speed: per quasi-identifier and per distinct release value, the set of
//! compatible original *codes* is computed once (one `contains_with` per
//! distinct original value) and turned into a row bitset; release rows are
//! grouped by their tuple of codes and each group's candidate set is the AND
//! of its bitsets. Work is `O(distinct values^2 + groups * n/64)`.

use crate::data::TruthKey;
use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::LinkageError;
use crate::data::kinds::shape_of;
use crate::data::{
    column_kind, compatible_codes, compatible_codes_read, CategoricalColumn, ColumnComparator,
    ColumnKind, EncodedTable, Hierarchy, ValueKind,
};

/// Per-release-row outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QiJoinRow {
    /// Number of compatible originals.
    pub candidates: u64,
    /// `1 / candidates` (0 when none).
    pub success_probability: f64,
    /// With a truth key: whether the true original is among the candidates.
    pub truth_in_candidates: Option<bool>,
}

/// Result of the QI-join attack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QiJoinResult {
    /// Quasi-identifiers used.
    pub quasi_identifiers: Vec<String>,
    /// Original rows.
    pub n_original: usize,
    /// Release rows.
    pub n_release: usize,
    /// Distinct release QI tuples (groups evaluated).
    pub release_groups: usize,
    /// Sum over release rows of `1/|candidates|`.
    pub expected_reidentifications: f64,
    /// `expected_reidentifications / n_release`.
    pub expected_reidentification_rate: f64,
    /// Release rows with exactly one candidate.
    pub unique_matches: u64,
    /// `unique_matches / n_release`: share re-identified with certainty.
    pub certain_share: f64,
    /// Release rows with no compatible original (release inconsistent with originals).
    pub no_candidates: u64,
    /// With a truth key: unique matches that are the true original.
    pub actual_reidentifications: Option<u64>,
    /// With a truth key: sum over release rows of `t / |candidates|`, `t` the
    /// true originals among the candidates (1 unless a truth key is shared):
    /// the expected correct re-identifications of an attacker picking a
    /// candidate uniformly, as defined in `eval::linkage` (every
    /// candidate set is one tie). Divided by `n_release` (every release row,
    /// including rows with no candidate or no source) it is the rate the
    /// audit's re-identification claim reads.
    pub expected_correct_reidentifications: Option<f64>,
    /// With a truth key: release rows whose true original is among the candidates.
    pub truth_in_candidates: Option<u64>,
    /// With a truth key: release rows whose key is missing or names no original
    /// row (such rows cannot be scored; a caller must not count them as safe).
    pub truth_unresolved: Option<u64>,
    /// Histogram of candidate-set sizes: (size, number of release rows), ascending.
    pub candidate_size_histogram: Vec<(u64, u64)>,
    /// How each quasi-identifier's values were compared (code, number, generalized) and why.
    pub column_kinds: Vec<ColumnKind>,
    /// Per quasi-identifier: release rows whose value on that column alone is
    /// compatible with no original value.
    pub unmatched_by_column: Vec<UnmatchedColumn>,
    /// Per release row, in release order.
    pub rows: Vec<QiJoinRow>,
}

/// Release rows of one quasi-identifier whose value matches no original value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmatchedColumn {
    /// The quasi-identifier.
    pub column: String,
    /// How its values were compared.
    pub kind: ValueKind,
    /// True when a hierarchy was given for the column.
    pub has_hierarchy: bool,
    /// Release rows whose value on this column matches no original value.
    pub rows: u64,
    /// Distinct release values among them.
    pub distinct_values: u64,
    /// Shapes of up to three of those values (digits as `9`, letters as `a`),
    /// which tell the cause without disclosing a value.
    pub example_shapes: Vec<String>,
}

impl QiJoinResult {
    /// Share of release rows with at least one compatible original: how much
    /// of the release the attack could really run on (1 when the release is empty).
    pub fn coverage(&self) -> f64 {
        if self.n_release == 0 {
            1.0
        } else {
            1.0 - self.no_candidates as f64 / self.n_release as f64
        }
    }
}

fn col<'a>(t: &'a EncodedTable, name: &str) -> Result<&'a CategoricalColumn, LinkageError> {
    t.column(name).ok_or_else(|| LinkageError::MissingColumn {
        source_name: t.source.clone(),
        column: name.to_string(),
        available: t.column_names().iter().map(|s| s.to_string()).collect(),
    })
}

/// Every non-missing value an original column holds must be in the column's
/// hierarchy (a leaf, or a node where the attacker's data is generalized
/// itself), as `reident metrics` demands of sensitive values: an original the
/// hierarchy does not list is compatible with none of its nodes, which
/// silently shrinks candidate sets and the rate.
fn check_hierarchy_covers(
    column: &CategoricalColumn,
    h: &Hierarchy,
    source: &str,
    distinct: Option<&DistinctRows<'_>>,
) -> Result<(), LinkageError> {
    let first_rows = distinct.map(|d| d.first_rows);
    let rows_per_code: Vec<usize> = match distinct {
        Some(d) => d.original_rows.iter().map(|&n| n as usize).collect(),
        None => {
            let mut rows = vec![0usize; column.values.len()];
            for &c in &column.codes {
                rows[c as usize] += 1;
            }
            rows
        }
    };
    let missing: Vec<usize> = (0..column.values.len())
        .filter(|&c| {
            let v = column.values[c].trim();
            rows_per_code[c] > 0
                && !column.is_missing_code(c as u32)
                && !column.suppressed[c]
                && !h.contains_leaf(v)
                && h.level_of(v).is_none()
        })
        .collect();
    if let Some(&first) = missing.first() {
        let rows: usize = missing.iter().map(|&c| rows_per_code[c]).sum();
        let row = match first_rows {
            Some(rows) => rows.get(first).map_or(0, |&r| r as usize + 1),
            None => column.first_row_with(first as u32).map_or(0, |r| r + 1),
        };
        return Err(LinkageError::Data(crate::data::DataError::Hierarchy {
            source_name: h.attribute.clone(),
            line: None,
            message: format!(
                "{source}: column `{}`: {} distinct value(s) in {rows} row(s) are not in the hierarchy for `{}` (the first, `{}`, at data row {row}); add them to the hierarchy file so release values can be matched to them",
                column.name,
                missing.len(),
                h.attribute,
                column.values[first].trim()
            ),
        }));
    }
    Ok(())
}

/// Runs the attack. `hierarchies` maps a QI name to its hierarchy; `kinds`
/// sets a QI's [`ValueKind`] (detected from the originals when absent);
/// `truth` says which original(s) each release row came from
/// ([`crate::data::TruthSpec::resolve`]); it only scores the attack. Missing release values are treated as
/// suppressed (compatible with anything); a missing original value is
/// compatible only with a suppressed or missing release value.
pub fn qi_join(
    original: &EncodedTable,
    release: &EncodedTable,
    quasi_identifiers: &[String],
    hierarchies: &HashMap<String, Hierarchy>,
    kinds: &HashMap<String, ValueKind>,
    truth: Option<&TruthKey>,
) -> Result<QiJoinResult, LinkageError> {
    if quasi_identifiers.is_empty() {
        return Err(LinkageError::BadSpec {
            spec: String::new(),
            message: "give at least one quasi-identifier".into(),
        });
    }
    let n = original.n_rows;
    let words = n.div_ceil(64);
    let mut ocols = Vec::new();
    let mut rcols = Vec::new();
    // Per QI: for each release code, compatible original codes.
    let mut compat: Vec<Vec<Vec<u32>>> = Vec::new();
    let mut column_kinds: Vec<ColumnKind> = Vec::new();
    for q in quasi_identifiers {
        let oc = col(original, q)?;
        let rc = col(release, q)?;
        let m = match_column(
            q,
            oc,
            rc,
            hierarchies.get(q),
            kinds.get(q).copied(),
            (&original.source, &release.source),
            None,
        )?;
        column_kinds.push(m.kind);
        compat.push(m.compatible);
        ocols.push(oc);
        rcols.push(rc);
    }
    let unmatched_by_column = quasi_identifiers
        .iter()
        .enumerate()
        .map(|(q, name)| {
            let rc = rcols[q];
            let mut rows_per_code = vec![0u64; rc.values.len()];
            for &c in &rc.codes {
                rows_per_code[c as usize] += 1;
            }
            unmatched_column(
                name,
                rc,
                &rows_per_code,
                &compat[q],
                column_kinds[q].kind,
                hierarchies.contains_key(name),
            )
        })
        .collect();
    // Group release rows by code tuple.
    let mut groups: HashMap<Vec<u32>, Vec<usize>> = HashMap::new();
    for r in 0..release.n_rows {
        let key: Vec<u32> = rcols.iter().map(|c| c.codes[r]).collect();
        groups.entry(key).or_default().push(r);
    }
    let mut groups: Vec<(Vec<u32>, Vec<usize>)> = groups.into_iter().collect();
    groups.sort_by_key(|(_, rows)| rows[0]);
    // Row bitsets per (qi, release code), built lazily.
    let mut bitsets: Vec<HashMap<u32, Vec<u64>>> = vec![HashMap::new(); quasi_identifiers.len()];
    for (key, _) in &groups {
        for (q, &code) in key.iter().enumerate() {
            bitsets[q].entry(code).or_insert_with(|| {
                let mut allowed = vec![false; ocols[q].values.len()];
                for &c in &compat[q][code as usize] {
                    allowed[c as usize] = true;
                }
                let mut bits = vec![0u64; words];
                for (row, &c) in ocols[q].codes.iter().enumerate() {
                    if allowed[c as usize] {
                        bits[row / 64] |= 1 << (row % 64);
                    }
                }
                bits
            });
        }
    }
    if let Some(t) = truth {
        if t.n_release() != release.n_rows {
            return Err(LinkageError::BadParameter(format!(
                "the truth key covers {} release rows but the release has {}",
                t.n_release(),
                release.n_rows
            )));
        }
    }
    let group_results: Vec<(Vec<u64>, u64)> = groups
        .par_iter()
        .map(|(key, _)| {
            let mut acc = bitsets[0][&key[0]].clone();
            for (q, code) in key.iter().enumerate().skip(1) {
                for (a, b) in acc.iter_mut().zip(&bitsets[q][code]) {
                    *a &= b;
                }
            }
            let count = acc.iter().map(|w| u64::from(w.count_ones())).sum();
            (acc, count)
        })
        .collect();
    let mut rows = vec![
        QiJoinRow {
            candidates: 0,
            success_probability: 0.0,
            truth_in_candidates: None
        };
        release.n_rows
    ];
    // True originals among each release row's candidates (more than one
    // only when several originals share the row's truth key).
    let mut true_candidates = vec![0u64; release.n_rows];
    for ((_, members), (bits, count)) in groups.iter().zip(&group_results) {
        for &r in members {
            let truth_in = truth.map(|t| {
                true_candidates[r] = t
                    .originals_of(r as u32)
                    .iter()
                    .filter(|&&o| bits[o as usize / 64] >> (o as usize % 64) & 1 == 1)
                    .count() as u64;
                true_candidates[r] > 0
            });
            rows[r] = QiJoinRow {
                candidates: *count,
                success_probability: if *count == 0 {
                    0.0
                } else {
                    1.0 / *count as f64
                },
                truth_in_candidates: truth_in,
            };
        }
    }
    // Release rows per (candidates, true candidates): every figure below
    // is read from these cells, in ascending order, as the Spark engine
    // reads its counts (`engine::spark_qi`), so both give equal numbers.
    let mut cells: std::collections::BTreeMap<(u64, u64), u64> = Default::default();
    for (r, t) in rows.iter().zip(&true_candidates) {
        *cells.entry((r.candidates, *t)).or_insert(0) += 1;
    }
    let truth_unresolved = truth.map(|t| (release.n_rows - t.release_rows_with_truth()) as u64);
    let s = QiJoinSummary::of(&cells, truth_unresolved);
    let n_release = release.n_rows;
    Ok(QiJoinResult {
        quasi_identifiers: quasi_identifiers.to_vec(),
        n_original: n,
        n_release,
        release_groups: groups.len(),
        column_kinds,
        unmatched_by_column,
        rows,
        ..s.result(n, n_release)
    })
}

/// How one quasi-identifier's release values match its original values:
/// the kind it is read as and, per release code, the compatible original
/// codes. Shared by [`qi_join`] and the Spark engine, which builds the two
/// columns from the distinct values alone.
pub(crate) struct ColumnMatch {
    /// How the values are compared.
    pub kind: ColumnKind,
    /// Per release code, the compatible original codes.
    pub compatible: Vec<Vec<u32>>,
}

/// When the two columns hold each distinct value once (codes `0..`), the
/// rows behind each value: what the messages count.
pub(crate) struct DistinctRows<'a> {
    /// Each original value's first data row (0-based).
    pub first_rows: &'a [u64],
    /// Each original value's number of rows.
    pub original_rows: &'a [u64],
    /// Each release value's number of rows.
    pub release_rows: &'a [u64],
}

/// Matches one quasi-identifier (see [`ColumnMatch`]); `sources` are the
/// original's and the release's names for errors, `distinct` (when the
/// columns hold one row per distinct value) the rows behind each value, for
/// the hierarchy error and the kind's reason.
pub(crate) fn match_column(
    name: &str,
    original: &CategoricalColumn,
    release: &CategoricalColumn,
    hierarchy: Option<&Hierarchy>,
    kind: Option<ValueKind>,
    sources: (&str, &str),
    distinct: Option<&DistinctRows<'_>>,
) -> Result<ColumnMatch, LinkageError> {
    if let Some(h) = hierarchy {
        check_hierarchy_covers(original, h, sources.0, distinct)?;
    }
    let mut kind = column_kind(name, original, kind);
    let comparator = ColumnComparator::new(kind.kind, hierarchy);
    let read = compatible_codes_read(original, release, comparator, sources.1)?;
    let open_rows: u64 = match distinct {
        Some(d) => read
            .open_masks
            .iter()
            .map(|&c| d.release_rows.get(c as usize).copied().unwrap_or(0))
            .sum(),
        None => release
            .codes
            .iter()
            .filter(|&&c| read.open_masks.binary_search(&c).is_ok())
            .count() as u64,
    };
    if let Some(&first) = read.open_masks.first() {
        // Say how a value like `25-00*` was taken: the reader must be able to
        // check the reading against the anonymizer's documentation.
        kind.reason = format!(
            "{}; {} release value(s) in {open_rows} row(s) end in a single `*` that no original fits at that length (shaped like `{}`): read as the prefix followed by one or more characters",
            kind.reason,
            read.open_masks.len(),
            shape_of(release.values[first as usize].trim())
        );
    }
    Ok(ColumnMatch {
        kind,
        compatible: read.compatible,
    })
}

/// The release rows of one quasi-identifier that match no original value,
/// from the rows per release code and the per-code compatible originals.
pub(crate) fn unmatched_column(
    name: &str,
    release: &CategoricalColumn,
    rows_per_code: &[u64],
    compatible: &[Vec<u32>],
    kind: ValueKind,
    has_hierarchy: bool,
) -> UnmatchedColumn {
    let empty: Vec<usize> = (0..release.values.len())
        .filter(|&c| compatible[c].is_empty() && rows_per_code[c] > 0)
        .collect();
    UnmatchedColumn {
        column: name.to_string(),
        kind,
        has_hierarchy,
        rows: empty.iter().map(|&c| rows_per_code[c]).sum(),
        distinct_values: empty.len() as u64,
        example_shapes: empty
            .iter()
            .take(3)
            .map(|&c| shape_of(release.values[c].trim()))
            .collect(),
    }
}

/// The counts of a QI join read from its cells: release rows per
/// (candidates, true originals among them); without a truth key the second
/// number is 0 and `truth_unresolved` is `None`.
pub(crate) struct QiJoinSummary {
    expected: f64,
    unique: u64,
    none: u64,
    hist: Vec<(u64, u64)>,
    truth: Option<(u64, f64, u64, u64)>,
}

impl QiJoinSummary {
    /// Sums the cells in ascending order (the same floating-point sums
    /// whatever engine counted them).
    pub(crate) fn of(
        cells: &std::collections::BTreeMap<(u64, u64), u64>,
        truth_unresolved: Option<u64>,
    ) -> Self {
        let mut expected = 0.0;
        let mut unique = 0;
        let mut none = 0;
        let mut hist: std::collections::BTreeMap<u64, u64> = Default::default();
        let (mut actual, mut correct, mut truth_in) = (0u64, 0.0f64, 0u64);
        for (&(c, t), &n) in cells {
            if c > 0 {
                expected += n as f64 / c as f64;
            }
            match c {
                0 => none += n,
                1 => unique += n,
                _ => {}
            }
            *hist.entry(c).or_insert(0) += n;
            if t > 0 {
                truth_in += n;
                if c == 1 {
                    actual += n;
                }
                // Every candidate set holds all of the row's candidates at
                // one level (no weights), so the tied best candidates are
                // the whole set: t/c as in the expected rate of
                // `eval::linkage`.
                correct += n as f64 * super::expected_share(t, c);
            }
        }
        QiJoinSummary {
            expected,
            unique,
            none,
            hist: hist.into_iter().collect(),
            truth: truth_unresolved.map(|u| (actual, correct, truth_in, u)),
        }
    }

    /// A result with these counts (no columns, kinds or rows).
    pub(crate) fn result(&self, n_original: usize, n_release: usize) -> QiJoinResult {
        let share = |x: f64| {
            if n_release == 0 {
                0.0
            } else {
                x / n_release as f64
            }
        };
        QiJoinResult {
            quasi_identifiers: Vec::new(),
            n_original,
            n_release,
            release_groups: 0,
            // `+ 0.0`: an empty f64 sum is -0.0; reports print 0.
            expected_reidentifications: self.expected + 0.0,
            expected_reidentification_rate: share(self.expected) + 0.0,
            unique_matches: self.unique,
            certain_share: share(self.unique as f64),
            no_candidates: self.none,
            actual_reidentifications: self.truth.map(|t| t.0),
            expected_correct_reidentifications: self.truth.map(|t| t.1 + 0.0),
            truth_in_candidates: self.truth.map(|t| t.2),
            truth_unresolved: self.truth.map(|t| t.3),
            candidate_size_histogram: self.hist.clone(),
            column_kinds: Vec::new(),
            unmatched_by_column: Vec::new(),
            rows: Vec::new(),
        }
    }
}

/// The compatible original rows of every release row (ascending), by the
/// same per-column matching as [`qi_join`] (kinds, hierarchies, missing
/// values): what the joint pseudonym attack
/// ([`crate::attacks::pseudonym_linkage`]) reads as its QI-join signal,
/// where [`qi_join`] keeps only the counts.
pub fn compatible_originals(
    original: &EncodedTable,
    release: &EncodedTable,
    quasi_identifiers: &[String],
    hierarchies: &HashMap<String, Hierarchy>,
    kinds: &HashMap<String, ValueKind>,
) -> Result<Vec<Vec<usize>>, LinkageError> {
    if quasi_identifiers.is_empty() {
        return Err(LinkageError::BadSpec {
            spec: String::new(),
            message: "give at least one quasi-identifier".into(),
        });
    }
    // Per QI: per original row, whether each release code accepts it.
    let mut allowed: Vec<(Vec<Vec<bool>>, &CategoricalColumn, &CategoricalColumn)> = Vec::new();
    for q in quasi_identifiers {
        let oc = col(original, q)?;
        let rc = col(release, q)?;
        let h = hierarchies.get(q);
        if let Some(h) = h {
            check_hierarchy_covers(oc, h, &original.source, None)?;
        }
        let kind = column_kind(q, oc, kinds.get(q).copied());
        let per_release =
            compatible_codes(oc, rc, ColumnComparator::new(kind.kind, h), &release.source)?;
        let table = per_release
            .iter()
            .map(|codes| {
                let mut ok = vec![false; oc.values.len()];
                for &c in codes {
                    ok[c as usize] = true;
                }
                ok
            })
            .collect();
        allowed.push((table, oc, rc));
    }
    Ok((0..release.n_rows)
        .map(|r| {
            (0..original.n_rows)
                .filter(|&o| {
                    allowed
                        .iter()
                        .all(|(t, oc, rc)| t[rc.codes[r] as usize][oc.codes[o] as usize])
                })
                .collect()
        })
        .collect())
}
