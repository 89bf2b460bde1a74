//! `reident text`: text leakage attacks of a release against its originals —
//! document linkage (MinHash-LSH + Jaccard/TF-IDF cosine), the identifier leak
//! scan, redaction recovery and the unsalted-hash dictionary attack — written
//! as one JSON report. Exit code 1 when an identifier survives, a hash is
//! reversed or the placeholders are consistent across documents. Logins and
//! name parts that are ordinary words (or common in the originals' text)
//! survive only in identifier context (`[~link]`, `@link`, `Thanks link!`);
//! their other occurrences are reported under `ambiguous_not_counted`.
//!
//! With `--embedding-model DIR` the semantic document linkage (sentence
//! embeddings, `crate::audit::semantic`) runs too and the report gains a
//! `semantic_linkage` object: the semantic, MinHash and combined counts.

use std::io::Write;
use std::path::PathBuf;

use polars::prelude::DataFrame;

use super::{CliError, Outcome};
use crate::attacks::text::{
    audit_text, Corpus, IdentifierSet, LinkageConfig, ShingleConfig, Stage, TextAuditConfig,
    TruthKey,
};
use crate::data::{read_frame, ReadOptions};

/// Arguments of `reident text`.
#[derive(Debug, clap::Args)]
pub struct TextArgs {
    /// Original documents (.csv, .ndjson/.jsonl, .parquet; .gz accepted).
    #[arg(long)]
    pub original: PathBuf,
    /// Release documents (same formats).
    #[arg(long)]
    pub release: PathBuf,
    /// Truth key: a table mapping release document ids to original document ids.
    #[arg(long, conflicts_with = "same_ids")]
    pub truth: Option<PathBuf>,
    /// Columns of --truth: release id, original id.
    #[arg(long, value_delimiter = ',', default_value = "release_id,original_id")]
    pub truth_columns: Vec<String>,
    /// The release keeps each document's original id (the truth key is the identity).
    #[arg(long)]
    pub same_ids: bool,
    /// Column holding the text (in both files).
    #[arg(long)]
    pub text_column: String,
    /// Column holding the document id (in both files).
    #[arg(long)]
    pub id_column: String,
    /// Identifier and author columns of the originals (logins, names, e-mails); where
    /// the release has them too they are scanned for hashes.
    #[arg(long, value_delimiter = ',')]
    pub identifier_columns: Vec<String>,
    /// A users table of the originals adding logins, display names and e-mails.
    #[arg(long)]
    pub users: Option<PathBuf>,
    /// Columns of --users; the first is the login (the entity key).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "login,display_name,email"
    )]
    pub user_columns: Vec<String>,
    /// Do not add single parts (>= 3 characters) of multi-word names.
    #[arg(long)]
    pub no_name_parts: bool,
    /// Further release columns to scan for hex hashes.
    #[arg(long, value_delimiter = ',')]
    pub hash_columns: Vec<String>,
    /// Shingle unit.
    #[arg(long, value_enum, default_value_t = super::choices::ShingleUnitArg::Word)]
    pub shingle: super::choices::ShingleUnitArg,
    /// Units per shingle (at least 1).
    #[arg(long, default_value_t = 3, value_parser = super::parse::at_least_one)]
    pub k: usize,
    /// LSH bands (at least 1).
    #[arg(long, default_value_t = 32, value_parser = super::parse::at_least_one)]
    pub bands: usize,
    /// LSH rows per band (at least 1).
    #[arg(long, default_value_t = 4, value_parser = super::parse::at_least_one)]
    pub rows: usize,
    /// Seed of the MinHash family.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Verification similarity of LSH candidates.
    #[arg(long, value_enum, default_value_t = super::choices::VerificationArg::Jaccard)]
    pub verify: super::choices::VerificationArg,
    /// Minimum verified similarity for a link, in [0, 1].
    #[arg(long, default_value_t = 0.5, value_parser = super::parse::probability)]
    pub threshold: f64,
    /// Print identifiers in full in examples (default: masked, e.g. `j***@e******.com`).
    #[arg(long)]
    pub show_identifiers: bool,
    /// Examples kept per kind.
    #[arg(long, default_value_t = 5)]
    pub max_examples: usize,
    /// Write the JSON report here instead of standard output. Never an input;
    /// an existing file is replaced only with --force.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Replace `--output` if it already exists.
    #[arg(long)]
    pub force: bool,
    /// Check "at most R of the release documents can be linked to their
    /// original", R in [0, 1), with the audit's rule (Wilson interval at 95%,
    /// coverage guard): exit 1 when the interval lies above R, 3 when it
    /// straddles R or too few release documents name an original.
    #[arg(long, value_name = "R", value_parser = super::parse::max_rate)]
    pub max_linkage_rate: Option<f64>,
    /// A sentence-transformers BERT model folder (scripts/fetch-embedding-model.sh
    /// installs all-MiniLM-L6-v2): also run semantic (paraphrase-robust)
    /// document linkage and report it beside MinHash.
    #[arg(long, value_name = "DIR")]
    pub embedding_model: Option<PathBuf>,
}

fn column(df: &DataFrame, name: &str, source: &str) -> Result<Vec<Option<String>>, CliError> {
    let col = df.column(name).map_err(|_| {
        CliError::Data(crate::data::DataError::MissingColumn {
            source_name: source.to_string(),
            column: name.to_string(),
            available: df
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .collect(),
        })
    })?;
    let strs = col.str().map_err(|e| {
        CliError::Usage(format!(
            "{source}: column `{name}` cannot be read as text: {e}"
        ))
    })?;
    Ok(strs.iter().map(|v| v.map(str::to_string)).collect())
}

fn corpus(df: &DataFrame, args: &TextArgs, source: &str) -> Result<Corpus, CliError> {
    let ids = column(df, &args.id_column, source)?;
    let texts = column(df, &args.text_column, source)?;
    Ok(Corpus::new(source, ids, texts)?)
}

/// Runs `reident text`.
pub fn run(args: &TextArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    crate::data::ensure_distinct_inputs("release", &args.release, "original", &args.original)?;
    if let Some(dir) = &args.embedding_model {
        crate::audit::semantic::check_model_dir(dir)?;
    }
    if let Some(path) = &args.output {
        let inputs: Vec<&PathBuf> = [&args.original, &args.release]
            .into_iter()
            .chain(args.truth.as_ref())
            .chain(args.users.as_ref())
            .collect();
        super::output::check_file(path, &inputs, args.force)?;
    }
    let opts = ReadOptions::default();
    let o_source = args.original.display().to_string();
    let r_source = args.release.display().to_string();
    let original_df = read_frame(&args.original, &opts)?;
    let release_df = read_frame(&args.release, &opts)?;
    let original = corpus(&original_df, args, &o_source)?;
    let release = corpus(&release_df, args, &r_source)?;

    let truth = if args.same_ids {
        Some(TruthKey::same_ids(&release, &original)?)
    } else if let Some(path) = &args.truth {
        let [r_col, o_col] = args.truth_columns.as_slice() else {
            return Err(CliError::Usage(format!(
                "--truth-columns needs two columns (release id, original id), got {}",
                args.truth_columns.len()
            )));
        };
        let t_source = path.display().to_string();
        let df = read_frame(path, &opts)?;
        let r = column(&df, r_col, &t_source)?;
        let o = column(&df, o_col, &t_source)?;
        let pairs: Vec<(String, String)> = r
            .into_iter()
            .zip(o)
            .filter_map(|(r, o)| Some((r?, o?)))
            .collect();
        Some(TruthKey::from_pairs(&release, &original, &pairs)?)
    } else {
        None
    };

    let name_parts = !args.no_name_parts;
    let mut identifiers = IdentifierSet::new();
    if let Some(path) = &args.users {
        let u_source = path.display().to_string();
        let users = read_frame(path, &opts)?;
        let cols = args
            .user_columns
            .iter()
            .map(|c| column(&users, c, &u_source))
            .collect::<Result<Vec<_>, _>>()?;
        let Some((logins, others)) = cols.split_first() else {
            return Err(CliError::Usage(
                "--user-columns needs at least the login column".into(),
            ));
        };
        for (row, login) in logins.iter().enumerate() {
            if let Some(login) = login {
                let values: Vec<&str> = others.iter().filter_map(|c| c[row].as_deref()).collect();
                identifiers.add_person(login, &values, name_parts);
            }
        }
    }
    for c in &args.identifier_columns {
        for v in column(&original_df, c, &o_source)?.into_iter().flatten() {
            identifiers.add_column_value(&v, name_parts);
        }
    }
    identifiers.add_from_texts(&original.texts)?;

    let mut hash_columns: Vec<(String, Vec<Option<String>>)> = Vec::new();
    let release_names: Vec<String> = release_df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    for c in &args.identifier_columns {
        if release_names.contains(c) && c != &args.text_column {
            hash_columns.push((c.clone(), column(&release_df, c, &r_source)?));
        }
    }
    for c in &args.hash_columns {
        if !hash_columns.iter().any(|(n, _)| n == c) {
            hash_columns.push((c.clone(), column(&release_df, c, &r_source)?));
        }
    }

    let config = TextAuditConfig {
        linkage: LinkageConfig {
            shingle: ShingleConfig {
                unit: args.shingle.into(),
                k: args.k,
                lowercase: true,
            },
            bands: args.bands,
            rows: args.rows,
            seed: args.seed,
            verification: args.verify.into(),
            threshold: args.threshold,
        },
        show_identifiers: args.show_identifiers,
        max_examples: args.max_examples,
    };
    let bar = super::progress::bar(4, "text attacks");
    let mut on_stage = |stage: Stage| {
        bar.set_message(match stage {
            Stage::Linkage => "document linkage",
            Stage::LeakScan => "identifier leak scan",
            Stage::Recovery => "redaction recovery",
            Stage::HashAttack => "hash dictionary attack",
        });
        bar.inc(1);
    };
    let raw = audit_text(
        &original,
        &release,
        truth.as_ref(),
        &identifiers,
        &hash_columns,
        &config,
        &mut on_stage,
    )?;
    bar.finish_and_clear();

    let semantic = match &args.embedding_model {
        None => None,
        Some(dir) => {
            let bar = super::progress::bar(1, "semantic linkage");
            let s = crate::audit::semantic::semantic_linkage(
                dir,
                &original,
                &release,
                truth.as_ref(),
                &raw.linkage,
                &crate::attacks::text::semantic::SemanticConfig::default(),
                0.95,
            )?;
            bar.finish_and_clear();
            Some(s)
        }
    };
    let report = crate::eval::document_linkage::score_text_report(raw)?;
    let json = match &semantic {
        None => super::output::to_json(&report)?,
        Some(s) => {
            let mut value = serde_json::to_value(&report)
                .map_err(|e| CliError::Usage(format!("cannot serialise the report: {e}")))?;
            if let serde_json::Value::Object(map) = &mut value {
                map.insert(
                    "semantic_linkage".into(),
                    serde_json::to_value(s).map_err(|e| {
                        CliError::Usage(format!("cannot serialise the report: {e}"))
                    })?,
                );
            }
            super::output::to_json(&value)?
        }
    };
    super::output::emit(&json, args.output.as_deref(), out)?;
    let leaked = report.leak_scan.n_surviving > 0
        || report.hash_attack.recovered > 0
        || report.recovery.consistency.consistent;
    let linkage = match args.max_linkage_rate {
        None => Outcome::Success,
        Some(max_rate) => {
            let claim = crate::audit::claims::document_linkage::DocumentLinkage {
                corpus: args.release.display().to_string(),
                max_rate,
            };
            let evidence = semantic.as_ref().map(|s| {
                crate::audit::claims::document_linkage::SemanticEvidence {
                    model: s.model.clone(),
                    combined: s.scores.combined.counts,
                }
            });
            Outcome::of_claims(&[claim.verdict_with(&report, evidence.as_ref(), 0.95)?])
        }
    };
    Ok(if leaked { Outcome::Refuted } else { linkage })
}
