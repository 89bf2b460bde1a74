//! Delimited text (CSV, TSV, any one-byte delimiter): delimiter detection
//! from the first 64 KiB, one streaming pass with the `csv` crate that checks
//! every record against the header (exact line numbers for ragged rows, bad
//! UTF-8 and limits), and batches of records fed to per-column encoders in
//! parallel. Why not polars' CSV parser is in the parent module's notes. It
//! does not open files (the parent's `open_stream` handles gzip and limits).

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::{limit_error, open_stream, ReadOptions};
use crate::data::limits::{self, crossed, LimitKind, Limits, RecordGuard};
use crate::data::DataError;

/// How many bytes are looked at to detect the delimiter.
const SNIFF_BYTES: u64 = 64 * 1024;

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
pub(super) struct CsvScan {
    source: String,
    reader: csv::Reader<RecordGuard<Box<dyn Read + Send>>>,
    /// Byte offset where the record being read starts (see [`RecordGuard`]).
    mark: Arc<AtomicU64>,
    pub(super) header: Vec<String>,
    pub(super) delimiter: u8,
    limits: Limits,
    /// Byte offset (after a byte order mark) where the first data record starts.
    pub(super) data_start: u64,
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
pub(super) fn open_csv(path: &Path, opts: &ReadOptions) -> Result<CsvScan, DataError> {
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
    let data_start = reader.position().byte();
    Ok(CsvScan {
        source,
        reader,
        mark,
        header,
        delimiter,
        limits,
        data_start,
    })
}

/// Records per batch handed from the parsing thread to the encoders.
const BATCH_RECORDS: usize = 8192;

/// The projected field `index` of `record` as text (a trailing `\r` cut from
/// the last column), or the 1-based line of its first invalid UTF-8 byte.
pub(super) fn field_text(
    record: &csv::ByteRecord,
    index: usize,
    last: usize,
) -> Result<&str, usize> {
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
    pub(super) fn scan(
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
pub(super) fn feed_batch<T: Send>(
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
