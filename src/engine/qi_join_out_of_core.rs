//! The quasi-identifier join attack ([`crate::attacks::linkage::qi_join`])
//! out of core on one machine (`reident link --qi ... --memory BUDGET`, the
//! audit's `memory` key): the same counts, rate, histogram, truth figures,
//! column kinds and coverage as in memory over two files that are never
//! read whole. The per-row outcomes ([`crate::attacks::linkage::QiJoinRow`])
//! are not kept: `rows` is empty, as on Spark ([`super::spark_qi`], whose
//! split this follows).
//!
//! **How.**
//! 1. Both files are read in chunks ([`crate::data::stream_table`]: CSV,
//!    NDJSON, Parquet by row group), only the quasi-identifiers and the
//!    truth key's column. Per quasi-identifier a dictionary of the distinct
//!    values is kept (in order of first row, with row counts and, for the
//!    originals, the first row), and each row becomes a tuple of dictionary
//!    codes. Tuples are counted in a hash map; when the map passes its share
//!    of the budget it is written, hash-partitioned by tuple, to a temporary
//!    folder and emptied (hash aggregation with spill; the partitioning of a
//!    Grace hash join: Kitsuregawa, Tanaka and Moto-Oka 1983). With a truth
//!    key every row is also written, with its key (trimmed; mapped through a
//!    key map; the row number for `#row`) and its tuple, to a partition by
//!    hash of the key.
//! 2. Per quasi-identifier, which original values each release value
//!    accepts is decided from the two dictionaries alone by the in-memory
//!    code (`qi_join::match_column`: kinds, intervals, masks, sets, `*`,
//!    hierarchy nodes, missing values, the hierarchy-coverage check), and the
//!    per-column unmatched release rows by `qi_join::unmatched_column`.
//! 3. With a truth key, partition by partition (a partitioned hash join on
//!    the key): the originals of the partition are loaded by key, and each
//!    release row of the partition counts its true originals whose every
//!    value its own accepts; a release row whose key is missing or names no
//!    original is counted as unresolved. The outcomes, aggregated per
//!    (release tuple, true candidates, resolved), are written partitioned by
//!    release tuple.
//! 4. Candidates: the distinct release tuples are taken in blocks (spill
//!    partitions grouped to fill a share of the budget), and for each block
//!    the distinct original tuples in blocks likewise (a block nested-loop
//!    join: compatibility is not equality, so tuples cannot be hash-joined).
//!    For an original block, each (quasi-identifier, release value) gets a
//!    bitset over the block's tuples (set through the inverse of the
//!    accepted pairs), and each release tuple's candidates are the sum of
//!    the tuple counts over the AND of its values' bitsets. The pairs of
//!    tuples are never listed.
//! 5. Each release tuple's candidate count meets its rows (or, with a truth
//!    key, the outcomes of step 3) as cells (candidates, true candidates),
//!    read by `qi_join::QiJoinSummary`, the code the in-memory and Spark
//!    joins use: every number is computed as in memory (tests compare them).
//!
//! **Complexity.** With `G` distinct release tuples, `H` distinct original
//! tuples and `k` quasi-identifiers: reading is linear in the rows; the
//! candidates take `O(G * H * k / 64)` word operations plus one addition
//! per compatible (release tuple, original tuple) pair (the in-memory join
//! takes `O(G * n * k / 64)` over the `n` original rows), and the bitsets
//! `O(H * a)` to set, `a` the release values accepting an original value.
//! The original tuples are read once per release block; with `B` the share
//! of the budget, about `G * (4k + 40) / B` times.
//!
//! **Memory.** The chunk being read, the spill buffers, the tuple maps, the
//! blocks and their bitsets, and a truth partition are bounded by the
//! budget through the number of partitions and blocks. Kept whole (tracked
//! and reported, not bounded): the per-column dictionaries and accepted
//! pairs (what `match_column` reads; Spark holds the same), and a truth
//! key's map file. The tracked estimate and the process's resident memory
//! are both reported ([`QiJoinOutOfCoreSummary`]).
//!
//! The spill folder is removed at the end, also on error.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::link_out_of_core::{corrupt, read_u32, table_bytes, write_value, Spill, Tracker};
use super::memory;
use super::out_of_core::{OutOfCore, SpillDir};
use super::EngineError;
use crate::attacks::linkage::qi_join::{
    match_column, unmatched_column, DistinctRows, QiJoinSummary,
};
use crate::attacks::linkage::{LinkageError, QiJoinResult};
use crate::data::{
    stream_table, CategoricalColumn, CategoricalColumnBuilder, Hierarchy, MissingPolicy,
    ReadOptions, StreamEvent, TruthSpec, ValueKind, ROW_KEY,
};

/// Most spill partitions of one kind.
const MAX_PARTITIONS: usize = 1024;

/// What [`qi_join_files`] reads.
#[derive(Debug, Clone)]
pub struct QiJoinFiles<'a> {
    /// The originals (CSV, NDJSON, Parquet).
    pub original: &'a Path,
    /// The release.
    pub release: &'a Path,
    /// (release name, original name) of each quasi-identifier; the result
    /// uses the release names.
    pub columns: &'a [(String, String)],
    /// Hierarchies by release column name.
    pub hierarchies: &'a HashMap<String, Hierarchy>,
    /// Value kinds set by the user, by release column name.
    pub kinds: &'a HashMap<String, ValueKind>,
    /// The truth key (a column of each file, optionally through a key map,
    /// or [`ROW_KEY`]), resolved as [`TruthSpec::resolve`] does.
    pub truth: Option<&'a TruthSpec>,
    /// How the files are read.
    pub opts: &'a ReadOptions,
    /// The missing-value policy.
    pub missing: &'a MissingPolicy,
}

/// What an out-of-core QI join did, reported next to the result
/// (`out_of_core` in `reident link --qi --memory`'s JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QiJoinOutOfCoreSummary {
    /// The memory budget, in bytes.
    pub memory_budget_bytes: u64,
    /// Chunks read from the two files.
    pub chunks: u64,
    /// Distinct original tuples of quasi-identifier values.
    pub original_tuples: u64,
    /// Hash partitions the original tuples were spilled to (0: they stayed in memory).
    pub original_partitions: usize,
    /// Hash partitions the release tuples were spilled to (0: they stayed in memory).
    pub release_partitions: usize,
    /// Hash partitions of the truth-key join (0 without a truth key).
    pub truth_partitions: usize,
    /// Blocks of release tuples the candidates were counted in.
    pub release_blocks: u64,
    /// (release block, original block) pairs joined by bitsets.
    pub block_joins: u64,
    /// Non-empty spill files written.
    pub spill_files: u64,
    /// Bytes written to the spill folder.
    pub spilled_bytes: u64,
    /// Bytes of the dictionaries and accepted value pairs (kept whole).
    pub dictionary_bytes: u64,
    /// The highest tracked memory (an estimate).
    pub peak_tracked_bytes: u64,
    /// The process's resident memory at its highest (`VmHWM`), when it could be read.
    pub peak_resident_bytes: Option<u64>,
    /// True when the tracked or the resident peak went over the budget.
    pub budget_exceeded: bool,
}

/// A column's distinct values in order of first row.
#[derive(Default)]
struct Dict {
    index: HashMap<Option<String>, u32>,
    values: Vec<Option<String>>,
    counts: Vec<u64>,
    first_rows: Vec<u64>,
    bytes: u64,
}

impl Dict {
    /// The code of `value`, added (first seen at `row`) when new.
    fn code(&mut self, value: Option<&str>, row: u64) -> u32 {
        let key = value.map(str::to_string);
        if let Some(&c) = self.index.get(&key) {
            return c;
        }
        let c = self.values.len() as u32;
        self.bytes += 2 * (value.map_or(0, str::len) as u64) + 80;
        self.index.insert(key.clone(), c);
        self.values.push(key);
        self.counts.push(0);
        self.first_rows.push(row);
        c
    }

    /// The dictionary as a column holding each value once (codes `0..`),
    /// as the Spark engine builds it.
    fn column(&self, name: &str, missing: &MissingPolicy) -> CategoricalColumn {
        let mut b = CategoricalColumnBuilder::new(name, &missing.label);
        for v in &self.values {
            b.push(v.as_deref(), |_| false);
        }
        b.finish()
    }
}

/// A tuple of dictionary codes and its number of rows.
type Counted = (Box<[u32]>, u64);

/// Bytes of a tuple in a hash map (key, count, overhead).
fn entry_bytes(k: usize) -> u64 {
    4 * k as u64 + 48
}

fn hash_of<T: Hash + ?Sized>(value: &T, parts: usize) -> usize {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    (h.finish() % parts as u64) as usize
}

fn read_exact(r: &mut impl Read, buf: &mut [u8], what: &str) -> Result<(), EngineError> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            corrupt(what)
        } else {
            EngineError::Spill(format!("reading a spill file: {e}"))
        }
    })
}

/// Reads a tuple of `k` codes into `tuple`; `false` at a clean end of file.
fn read_tuple(r: &mut impl Read, tuple: &mut [u32]) -> Result<bool, EngineError> {
    let Some(first) = read_u32(r)? else {
        return Ok(false);
    };
    tuple[0] = first;
    let mut b = [0u8; 4];
    for slot in tuple.iter_mut().skip(1) {
        read_exact(r, &mut b, "a tuple")?;
        *slot = u32::from_le_bytes(b);
    }
    Ok(true)
}

fn read_u64(r: &mut impl Read) -> Result<u64, EngineError> {
    let mut b = [0u8; 8];
    read_exact(r, &mut b, "a count")?;
    Ok(u64::from_le_bytes(b))
}

fn push_tuple(record: &mut Vec<u8>, tuple: &[u32]) {
    for c in tuple {
        record.extend_from_slice(&c.to_le_bytes());
    }
}

/// The file numbers of the spill folder.
struct Files {
    /// Partitions of each side's tuples.
    tuples: [usize; 2],
    /// Partitions of the truth join.
    truth: usize,
}

impl Files {
    /// Side `side`'s tuple partition `p`.
    fn tuple(&self, side: usize, p: usize) -> usize {
        side * self.tuples[0] + p
    }
    /// Side `side`'s truth partition `p`.
    fn truth(&self, side: usize, p: usize) -> usize {
        self.tuples[0] + self.tuples[1] + side * self.truth + p
    }
    /// Release-tuple partition `p` of the truth outcomes.
    fn outcome(&self, p: usize) -> usize {
        self.tuples[0] + self.tuples[1] + 2 * self.truth + p
    }
    fn count(&self) -> usize {
        self.tuples[0] + 2 * self.tuples[1] + 2 * self.truth
    }
}

/// One side's streaming state.
struct SideState {
    dicts: Vec<Dict>,
    map: HashMap<Box<[u32]>, u64>,
    /// True once the map was written to the partitions.
    spilled: bool,
    rows: u64,
}

/// Runs the QI join over the files of `inputs` out of core under
/// `settings` (budget, spill folder, chunk size), and says how
/// ([`QiJoinOutOfCoreSummary`]). The result equals
/// [`crate::attacks::linkage::qi_join`]'s on the loaded files but for
/// `rows`, which stays empty.
///
/// Errors: those of the in-memory join (no quasi-identifier, a hierarchy
/// that does not cover an original value, a release value that cannot be
/// read), the readers' (file, line, column), and the spill folder's.
pub fn qi_join_files(
    inputs: &QiJoinFiles<'_>,
    settings: &OutOfCore,
) -> Result<(QiJoinResult, QiJoinOutOfCoreSummary), EngineError> {
    let QiJoinFiles {
        original,
        release,
        columns,
        hierarchies,
        kinds,
        truth,
        opts,
        missing,
    } = inputs;
    if columns.is_empty() {
        return Err(LinkageError::BadSpec {
            spec: String::new(),
            message: "give at least one quasi-identifier".into(),
        }
        .into());
    }
    let k = columns.len();
    let budget = settings.budget.0;
    let share = (budget / 4).max(4096);
    let size_of = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    let parts = |bytes: u64, factor: u64| -> usize {
        (bytes.saturating_mul(factor) / share + 1).clamp(1, MAX_PARTITIONS as u64) as usize
    };
    let files = Files {
        tuples: [
            parts(size_of(original), 2).max(2),
            parts(size_of(release), 2).max(2),
        ],
        truth: if truth.is_some() {
            parts(size_of(original), 3)
        } else {
            0
        },
    };
    let mut spill = Spill {
        dir: SpillDir::create_in(settings.temp_dir.as_deref())?,
        buffers: vec![Vec::new(); files.count()],
        sizes: vec![0; files.count()],
        buffered: 0,
        limit: (budget / 8).max(4096),
    };
    let mut tracker = Tracker::default();
    let mut chunks = 0u64;
    let key_map = truth.and_then(|t| t.map.as_ref());
    if let Some(map) = key_map {
        tracker.add(
            map.iter()
                .map(|(a, b)| (a.len() + b.len()) as u64 + 64)
                .sum(),
        );
    }

    // Pass 1: both files, side 0 the originals, side 1 the release.
    let mut states: Vec<SideState> = Vec::new();
    for side in 0..2 {
        let path = if side == 0 { *original } else { *release };
        let mut stream_cols: Vec<String> = columns
            .iter()
            .map(|(r, o)| if side == 0 { o.clone() } else { r.clone() })
            .collect();
        let truth_column = truth
            .map(|t| {
                if side == 0 {
                    t.original.clone()
                } else {
                    t.release.clone()
                }
            })
            .filter(|c| c != ROW_KEY);
        let truth_at = truth_column.map(|c| match stream_cols.iter().position(|x| *x == c) {
            Some(i) => i,
            None => {
                stream_cols.push(c);
                stream_cols.len() - 1
            }
        });
        let col_refs: Vec<&str> = stream_cols.iter().map(String::as_str).collect();
        let chunk_rows = settings.chunk_rows.unwrap_or_else(|| {
            ((budget / 8) / (24 * col_refs.len() as u64 + 16)).clamp(64, 1_000_000) as usize
        });
        let side_files: Vec<usize> = (0..files.tuples[side])
            .map(|p| files.tuple(side, p))
            .chain((0..files.truth).map(|p| files.truth(side, p)))
            .collect();
        let mut state = SideState {
            dicts: (0..k).map(|_| Dict::default()).collect(),
            map: HashMap::new(),
            spilled: false,
            rows: 0,
        };
        let parts_here = files.tuples[side];
        let mut map_bytes = 0u64;
        let mut record: Vec<u8> = Vec::new();
        let mut tuple = vec![0u32; k];
        let rows = stream_table(
            path,
            &col_refs,
            opts,
            missing,
            chunk_rows,
            &mut |event| -> Result<(), EngineError> {
                let (table, first_row) = match event {
                    StreamEvent::Restart => {
                        tracker.sub(map_bytes + state.dicts.iter().map(|d| d.bytes).sum::<u64>());
                        map_bytes = 0;
                        state.dicts = (0..k).map(|_| Dict::default()).collect();
                        state.map = HashMap::new();
                        state.spilled = false;
                        return spill.reset(side_files.iter().copied());
                    }
                    StreamEvent::Chunk { table, first_row } => (table, first_row),
                };
                crate::data::cancel::check().map_err(LinkageError::from)?;
                chunks += 1;
                let chunk_bytes = table_bytes(&table);
                tracker.add(chunk_bytes + 2 * spill.limit);
                let cols = &table.columns;
                // Per quasi-identifier, the chunk's codes as dictionary codes.
                let mut global: Vec<Vec<u32>> = Vec::with_capacity(k);
                for (q, dict) in state.dicts.iter_mut().enumerate() {
                    let c = &cols[q];
                    let mut first = vec![u64::MAX; c.values.len()];
                    for (row, &code) in c.codes.iter().enumerate() {
                        let f = &mut first[code as usize];
                        if *f == u64::MAX {
                            *f = first_row + row as u64;
                        }
                    }
                    let before = dict.bytes;
                    let trans: Vec<u32> = (0..c.values.len())
                        .map(|code| {
                            let value =
                                (!c.is_missing_code(code as u32)).then(|| c.values[code].as_str());
                            dict.code(value, first[code])
                        })
                        .collect();
                    for &code in &c.codes {
                        dict.counts[trans[code as usize] as usize] += 1;
                    }
                    tracker.add(dict.bytes - before);
                    global.push(trans);
                }
                for row in 0..table.n_rows {
                    for (q, slot) in tuple.iter_mut().enumerate() {
                        *slot = global[q][cols[q].codes[row] as usize];
                    }
                    match state.map.get_mut(&tuple[..]) {
                        Some(n) => *n += 1,
                        None => {
                            state.map.insert(tuple.clone().into_boxed_slice(), 1);
                            map_bytes += entry_bytes(k);
                            tracker.add(entry_bytes(k));
                        }
                    }
                    if truth.is_some() {
                        let key: Option<String> = match truth_at {
                            None => Some((first_row + row as u64).to_string()),
                            Some(j) => {
                                let c = &cols[j];
                                let code = c.codes[row];
                                if c.is_missing_code(code) {
                                    None
                                } else {
                                    let v = c.values[code as usize].trim();
                                    match (side, key_map) {
                                        (0, Some(m)) => m.get(v).map(|x| x.trim().to_string()),
                                        _ => Some(v.to_string()),
                                    }
                                }
                            }
                        };
                        // An original without a key is no one's truth.
                        if side == 0 && key.is_none() {
                            continue;
                        }
                        let part = key.as_deref().map_or(0, |key| hash_of(key, files.truth));
                        record.clear();
                        write_value(&mut record, key.as_deref());
                        push_tuple(&mut record, &tuple);
                        spill.push(files.truth(side, part), &record)?;
                    }
                }
                if map_bytes > share {
                    // Hash aggregation with spill: the partial counts go to
                    // the partitions and are summed per partition later.
                    for (t, &n) in &state.map {
                        record.clear();
                        push_tuple(&mut record, t);
                        record.extend_from_slice(&n.to_le_bytes());
                        spill.push(files.tuple(side, hash_of(&t[..], parts_here)), &record)?;
                    }
                    state.map = HashMap::new();
                    state.spilled = true;
                    tracker.sub(map_bytes);
                    map_bytes = 0;
                }
                tracker.sub(chunk_bytes + 2 * spill.limit);
                Ok(())
            },
        )?;
        state.rows = rows;
        if state.spilled {
            for (t, &n) in &state.map {
                record.clear();
                push_tuple(&mut record, t);
                record.extend_from_slice(&n.to_le_bytes());
                spill.push(files.tuple(side, hash_of(&t[..], parts_here)), &record)?;
            }
            state.map = HashMap::new();
            tracker.sub(map_bytes);
        }
        states.push(state);
    }
    spill.flush()?;
    let n_original = states[0].rows;
    let n_release = states[1].rows;

    // Pass 2: the columns matched from their dictionaries.
    let mut column_kinds = Vec::with_capacity(k);
    let mut unmatched = Vec::with_capacity(k);
    // Per column: per original code, the release codes accepting it; per
    // release code, the accepted original codes (sorted) and whether there are any.
    let mut accepting: Vec<Vec<Vec<u32>>> = Vec::with_capacity(k);
    let mut accepted: Vec<Vec<Vec<u32>>> = Vec::with_capacity(k);
    let mut dictionary_bytes: u64 = states
        .iter()
        .flat_map(|s| &s.dicts)
        .map(|d| d.bytes + 16 * d.values.len() as u64)
        .sum();
    let (osource, rsource) = (
        original.display().to_string(),
        release.display().to_string(),
    );
    for (q, (name, _)) in columns.iter().enumerate() {
        let (od, rd) = (&states[0].dicts[q], &states[1].dicts[q]);
        let oc = od.column(name, missing);
        let rc = rd.column(name, missing);
        let m = match_column(
            name,
            &oc,
            &rc,
            hierarchies.get(name),
            kinds.get(name).copied(),
            (&osource, &rsource),
            Some(&DistinctRows {
                first_rows: &od.first_rows,
                original_rows: &od.counts,
                release_rows: &rd.counts,
            }),
        )?;
        unmatched.push(unmatched_column(
            name,
            &rc,
            &rd.counts,
            &m.compatible,
            m.kind.kind,
            hierarchies.contains_key(name),
        ));
        column_kinds.push(m.kind);
        let mut inverse = vec![Vec::new(); oc.values.len()];
        let mut sorted = m.compatible;
        for (r, list) in sorted.iter_mut().enumerate() {
            list.sort_unstable();
            for &o in list.iter() {
                inverse[o as usize].push(r as u32);
            }
        }
        let pairs: usize = sorted.iter().map(Vec::len).sum();
        dictionary_bytes += (16 * pairs + 48 * (sorted.len() + inverse.len())) as u64;
        accepting.push(inverse);
        accepted.push(sorted);
    }
    tracker.add(dictionary_bytes);
    let compatible = |g: &[u32], h: &[u32]| -> bool {
        (0..k).all(|q| accepted[q][g[q] as usize].binary_search(&h[q]).is_ok())
    };

    // Pass 3: the truth key, partition by partition.
    let release_parts = if states[1].spilled {
        files.tuples[1]
    } else {
        1
    };
    if truth.is_some() {
        let mut buf = Vec::new();
        let mut g = vec![0u32; k];
        let mut record = Vec::new();
        for p in 0..files.truth {
            crate::data::cancel::check().map_err(LinkageError::from)?;
            // Original tuples by key.
            let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
            let bytes = 3 * spill.sizes[files.truth(0, p)];
            tracker.add(bytes);
            if let Some(mut r) = spill.reader(files.truth(0, p))? {
                let mut h = vec![0u32; k];
                while let Some(len) = read_u32(&mut r)? {
                    let key = if len == super::link_out_of_core::MISSING {
                        None
                    } else {
                        buf.resize(len as usize, 0);
                        read_exact(&mut r, &mut buf, "a key")?;
                        Some(String::from_utf8_lossy(&buf).into_owned())
                    };
                    for slot in h.iter_mut() {
                        let mut b = [0u8; 4];
                        read_exact(&mut r, &mut b, "a tuple")?;
                        *slot = u32::from_le_bytes(b);
                    }
                    if let Some(key) = key {
                        by_key.entry(key).or_default().extend_from_slice(&h);
                    }
                }
            }
            // Release rows: (tuple, true candidates, resolved) -> rows.
            let mut outcomes: HashMap<(Box<[u32]>, u64, bool), u64> = HashMap::new();
            if let Some(mut r) = spill.reader(files.truth(1, p))? {
                loop {
                    let key = match read_u32(&mut r)? {
                        None => break,
                        Some(super::link_out_of_core::MISSING) => None,
                        Some(len) => {
                            buf.resize(len as usize, 0);
                            read_exact(&mut r, &mut buf, "a key")?;
                            Some(())
                        }
                    };
                    let originals = match key {
                        None => None,
                        Some(()) => by_key.get(String::from_utf8_lossy(&buf).as_ref()),
                    };
                    for slot in g.iter_mut() {
                        let mut b = [0u8; 4];
                        read_exact(&mut r, &mut b, "a tuple")?;
                        *slot = u32::from_le_bytes(b);
                    }
                    let (t, resolved) = match originals {
                        None => (0, false),
                        Some(hs) => (
                            hs.chunks(k).filter(|h| compatible(&g, h)).count() as u64,
                            true,
                        ),
                    };
                    let before = outcomes.len();
                    *outcomes
                        .entry((g.clone().into_boxed_slice(), t, resolved))
                        .or_insert(0) += 1;
                    if outcomes.len() > before {
                        tracker.add(entry_bytes(k) + 16);
                    }
                }
            }
            let outcome_bytes = outcomes.len() as u64 * (entry_bytes(k) + 16);
            for ((t, c, resolved), n) in outcomes {
                record.clear();
                push_tuple(&mut record, &t);
                record.extend_from_slice(&c.to_le_bytes());
                record.push(resolved as u8);
                record.extend_from_slice(&n.to_le_bytes());
                spill.push(files.outcome(hash_of(&t[..], release_parts)), &record)?;
            }
            tracker.sub(outcome_bytes + bytes);
        }
        spill.flush()?;
    }

    // Pass 4: candidates per release block against every original block.
    let mut cells: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    let mut unresolved = 0u64;
    let mut counted = 0u64;
    let mut release_groups = 0u64;
    let mut original_tuples = 0u64;
    let (mut release_blocks, mut block_joins) = (0u64, 0u64);
    // A side kept in memory is read from its map (already tracked).
    let release_in_memory: Vec<Counted> = std::mem::take(&mut states[1].map).into_iter().collect();
    let original_in_memory: Vec<Counted> = std::mem::take(&mut states[0].map).into_iter().collect();
    let (release_spilled, original_spilled) = (states[1].spilled, states[0].spilled);
    let release_list = blocks(&spill, &files, 1, release_spilled, share, k);
    let original_list = blocks(&spill, &files, 0, original_spilled, share, k);
    let mut first_release_block = true;
    for rparts in &release_list {
        crate::data::cancel::check().map_err(LinkageError::from)?;
        release_blocks += 1;
        let (rel, rel_bytes) = load_block(
            &spill,
            &files,
            1,
            rparts,
            k,
            release_spilled,
            &release_in_memory,
        )?;
        let rel: &[Counted] = &rel;
        tracker.add(rel_bytes);
        release_groups += rel.len() as u64;
        let mut cand = vec![0u64; rel.len()];
        // Per column, the bitset slot of each release code of the block.
        let mut slots: Vec<Vec<u32>> = (0..k).map(|q| vec![u32::MAX; accepted[q].len()]).collect();
        let mut n_slots = vec![0u32; k];
        for (t, _) in rel {
            for q in 0..k {
                let s = &mut slots[q][t[q] as usize];
                if *s == u32::MAX {
                    *s = n_slots[q];
                    n_slots[q] += 1;
                }
            }
        }
        // Release tuples some value of which accepts nothing have no candidate.
        let live: Vec<usize> = (0..rel.len())
            .filter(|&i| (0..k).all(|q| !accepted[q][rel[i].0[q] as usize].is_empty()))
            .collect();
        let total_slots: u64 = n_slots.iter().map(|&n| n as u64).sum::<u64>().max(1);
        // Original tuples per sub-block: their bitsets within a share.
        let sub_tuples = ((share * 8 / total_slots) / 64 * 64).max(64) as usize;
        for oparts in &original_list {
            block_joins += 1;
            let (orig, orig_bytes) = load_block(
                &spill,
                &files,
                0,
                oparts,
                k,
                original_spilled,
                &original_in_memory,
            )?;
            let orig: &[Counted] = &orig;
            tracker.add(orig_bytes);
            if first_release_block {
                original_tuples += orig.len() as u64;
            }
            for sub in orig.chunks(sub_tuples) {
                let words = sub.len().div_ceil(64);
                let mut bits: Vec<Vec<u64>> = n_slots
                    .iter()
                    .map(|&n| vec![0u64; n as usize * words])
                    .collect();
                let bits_bytes = total_slots * words as u64 * 8;
                tracker.add(bits_bytes);
                for (i, (h, _)) in sub.iter().enumerate() {
                    for q in 0..k {
                        for &r in &accepting[q][h[q] as usize] {
                            let s = slots[q][r as usize];
                            if s != u32::MAX {
                                bits[q][s as usize * words + i / 64] |= 1 << (i % 64);
                            }
                        }
                    }
                }
                let counts: Vec<u64> = sub.iter().map(|(_, n)| *n).collect();
                let sums: Vec<u64> = live
                    .par_iter()
                    .map(|&i| {
                        let t = &rel[i].0;
                        let rows: Vec<&[u64]> = (0..k)
                            .map(|q| {
                                let s = slots[q][t[q] as usize] as usize;
                                &bits[q][s * words..(s + 1) * words]
                            })
                            .collect();
                        let mut sum = 0u64;
                        for w in 0..words {
                            let mut x = u64::MAX;
                            for r in &rows {
                                x &= r[w];
                                if x == 0 {
                                    break;
                                }
                            }
                            while x != 0 {
                                sum += counts[w * 64 + x.trailing_zeros() as usize];
                                x &= x - 1;
                            }
                        }
                        sum
                    })
                    .collect();
                for (&i, s) in live.iter().zip(sums) {
                    cand[i] += s;
                }
                tracker.sub(bits_bytes);
            }
            tracker.sub(orig_bytes);
        }
        first_release_block = false;
        // The block's cells.
        if truth.is_some() {
            let index: HashMap<&[u32], usize> = rel
                .iter()
                .enumerate()
                .map(|(i, (t, _))| (&t[..], i))
                .collect();
            let index_bytes = rel.len() as u64 * 32;
            tracker.add(index_bytes);
            let mut g = vec![0u32; k];
            // Unspilled, the outcomes are all in partition 0.
            let outcome_parts: &[usize] = if release_spilled { rparts } else { &[0] };
            for &p in outcome_parts {
                let Some(mut r) = spill.reader(files.outcome(p))? else {
                    continue;
                };
                while read_tuple(&mut r, &mut g)? {
                    let t = read_u64(&mut r)?;
                    let mut b = [0u8; 1];
                    read_exact(&mut r, &mut b, "a flag")?;
                    let n = read_u64(&mut r)?;
                    let i = *index.get(&g[..]).ok_or_else(|| {
                        EngineError::Spill(
                            "a release tuple of the truth join is in no block (internal)".into(),
                        )
                    })?;
                    *cells.entry((cand[i], t)).or_insert(0) += n;
                    counted += n;
                    if b[0] == 0 {
                        unresolved += n;
                    }
                }
            }
            tracker.sub(index_bytes);
        } else {
            for ((_, n), &c) in rel.iter().zip(&cand) {
                *cells.entry((c, 0)).or_insert(0) += n;
                counted += n;
            }
        }
        tracker.sub(rel_bytes);
    }
    if release_list.is_empty() {
        // No release block read: still count the original tuples.
        original_tuples = if original_spilled {
            let mut n = 0;
            for oparts in &original_list {
                n += load_tuples(&spill, &files, 0, oparts, k)?.len() as u64;
            }
            n
        } else {
            original_in_memory.len() as u64
        };
    }
    if counted != n_release {
        return Err(EngineError::Spill(format!(
            "{counted} release rows counted but {n_release} read (internal)"
        )));
    }
    let summary = QiJoinSummary::of(&cells, truth.map(|_| unresolved));
    let result = QiJoinResult {
        quasi_identifiers: columns.iter().map(|(r, _)| r.clone()).collect(),
        release_groups: release_groups as usize,
        column_kinds,
        unmatched_by_column: unmatched,
        ..summary.result(n_original as usize, n_release as usize)
    };
    let peak_resident_bytes = memory::peak_resident_bytes();
    let out = QiJoinOutOfCoreSummary {
        memory_budget_bytes: budget,
        chunks,
        original_tuples,
        original_partitions: if original_spilled { files.tuples[0] } else { 0 },
        release_partitions: if release_spilled { files.tuples[1] } else { 0 },
        truth_partitions: files.truth,
        release_blocks,
        block_joins,
        spill_files: spill.sizes.iter().filter(|&&s| s > 0).count() as u64,
        spilled_bytes: spill.sizes.iter().sum(),
        dictionary_bytes,
        peak_tracked_bytes: tracker.peak,
        peak_resident_bytes,
        budget_exceeded: tracker.peak > budget || peak_resident_bytes.is_some_and(|r| r > budget),
    };
    Ok((result, out))
}

/// The blocks of side `side`'s tuples: consecutive spill partitions whose
/// files together stay within `share` (at least one each), or one block
/// (the map in memory) when the side was not spilled.
fn blocks(
    spill: &Spill,
    files: &Files,
    side: usize,
    spilled: bool,
    share: u64,
    k: usize,
) -> Vec<Vec<usize>> {
    if !spilled {
        return vec![Vec::new()];
    }
    // A spilled record is 4k + 8 bytes; in memory a tuple takes entry_bytes.
    let scale = |bytes: u64| bytes / (4 * k as u64 + 8) * entry_bytes(k);
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    let mut bytes = 0u64;
    for p in 0..files.tuples[side] {
        let size = scale(spill.sizes[files.tuple(side, p)]);
        if size == 0 {
            continue;
        }
        if !current.is_empty() && bytes + size > share {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(p);
        bytes += size;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// One block of a side's tuples: loaded from its spill partitions `parts`
/// when the side spilled (with the bytes it holds, for the tracker), else
/// the side's tuples kept in memory (0 bytes more).
fn load_block<'a>(
    spill: &Spill,
    files: &Files,
    side: usize,
    parts: &[usize],
    k: usize,
    spilled: bool,
    in_memory: &'a [Counted],
) -> Result<(std::borrow::Cow<'a, [Counted]>, u64), EngineError> {
    if !spilled {
        return Ok((std::borrow::Cow::Borrowed(in_memory), 0));
    }
    let loaded = load_tuples(spill, files, side, parts, k)?;
    let bytes = loaded.len() as u64 * entry_bytes(k);
    Ok((std::borrow::Cow::Owned(loaded), bytes))
}

/// The tuples of partitions `parts` of side `side`, their partial counts summed.
fn load_tuples(
    spill: &Spill,
    files: &Files,
    side: usize,
    parts: &[usize],
    k: usize,
) -> Result<Vec<Counted>, EngineError> {
    let mut map: HashMap<Box<[u32]>, u64> = HashMap::new();
    let mut t = vec![0u32; k];
    for &p in parts {
        let Some(mut r) = spill.reader(files.tuple(side, p))? else {
            continue;
        };
        while read_tuple(&mut r, &mut t)? {
            let n = read_u64(&mut r)?;
            match map.get_mut(&t[..]) {
                Some(x) => *x += n,
                None => {
                    map.insert(t.clone().into_boxed_slice(), n);
                }
            }
        }
    }
    Ok(map.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dictionary keeps values in order of first row, missing apart.
    #[test]
    fn dictionary_codes_in_order_of_first_row() {
        let mut d = Dict::default();
        assert_eq!(d.code(Some("b"), 0), 0);
        assert_eq!(d.code(None, 1), 1);
        assert_eq!(d.code(Some("a"), 2), 2);
        assert_eq!(d.code(Some("b"), 3), 0);
        assert_eq!(d.first_rows, vec![0, 1, 2]);
        let c = d.column("x", &MissingPolicy::default());
        assert_eq!(c.codes, vec![0, 1, 2]);
        assert!(c.is_missing_code(1) && !c.is_missing_code(0));
    }
}
