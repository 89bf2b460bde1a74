//! Scoring of the joint pseudonym attack (`attacks::pseudonym_linkage`)
//! against the truth: precision at each coverage, the share of pseudonyms
//! named at a target precision, per signal and fused, the attacker's own
//! abstention rule, the authorship-k distribution and the pooling curve.
//!
//! **Precision at coverage.** The assigned pseudonyms are ranked by the
//! margin of their assignment over the runner-up; naming the top `k` gives
//! coverage `k / n` (all `n` pseudonyms in the denominator) and precision
//! `correct(k) / k`, with a Wilson interval. The *share named at precision
//! p* is the largest coverage whose precision is at least `p`, cut only
//! between distinct margins (the usual coverage-at-precision reading of
//! selective prediction, e.g. El-Yaniv & Wiener 2010). It is an oracle
//! figure: it picks the cut with the truth, so it is the most the attacker's
//! ranking allows, not what its own threshold achieves (reported beside it).
//!
//! This module runs no attack and reads no file.

use serde::Serialize;

use super::rate::{Interval, Rate};
use super::EvalError;
use crate::attacks::pseudonym_linkage::{Experiment, PseudonymLinkage};

/// The precision at which the audit's runner scores the attack (a claim may
/// ask for another; it rescores the same experiment).
pub const DEFAULT_PRECISION: f64 = 0.95;

/// The audit's experiment and its scores at the target precision (what
/// `reident pseudonyms` prints and the `pseudonym_linkage` claim decides on).
#[derive(Debug, Clone, Serialize)]
pub struct PseudonymLinkageRun {
    /// The experiment (attack, pooling runs; the truth is not serialized).
    pub experiment: Experiment,
    /// Its scores.
    pub scores: PseudonymLinkageScore,
}

/// One point of a precision-vs-coverage curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveragePoint {
    /// Pseudonyms named.
    pub named: usize,
    /// named / all pseudonyms.
    pub coverage: f64,
    /// Correct among the named.
    pub correct: usize,
    /// correct / named.
    pub precision: f64,
    /// Wilson interval of the precision.
    pub precision_interval: Interval,
}

/// One attack's (a signal's, or the fusion's) figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttackScore {
    /// `fused` or the signal's name.
    pub name: String,
    /// Why the signal did not run (`None` when it ran).
    pub skipped: Option<String>,
    /// Pseudonyms whose assignment is correct (no abstention).
    pub correct_top1: usize,
    /// The curve, one point per distinct margin cut.
    pub curve: Vec<CoveragePoint>,
    /// Pseudonyms named at the target precision (oracle cut).
    pub named_at_precision: usize,
    /// named_at_precision / pseudonyms.
    pub share_at_precision: f64,
    /// Wilson interval of that share.
    pub share_interval: Interval,
}

/// Scores of the joint attack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PseudonymLinkageScore {
    /// Pseudonyms attacked.
    pub pseudonyms: usize,
    /// Pseudonyms whose true person is a candidate.
    pub with_truth: usize,
    /// Candidates.
    pub candidates: usize,
    /// The target precision.
    pub target_precision: f64,
    /// The fused attack.
    pub fused: AttackScore,
    /// Each signal alone (registry order; skipped ones included).
    pub signals: Vec<AttackScore>,
    /// Named by the attacker's own threshold, correct among them.
    pub attacker_named: usize,
    /// Correct among `attacker_named`.
    pub attacker_correct: usize,
    /// The attacker's threshold (margin in log posterior odds).
    pub threshold: f64,
    /// Authorship-k distribution: (k, pseudonyms with that k), by k.
    pub authorship_k: Vec<(usize, usize)>,
    /// Median authorship-k.
    pub median_authorship_k: Option<usize>,
    /// The pooling curve: (documents per pseudonym, eligible pseudonyms,
    /// correct top-1 among them).
    pub pooling: Vec<(usize, usize, usize)>,
}

impl PseudonymLinkageScore {
    /// The single signal naming the most pseudonyms at the target precision.
    pub fn best_single(&self) -> Option<&AttackScore> {
        self.signals
            .iter()
            .filter(|s| s.skipped.is_none())
            .max_by(|a, b| {
                a.named_at_precision
                    .cmp(&b.named_at_precision)
                    .then(b.name.cmp(&a.name))
            })
    }

    /// The attack a claim is decided on: the fusion, or the single signal
    /// that names more pseudonyms at the target precision than the fusion
    /// (the attacker uses whichever names more; ties go to the fusion).
    pub fn strongest(&self) -> &AttackScore {
        match self.best_single() {
            Some(b) if b.named_at_precision > self.fused.named_at_precision => b,
            _ => &self.fused,
        }
    }

    /// The most pseudonyms any one attack (the fusion, or a signal alone)
    /// assigns correctly without abstention: the identity attack's outcome
    /// for an epsilon bound.
    pub fn most_correct_top1(&self) -> usize {
        self.signals
            .iter()
            .filter(|a| a.skipped.is_none())
            .map(|a| a.correct_top1)
            .fold(self.fused.correct_top1, usize::max)
    }

    /// Signals that ran.
    pub fn signals_run(&self) -> usize {
        self.signals.iter().filter(|s| s.skipped.is_none()).count()
    }
}

/// Precision at each coverage of `assigned` ranked by `margins`.
pub fn precision_coverage(
    assigned: &[Option<usize>],
    margins: &[f64],
    truth: &[Option<usize>],
    level: f64,
) -> Result<Vec<CoveragePoint>, EvalError> {
    let n = assigned.len();
    let mut order: Vec<usize> = (0..n).filter(|&i| assigned[i].is_some()).collect();
    order.sort_by(|&a, &b| margins[b].total_cmp(&margins[a]).then(a.cmp(&b)));
    let mut out = Vec::new();
    let mut correct = 0usize;
    for (k, &i) in order.iter().enumerate() {
        if assigned[i].is_some() && assigned[i] == truth.get(i).copied().flatten() {
            correct += 1;
        }
        let boundary = order.get(k + 1).is_none_or(|&j| margins[j] < margins[i]);
        if boundary {
            let named = k + 1;
            out.push(CoveragePoint {
                named,
                coverage: named as f64 / n.max(1) as f64,
                correct,
                precision: correct as f64 / named as f64,
                precision_interval: Rate::count(correct as u64, named as u64)
                    .wilson(level, "precision at coverage")?,
            });
        }
    }
    Ok(out)
}

fn attack_score(
    name: &str,
    skipped: Option<String>,
    assigned: &[Option<usize>],
    margins: &[f64],
    truth: &[Option<usize>],
    target: f64,
    level: f64,
) -> Result<AttackScore, EvalError> {
    let n = truth.len();
    let curve = if skipped.is_some() {
        Vec::new()
    } else {
        precision_coverage(assigned, margins, truth, level)?
    };
    let named = curve
        .iter()
        .filter(|p| p.precision >= target)
        .map(|p| p.named)
        .max()
        .unwrap_or(0);
    let correct_top1 = assigned
        .iter()
        .zip(truth)
        .filter(|(a, t)| a.is_some() && a == t)
        .count();
    Ok(AttackScore {
        name: name.to_string(),
        skipped,
        correct_top1,
        curve,
        named_at_precision: named,
        share_at_precision: named as f64 / n.max(1) as f64,
        share_interval: Rate::count(named as u64, n as u64)
            .wilson(level, "share of pseudonyms named")?,
    })
}

/// Scores `attack` against `truth` (candidate per pseudonym; `None` = its
/// person is no candidate: any naming of it is wrong), at `target`
/// precision, intervals at `level`.
pub fn score(
    attack: &PseudonymLinkage,
    truth: &[Option<usize>],
    target: f64,
    level: f64,
) -> Result<PseudonymLinkageScore, EvalError> {
    let n = attack.fused.assigned.len();
    if truth.len() != n {
        return Err(EvalError::Invalid(format!(
            "{n} pseudonyms but {} truths",
            truth.len()
        )));
    }
    let f = &attack.fused;
    let fused = attack_score("fused", None, &f.assigned, &f.margins, truth, target, level)?;
    let signals = attack
        .signals
        .iter()
        .map(|s| {
            attack_score(
                s.kind.name(),
                s.skipped.clone(),
                &s.assigned,
                &s.margins,
                truth,
                target,
                level,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let named: Vec<usize> = (0..n).filter(|&i| f.named[i]).collect();
    let attacker_correct = named
        .iter()
        .filter(|&&i| f.assigned[i].is_some() && f.assigned[i] == truth[i])
        .count();
    let mut ks: std::collections::BTreeMap<usize, usize> = Default::default();
    for &k in &f.authorship_k {
        *ks.entry(k).or_insert(0) += 1;
    }
    let mut sorted = f.authorship_k.clone();
    sorted.sort_unstable();
    Ok(PseudonymLinkageScore {
        pseudonyms: n,
        with_truth: truth.iter().filter(|t| t.is_some()).count(),
        candidates: attack.candidates.len(),
        target_precision: target,
        fused,
        signals,
        attacker_named: named.len(),
        attacker_correct,
        threshold: attack.threshold,
        authorship_k: ks.into_iter().collect(),
        median_authorship_k: sorted.get(sorted.len() / 2).copied(),
        pooling: Vec::new(),
    })
}

/// Scores the audit's experiment: [`score`] plus the pooling curve.
pub fn score_experiment(
    e: &Experiment,
    target: f64,
    level: f64,
) -> Result<PseudonymLinkageScore, EvalError> {
    let mut s = score(&e.attack, &e.truth, target, level)?;
    s.pooling = e
        .pooling
        .iter()
        .map(|p| {
            let eligible: Vec<usize> = (0..p.eligible.len()).filter(|&i| p.eligible[i]).collect();
            let correct = eligible
                .iter()
                .filter(|&&i| p.assigned[i].is_some() && p.assigned[i] == e.truth[i])
                .count();
            (p.documents, eligible.len(), correct)
        })
        .filter(|(_, n, _)| *n > 0)
        .collect();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_at_coverage_by_hand() {
        // Margins 5 (right), 4 (wrong), 3 (right), 3 (right), 1 (wrong); 6 pseudonyms,
        // one unassigned.
        let assigned = [Some(0), Some(1), Some(2), Some(3), Some(4), None];
        let margins = [5.0, 4.0, 3.0, 3.0, 1.0, 0.0];
        let truth = [Some(0), Some(9), Some(2), Some(3), None, Some(5)];
        let c = precision_coverage(&assigned, &margins, &truth, 0.95).unwrap();
        let got: Vec<(usize, usize)> = c.iter().map(|p| (p.named, p.correct)).collect();
        // The tie at margin 3 is never split: cuts after 1, 2, 4, 5 named.
        assert_eq!(got, vec![(1, 1), (2, 1), (4, 3), (5, 3)]);
        assert!((c[2].coverage - 4.0 / 6.0).abs() < 1e-12);
        assert!((c[2].precision - 0.75).abs() < 1e-12);
        let s = attack_score("x", None, &assigned, &margins, &truth, 0.95, 0.95).unwrap();
        assert_eq!(s.named_at_precision, 1);
        assert_eq!(s.correct_top1, 3);
        let s = attack_score("x", None, &assigned, &margins, &truth, 0.75, 0.95).unwrap();
        assert_eq!(s.named_at_precision, 4);
    }

    #[test]
    fn the_strongest_attack_is_a_signal_when_it_names_more_than_the_fusion() {
        let truth = [Some(0), Some(1), Some(2), Some(3)];
        // The fusion: right, wrong, right, right by margin -> 1 named at 95%.
        let fused = attack_score(
            "fused",
            None,
            &[Some(0), Some(2), Some(2), Some(3)],
            &[4.0, 3.0, 2.0, 1.0],
            &truth,
            0.95,
            0.95,
        )
        .unwrap();
        // A signal: right, right, wrong, wrong -> 2 named at 95%, 2 correct.
        let signal = attack_score(
            "identifiers",
            None,
            &[Some(0), Some(1), Some(3), Some(2)],
            &[4.0, 3.0, 2.0, 1.0],
            &truth,
            0.95,
            0.95,
        )
        .unwrap();
        let skipped = AttackScore {
            skipped: Some("no identifiers".into()),
            correct_top1: 4,
            ..signal.clone()
        };
        assert_eq!((fused.named_at_precision, fused.correct_top1), (1, 3));
        assert_eq!((signal.named_at_precision, signal.correct_top1), (2, 2));
        let mut score = PseudonymLinkageScore {
            pseudonyms: 4,
            with_truth: 4,
            candidates: 4,
            target_precision: 0.95,
            fused,
            signals: vec![signal, skipped],
            attacker_named: 0,
            attacker_correct: 0,
            threshold: 1.0,
            authorship_k: Vec::new(),
            median_authorship_k: None,
            pooling: Vec::new(),
        };
        assert_eq!(score.strongest().name, "identifiers");
        // Top-1 without abstention: the fusion's 3 (the skipped signal's 4
        // does not count).
        assert_eq!(score.most_correct_top1(), 3);
        // A tie goes to the fusion.
        score.signals[0].named_at_precision = 1;
        assert_eq!(score.strongest().name, "fused");
    }
}
