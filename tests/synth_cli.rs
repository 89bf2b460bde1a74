//! The `synth`, `redact` and `pseudonymize` commands end to end through
//! `cli::run`: outputs exist and are consistent, bad input gets a clear error.

use clap::Parser;
use reident::cli::{self, Cli, CliError, Outcome};

fn run(args: &[&str]) -> (Result<Outcome, CliError>, String) {
    let cli = Cli::try_parse_from(std::iter::once("reident").chain(args.iter().copied()))
        .expect("arguments parse");
    let mut out = Vec::new();
    let r = cli::run(cli, &mut out);
    (r, String::from_utf8(out).expect("utf-8"))
}

#[test]
fn synth_then_redact_then_pseudonymize() {
    let dir = tempfile::tempdir().expect("tempdir");
    let corpus = dir.path().join("corpus");
    let c = corpus.to_str().expect("utf-8 path");
    let (r, msg) = run(&[
        "synth",
        "--out",
        c,
        "--users",
        "8",
        "--seed",
        "3",
        "--activity",
        "0.5",
        "--format",
        "ndjson",
    ]);
    assert_eq!(r.expect("synth"), Outcome::Success);
    assert!(msg.contains("8 users"), "{msg}");

    let comments = corpus.join("comments.ndjson");
    let redacted = dir.path().join("comments.csv");
    let (r, msg) = run(&[
        "redact",
        "--input",
        comments.to_str().expect("path"),
        "--output",
        redacted.to_str().expect("path"),
        "--columns",
        "body",
        "--users",
        corpus.join("users.ndjson").to_str().expect("path"),
        "--name-parts",
        "--style",
        "redacted",
    ]);
    assert_eq!(r.expect("redact"), Outcome::Success);
    assert!(msg.contains("redacted 1 column(s)"), "{msg}");
    let text = std::fs::read_to_string(&redacted).expect("redacted csv");
    // No e-mail address or mention survives.
    assert!(!text.contains("@example.com"));
    assert!(!text.contains("[~"));

    let released = dir.path().join("released.csv");
    let (r, _) = run(&[
        "pseudonymize",
        "--input",
        redacted.to_str().expect("path"),
        "--output",
        released.to_str().expect("path"),
        "--columns",
        "author",
        "--scheme",
        "sequential",
    ]);
    assert_eq!(r.expect("pseudonymize"), Outcome::Success);
    let mut reader = csv::Reader::from_path(&released).expect("released csv");
    let headers = reader.headers().expect("headers").clone();
    let author = headers
        .iter()
        .position(|h| h == "author")
        .expect("author column");
    let first = reader.records().next().expect("a row").expect("record");
    assert_eq!(&first[author], "user_0001");
}

#[test]
fn bad_input_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("c");
    // --users 0 is refused by the flag's parser, which names the flag.
    let err = Cli::try_parse_from([
        "reident",
        "synth",
        "--out",
        out.to_str().expect("path"),
        "--users",
        "0",
    ])
    .expect_err("users = 0");
    assert!(err.to_string().contains("--users"), "{err}");

    let input = dir.path().join("t.csv");
    std::fs::write(&input, "author,body\njdoe,hello\n").expect("write");
    let (r, _) = run(&[
        "redact",
        "--input",
        input.to_str().expect("path"),
        "--output",
        dir.path().join("o.csv").to_str().expect("path"),
        "--columns",
        "text",
    ]);
    let err = r.expect_err("unknown column");
    assert!(
        err.to_string()
            .ends_with("no column `text`; the columns are: author, body"),
        "{err}"
    );

    let (r, _) = run(&[
        "pseudonymize",
        "--input",
        input.to_str().expect("path"),
        "--output",
        dir.path().join("o.csv").to_str().expect("path"),
        "--columns",
        "author",
        "--scheme",
        "hmac",
    ]);
    let err = r.expect_err("hmac without secret");
    assert!(err.to_string().contains("--secret"), "{err}");
}
