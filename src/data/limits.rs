//! Resource limits for reading files nobody has inspected.
//!
//! `reident` is pointed at vendor exports that may be corrupt, truncated,
//! mislabelled or hostile: a link to `/dev/zero`, a gzip bomb, a header of a
//! million columns, a quote that is never closed. [`Limits`] bounds what one
//! file may ask of the machine, and every reader in [`crate::data`] enforces
//! it while streaming, so a failed read costs at most a small multiple of the
//! limit in memory and stops as soon as the limit is crossed:
//!
//! * **field**: the bytes of one value (a CSV field, an NDJSON string);
//! * **record**: the bytes of one CSV record (a line, or several when a quoted
//!   field holds line breaks) or one NDJSON line;
//! * **columns**: header columns of a CSV file, distinct keys of an NDJSON
//!   file, fields of a Parquet schema;
//! * **gzip ratio**: decompressed bytes per compressed byte, checked once more
//!   than [`GZIP_RATIO_GRACE_BYTES`] have been decompressed (real exports
//!   compress 3-30 times, a bomb of zeros about 1000 times);
//! * **file**: files read whole (ARX hierarchies, a gzip-compressed Parquet
//!   file, which needs random access and is decompressed into memory).
//!
//! Each error is a [`DataError::LimitExceeded`] naming the file, the line (and
//! column where one field is at fault), the limit and the command-line flag
//! that raises it.
//!
//! Library callers pass limits in [`crate::data::ReadOptions::limits`]. The
//! `reident` binary's `--max-*` flags set the process-wide default once at
//! start-up ([`set_process_limits`]) so that every reader the command reaches
//! (also those deep in the audit) honours them; that default is the one piece
//! of global state in the crate, and it only decides where reading stops, never
//! a figure.

use std::io::{BufRead, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::DataError;

/// Decompressed bytes a gzip stream may produce before its ratio is checked
/// (small files compress unevenly; 16 MiB).
pub const GZIP_RATIO_GRACE_BYTES: u64 = 16 << 20;

/// Bounds on what reading one file may cost. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Longest value, in bytes (`--max-field-bytes`).
    pub max_field_bytes: u64,
    /// Longest CSV record or NDJSON line, in bytes (`--max-record-bytes`).
    pub max_record_bytes: u64,
    /// Most columns (`--max-columns`).
    pub max_columns: usize,
    /// Highest gzip expansion ratio (`--max-gzip-ratio`).
    pub max_gzip_ratio: u64,
    /// Largest file read whole into memory, in bytes (`--max-file-bytes`).
    pub max_file_bytes: u64,
}

impl Limits {
    /// The built-in limits: fields of 16 MiB, records of 64 MiB, 10,000
    /// columns, a gzip ratio of 1000 and whole files of 256 MiB.
    pub const BUILT_IN: Limits = Limits {
        max_field_bytes: 16 << 20,
        max_record_bytes: 64 << 20,
        max_columns: 10_000,
        max_gzip_ratio: 1000,
        max_file_bytes: 256 << 20,
    };
}

static PROCESS_LIMITS: RwLock<Limits> = RwLock::new(Limits::BUILT_IN);

/// Sets the limits that [`Limits::default`] returns for the rest of the
/// process (the `reident` binary calls it once with its `--max-*` flags).
pub fn set_process_limits(limits: Limits) {
    match PROCESS_LIMITS.write() {
        Ok(mut guard) => *guard = limits,
        Err(poisoned) => *poisoned.into_inner() = limits,
    }
}

impl Default for Limits {
    /// The process-wide limits: [`Limits::BUILT_IN`] unless
    /// [`set_process_limits`] changed them.
    fn default() -> Self {
        match PROCESS_LIMITS.read() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// Which limit was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// One value is too long.
    Field,
    /// One record or line is too long.
    Record,
    /// Too many columns.
    Columns,
    /// A gzip stream expands too much.
    GzipRatio,
    /// A file read whole is too large.
    File,
}

impl LimitKind {
    /// The command-line flag that raises this limit.
    pub fn flag(self) -> &'static str {
        match self {
            LimitKind::Field => "--max-field-bytes",
            LimitKind::Record => "--max-record-bytes",
            LimitKind::Columns => "--max-columns",
            LimitKind::GzipRatio => "--max-gzip-ratio",
            LimitKind::File => "--max-file-bytes",
        }
    }

    /// The value of this limit in `limits`.
    pub fn value(self, limits: &Limits) -> u64 {
        match self {
            LimitKind::Field => limits.max_field_bytes,
            LimitKind::Record => limits.max_record_bytes,
            LimitKind::Columns => limits.max_columns as u64,
            LimitKind::GzipRatio => limits.max_gzip_ratio,
            LimitKind::File => limits.max_file_bytes,
        }
    }

    /// What is limited, with the limit in readable units.
    pub fn describe(self, limit: u64) -> String {
        match self {
            LimitKind::Field => format!("a value longer than {} (the field limit)", bytes(limit)),
            LimitKind::Record => format!(
                "a record or line longer than {} (the record limit)",
                bytes(limit)
            ),
            LimitKind::Columns => format!("more than {limit} columns (the column limit)"),
            LimitKind::GzipRatio => format!(
                "gzip data that expands more than {limit} times (the gzip ratio limit; a compression bomb?)"
            ),
            LimitKind::File => format!(
                "more than {} to be read whole (the file size limit)",
                bytes(limit)
            ),
        }
    }
}

/// `n` bytes in the largest binary unit that divides it, e.g. `64 MiB`.
pub fn bytes(n: u64) -> String {
    for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}

/// Parses a size such as `4096`, `512K`, `64M`, `2G` or `1T` (binary units,
/// optional `B`/`iB` suffix, case-insensitive) into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    let t = t
        .strip_suffix("ib")
        .or_else(|| t.strip_suffix('b'))
        .unwrap_or(&t);
    let (digits, shift) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 10),
        Some('m') => (&t[..t.len() - 1], 20),
        Some('g') => (&t[..t.len() - 1], 30),
        Some('t') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = digits.trim().parse().map_err(|_| {
        format!("`{text}` is not a size; use bytes or a K, M, G or T suffix, e.g. 64M")
    })?;
    let value = n
        .checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if value == 0 {
        return Err(format!("`{text}`: a limit must be at least 1"));
    }
    Ok(value)
}

/// The error for crossing `kind` in `source` at `location` (e.g. `line 3`).
pub(crate) fn exceeded(
    source: &str,
    location: String,
    kind: LimitKind,
    limits: &Limits,
) -> DataError {
    DataError::LimitExceeded {
        source_name: source.to_string(),
        location,
        what: kind.describe(kind.value(limits)),
        flag: kind.flag(),
    }
}

/// The payload of an I/O error raised by the guards below when a limit is
/// crossed in the middle of a stream; readers turn it into
/// [`DataError::LimitExceeded`] with the line they were reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Crossed(pub LimitKind);

impl std::fmt::Display for Crossed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the {} limit was crossed", self.0.flag())
    }
}

impl std::error::Error for Crossed {}

/// The limit an I/O error reports crossing, if it came from a guard.
pub(crate) fn crossed(error: &std::io::Error) -> Option<LimitKind> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Crossed>())
        .map(|c| c.0)
}

fn crossing(kind: LimitKind) -> std::io::Error {
    std::io::Error::other(Crossed(kind))
}

/// Counts the bytes read through it into a shared counter.
pub(crate) struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> Counted<R> {
    /// Wraps `inner`; the counter starts at 0.
    pub(crate) fn new(inner: R) -> (Self, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        (
            Counted {
                inner,
                count: Arc::clone(&count),
            },
            count,
        )
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Stops a decompressed stream once it has produced more than
/// [`GZIP_RATIO_GRACE_BYTES`] and more than `ratio` times the compressed bytes
/// read so far.
pub(crate) struct RatioGuard<R> {
    inner: R,
    produced: u64,
    compressed: Arc<AtomicU64>,
    ratio: u64,
}

impl<R> RatioGuard<R> {
    /// Guards `inner`, whose compressed input is counted by `compressed`.
    pub(crate) fn new(inner: R, compressed: Arc<AtomicU64>, ratio: u64) -> Self {
        RatioGuard {
            inner,
            produced: 0,
            compressed,
            ratio,
        }
    }
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        if self.produced > GZIP_RATIO_GRACE_BYTES {
            let compressed = self.compressed.load(Ordering::Relaxed).max(1);
            if self.produced / compressed > self.ratio {
                return Err(crossing(LimitKind::GzipRatio));
            }
        }
        Ok(n)
    }
}

/// Stops a stream when the current record has grown past the record limit:
/// the reader parsing it stores the byte offset where the record starts in
/// `mark`, and the guard refuses to deliver bytes more than `limit` past it.
pub(crate) struct RecordGuard<R> {
    inner: R,
    delivered: u64,
    mark: Arc<AtomicU64>,
    limit: u64,
}

impl<R> RecordGuard<R> {
    /// Guards `inner`; returns the guard and the shared record-start mark.
    pub(crate) fn new(inner: R, limit: u64) -> (Self, Arc<AtomicU64>) {
        let mark = Arc::new(AtomicU64::new(0));
        (
            RecordGuard {
                inner,
                delivered: 0,
                mark: Arc::clone(&mark),
                limit,
            },
            mark,
        )
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let start = self.mark.load(Ordering::Relaxed);
        if self.delivered.saturating_sub(start) > self.limit {
            return Err(crossing(LimitKind::Record));
        }
        let n = self.inner.read(buf)?;
        self.delivered += n as u64;
        Ok(n)
    }
}

/// Reads one line (through `\n`, which is kept) into `line`, or fails with a
/// [`Crossed`] record error once the line exceeds `limit` bytes, having
/// buffered at most `limit` plus one read buffer. Returns the bytes read
/// (0 at the end of the stream).
pub(crate) fn read_line_bounded(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<usize> {
    let mut total = 0usize;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(total);
        }
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..used]);
        reader.consume(used);
        total += used;
        if line.len() as u64 > limit.saturating_add(1) {
            return Err(crossing(LimitKind::Record));
        }
        if done {
            return Ok(total);
        }
    }
}

/// Reads a whole file of at most `limits.max_file_bytes` bytes. A regular
/// file is refused by its size before it is read; anything else (a device, a
/// pipe, a link to `/dev/zero`) is read until one byte past the limit, into a
/// buffer that never grows beyond the limit plus one byte.
pub fn read_file_bounded(path: &Path, limits: &Limits) -> Result<Vec<u8>, DataError> {
    let io = |source| DataError::Io {
        path: path.display().to_string(),
        source,
    };
    let too_large = || {
        exceeded(
            &path.display().to_string(),
            "the whole file".to_string(),
            LimitKind::File,
            limits,
        )
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if meta.is_file() && meta.len() > limits.max_file_bytes {
        return Err(too_large());
    }
    let cap = limits.max_file_bytes.saturating_add(1);
    let mut bytes: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        let needed = bytes.len() + n;
        if needed > bytes.capacity() {
            // Double, but not past the limit (plus the chunk that crosses it).
            let doubled = (bytes.capacity() * 2).max(needed);
            let want = doubled
                .min(usize::try_from(cap).unwrap_or(usize::MAX))
                .max(needed);
            bytes.reserve_exact(want - bytes.len());
        }
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(too_large());
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1tb"), Ok(1 << 40));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("99999999999T").is_err());
        assert_eq!(bytes(64 << 20), "64 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
    }

    #[test]
    fn bounded_lines_stop_at_the_limit() {
        let data = b"ab\ncdefgh\nij";
        let mut reader = std::io::BufReader::with_capacity(2, &data[..]);
        let mut line = Vec::new();
        assert_eq!(read_line_bounded(&mut reader, &mut line, 4).unwrap(), 3);
        assert_eq!(line, b"ab\n");
        line.clear();
        let err = read_line_bounded(&mut reader, &mut line, 4).unwrap_err();
        assert_eq!(crossed(&err), Some(LimitKind::Record));
        // At most the limit, the newline and one buffer (2 bytes) were kept.
        assert!(line.len() <= 7, "buffered {} bytes", line.len());
    }

    #[test]
    fn the_ratio_guard_stops_a_bomb_but_not_ordinary_data() {
        // 1000 compressed bytes turning into endless output.
        let count = Arc::new(AtomicU64::new(1000));
        let mut bomb = RatioGuard::new(std::io::repeat(7), count, 1000);
        let err = std::io::copy(&mut bomb, &mut std::io::sink()).unwrap_err();
        assert_eq!(crossed(&err), Some(LimitKind::GzipRatio));
        assert!(bomb.produced <= GZIP_RATIO_GRACE_BYTES + (64 << 10));
        // 40 MiB from 4 MiB compressed: ratio 10, allowed.
        let fair = Arc::new(AtomicU64::new(4 << 20));
        let mut ok = RatioGuard::new(std::io::repeat(1).take(40 << 20), fair, 1000);
        assert_eq!(
            std::io::copy(&mut ok, &mut std::io::sink()).unwrap(),
            40 << 20
        );
    }

    #[test]
    fn the_record_guard_refuses_bytes_past_the_mark() {
        let (mut guard, mark) = RecordGuard::new(std::io::repeat(b'x'), 100);
        let mut buf = [0u8; 64];
        let mut total = 0;
        let err = loop {
            match guard.read(&mut buf) {
                Ok(n) => total += n,
                Err(e) => break e,
            }
        };
        assert_eq!(crossed(&err), Some(LimitKind::Record));
        assert_eq!(total, 128);
        // Moving the mark (a new record started) lets reading go on.
        mark.store(128, Ordering::Relaxed);
        assert_eq!(guard.read(&mut buf).unwrap(), 64);
    }

    #[test]
    fn whole_files_are_read_up_to_the_limit_only() {
        let limits = Limits {
            max_file_bytes: 100_000,
            ..Limits::BUILT_IN
        };
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        std::fs::write(&small, vec![b'a'; 100_000]).unwrap();
        assert_eq!(read_file_bounded(&small, &limits).unwrap().len(), 100_000);
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 100_001]).unwrap();
        let err = read_file_bounded(&big, &limits).unwrap_err();
        assert!(err.to_string().contains("--max-file-bytes"), "{err}");
        // An endless device is read to one byte past the limit, then refused.
        let err = read_file_bounded(Path::new("/dev/zero"), &limits).unwrap_err();
        assert!(matches!(err, DataError::LimitExceeded { .. }), "{err}");
    }
}
