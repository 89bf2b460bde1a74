//! Apache Parquet: the footer is checked first (`parquet_footer`: column
//! count, sizes, a file that only claims to be Parquet), then polars reads
//! the requested columns (projection pushed down) and casts them to text,
//! with a panic in the decoder turned into an error naming the file. It does
//! not stream record by record: Parquet is columnar. Loading into codes
//! ([`load_parquet`]) goes one row group at a time, so the text of only one
//! row group is held at once.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::{io_error, limit_error, open_stream, project, read_up_to, unpanicked, MissingPolicy};
use crate::data::limits::{self, LimitKind, Limits};
use crate::data::{CategoricalColumnBuilder, DataError, EncodedTable};

/// Reads a whole Parquet file (gzip allowed) with the given columns (all when
/// `None`), every column cast to text.
pub(super) fn read_parquet(
    path: &Path,
    columns: Option<&[&str]>,
    limits: &Limits,
) -> Result<DataFrame, DataError> {
    let source = path.display().to_string();
    match open_parquet(path, limits)? {
        Opened::Bytes(bytes) => parquet_frame(
            ParquetReader::new(Cursor::new(bytes)),
            &source,
            columns,
            limits,
        ),
        Opened::File(file) => parquet_frame(ParquetReader::new(file), &source, columns, limits),
    }
}

/// A Parquet file whose magic bytes and footer were checked.
enum Opened {
    /// A plain file (memory-mapped by polars).
    File(File),
    /// A gzip-compressed file, decompressed into memory.
    Bytes(Vec<u8>),
}

/// Opens a Parquet file (gzip allowed, decompressed into memory) and checks
/// its magic bytes and footer.
fn open_parquet(path: &Path, limits: &Limits) -> Result<Opened, DataError> {
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
        Ok(Opened::Bytes(bytes))
    } else {
        if &magic[..n_magic] != b"PAR1" {
            return Err(not_parquet_magic());
        }
        // A plain file is memory-mapped by polars; only the projected
        // column chunks are decoded.
        // The footer is checked first (and the file rewound): a corrupt one
        // can make the decoder reserve gigabytes and abort.
        crate::data::parquet_footer::check_file(&source, &mut file, limits)?;
        Ok(Opened::File(file))
    }
}

/// Reads `columns` of a Parquet file (all when empty, in file order) and
/// dictionary-encodes them under `missing`, **one row group at a time**:
/// only one row group's values are ever held as text, so memory stays near
/// the codes (4 bytes per row and column) plus one row group. Each row group
/// is cast to text exactly as [`read_parquet`] casts the whole table and
/// pushed into one encoder per column (columns in parallel), in file order,
/// so the table equals [`encode_frame`](super::encode_frame) of the whole
/// frame. Errors as [`read_parquet`].
pub(super) fn load_parquet(
    path: &Path,
    columns: &[&str],
    limits: &Limits,
    missing: &MissingPolicy,
) -> Result<EncodedTable, DataError> {
    let source = path.display().to_string();
    match open_parquet(path, limits)? {
        Opened::Bytes(bytes) => unpanicked(&source, || {
            encode_row_groups(
                || Ok(Cursor::new(bytes.as_slice())),
                &source,
                columns,
                limits,
                missing,
                RowGroups::Whole,
            )
        }),
        Opened::File(file) => unpanicked(&source, || {
            encode_row_groups(
                || file.try_clone().map_err(|e| io_error(path, e)),
                &source,
                columns,
                limits,
                missing,
                RowGroups::Whole,
            )
        }),
    }
}

/// [`load_parquet`] one row group at a time: after each row group
/// `after_group` sees the builders and may take their rows; returns what is
/// left in them at the end (the streaming reader's last chunk).
pub(super) fn stream_parquet(
    path: &Path,
    columns: &[&str],
    limits: &Limits,
    missing: &MissingPolicy,
    after_group: &mut dyn FnMut(&mut [CategoricalColumnBuilder]) -> bool,
) -> Result<EncodedTable, DataError> {
    let source = path.display().to_string();
    match open_parquet(path, limits)? {
        Opened::Bytes(bytes) => unpanicked(&source, || {
            encode_row_groups(
                || Ok(Cursor::new(bytes.as_slice())),
                &source,
                columns,
                limits,
                missing,
                RowGroups::Streamed(after_group),
            )
        }),
        Opened::File(file) => unpanicked(&source, || {
            encode_row_groups(
                || file.try_clone().map_err(|e| io_error(path, e)),
                &source,
                columns,
                limits,
                missing,
                RowGroups::Streamed(after_group),
            )
        }),
    }
}

/// How [`encode_row_groups`] hands its rows over.
pub(super) enum RowGroups<'a> {
    /// Every row group into one table (builders sized for the whole file).
    Whole,
    /// After each row group, `after_group` sees the builders and may take
    /// their rows (the streaming reader does); `false` stops reading.
    Streamed(&'a mut dyn FnMut(&mut [CategoricalColumnBuilder]) -> bool),
}

pub(super) fn encode_row_groups<R: polars::io::mmap::MmapBytesReader>(
    open: impl Fn() -> Result<R, DataError>,
    source: &str,
    columns: &[&str],
    limits: &Limits,
    missing: &MissingPolicy,
    mut how: RowGroups<'_>,
) -> Result<EncodedTable, DataError> {
    let not_parquet = |e: PolarsError| {
        DataError::Parse {
        source_name: source.to_string(),
        message: format!(
            "not a readable Parquet file ({e}); check that it was fully written, or pass the right format in ReadOptions"
        ),
    }
    };
    let mut reader = ParquetReader::new(open()?);
    let schema = reader.schema().map_err(not_parquet)?;
    if schema.len() > limits.max_columns {
        return Err(limits::exceeded(
            source,
            format!("the schema has {} fields", schema.len()),
            LimitKind::Columns,
            limits,
        ));
    }
    let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let names: Vec<String> = if columns.is_empty() {
        header.clone()
    } else {
        project(source, &header, columns)?;
        columns.iter().map(|c| c.to_string()).collect()
    };
    let metadata = reader.get_metadata().map_err(not_parquet)?.clone();
    let sizes: Vec<usize> = metadata.row_groups.iter().map(|g| g.num_rows()).collect();
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return Err(DataError::NoDataRows {
            source_name: source.to_string(),
            n_columns: header.len(),
        });
    }
    let capacity = match how {
        RowGroups::Whole => total,
        RowGroups::Streamed(_) => 0,
    };
    let mut builders: Vec<CategoricalColumnBuilder> = names
        .iter()
        .map(|n| CategoricalColumnBuilder::with_capacity(n, &missing.label, capacity))
        .collect();
    let is_missing = |v: &str| missing.is_missing(v);
    let mut offset = 0usize;
    for rows in sizes {
        if rows == 0 {
            continue;
        }
        let mut reader = ParquetReader::new(open()?);
        reader.set_metadata(metadata.clone());
        let frame = reader
            .with_columns(Some(names.clone()))
            .with_slice(Some((offset, rows)))
            .finish()
            .map_err(not_parquet)?;
        offset += rows;
        builders
            .par_iter_mut()
            .map(|builder| -> Result<(), DataError> {
                let name = builder.name().to_string();
                let column = frame.column(&name).map_err(not_parquet)?;
                let text = text_of(column, source)?;
                let strings = text.str().map_err(not_parquet)?;
                for value in strings.iter() {
                    builder.push(value, is_missing);
                }
                Ok(())
            })
            .collect::<Result<Vec<()>, DataError>>()?;
        if let RowGroups::Streamed(after_group) = &mut how {
            if !after_group(&mut builders) {
                break;
            }
        }
    }
    Ok(EncodedTable::new(
        source,
        builders.into_iter().map(|b| b.finish()).collect(),
    ))
}

/// The text form of a typed column, the one cast every typed input (a
/// Parquet column, an Arrow table handed over from Python) goes through.
///
/// polars' own cast to text, except for a timestamp with a time zone: its
/// formatting needs polars' `timezones` feature (and a time-zone database)
/// and fails without it. Such a column holds UTC instants, so it is written
/// as the UTC wall time followed by `Z` (`2024-05-12 22:08:29.000000Z`),
/// which names the same instant in any zone and which the crate's timestamp
/// parser (`attacks::unicity::parse_timestamp`) reads.
pub fn column_as_text(column: &Column) -> PolarsResult<Column> {
    let DataType::Datetime(unit, Some(_)) = column.dtype() else {
        return column.cast(&DataType::String);
    };
    let naive = column
        .cast(&DataType::Int64)?
        .cast(&DataType::Datetime(*unit, None))?
        .cast(&DataType::String)?;
    let naive = naive.str()?;
    let mut utc = StringChunkedBuilder::new(column.name().clone(), naive.len());
    for value in naive.iter() {
        match value {
            Some(s) => utc.append_value(format!("{s}Z")),
            None => utc.append_null(),
        }
    }
    Ok(utc.finish().into_column())
}

/// `column` cast to text, with the error [`read_parquet`] gives for a type
/// that has no text form.
fn text_of(column: &Column, source: &str) -> Result<Column, DataError> {
    column_as_text(column).map_err(|e| DataError::Parse {
        source_name: source.to_string(),
        message: format!(
            "column `{}` has type {} which cannot be read as text ({e}); flatten nested columns before auditing",
            column.name(),
            column.dtype()
        ),
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
        .map(|c| text_of(c, &source))
        .collect::<Result<Vec<_>, _>>()?;
    DataFrame::new(frame.height(), cast).map_err(not_parquet)
}

#[cfg(test)]
mod tests {
    use super::super::{encode_frame, load_table, ReadOptions};
    use super::*;

    #[test]
    fn row_group_loading_equals_encoding_the_whole_frame() {
        // 1,000 rows in row groups of 64: strings with nulls and missing
        // tokens, UTF-8, integers, floats and a column whose distinct values
        // start growing halfway.
        let n = 1000usize;
        let text: Vec<Option<String>> = (0..n)
            .map(|i| match i % 7 {
                0 => None,
                1 => Some("?".to_string()),
                2 => Some("Zoë".to_string()),
                3 => Some(String::new()),
                _ => Some(format!("v{}", i % 5)),
            })
            .collect();
        let ints: Vec<Option<i64>> = (0..n)
            .map(|i| {
                if i % 11 == 0 {
                    None
                } else {
                    Some((i % 9) as i64 - 4)
                }
            })
            .collect();
        let floats: Vec<f64> = (0..n).map(|i| (i % 4) as f64 * 0.5).collect();
        let grows: Vec<String> = (0..n)
            .map(|i| {
                if i < n / 2 {
                    format!("g{}", i % 3)
                } else {
                    format!("g{i}")
                }
            })
            .collect();
        let mut frame = df!(
            "text" => text,
            "ints" => ints,
            "floats" => floats,
            "grows" => grows,
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let file = File::create(&path).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(64))
            .finish(&mut frame)
            .unwrap();
        let groups = ParquetReader::new(File::open(&path).unwrap())
            .get_metadata()
            .unwrap()
            .row_groups
            .len();
        assert!(groups >= 10, "{groups} row groups");
        let missing = MissingPolicy::default();
        let opts = ReadOptions::default();
        let whole = read_parquet(&path, None, &opts.limits).unwrap();
        let expected = encode_frame(&whole, &[], &path.display().to_string(), &missing).unwrap();
        let loaded = load_table(&path, &[], &opts, &missing).unwrap();
        assert_eq!(loaded, expected);
        assert_eq!(loaded.n_rows, n);
        assert_eq!(loaded.columns[3].n_values(), 3 + n / 2);
        assert_eq!(loaded.columns[1].value(1), "-3");
        assert_eq!(loaded.columns[0].value(0), "?");
        // A projection, in the order asked for.
        let some = load_table(&path, &["grows", "ints"], &opts, &missing).unwrap();
        assert_eq!(some.columns[0], expected.columns[3]);
        assert_eq!(some.columns[1], expected.columns[1]);
    }
}

#[cfg(test)]
mod column_text_tests {
    use super::*;

    #[test]
    fn a_timestamp_with_a_zone_is_written_as_utc_with_z() {
        // 2024-05-12T22:08:29Z and a missing value, as microseconds.
        let micros = Int64Chunked::new("ts".into(), [Some(1_715_551_709_000_000i64), None]);
        let zoned = micros
            .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
            .into_series();
        assert!(matches!(zoned.dtype(), DataType::Datetime(_, Some(_))));
        let text = column_as_text(&zoned.into_column()).unwrap();
        let values: Vec<Option<&str>> = text.str().unwrap().iter().collect();
        assert_eq!(values, vec![Some("2024-05-12 22:08:29.000000Z"), None]);
        assert_eq!(text.name().as_str(), "ts");
    }

    #[test]
    fn other_types_use_the_plain_cast() {
        let ints = Series::new("n".into(), [1i64, 20]).into_column();
        let text = column_as_text(&ints).unwrap();
        let values: Vec<Option<&str>> = text.str().unwrap().iter().collect();
        assert_eq!(values, vec![Some("1"), Some("20")]);
    }
}
