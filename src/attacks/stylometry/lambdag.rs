//! LambdaG: authorship verification by the likelihood ratio of grammar
//! models (Nini, Halvani, Graner, Gherardi & Ishihara 2024, "Authorship
//! Verification based on the Likelihood Ratio of Grammar Models",
//! arXiv:2403.08462).
//!
//! Texts are first distorted so that only grammar is left (text distortion,
//! Stamatatos 2017, "Authorship attribution using text distortion", EACL):
//! every word not in the function-word list (the 174 Snowball English stop
//! words) becomes the placeholder `*`, punctuation marks stay as tokens, and
//! the text is cut into sentences at `.`, `!`, `?` and blank lines. A
//! questioned text Q is then scored against a known text K by
//!
//! `lambda_G = sum over sentences s of Q of  log P(s | G_K) - mean_j log P(s | G_Rj)`
//!
//! where `G_K` is an n-gram language model of K's distorted sentences and the
//! `G_Rj` are models of `repetitions` random samples of reference sentences
//! (from the reference texts other than Q and K), each as many sentences as K
//! has, as in the paper. [`LambdaGModel::pair_scores`] averages both
//! directions (each text in turn as the known one). A positive score means Q
//! is better explained by K's grammar than by the population's; a logistic
//! calibration fitted on labelled pairs turns it into a probability
//! (`super::pairwise::PlattCalibration`, as the paper calibrates with
//! logistic regression).
//!
//! Differences from the paper: the models use interpolated Witten-Bell
//! smoothing (Witten & Bell 1991) over a shared vocabulary, where the paper
//! uses Kneser-Ney smoothing; the default order is 4 (the paper's best was
//! 10 on long texts; short issue-tracker comments have few long grammatical
//! n-grams); the function-word list is Snowball's, not the paper's.
//!
//! It does not fit the calibration or read files.

use std::collections::HashMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::features::{parse_snowball_list, SNOWBALL_ENGLISH};
use super::StylometryError;

/// Parameters of LambdaG.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LambdaGParams {
    /// n-gram order (>= 1). Default 4.
    pub order: usize,
    /// Reference samples per comparison (the paper's r). Default 10.
    pub repetitions: usize,
    /// Seed of the reference sampling.
    pub seed: u64,
}

impl Default for LambdaGParams {
    fn default() -> Self {
        LambdaGParams {
            order: 4,
            repetitions: 10,
            seed: 0,
        }
    }
}

const PLACEHOLDER: &str = "*";

/// The distorted sentences of `text`: function words (lower-cased) and
/// punctuation kept, every other word (letters, digits) replaced by `*`.
pub fn distort(text: &str, function_words: &std::collections::HashSet<String>) -> Vec<Vec<String>> {
    let mut sentences = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut newlines = 0usize;
    let flush_word = |word: &mut String, current: &mut Vec<String>| {
        if !word.is_empty() {
            let w = word.to_lowercase();
            current.push(if function_words.contains(&w) {
                w
            } else {
                PLACEHOLDER.to_string()
            });
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() || ((c == '\'' || c == '\u{2019}') && !word.is_empty()) {
            word.push(if c == '\u{2019}' { '\'' } else { c });
            newlines = 0;
            continue;
        }
        flush_word(&mut word, &mut current);
        if c == '\n' {
            newlines += 1;
            if newlines >= 2 && !current.is_empty() {
                sentences.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        newlines = 0;
        current.push(c.to_string());
        if matches!(c, '.' | '!' | '?') {
            sentences.push(std::mem::take(&mut current));
        }
    }
    flush_word(&mut word, &mut current);
    if !current.is_empty() {
        sentences.push(current);
    }
    sentences
}

/// Token ids of distorted sentences over a shared vocabulary.
type Sentence = Vec<u32>;

/// An interpolated Witten-Bell n-gram model.
struct NgramModel {
    order: usize,
    /// context (the last k < order tokens, possibly empty) -> (count of the
    /// context, follower counts)
    contexts: HashMap<Vec<u32>, (u64, HashMap<u32, u64>)>,
    /// Vocabulary size including the end symbol and unseen tokens' slot.
    vocabulary: usize,
}

const START: u32 = 0;
const END: u32 = 1;

impl NgramModel {
    fn fit<'a>(
        order: usize,
        vocabulary: usize,
        sentences: impl Iterator<Item = &'a Sentence>,
    ) -> Self {
        let mut contexts: HashMap<Vec<u32>, (u64, HashMap<u32, u64>)> = HashMap::new();
        for s in sentences {
            let padded = padded(order, s);
            for i in (order - 1)..padded.len() {
                let w = padded[i];
                for k in 0..order {
                    let ctx = padded[i - k..i].to_vec();
                    let e = contexts.entry(ctx).or_default();
                    e.0 += 1;
                    *e.1.entry(w).or_insert(0) += 1;
                }
            }
        }
        NgramModel {
            order,
            contexts,
            vocabulary,
        }
    }

    /// P(w | history) with history the last `order - 1` tokens.
    fn probability(&self, history: &[u32], w: u32) -> f64 {
        // Base: uniform over the vocabulary, then interpolate upward.
        let mut p = 1.0 / self.vocabulary as f64;
        for k in 0..self.order {
            let ctx = &history[history.len() - k..];
            if let Some((total, followers)) = self.contexts.get(ctx) {
                let types = followers.len() as f64;
                let c = *followers.get(&w).unwrap_or(&0) as f64;
                p = (c + types * p) / (*total as f64 + types);
            }
        }
        p
    }

    fn log_probability(&self, s: &Sentence) -> f64 {
        let padded = padded(self.order, s);
        ((self.order - 1)..padded.len())
            .map(|i| {
                self.probability(&padded[i + 1 - self.order..i], padded[i])
                    .ln()
            })
            .sum()
    }
}

fn padded(order: usize, s: &Sentence) -> Vec<u32> {
    let mut out = vec![START; order - 1];
    out.extend_from_slice(s);
    out.push(END);
    out
}

/// LambdaG fitted on a reference population of texts.
pub struct LambdaGModel {
    params: LambdaGParams,
    function_words: std::collections::HashSet<String>,
    vocabulary: HashMap<String, u32>,
    /// Distorted sentences of each reference text.
    reference: Vec<Vec<Sentence>>,
}

impl LambdaGParams {
    /// Distorts the reference texts and fixes the shared vocabulary (the
    /// function words, punctuation seen in the reference, `*`, and one slot
    /// for punctuation never seen there).
    pub fn fit_reference(&self, reference: &[String]) -> Result<LambdaGModel, StylometryError> {
        if self.order == 0 || self.repetitions == 0 {
            return Err(StylometryError::Invalid(format!(
                "LambdaG: order {} and repetitions {} must both be at least 1",
                self.order, self.repetitions
            )));
        }
        if reference.len() < 3 {
            return Err(StylometryError::Invalid(format!(
                "LambdaG: {} reference texts; give at least 3 texts of other authors",
                reference.len()
            )));
        }
        let function_words: std::collections::HashSet<String> =
            parse_snowball_list(SNOWBALL_ENGLISH).into_iter().collect();
        let mut model = LambdaGModel {
            params: *self,
            function_words,
            vocabulary: HashMap::new(),
            reference: Vec::new(),
        };
        // ids 0 and 1 are the start and end symbols, 2 the unseen slot.
        model.vocabulary.insert(PLACEHOLDER.to_string(), 3);
        let reference_sentences: Vec<Vec<Vec<String>>> = reference
            .iter()
            .map(|t| distort(t, &model.function_words))
            .collect();
        for text in &reference_sentences {
            for s in text {
                for tok in s {
                    let next = model.vocabulary.len() as u32 + 3;
                    model.vocabulary.entry(tok.clone()).or_insert(next);
                }
            }
        }
        model.reference = reference_sentences
            .iter()
            .map(|t| t.iter().map(|s| model.encode(s)).collect())
            .collect();
        Ok(model)
    }
}

impl LambdaGModel {
    fn encode(&self, s: &[String]) -> Sentence {
        s.iter()
            .map(|t| *self.vocabulary.get(t).unwrap_or(&2))
            .collect()
    }

    fn sentences(&self, text: &str) -> Vec<Sentence> {
        distort(text, &self.function_words)
            .iter()
            .map(|s| self.encode(s))
            .collect()
    }

    fn vocabulary_size(&self) -> usize {
        self.vocabulary.len() + 3
    }

    /// lambda_G of `questioned` against `known`, the reference samples drawn
    /// from reference texts other than those in `exclude` (indices into the
    /// reference texts) with `seed`.
    fn lambda(
        &self,
        questioned: &[Sentence],
        known: &[Sentence],
        exclude: &[usize],
        seed: u64,
    ) -> f64 {
        if questioned.is_empty() || known.is_empty() {
            return 0.0;
        }
        let v = self.vocabulary_size();
        let g_k = NgramModel::fit(self.params.order, v, known.iter());
        let pool: Vec<&Sentence> = self
            .reference
            .iter()
            .enumerate()
            .filter(|(i, _)| !exclude.contains(i))
            .flat_map(|(_, t)| t.iter())
            .collect();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut reference_logp = vec![0.0; questioned.len()];
        for _ in 0..self.params.repetitions {
            let sample: Vec<&Sentence> = pool
                .choose_multiple(&mut rng, known.len().min(pool.len()))
                .copied()
                .collect();
            let g_r = NgramModel::fit(self.params.order, v, sample.into_iter());
            for (acc, s) in reference_logp.iter_mut().zip(questioned) {
                *acc += g_r.log_probability(s);
            }
        }
        let r = self.params.repetitions as f64;
        questioned
            .iter()
            .zip(&reference_logp)
            .map(|(s, &lr)| g_k.log_probability(s) - lr / r)
            .sum()
    }

    /// LambdaG scores of `(i, j)` pairs of `texts`, each the mean of both
    /// directions (`i` questioned against `j` known and the reverse). When
    /// `texts_are_reference` (`texts` is the slice the model was fitted on,
    /// e.g. to calibrate on training pairs), the pair's own two texts are
    /// left out of its reference samples.
    pub fn pair_scores(
        &self,
        texts: &[String],
        pairs: &[(usize, usize)],
        texts_are_reference: bool,
    ) -> Result<Vec<f64>, StylometryError> {
        if texts_are_reference && texts.len() != self.reference.len() {
            return Err(StylometryError::Invalid(format!(
                "LambdaG: {} texts given as the reference, which has {}",
                texts.len(),
                self.reference.len()
            )));
        }
        if let Some(&(i, j)) = pairs
            .iter()
            .find(|p| p.0 >= texts.len() || p.1 >= texts.len())
        {
            return Err(StylometryError::Invalid(format!(
                "LambdaG: pair ({i}, {j}) refers to a text outside the {} given",
                texts.len()
            )));
        }
        let encoded: Vec<Vec<Sentence>> = texts.par_iter().map(|t| self.sentences(t)).collect();
        Ok(pairs
            .par_iter()
            .enumerate()
            .map(|(k, &(i, j))| {
                let exclude: Vec<usize> = if texts_are_reference {
                    vec![i, j]
                } else {
                    vec![]
                };
                let seed = self.params.seed.wrapping_add(2 * k as u64);
                let a = self.lambda(&encoded[i], &encoded[j], &exclude, seed);
                let b = self.lambda(&encoded[j], &encoded[i], &exclude, seed.wrapping_add(1));
                (a + b) / 2.0
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distortion_keeps_function_words_and_punctuation() {
        let fw: std::collections::HashSet<String> = ["the", "of", "is", "it", "don't"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let s = distort("The state of Kafka is fine. Don’t panic!\n\nIt works", &fw);
        let s: Vec<String> = s.iter().map(|x| x.join(" ")).collect();
        assert_eq!(s, ["the * of * is * .", "don't * !", "it *"]);
    }

    #[test]
    fn witten_bell_by_hand() {
        // Order 2, vocabulary 5 (ids 0..4), one sentence [3, 3]:
        // padded [0, 3, 3, 1]. Unigram context (): total 3, followers
        // {3: 2, 1: 1}, 2 types. Context [0]: {3: 1}; [3]: {3: 1, 1: 1}.
        let m = NgramModel::fit(2, 5, [vec![3u32, 3]].iter());
        // P(3 | ()) = (2 + 2 * 1/5) / (3 + 2) = 0.48.
        // P(3 | [0]) = (1 + 1 * 0.48) / (1 + 1) = 0.74.
        assert!((m.probability(&[0], 3) - 0.74).abs() < 1e-12);
        // P(4 | [3]): unigram (0 + 2/5) / 5 = 0.08; bigram (0 + 2 * 0.08) / (2 + 2) = 0.04.
        assert!((m.probability(&[3], 4) - 0.04).abs() < 1e-12);
        // A distribution: sums to 1 over the vocabulary after any history.
        let total: f64 = (0..5).map(|w| m.probability(&[3], w)).sum();
        assert!((total - 1.0).abs() < 1e-12);
    }

    #[test]
    fn same_grammar_scores_higher() {
        let a = |k: usize| format!("I think that it is the {k} one. And so it is, I think.");
        let b = |k: usize| {
            format!("Patch attached; build passes with JDK {k}: tests green, merging now!")
        };
        let reference: Vec<String> = (0..10)
            .map(|k| if k % 2 == 0 { a(k) } else { b(k) })
            .collect();
        let model = LambdaGParams::default().fit_reference(&reference).unwrap();
        let texts = vec![a(1), a(2), b(3)];
        let s = model.pair_scores(&texts, &[(0, 1), (0, 2)], false).unwrap();
        assert!(s[0] > s[1], "{s:?}");
        assert_eq!(
            s,
            model.pair_scores(&texts, &[(0, 1), (0, 2)], false).unwrap()
        );
    }
}
