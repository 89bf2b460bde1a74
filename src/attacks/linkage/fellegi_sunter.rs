//! Fellegi-Sunter record linkage trained the way Splink trains it
//! (Fellegi & Sunter 1969, "A theory for record linkage", JASA 64(328);
//! Splink, <https://moj-analytical-services.github.io/splink/>):
//!
//! * **u** from comparison vectors of a seeded random sample of pairs, almost
//!   all of which are non-matches (`estimate_u_using_random_sampling`);
//! * **lambda**, the probability that two random records match, given or from
//!   deterministic rules: pairs satisfying them / recall / all pairs
//!   (`estimate_probability_two_random_records_match`);
//! * **m** by Expectation-Maximisation over the comparison vectors of the
//!   pairs of a training blocking rule, with u fixed (Splink's default) and the
//!   comparisons on the rule's own columns neither used nor trained; m from
//!   several sessions is averaged;
//! * **term-frequency adjustment** of exact levels at prediction time:
//!   Bayes factor times `u_exact / max(tf_left, tf_right)`;
//! * **match weight** `log2(lambda/(1-lambda)) + sum log2(m/u)` and probability
//!   `2^w / (1 + 2^w)`, with per-comparison contributions.
//!
//! EM can collapse to "everything matches" or "nothing matches" (the failure
//! recordlinkage's ECM shows on weak data); [`EmSession::collapse`] reports it.
//! Probabilities are clamped to `[1e-12, 1]` so weights stay finite.

use polars::prelude::PlHashMap;
use rand::Rng;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::comparison::{Comparison, PreparedComparison, PreparedComparisons, NULL_ID};

const FLOOR: f64 = 1e-12;

/// m or u of a level that no pair of the estimating sample falls in:
/// Splink's value for a level "not observed in training dataset".
pub const NOT_OBSERVED: f64 = 1e-6;

/// Computes the comparison vectors (one gamma per comparison) of `pairs`,
/// flattened pair-major.
pub(crate) fn comparison_vectors(prepared: &PreparedComparisons, pairs: &[(u32, u32)]) -> Vec<u8> {
    let k = prepared.len();
    let mut gammas = vec![0u8; pairs.len() * k];
    if k == 0 {
        return gammas;
    }
    // Chunks of pairs rather than single pairs per rayon task: the per-task
    // overhead would otherwise be comparable to a comparison.
    const CHUNK: usize = 4096;
    gammas
        .par_chunks_mut(k * CHUNK)
        .zip(pairs.par_chunks(CHUNK))
        .for_each(|(g, chunk)| {
            for (out, &(l, r)) in g.chunks_exact_mut(k).zip(chunk) {
                prepared.vector_into(l as usize, r as usize, out);
            }
        });
    gammas
}

/// u per comparison and level from `sample_pairs` random pairs (seeded):
/// `u_l = count(level l) / count(non-null)`. A level never seen in the
/// sample gets [`NOT_OBSERVED`] (1e-6), as Splink 4/5 does
/// (`LEVEL_NOT_OBSERVED_TEXT` reads as 1e-6 in `ComparisonLevel`), so no
/// Bayes factor is infinite and the weights equal Splink's. The null
/// level's u is 1 by convention (unused).
pub(crate) fn estimate_u_random(
    prepared: &PreparedComparisons,
    sample_pairs: usize,
    seed: u64,
) -> Vec<Vec<f64>> {
    let pairs = u_sample(prepared.n_left(), prepared.n_right(), sample_pairs, seed);
    let gammas = comparison_vectors(prepared, &pairs);
    let comparisons: Vec<&Comparison> = prepared.comparisons.iter().map(|p| p.comparison).collect();
    u_from_patterns(&comparisons, &patterns(&gammas, prepared.len()))
}

/// The (left row, right row) pairs u is estimated from over tables of
/// `n_left` and `n_right` rows: every pair when there are at most
/// `sample_pairs`, else `sample_pairs` pairs drawn uniformly with
/// replacement (ChaCha8 seeded by `seed`). Shared by every engine that
/// reads the rows itself, so they draw the same pairs.
pub(crate) fn u_sample(
    n_left: usize,
    n_right: usize,
    sample_pairs: usize,
    seed: u64,
) -> Vec<(u32, u32)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total = n_left as u64 * n_right as u64;
    if total <= sample_pairs as u64 {
        (0..n_left as u32)
            .flat_map(|l| (0..n_right as u32).map(move |r| (l, r)))
            .collect()
    } else {
        (0..sample_pairs)
            .map(|_| {
                (
                    rng.gen_range(0..n_left as u32),
                    rng.gen_range(0..n_right as u32),
                )
            })
            .collect()
    }
}

/// u per comparison and level from the comparison-vector counts of the
/// random pairs (see `estimate_u_random`): `u_l = count(level l) /
/// count(non-null)`, [`NOT_OBSERVED`] for a level no pair falls in, 1 for
/// the null level. Any engine that counts the same pairs gets the same u.
pub fn u_from_patterns(comparisons: &[&Comparison], patterns: &[(Vec<u8>, u64)]) -> Vec<Vec<f64>> {
    comparisons
        .iter()
        .enumerate()
        .map(|(c, comparison)| {
            let n_levels = comparison.levels.len();
            let mut counts = vec![0u64; n_levels];
            for (g, n) in patterns {
                if let Some(slot) = counts.get_mut(g[c] as usize) {
                    *slot += n;
                }
            }
            let non_null: u64 = counts[1..].iter().sum();
            let mut u = vec![1.0; n_levels];
            for l in 1..n_levels {
                u[l] = if counts[l] == 0 {
                    NOT_OBSERVED
                } else {
                    counts[l] as f64 / non_null as f64
                };
            }
            u
        })
        .collect()
}

/// Splink's default starting m values (`_default_m_values`): 0.95 for the
/// most agreeing level, the remaining 0.05 split equally over the other
/// non-null levels. Index 0 (null) is 1 by convention (unused).
pub fn default_m_start(comparison: &Comparison) -> Vec<f64> {
    let n = comparison.levels.len();
    let others = (n - 2).max(1);
    let mut m = vec![0.05 / others as f64; n];
    m[0] = 1.0;
    m[1] = 0.95;
    m
}

/// Options of one EM run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmOptions {
    /// Maximum iterations (Splink default 25).
    pub max_iterations: usize,
    /// Stop when no parameter changes by more than this (Splink default 1e-4).
    pub tolerance: f64,
    /// Starting in-block match proportion.
    pub start_match_proportion: f64,
}

impl Default for EmOptions {
    fn default() -> Self {
        EmOptions {
            max_iterations: 25,
            tolerance: 1e-4,
            start_match_proportion: 0.5,
        }
    }
}

/// How an EM run degenerated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmCollapse {
    /// The match proportion went to 0 or 1.
    MatchProportion {
        /// Its final value.
        value: f64,
    },
    /// For every trained comparison m is close to u: no level has a Bayes
    /// factor beyond 2 either way (`|log2(m/u)| < 1`), so the model cannot
    /// tell matches from non-matches (EM fitted sampling noise).
    MEqualsU,
}

/// One EM session (one training blocking rule).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmSession {
    /// The training blocking rule, as text.
    pub rule: String,
    /// Pairs in the session.
    pub pairs: usize,
    /// Distinct comparison vectors.
    pub patterns: usize,
    /// Iterations run.
    pub iterations: usize,
    /// True when the tolerance was reached.
    pub converged: bool,
    /// Final in-block match proportion.
    pub match_proportion: f64,
    /// Which comparisons were trained (not on the rule's columns).
    pub trained: Vec<bool>,
    /// m per comparison and level (as trained; untrained ones are the start values).
    pub m: Vec<Vec<f64>>,
    /// Degeneration, if detected.
    pub collapse: Option<EmCollapse>,
}

/// Distinct comparison vectors (pair-major `gammas`, `k` per pair) with
/// counts, sorted: the sufficient statistics of EM.
pub fn patterns(gammas: &[u8], k: usize) -> Vec<(Vec<u8>, u64)> {
    if k == 0 {
        return Vec::new();
    }
    let n = gammas.len() / k;
    patterns_of(gammas, k, (0..n).into_par_iter())
}

/// [`patterns`] of the pairs at `indices` only (counted in parallel).
pub(crate) fn patterns_of(
    gammas: &[u8],
    k: usize,
    indices: impl IndexedParallelIterator<Item = usize>,
) -> Vec<(Vec<u8>, u64)> {
    if k == 0 {
        return Vec::new();
    }
    let mut v: Vec<(Vec<u8>, u64)> = if k <= 8 {
        // Up to eight comparisons a vector packs into one u64 (one byte per
        // gamma), which hashes far faster than a slice: this count runs over
        // tens of millions of pairs.
        let pack = |i: usize| -> u64 {
            let mut bytes = [0u8; 8];
            bytes[..k].copy_from_slice(&gammas[i * k..(i + 1) * k]);
            u64::from_le_bytes(bytes)
        };
        count_by(indices, pack)
            .into_iter()
            .map(|(g, c)| (g.to_le_bytes()[..k].to_vec(), c))
            .collect()
    } else {
        count_by(indices, |i| &gammas[i * k..(i + 1) * k])
            .into_iter()
            .map(|(g, c)| (g.to_vec(), c))
            .collect()
    };
    v.sort();
    v
}

/// How many of `indices` have each `key`, counted in parallel.
fn count_by<K, F>(indices: impl ParallelIterator<Item = usize>, key: F) -> PlHashMap<K, u64>
where
    K: std::hash::Hash + Eq + Send,
    F: Fn(usize) -> K + Sync + Send,
{
    indices
        .fold(PlHashMap::<K, u64>::default, |mut map, i| {
            *map.entry(key(i)).or_insert(0) += 1;
            map
        })
        .reduce(PlHashMap::default, |mut a, b| {
            for (g, c) in b {
                *a.entry(g).or_insert(0) += c;
            }
            a
        })
}

/// Runs EM with u fixed over comparison-vector `patterns` (vector, count).
/// Comparisons with `trained[c] == false` are left out of the E step and not
/// updated. Returns the session (without `rule`).
pub fn expectation_maximisation(
    patterns: &[(Vec<u8>, u64)],
    m_start: &[Vec<f64>],
    u: &[Vec<f64>],
    trained: &[bool],
    opts: &EmOptions,
) -> EmSession {
    let k = u.len();
    let mut m: Vec<Vec<f64>> = m_start.to_vec();
    let mut p = opts.start_match_proportion.clamp(1e-6, 1.0 - 1e-6);
    let total: f64 = patterns.iter().map(|(_, c)| *c as f64).sum();
    let mut observed: Vec<Vec<bool>> = m.iter().map(|l| vec![false; l.len()]).collect();
    for (g, _) in patterns {
        for (c, &l) in g.iter().enumerate().take(k) {
            if let Some(slot) = observed[c].get_mut(l as usize) {
                *slot = true;
            }
        }
    }
    let mut iterations = 0;
    let mut converged = false;
    while iterations < opts.max_iterations && total > 0.0 {
        iterations += 1;
        // E step + accumulation for the M step.
        let mut m_acc: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut p_sum = 0.0;
        for (g, count) in patterns {
            let mut lm = p.ln();
            let mut lu = (1.0 - p).ln();
            for c in 0..k {
                let l = g[c] as usize;
                if !trained[c] || l == 0 {
                    continue;
                }
                lm += m[c][l].max(FLOOR).ln();
                lu += u[c][l].max(FLOOR).ln();
            }
            let post = 1.0 / (1.0 + (lu - lm).exp());
            let w = post * *count as f64;
            p_sum += w;
            for c in 0..k {
                let l = g[c] as usize;
                if trained[c] && l != 0 {
                    m_acc[c][l] += w;
                }
            }
        }
        let new_p = p_sum / total;
        let mut delta = (new_p - p).abs();
        for c in 0..k {
            if !trained[c] {
                continue;
            }
            let s: f64 = m_acc[c][1..].iter().sum();
            if s <= 0.0 {
                continue;
            }
            for l in 1..m[c].len() {
                // A level no pair of the session falls in cannot be
                // trained; Splink gives it m = 1e-6 (not observed).
                let v = if observed[c][l] {
                    (m_acc[c][l] / s).max(FLOOR)
                } else {
                    NOT_OBSERVED
                };
                delta = delta.max((v - m[c][l]).abs());
                m[c][l] = v;
            }
        }
        p = new_p;
        if delta < opts.tolerance {
            converged = true;
            break;
        }
    }
    let collapse = if !(1e-4..=1.0 - 1e-4).contains(&p) {
        Some(EmCollapse::MatchProportion { value: p })
    } else if trained.iter().any(|&t| t)
        && (0..k).filter(|&c| trained[c]).all(|c| {
            (1..m[c].len()).all(|l| (m[c][l].max(FLOOR) / u[c][l].max(FLOOR)).log2().abs() < 1.0)
        })
    {
        Some(EmCollapse::MEqualsU)
    } else {
        None
    };
    EmSession {
        rule: String::new(),
        pairs: total as usize,
        patterns: patterns.len(),
        iterations,
        converged,
        match_proportion: p,
        trained: trained.to_vec(),
        m,
        collapse,
    }
}

/// Parameters of one level in the final model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LevelParams {
    /// Level label.
    pub label: String,
    /// P(level | match).
    pub m: f64,
    /// P(level | non-match).
    pub u: f64,
    /// `log2(m / u)`; 0 for the null level.
    pub match_weight: f64,
}

/// Parameters of one comparison in the final model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComparisonParams {
    /// Original column.
    pub left_column: String,
    /// Release column.
    pub right_column: String,
    /// Whether any EM session trained m (else m is the start value).
    pub m_trained: bool,
    /// Per-level parameters (level 0 = null).
    pub levels: Vec<LevelParams>,
}

/// A trained Fellegi-Sunter model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FellegiSunterModel {
    /// Probability that two random records match.
    pub lambda: f64,
    /// `log2(lambda / (1 - lambda))`.
    pub prior_weight: f64,
    /// Per-comparison parameters.
    pub comparisons: Vec<ComparisonParams>,
}

impl FellegiSunterModel {
    /// Builds a model from m/u tables.
    pub fn new(
        comparisons: &[Comparison],
        m: &[Vec<f64>],
        u: &[Vec<f64>],
        trained: &[bool],
        lambda: f64,
    ) -> Self {
        let lambda = lambda.clamp(FLOOR, 1.0 - FLOOR);
        let comparisons = comparisons
            .iter()
            .enumerate()
            .map(|(c, cmp)| ComparisonParams {
                left_column: cmp.left_column.clone(),
                right_column: cmp.right_column.clone(),
                m_trained: trained[c],
                levels: cmp
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(l, level)| {
                        let (mm, uu) = (m[c][l].clamp(FLOOR, 1.0), u[c][l].clamp(FLOOR, 1.0));
                        LevelParams {
                            label: level.label.clone(),
                            m: mm,
                            u: uu,
                            match_weight: if l == 0 { 0.0 } else { (mm / uu).log2() },
                        }
                    })
                    .collect(),
            })
            .collect();
        FellegiSunterModel {
            lambda,
            prior_weight: (lambda / (1.0 - lambda)).log2(),
            comparisons,
        }
    }
}

/// Term frequencies of one comparison's values: per shared value id (see
/// [`PreparedComparison`]), the share of non-null values of both tables
/// together equal to it.
pub(crate) struct TermFrequencies {
    pub by_id: Vec<f64>,
}

pub(crate) fn term_frequencies(p: &PreparedComparison) -> TermFrequencies {
    let mut counts = vec![0u64; p.n_values()];
    for (col, ids) in [(p.left, &p.left_ids), (p.right, &p.right_ids)] {
        for &c in &col.codes {
            let id = ids[c as usize];
            // A suppression token (`*`) is not a term, even where a
            // generalized level gives it an id.
            if id != NULL_ID && !col.suppressed[c as usize] {
                counts[id as usize] += 1;
            }
        }
    }
    let total = counts.iter().sum::<u64>().max(1) as f64;
    TermFrequencies {
        by_id: counts.iter().map(|&n| n as f64 / total).collect(),
    }
}

/// One comparison's contribution to a pair's match weight.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Contribution {
    /// Original column.
    pub column: String,
    /// Level the pair fell in.
    pub level: String,
    /// `log2(m/u)` of the level.
    pub weight: f64,
    /// Term-frequency adjustment `log2(u_exact / max(tf_l, tf_r))` (0 when none).
    pub tf_adjustment: f64,
}

impl FellegiSunterModel {
    /// Match weight of one comparison vector: prior weight plus, per
    /// comparison, the level's `log2(m/u)` and `tf[c]`, the pair's
    /// term-frequency adjustment (0 when none).
    pub fn match_weight(&self, gamma: &[u8], tf: &[f64]) -> f64 {
        let mut w = self.prior_weight;
        for (c, &g) in gamma.iter().enumerate() {
            w += self.comparisons[c].levels[g as usize].match_weight + tf[c];
        }
        w
    }
}

/// Probability from a match weight: `2^w / (1 + 2^w)`.
pub fn probability_from_weight(w: f64) -> f64 {
    1.0 / (1.0 + (-w).exp2())
}
