//! `reident metrics`: every release-only privacy metric of one table.
//!
//! Thin wrapper over [`crate::privacy::evaluate`] and the risk models: parses
//! the arguments, loads the columns it needs, and renders the
//! [`MetricsReport`] as a text table, Markdown or JSON (the stable contract).
//!
//! Unless `--no-hidden-qi` is given it also reads every other column of the
//! file and runs [`crate::privacy::detect_hidden_quasi_identifiers`]: columns
//! left out of `--qi` that re-create a quasi-identifier or are near-unique are
//! printed on standard error with the k the release would have with them,
//! and the whole check is in the report (`hidden_qi` in JSON). On by default
//! because a k over an incomplete quasi-identifier overstates anonymity and
//! nothing else would say so. `--subject COL` counts persons instead of
//! records (several records per person).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::{CliError, Outcome};
use crate::data::{self, Hierarchy, MissingPolicy, ReadOptions};
use crate::engine::{out_of_core, ClassPartial, Engine, MemoryBudget, OutOfCore};
use crate::privacy::{
    self, CandidateRole, HiddenQiOptions, HiddenQiReport, MetricsParams, MetricsReport,
    SuppressedRows,
};

/// Output formats of `reident metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricsFormat {
    /// Aligned text for a terminal.
    Table,
    /// The serde model as pretty JSON (the stable contract).
    Json,
    /// Markdown tables.
    Md,
}

/// Policy flag for rows whose quasi-identifiers are all suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SuppressedFlag {
    /// Treat them as removed from the release (default).
    Exclude,
    /// ARX's behaviour: they form one equivalence class.
    OneClass,
}

/// Arguments of `reident metrics`.
#[derive(Debug, Args)]
#[command(
    about = "Privacy metrics of a release: k, l, t, beta, delta, re-identification risk",
    after_help = "Example:\n  reident metrics --data datasets/adult/adult.csv --qi age,sex,race \\\n      --sensitive occupation --hierarchy occupation=datasets/adult/hierarchies/adult_hierarchy_occupation.csv"
)]
pub struct MetricsArgs {
    /// The release to measure (CSV, Parquet or NDJSON, optionally gzipped).
    #[arg(long, value_name = "FILE", required_unless_present = "demo")]
    pub data: Option<PathBuf>,
    /// Quasi-identifier columns, comma separated.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub qi: Vec<String>,
    /// Sensitive columns, comma separated.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub sensitive: Vec<String>,
    /// Sensitive columns holding numbers (adds ordered-EMD t-closeness).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub numeric: Vec<String>,
    /// A generalization hierarchy in ARX format for a sensitive column (adds
    /// hierarchical-EMD t-closeness). Repeatable.
    #[arg(long, value_name = "COL=FILE")]
    pub hierarchy: Vec<String>,
    /// List the records in classes smaller than this k (at least 1).
    #[arg(long, default_value_t = 2, value_parser = super::parse::at_least_one_u64)]
    pub target_k: u64,
    /// Rows whose quasi-identifiers are all `*`.
    #[arg(long, value_enum, default_value_t = SuppressedFlag::Exclude)]
    pub suppressed: SuppressedFlag,
    /// Values that mean "missing", comma separated (default `?`, empty, null, NULL, NaN).
    #[arg(long, value_name = "TOKENS")]
    pub missing: Option<String>,
    /// CSV delimiter (default: detected from the header).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<char>,
    /// A record is at risk when its re-identification probability exceeds
    /// this, a probability in [0, 1].
    #[arg(long, default_value_t = 0.2, value_name = "P", value_parser = super::parse::probability)]
    pub risk_threshold: f64,
    /// Share of the population the release is a sample of, in (0, 1]: adds
    /// population uniqueness (Zayatz, Pitman, SNB, Dankar rule) and an
    /// estimated journalist risk.
    #[arg(long, value_name = "PI", value_parser = super::parse::unit_left_open)]
    pub sampling_fraction: Option<f64>,
    /// A population table with the same quasi-identifiers, generalized the same
    /// way: journalist and marketer risk use its class sizes.
    #[arg(long, value_name = "FILE")]
    pub population: Option<PathBuf>,
    /// The column naming the person each record belongs to (e.g. a patient
    /// id), for releases with several records per person: k, distinct l and
    /// the risks then count distinct persons per class, not records.
    #[arg(long, value_name = "COL")]
    pub subject: Option<String>,
    /// Do not check the other columns of the file for hidden
    /// quasi-identifiers (columns outside --qi that determine a
    /// quasi-identifier or are near-unique); only the named columns are read.
    #[arg(long)]
    pub no_hidden_qi: bool,
    /// A column is near-unique (a hidden identifier) when its distinct values
    /// make up at least this share of the records (of the persons with
    /// --subject), in (0, 1].
    #[arg(long, default_value_t = 0.9, value_name = "SHARE", value_parser = super::parse::unit_left_open)]
    pub near_unique: f64,
    /// A column re-creates a quasi-identifier when Goodman-Kruskal lambda of
    /// the quasi-identifier given the column is at least this, in (0, 1] (1:
    /// exact functional dependency only).
    #[arg(long, default_value_t = 0.95, value_name = "LAMBDA", value_parser = super::parse::unit_left_open)]
    pub min_lambda: f64,
    /// Where the equivalence classes are computed: `in-process` (default),
    /// `partials:ROWS` (in process, as exactly merged partials of ROWS rows
    /// each) or `spark://HOST:PORT` (a Spark Connect server; --data is then a
    /// table name or a Parquet path on the cluster; needs the `spark`
    /// feature). The report is the same; on Spark the hidden
    /// quasi-identifier check runs as Spark SQL aggregates too; --subject and
    /// --population need the in-process engine, and `partials:ROWS` does not
    /// run the hidden quasi-identifier check.
    #[arg(long, default_value = "in-process", value_name = "ENGINE")]
    pub engine: String,
    /// Read the input out of core under this memory budget (e.g. `4G`,
    /// `512M`): in chunks, never whole, spilling hash partitions of the
    /// equivalence-class groups to a temporary folder when the tracked
    /// state would exceed it. The report is the same as in memory, plus an
    /// `out_of_core` section; the hidden quasi-identifier check runs out of
    /// core too (one more pass over the file). With `--engine spark://`
    /// the groups Spark sends are finished the same way, batch by batch,
    /// so the client's memory follows the budget. Not with --subject,
    /// --population or `--engine partials:ROWS`.
    #[arg(long, value_name = "BUDGET")]
    pub memory: Option<String>,
    /// Where --memory creates its spill folder (default: the system's
    /// temporary folder); the folder is removed at the end.
    #[arg(long, value_name = "DIR", requires = "memory")]
    pub temp_dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MetricsFormat::Table)]
    pub format: MetricsFormat,
    /// Run on the bundled UCI Adult data with its usual quasi-identifiers.
    #[arg(long)]
    pub demo: bool,
}

/// The demo: UCI Adult with the quasi-identifiers of the ARX examples.
fn demo_args(args: &MetricsArgs) -> MetricsArgs {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/adult");
    MetricsArgs {
        data: Some(root.join("adult.csv")),
        qi: [
            "age",
            "sex",
            "race",
            "marital-status",
            "education",
            "native-country",
        ]
        .map(String::from)
        .to_vec(),
        sensitive: vec!["occupation".into(), "salary-class".into()],
        numeric: vec![],
        hierarchy: vec![format!(
            "occupation={}",
            root.join("hierarchies/adult_hierarchy_occupation.csv")
                .display()
        )],
        target_k: args.target_k,
        suppressed: args.suppressed,
        risk_threshold: args.risk_threshold,
        // Adult is a sample of the 1994 US adult population; 0.01 is an
        // illustrative fraction for the demo, not a census figure.
        sampling_fraction: args.sampling_fraction.or(Some(0.01)),
        population: None,
        missing: None,
        delimiter: Some(';'),
        subject: None,
        no_hidden_qi: args.no_hidden_qi,
        near_unique: args.near_unique,
        min_lambda: args.min_lambda,
        engine: args.engine.clone(),
        memory: args.memory.clone(),
        temp_dir: args.temp_dir.clone(),
        format: args.format,
        demo: true,
    }
}

/// Runs `reident metrics`.
pub fn run(args: &MetricsArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let demo;
    let args = if args.demo {
        demo = demo_args(args);
        &demo
    } else {
        args
    };
    let report = compute(args)?;
    if let Some(hidden) = &report.hidden_qi {
        for line in hidden.warnings() {
            eprintln!("warning: {line}");
        }
    }
    if let Some(s) = &report.subjects {
        if s.profile_k < s.subject_k {
            eprintln!(
                "warning: {} of {} persons have records in several classes; k = {} counting persons per class, but k = {} for an adversary who knows all of a person's records",
                s.n_subjects_in_several_classes, s.n_subjects, s.subject_k, s.profile_k
            );
        }
    }
    let text = match args.format {
        MetricsFormat::Json => super::output::to_json(&report)?.trim_end().to_string(),
        MetricsFormat::Table => render_table(&report),
        MetricsFormat::Md => render_markdown(&report),
    };
    writeln!(out, "{text}").map_err(|source| CliError::Write {
        path: "standard output".into(),
        source,
    })?;
    Ok(Outcome::Success)
}

/// Loads the columns and evaluates the metrics.
pub fn compute(args: &MetricsArgs) -> Result<MetricsReport, CliError> {
    let path = args
        .data
        .as_deref()
        .ok_or_else(|| CliError::Usage("--data FILE is required (or use --demo)".into()))?;
    if args.qi.is_empty() {
        return Err(CliError::Usage(
            "no quasi-identifiers: name at least one with --qi (e.g. --qi age,sex,zip)".into(),
        ));
    }
    let mut hierarchies = HashMap::new();
    for spec in &args.hierarchy {
        let (column, file) = spec.split_once('=').ok_or_else(|| {
            CliError::Usage(format!(
                "--hierarchy `{spec}`: expected COLUMN=FILE, e.g. occupation=hier_occupation.csv"
            ))
        })?;
        let h = Hierarchy::from_arx_csv(Path::new(file), column)?;
        hierarchies.insert(column.to_string(), h);
    }
    let delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(CliError::Usage(format!(
                "--delimiter `{c}`: must be a single ASCII character"
            )))
        }
    };
    let missing = match &args.missing {
        None => MissingPolicy::default(),
        Some(tokens) => MissingPolicy {
            tokens: tokens.split(',').map(|t| t.trim().to_string()).collect(),
            ..MissingPolicy::default()
        },
    };
    let mut columns: Vec<&str> = args.qi.iter().map(String::as_str).collect();
    columns.extend(args.sensitive.iter().map(String::as_str));
    if let Some(subject) = &args.subject {
        if !columns.contains(&subject.as_str()) {
            columns.push(subject);
        }
    }
    let opts = ReadOptions {
        delimiter,
        ..ReadOptions::default()
    };
    let engine = Engine::parse(&args.engine)?;
    if let Some(budget) = &args.memory {
        return compute_out_of_core(args, budget, path, &opts, &missing, hierarchies, &engine);
    }
    if engine != Engine::InProcess {
        return compute_on_engine(args, &engine, path, &columns, &opts, &missing, hierarchies);
    }
    let table = if args.no_hidden_qi {
        data::load_table(path, &columns, &opts, &missing)?
    } else {
        // Every column, so the others can be checked (a named column that is
        // absent is reported by the metrics with its role).
        data::load_table(path, &[], &opts, &missing)?
    };
    // A named column that is absent: the reader's short message (a file of a
    // million columns lists a few and counts the rest).
    for c in &columns {
        if table.column(c).is_none() {
            return Err(data::DataError::MissingColumn {
                source_name: path.display().to_string(),
                column: c.to_string(),
                available: table.column_names().iter().map(|s| s.to_string()).collect(),
            }
            .into());
        }
    }
    let mut params = metrics_params(args, hierarchies);
    if let Some(population) = &args.population {
        let qis: Vec<&str> = args.qi.iter().map(String::as_str).collect();
        params = params.population(data::load_table(population, &qis, &opts, &missing)?);
    }
    let mut report = privacy::evaluate(&table, &params)?;
    let others = table.columns.len().saturating_sub(columns.len());
    if !args.no_hidden_qi && others > privacy::hidden_qi::MAX_CANDIDATE_COLUMNS {
        eprintln!(
            "warning: {} has {others} columns besides the named ones; the hidden quasi-identifier check runs on at most {} (one group-by each): skipped. Select the columns to check into a smaller file, or pass --no-hidden-qi to silence this.",
            path.display(),
            privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
        );
    } else if !args.no_hidden_qi {
        let options = HiddenQiOptions {
            near_unique_share: args.near_unique,
            min_lambda: args.min_lambda,
            columns: None,
        };
        report.hidden_qi = Some(privacy::detect_hidden_quasi_identifiers(
            &table, &params, &options,
        )?);
    }
    Ok(report)
}

/// The metrics parameters the arguments ask for (no population table).
fn metrics_params(args: &MetricsArgs, hierarchies: HashMap<String, Hierarchy>) -> MetricsParams {
    let mut params = MetricsParams::new(args.qi.iter().cloned())
        .sensitive(args.sensitive.iter().cloned())
        .hierarchies(hierarchies)
        .target_k(args.target_k)
        .suppressed_rows(match args.suppressed {
            SuppressedFlag::Exclude => SuppressedRows::Exclude,
            SuppressedFlag::OneClass => SuppressedRows::OneClass,
        });
    for n in &args.numeric {
        params = params.numeric(n.clone());
    }
    params = params.risk_threshold(args.risk_threshold);
    if let Some(subject) = &args.subject {
        params = params.subject(subject.clone());
    }
    if let Some(pi) = args.sampling_fraction {
        params = params.sampling_fraction(pi);
    }
    params
}

/// `compute` with `--memory`: the file is read in chunks under the budget
/// ([`crate::engine::out_of_core`]); options that need the rows are refused
/// with the reason.
fn compute_out_of_core(
    args: &MetricsArgs,
    budget: &str,
    path: &Path,
    opts: &ReadOptions,
    missing: &MissingPolicy,
    hierarchies: HashMap<String, Hierarchy>,
    engine: &Engine,
) -> Result<MetricsReport, CliError> {
    let budget_text = budget;
    let budget = MemoryBudget::parse(budget)?;
    let refuse = |option: &str, why: &str| {
        Err(CliError::Usage(format!(
            "--memory cannot be combined with {option}: {why}"
        )))
    };
    if let Engine::Partials(_) = engine {
        return refuse(
            &format!("--engine {}", args.engine),
            "the out-of-core reader is an in-process engine of its own; drop one of them",
        );
    }
    if args.subject.is_some() {
        return refuse(
            "--subject",
            "counting persons per class needs every record's subject, which the out-of-core groups do not keep; run in memory (without --memory)",
        );
    }
    if args.population.is_some() {
        return refuse(
            "--population",
            "the population table's classes are matched row by row in memory; run in memory (without --memory)",
        );
    }
    let params = metrics_params(args, hierarchies);
    let mut settings = OutOfCore::new(budget);
    settings.temp_dir = args.temp_dir.clone();
    if let Engine::Spark(url) = engine {
        // Spark groups the table; its groups are finished here under the
        // budget instead of being held at once.
        let mut report = crate::engine::spark_class_metrics_out_of_core(
            url,
            &path.display().to_string(),
            &params,
            missing,
            &settings,
        )?;
        if let Some(o) = &report.out_of_core {
            for w in out_of_core::budget_warnings(o) {
                eprintln!("warning: --memory {budget_text}: {w}");
            }
        }
        spark_hidden_qi(args, url, path, &params, missing, &mut report)?;
        return Ok(report);
    }
    let bar = super::progress::spinner("chunks");
    let report = out_of_core::evaluate_file(path, opts, missing, &params, &settings, &mut |p| {
        bar.set_message(format!(
            "{} rows in {} chunks, {} spills, {} MB tracked",
            p.rows,
            p.chunks,
            p.spills,
            p.tracked_bytes >> 20
        ));
    });
    bar.finish_and_clear();
    let mut report = report?;
    if let Some(o) = &report.out_of_core {
        for w in out_of_core::budget_warnings(o) {
            eprintln!("warning: --memory {budget_text}: {w}");
        }
    }
    if !args.no_hidden_qi {
        // The same candidates and limit as in memory, checked out of core.
        let all = data::file_columns(path, opts)?;
        let named = args.qi.len() + args.sensitive.len();
        let others = all.len().saturating_sub(named);
        if others > privacy::hidden_qi::MAX_CANDIDATE_COLUMNS {
            eprintln!(
                "warning: {} has {others} columns besides the named ones; the hidden quasi-identifier check runs on at most {}: skipped. Select the columns to check into a smaller file, or pass --no-hidden-qi to silence this.",
                path.display(),
                privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
            );
        } else {
            let options = HiddenQiOptions {
                near_unique_share: args.near_unique,
                min_lambda: args.min_lambda,
                columns: None,
            };
            let (hidden, _) = crate::engine::scan_out_of_core::hidden_qi_file(
                path,
                opts,
                missing,
                &params,
                &options,
                report.k,
                report.below_target_k.n_records,
                report.n_rows_in_classes,
                &settings,
            )?;
            report.hidden_qi = Some(hidden);
        }
    }
    Ok(report)
}

/// `compute` on an engine other than the one-pass in-process build: the
/// equivalence-class partials come from chunks of the table or from Spark,
/// and [`ClassPartial::evaluate`] finishes the metrics as in process.
fn compute_on_engine(
    args: &MetricsArgs,
    engine: &Engine,
    path: &Path,
    columns: &[&str],
    opts: &ReadOptions,
    missing: &MissingPolicy,
    hierarchies: HashMap<String, Hierarchy>,
) -> Result<MetricsReport, CliError> {
    if args.subject.is_some() || args.population.is_some() {
        return Err(CliError::Usage(format!(
            "--engine {}: --subject and --population need the rows; use --engine in-process",
            args.engine
        )));
    }
    if !args.no_hidden_qi && matches!(engine, Engine::Partials(_)) {
        eprintln!(
            "warning: the hidden quasi-identifier check is not run with --engine {} (it checks the partial path of the classes only; pass --no-hidden-qi to silence this, or run without --engine for it)",
            args.engine
        );
    }
    let params = metrics_params(args, hierarchies);
    let qis: Vec<&str> = args.qi.iter().map(String::as_str).collect();
    let sas: Vec<&str> = args.sensitive.iter().map(String::as_str).collect();
    let source = path.display().to_string();
    let partial = match engine {
        Engine::Partials(rows) => {
            let table = data::load_table(path, columns, opts, missing)?;
            ClassPartial::from_chunks(&table, &qis, &sas, args.target_k, *rows)?
        }
        Engine::Spark(url) => spark_partial(url, &source, &qis, &sas, args.target_k, missing)?,
        Engine::InProcess => {
            let table = data::load_table(path, columns, opts, missing)?;
            ClassPartial::from_chunks(&table, &qis, &sas, args.target_k, table.n_rows)?
        }
    };
    let mut report = partial.evaluate(&source, &params)?;
    if let Engine::Spark(url) = engine {
        spark_hidden_qi(args, url, path, &params, missing, &mut report)?;
    }
    Ok(report)
}

/// The hidden quasi-identifier check of a table on Spark, unless
/// `--no-hidden-qi`: the same thresholds as in process, computed as Spark
/// SQL aggregates ([`crate::engine::spark_hidden_qi`]). With more candidate
/// columns than the check takes it is skipped with a warning, as in process.
fn spark_hidden_qi(
    args: &MetricsArgs,
    url: &str,
    path: &Path,
    params: &MetricsParams,
    missing: &MissingPolicy,
    report: &mut MetricsReport,
) -> Result<(), CliError> {
    if args.no_hidden_qi {
        return Ok(());
    }
    let options = HiddenQiOptions {
        near_unique_share: args.near_unique,
        min_lambda: args.min_lambda,
        columns: None,
    };
    match crate::engine::spark_hidden_qi(
        url,
        &path.display().to_string(),
        params,
        missing,
        &options,
        report,
    ) {
        Ok(hidden) => report.hidden_qi = Some(hidden),
        Err(crate::engine::EngineError::TooManyCandidates(n)) => eprintln!(
            "warning: {} has {n} columns besides the named ones; the hidden quasi-identifier check runs on at most {}: skipped. Select the columns to check into a smaller table, or pass --no-hidden-qi to silence this.",
            path.display(),
            privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
        ),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

#[cfg(feature = "spark")]
fn spark_partial(
    url: &str,
    source: &str,
    qis: &[&str],
    sas: &[&str],
    target_k: u64,
    missing: &MissingPolicy,
) -> Result<ClassPartial, CliError> {
    let table = crate::engine::spark::SparkTable::parse(source);
    Ok(crate::engine::spark::class_partial(
        url, &table, qis, sas, target_k, missing,
    )?)
}

#[cfg(not(feature = "spark"))]
fn spark_partial(
    url: &str,
    _source: &str,
    _qis: &[&str],
    _sas: &[&str],
    _target_k: u64,
    _missing: &MissingPolicy,
) -> Result<ClassPartial, CliError> {
    Err(CliError::Usage(format!(
        "the Spark engine ({url}): this reident was built without Spark Connect; rebuild with `cargo build --features spark`"
    )))
}

fn fmt_f(x: f64) -> String {
    if x.is_infinite() {
        "inf".to_string()
    } else {
        format!("{x:.4}")
    }
}

fn fmt_opt(x: Option<u64>) -> String {
    x.map_or_else(|| "undefined".to_string(), |v| v.to_string())
}

/// Rows of (label, value) shared by the text and Markdown views.
fn summary_rows(r: &MetricsReport) -> Vec<(String, String)> {
    let mut rows = vec![
        ("rows".to_string(), r.n_rows.to_string()),
        (
            "fully suppressed rows".to_string(),
            format!("{} ({:?})", r.n_suppressed_rows, r.inputs.suppressed_rows),
        ),
        ("equivalence classes".to_string(), r.n_classes.to_string()),
        ("k (smallest class)".to_string(), r.k.to_string()),
        (
            "classes of size 1".to_string(),
            r.n_unique_classes.to_string(),
        ),
        (
            format!("records in classes < {}", r.below_target_k.target_k),
            format!(
                "{} in {} classes",
                r.below_target_k.n_records, r.below_target_k.n_classes
            ),
        ),
    ];
    if let Some(s) = &r.subjects {
        rows.push((
            format!("persons (subject column `{}`)", s.column),
            format!(
                "{} with {} records (at most {} per person)",
                s.n_subjects, s.n_records, s.max_records_per_subject
            ),
        ));
        rows.push((
            "k counting records / persons / persons' record sets".to_string(),
            format!("{} / {} / {}", s.record_k, s.subject_k, s.profile_k),
        ));
        rows.push((
            "persons in several classes".to_string(),
            s.n_subjects_in_several_classes.to_string(),
        ));
    }
    let risk = &r.risk;
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    rows.push((
        "prosecutor risk: highest / average".to_string(),
        format!(
            "{} / {}",
            fmt_f(risk.prosecutor.highest_risk),
            fmt_f(risk.prosecutor.success_rate)
        ),
    ));
    rows.push((
        format!("records at risk (> {})", risk.prosecutor.threshold),
        pct(risk.prosecutor.records_at_risk_share),
    ));
    if let Some(j) = &risk.journalist {
        rows.push((
            "journalist risk: highest / average".to_string(),
            format!("{} / {}", fmt_f(j.highest_risk), fmt_f(j.success_rate)),
        ));
        rows.push((
            format!("journalist records at risk (> {})", j.threshold),
            pct(j.records_at_risk_share),
        ));
    }
    rows.push((
        "marketer risk".to_string(),
        fmt_f(risk.marketer.success_rate),
    ));
    rows.push(("sample uniqueness".to_string(), pct(risk.sample_uniqueness)));
    if let Some(p) = &r.population_uniqueness {
        rows.push((
            format!("population uniqueness (pi = {})", p.sampling_fraction),
            format!(
                "{} ({} by the Dankar rule)",
                pct(p.dankar_population_uniques_share),
                p.dankar_model
                    .map_or_else(|| "none".to_string(), |m| format!("{m:?}"))
            ),
        ));
    }
    for s in &r.sensitive {
        let a = &s.attribute;
        rows.push((format!("[{a}] distinct l"), s.l_distinct.to_string()));
        rows.push((
            format!("[{a}] entropy l (exp of min entropy)"),
            format!("{} ({})", s.entropy_l.l, fmt_f(s.entropy_l.exp_entropy)),
        ));
        rows.push((
            format!("[{a}] recursive (c,l): c for l={}", s.recursive_cl.l),
            format!(
                "{} (pyCANON: {})",
                fmt_opt(s.recursive_cl.c),
                fmt_opt(s.recursive_cl.c_pycanon)
            ),
        ));
        rows.push((format!("[{a}] alpha of (alpha,k)"), fmt_f(s.alpha)));
        rows.push((
            format!("[{a}] t (equal-distance EMD)"),
            fmt_f(s.t_equal_distance.t),
        ));
        if let Some(t) = &s.t_ordered {
            rows.push((format!("[{a}] t (ordered EMD)"), fmt_f(t.t)));
        }
        if let Some(t) = &s.t_hierarchical {
            rows.push((format!("[{a}] t (hierarchical EMD)"), fmt_f(t.t)));
        }
        rows.push((format!("[{a}] basic beta"), fmt_f(s.basic_beta.beta)));
        rows.push((format!("[{a}] enhanced beta"), fmt_f(s.enhanced_beta)));
        rows.push((
            format!("[{a}] delta-disclosure (ln / log2)"),
            format!(
                "{} / {}",
                fmt_f(s.delta_disclosure.delta_ln),
                fmt_f(s.delta_disclosure.delta_log2)
            ),
        ));
    }
    if let Some(h) = &r.hidden_qi {
        rows.extend(hidden_qi_rows(h));
    }
    if let Some(o) = &r.out_of_core {
        let mb = |b: u64| format!("{:.1} MB", b as f64 / (1u64 << 20) as f64);
        rows.push((
            "run out of core (--memory)".to_string(),
            format!(
                "budget {}, peak tracked {}, peak resident {}; {} chunks, {} spills into {} partitions ({} written), {} groups",
                mb(o.memory_budget_bytes),
                mb(o.peak_tracked_bytes),
                o.peak_rss_bytes.map_or("unknown".to_string(), mb),
                o.chunks,
                o.spills,
                o.spill_partitions,
                mb(o.spilled_bytes),
                o.groups
            ),
        ));
        for a in &o.approximate {
            rows.push(("not exact out of core".to_string(), a.clone()));
        }
    }
    rows
}

/// One row per flagged column of the hidden quasi-identifier check.
fn hidden_qi_rows(h: &HiddenQiReport) -> Vec<(String, String)> {
    let mut rows = vec![(
        "hidden quasi-identifiers".to_string(),
        format!(
            "{} of {} other columns flagged",
            h.columns.iter().filter(|c| c.flagged).count(),
            h.columns.len()
        ),
    )];
    for c in h.columns.iter().filter(|c| c.flagged) {
        let mut why: Vec<String> = c
            .determines
            .iter()
            .map(|d| {
                let how = if d.one_to_one {
                    "1:1 with"
                } else if d.exact {
                    "determines"
                } else {
                    "nearly determines"
                };
                format!("{how} {} (lambda {:.3})", d.quasi_identifier, d.lambda)
            })
            .collect();
        if c.near_unique {
            why.push(format!(
                "near-unique ({:.1}% distinct)",
                100.0 * c.distinct_share
            ));
        }
        let role = match c.role {
            CandidateRole::Other => "",
            CandidateRole::Sensitive => " (sensitive)",
        };
        rows.push((
            format!("  `{}`{role}", c.column),
            format!(
                "{}; k with it {} ({} records in classes < {})",
                why.join(", "),
                c.k_with,
                c.records_below_target_k,
                h.target_k
            ),
        ));
    }
    rows
}

/// Renders the report as aligned text.
pub fn render_table(r: &MetricsReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "reident metrics: {}", r.inputs.source);
    let _ = writeln!(
        s,
        "quasi-identifiers: {}",
        r.inputs.quasi_identifiers.join(", ")
    );
    let _ = writeln!(s, "sensitive: {}", r.inputs.sensitive_attributes.join(", "));
    let _ = writeln!(s);
    let rows = summary_rows(r);
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, value) in rows {
        let _ = writeln!(s, "  {label:<width$}  {value}");
    }
    s.trim_end().to_string()
}

/// Renders the report as Markdown.
pub fn render_markdown(r: &MetricsReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Privacy metrics of `{}`\n", r.inputs.source);
    let _ = writeln!(
        s,
        "Quasi-identifiers: {}. Sensitive: {}.\n",
        r.inputs.quasi_identifiers.join(", "),
        r.inputs.sensitive_attributes.join(", ")
    );
    let _ = writeln!(s, "| metric | value |\n|---|---|");
    for (label, value) in summary_rows(r) {
        let _ = writeln!(s, "| {} | {} |", label.replace('|', "\\|"), value);
    }
    s.trim_end().to_string()
}
