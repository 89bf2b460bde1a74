//! Stylometric feature extraction, fitted on a training corpus and applied to
//! any documents: most-frequent-word relative frequencies with Eder's culling,
//! function words (Snowball English stop list), character n-grams, word
//! n-grams, stems (Snowball stemmers via `rust-stemmers`), BPE subword tokens
//! (a BPE model trained on the training corpus with `tokenizers`' `BpeTrainer`,
//! offline) and formatting/punctuation habits.
//!
//! Every vocabulary (which words, n-grams, stems, subwords) is chosen from the
//! training documents only; [`FittedFeatures::transform`] then counts the same
//! columns in any document, so test documents never influence the feature
//! space. Values are relative frequencies (count / number of units of that
//! kind in the document); formatting features are rates described per name.
//! Normalization (z-scores, TF-IDF, L2) lives in `normalize`; the
//! formatting features themselves in `formatting`.
//!
//! Why this file is long: about 115 of its lines are tests; the formatting
//! features are already in `formatting.rs`.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::{Model, Trainer};

use super::tokenize::{clean_text, words_of_clean, TokenizerOptions};
use super::{FeatureMatrix, StylometryError};

pub use super::formatting::{formatting_features, FORMATTING_FEATURES};

/// The Snowball English stop word list (BSD-3, `datasets/snowball/`).
pub const SNOWBALL_ENGLISH: &str = include_str!("../../../datasets/snowball/english.txt");

/// Words of a Snowball-format stop list: the first token of each line, `|`
/// starting a comment.
pub fn parse_snowball_list(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let body = line.split('|').next().unwrap_or("");
            body.split_whitespace().next().map(str::to_string)
        })
        .collect()
}

/// One family of features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureKind {
    /// Relative frequencies of the `n` most frequent words of the training
    /// corpus, after culling: a word is kept only if it occurs in at least
    /// `culling_percent` % of the training documents (Eder's culling as in
    /// stylo's `culling.min`; Rybicki & Eder 2011). Columns are in
    /// descending training frequency, which Eder's Delta relies on.
    Mfw {
        /// Number of words.
        n: usize,
        /// Minimum share of training documents (0-100) a word must occur in.
        culling_percent: f64,
    },
    /// Relative frequencies of the Snowball English stop words (174 function
    /// words), in list order.
    FunctionWords,
    /// Relative frequencies of the `top` most frequent character n-grams for
    /// each n in `min..=max` (lower-cased, whitespace runs folded to one
    /// space; characters are Unicode scalar values).
    CharNgrams {
        /// Smallest n (>= 1).
        min: usize,
        /// Largest n (<= 5).
        max: usize,
        /// n-grams kept per n.
        top: usize,
    },
    /// Relative frequencies of the `top` most frequent word n-grams.
    WordNgrams {
        /// n (>= 1).
        n: usize,
        /// n-grams kept.
        top: usize,
    },
    /// Relative frequencies of the `top` most frequent Snowball stems.
    Stems {
        /// Stemmer language (english, french, german, spanish, ... as in
        /// `rust-stemmers`).
        language: String,
        /// Stems kept.
        top: usize,
    },
    /// Relative frequencies of the `top` most frequent subword tokens of a
    /// BPE model with `vocab_size` entries trained on the training words.
    Bpe {
        /// BPE vocabulary size.
        vocab_size: usize,
        /// Tokens kept.
        top: usize,
    },
    /// Formatting and punctuation habits (see [`FORMATTING_FEATURES`]).
    Formatting,
}

impl fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mfw { n, culling_percent } => write!(f, "mfw:{n}:{culling_percent}"),
            Self::FunctionWords => write!(f, "function-words"),
            Self::CharNgrams { min, max, top } => write!(f, "char:{min}-{max}:{top}"),
            Self::WordNgrams { n, top } => write!(f, "word:{n}:{top}"),
            Self::Stems { language, top } => write!(f, "stems:{language}:{top}"),
            Self::Bpe { vocab_size, top } => write!(f, "bpe:{vocab_size}:{top}"),
            Self::Formatting => write!(f, "format"),
        }
    }
}

fn parse_num<T: FromStr>(spec: &str, part: Option<&str>, default: T) -> Result<T, StylometryError> {
    match part {
        None | Some("") => Ok(default),
        Some(p) => p.parse().map_err(|_| {
            StylometryError::Invalid(format!("feature `{spec}`: `{p}` is not a valid number"))
        }),
    }
}

impl FromStr for FeatureKind {
    type Err = StylometryError;

    /// Parses `mfw[:N[:CULLING%]]`, `function-words`, `char[:MIN-MAX[:TOP]]`,
    /// `word[:N[:TOP]]`, `stems[:LANGUAGE[:TOP]]`, `bpe[:VOCAB[:TOP]]`,
    /// `format`. Defaults: mfw:100:0, char:1-3:500, word:2:300,
    /// stems:english:300, bpe:1000:300.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut parts = spec.trim().split(':');
        let head = parts.next().unwrap_or("").to_ascii_lowercase();
        let a = parts.next();
        let b = parts.next();
        let kind = match head.as_str() {
            "mfw" => Self::Mfw {
                n: parse_num(spec, a, 100)?,
                culling_percent: parse_num(spec, b, 0.0)?,
            },
            "function-words" | "function_words" | "fw" => Self::FunctionWords,
            "char" | "chars" => {
                let (min, max) = match a {
                    None | Some("") => (1, 3),
                    Some(r) => match r.split_once('-') {
                        Some((lo, hi)) => (parse_num(spec, Some(lo), 1)?, parse_num(spec, Some(hi), 3)?),
                        None => {
                            let n = parse_num(spec, Some(r), 3)?;
                            (n, n)
                        }
                    },
                };
                Self::CharNgrams { min, max, top: parse_num(spec, b, 500)? }
            }
            "word" | "words" => Self::WordNgrams {
                n: parse_num(spec, a, 2)?,
                top: parse_num(spec, b, 300)?,
            },
            "stems" | "stem" => Self::Stems {
                language: a.filter(|s| !s.is_empty()).unwrap_or("english").to_ascii_lowercase(),
                top: parse_num(spec, b, 300)?,
            },
            "bpe" => Self::Bpe {
                vocab_size: parse_num(spec, a, 1000)?,
                top: parse_num(spec, b, 300)?,
            },
            "format" | "formatting" => Self::Formatting,
            _ => {
                return Err(StylometryError::Invalid(format!(
                    "unknown feature `{spec}`; use mfw, function-words, char, word, stems, bpe or format"
                )))
            }
        };
        kind.validate()?;
        Ok(kind)
    }
}

impl FeatureKind {
    fn validate(&self) -> Result<(), StylometryError> {
        let bad = |m: String| Err(StylometryError::Invalid(format!("feature `{self}`: {m}")));
        match self {
            Self::Mfw { n, culling_percent } => {
                if *n == 0 {
                    return bad("n must be at least 1".into());
                }
                if !(0.0..=100.0).contains(culling_percent) {
                    return bad("culling must be a percentage in [0, 100]".into());
                }
            }
            Self::CharNgrams { min, max, top } => {
                if *min == 0 || min > max || *max > 5 || *top == 0 {
                    return bad("need 1 <= min <= max <= 5 and top >= 1".into());
                }
            }
            Self::WordNgrams { n, top } => {
                if *n == 0 || *top == 0 {
                    return bad("need n >= 1 and top >= 1".into());
                }
            }
            Self::Stems { language, top } => {
                stem_algorithm(language)?;
                if *top == 0 {
                    return bad("top must be at least 1".into());
                }
            }
            Self::Bpe { vocab_size, top } => {
                if *vocab_size < 2 || *top == 0 {
                    return bad("need vocab_size >= 2 and top >= 1".into());
                }
            }
            Self::FunctionWords | Self::Formatting => {}
        }
        Ok(())
    }
}

fn stem_algorithm(language: &str) -> Result<rust_stemmers::Algorithm, StylometryError> {
    use rust_stemmers::Algorithm as A;
    Ok(match language.to_ascii_lowercase().as_str() {
        "arabic" => A::Arabic,
        "danish" => A::Danish,
        "dutch" => A::Dutch,
        "english" | "en" => A::English,
        "finnish" => A::Finnish,
        "french" | "fr" => A::French,
        "german" | "de" => A::German,
        "greek" => A::Greek,
        "hungarian" => A::Hungarian,
        "italian" | "it" => A::Italian,
        "norwegian" => A::Norwegian,
        "portuguese" | "pt" => A::Portuguese,
        "romanian" => A::Romanian,
        "russian" | "ru" => A::Russian,
        "spanish" | "es" => A::Spanish,
        "swedish" => A::Swedish,
        "tamil" => A::Tamil,
        "turkish" => A::Turkish,
        other => {
            return Err(StylometryError::Invalid(format!(
                "unknown stemmer language `{other}`; use one of arabic, danish, dutch, english, finnish, french, german, greek, hungarian, italian, norwegian, portuguese, romanian, russian, spanish, swedish, tamil, turkish"
            )))
        }
    })
}

/// Which features to extract and how to tokenize.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// Feature families, concatenated in this order.
    pub kinds: Vec<FeatureKind>,
    /// Tokenization (markup and code handling, lower-casing).
    pub tokenizer: TokenizerOptions,
}

impl Default for FeatureConfig {
    /// The classic Delta setting: 100 most frequent words, no culling.
    fn default() -> Self {
        Self {
            kinds: vec![FeatureKind::Mfw {
                n: 100,
                culling_percent: 0.0,
            }],
            tokenizer: TokenizerOptions::default(),
        }
    }
}

/// One fitted feature family.
#[derive(Debug, Clone)]
enum Block {
    /// A fixed vocabulary over some unit stream.
    Vocabulary {
        unit: Unit,
        prefix: String,
        items: Vec<String>,
        index: HashMap<String, usize>,
    },
    Formatting,
}

#[derive(Debug, Clone)]
enum Unit {
    Words,
    WordNgrams(usize),
    CharNgrams(usize),
    Stems(rust_stemmers::Algorithm),
    Bpe(Box<BPE>),
}

/// Features fitted on a training corpus.
#[derive(Debug, Clone)]
pub struct FittedFeatures {
    config: FeatureConfig,
    blocks: Vec<Block>,
    names: Vec<String>,
}

/// Per-document preprocessed text shared by the unit streams.
struct Prepared {
    cleaned: String,
    words: Vec<String>,
}

fn prepare(text: &str, opts: &TokenizerOptions) -> Prepared {
    let cleaned = clean_text(text, opts);
    let words = words_of_clean(&cleaned, opts.lowercase);
    Prepared { cleaned, words }
}

/// Calls `f` with each unit of `unit` in the document and returns the number
/// of units. `buf` is reused to avoid per-unit allocation.
fn for_each_unit(
    unit: &Unit,
    doc: &Prepared,
    buf: &mut String,
    mut f: impl FnMut(&str),
) -> Result<usize, StylometryError> {
    let mut total = 0;
    match unit {
        Unit::Words => {
            for w in &doc.words {
                f(w);
                total += 1;
            }
        }
        Unit::WordNgrams(n) => {
            for window in doc.words.windows(*n) {
                buf.clear();
                for (i, w) in window.iter().enumerate() {
                    if i > 0 {
                        buf.push(' ');
                    }
                    buf.push_str(w);
                }
                f(buf);
                total += 1;
            }
        }
        Unit::CharNgrams(n) => {
            let chars = folded_chars(&doc.cleaned);
            for window in chars.windows(*n) {
                buf.clear();
                buf.extend(window.iter());
                f(buf);
                total += 1;
            }
        }
        Unit::Stems(alg) => {
            let stemmer = rust_stemmers::Stemmer::create(*alg);
            for w in &doc.words {
                f(&stemmer.stem(w));
                total += 1;
            }
        }
        Unit::Bpe(model) => {
            for w in &doc.words {
                let tokens = model.tokenize(w).map_err(|e| {
                    StylometryError::Invalid(format!("BPE tokenization failed: {e}"))
                })?;
                for t in tokens {
                    f(&t.value);
                    total += 1;
                }
            }
        }
    }
    Ok(total)
}

/// Lower-cased characters with whitespace runs folded to one space.
fn folded_chars(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    let mut last_space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.extend(c.to_lowercase());
            last_space = false;
        }
    }
    if out.last() == Some(&' ') {
        out.pop();
    }
    out
}

/// Counts of every unit over the training documents: (total count, number of
/// documents containing it).
fn count_units(
    unit: &Unit,
    docs: &[Prepared],
) -> Result<HashMap<String, (u64, u32)>, StylometryError> {
    let per_doc: Vec<HashMap<String, u64>> = docs
        .par_iter()
        .map(|doc| {
            let mut counts: HashMap<String, u64> = HashMap::new();
            let mut buf = String::new();
            for_each_unit(unit, doc, &mut buf, |u| {
                if let Some(c) = counts.get_mut(u) {
                    *c += 1;
                } else {
                    counts.insert(u.to_string(), 1);
                }
            })?;
            Ok(counts)
        })
        .collect::<Result<_, StylometryError>>()?;
    let mut total: HashMap<String, (u64, u32)> = HashMap::new();
    for counts in per_doc {
        for (k, c) in counts {
            let e = total.entry(k).or_insert((0, 0));
            e.0 += c;
            e.1 += 1;
        }
    }
    Ok(total)
}

/// The `top` units by descending training count (ties by string), keeping
/// only units present in at least `min_docs` documents.
fn top_units(counts: HashMap<String, (u64, u32)>, top: usize, min_docs: u32) -> Vec<String> {
    let mut v: Vec<(String, u64)> = counts
        .into_iter()
        .filter(|(_, (_, df))| *df >= min_docs)
        .map(|(k, (c, _))| (k, c))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(top);
    v.into_iter().map(|(k, _)| k).collect()
}

fn vocabulary(unit: Unit, prefix: &str, items: Vec<String>) -> Block {
    let index = items
        .iter()
        .enumerate()
        .map(|(i, s)| (s.clone(), i))
        .collect();
    Block::Vocabulary {
        unit,
        prefix: prefix.to_string(),
        items,
        index,
    }
}

fn train_bpe(docs: &[Prepared], vocab_size: usize) -> Result<BPE, StylometryError> {
    let err = |e: tokenizers::Error| StylometryError::Invalid(format!("BPE training failed: {e}"));
    let mut trainer = BpeTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(2)
        .show_progress(false)
        .build();
    trainer
        .feed(docs.iter().flat_map(|d| d.words.iter()), |w| {
            Ok(vec![w.to_string()])
        })
        .map_err(err)?;
    let mut model = BPE::default();
    trainer.train(&mut model).map_err(err)?;
    Ok(model)
}

impl FittedFeatures {
    /// Chooses every vocabulary from `train_texts`. Errors when there are no
    /// training documents or a feature family is misconfigured.
    pub fn fit(config: &FeatureConfig, train_texts: &[String]) -> Result<Self, StylometryError> {
        if train_texts.is_empty() {
            return Err(StylometryError::Invalid(
                "no training documents to fit features on".into(),
            ));
        }
        if config.kinds.is_empty() {
            return Err(StylometryError::Invalid(
                "no feature families selected".into(),
            ));
        }
        let docs: Vec<Prepared> = train_texts
            .par_iter()
            .map(|t| prepare(t, &config.tokenizer))
            .collect();
        let n_docs = docs.len();
        let mut blocks = Vec::new();
        for kind in &config.kinds {
            kind.validate()?;
            match kind {
                FeatureKind::Mfw { n, culling_percent } => {
                    let min_docs =
                        ((culling_percent / 100.0) * n_docs as f64).ceil().max(0.0) as u32;
                    let counts = count_units(&Unit::Words, &docs)?;
                    blocks.push(vocabulary(
                        Unit::Words,
                        "mfw:",
                        top_units(counts, *n, min_docs),
                    ));
                }
                FeatureKind::FunctionWords => {
                    blocks.push(vocabulary(
                        Unit::Words,
                        "fw:",
                        parse_snowball_list(SNOWBALL_ENGLISH),
                    ));
                }
                FeatureKind::CharNgrams { min, max, top } => {
                    for n in *min..=*max {
                        let counts = count_units(&Unit::CharNgrams(n), &docs)?;
                        blocks.push(vocabulary(
                            Unit::CharNgrams(n),
                            &format!("char{n}:"),
                            top_units(counts, *top, 1),
                        ));
                    }
                }
                FeatureKind::WordNgrams { n, top } => {
                    let counts = count_units(&Unit::WordNgrams(*n), &docs)?;
                    blocks.push(vocabulary(
                        Unit::WordNgrams(*n),
                        &format!("word{n}:"),
                        top_units(counts, *top, 1),
                    ));
                }
                FeatureKind::Stems { language, top } => {
                    let unit = Unit::Stems(stem_algorithm(language)?);
                    let counts = count_units(&unit, &docs)?;
                    blocks.push(vocabulary(unit, "stem:", top_units(counts, *top, 1)));
                }
                FeatureKind::Bpe { vocab_size, top } => {
                    let unit = Unit::Bpe(Box::new(train_bpe(&docs, *vocab_size)?));
                    let counts = count_units(&unit, &docs)?;
                    blocks.push(vocabulary(unit, "bpe:", top_units(counts, *top, 1)));
                }
                FeatureKind::Formatting => blocks.push(Block::Formatting),
            }
        }
        let mut names = Vec::new();
        for b in &blocks {
            match b {
                Block::Vocabulary { prefix, items, .. } => {
                    names.extend(items.iter().map(|i| format!("{prefix}{i}")));
                }
                Block::Formatting => {
                    names.extend(FORMATTING_FEATURES.iter().map(|s| s.to_string()))
                }
            }
        }
        if names.is_empty() {
            return Err(StylometryError::Invalid(
                "the selected features found nothing in the training documents (culling too strict?)".into(),
            ));
        }
        Ok(Self {
            config: config.clone(),
            blocks,
            names,
        })
    }

    /// Feature names (columns of [`FittedFeatures::transform`]).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The configuration these features were fitted with.
    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// Feature rows for `texts` (rows in input order). A document with no
    /// units of some kind gets zeros for that family.
    pub fn transform(&self, texts: &[String]) -> Result<FeatureMatrix, StylometryError> {
        let width = self.names.len();
        let rows: Vec<Vec<f64>> = texts
            .par_iter()
            .map(|t| self.row(t))
            .collect::<Result<_, StylometryError>>()?;
        let mut values = Array2::zeros((texts.len(), width));
        for (i, r) in rows.into_iter().enumerate() {
            values.row_mut(i).assign(&ndarray::ArrayView1::from(&r[..]));
        }
        Ok(FeatureMatrix {
            names: self.names.clone(),
            values,
        })
    }

    fn row(&self, text: &str) -> Result<Vec<f64>, StylometryError> {
        let doc = prepare(text, &self.config.tokenizer);
        let mut row = Vec::with_capacity(self.names.len());
        let mut buf = String::new();
        for b in &self.blocks {
            match b {
                Block::Vocabulary {
                    unit, items, index, ..
                } => {
                    let mut counts = vec![0u64; items.len()];
                    let total = for_each_unit(unit, &doc, &mut buf, |u| {
                        if let Some(&i) = index.get(u) {
                            counts[i] += 1;
                        }
                    })?;
                    let denom = if total == 0 { 1.0 } else { total as f64 };
                    row.extend(counts.iter().map(|&c| c as f64 / denom));
                }
                Block::Formatting => row.extend(formatting_features(text)),
            }
        }
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn snowball_list_has_174_words() {
        let w = parse_snowball_list(SNOWBALL_ENGLISH);
        assert_eq!(w.len(), 174);
        assert_eq!(&w[..3], &["i", "me", "my"]);
        assert_eq!(w.last().map(String::as_str), Some("very"));
    }

    #[test]
    fn mfw_relative_frequencies_and_culling() {
        // Training: "a a b" and "a c". Counts a=3, b=1, c=1; with culling 100%
        // only `a` (in both documents) survives.
        let train = s(&["a a b", "a c"]);
        let cfg = |culling| FeatureConfig {
            kinds: vec![FeatureKind::Mfw {
                n: 3,
                culling_percent: culling,
            }],
            tokenizer: TokenizerOptions::default(),
        };
        let f = FittedFeatures::fit(&cfg(0.0), &train).unwrap();
        assert_eq!(f.names(), &["mfw:a", "mfw:b", "mfw:c"]);
        let m = f.transform(&s(&["a b b d"])).unwrap();
        // 4 words: a=1/4, b=2/4, c=0.
        assert_eq!(m.values.row(0).to_vec(), vec![0.25, 0.5, 0.0]);
        let culled = FittedFeatures::fit(&cfg(100.0), &train).unwrap();
        assert_eq!(culled.names(), &["mfw:a"]);
    }

    #[test]
    fn char_and_word_ngrams() {
        let cfg = FeatureConfig {
            kinds: vec![
                FeatureKind::CharNgrams {
                    min: 2,
                    max: 2,
                    top: 2,
                },
                FeatureKind::WordNgrams { n: 2, top: 1 },
            ],
            tokenizer: TokenizerOptions::default(),
        };
        // "abab": ab, ba, ab; "x y x y": "x ", " y", "y ", " x", "x ", " y".
        // Totals ab=2, " y"=2, "x "=2, ...; ties sorted by string: " y" < "ab".
        let f = FittedFeatures::fit(&cfg, &s(&["abab", "x y x y"])).unwrap();
        assert_eq!(f.names()[..2], ["char2: y", "char2:ab"]);
        // word bigrams of "x y x y": "x y" x2, "y x" x1.
        assert_eq!(f.names()[2], "word2:x y");
        let m = f.transform(&s(&["Ab  ab"])).unwrap();
        // folded "ab ab": ab, "b ", " a", ab -> " y" = 0, ab = 2/4; no word bigram.
        assert_eq!(m.values.row(0).to_vec(), vec![0.0, 0.5, 0.0]);
    }

    #[test]
    fn stems_and_bpe() {
        let cfg = FeatureConfig {
            kinds: vec![
                FeatureKind::Stems {
                    language: "english".into(),
                    top: 1,
                },
                FeatureKind::Bpe {
                    vocab_size: 30,
                    top: 5,
                },
            ],
            tokenizer: TokenizerOptions::default(),
        };
        let train = s(&["running runs runner run", "the running dog runs"]);
        let f = FittedFeatures::fit(&cfg, &train).unwrap();
        // Porter2: running, runs, run -> "run" (5 of 8 words); runner -> "runner".
        assert_eq!(f.names()[0], "stem:run");
        assert!(f.names()[1..].iter().all(|n| n.starts_with("bpe:")));
        // "running" and "runs" occur twice each (min_frequency 2), so BPE
        // merges them into whole-word tokens; "dog" (once) stays split.
        assert!(f.names().iter().any(|n| n == "bpe:running"));
        assert!(f.names().iter().any(|n| n == "bpe:runs"));
        assert!(!f.names().iter().any(|n| n == "bpe:dog"));
        let m = f.transform(&s(&["runs"])).unwrap();
        assert_eq!(m.values[[0, 0]], 1.0);
        let runs = f.names().iter().position(|n| n == "bpe:runs").unwrap();
        assert_eq!(m.values[[0, runs]], 1.0);
        assert!(FeatureKind::from_str("stems:klingon").is_err());
    }

    #[test]
    fn parse_specs() {
        assert_eq!(
            FeatureKind::from_str("mfw:300:20").unwrap(),
            FeatureKind::Mfw {
                n: 300,
                culling_percent: 20.0
            }
        );
        assert_eq!(
            FeatureKind::from_str("char:1-5:100").unwrap(),
            FeatureKind::CharNgrams {
                min: 1,
                max: 5,
                top: 100
            }
        );
        assert!(FeatureKind::from_str("char:2-7").is_err());
        assert!(FeatureKind::from_str("mfw:x").is_err());
        assert!(FeatureKind::from_str("nonsense").is_err());
    }
}
