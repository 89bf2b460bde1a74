//! Property tests of the privacy metrics: l <= k, row order changes nothing,
//! EMD in [0, 1], k never drops when a quasi-identifier is generalized one
//! level, and the sparse/exact t-closeness paths agree with the dense
//! textbook formulas.

use proptest::prelude::*;
use reident::data::{CategoricalColumn, EncodedTable, Hierarchy};
use reident::privacy::*;

/// Leaves v0..v7; level 1 pairs (g0..g3), level 2 quads (h0, h1), root `*`.
fn hierarchy(attribute: &str) -> Hierarchy {
    let rows = (0..8)
        .map(|i| {
            vec![
                format!("v{i}"),
                format!("g{}", i / 2),
                format!("h{}", i / 4),
                "*".to_string(),
            ]
        })
        .collect();
    Hierarchy::from_rows("generated", attribute, rows).unwrap()
}

fn build(q1: &[String], q2: &[String], s: &[String], n: &[String]) -> EncodedTable {
    EncodedTable::new(
        "prop",
        vec![
            CategoricalColumn::from_strs("q1", q1),
            CategoricalColumn::from_strs("q2", q2),
            CategoricalColumn::from_strs("s", s),
            CategoricalColumn::from_strs("n", n),
        ],
    )
}

/// Rows: (q1 leaf, q2 value, sensitive leaf, numeric value).
fn rows() -> impl Strategy<Value = Vec<(u8, u8, u8, u8)>> {
    prop::collection::vec((0u8..8, 0u8..3, 0u8..8, 0u8..6), 1..60)
}

fn table_of(rows: &[(u8, u8, u8, u8)], q1_level: usize) -> EncodedTable {
    let h = hierarchy("q1");
    let q1: Vec<String> = rows
        .iter()
        .map(|r| {
            h.generalize(&format!("v{}", r.0), q1_level)
                .unwrap_or("?")
                .to_string()
        })
        .collect();
    let q2: Vec<String> = rows.iter().map(|r| format!("z{}", r.1)).collect();
    let s: Vec<String> = rows.iter().map(|r| format!("v{}", r.2)).collect();
    // numbers with a gap so rank order differs from string order
    let n: Vec<String> = rows.iter().map(|r| format!("{}", r.3 as u32 * 7)).collect();
    build(&q1, &q2, &s, &n)
}

fn params() -> MetricsParams {
    MetricsParams::new(["q1", "q2"])
        .sensitive(["s", "n"])
        .numeric("n")
        .hierarchy(hierarchy("s"))
}

fn distribution() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0u32..20, 6).prop_map(|w| {
        let total: u32 = w.iter().sum::<u32>().max(1);
        let mut p: Vec<f64> = w.iter().map(|&x| x as f64 / total as f64).collect();
        if w.iter().all(|&x| x == 0) {
            p[0] = 1.0;
        }
        p
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn l_never_exceeds_k(rows in rows()) {
        let r = evaluate(&table_of(&rows, 0), &params()).unwrap();
        for m in &r.sensitive {
            prop_assert!(m.l_distinct <= r.k);
            prop_assert!(m.entropy_l.l <= m.l_distinct);
        }
    }

    #[test]
    fn row_order_changes_nothing(rows in rows(), seed in any::<u64>()) {
        let mut shuffled = rows.clone();
        // deterministic Fisher-Yates from the seed
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let j = (state >> 33) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let a = evaluate(&table_of(&rows, 0), &params()).unwrap();
        let b = evaluate(&table_of(&shuffled, 0), &params()).unwrap();
        prop_assert_eq!(a.k, b.k);
        prop_assert_eq!(a.n_classes, b.n_classes);
        prop_assert_eq!(&a.class_size_histogram, &b.class_size_histogram);
        prop_assert_eq!(a.below_target_k.n_records, b.below_target_k.n_records);
        let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
        for (x, y) in a.sensitive.iter().zip(&b.sensitive) {
            prop_assert_eq!(x.l_distinct, y.l_distinct);
            prop_assert_eq!(x.recursive_cl.c, y.recursive_cl.c);
            prop_assert_eq!(x.recursive_cl.c_pycanon, y.recursive_cl.c_pycanon);
            prop_assert!(close(x.entropy_l.min_entropy, y.entropy_l.min_entropy));
            prop_assert!(close(x.alpha, y.alpha));
            prop_assert!(close(x.t_equal_distance.t, y.t_equal_distance.t));
            prop_assert!(close(x.t_pycanon, y.t_pycanon));
            prop_assert_eq!(x.t_ordered.map(|t| t.t), y.t_ordered.map(|t| t.t));
            prop_assert_eq!(
                x.t_hierarchical.map(|t| t.t),
                y.t_hierarchical.map(|t| t.t)
            );
            prop_assert!(close(x.basic_beta.beta, y.basic_beta.beta));
            prop_assert!(close(x.enhanced_beta, y.enhanced_beta));
            prop_assert!(close(x.delta_disclosure.delta_ln, y.delta_disclosure.delta_ln));
        }
    }

    #[test]
    fn t_values_are_in_unit_interval(rows in rows()) {
        let r = evaluate(&table_of(&rows, 0), &params()).unwrap();
        for m in &r.sensitive {
            let mut ts = vec![m.t_equal_distance.t];
            ts.extend(m.t_ordered.map(|t| t.t));
            ts.extend(m.t_hierarchical.map(|t| t.t));
            for t in ts {
                prop_assert!((0.0..=1.0 + 1e-12).contains(&t), "t = {}", t);
            }
        }
    }

    #[test]
    fn emd_is_in_unit_interval_and_zero_on_itself(p in distribution(), q in distribution()) {
        let h = hierarchy("x");
        let ground = HierarchicalGround::new(&h).unwrap();
        let mut p8 = p.clone();
        p8.resize(8, 0.0);
        let mut q8 = q.clone();
        q8.resize(8, 0.0);
        for d in [
            emd_equal_distance(&p, &q),
            emd_ordered(&p, &q),
            ground.emd(&p8, &q8),
        ] {
            prop_assert!((-1e-12..=1.0 + 1e-12).contains(&d), "emd = {}", d);
        }
        prop_assert!(emd_ordered(&p, &p).abs() < 1e-12);
        prop_assert!(ground.emd(&p8, &p8).abs() < 1e-12);
        // Every hierarchical ground distance is <= 1 (the equal distance), so
        // hierarchical EMD <= equal-distance EMD.
        prop_assert!(ground.emd(&p8, &q8) <= emd_equal_distance(&p8, &q8) + 1e-12);
    }

    #[test]
    fn k_never_drops_when_a_qi_is_generalized(rows in rows(), level in 0usize..3) {
        let fine = evaluate(&table_of(&rows, level), &params()).unwrap();
        let coarse = evaluate(&table_of(&rows, level + 1), &params()).unwrap();
        prop_assert!(coarse.k >= fine.k, "k {} -> {}", fine.k, coarse.k);
        prop_assert!(coarse.n_classes <= fine.n_classes);
        for (f, c) in fine.sensitive.iter().zip(&coarse.sensitive) {
            prop_assert!(c.l_distinct >= f.l_distinct);
        }
    }

    #[test]
    fn exact_sparse_t_matches_dense_formulas(rows in rows()) {
        // Recompute every class's EMD densely with the textbook formulas.
        let table = table_of(&rows, 0);
        let ec = EquivalenceClasses::build(&table, &["q1", "q2"], &["s", "n"], SuppressedRows::Exclude).unwrap();
        let h = hierarchy("s");
        let ground = HierarchicalGround::new(&h).unwrap();
        let n_rows = rows.len() as f64;
        // sensitive `s`: leaves v0..v7; numeric `n`: 0, 7, .., 35 (ranks of present values)
        let mut p_s = vec![0.0; 8];
        let mut p_n = [0.0; 6];
        for r in &rows {
            p_s[ground.leaf_index(&format!("v{}", r.2)).unwrap()] += 1.0 / n_rows;
            p_n[r.3 as usize] += 1.0 / n_rows;
        }
        let present: Vec<usize> = (0..6).filter(|&i| p_n[i] > 0.0).collect();
        let (mut t_eq, mut t_h, mut t_o) = (0.0f64, 0.0f64, 0.0f64);
        for class in 0..ec.n_classes() {
            let members: Vec<&(u8, u8, u8, u8)> = rows
                .iter()
                .enumerate()
                .filter(|(i, _)| ec.class_of_row(*i) == Some(class))
                .map(|(_, r)| r)
                .collect();
            let size = members.len() as f64;
            let mut q_s = vec![0.0; 8];
            let mut q_n = [0.0; 6];
            for r in &members {
                q_s[ground.leaf_index(&format!("v{}", r.2)).unwrap()] += 1.0 / size;
                q_n[r.3 as usize] += 1.0 / size;
            }
            t_eq = t_eq.max(emd_equal_distance(&p_s, &q_s));
            t_h = t_h.max(ground.emd(&p_s, &q_s));
            let pp: Vec<f64> = present.iter().map(|&i| p_n[i]).collect();
            let qq: Vec<f64> = present.iter().map(|&i| q_n[i]).collect();
            t_o = t_o.max(emd_ordered(&pp, &qq));
        }
        prop_assert!((t_closeness_equal_distance(&ec, "s").unwrap().t - t_eq).abs() < 1e-9);
        prop_assert!((t_closeness_hierarchical(&ec, "s", &h).unwrap().t - t_h).abs() < 1e-9);
        prop_assert!((t_closeness_ordered(&ec, "n").unwrap().t - t_o).abs() < 1e-9);
    }
}
