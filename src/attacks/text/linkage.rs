//! Document linkage: which original does each release document come from?
//!
//! Candidates come from banded MinHash LSH over shingles (Broder 1997;
//! Leskovec, Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3): the
//! originals are indexed, each release document is queried. Every candidate is
//! verified with an exact similarity: Jaccard of the shingle sets, or the cosine
//! of TF-IDF word vectors (Salton & Buckley 1988; idf = ln((1 + N)/(1 + df)) + 1
//! over both corpora, as scikit-learn's `TfidfVectorizer(smooth_idf=True)`,
//! L2-normalised). The best-scoring candidate (ties: lowest original index) is
//! the link when it reaches the threshold.
//!
//! It returns counts and, per release document, its best candidate with the
//! similarity and (with a truth key) whether it is the true original. Scoring
//! them (re-identification rate, precision, recall, F1, the LSH candidate
//! recall, the precision/recall curve over the threshold, the similarity
//! distributions of true and false links) is `eval::document_linkage`'s job.
//!
//! What it does not do: one-to-one assignment (several release documents may
//! link to the same original, as duplicated originals legitimately allow).

use std::collections::HashMap;

use rayon::prelude::*;
use unicode_segmentation::UnicodeSegmentation;

use super::minhash::{jaccard_sorted, shingles, LshIndex, MinHasher, ShingleConfig};
use super::{Corpus, TextAttackError, TruthKey};

/// How candidate pairs are verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Exact Jaccard similarity of the shingle sets.
    Jaccard,
    /// Cosine of TF-IDF word vectors.
    Cosine,
}

/// Parameters of document linkage.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkageConfig {
    /// Shingling.
    pub shingle: ShingleConfig,
    /// LSH bands (b).
    pub bands: usize,
    /// Rows per band (r); the signature has b·r hash functions.
    pub rows: usize,
    /// Seed of the hash family.
    pub seed: u64,
    /// Verification similarity.
    pub verification: Verification,
    /// Minimum verified similarity for a link.
    pub threshold: f64,
}

impl Default for LinkageConfig {
    /// Word 3-shingles, 32 bands x 4 rows (S-curve midpoint (1/32)^(1/4) = 0.42),
    /// seed 1, Jaccard verification, threshold 0.5.
    fn default() -> Self {
        LinkageConfig {
            shingle: ShingleConfig::default(),
            bands: 32,
            rows: 4,
            seed: 1,
            verification: Verification::Jaccard,
            threshold: 0.5,
        }
    }
}

/// The best candidate of one release document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DocumentLink {
    /// Release document index.
    pub release_index: usize,
    /// Release document id.
    pub release_id: String,
    /// Best original index.
    pub original_index: usize,
    /// Best original id.
    pub original_id: String,
    /// Verified similarity.
    pub similarity: f64,
    /// Similarity reached the threshold.
    pub linked: bool,
    /// The candidate is the true original (`None` without a truth entry).
    pub correct: Option<bool>,
}

/// The outcome of document linkage: counts and the best candidate of every
/// release document (scored by `eval::document_linkage`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct LinkageResult {
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
    /// Release documents with a known original that was among their LSH
    /// candidates.
    pub true_in_candidates: usize,
    /// A truth key was given (without one nothing can be scored).
    pub truth_given: bool,
    /// The best candidate of every release document that has one.
    pub links: Vec<DocumentLink>,
}

/// Sparse L2-normalised TF-IDF vectors (term id, weight) sorted by term id.
fn tfidf_vectors(original: &Corpus, release: &Corpus, lowercase: bool) -> Vec<Vec<(u32, f64)>> {
    let tokenize = |t: &str| -> Vec<String> {
        t.unicode_words()
            .map(|w| {
                if lowercase {
                    w.to_lowercase()
                } else {
                    w.to_string()
                }
            })
            .collect()
    };
    let docs: Vec<Vec<String>> = original
        .texts
        .par_iter()
        .chain(release.texts.par_iter())
        .map(|t| tokenize(t))
        .collect();
    let mut vocab: HashMap<&str, u32> = HashMap::new();
    let mut df: Vec<u32> = Vec::new();
    let mut term_counts: Vec<Vec<(u32, u32)>> = Vec::with_capacity(docs.len());
    for d in &docs {
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for w in d {
            let next = vocab.len() as u32;
            let id = *vocab.entry(w.as_str()).or_insert(next);
            if id as usize == df.len() {
                df.push(0);
            }
            *counts.entry(id).or_insert(0) += 1;
        }
        let mut counts: Vec<(u32, u32)> = counts.into_iter().collect();
        counts.sort_unstable();
        for (id, _) in &counts {
            df[*id as usize] += 1;
        }
        term_counts.push(counts);
    }
    let n = docs.len() as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| ((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0)
        .collect();
    term_counts
        .into_par_iter()
        .map(|counts| {
            let mut v: Vec<(u32, f64)> = counts
                .into_iter()
                .map(|(id, c)| (id, f64::from(c) * idf[id as usize]))
                .collect();
            let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                for (_, w) in &mut v {
                    *w /= norm;
                }
            }
            v
        })
        .collect()
}

fn sparse_dot(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut i, mut j, mut s) = (0usize, 0usize, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s.clamp(0.0, 1.0)
}

/// Per release document: candidate count, whether the true original was among the
/// candidates, and the best (original index, similarity).
type DocCandidates = (usize, bool, Option<(usize, f64)>);

/// Links every release document to its most similar original (see the module docs).
pub fn link_documents(
    original: &Corpus,
    release: &Corpus,
    truth: Option<&TruthKey>,
    config: &LinkageConfig,
) -> Result<LinkageResult, TextAttackError> {
    if !(0.0..=1.0).contains(&config.threshold) {
        return Err(TextAttackError::Invalid(format!(
            "linkage threshold {} must be in [0, 1]",
            config.threshold
        )));
    }
    if config.shingle.k == 0 {
        return Err(TextAttackError::Invalid(
            "shingle size k must be at least 1".into(),
        ));
    }
    if let Some(t) = truth {
        if t.original_of.len() != release.len() {
            return Err(TextAttackError::Truth(format!(
                "built for {} release documents, the release has {}",
                t.original_of.len(),
                release.len()
            )));
        }
    }
    let hasher = MinHasher::new(config.bands * config.rows, config.seed)?;
    let mut index = LshIndex::new(config.bands, config.rows)?;
    let shingle_original: Vec<Vec<u64>> = original
        .texts
        .par_iter()
        .map(|t| shingles(t, &config.shingle))
        .collect();
    let shingle_release: Vec<Vec<u64>> = release
        .texts
        .par_iter()
        .map(|t| shingles(t, &config.shingle))
        .collect();
    let sig_original: Vec<Option<Vec<u64>>> = shingle_original
        .par_iter()
        .map(|s| hasher.signature(s))
        .collect();
    let sig_release: Vec<Option<Vec<u64>>> = shingle_release
        .par_iter()
        .map(|s| hasher.signature(s))
        .collect();
    for (i, sig) in sig_original.iter().enumerate() {
        if let Some(sig) = sig {
            index.insert(i as u32, sig)?;
        }
    }
    let tfidf = match config.verification {
        Verification::Cosine => Some(tfidf_vectors(original, release, config.shingle.lowercase)),
        Verification::Jaccard => None,
    };
    let n_orig = original.len();
    let truth_of = |r: usize| truth.and_then(|t| t.original_of[r]);
    let per_doc: Vec<Result<DocCandidates, TextAttackError>> = sig_release
        .par_iter()
        .enumerate()
        .map(|(r, sig)| {
            let Some(sig) = sig else {
                return Ok((0, false, None));
            };
            let candidates = index.query(sig)?;
            let true_o = truth_of(r);
            let mut found_true = false;
            let mut best: Option<(usize, f64)> = None;
            for &o in &candidates {
                let o = o as usize;
                if Some(o) == true_o {
                    found_true = true;
                }
                let sim = match &tfidf {
                    Some(v) => sparse_dot(&v[n_orig + r], &v[o]),
                    None => jaccard_sorted(&shingle_release[r], &shingle_original[o]),
                };
                if best.is_none_or(|(_, s)| sim > s) {
                    best = Some((o, sim));
                }
            }
            Ok((candidates.len(), found_true, best))
        })
        .collect();
    let mut candidate_pairs = 0usize;
    let mut release_with_candidates = 0usize;
    let mut true_in_candidates = 0usize;
    let mut links = Vec::new();
    for (r, res) in per_doc.into_iter().enumerate() {
        let (n_cand, found_true, best) = res?;
        candidate_pairs += n_cand;
        if n_cand > 0 {
            release_with_candidates += 1;
        }
        if found_true {
            true_in_candidates += 1;
        }
        if let Some((o, sim)) = best {
            links.push(DocumentLink {
                release_index: r,
                release_id: release.ids[r].clone(),
                original_index: o,
                original_id: original.ids[o].clone(),
                similarity: sim,
                linked: sim >= config.threshold,
                correct: truth_of(r).map(|t| t == o),
            });
        }
    }
    let with_truth = truth.map(TruthKey::n_known).unwrap_or(0);
    let linked = links.iter().filter(|l| l.linked).count();
    let correct = links
        .iter()
        .filter(|l| l.linked && l.correct == Some(true))
        .count();
    Ok(LinkageResult {
        config: *config,
        empty_release_documents: sig_release.iter().filter(|s| s.is_none()).count(),
        empty_original_documents: sig_original.iter().filter(|s| s.is_none()).count(),
        candidate_pairs,
        release_with_candidates,
        linked,
        with_truth,
        correct,
        true_in_candidates,
        truth_given: truth.is_some(),
        links,
    })
}
