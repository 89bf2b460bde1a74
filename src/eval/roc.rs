//! ROC curve, AUC, equal error rate and precision-recall curve of scored
//! trials: the one implementation in the crate. Attacks return scores and
//! labels; the report draws the points and the EER computed here and
//! computes neither itself.
//!
//! * [`roc_curve`]: one operating point per distinct score ("accept iff
//!   `score >= threshold`"), from the all-reject point `(0, 0)` to `(1, 1)`;
//!   trials with equal scores move together, so a tie makes a diagonal step
//!   (Fawcett 2006, "An introduction to ROC analysis", Pattern Recognition
//!   Letters 27, algorithm 2).
//! * AUC ([`RocCurve::auc`], [`auc`]): the trapezoidal area under those
//!   points, which with tied scores counting half equals the Mann-Whitney
//!   probability that a random positive outscores a random negative
//!   (scikit-learn's `roc_auc_score` gives the same figure).
//! * EER ([`equal_error_rate`]): where the empirical curve crosses
//!   `FNR = FPR`, read off the straight segment between the two operating
//!   points that bracket the crossing. A point on that segment is reached by
//!   randomising between the two thresholds (Fawcett 2006, section 6), so the
//!   EER is attainable and equals what a chart of the same points shows. This
//!   is not the Bosaris toolkit's ROCCH-EER (Brümmer & de Villiers 2011,
//!   "The BOSARIS toolkit"), which first takes the ROC convex hull and so can
//!   be lower when the curve has a concave dent (see the tests: 4/9 here
//!   against 2/5 on the hull), nor the "nearest operating point" reading of
//!   some PAN evaluation scripts, which is off by up to half a step.
//! * [`pr_curve`]: precision and recall at every distinct score, with the
//!   recall denominator given by the caller (every attacked record, including
//!   those the attack found no candidate for); [`pr_curve_from_counts`] the
//!   same from per-score counts of positives and negatives (record linkage:
//!   millions of blocked pairs at a few distinct match weights);
//!   [`pr_at_thresholds`] precision and recall on a fixed threshold grid
//!   (document linkage's 0.00, 0.01, ..., 1.00).
//!
//! What it does not do: choose thresholds for decisions or bound epsilon
//! (that is [`super::epsilon`]), or draw (that is `crate::report::charts`).

use serde::{Deserialize, Serialize};

use super::EvalError;

/// One operating point: accept "same author" iff `score >= threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RocPoint {
    /// Decision threshold (`+inf` for the point that accepts nothing).
    pub threshold: f64,
    /// False-positive rate: accepted negatives / negatives.
    pub fpr: f64,
    /// True-positive rate: accepted positives / positives.
    pub tpr: f64,
    /// Accepted positives.
    pub true_positives: usize,
    /// Accepted negatives.
    pub false_positives: usize,
}

/// A ROC curve (points from (0,0) to (1,1), thresholds decreasing) and its
/// area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    /// Operating points, one per distinct score plus the all-reject start.
    pub points: Vec<RocPoint>,
    /// Area under the curve (trapezoidal; ties count half, so it equals the
    /// Mann-Whitney probability that a random positive outscores a random
    /// negative).
    pub auc: f64,
    /// Number of positive trials.
    pub positives: usize,
    /// Number of negative trials.
    pub negatives: usize,
}

/// Scores and labels pair up one to one and no score is NaN.
fn check_paired(scores: &[f64], labels: &[bool]) -> Result<(), EvalError> {
    if scores.len() != labels.len() {
        return Err(EvalError::Invalid(format!(
            "{} scores but {} labels; they must pair up one to one",
            scores.len(),
            labels.len()
        )));
    }
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(EvalError::Invalid(format!("score of trial {i} is NaN")));
    }
    Ok(())
}

fn check_trials(scores: &[f64], labels: &[bool]) -> Result<(usize, usize), EvalError> {
    check_paired(scores, labels)?;
    let pos = labels.iter().filter(|&&l| l).count();
    let neg = labels.len() - pos;
    if pos == 0 || neg == 0 {
        return Err(EvalError::Invalid(format!(
            "{pos} positive and {neg} negative trials: ROC analysis needs at least one of each"
        )));
    }
    Ok((pos, neg))
}

/// The ROC curve of `scores` (higher = positive) against `labels`.
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Result<RocCurve, EvalError> {
    let (pos, neg) = check_trials(scores, labels)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut points = Vec::with_capacity(scores.len() + 1);
    points.push(RocPoint {
        threshold: f64::INFINITY,
        fpr: 0.0,
        tpr: 0.0,
        true_positives: 0,
        false_positives: 0,
    });
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut area2 = 0.0; // twice the area in units of (1/neg) x (1/pos)
    let mut k = 0;
    while k < order.len() {
        let s = scores[order[k]];
        let (tp0, fp0) = (tp, fp);
        while k < order.len() && scores[order[k]] == s {
            if labels[order[k]] {
                tp += 1;
            } else {
                fp += 1;
            }
            k += 1;
        }
        area2 += ((fp - fp0) * (tp + tp0)) as f64;
        points.push(RocPoint {
            threshold: s,
            fpr: fp as f64 / neg as f64,
            tpr: tp as f64 / pos as f64,
            true_positives: tp,
            false_positives: fp,
        });
    }
    Ok(RocCurve {
        points,
        auc: area2 / (2.0 * pos as f64 * neg as f64),
        positives: pos,
        negatives: neg,
    })
}

/// Area under the ROC curve of `scores` against `labels`.
pub fn auc(scores: &[f64], labels: &[bool]) -> Result<f64, EvalError> {
    Ok(roc_curve(scores, labels)?.auc)
}

/// The equal error rate and where it is reached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EqualErrorRate {
    /// The rate at which false positives and false negatives are equal.
    pub eer: f64,
    /// The threshold of the first operating point (from the strict end) whose
    /// false-negative rate is at most its false-positive rate.
    pub threshold: f64,
    /// False-positive rate at `threshold`.
    pub fpr_at_threshold: f64,
    /// False-negative rate at `threshold`.
    pub fnr_at_threshold: f64,
}

impl EqualErrorRate {
    /// The `(fpr, tpr)` point of the EER on the ROC curve, `(eer, 1 - eer)`:
    /// the marker the ROC chart draws.
    pub fn point(&self) -> (f64, f64) {
        (self.eer, 1.0 - self.eer)
    }
}

impl RocCurve {
    /// The operating points as `(fpr, tpr)` pairs, the curve a chart draws.
    pub fn fpr_tpr(&self) -> Vec<(f64, f64)> {
        self.points.iter().map(|p| (p.fpr, p.tpr)).collect()
    }
}

/// The equal error rate of a ROC curve: where it crosses `FNR = FPR`.
///
/// Walking the operating points from the strictest threshold, FPR rises and
/// FNR = 1 - TPR falls; the curve crosses the line between the last point with
/// FNR > FPR and the first with FNR <= FPR. The EER is read off the straight
/// segment joining them (the operating points of randomising between the two
/// thresholds, Fawcett 2006), so it is exact for the curve as drawn and does
/// not depend on which side of the crossing the nearest point lies. The
/// reported threshold is that of the first point with FNR <= FPR.
pub fn equal_error_rate(roc: &RocCurve) -> Result<EqualErrorRate, EvalError> {
    // FNR - FPR scaled by positives x negatives, exact in integers:
    // (pos - tp) * neg - fp * pos.
    let (pos, neg) = (roc.positives as f64, roc.negatives as f64);
    let diff = |p: &RocPoint| {
        (roc.positives.saturating_sub(p.true_positives)) as f64 * neg
            - p.false_positives as f64 * pos
    };
    let k = roc
        .points
        .iter()
        .position(|p| diff(p) <= 0.0)
        .ok_or_else(|| EvalError::Invalid("ROC curve does not reach (1,1)".into()))?;
    let b = roc.points[k];
    let eer = if k == 0 || diff(&b) == 0.0 {
        b.fpr
    } else {
        let a = roc.points[k - 1];
        let (da, db) = (diff(&a), diff(&b));
        let lambda = da / (da - db);
        a.fpr + lambda * (b.fpr - a.fpr)
    };
    Ok(EqualErrorRate {
        eer,
        threshold: b.threshold,
        fpr_at_threshold: b.fpr,
        fnr_at_threshold: 1.0 - b.tpr,
    })
}

/// One point of a precision-recall curve: call "match" iff
/// `score >= threshold`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PrPoint {
    /// Decision threshold.
    pub threshold: f64,
    /// Accepted positives / accepted trials.
    pub precision: f64,
    /// Accepted positives / all positives (the caller's denominator).
    pub recall: f64,
}

/// The precision-recall curve of `scores` against `labels`, one point per
/// distinct score in decreasing order. `positives` is the recall denominator:
/// at least the number of positive labels, more when some true matches were
/// never scored (a record with no candidate still counts as missed).
pub fn pr_curve(
    scores: &[f64],
    labels: &[bool],
    positives: usize,
) -> Result<Vec<PrPoint>, EvalError> {
    check_paired(scores, labels)?;
    let counts: Vec<(f64, u64, u64)> = scores
        .iter()
        .zip(labels)
        .map(|(&s, &l)| (s, u64::from(l), u64::from(!l)))
        .collect();
    pr_curve_from_counts(counts, positives as u64)
}

/// The precision-recall curve of trials given as `(score, positives,
/// negatives)` counts: the same points as [`pr_curve`] over the trials the
/// counts stand for, one per distinct score in decreasing order (entries with
/// equal scores, `-0.0` and `0.0` included, are merged; the point's threshold
/// is the larger in `f64::total_cmp` order, `0.0`). For attacks that score
/// many trials at few distinct scores (the blocked pairs of a record linkage
/// share a handful of match weights), counting per score first keeps memory
/// linear in the distinct scores. `positives` as in [`pr_curve`].
pub fn pr_curve_from_counts(
    mut counts: Vec<(f64, u64, u64)>,
    positives: u64,
) -> Result<Vec<PrPoint>, EvalError> {
    if let Some(i) = counts.iter().position(|c| c.0.is_nan()) {
        return Err(EvalError::Invalid(format!("score of entry {i} is NaN")));
    }
    let labelled: u64 = counts.iter().map(|c| c.1).sum();
    if positives == 0 || positives < labelled {
        return Err(EvalError::Invalid(format!(
            "recall denominator {positives} but {labelled} positive trials: it must be at least the positives and more than 0"
        )));
    }
    counts.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<PrPoint> = Vec::new();
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut k = 0;
    while k < counts.len() {
        let s = counts[k].0;
        while k < counts.len() && counts[k].0 == s {
            tp += counts[k].1;
            fp += counts[k].2;
            k += 1;
        }
        out.push(PrPoint {
            threshold: s,
            precision: tp as f64 / (tp + fp) as f64,
            recall: tp as f64 / positives as f64,
        });
    }
    Ok(out)
}

/// Precision and recall at each of the given `thresholds` (in the order
/// given), calling "match" iff `score >= threshold`: a curve on a fixed grid
/// rather than at every distinct score (document linkage reports its curve at
/// similarity 0.00, 0.01, ..., 1.00). Where no trial reaches a threshold,
/// precision is 1 by convention (no accepted trial is wrong; scikit-learn's
/// `precision_recall_curve` ends on the same point) and recall 0.
/// `positives` as in [`pr_curve`]. Thresholds must not be NaN.
pub fn pr_at_thresholds(
    scores: &[f64],
    labels: &[bool],
    positives: usize,
    thresholds: &[f64],
) -> Result<Vec<PrPoint>, EvalError> {
    check_paired(scores, labels)?;
    let labelled = labels.iter().filter(|&&l| l).count();
    if positives == 0 || positives < labelled {
        return Err(EvalError::Invalid(format!(
            "recall denominator {positives} but {labelled} positive trials: it must be at least the positives and more than 0"
        )));
    }
    if let Some(i) = thresholds.iter().position(|t| t.is_nan()) {
        return Err(EvalError::Invalid(format!("threshold {i} is NaN")));
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    // true_before[j]: positives among the j highest scores.
    let mut true_before = Vec::with_capacity(order.len() + 1);
    true_before.push(0usize);
    for &i in &order {
        let last = true_before[true_before.len() - 1];
        true_before.push(last + usize::from(labels[i]));
    }
    Ok(thresholds
        .iter()
        .map(|&t| {
            // Scores descend, so those at or above `t` are a prefix.
            let accepted = order.partition_point(|&i| scores[i] >= t);
            let tp = true_before[accepted];
            PrPoint {
                threshold: t,
                precision: if accepted == 0 {
                    1.0
                } else {
                    tp as f64 / accepted as f64
                },
                recall: tp as f64 / positives as f64,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six trials with ties: P 0.9, P 0.8, N 0.8, N 0.8, N 0.5, P 0.3
    /// (3 positives, 3 negatives).
    fn tied() -> (Vec<f64>, Vec<bool>) {
        (
            vec![0.9, 0.8, 0.8, 0.8, 0.5, 0.3],
            vec![true, true, false, false, false, true],
        )
    }

    #[test]
    fn roc_and_auc_with_ties_by_hand() {
        // Operating points (fpr, tpr): (0,0) all-reject; t=0.9 (0,1/3);
        // t=0.8 takes one P and two N at once (2/3,2/3); t=0.5 (1,2/3);
        // t=0.3 (1,1). Trapezoids: 2/3 * (1/3+2/3)/2 + 1/3 * (2/3+2/3)/2
        // = 1/3 + 2/9 = 5/9. Mann-Whitney: P0.9 beats 3 N (3), P0.8 ties two
        // N (2 x 1/2) and beats N0.5 (1), P0.3 beats none: 5 / 9.
        let (s, l) = tied();
        let roc = roc_curve(&s, &l).unwrap();
        let pts: Vec<(f64, f64)> = roc.points.iter().map(|p| (p.fpr, p.tpr)).collect();
        let want = [
            (0.0, 0.0),
            (0.0, 1.0 / 3.0),
            (2.0 / 3.0, 2.0 / 3.0),
            (1.0, 2.0 / 3.0),
            (1.0, 1.0),
        ];
        assert_eq!(pts.len(), want.len());
        for (g, w) in pts.iter().zip(want) {
            assert!(
                (g.0 - w.0).abs() < 1e-12 && (g.1 - w.1).abs() < 1e-12,
                "{g:?} vs {w:?}"
            );
        }
        assert!((roc.auc - 5.0 / 9.0).abs() < 1e-12, "{}", roc.auc);
        assert!((auc(&s, &l).unwrap() - 5.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn eer_interpolates_across_a_tie() {
        // FNR - FPR is 2/3 at t=0.9 (fnr 2/3, fpr 0) and -1/3 at t=0.8 (fnr
        // 1/3, fpr 2/3). On the segment, fpr = 2/3 L and fnr = 2/3 - L/3; they
        // meet at L = 2/3: EER = 4/9. (Bosaris' ROCCH-EER would read 2/5 off
        // the hull segment (0,1/3)-(1,1); the nearest operating point would
        // give fpr 2/3, fnr 1/3.)
        let (s, l) = tied();
        let e = equal_error_rate(&roc_curve(&s, &l).unwrap()).unwrap();
        assert!((e.eer - 4.0 / 9.0).abs() < 1e-12, "{}", e.eer);
        assert_eq!(e.threshold, 0.8);
        assert!((e.fpr_at_threshold - 2.0 / 3.0).abs() < 1e-12);
        assert!((e.fnr_at_threshold - 1.0 / 3.0).abs() < 1e-12);
        // A tie that jumps over the crossing: P 0.9, N 0.8, P 0.8, N 0.5. At
        // t=0.9 fnr 1/2, fpr 0; at t=0.8 fnr 0, fpr 1/2. On the segment
        // fpr = L/2 and fnr = 1/2 - L/2 meet at L = 1/2: EER = 1/4.
        let roc = roc_curve(&[0.9, 0.8, 0.8, 0.5], &[true, false, true, false]).unwrap();
        assert!((equal_error_rate(&roc).unwrap().eer - 0.25).abs() < 1e-12);
        // An operating point exactly on FNR = FPR is the EER itself: P 0.9,
        // N 0.7, P 0.6, N 0.5 -> at t=0.7 fnr = fpr = 1/2.
        let roc = roc_curve(&[0.9, 0.7, 0.6, 0.5], &[true, false, true, false]).unwrap();
        let e = equal_error_rate(&roc).unwrap();
        assert_eq!((e.eer, e.threshold), (0.5, 0.7));
    }

    #[test]
    fn pr_curve_with_ties_by_hand() {
        // Denominator 4: one true match was never scored. t=0.9: 1/1, 1/4;
        // t=0.8: 2/4, 2/4; t=0.5: 2/5, 2/4; t=0.3: 3/6, 3/4.
        let (s, l) = tied();
        let pr = pr_curve(&s, &l, 4).unwrap();
        let got: Vec<(f64, f64, f64)> = pr
            .iter()
            .map(|p| (p.threshold, p.precision, p.recall))
            .collect();
        assert_eq!(
            got,
            vec![
                (0.9, 1.0, 0.25),
                (0.8, 0.5, 0.5),
                (0.5, 0.4, 0.5),
                (0.3, 0.5, 0.75)
            ]
        );
        assert!(pr_curve(&s, &l, 2).is_err());
        assert!(pr_curve(&s, &l[1..], 4).is_err());
    }

    #[test]
    fn pr_curve_from_counts_merges_equal_scores() {
        // The trials of `tied()` as counts, 0.8 split over two entries and
        // listed out of order: the same four points.
        let counts = vec![
            (0.3, 1, 0),
            (0.8, 1, 1),
            (0.9, 1, 0),
            (0.5, 0, 1),
            (0.8, 0, 1),
        ];
        let (s, l) = tied();
        assert_eq!(
            pr_curve_from_counts(counts, 4).unwrap(),
            pr_curve(&s, &l, 4).unwrap()
        );
        // -0.0 and 0.0 are one threshold, 0.0: 1 true + 1 false, then 1 true
        // at -1. Precision 1/2 then 2/3; recall over 2.
        let pr = pr_curve_from_counts(vec![(-0.0, 1, 0), (0.0, 0, 1), (-1.0, 1, 0)], 2).unwrap();
        let got: Vec<(f64, f64, f64)> = pr
            .iter()
            .map(|p| (p.threshold, p.precision, p.recall))
            .collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (0.0, 0.5, 0.5));
        assert!(got[0].0.is_sign_positive());
        assert_eq!((got[1].0, got[1].2), (-1.0, 1.0));
        assert!((got[1].1 - 2.0 / 3.0).abs() < 1e-12);
        assert!(pr_curve_from_counts(vec![(f64::NAN, 1, 0)], 1).is_err());
        assert!(pr_curve_from_counts(vec![(1.0, 3, 0)], 2).is_err());
    }

    #[test]
    fn pr_at_thresholds_by_hand() {
        // Trials of `tied()`, 4 positives in all (one never scored).
        // t=1.0: nothing accepted -> precision 1 (convention), recall 0.
        // t=0.85: {P0.9} -> 1/1, 1/4. t=0.8: {0.9, 0.8 x3} 2 P of 4 -> 1/2, 2/4.
        // t=0.4: adds N0.5 -> 2/5, 2/4. t=0.0: all six, 3 P -> 3/6, 3/4.
        // Thresholds are reported in the order given.
        let (s, l) = tied();
        let pr = pr_at_thresholds(&s, &l, 4, &[1.0, 0.85, 0.8, 0.4, 0.0]).unwrap();
        let got: Vec<(f64, f64, f64)> = pr
            .iter()
            .map(|p| (p.threshold, p.precision, p.recall))
            .collect();
        assert_eq!(
            got,
            vec![
                (1.0, 1.0, 0.0),
                (0.85, 1.0, 0.25),
                (0.8, 0.5, 0.5),
                (0.4, 0.4, 0.5),
                (0.0, 0.5, 0.75)
            ]
        );
        // At the distinct scores it is the curve itself.
        assert_eq!(
            pr_at_thresholds(&s, &l, 4, &[0.9, 0.8, 0.5, 0.3]).unwrap(),
            pr_curve(&s, &l, 4).unwrap()
        );
        assert!(pr_at_thresholds(&s, &l, 2, &[0.5]).is_err());
        assert!(pr_at_thresholds(&s, &l, 4, &[f64::NAN]).is_err());
    }
}
