//! Guarantees of the table anonymizers checked on their own output:
//! full-domain generalization, Mondrian and MDAV.

use std::collections::HashMap;

use proptest::prelude::*;
use reident::anonymize::generalization::{
    generalize, GeneralizationConfig, GeneralizationLattice, LossMetric, QuasiIdentifier,
};
use reident::anonymize::microaggregation::{mdav, MdavConfig};
use reident::anonymize::mondrian::{mondrian, MondrianConfig, MondrianQi, QiKind};
use reident::anonymize::AnonymizeError;
use reident::data::{CategoricalColumn, EncodedTable, Hierarchy};

use crate::adult_support;
use adult_support::{adult, adult_dir as data_dir};

fn adult_qi(column: &str) -> QuasiIdentifier {
    let path = data_dir().join(format!("hierarchies/adult_hierarchy_{column}.csv"));
    QuasiIdentifier {
        column: column.to_string(),
        hierarchy: Hierarchy::from_arx_csv(&path, column).unwrap(),
    }
}

/// Groups release rows by the values of `columns`; returns (class sizes by
/// key, suppressed row count), a row being suppressed when all its QIs are `*`.
fn classes(release: &EncodedTable, columns: &[&str]) -> (HashMap<Vec<String>, Vec<usize>>, usize) {
    let cols: Vec<_> = columns.iter().map(|c| release.column(c).unwrap()).collect();
    let mut groups: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
    let mut suppressed = 0;
    for row in 0..release.n_rows {
        let key: Vec<String> = cols.iter().map(|c| c.value(row).to_string()).collect();
        if key.iter().all(|v| v == "*") {
            suppressed += 1;
            continue;
        }
        groups.entry(key).or_default().push(row);
    }
    (groups, suppressed)
}

fn config(qis: Vec<QuasiIdentifier>, k: usize, max_suppression: f64) -> GeneralizationConfig {
    GeneralizationConfig {
        quasi_identifiers: qis,
        k,
        l_diversity: None,
        t_closeness: None,
        sensitive: None,
        max_suppression,
        metric: LossMetric::Precision,
        assume_practical_monotonicity: false,
    }
}

fn tiny_table() -> EncodedTable {
    EncodedTable::new(
        "tiny",
        vec![
            CategoricalColumn::from_strs("age", &["21", "22", "23", "31", "32", "33"]),
            CategoricalColumn::from_strs("sex", &["M", "M", "F", "F", "M", "F"]),
        ],
    )
}

fn tiny_qis() -> Vec<QuasiIdentifier> {
    let age_rows = ["21", "22", "23", "31", "32", "33"]
        .iter()
        .map(|a| {
            let decade = if a.starts_with('2') { "20-29" } else { "30-39" };
            vec![a.to_string(), decade.to_string(), "*".to_string()]
        })
        .collect();
    let sex_rows = vec![
        vec!["M".to_string(), "*".to_string()],
        vec!["F".to_string(), "*".to_string()],
    ];
    vec![
        QuasiIdentifier {
            column: "age".to_string(),
            hierarchy: Hierarchy::from_rows("age", "age", age_rows).unwrap(),
        },
        QuasiIdentifier {
            column: "sex".to_string(),
            hierarchy: Hierarchy::from_rows("sex", "sex", sex_rows).unwrap(),
        },
    ]
}

#[test]
fn hand_computed_lattice_without_suppression() {
    // k = 3, no suppression. Nodes (age level, sex level):
    // (0,0),(0,1),(1,0) have classes of size 1 or 2 -> fail.
    // (2,0): {*,M}=3, {*,F}=3 -> Prec loss = (2/2 + 0/1) / 2 = 0.5
    // (1,1): {20-29,*}=3, {30-39,*}=3 -> loss = (1/2 + 1/1) / 2 = 0.75
    // (2,1): loss 1. Precision picks (2,0).
    let table = tiny_table();
    let result = generalize(&table, &config(tiny_qis(), 3, 0.0)).unwrap();
    let levels: Vec<usize> = result.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, vec![2, 0]);
    assert_eq!(result.information_loss, 0.5);
    assert_eq!(result.suppressed_rows, 0);
    assert!(result.pruned);
    // Discernibility: (2,0) and (1,1) both give 3^2 + 3^2 = 18 at height 2; the
    // tie goes to the lexicographically smaller node (1,1).
    let mut cfg = config(tiny_qis(), 3, 0.0);
    cfg.metric = LossMetric::Discernibility;
    let result = generalize(&table, &cfg).unwrap();
    let levels: Vec<usize> = result.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, vec![1, 1]);
    assert_eq!(result.information_loss, 18.0);
    let age = result.release.column("age").unwrap();
    assert_eq!(
        (0..6).map(|r| age.value(r)).collect::<Vec<_>>(),
        vec!["20-29", "20-29", "20-29", "30-39", "30-39", "30-39"]
    );
}

#[test]
fn hand_computed_lattice_with_suppression() {
    // k = 2, budget floor(0.34 * 6) = 2 rows.
    // (1,0): classes (20-29,M)=2, (20-29,F)=1, (30-39,F)=2, (30-39,M)=1:
    //   2 rows suppressed; Prec loss = (4 * (1/2 + 0) + 2 * 2) / (6 * 2) = 0.5
    // (2,0): classes 3 and 3, nothing suppressed; loss = 6 * 1 / 12 = 0.5
    // Tie at 0.5: the lower node (1,0) wins; rows 2 (23,F) and 4 (32,M) are suppressed.
    let table = tiny_table();
    let result = generalize(&table, &config(tiny_qis(), 2, 0.34)).unwrap();
    let levels: Vec<usize> = result.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, vec![1, 0]);
    assert_eq!(result.information_loss, 0.5);
    assert_eq!(result.suppressed_rows, 2);
    assert!(!result.pruned);
    let age = result.release.column("age").unwrap();
    let sex = result.release.column("sex").unwrap();
    let rows: Vec<(&str, &str)> = (0..6).map(|r| (age.value(r), sex.value(r))).collect();
    assert_eq!(
        rows,
        vec![
            ("20-29", "M"),
            ("20-29", "M"),
            ("*", "*"),
            ("30-39", "F"),
            ("*", "*"),
            ("30-39", "F")
        ]
    );
    // Discernibility: (1,0) = 2^2 + 2^2 + 2 suppressed * 6 = 20; (2,0) and
    // (1,1) both give 3^2 + 3^2 = 18 at height 2; the tie goes to (1,1).
    let mut cfg = config(tiny_qis(), 2, 0.34);
    cfg.metric = LossMetric::Discernibility;
    let result = generalize(&table, &cfg).unwrap();
    assert_eq!(
        result.levels.iter().map(|l| l.level).collect::<Vec<_>>(),
        vec![1, 1]
    );
    assert_eq!(result.information_loss, 18.0);
}

#[test]
fn adult_generalization_reaches_k_and_l_within_the_budget() {
    let table = adult();
    let names = ["age", "sex", "race", "marital-status", "education"];
    let mut cfg = config(names.iter().map(|c| adult_qi(c)).collect(), 5, 0.02);
    cfg.l_diversity = Some(2);
    cfg.sensitive = Some("salary-class".to_string());
    let result = generalize(&table, &cfg).unwrap();
    let (groups, suppressed) = classes(&result.release, &names);
    assert_eq!(suppressed, result.suppressed_rows);
    assert!(suppressed <= (0.02 * table.n_rows as f64) as usize);
    let salary = result.release.column("salary-class").unwrap();
    for (key, rows) in &groups {
        assert!(rows.len() >= 5, "class {key:?} has {} rows", rows.len());
        let mut distinct: Vec<&str> = rows.iter().map(|&r| salary.value(r)).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() >= 2, "class {key:?} is not 2-diverse");
    }
    assert_eq!(groups.len(), result.n_classes);
    assert_eq!(
        groups.values().map(Vec::len).min().unwrap(),
        result.min_class_size
    );
    // Non-QI columns are untouched.
    let original = table.column("occupation").unwrap();
    let released = result.release.column("occupation").unwrap();
    assert!((0..table.n_rows).all(|r| original.value(r) == released.value(r)));
}

#[test]
fn pruned_search_finds_the_brute_force_optimum_on_adult() {
    // Without suppression the criteria and the Prec loss are monotone, so the
    // pruned search must agree with evaluating every node.
    let table = adult();
    let names = ["age", "sex", "race", "marital-status"];
    let cfg = config(names.iter().map(|c| adult_qi(c)).collect(), 10, 0.0);
    let result = generalize(&table, &cfg).unwrap();
    assert!(result.pruned);
    assert!(result.nodes_evaluated < result.lattice_size);
    let lattice = GeneralizationLattice::new(&table, &cfg).unwrap();
    let heights = lattice.levels_per_qi();
    let mut best: Option<(f64, usize, Vec<usize>)> = None;
    for a in 0..heights[0] {
        for b in 0..heights[1] {
            for c in 0..heights[2] {
                for d in 0..heights[3] {
                    let e = lattice.evaluate(&[a, b, c, d]).unwrap();
                    let h = a + b + c + d;
                    if e.satisfies
                        && best
                            .as_ref()
                            .is_none_or(|(l, bh, bl)| (e.loss, h, &e.levels) < (*l, *bh, bl))
                    {
                        best = Some((e.loss, h, e.levels.clone()));
                    }
                }
            }
        }
    }
    let (loss, _, levels) = best.unwrap();
    assert_eq!(result.information_loss, loss);
    assert_eq!(
        result.levels.iter().map(|l| l.level).collect::<Vec<_>>(),
        levels
    );
    let (groups, suppressed) = classes(&result.release, &names);
    assert_eq!(suppressed, 0);
    assert!(groups.values().all(|rows| rows.len() >= 10));
}

#[test]
fn t_closeness_holds_in_every_kept_class() {
    let table = adult();
    let names = ["age", "sex", "race"];
    let mut cfg = config(names.iter().map(|c| adult_qi(c)).collect(), 2, 0.05);
    cfg.t_closeness = Some(0.15);
    cfg.sensitive = Some("salary-class".to_string());
    let result = generalize(&table, &cfg).unwrap();
    let salary = result.release.column("salary-class").unwrap();
    let n = table.n_rows as f64;
    let high_share = (0..table.n_rows)
        .filter(|&r| salary.value(r) == ">50K")
        .count() as f64
        / n;
    let (groups, _) = classes(&result.release, &names);
    for (key, rows) in &groups {
        // Two sensitive values: equal-distance EMD = |p - q| for either value.
        let p =
            rows.iter().filter(|&&r| salary.value(r) == ">50K").count() as f64 / rows.len() as f64;
        assert!(
            (p - high_share).abs() <= 0.15 + 1e-12,
            "class {key:?}: EMD {}",
            (p - high_share).abs()
        );
    }
}

#[test]
fn generalization_errors_name_the_problem() {
    let table = tiny_table();
    let err = generalize(&table, &config(tiny_qis(), 7, 0.0)).unwrap_err();
    assert!(
        matches!(err, AnonymizeError::KTooLarge { k: 7, rows: 6, .. }),
        "{err}"
    );
    // A hierarchy missing the value 33.
    let mut qis = tiny_qis();
    qis[0].hierarchy = Hierarchy::from_rows(
        "age.csv",
        "age",
        ["21", "22", "23", "31", "32"]
            .iter()
            .map(|a| vec![a.to_string(), "*".to_string()])
            .collect(),
    )
    .unwrap();
    let err = generalize(&table, &config(qis, 2, 0.0)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`age`") && msg.contains("`33`") && msg.contains("row 6"),
        "{msg}"
    );
    let mut qis = tiny_qis();
    qis[1].column = "gender".to_string();
    let err = generalize(&table, &config(qis, 2, 0.0)).unwrap_err();
    assert!(err.to_string().contains("no column `gender`"), "{err}");
    // Impossible: with l = 2 on a constant sensitive column every class
    // violates l at every node, so even the top suppresses all 6 rows.
    let mut with_s = tiny_table();
    with_s
        .columns
        .push(CategoricalColumn::from_strs("d", &["x"; 6]));
    let mut cfg = config(tiny_qis(), 2, 0.0);
    cfg.l_diversity = Some(2);
    cfg.sensitive = Some("d".to_string());
    let err = generalize(&with_s, &cfg).unwrap_err();
    assert!(
        matches!(
            err,
            AnonymizeError::NoSolution {
                top_suppressed: 6,
                ..
            }
        ),
        "{err}"
    );
}

/// A random table of `n` rows over QIs with values `0..card`, and two-level
/// hierarchies (value -> value / 2 -> *).
fn random_case() -> impl Strategy<Value = (EncodedTable, Vec<QuasiIdentifier>)> {
    (1usize..4, 4usize..40).prop_flat_map(|(q, n)| {
        (proptest::collection::vec(2usize..7, q), Just(n))
            .prop_flat_map(|(cards, n)| {
                let cols = cards
                    .iter()
                    .map(|&c| proptest::collection::vec(0..c, n))
                    .collect::<Vec<_>>();
                (cols, Just(cards))
            })
            .prop_map(|(cols, cards)| {
                let columns = cols
                    .iter()
                    .enumerate()
                    .map(|(j, v)| {
                        let strs: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                        CategoricalColumn::from_strs(&format!("q{j}"), &strs)
                    })
                    .collect();
                let qis = cards
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| {
                        let rows = (0..c)
                            .map(|x| vec![x.to_string(), format!("g{}", x / 2), "*".to_string()])
                            .collect();
                        QuasiIdentifier {
                            column: format!("q{j}"),
                            hierarchy: Hierarchy::from_rows("h", &format!("q{j}"), rows).unwrap(),
                        }
                    })
                    .collect();
                (EncodedTable::new("random", columns), qis)
            })
    })
}

/// Smallest group of rows sharing all values of `columns` (no suppression:
/// at the top of the lattice every value is `*` and that is one real class).
fn min_class(release: &EncodedTable, columns: &[String]) -> usize {
    let cols: Vec<_> = columns.iter().map(|c| release.column(c).unwrap()).collect();
    let mut groups: HashMap<Vec<&str>, usize> = HashMap::new();
    for row in 0..release.n_rows {
        *groups
            .entry(cols.iter().map(|c| c.value(row)).collect())
            .or_default() += 1;
    }
    groups.values().copied().min().unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn generalizing_further_never_decreases_k(
        (table, qis) in random_case(),
        low in proptest::collection::vec(0usize..3, 3),
        up in proptest::collection::vec(0usize..3, 3),
    ) {
        let q = qis.len();
        let names: Vec<String> = qis.iter().map(|x| x.column.clone()).collect();
        let cfg = config(qis, 1, 0.0);
        let lattice = GeneralizationLattice::new(&table, &cfg).unwrap();
        let a: Vec<usize> = low[..q].to_vec();
        let b: Vec<usize> = (0..q).map(|j| (low[j] + up[j]).min(2)).collect();
        let ka = min_class(&lattice.apply(&a, false).unwrap(), &names);
        let kb = min_class(&lattice.apply(&b, false).unwrap(), &names);
        prop_assert!(kb >= ka, "levels {:?} give k = {} but {:?} give k = {}", b, kb, a, ka);
        // The lattice's own count agrees with the grouping of the output.
        prop_assert_eq!(lattice.evaluate(&a).unwrap().min_class_size, ka);
    }

    #[test]
    fn generalize_output_meets_k_within_the_budget(
        (table, qis) in random_case(),
        k in 1usize..6,
        budget in 0.0f64..0.3,
        metric_is_precision in any::<bool>(),
    ) {
        let n = table.n_rows;
        prop_assume!(k <= n);
        let names: Vec<String> = qis.iter().map(|x| x.column.clone()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut cfg = config(qis, k, budget);
        if !metric_is_precision {
            cfg.metric = LossMetric::Discernibility;
        }
        // The top node (every QI `*`) is one class of n >= k rows, so a
        // solution always exists.
        let result = generalize(&table, &cfg).unwrap();
        prop_assert!(result.suppressed_rows as f64 <= budget * n as f64 + 1e-9);
        let (groups, all_star) = classes(&result.release, &names);
        prop_assert!(groups.values().all(|g| g.len() >= k), "{:?}", groups);
        // All-`*` rows are the suppressed rows, plus possibly one kept class of
        // rows generalized to the root in every QI (which then has >= k rows).
        prop_assert!(
            all_star == result.suppressed_rows || all_star >= result.suppressed_rows + k,
            "{} all-* rows, {} suppressed", all_star, result.suppressed_rows
        );
    }

    #[test]
    fn mondrian_partitions_cover_every_row_once(
        ages in proptest::collection::vec(0u32..60, 1..80),
        k in 1usize..6,
    ) {
        let n = ages.len();
        prop_assume!(k <= n);
        let age_strs: Vec<String> = ages.iter().map(|a| a.to_string()).collect();
        let cat_strs: Vec<String> = ages.iter().map(|a| format!("c{}", a % 5)).collect();
        let table = EncodedTable::new("random", vec![
            CategoricalColumn::from_strs("age", &age_strs),
            CategoricalColumn::from_strs("cat", &cat_strs),
        ]);
        let cfg = MondrianConfig {
            quasi_identifiers: vec![
                MondrianQi { column: "age".into(), kind: QiKind::Numeric },
                MondrianQi { column: "cat".into(), kind: QiKind::Categorical },
            ],
            k,
        };
        let result = mondrian(&table, &cfg).unwrap();
        let mut seen = vec![0u32; n];
        for part in &result.partitions {
            prop_assert!(part.len() >= k);
            for &r in part {
                seen[r] += 1;
            }
        }
        prop_assert!(seen.iter().all(|&s| s == 1), "{:?}", seen);
        // Every released label covers the original value.
        let age = result.release.column("age").unwrap();
        let cat = result.release.column("cat").unwrap();
        for r in 0..n {
            let label = age.value(r);
            let covered = match label.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                Some(inner) => {
                    let (lo, hi) = inner.split_once('-').unwrap();
                    let (lo, hi): (u32, u32) = (lo.parse().unwrap(), hi.parse().unwrap());
                    lo <= ages[r] && ages[r] <= hi
                }
                None => label == age_strs[r],
            };
            prop_assert!(covered, "row {} age {} released as {}", r, ages[r], label);
            let label = cat.value(r);
            let covered = match label.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(inner) => inner.split(',').any(|v| v == cat_strs[r]),
                None => label == cat_strs[r],
            };
            prop_assert!(covered, "row {} cat {} released as {}", r, cat_strs[r], label);
        }
        let (groups, _) = classes(&result.release, &["age", "cat"]);
        prop_assert!(groups.values().all(|g| g.len() >= k));
    }

    #[test]
    fn mdav_groups_cover_every_row_with_k_to_2k_minus_1_members(
        xs in proptest::collection::vec((0u32..50, 0u32..50), 1..60),
        k in 1usize..5,
    ) {
        let n = xs.len();
        prop_assume!(k <= n);
        let a: Vec<String> = xs.iter().map(|p| p.0.to_string()).collect();
        let b: Vec<String> = xs.iter().map(|p| p.1.to_string()).collect();
        let table = EncodedTable::new("random", vec![
            CategoricalColumn::from_strs("a", &a),
            CategoricalColumn::from_strs("b", &b),
        ]);
        let cfg = MdavConfig { columns: vec!["a".into(), "b".into()], k, decimals: None };
        let result = mdav(&table, &cfg).unwrap();
        let mut seen = vec![0u32; n];
        for g in &result.groups {
            // MDAV groups have k..2k-1 members, except a whole table under 2k.
            prop_assert!(g.len() >= k && (g.len() < 2 * k || result.groups.len() == 1));
            for &r in g {
                seen[r] += 1;
            }
            // Every member gets the group's mean.
            let mean = g.iter().map(|&r| xs[r].0 as f64).sum::<f64>() / g.len() as f64;
            for &r in g {
                let released: f64 = result.release.column("a").unwrap().value(r).parse().unwrap();
                prop_assert!((released - mean).abs() < 1e-9);
            }
        }
        prop_assert!(seen.iter().all(|&s| s == 1));
        prop_assert!((0.0..=1.0 + 1e-12).contains(&result.sse_over_sst));
    }
}

#[test]
fn mondrian_hand_computed_split() {
    // Ages 1..6, sexes M,F alternating, k = 2. Normalized widths: age 5/5 = 1,
    // sex (ranks F=0, M=1) 1/1 = 1; the tie goes to age (listed first). Lower
    // median = 3rd smallest = 3: cut "<= 3" gives 3|3, cut "< 3" gives 2|4, so
    // "<= 3" is used. Each half has 3 < 2k rows: final.
    let table = EncodedTable::new(
        "hand",
        vec![
            CategoricalColumn::from_strs("age", &["1", "2", "3", "4", "5", "6"]),
            CategoricalColumn::from_strs("sex", &["M", "F", "M", "F", "M", "F"]),
        ],
    );
    let cfg = MondrianConfig {
        quasi_identifiers: vec![
            MondrianQi {
                column: "age".into(),
                kind: QiKind::Numeric,
            },
            MondrianQi {
                column: "sex".into(),
                kind: QiKind::Categorical,
            },
        ],
        k: 2,
    };
    let result = mondrian(&table, &cfg).unwrap();
    assert_eq!(result.partitions, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    let age = result.release.column("age").unwrap();
    let sex = result.release.column("sex").unwrap();
    assert_eq!(
        (0..6).map(|r| age.value(r)).collect::<Vec<_>>(),
        vec!["[1-3]", "[1-3]", "[1-3]", "[4-6]", "[4-6]", "[4-6]"]
    );
    assert!((0..6).all(|r| sex.value(r) == "{F,M}"));
    // NCP: age width 2/5 per row, sex 1/1 per row -> (0.4 + 1) / 2 = 0.7.
    assert!((result.normalized_certainty_penalty - 0.7).abs() < 1e-12);
    // k = 1 splits down to single values, which stay as they are.
    let result = mondrian(&table, &MondrianConfig { k: 1, ..cfg }).unwrap();
    assert_eq!(result.partitions.len(), 6);
    assert_eq!(result.release.column("age").unwrap().value(4), "5");
    assert_eq!(result.release.column("sex").unwrap().value(4), "M");
}

#[test]
fn mondrian_on_adult_reaches_k() {
    let table = adult();
    let names = ["age", "sex", "race", "marital-status", "education"];
    let cfg = MondrianConfig {
        quasi_identifiers: names
            .iter()
            .map(|&c| MondrianQi {
                column: c.to_string(),
                kind: if c == "age" {
                    QiKind::Numeric
                } else {
                    QiKind::Categorical
                },
            })
            .collect(),
        k: 10,
    };
    let result = mondrian(&table, &cfg).unwrap();
    let (groups, suppressed) = classes(&result.release, &names);
    assert_eq!(suppressed, 0);
    for (key, rows) in &groups {
        assert!(rows.len() >= 10, "class {key:?} has {} rows", rows.len());
    }
    assert_eq!(
        result.partitions.iter().map(Vec::len).sum::<usize>(),
        table.n_rows
    );
    // Mondrian refines far beyond one class.
    assert!(result.partitions.len() > 100, "{}", result.partitions.len());
    // A non-numeric value in a numeric QI is named.
    let cfg = MondrianConfig {
        quasi_identifiers: vec![MondrianQi {
            column: "sex".into(),
            kind: QiKind::Numeric,
        }],
        k: 2,
    };
    let err = mondrian(&table, &cfg).unwrap_err().to_string();
    assert!(
        err.contains("`sex`") && err.contains("row 1") && err.contains("`Male`"),
        "{err}"
    );
}

#[test]
fn mdav_hand_computed_groups() {
    // Values 1,2,3,10,11,12,20,21,22, k = 3 (n = 9 = 3k). Centroid 102/9 = 11.33;
    // farthest r = 22 (10.67 > 10.33); farthest from r: s = 1. Group of r:
    // {20,21,22}; group of s: {1,2,3}; the 3 left (< 2k) form the last group.
    // Means 21, 2, 11. SSE = 3 groups * (1 + 0 + 1) = 6; SST = 1704 - 102^2/9
    // = 548; standardizing scales both alike, so SSE/SST = 6/548.
    let values = ["10", "1", "21", "2", "11", "22", "3", "12", "20"];
    let table = EncodedTable::new("hand", vec![CategoricalColumn::from_strs("x", &values)]);
    let cfg = MdavConfig {
        columns: vec!["x".into()],
        k: 3,
        decimals: None,
    };
    let result = mdav(&table, &cfg).unwrap();
    assert_eq!(
        result.groups,
        vec![vec![2, 5, 8], vec![1, 3, 6], vec![0, 4, 7]]
    );
    let x = result.release.column("x").unwrap();
    assert_eq!(
        (0..9).map(|r| x.value(r)).collect::<Vec<_>>(),
        vec!["11", "2", "21", "2", "11", "21", "2", "11", "21"]
    );
    assert!((result.sse_over_sst - 6.0 / 548.0).abs() < 1e-12);
    let bad = EncodedTable::new("hand", vec![CategoricalColumn::from_strs("x", &["1", "?"])]);
    let err = mdav(
        &bad,
        &MdavConfig {
            k: 1,
            ..cfg.clone()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("row 2") && err.contains("`?`"), "{err}");
    let err = mdav(&table, &MdavConfig { k: 10, ..cfg }).unwrap_err();
    assert!(matches!(
        err,
        AnonymizeError::KTooLarge { k: 10, rows: 9, .. }
    ));
}
