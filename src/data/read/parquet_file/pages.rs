//! Parquet string column chunks decoded from their pages straight into
//! codes, without building a string per row.
//!
//! A dictionary-encoded chunk (the usual form of a low-cardinality text
//! column written by pyarrow, polars, DuckDB or Spark) stores each distinct
//! value once in a dictionary page and one small integer per row in its data
//! pages (the RLE / bit-packing hybrid of the Parquet format,
//! <https://github.com/apache/parquet-format/blob/master/Encodings.md>). This
//! module reads the dictionary page once per column chunk, decodes the data
//! pages' indices and definition levels into `u32`s with polars' own Parquet
//! layer (`polars-parquet`: page reader, decompression, `HybridRleDecoder`),
//! and numbers the dictionary entries in the order rows first use them. A
//! PLAIN page (pyarrow falls back to PLAIN mid-chunk when the dictionary
//! grows past its limit) is decoded value by value into the same chunk. The
//! result, a [`ChunkCodes`], is the chunk's own small dictionary in order of
//! first appearance plus one local code per row: exactly the form
//! `CategoricalColumnBuilder::append_encoded` takes, so the table's codes
//! equal pushing every row's text one by one.
//!
//! It only handles flat (not nested) BYTE_ARRAY columns that polars reads as
//! text, with PLAIN, PLAIN_DICTIONARY or RLE_DICTIONARY data pages and RLE
//! definition levels; for anything else [`decode_string_chunk`] answers
//! `Ok(None)` and the caller reads the chunk through polars (with the same
//! result). It does not read files: the caller hands it the chunk's bytes.
//! Errors are plain messages; the caller names the file, row group and
//! column.

use std::io::Cursor;

use polars_buffer::Buffer;
use polars_parquet::parquet::encoding::hybrid_rle::HybridRleDecoder;
use polars_parquet::parquet::encoding::Encoding;
use polars_parquet::parquet::metadata::ColumnChunkMetadata;
use polars_parquet::parquet::page::split_buffer;
use polars_parquet::parquet::read::{BasicDecompressor, PageMetaData, PageReader};
use polars_parquet::parquet::schema::types::PhysicalType;

/// A local code not given yet.
const UNSEEN: u32 = u32::MAX;

/// One column chunk, encoded on its own: the distinct values in order of
/// first appearance (`None` for the missing value) and one local code per
/// row.
#[derive(Debug, Default)]
pub(super) struct ChunkCodes {
    /// The distinct values' text, one after the other.
    text: String,
    /// Byte range of each local value in `text`; `None` is missing.
    spans: Vec<Option<(usize, usize)>>,
    /// One local code per row (an index into `spans`).
    pub(super) codes: Vec<u32>,
    /// The local code of the missing value, once a row is missing.
    missing: Option<u32>,
    /// Data pages decoded from dictionary indices and from PLAIN values.
    pub(super) pages: PageCounts,
}

/// How many data pages of a chunk were of each encoding.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct PageCounts {
    /// PLAIN_DICTIONARY / RLE_DICTIONARY pages.
    pub(super) dictionary: usize,
    /// PLAIN pages.
    pub(super) plain: usize,
}

impl ChunkCodes {
    /// The chunk's dictionary in order of first appearance.
    pub(super) fn local(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.spans
            .iter()
            .map(|span| span.map(|(start, end)| &self.text[start..end]))
    }

    fn missing_code(&mut self) -> u32 {
        *self.missing.get_or_insert_with(|| {
            self.spans.push(None);
            (self.spans.len() - 1) as u32
        })
    }

    /// A new local code for `value` (the missing code if `is_missing`).
    fn code_for(&mut self, value: &str, is_missing: &dyn Fn(&str) -> bool) -> u32 {
        if is_missing(value) {
            return self.missing_code();
        }
        let start = self.text.len();
        self.text.push_str(value);
        self.spans.push(Some((start, self.text.len())));
        (self.spans.len() - 1) as u32
    }
}

/// True when a column chunk can go through [`decode_string_chunk`]: a flat
/// BYTE_ARRAY column (no repetition, at most one definition level). The
/// caller also checks that polars reads the column as text.
pub(super) fn is_flat_byte_array(chunk: &ColumnChunkMetadata) -> bool {
    let descriptor = &chunk.descriptor().descriptor;
    chunk.physical_type() == PhysicalType::ByteArray
        && descriptor.max_rep_level == 0
        && descriptor.max_def_level <= 1
        && chunk.descriptor().path_in_schema.len() == 1
}

/// Decodes one flat BYTE_ARRAY column chunk of `rows` rows (`bytes` holds
/// exactly the chunk's byte range of the file) into local codes. Values are
/// checked to be UTF-8; a null, or a value for which `is_missing` is true,
/// is the missing value. `max_ratio` bounds a data page's stated
/// decompressed size by its compressed size (a corrupt header cannot make
/// it allocate gigabytes). `Ok(None)` when the chunk uses an encoding this
/// module does not decode (the caller falls back to polars).
pub(super) fn decode_string_chunk(
    bytes: Buffer<u8>,
    chunk: &ColumnChunkMetadata,
    rows: usize,
    is_missing: &dyn Fn(&str) -> bool,
    max_ratio: u64,
    mut codes: Vec<u32>,
) -> Result<Option<ChunkCodes>, String> {
    let max_def = chunk.descriptor().descriptor.max_def_level;
    let reader = PageReader::new_with_page_meta(
        Cursor::new(bytes),
        PageMetaData::from(chunk),
        Vec::new(),
        usize::MAX,
    );
    let mut pages = BasicDecompressor::new(reader, Vec::new());
    let dictionary_page = pages.read_dict_page().map_err(|e| e.to_string())?;
    let dictionary = dictionary_page
        .as_ref()
        .map(|page| dictionary_entries(&page.buffer, page.num_values))
        .transpose()?;
    // `codes` is a buffer handed back from an earlier chunk (a fresh
    // allocation per chunk and column is a page fault per 4 KiB).
    codes.clear();
    codes.reserve(rows);
    let mut out = ChunkCodes {
        codes,
        ..ChunkCodes::default()
    };
    // Dictionary index -> local code, given at the first row that uses it.
    let mut local = vec![UNSEEN; dictionary.as_ref().map_or(0, |d| d.values.len())];
    let mut defs: Vec<u32> = Vec::new();
    let mut indices: Vec<u32> = Vec::new();
    while let Some(item) = pages.next() {
        let item = item.map_err(|e| e.to_string())?;
        let compressed = item.page().compressed_size() as u64;
        let stated = item.page().uncompressed_size() as u64;
        if stated > compressed.saturating_mul(max_ratio).max(1 << 20) {
            return Err(format!(
                "a data page states {stated} decompressed bytes for {compressed} compressed bytes (above the ratio limit of {max_ratio})"
            ));
        }
        let page = item.decompress(&mut pages).map_err(|e| e.to_string())?;
        let n = page.num_values();
        if out.codes.len() + n > rows {
            return Err(format!(
                "the pages hold more values than the row group's {rows} rows"
            ));
        }
        let parts = split_buffer(&page).map_err(|e| e.to_string())?;
        // Definition levels: 1 = a value, 0 = null.
        let has_nulls = if max_def > 0 {
            if page.definition_level_encoding() != Encoding::Rle {
                return Ok(None);
            }
            defs.clear();
            collect_levels(parts.def, 1, n, &mut defs, "definition levels")?;
            defs.contains(&0)
        } else {
            false
        };
        let present = if has_nulls {
            defs.iter().filter(|&&d| d != 0).count()
        } else {
            n
        };
        let is_null = |row: usize| has_nulls && defs[row] == 0;
        match page.encoding() {
            Encoding::PlainDictionary | Encoding::RleDictionary => {
                let Some(dictionary) = &dictionary else {
                    return Err("a dictionary-encoded data page but no dictionary page".to_string());
                };
                let Some((&width, packed)) = parts.values.split_first() else {
                    return Err("an empty dictionary-encoded data page".to_string());
                };
                if width > 32 {
                    return Err(format!("dictionary indices of {width} bits"));
                }
                indices.clear();
                collect_levels(
                    packed,
                    u32::from(width),
                    present,
                    &mut indices,
                    "dictionary indices",
                )?;
                if !has_nulls {
                    // Every row has a value: one index per row, no
                    // definition levels to consult.
                    let Some(indices) = indices.get(..n) else {
                        return Err("fewer dictionary indices than values".to_string());
                    };
                    for &index in indices {
                        let code = dictionary.code(index, &mut local, &mut out, is_missing)?;
                        out.codes.push(code);
                    }
                    out.pages.dictionary += 1;
                    continue;
                }
                let mut next = indices.iter();
                for row in 0..n {
                    if is_null(row) {
                        let code = out.missing_code();
                        out.codes.push(code);
                        continue;
                    }
                    let Some(&index) = next.next() else {
                        return Err("fewer dictionary indices than values".to_string());
                    };
                    let code = dictionary.code(index, &mut local, &mut out, is_missing)?;
                    out.codes.push(code);
                }
                out.pages.dictionary += 1;
            }
            Encoding::Plain => {
                let mut values = PlainValues {
                    bytes: parts.values,
                };
                for row in 0..n {
                    if is_null(row) {
                        let code = out.missing_code();
                        out.codes.push(code);
                        continue;
                    }
                    let value = values.next_str()?;
                    let code = out.code_for(value, is_missing);
                    out.codes.push(code);
                }
                out.pages.plain += 1;
            }
            _ => return Ok(None),
        }
        pages.reuse_page_buffer(page);
    }
    if out.codes.len() != rows {
        return Err(format!(
            "the pages hold {} values for the row group's {rows} rows",
            out.codes.len()
        ));
    }
    Ok(Some(out))
}

/// Decodes `n` RLE / bit-packed values of `width` bits into `out`.
fn collect_levels(
    data: &[u8],
    width: u32,
    n: usize,
    out: &mut Vec<u32>,
    what: &str,
) -> Result<(), String> {
    let decoded = HybridRleDecoder::new(data, width, n)
        .collect()
        .map_err(|e| format!("{what}: {e}"))?;
    if decoded.len() != n {
        return Err(format!(
            "{what}: {} decoded where the page states {n}",
            decoded.len()
        ));
    }
    out.extend_from_slice(&decoded);
    Ok(())
}

/// A dictionary page's entries, checked to be UTF-8.
struct Dictionary<'a> {
    values: Vec<&'a str>,
}

impl Dictionary<'_> {
    /// The chunk's local code of entry `index`: `local[index]`, given (in
    /// `out`) at the entry's first use.
    #[inline]
    fn code(
        &self,
        index: u32,
        local: &mut [u32],
        out: &mut ChunkCodes,
        is_missing: &dyn Fn(&str) -> bool,
    ) -> Result<u32, String> {
        let Some(slot) = local.get_mut(index as usize) else {
            return Err(format!(
                "dictionary index {index} but the dictionary has {} entries",
                self.values.len()
            ));
        };
        if *slot == UNSEEN {
            *slot = out.code_for(self.text(index as usize), is_missing);
        }
        Ok(*slot)
    }

    fn text(&self, index: usize) -> &str {
        self.values[index]
    }
}

/// The `n` PLAIN-encoded byte arrays of a dictionary page.
fn dictionary_entries(bytes: &[u8], n: usize) -> Result<Dictionary<'_>, String> {
    let mut plain = PlainValues { bytes };
    // Each entry takes at least its 4-byte length.
    if n > bytes.len() / 4 {
        return Err(format!(
            "the dictionary page states {n} entries in {} bytes",
            bytes.len()
        ));
    }
    let values = (0..n)
        .map(|_| plain.next_str())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Dictionary { values })
}

/// PLAIN-encoded byte arrays: a 4-byte little-endian length, then the bytes.
struct PlainValues<'a> {
    bytes: &'a [u8],
}

impl<'a> PlainValues<'a> {
    fn next_str(&mut self) -> Result<&'a str, String> {
        let Some((length, rest)) = self.bytes.split_first_chunk::<4>() else {
            return Err("a value's length runs past the end of its page".to_string());
        };
        let length = u32::from_le_bytes(*length) as usize;
        let Some((value, rest)) = rest.split_at_checked(length) else {
            return Err(format!(
                "a value states {length} bytes but its page has {} left",
                rest.len()
            ));
        };
        self.bytes = rest;
        std::str::from_utf8(value).map_err(|e| format!("a value is not valid UTF-8 ({e})"))
    }
}
