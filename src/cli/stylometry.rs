//! `reident stylometry`: closed-set authorship attribution. Trains a feature
//! pipeline and classifier on `--train` and attributes `--test` (scored when
//! the test file has the author column), or cross-validates on `--train`
//! alone; optional sweeps over the number of candidate authors and the test
//! text length. With `--pseudonym-column` the test documents are also pooled
//! per pseudonym and attributed as a whole (document-level and
//! pseudonym-level accuracy side by side). Prints one JSON report.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{CliError, Outcome};
use crate::attacks::stylometry::corpus::{string_column, Corpus};
use crate::attacks::stylometry::delta::{KnnDistance, Profile};
use crate::attacks::stylometry::features::{FeatureConfig, FeatureKind};
use crate::attacks::stylometry::linear::{LinearSvmParams, LogisticParams};
use crate::attacks::stylometry::normalize::Normalization;
use crate::attacks::stylometry::pipeline::{
    attribute, ClassifierKind, ClassifierSpec, PipelineConfig,
};
use crate::attacks::stylometry::pooling::PoolingMethod;
use crate::attacks::stylometry::pseudonym::attribute_pseudonyms;
use crate::attacks::stylometry::tokenize::{CodeHandling, MarkupHandling, TokenizerOptions};
use crate::attacks::stylometry::StylometryError;
use crate::data::{read_frame, ReadOptions};
use crate::eval::attribution::{pseudonym_run, score_run, PseudonymRun, ScoredRun};
use crate::eval::cross_validation::{
    cross_validate, sweep_authors, sweep_length, CrossValidation, SweepPoint,
};

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
    #[arg(long, value_enum, default_value_t = ClassifierArg::Burrows)]
    pub classifier: ClassifierArg,
    /// Normalization fitted on the training rows.
    #[arg(long, value_enum, default_value_t = NormalizationArg::None)]
    pub normalization: NormalizationArg,
    /// Delta author profile: the mean of the author's documents (centroid), their nearest
    /// training document, or their concatenated documents with z-scores over authors (subcorpus).
    #[arg(long, value_enum, default_value_t = ProfileArg::Centroid)]
    pub profile: ProfileArg,
    /// k for kNN (at least 1).
    #[arg(long, default_value_t = 3, value_parser = super::parse::at_least_one)]
    pub k: usize,
    /// L2 penalty of --classifier logistic (linfa-logistic `alpha`), finite and >= 0.
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::non_negative)]
    pub alpha: f64,
    /// Soft-margin penalty C of --classifier linear-svm (class-balanced per
    /// one-vs-rest problem), finite and > 0.
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::positive)]
    pub svm_c: f64,
    /// Column of --test holding a stable pseudonym per author: also attribute each
    /// pseudonym from all its documents (needs the author column in --test as truth).
    #[arg(long)]
    pub pseudonym_column: Option<String>,
    /// How --pseudonym-column pools a pseudonym's documents: sum their per-document
    /// scores, or average their feature vectors and score once.
    #[arg(long, value_enum, default_value_t = PoolingArg::SumScores)]
    pub pooling: PoolingArg,
    /// Keep Jira/Confluence/Markdown markup in the words instead of stripping it.
    #[arg(long)]
    pub keep_markup: bool,
    /// Keep code blocks ({code}, {noformat}, ``` fences) instead of removing them.
    #[arg(long)]
    pub keep_code: bool,
    /// Drop rows whose text is empty or null (their row numbers are reported) instead of failing.
    #[arg(long)]
    pub skip_empty: bool,
    /// Cross-validation folds (without --test, and for sweeps), at least 2.
    #[arg(long, default_value_t = 5, value_parser = super::parse::at_least_two)]
    pub folds: usize,
    /// Seed of fold assignment and author sampling.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Authors listed per attributed document (at least 1).
    #[arg(long, default_value_t = 3, value_parser = super::parse::at_least_one)]
    pub top_n: usize,
    /// Sweep accuracy over these numbers of candidate authors (cross-validated
    /// on --train), each at least 2 (one candidate is always right).
    #[arg(long, value_delimiter = ',', value_parser = super::parse::at_least_two)]
    pub sweep_authors: Vec<usize>,
    /// Random author subsets per point of --sweep-authors (at least 1).
    #[arg(long, default_value_t = 5, value_parser = super::parse::at_least_one)]
    pub repeats: usize,
    /// Sweep accuracy over these test lengths in words (cross-validated on
    /// --train), each at least 1.
    #[arg(long, value_delimiter = ',', value_parser = super::parse::at_least_one)]
    pub sweep_lengths: Vec<usize>,
}

/// Author profile choice on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileArg {
    /// Mean of the author's training documents.
    Centroid,
    /// The author's nearest training document.
    NearestDocument,
    /// Burrows' author subcorpus: each author's training documents concatenated,
    /// z-scores over the authors (as faststylometry).
    Subcorpus,
}

// The library's enums carry no clap derive (#13); these mirror them one to
// one (same variant names, so the same spellings, and the same doc comments,
// so the same help text) and convert with `From`.

/// Classifier choice on the command line ([`ClassifierKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClassifierArg {
    /// Burrows' Delta.
    Burrows,
    /// Cosine Delta (Smith & Aldridge 2011).
    Cosine,
    /// Eder's Delta (stylo weighting).
    Eder,
    /// Nearest centroid, Euclidean.
    NearestCentroid,
    /// k-nearest neighbours.
    Knn,
    /// Multinomial logistic regression (softmax, L2, L-BFGS; linfa-logistic).
    Logistic,
    /// One-vs-rest linear C-SVM (SMO, linear kernel; linfa-svm).
    LinearSvm,
}

impl From<ClassifierArg> for ClassifierKind {
    fn from(a: ClassifierArg) -> Self {
        match a {
            ClassifierArg::Burrows => ClassifierKind::Burrows,
            ClassifierArg::Cosine => ClassifierKind::Cosine,
            ClassifierArg::Eder => ClassifierKind::Eder,
            ClassifierArg::NearestCentroid => ClassifierKind::NearestCentroid,
            ClassifierArg::Knn => ClassifierKind::Knn,
            ClassifierArg::Logistic => ClassifierKind::Logistic,
            ClassifierArg::LinearSvm => ClassifierKind::LinearSvm,
        }
    }
}

/// Normalization choice on the command line ([`Normalization`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NormalizationArg {
    /// Use values as they are.
    None,
    /// z-scores with training means and sample standard deviations; a
    /// column constant in training (sd 0) becomes 0.
    ZScore,
    /// TF-IDF weighting with training document frequencies, then L2 rows.
    TfIdf,
    /// Each row divided by its Euclidean norm (a zero row stays zero).
    L2,
}

impl From<NormalizationArg> for Normalization {
    fn from(a: NormalizationArg) -> Self {
        match a {
            NormalizationArg::None => Normalization::None,
            NormalizationArg::ZScore => Normalization::ZScore,
            NormalizationArg::TfIdf => Normalization::TfIdf,
            NormalizationArg::L2 => Normalization::L2,
        }
    }
}

/// Pooling choice on the command line ([`PoolingMethod`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PoolingArg {
    /// Sum the per-document scores (log-probabilities: joint log-likelihood).
    SumScores,
    /// Average the documents' feature vectors and score the mean profile once.
    AverageFeatures,
}

impl From<PoolingArg> for PoolingMethod {
    fn from(a: PoolingArg) -> Self {
        match a {
            PoolingArg::SumScores => PoolingMethod::SumScores,
            PoolingArg::AverageFeatures => PoolingMethod::AverageFeatures,
        }
    }
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
    /// Train/test attribution (the run and, with true authors, its
    /// `evaluation`).
    pub attribution: Option<ScoredRun>,
    /// Pseudonym-level attribution of --test (with --pseudonym-column).
    pub pseudonym_attribution: Option<PseudonymRun>,
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

/// Texts, (if the column exists) authors, (if asked for) pseudonyms of a
/// file, and the skipped rows, after dropping or rejecting empty texts.
struct Loaded {
    texts: Vec<String>,
    authors: Option<Vec<String>>,
    pseudonyms: Option<Vec<String>>,
    skipped: Vec<usize>,
}

fn load(
    path: &Path,
    args: &StylometryArgs,
    author_required: bool,
    pseudonym_column: Option<&str>,
) -> Result<Loaded, CliError> {
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
    let pseudonym = match pseudonym_column {
        Some(col) => Some(
            string_column(&frame, col)
                .map_err(|e| usage(format!("{name}: {e} (set --pseudonym-column)")))?,
        ),
        None => None,
    };
    let mut texts = Vec::new();
    let mut authors = Vec::new();
    let mut pseudonyms = Vec::new();
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
        if let (Some(p), Some(col)) = (&pseudonym, pseudonym_column) {
            match &p[row] {
                Some(p) if !p.trim().is_empty() => pseudonyms.push(p.clone()),
                _ => {
                    return Err(usage(format!(
                        "{name}: data row {} has no `{col}`; every document needs a pseudonym",
                        row + 1
                    )))
                }
            }
        }
        texts.push(t);
    }
    if texts.is_empty() {
        return Err(usage(format!("{name}: no documents")));
    }
    Ok(Loaded {
        texts,
        authors: author.map(|_| authors),
        pseudonyms: pseudonym.map(|_| pseudonyms),
        skipped,
    })
}

/// Runs `reident stylometry`.
pub fn run(args: &StylometryArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    if let Some(test) = &args.test {
        // Attributing the training documents themselves measures nothing.
        crate::data::ensure_distinct_inputs("test corpus", test, "training corpus", &args.train)?;
    }
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
        normalization: args.normalization.into(),
        classifier: ClassifierSpec {
            kind: args.classifier.into(),
            profile: match args.profile {
                ProfileArg::Centroid => Profile::Centroid,
                ProfileArg::NearestDocument => Profile::NearestDocument,
                ProfileArg::Subcorpus => Profile::Subcorpus,
            },
            k: args.k,
            knn_distance: KnnDistance::Euclidean,
            logistic: LogisticParams::default().alpha(args.alpha),
            svm: LinearSvmParams::default().c(args.svm_c),
        },
    };
    if args.pseudonym_column.is_some() && args.test.is_none() {
        return Err(usage(
            "--pseudonym-column names a column of --test; give --test".into(),
        ));
    }
    let loaded = load(&args.train, args, true, None)?;
    let train_authors = loaded.authors.unwrap_or_default();
    let skipped_train_rows = loaded.skipped;
    let train = Corpus::from_named(loaded.texts, &train_authors)?;
    let mut report = StylometryReport {
        train: args.train.display().to_string(),
        test: args.test.as_ref().map(|p| p.display().to_string()),
        skipped_train_rows,
        skipped_test_rows: Vec::new(),
        attribution: None,
        pseudonym_attribution: None,
        cross_validation: None,
        accuracy_by_authors: Vec::new(),
        accuracy_by_length: Vec::new(),
    };
    if let Some(test_path) = &args.test {
        let test_name = test_path.display().to_string();
        let Loaded {
            texts,
            authors,
            pseudonyms,
            skipped,
        } = load(test_path, args, false, args.pseudonym_column.as_deref())?;
        report.skipped_test_rows = skipped;
        let truth = match authors {
            Some(names) => {
                Some(Corpus::with_authors(texts.clone(), &names, train.authors.clone())?.labels)
            }
            None => None,
        };
        match (pseudonyms, &truth) {
            (Some(pseudonyms), Some(truth)) => {
                // A pseudonym used by several authors is scored against its
                // majority author and counted (`shared_pseudonyms`), the
                // library's one policy (attacks::stylometry::pooling).
                let pseudonyms: Vec<Option<String>> = pseudonyms.into_iter().map(Some).collect();
                let (run, release) = attribute_pseudonyms(
                    &config,
                    &train,
                    &texts,
                    truth,
                    &pseudonyms,
                    args.pooling.into(),
                    args.top_n,
                )
                .map_err(|e| usage(format!("{test_name}: {e}")))?;
                report.pseudonym_attribution =
                    pseudonym_run(&release, &run.authors, args.top_n.max(1))?;
                report.attribution = Some(score_run(
                    run,
                    &release.document_scores,
                    Some(truth),
                )?);
            }
            (Some(_), None) => {
                return Err(usage(format!(
                    "{test_name}: --pseudonym-column scores pseudonym-level attribution against the true authors, but there is no author column `{}` (set --author-column)",
                    args.author_column
                )))
            }
            (None, _) => {
                let (run, scores) = attribute(&config, &train, &texts, args.top_n)?;
                report.attribution = Some(score_run(run, &scores, truth.as_deref())?);
            }
        }
    } else {
        let bar = super::progress::bar(args.folds as u64, "folds");
        let tick = |done: usize, _total: usize| bar.set_position(done as u64);
        report.cross_validation = Some(cross_validate(
            &train, &config, args.folds, args.seed, &tick,
        )?);
        bar.finish_and_clear();
    }
    if !args.sweep_authors.is_empty() {
        let bar = super::progress::bar(
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
        let bar = super::progress::bar(args.folds as u64, "folds");
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
    super::output::print_json(out, &report)?;
    Ok(Outcome::Success)
}
