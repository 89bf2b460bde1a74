//! The privacy module confirms each anonymizer's guarantee on its own output:
//! a generalization release and a Mondrian release of UCI Adult go straight
//! from the anonymizer into `privacy::evaluate` (the release *is* an
//! `EncodedTable`, no conversion), and the same release written as CSV, read
//! back through the data layer and measured as `reident metrics` would on a
//! vendor's file gives the same report.

use std::path::Path;

use reident::anonymize::generalization::{
    generalize, GeneralizationConfig, LossMetric, QuasiIdentifier,
};
use reident::anonymize::mondrian::{mondrian, MondrianConfig, MondrianQi, QiKind};
use reident::data::{
    load_table, CategoricalColumn, EncodedTable, Hierarchy, MissingPolicy, ReadOptions,
};
use reident::privacy::{evaluate, MetricsParams, MetricsReport};

const QIS: [&str; 4] = ["age", "sex", "race", "marital-status"];

fn adult() -> EncodedTable {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult/adult.csv");
    load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap()
}

/// Measures `release` as the anonymizer returned it, then writes it as CSV,
/// measures it like a user would, and checks both reports agree.
fn measure(release: &EncodedTable, l_sensitive: &str) -> MetricsReport {
    let params = MetricsParams::new(QIS).sensitive([l_sensitive]);
    let in_memory = evaluate(release, &params).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("release.csv");
    release
        .write_csv(std::fs::File::create(&path).unwrap(), b';')
        .unwrap();
    let mut columns = QIS.to_vec();
    columns.push(l_sensitive);
    let table = load_table(
        &path,
        &columns,
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    let mut read_back = evaluate(&table, &params).unwrap();
    // Only the source label differs (the input's path vs the written file).
    read_back.inputs.source = in_memory.inputs.source.clone();
    assert_eq!(in_memory, read_back);
    in_memory
}

#[test]
fn metrics_confirm_k_and_l_of_full_domain_generalization() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult/hierarchies");
    let quasi_identifiers = QIS
        .iter()
        .map(|q| QuasiIdentifier {
            column: q.to_string(),
            hierarchy: Hierarchy::from_arx_csv(&root.join(format!("adult_hierarchy_{q}.csv")), q)
                .unwrap(),
        })
        .collect();
    let config = GeneralizationConfig {
        quasi_identifiers,
        k: 10,
        l_diversity: Some(3),
        t_closeness: None,
        sensitive: Some("occupation".to_string()),
        max_suppression: 0.02,
        metric: LossMetric::Precision,
        assume_practical_monotonicity: false,
    };
    let result = generalize(&adult(), &config).unwrap();
    let report = measure(&result.release, "occupation");
    assert!(report.k >= 10, "k = {}", report.k);
    assert!(report.sensitive[0].l_distinct >= 3);
    // Fully suppressed rows are excluded by the metrics and stay within budget.
    assert_eq!(report.n_suppressed_rows as usize, result.suppressed_rows);
    assert!(report.n_suppressed_rows as f64 <= 0.02 * 30_162.0);
}

#[test]
fn metrics_confirm_k_of_mondrian() {
    let config = MondrianConfig {
        quasi_identifiers: vec![
            MondrianQi {
                column: "age".into(),
                kind: QiKind::Numeric,
            },
            MondrianQi {
                column: "sex".into(),
                kind: QiKind::Categorical,
            },
            MondrianQi {
                column: "race".into(),
                kind: QiKind::Categorical,
            },
            MondrianQi {
                column: "marital-status".into(),
                kind: QiKind::Categorical,
            },
        ],
        k: 25,
    };
    let result = mondrian(&adult(), &config).unwrap();
    let report = measure(&result.release, "occupation");
    assert_eq!(report.n_suppressed_rows, 0);
    assert!(report.k >= 25, "k = {}", report.k);
    // Mondrian's partitions are exactly the equivalence classes of its release.
    assert_eq!(report.n_classes as usize, result.partitions.len());
    assert_eq!(report.k as usize, result.min_partition_size);
}

/// Rows `[leaf, level 1, root]` of a three-level hierarchy.
fn hierarchy(column: &str, rows: &[[&str; 3]]) -> QuasiIdentifier {
    let rows = rows
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
    QuasiIdentifier {
        column: column.to_string(),
        hierarchy: Hierarchy::from_rows("hand-made", column, rows).unwrap(),
    }
}

/// Eight hand-made rows generalized to 3-anonymity with a budget of one
/// suppressed row. By hand: at (decade, 4-digit zip prefix) the classes are
/// (30-39, 0213*) = rows 1, 2, 3, 8; (40-49, 0214*) = rows 4, 5, 6; and
/// (60-69, 0213*) = row 7 alone, which is suppressed (1 row <= budget). Every
/// node of level sum 2 other than (1, 1) leaves classes of 1 or 2 rows on
/// more than one row, and (1, 1) has the lowest loss of the nodes that pass,
/// so the release has k = 3 over 2 classes with 1 suppressed row. The
/// anonymizer's output goes into `privacy::evaluate` as it is, and the same
/// release written as CSV and read back gives the same report.
#[test]
fn a_generalized_release_goes_straight_into_the_metrics() {
    let rows = [
        ("31", "02138", "flu"),
        ("35", "02139", "cold"),
        ("38", "02138", "flu"),
        ("42", "02141", "cancer"),
        ("47", "02142", "flu"),
        ("44", "02141", "cold"),
        ("65", "02139", "cold"),
        ("33", "02139", "flu"),
    ];
    let table = EncodedTable::new(
        "hand-made",
        vec![
            CategoricalColumn::from_strs("age", &rows.map(|r| r.0)),
            CategoricalColumn::from_strs("zip", &rows.map(|r| r.1)),
            CategoricalColumn::from_strs("disease", &rows.map(|r| r.2)),
        ],
    );
    let decade = |a: &'static str| match a.as_bytes()[0] {
        b'3' => [a, "30-39", "*"],
        b'4' => [a, "40-49", "*"],
        _ => [a, "60-69", "*"],
    };
    let ages: Vec<[&str; 3]> = ["31", "33", "35", "38", "42", "44", "47", "65"]
        .into_iter()
        .map(decade)
        .collect();
    let zips: Vec<[&str; 3]> = ["02138", "02139", "02141", "02142"]
        .into_iter()
        .map(|z| [z, if z < "02140" { "0213*" } else { "0214*" }, "*"])
        .collect();
    let config = GeneralizationConfig {
        quasi_identifiers: vec![hierarchy("age", &ages), hierarchy("zip", &zips)],
        k: 3,
        l_diversity: None,
        t_closeness: None,
        sensitive: None,
        max_suppression: 0.125,
        metric: LossMetric::Precision,
        assume_practical_monotonicity: false,
    };
    let result = generalize(&table, &config).unwrap();
    let levels: Vec<usize> = result.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, vec![1, 1]);
    // No conversion: the release is the table value the metrics take.
    let params = MetricsParams::new(["age", "zip"]).sensitive(["disease"]);
    let in_memory = evaluate(&result.release, &params).unwrap();
    assert_eq!(
        (
            in_memory.k,
            in_memory.n_classes,
            in_memory.n_suppressed_rows
        ),
        (3, 2, 1)
    );
    // Distinct l by hand: {flu, cold} in the first class, {cancer, flu, cold}
    // in the second.
    assert_eq!(in_memory.sensitive[0].l_distinct, 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("release.csv");
    reident::data::output::write_csv_atomic(&result.release, &path, b',', &[] as &[&Path]).unwrap();
    let read = load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    let mut read_back = evaluate(&read, &params).unwrap();
    read_back.inputs.source = in_memory.inputs.source.clone();
    assert_eq!(read_back, in_memory);
}
