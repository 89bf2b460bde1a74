//! A count per key, under a memory budget: keys of a fixed number of
//! 128-bit words (value hashes and small indexes) with a `u64` count each,
//! held in a hash table while it fits in its share of the budget and written
//! to hash-partition files in a spill folder when it does not (the scheme of
//! [`super::out_of_core`]: a key's partition is chosen by a hash of its
//! leading `prefix` words, so every key sharing them lies wholly in one
//! partition). At the end each partition is read back, merged (counts of a
//! key summed) and handed to the caller alone, split again by a second hash
//! when it would take more than the budget (one more read and write of
//! that partition). The folder is removed at the
//! end, also on error.
//!
//! The out-of-core scans ([`super::scan_out_of_core`]) count distinct values
//! with it (one key per value hash, its count ignored), equivalence classes
//! over quasi-identifier value hashes, and the cross counts `n(c, q)` of the
//! hidden quasi-identifier check.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::out_of_core::SpillDir;
use super::EngineError;

/// Bytes of each partition file's write buffer.
const WRITE_BUFFER: usize = 64 << 10;

/// Bytes of each sub-partition file's write buffer (up to
/// [`MAX_SUB_PARTITIONS`] are open at once).
const SUB_WRITE_BUFFER: usize = 8 << 10;

/// A table smaller than this is not spilled (a tiny budget would otherwise
/// spill every few keys).
const MIN_KEYS_TO_SPILL: usize = 256;

/// At most this many sub-partitions per partition file.
const MAX_SUB_PARTITIONS: u64 = 256;

/// Hashes keys whose words are already uniform hashes (or small indexes):
/// a multiply-xorshift fold of their bytes, much cheaper than SipHash.
#[derive(Default, Clone, Copy)]
pub(super) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        mix64(self.0)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0 ^ u64::from_le_bytes(w))
                .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                .rotate_left(29);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The map type of a partition handed to the caller.
pub(super) type Counts = HashMap<Box<[u128]>, u64, BuildHasherDefault<WordHasher>>;

/// MurmurHash3's 64-bit finalizer (Appleby).
fn mix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// A hash of the first `prefix` words of `key`, from `seed`.
fn prefix_hash(key: &[u128], prefix: usize, seed: u64) -> u64 {
    let mut h = seed;
    for &w in &key[..prefix.min(key.len())] {
        h = mix64(h ^ w as u64);
        h = mix64(h ^ (w >> 64) as u64);
    }
    h
}

const PARTITION_SEED: u64 = 0x243f_6a88_85a3_08d3;
const SUB_PARTITION_SEED: u64 = 0x1319_8a2e_0370_7344;

/// What a [`SpillCounts`] did, for the run's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpillStats {
    /// Times the table was written out.
    pub spills: u64,
    /// Bytes written to partition files.
    pub spilled_bytes: u64,
    /// Partitions (or sub-partitions) handed over at the end.
    pub partitions: u64,
    /// The largest tracked size of the table, in bytes.
    pub peak_bytes: u64,
}

impl SpillStats {
    /// Adds another counter's figures (peaks: the larger).
    pub fn join(&mut self, other: SpillStats) {
        self.spills += other.spills;
        self.spilled_bytes += other.spilled_bytes;
        self.partitions += other.partitions;
        self.peak_bytes = self.peak_bytes.max(other.peak_bytes);
    }
}

/// Counts per key of `width` words under `limit` bytes (see the module docs).
pub(super) struct SpillCounts {
    width: usize,
    prefix: usize,
    partitions: usize,
    limit: u64,
    root: Option<PathBuf>,
    map: Counts,
    spill: Option<(SpillDir, Vec<BufWriter<File>>)>,
    stats: SpillStats,
}

impl SpillCounts {
    /// An empty counter of keys of `width` words, partitioned by their first
    /// `prefix` words into `partitions` files under `root` (the system's
    /// temporary folder when `None`), spilling above `limit` bytes.
    pub(super) fn new(
        width: usize,
        prefix: usize,
        partitions: usize,
        limit: u64,
        root: Option<&Path>,
    ) -> Self {
        SpillCounts {
            width,
            prefix: prefix.clamp(1, width.max(1)),
            partitions: partitions.max(1),
            limit: limit.max(1),
            root: root.map(Path::to_path_buf),
            map: Counts::default(),
            spill: None,
            stats: SpillStats::default(),
        }
    }

    /// Bytes of one slot: the key's pointer and length, the count, a control byte.
    fn slot_bytes() -> u64 {
        (std::mem::size_of::<(Box<[u128]>, u64)>() + 1) as u64
    }

    /// Heap bytes of one key (with the allocator's header).
    fn key_bytes(&self) -> u64 {
        16 * self.width as u64 + 16
    }

    /// The tracked bytes of the table now.
    pub(super) fn bytes(&self) -> u64 {
        self.map.capacity() as u64 * Self::slot_bytes() + self.map.len() as u64 * self.key_bytes()
    }

    /// Adds `n` to the count of `key` (`width` words).
    pub(super) fn add(&mut self, key: &[u128], n: u64) -> Result<(), EngineError> {
        if let Some(c) = self.map.get_mut(key) {
            *c += n;
            return Ok(());
        }
        // A full table doubles on its next new key, holding the old and
        // the new slots at once: spill first when that would pass the limit.
        let len = self.map.len();
        if len >= MIN_KEYS_TO_SPILL && len == self.map.capacity() {
            let grown = self.bytes() + 2 * (len as u64 + 1) * Self::slot_bytes() + self.key_bytes();
            if grown > self.limit {
                self.spill()?;
            } else {
                self.stats.peak_bytes = self.stats.peak_bytes.max(grown);
            }
        }
        self.map.insert(key.into(), n);
        let now = self.bytes();
        self.stats.peak_bytes = self.stats.peak_bytes.max(now);
        if now > self.limit && self.map.len() >= MIN_KEYS_TO_SPILL {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the table to the partition files and empties it.
    fn spill(&mut self) -> Result<(), EngineError> {
        if self.spill.is_none() {
            let dir = SpillDir::create_in(self.root.as_deref())?;
            let mut writers = Vec::with_capacity(self.partitions);
            for p in 0..self.partitions {
                let path = dir.file(p);
                let file =
                    File::create(&path).map_err(|e| io_error(&path, "create a spill file", e))?;
                writers.push(BufWriter::with_capacity(WRITE_BUFFER, file));
            }
            self.spill = Some((dir, writers));
        }
        let capacity = self.map.capacity();
        let map = std::mem::take(&mut self.map);
        let Some((dir, writers)) = self.spill.as_mut() else {
            return Err(EngineError::Spill("the spill folder vanished".into()));
        };
        let record = 16 * self.width as u64 + 8;
        for (key, n) in map {
            let p =
                (prefix_hash(&key, self.prefix, PARTITION_SEED) % self.partitions as u64) as usize;
            write_record(&mut writers[p], &key, n)
                .map_err(|e| io_error(&dir.path, "write a spill file", e))?;
            self.stats.spilled_bytes += record;
        }
        // The next table starts at the size this one reached (no doubling
        // again, each old array left behind as free heap).
        self.map.reserve(capacity);
        self.stats.spills += 1;
        Ok(())
    }

    /// Hands every partition's merged counts to `visit`, one partition at
    /// a time (the whole table when nothing was spilled); every key sharing
    /// its first `prefix` words with another is in the same call. Returns
    /// what the counter did.
    pub(super) fn finish(
        mut self,
        mut visit: impl FnMut(Counts) -> Result<(), EngineError>,
    ) -> Result<SpillStats, EngineError> {
        if self.spill.is_none() {
            let map = std::mem::take(&mut self.map);
            if !map.is_empty() {
                self.stats.partitions += 1;
                visit(map)?;
            }
            return Ok(self.stats);
        }
        if !self.map.is_empty() {
            self.spill()?;
        }
        self.map = Counts::default();
        let Some((dir, writers)) = self.spill.take() else {
            return Err(EngineError::Spill("the spill folder vanished".into()));
        };
        for mut w in writers {
            w.flush()
                .map_err(|e| io_error(&dir.path, "write a spill file", e))?;
        }
        let record = 16 * self.width as u64 + 8;
        // In memory a record takes its slot and its key's heap block.
        let in_memory = Self::slot_bytes() * 2 + self.key_bytes();
        for p in 0..self.partitions {
            let path = dir.file(p);
            let records = std::fs::metadata(&path).map_or(0, |m| m.len()) / record;
            let subs =
                (records.saturating_mul(in_memory) / self.limit + 1).clamp(1, MAX_SUB_PARTITIONS);
            // A partition too large for the limit is split once into
            // `subs` files by a second hash of the prefix (one read, small
            // write buffers), each then merged alone.
            let files: Vec<PathBuf> = if subs == 1 {
                vec![path.clone()]
            } else {
                let subs_paths: Vec<PathBuf> = (0..subs)
                    .map(|s| dir.path.join(format!("part-{p}-{s}.bin")))
                    .collect();
                let mut writers = Vec::with_capacity(subs as usize);
                for sp in &subs_paths {
                    let file =
                        File::create(sp).map_err(|e| io_error(sp, "create a spill file", e))?;
                    writers.push(BufWriter::with_capacity(SUB_WRITE_BUFFER, file));
                }
                let file =
                    File::open(&path).map_err(|e| io_error(&path, "read a spill file", e))?;
                let mut reader = BufReader::with_capacity(WRITE_BUFFER, file);
                let mut key = vec![0u128; self.width];
                while read_record(&mut reader, &mut key)
                    .map_err(|e| io_error(&path, "read a spill file", e))?
                {
                    let n = read_u64(&mut reader)
                        .map_err(|e| io_error(&path, "read a spill file", e))?;
                    let s = (prefix_hash(&key, self.prefix, SUB_PARTITION_SEED) % subs) as usize;
                    write_record(&mut writers[s], &key, n)
                        .map_err(|e| io_error(&dir.path, "write a spill file", e))?;
                }
                for mut w in writers {
                    w.flush()
                        .map_err(|e| io_error(&dir.path, "write a spill file", e))?;
                }
                let _ = std::fs::remove_file(&path);
                subs_paths
            };
            for file_path in &files {
                let mut part = Counts::default();
                let file = File::open(file_path)
                    .map_err(|e| io_error(file_path, "read a spill file", e))?;
                let mut reader = BufReader::with_capacity(WRITE_BUFFER, file);
                let mut key = vec![0u128; self.width];
                while read_record(&mut reader, &mut key)
                    .map_err(|e| io_error(file_path, "read a spill file", e))?
                {
                    let n = read_u64(&mut reader)
                        .map_err(|e| io_error(file_path, "read a spill file", e))?;
                    match part.get_mut(key.as_slice()) {
                        Some(c) => *c += n,
                        None => {
                            part.insert(key.as_slice().into(), n);
                        }
                    }
                }
                drop(reader);
                let _ = std::fs::remove_file(file_path);
                let bytes = part.capacity() as u64 * Self::slot_bytes()
                    + part.len() as u64 * self.key_bytes();
                self.stats.peak_bytes = self.stats.peak_bytes.max(bytes);
                if !part.is_empty() {
                    self.stats.partitions += 1;
                    visit(part)?;
                }
            }
        }
        drop(dir);
        Ok(self.stats)
    }
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> EngineError {
    EngineError::Spill(format!("{}: could not {what}: {e}", path.display()))
}

fn write_record(w: &mut impl Write, key: &[u128], n: u64) -> std::io::Result<()> {
    for k in key {
        w.write_all(&k.to_le_bytes())?;
    }
    w.write_all(&n.to_le_bytes())
}

/// Reads one record's key into `key`; false at the end of the file (only
/// before a record).
fn read_record(r: &mut impl Read, key: &mut [u128]) -> std::io::Result<bool> {
    for (i, k) in key.iter_mut().enumerate() {
        let mut b = [0u8; 16];
        if i == 0 {
            let got = r.read(&mut b[..1])?;
            if got == 0 {
                return Ok(false);
            }
            r.read_exact(&mut b[1..])?;
        } else {
            r.read_exact(&mut b)?;
        }
        *k = u128::from_le_bytes(b);
    }
    Ok(true)
}

fn read_u64(r: &mut impl Read) -> std::io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same counts whether the table fits or spills into several
    /// partitions and sub-partitions.
    #[test]
    fn spilled_counts_equal_the_counts_in_memory() {
        let keys: Vec<[u128; 2]> = (0..5_000u128)
            .map(|i| [i % 7, (i * 2_654_435_761) % 1_999])
            .collect();
        let collect = |limit: u64| {
            let mut c = SpillCounts::new(2, 1, 4, limit, None);
            for k in &keys {
                c.add(k, 1).unwrap();
            }
            let mut all: Vec<(Vec<u128>, u64)> = Vec::new();
            let mut prefixes_seen: Vec<std::collections::HashSet<u128>> = Vec::new();
            let stats = c
                .finish(|part| {
                    prefixes_seen.push(part.keys().map(|k| k[0]).collect());
                    all.extend(part.into_iter().map(|(k, n)| (k.to_vec(), n)));
                    Ok(())
                })
                .unwrap();
            all.sort();
            // A prefix lies wholly in one partition.
            let mut seen = std::collections::HashSet::new();
            for set in &prefixes_seen {
                for p in set {
                    assert!(seen.insert(*p), "prefix {p} in two partitions");
                }
            }
            (all, stats)
        };
        let (whole, s0) = collect(u64::MAX);
        assert_eq!(s0.spills, 0);
        let (spilled, s1) = collect(16 << 10);
        assert!(s1.spills > 1 && s1.partitions > 1, "{s1:?}");
        assert_eq!(whole, spilled);
        let total: u64 = whole.iter().map(|x| x.1).sum();
        assert_eq!(total, 5_000);
    }
}
