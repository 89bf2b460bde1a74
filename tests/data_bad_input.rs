//! Bad input never panics: every case is a `DataError` whose message names
//! the file and the line (1-based, header = line 1) or the column, and says
//! what to do.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use reident::data::{
    load_table, read_frame, read_frame_columns, DataError, Format, MissingPolicy, ReadOptions,
};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Loads every column of `path`; returns the error message, failing the test
/// if loading succeeded.
fn load_err(path: &Path, columns: &[&str]) -> (DataError, String) {
    let err = load_table(
        path,
        columns,
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .expect_err("loading should fail");
    let msg = err.to_string();
    (err, msg)
}

fn assert_has(msg: &str, parts: &[&str]) {
    for part in parts {
        assert!(msg.contains(part), "message lacks {part:?}: {msg}");
    }
}

#[test]
fn missing_column_lists_the_available_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "people.csv", b"age,sex\n30,F\n");
    let (err, msg) = load_err(&path, &["age", "zip"]);
    assert!(matches!(err, DataError::MissingColumn { .. }));
    assert_has(&msg, &["people.csv", "no column `zip`", "age, sex"]);
    // Same for read_frame_columns, NDJSON and Parquet-free paths.
    let err = read_frame_columns(&path, Some(&["zip"]), &ReadOptions::default()).unwrap_err();
    assert_has(&err.to_string(), &["people.csv", "`zip`", "age, sex"]);
    let path = write(
        dir.path(),
        "people.jsonl",
        b"{\"age\": 30, \"sex\": \"F\"}\n",
    );
    let (_, msg) = load_err(&path, &["zip"]);
    assert_has(&msg, &["people.jsonl", "no column `zip`", "age, sex"]);
}

#[test]
fn empty_files_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["e.csv", "e.ndjson", "e.parquet", "w.csv"] {
        let bytes: &[u8] = if name == "w.csv" { b"\r\n  \n" } else { b"" };
        let path = write(dir.path(), name, bytes);
        let (err, msg) = load_err(&path, &[]);
        assert!(matches!(err, DataError::EmptyFile { .. }), "{name}: {msg}");
        assert_has(&msg, &[name, "empty"]);
    }
    let path = write(dir.path(), "e.csv.gz", &gzip(b""));
    let (err, _) = load_err(&path, &[]);
    assert!(matches!(err, DataError::EmptyFile { .. }));
}

#[test]
fn header_only_has_no_data_rows() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("h.csv", &b"a;b;c\n"[..]),
        ("h2.csv", &b"a,b\r\n\r\n"[..]),
        ("h3.csv", &b"a,b"[..]),
    ] {
        let path = write(dir.path(), name, bytes);
        let (err, msg) = load_err(&path, &[]);
        assert!(matches!(err, DataError::NoDataRows { .. }), "{msg}");
        assert_has(&msg, &[name, "no data rows"]);
    }
}

#[test]
fn a_row_with_too_many_fields_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 header, lines 2-3 fine, line 4 has an unquoted delimiter.
    let path = write(dir.path(), "long.csv", b"a;b\n1;2\n3;4\n5;6;7\n8;9\n");
    for columns in [&[][..], &["a"][..], &["b"][..]] {
        let (err, msg) = load_err(&path, columns);
        assert!(matches!(err, DataError::RaggedRow { line: 4, .. }), "{msg}");
        assert_has(
            &msg,
            &[
                "long.csv",
                "line 4 has 3 field(s) but the header has 2",
                "`;`",
                "quoted",
            ],
        );
    }
}

#[test]
fn a_short_row_is_not_padded_silently() {
    let dir = tempfile::tempdir().unwrap();
    // polars would fill `c` with null on line 3; we refuse, even when only
    // the first column is read.
    let path = write(
        dir.path(),
        "short.csv",
        b"a,b,c\r\n1,2,3\r\n4,5\r\n6,7,8\r\n",
    );
    for columns in [&[][..], &["a"][..]] {
        let (err, msg) = load_err(&path, columns);
        assert!(
            matches!(
                err,
                DataError::RaggedRow {
                    line: 3,
                    found: 2,
                    expected: 3,
                    ..
                }
            ),
            "{msg}"
        );
        assert_has(&msg, &["short.csv", "line 3"]);
    }
    let err = read_frame(&path, &ReadOptions::default()).unwrap_err();
    assert_has(&err.to_string(), &["short.csv", "line 3"]);
}

#[test]
fn line_numbers_count_quoted_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    // Record 1 spans lines 2-4; the bad record starts on line 5.
    let path = write(
        dir.path(),
        "multi.csv",
        b"id,text\n1,\"one\ntwo\nthree\"\n2,x,extra\n",
    );
    let (err, _) = load_err(&path, &[]);
    assert!(matches!(err, DataError::RaggedRow { line: 5, .. }), "{err}");
}

#[test]
fn invalid_utf8_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    // Latin-1 `é` (0xE9) on line 3.
    let path = write(
        dir.path(),
        "latin1.csv",
        b"name,city\nann,Paris\nzoe,Montr\xe9al\n",
    );
    let (err, msg) = load_err(&path, &[]);
    assert!(
        matches!(err, DataError::InvalidUtf8 { line: 3, .. }),
        "{msg}"
    );
    assert_has(&msg, &["latin1.csv", "line 3", "UTF-8", "iconv"]);
    // Inside a multi-line field: the bad byte is on line 4.
    let path = write(
        dir.path(),
        "latin1b.csv",
        b"name,note\nann,\"ok\nstill ok\nbad \xe9\"\n",
    );
    let (err, _) = load_err(&path, &["note"]);
    assert!(
        matches!(err, DataError::InvalidUtf8 { line: 4, .. }),
        "{err}"
    );
    // In the header.
    let path = write(dir.path(), "latin1c.csv", b"n\xe9,city\n1,2\n");
    let (err, _) = load_err(&path, &[]);
    assert!(
        matches!(err, DataError::InvalidUtf8 { line: 1, .. }),
        "{err}"
    );
    // NDJSON.
    let path = write(
        dir.path(),
        "latin1.ndjson",
        b"{\"a\": \"x\"}\n{\"a\": \"\xe9\"}\n",
    );
    let (err, _) = load_err(&path, &[]);
    assert!(
        matches!(err, DataError::InvalidUtf8 { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn duplicate_column_names_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "dup.csv", b"id,age,zip,age\n1,2,3,4\n");
    let (err, msg) = load_err(&path, &["id"]);
    assert!(
        matches!(
            err,
            DataError::DuplicateColumn {
                first: 2,
                second: 4,
                ..
            }
        ),
        "{msg}"
    );
    assert_has(&msg, &["dup.csv", "`age`", "columns 2 and 4", "rename"]);
}

#[test]
fn broken_ndjson_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.ndjson",
        b"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3,\n{\"a\": 4}\n",
    );
    let (err, msg) = load_err(&path, &[]);
    assert!(matches!(err, DataError::Parse { .. }), "{msg}");
    assert_has(
        &msg,
        &[
            "bad.ndjson",
            "line 3",
            "not valid JSON",
            "one complete JSON object per line",
        ],
    );
    let path = write(dir.path(), "array.json", b"[{\"a\": 1},\n{\"a\": 2}]\n");
    let (_, msg) = load_err(&path, &[]);
    assert_has(&msg, &["array.json", "line 1", "jq -c"]);
    let path = write(dir.path(), "scalar.jsonl", b"{\"a\": 1}\n42\n");
    let (_, msg) = load_err(&path, &[]);
    assert_has(
        &msg,
        &[
            "scalar.jsonl",
            "line 2",
            "expected a JSON object, found a number",
        ],
    );
}

#[test]
fn broken_parquet_is_a_parse_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.parquet", b"this is not parquet at all");
    let (err, msg) = load_err(&path, &[]);
    assert!(matches!(err, DataError::Parse { .. }), "{msg}");
    assert_has(&msg, &["bad.parquet", "not a Parquet file", "PAR1"]);
    // Right magic, truncated body.
    let path = write(dir.path(), "cut.parquet", b"PAR1\x00\x01\x02PAR1");
    let (err, msg) = load_err(&path, &[]);
    assert!(matches!(err, DataError::Parse { .. }), "{msg}");
    assert_has(&msg, &["cut.parquet", "not a readable Parquet file"]);
}

#[test]
fn corrupt_gzip_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = gzip(b"a,b\n1,2\n3,4\n5,6\n");
    bytes.truncate(bytes.len() / 2);
    for name in ["cut.csv.gz", "cut.ndjson.gz", "cut.parquet.gz"] {
        let path = write(dir.path(), name, &bytes);
        let (_, msg) = load_err(&path, &[]);
        assert_has(&msg, &[name]);
    }
}

#[test]
fn unsupported_extension_says_what_is_supported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "table.xlsx", b"a,b\n1,2\n");
    let (err, msg) = load_err(&path, &[]);
    assert!(matches!(err, DataError::UnsupportedFormat { .. }));
    assert_has(
        &msg,
        &[
            "table.xlsx",
            "`xlsx`",
            ".csv",
            ".parquet",
            ".ndjson",
            "ReadOptions.format",
        ],
    );
    // The explicit format overrides the extension.
    let table = load_table(
        &path,
        &[],
        &ReadOptions::default().with_format(Format::Csv),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.n_rows, 1);
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let (err, msg) = load_err(Path::new("/nonexistent/dir/release.csv"), &[]);
    assert!(matches!(err, DataError::Io { .. }));
    assert_has(&msg, &["/nonexistent/dir/release.csv"]);
}

#[test]
fn a_non_numeric_value_names_file_column_and_row() {
    let dir = tempfile::tempdir().unwrap();
    // Data row 3 (line 4) holds `forty`.
    let path = write(dir.path(), "ages.csv", b"age\n30\n?\nforty\n41\n");
    let table = load_table(
        &path,
        &["age"],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    let msg = table.columns[0]
        .numeric_values(&table.source)
        .unwrap_err()
        .to_string();
    assert_has(
        &msg,
        &[
            "ages.csv",
            "column `age`",
            "data row 3",
            "line 4",
            "`forty`",
        ],
    );
}

#[test]
fn errors_deep_in_a_large_file_name_the_exact_line() {
    // Records are parsed and encoded in batches of several thousand; errors
    // after the first batches must still name their own line.
    let dir = tempfile::tempdir().unwrap();
    let mut text = b"id,group\n".to_vec();
    for i in 0..30_000 {
        text.extend(format!("{i},g{}\n", i % 7).as_bytes());
    }
    // Data row 20,000 is line 20,001.
    let mut ragged = text.clone();
    let pos = nth_line_start(&ragged, 20_001);
    ragged.splice(pos..pos, b"x,y,z\n".iter().copied());
    let path = write(dir.path(), "ragged_deep.csv", &ragged);
    let (err, _) = load_err(&path, &["group"]);
    assert!(
        matches!(err, DataError::RaggedRow { line: 20_001, .. }),
        "{err}"
    );
    // Invalid UTF-8 on line 25,001 and a ragged row later on line 28,001:
    // the earlier one is reported.
    let mut both = text.clone();
    let pos = nth_line_start(&both, 28_001);
    both.splice(pos..pos, b"1,2,3\n".iter().copied());
    let pos = nth_line_start(&both, 25_001);
    both.splice(pos..pos, b"1,\xff\n".iter().copied());
    let path = write(dir.path(), "utf8_deep.csv", &both);
    let (err, _) = load_err(&path, &["group"]);
    assert!(
        matches!(err, DataError::InvalidUtf8 { line: 25_001, .. }),
        "{err}"
    );
    // A column that is not read is not checked for UTF-8.
    let (err, _) = load_err(&path, &["id"]);
    assert!(
        matches!(err, DataError::RaggedRow { line: 28_002, .. }),
        "{err}"
    );
}

/// Byte offset where 1-based line `line` starts.
fn nth_line_start(bytes: &[u8], line: usize) -> usize {
    if line == 1 {
        return 0;
    }
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(line - 2)
        .map(|(i, _)| i + 1)
        .unwrap()
}

#[test]
fn parquet_without_rows_or_with_a_missing_column() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut empty = df!("age" => Vec::<i64>::new(), "zip" => Vec::<String>::new()).unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut empty).unwrap();
    let path = write(dir.path(), "empty_rows.parquet", &bytes);
    let (err, msg) = load_err(&path, &[]);
    assert!(
        matches!(err, DataError::NoDataRows { n_columns: 2, .. }),
        "{msg}"
    );
    assert_has(&msg, &["empty_rows.parquet", "2 column(s)", "no data rows"]);

    let mut frame = df!("age" => [30i64, 40], "zip" => ["47677", "47602"]).unwrap();
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(&mut frame).unwrap();
    let path = write(dir.path(), "two.parquet", &bytes);
    let (err, msg) = load_err(&path, &["age", "sex"]);
    assert!(matches!(err, DataError::MissingColumn { .. }), "{msg}");
    assert_has(&msg, &["two.parquet", "no column `sex`", "age, zip"]);
}
