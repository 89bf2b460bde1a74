//! `reident risk` end to end on the Anonymeter fixture.

use clap::Parser;
use reident::attacks::inference::{RiskConfig, RiskTables};
use reident::eval::inference::attribute_inference_risk;

use reident::cli::{run, Cli, Outcome};
use reident::data::{read_frame, MissingPolicy, ReadOptions};

fn run_cli(args: &[&str]) -> (Outcome, serde_json::Value) {
    let cli = Cli::try_parse_from(args).unwrap();
    let mut out = Vec::new();
    let outcome = run(cli, &mut out).unwrap();
    (outcome, serde_json::from_slice(&out).unwrap())
}

#[test]
fn risk_cli_matches_the_library_and_refutes_with_max_risk() {
    let dir = "tests/fixtures/anonymeter";
    let o = format!("{dir}/original.csv");
    let r = format!("{dir}/release.csv");
    let c = format!("{dir}/control.csv");
    let (outcome, json) = run_cli(&[
        "reident",
        "risk",
        "--original",
        &o,
        "--release",
        &r,
        "--control",
        &c,
        "--n-attacks",
        "100",
        "--no-singling-out",
        "--secret",
        "salary-class",
        "--link-a",
        "age,sex,race",
        "--link-b",
        "education,workclass,occupation",
        "--seed",
        "3",
        "--max-risk",
        "0.3",
    ]);
    let inference = &json["inference"][0];
    assert_eq!(inference["secret"], "salary-class");
    assert_eq!(inference["estimate"]["attack"]["n_attacks"], 100);
    let risk = inference["estimate"]["risk"].as_f64().unwrap();
    let link = json["linkability"]["estimate"]["risk"].as_f64().unwrap();
    assert_eq!(outcome == Outcome::Refuted, risk > 0.3 || link > 0.3);
    assert!(json["singling_out_univariate"].is_null());
    assert_eq!(json["columns"][1], serde_json::json!(["age", "numeric"]));
    assert_eq!(json["rows"], serde_json::json!([2000, 2000, 1000]));
    // The same numbers as the library call with the same parameters.
    let read = |p: &str| read_frame(p.as_ref(), &ReadOptions::default()).unwrap();
    let (fo, fr, fc) = (read(&o), read(&r), read(&c));
    let tables = RiskTables::from_frames(
        [(&fo, o.as_str()), (&fr, r.as_str()), (&fc, c.as_str())],
        &[],
        None,
        &MissingPolicy::default(),
    )
    .unwrap();
    let cfg = RiskConfig {
        n_attacks: 100,
        seed: 3,
        ..RiskConfig::default()
    };
    let lib = attribute_inference_risk(&tables, "salary-class", &[], &cfg).unwrap();
    assert_eq!(lib.estimate.risk, risk);
}
