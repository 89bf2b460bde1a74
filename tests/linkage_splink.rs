//! Fellegi-Sunter m/u against Splink on an Adult-derived release
//! (tests/fixtures/linkage: 400 and 2,000 Adult rows, release with noised age and
//! perturbed occupation/marital status/education, truth key `rec_id`; see
//! the fixture README for the exact Splink command and versions).

use std::collections::HashMap;
use std::path::Path;

use reident::attacks::linkage::{
    link, parse_blocking_rules, parse_comparisons, LinkageConfig, PriorSpec,
};
use reident::data::{load_table, MissingPolicy, ReadOptions};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/linkage")
        .join(name)
}

/// 400 rows (1.6e5 pairs): fast enough for every run.
#[test]
fn m_and_u_agree_with_splink_on_400_rows() {
    agree_with_splink("adult400");
}

/// 2,000 rows. Heavy in a debug build (every one of the 4e6 pairs is compared
/// for u, as in the Splink run): `cargo test --test integration linkage_splink:: -- --ignored`.
#[test]
#[ignore]
fn m_and_u_agree_with_splink_on_2000_rows() {
    agree_with_splink("adult");
}

fn agree_with_splink(prefix: &str) {
    let opts = ReadOptions::default();
    let missing = MissingPolicy::default();
    let original = load_table(
        &fixture(&format!("{prefix}_original.csv")),
        &[],
        &opts,
        &missing,
    )
    .unwrap();
    let release = load_table(
        &fixture(&format!("{prefix}_release.csv")),
        &[],
        &opts,
        &missing,
    )
    .unwrap();
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
    // N x N <= 5e6: every pair is used for u, as in the Splink run.
    config.u_sample_pairs = 5_000_000;
    config.truth = Some(("rec_id".into(), "rec_id".into()));
    let result = link(&original, &release, &config, &HashMap::new(), &mut |_| {}).unwrap();

    let splink: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("{prefix}_splink_params.json"))).unwrap(),
    )
    .unwrap();
    let lambda = splink["lambda"].as_f64().unwrap();
    assert!(
        (result.model.lambda - lambda).abs() < 1e-9,
        "{} vs {lambda}",
        result.model.lambda
    );
    let mut worst = 0.0f64;
    for (ours, theirs) in result
        .model
        .comparisons
        .iter()
        .zip(splink["comparisons"].as_array().unwrap())
    {
        let levels = theirs["levels"].as_array().unwrap();
        assert_eq!(ours.levels.len() - 1, levels.len());
        for (o, t) in ours.levels[1..].iter().zip(levels) {
            let (m, u) = (t["m"].as_f64().unwrap(), t["u"].as_f64().unwrap());
            println!(
                "{} {}: m {:.4} vs {:.4}, u {:.5} vs {:.5}",
                ours.left_column, o.label, o.m, m, o.u, u
            );
            worst = worst.max((o.m - m).abs());
            assert!(
                (o.u - u).abs() < 1e-6,
                "u of {} {}",
                ours.left_column,
                o.label
            );
        }
    }
    for s in &result.em_sessions {
        println!(
            "{} iterations {} p {:.5} {:?}",
            s.rule, s.iterations, s.match_proportion, s.collapse
        );
    }
    // The brief asks for 0.02; with Splink's start values and session order
    // reproduced, the two agree to rounding (observed < 1e-4).
    assert!(worst < 1e-3, "largest m difference {worst}");
}
