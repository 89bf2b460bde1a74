//! The privacy module confirms each anonymizer's guarantee on its own output:
//! a generalization release and a Mondrian release of UCI Adult are written as
//! CSV, read back through the data layer and measured by `privacy::evaluate`,
//! exactly as `reident metrics` would on a vendor's file.

use std::path::Path;

use reident::anonymize::generalization::{
    generalize, GeneralizationConfig, LossMetric, QuasiIdentifier,
};
use reident::anonymize::mondrian::{mondrian, MondrianConfig, MondrianQi, QiKind};
use reident::anonymize::Release;
use reident::data::{load_table, EncodedTable, Hierarchy, MissingPolicy, ReadOptions};
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

/// Writes `release` as CSV and measures it like a user would.
fn measure(release: &Release, l_sensitive: &str) -> MetricsReport {
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
    evaluate(&table, &MetricsParams::new(QIS).sensitive([l_sensitive])).unwrap()
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
