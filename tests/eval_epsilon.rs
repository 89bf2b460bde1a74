//! The epsilon lower bound from scored trials: trials to refute a claim, and
//! monotonicity in the number of trials. (Its Clopper-Pearson intervals are
//! checked against scipy in `tests/eval_rate.rs`.)

use proptest::prelude::*;
use reident::eval::epsilon::{
    epsilon_lower_bound, epsilon_lower_bound_from_counts, trials_to_refute,
};
use reident::eval::{Claim, ErrorCounts, ThresholdSelection};

#[test]
fn trials_to_refute_is_the_smallest_refuting_scale() {
    // Rates FPR = 0.05, FNR = 0.3 imply eps = ln(0.7 / 0.05) = 2.64 at delta 0.
    // With 50 + 50 trials the bound is below 2; the returned number of trials
    // must refute eps = 2 (counts scaled by n / 200 and rounded) and n - 1
    // must not (bisection over whole numbers of trials; the bound rises with
    // trials at fixed rates up to rounding of the scaled counts).
    let counts = ErrorCounts {
        false_positives: 5,
        negatives: 100,
        false_negatives: 30,
        positives: 100,
    };
    let claim = Claim {
        epsilon: 2.0,
        delta: 0.0,
    };
    let now = epsilon_lower_bound_from_counts(&counts, 0.0, 0.95).unwrap();
    assert!(now.epsilon_lower < 2.0, "{}", now.epsilon_lower);
    let n = trials_to_refute(&counts, claim, 0.95).expect("reachable");
    let at = |total: u64| {
        let c = total as f64 / 200.0;
        let scaled = ErrorCounts {
            false_positives: (5.0 * c).round() as u64,
            negatives: (100.0 * c).round() as u64,
            false_negatives: (30.0 * c).round() as u64,
            positives: (100.0 * c).round() as u64,
        };
        epsilon_lower_bound_from_counts(&scaled, 0.0, 0.95)
            .unwrap()
            .epsilon_lower
    };
    assert!(at(n) > 2.0);
    assert!(n > 200);
    assert!(at(n - 1) <= 2.0, "{n}");
    // A claim above the point estimate can never be refuted by these rates.
    assert_eq!(
        trials_to_refute(
            &counts,
            Claim {
                epsilon: 2.7,
                delta: 0.0
            },
            0.95
        ),
        None
    );
}

proptest! {
    /// Same error rates, c times the trials: the bound never decreases.
    #[test]
    fn counts_bound_monotone_in_trials(
        negatives in 1u64..200,
        positives in 1u64..200,
        fp_share in 0.0f64..=1.0,
        fn_share in 0.0f64..=1.0,
        c in 2u64..8,
        delta in 0.0f64..0.2,
    ) {
        let fp = (negatives as f64 * fp_share).floor() as u64;
        let fnn = (positives as f64 * fn_share).floor() as u64;
        let base = ErrorCounts { false_positives: fp, negatives, false_negatives: fnn, positives };
        let more = ErrorCounts {
            false_positives: fp * c,
            negatives: negatives * c,
            false_negatives: fnn * c,
            positives: positives * c,
        };
        let a = epsilon_lower_bound_from_counts(&base, delta, 0.95).unwrap();
        let b = epsilon_lower_bound_from_counts(&more, delta, 0.95).unwrap();
        prop_assert!(b.epsilon_lower >= a.epsilon_lower - 1e-9, "{} -> {}", a.epsilon_lower, b.epsilon_lower);
        prop_assert!(b.mu_lower >= a.mu_lower - 1e-9, "{} -> {}", a.mu_lower, b.mu_lower);
        // A lower bound never exceeds the point estimate.
        prop_assert!(a.epsilon_lower <= a.epsilon_point + 1e-12);
    }

    /// With Bonferroni selection the same outcomes repeated c times (same
    /// rates at every threshold, same thresholds) never lower the bound.
    /// (Held-out selection re-splits the trials at random, so its bound is
    /// monotone only in expectation; it is not tested this way.)
    #[test]
    fn score_bound_monotone_in_trials(
        trials in proptest::collection::vec((0u8..6, any::<bool>()), 4..60),
        c in 2usize..5,
    ) {
        prop_assume!(trials.iter().any(|t| t.1) && trials.iter().any(|t| !t.1));
        let scores: Vec<f64> = trials.iter().map(|t| t.0 as f64).collect();
        let labels: Vec<bool> = trials.iter().map(|t| t.1).collect();
        let rep_scores: Vec<f64> = scores.iter().cycle().take(scores.len() * c).copied().collect();
        let rep_labels: Vec<bool> = labels.iter().cycle().take(labels.len() * c).copied().collect();
        let a = epsilon_lower_bound(&scores, &labels, 0.0, 0.95, ThresholdSelection::Bonferroni).unwrap();
        let b = epsilon_lower_bound(&rep_scores, &rep_labels, 0.0, 0.95, ThresholdSelection::Bonferroni).unwrap();
        prop_assert!(b.epsilon_lower >= a.epsilon_lower - 1e-9, "{} -> {}", a.epsilon_lower, b.epsilon_lower);
        prop_assert!(b.mu_lower >= a.mu_lower - 1e-9);
    }
}
