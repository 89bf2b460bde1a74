//! The audit: one config naming the originals, the release and the vendor's
//! claims; every measurement and attack that applies to the data given; a
//! verdict per claim with the figure, its confidence interval and the attack
//! that decided it; a [`crate::report::Report`] with charts.
//!
//! - [`config`] parses and checks the TOML config (unknown keys and missing
//!   files are errors that name the key and path).
//! - [`run`] runs the privacy metrics, the QI-join linkage and Anonymeter-style
//!   risks on tables, document linkage, the identifier leak scan, redaction
//!   recovery, the hash dictionary attack and stylometric attribution (document
//!   and pseudonym level) on corpora, the epsilon implied by the noise of
//!   aggregates, and trace unicity of events — datasets in parallel — and
//!   assembles the report.
//! - The decision rules and the fail-safe coverage guard live in
//!   [`crate::eval`], shared with the CLI flags that check thresholds.
//!
//! This module does not print, parse arguments or write files: the `reident
//! audit` command does (it writes the report with
//! [`crate::report::write_report`]).

pub mod claims;
pub mod config;
mod dataset;
pub mod declarations;
mod facts;
pub mod run;
pub mod semantic;

pub use config::{AuditConfig, ClaimConfig};
pub use dataset::pseudonyms::run_pseudonym_linkage;
pub use run::{run_audit, AuditOptions, AuditOutcome};

/// Errors of the audit.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// An engine (`engine = "partials:ROWS"` or `"spark://..."`) failed.
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// The config file cannot be read.
    #[error("cannot read the audit config {path}: {source}")]
    ReadConfig {
        /// The config path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The config is malformed or inconsistent.
    #[error("audit config {path}: {message}")]
    Config {
        /// The config path.
        path: String,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A file named by the config does not exist.
    #[error("audit config {config}: {key}: no such file {path}; fix the path (relative paths are resolved against the config's folder)")]
    MissingFile {
        /// The config path.
        config: String,
        /// Which entry and key named it.
        key: String,
        /// The resolved path.
        path: String,
    },
    /// A dataset does not fit its role in the config.
    #[error("{dataset}: {message}")]
    Dataset {
        /// `table \`users\``, `corpus \`comments\``, ...
        dataset: String,
        /// What is wrong.
        message: String,
    },
    /// Input data problem.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// Metric problem.
    #[error(transparent)]
    Privacy(#[from] crate::privacy::PrivacyError),
    /// Record-linkage problem.
    #[error(transparent)]
    Linkage(#[from] crate::attacks::linkage::LinkageError),
    /// Anonymeter-style risk problem.
    #[error(transparent)]
    Inference(#[from] crate::attacks::inference::InferenceError),
    /// Text attack problem.
    #[error(transparent)]
    Text(#[from] crate::attacks::text::TextAttackError),
    /// Stylometry problem.
    #[error(transparent)]
    Stylometry(#[from] crate::attacks::stylometry::StylometryError),
    /// Epsilon estimation problem.
    #[error(transparent)]
    Dp(#[from] crate::dp::DpError),
    /// Trace unicity problem.
    #[error(transparent)]
    Unicity(#[from] crate::attacks::unicity::UnicityError),
    /// Report assembly problem.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// The scoring layer refused a figure (no trials, bad confidence level).
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
}
