//! `reident identifiers`: scan a table (CSV, NDJSON, Parquet; `.gz` accepted)
//! for direct-identifier columns without the originals: e-mails, phone
//! numbers, person names, logins, account ids and near-unique free text
//! ([`crate::privacy::direct_identifiers`]). Prints a table or JSON; exit code
//! 1 when a column is flagged.

use std::io::Write;
use std::path::PathBuf;

use super::{CliError, Outcome};
use crate::data::ReadOptions;
use crate::engine::scan_out_of_core::scan_identifiers_file;
use crate::engine::{Engine, MemoryBudget, OutOfCore};
use crate::privacy::direct_identifiers::{
    scan_file, DirectIdentifierConfig, DirectIdentifierError, DirectIdentifierScan,
};

/// Output format of `reident identifiers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IdentifiersFormat {
    /// One line per column.
    Text,
    /// The full result as JSON.
    Json,
}

/// Arguments of `reident identifiers`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 no column flagged, 1 at least one column holds direct identifiers, 2 error.\n\
                  Values are masked (j***@e******.com) unless --include-examples."
)]
pub struct IdentifiersArgs {
    /// The table to scan (.csv, .ndjson/.jsonl, .parquet; .gz accepted).
    #[arg(long)]
    pub data: PathBuf,
    /// Columns to scan (comma-separated; default all).
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = IdentifiersFormat::Text)]
    pub format: IdentifiersFormat,
    /// Show example values unmasked.
    #[arg(long)]
    pub include_examples: bool,
    /// Examples per column.
    #[arg(long, default_value_t = 3)]
    pub max_examples: usize,
    /// Write the output here instead of standard output; never one of the
    /// inputs, and an existing file is replaced only with --force.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Replace an existing --output file.
    #[arg(long)]
    pub force: bool,
    /// Read the table out of core under this memory budget (e.g. `4G`,
    /// `512M`): in chunks, never whole, the distinct values of each column
    /// counted exactly as 128-bit hashes spilled to hash partitions in a
    /// temporary folder when they exceed it. The result is the same as in
    /// memory.
    #[arg(long, value_name = "BUDGET")]
    pub memory: Option<String>,
    /// Where --memory creates its spill folder (default: the system's
    /// temporary folder); the folder is removed at the end.
    #[arg(long, value_name = "DIR", requires = "memory")]
    pub temp_dir: Option<PathBuf>,
    /// Where the table is scanned: `in-process` (default) or
    /// `spark://HOST:PORT` (a Spark Connect server; --data is then a table
    /// name or a Parquet path on the cluster; needs the `spark` feature).
    /// On Spark each column's distinct values come back with their counts,
    /// batch by batch, to the same classifier; the result is the same.
    #[arg(long, default_value = "in-process", value_name = "ENGINE")]
    pub engine: String,
}

fn text_view(scan: &DirectIdentifierScan) -> String {
    let mut s = format!(
        "{}: {} rows, {} columns, {} flagged as direct identifiers\n",
        scan.source,
        scan.rows,
        scan.columns.len(),
        scan.flagged.len()
    );
    for c in &scan.columns {
        let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.0}%", 100.0 * v));
        s.push_str(&format!(
            "{} {:<24} {:<12} shape {:>4}  distinct {:>4}  {}{}\n",
            if c.flagged { "FLAG" } else { "  ok" },
            c.column,
            c.category.map_or("-", |k| k.label()),
            pct(c.shape_share),
            pct(c.distinct_share),
            c.rule.as_deref().or(c.note.as_deref()).unwrap_or(""),
            if c.examples.is_empty() {
                String::new()
            } else {
                format!("  e.g. {}", c.examples.join(", "))
            }
        ));
    }
    if !scan.examples_included {
        s.push_str("(examples masked; --include-examples shows them)\n");
    }
    s
}

/// Runs `reident identifiers`.
pub fn run(args: &IdentifiersArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let config = DirectIdentifierConfig {
        include_examples: args.include_examples,
        max_examples: args.max_examples,
        columns: args.columns.clone(),
    };
    if let Some(path) = &args.output {
        super::output::check_file(path, &[&args.data], args.force)?;
    }
    let engine = Engine::parse(&args.engine)?;
    let scan = match (&engine, &args.memory) {
        (Engine::Spark(url), None) => {
            crate::engine::spark_scan_identifiers(url, &args.data.display().to_string(), &config)?
        }
        (Engine::Partials(_), _) | (Engine::Spark(_), Some(_)) => {
            return Err(CliError::Usage(format!(
                "--engine {}{}: the scan takes `in-process` (with or without --memory) or `spark://HOST:PORT` (without --memory: the client never holds the table)",
                args.engine,
                if args.memory.is_some() { " with --memory" } else { "" }
            )))
        }
        (Engine::InProcess, Some(budget)) => {
            let mut settings = OutOfCore::new(MemoryBudget::parse(budget)?);
            settings.temp_dir = args.temp_dir.clone();
            let (scan, _) =
                scan_identifiers_file(&args.data, &ReadOptions::default(), &config, &settings)?;
            scan
        }
        (Engine::InProcess, None) => scan_file(&args.data, &ReadOptions::default(), &config).map_err(|e| match e {
            DirectIdentifierError::Data(d) => CliError::Data(d),
            other => CliError::Usage(other.to_string()),
        })?,
    };
    let rendered = match args.format {
        IdentifiersFormat::Text => text_view(&scan),
        IdentifiersFormat::Json => super::output::to_json(&scan)?,
    };
    super::output::emit(&rendered, args.output.as_deref(), out)?;
    Ok(if scan.any_flagged() {
        Outcome::Refuted
    } else {
        Outcome::Success
    })
}
