//! `reident pseudonyms`: the joint pseudonym attack on an original corpus
//! and its pseudonymized release, as the audit runs it on a `[[corpus]]`
//! with a `[corpus.pseudonym_linkage]` section (the same library function,
//! [`crate::audit::run_pseudonym_linkage`]); prints the scores
//! as JSON and, with `--max-rate`, decides the `pseudonym_linkage` claim
//! with the audit's rule.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{CliError, Outcome};
use crate::attacks::pseudonym_linkage::SignalKind;
use crate::audit::claims::pseudonym_linkage::PseudonymLinkage;
use crate::audit::config::CorpusConfig;
use crate::audit::run_pseudonym_linkage;

/// Arguments of `reident pseudonyms`.
#[derive(Debug, Args)]
#[command(
    about = "Joint pseudonym attack: fuse identifier/hash joins, document linkage, rare tokens, stylometry, activity and a QI join with a release users table into one assignment of pseudonyms to people",
    after_help = "Example:\n  reident pseudonyms --original datasets/atlassian_demo/original/commits.ndjson.gz \\\n      --release datasets/atlassian_demo/release/commits.ndjson.gz --text message --id commit_hash \\\n      --author author --timestamp timestamp --group repo --identifier-columns author_email \\\n      --users datasets/atlassian_demo/original/users.ndjson.gz"
)]
pub struct PseudonymsArgs {
    /// The original documents (author = the person's login).
    #[arg(long, value_name = "FILE")]
    pub original: PathBuf,
    /// The release (author = a stable pseudonym; document ids kept).
    #[arg(long, value_name = "FILE")]
    pub release: PathBuf,
    /// Text column(s), comma separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub text: Vec<String>,
    /// Document id column (the truth key: a release id names its original).
    #[arg(long)]
    pub id: String,
    /// Author column (login in the originals, pseudonym in the release).
    #[arg(long, default_value = "author")]
    pub author: String,
    /// Timestamp column (activity signals).
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Project / space / repository column (project-mix signal).
    #[arg(long)]
    pub group: Option<String>,
    /// Cut group values at their first `-` (issue key -> project).
    #[arg(long)]
    pub group_prefix: bool,
    /// Identifier columns (e.g. author_email) joined, also as unsalted hashes.
    #[arg(long, value_delimiter = ',')]
    pub identifier_columns: Vec<String>,
    /// A users table of the originals (login first, then names, e-mails).
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Columns of --users; the first is the login.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "login,display_name,email"
    )]
    pub user_columns: Vec<String>,
    /// A release users table keyed by the pseudonym, with (generalized)
    /// quasi-identifiers: QI-joined with --users (the QI-join signal).
    #[arg(long, value_name = "FILE", requires = "qi")]
    pub qi_users: Option<PathBuf>,
    /// Pseudonym column of --qi-users.
    #[arg(long, default_value = "user")]
    pub qi_users_key: String,
    /// Login column of --users for the QI join.
    #[arg(long, default_value = "login")]
    pub qi_original_key: String,
    /// Quasi-identifiers of --qi-users (release column names), comma separated.
    #[arg(long, value_delimiter = ',')]
    pub qi: Vec<String>,
    /// Original column names of QIs whose names differ: RELEASE=ORIGINAL,...
    #[arg(long, value_delimiter = ',', value_name = "RELEASE=ORIGINAL")]
    pub qi_original_columns: Vec<String>,
    /// ARX hierarchies of QIs: COLUMN=FILE,...
    #[arg(long, value_delimiter = ',', value_name = "COLUMN=FILE")]
    pub qi_hierarchies: Vec<String>,
    /// Share of each author's originals the attacker knows, in (0, 1).
    #[arg(long, default_value_t = 0.5, value_parser = super::parse::probability)]
    pub known_share: f64,
    /// Authors with fewer original documents are not candidates.
    #[arg(long, default_value_t = 4)]
    pub min_documents: usize,
    /// Signals to run, comma separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub signals: Vec<String>,
    /// Documents per pseudonym of the pooling curve.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8,16")]
    pub pooling_sizes: Vec<usize>,
    /// Seed (the audit's `seed`).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Precision at which pseudonyms count as named.
    #[arg(long, default_value_t = 0.95, value_parser = super::parse::probability)]
    pub precision: f64,
    /// Check "at most R of the pseudonyms can be named at --precision" with
    /// the audit's rule (Wilson interval at 95%): exit 1 when refuted, 3
    /// when inconclusive.
    #[arg(long, value_name = "R", value_parser = super::parse::max_rate)]
    pub max_rate: Option<f64>,
}

impl PseudonymsArgs {
    /// The `[[corpus]]` these flags describe (through the config's own
    /// deserializer, so defaults are the audit's).
    pub fn corpus_config(&self) -> Result<CorpusConfig, CliError> {
        let signals = if self.signals.is_empty() {
            None
        } else {
            Some(
                self.signals
                    .iter()
                    .map(|s| {
                        serde_json::from_value::<SignalKind>(serde_json::Value::String(s.clone()))
                            .map_err(|_| {
                                CliError::Usage(format!(
                                    "--signals: unknown signal `{s}`; give any of {}",
                                    crate::attacks::pseudonym_linkage::SIGNALS
                                        .iter()
                                        .map(|x| x.name)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ))
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        let pairs = |flag: &str,
                     items: &[String]|
         -> Result<serde_json::Map<String, serde_json::Value>, CliError> {
            items
                .iter()
                .map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| {
                            (
                                k.trim().to_string(),
                                serde_json::Value::String(v.trim().to_string()),
                            )
                        })
                        .ok_or_else(|| CliError::Usage(format!("{flag}: `{kv}` is not NAME=VALUE")))
                })
                .collect()
        };
        let qi_join = match &self.qi_users {
            None => serde_json::Value::Null,
            Some(path) => serde_json::json!({
                "release": path,
                "original": self.users,
                "release_key": self.qi_users_key,
                "original_key": self.qi_original_key,
                "quasi_identifiers": self.qi,
                "original_columns": pairs("--qi-original-columns", &self.qi_original_columns)?,
                "hierarchies": pairs("--qi-hierarchies", &self.qi_hierarchies)?,
            }),
        };
        if qi_join.get("original").is_some_and(|o| o.is_null()) {
            return Err(CliError::Usage(
                "--qi-users needs --users (the original users table it is joined with)".into(),
            ));
        }
        let value = serde_json::json!({
            "name": "cli",
            "original": self.original,
            "release": self.release,
            "text": self.text,
            "id": self.id,
            "author": self.author,
            "identifier_columns": self.identifier_columns,
            "users": self.users,
            "user_columns": self.user_columns,
            "pseudonym_linkage": {
                "timestamp": self.timestamp,
                "group": self.group,
                "group_prefix": self.group_prefix,
                "known_share": self.known_share,
                "min_documents": self.min_documents,
                "signals": signals,
                "pooling_sizes": self.pooling_sizes,
                "qi_join": qi_join,
            },
        });
        serde_json::from_value(value)
            .map_err(|e| CliError::Usage(format!("invalid arguments: {e}")))
    }
}

/// Runs `reident pseudonyms`.
pub fn run(args: &PseudonymsArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    crate::data::ensure_distinct_inputs("release", &args.release, "original", &args.original)?;
    let c = args.corpus_config()?;
    let run = run_pseudonym_linkage(&c, args.seed, args.precision, 0.95)?;
    super::output::print_json(out, &run)?;
    let Some(max_rate) = args.max_rate else {
        return Ok(Outcome::Success);
    };
    let claim = PseudonymLinkage {
        corpus: "cli".into(),
        max_rate,
        precision: args.precision,
        min_pseudonyms: 10,
    };
    let v = claim.verdict(&run, 0.95)?;
    Ok(Outcome::of_claims(&[v]))
}
