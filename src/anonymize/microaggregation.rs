//! MDAV microaggregation (Maximum Distance to Average Vector; Domingo-Ferrer &
//! Mateo-Sanz 2002, "Practical data-oriented microaggregation for statistical
//! disclosure control", IEEE TKDE 14(1); the fixed-size variant as stated in
//! Domingo-Ferrer & Torra 2005, Algorithm "MDAV-generic").
//!
//! The numeric columns are standardized (z-scores, population standard
//! deviation; a constant column stays 0). While at least 3k records remain:
//! take the centroid c of the remaining records, the record r farthest from c,
//! the record s farthest from r; group r with its k-1 nearest remaining
//! records, then s with its k-1 nearest remaining records. If between 2k and
//! 3k-1 records remain, group the record farthest from the centroid with its
//! k-1 nearest and put the rest in a last group; if fewer than 2k remain, they
//! form one group. Every value is then replaced by its group's mean in the
//! original units. Distances are Euclidean in the standardized space; ties go
//! to the lower row id, so the result is deterministic.
//!
//! Information loss is reported as SSE/SST in the standardized space (the
//! usual microaggregation measure). This module does not handle categorical
//! columns; cost is O(n^2 / k) distance evaluations.

use std::collections::HashMap;

use serde::Serialize;

use super::{check_k, column_index, format_number, numeric_rows, AnonymizeError};
use crate::data::{CategoricalColumn, EncodedTable};

/// MDAV parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdavConfig {
    /// Numeric columns aggregated together (one distance over all of them).
    pub columns: Vec<String>,
    /// Minimum group size.
    pub k: usize,
    /// Digits after the decimal point in the output; `None` writes the
    /// shortest exact representation.
    pub decimals: Option<usize>,
}

/// The outcome of [`mdav`].
#[derive(Debug, Clone, Serialize)]
pub struct MdavResult {
    /// Groups as sorted 0-based row ids, in formation order.
    pub groups: Vec<Vec<usize>>,
    /// Within-group sum of squares over total sum of squares (standardized), in [0, 1].
    pub sse_over_sst: f64,
    /// The anonymized table.
    #[serde(skip)]
    pub release: EncodedTable,
}

/// Squared Euclidean distance between rows `a` and `b` of the row-major matrix `z`.
fn dist2(z: &[f64], d: usize, a: usize, point: &[f64]) -> f64 {
    z[a * d..(a + 1) * d]
        .iter()
        .zip(point)
        .map(|(x, y)| (x - y) * (x - y))
        .sum()
}

/// The remaining record farthest from `point` (ties: lowest row id).
fn farthest(z: &[f64], d: usize, remaining: &[usize], point: &[f64]) -> usize {
    let mut best = remaining[0];
    let mut best_d = f64::NEG_INFINITY;
    for &r in remaining {
        let dr = dist2(z, d, r, point);
        if dr > best_d || (dr == best_d && r < best) {
            best = r;
            best_d = dr;
        }
    }
    best
}

fn centroid(z: &[f64], d: usize, rows: &[usize]) -> Vec<f64> {
    let mut c = vec![0.0; d];
    for &r in rows {
        for (cj, x) in c.iter_mut().zip(&z[r * d..(r + 1) * d]) {
            *cj += x;
        }
    }
    for cj in &mut c {
        *cj /= rows.len() as f64;
    }
    c
}

/// Removes from `remaining` and returns the `k` records nearest to `center`
/// (including itself), ties by lower row id.
fn take_nearest(
    z: &[f64],
    d: usize,
    remaining: &mut Vec<usize>,
    center: usize,
    k: usize,
    keyed: &mut Vec<(f64, usize)>,
) -> Vec<usize> {
    let point = z[center * d..(center + 1) * d].to_vec();
    keyed.clear();
    keyed.extend(remaining.iter().map(|&r| (dist2(z, d, r, &point), r)));
    let cmp = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if k < keyed.len() {
        keyed.select_nth_unstable_by(k - 1, cmp);
    }
    let mut group: Vec<usize> = keyed.iter().take(k).map(|&(_, r)| r).collect();
    group.sort_unstable();
    remaining.retain(|r| group.binary_search(r).is_err());
    group
}

/// Runs MDAV on `config.columns` of `table`; other columns are copied unchanged.
pub fn mdav(table: &EncodedTable, config: &MdavConfig) -> Result<MdavResult, AnonymizeError> {
    check_k(table, config.k)?;
    if config.columns.is_empty() {
        return Err(AnonymizeError::Invalid(
            "MDAV needs at least one numeric column".to_string(),
        ));
    }
    let n = table.n_rows;
    let d = config.columns.len();
    let mut raw: Vec<Vec<f64>> = Vec::with_capacity(d);
    for name in &config.columns {
        let c = column_index(table, name)?;
        raw.push(numeric_rows(&table.source, &table.columns[c])?);
    }
    // Standardize into a row-major matrix.
    let mut z = vec![0.0; n * d];
    for (j, col) in raw.iter().enumerate() {
        let mean = col.iter().sum::<f64>() / n as f64;
        let var = col.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        let sd = var.sqrt();
        for (r, x) in col.iter().enumerate() {
            z[r * d + j] = if sd > 0.0 { (x - mean) / sd } else { 0.0 };
        }
    }
    let k = config.k;
    let mut remaining: Vec<usize> = (0..n).collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut keyed = Vec::with_capacity(n);
    while remaining.len() >= 3 * k {
        let c = centroid(&z, d, &remaining);
        let r = farthest(&z, d, &remaining, &c);
        let r_point = z[r * d..(r + 1) * d].to_vec();
        let s = farthest(&z, d, &remaining, &r_point);
        groups.push(take_nearest(&z, d, &mut remaining, r, k, &mut keyed));
        // With duplicate points s can fall into r's group; then take the
        // farthest remaining record from r instead.
        let s = if remaining.contains(&s) {
            s
        } else {
            farthest(&z, d, &remaining, &r_point)
        };
        groups.push(take_nearest(&z, d, &mut remaining, s, k, &mut keyed));
    }
    if remaining.len() >= 2 * k {
        let c = centroid(&z, d, &remaining);
        let r = farthest(&z, d, &remaining, &c);
        groups.push(take_nearest(&z, d, &mut remaining, r, k, &mut keyed));
    }
    if !remaining.is_empty() {
        remaining.sort_unstable();
        groups.push(remaining);
    }
    // Information loss in the standardized space (SST = n * d for standardized
    // non-constant columns; computed directly to cover constant ones).
    let global = centroid(&z, d, &(0..n).collect::<Vec<_>>());
    let sst: f64 = (0..n).map(|r| dist2(&z, d, r, &global)).sum();
    let mut sse = 0.0;
    for g in &groups {
        let c = centroid(&z, d, g);
        sse += g.iter().map(|&r| dist2(&z, d, r, &c)).sum::<f64>();
    }
    let mut release = table.clone();
    for (j, name) in config.columns.iter().enumerate() {
        let mut values: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut codes = vec![0u32; n];
        for g in &groups {
            let mean = g.iter().map(|&r| raw[j][r]).sum::<f64>() / g.len() as f64;
            let next = values.len() as u32;
            let code = *index
                .entry(format_number(mean, config.decimals))
                .or_insert_with_key(|label| {
                    values.push(label.clone());
                    next
                });
            for &r in g {
                codes[r] = code;
            }
        }
        release.replace_column(CategoricalColumn::from_dictionary(name, values, codes));
    }
    Ok(MdavResult {
        groups,
        sse_over_sst: if sst > 0.0 { sse / sst } else { 0.0 },
        release,
    })
}
