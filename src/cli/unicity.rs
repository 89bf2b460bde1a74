//! `reident unicity`: trace unicity of event data (de Montjoye et al. 2013)
//! for a sweep of point counts and time-bucket widths, and, given a
//! pseudonymized release and its truth map, the share of pseudonyms whose
//! trace links back to the right user. Thin wrapper over
//! [`crate::attacks::unicity::unicity_sweep`]; prints the
//! [`UnicityReport`] as JSON.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{CliError, Outcome};
use crate::attacks::unicity::{
    unicity_sweep, ReleaseEvents, SweepConfig, TraceSpec, UnicityReport,
};
use crate::data::{read_frame, ReadOptions};
use crate::engine::traces::unicity_curve_file;
use crate::engine::{MemoryBudget, OutOfCore};

/// Arguments of `reident unicity`.
#[derive(Debug, Args)]
#[command(
    about = "Trace unicity of event data (share of users singled out by p points) and trace linkage",
    after_help = "Example:\n  reident unicity --events datasets/atlassian_demo/original/events.ndjson.gz \\\n      --points 1,2,4,8 --bucket-seconds 3600,86400 --action-columns product,feature"
)]
pub struct UnicityArgs {
    /// The original events (one row per event).
    #[arg(long, value_name = "FILE")]
    pub events: PathBuf,
    /// Column naming the user.
    #[arg(long, default_value = "user")]
    pub user_column: String,
    /// Column with the timestamp (ISO 8601 or Unix seconds).
    #[arg(long, default_value = "timestamp")]
    pub timestamp_column: String,
    /// Columns forming the action/location of a point (fewer = coarser).
    #[arg(long, value_delimiter = ',', default_value = "product,feature,action")]
    pub action_columns: Vec<String>,
    /// Use time alone as the point (no action columns).
    #[arg(long)]
    pub time_only: bool,
    /// Time-bucket widths in seconds, comma separated (one curve each), each at least 1.
    #[arg(long, value_delimiter = ',', default_value = "3600", value_parser = super::parse::at_least_one_i64)]
    pub bucket_seconds: Vec<i64>,
    /// Points known per user, comma separated, each at least 1.
    #[arg(long, value_delimiter = ',', default_value = "1,2,4,8", value_parser = super::parse::at_least_one)]
    pub points: Vec<usize>,
    /// Seed of the point draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Pseudonymized release events to link back (needs --truth).
    #[arg(long, value_name = "FILE", requires = "truth")]
    pub release: Option<PathBuf>,
    /// Pseudonym column of the release (default: --user-column).
    #[arg(long)]
    pub release_user_column: Option<String>,
    /// Truth map (CSV etc.) with the original user and the pseudonym.
    #[arg(long, value_name = "FILE", requires = "release")]
    pub truth: Option<PathBuf>,
    /// Column of the truth map holding the original user.
    #[arg(long, default_value = "login")]
    pub truth_user_column: String,
    /// Column of the truth map holding the pseudonym.
    #[arg(long, default_value = "pseudonym")]
    pub truth_pseudonym_column: String,
    /// Check "unicity at the largest p is at most U", U in [0, 1), with the
    /// audit's rule (Wilson interval at 95%): exit 1 when the interval lies
    /// above U, 3 when it straddles U.
    #[arg(long, value_name = "U", value_parser = super::parse::max_rate)]
    pub max_unicity: Option<f64>,
    /// Where the anonymity sets are counted: `in-process` (default) or
    /// `partials:USERS` (in process, as partials of USERS users each,
    /// merged exactly: the same curves). Trace unicity does not run on Spark.
    #[arg(long, default_value = "in-process", value_name = "ENGINE")]
    pub engine: String,
    /// Read the events out of core under this memory budget (e.g. `4G`,
    /// `512M`): in chunks, the events moved to per-user partition files
    /// once they outgrow half of it; the curves are the same as in memory,
    /// plus an `out_of_core` section. Not with --release.
    #[arg(long, value_name = "BUDGET", conflicts_with = "release")]
    pub memory: Option<String>,
    /// Where --memory creates its spill folder (default: the system's
    /// temporary folder); the folder is removed at the end.
    #[arg(long, value_name = "DIR", requires = "memory")]
    pub temp_dir: Option<PathBuf>,
}

/// The curves of `reident unicity --memory`, one streaming pass per bucket
/// width ([`crate::engine::traces`]).
fn out_of_core_report(
    args: &UnicityArgs,
    budget: &str,
    spec: &TraceSpec,
) -> Result<UnicityReport, CliError> {
    let mut settings = OutOfCore::new(MemoryBudget::parse(budget)?);
    settings.temp_dir = args.temp_dir.clone();
    let mut report = UnicityReport {
        curves: Vec::new(),
        linkage: Vec::new(),
        out_of_core: Vec::new(),
    };
    for &bucket in &args.bucket_seconds {
        let spec = TraceSpec {
            bucket_seconds: bucket,
            ..spec.clone()
        };
        let bar = super::progress::spinner("chunks");
        let run = unicity_curve_file(
            &args.events,
            &ReadOptions::default(),
            &spec,
            &args.points,
            args.seed,
            &settings,
            &mut |rows| bar.set_message(format!("{rows} events read (bucket {bucket} s)")),
        );
        bar.finish_and_clear();
        let (curve, summary) = run?;
        report.curves.push(curve);
        report.out_of_core.push(summary);
    }
    Ok(report)
}

fn read_truth(args: &UnicityArgs, path: &Path) -> Result<HashMap<String, String>, CliError> {
    let frame = read_frame(path, &ReadOptions::default())?;
    let column = |name: &str| {
        frame
            .column(name)
            .ok()
            .and_then(|c| c.str().ok().cloned())
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: no text column `{name}`; name the truth map's columns with \
                     --truth-user-column and --truth-pseudonym-column",
                    path.display()
                ))
            })
    };
    let users = column(&args.truth_user_column)?;
    let pseudonyms = column(&args.truth_pseudonym_column)?;
    Ok(pseudonyms
        .iter()
        .zip(users.iter())
        .filter_map(|(p, u)| Some((p?.to_string(), u?.to_string())))
        .collect())
}

/// Runs `reident unicity`.
pub fn run(args: &UnicityArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let users_per_partial = match crate::engine::Engine::parse(&args.engine)? {
        crate::engine::Engine::InProcess => None,
        crate::engine::Engine::Partials(users) => Some(users),
        crate::engine::Engine::Spark(url) => return spark_run(args, &url, out),
    };
    if let Some(release) = &args.release {
        crate::data::ensure_distinct_inputs("release", release, "events", &args.events)?;
    }
    let source = args.events.display().to_string();
    let spec = TraceSpec {
        user_column: args.user_column.clone(),
        timestamp_column: args.timestamp_column.clone(),
        action_columns: if args.time_only {
            Vec::new()
        } else {
            args.action_columns.clone()
        },
        bucket_seconds: args.bucket_seconds.first().copied().unwrap_or(3600),
    };
    let report = match &args.memory {
        Some(_) if users_per_partial.is_some() => {
            return Err(CliError::Usage(format!(
                "--memory with --engine {}: out of core already reads the events in per-user partitions; give one of the two",
                args.engine
            )))
        }
        Some(budget) => out_of_core_report(args, budget, &spec)?,
        None => in_memory_report(args, &source, &spec, users_per_partial)?,
    };
    super::output::print_json(out, &report)?;
    verdict(args, &source, &report)
}

/// `reident unicity --engine spark://`: one curve per bucket width on the
/// Spark Connect server ([`crate::engine::spark_unicity_curve`]); `--events`
/// names a table or a Parquet path the server reads.
fn spark_run(args: &UnicityArgs, url: &str, out: &mut dyn Write) -> Result<Outcome, CliError> {
    if args.release.is_some() || args.memory.is_some() {
        return Err(CliError::Usage(format!(
            "--engine {}: on Spark, trace unicity runs without --release (trace linkage runs in process) and without --memory",
            args.engine
        )));
    }
    if args.bucket_seconds.is_empty() {
        return Err(CliError::Usage(
            "give at least one bucket width in seconds (e.g. 3600)".into(),
        ));
    }
    let source = args.events.display().to_string();
    let mut report = UnicityReport {
        curves: Vec::new(),
        linkage: Vec::new(),
        out_of_core: Vec::new(),
    };
    for &bucket in &args.bucket_seconds {
        let spec = TraceSpec {
            user_column: args.user_column.clone(),
            timestamp_column: args.timestamp_column.clone(),
            action_columns: if args.time_only {
                Vec::new()
            } else {
                args.action_columns.clone()
            },
            bucket_seconds: bucket,
        };
        report.curves.push(crate::engine::spark_unicity_curve(
            url,
            &source,
            &spec,
            &args.points,
            args.seed,
        )?);
    }
    super::output::print_json(out, &report)?;
    verdict(args, &source, &report)
}

/// The report of an in-memory run (the events read whole).
fn in_memory_report(
    args: &UnicityArgs,
    source: &str,
    spec: &TraceSpec,
    users_per_partial: Option<usize>,
) -> Result<UnicityReport, CliError> {
    let events = read_frame(&args.events, &ReadOptions::default())?;
    let release = match (&args.release, &args.truth) {
        (Some(r), Some(t)) => Some((
            read_frame(r, &ReadOptions::default())?,
            r.display().to_string(),
            read_truth(args, t)?,
        )),
        _ => None,
    };
    let release_user = args
        .release_user_column
        .clone()
        .unwrap_or_else(|| args.user_column.clone());
    let release_events = release
        .as_ref()
        .map(|(frame, source, truth)| ReleaseEvents {
            frame,
            source,
            user_column: &release_user,
            truth,
        });
    let steps = args.bucket_seconds.len() * (args.points.len() + release.is_some() as usize);
    let bar = super::progress::bar(steps as u64, "steps");
    let tick = || bar.inc(1);
    let report = unicity_sweep(
        &events,
        source,
        spec,
        &SweepConfig {
            buckets: args.bucket_seconds.clone(),
            points: args.points.clone(),
            seed: args.seed,
            users_per_partial,
        },
        release_events.as_ref(),
        &tick,
    );
    bar.finish_and_clear();
    Ok(report?)
}

/// Finishes [`run`]: the verdict of `--max-unicity`, if given.
fn verdict(args: &UnicityArgs, source: &str, report: &UnicityReport) -> Result<Outcome, CliError> {
    let source = source.to_string();
    // The audit's rule: the Wilson interval of the unicity at the largest
    // number of points against the threshold (crate::eval).
    let Some(max) = args.max_unicity else {
        return Ok(Outcome::Success);
    };
    let mut claims = Vec::new();
    for c in &report.curves {
        if let Some(p) = c.curve.last() {
            let claim = crate::audit::claims::trace_unicity::TraceUnicity {
                traces: source.clone(),
                points: p.points,
                max_unicity: max,
            };
            claims.push(claim.verdict_on_curve(c, 0.95)?);
        }
    }
    Ok(Outcome::of_claims(&claims))
}
