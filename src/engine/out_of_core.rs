//! Out of core on one machine: the equivalence-class groups of a file that
//! does not fit in memory, under a memory budget, spilling hash partitions
//! to a temporary folder.
//!
//! **How.** The file is read in chunks ([`crate::data::stream_table`]: CSV,
//! NDJSON, Parquet by row group), never whole. Every chunk's rows are added
//! to one running partial: the groups of rows sharing every
//! quasi-identifier (QI) and sensitive value, keyed by the values' codes in
//! per-column dictionaries that grow as new values are met (the same
//! groups as a [`ClassPartial`](super::ClassPartial): row count, first row,
//! and row ids while the group is smaller than the target k). Its memory is
//! tracked (an estimate from the hash table's capacity, the keys, the row
//! lists, the dictionaries, the chunk being added and the write buffers;
//! reported as `peak_tracked_bytes`); when it would exceed its share of the
//! budget (60%, the rest for what the tracking does not see) the groups
//! are written to `P` partition files chosen by a hash of the QI codes
//! (a column's suppression tokens alike), so every equivalence class lies
//! wholly in one partition, and the partial starts again empty.
//!
//! **Per partition, exact.** At the end each partition file is read back,
//! merged and evaluated alone (split again by a second hash when its groups
//! would take more than half the tracked budget): its classes are built
//! with the whole input's dictionaries, renumbered in order of first
//! appearance as a one-pass read numbers them, and the whole input's
//! overall sensitive distribution (counted from the groups as they are
//! spilled), and [`PartitionedMetrics`] combines them exactly (see
//! [`crate::privacy::partitioned`]): tests compare whole reports with the
//! in-memory ones. The worst classes' numbers are counted from each
//! partition's class keys, kept in files beside the partitions.
//!
//! **Not here.** A subject column and a population table need the rows and
//! are refused by the caller. The hidden quasi-identifier check and the
//! direct-identifier scan run out of core in [`super::scan_out_of_core`]. The
//! resident memory is measured (`peak_rss_bytes`, Linux) but not bounded:
//! the program, the reader's buffers and the allocator's free lists come
//! on top of the tracked state. The folder is removed at the end, also on
//! error (not when the process is killed).

use std::collections::HashMap;

use polars::prelude::PlHashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::partial::{check_params, classes_of_groups};
use super::{EngineError, Group};
use crate::data::{
    is_suppressed_token, stream_table_reusing, CategoricalColumn, CodeBuffers, DataError,
    EncodedTable, MissingPolicy, ReadOptions, StreamEvent,
};
use crate::privacy::{
    self, MetricsParams, MetricsReport, OutOfCoreSummary, PartitionedMetrics, PrivacyError,
    SuppressedRows,
};

/// Partition files written at each spill (a class lies wholly in one).
pub const DEFAULT_PARTITIONS: usize = 16;

/// Bytes of each partition file's write buffer.
const WRITE_BUFFER: usize = 64 << 10;

/// A memory budget in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget(pub u64);

impl MemoryBudget {
    /// Parses a size: a whole or decimal number followed by an optional
    /// unit `K`, `M`, `G` or `T` (powers of 1024; `KB`, `MiB`, `gb` ... are
    /// the same), e.g. `4G`, `512M`, `1.5G`, `65536`. At least 1 byte.
    pub fn parse(text: &str) -> Result<Self, EngineError> {
        let bad = || EngineError::BadBudget(text.to_string());
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let unit = unit.trim().to_ascii_lowercase();
        let shift = match unit.as_str() {
            "" | "b" => 0,
            "k" | "kb" | "kib" => 10,
            "m" | "mb" | "mib" => 20,
            "g" | "gb" | "gib" => 30,
            "t" | "tb" | "tib" => 40,
            _ => return Err(bad()),
        };
        let value: f64 = number.parse().map_err(|_| bad())?;
        let bytes = value * (1u64 << shift) as f64;
        if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
            return Err(bad());
        }
        Ok(MemoryBudget(bytes as u64))
    }
}

/// Settings of an out-of-core run.
#[derive(Debug, Clone)]
pub struct OutOfCore {
    /// The memory budget for the tracked state.
    pub budget: MemoryBudget,
    /// Where the spill folder is created (the system's temporary folder
    /// when `None`); never next to the input unless named here.
    pub temp_dir: Option<PathBuf>,
    /// Partition files per spill ([`DEFAULT_PARTITIONS`]).
    pub partitions: usize,
    /// Rows per chunk; `None` derives it from the budget (an eighth of it
    /// for the chunk's codes, between 1,000 and 1,000,000 rows).
    pub chunk_rows: Option<usize>,
}

impl OutOfCore {
    /// Settings with `budget` and the defaults.
    pub fn new(budget: MemoryBudget) -> Self {
        OutOfCore {
            budget,
            temp_dir: None,
            partitions: DEFAULT_PARTITIONS,
            chunk_rows: None,
        }
    }
}

/// Progress of a run, handed to the caller's callback after every chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Rows read so far.
    pub rows: u64,
    /// Chunks read so far.
    pub chunks: u64,
    /// Spills so far.
    pub spills: u64,
    /// Tracked bytes now.
    pub tracked_bytes: u64,
}

/// The spill folder: created empty, removed with everything in it when
/// dropped (also when the run fails).
pub(super) struct SpillDir {
    pub(super) path: PathBuf,
}

impl SpillDir {
    /// A new folder under `root`, or the system's temporary folder.
    pub(super) fn create_in(root: Option<&Path>) -> Result<Self, EngineError> {
        match root {
            Some(r) => Self::create(r),
            None => Self::create(&std::env::temp_dir()),
        }
    }

    /// The path of partition file `p`.
    pub(super) fn file(&self, p: usize) -> PathBuf {
        self.path.join(format!("part-{p}.bin"))
    }

    fn create(root: &Path) -> Result<Self, EngineError> {
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut last = None;
        for attempt in 0..100u32 {
            let path = root.join(format!("reident-spill-{pid}-{nanos}-{attempt}"));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(SpillDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(io_error(&path, "create the spill folder", e)),
            }
        }
        Err(io_error(
            root,
            "create a spill folder",
            last.unwrap_or_else(|| std::io::Error::other("no free name")),
        ))
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> EngineError {
    EngineError::Spill(format!("{}: could not {what}: {e}", path.display()))
}

/// One column's values met so far: value -> code (in order met), and each
/// value's first row in the input.
#[derive(Default)]
struct Dictionary {
    codes: HashMap<String, u32>,
    values: Vec<String>,
    first_row: Vec<u64>,
    /// Whether each value is a suppression token (all of a column's
    /// tokens are one value).
    suppressed: Vec<bool>,
    bytes: u64,
}

impl Dictionary {
    /// The code of `value`, new codes in the order met; `row` is a row
    /// holding it, and the value's first row is the smallest seen (groups
    /// from Spark arrive in any order; a chunk's rows in input order).
    fn code(&mut self, value: &str, row: u64) -> u32 {
        if let Some(&c) = self.codes.get(value) {
            let first = &mut self.first_row[c as usize];
            *first = (*first).min(row);
            return c;
        }
        let c = self.values.len() as u32;
        self.codes.insert(value.to_string(), c);
        self.values.push(value.to_string());
        self.first_row.push(row);
        self.suppressed.push(is_suppressed_token(value));
        // Two strings (map key and list), a map slot, the first row and
        // the flag.
        self.bytes += 2 * (24 + round8(value.len()) + 16) + 8 + 8 + 8 + 1;
        c
    }
}

fn round8(n: usize) -> u64 {
    n.div_ceil(8) as u64 * 8
}

/// Groups keyed by their codes (polars' hasher: the keys are a few small
/// integers, SipHash cost a tenth of a streaming run).
type GroupMap = PlHashMap<Box<[u32]>, Group>;

/// The running partial: groups keyed by their codes.
struct Running {
    groups: GroupMap,
    /// Heap bytes of the keys and row lists (the table's slots are
    /// counted from its capacity).
    heap_bytes: u64,
    key_bytes: u64,
}

impl Running {
    fn new(n_columns: usize) -> Self {
        Running {
            groups: GroupMap::default(),
            heap_bytes: 0,
            // The boxed key's heap block, with the allocator's header.
            key_bytes: round8(4 * n_columns) + 16,
        }
    }

    /// Slot bytes (key pointer, group, control byte) times the capacity,
    /// plus the keys' and row lists' heap.
    fn bytes(&self) -> u64 {
        self.groups.capacity() as u64 * Self::slot_bytes() + self.heap_bytes
    }

    /// Bytes of one hash-table slot: key pointer, group, control byte.
    fn slot_bytes() -> u64 {
        (std::mem::size_of::<(Box<[u32]>, Group)>() + 1) as u64
    }

    /// Merges a group read back from a spill file.
    fn merge(&mut self, key: Box<[u32]>, g: Group, target_k: u64) {
        if let Some(g) = self.merge_existing(&key, g, target_k) {
            self.heap_bytes += self.key_bytes + rows_bytes(&g);
            self.groups.insert(key, g);
        }
    }

    /// Adds a group of the chunk whose row 0 is input row `chunk_start`:
    /// the key is copied only when the group is new. The running groups
    /// hold rows of earlier chunks only, so the row ids stay ascending.
    fn add(&mut self, key: &[u32], g: &ChunkGroup, chunk_start: u64, target_k: u64) {
        let first = chunk_start + g.row as u64;
        let with_rows = |mut rows: Vec<u64>| {
            rows.push(first);
            rows.extend_from_slice(&g.more_rows);
            rows
        };
        if let Some(mine) = self.groups.get_mut(key) {
            let before = rows_bytes(mine);
            mine.count += g.count;
            mine.rows = match mine.rows.take() {
                Some(rows) if mine.count < target_k => Some(with_rows(rows)),
                _ => None,
            };
            self.heap_bytes = self.heap_bytes - before + rows_bytes(mine);
        } else {
            let group = Group {
                count: g.count,
                first_row: first,
                rows: (g.count < target_k)
                    .then(|| with_rows(Vec::with_capacity(1 + g.more_rows.len()))),
            };
            self.heap_bytes += self.key_bytes + rows_bytes(&group);
            self.groups.insert(key.into(), group);
        }
    }

    /// Merges `g` into the group of `key` if there is one; else hands `g`
    /// back.
    fn merge_existing(&mut self, key: &[u32], g: Group, target_k: u64) -> Option<Group> {
        let Some(mine) = self.groups.get_mut(key) else {
            return Some(g);
        };
        let before = rows_bytes(mine);
        merge_group(mine, g, target_k);
        self.heap_bytes = self.heap_bytes - before + rows_bytes(mine);
        None
    }
}

/// Adds `g`'s rows to `mine` (the same combination of values): counts
/// summed, the first row the smaller, the row ids kept (ascending) while
/// the sum is below `target_k`.
fn merge_group(mine: &mut Group, g: Group, target_k: u64) {
    mine.count += g.count;
    mine.first_row = mine.first_row.min(g.first_row);
    mine.rows = match (mine.rows.take(), g.rows) {
        (Some(mut a), Some(b)) if mine.count < target_k => {
            a.extend(b);
            a.sort_unstable();
            Some(a)
        }
        _ => None,
    };
}

/// One group of a chunk: rows with equal codes in every column.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChunkGroup {
    /// Its first row, counted from the chunk's row 0.
    row: usize,
    /// Its rows.
    count: u64,
    /// Its other rows (input row ids, ascending) while `count` is below
    /// the target k; empty from there on.
    more_rows: Vec<u64>,
}

/// The groups of one chunk whose row 0 is input row `chunk_start`, in
/// order of their first rows. Adding these to the running groups gives what
/// adding the rows one by one gives, with one running-table lookup per
/// distinct combination of the chunk instead of one per row (a million-row
/// chunk of the Adult replica holds about 60,000 combinations); the rows
/// are numbered by a mixed-radix key of their chunk codes in a hash table
/// of integers. When the product of the chunk's cardinalities does not fit
/// in 64 bits, every row is a group of its own.
fn chunk_groups(
    columns: &[&CategoricalColumn],
    chunk_start: u64,
    target_k: u64,
) -> Vec<ChunkGroup> {
    let n = columns.first().map_or(0, |c| c.codes.len());
    let single = |row: usize| ChunkGroup {
        row,
        count: 1,
        more_rows: Vec::new(),
    };
    let mut multipliers = Vec::with_capacity(columns.len());
    let mut product: Option<u64> = Some(1);
    for col in columns {
        multipliers.push(product.unwrap_or(0));
        product = product.and_then(|p| p.checked_mul(col.values.len().max(1) as u64));
    }
    if product.is_none() {
        return (0..n).map(single).collect();
    }
    // The keys column by column (a loop the compiler vectorizes), then one
    // hash lookup per row.
    let mut keys = vec![0u64; n];
    for (col, &m) in columns.iter().zip(&multipliers) {
        for (key, &code) in keys.iter_mut().zip(&col.codes) {
            *key += code as u64 * m;
        }
    }
    let mut local: PlHashMap<u64, u32> = PlHashMap::default();
    let mut groups: Vec<ChunkGroup> = Vec::new();
    // The counts apart from the groups: a row of a known group touches 4
    // bytes here instead of its 40-byte group (a cache miss per row when a
    // chunk has tens of thousands of groups); the group itself only while
    // it is below k.
    let mut counts: Vec<u32> = Vec::new();
    let below = u32::try_from(target_k).unwrap_or(u32::MAX);
    for (r, &key) in keys.iter().enumerate() {
        let next = counts.len() as u32;
        let id = *local.entry(key).or_insert(next);
        if id == next {
            counts.push(1);
            groups.push(single(r));
        } else {
            let count = &mut counts[id as usize];
            *count += 1;
            if *count < below {
                groups[id as usize].more_rows.push(chunk_start + r as u64);
            } else if *count == below {
                groups[id as usize].more_rows = Vec::new();
            }
        }
    }
    for (group, &count) in groups.iter_mut().zip(&counts) {
        group.count = u64::from(count);
    }
    groups
}

fn rows_bytes(g: &Group) -> u64 {
    g.rows.as_ref().map_or(0, |r| {
        if r.capacity() == 0 {
            0
        } else {
            8 * r.capacity() as u64 + 16
        }
    })
}

/// The memory the run tracks, and its peak.
#[derive(Debug, Default, Clone, Copy)]
struct Tracked {
    peak: u64,
}

impl Tracked {
    fn note(&mut self, bytes: u64) {
        self.peak = self.peak.max(bytes);
    }
}

/// The whole input's dictionaries, numbered in order of first appearance
/// (as a one-pass read numbers them), and the overall sensitive counts.
struct Global {
    /// Per column: running code -> global code.
    new_code: Vec<Vec<u32>>,
    /// Per column: the values by global code.
    values: Vec<Vec<String>>,
    /// Per column: whether each global code is a suppression token.
    suppressed: Vec<Vec<bool>>,
    /// Per sensitive column, by global code: rows in classes.
    overall: Vec<Vec<u64>>,
    /// Per sensitive column, by global code: the first row in classes.
    overall_first: Vec<Vec<u64>>,
}

/// Where each partition's class keys go until the worst classes' numbers
/// are counted: memory for a single partition, files in the spill folder
/// otherwise (8 bytes per class).
enum KeySink {
    Memory(Vec<Vec<u64>>),
    Files(Vec<PathBuf>),
}

impl KeySink {
    fn bytes(&self) -> u64 {
        match self {
            KeySink::Memory(v) => v.iter().map(|k| 8 * k.capacity() as u64).sum(),
            KeySink::Files(_) => 0,
        }
    }

    /// For each of `candidates` (ascending), the number of keys smaller.
    fn ranks(&self, candidates: &[u64]) -> Result<HashMap<u64, u64>, EngineError> {
        let mut below = vec![0u64; candidates.len() + 1];
        let mut count = |k: u64| {
            // every candidate greater than k has k below it
            let first_greater = candidates.partition_point(|&c| c <= k);
            below[first_greater] += 1;
        };
        match self {
            KeySink::Memory(parts) => parts.iter().flatten().for_each(|&k| count(k)),
            KeySink::Files(paths) => {
                for path in paths {
                    let file =
                        File::open(path).map_err(|e| io_error(path, "read a class-key file", e))?;
                    let mut reader = BufReader::with_capacity(WRITE_BUFFER, file);
                    let mut b = [0u8; 8];
                    loop {
                        match reader.read_exact(&mut b) {
                            Ok(()) => count(u64::from_le_bytes(b)),
                            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                            Err(e) => return Err(io_error(path, "read a class-key file", e)),
                        }
                    }
                }
            }
        }
        let mut ranks = HashMap::with_capacity(candidates.len());
        let mut running = 0u64;
        for (i, &c) in candidates.iter().enumerate() {
            running += below[i];
            ranks.insert(c, running);
        }
        Ok(ranks)
    }
}

/// Everything one run holds.
struct Run<'a> {
    settings: &'a OutOfCore,
    names: Vec<String>,
    n_qis: usize,
    target_k: u64,
    exclude_suppressed: bool,
    dictionaries: Vec<Dictionary>,
    /// Per sensitive column, by running code: rows in classes, and the
    /// first of them (counted from the groups as they are spilled or, at
    /// the end, evaluated; every row is counted once).
    overall: Vec<Vec<u64>>,
    overall_first: Vec<Vec<u64>>,
    running: Running,
    tracked: Tracked,
    spill: Option<(SpillDir, Vec<BufWriter<File>>)>,
    spills: u64,
    spilled_bytes: u64,
    rows: u64,
    chunks: u64,
}

impl<'a> Run<'a> {
    /// A run over `params`' columns (the quasi-identifiers, then the
    /// sensitive attributes), once the parameters are checked.
    fn for_params(settings: &'a OutOfCore, params: &MetricsParams) -> Result<Self, EngineError> {
        check_params(
            &params.quasi_identifiers,
            &params.sensitive,
            params.target_k,
            params,
        )?;
        let names: Vec<String> = params
            .quasi_identifiers
            .iter()
            .chain(&params.sensitive)
            .cloned()
            .collect();
        Ok(Run::new(
            settings,
            names,
            params.quasi_identifiers.len(),
            params.target_k,
            params.suppressed_rows == SuppressedRows::Exclude,
        ))
    }

    fn new(
        settings: &'a OutOfCore,
        names: Vec<String>,
        n_qis: usize,
        target_k: u64,
        exclude_suppressed: bool,
    ) -> Self {
        let n = names.len();
        Run {
            settings,
            exclude_suppressed,
            overall: vec![Vec::new(); n - n_qis],
            overall_first: vec![Vec::new(); n - n_qis],
            dictionaries: (0..n).map(|_| Dictionary::default()).collect(),
            running: Running::new(n),
            names,
            n_qis,
            target_k,
            tracked: Tracked::default(),
            spill: None,
            spills: 0,
            spilled_bytes: 0,
            rows: 0,
            chunks: 0,
        }
    }

    fn reset(&mut self) {
        let n = self.names.len();
        self.dictionaries = (0..n).map(|_| Dictionary::default()).collect();
        self.overall = vec![Vec::new(); n - self.n_qis];
        self.overall_first = vec![Vec::new(); n - self.n_qis];
        self.running = Running::new(n);
        self.spill = None;
        self.spills = 0;
        self.spilled_bytes = 0;
        self.rows = 0;
        self.chunks = 0;
    }

    fn dictionary_bytes(&self) -> u64 {
        self.dictionaries.iter().map(|d| d.bytes).sum::<u64>()
            + 16 * self.overall.iter().map(Vec::len).sum::<usize>() as u64
    }

    /// Counts group `g`'s rows in the overall sensitive distributions
    /// (unless its quasi-identifiers are all suppressed and such rows are
    /// excluded).
    fn note_overall(&mut self, key: &[u32], g: &Group) {
        let n_qis = self.n_qis;
        let fully_suppressed = key[..n_qis]
            .iter()
            .zip(&self.dictionaries)
            .all(|(&c, d)| d.suppressed.get(c as usize).copied().unwrap_or(false));
        if self.exclude_suppressed && fully_suppressed {
            return;
        }
        for (j, &code) in key[n_qis..].iter().enumerate() {
            let c = code as usize;
            let (overall, first) = (&mut self.overall[j], &mut self.overall_first[j]);
            if overall.len() <= c {
                overall.resize(c + 1, 0);
                first.resize(c + 1, u64::MAX);
            }
            overall[c] += g.count;
            first[c] = first[c].min(g.first_row);
        }
    }

    /// The dictionaries renumbered in order of first appearance, and the
    /// overall counts in those codes.
    fn global(&mut self) -> Global {
        let dictionaries = std::mem::take(&mut self.dictionaries);
        let mut global = Global {
            new_code: Vec::new(),
            values: Vec::new(),
            suppressed: Vec::new(),
            overall: Vec::new(),
            overall_first: Vec::new(),
        };
        for (j, dict) in dictionaries.into_iter().enumerate() {
            let mut order: Vec<u32> = (0..dict.values.len() as u32).collect();
            order.sort_unstable_by_key(|&c| dict.first_row[c as usize]);
            let mut new_code = vec![0u32; order.len()];
            for (new, &old) in order.iter().enumerate() {
                new_code[old as usize] = new as u32;
            }
            let mut values = dict.values;
            let values: Vec<String> = order
                .iter()
                .map(|&old| std::mem::take(&mut values[old as usize]))
                .collect();
            global.suppressed.push(
                order
                    .iter()
                    .map(|&old| dict.suppressed[old as usize])
                    .collect(),
            );
            if j >= self.n_qis {
                let sa = j - self.n_qis;
                let mut overall = vec![0u64; order.len()];
                let mut first = vec![u64::MAX; order.len()];
                for (old, (&count, &f)) in self.overall[sa]
                    .iter()
                    .zip(&self.overall_first[sa])
                    .enumerate()
                {
                    overall[new_code[old] as usize] = count;
                    first[new_code[old] as usize] = f;
                }
                global.overall.push(overall);
                global.overall_first.push(first);
            }
            global.values.push(values);
            global.new_code.push(new_code);
        }
        global
    }

    fn buffer_bytes(&self) -> u64 {
        self.spill
            .as_ref()
            .map_or(0, |(_, w)| (w.len() * WRITE_BUFFER) as u64)
    }

    fn partition_of(&self, key: &[u32]) -> usize {
        // FNV-1a (Fowler, Noll and Vo) over the quasi-identifier codes
        // only: the rows of one class share them, so a class lies wholly
        // in one partition.
        // A column's suppression tokens are one value, so they hash alike.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (&code, dict) in key[..self.n_qis].iter().zip(&self.dictionaries) {
            let c = if dict.suppressed.get(code as usize).copied().unwrap_or(false) {
                u32::MAX
            } else {
                code
            };
            for b in c.to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        (h % self.settings.partitions.max(1) as u64) as usize
    }

    /// Adds one chunk's rows.
    fn add_chunk(&mut self, table: &EncodedTable, first_row: u64) -> Result<(), EngineError> {
        let columns = self
            .names
            .iter()
            .map(|name| {
                table.column(name).ok_or_else(|| {
                    EngineError::Unsupported(format!(
                        "{}: the chunk has no column `{name}`",
                        table.source
                    ))
                })
            })
            .collect::<Result<Vec<&CategoricalColumn>, _>>()?;
        let groups = chunk_groups(&columns, first_row, self.target_k);
        // Chunk code -> running code, per column; a value new to the run
        // gets its first row in the chunk: the first row of the first group
        // holding it (the groups come in order of their first rows).
        let mut maps: Vec<Vec<u32>> = Vec::with_capacity(columns.len());
        for (col, dict) in columns.iter().zip(self.dictionaries.iter_mut()) {
            let mut first = vec![u64::MAX; col.values.len()];
            for group in &groups {
                let slot = &mut first[col.codes[group.row] as usize];
                if *slot == u64::MAX {
                    *slot = first_row + group.row as u64;
                }
            }
            maps.push(
                col.values
                    .iter()
                    .zip(&first)
                    .map(|(v, &f)| dict.code(v, f))
                    .collect(),
            );
        }
        // The chunk's codes and its rows' group keys.
        let chunk_bytes = (table.n_rows * (columns.len() + 2) * 4) as u64;
        let mut key = vec![0u32; columns.len()];
        for (merged, group) in groups.iter().enumerate() {
            for ((k, col), map) in key.iter_mut().zip(&columns).zip(&maps) {
                *k = map[col.codes[group.row] as usize];
            }
            self.add_group(&key, group, first_row, chunk_bytes, merged % 1024 == 1023)?;
        }
        self.check_budget(chunk_bytes)?;
        self.rows += table.n_rows as u64;
        self.chunks += 1;
        Ok(())
    }

    /// Merges one group of a chunk into the running groups, spilling them
    /// first when a full hash table's growth would pass the budget, and
    /// after the merge when `check` and the tracked bytes are above it.
    fn add_group(
        &mut self,
        key: &[u32],
        group: &ChunkGroup,
        chunk_start: u64,
        chunk_bytes: u64,
        check: bool,
    ) -> Result<(), EngineError> {
        self.make_room(chunk_bytes)?;
        self.running.add(key, group, chunk_start, self.target_k);
        if check {
            self.check_budget(chunk_bytes)?;
        }
        Ok(())
    }

    /// Merges one weighted group (its rows anywhere in the input) into the
    /// running groups, with the spills of [`add_group`](Self::add_group).
    fn add_weighted(&mut self, key: &[u32], group: Group, check: bool) -> Result<(), EngineError> {
        self.make_room(0)?;
        self.running.merge(key.into(), group, self.target_k);
        if check {
            self.check_budget(0)?;
        }
        Ok(())
    }

    /// A full hash table doubles on its next new key, holding the old and
    /// the new slots at once: spills first when that transient would pass
    /// the budget.
    fn make_room(&mut self, chunk_bytes: u64) -> Result<(), EngineError> {
        let groups = &self.running.groups;
        if groups.len() >= MIN_GROUPS_TO_SPILL && groups.len() == groups.capacity() {
            let now =
                self.running.bytes() + self.dictionary_bytes() + chunk_bytes + self.buffer_bytes();
            let grown = now + 2 * (groups.capacity() as u64 + 1) * Running::slot_bytes();
            if grown > tracked_budget(self.settings.budget) {
                self.spill_running()?;
            } else {
                self.tracked.note(grown);
            }
        }
        Ok(())
    }

    /// Spills when the tracked bytes are above the budget, else notes them.
    fn check_budget(&mut self, chunk_bytes: u64) -> Result<(), EngineError> {
        let now =
            self.running.bytes() + self.dictionary_bytes() + chunk_bytes + self.buffer_bytes();
        if now > tracked_budget(self.settings.budget) && !self.running.groups.is_empty() {
            self.spill_running()?;
        } else {
            self.tracked.note(now);
        }
        Ok(())
    }

    /// Writes the running groups to the partition files and empties them.
    fn spill_running(&mut self) -> Result<(), EngineError> {
        if self.spill.is_none() {
            let root = match &self.settings.temp_dir {
                Some(d) => d.clone(),
                None => std::env::temp_dir(),
            };
            let dir = SpillDir::create(&root)?;
            let mut writers = Vec::with_capacity(self.settings.partitions);
            for p in 0..self.settings.partitions.max(1) {
                let path = dir.path.join(format!("part-{p}.bin"));
                let file =
                    File::create(&path).map_err(|e| io_error(&path, "create a spill file", e))?;
                writers.push(BufWriter::with_capacity(WRITE_BUFFER, file));
            }
            self.spill = Some((dir, writers));
        }
        let groups = std::mem::take(&mut self.running.groups);
        // The next running table starts at the size this one reached, so
        // it does not grow again by doubling (each old array left behind
        // as free heap the allocator rarely returns).
        let capacity = groups.capacity();
        self.running = Running::new(self.names.len());
        let parts: Vec<usize> = groups.keys().map(|k| self.partition_of(k)).collect();
        for (key, g) in &groups {
            self.note_overall(key, g);
        }
        let Some((dir, writers)) = self.spill.as_mut() else {
            return Err(EngineError::Spill("the spill folder vanished".into()));
        };
        let mut written = 0u64;
        for ((key, g), p) in groups.into_iter().zip(parts) {
            written += write_group(&mut writers[p], &key, &g)
                .map_err(|e| io_error(&dir.path, "write a spill file", e))?;
        }
        // The old table is gone: reserve the new one's slots now.
        self.running.groups.reserve(capacity);
        self.spilled_bytes += written;
        self.spills += 1;
        Ok(())
    }

    /// Merges the partitions one by one and evaluates each alone (or the
    /// running groups alone when nothing was spilled), combining the
    /// metrics exactly ([`PartitionedMetrics`]).
    fn finish(
        mut self,
        source: &str,
        params: &MetricsParams,
    ) -> Result<MetricsReport, EngineError> {
        let n = self.names.len();
        let mut metrics = PartitionedMetrics::new(source, params)?;
        let mut partitions = 0u64;
        let mut groups_total = 0u64;
        let mut largest_table = 0u64;
        let keys;
        let spill_dir;
        if self.spill.is_none() {
            let groups = std::mem::take(&mut self.running.groups);
            let running_bytes = self.running.bytes();
            for (key, g) in &groups {
                self.note_overall(key, g);
            }
            let global = self.global();
            let mut sink = KeySink::Memory(Vec::new());
            groups_total = groups.len() as u64;
            let at_start = running_bytes + global_bytes(&global);
            let table = self.evaluate_part(
                &global,
                source,
                params,
                groups,
                &mut metrics,
                &mut sink,
                None,
            )?;
            largest_table = table;
            self.tracked.note(at_start + table + sink.bytes());
            keys = sink;
            spill_dir = None;
        } else {
            if !self.running.groups.is_empty() {
                self.spill_running()?;
            }
            let Some((dir, writers)) = self.spill.take() else {
                return Err(EngineError::Spill("the spill folder vanished".into()));
            };
            for mut w in writers {
                w.flush()
                    .map_err(|e| io_error(&dir.path, "write a spill file", e))?;
            }
            self.running = Running::new(n);
            let global = self.global();
            let fixed = global_bytes(&global) + 2 * WRITE_BUFFER as u64;
            let mut sink = KeySink::Files(Vec::new());
            let limit = (tracked_budget(self.settings.budget) / 2).max(1);
            for p in 0..self.settings.partitions.max(1) {
                let path = dir.path.join(format!("part-{p}.bin"));
                // A partition whose merged groups would take more than half
                // the tracked budget is evaluated in sub-partitions (by a
                // second hash of the quasi-identifiers, so a class still
                // lies wholly in one), reading its file once per
                // sub-partition.
                let file_len = std::fs::metadata(&path).map_or(0, |m| m.len());
                let subs = (file_len.saturating_mul(MEMORY_PER_SPILLED_BYTE) / limit + 1)
                    .clamp(1, MAX_SUB_PARTITIONS);
                let mut any = false;
                for sub in 0..subs {
                    let mut part = Running::new(n);
                    let file =
                        File::open(&path).map_err(|e| io_error(&path, "read a spill file", e))?;
                    let mut reader = BufReader::with_capacity(WRITE_BUFFER, file);
                    while let Some((key, g)) = read_group(&mut reader, n, self.target_k)
                        .map_err(|e| io_error(&path, "read a spill file", e))?
                    {
                        if subs == 1 || sub_partition_of(&key, self.n_qis, &global, subs) == sub {
                            part.merge(key, g, self.target_k);
                        }
                    }
                    drop(reader);
                    if part.groups.is_empty() {
                        continue;
                    }
                    any = true;
                    groups_total += part.groups.len() as u64;
                    let part_bytes = part.bytes();
                    let key_path = dir.path.join(format!("keys-{p}-{sub}.bin"));
                    let table = self.evaluate_part(
                        &global,
                        source,
                        params,
                        part.groups,
                        &mut metrics,
                        &mut sink,
                        Some(key_path),
                    )?;
                    largest_table = largest_table.max(table);
                    self.tracked.note(fixed + part_bytes + table);
                }
                let _ = std::fs::remove_file(&path);
                if any {
                    partitions += 1;
                }
            }
            keys = sink;
            spill_dir = Some(dir);
        }
        let candidates = metrics.worst_class_keys();
        let ranks = keys.ranks(&candidates)?;
        drop(keys);
        drop(spill_dir);
        let (mut report, approximate) = metrics.finish(&ranks)?;
        let peak_rss_bytes = super::memory::peak_resident_bytes();
        report.out_of_core = Some(OutOfCoreSummary {
            memory_budget_bytes: self.settings.budget.0,
            chunks: self.chunks,
            spills: self.spills,
            spill_partitions: partitions,
            spilled_bytes: self.spilled_bytes,
            peak_tracked_bytes: self.tracked.peak,
            group_table_bytes: largest_table,
            groups: groups_total,
            peak_rss_bytes,
            approximate,
        });
        Ok(report)
    }

    /// Evaluates one partition's merged groups: builds their classes with
    /// the whole input's dictionaries and overall distributions, adds them
    /// to `metrics` and their keys to `keys` (a file at `key_path` when
    /// given). Returns the bytes of the partition's group table.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_part(
        &self,
        global: &Global,
        source: &str,
        params: &MetricsParams,
        groups: GroupMap,
        metrics: &mut PartitionedMetrics,
        keys: &mut KeySink,
        key_path: Option<PathBuf>,
    ) -> Result<u64, EngineError> {
        let n = self.names.len();
        let n_groups = groups.len();
        let mut codes: Vec<Vec<u32>> = (0..n).map(|_| Vec::with_capacity(n_groups)).collect();
        let mut weights = Vec::with_capacity(n_groups);
        let mut firsts = Vec::with_capacity(n_groups);
        let mut row_start = Vec::with_capacity(n_groups);
        let mut rows: Vec<u64> = Vec::new();
        for (key, g) in groups {
            for ((col, &c), map) in codes.iter_mut().zip(key.iter()).zip(&global.new_code) {
                col.push(map[c as usize]);
            }
            weights.push(g.count);
            firsts.push(g.first_row);
            row_start.push(rows.len() as u64);
            if let Some(r) = g.rows {
                rows.extend(r);
            }
        }
        let table_bytes = (4 * n as u64 + 24) * n_groups as u64 + 8 * rows.len() as u64;
        let columns = self
            .names
            .iter()
            .zip(codes)
            .enumerate()
            .map(|(j, (name, codes))| CategoricalColumn {
                name: name.clone(),
                codes,
                values: global.values[j].clone(),
                missing: None,
                suppressed: global.suppressed[j].clone(),
            })
            .collect();
        let table = EncodedTable::new(source, columns);
        let target_k = self.target_k;
        let built = classes_of_groups(
            &table,
            &weights,
            &firsts,
            &params.sensitive,
            target_k,
            params.suppressed_rows,
            |g| {
                if weights[g] >= target_k {
                    return None;
                }
                let start = row_start[g] as usize;
                rows.get(start..start + weights[g] as usize)
            },
        );
        let (mut classes, group_class) = match built {
            Err(EngineError::Privacy(PrivacyError::AllRowsSuppressed { n_rows, .. })) => {
                // The partition holds only fully suppressed rows, excluded.
                metrics.add_excluded_rows(n_rows as u64);
                return Ok(table_bytes);
            }
            other => other?,
        };
        for (j, sa) in params.sensitive.iter().enumerate() {
            classes.set_overall(
                sa,
                global.overall[j].clone(),
                global.overall_first[j].clone(),
            )?;
        }
        let qis: Vec<&str> = self.names[..self.n_qis]
            .iter()
            .map(String::as_str)
            .collect();
        let class_keys =
            privacy::classes::class_keys(&table, &qis, &group_class, classes.n_classes())?;
        metrics.add(&classes, class_keys.as_deref())?;
        if let Some(k) = class_keys {
            match (keys, key_path) {
                (KeySink::Memory(parts), _) => parts.push(k),
                (KeySink::Files(paths), Some(path)) => {
                    let file = File::create(&path)
                        .map_err(|e| io_error(&path, "create a class-key file", e))?;
                    let mut w = BufWriter::with_capacity(WRITE_BUFFER, file);
                    for key in &k {
                        w.write_all(&key.to_le_bytes())
                            .map_err(|e| io_error(&path, "write a class-key file", e))?;
                    }
                    w.flush()
                        .map_err(|e| io_error(&path, "write a class-key file", e))?;
                    paths.push(path);
                }
                (KeySink::Files(_), None) => {
                    return Err(EngineError::Spill("no path for a class-key file".into()))
                }
            }
        }
        Ok(table_bytes)
    }
}

/// Estimated bytes in memory per byte of a spill file once its groups are
/// merged and their classes built (hash slot, key, row list, group table,
/// classes: about 5x the 56 bytes a group of 10 columns takes on disk).
const MEMORY_PER_SPILLED_BYTE: u64 = 6;

/// A running table smaller than this is not spilled before it grows (a
/// budget below the write buffers would otherwise spill every few rows).
const MIN_GROUPS_TO_SPILL: usize = 1024;

/// At most this many sub-partitions per partition file.
const MAX_SUB_PARTITIONS: u64 = 256;

/// The sub-partition (of `subs`) of a group read back from a spill file:
/// FNV-1a with another start value over the quasi-identifiers' global
/// codes, a column's suppression tokens hashing alike, so a class lies
/// wholly in one sub-partition.
fn sub_partition_of(key: &[u32], n_qis: usize, global: &Global, subs: u64) -> u64 {
    let mut h: u64 = 0x84222325cbf29ce4;
    for (j, &code) in key[..n_qis].iter().enumerate() {
        let g = global.new_code[j]
            .get(code as usize)
            .copied()
            .unwrap_or(u32::MAX);
        let c = if global.suppressed[j]
            .get(g as usize)
            .copied()
            .unwrap_or(false)
        {
            u32::MAX
        } else {
            g
        };
        for b in c.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // FNV's low bits depend only on the inputs' low bits, which fixed the
    // partition: MurmurHash3's 64-bit finalizer (Appleby) mixes the high
    // bits down before the modulo.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h % subs
}

/// Bytes of the renumbered dictionaries and overall counts.
fn global_bytes(global: &Global) -> u64 {
    let values: u64 = global
        .values
        .iter()
        .flatten()
        .map(|v| 24 + round8(v.len()) + 16)
        .sum();
    let codes: u64 = global.new_code.iter().map(|c| 4 * c.len() as u64).sum();
    let overall: u64 = global.overall.iter().map(|c| 16 * c.len() as u64).sum();
    values + codes + overall
}

/// Warnings about an out-of-core run's memory: one partition's group
/// table above the budget, the process's peak resident memory above it,
/// and every field that is not exact. Shared by `reident metrics` and the
/// audit.
pub fn budget_warnings(o: &OutOfCoreSummary) -> Vec<String> {
    let mb = |b: u64| b >> 20;
    let mut warnings = Vec::new();
    if o.group_table_bytes > o.memory_budget_bytes {
        warnings.push(format!(
            "one hash partition's groups (distinct combinations of quasi-identifier and sensitive values; {} in the input) take {} MB, above the budget of {} MB, and each partition is evaluated in memory; generalize the quasi-identifiers or raise the budget",
            o.groups,
            mb(o.group_table_bytes),
            mb(o.memory_budget_bytes)
        ));
    }
    if let Some(rss) = o.peak_rss_bytes {
        if rss > o.memory_budget_bytes {
            warnings.push(format!(
                "the process's peak resident memory was {} MB, above the budget of {} MB (it also counts the program itself, the reader's buffers and the allocator's free lists)",
                mb(rss),
                mb(o.memory_budget_bytes)
            ));
        }
    }
    for a in &o.approximate {
        warnings.push(format!("not exact out of core: {a}"));
    }
    warnings
}

fn write_group(w: &mut impl Write, key: &[u32], g: &Group) -> std::io::Result<u64> {
    for c in key {
        w.write_all(&c.to_le_bytes())?;
    }
    w.write_all(&g.count.to_le_bytes())?;
    w.write_all(&g.first_row.to_le_bytes())?;
    let mut bytes = 4 * key.len() as u64 + 16;
    if let Some(rows) = &g.rows {
        for r in rows {
            w.write_all(&r.to_le_bytes())?;
        }
        bytes += 8 * rows.len() as u64;
    }
    Ok(bytes)
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

/// One group written by [`write_group`]; `None` at the end of the file. A
/// group has its row list exactly when its count is below `target_k`.
fn read_group(
    r: &mut impl Read,
    n_columns: usize,
    target_k: u64,
) -> std::io::Result<Option<(Box<[u32]>, Group)>> {
    let mut key = vec![0u32; n_columns];
    for (i, k) in key.iter_mut().enumerate() {
        let mut b = [0u8; 4];
        if i == 0 {
            // End of file only before a record.
            let got = r.read(&mut b[..1])?;
            if got == 0 {
                return Ok(None);
            }
            r.read_exact(&mut b[1..])?;
        } else {
            r.read_exact(&mut b)?;
        }
        *k = u32::from_le_bytes(b);
    }
    let count = read_u64(r)?;
    let first_row = read_u64(r)?;
    let rows = if count < target_k {
        let mut rows = Vec::with_capacity(count as usize);
        for _ in 0..count {
            rows.push(read_u64(r)?);
        }
        Some(rows)
    } else {
        None
    };
    Ok(Some((
        key.into_boxed_slice(),
        Group {
            count,
            first_row,
            rows,
        },
    )))
}

/// Rows per chunk for `n_columns` columns under `settings`.
pub(super) fn chunk_rows(settings: &OutOfCore, n_columns: usize) -> usize {
    settings.chunk_rows.unwrap_or_else(|| {
        // The chunk's codes take a 32nd of the budget; the reader's text
        // and parse buffers for it, a few times that, are not tracked.
        let per_row = 4 * n_columns.max(1) as u64;
        ((settings.budget.0 / 32) / per_row).clamp(1_000, 1_000_000) as usize
    })
}

/// The share of the budget the tracked state may take: the rest is for
/// what the tracking does not see (the program, the reader's buffers, the
/// allocator's headers and free lists). Calibrated by measurement: see
/// `benches/README.md` section 14.
const TRACKED_SHARE: f64 = 0.6;

/// The bytes the tracked state may take under `budget`.
pub(super) fn tracked_budget(budget: MemoryBudget) -> u64 {
    ((budget.0 as f64 * TRACKED_SHARE) as u64).max(1)
}

/// Every release-only metric of the file `path`, read in chunks under the
/// memory budget of `settings` (see the module docs): the same report as
/// [`crate::privacy::evaluate`] on the whole table, with
/// [`MetricsReport::out_of_core`] set. `progress` is called after every
/// chunk.
///
/// Errors: a subject column or a population table in `params` (they need
/// the rows), the reader's errors (file, line, column), the spill folder's
/// input/output errors, and the errors of the metrics.
pub fn evaluate_file(
    path: &Path,
    opts: &ReadOptions,
    missing: &MissingPolicy,
    params: &MetricsParams,
    settings: &OutOfCore,
    progress: &mut dyn FnMut(Progress),
) -> Result<MetricsReport, EngineError> {
    let run = Run::for_params(settings, params)?;
    let source = path.display().to_string();
    let names = run.names.clone();
    let columns: Vec<&str> = names.iter().map(String::as_str).collect();
    let rows = chunk_rows(settings, names.len());
    // The grouping hands each chunk's code buffers back to the reader.
    let buffers = CodeBuffers::new();
    let run = pipelined(
        run,
        |send| {
            stream_table_reusing(
                path,
                &columns,
                opts,
                missing,
                rows,
                &buffers,
                &mut |event| send(event),
            )
        },
        Some(&buffers),
        progress,
    )?;
    run.finish(&source, params)
}

/// Runs `read` (the streaming reader, handing each event to the function it
/// is given) on this thread and the grouping of its chunks on another, so
/// that a chunk is decoded while the one before it is grouped: on the
/// 10M-row Adult replica in Parquet the two took about equal time one after
/// the other (benches §12d). At most one chunk waits between the two, so
/// three chunks (each a 32nd of the budget's codes) can be held at once.
/// `progress` is called on this thread after each chunk is handed over,
/// with the grouping thread's latest figures, and once more at the end.
/// With `buffers`, each grouped chunk's code buffers go back to the reader.
///
/// Errors: the grouping's first error (the reader then stops), else the
/// reader's.
fn pipelined<'a>(
    mut run: Run<'a>,
    read: impl FnOnce(
        &mut dyn FnMut(StreamEvent) -> Result<(), EngineError>,
    ) -> Result<u64, EngineError>,
    buffers: Option<&CodeBuffers>,
    progress: &mut dyn FnMut(Progress),
) -> Result<Run<'a>, EngineError> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let figures: [AtomicU64; 4] = Default::default();
    let (sender, receiver) = std::sync::mpsc::sync_channel::<StreamEvent>(1);
    std::thread::scope(|scope| {
        let figures = &figures;
        let worker = scope.spawn(move || -> Result<Run<'a>, EngineError> {
            for event in receiver {
                match event {
                    StreamEvent::Restart => run.reset(),
                    StreamEvent::Chunk { table, first_row } => {
                        run.add_chunk(&table, first_row)?;
                        if let Some(buffers) = buffers {
                            buffers.recycle(table);
                        }
                        let tracked = run.running.bytes() + run.dictionary_bytes();
                        for (slot, value) in figures
                            .iter()
                            .zip([run.rows, run.chunks, run.spills, tracked])
                        {
                            slot.store(value, Ordering::Relaxed);
                        }
                    }
                }
            }
            Ok(run)
        });
        let read_result = read(&mut |event| {
            // A closed channel means the grouping stopped on an error,
            // which the join below returns.
            sender
                .send(event)
                .map_err(|_| EngineError::Unsupported("the grouping thread stopped".to_string()))?;
            let [rows, chunks, spills, tracked_bytes] =
                figures.each_ref().map(|f| f.load(Ordering::Relaxed));
            progress(Progress {
                rows,
                chunks,
                spills,
                tracked_bytes,
            });
            Ok(())
        });
        drop(sender);
        let grouped = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match (grouped, read_result) {
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e),
            (Ok(run), Ok(_)) => {
                // The last figures, now that every chunk is grouped.
                progress(Progress {
                    rows: run.rows,
                    chunks: run.chunks,
                    spills: run.spills,
                    tracked_bytes: run.running.bytes() + run.dictionary_bytes(),
                });
                Ok(run)
            }
        }
    })
}

/// Every release-only metric from weighted groups handed over one at a time
/// and in any order, under a memory budget: how the Spark engine's answer
/// (one row per group of rows sharing every quasi-identifier and sensitive
/// value, with its count, first row and row ids below k) is finished
/// without holding it whole. The groups go into the same running table,
/// spills and per-partition evaluation as [`evaluate_file`]'s chunks, so
/// the report equals the in-memory report of the input the groups came
/// from, plus the `out_of_core` section.
pub struct WeightedGroups<'a> {
    run: Run<'a>,
    added: u64,
}

impl<'a> WeightedGroups<'a> {
    /// An empty run for `params` under `settings`.
    ///
    /// Errors: those of [`evaluate_file`]'s parameters (a subject column or
    /// a population table, which need the rows).
    pub fn new(params: &MetricsParams, settings: &'a OutOfCore) -> Result<Self, EngineError> {
        Ok(WeightedGroups {
            run: Run::for_params(settings, params)?,
            added: 0,
        })
    }

    /// Adds one group: its values (the quasi-identifiers, then the
    /// sensitive attributes, in the order of the parameters, as text with
    /// missing values already given their label) and its rows (0-based
    /// input row ids: count, first row, and the ids in ascending order while
    /// the count is below the target k).
    ///
    /// Errors: a wrong number of values, an empty group, a spill's
    /// input/output error.
    pub fn add(&mut self, values: &[&str], group: Group) -> Result<(), EngineError> {
        if values.len() != self.run.names.len() {
            return Err(EngineError::Unsupported(format!(
                "a group of {} values for {} columns",
                values.len(),
                self.run.names.len()
            )));
        }
        if group.count == 0 {
            return Err(EngineError::Unsupported("a group of no rows".to_string()));
        }
        let key: Vec<u32> = values
            .iter()
            .zip(self.run.dictionaries.iter_mut())
            .map(|(v, dict)| dict.code(v, group.first_row))
            .collect();
        self.run.rows += group.count;
        self.added += 1;
        self.run
            .add_weighted(&key, group, self.added.is_multiple_of(1024))
    }

    /// Marks the end of a batch of groups (counted as the summary's chunks).
    pub fn end_batch(&mut self) -> Result<(), EngineError> {
        self.run.chunks += 1;
        self.run.check_budget(0)
    }

    /// Rows in the groups added so far.
    pub fn rows(&self) -> u64 {
        self.run.rows
    }

    /// Every metric of the groups added, as [`evaluate_file`] computes them.
    ///
    /// Errors: no group added, the spill folder's input/output errors and
    /// the errors of the metrics.
    pub fn finish(
        self,
        source: &str,
        params: &MetricsParams,
    ) -> Result<MetricsReport, EngineError> {
        self.run.finish(source, params)
    }
}

impl From<DataError> for EngineError {
    fn from(e: DataError) -> Self {
        EngineError::Data(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_groups_equal_rows_with_their_first_row_and_rows_below_k() {
        // Rows 0..6 of a chunk starting at input row 100: (a, x) at 0, 2, 5;
        // (b, x) at 1, 4; (a, y) at 3.
        let a = CategoricalColumn::from_strs("q", &["a", "b", "a", "a", "b", "a"]);
        let s = CategoricalColumn::from_strs("s", &["x", "x", "x", "y", "x", "x"]);
        let group = |row, count, more_rows: &[u64]| ChunkGroup {
            row,
            count,
            more_rows: more_rows.to_vec(),
        };
        // Three rows reach k = 3: the other rows are dropped.
        assert_eq!(
            chunk_groups(&[&a, &s], 100, 3),
            vec![group(0, 3, &[]), group(1, 2, &[104]), group(3, 1, &[])]
        );
        // With k = 1 no row list is kept.
        assert!(chunk_groups(&[&a, &s], 0, 1)
            .iter()
            .all(|g| g.more_rows.is_empty()));
    }

    #[test]
    fn chunk_groups_added_to_running_groups_equal_rows_added_one_by_one() {
        // Two chunks (rows 0..6 and 6..10) of one column pair, target k = 3:
        // (a, x) at 0, 2, 5, 7; (b, x) at 1, 4; (a, y) at 3, 9; (b, y) at 6, 8.
        let chunks = [
            (
                ["a", "b", "a", "a", "b", "a"].as_slice(),
                ["x", "x", "x", "y", "x", "x"].as_slice(),
            ),
            (
                ["b", "a", "b", "a"].as_slice(),
                ["y", "x", "y", "y"].as_slice(),
            ),
        ];
        let mut running = Running::new(2);
        let mut start = 0u64;
        for (q, s) in chunks {
            let (q, s) = (
                CategoricalColumn::from_strs("q", q),
                CategoricalColumn::from_strs("s", s),
            );
            for g in chunk_groups(&[&q, &s], start, 3) {
                // The chunk's own codes stand for the values here: give
                // the running key as text codes.
                let key = [
                    u32::from(q.values[q.codes[g.row] as usize] == "b"),
                    u32::from(s.values[s.codes[g.row] as usize] == "y"),
                ];
                running.add(&key, &g, start, 3);
            }
            start += q.codes.len() as u64;
        }
        let group = |count, first_row, rows: Option<Vec<u64>>| Group {
            count,
            first_row,
            rows,
        };
        let get = |k: [u32; 2]| running.groups.get(&k[..]).cloned();
        assert_eq!(get([0, 0]), Some(group(4, 0, None)));
        assert_eq!(get([1, 0]), Some(group(2, 1, Some(vec![1, 4]))));
        assert_eq!(get([0, 1]), Some(group(2, 3, Some(vec![3, 9]))));
        assert_eq!(get([1, 1]), Some(group(2, 6, Some(vec![6, 8]))));
        assert_eq!(running.groups.len(), 4);
    }

    #[test]
    fn a_chunk_whose_key_space_overflows_64_bits_keeps_one_group_per_row() {
        // Five columns of 8,192 values each: 2^65 combinations. Row 8,192
        // repeats row 0's values but stays a group of its own (the running
        // table merges the two).
        let n = 8192;
        let columns: Vec<CategoricalColumn> = (0..5)
            .map(|c| {
                let mut values: Vec<String> = (0..n).map(|r| format!("{c}-{r}")).collect();
                values.push(values[0].clone());
                CategoricalColumn::from_strs(&format!("c{c}"), &values)
            })
            .collect();
        let refs: Vec<&CategoricalColumn> = columns.iter().collect();
        let groups = chunk_groups(&refs, 7, 2);
        assert_eq!(groups.len(), n + 1);
        assert!(groups
            .iter()
            .enumerate()
            .all(|(i, g)| g.row == i && g.count == 1 && g.more_rows.is_empty()));
    }
}
