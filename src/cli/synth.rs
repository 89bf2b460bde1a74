//! `reident synth`: generate a seeded Atlassian-style corpus (or the bundled
//! demo corpus with its anonymized "vendor release"), as reident's own
//! tables (NDJSON/Parquet) or in a real export layout (`--format jira-csv`,
//! `confluence-html`, `git`; see [`crate::synth::export`]). The corpus is
//! generated in a staging folder beside `--out` and moved in only when
//! complete.

use std::io::Write;
use std::path::PathBuf;

use super::{output, CliError, Outcome};
use crate::synth::export::ExportFormat;
use crate::synth::{self, SynthConfig};

/// Arguments of `reident synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Output directory (created if missing). An existing directory that is
    /// not empty is written into only with --force, which replaces the
    /// corpus files in it.
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a non-empty `--out`, replacing the corpus files there.
    #[arg(long)]
    pub force: bool,
    /// Number of users (at least 1).
    #[arg(long, default_value_t = 200, value_parser = super::parse::at_least_one)]
    pub users: usize,
    /// Master seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Writing-style individuality in [0, 1]: 0 = everyone writes alike.
    #[arg(long, default_value_t = 0.8, value_parser = super::parse::probability)]
    pub style_strength: f64,
    /// Activity-rhythm individuality in [0, 1]: 0 = everyone works and uses products alike.
    #[arg(long, default_value_t = 0.8, value_parser = super::parse::probability)]
    pub habit_strength: f64,
    /// Multiplier on documents and events per user (about 29 documents per
    /// user at 1), finite and > 0.
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::positive)]
    pub activity: f64,
    /// Multiplier on identifier planting rates, finite and >= 0 (0 plants none).
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::non_negative)]
    pub plant_rate: f64,
    /// Output files: reident's tables (ndjson, parquet, both) or one export
    /// in a real layout: jira-csv (`jira-export.csv`), confluence-html
    /// (`confluence-export.zip`), git (a bare repository `repo.git/`).
    #[arg(long, value_enum, default_value_t = SynthFormatArg::Both)]
    pub format: SynthFormatArg,
    /// With an export --format: replace every login, display name and e-mail
    /// in the export's fields by `user_0001`-style pseudonyms, texts left as
    /// they are (a naive "pseudonymized release" for audits).
    #[arg(long)]
    pub pseudonymize: bool,
    /// Users generated per parallel chunk (bounds memory), at least 1.
    #[arg(long, default_value_t = 256, value_parser = super::parse::at_least_one)]
    pub chunk_users: usize,
    /// Write the bundled demo (originals + vendor release, fixed parameters; other
    /// generation options are ignored).
    #[arg(long)]
    pub demo: bool,
}

/// What `reident synth --format` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SynthFormatArg {
    /// Newline-delimited JSON tables only.
    Ndjson,
    /// Parquet tables only.
    Parquet,
    /// NDJSON and Parquet tables.
    Both,
    /// Jira issue navigator CSV export (issues and comments).
    JiraCsv,
    /// Confluence space HTML export zip (pages).
    ConfluenceHtml,
    /// A bare git repository (commits).
    Git,
}

impl SynthFormatArg {
    fn tables(self) -> Option<crate::synth::OutputFormat> {
        use crate::synth::OutputFormat;
        match self {
            SynthFormatArg::Ndjson => Some(OutputFormat::Ndjson),
            SynthFormatArg::Parquet => Some(OutputFormat::Parquet),
            SynthFormatArg::Both => Some(OutputFormat::Both),
            _ => None,
        }
    }

    fn export(self) -> Option<ExportFormat> {
        match self {
            SynthFormatArg::JiraCsv => Some(ExportFormat::JiraCsv),
            SynthFormatArg::ConfluenceHtml => Some(ExportFormat::ConfluenceHtml),
            SynthFormatArg::Git => Some(ExportFormat::Git),
            _ => None,
        }
    }
}

/// Runs `reident synth`.
pub fn run(args: &SynthArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let write_err = |source| CliError::Write {
        path: "stdout".into(),
        source,
    };
    if args.demo {
        let summary = output::fill_dir(&args.out, args.force, |dir| {
            Ok(synth::demo::write_demo(dir)?)
        })?;
        writeln!(
            out,
            "demo corpus in {}: {} users, {} documents, {} events, {} planted identifiers (originals in original/, release in release/)",
            args.out.display(),
            summary.users,
            summary.documents(),
            summary.events,
            summary.planted
        )
        .map_err(write_err)?;
        return Ok(Outcome::Success);
    }
    let config = SynthConfig {
        users: args.users,
        seed: args.seed,
        style_strength: args.style_strength,
        habit_strength: args.habit_strength,
        activity: args.activity,
        plant_rate: args.plant_rate,
        chunk_users: args.chunk_users,
        ..SynthConfig::default()
    };
    if args.pseudonymize && args.format.export().is_none() {
        return Err(CliError::Usage(
            "--pseudonymize goes with an export --format (jira-csv, confluence-html, git)".into(),
        ));
    }
    if let Some(export) = args.format.export() {
        let summary = output::fill_dir(&args.out, args.force, |dir| {
            Ok(synth::export::write_export(
                &config,
                dir,
                export,
                args.pseudonymize,
            )?)
        })?;
        let what = match export {
            ExportFormat::JiraCsv => {
                format!("{} issues, {} comments", summary.issues, summary.comments)
            }
            ExportFormat::ConfluenceHtml => format!("{} pages", summary.pages),
            ExportFormat::Git => format!("{} commits", summary.commits),
        };
        writeln!(
            out,
            "wrote {}: {what} of {} users{}",
            args.out.join(export.file_name()).display(),
            summary.users,
            if args.pseudonymize {
                " (people pseudonymized in the fields, texts unchanged)"
            } else {
                ""
            }
        )
        .map_err(write_err)?;
        return Ok(Outcome::Success);
    }
    let summary = output::fill_dir(&args.out, args.force, |dir| {
        let tables = args.format.tables().ok_or_else(|| {
            CliError::Usage(format!("--format {:?} writes no tables", args.format))
        })?;
        Ok(synth::generate(&config, dir, tables)?)
    })?;
    writeln!(
        out,
        "wrote {}: {} users, {} issues, {} comments, {} pages, {} commits ({} documents), {} events, {} planted identifiers",
        args.out.display(),
        summary.users,
        summary.issues,
        summary.comments,
        summary.pages,
        summary.commits,
        summary.documents(),
        summary.events,
        summary.planted
    )
    .map_err(write_err)?;
    Ok(Outcome::Success)
}
