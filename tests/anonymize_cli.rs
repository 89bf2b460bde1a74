//! `reident anonymize` end to end: files in, release and JSON summary out.

use std::path::{Path, PathBuf};

use clap::Parser;
use reident::cli::{run, Cli, Outcome};

fn adult_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult")
}

fn reident(args: &[&str]) -> Result<(Outcome, String), String> {
    let cli = Cli::try_parse_from(std::iter::once("reident").chain(args.iter().copied()))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let outcome = run(cli, &mut out).map_err(|e| e.to_string())?;
    Ok((outcome, String::from_utf8(out).unwrap()))
}

fn small_input(dir: &Path) -> PathBuf {
    // The first 200 rows of Adult, to keep the debug build fast.
    let text = std::fs::read_to_string(adult_dir().join("adult.csv")).unwrap();
    let head: Vec<&str> = text.lines().take(201).collect();
    let path = dir.join("adult200.csv");
    std::fs::write(&path, head.join("\n") + "\n").unwrap();
    path
}

#[test]
fn generalize_writes_a_k_anonymous_release_with_truth_key() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let output = dir.path().join("out.csv");
    let h = |c: &str| {
        format!(
            "{c}={}",
            adult_dir()
                .join(format!("hierarchies/adult_hierarchy_{c}.csv"))
                .display()
        )
    };
    let (outcome, summary) = reident(&[
        "anonymize",
        "generalize",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--qi",
        &h("age"),
        "--qi",
        &h("sex"),
        "--qi",
        &h("race"),
        "--k",
        "3",
        "--max-suppression",
        "0.05",
        "--truth-key",
        "_row",
        "--drop",
        "native-country",
    ])
    .unwrap();
    assert_eq!(outcome, Outcome::Success);
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["rows"], 200);
    assert_eq!(summary["summary"]["result"]["metric"], "precision");
    let text = std::fs::read_to_string(&output).unwrap();
    let mut lines = text.lines();
    // Same delimiter as the input, dropped column gone, truth key last.
    assert_eq!(
        lines.next().unwrap(),
        "sex;age;race;marital-status;education;workclass;occupation;salary-class;_row"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
    assert_eq!(rows.len(), 200);
    let mut classes: std::collections::HashMap<(&str, &str, &str), usize> = Default::default();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[8], i.to_string());
        if (r[0], r[1], r[2]) != ("*", "*", "*") {
            *classes.entry((r[0], r[1], r[2])).or_default() += 1;
        }
    }
    assert!(classes.values().all(|&c| c >= 3), "{classes:?}");
}

#[test]
fn noise_release_is_reproducible_and_never_overwrites_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let run_laplace = |out: &Path, seed: &str| {
        reident(&[
            "anonymize",
            "laplace",
            "--input",
            input.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--column",
            "age",
            "--epsilon",
            "1",
            "--sensitivity",
            "73",
            "--lower",
            "17",
            "--upper",
            "90",
            "--seed",
            seed,
            "--output-delimiter",
            ",",
        ])
    };
    let (a, b, c) = (
        dir.path().join("a.csv"),
        dir.path().join("b.csv"),
        dir.path().join("c.csv"),
    );
    run_laplace(&a, "7").unwrap();
    run_laplace(&b, "7").unwrap();
    run_laplace(&c, "8").unwrap();
    let bytes = |p: &Path| std::fs::read(p).unwrap();
    assert_eq!(bytes(&a), bytes(&b));
    assert_ne!(bytes(&a), bytes(&c));
    assert!(String::from_utf8(bytes(&a))
        .unwrap()
        .starts_with("sex,age,race"));
    let before = bytes(&input);
    let err = run_laplace(&input, "7").unwrap_err();
    assert!(err.contains("it is the input"), "{err}");
    assert_eq!(bytes(&input), before);
}

#[test]
fn cli_errors_name_the_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let output = dir.path().join("o.csv");
    let base = [
        "anonymize",
        "randomized-response",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--seed",
        "1",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        reident(&args)
    };
    let err = with(&["--column", "gender", "--epsilon", "1"]).unwrap_err();
    assert!(err.contains("no column `gender`"), "{err}");
    let err = with(&["--column", "sex", "--epsilon", "0"]).unwrap_err();
    assert!(err.contains("epsilon"), "{err}");
    let err = with(&["--column", "sex", "--epsilon", "1", "--domain", "sex=Male"]).unwrap_err();
    assert!(err.contains("`Female`"), "{err}");
    let (_, summary) = with(&[
        "--column",
        "sex",
        "--epsilon",
        "1",
        "--domain",
        "sex=Male,Female,Other",
    ])
    .unwrap();
    assert!(summary.contains("\"domain_size\": 3"), "{summary}");
    assert!(!output.with_file_name(".o.csv.tmp").exists());
}

#[test]
fn shuffled_mondrian_release_links_back_through_the_truth_key() {
    let dir = tempfile::tempdir().unwrap();
    let input = small_input(dir.path());
    let output = dir.path().join("m.csv");
    let (_, summary) = reident(&[
        "anonymize",
        "mondrian",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--numeric",
        "age",
        "--k",
        "4",
        "--truth-key",
        "_row",
        "--shuffle-seed",
        "3",
    ])
    .unwrap();
    assert!(summary.contains("\"min_partition_size\""), "{summary}");
    let original: Vec<Vec<String>> = std::fs::read_to_string(&input)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    let released = std::fs::read_to_string(&output).unwrap();
    let mut moved = 0;
    for (i, line) in released.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(';').collect();
        let id: usize = f[9].parse().unwrap();
        moved += usize::from(id != i);
        let age: u32 = original[id][1].parse().unwrap();
        let covered = match f[1].strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(inner) => {
                let (lo, hi) = inner.split_once('-').unwrap();
                lo.parse::<u32>().unwrap() <= age && age <= hi.parse::<u32>().unwrap()
            }
            None => f[1] == original[id][1],
        };
        assert!(covered, "row {i}: original age {age}, released {}", f[1]);
        // Columns that are not QIs move with their row.
        assert_eq!(f[7], original[id][7]);
    }
    assert!(moved > 150, "only {moved} of 200 rows moved");
}
