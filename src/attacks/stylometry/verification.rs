//! Open-set authorship verification: "is this document by author A?".
//!
//! Any closed-set classifier's document x author score matrix becomes a set of
//! verification trials, one per (document, candidate author) pair, labelled
//! same-author or not ([`trials_from_scores`]). Scoring those trials (ROC,
//! AUC, equal error rate, c@1, the epsilon lower bound they imply) is not done
//! here: `crate::eval::roc` and `crate::eval::verification` do it, called by
//! the CLI and the audit, so attacks never import the scoring layer.
//!
//! It also implements the impostors method (Koppel & Winter 2014, "Determining
//! if two documents are written by the same author", JASIST 65(1)): a
//! questioned document and a known document are compared on many random
//! feature subsets, each time against impostor documents by other authors;
//! the score is the share of iterations in which the known document is more
//! similar to the questioned one than every impostor is ([`impostors_score`]).
//!
//! This module does not fit classifiers or extract features; it only turns
//! classifier scores and documents into verification trials.

use ndarray::{Array2, ArrayView1};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::StylometryError;

/// Verification trials: one score per (questioned document, candidate) pair
/// and whether the candidate really wrote the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationTrials {
    /// Score of each trial (higher = "same author").
    pub scores: Vec<f64>,
    /// Whether the candidate is the document's author.
    pub same_author: Vec<bool>,
    /// Document index of each trial.
    pub document: Vec<usize>,
    /// Candidate author index of each trial.
    pub candidate: Vec<usize>,
}

impl VerificationTrials {
    /// The inputs of `crate::eval::epsilon_lower_bound`: trial scores and
    /// "member" labels, where "member" means "same author".
    pub fn epsilon_inputs(&self) -> (&[f64], &[bool]) {
        (&self.scores, &self.same_author)
    }

    /// One trial per document, for tests that assume independent trials:
    /// for each document (ascending), a seeded fair coin picks its
    /// same-author trial or one of its other-author trials uniformly at
    /// random (whichever kind exists if only one does).
    pub fn one_per_document(&self, seed: u64) -> VerificationTrials {
        let mut by_doc: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
            std::collections::BTreeMap::new();
        for (i, (&doc, &same)) in self.document.iter().zip(&self.same_author).enumerate() {
            let e = by_doc.entry(doc).or_default();
            if same {
                e.0.push(i);
            } else {
                e.1.push(i);
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = VerificationTrials {
            scores: Vec::with_capacity(by_doc.len()),
            same_author: Vec::with_capacity(by_doc.len()),
            document: Vec::with_capacity(by_doc.len()),
            candidate: Vec::with_capacity(by_doc.len()),
        };
        for (pos, neg) in by_doc.values() {
            let want_positive = rng.gen_bool(0.5);
            let pool = if (want_positive && !pos.is_empty()) || neg.is_empty() {
                pos
            } else {
                neg
            };
            if let Some(&i) = pool.choose(&mut rng) {
                out.scores.push(self.scores[i]);
                out.same_author.push(self.same_author[i]);
                out.document.push(self.document[i]);
                out.candidate.push(self.candidate[i]);
            }
        }
        out
    }
}

/// Every (document, candidate author) pair of a documents x authors score
/// matrix as a verification trial, positive when the candidate is
/// `true_author[document]`. n documents and m authors give n positive and
/// n (m - 1) negative trials.
pub fn trials_from_scores(
    scores: &Array2<f64>,
    true_author: &[usize],
) -> Result<VerificationTrials, StylometryError> {
    if scores.nrows() != true_author.len() {
        return Err(StylometryError::Invalid(format!(
            "the score matrix has {} documents but {} true authors were given; they must pair up row by row",
            scores.nrows(),
            true_author.len()
        )));
    }
    let m = scores.ncols();
    let cap = scores.len();
    let mut out = VerificationTrials {
        scores: Vec::with_capacity(cap),
        same_author: Vec::with_capacity(cap),
        document: Vec::with_capacity(cap),
        candidate: Vec::with_capacity(cap),
    };
    for (doc, (row, &truth)) in scores.rows().into_iter().zip(true_author).enumerate() {
        if truth >= m {
            return Err(StylometryError::Invalid(format!(
                "document {doc}: true author index {truth} is outside the {m} scored authors"
            )));
        }
        for (cand, &s) in row.iter().enumerate() {
            if s.is_nan() {
                return Err(StylometryError::Invalid(format!(
                    "document {doc}, candidate {cand}: score is NaN"
                )));
            }
            out.scores.push(s);
            out.same_author.push(cand == truth);
            out.document.push(doc);
            out.candidate.push(cand);
        }
    }
    Ok(out)
}

/// Similarity of two feature vectors used by the impostors method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Similarity {
    /// Min-max (Ruzicka) similarity `sum min(a,b) / sum max(a,b)`, the measure
    /// Koppel & Winter (2014) report best; needs non-negative features
    /// (frequencies).
    MinMax,
    /// Cosine similarity.
    Cosine,
}

/// Parameters of the impostors method (defaults from Koppel & Winter 2014).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ImpostorsParams {
    /// Iterations `k`. Default 100.
    pub iterations: usize,
    /// Share of features drawn (without replacement) each iteration. Default 0.4.
    pub feature_fraction: f64,
    /// Pre-selection: the `m` impostors most similar to the document they
    /// stand in for (on all features). Default 250.
    pub candidate_impostors: usize,
    /// Impostors drawn at random from those `m` for the comparison. Default 25.
    pub impostors: usize,
    /// Similarity measure. Default min-max.
    pub similarity: Similarity,
    /// Also run with the two documents' roles swapped and average the two
    /// scores, as in the paper. Default true.
    pub symmetric: bool,
    /// Seed of the feature and impostor draws.
    pub seed: u64,
}

impl Default for ImpostorsParams {
    fn default() -> Self {
        ImpostorsParams {
            iterations: 100,
            feature_fraction: 0.4,
            candidate_impostors: 250,
            impostors: 25,
            similarity: Similarity::MinMax,
            symmetric: true,
            seed: 0,
        }
    }
}

fn similarity_on(
    kind: Similarity,
    a: ArrayView1<f64>,
    b: ArrayView1<f64>,
    features: &[usize],
) -> f64 {
    match kind {
        Similarity::MinMax => {
            let (mut num, mut den) = (0.0, 0.0);
            for &j in features {
                num += a[j].min(b[j]);
                den += a[j].max(b[j]);
            }
            if den > 0.0 {
                num / den
            } else {
                0.0
            }
        }
        Similarity::Cosine => {
            let (mut dot, mut na, mut nb) = (0.0, 0.0, 0.0);
            for &j in features {
                dot += a[j] * b[j];
                na += a[j] * a[j];
                nb += b[j] * b[j];
            }
            if na > 0.0 && nb > 0.0 {
                dot / (na.sqrt() * nb.sqrt())
            } else {
                0.0
            }
        }
    }
}

/// One direction of the method: is `known` closer to `questioned` than the
/// impostors of `known` are, on random feature subsets?
fn one_direction(
    questioned: ArrayView1<f64>,
    known: ArrayView1<f64>,
    impostors: &Array2<f64>,
    p: &ImpostorsParams,
    rng: &mut ChaCha8Rng,
) -> f64 {
    let d = questioned.len();
    let all: Vec<usize> = (0..d).collect();
    // Pre-select the m impostors most similar to `known` (the document they
    // compete with), then draw n of them.
    let mut ranked: Vec<(f64, usize)> = impostors
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| (similarity_on(p.similarity, known, row, &all), i))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.truncate(p.candidate_impostors);
    let mut pool: Vec<usize> = ranked.into_iter().map(|(_, i)| i).collect();
    pool.shuffle(rng);
    pool.truncate(p.impostors);
    pool.sort_unstable();

    let n_features = ((d as f64 * p.feature_fraction).round() as usize).clamp(1, d);
    let mut features = all;
    let mut wins = 0usize;
    for _ in 0..p.iterations {
        let (chosen, _) = features.partial_shuffle(rng, n_features);
        let s_known = similarity_on(p.similarity, questioned, known, chosen);
        let beats_all = pool
            .iter()
            .all(|&i| s_known > similarity_on(p.similarity, questioned, impostors.row(i), chosen));
        wins += usize::from(beats_all);
    }
    wins as f64 / p.iterations as f64
}

fn check_impostors(
    d: usize,
    impostors: &Array2<f64>,
    p: &ImpostorsParams,
) -> Result<(), StylometryError> {
    if d == 0 {
        return Err(StylometryError::Invalid(
            "impostors: documents have no features".into(),
        ));
    }
    if impostors.ncols() != d {
        return Err(StylometryError::Invalid(format!(
            "impostors: impostor documents have {} features but the compared documents have {d}; extract the same features",
            impostors.ncols()
        )));
    }
    if impostors.nrows() == 0 {
        return Err(StylometryError::Invalid(
            "impostors: no impostor documents; give documents by other authors".into(),
        ));
    }
    if p.iterations == 0 {
        return Err(StylometryError::Invalid(
            "impostors: iterations must be at least 1".into(),
        ));
    }
    if p.impostors == 0 || p.candidate_impostors == 0 {
        return Err(StylometryError::Invalid(format!(
            "impostors: {} impostors drawn from the {} most similar: both must be at least 1",
            p.impostors, p.candidate_impostors
        )));
    }
    if !(p.feature_fraction > 0.0 && p.feature_fraction <= 1.0) {
        return Err(StylometryError::Invalid(format!(
            "impostors: feature fraction {} must lie in (0, 1]",
            p.feature_fraction
        )));
    }
    if p.similarity == Similarity::MinMax {
        if let Some((i, _)) = impostors
            .indexed_iter()
            .find(|(_, v)| **v < 0.0 || !v.is_finite())
        {
            return Err(StylometryError::Invalid(format!(
                "impostors: impostor document {}, feature {} is negative or not finite; min-max similarity needs non-negative frequencies (use cosine for standardized features)",
                i.0, i.1
            )));
        }
    }
    Ok(())
}

/// The impostors score of "`questioned` and `known` have the same author"
/// (Koppel & Winter 2014), in [0, 1].
///
/// For each direction: the `candidate_impostors` impostor documents most
/// similar to the known document are kept and `impostors` of them drawn at
/// random; then in each of `iterations` rounds a random `feature_fraction` of
/// the features is drawn, and the round counts when the known document is
/// strictly more similar to the questioned one than every drawn impostor. The
/// score is the share of such rounds, averaged with the swapped direction when
/// `symmetric`. `known` may be one document or an author's mean profile.
pub fn impostors_score(
    questioned: ArrayView1<f64>,
    known: ArrayView1<f64>,
    impostors: &Array2<f64>,
    params: &ImpostorsParams,
) -> Result<f64, StylometryError> {
    let d = questioned.len();
    if known.len() != d {
        return Err(StylometryError::Invalid(format!(
            "impostors: the questioned document has {d} features but the known one has {}",
            known.len()
        )));
    }
    check_impostors(d, impostors, params)?;
    for (what, v) in [("questioned", questioned.view()), ("known", known.view())] {
        if let Some(j) = v
            .iter()
            .position(|x| !x.is_finite() || (params.similarity == Similarity::MinMax && *x < 0.0))
        {
            return Err(StylometryError::Invalid(format!(
                "impostors: {what} document, feature {j}: not finite, or negative with min-max similarity"
            )));
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let forward = one_direction(questioned, known, impostors, params, &mut rng);
    if params.symmetric {
        let backward = one_direction(known, questioned, impostors, params, &mut rng);
        Ok((forward + backward) / 2.0)
    } else {
        Ok(forward)
    }
}

/// Impostors scores of many (questioned row, known row) pairs, in parallel.
/// Pair `i` uses seed `params.seed + i`, so results do not depend on the
/// number of threads.
pub fn impostors_scores(
    questioned: &Array2<f64>,
    known: &Array2<f64>,
    pairs: &[(usize, usize)],
    impostors: &Array2<f64>,
    params: &ImpostorsParams,
) -> Result<Vec<f64>, StylometryError> {
    for (i, &(q, k)) in pairs.iter().enumerate() {
        if q >= questioned.nrows() || k >= known.nrows() {
            return Err(StylometryError::Invalid(format!(
                "impostors: pair {i} = ({q}, {k}) refers to a row outside {} questioned / {} known documents",
                questioned.nrows(),
                known.nrows()
            )));
        }
    }
    pairs
        .par_iter()
        .enumerate()
        .map(|(i, &(q, k))| {
            let p = ImpostorsParams {
                seed: params.seed.wrapping_add(i as u64),
                ..*params
            };
            impostors_score(questioned.row(q), known.row(k), impostors, &p)
        })
        .collect()
}
