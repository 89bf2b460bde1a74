//! `reident stylometry`: closed-set authorship attribution. Trains a feature
//! pipeline and classifier on `--train` and attributes `--test` (scored when
//! the test file has the author column), or cross-validates on `--train`
//! alone; optional sweeps over the number of candidate authors and the test
//! text length. Prints one JSON report.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use super::{CliError, Outcome};
use crate::attacks::stylometry::corpus::{string_column, Corpus};
use crate::attacks::stylometry::delta::{KnnDistance, Profile};
use crate::attacks::stylometry::evaluate::{
    cross_validate, sweep_authors, sweep_length, CrossValidation, SweepPoint,
};
use crate::attacks::stylometry::features::{FeatureConfig, FeatureKind};
use crate::attacks::stylometry::normalize::Normalization;
use crate::attacks::stylometry::pipeline::{
    attribute, AttributionRun, ClassifierKind, ClassifierSpec, PipelineConfig,
};
use crate::attacks::stylometry::tokenize::{CodeHandling, MarkupHandling, TokenizerOptions};
use crate::attacks::stylometry::StylometryError;
use crate::data::{read_frame, ReadOptions};

/// Arguments of `reident stylometry`.
#[derive(Debug, clap::Args)]
pub struct StylometryArgs {
    /// Training documents with known authors (.csv, .ndjson/.jsonl[.gz], .parquet).
    #[arg(long)]
    pub train: PathBuf,
    /// Documents to attribute; without it, cross-validate on --train.
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Column holding the document text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Column holding the author (in --train, and in --test when present there).
    #[arg(long, default_value = "author")]
    pub author_column: String,
    /// Feature families, comma-separated: mfw:N:CULL%, function-words,
    /// char:MIN-MAX:TOP, word:N:TOP, stems:LANG:TOP, bpe:VOCAB:TOP, format
    /// (trailing parts optional).
    #[arg(long, value_delimiter = ',', default_value = "mfw:100")]
    pub features: Vec<String>,
    /// Classifier.
    #[arg(long, value_enum, default_value_t = ClassifierKind::Burrows)]
    pub classifier: ClassifierKind,
    /// Normalization fitted on the training rows.
    #[arg(long, value_enum, default_value_t = Normalization::None)]
    pub normalization: Normalization,
    /// Delta author profile: the author's mean (centroid) or their nearest training document.
    #[arg(long, value_enum, default_value_t = ProfileArg::Centroid)]
    pub profile: ProfileArg,
    /// k for kNN.
    #[arg(long, default_value_t = 3)]
    pub k: usize,
    /// Keep Jira/Confluence/Markdown markup in the words instead of stripping it.
    #[arg(long)]
    pub keep_markup: bool,
    /// Keep code blocks ({code}, {noformat}, ``` fences) instead of removing them.
    #[arg(long)]
    pub keep_code: bool,
    /// Drop rows whose text is empty or null (their row numbers are reported) instead of failing.
    #[arg(long)]
    pub skip_empty: bool,
    /// Cross-validation folds (without --test, and for sweeps).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of fold assignment and author sampling.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Authors listed per attributed document.
    #[arg(long, default_value_t = 3)]
    pub top_n: usize,
    /// Sweep accuracy over these numbers of candidate authors (cross-validated on --train).
    #[arg(long, value_delimiter = ',')]
    pub sweep_authors: Vec<usize>,
    /// Random author subsets per point of --sweep-authors.
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Sweep accuracy over these test lengths in words (cross-validated on --train).
    #[arg(long, value_delimiter = ',')]
    pub sweep_lengths: Vec<usize>,
}

/// Author profile choice on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileArg {
    /// Mean of the author's training documents.
    Centroid,
    /// The author's nearest training document.
    NearestDocument,
}

/// The JSON report of `reident stylometry`.
#[derive(Debug, Serialize)]
pub struct StylometryReport {
    /// Training file.
    pub train: String,
    /// Test file, if any.
    pub test: Option<String>,
    /// Training rows dropped by --skip-empty (0-based data rows).
    pub skipped_train_rows: Vec<usize>,
    /// Test rows dropped by --skip-empty.
    pub skipped_test_rows: Vec<usize>,
    /// Train/test attribution.
    pub attribution: Option<AttributionRun>,
    /// Cross-validation on --train (when there is no --test).
    pub cross_validation: Option<CrossValidation>,
    /// Accuracy versus number of candidate authors.
    pub accuracy_by_authors: Vec<SweepPoint>,
    /// Accuracy versus test length in words.
    pub accuracy_by_length: Vec<SweepPoint>,
}

fn usage(message: String) -> CliError {
    CliError::Stylometry(StylometryError::Invalid(message))
}

/// Texts and (if the column exists) authors of a file, dropping or rejecting
/// empty texts. Returns (texts, authors, skipped rows).
type Loaded = (Vec<String>, Option<Vec<String>>, Vec<usize>);

fn load(path: &Path, args: &StylometryArgs, author_required: bool) -> Result<Loaded, CliError> {
    let name = path.display().to_string();
    let frame = read_frame(path, &ReadOptions::default())?;
    let text =
        string_column(&frame, &args.text_column).map_err(|e| usage(format!("{name}: {e}")))?;
    let has_author = frame.column(&args.author_column).is_ok();
    if author_required && !has_author {
        return Err(usage(format!(
            "{name}: no author column `{}` (set --author-column)",
            args.author_column
        )));
    }
    let author = if has_author {
        Some(
            string_column(&frame, &args.author_column)
                .map_err(|e| usage(format!("{name}: {e}")))?,
        )
    } else {
        None
    };
    let mut texts = Vec::new();
    let mut authors = Vec::new();
    let mut skipped = Vec::new();
    for (row, t) in text.into_iter().enumerate() {
        let t = t.unwrap_or_default();
        if t.trim().is_empty() {
            if args.skip_empty {
                skipped.push(row);
                continue;
            }
            return Err(usage(format!(
                "{name}: data row {} has an empty `{}`; remove it or pass --skip-empty",
                row + 1,
                args.text_column
            )));
        }
        if let Some(a) = &author {
            match &a[row] {
                Some(a) if !a.trim().is_empty() => authors.push(a.clone()),
                _ => {
                    return Err(usage(format!(
                        "{name}: data row {} has no `{}`; every document needs an author",
                        row + 1,
                        args.author_column
                    )))
                }
            }
        }
        texts.push(t);
    }
    if texts.is_empty() {
        return Err(usage(format!("{name}: no documents")));
    }
    Ok((texts, author.map(|_| authors), skipped))
}

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}})"))
        {
            bar.set_style(style);
        }
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}

/// Runs `reident stylometry`.
pub fn run(args: &StylometryArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let kinds = args
        .features
        .iter()
        .map(|s| s.parse::<FeatureKind>())
        .collect::<Result<Vec<_>, _>>()?;
    let config = PipelineConfig {
        features: FeatureConfig {
            kinds,
            tokenizer: TokenizerOptions {
                markup: if args.keep_markup {
                    MarkupHandling::Keep
                } else {
                    MarkupHandling::Strip
                },
                code: if args.keep_code {
                    CodeHandling::Keep
                } else {
                    CodeHandling::Strip
                },
                lowercase: true,
            },
        },
        normalization: args.normalization,
        classifier: ClassifierSpec {
            kind: args.classifier,
            profile: match args.profile {
                ProfileArg::Centroid => Profile::Centroid,
                ProfileArg::NearestDocument => Profile::NearestDocument,
            },
            k: args.k,
            knn_distance: KnnDistance::Euclidean,
        },
    };
    let (train_texts, train_authors, skipped_train_rows) = load(&args.train, args, true)?;
    let train_authors = train_authors.unwrap_or_default();
    let train = Corpus::from_named(train_texts, &train_authors)?;
    let mut report = StylometryReport {
        train: args.train.display().to_string(),
        test: args.test.as_ref().map(|p| p.display().to_string()),
        skipped_train_rows,
        skipped_test_rows: Vec::new(),
        attribution: None,
        cross_validation: None,
        accuracy_by_authors: Vec::new(),
        accuracy_by_length: Vec::new(),
    };
    if let Some(test_path) = &args.test {
        let (texts, authors, skipped) = load(test_path, args, false)?;
        report.skipped_test_rows = skipped;
        let truth = match authors {
            Some(names) => {
                Some(Corpus::with_authors(texts.clone(), &names, train.authors.clone())?.labels)
            }
            None => None,
        };
        report.attribution = Some(attribute(
            &config,
            &train,
            &texts,
            truth.as_deref(),
            args.top_n,
        )?);
    } else {
        let bar = progress_bar(args.folds as u64, "folds");
        let tick = |done: usize, _total: usize| bar.set_position(done as u64);
        report.cross_validation = Some(cross_validate(
            &train, &config, args.folds, args.seed, &tick,
        )?);
        bar.finish_and_clear();
    }
    if !args.sweep_authors.is_empty() {
        let bar = progress_bar(
            (args.sweep_authors.len() * args.repeats) as u64,
            "author subsets",
        );
        let tick = |done: usize, _total: usize| bar.set_position(done as u64);
        report.accuracy_by_authors = sweep_authors(
            &train,
            &config,
            &args.sweep_authors,
            args.repeats,
            args.folds,
            args.seed,
            &tick,
        )?;
        bar.finish_and_clear();
    }
    if !args.sweep_lengths.is_empty() {
        let bar = progress_bar(args.folds as u64, "folds");
        let tick = |done: usize, _total: usize| bar.set_position(done as u64);
        report.accuracy_by_length = sweep_length(
            &train,
            &config,
            &args.sweep_lengths,
            args.folds,
            args.seed,
            &tick,
        )?;
        bar.finish_and_clear();
    }
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| usage(format!("cannot encode the report: {e}")))?;
    writeln!(out, "{json}").map_err(|source| CliError::Write {
        path: "stdout".into(),
        source,
    })?;
    Ok(Outcome::Success)
}
