//! `reident metrics` end to end: the demo, the JSON contract, and every kind of
//! bad input the foundation issue lists, each answered with exit code 2 and a
//! message that names the file, line or column — never a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn reident(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .expect("run reident")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs `metrics` and returns stderr, asserting exit code 2 and no panic.
fn fails_with(args: &[&str]) -> String {
    let out = reident(args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    stderr
}

#[test]
fn demo_prints_every_metric_and_json_is_the_serde_model() {
    let out = reident(&["metrics", "--demo"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for label in [
        "k (smallest class)",
        "distinct l",
        "entropy l",
        "recursive (c,l)",
        "t (equal-distance EMD)",
        "t (hierarchical EMD)",
        "basic beta",
        "enhanced beta",
        "delta-disclosure",
        "prosecutor risk",
        "journalist risk",
        "marketer risk",
        "sample uniqueness",
        "population uniqueness",
    ] {
        assert!(text.contains(label), "missing {label} in\n{text}");
    }
    // Adult on the six demo QIs: 7,645 classes, 4,907 of them unique.
    assert!(text.contains("7645") && text.contains("4907"), "{text}");

    let out = reident(&["metrics", "--demo", "--format", "json"]);
    let report: reident::privacy::MetricsReport =
        serde_json::from_slice(&out.stdout).expect("JSON parses as MetricsReport");
    assert_eq!(report.schema_version, reident::privacy::SCHEMA_VERSION);
    assert_eq!(
        (report.n_rows, report.n_classes, report.k),
        (30_162, 7_645, 1)
    );
    assert_eq!(report.risk.prosecutor.highest_risk, 1.0);
    // Reports carry counts, never records: no Adult value appears.
    let json = String::from_utf8(out.stdout).unwrap();
    assert!(!json.contains("Never-married") && !json.contains("Adm-clerical"));
}

#[test]
fn bad_input_is_exit_code_2_with_file_line_or_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str, bytes: &[u8]| write(dir.path(), name, bytes);
    let s = |p: &PathBuf| p.to_str().unwrap().to_string();

    let good = d("good.csv", b"age,zip,disease\n30,47677,flu\n31,47678,flu\n");
    let err = fails_with(&["metrics", "--data", &s(&good), "--qi", "age,nope"]);
    assert!(
        err.contains("good.csv") && err.contains("`nope`") && err.contains("zip"),
        "{err}"
    );

    let err = fails_with(&["metrics", "--data", &s(&good)]);
    assert!(err.contains("no quasi-identifiers"), "{err}");

    let empty = d("empty.csv", b"");
    let err = fails_with(&["metrics", "--data", &s(&empty), "--qi", "age"]);
    assert!(err.contains("empty.csv") && err.contains("empty"), "{err}");

    let header_only = d("header.csv", b"age,zip\n");
    let err = fails_with(&["metrics", "--data", &s(&header_only), "--qi", "age"]);
    assert!(err.contains("header.csv"), "{err}");

    let ragged = d("ragged.csv", b"age,zip\n30,47677\n31\n32,47602\n");
    let err = fails_with(&["metrics", "--data", &s(&ragged), "--qi", "age,zip"]);
    assert!(
        err.contains("ragged.csv") && err.contains("line 3"),
        "{err}"
    );

    let latin1 = d("latin1.csv", b"name,zip\nJos\xe9,47677\n");
    let err = fails_with(&["metrics", "--data", &s(&latin1), "--qi", "name"]);
    assert!(
        err.contains("latin1.csv") && err.contains("line 2"),
        "{err}"
    );

    let salary = d("salary.csv", b"zip,salary\n476**,3\n476**,4K\n");
    let err = fails_with(&[
        "metrics",
        "--data",
        &s(&salary),
        "--qi",
        "zip",
        "--sensitive",
        "salary",
        "--numeric",
        "salary",
    ]);
    assert!(
        err.contains("salary") && err.contains("4K") && err.contains("row"),
        "{err}"
    );

    let hierarchy = d("h.csv", b"flu;respiratory;*\ngastritis;stomach;*\n");
    let disease = d("disease.csv", b"zip,disease\n476**,flu\n476**,cancer\n");
    let spec = format!("disease={}", s(&hierarchy));
    let err = fails_with(&[
        "metrics",
        "--data",
        &s(&disease),
        "--qi",
        "zip",
        "--sensitive",
        "disease",
        "--hierarchy",
        &spec,
    ]);
    assert!(err.contains("disease") && err.contains("cancer"), "{err}");

    let err = fails_with(&["metrics", "--data", "/nonexistent/x.csv", "--qi", "a"]);
    assert!(err.contains("/nonexistent/x.csv"), "{err}");

    let err = fails_with(&[
        "metrics",
        "--data",
        &s(&good),
        "--qi",
        "age",
        "--sampling-fraction",
        "1.5",
    ]);
    assert!(err.contains("sampling"), "{err}");
}

#[test]
fn row_order_does_not_change_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.csv",
        b"zip,age,disease\n476**,2*,flu\n476**,2*,gastritis\n4790*,>=40,flu\n4790*,>=40,flu\n",
    );
    let b = write(
        dir.path(),
        "b.csv",
        b"zip,age,disease\n4790*,>=40,flu\n476**,2*,gastritis\n4790*,>=40,flu\n476**,2*,flu\n",
    );
    let run = |p: &Path| {
        let out = reident(&[
            "metrics",
            "--data",
            p.to_str().unwrap(),
            "--qi",
            "zip,age",
            "--sensitive",
            "disease",
            "--format",
            "json",
        ]);
        assert!(out.status.success());
        let r: reident::privacy::MetricsReport = serde_json::from_slice(&out.stdout).unwrap();
        (
            r.k,
            r.n_classes,
            r.sensitive[0].l_distinct,
            r.sensitive[0].t_equal_distance.t,
        )
    };
    // Two classes of two: k = 2; l = 2 and 1; t = max(1/4, 1/4)... by hand:
    // overall flu 3/4, gastritis 1/4; class {flu, gastritis}: EMD = 1/2 |1/2-3/4| * 2 = 1/4;
    // class {flu, flu}: EMD = 1/2 (|1 - 3/4| + |0 - 1/4|) = 1/4.
    assert_eq!(run(&a), (2, 2, 1, 0.25));
    assert_eq!(run(&a), run(&b));
}
