//! The audit builds a hierarchy for a quasi-identifier the config gives
//! none. German credit (`tests/fixtures/built_hierarchies`, 1,000 real rows)
//! released with ages in 10-year bands `[20, 30[` and the other three
//! quasi-identifiers as they are: the audit must build the age hierarchy
//! itself, write it beside the report, and give the k and re-identification
//! rate a hand-written hierarchy gives, which a brute-force count in this
//! file checks. Labels (`male` for the codes A91, A93, A94) are read through
//! a hierarchy built from the release's labels and the truth key; labels no
//! hierarchy can hold (one row released under the other label) make the
//! re-identification claim INCONCLUSIVE, never PASS.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/built_hierarchies/german_qi.csv")
}

/// (id, age, personal_status_sex, housing, job) of the fixture.
fn originals() -> Vec<(String, u32, String, String, String)> {
    let text = std::fs::read_to_string(fixture()).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].to_string(),
                f[3].to_string(),
                f[4].to_string(),
            )
        })
        .collect()
}

fn band(age: u32) -> String {
    let lo = age / 10 * 10;
    format!("[{lo}, {}[", lo + 10)
}

/// The release: every row, age in its 10-year band; `odd` replaces the age
/// of the first row by that text.
fn write_release(dir: &Path, odd: Option<&str>) -> PathBuf {
    let mut out = String::from("id,age,personal_status_sex,housing,job\n");
    for (i, (id, age, p, h, j)) in originals().iter().enumerate() {
        let shown = match (i, odd) {
            (0, Some(o)) => o.to_string(),
            _ => band(*age),
        };
        out.push_str(&format!("{id},\"{shown}\",{p},{h},{j}\n"));
    }
    let path = dir.join("release.csv");
    std::fs::write(&path, out).unwrap();
    path
}

fn config(dir: &Path, release: &Path, extra: &str, max_rate: f64) -> PathBuf {
    let text = format!(
        "title = \"built hierarchies\"\n\n[[table]]\nname = \"german\"\nrelease = \"{}\"\noriginal = \"{}\"\nquasi_identifiers = [\"age\", \"personal_status_sex\", \"housing\", \"job\"]\ntruth = {{ original = \"id\", release = \"id\" }}\n{extra}\n\n[[claim]]\nkind = \"k_anonymity\"\ntable = \"german\"\nk = 2\n\n[[claim]]\nkind = \"reidentification\"\ntable = \"german\"\nmax_rate = {max_rate}\n",
        release.display(),
        fixture().display()
    );
    let path = dir.join(format!("audit{}.toml", extra.len()));
    std::fs::write(&path, text).unwrap();
    path
}

fn audit(config: &Path, out: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(["audit", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// (measured k, measured re-identification rate, its verdict, its warnings).
fn figures(report: &Value) -> (f64, f64, String, Vec<String>) {
    let claims = report["claims"].as_array().unwrap();
    let reid = &claims[1];
    (
        claims[0]["measured"].as_f64().unwrap(),
        reid["measured"].as_f64().unwrap(),
        reid["verdict"].as_str().unwrap().to_string(),
        reid["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect(),
    )
}

/// The embedded `built_hierarchies` result of the table's section.
fn built(report: &Value) -> Vec<Value> {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["results"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["label"] == "built_hierarchies")
        .flat_map(|r| r["value"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn a_built_age_hierarchy_gives_the_figures_of_a_hand_written_one() {
    let dir = tempfile::tempdir().unwrap();
    let release = write_release(dir.path(), None);
    let rows = originals();

    // Brute force: a release row's candidates are the originals with its
    // three codes and an age in its band; the true original is one of them,
    // so each row adds 1/|candidates|; k is the smallest class.
    let key = |(_, age, p, h, j): &(String, u32, String, String, String)| {
        (band(*age), p.clone(), h.clone(), j.clone())
    };
    let mut class: HashMap<_, usize> = HashMap::new();
    for r in &rows {
        *class.entry(key(r)).or_default() += 1;
    }
    let expected_rate: f64 = rows
        .iter()
        .map(|r| 1.0 / class[&key(r)] as f64)
        .sum::<f64>()
        / rows.len() as f64;
    let expected_k = *class.values().min().unwrap() as f64;
    // Every class adds exactly 1: the rate is the number of classes over n.
    assert!((expected_rate - class.len() as f64 / 1000.0).abs() < 1e-12);

    // The hierarchy an auditor writes by hand: age -> band -> *.
    let mut ages: Vec<u32> = rows.iter().map(|r| r.1).collect();
    ages.sort();
    ages.dedup();
    let hand: String = ages
        .iter()
        .map(|a| format!("{a};{};*\n", band(*a)))
        .collect();
    let hand_path = dir.path().join("age_by_hand.csv");
    std::fs::write(&hand_path, &hand).unwrap();

    let built_out = dir.path().join("built");
    let by_builder = audit(&config(dir.path(), &release, "", 0.05), &built_out);
    let by_hand = audit(
        &config(
            dir.path(),
            &release,
            &format!("hierarchies = {{ age = \"{}\" }}", hand_path.display()),
            0.05,
        ),
        &dir.path().join("hand"),
    );
    let (k_built, rate_built, verdict_built, _) = figures(&by_builder);
    let (k_hand, rate_hand, _, _) = figures(&by_hand);
    assert_eq!(k_built, expected_k);
    assert_eq!(k_hand, expected_k);
    assert!(
        (rate_built - expected_rate).abs() < 1e-9,
        "{rate_built} {expected_rate}"
    );
    assert!(
        (rate_hand - expected_rate).abs() < 1e-9,
        "{rate_hand} {expected_rate}"
    );
    // German credit's 1,000 rows fall into 136 classes with age in bands.
    assert_eq!(class.len(), 136);
    assert_eq!(verdict_built, "Fail");

    // The built file is the hand-written one, line for line (ARX format),
    // and the report lists it, generated, with its recipe.
    let file = built_out.join("hierarchies/german.age.csv");
    let mut got: Vec<String> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let mut want: Vec<String> = hand.lines().map(String::from).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    let listed = built(&by_builder);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["column"], "age");
    assert_eq!(listed[0]["recipe"], "intervals:10");
    assert_eq!(listed[0]["file"], "hierarchies/german.age.csv");
    assert_eq!(listed[0]["leaves"], ages.len());
    assert!(listed[0]["problem"].is_null());
    let html = std::fs::read_to_string(built_out.join("report.html")).unwrap();
    assert!(html.contains("Hierarchies built by the audit (generated: check them)"));
    // With a hand-written hierarchy nothing is built.
    assert!(built(&by_hand).is_empty());
}

/// German credit's `personal_status_sex` codes as the sex they encode.
fn sex(code: &str) -> &'static str {
    match code {
        "A91" | "A93" | "A94" => "male",
        _ => "female",
    }
}

/// A release with ages in bands and `personal_status_sex` shown as `male` /
/// `female`; `cross` releases the first row (A93, male) as `female`.
fn write_label_release(dir: &Path, cross: bool) -> PathBuf {
    let mut out = String::from("id,age,personal_status_sex,housing,job\n");
    for (i, (id, age, p, h, j)) in originals().iter().enumerate() {
        let label = if cross && i == 0 { "female" } else { sex(p) };
        out.push_str(&format!("{id},\"{}\",{label},{h},{j}\n", band(*age)));
    }
    let path = dir.join("release.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn labels_are_read_through_the_built_hierarchy_and_a_crossing_one_is_inconclusive() {
    let dir = tempfile::tempdir().unwrap();
    let rows = originals();
    assert_eq!(rows[0].2, "A93");
    let release = write_label_release(dir.path(), false);
    // Brute force: candidates share the band, the sex and the two codes.
    let key = |(_, age, p, h, j): &(String, u32, String, String, String)| {
        (band(*age), sex(p), h.clone(), j.clone())
    };
    let mut class: HashMap<_, usize> = HashMap::new();
    for r in &rows {
        *class.entry(key(r)).or_default() += 1;
    }
    let expected: f64 = rows
        .iter()
        .map(|r| 1.0 / class[&key(r)] as f64)
        .sum::<f64>()
        / rows.len() as f64;
    assert_eq!(class.len(), 97);
    let report = audit(
        &config(dir.path(), &release, "", 0.5),
        &dir.path().join("a"),
    );
    let (_, rate, verdict, warnings) = figures(&report);
    assert!((rate - expected).abs() < 1e-9, "{rate} {expected}");
    assert_eq!(verdict, "Pass", "{warnings:?}");
    let listed = built(&report);
    let by_column = |c: &str| listed.iter().find(|b| b["column"] == c).unwrap().clone();
    let (age, sex_h) = (by_column("age"), by_column("personal_status_sex"));
    assert_eq!(sex_h["recipe"], "release");
    assert_eq!(sex_h["used_by_attacks"], true);
    assert_eq!(age["used_by_attacks"], false);
    let text = std::fs::read_to_string(
        dir.path()
            .join("a/hierarchies/german.personal_status_sex.csv"),
    )
    .unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    assert_eq!(
        lines,
        ["A91;male;*", "A92;female;*", "A93;male;*", "A94;male;*",]
    );
    // (The data has no A95 row, so no A95 leaf.)
    // Without building, the labels match no original: not a pass.
    let off = audit(
        &config(dir.path(), &release, "build_hierarchies = false", 0.5),
        &dir.path().join("b"),
    );
    assert_eq!(figures(&off).2, "Inconclusive");

    // One row released under the other label: the labels cross (local
    // recoding), no hierarchy describes them, the claim is INCONCLUSIVE and
    // says which column and which release value.
    let release = write_label_release(dir.path(), true);
    let report = audit(
        &config(dir.path(), &release, "", 0.5),
        &dir.path().join("c"),
    );
    let (_, _, verdict, warnings) = figures(&report);
    assert_eq!(verdict, "Inconclusive");
    assert!(
        warnings.iter().any(|w| w.contains("`personal_status_sex`")
            && w.contains("could not be built")
            && (w.contains("`male`") || w.contains("`female`"))),
        "{warnings:?}"
    );
}

#[test]
fn a_band_off_the_built_grid_is_listed_but_read_by_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    // The first row (age 67) shown as a band the 10-year grid does not have.
    let release = write_release(dir.path(), Some("[65, 75["));
    let report = audit(
        &config(dir.path(), &release, "", 0.5),
        &dir.path().join("a"),
    );
    let (_, _, verdict, _) = figures(&report);
    // The attack reads [65, 75[ as an interval (no hierarchy needed), so the
    // built one is listed with what it lacks but decides nothing.
    assert_eq!(verdict, "Pass");
    let listed = built(&report);
    assert_eq!(listed[0]["uncovered_values"], 1);
    assert_eq!(listed[0]["uncovered_rows"], 1);
    assert_eq!(listed[0]["used_by_attacks"], false);
    assert!(listed[0]["problem"].is_null());
    let note = listed[0]["note"].as_str().unwrap();
    assert!(
        note.contains("`[65, 75[`") && note.contains("`age`"),
        "{note}"
    );
    let off = audit(
        &config(dir.path(), &release, "build_hierarchies = false", 0.5),
        &dir.path().join("b"),
    );
    assert_eq!(figures(&off).2, "Pass");
    assert!(built(&off).is_empty());
    assert!(!dir.path().join("b/hierarchies").exists());

    // A recipe named in the config is used as given (widths 5 and 12 do not
    // nest: refused, noted); an unknown recipe is a config error.
    let report = audit(
        &config(
            dir.path(),
            &release,
            "hierarchy_recipes = { age = \"intervals:5,12\" }",
            0.5,
        ),
        &dir.path().join("c"),
    );
    let listed = built(&report);
    assert_eq!(listed[0]["recipe"], "intervals:5,12");
    assert!(listed[0]["file"].is_null());
    assert!(
        listed[0]["note"]
            .as_str()
            .unwrap()
            .contains("could not be built"),
        "{listed:?}"
    );
    let typo = config(
        dir.path(),
        &release,
        "hierarchy_recipes = { age = \"bands\" }",
        0.5,
    );
    let output = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(["audit", "--config"])
        .arg(&typo)
        .arg("--out")
        .arg(dir.path().join("d"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("hierarchy_recipes.age") && err.contains("unknown recipe `bands`"),
        "{err}"
    );
}
