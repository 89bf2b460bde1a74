//! Jira Data Center's "Data pipeline" export: a folder of CSV files
//! (`issues_job<id>_<timestamp>.csv`, `issue_history_job...csv`,
//! `users_job...csv`, and others reident does not read: fields, links, SLAs).
//!
//! The layout follows Atlassian's "Data pipeline export schema" (Jira Data
//! Center 8.14 and later; confluence.atlassian.com/adminjiraserver/
//! data-pipeline-export-schema-1027142325.html): RFC 4180 files, each with a
//! header (also when empty), CRLF line ends, null values as empty fields,
//! embedded line breaks printed as the two characters `\n` (kept as they are
//! here), descriptions cut at 2,000 characters, dates as UTC ISO strings
//! (`2021-05-12T23:01:42Z`). Since schema 2 the issues file holds numeric
//! user ids (`creator_id`, `reporter_id`, `assignee_id`) and the names live
//! in the users file.
//!
//! Three tables come out, each file recognised by its header:
//! * `issues` (from a header with `id`, `key` and `summary`): `issue_id`,
//!   `issue_key`, `summary`, `description`, `creator`/`reporter`/`assignee`
//!   (the username from the users file, else the numeric id) beside the
//!   `*_id` columns, `created`/`updated`/`resolved`/`due` (from the
//!   `*_date` columns), every other column under its header; text = summary
//!   and description, author = reporter;
//! * `issue_history` (from `issue_id`, `changelog_id`, `field`): one row
//!   per changed field, as a trace point: `user` (the author's username,
//!   else `author_key`), `timestamp`, `action` (the field), `object` (the
//!   issue key), `from`, `to` (the `*_string` values), `issue_id`,
//!   `changelog_id`, `user_key`;
//! * `users` (from `user_id` with `user_name` or `user_key`): `user_id` (the
//!   username, else the user key), `display_name` (`user_fullname` or
//!   `display_name`), `email` (`user_email`, `email` or `email_address`),
//!   `user_key`, `numeric_id`, `seen_as`; users only mentioned in text
//!   (`[~login]`) are added with `seen_as = mention`.
//!
//! The users file's column names are read with the alternatives above
//! because the stored copy of the documentation this was written from shows
//! the issues and history columns but not the users table's.
//!
//! Errors name the file, the line and the column: a file named like an
//! issues, history or users file whose header lacks a required column, a date
//! that is not ISO 8601, a quoted field never closed, a row with the wrong
//! number of fields. Other CSV files in the folder are skipped (the export
//! has more tables than reident reads).

use std::collections::BTreeMap;
use std::path::Path;

use super::jira_csv::{line_at, record_line};
use super::jira_dates::to_iso;
use super::{mentions, ImportedSource, SourceFormat, SourceTable};
use crate::data::DataError;

/// Which of the export's tables a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineFile {
    /// `issues_job...csv`.
    Issues,
    /// `issue_history_job...csv`.
    History,
    /// `users_job...csv`.
    Users,
}

impl PipelineFile {
    fn name(self) -> &'static str {
        match self {
            PipelineFile::Issues => "issues",
            PipelineFile::History => "issue history",
            PipelineFile::Users => "users",
        }
    }

    /// The columns a file of this kind must have.
    fn required(self) -> &'static [&'static str] {
        match self {
            PipelineFile::Issues => &["id", "key", "summary"],
            PipelineFile::History => &["issue_id", "changelog_id", "created_date", "field"],
            PipelineFile::Users => &["user_id"],
        }
    }

    /// The kind a file name says (`issues_job1_...csv`), if any.
    fn from_file_name(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        if !(name.ends_with(".csv") || name.ends_with(".csv.gz")) {
            return None;
        }
        if name.starts_with("issue_history") {
            Some(PipelineFile::History)
        } else if name.starts_with("issues") {
            Some(PipelineFile::Issues)
        } else if name.starts_with("users") {
            Some(PipelineFile::Users)
        } else {
            None
        }
    }

    /// The kind a header says, if any.
    pub fn from_header(header: &[String]) -> Option<Self> {
        let has = |c: &str| header.iter().any(|h| h == c);
        if has("issue_id") && has("changelog_id") && has("field") {
            Some(PipelineFile::History)
        } else if has("id") && has("key") && has("summary") {
            Some(PipelineFile::Issues)
        } else if has("user_id") && (has("user_name") || has("user_key")) {
            Some(PipelineFile::Users)
        } else {
            None
        }
    }
}

/// True when `dir` holds at least one file named like a Data pipeline
/// issues, history or users file.
pub fn is_export_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| PipelineFile::from_file_name(n).is_some())
        })
    })
}

/// A parsed CSV file: its header and rows with their physical lines.
struct CsvFile {
    source: String,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl CsvFile {
    fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h == n))
    }
}

fn bad(source: &str, message: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message,
    }
}

/// Reads one RFC 4180 file strictly: one field per header column in every
/// row, every quoted field closed.
fn read_csv(source: &str, text: &str) -> Result<CsvFile, DataError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(source, format!("line 1: cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    // RFC 4180 quotes come in pairs (a quote inside a quoted field is
    // doubled): an odd count means a quoted field runs to the end of the
    // file, which the csv reader takes as one long field.
    let unclosed = text.bytes().filter(|&b| b == b'"').count() % 2 == 1;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(text, p));
            if unclosed {
                bad(
                    source,
                    format!(
                        "line {line}: a quoted field is never closed (unterminated quote), so the row runs to the end of the file ({e}); was the file cut short?"
                    ),
                )
            } else {
                bad(
                    source,
                    format!(
                        "line {line}: {e}; every row must have one field per header column ({} here)",
                        header.len()
                    ),
                )
            }
        })?;
        rows.push((
            record_line(text, &record),
            record.iter().map(String::from).collect(),
        ));
    }
    if unclosed {
        let line = rows.last().map_or(1, |(l, _)| *l);
        return Err(bad(
            source,
            format!(
                "line {line}: a quoted field is never closed (unterminated quote); was the file cut short?"
            ),
        ));
    }
    Ok(CsvFile {
        source: source.to_string(),
        header,
        rows,
    })
}

/// The file's kind: from its header, checked against the kind its name says.
fn classify(
    file: &CsvFile,
    by_name: Option<PipelineFile>,
) -> Result<Option<PipelineFile>, DataError> {
    let by_header = PipelineFile::from_header(&file.header);
    let Some(kind) = by_name.or(by_header) else {
        return Ok(None);
    };
    let missing: Vec<&str> = kind
        .required()
        .iter()
        .copied()
        .filter(|c| !file.header.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() || (by_header.is_some() && by_header != Some(kind)) {
        return Err(bad(
            &file.source,
            format!(
                "line 1: the header is not a Data pipeline {} file's: it lacks {} (it has: {})",
                kind.name(),
                if missing.is_empty() {
                    "the columns of its kind".to_string()
                } else {
                    missing
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                file.header.join(", ")
            ),
        ));
    }
    Ok(Some(kind))
}

/// Reads the export folder `dir`: every `issues*`, `issue_history*` and
/// `users*` CSV file in it (gzip accepted), others skipped.
pub fn import_dir(dir: &Path) -> Result<ImportedSource, DataError> {
    let source = dir.display().to_string();
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| bad(&source, format!("cannot list the folder: {e}")))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut files = Vec::new();
    for path in names {
        let Some(kind) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(PipelineFile::from_file_name)
        else {
            continue;
        };
        let name = path.display().to_string();
        let text = super::as_text(&name, super::read_bytes(&path)?)?;
        let file = read_csv(&name, &text)?;
        if let Some(kind) = classify(&file, Some(kind))? {
            files.push((kind, file));
        }
    }
    assemble(&source, files)
}

/// Reads one file of the export (its kind told by its header).
pub fn parse(source: &str, text: &str) -> Result<ImportedSource, DataError> {
    let file = read_csv(source, text)?;
    let kind = classify(&file, None)?.ok_or_else(|| {
        bad(
            source,
            format!(
                "line 1: the header is not a Data pipeline issues, issue history or users file's (issues need {}; history {}; users {} with `user_name` or `user_key`); it has: {}",
                PipelineFile::Issues.required().join(", "),
                PipelineFile::History.required().join(", "),
                PipelineFile::Users.required().join(", "),
                file.header.join(", ")
            ),
        )
    })?;
    assemble(source, vec![(kind, file)])
}

/// One user of the users file.
#[derive(Debug, Clone, Default)]
struct User {
    login: Option<String>,
    key: Option<String>,
    numeric: Option<String>,
    name: Option<String>,
    email: Option<String>,
}

impl User {
    fn id(&self) -> Option<&str> {
        self.login
            .as_deref()
            .or(self.key.as_deref())
            .or(self.numeric.as_deref())
    }
}

/// A cell as written (text keeps its spaces), `None` when empty or blank.
fn cell(row: &[String], c: Option<usize>) -> Option<String> {
    c.and_then(|c| row.get(c))
        .filter(|v| !v.trim().is_empty())
        .cloned()
}

fn date(
    file: &CsvFile,
    line: u64,
    what: &str,
    column: &str,
    value: Option<String>,
) -> Result<Option<String>, DataError> {
    value
        .map(|v| {
            // The export writes ISO dates only (`YYYY-MM-DD...`); Jira's
            // other formats are not accepted here.
            let iso = v.trim().as_bytes().get(4) == Some(&b'-');
            iso.then(|| to_iso(&v)).flatten().ok_or_else(|| {
                bad(
                    &file.source,
                    format!(
                        "line {line}, {what}, column `{column}`: `{v}` is not an ISO 8601 date (the export writes e.g. `2021-05-12T23:01:42Z`)"
                    ),
                )
            })
        })
        .transpose()
}

fn one<'a>(
    source: &str,
    files: &'a [(PipelineFile, CsvFile)],
    kind: PipelineFile,
) -> Result<Option<&'a CsvFile>, DataError> {
    let mut of_kind = files.iter().filter(|(k, _)| *k == kind).map(|(_, f)| f);
    let first = of_kind.next();
    if let (Some(a), Some(b)) = (first, of_kind.next()) {
        return Err(bad(
            source,
            format!(
                "two {} files ({} and {}): give the files of one export job",
                kind.name(),
                a.source,
                b.source
            ),
        ));
    }
    Ok(first)
}

fn assemble(
    source: &str,
    files: Vec<(PipelineFile, CsvFile)>,
) -> Result<ImportedSource, DataError> {
    if files.is_empty() {
        return Err(bad(
            source,
            "no Data pipeline issues, issue history or users file (named `issues_job...csv`, `issue_history_job...csv`, `users_job...csv`)".into(),
        ));
    }
    // Users first: the other files name them by numeric id or key.
    let mut users: Vec<User> = Vec::new();
    if let Some(f) = one(source, &files, PipelineFile::Users)? {
        let c_id = f.column(&["user_id"]);
        let c_key = f.column(&["user_key"]);
        let c_login = f.column(&["user_name", "username"]);
        let c_name = f.column(&["user_fullname", "display_name", "full_name"]);
        let c_email = f.column(&["user_email", "email", "email_address"]);
        for (_, row) in &f.rows {
            users.push(User {
                login: cell(row, c_login),
                key: cell(row, c_key),
                numeric: cell(row, c_id),
                name: cell(row, c_name),
                email: cell(row, c_email),
            });
        }
    }
    let by_numeric: BTreeMap<&str, &User> = users
        .iter()
        .filter_map(|u| u.numeric.as_deref().map(|n| (n, u)))
        .collect();
    let by_key: BTreeMap<&str, &User> = users
        .iter()
        .filter_map(|u| u.key.as_deref().map(|k| (k, u)))
        .collect();
    let login_of = |numeric: Option<&str>, key: Option<&str>| -> Option<String> {
        numeric
            .and_then(|n| by_numeric.get(n))
            .or_else(|| key.and_then(|k| by_key.get(k)))
            .and_then(|u| u.id())
            .or(key)
            .or(numeric)
            .map(String::from)
    };
    let mut mentioned: Vec<String> = Vec::new();

    let mut tables: Vec<(&str, SourceTable)> = Vec::new();
    let mut corpora = Vec::new();
    let mut keys_by_id: BTreeMap<String, String> = BTreeMap::new();
    if let Some(f) = one(source, &files, PipelineFile::Issues)? {
        const RENAMED: &[(&str, &str)] = &[
            ("id", "issue_id"),
            ("key", "issue_key"),
            ("created_date", "created"),
            ("updated_date", "updated"),
            ("resolution_date", "resolved"),
            ("due_date", "due"),
        ];
        const DATES: &[&str] = &[
            "created_date",
            "updated_date",
            "resolution_date",
            "due_date",
        ];
        const USERS: &[(&str, &str)] = &[
            ("creator_id", "creator"),
            ("reporter_id", "reporter"),
            ("assignee_id", "assignee"),
        ];
        let out_name = |h: &str| {
            RENAMED
                .iter()
                .find(|(from, _)| *from == h)
                .map_or(h.to_string(), |(_, to)| to.to_string())
        };
        let mut columns: Vec<String> = Vec::new();
        for h in &f.header {
            columns.push(out_name(h));
            if let Some((_, name)) = USERS.iter().find(|(id, _)| id == h) {
                columns.push(name.to_string());
            }
        }
        let mut issues = SourceTable::with_columns(&columns);
        let c_key = f.column(&["key"]);
        for (line, row) in &f.rows {
            let key = cell(row, c_key).ok_or_else(|| {
                bad(
                    &f.source,
                    format!("line {line}, column `key`: the issue key is empty"),
                )
            })?;
            let what = format!("issue {key}");
            let mut out: Vec<(String, Option<String>)> = Vec::new();
            for (i, h) in f.header.iter().enumerate() {
                let mut value = cell(row, Some(i));
                if DATES.contains(&h.as_str()) {
                    value = date(f, *line, &what, h, value)?;
                }
                if let Some((_, name)) = USERS.iter().find(|(id, _)| id == h) {
                    // Schema 1 files write the name beside the id.
                    let schema1 = f
                        .column(&[&format!("{name}_name")])
                        .and_then(|c| cell(row, Some(c)));
                    let login = login_of(value.as_deref(), None).or(schema1);
                    out.push((name.to_string(), login));
                }
                if h == "summary" || h == "description" {
                    for m in value.as_deref().map(mentions).unwrap_or_default() {
                        mentioned.push(m.to_string());
                    }
                }
                out.push((out_name(h), value));
            }
            if let Some(id) = cell(row, f.column(&["id"])) {
                keys_by_id.insert(id, key.clone());
            }
            issues.push(out.iter().map(|(n, v)| (n.as_str(), v.clone())).collect());
        }
        if issues.n_rows() == 0 {
            return Err(DataError::NoDataRows {
                source_name: f.source.clone(),
                n_columns: f.header.len(),
            });
        }
        tables.push(("issues", issues));
        corpora.push(("issues", super::JIRA_ISSUE_ROLES));
    }

    if let Some(f) = one(source, &files, PipelineFile::History)? {
        let mut history = SourceTable::with_columns(&[
            "user",
            "timestamp",
            "action",
            "object",
            "from",
            "to",
            "issue_id",
            "changelog_id",
            "user_key",
        ]);
        let c = |names: &[&str]| f.column(names);
        let (c_issue, c_log, c_author_id, c_author_key, c_date, c_field, c_from, c_to) = (
            c(&["issue_id"]),
            c(&["changelog_id"]),
            c(&["author_id"]),
            c(&["author_key"]),
            c(&["created_date"]),
            c(&["field"]),
            c(&["from_string"]),
            c(&["to_string"]),
        );
        if c_author_id.is_none() && c_author_key.is_none() {
            return Err(bad(
                &f.source,
                format!(
                    "line 1: the issue history header has neither `author_id` nor `author_key`, so no change has an author; it has: {}",
                    f.header.join(", ")
                ),
            ));
        }
        for (line, row) in &f.rows {
            let issue_id = cell(row, c_issue);
            let what = format!("change {}", cell(row, c_log).unwrap_or_default());
            let Some(timestamp) = date(f, *line, &what, "created_date", cell(row, c_date))? else {
                return Err(bad(
                    &f.source,
                    format!("line {line}, {what}, column `created_date`: the change has no date"),
                ));
            };
            let key = cell(row, c_author_key);
            let user = login_of(cell(row, c_author_id).as_deref(), key.as_deref());
            let object = issue_id
                .as_ref()
                .and_then(|i| keys_by_id.get(i).cloned())
                .or_else(|| issue_id.clone());
            history.push(vec![
                ("user", user),
                ("timestamp", Some(timestamp)),
                ("action", cell(row, c_field)),
                ("object", object),
                ("from", cell(row, c_from)),
                ("to", cell(row, c_to)),
                ("issue_id", issue_id),
                ("changelog_id", cell(row, c_log)),
                ("user_key", key),
            ]);
        }
        tables.push(("issue_history", history));
    }

    let mut table = SourceTable::with_columns(&[
        "user_id",
        "display_name",
        "email",
        "user_key",
        "numeric_id",
        "seen_as",
    ]);
    for u in &users {
        table.push(vec![
            ("user_id", u.id().map(String::from)),
            ("display_name", u.name.clone()),
            ("email", u.email.clone()),
            ("user_key", u.key.clone()),
            ("numeric_id", u.numeric.clone()),
            ("seen_as", Some("users file".into())),
        ]);
    }
    let mut known: std::collections::BTreeSet<String> = users
        .iter()
        .filter_map(|u| u.id().map(String::from))
        .collect();
    for m in mentioned {
        if known.insert(m.clone()) {
            table.push(vec![
                ("user_id", Some(m)),
                ("seen_as", Some("mention".into())),
            ]);
        }
    }
    tables.push(("users", table));
    Ok(ImportedSource::new(
        SourceFormat::JiraPipeline,
        source,
        tables,
        corpora,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUES: &str = "id,key,summary,description,reporter_id,created_date\r\n\
10001,ABC-1,\"Login fails, again\",\"see [~jsmith]\",10,2026-04-12T13:30:00Z\r\n";
    const HISTORY: &str =
        "issue_id,changelog_id,author_id,author_key,created_date,field,from_string,to_string\r\n\
10001,500,10,JIRAUSER10,2026-04-13T08:00:00Z,status,Open,Done\r\n";
    const USERS: &str = "user_id,user_key,user_name,user_fullname,user_email\r\n\
10,JIRAUSER10,bob,Bob Lee,bob@example.org\r\n";

    fn files(parts: &[(&str, &str)]) -> Vec<(PipelineFile, CsvFile)> {
        parts
            .iter()
            .map(|(name, text)| {
                let f = read_csv(name, text).unwrap();
                (classify(&f, None).unwrap().unwrap(), f)
            })
            .collect()
    }

    #[test]
    fn joins_users_into_issues_and_history() {
        let s = assemble(
            "dir",
            files(&[("i.csv", ISSUES), ("h.csv", HISTORY), ("u.csv", USERS)]),
        )
        .unwrap();
        let issues = s.table("issues").unwrap();
        assert_eq!(
            issues.column("reporter").unwrap()[0].as_deref(),
            Some("bob")
        );
        assert_eq!(
            issues.column("issue_key").unwrap()[0].as_deref(),
            Some("ABC-1")
        );
        assert_eq!(
            issues.column("created").unwrap()[0].as_deref(),
            Some("2026-04-12T13:30:00Z")
        );
        let h = s.table("issue_history").unwrap();
        assert_eq!(h.column("user").unwrap()[0].as_deref(), Some("bob"));
        assert_eq!(h.column("object").unwrap()[0].as_deref(), Some("ABC-1"));
        assert_eq!(h.column("action").unwrap()[0].as_deref(), Some("status"));
        let u = s.table("users").unwrap();
        assert_eq!(
            u.column("user_id").unwrap(),
            &[Some("bob".to_string()), Some("jsmith".to_string())]
        );
        assert_eq!(
            u.column("email").unwrap()[0].as_deref(),
            Some("bob@example.org")
        );
    }

    #[test]
    fn bad_files_name_the_line_and_column() {
        let err = parse(
            "h.csv",
            &HISTORY.replace("2026-04-13T08:00:00Z", "13/04/2026"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("h.csv")
                && err.contains("line 2")
                && err.contains("change 500")
                && err.contains("`created_date`")
                && err.contains("`13/04/2026`"),
            "{err}"
        );
        let err = parse("i.csv", &format!("{ISSUES}10002,ABC-2,s,d,10,\"2026"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3") && err.contains("never closed"),
            "{err}"
        );
        let err = parse("i.csv", &format!("{ISSUES}10002,ABC-2,x\r\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3") && err.contains("one field per header"),
            "{err}"
        );
        let err = parse("x.csv", "a,b\r\n1,2\r\n").unwrap_err().to_string();
        assert!(err.contains("not a Data pipeline"), "{err}");
        // A file named as an issues file whose header is another's.
        let f = read_csv("issues_job1.csv", "id,summary\r\n1,x\r\n").unwrap();
        let err = classify(&f, Some(PipelineFile::Issues))
            .unwrap_err()
            .to_string();
        assert!(err.contains("lacks `key`"), "{err}");
    }
}
