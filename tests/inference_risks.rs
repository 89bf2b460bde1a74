//! Anonymeter-style risks on hand-sized inputs: counts computed by hand,
//! the release == originals case, and properties of the risk.

use polars::prelude::*;
use proptest::prelude::*;
use reident::attacks::inference::{RiskConfig, RiskTables, SinglingOutMode};
use reident::eval::inference::{attribute_inference_risk, linkability_risk, singling_out_risk};

use reident::data::MissingPolicy;

fn frame(city: &[&str], age: &[&str]) -> DataFrame {
    DataFrame::new(
        city.len(),
        vec![
            Column::new("city".into(), city.to_vec()),
            Column::new("age".into(), age.to_vec()),
        ],
    )
    .unwrap()
}

fn tables(o: &DataFrame, r: &DataFrame, c: &DataFrame) -> RiskTables {
    RiskTables::from_frames(
        [(o, "original"), (r, "release"), (c, "control")],
        &[],
        None,
        &MissingPolicy::default(),
    )
    .unwrap()
}

const Z: f64 = 1.959_963_984_540_054;

fn wilson(n: f64, x: f64) -> f64 {
    (x + Z * Z / 2.0) / (n + Z * Z)
}

#[test]
fn univariate_singling_out_by_hand() {
    // Release = originals: city [A, A, B, C], age [30, 40, 50, 60].
    // Candidates: city == B, city == C (values held once), age <= 30,
    // age >= 60, age == 30/40/50/60: 8 queries, each matching one release row.
    // Originals: all 8 match exactly one row -> 8/8.
    // Control city [A, B, B, D], age [30, 35, 50, 70]: city == B matches 2,
    // city == C 0, age <= 30 -> 1, age >= 60 -> 1 (70), age == 30 -> 1,
    // == 40 -> 0, == 50 -> 1, == 60 -> 0: 4/8. Same size: no correction.
    // attack = (8 + z^2/2) / (8 + z^2) = 0.83779, control = 0.5,
    // risk = (0.83779 - 0.5) / 0.5 = 0.67558.
    let o = frame(&["A", "A", "B", "C"], &["30", "40", "50", "60"]);
    let c = frame(&["A", "B", "B", "D"], &["30", "35", "50", "70"]);
    let t = tables(&o, &o, &c);
    let cfg = RiskConfig {
        n_attacks: 100,
        ..RiskConfig::default()
    };
    let r = singling_out_risk(&t, SinglingOutMode::Univariate, &cfg).unwrap();
    assert_eq!(r.n_queries, 8);
    assert_eq!(r.estimate.unwrap().attack.n_success, 8.0);
    assert_eq!(r.n_control_raw, 4);
    assert_eq!(r.control_correction, 1.0);
    let expected = (wilson(8.0, 8.0) - wilson(8.0, 4.0)) / (1.0 - wilson(8.0, 4.0));
    assert!((r.estimate.unwrap().risk - expected).abs() < 1e-12);
    assert!(
        (r.estimate.unwrap().risk - 0.675_58).abs() < 1e-4,
        "{}",
        r.estimate.unwrap().risk
    );
    // The denominator is the 8 queries made, not the 100 requested.
    assert_eq!(r.estimate.unwrap().attack.n_attacks, 8);
}

#[test]
fn release_equal_to_originals_and_control_gives_finite_zero_risk() {
    // Anonymeter fails here (control rate 1 / math-domain error on the
    // corrected count); every rate is equal, so the residual risk is 0.
    let o = frame(&["A", "B", "C", "D", "E"], &["1", "2", "3", "4", "5"]);
    let t = tables(&o, &o, &o);
    let cfg = RiskConfig {
        n_attacks: 50,
        ..RiskConfig::default()
    };
    for mode in [SinglingOutMode::Univariate, SinglingOutMode::Multivariate] {
        let r = singling_out_risk(&t, mode, &cfg).unwrap();
        assert_eq!(r.estimate.unwrap().attack.raw_rate, 1.0);
        assert_eq!(r.estimate.unwrap().control.raw_rate, 1.0);
        assert_eq!(r.estimate.unwrap().residual, 0.0);
        assert!(r.estimate.unwrap().residual_error.is_finite());
    }
    let inf = attribute_inference_risk(&t, "age", &["city".to_string()], &cfg).unwrap();
    // Each target's nearest release record is itself: 5/5 on both sides.
    assert_eq!(inf.estimate.attack.n_success, 5.0);
    assert_eq!(inf.estimate.residual, 0.0);
    let link = linkability_risk(&t, &["city".into()], &["age".into()], &cfg).unwrap();
    assert_eq!(link.estimate.attack.n_success, 5.0);
    assert_eq!(link.estimate.risk, 0.0);
}

#[test]
fn k_anonymous_release_gives_no_singling_out_estimate_not_an_error() {
    // Every value of the release appears in two (distinct) rows: no
    // one-column predicate (== value, <= min, >= max, or the median rule)
    // singles out one release record, so there is no estimate (and no error).
    let r = frame(&["A", "A", "B", "B"], &["30", "40", "30", "40"]);
    let o = frame(&["A", "B", "C", "D"], &["30", "40", "50", "60"]);
    let t = tables(&o, &r, &o);
    let cfg = RiskConfig {
        n_attacks: 20,
        max_attempts: 2000,
        singling_out_columns: 1,
        ..RiskConfig::default()
    };
    for mode in [SinglingOutMode::Univariate, SinglingOutMode::Multivariate] {
        let s = singling_out_risk(&t, mode, &cfg).unwrap();
        assert_eq!(s.n_queries, 0);
        assert!(s.estimate.is_none());
    }
}

#[test]
fn attribute_inference_by_hand() {
    // Originals: the release is an exact copy; control has the same cities
    // with other ages. Secret age, known city; numeric tolerance 5 %.
    // Original targets: nearest release row on city is the same city; cities
    // A (ages 30, 40 -> random one of two), B 50, C 60. B and C always right;
    // A right for 1 of its 2 rows whichever tie wins (the two A rows guess
    // the same value only if the tie picks the same row; each A target picks
    // independently, so A contributes 1 in expectation, between 0 and 2).
    // Control: B 51 (|50-51| = 1 <= 2.55) right, C 70 wrong (|60-70| > 3.5),
    // D 80: nearest city differs from all (distance 1 to every release row),
    // so a random release age; none of 30..60 is within 4 of 80: wrong.
    // Control: 1 of 3.
    let o = frame(&["A", "A", "B", "C"], &["30", "40", "50", "60"]);
    let c = frame(&["B", "C", "D"], &["51", "70", "80"]);
    let t = tables(&o, &o, &c);
    let cfg = RiskConfig {
        n_attacks: 10,
        ..RiskConfig::default()
    };
    let r = attribute_inference_risk(&t, "age", &["city".into()], &cfg).unwrap();
    assert_eq!(r.estimate.attack.n_attacks, 4);
    assert!((2.0..=4.0).contains(&r.estimate.attack.n_success));
    assert_eq!(r.estimate.control.n_attacks, 3);
    assert_eq!(r.estimate.control.n_success, 1.0);
}

#[test]
fn unknown_column_and_bad_numbers_are_errors() {
    let o = frame(&["A"], &["1"]);
    let t = tables(&o, &o, &o);
    let err = attribute_inference_risk(&t, "salary", &[], &RiskConfig::default()).unwrap_err();
    assert!(err.to_string().contains("salary"), "{err}");
    let bad = frame(&["A"], &["x1"]);
    let e = RiskTables::from_frames(
        [(&o, "o.csv"), (&bad, "r.csv"), (&o, "c.csv")],
        &[],
        Some(&["age".to_string()]),
        &MissingPolicy::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("r.csv") && e.to_string().contains("x1"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn risk_is_clipped_residual(
        cities in proptest::collection::vec(0u8..4, 3..20),
        ages in proptest::collection::vec(0u8..10, 3..20),
        seed in 0u64..100,
    ) {
        let n = cities.len().min(ages.len());
        let city: Vec<String> = cities[..n].iter().map(|c| format!("c{c}")).collect();
        let age: Vec<String> = ages[..n].iter().map(|a| a.to_string()).collect();
        let cs: Vec<&str> = city.iter().map(String::as_str).collect();
        let ag: Vec<&str> = age.iter().map(String::as_str).collect();
        let half = n / 2;
        let o = frame(&cs[..half.max(1)], &ag[..half.max(1)]);
        let c = frame(&cs[half..], &ag[half..]);
        let r = frame(&cs, &ag);
        let t = tables(&o, &r, &c);
        let cfg = RiskConfig { n_attacks: 20, seed, ..RiskConfig::default() };
        let mut estimates = vec![
            attribute_inference_risk(&t, "city", &[], &cfg).unwrap().estimate,
            linkability_risk(&t, &["city".into()], &["age".into()], &cfg).unwrap().estimate,
        ];
        if let Ok(s) = singling_out_risk(&t, SinglingOutMode::Univariate, &cfg) {
            estimates.extend(s.estimate);
        }
        for e in estimates {
            prop_assert!(e.residual <= 1.0 && e.residual.is_finite());
            prop_assert_eq!(e.risk, e.residual.clamp(0.0, 1.0));
            prop_assert!(0.0 <= e.ci.0 && e.ci.0 <= e.risk && e.risk <= e.ci.1 && e.ci.1 <= 1.0);
            prop_assert!(e.attack.low <= e.attack.rate && e.attack.rate <= e.attack.high);
        }
    }
}
