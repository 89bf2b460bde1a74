//! Record-linkage attacks: link release rows back to the originals they came
//! from, and measure how often that works.
//!
//! * [`qi_join`]: the quasi-identifier join on a generalized release
//!   (candidates per release row, `1/|candidates|` success, certain matches).
//! * [`blocking`]: rules and pair-count estimates; [`comparison`]: Splink-style
//!   comparisons with levels; [`strings`]: Jaro-Winkler, Levenshtein,
//!   Damerau-Levenshtein, Soundex.
//! * [`fellegi_sunter`]: u from random pairs, lambda from deterministic rules,
//!   m by EM, term-frequency adjustment, match weights; [`link`] runs the
//!   whole pipeline, [`link_partitioned`] the same as partials per block
//!   partition ([`PatternPartial`] counts merged for EM, pairs scored per
//!   partial), with the same result; [`prior_lambda`], [`train_model`] and
//!   [`finish_links`] are the steps another engine (Spark) shares.
//! * [`assignment`]: greedy and Kuhn-Munkres one-to-one assignment.
//!
//! [`link`] returns counts, the blocked pairs with their match weights, the
//! chosen links and the resolved truth key ([`ScoredPairs`]); scoring them
//! against the truth (precision, recall, F1, re-identification rates expected
//! over ties and unique-and-correct over every release row, PR curve, weight
//! histograms) is `eval::linkage`'s job.
//!
//! Distance-based linkage for perturbed numeric data lives in
//! `attacks::distance_linkage`, not here. Nothing here reads files or prints.

pub mod assignment;
pub mod blocking;
pub mod comparison;
pub mod fellegi_sunter;
pub mod patterns;
pub mod qi_join;
pub mod strings;

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::data::TruthKey;
pub use assignment::ScoredPair;
pub use blocking::{parse_blocking_rules, BlockingKey, BlockingRule, KeyTransform, RuleEstimate};
pub use comparison::{parse_comparisons, Comparison, Level, LevelKind};
pub use fellegi_sunter::{
    Contribution, EmCollapse, EmOptions, EmSession, FellegiSunterModel, LevelParams,
};
pub use patterns::PatternPartial;
pub use qi_join::{qi_join, QiJoinResult, QiJoinRow, UnmatchedColumn};

use crate::data::{DataError, EncodedTable, Hierarchy};
use comparison::PreparedComparisons;

/// How [`link_partitioned`] splits the blocked pairs into partials. A block
/// (one key value of one blocking rule; without rules, one original row
/// against every release row) always goes whole to one partial. Every
/// partitioning gives the same result as [`Partitioning::One`] (tested).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Partitioning {
    /// One partial: all the blocked pairs at once.
    #[default]
    One,
    /// Blocks packed, in order, into partials of at most this many pairs
    /// (a larger block is a partial of its own): `--engine partials:ROWS`.
    PairsPerPart(u64),
    /// Each block to one of `parts` partials by a seeded hash of the block
    /// (for tests: splits that do not follow the block order).
    Random {
        /// Number of partials (at least 1).
        parts: usize,
        /// Seed of the hash.
        seed: u64,
    },
}

impl Partitioning {
    /// The function that names the partial of a block (rule, block key,
    /// pairs in the block); see [`blocking::block_partitioned`].
    fn assigner(&self) -> Box<dyn FnMut(usize, u32, u64) -> usize> {
        match *self {
            Partitioning::One => Box::new(|_, _, _| 0),
            Partitioning::PairsPerPart(max) => {
                let (mut part, mut filled) = (0usize, 0u64);
                Box::new(move |_, _, n| {
                    if filled > 0 && filled.saturating_add(n) > max {
                        part += 1;
                        filled = 0;
                    }
                    filled = filled.saturating_add(n);
                    part
                })
            }
            Partitioning::Random { parts, seed } => Box::new(move |rule, key, _| {
                // SplitMix64 of (seed, rule, key).
                let mut z = seed
                    ^ ((rule as u64) << 32 | u64::from(key)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                (z % parts.max(1) as u64) as usize
            }),
        }
    }
}

/// Errors of the linkage attacks.
#[derive(Debug, thiserror::Error)]
pub enum LinkageError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// Reading or parsing input data failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A column named in a comparison, rule or truth key is absent.
    #[error("{source_name}: no column `{column}`; the columns are: {}", available.join(", "))]
    MissingColumn {
        /// Table source.
        source_name: String,
        /// Column asked for.
        column: String,
        /// Columns present.
        available: Vec<String>,
    },
    /// A comparison or blocking specification could not be parsed.
    #[error("cannot parse `{spec}`: {message}")]
    BadSpec {
        /// The offending text.
        spec: String,
        /// What is wrong and how to write it.
        message: String,
    },
    /// A comparison's levels are malformed.
    #[error("comparison on `{column}`: {message}")]
    BadComparison {
        /// Column of the comparison.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// Blocking would create more pairs than allowed.
    #[error("blocking would compare {estimated} pairs, above the cap of {cap} (per rule: {}); add keys to the rules or raise the cap", per_rule.iter().map(|(r, n)| format!("`{r}` {n}")).collect::<Vec<_>>().join(", "))]
    TooManyPairs {
        /// Estimated total (sum over rules).
        estimated: u64,
        /// The cap.
        cap: u64,
        /// Rule text and its pair count.
        per_rule: Vec<(String, u64)>,
    },
    /// A parameter is out of range.
    #[error("{0}")]
    BadParameter(String),
}

/// Where the match prior lambda comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriorSpec {
    /// A given probability that two random records match.
    Given {
        /// The probability, in (0, 1).
        lambda: f64,
    },
    /// Splink's `estimate_probability_two_random_records_match`: pairs
    /// satisfying any of `rules`, divided by `recall`, over all pairs.
    Deterministic {
        /// Deterministic rules (strict blocking rules).
        rules: Vec<BlockingRule>,
        /// Assumed recall of the rules, in (0, 1].
        recall: f64,
    },
}

/// How links are chosen among scored pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssignmentMethod {
    /// Every pair at or above the threshold is a link.
    None,
    /// Greedy one-to-one by weight.
    Greedy,
    /// Kuhn-Munkres per component up to `max_component` rows, greedy above.
    Hungarian {
        /// Largest component solved exactly.
        max_component: usize,
    },
}

/// Everything a linkage run needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkageConfig {
    /// Comparisons (fields and levels).
    pub comparisons: Vec<Comparison>,
    /// Prediction blocking rules (union); empty = all pairs.
    pub blocking: Vec<BlockingRule>,
    /// EM training rules; empty = one session per prediction rule.
    pub training_blocking: Vec<BlockingRule>,
    /// Error above this many blocked pairs.
    pub max_pairs: u64,
    /// Warn when one rule gives more pairs than this.
    pub warn_pairs: u64,
    /// Random pairs sampled to estimate u.
    pub u_sample_pairs: usize,
    /// Seed of the u sample.
    pub seed: u64,
    /// Match prior.
    pub prior: PriorSpec,
    /// EM options.
    pub em: EmOptions,
    /// Links need a match weight at least this.
    pub threshold: f64,
    /// One-to-one assignment.
    pub assignment: AssignmentMethod,
    /// Truth key: (original column, release column).
    pub truth: Option<(String, String)>,
    /// Histogram bins for the weight histogram.
    pub histogram_bins: usize,
    /// Links reported with their explanation (highest weights first).
    pub explain_links: usize,
}

impl LinkageConfig {
    /// Defaults: cap 50 million pairs, warning at 5 million, 1 million u
    /// pairs (Splink's `max_pairs` default is 1e6), seed 42, lambda 1e-4,
    /// threshold 0 (probability 0.5), Hungarian up to 200, 40 bins, 100 links explained.
    pub fn new(comparisons: Vec<Comparison>, blocking: Vec<BlockingRule>) -> Self {
        LinkageConfig {
            comparisons,
            blocking,
            training_blocking: Vec::new(),
            max_pairs: 50_000_000,
            warn_pairs: 5_000_000,
            u_sample_pairs: 1_000_000,
            seed: 42,
            prior: PriorSpec::Given { lambda: 1e-4 },
            em: EmOptions::default(),
            threshold: 0.0,
            assignment: AssignmentMethod::Hungarian { max_component: 200 },
            truth: None,
            histogram_bins: 40,
            explain_links: 100,
        }
    }
}

/// A chosen link with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Original row (0-based).
    pub original_row: u32,
    /// Release row (0-based).
    pub release_row: u32,
    /// Match weight.
    pub match_weight: f64,
    /// Match probability.
    pub match_probability: f64,
    /// With a truth key: whether the link is correct.
    pub correct: Option<bool>,
    /// Per-comparison contributions (prior not included).
    pub contributions: Vec<Contribution>,
}

/// Progress of a run, reported to a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkageStage {
    /// Blocking.
    Blocking,
    /// Estimating u (and lambda).
    EstimatingU,
    /// Computing the comparison vectors of the blocked pairs.
    Comparing,
    /// EM session `i` of `n`.
    Em(usize, usize),
    /// Scoring pairs.
    Scoring,
    /// Assigning and evaluating.
    Assigning,
}

/// The probability `t / c` that a uniform pick among `c` tied best
/// candidates, `t` of them true, is a true original (0 when `c` is 0): the
/// per-record term of the expected re-identification rate (defined in
/// `eval::linkage`), shared by the QI-join attack's expected count.
pub fn expected_share(t: u64, c: u64) -> f64 {
    if c == 0 {
        0.0
    } else {
        t as f64 / c as f64
    }
}

/// What a linkage run hands to scoring (`eval::linkage`): every blocked pair
/// with its match weight, the links chosen among them and the truth key. Not
/// serialized: it grows with the blocked pairs.
#[derive(Debug, Clone, Default)]
pub struct ScoredPairs {
    /// Blocked pairs (original row, release row), the order of `weights`.
    pub pairs: Vec<(u32, u32)>,
    /// Match weight of each pair (log2 Bayes factor, prior included).
    pub weights: Vec<f64>,
    /// Chosen links (after threshold and assignment): indices into `pairs`.
    pub links: Vec<usize>,
    /// The truth key resolved from `LinkageConfig::truth`, when one was given.
    pub truth: Option<TruthKey>,
}

/// Result of [`link`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkageResult {
    /// The configuration that produced this result (for reproduction).
    pub config: LinkageConfig,
    /// Original rows.
    pub n_original: usize,
    /// Release rows.
    pub n_release: usize,
    /// Per-rule pair estimates (computed before blocking ran).
    pub blocking: Vec<RuleEstimate>,
    /// Blocked pairs compared.
    pub pairs_compared: usize,
    /// The trained model.
    pub model: FellegiSunterModel,
    /// EM sessions.
    pub em_sessions: Vec<EmSession>,
    /// Links chosen (after threshold and assignment).
    pub links: usize,
    /// The highest-weight links with their explanations.
    pub explained_links: Vec<Link>,
    /// The blocked pairs, their weights, the links and the truth key, for
    /// scoring (`eval::linkage::score_links`); not serialized.
    #[serde(skip)]
    pub scored: ScoredPairs,
    /// Warnings (exploding rules, collapsed EM, untrained m).
    pub warnings: Vec<String>,
}

fn truth_pairs(
    left: &EncodedTable,
    right: &EncodedTable,
    lcol: &str,
    rcol: &str,
) -> Result<TruthKey, LinkageError> {
    let spec = crate::data::TruthSpec {
        original: lcol.to_string(),
        release: rcol.to_string(),
        map: None,
    };
    spec.resolve(left, right).map_err(|e| match e {
        crate::data::DataError::MissingColumn {
            source_name,
            column,
            available,
        } => LinkageError::MissingColumn {
            source_name,
            column,
            available,
        },
        other => LinkageError::Data(other),
    })
}

/// The comparison vectors (level index per comparison, pair-major) of
/// `pairs` (original row, release row). Level 0 is null; higher indexes are
/// evaluated later (less agreement), the last is `else`.
pub fn comparison_vectors(
    original: &EncodedTable,
    release: &EncodedTable,
    comparisons: &[Comparison],
    hierarchies: &HashMap<String, Hierarchy>,
    pairs: &[(u32, u32)],
) -> Result<Vec<u8>, LinkageError> {
    let prepared = PreparedComparisons::new(comparisons, original, release, hierarchies)?;
    if let Some(&(l, r)) = pairs
        .iter()
        .find(|&&(l, r)| l as usize >= original.n_rows || r as usize >= release.n_rows)
    {
        return Err(LinkageError::BadParameter(format!(
            "pair ({l}, {r}) is out of range: {} original and {} release rows",
            original.n_rows, release.n_rows
        )));
    }
    Ok(fellegi_sunter::comparison_vectors(&prepared, pairs))
}

/// Where an EM session's pairs come from.
pub enum SessionPairs<'r> {
    /// The pairs of a training rule that implies a prediction rule: a
    /// subset of the prediction pairs.
    Implied(&'r BlockingRule),
    /// The pairs of a training rule blocked on its own.
    Own(&'r BlockingRule),
    /// Every prediction pair (no training rule, no blocking rule).
    All,
}

/// The match prior lambda of `config.prior` over `total_pairs` pairs;
/// `deterministic_pairs` counts the pairs that satisfy deterministic rules
/// (Splink's `estimate_probability_two_random_records_match`). Shared by
/// every engine.
pub fn prior_lambda(
    config: &LinkageConfig,
    total_pairs: f64,
    warnings: &mut Vec<String>,
    deterministic_pairs: &mut dyn FnMut(&[BlockingRule]) -> Result<u64, LinkageError>,
) -> Result<f64, LinkageError> {
    match &config.prior {
        PriorSpec::Given { lambda } => {
            if !(*lambda > 0.0 && *lambda < 1.0) {
                return Err(LinkageError::BadParameter(format!(
                    "the match prior lambda must be in (0, 1), got {lambda}"
                )));
            }
            Ok(*lambda)
        }
        PriorSpec::Deterministic { rules, recall } => {
            if !(*recall > 0.0 && *recall <= 1.0) {
                return Err(LinkageError::BadParameter(format!(
                    "the recall of deterministic rules must be in (0, 1], got {recall}"
                )));
            }
            let n = deterministic_pairs(rules)?;
            let l = n as f64 / recall / total_pairs;
            if n == 0 {
                warnings.push(
                    "no pair satisfies the deterministic rules; lambda set to 1/(pairs)".into(),
                );
                Ok(1.0 / total_pairs.max(2.0))
            } else {
                Ok(l.min(1.0 - 1e-9))
            }
        }
    }
}

/// The EM sessions of `config` and the model they train (u and lambda
/// given), with pattern counts from `session_counts`: the in-process
/// partials or a Spark `GROUP BY` give the same counts, so the same model.
/// As in Splink, sessions run in order; each starts from the current m (the
/// mean of the values trained so far, else the defaults) and from lambda
/// adjusted for its blocking rule: prior odds times the Bayes factors of
/// the exact levels the rule forces.
pub fn train_model(
    config: &LinkageConfig,
    u: &[Vec<f64>],
    lambda: f64,
    session_counts: &mut dyn FnMut(&SessionPairs) -> Result<PatternPartial, LinkageError>,
    warnings: &mut Vec<String>,
    progress: &mut dyn FnMut(LinkageStage),
) -> Result<(FellegiSunterModel, Vec<EmSession>), LinkageError> {
    let k = config.comparisons.len();
    let training: Vec<Option<&BlockingRule>> = if !config.training_blocking.is_empty() {
        config.training_blocking.iter().map(Some).collect()
    } else if !config.blocking.is_empty() {
        config.blocking.iter().map(Some).collect()
    } else {
        vec![None]
    };
    let m_default: Vec<Vec<f64>> = config
        .comparisons
        .iter()
        .map(fellegi_sunter::default_m_start)
        .collect();
    // As in Splink, sessions run in order; each starts from the current m
    // (the mean of the values trained so far, else the defaults) and from
    // lambda adjusted for its blocking rule: prior odds times the Bayes
    // factors of the exact levels the rule forces.
    let mut m = m_default.clone();
    let mut trained_values: Vec<Vec<Vec<f64>>> = vec![Vec::new(); k];
    let mut sessions = Vec::new();
    for (i, rule) in training.iter().enumerate() {
        progress(LinkageStage::Em(i + 1, training.len()));
        crate::data::cancel::check()?;
        let mut odds = lambda / (1.0 - lambda);
        let counts: PatternPartial;
        let (rule_text, trained): (String, Vec<bool>) = match rule {
            Some(r) => {
                let session = if config.blocking.iter().any(|p| r.implies(p)) {
                    SessionPairs::Implied(r)
                } else {
                    SessionPairs::Own(r)
                };
                counts = session_counts(&session)?;
                let cols: HashSet<&str> = r.left_columns().collect();
                let trained: Vec<bool> = config
                    .comparisons
                    .iter()
                    .map(|c| !cols.contains(c.left_column.as_str()))
                    .collect();
                for (c, cmp) in config.comparisons.iter().enumerate() {
                    let exact_key = r.keys.iter().any(|key| {
                        key.left_column == cmp.left_column && key.transform == KeyTransform::Exact
                    });
                    if trained[c] || !exact_key {
                        continue;
                    }
                    if let Some(l) = cmp.levels.iter().position(|l| l.kind == LevelKind::Exact) {
                        odds *= m[c][l].max(1e-12) / u[c][l].max(1e-12);
                    }
                }
                (r.describe(), trained)
            }
            None => {
                counts = session_counts(&SessionPairs::All)?;
                ("all pairs".into(), vec![true; k])
            }
        };
        let pats = counts.patterns();
        let mut em = config.em.clone();
        em.start_match_proportion = odds / (1.0 + odds);
        let mut s = fellegi_sunter::expectation_maximisation(&pats, &m, u, &trained, &em);
        s.rule = rule_text;
        if let Some(c) = &s.collapse {
            warnings.push(format!(
                "EM session on `{}` collapsed ({}); its m values are not used",
                s.rule,
                match c {
                    EmCollapse::MatchProportion { value } =>
                        format!("match proportion went to {value:.2e}"),
                    EmCollapse::MEqualsU => "m equals u for every trained comparison".into(),
                }
            ));
        } else {
            for c in 0..k {
                if s.trained[c] {
                    trained_values[c].push(s.m[c].clone());
                    let n = trained_values[c].len() as f64;
                    for l in 0..m[c].len() {
                        m[c][l] = trained_values[c].iter().map(|v| v[l]).sum::<f64>() / n;
                    }
                }
            }
        }
        sessions.push(s);
    }
    let mut trained_any = vec![false; k];
    for c in 0..k {
        if trained_values[c].is_empty() {
            warnings.push(format!(
                "m of the comparison on `{}` was not trained (every EM session blocked on it or collapsed); start values used",
                config.comparisons[c].left_column
            ));
        } else {
            trained_any[c] = true;
        }
    }
    let model = FellegiSunterModel::new(&config.comparisons, &m, u, &trained_any, lambda);
    Ok((model, sessions))
}

/// The end of a linkage run, shared by every engine: the pairs at or above
/// the threshold assigned one to one, the best links explained, the result
/// assembled. `scored` holds the pairs with their weights and the truth
/// key (its `links` are filled here); `gammas` their comparison vectors
/// (pair-major); `tf_adjust(original row, vector, comparison)` the
/// term-frequency adjustment used in the explanations.
#[allow(clippy::too_many_arguments)]
pub fn finish_links(
    config: &LinkageConfig,
    (nl, nr): (usize, usize),
    estimates: Vec<RuleEstimate>,
    pairs_compared: usize,
    model: FellegiSunterModel,
    sessions: Vec<EmSession>,
    warnings: Vec<String>,
    scored_pairs: ScoredPairs,
    gammas: &[u8],
    tf_adjust: &dyn Fn(u32, &[u8], usize) -> f64,
) -> LinkageResult {
    let k = config.comparisons.len();
    let truth = scored_pairs.truth;
    let (pairs, weights) = (scored_pairs.pairs, scored_pairs.weights);
    let candidates: Vec<usize> = (0..pairs.len())
        .filter(|&i| weights[i] >= config.threshold)
        .collect();
    let scored: Vec<ScoredPair> = candidates
        .iter()
        .map(|&i| ScoredPair {
            left: pairs[i].0,
            right: pairs[i].1,
            score: fellegi_sunter::probability_from_weight(weights[i]),
        })
        .collect();
    let chosen: Vec<usize> = match config.assignment {
        AssignmentMethod::None => (0..scored.len()).collect(),
        AssignmentMethod::Greedy => assignment::greedy(&scored),
        AssignmentMethod::Hungarian { max_component } => {
            assignment::hungarian(&scored, max_component)
        }
    };
    let links: Vec<usize> = chosen.iter().map(|&j| candidates[j]).collect();

    let mut by_weight = links.clone();
    by_weight.sort_by(|&a, &b| {
        weights[b]
            .total_cmp(&weights[a])
            .then(pairs[a].cmp(&pairs[b]))
    });
    let explained_links = by_weight
        .iter()
        .take(config.explain_links)
        .map(|&i| {
            let g = &gammas[i * k..(i + 1) * k];
            Link {
                original_row: pairs[i].0,
                release_row: pairs[i].1,
                match_weight: weights[i],
                match_probability: fellegi_sunter::probability_from_weight(weights[i]),
                correct: truth.as_ref().map(|t| t.contains(pairs[i])),
                contributions: (0..k)
                    .map(|c| {
                        let level = &model.comparisons[c].levels[g[c] as usize];
                        Contribution {
                            column: config.comparisons[c].left_column.clone(),
                            level: level.label.clone(),
                            weight: level.match_weight,
                            tf_adjustment: tf_adjust(pairs[i].0, g, c),
                        }
                    })
                    .collect(),
            }
        })
        .collect();

    LinkageResult {
        config: config.clone(),
        n_original: nl,
        n_release: nr,
        blocking: estimates,
        pairs_compared,
        model,
        em_sessions: sessions,
        links: links.len(),
        explained_links,
        warnings,
        scored: ScoredPairs {
            pairs,
            weights,
            links,
            truth,
        },
    }
}

/// Runs Fellegi-Sunter linkage of `release` rows against `original` rows:
/// blocking, u from random pairs, lambda, m by EM, scoring and assignment;
/// with a truth key, `eval::linkage::score_links` scores the result. `hierarchies` serve generalized-compatible
/// levels, keyed by original column name. `progress` is called at each stage.
///
/// # Example
///
/// Six people; the release misspells two names. Name by Jaro-Winkler, ZIP
/// code exactly, a prior of one match in six pairs: every release row is
/// linked to its original, one to one.
///
/// ```
/// use std::collections::HashMap;
/// use reident::attacks::linkage::{link, parse_comparisons, LinkageConfig, PriorSpec};
/// use reident::data::{CategoricalColumn, EncodedTable};
///
/// let zips = ["02139", "02140", "02141", "02142", "02143", "02144"];
/// let table = |source: &str, names: &[&str]| {
///     EncodedTable::new(
///         source,
///         vec![
///             CategoricalColumn::from_strs("name", names),
///             CategoricalColumn::from_strs("zip", &zips),
///         ],
///     )
/// };
/// let original = table("original", &["ann smith", "bob jones", "cyd brown", "dan white", "eve black", "fay green"]);
/// let release = table("release", &["ann smyth", "bob jones", "cyd browne", "dan white", "eve black", "fay green"]);
/// let mut config = LinkageConfig::new(parse_comparisons("name:jw(0.92,0.8);zip:exact")?, Vec::new());
/// config.prior = PriorSpec::Given { lambda: 1.0 / 6.0 };
/// let result = link(&original, &release, &config, &HashMap::new(), &mut |_| {})?;
/// assert_eq!(result.links, 6);
/// # Ok::<(), reident::attacks::linkage::LinkageError>(())
/// ```
pub fn link(
    original: &EncodedTable,
    release: &EncodedTable,
    config: &LinkageConfig,
    hierarchies: &HashMap<String, Hierarchy>,
    progress: &mut dyn FnMut(LinkageStage),
) -> Result<LinkageResult, LinkageError> {
    link_partitioned(
        original,
        release,
        config,
        hierarchies,
        Partitioning::One,
        progress,
    )
}

/// [`link`] with the blocked pairs split into partials by block
/// (`partitioning`): each partial compares its pairs and counts, per EM
/// session, its comparison-vector patterns ([`PatternPartial`]); EM runs on
/// the merged counts; each partial scores its own pairs with the trained
/// model; the scored pairs are put back in the one-pass order and assigned
/// one to one. The result equals [`link`]'s exactly, for any partitioning
/// (EM over merged counts is bit-for-bit EM over the one-pass counts).
/// u (from a seeded random sample of pairs), lambda and the
/// term frequencies are computed over the whole tables, as in one pass.
pub fn link_partitioned(
    original: &EncodedTable,
    release: &EncodedTable,
    config: &LinkageConfig,
    hierarchies: &HashMap<String, Hierarchy>,
    partitioning: Partitioning,
    progress: &mut dyn FnMut(LinkageStage),
) -> Result<LinkageResult, LinkageError> {
    if let Partitioning::PairsPerPart(0) | Partitioning::Random { parts: 0, .. } = partitioning {
        return Err(LinkageError::BadParameter(
            "a partitioning needs at least one pair and one part per partial".into(),
        ));
    }
    if config.comparisons.is_empty() {
        return Err(LinkageError::BadParameter(
            "give at least one comparison (--fields)".into(),
        ));
    }
    let prepared = PreparedComparisons::new(&config.comparisons, original, release, hierarchies)?;
    let k = prepared.len();
    let (nl, nr) = (original.n_rows, release.n_rows);
    let total_pairs = nl as f64 * nr as f64;
    if nl == 0 || nr == 0 {
        return Err(LinkageError::BadParameter(
            "both tables need at least one row".into(),
        ));
    }

    progress(LinkageStage::Blocking);
    crate::data::cancel::check()?;
    let split = partitioning != Partitioning::One;
    let blocked = blocking::block_partitioned(
        &config.blocking,
        original,
        release,
        config.warn_pairs,
        config.max_pairs,
        &mut *partitioning.assigner(),
        split,
    )?;
    let mut warnings = blocked.warnings.clone();

    progress(LinkageStage::EstimatingU);
    crate::data::cancel::check()?;
    let u = fellegi_sunter::estimate_u_random(&prepared, config.u_sample_pairs, config.seed);

    let lambda = prior_lambda(config, total_pairs, &mut warnings, &mut |rules| {
        Ok(
            blocking::block(rules, original, release, u64::MAX, config.max_pairs)?
                .pairs
                .len() as u64,
        )
    })?;

    // The comparison vectors of the prediction pairs, computed once per
    // partial: a training rule that implies a prediction rule has all its
    // pairs among them, so its session reads them instead of blocking and
    // comparing again.
    progress(LinkageStage::Comparing);
    crate::data::cancel::check()?;
    let part_gammas: Vec<Vec<u8>> = blocked
        .pairs
        .iter()
        .map(|p| fellegi_sunter::comparison_vectors(&prepared, p))
        .collect();
    // The session's pattern counts, one partial per block partition.
    let mut session_counts = |session: &SessionPairs| -> Result<PatternPartial, LinkageError> {
        let mut counts = PatternPartial::empty(k);
        match session {
            SessionPairs::Implied(r) => {
                let matcher = blocking::RuleMatcher::new(r, original, release)?;
                for (pairs, gammas) in blocked.pairs.iter().zip(&part_gammas) {
                    let idx = matcher.satisfying(pairs);
                    counts.merge(PatternPartial::from_patterns(
                        k,
                        fellegi_sunter::patterns_of(gammas, k, idx.into_par_iter()),
                    ))?;
                }
            }
            SessionPairs::Own(r) => {
                let b = blocking::block_partitioned(
                    std::slice::from_ref(*r),
                    original,
                    release,
                    u64::MAX,
                    config.max_pairs,
                    &mut *partitioning.assigner(),
                    false,
                )?;
                for pairs in &b.pairs {
                    let g = fellegi_sunter::comparison_vectors(&prepared, pairs);
                    counts.merge(PatternPartial::from_patterns(
                        k,
                        fellegi_sunter::patterns(&g, k),
                    ))?;
                }
            }
            SessionPairs::All => {
                for gammas in &part_gammas {
                    counts.merge(PatternPartial::from_patterns(
                        k,
                        fellegi_sunter::patterns(gammas, k),
                    ))?;
                }
            }
        }
        Ok(counts)
    };
    let (model, sessions) = train_model(
        config,
        &u,
        lambda,
        &mut session_counts,
        &mut warnings,
        progress,
    )?;

    progress(LinkageStage::Scoring);
    crate::data::cancel::check()?;
    let tfs: Vec<Option<(usize, fellegi_sunter::TermFrequencies)>> = prepared
        .comparisons
        .iter()
        .map(|p| {
            p.comparison
                .tf_level()
                .map(|l| (l, fellegi_sunter::term_frequencies(p)))
        })
        .collect();
    // The term-frequency adjustment of comparison `c` for a pair with
    // original row `l` and comparison vector `g`.
    let tf_adjust = |l: u32, g: &[u8], c: usize| -> f64 {
        match &tfs[c] {
            Some((level, tf)) if g[c] as usize == *level => {
                // An exact level means both sides hold the same shared id.
                let t = tf.by_id[prepared.left_id(l as usize, c) as usize];
                if t > 0.0 {
                    (model.comparisons[c].levels[*level].u / t).log2()
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    };
    // Each partial scores its own pairs.
    let part_weights: Vec<Vec<f64>> = blocked
        .pairs
        .iter()
        .zip(&part_gammas)
        .map(|(pairs, gammas)| {
            (0..pairs.len())
                .into_par_iter()
                .map_init(
                    || vec![0.0; k],
                    |tf_row, i| {
                        let g = &gammas[i * k..(i + 1) * k];
                        for (c, slot) in tf_row.iter_mut().enumerate() {
                            *slot = tf_adjust(pairs[i].0, g, c);
                        }
                        model.match_weight(g, tf_row)
                    },
                )
                .collect()
        })
        .collect();
    // The partials' scored pairs, back in the one-pass order: by block,
    // then release row, then original row (the order blocking emits).
    let (pairs, weights, gammas) = if blocked.pairs.len() == 1 {
        let mut part_pairs = blocked.pairs;
        (
            part_pairs.pop().unwrap_or_default(),
            part_weights.into_iter().next().unwrap_or_default(),
            part_gammas.into_iter().next().unwrap_or_default(),
        )
    } else {
        let mut order: Vec<(u32, u32, u32, u32, usize, usize)> = Vec::new();
        for (p, (pairs, blocks)) in blocked.pairs.iter().zip(&blocked.blocks).enumerate() {
            for (i, (&(l, r), &(rule, key))) in pairs.iter().zip(blocks).enumerate() {
                order.push((rule, key, r, l, p, i));
            }
        }
        order.par_sort_unstable();
        let pairs: Vec<(u32, u32)> = order.iter().map(|o| (o.3, o.2)).collect();
        let weights: Vec<f64> = order.iter().map(|o| part_weights[o.4][o.5]).collect();
        let mut gammas = Vec::with_capacity(order.len() * k);
        for o in &order {
            gammas.extend_from_slice(&part_gammas[o.4][o.5 * k..(o.5 + 1) * k]);
        }
        (pairs, weights, gammas)
    };
    progress(LinkageStage::Assigning);
    crate::data::cancel::check()?;
    let truth = match &config.truth {
        Some((lc, rc)) => Some(truth_pairs(original, release, lc, rc)?),
        None => None,
    };
    let pairs_compared = pairs.len();
    Ok(finish_links(
        config,
        (nl, nr),
        blocked.estimates,
        pairs_compared,
        model.clone(),
        sessions,
        warnings,
        ScoredPairs {
            pairs,
            weights,
            links: Vec::new(),
            truth,
        },
        &gammas,
        &tf_adjust,
    ))
}
