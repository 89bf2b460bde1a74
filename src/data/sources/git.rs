//! A git repository (a Bitbucket clone's work tree, or a bare repository) as
//! a table of commits, read with the pure-Rust `gix` crate (no `git`
//! program is run).
//!
//! Every commit reachable from `HEAD` is read (other branches and tags that
//! `HEAD` does not reach are left out: a release is usually cut from the
//! default branch, and a clone's remote branches would repeat it). The walk
//! follows all parents of merges and visits each commit once, in the order of
//! `gix`'s breadth-first walk from `HEAD`.
//!
//! The result has two tables:
//! * `commits`: `commit_id` (40 hex digits), `tree_id` (the commit's root
//!   tree: unchanged when only authors or committers are rewritten, as
//!   `git filter-repo --mailmap` does, so it can serve as the truth key
//!   between a repository and its pseudonymized copy), `author_name`,
//!   `author_email`, `committer_name`, `committer_email`, `author_time`
//!   and `commit_time` (ISO 8601 UTC, `2026-04-12T15:30:00Z`, via
//!   [`crate::data::calendar`]; the signature's own offset is dropped),
//!   `message` (the full message; one that is not UTF-8 is decoded with
//!   U+FFFD replacement characters), `paths` (the touched paths joined by a
//!   newline, sorted), `path_count` and `parent_count`;
//! * `users`: `user_id` = e-mail address, `display_name` = the first name
//!   seen with it, `seen_as` = `author` and/or `committer`.
//!
//! Touched paths are the paths whose entry differs between the commit's
//! tree and its **first** parent's tree (for a merge: what the merge brought
//! into the branch; for the root commit: every path). A rename is its old
//! and its new path (no rename detection: that needs blob diffs and a
//! similarity threshold, which would change what a path list means). A
//! submodule is one path.
//!
//! Roles: id = `commit_id`, text = `message`, author = `author_email` (the
//! e-mail is what Bitbucket maps to an account, and a person's name is
//! spelled differently across machines far more often than their work
//! address; the names go to the `users` table for the identifier scan),
//! time = `author_time`.
//!
//! What it refuses, naming the repository: a path that is not a repository,
//! a repository without commits (no `HEAD` commit), a shallow clone (its
//! history is truncated, so every per-author figure would be wrong: run
//! `git fetch --unshallow`), and an object that cannot be read or decoded
//! (naming the commit).

use std::collections::BTreeMap;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::ObjectId;

use super::{ImportedSource, SourceFormat, SourceTable, UserCollector, GIT_COMMIT_ROLES};
use crate::data::calendar::iso_utc;
use crate::data::DataError;

/// Columns of the `commits` table, in order.
pub const COMMIT_COLUMNS: [&str; 12] = [
    "commit_id",
    "tree_id",
    "author_name",
    "author_email",
    "committer_name",
    "committer_email",
    "author_time",
    "commit_time",
    "message",
    "paths",
    "path_count",
    "parent_count",
];

/// Commits between two calls of the progress callback.
pub const PROGRESS_EVERY: usize = 500;

fn bad(source: &str, message: String) -> DataError {
    DataError::Parse {
        source_name: source.to_string(),
        message,
    }
}

/// Whether `path` looks like a git repository: a folder holding `.git` (a
/// work tree, or a linked work tree's `.git` file), or a bare repository
/// (`HEAD`, `objects/` and `refs/` in the folder itself).
pub fn is_repository(path: &Path) -> bool {
    path.is_dir()
        && (path.join(".git").exists()
            || (path.join("HEAD").is_file()
                && path.join("objects").is_dir()
                && path.join("refs").is_dir()))
}

/// Reads the repository at `path`; see the module docs.
pub fn read(path: &Path) -> Result<ImportedSource, DataError> {
    read_with_progress(path, &|_| {})
}

/// [`read`], calling `progress(commits read so far)` every
/// [`PROGRESS_EVERY`] commits.
pub fn read_with_progress(
    path: &Path,
    progress: &dyn Fn(usize),
) -> Result<ImportedSource, DataError> {
    let source = path.display().to_string();
    if !path.is_dir() {
        return Err(bad(
            &source,
            "not a git repository: a git source is a folder (a clone's work tree or a bare repository)".into(),
        ));
    }
    if !is_repository(path) {
        return Err(bad(
            &source,
            "not a git repository: the folder has no `.git` and is not a bare repository (HEAD, objects/, refs/)".into(),
        ));
    }
    let mut repo =
        gix::open(path).map_err(|e| bad(&source, format!("not a readable git repository: {e}")))?;
    repo.object_cache_size_if_unset(16 * 1024 * 1024);
    let shallow = repo.is_shallow().map_err(|e| {
        bad(
            &source,
            format!("cannot tell whether the clone is shallow: {e}"),
        )
    })?;
    if shallow {
        let file = repo
            .shallow_file()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| "shallow".into());
        return Err(bad(
            &source,
            format!(
                "a shallow clone ({file} exists): its history is truncated, so commits and authors would be missing; run `git fetch --unshallow` in {source} (or clone without --depth) and try again"
            ),
        ));
    }
    let head = repo
        .head()
        .map_err(|e| bad(&source, format!("cannot read HEAD: {e}")))?;
    if head.is_unborn() {
        return Err(bad(
            &source,
            "the repository has no commits (HEAD points to a branch with no commit yet)".into(),
        ));
    }
    let head_id = repo
        .head_id()
        .map_err(|e| bad(&source, format!("cannot resolve HEAD to a commit: {e}")))?
        .detach();
    let walk = repo.rev_walk([head_id]).all().map_err(|e| {
        bad(
            &source,
            format!("cannot walk the history from HEAD {head_id}: {e}"),
        )
    })?;

    let mut commits = SourceTable::with_columns(&COMMIT_COLUMNS);
    let mut users = UserCollector::default();
    let mut last: ObjectId = head_id;
    for (n, info) in walk.enumerate() {
        let info = info.map_err(|e| {
            bad(
                &source,
                format!("the history is unreadable after commit {last}: {e}; is the repository corrupt? (`git fsck`)"),
            )
        })?;
        let id = info.id;
        last = id;
        let row = read_commit(&repo, id)
            .map_err(|message| bad(&source, format!("commit {id}: {message}")))?;
        users.add(Some(&row.author_email), Some(&row.author_name), "author");
        users.add(
            Some(&row.committer_email),
            Some(&row.committer_name),
            "committer",
        );
        commits.push(row.cells());
        if (n + 1) % PROGRESS_EVERY == 0 {
            progress(n + 1);
        }
    }
    progress(commits.n_rows());
    Ok(ImportedSource::new(
        SourceFormat::Git,
        &source,
        vec![("commits", commits), ("users", users.table())],
        vec![("commits", GIT_COMMIT_ROLES)],
    ))
}

/// One commit's fields.
struct CommitRow {
    id: String,
    tree: String,
    author_name: String,
    author_email: String,
    committer_name: String,
    committer_email: String,
    author_time: String,
    commit_time: String,
    message: String,
    paths: Vec<String>,
    parents: usize,
}

impl CommitRow {
    fn cells(self) -> Vec<(&'static str, Option<String>)> {
        let opt = |s: String| (!s.is_empty()).then_some(s);
        vec![
            ("commit_id", Some(self.id)),
            ("tree_id", Some(self.tree)),
            ("author_name", opt(self.author_name)),
            ("author_email", opt(self.author_email)),
            ("committer_name", opt(self.committer_name)),
            ("committer_email", opt(self.committer_email)),
            ("author_time", Some(self.author_time)),
            ("commit_time", Some(self.commit_time)),
            ("message", Some(self.message)),
            ("path_count", Some(self.paths.len().to_string())),
            ("paths", Some(self.paths.join("\n"))),
            ("parent_count", Some(self.parents.to_string())),
        ]
    }
}

fn read_commit(repo: &gix::Repository, id: ObjectId) -> Result<CommitRow, String> {
    let commit = repo.find_commit(id).map_err(|e| {
        format!("cannot read the commit object ({e}); is the repository corrupt? (`git fsck`)")
    })?;
    let decoded = commit
        .decode()
        .map_err(|e| format!("cannot decode the commit object ({e})"))?;
    let author = decoded
        .author()
        .map_err(|e| format!("malformed author line ({e})"))?;
    let committer = decoded
        .committer()
        .map_err(|e| format!("malformed committer line ({e})"))?;
    let author_time = author
        .time()
        .map_err(|e| format!("malformed author time `{}` ({e})", author.time))?;
    let commit_time = committer
        .time()
        .map_err(|e| format!("malformed committer time `{}` ({e})", committer.time))?;
    let tree = ObjectId::from_hex(decoded.tree.as_bytes())
        .map_err(|e| format!("malformed tree id ({e})"))?;
    let first_parent = match decoded.parents.first() {
        Some(p) => Some(
            ObjectId::from_hex(p.as_bytes()).map_err(|e| format!("malformed parent id ({e})"))?,
        ),
        None => None,
    };
    let parent_tree = match first_parent {
        Some(p) => Some(
            repo.find_commit(p)
                .and_then(|c| c.tree_id().map(|t| t.detach()))
                .map_err(|e| {
                    format!("cannot read its first parent {p} ({e}); is the repository corrupt? (`git fsck`)")
                })?,
        ),
        None => None,
    };
    let mut paths = Vec::new();
    diff_trees(repo, parent_tree, Some(tree), "", &mut paths)?;
    paths.sort();
    Ok(CommitRow {
        id: id.to_string(),
        tree: tree.to_string(),
        author_name: author.name.to_str_lossy().into_owned(),
        author_email: author.email.to_str_lossy().into_owned(),
        committer_name: committer.name.to_str_lossy().into_owned(),
        committer_email: committer.email.to_str_lossy().into_owned(),
        author_time: iso_utc(author_time.seconds),
        commit_time: iso_utc(commit_time.seconds),
        message: decoded.message.to_str_lossy().into_owned(),
        paths,
        parents: decoded.parents.len(),
    })
}

/// An entry of a tree: whether it is a tree, its mode bits (a mode-only
/// change, `chmod +x`, touches the path) and its object id.
type Entries = BTreeMap<String, (bool, u16, ObjectId)>;

fn entries(repo: &gix::Repository, tree: Option<ObjectId>) -> Result<Entries, String> {
    let Some(id) = tree else {
        return Ok(Entries::new());
    };
    let tree = repo.find_tree(id).map_err(|e| {
        format!("cannot read tree {id} ({e}); is the repository corrupt? (`git fsck`)")
    })?;
    let decoded = tree
        .decode()
        .map_err(|e| format!("cannot decode tree {id} ({e})"))?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| {
            (
                e.filename.to_str_lossy().into_owned(),
                (e.mode.is_tree(), e.mode.value(), e.oid.to_owned()),
            )
        })
        .collect())
}

/// Appends to `out` every path under `prefix` whose entry differs between
/// tree `old` and tree `new` (either may be absent: all paths of the other).
fn diff_trees(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &str,
    out: &mut Vec<String>,
) -> Result<(), String> {
    if old == new {
        return Ok(());
    }
    let old = entries(repo, old)?;
    let new = entries(repo, new)?;
    let names: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        let path = format!("{prefix}{name}");
        let (o, n) = (old.get(name), new.get(name));
        if o == n {
            continue;
        }
        let sub =
            |e: Option<&(bool, u16, ObjectId)>| e.filter(|(t, _, _)| *t).map(|(_, _, id)| *id);
        let blob = |e: Option<&(bool, u16, ObjectId)>| e.is_some_and(|(t, _, _)| !*t);
        // A file (or submodule) on either side that changed, appeared or went.
        if blob(o) || blob(n) {
            out.push(path.clone());
        }
        let (os, ns) = (sub(o), sub(n));
        if os.is_some() || ns.is_some() {
            diff_trees(repo, os, ns, &format!("{path}/"), out)?;
        }
    }
    Ok(())
}
