//! Out of core (`reident::engine::out_of_core`, `reident metrics --memory`):
//! the report computed from a file read in chunks under a memory budget,
//! with the groups spilled to hash partitions, equals the in-memory
//! one-pass report of `privacy::evaluate` exactly (compared as JSON, the
//! output contract), on UCI Adult (the repository's copy and ARX's in
//! ../shared when present), the NIST ACS excerpt, hand-made tables and
//! proptest random tables with random budgets; the budgets are small
//! enough that the spill really happens (asserted from the reported
//! partition count). Also: the spill folder is gone afterwards (also after
//! an error), bad budgets and unreadable rows give clear errors, and CSV,
//! NDJSON and Parquet inputs give the same report.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use reident::data::{load_table, Hierarchy, MissingPolicy, ReadOptions};
use reident::engine::out_of_core::{evaluate_file, OutOfCore, WeightedGroups};
use reident::engine::{ClassPartial, Group, MemoryBudget};
use reident::privacy::{evaluate, MetricsParams, MetricsReport, SuppressedRows};

use crate::adult_support;
use adult_support::adult_dir;

const QIS: [&str; 6] = [
    "age",
    "sex",
    "race",
    "marital-status",
    "education",
    "native-country",
];
const SAS: [&str; 2] = ["occupation", "salary-class"];

fn adult_params() -> MetricsParams {
    let h = Hierarchy::from_arx_csv(
        &adult_dir().join("hierarchies/adult_hierarchy_occupation.csv"),
        "occupation",
    )
    .unwrap();
    MetricsParams::new(QIS)
        .sensitive(SAS)
        .hierarchies(HashMap::from([("occupation".to_string(), h)]))
        .target_k(5)
        .sampling_fraction(0.01)
}

fn json(r: &MetricsReport) -> String {
    serde_json::to_string(r).unwrap()
}

/// The in-memory report of `path`.
fn in_memory(path: &Path, params: &MetricsParams, missing: &MissingPolicy) -> MetricsReport {
    let mut cols: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(String::as_str)
        .collect();
    cols.extend(params.sensitive.iter().map(String::as_str));
    let table = load_table(path, &cols, &ReadOptions::default(), missing).unwrap();
    evaluate(&table, params).unwrap()
}

/// The out-of-core report of `path` (spill folder under `temp`), and the
/// report with its `out_of_core` section removed.
fn out_of_core(
    path: &Path,
    params: &MetricsParams,
    missing: &MissingPolicy,
    settings: &OutOfCore,
) -> (MetricsReport, MetricsReport) {
    let mut chunks = 0;
    let report = evaluate_file(
        path,
        &ReadOptions::default(),
        missing,
        params,
        settings,
        &mut |p| chunks = p.chunks,
    )
    .unwrap();
    let summary = report.out_of_core.clone().expect("an out-of-core summary");
    assert_eq!(summary.chunks, chunks);
    let mut plain = report.clone();
    plain.out_of_core = None;
    (report, plain)
}

fn settings(budget: u64, chunk_rows: usize, partitions: usize, temp: &Path) -> OutOfCore {
    let mut s = OutOfCore::new(MemoryBudget(budget));
    s.chunk_rows = Some(chunk_rows);
    s.partitions = partitions;
    s.temp_dir = Some(temp.to_path_buf());
    s
}

fn assert_empty_dir(dir: &Path) {
    let left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "spill files left behind: {left:?}");
}

#[test]
fn adult_out_of_core_equals_in_memory_and_spills_into_several_partitions() {
    let path = adult_dir().join("adult.csv");
    let params = adult_params();
    let missing = MissingPolicy::default();
    let want = json(&in_memory(&path, &params, &missing));
    let temp = tempfile::tempdir().unwrap();
    for (budget, chunk_rows, partitions) in [
        (64 << 10, 1000, 7),
        (256 << 10, 4096, 16),
        (1 << 20, 30_000, 3),
    ] {
        let (report, plain) = out_of_core(
            &path,
            &params,
            &missing,
            &settings(budget, chunk_rows, partitions, temp.path()),
        );
        assert_eq!(
            json(&plain),
            want,
            "budget {budget}, chunks of {chunk_rows}"
        );
        let s = report.out_of_core.unwrap();
        assert!(s.spills >= 1, "{s:?}");
        assert_eq!(s.spill_partitions, partitions as u64, "{s:?}");
        assert!(s.spilled_bytes > 0);
        assert_eq!(s.memory_budget_bytes, budget);
        // A CSV chunk is at least one block of the parallel reader (4 MB:
        // the whole of Adult), so the spill happens inside the chunk.
        assert!(s.chunks >= 1);
        // The distinct (QI, sensitive) combinations of Adult over these columns.
        assert!(s.groups > 1000 && s.groups < 30_162, "{s:?}");
        assert_empty_dir(temp.path());
    }
    // A budget the whole state fits in: no spill, same report.
    let (report, plain) = out_of_core(
        &path,
        &params,
        &missing,
        &settings(1 << 30, 5000, 16, temp.path()),
    );
    assert_eq!(json(&plain), want);
    let s = report.out_of_core.unwrap();
    assert_eq!((s.spills, s.spill_partitions, s.spilled_bytes), (0, 0, 0));
    assert!(s.peak_tracked_bytes > 0 && s.peak_tracked_bytes < 1 << 30);
}

/// Groups handed over one at a time in any order (as the Spark engine's
/// answer arrives), under a budget small enough to spill and under one they
/// fit in, give the in-memory report: Adult's groups from
/// `ClassPartial::from_chunks`, shuffled with a fixed seed.
#[test]
fn weighted_groups_in_any_order_equal_in_memory() {
    let path = adult_dir().join("adult.csv");
    let params = adult_params();
    let missing = MissingPolicy::default();
    let want = json(&in_memory(&path, &params, &missing));
    let mut cols: Vec<&str> = QIS.to_vec();
    cols.extend(SAS);
    let table = load_table(&path, &cols, &ReadOptions::default(), &missing).unwrap();
    let partial =
        ClassPartial::from_chunks(&table, &QIS, &SAS, params.target_k, table.n_rows).unwrap();
    let mut groups: Vec<(Vec<String>, Group)> = partial.groups.into_iter().collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups.shuffle(&mut ChaCha8Rng::seed_from_u64(18));
    let temp = tempfile::tempdir().unwrap();
    for budget in [64 << 10, 1 << 30] {
        let s = settings(budget, 1000, 7, temp.path());
        let mut sink = WeightedGroups::new(&params, &s).unwrap();
        for (i, (values, g)) in groups.iter().enumerate() {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            sink.add(&values, g.clone()).unwrap();
            if i % 5000 == 4999 {
                sink.end_batch().unwrap();
            }
        }
        assert_eq!(sink.rows(), 30_162);
        let mut report = sink.finish(&table.source, &params).unwrap();
        let summary = report.out_of_core.take().expect("an out-of-core summary");
        assert_eq!(json(&report), want, "budget {budget}");
        assert_eq!(summary.groups, groups.len() as u64);
        assert_eq!(summary.chunks, (groups.len() / 5000) as u64);
        if budget < 1 << 20 {
            assert!(summary.spills >= 1, "{summary:?}");
        } else {
            assert_eq!(summary.spills, 0, "{summary:?}");
        }
        assert_empty_dir(temp.path());
    }
    // A group of the wrong width and an empty group are errors, not data.
    let s = settings(1 << 20, 1000, 4, temp.path());
    let mut sink = WeightedGroups::new(&params, &s).unwrap();
    let group = |count| Group {
        count,
        first_row: 0,
        rows: None,
    };
    let e = sink.add(&["39", "Male"], group(1)).unwrap_err().to_string();
    assert!(e.contains("2 values for 8 columns"), "{e}");
    let values = [
        "39",
        "Male",
        "White",
        "Never-married",
        "Bachelors",
        "United-States",
        "Adm-clerical",
        "<=50K",
    ];
    let e = sink.add(&values, group(0)).unwrap_err().to_string();
    assert!(e.contains("no rows"), "{e}");
}

#[test]
fn arx_adult_copy_in_shared_out_of_core_equals_in_memory() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/adult_arx/adult.csv");
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let params = MetricsParams::new(["sex", "age", "race", "education", "workclass"])
        .sensitive(["occupation"])
        .target_k(3);
    let missing = MissingPolicy::default();
    let want = json(&in_memory(&path, &params, &missing));
    let temp = tempfile::tempdir().unwrap();
    let (report, plain) = out_of_core(
        &path,
        &params,
        &missing,
        &settings(32 << 10, 2000, 5, temp.path()),
    );
    assert_eq!(json(&plain), want);
    assert_eq!(report.out_of_core.unwrap().spill_partitions, 5);
    assert_empty_dir(temp.path());
}

/// A tiny budget on ARX's Adult: dozens of spills into 64 partitions, each
/// evaluated alone, with a hierarchy, risks from a sampling fraction and
/// population uniqueness; the report (worst classes' numbers included)
/// equals the in-memory one, and no partition's groups are the whole input.
#[test]
fn arx_adult_tiny_budget_many_partitions_each_evaluated_alone() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/adult_arx/adult.csv");
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return;
    }
    let h = Hierarchy::from_arx_csv(
        &adult_dir().join("hierarchies/adult_hierarchy_occupation.csv"),
        "occupation",
    )
    .unwrap();
    let params = MetricsParams::new(["sex", "age", "race", "marital-status", "native-country"])
        .sensitive(["occupation", "salary-class"])
        .hierarchies(HashMap::from([("occupation".to_string(), h)]))
        .target_k(4)
        .max_listed_rows(50)
        .sampling_fraction(0.02);
    let missing = MissingPolicy::default();
    let want = in_memory(&path, &params, &missing);
    let temp = tempfile::tempdir().unwrap();
    let (report, plain) = out_of_core(
        &path,
        &params,
        &missing,
        &settings(8 << 10, 500, 64, temp.path()),
    );
    assert_eq!(json(&plain), json(&want));
    // The fields the combination works hardest for, named for a clear failure.
    assert_eq!(plain.below_target_k, want.below_target_k);
    for (g, w) in plain.sensitive.iter().zip(&want.sensitive) {
        assert_eq!(g.t_equal_distance, w.t_equal_distance);
        assert_eq!(g.t_hierarchical, w.t_hierarchical);
        assert_eq!(g.recursive_cl, w.recursive_cl);
        assert_eq!(g.delta_disclosure, w.delta_disclosure);
    }
    assert!(want.below_target_k.row_ids_truncated);
    let s = report.out_of_core.unwrap();
    assert!(s.spills >= 10, "{s:?}");
    assert_eq!(s.spill_partitions, 64, "{s:?}");
    assert!(s.approximate.is_empty(), "{s:?}");
    // One partition's group table, not the whole input's.
    assert!(s.group_table_bytes * 8 < s.groups * 44, "{s:?}");
    if cfg!(target_os = "linux") {
        assert!(s.peak_rss_bytes.unwrap_or(0) > 1 << 20, "{s:?}");
    }
    assert_empty_dir(temp.path());
}

#[test]
fn nist_acs_gzip_with_numeric_sensitive_out_of_core_equals_in_memory() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/nist_acs/ma2019.csv.gz");
    let params = MetricsParams::new(["PUMA", "SEX", "RAC1P", "HISP", "EDU"])
        .sensitive(["AGEP", "DVET"])
        .numeric("AGEP")
        .target_k(4)
        .suppressed_rows(SuppressedRows::OneClass)
        .sampling_fraction(0.05);
    let missing = MissingPolicy::default();
    let want = json(&in_memory(&path, &params, &missing));
    let temp = tempfile::tempdir().unwrap();
    let (report, plain) = out_of_core(
        &path,
        &params,
        &missing,
        &settings(48 << 10, 700, 9, temp.path()),
    );
    assert_eq!(json(&plain), want);
    let s = report.out_of_core.unwrap();
    assert_eq!(s.spill_partitions, 9, "{s:?}");
    assert!(s.spills >= 2, "{s:?}");
    assert_empty_dir(temp.path());
}

/// A hand-made release: classes of 1, 2 and 3 rows, a fully suppressed
/// row, a missing value; every format gives the same report.
#[test]
fn hand_made_csv_ndjson_parquet_out_of_core_equal_in_memory() {
    let rows = [
        ("30-39", "476**", "flu"),
        ("30-39", "476**", "cancer"),
        ("30-39", "476**", "flu"),
        ("40-49", "479**", "ulcer"),
        ("*", "*", "flu"),
        ("40-49", "479**", "?"),
        ("20-29", "130**", "flu"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("release.csv");
    let mut text = String::from("age,zip,disease\n");
    for (a, z, d) in rows {
        text.push_str(&format!("{a},{z},{d}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let ndjson = dir.path().join("release.ndjson");
    let mut lines = String::new();
    for (a, z, d) in rows {
        let d = if d == "?" {
            "null".to_string()
        } else {
            format!("\"{d}\"")
        };
        lines.push_str(&format!(
            "{{\"age\":\"{a}\",\"zip\":\"{z}\",\"disease\":{d}}}\n"
        ));
    }
    std::fs::write(&ndjson, lines).unwrap();
    let parquet = dir.path().join("release.parquet");
    {
        use polars::prelude::*;
        let col = |i: usize| -> Vec<Option<&str>> {
            rows.iter()
                .map(|r| {
                    let v = [r.0, r.1, r.2][i];
                    (v != "?").then_some(v)
                })
                .collect()
        };
        let mut frame = df!("age" => col(0), "zip" => col(1), "disease" => col(2)).unwrap();
        let file = std::fs::File::create(&parquet).unwrap();
        ParquetWriter::new(file)
            .with_row_group_size(Some(2))
            .finish(&mut frame)
            .unwrap();
    }
    let temp = dir.path().join("spill");
    std::fs::create_dir(&temp).unwrap();
    let missing = MissingPolicy::default();
    for suppressed in [SuppressedRows::Exclude, SuppressedRows::OneClass] {
        let params = MetricsParams::new(["age", "zip"])
            .sensitive(["disease"])
            .target_k(3)
            .suppressed_rows(suppressed);
        let want = in_memory(&csv, &params, &missing);
        // Hand-computed: 7 rows, classes of 3, 2 (with the missing value), 1
        // and the suppressed row.
        assert_eq!(want.n_rows, 7);
        for path in [&csv, &ndjson, &parquet] {
            let want = in_memory(path, &params, &missing);
            let mut same = want.clone();
            same.inputs.source = csv.display().to_string();
            let csv_want = in_memory(&csv, &params, &missing);
            assert_eq!(json(&same), json(&csv_want), "{}", path.display());
            for (chunk_rows, partitions) in [(1, 2), (2, 3), (3, 5), (100, 4)] {
                let (report, plain) = out_of_core(
                    path,
                    &params,
                    &missing,
                    &settings(1, chunk_rows, partitions, &temp),
                );
                assert_eq!(
                    json(&plain),
                    json(&want),
                    "{} chunks of {chunk_rows}",
                    path.display()
                );
                let s = report.out_of_core.unwrap();
                // A budget of one byte spills at every check; three QI keys
                // (four with the suppressed one) over the partitions.
                assert!(s.spills >= 1 && s.spill_partitions >= 1, "{s:?}");
                assert_empty_dir(&temp);
            }
        }
        let listed = &want.below_target_k;
        match suppressed {
            SuppressedRows::Exclude => {
                assert_eq!((want.n_classes, want.k), (3, 1));
                assert_eq!(listed.n_records, 3);
            }
            SuppressedRows::OneClass => {
                assert_eq!((want.n_classes, want.k), (4, 1));
                assert_eq!(listed.n_records, 4);
            }
        }
    }
}

#[test]
fn bad_budgets_are_clear_errors_and_good_ones_parse() {
    for (text, bytes) in [
        ("4G", 4u64 << 30),
        ("512M", 512 << 20),
        ("512mb", 512 << 20),
        ("1.5G", 3 << 29),
        ("64K", 64 << 10),
        ("65536", 65536),
        (" 2 GiB ", 2 << 30),
    ] {
        assert_eq!(
            MemoryBudget::parse(text).unwrap(),
            MemoryBudget(bytes),
            "{text}"
        );
    }
    for bad in ["", "G", "4X", "-1G", "0", "0.1", "1e3", "4 G B", "four"] {
        let e = MemoryBudget::parse(bad).unwrap_err().to_string();
        assert!(
            e.contains(&format!("`{bad}`")) && e.contains("4G, 512M"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn a_row_that_cannot_be_read_mid_file_names_file_and_line_and_leaves_no_spill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.csv");
    let mut text = String::from("age,zip,disease\n");
    // More than one 4 MB block of the parallel reader, so it hands over
    // chunks before it gives up and the sequential reader starts again.
    for i in 0..400_000 {
        text.push_str(&format!("{},{},flu\n", 20 + i % 50, 10000 + i % 977));
    }
    text.push_str("33,12345\n"); // line 400002: two fields instead of three
    for _ in 0..100 {
        text.push_str("40,11111,flu\n");
    }
    std::fs::write(&path, text).unwrap();
    let temp = dir.path().join("spill");
    std::fs::create_dir(&temp).unwrap();
    let params = MetricsParams::new(["age", "zip"]).sensitive(["disease"]);
    let mut chunks = 0;
    let e = evaluate_file(
        &path,
        &ReadOptions::default(),
        &MissingPolicy::default(),
        &params,
        &settings(4 << 10, 50_000, 4, &temp),
        &mut |p| chunks = chunks.max(p.chunks),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("broken.csv"), "{e}");
    assert!(e.contains("400002"), "{e}");
    assert!(chunks >= 2, "the error came before any chunk: {chunks}");
    assert_empty_dir(&temp);
}

#[test]
fn cli_memory_reports_out_of_core_and_refuses_options_that_need_rows() {
    let data = adult_dir().join("adult.csv");
    let data = data.to_str().unwrap();
    let temp = tempfile::tempdir().unwrap();
    let base = [
        "metrics",
        "--data",
        data,
        "--qi",
        "age,sex,race,marital-status,education,native-country",
        "--sensitive",
        "occupation,salary-class",
        "--target-k",
        "5",
        "--no-hidden-qi",
        "--format",
        "json",
    ];
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(base)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, memory_json, err) = run(&[]);
    assert_eq!(code, Some(0), "{err}");
    let (code, ooc_json, err) = run(&[
        "--memory",
        "128K",
        "--temp-dir",
        temp.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let mut ooc: serde_json::Value = serde_json::from_str(&ooc_json).unwrap();
    let summary = ooc
        .as_object_mut()
        .unwrap()
        .remove("out_of_core")
        .expect("out_of_core in the JSON");
    assert_eq!(summary["memory_budget_bytes"], 128 << 10);
    assert!(
        summary["spill_partitions"].as_u64().unwrap() > 1,
        "{summary}"
    );
    let memory: serde_json::Value = serde_json::from_str(&memory_json).unwrap();
    assert_eq!(ooc, memory);
    assert!(memory.get("out_of_core").is_none());
    assert_empty_dir(temp.path());
    // The text view says it ran out of core.
    let out = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(&base[..base.len() - 2])
        .args([
            "--memory",
            "128K",
            "--temp-dir",
            temp.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("run out of core (--memory)"), "{text}");
    assert!(text.contains("budget 0.1 MB"), "{text}");
    // Refusals name the option and the reason (the hidden quasi-identifier
    // check runs out of core: tests/scan_out_of_core.rs).
    for (extra, needle) in [
        (vec!["--memory", "1G", "--subject", "age"], "--subject"),
        (vec!["--memory", "lots"], "memory budget `lots`"),
        (
            vec!["--memory", "1G", "--engine", "partials:100"],
            "--engine",
        ),
    ] {
        let args: Vec<&str> = base.to_vec();
        let out = Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .args(&extra)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
    }
}

fn table_csv(rows: &[(u8, u8, u8, u8)]) -> String {
    let mut s = String::from("a,b,c,s\n");
    for &(a, b, c, d) in rows {
        // Value 0 of column a is the suppression token, value 0 of s missing.
        let a = if a == 0 {
            "*".to_string()
        } else {
            format!("a{a}")
        };
        let d = if d == 0 {
            "?".to_string()
        } else {
            format!("s{d}")
        };
        // Values 0 and 1 of column b are two suppression tokens (one value).
        let b = match b {
            0 => "*".to_string(),
            1 => "**".to_string(),
            _ => format!("b{b}"),
        };
        s.push_str(&format!("{a},{b},{c},{d}\n"));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random tables, budgets, chunk sizes and partition counts: the
    /// out-of-core report equals the in-memory one.
    #[test]
    fn random_tables_and_budgets_equal_in_memory(
        rows in prop::collection::vec((0u8..4, 0u8..4, 0u8..5, 0u8..4), 1..300),
        budget in 1u64..20_000,
        chunk_rows in 1usize..80,
        partitions in 1usize..12,
        target_k in 1u64..5,
        one_class in any::<bool>(),
        listed in 0usize..40,
        pi in prop::option::of(0.05f64..1.0),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, table_csv(&rows)).unwrap();
        let temp = dir.path().join("spill");
        std::fs::create_dir(&temp).unwrap();
        let params = MetricsParams::new(["a", "b"])
            .sensitive(["c", "s"])
            .numeric("c")
            .target_k(target_k)
            .suppressed_rows(if one_class { SuppressedRows::OneClass } else { SuppressedRows::Exclude })
            .max_listed_rows(listed);
        let params = match pi {
            Some(pi) => params.sampling_fraction(pi),
            None => params,
        };
        let missing = MissingPolicy::default();
        let mut cols = vec!["a", "b", "c", "s"];
        let table = load_table(&path, &cols, &ReadOptions::default(), &missing).unwrap();
        let want = evaluate(&table, &params);
        cols.clear();
        let got = evaluate_file(
            &path,
            &ReadOptions::default(),
            &missing,
            &params,
            &settings(budget, chunk_rows, partitions, &temp),
            &mut |_| {},
        );
        match want {
            Ok(want) => {
                let mut got = got.unwrap();
                got.out_of_core = None;
                prop_assert_eq!(json(&got), json(&want));
            }
            // Every row suppressed: both refuse.
            Err(w) => prop_assert!(got.is_err(), "in memory failed ({w}) but out of core did not"),
        }
        assert_empty_dir(&temp);
    }
}

mod unicity_out_of_core {
    //! `reident unicity --memory` (`reident::engine::traces`): the curves
    //! from per-user partitions equal the in-memory ones exactly.

    use super::*;
    use reident::attacks::unicity::{unicity_sweep, SweepConfig, TraceSpec};
    use reident::data::read_frame;
    use reident::engine::traces::unicity_curve_file;

    fn spec(actions: &[&str]) -> TraceSpec {
        TraceSpec {
            user_column: "user".into(),
            timestamp_column: "timestamp".into(),
            action_columns: actions.iter().map(|s| s.to_string()).collect(),
            bucket_seconds: 3600,
        }
    }

    fn compare(
        path: &Path,
        spec: &TraceSpec,
        buckets: &[i64],
        budget: u64,
        partitions: usize,
    ) -> u64 {
        let frame = read_frame(path, &ReadOptions::default()).unwrap();
        let points = [1, 2, 4, 8];
        let want = unicity_sweep(
            &frame,
            &path.display().to_string(),
            spec,
            &SweepConfig {
                buckets: buckets.to_vec(),
                points: points.to_vec(),
                seed: 7,
                users_per_partial: None,
            },
            None,
            &|| {},
        )
        .unwrap();
        let temp = tempfile::tempdir().unwrap();
        let mut spilled = 0;
        for (b, want) in buckets.iter().zip(&want.curves) {
            let spec = TraceSpec {
                bucket_seconds: *b,
                ..spec.clone()
            };
            let (got, summary) = unicity_curve_file(
                path,
                &ReadOptions::default(),
                &spec,
                &points,
                7,
                &settings(budget, 500, partitions, temp.path()),
                &mut |_| {},
            )
            .unwrap();
            assert_eq!(
                serde_json::to_string(&got).unwrap(),
                serde_json::to_string(want).unwrap(),
                "bucket {b}"
            );
            spilled += summary.spill_partitions;
            assert_empty_dir(temp.path());
        }
        spilled
    }

    #[test]
    fn atlassian_demo_events_out_of_core_equal_in_memory() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/atlassian_demo/original/events.ndjson.gz");
        // A budget of 4 KB: the events go to 6 per-user partitions.
        let spilled = compare(
            &path,
            &spec(&["product", "feature"]),
            &[3600, 86_400],
            4096,
            6,
        );
        assert_eq!(spilled, 12);
        // Time alone, and a budget the events fit in (no spill).
        assert_eq!(compare(&path, &spec(&[]), &[86_400], 1 << 30, 6), 0);
    }

    #[test]
    fn csv_events_with_nulls_out_of_core_equal_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        let mut text = String::from("user,timestamp,product\n");
        for i in 0..3000u64 {
            let user = if i % 97 == 0 {
                String::new()
            } else {
                format!("u{}", (i * 7919) % 211)
            };
            let product = if i % 13 == 0 {
                ""
            } else {
                ["jira", "wiki", "git"][(i % 3) as usize]
            };
            text.push_str(&format!(
                "{user},{},{product}\n",
                1_700_000_000 + (i * 2654435761) % 864_000
            ));
        }
        std::fs::write(&path, text).unwrap();
        assert_eq!(
            compare(&path, &spec(&["product"]), &[3600, 7200], 2048, 4),
            8
        );
    }

    #[test]
    fn a_bad_timestamp_names_its_row_and_leaves_no_spill() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.csv");
        let mut text = String::from("user,timestamp,product\n");
        for i in 0..2000 {
            text.push_str(&format!("u{},{},jira\n", i % 50, 1_700_000_000 + i));
        }
        text.push_str("u1,yesterday,jira\n");
        std::fs::write(&path, text).unwrap();
        let temp = dir.path().join("spill");
        std::fs::create_dir(&temp).unwrap();
        let e = unicity_curve_file(
            &path,
            &ReadOptions::default(),
            &spec(&["product"]),
            &[1, 2],
            0,
            &settings(1024, 300, 3, &temp),
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("data row 2001") && e.contains("yesterday"),
            "{e}"
        );
        assert_empty_dir(&temp);
    }

    #[test]
    fn cli_unicity_memory_prints_the_same_json_plus_out_of_core() {
        let events = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/atlassian_demo/original/events.ndjson.gz");
        let temp = tempfile::tempdir().unwrap();
        let base = [
            "unicity",
            "--events",
            events.to_str().unwrap(),
            "--points",
            "1,2,4",
            "--bucket-seconds",
            "3600,86400",
            "--action-columns",
            "product,feature",
        ];
        let run = |extra: &[&str]| {
            let out = Command::new(env!("CARGO_BIN_EXE_reident"))
                .args(base)
                .args(extra)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
        };
        let memory = run(&[]);
        let mut ooc = run(&[
            "--memory",
            "8K",
            "--temp-dir",
            temp.path().to_str().unwrap(),
        ]);
        let summary = ooc.as_object_mut().unwrap().remove("out_of_core").unwrap();
        assert_eq!(summary.as_array().unwrap().len(), 2);
        assert_eq!(summary[0]["spill_partitions"], 16);
        assert_eq!(ooc, memory);
        assert_empty_dir(temp.path());
    }
}
