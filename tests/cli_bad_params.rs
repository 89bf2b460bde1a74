//! NaN, infinite, zero and out-of-range thresholds and parameters are errors
//! that name the flag (command line) or the claim and key (audit config),
//! never a vacuous check: `link --threshold NaN`, `risk --max-risk NaN`,
//! `unicity --max-unicity NaN`, `l = 0` in a claim, `--u-pairs 0` and the
//! rest of issue "Verdicts that fail safe", item 8. Every case runs the real
//! binary and expects exit code 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reident(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .expect("run reident")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `args`, asserts exit code 2, no panic, and that stderr holds every needle.
fn refused(args: &[&str], needles: &[&str]) -> String {
    let out = reident(args);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "args {args:?}: stdout {} stderr {stderr}",
        text(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "args {args:?}: `{n}` not in: {stderr}");
    }
    stderr
}

/// A flag's value was refused by its parser: clap names the flag and the value.
fn bad_flag(args: &[&str], flag: &str, value: &str) {
    refused(args, &[&format!("invalid value '{value}' for '{flag}")]);
}

/// `base` with `flag value` appended, refused naming `flag`.
fn case(base: &[&str], flag: &str, value: &str) {
    let mut args = base.to_vec();
    let joined = format!("{flag}={value}");
    // `--flag=value` so that negative numbers reach the parser as values.
    args.push(&joined);
    bad_flag(&args, flag, value);
}

const LINK: [&str; 5] = ["link", "--original", "o.csv", "--release", "r.csv"];
const RISK: [&str; 7] = [
    "risk",
    "--original",
    "o.csv",
    "--release",
    "r.csv",
    "--control",
    "c.csv",
];
const UNICITY: [&str; 3] = ["unicity", "--events", "e.csv"];
const METRICS: [&str; 5] = ["metrics", "--data", "d.csv", "--qi", "a"];

#[test]
fn link_threshold_u_pairs_lambda_recall() {
    case(&LINK, "--threshold", "NaN");
    case(&LINK, "--threshold", "inf");
    case(&LINK, "--threshold", "-inf");
    case(&LINK, "--u-pairs", "0");
    case(&LINK, "--u-pairs", "-1");
    case(&LINK, "--max-pairs", "0");
    case(&LINK, "--lambda", "0");
    case(&LINK, "--lambda", "1");
    case(&LINK, "--lambda", "NaN");
    case(&LINK, "--recall", "0");
    case(&LINK, "--recall", "2");
}

#[test]
fn risk_max_risk_confidence_counts() {
    case(&RISK, "--max-risk", "NaN");
    case(&RISK, "--max-risk", "1");
    case(&RISK, "--max-risk", "-1");
    case(&RISK, "--max-risk", "inf");
    case(&RISK, "--confidence", "1");
    case(&RISK, "--confidence", "0");
    case(&RISK, "--n-attacks", "0");
    case(&RISK, "--n-neighbors", "0");
    case(&RISK, "--tolerance", "-1");
    case(&RISK, "--tolerance", "NaN");
    // The message says why 1 is refused.
    let stderr = refused(
        &[&RISK[..], &["--max-risk", "1"]].concat(),
        &["--max-risk", "can never be exceeded"],
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn unicity_max_unicity_points_buckets() {
    case(&UNICITY, "--max-unicity", "NaN");
    case(&UNICITY, "--max-unicity", "2");
    case(&UNICITY, "--max-unicity", "1");
    case(&UNICITY, "--points", "0");
    case(&UNICITY, "--bucket-seconds", "0");
    case(&UNICITY, "--bucket-seconds", "-3600");
    // One bad element of a list is enough.
    refused(
        &[&UNICITY[..], &["--points", "1,0,4"]].concat(),
        &["--points", "0 is not allowed"],
    );
}

#[test]
fn metrics_thresholds() {
    case(&METRICS, "--risk-threshold", "NaN");
    case(&METRICS, "--risk-threshold", "2");
    case(&METRICS, "--risk-threshold", "-1");
    case(&METRICS, "--target-k", "0");
    case(&METRICS, "--sampling-fraction", "0");
    case(&METRICS, "--sampling-fraction", "NaN");
    case(&METRICS, "--sampling-fraction", "1.5");
}

#[test]
fn text_stylometry_parameters() {
    let text = [
        "text",
        "--original",
        "o.csv",
        "--release",
        "r.csv",
        "--text-column",
        "body",
        "--id-column",
        "id",
    ];
    case(&text, "--threshold", "NaN");
    case(&text, "--threshold", "1.5");
    case(&text, "--bands", "0");
    case(&text, "--rows", "0");
    case(&text, "--k", "0");
    let stylometry = ["stylometry", "--train", "t.csv"];
    case(&stylometry, "--folds", "1");
    case(&stylometry, "--folds", "0");
    case(&stylometry, "--sweep-authors", "1");
    case(&stylometry, "--svm-c", "inf");
    case(&stylometry, "--svm-c", "0");
    case(&stylometry, "--alpha", "NaN");
    case(&stylometry, "--k", "0");
}

#[test]
fn epsilon_parameters() {
    let check = [
        "epsilon",
        "check",
        "--scores",
        "s.csv",
        "--claim-epsilon",
        "1",
    ];
    case(
        &["epsilon", "check", "--scores", "s.csv"],
        "--claim-epsilon",
        "0",
    );
    case(
        &["epsilon", "check", "--scores", "s.csv"],
        "--claim-epsilon",
        "NaN",
    );
    case(&check, "--claim-delta", "1");
    case(&check, "--claim-delta", "NaN");
    case(&check, "--confidence", "0");
    case(&check, "--held-out-fraction", "1");
    let bound = ["epsilon", "bound", "--scores", "s.csv"];
    case(&bound, "--delta", "1");
    case(&bound, "--delta", "-0.5");
    case(&bound, "--confidence", "NaN");
    let audit = [
        "epsilon",
        "audit",
        "--mechanism",
        "laplace",
        "--without",
        "a.csv",
        "--with",
        "b.csv",
        "--column",
        "x",
    ];
    case(&audit, "--trials", "1");
    case(&audit, "--mechanism-epsilon", "-1");
    case(&audit, "--mechanism-epsilon", "0");
    case(&audit, "--mechanism-delta", "0");
    case(&audit, "--upper", "inf");
    case(&audit, "--claim-epsilon", "NaN");
    let estimate = [
        "epsilon",
        "estimate",
        "--original",
        "o.csv",
        "--release",
        "r.csv",
    ];
    case(&estimate, "--delta", "0");
    case(&estimate, "--sensitivity", "0");
    // Bounds in the wrong order: refused before any file is read, naming both flags.
    refused(
        &[&audit[..], &["--lower", "2", "--upper", "1"]].concat(),
        &["--lower 2 must be below --upper 1"],
    );
}

#[test]
fn anonymize_pseudonymize_synth_parameters() {
    let io = ["--input", "i.csv", "--output", "o.csv"];
    let generalize = [
        &["anonymize", "generalize"][..],
        &io,
        &["--qi", "age=h.csv"],
    ]
    .concat();
    case(&generalize, "--k", "0");
    case(&[&generalize[..], &["--k", "2"]].concat(), "--t", "2");
    case(
        &[&generalize[..], &["--k", "2"]].concat(),
        "--max-suppression",
        "NaN",
    );
    case(&[&generalize[..], &["--k", "2"]].concat(), "--l", "0");
    let laplace = [
        &["anonymize", "laplace"][..],
        &io,
        &[
            "--column",
            "age",
            "--sensitivity",
            "1",
            "--lower",
            "0",
            "--upper",
            "1",
        ],
    ]
    .concat();
    case(&laplace, "--epsilon", "0");
    case(&laplace, "--epsilon", "inf");
    let gaussian = [&laplace[..], &["--epsilon", "1"]].concat();
    let gaussian: Vec<&str> = gaussian
        .iter()
        .map(|a| if *a == "laplace" { "gaussian" } else { a })
        .collect();
    case(&gaussian, "--delta", "1");
    case(&gaussian, "--delta", "0");
    case(
        &[&["anonymize", "histogram"][..], &io, &["--by", "sex"]].concat(),
        "--epsilon",
        "NaN",
    );
    case(
        &[
            "pseudonymize",
            "--input",
            "i.csv",
            "--output",
            "o.csv",
            "--columns",
            "login",
        ],
        "--hex-len",
        "65",
    );
    let synth = ["synth", "--out", "x"];
    case(&synth, "--users", "0");
    case(&synth, "--style-strength", "2");
    case(&synth, "--habit-strength", "NaN");
    case(&synth, "--activity", "0");
    case(&synth, "--plant-rate", "-1");
    case(&synth, "--chunk-users", "0");
}

#[test]
fn valid_edge_values_still_run() {
    // A threshold of 0 and a target k of 1 are legitimate: the command runs.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.csv");
    std::fs::write(&data, "a,b\nx,1\nx,2\ny,3\n").unwrap();
    let out = reident(&[
        "metrics",
        "--data",
        data.to_str().unwrap(),
        "--qi",
        "a",
        "--risk-threshold",
        "0",
        "--target-k",
        "1",
        "--sampling-fraction",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Classes {x: 2, y: 1}: every record's risk (1/2, 1) exceeds 0.
    assert_eq!(report["risk"]["prosecutor"]["records_at_risk_share"], 1.0);
}

// ---------------------------------------------------------------------------
// The audit config: each claim and key, named in the error.
// ---------------------------------------------------------------------------

fn datasets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets")
}

/// A config with one table, one aggregate and one traces section over the
/// bundled demo files, followed by `extra` (claims).
fn config_with(extra: &str) -> String {
    format!(
        r#"title = "bad parameters"

[[table]]
name = "users"
release = "{d}/atlassian_demo/release/users.csv"
original = "{d}/atlassian_demo/original/users.ndjson.gz"
quasi_identifiers = ["team", "role_family"]
sensitive = ["region"]

[[aggregate]]
name = "usage"
original = "{d}/atlassian_demo/original/usage_counts.csv"
release = "{d}/atlassian_demo/release/usage_counts.csv"
keys = ["product", "feature", "week"]
kind = "sum"
value = "count"
release_value = "count"

[[traces]]
name = "events"
events = "{d}/atlassian_demo/original/events.ndjson.gz"
points = [1, 2]

{extra}
"#,
        d = datasets().display()
    )
}

/// Runs the audit on `body`; asserts exit 2, every needle in stderr, no report.
fn config_refused(body: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("audit.toml");
    std::fs::write(&config, body).unwrap();
    let out_dir = dir.path().join("report");
    refused(
        &[
            "audit",
            "--config",
            config.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
        needles,
    );
    assert!(
        !out_dir.join("report.json").exists(),
        "a report was written"
    );
}

fn claim(kind: &str, keys: &str) -> String {
    format!("[[claim]]\nkind = \"{kind}\"\n{keys}\n")
}

#[test]
fn vacuous_k_and_l_claims_are_refused() {
    for (keys, needle) in [
        ("table = \"users\"\nk = 0", "key `k` = 0"),
        ("table = \"users\"\nk = 1", "key `k` = 1"),
    ] {
        config_refused(
            &config_with(&claim("k_anonymity", keys)),
            &["claim #1", needle, "claim k >= 2"],
        );
    }
    for (keys, needle) in [
        ("table = \"users\"\nl = 0", "key `l` = 0"),
        ("table = \"users\"\nl = 1", "key `l` = 1"),
    ] {
        config_refused(
            &config_with(&claim("l_diversity", keys)),
            &[
                "claim #1 (`table `users` is distinct-",
                needle,
                "claim l >= 2",
            ],
        );
    }
}

#[test]
fn nan_infinite_and_out_of_range_claim_thresholds_are_refused() {
    let cases: [(&str, &str, &str); 14] = [
        ("t_closeness", "table = \"users\"\nt = nan", "key `t` = NaN"),
        ("t_closeness", "table = \"users\"\nt = 1.0", "key `t` = 1"),
        (
            "t_closeness",
            "table = \"users\"\nt = -0.1",
            "key `t` = -0.1",
        ),
        (
            "reidentification",
            "table = \"users\"\nmax_rate = nan",
            "key `max_rate` = NaN",
        ),
        (
            "reidentification",
            "table = \"users\"\nmax_rate = 1.0",
            "key `max_rate` = 1",
        ),
        (
            "inference_risk",
            "table = \"users\"\nmax_risk = inf",
            "key `max_risk` = inf",
        ),
        (
            "authorship",
            "corpus = \"c\"\nmax_accuracy = -0.1",
            "key `max_accuracy` = -0.1",
        ),
        (
            "document_linkage",
            "corpus = \"c\"\nmax_rate = 2.0",
            "key `max_rate` = 2",
        ),
        (
            "trace_unicity",
            "traces = \"events\"\npoints = 2\nmax_unicity = nan",
            "key `max_unicity` = NaN",
        ),
        (
            "trace_unicity",
            "traces = \"events\"\npoints = 0\nmax_unicity = 0.05",
            "key `points` = 0",
        ),
        (
            "differential_privacy",
            "aggregate = \"usage\"\nepsilon = 0.0",
            "key `epsilon` = 0",
        ),
        (
            "differential_privacy",
            "aggregate = \"usage\"\nepsilon = nan",
            "key `epsilon` = NaN",
        ),
        (
            "differential_privacy",
            "aggregate = \"usage\"\nepsilon = 1.0\ndelta = 1.0",
            "key `delta` = 1",
        ),
        (
            "differential_privacy",
            "aggregate = \"usage\"\nepsilon = 1.0\ndelta = nan",
            "key `delta` = NaN",
        ),
    ];
    for (kind, keys, needle) in cases {
        config_refused(&config_with(&claim(kind, keys)), &["claim #1 (`", needle]);
    }
    // The index counts claims: a good claim first makes the bad one #2.
    config_refused(
        &config_with(&format!(
            "{}{}",
            claim("k_anonymity", "table = \"users\"\nk = 2"),
            claim("reidentification", "table = \"users\"\nmax_rate = nan")
        )),
        &[
            "claim #2 (`at most NaN% of table `users`",
            "key `max_rate` = NaN",
        ],
    );
}

#[test]
fn section_parameters_are_refused() {
    // The subject column cannot also be a quasi-identifier.
    config_refused(
        &config_with("").replace(
            "sensitive = [\"region\"]",
            "sensitive = [\"region\"]\nsubject = \"team\"",
        ),
        &["table `users`: key `subject` = \"team\""],
    );
    config_refused(
        &config_with("").replace("points = [1, 2]", "points = [1, 0]"),
        &["traces `events`: key `points` holds 0"],
    );
    config_refused(
        &config_with("").replace("points = [1, 2]", "points = [1]\nbucket_seconds = [0]"),
        &["traces `events`: key `bucket_seconds` holds 0"],
    );
    config_refused(
        &config_with("").replace("kind = \"sum\"", "kind = \"sum\"\nsensitivity = nan"),
        &["aggregate `usage`: key `sensitivity`"],
    );
    config_refused(
        &config_with("").replace(
            "title = \"bad parameters\"",
            "title = \"x\"\nconfidence = nan",
        ),
        &["key `confidence` = NaN"],
    );
}
