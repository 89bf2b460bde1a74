//! The joint pseudonym attack: every signal reident has, fused into one
//! pseudonym x candidate score matrix and solved as one global one-to-one
//! assignment with abstention.
//!
//! Setting: a release replaces each author (user, committer) by a stable
//! pseudonym. The attacker knows some writing and activity of each candidate
//! person (and maybe their identifiers: login, name, e-mail). Each signal of
//! the [`signals`] registry turns that knowledge into raw scores of every
//! pseudonym against every candidate: identifier and unsalted-hash joins,
//! near-duplicate documents, rare shared tokens, pooled stylometry,
//! activity profiles (hour of week, gaps between events, project mix), and
//! the candidates a release users table's quasi-identifiers leave (QI join).
//!
//! **Fusion** (in the spirit of Fellegi-Sunter / Splink, where each
//! comparison adds a log-likelihood ratio to a match weight): each signal's
//! scores are standardized per pseudonym (z-scores over the candidates), and
//! the fused score is `sum_k w_k z_k`, the utility of a conditional logit
//! (McFadden 1974): the posterior probability that candidate `c` is the
//! person behind pseudonym `p` is `softmax_c` of the fused scores, so a
//! difference of two fused scores is a log posterior ratio. The weights are learned **on the attacker's known writing
//! only** (never on the truth key): each candidate's known documents are
//! split (seeded) into two halves; one half plays the known writing, the
//! other is "released" under fresh pseudonyms of the attacker's own making,
//! together with a share of the first half equal to the share of the
//! attacker's known documents it sees near-duplicated in the real release
//! (so the simulation contains what the real release contains: some known
//! text, mostly unseen text). The conditional logit (L2-penalised, Newton's
//! method) is fitted on the simulated pseudonyms: each chooses its true
//! candidate among all candidates. (A first version fitted a logistic
//! regression on (pseudonym, candidate) pairs with balanced classes; its
//! log-odds are not a ranking of one pseudonym's candidates, and on the demo
//! comments a sparse signal's rare spikes, standardized to z = sqrt(n - 1),
//! then dominated the margins with confidently wrong answers.)
//!
//! **Assignment with abstention.** The fused matrix is solved by the
//! Hungarian method (Kuhn 1955; `linkage::assignment`), one candidate per
//! pseudonym and vice versa. A pseudonym is *named* only when its assigned
//! candidate's score beats its best other candidate by a margin at least
//! the threshold; the threshold is the smallest margin at which the
//! simulation's own assignments still reach the target precision (and is
//! positive, so a tie always abstains). The *authorship-k* of a pseudonym
//! is the number of candidates whose score is within that margin of its
//! best one (the crowd it hides in).
//!
//! [`experiment`] is the audit's experiment on an original corpus and its
//! release (a seeded `known_share` of each author's originals is what the
//! attacker knows, as in `stylometry::pseudonym`); it returns the truth per
//! pseudonym for `eval::pseudonym_linkage` to score, which the attack itself
//! never sees. This module does not score, read files or decide claims.

pub mod signals;

use std::collections::{BTreeMap, HashMap};

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::attacks::linkage::assignment::min_cost_assignment;
use crate::attacks::stylometry::pipeline::PipelineConfig;
use crate::attacks::stylometry::StylometryError;
pub use signals::{SignalKind, SIGNALS};

/// Errors of the joint pseudonym attack.
#[derive(Debug, thiserror::Error)]
pub enum PseudonymLinkageError {
    /// Invalid input or parameters; the message says what and how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// The stylometric signal failed.
    #[error(transparent)]
    Stylometry(#[from] StylometryError),
}

/// One document (or event) with what the signals read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// Text (may be empty: an event).
    pub text: String,
    /// Unix seconds, when known.
    pub time: Option<i64>,
    /// Project / space / repository, when known.
    pub group: Option<String>,
    /// Other column values the identifier join looks at (e.g. a hashed e-mail).
    pub fields: Vec<String>,
}

/// What the attacker knows: candidates, their identifiers and writing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Known {
    /// Candidate persons (e.g. logins), distinct.
    pub candidates: Vec<String>,
    /// Per candidate: identifiers (login, display name, e-mail...).
    pub identifiers: Vec<Vec<String>>,
    /// Known documents.
    pub documents: Vec<Document>,
    /// Candidate index of each known document.
    pub author: Vec<usize>,
}

/// The release: documents under pseudonyms.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Release {
    /// Pseudonyms, distinct.
    pub pseudonyms: Vec<String>,
    /// Release documents.
    pub documents: Vec<Document>,
    /// Pseudonym index of each release document.
    pub pseudonym: Vec<usize>,
    /// Quasi-identifiers of pseudonyms, as the candidates they are
    /// compatible with (a release users table keyed by the pseudonym,
    /// QI-joined with the attacker's original users table by
    /// [`crate::attacks::linkage::qi_join::compatible_originals`]): pseudonym
    /// name -> candidate indices. Empty: the QI-join signal does not run.
    pub qi_compatible: BTreeMap<String, Vec<usize>>,
}

/// Parameters of the joint attack.
#[derive(Debug, Clone, PartialEq)]
pub struct PseudonymLinkageParams {
    /// Signals to run (default: all of [`SIGNALS`]).
    pub signals: Vec<SignalKind>,
    /// Words per shingle of document linkage.
    pub shingle_words: usize,
    /// Minimum Jaccard similarity of a document link.
    pub link_threshold: f64,
    /// A token is rare when at most this many candidates use it.
    pub rare_max_candidates: usize,
    /// The stylometric pipeline.
    pub stylometry: PipelineConfig,
    /// Additive smoothing of the activity histograms.
    pub smoothing: f64,
    /// L2 penalty of the fusion's conditional logit.
    pub l2: f64,
    /// Precision the abstention threshold aims at (on the simulation).
    pub target_precision: f64,
    /// Seed of the simulation's split.
    pub seed: u64,
}

impl Default for PseudonymLinkageParams {
    /// Every signal, 3-word shingles at Jaccard 0.5, tokens of at most 2
    /// candidates, Cosine Delta on 200 most frequent words, smoothing 0.5,
    /// L2 1, 95% precision, seed 42.
    fn default() -> Self {
        let style = crate::attacks::stylometry::pseudonym::PseudonymAttackParams::new(
            vec![crate::attacks::stylometry::features::FeatureKind::Mfw {
                n: 200,
                culling_percent: 0.0,
            }],
            crate::attacks::stylometry::pipeline::ClassifierKind::Cosine,
        );
        Self {
            signals: SIGNALS.iter().map(|s| s.kind).collect(),
            shingle_words: 3,
            link_threshold: 0.5,
            rare_max_candidates: 2,
            stylometry: style.pipeline,
            smoothing: 0.5,
            l2: 1.0,
            target_precision: 0.95,
            seed: 42,
        }
    }
}

/// One signal's run: its weight in the fusion and its own assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalRun {
    /// The signal.
    pub kind: SignalKind,
    /// Why it did not run (`None` when it ran).
    pub skipped: Option<String>,
    /// Its learned weight (log posterior odds per standard deviation), when it ran.
    pub weight: Option<f64>,
    /// The signal alone through the same assignment: candidate per pseudonym.
    pub assigned: Vec<Option<usize>>,
    /// And the margin of each assignment over the runner-up.
    pub margins: Vec<f64>,
}

/// An assignment with margins and abstention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Candidate assigned to each pseudonym (`None`: more pseudonyms than candidates).
    pub assigned: Vec<Option<usize>>,
    /// Assigned score minus the best other candidate's score.
    pub margins: Vec<f64>,
    /// Named: margin at least the threshold.
    pub named: Vec<bool>,
    /// Candidates within the threshold of the pseudonym's best score.
    pub authorship_k: Vec<usize>,
}

/// How the fusion was trained (on the attacker's own simulation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    /// Simulated pseudonyms (candidates with at least 2 known documents).
    pub simulated_pseudonyms: usize,
    /// (pseudonym, candidate) pairs the regression saw.
    pub pairs: usize,
    /// Share of known documents near-duplicated in the real release (mimicked
    /// in the simulation).
    pub known_in_release_share: f64,
    /// Simulated pseudonyms named at the threshold, and of those correct.
    pub simulated_named: usize,
    /// Correct among `simulated_named`.
    pub simulated_correct: usize,
    /// Simulated pseudonyms the fused assignment gets right (no abstention).
    pub simulated_top1: usize,
}

/// The joint attack's result (no truth inside).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PseudonymLinkage {
    /// Pseudonyms (rows).
    #[serde(skip)]
    pub pseudonyms: Vec<String>,
    /// Candidates (columns).
    #[serde(skip)]
    pub candidates: Vec<String>,
    /// Release documents per pseudonym.
    pub documents: Vec<usize>,
    /// Per signal, in registry order.
    pub signals: Vec<SignalRun>,
    /// The fused attack.
    pub fused: Assignment,
    /// Margin threshold of naming (log posterior odds of the assigned
    /// candidate against the runner-up).
    pub threshold: f64,
    /// How the weights were learned.
    pub training: Training,
}

/// A fitted joint attack: prepared signals and learned weights; runs on any
/// release (the real one, or sub-samples of it for the pooling curve).
pub struct FittedAttack {
    prepared: Vec<(SignalKind, Box<dyn signals::PreparedSignal>)>,
    skipped: Vec<(SignalKind, String)>,
    weights: Vec<f64>,
    threshold: f64,
    training: Training,
    n_candidates: usize,
}

impl FittedAttack {
    /// Signals that ran, in registry order.
    pub fn signals(&self) -> Vec<SignalKind> {
        self.prepared.iter().map(|(k, _)| *k).collect()
    }

    /// The learned weights (same order as [`FittedAttack::signals`]).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The margin threshold of naming.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Standardized signal matrices of `release`.
    fn features(&self, release: &Release) -> Result<Vec<Array2<f64>>, PseudonymLinkageError> {
        self.prepared
            .iter()
            .map(|(_, s)| s.score(release).map(|m| row_z(&m)))
            .collect()
    }

    /// The fused matrix and the per-signal matrices of `release`.
    pub fn score(
        &self,
        release: &Release,
    ) -> Result<(Array2<f64>, Vec<Array2<f64>>), PseudonymLinkageError> {
        check_release(release)?;
        let z = self.features(release)?;
        let mut fused = Array2::<f64>::zeros((release.pseudonyms.len(), self.n_candidates));
        for (m, w) in z.iter().zip(&self.weights) {
            fused.scaled_add(*w, m);
        }
        Ok((fused, z))
    }

    /// Runs the fitted attack on `release`.
    pub fn run(&self, release: &Release) -> Result<PseudonymLinkage, PseudonymLinkageError> {
        let (fused, z) = self.score(release)?;
        let mut runs = Vec::new();
        for spec in SIGNALS {
            if let Some(i) = self.prepared.iter().position(|(k, _)| *k == spec.kind) {
                let (assigned, margins) = assign(&z[i]);
                runs.push(SignalRun {
                    kind: spec.kind,
                    skipped: None,
                    weight: Some(self.weights[i]),
                    assigned,
                    margins,
                });
            } else if let Some((_, why)) = self.skipped.iter().find(|(k, _)| *k == spec.kind) {
                runs.push(SignalRun {
                    kind: spec.kind,
                    skipped: Some(why.clone()),
                    weight: None,
                    assigned: Vec::new(),
                    margins: Vec::new(),
                });
            }
        }
        let mut documents = vec![0usize; release.pseudonyms.len()];
        for &p in &release.pseudonym {
            documents[p] += 1;
        }
        Ok(PseudonymLinkage {
            pseudonyms: release.pseudonyms.clone(),
            candidates: Vec::new(),
            documents,
            signals: runs,
            fused: abstain(&fused, self.threshold),
            threshold: self.threshold,
            training: self.training.clone(),
        })
    }
}

fn check_release(release: &Release) -> Result<(), PseudonymLinkageError> {
    if release.pseudonym.len() != release.documents.len() {
        return Err(PseudonymLinkageError::Invalid(format!(
            "{} release documents but {} pseudonym labels",
            release.documents.len(),
            release.pseudonym.len()
        )));
    }
    if let Some(&p) = release
        .pseudonym
        .iter()
        .find(|&&p| p >= release.pseudonyms.len())
    {
        return Err(PseudonymLinkageError::Invalid(format!(
            "pseudonym index {p} outside the {} pseudonyms",
            release.pseudonyms.len()
        )));
    }
    Ok(())
}

fn check_known(known: &Known) -> Result<(), PseudonymLinkageError> {
    let n = known.candidates.len();
    if n < 2 {
        return Err(PseudonymLinkageError::Invalid(format!(
            "the joint pseudonym attack needs at least 2 candidates, got {n}"
        )));
    }
    if known.identifiers.len() != n {
        return Err(PseudonymLinkageError::Invalid(format!(
            "{n} candidates but {} identifier lists",
            known.identifiers.len()
        )));
    }
    if known.author.len() != known.documents.len() || known.author.iter().any(|&a| a >= n) {
        return Err(PseudonymLinkageError::Invalid(
            "every known document needs one author among the candidates".into(),
        ));
    }
    Ok(())
}

/// Z-scores of each row (0 for a constant row), clipped to +-50.
pub fn row_z(m: &Array2<f64>) -> Array2<f64> {
    let mut out = m.clone();
    for mut row in out.rows_mut() {
        let n = row.len() as f64;
        if n == 0.0 {
            continue;
        }
        let mean = row.sum() / n;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        let sd = var.sqrt();
        if sd.is_nan() || sd <= 1e-12 || !sd.is_finite() {
            row.fill(0.0);
        } else {
            row.mapv_inplace(|v| ((v - mean) / sd).clamp(-50.0, 50.0));
        }
    }
    out
}

/// The Hungarian assignment maximising the total score (each pseudonym one
/// candidate and vice versa) and each assignment's margin over the
/// pseudonym's best other candidate (0 with one candidate).
pub fn assign(scores: &Array2<f64>) -> (Vec<Option<usize>>, Vec<f64>) {
    let (n, m) = scores.dim();
    if n == 0 || m == 0 {
        return (vec![None; n], vec![0.0; n]);
    }
    let finite_low = scores
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let s = scores.mapv(|v| if v.is_finite() { v } else { finite_low });
    let assigned: Vec<Option<usize>> = if n <= m {
        let cost: Vec<f64> = s.iter().map(|v| -v).collect();
        min_cost_assignment(&cost, n, m)
            .into_iter()
            .map(Some)
            .collect()
    } else {
        let t = s.t();
        let cost: Vec<f64> = t.iter().map(|v| -v).collect();
        let col_to_row = min_cost_assignment(&cost, m, n);
        let mut out = vec![None; n];
        for (c, &p) in col_to_row.iter().enumerate() {
            out[p] = Some(c);
        }
        out
    };
    let margins = assigned
        .iter()
        .enumerate()
        .map(|(p, a)| match a {
            None => 0.0,
            Some(c) => {
                let other = (0..m)
                    .filter(|&j| j != *c)
                    .map(|j| s[[p, j]])
                    .fold(f64::NEG_INFINITY, f64::max);
                if other.is_finite() {
                    s[[p, *c]] - other
                } else {
                    0.0
                }
            }
        })
        .collect();
    (assigned, margins)
}

/// The assignment of `scores` with abstention at margin `threshold`, and
/// each pseudonym's authorship-k (candidates within `threshold` of its best
/// score, itself included).
pub fn abstain(scores: &Array2<f64>, threshold: f64) -> Assignment {
    let (assigned, margins) = assign(scores);
    let named = assigned
        .iter()
        .zip(&margins)
        .map(|(a, &m)| a.is_some() && m >= threshold)
        .collect();
    let authorship_k = scores
        .rows()
        .into_iter()
        .map(|row| {
            let best = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.iter().filter(|&&v| v >= best - threshold).count()
        })
        .collect();
    Assignment {
        assigned,
        margins,
        named,
        authorship_k,
    }
}

/// The smallest margin threshold at which the assignments, named in order of
/// decreasing margin, keep precision at least `target` (computed where the
/// truth is the attacker's own: the simulation). Never below `1e-9` (a tie
/// abstains); above every margin when no prefix reaches `target`.
pub fn margin_threshold(
    assigned: &[Option<usize>],
    margins: &[f64],
    truth: &[usize],
    target: f64,
) -> f64 {
    let mut order: Vec<usize> = (0..assigned.len())
        .filter(|&i| assigned[i].is_some())
        .collect();
    order.sort_by(|&a, &b| margins[b].total_cmp(&margins[a]).then(a.cmp(&b)));
    let mut correct = 0usize;
    let mut best: Option<f64> = None;
    for (k, &i) in order.iter().enumerate() {
        if assigned[i] == Some(truth[i]) {
            correct += 1;
        }
        // Only cut between distinct margins.
        let boundary = order.get(k + 1).is_none_or(|&j| margins[j] < margins[i]);
        if boundary && correct as f64 >= target * (k + 1) as f64 {
            best = Some(margins[i]);
        }
    }
    match best {
        Some(t) => t.max(1e-9),
        None => margins.iter().copied().fold(0.0f64, f64::max) + 1.0,
    }
}

/// Penalised negative log-likelihood of the conditional logit (below).
fn conditional_logit_loss(x: &[Array2<f64>], truth: &[usize], w: &[f64], l2: f64) -> f64 {
    let mut loss = 0.5 * l2 * w.iter().map(|v| v * v).sum::<f64>();
    for (p, &t) in truth.iter().enumerate() {
        let u: Vec<f64> = (0..x.first().map_or(0, |m| m.ncols()))
            .map(|c| x.iter().zip(w).map(|(m, wk)| wk * m[[p, c]]).sum())
            .collect();
        let top = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = top + u.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
        loss -= u[t] - lse;
    }
    loss
}

/// The conditional logit of McFadden (1974, "Conditional logit analysis of
/// qualitative choice behavior"): each (simulated) pseudonym chooses one of
/// the candidates with probability `softmax_c(sum_k w_k x_k[p, c])`; the
/// weights maximise the L2-penalised log-likelihood of the true candidates
/// (Newton's method with step halving). `x[k]` is signal `k`'s pseudonyms x
/// candidates matrix, `truth[p]` the candidate behind pseudonym `p`.
///
/// Unlike a logistic regression on (pseudonym, candidate) pairs, it learns
/// what the assignment needs: how well the scores single out the one true
/// candidate among a pseudonym's candidates, so the difference of two fused
/// scores is the log of the ratio of their posterior probabilities (the
/// margin of the assignment is the log posterior odds of the assigned
/// candidate against the runner-up). Also known as the multinomial
/// logit with alternative-specific features, or softmax ranking.
pub fn fit_conditional_logit(x: &[Array2<f64>], truth: &[usize], l2: f64) -> Vec<f64> {
    let k = x.len();
    let n_c = x.first().map_or(0, |m| m.ncols());
    let mut w = vec![0.0; k];
    if k == 0 || n_c == 0 {
        return w;
    }
    let mut loss = conditional_logit_loss(x, truth, &w, l2);
    for _ in 0..100 {
        let mut grad: Vec<f64> = w.iter().map(|v| l2 * v).collect();
        let mut hess = vec![vec![0.0; k]; k];
        for (a, row) in hess.iter_mut().enumerate() {
            row[a] = l2;
        }
        for (p, &t) in truth.iter().enumerate() {
            let u: Vec<f64> = (0..n_c)
                .map(|c| x.iter().zip(&w).map(|(m, wk)| wk * m[[p, c]]).sum())
                .collect();
            let top = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = u.iter().map(|v| (v - top).exp()).collect();
            let total: f64 = e.iter().sum();
            let mut mean = vec![0.0; k];
            let mut second = vec![vec![0.0; k]; k];
            for (c, ec) in e.iter().enumerate() {
                let pr = ec / total;
                for a in 0..k {
                    let xa = x[a][[p, c]];
                    mean[a] += pr * xa;
                    for b in 0..k {
                        second[a][b] += pr * xa * x[b][[p, c]];
                    }
                }
            }
            for a in 0..k {
                grad[a] -= x[a][[p, t]] - mean[a];
                for b in 0..k {
                    hess[a][b] += second[a][b] - mean[a] * mean[b];
                }
            }
        }
        let Some(step) = solve(hess, grad) else { break };
        let mut t = 1.0;
        let mut next = w.clone();
        let mut next_loss = f64::INFINITY;
        while t > 1e-8 {
            next = w.iter().zip(&step).map(|(a, s)| a - t * s).collect();
            next_loss = conditional_logit_loss(x, truth, &next, l2);
            if next_loss <= loss {
                break;
            }
            t *= 0.5;
        }
        let accepted = next_loss <= loss;
        if !accepted {
            break;
        }
        let change = w
            .iter()
            .zip(&next)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f64, f64::max);
        w = next;
        loss = next_loss;
        if change < 1e-9 {
            break;
        }
    }
    w
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let pivot_row = a[col].clone();
        for r in col + 1..n {
            let f = a[r][col] / pivot_row[col];
            for (x, p) in a[r].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Prepared signals, and the ones that could not run with the reason.
type PreparedSignals = (
    Vec<(SignalKind, Box<dyn signals::PreparedSignal>)>,
    Vec<(SignalKind, String)>,
);

fn prepare_all(
    known: &Known,
    visible: &signals::ReleaseView,
    params: &PseudonymLinkageParams,
) -> Result<PreparedSignals, PseudonymLinkageError> {
    let mut prepared = Vec::new();
    let mut skipped = Vec::new();
    for spec in SIGNALS {
        if !params.signals.contains(&spec.kind) {
            continue;
        }
        match signals::prepare(spec.kind, known, visible, params)? {
            Ok(s) => prepared.push((spec.kind, s)),
            Err(why) => skipped.push((spec.kind, why)),
        }
    }
    Ok((prepared, skipped))
}

/// Fits the joint attack on `known` (the simulation described in the
/// module docs); `release` is only read for the share of known documents
/// it near-duplicates (no truth key is involved).
pub fn fit(
    known: &Known,
    release: &Release,
    params: &PseudonymLinkageParams,
) -> Result<FittedAttack, PseudonymLinkageError> {
    check_known(known)?;
    check_release(release)?;
    if !(params.target_precision > 0.0 && params.target_precision <= 1.0) {
        return Err(PseudonymLinkageError::Invalid(format!(
            "target precision must be in (0, 1], got {}",
            params.target_precision
        )));
    }
    // What the real release shows of the candidates' identifiers, read by the
    // signals of the real run and of the simulation alike (no truth key).
    let visible = signals::ReleaseView::of(release, known);
    let (prepared, skipped) = prepare_all(known, &visible, params)?;
    let n_c = known.candidates.len();
    let q = signals::known_in_release_share(known, release, params).unwrap_or(0.0);

    // The simulation: split each candidate's documents in two halves.
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut by_c: Vec<Vec<usize>> = vec![Vec::new(); n_c];
    for (i, &c) in known.author.iter().enumerate() {
        by_c[c].push(i);
    }
    let mut sim_known = Known {
        candidates: known.candidates.clone(),
        identifiers: known.identifiers.clone(),
        ..Known::default()
    };
    let mut sim_release = Release::default();
    let mut sim_truth = Vec::new();
    for (c, docs) in by_c.iter_mut().enumerate() {
        docs.shuffle(&mut rng);
        let half = docs.len().div_ceil(2);
        for &d in &docs[..half] {
            sim_known.documents.push(known.documents[d].clone());
            sim_known.author.push(c);
        }
        if docs.len() < 2 {
            continue;
        }
        let p = sim_release.pseudonyms.len();
        sim_release.pseudonyms.push(format!("simulated-{p}"));
        sim_truth.push(c);
        for &d in &docs[half..] {
            sim_release.documents.push(known.documents[d].clone());
            sim_release.pseudonym.push(p);
        }
        for &d in &docs[..half] {
            if rng.gen::<f64>() < q {
                sim_release.documents.push(known.documents[d].clone());
                sim_release.pseudonym.push(p);
            }
        }
    }
    // The QI-join signal in the simulation: each simulated pseudonym gets
    // the compatible set of a release QI record (seeded pick) that its
    // candidate is compatible with, so the simulated sets are as large as
    // the release's generalization makes them (a separate stream: the
    // split above is the same with or without a users table).
    if !release.qi_compatible.is_empty() {
        let mut qi_rng = ChaCha8Rng::seed_from_u64(params.seed ^ 0x5155_4a4f_494e);
        for (p, &c) in sim_truth.iter().enumerate() {
            let fits: Vec<&Vec<usize>> = release
                .qi_compatible
                .values()
                .filter(|set| set.contains(&c))
                .collect();
            if let Some(set) = fits.choose(&mut qi_rng) {
                sim_release
                    .qi_compatible
                    .insert(sim_release.pseudonyms[p].clone(), (*set).clone());
            }
        }
    }
    if sim_release.pseudonyms.len() < 2 {
        return Err(PseudonymLinkageError::Invalid(format!(
            "the weights are learned on the known writing: at least 2 candidates need 2 known documents or more, got {}",
            sim_release.pseudonyms.len()
        )));
    }
    let (sim_prepared, _) = prepare_all(&sim_known, &visible, params)?;
    // Features of the signals that run on the real data (a signal the
    // simulation cannot run contributes zeros there).
    let mut sim_z = Vec::new();
    for (kind, _) in &prepared {
        match sim_prepared.iter().find(|(k, _)| k == kind) {
            Some((_, s)) => sim_z.push(row_z(&s.score(&sim_release)?)),
            None => sim_z.push(Array2::zeros((sim_release.pseudonyms.len(), n_c))),
        }
    }
    let weights = fit_conditional_logit(&sim_z, &sim_truth, params.l2);
    let mut sim_fused = Array2::<f64>::zeros((sim_release.pseudonyms.len(), n_c));
    for (m, w) in sim_z.iter().zip(&weights) {
        sim_fused.scaled_add(*w, m);
    }
    let (assigned, margins) = assign(&sim_fused);
    let threshold = if prepared.is_empty() {
        f64::MAX
    } else {
        margin_threshold(&assigned, &margins, &sim_truth, params.target_precision)
    };
    let named: Vec<usize> = (0..assigned.len())
        .filter(|&i| assigned[i].is_some() && margins[i] >= threshold)
        .collect();
    let training = Training {
        simulated_pseudonyms: sim_truth.len(),
        pairs: sim_truth.len() * n_c,
        known_in_release_share: q,
        simulated_named: named.len(),
        simulated_correct: named
            .iter()
            .filter(|&&i| assigned[i] == Some(sim_truth[i]))
            .count(),
        simulated_top1: (0..assigned.len())
            .filter(|&i| assigned[i] == Some(sim_truth[i]))
            .count(),
    };
    Ok(FittedAttack {
        prepared,
        skipped,
        weights,
        threshold,
        training,
        n_candidates: n_c,
    })
}

/// Fits the joint attack on `known` and runs it on `release`.
pub fn pseudonym_linkage(
    known: &Known,
    release: &Release,
    params: &PseudonymLinkageParams,
) -> Result<(PseudonymLinkage, FittedAttack), PseudonymLinkageError> {
    let fitted = fit(known, release, params)?;
    let mut out = fitted.run(release)?;
    out.candidates = known.candidates.clone();
    Ok((out, fitted))
}

/// One point of the pooling curve: every pseudonym's documents sub-sampled
/// (seeded) to at most `documents`, the fitted attack re-run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolingPoint {
    /// Documents kept per pseudonym.
    pub documents: usize,
    /// Pseudonyms with at least that many documents (the ones scored).
    pub eligible: Vec<bool>,
    /// The fused assignment on the sub-sample.
    pub assigned: Vec<Option<usize>>,
}

/// The pooling curve's runs: for each size in `sizes`, each pseudonym keeps
/// a seeded random `size` of its release documents (all when it has fewer).
pub fn pooling_sweep(
    fitted: &FittedAttack,
    release: &Release,
    sizes: &[usize],
    seed: u64,
) -> Result<Vec<PoolingPoint>, PseudonymLinkageError> {
    check_release(release)?;
    let mut by_p: Vec<Vec<usize>> = vec![Vec::new(); release.pseudonyms.len()];
    for (i, &p) in release.pseudonym.iter().enumerate() {
        by_p[p].push(i);
    }
    let mut out = Vec::new();
    for &size in sizes {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ size as u64);
        let mut sub = Release {
            pseudonyms: release.pseudonyms.clone(),
            qi_compatible: release.qi_compatible.clone(),
            ..Release::default()
        };
        for (p, docs) in by_p.iter().enumerate() {
            let mut d = docs.clone();
            d.shuffle(&mut rng);
            for &i in d.iter().take(size) {
                sub.documents.push(release.documents[i].clone());
                sub.pseudonym.push(p);
            }
        }
        let (fused, _) = fitted.score(&sub)?;
        let (assigned, _) = assign(&fused);
        out.push(PoolingPoint {
            documents: size,
            eligible: by_p.iter().map(|d| d.len() >= size).collect(),
            assigned,
        });
    }
    Ok(out)
}

// --------------------------------------------------------------- experiment

/// The audit's experiment input: originals with authors, the release with
/// pseudonyms (documents matched by id), and identifiers per author.
#[derive(Debug, Clone)]
pub struct ExperimentInput<'a> {
    /// Original document ids.
    pub original_ids: &'a [String],
    /// Original author per document (`None`: unknown, not used).
    pub original_authors: &'a [Option<String>],
    /// Original documents.
    pub original: &'a [Document],
    /// Release document ids (naming the original of the same id).
    pub release_ids: &'a [String],
    /// Release pseudonym per document (`None` or blank: not attacked).
    pub release_pseudonyms: &'a [Option<String>],
    /// Release documents.
    pub release: &'a [Document],
    /// Identifiers the attacker knows per author (login -> values).
    pub identifiers: &'a BTreeMap<String, Vec<String>>,
    /// QI-join of a release users table keyed by pseudonym with the
    /// attacker's original users table: pseudonym -> compatible logins
    /// (empty: no users table; the QI-join signal does not run).
    pub qi_compatible: &'a BTreeMap<String, Vec<String>>,
}

/// Parameters of [`experiment`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentParams {
    /// Share of each author's originals the attacker knows, in (0, 1).
    pub known_share: f64,
    /// Authors with fewer original documents are not candidates (at least 2).
    pub min_documents: usize,
    /// Documents per pseudonym of the pooling curve (empty: no curve).
    pub pooling_sizes: Vec<usize>,
    /// The attack's parameters (its seed also seeds the known split).
    pub attack: PseudonymLinkageParams,
}

/// The experiment's outcome: the attack, and the truth for scoring.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Experiment {
    /// The attack.
    pub attack: PseudonymLinkage,
    /// Candidate (index) behind each pseudonym: the majority original author
    /// of its documents matched by id, when that author is a candidate.
    #[serde(skip)]
    pub truth: Vec<Option<usize>>,
    /// Release documents attacked (under a pseudonym, not a known document's
    /// release version).
    pub release_documents: usize,
    /// Of those, the ones whose id names an original of a candidate author.
    pub resolved_documents: usize,
    /// Known (training) documents.
    pub known_documents: usize,
    /// Authors left out for too few documents.
    pub authors_left_out: usize,
    /// The pooling curve's runs.
    pub pooling: Vec<PoolingPoint>,
}

/// Runs the joint attack as the audit does (module docs).
pub fn experiment(
    input: &ExperimentInput<'_>,
    params: &ExperimentParams,
) -> Result<Experiment, PseudonymLinkageError> {
    let n = input.original_ids.len();
    if input.original_authors.len() != n || input.original.len() != n {
        return Err(PseudonymLinkageError::Invalid(format!(
            "{n} original ids, {} authors and {} documents; they must pair up row by row",
            input.original_authors.len(),
            input.original.len()
        )));
    }
    let m = input.release_ids.len();
    if input.release_pseudonyms.len() != m || input.release.len() != m {
        return Err(PseudonymLinkageError::Invalid(format!(
            "{m} release ids, {} pseudonyms and {} documents; they must pair up row by row",
            input.release_pseudonyms.len(),
            input.release.len()
        )));
    }
    if !(params.known_share > 0.0 && params.known_share < 1.0) {
        return Err(PseudonymLinkageError::Invalid(format!(
            "the known share of each author's documents must be in (0, 1), got {}",
            params.known_share
        )));
    }
    let mut by_author: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (row, a) in input.original_authors.iter().enumerate() {
        if let Some(a) = a.as_deref().filter(|a| !a.trim().is_empty()) {
            by_author.entry(a).or_default().push(row);
        }
    }
    let min_docs = params.min_documents.max(2);
    let total = by_author.len();
    by_author.retain(|_, v| v.len() >= min_docs);
    let candidates: Vec<String> = by_author.keys().map(|s| s.to_string()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(params.attack.seed);
    let mut known = Known {
        candidates: candidates.clone(),
        identifiers: candidates
            .iter()
            .map(|c| {
                let mut ids = vec![c.clone()];
                ids.extend(input.identifiers.get(c).into_iter().flatten().cloned());
                ids
            })
            .collect(),
        ..Known::default()
    };
    let mut known_ids: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (c, rows) in by_author.values().enumerate() {
        let mut rows = rows.clone();
        rows.shuffle(&mut rng);
        let k =
            ((rows.len() as f64 * params.known_share).round() as usize).clamp(1, rows.len() - 1);
        for &r in &rows[..k] {
            known.documents.push(input.original[r].clone());
            known.author.push(c);
            known_ids.insert(input.original_ids[r].as_str());
        }
    }
    let author_of: HashMap<&str, usize> = input
        .original_ids
        .iter()
        .zip(input.original_authors)
        .filter_map(|(id, a)| {
            let a = a.as_deref()?;
            let c = candidates.binary_search_by(|x| x.as_str().cmp(a)).ok()?;
            Some((id.as_str(), c))
        })
        .collect();
    let has_author: std::collections::HashSet<&str> = input
        .original_ids
        .iter()
        .zip(input.original_authors)
        .filter(|(_, a)| a.as_deref().is_some_and(|a| !a.trim().is_empty()))
        .map(|(id, _)| id.as_str())
        .collect();
    // The attacked rows: under a pseudonym, not a known document's release
    // version (that would name its author trivially), and not by an author
    // left out of the candidates (closed set, as `stylometry::pseudonym`);
    // rows whose id names no original stay (unresolved, counted).
    let rows: Vec<(usize, &str)> = input
        .release_pseudonyms
        .iter()
        .enumerate()
        .filter_map(|(row, p)| {
            let p = p.as_deref().filter(|p| !p.trim().is_empty())?;
            let id = input.release_ids[row].as_str();
            let left_out = has_author.contains(id) && !author_of.contains_key(id);
            (!known_ids.contains(id) && !left_out).then_some((row, p))
        })
        .collect();
    let mut names: Vec<&str> = rows.iter().map(|&(_, p)| p).collect();
    names.sort_unstable();
    names.dedup();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let mut release = Release {
        pseudonyms: names.iter().map(|s| s.to_string()).collect(),
        ..Release::default()
    };
    for (p, logins) in input.qi_compatible {
        if index.contains_key(p.as_str()) {
            let mut set: Vec<usize> = logins
                .iter()
                .filter_map(|l| candidates.binary_search_by(|x| x.as_str().cmp(l)).ok())
                .collect();
            set.sort_unstable();
            set.dedup();
            release.qi_compatible.insert(p.clone(), set);
        }
    }
    let mut votes: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); names.len()];
    let mut resolved = 0usize;
    for &(row, p) in &rows {
        let p = index[p];
        release.documents.push(input.release[row].clone());
        release.pseudonym.push(p);
        let id = input.release_ids[row].as_str();
        if let Some(&c) = author_of.get(id) {
            resolved += 1;
            *votes[p].entry(c).or_insert(0) += 1;
        }
    }
    if release.documents.is_empty() {
        return Err(PseudonymLinkageError::Invalid(
            "no release document carries a pseudonym".into(),
        ));
    }
    let truth = votes
        .iter()
        .map(|v| {
            v.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(&c, _)| c)
        })
        .collect();
    let (attack, fitted) = pseudonym_linkage(&known, &release, &params.attack)?;
    let pooling = pooling_sweep(&fitted, &release, &params.pooling_sizes, params.attack.seed)?;
    Ok(Experiment {
        attack,
        truth,
        release_documents: release.documents.len(),
        resolved_documents: resolved,
        known_documents: known.documents.len(),
        authors_left_out: total - candidates.len(),
        pooling,
    })
}
