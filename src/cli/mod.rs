//! The `reident` command line: each subcommand parses its arguments, calls one
//! library function and renders the result. Nothing here computes a metric.

pub mod anonymize;
pub mod audit;

use std::io::Write;

use clap::{Parser, Subcommand};

pub mod epsilon;
pub mod limits;
pub mod link;
pub mod metrics;
pub mod output;
pub mod pseudonymize;
pub mod redact;
pub mod risk;
pub mod stylometry;
pub mod synth;
pub mod text;
pub mod unicity;

/// What a command concluded, mapped to the process exit code by `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked holds (exit code 0).
    Success,
    /// A checked claim or threshold was refuted (exit code 1).
    Refuted,
    /// No check was refuted but one could not be decided (exit code 3): the
    /// interval straddles the threshold or the attack could not run over its
    /// input. Not a pass: a CI step must not go green on it.
    Inconclusive,
}

impl Outcome {
    /// The outcome of several verdicts: refuted when any fails, else
    /// inconclusive when any is, else success.
    pub fn of_verdicts<I: IntoIterator<Item = crate::eval::Verdict>>(verdicts: I) -> Self {
        use crate::eval::Verdict;
        let mut outcome = Outcome::Success;
        for v in verdicts {
            match v {
                Verdict::Fail => return Outcome::Refuted,
                Verdict::Inconclusive => outcome = Outcome::Inconclusive,
                Verdict::Pass => {}
            }
        }
        outcome
    }
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
    /// Text attack problem.
    #[error(transparent)]
    Text(#[from] crate::attacks::text::TextAttackError),
    /// Corpus generator problem.
    #[error(transparent)]
    Synth(#[from] crate::synth::SynthError),
    /// Record-linkage problem.
    #[error(transparent)]
    Linkage(#[from] crate::attacks::linkage::LinkageError),
    /// Stylometry problem.
    #[error(transparent)]
    Stylometry(#[from] crate::attacks::stylometry::StylometryError),
    /// Anonymeter-style risk problem.
    #[error(transparent)]
    Inference(#[from] crate::attacks::inference::InferenceError),
    /// Trace unicity problem.
    #[error(transparent)]
    Unicity(#[from] crate::attacks::unicity::UnicityError),
    /// Audit problem (config, datasets).
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// Report writing problem.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
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
    /// Resource limits on reading inputs (global flags).
    #[command(flatten)]
    pub limits: limits::LimitArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a release against its originals: a verdict per claim, a report with charts.
    Audit(audit::AuditArgs),
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
    /// Text leakage: document linkage, surviving identifiers, redaction recovery, hash reversal.
    Text(text::TextArgs),
    /// Link release rows back to originals: Fellegi-Sunter with blocking, or the QI join (--qi).
    Link(link::LinkArgs),
    /// Authorship attribution (Delta family, nearest centroid, kNN): train/test or cross-validation.
    Stylometry(stylometry::StylometryArgs),
    /// Anonymeter-style risks: singling out, linkability, attribute inference.
    Risk(risk::RiskArgs),
    /// Trace unicity of event data and linkage of pseudonymized traces.
    Unicity(unicity::UnicityArgs),
}

/// Runs a parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Outcome, CliError> {
    cli.limits.install();
    match cli.command {
        Command::Audit(args) => audit::run(&args, out),
        Command::Metrics(args) => metrics::run(&args, out),
        Command::Anonymize(args) => anonymize::run(&args, out),
        Command::Synth(args) => synth::run(&args, out),
        Command::Redact(args) => redact::run(&args, out),
        Command::Pseudonymize(args) => pseudonymize::run(&args, out),
        Command::Epsilon(args) => epsilon::run(&args, out),
        Command::Text(args) => text::run(&args, out),
        Command::Link(args) => link::run(&args, out),
        Command::Stylometry(args) => stylometry::run(&args, out),
        Command::Risk(args) => risk::run(&args, out),
        Command::Unicity(args) => unicity::run(&args, out),
    }
}

/// Parses `--kind COLUMN=code|number|generalized` flags into a map.
pub fn parse_kinds(
    specs: &[String],
) -> Result<std::collections::HashMap<String, crate::data::ValueKind>, CliError> {
    specs
        .iter()
        .map(|spec| {
            let (column, kind) = spec.split_once('=').ok_or_else(|| {
                CliError::Usage(format!(
                    "--kind `{spec}`: expected COLUMN=KIND with KIND code, number or generalized, e.g. PUMA=code"
                ))
            })?;
            let kind = kind
                .parse()
                .map_err(|e: crate::data::DataError| CliError::Usage(format!("--kind `{spec}`: {e}")))?;
            Ok((column.trim().to_string(), kind))
        })
        .collect()
}

/// Parses `--hierarchy COLUMN=FILE` flags (ARX CSV) into a map.
pub fn parse_hierarchies(
    specs: &[String],
) -> Result<std::collections::HashMap<String, crate::data::Hierarchy>, CliError> {
    specs
        .iter()
        .map(|spec| {
            let (column, file) = spec.split_once('=').ok_or_else(|| {
                CliError::Usage(format!(
                    "--hierarchy `{spec}`: expected COLUMN=FILE, e.g. age=hier_age.csv"
                ))
            })?;
            let h = crate::data::Hierarchy::from_arx_csv(std::path::Path::new(file), column)?;
            Ok((column.to_string(), h))
        })
        .collect()
}
