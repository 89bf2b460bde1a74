//! Distance-based record linkage on hand-sized MDAV and noise outputs.

use reident::anonymize::microaggregation::{mdav, MdavConfig};
use reident::attacks::distance_linkage::{distance_linkage, numeric_columns, DistanceMetric};
use reident::data::{CategoricalColumn, EncodedTable};

fn originals() -> Vec<Vec<f64>> {
    // Two clusters: (1,1) (2,1) (1,2) and (10,10) (11,10) (10,11).
    vec![
        vec![1.0, 2.0, 1.0, 10.0, 11.0, 10.0],
        vec![1.0, 1.0, 2.0, 10.0, 10.0, 11.0],
    ]
}

fn identity() -> Vec<Option<usize>> {
    (0..6).map(Some).collect()
}

#[test]
fn mdav_k3_links_one_in_three() {
    // MDAV with k = 3 groups the two clusters (checked with the crate's
    // MDAV) and replaces each record by its group centroid (4/3, 4/3) or
    // (31/3, 31/3). x and y have the same sd, so z-scores scale distances
    // uniformly. From (4/3, 4/3): (1,1) at sqrt(2)/3 = 0.471, (2,1) and (1,2)
    // at sqrt(5)/3 = 0.745. So masked row 0 links to its true original;
    // rows 1 and 2 have 1 original strictly closer and tie (t = 2) with the
    // other: top-1 credit 0, top-2 credit (2 - 1)/2 = 0.5, top-3 credit 1.
    // Same in the second cluster. Linkage rate 2/6 = 1/3 = 1/k; top-2
    // (2 x (1 + 0.5 + 0.5)) / 6 = 2/3; top-3 1.
    let o = originals();
    let table = EncodedTable::new(
        "hand",
        vec![
            CategoricalColumn::from_strs("x", &["1", "2", "1", "10", "11", "10"]),
            CategoricalColumn::from_strs("y", &["1", "1", "2", "10", "10", "11"]),
        ],
    );
    let groups = mdav(
        &table,
        &MdavConfig {
            columns: vec!["x".into(), "y".into()],
            k: 3,
            decimals: None,
        },
    )
    .unwrap()
    .groups;
    let mut sorted = groups.clone();
    sorted.sort();
    assert_eq!(sorted, vec![vec![0, 1, 2], vec![3, 4, 5]]);
    let a = 4.0 / 3.0;
    let b = 31.0 / 3.0;
    let masked = vec![vec![a, a, a, b, b, b], vec![a, a, a, b, b, b]];
    for metric in [DistanceMetric::Euclidean, DistanceMetric::Mahalanobis] {
        let r = distance_linkage(&o, &masked, &identity(), metric, 3).unwrap();
        assert_eq!(r.n_scored, 6);
        assert_eq!(r.n_linked, 2, "{metric:?}");
        assert_eq!(r.n_ties, 4);
        assert!((r.linkage_rate - 1.0 / 3.0).abs() < 1e-12);
        assert!((r.top_k[1].share - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.top_k[2].share - 1.0).abs() < 1e-12);
        // Ranks: 1, 2, 2 in each cluster -> mean 5/3.
        assert!((r.mean_rank - 5.0 / 3.0).abs() < 1e-12);
        assert!((r.chance - 1.0 / 6.0).abs() < 1e-12);
    }
    // The same numbers read through numeric_columns.
    let cols = numeric_columns(&table, &["x", "y"]).unwrap();
    assert_eq!(cols, o);
}

#[test]
fn small_noise_links_all_large_noise_links_fewer() {
    // Noise of +-0.2 keeps every record nearer its own original than any
    // other (nearest other original is 1 unit away): rate 1. Shifting row 0
    // to (1.9, 1) puts (2,1) at 0.1 and (1,1) at 0.9: row 0 is lost, 5/6.
    let o = originals();
    let noise = [0.2, -0.2, 0.1, -0.1, 0.15, -0.05];
    let small: Vec<Vec<f64>> = o
        .iter()
        .map(|c| c.iter().zip(noise).map(|(x, e)| x + e).collect())
        .collect();
    let r = distance_linkage(&o, &small, &identity(), DistanceMetric::Euclidean, 1).unwrap();
    assert_eq!(r.linkage_rate, 1.0);
    let mut moved = o.clone();
    moved[0][0] = 1.9;
    let r = distance_linkage(&o, &moved, &identity(), DistanceMetric::Euclidean, 1).unwrap();
    assert_eq!(r.n_linked, 5);
    assert!((r.linkage_rate - 5.0 / 6.0).abs() < 1e-12);
}

#[test]
fn standardization_uses_the_originals_scale() {
    // Originals A = (0, 0), B = (1, 100): means (0.5, 50), population sds
    // (0.5, 50), so z(A) = (-1, -1), z(B) = (1, 1). Masked M = (1, 30), truly
    // B: z(M) = (1, -0.4); squared distance to A = 4 + 0.36 = 4.36, to B =
    // 0 + 1.96 = 1.96 -> linked to B. Raw Euclidean would pick A (901 < 4900).
    let o = vec![vec![0.0, 1.0], vec![0.0, 100.0]];
    let m = vec![vec![1.0], vec![30.0]];
    let r = distance_linkage(&o, &m, &[Some(1)], DistanceMetric::Euclidean, 2).unwrap();
    assert_eq!(r.n_linked, 1);
    assert_eq!(r.mean_rank, 1.0);
    // Truth A instead: rank 2.
    let r = distance_linkage(&o, &m, &[Some(0)], DistanceMetric::Euclidean, 2).unwrap();
    assert_eq!((r.n_linked, r.mean_rank, r.top_k[1].share), (0, 2.0, 1.0));
}

#[test]
fn errors_name_the_problem() {
    let o = originals();
    let e = distance_linkage(&o, &o[..1], &identity(), DistanceMetric::Euclidean, 1).unwrap_err();
    assert!(e.to_string().contains("2 column(s)"), "{e}");
    let e = distance_linkage(&o, &o, &[Some(9); 6], DistanceMetric::Euclidean, 1).unwrap_err();
    assert!(e.to_string().contains("original row 10"), "{e}");
    let collinear = vec![vec![1.0, 2.0, 3.0], vec![2.0, 4.0, 6.0]];
    let e = distance_linkage(
        &collinear,
        &collinear,
        &[None, None, None],
        DistanceMetric::Mahalanobis,
        1,
    )
    .unwrap_err();
    assert!(e.to_string().contains("singular"), "{e}");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn rates_are_shares_and_order_free(
            xs in proptest::collection::vec(-50i32..50, 4..30),
            noise in proptest::collection::vec(-3i32..3, 30),
            mahalanobis in any::<bool>(),
        ) {
            let n = xs.len();
            // Two columns: x and a non-collinear function of x and the row.
            let x: Vec<f64> = xs.iter().map(|&v| v as f64).collect();
            let y: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64 + x[i] / 3.0).collect();
            let o = vec![x.clone(), y.clone()];
            let m = vec![
                (0..n).map(|i| x[i] + noise[i] as f64).collect::<Vec<_>>(),
                y.clone(),
            ];
            let metric = if mahalanobis { DistanceMetric::Mahalanobis } else { DistanceMetric::Euclidean };
            let truth: Vec<Option<usize>> = (0..n).map(Some).collect();
            let Ok(r) = distance_linkage(&o, &m, &truth, metric, n) else {
                // Only a singular covariance may fail.
                prop_assert!(mahalanobis);
                return Ok(());
            };
            prop_assert!((0.0..=1.0).contains(&r.linkage_rate));
            prop_assert!(r.top_k.windows(2).all(|w| w[0].share <= w[1].share + 1e-12));
            prop_assert!((r.top_k[n - 1].share - 1.0).abs() < 1e-9);
            prop_assert!(r.n_linked as f64 <= r.linkage_rate * n as f64 + 1e-9);
            // Reversing the originals (and the truth key) changes nothing.
            let rev = |c: &Vec<f64>| c.iter().rev().copied().collect::<Vec<_>>();
            let o2 = vec![rev(&o[0]), rev(&o[1])];
            let truth2: Vec<Option<usize>> = (0..n).map(|i| Some(n - 1 - i)).collect();
            let r2 = distance_linkage(&o2, &m, &truth2, metric, n).unwrap();
            prop_assert!((r.linkage_rate - r2.linkage_rate).abs() < 1e-9);
            prop_assert_eq!(r.n_linked, r2.n_linked);
        }
    }
}
