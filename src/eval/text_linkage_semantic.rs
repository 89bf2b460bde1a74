//! Scoring of semantic document linkage beside MinHash: the near-copy check
//! that decides whether a low MinHash linkage rate means anything, and the
//! combined attack (the stronger of the two per release document).
//!
//! **Near-copy check.** MinHash-LSH with Jaccard on word shingles
//! ([`crate::attacks::text::link_documents`]) only finds release documents
//! that share most of their shingles with an original. When few release
//! documents have *any* original at the linkage threshold, the release is not
//! a near-copy of its originals (it was rewritten, summarised, or is
//! unrelated) and a low MinHash linkage rate shows nothing about whether the
//! documents can be linked by what they say. [`near_copy_check`] is the
//! [`CoverageCheck`] "release documents with an original at Jaccard >=
//! threshold (any original, right or wrong)" over the non-empty release
//! documents, required share [`NEAR_COPY_MIN_SHARE`] = 50 %: the claim may
//! PASS on MinHash alone only when at least half the release is recognisably
//! copied text and still the rate of *correct* links is low. Without a
//! semantic attack, [`crate::eval::guard`] then turns such a PASS into
//! INCONCLUSIVE.
//!
//! **Combined attack.** Per release document the MinHash link wins when
//! MinHash links it (a verified Jaccard at the threshold is the stronger
//! evidence); otherwise the semantic link is used. [`combined_links`]
//! returns the combined counts, scored like MinHash's (correct links over
//! release documents with a known original).
//!
//! **Scores.** [`score_semantic`] gives each of the three attacks (semantic,
//! MinHash, combined) its re-identification rate and precision with Wilson
//! intervals ([`super::Rate::wilson`], the crate's one interval for rates),
//! and the semantic attack its precision-recall curve over the cosine
//! threshold (0.00, 0.01, ..., 1.00; the margin and verification rules held
//! fixed), the same grid as MinHash's curve over Jaccard
//! ([`crate::eval::document_linkage`]).
//!
//! What it does not do: run either attack.

use serde::Serialize;

use super::coverage::CoverageCheck;
use super::rate::{Interval, Rate};
use super::roc::{pr_at_thresholds, PrPoint};
use super::EvalError;
use crate::attacks::text::semantic::SemanticLinkage;
use crate::attacks::text::LinkageResult;
use crate::eval::document_linkage::DocumentLinkageScores;

/// Share of non-empty release documents MinHash must find a near-copy
/// original for before its low linkage rate can support a PASS.
pub const NEAR_COPY_MIN_SHARE: f64 = 0.5;

/// The near-copy check of a MinHash linkage result (module docs).
pub fn near_copy_check(linkage: &LinkageResult, n_release: usize) -> CoverageCheck {
    near_copy_check_counts(
        linkage.linked,
        linkage.empty_release_documents,
        linkage.config.threshold,
        n_release,
    )
}

/// [`near_copy_check`] on the scored linkage (the audit's and the claim's view).
pub fn near_copy_check_scored(linkage: &DocumentLinkageScores, n_release: usize) -> CoverageCheck {
    near_copy_check_counts(
        linkage.linked,
        linkage.empty_release_documents,
        linkage.config.threshold,
        n_release,
    )
}

/// The near-copy check from its counts: `linked` release documents with an
/// original at Jaccard >= `threshold`, out of the `n_release` release
/// documents less the `empty_release` ones that hold no shingle.
fn near_copy_check_counts(
    linked: usize,
    empty_release: usize,
    threshold: f64,
    n_release: usize,
) -> CoverageCheck {
    let total = n_release.saturating_sub(empty_release) as u64;
    CoverageCheck {
        what: format!("release documents with a near-copy original (MinHash Jaccard >= {threshold})"),
        covered: linked as u64,
        total,
        required_share: NEAR_COPY_MIN_SHARE,
        cause: "The release does not look like a near-copy of its originals (rewritten, summarised or unrelated text), so MinHash's low linkage rate does not show that documents cannot be linked by their content; run the semantic attack (`--embedding-model DIR`, or `embedding_model` in the corpus config; scripts/fetch-embedding-model.sh installs all-MiniLM-L6-v2).".into(),
    }
}

/// Counts of one linkage attack (or the combination) against the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LinkCounts {
    /// Release documents linked to some original.
    pub linked: usize,
    /// Linked release documents whose true original is known.
    pub linked_with_truth: usize,
    /// Release documents linked to their true original.
    pub correct: usize,
    /// Release documents whose true original is known.
    pub with_truth: usize,
}

impl LinkCounts {
    /// Correct links over documents with a known original (re-identification
    /// rate); `None` without truth.
    pub fn reidentification_rate(&self) -> Option<f64> {
        (self.with_truth > 0).then(|| self.correct as f64 / self.with_truth as f64)
    }

    /// Correct links over linked documents with a known original; `None`
    /// when nothing was linked.
    pub fn precision(&self) -> Option<f64> {
        (self.linked_with_truth > 0).then(|| self.correct as f64 / self.linked_with_truth as f64)
    }
}

/// The semantic attack's counts.
pub fn semantic_counts(s: &SemanticLinkage) -> LinkCounts {
    LinkCounts {
        linked: s.linked,
        linked_with_truth: s.linked_with_truth,
        correct: s.correct,
        with_truth: s.with_truth,
    }
}

/// The combined attack (module docs). `minhash.links` must still hold the
/// per-document links (one per release document with a candidate).
pub fn combined_links(minhash: &LinkageResult, semantic: &SemanticLinkage) -> LinkCounts {
    let mut by_minhash = vec![None; semantic.n_release];
    for l in &minhash.links {
        if l.linked && l.release_index < by_minhash.len() {
            by_minhash[l.release_index] = Some(l.correct);
        }
    }
    let mut c = LinkCounts {
        linked: 0,
        linked_with_truth: 0,
        correct: 0,
        with_truth: semantic.with_truth,
    };
    for s in &semantic.links {
        let correct = match by_minhash.get(s.release_index).copied().flatten() {
            Some(correct) => correct,
            None if s.linked => s.correct,
            None => continue,
        };
        c.linked += 1;
        if let Some(ok) = correct {
            c.linked_with_truth += 1;
            c.correct += ok as usize;
        }
    }
    c
}

/// One attack's counts with its rates and their intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoredLinkCounts {
    /// The counts.
    #[serde(flatten)]
    pub counts: LinkCounts,
    /// Correct links over documents with a known original, with its Wilson
    /// interval; `None` without truth.
    pub reidentification: Option<Interval>,
    /// Correct links over linked documents with a known original, with its
    /// Wilson interval; `None` when nothing was linked.
    pub precision: Option<Interval>,
}

impl ScoredLinkCounts {
    /// The rates of `counts` with Wilson intervals at `level`.
    pub fn new(counts: LinkCounts, level: f64) -> Result<Self, EvalError> {
        let interval = |k: usize, n: usize, what: &str| -> Result<Option<Interval>, EvalError> {
            if n == 0 {
                return Ok(None);
            }
            Rate::count(k as u64, n as u64)
                .wilson(level, what)
                .map(Some)
        };
        Ok(ScoredLinkCounts {
            reidentification: interval(
                counts.correct,
                counts.with_truth,
                "semantic linkage re-identification",
            )?,
            precision: interval(
                counts.correct,
                counts.linked_with_truth,
                "semantic linkage precision",
            )?,
            counts,
        })
    }
}

/// The three linkage attacks scored side by side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SemanticScores {
    /// The semantic attack.
    pub semantic: ScoredLinkCounts,
    /// MinHash-LSH + Jaccard, for comparison.
    pub minhash: ScoredLinkCounts,
    /// The stronger of the two per release document.
    pub combined: ScoredLinkCounts,
    /// The semantic attack's precision and recall at cosine thresholds 0.00,
    /// 0.01, ..., 1.00 (margin and verification fixed; precision 1 where
    /// nothing reaches the threshold); empty without truth.
    pub pr_curve: Vec<PrPoint>,
}

/// The counts of a MinHash result as [`LinkCounts`] (its per-document
/// links must still be there).
pub fn minhash_counts(minhash: &LinkageResult) -> LinkCounts {
    LinkCounts {
        linked: minhash.linked,
        linked_with_truth: minhash
            .links
            .iter()
            .filter(|l| l.linked && l.correct.is_some())
            .count(),
        correct: minhash.correct,
        with_truth: minhash.with_truth,
    }
}

/// Scores the semantic attack beside MinHash (module docs) at confidence
/// `level`. Both results must still hold their per-document links.
pub fn score_semantic(
    minhash: &LinkageResult,
    semantic: &SemanticLinkage,
    level: f64,
) -> Result<SemanticScores, EvalError> {
    let pr_curve = if semantic.with_truth == 0 {
        Vec::new()
    } else {
        let cfg = &semantic.config;
        let (scores, labels): (Vec<f64>, Vec<bool>) = semantic
            .links
            .iter()
            .filter(|l| l.verified && l.margin >= cfg.min_margin)
            .filter_map(|l| l.correct.map(|c| (f64::from(l.similarity), c)))
            .unzip();
        let grid: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
        pr_at_thresholds(&scores, &labels, semantic.with_truth, &grid)?
    };
    Ok(SemanticScores {
        semantic: ScoredLinkCounts::new(semantic_counts(semantic), level)?,
        minhash: ScoredLinkCounts::new(minhash_counts(minhash), level)?,
        combined: ScoredLinkCounts::new(combined_links(minhash, semantic), level)?,
        pr_curve,
    })
}
