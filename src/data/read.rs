//! Reading tables from files into polars `DataFrame`s and [`EncodedTable`]s.
//!
//! Formats: delimited text (CSV/TSV, any one-byte delimiter, detected or given;
//! LF or CRLF; quoted fields with embedded delimiters, quotes and line breaks),
//! Apache Parquet, and newline-delimited JSON (one object per line); each may be
//! gzip-compressed (recognised by the `1f 8b` magic bytes, whatever the name).
//! The format comes from [`ReadOptions::format`] or else from the extension
//! ([`detect_format`]).
//!
//! Every column is read as **text**: generalized release values (`[30-40)`,
//! `123**`, `*`) are not numbers, and dictionary encoding works on strings.
//! Numeric interpretation happens later, where a metric needs an order
//! ([`CategoricalColumn::numeric_values`]).
//!
//! ## How CSV and NDJSON are read, and why not with polars' parser
//!
//! polars' CSV reader silently pads a short row with empty values, and when
//! only some columns are read it silently ignores a row with too many fields;
//! its UTF-8 and parse errors carry no line number. An audit must not quietly
//! shift values between columns, so CSV is read with the `csv` crate in one
//! streaming pass that checks every record against the header (exact line
//! numbers) and feeds only the requested columns straight into dictionary
//! encoders ([`load_table`]) or polars string builders ([`read_frame`]). The
//! file is never held in memory as a whole, gzip is decompressed as a stream,
//! and no `String` is allocated per row: a row costs one hash lookup and one
//! `u32` per requested column. One thread parses records in batches while the
//! previous batch is encoded, one column per rayon task; errors still name the
//! earliest bad line. NDJSON is read line by line with `serde_json`
//! for the same reasons (line numbers; nested values and mixed types kept as
//! text instead of failing polars' schema inference). Parquet, which is
//! columnar and typed, is read with polars (projection pushed down) and cast
//! to text.
//!
//! Every reader enforces [`Limits`] (field, record and column counts, gzip
//! expansion) while it streams, so a hostile file fails within the limit with
//! an error naming the file and line instead of exhausting memory; header
//! handling is linear in the number of columns.
//!
//! This module reads; it does not decide roles, parse generalized values or write.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use polars::prelude::*;
use rayon::prelude::*;

use super::limits::{self, crossed, Counted, LimitKind, Limits, RatioGuard, RecordGuard};
pub use super::tokens::DEFAULT_MISSING_TOKENS;
use super::{CategoricalColumn, CategoricalColumnBuilder, DataError, EncodedTable};

/// How many bytes are looked at to detect the delimiter.
const SNIFF_BYTES: u64 = 64 * 1024;

/// File formats the reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON, one object per line.
    Ndjson,
}

/// How to read a file. The defaults detect everything from the file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CSV field delimiter; `None` detects it from the first lines.
    pub delimiter: Option<u8>,
    /// File format; `None` detects it from the extension.
    pub format: Option<Format>,
    /// Resource limits; the default is [`Limits::default`] (the process-wide
    /// limits, [`Limits::BUILT_IN`] unless the binary's flags changed them).
    pub limits: Limits,
}

impl ReadOptions {
    /// Sets the CSV delimiter (e.g. `b';'`).
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// Sets the format instead of detecting it from the extension.
    pub fn with_format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets the resource limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// One policy for missing values across the crate: a value equal to one of
/// `tokens` (or a null in Parquet/NDJSON) is missing, and all missing values
/// of a column share one code whose label is `label`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MissingPolicy {
    /// Strings that mean "missing" (compared after trimming white space).
    pub tokens: Vec<String>,
    /// The dictionary label given to the missing value.
    pub label: String,
}

impl Default for MissingPolicy {
    /// [`DEFAULT_MISSING_TOKENS`]: `?` (UCI convention), the empty string,
    /// `null`, `NULL` and `NaN`; label `?`.
    fn default() -> Self {
        MissingPolicy {
            tokens: DEFAULT_MISSING_TOKENS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            label: "?".to_string(),
        }
    }
}

impl MissingPolicy {
    /// A policy with the given tokens and label.
    pub fn new<S: AsRef<str>>(tokens: &[S], label: &str) -> Self {
        MissingPolicy {
            tokens: tokens
                .iter()
                .map(|t| t.as_ref().trim().to_string())
                .collect(),
            label: label.to_string(),
        }
    }

    /// A policy under which only nulls (Parquet/NDJSON) are missing: every
    /// string, even the empty one, is a value.
    pub fn nulls_only() -> Self {
        MissingPolicy {
            tokens: Vec::new(),
            label: "?".to_string(),
        }
    }

    /// True when `value` is missing under this policy.
    pub fn is_missing(&self, value: &str) -> bool {
        let v = value.trim();
        self.tokens.iter().any(|t| t == v)
    }
}

/// The format implied by `path`'s extension, ignoring a trailing `.gz`:
/// `.csv` `.tsv` `.txt` → CSV, `.parquet` `.pq` → Parquet, `.ndjson` `.jsonl`
/// `.json` → NDJSON (case-insensitive).
pub fn detect_format(path: &Path) -> Result<Format, DataError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    let extension = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match extension {
        "csv" | "tsv" | "txt" => Ok(Format::Csv),
        "parquet" | "pq" => Ok(Format::Parquet),
        "ndjson" | "jsonl" | "json" => Ok(Format::Ndjson),
        _ => Err(DataError::UnsupportedFormat {
            source_name: path.display().to_string(),
            extension: extension.to_string(),
        }),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> DataError {
    DataError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Opens `path` as a byte stream, decompressing gzip (magic bytes `1f 8b`)
/// under the gzip ratio limit.
fn open_stream(path: &Path, limits: &Limits) -> Result<Box<dyn Read + Send>, DataError> {
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    let (counted, compressed) = Counted::new(file);
    let mut buffered = BufReader::with_capacity(256 * 1024, counted);
    let head = buffered.fill_buf().map_err(|e| io_error(path, e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            RatioGuard::new(
                MultiGzDecoder::new(buffered),
                compressed,
                limits.max_gzip_ratio,
            ),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}

/// The limit error for an I/O error raised by a guard, at `location`.
fn limit_error(
    source: &str,
    error: &std::io::Error,
    location: impl FnOnce() -> String,
    limits: &Limits,
) -> Option<DataError> {
    crossed(error).map(|kind| limits::exceeded(source, location(), kind, limits))
}

/// Picks the delimiter among `,` `;` tab `|` that splits the header into the
/// most columns while giving every following line (in the first 64 KiB) the
/// same count; falls back to the most frequent one in the header line, then `,`.
fn detect_delimiter(head: &[u8]) -> u8 {
    let complete = match head.iter().rposition(|&b| b == b'\n') {
        Some(end) if head.len() as u64 >= SNIFF_BYTES => &head[..=end],
        _ => head,
    };
    let mut best: Option<(u8, usize)> = None;
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(complete);
        let mut record = csv::ByteRecord::new();
        let mut width = None;
        let mut consistent = true;
        for _ in 0..50 {
            match reader.read_byte_record(&mut record) {
                Ok(true) => match width {
                    None => width = Some(record.len()),
                    Some(w) => consistent &= w == record.len(),
                },
                _ => break,
            }
        }
        let width = width.unwrap_or(1);
        if consistent && width > 1 && best.is_none_or(|(_, w)| width > w) {
            best = Some((delimiter, width));
        }
    }
    best.map(|(d, _)| d).unwrap_or_else(|| {
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
        [b',', b';', b'\t', b'|']
            .into_iter()
            .rev()
            .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
            .filter(|d| first_line.contains(d))
            .unwrap_or(b',')
    })
}

/// An open CSV file positioned after its header.
struct CsvScan {
    source: String,
    reader: csv::Reader<RecordGuard<Box<dyn Read + Send>>>,
    /// Byte offset where the record being read starts (see [`RecordGuard`]).
    mark: Arc<AtomicU64>,
    header: Vec<String>,
    delimiter: u8,
    limits: Limits,
}

/// Turns a csv error met while reading the record that starts on
/// `start_line` into a [`DataError`].
fn csv_error(
    source: &str,
    delimiter: u8,
    header_len: usize,
    start_line: u64,
    limits: &Limits,
    e: csv::Error,
) -> DataError {
    let line = e.position().map_or(start_line, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(err) if crossed(&err).is_some() => {
            limit_error(source, &err, || format!("line {start_line}"), limits)
                .unwrap_or_else(|| DataError::Parse {
                    source_name: source.to_string(),
                    message: format!("reading failed near line {start_line}: {err}"),
                })
        }
        csv::ErrorKind::Io(err) => DataError::Parse {
            source_name: source.to_string(),
            message: format!(
                "reading failed near line {line}: {err}; if the file is gzip-compressed, it may be truncated or corrupt"
            ),
        },
        csv::ErrorKind::Utf8 { pos, .. } => DataError::InvalidUtf8 {
            source_name: source.to_string(),
            line: pos.map_or(line, |p| p.line()) as usize,
        },
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => DataError::RaggedRow {
            source_name: source.to_string(),
            line: pos.map_or(line, |p| p.line()),
            expected: expected_len as usize,
            found: len as usize,
            delimiter: delimiter as char,
        },
        other => DataError::Parse {
            source_name: source.to_string(),
            message: format!("line {line}: {other:?} (header has {header_len} columns)"),
        },
    }
}

/// Checks the fields of a record that starts on `line` against the field
/// limit (cheap: only a record longer than the limit can hold such a field).
fn check_fields(
    source: &str,
    record: &csv::ByteRecord,
    line: u64,
    header: &[String],
    limits: &Limits,
) -> Result<(), DataError> {
    if record.as_slice().len() as u64 <= limits.max_field_bytes {
        return Ok(());
    }
    match record
        .iter()
        .position(|f| f.len() as u64 > limits.max_field_bytes)
    {
        Some(i) => Err(limits::exceeded(
            source,
            format!(
                "line {line}, column {}{}",
                i + 1,
                header
                    .get(i)
                    .map(|h| format!(" (`{}`)", h.chars().take(100).collect::<String>()))
                    .unwrap_or_default()
            ),
            LimitKind::Field,
            limits,
        )),
        None => Ok(()),
    }
}

/// Opens a CSV file, detects the delimiter and reads and checks the header.
fn open_csv(path: &Path, opts: &ReadOptions) -> Result<CsvScan, DataError> {
    let source = path.display().to_string();
    let limits = opts.limits;
    let mut stream = open_stream(path, &limits)?;
    let mut head = Vec::new();
    (&mut stream)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| {
            limit_error(&source, &e, || "line 1".to_string(), &limits).unwrap_or_else(|| {
                DataError::Parse {
                    source_name: source.clone(),
                    message: format!("reading the start of the file failed: {e}; if it is gzip-compressed, it may be corrupt"),
                }
            })
        })?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) && (head.len() as u64) < SNIFF_BYTES {
        return Err(DataError::EmptyFile {
            source_name: source,
        });
    }
    let delimiter = opts.delimiter.unwrap_or_else(|| detect_delimiter(&head));
    let chained: Box<dyn Read + Send> = Box::new(Cursor::new(head).chain(stream));
    let (guarded, mark) = RecordGuard::new(chained, limits.max_record_bytes);
    // Records end at `\n` only; a `\r` before it is cut from the last field
    // below. (With the csv crate's default CRLF terminator, the reported
    // line of a record after a CRLF line is one too small.)
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(256 * 1024)
        .from_reader(guarded);
    let raw_header = reader
        .byte_headers()
        .map_err(|e| csv_error(&source, delimiter, 0, 1, &limits, e))?
        .clone();
    if reader.position().byte() > limits.max_record_bytes {
        return Err(limits::exceeded(
            &source,
            "line 1 (the header)".to_string(),
            LimitKind::Record,
            &limits,
        ));
    }
    if raw_header.is_empty() {
        // Only blank lines (more of them than the sniffed start holds).
        return Err(DataError::EmptyFile {
            source_name: source,
        });
    }
    if raw_header.len() > limits.max_columns {
        return Err(limits::exceeded(
            &source,
            format!("the header (line 1) has {} columns", raw_header.len()),
            LimitKind::Columns,
            &limits,
        ));
    }
    let mut header = Vec::with_capacity(raw_header.len());
    let mut positions: HashMap<&[u8], usize> = HashMap::with_capacity(raw_header.len());
    for (i, field) in raw_header.iter().enumerate() {
        if field.len() as u64 > limits.max_field_bytes {
            return Err(limits::exceeded(
                &source,
                format!("line 1 (the header), column {}", i + 1),
                LimitKind::Field,
                &limits,
            ));
        }
        let field = field.strip_suffix(b"\r").unwrap_or(field);
        let name = std::str::from_utf8(field).map_err(|_| DataError::InvalidUtf8 {
            source_name: source.clone(),
            line: 1,
        })?;
        let name = name.trim();
        if let Some(first) = positions.insert(name.as_bytes(), i) {
            return Err(DataError::DuplicateColumn {
                source_name: source,
                column: name.to_string(),
                first: first + 1,
                second: i + 1,
            });
        }
        header.push(name.to_string());
    }
    drop(positions);
    Ok(CsvScan {
        source,
        reader,
        mark,
        header,
        delimiter,
        limits,
    })
}

/// Maps requested names to header positions; an empty request means every column.
fn project(source: &str, header: &[String], columns: &[&str]) -> Result<Vec<usize>, DataError> {
    if columns.is_empty() {
        return Ok((0..header.len()).collect());
    }
    // One index, so that projecting is linear in the header's width.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        index.entry(h.as_str()).or_insert(i);
    }
    columns
        .iter()
        .map(|&name| {
            index
                .get(name)
                .copied()
                .ok_or_else(|| DataError::MissingColumn {
                    source_name: source.to_string(),
                    column: name.to_string(),
                    available: header.to_vec(),
                })
        })
        .collect()
}

/// Records per batch handed from the parsing thread to the encoders.
const BATCH_RECORDS: usize = 8192;

/// The projected field `index` of `record` as text (a trailing `\r` cut from
/// the last column), or the 1-based line of its first invalid UTF-8 byte.
fn field_text(record: &csv::ByteRecord, index: usize, last: usize) -> Result<&str, usize> {
    let mut bytes = &record[index];
    if index == last {
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    }
    std::str::from_utf8(bytes).map_err(|e| {
        // The record's first line plus the line breaks before the bad byte.
        let before: usize = (0..index).map(|i| record[i].len()).sum();
        let inner = record.as_slice()[..before + e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        record.position().map_or(0, |p| p.line()) as usize + inner
    })
}

impl CsvScan {
    /// Streams every record and hands batches of width-checked records to
    /// `on_batch`, which returns the first line with invalid UTF-8 in a
    /// column it reads, if any. Parsing runs on its own thread while the
    /// previous batch is consumed. Returns the number of data rows.
    fn scan(
        &mut self,
        mut on_batch: impl FnMut(&[csv::ByteRecord]) -> Option<usize>,
    ) -> Result<usize, DataError> {
        let expected = self.header.len();
        let source = self.source.as_str();
        let delimiter = self.delimiter;
        let limits = self.limits;
        let header = self.header.as_slice();
        let mark = Arc::clone(&self.mark);
        let reader = &mut self.reader;
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<csv::ByteRecord>, usize)>(2);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<(Vec<csv::ByteRecord>, usize)>();
        let (parsed, consumed) = std::thread::scope(|scope| {
            let parser = scope.spawn(move || -> Result<(), DataError> {
                loop {
                    let (mut batch, _) = empty_rx
                        .try_recv()
                        .unwrap_or_else(|_| (vec![csv::ByteRecord::new(); BATCH_RECORDS], 0));
                    let mut filled = 0;
                    let mut failure = None;
                    while filled < BATCH_RECORDS {
                        let record = &mut batch[filled];
                        let start = reader.position().clone();
                        mark.store(start.byte(), Ordering::Relaxed);
                        match reader.read_byte_record(record) {
                            Err(e) => {
                                failure = Some(csv_error(
                                    source,
                                    delimiter,
                                    expected,
                                    start.line(),
                                    &limits,
                                    e,
                                ));
                                break;
                            }
                            Ok(false) => break,
                            Ok(true) => {}
                        }
                        let line = record.position().map_or(start.line(), |p| p.line());
                        if reader.position().byte() - start.byte() > limits.max_record_bytes {
                            failure = Some(limits::exceeded(
                                source,
                                format!("line {line}"),
                                LimitKind::Record,
                                &limits,
                            ));
                            break;
                        }
                        if let Err(e) = check_fields(source, record, line, header, &limits) {
                            failure = Some(e);
                            break;
                        }
                        if expected > 1 && record.len() == 1 && &record[0] == b"\r" {
                            // A blank CRLF line (the csv crate skips blank LF
                            // lines). With a single column the same bytes may
                            // be a quoted empty value `""`, so it is kept.
                            continue;
                        }
                        if record.len() != expected {
                            failure = Some(DataError::RaggedRow {
                                source_name: source.to_string(),
                                line: record.position().map_or(0, |p| p.line()),
                                expected,
                                found: record.len(),
                                delimiter: delimiter as char,
                            });
                            break;
                        }
                        filled += 1;
                    }
                    if let Some(failure) = failure {
                        // Hand over the good records first, so that an
                        // earlier error in them (invalid UTF-8) wins.
                        if filled > 0 {
                            let _ = full_tx.send((batch, filled));
                        }
                        return Err(failure);
                    }
                    let done = filled < BATCH_RECORDS;
                    if filled > 0 && full_tx.send((batch, filled)).is_err() {
                        return Ok(()); // the consumer stopped on an error
                    }
                    if done {
                        return Ok(());
                    }
                }
            });
            let mut rows = 0usize;
            let mut bad_line = None;
            for (batch, filled) in full_rx.iter() {
                if let Some(line) = on_batch(&batch[..filled]) {
                    bad_line = Some(line);
                    break;
                }
                rows += filled;
                let _ = empty_tx.send((batch, filled));
            }
            drop(full_rx);
            let parsed = parser.join().unwrap_or_else(|_| {
                Err(DataError::Parse {
                    source_name: source.to_string(),
                    message: "the CSV parsing thread stopped unexpectedly".to_string(),
                })
            });
            (parsed, bad_line.map_or(Ok(rows), Err))
        });
        match consumed {
            Err(line) => Err(DataError::InvalidUtf8 {
                source_name: self.source.clone(),
                line,
            }),
            Ok(rows) => {
                parsed?;
                if rows == 0 {
                    return Err(DataError::NoDataRows {
                        source_name: self.source.clone(),
                        n_columns: expected,
                    });
                }
                Ok(rows)
            }
        }
    }
}

/// Feeds one batch into per-column sinks, one column per rayon task; returns
/// the first line with invalid UTF-8, if any.
fn feed_batch<T: Send>(
    sinks: &mut [T],
    projection: &[usize],
    last: usize,
    batch: &[csv::ByteRecord],
    push: impl Fn(&mut T, &str) + Sync,
) -> Option<usize> {
    sinks
        .par_iter_mut()
        .zip(projection.par_iter())
        .filter_map(|(sink, &index)| {
            for record in batch {
                match field_text(record, index, last) {
                    Ok(value) => push(sink, value),
                    Err(line) => return Some(line),
                }
            }
            None
        })
        .min()
}

/// Writes the text of a JSON value into `buf` (numbers, booleans, nested
/// arrays and objects as compact JSON); `None` for null.
fn json_text<'a>(value: &'a serde_json::Value, buf: &'a mut String) -> Option<&'a str> {
    use serde_json::Value;
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.as_str()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            buf.clear();
            use std::fmt::Write;
            let _ = write!(buf, "{n}");
            Some(buf.as_str())
        }
        other => {
            *buf = other.to_string();
            Some(buf.as_str())
        }
    }
}

/// The keys of an NDJSON file in order of first appearance, with a set for
/// lookups that stay constant-time however many keys there are.
#[derive(Default)]
struct SeenKeys {
    order: Vec<String>,
    set: HashSet<String>,
}

/// Streams an NDJSON file under `limits`: calls `on_object(object, new)` for
/// every non-blank line, where `new` are the keys first seen on that line.
/// Returns the keys of the whole file in order of first appearance.
fn scan_ndjson(
    path: &Path,
    limits: &Limits,
    mut on_object: impl FnMut(&serde_json::Map<String, serde_json::Value>, &[String]),
) -> Result<Vec<String>, DataError> {
    let source = path.display().to_string();
    let mut reader = BufReader::with_capacity(256 * 1024, open_stream(path, limits)?);
    let mut line_bytes = Vec::new();
    let mut line_no = 0usize;
    let mut saw_content = false;
    let mut seen = SeenKeys::default();
    let mut new_keys: Vec<String> = Vec::new();
    loop {
        line_bytes.clear();
        let n = limits::read_line_bounded(&mut reader, &mut line_bytes, limits.max_record_bytes)
            .map_err(|e| {
                limit_error(&source, &e, || format!("line {}", line_no + 1), limits).unwrap_or_else(
                    || DataError::Parse {
                        source_name: source.clone(),
                        message: format!(
                            "reading failed after line {line_no}: {e}; if the file is gzip-compressed, it may be truncated or corrupt"
                        ),
                    },
                )
            })?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if line_no == 1 && line_bytes.starts_with(b"\xEF\xBB\xBF") {
            line_bytes.drain(..3);
        }
        let text = std::str::from_utf8(&line_bytes).map_err(|_| DataError::InvalidUtf8 {
            source_name: source.clone(),
            line: line_no,
        })?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        saw_content = true;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| DataError::Parse {
                source_name: source.clone(),
                message: format!(
                    "line {line_no}, column {}: not valid JSON ({e}); NDJSON needs one complete JSON object per line{}",
                    e.column(),
                    if line_no == 1 && text.starts_with('[') {
                        "; this looks like one JSON array: convert it with `jq -c '.[]'`"
                    } else {
                        ""
                    }
                ),
            })?;
        match value {
            serde_json::Value::Object(map) => {
                if text.len() as u64 > limits.max_field_bytes {
                    if let Some(key) = map.iter().find_map(|(k, v)| {
                        let long = match v {
                            serde_json::Value::String(s) => s.len() as u64 > limits.max_field_bytes,
                            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                                v.to_string().len() as u64 > limits.max_field_bytes
                            }
                            _ => false,
                        };
                        long.then_some(k)
                    }) {
                        return Err(limits::exceeded(
                            &source,
                            format!("line {line_no}, key `{}`", key.chars().take(100).collect::<String>()),
                            LimitKind::Field,
                            limits,
                        ));
                    }
                }
                new_keys.clear();
                for key in map.keys() {
                    if !seen.set.contains(key) {
                        if seen.order.len() >= limits.max_columns {
                            return Err(limits::exceeded(
                                &source,
                                format!(
                                    "line {line_no} brings the number of distinct keys (columns) past {}",
                                    limits.max_columns
                                ),
                                LimitKind::Columns,
                                limits,
                            ));
                        }
                        seen.set.insert(key.clone());
                        seen.order.push(key.clone());
                        new_keys.push(key.clone());
                    }
                }
                on_object(&map, &new_keys)
            }
            other => {
                return Err(DataError::Parse {
                    source_name: source,
                    message: format!(
                        "line {line_no}: expected a JSON object, found {}; NDJSON needs one object per line{}",
                        match other {
                            serde_json::Value::Array(_) => "an array",
                            serde_json::Value::String(_) => "a string",
                            serde_json::Value::Number(_) => "a number",
                            serde_json::Value::Bool(_) => "a boolean",
                            _ => "null",
                        },
                        if matches!(other, serde_json::Value::Array(_)) {
                            " (convert a JSON array with `jq -c '.[]'`)"
                        } else {
                            ""
                        }
                    ),
                })
            }
        }
    }
    if !saw_content {
        return Err(DataError::EmptyFile {
            source_name: source,
        });
    }
    Ok(seen.order)
}

/// Reads a whole Parquet file (gzip allowed) with the given columns (all when
/// `None`), every column cast to text.
fn read_parquet(
    path: &Path,
    columns: Option<&[&str]>,
    limits: &Limits,
) -> Result<DataFrame, DataError> {
    let source = path.display().to_string();
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let mut magic = [0u8; 4];
    let n_magic = read_up_to(&mut file, &mut magic).map_err(|e| io_error(path, e))?;
    if n_magic == 0 {
        return Err(DataError::EmptyFile {
            source_name: source,
        });
    }
    let not_parquet_magic = || {
        DataError::Parse {
        source_name: source.clone(),
        message: "not a Parquet file (it does not start with the `PAR1` magic bytes); check the file or pass the right format in ReadOptions".to_string(),
    }
    };
    if magic.starts_with(&[0x1f, 0x8b]) {
        // Parquet needs random access: decompress into memory, at most
        // `max_file_bytes` of it.
        let mut bytes = Vec::new();
        open_stream(path, limits)?
            .take(limits.max_file_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| {
                limit_error(&source, &e, || "the decompressed file".to_string(), limits)
                    .unwrap_or_else(|| DataError::Parse {
                        source_name: source.clone(),
                        message: format!(
                            "reading failed: {e}; the gzip stream may be truncated or corrupt"
                        ),
                    })
            })?;
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(limits::exceeded(
                &source,
                "the decompressed file".to_string(),
                LimitKind::File,
                limits,
            ));
        }
        if bytes.is_empty() {
            return Err(DataError::EmptyFile {
                source_name: source,
            });
        }
        if !bytes.starts_with(b"PAR1") {
            return Err(not_parquet_magic());
        }
        super::parquet_footer::check_bytes(&source, &bytes)?;
        parquet_frame(
            ParquetReader::new(Cursor::new(bytes)),
            &source,
            columns,
            limits,
        )
    } else {
        if &magic[..n_magic] != b"PAR1" {
            return Err(not_parquet_magic());
        }
        // A plain file is memory-mapped by polars; only the projected
        // column chunks are decoded.
        // The footer is checked first (and the file rewound): a corrupt one
        // can make the decoder reserve gigabytes and abort.
        super::parquet_footer::check_file(&source, &mut file, limits)?;
        parquet_frame(ParquetReader::new(file), &source, columns, limits)
    }
}

/// Fills `buf` as far as the reader allows; returns the number of bytes read.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Runs a step of the Parquet reader, turning a panic inside it (a malformed
/// file can trip assertions in the decoder) into an error naming the file.
fn unpanicked<T>(
    source: &str,
    step: impl FnOnce() -> Result<T, DataError>,
) -> Result<T, DataError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string());
        Err(DataError::Parse {
            source_name: source.to_string(),
            message: format!(
                "not a readable Parquet file (the decoder failed: {what}); check that it was fully written and is not corrupt"
            ),
        })
    })
}

fn parquet_frame<R: polars::io::mmap::MmapBytesReader>(
    reader: ParquetReader<R>,
    source: &str,
    columns: Option<&[&str]>,
    limits: &Limits,
) -> Result<DataFrame, DataError> {
    unpanicked(source, move || {
        parquet_frame_inner(reader, source, columns, limits)
    })
}

fn parquet_frame_inner<R: polars::io::mmap::MmapBytesReader>(
    mut reader: ParquetReader<R>,
    source: &str,
    columns: Option<&[&str]>,
    limits: &Limits,
) -> Result<DataFrame, DataError> {
    let source = source.to_string();
    let not_parquet = |e: PolarsError| {
        DataError::Parse {
        source_name: source.clone(),
        message: format!(
            "not a readable Parquet file ({e}); check that it was fully written, or pass the right format in ReadOptions"
        ),
    }
    };
    let schema = reader.schema().map_err(not_parquet)?;
    if schema.len() > limits.max_columns {
        return Err(limits::exceeded(
            &source,
            format!("the schema has {} fields", schema.len()),
            LimitKind::Columns,
            limits,
        ));
    }
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let frame = match columns {
        Some(cols) if !cols.is_empty() => {
            project(&source, &header, cols)?;
            reader
                .with_columns(Some(cols.iter().map(|c| c.to_string()).collect()))
                .finish()
        }
        _ => reader.finish(),
    }
    .map_err(not_parquet)?;
    if frame.height() == 0 {
        return Err(DataError::NoDataRows {
            source_name: source,
            n_columns: header.len(),
        });
    }
    let cast = frame
        .columns()
        .iter()
        .map(|c| {
            c.cast(&DataType::String).map_err(|e| DataError::Parse {
                source_name: source.clone(),
                message: format!(
                    "column `{}` has type {} which cannot be read as text ({e}); flatten nested columns before auditing",
                    c.name(),
                    c.dtype()
                ),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    DataFrame::new(frame.height(), cast).map_err(not_parquet)
}

fn frame_error(source: &str, e: PolarsError) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: format!("building the table failed: {e}"),
    }
}

fn format_of(path: &Path, opts: &ReadOptions) -> Result<Format, DataError> {
    match opts.format {
        Some(f) => Ok(f),
        None => detect_format(path),
    }
}

/// Reads a whole file with every column as text. Same as
/// [`read_frame_columns`] with no projection.
pub fn read_frame(path: &Path, opts: &ReadOptions) -> Result<DataFrame, DataError> {
    read_frame_columns(path, None, opts)
}

/// Reads `columns` of a file (all columns when `None` or empty), every column
/// as a polars `String` column, in the order requested.
///
/// In CSV an empty field is null (as in polars); in NDJSON a null or absent
/// key is null, and numbers, booleans and nested values are kept as their
/// JSON text. Errors: see [`load_table`].
pub fn read_frame_columns(
    path: &Path,
    columns: Option<&[&str]>,
    opts: &ReadOptions,
) -> Result<DataFrame, DataError> {
    let source = path.display().to_string();
    match format_of(path, opts)? {
        Format::Parquet => read_parquet(path, columns, &opts.limits),
        Format::Csv => {
            let mut scan = open_csv(path, opts)?;
            let projection = project(&source, &scan.header, columns.unwrap_or(&[]))?;
            let mut builders: Vec<StringChunkedBuilder> = projection
                .iter()
                .map(|&i| StringChunkedBuilder::new(scan.header[i].as_str().into(), 1024))
                .collect();
            let last = scan.header.len() - 1;
            let rows = scan.scan(|batch| {
                feed_batch(&mut builders, &projection, last, batch, |b, value| {
                    if value.is_empty() {
                        b.append_null();
                    } else {
                        b.append_value(value);
                    }
                })
            })?;
            let cols = builders
                .into_iter()
                .map(|b| b.finish().into_series().into_column())
                .collect();
            DataFrame::new(rows, cols).map_err(|e| frame_error(&source, e))
        }
        Format::Ndjson => {
            let requested: Vec<String> = columns
                .unwrap_or(&[])
                .iter()
                .map(|c| c.to_string())
                .collect();
            let mut names: Vec<String> = requested.clone();
            let mut builders: Vec<StringChunkedBuilder> = names
                .iter()
                .map(|n| StringChunkedBuilder::new(n.as_str().into(), 1024))
                .collect();
            let mut buf = String::new();
            let mut rows = 0usize;
            let seen = scan_ndjson(path, &opts.limits, |object, new_keys| {
                if requested.is_empty() {
                    for key in new_keys {
                        let mut b = StringChunkedBuilder::new(key.as_str().into(), rows + 1);
                        for _ in 0..rows {
                            b.append_null();
                        }
                        names.push(key.clone());
                        builders.push(b);
                    }
                }
                for (name, builder) in names.iter().zip(builders.iter_mut()) {
                    let text = object.get(name).and_then(|v| json_text(v, &mut buf));
                    builder.append_option(text);
                }
                rows += 1;
            })?;
            let present: HashSet<&str> = seen.iter().map(String::as_str).collect();
            if let Some(absent) = requested.iter().find(|r| !present.contains(r.as_str())) {
                return Err(DataError::MissingColumn {
                    source_name: source,
                    column: absent.clone(),
                    available: seen,
                });
            }
            let cols = builders
                .into_iter()
                .map(|b| b.finish().into_series().into_column())
                .collect();
            DataFrame::new(rows, cols).map_err(|e| frame_error(&source, e))
        }
    }
}

/// Reads the whole of `path` under `opts` (format, delimiter, limits) and
/// keeps nothing: the errors [`load_table`] would give, for a caller that then
/// reads the file with another reader (e.g. polars, to keep NDJSON or
/// Parquet types) and wants line-numbered errors and bounded resources first.
/// A Parquet file's schema is read and checked, not its data.
pub fn check_file(path: &Path, opts: &ReadOptions) -> Result<(), DataError> {
    let source = path.display().to_string();
    match format_of(path, opts)? {
        Format::Csv => {
            let mut scan = open_csv(path, opts)?;
            let last = scan.header.len() - 1;
            let width = scan.header.len();
            scan.scan(|batch| {
                (0..width).find_map(|index| {
                    batch
                        .iter()
                        .find_map(|record| field_text(record, index, last).err())
                })
            })?;
            Ok(())
        }
        Format::Ndjson => scan_ndjson(path, &opts.limits, |_, _| {}).map(|_| ()),
        Format::Parquet => {
            let mut file = File::open(path).map_err(|e| io_error(path, e))?;
            let limits = opts.limits;
            super::parquet_footer::check_file(&source, &mut file, &limits)?;
            unpanicked(&source, || {
                let mut reader = ParquetReader::new(file);
                let schema = reader.schema().map_err(|e| DataError::Parse {
                    source_name: source.clone(),
                    message: format!(
                        "not a readable Parquet file ({e}); check that it was fully written"
                    ),
                })?;
                if schema.len() > limits.max_columns {
                    return Err(limits::exceeded(
                        &source,
                        format!("the schema has {} fields", schema.len()),
                        LimitKind::Columns,
                        &limits,
                    ));
                }
                Ok(())
            })
        }
    }
}

/// Runs `step`, turning a panic inside a third-party decoder into an error
/// naming `source` (see [`unpanicked`]).
pub fn without_panics<T>(
    source: &str,
    step: impl FnOnce() -> Result<T, DataError>,
) -> Result<T, DataError> {
    unpanicked(source, step)
}

/// Dictionary-encodes `columns` of `frame` under `missing` (all columns when
/// `columns` is empty), one column per rayon task.
pub fn encode_frame(
    frame: &DataFrame,
    columns: &[&str],
    source: &str,
    missing: &MissingPolicy,
) -> Result<EncodedTable, DataError> {
    let names: Vec<String> = if columns.is_empty() {
        frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect()
    } else {
        columns.iter().map(|c| c.to_string()).collect()
    };
    let encoded = names
        .par_iter()
        .map(|name| {
            let strings = text_chunked(frame, name, source)?;
            Ok(CategoricalColumn::encode(
                name,
                strings.iter(),
                |v| missing.is_missing(v),
                &missing.label,
            ))
        })
        .collect::<Result<Vec<_>, DataError>>()?;
    Ok(EncodedTable::new(source, encoded))
}

/// Reads `path` and dictionary-encodes `columns` (every column when
/// `columns` is empty), in the order requested, under `missing`.
///
/// Only the requested columns are kept: CSV and NDJSON are streamed straight
/// into the encoders, Parquet reads only those column chunks.
///
/// Errors ([`DataError`], each naming the file and, for CSV and NDJSON, the
/// 1-based line with the header as line 1): unsupported extension, empty file,
/// header without data rows, a requested column that is not in the file
/// (listing those that are), duplicate column names, a CSV record with more
/// or fewer fields than the header, invalid UTF-8 in a column that is read,
/// an NDJSON line that is not a JSON object, a Parquet file that cannot be read.
pub fn load_table(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
) -> Result<EncodedTable, DataError> {
    let source = path.display().to_string();
    let is_missing = |v: &str| missing.is_missing(v);
    match format_of(path, opts)? {
        Format::Parquet => {
            let frame = read_parquet(path, Some(columns), &opts.limits)?;
            encode_frame(&frame, columns, &source, missing)
        }
        Format::Csv => {
            let mut scan = open_csv(path, opts)?;
            let projection = project(&source, &scan.header, columns)?;
            let mut builders: Vec<CategoricalColumnBuilder> = projection
                .iter()
                .map(|&i| CategoricalColumnBuilder::new(&scan.header[i], &missing.label))
                .collect();
            let last = scan.header.len() - 1;
            scan.scan(|batch| {
                feed_batch(&mut builders, &projection, last, batch, |b, value| {
                    b.push(Some(value), is_missing)
                })
            })?;
            Ok(EncodedTable::new(
                &source,
                builders.into_iter().map(|b| b.finish()).collect(),
            ))
        }
        Format::Ndjson => {
            let mut names: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            let mut builders: Vec<CategoricalColumnBuilder> = names
                .iter()
                .map(|n| CategoricalColumnBuilder::new(n, &missing.label))
                .collect();
            let mut buf = String::new();
            let mut rows = 0usize;
            let seen = scan_ndjson(path, &opts.limits, |object, new_keys| {
                if columns.is_empty() {
                    for key in new_keys {
                        let mut b = CategoricalColumnBuilder::new(key, &missing.label);
                        b.push_missing(rows);
                        names.push(key.clone());
                        builders.push(b);
                    }
                }
                for (name, builder) in names.iter().zip(builders.iter_mut()) {
                    let text = object.get(name).and_then(|v| json_text(v, &mut buf));
                    builder.push(text, is_missing);
                }
                rows += 1;
            })?;
            let present: HashSet<&str> = seen.iter().map(String::as_str).collect();
            if let Some(absent) = columns.iter().find(|&&c| !present.contains(c)) {
                return Err(DataError::MissingColumn {
                    source_name: source,
                    column: absent.to_string(),
                    available: seen,
                });
            }
            Ok(EncodedTable::new(
                &source,
                builders.into_iter().map(|b| b.finish()).collect(),
            ))
        }
    }
}

/// Column `name` of `frame` cast to text. Errors name `source` and the
/// column, and list the available columns when it is missing.
pub fn text_chunked(
    frame: &DataFrame,
    name: &str,
    source: &str,
) -> Result<StringChunked, DataError> {
    let column = frame.column(name).map_err(|_| DataError::MissingColumn {
        source_name: source.to_string(),
        column: name.to_string(),
        available: frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect(),
    })?;
    let column = column
        .cast(&DataType::String)
        .map_err(|e| DataError::Parse {
            source_name: source.to_string(),
            message: format!("column `{name}` cannot be read as text: {e}"),
        })?;
    let strings = column.str().map_err(|e| DataError::Parse {
        source_name: source.to_string(),
        message: format!("column `{name}` cannot be read as text: {e}"),
    })?;
    Ok(strings.clone())
}

/// Column `name` of `frame` as optional strings (nulls as `None`); errors as
/// [`text_chunked`].
pub fn text_column(
    frame: &DataFrame,
    name: &str,
    source: &str,
) -> Result<Vec<Option<String>>, DataError> {
    Ok(text_chunked(frame, name, source)?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// One key per row of `frame`: the text of `columns` joined by the unit
/// separator U+001F (nulls as empty), for grouping aggregates by several
/// columns. Errors as [`text_chunked`].
pub fn group_keys(
    frame: &DataFrame,
    columns: &[String],
    source: &str,
) -> Result<Vec<String>, DataError> {
    let cols = columns
        .iter()
        .map(|c| text_chunked(frame, c, source))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((0..frame.height())
        .map(|row| {
            cols.iter()
                .map(|c| c.get(row).unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\u{1f}")
        })
        .collect())
}
