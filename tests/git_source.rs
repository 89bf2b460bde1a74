//! git repositories read as commits (`data::sources::git`). The fixtures are
//! built here with the `git` program (the reader itself never runs it), with
//! fixed authors, committers, dates and messages, so every field is known by
//! hand. Without `git` on the PATH each test says so and passes vacuously.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use reident::data::sources::{import, SourceFormat, SourceTable};

/// Runs `git args` in `dir` with a fixed identity and date; `None` when git is absent.
fn git(
    dir: &Path,
    args: &[&str],
    who: (&str, &str, &str),
    committer: Option<(&str, &str)>,
) -> String {
    let (name, email, date) = who;
    let (c_name, c_email) = committer.unwrap_or((name, email));
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_NAME", c_name)
        .env("GIT_COMMITTER_EMAIL", c_email)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn have_git() -> bool {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: the `git` program is not on the PATH; these tests build their fixture repositories with it");
    }
    ok
}

const ALICE: (&str, &str) = ("Alice Archer", "alice@example.com");
const BOB: (&str, &str) = ("Bob Baker", "bob@example.org");
const CAROL: (&str, &str) = ("Carol Cruz", "carol@example.net");

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Five commits: a root, a change by Bob committed by Carol (in UTC+02:00),
/// a rename on a branch, a change on main, and Carol's merge of the branch.
/// Returns the commit ids, oldest first.
fn build_repo(dir: &Path) -> Vec<String> {
    let at = |who: (&'static str, &'static str), date: &'static str| (who.0, who.1, date);
    let a1 = at(ALICE, "2024-01-02T10:00:00+00:00");
    git(dir, &["init", "-q", "-b", "main"], a1, None);
    write(dir, "README.md", "# demo\n");
    write(dir, "src/lib.rs", "pub fn one() -> u32 { 1 }\n");
    git(dir, &["add", "-A"], a1, None);
    git(
        dir,
        &["commit", "-q", "-m", "Initial commit\n\nSets up the crate."],
        a1,
        None,
    );
    let c1 = git(dir, &["rev-parse", "HEAD"], a1, None);

    let b2 = at(BOB, "2024-01-03T11:30:00+02:00");
    write(
        dir,
        "src/lib.rs",
        "pub fn one() -> u32 { 1 }\npub fn two() -> u32 { 2 }\n",
    );
    write(dir, "docs/guide.md", "Read me.\n");
    git(dir, &["add", "-A"], b2, Some(CAROL));
    git(
        dir,
        &["commit", "-q", "-m", "Add guide; fixes PAY-12"],
        b2,
        Some(CAROL),
    );
    let c2 = git(dir, &["rev-parse", "HEAD"], b2, None);

    let a3 = at(ALICE, "2024-01-04T00:00:00+00:00");
    git(dir, &["checkout", "-q", "-b", "feature"], a3, None);
    git(dir, &["mv", "README.md", "README"], a3, None);
    git(dir, &["commit", "-q", "-m", "Rename readme"], a3, None);
    let c3 = git(dir, &["rev-parse", "HEAD"], a3, None);

    let b4 = at(BOB, "2024-01-05T08:15:00-05:00");
    git(dir, &["checkout", "-q", "main"], b4, None);
    write(dir, "docs/guide.md", "Read me first.\n");
    git(
        dir,
        &["commit", "-q", "-a", "-m", "Reword the guide"],
        b4,
        None,
    );
    let c4 = git(dir, &["rev-parse", "HEAD"], b4, None);

    let c5d = at(CAROL, "2024-01-06T12:00:00+00:00");
    git(
        dir,
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge branch 'feature'",
            "feature",
        ],
        c5d,
        None,
    );
    let c5 = git(dir, &["rev-parse", "HEAD"], c5d, None);
    vec![c1, c2, c3, c4, c5]
}

fn rows(t: &SourceTable) -> BTreeMap<String, BTreeMap<String, String>> {
    let ids = t.column("commit_id").unwrap();
    (0..t.n_rows())
        .map(|r| {
            let row = t
                .columns
                .iter()
                .zip(&t.cells)
                .filter_map(|(c, v)| v[r].clone().map(|v| (c.clone(), v)))
                .collect();
            (ids[r].clone().unwrap(), row)
        })
        .collect()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn every_field_of_hand_made_commits() {
    if !have_git() {
        return;
    }
    let tmp = tempdir();
    let dir = tmp.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    let ids = build_repo(&dir);
    // Detected as git from the folder.
    let imported = import(&dir, None).unwrap();
    assert_eq!(imported.format, SourceFormat::Git);
    let commits = imported.table("commits").unwrap();
    assert_eq!(commits.n_rows(), 5);
    let by_id = rows(commits);
    let expect = [
        (
            &ids[0],
            ALICE,
            ALICE,
            "2024-01-02T10:00:00Z",
            "Initial commit\n\nSets up the crate.\n",
            "README.md\nsrc/lib.rs",
            "2",
            "0",
        ),
        (
            &ids[1],
            BOB,
            CAROL,
            "2024-01-03T09:30:00Z",
            "Add guide; fixes PAY-12\n",
            "docs/guide.md\nsrc/lib.rs",
            "2",
            "1",
        ),
        (
            &ids[2],
            ALICE,
            ALICE,
            "2024-01-04T00:00:00Z",
            "Rename readme\n",
            "README\nREADME.md",
            "2",
            "1",
        ),
        (
            &ids[3],
            BOB,
            BOB,
            "2024-01-05T13:15:00Z",
            "Reword the guide\n",
            "docs/guide.md",
            "1",
            "1",
        ),
        // The merge, against its first parent (main): what the branch brought.
        (
            &ids[4],
            CAROL,
            CAROL,
            "2024-01-06T12:00:00Z",
            "Merge branch 'feature'\n",
            "README\nREADME.md",
            "2",
            "2",
        ),
    ];
    for (id, author, committer, time, message, paths, n_paths, parents) in expect {
        let row = &by_id[id.as_str()];
        assert_eq!(row["author_name"], author.0, "{id}");
        assert_eq!(row["author_email"], author.1, "{id}");
        assert_eq!(row["committer_name"], committer.0, "{id}");
        assert_eq!(row["committer_email"], committer.1, "{id}");
        assert_eq!(row["author_time"], time, "{id}");
        assert_eq!(row["commit_time"], time, "{id}");
        assert_eq!(row["message"], message, "{id}");
        assert_eq!(row["paths"], paths, "{id}");
        assert_eq!(row["path_count"], n_paths, "{id}");
        assert_eq!(row["parent_count"], parents, "{id}");
        assert_eq!(row["tree_id"].len(), 40);
    }
    // Roles: id = sha, text = message, author = e-mail, time = author time.
    let roles = &imported.corpora["commits"];
    assert_eq!(
        (roles.id, roles.text, roles.author, roles.time),
        ("commit_id", &["message"][..], "author_email", "author_time")
    );
    // Users: e-mail -> first name seen; Carol is both committer and author.
    let users = imported.table("users").unwrap();
    let got: BTreeMap<String, (String, String)> = (0..users.n_rows())
        .map(|r| {
            let cell = |c: &str| users.column(c).unwrap()[r].clone().unwrap_or_default();
            (cell("user_id"), (cell("display_name"), cell("seen_as")))
        })
        .collect();
    let want: BTreeMap<String, (String, String)> = [
        (ALICE, "author,committer"),
        // Bob committed his own fourth commit.
        (BOB, "author,committer"),
        (CAROL, "author,committer"),
    ]
    .into_iter()
    .map(|((n, e), s)| (e.to_string(), (n.to_string(), s.to_string())))
    .collect();
    assert_eq!(got, want);

    // A bare clone reads the same commits.
    let bare = tmp.path().join("bare.git");
    git(
        tmp.path(),
        &["clone", "-q", "--bare", dir.to_str().unwrap(), "bare.git"],
        ("x", "x@x", "2024-01-01T00:00:00+00:00"),
        None,
    );
    let from_bare = import(&bare, None).unwrap();
    assert_eq!(from_bare.format, SourceFormat::Git);
    assert_eq!(rows(from_bare.table("commits").unwrap()), by_id);
}

#[test]
fn reident_import_detects_a_repository_folder() {
    if !have_git() {
        return;
    }
    let tmp = tempdir();
    let dir = tmp.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    build_repo(&dir);
    let out_dir = tmp.path().join("imported");
    let out = Command::new(env!("CARGO_BIN_EXE_reident"))
        .args([
            "import",
            dir.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("read as git"), "{text}");
    assert!(text.contains("commits.ndjson: 5 rows, 12 columns (id commit_id, text message, author author_email, time author_time)"), "{text}");
    assert!(text.contains("users.ndjson: 3 rows"), "{text}");
    let first = std::fs::read_to_string(out_dir.join("commits.ndjson")).unwrap();
    let first: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    // The walk starts at HEAD, the merge.
    assert_eq!(first["message"], "Merge branch 'feature'\n");
    assert_eq!(first["paths"], "README\nREADME.md");

    // The audit takes the folder as `git` without a `format` key.
    let bare = tmp.path().join("bare.git");
    git(
        tmp.path(),
        &["clone", "-q", "--bare", dir.to_str().unwrap(), "bare.git"],
        ("x", "x@x", "2024-01-01T00:00:00+00:00"),
        None,
    );
    let config = format!(
        "title = \"t\"\n[[corpus]]\nname = \"code\"\noriginal = {:?}\nrelease = {:?}\n",
        dir.display().to_string(),
        bare.display().to_string()
    );
    let config =
        reident::audit::AuditConfig::from_toml(&config, "inline.toml", tmp.path()).unwrap();
    let corpus = &config.corpora[0];
    assert_eq!(corpus.format.as_deref(), Some("git"));
    assert_eq!(corpus.table.as_deref(), Some("commits"));
    assert_eq!(corpus.id, "commit_id");
    assert_eq!(corpus.author.as_deref(), Some("author_email"));
}

#[test]
fn shallow_clone_empty_repo_non_repo_and_corrupt_object_are_errors() {
    if !have_git() {
        return;
    }
    let tmp = tempdir();
    let dir = tmp.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    let ids = build_repo(&dir);
    let who = ("x", "x@x", "2024-01-01T00:00:00+00:00");

    let url = format!("file://{}", dir.display());
    git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        who,
        None,
    );
    let shallow = tmp.path().join("shallow");
    let err = import(&shallow, Some(SourceFormat::Git))
        .unwrap_err()
        .to_string();
    assert!(err.contains("shallow clone"), "{err}");
    assert!(err.contains("git fetch --unshallow"), "{err}");
    assert!(err.contains(&shallow.display().to_string()), "{err}");

    let plain: PathBuf = tmp.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("notes.txt"), "hello").unwrap();
    let err = import(&plain, Some(SourceFormat::Git))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a git repository"), "{err}");
    let err = import(&plain, None).unwrap_err().to_string();
    assert!(
        err.contains("neither a git repository") && err.contains("nor a Jira Data pipeline export"),
        "{err}"
    );
    let err = import(&plain.join("notes.txt"), Some(SourceFormat::Git))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a git repository"), "{err}");
    let err = import(&dir, Some(SourceFormat::JiraCsv))
        .unwrap_err()
        .to_string();
    assert!(err.contains("a folder"), "{err}");

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    git(&empty, &["init", "-q", "-b", "main"], who, None);
    let err = import(&empty, None).unwrap_err().to_string();
    assert!(err.contains("no commits"), "{err}");

    // Delete the (loose) root tree of the fourth commit: the merge, which
    // diffs against it, is named, and so is the missing tree.
    let tree4 = git(
        &dir,
        &["rev-parse", &format!("{}^{{tree}}", ids[3])],
        who,
        None,
    );
    let loose = dir.join(".git/objects").join(&tree4[..2]).join(&tree4[2..]);
    std::fs::remove_file(&loose).unwrap();
    let err = import(&dir, None).unwrap_err().to_string();
    assert!(err.contains(&tree4), "{err}");
    assert!(err.contains(&format!("commit {}", ids[4])), "{err}");
}
