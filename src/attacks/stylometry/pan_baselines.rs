//! The two official baselines of the PAN 2020/2021 authorship verification
//! tasks, implemented as published in github.com/pan-webis-de/pan-code
//! (`clef20/authorship-verification/pan20-verif-baseline.py` and
//! `pan20-authorship-verification-baseline-compressor_train.py`; the
//! `clef21` copies are the same methods), so that `reident verify` can put
//! its own verifiers next to the reference points of the PAN overview
//! (Kestemont et al., "Overview of the Cross-Domain Authorship Verification
//! Task at PAN 2020", CLEF 2020 Working Notes, CEUR-WS Vol-2696).
//!
//! * [`CosineBaselineParams`] ("naive, distance-based baseline"): every text
//!   is a TF-IDF weighted bag of character tetragrams, as scikit-learn's
//!   `TfidfVectorizer(analyzer="char", ngram_range=(4, 4),
//!   max_features=3000)` fitted on the training texts makes it (lowercased,
//!   runs of two or more whitespace characters collapsed to one space, raw
//!   counts times the smoothed idf `ln((1 + n) / (1 + df)) + 1`, rows
//!   L2-normalised); a pair's score is the cosine of its two vectors. The
//!   scores are then shifted ([`shift_score`]): at or below `p1` they are
//!   rescaled into [0, 0.49], between `p1` and `p2` they become 0.5 (a
//!   non-answer), at or above `p2` into [0.51, 1]; `p1 < p2` are chosen by a
//!   grid search over {0.01, 0.02, ..., 0.98} that maximises the PAN overall
//!   score on the training pairs (the caller supplies that objective, see
//!   [`PanObjective`]; the first best pair in the order p1, then p2,
//!   ascending, wins, as Python's `max` over the script's dict).
//! * [`CompressionBaselineParams`] (Teahan & Harper 2003, "Using
//!   compression-based language models for text categorization", in
//!   Language Modeling and Information Retrieval, pp. 141-165; the PAN code
//!   follows Potthast et al. 2016's reimplementation,
//!   github.com/pan-webis-de/teahan03): a character model of order 5 is read
//!   from each text ([`PpmModel`]); the cross-entropy of text 2 under text
//!   1's model and of text 1 under text 2's give two features, their mean and
//!   absolute difference, each rounded to 4 decimals; a logistic regression
//!   fitted on the training pairs turns them into a probability, and answers
//!   within `radius` (0.05) of 0.5 become 0.5.
//!
//! Where this differs from the published scripts, on purpose:
//! * The character model is the one the PAN script calls PPM: it predicts a
//!   character from the longest context (up to the order) in which the model
//!   has seen both the context and that character, as a plain relative
//!   frequency, backing off to shorter contexts and finally to `1 / 256`
//!   (the script's alphabet size); there is no escape probability or
//!   exclusion, so it is not the full PPM of Cleary & Witten, exactly as in
//!   the script.
//! * The logistic regression is scikit-learn's default objective (L2
//!   penalty with C = 1 on the weights, intercept unpenalised) solved to
//!   convergence by Newton's method; scikit-learn's lbfgs stops at tolerance
//!   1e-4, so the coefficients agree to about that.
//! * A text with none of the 3,000 tetragrams has a zero vector; the script's
//!   cosine is then 0/0 (NaN), here it is 0.
//! * Equal total counts at the 3,000th feature are kept in alphabetical
//!   order; scikit-learn's `argsort` (not stable) may keep another of them.
//! * The script's grid objective is `pan20_verif_evaluator.evaluate_all`
//!   (AUC, c@1, F0.5u, F1, mean, each rounded to 3 digits); the caller's
//!   objective is used instead (`reident verify` passes the same four
//!   measures with the PAN 2021 evaluator's definitions, rounded the same
//!   way).
//!
//! Characters are Unicode scalar values, as Python's `str`. It does not read
//! files or score answers against a truth (`crate::eval::verification`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::StylometryError;

/// The grid objective of the cosine baseline: the PAN overall score of
/// answers against truths (`true` = same author), higher is better.
pub type PanObjective<'a> = &'a (dyn Fn(&[f64], &[bool]) -> Result<f64, StylometryError> + Sync);

/// Parameters of the TF-IDF character-tetragram cosine baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CosineBaselineParams {
    /// Character n-gram length (4 in the script).
    pub ngram: usize,
    /// Most frequent n-grams kept (3,000 in the script).
    pub vocab_size: usize,
}

impl Default for CosineBaselineParams {
    fn default() -> Self {
        CosineBaselineParams {
            ngram: 4,
            vocab_size: 3000,
        }
    }
}

/// The fitted cosine baseline: vocabulary, idf weights and the score shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCosineBaseline {
    /// The kept n-grams, alphabetical.
    pub vocabulary: Vec<String>,
    /// The smoothed idf of each kept n-gram.
    pub idf: Vec<f64>,
    /// Scores at or below this are rescaled into [0, 0.49].
    pub p1: f64,
    /// Scores at or above this are rescaled into [0.51, 1]; between `p1`
    /// and `p2` they become 0.5.
    pub p2: f64,
    /// The objective reached on the training pairs at (`p1`, `p2`).
    pub training_objective: f64,
    /// The n-gram length.
    pub ngram: usize,
}

/// The character n-grams of `text` as scikit-learn's `TfidfVectorizer(
/// analyzer="char")` takes them: lowercased, every run of two or more
/// whitespace characters replaced by one space, then every window of `n`
/// characters.
pub fn char_ngrams(text: &str, n: usize) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut chars: Vec<char> = Vec::with_capacity(lower.len());
    let mut run: Vec<char> = Vec::new();
    let is_space = |c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c);
    for c in lower.chars() {
        if is_space(c) {
            run.push(c);
            continue;
        }
        flush_space(&mut chars, &mut run);
        chars.push(c);
    }
    flush_space(&mut chars, &mut run);
    if n == 0 || chars.len() < n {
        return Vec::new();
    }
    chars
        .windows(n)
        .map(|w| w.iter().collect::<String>())
        .collect()
}

fn flush_space(chars: &mut Vec<char>, run: &mut Vec<char>) {
    match run.len() {
        0 => {}
        1 => chars.push(run[0]),
        _ => chars.push(' '),
    }
    run.clear();
}

/// The score shift of the cosine baseline: `s <= p1` maps to
/// `0.49 s / p1`, `p1 < s < p2` to 0.5, `s >= p2` to
/// `0.51 + 0.49 (s - p2) / (1 - p2)`.
pub fn shift_score(s: f64, p1: f64, p2: f64) -> f64 {
    if s <= p1 {
        0.49 * s / p1
    } else if s < p2 {
        0.5
    } else {
        0.51 + 0.49 * (s - p2) / (1.0 - p2)
    }
}

/// The script's grid: `numpy.arange(0.01, 0.99, 0.01)`.
fn shift_grid() -> Vec<f64> {
    (0..98).map(|k| 0.01 + k as f64 * 0.01).collect()
}

fn check_pairs(
    texts: &[String],
    pairs: &[(usize, usize)],
    what: &str,
) -> Result<(), StylometryError> {
    if let Some((k, p)) = pairs
        .iter()
        .enumerate()
        .find(|(_, p)| p.0 >= texts.len() || p.1 >= texts.len())
    {
        return Err(StylometryError::Invalid(format!(
            "{what}: pair {k} = ({}, {}) refers to a text outside the {} given",
            p.0,
            p.1,
            texts.len()
        )));
    }
    Ok(())
}

impl CosineBaselineParams {
    /// Fits the vocabulary and idf on the texts of the training `pairs` (two
    /// per pair, as the script collects them) and the shift (`p1`, `p2`) on
    /// their cosines against `same`, maximising `objective`.
    pub fn fit(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
        same: &[bool],
        objective: PanObjective<'_>,
    ) -> Result<FittedCosineBaseline, StylometryError> {
        if self.ngram == 0 || self.vocab_size == 0 {
            return Err(StylometryError::Invalid(
                "cosine baseline: ngram and vocab_size must be at least 1".into(),
            ));
        }
        if pairs.is_empty() || pairs.len() != same.len() {
            return Err(StylometryError::Invalid(format!(
                "cosine baseline: {} training pairs and {} truth labels; give at least one pair, one label each",
                pairs.len(),
                same.len()
            )));
        }
        check_pairs(texts, pairs, "cosine baseline training pairs")?;
        let docs: Vec<&String> = pairs
            .iter()
            .flat_map(|&(i, j)| [&texts[i], &texts[j]])
            .collect();
        let mut total: HashMap<String, (usize, usize)> = HashMap::new();
        for d in &docs {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for g in char_ngrams(d, self.ngram) {
                *counts.entry(g).or_insert(0) += 1;
            }
            for (g, c) in counts {
                let e = total.entry(g).or_insert((0, 0));
                e.0 += c;
                e.1 += 1;
            }
        }
        if total.is_empty() {
            return Err(StylometryError::Invalid(format!(
                "cosine baseline: no training text has {} characters",
                self.ngram
            )));
        }
        let mut ranked: Vec<(String, usize, usize)> =
            total.into_iter().map(|(g, (tf, df))| (g, tf, df)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(self.vocab_size);
        ranked.sort_by(|a, b| a.0.cmp(&b.0));
        let n = docs.len() as f64;
        let idf: Vec<f64> = ranked
            .iter()
            .map(|(_, _, df)| ((1.0 + n) / (1.0 + *df as f64)).ln() + 1.0)
            .collect();
        let mut fitted = FittedCosineBaseline {
            vocabulary: ranked.into_iter().map(|(g, _, _)| g).collect(),
            idf,
            p1: 0.0,
            p2: 0.0,
            training_objective: f64::NEG_INFINITY,
            ngram: self.ngram,
        };
        let sims = fitted.similarities(texts, pairs)?;
        let grid = shift_grid();
        let mut best: Option<(f64, f64, f64)> = None;
        for (a, &p1) in grid.iter().enumerate() {
            for &p2 in &grid[a + 1..] {
                let shifted: Vec<f64> = sims.iter().map(|&s| shift_score(s, p1, p2)).collect();
                let value = objective(&shifted, same)?;
                if !value.is_finite() {
                    return Err(StylometryError::Invalid(format!(
                        "cosine baseline: the objective is {value} at p1 = {p1}, p2 = {p2}"
                    )));
                }
                if best.is_none_or(|b| value > b.2) {
                    best = Some((p1, p2, value));
                }
            }
        }
        let (p1, p2, value) = best.ok_or_else(|| {
            StylometryError::Invalid("cosine baseline: the shift grid is empty".into())
        })?;
        fitted.p1 = p1;
        fitted.p2 = p2;
        fitted.training_objective = value;
        Ok(fitted)
    }
}

impl FittedCosineBaseline {
    /// The L2-normalised TF-IDF vector of `text` as (feature index, weight).
    fn vector(&self, text: &str, index: &HashMap<&str, usize>) -> Vec<(usize, f64)> {
        let mut counts: HashMap<usize, f64> = HashMap::new();
        for g in char_ngrams(text, self.ngram) {
            if let Some(&k) = index.get(g.as_str()) {
                *counts.entry(k).or_insert(0.0) += 1.0;
            }
        }
        let mut v: Vec<(usize, f64)> = counts
            .into_iter()
            .map(|(k, c)| (k, c * self.idf[k]))
            .collect();
        v.sort_unstable_by_key(|e| e.0);
        let norm = v.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt();
        if norm > 0.0 {
            for e in &mut v {
                e.1 /= norm;
            }
        }
        v
    }

    /// The cosine of every pair (0 when a text has no kept n-gram).
    pub fn similarities(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
    ) -> Result<Vec<f64>, StylometryError> {
        check_pairs(texts, pairs, "cosine baseline pairs")?;
        let index: HashMap<&str, usize> = self
            .vocabulary
            .iter()
            .enumerate()
            .map(|(k, g)| (g.as_str(), k))
            .collect();
        let mut cache: HashMap<usize, Vec<(usize, f64)>> = HashMap::new();
        let mut out = Vec::with_capacity(pairs.len());
        for &(i, j) in pairs {
            for t in [i, j] {
                cache
                    .entry(t)
                    .or_insert_with(|| self.vector(&texts[t], &index));
            }
            let (a, b) = (&cache[&i], &cache[&j]);
            let (mut x, mut y, mut dot) = (0, 0, 0.0);
            while x < a.len() && y < b.len() {
                match a[x].0.cmp(&b[y].0) {
                    std::cmp::Ordering::Less => x += 1,
                    std::cmp::Ordering::Greater => y += 1,
                    std::cmp::Ordering::Equal => {
                        dot += a[x].1 * b[y].1;
                        x += 1;
                        y += 1;
                    }
                }
            }
            out.push(dot.clamp(0.0, 1.0));
        }
        Ok(out)
    }

    /// The shifted answers of `pairs` (PAN probabilities, 0.5 = no answer).
    pub fn answers(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
    ) -> Result<Vec<f64>, StylometryError> {
        Ok(self
            .similarities(texts, pairs)?
            .into_iter()
            .map(|s| shift_score(s, self.p1, self.p2))
            .collect())
    }
}

/// The character model of the PAN compression baseline (see the module
/// docs): counts of every context of length 0 to `order` and of every
/// context followed by a character, read from one text.
#[derive(Debug, Clone)]
pub struct PpmModel {
    order: usize,
    alphabet: f64,
    contexts: HashMap<Vec<char>, u64>,
    grams: HashMap<Vec<char>, u64>,
}

impl PpmModel {
    /// Reads `text` with contexts up to `order` characters and the fallback
    /// probability `1 / alphabet` for a character never seen.
    pub fn read(text: &str, order: usize, alphabet: usize) -> Result<Self, StylometryError> {
        if alphabet == 0 {
            return Err(StylometryError::Invalid(
                "compression baseline: the alphabet size must be at least 1".into(),
            ));
        }
        let s: Vec<char> = text.chars().collect();
        let mut contexts: HashMap<Vec<char>, u64> = HashMap::new();
        let mut grams: HashMap<Vec<char>, u64> = HashMap::new();
        for i in 0..s.len() {
            for k in 0..=order.min(i) {
                *contexts.entry(s[i - k..i].to_vec()).or_insert(0) += 1;
                *grams.entry(s[i - k..=i].to_vec()).or_insert(0) += 1;
            }
        }
        Ok(PpmModel {
            order,
            alphabet: alphabet as f64,
            contexts,
            grams,
        })
    }

    /// The probability of `s[i]` after the (up to `order`) characters before
    /// it.
    fn probability(&self, s: &[char], i: usize) -> f64 {
        for k in (0..=self.order.min(i)).rev() {
            let Some(&ctx) = self.contexts.get(&s[i - k..i]) else {
                continue;
            };
            if let Some(&g) = self.grams.get(&s[i - k..=i]) {
                return g as f64 / ctx as f64;
            }
        }
        1.0 / self.alphabet
    }

    /// The cross-entropy of `text` under the model, in bits per character
    /// (0 for an empty text).
    pub fn cross_entropy(&self, text: &str) -> f64 {
        let s: Vec<char> = text.chars().collect();
        if s.is_empty() {
            return 0.0;
        }
        let bits: f64 = (0..s.len()).map(|i| -self.probability(&s, i).log2()).sum();
        bits / s.len() as f64
    }
}

/// Rounds to `digits` decimals, as the PAN scripts' `round`.
fn round_to(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Parameters of the compression baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CompressionBaselineParams {
    /// Context length of the character model (5 in the script).
    pub order: usize,
    /// Alphabet size of the fallback probability (256 in the script).
    pub alphabet: usize,
    /// Answers within this of 0.5 become 0.5 (0.05 in the script).
    pub radius: f64,
    /// Inverse L2 penalty of the logistic regression (scikit-learn's
    /// default C = 1).
    pub c: f64,
}

impl Default for CompressionBaselineParams {
    fn default() -> Self {
        CompressionBaselineParams {
            order: 5,
            alphabet: 256,
            radius: 0.05,
            c: 1.0,
        }
    }
}

/// The fitted compression baseline: the logistic regression on (mean,
/// absolute difference) of the two cross-entropies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FittedCompressionBaseline {
    /// The parameters it was fitted with.
    pub params: CompressionBaselineParams,
    /// Intercept.
    pub intercept: f64,
    /// Weights of the mean and of the absolute difference.
    pub weights: [f64; 2],
}

impl CompressionBaselineParams {
    /// The two features of a pair: the mean and the absolute difference of
    /// `H(b | model of a)` and `H(a | model of b)`, rounded to 4 decimals.
    pub fn features(&self, a: &str, b: &str) -> Result<[f64; 2], StylometryError> {
        let d1 = PpmModel::read(a, self.order, self.alphabet)?.cross_entropy(b);
        let d2 = PpmModel::read(b, self.order, self.alphabet)?.cross_entropy(a);
        Ok([round_to((d1 + d2) / 2.0, 4), round_to((d1 - d2).abs(), 4)])
    }

    fn features_of(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
    ) -> Result<Vec<[f64; 2]>, StylometryError> {
        use rayon::prelude::*;
        pairs
            .par_iter()
            .map(|&(i, j)| self.features(&texts[i], &texts[j]))
            .collect()
    }

    /// Fits the logistic regression on the training `pairs` of `texts`.
    pub fn fit(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
        same: &[bool],
    ) -> Result<FittedCompressionBaseline, StylometryError> {
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(StylometryError::Invalid(format!(
                "compression baseline: C = {} must be positive",
                self.c
            )));
        }
        if !(self.radius.is_finite() && (0.0..0.5).contains(&self.radius)) {
            return Err(StylometryError::Invalid(format!(
                "compression baseline: radius {} must lie in [0, 0.5)",
                self.radius
            )));
        }
        if pairs.is_empty() || pairs.len() != same.len() {
            return Err(StylometryError::Invalid(format!(
                "compression baseline: {} training pairs and {} truth labels; give at least one pair, one label each",
                pairs.len(),
                same.len()
            )));
        }
        check_pairs(texts, pairs, "compression baseline training pairs")?;
        let x = self.features_of(texts, pairs)?;
        let (intercept, weights) = logistic_l2(&x, same, self.c)?;
        Ok(FittedCompressionBaseline {
            params: *self,
            intercept,
            weights,
        })
    }
}

impl FittedCompressionBaseline {
    /// The probability of a feature pair, before the radius and rounding.
    pub fn probability(&self, x: [f64; 2]) -> f64 {
        let eta = self.intercept + self.weights[0] * x[0] + self.weights[1] * x[1];
        1.0 / (1.0 + (-eta).exp())
    }

    /// The answers of `pairs`: the probability, 0.5 within the radius of
    /// 0.5, rounded to 3 decimals (as the script writes them).
    pub fn answers(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
    ) -> Result<Vec<f64>, StylometryError> {
        check_pairs(texts, pairs, "compression baseline pairs")?;
        let x = self.params.features_of(texts, pairs)?;
        let r = self.params.radius;
        Ok(x.into_iter()
            .map(|x| {
                let p = self.probability(x);
                if (0.5 - r..=0.5 + r).contains(&p) {
                    0.5
                } else {
                    round_to(p, 3)
                }
            })
            .collect())
    }
}

/// Binary logistic regression with scikit-learn's default objective,
/// `0.5 |w|^2 + C sum_i log(1 + exp(-y_i (w . x_i + b)))` (intercept not
/// penalised), minimised by Newton's method with step halving. Returns
/// (intercept, weights).
pub fn logistic_l2(x: &[[f64; 2]], y: &[bool], c: f64) -> Result<(f64, [f64; 2]), StylometryError> {
    if let Some(i) = x.iter().position(|r| !r.iter().all(|v| v.is_finite())) {
        return Err(StylometryError::Invalid(format!(
            "logistic regression: feature row {i} is not finite: {:?}",
            x[i]
        )));
    }
    let loss = |beta: &[f64; 3]| -> f64 {
        let mut l = 0.5 * (beta[1] * beta[1] + beta[2] * beta[2]);
        for (r, &t) in x.iter().zip(y) {
            let eta = beta[0] + beta[1] * r[0] + beta[2] * r[1];
            let m = if t { eta } else { -eta };
            // log(1 + exp(-m)), stable.
            l += c * if m > 0.0 {
                (-m).exp().ln_1p()
            } else {
                -m + m.exp().ln_1p()
            };
        }
        l
    };
    let mut beta = [0.0f64; 3];
    let mut current = loss(&beta);
    for _ in 0..200 {
        let mut g = [0.0, beta[1], beta[2]];
        let mut h = [[0.0; 3]; 3];
        h[1][1] = 1.0;
        h[2][2] = 1.0;
        for (r, &t) in x.iter().zip(y) {
            let xi = [1.0, r[0], r[1]];
            let eta = beta[0] + beta[1] * r[0] + beta[2] * r[1];
            let p = 1.0 / (1.0 + (-eta).exp());
            let resid = c * (p - if t { 1.0 } else { 0.0 });
            let w = c * p * (1.0 - p);
            for a in 0..3 {
                g[a] += resid * xi[a];
                for b in 0..3 {
                    h[a][b] += w * xi[a] * xi[b];
                }
            }
        }
        let Some(step) = solve3(h, g) else {
            break;
        };
        let mut t = 1.0;
        let mut next = beta;
        let mut accepted = false;
        for _ in 0..60 {
            next = [
                beta[0] - t * step[0],
                beta[1] - t * step[1],
                beta[2] - t * step[2],
            ];
            let l = loss(&next);
            if l <= current {
                current = l;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
        let change = (0..3)
            .map(|a| (next[a] - beta[a]).abs())
            .fold(0.0, f64::max);
        beta = next;
        if change < 1e-12 {
            break;
        }
    }
    Ok((beta[0], [beta[1], beta[2]]))
}

/// Solves the 3 x 3 system `h s = g` by Gaussian elimination with partial
/// pivoting; `None` when singular.
fn solve3(mut h: [[f64; 3]; 3], mut g: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let piv = (col..3).max_by(|&a, &b| h[a][col].abs().total_cmp(&h[b][col].abs()))?;
        if h[piv][col].abs() < 1e-300 {
            return None;
        }
        h.swap(col, piv);
        g.swap(col, piv);
        for r in col + 1..3 {
            let f = h[r][col] / h[col][col];
            let pivot_row = h[col];
            for (x, p) in h[r].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            g[r] -= f * g[col];
        }
    }
    let mut s = [0.0; 3];
    for r in (0..3).rev() {
        let rest: f64 = (r + 1..3).map(|k| h[r][k] * s[k]).sum();
        s[r] = (g[r] - rest) / h[r][r];
    }
    s.iter().all(|v| v.is_finite()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn char_ngrams_lowercase_and_collapse_whitespace_runs() {
        // "Ab  c\nd" -> "ab c\nd": the double space becomes one, the single
        // newline stays.
        assert_eq!(
            char_ngrams("Ab  c\nd", 2),
            vec!["ab", "b ", " c", "c\n", "\nd"]
        );
        assert!(char_ngrams("abc", 4).is_empty());
    }

    #[test]
    fn shift_by_hand() {
        assert!((shift_score(0.1, 0.2, 0.6) - 0.245).abs() < 1e-12);
        assert!((shift_score(0.2, 0.2, 0.6) - 0.49).abs() < 1e-12);
        assert_eq!(shift_score(0.4, 0.2, 0.6), 0.5);
        assert!((shift_score(0.6, 0.2, 0.6) - 0.51).abs() < 1e-12);
        assert!((shift_score(0.8, 0.2, 0.6) - 0.755).abs() < 1e-12);
        assert!((shift_score(1.0, 0.2, 0.6) - 1.0).abs() < 1e-12);
    }

    /// Accuracy as a stand-in objective for the grid (the real one, the PAN
    /// overall, lives in `eval`).
    fn accuracy(a: &[f64], t: &[bool]) -> Result<f64, StylometryError> {
        Ok(a.iter().zip(t).filter(|(a, t)| (**a > 0.5) == **t).count() as f64 / a.len() as f64)
    }

    #[test]
    fn tfidf_cosine_by_hand() {
        // Bigrams: "abab" -> ab 2, ba 1; "abba" -> ab 1, bb 1, ba 1.
        // Two documents; df ab 2, ba 2, bb 1 -> idf 1, 1, ln(3/2) + 1.
        // cos = (2 + 1) / (sqrt(5) * sqrt(1 + 1 + idf_bb^2)).
        let t = texts(&["abab", "abba"]);
        let params = CosineBaselineParams {
            ngram: 2,
            vocab_size: 10,
        };
        let f = params.fit(&t, &[(0, 1)], &[true], &accuracy).unwrap();
        assert_eq!(f.vocabulary, vec!["ab", "ba", "bb"]);
        let idf_bb = 1.5f64.ln() + 1.0;
        assert!((f.idf[2] - idf_bb).abs() < 1e-12);
        let want = 3.0 / (5f64.sqrt() * (2.0 + idf_bb * idf_bb).sqrt());
        let got = f.similarities(&t, &[(0, 1)]).unwrap()[0];
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        // Keep the 2 most frequent bigrams (ab 3, ba 2): cos = 3 / (sqrt 5 sqrt 2).
        let params = CosineBaselineParams {
            ngram: 2,
            vocab_size: 2,
        };
        let f = params.fit(&t, &[(0, 1)], &[true], &accuracy).unwrap();
        assert_eq!(f.vocabulary, vec!["ab", "ba"]);
        let got = f.similarities(&t, &[(0, 1)]).unwrap()[0];
        assert!((got - 3.0 / 10f64.sqrt()).abs() < 1e-12);
        // A text without any kept bigram scores 0.
        let t2 = texts(&["abab", "abba", "zz"]);
        assert_eq!(f.similarities(&t2, &[(0, 2)]).unwrap()[0], 0.0);
        assert!(f.similarities(&t2, &[(0, 3)]).is_err());
    }

    #[test]
    fn grid_takes_the_first_best_shift() {
        // Four pairs whose cosines are known: identical texts (1.0) are
        // same-author, disjoint texts (0.0) different. Every (p1, p2) with
        // p1 >= 0 separates them perfectly, so the first grid point wins:
        // p1 = 0.01, p2 = 0.02.
        let t = texts(&["aaaa", "aaaa", "bbbb", "cccc"]);
        let f = CosineBaselineParams {
            ngram: 2,
            vocab_size: 10,
        }
        .fit(
            &t,
            &[(0, 1), (2, 3), (0, 2)],
            &[true, false, false],
            &accuracy,
        )
        .unwrap();
        assert!((f.p1 - 0.01).abs() < 1e-12 && (f.p2 - 0.02).abs() < 1e-12);
        assert_eq!(f.training_objective, 1.0);
        let a = f.answers(&t, &[(0, 1), (2, 3)]).unwrap();
        assert!((a[0] - 1.0).abs() < 1e-12 && a[1] == 0.0);
        // An objective that rewards a non-answer on the middle cosine picks
        // the first (p1, p2) that leaves it unanswered.
        let t = texts(&["abab", "abba", "aaaa", "bbbb"]);
        let pairs = [(0, 1), (2, 3)];
        let f = CosineBaselineParams {
            ngram: 2,
            vocab_size: 10,
        }
        .fit(&t, &pairs, &[true, false], &|a: &[f64], _: &[bool]| {
            Ok(f64::from(u8::from(a[0] == 0.5)))
        })
        .unwrap();
        let cos = f.similarities(&t, &pairs).unwrap()[0];
        // First grid p1 below cos, then the first p2 above it.
        let p1 = (0..98).map(|k| 0.01 + k as f64 * 0.01).next().unwrap();
        assert!((f.p1 - p1).abs() < 1e-12);
        let p2 = (0..98)
            .map(|k| 0.01 + k as f64 * 0.01)
            .find(|&p| p > cos)
            .unwrap();
        assert!((f.p2 - p2).abs() < 1e-12, "{} vs {p2} (cos {cos})", f.p2);
    }

    #[test]
    fn ppm_cross_entropy_by_hand() {
        // Order 1, model "aab": order-0 counts a 2, b 1 (of 3); context "a"
        // seen twice, followed by a once and b once; context "b" never.
        let m = PpmModel::read("aab", 1, 256).unwrap();
        // "ab": p(a) = 2/3 (order 0), p(b | a) = 1/2.
        let want = -((2.0f64 / 3.0).log2() + 0.5f64.log2()) / 2.0;
        assert!((m.cross_entropy("ab") - want).abs() < 1e-12);
        // "ba": p(b) = 1/3; context "b" unseen -> back off: p(a) = 2/3.
        let want = -((1.0f64 / 3.0).log2() + (2.0f64 / 3.0).log2()) / 2.0;
        assert!((m.cross_entropy("ba") - want).abs() < 1e-12);
        // "c": never seen -> 1/256 -> 8 bits.
        assert!((m.cross_entropy("c") - 8.0).abs() < 1e-12);
        // "ac": context "a" seen but never followed by c, order 0 has no c
        // either -> 1/256; p(a) = 2/3.
        let want = -((2.0f64 / 3.0).log2() + (1.0f64 / 256.0).log2()) / 2.0;
        assert!((m.cross_entropy("ac") - want).abs() < 1e-12);
        // Order 2 on "abab": p(b | "a") from the order-2 context "ba"? For
        // "bab" at i = 2 the context is "ba", seen once (followed by b) ->
        // p = 1; i = 1 context "b" seen once followed by a -> 1; i = 0 p(b)
        // = 2/4.
        let m = PpmModel::read("abab", 2, 256).unwrap();
        assert!((m.cross_entropy("bab") - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn compression_features_are_mean_and_gap() {
        let p = CompressionBaselineParams {
            order: 1,
            ..CompressionBaselineParams::default()
        };
        // H("ab" | "aab") as above; H("aab" | "ab"): model "ab": order 0
        // a 1, b 1 (of 2); context "a" followed by b once. "aab": p(a) =
        // 1/2, p(a | a): context a seen, a not after it -> back off 1/2,
        // p(b | a) = 1.
        let d1 = -((2.0f64 / 3.0).log2() + 0.5f64.log2()) / 2.0;
        let d2 = -(0.5f64.log2() + 0.5f64.log2() + 0.0) / 3.0;
        let f = p.features("aab", "ab").unwrap();
        assert!((f[0] - round_to((d1 + d2) / 2.0, 4)).abs() < 1e-12);
        assert!((f[1] - round_to((d1 - d2).abs(), 4)).abs() < 1e-12);
    }

    #[test]
    fn logistic_regression_optimum_by_hand() {
        // x = (1, 0) same, (-1, 0) different: by symmetry b = 0, w2 = 0 and
        // the optimum of 0.5 w^2 + 2 log(1 + exp(-w)) solves w = 2 / (1 + e^w).
        let (b, w) = logistic_l2(&[[1.0, 0.0], [-1.0, 0.0]], &[true, false], 1.0).unwrap();
        assert!(b.abs() < 1e-9 && w[1].abs() < 1e-9);
        assert!((w[0] - 2.0 / (1.0 + w[0].exp())).abs() < 1e-10, "{w:?}");
        assert!(w[0] > 0.67 && w[0] < 0.68);
        // With C = 2 the optimum solves w = 4 / (1 + e^w).
        let (_, w) = logistic_l2(&[[1.0, 0.0], [-1.0, 0.0]], &[true, false], 2.0).unwrap();
        assert!((w[0] - 4.0 / (1.0 + w[0].exp())).abs() < 1e-10);
        assert!(logistic_l2(&[[f64::NAN, 0.0]], &[true], 1.0).is_err());
    }

    #[test]
    fn compression_answers_respect_the_radius() {
        let f = FittedCompressionBaseline {
            params: CompressionBaselineParams::default(),
            intercept: 0.0,
            weights: [0.0, 0.0],
        };
        // Weights 0: every probability is 0.5 -> non-answer.
        let t = texts(&["abc", "abd"]);
        assert_eq!(f.answers(&t, &[(0, 1)]).unwrap(), vec![0.5]);
        let f = FittedCompressionBaseline {
            intercept: 0.2, // sigmoid(0.2) = 0.5498 -> within 0.05 of 0.5
            ..f
        };
        assert_eq!(f.answers(&t, &[(0, 1)]).unwrap(), vec![0.5]);
        let f = FittedCompressionBaseline {
            intercept: 1.0, // sigmoid(1) = 0.73106 -> 0.731
            ..f
        };
        assert_eq!(f.answers(&t, &[(0, 1)]).unwrap(), vec![0.731]);
    }
}
