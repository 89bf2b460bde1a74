//! Scoring linkage against a truth key: precision, recall, F1 of the chosen
//! links, re-identification rate at top-1, a precision-recall curve over
//! match-weight thresholds and match-weight histograms of true and false pairs.
//!
//! Recall is over **all** true pairs (release rows whose original is in the
//! original table), so pairs lost by blocking count as misses.

use std::collections::HashSet;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// One point of a precision-recall curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrPoint {
    /// Pairs with match weight >= this are called links.
    pub threshold: f64,
    /// Precision at this threshold.
    pub precision: f64,
    /// Recall at this threshold.
    pub recall: f64,
}

/// Histogram of match weights for true matches and non-matches (same bins).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightHistogram {
    /// `bins + 1` edges.
    pub edges: Vec<f64>,
    /// Count of true matches per bin.
    pub matches: Vec<u64>,
    /// Count of non-matches per bin.
    pub non_matches: Vec<u64>,
}

/// Scores of a linkage run against the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkageScores {
    /// True pairs in the data (release rows with their original present).
    pub true_pairs: u64,
    /// True pairs that survived blocking (pair completeness numerator).
    pub true_pairs_blocked: u64,
    /// Links chosen.
    pub links: u64,
    /// Links that are true pairs.
    pub correct_links: u64,
    /// correct / links.
    pub precision: f64,
    /// correct / true pairs.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Share of release rows with a true original whose highest-weight
    /// candidate is that original.
    pub top1_reidentification_rate: f64,
    /// Precision-recall curve over all blocked pairs (at most ~200 points).
    pub pr_curve: Vec<PrPoint>,
    /// Match-weight histogram of blocked pairs.
    pub weight_histogram: WeightHistogram,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores `links` (indices into `pairs`) and all blocked `pairs` with
/// `weights` against `truth` (set of true (left, right) pairs).
pub fn score(
    pairs: &[(u32, u32)],
    weights: &[f64],
    links: &[usize],
    truth: &HashSet<(u32, u32)>,
    histogram_bins: usize,
) -> LinkageScores {
    let true_pairs = truth.len() as u64;
    let is_true: Vec<bool> = pairs.par_iter().map(|p| truth.contains(p)).collect();
    let true_pairs_blocked = is_true.iter().filter(|&&t| t).count() as u64;
    let correct_links = links.iter().filter(|&&i| is_true[i]).count() as u64;
    let precision = ratio(correct_links, links.len() as u64);
    let recall = ratio(correct_links, true_pairs);
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };

    // Top-1 per release row: best (weight, original row, is true), indexed by
    // release row; ties go to the lower original row.
    let truth_rows: HashSet<u32> = truth.iter().map(|p| p.1).collect();
    let n_right = pairs.iter().map(|p| p.1 as usize + 1).max().unwrap_or(0);
    let mut best: Vec<(f64, u32, bool)> = vec![(f64::NEG_INFINITY, u32::MAX, false); n_right];
    for (i, &(l, r)) in pairs.iter().enumerate() {
        let w = weights[i];
        let e = &mut best[r as usize];
        if w > e.0 || (w == e.0 && l < e.1) {
            *e = (w, l, is_true[i]);
        }
    }
    let top1_correct = best
        .iter()
        .enumerate()
        .filter(|(r, v)| v.2 && truth_rows.contains(&(*r as u32)))
        .count() as u64;
    let top1 = ratio(top1_correct, truth_rows.len() as u64);

    // PR curve (ties are one point, so their order does not matter).
    let mut order: Vec<usize> = (0..pairs.len()).collect();
    order.par_sort_unstable_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    let mut points = Vec::new();
    let (mut tp, mut fp) = (0u64, 0u64);
    for (k, &i) in order.iter().enumerate() {
        if is_true[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        let last_of_tie = k + 1 == order.len() || weights[order[k + 1]] != weights[i];
        if last_of_tie {
            points.push(PrPoint {
                threshold: weights[i],
                precision: ratio(tp, tp + fp),
                recall: ratio(tp, true_pairs),
            });
        }
    }
    let pr_curve = if points.len() > 200 {
        let step = points.len() as f64 / 200.0;
        let mut thin: Vec<PrPoint> = (0..200)
            .map(|j| points[(j as f64 * step) as usize].clone())
            .collect();
        if let Some(last) = points.last() {
            if thin.last() != Some(last) {
                thin.push(last.clone());
            }
        }
        thin
    } else {
        points
    };

    // Histogram.
    let bins = histogram_bins.max(1);
    let (lo, hi) = weights
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &w| {
            (a.min(w), b.max(w))
        });
    let (lo, hi) = if weights.is_empty() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let width = (hi - lo) / bins as f64;
    let edges: Vec<f64> = (0..=bins).map(|b| lo + b as f64 * width).collect();
    let mut matches = vec![0u64; bins];
    let mut non_matches = vec![0u64; bins];
    for (i, &w) in weights.iter().enumerate() {
        let b = (((w - lo) / width) as usize).min(bins - 1);
        if is_true[i] {
            matches[b] += 1;
        } else {
            non_matches[b] += 1;
        }
    }
    LinkageScores {
        true_pairs,
        true_pairs_blocked,
        links: links.len() as u64,
        correct_links,
        precision,
        recall,
        f1,
        top1_reidentification_rate: top1,
        pr_curve,
        weight_histogram: WeightHistogram {
            edges,
            matches,
            non_matches,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_scores() {
        // Truth: (0,0), (1,1), (2,2). Blocked pairs with weights:
        // (0,0) 5, (0,1) 1, (1,1) 3, (2,1) 4, (3,3) -1.
        let pairs = [(0, 0), (0, 1), (1, 1), (2, 1), (3, 3)];
        let weights = [5.0, 1.0, 3.0, 4.0, -1.0];
        let truth: HashSet<(u32, u32)> = [(0, 0), (1, 1), (2, 2)].into_iter().collect();
        // Links (0,0) and (2,1): 1 correct of 2; recall 1/3; F1 = 2*(1/2)(1/3)/(5/6) = 0.4.
        let s = score(&pairs, &weights, &[0, 3], &truth, 4);
        assert_eq!(s.true_pairs_blocked, 2);
        assert_eq!(s.precision, 0.5);
        assert!((s.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 0.4).abs() < 1e-12);
        // Top-1: release 0 -> (0,0) correct; release 1 -> (2,1) weight 4 wrong;
        // release 2 has no candidate. 1 of 3.
        assert!((s.top1_reidentification_rate - 1.0 / 3.0).abs() < 1e-12);
        // PR: thresholds 5 (1/1, 1/3), 4 (1/2, 1/3), 3 (2/3, 2/3), 1 (2/4), -1 (2/5).
        assert_eq!(s.pr_curve.len(), 5);
        assert_eq!(s.pr_curve[2].threshold, 3.0);
        assert!((s.pr_curve[2].precision - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.pr_curve[4].precision - 0.4).abs() < 1e-12);
        // Histogram over [-1, 5], 4 bins of 1.5 (edges -1, 0.5, 2, 3.5, 5):
        // non-matches -1 -> bin 0, 1 -> bin 1, 4 -> bin 3; matches 3 -> bin 2, 5 -> bin 3.
        assert_eq!(s.weight_histogram.non_matches, vec![1, 1, 0, 1]);
        assert_eq!(s.weight_histogram.matches, vec![0, 0, 1, 1]);
    }
}
