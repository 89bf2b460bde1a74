//! Reading every supported format: real data with known counts, and small
//! files written in the test (CSV variants, Parquet, NDJSON, gzip of each).

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use polars::prelude::*;
use reident::data::{
    detect_format, load_table, read_frame, read_frame_columns, Format, MissingPolicy, ReadOptions,
};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

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

use crate::adult_support;
use adult_support::ADULT_COLUMNS;

#[test]
fn adult_arx_csv_semicolon_crlf_has_30162_rows() {
    // datasets/adult/adult.csv: `;`-separated, CRLF, 30,162 rows (ARX's Adult
    // without missing values). Distinct counts computed with Python's csv module.
    let path = repo("datasets/adult/adult.csv");
    let table = load_table(
        &path,
        &ADULT_COLUMNS,
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.n_rows, 30_162);
    assert_eq!(table.column_names(), ADULT_COLUMNS.to_vec());
    let distinct: Vec<usize> = table.columns.iter().map(|c| c.n_values()).collect();
    assert_eq!(distinct, vec![2, 72, 5, 7, 16, 41, 7, 14, 2]);
    let sex = table.column("sex").unwrap();
    assert_eq!(sex.value(0), "Male");
    assert_eq!(sex.codes.iter().filter(|&&c| c == 0).count(), 20_380);
    // CRLF: the last column carries no `\r`.
    assert_eq!(table.column("salary-class").unwrap().value(0), "<=50K");
    assert!(table.columns.iter().all(|c| c.missing.is_none()));
    // The explicit delimiter gives the same table.
    let explicit = load_table(
        &path,
        &ADULT_COLUMNS,
        &ReadOptions::default().with_delimiter(b';'),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(explicit, table);
}

#[test]
fn adult_projection_reads_only_the_requested_columns_in_order() {
    let path = repo("datasets/adult/adult.csv");
    let table = load_table(
        &path,
        &["salary-class", "age"],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.column_names(), vec!["salary-class", "age"]);
    assert_eq!(table.n_rows, 30_162);
    assert_eq!(table.columns[1].value(0), "39");
    let frame = read_frame_columns(&path, Some(&["age"]), &ReadOptions::default()).unwrap();
    assert_eq!(frame.shape(), (30_162, 1));
    let frame = read_frame(&path, &ReadOptions::default()).unwrap();
    assert_eq!(frame.shape(), (30_162, 9));
}

#[test]
fn adult_uci_gzip_with_question_mark_missing() {
    // The first 1,000 rows of the UCI Adult training split (shared dataset
    // adult_uci/adult_train.csv.gz, comma-separated, gzip). Counted with Python:
    // workclass has 62 `?` and 7 distinct values including `?`, occupation
    // 62 `?` / 15 distinct, native-country 18 `?` / 29 distinct.
    let path = repo("tests/fixtures/data/adult_uci_train_head1000.csv.gz");
    let table = load_table(
        &path,
        &["workclass", "occupation", "native-country", "income"],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.n_rows, 1_000);
    for (name, n_missing, n_values) in [
        ("workclass", 62, 7),
        ("occupation", 62, 15),
        ("native-country", 18, 29),
    ] {
        let col = table.column(name).unwrap();
        let missing = col.missing.expect("has missing values");
        assert_eq!(col.values[missing as usize], "?");
        assert_eq!(
            col.codes.iter().filter(|&&c| c == missing).count(),
            n_missing,
            "{name}"
        );
        assert_eq!(col.n_values(), n_values, "{name}");
    }
    assert_eq!(table.column("income").unwrap().n_values(), 2);
    // A custom policy in which `?` is a value: no missing code at all.
    let strict = load_table(
        &path,
        &["workclass"],
        &ReadOptions::default(),
        &MissingPolicy::new(&["NA"], "NA"),
    )
    .unwrap();
    assert_eq!(strict.columns[0].missing, None);
    assert!(strict.columns[0].values.iter().any(|v| v == "?"));
}

#[test]
fn format_detection_by_extension() {
    for (name, format) in [
        ("a.csv", Format::Csv),
        ("a.TSV", Format::Csv),
        ("a.txt.gz", Format::Csv),
        ("a.parquet", Format::Parquet),
        ("a.pq.gz", Format::Parquet),
        ("a.ndjson", Format::Ndjson),
        ("a.jsonl.gz", Format::Ndjson),
        ("a.json", Format::Ndjson),
    ] {
        assert_eq!(detect_format(Path::new(name)).unwrap(), format, "{name}");
    }
    assert!(detect_format(Path::new("a.xlsx")).is_err());
    assert!(detect_format(Path::new("a.gz")).is_err());
}

#[test]
fn csv_quoting_delimiters_crlf_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    // Quoted fields with the delimiter, an escaped quote and a line break.
    let text =
        "\u{feff}id,note,zip\r\n1,\"a,b\",47677\r\n2,\"say \"\"hi\"\"\nbye\",476**\r\n3,,*\r\n";
    let path = write(dir.path(), "q.csv", text.as_bytes());
    let table = load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.column_names(), vec!["id", "note", "zip"]);
    let note = table.column("note").unwrap();
    assert_eq!(note.value(0), "a,b");
    assert_eq!(note.value(1), "say \"hi\"\nbye");
    assert_eq!(note.missing, Some(2)); // the empty field
    let zip = table.column("zip").unwrap();
    assert_eq!(zip.suppressed, vec![false, false, true]);
    // read_frame: an empty field is null.
    let frame = read_frame(&path, &ReadOptions::default()).unwrap();
    assert_eq!(frame.column("note").unwrap().null_count(), 1);

    for (name, delimiter) in [("t.tsv", '\t'), ("p.txt", '|'), ("s.csv", ';')] {
        let text = format!(
            "a{delimiter}b{delimiter}c\n1{delimiter}2,5{delimiter}3\n4{delimiter}5{delimiter}6\n"
        );
        let path = write(dir.path(), name, text.as_bytes());
        let table = load_table(
            &path,
            &["b"],
            &ReadOptions::default(),
            &MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(table.columns[0].values, vec!["2,5", "5"], "{name}");
    }
}

#[test]
fn single_column_csv_and_explicit_format() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ids.data", b"id\nx\ny\nx\n");
    let table = load_table(
        &path,
        &["id"],
        &ReadOptions::default().with_format(Format::Csv),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.columns[0].codes, vec![0, 1, 0]);
}

#[test]
fn a_ten_megabyte_field_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"id,text\n1,\"".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    bytes.extend(b"\"\n2,short\n");
    let path = write(dir.path(), "big.csv", &bytes);
    let table = load_table(
        &path,
        &["text"],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.n_rows, 2);
    assert_eq!(table.columns[0].value(0).len(), 10 * 1024 * 1024);
    assert_eq!(table.columns[0].value(1), "short");
}

fn sample_frame() -> DataFrame {
    df!(
        "age" => [Some(34i64), Some(51), None, Some(34)],
        "zip" => ["47677", "476**", "*", "47677"],
        "score" => [0.5f64, 1.25, -3.0, 0.5],
    )
    .unwrap()
}

fn parquet_bytes(frame: &mut DataFrame) -> Vec<u8> {
    let mut bytes = Vec::new();
    ParquetWriter::new(&mut bytes).finish(frame).unwrap();
    bytes
}

#[test]
fn parquet_plain_and_gzip_as_text_with_projection() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = parquet_bytes(&mut sample_frame());
    for (name, data) in [("t.parquet", bytes.clone()), ("t.parquet.gz", gzip(&bytes))] {
        let path = write(dir.path(), name, &data);
        let table = load_table(
            &path,
            &["zip", "age"],
            &ReadOptions::default(),
            &MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(table.n_rows, 4, "{name}");
        assert_eq!(table.column_names(), vec!["zip", "age"]);
        let age = table.column("age").unwrap();
        // Integers become their text; the null is the missing code.
        assert_eq!(age.values, vec!["34", "51", "?"]);
        assert_eq!(age.codes, vec![0, 1, 2, 0]);
        assert_eq!(age.missing, Some(2));
        assert_eq!(
            table.column("zip").unwrap().suppressed,
            vec![false, false, true]
        );
        let frame = read_frame(&path, &ReadOptions::default()).unwrap();
        assert_eq!(frame.shape(), (4, 3));
        assert!(frame.dtypes().iter().all(|d| *d == DataType::String));
        let score = frame.column("score").unwrap().str().unwrap().get(3);
        assert_eq!(score, Some("0.5"));
    }
}

#[test]
fn ndjson_plain_and_gzip_with_mixed_and_nested_values() {
    let dir = tempfile::tempdir().unwrap();
    // Line 2 lacks `b`, line 3 adds `c` late; numbers, booleans, null and a
    // nested array become text; blank lines are skipped.
    let text = concat!(
        "{\"a\": \"x\", \"b\": 1}\r\n",
        "{\"a\": \"y\"}\n",
        "\n",
        "{\"a\": null, \"b\": true, \"c\": [1, 2]}\n",
        "{\"a\": \"x\", \"b\": 2.5}\n",
    );
    for (name, data) in [
        ("t.ndjson", text.as_bytes().to_vec()),
        ("t.jsonl.gz", gzip(text.as_bytes())),
    ] {
        let path = write(dir.path(), name, &data);
        let table = load_table(
            &path,
            &[],
            &ReadOptions::default(),
            &MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(table.n_rows, 4, "{name}");
        assert_eq!(table.column_names(), vec!["a", "b", "c"]);
        let a = table.column("a").unwrap();
        assert_eq!(a.values, vec!["x", "y", "?"]);
        assert_eq!(a.codes, vec![0, 1, 2, 0]);
        let b = table.column("b").unwrap();
        assert_eq!(b.values, vec!["1", "?", "true", "2.5"]);
        assert_eq!(b.codes, vec![0, 1, 2, 3]);
        let c = table.column("c").unwrap();
        assert_eq!(c.values, vec!["?", "[1,2]"]);
        assert_eq!(c.codes, vec![0, 0, 1, 0]);
        // Projection keeps the requested order.
        let only = load_table(
            &path,
            &["c", "a"],
            &ReadOptions::default(),
            &MissingPolicy::default(),
        )
        .unwrap();
        assert_eq!(only.column_names(), vec!["c", "a"]);
        assert_eq!(only.columns[0], *c);
        let frame = read_frame(&path, &ReadOptions::default()).unwrap();
        assert_eq!(frame.shape(), (4, 3));
        assert_eq!(frame.column("c").unwrap().null_count(), 3);
    }
}

#[test]
fn csv_gzip_detected_by_magic_bytes_even_without_gz_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "packed.csv", &gzip(b"a;b\n1;2\n3;4\n"));
    let table = load_table(
        &path,
        &["b"],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.columns[0].values, vec!["2", "4"]);
}

#[test]
fn many_batches_keep_row_order() {
    // 30,000 rows cross several parse batches; codes follow first appearance:
    // group of row i is g(i mod 7) -> code i mod 7.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,group\n");
    for i in 0..30_000 {
        text.push_str(&format!("{i},g{}\n", i % 7));
    }
    let path = write(dir.path(), "many.csv", text.as_bytes());
    let table = load_table(
        &path,
        &["group", "id"],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(table.n_rows, 30_000);
    let group = &table.columns[0];
    assert!(group
        .codes
        .iter()
        .enumerate()
        .all(|(i, &c)| c as usize == i % 7));
    let id = &table.columns[1];
    assert_eq!(id.n_values(), 30_000);
    assert_eq!(id.value(29_999), "29999");
    let frame = read_frame(&path, &ReadOptions::default()).unwrap();
    let ids = frame.column("id").unwrap().str().unwrap();
    assert_eq!(ids.get(12_345), Some("12345"));
}

mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    fn table_strategy() -> impl Strategy<Value = (usize, Vec<Vec<String>>)> {
        (1usize..5).prop_flat_map(|width| {
            (
                Just(width),
                prop::collection::vec(
                    prop::collection::vec("[a-c ,;|\t\"\né*?]{0,6}", width),
                    1..25,
                ),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the csv crate writes (quoting delimiters, quotes and line
        /// breaks), load_table reads back value for value, in every column order.
        #[test]
        fn csv_written_with_quoting_reads_back((width, rows) in table_strategy(),
                                               delimiter in prop::sample::select(vec![b',', b';', b'\t', b'|']),
                                               crlf: bool) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("t.csv");
            let mut writer = csv::WriterBuilder::new()
                .delimiter(delimiter)
                .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
                .from_path(&path)
                .unwrap();
            let header: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
            writer.write_record(&header).unwrap();
            for row in &rows {
                writer.write_record(row).unwrap();
            }
            writer.flush().unwrap();
            drop(writer);
            let mut order: Vec<&str> = header.iter().map(|s| s.as_str()).collect();
            order.reverse();
            let table = load_table(
                &path,
                &order,
                &ReadOptions::default().with_delimiter(delimiter),
                &MissingPolicy::nulls_only(),
            ).unwrap();
            prop_assert_eq!(table.n_rows, rows.len());
            for (k, name) in order.iter().enumerate() {
                let j = header.iter().position(|h| h == name).unwrap();
                for (i, row) in rows.iter().enumerate() {
                    prop_assert_eq!(table.columns[k].value(i), row[j].as_str());
                }
            }
        }
    }
}
