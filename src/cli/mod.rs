//! The `reident` command line: each subcommand parses its arguments, calls one
//! library function and renders the result. Nothing here computes a metric.

pub mod anonymize;

use std::io::Write;

use clap::{Parser, Subcommand};

pub mod epsilon;
pub mod metrics;
pub mod pseudonymize;
pub mod redact;
pub mod risk;
pub mod synth;
pub mod unicity;

/// What a command concluded, mapped to the process exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked holds (exit code 0).
    Success,
    /// A checked claim or threshold was refuted (exit code 1).
    Refuted,
}

/// Errors surfaced to the user (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Input data problem.
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// Metric problem.
    #[error(transparent)]
    Privacy(#[from] crate::privacy::PrivacyError),
    /// Epsilon estimation problem.
    #[error(transparent)]
    Dp(#[from] crate::dp::DpError),
    /// Anonymizer problem.
    #[error(transparent)]
    Anonymize(#[from] crate::anonymize::AnonymizeError),
    /// Corpus generator problem.
    #[error(transparent)]
    Synth(#[from] crate::synth::SynthError),
    /// Anonymeter-style risk problem.
    #[error(transparent)]
    Inference(#[from] crate::attacks::inference::InferenceError),
    /// Trace unicity problem.
    #[error(transparent)]
    Unicity(#[from] crate::attacks::unicity::UnicityError),
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
    /// Writing output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// What was being written.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// `reident`: test whether an anonymized release still leaks its sources.
#[derive(Debug, Parser)]
#[command(name = "reident", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Privacy metrics of a release: k, l, t, beta, delta, re-identification risk.
    Metrics(metrics::MetricsArgs),
    /// Produce an anonymized release with a reference method.
    Anonymize(anonymize::AnonymizeArgs),
    /// Generate a seeded Atlassian-style corpus (or the bundled demo with --demo).
    Synth(synth::SynthArgs),
    /// Redact identifiers from text columns.
    Redact(redact::RedactArgs),
    /// Replace identifier columns by pseudonyms (sequential, HMAC-SHA256, unsalted SHA-256) or remove them.
    Pseudonymize(pseudonymize::PseudonymizeArgs),
    /// Estimate, bound, audit or check epsilon.
    Epsilon(epsilon::EpsilonArgs),
    /// Anonymeter-style risks: singling out, linkability, attribute inference.
    Risk(risk::RiskArgs),
    /// Trace unicity of event data and linkage of pseudonymized traces.
    Unicity(unicity::UnicityArgs),
}

/// Runs a parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome, CliError> {
    match cli.command {
        Command::Metrics(args) => metrics::run(&args, out),
        Command::Anonymize(args) => anonymize::run(&args, out),
        Command::Synth(args) => synth::run(&args, out),
        Command::Redact(args) => redact::run(&args, out),
        Command::Pseudonymize(args) => pseudonymize::run(&args, out),
        Command::Epsilon(args) => epsilon::run(&args, out),
        Command::Risk(args) => risk::run(&args, out),
        Command::Unicity(args) => unicity::run(&args, out),
    }
}
