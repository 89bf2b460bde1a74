//! MinHash and banded LSH against their published guarantees (Broder 1997;
//! Leskovec, Rajaraman & Ullman, MMDS ch. 3): the share of equal signature
//! positions estimates Jaccard with standard error sqrt(J(1-J)/n), and two sets
//! of Jaccard s become candidates with probability 1 - (1 - s^r)^b.

use proptest::prelude::*;
use reident::attacks::text::{
    estimate_jaccard, jaccard_sorted, lsh_candidate_probability, shingles, LshIndex, MinHasher,
    ShingleConfig, ShingleUnit,
};

/// Two sets over a union of `union` elements sharing `common` of them; the rest
/// is split between A and B. Jaccard = common / union. Elements are spread out
/// (multiplied by a large odd constant) so they are not consecutive integers.
fn pair(union: u64, common: u64, offset: u64) -> (Vec<u64>, Vec<u64>) {
    let spread = |x: u64| (x + offset).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut a: Vec<u64> = (0..common).map(spread).collect();
    let mut b = a.clone();
    for x in common..union {
        if (x - common).is_multiple_of(2) {
            a.push(spread(x));
        } else {
            b.push(spread(x));
        }
    }
    a.sort_unstable();
    b.sort_unstable();
    (a, b)
}

#[test]
fn constructed_pairs_have_the_intended_jaccard() {
    // 30 common of 100: 30 / 100 = 0.3
    let (a, b) = pair(100, 30, 0);
    assert_eq!(a.len(), 65);
    assert_eq!(b.len(), 65);
    assert!((jaccard_sorted(&a, &b) - 0.3).abs() < 1e-12);
}

#[test]
fn minhash_estimate_is_within_its_standard_error() {
    // n = 256 hash functions: SE = sqrt(J(1-J)/256) <= 0.03125. Every seeded estimate
    // must be within 4 SE; the mean absolute error over 20 seeds within 1.5 SE
    // (its expectation is about sqrt(2/pi) SE = 0.8 SE).
    let n = 256;
    for &(union, common) in &[(200u64, 20u64), (200, 60), (200, 100), (200, 160)] {
        let j = common as f64 / union as f64;
        let se = (j * (1.0 - j) / n as f64).sqrt();
        let (a, b) = pair(union, common, 7);
        let mut total_err = 0.0;
        for seed in 0..20u64 {
            let h = MinHasher::new(n, seed).expect("hasher");
            let sa = h.signature(&a).expect("non-empty");
            let sb = h.signature(&b).expect("non-empty");
            let est = estimate_jaccard(&sa, &sb);
            assert!(
                (est - j).abs() <= 4.0 * se,
                "J = {j}, seed {seed}: estimate {est} beyond 4 SE = {}",
                4.0 * se
            );
            total_err += (est - j).abs();
        }
        let mean_err = total_err / 20.0;
        assert!(
            mean_err <= 1.5 * se,
            "J = {j}: mean error {mean_err} > 1.5 SE"
        );
    }
}

#[test]
fn minhash_estimates_text_jaccard() {
    let a = "The session consumer throws NullPointerException after 10 retries, though the scheduler \
             service throws OutOfMemoryError after 1000 retries. Setting pool.max.size to 3 did not help.";
    let b = "The session consumer throws NullPointerException after 10 retries, though the scheduler \
             service throws OutOfMemoryError after 100 retries. Setting cache.ttl to 3 did not help at all.";
    let cfg = ShingleConfig {
        unit: ShingleUnit::Char,
        k: 5,
        lowercase: true,
    };
    let (sa, sb) = (shingles(a, &cfg), shingles(b, &cfg));
    let exact = jaccard_sorted(&sa, &sb);
    let h = MinHasher::new(512, 42).expect("hasher");
    let est = estimate_jaccard(
        &h.signature(&sa).expect("shingles"),
        &h.signature(&sb).expect("shingles"),
    );
    let se = (exact * (1.0 - exact) / 512.0).sqrt();
    assert!(exact > 0.5 && exact < 0.95, "exact {exact}");
    assert!((est - exact).abs() <= 4.0 * se, "est {est} exact {exact}");
}

#[test]
fn lsh_candidate_rate_follows_the_s_curve() {
    // b = 8 bands of r = 4 rows. For each similarity, 300 independent hash families
    // (seeds); the observed candidate rate must be within 4 binomial SE (+0.01 for
    // the approximate min-wise independence of the linear hash family) of
    // 1 - (1 - s^4)^8: s = 0.2 -> 1 - 0.9984^8 = 0.0127, 0.4 -> 1 - 0.9744^8 = 0.1873,
    // 0.6 -> 1 - 0.8704^8 = 0.6706, 0.8 -> 1 - 0.5904^8 = 0.9852.
    let (bands, rows, trials) = (8usize, 4usize, 300u64);
    for &(common, expect) in &[(20u64, 0.0127), (40, 0.1873), (60, 0.6706), (80, 0.9852)] {
        let s = common as f64 / 100.0;
        let p = lsh_candidate_probability(s, bands, rows);
        assert!((p - expect).abs() < 5e-4, "formula at {s}: {p}");
        let (a, b) = pair(100, common, 1000);
        let mut hits = 0u64;
        for seed in 0..trials {
            let h = MinHasher::new(bands * rows, 10_000 + seed).expect("hasher");
            let mut index = LshIndex::new(bands, rows).expect("index");
            index
                .insert(0, &h.signature(&a).expect("a"))
                .expect("insert");
            if !index
                .query(&h.signature(&b).expect("b"))
                .expect("query")
                .is_empty()
            {
                hits += 1;
            }
        }
        let rate = hits as f64 / trials as f64;
        let se = (p * (1.0 - p) / trials as f64).sqrt();
        assert!(
            (rate - p).abs() <= 4.0 * se + 0.01,
            "s = {s}: candidate rate {rate}, expected {p} (SE {se})"
        );
    }
}

#[test]
fn bad_parameters_are_errors() {
    assert!(MinHasher::new(0, 1).is_err());
    assert!(LshIndex::new(0, 4).is_err());
    let mut index = LshIndex::new(2, 2).expect("index");
    assert!(
        index.insert(0, &[1, 2, 3]).is_err(),
        "wrong signature length"
    );
    let h = MinHasher::new(4, 1).expect("hasher");
    assert!(h.signature(&[]).is_none(), "empty set has no signature");
}

proptest! {
    #[test]
    fn estimate_is_a_probability_and_identity_is_one(
        set in proptest::collection::btree_set(any::<u64>(), 1..60),
        other in proptest::collection::btree_set(any::<u64>(), 1..60),
        seed in any::<u64>(),
    ) {
        let a: Vec<u64> = set.into_iter().collect();
        let b: Vec<u64> = other.into_iter().collect();
        let h = MinHasher::new(32, seed).expect("hasher");
        let (sa, sb) = (h.signature(&a).expect("a"), h.signature(&b).expect("b"));
        let est = estimate_jaccard(&sa, &sb);
        prop_assert!((0.0..=1.0).contains(&est));
        prop_assert_eq!(estimate_jaccard(&sa, &sa), 1.0);
        // Same seed, same signature.
        prop_assert_eq!(MinHasher::new(32, seed).expect("hasher").signature(&a), Some(sa));
        let j = jaccard_sorted(&a, &b);
        prop_assert!((j - jaccard_sorted(&b, &a)).abs() < 1e-15);
        prop_assert!((0.0..=1.0).contains(&j));
    }
}
