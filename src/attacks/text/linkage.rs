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
//! Candidate generation also runs as mergeable partials
//! ([`link_documents_partitioned`]): the LSH bands split into groups (each
//! partial indexes and queries its own bands) or the originals split into
//! groups (each partial indexes its own originals). Each partial answers,
//! per release document, its candidates, whether the true original is among
//! them and its best verified candidate; [`DocumentPartial::merge`] unions
//! the candidates (a pair found in two band groups counts once), ORs the
//! truth flags and keeps the better best candidate, ties to the lower
//! original index, so the merged result equals the one-pass result over any
//! split.
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

/// How [`link_documents_partitioned`] splits candidate generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentPartitioning {
    /// Groups of LSH band indexes; every band in exactly one group.
    Bands(Vec<Vec<usize>>),
    /// Groups of original document indexes; every original in exactly one
    /// group.
    Originals(Vec<Vec<u32>>),
}

/// What one partition of the candidate generation found for one release
/// document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReleaseCandidates {
    /// Candidate originals, ascending.
    pub candidates: Vec<u32>,
    /// The true original is among them.
    pub true_found: bool,
    /// The best verified candidate (original index, similarity); ties go to
    /// the lower original index.
    pub best: Option<(usize, f64)>,
}

/// One partition's candidates for every release document; partials over
/// any split of the bands or of the originals merge into the one-pass
/// answer ([`DocumentPartial::merge`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DocumentPartial {
    /// Per release document.
    pub release: Vec<ReleaseCandidates>,
}

impl DocumentPartial {
    /// Adds `other` (exact; any order): candidates unioned, truth flags
    /// ORed, the better best candidate kept (a higher similarity, or an
    /// equal one at a lower original index). Errors when the partials
    /// answer different release corpora.
    pub fn merge(&mut self, other: &DocumentPartial) -> Result<(), TextAttackError> {
        if self.release.len() != other.release.len() {
            return Err(TextAttackError::Invalid(format!(
                "document-linkage partials of {} and {} release documents cannot be merged",
                self.release.len(),
                other.release.len()
            )));
        }
        for (a, b) in self.release.iter_mut().zip(&other.release) {
            let mut union = Vec::with_capacity(a.candidates.len() + b.candidates.len());
            union.extend_from_slice(&a.candidates);
            union.extend_from_slice(&b.candidates);
            union.sort_unstable();
            union.dedup();
            a.candidates = union;
            a.true_found |= b.true_found;
            a.best = match (a.best, b.best) {
                (None, x) | (x, None) => x,
                (Some((oa, sa)), Some((ob, sb))) => {
                    if sb > sa || (sb == sa && ob < oa) {
                        Some((ob, sb))
                    } else {
                        Some((oa, sa))
                    }
                }
            };
        }
        Ok(())
    }
}

/// Shingles, signatures and (for cosine) TF-IDF vectors of both corpora.
struct Prepared {
    shingle_original: Vec<Vec<u64>>,
    shingle_release: Vec<Vec<u64>>,
    sig_original: Vec<Option<Vec<u64>>>,
    sig_release: Vec<Option<Vec<u64>>>,
    tfidf: Option<Vec<Vec<(u32, f64)>>>,
}

fn check_inputs(
    release: &Corpus,
    truth: Option<&TruthKey>,
    config: &LinkageConfig,
) -> Result<(), TextAttackError> {
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
    Ok(())
}

fn prepare(
    original: &Corpus,
    release: &Corpus,
    config: &LinkageConfig,
) -> Result<Prepared, TextAttackError> {
    let hasher = MinHasher::new(config.bands * config.rows, config.seed)?;
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
    let tfidf = match config.verification {
        Verification::Cosine => Some(tfidf_vectors(original, release, config.shingle.lowercase)),
        Verification::Jaccard => None,
    };
    Ok(Prepared {
        shingle_original,
        shingle_release,
        sig_original,
        sig_release,
        tfidf,
    })
}

/// The partial of the bands `bands` and the originals `originals`.
fn partial(
    p: &Prepared,
    truth: Option<&TruthKey>,
    config: &LinkageConfig,
    bands: &[usize],
    originals: &[u32],
) -> Result<DocumentPartial, TextAttackError> {
    let mut index = LshIndex::new(config.bands, config.rows)?;
    let mut originals = originals.to_vec();
    originals.sort_unstable();
    for &i in &originals {
        if let Some(sig) = &p.sig_original[i as usize] {
            index.insert_in(i, sig, bands)?;
        }
    }
    let n_orig = p.sig_original.len();
    let truth_of = |r: usize| truth.and_then(|t| t.original_of[r]);
    let release = p
        .sig_release
        .par_iter()
        .enumerate()
        .map(|(r, sig)| {
            let Some(sig) = sig else {
                return Ok(ReleaseCandidates::default());
            };
            let candidates = index.query_in(sig, bands)?;
            let true_o = truth_of(r);
            let mut found_true = false;
            let mut best: Option<(usize, f64)> = None;
            for &o in &candidates {
                let o = o as usize;
                if Some(o) == true_o {
                    found_true = true;
                }
                let sim = match &p.tfidf {
                    Some(v) => sparse_dot(&v[n_orig + r], &v[o]),
                    None => jaccard_sorted(&p.shingle_release[r], &p.shingle_original[o]),
                };
                // Ascending candidates: a tie keeps the lower index.
                if best.is_none_or(|(_, s)| sim > s) {
                    best = Some((o, sim));
                }
            }
            Ok(ReleaseCandidates {
                candidates,
                true_found: found_true,
                best,
            })
        })
        .collect::<Result<Vec<_>, TextAttackError>>()?;
    Ok(DocumentPartial { release })
}

/// Links every release document to its most similar original (see the module docs).
pub fn link_documents(
    original: &Corpus,
    release: &Corpus,
    truth: Option<&TruthKey>,
    config: &LinkageConfig,
) -> Result<LinkageResult, TextAttackError> {
    let all: Vec<u32> = (0..original.len() as u32).collect();
    link_documents_partitioned(
        original,
        release,
        truth,
        config,
        &DocumentPartitioning::Originals(vec![all]),
    )
}

/// [`link_documents`] with candidate generation split into partials
/// ([`DocumentPartitioning`]) and merged ([`DocumentPartial::merge`]): the
/// same result over any split (tested over 1, 2, 7 parts and random
/// splits). Errors: the groups are not a partition of the bands or of the
/// originals.
pub fn link_documents_partitioned(
    original: &Corpus,
    release: &Corpus,
    truth: Option<&TruthKey>,
    config: &LinkageConfig,
    partitioning: &DocumentPartitioning,
) -> Result<LinkageResult, TextAttackError> {
    check_inputs(release, truth, config)?;
    let check_partition = |groups: Vec<Vec<usize>>, n: usize, what: &str| {
        let mut seen = vec![false; n];
        for i in groups.into_iter().flatten() {
            match seen.get_mut(i) {
                Some(s) if !*s => *s = true,
                _ => {
                    return Err(TextAttackError::Invalid(format!(
                        "{what} {i} is out of range or in two groups ({n} {what}s)"
                    )))
                }
            }
        }
        if seen.iter().any(|s| !s) {
            return Err(TextAttackError::Invalid(format!(
                "the groups do not cover all {n} {what}s"
            )));
        }
        Ok(())
    };
    let all_bands: Vec<usize> = (0..config.bands).collect();
    let all_originals: Vec<u32> = (0..original.len() as u32).collect();
    let parts: Vec<(Vec<usize>, Vec<u32>)> = match partitioning {
        DocumentPartitioning::Bands(groups) => {
            check_partition(groups.clone(), config.bands, "band")?;
            groups
                .iter()
                .map(|g| (g.clone(), all_originals.clone()))
                .collect()
        }
        DocumentPartitioning::Originals(groups) => {
            check_partition(
                groups
                    .iter()
                    .map(|g| g.iter().map(|&i| i as usize).collect())
                    .collect(),
                original.len(),
                "original document",
            )?;
            groups
                .iter()
                .map(|g| (all_bands.clone(), g.clone()))
                .collect()
        }
    };
    let prepared = prepare(original, release, config)?;
    let mut merged = DocumentPartial {
        release: vec![ReleaseCandidates::default(); release.len()],
    };
    for (bands, originals) in &parts {
        merged.merge(&partial(&prepared, truth, config, bands, originals)?)?;
    }
    let truth_of = |r: usize| truth.and_then(|t| t.original_of[r]);
    let mut candidate_pairs = 0usize;
    let mut release_with_candidates = 0usize;
    let mut true_in_candidates = 0usize;
    let mut links = Vec::new();
    for (r, c) in merged.release.iter().enumerate() {
        candidate_pairs += c.candidates.len();
        if !c.candidates.is_empty() {
            release_with_candidates += 1;
        }
        if c.true_found {
            true_in_candidates += 1;
        }
        if let Some((o, sim)) = c.best {
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
        empty_release_documents: prepared.sig_release.iter().filter(|s| s.is_none()).count(),
        empty_original_documents: prepared.sig_original.iter().filter(|s| s.is_none()).count(),
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
