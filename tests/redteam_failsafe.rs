//! Red team: releases whose true re-identification risk is known by
//! construction, audited end to end through the `reident` binary. None of the
//! risky ones may PASS, and the honest ones must still PASS.
//!
//! The data is real (NIST CRC ACS PUMS excerpt, Massachusetts 2019, shipped in
//! `datasets/nist_acs`), in a layout the code was not written around: the area
//! code `PUMA` is spelled `25-00503`, which a range parser reads as 25..503.
//! Every release here is made by a few lines of this file, never by reident's
//! own anonymizers, and every expected figure is computed here by brute force
//! (a second, independent implementation of the QI join: for each release row,
//! count the originals each of whose values the release value covers).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Massachusetts excerpt: header and rows, as text.
fn acs() -> (Vec<String>, Vec<Vec<String>>) {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(root().join("datasets/nist_acs/ma2019.csv.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 7_634);
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// Writes a CSV of `columns` (name, per-row value).
fn write_csv(path: &Path, columns: &[(&str, Vec<String>)]) {
    let mut out = columns
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for r in 0..columns[0].1.len() {
        let row: Vec<String> = columns
            .iter()
            .map(|(_, v)| {
                if v[r].contains(',') {
                    format!("\"{}\"", v[r])
                } else {
                    v[r].clone()
                }
            })
            .collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn reident(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `reident audit` on a config body; returns the output and report.json.
fn audit(dir: &Path, body: &str) -> (Output, Option<Value>) {
    let config = dir.join("audit.toml");
    std::fs::write(&config, body).unwrap();
    let out = dir.join("report");
    let o = reident(&[
        "audit",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let report = std::fs::read_to_string(out.join("report.json"))
        .ok()
        .map(|s| serde_json::from_str(&s).unwrap());
    (o, report)
}

fn reid_config(qis: &[&str], extra_table: &str, max_rate: f64) -> String {
    let qis: Vec<String> = qis.iter().map(|q| format!("\"{q}\"")).collect();
    format!(
        r#"title = "red team"
[[table]]
name = "acs"
release = "release.csv"
original = "original.csv"
quasi_identifiers = [{}]
truth = {{ original = "rid", release = "rid" }}
{extra_table}

[[claim]]
kind = "reidentification"
table = "acs"
max_rate = {max_rate}
"#,
        qis.join(", ")
    )
}

/// Independent QI join: expected correct re-identifications
/// `sum over release rows of 1/|candidates|` when the true original is among
/// the candidates. `covers(q, release_value, original_value)` decides one column.
fn brute_force_rate(
    release: &[Vec<String>],
    original: &[Vec<String>],
    truth: &[usize],
    covers: impl Fn(usize, &str, &str) -> bool,
) -> f64 {
    let mut expected = 0.0;
    for (r, rel) in release.iter().enumerate() {
        let candidates: Vec<usize> = (0..original.len())
            .filter(|&o| {
                rel.iter()
                    .enumerate()
                    .all(|(q, v)| covers(q, v, &original[o][q]))
            })
            .collect();
        if candidates.contains(&truth[r]) {
            expected += 1.0 / candidates.len() as f64;
        }
    }
    expected / release.len() as f64
}

fn claim(report: &Value) -> &Value {
    &report["claims"][0]
}

/// Originals with a row id, in file order, on the given QIs.
fn originals(qis: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let (header, rows) = acs();
    let idx: Vec<usize> = qis.iter().map(|q| col(&header, q)).collect();
    let ids: Vec<String> = (0..rows.len()).map(|i| format!("p{i}")).collect();
    let values = rows
        .iter()
        .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
        .collect();
    (ids, values)
}

fn write_table(path: &Path, qis: &[&str], ids: &[String], values: &[Vec<String>]) {
    let mut columns: Vec<(&str, Vec<String>)> = vec![("rid", ids.to_vec())];
    for (q, name) in qis.iter().enumerate() {
        columns.push((name, values.iter().map(|r| r[q].clone()).collect()));
    }
    write_csv(path, &columns);
}

#[test]
fn raw_records_with_hyphenated_codes_fail_at_their_true_rate() {
    // The records released unchanged (rows reversed so the files differ): the
    // true expected rate is the number of distinct QI tuples over the rows.
    let qis = ["PUMA", "AGEP", "SEX", "RAC1P", "MSP"];
    let (ids, values) = originals(&qis);
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &qis, &ids, &values);
    let mut rev_ids = ids.clone();
    let mut rev_values = values.clone();
    rev_ids.reverse();
    rev_values.reverse();
    write_table(&dir.path().join("release.csv"), &qis, &rev_ids, &rev_values);
    let mut counts: HashMap<&Vec<String>, usize> = HashMap::new();
    for v in &values {
        *counts.entry(v).or_default() += 1;
    }
    let truth_rate = counts.len() as f64 / values.len() as f64;
    let unique = counts.values().filter(|&&c| c == 1).count() as f64 / values.len() as f64;
    assert!(truth_rate > 0.3 && unique > 0.15, "{truth_rate} {unique}");

    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.05));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["verdict"], "Fail");
    let measured = c["measured"].as_f64().unwrap();
    assert!(
        (measured - truth_rate).abs() < 1e-9,
        "{measured} vs {truth_rate}"
    );
    // PUMA was read as a code, with its reason in the report.
    let kinds = &report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| {
            s["results"]
                .as_array()?
                .iter()
                .find(|r| r["label"] == "qi_join")
        })
        .unwrap()["value"]["column_kinds"];
    assert_eq!(kinds[0]["column"], "PUMA");
    assert_eq!(kinds[0]["kind"], "code");
    assert_eq!(kinds[1]["kind"], "number");

    // The CLI's QI join gives the same figure on the same files.
    let o = reident(&[
        "link",
        "--original",
        dir.path().join("original.csv").to_str().unwrap(),
        "--release",
        dir.path().join("release.csv").to_str().unwrap(),
        "--qi",
        "PUMA,AGEP,SEX,RAC1P,MSP",
        "--truth",
        "rid",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let cli = v["expected_correct_reidentifications"].as_f64().unwrap() / 7_634.0;
    assert!((cli - truth_rate).abs() < 1e-9);
}

/// Groups rows into classes of at least `k` consecutive rows within each
/// (PUMA, SEX) after sorting by age, and releases age as the class's
/// `[min-max]` range: a k-anonymous release made by hand.
fn hand_generalized(values: &[Vec<String>], k: usize) -> Vec<Vec<String>> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    let age = |r: usize| values[r][1].parse::<u32>().unwrap();
    order.sort_by_key(|&r| (values[r][0].clone(), values[r][2].clone(), age(r), r));
    let mut out = values.to_vec();
    let mut start = 0;
    while start < order.len() {
        let key = |r: usize| (values[r][0].clone(), values[r][2].clone());
        let group_end = (start..order.len())
            .find(|&i| key(order[i]) != key(order[start]))
            .unwrap_or(order.len());
        let mut s = start;
        while s < group_end {
            let mut e = (s + k).min(group_end);
            if group_end - e < k {
                e = group_end;
            }
            let lo = (s..e).map(|i| age(order[i])).min().unwrap();
            let hi = (s..e).map(|i| age(order[i])).max().unwrap();
            for &r in &order[s..e] {
                out[r][1] = format!("[{lo}-{hi}]");
            }
            s = e;
        }
        start = group_end;
    }
    out
}

fn covers_range(v: &str, original: &str) -> bool {
    match v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        Some(inner) => {
            let (lo, hi) = inner.split_once('-').unwrap();
            let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
            let x: f64 = original.parse().unwrap();
            lo <= x && x <= hi
        }
        None => v == original,
    }
}

#[test]
fn a_k5_release_with_hyphenated_codes_fails_and_its_k_claim_passes() {
    let qis = ["PUMA", "AGEP", "SEX"];
    let (ids, values) = originals(&qis);
    let release = hand_generalized(&values, 5);
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &qis, &ids, &values);
    write_table(&dir.path().join("release.csv"), &qis, &ids, &release);
    let truth: Vec<usize> = (0..values.len()).collect();
    let expected = brute_force_rate(&release, &values, &truth, |q, r, o| {
        if q == 1 {
            covers_range(r, o)
        } else {
            r == o
        }
    });
    assert!(expected > 0.07, "{expected}");
    let body = reid_config(&qis, "", 0.05)
        + "\n[[claim]]\nkind = \"k_anonymity\"\ntable = \"acs\"\nk = 5\n";
    let (o, report) = audit(dir.path(), &body);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["verdict"], "Fail");
    assert!((c["measured"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert_eq!(c["warnings"].as_array().unwrap().len(), 0);
    // The release is 5-anonymous by construction, and the audit says so.
    assert_eq!(report["claims"][1]["verdict"], "Pass");
}

#[test]
fn a_single_star_mask_on_a_code_reads_as_the_prefix_and_the_rest() {
    // A hand release as people write one: the PUMA cut to its first five
    // characters and one `*` (`25-00*`), not one `*` per character. No
    // original PUMA has six characters, so the fixed-length reading fits
    // nothing (the attack could not run: INCONCLUSIVE before); read as
    // "and the rest" it is the coarsening it was meant to be.
    let qis = ["PUMA", "AGEP", "SEX"];
    let (ids, values) = originals(&qis);
    let mut release = hand_generalized(&values, 5);
    for r in release.iter_mut() {
        r[0] = format!("{}*", &r[0][..5]);
    }
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &qis, &ids, &values);
    write_table(&dir.path().join("release.csv"), &qis, &ids, &release);
    let truth: Vec<usize> = (0..values.len()).collect();
    let expected = brute_force_rate(&release, &values, &truth, |q, r, o| match q {
        0 => {
            let prefix = r.strip_suffix('*').unwrap();
            o.len() > prefix.len() && o.starts_with(prefix)
        }
        1 => covers_range(r, o),
        _ => r == o,
    });
    assert!(expected > 0.01 && expected < 0.2, "{expected}");
    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.01));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["verdict"], "Fail", "{c}");
    assert!(
        (c["measured"].as_f64().unwrap() - expected).abs() < 1e-9,
        "{c}"
    );
    // The report says how the values were read.
    let kinds = report.to_string();
    assert!(
        kinds.contains("end in a single `*` that no original fits at that length"),
        "{kinds}"
    );
}

#[test]
fn attacker_data_generalized_like_the_release_is_matched_by_overlap() {
    // Identified records with 10-year age bands, linked to a release with the
    // same bands: band equality (overlap) finds every row's candidates.
    let qis = ["PUMA", "AGEP", "SEX"];
    let (ids, values) = originals(&qis);
    let banded: Vec<Vec<String>> = values
        .iter()
        .map(|r| {
            let a: u32 = r[1].parse().unwrap();
            let lo = a / 10 * 10;
            vec![r[0].clone(), format!("{lo}-{}", lo + 9), r[2].clone()]
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    // Attacker's 2,000 identified rows, the release of everyone.
    let known: Vec<usize> = (0..values.len()).step_by(3).take(2_000).collect();
    let attacker: Vec<Vec<String>> = known.iter().map(|&r| banded[r].clone()).collect();
    let attacker_ids: Vec<String> = known.iter().map(|&r| ids[r].clone()).collect();
    write_table(
        &dir.path().join("original.csv"),
        &qis,
        &attacker_ids,
        &attacker,
    );
    write_table(
        &dir.path().join("release.csv"),
        &qis,
        &attacker_ids,
        &attacker,
    );
    // Same content would be refused; release rows reversed.
    let mut rel = attacker.clone();
    let mut rel_ids = attacker_ids.clone();
    rel.reverse();
    rel_ids.reverse();
    write_table(&dir.path().join("release.csv"), &qis, &rel_ids, &rel);
    let truth: Vec<usize> = (0..rel.len()).map(|i| rel.len() - 1 - i).collect();
    let expected = brute_force_rate(&rel, &attacker, &truth, |_, r, o| r == o);
    assert!(expected > 0.03, "{expected}");
    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.01));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["verdict"], "Fail", "{c}");
    assert!((c["measured"].as_f64().unwrap() - expected).abs() < 1e-9);
}

#[test]
fn the_release_given_as_its_own_original_is_an_error() {
    let qis = ["PUMA", "AGEP", "SEX"];
    let (ids, values) = originals(&qis);
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("release.csv"), &qis, &ids, &values);
    let body = reid_config(&qis, "", 0.05).replace("original.csv", "release.csv");
    let (o, report) = audit(dir.path(), &body);
    assert_eq!(o.status.code(), Some(2));
    assert!(report.is_none());
    assert!(
        text(&o.stderr).contains("are the same file"),
        "{}",
        text(&o.stderr)
    );
    // A byte-identical copy under another name: also refused.
    std::fs::copy(
        dir.path().join("release.csv"),
        dir.path().join("original.csv"),
    )
    .unwrap();
    let (o, _) = audit(dir.path(), &reid_config(&qis, "", 0.05));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("identical contents") && err.contains("original.csv"),
        "{err}"
    );
    // The command-line attacks refuse it too.
    let f = dir.path().join("release.csv");
    let f = f.to_str().unwrap();
    let o = reident(&["link", "--original", f, "--release", f, "--qi", "PUMA"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("same file"));
}

/// Marital status generalized through a hierarchy written here:
/// 1 (married) -> `married`; 2-5 -> `was married`; 6 -> `never married`; `N` -> `n/a`.
fn msp_hierarchy(dir: &Path, leave_out: Option<&str>) -> PathBuf {
    let path = dir.join("msp.csv");
    let mut rows = String::new();
    for (leaf, node) in [
        ("1", "married"),
        ("2", "was married"),
        ("3", "was married"),
        ("4", "was married"),
        ("5", "was married"),
        ("6", "never married"),
        ("N", "n/a"),
    ] {
        if Some(leaf) != leave_out {
            rows.push_str(&format!("{leaf};{node};*\n"));
        }
    }
    std::fs::write(&path, rows).unwrap();
    path
}

#[test]
fn a_generalized_release_without_its_hierarchy_is_not_a_pass() {
    let qis = ["PUMA", "SEX", "MSP"];
    let (ids, values) = originals(&qis);
    let node = |v: &str| match v {
        "1" => "married",
        "2" | "3" | "4" | "5" => "was married",
        "6" => "never married",
        _ => "n/a",
    };
    let release: Vec<Vec<String>> = values
        .iter()
        .map(|r| vec![r[0].clone(), r[1].clone(), node(&r[2]).to_string()])
        .collect();
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &qis, &ids, &values);
    write_table(&dir.path().join("release.csv"), &qis, &ids, &release);

    // Without the hierarchy (and with the audit's own building turned off)
    // no release row matches: at most INCONCLUSIVE, with a warning that
    // names the column. (Rate 0 "would" pass 5 %.)
    let (o, report) = audit(
        dir.path(),
        &reid_config(&qis, "build_hierarchies = false", 0.05),
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["verdict"], "Inconclusive");
    let warning = c["warnings"][0].as_str().unwrap();
    assert!(warning.contains("0 of 7634"), "{warning}");
    assert!(
        warning.contains("`MSP`") && warning.contains("hierarchy for `MSP` may be missing"),
        "{warning}"
    );
    let md = std::fs::read_to_string(dir.path().join("report/report.md")).unwrap();
    assert!(md.contains("Warnings: read before signing"));

    // With it, the true rate (brute force over the hierarchy) decides.
    let h = msp_hierarchy(dir.path(), None);
    let extra = format!("hierarchies = {{ MSP = \"{}\" }}", h.display());
    let truth: Vec<usize> = (0..values.len()).collect();
    let expected = brute_force_rate(&release, &values, &truth, |q, r, o| {
        if q == 2 {
            node(o) == r
        } else {
            r == o
        }
    });
    let (o, report) = audit(dir.path(), &reid_config(&qis, &extra, 0.05));
    let report = report.unwrap();
    let c = claim(&report);
    assert!((c["measured"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert_eq!(c["warnings"].as_array().unwrap().len(), 0);
    // 60 (PUMA, SEX, MSP-node) classes over 7,634 rows: well under 5 %.
    assert!(expected < 0.02, "{expected}");
    assert_eq!(c["verdict"], "Pass", "{}", text(&o.stdout));
    assert_eq!(o.status.code(), Some(0));
    // The audit builds the same hierarchy from the release's labels and the
    // truth key when none is given: same rate, same verdict.
    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.05));
    let c = claim(report.as_ref().unwrap()).clone();
    assert!((c["measured"].as_f64().unwrap() - expected).abs() < 1e-9);
    assert_eq!(c["verdict"], "Pass", "{}", text(&o.stdout));

    // A hierarchy that misses a leaf the originals hold is an error naming it.
    let h = msp_hierarchy(dir.path(), Some("4"));
    let extra = format!("hierarchies = {{ MSP = \"{}\" }}", h.display());
    let (o, _) = audit(dir.path(), &reid_config(&qis, &extra, 0.05));
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("column `MSP`") && err.contains("`4`"), "{err}");

    // A hierarchy for a column the table does not have is an error too.
    let extra = format!("hierarchies = {{ MARITAL = \"{}\" }}", h.display());
    let (o, _) = audit(dir.path(), &reid_config(&qis, &extra, 0.05));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("hierarchies.MARITAL"));
}

#[test]
fn a_truth_key_that_resolves_nothing_is_not_a_pass() {
    // An honest, coarse release (PUMA and SEX only: rate about 10/7,634),
    // but the release's truth ids were renamed: no key resolves.
    let qis = ["PUMA", "SEX"];
    let (ids, values) = originals(&qis);
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &qis, &ids, &values);
    let renamed: Vec<String> = ids.iter().map(|i| format!("x{i}")).collect();
    write_table(&dir.path().join("release.csv"), &qis, &renamed, &values);
    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.05));
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let c = claim(report.as_ref().unwrap()).clone();
    assert_eq!(c["verdict"], "Inconclusive");
    assert!(c["warnings"][0].as_str().unwrap().contains("truth key"));

    // The same release with its keys intact (rows reversed, so it is not a
    // byte copy of the originals) passes at its true rate.
    let mut rel_ids = ids.clone();
    let mut rel = values.clone();
    rel_ids.reverse();
    rel.reverse();
    write_table(&dir.path().join("release.csv"), &qis, &rel_ids, &rel);
    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.05));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let c = claim(report.as_ref().unwrap()).clone();
    let mut classes: HashMap<&Vec<String>, usize> = HashMap::new();
    for v in &values {
        *classes.entry(v).or_default() += 1;
    }
    let expected = classes.len() as f64 / values.len() as f64;
    assert!((c["measured"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert_eq!(c["verdict"], "Pass");
}

#[test]
fn a_code_column_read_as_a_number_is_flagged_not_passed() {
    // The release lists each row's area with its neighbour, as a set of codes
    // (`{25-00503,25-00703}`). Read as codes (detected), the set covers both
    // areas. Forced to be read as numbers, each element becomes the range
    // 25..503, which contains no original code: the attack cannot run, and the
    // verdict says so instead of passing at rate 0.
    let qis = ["PUMA", "AGEP", "SEX"];
    let (ids, values) = originals(&qis);
    let mut areas: Vec<String> = values.iter().map(|r| r[0].clone()).collect();
    areas.sort();
    areas.dedup();
    assert_eq!(areas.len(), 5);
    let release: Vec<Vec<String>> = values
        .iter()
        .map(|r| {
            let i = areas.iter().position(|a| a == &r[0]).unwrap();
            let other = &areas[(i + 1) % areas.len()];
            vec![format!("{{{},{other}}}", r[0]), r[1].clone(), r[2].clone()]
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &qis, &ids, &values);
    write_table(&dir.path().join("release.csv"), &qis, &ids, &release);
    let (o, report) = audit(
        dir.path(),
        &reid_config(&qis, "kinds = { PUMA = \"number\" }", 0.9999),
    );
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let c = claim(report.as_ref().unwrap()).clone();
    assert_eq!(c["verdict"], "Inconclusive");
    let w = c["warnings"][0].as_str().unwrap();
    assert!(
        w.contains("`PUMA` (read as number)") && w.contains("{99-99999,99-99999}"),
        "{w}"
    );
    assert!(w.contains("PUMA = \"code\""), "{w}");

    // Detected as codes: every row aligned, the true rate decides.
    let truth: Vec<usize> = (0..values.len()).collect();
    let expected = brute_force_rate(&release, &values, &truth, |q, r, o| {
        if q == 0 {
            r.trim_matches(|c| c == '{' || c == '}')
                .split(',')
                .any(|e| e == o)
        } else {
            r == o
        }
    });
    let (o, report) = audit(dir.path(), &reid_config(&qis, "", 0.05));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let c = claim(report.as_ref().unwrap()).clone();
    assert_eq!(c["verdict"], "Fail");
    assert!((c["measured"].as_f64().unwrap() - expected).abs() < 1e-9);
}

#[test]
fn inference_risk_on_a_generalized_release_is_not_a_pass() {
    // Half of the excerpt is the originals, the other half the control set;
    // the release generalizes the originals by hand into classes of at least
    // 5 within (PUMA, SEX): age as `[min-max]`, race and education as the
    // set of the class's values when they differ. Read as labels, `[18-22]`
    // and `{5,7}` never equal an original value and the risks look like 0;
    // read as generalizations, attribute inference of the income decile beats
    // the control. Every component must be below the threshold for a PASS.
    let (header, rows) = acs();
    let cols = ["PUMA", "AGEP", "SEX", "RAC1P", "EDU", "PINCP_DECILE"];
    let idx: Vec<usize> = cols.iter().map(|c| col(&header, c)).collect();
    let pick = |r: &Vec<String>| -> Vec<String> { idx.iter().map(|&i| r[i].clone()).collect() };
    let original: Vec<Vec<String>> = rows.iter().step_by(2).map(pick).collect();
    let control: Vec<Vec<String>> = rows.iter().skip(1).step_by(2).map(pick).collect();
    let mut release = hand_generalized(&original, 5);
    // Classes of hand_generalized: same (PUMA, SEX, age range).
    let mut members: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
    for (r, v) in release.iter().enumerate() {
        members
            .entry((v[0].clone(), v[2].clone(), v[1].clone()))
            .or_default()
            .push(r);
    }
    for rows_of_class in members.values() {
        for c in [3, 4] {
            let mut values: Vec<&str> = rows_of_class
                .iter()
                .map(|&r| original[r][c].as_str())
                .collect();
            values.sort_unstable();
            values.dedup();
            if values.len() > 1 {
                let set = format!("{{{}}}", values.join(","));
                for &r in rows_of_class {
                    release[r][c] = set.clone();
                }
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, values: &[Vec<String>]| {
        let columns: Vec<(&str, Vec<String>)> = cols
            .iter()
            .enumerate()
            .map(|(c, n)| (*n, values.iter().map(|r| r[c].clone()).collect()))
            .collect();
        write_csv(&dir.path().join(name), &columns);
    };
    write("original.csv", &original);
    write("release.csv", &release);
    write("control.csv", &control);
    let body = r#"title = "inference"
seed = 1
[[table]]
name = "acs"
release = "release.csv"
original = "original.csv"
quasi_identifiers = ["PUMA", "AGEP", "SEX"]
sensitive = ["PINCP_DECILE"]
[table.risk]
control = "control.csv"
columns = ["PUMA", "AGEP", "SEX", "RAC1P", "EDU", "PINCP_DECILE"]
n_attacks = 300

[[claim]]
kind = "inference_risk"
table = "acs"
max_risk = 0.05
"#;
    let (o, report) = audit(dir.path(), body);
    let report = report.unwrap_or_else(|| panic!("{}", text(&o.stderr)));
    let c = claim(&report);
    assert_ne!(c["verdict"], "Pass", "{c}");
    assert_ne!(o.status.code(), Some(0));
    // The attribute-inference component is above 5 % with its whole interval.
    let risks = report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|s| {
            s["results"]
                .as_array()?
                .iter()
                .find(|r| r["label"] == "anonymeter_risks")
        })
        .unwrap()["value"]
        .clone();
    let inference = &risks["inference"][0]["estimate"];
    assert!(inference["ci"][0].as_f64().unwrap() > 0.05, "{inference}");
    assert_eq!(c["verdict"], "Fail");
}

#[test]
fn a_column_that_recreates_a_quasi_identifier_blocks_a_k_pass() {
    // PUMA masked to `25-00***` (three prefixes for five areas), age in
    // 5-year bands and sex give k = 7 over the declared QIs, but DENSITY (one
    // value per PUMA, left in the release) determines the masked PUMA and
    // re-creates the area: with it k drops to 1. The k claim is not a
    // PASS, and the warning names the column and the k it gives.
    let (header, rows) = acs();
    let (p, a, s, d) = (
        col(&header, "PUMA"),
        col(&header, "AGEP"),
        col(&header, "SEX"),
        col(&header, "DENSITY"),
    );
    let release: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let band = r[a].parse::<u32>().unwrap() / 5 * 5;
            vec![
                format!("{}***", &r[p][..5]),
                format!("{band}-{}", band + 4),
                r[s].clone(),
                r[d].clone(),
            ]
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let columns: Vec<(&str, Vec<String>)> = ["PUMA", "AGEP", "SEX", "DENSITY"]
        .iter()
        .enumerate()
        .map(|(c, n)| (*n, release.iter().map(|r| r[c].clone()).collect()))
        .collect();
    write_csv(&dir.path().join("release.csv"), &columns);
    let body = r#"title = "hidden"
[[table]]
name = "acs"
release = "release.csv"
quasi_identifiers = ["PUMA", "AGEP", "SEX"]

[[claim]]
kind = "k_anonymity"
table = "acs"
k = 5
"#;
    // Without DENSITY the same release is 5-anonymous: k over the declared QIs.
    let mut by_class: HashMap<&[String], usize> = HashMap::new();
    for r in &release {
        *by_class.entry(&r[..3]).or_default() += 1;
    }
    let k = *by_class.values().min().unwrap();
    assert_eq!(k, 7);
    let (o, report) = audit(dir.path(), body);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stdout));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["measured"].as_f64().unwrap(), k as f64);
    assert_eq!(c["verdict"], "Inconclusive");
    let w = c["warnings"][0].as_str().unwrap();
    assert!(w.contains("`DENSITY` would give k = 1"), "{w}");
}

#[test]
fn a_table_with_an_identifier_column_fails_no_direct_identifiers() {
    // The excerpt released with a contact column of e-mail addresses made up
    // here: the claim fails without the originals, naming the column; the
    // same release without it passes.
    let qis = ["PUMA", "AGEP", "SEX"];
    let (ids, values) = originals(&qis);
    let dir = tempfile::tempdir().unwrap();
    let emails: Vec<String> = (0..values.len())
        .map(|i| format!("resident{i}@example.org"))
        .collect();
    let mut columns: Vec<(&str, Vec<String>)> = vec![("contact", emails)];
    for (q, name) in qis.iter().enumerate() {
        columns.push((name, values.iter().map(|r| r[q].clone()).collect()));
    }
    write_csv(&dir.path().join("release.csv"), &columns);
    let body = r#"title = "identifiers"
[[table]]
name = "acs"
release = "release.csv"
quasi_identifiers = ["PUMA", "AGEP", "SEX"]

[[claim]]
kind = "no_direct_identifiers"
tables = ["acs"]
"#;
    let (o, report) = audit(dir.path(), body);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let report = report.unwrap();
    let c = claim(&report);
    assert_eq!(c["verdict"], "Fail");
    assert_eq!(c["measured"], 1.0);
    assert!(c["evidence"].as_str().unwrap().contains("`contact`"));
    // No e-mail address is copied into the report.
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("resident17@example.org"));

    let _ = ids;
    columns.remove(0);
    write_csv(&dir.path().join("release.csv"), &columns);
    let (o, report) = audit(dir.path(), body);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert_eq!(claim(&report.unwrap())["verdict"], "Pass");
}

/// Columns the release keeps that the originals hold too but the config does
/// not declare as quasi-identifiers: the join on the declared ones (sex and
/// race: a handful of classes over 7,634 rows) gives a low rate, but an
/// adversary holding the originals joins on PUMA, age and marital status as
/// well. Found by auditing German credit released by hand with two declared
/// QIs (session 5): such a release must not PASS "at most 5% re-identified".
#[test]
fn undeclared_columns_shared_with_the_originals_block_a_reidentification_pass() {
    let all = ["SEX", "RAC1P", "PUMA", "AGEP", "MSP"];
    let (ids, values) = originals(&all);
    let dir = tempfile::tempdir().unwrap();
    write_table(&dir.path().join("original.csv"), &all, &ids, &values);
    let mut rev_ids = ids.clone();
    let mut rev_values = values.clone();
    rev_ids.reverse();
    rev_values.reverse();
    write_table(&dir.path().join("release.csv"), &all, &rev_ids, &rev_values);
    // The declared attack alone: sex x race classes, far below 5%.
    let declared: Vec<Vec<String>> = values.iter().map(|v| v[..2].to_vec()).collect();
    let mut classes: Vec<&Vec<String>> = declared.iter().collect();
    classes.sort();
    classes.dedup();
    let truth_rate = classes.len() as f64 / values.len() as f64;
    assert!(truth_rate < 0.01, "{truth_rate}");

    let (o, report) = audit(dir.path(), &reid_config(&["SEX", "RAC1P"], "", 0.05));
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    let c = claim(report.as_ref().unwrap());
    assert_eq!(c["verdict"], "Inconclusive");
    assert!((c["measured"].as_f64().unwrap() - truth_rate).abs() < 1e-9);
    let warning = c["warnings"][0].as_str().unwrap();
    for column in ["`PUMA`", "`AGEP`", "`MSP`"] {
        assert!(warning.contains(column), "{warning}");
    }
    assert!(
        !warning.contains("`rid`") && !warning.contains("`SEX`"),
        "{warning}"
    );

    // The same release without the extra columns passes at the same rate.
    let (o_ids, o_values) = originals(&all);
    write_table(&dir.path().join("original.csv"), &all, &o_ids, &o_values);
    write_table(
        &dir.path().join("release.csv"),
        &["SEX", "RAC1P"],
        &rev_ids,
        &rev_values
            .iter()
            .map(|v| v[..2].to_vec())
            .collect::<Vec<_>>(),
    );
    let (o, report) = audit(dir.path(), &reid_config(&["SEX", "RAC1P"], "", 0.05));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let c = claim(report.as_ref().unwrap());
    assert_eq!(c["verdict"], "Pass");
    assert_eq!(c["warnings"].as_array().unwrap().len(), 0);
}
