//! Differential privacy: estimating epsilon from paired data and bounding it
//! from attack outcomes and black-box audits.
//!
//! What this module does:
//!
//! * [`estimate`]: given original values and their released (noisy) versions,
//!   fits the noise (Laplace scale by maximum likelihood, Gaussian sigma), detects
//!   clamping and rounding, and turns the fit into an implied epsilon for a
//!   declared or inferred sensitivity; the same for noisy counts and sums by
//!   group; and for categorical columns, estimates the randomized-response
//!   channel `P(release | original)` and its implied epsilon. Every estimate has
//!   a confidence interval.
//! * [`mechanism`] and [`audit`]: the [`Mechanism`] trait, reference
//!   mechanisms with known epsilon (Laplace, Gaussian, k-ary randomized
//!   response), an external command as a mechanism, and a black-box audit that
//!   runs a mechanism many times on two neighbouring datasets and returns the
//!   scored trials ([`MechanismTrials`]).
//! * [`aggregate`]: the same noise fit for counts and sums by group.
//!
//! The reference anonymizers (per-value noise, randomized response, DP
//! histogram) are wrapped as mechanisms in `anonymize::mechanisms`, above this
//! module, so the audit can test the guarantees they advertise.
//! * [`gaussian`]: the analytic Gaussian mechanism of Balle & Wang (2018).
//! * [`stats`]: the normal CDF and Gamma quantile the fits need.
//!
//! What it does not do: it does not score. Turning trials into an epsilon
//! lower bound with Clopper-Pearson intervals (Jagielski et al. 2020; Nasr et
//! al. 2021), checking a claim against it, and the randomized-response
//! channel of a categorical column are in `crate::eval` (`epsilon`,
//! `mechanism_audit`, `channel`), which reads this module's results; `dp`
//! imports only `data`. It never proves that a release *is* differentially
//! private (no finite experiment can), it does not print, and it does not read
//! files except where an external mechanism exchanges CSV files with its
//! command.
//!
//! Non-finite values (an unbounded interval end, an infinite point estimate when
//! an error rate is zero) are kept as `f64::INFINITY` in the result structs and
//! serialize to JSON `null`.

pub mod aggregate;
pub mod audit;
pub mod estimate;
pub mod gaussian;
pub mod mechanism;
pub mod stats;

pub use aggregate::{
    aggregate_pairs, fit_aggregate_noise, Aggregate, AggregateFit, AggregatePairs,
};
pub use audit::{run_trials, Distinguisher, MechanismTrials, NumericCell, ValueCount};
pub use estimate::{
    fit_paired_noise, Clamping, Estimate, NoiseFit, NoiseFitOptions, Rounding, Sensitivity,
    SensitivitySource,
};
pub use mechanism::{
    differing_rows, is_neighbour, CommandMechanism, GaussianSum, LaplaceSum, Mechanism,
    RandomizedResponse,
};

/// Errors from epsilon estimation, bounds and audits. Each message says what
/// was wrong and, for data, where (source, column, row).
#[derive(Debug, thiserror::Error)]
pub enum DpError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// Invalid parameters or data that fit no more specific variant.
    #[error("{0}")]
    Invalid(String),
    /// A parameter is outside its allowed range.
    #[error("{name} = {value} is invalid: {requirement}")]
    Parameter {
        /// The parameter's name as the user knows it (e.g. `delta`).
        name: String,
        /// The value given.
        value: String,
        /// What the value must satisfy.
        requirement: String,
    },
    /// Two inputs that must pair up row by row have different lengths.
    #[error("{left_name} has {left} rows but {right_name} has {right}; they must pair up row by row (same length, same order)")]
    LengthMismatch {
        /// Name of the first input.
        left_name: String,
        /// Its length.
        left: usize,
        /// Name of the second input.
        right_name: String,
        /// Its length.
        right: usize,
    },
    /// A value that must be a number is not.
    #[error("{source_name}: column `{column}`, row {row}: `{value}` is not a number; clean the column or choose a numeric one")]
    NotNumeric {
        /// File or label.
        source_name: String,
        /// Column name.
        column: String,
        /// 1-based data row (the header is row 0).
        row: usize,
        /// The offending text.
        value: String,
    },
    /// An external mechanism command failed.
    #[error("mechanism command `{command}` failed: {message}")]
    Command {
        /// The command line (program and arguments).
        command: String,
        /// What went wrong (exit status, stderr excerpt, I/O error).
        message: String,
    },
    /// Reading a mechanism's output failed.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

/// Checks `0 <= delta < 1`.
pub(crate) fn check_delta(delta: f64) -> Result<(), DpError> {
    if delta.is_finite() && (0.0..1.0).contains(&delta) {
        Ok(())
    } else {
        Err(DpError::Parameter {
            name: "delta".into(),
            value: delta.to_string(),
            requirement: "must satisfy 0 <= delta < 1 (delta >= 1 promises nothing)".into(),
        })
    }
}

/// Checks that a confidence level lies strictly between 0 and 1.
pub(crate) fn check_confidence(confidence: f64) -> Result<(), DpError> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(DpError::Parameter {
            name: "confidence".into(),
            value: confidence.to_string(),
            requirement: "must lie strictly between 0 and 1, e.g. 0.95".into(),
        })
    }
}

/// Checks that a quantity is finite and strictly positive.
pub(crate) fn check_positive(name: &str, value: f64) -> Result<(), DpError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(DpError::Parameter {
            name: name.into(),
            value: value.to_string(),
            requirement: "must be a finite number > 0".into(),
        })
    }
}

/// Parses a text column as numbers; the error names the source, column and
/// 1-based row of the first value that is not a number. Surrounding white
/// space is ignored; `NaN` and infinities are rejected.
pub fn parse_numeric<'a, I>(source_name: &str, column: &str, values: I) -> Result<Vec<f64>, DpError>
where
    I: IntoIterator<Item = Option<&'a str>>,
{
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let text = v.unwrap_or("");
            match text.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(DpError::NotNumeric {
                    source_name: source_name.to_string(),
                    column: column.to_string(),
                    row: i + 1,
                    value: text.to_string(),
                }),
            }
        })
        .collect()
}
