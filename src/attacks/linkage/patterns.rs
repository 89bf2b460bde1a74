//! [`PatternPartial`]: Fellegi-Sunter comparison-vector pattern counts that
//! merge exactly.
//!
//! EM (Fellegi & Sunter 1969; as Splink trains it, with u fixed) reads the
//! candidate pairs only through the count of each distinct comparison vector
//! ([`patterns`](crate::attacks::linkage::fellegi_sunter::patterns)), so pairs compared in any partition (a
//! block, a chunk of the left table, a Spark task) can be counted apart and
//! the counts added. The merged counts are kept in the order
//! [`patterns`](crate::attacks::linkage::fellegi_sunter::patterns) returns them (sorted by vector), so EM over
//! the merged partial runs the same floating-point sums in the same order
//! and gives bit-for-bit the same m, match proportion and iterations as over
//! the one-pass counts (tested).
//!
//! [`link_partitioned`](super::link_partitioned) computes one partial per
//! block partition and EM reads the merged counts; the Spark engine
//! (`engine::spark`, feature `spark`) gets the same counts back from a
//! `GROUP BY` over the comparison vectors. Lives with the linkage attack
//! (re-exported as `engine::PatternPartial`) so the attack can use it.

use std::collections::BTreeMap;
use std::ops::Range;

use super::LinkageError;

/// Mergeable comparison-vector counts (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternPartial {
    /// Comparisons per vector.
    pub k: usize,
    /// Pairs per distinct comparison vector.
    pub counts: BTreeMap<Vec<u8>, u64>,
}

impl PatternPartial {
    /// An empty partial for vectors of `k` comparisons.
    pub fn empty(k: usize) -> Self {
        PatternPartial {
            k,
            counts: BTreeMap::new(),
        }
    }

    /// The counts of pairs `pairs` of `gammas` (pair-major, `k` per pair).
    ///
    /// Errors: `k` 0, `gammas` not a whole number of vectors, a range past
    /// the end.
    pub fn from_gammas(gammas: &[u8], k: usize, pairs: Range<usize>) -> Result<Self, LinkageError> {
        if k == 0
            || !gammas.len().is_multiple_of(k)
            || pairs.end > gammas.len() / k
            || pairs.start > pairs.end
        {
            return Err(LinkageError::BadParameter(format!(
                "comparison vectors: {} values with {k} comparisons per pair, pairs {}..{}",
                gammas.len(),
                pairs.start,
                pairs.end
            )));
        }
        let mut counts = BTreeMap::new();
        for i in pairs {
            *counts
                .entry(gammas[i * k..(i + 1) * k].to_vec())
                .or_insert(0) += 1;
        }
        Ok(PatternPartial { k, counts })
    }

    /// A partial from counts as [`patterns`](crate::attacks::linkage::fellegi_sunter::patterns)
    /// returns them (vector, pairs), for vectors of `k` comparisons.
    pub fn from_patterns(k: usize, patterns: Vec<(Vec<u8>, u64)>) -> Self {
        let mut counts = BTreeMap::new();
        for (g, c) in patterns {
            *counts.entry(g).or_insert(0) += c;
        }
        PatternPartial { k, counts }
    }

    /// Adds `other`'s counts (exact; associative and commutative).
    pub fn merge(&mut self, other: PatternPartial) -> Result<(), LinkageError> {
        if self.k != other.k {
            return Err(LinkageError::BadParameter(format!(
                "cannot merge pattern counts: comparison vectors of {} and of {} comparisons",
                self.k, other.k
            )));
        }
        for (g, c) in other.counts {
            *self.counts.entry(g).or_insert(0) += c;
        }
        Ok(())
    }

    /// Pairs counted.
    pub fn n_pairs(&self) -> u64 {
        self.counts.values().sum()
    }

    /// The counts as [`patterns`](crate::attacks::linkage::fellegi_sunter::patterns) returns them (sorted), the
    /// input of [`expectation_maximisation`](crate::attacks::linkage::fellegi_sunter::expectation_maximisation).
    pub fn patterns(&self) -> Vec<(Vec<u8>, u64)> {
        self.counts.iter().map(|(g, &c)| (g.clone(), c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attacks::linkage::fellegi_sunter::{expectation_maximisation, patterns, EmOptions};
    use proptest::prelude::*;

    /// Pair-major vectors of 3 comparisons with 3, 2 and 4 levels; a seeded
    /// mix where level 0 (exact) is rarer, as among blocked pairs.
    fn gammas(n: usize, seed: u64) -> Vec<u8> {
        let mut s = seed | 1;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut g = Vec::with_capacity(3 * n);
        for _ in 0..n {
            g.push((next() % 3) as u8);
            g.push((next() % 2) as u8);
            g.push((next() % 4) as u8);
        }
        g
    }

    fn em_json(p: &[(Vec<u8>, u64)]) -> String {
        let m = vec![
            vec![0.9, 0.07, 0.03],
            vec![0.8, 0.2],
            vec![0.7, 0.1, 0.1, 0.1],
        ];
        let u = vec![
            vec![0.05, 0.15, 0.8],
            vec![0.3, 0.7],
            vec![0.02, 0.08, 0.3, 0.6],
        ];
        let s = expectation_maximisation(p, &m, &u, &[true, true, true], &EmOptions::default());
        serde_json::to_string(&s).unwrap_or_default()
    }

    #[test]
    fn partitions_of_pairs_merge_to_the_one_pass_counts_and_em() {
        let g = gammas(5000, 42);
        let one_pass = patterns(&g, 3);
        assert!(one_pass.len() > 20);
        for parts in [1usize, 2, 7] {
            let mut merged = PatternPartial::empty(3);
            for p in (0..parts).rev() {
                let r = p * 5000 / parts..(p + 1) * 5000 / parts;
                merged
                    .merge(PatternPartial::from_gammas(&g, 3, r).unwrap())
                    .unwrap();
            }
            assert_eq!(merged.n_pairs(), 5000);
            assert_eq!(merged.patterns(), one_pass, "{parts} parts");
            assert_eq!(em_json(&merged.patterns()), em_json(&one_pass));
        }
        let e = PatternPartial::empty(2)
            .merge(PatternPartial::empty(3))
            .unwrap_err();
        assert!(e.to_string().contains("2 and of 3"), "{e}");
        assert!(PatternPartial::from_gammas(&g, 3, 0..5001).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_splits_merge_exactly(
            n in 1usize..400,
            seed in 1u64..1000,
            cuts in prop::collection::vec(0usize..400, 0..6),
        ) {
            let g = gammas(n, seed);
            let mut bounds: Vec<usize> = cuts.into_iter().filter(|&c| c < n).collect();
            bounds.push(0);
            bounds.push(n);
            bounds.sort_unstable();
            let mut merged = PatternPartial::empty(3);
            for w in bounds.windows(2).rev() {
                merged.merge(PatternPartial::from_gammas(&g, 3, w[0]..w[1]).unwrap()).unwrap();
            }
            prop_assert_eq!(merged.patterns(), patterns(&g, 3));
        }
    }
}
