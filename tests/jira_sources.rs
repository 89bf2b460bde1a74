//! Jira exports read as teams have them (`datasets/jira_export`: real ASF
//! Jira issues written in the navigator's CSV layout and as REST v2 search
//! pages). The two readers are independent implementations over one
//! content, so each checks the other: same issues, same comments, same
//! authors, same times (to the minute the CSV keeps), same bodies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use reident::data::sources::{import, SourceFormat, SourceTable};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/jira_export")
        .join(name)
}

fn col<'a>(t: &'a SourceTable, name: &str) -> Vec<&'a str> {
    t.column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .iter()
        .map(|v| v.as_deref().unwrap_or(""))
        .collect()
}

/// Comments keyed by (issue, position in the issue) -> (author, minute, body).
fn comments(t: &SourceTable) -> BTreeMap<(String, usize), (String, String, String)> {
    let mut n: BTreeMap<String, usize> = BTreeMap::new();
    let (issue, author, created, body) = (
        col(t, "issue_key"),
        col(t, "author"),
        col(t, "created"),
        col(t, "body"),
    );
    (0..t.n_rows())
        .map(|r| {
            let k = n.entry(issue[r].to_string()).or_default();
            *k += 1;
            (
                (issue[r].to_string(), *k),
                (
                    author[r].to_string(),
                    created[r][..16].to_string(),
                    body[r].to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn csv_and_rest_exports_of_one_project_agree() {
    let csv = import(&fixture("export.csv"), None).unwrap();
    let json = import(&fixture("search_v2.json.gz"), None).unwrap();
    assert_eq!(csv.format, SourceFormat::JiraCsv);
    assert_eq!(json.format, SourceFormat::JiraJson);
    let (ci, ji) = (csv.table("issues").unwrap(), json.table("issues").unwrap());
    assert_eq!((ci.n_rows(), ji.n_rows()), (59, 59));
    for field in ["issue_key", "summary", "description", "reporter", "status"] {
        let (a, b) = (col(ci, field), col(ji, field));
        // The REST reporter is the display name, the CSV's the username:
        // compare usernames through reporter_id on the REST side.
        let b = if field == "reporter" {
            col(ji, "reporter_id")
        } else {
            b
        };
        assert_eq!(a, b, "{field}");
    }
    let created: Vec<String> = col(ji, "created")
        .iter()
        .map(|c| c[..16].to_string())
        .collect();
    assert_eq!(col(ci, "created"), created);
    assert_eq!(col(ci, "created")[0], "2020-11-04T19:59");
    let (cc, jc) = (
        comments(csv.table("comments").unwrap()),
        comments(json.table("comments").unwrap()),
    );
    assert_eq!(cc.len(), 265);
    assert_eq!(cc, jc);
    // Users: every username the export names (the 82 of the truth file:
    // reporters, assignees, comment authors) is in both users tables, with
    // the display name where the REST export gives one.
    let truth = std::fs::read_to_string(fixture("release_truth.csv")).unwrap();
    let logins: Vec<&str> = truth
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(logins.len(), 82);
    for users in [csv.table("users").unwrap(), json.table("users").unwrap()] {
        let ids = col(users, "user_id");
        let missing: Vec<_> = logins.iter().filter(|l| !ids.contains(l)).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }
    let names = json.table("users").unwrap();
    let (ids, display) = (col(names, "user_id"), col(names, "display_name"));
    let row = ids.iter().position(|i| *i == "grussell").unwrap();
    assert_eq!(display[row], "Gary Russell");
}

fn reident(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_reident"))
        .args(args)
        .output()
        .expect("run reident")
}

#[test]
fn import_writes_tables_and_keeps_inputs_safe() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("imported");
    let export = fixture("export.csv");
    let args = [
        "import",
        export.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ];
    let out = reident(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("read as jira-csv") && text.contains("265 rows"),
        "{text}"
    );
    let comments = std::fs::read_to_string(out_dir.join("comments.ndjson")).unwrap();
    assert_eq!(comments.lines().count(), 265);
    let first: serde_json::Value = serde_json::from_str(comments.lines().next().unwrap()).unwrap();
    assert_eq!(first["comment_id"], "KAFKA-10683#1");
    // A second run does not replace the files without --force.
    let out = reident(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn bad_exports_name_the_file_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    // A truncated gzip.
    let gz = std::fs::read(fixture("search_v2.json.gz")).unwrap();
    let cut = write(dir.path(), "cut.json.gz", &gz[..gz.len() / 2]);
    let err = import(&cut, None).unwrap_err().to_string();
    assert!(
        err.contains("cut.json.gz") && err.contains("truncated"),
        "{err}"
    );
    // A comment cell whose date is no date: the first comment of the first
    // issue (KAFKA-10683, whose record starts on line 2).
    let csv = std::fs::read_to_string(fixture("export.csv")).unwrap();
    assert_eq!(csv.matches("05/Nov/20 3:34 PM;").count(), 1);
    let broken = csv.replacen("05/Nov/20 3:34 PM;", "Tuesday;", 1);
    let p = write(dir.path(), "broken.csv", broken.as_bytes());
    let err = import(&p, Some(SourceFormat::JiraCsv))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("broken.csv")
            && err.contains("line 2")
            && err.contains("issue KAFKA-10683")
            && err.contains("`Comment`")
            && err.contains("`Tuesday;"),
        "{err}"
    );
    // A record cut short: the file ends inside a quoted cell.
    let p = write(dir.path(), "cut.csv", &csv.as_bytes()[..csv.len() / 2]);
    let err = import(&p, None).unwrap_err().to_string();
    assert!(
        err.contains("cut.csv") && err.contains("cut short"),
        "{err}"
    );
    // Something that is no Jira export at all.
    let p = write(dir.path(), "other.csv", b"a,b\n1,2\n");
    let err = import(&p, None).unwrap_err().to_string();
    assert!(err.contains("cannot tell which export"), "{err}");
}

/// The Data pipeline export of the same 59 issues
/// (`datasets/jira_export/pipeline`, written by `make_pipeline.py` after
/// Atlassian's "Data pipeline export schema") agrees with the navigator CSV:
/// same keys, summaries and descriptions (line breaks printed as `\n`, cut
/// at 2,000 characters, as the schema documents), reporters (numeric ids
/// resolved through the users file), creation minutes; its users table has
/// every login with a display name and e-mail, and its history is traces.
#[test]
fn data_pipeline_folder_agrees_with_the_navigator_csv() {
    let csv = import(&fixture("export.csv"), None).unwrap();
    let dir = fixture("pipeline");
    let dp = import(&dir, None).unwrap();
    assert_eq!(dp.format, SourceFormat::JiraPipeline);
    let (ci, pi) = (csv.table("issues").unwrap(), dp.table("issues").unwrap());
    assert_eq!(pi.n_rows(), 59);
    for field in ["issue_key", "reporter", "status"] {
        assert_eq!(col(ci, field), col(pi, field), "{field}");
    }
    let flat = |s: &str| s.replace("\r\n", "\\n").replace(['\n', '\r'], "\\n");
    let cut = |s: String| s.chars().take(2000).collect::<String>();
    for field in ["summary", "description"] {
        let want: Vec<String> = col(ci, field).iter().map(|s| cut(flat(s))).collect();
        let got: Vec<String> = col(pi, field).iter().map(|s| s.to_string()).collect();
        assert_eq!(want, got, "{field}");
    }
    let minutes: Vec<String> = col(pi, "created")
        .iter()
        .map(|c| c[..16].to_string())
        .collect();
    assert_eq!(col(ci, "created"), minutes);
    assert_eq!(col(pi, "reporter_id")[0], "10000");
    let users = dp.table("users").unwrap();
    let (ids, names, emails) = (
        col(users, "user_id"),
        col(users, "display_name"),
        col(users, "email"),
    );
    // The 82 users of the users file, then the 2 logins only mentioned in text.
    assert_eq!(ids.len(), 84);
    let seen = col(users, "seen_as");
    assert_eq!(seen.iter().filter(|s| **s == "users file").count(), 82);
    assert_eq!(&seen[82..], ["mention", "mention"]);
    let truth = std::fs::read_to_string(fixture("release_truth.csv")).unwrap();
    for login in truth.lines().skip(1).map(|l| l.split(',').next().unwrap()) {
        assert!(ids.contains(&login), "{login}");
    }
    let row = ids.iter().position(|i| *i == "grussell").unwrap();
    assert_eq!(
        (names[row], emails[row]),
        ("Gary Russell", "grussell@example.invalid")
    );
    // 13 resolved issues, two changed fields each, by their assignee.
    let h = dp.table("issue_history").unwrap();
    assert_eq!(h.n_rows(), 26);
    assert_eq!(
        (col(h, "user")[0], col(h, "action")[0], col(h, "object")[0]),
        ("grussell", "status", "KAFKA-10683")
    );
    assert_eq!(col(h, "timestamp")[0], "2025-10-22T17:48:29Z");

    // One file alone is read too; without the users file the reporter is
    // the numeric id the file holds.
    let issues = dir.join("issues_job1_20260412120000.csv");
    let alone = import(&issues, None).unwrap();
    assert_eq!(alone.format, SourceFormat::JiraPipeline);
    assert_eq!(col(alone.table("issues").unwrap(), "reporter")[0], "10000");
}

#[test]
fn bad_pipeline_files_name_the_file_row_and_column() {
    let src = fixture("pipeline");
    let copy = |edit: &dyn Fn(&str, String) -> String| {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(&src).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(dir.path().join(&name), edit(&name, text)).unwrap();
        }
        dir
    };
    // A bad date in the history: the 26 changes start on line 2.
    let dir = copy(&|name, text| {
        if name.starts_with("issue_history") {
            text.replacen("2025-10-22T17:48:29Z", "22/Oct/25", 1)
        } else {
            text
        }
    });
    let err = import(dir.path(), None).unwrap_err().to_string();
    assert!(
        err.contains("issue_history_job1_20260412120000.csv")
            && err.contains("line 2")
            && err.contains("`created_date`")
            && err.contains("`22/Oct/25`"),
        "{err}"
    );
    // A renamed header column.
    let dir = copy(&|name, text| {
        if name.starts_with("issues") {
            text.replacen("summary", "title", 1)
        } else {
            text
        }
    });
    let err = import(dir.path(), None).unwrap_err().to_string();
    assert!(
        err.contains("issues_job1") && err.contains("line 1") && err.contains("lacks `summary`"),
        "{err}"
    );
    // A users file cut inside a quoted field, and one with a short row.
    let dir = copy(&|name, text| {
        if name.starts_with("users") {
            let at = text.find("Gary Russell").unwrap();
            format!("{}\"Gary", &text[..at])
        } else {
            text
        }
    });
    let err = import(dir.path(), None).unwrap_err().to_string();
    assert!(
        err.contains("users_job1") && err.contains("line 2") && err.contains("never closed"),
        "{err}"
    );
    let dir = copy(&|name, text| {
        if name.starts_with("users") {
            text.replacen(",grussell@example.invalid", "", 1)
        } else {
            text
        }
    });
    let err = import(dir.path(), None).unwrap_err().to_string();
    assert!(
        err.contains("users_job1")
            && err.contains("line 2")
            && err.contains("one field per header"),
        "{err}"
    );
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (name, text) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    buf.into_inner()
}

/// Confluence space exports cut short or damaged, read through `import` as a
/// user gives them (format detected, or named): the error names the file
/// and, where the archive can be opened, the entry.
#[test]
fn bad_confluence_zips_name_the_file_and_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let page = "<html><head><title>ENG : Deploy guide</title></head><body><div id=\"main-content\"><p>Run make deploy.</p></div></body></html>";
    let entities = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hibernate-generic datetime=\"2026-01-01 10:00:00\">\n<object class=\"Page\" package=\"com.atlassian.confluence.pages\"><id name=\"id\">100</id><property name=\"title\"><![CDATA[Deploy guide]]></property></object>\n</hibernate-generic>\n";
    // An HTML export cut in half (the zip's directory is at its end).
    let html = zip_of(&[
        ("ENG/index.html", page),
        ("ENG/Deploy-guide_98305.html", page),
    ]);
    let p = write(dir.path(), "eng-html.zip", &html[..html.len() / 2]);
    let err = import(&p, None).unwrap_err().to_string();
    assert!(
        err.contains("eng-html.zip") && err.contains("truncated"),
        "{err}"
    );
    // An XML export cut short, read with its format named.
    let xml = zip_of(&[
        ("entities.xml", entities),
        ("exportDescriptor.properties", "a=b"),
    ]);
    let p = write(dir.path(), "eng-xml.zip", &xml[..xml.len() - 40]);
    let err = import(&p, Some(SourceFormat::ConfluenceXml))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("eng-xml.zip") && err.contains("truncated"),
        "{err}"
    );
    // A whole archive whose entities.xml was cut inside an object.
    let cut = &entities[..entities.find("<property").unwrap()];
    let p = write(dir.path(), "eng-cut.zip", &zip_of(&[("entities.xml", cut)]));
    let err = import(&p, None).unwrap_err().to_string();
    assert!(
        err.contains("eng-cut.zip") && err.contains("cut short"),
        "{err}"
    );
    // A damaged entry: its bytes changed after the checksum was written.
    let mut damaged = zip_of(&[("ENG/Deploy-guide_98305.html", page)]);
    let at = damaged
        .windows(b"Run make".len())
        .position(|w| w == b"Run make");
    // Deflated (the default), the text is not there to find: byte 60 lies
    // inside the compressed data (30-byte header + 27-byte name before it).
    let at = at.unwrap_or(60);
    damaged[at] ^= 0x20;
    let p = write(dir.path(), "eng-damaged.zip", &damaged);
    let err = import(&p, Some(SourceFormat::ConfluenceHtml))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("eng-damaged.zip")
            && err.contains("Deploy-guide_98305.html")
            && err.contains("cannot read this entry"),
        "{err}"
    );
}

/// Comment cells of the navigator CSV that are not `date;author;body`: no
/// `;` at all, or a date and an author with no body separator. The error
/// names the file, the line the issue's record starts on, the issue and the
/// column.
#[test]
fn comment_cells_of_the_wrong_shape_name_the_file_line_issue_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(fixture("export.csv")).unwrap();
    let cell_start = csv.find("05/Nov/20 3:34 PM;").unwrap();
    let cell_end = cell_start + csv[cell_start..].find(";").unwrap();
    let author_end = cell_end + 1 + csv[cell_end + 1..].find(";").unwrap();
    for (name, broken) in [
        // The date and author removed: only the body is left.
        (
            "no-parts.csv",
            format!("{}{}", &csv[..cell_start], &csv[author_end + 1..]),
        ),
        // The separator between author and body removed.
        (
            "two-parts.csv",
            format!("{}{}", &csv[..author_end], &csv[author_end + 1..]),
        ),
    ] {
        let p = write(dir.path(), name, broken.as_bytes());
        let err = import(&p, Some(SourceFormat::JiraCsv))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(name)
                && err.contains("line 2")
                && err.contains("issue KAFKA-10683")
                && err.contains("`Comment`")
                && err.contains("date;author;body"),
            "{name}: {err}"
        );
    }
}
