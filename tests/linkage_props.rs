//! Property tests: comparison levels are monotone in similarity, match
//! weights are monotone in agreement level when m/u is, assignments are
//! one-to-one and Kuhn-Munkres never scores below greedy.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;
use reident::attacks::linkage::assignment::{greedy, hungarian, ScoredPair};
use reident::attacks::linkage::strings::{damerau_levenshtein, jaro_winkler, levenshtein};
use reident::attacks::linkage::{
    comparison_vectors, parse_comparisons, Comparison, FellegiSunterModel,
};
use reident::data::{CategoricalColumn, EncodedTable};

fn table(v: &[&str]) -> EncodedTable {
    EncodedTable::new("t", vec![CategoricalColumn::from_strs("x", v)])
}

fn model_for(c: &Comparison) -> FellegiSunterModel {
    // m decreasing and u increasing along the levels: m/u strictly decreasing.
    let n = c.levels.len();
    let m: Vec<f64> = (0..n)
        .map(|l| if l == 0 { 1.0 } else { 1.0 / l as f64 })
        .collect();
    let u: Vec<f64> = (0..n)
        .map(|l| if l == 0 { 1.0 } else { l as f64 / n as f64 })
        .collect();
    FellegiSunterModel::new(std::slice::from_ref(c), &[m], &[u], &[true], 0.01)
}

proptest! {
    #[test]
    fn numeric_levels_and_weights_monotone(a in -50i32..50, b in -50i32..50, c in -50i32..50,
                                           t1 in 0u8..5, t2 in 5u8..20) {
        let cmps = parse_comparisons(&format!("x:num({t1},{t2})")).unwrap();
        let (sa, sb, sc) = (a.to_string(), b.to_string(), c.to_string());
        let left = table(&[&sa]);
        let right = table(&[&sb, &sc]);
        let g = comparison_vectors(&left, &right, &cmps, &HashMap::new(), &[(0, 0), (0, 1)]).unwrap();
        let model = model_for(&cmps[0]);
        let wb = model.match_weight(&g[0..1], &[0.0]);
        let wc = model.match_weight(&g[1..2], &[0.0]);
        if (a - b).abs() <= (a - c).abs() {
            prop_assert!(g[0] <= g[1], "levels {:?}", g);
            prop_assert!(wb >= wc);
        }
        prop_assert!(g.iter().all(|&x| (1..=4).contains(&x)));
    }

    #[test]
    fn jaro_winkler_levels_monotone(a in "[a-c]{1,6}", b in "[a-c]{1,6}", c in "[a-c]{1,6}") {
        let cmps = parse_comparisons("x:jw(0.9,0.7)").unwrap();
        let left = table(&[&a]);
        let right = table(&[&b, &c]);
        let g = comparison_vectors(&left, &right, &cmps, &HashMap::new(), &[(0, 0), (0, 1)]).unwrap();
        let (jb, jc) = (jaro_winkler(&a, &b), jaro_winkler(&a, &c));
        if jb >= jc && (a == b || a != c) {
            prop_assert!(g[0] <= g[1], "levels {:?} jw {} {}", g, jb, jc);
        }
        let model = model_for(&cmps[0]);
        if g[0] <= g[1] {
            prop_assert!(model.match_weight(&g[0..1], &[0.0]) >= model.match_weight(&g[1..2], &[0.0]));
        }
    }

    #[test]
    fn string_distances_are_metrics_like(a in "[a-d]{0,6}", b in "[a-d]{0,6}") {
        prop_assert_eq!(levenshtein(&a, &b), levenshtein(&b, &a));
        prop_assert!(damerau_levenshtein(&a, &b) <= levenshtein(&a, &b));
        prop_assert_eq!(levenshtein(&a, &b) == 0, a == b);
        let j = jaro_winkler(&a, &b);
        prop_assert!((0.0..=1.0 + 1e-12).contains(&j));
        prop_assert!((j - jaro_winkler(&b, &a)).abs() < 1e-12);
    }

    #[test]
    fn assignment_is_one_to_one_and_hungarian_not_worse(
        raw in prop::collection::vec((0u32..8, 0u32..8, 0.0f64..1.0), 0..40)
    ) {
        let pairs: Vec<ScoredPair> = raw.iter().map(|&(left, right, score)| ScoredPair { left, right, score }).collect();
        for kept in [greedy(&pairs), hungarian(&pairs, 100)] {
            let mut l = HashSet::new();
            let mut r = HashSet::new();
            for &i in &kept {
                prop_assert!(l.insert(pairs[i].left));
                prop_assert!(r.insert(pairs[i].right));
            }
        }
        let total = |k: &[usize]| k.iter().map(|&i| pairs[i].score).sum::<f64>();
        prop_assert!(total(&hungarian(&pairs, 100)) >= total(&greedy(&pairs)) - 1e-9);
    }
}
