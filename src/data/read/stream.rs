//! Streaming reads: a file handed over as a sequence of small
//! [`EncodedTable`]s (chunks of consecutive rows), never held whole.
//!
//! Each chunk is dictionary-encoded on its own (its codes number its own
//! values); a consumer that merges chunks must key on the values, not the
//! codes (as `engine::ClassPartial` and the out-of-core engine do).
//! The readers are those of [`load_table`](super::load_table), so values,
//! the missing-value policy and the errors (file, line, column) are the
//! same: CSV through the parallel chunked reader, and when that gives up
//! the sequential one (then a [`StreamEvent::Restart`] tells the consumer to
//! drop what it received, since the file is read again from its first row);
//! Parquet one row group at a time; NDJSON line by line. An in-memory table
//! ([`crate::data::memory`]) is one chunk.

use std::path::Path;

use super::chunked::{self, ChunkPlan};
use super::delimited::{feed_batch, open_csv};
use super::ndjson::{json_text, scan_ndjson};
use super::parquet_file::stream_parquet;
use super::{encode_frame, format_of, memory_frame, project, Format, MissingPolicy, ReadOptions};
use crate::data::{CategoricalColumnBuilder, DataError, EncodedTable};

/// What [`stream_table`] hands its consumer.
#[derive(Debug)]
pub enum StreamEvent {
    /// Rows `first_row .. first_row + table.n_rows` of the input (0-based).
    Chunk {
        /// The chunk's columns, in the order requested.
        table: EncodedTable,
        /// The input row of the chunk's row 0.
        first_row: u64,
    },
    /// Everything received so far is void: the input is read again from
    /// its first row (the parallel CSV reader gave up part-way).
    Restart,
}

/// The most rows a chunk's builders reserve room for up front.
const MAX_RESERVED_ROWS: usize = 1 << 20;

/// Hands the chunks to the consumer and keeps its first error.
/// Code buffers handed back by a consumer of [`stream_table_reusing`]'s
/// chunks ([`CodeBuffers::recycle`]) for the next chunks' columns: a fresh
/// allocation per chunk and column is a page fault per 4 KiB written (the
/// largest source of page faults of `reident metrics --memory` on Parquet,
/// by `perf record -e page-faults`). At most [`CodeBuffers::KEPT`] buffers
/// are kept.
#[derive(Debug, Default)]
pub struct CodeBuffers {
    pool: std::sync::Mutex<Vec<Vec<u32>>>,
}

impl CodeBuffers {
    /// Most buffers kept for reuse (two chunks of 32 columns).
    pub const KEPT: usize = 64;

    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the code buffers of a table whose chunk was consumed.
    pub fn recycle(&self, table: EncodedTable) {
        if let Ok(mut pool) = self.pool.lock() {
            for column in table.columns {
                if pool.len() < Self::KEPT && column.codes.capacity() > 0 {
                    pool.push(column.codes);
                }
            }
        }
    }

    /// A buffer to reuse, if one was handed back.
    fn take(&self) -> Option<Vec<u32>> {
        self.pool.lock().ok().and_then(|mut pool| pool.pop())
    }
}

struct Flusher<'a, E> {
    buffers: &'a CodeBuffers,
    source: String,
    names: Vec<String>,
    label: String,
    chunk_rows: usize,
    next_row: u64,
    failure: Option<E>,
    on_event: &'a mut dyn FnMut(StreamEvent) -> Result<(), E>,
}

impl<E> Flusher<'_, E> {
    fn fresh(&self) -> Vec<CategoricalColumnBuilder> {
        self.names.iter().map(|n| self.builder(n)).collect()
    }

    /// An empty builder with room for a chunk: growing one by doubling
    /// copied every chunk's codes up to four times over and faulted in new
    /// pages each time (a fifth of `metrics --memory`'s CPU on Parquet, by
    /// `perf`).
    fn builder(&self, name: &str) -> CategoricalColumnBuilder {
        let rows = self.chunk_rows.min(MAX_RESERVED_ROWS);
        match self.buffers.take() {
            Some(codes) => CategoricalColumnBuilder::with_buffer(name, &self.label, codes, rows),
            None => CategoricalColumnBuilder::with_capacity(name, &self.label, rows),
        }
    }

    /// Hands over the builders' rows when they reach a chunk (or, with
    /// `last`, when they hold any); `false` once the consumer failed.
    fn flush(&mut self, builders: &mut [CategoricalColumnBuilder], last: bool) -> bool {
        if self.failure.is_some() {
            return false;
        }
        let rows = builders.first().map_or(0, |b| b.len());
        if rows == 0 || (!last && rows < self.chunk_rows) {
            return true;
        }
        let columns = builders
            .iter_mut()
            .map(|b| {
                let fresh = self.builder(b.name());
                std::mem::replace(b, fresh).finish()
            })
            .collect();
        let table = EncodedTable::new(&self.source, columns);
        let first_row = self.next_row;
        self.next_row += rows as u64;
        match (self.on_event)(StreamEvent::Chunk { table, first_row }) {
            Ok(()) => true,
            Err(e) => {
                self.failure = Some(e);
                false
            }
        }
    }

    fn restart(&mut self) -> Result<(), E> {
        self.next_row = 0;
        (self.on_event)(StreamEvent::Restart)
    }

    fn check(&mut self) -> Result<(), E> {
        match self.failure.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Reads `columns` of `path` (at least one; in the order requested) under
/// `missing` and hands them to `on_event` in chunks of about `chunk_rows`
/// rows (a Parquet row group or a CSV block may round a chunk up), in file
/// order. Only one chunk (and, for CSV, a few blocks being parsed) is held
/// at a time. Returns the number of rows.
///
/// Errors: those of [`load_table`](super::load_table) (each naming the file
/// and, for CSV and NDJSON, the line), and the first error `on_event`
/// returns (reading stops there).
pub fn stream_table<E: From<DataError>>(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
    chunk_rows: usize,
    on_event: &mut dyn FnMut(StreamEvent) -> Result<(), E>,
) -> Result<u64, E> {
    let buffers = CodeBuffers::new();
    stream_table_reusing(path, columns, opts, missing, chunk_rows, &buffers, on_event)
}

/// [`stream_table`], building each chunk's columns in the code buffers the
/// consumer hands back to `buffers` (when it has), so that the chunks reuse
/// memory instead of faulting in new pages.
pub fn stream_table_reusing<E: From<DataError>>(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
    chunk_rows: usize,
    buffers: &CodeBuffers,
    on_event: &mut dyn FnMut(StreamEvent) -> Result<(), E>,
) -> Result<u64, E> {
    let source = path.display().to_string();
    if columns.is_empty() {
        return Err(DataError::Parse {
            source_name: source,
            message: "streaming needs the columns to read named".to_string(),
        }
        .into());
    }
    let mut flusher = Flusher {
        buffers,
        source: source.clone(),
        names: columns.iter().map(|c| c.to_string()).collect(),
        label: missing.label.clone(),
        chunk_rows: chunk_rows.max(1),
        next_row: 0,
        failure: None,
        on_event,
    };
    if let Some(frame) = memory_frame(path, columns)? {
        let table = encode_frame(&frame, columns, &source, missing)?;
        let rows = table.n_rows as u64;
        (flusher.on_event)(StreamEvent::Chunk {
            table,
            first_row: 0,
        })?;
        return Ok(rows);
    }
    match format_of(path, opts)? {
        Format::Csv => stream_csv(path, columns, opts, missing, &mut flusher)?,
        Format::Parquet => {
            let capacity = flusher.chunk_rows.min(MAX_RESERVED_ROWS);
            let rest = stream_parquet(path, columns, &opts.limits, missing, capacity, &mut |b| {
                flusher.flush(b, false)
            });
            flusher.check()?;
            let rest = rest?;
            if rest.n_rows > 0 {
                let first_row = flusher.next_row;
                flusher.next_row += rest.n_rows as u64;
                (flusher.on_event)(StreamEvent::Chunk {
                    table: rest,
                    first_row,
                })?;
            }
        }
        Format::Ndjson => {
            let mut builders = flusher.fresh();
            let is_missing = |v: &str| missing.is_missing(v);
            let mut buf = String::new();
            let seen = scan_ndjson(path, &opts.limits, |object, _| {
                if flusher.failure.is_some() {
                    return;
                }
                for (name, builder) in columns.iter().zip(builders.iter_mut()) {
                    let text = object.get(*name).and_then(|v| json_text(v, &mut buf));
                    builder.push(text, is_missing);
                }
                flusher.flush(&mut builders, false);
            });
            flusher.check()?;
            let seen = seen?;
            if let Some(absent) = columns.iter().find(|&&c| !seen.iter().any(|s| s == c)) {
                return Err(DataError::MissingColumn {
                    source_name: source,
                    column: absent.to_string(),
                    available: seen,
                }
                .into());
            }
            flusher.flush(&mut builders, true);
            flusher.check()?;
        }
    }
    Ok(flusher.next_row)
}

/// The CSV branch of [`stream_table`].
fn stream_csv<E: From<DataError>>(
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
    flusher: &mut Flusher<'_, E>,
) -> Result<(), E> {
    let source = path.display().to_string();
    let mut scan = open_csv(path, opts)?;
    let projection = project(&source, &scan.header, columns)?;
    let plan = ChunkPlan {
        delimiter: scan.delimiter,
        width: scan.header.len(),
        projection: &projection,
        missing,
        limits: opts.limits,
        block_bytes: chunked::BLOCK_BYTES,
    };
    let mut builders = flusher.fresh();
    let threads = rayon::current_num_threads();
    let done = chunked::load_chunked(
        path,
        scan.data_start,
        &plan,
        &mut builders,
        threads,
        &mut |b| flusher.flush(b, false),
    );
    flusher.check()?;
    if done.is_some() {
        flusher.flush(&mut builders, true);
        return flusher.check();
    }
    // The chunked reader gave up: the sequential one reads the file again
    // (and names the line of the error, if there is one).
    if flusher.next_row > 0 {
        flusher.restart()?;
    }
    let mut builders = flusher.fresh();
    let last = scan.header.len() - 1;
    let is_missing = |v: &str| missing.is_missing(v);
    let scanned = scan.scan(|batch| {
        if let Some(line) = feed_batch(&mut builders, &projection, last, batch, |b, value| {
            b.push(Some(value), is_missing)
        }) {
            return Some(line);
        }
        if flusher.flush(&mut builders, false) {
            None
        } else {
            Some(0)
        }
    });
    flusher.check()?;
    scanned?;
    flusher.flush(&mut builders, true);
    flusher.check()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks built in recycled buffers (which still hold an earlier
    /// chunk's codes) carry exactly the file's values, in order.
    #[test]
    fn chunks_in_recycled_buffers_hold_the_file_rows() {
        let dir = tempfile::tempdir().unwrap();
        // NDJSON: chunked by line (a CSV block of this size is one chunk).
        let path = dir.path().join("t.ndjson");
        let rows: Vec<(String, String)> = (0..23)
            .map(|i| (format!("a{}", i % 5), format!("b{}", (i * 7) % 3)))
            .collect();
        let mut text = String::new();
        for (a, b) in &rows {
            text.push_str(&format!("{{\"a\": \"{a}\", \"b\": \"{b}\"}}\n"));
        }
        std::fs::write(&path, text).unwrap();
        let buffers = CodeBuffers::new();
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut chunks = 0;
        let n = stream_table_reusing(
            &path,
            &["b", "a"],
            &ReadOptions::default(),
            &MissingPolicy::default(),
            4,
            &buffers,
            &mut |event| -> Result<(), DataError> {
                if let StreamEvent::Chunk { table, first_row } = event {
                    assert_eq!(first_row as usize, seen.len());
                    let (b, a) = (&table.columns[0], &table.columns[1]);
                    for r in 0..table.n_rows {
                        seen.push((a.value(r).to_string(), b.value(r).to_string()));
                    }
                    chunks += 1;
                    buffers.recycle(table);
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n, 23);
        assert!(chunks >= 2, "{chunks} chunks");
        assert_eq!(seen, rows);
        // The last chunk's two buffers wait in the pool.
        assert!(buffers.take().is_some());
    }
}
