//! The quasi-identifier join attack on a generalized release: for each
//! release row, the original rows whose every quasi-identifier value is
//! covered by the release value (interval, mask, set, `*`, hierarchy
//! ancestor, see [`GeneralizedValue::contains_with`]). An attacker who picks
//! one candidate uniformly succeeds with probability `1/|candidates|`
//! (the prosecutor model of Sweeney 2002 / El Emam 2008, evaluated on the
//! actual originals rather than on equivalence-class sizes).
//!
//! Speed: per quasi-identifier and per distinct release value, the set of
//! compatible original *codes* is computed once (one `contains_with` per
//! distinct original value) and turned into a row bitset; release rows are
//! grouped by their tuple of codes and each group's candidate set is the AND
//! of its bitsets. Work is `O(distinct values^2 + groups * n/64)`.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::LinkageError;
use crate::data::{CategoricalColumn, EncodedTable, GeneralizedValue, Hierarchy};

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
    /// With a truth key: sum of `1/|candidates|` over rows whose true original is a candidate.
    pub expected_correct_reidentifications: Option<f64>,
    /// With a truth key: release rows whose true original is among the candidates.
    pub truth_in_candidates: Option<u64>,
    /// Histogram of candidate-set sizes: (size, number of release rows), ascending.
    pub candidate_size_histogram: Vec<(u64, u64)>,
    /// Per release row, in release order.
    pub rows: Vec<QiJoinRow>,
}

fn col<'a>(t: &'a EncodedTable, name: &str) -> Result<&'a CategoricalColumn, LinkageError> {
    t.column(name).ok_or_else(|| LinkageError::MissingColumn {
        source_name: t.source.clone(),
        column: name.to_string(),
        available: t.column_names().iter().map(|s| s.to_string()).collect(),
    })
}

/// Runs the attack. `hierarchies` maps a QI name to its hierarchy; `truth`
/// names (original column, release column) holding a key shared by a release
/// row and its original. Missing release values are treated as suppressed
/// (compatible with anything); a missing original value is compatible only
/// with a suppressed or missing release value.
pub fn qi_join(
    original: &EncodedTable,
    release: &EncodedTable,
    quasi_identifiers: &[String],
    hierarchies: &HashMap<String, Hierarchy>,
    truth: Option<(&str, &str)>,
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
    for q in quasi_identifiers {
        let oc = col(original, q)?;
        let rc = col(release, q)?;
        let gen = rc.generalized_values(&release.source)?;
        let h = hierarchies.get(q);
        let per_release: Vec<Vec<u32>> = gen
            .par_iter()
            .zip(rc.values.par_iter())
            .map(|(g, raw)| {
                // A release value that is a node of the hierarchy is judged by
                // the hierarchy alone, even when it also parses as a range or a
                // mask (a tenure band `0-3` whose leaves are 0, 1 and 2 must not
                // admit 3 as the inclusive range 0..=3 would).
                let node = h.filter(|h| h.level_of(raw.trim()).is_some());
                (0..oc.values.len() as u32)
                    .filter(|&c| {
                        let missing = oc.is_missing_code(c) || oc.suppressed[c as usize];
                        match (g, node) {
                            (GeneralizedValue::Suppressed | GeneralizedValue::Missing, _) => true,
                            _ if missing => false,
                            (_, Some(h)) => {
                                h.is_ancestor_or_self(raw.trim(), oc.values[c as usize].trim())
                            }
                            _ => g.contains_with(&oc.values[c as usize], h),
                        }
                    })
                    .collect()
            })
            .collect();
        compat.push(per_release);
        ocols.push(oc);
        rcols.push(rc);
    }
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
    let truth_cols = match truth {
        Some((o, r)) => Some((col(original, o)?, col(release, r)?)),
        None => None,
    };
    // Original rows by truth key value.
    let truth_index: Option<HashMap<&str, Vec<usize>>> = truth_cols.map(|(oc, _)| {
        let mut m: HashMap<&str, Vec<usize>> = HashMap::new();
        for row in 0..oc.len() {
            if !oc.is_missing_code(oc.codes[row]) {
                m.entry(oc.value(row).trim()).or_default().push(row);
            }
        }
        m
    });
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
    for ((_, members), (bits, count)) in groups.iter().zip(&group_results) {
        for &r in members {
            let truth_in = match (&truth_cols, &truth_index) {
                (Some((_, rc)), Some(index)) => {
                    let hit = if rc.is_missing_code(rc.codes[r]) {
                        false
                    } else {
                        index.get(rc.value(r).trim()).is_some_and(|origs| {
                            origs.iter().any(|&o| bits[o / 64] >> (o % 64) & 1 == 1)
                        })
                    };
                    Some(hit)
                }
                _ => None,
            };
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
    let expected: f64 = rows.iter().map(|r| r.success_probability).sum();
    let unique = rows.iter().filter(|r| r.candidates == 1).count() as u64;
    let none = rows.iter().filter(|r| r.candidates == 0).count() as u64;
    let mut hist: HashMap<u64, u64> = HashMap::new();
    for r in &rows {
        *hist.entry(r.candidates).or_insert(0) += 1;
    }
    let mut hist: Vec<(u64, u64)> = hist.into_iter().collect();
    hist.sort_unstable();
    let (actual, expected_correct, truth_in) = if truth.is_some() {
        let hit = |r: &&QiJoinRow| r.truth_in_candidates == Some(true);
        (
            Some(
                rows.iter()
                    .filter(hit)
                    .filter(|r| r.candidates == 1)
                    .count() as u64,
            ),
            Some(rows.iter().filter(hit).map(|r| r.success_probability).sum()),
            Some(rows.iter().filter(hit).count() as u64),
        )
    } else {
        (None, None, None)
    };
    let n_release = release.n_rows;
    Ok(QiJoinResult {
        quasi_identifiers: quasi_identifiers.to_vec(),
        n_original: n,
        n_release,
        release_groups: groups.len(),
        expected_reidentifications: expected,
        expected_reidentification_rate: if n_release == 0 {
            0.0
        } else {
            expected / n_release as f64
        },
        unique_matches: unique,
        certain_share: if n_release == 0 {
            0.0
        } else {
            unique as f64 / n_release as f64
        },
        no_candidates: none,
        actual_reidentifications: actual,
        expected_correct_reidentifications: expected_correct,
        truth_in_candidates: truth_in,
        candidate_size_histogram: hist,
        rows,
    })
}
