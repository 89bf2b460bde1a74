//! Equivalence-class partials (`reident::engine::ClassPartial`) merge
//! exactly: the metrics report computed from partials over any split of the
//! rows (1, 2 and 7 parts, random splits merged in random order) equals the
//! one-pass report of `privacy::evaluate`, compared as JSON (the output
//! contract), on UCI Adult and on hand-made tables with suppressed and
//! missing values.

use std::collections::HashMap;

use proptest::prelude::*;
use reident::data::{CategoricalColumn, EncodedTable, Hierarchy};
use reident::engine::ClassPartial;
use reident::privacy::{evaluate, MetricsParams, SuppressedRows};

use crate::adult_support;
use adult_support::{adult, adult_dir};

const QIS: [&str; 6] = [
    "age",
    "sex",
    "race",
    "marital-status",
    "education",
    "native-country",
];
const SAS: [&str; 2] = ["occupation", "salary-class"];

fn adult_params() -> MetricsParams {
    let h = Hierarchy::from_arx_csv(
        &adult_dir().join("hierarchies/adult_hierarchy_occupation.csv"),
        "occupation",
    )
    .unwrap();
    MetricsParams::new(QIS)
        .sensitive(SAS)
        .hierarchies(HashMap::from([("occupation".to_string(), h)]))
        .target_k(5)
        .sampling_fraction(0.01)
}

fn json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap()
}

/// The first JSON path where two reports differ (for readable failures).
fn first_difference(a: &str, b: &str) -> Option<String> {
    fn walk(a: &serde_json::Value, b: &serde_json::Value, path: String) -> Option<String> {
        use serde_json::Value::*;
        match (a, b) {
            (Object(x), Object(y)) => x
                .iter()
                .find_map(|(k, v)| walk(v, y.get(k).unwrap_or(&Null), format!("{path}.{k}"))),
            (Array(x), Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (v, w))| walk(v, w, format!("{path}[{i}]"))),
            _ if a == b => None,
            _ => Some(format!("{path}: {} vs {}", short(a), short(b))),
        }
    }
    fn short(v: &serde_json::Value) -> String {
        let s = v.to_string();
        s.chars().take(200).collect()
    }
    let a: serde_json::Value = serde_json::from_str(a).ok()?;
    let b: serde_json::Value = serde_json::from_str(b).ok()?;
    walk(&a, &b, String::new())
}

macro_rules! assert_same_report {
    ($got:expr, $want:expr, $($ctx:tt)*) => {{
        let (got, want): (&str, &str) = (&$got, &$want);
        if got != want {
            panic!("{}: reports differ at {:?}", format!($($ctx)*), first_difference(got, want));
        }
    }};
}

/// The report from partials over the given row boundaries, merged in `order`.
fn from_parts(
    table: &EncodedTable,
    qis: &[&str],
    sas: &[&str],
    params: &MetricsParams,
    cuts: &[usize],
    order: &[usize],
) -> Result<String, String> {
    let mut bounds = vec![0];
    bounds.extend(cuts.iter().copied().filter(|&c| c > 0 && c < table.n_rows));
    bounds.push(table.n_rows);
    bounds.sort_unstable();
    let parts: Vec<ClassPartial> = bounds
        .windows(2)
        .map(|w| ClassPartial::from_rows(table, qis, sas, params.target_k, w[0]..w[1], 0).unwrap())
        .collect();
    let mut merged = ClassPartial::empty(qis, sas, params.target_k);
    let n = parts.len();
    let mut parts: Vec<Option<ClassPartial>> = parts.into_iter().map(Some).collect();
    for &i in order.iter().map(|i| i % n).collect::<Vec<_>>().iter() {
        if let Some(p) = parts[i].take() {
            merged.merge(p).unwrap();
        }
    }
    for p in parts.into_iter().flatten() {
        merged.merge(p).unwrap();
    }
    assert_eq!(merged.n_rows, table.n_rows as u64);
    merged
        .evaluate(&table.source, params)
        .map(|r| json(&r))
        .map_err(|e| e.to_string())
}

#[test]
fn adult_partials_in_1_2_and_7_parts_equal_the_one_pass_report() {
    let table = adult();
    let params = adult_params();
    let one_pass = evaluate(&table, &params).unwrap();
    // The report has rows below k and a non-trivial t: the comparison bites.
    assert_eq!(one_pass.n_rows, 30162);
    assert!(one_pass.below_target_k.n_records > 0);
    let expected = json(&one_pass);
    let n = table.n_rows;
    for parts in [1usize, 2, 7] {
        let cuts: Vec<usize> = (1..parts).map(|i| i * n / parts).collect();
        let order: Vec<usize> = (0..parts).rev().collect();
        let got = from_parts(&table, &QIS, &SAS, &params, &cuts, &order).unwrap();
        assert_same_report!(got, expected, "{parts} parts");
    }
    // Chunks of 1000 rows through the helper the CLI uses.
    let merged = ClassPartial::from_chunks(&table, &QIS, &SAS, 5, 1000).unwrap();
    assert_same_report!(
        json(&merged.evaluate(&table.source, &params).unwrap()),
        expected,
        "chunks of 1000"
    );
}

#[test]
fn merge_is_commutative_and_associative_on_adult() {
    let table = adult();
    let part =
        |r: std::ops::Range<usize>| ClassPartial::from_rows(&table, &QIS, &SAS, 5, r, 0).unwrap();
    let (a, b, c) = (part(0..10000), part(10000..20000), part(20000..30162));
    let mut ab_c = a.clone();
    ab_c.merge(b.clone()).unwrap();
    ab_c.merge(c.clone()).unwrap();
    let mut bc = b;
    bc.merge(c).unwrap();
    let mut a_bc = bc.clone();
    a_bc.merge(a.clone()).unwrap();
    assert_eq!(ab_c, a_bc);
    assert_eq!(ab_c, part(0..30162));
}

fn hand_table() -> EncodedTable {
    // Rows 3 and 6 are fully suppressed (`*` and `**` are one value); row 5
    // has a missing QI; `flu` first appears in row 0, `cancer` in row 2.
    let cols: [(&str, [&str; 9]); 3] = [
        ("age", ["20", "20", "30", "*", "30", "?", "**", "20", "30"]),
        (
            "zip",
            ["476", "476", "479", "*", "479", "476", "*", "476", "479"],
        ),
        (
            "disease",
            [
                "flu", "flu", "cancer", "flu", "ulcer", "flu", "cancer", "ulcer", "cancer",
            ],
        ),
    ];
    EncodedTable::new(
        "hand",
        cols.iter()
            .map(|(n, v)| CategoricalColumn::from_strs(n, v))
            .collect(),
    )
}

#[test]
fn hand_made_table_every_split_and_both_suppression_policies() {
    let table = hand_table();
    for policy in [SuppressedRows::Exclude, SuppressedRows::OneClass] {
        let params = MetricsParams::new(["age", "zip"])
            .sensitive(["disease"])
            .target_k(3)
            .suppressed_rows(policy)
            .sampling_fraction(0.5);
        let one_pass = evaluate(&table, &params).unwrap();
        // Classes (20,476) x3, (30,479) x3, (?,476) x1 and the suppressed rows.
        assert_eq!(one_pass.n_suppressed_rows, 2);
        assert_eq!(
            one_pass.below_target_k.row_ids,
            match policy {
                SuppressedRows::Exclude => vec![5],
                SuppressedRows::OneClass => vec![3, 5, 6],
            }
        );
        let expected = json(&one_pass);
        // Every split into two parts, in both merge orders.
        for cut in 0..=table.n_rows {
            for order in [[0usize, 1], [1, 0]] {
                let got = from_parts(
                    &table,
                    &["age", "zip"],
                    &["disease"],
                    &params,
                    &[cut],
                    &order,
                )
                .unwrap();
                assert_same_report!(got, expected, "cut {cut}, {policy:?}");
            }
        }
        // One row per part.
        let cuts: Vec<usize> = (1..table.n_rows).collect();
        let order: Vec<usize> = (0..table.n_rows).rev().collect();
        assert_eq!(
            from_parts(
                &table,
                &["age", "zip"],
                &["disease"],
                &params,
                &cuts,
                &order
            )
            .unwrap(),
            expected
        );
    }
}

#[test]
fn mismatched_partials_and_params_are_refused() {
    let table = hand_table();
    let mut a = ClassPartial::from_rows(&table, &["age"], &["disease"], 2, 0..4, 0).unwrap();
    let b = ClassPartial::from_rows(&table, &["zip"], &["disease"], 2, 4..9, 0).unwrap();
    let e = a.merge(b).unwrap_err().to_string();
    assert!(e.contains("[age]") && e.contains("[zip]"), "{e}");
    let whole = ClassPartial::from_rows(&table, &["age"], &["disease"], 2, 0..9, 0).unwrap();
    let params = MetricsParams::new(["age"])
        .sensitive(["disease"])
        .target_k(3);
    let e = whole.evaluate("hand", &params).unwrap_err().to_string();
    assert!(e.contains("target k 2") && e.contains("target k 3"), "{e}");
    let e = ClassPartial::from_rows(&table, &["height"], &[], 2, 0..9, 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`height`"), "{e}");
}

fn small_table() -> impl Strategy<Value = Vec<[u8; 3]>> {
    prop::collection::vec([0u8..4, 0u8..3, 0u8..4], 1..40)
}

fn to_table(rows: &[[u8; 3]]) -> EncodedTable {
    // QI values include a suppression token and a missing-looking `?`.
    let a = ["x", "y", "*", "?"];
    let b = ["1", "2", "**"];
    let s = ["p", "q", "r", "s"];
    let col = |name: &str, f: &dyn Fn(&[u8; 3]) -> &'static str| {
        CategoricalColumn::from_strs(name, &rows.iter().map(f).collect::<Vec<_>>())
    };
    EncodedTable::new(
        "random",
        vec![
            col("a", &|r| a[r[0] as usize]),
            col("b", &|r| b[r[1] as usize]),
            col("s", &|r| s[r[2] as usize]),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_splits_merge_to_the_one_pass_report(
        rows in small_table(),
        cuts in prop::collection::vec(0usize..40, 0..6),
        order in prop::collection::vec(0usize..8, 0..8),
        target_k in 1u64..4,
        one_class in any::<bool>(),
    ) {
        let table = to_table(&rows);
        let params = MetricsParams::new(["a", "b"])
            .sensitive(["s"])
            .target_k(target_k)
            .suppressed_rows(if one_class { SuppressedRows::OneClass } else { SuppressedRows::Exclude })
            .sampling_fraction(0.3);
        let one_pass = evaluate(&table, &params).map(|r| json(&r)).map_err(|e| e.to_string());
        let parts = from_parts(&table, &["a", "b"], &["s"], &params, &cuts, &order);
        prop_assert_eq!(parts, one_pass);
    }
}
