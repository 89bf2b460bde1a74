//! Apache Parquet: the footer is checked first (`parquet_footer`: column
//! count, sizes, a file that only claims to be Parquet), then polars reads
//! the requested columns (projection pushed down) and casts them to text,
//! with a panic in the decoder turned into an error naming the file. It does
//! not stream record by record: Parquet is columnar.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use polars::prelude::*;

use super::{io_error, limit_error, open_stream, project, read_up_to, unpanicked};
use crate::data::limits::{self, LimitKind, Limits};
use crate::data::DataError;

/// Reads a whole Parquet file (gzip allowed) with the given columns (all when
/// `None`), every column cast to text.
pub(super) fn read_parquet(
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
        crate::data::parquet_footer::check_bytes(&source, &bytes)?;
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
        crate::data::parquet_footer::check_file(&source, &mut file, limits)?;
        parquet_frame(ParquetReader::new(file), &source, columns, limits)
    }
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
