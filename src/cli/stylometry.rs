//! `reident stylometry`: closed-set authorship attribution. Trains a feature
//! pipeline and classifier on `--train` and attributes `--test` (scored when
//! the test file has the author column), or cross-validates on `--train`
//! alone; optional sweeps over the number of candidate authors and the test
//! text length. With `--pseudonym-column` the test documents are also pooled
//! per pseudonym and attributed as a whole (document-level and
//! pseudonym-level accuracy side by side). With `--open-set`, test
//! documents by authors absent from `--train` are allowed: a document's best
//! candidate is kept only when the pairwise verifier fitted on `--train`
//! confirms it, else it is answered "none of the known authors", scored with
//! the PAN 2019 open-set measure (`crate::attacks::stylometry::open_set`,
//! `crate::eval::open_set`). Prints one JSON report.
//!
//! With `--original` and `--release` instead, it runs the audit's experiment
//! on an original corpus and its release (the library's one function,
//! [`crate::eval::release_attack::attack_release`]: a seeded share of each
//! author's originals is the adversary's known writing, the release versions
//! of the others are attributed one by one and pooled per pseudonym) with the
//! audit's defaults, prints its JSON, and with `--max-accuracy` decides the
//! audit's `authorship` claim ([`crate::audit::claims::authorship`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{CliError, Outcome};
use crate::attacks::stylometry::corpus::{string_column, Corpus};
use crate::attacks::stylometry::delta::{KnnDistance, Profile};
use crate::attacks::stylometry::features::{FeatureConfig, FeatureKind};
use crate::attacks::stylometry::linear::{LinearSvmParams, LogisticParams};
use crate::attacks::stylometry::normalize::Normalization;
use crate::attacks::stylometry::open_set::{
    choose_open_set_threshold, open_set_attribute, OpenSetParams, ThresholdChoice, ThresholdSearch,
};
use crate::attacks::stylometry::pairwise::PairwiseParams;
use crate::attacks::stylometry::pipeline::{
    attribute, ClassifierKind, ClassifierSpec, FittedPipeline, PipelineConfig,
};
use crate::attacks::stylometry::pooling::PoolingMethod;
use crate::attacks::stylometry::pseudonym::{attribute_pseudonyms, PseudonymAttackInput};
use crate::attacks::stylometry::tokenize::{CodeHandling, MarkupHandling, TokenizerOptions};
use crate::attacks::stylometry::StylometryError;
use crate::audit::claims::authorship::Authorship;
use crate::audit::config::StylometryConfig;
use crate::data::{read_frame, text_column, Corpus as DataCorpus, ReadOptions};
use crate::eval::attribution::{pseudonym_run, score_run, Evaluation, PseudonymRun, ScoredRun};
use crate::eval::cross_validation::{
    cross_validate, sweep_authors, sweep_length, CrossValidation, SweepPoint,
};
use crate::eval::open_set::{macro_f1_objective, score_open_set, OpenSetScores};
use crate::eval::release_attack::attack_release;

/// Arguments of `reident stylometry`.
#[derive(Debug, clap::Args)]
pub struct StylometryArgs {
    /// Training documents with known authors (.csv, .ndjson/.jsonl[.gz], .parquet).
    #[arg(long, required_unless_present = "original")]
    pub train: Option<PathBuf>,
    /// Documents to attribute; without it, cross-validate on --train.
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// The original documents (id, text, author), as the audit's `[[corpus]]`
    /// `original`: instead of --train/--test, run the audit's attack on them
    /// and --release (a seeded --known-share of each author's originals is
    /// the adversary's known writing; the release versions of the others,
    /// matched by --id-column, are attributed one by one and pooled per
    /// release pseudonym), as the `authorship` claim does.
    #[arg(
        long,
        requires_all = ["release", "id_column"],
        conflicts_with_all = [
            "train", "test", "pseudonym_column", "normalization", "profile", "k", "alpha",
            "svm_c", "pooling", "keep_markup", "keep_code", "skip_empty", "folds", "top_n",
            "sweep_authors", "repeats", "sweep_lengths", "open_set",
        ]
    )]
    pub original: Option<PathBuf>,
    /// The release of --original: the same document ids, the text perhaps
    /// rewritten, the author column holding each author's pseudonym.
    #[arg(long, requires = "original")]
    pub release: Option<PathBuf>,
    /// Column holding the document id in --original and --release (the
    /// audit's `id`).
    #[arg(long, visible_alias = "id", requires = "original")]
    pub id_column: Option<String>,
    /// Column holding the document text.
    #[arg(long, visible_alias = "text", default_value = "text")]
    pub text_column: String,
    /// Column holding the author (in --train, and in --test when present
    /// there; with --original, the author in --original and the pseudonym in
    /// --release, the audit's `author`).
    #[arg(long, visible_alias = "author", default_value = "author")]
    pub author_column: String,
    /// Feature families, comma-separated: mfw:N:CULL%, function-words,
    /// char:MIN-MAX:TOP, word:N:TOP, stems:LANG:TOP, bpe:VOCAB:TOP, format
    /// (trailing parts optional). Default: mfw:100 with --train, the audit's
    /// mfw:200 with --original.
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// Classifier. Default: burrows with --train, the audit's cosine with
    /// --original.
    #[arg(long, value_enum)]
    pub classifier: Option<ClassifierArg>,
    /// With --original: share of each author's originals the adversary
    /// knows, strictly between 0 and 1 (default 0.5, the audit's
    /// `known_share`).
    #[arg(long, requires = "original", value_parser = super::parse::open_unit)]
    pub known_share: Option<f64>,
    /// With --original: authors with fewer original documents than this
    /// (at least 2) are left out (default 4, the audit's `min_documents`).
    #[arg(long, requires = "original", value_parser = super::parse::at_least_two)]
    pub min_documents: Option<usize>,
    /// With --original: check "authors are not identifiable above A", A in
    /// [0, 1), with the audit's `authorship` claim (the stronger of the
    /// document- and pseudonym-level top-1 accuracy, Wilson interval at 95%,
    /// coverage guard): exit 1 when the interval lies above A, 3 when it
    /// straddles A or too few held-out documents are found in the release.
    #[arg(long, value_name = "A", requires = "original", value_parser = super::parse::max_rate)]
    pub max_accuracy: Option<f64>,
    /// With --original: run `--classifier` (default cosine) only, instead of
    /// the attacker's choice (the audit's default `choose_classifier = true`:
    /// a suite of classifiers cross-validated on the known writing, the best
    /// one run; `choose_classifier = false` in the audit).
    #[arg(long, requires = "original")]
    pub fixed_classifier: bool,
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
    /// Open-set attribution of --test: a document whose best candidate the
    /// pairwise verifier (fitted on --train) does not confirm is answered
    /// "none of the known authors"; test documents by authors absent from
    /// --train are allowed and scored as unknown (PAN 2019 open-set macro-F1,
    /// accuracy, share answered).
    #[arg(long, requires = "test", conflicts_with = "pseudonym_column")]
    pub open_set: bool,
    /// With --open-set: accept the best candidate when the verifier's
    /// probability exceeds this, in [0, 1). Default: chosen by
    /// cross-validation on --train only (4 folds of the training authors
    /// take turns playing the unknown authors; the threshold of 0, 0.05, ...,
    /// 0.95 with the best PAN 2019 open-set macro-F1 wins), as an attacker
    /// would choose it; the report gives the choice and its curve.
    #[arg(long, requires = "open_set", value_parser = super::parse::max_rate)]
    pub open_set_threshold: Option<f64>,
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
    /// Seed of fold assignment and author sampling; with --original, of the
    /// known/held-out split. The default is the audit's default `seed` (42):
    /// give the audit's `seed` to reproduce its authorship figure.
    #[arg(long, default_value_t = crate::audit::config::DEFAULT_SEED)]
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
    /// Open-set attribution of --test (with --open-set).
    pub open_set: Option<OpenSetReport>,
}

/// One open-set answer.
#[derive(Debug, Serialize)]
pub struct OpenSetAnswer {
    /// The closed-set best candidate.
    pub candidate: String,
    /// The verifier's probability that the candidate wrote the document.
    pub verification: f64,
    /// The answer: the candidate, or `null` for "none of the known authors".
    pub answer: Option<String>,
}

/// The open-set part of the report.
#[derive(Debug, Serialize)]
pub struct OpenSetReport {
    /// The acceptance threshold.
    pub threshold: f64,
    /// How the threshold was chosen on the training (known) writing when
    /// --open-set-threshold was not given; `null` when it was.
    pub threshold_choice: Option<ThresholdChoice>,
    /// One answer per test document, in order.
    pub answers: Vec<OpenSetAnswer>,
    /// PAN 2019 open-set scores, when --test has the author column.
    pub scores: Option<OpenSetScores>,
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
    if let Some(original) = &args.original {
        return run_release(args, original, out);
    }
    let train_path = args
        .train
        .as_ref()
        .ok_or_else(|| usage("give --train (or --original and --release)".into()))?;
    if let Some(test) = &args.test {
        // Attributing the training documents themselves measures nothing.
        crate::data::ensure_distinct_inputs("test corpus", test, "training corpus", train_path)?;
    }
    let features = if args.features.is_empty() {
        vec!["mfw:100".to_string()]
    } else {
        args.features.clone()
    };
    let kinds = features
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
            kind: args.classifier.unwrap_or(ClassifierArg::Burrows).into(),
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
    let loaded = load(train_path, args, true, None)?;
    let train_authors = loaded.authors.unwrap_or_default();
    let skipped_train_rows = loaded.skipped;
    let train = Corpus::from_named(loaded.texts, &train_authors)?;
    let mut report = StylometryReport {
        train: train_path.display().to_string(),
        test: args.test.as_ref().map(|p| p.display().to_string()),
        skipped_train_rows,
        skipped_test_rows: Vec::new(),
        attribution: None,
        pseudonym_attribution: None,
        cross_validation: None,
        accuracy_by_authors: Vec::new(),
        accuracy_by_length: Vec::new(),
        open_set: None,
    };
    if let (true, Some(test_path)) = (args.open_set, &args.test) {
        let test_name = test_path.display().to_string();
        let loaded = load(test_path, args, false, None)?;
        report.skipped_test_rows = loaded.skipped;
        let (run, scores) = attribute(&config, &train, &loaded.texts, args.top_n)?;
        let verifier = PairwiseParams {
            seed: args.seed,
            ..PairwiseParams::default()
        };
        let (threshold, threshold_choice) = match args.open_set_threshold {
            Some(t) => (t, None),
            None => {
                let choice = choose_open_set_threshold(
                    &train,
                    &mut |known, texts| FittedPipeline::fit(&config, known)?.scores(texts),
                    &macro_f1_objective,
                    &ThresholdSearch {
                        seed: args.seed,
                        verifier,
                        ..ThresholdSearch::default()
                    },
                )
                .map_err(|e| usage(format!("{}: {e}", train_path.display())))?;
                (choice.threshold, Some(choice))
            }
        };
        let params = OpenSetParams {
            verifier,
            threshold,
        };
        let open = open_set_attribute(&scores, &train.texts, &train.labels, &loaded.texts, &params)
            .map_err(|e| usage(format!("{test_name}: {e}")))?;
        let truth: Option<Vec<Option<usize>>> = loaded.authors.as_ref().map(|names| {
            names
                .iter()
                .map(|n| train.authors.binary_search(n).ok())
                .collect()
        });
        let scores_open = match &truth {
            Some(t) => Some(score_open_set(&open.answer, t)?),
            None => None,
        };
        let name = |a: usize| train.authors.get(a).cloned().unwrap_or_default();
        report.open_set = Some(OpenSetReport {
            threshold: open.threshold,
            threshold_choice,
            answers: open
                .candidate
                .iter()
                .zip(&open.verification)
                .zip(&open.answer)
                .map(|((&c, &v), a)| OpenSetAnswer {
                    candidate: name(c),
                    verification: v,
                    answer: a.map(name),
                })
                .collect(),
            scores: scores_open,
        });
        report.attribution = Some(score_run(run, &scores, None)?);
    } else if let Some(test_path) = &args.test {
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
                Some(
                    Corpus::with_authors(texts.clone(), &names, train.authors.clone())
                        .map_err(|e| {
                            usage(format!(
                                "{test_name}: {e} (with --open-set, such documents are answered and scored as \"none of the known authors\")"
                            ))
                        })?
                        .labels,
                )
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

/// The JSON report of `reident stylometry --original --release`: the
/// audit's pseudonym-level attack and its scores (no verdict; that is
/// `--max-accuracy`'s, on standard error and in the exit code).
#[derive(Debug, Serialize)]
pub struct ReleaseAttackReport {
    /// Original file.
    pub original: String,
    /// Release file.
    pub release: String,
    /// Feature families.
    pub features: Vec<String>,
    /// Classifier that ran (the attacker's choice unless
    /// `--fixed-classifier`).
    pub classifier: ClassifierKind,
    /// How the classifier was chosen: the suite's cross-validated accuracies
    /// on the known writing and the winner; `null` with `--fixed-classifier`.
    pub choice: Option<crate::eval::release_attack::PipelineChoice>,
    /// Share of each author's originals the adversary knows.
    pub known_share: f64,
    /// Authors with fewer original documents were left out.
    pub min_documents: usize,
    /// Seed of the known/held-out split.
    pub seed: u64,
    /// Candidate authors.
    pub candidate_authors: usize,
    /// Authors left out for too few documents.
    pub authors_left_out: usize,
    /// Original documents the adversary knows.
    pub known_documents: usize,
    /// Held-out original documents of the candidate authors (the targets).
    pub held_out_documents: usize,
    /// Of those, the ones whose id names a release document.
    pub held_out_in_release: usize,
    /// Attacked release documents without a pseudonym (not pooled).
    pub documents_without_pseudonym: usize,
    /// Pseudonyms whose documents have more than one true author.
    pub shared_pseudonyms: Option<usize>,
    /// Document-level attribution, scored.
    pub documents: Evaluation,
    /// Pseudonym-level attribution (pooled), scored; `null` when no attacked
    /// document has a pseudonym.
    pub pseudonyms: Option<Evaluation>,
    /// Open-set attribution with the left-out authors' release documents as
    /// unknowns (`{"Ok": ...}` or `{"Err": reason}`); `null` when there are
    /// none.
    pub open_set: Option<crate::eval::release_attack::OpenSetOutcome>,
}

/// A corpus file read as the audit reads a `[[corpus]]` side: the id and
/// text columns into the crate's one corpus, and the author column.
fn read_side(
    path: &Path,
    id_column: &str,
    args: &StylometryArgs,
) -> Result<(DataCorpus, Vec<Option<String>>), CliError> {
    let source = path.display().to_string();
    let frame = read_frame(path, &ReadOptions::default())?;
    let ids = text_column(&frame, id_column, &source)?;
    let texts = text_column(&frame, &args.text_column, &source)?;
    let authors = text_column(&frame, &args.author_column, &source)?;
    Ok((DataCorpus::new(&source, ids, texts)?, authors))
}

/// `reident stylometry --original --release`: the audit's experiment, run
/// by the library function the audit runs
/// ([`crate::eval::release_attack::attack_release`]), with its defaults
/// ([`StylometryConfig::default`], the audit's seed).
fn run_release(
    args: &StylometryArgs,
    original_path: &Path,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    let (Some(release_path), Some(id_column)) = (&args.release, &args.id_column) else {
        return Err(usage(
            "--original needs --release and --id-column (the document id of both files)".into(),
        ));
    };
    crate::data::ensure_distinct_inputs("release", release_path, "original", original_path)?;
    // The audit's `[corpus.stylometry]` section these flags stand for (its
    // defaults where a flag is not given), translated by the audit's code.
    let defaults = StylometryConfig::default();
    let section = StylometryConfig {
        features: if args.features.is_empty() {
            defaults.features
        } else {
            args.features.clone()
        },
        classifier: args.classifier.map_or(defaults.classifier, Into::into),
        choose_classifier: !args.fixed_classifier,
        known_share: args.known_share.unwrap_or(defaults.known_share),
        min_documents: args.min_documents.unwrap_or(defaults.min_documents),
        sweep_authors: Vec::new(),
    };
    let params = section.attack_params(args.seed)?;
    let suite = section.attack_suite(args.seed)?;
    let (original, original_authors) = read_side(original_path, id_column, args)?;
    let (release, release_pseudonyms) = read_side(release_path, id_column, args)?;
    let scored = attack_release(
        PseudonymAttackInput {
            original: &original,
            original_authors: &original_authors,
            release: &release,
            release_pseudonyms: &release_pseudonyms,
        },
        &params,
        &suite,
    )?;
    let attack = &scored.attack;
    let report = ReleaseAttackReport {
        original: original_path.display().to_string(),
        release: release_path.display().to_string(),
        features: section.features,
        classifier: attack.pipeline.classifier.kind,
        choice: scored.choice.clone(),
        known_share: section.known_share,
        min_documents: section.min_documents,
        seed: args.seed,
        candidate_authors: attack.authors.len(),
        authors_left_out: attack.authors_left_out,
        known_documents: attack.known_documents,
        held_out_documents: attack.held_out_documents,
        held_out_in_release: attack.held_out_in_release,
        documents_without_pseudonym: attack.attribution.documents_without_pseudonym,
        shared_pseudonyms: attack.attribution.pseudonyms.as_ref().map(|p| p.shared),
        documents: scored.scores.documents.clone(),
        pseudonyms: scored.scores.pseudonyms.clone(),
        open_set: scored.open_set.clone(),
    };
    super::output::print_json(out, &report)?;
    Ok(match args.max_accuracy {
        None => Outcome::Success,
        Some(max_accuracy) => {
            let claim = Authorship {
                corpus: release_path.display().to_string(),
                max_accuracy,
            };
            Outcome::of_claims(&[claim.verdict(&scored, 0.95)?])
        }
    })
}
