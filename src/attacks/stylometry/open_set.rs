//! Open-set authorship attribution: a questioned document gets its
//! closed-set best candidate only when a pairwise verifier agrees that the
//! candidate wrote it; otherwise the answer is "none of the known authors".
//!
//! The rule (verification-thresholded attribution, as in the open-set
//! baselines of PAN 2019's cross-domain authorship attribution task, which
//! leave a document unattributed when the top candidate does not stand out;
//! Kestemont et al., "Overview of the Cross-Domain Authorship Attribution
//! Task at PAN 2019", CLEF 2019 Working Notes): the closed-set classifier's
//! best candidate `c` for document `d` is accepted iff the mean probability,
//! under the pairwise verifier of Weerasinghe & Greenstadt 2021
//! ([`super::pairwise`]) fitted on same/different-author pairs of the
//! training (known) writing, that `d` and each training document of `c` share
//! an author exceeds `threshold`. The verifier's probability is calibrated
//! on the known writing, so the default threshold 0.5 ("more likely the same
//! author than not") is chosen without looking at any test truth.
//!
//! The threshold can instead be chosen as an attacker would, on its known
//! writing only ([`choose_open_set_threshold`]): the known authors are
//! split into folds; in each fold one group of them plays the unknown
//! authors (all their documents become questioned documents whose answer
//! should be "none of the known authors") and the others stay known (a
//! share of each one's documents is held out as questioned documents, the
//! rest trains the closed-set classifier and the verifier); every
//! threshold of a grid is scored on the held-out answers with the caller's
//! open-set measure (`reident` passes the PAN 2019 macro-F1 of
//! `crate::eval::open_set`), averaged over the folds, and the best
//! threshold wins (ties to the lower one). Nothing of the test documents or
//! of the truth key is read.
//!
//! It does not score the answers (that is `crate::eval::open_set`).

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::corpus::Corpus;
use super::pairwise::PairwiseParams;
use super::StylometryError;

/// Parameters of open-set attribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpenSetParams {
    /// The pairwise verifier fitted on the training documents.
    pub verifier: PairwiseParams,
    /// Accept the best candidate when its verification probability exceeds
    /// this. Default 0.5.
    pub threshold: f64,
}

impl Default for OpenSetParams {
    fn default() -> Self {
        OpenSetParams {
            verifier: PairwiseParams::default(),
            threshold: 0.5,
        }
    }
}

/// Open-set answers of a set of documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenSetAttribution {
    /// The closed-set best candidate of each document (ties to the lower
    /// index).
    pub candidate: Vec<usize>,
    /// The verification probability of each document against its candidate.
    pub verification: Vec<f64>,
    /// The answer: `Some(author)` when accepted, `None` for "none of the
    /// known authors".
    pub answer: Vec<Option<usize>>,
    /// The threshold applied.
    pub threshold: f64,
}

/// Open-set attribution of `test_texts` from their closed-set scores
/// (`closed_scores`: documents x authors, higher = more likely, from any
/// classifier fitted on the same training corpus) and the training
/// documents (`train_labels[i]` = author index of `train_texts[i]`).
pub fn open_set_attribute(
    closed_scores: &Array2<f64>,
    train_texts: &[String],
    train_labels: &[usize],
    test_texts: &[String],
    params: &OpenSetParams,
) -> Result<OpenSetAttribution, StylometryError> {
    if closed_scores.nrows() != test_texts.len() {
        return Err(StylometryError::Invalid(format!(
            "open set: {} score rows for {} test documents",
            closed_scores.nrows(),
            test_texts.len()
        )));
    }
    if train_texts.len() != train_labels.len() {
        return Err(StylometryError::Invalid(format!(
            "open set: {} training texts but {} labels",
            train_texts.len(),
            train_labels.len()
        )));
    }
    if let Some(&a) = train_labels.iter().find(|&&a| a >= closed_scores.ncols()) {
        return Err(StylometryError::Invalid(format!(
            "open set: training author {a} has no column among the {} scored authors",
            closed_scores.ncols()
        )));
    }
    if !(params.threshold.is_finite() && (0.0..1.0).contains(&params.threshold)) {
        return Err(StylometryError::Invalid(format!(
            "open set: threshold {} must lie in [0, 1)",
            params.threshold
        )));
    }
    let verifier = params.verifier.fit_corpus(train_texts, train_labels)?;
    let n_train = train_texts.len();
    let mut all: Vec<String> = train_texts.to_vec();
    all.extend_from_slice(test_texts);
    let vectors = verifier.vectors(&all)?;
    let mut candidate = Vec::with_capacity(test_texts.len());
    let mut verification = Vec::with_capacity(test_texts.len());
    let mut answer = Vec::with_capacity(test_texts.len());
    for (d, row) in closed_scores.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| v.is_nan()) {
            return Err(StylometryError::Invalid(format!(
                "open set: document {d}, author {j}: the closed-set score is NaN"
            )));
        }
        let best = super::ranking::top_ranked(row, 1)
            .first()
            .copied()
            .unwrap_or(0);
        let pairs: Vec<(usize, usize)> = train_labels
            .iter()
            .enumerate()
            .filter(|(_, &a)| a == best)
            .map(|(i, _)| (n_train + d, i))
            .collect();
        let p = if pairs.is_empty() {
            0.0
        } else {
            let probs = verifier.probabilities_of_rows(&vectors, &pairs)?;
            probs.iter().sum::<f64>() / probs.len() as f64
        };
        candidate.push(best);
        verification.push(p);
        answer.push((p > params.threshold).then_some(best));
    }
    Ok(OpenSetAttribution {
        candidate,
        verification,
        answer,
        threshold: params.threshold,
    })
}

/// The open-set measure the threshold search maximises: answers against
/// truths (`None` = "none of the known authors"), higher is better.
pub type OpenSetObjective<'a> =
    &'a dyn Fn(&[Option<usize>], &[Option<usize>]) -> Result<f64, StylometryError>;

/// Fits a closed-set classifier on a training corpus and returns the
/// documents x authors scores (columns in `corpus.authors` order) of the
/// questioned texts.
pub type ClosedScorer<'a> =
    &'a mut dyn FnMut(&Corpus, &[String]) -> Result<Array2<f64>, StylometryError>;

/// Settings of [`choose_open_set_threshold`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdSearch {
    /// Folds of the known authors (each fold's group plays the unknowns);
    /// at most the number of authors minus 2, so two stay known.
    pub folds: usize,
    /// Share of each known author's documents held out as questioned
    /// documents (at least one when the author has two or more; an author
    /// with one document only trains).
    pub held_out_share: f64,
    /// Grid step of the thresholds 0, step, 2 step, ... below 1.
    pub step: f64,
    /// Seed of the author folds and of the held-out documents.
    pub seed: u64,
    /// The pairwise verifier (its seed is used as given).
    pub verifier: PairwiseParams,
}

impl Default for ThresholdSearch {
    fn default() -> Self {
        ThresholdSearch {
            folds: 4,
            held_out_share: 0.25,
            step: 0.05,
            seed: 42,
            verifier: PairwiseParams::default(),
        }
    }
}

/// One grid point of the threshold search.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdPoint {
    /// The threshold.
    pub threshold: f64,
    /// The objective averaged over the folds.
    pub score: f64,
}

/// The threshold chosen on the known writing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdChoice {
    /// The chosen threshold.
    pub threshold: f64,
    /// Its objective, averaged over the folds.
    pub score: f64,
    /// Every grid point.
    pub curve: Vec<ThresholdPoint>,
    /// Folds run.
    pub folds: usize,
    /// Questioned documents of simulated unknown authors, over all folds.
    pub simulated_unknown_documents: usize,
    /// Questioned documents of known authors, over all folds.
    pub known_questioned_documents: usize,
}

/// Chooses the open-set threshold by cross-validation on the known writing
/// `known` only (see the module docs): `closed` fits the closed-set
/// classifier of each fold, `objective` scores each fold's answers.
pub fn choose_open_set_threshold(
    known: &Corpus,
    closed: ClosedScorer<'_>,
    objective: OpenSetObjective<'_>,
    search: &ThresholdSearch,
) -> Result<ThresholdChoice, StylometryError> {
    if known.labels.len() != known.texts.len() || known.authors.is_empty() {
        return Err(StylometryError::Invalid(format!(
            "open-set threshold search: {}: the known corpus needs an author per document",
            known.source
        )));
    }
    if !(search.step.is_finite() && search.step > 0.0 && search.step < 1.0) {
        return Err(StylometryError::Invalid(format!(
            "open-set threshold search: step {} must lie in (0, 1)",
            search.step
        )));
    }
    if !(search.held_out_share.is_finite()
        && search.held_out_share > 0.0
        && search.held_out_share < 1.0)
    {
        return Err(StylometryError::Invalid(format!(
            "open-set threshold search: held-out share {} must lie in (0, 1)",
            search.held_out_share
        )));
    }
    let n_authors = known.authors.len();
    if n_authors < 3 {
        return Err(StylometryError::Invalid(format!(
            "open-set threshold search: {} known authors; at least 3 are needed (two stay known while one plays the unknown); give the threshold instead",
            n_authors
        )));
    }
    let folds = search.folds.clamp(1, n_authors - 2);
    let mut rng = ChaCha8Rng::seed_from_u64(search.seed);
    let mut order: Vec<usize> = (0..n_authors).collect();
    order.shuffle(&mut rng);
    let mut docs_of: Vec<Vec<usize>> = vec![Vec::new(); n_authors];
    for (d, &a) in known.labels.iter().enumerate() {
        if a >= n_authors {
            return Err(StylometryError::Invalid(format!(
                "open-set threshold search: {}: document {d} has author label {a} outside the {n_authors} authors",
                known.source
            )));
        }
        docs_of[a].push(d);
    }
    for docs in &mut docs_of {
        docs.shuffle(&mut rng);
    }
    let mut runs: Vec<FoldRun> = Vec::with_capacity(folds);
    let (mut n_unknown, mut n_known_q) = (0, 0);
    for f in 0..folds {
        let unknown: Vec<usize> = order
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == f)
            .map(|(_, &a)| a)
            .collect();
        let mut train_texts = Vec::new();
        let mut train_names: Vec<String> = Vec::new();
        let mut q_texts = Vec::new();
        let mut q_truth: Vec<Option<String>> = Vec::new();
        for (a, docs) in docs_of.iter().enumerate() {
            let name = &known.authors[a];
            if unknown.contains(&a) {
                for &d in docs {
                    q_texts.push(known.texts[d].clone());
                    q_truth.push(None);
                }
                continue;
            }
            let held = if docs.len() >= 2 {
                ((docs.len() as f64 * search.held_out_share).round() as usize)
                    .clamp(1, docs.len() - 1)
            } else {
                0
            };
            for (k, &d) in docs.iter().enumerate() {
                if k < held {
                    q_texts.push(known.texts[d].clone());
                    q_truth.push(Some(name.clone()));
                } else {
                    train_texts.push(known.texts[d].clone());
                    train_names.push(name.clone());
                }
            }
        }
        let train = Corpus::from_named(train_texts, &train_names)?;
        if train.authors.len() < 2 || q_texts.is_empty() {
            continue;
        }
        let truth: Vec<Option<usize>> = q_truth
            .iter()
            .map(|t| t.as_ref().and_then(|n| train.authors.binary_search(n).ok()))
            .collect();
        n_unknown += truth.iter().filter(|t| t.is_none()).count();
        n_known_q += truth.iter().filter(|t| t.is_some()).count();
        let scores = closed(&train, &q_texts)?;
        let open = open_set_attribute(
            &scores,
            &train.texts,
            &train.labels,
            &q_texts,
            &OpenSetParams {
                verifier: search.verifier,
                threshold: 0.0,
            },
        )?;
        runs.push(FoldRun {
            candidate: open.candidate,
            verification: open.verification,
            truth,
        });
    }
    if n_unknown + n_known_q == 0 {
        return Err(StylometryError::Invalid(format!(
            "open-set threshold search: {}: no fold had two known authors with training documents and a questioned document",
            known.source
        )));
    }
    let (curve, best) = threshold_curve(&runs, search.step, objective)?;
    Ok(ThresholdChoice {
        threshold: best.threshold,
        score: best.score,
        curve,
        folds: runs.len(),
        simulated_unknown_documents: n_unknown,
        known_questioned_documents: n_known_q,
    })
}

/// One fold of the threshold search: each questioned document's closed-set
/// candidate, its verification probability, and its truth (`None` = an
/// author playing the unknown).
#[derive(Debug, Clone, PartialEq)]
pub struct FoldRun {
    /// Closed-set best candidate per questioned document.
    pub candidate: Vec<usize>,
    /// Verification probability of the document against its candidate.
    pub verification: Vec<f64>,
    /// The document's author among the fold's known authors, or `None`.
    pub truth: Vec<Option<usize>>,
}

/// Scores every threshold `0, step, 2 step, ... < 1` on the fold runs (a
/// document is answered its candidate when its verification probability
/// exceeds the threshold), averages `objective` over the folds and returns
/// the curve and its best point (ties to the lower threshold).
pub fn threshold_curve(
    runs: &[FoldRun],
    step: f64,
    objective: OpenSetObjective<'_>,
) -> Result<(Vec<ThresholdPoint>, ThresholdPoint), StylometryError> {
    if runs.is_empty() {
        return Err(StylometryError::Invalid(
            "open-set threshold search: no fold ran".into(),
        ));
    }
    if !(step.is_finite() && step > 0.0 && step < 1.0) {
        return Err(StylometryError::Invalid(format!(
            "open-set threshold search: step {step} must lie in (0, 1)"
        )));
    }
    // k * step, rounded to 1e-9 so that 0.35 reads 0.35, not 0.35000000000000003.
    let grid: Vec<f64> = (0..)
        .map(|k| (k as f64 * step * 1e9).round() / 1e9)
        .take_while(|&t| t < 1.0 - 1e-12)
        .collect();
    let mut curve = Vec::with_capacity(grid.len());
    for &t in &grid {
        let mut sum = 0.0;
        for run in runs {
            let answers: Vec<Option<usize>> = run
                .candidate
                .iter()
                .zip(&run.verification)
                .map(|(&c, &v)| (v > t).then_some(c))
                .collect();
            let value = objective(&answers, &run.truth)?;
            if !value.is_finite() {
                return Err(StylometryError::Invalid(format!(
                    "open-set threshold search: the objective is {value} at threshold {t}"
                )));
            }
            sum += value;
        }
        curve.push(ThresholdPoint {
            threshold: t,
            score: sum / runs.len() as f64,
        });
    }
    let best = curve
        .iter()
        .copied()
        .fold(None::<ThresholdPoint>, |b, p| match b {
            Some(b) if b.score >= p.score => Some(b),
            _ => Some(p),
        })
        .ok_or_else(|| StylometryError::Invalid("open-set threshold search: empty grid".into()))?;
    Ok((curve, best))
}
