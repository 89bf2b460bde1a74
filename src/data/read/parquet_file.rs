//! Apache Parquet: the footer is checked first (`parquet_footer`: column
//! count, sizes, a file that only claims to be Parquet), then polars reads
//! the requested columns (projection pushed down) and casts them to text,
//! with a panic in the decoder turned into an error naming the file. It does
//! not stream record by record: Parquet is columnar. Loading into codes
//! ([`load_parquet`]) goes one row group at a time; a text column's chunk
//! is decoded from its dictionary and data pages straight into codes
//! (`pages`), and only the other columns (numbers, dates, unusual
//! encodings) are read by polars and cast to text, one row group at a time.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use polars::prelude::*;
use polars_buffer::Buffer;
use rayon::prelude::*;

mod pages;

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
    open_and_encode(path, columns, limits, missing, RowGroups::Whole)
}

/// [`load_parquet`] one row group at a time: after each row group
/// `after_group` sees the builders and may take their rows; returns what is
/// left in them at the end (the streaming reader's last chunk). The first
/// builders reserve room for `capacity` rows (the caller's chunk).
pub(super) fn stream_parquet(
    path: &Path,
    columns: &[&str],
    limits: &Limits,
    missing: &MissingPolicy,
    capacity: usize,
    after_group: &mut dyn FnMut(&mut [CategoricalColumnBuilder]) -> bool,
) -> Result<EncodedTable, DataError> {
    open_and_encode(
        path,
        columns,
        limits,
        missing,
        RowGroups::Streamed(capacity, after_group),
    )
}

/// Opens the file ([`open_parquet`]) and runs [`encode_row_groups`] over it,
/// from memory for a gzip'd file, else through the file, a decoder panic
/// turned into an error naming the file.
fn open_and_encode(
    path: &Path,
    columns: &[&str],
    limits: &Limits,
    missing: &MissingPolicy,
    groups: RowGroups<'_>,
) -> Result<EncodedTable, DataError> {
    let source = path.display().to_string();
    match open_parquet(path, limits)? {
        Opened::Bytes(bytes) => {
            let whole = Buffer::from_vec(bytes);
            unpanicked(&source, || {
                encode_row_groups(
                    || Ok(Cursor::new(whole.as_slice())),
                    &Chunks::Bytes(&whole),
                    &source,
                    columns,
                    limits,
                    missing,
                    groups,
                )
            })
        }
        Opened::File(file) => unpanicked(&source, || {
            encode_row_groups(
                || file.try_clone().map_err(|e| io_error(path, e)),
                &Chunks::File(path),
                &source,
                columns,
                limits,
                missing,
                groups,
            )
        }),
    }
}

/// How [`encode_row_groups`] hands its rows over.
pub(super) enum RowGroups<'a> {
    /// Every row group into one table (builders sized for the whole file).
    Whole,
    /// After each row group, `after_group` sees the builders and may take
    /// their rows (the streaming reader does); `false` stops reading. The
    /// first builders reserve room for the given number of rows.
    Streamed(
        usize,
        &'a mut dyn FnMut(&mut [CategoricalColumnBuilder]) -> bool,
    ),
}

/// Where a column chunk's bytes are read from.
pub(super) enum Chunks<'a> {
    /// A plain file, read chunk by chunk.
    File(&'a Path),
    /// A whole (decompressed) file in memory.
    Bytes(&'a Buffer<u8>),
}

impl Chunks<'_> {
    /// The bytes of `range` (a column chunk's byte range from the footer).
    fn read(&self, range: Range<u64>) -> Result<Buffer<u8>, String> {
        let outside = || format!("the column chunk's bytes {range:?} lie outside the file");
        match self {
            Chunks::Bytes(whole) => {
                let start = usize::try_from(range.start).map_err(|_| outside())?;
                let end = usize::try_from(range.end).map_err(|_| outside())?;
                if start > end || end > whole.len() {
                    return Err(outside());
                }
                Ok((*whole).clone().sliced(start..end))
            }
            Chunks::File(path) => {
                let length = range.end.checked_sub(range.start).ok_or_else(outside)?;
                let mut file = File::open(path).map_err(|e| e.to_string())?;
                file.seek(SeekFrom::Start(range.start))
                    .map_err(|e| e.to_string())?;
                let mut bytes = Vec::new();
                file.take(length)
                    .read_to_end(&mut bytes)
                    .map_err(|e| e.to_string())?;
                if bytes.len() as u64 != length {
                    return Err(outside());
                }
                Ok(Buffer::from_vec(bytes))
            }
        }
    }
}

/// True when polars reads a column of this Arrow type as text, so that the
/// text is the column chunk's bytes as they are (no cast).
fn is_text_type(dtype: &ArrowDataType) -> bool {
    matches!(
        dtype,
        ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View
    )
}

/// The row groups of a Parquet file encoded into one builder per column.
/// A text column's chunk goes through `pages` (dictionary pages straight
/// into codes); other columns, and chunks `pages` does not decode, are read
/// by polars (`open` gives it a reader), cast to text and pushed row by
/// row. Both give the codes that pushing every row's text in file order
/// gives.
pub(super) fn encode_row_groups<R: polars::io::mmap::MmapBytesReader>(
    open: impl Fn() -> Result<R, DataError>,
    chunks: &Chunks<'_>,
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
        RowGroups::Streamed(capacity, _) => capacity.min(total),
    };
    let mut builders: Vec<CategoricalColumnBuilder> = names
        .iter()
        .map(|n| CategoricalColumnBuilder::with_capacity(n, &missing.label, capacity))
        .collect();
    let is_missing = |v: &str| missing.is_missing(v);
    // Columns polars reads as text: their chunks are decoded from the pages.
    let text_columns: Vec<bool> = names
        .iter()
        .map(|n| {
            schema
                .get(n.as_str())
                .is_some_and(|f| is_text_type(&f.dtype))
        })
        .collect();
    // One code buffer per column, reused from row group to row group.
    let mut scratch: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
    let mut offset = 0usize;
    for (group, rows) in sizes.into_iter().enumerate() {
        if rows == 0 {
            continue;
        }
        let row_group = &metadata.row_groups[group];
        // Each text column's chunk straight into codes; `false` for the
        // columns left to polars.
        let decoded: Vec<bool> = builders
            .par_iter_mut()
            .zip(text_columns.par_iter())
            .zip(scratch.par_iter_mut())
            .map(|((builder, &is_text), scratch)| -> Result<bool, DataError> {
                if !is_text {
                    return Ok(false);
                }
                let leaves: Vec<_> = match row_group.columns_under_root_iter(builder.name()) {
                    Some(leaves) => leaves.collect(),
                    None => return Ok(false),
                };
                let [chunk] = leaves.as_slice() else {
                    return Ok(false);
                };
                if !pages::is_flat_byte_array(chunk) {
                    return Ok(false);
                }
                let in_chunk = |message: String| DataError::Parse {
                    source_name: source.to_string(),
                    message: format!(
                        "row group {group}, column `{}`: {message}; check that the file was fully written and is not corrupt",
                        builder.name()
                    ),
                };
                let bytes = chunks.read(chunk.byte_range()).map_err(in_chunk)?;
                match pages::decode_string_chunk(
                    bytes,
                    chunk,
                    rows,
                    &is_missing,
                    limits.max_gzip_ratio,
                    std::mem::take(scratch),
                )
                .map_err(in_chunk)?
                {
                    Some(codes) => {
                        builder.append_encoded(codes.local(), &codes.codes);
                        *scratch = codes.codes;
                        Ok(true)
                    }
                    None => Ok(false),
                }
            })
            .collect::<Result<Vec<bool>, DataError>>()?;
        let rest: Vec<String> = names
            .iter()
            .zip(&decoded)
            .filter(|(_, &done)| !done)
            .map(|(n, _)| n.clone())
            .collect();
        if !rest.is_empty() {
            let mut reader = ParquetReader::new(open()?);
            reader.set_metadata(metadata.clone());
            let frame = reader
                .with_columns(Some(rest))
                .with_slice(Some((offset, rows)))
                .finish()
                .map_err(not_parquet)?;
            builders
                .par_iter_mut()
                .zip(decoded.par_iter())
                .filter(|(_, &done)| !done)
                .map(|(builder, _)| -> Result<(), DataError> {
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
        }
        offset += rows;
        if let RowGroups::Streamed(_, after_group) = &mut how {
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

/// The column names of a Parquet file in file order, from its schema (no
/// column data is read). Errors as [`read_parquet`].
pub(super) fn parquet_column_names(path: &Path, limits: &Limits) -> Result<Vec<String>, DataError> {
    let source = path.display().to_string();
    fn names<R: polars::io::mmap::MmapBytesReader>(
        mut reader: ParquetReader<R>,
        source: &str,
    ) -> Result<Vec<String>, DataError> {
        let schema = reader.schema().map_err(|e| DataError::Parse {
            source_name: source.to_string(),
            message: format!(
                "not a readable Parquet file ({e}); check that it was fully written, or pass the right format in ReadOptions"
            ),
        })?;
        Ok(schema.iter_names().map(|n| n.to_string()).collect())
    }
    match open_parquet(path, limits)? {
        Opened::Bytes(bytes) => unpanicked(&source, || {
            names(ParquetReader::new(Cursor::new(bytes)), &source)
        }),
        Opened::File(file) => unpanicked(&source, || names(ParquetReader::new(file), &source)),
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

/// Loading Parquet files written by pyarrow and DuckDB (dictionary and
/// PLAIN pages, a dictionary that falls back to PLAIN mid-chunk, data pages
/// v1 and v2, DELTA_LENGTH_BYTE_ARRAY, several codecs, nulls and missing
/// tokens, an integer and a timestamp column) through the page decoder
/// gives exactly the table polars' whole-frame read gives.
#[cfg(test)]
mod page_decoding_tests {
    use std::path::PathBuf;

    use super::super::{encode_frame, load_table, ReadOptions};
    use super::pages::{decode_string_chunk, is_flat_byte_array, PageCounts};
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/parquet_pages")
            .join(name)
    }

    const FIXTURES: [&str; 6] = [
        "pyarrow_dict_v1_snappy.parquet",
        "pyarrow_dict_v2_zstd.parquet",
        "pyarrow_plain_none.parquet",
        "pyarrow_large_and_categorical.parquet",
        "duckdb_default.parquet",
        "duckdb_v2.parquet",
    ];

    /// The table polars' whole-frame read gives (the reference).
    fn expected(path: &Path, missing: &MissingPolicy) -> EncodedTable {
        let whole = read_parquet(path, None, &Limits::default()).unwrap();
        encode_frame(&whole, &[], &path.display().to_string(), missing).unwrap()
    }

    /// Page counts of every text column chunk the page decoder takes, by
    /// column name, summed over row groups; chunks it leaves to polars
    /// counted under `None`.
    fn decoded_pages(path: &Path) -> Vec<(String, Option<PageCounts>)> {
        let mut reader = ParquetReader::new(File::open(path).unwrap());
        let schema = reader.schema().unwrap();
        let metadata = reader.get_metadata().unwrap().clone();
        let bytes = Buffer::from_vec(std::fs::read(path).unwrap());
        let chunks = Chunks::Bytes(&bytes);
        let mut out = Vec::new();
        for group in &metadata.row_groups {
            for chunk in group.parquet_columns() {
                let name = chunk.descriptor().path_in_schema[0].to_string();
                let is_text = is_text_type(&schema.get(name.as_str()).unwrap().dtype);
                if !is_text || !is_flat_byte_array(chunk) {
                    continue;
                }
                let data = chunks.read(chunk.byte_range()).unwrap();
                let decoded = decode_string_chunk(
                    data,
                    chunk,
                    group.num_rows(),
                    &|_| false,
                    1000,
                    Vec::new(),
                )
                .unwrap();
                out.push((name, decoded.map(|d| d.pages)));
            }
        }
        out
    }

    #[test]
    fn every_writer_and_encoding_gives_the_whole_frame_table() {
        for name in FIXTURES {
            let path = fixture(name);
            for missing in [MissingPolicy::default(), MissingPolicy::nulls_only()] {
                let loaded = load_table(&path, &[], &ReadOptions::default(), &missing).unwrap();
                assert_eq!(loaded, expected(&path, &missing), "{name}");
                assert_eq!(loaded.n_rows, 3000, "{name}");
            }
            // A projection, in the order asked for.
            let missing = MissingPolicy::default();
            let all = expected(&path, &missing);
            let some = load_table(
                &path,
                &["sparse", "stamps", "text"],
                &ReadOptions::default(),
                &missing,
            )
            .unwrap();
            assert_eq!(some.columns[0], all.columns[4], "{name}");
            assert_eq!(some.columns[1], all.columns[3], "{name}");
            assert_eq!(some.columns[2], all.columns[0], "{name}");
        }
    }

    #[test]
    fn values_and_first_appearance_order_are_those_of_the_rows() {
        // Hand-checked against make.py: row 0 has r = 0 (null), row 1 r = 2
        // (""), row 2 r = 4 ("v4"), row 3 r = 6 ("v1"), row 7 r = 1 ("?");
        // `grows` has 3 values, then one new
        // value per row from row 1500; `sparse` is missing but for rows
        // 1200-1299 ("rare"), and "NULL" (a missing token) at rows 7, 507...
        let missing = MissingPolicy::default();
        for name in FIXTURES {
            let t = load_table(&fixture(name), &[], &ReadOptions::default(), &missing).unwrap();
            let text = &t.columns[0];
            assert_eq!(text.value(0), "?", "{name}");
            assert_eq!(text.value(2), "v4", "{name}");
            assert_eq!(text.value(3), "v1", "{name}");
            // Null, "" and "?" are the one missing code.
            for row in [0, 1, 7] {
                assert_eq!(text.codes[row], text.missing.unwrap(), "{name}");
            }
            assert_eq!(&text.values[..3], ["?", "v4", "v1"], "{name}");
            assert!(text.values.iter().any(|v| v == "Zoë"), "{name}");
            assert_eq!(t.columns[1].n_values(), 3 + 1500, "{name}");
            assert_eq!(t.columns[1].value(1500), "unique-value-number-001500");
            let sparse = &t.columns[4];
            assert_eq!(sparse.values, ["?", "rare"], "{name}");
            assert_eq!(sparse.codes.iter().filter(|&&c| c == 1).count(), 100);
            assert_eq!(t.columns[2].value(1), "-3", "{name}");
            assert_eq!(
                t.columns[3].value(1),
                "2024-01-01 00:37:00.000000",
                "{name}"
            );
            // Under "nulls only", "NULL" and "?" are values.
            let t = load_table(
                &fixture(name),
                &["sparse"],
                &ReadOptions::default(),
                &MissingPolicy::nulls_only(),
            )
            .unwrap();
            assert_eq!(t.columns[0].values, ["?", "NULL", "rare"], "{name}");
        }
    }

    #[test]
    fn dictionary_pages_are_decoded_and_other_encodings_left_to_polars() {
        let pages = decoded_pages(&fixture("pyarrow_dict_v1_snappy.parquet"));
        // text, grows, sparse, required in each of 5 row groups.
        assert_eq!(pages.len(), 20);
        assert!(pages.iter().all(|(_, p)| p.is_some()));
        // `grows` falls back from the dictionary to PLAIN in row group 2
        // (rows 1400-2099) and is PLAIN after it.
        let grows: Vec<PageCounts> = pages
            .iter()
            .filter(|(n, _)| n == "grows")
            .map(|(_, p)| p.unwrap())
            .collect();
        assert_eq!(grows[0].plain, 0);
        assert!(grows[2].dictionary > 0 && grows[2].plain > 0, "{grows:?}");
        assert!(grows[4].plain > 0);
        let text = pages.iter().find(|(n, _)| n == "text").unwrap().1.unwrap();
        assert!(text.dictionary >= 1 && text.plain == 0, "{text:?}");
        // DuckDB's v2 pages write `grows` as DELTA_LENGTH_BYTE_ARRAY: left to
        // polars; the dictionary columns are decoded.
        let pages = decoded_pages(&fixture("duckdb_v2.parquet"));
        assert!(
            pages.iter().all(|(n, p)| (n == "grows") == p.is_none()),
            "{pages:?}"
        );
        // No dictionary at all: every page PLAIN.
        let pages = decoded_pages(&fixture("pyarrow_plain_none.parquet"));
        assert!(pages
            .iter()
            .all(|(_, p)| p.is_some_and(|p| p.dictionary == 0 && p.plain > 0)));
    }

    /// The same check on any Parquet files (a `:`-separated list in
    /// `REIDENT_PARQUET_FILES`), e.g. public data sets converted by pyarrow
    /// and DuckDB: `cargo test --lib parquet_files_from_the_environment --
    /// --ignored`.
    #[test]
    #[ignore = "reads the files listed in REIDENT_PARQUET_FILES"]
    fn parquet_files_from_the_environment_give_the_whole_frame_table() {
        let files = std::env::var("REIDENT_PARQUET_FILES").unwrap_or_default();
        let mut checked = 0;
        for file in files.split(':').filter(|f| !f.is_empty()) {
            let path = PathBuf::from(file);
            let missing = MissingPolicy::default();
            let loaded = load_table(&path, &[], &ReadOptions::default(), &missing).unwrap();
            assert_eq!(loaded, expected(&path, &missing), "{file}");
            let decoded = decoded_pages(&path);
            println!(
                "{file}: {} rows, {} columns, {} of {} text chunks decoded from pages",
                loaded.n_rows,
                loaded.columns.len(),
                decoded.iter().filter(|(_, p)| p.is_some()).count(),
                decoded.len()
            );
            checked += 1;
        }
        assert!(checked > 0, "REIDENT_PARQUET_FILES lists no file");
    }

    #[test]
    fn a_gzipped_file_loads_the_same() {
        use std::io::Write;
        let path = fixture("pyarrow_dict_v2_zstd.parquet");
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("t.parquet.gz");
        let mut encoder =
            flate2::write::GzEncoder::new(File::create(&gz).unwrap(), flate2::Compression::fast());
        encoder.write_all(&std::fs::read(&path).unwrap()).unwrap();
        encoder.finish().unwrap();
        let missing = MissingPolicy::default();
        let loaded = load_table(&gz, &[], &ReadOptions::default(), &missing).unwrap();
        let mut reference = expected(&path, &missing);
        reference.source = gz.display().to_string();
        assert_eq!(loaded, reference);
    }

    #[test]
    fn corrupted_pages_give_an_error_naming_the_row_group_and_column() {
        // Overwrite bytes inside the first row group's `text` chunk of an
        // uncompressed file: every load ends in Ok or an error (no panic
        // escapes), and at least one corruption is caught by the page
        // decoder, which names the row group and column.
        let path = fixture("pyarrow_plain_none.parquet");
        let bytes = std::fs::read(&path).unwrap();
        let metadata = ParquetReader::new(File::open(&path).unwrap())
            .get_metadata()
            .unwrap()
            .clone();
        let range = metadata.row_groups[0].parquet_columns()[0].byte_range();
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.parquet");
        let mut named = 0;
        for at in (range.start..range.end).step_by(97) {
            let mut corrupt = bytes.clone();
            corrupt[at as usize] ^= 0xff;
            std::fs::write(&bad, &corrupt).unwrap();
            let result = std::panic::catch_unwind(|| {
                load_table(
                    &bad,
                    &[],
                    &ReadOptions::default(),
                    &MissingPolicy::default(),
                )
            });
            let result = result.expect("no panic escapes the loader");
            if let Err(e) = result {
                let message = e.to_string();
                assert!(message.contains("bad.parquet"), "{message}");
                if message.contains("row group 0, column `text`") {
                    named += 1;
                }
            }
        }
        assert!(named > 0, "no corruption was reported by the page decoder");
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
