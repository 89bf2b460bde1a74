//! The `reident` command line: each subcommand parses its arguments, calls one
//! library function and renders the result. Nothing here computes a metric.

pub mod anonymize;
pub mod audit;
pub mod choices;

use std::io::Write;

use clap::{Parser, Subcommand};

pub mod epsilon;
pub mod hierarchy;
pub mod identifiers;
pub mod import;
pub mod limits;
pub mod link;
pub mod metrics;
pub mod output;
pub mod pseudonymize;
pub mod pseudonyms;
pub mod redact;
pub mod risk;
pub mod stylometry;
pub mod synth;
pub mod text;
pub mod unicity;
pub mod verify;

pub mod progress;

pub mod parse {
    //! Value parsers shared by every subcommand's numeric flags.
    //!
    //! Each is a clap `value_parser`: clap calls it on the flag's text and, when it
    //! returns an error, prints `invalid value '<text>' for '--<flag> <VALUE>':
    //! <reason>` and exits with code 2, so the message always names the flag.
    //! Rust parses `NaN`, `inf` and `infinity` as floats; every float parser here
    //! rejects them, because a comparison with NaN is always false and makes a
    //! threshold check pass vacuously.
    //!
    //! Rules (each flag's doc comment says which one it uses):
    //!
    //! | parser | accepts | used for |
    //! |---|---|---|
    //! | [`finite`] | any finite number | match weights, clamp bounds |
    //! | [`non_negative`] | finite, `>= 0` | tolerances, penalties, multipliers |
    //! | [`positive`] | finite, `> 0` | epsilon, sensitivity, SVM C, multipliers that scale |
    //! | [`probability`] | `[0, 1]` | rates, risk thresholds, similarities, shares |
    //! | [`max_rate`] | `[0, 1)` | a refutation threshold on a rate: 1 can never be exceeded, so the check would be vacuous |
    //! | [`open_unit`] | `(0, 1)` | confidence levels, the Gaussian delta, lambda, held-out fractions |
    //! | [`unit_left_open`] | `(0, 1]` | sampling fraction, recall |
    //! | [`delta`] | `[0, 1)` | delta of a DP claim or bound (delta >= 1 promises nothing) |
    //! | [`at_least_one`] / [`at_least_one_u64`] / [`at_least_one_i64`] | `>= 1` | counts and sizes where 0 would be replaced or mean nothing |
    //! | [`at_least_two`] | `>= 2` | folds, candidate authors, trials: 1 makes the measurement vacuous |
    //! | [`hex_len`] | `1..=64` | hex characters of an HMAC-SHA256 tag |

    fn number(text: &str) -> Result<f64, String> {
        let x: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a number"))?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(format!(
                "{text} is not a finite number; give a finite value"
            ))
        }
    }

    fn count<T: std::str::FromStr>(text: &str) -> Result<T, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("`{text}` is not a whole number"))
    }

    /// Any finite number.
    pub fn finite(text: &str) -> Result<f64, String> {
        number(text)
    }

    /// A finite number `>= 0`.
    pub fn non_negative(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if x >= 0.0 {
            Ok(x)
        } else {
            Err(format!("{x} is negative; give a number >= 0"))
        }
    }

    /// A finite number `> 0`.
    pub fn positive(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if x > 0.0 {
            Ok(x)
        } else {
            Err(format!("{x} is not positive; give a number > 0"))
        }
    }

    /// A probability, rate or share in `[0, 1]`.
    pub fn probability(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(format!(
                "{x} is not in [0, 1]; give a probability such as 0.05"
            ))
        }
    }

    /// The largest acceptable rate of a refutable check, in `[0, 1)`: rates
    /// never exceed 1, so a threshold of 1 could never refute anything.
    pub fn max_rate(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if (0.0..1.0).contains(&x) {
            Ok(x)
        } else if x == 1.0 {
            Err("1 can never be exceeded, so the check would pass whatever the data; give a rate in [0, 1) such as 0.05".into())
        } else {
            Err(format!("{x} is not in [0, 1); give a rate such as 0.05"))
        }
    }

    /// A number strictly between 0 and 1 (confidence levels, the Gaussian
    /// delta, a prior probability, a held-out fraction).
    pub fn open_unit(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if x > 0.0 && x < 1.0 {
            Ok(x)
        } else {
            Err(format!(
                "{x} is not strictly between 0 and 1; give e.g. 0.95"
            ))
        }
    }

    /// A share in `(0, 1]` (a sampling fraction, an assumed recall).
    pub fn unit_left_open(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if x > 0.0 && x <= 1.0 {
            Ok(x)
        } else {
            Err(format!("{x} is not in (0, 1]; give a share such as 0.5"))
        }
    }

    /// The delta of a differential-privacy claim or bound, in `[0, 1)`
    /// (delta >= 1 promises nothing).
    pub fn delta(text: &str) -> Result<f64, String> {
        let x = number(text)?;
        if (0.0..1.0).contains(&x) {
            Ok(x)
        } else {
            Err(format!(
                "{x} is not in [0, 1); delta >= 1 promises nothing, give e.g. 1e-5"
            ))
        }
    }

    /// A count `>= 1`.
    pub fn at_least_one(text: &str) -> Result<usize, String> {
        match count::<usize>(text)? {
            0 => Err("0 is not allowed; give at least 1".into()),
            n => Ok(n),
        }
    }

    /// A count `>= 1` (64-bit).
    pub fn at_least_one_u64(text: &str) -> Result<u64, String> {
        match count::<u64>(text)? {
            0 => Err("0 is not allowed; give at least 1".into()),
            n => Ok(n),
        }
    }

    /// A signed whole number `>= 1` (e.g. seconds).
    pub fn at_least_one_i64(text: &str) -> Result<i64, String> {
        let n = count::<i64>(text)?;
        if n >= 1 {
            Ok(n)
        } else {
            Err(format!("{n} is not allowed; give at least 1"))
        }
    }

    /// Hex characters kept from an HMAC-SHA256 tag: 1 to 64.
    pub fn hex_len(text: &str) -> Result<usize, String> {
        let n = count::<usize>(text)?;
        if (1..=64).contains(&n) {
            Ok(n)
        } else {
            Err(format!(
                "{n} is not in 1..=64 (an HMAC-SHA256 tag has 64 hex characters)"
            ))
        }
    }

    /// A count `>= 2` (1 would make the measurement vacuous).
    pub fn at_least_two(text: &str) -> Result<usize, String> {
        let n = count::<usize>(text)?;
        if n >= 2 {
            Ok(n)
        } else {
            Err(format!(
                "{n} is too small: with fewer than 2 the result says nothing; give at least 2"
            ))
        }
    }
}

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
    /// The exit code of claims checked by a command's threshold flag, each
    /// decided by the audit's claim kind ([`crate::audit::claims`]) so the
    /// command and the audit agree; the verdicts and their warnings are
    /// written to standard error.
    pub fn of_claims(claims: &[crate::report::ClaimVerdict]) -> Self {
        for c in claims {
            let interval = c
                .confidence_interval
                .map_or(String::new(), |(lo, hi)| format!(" [{lo:.4}, {hi:.4}]"));
            eprintln!(
                "{:?}: {}: {} = {}{interval}. {}",
                c.verdict,
                c.claim,
                c.measure,
                c.measured.map_or("n/a".into(), |m| format!("{m:.4}")),
                c.evidence
            );
            for w in &c.warnings {
                eprintln!("warning: {w}");
            }
        }
        Self::of_verdicts(claims.iter().map(|c| c.verdict))
    }

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
    /// Scoring problem (epsilon bound, intervals).
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
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
    /// Engine problem (partials, Spark Connect).
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
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
    /// Direct-identifier columns of a table (e-mails, phones, names, logins, account ids, free text); exit 1 when one is flagged.
    Identifiers(identifiers::IdentifiersArgs),
    /// Link release rows back to originals: Fellegi-Sunter with blocking, or the QI join (--qi).
    Link(link::LinkArgs),
    /// Authorship attribution (Delta family, nearest centroid, kNN): train/test or cross-validation, or the audit's original/release attack (--original --release; --max-accuracy decides the `authorship` claim).
    Stylometry(stylometry::StylometryArgs),
    /// Pairwise authorship verification in the PAN 2020/2021 format (pairs.jsonl, truth.jsonl, answers.jsonl): fit on --train, answer --test, print the PAN measures; or score answers (--score --truth).
    Verify(verify::VerifyArgs),
    /// Joint pseudonym attack: all signals fused into one assignment of release pseudonyms to people, with abstention (decides the `pseudonym_linkage` claim with --max-rate).
    Pseudonyms(pseudonyms::PseudonymsArgs),
    /// Anonymeter-style risks: singling out, linkability, attribute inference.
    Risk(risk::RiskArgs),
    /// Trace unicity of event data and linkage of pseudonymized traces.
    Unicity(unicity::UnicityArgs),
    /// Build ARX generalization hierarchies from the data: intervals, masks, dates, or the release's labels.
    Hierarchy(hierarchy::HierarchyArgs),
    /// Read a Jira export (CSV, REST JSON), a Confluence space export (HTML, XML) or an audit log into reident's tables.
    Import(import::ImportArgs),
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
        Command::Identifiers(args) => identifiers::run(&args, out),
        Command::Link(args) => link::run(&args, out),
        Command::Stylometry(args) => stylometry::run(&args, out),
        Command::Verify(args) => verify::run(&args, out),
        Command::Pseudonyms(args) => pseudonyms::run(&args, out),
        Command::Risk(args) => risk::run(&args, out),
        Command::Unicity(args) => unicity::run(&args, out),
        Command::Hierarchy(args) => hierarchy::run(&args, out),
        Command::Import(args) => import::run(&args, out),
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
