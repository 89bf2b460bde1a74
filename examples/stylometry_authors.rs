//! Stylometric attribution accuracy against the number of candidate authors,
//! on the bundled demo corpus (`datasets/atlassian_demo`, generated, see its
//! SOURCE.md): the 1,637 Jira comments of 200 users, once as written
//! (`original/`) and once as the vendor released them (`release/`: authors
//! replaced by HMAC pseudonyms, identifiers in the text redacted to
//! placeholders). Release comments are labelled with their true author through
//! the truth key (`truth/user_map.csv`), so both corpora have the same author
//! list and every author draw below picks the same people in both: the two
//! columns differ only in what the vendor did to the text.
//!
//! For each number of candidate authors m, `sweep_authors` draws 4 seeded
//! random sets of m authors (for m = 200, all authors once) and
//! cross-validates Cosine Delta (Smith & Aldridge 2011) on the 100 most
//! frequent words with 3 stratified folds; the table shows the mean top-1
//! accuracy (and its standard deviation over the draws) next to the chance
//! baseline 1/m. Redaction removes names, not style: the release curve stays
//! as far above chance as the original one. A chart of both curves is written
//! to `reident-examples/accuracy_vs_authors.svg` in the system temp directory.
//!
//! Run with `cargo run --example stylometry_authors`.

use std::collections::HashMap;
use std::path::Path;

use reident::attacks::stylometry::corpus::{string_column, Corpus};
use reident::attacks::stylometry::pipeline::{ClassifierKind, ClassifierSpec, PipelineConfig};
use reident::data::{read_frame, ReadOptions};
use reident::eval::cross_validation::{sweep_authors, SweepPoint};
use reident::report::charts::{accuracy_vs_authors, NamedCurve};

/// Numbers of candidate authors drawn `DRAWS` times each.
const AUTHOR_COUNTS: [usize; 6] = [2, 5, 10, 25, 50, 100];
const DRAWS: usize = 4;
/// All authors: one draw (more draws would only reshuffle the folds).
const ALL_AUTHORS: usize = 200;
const FOLDS: usize = 3;
const SEED: u64 = 42;

/// Pseudonym -> login, from the demo's truth key.
fn truth_key(file: &Path) -> Result<HashMap<String, String>, Box<dyn std::error::Error>> {
    let frame = read_frame(file, &ReadOptions::default())?;
    let logins = string_column(&frame, "login")?;
    let pseudonyms = string_column(&frame, "pseudonym")?;
    Ok(pseudonyms
        .into_iter()
        .zip(logins)
        .filter_map(|(p, l)| Some((p?, l?)))
        .collect())
}

/// The non-empty comment bodies of `file` with their authors, each author
/// mapped through `login_of` when given.
fn comments(
    file: &Path,
    login_of: Option<&HashMap<String, String>>,
) -> Result<Corpus, Box<dyn std::error::Error>> {
    let frame = read_frame(file, &ReadOptions::default())?;
    let bodies = string_column(&frame, "body")?;
    let authors = string_column(&frame, "author")?;
    let (mut texts, mut names) = (Vec::new(), Vec::new());
    for (row, (body, author)) in bodies.into_iter().zip(authors).enumerate() {
        let (Some(body), Some(author)) = (body, author) else {
            continue;
        };
        if body.trim().is_empty() {
            continue;
        }
        let author = match login_of {
            Some(map) => map.get(&author).cloned().ok_or_else(|| {
                format!(
                    "{}: row {}: pseudonym `{author}` is not in the truth key",
                    file.display(),
                    row + 1
                )
            })?,
            None => author,
        };
        texts.push(body);
        names.push(author);
    }
    Ok(Corpus::from_named(texts, &names)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/atlassian_demo");
    let login_of = truth_key(&demo.join("truth/user_map.csv"))?;
    let original = comments(&demo.join("original/comments.ndjson.gz"), None)?;
    let release = comments(&demo.join("release/comments.ndjson.gz"), Some(&login_of))?;
    assert_eq!(original.authors, release.authors);
    let config =
        PipelineConfig::burrows(100).with_classifier(ClassifierSpec::new(ClassifierKind::Cosine));
    let sweep = |corpus: &Corpus| -> Result<Vec<SweepPoint>, Box<dyn std::error::Error>> {
        let none = &|_, _| {};
        let mut points = sweep_authors(corpus, &config, &AUTHOR_COUNTS, DRAWS, FOLDS, SEED, none)?;
        points.extend(sweep_authors(
            corpus,
            &config,
            &[ALL_AUTHORS],
            1,
            FOLDS,
            SEED,
            none,
        )?);
        Ok(points)
    };
    let on_original = sweep(&original)?;
    let on_release = sweep(&release)?;

    println!(
        "demo corpus: {} comments by {} authors, as written and as released (redacted)",
        original.len(),
        original.authors.len(),
    );
    println!(
        "Cosine Delta, 100 most frequent words, {FOLDS}-fold CV, {DRAWS} author draws per m < {ALL_AUTHORS}\n"
    );
    println!(
        "{:>7} {:>8}   {:>16} {:>16} {:>12}",
        "authors", "chance", "original", "release", "release /"
    );
    println!(
        "{:>7} {:>8}   {:>16} {:>16} {:>12}",
        "m", "1/m", "top-1 (sd)", "top-1 (sd)", "chance"
    );
    // "7.4% (1.2)": mean and standard deviation over the draws, in points.
    let cell = |p: &SweepPoint| {
        let sd = if p.runs > 1 {
            format!("({:>4.1})", 100.0 * p.sd_top1)
        } else {
            "      ".to_string()
        };
        format!("{:>7.1}% {sd}", 100.0 * p.mean_top1)
    };
    for (o, r) in on_original.iter().zip(&on_release) {
        println!(
            "{:>7} {:>7.1}%   {:>16} {:>16} {:>11.1}x",
            o.x,
            100.0 * o.chance,
            cell(o),
            cell(r),
            r.mean_top1 / r.chance,
        );
    }

    let curve = |label: &str, points: &[SweepPoint]| {
        NamedCurve::new(
            label,
            points.iter().map(|p| (p.x as f64, p.mean_top1)).collect(),
        )
    };
    let chart = accuracy_vs_authors(&[
        curve("original comments", &on_original),
        curve("released comments (redacted)", &on_release),
    ])?;
    let out = std::env::temp_dir().join("reident-examples");
    std::fs::create_dir_all(&out)?;
    let svg = out.join("accuracy_vs_authors.svg");
    std::fs::write(&svg, chart.svg)?;
    println!("\nchart: {}", svg.display());
    Ok(())
}
