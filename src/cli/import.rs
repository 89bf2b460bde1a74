//! `reident import`: read an export as a team has it (Jira issue navigator
//! CSV, Jira REST search JSON, Atlassian audit logs, Confluence space
//! exports, git repositories; see
//! [`crate::data::sources`]) and write the normalized tables reident reads
//! (`issues.ndjson`, `pages.ndjson`, `comments.ndjson`, `events.ndjson`,
//! `commits.ndjson`, `users.ndjson`)
//! into a folder, for inspection or for an audit config.

use std::io::Write;
use std::path::PathBuf;

use super::{CliError, Outcome};
use crate::data::sources::{import_with_progress, SourceFormat};

/// Arguments of `reident import`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Formats: jira-csv (issue navigator \"Export Excel CSV (all fields)\"), jira-json (pages of /rest/api/2|3/search),\n\
         atlassian-audit-log (organization, Jira or Confluence audit log pages from their REST APIs),\n\
         confluence-html (a space's HTML export zip), confluence-xml (a space's XML export zip, or its entities.xml),\n\
         git (a folder: a clone's work tree or a bare repository; the commits reachable from HEAD).\n\
The format is detected from the content when --format is not given (a folder holding .git, or a bare repository, is git)."
)]
pub struct ImportArgs {
    /// The export file (optionally gzipped), or a git repository's folder.
    pub input: PathBuf,
    /// The export's format; detected from the content when left out.
    #[arg(long)]
    pub format: Option<String>,
    /// Folder to write the tables into (created if needed).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace existing files in --out.
    #[arg(long)]
    pub force: bool,
}

/// Runs `reident import`.
pub fn run(args: &ImportArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let format = args
        .format
        .as_deref()
        .map(SourceFormat::parse)
        .transpose()?;
    let spinner = super::progress::spinner("reading");
    let imported = import_with_progress(&args.input, format, &|n| {
        spinner.set_message(format!("{n} commits"));
    });
    spinner.finish_and_clear();
    let imported = imported?;
    let targets: Vec<(PathBuf, &crate::data::sources::SourceTable)> = imported
        .tables
        .iter()
        .map(|(name, table)| (args.out.join(format!("{name}.ndjson")), table))
        .collect();
    for (path, _) in &targets {
        super::output::check_file(path, &[&args.input], args.force)?;
    }
    std::fs::create_dir_all(&args.out).map_err(|source| CliError::Write {
        path: args.out.display().to_string(),
        source,
    })?;
    let mut summary = format!("{} read as {}:\n", imported.source, imported.format.name());
    for (path, table) in targets {
        super::output::write_file(&path, |w| w.write_all(table.to_ndjson().as_bytes()))?;
        let roles = imported
            .corpora
            .get(path.file_stem().and_then(|s| s.to_str()).unwrap_or(""))
            .map_or(String::new(), |r| {
                format!(
                    " (id {}, text {}, author {}, time {})",
                    r.id,
                    r.text.join("+"),
                    r.author,
                    r.time
                )
            });
        summary.push_str(&format!(
            "  {}: {} rows, {} columns{roles}\n",
            path.display(),
            table.n_rows(),
            table.columns.len()
        ));
    }
    super::output::print(out, &summary)?;
    Ok(Outcome::Success)
}
