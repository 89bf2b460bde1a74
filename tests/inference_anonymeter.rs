//! Anonymeter-style risks against Anonymeter 1.1.0 on the same Adult-derived
//! input (tests/fixtures/anonymeter: inputs, script, README and outputs).
//! Our risks must fall inside Anonymeter's reported intervals; where both
//! tools use every candidate (univariate singling out), counts must agree.

use std::path::Path;

use reident::attacks::inference::{RiskConfig, RiskTables, SinglingOutMode};
use reident::eval::inference::{
    attribute_inference_risk, linkability_risk, residual_risk, singling_out_risk, wilson_rate,
};

use reident::data::{read_frame, MissingPolicy, ReadOptions};

const DIR: &str = "tests/fixtures/anonymeter";

fn tables() -> RiskTables {
    let read = |name: &str| {
        read_frame(
            &Path::new(DIR).join(format!("{name}.csv")),
            &ReadOptions::default().with_delimiter(b','),
        )
        .unwrap()
    };
    let (o, r, c) = (read("original"), read("release"), read("control"));
    RiskTables::from_frames(
        [
            (&o, "original.csv"),
            (&r, "release.csv"),
            (&c, "control.csv"),
        ],
        &[],
        None,
        &MissingPolicy::default(),
    )
    .unwrap()
}

fn peer() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(DIR).join("anonymeter_results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ci(v: &serde_json::Value) -> (f64, f64) {
    (v["ci"][0].as_f64().unwrap(), v["ci"][1].as_f64().unwrap())
}

fn config(n_attacks: usize) -> RiskConfig {
    RiskConfig {
        n_attacks,
        seed: 7,
        ..RiskConfig::default()
    }
}

#[test]
fn schema_detects_age_as_the_only_numeric_column() {
    let t = tables();
    let numeric: Vec<&str> = t
        .names
        .iter()
        .zip(&t.kinds)
        .filter(|(_, k)| **k == reident::attacks::inference::ColumnKind::Numeric)
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(numeric, ["age"]);
    assert_eq!(
        (t.original.n_rows, t.release.n_rows, t.control.n_rows),
        (2000, 2000, 1000)
    );
}

#[test]
fn univariate_singling_out_matches_anonymeter_counts() {
    let t = tables();
    let p = peer();
    let a = &p["singling_out_univariate"];
    let ours = singling_out_risk(&t, SinglingOutMode::Univariate, &config(5000)).unwrap();
    // Both tools use every univariate candidate: the same 17 queries, 14 of
    // which single out an original.
    assert_eq!(
        ours.n_queries,
        a["n_queries_found"].as_u64().unwrap() as usize
    );
    assert_eq!(
        ours.estimate.unwrap().attack.n_success,
        a["n_success"].as_f64().unwrap()
    );
    // Anonymeter divides by the 5,000 queries requested; with the 17 found,
    // its own counts give this interval, which must hold our risk.
    let attack = wilson_rate(17, a["n_success"].as_f64().unwrap(), 0.95).unwrap();
    let control = wilson_rate(17, a["n_control"].as_f64().unwrap(), 0.95).unwrap();
    let fixed = residual_risk(attack, control, control);
    assert!(
        fixed.ci.0 <= ours.estimate.unwrap().risk && ours.estimate.unwrap().risk <= fixed.ci.1,
        "ours {} vs {:?}",
        ours.estimate.unwrap().risk,
        fixed.ci
    );
    // The buggy denominator gives a near-zero risk (0.0022).
    assert!(a["risk"].as_f64().unwrap() < 0.01);
}

#[test]
fn multivariate_singling_out_within_anonymeter_interval() {
    let t = tables();
    let (lo, hi) = ci(&peer()["singling_out_multivariate"]);
    let ours = singling_out_risk(&t, SinglingOutMode::Multivariate, &config(300)).unwrap();
    assert_eq!(ours.n_queries, 300);
    assert!(
        lo <= ours.estimate.unwrap().risk && ours.estimate.unwrap().risk <= hi,
        "ours {} vs [{lo}, {hi}]",
        ours.estimate.unwrap().risk
    );
}

#[test]
fn linkability_within_anonymeter_interval() {
    let t = tables();
    let p = peer();
    // Anonymeter draws its 1,000 targets without a seed; the fixture holds
    // five runs. Ours must fall inside the union of their intervals.
    let (mut lo, mut hi) = ci(&p["linkability"]);
    for run in p["linkability"]["repeat_ci"].as_array().unwrap() {
        lo = lo.min(run[0].as_f64().unwrap());
        hi = hi.max(run[1].as_f64().unwrap());
    }
    let cols = |i: usize| -> Vec<String> {
        p["linkability"]["columns"][i]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let cfg = RiskConfig {
        n_neighbors: 5,
        ..config(1000)
    };
    let ours = linkability_risk(&t, &cols(0), &cols(1), &cfg).unwrap();
    assert!(
        lo <= ours.estimate.risk && ours.estimate.risk <= hi,
        "ours {} vs [{lo}, {hi}]",
        ours.estimate.risk
    );
}

#[test]
fn attribute_inference_within_anonymeter_interval() {
    let t = tables();
    let p = peer();
    for secret in ["salary-class", "occupation"] {
        let (lo, hi) = ci(&p[format!("inference_{secret}")]);
        let ours = attribute_inference_risk(&t, secret, &[], &config(1000)).unwrap();
        assert!(
            lo <= ours.estimate.risk && ours.estimate.risk <= hi,
            "{secret}: ours {} vs [{lo}, {hi}]",
            ours.estimate.risk
        );
    }
}
