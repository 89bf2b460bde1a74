//! Reference anonymizers that produce releases for experiments.
//!
//! Each anonymizer takes an [`EncodedTable`](crate::data::EncodedTable) (every
//! column as text, as [`crate::data::read_frame`] reads it), applies one
//! published method and returns the anonymized table, itself an
//! [`EncodedTable`](crate::data::EncodedTable), plus what the method chose
//! (levels, partitions, noise scale). The release goes straight into
//! [`crate::privacy::evaluate`] and the attacks, with no conversion; the same
//! release written with [`crate::data::output::write_csv_atomic`] and read
//! back gives the same metrics (a rewritten column has no missing code, and
//! suppression tokens are flagged as the readers flag them). Tables are
//! handled by:
//!
//! * [`generalization`]: full-domain generalization with ARX hierarchies
//!   (k-anonymity, distinct-l-diversity, equal-distance t-closeness, record
//!   suppression), searched over the generalization lattice;
//! * [`mondrian`]: Mondrian multidimensional k-anonymity (LeFevre et al. 2006);
//! * [`microaggregation`]: MDAV microaggregation (Domingo-Ferrer & Mateo-Sanz 2002);
//! * [`noise`]: Laplace and Gaussian noise on numeric columns, DP histograms;
//! * [`randomized_response`]: k-ary randomized response on categorical columns.
//!
//! [`mechanisms`] wraps the randomized anonymizers as dp mechanisms for the
//! black-box epsilon audit. Text is handled by [`text`] (redaction; detection
//! is `data::text`) and identifier columns by [`pseudonym`].
//!
//! The release operations (hidden truth key, row shuffle, dropped columns,
//! CSV writing) are methods of [`EncodedTable`](crate::data::EncodedTable).
//! Every release can carry a hidden truth key (the original row id, off by default) so that
//! attacks can be scored. All randomness is seeded (`ChaCha8Rng::seed_from_u64`):
//! the same seed gives byte-identical output.
//!
//! This module does not judge the privacy of its output (that is
//! [`crate::privacy`]'s job) and does not read files or print.

pub mod generalization;
pub mod mechanisms;
pub mod microaggregation;
pub mod mondrian;
pub mod noise;
pub mod paraphrase;
pub mod pseudonym;
pub mod randomized_response;
pub mod text;

pub use mechanisms::{AnonymizerMechanism, CellCount};

use crate::data::{CategoricalColumn, EncodedTable};

/// Errors from the reference anonymizers. Each names the column, row or value
/// at fault and what to change.
#[derive(Debug, thiserror::Error)]
pub enum AnonymizeError {
    /// Invalid parameters or data.
    #[error("{0}")]
    Invalid(String),
    /// A column named in the configuration is not in the table.
    #[error("{source_name}: no column `{column}`; the columns are: {}", available.join(", "))]
    UnknownColumn {
        /// Table source (file or label).
        source_name: String,
        /// The column asked for.
        column: String,
        /// The columns the table has.
        available: Vec<String>,
    },
    /// A numeric parameter is outside its allowed range.
    #[error("{parameter} = {value} is invalid: {requirement}")]
    Parameter {
        /// Parameter name (`epsilon`, `k`, ...).
        parameter: &'static str,
        /// The value given.
        value: String,
        /// What the value must satisfy.
        requirement: String,
    },
    /// k is larger than the number of rows, so no grouping can reach it.
    #[error(
        "{source_name}: k = {k} is larger than the {rows} rows of the table; choose k <= {rows}"
    )]
    KTooLarge {
        /// Table source.
        source_name: String,
        /// The k asked for.
        k: usize,
        /// Rows in the table.
        rows: usize,
    },
    /// A value of a quasi-identifier is not a leaf of its hierarchy.
    #[error("{source_name}: column `{column}`, row {row}: value `{value}` is not covered by the hierarchy; add a line for it to the hierarchy file")]
    UncoveredValue {
        /// Table source.
        source_name: String,
        /// The column.
        column: String,
        /// 1-based data row (header not counted).
        row: usize,
        /// The value missing from the hierarchy.
        value: String,
    },
    /// A value of a column treated as numeric does not parse as a number.
    #[error("{source_name}: column `{column}`, row {row}: `{value}` is not a number; numeric methods need every value of the column to be a finite number (clean or drop missing values first)")]
    NotNumeric {
        /// Table source.
        source_name: String,
        /// The column.
        column: String,
        /// 1-based data row (header not counted).
        row: usize,
        /// The offending value.
        value: String,
    },
    /// No generalization in the lattice satisfies the privacy criteria within
    /// the suppression budget.
    #[error("no generalization satisfies {criteria} with at most {budget} suppressed rows (the top of the lattice suppresses {top_suppressed}); raise the suppression budget or relax the criteria")]
    NoSolution {
        /// The criteria, e.g. `k = 5, l = 3`.
        criteria: String,
        /// Suppression budget in rows.
        budget: usize,
        /// Rows the most general node would still have to suppress.
        top_suppressed: usize,
    },
}

/// Index of column `name` in `table`, or an error listing the columns.
pub(crate) fn column_index(table: &EncodedTable, name: &str) -> Result<usize, AnonymizeError> {
    table
        .columns
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| AnonymizeError::UnknownColumn {
            source_name: table.source.clone(),
            column: name.to_string(),
            available: table.columns.iter().map(|c| c.name.clone()).collect(),
        })
}

/// Checks `1 <= k <= n_rows`.
pub(crate) fn check_k(table: &EncodedTable, k: usize) -> Result<(), AnonymizeError> {
    if k == 0 {
        return Err(AnonymizeError::Parameter {
            parameter: "k",
            value: "0".to_string(),
            requirement: "k must be at least 1".to_string(),
        });
    }
    if k > table.n_rows {
        return Err(AnonymizeError::KTooLarge {
            source_name: table.source.clone(),
            k,
            rows: table.n_rows,
        });
    }
    Ok(())
}

/// Checks that `epsilon` is finite and strictly positive.
pub(crate) fn check_epsilon(epsilon: f64) -> Result<(), AnonymizeError> {
    if !(epsilon.is_finite() && epsilon > 0.0) {
        return Err(AnonymizeError::Parameter {
            parameter: "epsilon",
            value: epsilon.to_string(),
            requirement: "epsilon must be a finite number > 0".to_string(),
        });
    }
    Ok(())
}

/// Parses every distinct value of `column` as a finite `f64` and returns one
/// number per row. Parsing is per dictionary value, not per row.
pub(crate) fn numeric_rows(
    source: &str,
    column: &CategoricalColumn,
) -> Result<Vec<f64>, AnonymizeError> {
    let parsed = numeric_dictionary(source, column)?;
    Ok(column.codes.iter().map(|&c| parsed[c as usize]).collect())
}

/// Parses every distinct value of `column` as a finite `f64` (one per code).
pub(crate) fn numeric_dictionary(
    source: &str,
    column: &CategoricalColumn,
) -> Result<Vec<f64>, AnonymizeError> {
    column
        .values
        .iter()
        .enumerate()
        .map(|(code, v)| match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(AnonymizeError::NotNumeric {
                source_name: source.to_string(),
                column: column.name.clone(),
                row: column.first_row_with(code as u32).map_or(0, |r| r + 1),
                value: v.clone(),
            }),
        })
        .collect()
}

/// Formats a number for output: `decimals` fixed digits, or the shortest
/// representation that round-trips when `None`.
pub(crate) fn format_number(x: f64, decimals: Option<usize>) -> String {
    match decimals {
        Some(d) => format!("{x:.d$}"),
        None => format!("{x}"),
    }
}
