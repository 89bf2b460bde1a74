//! The generated corpus written in the layouts real exports have, so the
//! demo exercises the readers of [`crate::data::sources`]:
//!
//! * [`ExportFormat::JiraCsv`] -> `jira-export.csv`: the issue navigator's
//!   "Export Excel CSV (all fields)" as [`crate::data::sources::jira_csv`]
//!   reads it: one row per issue, a repeated `Comment` header (as many as
//!   the most-commented issue has), comment cells `date;login;body`, dates
//!   as Jira writes them (`12/Apr/26 3:30 PM`, so to the minute), users as
//!   logins (as in a Data Center export).
//! * [`ExportFormat::ConfluenceHtml`] -> `confluence-export.zip`: a space's
//!   HTML export as [`crate::data::sources::confluence`] reads it: one
//!   `SPACE/Title_<n>.html` per page (`n` = the number in the page id
//!   `SPACE-p<n>`) with the title in `<span id="title-text">`, the creator's
//!   display name in `<div class="page-metadata">` with the creation date
//!   (to the day, as the export shows it), and the body's paragraphs in
//!   `<div id="main-content">`.
//! * [`ExportFormat::Git`] -> `repo.git/`: a bare git repository written
//!   with `gix` (no `git` program): one linear history of every commit in
//!   time order, author and committer = the user's display name and e-mail
//!   at the commit's time (UTC), the message as generated, and each listed
//!   path set to a one-line file naming the generated commit hash (so every
//!   commit touches exactly its listed paths and has a tree of its own).
//!   The branch `HEAD` names points at the last commit.
//!
//! With `pseudonymize`, every login, display name and e-mail in the
//! export's *fields* is replaced by `user_0001`, `User 0001`,
//! `user_0001@example.invalid` (numbered in user order) and the texts are
//! left as they are: the naive "pseudonymized release" an audit should
//! catch. File contents of the repository do not name people, so a commit
//! keeps its tree id through pseudonymization (the truth key of the demo's
//! git audit).
//!
//! The corpus is generated in memory ([`super::generate_in_memory`]): fine
//! for demo sizes (thousands of users), not meant for millions.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use super::{generate_in_memory, SynthConfig, SynthError, SynthSummary};

/// An export layout [`write_export`] can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Jira issue navigator CSV (`jira-export.csv`).
    JiraCsv,
    /// Confluence space HTML export (`confluence-export.zip`).
    ConfluenceHtml,
    /// A bare git repository (`repo.git/`).
    Git,
}

impl ExportFormat {
    /// The file or folder written into the output folder.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::JiraCsv => "jira-export.csv",
            ExportFormat::ConfluenceHtml => "confluence-export.zip",
            ExportFormat::Git => "repo.git",
        }
    }
}

/// How a user appears in the export's fields.
#[derive(Debug, Clone)]
struct Person {
    login: String,
    name: String,
    email: String,
}

fn people(corpus: &super::Corpus, pseudonymize: bool) -> HashMap<String, Person> {
    corpus
        .user_records()
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            let p = if pseudonymize {
                Person {
                    login: format!("user_{:04}", i + 1),
                    name: format!("User {:04}", i + 1),
                    email: format!("user_{:04}@example.invalid", i + 1),
                }
            } else {
                Person {
                    login: u.login.clone(),
                    name: u.display_name.clone(),
                    email: u.email.clone(),
                }
            };
            (u.login.clone(), p)
        })
        .collect()
}

fn io_err(path: &Path, cause: std::io::Error) -> SynthError {
    SynthError::Io {
        path: path.display().to_string(),
        cause,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` as its parts.
fn iso_parts(iso: &str) -> Option<(i64, u32, u32, u32, u32)> {
    let num = |r: std::ops::Range<usize>| iso.get(r).and_then(|s| s.parse::<u32>().ok());
    Some((
        i64::from(num(0..4)?),
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
    ))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An ISO time as Jira's CSV export writes it: `12/Apr/26 3:30 PM`.
pub fn jira_date(iso: &str) -> Option<String> {
    let (y, m, d, h, min) = iso_parts(iso)?;
    let month = MONTHS.get(m.checked_sub(1)? as usize)?;
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    Some(format!(
        "{d:02}/{month}/{:02} {h12}:{min:02} {half}",
        y.rem_euclid(100)
    ))
}

/// An ISO time as a Confluence page's metadata shows it: `Jun 28, 2022`.
fn confluence_date(iso: &str) -> Option<String> {
    let (y, m, d, _, _) = iso_parts(iso)?;
    Some(format!(
        "{} {d}, {y}",
        MONTHS.get(m.checked_sub(1)? as usize)?
    ))
}

fn bad_time(iso: &str) -> SynthError {
    SynthError::Invalid(format!("generated time `{iso}` is not ISO 8601 UTC"))
}

/// Generates the corpus of `config` and writes it into `out_dir` in
/// `format` (see the module docs); `pseudonymize` replaces people in the
/// fields (not in the texts).
pub fn write_export(
    config: &SynthConfig,
    out_dir: &Path,
    format: ExportFormat,
    pseudonymize: bool,
) -> Result<SynthSummary, SynthError> {
    let corpus = generate_in_memory(config)?;
    std::fs::create_dir_all(out_dir).map_err(|e| io_err(out_dir, e))?;
    let people = people(&corpus, pseudonymize);
    let target = out_dir.join(format.file_name());
    let mut summary = SynthSummary {
        users: config.users,
        ..Default::default()
    };
    for b in &corpus.batches {
        summary.add(b);
    }
    match format {
        ExportFormat::JiraCsv => write_jira_csv(&corpus, &people, &target)?,
        ExportFormat::ConfluenceHtml => write_confluence_html(&corpus, &people, &target)?,
        ExportFormat::Git => write_git(&corpus, &people, &target)?,
    }
    Ok(summary)
}

fn person<'a>(people: &'a HashMap<String, Person>, login: &str) -> Result<&'a Person, SynthError> {
    people
        .get(login)
        .ok_or_else(|| SynthError::Invalid(format!("generated document by unknown user `{login}`")))
}

fn write_jira_csv(
    corpus: &super::Corpus,
    people: &HashMap<String, Person>,
    path: &Path,
) -> Result<(), SynthError> {
    let issues: Vec<_> = corpus.batches.iter().flat_map(|b| &b.issues).collect();
    let mut comments: HashMap<&str, Vec<&super::CommentRecord>> = HashMap::new();
    for c in corpus.batches.iter().flat_map(|b| &b.comments) {
        comments.entry(c.issue_key.as_str()).or_default().push(c);
    }
    let max_comments = comments.values().map(Vec::len).max().unwrap_or(0);
    let mut header: Vec<&str> = vec![
        "Summary",
        "Issue key",
        "Issue id",
        "Issue Type",
        "Status",
        "Priority",
        "Project key",
        "Assignee",
        "Reporter",
        "Created",
        "Resolved",
        "Description",
    ];
    header.extend(std::iter::repeat_n("Comment", max_comments));
    let file = std::fs::File::create(path).map_err(|e| io_err(path, e))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    let csv_err = |e: csv::Error| io_err(path, std::io::Error::other(e));
    w.write_record(&header).map_err(csv_err)?;
    for (i, issue) in issues.iter().enumerate() {
        let login = |l: &str| person(people, l).map(|p| p.login.clone());
        let mut row: Vec<String> = vec![
            issue.summary.clone(),
            issue.issue_key.clone(),
            (10_000 + i).to_string(),
            issue.issue_type.clone(),
            issue.status.clone(),
            issue.priority.clone(),
            issue.project.clone(),
            issue
                .assignee
                .as_deref()
                .map(login)
                .transpose()?
                .unwrap_or_default(),
            login(&issue.reporter)?,
            jira_date(&issue.created).ok_or_else(|| bad_time(&issue.created))?,
            issue
                .resolved
                .as_deref()
                .map(|r| jira_date(r).ok_or_else(|| bad_time(r)))
                .transpose()?
                .unwrap_or_default(),
            issue.description.clone().unwrap_or_default(),
        ];
        let these = comments
            .get(issue.issue_key.as_str())
            .map_or(&[][..], Vec::as_slice);
        for c in these {
            row.push(format!(
                "{};{};{}",
                jira_date(&c.created).ok_or_else(|| bad_time(&c.created))?,
                login(&c.author)?,
                c.body
            ));
        }
        row.resize(header.len(), String::new());
        w.write_record(&row).map_err(csv_err)?;
    }
    w.flush().map_err(|e| io_err(path, e))?;
    Ok(())
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page file's name: the title's words joined by `+`, then `_<n>.html`.
fn page_file_name(title: &str, number: &str) -> String {
    let slug: String = title
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("+");
    format!("{slug}_{number}.html")
}

fn write_confluence_html(
    corpus: &super::Corpus,
    people: &HashMap<String, Person>,
    path: &Path,
) -> Result<(), SynthError> {
    let file = std::fs::File::create(path).map_err(|e| io_err(path, e))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zip_err = |e: zip::result::ZipError| io_err(path, std::io::Error::other(e));
    for page in corpus.batches.iter().flat_map(|b| &b.pages) {
        let number = page
            .page_id
            .rsplit_once("-p")
            .map(|(_, n)| n)
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                SynthError::Invalid(format!(
                    "generated page id `{}` is not SPACE-p<n>",
                    page.page_id
                ))
            })?;
        let author = person(people, &page.author)?;
        let date = confluence_date(&page.created).ok_or_else(|| bad_time(&page.created))?;
        let body: String = page
            .body
            .split("\n\n")
            .map(|p| format!("<p>{}</p>\n", escape_html(p).replace('\n', "<br/>\n")))
            .collect();
        let html = format!(
            "<!DOCTYPE html>\n<html>\n<head>\n<title>{space} : {title}</title>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">\n</head>\n<body class=\"theme-default aui-theme-default\">\n<div id=\"page\">\n<div id=\"main\" class=\"aui-page-panel\">\n<div id=\"main-header\">\n<h1 id=\"title-heading\" class=\"pagetitle\">\n<span id=\"title-text\">{space} : {title}</span>\n</h1>\n</div>\n<div id=\"content\" class=\"view\">\n<div class=\"page-metadata\">\nCreated by <span class='author'>{author}</span> on {date}\n</div>\n<div id=\"main-content\" class=\"wiki-content group\">\n{body}</div>\n</div>\n</div>\n</div>\n</body>\n</html>\n",
            space = escape_html(&page.space),
            title = escape_html(&page.title),
            author = escape_html(&author.name),
        );
        let name = format!("{}/{}", page.space, page_file_name(&page.title, number));
        zip.start_file(name, options).map_err(zip_err)?;
        zip.write_all(html.as_bytes())
            .map_err(|e| io_err(path, e))?;
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}

fn write_git(
    corpus: &super::Corpus,
    people: &HashMap<String, Person>,
    path: &Path,
) -> Result<(), SynthError> {
    use gix::objs::tree::EntryKind;
    let git_err = |e: gix::Error| io_err(path, std::io::Error::other(e.to_string()));
    let repo = gix::init_bare(path).map_err(git_err)?;
    let mut commits: Vec<&super::CommitRecord> =
        corpus.batches.iter().flat_map(|b| &b.commits).collect();
    commits.sort_by(|a, b| {
        (a.timestamp.as_str(), a.commit_hash.as_str())
            .cmp(&(b.timestamp.as_str(), b.commit_hash.as_str()))
    });
    let mut tree = gix::ObjectId::empty_tree(gix::hash::Kind::Sha1);
    let mut parent: Option<gix::ObjectId> = None;
    for c in commits {
        let who = person(people, &c.author)?;
        let (y, mo, d, h, mi) = iso_parts(&c.timestamp).ok_or_else(|| bad_time(&c.timestamp))?;
        let seconds = c
            .timestamp
            .get(17..19)
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| bad_time(&c.timestamp))?;
        let unix = crate::data::calendar::days_from_civil(y, mo, d) * 86_400
            + i64::from(h) * 3600
            + i64::from(mi) * 60
            + seconds;
        let signature = gix::actor::Signature {
            name: who.name.as_str().into(),
            email: who.email.as_str().into(),
            time: gix::date::Time {
                seconds: unix,
                offset: 0,
            },
        };
        let mut editor = repo.edit_tree(tree).map_err(git_err)?;
        for p in c.paths.split(';').filter(|p| !p.is_empty()) {
            let blob = repo
                .write_blob(format!("{} {p}\n", c.commit_hash))
                .map_err(git_err)?;
            editor.upsert(p, EntryKind::Blob, blob).map_err(git_err)?;
        }
        tree = editor.write().map_err(git_err)?.detach();
        let commit = gix::objs::Commit {
            tree,
            parents: parent.into_iter().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: c.message.as_str().into(),
            extra_headers: Vec::new(),
        };
        parent = Some(repo.write_object(&commit).map_err(git_err)?.detach());
    }
    if let Some(last) = parent {
        let branch = repo.head_name().map_err(git_err)?.map_or_else(
            || "refs/heads/main".to_string(),
            |n| n.as_bstr().to_string(),
        );
        repo.reference(
            branch.as_str(),
            last,
            gix::refs::transaction::PreviousValue::Any,
            "reident synth",
        )
        .map_err(git_err)?;
    }
    Ok(())
}
