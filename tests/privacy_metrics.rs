//! Every release-only metric on small hand-computed tables (arithmetic in the
//! comments); each value was also checked with pyCANON 1.3.6 on the same
//! DataFrame (output quoted), plus the input errors.

use reident::data::{CategoricalColumn, EncodedTable, Hierarchy};
use reident::privacy::*;

fn table(cols: &[(&str, &[&str])]) -> EncodedTable {
    EncodedTable::new(
        "hand.csv",
        cols.iter()
            .map(|(n, v)| CategoricalColumn::from_strs(n, v))
            .collect(),
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// Classes by g: A = {x,x,x,y}, B = {x,y,z,z}, C = {y,z}; N = 10, overall
/// p = (x .4, y .3, z .3).
fn abc() -> EncodedTable {
    table(&[
        ("g", &["A", "A", "A", "A", "B", "B", "B", "B", "C", "C"]),
        ("s", &["x", "x", "x", "y", "x", "y", "z", "z", "y", "z"]),
    ])
}

fn abc_classes() -> EquivalenceClasses {
    EquivalenceClasses::build(&abc(), &["g"], &["s"], SuppressedRows::Exclude).unwrap()
}

#[test]
fn k_histogram_and_records_below_k() {
    let ec = abc_classes();
    let k = k_anonymity(&ec);
    assert_eq!(k.k, 2);
    assert_eq!(k.n_classes, 3);
    assert_eq!(k.n_unique_classes, 0);
    assert_eq!(
        k.histogram,
        vec![
            ClassSizeBin {
                size: 2,
                n_classes: 1,
                n_records: 2
            },
            ClassSizeBin {
                size: 4,
                n_classes: 2,
                n_records: 8
            },
        ]
    );
    // target 3: only class C (rows 8, 9) is smaller.
    let below = records_below_k(&ec, 3).unwrap();
    assert_eq!((below.n_classes, below.n_records), (1, 2));
    assert_eq!(below.row_ids, vec![8, 9]);
    // target 5: everything.
    assert_eq!(records_below_k(&ec, 5).unwrap().n_records, 10);
    let e = records_below_k(&ec, 0).unwrap_err();
    assert!(e.to_string().contains("target_k"), "{e}");
}

#[test]
fn l_diversity_variants() {
    // pyCANON: l 2, entropy l 1, recursive (c,l) = (2, 2).
    let ec = abc_classes();
    // distinct values: A 2, B 3, C 2 -> l = 2
    assert_eq!(distinct_l_diversity(&ec, "s").unwrap(), 2);
    // H(A) = -(.75 ln .75 + .25 ln .25) = 0.562335; H(B) = 1.039721;
    // H(C) = ln 2. min = H(A); e^0.562335 = 1.75476 -> l = 1.
    let e = entropy_l_diversity(&ec, "s").unwrap();
    let h_a = -(0.75f64 * 0.75f64.ln() + 0.25 * 0.25f64.ln());
    assert!(close(e.min_entropy, h_a));
    assert!((e.exp_entropy - 1.754765).abs() < 1e-6);
    assert_eq!(e.l, 1);
    // recursive, l = 2. Paper (descending counts): A 3,1 -> 3/1 + 1 = 4;
    // B 2,1,1 -> 2/(1+1) + 1 = 2; C 1,1 -> 2. c = 4.
    // pyCANON (ascending): A 1,3 -> floor(1/3 + 1) = 1; B 1,1,2 -> 1/3 -> 1;
    // C 1,1 -> 2. c = 2.
    let r = recursive_cl_diversity(&ec, "s", 2).unwrap();
    assert_eq!((r.l, r.c, r.c_pycanon), (2, Some(4), Some(2)));
    // l = 3: A and C have 2 values, no c works.
    let r = recursive_cl_diversity(&ec, "s", 3).unwrap();
    assert_eq!((r.c, r.c_pycanon), (None, None));
    assert!(recursive_cl_diversity(&ec, "s", 0).is_err());
}

#[test]
fn alpha_t_beta_delta() {
    // pyCANON: alpha 0.75, t 0.4, basic beta 0.8749999999999999,
    // enhanced beta 0.8749999999999999, delta 0.6286086594223741.
    let ec = abc_classes();
    let a = alpha_k_anonymity(&ec, "s").unwrap();
    assert_eq!((a.alpha, a.k), (0.75, 2)); // A: 3 of 4 are x
                                           // EMD equal distance: A (.75,.25,0): (.35+.05+.3)/2 = .35; B (.25,.25,.5):
                                           // (.15+.05+.2)/2 = .2; C (0,.5,.5): (.4+.2+.2)/2 = .4 -> t = .4 (class C).
    let t = t_closeness_equal_distance(&ec, "s").unwrap();
    assert!(close(t.t, 0.4), "{}", t.t);
    assert_eq!(t.worst_class, ec.class_of_row(8).unwrap());
    // beta: A x (.75-.4)/.4 = .875; B z (.5-.3)/.3 = .667; C y,z .667.
    let b = basic_beta_likeness(&ec, "s").unwrap();
    assert_eq!(b.beta, 0.8749999999999999);
    assert_eq!(b.worst_class, ec.class_of_row(0).unwrap());
    // enhanced: max_s min(.875, -ln p_s) with -ln .4 = .916, -ln .3 = 1.204 -> .875
    assert_eq!(
        enhanced_beta_likeness(&ec, "s").unwrap(),
        0.8749999999999999
    );
    // delta: A x |ln(.75/.4)| = .6286; B z ln(.5/.3) = .5108; C .5108.
    let d = delta_disclosure(&ec, "s").unwrap();
    assert!(close(d.delta_ln, (0.75f64 / 0.4).ln()));
    assert!((d.delta_ln - 0.6286086594223741).abs() < 1e-15);
    assert!(close(d.delta_log2, (0.75f64 / 0.4).log2()));
}

#[test]
fn enhanced_beta_is_capped_by_minus_ln_p() {
    // A = {x,x}, B = {y x 8}: p_x = .2, p_y = .8.
    // basic: A (1-.2)/.2 = 4; B (1-.8)/.8 = .25 -> 4.
    // enhanced (pyCANON): max(min(4, -ln .2), min(4, -ln .8)) = ln 5 = 1.6094.
    // delta: A ln(1/.2) = ln 5. pyCANON: 4.0, 1.6094379124341003, 1.6094379124341003.
    let t = table(&[
        ("g", &["A", "A", "B", "B", "B", "B", "B", "B", "B", "B"]),
        ("s", &["x", "x", "y", "y", "y", "y", "y", "y", "y", "y"]),
    ]);
    let ec = EquivalenceClasses::build(&t, &["g"], &["s"], SuppressedRows::Exclude).unwrap();
    assert!(close(basic_beta_likeness(&ec, "s").unwrap().beta, 4.0));
    assert!(close(enhanced_beta_likeness(&ec, "s").unwrap(), 5f64.ln()));
    assert!(close(
        delta_disclosure(&ec, "s").unwrap().delta_ln,
        5f64.ln()
    ));
    // l = 1: pyCANON's c is NaN; the paper's c for l = 1 is 2 (r_1 < c r_1).
    let r = recursive_cl_diversity(&ec, "s", 1).unwrap();
    assert_eq!((r.c, r.c_pycanon), (Some(2), None));
}

#[test]
fn ordered_emd_sorts_numbers_numerically_and_merges_equal_numbers() {
    // A = {1, 2, 2}, B = {10, 1.0}; numbers {1, 2, 10}, m = 3, N = 5,
    // p = (.4, .4, .2). A q = (1/3, 2/3, 0): q - p = -1/15, 4/15, -3/15,
    // cumulative -1/15, 3/15, 0 -> (4/15)/2 = 2/15. B q = (.5, 0, .5):
    // .1, -.4, .3 -> cumulative .1, -.3, 0 -> .4/2 = .2. t = .2.
    // (As strings, "10" < "2" and "1.0" != "1" would give other numbers.)
    // pyCANON: 0.20000000000000004.
    let t = table(&[
        ("g", &["A", "A", "A", "B", "B"]),
        ("s", &["1", "2", "2", "10", "1.0"]),
    ]);
    let ec = EquivalenceClasses::build(&t, &["g"], &["s"], SuppressedRows::Exclude).unwrap();
    let t = t_closeness_ordered(&ec, "s").unwrap();
    assert!(close(t.t, 0.2), "{}", t.t);
    assert_eq!(t.worst_class, ec.class_of_row(3).unwrap());
}

#[test]
fn ordered_emd_rejects_non_numbers_naming_row_and_column() {
    let t = table(&[("g", &["A", "A", "B"]), ("s", &["1", "2", "n/a"])]);
    let ec = EquivalenceClasses::build(&t, &["g"], &["s"], SuppressedRows::Exclude).unwrap();
    let e = t_closeness_ordered(&ec, "s").unwrap_err().to_string();
    assert!(
        e.contains("hand.csv")
            && e.contains("`s`")
            && e.contains("data row 3")
            && e.contains("n/a"),
        "{e}"
    );
}

#[test]
fn hierarchical_emd_rejects_values_outside_the_hierarchy() {
    let h = Hierarchy::from_rows(
        "h",
        "s",
        vec![
            vec!["a".into(), "ab".into(), "*".into()],
            vec!["b".into(), "ab".into(), "*".into()],
        ],
    )
    .unwrap();
    let t = table(&[("g", &["A", "A", "B"]), ("s", &["a", "b", "c"])]);
    let ec = EquivalenceClasses::build(&t, &["g"], &["s"], SuppressedRows::Exclude).unwrap();
    let e = t_closeness_hierarchical(&ec, "s", &h)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("data row 3") && e.contains("`c`") && e.contains("`s`"),
        "{e}"
    );
    // A = {a, b}, B = {a}... with values a, b only: A = {a,b}, B = {a}:
    // p = (2/3, 1/3). B extras (q - p) = +1/3, -1/3 under `ab` (level 1 of
    // H = 2): cost 1 * 1/3 / 2 = 1/6. A: q = (.5,.5): extras -1/6, +1/6 ->
    // 1/6 / 2 = 1/12. t = 1/6.
    let t = table(&[("g", &["A", "A", "B"]), ("s", &["a", "b", "a"])]);
    let ec = EquivalenceClasses::build(&t, &["g"], &["s"], SuppressedRows::Exclude).unwrap();
    let r = t_closeness_hierarchical(&ec, "s", &h).unwrap();
    assert!(close(r.t, 1.0 / 6.0), "{}", r.t);
    // A forest (two roots) cannot be a ground distance.
    let forest = Hierarchy::from_rows(
        "f",
        "s",
        vec![vec!["a".into(), "r1".into()], vec!["b".into(), "r2".into()]],
    )
    .unwrap();
    assert!(t_closeness_hierarchical(&ec, "s", &forest).is_err());
}

#[test]
fn suppressed_rows_policies_in_the_report() {
    // Rows 4 and 5 have both QIs suppressed. Exclude: classes (a,1) x2,
    // (b,2) x2; k = 2. OneClass: plus (*,*) x2; still k = 2 but 3 classes, and
    // the suppressed rows' sensitive values join the overall distribution.
    let t = table(&[
        ("q1", &["a", "a", "b", "b", "*", "*"]),
        ("q2", &["1", "1", "2", "2", "***", "*"]),
        ("s", &["u", "v", "u", "v", "w", "w"]),
    ]);
    let p = MetricsParams::new(["q1", "q2"]).sensitive(["s"]);
    let ex = evaluate(&t, &p).unwrap();
    assert_eq!(
        (ex.n_rows, ex.n_suppressed_rows, ex.n_rows_in_classes),
        (6, 2, 4)
    );
    assert_eq!((ex.n_classes, ex.k), (2, 2));
    // each class is exactly the overall (u .5, v .5): t = 0, beta = 0
    assert_eq!(ex.sensitive[0].t_equal_distance.t, 0.0);
    assert_eq!(ex.sensitive[0].n_distinct_values, 2);
    let one = evaluate(&t, &p.clone().suppressed_rows(SuppressedRows::OneClass)).unwrap();
    assert_eq!(
        (one.n_suppressed_rows, one.n_rows_in_classes, one.n_classes),
        (2, 6, 3)
    );
    // class (*,*) = {w, w} vs p = (1/3, 1/3, 1/3): (1/3 + 1/3 + 2/3)/2 = 2/3
    assert!(close(one.sensitive[0].t_equal_distance.t, 2.0 / 3.0));
    assert_eq!(one.inputs.suppressed_rows, SuppressedRows::OneClass);
}

#[test]
fn missing_values_are_their_own_value() {
    // `?` (missing under the default policy) groups like any value.
    let rows = [Some("x"), Some("?"), None, Some("x")];
    let q = CategoricalColumn::encode("q", rows, |v| v == "?", "?");
    let s = CategoricalColumn::from_strs("s", &["a", "b", "a", "b"]);
    let t = EncodedTable::new("m", vec![q, s]);
    let ec = EquivalenceClasses::build(&t, &["q"], &["s"], SuppressedRows::Exclude).unwrap();
    assert_eq!(ec.n_classes(), 2);
    assert_eq!(ec.class_of_row(1), ec.class_of_row(2));
}

#[test]
fn report_json_contract_and_no_records() {
    let t = table(&[
        ("zip", &["123**", "123**", "456**", "456**", "456**"]),
        (
            "diagnosis",
            &["secret-hiv", "flu", "flu", "secret-hiv", "cold"],
        ),
    ]);
    let r = evaluate(
        &t,
        &MetricsParams::new(["zip"])
            .sensitive(["diagnosis"])
            .max_listed_rows(1)
            .target_k(3),
    )
    .unwrap();
    assert_eq!(r.schema_version, SCHEMA_VERSION);
    assert_eq!(r.below_target_k.n_records, 2);
    assert_eq!(r.below_target_k.row_ids, vec![0]);
    assert!(r.below_target_k.row_ids_truncated);
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"schema_version\":1"), "{json}");
    assert!(
        !json.contains("secret-hiv") && !json.contains("123**"),
        "{json}"
    );
    // serde_json without its `float_roundtrip` feature may move a float by one
    // ulp on parsing, so compare the integer fields and the floats to 1e-15.
    let back: MetricsReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back.inputs, r.inputs);
    assert_eq!(back.class_size_histogram, r.class_size_histogram);
    assert_eq!(back.below_target_k, r.below_target_k);
    assert_eq!(back.sensitive[0].recursive_cl, r.sensitive[0].recursive_cl);
    assert!(
        (back.sensitive[0].entropy_l.exp_entropy - r.sensitive[0].entropy_l.exp_entropy).abs()
            < 1e-15
    );
    // {flu, secret-hiv}: e^(ln 2) = 1.9999999999999998, floored to 1 as pyCANON does.
    assert_eq!(r.sensitive[0].entropy_l.l, 1);
}

#[test]
fn parameter_and_column_errors() {
    let t = abc();
    let e = evaluate(&t, &MetricsParams::new(Vec::<String>::new())).unwrap_err();
    assert!(e.to_string().contains("no quasi-identifiers"), "{e}");
    let e = evaluate(&t, &MetricsParams::new(["g"]).target_k(0)).unwrap_err();
    assert!(e.to_string().contains("target_k"), "{e}");
    let e = evaluate(&t, &MetricsParams::new(["g"]).sensitive(["salary"])).unwrap_err();
    assert!(e.to_string().contains("sensitive column `salary`"), "{e}");
    let e = evaluate(&t, &MetricsParams::new(["g"]).sensitive(["s"]).numeric("g")).unwrap_err();
    assert!(e.to_string().contains("numeric"), "{e}");
    let e = evaluate(&t, &MetricsParams::new(["g"]).sensitive(["s"]).numeric("s")).unwrap_err();
    assert!(e.to_string().contains("is not a number"), "{e}");
    let ec = abc_classes();
    let e = distinct_l_diversity(&ec, "nope").unwrap_err();
    assert!(e.to_string().contains("`nope`"), "{e}");
    let empty = EncodedTable::new("empty.csv", vec![]);
    let e = evaluate(&empty, &MetricsParams::new(["g"])).unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
}

#[test]
fn metrics_from_prebuilt_classes_equal_evaluate_and_refuse_other_columns() {
    // Classes A (4 rows), B (4), C (2): k = 2, distinct l = 2 (C has y, z).
    let t = abc();
    let params = MetricsParams::new(["g".to_string()]).sensitive(["s".to_string()]);
    let direct = evaluate(&t, &params).unwrap();
    let from_classes = evaluate_classes(&t, &abc_classes(), &params).unwrap();
    assert_eq!(from_classes.k, 2);
    assert_eq!(from_classes.sensitive[0].l_distinct, 2);
    assert_eq!(
        serde_json::to_value(&direct).unwrap(),
        serde_json::to_value(&from_classes).unwrap()
    );
    // Classes without the sensitive column, or under another suppression
    // policy, are not the classes these metrics need.
    let bare = EquivalenceClasses::build(&t, &["g"], &[], SuppressedRows::Exclude).unwrap();
    let err = evaluate_classes(&t, &bare, &params)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("sensitive [] ") && err.contains("[s]"),
        "{err}"
    );
    let one = EquivalenceClasses::build(&t, &["g"], &["s"], SuppressedRows::OneClass).unwrap();
    assert!(evaluate_classes(&t, &one, &params).is_err());
}
