//! `reident hierarchy` on data nobody here made: UCI Adult with the
//! hierarchies ARX ships for it (`datasets/adult`). A release is generalized
//! by a few lines of this file with ARX's own hierarchies (marital status at
//! level 1, education at level 1 on even rows and level 2 on odd rows), so
//! the true hierarchy is known: the builder's `release` recipe must give
//! back ARX's files, and the QI join with the built hierarchies must give
//! the figures it gives with ARX's. Without any hierarchy the labels match no
//! original, which the join must say rather than report a low risk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reident(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .expect("run reident")
}

/// ARX's hierarchy file of `attribute`: leaf -> path, and its lines sorted.
fn arx(attribute: &str) -> (HashMap<String, Vec<String>>, Vec<String>) {
    let text = std::fs::read_to_string(root().join(format!(
        "datasets/adult/hierarchies/adult_hierarchy_{attribute}.csv"
    )))
    .unwrap();
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    lines.sort();
    let paths = lines
        .iter()
        .map(|l| {
            let p: Vec<String> = l.split(';').map(str::to_string).collect();
            (p[0].clone(), p)
        })
        .collect();
    (paths, lines)
}

/// Writes the hand-generalized release (with a `row_id` truth key) into `dir`.
fn write_release(dir: &Path) -> PathBuf {
    let (marital, _) = arx("marital-status");
    let (education, _) = arx("education");
    let text = std::fs::read_to_string(root().join("datasets/adult/adult.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .trim_end_matches('\r')
        .split(';')
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (sex, age, race, mi, ei) = (
        col("sex"),
        col("age"),
        col("race"),
        col("marital-status"),
        col("education"),
    );
    let mut out = String::from("row_id;sex;age;race;marital-status;education\n");
    for (i, line) in lines.enumerate() {
        let r: Vec<&str> = line.trim_end_matches('\r').split(';').collect();
        let level = if i % 2 == 0 { 1 } else { 2 };
        out.push_str(&format!(
            "{i};{};{};{};{};{}\n",
            r[sex], r[age], r[race], marital[r[mi]][1], education[r[ei]][level]
        ));
    }
    let path = dir.join("release.csv");
    std::fs::write(&path, out).unwrap();
    path
}

fn link(release: &Path, hierarchies: &[(&str, PathBuf)]) -> serde_json::Value {
    let original = root().join("datasets/adult/adult.csv");
    let mut args: Vec<String> = [
        "link",
        "--original",
        original.to_str().unwrap(),
        "--release",
        release.to_str().unwrap(),
        "--qi",
        "sex,age,race,marital-status,education",
        "--truth",
        "#row=row_id",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (column, file) in hierarchies {
        args.push("--hierarchy".into());
        args.push(format!("{column}={}", file.display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = reident(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn release_recipe_gives_back_arx_hierarchies_and_the_same_join() {
    let dir = tempfile::tempdir().unwrap();
    let release = write_release(dir.path());
    let built = dir.path().join("built");
    let original = root().join("datasets/adult/adult.csv");
    let out = reident(&[
        "hierarchy",
        "--data",
        original.to_str().unwrap(),
        "--release",
        release.to_str().unwrap(),
        "--truth",
        "#row=row_id",
        "--build",
        "marital-status=release",
        "--build",
        "education=release",
        "--output-dir",
        built.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for attribute in ["marital-status", "education"] {
        let text =
            std::fs::read_to_string(built.join(format!("hierarchy_{attribute}.csv"))).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        lines.sort();
        assert_eq!(lines, arx(attribute).1, "{attribute}");
    }

    let with_arx = link(
        &release,
        &[
            (
                "marital-status",
                root().join("datasets/adult/hierarchies/adult_hierarchy_marital-status.csv"),
            ),
            (
                "education",
                root().join("datasets/adult/hierarchies/adult_hierarchy_education.csv"),
            ),
        ],
    );
    let with_built = link(
        &release,
        &[
            ("marital-status", built.join("hierarchy_marital-status.csv")),
            ("education", built.join("hierarchy_education.csv")),
        ],
    );
    for field in [
        "expected_correct_reidentifications",
        "unique_matches",
        "truth_in_candidates",
        "release_groups",
        "candidate_size_histogram",
    ] {
        assert_eq!(with_arx[field], with_built[field], "{field}");
    }
    // Every release row keeps its true original among its candidates.
    assert_eq!(with_built["truth_in_candidates"], 30162);
    assert_eq!(with_built["no_candidates"], 0);
    // 635 rows are unique on the five QIs at these levels, re-identified for sure.
    assert_eq!(with_built["unique_matches"], 635);

    // Without hierarchies the labels match no original: the join says so.
    let without = link(&release, &[]);
    assert_eq!(without["no_candidates"], 30162);
}

#[test]
fn bad_recipes_and_values_are_errors_that_name_them() {
    let original = root().join("datasets/adult/adult.csv");
    let out = reident(&[
        "hierarchy",
        "--data",
        original.to_str().unwrap(),
        "--build",
        "workclass=dates",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`State-gov`") && err.contains("data row 1") && err.contains("ISO 8601"),
        "{err}"
    );
    let out = reident(&[
        "hierarchy",
        "--data",
        original.to_str().unwrap(),
        "--build",
        "marital-status=release",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--release"));
    // A failing build writes no file, not even the ones before it.
    let dir = tempfile::tempdir().unwrap();
    let out = reident(&[
        "hierarchy",
        "--data",
        original.to_str().unwrap(),
        "--build",
        "age=intervals:5,10",
        "--build",
        "sex=intervals:5",
        "--output-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`Male`"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // The age intervals ARX's own file uses (5-year bands) nest in 10s.
    let out = reident(&[
        "hierarchy",
        "--data",
        original.to_str().unwrap(),
        "--build",
        "age=intervals:5,10",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(|l| l == "39;[35, 40[;[30, 40[;*"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 72); // ages 17..90 minus those absent
}
