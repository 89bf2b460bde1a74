//! `reident pseudonymize`: replace identifier columns of a table with
//! pseudonyms (sequential, keyed HMAC-SHA256, unsalted SHA-256) or remove them.

use std::io::Write;
use std::path::PathBuf;

use super::redact::{read_table, write_table};
use super::{output, CliError, Outcome};
use crate::anonymize::pseudonym::{pseudonymize_frame, PseudonymScheme, Pseudonymizer};

/// Pseudonym schemes on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemeArg {
    /// `user_0007` in order of first appearance.
    Sequential,
    /// Hex HMAC-SHA256 keyed with `--secret`.
    Hmac,
    /// Hex plain SHA-256 (weak, dictionary-attackable; for audits).
    Sha256,
    /// Remove the values.
    Remove,
}

/// Arguments of `reident pseudonymize`.
#[derive(Debug, clap::Args)]
pub struct PseudonymizeArgs {
    /// Input table (.csv, .ndjson/.jsonl or .parquet).
    #[arg(long)]
    pub input: PathBuf,
    /// Output table (format by extension). Never the input; an existing file
    /// is replaced only with --force.
    #[arg(long)]
    pub output: PathBuf,
    /// Replace `--output` if it already exists.
    #[arg(long)]
    pub force: bool,
    /// Identifier columns (comma-separated); one pseudonym per value across all of them.
    #[arg(long, value_delimiter = ',', required = true)]
    pub columns: Vec<String>,
    /// Scheme.
    #[arg(long, value_enum, default_value_t = SchemeArg::Sequential)]
    pub scheme: SchemeArg,
    /// Prefix of sequential pseudonyms.
    #[arg(long, default_value = "user_")]
    pub prefix: String,
    /// Zero-padded width of sequential numbers.
    #[arg(long, default_value_t = 4)]
    pub width: usize,
    /// HMAC secret (required for --scheme hmac; keep it out of the release).
    #[arg(long)]
    pub secret: Option<String>,
    /// Hex characters kept from the HMAC tag (1..=64).
    #[arg(long, default_value_t = 16, value_parser = super::parse::hex_len)]
    pub hex_len: usize,
}

/// Runs `reident pseudonymize`.
pub fn run(args: &PseudonymizeArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let scheme = match args.scheme {
        SchemeArg::Sequential => PseudonymScheme::Sequential {
            prefix: args.prefix.clone(),
            width: args.width,
        },
        SchemeArg::Hmac => PseudonymScheme::Hmac {
            secret: args
                .secret
                .as_ref()
                .ok_or_else(|| CliError::Usage("--scheme hmac needs --secret SECRET".into()))?
                .as_bytes()
                .to_vec(),
            hex_len: args.hex_len,
        },
        SchemeArg::Sha256 => PseudonymScheme::Sha256Unsalted,
        SchemeArg::Remove => PseudonymScheme::Remove,
    };
    output::check_file(&args.output, &[&args.input], args.force)?;
    let mut pseudonymizer = Pseudonymizer::new(scheme)?;
    let mut df = read_table(&args.input)?;
    pseudonymize_frame(
        &mut df,
        &args.columns,
        &mut pseudonymizer,
        &args.input.display().to_string(),
    )?;
    write_table(&args.output, &mut df)?;
    writeln!(
        out,
        "pseudonymized {} column(s) of {} rows ({} distinct values); wrote {}",
        args.columns.len(),
        df.height(),
        pseudonymizer.n_entities(),
        args.output.display()
    )
    .map_err(|source| CliError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(Outcome::Success)
}
