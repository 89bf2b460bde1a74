//! k-ary randomized response on categorical columns (Warner 1965; the k-ary
//! form of Kairouz, Oh & Viswanath 2016, "Extremal mechanisms for local
//! differential privacy").
//!
//! Over a domain of k values, each row keeps its true value with probability
//! `e^eps / (e^eps + k - 1)` and otherwise reports one of the other k - 1
//! values uniformly at random. The ratio of the probability of any report
//! under two different true values is at most `e^eps`, so each row's value is
//! released under eps-local differential privacy.
//!
//! The domain is, per column, either declared by the caller (a value outside
//! it is an error naming the row) or the distinct values of the column in
//! order of first appearance. A data-derived domain reveals which values
//! occur; declare the domain when that matters. A missing value is a category
//! like any other. Randomness: one `ChaCha8Rng::seed_from_u64(seed)` stream,
//! columns in order, then rows in order. This module does not estimate the
//! true frequencies from the noisy ones.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use super::{check_epsilon, column_index, AnonymizeError};
use crate::data::{CategoricalColumn, EncodedTable};

/// A declared domain for one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredDomain {
    /// Column name.
    pub column: String,
    /// All values the column may take.
    pub values: Vec<String>,
}

/// Parameters of [`randomized_response`].
#[derive(Debug, Clone, PartialEq)]
pub struct RandomizedResponseConfig {
    /// Categorical columns to perturb, each independently.
    pub columns: Vec<String>,
    /// Privacy parameter per column, > 0.
    pub epsilon: f64,
    /// RNG seed.
    pub seed: u64,
    /// Declared domains; columns without one use their observed values.
    pub domains: Vec<DeclaredDomain>,
}

/// What happened to one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnResponse {
    /// Column name.
    pub column: String,
    /// Domain size k.
    pub domain_size: usize,
    /// Probability of keeping the true value.
    pub keep_probability: f64,
    /// Rows whose reported value differs from the true one.
    pub changed_rows: usize,
}

/// The outcome of [`randomized_response`].
#[derive(Debug, Clone, Serialize)]
pub struct RandomizedResponseResult {
    /// Epsilon per column.
    pub epsilon: f64,
    /// Epsilon of a whole record by sequential composition over the columns.
    pub total_epsilon: f64,
    /// Per-column details.
    pub columns: Vec<ColumnResponse>,
    /// The anonymized table.
    #[serde(skip)]
    pub release: EncodedTable,
}

/// `e^eps / (e^eps + k - 1)`, computed stably for large eps.
pub fn keep_probability(epsilon: f64, domain_size: usize) -> f64 {
    if domain_size <= 1 {
        return 1.0;
    }
    // e^eps / (e^eps + k - 1) = 1 / (1 + (k - 1) e^-eps)
    1.0 / (1.0 + (domain_size - 1) as f64 * (-epsilon).exp())
}

/// One k-ary randomized response: keeps `truth` with probability `keep`,
/// otherwise returns one of the other `domain_size - 1` indices uniformly.
pub fn respond<R: Rng>(rng: &mut R, truth: usize, domain_size: usize, keep: f64) -> usize {
    if domain_size <= 1 || rng.gen::<f64>() < keep {
        return truth;
    }
    let other = rng.gen_range(0..domain_size - 1);
    if other >= truth {
        other + 1
    } else {
        other
    }
}

/// Applies k-ary randomized response to `config.columns`; other columns are
/// copied unchanged.
pub fn randomized_response(
    table: &EncodedTable,
    config: &RandomizedResponseConfig,
) -> Result<RandomizedResponseResult, AnonymizeError> {
    check_epsilon(config.epsilon)?;
    if config.columns.is_empty() {
        return Err(AnonymizeError::Invalid(
            "randomized response needs at least one column".to_string(),
        ));
    }
    for d in &config.domains {
        if !config.columns.contains(&d.column) {
            return Err(AnonymizeError::Invalid(format!(
                "a domain is declared for column `{}`, which is not one of the perturbed columns",
                d.column
            )));
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut release = table.clone();
    let mut details = Vec::with_capacity(config.columns.len());
    for name in &config.columns {
        let c = column_index(table, name)?;
        let column = &table.columns[c];
        // Domain values and the domain index of each dictionary code.
        let (domain, index_of_code): (Vec<String>, Vec<u32>) = match config
            .domains
            .iter()
            .find(|d| &d.column == name)
        {
            Some(declared) => {
                let mut unique = declared.values.clone();
                unique.sort();
                unique.dedup();
                if unique.len() != declared.values.len() {
                    return Err(AnonymizeError::Invalid(format!(
                        "the declared domain of `{name}` lists a value twice"
                    )));
                }
                let index = column
                        .values
                        .iter()
                        .enumerate()
                        .map(|(code, v)| {
                            declared.values.iter().position(|d| d == v).map(|p| p as u32).ok_or_else(|| {
                                AnonymizeError::Invalid(format!(
                                    "{}: column `{name}`, row {}: value `{v}` is not in the declared domain; add it to the domain",
                                    table.source,
                                    column.first_row_with(code as u32).map_or(0, |r| r + 1)
                                ))
                            })
                        })
                        .collect::<Result<Vec<u32>, _>>()?;
                (declared.values.clone(), index)
            }
            None => (
                column.values.clone(),
                (0..column.n_values() as u32).collect(),
            ),
        };
        let k = domain.len();
        if k == 0 {
            return Err(AnonymizeError::Invalid(format!(
                "the domain of `{name}` is empty"
            )));
        }
        let keep = keep_probability(config.epsilon, k);
        let mut changed_rows = 0usize;
        let codes: Vec<u32> = column
            .codes
            .iter()
            .map(|&code| {
                let truth = index_of_code[code as usize] as usize;
                let reported = respond(&mut rng, truth, k, keep);
                if reported != truth {
                    changed_rows += 1;
                }
                reported as u32
            })
            .collect();
        details.push(ColumnResponse {
            column: name.clone(),
            domain_size: k,
            keep_probability: keep,
            changed_rows,
        });
        release.replace_column(CategoricalColumn::from_dictionary(name, domain, codes));
    }
    Ok(RandomizedResponseResult {
        epsilon: config.epsilon,
        total_epsilon: config.epsilon * config.columns.len() as f64,
        columns: details,
        release,
    })
}
