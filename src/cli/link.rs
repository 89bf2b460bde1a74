//! `reident link`: link release rows back to the originals. Two attacks:
//! Fellegi-Sunter linkage with blocking (`--fields`, `--block`) or, with
//! `--qi`, the quasi-identifier join on a generalized release. Reads both
//! files, calls [`crate::attacks::linkage`] (and, with a truth key,
//! [`crate::eval::linkage`] for the scores), writes the serde result as JSON.
//! The progress bar (stderr, hidden when stderr is not a terminal) lives here.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{CliError, Outcome};
use crate::attacks::linkage::{
    self, parse_blocking_rules, parse_comparisons, AssignmentMethod, LinkageConfig, LinkageStage,
    PriorSpec,
};
use crate::data::{ensure_distinct_inputs, load_table, Hierarchy, MissingPolicy, ReadOptions};
use crate::engine::link_out_of_core::{link_files, LinkOutOfCoreSummary};
use crate::engine::{MemoryBudget, OutOfCore};

/// One-to-one assignment choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AssignmentChoice {
    /// Every pair above the threshold is a link.
    None,
    /// Greedy by match weight.
    Greedy,
    /// Kuhn-Munkres on small components, greedy on large ones.
    Hungarian,
}

/// Arguments of `reident link`.
#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The original records (CSV, Parquet, NDJSON).
    #[arg(long)]
    pub original: PathBuf,
    /// The release.
    #[arg(long)]
    pub release: PathBuf,
    /// Comparisons, `;`-separated: `col[=release_col]:kind[(thresholds)][+tf]`
    /// with kind exact, jw(..), lev(..), dl(..), num(..), rel(..), date(..), gen.
    /// Example: "name:jw(0.92,0.8)+tf;age:num(1,5);zip:exact".
    #[arg(long)]
    pub fields: Option<String>,
    /// Blocking rules, `;`-separated; keys in a rule joined by `&`; a key is
    /// `col`, `col=release_col`, `prefix(n):col`, `soundex:col` or `year:col`.
    /// Example: "zip;soundex:name & year:dob". Without it every pair is compared.
    #[arg(long)]
    pub block: Option<String>,
    /// EM training blocking rules (same syntax); default: the --block rules.
    #[arg(long)]
    pub train_block: Option<String>,
    /// Probability that two random records match, strictly between 0 and 1.
    #[arg(long, conflicts_with = "deterministic", value_parser = super::parse::open_unit)]
    pub lambda: Option<f64>,
    /// Deterministic rules (blocking syntax) to estimate lambda from.
    #[arg(long)]
    pub deterministic: Option<String>,
    /// Assumed recall of the deterministic rules, in (0, 1].
    #[arg(long, default_value_t = 1.0, value_parser = super::parse::unit_left_open)]
    pub recall: f64,
    /// Minimum match weight of a link (log2 odds; any finite number, may be negative).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true, value_parser = super::parse::finite)]
    pub threshold: f64,
    /// One-to-one assignment.
    #[arg(long, value_enum, default_value_t = AssignmentChoice::Hungarian)]
    pub assignment: AssignmentChoice,
    /// Error when blocking would produce more pairs than this (at least 1).
    #[arg(long, default_value_t = 50_000_000, value_parser = super::parse::at_least_one_u64)]
    pub max_pairs: u64,
    /// Warn when one rule produces more pairs than this.
    #[arg(long, default_value_t = 5_000_000)]
    pub warn_pairs: u64,
    /// Random pairs sampled to estimate u (at least 1; 0 would leave u unestimated).
    #[arg(long, default_value_t = 1_000_000, value_parser = super::parse::at_least_one)]
    pub u_pairs: usize,
    /// Seed of the u sample.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Truth key: `col` (same name in both files) or `original_col=release_col`;
    /// `#row` as the original column is the originals' 0-based data row (what
    /// `reident anonymize --truth-key` writes).
    #[arg(long)]
    pub truth: Option<String>,
    /// With --qi: a file mapping original keys to release keys (e.g. login to
    /// pseudonym), as the audit's `truth.map`.
    #[arg(long, requires = "truth", requires = "qi")]
    pub truth_map: Option<PathBuf>,
    /// Columns of --truth-map: original key, release key.
    #[arg(long, value_delimiter = ',', num_args = 2, default_values_t = ["login".to_string(), "pseudonym".to_string()])]
    pub truth_map_columns: Vec<String>,
    /// Quasi-identifiers, comma-separated: run the QI-join attack instead.
    #[arg(long, value_delimiter = ',')]
    pub qi: Vec<String>,
    /// Generalization hierarchy `COLUMN=FILE` (ARX CSV), repeatable.
    #[arg(long)]
    pub hierarchy: Vec<String>,
    /// How a QI's release values are compared with its originals:
    /// `COLUMN=code|number|generalized`, repeatable (detected from the
    /// originals when absent: codes such as `01-01301` are never read as ranges).
    #[arg(long = "kind")]
    pub kinds: Vec<String>,
    /// CSV delimiter (detected when absent).
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Links reported with their per-field explanation.
    #[arg(long, default_value_t = 100)]
    pub explain: usize,
    /// With --qi: check "at most R of the release rows are re-identified", R
    /// in [0, 1), with the audit's rule (Wilson interval at 95%, coverage
    /// guard): exit 1 when the interval lies above R, 3 when it straddles R
    /// or the attack could not run over its input.
    #[arg(long, value_name = "R", requires = "qi", value_parser = super::parse::max_rate)]
    pub max_rate: Option<f64>,
    /// Include the per-row QI-join results in the JSON.
    #[arg(long)]
    pub rows: bool,
    /// Where the Fellegi-Sunter linkage runs: `in-process` (default),
    /// `partials:ROWS` (in process, the blocks split into partials of at
    /// most ROWS candidate pairs: pattern counts per partial merged for EM,
    /// pairs scored per partial; the same result) or `spark://HOST:PORT` (a
    /// Spark Connect server; --original and --release are then table names
    /// or Parquet paths on the cluster; needs the `spark` feature). Not for
    /// --qi, which runs in process.
    #[arg(long, default_value = "in-process", value_name = "ENGINE")]
    pub engine: String,
    /// Run the Fellegi-Sunter linkage out of core under this memory budget
    /// (e.g. `4G`, `512M`): both files read in chunks, never whole, only the
    /// columns the comparisons and rules use; every row written to hash
    /// partitions by its blocking keys in a temporary folder; blocking,
    /// comparing, EM counts and scoring run partition by partition. The
    /// result is the in-memory one plus an `out_of_core` section. Needs
    /// --block; not with another --engine. With --qi, the QI join runs out
    /// of core (tuples of values counted, spilled by hash, candidates per
    /// block of tuples, the truth key joined by hash partitions): the same
    /// JSON as in memory but for the per-row outcomes (`rows` empty; --rows
    /// is refused), plus an `out_of_core` section.
    #[arg(long, value_name = "BUDGET")]
    pub memory: Option<String>,
    /// Where --memory creates its spill folder (default: the system's
    /// temporary folder); the folder is removed at the end.
    #[arg(long, value_name = "DIR", requires = "memory")]
    pub temp_dir: Option<PathBuf>,
    /// Print the wall time of each stage (loading, blocking, u, EM sessions,
    /// scoring, assigning) to standard error.
    #[arg(long)]
    pub timings: bool,
}

fn split_truth(spec: &str) -> (String, String) {
    match spec.split_once('=') {
        Some((o, r)) => (o.trim().to_string(), r.trim().to_string()),
        None => (spec.trim().to_string(), spec.trim().to_string()),
    }
}

fn write_json<T: serde::Serialize>(value: &T, out: &mut dyn Write) -> Result<(), CliError> {
    super::output::print_json(out, value)
}

/// Runs `reident link`.
pub fn run(args: &LinkArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(CliError::Usage(format!(
                "--delimiter `{c}`: must be a single ASCII character"
            )))
        }
    };
    let opts = ReadOptions {
        delimiter,
        ..ReadOptions::default()
    };
    let missing = MissingPolicy::default();
    let mut hierarchies = HashMap::new();
    for spec in &args.hierarchy {
        let (column, file) = spec.split_once('=').ok_or_else(|| {
            CliError::Usage(format!(
                "--hierarchy `{spec}`: expected COLUMN=FILE, e.g. age=hier_age.csv"
            ))
        })?;
        hierarchies.insert(
            column.to_string(),
            Hierarchy::from_arx_csv(Path::new(file), column)?,
        );
    }
    let engine = crate::engine::Engine::parse(&args.engine)?;
    if args.memory.is_some() && engine != crate::engine::Engine::InProcess {
        return Err(CliError::Usage(format!(
            "--memory cannot be combined with --engine {}: out of core is its own in-process engine",
            args.engine
        )));
    }
    if let (crate::engine::Engine::Spark(url), false) = (&engine, args.qi.is_empty()) {
        return spark_qi_join(url, args, &hierarchies, out);
    }
    if engine != crate::engine::Engine::InProcess && !args.qi.is_empty() {
        return Err(CliError::Usage(format!(
            "--engine {}: the QI join (--qi) runs in process or on Spark",
            args.engine
        )));
    }
    if let crate::engine::Engine::Spark(url) = &engine {
        // Table names or paths on the cluster, not local files.
        if args.release == args.original {
            return Err(CliError::Usage(format!(
                "--release and --original both name `{}`; a release is never its own original",
                args.release.display()
            )));
        }
        let config = linkage_config(args)?;
        let result = spark_link(url, args, &config)?;
        return write_scored(&result, out);
    }
    ensure_distinct_inputs("release", &args.release, "original", &args.original)?;
    if let Some(budget) = &args.memory {
        return link_out_of_core(args, budget, &engine, &opts, &missing, &hierarchies, out);
    }
    let kinds = super::parse_kinds(&args.kinds)?;
    let started = std::time::Instant::now();
    // The two files are loaded side by side, each cut into chunks that are
    // parsed in parallel (data::read).
    let (original, release) = rayon::join(
        || load_table(&args.original, &[], &opts, &missing),
        || load_table(&args.release, &[], &opts, &missing),
    );
    let (original, release) = (original?, release?);

    if !args.qi.is_empty() {
        // The truth key, resolved as the audit resolves it.
        let truth_key = match &args.truth {
            None => None,
            Some(spec) => {
                let mut spec = crate::data::TruthSpec::parse(spec);
                if let Some(path) = &args.truth_map {
                    spec.map = Some(crate::data::read_key_map(
                        path,
                        &args.truth_map_columns[0],
                        &args.truth_map_columns[1],
                    )?);
                }
                Some(spec.resolve(&original, &release)?)
            }
        };
        let mut result = linkage::qi_join(
            &original,
            &release,
            &args.qi,
            &hierarchies,
            &kinds,
            truth_key.as_ref(),
        )?;
        if !args.rows {
            result.rows.clear();
        }
        write_json(&result, out)?;
        // The audit's claim "at most R of the rows are re-identified", with
        // its coverage guard; without --max-rate the guard's warnings alone.
        if let Some(max_rate) = args.max_rate {
            let claim = crate::audit::claims::reidentification::Reidentification {
                table: args.release.display().to_string(),
                max_rate,
            };
            let truth_columns: Vec<String> = args
                .truth
                .as_deref()
                .map(|spec| {
                    let spec = crate::data::TruthSpec::parse(spec);
                    vec![spec.original, spec.release]
                })
                .unwrap_or_default();
            let shared = crate::audit::claims::reidentification::undeclared_shared_columns(
                &release.column_names(),
                &original.column_names(),
                &args.qi,
                &args.qi,
                &truth_columns.iter().map(String::as_str).collect::<Vec<_>>(),
            );
            return Ok(Outcome::of_claims(
                &[claim.verdict(&result, &shared, 0.95)?],
            ));
        }
        for check in crate::eval::qi_join_checks(&result) {
            if !check.holds() {
                eprintln!("warning: {}", check.warning());
            }
        }
        return Ok(Outcome::Success);
    }

    let config = linkage_config(args)?;
    let partitioning = match engine {
        crate::engine::Engine::Partials(rows) => linkage::Partitioning::PairsPerPart(rows as u64),
        _ => linkage::Partitioning::One,
    };

    let bar = super::progress::spinner("link");
    // Stage timings: each stage runs until the next one is reported.
    let mut stage_started = started;
    let mut stage_name = "Loading".to_string();
    let mut timings: Vec<(String, f64)> = Vec::new();
    let mut progress = |stage: LinkageStage| {
        let now = std::time::Instant::now();
        let seconds = (now - stage_started).as_secs_f64();
        timings.push((std::mem::take(&mut stage_name), seconds));
        stage_started = now;
        stage_name = format!("{stage:?}");
        bar.set_message(match stage {
            LinkageStage::Blocking => "blocking".to_string(),
            LinkageStage::EstimatingU => "estimating u from random pairs".to_string(),
            LinkageStage::Comparing => "comparing the blocked pairs".to_string(),
            LinkageStage::Em(i, n) => format!("EM session {i}/{n}"),
            LinkageStage::Scoring => "scoring pairs".to_string(),
            LinkageStage::Assigning => "assigning and evaluating".to_string(),
        });
        bar.tick();
    };
    let result = linkage::link_partitioned(
        &original,
        &release,
        &config,
        &hierarchies,
        partitioning,
        &mut progress,
    )?;
    timings.push((stage_name, stage_started.elapsed().as_secs_f64()));
    bar.finish_and_clear();
    if args.timings {
        for (stage, seconds) in &timings {
            eprintln!("link timing: {stage:<12} {seconds:8.2} s");
        }
        eprintln!(
            "link timing: total        {:8.2} s",
            started.elapsed().as_secs_f64()
        );
    }
    write_scored(&result, out)
}

/// Writes the linkage result with its scores against the truth key (eval's
/// job), in one JSON object.
fn write_scored(result: &linkage::LinkageResult, out: &mut dyn Write) -> Result<Outcome, CliError> {
    write_scored_with(result, None, out)
}

/// [`write_scored`], with the out-of-core summary as an `out_of_core`
/// section when the run was out of core.
fn write_scored_with(
    result: &linkage::LinkageResult,
    out_of_core: Option<&LinkOutOfCoreSummary>,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    #[derive(serde::Serialize)]
    struct Scored<'a> {
        #[serde(flatten)]
        result: &'a linkage::LinkageResult,
        scores: Option<crate::eval::linkage::LinkageScores>,
        #[serde(skip_serializing_if = "Option::is_none")]
        out_of_core: Option<&'a LinkOutOfCoreSummary>,
    }
    let scores = crate::eval::linkage::score_links(result)?;
    write_json(
        &Scored {
            result,
            scores,
            out_of_core,
        },
        out,
    )?;
    Ok(Outcome::Success)
}

/// `reident link --memory`: the Fellegi-Sunter linkage out of core
/// ([`crate::engine::link_out_of_core`]); what cannot run there is refused
/// with the reason.
fn link_out_of_core(
    args: &LinkArgs,
    budget_text: &str,
    engine: &crate::engine::Engine,
    opts: &ReadOptions,
    missing: &MissingPolicy,
    hierarchies: &HashMap<String, Hierarchy>,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    if *engine != crate::engine::Engine::InProcess {
        return Err(CliError::Usage(format!(
            "--memory cannot be combined with --engine {}: out of core is its own in-process engine",
            args.engine
        )));
    }
    if !args.qi.is_empty() {
        return qi_join_out_of_core(args, budget_text, opts, missing, hierarchies, out);
    }
    let budget = MemoryBudget::parse(budget_text)?;
    let config = linkage_config(args)?;
    let mut settings = OutOfCore::new(budget);
    settings.temp_dir = args.temp_dir.clone();
    let bar = super::progress::spinner("link");
    let started = std::time::Instant::now();
    let mut progress = |stage: LinkageStage| {
        if args.timings {
            // The resident memory as each stage starts (Linux), to check the
            // tracked figures against.
            eprintln!(
                "link timing: {:8.2} s  {stage:?} starts, resident {}",
                started.elapsed().as_secs_f64(),
                crate::engine::memory::resident_bytes()
                    .map_or("unknown".to_string(), |b| format!("{} MB", b >> 20))
            );
        }
        bar.set_message(format!("out of core: {stage:?}"));
        bar.tick();
    };
    let run = link_files(
        &args.original,
        &args.release,
        &config,
        hierarchies,
        opts,
        missing,
        &settings,
        &mut progress,
    );
    bar.finish_and_clear();
    let (result, summary) = run?;
    if args.timings {
        eprintln!(
            "link timing: total        {:8.2} s",
            started.elapsed().as_secs_f64()
        );
    }
    if summary.budget_exceeded {
        eprintln!(
            "warning: --memory {budget_text}: the run went over the budget (tracked peak {} MB, resident peak {}); the blocked pairs ({} MB), the largest partition ({} MB), the u sample's rows and the process itself are held in memory. Raise the budget or add keys to the blocking rules.",
            summary.peak_tracked_bytes >> 20,
            summary
                .peak_resident_bytes
                .map_or("unknown".to_string(), |b| format!("{} MB", b >> 20)),
            summary.pair_bytes >> 20,
            summary.largest_partition_bytes >> 20,
        );
    }
    write_scored_with(&result, Some(&summary), out)
}

/// `reident link --qi ... --memory`: the QI join out of core
/// ([`crate::engine::qi_join_out_of_core`]): the same JSON as in process
/// without the per-row outcomes (`--rows` is refused), plus an
/// `out_of_core` section, and the same `--max-rate` verdict.
fn qi_join_out_of_core(
    args: &LinkArgs,
    budget_text: &str,
    opts: &ReadOptions,
    missing: &MissingPolicy,
    hierarchies: &HashMap<String, Hierarchy>,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    use crate::engine::qi_join_out_of_core::{qi_join_files, QiJoinFiles, QiJoinOutOfCoreSummary};
    if args.rows {
        return Err(CliError::Usage(
            "--rows cannot be combined with --memory: out of core the QI join keeps counts per tuple of values, not per release row; run it without --memory for the per-row outcomes".into(),
        ));
    }
    let budget = MemoryBudget::parse(budget_text)?;
    let mut settings = OutOfCore::new(budget);
    settings.temp_dir = args.temp_dir.clone();
    let kinds = super::parse_kinds(&args.kinds)?;
    let truth = match &args.truth {
        None => None,
        Some(spec) => {
            let mut spec = crate::data::TruthSpec::parse(spec);
            if let Some(path) = &args.truth_map {
                spec.map = Some(crate::data::read_key_map(
                    path,
                    &args.truth_map_columns[0],
                    &args.truth_map_columns[1],
                )?);
            }
            Some(spec)
        }
    };
    let columns: Vec<(String, String)> = args.qi.iter().map(|q| (q.clone(), q.clone())).collect();
    let bar = super::progress::spinner("link");
    bar.set_message("QI join out of core");
    let run = qi_join_files(
        &QiJoinFiles {
            original: &args.original,
            release: &args.release,
            columns: &columns,
            hierarchies,
            kinds: &kinds,
            truth: truth.as_ref(),
            opts,
            missing,
        },
        &settings,
    );
    bar.finish_and_clear();
    let (result, summary) = run?;
    if summary.budget_exceeded {
        eprintln!(
            "warning: --memory {budget_text}: the run went over the budget (tracked peak {} MB, resident peak {}); the per-column dictionaries and accepted value pairs ({} MB) and the process itself are held in memory.",
            summary.peak_tracked_bytes >> 20,
            summary
                .peak_resident_bytes
                .map_or("unknown".to_string(), |b| format!("{} MB", b >> 20)),
            summary.dictionary_bytes >> 20,
        );
    }
    #[derive(serde::Serialize)]
    struct WithSummary<'a> {
        #[serde(flatten)]
        result: &'a linkage::QiJoinResult,
        out_of_core: &'a QiJoinOutOfCoreSummary,
    }
    write_json(
        &WithSummary {
            result: &result,
            out_of_core: &summary,
        },
        out,
    )?;
    let truth_columns: Vec<&str> = truth
        .iter()
        .flat_map(|t| [t.original.as_str(), t.release.as_str()])
        .collect();
    qi_join_outcome(
        args,
        args.release.display().to_string(),
        &result,
        &truth_columns,
        || {
            Ok((
                crate::data::file_columns(&args.release, opts)?,
                crate::data::file_columns(&args.original, opts)?,
            ))
        },
    )
}

/// How `link --qi` ends when the tables were not loaded (out of core, on
/// Spark): with `--max-rate`, the audit's re-identification claim, with the
/// columns both files' headers share beyond the QIs and the truth key
/// (`headers` reads them only then); else the QI join's checks as warnings.
fn qi_join_outcome(
    args: &LinkArgs,
    table: String,
    result: &linkage::QiJoinResult,
    truth_columns: &[&str],
    headers: impl FnOnce() -> Result<(Vec<String>, Vec<String>), CliError>,
) -> Result<Outcome, CliError> {
    let Some(max_rate) = args.max_rate else {
        for check in crate::eval::qi_join_checks(result) {
            if !check.holds() {
                eprintln!("warning: {}", check.warning());
            }
        }
        return Ok(Outcome::Success);
    };
    let (release_columns, original_columns) = headers()?;
    let claim = crate::audit::claims::reidentification::Reidentification { table, max_rate };
    fn names(c: &[String]) -> Vec<&str> {
        c.iter().map(String::as_str).collect()
    }
    let shared = crate::audit::claims::reidentification::undeclared_shared_columns(
        &names(&release_columns),
        &names(&original_columns),
        &args.qi,
        &args.qi,
        truth_columns,
    );
    Ok(Outcome::of_claims(&[claim.verdict(result, &shared, 0.95)?]))
}

/// The Fellegi-Sunter configuration the arguments ask for.
fn linkage_config(args: &LinkArgs) -> Result<LinkageConfig, CliError> {
    let fields = args.fields.as_deref().ok_or_else(|| {
        CliError::Usage(
            "give --fields (e.g. \"name:jw(0.92,0.8);age:num(1,5);zip:exact\") or --qi for the QI join"
                .into(),
        )
    })?;
    let mut config = LinkageConfig::new(
        parse_comparisons(fields)?,
        match &args.block {
            Some(b) => parse_blocking_rules(b)?,
            None => Vec::new(),
        },
    );
    if let Some(t) = &args.train_block {
        config.training_blocking = parse_blocking_rules(t)?;
    }
    config.prior = match (&args.deterministic, args.lambda) {
        (Some(rules), _) => PriorSpec::Deterministic {
            rules: parse_blocking_rules(rules)?,
            recall: args.recall,
        },
        (None, Some(lambda)) => PriorSpec::Given { lambda },
        (None, None) => config.prior,
    };
    config.threshold = args.threshold;
    config.assignment = match args.assignment {
        AssignmentChoice::None => AssignmentMethod::None,
        AssignmentChoice::Greedy => AssignmentMethod::Greedy,
        AssignmentChoice::Hungarian => AssignmentMethod::Hungarian { max_component: 200 },
    };
    config.max_pairs = args.max_pairs;
    config.warn_pairs = args.warn_pairs;
    config.u_sample_pairs = args.u_pairs;
    config.seed = args.seed;
    config.truth = args.truth.as_deref().map(split_truth);
    config.explain_links = args.explain;

    Ok(config)
}

/// `reident link --qi ... --engine spark://`: the QI join on the Spark
/// Connect server ([`crate::engine::spark_qi_join`]), with the same JSON
/// (without per-row outcomes) and the same `--max-rate` verdict as in process.
fn spark_qi_join(
    url: &str,
    args: &LinkArgs,
    hierarchies: &HashMap<String, Hierarchy>,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    if args.release == args.original {
        return Err(CliError::Usage(format!(
            "--release and --original both name `{}`; a release is never its own original",
            args.release.display()
        )));
    }
    if args.truth_map.is_some() {
        return Err(CliError::Usage(
            "--truth-map: a truth key through a key-map file is not supported on Spark; run the QI join in process".into(),
        ));
    }
    let truth = args.truth.as_deref().map(crate::data::TruthSpec::parse);
    if truth
        .as_ref()
        .is_some_and(|t| t.original == crate::data::ROW_KEY)
    {
        return Err(CliError::Usage(format!(
            "--truth {}: a truth key on the originals' row number is not supported on Spark; run the QI join in process",
            crate::data::ROW_KEY
        )));
    }
    let kinds = super::parse_kinds(&args.kinds)?;
    let columns: Vec<(String, String)> = args.qi.iter().map(|q| (q.clone(), q.clone())).collect();
    let original = args.original.display().to_string();
    let release = args.release.display().to_string();
    let (result, release_columns, original_columns) = crate::engine::spark_qi_join(
        url,
        &crate::engine::SparkQiJoin {
            original: &original,
            release: &release,
            columns: &columns,
            hierarchies,
            kinds: &kinds,
            truth: truth
                .as_ref()
                .map(|t| (t.original.as_str(), t.release.as_str())),
        },
    )?;
    write_json(&result, out)?;
    let truth_columns: Vec<&str> = truth
        .iter()
        .flat_map(|t| [t.original.as_str(), t.release.as_str()])
        .collect();
    qi_join_outcome(args, release.clone(), &result, &truth_columns, || {
        Ok((release_columns, original_columns))
    })
}

#[cfg(feature = "spark")]
fn spark_link(
    url: &str,
    args: &LinkArgs,
    config: &LinkageConfig,
) -> Result<linkage::LinkageResult, CliError> {
    use crate::engine::spark::SparkTable;
    use crate::engine::spark_link::link;
    let original = SparkTable::parse(&args.original.display().to_string());
    let release = SparkTable::parse(&args.release.display().to_string());
    Ok(link(
        url,
        &original,
        &release,
        config,
        &MissingPolicy::default(),
    )?)
}

#[cfg(not(feature = "spark"))]
fn spark_link(
    url: &str,
    _args: &LinkArgs,
    _config: &LinkageConfig,
) -> Result<linkage::LinkageResult, CliError> {
    Err(CliError::Usage(format!(
        "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
    )))
}
