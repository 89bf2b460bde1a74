//! `reident epsilon`: estimate epsilon from paired data, bound it from attack
//! scores, audit a mechanism, check a claim. Each subcommand reads its files,
//! calls one `crate::dp` function and writes the serde result as JSON. The
//! audit's progress bar (stderr, hidden when stderr is not a terminal) lives
//! here; the library only calls a callback.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use polars::prelude::DataFrame;
use serde::Serialize;

use super::{CliError, Outcome};
use crate::data::{read_frame, EncodedTable, ReadOptions};
use crate::dp::{self, DpError};
use crate::eval::{self, epsilon::Verdict, Claim, ThresholdSelection};

/// `reident epsilon`: estimate, bound, audit or check epsilon.
#[derive(Debug, Args)]
pub struct EpsilonArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: EpsilonCommand,
}

/// The epsilon subcommands.
#[derive(Debug, Subcommand)]
pub enum EpsilonCommand {
    /// Estimate epsilon from (original, release) pairs: numeric noise fit,
    /// noisy aggregates by group, or a categorical randomized-response channel.
    Estimate(EstimateArgs),
    /// Lower-bound epsilon from membership-attack scores.
    Bound(BoundArgs),
    /// Audit a mechanism on two neighbouring datasets (black box).
    Audit(AuditArgs),
    /// Check a claimed (epsilon, delta) against attack scores; exit 1 if refuted.
    Check(CheckArgs),
    /// Plan an audit: how many trials refute a claim if the mechanism's true
    /// epsilon is known (median-count rule; see `eval::planner`).
    Plan(PlanArgs),
    /// One-run audit (Steinke, Nasr & Jagielski 2023): canaries each
    /// included with probability 1/2 in one run, the auditor's guesses, the
    /// epsilon lower bound; exit 1 if it refutes `--claim-epsilon`.
    OneRun(OneRunArgs),
}

/// Arguments of `reident epsilon one-run`.
#[derive(Debug, Args)]
pub struct OneRunArgs {
    /// CSV with one row per canary: an id, whether it was included, and a
    /// membership score (higher = "in") or a guess (in/out/empty = abstain).
    #[arg(long)]
    pub canaries: PathBuf,
    /// Column with the canary id (ids must be unique).
    #[arg(long, default_value = "id")]
    pub id_column: String,
    /// Column saying whether the canary was included: 1/true/yes/member/in
    /// or 0/false/no/non-member/out.
    #[arg(long, default_value = "included")]
    pub included_column: String,
    /// Column with the membership score; guesses are the `--guesses-in`
    /// highest and `--guesses-out` lowest scores.
    #[arg(long)]
    pub score_column: Option<String>,
    /// Column with explicit guesses (in/out, empty or "abstain" to abstain);
    /// used instead of scores.
    #[arg(long)]
    pub guess_column: Option<String>,
    /// Number of highest-scored canaries guessed "in" (fix it before looking
    /// at the inclusion labels).
    #[arg(long, default_value_t = 0)]
    pub guesses_in: usize,
    /// Number of lowest-scored canaries guessed "out".
    #[arg(long, default_value_t = 0)]
    pub guesses_out: usize,
    /// Delta of the null hypothesis, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::delta)]
    pub delta: f64,
    /// Confidence of the bound, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_parser = super::parse::open_unit)]
    pub confidence: f64,
    /// A claimed epsilon to check (exit 1 if the bound exceeds it).
    #[arg(long, value_parser = super::parse::positive)]
    pub claim_epsilon: Option<f64>,
}

/// The reference mechanisms the planner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanMechanismKind {
    /// Laplace noise on one value (likelihood-ratio test = threshold).
    Laplace,
    /// Gaussian noise, analytic calibration at `--mechanism-delta`.
    Gaussian,
    /// k-ary randomized response of the target's value (`--categories`).
    RandomizedResponse,
}

/// Arguments of `reident epsilon plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The claimed epsilon, finite and >= 0.
    #[arg(long)]
    pub claimed: f64,
    /// The mechanism's true epsilon, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    pub true_epsilon: f64,
    /// The claimed delta (the delta in the bound), in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::delta)]
    pub delta: f64,
    /// Confidence of the bound, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_parser = super::parse::open_unit)]
    pub confidence: f64,
    /// The mechanism.
    #[arg(long, value_enum, default_value_t = PlanMechanismKind::Laplace)]
    pub mechanism: PlanMechanismKind,
    /// Delta of the Gaussian mechanism's calibration, strictly between 0 and 1.
    #[arg(long, default_value_t = 1e-5, value_parser = super::parse::open_unit)]
    pub mechanism_delta: f64,
    /// Categories of randomized response (at least 2).
    #[arg(long, default_value_t = 2)]
    pub categories: usize,
    /// Threshold selection of the planned audit.
    #[arg(long, value_enum, default_value_t = SelectionKind::HeldOut)]
    pub selection: SelectionKind,
    /// Share of trials used to choose the threshold (held-out selection).
    #[arg(long, default_value_t = 0.5, value_parser = super::parse::open_unit)]
    pub held_out_fraction: f64,
    /// Also write the chart "expected epsilon bound vs trials" as SVG here
    /// (never over an existing file).
    #[arg(long)]
    pub svg: Option<PathBuf>,
}

/// What kind of column `estimate` looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EstimateKind {
    /// Numeric values with additive noise, paired row by row.
    Numeric,
    /// Categorical values through a randomized-response channel, paired row by row.
    Categorical,
    /// Released per-group counts against counts of the original rows.
    Count,
    /// Released per-group sums against sums of an original column.
    Sum,
}

/// Arguments of `reident epsilon estimate`.
#[derive(Debug, Args)]
pub struct EstimateArgs {
    /// The original data (CSV).
    #[arg(long)]
    pub original: PathBuf,
    /// The release (CSV). For numeric and categorical kinds, rows pair with the
    /// original rows in order; for count and sum, one row per group.
    #[arg(long)]
    pub release: PathBuf,
    /// The kind of estimate.
    #[arg(long, value_enum, default_value_t = EstimateKind::Numeric)]
    pub kind: EstimateKind,
    /// Original column (numeric/categorical; for sum, the column summed).
    #[arg(long)]
    pub column: Option<String>,
    /// Release column if named differently (numeric/categorical: the released
    /// column; count/sum: the column holding the released aggregate).
    #[arg(long)]
    pub release_column: Option<String>,
    /// Group-by columns for count/sum, comma-separated (present in both files).
    #[arg(long, value_delimiter = ',')]
    pub group_by: Vec<String>,
    /// Declared sensitivity, finite and > 0; inferred when absent.
    #[arg(long, value_parser = super::parse::positive)]
    pub sensitivity: Option<f64>,
    /// Delta for the Gaussian epsilon, strictly between 0 and 1 (the Gaussian
    /// mechanism has no finite epsilon at delta 0).
    #[arg(long, default_value_t = 1e-5, value_parser = super::parse::open_unit)]
    pub delta: f64,
    /// Confidence level of the intervals, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_parser = super::parse::open_unit)]
    pub confidence: f64,
    /// Do not detect clamping (fit every row).
    #[arg(long)]
    pub no_clamp_detection: bool,
    /// Do not detect rounding.
    #[arg(long)]
    pub no_rounding_detection: bool,
}

/// How to choose the decision threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SelectionKind {
    /// Choose on a held-out share of the trials, bound on the rest.
    HeldOut,
    /// Bonferroni correction over all thresholds.
    Bonferroni,
}

/// Options shared by everything that computes a lower bound.
#[derive(Debug, Args)]
pub struct BoundOptions {
    /// Confidence of the lower bound, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_parser = super::parse::open_unit)]
    pub confidence: f64,
    /// Threshold selection.
    #[arg(long, value_enum, default_value_t = SelectionKind::HeldOut)]
    pub selection: SelectionKind,
    /// Share of trials used to choose the threshold (held-out selection),
    /// strictly between 0 and 1.
    #[arg(long, default_value_t = 0.5, value_parser = super::parse::open_unit)]
    pub held_out_fraction: f64,
    /// Seed of the held-out split (and of the audit's trials).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl BoundOptions {
    fn selection(&self) -> ThresholdSelection {
        match self.selection {
            SelectionKind::HeldOut => ThresholdSelection::HeldOut {
                fraction: self.held_out_fraction,
                seed: self.seed,
            },
            SelectionKind::Bonferroni => ThresholdSelection::Bonferroni,
        }
    }
}

/// Where attack scores come from.
#[derive(Debug, Args)]
pub struct ScoresInput {
    /// CSV with one row per trial.
    #[arg(long)]
    pub scores: PathBuf,
    /// Column with the attack score (higher = member).
    #[arg(long, default_value = "score")]
    pub score_column: String,
    /// Column with the truth: 1/true/yes/member/in or 0/false/no/non-member/out.
    #[arg(long, default_value = "member")]
    pub label_column: String,
}

/// Arguments of `reident epsilon bound`.
#[derive(Debug, Args)]
pub struct BoundArgs {
    /// The scores.
    #[command(flatten)]
    pub input: ScoresInput,
    /// Delta in the bound, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::delta)]
    pub delta: f64,
    /// Bound options.
    #[command(flatten)]
    pub options: BoundOptions,
}

/// Arguments of `reident epsilon check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scores.
    #[command(flatten)]
    pub input: ScoresInput,
    /// The claimed epsilon, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    pub claim_epsilon: f64,
    /// The claimed delta, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::delta)]
    pub claim_delta: f64,
    /// Bound options.
    #[command(flatten)]
    pub options: BoundOptions,
}

/// Arguments of `reident epsilon audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// `laplace`, `gaussian`, `rr` (built-in), a reference anonymizer
    /// (`anonymize-laplace`, `anonymize-gaussian`: per-value noise on
    /// `--column` clamped to `[--lower, --upper]`; `anonymize-rr`: randomized
    /// response over `--categories`; `anonymize-histogram`: noisy counts by
    /// `--column`, scored by the count of `--target-value`'s cell) or an
    /// external command such as
    /// "my-anonymizer --in {input} --out {output} --seed {seed}". The command
    /// is split into words like a shell would but run without a shell (no
    /// globbing, expansion, pipes or redirection); {input}, {output} and {seed}
    /// are substituted inside words.
    #[arg(long)]
    pub mechanism: String,
    /// Dataset D, without the target record (CSV).
    #[arg(long)]
    pub without: PathBuf,
    /// Dataset D', with the target record (CSV); must be a neighbour of D.
    #[arg(long)]
    pub with: PathBuf,
    /// Column the built-in mechanism works on and the distinguisher reads.
    #[arg(long)]
    pub column: String,
    /// Lower clamp bound of the built-in sums (finite; below --upper).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_parser = super::parse::finite)]
    pub lower: f64,
    /// Upper clamp bound of the built-in sums (finite; above --lower).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true, value_parser = super::parse::finite)]
    pub upper: f64,
    /// Epsilon the built-in mechanism uses, finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    pub mechanism_epsilon: Option<f64>,
    /// Delta the built-in Gaussian mechanism uses, strictly between 0 and 1.
    #[arg(long, default_value_t = 1e-5, value_parser = super::parse::open_unit)]
    pub mechanism_delta: f64,
    /// Categories of the built-in randomized response, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub categories: Vec<String>,
    /// Distinguish by the count of release rows with this value in `--column`;
    /// without it, by the number in `--column` of the first release row.
    #[arg(long)]
    pub target_value: Option<String>,
    /// Number of trials (half on each dataset), at least 2.
    #[arg(long, default_value_t = 2000, value_parser = super::parse::at_least_two)]
    pub trials: usize,
    /// Delta in the bound when no claim is given, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::delta)]
    pub delta: f64,
    /// A claimed epsilon to check (exit 1 if refuted), finite and > 0.
    #[arg(long, value_parser = super::parse::positive)]
    pub claim_epsilon: Option<f64>,
    /// The claimed delta, in [0, 1).
    #[arg(long, default_value_t = 0.0, value_parser = super::parse::delta)]
    pub claim_delta: f64,
    /// Bound options.
    #[command(flatten)]
    pub options: BoundOptions,
}

/// Runs `reident epsilon ...`, writing JSON to `out`.
pub fn run(args: &EpsilonArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    match &args.command {
        EpsilonCommand::Estimate(a) => estimate(a, out),
        EpsilonCommand::Bound(a) => {
            let (scores, labels) = read_scores(&a.input)?;
            let bound = eval::epsilon_lower_bound(
                &scores,
                &labels,
                a.delta,
                a.options.confidence,
                a.options.selection(),
            )?;
            write_json(out, &bound)?;
            Ok(Outcome::Success)
        }
        EpsilonCommand::Check(a) => {
            let (scores, labels) = read_scores(&a.input)?;
            let check = eval::check_claim(
                Claim {
                    epsilon: a.claim_epsilon,
                    delta: a.claim_delta,
                },
                &scores,
                &labels,
                a.options.confidence,
                a.options.selection(),
            )?;
            write_json(out, &check)?;
            Ok(outcome(check.verdict))
        }
        EpsilonCommand::Audit(a) => audit(a, out),
        EpsilonCommand::Plan(a) => plan(a, out),
        EpsilonCommand::OneRun(a) => one_run(a, out),
    }
}

/// The one-run bound and, when a claim is given, whether it refutes it.
#[derive(Debug, Serialize)]
struct OneRunOutput {
    bound: eval::one_run::OneRunBound,
    claim_epsilon: Option<f64>,
    refuted: Option<bool>,
}

fn one_run(a: &OneRunArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    use eval::one_run::{one_run_epsilon_lower_bound, one_run_from_scores, OneRunCounts};
    let src = a.canaries.display().to_string();
    let frame = read(&a.canaries)?;
    let ids = text_column(&frame, &a.id_column, &src)?;
    let mut seen = std::collections::HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        let id = id.as_deref().unwrap_or("").trim().to_string();
        if id.is_empty() {
            return Err(CliError::Usage(format!(
                "{src}: column `{}`, row {}: empty canary id",
                a.id_column,
                i + 1
            )));
        }
        if let Some(first) = seen.insert(id.clone(), i + 1) {
            return Err(CliError::Usage(format!(
                "{src}: column `{}`, row {}: canary id `{id}` repeats row {first}; each canary appears once",
                a.id_column,
                i + 1
            )));
        }
    }
    let included = text_column(&frame, &a.included_column, &src)?
        .iter()
        .enumerate()
        .map(|(i, v)| parse_label(v.as_deref(), &src, &a.included_column, i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    let bound = match (&a.guess_column, &a.score_column) {
        (Some(g), None) => {
            let (mut guesses, mut correct) = (0u64, 0u64);
            for (i, v) in text_column(&frame, g, &src)?.iter().enumerate() {
                let t = v.as_deref().unwrap_or("").trim().to_ascii_lowercase();
                let guess = match t.as_str() {
                    "" | "abstain" | "-" => continue,
                    _ => parse_label(Some(&t), &src, g, i + 1)?,
                };
                guesses += 1;
                correct += u64::from(guess == included[i]);
            }
            one_run_epsilon_lower_bound(
                &OneRunCounts {
                    canaries: included.len() as u64,
                    guesses,
                    correct,
                },
                a.delta,
                a.confidence,
            )?
        }
        (None, Some(sc)) => {
            if a.guesses_in + a.guesses_out == 0 {
                return Err(CliError::Usage(
                    "--score-column needs --guesses-in and/or --guesses-out (how many canaries to guess, fixed before looking at the labels)".into(),
                ));
            }
            let scores = numeric_column(&frame, sc, &src)?;
            one_run_from_scores(
                &included,
                &scores,
                a.guesses_in,
                a.guesses_out,
                a.delta,
                a.confidence,
            )?
        }
        _ => {
            return Err(CliError::Usage(
                "give exactly one of --score-column (with --guesses-in/--guesses-out) and --guess-column".into(),
            ))
        }
    };
    let refuted = a.claim_epsilon.map(|c| bound.epsilon_lower > c);
    write_json(
        out,
        &OneRunOutput {
            bound,
            claim_epsilon: a.claim_epsilon,
            refuted,
        },
    )?;
    Ok(if refuted == Some(true) {
        Outcome::Refuted
    } else {
        Outcome::Success
    })
}

fn plan(a: &PlanArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    use crate::eval::planner::{plan_trials, PlanRequest, PlannedMechanism, PlannedSelection};
    if a.categories < 2 {
        return Err(CliError::Usage(format!(
            "--categories {}: randomized response needs at least 2",
            a.categories
        )));
    }
    let mechanism = match a.mechanism {
        PlanMechanismKind::Laplace => PlannedMechanism::Laplace,
        PlanMechanismKind::Gaussian => PlannedMechanism::Gaussian {
            delta: a.mechanism_delta,
        },
        PlanMechanismKind::RandomizedResponse => PlannedMechanism::RandomizedResponse {
            categories: a.categories,
        },
    };
    let selection = match a.selection {
        SelectionKind::HeldOut => PlannedSelection::HeldOut {
            fraction: a.held_out_fraction,
        },
        SelectionKind::Bonferroni => PlannedSelection::Bonferroni,
    };
    let plan = plan_trials(&PlanRequest {
        claimed_epsilon: a.claimed,
        claimed_delta: a.delta,
        true_epsilon: a.true_epsilon,
        mechanism,
        confidence: a.confidence,
        selection,
    })?;
    if let Some(path) = &a.svg {
        let predicted: Vec<(u64, f64)> = plan
            .curve
            .iter()
            .map(|p| (p.trials, p.epsilon_lower))
            .collect();
        let chart = crate::report::charts::epsilon_bound_vs_trials_with_plan(
            &[],
            &predicted,
            plan.trials,
            a.claimed,
        )?;
        write_new_file(path, chart.svg.as_bytes())?;
    }
    write_json(out, &plan)?;
    Ok(Outcome::Success)
}

/// Writes `bytes` to a new file at `path`; an existing file is never
/// overwritten.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            CliError::Usage(format!(
                "{}: cannot create the chart file: {e} (an existing file is never overwritten; choose a new path)",
                path.display()
            ))
        })?;
    f.write_all(bytes)
        .map_err(|e| CliError::Usage(format!("{}: writing the chart failed: {e}", path.display())))
}

fn outcome(v: Verdict) -> Outcome {
    match v {
        Verdict::Refuted => Outcome::Refuted,
        Verdict::NotRefuted => Outcome::Success,
    }
}

fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<(), CliError> {
    super::output::print_json(out, value)
}

fn read(path: &Path) -> Result<DataFrame, CliError> {
    Ok(read_frame(path, &ReadOptions::default())?)
}

/// Column `name` of `frame` as optional strings; the error lists the columns.
fn text_column(
    frame: &DataFrame,
    name: &str,
    source: &str,
) -> Result<Vec<Option<String>>, CliError> {
    Ok(crate::data::text_column(frame, name, source)?)
}

fn numeric_column(frame: &DataFrame, name: &str, source: &str) -> Result<Vec<f64>, CliError> {
    let text = text_column(frame, name, source)?;
    Ok(dp::parse_numeric(
        source,
        name,
        text.iter().map(|v| v.as_deref()),
    )?)
}

/// Group keys: the group-by columns joined with the unit separator.
fn group_keys(
    frame: &DataFrame,
    columns: &[String],
    source: &str,
) -> Result<Vec<String>, CliError> {
    Ok(crate::data::group_keys(frame, columns, source)?)
}

fn need_column(column: &Option<String>, kind: &str) -> Result<String, CliError> {
    column
        .clone()
        .ok_or_else(|| CliError::Usage(format!("--kind {kind} needs --column")))
}

fn estimate(a: &EstimateArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    crate::data::ensure_distinct_inputs("release", &a.release, "original", &a.original)?;
    let o_src = a.original.display().to_string();
    let r_src = a.release.display().to_string();
    let original = read(&a.original)?;
    let release = read(&a.release)?;
    let options = dp::NoiseFitOptions {
        confidence: a.confidence,
        sensitivity: a.sensitivity,
        delta: a.delta,
        detect_clamping: !a.no_clamp_detection,
        detect_rounding: !a.no_rounding_detection,
    };
    match a.kind {
        EstimateKind::Numeric | EstimateKind::Categorical => {
            let kind = if a.kind == EstimateKind::Numeric {
                "numeric"
            } else {
                "categorical"
            };
            let column = need_column(&a.column, kind)?;
            let rel_column = a.release_column.clone().unwrap_or_else(|| column.clone());
            if original.height() != release.height() {
                return Err(DpError::LengthMismatch {
                    left_name: o_src,
                    left: original.height(),
                    right_name: r_src,
                    right: release.height(),
                }
                .into());
            }
            if a.kind == EstimateKind::Numeric {
                let o = numeric_column(&original, &column, &o_src)?;
                let r = numeric_column(&release, &rel_column, &r_src)?;
                write_json(out, &dp::fit_paired_noise(&o, &r, &options)?)?;
            } else {
                let o: Vec<String> = text_column(&original, &column, &o_src)?
                    .into_iter()
                    .map(Option::unwrap_or_default)
                    .collect();
                let r: Vec<String> = text_column(&release, &rel_column, &r_src)?
                    .into_iter()
                    .map(Option::unwrap_or_default)
                    .collect();
                write_json(out, &eval::channel::estimate_channel(&o, &r, a.confidence)?)?;
            }
        }
        EstimateKind::Count | EstimateKind::Sum => {
            if a.group_by.is_empty() {
                return Err(CliError::Usage(
                    "--kind count/sum needs --group-by COLUMN[,COLUMN...]".into(),
                ));
            }
            let value_column = a.release_column.clone().ok_or_else(|| {
                CliError::Usage(
                    "--kind count/sum needs --release-column: the release column holding the noisy aggregate".into(),
                )
            })?;
            let (aggregate, values) = if a.kind == EstimateKind::Sum {
                let column = need_column(&a.column, "sum")?;
                (
                    dp::Aggregate::Sum,
                    Some(numeric_column(&original, &column, &o_src)?),
                )
            } else {
                (dp::Aggregate::Count, None)
            };
            let okeys = group_keys(&original, &a.group_by, &o_src)?;
            let rkeys = group_keys(&release, &a.group_by, &r_src)?;
            let rvalues = numeric_column(&release, &value_column, &r_src)?;
            let pairs =
                dp::aggregate_pairs(aggregate, &okeys, values.as_deref(), &rkeys, &rvalues)?;
            write_json(
                out,
                &dp::fit_aggregate_noise(&pairs, values.as_deref(), &options)?,
            )?;
        }
    }
    Ok(Outcome::Success)
}

fn parse_label(
    text: Option<&str>,
    source: &str,
    column: &str,
    row: usize,
) -> Result<bool, CliError> {
    let t = text.unwrap_or("").trim().to_ascii_lowercase();
    match t.as_str() {
        "1" | "true" | "yes" | "member" | "in" => Ok(true),
        "0" | "false" | "no" | "non-member" | "nonmember" | "out" => Ok(false),
        _ => Err(DpError::Invalid(format!(
            "{source}: column `{column}`, row {row}: `{t}` is not a membership label; use 1/true/yes/member/in or 0/false/no/non-member/out"
        ))
        .into()),
    }
}

fn read_scores(input: &ScoresInput) -> Result<(Vec<f64>, Vec<bool>), CliError> {
    let src = input.scores.display().to_string();
    let frame = read(&input.scores)?;
    let scores = numeric_column(&frame, &input.score_column, &src)?;
    let labels = text_column(&frame, &input.label_column, &src)?
        .iter()
        .enumerate()
        .map(|(i, v)| parse_label(v.as_deref(), &src, &input.label_column, i + 1))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((scores, labels))
}

/// Name of the count column of `--mechanism anonymize-histogram`.
const HISTOGRAM_COUNT_COLUMN: &str = "count";

/// The reference anonymizer `name` (`anonymize-laplace`, `anonymize-gaussian`,
/// `anonymize-rr`, `anonymize-histogram`) configured from the audit flags.
/// Noise: each value of `--column` clamped to `[--lower, --upper]`,
/// sensitivity `upper - lower` (one record's own value), Gaussian with the
/// analytic calibration and `--mechanism-delta`. Randomized response: the
/// domain `--categories` is declared. Histogram: counts by `--column` over the
/// observed cells, not rounded, in a column named `count`.
fn anonymizer(
    a: &AuditArgs,
    name: &str,
    epsilon: f64,
) -> Result<crate::anonymize::AnonymizerMechanism, CliError> {
    use crate::anonymize::noise::{
        GaussianCalibration, HistogramConfig, NoiseConfig, NoiseMechanism,
    };
    use crate::anonymize::randomized_response::{DeclaredDomain, RandomizedResponseConfig};
    let noise = |mechanism| {
        crate::anonymize::AnonymizerMechanism::Noise(NoiseConfig {
            columns: vec![a.column.clone()],
            mechanism,
            epsilon,
            sensitivity: a.upper - a.lower,
            lower: a.lower,
            upper: a.upper,
            seed: 0,
            decimals: None,
        })
    };
    Ok(match name {
        "anonymize-laplace" => noise(NoiseMechanism::Laplace),
        "anonymize-gaussian" => noise(NoiseMechanism::Gaussian {
            delta: a.mechanism_delta,
            calibration: GaussianCalibration::Analytic,
        }),
        "anonymize-rr" => {
            if a.categories.len() < 2 {
                return Err(CliError::Usage(
                    "--mechanism anonymize-rr needs --categories A,B[,...] (at least two): the declared domain".into(),
                ));
            }
            crate::anonymize::AnonymizerMechanism::RandomizedResponse(RandomizedResponseConfig {
                columns: vec![a.column.clone()],
                epsilon,
                seed: 0,
                domains: vec![DeclaredDomain {
                    column: a.column.clone(),
                    values: a.categories.clone(),
                }],
            })
        }
        "anonymize-histogram" => crate::anonymize::AnonymizerMechanism::Histogram(HistogramConfig {
            by: vec![a.column.clone()],
            epsilon,
            seed: 0,
            round: false,
            clamp_at_zero: false,
            include_empty_cells: false,
            count_column: HISTOGRAM_COUNT_COLUMN.into(),
            true_count_column: None,
        }),
        other => {
            return Err(CliError::Usage(format!(
                "unknown mechanism `{other}`; the reference anonymizers are anonymize-laplace, anonymize-gaussian, anonymize-rr and anonymize-histogram"
            )))
        }
    })
}

/// The mechanism `--mechanism` names: built-in, reference anonymizer or
/// external command.
fn named_mechanism(a: &AuditArgs) -> Result<Box<dyn dp::Mechanism>, CliError> {
    let need_eps = || {
        a.mechanism_epsilon.ok_or_else(|| {
            CliError::Usage(format!(
                "--mechanism {} needs --mechanism-epsilon",
                a.mechanism
            ))
        })
    };
    Ok(match a.mechanism.as_str() {
        "laplace" => Box::new(dp::LaplaceSum {
            column: a.column.clone(),
            lower: a.lower,
            upper: a.upper,
            epsilon: need_eps()?,
        }),
        "gaussian" => Box::new(dp::GaussianSum {
            column: a.column.clone(),
            lower: a.lower,
            upper: a.upper,
            epsilon: need_eps()?,
            delta: a.mechanism_delta,
        }),
        "rr" => {
            if a.categories.len() < 2 {
                return Err(CliError::Usage(
                    "--mechanism rr needs --categories A,B[,...] (at least two)".into(),
                ));
            }
            Box::new(dp::RandomizedResponse {
                column: a.column.clone(),
                categories: a.categories.clone(),
                epsilon: need_eps()?,
            })
        }
        name if name.starts_with("anonymize-") => Box::new(anonymizer(a, name, need_eps()?)?),
        template => Box::new(dp::CommandMechanism::parse(template)?),
    })
}

/// Checks that `--without` and `--with` are neighbouring datasets and, for
/// the built-in mechanisms, that both have `--column`, naming the file and
/// column at fault.
fn check_neighbours(
    a: &AuditArgs,
    without: &EncodedTable,
    with: &EncodedTable,
) -> Result<(), CliError> {
    let list = |t: &EncodedTable| {
        if t.columns.is_empty() {
            "(none)".to_string()
        } else {
            t.column_names().join(", ")
        }
    };
    // Built-in mechanisms read `--column` from the input; an external command
    // may produce it, so only its release needs it.
    let reads_column = matches!(a.mechanism.as_str(), "laplace" | "gaussian" | "rr")
        || a.mechanism.starts_with("anonymize-");
    for (flag, path, table) in [
        ("--without", &a.without, without),
        ("--with", &a.with, with),
    ] {
        if reads_column && table.column(&a.column).is_none() {
            return Err(CliError::Usage(format!(
                "{}: no column `{}` (given by --column) in the {flag} dataset; its columns are: {}; fix --column or the file",
                path.display(),
                a.column,
                list(table)
            )));
        }
    }
    let (without_header, with_header) = (without.column_names(), with.column_names());
    if without_header != with_header {
        let missing_in_with: Vec<&str> = without_header
            .iter()
            .filter(|h| !with_header.contains(h))
            .copied()
            .collect();
        let missing_in_without: Vec<&str> = with_header
            .iter()
            .filter(|h| !without_header.contains(h))
            .copied()
            .collect();
        let detail = match (missing_in_without.first(), missing_in_with.first()) {
            (Some(c), _) => format!(
                "column `{c}` of {} is not in {}",
                a.with.display(),
                a.without.display()
            ),
            (None, Some(c)) => format!(
                "column `{c}` of {} is not in {}",
                a.without.display(),
                a.with.display()
            ),
            (None, None) => "the columns are in a different order".to_string(),
        };
        return Err(CliError::Usage(format!(
            "{} and {} are not neighbours: {detail}; neighbouring datasets need the same columns in the same order (header line 1 of each)",
            a.without.display(),
            a.with.display()
        )));
    }
    let (only_without, only_with) = dp::differing_rows(without, with);
    if !matches!((only_without, only_with), (1, 0) | (0, 1) | (1, 1)) {
        return Err(CliError::Usage(format!(
            "{} ({} rows) and {} ({} rows) are not neighbours: {only_without} row(s) are only in the first and {only_with} only in the second; neighbours differ in exactly one row (added, removed or replaced)",
            a.without.display(),
            without.n_rows,
            a.with.display(),
            with.n_rows
        )));
    }
    Ok(())
}

fn audit(a: &AuditArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    audit_with(a, None, out)
}

/// Runs `reident epsilon audit` as [`run`] does, or, with `custom`, with that
/// mechanism in place of the one `--mechanism` names (which then only labels
/// the run): for callers that bring a mechanism the command line cannot
/// name, such as the Python package's `epsilon_audit` (a Python callable).
/// Everything else (reading and checking the neighbours, the distinguisher,
/// the trials, the bound and the verdict) is the command's.
pub fn audit_with(
    a: &AuditArgs,
    custom: Option<&dyn dp::Mechanism>,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    if a.lower >= a.upper {
        return Err(CliError::Usage(format!(
            "--lower {} must be below --upper {}: they clamp the values the mechanism sums",
            a.lower, a.upper
        )));
    }
    let without = dp::mechanism::read_csv(&a.without)?;
    let with = dp::mechanism::read_csv(&a.with)?;
    check_neighbours(a, &without, &with)?;
    let built: Box<dyn dp::Mechanism>;
    let mechanism: &dyn dp::Mechanism = match custom {
        Some(m) => m,
        None => {
            built = named_mechanism(a)?;
            built.as_ref()
        }
    };
    let distinguisher: Box<dyn dp::Distinguisher> = match &a.target_value {
        Some(v) if a.mechanism == "anonymize-histogram" => Box::new(crate::anonymize::CellCount {
            key_column: a.column.clone(),
            key_value: v.clone(),
            count_column: HISTOGRAM_COUNT_COLUMN.into(),
        }),
        Some(v) => Box::new(dp::ValueCount {
            column: a.column.clone(),
            value: v.clone(),
        }),
        None => Box::new(dp::NumericCell {
            column: a.column.clone(),
            row: 0,
        }),
    };
    let config = eval::AuditConfig {
        trials: a.trials,
        seed: a.options.seed,
        delta: a.delta,
        confidence: a.options.confidence,
        selection: a.options.selection(),
    };
    let claim = a.claim_epsilon.map(|epsilon| Claim {
        epsilon,
        delta: a.claim_delta,
    });
    let bar = super::progress::bar(a.trials as u64, "trials");
    let tick = || bar.inc(1);
    let trials = dp::run_trials(
        mechanism,
        &without,
        &with,
        distinguisher.as_ref(),
        config.trials,
        config.seed,
        &tick,
    );
    bar.finish_and_clear();
    let result = eval::bound_audit(&trials?, &config, claim)?;
    write_json(out, &result)?;
    Ok(result
        .claim
        .as_ref()
        .map_or(Outcome::Success, |c| outcome(c.verdict)))
}
