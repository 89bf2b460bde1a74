//! `reident redact`: redact identifiers in text columns of a CSV, NDJSON or
//! Parquet file and write the result in the same format. Also holds the table
//! reading/writing shared with `reident pseudonymize`.
//!
//! The name dictionary is guarded: entries that are stop words, common English
//! words or code tokens (a display name "Tom and Jerry" split into parts gives
//! `and`) are not redacted as names
//! ([`NameDictionary::guard_common_words`]); they still name their person in
//! mentions (`[~and]`). The run reports on standard error how often each
//! dictionary entry fired and which entries were set aside, and with
//! `--report FILE.json` writes the full [`RedactionReport`] (entries masked
//! unless `--include-examples`).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::{output, CliError, Outcome};
use crate::anonymize::text::{
    self, EntityKind, NameDictionary, Numbering, RedactionConfig, RedactionReport, Redactor,
};
use crate::data::ReadOptions;

/// Arguments of `reident redact`.
#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    /// Input table (.csv, .ndjson/.jsonl or .parquet).
    #[arg(long)]
    pub input: PathBuf,
    /// Output table (same formats; chosen by extension). Never an input; an
    /// existing file is replaced only with --force.
    #[arg(long)]
    pub output: PathBuf,
    /// Replace `--output` if it already exists.
    #[arg(long)]
    pub force: bool,
    /// Text columns to redact (comma-separated).
    #[arg(long, value_delimiter = ',', required = true)]
    pub columns: Vec<String>,
    /// Columns whose values are known names or logins (identifier and author columns).
    #[arg(long, value_delimiter = ',')]
    pub names_from: Vec<String>,
    /// A users table whose `--user-columns` values are added to the name dictionary.
    #[arg(long)]
    pub users: Option<PathBuf>,
    /// Columns of `--users` holding logins and names; the first is the entity key.
    #[arg(long, value_delimiter = ',', default_value = "login,display_name")]
    pub user_columns: Vec<String>,
    /// Also match single parts (first or last name, >= 3 characters) of dictionary names.
    #[arg(long)]
    pub name_parts: bool,
    /// Placeholder style.
    #[arg(long, value_enum, default_value_t = super::choices::PlaceholderStyleArg::Typed)]
    pub style: super::choices::PlaceholderStyleArg,
    /// Kinds to redact (person,email,url,ip,host,issue_key,phone); default all.
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    /// Write a JSON report: replacements per kind, how often each dictionary entry
    /// fired, the entries skipped as ordinary words (masked unless --include-examples).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Show dictionary entries and entities unmasked in the summary and the report.
    #[arg(long)]
    pub include_examples: bool,
}

/// The table format of `path`'s extension, or a usage error naming it.
fn table_format(path: &Path) -> Result<&'static str, CliError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Ok("csv"),
        "ndjson" | "jsonl" | "json" => Ok("ndjson"),
        "parquet" => Ok("parquet"),
        _ => Err(CliError::Usage(format!(
            "{}: unknown table format `.{ext}`; use .csv, .ndjson, .jsonl or .parquet",
            path.display()
        ))),
    }
}

/// Reads a CSV (every column as text; gzip allowed), NDJSON or Parquet file
/// by extension.
///
/// CSV goes through [`crate::data::read_frame`]; NDJSON and Parquet are
/// first checked by [`crate::data::check_file`] (resource limits,
/// line-numbered errors) and then read by polars, which keeps their types.
pub fn read_table(path: &Path) -> Result<DataFrame, CliError> {
    let name = path.display().to_string();
    let data_format = crate::data::detect_format(path)?;
    let opts = ReadOptions::default().with_format(data_format);
    if data_format == crate::data::Format::Csv {
        return Ok(crate::data::read_frame(path, &opts)?);
    }
    let format = table_format(path)?;
    crate::data::check_file(path, &opts)?;
    let file = File::open(path).map_err(|source| {
        CliError::Data(crate::data::DataError::Io {
            path: name.clone(),
            source,
        })
    })?;
    let frame = crate::data::read::without_panics(&name, || {
        let result = if format == "parquet" {
            ParquetReader::new(file).finish()
        } else {
            JsonReader::new(file)
                .with_json_format(JsonFormat::JsonLines)
                .finish()
        };
        result.map_err(|e| crate::data::DataError::Parse {
            source_name: name.clone(),
            message: format!("cannot parse as {format}: {e}"),
        })
    })?;
    Ok(frame)
}

/// Writes `df` to `path` in the format of its extension, atomically (the
/// output rule of [`crate::report::write`]; the caller has checked that
/// `path` is no input and may be replaced).
pub fn write_table(path: &Path, df: &mut DataFrame) -> Result<(), CliError> {
    let format = table_format(path)?;
    output::write_file(path, |w| {
        let result = match format {
            "csv" => CsvWriter::new(w).finish(df),
            "parquet" => ParquetWriter::new(w).finish(df).map(|_| ()),
            _ => JsonWriter::new(w)
                .with_json_format(JsonFormat::JsonLines)
                .finish(df),
        };
        result.map_err(|e| std::io::Error::other(e.to_string()))
    })
}

/// Runs `reident redact`.
pub fn run(args: &RedactArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let mut inputs = vec![args.input.clone()];
    inputs.extend(args.users.clone());
    output::check_file(&args.output, &inputs, args.force)?;
    if let Some(report) = &args.report {
        // The redaction report follows the same rule as the output table.
        output::check_file(report, &inputs, args.force)?;
        if report == &args.output {
            return Err(CliError::Usage(format!(
                "--report {} is the same path as --output; give the report its own file",
                report.display()
            )));
        }
    }
    let source = args.input.display().to_string();
    let mut df = read_table(&args.input)?;
    let mut dictionary = NameDictionary::new();
    text::dictionary_from_columns(
        &mut dictionary,
        &df,
        &args.names_from,
        args.name_parts,
        &source,
    )?;
    if let Some(users_path) = &args.users {
        let users = read_table(users_path)?;
        let users_source = users_path.display().to_string();
        let key_col = args
            .user_columns
            .first()
            .ok_or_else(|| CliError::Usage("--user-columns needs at least one column".into()))?;
        let keys = text::text_column(&users, key_col, &users_source)?;
        for c in &args.user_columns {
            let values = text::text_column(&users, c, &users_source)?;
            for (k, v) in keys.iter().zip(values) {
                if let (Some(k), Some(v)) = (k, v) {
                    dictionary.add(&v, k);
                    if args.name_parts {
                        for part in v.split_whitespace().filter(|p| p.chars().count() >= 3) {
                            dictionary.add(part, k);
                        }
                    }
                }
            }
        }
    }
    let skipped = dictionary.guard_common_words();
    let kinds = if args.kinds.is_empty() {
        EntityKind::ALL.to_vec()
    } else {
        args.kinds
            .iter()
            .map(|k| EntityKind::parse(k))
            .collect::<Result<Vec<_>, _>>()?
    };
    let redactor = Redactor::new(
        &dictionary,
        &RedactionConfig {
            kinds,
            style: args.style.into(),
            case_insensitive_names: false,
        },
    )?;
    let mut numbering = Numbering::new();
    let stats =
        text::redact_frame_counted(&mut df, &args.columns, &redactor, &mut numbering, &source)?;
    write_table(&args.output, &mut df)?;
    let report = RedactionReport::new(&stats, &skipped, dictionary.len(), args.include_examples);
    eprint!("{}", summary(&report));
    if let Some(path) = &args.report {
        output::emit(&output::to_json(&report)?, Some(path), out)?;
    }
    writeln!(
        out,
        "redacted {} column(s) of {} rows with a dictionary of {} names ({} skipped as ordinary words); wrote {}",
        args.columns.len(),
        df.height(),
        dictionary.len(),
        skipped.len(),
        args.output.display()
    )
    .map_err(|source| CliError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(Outcome::Success)
}

/// Entries listed on standard error (the report has all of them).
const SUMMARY_ENTRIES: usize = 20;

/// The standard-error summary: replacements per kind, the most frequent
/// dictionary entries and the entries skipped by the guard.
pub fn summary(report: &RedactionReport) -> String {
    let mut s = String::new();
    let kinds: Vec<String> = report
        .spans
        .iter()
        .map(|(k, n)| format!("{} {n}", k.label().to_ascii_lowercase()))
        .collect();
    s.push_str(&format!(
        "redact: {} of {} texts changed; replacements: {}\n",
        report.texts_changed,
        report.texts,
        if kinds.is_empty() {
            "none".to_string()
        } else {
            kinds.join(", ")
        }
    ));
    s.push_str(&format!(
        "redact: {} dictionary entries fired {} times",
        report.fired.len(),
        report.dictionary_hits
    ));
    if !report.fired.is_empty() {
        let top: Vec<String> = report
            .fired
            .iter()
            .take(SUMMARY_ENTRIES)
            .map(|f| format!("{} ({})", f.entry, f.count))
            .collect();
        s.push_str(&format!(
            "; most frequent: {}{}",
            top.join(", "),
            if report.fired.len() > SUMMARY_ENTRIES {
                ", ..."
            } else {
                ""
            }
        ));
    }
    s.push('\n');
    if !report.skipped.is_empty() {
        let listed: Vec<String> = report
            .skipped
            .iter()
            .take(SUMMARY_ENTRIES)
            .map(|e| format!("{} ({})", e.entry, e.reason.label()))
            .collect();
        s.push_str(&format!(
            "redact: {} dictionary entries skipped as ordinary words (not redacted as names; mentions still are): {}{}\n",
            report.skipped.len(),
            listed.join(", "),
            if report.skipped.len() > SUMMARY_ENTRIES {
                ", ..."
            } else {
                ""
            }
        ));
    }
    if !report.examples_included {
        s.push_str("redact: entries masked; --include-examples shows them\n");
    }
    s
}
