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
//! `u32` per requested column. [`load_table`] cuts the file into chunks of
//! whole records that are parsed and encoded in parallel and merged in file
//! order into the same codes one pass gives (`chunked`); on any error it
//! reads the file again with the sequential reader (one thread parses
//! records in batches while the previous batch is encoded, one column per
//! rayon task), whose errors name the earliest bad line. NDJSON is read
//! line by line with `serde_json` for the same reasons (line numbers;
//! nested values and mixed types kept as text instead of failing polars'
//! schema inference). Parquet, which is
//! columnar and typed, is read with polars (projection pushed down) and cast
//! to text; [`load_table`] does so one row group at a time.
//!
//! Every reader enforces [`Limits`] (field, record and column counts, gzip
//! expansion) while it streams, so a hostile file fails within the limit with
//! an error naming the file and line instead of exhausting memory; header
//! handling is linear in the number of columns.
//!
//! One file per format: `delimited` (CSV/TSV: delimiter sniffing, the
//! streaming record check, batching into encoders), `ndjson` and
//! `parquet_file` (with the footer checks of `parquet_footer`); this file
//! holds the options, the missing-value policy, opening (gzip detection,
//! limits) and the public entry points that dispatch on the format.
//!
//! This module reads; it does not decide roles, parse generalized values or write.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use polars::prelude::*;
use rayon::prelude::*;

mod chunked;
mod delimited;
mod ndjson;
mod parquet_file;
mod stream;

use delimited::{feed_batch, field_text, open_csv};
use ndjson::{json_text, scan_ndjson};
use parquet_file::{load_parquet, read_parquet};
pub use stream::{stream_table, stream_table_reusing, CodeBuffers, StreamEvent};

use super::limits::{self, crossed, Counted, LimitKind, Limits, RatioGuard};
pub use super::tokens::DEFAULT_MISSING_TOKENS;
use super::{CategoricalColumn, CategoricalColumnBuilder, DataError, EncodedTable};
pub use parquet_file::column_as_text;

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

/// The in-memory table `path` names ([`crate::data::memory`]), projected to
/// `columns` (all when empty) in the order requested; `None` for a file path.
fn memory_frame(path: &Path, columns: &[&str]) -> Result<Option<DataFrame>, DataError> {
    let Some(frame) = super::memory::lookup(path)? else {
        return Ok(None);
    };
    let source = path.display().to_string();
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let projection = project(&source, &header, columns)?;
    let picked: Vec<Column> = projection
        .iter()
        .map(|&i| frame.columns()[i].clone())
        .collect();
    DataFrame::new(frame.height(), picked)
        .map(Some)
        .map_err(|e| frame_error(&source, e))
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
    if let Some(frame) = memory_frame(path, columns.unwrap_or(&[]))? {
        return Ok(frame);
    }
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

/// The column names of `path` in file order without reading its rows: the
/// CSV header, the Parquet schema; for NDJSON every key met in the file (in
/// order of first appearance, as [`read_frame`] names its columns), which
/// takes a pass over the file keeping only the keys.
pub fn file_columns(path: &Path, opts: &ReadOptions) -> Result<Vec<String>, DataError> {
    if let Some(frame) = memory_frame(path, &[])? {
        return Ok(frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect());
    }
    match format_of(path, opts)? {
        Format::Csv => Ok(open_csv(path, opts)?.header.clone()),
        Format::Parquet => parquet_file::parquet_column_names(path, &opts.limits),
        Format::Ndjson => scan_ndjson(path, &opts.limits, |_, _| {}),
    }
}

/// Reads the whole of `path` under `opts` (format, delimiter, limits) and
/// keeps nothing: the errors [`load_table`] would give, for a caller that then
/// reads the file with another reader (e.g. polars, to keep NDJSON or
/// Parquet types) and wants line-numbered errors and bounded resources first.
/// A Parquet file's schema is read and checked, not its data.
pub fn check_file(path: &Path, opts: &ReadOptions) -> Result<(), DataError> {
    if memory_frame(path, &[])?.is_some() {
        return Ok(());
    }
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
    if let Some(frame) = memory_frame(path, columns)? {
        return encode_frame(&frame, columns, &source, missing);
    }
    let is_missing = |v: &str| missing.is_missing(v);
    match format_of(path, opts)? {
        Format::Parquet => load_parquet(path, columns, &opts.limits, missing),
        Format::Csv => load_csv(path, columns, opts, missing, CsvPath::Auto),
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

/// Which CSV reader [`load_csv`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CsvPath {
    /// The parallel chunked reader, and the sequential one when it gives up.
    Auto,
    /// The sequential reader only (one parsing thread, exact error lines).
    #[cfg(test)]
    Sequential,
    /// The chunked reader only, with the given block size and threads;
    /// `Ok(None)` when it gives up.
    #[cfg(test)]
    Chunked { block_bytes: usize, threads: usize },
}

/// The CSV branch of [`load_table`]: the chunked parallel reader
/// (`chunked`) first, and the sequential one when it gives up (any error,
/// whose line the sequential reader then names).
fn load_csv(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
    how: CsvPath,
) -> Result<EncodedTable, DataError> {
    load_csv_with(path, columns, opts, missing, how)?.ok_or_else(|| DataError::Parse {
        source_name: path.display().to_string(),
        message: "the chunked CSV reader gave up".to_string(),
    })
}

fn load_csv_with(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
    how: CsvPath,
) -> Result<Option<EncodedTable>, DataError> {
    let source = path.display().to_string();
    let mut scan = open_csv(path, opts)?;
    let projection = project(&source, &scan.header, columns)?;
    let new_builders = |header: &[String]| -> Vec<CategoricalColumnBuilder> {
        projection
            .iter()
            .map(|&i| CategoricalColumnBuilder::new(&header[i], &missing.label))
            .collect()
    };
    let finish = |builders: Vec<CategoricalColumnBuilder>| {
        EncodedTable::new(&source, builders.into_iter().map(|b| b.finish()).collect())
    };
    let (block_bytes, threads) = match how {
        #[cfg(test)]
        CsvPath::Sequential => (0, 0),
        CsvPath::Auto => (chunked::BLOCK_BYTES, rayon::current_num_threads()),
        #[cfg(test)]
        CsvPath::Chunked {
            block_bytes,
            threads,
        } => (block_bytes, threads),
    };
    if threads > 0 {
        let plan = chunked::ChunkPlan {
            delimiter: scan.delimiter,
            width: scan.header.len(),
            projection: &projection,
            missing,
            limits: opts.limits,
            block_bytes,
        };
        let mut builders = new_builders(&scan.header);
        if chunked::load_chunked(
            path,
            scan.data_start,
            &plan,
            &mut builders,
            threads,
            &mut |_| true,
        )
        .is_some()
        {
            return Ok(Some(finish(builders)));
        }
        #[cfg(test)]
        if how != CsvPath::Auto {
            return Ok(None);
        }
    }
    let mut builders = new_builders(&scan.header);
    let last = scan.header.len() - 1;
    let is_missing = |v: &str| missing.is_missing(v);
    scan.scan(|batch| {
        feed_batch(&mut builders, &projection, last, batch, |b, value| {
            b.push(Some(value), is_missing)
        })
    })?;
    Ok(Some(finish(builders)))
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
    let column = column_as_text(column).map_err(|e| DataError::Parse {
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
