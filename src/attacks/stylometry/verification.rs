//! Open-set authorship verification: "is this document by author A?".
//!
//! Any closed-set classifier's document x author score matrix becomes a set of
//! verification trials, one per (document, candidate author) pair, labelled
//! same-author or not ([`trials_from_scores`]). On such trials (or on scores
//! from any other verifier) this module computes the ROC curve and its area
//! ([`roc_curve`], [`auc`]; Fawcett 2006, "An introduction to ROC analysis"),
//! the equal error rate with its threshold ([`equal_error_rate`]), and c@1
//! (Peñas & Rodrigo 2011, "A simple measure to assess non-response"), the
//! PAN verification measure that rewards leaving hard cases unanswered.
//!
//! It also implements the impostors method (Koppel & Winter 2014, "Determining
//! if two documents are written by the same author", JASIST 65(1)): a
//! questioned document and a known document are compared on many random
//! feature subsets, each time against impostor documents by other authors;
//! the score is the share of iterations in which the known document is more
//! similar to the questioned one than every impostor is ([`impostors_score`]).
//!
//! Finally [`verification_epsilon_lower_bound`] feeds verification trials to
//! [`crate::dp::epsilon_lower_bound`]: "same author" plays the role of
//! "member", so a verifier that separates them well refutes a claimed
//! author-level epsilon. This module does not fit classifiers or extract
//! features; it only turns scores into verification evidence.

use ndarray::{Array2, ArrayView1};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::StylometryError;
use crate::dp::{EpsilonLowerBound, ThresholdSelection};

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
    /// The inputs of [`crate::dp::epsilon_lower_bound`]: trial scores and
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

fn check_trials(scores: &[f64], labels: &[bool]) -> Result<(usize, usize), StylometryError> {
    if scores.len() != labels.len() {
        return Err(StylometryError::Invalid(format!(
            "{} scores but {} labels; they must pair up one to one",
            scores.len(),
            labels.len()
        )));
    }
    if let Some(i) = scores.iter().position(|s| s.is_nan()) {
        return Err(StylometryError::Invalid(format!(
            "score of trial {i} is NaN"
        )));
    }
    let pos = labels.iter().filter(|&&l| l).count();
    let neg = labels.len() - pos;
    if pos == 0 || neg == 0 {
        return Err(StylometryError::Invalid(format!(
            "{pos} positive and {neg} negative trials: ROC analysis needs at least one of each"
        )));
    }
    Ok((pos, neg))
}

/// The ROC curve of `scores` (higher = positive) against `labels`.
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Result<RocCurve, StylometryError> {
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
pub fn auc(scores: &[f64], labels: &[bool]) -> Result<f64, StylometryError> {
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

/// The equal error rate of a ROC curve: where it crosses `FNR = FPR`.
///
/// Walking the operating points from the strictest threshold, FPR rises and
/// FNR = 1 - TPR falls; the curve crosses the line between the last point with
/// FNR > FPR and the first with FNR <= FPR. The EER is read off the straight
/// segment joining them (the operating points of randomising between the two
/// thresholds, Fawcett 2006), so it is exact for the curve as drawn and does
/// not depend on which side of the crossing the nearest point lies. The
/// reported threshold is that of the first point with FNR <= FPR.
pub fn equal_error_rate(roc: &RocCurve) -> Result<EqualErrorRate, StylometryError> {
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
        .ok_or_else(|| StylometryError::Invalid("ROC curve does not reach (1,1)".into()))?;
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

/// c@1 (Peñas & Rodrigo 2011): `(n_correct + n_unanswered * n_correct / n) / n`.
///
/// `decisions[i]` is `Some(answer)` or `None` (left unanswered); `truth[i]` is
/// the correct answer. Unanswered cases earn the accuracy shown on the whole
/// set, so abstaining beats guessing wrong.
pub fn c_at_1(decisions: &[Option<bool>], truth: &[bool]) -> Result<f64, StylometryError> {
    if decisions.len() != truth.len() {
        return Err(StylometryError::Invalid(format!(
            "{} decisions but {} true answers; they must pair up one to one",
            decisions.len(),
            truth.len()
        )));
    }
    if truth.is_empty() {
        return Err(StylometryError::Invalid("c@1 of zero problems".into()));
    }
    let n = truth.len() as f64;
    let correct = decisions
        .iter()
        .zip(truth)
        .filter(|(d, t)| **d == Some(**t))
        .count() as f64;
    let unanswered = decisions.iter().filter(|d| d.is_none()).count() as f64;
    Ok((correct + unanswered * correct / n) / n)
}

/// Decisions from scores: "yes" when `score > threshold + margin`, "no" when
/// `score < threshold - margin`, unanswered otherwise (PAN convention:
/// threshold 0.5, margin 0, so exactly 0.5 is a non-answer).
pub fn decide(scores: &[f64], threshold: f64, margin: f64) -> Vec<Option<bool>> {
    scores
        .iter()
        .map(|&s| {
            if s > threshold + margin {
                Some(true)
            } else if s < threshold - margin {
                Some(false)
            } else {
                None
            }
        })
        .collect()
}

/// ROC, AUC, EER and c@1 of a set of verification trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerificationReport {
    /// The ROC curve (with AUC).
    pub roc: RocCurve,
    /// Equal error rate.
    pub eer: EqualErrorRate,
    /// c@1 of deciding at the EER threshold (`score >= threshold` = yes, no
    /// abstentions), i.e. plain accuracy at that operating point.
    pub c_at_1_at_eer_threshold: f64,
}

/// ROC, AUC, EER and c@1 (at the EER threshold) of `trials`.
pub fn evaluate_verification(
    trials: &VerificationTrials,
) -> Result<VerificationReport, StylometryError> {
    let roc = roc_curve(&trials.scores, &trials.same_author)?;
    let eer = equal_error_rate(&roc)?;
    let decisions: Vec<Option<bool>> = trials
        .scores
        .iter()
        .map(|&s| Some(s >= eer.threshold))
        .collect();
    let c = c_at_1(&decisions, &trials.same_author)?;
    Ok(VerificationReport {
        roc,
        eer,
        c_at_1_at_eer_threshold: c,
    })
}

/// The epsilon lower bound ([`crate::dp::epsilon_lower_bound`]) that a
/// verifier's trials imply, with "same author" as the "member" hypothesis.
///
/// Meaning: if a release were `(eps, delta)`-DP with respect to which author
/// wrote a document, no test could tell "written by A" from "not written by
/// A" better than the DP trade-off allows; a verifier that does so bounds
/// `eps` from below. The bound's Clopper-Pearson intervals assume
/// independent trials; trials built from one score matrix share documents, so
/// for a strict audit use one trial per document
/// ([`VerificationTrials::one_per_document`]).
pub fn verification_epsilon_lower_bound(
    trials: &VerificationTrials,
    delta: f64,
    confidence: f64,
    selection: ThresholdSelection,
) -> Result<EpsilonLowerBound, StylometryError> {
    let (scores, is_member) = trials.epsilon_inputs();
    crate::dp::epsilon_lower_bound(scores, is_member, delta, confidence, selection).map_err(|e| {
        StylometryError::Invalid(format!("epsilon lower bound from verification trials: {e}"))
    })
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
