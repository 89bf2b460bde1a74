//! The direct-identifier scan and the hidden quasi-identifier check of a
//! file that does not fit in memory, read in chunks under a memory budget
//! ([`super::OutOfCore`]), with results equal to the in-memory ones.
//!
//! **Direct identifiers** ([`scan_identifiers_file`]). The value-shape
//! counts the classifier reads are additive, so each chunk's distinct values
//! are tested once and counted with their number of rows, into one
//! [`ColumnCounts`] per column; the same [`ColumnCounts::finding`] as
//! [`crate::privacy::direct_identifiers::scan_frame`] decides the category.
//! The distinct values are counted exactly, not estimated: every distinct
//! (trimmed, non-missing) value of a column is kept as a 128-bit hash (the
//! first 128 bits of its SHA-256) in a [`SpillCounts`] table, written to
//! hash partitions in a spill folder when it outgrows its share of the
//! budget and counted partition by partition at the end. Two distinct values
//! of a column count as one only if their hashes collide: for `d` distinct
//! values the probability is at most `d^2 / 2^129`, about `1.5e-23` for
//! `d = 10^8`. Examples are kept as the in-memory scan keeps them (the first
//! distinct values of each shape, masked unless asked otherwise).
//!
//! **Hidden quasi-identifiers** ([`hidden_qi_file`]). One pass over the
//! declared quasi-identifiers (QIs) and every candidate column counts the
//! records of each equivalence class over the QIs plus the candidate, for
//! all candidates at once: a class is the key (candidate, the hashes of the
//! QI values, the hash of the candidate value), each value hashed as above
//! with a column's suppression tokens as one value (as
//! [`crate::privacy::EquivalenceClasses`] does), rows whose declared QIs are
//! all suppressed left out under [`SuppressedRows::Exclude`]. From the class
//! counts, partition by partition: k with the candidate and the classes and
//! records below the target k (minima and sums); the cross counts `n(c, q)`
//! of each (candidate, QI) into a second table partitioned by (candidate,
//! QI, candidate value), from which Goodman and Kruskal's lambda is summed
//! ([`CrossCounts`]); the distinct candidate values into a third. The
//! per-QI-value totals lambda needs are kept in memory (one entry per value
//! of a declared QI per candidate, the size of the QIs' dictionaries). The
//! same [`CandidateFigures::finding`] as the in-memory check decides each
//! candidate. Classes are exact up to a hash collision between two distinct
//! values of one column (as above).
//!
//! Not here: a subject column (persons per class need each record's
//! subject); the caller keeps the check listed as not run.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::out_of_core::{chunk_rows, tracked_budget, OutOfCore};
use super::spill_counts::{SpillCounts, SpillStats};
use super::EngineError;
use crate::data::{file_columns, stream_table, MissingPolicy, ReadOptions, StreamEvent};
use crate::privacy::direct_identifiers::{
    columns_to_scan, scan_of_findings, ColumnCounts, DirectIdentifierConfig, DirectIdentifierScan,
    ValueShapes,
};
use crate::privacy::hidden_qi::{
    candidate_columns, check_options, hidden_qi_report, CandidateFigures, CrossCounts,
    HiddenQiOptions, HiddenQiReport,
};
use crate::privacy::{MetricsParams, PrivacyError, SuppressedRows};

/// The first 128 bits of the SHA-256 of `value`.
pub fn value_hash(value: &str) -> u128 {
    let digest = Sha256::digest(value.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(b)
}

/// The hash every suppression token of a column shares (no SHA-256 output
/// is expected to equal it).
const SUPPRESSED_HASH: u128 = u128::MAX;

/// What an out-of-core scan did: rows, chunks, and its spill tables' figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Rows read.
    pub rows: u64,
    /// Chunks read.
    pub chunks: u64,
    /// The spill tables' figures, summed (peaks: the largest).
    pub spill: SpillStats,
}

/// The direct-identifier scan of the file `path` (see the module docs):
/// equal to [`crate::privacy::direct_identifiers::scan_file`] on it.
///
/// Errors: a column of `config.columns` not in the file, the reader's
/// errors, the spill folder's input/output errors.
pub fn scan_identifiers_file(
    path: &Path,
    opts: &ReadOptions,
    config: &DirectIdentifierConfig,
    settings: &OutOfCore,
) -> Result<(DirectIdentifierScan, ScanSummary), EngineError> {
    let source = path.display().to_string();
    let columns = columns_to_scan(file_columns(path, opts)?, &source, config)
        .map_err(|e| EngineError::Unsupported(e.to_string()))?;
    let names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let shapes = ValueShapes::new();
    // The scan reads values under the default policy, as the in-memory scan.
    let missing = MissingPolicy::default();
    let limit = tracked_budget(settings.budget) / 2;
    let fresh = || {
        (
            columns
                .iter()
                .map(|c| ColumnCounts::new(c, config))
                .collect::<Vec<_>>(),
            SpillCounts::new(
                2,
                2,
                settings.partitions,
                limit,
                settings.temp_dir.as_deref(),
            ),
        )
    };
    let (mut counts, mut distinct) = fresh();
    let mut summary = ScanSummary::default();
    let rows = chunk_rows(settings, names.len());
    stream_table(path, &names, opts, &missing, rows, &mut |event| {
        match event {
            StreamEvent::Restart => {
                (counts, distinct) = fresh();
                summary = ScanSummary::default();
            }
            StreamEvent::Chunk { table, .. } => {
                crate::data::cancel::check().map_err(PrivacyError::from)?;
                for (j, name) in names.iter().enumerate() {
                    let Some(col) = table.column(name) else {
                        return Err(EngineError::Unsupported(format!(
                            "{source}: the chunk has no column `{name}`"
                        )));
                    };
                    let mut times = vec![0usize; col.values.len()];
                    for &c in &col.codes {
                        times[c as usize] += 1;
                    }
                    counts[j].add_rows(table.n_rows);
                    // Codes number a chunk's values in order of first
                    // appearance, so the examples come in row order.
                    for (code, value) in col.values.iter().enumerate() {
                        let v = value.trim();
                        if times[code] == 0
                            || col.is_missing_code(code as u32)
                            || missing.is_missing(v)
                        {
                            continue;
                        }
                        counts[j].observe(&shapes, v, times[code]);
                        distinct.add(&[j as u128, value_hash(v)], 1)?;
                    }
                }
                summary.rows += table.n_rows as u64;
                summary.chunks += 1;
            }
        }
        Ok::<(), EngineError>(())
    })?;
    let mut per_column = vec![0usize; columns.len()];
    let stats = distinct.finish(|part| {
        for key in part.keys() {
            per_column[key[0] as usize] += 1;
        }
        Ok(())
    })?;
    summary.spill = stats;
    let findings = counts
        .into_iter()
        .zip(per_column)
        .map(|(mut c, d)| {
            c.set_distinct(d);
            c.finding()
        })
        .collect();
    Ok((
        scan_of_findings(&source, summary.rows as usize, findings, config),
        summary,
    ))
}

/// The hidden quasi-identifier check of the file `path` (see the module
/// docs): equal to [`crate::privacy::detect_hidden_quasi_identifiers`] on
/// it. `base_k` and `base_records_below` are k and the records below the
/// target k over the declared QIs, and `records_in_classes` the records in
/// classes, as the out-of-core metrics of the same file and `params` give
/// them ([`super::out_of_core::evaluate_file`]).
///
/// Errors: a subject column in `params` (persons per class need the
/// records), invalid options, a candidate that is a declared QI or the
/// subject, a column not in the file, the reader's and the spill folder's
/// errors.
#[allow(clippy::too_many_arguments)]
pub fn hidden_qi_file(
    path: &Path,
    opts: &ReadOptions,
    missing: &MissingPolicy,
    params: &MetricsParams,
    options: &HiddenQiOptions,
    base_k: u64,
    base_records_below: u64,
    records_in_classes: u64,
    settings: &OutOfCore,
) -> Result<(HiddenQiReport, ScanSummary), EngineError> {
    let source = path.display().to_string();
    if params.subject.is_some() {
        return Err(EngineError::Unsupported(format!(
            "{source}: the hidden quasi-identifier check counts persons per class with a subject column, which needs every record's subject; run it in memory"
        )));
    }
    check_options(params, options)?;
    let all = file_columns(path, opts)?;
    let all_refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let candidates = candidate_columns(&all_refs, params, options)?;
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    if qis.is_empty() {
        return Err(PrivacyError::NoQuasiIdentifiers {
            source_name: source,
        }
        .into());
    }
    let m = qis.len();
    let mut summary = ScanSummary::default();
    if candidates.is_empty() {
        return Ok((
            hidden_qi_report(params, options, base_k, base_records_below, Vec::new()),
            summary,
        ));
    }
    let mut names: Vec<&str> = qis.clone();
    names.extend(candidates.iter().map(String::as_str));
    let exclude = params.suppressed_rows == SuppressedRows::Exclude;
    let limit = tracked_budget(settings.budget) / 2;
    let root = settings.temp_dir.as_deref();
    let parts = settings.partitions;
    // Key: candidate, the QIs' value hashes, the candidate's value hash.
    let fresh = || SpillCounts::new(m + 2, m + 2, parts, limit, root);
    let mut classes = fresh();
    let rows = chunk_rows(settings, names.len());
    stream_table(path, &names, opts, missing, rows, &mut |event| {
        match event {
            StreamEvent::Restart => {
                classes = fresh();
                summary = ScanSummary::default();
            }
            StreamEvent::Chunk { table, .. } => {
                crate::data::cancel::check().map_err(PrivacyError::from)?;
                let mut cols = Vec::with_capacity(names.len());
                for name in &names {
                    cols.push(table.column(name).ok_or_else(|| {
                        EngineError::Unsupported(format!(
                            "{source}: the chunk has no column `{name}`"
                        ))
                    })?);
                }
                // Each chunk value's hash, suppression tokens as one value.
                let hashes: Vec<Vec<u128>> = cols
                    .iter()
                    .map(|col| {
                        col.values
                            .iter()
                            .zip(&col.suppressed)
                            .map(|(v, &s)| if s { SUPPRESSED_HASH } else { value_hash(v) })
                            .collect()
                    })
                    .collect();
                let mut key = vec![0u128; m + 2];
                for r in 0..table.n_rows {
                    let code = |j: usize| cols[j].codes[r] as usize;
                    if exclude && (0..m).all(|j| cols[j].suppressed[code(j)]) {
                        continue;
                    }
                    for j in 0..m {
                        key[1 + j] = hashes[j][code(j)];
                    }
                    for i in 0..candidates.len() {
                        key[0] = i as u128;
                        key[m + 1] = hashes[m + i][code(m + i)];
                        classes.add(&key, 1)?;
                    }
                }
                summary.rows += table.n_rows as u64;
                summary.chunks += 1;
            }
        }
        Ok::<(), EngineError>(())
    })?;

    let n = candidates.len();
    let mut k_with = vec![u64::MAX; n];
    let mut below = vec![(0u64, 0u64); n];
    // (candidate, QI, candidate value hash, QI value hash) -> records.
    let mut pairs = SpillCounts::new(4, 3, parts, limit, root);
    // (candidate, candidate value hash) -> classes.
    let mut distinct = SpillCounts::new(2, 2, parts, limit, root);
    let mut spill = classes.finish(|part| {
        for (key, count) in part {
            let i = key[0] as usize;
            k_with[i] = k_with[i].min(count);
            if count < params.target_k {
                below[i].0 += 1;
                below[i].1 += count;
            }
            let c = key[m + 1];
            for t in 0..m {
                pairs.add(&[i as u128, t as u128, c, key[1 + t]], count)?;
            }
            distinct.add(&[i as u128, c], 1)?;
        }
        Ok(())
    })?;
    let mut n_distinct = vec![0u64; n];
    spill.join(distinct.finish(|part| {
        for key in part.keys() {
            n_distinct[key[0] as usize] += 1;
        }
        Ok(())
    })?);
    // Per (candidate, QI): the lambda counts, and per QI value its records
    // and partners.
    let mut cross: Vec<CrossCounts> = (0..n * m)
        .map(|_| CrossCounts {
            exact: true,
            ..CrossCounts::default()
        })
        .collect();
    let mut per_q: Vec<HashMap<u128, (u64, u64)>> = vec![HashMap::new(); n * m];
    spill.join(pairs.finish(|part| {
        let mut entries: Vec<(Box<[u128]>, u64)> = part.into_iter().collect();
        entries.sort_unstable();
        for run in entries.chunk_by(|a, b| a.0[..3] == b.0[..3]) {
            let at = run[0].0[0] as usize * m + run[0].0[1] as usize;
            cross[at].add_candidate_value(run.iter().map(|e| e.1));
            for (key, count) in run {
                let q = per_q[at].entry(key[3]).or_insert((0, 0));
                q.0 += count;
                q.1 += 1;
            }
        }
        Ok(())
    })?);
    summary.spill = spill;

    let mut columns = Vec::with_capacity(n);
    for (i, candidate) in candidates.iter().enumerate() {
        let figures = CandidateFigures {
            column: candidate.clone(),
            n_distinct: n_distinct[i],
            n_units: records_in_classes,
            k_with: if k_with[i] == u64::MAX { 0 } else { k_with[i] },
            classes_below_target_k: below[i].0,
            records_below_target_k: below[i].1,
        };
        let mut determinations = Vec::new();
        if figures.needs_determinations(options) {
            for (t, qi) in qis.iter().enumerate() {
                let at = i * m + t;
                let mut counts = std::mem::take(&mut cross[at]);
                for &(total, partners) in per_q[at].values() {
                    counts.q_totals.push(total);
                    counts.q_partners.push(partners);
                }
                determinations.extend(counts.determination(qi));
            }
        }
        columns.push(figures.finding(params, options, determinations));
    }
    Ok((
        hidden_qi_report(params, options, base_k, base_records_below, columns),
        summary,
    ))
}
