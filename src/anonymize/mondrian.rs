//! Mondrian multidimensional k-anonymity (LeFevre, DeWitt & Ramakrishnan 2006,
//! "Mondrian Multidimensional K-Anonymity", ICDE), strict partitioning.
//!
//! Starting from the whole table, a partition is split in two at the median
//! of the quasi-identifier with the widest normalized range, if both halves
//! keep at least k rows; otherwise the next widest dimension is tried, and a
//! partition with no allowable cut is final. Strict partitioning: a cut at
//! value m sends every row with value <= m left and every row > m right (or
//! < m / >= m), so partitions never overlap and every row is in exactly one.
//! Among the two cuts at the (lower) median, the more balanced allowable one
//! is used; with heavy ties at the median this is what lets the split happen.
//!
//! Numeric QIs are ordered by value and their width is `(max - min)` divided
//! by the whole table's range. Categorical QIs have no hierarchy here: their
//! distinct values are ordered lexicographically and treated as ranks, width
//! is the rank range over the table's rank range. Each final partition is
//! summarised per QI as a closed interval `[lo-hi]` (numeric, original
//! spelling of the extreme values) or a set `{a,b}` (categorical, in rank
//! order); a partition with one value keeps that value as-is.
//!
//! This module does not apply l-diversity or other criteria to the cuts.

use std::collections::HashMap;

use serde::Serialize;

use super::{check_k, column_index, numeric_dictionary, AnonymizeError};
use crate::data::{CategoricalColumn, EncodedTable};

/// How a Mondrian QI is ordered and summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QiKind {
    /// Parsed as numbers; summarised as `[lo-hi]`.
    Numeric,
    /// Ordered lexicographically; summarised as `{a,b}`.
    Categorical,
}

/// A Mondrian quasi-identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MondrianQi {
    /// Column name.
    pub column: String,
    /// Numeric or categorical.
    pub kind: QiKind,
}

/// Mondrian parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MondrianConfig {
    /// The quasi-identifiers to partition on.
    pub quasi_identifiers: Vec<MondrianQi>,
    /// Minimum partition size.
    pub k: usize,
}

/// The outcome of [`mondrian`].
#[derive(Debug, Clone, Serialize)]
pub struct MondrianResult {
    /// Final partitions as sorted 0-based row ids, in output order.
    pub partitions: Vec<Vec<usize>>,
    /// Size of the smallest partition.
    pub min_partition_size: usize,
    /// Normalized certainty penalty (Xu et al. 2006): the mean over QI cells
    /// of the partition's normalized width, in [0, 1].
    pub normalized_certainty_penalty: f64,
    /// The anonymized table.
    #[serde(skip)]
    pub release: EncodedTable,
}

/// One QI as numbers: per-row value (numeric value or rank).
struct Dimension {
    column: usize,
    kind: QiKind,
    /// Ordinal value per dictionary code.
    ordinal: Vec<f64>,
    /// Whole-table range of the ordinals (0 when constant).
    range: f64,
}

/// Runs Mondrian on `table`.
pub fn mondrian(
    table: &EncodedTable,
    config: &MondrianConfig,
) -> Result<MondrianResult, AnonymizeError> {
    check_k(table, config.k)?;
    if config.quasi_identifiers.is_empty() {
        return Err(AnonymizeError::Invalid(
            "Mondrian needs at least one quasi-identifier".to_string(),
        ));
    }
    let mut dims = Vec::with_capacity(config.quasi_identifiers.len());
    for qi in &config.quasi_identifiers {
        let c = column_index(table, &qi.column)?;
        if dims.iter().any(|d: &Dimension| d.column == c) {
            return Err(AnonymizeError::Invalid(format!(
                "quasi-identifier `{}` is listed twice",
                qi.column
            )));
        }
        let column = &table.columns[c];
        let ordinal = match qi.kind {
            QiKind::Numeric => numeric_dictionary(&table.source, column)?,
            QiKind::Categorical => {
                let mut sorted: Vec<u32> = (0..column.n_values() as u32).collect();
                sorted.sort_by(|&a, &b| column.values[a as usize].cmp(&column.values[b as usize]));
                let mut rank = vec![0.0; column.n_values()];
                for (r, &code) in sorted.iter().enumerate() {
                    rank[code as usize] = r as f64;
                }
                rank
            }
        };
        // Range over values that occur (every dictionary value occurs).
        let (lo, hi) = ordinal
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        dims.push(Dimension {
            column: c,
            kind: qi.kind,
            ordinal,
            range: if hi > lo { hi - lo } else { 0.0 },
        });
    }
    // Columnar ordinal values per dimension.
    let values: Vec<Vec<f64>> = dims
        .iter()
        .map(|d| {
            table.columns[d.column]
                .codes
                .iter()
                .map(|&c| d.ordinal[c as usize])
                .collect()
        })
        .collect();
    let k = config.k;
    let mut finals: Vec<Vec<usize>> = Vec::new();
    let mut stack: Vec<Vec<usize>> = vec![(0..table.n_rows).collect()];
    let mut scratch: Vec<f64> = Vec::new();
    while let Some(part) = stack.pop() {
        match split(&part, &dims, &values, k, &mut scratch) {
            Some((left, right)) => {
                // Right pushed first so the left half is refined first.
                stack.push(right);
                stack.push(left);
            }
            None => {
                let mut part = part;
                part.sort_unstable();
                finals.push(part);
            }
        }
    }
    // Summaries.
    let n = table.n_rows;
    let mut release = table.clone();
    let mut ncp_sum = 0.0;
    for (d, dim) in dims.iter().enumerate() {
        let column = &table.columns[dim.column];
        let mut labels: Vec<String> = Vec::new();
        let mut label_index: HashMap<String, u32> = HashMap::new();
        let mut codes = vec![0u32; n];
        for part in &finals {
            let label = summarise(part, dim, &values[d], column);
            if dim.range > 0.0 {
                let (lo, hi) = min_max(part, &values[d]);
                ncp_sum += part.len() as f64 * (hi - lo) / dim.range;
            }
            let next = labels.len() as u32;
            let code = *label_index.entry(label).or_insert_with_key(|l| {
                labels.push(l.clone());
                next
            });
            for &r in part {
                codes[r] = code;
            }
        }
        release.replace_column(CategoricalColumn::from_dictionary(
            &column.name,
            labels,
            codes,
        ));
    }
    Ok(MondrianResult {
        min_partition_size: finals.iter().map(Vec::len).min().unwrap_or(0),
        normalized_certainty_penalty: ncp_sum / (n as f64 * dims.len() as f64),
        partitions: finals,
        release,
    })
}

fn min_max(part: &[usize], values: &[f64]) -> (f64, f64) {
    part.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
            (lo.min(values[r]), hi.max(values[r]))
        })
}

/// Finds the allowable median cut on the widest dimension, trying narrower
/// dimensions in turn; `None` when no dimension can be cut.
fn split(
    part: &[usize],
    dims: &[Dimension],
    values: &[Vec<f64>],
    k: usize,
    scratch: &mut Vec<f64>,
) -> Option<(Vec<usize>, Vec<usize>)> {
    if part.len() < 2 * k {
        return None;
    }
    let mut widths: Vec<(f64, usize)> = dims
        .iter()
        .enumerate()
        .filter(|(_, d)| d.range > 0.0)
        .map(|(i, d)| {
            let (lo, hi) = min_max(part, &values[i]);
            ((hi - lo) / d.range, i)
        })
        .filter(|(w, _)| *w > 0.0)
        .collect();
    // Widest first; ties by QI order.
    widths.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let n = part.len();
    for &(_, d) in &widths {
        let v = &values[d];
        scratch.clear();
        scratch.extend(part.iter().map(|&r| v[r]));
        let mid = (n - 1) / 2;
        let (_, &mut median, _) = scratch.select_nth_unstable_by(mid, f64::total_cmp);
        let at_most = part.iter().filter(|&&r| v[r] <= median).count();
        let below = part.iter().filter(|&&r| v[r] < median).count();
        let allowable = |left: usize| left >= k && n - left >= k;
        let imbalance = |left: usize| left.abs_diff(n - left);
        let cut = match (allowable(at_most), allowable(below)) {
            (true, true) if imbalance(below) < imbalance(at_most) => Some(false),
            (true, _) => Some(true),
            (false, true) => Some(false),
            (false, false) => None,
        };
        if let Some(inclusive) = cut {
            let (left, right): (Vec<usize>, Vec<usize>) = part.iter().partition(|&&r| {
                if inclusive {
                    v[r] <= median
                } else {
                    v[r] < median
                }
            });
            return Some((left, right));
        }
    }
    None
}

/// The release label of one QI for one partition.
fn summarise(
    part: &[usize],
    dim: &Dimension,
    values: &[f64],
    column: &crate::data::CategoricalColumn,
) -> String {
    match dim.kind {
        QiKind::Numeric => {
            let (mut lo_row, mut hi_row) = (part[0], part[0]);
            for &r in part {
                if values[r] < values[lo_row] {
                    lo_row = r;
                }
                if values[r] > values[hi_row] {
                    hi_row = r;
                }
            }
            if values[lo_row] == values[hi_row] {
                column.value(lo_row).to_string()
            } else {
                format!(
                    "[{}-{}]",
                    column.value(lo_row).trim(),
                    column.value(hi_row).trim()
                )
            }
        }
        QiKind::Categorical => {
            let mut codes: Vec<u32> = part.iter().map(|&r| column.codes[r]).collect();
            codes.sort_unstable_by(|&a, &b| {
                dim.ordinal[a as usize].total_cmp(&dim.ordinal[b as usize])
            });
            codes.dedup();
            if codes.len() == 1 {
                column.values[codes[0] as usize].clone()
            } else {
                let inner: Vec<&str> = codes
                    .iter()
                    .map(|&c| column.values[c as usize].as_str())
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
        }
    }
}
