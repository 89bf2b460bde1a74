//! A reference "rewriting" anonymizer: a deterministic, seeded paraphrase of
//! each document, to make rewritten releases with known truth for testing
//! document linkage (a vendor that has an LLM paraphrase or summarise each
//! ticket instead of masking it).
//!
//! Steps, in order, each optional:
//!
//! 1. **extractive summary**: keep the `summary_sentences` sentences with the
//!    highest mean frequency of their content words in the document (Luhn
//!    1958, "The automatic creation of literature abstracts"), in document
//!    order;
//! 2. **sentence dropping**: drop each remaining sentence with probability
//!    `drop_probability` (never the last one left);
//! 3. **sentence reordering**: shuffle the sentences;
//! 4. **masking**: tokens holding a digit become `[NUMBER]`; capitalised
//!    tokens that are census first or last names (`data::text` word lists)
//!    and not common English words become `[NAME]`;
//! 5. **synonym substitution**: each word found in the word list
//!    `datasets/wordlists/synonyms.txt` is replaced, with probability
//!    `synonym_probability`, by one of its replacements (capitalisation of
//!    the first letter kept);
//! 6. **function-word dropping**: each Snowball stop word ("the", "of",
//!    "is", ...) is left out with probability `stop_word_drop_probability`
//!    (the telegraphic style of a summary).
//!
//! Sentences are split after `.`, `!` or `?` followed by white space, and at
//! line breaks. Randomness comes from one `ChaCha8Rng` per document seeded
//! with `seed` and the document's index, so the output of a document does not
//! depend on the others and the same seed gives the same text.
//!
//! What it does not do: produce fluent text, or guarantee anything about
//! privacy (it exists so the linkage attacks can be tested on rewritten text).

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::OnceLock;

use super::AnonymizeError;
use crate::data::text::vocabulary::{is_common_word, is_first_name, is_last_name, is_stop_word};
use crate::data::{CategoricalColumn, EncodedTable};

const SYNONYMS: &str = include_str!("../../datasets/wordlists/synonyms.txt");

fn synonyms() -> &'static HashMap<String, Vec<String>> {
    static MAP: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    MAP.get_or_init(|| {
        SYNONYMS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (word, reps) = l.split_once(':')?;
                let reps: Vec<String> = reps
                    .split(',')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect();
                (!reps.is_empty()).then(|| (word.trim().to_string(), reps))
            })
            .collect()
    })
}

/// Parameters of the paraphrase transformer.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ParaphraseConfig {
    /// Seed of the per-document generators.
    pub seed: u64,
    /// Probability that a word of the synonym list is replaced.
    pub synonym_probability: f64,
    /// Probability that a sentence is dropped.
    pub drop_probability: f64,
    /// Probability that a stop word is left out.
    pub stop_word_drop_probability: f64,
    /// Shuffle the sentences.
    pub reorder: bool,
    /// Keep at most this many sentences (extractive summary); `None` keeps all.
    pub summary_sentences: Option<usize>,
    /// Replace tokens holding a digit by `[NUMBER]`.
    pub mask_numbers: bool,
    /// Replace capitalised census names by `[NAME]`.
    pub mask_names: bool,
}

impl Default for ParaphraseConfig {
    /// Seed 1, every listed word replaced, 20% of sentences and 50% of stop
    /// words dropped, reordered, no summary, names masked, numbers kept.
    fn default() -> Self {
        ParaphraseConfig {
            seed: 1,
            synonym_probability: 1.0,
            drop_probability: 0.2,
            stop_word_drop_probability: 0.5,
            reorder: true,
            summary_sentences: None,
            mask_numbers: false,
            mask_names: true,
        }
    }
}

impl ParaphraseConfig {
    fn check(&self) -> Result<(), AnonymizeError> {
        for (name, p) in [
            ("synonym_probability", self.synonym_probability),
            ("drop_probability", self.drop_probability),
            (
                "stop_word_drop_probability",
                self.stop_word_drop_probability,
            ),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(AnonymizeError::Parameter {
                    parameter: name,
                    value: p.to_string(),
                    requirement: "a probability in [0, 1]".into(),
                });
            }
        }
        if self.summary_sentences == Some(0) {
            return Err(AnonymizeError::Parameter {
                parameter: "summary_sentences",
                value: "0".into(),
                requirement: "at least 1 (or none for no summary)".into(),
            });
        }
        Ok(())
    }
}

/// Splits `text` into sentences (module docs), trimmed, empty ones dropped.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            let next_space = chars.get(k + 1).is_some_and(|&(_, n)| n.is_whitespace());
            if matches!(c, '.' | '!' | '?') && next_space {
                out.push(line[start..i + c.len_utf8()].trim().to_string());
                start = i + c.len_utf8();
            }
        }
        out.push(line[start..].trim().to_string());
    }
    out.retain(|s| !s.is_empty());
    out
}

fn content_words(sentence: &str) -> impl Iterator<Item = String> + '_ {
    sentence
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| w.len() > 2 && !is_stop_word(w))
}

/// The indices of the `n` sentences with the highest mean document frequency
/// of their content words (ties: earlier first), in document order.
pub fn summary_indices(sentences: &[String], n: usize) -> Vec<usize> {
    let mut freq: HashMap<String, usize> = HashMap::new();
    for s in sentences {
        for w in content_words(s) {
            *freq.entry(w).or_default() += 1;
        }
    }
    let score = |s: &String| {
        let words: Vec<String> = content_words(s).collect();
        if words.is_empty() {
            0.0
        } else {
            words.iter().map(|w| freq[w] as f64).sum::<f64>() / words.len() as f64
        }
    };
    let mut order: Vec<(usize, f64)> = sentences.iter().map(score).enumerate().collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep: Vec<usize> = order.into_iter().take(n).map(|(i, _)| i).collect();
    keep.sort_unstable();
    keep
}

fn rewrite_token(token: &str, config: &ParaphraseConfig, rng: &mut ChaCha8Rng) -> String {
    let start = token
        .find(|c: char| c.is_alphanumeric())
        .unwrap_or(token.len());
    let end = token
        .rfind(|c: char| c.is_alphanumeric())
        .map_or(start, |i| {
            i + token[i..].chars().next().map_or(1, char::len_utf8)
        });
    let (pre, core, post) = (&token[..start], &token[start..end], &token[end..]);
    if core.is_empty() {
        return token.to_string();
    }
    if config.mask_numbers && core.chars().any(|c| c.is_ascii_digit()) {
        return format!("{pre}[NUMBER]{post}");
    }
    let capitalised = core.chars().next().is_some_and(char::is_uppercase);
    if config.mask_names
        && capitalised
        && core.chars().all(char::is_alphabetic)
        && (is_first_name(core) || is_last_name(core))
        && !is_common_word(core)
        && !is_stop_word(core)
    {
        return format!("{pre}[NAME]{post}");
    }
    if let Some(reps) = synonyms().get(&core.to_lowercase()) {
        if config.synonym_probability > 0.0 && rng.gen_bool(config.synonym_probability) {
            let rep = &reps[rng.gen_range(0..reps.len())];
            let rep = if capitalised {
                let mut c = rep.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            } else {
                rep.clone()
            };
            return format!("{pre}{rep}{post}");
        }
    }
    token.to_string()
}

/// Paraphrases one document; `index` is its position in the corpus (it
/// seeds the document's generator).
pub fn paraphrase(
    text: &str,
    index: usize,
    config: &ParaphraseConfig,
) -> Result<String, AnonymizeError> {
    config.check()?;
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    rng.set_stream(index as u64);
    let mut sents = sentences(text);
    if let Some(n) = config.summary_sentences {
        let keep = summary_indices(&sents, n);
        sents = keep.into_iter().map(|i| sents[i].clone()).collect();
    }
    if config.drop_probability > 0.0 {
        let mut kept = Vec::with_capacity(sents.len());
        for s in sents.iter() {
            if !rng.gen_bool(config.drop_probability) {
                kept.push(s.clone());
            }
        }
        if kept.is_empty() {
            if let Some(s) = sents.choose(&mut rng) {
                kept.push(s.clone());
            }
        }
        sents = kept;
    }
    if config.reorder {
        sents.shuffle(&mut rng);
    }
    let out: Vec<String> = sents
        .iter()
        .map(|s| {
            let mut words = Vec::new();
            for t in s.split_whitespace() {
                let drop = config.stop_word_drop_probability > 0.0
                    && is_stop_word(t)
                    && rng.gen_bool(config.stop_word_drop_probability);
                if !drop {
                    words.push(rewrite_token(t, config, &mut rng));
                }
            }
            words.join(" ")
        })
        .collect();
    Ok(out.join(" "))
}

/// Paraphrases every document of a corpus (index `i` seeds document `i`).
pub fn paraphrase_all(
    texts: &[String],
    config: &ParaphraseConfig,
) -> Result<Vec<String>, AnonymizeError> {
    config.check()?;
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| paraphrase(t, i, config))
        .collect()
}

/// Paraphrases the text `columns` of a table (row `i` seeds with index `i`);
/// the other columns are copied unchanged.
pub fn paraphrase_table(
    table: &EncodedTable,
    columns: &[String],
    config: &ParaphraseConfig,
) -> Result<EncodedTable, AnonymizeError> {
    config.check()?;
    let mut release = table.clone();
    for name in columns {
        let Some(col) = table.column(name) else {
            return Err(AnonymizeError::UnknownColumn {
                source_name: table.source.clone(),
                column: name.clone(),
                available: table.columns.iter().map(|c| c.name.clone()).collect(),
            });
        };
        let rows = (0..table.n_rows)
            .map(|r| paraphrase(col.value(r), r, config))
            .collect::<Result<Vec<_>, _>>()?;
        release.replace_column(CategoricalColumn::from_row_strings(name, rows));
    }
    Ok(release)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_at_stops_and_lines() {
        assert_eq!(
            sentences("It fails. See v1.2 now!\nNext line? yes"),
            vec!["It fails.", "See v1.2 now!", "Next line?", "yes"]
        );
    }

    #[test]
    fn summary_keeps_the_highest_scoring_sentences_in_order() {
        // Content-word frequencies: broker 3, crash 2, restart 1, weather 1, nice 1.
        let s: Vec<String> = [
            "The broker crash.",   // (3 + 2) / 2 = 2.5
            "Weather is nice.",    // (1 + 1) / 2 = 1
            "Broker restart.",     // (3 + 1) / 2 = 2
            "Broker crash again.", // "again" is a stop word: (3 + 2) / 2 = 2.5
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        assert_eq!(summary_indices(&s, 2), vec![0, 3]);
        assert_eq!(summary_indices(&s, 3), vec![0, 2, 3]);
    }

    #[test]
    fn masks_and_substitutes_deterministically() {
        let config = ParaphraseConfig {
            drop_probability: 0.0,
            stop_word_drop_probability: 0.0,
            reorder: false,
            mask_numbers: true,
            ..ParaphraseConfig::default()
        };
        let out = paraphrase(
            "Thanks Robert, the issue in HDFS-1234 is fixed.",
            0,
            &config,
        )
        .unwrap();
        // "Thanks", "issue" and "fixed" are in the synonym list; HDFS-1234 holds a digit.
        assert!(out.contains("[NAME],"), "{out}");
        assert!(out.contains("[NUMBER]"), "{out}");
        assert!(!out.contains("issue") && !out.contains("fixed"), "{out}");
        assert_eq!(
            out,
            paraphrase(
                "Thanks Robert, the issue in HDFS-1234 is fixed.",
                0,
                &config
            )
            .unwrap()
        );
        let with_other_seed = ParaphraseConfig { seed: 2, ..config };
        let outs: std::collections::HashSet<String> = (0..8)
            .map(|i| {
                paraphrase(
                    "the issue is fixed. the error is fixed.",
                    i,
                    &with_other_seed,
                )
                .unwrap()
            })
            .collect();
        assert!(
            outs.len() > 1,
            "different documents draw different synonyms"
        );
    }

    #[test]
    fn rejects_bad_probabilities() {
        let c = ParaphraseConfig {
            drop_probability: 1.5,
            ..ParaphraseConfig::default()
        };
        assert!(paraphrase("x", 0, &c).is_err());
    }
}
