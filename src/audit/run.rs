//! Runs an [`AuditConfig`]: every dataset's measurements and attacks (datasets
//! in parallel), then one verdict per claim, then the report and its charts.
//!
//! What runs for each kind of dataset:
//!
//! - **table**: the release-only metrics ([`crate::privacy::evaluate`]: k, l,
//!   t, beta, delta, prosecutor/journalist/marketer risk); with the originals,
//!   the QI-join linkage attack ([`crate::attacks::linkage::qi_join`]), scored
//!   with the truth key when one is given; with a control set, the
//!   Anonymeter-style risks ([`crate::attacks::inference::run_risk_attacks`] scored by [`crate::eval::inference::score_risks`]).
//! - **corpus**: document linkage, identifier leak scan, redaction recovery
//!   and the unsalted-hash dictionary attack
//!   ([`crate::attacks::text::audit_text`]); with `[corpus.stylometry]`,
//!   authorship attribution of the release's documents one by one and pooled
//!   per release pseudonym, from known writing of each author.
//! - **aggregate**: the Laplace and Gaussian noise fitted between true and
//!   released aggregates and the epsilon it implies per record and, with the
//!   events behind the counts, per user ([`crate::dp::fit_aggregate_noise`]).
//! - **traces**: trace unicity (de Montjoye et al. 2013,
//!   [`crate::attacks::unicity::unicity_sweep`]).
//!
//! Nothing here writes files or prints; the report never holds an original
//! record unless [`AuditOptions::include_examples`] is set (identifiers in
//! examples are masked, author names are replaced by ranks, and per-row
//! results are left out).

use std::path::Path;

use rayon::prelude::*;

use super::claims::{claim_charts, decide_all};
use super::config::{
    percent, AggregateConfig, AuditConfig, CorpusConfig, TableConfig, TracesConfig,
};
use super::dataset::{self, run_aggregate, run_corpus, run_table, run_traces, Facts};
use super::AuditError;
use crate::report::{Chart, GeneratedBy, Report, ReportBuilder, Section, Verdict};

pub use super::config::AuditOptions;
pub use super::declarations::ROW_KEY;

/// The report and its charts.
#[derive(Debug, Clone)]
pub struct AuditOutcome {
    /// The report (the JSON contract).
    pub report: Report,
    /// Every chart the report references.
    pub charts: Vec<Chart>,
    /// Hierarchies the audit built, as (path relative to the report folder,
    /// ARX text): `hierarchies/TABLE.COLUMN.csv`.
    pub hierarchy_files: Vec<(String, String)>,
}

impl AuditOutcome {
    /// True when any claim was refuted.
    pub fn any_refuted(&self) -> bool {
        self.report
            .claims
            .iter()
            .any(|c| c.verdict == Verdict::Fail)
    }
}

/// Number of progress steps [`run_audit`] reports for `config`: each dataset
/// kind counts its own, next to the code that reports them.
pub fn progress_steps(config: &AuditConfig) -> u64 {
    config.tables.iter().map(dataset::table::steps).sum::<u64>()
        + config
            .corpora
            .iter()
            .map(dataset::corpus::steps)
            .sum::<u64>()
        + config.aggregates.len() as u64
        + config.traces.len() as u64
}

/// Runs the audit. `progress` is called with a short description after each
/// finished step ([`progress_steps`] of them), possibly from several threads.
///
/// # Example
///
/// A k-anonymity claim on the bundled Mondrian k=5 release of UCI Adult
/// (the config format is documented in `datasets/audit-demo.toml`). The
/// release's `row_id` column is the truth key; left undeclared it would be
/// a near-unique column outside the quasi-identifiers, and the claim
/// INCONCLUSIVE with a warning naming it.
///
/// ```
/// use reident::audit::{run_audit, AuditConfig, AuditOptions};
/// use reident::report::Verdict;
///
/// let config = AuditConfig::from_toml(
///     r##"
///     title = "Adult, Mondrian k=5"
///     [[table]]
///     name = "adult"
///     release = "datasets/adult/release/adult_mondrian_k5.csv.gz"
///     original = "datasets/adult/adult.csv"
///     delimiter = ";"
///     quasi_identifiers = ["sex", "age", "race", "marital-status", "education"]
///     truth = { original = "#row", release = "row_id" }
///     [[claim]]
///     kind = "k_anonymity"
///     table = "adult"
///     k = 5
///     "##,
///     "example config",
///     std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
/// )?;
/// let outcome = run_audit(&config, &AuditOptions::default(), &|_| {})?;
/// let claim = &outcome.report.claims[0];
/// assert_eq!((claim.verdict, claim.measured), (Verdict::Pass, Some(5.0)));
/// # Ok::<(), reident::audit::AuditError>(())
/// ```
pub fn run_audit(
    config: &AuditConfig,
    options: &AuditOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<AuditOutcome, AuditError> {
    enum Job<'a> {
        Table(&'a TableConfig),
        Corpus(&'a CorpusConfig),
        Aggregate(&'a AggregateConfig),
        Traces(&'a TracesConfig),
    }
    let mut jobs: Vec<Job> = Vec::new();
    jobs.extend(config.tables.iter().map(Job::Table));
    jobs.extend(config.corpora.iter().map(Job::Corpus));
    jobs.extend(config.aggregates.iter().map(Job::Aggregate));
    jobs.extend(config.traces.iter().map(Job::Traces));

    let results: Vec<Result<Facts, AuditError>> = jobs
        .par_iter()
        .map(|job| {
            crate::data::cancel::check()?;
            match job {
                Job::Table(t) => run_table(t, config, options, progress).map(Facts::Table),
                Job::Corpus(c) => run_corpus(c, config, options, progress).map(Facts::Corpus),
                Job::Aggregate(a) => run_aggregate(a, config, progress).map(Facts::Aggregate),
                Job::Traces(t) => run_traces(t, config, progress).map(Facts::Traces),
            }
        })
        .collect();
    let facts = results.into_iter().collect::<Result<Vec<_>, _>>()?;

    let claims = decide_all(&config.claims, config.confidence, &facts)?;
    let mut charts = claim_charts(&config.claims, config.confidence, &facts)?;

    let mut builder = ReportBuilder::new(
        config.title.clone(),
        GeneratedBy::this_crate(Some(config.seed)),
        options.include_examples,
    );
    for (label, path) in input_labels(config) {
        builder = builder.input(label, path);
    }
    for claim in claims {
        builder = builder.claim(claim);
    }
    builder = builder.section(method_section(config));
    if !charts.is_empty() {
        let mut section = Section::new("How the claims were decided")
            .paragraph("Charts of the decisions themselves, beyond each dataset's own figures.");
        for c in &charts {
            section = section.chart(c.name.clone(), c.caption.clone());
        }
        builder = builder.section(section);
    }
    let hierarchy_files: Vec<(String, String)> = facts
        .iter()
        .filter_map(|f| match f {
            Facts::Table(t) => Some(&t.built_hierarchies),
            _ => None,
        })
        .flatten()
        .filter_map(|b| b.file.clone().map(|file| (file, b.text.clone())))
        .collect();
    for f in facts {
        let (section, mut c) = f.into_section()?;
        builder = builder.section(section);
        charts.append(&mut c);
    }
    Ok(AuditOutcome {
        report: builder.build()?,
        charts,
        hierarchy_files,
    })
}

fn input_labels(config: &AuditConfig) -> Vec<(String, String)> {
    // Paths relative to the config's folder, as written in the config, so the
    // report does not depend on where the checkout lives.
    let show = |p: &Path| {
        p.strip_prefix(&config.base_dir)
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let mut out = Vec::new();
    for t in &config.tables {
        out.push((format!("table {} (release)", t.name), show(&t.release)));
        if let Some(o) = &t.original {
            out.push((format!("table {} (original)", t.name), show(o)));
        }
        if let Some(r) = &t.risk {
            out.push((format!("table {} (control)", t.name), show(&r.control)));
        }
    }
    for c in &config.corpora {
        out.push((format!("corpus {} (release)", c.name), show(&c.release)));
        out.push((format!("corpus {} (original)", c.name), show(&c.original)));
    }
    for a in &config.aggregates {
        out.push((format!("aggregate {} (release)", a.name), show(&a.release)));
        out.push((
            format!("aggregate {} (original)", a.name),
            show(&a.original),
        ));
    }
    for t in &config.traces {
        out.push((format!("traces {} (original)", t.name), show(&t.events)));
    }
    out
}

fn method_section(config: &AuditConfig) -> Section {
    Section::new("How the claims were tested")
        .paragraph(format!(
            "Every interval is a {} interval. Properties of the release itself (k, l, t, \
             surviving identifiers) are computed exactly and pass or fail. Attack success rates \
             are estimated from finite trials: a claim \"at most X\" fails when the whole \
             interval lies above X, passes when it lies at or below X, and is inconclusive \
             otherwise.",
            percent(config.confidence)
        ))
        .paragraph(
            "A differential-privacy claim is tested against the noise actually added: the \
             epsilon implied by the fitted noise scale and the sensitivity. The claim fails when \
             the implied epsilon's interval lies above the claim; otherwise the noise is \
             consistent with it (a release cannot prove differential privacy, only refute it). \
             It is also checked against every applicable identity attack of this audit: an \
             attack that names the right candidate more often than an epsilon-DP mechanism \
             allows implies an epsilon lower bound (Lee & Clifton 2011; the evidence states the \
             prior and the neighbouring relation assumed), and the claim fails when the \
             strongest such bound, at a simultaneous confidence over the attacks, exceeds it.",
        )
        .paragraph(format!(
            "Seed {}: the same config and seed give the same report byte for byte.",
            config.seed
        ))
}
