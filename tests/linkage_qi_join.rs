//! The QI-join attack on a hand-built generalized release, and the `link` CLI.

use reident::data::TruthSpec;
use std::collections::HashMap;

use clap::Parser;
use reident::attacks::linkage::qi_join;
use reident::cli::{self, Cli};
use reident::data::{CategoricalColumn, EncodedTable, Hierarchy};

fn table(name: &str, cols: &[(&str, &[&str])]) -> EncodedTable {
    EncodedTable::new(
        name,
        cols.iter()
            .map(|(n, v)| CategoricalColumn::from_strs(n, v))
            .collect(),
    )
}

/// Expected correct re-identifications count `t / c` per release row (the
/// definition of eval::linkage): originals o0 and o1 share the
/// truth key `k`; release row 0 (`k`, age 3*) has candidates {o0, o1, o2},
/// two of them true -> 2/3; row 1 (`z`, no such original) has candidates
/// {o2} -> 0; row 2 (`m`, age 4*) -> {o3}, true -> 1. Total 5/3 over 3 rows.
#[test]
fn shared_truth_key_counts_every_true_candidate() {
    let original = table(
        "o",
        &[
            ("key", &["k", "k", "x", "m"]),
            ("age", &["31", "35", "38", "44"]),
        ],
    );
    let release = table(
        "r",
        &[("key", &["k", "z", "m"]), ("age", &["3*", "38", "4*"])],
    );
    let r = qi_join(
        &original,
        &release,
        &["age".to_string()],
        &HashMap::new(),
        &HashMap::new(),
        Some(
            &TruthSpec::parse("key")
                .resolve(&original, &release)
                .unwrap(),
        ),
    )
    .unwrap();
    let c: Vec<u64> = r.rows.iter().map(|x| x.candidates).collect();
    assert_eq!(c, vec![3, 1, 1]);
    let e = r.expected_correct_reidentifications.unwrap();
    assert!((e - 5.0 / 3.0).abs() < 1e-12, "{e}");
    assert_eq!(r.truth_unresolved, Some(1));
    assert_eq!(r.actual_reidentifications, Some(1));
}

#[test]
fn candidates_by_hand() {
    let original = table(
        "o",
        &[
            ("id", &["o0", "o1", "o2", "o3", "o4"]),
            ("age", &["34", "36", "45", "51", "38"]),
            ("zip", &["12345", "12399", "12345", "99999", "12345"]),
            ("disease", &["flu", "flu", "asthma", "flu", "asthma"]),
        ],
    );
    let release = table(
        "r",
        &[
            ("id", &["o0", "o1", "o2", "o3", "o4"]),
            ("age", &["[30-40)", "[30-40)", "[40-50)", "*", "[30-40)"]),
            ("zip", &["123**", "123**", "123**", "99999", "123**"]),
            (
                "disease",
                &["respiratory infection", "flu", "lung", "*", "lung"],
            ),
        ],
    );
    let rows = |r: &[[&str; 3]]| {
        r.iter()
            .map(|x| x.iter().map(|s| s.to_string()).collect())
            .collect()
    };
    let h = Hierarchy::from_rows(
        "test",
        "disease",
        rows(&[
            ["flu", "respiratory infection", "*"],
            ["asthma", "lung", "*"],
        ]),
    )
    .unwrap();
    let hierarchies: HashMap<String, Hierarchy> = [("disease".to_string(), h)].into();
    let qis: Vec<String> = ["age", "zip", "disease"].map(String::from).to_vec();
    let r = qi_join(
        &original,
        &release,
        &qis,
        &hierarchies,
        &HashMap::new(),
        Some(&TruthSpec::parse("id").resolve(&original, &release).unwrap()),
    )
    .unwrap();
    // Release 0: age [30-40) -> {o0, o1, o4}; zip 123** -> {o0, o1, o2, o4};
    //   respiratory infection -> flu -> {o0, o1, o3}: candidates {o0, o1} = 2.
    // Release 1: same age/zip, `flu` exactly -> {o0, o1} = 2.
    // Release 2: [40-50) -> {o2}; lung -> {o2, o4} -> {o2} = 1.
    // Release 3: * age, zip 99999 -> {o3}; * disease -> {o3} = 1.
    // Release 4: [30-40) & 123** -> {o0, o1, o4}; lung -> {o2, o4} -> {o4} = 1.
    let c: Vec<u64> = r.rows.iter().map(|x| x.candidates).collect();
    assert_eq!(c, vec![2, 2, 1, 1, 1]);
    // Expected = 1/2 + 1/2 + 1 + 1 + 1 = 4; certain 3 of 5.
    assert!((r.expected_reidentifications - 4.0).abs() < 1e-12);
    assert_eq!(r.unique_matches, 3);
    assert!((r.certain_share - 0.6).abs() < 1e-12);
    assert_eq!(r.actual_reidentifications, Some(3));
    assert_eq!(r.truth_in_candidates, Some(5));
    assert_eq!(r.candidate_size_histogram, vec![(1, 3), (2, 2)]);
    // Rows 0 and 1 differ in the disease code, so 5 groups.
    assert_eq!(r.release_groups, 5);

    // Without the hierarchy, `respiratory infection` and `lung` cover nothing.
    let r = qi_join(
        &original,
        &release,
        &qis,
        &HashMap::new(),
        &HashMap::new(),
        None,
    )
    .unwrap();
    let c: Vec<u64> = r.rows.iter().map(|x| x.candidates).collect();
    assert_eq!(c, vec![0, 2, 0, 1, 0]);
    assert_eq!(r.no_candidates, 3);
    assert_eq!(r.actual_reidentifications, None);
}

#[test]
fn hierarchy_node_that_parses_as_a_range_is_judged_by_the_hierarchy() {
    // Tenure bands `0-3` (leaves 0, 1, 2) and `3-10` (leaves 3..9): as a bare
    // range `0-3` would admit 3, but the hierarchy says 3 is under `3-10`.
    let original = table("o", &[("tenure", &["2", "3", "9"])]);
    let release = table("r", &[("tenure", &["0-3", "3-10", "3-10"])]);
    let rows: Vec<Vec<String>> = (0..10)
        .map(|y| {
            let band = if y <= 2 { "0-3" } else { "3-10" };
            vec![y.to_string(), band.to_string(), "*".to_string()]
        })
        .collect();
    let h = Hierarchy::from_rows("test", "tenure", rows).unwrap();
    let hierarchies: HashMap<String, Hierarchy> = [("tenure".to_string(), h)].into();
    let r = qi_join(
        &original,
        &release,
        &["tenure".to_string()],
        &hierarchies,
        &HashMap::new(),
        None,
    )
    .unwrap();
    let c: Vec<u64> = r.rows.iter().map(|x| x.candidates).collect();
    // `0-3` -> {2}; `3-10` -> {3, 9} (twice).
    assert_eq!(c, vec![1, 2, 2]);
    // Without the hierarchy the same labels are inclusive ranges: 0-3 -> {2, 3},
    // 3-10 -> {3, 9}.
    let r = qi_join(
        &original,
        &release,
        &["tenure".to_string()],
        &HashMap::new(),
        &HashMap::new(),
        None,
    )
    .unwrap();
    let c: Vec<u64> = r.rows.iter().map(|x| x.candidates).collect();
    assert_eq!(c, vec![2, 2, 2]);
}

#[test]
fn unknown_column_is_an_error_naming_it() {
    let original = table("orig.csv", &[("age", &["1"])]);
    let release = table("rel.csv", &[("age", &["1"])]);
    let err = qi_join(
        &original,
        &release,
        &["zip".into()],
        &HashMap::new(),
        &HashMap::new(),
        None,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("orig.csv") && msg.contains("zip"), "{msg}");
}

fn run_cli(args: &[&str]) -> serde_json::Value {
    let cli = Cli::try_parse_from(args).unwrap();
    let mut out = Vec::new();
    cli::run(cli, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn link_cli_fellegi_sunter_and_qi_join() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("o.csv");
    let r = dir.path().join("r.csv");
    std::fs::write(
        &o,
        "id,name,zip,age\n1,anna,111,30\n2,anna,222,41\n3,bob,111,52\n4,carl,333,25\n",
    )
    .unwrap();
    std::fs::write(
        &r,
        "id,name,zip,age\n1,anna,111,[30-40)\n3,bob,111,[50-60)\n4,karl,333,[20-30)\n",
    )
    .unwrap();
    let (o, r) = (o.to_str().unwrap(), r.to_str().unwrap());
    let v = run_cli(&[
        "reident",
        "link",
        "--original",
        o,
        "--release",
        r,
        "--fields",
        "name:jw(0.8);age:gen",
        "--block",
        "zip",
        "--lambda",
        "0.3",
        "--truth",
        "id",
    ]);
    // zip blocks: 111 -> 2 x 2, 333 -> 1 x 1: 5 pairs.
    assert_eq!(v["pairs_compared"], 5);
    assert_eq!(v["blocking"][0]["pairs"], 5);
    assert_eq!(v["scores"]["true_pairs"], 3);
    assert_eq!(v["scores"]["true_pairs_blocked"], 3);
    assert_eq!(v["model"]["comparisons"].as_array().unwrap().len(), 2);

    let v = run_cli(&[
        "reident",
        "link",
        "--original",
        o,
        "--release",
        r,
        "--qi",
        "zip,age",
        "--truth",
        "id",
    ]);
    // Release 1: zip 111 & [30-40) -> {1}; release 3: 111 & [50-60) -> {3};
    // release 4: 333 & [20-30) -> {4}: all three unique and correct.
    assert_eq!(v["unique_matches"], 3);
    assert_eq!(v["actual_reidentifications"], 3);

    let cli = Cli::try_parse_from([
        "reident",
        "link",
        "--original",
        o,
        "--release",
        r,
        "--fields",
        "name:jw(0.8)",
        "--max-pairs",
        "3",
    ])
    .unwrap();
    let err = cli::run(cli, &mut Vec::new()).unwrap_err().to_string();
    assert!(err.contains("above the cap of 3"), "{err}");
}
