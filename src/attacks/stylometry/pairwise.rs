//! Pairwise authorship verification: "were these two texts written by the
//! same person?", answered with a probability, by a model fitted on
//! same-author and different-author pairs of the auditor's known writing of
//! many authors (none of whom need to be the questioned texts' authors).
//!
//! The method is that of Weerasinghe & Greenstadt, "Feature Vector
//! Difference based Authorship Verification for Open-World Settings"
//! (PAN 2021 at CLEF, CEUR-WS 2936; the best system of the PAN 2021 open-set
//! verification task, and of PAN 2020 as Weerasinghe & Greenstadt 2020): a
//! stylometric feature vector per document, standardized with the training
//! documents' means and deviations, the element-wise absolute difference
//! `|x_a - x_b|` of the two vectors, and a logistic regression on those
//! differences whose output is the probability of "same author".
//!
//! Features here: relative frequencies of character 1- to 3-grams (the
//! `top` most frequent of each n in the training texts), of the 174 Snowball
//! function words, the formatting and punctuation rates of
//! [`super::formatting`] (punctuation per 1k characters, mean word length,
//! casing, line habits), and vocabulary richness ([`RICHNESS_FEATURES`]:
//! type-token ratio, hapax and dis legomena shares, Yule's K, Simpson's D,
//! Honoré's R, Brunet's W, Sichel's S) with the word-length distribution.
//! What differs from the paper: it used scikit-learn's TF-IDF on the
//! character n-grams (L2-normalised rows); after the per-feature
//! standardization an idf weight is a per-column constant and cancels, so
//! plain relative frequencies are used. Its part-of-speech tag n-grams and
//! POS chunk constructions (noun/verb/prepositional phrase patterns) need a
//! POS tagger (NLTK in the paper), which this crate does not have, so they are
//! left out; it trained with SGD on ~500k PAN pairs, here L-BFGS
//! (linfa-logistic, via [`super::linear::LogisticAuthorship`] with two
//! classes) on the pairs the caller gives or [`training_pairs`] draws.
//!
//! It does not read PAN files ([`crate::data::pan`]) or score answers
//! (`crate::eval::verification::pan_scores`).

use std::collections::HashMap;

use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::features::{FeatureConfig, FeatureKind, FittedFeatures};
use super::linear::{FittedLogistic, LogisticAuthorship, LogisticParams, Standardizer};
use super::tokenize::{words, TokenizerOptions};
use super::{AuthorshipClassifier, AuthorshipModel, StylometryError};

/// Names of the vocabulary-richness features, in column order.
pub const RICHNESS_FEATURES: &[&str] = &[
    "rich:type_token_ratio",
    "rich:hapax_share",
    "rich:dis_legomena_share",
    "rich:yule_k",
    "rich:simpson_d",
    "rich:honore_r",
    "rich:brunet_w",
    "rich:sichel_s",
    "rich:word_len_1",
    "rich:word_len_2",
    "rich:word_len_3",
    "rich:word_len_4",
    "rich:word_len_5",
    "rich:word_len_6",
    "rich:word_len_7",
    "rich:word_len_8",
    "rich:word_len_9",
    "rich:word_len_10_plus",
];

/// Vocabulary richness of a word sequence, in [`RICHNESS_FEATURES`] order
/// (N words, V types, V_i types seen i times):
/// type-token ratio V/N; hapax share V_1/N; dis legomena share V_2/N;
/// Yule's K = 10^4 (sum_i i^2 V_i - N) / N^2; Simpson's D = sum_i V_i i (i-1)
/// / (N (N-1)); Honoré's R = 100 ln N / (1 - V_1/V) (0 when every type is a
/// hapax); Brunet's W = N^(V^-0.165); Sichel's S = V_2/V; then the share of
/// words of 1, 2, ..., 9 and 10+ characters. All zeros for no words.
pub fn richness(words: &[String]) -> Vec<f64> {
    let mut out = vec![0.0; RICHNESS_FEATURES.len()];
    let n = words.len();
    if n == 0 {
        return out;
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in words {
        *counts.entry(w.as_str()).or_insert(0) += 1;
    }
    let nf = n as f64;
    let v = counts.len() as f64;
    let mut spectrum: HashMap<usize, usize> = HashMap::new();
    for &c in counts.values() {
        *spectrum.entry(c).or_insert(0) += 1;
    }
    let v1 = *spectrum.get(&1).unwrap_or(&0) as f64;
    let v2 = *spectrum.get(&2).unwrap_or(&0) as f64;
    let sum_i2 = spectrum
        .iter()
        .map(|(&i, &vi)| (i * i * vi) as f64)
        .sum::<f64>();
    let simpson = if n > 1 {
        spectrum
            .iter()
            .map(|(&i, &vi)| (vi * i * (i - 1)) as f64)
            .sum::<f64>()
            / (nf * (nf - 1.0))
    } else {
        0.0
    };
    out[0] = v / nf;
    out[1] = v1 / nf;
    out[2] = v2 / nf;
    out[3] = 1e4 * (sum_i2 - nf) / (nf * nf);
    out[4] = simpson;
    out[5] = if v1 < v {
        100.0 * nf.ln() / (1.0 - v1 / v)
    } else {
        0.0
    };
    out[6] = nf.powf(v.powf(-0.165));
    out[7] = v2 / v;
    for w in words {
        let len = w.chars().count().clamp(1, 10);
        out[7 + len] += 1.0 / nf;
    }
    out
}

/// Parameters of the pairwise verifier (the `fit` side, linfa style).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PairwiseParams {
    /// Character n-grams kept per n (n = 1, 2, 3). Default 300.
    pub char_top: usize,
    /// L2 penalty of the logistic regression. Default 10.
    pub alpha: f64,
    /// L-BFGS iteration limit. Default 200.
    pub max_iterations: u64,
    /// Tokenization of words (markup and code stripped by default).
    pub tokenizer: TokenizerOptions,
    /// Seed of [`training_pairs`] when fitting on a labelled corpus.
    pub seed: u64,
}

impl Default for PairwiseParams {
    fn default() -> Self {
        PairwiseParams {
            char_top: 300,
            alpha: 10.0,
            max_iterations: 200,
            tokenizer: TokenizerOptions::default(),
            seed: 0,
        }
    }
}

/// A fitted pairwise verifier: feature vocabularies, the document
/// standardizer and the logistic regression on absolute differences.
#[derive(Debug, Clone)]
pub struct FittedPairwise {
    features: FittedFeatures,
    tokenizer: TokenizerOptions,
    scaler: Standardizer,
    model: FittedLogistic,
    names: Vec<String>,
}

/// Same-author and different-author pairs of a labelled corpus, seeded: for
/// each document (ascending) one other document by the same author (when the
/// author has another) and one by a different author, each drawn uniformly.
/// Returns `(i, j, same)` with `i < j` never guaranteed; duplicates are kept
/// out. Errors with fewer than two authors or no same-author pair.
pub fn training_pairs(
    authors: &[usize],
    seed: u64,
) -> Result<Vec<(usize, usize, bool)>, StylometryError> {
    let mut by_author: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &a) in authors.iter().enumerate() {
        by_author.entry(a).or_default().push(i);
    }
    if by_author.len() < 2 {
        return Err(StylometryError::Invalid(format!(
            "training pairs need documents of at least 2 authors; {} given",
            by_author.len()
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (i, &a) in authors.iter().enumerate() {
        let mine: Vec<usize> = by_author[&a].iter().copied().filter(|&j| j != i).collect();
        if let Some(&j) = mine.choose(&mut rng) {
            if seen.insert((i.min(j), i.max(j))) {
                out.push((i, j, true));
            }
        }
        let others: Vec<usize> = (0..authors.len()).filter(|&j| authors[j] != a).collect();
        if let Some(&j) = others.choose(&mut rng) {
            if seen.insert((i.min(j), i.max(j))) {
                out.push((i, j, false));
            }
        }
    }
    if !out.iter().any(|p| p.2) {
        return Err(StylometryError::Invalid(
            "no author has two documents, so there is no same-author training pair".into(),
        ));
    }
    Ok(out)
}

impl PairwiseParams {
    fn feature_config(&self) -> FeatureConfig {
        FeatureConfig {
            kinds: vec![
                FeatureKind::CharNgrams {
                    min: 1,
                    max: 3,
                    top: self.char_top,
                },
                FeatureKind::FunctionWords,
                FeatureKind::Formatting,
            ],
            tokenizer: self.tokenizer,
        }
    }

    /// Fits on `pairs` of `texts`: `(i, j, same)` says whether texts `i` and
    /// `j` have the same author. Feature vocabularies and the standardizer
    /// are fitted on the texts that appear in a pair.
    pub fn fit(
        &self,
        texts: &[String],
        pairs: &[(usize, usize, bool)],
    ) -> Result<FittedPairwise, StylometryError> {
        if self.char_top == 0 {
            return Err(StylometryError::Invalid(
                "pairwise verifier: char_top must be at least 1".into(),
            ));
        }
        if let Some((k, &(i, j, _))) = pairs
            .iter()
            .enumerate()
            .find(|(_, p)| p.0 >= texts.len() || p.1 >= texts.len())
        {
            return Err(StylometryError::Invalid(format!(
                "pairwise verifier: training pair {k} = ({i}, {j}) refers to a text outside the {} given",
                texts.len()
            )));
        }
        let (n_same, n_diff) = pairs.iter().fold(
            (0, 0),
            |(s, d), p| {
                if p.2 {
                    (s + 1, d)
                } else {
                    (s, d + 1)
                }
            },
        );
        if n_same == 0 || n_diff == 0 {
            return Err(StylometryError::Invalid(format!(
                "pairwise verifier: {n_same} same-author and {n_diff} different-author training pairs; both kinds are needed"
            )));
        }
        let mut used: Vec<usize> = pairs.iter().flat_map(|p| [p.0, p.1]).collect();
        used.sort_unstable();
        used.dedup();
        let used_texts: Vec<String> = used.iter().map(|&i| texts[i].clone()).collect();
        let features = FittedFeatures::fit(&self.feature_config(), &used_texts)?;
        let mut names = features.names().to_vec();
        names.extend(RICHNESS_FEATURES.iter().map(|s| s.to_string()));
        let raw = document_vectors(&features, &self.tokenizer, &used_texts)?;
        let scaler = Standardizer::fit(&raw);
        let x = scaler.transform(&raw);
        let row_of: HashMap<usize, usize> = used.iter().enumerate().map(|(r, &i)| (i, r)).collect();
        let diffs = abs_differences(
            &x,
            pairs.iter().map(|p| (row_of[&p.0], row_of[&p.1])),
            pairs.len(),
        );
        let y: Vec<usize> = pairs.iter().map(|p| usize::from(p.2)).collect();
        let model = LogisticAuthorship {
            params: LogisticParams::default()
                .alpha(self.alpha)
                .max_iterations(self.max_iterations),
        }
        .fit(&diffs, &y, 2)?;
        Ok(FittedPairwise {
            features,
            tokenizer: self.tokenizer,
            scaler,
            model,
            names,
        })
    }

    /// Fits on a labelled corpus (`authors[i]` = author of `texts[i]`), with
    /// the pairs [`training_pairs`] draws with `self.seed`.
    pub fn fit_corpus(
        &self,
        texts: &[String],
        authors: &[usize],
    ) -> Result<FittedPairwise, StylometryError> {
        if texts.len() != authors.len() {
            return Err(StylometryError::Invalid(format!(
                "{} texts but {} authors; they must pair up one to one",
                texts.len(),
                authors.len()
            )));
        }
        let pairs = training_pairs(authors, self.seed)?;
        self.fit(texts, &pairs)
    }
}

fn document_vectors(
    features: &FittedFeatures,
    tokenizer: &TokenizerOptions,
    texts: &[String],
) -> Result<Array2<f64>, StylometryError> {
    let base = features.transform(texts)?.values;
    let mut out = Array2::<f64>::zeros((texts.len(), base.ncols() + RICHNESS_FEATURES.len()));
    for (r, text) in texts.iter().enumerate() {
        let rich = richness(&words(text, tokenizer));
        let mut row = out.row_mut(r);
        for (c, v) in base.row(r).iter().chain(rich.iter()).enumerate() {
            row[c] = *v;
        }
    }
    super::check_finite_features(&out, "pairwise")?;
    Ok(out)
}

fn abs_differences(
    x: &Array2<f64>,
    pairs: impl Iterator<Item = (usize, usize)>,
    n: usize,
) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros((n, x.ncols()));
    for (k, (a, b)) in pairs.enumerate() {
        let d = (&x.row(a) - &x.row(b)).mapv(f64::abs);
        out.row_mut(k).assign(&d);
    }
    out
}

impl FittedPairwise {
    /// Feature names, one per column of the document vectors.
    pub fn feature_names(&self) -> &[String] {
        &self.names
    }

    /// Standardized feature vectors of `texts` (rows in input order).
    pub fn vectors(&self, texts: &[String]) -> Result<Array2<f64>, StylometryError> {
        let raw = document_vectors(&self.features, &self.tokenizer, texts)?;
        Ok(self.scaler.transform(&raw))
    }

    /// Probability of "same author" for each `(i, j)` pair of rows of
    /// `vectors` (from [`FittedPairwise::vectors`]).
    pub fn probabilities_of_rows(
        &self,
        vectors: &Array2<f64>,
        pairs: &[(usize, usize)],
    ) -> Result<Vec<f64>, StylometryError> {
        if let Some(&(i, j)) = pairs
            .iter()
            .find(|p| p.0 >= vectors.nrows() || p.1 >= vectors.nrows())
        {
            return Err(StylometryError::Invalid(format!(
                "pair ({i}, {j}) refers to a row outside the {} vectors",
                vectors.nrows()
            )));
        }
        let diffs = abs_differences(vectors, pairs.iter().copied(), pairs.len());
        let log_p = self.model.scores(&diffs)?;
        Ok(log_p.index_axis(Axis(1), 1).mapv(f64::exp).to_vec())
    }

    /// Probability of "same author" for each pair of texts.
    pub fn probabilities(&self, pairs: &[(String, String)]) -> Result<Vec<f64>, StylometryError> {
        let texts: Vec<String> = pairs
            .iter()
            .flat_map(|(a, b)| [a.clone(), b.clone()])
            .collect();
        let x = self.vectors(&texts)?;
        let rows: Vec<(usize, usize)> = (0..pairs.len()).map(|k| (2 * k, 2 * k + 1)).collect();
        self.probabilities_of_rows(&x, &rows)
    }
}

/// Platt scaling (Platt 1999, "Probabilistic outputs for support vector
/// machines"): `p = 1 / (1 + exp(-(a s + b)))` fitted to labelled scores by
/// Newton's method on the log-loss with a small ridge (1e-3 on `a` and `b`,
/// so separable scores give a finite slope). Turns any verification score
/// (the impostors share, a LambdaG log-likelihood ratio) into a probability
/// for the PAN measures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlattCalibration {
    /// Slope.
    pub a: f64,
    /// Intercept.
    pub b: f64,
}

impl PlattCalibration {
    /// Fits on `scores` with `same` labels; needs both labels and finite
    /// scores.
    pub fn fit(scores: &[f64], same: &[bool]) -> Result<Self, StylometryError> {
        if scores.len() != same.len() {
            return Err(StylometryError::Invalid(format!(
                "calibration: {} scores but {} labels",
                scores.len(),
                same.len()
            )));
        }
        if !(same.iter().any(|&t| t) && same.iter().any(|&t| !t)) {
            return Err(StylometryError::Invalid(
                "calibration needs same-author and different-author pairs".into(),
            ));
        }
        if let Some(i) = scores.iter().position(|s| !s.is_finite()) {
            return Err(StylometryError::Invalid(format!(
                "calibration: score {i} is not a finite number"
            )));
        }
        let ridge = 1e-3;
        let (mut a, mut b) = (0.0f64, 0.0f64);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) =
                (ridge * a, ridge * b, ridge, 0.0, ridge);
            for (&s, &t) in scores.iter().zip(same) {
                let p = 1.0 / (1.0 + (-(a * s + b)).exp());
                let r = p - f64::from(u8::from(t));
                let w = (p * (1.0 - p)).max(1e-12);
                ga += r * s;
                gb += r;
                haa += w * s * s;
                hab += w * s;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.is_nan() || det.abs() <= 1e-300 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() < 1e-12 && db.abs() < 1e-12 {
                break;
            }
        }
        if !(a.is_finite() && b.is_finite()) {
            return Err(StylometryError::Invalid(
                "calibration did not converge to finite parameters".into(),
            ));
        }
        Ok(PlattCalibration { a, b })
    }

    /// The calibrated probability of a score.
    pub fn probability(&self, score: f64) -> f64 {
        1.0 / (1.0 + (-(self.a * score + self.b)).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_recovers_a_logistic_relation() {
        // Scores -2..2 with label frequencies following p = 1/(1+e^-(2s)):
        // at s = 0 half the labels are positive, so b ~ 0 and a > 0.
        let mut scores = Vec::new();
        let mut same = Vec::new();
        for (s, pos, neg) in [
            (-2.0, 1, 54),
            (-1.0, 6, 49),
            (0.0, 25, 25),
            (1.0, 49, 6),
            (2.0, 54, 1),
        ] {
            for _ in 0..pos {
                scores.push(s);
                same.push(true);
            }
            for _ in 0..neg {
                scores.push(s);
                same.push(false);
            }
        }
        let c = PlattCalibration::fit(&scores, &same).unwrap();
        assert!(c.b.abs() < 1e-6, "{c:?}");
        // True slope ln(49/6) ~ 2.1 at s = 1 and ln(54) / 2 ~ 2.0 at s = 2.
        assert!((c.a - 2.05).abs() < 0.15, "{c:?}");
        assert!((c.probability(0.0) - 0.5).abs() < 1e-6);
        assert!(PlattCalibration::fit(&[1.0], &[true]).is_err());
    }

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn richness_by_hand() {
        // "a a b c": N = 4, V = 3, V1 = 2 (b, c), V2 = 1 (a).
        let r = richness(&w("a a bb ccc"));
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} != {b}");
        close(r[0], 3.0 / 4.0);
        close(r[1], 2.0 / 4.0);
        close(r[2], 1.0 / 4.0);
        // Yule's K: sum i^2 V_i = 1*2 + 4*1 = 6; 1e4 (6 - 4) / 16 = 1250.
        close(r[3], 1250.0);
        // Simpson's D: V_2 * 2 * 1 / (4 * 3) = 2 / 12.
        close(r[4], 2.0 / 12.0);
        // Honoré's R: 100 ln 4 / (1 - 2/3) = 300 ln 4.
        close(r[5], 300.0 * 4f64.ln());
        // Brunet's W: 4^(3^-0.165).
        close(r[6], 4f64.powf(3f64.powf(-0.165)));
        // Sichel's S: 1/3.
        close(r[7], 1.0 / 3.0);
        // Word lengths: 1, 1, 2, 3 -> shares 1/2, 1/4, 1/4.
        close(r[8], 0.5);
        close(r[9], 0.25);
        close(r[10], 0.25);
        assert!(richness(&[]).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn training_pairs_are_balanced_and_seeded() {
        let authors = [0, 0, 1, 1, 2, 2];
        let p = training_pairs(&authors, 3).unwrap();
        assert_eq!(p, training_pairs(&authors, 3).unwrap());
        for &(i, j, same) in &p {
            assert_eq!(same, authors[i] == authors[j]);
            assert_ne!(i, j);
        }
        // 3 same-author pairs (each pair found from both ends, kept once).
        assert_eq!(p.iter().filter(|q| q.2).count(), 3);
        assert!(training_pairs(&[0, 0], 1).is_err());
        assert!(training_pairs(&[0, 1], 1).is_err());
    }

    #[test]
    fn separates_two_obvious_styles() {
        // Author 0 writes short lower-case lines with "!!"; author 1 long
        // formal sentences with semicolons. Pairs of unseen texts in the
        // same styles must score same > different.
        let a = |k: usize| format!("wow this rocks!! cool stuff {k} yes!! lol ok!!");
        let b = |k: usize| {
            format!("Furthermore, the committee considered the proposal; it was, however, deferred until item {k} could be reviewed.")
        };
        let texts: Vec<String> = (0..8)
            .map(|k| if k % 2 == 0 { a(k) } else { b(k) })
            .collect();
        let authors: Vec<usize> = (0..8).map(|k| k % 2).collect();
        let fitted = PairwiseParams::default()
            .fit_corpus(&texts, &authors)
            .unwrap();
        let p = fitted
            .probabilities(&[(a(100), a(101)), (a(102), b(103)), (b(104), b(105))])
            .unwrap();
        assert!(p[0] > 0.5 && p[2] > 0.5 && p[1] < 0.5, "{p:?}");
        assert!(p.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}
