//! The fast path of CSV loading: the file is cut into chunks of whole
//! records, the chunks are parsed and dictionary-encoded in parallel (one
//! small dictionary per chunk and column), and the per-chunk dictionaries are
//! merged in file order into one code space.
//!
//! **Same codes as the sequential reader.** A chunk's dictionary lists its
//! values in their order of first appearance in the chunk, so merging chunks
//! in file order meets the values new to the column in the order one
//! sequential pass meets them: the codes are identical
//! ([`CategoricalColumnBuilder::append_encoded`]).
//!
//! **Cutting.** A chunk ends after a `\n` that ends a non-empty record
//! outside quotes. Where a block holds no `"` at all that is the last such
//! `\n` (found with `memrchr`); otherwise a four-state machine that mirrors
//! the `csv` crate's quoting rules (a quote opens a quoted field only at the
//! start of a field; `""` inside quotes is a quote; after the closing quote
//! the field goes on unquoted) finds it.
//!
//! **Parsing.** A chunk that holds no `"` is split on the delimiter and
//! `\n` with `memchr2` (what the `csv` crate reads when there are no
//! quotes, with the same blank-line, CRLF, width and limit handling); a
//! chunk with quotes is parsed by the `csv` crate.
//!
//! **Errors are the sequential reader's.** This path checks what the
//! sequential one checks (record width, invalid UTF-8 in a column that is
//! read, the field and record limits, a blank CRLF line skipped) but reports
//! nothing: on anything unusual it gives up (`None`) and the caller reads the
//! file again with the sequential reader, whose errors name the exact line.
//! UTF-8 is checked once per distinct value of a chunk, which is exact: equal
//! bytes are equally valid.
//!
//! It does not read headers, sniff delimiters or handle NDJSON and Parquet.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use super::{open_stream, read_up_to, MissingPolicy};
use crate::data::bytedict::ByteDict;
use crate::data::limits::Limits;
use crate::data::CategoricalColumnBuilder;

/// Bytes read per block; a chunk is one block cut back to a record end (or
/// more, when one record is longer).
pub(super) const BLOCK_BYTES: usize = 4 << 20;

/// The chunks to parse, numbered in file order, shared by the workers.
type SharedWork = Arc<Mutex<Receiver<(usize, Vec<u8>)>>>;

/// One column of one chunk, encoded on its own.
struct LocalColumn {
    /// Raw field bytes -> local code (missing tokens map to the missing code).
    dict: ByteDict,
    /// Local dictionary in order of first appearance: `None` is the missing
    /// value, `Some(k)` the dictionary key `k`.
    entries: Vec<Option<u32>>,
    /// The local missing code, once a missing value was met.
    missing: Option<u32>,
    codes: Vec<u32>,
    /// The previous row's key number and code: a column with few values
    /// often repeats one, and comparing bytes is cheaper than hashing.
    last: Option<(usize, u32)>,
}

impl LocalColumn {
    fn new(rows: usize) -> Self {
        LocalColumn {
            dict: ByteDict::new(),
            entries: Vec::new(),
            missing: None,
            codes: Vec::with_capacity(rows),
            last: None,
        }
    }

    /// Appends one field; `false` when it is not valid UTF-8.
    #[inline]
    fn push(&mut self, bytes: &[u8], missing: &MissingPolicy) -> bool {
        if let Some((key, code)) = self.last {
            if self.dict.key(key) == bytes {
                self.codes.push(code);
                return true;
            }
        }
        let entries = &mut self.entries;
        let local_missing = &mut self.missing;
        let key_number = self.dict.len() as u32;
        let mut valid = true;
        let (key, code) = self.dict.entry_with(bytes, || {
            match std::str::from_utf8(bytes) {
                Err(_) => valid = false,
                Ok(text) if missing.is_missing(text) => {
                    return *local_missing.get_or_insert_with(|| {
                        entries.push(None);
                        (entries.len() - 1) as u32
                    });
                }
                Ok(_) => {}
            }
            entries.push(Some(key_number));
            (entries.len() - 1) as u32
        });
        self.codes.push(code);
        self.last = Some((key, code));
        valid
    }
}

/// What the state machine is in, as the `csv` crate sees the bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field (or of a record).
    StartField,
    /// In an unquoted field (a `"` here is an ordinary byte).
    InField,
    /// Inside quotes (delimiters and line breaks are data).
    InQuoted,
    /// Just after a `"` inside quotes: `"` again is an escaped quote.
    AfterQuote,
}

/// The end (one past the `\n`) of the last non-empty record in `block`,
/// which starts at a record start; `None` when no record ends in it.
fn last_record_end(block: &[u8], delimiter: u8) -> Option<usize> {
    if memchr::memchr(b'"', block).is_none() {
        // No quotes: every `\n` ends a record; skip blank lines.
        let mut end = block.len();
        while let Some(nl) = memchr::memrchr(b'\n', &block[..end]) {
            if nl > 0 && block[nl - 1] != b'\n' {
                return Some(nl + 1);
            }
            end = nl;
        }
        return None;
    }
    let mut state = State::StartField;
    let mut record_has_bytes = false;
    let mut last = None;
    for (i, &b) in block.iter().enumerate() {
        state = match state {
            State::StartField | State::InField | State::AfterQuote if b == b'\n' => {
                if record_has_bytes {
                    last = Some(i + 1);
                }
                record_has_bytes = false;
                State::StartField
            }
            State::StartField if b == b'"' => State::InQuoted,
            State::StartField | State::InField | State::AfterQuote if b == delimiter => {
                State::StartField
            }
            State::StartField | State::InField => State::InField,
            State::InQuoted if b == b'"' => State::AfterQuote,
            State::InQuoted => State::InQuoted,
            State::AfterQuote if b == b'"' => State::InQuoted,
            State::AfterQuote => State::InField,
        };
        if b != b'\n' || state == State::InQuoted {
            record_has_bytes = true;
        }
    }
    last
}

/// How the chunks are parsed and checked.
pub(super) struct ChunkPlan<'a> {
    /// Field delimiter.
    pub delimiter: u8,
    /// Columns in the header.
    pub width: usize,
    /// Header positions of the columns kept, in the order requested.
    pub projection: &'a [usize],
    /// The missing-value policy.
    pub missing: &'a MissingPolicy,
    /// Field and record limits.
    pub limits: Limits,
    /// Bytes read per block ([`BLOCK_BYTES`]; small in tests, to cut often).
    pub block_bytes: usize,
}

/// Parses and encodes one chunk; `None` when the sequential reader must
/// decide (a ragged record, invalid UTF-8, a limit). A chunk without any
/// `"` goes through [`encode_unquoted`], others through the `csv` crate.
fn encode_chunk(chunk: &[u8], plan: &ChunkPlan) -> Option<Vec<LocalColumn>> {
    if memchr::memchr(b'"', chunk).is_none() {
        if let Some(slots) = projection_slots(plan) {
            return encode_unquoted(chunk, plan, &slots);
        }
    }
    encode_quoted(chunk, plan)
}

/// Marks a header position that is not read.
const NOT_READ: usize = usize::MAX;

/// For each header position, the index in `plan.projection` of the column
/// read there (or [`NOT_READ`]); `None` when a column is asked for twice.
fn projection_slots(plan: &ChunkPlan) -> Option<Vec<usize>> {
    let mut slots = vec![NOT_READ; plan.width];
    for (slot, &index) in plan.projection.iter().enumerate() {
        match slots.get_mut(index) {
            Some(s) if *s == NOT_READ => *s = slot,
            _ => return None,
        }
    }
    Some(slots)
}

/// [`encode_quoted`] for a chunk that holds no `"`: fields are the bytes
/// between delimiters and `\n`s (found with `memchr2`), which is what the
/// `csv` crate reads when there are no quotes; blank lines are skipped,
/// a lone `\r` line too (a blank CRLF line) and a `\r` ending the last
/// field is dropped, with the same width and limit checks.
fn encode_unquoted(chunk: &[u8], plan: &ChunkPlan, slots: &[usize]) -> Option<Vec<LocalColumn>> {
    let guess = chunk.len() / 64 + 16;
    let mut columns: Vec<LocalColumn> = plan
        .projection
        .iter()
        .map(|_| LocalColumn::new(guess))
        .collect();
    let last = plan.width - 1;
    let max_field = plan.limits.max_field_bytes;
    let max_record = plan.limits.max_record_bytes;
    // Where the current record's bytes began (blank lines before it count,
    // as they do in the `csv` crate's positions), its current field's start
    // and number.
    let mut record_start = 0usize;
    let mut field_start = 0usize;
    let mut field = 0usize;
    let unterminated = chunk.last().is_some_and(|&b| b != b'\n');
    let ends = memchr::memchr2_iter(plan.delimiter, b'\n', chunk)
        .chain(unterminated.then_some(chunk.len()));
    for at in ends {
        let line_end = at == chunk.len() || chunk[at] == b'\n';
        let bytes = &chunk[field_start..at];
        if line_end && field == 0 && bytes.is_empty() {
            // A blank line.
            field_start = at + 1;
            continue;
        }
        if bytes.len() as u64 > max_field {
            return None;
        }
        let record_end = (at + 1).min(chunk.len());
        if line_end && (record_end - record_start) as u64 > max_record {
            return None;
        }
        if line_end && field == 0 && plan.width > 1 && bytes == b"\r" {
            // A blank CRLF line.
            record_start = record_end;
            field_start = record_end;
            continue;
        }
        if let Some(&slot) = slots.get(field) {
            if slot != NOT_READ {
                let value = if field == last {
                    bytes.strip_suffix(b"\r").unwrap_or(bytes)
                } else {
                    bytes
                };
                if !columns[slot].push(value, plan.missing) {
                    return None;
                }
            }
        }
        field += 1;
        field_start = at + 1;
        if line_end {
            if field != plan.width {
                return None;
            }
            field = 0;
            record_start = record_end;
        }
    }
    Some(columns)
}

/// Parses and encodes one chunk with the `csv` crate (quotes and all).
fn encode_quoted(chunk: &[u8], plan: &ChunkPlan) -> Option<Vec<LocalColumn>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(plan.delimiter)
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(64 * 1024)
        .from_reader(chunk);
    let guess = chunk.len() / 64 + 16;
    let mut columns: Vec<LocalColumn> = plan
        .projection
        .iter()
        .map(|_| LocalColumn::new(guess))
        .collect();
    let last = plan.width - 1;
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return None,
        }
        if reader.position().byte() - start > plan.limits.max_record_bytes {
            return None;
        }
        if record.as_slice().len() as u64 > plan.limits.max_field_bytes
            && record
                .iter()
                .any(|f| f.len() as u64 > plan.limits.max_field_bytes)
        {
            return None;
        }
        if plan.width > 1 && record.len() == 1 && &record[0] == b"\r" {
            continue;
        }
        if record.len() != plan.width {
            return None;
        }
        for (column, &index) in columns.iter_mut().zip(plan.projection) {
            let mut bytes = &record[index];
            if index == last {
                bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            }
            if !column.push(bytes, plan.missing) {
                return None;
            }
        }
    }
    Some(columns)
}

/// Reads `path` from byte `data_start` (just after the header, counted after
/// a UTF-8 byte order mark) and appends every record to `builders` (one per
/// projected column), using `threads` parsing threads. Returns the number of
/// rows, or `None` when the sequential reader must read the file instead
/// (then `builders` hold a partial result and must be dropped).
///
/// `after_chunk` is called after each chunk was appended, in file order; it
/// may take the rows out of the builders (the streaming reader does) and
/// returns `false` to stop reading (then the result is `None`).
pub(super) fn load_chunked(
    path: &Path,
    data_start: u64,
    plan: &ChunkPlan,
    builders: &mut [CategoricalColumnBuilder],
    threads: usize,
    after_chunk: &mut dyn FnMut(&mut [CategoricalColumnBuilder]) -> bool,
) -> Option<usize> {
    let mut stream = open_stream(path, &plan.limits).ok()?;
    let mut head = [0u8; 3];
    let n = read_up_to(&mut stream, &mut head).ok()?;
    // Offsets count from after a byte order mark, as the header reader's do.
    let mut pending: Vec<u8> = if n == 3 && head == *b"\xEF\xBB\xBF" {
        Vec::new()
    } else {
        head[..n].to_vec()
    };
    let in_pending = usize::try_from(data_start)
        .unwrap_or(usize::MAX)
        .min(pending.len());
    pending.drain(..in_pending);
    let to_skip = data_start - in_pending as u64;
    let skipped = std::io::copy(&mut (&mut stream).take(to_skip), &mut std::io::sink()).ok()?;
    if skipped != to_skip {
        return None;
    }

    let threads = threads.max(1);
    let (work_tx, work_rx) = sync_channel::<(usize, Vec<u8>)>(threads);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<(usize, Option<Vec<LocalColumn>>)>(threads * 2);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let work_rx: SharedWork = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || loop {
                let next = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok((seq, chunk)) = next else { return };
                let encoded = encode_chunk(&chunk, plan);
                if done_tx.send((seq, encoded)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        drop(work_rx);
        let reader = scope.spawn(move || -> Option<()> {
            let mut seq = 0usize;
            let mut carry = pending;
            loop {
                let start = carry.len();
                carry.resize(start + plan.block_bytes.max(1), 0);
                let got = read_up_to(&mut stream, &mut carry[start..]).ok()?;
                carry.truncate(start + got);
                let at_end = got == 0;
                if at_end {
                    if !carry.is_empty() {
                        work_tx.send((seq, carry)).ok()?;
                    }
                    return Some(());
                }
                match last_record_end(&carry, plan.delimiter) {
                    Some(end) => {
                        let rest = carry[end..].to_vec();
                        carry.truncate(end);
                        work_tx.send((seq, carry)).ok()?;
                        seq += 1;
                        carry = rest;
                    }
                    None => {
                        // One record longer than a block: read on, up to
                        // the record limit (the sequential reader reports it).
                        if carry.len() as u64 > plan.limits.max_record_bytes {
                            return None;
                        }
                    }
                }
            }
        });
        let mut rows = 0usize;
        let mut next = 0usize;
        let mut waiting: std::collections::BTreeMap<usize, Vec<LocalColumn>> =
            std::collections::BTreeMap::new();
        let mut ok = true;
        for (seq, encoded) in done_rx.iter() {
            let Some(encoded) = encoded else {
                ok = false;
                break;
            };
            waiting.insert(seq, encoded);
            while let Some(columns) = waiting.remove(&next) {
                if !merge(builders, columns, &mut rows) || !after_chunk(builders) {
                    ok = false;
                    break;
                }
                next += 1;
            }
            if !ok {
                break;
            }
        }
        // Stop the workers and the reader (dropping the receivers ends them).
        drop(done_rx);
        let read = reader.join().ok().flatten();
        if !ok || read.is_none() || !waiting.is_empty() || rows == 0 {
            return None;
        }
        Some(rows)
    })
}

/// Appends one chunk's columns to the builders; `false` on an inconsistent
/// chunk (cannot happen: the values were checked when encoded).
fn merge(
    builders: &mut [CategoricalColumnBuilder],
    columns: Vec<LocalColumn>,
    rows: &mut usize,
) -> bool {
    let mut n = None;
    for (builder, column) in builders.iter_mut().zip(&columns) {
        let mut local = Vec::with_capacity(column.entries.len());
        for entry in &column.entries {
            match entry {
                None => local.push(None),
                Some(k) => match std::str::from_utf8(column.dict.key(*k as usize)) {
                    Ok(text) => local.push(Some(text)),
                    Err(_) => return false,
                },
            }
        }
        builder.append_encoded(local, &column.codes);
        n = Some(column.codes.len());
    }
    *rows += n.unwrap_or(0);
    true
}

#[cfg(test)]
mod tests {
    use super::super::{load_csv, CsvPath, ReadOptions};
    use super::*;
    use crate::data::{DataError, EncodedTable};

    /// A small deterministic generator (64-bit LCG), for test data only.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n
        }
    }

    /// Tricky CSV: quotes, escaped quotes, quoted delimiters and line
    /// breaks, a stray quote inside an unquoted field, CRLF and LF lines,
    /// blank lines (LF and CRLF), empty fields, missing tokens, UTF-8, a
    /// suppression token, and a column (`grows`) with 3 distinct values for
    /// its first 300 rows and a new one on every row after.
    fn tricky_csv(rows: usize, seed: u64) -> Vec<u8> {
        let mut g = Lcg(seed);
        let names = [
            "plain",
            "\"quoted, with comma\"",
            "\"say \"\"hi\"\"\"",
            "\"two\nlines\"",
            "\"crlf\r\ninside\"",
            "6'2\"",
            "",
            "?",
            " NULL ",
            "NaN",
            "Zoë",
            "日本語",
            "🦀",
            "*",
            "\"\"",
            "\"a\"b",
            "\"\"\"\"",
        ];
        let mut out = b"\xEF\xBB\xBFid,name,grows,last\n".to_vec();
        for r in 0..rows {
            let name = names[g.next(names.len() as u64) as usize];
            let grows = if r < 300 {
                format!("g{}", g.next(3))
            } else {
                format!("g{r}")
            };
            let last = names[g.next(names.len() as u64) as usize];
            let end = if g.next(2) == 0 { "\n" } else { "\r\n" };
            out.extend_from_slice(format!("{r},{name},{grows},{last}{end}").as_bytes());
            match g.next(20) {
                0 => out.extend_from_slice(b"\n"),
                1 => out.extend_from_slice(b"\r\n"),
                _ => {}
            }
        }
        out
    }

    fn load(path: &Path, columns: &[&str], how: CsvPath) -> Result<EncodedTable, DataError> {
        load_csv(
            path,
            columns,
            &ReadOptions::default(),
            &MissingPolicy::default(),
            how,
        )
    }

    #[test]
    fn chunked_codes_equal_sequential_codes_on_tricky_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tricky.csv");
        std::fs::write(&path, tricky_csv(700, 7)).unwrap();
        for columns in [&[][..], &["last", "grows", "name"][..]] {
            let sequential = load(&path, columns, CsvPath::Sequential).unwrap();
            assert_eq!(sequential.n_rows, 700);
            // `grows`: 3 values, then one new value per row.
            let grows = sequential
                .columns
                .iter()
                .find(|c| c.name == "grows")
                .unwrap();
            assert_eq!(grows.n_values(), 3 + 400);
            assert_eq!(grows.value(699), "g699");
            let name = sequential
                .columns
                .iter()
                .find(|c| c.name == "name")
                .unwrap();
            assert!(name.missing.is_some());
            assert!(name.values.iter().any(|v| v == "crlf\r\ninside"));
            assert!(name.values.iter().any(|v| v == "say \"hi\""));
            assert!(name.values.iter().any(|v| v == "6'2\""));
            assert!(name.values.iter().any(|v| v == "ab"));
            for block_bytes in [1, 2, 3, 5, 7, 13, 64, 1000, 1 << 20] {
                for threads in [1, 2, 3] {
                    let chunked = load(
                        &path,
                        columns,
                        CsvPath::Chunked {
                            block_bytes,
                            threads,
                        },
                    )
                    .unwrap();
                    assert_eq!(
                        chunked, sequential,
                        "block {block_bytes}, threads {threads}"
                    );
                }
            }
            assert_eq!(load(&path, columns, CsvPath::Auto).unwrap(), sequential);
        }
    }

    /// Like [`tricky_csv`] without any `"` (the chunks go through
    /// `encode_unquoted`), and without a final line break.
    fn unquoted_csv(rows: usize, seed: u64) -> Vec<u8> {
        let mut g = Lcg(seed);
        let names = [
            "plain",
            "",
            "?",
            " NULL ",
            "NaN",
            "Zoë",
            "日本語",
            "🦀",
            "*",
            "6'2",
            "a\rb",
            " x ",
        ];
        let mut out = b"id;name;grows;last\r\n".to_vec();
        for r in 0..rows {
            let name = names[g.next(names.len() as u64) as usize];
            let grows = if r < 300 {
                format!("g{}", g.next(3))
            } else {
                format!("g{r}")
            };
            let last = names[g.next(names.len() as u64) as usize];
            let end = match (r + 1 == rows, g.next(2)) {
                (true, _) => "",
                (false, 0) => "\n",
                (false, _) => "\r\n",
            };
            out.extend_from_slice(format!("{r};{name};{grows};{last}{end}").as_bytes());
            if r + 1 < rows {
                match g.next(20) {
                    0 => out.extend_from_slice(b"\n"),
                    1 => out.extend_from_slice(b"\r\n"),
                    2 => out.extend_from_slice(b"\n\n"),
                    _ => {}
                }
            }
        }
        out
    }

    #[test]
    fn unquoted_chunks_give_the_sequential_codes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("unquoted.csv");
        std::fs::write(&path, unquoted_csv(700, 11)).unwrap();
        let opts = ReadOptions {
            delimiter: Some(b';'),
            ..ReadOptions::default()
        };
        let load =
            |columns: &[&str], how| load_csv(&path, columns, &opts, &MissingPolicy::default(), how);
        for columns in [&[][..], &["last", "grows", "name"][..], &["last"][..]] {
            let sequential = load(columns, CsvPath::Sequential).unwrap();
            assert_eq!(sequential.n_rows, 700);
            let last = sequential
                .columns
                .iter()
                .find(|c| c.name == "last")
                .unwrap();
            // Missing tokens, and a `\r` inside a field kept, at the end of
            // a CRLF line dropped.
            assert!(last.missing.is_some());
            assert!(last.values.iter().any(|v| v == "a\rb"));
            assert!(last.values.iter().all(|v| !v.ends_with('\r')));
            for block_bytes in [1, 2, 3, 5, 7, 13, 64, 1000, 1 << 20] {
                for threads in [1, 2, 3] {
                    let chunked = load(
                        columns,
                        CsvPath::Chunked {
                            block_bytes,
                            threads,
                        },
                    )
                    .unwrap();
                    assert_eq!(
                        chunked, sequential,
                        "block {block_bytes}, threads {threads}"
                    );
                }
            }
        }
        // The slots of a projection; a column asked for twice has none.
        let missing = MissingPolicy::default();
        let plan = |projection: &'static [usize]| ChunkPlan {
            delimiter: b',',
            width: 4,
            projection,
            missing: &missing,
            limits: Limits::default(),
            block_bytes: BLOCK_BYTES,
        };
        assert_eq!(
            projection_slots(&plan(&[3, 0])),
            Some(vec![1, NOT_READ, NOT_READ, 0])
        );
        assert_eq!(projection_slots(&plan(&[1, 1])), None);
        // Ragged rows and limits: the unquoted parser gives up.
        let p = plan(&[0, 1, 2, 3]);
        assert!(encode_unquoted(b"a,b,c,d\n1,2,3\n", &p, &[0, 1, 2, 3]).is_none());
        assert!(encode_unquoted(b"a,b,c,d\n1,2,3,4,5\n", &p, &[0, 1, 2, 3]).is_none());
        let encoded = encode_unquoted(b"a,b,c,d\r\n\r\n\n1,,3,4", &p, &[0, 1, 2, 3]).unwrap();
        assert_eq!(encoded[3].codes, [0, 1]);
        assert_eq!(encoded[1].entries.len(), 2);
        let tight = ChunkPlan {
            limits: Limits {
                max_field_bytes: 3,
                ..Limits::default()
            },
            ..plan(&[0, 1, 2, 3])
        };
        assert!(encode_unquoted(b"a,b,c,d\nabcd,2,3,4\n", &tight, &[0, 1, 2, 3]).is_none());
        assert!(encode_unquoted(b"a,b,c,d\nabc,2,3,4\n", &tight, &[0, 1, 2, 3]).is_some());
    }

    #[test]
    fn chunked_reader_gives_up_where_the_sequential_one_fails() {
        let dir = tempfile::tempdir().unwrap();
        let chunked = CsvPath::Chunked {
            block_bytes: 16,
            threads: 2,
        };
        // A ragged row on line 40.
        let mut text = String::from("a,b\n");
        for i in 0..60 {
            if i == 38 {
                text.push_str("1,2,3\n");
            } else {
                text.push_str(&format!("{i},x\n"));
            }
        }
        let ragged = dir.path().join("ragged.csv");
        std::fs::write(&ragged, &text).unwrap();
        assert!(load(&ragged, &[], chunked).is_err());
        let sequential = load(&ragged, &[], CsvPath::Sequential).unwrap_err();
        assert!(matches!(sequential, DataError::RaggedRow { line: 40, .. }));
        assert_eq!(
            load(&ragged, &[], CsvPath::Auto).unwrap_err().to_string(),
            sequential.to_string()
        );
        // Invalid UTF-8 on line 31, in column `b`.
        let mut bytes = b"a,b\n".to_vec();
        for i in 0..60 {
            if i == 29 {
                bytes.extend_from_slice(b"1,\xff\n");
            } else {
                bytes.extend_from_slice(format!("{i},x\n").as_bytes());
            }
        }
        let bad = dir.path().join("bad_utf8.csv");
        std::fs::write(&bad, &bytes).unwrap();
        assert!(load(&bad, &["b"], chunked).is_err());
        let sequential = load(&bad, &["b"], CsvPath::Sequential).unwrap_err();
        assert!(matches!(
            sequential,
            DataError::InvalidUtf8 { line: 31, .. }
        ));
        assert_eq!(
            load(&bad, &["b"], CsvPath::Auto).unwrap_err().to_string(),
            sequential.to_string()
        );
        // The same byte in a column that is not read is no error.
        assert_eq!(
            load(&bad, &["a"], chunked).unwrap(),
            load(&bad, &["a"], CsvPath::Sequential).unwrap()
        );
    }

    #[test]
    fn record_ends_follow_quotes() {
        // The `\n` inside quotes is data; the record ends after `2\n`.
        assert_eq!(last_record_end(b"a,\"x\ny\"\n1,2\nzz", b','), Some(12));
        // Inside an open quote nothing ends.
        assert_eq!(last_record_end(b"a,\"x\ny\n", b','), None);
        // A quote in the middle of an unquoted field is an ordinary byte.
        assert_eq!(last_record_end(b"6'2\",a\nb", b','), Some(7));
        // An escaped quote keeps the field quoted.
        assert_eq!(last_record_end(b"\"a\"\"\nb\"\nc", b','), Some(8));
        // Blank lines do not end a record; no quotes and with quotes.
        assert_eq!(last_record_end(b"a\n\n\n", b','), Some(2));
        assert_eq!(last_record_end(b"\"a\"\n\n\n", b','), Some(4));
        assert_eq!(last_record_end(b"\n\n", b','), None);
    }
}
