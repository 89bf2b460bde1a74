//! Re-identification rates (eval::linkage) against Splink's match
//! weights on the same records: tests/fixtures/linkage/adult400_partial_*
//! (the 400-row Adult release of linkage_splink.rs linked to the originals
//! without every 10th record, so 40 release records have no source).
//!
//! Peer figures: `adult400_partial_splink_rates.json`, written by
//! ```text
//! python3 -m venv /tmp/peerenv && /tmp/peerenv/bin/pip install splink pandas
//! /tmp/peerenv/bin/python tests/fixtures/linkage/make_rates_fixture.py
//! ```
//! (splink 5.0.0, duckdb 2.0.1, pandas 2.3.3): Splink trained as our link()
//! below, every blocked pair predicted, each release record's best
//! candidates taken at its highest match weight, rates over all 400 release
//! records.

use std::collections::HashMap;
use std::path::Path;

use reident::attacks::linkage::{
    link, parse_blocking_rules, parse_comparisons, LinkageConfig, PriorSpec,
};
use reident::data::{load_table, MissingPolicy, ReadOptions};
use reident::eval::linkage::score_links;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/linkage")
        .join(name)
}

#[test]
fn rates_agree_with_splink_with_ties_and_missing_sources() {
    let load = |name: &str| {
        load_table(
            &fixture(name),
            &[],
            &ReadOptions::default(),
            &MissingPolicy::default(),
        )
        .unwrap()
    };
    let original = load("adult400_partial_original.csv");
    let release = load("adult400_release.csv");
    assert_eq!((original.n_rows, release.n_rows), (360, 400));
    let comparisons = parse_comparisons(
        "age:num(1,3);sex:exact;race:exact;marital-status:exact;education:exact;\
         native-country:exact;workclass:exact;occupation:exact",
    )
    .unwrap();
    let mut config = LinkageConfig::new(
        comparisons,
        parse_blocking_rules("education & sex & race").unwrap(),
    );
    config.training_blocking =
        parse_blocking_rules("education & sex & race; occupation & marital-status").unwrap();
    config.prior = PriorSpec::Deterministic {
        rules: parse_blocking_rules("education & sex & race & age & workclass & native-country")
            .unwrap(),
        recall: 0.7,
    };
    // Every pair is used for u, as in the Splink run.
    config.u_sample_pairs = 5_000_000;
    config.truth = Some(("rec_id".into(), "rec_id".into()));
    let result = link(&original, &release, &config, &HashMap::new(), &mut |_| {}).unwrap();
    let s = score_links(&result).unwrap().unwrap();

    let splink: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("adult400_partial_splink_rates.json")).unwrap(),
    )
    .unwrap();
    let int = |k: &str| splink[k].as_u64().unwrap();
    let float = |k: &str| splink[k].as_f64().unwrap();
    println!("ours {s:?}");
    assert_eq!(result.pairs_compared as u64, int("pairs"));
    assert_eq!(s.attacked_records, int("attacked_records")); // 400
    assert_eq!(
        s.records_without_candidate,
        int("records_without_candidate")
    ); // 6
    assert_eq!(s.records_without_source, int("records_without_source")); // 40
    assert_eq!(s.unique_correct, int("unique_correct")); // 292
    assert!(
        (s.expected_correct - float("expected_correct")).abs() < 1e-9,
        "{} vs {}",
        s.expected_correct,
        float("expected_correct")
    ); // 298.333 (36 records have tied best candidates)
    assert!(
        (s.expected_reidentification_rate - float("expected_reidentification_rate")).abs() < 1e-12
    );
    assert!((s.unique_reidentification_rate - float("unique_reidentification_rate")).abs() < 1e-12);
}
