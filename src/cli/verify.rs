//! `reident verify`: pairwise authorship verification in the PAN 2020/2021
//! format. Fits a verifier (`--method`) on `--train` (a directory with PAN
//! `pairs.jsonl` and `truth.jsonl`, or a corpus file with text and author
//! columns, from which seeded same/different-author pairs are drawn), answers
//! the pairs of `--test` (a directory with `pairs.jsonl`), writes them as
//! PAN `answers.jsonl` with `--answers`, and when the test directory has a
//! `truth.jsonl` prints the PAN measures (AUC, c@1, F0.5u, F1, Brier,
//! overall). With `--score ANSWERS --truth TRUTH` it only scores an existing
//! answers file, as the official evaluator does. Prints one JSON report.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{CliError, Outcome};
use crate::attacks::stylometry::corpus::string_column;
use crate::attacks::stylometry::pairwise::training_pairs;
use crate::attacks::stylometry::verifiers::{verify_pairs, PairSet, VerifierMethod};
use crate::attacks::stylometry::StylometryError;
use crate::data::pan::{
    align_answers, read_answers, read_pairs, read_truth, write_answers, PanAnswer, PanTruth,
};
use crate::data::{read_frame, ReadOptions};
use crate::eval::verification::{pan_scores, PanScores};

/// Arguments of `reident verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Training data: a PAN directory (pairs.jsonl + truth.jsonl) or a corpus
    /// file (.csv, .jsonl, .parquet) with --text-column and --author-column.
    #[arg(long, required_unless_present = "score", requires = "test")]
    pub train: Option<PathBuf>,
    /// Test directory with PAN pairs.jsonl (and truth.jsonl to be scored).
    #[arg(long, requires = "train")]
    pub test: Option<PathBuf>,
    /// Verifier: pairwise (Weerasinghe & Greenstadt 2021), impostors (Koppel
    /// & Winter 2014, calibrated), lambdag (Nini et al. 2024, calibrated),
    /// pan-cosine and pan-compression (the PAN 2020/2021 official
    /// baselines).
    #[arg(long, value_enum, default_value_t = MethodArg::Pairwise)]
    pub method: MethodArg,
    /// Write the test answers here as PAN answers.jsonl.
    #[arg(long)]
    pub answers: Option<PathBuf>,
    /// Replace an existing --answers file.
    #[arg(long)]
    pub force: bool,
    /// Score this PAN answers.jsonl against --truth (no fitting).
    #[arg(long, requires = "truth", conflicts_with_all = ["train", "test", "answers"])]
    pub score: Option<PathBuf>,
    /// The PAN truth.jsonl of --score.
    #[arg(long, requires = "score")]
    pub truth: Option<PathBuf>,
    /// Text column of a --train corpus file.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Author column of a --train corpus file.
    #[arg(long, default_value = "author")]
    pub author_column: String,
    /// Seed of the training pairs drawn from a corpus and of the verifiers'
    /// random draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Weerasinghe & Greenstadt 2021.
    Pairwise,
    /// Koppel & Winter 2014.
    Impostors,
    /// Nini et al. 2024.
    Lambdag,
    /// PAN 2020/2021 baseline: TF-IDF character-tetragram cosine.
    PanCosine,
    /// PAN 2020/2021 baseline: Teahan & Harper 2003 compression.
    PanCompression,
}

impl From<MethodArg> for VerifierMethod {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Pairwise => VerifierMethod::Pairwise,
            MethodArg::Impostors => VerifierMethod::Impostors,
            MethodArg::Lambdag => VerifierMethod::LambdaG,
            MethodArg::PanCosine => VerifierMethod::PanCosine,
            MethodArg::PanCompression => VerifierMethod::PanCompression,
        }
    }
}

/// The JSON report of `reident verify`.
#[derive(Debug, Serialize)]
pub struct VerifyReport {
    /// The verifier that ran; `null` with --score.
    pub method: Option<VerifierMethod>,
    /// Training pairs used.
    pub train_pairs: usize,
    /// Test problems answered.
    pub test_pairs: usize,
    /// Problems of the truth without an answer (scored as 0.5).
    pub missing_answers: usize,
    /// The PAN measures; `null` when there is no truth.
    pub scores: Option<PanScores>,
}

fn usage(message: String) -> CliError {
    CliError::Stylometry(StylometryError::Invalid(message))
}

/// Texts and labelled index pairs of a training input.
struct Labelled {
    texts: Vec<String>,
    pairs: Vec<(usize, usize)>,
    same: Vec<bool>,
}

/// The texts of a PAN pairs.jsonl (two per problem), each problem's index
/// pair into them, and the problem ids.
struct PanTexts {
    texts: Vec<String>,
    pairs: Vec<(usize, usize)>,
    ids: Vec<String>,
}

fn pan_dir_texts(dir: &Path) -> Result<PanTexts, CliError> {
    let pairs = read_pairs(&dir.join("pairs.jsonl"))?;
    let mut texts = Vec::with_capacity(2 * pairs.len());
    let mut index = Vec::with_capacity(pairs.len());
    let mut ids = Vec::with_capacity(pairs.len());
    for p in pairs {
        let [a, b] = p.pair;
        index.push((texts.len(), texts.len() + 1));
        texts.push(a);
        texts.push(b);
        ids.push(p.id);
    }
    Ok(PanTexts {
        texts,
        pairs: index,
        ids,
    })
}

fn truth_by_id(
    truth: &[PanTruth],
    ids: &[String],
    truth_path: &Path,
) -> Result<Vec<bool>, CliError> {
    let map: std::collections::HashMap<&str, bool> =
        truth.iter().map(|t| (t.id.as_str(), t.same)).collect();
    ids.iter()
        .map(|id| {
            map.get(id.as_str()).copied().ok_or_else(|| {
                usage(format!(
                    "{}: no truth for problem `{id}` of pairs.jsonl",
                    truth_path.display()
                ))
            })
        })
        .collect()
}

fn load_train(path: &Path, args: &VerifyArgs) -> Result<Labelled, CliError> {
    if path.is_dir() {
        let PanTexts { texts, pairs, ids } = pan_dir_texts(path)?;
        let truth_path = path.join("truth.jsonl");
        let truth = read_truth(&truth_path)?;
        let same = truth_by_id(&truth, &ids, &truth_path)?;
        return Ok(Labelled { texts, pairs, same });
    }
    let name = path.display().to_string();
    let frame = read_frame(path, &ReadOptions::default())?;
    let text =
        string_column(&frame, &args.text_column).map_err(|e| usage(format!("{name}: {e}")))?;
    let author =
        string_column(&frame, &args.author_column).map_err(|e| usage(format!("{name}: {e}")))?;
    let mut texts = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (row, (t, a)) in text.into_iter().zip(author).enumerate() {
        match (t, a) {
            (Some(t), Some(a)) if !t.trim().is_empty() && !a.trim().is_empty() => {
                texts.push(t);
                names.push(a);
            }
            _ => {
                return Err(usage(format!(
                    "{name}: data row {} has an empty `{}` or `{}`",
                    row + 1,
                    args.text_column,
                    args.author_column
                )))
            }
        }
    }
    let mut ids: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for n in &names {
        let next = ids.len();
        ids.entry(n.as_str()).or_insert(next);
    }
    let labels: Vec<usize> = names.iter().map(|n| ids[n.as_str()]).collect();
    let drawn = training_pairs(&labels, args.seed).map_err(|e| usage(format!("{name}: {e}")))?;
    Ok(Labelled {
        pairs: drawn.iter().map(|p| (p.0, p.1)).collect(),
        same: drawn.iter().map(|p| p.2).collect(),
        texts,
    })
}

/// The PAN 2020 overall (mean of AUC, c@1, F0.5u and F1, each rounded to 3
/// digits as the PAN 2020 evaluator's `evaluate_all`), the objective of the
/// cosine baseline's score shift.
fn pan20_objective(answers: &[f64], truth: &[bool]) -> Result<f64, StylometryError> {
    pan_scores(answers, truth)
        .map(|s| s.pan20_overall())
        .map_err(|e| StylometryError::Invalid(format!("PAN objective: {e}")))
}

/// Runs `reident verify`.
pub fn run(args: &VerifyArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    if let (Some(answers_path), Some(truth_path)) = (&args.score, &args.truth) {
        let truth = read_truth(truth_path)?;
        let answers = read_answers(answers_path)?;
        let aligned = align_answers(&truth, &answers, &answers_path.display().to_string())?;
        let report = VerifyReport {
            method: None,
            train_pairs: 0,
            test_pairs: aligned.values.len(),
            missing_answers: aligned.missing,
            scores: Some(pan_scores(&aligned.values, &aligned.same)?),
        };
        super::output::print_json(out, &report)?;
        return Ok(Outcome::Success);
    }
    let (Some(train_path), Some(test_dir)) = (&args.train, &args.test) else {
        return Err(usage(
            "give --train and --test (or --score and --truth)".into(),
        ));
    };
    if !test_dir.is_dir() {
        return Err(usage(format!(
            "--test {}: expected a directory with PAN pairs.jsonl",
            test_dir.display()
        )));
    }
    let train = load_train(train_path, args)?;
    let PanTexts {
        texts: test_texts,
        pairs: test_pairs,
        ids: test_ids,
    } = pan_dir_texts(test_dir)?;
    let method: VerifierMethod = args.method.into();
    let values = verify_pairs(
        method,
        PairSet {
            texts: &train.texts,
            pairs: &train.pairs,
        },
        &train.same,
        PairSet {
            texts: &test_texts,
            pairs: &test_pairs,
        },
        args.seed,
        &pan20_objective,
    )?;
    let answers: Vec<PanAnswer> = test_ids
        .iter()
        .zip(&values)
        .map(|(id, &value)| PanAnswer {
            id: id.clone(),
            value,
        })
        .collect();
    if let Some(path) = &args.answers {
        let inputs = [
            train_path.clone(),
            test_dir.join("pairs.jsonl"),
            test_dir.join("truth.jsonl"),
        ];
        write_answers(path, &answers, &inputs, args.force)?;
    }
    let truth_path = test_dir.join("truth.jsonl");
    let (scores, missing) = if truth_path.exists() {
        let truth = read_truth(&truth_path)?;
        let aligned = align_answers(&truth, &answers, "the computed answers")?;
        (
            Some(pan_scores(&aligned.values, &aligned.same)?),
            aligned.missing,
        )
    } else {
        (None, 0)
    };
    let report = VerifyReport {
        method: Some(method),
        train_pairs: train.pairs.len(),
        test_pairs: test_pairs.len(),
        missing_answers: missing,
        scores,
    };
    super::output::print_json(out, &report)?;
    Ok(Outcome::Success)
}
