//! Document linkage scored against a truth key, and the scored report of the
//! text attacks.
//!
//! `crate::attacks::text::link_documents` returns counts and each release
//! document's best candidate with its similarity and (with a truth key)
//! whether it is the true original; [`score_document_linkage`] turns them
//! into
//!
//! * the re-identification rate: release documents linked (similarity at or
//!   above the threshold) to their own original, over the release documents
//!   whose original is known ([`DocumentLinkageScores::reidentification`], a
//!   [`Rate`], so the claim's Wilson interval comes from [`super::rate`]); it
//!   equals the recall;
//! * precision (correct over linked documents with a known original; 1 when
//!   none is linked), F1, and the LSH candidate recall (documents whose true
//!   original was among the candidates, over those with a known original);
//! * the precision/recall curve on the fixed grid 0.00, 0.01, ..., 1.00 of
//!   similarity thresholds ([`super::roc::pr_at_thresholds`], the crate's one
//!   [`PrPoint`]);
//! * the similarity distributions of true and false best candidates (20 bins
//!   over [0, 1]).
//!
//! Without a truth key every score is `None` (or empty). [`score_text_report`]
//! does this for the whole `attacks::text::TextLeakReport` and returns the
//! [`ScoredTextReport`] that `reident text` writes and the audit keeps. It
//! does not link documents or decide claims.

use serde::Serialize;

use super::rate::Rate;
use super::roc::{pr_at_thresholds, PrPoint};
use super::EvalError;
use crate::attacks::text::{
    DocumentLink, HashAttack, LeakScan, LinkageConfig, LinkageResult, RedactionRecovery,
    TextLeakReport, TruthKey,
};

/// Bins of the similarity histograms over [0, 1].
const SIMILARITY_BINS: usize = 20;

/// Steps of the threshold grid of the precision/recall curve (0.00 to 1.00).
const PR_GRID_STEPS: usize = 100;

/// One bin of the similarity histograms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarityBin {
    /// Lower edge (inclusive).
    pub lower: f64,
    /// Upper edge (exclusive, inclusive for the last bin).
    pub upper: f64,
    /// Best candidates that are the true original.
    pub true_links: usize,
    /// Best candidates that are not.
    pub false_links: usize,
}

/// Document linkage with its scores (the attack's counts and links, and what
/// the truth key says about them).
#[derive(Debug, Clone, Serialize)]
pub struct DocumentLinkageScores {
    /// Parameters used.
    pub config: LinkageConfig,
    /// Release documents with no shingle (empty or punctuation only).
    pub empty_release_documents: usize,
    /// Original documents with no shingle.
    pub empty_original_documents: usize,
    /// Candidate pairs produced by LSH.
    pub candidate_pairs: usize,
    /// Release documents with at least one candidate.
    pub release_with_candidates: usize,
    /// Release documents linked (best similarity >= threshold).
    pub linked: usize,
    /// Release documents with a known original.
    pub with_truth: usize,
    /// Linked release documents whose link is the true original.
    pub correct: usize,
    /// Share of truth pairs whose original was among the LSH candidates.
    pub candidate_recall: Option<f64>,
    /// Share of release documents with a known original linked to it (= recall).
    pub reidentification_rate: Option<f64>,
    /// Correct / linked among documents with a known original.
    pub precision: Option<f64>,
    /// Correct / documents with a known original.
    pub recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub f1: Option<f64>,
    /// Histogram (20 bins over [0, 1]) of the best candidate's similarity, split
    /// by whether it is the true original.
    pub similarity_histogram: Vec<SimilarityBin>,
    /// Precision and recall at thresholds 0.00, 0.01, ..., 1.00 (precision 1
    /// where no document reaches the threshold).
    pub pr_curve: Vec<PrPoint>,
    /// The best candidate of every release document that has one.
    pub links: Vec<DocumentLink>,
}

impl DocumentLinkageScores {
    /// The re-identification rate as a [`Rate`]: correct links over the
    /// release documents with a known original (`None` when none is known).
    pub fn reidentification(&self) -> Option<Rate> {
        (self.with_truth > 0).then(|| Rate::count(self.correct as u64, self.with_truth as u64))
    }
}

/// Scores document linkage (see the module docs).
pub fn score_document_linkage(result: LinkageResult) -> Result<DocumentLinkageScores, EvalError> {
    let truth = result.truth_given;
    let with_truth = result.with_truth as u64;
    let known = |num: usize| (with_truth > 0).then(|| Rate::count(num as u64, with_truth).point());
    let (mut scores, mut labels) = (Vec::new(), Vec::new());
    for l in &result.links {
        if let Some(c) = l.correct {
            scores.push(l.similarity);
            labels.push(c);
        }
    }
    let scored_linked = result
        .links
        .iter()
        .filter(|l| l.linked && l.correct.is_some())
        .count();
    let (precision, recall) = if truth {
        (
            Some(if scored_linked == 0 {
                1.0
            } else {
                Rate::count(result.correct as u64, scored_linked as u64).point()
            }),
            known(result.correct),
        )
    } else {
        (None, None)
    };
    let f1 = match (precision, recall) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    let mut similarity_histogram: Vec<SimilarityBin> = (0..SIMILARITY_BINS)
        .map(|i| SimilarityBin {
            lower: i as f64 / SIMILARITY_BINS as f64,
            upper: (i + 1) as f64 / SIMILARITY_BINS as f64,
            true_links: 0,
            false_links: 0,
        })
        .collect();
    for (&s, &c) in scores.iter().zip(&labels) {
        let bin = ((s * SIMILARITY_BINS as f64) as usize).min(SIMILARITY_BINS - 1);
        if c {
            similarity_histogram[bin].true_links += 1;
        } else {
            similarity_histogram[bin].false_links += 1;
        }
    }
    let pr_curve = if truth {
        let grid: Vec<f64> = (0..=PR_GRID_STEPS)
            .map(|i| i as f64 / PR_GRID_STEPS as f64)
            .collect();
        // With no known original no document is labelled true, so a
        // denominator of 1 gives recall 0 everywhere, as 0 of 0 reads.
        pr_at_thresholds(&scores, &labels, result.with_truth.max(1), &grid)?
    } else {
        Vec::new()
    };
    Ok(DocumentLinkageScores {
        config: result.config,
        empty_release_documents: result.empty_release_documents,
        empty_original_documents: result.empty_original_documents,
        candidate_pairs: result.candidate_pairs,
        release_with_candidates: result.release_with_candidates,
        linked: result.linked,
        with_truth: result.with_truth,
        correct: result.correct,
        candidate_recall: if truth {
            known(result.true_in_candidates)
        } else {
            None
        },
        reidentification_rate: recall,
        precision,
        recall,
        f1,
        similarity_histogram,
        pr_curve,
        links: result.links,
    })
}

/// The text attacks' report with document linkage scored: what `reident
/// text` writes as JSON and the audit keeps for its claims.
#[derive(Debug, Clone, Serialize)]
pub struct ScoredTextReport {
    /// Release documents.
    pub n_release_documents: usize,
    /// Original documents.
    pub n_original_documents: usize,
    /// Truth key bookkeeping, when one was given.
    pub truth: Option<TruthKey>,
    /// Document linkage with its scores.
    pub linkage: DocumentLinkageScores,
    /// Identifiers surviving in the release.
    pub leak_scan: LeakScan,
    /// Redaction recovery on truth pairs (or, without a truth key, predicted links).
    pub recovery: RedactionRecovery,
    /// Dictionary attack on unsalted hashes.
    pub hash_attack: HashAttack,
}

/// Scores the document linkage of the text attacks' report (see the module
/// docs); the other attacks' results are passed through.
pub fn score_text_report(report: TextLeakReport) -> Result<ScoredTextReport, EvalError> {
    Ok(ScoredTextReport {
        n_release_documents: report.n_release_documents,
        n_original_documents: report.n_original_documents,
        truth: report.truth,
        linkage: score_document_linkage(report.linkage)?,
        leak_scan: report.leak_scan,
        recovery: report.recovery,
        hash_attack: report.hash_attack,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(r: usize, similarity: f64, threshold: f64, correct: Option<bool>) -> DocumentLink {
        DocumentLink {
            release_index: r,
            release_id: format!("r{r}"),
            original_index: r,
            original_id: format!("o{r}"),
            similarity,
            linked: similarity >= threshold,
            correct,
        }
    }

    /// Five release documents, four with a known original; threshold 0.5.
    /// r0 0.9 true, r1 0.6 false, r2 0.55 true, r3 0.2 true (below the
    /// threshold), r4 0.7 with no known original (not scored).
    fn result(truth_given: bool) -> LinkageResult {
        let t = 0.5;
        let c = |x: bool| truth_given.then_some(x);
        let links = vec![
            link(0, 0.9, t, c(true)),
            link(1, 0.6, t, c(false)),
            link(2, 0.55, t, c(true)),
            link(3, 0.2, t, c(true)),
            link(4, 0.7, t, None),
        ];
        LinkageResult {
            config: LinkageConfig::default(),
            empty_release_documents: 0,
            empty_original_documents: 0,
            candidate_pairs: 9,
            release_with_candidates: 5,
            linked: 4,
            with_truth: if truth_given { 4 } else { 0 },
            correct: if truth_given { 2 } else { 0 },
            true_in_candidates: if truth_given { 3 } else { 0 },
            truth_given,
            links,
        }
    }

    #[test]
    fn scores_by_hand() {
        let s = score_document_linkage(result(true)).unwrap();
        // Linked with a known original: r0, r1, r2; correct r0, r2.
        // precision 2/3, recall = rate 2/4, F1 = 2 (2/3)(1/2) / (7/6) = 4/7.
        assert!((s.precision.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.recall, Some(0.5));
        assert_eq!(s.reidentification_rate, Some(0.5));
        assert_eq!(s.reidentification(), Some(Rate::count(2, 4)));
        assert!((s.f1.unwrap() - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!(s.candidate_recall, Some(0.75));
        // Histogram: 0.9 -> bin 18 true, 0.6 -> bin 12 false, 0.55 -> bin
        // 11 true, 0.2 -> bin 4 true; r4 is not scored.
        let h = &s.similarity_histogram;
        assert_eq!(h.len(), 20);
        assert_eq!((h[18].true_links, h[12].false_links), (1, 1));
        assert_eq!((h[11].true_links, h[4].true_links), (1, 1));
        let total: usize = h.iter().map(|b| b.true_links + b.false_links).sum();
        assert_eq!(total, 4);
        // PR on the grid, recall over 4: t=0.00 all four scored (3 true)
        // -> 3/4, 3/4; t=0.50 {0.9, 0.6, 0.55} -> 2/3, 2/4; t=0.56 {0.9,
        // 0.6} -> 1/2, 1/4; t=0.91 nothing -> 1 (convention), 0.
        let p = &s.pr_curve;
        assert_eq!(p.len(), 101);
        assert_eq!(
            (p[0].threshold, p[0].precision, p[0].recall),
            (0.0, 0.75, 0.75)
        );
        assert_eq!(p[50].threshold, 0.5);
        assert!((p[50].precision - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(p[50].recall, 0.5);
        assert_eq!((p[56].precision, p[56].recall), (0.5, 0.25));
        assert_eq!((p[91].precision, p[91].recall), (1.0, 0.0));
        assert_eq!(p[100].threshold, 1.0);
    }

    #[test]
    fn without_a_truth_key_nothing_is_scored() {
        let s = score_document_linkage(result(false)).unwrap();
        assert_eq!((s.precision, s.recall, s.f1), (None, None, None));
        assert_eq!((s.candidate_recall, s.reidentification()), (None, None));
        assert!(s.pr_curve.is_empty());
        assert!(s
            .similarity_histogram
            .iter()
            .all(|b| b.true_links + b.false_links == 0));
        assert_eq!(s.links.len(), 5);
        // A truth key that names no release document: precision 1 (nothing
        // linked is wrong), recall undefined, F1 undefined.
        let mut r = result(false);
        r.truth_given = true;
        let s = score_document_linkage(r).unwrap();
        assert_eq!((s.precision, s.recall, s.f1), (Some(1.0), None, None));
        assert_eq!(s.pr_curve.len(), 101);
        assert!(s
            .pr_curve
            .iter()
            .all(|p| p.precision == 1.0 && p.recall == 0.0));
    }
}
