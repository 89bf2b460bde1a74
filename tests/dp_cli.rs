//! `reident epsilon ...` end to end through `cli::run`: JSON output, exit
//! outcome of a refuted claim, and error messages naming file, column and row.

use std::path::Path;

use clap::Parser;
use reident::cli::{run, Cli, CliError, Outcome};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn exec(args: &[&str]) -> Result<(Outcome, serde_json::Value), CliError> {
    let cli = Cli::try_parse_from(args).expect("arguments parse");
    let mut out = Vec::new();
    let outcome = run(cli, &mut out)?;
    let json = serde_json::from_slice(&out).expect("JSON output");
    Ok((outcome, json))
}

#[test]
fn estimate_numeric_fits_laplace_by_hand() {
    // Errors 1, -1, 2, -2 -> b = 1.5; declared sensitivity 3 -> eps = 2.
    let dir = tempfile::tempdir().unwrap();
    let o = write(dir.path(), "o.csv", "id,x\n1,0\n2,1\n3,2\n4,3\n");
    let r = write(dir.path(), "r.csv", "id,x\n1,1\n2,0\n3,4\n4,1\n");
    let (outcome, json) = exec(&[
        "reident",
        "epsilon",
        "estimate",
        "--original",
        &o,
        "--release",
        &r,
        "--column",
        "x",
        "--sensitivity",
        "3",
    ])
    .unwrap();
    assert_eq!(outcome, Outcome::Success);
    assert_eq!(json["laplace"]["scale"]["point"], 1.5);
    assert_eq!(json["laplace"]["epsilon"]["point"], 2.0);
    assert_eq!(json["sensitivity"]["source"], "declared");
}

#[test]
fn estimate_counts_and_channel() {
    let dir = tempfile::tempdir().unwrap();
    let o = write(dir.path(), "o.csv", "g,c\na,x\na,x\nb,y\na,x\nb,y\nb,x\n");
    // Release of counts per group: true counts a = 3, b = 3.
    let agg = write(dir.path(), "agg.csv", "g,n\na,4\nb,1.5\n");
    let (_, json) = exec(&[
        "reident",
        "epsilon",
        "estimate",
        "--kind",
        "count",
        "--original",
        &o,
        "--release",
        &agg,
        "--group-by",
        "g",
        "--release-column",
        "n",
    ])
    .unwrap();
    // Errors 1 and -1.5: mean |e| = 1.25, sensitivity 1 -> eps = 0.8.
    assert_eq!(json["fit"]["laplace"]["scale"]["point"], 1.25);
    assert_eq!(json["fit"]["laplace"]["epsilon"]["point"], 0.8);
    assert_eq!(json["fit"]["sensitivity"]["source"], "count");

    let r = write(dir.path(), "r.csv", "g,c\na,x\na,y\nb,y\na,x\nb,x\nb,x\n");
    let (_, json) = exec(&[
        "reident",
        "epsilon",
        "estimate",
        "--kind",
        "categorical",
        "--original",
        &o,
        "--release",
        &r,
        "--column",
        "c",
    ])
    .unwrap();
    // Original x (4 rows): 3 -> x, 1 -> y. Original y (2 rows): 1 -> y, 1 -> x.
    // P(y|y) / P(y|x) = 0.5 / 0.25 = 2 is the largest ratio: eps = ln 2.
    let eps = json["epsilon"]["point"].as_f64().unwrap();
    assert!((eps - 2f64.ln()).abs() < 1e-12, "{eps}");
}

#[test]
fn check_refutes_with_exit_outcome_and_bound_reports() {
    // 60 members scored 1, 60 non-members scored 0: perfect separation.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("score,member\n");
    for _ in 0..60 {
        text.push_str("1,member\n0,non-member\n");
    }
    let s = write(dir.path(), "s.csv", &text);
    // Bonferroni over the 2 thresholds: each rate bounded at 1 - 0.05/4 on 60
    // trials: u = 1 - 0.0125^(1/60) = 0.07044, eps >= ln((1 - u)/u) = 2.580.
    let (outcome, json) = exec(&[
        "reident",
        "epsilon",
        "check",
        "--scores",
        &s,
        "--claim-epsilon",
        "1",
        "--selection",
        "bonferroni",
    ])
    .unwrap();
    assert_eq!(outcome, Outcome::Refuted);
    assert_eq!(json["verdict"], "refuted");
    let u = 1.0 - 0.0125f64.powf(1.0 / 60.0);
    let want = ((1.0 - u) / u).ln();
    let got = json["bound"]["epsilon_lower"].as_f64().unwrap();
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");

    let (outcome, json) = exec(&[
        "reident",
        "epsilon",
        "check",
        "--scores",
        &s,
        "--claim-epsilon",
        "5",
    ])
    .unwrap();
    assert_eq!(outcome, Outcome::Success);
    assert_eq!(json["verdict"], "not_refuted");
    // No errors in 30 + 30 evaluation trials: the point estimate is
    // infinite, but at 50% confidence the test only shows eps >= 3.05
    // (each rate at 1 - 0.25^(1/30)), below the claim: too few errors to
    // project a trial count honestly.
    assert!(json["trials_to_decide"].is_null(), "{json}");
    assert!(json["explanation"]
        .as_str()
        .unwrap()
        .contains("too few errors"));

    let (outcome, json) = exec(&["reident", "epsilon", "bound", "--scores", &s]).unwrap();
    assert_eq!(outcome, Outcome::Success);
    assert!(json["epsilon_lower"].as_f64().unwrap() > 1.0);
}

#[test]
fn audit_builtin_mechanism_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = write(dir.path(), "d.csv", "x\n0.5\n0.5\n0.5\n");
    let d1 = write(dir.path(), "d1.csv", "x\n0.5\n0.5\n0.5\n1\n");
    let (outcome, json) = exec(&[
        "reident",
        "epsilon",
        "audit",
        "--mechanism",
        "laplace",
        "--mechanism-epsilon",
        "4",
        "--without",
        &d,
        "--with",
        &d1,
        "--column",
        "x",
        "--trials",
        "1000",
        "--claim-epsilon",
        "0.5",
    ])
    .unwrap();
    assert_eq!(outcome, Outcome::Refuted);
    assert_eq!(json["claim"]["verdict"], "refuted");
    assert_eq!(json["config"]["trials"], 1000);
}

#[test]
fn bad_input_names_file_column_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let o = write(dir.path(), "orig.csv", "x\n1\n2\n3\n");
    let r = write(dir.path(), "rel.csv", "x\n1.1\nabc\n2.9\n");
    let e = exec(&[
        "reident",
        "epsilon",
        "estimate",
        "--original",
        &o,
        "--release",
        &r,
        "--column",
        "x",
    ])
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("rel.csv") && e.contains("`x`") && e.contains("row 2") && e.contains("abc"),
        "{e}"
    );

    let short = write(dir.path(), "short.csv", "x\n1\n2\n");
    let e = exec(&[
        "reident",
        "epsilon",
        "estimate",
        "--original",
        &o,
        "--release",
        &short,
        "--column",
        "x",
    ])
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("orig.csv has 3 rows") && e.contains("short.csv has 2"),
        "{e}"
    );

    let e = exec(&[
        "reident",
        "epsilon",
        "estimate",
        "--original",
        &o,
        "--release",
        &r,
        "--column",
        "y",
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("no column `y`"), "{e}");

    let s = write(dir.path(), "s.csv", "score,member\n1,yes\n0,maybe\n");
    let e = exec(&["reident", "epsilon", "bound", "--scores", &s])
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 2") && e.contains("maybe"), "{e}");

    let s = write(dir.path(), "s2.csv", "score,member\n1,1\n0,0\n1,1\n0,0\n");
    // delta >= 1 is refused by the flag's parser, which names the flag.
    let e = Cli::try_parse_from([
        "reident", "epsilon", "bound", "--scores", &s, "--delta", "1",
    ])
    .unwrap_err()
    .to_string();
    assert!(e.contains("--delta") && e.contains("[0, 1)"), "{e}");
}

#[test]
fn plan_gives_trials_json_and_a_new_svg_chart() {
    // Laplace at eps = 3 against a claim of 1, held-out half, 95%: the
    // planner's median-count rule gives 104 trials (tests/eval_planner.rs
    // checks that figure against simulated audits).
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("plan.svg");
    let svg_s = svg.display().to_string();
    let args = [
        "reident",
        "epsilon",
        "plan",
        "--claimed",
        "1",
        "--true-epsilon",
        "3",
        "--mechanism",
        "laplace",
        "--svg",
        &svg_s,
    ];
    let (outcome, json) = exec(&args).unwrap();
    assert_eq!(outcome, Outcome::Success);
    assert_eq!(json["trials"].as_u64(), Some(104), "{json}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg") && text.contains("planned trials = 104"));
    // Never over an existing file.
    assert!(exec(&args).is_err());
    // An honest mechanism: no number of trials.
    let (_, json) = exec(&[
        "reident",
        "epsilon",
        "plan",
        "--claimed",
        "1",
        "--true-epsilon",
        "0.5",
        "--mechanism",
        "gaussian",
        "--delta",
        "1e-5",
    ])
    .unwrap();
    assert!(json["trials"].is_null());
}

#[test]
fn one_run_audit_from_guesses_and_scores() {
    // 20 canaries, alternately included; 10 explicit guesses, all right
    // (the rest abstain): at delta 0 the bound is logit(0.05^(1/10)) = 1.051873.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,included,guess,score\n");
    for i in 0..20 {
        let inc = i % 2 == 0;
        let guess = if i < 10 {
            if inc {
                "in"
            } else {
                "out"
            }
        } else {
            ""
        };
        let score = if inc { 1.0 + i as f64 } else { -(i as f64) };
        text.push_str(&format!("c{i},{},{guess},{score}\n", u8::from(inc)));
    }
    let c = write(dir.path(), "canaries.csv", &text);
    let (outcome, json) = exec(&[
        "reident",
        "epsilon",
        "one-run",
        "--canaries",
        &c,
        "--guess-column",
        "guess",
        "--claim-epsilon",
        "1",
    ])
    .unwrap();
    assert_eq!(outcome, Outcome::Refuted);
    let got = json["bound"]["epsilon_lower"].as_f64().unwrap();
    assert!((got - 1.051873).abs() < 1e-5, "{got}");
    assert_eq!(json["bound"]["counts"]["guesses"], 10);
    // From scores: the 5 highest "in", the 5 lowest "out", all right.
    let (_, json) = exec(&[
        "reident",
        "epsilon",
        "one-run",
        "--canaries",
        &c,
        "--score-column",
        "score",
        "--guesses-in",
        "5",
        "--guesses-out",
        "5",
    ])
    .unwrap();
    assert_eq!(json["bound"]["counts"]["correct"], 10);
    // A repeated id is an error naming the row.
    let bad = write(
        dir.path(),
        "bad.csv",
        "id,included,guess\na,1,in\na,0,out\n",
    );
    let err = exec(&[
        "reident",
        "epsilon",
        "one-run",
        "--canaries",
        &bad,
        "--guess-column",
        "guess",
    ])
    .unwrap_err()
    .to_string();
    assert!(err.contains("row 2"), "{err}");
}
