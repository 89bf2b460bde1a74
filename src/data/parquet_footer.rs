//! A structural check of a Parquet file's footer before polars decodes it.
//!
//! The footer (`FileMetaData`) is Thrift in the compact protocol. polars'
//! decoder reserves memory for a list from the length the file states, so a
//! corrupt or hostile footer claiming billions of schema elements makes it
//! ask for tens of gigabytes and abort the process (found by the
//! `read_parquet` fuzz target: `memory allocation of 32465894464 bytes
//! failed`). This module walks the footer without building anything and
//! refuses it when a list, map or string claims more elements or bytes than
//! the footer has left, when nesting is deeper than 64, or when the footer
//! does not fit in the file; a footer that passes cannot make the decoder
//! reserve more than a small multiple of its own size for its lists.
//!
//! It then decodes the footer the way polars' hand-written decoder does (by
//! field id, each known field read as the spec's type whatever type its
//! header carries: a walker following the header types was led astray by the
//! third fuzz crash), reads what it says about rows and column chunks, and walks
//! every page header: a row count, a chunk's value count or a page's value
//! count above `--max-gzip-ratio` values per bit of the file (at least a
//! million) is refused, as is a chunk outside the file, since the decoder
//! reserves a validity bitmap of the page's stated size (the second fuzz
//! crash: 2^61 bytes).

use std::io::{Read, Seek, SeekFrom};

use super::limits::{self, LimitKind, Limits};
use super::DataError;

/// Deepest nesting of structs, lists and maps accepted.
const MAX_DEPTH: usize = 64;

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| "the footer ends in the middle of a value".to_string())?;
        self.pos += 1;
        Ok(b)
    }

    fn skip(&mut self, n: usize) -> Result<(), String> {
        if n > self.remaining() {
            return Err(format!(
                "a value claims {n} bytes but the footer has {} left",
                self.remaining()
            ));
        }
        self.pos += n;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                value |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a variable-length integer is longer than 10 bytes".to_string())
    }

    /// Checks that `count` elements, each at least `min_bytes` long, fit.
    fn fits(&self, count: u64, min_bytes: u64, what: &str) -> Result<(), String> {
        if count.saturating_mul(min_bytes) > self.remaining() as u64 {
            return Err(format!(
                "a {what} claims {count} elements but the footer has {} bytes left",
                self.remaining()
            ));
        }
        Ok(())
    }

    fn value(&mut self, kind: u8, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("values are nested more than {MAX_DEPTH} deep"));
        }
        match kind {
            1 | 2 => Ok(()), // boolean in a field header: no payload
            3 => self.skip(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.skip(8),
            8 => {
                let n = self.varint()?;
                self.skip(usize::try_from(n).map_err(|_| "a string is too long".to_string())?)
            }
            9 | 10 => {
                let header = self.byte()?;
                let element = header & 0x0f;
                let count = match header >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                self.fits(count, 1, "list")?;
                for _ in 0..count {
                    // Booleans inside a list take one byte each.
                    if element == 1 || element == 2 {
                        self.skip(1)?;
                    } else {
                        self.value(element, depth + 1)?;
                    }
                }
                Ok(())
            }
            11 => {
                let count = self.varint()?;
                if count == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                self.fits(count, 2, "map")?;
                for _ in 0..count {
                    for kind in [types >> 4, types & 0x0f] {
                        if kind == 1 || kind == 2 {
                            self.skip(1)?;
                        } else {
                            self.value(kind, depth + 1)?;
                        }
                    }
                }
                Ok(())
            }
            12 => self.structure(depth + 1),
            13 => self.skip(16),
            other => Err(format!("unknown Thrift type {other}")),
        }
    }

    /// A zigzag-encoded integer of Thrift type `kind` (i16, i32 or i64).
    fn int(&mut self, kind: u8) -> Result<i64, String> {
        if !(4..=6).contains(&kind) {
            return Err(format!("expected an integer, found Thrift type {kind}"));
        }
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    /// Walks a struct, handing each field to `on_field(walker, id, kind)`,
    /// which either consumes the value and returns true, or returns false to
    /// have it skipped.
    fn visit(
        &mut self,
        depth: usize,
        on_field: &mut dyn FnMut(&mut Self, i64, u8) -> Result<bool, String>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("values are nested more than {MAX_DEPTH} deep"));
        }
        let mut last = 0i64;
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            let kind = header & 0x0f;
            let id = match header >> 4 {
                0 => self.int(4)?,
                delta => last + i64::from(delta),
            };
            last = id;
            if !on_field(self, id, kind)? {
                self.value(kind, depth)?;
            }
        }
    }

    fn structure(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("values are nested more than {MAX_DEPTH} deep"));
        }
        loop {
            let header = self.byte()?;
            if header == 0 {
                return Ok(());
            }
            if header >> 4 == 0 {
                self.varint()?; // long-form field id
            }
            self.value(header & 0x0f, depth)?;
        }
    }
}

/// A column chunk as the footer describes it.
#[derive(Debug, Default, Clone, Copy)]
struct Chunk {
    num_values: i64,
    compressed: i64,
    data_page: i64,
    dictionary_page: Option<i64>,
}

/// What the footer says about rows and column chunks.
#[derive(Debug, Default)]
struct Layout {
    counts: Vec<i64>,
    chunks: Vec<Chunk>,
}

/// How polars' hand-written footer decoder reads a known field: by its id,
/// as this type, whatever type the field header carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    /// A varint (i16, i32 or i64, or a skipped varint).
    Int,
    /// One byte (i8).
    Byte,
    /// A boolean carried in the field header.
    Bool,
    /// Length-prefixed bytes.
    Bin,
    /// A list of varints.
    IntList,
    /// A list of byte strings.
    BinList,
    /// A list of structs.
    List(Sid),
    /// A struct.
    Struct(Sid),
}

/// The structs of the footer that polars decodes field by field.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sid {
    File,
    Schema,
    RowGroup,
    Chunk,
    ColumnMeta,
    Stats,
    KeyValue,
    Sorting,
    ColumnOrder,
    Logical,
    Decimal,
    TimeUnit,
    Time,
    IntType,
    Empty,
}

/// The type polars reads field `id` of struct `sid` as (`None`: skipped by
/// the type in its header). From polars-parquet 0.55's
/// `handwritten_thrift/file_metadata_thrift.rs`.
fn field_type(sid: Sid, id: i64) -> Option<Ty> {
    use Ty::*;
    Some(match (sid, id) {
        (Sid::File, 1 | 3) => Int,
        (Sid::File, 2) => List(Sid::Schema),
        (Sid::File, 4) => List(Sid::RowGroup),
        (Sid::File, 5) => List(Sid::KeyValue),
        (Sid::File, 6) => Bin,
        (Sid::File, 7) => List(Sid::ColumnOrder),
        (Sid::Schema, 1..=3 | 5..=9) => Int,
        (Sid::Schema, 4) => Bin,
        (Sid::Schema, 10) => Struct(Sid::Logical),
        (Sid::RowGroup, 1) => List(Sid::Chunk),
        (Sid::RowGroup, 2 | 3 | 5..=7) => Int,
        (Sid::RowGroup, 4) => List(Sid::Sorting),
        (Sid::Chunk, 1) => Bin,
        (Sid::Chunk, 2 | 4..=7) => Int,
        (Sid::Chunk, 3) => Struct(Sid::ColumnMeta),
        (Sid::ColumnMeta, 1 | 4..=7 | 9..=11 | 14 | 15) => Int,
        (Sid::ColumnMeta, 2) => IntList,
        (Sid::ColumnMeta, 3) => BinList,
        (Sid::ColumnMeta, 12) => Struct(Sid::Stats),
        (Sid::Stats, 1 | 2 | 5 | 6) => Bin,
        (Sid::Stats, 3 | 4) => Int,
        (Sid::Stats, 7 | 8) => Bool,
        (Sid::KeyValue, 1 | 2) => Bin,
        (Sid::Sorting, 1) => Int,
        (Sid::Sorting, 2 | 3) => Bool,
        (Sid::ColumnOrder, 1 | 2) => Struct(Sid::Empty),
        (Sid::Logical, 1..=4 | 6 | 11..=15) => Struct(Sid::Empty),
        (Sid::Logical, 5) => Struct(Sid::Decimal),
        (Sid::Logical, 7 | 8) => Struct(Sid::Time),
        (Sid::Logical, 10) => Struct(Sid::IntType),
        (Sid::Decimal, 1 | 2) => Int,
        (Sid::TimeUnit, 1..=3) => Struct(Sid::Empty),
        (Sid::Time, 1) => Bool,
        (Sid::Time, 2) => Struct(Sid::TimeUnit),
        (Sid::IntType, 1) => Byte,
        (Sid::IntType, 2) => Bool,
        _ => return None,
    })
}

/// Walks a struct the way polars decodes it, collecting counts and chunks.
fn typed_struct(
    w: &mut Walker<'_>,
    sid: Sid,
    depth: usize,
    out: &mut Layout,
    chunk: &mut Chunk,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("values are nested more than {MAX_DEPTH} deep"));
    }
    let mut last = 0i64;
    loop {
        let header = w.byte()?;
        if header == 0 {
            return Ok(());
        }
        let kind = header & 0x0f;
        let id = match header >> 4 {
            0 => w.int(4)?,
            delta => last + i64::from(delta),
        };
        last = id;
        match field_type(sid, id) {
            None => w.value(kind, depth)?,
            Some(Ty::Int) => {
                let v = w.varint()?;
                let v = (v >> 1) as i64 ^ -((v & 1) as i64);
                match (sid, id) {
                    (Sid::File, 3) | (Sid::RowGroup, 3) => out.counts.push(v),
                    (Sid::ColumnMeta, 5) => chunk.num_values = v,
                    (Sid::ColumnMeta, 7) => chunk.compressed = v,
                    (Sid::ColumnMeta, 9) => chunk.data_page = v,
                    (Sid::ColumnMeta, 11) => chunk.dictionary_page = Some(v),
                    _ => {}
                }
            }
            Some(Ty::Byte) => w.skip(1)?,
            Some(Ty::Bool) => {
                if kind != 1 && kind != 2 {
                    return Err(format!(
                        "field {id} should be a boolean but has Thrift type {kind}"
                    ));
                }
            }
            Some(Ty::Bin) => {
                let n = w.varint()?;
                w.skip(usize::try_from(n).map_err(|_| "a string is too long".to_string())?)?;
            }
            Some(Ty::IntList | Ty::BinList | Ty::List(_)) => {
                let list_header = w.byte()?;
                let count = match list_header >> 4 {
                    15 => w.varint()?,
                    n => u64::from(n),
                };
                w.fits(count, 1, "list")?;
                let item = field_type(sid, id);
                for _ in 0..count {
                    match item {
                        Some(Ty::IntList) => {
                            w.varint()?;
                        }
                        Some(Ty::BinList) => {
                            let n = w.varint()?;
                            w.skip(
                                usize::try_from(n)
                                    .map_err(|_| "a string is too long".to_string())?,
                            )?;
                        }
                        Some(Ty::List(Sid::Chunk)) => {
                            let mut c = Chunk::default();
                            typed_struct(w, Sid::Chunk, depth + 1, out, &mut c)?;
                            out.chunks.push(c);
                        }
                        Some(Ty::List(inner)) => typed_struct(w, inner, depth + 1, out, chunk)?,
                        _ => unreachable!("a list type"),
                    }
                }
            }
            Some(Ty::Struct(inner)) => typed_struct(w, inner, depth + 1, out, chunk)?,
        }
    }
}

/// Walks the footer (the Thrift `FileMetaData`) as polars decodes it,
/// collecting its row counts and column chunks.
fn layout(footer: &[u8]) -> Result<Layout, String> {
    let mut w = Walker {
        bytes: footer,
        pos: 0,
    };
    let mut out = Layout::default();
    let mut unused = Chunk::default();
    typed_struct(&mut w, Sid::File, 0, &mut out, &mut unused)?;
    Ok(out)
}

/// Most values a count in the file may claim: `ratio` values per bit of the
/// file (as the gzip ratio bounds expansion), and at least a million.
fn most_values(file_size: u64, limits: &Limits) -> i64 {
    let bound = file_size
        .saturating_mul(8)
        .saturating_mul(limits.max_gzip_ratio)
        .max(1 << 20);
    i64::try_from(bound).unwrap_or(i64::MAX)
}

fn corrupt(source: &str, why: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: format!(
            "not a readable Parquet file: its footer is corrupt ({why}); check that it was fully written"
        ),
    }
}

/// Checks one page header (Thrift `PageHeader`) at the start of `bytes`;
/// returns its length plus the page's compressed size.
fn check_page(bytes: &[u8], most: i64) -> Result<u64, String> {
    let mut w = Walker { bytes, pos: 0 };
    let mut compressed = -1i64;
    let mut counts: Vec<i64> = Vec::new();
    w.visit(0, &mut |w, id, kind| match (id, kind) {
        (3, 4..=6) => {
            compressed = w.int(kind)?;
            Ok(true)
        }
        (5 | 7 | 8, 12) => {
            w.visit(1, &mut |w, id, kind| match (id, kind) {
                (1 | 3, 4..=6) => {
                    counts.push(w.int(kind)?);
                    Ok(true)
                }
                _ => Ok(false),
            })?;
            Ok(true)
        }
        _ => Ok(false),
    })?;
    if let Some(bad) = counts.iter().find(|&&c| c < 0 || c > most) {
        return Err(format!(
            "a page claims {bad} values, more than the file can hold"
        ));
    }
    if compressed < 0 {
        return Err("a page has no valid size".to_string());
    }
    Ok(w.pos as u64 + compressed as u64)
}

/// Checks the footer and every page header of the chunks it lists; `read_at`
/// reads up to `len` bytes at an offset of the file.
fn check_layout(
    source: &str,
    footer: &[u8],
    file_size: u64,
    limits: &Limits,
    read_at: &mut dyn FnMut(u64, usize) -> Result<Vec<u8>, DataError>,
) -> Result<(), DataError> {
    let most = most_values(file_size, limits);
    let layout = layout(footer).map_err(|why| corrupt(source, why))?;
    if let Some(bad) = layout.counts.iter().find(|&&c| c < 0 || c > most) {
        return Err(corrupt(
            source,
            format!("it claims {bad} rows, more than a file of {file_size} bytes can hold"),
        ));
    }
    let mut pages = 0usize;
    for chunk in &layout.chunks {
        if chunk.num_values < 0 || chunk.num_values > most {
            return Err(corrupt(
                source,
                format!("a column chunk claims {} values", chunk.num_values),
            ));
        }
        // As polars does: the dictionary page's offset whenever there is one.
        let start = chunk.dictionary_page.unwrap_or(chunk.data_page);
        let end = start.saturating_add(chunk.compressed);
        if start < 4 || chunk.compressed < 0 || end as u64 > file_size {
            return Err(corrupt(
                source,
                format!("a column chunk lies outside the file (bytes {start} to {end})"),
            ));
        }
        let mut pos = start as u64;
        while pos < end as u64 {
            pages += 1;
            if pages > 1_000_000 {
                return Err(corrupt(source, "more than a million pages".to_string()));
            }
            let window = (end as u64 - pos).min(64 << 10) as usize;
            let header = read_at(pos, window)?;
            let step = check_page(&header, most).map_err(|why| corrupt(source, why))?;
            pos = pos.saturating_add(step.max(1));
        }
    }
    Ok(())
}

/// Checks the footer bytes (the Thrift `FileMetaData`) structurally.
fn check_metadata(source: &str, footer: &[u8]) -> Result<(), DataError> {
    Walker {
        bytes: footer,
        pos: 0,
    }
    .structure(0)
    .map_err(|why| corrupt(source, why))
}

fn truncated(source: &str) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message: "not a readable Parquet file: the footer length does not fit the file (truncated?); check that it was fully written".to_string(),
    }
}

/// Checks the footer of a Parquet file held in memory.
pub(crate) fn check_bytes(source: &str, bytes: &[u8]) -> Result<(), DataError> {
    let n = bytes.len();
    if n < 12 || &bytes[n - 4..] != b"PAR1" {
        return Err(truncated(source));
    }
    let len = u32::from_le_bytes([bytes[n - 8], bytes[n - 7], bytes[n - 6], bytes[n - 5]]) as usize;
    if len + 12 > n {
        return Err(truncated(source));
    }
    let footer = &bytes[n - 8 - len..n - 8];
    check_metadata(source, footer)?;
    check_layout(
        source,
        footer,
        n as u64,
        &Limits::default(),
        &mut |at, len| {
            let at = at as usize;
            Ok(bytes[at.min(n)..(at + len).min(n)].to_vec())
        },
    )
}

/// Checks the footer of a Parquet file on disk, reading only the footer (at
/// most the file size limit of it) and leaving the file positioned at 0.
pub(crate) fn check_file<F: Read + Seek>(
    source: &str,
    file: &mut F,
    limits: &Limits,
) -> Result<(), DataError> {
    let io = |e: std::io::Error| DataError::Parse {
        source_name: source.to_string(),
        message: format!("reading the Parquet footer failed: {e}"),
    };
    let size = file.seek(SeekFrom::End(0)).map_err(io)?;
    if size < 12 {
        return Err(truncated(source));
    }
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(size - 8)).map_err(io)?;
    file.read_exact(&mut tail).map_err(io)?;
    if &tail[4..] != b"PAR1" {
        return Err(truncated(source));
    }
    let len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if len + 12 > size {
        return Err(truncated(source));
    }
    if len > limits.max_file_bytes {
        return Err(limits::exceeded(
            source,
            "the Parquet footer".to_string(),
            LimitKind::File,
            limits,
        ));
    }
    let mut footer = vec![0u8; len as usize];
    file.seek(SeekFrom::Start(size - 8 - len)).map_err(io)?;
    file.read_exact(&mut footer).map_err(io)?;
    check_metadata(source, &footer)?;
    check_layout(source, &footer, size, limits, &mut |at, len| {
        let mut buf = vec![0u8; len];
        file.seek(SeekFrom::Start(at)).map_err(io)?;
        let mut filled = 0;
        while filled < len {
            match file.read(&mut buf[filled..]).map_err(io)? {
                0 => break,
                n => filled += n,
            }
        }
        buf.truncate(filled);
        Ok(buf)
    })?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A footer: struct { 1: list<i32> of `count` claimed, `given` present }.
    fn footer(count_header: &[u8], given: usize) -> Vec<u8> {
        let mut f = vec![0x19]; // field 1, type list
        f.extend_from_slice(count_header);
        f.extend(std::iter::repeat_n(0x02, given)); // i32 varints
        f.push(0); // stop
        f
    }

    fn file(meta: &[u8]) -> Vec<u8> {
        let mut b = b"PAR1".to_vec();
        b.extend_from_slice(meta);
        b.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        b.extend_from_slice(b"PAR1");
        b
    }

    #[test]
    fn honest_lists_pass_and_inflated_ones_are_refused() {
        // 3 elements, inline count (3 << 4 | i32 type 5).
        assert!(check_bytes("f", &file(&footer(&[0x35], 3))).is_ok());
        // 4 billion elements claimed (long-form count), 3 present.
        let err = check_bytes(
            "f",
            &file(&footer(&[0xf5, 0xff, 0xff, 0xff, 0xff, 0x0f], 3)),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("claims 4294967295 elements"), "{err}");
        assert!(err.starts_with("f: not a readable Parquet file"), "{err}");
        // A string longer than what is left.
        let err = check_bytes("f", &file(&[0x18, 0x7f, b'a', 0])).unwrap_err();
        assert!(err.to_string().contains("claims 127 bytes"), "{err}");
        // Nesting 100 structs deep.
        let mut deep = vec![0x1c; 100];
        deep.extend(vec![0; 101]);
        assert!(check_bytes("f", &file(&deep))
            .unwrap_err()
            .to_string()
            .contains("nested"));
        // A footer length larger than the file.
        let mut b = file(&footer(&[0x35], 3));
        let n = b.len();
        b[n - 8..n - 4].copy_from_slice(&1000u32.to_le_bytes());
        assert!(check_bytes("f", &b)
            .unwrap_err()
            .to_string()
            .contains("does not fit"));
    }

    #[test]
    fn the_file_check_reads_the_footer_and_rewinds() {
        let bytes = file(&footer(&[0x35], 3));
        let mut cursor = std::io::Cursor::new(bytes);
        check_file("f", &mut cursor, &Limits::BUILT_IN).unwrap();
        assert_eq!(cursor.position(), 0);
    }
}
