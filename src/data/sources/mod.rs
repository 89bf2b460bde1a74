//! Readers for the exports teams actually have: Jira's issue-navigator CSV
//! and REST search JSON, turned into reident's own tables with their column
//! roles set (author, text, timestamp, identifiers).
//!
//! Each reader returns an [`ImportedSource`]: named [`SourceTable`]s (issues,
//! comments, users) whose columns are text, missing values `None`, dates as
//! ISO 8601 (`2026-04-12T15:30`), plus which column of each is the document
//! id, the text, the author and the time, so a `[[corpus]]` of the audit can
//! take the export as it is. The identifiers an export carries (account ids,
//! usernames, display names, `[~user]` and `[~accountid:...]` mentions) are
//! collected into the `users` table for the identifier scan.
//!
//! What it does not do: judge privacy, or guess. A cell that does not have
//! the shape the export format documents (a comment cell that is not
//! `date;author;body`, a date that is not one of Jira's formats) is an
//! error naming the file, the line, the issue and the column.
//!
//! Formats, with the public documentation they follow:
//! * [`jira_csv`]: "Export Excel CSV (all fields)" of the Jira issue
//!   navigator (Atlassian, "Export your issues"; the comment cell layout is
//!   the one the Jira CSV importer documents, "Importing data from CSV").
//! * [`jira_json`]: pages of `/rest/api/2/search` and `/rest/api/3/search`
//!   (Atlassian, "Jira Cloud platform REST API: Issue search"), v3 bodies in
//!   the Atlassian Document Format rendered to text.
//! * [`audit_log`]: the organization, Jira and Confluence audit logs from
//!   their REST APIs, as event traces (user, time, action, object).
//! * [`confluence`]: a space's HTML export and XML export (`entities.xml`),
//!   as pages, comments and users.
//! * [`git`]: a git repository (a Bitbucket clone or a bare repository), as
//!   commits (authors, committers, times, messages, touched paths) and users.
//! * [`jira_pipeline`]: the CSV files of Jira Data Center's Data pipeline
//!   export (issues, issue history, users; Atlassian, "Data pipeline export
//!   schema"), from the folder or one file.

pub mod audit_log;
pub mod confluence;
pub mod git;
pub mod html_text;
pub mod jira_csv;
pub mod jira_dates;
pub mod jira_json;
pub mod jira_pipeline;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use polars::prelude::{Column, DataFrame};

use super::DataError;

/// An export format reident reads directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    /// Jira issue navigator "Export Excel CSV (all fields)".
    JiraCsv,
    /// Pages of the Jira REST search API (v2 or v3).
    JiraJson,
    /// Organization, Jira or Confluence audit log pages (REST JSON).
    AtlassianAuditLog,
    /// A Confluence space's HTML export (zip of page files).
    ConfluenceHtml,
    /// A Confluence space's XML export (zip with `entities.xml`, or the file).
    ConfluenceXml,
    /// A git repository: a clone's work tree or a bare repository (a folder).
    Git,
    /// Jira Data Center's Data pipeline export (a folder of CSV files).
    JiraPipeline,
}

impl SourceFormat {
    /// Every format, for messages.
    pub const ALL: [SourceFormat; 7] = [
        SourceFormat::JiraCsv,
        SourceFormat::JiraJson,
        SourceFormat::AtlassianAuditLog,
        SourceFormat::ConfluenceHtml,
        SourceFormat::ConfluenceXml,
        SourceFormat::Git,
        SourceFormat::JiraPipeline,
    ];

    /// The name used by `--format` and the audit config's `format` key.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::JiraCsv => "jira-csv",
            SourceFormat::JiraJson => "jira-json",
            SourceFormat::AtlassianAuditLog => "atlassian-audit-log",
            SourceFormat::ConfluenceHtml => "confluence-html",
            SourceFormat::ConfluenceXml => "confluence-xml",
            SourceFormat::Git => "git",
            SourceFormat::JiraPipeline => "jira-pipeline",
        }
    }

    /// The document tables an export of this format holds.
    pub fn corpus_tables(self) -> &'static [&'static str] {
        match self {
            SourceFormat::JiraCsv | SourceFormat::JiraJson => &["issues", "comments"],
            SourceFormat::ConfluenceHtml => &["pages"],
            SourceFormat::ConfluenceXml => &["pages", "comments"],
            SourceFormat::Git => &["commits"],
            SourceFormat::AtlassianAuditLog => &[],
            SourceFormat::JiraPipeline => &["issues"],
        }
    }

    /// The document table a corpus takes when the config names none.
    pub fn default_corpus_table(self) -> &'static str {
        match self {
            SourceFormat::JiraCsv | SourceFormat::JiraJson => "comments",
            SourceFormat::ConfluenceHtml | SourceFormat::ConfluenceXml => "pages",
            SourceFormat::AtlassianAuditLog => "events",
            SourceFormat::Git => "commits",
            SourceFormat::JiraPipeline => "issues",
        }
    }

    /// The table of (user, timestamp, action, object) events an export of
    /// this format holds, for `[[traces]]`; `None` when it holds none.
    pub fn events_table(self) -> Option<&'static str> {
        match self {
            SourceFormat::AtlassianAuditLog => Some("events"),
            SourceFormat::JiraPipeline => Some("issue_history"),
            _ => None,
        }
    }

    /// Parses a format name.
    pub fn parse(name: &str) -> Result<Self, DataError> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == name.trim())
            .ok_or_else(|| {
                DataError::Invalid(format!(
                    "unknown export format `{name}`; the formats are: {}",
                    Self::ALL.map(|f| f.name()).join(", ")
                ))
            })
    }
}

/// One table of an import: columns of text, all of the same length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceTable {
    /// Column names in order.
    pub columns: Vec<String>,
    /// `cells[c][r]`: row `r` of column `c`.
    pub cells: Vec<Vec<Option<String>>>,
}

impl SourceTable {
    /// An empty table with these columns.
    pub fn with_columns<S: AsRef<str>>(columns: &[S]) -> Self {
        SourceTable {
            columns: columns.iter().map(|c| c.as_ref().to_string()).collect(),
            cells: vec![Vec::new(); columns.len()],
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.cells.first().map_or(0, Vec::len)
    }

    /// Appends a row given as (column, value) pairs; columns not named are
    /// missing, and a name not yet in the table adds a column.
    pub fn push(&mut self, row: Vec<(&str, Option<String>)>) {
        let n = self.n_rows();
        for (name, _) in &row {
            if !self.columns.iter().any(|c| c == name) {
                self.columns.push(name.to_string());
                self.cells.push(vec![None; n]);
            }
        }
        let mut row: BTreeMap<&str, Option<String>> = row.into_iter().collect();
        for (c, name) in self.columns.iter().enumerate() {
            self.cells[c].push(row.remove(name.as_str()).flatten());
        }
    }

    /// The values of column `name`, if present.
    pub fn column(&self, name: &str) -> Option<&[Option<String>]> {
        self.columns
            .iter()
            .position(|c| c == name)
            .map(|c| self.cells[c].as_slice())
    }

    /// The table as a polars frame of text columns (what [`super::read_frame`]
    /// gives for a file).
    pub fn to_frame(&self) -> Result<DataFrame, DataError> {
        let columns: Vec<Column> = self
            .columns
            .iter()
            .zip(&self.cells)
            .map(|(name, values)| Column::new(name.as_str().into(), values.clone()))
            .collect();
        DataFrame::new(self.n_rows(), columns)
            .map_err(|e| DataError::Invalid(format!("cannot build a table: {e}")))
    }

    /// The table as NDJSON, one object per row, missing values left out.
    pub fn to_ndjson(&self) -> String {
        let mut out = String::new();
        for r in 0..self.n_rows() {
            let mut object = serde_json::Map::new();
            for (name, values) in self.columns.iter().zip(&self.cells) {
                if let Some(v) = &values[r] {
                    object.insert(name.clone(), serde_json::Value::String(v.clone()));
                }
            }
            out.push_str(&serde_json::Value::Object(object).to_string());
            out.push('\n');
        }
        out
    }
}

/// The roles of a table's columns, as a corpus needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusRoles {
    /// The document id column.
    pub id: &'static str,
    /// The text columns (joined by a blank line).
    pub text: &'static [&'static str],
    /// The author column.
    pub author: &'static str,
    /// The timestamp column.
    pub time: &'static str,
}

/// The column roles of document table `table` of an export of `format`
/// (`None` when that export has no such document table).
pub fn corpus_roles(format: SourceFormat, table: &str) -> Option<CorpusRoles> {
    match (format, table) {
        (SourceFormat::JiraCsv | SourceFormat::JiraJson | SourceFormat::JiraPipeline, "issues") => {
            Some(JIRA_ISSUE_ROLES)
        }
        (SourceFormat::JiraCsv | SourceFormat::JiraJson, "comments") => Some(COMMENT_ROLES),
        (SourceFormat::ConfluenceHtml | SourceFormat::ConfluenceXml, "pages") => Some(PAGE_ROLES),
        (SourceFormat::ConfluenceXml, "comments") => Some(COMMENT_ROLES),
        (SourceFormat::Git, "commits") => Some(GIT_COMMIT_ROLES),
        _ => None,
    }
}

/// Jira issues: key, summary and description, reporter, creation time.
pub const JIRA_ISSUE_ROLES: CorpusRoles = CorpusRoles {
    id: "issue_key",
    text: &["summary", "description"],
    author: "reporter",
    time: "created",
};

/// Comments of Jira issues and Confluence pages.
pub const COMMENT_ROLES: CorpusRoles = CorpusRoles {
    id: "comment_id",
    text: &["body"],
    author: "author",
    time: "created",
};

/// Confluence pages: id, title and body, creator, creation time.
pub const PAGE_ROLES: CorpusRoles = CorpusRoles {
    id: "page_id",
    text: &["title", "body"],
    author: "author",
    time: "created",
};

/// Git commits: commit id, message, author e-mail, author time (see
/// [`git`] for why the e-mail).
pub const GIT_COMMIT_ROLES: CorpusRoles = CorpusRoles {
    id: "commit_id",
    text: &["message"],
    author: "author_email",
    time: "author_time",
};

/// What one export holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSource {
    /// The format it was read as.
    pub format: SourceFormat,
    /// Where it came from, for messages.
    pub source: String,
    /// Named tables (`issues`, `comments`, `users`).
    pub tables: BTreeMap<String, SourceTable>,
    /// For each table that holds documents, its column roles.
    pub corpora: BTreeMap<String, CorpusRoles>,
}

impl ImportedSource {
    /// An import of `format` from `source` with these tables and corpora.
    pub fn new(
        format: SourceFormat,
        source: &str,
        tables: Vec<(&str, SourceTable)>,
        corpora: Vec<(&str, CorpusRoles)>,
    ) -> Self {
        ImportedSource {
            format,
            source: source.to_string(),
            tables: tables
                .into_iter()
                .map(|(n, t)| (n.to_string(), t))
                .collect(),
            corpora: corpora
                .into_iter()
                .map(|(n, r)| (n.to_string(), r))
                .collect(),
        }
    }

    /// The table called `name`, or an error listing the tables there are.
    pub fn table(&self, name: &str) -> Result<&SourceTable, DataError> {
        self.tables.get(name).ok_or_else(|| {
            DataError::Invalid(format!(
                "{} ({}) has no table `{name}`; it has: {}",
                self.source,
                self.format.name(),
                self.tables.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

/// Reads a whole export file (gunzipped when it is gzip), within the file
/// size limit.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    let limits = super::Limits::default();
    let bytes = super::limits::read_file_bounded(path, &limits)?;
    let name = path.display().to_string();
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| DataError::Parse {
            source_name: name.clone(),
            message: format!("not a readable gzip file ({e}); is it truncated?"),
        })?;
    if out.len() as u64 > limits.max_file_bytes {
        return Err(DataError::Parse {
            source_name: name,
            message: "the decompressed file is larger than the file size limit (--max-file-size)"
                .into(),
        });
    }
    Ok(out)
}

/// The bytes of an export as UTF-8 text (errors name the line).
fn as_text(source: &str, bytes: Vec<u8>) -> Result<String, DataError> {
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        DataError::InvalidUtf8 {
            source_name: source.to_string(),
            line,
        }
    })
}

/// Guesses the format of a binary export: a zip holding `entities.xml` is a
/// Confluence XML export, any other zip a Confluence HTML export.
fn detect_zip(bytes: &[u8]) -> Option<SourceFormat> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let has_entities = archive
        .file_names()
        .any(|n| n.is_ok_and(|n| n.rsplit('/').next() == Some("entities.xml")));
    Some(if has_entities {
        SourceFormat::ConfluenceXml
    } else {
        SourceFormat::ConfluenceHtml
    })
}

/// Guesses the format of an export from its first bytes: JSON whose first
/// page has an `issues` array is REST search JSON, one with `data`,
/// `records` or `results` an audit log; a CSV header with `Issue key` and
/// `Summary` is the issue navigator's CSV, one with `changelog_id` or
/// `instance_url` a Data pipeline file, one with `Actor` and `Activity`
/// (or `Action`) the admin UI's audit log CSV. `None` when none fits.
pub fn detect(text: &str) -> Option<SourceFormat> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        let first_page = head
            .lines()
            .next()
            .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .or_else(|| serde_json::from_str(head).ok())?;
        let page = match &first_page {
            serde_json::Value::Array(pages) => pages.first()?,
            page => page,
        };
        let has = |k: &str| page.get(k).is_some_and(|v| v.is_array());
        return if has("issues") {
            Some(SourceFormat::JiraJson)
        } else if has("data") || has("records") || has("results") {
            Some(SourceFormat::AtlassianAuditLog)
        } else {
            None
        };
    }
    let first_line = head.lines().next().unwrap_or("");
    if first_line.contains("Summary") && first_line.contains("Issue key") {
        return Some(SourceFormat::JiraCsv);
    }
    if first_line.contains("changelog_id") || first_line.contains("instance_url") {
        return Some(SourceFormat::JiraPipeline);
    }
    let lower = first_line.to_lowercase();
    (lower.contains("actor") && (lower.contains("activity") || lower.contains("action")))
        .then_some(SourceFormat::AtlassianAuditLog)
}

/// Reads `path` as `format` (detected from the content when `None`; a
/// folder that is a git repository, see [`git::is_repository`], is `git`).
pub fn import(path: &Path, format: Option<SourceFormat>) -> Result<ImportedSource, DataError> {
    import_with_progress(path, format, &|_| {})
}

/// [`import`], reporting progress on long reads (the commits of a git
/// repository read so far; the file formats report nothing).
pub fn import_with_progress(
    path: &Path,
    format: Option<SourceFormat>,
    progress: &dyn Fn(usize),
) -> Result<ImportedSource, DataError> {
    if path.is_dir()
        && matches!(format, None | Some(SourceFormat::JiraPipeline))
        && jira_pipeline::is_export_dir(path)
    {
        return jira_pipeline::import_dir(path);
    }
    match format {
        Some(SourceFormat::Git) => return git::read_with_progress(path, progress),
        None if path.is_dir() => {
            if git::is_repository(path) {
                return git::read_with_progress(path, progress);
            }
            return Err(DataError::Parse {
                source_name: path.display().to_string(),
                message: "a folder that is neither a git repository (no `.git`, not a bare repository) nor a Jira Data pipeline export; the other export formats are files".into(),
            });
        }
        Some(f) if path.is_dir() => {
            return Err(DataError::Parse {
                source_name: path.display().to_string(),
                message: format!(
                    "a folder, but a {} export is a file (only `git` and `jira-pipeline` read a folder)",
                    f.name()
                ),
            });
        }
        _ => {}
    }
    let bytes = read_bytes(path)?;
    let source = path.display().to_string();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let format = match format {
        Some(f) => f,
        None if is_zip => detect_zip(&bytes).ok_or_else(|| DataError::Parse {
            source_name: source.clone(),
            message: "not a readable zip archive; is the export truncated?".into(),
        })?,
        None => {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
            if head.trim_start().starts_with("<?xml") || head.contains("<hibernate-generic") {
                SourceFormat::ConfluenceXml
            } else {
                detect(&String::from_utf8_lossy(&bytes)).ok_or_else(|| DataError::Parse {
                    source_name: source.clone(),
                    message: format!(
                        "cannot tell which export this is; give the format ({})",
                        SourceFormat::ALL.map(|f| f.name()).join(", ")
                    ),
                })?
            }
        }
    };
    match format {
        SourceFormat::JiraCsv => jira_csv::parse(&source, &as_text(&source, bytes)?),
        SourceFormat::JiraJson => jira_json::parse(&source, &as_text(&source, bytes)?),
        SourceFormat::AtlassianAuditLog => audit_log::parse(&source, &as_text(&source, bytes)?),
        SourceFormat::ConfluenceHtml => confluence::parse_html_export(&source, &bytes),
        SourceFormat::ConfluenceXml => confluence::parse_xml_export(&source, &bytes),
        SourceFormat::Git => git::read_with_progress(path, progress),
        SourceFormat::JiraPipeline => jira_pipeline::parse(&source, &as_text(&source, bytes)?),
    }
}

/// Finds Jira user mentions in wiki markup: `[~login]` and
/// `[~accountid:5b10...]`, returning the login or account id.
pub fn mentions(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[~") {
        let after = &rest[start + 2..];
        let Some(end) = after.find(']') else { break };
        let inner = &after[..end];
        let inner = inner.strip_prefix("accountid:").unwrap_or(inner);
        if !inner.is_empty() && !inner.contains(char::is_whitespace) {
            out.push(inner);
        }
        rest = &after[end..];
    }
    out
}

/// Collects the users an import names: `(id, display name)` pairs from
/// user fields, and ids alone from comment authors and mentions. One row per
/// id, the first display name seen kept.
#[derive(Debug, Default)]
pub(crate) struct UserCollector {
    order: Vec<String>,
    names: BTreeMap<String, Option<String>>,
    sources: BTreeMap<String, std::collections::BTreeSet<&'static str>>,
}

impl UserCollector {
    /// Records a user by id (or by name when the export has no id).
    pub(crate) fn add(&mut self, id: Option<&str>, name: Option<&str>, how: &'static str) {
        let id = id.or(name).map(str::trim).filter(|s| !s.is_empty());
        let Some(id) = id else { return };
        if !self.names.contains_key(id) {
            self.order.push(id.to_string());
        }
        let slot = self.names.entry(id.to_string()).or_insert(None);
        if slot.is_none() {
            *slot = name
                .map(str::trim)
                .filter(|s| !s.is_empty() && *s != id)
                .map(String::from);
        }
        self.sources.entry(id.to_string()).or_default().insert(how);
    }

    /// The `users` table: `user_id`, `display_name`, `seen_as`.
    pub(crate) fn table(&self) -> SourceTable {
        let mut t = SourceTable::with_columns(&["user_id", "display_name", "seen_as"]);
        for id in &self.order {
            t.push(vec![
                ("user_id", Some(id.clone())),
                ("display_name", self.names[id].clone()),
                (
                    "seen_as",
                    Some(
                        self.sources[id]
                            .iter()
                            .copied()
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                ),
            ]);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_kinds_of_mentions() {
        assert_eq!(
            mentions("thanks [~jsmith], see [~accountid:5b10ac8d82e05b22cc7d4ef5] and [~ broken]"),
            vec!["jsmith", "5b10ac8d82e05b22cc7d4ef5"]
        );
        assert!(mentions("[~").is_empty());
    }

    #[test]
    fn tables_grow_columns_and_write_ndjson() {
        let mut t = SourceTable::with_columns(&["a"]);
        t.push(vec![("a", Some("1".into()))]);
        t.push(vec![("b", Some("x\"y".into()))]);
        assert_eq!(t.n_rows(), 2);
        assert_eq!(t.to_ndjson(), "{\"a\":\"1\"}\n{\"b\":\"x\\\"y\"}\n");
        let frame = t.to_frame().unwrap();
        assert_eq!(frame.shape(), (2, 2));
    }

    #[test]
    fn detects_formats_by_content() {
        assert_eq!(
            detect("{\"startAt\":0,\"issues\":[]}"),
            Some(SourceFormat::JiraJson)
        );
        assert_eq!(
            detect("Summary,Issue key,Issue id\nx,A-1,1\n"),
            Some(SourceFormat::JiraCsv)
        );
        assert_eq!(detect("a,b\n1,2\n"), None);
        assert_eq!(
            detect("{\"records\":[{\"summary\":\"issues\"}]}"),
            Some(SourceFormat::AtlassianAuditLog)
        );
        assert_eq!(detect("{\"values\":[]}"), None);
        assert!(SourceFormat::parse("jira-xml")
            .unwrap_err()
            .to_string()
            .contains("jira-csv"));
    }
}
