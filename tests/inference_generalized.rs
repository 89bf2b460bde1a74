//! Anonymeter-style attacks on generalized releases, where the true risk is
//! known by construction: the attacks must read `[a-b]`, masks, sets and `*`
//! through the same compatibility rules as the QI join instead of comparing
//! them with original values as labels (which never match and so report
//! almost no risk on any generalized release).

use polars::prelude::*;
use reident::attacks::inference::{ColumnKind, RiskConfig, RiskTables, SinglingOutMode};
use reident::eval::inference::{attribute_inference_risk, singling_out_risk};

use reident::data::MissingPolicy;

fn frame(age: &[String], secret: &[String]) -> DataFrame {
    DataFrame::new(
        age.len(),
        vec![
            Column::new("age".into(), age.to_vec()),
            Column::new("secret".into(), secret.to_vec()),
        ],
    )
    .unwrap()
}

/// Originals: 200 people with ages 0, 10, ..., 1990 and a secret bit drawn
/// from a fixed sequence. The release generalizes every age to `[a-1, a+1]`
/// (one original per interval) and keeps the secret. The control set holds
/// 200 other people at ages a+5, between two intervals, with their own bits.
fn case() -> (DataFrame, DataFrame, DataFrame) {
    // A fixed, balanced pseudo-random bit sequence (no RNG needed).
    let bit = |i: usize, salt: usize| (((i * 2654435761 + salt * 40503) >> 7) & 1).to_string();
    let ages: Vec<usize> = (0..200).map(|i| i * 10).collect();
    let o_age: Vec<String> = ages.iter().map(|a| a.to_string()).collect();
    let o_secret: Vec<String> = (0..200).map(|i| bit(i, 1)).collect();
    let r_age: Vec<String> = ages
        .iter()
        .map(|&a| format!("[{}-{}]", a as i64 - 1, a + 1))
        .collect();
    let c_age: Vec<String> = ages.iter().map(|a| (a + 5).to_string()).collect();
    let c_secret: Vec<String> = (0..200).map(|i| bit(i, 2)).collect();
    (
        frame(&o_age, &o_secret),
        frame(&r_age, &o_secret),
        frame(&c_age, &c_secret),
    )
}

/// The case's three tables over `columns` (every column when empty).
fn tables(columns: &[String]) -> RiskTables {
    let (o, r, c) = case();
    RiskTables::from_frames(
        [(&o, "original"), (&r, "release"), (&c, "control")],
        columns,
        None,
        &MissingPolicy::default(),
    )
    .unwrap()
}

#[test]
fn generalized_column_is_detected() {
    let t = tables(&[]);
    assert_eq!(t.kinds, vec![ColumnKind::Generalized, ColumnKind::Numeric]);
}

#[test]
fn attribute_inference_reads_intervals() {
    // Each original's age lies in exactly one release interval (distance 0):
    // its own record, so the attack guesses every secret right (200/200).
    // A control age a+5 lies 4 from two intervals: a tie, broken at random,
    // so the control guesses right about half the time. The residual risk
    // (attack - control) / (1 - control) is therefore close to 1.
    let t = tables(&[]);
    let cfg = RiskConfig {
        n_attacks: 200,
        ..RiskConfig::default()
    };
    let risk = attribute_inference_risk(&t, "secret", &["age".to_string()], &cfg).unwrap();
    let e = risk.estimate;
    assert_eq!(e.attack.n_success, 200.0, "{e:?}");
    assert!(
        (0.3..0.7).contains(&e.control.raw_rate),
        "control {:?}",
        e.control
    );
    assert!(e.risk > 0.8, "{e:?}");
}

#[test]
fn singling_out_reads_intervals() {
    // Univariate predicates from the release, e.g. `age == [9-11]`, cover
    // exactly one original each (intervals are disjoint, one original each):
    // every query singles out. On the control (ages a+5) they match nobody.
    let t = tables(&["age".to_string()]);
    let cfg = RiskConfig {
        n_attacks: 100,
        ..RiskConfig::default()
    };
    let so = singling_out_risk(&t, SinglingOutMode::Univariate, &cfg).unwrap();
    let e = so.estimate.unwrap();
    assert_eq!(e.attack.n_success as usize, so.n_queries, "{so:?}");
    assert_eq!(so.n_control_raw, 0);
    assert!(e.risk > 0.9, "{e:?}");
}
