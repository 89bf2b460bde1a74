//! Nearest release records of target records under Anonymeter's mixed-type
//! distance (a Gower distance without the final average): the sum over the
//! attacker's columns of `|a - b| / range` for numeric columns and `a != b`
//! for categorical ones; one missing value counts 1, two missing count 0
//! (Anonymeter counts 1, which makes two records with the same missing field
//! farther apart than two with the same value).
//!
//! On a generalized column the distance is 0 when the release value covers
//! the target's value and otherwise the scaled gap to a numeric interval, or 1
//! ([`super::table::GeneralizedColumn::distance`]).
//!
//! Ties are broken by a seeded pseudo-random key drawn independently for
//! every query and release row. Breaking them by row order would be biased:
//! both column sets of a linkability target would favour the same low rows
//! and "link" by coincidence (on the Adult fixture this inflated the
//! linkability risk from about 0.13 to 0.16).
//!
//! Brute force over the release, one rayon task per target; no index
//! structure, so cost is targets x release rows x columns.

use rayon::prelude::*;

use super::table::{ColumnData, RiskTable, RiskTables};

/// Distance between row `a` of `left` and row `b` of `right` over `columns`.
pub fn mixed_distance(
    tables: &RiskTables,
    left: &RiskTable,
    a: usize,
    right: &RiskTable,
    b: usize,
    columns: &[usize],
) -> f64 {
    let mut d = 0.0;
    for &c in columns {
        match (&left.columns[c], &right.columns[c]) {
            (ColumnData::Numeric(x), ColumnData::Numeric(y)) => {
                let (x, y) = (x[a], y[b]);
                d += match (x.is_nan(), y.is_nan()) {
                    (true, true) => 0.0,
                    (false, false) => (x - y).abs() / tables.ranges[c],
                    _ => 1.0,
                };
            }
            (ColumnData::Categorical(x), ColumnData::Categorical(y)) => {
                if x[a] != y[b] {
                    d += 1.0;
                }
            }
            // `right` is the release: does its value cover the target's?
            (ColumnData::Generalized(x, g), ColumnData::Generalized(y, _)) => {
                d += g.distance(y[b], x[a]);
            }
            _ => d += 1.0,
        }
    }
    d
}

/// For each row in `targets` of `queries`, the indices of its `k` nearest
/// rows of `tables.release` over `columns`, nearest first; ties are broken
/// by [`tie_key`]`(salt, target index, row)`.
///
/// A cancelled run ([`crate::data::cancel`]) skips the targets not yet
/// searched (their lists are empty); the caller's next checkpoint returns
/// the cancellation.
pub fn nearest_release_rows(
    tables: &RiskTables,
    queries: &RiskTable,
    targets: &[usize],
    columns: &[usize],
    k: usize,
    salt: u64,
) -> Vec<Vec<usize>> {
    let release = &tables.release;
    let k = k.min(release.n_rows);
    if k == 0 {
        return vec![Vec::new(); targets.len()];
    }
    targets
        .par_iter()
        .enumerate()
        .map(|(i, &t)| {
            if crate::data::cancel::check().is_err() {
                return Vec::new();
            }
            // Sorted by (distance, tie key); at most k entries.
            let mut best: Vec<(f64, u64, usize)> = Vec::with_capacity(k + 1);
            for r in 0..release.n_rows {
                let d = mixed_distance(tables, queries, t, release, r, columns);
                if best.len() == k && d > best[k - 1].0 {
                    continue;
                }
                let key = tie_key(salt, i as u64, r as u64);
                let entry = (d, key, r);
                if best.len() == k && (d, key) >= (best[k - 1].0, best[k - 1].1) {
                    continue;
                }
                let pos = best.partition_point(|&(bd, bk, _)| (bd, bk) <= (d, key));
                best.insert(pos, entry);
                best.truncate(k);
            }
            best.into_iter().map(|(_, _, r)| r).collect()
        })
        .collect()
}

/// SplitMix64 finaliser (Steele, Lea and Flood 2014) of `salt`, the query
/// index and the row: a pseudo-random tie-breaking key.
pub fn tie_key(salt: u64, query: u64, row: u64) -> u64 {
    let mut z =
        salt ^ query.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ row.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
