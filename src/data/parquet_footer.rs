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

/// Checks the footer bytes (the Thrift `FileMetaData`).
fn check_metadata(source: &str, footer: &[u8]) -> Result<(), DataError> {
    Walker {
        bytes: footer,
        pos: 0,
    }
    .structure(0)
    .map_err(|why| DataError::Parse {
        source_name: source.to_string(),
        message: format!(
            "not a readable Parquet file: its footer is corrupt ({why}); check that it was fully written"
        ),
    })
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
    check_metadata(source, &bytes[n - 8 - len..n - 8])
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
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    check_metadata(source, &footer)
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
