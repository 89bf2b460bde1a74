//! Semantic document linkage: link each release document to the original
//! whose sentence embedding is nearest (cosine), so a rewritten release (a
//! paraphrase or summary of each original) is still linked where MinHash on
//! shingles finds nothing.
//!
//! The attack takes embeddings, not a model: the caller embeds both corpora
//! (with [`super::embedding::SentenceEmbedder`] under the feature `semantic`,
//! or any other embedder) and passes the vectors. The nearest original and
//! the runner-up of each release document are found by exact search (every
//! release vector against every original vector, release documents in
//! parallel with rayon) up to [`EXACT_SEARCH_MAX_PAIRS`] pairs, a few seconds
//! at 384 dimensions, and by an HNSW index ([`super::hnsw`], Malkov &
//! Yashunin 2020) above that; [`NeighbourSearch`] overrides the choice and
//! [`SemanticLinkage::search`] says which ran. A link needs three
//! things, as in embedding-based record linkage with a verification step
//! (e.g. the candidate + verify scheme of Christen, "Data Matching", 2012,
//! ch. 6):
//!
//! 1. the best cosine is at least `min_similarity`;
//! 2. it beats the runner-up by at least `min_margin` (an ambiguous document
//!    is not linked);
//! 3. a second, independent signal agrees: the release document and the
//!    candidate share at least `min_shared_rare` *distinctive tokens* (see
//!    [`distinctive_tokens`]: numbers, identifiers with digits or inner
//!    punctuation/case, and words not in the common English list that occur
//!    in at most `max_document_frequency` of the originals), so a generic
//!    text close to many originals is not linked.
//!
//! What it does not do: score rates and intervals (the caller does that with
//! `crate::eval`), or compute embeddings.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;

use super::hnsw::{HnswIndex, HnswParams};
use super::{Corpus, TextAttackError, TruthKey};
use crate::data::text::vocabulary::{is_common_word, is_stop_word};

/// Exact search is used up to this many (release, original) pairs when the
/// search is [`NeighbourSearch::Auto`]: 50 million dot products of 384
/// floats take seconds on two cores; beyond it the HNSW index answers.
pub const EXACT_SEARCH_MAX_PAIRS: u64 = 50_000_000;

/// How the nearest originals of a release document are found.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NeighbourSearch {
    /// Exact up to [`EXACT_SEARCH_MAX_PAIRS`] pairs, HNSW with its default
    /// parameters above.
    Auto,
    /// Every release vector against every original vector.
    Exact,
    /// An HNSW index over the originals ([`super::hnsw`]); approximate.
    Hnsw(HnswParams),
}

/// Parameters of semantic linkage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SemanticConfig {
    /// Least cosine similarity of a link.
    pub min_similarity: f32,
    /// Least margin of the best cosine over the runner-up's.
    pub min_margin: f32,
    /// Least number of distinctive tokens the pair must share.
    pub min_shared_rare: usize,
    /// A word counts as rare when it occurs in at most this share of the
    /// originals (and at most in one original when there are fewer than
    /// `1 / max_document_frequency`).
    pub max_document_frequency: f64,
    /// How nearest originals are found.
    pub search: NeighbourSearch,
}

impl Default for SemanticConfig {
    /// Cosine >= 0.5, margin >= 0.02, two shared distinctive tokens, rare
    /// means in at most 2% of the originals, search chosen by size.
    fn default() -> Self {
        SemanticConfig {
            min_similarity: 0.5,
            min_margin: 0.02,
            min_shared_rare: 2,
            max_document_frequency: 0.02,
            search: NeighbourSearch::Auto,
        }
    }
}

/// The best candidate of one release document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SemanticLink {
    /// Index of the release document.
    pub release_index: usize,
    /// Its id.
    pub release_id: String,
    /// Index of the nearest original.
    pub original_index: usize,
    /// Its id.
    pub original_id: String,
    /// Cosine similarity to the nearest original.
    pub similarity: f32,
    /// Best cosine minus the runner-up's (the best cosine when there is one original).
    pub margin: f32,
    /// Distinctive tokens the pair shares.
    pub shared_rare: usize,
    /// Whether the shared tokens reach `min_shared_rare`.
    pub verified: bool,
    /// Whether the pair is a link (similarity, margin and verification).
    pub linked: bool,
    /// With a truth key: whether the nearest original is the true one.
    pub correct: Option<bool>,
}

/// What semantic linkage found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SemanticLinkage {
    /// The parameters.
    pub config: SemanticConfig,
    /// The search that ran: `"exact"` or `"hnsw"` (approximate).
    pub search: &'static str,
    /// Release documents.
    pub n_release: usize,
    /// Original documents.
    pub n_original: usize,
    /// Release documents linked to some original.
    pub linked: usize,
    /// Release documents whose nearest original passed verification.
    pub verified: usize,
    /// Release documents whose true original is known.
    pub with_truth: usize,
    /// Linked release documents whose true original is known.
    pub linked_with_truth: usize,
    /// Release documents linked to their true original.
    pub correct: usize,
    /// One entry per release document (none when there are no originals).
    pub links: Vec<SemanticLink>,
}

fn is_identifier_like(token: &str) -> bool {
    let has_digit = token.chars().any(|c| c.is_ascii_digit());
    let inner_punct = token
        .trim_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .any(|c| matches!(c, '_' | '.' | '-' | '/' | ':' | '#' | '$'));
    let inner_upper =
        token.chars().skip(1).any(|c| c.is_uppercase()) && token.chars().any(|c| c.is_lowercase());
    has_digit || inner_punct || inner_upper
}

/// The candidate distinctive tokens of a text: whitespace-separated tokens
/// stripped of outer punctuation, lowercased, at least 3 characters; a token
/// is kept when it looks like an identifier or number (a digit, inner
/// `_ . - / : # $`, or an inner capital: `HDFS-1234`, `conf.xml`,
/// `NameNode`, `8020`) or when it is a word that is neither a stop word nor
/// in the common English word list. Document frequency is applied by
/// [`link_semantic`].
pub fn distinctive_tokens(text: &str) -> HashSet<String> {
    text.split_whitespace()
        .filter_map(|raw| {
            let t = raw.trim_matches(|c: char| !c.is_alphanumeric());
            if t.chars().count() < 3 {
                return None;
            }
            let keep = is_identifier_like(t)
                || (t.chars().all(char::is_alphabetic) && !is_stop_word(t) && !is_common_word(t));
            keep.then(|| t.to_lowercase())
        })
        .collect()
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

/// The nearest vector of `originals` to `v` by cosine, its cosine and the
/// runner-up's (`-inf` when there is one original); ties go to the first.
fn exact_top2(v: &[f32], originals: &[Vec<f32>]) -> (usize, f32, f32) {
    let (mut best, mut best_sim, mut second) = (0usize, f32::NEG_INFINITY, f32::NEG_INFINITY);
    for (o, w) in originals.iter().enumerate() {
        let s = cosine(v, w);
        if s > best_sim {
            second = best_sim;
            best_sim = s;
            best = o;
        } else if s > second {
            second = s;
        }
    }
    (best, best_sim, second)
}

/// Links every release document to its nearest original by the cosine of
/// their embeddings (`*_vectors[i]` belongs to document `i` of its corpus),
/// verified by shared distinctive tokens (module docs). With `truth`, each
/// link is marked correct or not.
pub fn link_semantic(
    original: &Corpus,
    release: &Corpus,
    original_vectors: &[Vec<f32>],
    release_vectors: &[Vec<f32>],
    truth: Option<&TruthKey>,
    config: &SemanticConfig,
) -> Result<SemanticLinkage, TextAttackError> {
    if original_vectors.len() != original.len() || release_vectors.len() != release.len() {
        return Err(TextAttackError::Invalid(format!(
            "semantic linkage: {} original and {} release vectors for {} and {} documents",
            original_vectors.len(),
            release_vectors.len(),
            original.len(),
            release.len()
        )));
    }
    let dims: HashSet<usize> = original_vectors
        .iter()
        .chain(release_vectors)
        .map(Vec::len)
        .collect();
    if dims.len() > 1 {
        return Err(TextAttackError::Invalid(format!(
            "semantic linkage: embeddings of different dimensions {dims:?}"
        )));
    }
    if !(0.0..=1.0).contains(&config.max_document_frequency) {
        return Err(TextAttackError::Invalid(format!(
            "semantic linkage: max_document_frequency {} is not a share in [0, 1]",
            config.max_document_frequency
        )));
    }
    if let Some(t) = truth {
        if t.original_of.len() != release.len() {
            return Err(TextAttackError::Truth(format!(
                "{} entries for {} release documents",
                t.original_of.len(),
                release.len()
            )));
        }
    }
    let original_tokens: Vec<HashSet<String>> = original
        .texts
        .par_iter()
        .map(|t| distinctive_tokens(t))
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for set in &original_tokens {
        for t in set {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let max_df = ((config.max_document_frequency * original.len() as f64).floor() as usize).max(1);

    let use_hnsw = match config.search {
        NeighbourSearch::Exact => None,
        NeighbourSearch::Hnsw(p) => Some(p),
        NeighbourSearch::Auto => ((original.len() as u64).saturating_mul(release.len() as u64)
            > EXACT_SEARCH_MAX_PAIRS)
            .then(HnswParams::default),
    };
    let index = match use_hnsw {
        Some(p) if !original.is_empty() => Some(HnswIndex::build(original_vectors, p)),
        _ => None,
    };
    let links: Vec<SemanticLink> = if original.is_empty() {
        Vec::new()
    } else {
        (0..release.len())
            .into_par_iter()
            .map(|r| {
                let v = &release_vectors[r];
                let (best, best_sim, second) = match &index {
                    Some(index) => {
                        let hits = index.search(v, 2);
                        match hits.as_slice() {
                            [] => (0, 0.0, f32::NEG_INFINITY),
                            [(b, s)] => (*b, *s, f32::NEG_INFINITY),
                            [(b, s), (_, s2), ..] => (*b, *s, *s2),
                        }
                    }
                    None => exact_top2(v, original_vectors),
                };
                let margin = if second.is_finite() {
                    best_sim - second
                } else {
                    best_sim
                };
                let shared_rare = distinctive_tokens(&release.texts[r])
                    .iter()
                    .filter(|t| {
                        original_tokens[best].contains(*t)
                            && df.get(t.as_str()).is_some_and(|&n| n <= max_df)
                    })
                    .count();
                let verified = shared_rare >= config.min_shared_rare;
                let linked =
                    verified && best_sim >= config.min_similarity && margin >= config.min_margin;
                let correct = truth.and_then(|t| t.original_of[r]).map(|o| o == best);
                SemanticLink {
                    release_index: r,
                    release_id: release.ids[r].clone(),
                    original_index: best,
                    original_id: original.ids[best].clone(),
                    similarity: best_sim,
                    margin,
                    shared_rare,
                    verified,
                    linked,
                    correct,
                }
            })
            .collect()
    };
    let with_truth = truth.map_or(0, |t| t.original_of.iter().flatten().count());
    Ok(SemanticLinkage {
        config: *config,
        search: if index.is_some() { "hnsw" } else { "exact" },
        n_release: release.len(),
        n_original: original.len(),
        linked: links.iter().filter(|l| l.linked).count(),
        verified: links.iter().filter(|l| l.verified).count(),
        with_truth,
        linked_with_truth: links
            .iter()
            .filter(|l| l.linked && l.correct.is_some())
            .count(),
        correct: links
            .iter()
            .filter(|l| l.linked && l.correct == Some(true))
            .count(),
        links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(name: &str, texts: &[&str]) -> Corpus {
        Corpus::new(
            name,
            (0..texts.len()).map(|i| Some(format!("d{i}"))).collect(),
            texts.iter().map(|t| Some(t.to_string())).collect(),
        )
        .unwrap()
    }

    #[test]
    fn distinctive_tokens_keep_identifiers_and_rare_words() {
        let t = distinctive_tokens("The NameNode on port 8020 fails, see HDFS-1234 and the log.");
        let mut v: Vec<_> = t.into_iter().collect();
        v.sort();
        // "the", "on", "and", "see", "log", "port", "fails" are common or stop words.
        assert_eq!(v, vec!["8020", "hdfs-1234", "namenode"]);
    }

    #[test]
    fn links_nearest_with_margin_and_verification() {
        let original = corpus(
            "o",
            &[
                "NameNode crash on 8020 HDFS-1234",
                "Kafka broker KAFKA-77 rebalance zookeeper",
                "Spark executor OOM SPARK-5 shuffle",
            ],
        );
        let release = corpus(
            "r",
            &[
                "the namenode died, port 8020", // near o0, shares namenode + 8020
                "it is KAFKA-77",               // near o1 but shares one distinctive token
                "generic text",                 // ambiguous: equidistant
            ],
        );
        let ov = vec![
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.0, 0.0, 1.0],
        ];
        let rv = vec![
            vec![0.9, 0.1, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![1.0, 1.0, 1.0],
        ];
        let truth = TruthKey::same_ids(&release, &original).unwrap();
        let res = link_semantic(
            &original,
            &release,
            &ov,
            &rv,
            Some(&truth),
            &SemanticConfig {
                max_document_frequency: 0.5,
                ..SemanticConfig::default()
            },
        )
        .unwrap();
        // r0: cos = 0.9 / sqrt(0.82) = 0.99388, runner-up 0.1/sqrt(0.82) = 0.11043.
        let l0 = &res.links[0];
        assert_eq!(l0.original_index, 0);
        assert!((l0.similarity - 0.993_884).abs() < 1e-5);
        assert!((l0.margin - (0.993_884 - 0.110_432)).abs() < 1e-5);
        assert_eq!(l0.shared_rare, 2);
        assert!(l0.linked && l0.correct == Some(true));
        // r1: cosine 1, margin 1, but only "kafka-77" is shared: not verified.
        let l1 = &res.links[1];
        assert_eq!(l1.original_index, 1);
        assert_eq!(l1.shared_rare, 1);
        assert!(!l1.verified && !l1.linked);
        // r2: cosines all 1/sqrt(3): margin 0, not linked.
        let l2 = &res.links[2];
        assert!(l2.margin.abs() < 1e-6);
        assert!(!l2.linked);
        assert_eq!(res.n_release, 3);
        assert_eq!(res.with_truth, 3);
        assert_eq!((res.linked, res.verified, res.correct), (1, 1, 1));
    }

    #[test]
    fn rejects_mismatched_vectors() {
        let o = corpus("o", &["a"]);
        let r = corpus("r", &["b"]);
        let err = link_semantic(&o, &r, &[vec![1.0]], &[], None, &SemanticConfig::default());
        assert!(err.is_err());
    }
}
