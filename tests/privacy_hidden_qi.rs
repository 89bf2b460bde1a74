//! Hidden quasi-identifiers (issue "Verdicts that fail safe", item 6): release
//! columns outside the declared quasi-identifiers that re-create one or are
//! near-unique, with the k the release would have with them. Hand-built
//! cases with values known by construction, UCI Adult, and the NIST ACS
//! excerpt whose `DENSITY` maps one-to-one to `PUMA`.

use crate::adult_support;

use std::path::Path;

use reident::data::{load_table, CategoricalColumn, EncodedTable, MissingPolicy, ReadOptions};
use reident::privacy::{
    detect_hidden_quasi_identifiers, CandidateRole, HiddenQiColumn, HiddenQiOptions,
    HiddenQiReport, MetricsParams,
};

fn column<'a>(report: &'a HiddenQiReport, name: &str) -> &'a HiddenQiColumn {
    report
        .columns
        .iter()
        .find(|c| c.column == name)
        .unwrap_or_else(|| panic!("no candidate `{name}` in {report:?}"))
}

/// 20 records. The release generalized the area code to `021**` / `022**`
/// and the age to two bands: 4 classes of 5 records, k = 5. Each generalized
/// area holds five original areas, and `density` (one value per original
/// area, so one-to-one with the original area code) was left exact: every
/// class holds one record of each density, so with `density` every class has
/// 1 record. `region` re-codes the generalized area one-to-one. `coin` is
/// noise with two values, 3 heads and 2 tails in every class. `id` is a
/// record number.
fn density_release() -> EncodedTable {
    let mut age = Vec::new();
    let mut area = Vec::new();
    let mut density = Vec::new();
    let mut region = Vec::new();
    let mut coin = Vec::new();
    let mut id = Vec::new();
    for (a, (generalized, name)) in [("021**", "North"), ("022**", "South")]
        .into_iter()
        .enumerate()
    {
        for band in ["[20-40)", "[40-60)"] {
            for original in 0..5 {
                age.push(band.to_string());
                area.push(generalized.to_string());
                density.push(format!("{}.5", 100 * (5 * a + original) + 37));
                region.push(name.to_string());
                coin.push(if original < 3 { "H" } else { "T" }.to_string());
                id.push(format!("{}", id.len() + 1));
            }
        }
    }
    EncodedTable::new(
        "density.csv",
        vec![
            CategoricalColumn::from_strs("age", &age),
            CategoricalColumn::from_strs("area", &area),
            CategoricalColumn::from_strs("density", &density),
            CategoricalColumn::from_strs("region", &region),
            CategoricalColumn::from_strs("coin", &coin),
            CategoricalColumn::from_strs("id", &id),
        ],
    )
}

#[test]
fn density_that_maps_to_the_area_drops_k_from_5_to_1() {
    let t = density_release();
    let params = MetricsParams::new(["age", "area"]).target_k(5);
    let r = detect_hidden_quasi_identifiers(&t, &params, &HiddenQiOptions::default()).unwrap();
    assert_eq!(
        (r.k, r.records_below_target_k, r.unit.as_str()),
        (5, 0, "records")
    );

    let d = column(&r, "density");
    assert!(d.flagged && !d.near_unique, "{d:?}");
    assert_eq!(d.role, CandidateRole::Other);
    assert_eq!(d.n_distinct, 10);
    assert_eq!(d.k_with, 1);
    // Every class over (age, area, density) has one record: all 20 below 5.
    assert_eq!(
        (d.classes_below_target_k, d.records_below_target_k),
        (20, 20)
    );
    assert_eq!(d.determines.len(), 1, "{d:?}");
    let det = &d.determines[0];
    assert_eq!(det.quasi_identifier, "area");
    assert!(det.exact && !det.one_to_one && det.lambda == 1.0, "{det:?}");

    // A one-to-one re-coding of the released area: flagged, k unchanged.
    let g = column(&r, "region");
    assert!(g.flagged && g.k_with == 5, "{g:?}");
    assert!(g.determines[0].one_to_one);

    // Independent noise with few values is not flagged (lambda 0 for both
    // QIs: heads are the best guess of nothing), though it splits classes
    // into 3 + 2.
    let c = column(&r, "coin");
    assert!(!c.flagged && c.determines.is_empty(), "{c:?}");
    assert_eq!((c.k_with, c.records_below_target_k), (2, 20));

    // A record number is near-unique (20 values over 20 records).
    let i = column(&r, "id");
    assert!(
        i.flagged && i.near_unique && i.distinct_share == 1.0,
        "{i:?}"
    );
    assert_eq!(i.k_with, 1);

    // Flagged first, by k with the column, then by name; coin last.
    let order: Vec<&str> = r.columns.iter().map(|c| c.column.as_str()).collect();
    assert_eq!(order, vec!["density", "id", "region", "coin"]);

    let warnings = r.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("hidden quasi-identifiers (k = 5 over age, area): density (determines area) would give k = 1, id (near-unique: 100% distinct) would give k = 1, region (one-to-one with area) would give k = 5"),
        "{}",
        warnings[0]
    );
}

#[test]
fn sensitive_attributes_are_reported_apart_and_thresholds_apply() {
    let t = density_release();
    // `density` declared sensitive: still checked, reported as sensitive.
    let params = MetricsParams::new(["age", "area"])
        .sensitive(["density"])
        .target_k(5);
    let r = detect_hidden_quasi_identifiers(&t, &params, &HiddenQiOptions::default()).unwrap();
    assert_eq!(column(&r, "density").role, CandidateRole::Sensitive);
    assert_eq!(r.flagged_sensitive().count(), 1);
    assert!(r.hidden().all(|c| c.column != "density"));
    let w = r.warnings();
    assert!(
        w.iter().any(
            |l| l.starts_with("sensitive attributes that re-create or single out")
                && l.contains("density")
        ),
        "{w:?}"
    );

    // density has 10 values over 20 records: near-unique at a threshold of 0.5.
    let loose = HiddenQiOptions {
        near_unique_share: 0.5,
        ..HiddenQiOptions::default()
    };
    let r = detect_hidden_quasi_identifiers(&t, &params, &loose).unwrap();
    assert!(column(&r, "density").near_unique);
    // Only some columns checked.
    let some = HiddenQiOptions {
        columns: Some(vec!["coin".into()]),
        ..HiddenQiOptions::default()
    };
    let r = detect_hidden_quasi_identifiers(&t, &params, &some).unwrap();
    assert_eq!(r.columns.len(), 1);
    // Bad thresholds name the parameter.
    for bad in [0.0, f64::NAN, 1.5] {
        let e = detect_hidden_quasi_identifiers(
            &t,
            &params,
            &HiddenQiOptions {
                min_lambda: bad,
                ..HiddenQiOptions::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("min_lambda"), "{e}");
    }
}

#[test]
fn rows_the_declared_qis_suppress_stay_out() {
    // Rows 4 and 5 have every declared QI suppressed: excluded from the
    // classes with and without the candidate, so `note` (constant) leaves k
    // at 2 instead of forming a class of the suppressed rows.
    let t = EncodedTable::new(
        "s.csv",
        vec![
            CategoricalColumn::from_strs("q", &["a", "a", "b", "b", "*", "*"]),
            CategoricalColumn::from_strs("note", &["x", "x", "x", "x", "x", "y"]),
        ],
    );
    let r = detect_hidden_quasi_identifiers(
        &t,
        &MetricsParams::new(["q"]),
        &HiddenQiOptions::default(),
    )
    .unwrap();
    let note = column(&r, "note");
    assert_eq!((r.k, note.k_with, note.n_distinct), (2, 2, 1));
    assert!(!note.flagged);
}

/// UCI Adult (ARX's copy, 30,162 rows) with the quasi-identifiers age, sex,
/// race: no other column determines one of them or is near-unique, and the
/// k each would give and the records it would leave in classes below k = 5
/// are these. Cross-checked with
/// `python3 -c "import csv,collections; rows=list(csv.DictReader(open('datasets/adult/adult.csv'),delimiter=';')); q=['age','sex','race']; c=collections.Counter(tuple(r[x] for x in q)+(r['education'],) for r in rows); print(min(c.values()), sum(v for v in c.values() if v<5))"`
/// (prints `1 3671`; likewise for the other columns; without a column: 425
/// records in classes below 5).
#[test]
fn adult_age_sex_race() {
    let t = adult_support::adult();
    let params = MetricsParams::new(["age", "sex", "race"]).target_k(5);
    let r = detect_hidden_quasi_identifiers(&t, &params, &HiddenQiOptions::default()).unwrap();
    assert_eq!((r.k, r.records_below_target_k), (1, 425));
    assert_eq!(r.hidden().count(), 0, "{r:?}");
    let mut figures: Vec<(&str, u64, u64)> = r
        .columns
        .iter()
        .map(|c| (c.column.as_str(), c.k_with, c.records_below_target_k))
        .collect();
    figures.sort();
    assert_eq!(
        figures,
        vec![
            ("education", 1, 3671),
            ("marital-status", 1, 1824),
            ("native-country", 1, 2581),
            ("occupation", 1, 3648),
            ("salary-class", 1, 735),
            ("workclass", 1, 1793),
        ]
    );
}

/// A value of the ACS release below: AGEP banded to ten years (`[30-40)`),
/// the PUMA masked to its first five characters (`25-00703` -> `25-00***`),
/// every other column as published.
pub(crate) fn acs_released_value(column: &str, v: &str) -> String {
    match column {
        "AGEP" => {
            let a: u32 = v.parse().unwrap();
            format!("[{}-{})", a / 10 * 10, a / 10 * 10 + 10)
        }
        "PUMA" => format!("{}***", &v[..5]),
        _ => v.to_string(),
    }
}

/// NIST ACS excerpt, Massachusetts 2019 (7,634 real PUMS rows). A release
/// that bands age to ten years and masks the PUMA to its first five
/// characters (`25-00703` -> `25-00***`: three areas) but keeps `DENSITY`,
/// which takes one value per original PUMA. Over (AGEP, SEX, PUMA) k = 7;
/// `DENSITY` determines the masked PUMA and re-creates the original one: k
/// would be 1, with 1 record in a class below 5. No other column is flagged.
/// Cross-checked in Python (csv + collections): group the masked release by
/// (age band, SEX, masked PUMA) -> min 7, 60 classes; add DENSITY -> min 1,
/// one record in classes below 5; Goodman-Kruskal lambda of the masked PUMA
/// given DENSITY = 1.0, of the age band given any other column <= 0.401.
#[test]
fn acs_density_recreates_the_masked_puma() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nist_acs/ma2019.csv.gz");
    let raw = load_table(
        &path,
        &[],
        &ReadOptions::default(),
        &MissingPolicy::default(),
    )
    .unwrap();
    assert_eq!(raw.n_rows, 7634);
    let columns = raw
        .columns
        .iter()
        .map(|c| {
            let values: Vec<String> = (0..raw.n_rows)
                .map(|r| acs_released_value(&c.name, c.value(r)))
                .collect();
            CategoricalColumn::from_strs(&c.name, &values)
        })
        .collect();
    let release = EncodedTable::new("ma2019 (age banded, PUMA masked)", columns);
    let params = MetricsParams::new(["AGEP", "SEX", "PUMA"]).target_k(5);
    let r =
        detect_hidden_quasi_identifiers(&release, &params, &HiddenQiOptions::default()).unwrap();
    assert_eq!((r.k, r.records_below_target_k), (7, 0));
    let hidden: Vec<&str> = r.hidden().map(|c| c.column.as_str()).collect();
    assert_eq!(hidden, vec!["DENSITY"]);
    let d = column(&r, "DENSITY");
    assert_eq!(
        (d.k_with, d.records_below_target_k, d.n_distinct),
        (1, 1, 5)
    );
    assert_eq!(d.determines[0].quasi_identifier, "PUMA");
    assert!(d.determines[0].exact && !d.determines[0].one_to_one);
}

/// `reident metrics` runs the check by default: a warning line on standard
/// error, the whole result in the JSON; `--no-hidden-qi` turns it off.
#[test]
fn metrics_cli_warns_and_reports() {
    let t = density_release();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("density.csv");
    let mut csv = t.column_names().join(",") + "\n";
    for row in 0..t.n_rows {
        let values: Vec<&str> = t.columns.iter().map(|c| c.value(row)).collect();
        csv += &(values.join(",") + "\n");
    }
    std::fs::write(&path, csv).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "metrics",
            "--data",
            path.to_str().unwrap(),
            "--qi",
            "age,area",
            "--target-k",
            "5",
        ];
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_reident"))
            .args(&args)
            .output()
            .unwrap()
    };
    let out = run(&["--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: hidden quasi-identifiers (k = 5 over age, area): density (determines area) would give k = 1"),
        "{stderr}"
    );
    let report: reident::privacy::MetricsReport = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.k, 5);
    let hidden = report.hidden_qi.unwrap();
    assert_eq!(column(&hidden, "density").k_with, 1);

    let out = run(&["--format", "json", "--no-hidden-qi"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: reident::privacy::MetricsReport = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.hidden_qi.is_none());

    // The text view lists the flagged columns.
    let out = run(&["--format", "table"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("`density`")
            && text.contains(
                "determines area (lambda 1.000); k with it 1 (20 records in classes < 5)"
            ),
        "{text}"
    );
}
