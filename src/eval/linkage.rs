//! Record linkage scored against a truth key: precision, recall and F1 of the
//! chosen links, re-identification rates, a precision-recall curve over
//! match-weight thresholds and match-weight histograms of true and false
//! pairs. The attack (`crate::attacks::linkage::link`) returns the blocked
//! pairs with their match weights, the chosen links and the resolved truth
//! key ([`crate::attacks::linkage::ScoredPairs`]); everything that compares
//! them with the truth is here.
//!
//! Recall is over **all** true pairs (release rows whose original is in the
//! original table), so pairs lost by blocking count as misses.
//!
//! # Re-identification rates
//!
//! The attacker re-identifies each release row ("attacked record") by its
//! highest-weight candidate among the blocked pairs (whatever the link
//! threshold). For release row `r` let `C_r` be its candidates at the highest
//! match weight (ties: equal weights, `-0.0 == 0.0`), `c_r = |C_r|` (0 when
//! blocking left `r` no candidate) and `t_r` the number of true originals in
//! `C_r` (0 or 1 unless a truth key is shared by several originals). With
//! `N` = every release row, including rows with no candidate and rows whose
//! source is absent from the originals (neither can be re-identified, both
//! count as failures, and both are reported as counts):
//!
//! * expected re-identification rate `= (1/N) sum_r t_r / c_r`: an attacker
//!   who picks one of the tied best candidates uniformly at random is right
//!   with probability `t_r / c_r`;
//! * unique re-identification rate `= (1/N) #{r : c_r = 1, t_r = 1}`: the
//!   best candidate is unique and is the true original.
//!
//! Both are [`Rate`]s over the same `N` ([`LinkageScores::expected_rate`],
//! [`LinkageScores::unique_rate`]), so their intervals come from
//! [`super::rate`]. These are the definitions behind the expectation over
//! ties that Splink's and recordlinkage's pairwise scores give when each
//! release record is attributed to its best-scored candidate;
//! `tests/linkage_rates.rs` checks them against Splink's match weights on the
//! same records. Taking the first of the tied candidates instead (by row
//! order) credits the attacker with every tie it happens to break right, and
//! dropping records without a source from `N` shrinks the denominator: both
//! overstate the rate.
//!
//! What it does not do: run the linkage (that is `attacks::linkage`), decide a
//! claim (that is [`super::decision`]) or draw (the report draws the curve
//! and histogram computed here).

use polars::prelude::PlHashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::rate::Rate;
use super::roc::{pr_curve_from_counts, PrPoint};
use super::EvalError;
use crate::attacks::linkage::{expected_share, LinkageResult};
use crate::data::TruthKey;

/// Most points kept on the precision-recall curve (plus the last one).
const MAX_PR_POINTS: usize = 200;

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
    /// Release rows attacked: the denominator `N` of the rates (every release
    /// row; see the module docs).
    pub attacked_records: u64,
    /// Attacked rows left with no candidate by blocking.
    pub records_without_candidate: u64,
    /// Attacked rows whose source is absent (the truth key is missing or
    /// names no original row).
    pub records_without_source: u64,
    /// `sum_r t_r / c_r`: expected correct re-identifications when ties
    /// among the best candidates are broken uniformly at random.
    pub expected_correct: f64,
    /// `expected_correct / attacked_records`.
    pub expected_reidentification_rate: f64,
    /// Rows whose best candidate is unique and the true original.
    pub unique_correct: u64,
    /// `unique_correct / attacked_records`.
    pub unique_reidentification_rate: f64,
    /// Precision-recall curve over all blocked pairs, one point per distinct
    /// match weight (at most ~200 points: longer curves are thinned evenly,
    /// keeping the last point).
    pub pr_curve: Vec<PrPoint>,
    /// Match-weight histogram of blocked pairs.
    pub weight_histogram: WeightHistogram,
}

impl LinkageScores {
    /// The expected re-identification rate as a [`Rate`]:
    /// `expected_correct` over every attacked record.
    pub fn expected_rate(&self) -> Rate {
        Rate::new(self.expected_correct, self.attacked_records)
    }

    /// The unique-and-correct re-identification rate as a [`Rate`].
    pub fn unique_rate(&self) -> Rate {
        Rate::count(self.unique_correct, self.attacked_records)
    }

    /// Precision of the chosen links as a [`Rate`]: correct over links.
    pub fn precision_rate(&self) -> Rate {
        Rate::count(self.correct_links, self.links)
    }

    /// Recall of the chosen links as a [`Rate`]: correct over true pairs.
    pub fn recall_rate(&self) -> Rate {
        Rate::count(self.correct_links, self.true_pairs)
    }
}

/// Scores a run of [`crate::attacks::linkage::link`] against the truth key it
/// resolved (`None` when it was given none), with the histogram bins of its
/// configuration.
pub fn score_links(result: &LinkageResult) -> Result<Option<LinkageScores>, EvalError> {
    let s = &result.scored;
    s.truth
        .as_ref()
        .map(|t| {
            score(
                &s.pairs,
                &s.weights,
                &s.links,
                t,
                result.config.histogram_bins,
            )
        })
        .transpose()
}

/// Scores `links` (indices into `pairs`) and all blocked `pairs` (original
/// row, release row) with match `weights` against `truth`. Errors when
/// `weights` does not pair up with `pairs`, a weight is NaN or a link is not
/// an index into `pairs`.
pub fn score(
    pairs: &[(u32, u32)],
    weights: &[f64],
    links: &[usize],
    truth: &TruthKey,
    histogram_bins: usize,
) -> Result<LinkageScores, EvalError> {
    if pairs.len() != weights.len() {
        return Err(EvalError::LengthMismatch {
            left_name: "the blocked pairs".into(),
            left: pairs.len(),
            right_name: "their match weights".into(),
            right: weights.len(),
        });
    }
    if let Some(&i) = links.iter().find(|&&i| i >= pairs.len()) {
        return Err(EvalError::Invalid(format!(
            "link {i} is not one of the {} blocked pairs",
            pairs.len()
        )));
    }
    let true_pairs = truth.len() as u64;
    let is_true: Vec<bool> = pairs.par_iter().map(|&p| truth.contains(p)).collect();
    let true_pairs_blocked = is_true.iter().filter(|&&t| t).count() as u64;
    let correct_links = links.iter().filter(|&&i| is_true[i]).count() as u64;
    let precision = Rate::count(correct_links, links.len() as u64).point();
    let recall = Rate::count(correct_links, true_pairs).point();
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };

    // Best candidates per release row: (highest weight, candidates at that
    // weight, true originals among them); see the module docs.
    let n_release = truth.n_release();
    let mut best: Vec<(f64, u64, u64)> = vec![(f64::NEG_INFINITY, 0, 0); n_release];
    for (i, &(_, r)) in pairs.iter().enumerate() {
        let Some(e) = best.get_mut(r as usize) else {
            continue;
        };
        let (w, t) = (weights[i], u64::from(is_true[i]));
        if e.1 == 0 || w > e.0 {
            *e = (w, 1, t);
        } else if w == e.0 {
            e.1 += 1;
            e.2 += t;
        }
    }
    let attacked_records = n_release as u64;
    let records_without_candidate = best.iter().filter(|b| b.1 == 0).count() as u64;
    let records_without_source = (n_release - truth.release_rows_with_truth()) as u64;
    // `+ 0.0`: an empty f64 sum is -0.0.
    let expected_correct = best.iter().map(|b| expected_share(b.2, b.1)).sum::<f64>() + 0.0;
    let unique_correct = best.iter().filter(|b| b.1 == 1 && b.2 == 1).count() as u64;
    let expected_reidentification_rate = Rate::new(expected_correct, attacked_records).point();
    let unique_reidentification_rate = Rate::count(unique_correct, attacked_records).point();

    // PR curve from true and false counts per distinct weight: counting per
    // weight instead of sorting every pair keeps this linear in the pairs.
    // -0.0 and 0.0 are one weight.
    let key = |w: f64| (w + 0.0).to_bits();
    let per_weight = (0..pairs.len())
        .into_par_iter()
        .fold(PlHashMap::<u64, (u64, u64)>::default, |mut map, i| {
            let e = map.entry(key(weights[i])).or_insert((0, 0));
            if is_true[i] {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
            map
        })
        .reduce(PlHashMap::default, |mut a, b| {
            for (w, (t, f)) in b {
                let e = a.entry(w).or_insert((0, 0));
                e.0 += t;
                e.1 += f;
            }
            a
        });
    let per_weight: Vec<(f64, u64, u64)> = per_weight
        .into_iter()
        .map(|(w, (t, f))| (f64::from_bits(w), t, f))
        .collect();
    // With no true pair no point has a true positive, so a denominator of 1
    // gives recall 0 everywhere, as 0 of 0 reads.
    let points = pr_curve_from_counts(per_weight, true_pairs.max(1))?;
    let pr_curve = thin(points, MAX_PR_POINTS);

    Ok(LinkageScores {
        true_pairs,
        true_pairs_blocked,
        links: links.len() as u64,
        correct_links,
        precision,
        recall,
        f1,
        attacked_records,
        records_without_candidate,
        records_without_source,
        expected_correct,
        expected_reidentification_rate,
        unique_correct,
        unique_reidentification_rate,
        pr_curve,
        weight_histogram: weight_histogram(weights, &is_true, histogram_bins),
    })
}

/// `max` points picked at even steps, plus the last point when the steps
/// missed it; curves of at most `max` points are kept whole.
fn thin(points: Vec<PrPoint>, max: usize) -> Vec<PrPoint> {
    if points.len() <= max {
        return points;
    }
    let step = points.len() as f64 / max as f64;
    let mut thin: Vec<PrPoint> = (0..max)
        .map(|j| points[(j as f64 * step) as usize])
        .collect();
    if let Some(last) = points.last() {
        if thin.last() != Some(last) {
            thin.push(*last);
        }
    }
    thin
}

/// Histogram of `weights` split by `is_true`, `bins` (at least 1) equal bins
/// over the weights' range (a range of one value is widened by 0.5 each way).
fn weight_histogram(weights: &[f64], is_true: &[bool], bins: usize) -> WeightHistogram {
    let bins = bins.max(1);
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
    for (&w, &t) in weights.iter().zip(is_true) {
        let b = (((w - lo) / width) as usize).min(bins - 1);
        if t {
            matches[b] += 1;
        } else {
            non_matches[b] += 1;
        }
    }
    WeightHistogram {
        edges,
        matches,
        non_matches,
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
        let truth = TruthKey::new(4, [(0, 0), (1, 1), (2, 2)]);
        // Links (0,0) and (2,1): 1 correct of 2; recall 1/3; F1 = 2*(1/2)(1/3)/(5/6) = 0.4.
        let s = score(&pairs, &weights, &[0, 3], &truth, 4).unwrap();
        assert_eq!(s.true_pairs_blocked, 2);
        assert_eq!(s.precision, 0.5);
        assert!((s.recall - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.f1 - 0.4).abs() < 1e-12);
        // Rates over all 4 release rows: release 0 -> (0,0) unique and
        // correct; release 1 -> (2,1) weight 4 wrong; release 2 has no
        // candidate; release 3 has no source. 1 of 4 either way.
        assert_eq!(s.attacked_records, 4);
        assert_eq!(s.records_without_candidate, 1);
        assert_eq!(s.records_without_source, 1);
        assert_eq!((s.expected_correct, s.unique_correct), (1.0, 1));
        assert_eq!(s.expected_reidentification_rate, 0.25);
        assert_eq!(s.unique_reidentification_rate, 0.25);
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

    /// Ties among the best candidates, by hand. Release 0: three candidates
    /// at weight 2 (one true) and one at 1 -> 1/3, not unique. Release 1:
    /// one true candidate at 3 above a false one at 0.0 -> 1, unique.
    /// Release 2: two candidates tied at -0.0 and 0.0, both true (a truth
    /// key shared by two originals) -> 2/2 = 1, not unique. Release 3: best
    /// candidate false -> 0. Release 4: no candidate and no source.
    /// Expected = (1/3 + 1 + 1 + 0 + 0) / 5 = 7/15; unique = 1/5.
    #[test]
    fn rates_count_ties_and_every_release_row() {
        let pairs = [
            (0, 0),
            (1, 0),
            (2, 0),
            (3, 0),
            (1, 1),
            (2, 1),
            (4, 2),
            (5, 2),
            (0, 3),
            (6, 3),
        ];
        let weights = [2.0, 2.0, 2.0, 1.0, 3.0, 0.0, -0.0, 0.0, 5.0, 4.0];
        let truth = TruthKey::new(5, [(1, 0), (1, 1), (4, 2), (5, 2), (6, 3)]);
        let s = score(&pairs, &weights, &[], &truth, 2).unwrap();
        assert_eq!(s.attacked_records, 5);
        assert_eq!(s.records_without_candidate, 1);
        assert_eq!(s.records_without_source, 1);
        assert!((s.expected_correct - 7.0 / 3.0).abs() < 1e-12);
        assert!((s.expected_reidentification_rate - 7.0 / 15.0).abs() < 1e-12);
        assert_eq!(s.unique_correct, 1);
        assert_eq!(s.unique_reidentification_rate, 0.2);
    }

    #[test]
    fn truth_pairs_by_release_row() {
        // Release 1 has two originals (a truth key shared by two rows),
        // release 2 none; the duplicate (0, 0) counts once, (5, 9) is beyond
        // the 4 release rows and ignored.
        let t = TruthKey::new(4, [(3, 1), (0, 0), (1, 1), (0, 0), (5, 9)]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.originals_of(1), &[1, 3]);
        assert!(t.contains((3, 1)) && t.contains((0, 0)));
        assert!(!t.contains((0, 1)) && !t.contains((0, 2)) && !t.contains((0, 9)));
        assert_eq!(t.release_rows_with_truth(), 2);
        assert_eq!(t.n_release(), 4);
    }

    #[test]
    fn pr_curve_merges_ties_and_signed_zero() {
        // Weights 0.0 and -0.0 are one threshold; 2.0 comes first.
        let pairs = [(0, 0), (1, 1), (2, 2)];
        let weights = [0.0, -0.0, 2.0];
        let truth = TruthKey::new(3, [(0, 0), (2, 2)]);
        let s = score(&pairs, &weights, &[], &truth, 2).unwrap();
        assert_eq!(s.pr_curve.len(), 2);
        assert_eq!(s.pr_curve[0].threshold, 2.0);
        assert_eq!((s.pr_curve[0].precision, s.pr_curve[0].recall), (1.0, 0.5));
        assert!((s.pr_curve[1].precision - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.pr_curve[1].recall, 1.0);
    }

    #[test]
    fn bad_inputs_are_errors_and_rates_are_rates() {
        let truth = TruthKey::new(2, [(0, 0), (1, 1)]);
        let pairs = [(0, 0), (1, 1)];
        let e = score(&pairs, &[1.0], &[], &truth, 2).unwrap_err();
        assert!(
            e.to_string()
                .contains("2 rows but their match weights has 1"),
            "{e}"
        );
        let e = score(&pairs, &[1.0, 2.0], &[2], &truth, 2).unwrap_err();
        assert!(e.to_string().contains("link 2 is not one of the 2"), "{e}");
        assert!(score(&pairs, &[1.0, f64::NAN], &[], &truth, 2).is_err());
        // Both rows' best candidate is unique and true: 2 of 2; one link, correct.
        let s = score(&pairs, &[1.0, 2.0], &[1], &truth, 2).unwrap();
        assert_eq!(s.expected_rate(), Rate::new(2.0, 2));
        assert_eq!(s.unique_rate(), Rate::count(2, 2));
        assert_eq!(s.precision_rate().point(), 1.0);
        assert_eq!(s.recall_rate().point(), 0.5);
        // No true pair at all: recall 0 at every point, not an error.
        let none = TruthKey::new(2, []);
        let s = score(&pairs, &[1.0, 2.0], &[1], &none, 2).unwrap();
        assert!(s
            .pr_curve
            .iter()
            .all(|p| p.recall == 0.0 && p.precision == 0.0));
    }

    #[test]
    fn long_curves_are_thinned_keeping_the_last_point() {
        // 450 distinct weights, one true pair each: 200 points at steps of
        // 2.25 (indices 0, 2, 4, 6, 9, ...) plus the last.
        let n = 450u32;
        let pairs: Vec<(u32, u32)> = (0..n).map(|i| (i, i)).collect();
        let weights: Vec<f64> = (0..n).map(f64::from).collect();
        let truth = TruthKey::new(n as usize, pairs.iter().copied());
        let s = score(&pairs, &weights, &[], &truth, 4).unwrap();
        assert_eq!(s.pr_curve.len(), 201);
        assert_eq!(s.pr_curve[0].threshold, 449.0);
        assert_eq!(s.pr_curve[4].threshold, 449.0 - 9.0);
        assert_eq!(s.pr_curve[200].threshold, 0.0);
        assert_eq!(s.pr_curve[200].recall, 1.0);
    }
}
