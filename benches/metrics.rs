//! The whole release-only metric set on UCI Adult replicated to 1M and 10M rows.
//!
//! Sizes come from `REIDENT_BENCH_ROWS` (comma separated, default
//! `1000000,10000000`); CI sets a small size so `cargo test --benches` stays
//! quick. The replica tiles Adult's encoded columns, so the class structure is
//! Adult's with every class multiplied: the group-by does the same work per
//! row as on real data of that size. Loading (CSV parsing) is benched
//! separately on the original file. See benches/README.md for figures and the
//! pyCANON comparison.

use std::path::Path;

mod support;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reident::data::{self, CategoricalColumn, EncodedTable, MissingPolicy, ReadOptions};
use reident::privacy::{evaluate, EquivalenceClasses, MetricsParams, SuppressedRows};

/// Eight quasi-identifiers and one sensitive attribute: every Adult column.
const QIS: [&str; 8] = [
    "sex",
    "age",
    "race",
    "marital-status",
    "education",
    "native-country",
    "workclass",
    "salary-class",
];
const SENSITIVE: &str = "occupation";

fn adult() -> EncodedTable {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult/adult.csv");
    let mut columns: Vec<&str> = QIS.to_vec();
    columns.push(SENSITIVE);
    data::load_table(
        &path,
        &columns,
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .expect("datasets/adult/adult.csv")
}

/// Adult tiled to `n_rows` rows (codes repeated, dictionaries shared).
fn replicate(table: &EncodedTable, n_rows: usize) -> EncodedTable {
    let columns = table
        .columns
        .iter()
        .map(|c| CategoricalColumn {
            codes: c.codes.iter().copied().cycle().take(n_rows).collect(),
            ..c.clone()
        })
        .collect();
    EncodedTable::new(&format!("adult x{n_rows}"), columns)
}

fn bench_metrics(c: &mut Criterion) {
    let adult = adult();
    let params = MetricsParams::new(QIS).sensitive([SENSITIVE]);
    let mut group = c.benchmark_group("metrics");
    group.sample_size(10);
    for n in support::sizes("1000000,10000000") {
        let table = replicate(&adult, n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("equivalence_classes_8qi", n),
            &table,
            |b, t| {
                b.iter(|| {
                    EquivalenceClasses::build(t, &QIS, &[SENSITIVE], SuppressedRows::Exclude)
                        .expect("classes")
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("every_metric_8qi", n), &table, |b, t| {
            b.iter(|| evaluate(t, &params).expect("metrics"))
        });
    }
    group.finish();
}

fn bench_load(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult/adult.csv");
    let mut columns: Vec<&str> = QIS.to_vec();
    columns.push(SENSITIVE);
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.throughput(Throughput::Elements(30_162));
    group.bench_function("adult_csv_30k_9_columns", |b| {
        b.iter(|| {
            data::load_table(
                &path,
                &columns,
                &ReadOptions::default(),
                &MissingPolicy::default(),
            )
            .expect("load")
        })
    });
    group.finish();
}

/// Loading a replica file into codes (CSV through the chunked parallel
/// reader, Parquet row group by row group): Adult's 9 columns repeated in
/// file order to `n` rows, written to a temporary folder as CSV and as
/// Parquet (polars' writer, dictionary-encoded strings).
fn bench_load_replica(c: &mut Criterion) {
    let adult = adult();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut columns: Vec<&str> = QIS.to_vec();
    columns.push(SENSITIVE);
    let mut group = c.benchmark_group("load_replica");
    group.sample_size(10);
    for n in support::sizes("1000000") {
        let table = replicate(&adult, n);
        let csv = dir.path().join(format!("adult_{n}.csv"));
        let mut text = columns.join(";");
        text.push('\n');
        for row in 0..n {
            let cells: Vec<&str> = table.columns.iter().map(|c| c.value(row)).collect();
            text.push_str(&cells.join(";"));
            text.push('\n');
        }
        std::fs::write(&csv, &text).expect("write csv");
        let mut frame = data::read_frame(&csv, &ReadOptions::default()).expect("frame");
        let parquet = dir.path().join(format!("adult_{n}.parquet"));
        polars::prelude::ParquetWriter::new(std::fs::File::create(&parquet).expect("parquet"))
            .finish(&mut frame)
            .expect("write parquet");
        group.throughput(Throughput::Bytes(text.len() as u64));
        for (label, path) in [("csv", &csv), ("parquet", &parquet)] {
            group.bench_with_input(BenchmarkId::new(label, n), path, |b, p| {
                b.iter(|| {
                    data::load_table(
                        p,
                        &columns,
                        &ReadOptions::default(),
                        &MissingPolicy::default(),
                    )
                    .expect("load")
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_metrics, bench_load, bench_load_replica);
criterion_main!(benches);
