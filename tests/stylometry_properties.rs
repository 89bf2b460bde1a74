//! Property tests (proptest) of stylometry invariants: tokenization never
//! panics and keep/keep is the identity; relative frequencies lie in [0, 1]
//! and sum to at most 1 per family; Delta distances are symmetric,
//! non-negative and zero on identical vectors; top-k accuracy is
//! non-decreasing in k and reaches 1; confusion counts every document once;
//! macro-F1 lies in [0, 1]; the one-pass rank and partial top-n equal the
//! full sorted ranking (ties included); Burrows' Delta with partial sums
//! equals the left-to-right mean absolute difference.

use ndarray::{Array1, Array2};
use proptest::prelude::*;
use reident::attacks::stylometry::delta::{burrows_delta, cosine_distance, eder_delta};
use reident::attacks::stylometry::features::{FeatureConfig, FeatureKind, FittedFeatures};
use reident::attacks::stylometry::ranking::{rank_of, ranking, top_ranked};
use reident::attacks::stylometry::tokenize::{
    clean_text, words, CodeHandling, MarkupHandling, TokenizerOptions,
};
use reident::eval::attribution::evaluate_scores;

proptest! {
    #[test]
    fn one_pass_rank_and_top_n_equal_full_ranking(
        // Few distinct values so that ties are common.
        row in prop::collection::vec(prop::sample::select(vec![-1.0f64, 0.0, 0.5, 2.0, f64::NEG_INFINITY]), 1..30),
        n in 1usize..35,
    ) {
        let row = Array1::from(row);
        let full = ranking(row.view());
        for t in 0..row.len() {
            prop_assert_eq!(rank_of(row.view(), t), full.iter().position(|&a| a == t).unwrap() + 1);
        }
        let head: Vec<usize> = full.iter().copied().take(n).collect();
        prop_assert_eq!(top_ranked(row.view(), n), head);
    }

    #[test]
    fn burrows_delta_equals_naive_mean(pairs in prop::collection::vec((-10.0f64..10.0, -10.0f64..10.0), 1..40)) {
        let a = Array1::from_iter(pairs.iter().map(|p| p.0));
        let b = Array1::from_iter(pairs.iter().map(|p| p.1));
        let naive = pairs.iter().map(|(x, y)| (x - y).abs()).sum::<f64>() / pairs.len() as f64;
        prop_assert!((burrows_delta(a.view(), b.view()) - naive).abs() <= 1e-12 * (1.0 + naive));
        // A strided view (not contiguous) takes the plain path.
        let m = Array2::from_shape_fn((pairs.len(), 2), |(i, j)| if j == 0 { pairs[i].0 } else { pairs[i].1 });
        prop_assert!((burrows_delta(m.column(0), m.column(1)) - naive).abs() <= 1e-12 * (1.0 + naive));
    }

    #[test]
    fn tokenizer_total_and_keep_is_identity(text in "\\PC{0,200}") {
        let keep = TokenizerOptions { markup: MarkupHandling::Keep, code: CodeHandling::Keep, lowercase: false };
        prop_assert_eq!(clean_text(&text, &keep), text.clone());
        let _ = words(&text, &TokenizerOptions::default());
    }

    #[test]
    fn relative_frequencies_bounded(docs in prop::collection::vec("[a-c ]{1,40}", 2..6), probe in "[a-d ]{1,40}") {
        let config = FeatureConfig {
            kinds: vec![FeatureKind::Mfw { n: 5, culling_percent: 0.0 }, FeatureKind::CharNgrams { min: 1, max: 2, top: 4 }],
            tokenizer: TokenizerOptions::default(),
        };
        if let Ok(f) = FittedFeatures::fit(&config, &docs) {
            let m = f.transform(&[probe]).unwrap();
            prop_assert!(m.values.iter().all(|v| (0.0..=1.0).contains(v)));
            let mfw: f64 = f.names().iter().zip(m.values.row(0)).filter(|(n, _)| n.starts_with("mfw:")).map(|(_, v)| v).sum();
            prop_assert!(mfw <= 1.0 + 1e-12);
        }
    }

    #[test]
    fn delta_distances_are_semimetrics(a in prop::collection::vec(-5.0f64..5.0, 1..20), seed in 0u64..1000) {
        let a = Array1::from(a);
        let b = a.mapv(|x| x * 0.5 + (seed as f64 % 7.0) - 3.0);
        for d in [burrows_delta, eder_delta, cosine_distance] {
            let ab = d(a.view(), b.view());
            prop_assert!((ab - d(b.view(), a.view())).abs() < 1e-9);
            prop_assert!(ab >= -1e-12);
        }
        prop_assert_eq!(burrows_delta(a.view(), a.view()), 0.0);
        prop_assert_eq!(eder_delta(a.view(), a.view()), 0.0);
    }

    #[test]
    fn evaluation_invariants(n_authors in 2usize..6, rows in prop::collection::vec((0usize..100, prop::collection::vec(-3.0f64..3.0, 6)), 1..30)) {
        let authors: Vec<String> = (0..n_authors).map(|a| format!("a{a}")).collect();
        let truth: Vec<usize> = rows.iter().map(|(t, _)| t % n_authors).collect();
        let mut scores = Array2::zeros((rows.len(), n_authors));
        for (i, (_, s)) in rows.iter().enumerate() {
            for a in 0..n_authors {
                scores[[i, a]] = s[a];
            }
        }
        let e = evaluate_scores(&scores, &truth, &authors).unwrap();
        prop_assert!(e.top_k.windows(2).all(|w| w[0].accuracy <= w[1].accuracy));
        prop_assert_eq!(e.top_k.last().unwrap().accuracy, 1.0);
        prop_assert_eq!(e.confusion.iter().flatten().sum::<usize>(), rows.len());
        prop_assert!((0.0..=1.0).contains(&e.macro_f1));
        prop_assert!(e.predictions.iter().all(|p| (p.rank_of_truth == 1) == (p.truth == p.predicted)));
    }
}
