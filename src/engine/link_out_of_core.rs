//! Fellegi-Sunter linkage with blocking out of core on one machine
//! (`reident link --memory BUDGET`): the same [`LinkageResult`] as
//! [`crate::attacks::linkage::link`] over two files that are never read
//! whole.
//!
//! **How** (the partitioning phase of a Grace hash join: Kitsuregawa,
//! Tanaka and Moto-Oka 1983). Both files are read in chunks
//! ([`crate::data::stream_table`]: CSV, NDJSON, Parquet by row group), only
//! the columns the comparisons and the blocking rules use. Every row is
//! written, for each blocking rule, to one of `P` hash partitions by its
//! key under that rule (a row without a key is in no block of the rule and
//! is not written), so every block, and so every candidate pair of the
//! rule, lies in one partition pair. Then, partition by partition, the rows
//! are loaded as two small tables and the crate's own blocking, comparison
//! and EM code runs on them:
//!
//! * the rules' pair estimates (summed over partitions; a block lies in one)
//!   and the pair cap (pairs stop being built once the estimates pass it;
//!   the error then lists every rule's estimate, as in memory);
//! * u from the same seeded random pairs as in memory (the sampled rows are
//!   gathered from a sequential spill of the rows);
//! * lambda from the deterministic rules, counted partition by partition;
//! * the candidate pairs of each prediction rule, deduplicated across rules
//!   by the in-memory rule (a pair of rule *i* is kept when no earlier rule
//!   gives it: every row carries every rule's columns, so that is decided
//!   inside the partition), their comparison vectors and the pattern counts
//!   of every EM session ([`PatternPartial`], merged over partitions);
//!   training rules that imply no prediction rule block on their own
//!   partitions;
//! * the truth key, joined through its own hash partitions.
//!
//! EM then runs on the merged counts, the pairs are put in the one-pass
//! order (rule, block by its first original row, release row, original
//! row) and scored, assigned and explained by
//! [`linkage::finish_links`]: links, m/u, F1 and the whole result equal the
//! in-memory run's (tests compare them).
//!
//! **Memory.** What grows with the rows (the tables: 1.9 GB at 1M x 1M in
//! memory) is bounded by the budget through the number of partitions and
//! the spill buffers. What grows with the blocked pairs is kept: every
//! blocked pair with its comparison vector and match weight (`16 + k` bytes
//! a pair; the evaluation reads every pair's weight: re-identification
//! rates, PR curve, histograms), and the truth key (about 12 bytes a
//! release row). The tracked estimate and the process's resident memory
//! (`/proc/self/status`) are both reported; the summary says when either
//! went over the budget. A single block larger than a partition's share
//! cannot be split (its pairs must meet), so skewed keys can exceed the
//! budget there.
//!
//! Term-frequency levels (`+tf`) read every value's frequency over both
//! whole tables: the streaming pass counts them (one count per distinct
//! value of those columns, kept in memory), and each original row in a
//! block gets its value's frequency (8 bytes per row and such comparison).
//!
//! **Refused** (an error with the reason): no blocking rule (every pair
//! would be compared). The spill folder is removed at the end, also
//! on error (not when the process is killed).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Read, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::memory;
use super::out_of_core::{OutOfCore, SpillDir};
use super::EngineError;
use crate::attacks::linkage::comparison::PreparedComparisons;
use crate::attacks::linkage::{
    self, blocking, fellegi_sunter, BlockingRule, Comparison, LinkageConfig, LinkageError,
    LinkageResult, LinkageStage, PatternPartial, PriorSpec, RuleEstimate, ScoredPairs,
    SessionPairs, TruthKey,
};
use crate::data::{
    stream_table, CategoricalColumnBuilder, EncodedTable, Hierarchy, MissingPolicy, ReadOptions,
    StreamEvent,
};

/// Length marker of a missing value in a spilled record.
pub(super) const MISSING: u32 = u32::MAX;

/// Most hash partitions per rule.
const MAX_PARTITIONS: usize = 4096;

/// What an out-of-core linkage run did, reported next to the result
/// (`out_of_core` in `reident link --memory`'s JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkOutOfCoreSummary {
    /// The memory budget, in bytes.
    pub memory_budget_bytes: u64,
    /// Hash partitions per blocking rule (and for the truth key).
    pub partitions: usize,
    /// Blocking rules the rows were partitioned by (prediction, own
    /// training and deterministic rules, each once).
    pub partitioned_rules: usize,
    /// Chunks read from the two files.
    pub chunks: u64,
    /// Non-empty spill files written.
    pub spill_files: u64,
    /// Bytes written to the spill folder.
    pub spilled_bytes: u64,
    /// Bytes of the largest partition pair (original and release files of
    /// one partition of one rule).
    pub largest_partition_bytes: u64,
    /// Bytes kept for the blocked pairs at the end (pairs, comparison
    /// vectors, match weights), which grow with the pairs, not the rows.
    pub pair_bytes: u64,
    /// The highest tracked memory (an estimate: the chunk being read, the
    /// spill buffers, a partition's tables and pairs, the kept pairs).
    pub peak_tracked_bytes: u64,
    /// The process's resident memory at its highest (`VmHWM` of
    /// `/proc/self/status`, the whole process), when it could be read.
    pub peak_resident_bytes: Option<u64>,
    /// True when the tracked or the resident peak went over the budget.
    pub budget_exceeded: bool,
}

/// The tracked memory: what is held now and the highest so far.
#[derive(Debug, Default)]
pub(super) struct Tracker {
    pub(super) now: u64,
    pub(super) peak: u64,
}

impl Tracker {
    pub(super) fn add(&mut self, bytes: u64) {
        self.now = self.now.saturating_add(bytes);
        self.peak = self.peak.max(self.now);
    }

    pub(super) fn sub(&mut self, bytes: u64) {
        self.now = self.now.saturating_sub(bytes);
    }
}

/// The spill files: one write buffer per file, all flushed (appended to
/// their files) when together they pass `limit` bytes, so the number of
/// partitions is not bounded by open file handles.
pub(super) struct Spill {
    pub(super) dir: SpillDir,
    pub(super) buffers: Vec<Vec<u8>>,
    pub(super) sizes: Vec<u64>,
    pub(super) buffered: u64,
    pub(super) limit: u64,
}

impl Spill {
    fn path(&self, file: usize) -> std::path::PathBuf {
        self.dir.file(file)
    }

    pub(super) fn push(&mut self, file: usize, record: &[u8]) -> Result<(), EngineError> {
        self.buffers[file].extend_from_slice(record);
        self.buffered += record.len() as u64;
        if self.buffered > self.limit {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> Result<(), EngineError> {
        for file in 0..self.buffers.len() {
            if self.buffers[file].is_empty() {
                continue;
            }
            let path = self.path(file);
            let mut f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| spill_error(&path, "open", e))?;
            // Taken, not cleared: a cleared buffer would keep its capacity,
            // and every file's would add up to several times the limit.
            let buffer = std::mem::take(&mut self.buffers[file]);
            f.write_all(&buffer)
                .map_err(|e| spill_error(&path, "write", e))?;
            self.sizes[file] += buffer.len() as u64;
        }
        self.buffered = 0;
        Ok(())
    }

    /// Drops what was written to the files `files` (a restarted input).
    pub(super) fn reset(&mut self, files: impl Iterator<Item = usize>) -> Result<(), EngineError> {
        for file in files {
            self.buffered -= self.buffers[file].len() as u64;
            self.buffers[file] = Vec::new();
            if self.sizes[file] > 0 {
                let path = self.path(file);
                std::fs::remove_file(&path).map_err(|e| spill_error(&path, "remove", e))?;
                self.sizes[file] = 0;
            }
        }
        Ok(())
    }

    /// A reader of file `file` (flushed), or `None` when nothing was written to it.
    pub(super) fn reader(&self, file: usize) -> Result<Option<BufReader<File>>, EngineError> {
        if self.sizes[file] == 0 {
            return Ok(None);
        }
        let path = self.path(file);
        let f = File::open(&path).map_err(|e| spill_error(&path, "read", e))?;
        Ok(Some(BufReader::with_capacity(64 << 10, f)))
    }
}

pub(super) fn spill_error(path: &Path, what: &str, e: std::io::Error) -> EngineError {
    EngineError::Spill(format!("{}: could not {what}: {e}", path.display()))
}

pub(super) fn corrupt(what: &str) -> EngineError {
    EngineError::Spill(format!("a spill file ended inside a record ({what})"))
}

/// Reads a little-endian u32; `None` at a clean end of file.
pub(super) fn read_u32(r: &mut impl Read) -> Result<Option<u32>, EngineError> {
    let mut b = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut b[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(corrupt("a number")),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(EngineError::Spill(format!("reading a spill file: {e}"))),
        }
    }
    Ok(Some(u32::from_le_bytes(b)))
}

/// Reads one value: `None` for missing.
pub(super) fn read_value(r: &mut impl Read, buf: &mut Vec<u8>) -> Result<Option<()>, EngineError> {
    let len = read_u32(r)?.ok_or_else(|| corrupt("a value length"))?;
    if len == MISSING {
        return Ok(None);
    }
    buf.resize(len as usize, 0);
    r.read_exact(buf)
        .map_err(|e| EngineError::Spill(format!("reading a spill file: {e}")))?;
    Ok(Some(()))
}

pub(super) fn write_value(record: &mut Vec<u8>, value: Option<&str>) {
    match value {
        None => record.extend_from_slice(&MISSING.to_le_bytes()),
        Some(v) => {
            record.extend_from_slice(&(v.len() as u32).to_le_bytes());
            record.extend_from_slice(v.as_bytes());
        }
    }
}

/// One side (original or release) of the run.
struct Side<'a> {
    path: &'a Path,
    source: String,
    /// Columns spilled with every row (comparisons and rules).
    columns: Vec<String>,
    /// The truth-key column (`None` for `#row` or without a truth key).
    truth: Option<String>,
    rows: usize,
}

impl Side<'_> {
    /// Columns to stream: `columns`, then the truth column when it is not one of them.
    fn stream_columns(&self) -> Vec<String> {
        let mut cols = self.columns.clone();
        if let Some(t) = &self.truth {
            if !cols.contains(t) {
                cols.push(t.clone());
            }
        }
        cols
    }
}

/// The file layout: per set (a rule, the truth key, the sequential rows)
/// and side, `partitions` files.
struct Layout {
    partitions: usize,
    rules: usize,
}

impl Layout {
    fn sets(&self) -> usize {
        self.rules + 2
    }
    fn truth_set(&self) -> usize {
        self.rules
    }
    fn rows_set(&self) -> usize {
        self.rules + 1
    }
    fn file(&self, set: usize, side: usize, part: usize) -> usize {
        (set * 2 + side) * self.partitions + part
    }
    fn files(&self) -> usize {
        self.sets() * 2 * self.partitions
    }
}

/// Runs [`linkage::link`] over the files `original` and `release` out of
/// core under `settings` (budget, spill folder, chunk size), and says how
/// ([`LinkOutOfCoreSummary`]). The result equals the in-memory one.
///
/// Errors: those of the in-memory run (columns, specifications, the pair
/// cap), the readers' (file, line, column), the spill folder's, and
/// [`EngineError::Unsupported`] for what cannot run out of core (no
/// blocking rule, term-frequency levels).
#[allow(clippy::too_many_arguments)]
pub fn link_files(
    original: &Path,
    release: &Path,
    config: &LinkageConfig,
    hierarchies: &HashMap<String, Hierarchy>,
    opts: &ReadOptions,
    missing: &MissingPolicy,
    settings: &OutOfCore,
    progress: &mut dyn FnMut(LinkageStage),
) -> Result<(LinkageResult, LinkOutOfCoreSummary), EngineError> {
    if config.comparisons.is_empty() {
        return Err(
            LinkageError::BadParameter("give at least one comparison (--fields)".into()).into(),
        );
    }
    for c in &config.comparisons {
        c.validate()?;
    }
    if config.blocking.is_empty() {
        return Err(EngineError::Unsupported(
            "linkage out of core (--memory) needs blocking rules (--block): without them every pair is compared, and the pairs are partitioned by their blocking keys".into(),
        ));
    }
    // Term-frequency levels: (comparison, level), counted in the streaming pass.
    let tf_levels: Vec<(usize, usize)> = config
        .comparisons
        .iter()
        .enumerate()
        .filter_map(|(c, cmp)| cmp.tf_level().map(|l| (c, l)))
        .collect();
    let mut tf_counts: Vec<HashMap<String, u64>> = vec![HashMap::new(); tf_levels.len()];
    let budget = settings.budget.0;
    let k = config.comparisons.len();

    // The rules the rows are partitioned by, each once.
    let mut rules: Vec<BlockingRule> = Vec::new();
    let set_of = |r: &BlockingRule, rules: &mut Vec<BlockingRule>| -> usize {
        match rules.iter().position(|x| x == r) {
            Some(i) => i,
            None => {
                rules.push(r.clone());
                rules.len() - 1
            }
        }
    };
    let prediction_sets: Vec<usize> = config
        .blocking
        .iter()
        .map(|r| set_of(r, &mut rules))
        .collect();
    let training: Vec<&BlockingRule> = if config.training_blocking.is_empty() {
        config.blocking.iter().collect()
    } else {
        config.training_blocking.iter().collect()
    };
    let own_sets: Vec<Option<usize>> = training
        .iter()
        .map(|r| {
            if config.blocking.iter().any(|p| r.implies(p)) {
                None
            } else {
                Some(set_of(r, &mut rules))
            }
        })
        .collect();
    let deterministic: Vec<BlockingRule> = match &config.prior {
        PriorSpec::Deterministic { rules: d, .. } => d.clone(),
        PriorSpec::Given { .. } => Vec::new(),
    };
    let deterministic_sets: Vec<usize> = deterministic
        .iter()
        .map(|r| set_of(r, &mut rules))
        .collect();

    // The columns each side spills.
    let mut left_columns: Vec<String> = Vec::new();
    let mut right_columns: Vec<String> = Vec::new();
    let add = |cols: &mut Vec<String>, c: &str| {
        if !cols.iter().any(|x| x == c) {
            cols.push(c.to_string());
        }
    };
    for c in &config.comparisons {
        add(&mut left_columns, &c.left_column);
        add(&mut right_columns, &c.right_column);
    }
    for r in rules.iter().chain(training.iter().copied()) {
        for key in &r.keys {
            add(&mut left_columns, &key.left_column);
            add(&mut right_columns, &key.right_column);
        }
    }
    let truth_columns = config.truth.clone();
    let mut sides = [
        Side {
            path: original,
            source: original.display().to_string(),
            columns: left_columns,
            truth: truth_columns
                .as_ref()
                .map(|t| t.0.clone())
                .filter(|c| c != crate::data::truth::ROW_KEY),
            rows: 0,
        },
        Side {
            path: release,
            source: release.display().to_string(),
            columns: right_columns,
            truth: truth_columns.as_ref().map(|t| t.1.clone()),
            rows: 0,
        },
    ];

    // Partitions: the inputs' bytes, a few times over for the tables built
    // from a partition, within a quarter of the budget.
    let input_bytes: u64 = [original, release]
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let wanted = (input_bytes.saturating_mul(4) / (budget / 4).max(1)) as usize + 1;
    let layout = Layout {
        partitions: wanted.max(settings.partitions).clamp(1, MAX_PARTITIONS),
        rules: rules.len(),
    };
    let p_count = layout.partitions;
    let dir = SpillDir::create_in(settings.temp_dir.as_deref())?;
    let mut spill = Spill {
        dir,
        buffers: vec![Vec::new(); layout.files()],
        sizes: vec![0; layout.files()],
        buffered: 0,
        // Buffers grow by doubling: their capacity is at most twice this.
        limit: (budget / 8).max(4096),
    };
    let mut tracker = Tracker::default();
    let mut chunks = 0u64;

    // Pass 1: stream both files into the partitions.
    let hash_part = |parts: &[String]| -> usize {
        let mut h = DefaultHasher::new();
        for p in parts {
            p.hash(&mut h);
        }
        (h.finish() % p_count as u64) as usize
    };
    for (side_index, side) in sides.iter_mut().enumerate() {
        let stream_cols = side.stream_columns();
        let col_refs: Vec<&str> = stream_cols.iter().map(String::as_str).collect();
        let chunk_rows = settings.chunk_rows.unwrap_or_else(|| {
            ((budget / 8) / (24 * col_refs.len() as u64 + 16)).clamp(64, 1_000_000) as usize
        });
        // Per rule, the key columns' positions in the streamed columns.
        let key_cols: Vec<Vec<(usize, &blocking::KeyTransform)>> = rules
            .iter()
            .map(|r| {
                r.keys
                    .iter()
                    .map(|key| {
                        let name = if side_index == 0 {
                            &key.left_column
                        } else {
                            &key.right_column
                        };
                        (
                            stream_cols.iter().position(|c| c == name).unwrap_or(0),
                            &key.transform,
                        )
                    })
                    .collect()
            })
            .collect();
        let n_spilled = side.columns.len();
        let truth_col = side
            .truth
            .as_ref()
            .and_then(|t| stream_cols.iter().position(|c| c == t));
        let with_truth = truth_columns.is_some();
        // The streamed position of each term-frequency comparison's column.
        let tf_cols: Vec<usize> = tf_levels
            .iter()
            .map(|&(c, _)| {
                let cmp = &config.comparisons[c];
                let name = if side_index == 0 {
                    &cmp.left_column
                } else {
                    &cmp.right_column
                };
                stream_cols.iter().position(|x| x == name).unwrap_or(0)
            })
            .collect();
        let side_files: Vec<usize> = (0..layout.sets())
            .flat_map(|s| (0..p_count).map(move |p| (s, p)))
            .map(|(s, p)| layout.file(s, side_index, p))
            .collect();
        let mut record: Vec<u8> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let tf_before = tf_counts.clone();
        let rows = stream_table(
            side.path,
            &col_refs,
            opts,
            missing,
            chunk_rows,
            &mut |event| -> Result<(), EngineError> {
                let (table, first_row) = match event {
                    StreamEvent::Restart => {
                        // The counts of this side start again too.
                        for (counts, before) in tf_counts.iter_mut().zip(&tf_before) {
                            counts.clone_from(before);
                        }
                        return spill.reset(side_files.iter().copied());
                    }
                    StreamEvent::Chunk { table, first_row } => (table, first_row),
                };
                chunks += 1;
                let chunk_bytes = table_bytes(&table);
                tracker.add(chunk_bytes + 2 * spill.limit);
                let cols = &table.columns;
                // Term frequencies: every present, unsuppressed value of
                // both tables, trimmed (as `term_frequencies` counts them).
                for (&j, counts) in tf_cols.iter().zip(tf_counts.iter_mut()) {
                    let c = &cols[j];
                    let mut by_code = vec![0u64; c.values.len()];
                    for &code in &c.codes {
                        by_code[code as usize] += 1;
                    }
                    for (code, &n) in by_code.iter().enumerate() {
                        if n > 0 && !c.is_missing_code(code as u32) && !c.suppressed[code] {
                            let v = c.values[code].trim();
                            match counts.get_mut(v) {
                                Some(x) => *x += n,
                                None => {
                                    counts.insert(v.to_string(), n);
                                }
                            }
                        }
                    }
                }
                for row in 0..table.n_rows {
                    let global = first_row + row as u64;
                    let global = u32::try_from(global).map_err(|_| {
                        EngineError::Unsupported(format!(
                            "{}: more than {} rows; linkage numbers rows with 32 bits",
                            table.source,
                            u32::MAX
                        ))
                    })?;
                    let present = |j: usize| -> Option<&str> {
                        let c = &cols[j];
                        let code = c.codes[row];
                        (!c.is_missing_code(code)).then(|| c.values[code as usize].as_str())
                    };
                    record.clear();
                    record.extend_from_slice(&global.to_le_bytes());
                    for j in 0..n_spilled {
                        write_value(&mut record, present(j));
                    }
                    spill.push(layout.file(layout.rows_set(), side_index, 0), &record)?;
                    for (set, kc) in key_cols.iter().enumerate() {
                        keys.clear();
                        let mut whole = true;
                        for &(j, t) in kc {
                            let c = &cols[j];
                            let code = c.codes[row];
                            let key = if c.is_missing_code(code) || c.suppressed[code as usize] {
                                None
                            } else {
                                blocking::key_text(&c.values[code as usize], t)
                            };
                            match key {
                                Some(key) => keys.push(key),
                                None => {
                                    whole = false;
                                    break;
                                }
                            }
                        }
                        if whole {
                            let part = hash_part(&keys);
                            spill.push(layout.file(set, side_index, part), &record)?;
                        }
                    }
                    if with_truth {
                        let key: Option<String> = match truth_col {
                            Some(j) => present(j).map(|v| v.trim().to_string()),
                            None => Some(global.to_string()),
                        };
                        if let Some(key) = key {
                            let part = hash_part(std::slice::from_ref(&key));
                            record.clear();
                            record.extend_from_slice(&global.to_le_bytes());
                            write_value(&mut record, Some(&key));
                            spill
                                .push(layout.file(layout.truth_set(), side_index, part), &record)?;
                        }
                    }
                }
                tracker.sub(chunk_bytes + 2 * spill.limit);
                Ok(())
            },
        )?;
        side.rows = rows as usize;
    }
    spill.flush()?;
    let (nl, nr) = (sides[0].rows, sides[1].rows);
    if nl == 0 || nr == 0 {
        return Err(LinkageError::BadParameter("both tables need at least one row".into()).into());
    }
    let total_pairs = nl as f64 * nr as f64;
    let tf_totals: Vec<f64> = tf_counts
        .iter()
        .map(|m| m.values().sum::<u64>().max(1) as f64)
        .collect();
    let tf_bytes: u64 = tf_counts
        .iter()
        .flat_map(|m| m.keys())
        .map(|v| v.len() as u64 + 48)
        .sum::<u64>()
        + (nl * tf_levels.len() * 8) as u64;
    tracker.add(tf_bytes);
    // Per original row and term-frequency comparison, its value's term
    // frequency (filled for the rows that are in some block).
    let mut row_tf: Vec<f64> = vec![0.0; nl * tf_levels.len()];
    let largest_partition_bytes = (0..layout.rules)
        .flat_map(|s| (0..p_count).map(move |p| (s, p)))
        .map(|(s, p)| spill.sizes[layout.file(s, 0, p)] + spill.sizes[layout.file(s, 1, p)])
        .max()
        .unwrap_or(0);

    let run = Run {
        spill: &spill,
        layout: &layout,
        sides: &sides,
        missing,
    };

    // Blocking in one pass over the partitions of the prediction rules:
    // each rule's estimate (summed over partitions: a block lies in one),
    // the pairs, their comparison vectors and the implied sessions' pattern
    // counts. Pairs stop being built once the estimates pass the pair cap,
    // and the cap's error (with every rule's estimate) comes before u, as
    // in memory.
    progress(LinkageStage::Blocking);
    crate::data::cancel::check().map_err(LinkageError::from)?;
    let implied: Vec<(usize, &BlockingRule)> = training
        .iter()
        .enumerate()
        .filter(|(j, _)| own_sets[*j].is_none())
        .map(|(j, r)| (j, *r))
        .collect();
    let mut implied_counts: Vec<PatternPartial> =
        implied.iter().map(|_| PatternPartial::empty(k)).collect();
    // (rule, first original row of the block, release row, original row, position).
    let mut order: Vec<(u32, u32, u32, u32, u64)> = Vec::new();
    let mut all_gammas: Vec<u8> = Vec::new();
    let mut estimates: Vec<RuleEstimate> = config
        .blocking
        .iter()
        .map(|rule| RuleEstimate {
            rule: rule.describe(),
            pairs: 0,
            blocks: 0,
            largest_block_pairs: 0,
        })
        .collect();
    let mut estimated = 0u64;
    for (i, &set) in prediction_sets.iter().enumerate() {
        for part in 0..p_count {
            let Some((left, right, lrows, rrows, bytes)) = run.load_pair(set, part)? else {
                continue;
            };
            tracker.add(bytes);
            let e =
                blocking::estimate_pairs(std::slice::from_ref(&config.blocking[i]), &left, &right)?;
            if let Some(e) = e.first() {
                add_estimate(&mut estimates[i], e);
                estimated = estimated.saturating_add(e.pairs);
            }
            if estimated > config.max_pairs {
                tracker.sub(bytes);
                continue;
            }
            let rp = blocking::rule_pairs(&config.blocking, i, &left, &right)?;
            if !rp.pairs.is_empty() {
                let prepared =
                    PreparedComparisons::new(&config.comparisons, &left, &right, hierarchies)?;
                let gammas = fellegi_sunter::comparison_vectors(&prepared, &rp.pairs);
                let transient = (rp.pairs.len() * (12 + k)) as u64;
                for (j, &(c, _)) in tf_levels.iter().enumerate() {
                    let Some(col) = left.column(&config.comparisons[c].left_column) else {
                        continue;
                    };
                    for (local, &code) in col.codes.iter().enumerate() {
                        if col.is_missing_code(code) || col.suppressed[code as usize] {
                            continue;
                        }
                        let v = col.values[code as usize].trim();
                        let n = tf_counts[j].get(v).copied().unwrap_or(0);
                        row_tf[lrows[local] as usize * tf_levels.len() + j] =
                            n as f64 / tf_totals[j];
                    }
                }
                tracker.add(transient);
                for ((_, rule), counts) in implied.iter().zip(implied_counts.iter_mut()) {
                    let matcher = blocking::RuleMatcher::new(rule, &left, &right)?;
                    let idx = matcher.satisfying(&rp.pairs);
                    counts.merge(PatternPartial::from_patterns(
                        k,
                        fellegi_sunter::patterns_of(&gammas, k, idx.into_par_iter()),
                    ))?;
                }
                for (n, (&(l, r), &first)) in rp.pairs.iter().zip(&rp.first_left).enumerate() {
                    let pos = order.len() as u64;
                    order.push((
                        i as u32,
                        lrows[first as usize],
                        rrows[r as usize],
                        lrows[l as usize],
                        pos,
                    ));
                    all_gammas.extend_from_slice(&gammas[n * k..(n + 1) * k]);
                }
                tracker.add((rp.pairs.len() * (24 + k)) as u64);
                tracker.sub(transient);
            }
            tracker.sub(bytes);
        }
    }

    let (estimates, mut warnings) =
        blocking::block_checks(estimates, config.warn_pairs, config.max_pairs)?;

    // u from the seeded random pairs.
    progress(LinkageStage::EstimatingU);
    crate::data::cancel::check().map_err(LinkageError::from)?;
    let u = run.estimate_u(config, hierarchies, &mut tracker)?;

    // lambda.
    let mut failure: Option<EngineError> = None;
    let lambda = {
        let mut count = |rs: &[BlockingRule]| -> Result<u64, LinkageError> {
            match run.count_pairs(
                rs,
                &deterministic,
                &deterministic_sets,
                config,
                &mut tracker,
            ) {
                Ok(n) => Ok(n),
                Err(EngineError::Linkage(e)) => Err(e),
                Err(e) => {
                    failure = Some(e);
                    Err(LinkageError::BadParameter("spill failed".into()))
                }
            }
        };
        linkage::prior_lambda(config, total_pairs, &mut warnings, &mut count)
    };
    if let Some(e) = failure.take() {
        return Err(e);
    }
    let lambda = lambda?;

    progress(LinkageStage::Comparing);
    // EM on the merged counts; a training rule implying no prediction rule
    // blocks on its own partitions.
    let mut failure: Option<EngineError> = None;
    let trained = {
        let mut session_counts = |session: &SessionPairs| -> Result<PatternPartial, LinkageError> {
            let found = match session {
                SessionPairs::Implied(r) => implied
                    .iter()
                    .position(|(_, x)| x == r)
                    .map(|j| Ok(implied_counts[j].clone())),
                SessionPairs::Own(r) => training
                    .iter()
                    .position(|x| x == r)
                    .and_then(|j| own_sets[j])
                    .map(|set| run.own_session(r, set, config, hierarchies, &mut tracker)),
                SessionPairs::All => None,
            };
            match found {
                Some(Ok(c)) => Ok(c),
                Some(Err(EngineError::Linkage(e))) => Err(e),
                Some(Err(e)) => {
                    failure = Some(e);
                    Err(LinkageError::BadParameter("spill failed".into()))
                }
                None => Err(LinkageError::BadParameter(
                    "an EM session out of core had no partitions (internal)".into(),
                )),
            }
        };
        linkage::train_model(
            config,
            &u,
            lambda,
            &mut session_counts,
            &mut warnings,
            progress,
        )
    };
    if let Some(e) = failure.take() {
        return Err(e);
    }
    let (model, sessions) = trained?;

    // The pairs in the one-pass order, scored.
    progress(LinkageStage::Scoring);
    crate::data::cancel::check().map_err(LinkageError::from)?;
    order.par_sort_unstable();
    let pairs: Vec<(u32, u32)> = order.iter().map(|o| (o.3, o.2)).collect();
    let mut gammas = Vec::with_capacity(all_gammas.len());
    for o in &order {
        let at = o.4 as usize * k;
        gammas.extend_from_slice(&all_gammas[at..at + k]);
    }
    tracker.add((pairs.len() * (8 + k)) as u64);
    tracker.sub((order.len() * (24 + k)) as u64);
    drop(order);
    drop(all_gammas);
    tracker.add((pairs.len() * 8) as u64);
    // The term-frequency adjustment of comparison `c` for a pair with
    // original row `l` and comparison vector `g`, as in memory.
    let tf_adjust = |l: u32, g: &[u8], c: usize| -> f64 {
        match tf_levels.iter().position(|&(x, _)| x == c) {
            Some(j) if g[c] as usize == tf_levels[j].1 => {
                let t = row_tf[l as usize * tf_levels.len() + j];
                if t > 0.0 {
                    (model.comparisons[c].levels[tf_levels[j].1].u / t).log2()
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    };
    let weights: Vec<f64> = gammas
        .par_chunks(k)
        .zip(pairs.par_iter())
        .map_init(
            || vec![0.0; k],
            |tf_row, (g, &(l, _))| {
                for (c, slot) in tf_row.iter_mut().enumerate() {
                    *slot = tf_adjust(l, g, c);
                }
                model.match_weight(g, tf_row)
            },
        )
        .collect();
    let pair_bytes = (pairs.len() * (16 + k)) as u64;

    progress(LinkageStage::Assigning);
    crate::data::cancel::check().map_err(LinkageError::from)?;
    let truth = match &truth_columns {
        Some(_) => Some(run.truth_key(nr, &mut tracker)?),
        None => None,
    };
    let pairs_compared = pairs.len();
    let result = linkage::finish_links(
        config,
        (nl, nr),
        estimates,
        pairs_compared,
        model.clone(),
        sessions,
        warnings,
        ScoredPairs {
            pairs,
            weights,
            links: Vec::new(),
            truth,
        },
        &gammas,
        &tf_adjust,
    );
    let peak_resident_bytes = memory::peak_resident_bytes();
    let summary = LinkOutOfCoreSummary {
        memory_budget_bytes: budget,
        partitions: p_count,
        partitioned_rules: layout.rules,
        chunks,
        spill_files: spill.sizes.iter().filter(|&&s| s > 0).count() as u64,
        spilled_bytes: spill.sizes.iter().sum(),
        largest_partition_bytes,
        pair_bytes,
        peak_tracked_bytes: tracker.peak,
        peak_resident_bytes,
        budget_exceeded: tracker.peak > budget || peak_resident_bytes.is_some_and(|r| r > budget),
    };
    Ok((result, summary))
}

/// Adds one partition's estimate of a rule to the rule's total (its blocks
/// lie in that partition only).
fn add_estimate(total: &mut RuleEstimate, e: &RuleEstimate) {
    total.pairs = total.pairs.saturating_add(e.pairs);
    total.blocks += e.blocks;
    total.largest_block_pairs = total.largest_block_pairs.max(e.largest_block_pairs);
}

/// Approximate bytes of a chunk: codes and values.
pub(super) fn table_bytes(t: &EncodedTable) -> u64 {
    t.columns
        .iter()
        .map(|c| {
            (c.codes.len() * 4) as u64
                + c.values.iter().map(|v| v.len() as u64 + 24).sum::<u64>()
                + c.suppressed.len() as u64
        })
        .sum()
}

/// The partitions written, read back.
struct Run<'a> {
    spill: &'a Spill,
    layout: &'a Layout,
    sides: &'a [Side<'a>; 2],
    missing: &'a MissingPolicy,
}

/// Two tables from one partition with their rows' input rows, and the
/// partition's spilled bytes.
type PartitionPair = (EncodedTable, EncodedTable, Vec<u32>, Vec<u32>, u64);

impl Run<'_> {
    /// The table of one spilled file, keeping the rows `keep` accepts, with
    /// their input rows.
    fn load(
        &self,
        file: usize,
        side: usize,
        keep: &dyn Fn(u32) -> bool,
    ) -> Result<Option<(EncodedTable, Vec<u32>)>, EngineError> {
        let Some(mut reader) = self.spill.reader(file)? else {
            return Ok(None);
        };
        let s = &self.sides[side];
        let mut builders: Vec<CategoricalColumnBuilder> = s
            .columns
            .iter()
            .map(|c| CategoricalColumnBuilder::new(c, &self.missing.label))
            .collect();
        let mut rows = Vec::new();
        let mut buf = Vec::new();
        while let Some(row) = read_u32(&mut reader)? {
            let wanted = keep(row);
            if wanted {
                rows.push(row);
            }
            for b in builders.iter_mut() {
                let value = read_value(&mut reader, &mut buf)?;
                if !wanted {
                    continue;
                }
                match value {
                    None => b.push(None, |_| false),
                    Some(()) => {
                        let text = std::str::from_utf8(&buf)
                            .map_err(|_| corrupt("a value that is not UTF-8"))?;
                        b.push(Some(text), |_| false);
                    }
                }
            }
        }
        if rows.is_empty() {
            return Ok(None);
        }
        let columns = builders.into_iter().map(|b| b.finish()).collect();
        Ok(Some((EncodedTable::new(&s.source, columns), rows)))
    }

    /// Both sides of partition `part` of set `set`; `None` when a side is empty.
    fn load_pair(&self, set: usize, part: usize) -> Result<Option<PartitionPair>, EngineError> {
        let (lf, rf) = (
            self.layout.file(set, 0, part),
            self.layout.file(set, 1, part),
        );
        if self.spill.sizes[lf] == 0 || self.spill.sizes[rf] == 0 {
            return Ok(None);
        }
        let Some((left, lrows)) = self.load(lf, 0, &|_| true)? else {
            return Ok(None);
        };
        let Some((right, rrows)) = self.load(rf, 1, &|_| true)? else {
            return Ok(None);
        };
        // The tables hold about three times their spilled bytes.
        let bytes = 3 * (self.spill.sizes[lf] + self.spill.sizes[rf]);
        Ok(Some((left, right, lrows, rrows, bytes)))
    }

    /// u from the in-memory run's random pairs: the sampled rows gathered
    /// from the sequential spill of each side.
    fn estimate_u(
        &self,
        config: &LinkageConfig,
        hierarchies: &HashMap<String, Hierarchy>,
        tracker: &mut Tracker,
    ) -> Result<Vec<Vec<f64>>, EngineError> {
        let (nl, nr) = (self.sides[0].rows, self.sides[1].rows);
        let sample = fellegi_sunter::u_sample(nl, nr, config.u_sample_pairs, config.seed);
        let mut lrows: Vec<u32> = sample.iter().map(|p| p.0).collect();
        let mut rrows: Vec<u32> = sample.iter().map(|p| p.1).collect();
        lrows.sort_unstable();
        lrows.dedup();
        rrows.sort_unstable();
        rrows.dedup();
        let set = self.layout.rows_set();
        let gather = |side: usize, rows: &[u32]| -> Result<EncodedTable, EngineError> {
            let keep = |row: u32| rows.binary_search(&row).is_ok();
            match self.load(self.layout.file(set, side, 0), side, &keep)? {
                Some((t, got)) if got.len() == rows.len() => Ok(t),
                _ => Err(EngineError::Spill(
                    "the rows of the u sample were not all found in the spill".into(),
                )),
            }
        };
        let left = gather(0, &lrows)?;
        let right = gather(1, &rrows)?;
        let local: Vec<(u32, u32)> = sample
            .iter()
            .map(|&(l, r)| {
                (
                    lrows.binary_search(&l).unwrap_or(0) as u32,
                    rrows.binary_search(&r).unwrap_or(0) as u32,
                )
            })
            .collect();
        // The sample's comparison vectors a slice at a time, their pattern
        // counts merged (the same counts as all at once).
        const SLICE: usize = 1 << 16;
        let k = config.comparisons.len();
        let bytes = table_bytes(&left)
            + table_bytes(&right)
            + (sample.len() * 16) as u64
            + (SLICE.min(sample.len()) * k) as u64;
        tracker.add(bytes);
        let prepared = PreparedComparisons::new(&config.comparisons, &left, &right, hierarchies)?;
        let mut counts = PatternPartial::empty(k);
        for slice in local.chunks(SLICE) {
            let gammas = fellegi_sunter::comparison_vectors(&prepared, slice);
            counts.merge(PatternPartial::from_patterns(
                k,
                fellegi_sunter::patterns(&gammas, k),
            ))?;
        }
        let comparisons: Vec<&Comparison> = config.comparisons.iter().collect();
        let u = fellegi_sunter::u_from_patterns(&comparisons, &counts.patterns());
        tracker.sub(bytes);
        Ok(u)
    }

    /// The pairs the deterministic rules `rules` give (their union, each
    /// pair once), after the pair cap, as `blocking::block` counts them.
    fn count_pairs(
        &self,
        rules: &[BlockingRule],
        deterministic: &[BlockingRule],
        sets: &[usize],
        config: &LinkageConfig,
        tracker: &mut Tracker,
    ) -> Result<u64, EngineError> {
        let (nl, nr) = (self.sides[0].rows as u64, self.sides[1].rows as u64);
        if rules.is_empty() {
            let total = nl * nr;
            if total > config.max_pairs {
                return Err(LinkageError::TooManyPairs {
                    estimated: total,
                    cap: config.max_pairs,
                    per_rule: vec![("cartesian (no blocking)".into(), total)],
                }
                .into());
            }
            return Ok(total);
        }
        if rules != deterministic {
            return Err(LinkageError::BadParameter(
                "deterministic rules out of core: other rules than the configuration's (internal)"
                    .into(),
            )
            .into());
        }
        // One pass: the estimates, and the pairs counted while the
        // estimates stay within the cap (past it the cap's error follows).
        let mut estimates: Vec<RuleEstimate> = rules
            .iter()
            .map(|rule| RuleEstimate {
                rule: rule.describe(),
                pairs: 0,
                blocks: 0,
                largest_block_pairs: 0,
            })
            .collect();
        let (mut estimated, mut n) = (0u64, 0u64);
        for (i, &set) in sets.iter().enumerate() {
            for part in 0..self.layout.partitions {
                let Some((left, right, _, _, bytes)) = self.load_pair(set, part)? else {
                    continue;
                };
                tracker.add(bytes);
                let e = blocking::estimate_pairs(std::slice::from_ref(&rules[i]), &left, &right)?;
                if let Some(e) = e.first() {
                    add_estimate(&mut estimates[i], e);
                    estimated = estimated.saturating_add(e.pairs);
                }
                if estimated <= config.max_pairs {
                    n += blocking::rule_pairs(rules, i, &left, &right)?.pairs.len() as u64;
                }
                tracker.sub(bytes);
            }
        }
        blocking::block_checks(estimates, u64::MAX, config.max_pairs)?;
        Ok(n)
    }

    /// The pattern counts of an EM session blocked by `rule` alone
    /// (partitioned as set `set`), after the pair cap.
    fn own_session(
        &self,
        rule: &BlockingRule,
        set: usize,
        config: &LinkageConfig,
        hierarchies: &HashMap<String, Hierarchy>,
        tracker: &mut Tracker,
    ) -> Result<PatternPartial, EngineError> {
        let k = config.comparisons.len();
        let mut counts = PatternPartial::empty(k);
        let mut estimate = RuleEstimate {
            rule: rule.describe(),
            pairs: 0,
            blocks: 0,
            largest_block_pairs: 0,
        };
        for part in 0..self.layout.partitions {
            let Some((left, right, _, _, bytes)) = self.load_pair(set, part)? else {
                continue;
            };
            tracker.add(bytes);
            let e = blocking::estimate_pairs(std::slice::from_ref(rule), &left, &right)?;
            if let Some(e) = e.first() {
                add_estimate(&mut estimate, e);
            }
            if estimate.pairs > config.max_pairs {
                tracker.sub(bytes);
                continue;
            }
            let rp = blocking::rule_pairs(std::slice::from_ref(rule), 0, &left, &right)?;
            let prepared =
                PreparedComparisons::new(&config.comparisons, &left, &right, hierarchies)?;
            let gammas = fellegi_sunter::comparison_vectors(&prepared, &rp.pairs);
            counts.merge(PatternPartial::from_patterns(
                k,
                fellegi_sunter::patterns(&gammas, k),
            ))?;
            tracker.sub(bytes);
        }
        blocking::block_checks(vec![estimate], u64::MAX, config.max_pairs)?;
        Ok(counts)
    }

    /// The truth key: original and release rows with equal keys, joined
    /// partition by partition (as `data::TruthSpec::resolve` joins them).
    fn truth_key(&self, n_release: usize, tracker: &mut Tracker) -> Result<TruthKey, EngineError> {
        let set = self.layout.truth_set();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut buf = Vec::new();
        for part in 0..self.layout.partitions {
            let (lf, rf) = (
                self.layout.file(set, 0, part),
                self.layout.file(set, 1, part),
            );
            let (Some(mut lr), Some(mut rr)) = (self.spill.reader(lf)?, self.spill.reader(rf)?)
            else {
                continue;
            };
            let bytes = 3 * self.spill.sizes[lf];
            tracker.add(bytes);
            let mut rows_of_key: HashMap<String, Vec<u32>> = HashMap::new();
            while let Some(row) = read_u32(&mut lr)? {
                if read_value(&mut lr, &mut buf)?.is_some() {
                    let key = String::from_utf8_lossy(&buf).into_owned();
                    rows_of_key.entry(key).or_default().push(row);
                }
            }
            while let Some(row) = read_u32(&mut rr)? {
                if read_value(&mut rr, &mut buf)?.is_some() {
                    let key = String::from_utf8_lossy(&buf);
                    if let Some(originals) = rows_of_key.get(key.as_ref()) {
                        pairs.extend(originals.iter().map(|&o| (o, row)));
                    }
                }
            }
            tracker.sub(bytes);
        }
        tracker.add((pairs.len() * 8 + n_release * 8) as u64);
        Ok(TruthKey::new(n_release, pairs))
    }
}
