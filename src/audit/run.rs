//! Runs an [`AuditConfig`]: every dataset's measurements and attacks (datasets
//! in parallel), then one verdict per claim, then the report and its charts.
//!
//! What runs for each kind of dataset:
//!
//! - **table**: the release-only metrics ([`crate::privacy::evaluate`]: k, l,
//!   t, beta, delta, prosecutor/journalist/marketer risk); with the originals,
//!   the QI-join linkage attack ([`crate::attacks::linkage::qi_join`]), scored
//!   with the truth key when one is given; with a control set, the
//!   Anonymeter-style risks ([`crate::attacks::inference::evaluate_risks`]).
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

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;

use ndarray::Array2;
use polars::prelude::DataFrame;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use super::config::{
    percent, AggregateConfig, AuditConfig, ClaimConfig, CorpusConfig, PrivacyUnit, TableConfig,
    TracesConfig,
};
use super::AuditError;
use crate::attacks::inference::{evaluate_risks, RiskConfig, RiskPlan, RiskReport, RiskTables};
use crate::attacks::linkage::{qi_join, QiJoinResult};
use crate::attacks::stylometry::corpus::Corpus as StyloCorpus;
use crate::attacks::stylometry::evaluate::{evaluate_scores, sweep_authors, Evaluation};
use crate::attacks::stylometry::features::{FeatureConfig, FeatureKind};
use crate::attacks::stylometry::normalize::Normalization;
use crate::attacks::stylometry::pipeline::{
    ClassifierKind, ClassifierSpec, FittedPipeline, PipelineConfig,
};
use crate::attacks::stylometry::pooling::pool_scores;
use crate::attacks::text::{
    audit_text, Corpus as TextCorpus, IdentifierSet, LinkageConfig, ShingleConfig, ShingleUnit,
    TextAuditConfig, TextLeakReport, TruthKey, Verification,
};
use crate::attacks::unicity::{unicity_sweep, SweepConfig, TraceSpec, UnicityReport};
use crate::data::{
    load_table, read_frame, CategoricalColumn, Hierarchy, MissingPolicy, ReadOptions,
};
use crate::dp::{self, AggregateFit, NoiseFitOptions};
use crate::eval::roc::{equal_error_rate, roc_curve};
use crate::eval::{self, qi_join_checks, Interval, Rate};
use crate::privacy::direct_identifiers::{scan_file, DirectIdentifierConfig, DirectIdentifierScan};
use crate::privacy::t_closeness::emd_equal_distance;
use crate::privacy::{
    build_classes, detect_hidden_quasi_identifiers, evaluate_classes, EquivalenceClasses,
    HiddenQiOptions, MetricsParams, MetricsReport,
};
use crate::report::charts::{self, NamedCurve};
use crate::report::{
    Chart, ClaimVerdict, GeneratedBy, Report, ReportBuilder, Section, Table, Verdict,
};

/// The pseudo-column of the originals holding each row's 0-based index (the
/// truth key `reident anonymize --truth-key` writes into a release).
pub const ROW_KEY: &str = "#row";

/// How the audit runs.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Allow strings from original records (unmasked identifiers, author
    /// names) into the report.
    pub include_examples: bool,
}

/// The report and its charts.
#[derive(Debug, Clone)]
pub struct AuditOutcome {
    /// The report (the JSON contract).
    pub report: Report,
    /// Every chart the report references.
    pub charts: Vec<Chart>,
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

/// Number of progress steps [`run_audit`] reports for `config`.
pub fn progress_steps(config: &AuditConfig) -> u64 {
    let mut n = 0u64;
    for t in &config.tables {
        n += 1 + t.original.is_some() as u64 + t.risk.is_some() as u64;
    }
    for c in &config.corpora {
        n += 1;
        if let Some(s) = &c.stylometry {
            n += 1 + !s.sweep_authors.is_empty() as u64;
        }
    }
    n + config.aggregates.len() as u64 + config.traces.len() as u64
}

/// Runs the audit. `progress` is called with a short description after each
/// finished step ([`progress_steps`] of them), possibly from several threads.
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
        .map(|job| match job {
            Job::Table(t) => run_table(t, config, options, progress).map(Facts::Table),
            Job::Corpus(c) => run_corpus(c, config, options, progress).map(Facts::Corpus),
            Job::Aggregate(a) => run_aggregate(a, config, progress).map(Facts::Aggregate),
            Job::Traces(t) => run_traces(t, config, progress).map(Facts::Traces),
        })
        .collect();
    let facts = results.into_iter().collect::<Result<Vec<_>, _>>()?;

    let claims = config
        .claims
        .iter()
        .map(|c| decide(c, &facts, config))
        .collect::<Result<Vec<_>, _>>()?;

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
    let mut charts = Vec::new();
    for f in facts {
        let (section, mut c) = f.into_section()?;
        builder = builder.section(section);
        charts.append(&mut c);
    }
    Ok(AuditOutcome {
        report: builder.build()?,
        charts,
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
             consistent with it (a release cannot prove differential privacy, only refute it).",
        )
        .paragraph(format!(
            "Seed {}: the same config and seed give the same report byte for byte.",
            config.seed
        ))
}

// ------------------------------------------------------------------ facts

/// What each dataset's analyses found, kept for the verdicts and the report.
enum Facts {
    Table(Box<TableFacts>),
    Corpus(Box<CorpusFacts>),
    Aggregate(Box<AggregateFacts>),
    Traces(Box<TracesFacts>),
}

struct TableFacts {
    name: String,
    direct_identifiers: DirectIdentifierScan,
    metrics: MetricsReport,
    qi_join: Option<QiJoinResult>,
    risk: Option<RiskReport>,
    charts: Vec<Chart>,
}

struct CorpusFacts {
    name: String,
    text: TextLeakReport,
    stylometry: Option<StylometryFacts>,
    charts: Vec<Chart>,
}

/// Attribution figures of one corpus; no author names.
#[derive(Debug, Clone, Serialize)]
struct StylometryFacts {
    classifier: ClassifierKind,
    features: Vec<String>,
    candidate_authors: usize,
    known_documents: usize,
    attributed_documents: usize,
    document_top1: f64,
    document_macro_f1: f64,
    pseudonyms: usize,
    pseudonym_top1: Option<f64>,
    chance: f64,
    document_top_k: Vec<(usize, f64)>,
    pseudonym_top_k: Vec<(usize, f64)>,
    verification_auc: Option<f64>,
    verification_eer: Option<f64>,
    authors_left_out: usize,
    /// Held-out original documents of the known authors (the attack's targets).
    held_out_documents: usize,
    /// Of those, the ones whose id names a release document.
    held_out_in_release: usize,
    accuracy_vs_authors: Vec<(usize, f64, f64)>,
}

struct AggregateFacts {
    name: String,
    fit: AggregateFit,
    record_sensitivity: f64,
    user_sensitivity: Option<f64>,
}

struct TracesFacts {
    name: String,
    report: UnicityReport,
    charts: Vec<Chart>,
}

impl Facts {
    fn into_section(self) -> Result<(Section, Vec<Chart>), AuditError> {
        match self {
            Facts::Table(t) => table_section(*t),
            Facts::Corpus(c) => corpus_section(*c),
            Facts::Aggregate(a) => aggregate_section(*a),
            Facts::Traces(t) => traces_section(*t),
        }
    }
}

// ------------------------------------------------------------------ tables

fn read_options(delimiter: Option<char>, dataset: &str) -> Result<ReadOptions, AuditError> {
    match delimiter {
        None => Ok(ReadOptions::default()),
        Some(c) if c.is_ascii() => Ok(ReadOptions::default().with_delimiter(c as u8)),
        Some(c) => Err(AuditError::Dataset {
            dataset: dataset.to_string(),
            message: format!("delimiter `{c}` must be a single ASCII character"),
        }),
    }
}

fn text_values(
    frame: &DataFrame,
    column: &str,
    source: &str,
) -> Result<Vec<Option<String>>, AuditError> {
    Ok(crate::data::text_column(frame, column, source)?)
}

/// Reads a two-column key map (original key -> release key).
fn read_key_map(
    path: &Path,
    original: &str,
    release: &str,
) -> Result<HashMap<String, String>, AuditError> {
    let source = path.display().to_string();
    let frame = read_frame(path, &ReadOptions::default())?;
    let o = text_values(&frame, original, &source)?;
    let r = text_values(&frame, release, &source)?;
    Ok(o.into_iter()
        .zip(r)
        .filter_map(|(o, r)| Some((o?, r?)))
        .collect())
}

fn run_table(
    t: &TableConfig,
    config: &AuditConfig,
    options: &AuditOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<TableFacts>, AuditError> {
    let dataset = format!("table `{}`", t.name);
    let opts = read_options(t.delimiter, &dataset)?;
    let missing = MissingPolicy::default();
    let mut hierarchies = HashMap::new();
    for (column, path) in &t.hierarchies {
        hierarchies.insert(column.clone(), Hierarchy::from_arx_csv(path, column)?);
    }

    // Release-only metrics. Every column of the release is read: columns left
    // out of the declared QIs are checked for hidden quasi-identifiers.
    let release = load_table(&t.release, &[], &opts, &missing)?;
    let target_k = config
        .claims
        .iter()
        .filter_map(|c| match c {
            ClaimConfig::KAnonymity { table, k } if table == &t.name => Some(*k),
            _ => None,
        })
        .max()
        .unwrap_or(2);
    let sensitive_hierarchies: HashMap<String, Hierarchy> = hierarchies
        .iter()
        .filter(|(c, _)| t.sensitive.contains(c))
        .map(|(c, h)| (c.clone(), h.clone()))
        .collect();
    let mut params = MetricsParams::new(t.quasi_identifiers.iter().cloned())
        .sensitive(t.sensitive.iter().cloned())
        .hierarchies(sensitive_hierarchies)
        .target_k(target_k)
        .max_listed_rows(0);
    if let Some(subject) = &t.subject {
        params = params.subject(subject.clone());
    }
    // One grouping serves the metrics and the per-class charts.
    let classes = build_classes(&release, &params)?;
    let mut metrics = evaluate_classes(&release, &classes, &params)?;
    // Candidates for hidden QIs: every release column but the declared roles
    // and the truth key (the auditor's scoring key, not part of the claim).
    let candidates: Vec<String> = release
        .column_names()
        .into_iter()
        .filter(|c| {
            !t.quasi_identifiers.iter().any(|q| q == c)
                && t.subject.as_deref() != Some(*c)
                && t.truth.as_ref().is_none_or(|tr| tr.release != *c)
        })
        .map(str::to_string)
        .collect();
    // Past MAX_CANDIDATE_COLUMNS the check is not run (one group-by per
    // column); `hidden_qi` stays empty and a k claim cannot PASS unchecked.
    if candidates.len() <= crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS {
        metrics.hidden_qi = Some(detect_hidden_quasi_identifiers(
            &release,
            &params,
            &HiddenQiOptions {
                columns: Some(candidates),
                ..HiddenQiOptions::default()
            },
        )?);
    }
    let charts = table_charts(t, &classes, target_k, config)?;
    // Direct-identifier columns of the release (no originals needed).
    let direct_identifiers = scan_file(
        &t.release,
        &opts,
        &DirectIdentifierConfig {
            include_examples: options.include_examples,
            ..DirectIdentifierConfig::default()
        },
    )
    .map_err(|e| AuditError::Dataset {
        dataset: dataset.clone(),
        message: e.to_string(),
    })?;
    progress(&format!("{dataset}: privacy metrics"));

    // QI-join linkage against the originals.
    let mut qi = None;
    if let Some(original_path) = &t.original {
        let original_name = |release_name: &str| -> String {
            t.original_columns
                .get(release_name)
                .cloned()
                .unwrap_or_else(|| release_name.to_string())
        };
        let mut columns: Vec<String> = t
            .quasi_identifiers
            .iter()
            .map(|q| original_name(q))
            .collect();
        let row_key = t.truth.as_ref().is_some_and(|tr| tr.original == ROW_KEY);
        if let Some(truth) = &t.truth {
            if !row_key && !columns.contains(&truth.original) {
                columns.push(truth.original.clone());
            }
        }
        let column_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut original = load_table(original_path, &column_refs, &opts, &missing)?;
        if row_key {
            let rows: Vec<String> = (0..original.n_rows).map(|r| r.to_string()).collect();
            original
                .columns
                .push(CategoricalColumn::from_strs(ROW_KEY, &rows));
        }
        for col in &mut original.columns {
            if let Some(q) = t
                .quasi_identifiers
                .iter()
                .find(|q| original_name(q) == col.name && q.as_str() != col.name)
            {
                col.name = q.clone();
            }
        }
        let truth_columns = match &t.truth {
            None => None,
            Some(truth) => {
                let original_key = truth.original.clone();
                match &truth.map {
                    None => Some((original_key, truth.release.clone())),
                    Some(map_path) => {
                        let map = read_key_map(map_path, &truth.map_original, &truth.map_release)?;
                        let keys =
                            original
                                .column(&original_key)
                                .ok_or_else(|| AuditError::Dataset {
                                    dataset: dataset.clone(),
                                    message: format!(
                                        "truth column `{original_key}` is not in the originals"
                                    ),
                                })?;
                        let mapped: Vec<&str> = (0..original.n_rows)
                            .map(|row| map.get(keys.value(row)).map_or("", String::as_str))
                            .collect();
                        original
                            .columns
                            .push(CategoricalColumn::from_strs("__reident_truth__", &mapped));
                        Some(("__reident_truth__".to_string(), truth.release.clone()))
                    }
                }
            }
        };
        let kinds: HashMap<String, crate::data::ValueKind> =
            t.kinds.iter().map(|(c, k)| (c.clone(), *k)).collect();
        let mut result = qi_join(
            &original,
            &release,
            &t.quasi_identifiers,
            &hierarchies,
            &kinds,
            truth_columns
                .as_ref()
                .map(|(o, r)| (o.as_str(), r.as_str())),
        )?;
        result.rows.clear();
        qi = Some(result);
        progress(&format!("{dataset}: QI-join linkage"));
    }

    // Anonymeter-style risks.
    let mut risk = None;
    if let (Some(r), Some(original_path)) = (&t.risk, &t.original) {
        let mut columns = r.columns.clone();
        if columns.is_empty() {
            columns.extend(t.quasi_identifiers.iter().cloned());
            columns.extend(t.sensitive.iter().cloned());
        }
        let renames: Vec<(String, String)> = t
            .original_columns
            .iter()
            .map(|(release, original)| (original.clone(), release.clone()))
            .collect();
        let load = |path: &Path, rename: bool| -> Result<DataFrame, AuditError> {
            let mut frame = read_frame(path, &opts)?;
            if rename {
                for (from, to) in &renames {
                    if frame.column(from).is_ok() {
                        frame.rename(from, to.as_str().into()).map_err(|e| {
                            AuditError::Dataset {
                                dataset: dataset.clone(),
                                message: format!("cannot rename column `{from}` to `{to}`: {e}"),
                            }
                        })?;
                    }
                }
            }
            Ok(frame)
        };
        let original = load(original_path, true)?;
        let release_frame = load(&t.release, false)?;
        let control = load(&r.control, true)?;
        let sources = [
            original_path.display().to_string(),
            t.release.display().to_string(),
            r.control.display().to_string(),
        ];
        // Generalized release values are read as the QI join reads them.
        let kinds: HashMap<String, crate::data::ValueKind> =
            t.kinds.iter().map(|(c, k)| (c.clone(), *k)).collect();
        let tables = RiskTables::from_frames_generalized(
            [
                (&original, sources[0].as_str()),
                (&release_frame, sources[1].as_str()),
                (&control, sources[2].as_str()),
            ],
            &columns,
            None,
            &missing,
            &hierarchies,
            &kinds,
        )?;
        let secrets = if r.secrets.is_empty() {
            t.sensitive.clone()
        } else {
            r.secrets.clone()
        };
        let plan = RiskPlan {
            univariate: true,
            multivariate: true,
            linkability: (!r.link_a.is_empty() && !r.link_b.is_empty())
                .then(|| (r.link_a.clone(), r.link_b.clone())),
            secrets,
            auxiliary: Vec::new(),
        };
        let risk_config = RiskConfig {
            n_attacks: r.n_attacks,
            confidence: config.confidence,
            seed: config.seed,
            ..RiskConfig::default()
        };
        risk = Some(evaluate_risks(&tables, &risk_config, &plan, &|_| {})?);
        progress(&format!("{dataset}: Anonymeter-style risks"));
    }

    Ok(Box::new(TableFacts {
        name: t.name.clone(),
        direct_identifiers,
        metrics,
        qi_join: qi,
        risk,
        charts,
    }))
}

/// Class-size histogram, prosecutor-risk CDF and l and t per class.
fn table_charts(
    t: &TableConfig,
    classes: &EquivalenceClasses,
    target_k: u64,
    config: &AuditConfig,
) -> Result<Vec<Chart>, AuditError> {
    // Persons per class with a subject column, records otherwise.
    let sizes = classes.unit_sizes();
    let mut out = Vec::new();
    out.push(
        charts::class_size_histogram(sizes, Some(target_k))?
            .renamed(format!("{}_class_sizes", t.name))?,
    );
    let risks: Vec<f64> = sizes
        .iter()
        .flat_map(|&s| std::iter::repeat_n(1.0 / s as f64, s as usize))
        .collect();
    let threshold = 0.2;
    out.push(
        charts::prosecutor_risk_cdf(&risks, Some(threshold))?
            .renamed(format!("{}_risk_cdf", t.name))?,
    );
    if let Some(counts) = classes.sensitive_attributes().first() {
        let total: u64 = counts.overall.iter().sum();
        if total > 0 {
            let overall: Vec<f64> = counts
                .overall
                .iter()
                .map(|&c| c as f64 / total as f64)
                .collect();
            let mut l = Vec::with_capacity(classes.n_classes());
            let mut tt = Vec::with_capacity(classes.n_classes());
            let mut p = vec![0.0; overall.len()];
            for c in 0..classes.n_classes() {
                let (codes, n) = counts.class(c);
                l.push(codes.len() as f64);
                let size: u64 = n.iter().sum();
                p.iter_mut().for_each(|x| *x = 0.0);
                for (&code, &k) in codes.iter().zip(n) {
                    p[code as usize] = k as f64 / size as f64;
                }
                tt.push(emd_equal_distance(&p, &overall));
            }
            let l_claim = config.claims.iter().find_map(|c| match c {
                ClaimConfig::LDiversity { table, l } if table == &t.name => Some(*l as f64),
                _ => None,
            });
            let t_claim = config.claims.iter().find_map(|c| match c {
                ClaimConfig::TCloseness { table, t: tc } if table == &t.name => Some(*tc),
                _ => None,
            });
            out.push(
                charts::l_and_t_per_class(&l, &tt, l_claim, t_claim)?
                    .renamed(format!("{}_l_t_per_class", t.name))?,
            );
        }
    }
    Ok(out)
}

fn table_section(t: TableFacts) -> Result<(Section, Vec<Chart>), AuditError> {
    let m = &t.metrics;
    let mut rows: Vec<(String, String)> = vec![
        ("rows".into(), m.n_rows.to_string()),
        ("equivalence classes".into(), m.n_classes.to_string()),
        ("k".into(), m.k.to_string()),
        ("classes of size 1".into(), m.n_unique_classes.to_string()),
        (
            "prosecutor risk: highest / average".into(),
            format!(
                "{:.4} / {:.4}",
                m.risk.prosecutor.highest_risk, m.risk.prosecutor.success_rate
            ),
        ),
        (
            "sample uniqueness".into(),
            format!("{:.4}", m.risk.sample_uniqueness),
        ),
    ];
    for s in &m.sensitive {
        rows.push((
            format!("{}: distinct l / entropy l", s.attribute),
            format!("{} / {:.3}", s.l_distinct, s.entropy_l.exp_entropy),
        ));
        rows.push((
            format!("{}: t (equal distance)", s.attribute),
            format!("{:.4}", s.t_equal_distance.t),
        ));
    }
    let mut section = Section::new(format!("Table `{}`", t.name))
        .paragraph(format!(
            "Release-only metrics over the quasi-identifiers {}.",
            m.inputs.quasi_identifiers.join(", ")
        ))
        .table(Table::key_value("Privacy metrics of the release", rows));
    if let Some(h) = &m.hidden_qi {
        for w in h.warnings() {
            section = section.paragraph(format!("Hidden quasi-identifier: {w}"));
        }
    }
    let d = &t.direct_identifiers;
    let flagged: Vec<Vec<String>> = d
        .columns
        .iter()
        .filter(|c| c.flagged)
        .map(|c| {
            vec![
                c.column.clone(),
                c.category.map_or("-".into(), |k| k.label().to_string()),
                c.rule.clone().unwrap_or_default(),
            ]
        })
        .collect();
    section = section.paragraph(format!(
        "Direct-identifier scan of the release ({} columns, no originals needed): {} flagged.",
        d.columns.len(),
        flagged.len()
    ));
    if !flagged.is_empty() {
        section = section.table(Table {
            caption: "Release columns that hold direct identifiers".into(),
            columns: vec!["column".into(), "category".into(), "rule".into()],
            rows: flagged,
        });
    }
    section = section.result("direct_identifiers", d)?;
    for c in &t.charts {
        section = section.chart(c.name.clone(), c.caption.clone());
    }
    if let Some(q) = &t.qi_join {
        let mut rows = vec![
            ("release rows".to_string(), q.n_release.to_string()),
            ("original rows".to_string(), q.n_original.to_string()),
            (
                "expected re-identifications (sum of 1/|candidates|)".to_string(),
                format!("{:.1}", q.expected_reidentifications),
            ),
            (
                "rows with exactly one candidate".to_string(),
                format!("{} ({})", q.unique_matches, percent(q.certain_share)),
            ),
            (
                "rows with no compatible original".to_string(),
                q.no_candidates.to_string(),
            ),
        ];
        if let (Some(a), Some(e)) = (
            q.actual_reidentifications,
            q.expected_correct_reidentifications,
        ) {
            rows.push((
                "correct unique matches (truth key)".to_string(),
                a.to_string(),
            ));
            rows.push((
                "expected correct re-identifications (truth key)".to_string(),
                format!("{e:.1}"),
            ));
        }
        section = section
            .paragraph(
                "QI-join attack: an adversary who knows the quasi-identifiers of everyone in the \
                 originals lists, for each release row, the originals compatible with its \
                 (generalized) values and picks one at random.",
            )
            .table(Table::key_value(
                "QI-join linkage against the originals",
                rows,
            ))
            .table(Table {
                caption: "How each quasi-identifier's release values were compared with the originals (exact text first; see README, fail-safe guards)".into(),
                columns: vec![
                    "column".into(),
                    "read as".into(),
                    "why".into(),
                    "release rows matching no original value".into(),
                ],
                rows: q
                    .column_kinds
                    .iter()
                    .zip(&q.unmatched_by_column)
                    .map(|(k, u)| {
                        vec![
                            k.column.clone(),
                            k.kind.to_string(),
                            k.reason.clone(),
                            u.rows.to_string(),
                        ]
                    })
                    .collect(),
            })
            .result("qi_join", q)?;
    }
    if let Some(r) = &t.risk {
        let rows: Vec<Vec<String>> = r
            .estimates()
            .into_iter()
            .map(|(name, e)| {
                vec![
                    name,
                    format!("{:.4}", e.attack.rate),
                    format!("{:.4}", e.control.rate),
                    format!("{:.4} [{:.4}, {:.4}]", e.risk, e.ci.0, e.ci.1),
                ]
            })
            .collect();
        section = section
            .paragraph(
                "Anonymeter-style risks (Giomi et al. 2023): each attack on the originals the \
                 release was made from, against the same attack on held-out control records.",
            )
            .table(Table {
                caption: "Anonymeter-style risks".into(),
                columns: vec![
                    "attack".into(),
                    "attack rate".into(),
                    "control rate".into(),
                    "risk [interval]".into(),
                ],
                rows,
            })
            .result("anonymeter_risks", r)?;
    }
    let section = section.result("privacy_metrics", m)?;
    Ok((section, t.charts))
}

// ------------------------------------------------------------------ corpora

fn joined_texts(
    frame: &DataFrame,
    columns: &[String],
    source: &str,
) -> Result<Vec<Option<String>>, AuditError> {
    let cols = columns
        .iter()
        .map(|c| text_values(frame, c, source))
        .collect::<Result<Vec<_>, _>>()?;
    let n = frame.height();
    Ok((0..n)
        .map(|row| {
            let parts: Vec<&str> = cols
                .iter()
                .filter_map(|c| c[row].as_deref())
                .filter(|s| !s.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        })
        .collect())
}

fn run_corpus(
    c: &CorpusConfig,
    config: &AuditConfig,
    options: &AuditOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<CorpusFacts>, AuditError> {
    let dataset = format!("corpus `{}`", c.name);
    let opts = ReadOptions::default();
    let o_source = c.original.display().to_string();
    let r_source = c.release.display().to_string();
    let original_df = read_frame(&c.original, &opts)?;
    let release_df = read_frame(&c.release, &opts)?;
    let text_columns = c.text.names();
    let o_ids = text_values(&original_df, &c.id, &o_source)?;
    let r_ids = text_values(&release_df, &c.id, &r_source)?;
    let o_texts = joined_texts(&original_df, &text_columns, &o_source)?;
    let r_texts = joined_texts(&release_df, &text_columns, &r_source)?;
    let original = TextCorpus::new(&o_source, o_ids, o_texts)?;
    let release = TextCorpus::new(&r_source, r_ids, r_texts)?;
    let truth = TruthKey::same_ids(&release, &original)?;

    let mut identifiers = IdentifierSet::new();
    if let Some(path) = &c.users {
        let u_source = path.display().to_string();
        let users = read_frame(path, &opts)?;
        let cols = c
            .user_columns
            .iter()
            .map(|col| text_values(&users, col, &u_source))
            .collect::<Result<Vec<_>, _>>()?;
        let Some((logins, others)) = cols.split_first() else {
            return Err(AuditError::Dataset {
                dataset,
                message: "`user_columns` needs at least the login column".into(),
            });
        };
        for (row, login) in logins.iter().enumerate() {
            if let Some(login) = login {
                let values: Vec<&str> = others.iter().filter_map(|c| c[row].as_deref()).collect();
                identifiers.add_person(login, &values, true);
            }
        }
    }
    let mut id_columns = c.identifier_columns.clone();
    if let Some(a) = &c.author {
        if !id_columns.contains(a) {
            id_columns.push(a.clone());
        }
    }
    for col in &id_columns {
        for v in text_values(&original_df, col, &o_source)?
            .into_iter()
            .flatten()
        {
            identifiers.add_column_value(&v, true);
        }
    }
    identifiers.add_from_texts(&original.texts)?;
    let release_names: Vec<String> = release_df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut hash_columns = Vec::new();
    for col in &id_columns {
        if release_names.contains(col) && !text_columns.contains(col) {
            hash_columns.push((col.clone(), text_values(&release_df, col, &r_source)?));
        }
    }
    let text_config = TextAuditConfig {
        linkage: LinkageConfig {
            shingle: ShingleConfig {
                unit: ShingleUnit::Word,
                k: c.linkage.shingle_words,
                lowercase: true,
            },
            seed: config.seed,
            verification: Verification::Jaccard,
            threshold: c.linkage.threshold,
            ..LinkageConfig::default()
        },
        show_identifiers: options.include_examples,
        max_examples: 5,
    };
    let mut text = audit_text(
        &original,
        &release,
        Some(&truth),
        &identifiers,
        &hash_columns,
        &text_config,
        &mut |_| {},
    )?;
    // Per-document links are ids only but add nothing a reader needs.
    text.linkage.links.clear();
    progress(&format!(
        "{dataset}: document linkage, leak scan, recovery, hashes"
    ));

    let mut charts = Vec::new();
    let pr: Vec<(f64, f64)> = text
        .linkage
        .pr_curve
        .iter()
        .map(|p| (p.recall, p.precision))
        .collect();
    if !pr.is_empty() {
        charts.push(
            charts::precision_recall_curve(&[NamedCurve::new("MinHash-LSH + Jaccard", pr)])?
                .with_caption(
                    "Precision and recall of document linkage over the similarity threshold.",
                )
                .renamed(format!("{}_precision_recall", c.name))?,
        );
    }

    let stylometry = match (&c.stylometry, &c.author) {
        (Some(s), Some(author)) => Some(run_stylometry(
            c,
            s,
            author,
            (&original, &original_df),
            (&release, &release_df),
            config,
            &mut charts,
            progress,
        )?),
        _ => None,
    };
    Ok(Box::new(CorpusFacts {
        name: c.name.clone(),
        text,
        stylometry,
        charts,
    }))
}

#[allow(clippy::too_many_arguments)]
fn run_stylometry(
    c: &CorpusConfig,
    s: &super::config::StylometryConfig,
    author_column: &str,
    (original, original_df): (&TextCorpus, &DataFrame),
    (release, release_df): (&TextCorpus, &DataFrame),
    config: &AuditConfig,
    charts_out: &mut Vec<Chart>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StylometryFacts, AuditError> {
    // Ids and texts come from the corpora the text attacks used (row for row
    // the files' rows); only the author columns are read here.
    let dataset = format!("corpus `{}`", c.name);
    let o_source = c.original.display().to_string();
    let r_source = c.release.display().to_string();
    let (o_ids, o_texts) = (&original.ids, &original.texts);
    let (r_texts, o_authors) = (
        &release.texts,
        text_values(original_df, author_column, &o_source)?,
    );
    let r_authors = text_values(release_df, author_column, &r_source)?;
    let release_row = release.index();

    // Documents per original author (non-empty text only), in file order.
    let mut by_author: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (row, (a, t)) in o_authors.iter().zip(o_texts).enumerate() {
        if let Some(a) = a {
            if !t.trim().is_empty() {
                by_author.entry(a.as_str()).or_default().push(row);
            }
        }
    }
    let total_authors = by_author.len();
    by_author.retain(|_, rows| rows.len() >= s.min_documents.max(2));
    if by_author.len() < 2 {
        return Err(AuditError::Dataset {
            dataset,
            message: format!(
                "stylometry needs at least 2 authors with {} or more documents; found {} \
                 (lower `stylometry.min_documents`)",
                s.min_documents.max(2),
                by_author.len()
            ),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let (mut train_texts, mut train_names) = (Vec::new(), Vec::new());
    let (mut test_texts, mut test_names, mut test_pseudonyms) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut held_out_documents, mut held_out_in_release) = (0usize, 0usize);
    for (author, rows) in &by_author {
        let mut rows = rows.clone();
        rows.shuffle(&mut rng);
        let known = ((rows.len() as f64 * s.known_share).round() as usize).clamp(1, rows.len() - 1);
        for &row in &rows[..known] {
            train_texts.push(o_texts[row].clone());
            train_names.push(author.to_string());
        }
        for &row in &rows[known..] {
            held_out_documents += 1;
            let Some(&r) = release_row.get(o_ids[row].as_str()) else {
                continue;
            };
            held_out_in_release += 1;
            let text = &r_texts[r];
            if text.trim().is_empty() {
                continue;
            }
            test_texts.push(text.clone());
            test_names.push(author.to_string());
            test_pseudonyms.push(r_authors[r].clone().unwrap_or_default());
        }
    }
    let train = StyloCorpus::from_named(train_texts, &train_names)?;
    let kinds = s
        .features
        .iter()
        .map(|f| FeatureKind::from_str(f))
        .collect::<Result<Vec<_>, _>>()?;
    let normalization = match s.classifier {
        ClassifierKind::Burrows
        | ClassifierKind::Cosine
        | ClassifierKind::Eder
        | ClassifierKind::Knn
        | ClassifierKind::NearestCentroid => Normalization::None,
        // The linear models are fitted on z-scored features.
        ClassifierKind::Logistic | ClassifierKind::LinearSvm => Normalization::ZScore,
    };
    let pipeline_config = PipelineConfig {
        features: FeatureConfig {
            kinds,
            ..FeatureConfig::default()
        },
        normalization,
        classifier: ClassifierSpec::new(s.classifier),
    };
    let pipeline = FittedPipeline::fit(&pipeline_config, &train)?;
    let authors = pipeline.authors().to_vec();
    let index: HashMap<&str, usize> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let truth: Vec<usize> = test_names.iter().map(|n| index[n.as_str()]).collect();
    if test_texts.is_empty() {
        return Err(AuditError::Dataset {
            dataset,
            message: "no release document of a known author to attribute".into(),
        });
    }
    let scores = pipeline.scores(&test_texts)?;
    let doc_eval = evaluate_scores(&scores, &truth, &authors)?;

    // One-vs-rest verification ROC over every (document, candidate) pair.
    let mut flat_scores = Vec::with_capacity(scores.len());
    let mut flat_labels = Vec::with_capacity(scores.len());
    for (row, &t) in scores.rows().into_iter().zip(&truth) {
        for (a, &v) in row.iter().enumerate() {
            flat_scores.push(v);
            flat_labels.push(a == t);
        }
    }
    let roc = roc_curve(&flat_scores, &flat_labels).ok();
    let eer = roc.as_ref().and_then(|r| equal_error_rate(r).ok());

    // Pseudonym level: pool the document scores of each release author.
    let mut pseudonym_names: Vec<&str> = test_pseudonyms.iter().map(String::as_str).collect();
    pseudonym_names.sort_unstable();
    pseudonym_names.dedup();
    let pseudonym_index: HashMap<&str, usize> = pseudonym_names
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i))
        .collect();
    let doc_pseudonym: Vec<usize> = test_pseudonyms
        .iter()
        .map(|p| pseudonym_index[p.as_str()])
        .collect();
    let pooled: Array2<f64> = pool_scores(&scores, &doc_pseudonym, pseudonym_names.len())?;
    // A pseudonym's author is the majority true author of its documents.
    let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); pseudonym_names.len()];
    for (&p, &t) in doc_pseudonym.iter().zip(&truth) {
        *votes[p].entry(t).or_insert(0) += 1;
    }
    let pseudonym_truth: Vec<usize> = votes
        .iter()
        .map(|v| {
            v.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(a, _)| *a)
                .unwrap_or(0)
        })
        .collect();
    let pseudonym_eval: Option<Evaluation> = (!pseudonym_names.iter().all(|p| p.is_empty()))
        .then(|| evaluate_scores(&pooled, &pseudonym_truth, &authors))
        .transpose()?;
    progress(&format!("{dataset}: stylometric attribution"));

    let top = |e: &Evaluation| -> Vec<(usize, f64)> {
        e.top_k.iter().take(20).map(|p| (p.k, p.accuracy)).collect()
    };
    let mut curves = vec![NamedCurve::new(
        "documents",
        top(&doc_eval).iter().map(|&(k, a)| (k as f64, a)).collect(),
    )];
    if let Some(p) = &pseudonym_eval {
        curves.push(NamedCurve::new(
            "pseudonyms (pooled)",
            top(p).iter().map(|&(k, a)| (k as f64, a)).collect(),
        ));
    }
    charts_out.push(
        charts::top_k_accuracy(&curves, Some(authors.len()))?
            .with_caption("Share of release documents (and pseudonyms) whose author is among the k best-scored candidates.")
            .renamed(format!("{}_top_k", c.name))?,
    );
    if let Some(r) = &roc {
        let points: Vec<(f64, f64)> = r.points.iter().map(|p| (p.fpr, p.tpr)).collect();
        charts_out.push(
            charts::roc_curve(&[NamedCurve::new("one-vs-rest verification", points)
                .with_marker(eer.as_ref().map(|e| e.point()))])?
            .with_caption("ROC of one-vs-rest verification from the attribution scores; the marked point is the equal error rate.")
                .renamed(format!("{}_roc", c.name))?,
        );
    }
    if authors.len() <= 30 {
        let labels: Vec<String> = (1..=authors.len()).map(|i| format!("author {i}")).collect();
        let counts: Vec<Vec<u64>> = doc_eval
            .confusion
            .iter()
            .map(|r| r.iter().map(|&x| x as u64).collect())
            .collect();
        charts_out.push(
            charts::confusion_heatmap(&labels, &counts)?
                .renamed(format!("{}_confusion", c.name))?,
        );
    }

    let mut sweep = Vec::new();
    if !s.sweep_authors.is_empty() {
        let mut texts = Vec::new();
        let mut names = Vec::new();
        for (author, rows) in &by_author {
            for &row in rows {
                texts.push(o_texts[row].clone());
                names.push(author.to_string());
            }
        }
        let corpus = StyloCorpus::from_named(texts, &names)?;
        let counts: Vec<usize> = s
            .sweep_authors
            .iter()
            .copied()
            .filter(|&m| m >= 2 && m <= corpus.authors.len())
            .collect();
        if !counts.is_empty() {
            let points = sweep_authors(
                &corpus,
                &pipeline_config,
                &counts,
                3,
                2,
                config.seed,
                &|_, _| {},
            )?;
            sweep = points
                .iter()
                .map(|p| (p.x, p.mean_top1, p.chance))
                .collect();
            let acc: Vec<(f64, f64)> = points.iter().map(|p| (p.x as f64, p.mean_top1)).collect();
            charts_out.push(
                charts::accuracy_vs_authors(&[NamedCurve::new(
                    classifier_label(s.classifier),
                    acc,
                )])?
                .renamed(format!("{}_accuracy_vs_authors", c.name))?,
            );
        }
        progress(&format!("{dataset}: accuracy vs number of authors"));
    }

    Ok(StylometryFacts {
        classifier: s.classifier,
        features: s.features.clone(),
        candidate_authors: authors.len(),
        known_documents: train.len(),
        attributed_documents: test_texts.len(),
        document_top1: doc_eval.top1_accuracy,
        document_macro_f1: doc_eval.macro_f1,
        pseudonyms: pseudonym_eval.as_ref().map_or(0, |e| e.n_documents),
        pseudonym_top1: pseudonym_eval.as_ref().map(|e| e.top1_accuracy),
        chance: doc_eval.chance_top1,
        document_top_k: top(&doc_eval),
        pseudonym_top_k: pseudonym_eval.as_ref().map(top).unwrap_or_default(),
        verification_auc: roc.as_ref().map(|r| r.auc),
        verification_eer: eer.map(|e| e.eer),
        authors_left_out: total_authors - authors.len(),
        held_out_documents,
        held_out_in_release,
        accuracy_vs_authors: sweep,
    })
}

fn classifier_label(kind: ClassifierKind) -> String {
    match kind {
        ClassifierKind::Burrows => "Burrows' Delta".to_string(),
        ClassifierKind::Cosine => "Cosine Delta".to_string(),
        ClassifierKind::Eder => "Eder's Delta".to_string(),
        ClassifierKind::NearestCentroid => "nearest centroid".to_string(),
        ClassifierKind::Knn => "kNN".to_string(),
        ClassifierKind::Logistic => "logistic regression".to_string(),
        ClassifierKind::LinearSvm => "linear SVM".to_string(),
    }
}

fn corpus_section(c: CorpusFacts) -> Result<(Section, Vec<Chart>), AuditError> {
    let t = &c.text;
    let l = &t.linkage;
    let opt = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.4}"));
    let mut rows = vec![
        (
            "release documents".to_string(),
            t.n_release_documents.to_string(),
        ),
        (
            "linked to their original (re-identification rate)".to_string(),
            format!("{} ({})", l.correct, opt(l.reidentification_rate)),
        ),
        (
            "linkage precision / recall".to_string(),
            format!("{} / {}", opt(l.precision), opt(l.recall)),
        ),
        (
            "identifiers known / surviving in the release".to_string(),
            format!("{} / {}", t.leak_scan.n_known, t.leak_scan.n_surviving),
        ),
        (
            "release documents with a surviving identifier".to_string(),
            t.leak_scan.documents_with_leaks.to_string(),
        ),
        (
            "placeholders recovered from linked originals".to_string(),
            format!("{} of {}", t.recovery.recovered, t.recovery.placeholders),
        ),
        (
            "placeholders consistent across documents".to_string(),
            t.recovery.consistency.consistent.to_string(),
        ),
        (
            "hashes reversed by dictionary attack".to_string(),
            format!(
                "{} of {}",
                t.hash_attack.recovered, t.hash_attack.hex_tokens
            ),
        ),
    ];
    for k in &t.leak_scan.kinds {
        if k.surviving > 0 {
            rows.push((
                format!("surviving {:?} identifiers", k.kind).to_lowercase(),
                format!("{} of {} ({} documents)", k.surviving, k.known, k.documents),
            ));
        }
    }
    let mut section = Section::new(format!("Corpus `{}`", c.name))
        .paragraph(
            "Document linkage (MinHash-LSH candidates verified by Jaccard similarity), the \
             identifier leak scan (identifiers of the originals found in the release text; \
             examples masked), redaction recovery on linked pairs and the dictionary attack on \
             unsalted hashes.",
        )
        .table(Table::key_value("Text leakage", rows));
    if let Some(s) = &c.stylometry {
        let mut rows = vec![
            ("classifier".to_string(), classifier_label(s.classifier)),
            ("features".to_string(), s.features.join(", ")),
            (
                "candidate authors".to_string(),
                s.candidate_authors.to_string(),
            ),
            (
                "known documents (adversary's training set)".to_string(),
                s.known_documents.to_string(),
            ),
            (
                "release documents attributed".to_string(),
                s.attributed_documents.to_string(),
            ),
            (
                "document-level top-1 accuracy".to_string(),
                format!("{:.4}", s.document_top1),
            ),
            ("chance".to_string(), format!("{:.4}", s.chance)),
        ];
        if let Some(p) = s.pseudonym_top1 {
            rows.push((
                format!(
                    "pseudonym-level top-1 accuracy ({} pseudonyms)",
                    s.pseudonyms
                ),
                format!("{p:.4}"),
            ));
        }
        if let (Some(auc), Some(eer)) = (s.verification_auc, s.verification_eer) {
            rows.push((
                "verification AUC / EER".to_string(),
                format!("{auc:.4} / {eer:.4}"),
            ));
        }
        section = section
            .paragraph(
                "Stylometric attribution: the adversary knows some writing of each author (a \
                 seeded share of their original documents) and attributes the release's other \
                 documents, one by one and pooled per release pseudonym (summed scores).",
            )
            .table(Table::key_value("Authorship attribution", rows))
            .result("stylometry", s)?;
    }
    for chart in &c.charts {
        section = section.chart(chart.name.clone(), chart.caption.clone());
    }
    let section = section.result("text_attacks", &c.text)?;
    Ok((section, c.charts))
}

// ------------------------------------------------------------------ aggregates

fn group_keys(frame: &DataFrame, keys: &[String], source: &str) -> Result<Vec<String>, AuditError> {
    Ok(crate::data::group_keys(frame, keys, source)?)
}

fn numeric(frame: &DataFrame, column: &str, source: &str) -> Result<Vec<f64>, AuditError> {
    let values = text_values(frame, column, source)?;
    Ok(dp::parse_numeric(
        source,
        column,
        values.iter().map(Option::as_deref),
    )?)
}

fn run_aggregate(
    a: &AggregateConfig,
    config: &AuditConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<AggregateFacts>, AuditError> {
    let opts = ReadOptions::default();
    let o_source = a.original.display().to_string();
    let r_source = a.release.display().to_string();
    let original = read_frame(&a.original, &opts)?;
    let release = read_frame(&a.release, &opts)?;
    let okeys = group_keys(&original, &a.keys, &o_source)?;
    let rkeys = group_keys(&release, &a.keys, &r_source)?;
    let rvalues = numeric(&release, &a.release_value, &r_source)?;
    let (kind, values) = match (a.kind.as_str(), &a.value) {
        ("sum", Some(v)) => (dp::Aggregate::Sum, Some(numeric(&original, v, &o_source)?)),
        _ => (dp::Aggregate::Count, None),
    };
    let pairs = dp::aggregate_pairs(kind, &okeys, values.as_deref(), &rkeys, &rvalues)?;
    let delta = config
        .claims
        .iter()
        .find_map(|c| match c {
            ClaimConfig::DifferentialPrivacy {
                aggregate, delta, ..
            } if aggregate == &a.name && *delta > 0.0 => Some(*delta),
            _ => None,
        })
        .unwrap_or(1e-5);
    let fit_options = NoiseFitOptions {
        confidence: config.confidence,
        sensitivity: Some(a.sensitivity),
        delta,
        ..NoiseFitOptions::default()
    };
    let fit = dp::fit_aggregate_noise(&pairs, values.as_deref(), &fit_options)?;
    let user_sensitivity = match &a.contributions {
        None => None,
        Some(c) => {
            let source = c.events.display().to_string();
            let events = read_frame(&c.events, &opts)?;
            let users = text_values(&events, &c.user, &source)?;
            let mut per_user: HashMap<&str, u64> = HashMap::new();
            for u in users.iter().flatten() {
                *per_user.entry(u.as_str()).or_insert(0) += 1;
            }
            let max = per_user.values().copied().max().unwrap_or(0);
            // Each event adds `sensitivity` to exactly one aggregate, so one
            // user's events move the vector of aggregates by at most
            // max_events * sensitivity in L1 norm.
            Some(max as f64 * a.sensitivity)
        }
    };
    progress(&format!("aggregate `{}`: noise fit", a.name));
    Ok(Box::new(AggregateFacts {
        name: a.name.clone(),
        fit,
        record_sensitivity: a.sensitivity,
        user_sensitivity,
    }))
}

fn aggregate_section(a: AggregateFacts) -> Result<(Section, Vec<Chart>), AuditError> {
    let f = &a.fit.fit;
    let mut rows = vec![
        ("groups paired".to_string(), a.fit.n_groups.to_string()),
        (
            "groups missing in the release".to_string(),
            a.fit.groups_missing_in_release.to_string(),
        ),
        (
            "mean error (release - original)".to_string(),
            format!("{:.4}", f.mean_error),
        ),
        (
            "Laplace scale b [interval]".to_string(),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.laplace.scale.point, f.laplace.scale.lower, f.laplace.scale.upper
            ),
        ),
        (
            "Gaussian sigma [interval]".to_string(),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.gaussian.sigma.point, f.gaussian.sigma.lower, f.gaussian.sigma.upper
            ),
        ),
        (
            "better-fitting noise".to_string(),
            format!("{:?}", f.better_fit).to_lowercase(),
        ),
        (
            format!(
                "implied epsilon per record (sensitivity {})",
                a.record_sensitivity
            ),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.laplace.epsilon.point, f.laplace.epsilon.lower, f.laplace.epsilon.upper
            ),
        ),
    ];
    if let Some(us) = a.user_sensitivity {
        let scale = us / a.record_sensitivity;
        rows.push((
            format!("implied epsilon per user (sensitivity {us})"),
            format!(
                "{:.4} [{:.4}, {:.4}]",
                f.laplace.epsilon.point * scale,
                f.laplace.epsilon.lower * scale,
                f.laplace.epsilon.upper * scale
            ),
        ));
    }
    let section = Section::new(format!("Aggregate `{}`", a.name))
        .paragraph(
            "The noise between the true and the released aggregates is fitted as Laplace and as \
             Gaussian (maximum likelihood, exact intervals); the epsilon it implies is the \
             sensitivity divided by the Laplace scale (Gaussian: Balle & Wang 2018 at the \
             claimed delta). Per user, the sensitivity is the most events one user contributes.",
        )
        .table(Table::key_value("Noise fit", rows))
        .result("noise_fit", &a.fit)?;
    Ok((section, Vec::new()))
}

// ------------------------------------------------------------------ traces

fn run_traces(
    t: &TracesConfig,
    config: &AuditConfig,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<TracesFacts>, AuditError> {
    let source = t.events.display().to_string();
    let events = read_frame(&t.events, &ReadOptions::default())?;
    let spec = TraceSpec {
        user_column: t.user.clone(),
        timestamp_column: t.timestamp.clone(),
        action_columns: t.actions.clone(),
        bucket_seconds: t.bucket_seconds.first().copied().unwrap_or(3600),
    };
    let report = unicity_sweep(
        &events,
        &source,
        &spec,
        &SweepConfig {
            buckets: t.bucket_seconds.clone(),
            points: t.points.clone(),
            seed: config.seed,
        },
        None,
        &|| {},
    )?;
    let mut charts_out = Vec::new();
    if let Some(curve) = report.curves.first() {
        let points: Vec<charts::UnicityPoint> = curve
            .curve
            .iter()
            .map(|p| charts::UnicityPoint {
                points: p.points as u32,
                unicity: p.unicity,
                interval: Rate::new(p.n_unique as f64, p.n_users as u64)
                    .wilson(config.confidence, "trace unicity")
                    .ok()
                    .map(|q| (q.low, q.high)),
            })
            .collect();
        charts_out
            .push(charts::unicity_vs_points(&points)?.renamed(format!("{}_unicity", t.name))?);
    }
    progress(&format!("traces `{}`: unicity", t.name));
    Ok(Box::new(TracesFacts {
        name: t.name.clone(),
        report,
        charts: charts_out,
    }))
}

fn traces_section(t: TracesFacts) -> Result<(Section, Vec<Chart>), AuditError> {
    let mut rows = Vec::new();
    for curve in &t.report.curves {
        for p in &curve.curve {
            rows.push(vec![
                curve.spec.bucket_seconds.to_string(),
                p.points.to_string(),
                format!("{:.4}", p.unicity),
                p.n_users.to_string(),
            ]);
        }
    }
    let mut section = Section::new(format!("Traces `{}`", t.name))
        .paragraph(
            "Trace unicity (de Montjoye et al. 2013): the share of users whose activity is the \
             only one containing p points drawn at random from their own trace (a point is a \
             time bucket and the action columns).",
        )
        .table(Table {
            caption: "Unicity".into(),
            columns: vec![
                "bucket (s)".into(),
                "points p".into(),
                "unicity".into(),
                "users".into(),
            ],
            rows,
        });
    for c in &t.charts {
        section = section.chart(c.name.clone(), c.caption.clone());
    }
    let section = section.result("unicity", &t.report)?;
    Ok((section, t.charts))
}

// ------------------------------------------------------------------ verdicts

fn find_table<'a>(facts: &'a [Facts], name: &str) -> Option<&'a TableFacts> {
    facts.iter().find_map(|f| match f {
        Facts::Table(t) if t.name == name => Some(t.as_ref()),
        _ => None,
    })
}

fn find_corpus<'a>(facts: &'a [Facts], name: &str) -> Option<&'a CorpusFacts> {
    facts.iter().find_map(|f| match f {
        Facts::Corpus(c) if c.name == name => Some(c.as_ref()),
        _ => None,
    })
}

fn missing_facts(what: &str) -> AuditError {
    AuditError::Dataset {
        dataset: what.to_string(),
        message: "was not analysed (internal inconsistency between config and runner)".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn claim(
    config_claim: &ClaimConfig,
    verdict: Verdict,
    measure: &str,
    measured: Option<f64>,
    interval: Option<Interval>,
    decided_by: &str,
    evidence: String,
    warnings: Vec<String>,
) -> ClaimVerdict {
    ClaimVerdict {
        claim: config_claim.statement(),
        verdict,
        measure: measure.to_string(),
        measured,
        confidence_interval: interval.map(|p| (p.low, p.high)),
        confidence_level: interval.map(|p| p.level),
        decided_by: decided_by.to_string(),
        evidence,
        warnings,
    }
}

/// The Wilson interval of `successes` out of `trials` at `level`.
fn wilson(successes: f64, trials: usize, level: f64, what: &str) -> Result<Interval, AuditError> {
    Ok(Rate::new(successes, trials as u64).wilson(level, what)?)
}

fn decide(
    c: &ClaimConfig,
    facts: &[Facts],
    config: &AuditConfig,
) -> Result<ClaimVerdict, AuditError> {
    let level = config.confidence;
    Ok(match c {
        ClaimConfig::KAnonymity { table, k } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let m = &t.metrics;
            let unit = if m.subjects.is_some() {
                "person(s)"
            } else {
                "record(s)"
            };
            // A column left out of the QIs that re-creates one (or is
            // near-unique) and would break the claimed k: not a PASS.
            let hidden: Vec<String> = m
                .hidden_qi
                .as_ref()
                .map(|h| {
                    h.hidden()
                        .filter(|c| c.k_with < *k)
                        .map(|c| {
                            format!(
                                "`{}` would give k = {} if added to the quasi-identifiers",
                                c.column, c.k_with
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut warnings = Vec::new();
            if !hidden.is_empty() {
                warnings.push(format!(
                    "Release columns not declared as quasi-identifiers determine one or are near-unique: {}. An adversary who knows them sees smaller classes; declare them as quasi-identifiers or remove them from the release.",
                    hidden.join("; ")
                ));
            }
            if let Some(s) = &m.subjects {
                if s.profile_k < *k {
                    warnings.push(format!(
                        "k counts persons ({} per smallest class; {} counting records), but an adversary who knows all of a person's records narrows some persons to a group of {}.",
                        s.subject_k, s.record_k, s.profile_k
                    ));
                }
            }
            if m.hidden_qi.is_none() {
                warnings.push(format!(
                    "The release has more than {} columns besides the quasi-identifiers, so they were not checked for hidden quasi-identifiers.",
                    crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
                ));
            }
            let mut v = eval::at_least(m.k as f64, *k as f64);
            if v == Verdict::Pass && (!hidden.is_empty() || m.hidden_qi.is_none()) {
                v = Verdict::Inconclusive;
            }
            claim(
                c,
                v,
                "k (smallest equivalence class)",
                Some(m.k as f64),
                None,
                "k-anonymity over the release's quasi-identifiers",
                format!(
                    "The smallest of {} equivalence classes has {} {unit}; {} records sit in classes smaller than {k}.",
                    m.n_classes, m.k, m.below_target_k.n_records
                ),
                warnings,
            )
        }
        ClaimConfig::LDiversity { table, l } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let worst = t
                .metrics
                .sensitive
                .iter()
                .min_by_key(|s| s.l_distinct)
                .ok_or_else(|| missing_facts(table))?;
            claim(
                c,
                eval::at_least(worst.l_distinct as f64, *l as f64),
                "distinct l",
                Some(worst.l_distinct as f64),
                None,
                "distinct l-diversity (Machanavajjhala et al. 2007)",
                format!(
                    "Some equivalence class holds only {} distinct value(s) of `{}`.",
                    worst.l_distinct, worst.attribute
                ),
                Vec::new(),
            )
        }
        ClaimConfig::TCloseness { table, t: claimed } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let worst = t
                .metrics
                .sensitive
                .iter()
                .max_by(|a, b| a.t_equal_distance.t.total_cmp(&b.t_equal_distance.t))
                .ok_or_else(|| missing_facts(table))?;
            let measured = worst.t_equal_distance.t;
            claim(
                c,
                eval::at_most(measured, *claimed),
                "t (equal-distance EMD)",
                Some(measured),
                None,
                "t-closeness (Li et al. 2007)",
                format!(
                    "The class furthest from the overall distribution of `{}` is at EMD {measured:.4}.",
                    worst.attribute
                ),
                Vec::new(),
            )
        }
        ClaimConfig::Reidentification { table, max_rate } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let q = t.qi_join.as_ref().ok_or_else(|| missing_facts(table))?;
            // `+ 0.0`: an empty f64 sum is -0.0, which would print as "-0.0".
            let (successes, how) = match q.expected_correct_reidentifications {
                Some(e) => (e + 0.0, "expected correct re-identifications, scored with the truth key"),
                None => (
                    q.expected_reidentifications + 0.0,
                    "expected re-identifications (no truth key: every candidate set is assumed to hold the true original)",
                ),
            };
            let p = wilson(
                successes,
                q.n_release,
                level,
                &format!("table `{table}`: re-identification rate (the release has no rows)"),
            )?;
            let (v, warnings) = eval::guard(
                eval::interval_at_most(p.low, p.high, *max_rate),
                &qi_join_checks(q),
            );
            claim(
                c,
                v,
                "re-identification rate",
                Some(p.point),
                Some(p),
                "QI-join linkage attack against the originals",
                format!(
                    "{:.1} of {} release rows re-identified ({how}); {} rows ({}) match exactly one original; {} match none.",
                    successes,
                    q.n_release,
                    q.unique_matches,
                    percent(q.certain_share),
                    q.no_candidates
                ),
                warnings,
            )
        }
        ClaimConfig::InferenceRisk { table, max_risk } => {
            let t = find_table(facts, table).ok_or_else(|| missing_facts(table))?;
            let r = t.risk.as_ref().ok_or_else(|| missing_facts(table))?;
            let estimates = r.estimates();
            // One claim over several risks: every component must be below the
            // threshold (eval::composite_at_most), not only the highest point.
            let parts: Vec<(f64, f64)> = estimates.iter().map(|(_, e)| e.ci).collect();
            let v = eval::composite_at_most(&parts, *max_risk);
            // The figure shown is the component that decides: on a FAIL the
            // one whose lower end is highest, otherwise the one reaching highest.
            let (name, worst) = estimates
                .iter()
                .max_by(|a, b| match v {
                    Verdict::Fail => a.1.ci.0.total_cmp(&b.1.ci.0),
                    _ => a.1.ci.1.total_cmp(&b.1.ci.1),
                })
                .ok_or_else(|| missing_facts(table))?;
            let listed: Vec<String> = estimates
                .iter()
                .map(|(n, e)| format!("{n} {:.4} [{:.4}, {:.4}]", e.risk, e.ci.0, e.ci.1))
                .collect();
            claim(
                c,
                v,
                "residual risk (attack vs control) of the deciding component",
                Some(worst.risk),
                Some(Interval {
                    point: worst.risk,
                    low: worst.ci.0,
                    high: worst.ci.1,
                    level,
                }),
                &format!("Anonymeter-style risks ({} components; {name} decides)", estimates.len()),
                format!(
                    "PASS needs every component's upper end at or below {max_risk}, FAIL any lower end above it: {}.",
                    listed.join("; ")
                ),
                Vec::new(),
            )
        }
        ClaimConfig::NoDirectIdentifiers { corpora, tables } => {
            let everything = corpora.is_empty() && tables.is_empty();
            let selected: Vec<&CorpusFacts> = facts
                .iter()
                .filter_map(|f| match f {
                    Facts::Corpus(c) if everything || corpora.contains(&c.name) => Some(c.as_ref()),
                    _ => None,
                })
                .collect();
            let selected_tables: Vec<&TableFacts> = facts
                .iter()
                .filter_map(|f| match f {
                    Facts::Table(t) if everything || tables.contains(&t.name) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            let surviving: usize = selected.iter().map(|c| c.text.leak_scan.n_surviving).sum();
            let reversed: usize = selected.iter().map(|c| c.text.hash_attack.recovered).sum();
            let columns: usize = selected_tables
                .iter()
                .map(|t| t.direct_identifiers.flagged.len())
                .sum();
            let docs: usize = selected
                .iter()
                .map(|c| c.text.leak_scan.documents_with_leaks)
                .sum();
            let ambiguous: usize = selected
                .iter()
                .map(|c| c.text.leak_scan.ambiguous_not_counted)
                .sum();
            let mut per_dataset: Vec<String> = selected
                .iter()
                .map(|c| {
                    format!(
                        "corpus `{}`: {} identifiers, {} hashes",
                        c.name, c.text.leak_scan.n_surviving, c.text.hash_attack.recovered
                    )
                })
                .collect();
            per_dataset.extend(selected_tables.iter().map(|t| {
                let d = &t.direct_identifiers;
                if d.flagged.is_empty() {
                    format!("table `{}`: no identifier column", t.name)
                } else {
                    format!(
                        "table `{}`: identifier columns {}",
                        t.name,
                        d.columns
                            .iter()
                            .filter(|c| c.flagged)
                            .map(|c| format!(
                                "`{}` ({})",
                                c.column,
                                c.category.map_or("-", |k| k.label())
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }));
            let found = (surviving + reversed + columns) as f64;
            // A claim over no dataset scanned nothing: never a PASS.
            let (v, mut warnings) = eval::guard(
                eval::at_most(found, 0.0),
                &[eval::CoverageCheck {
                    what: "corpora and tables scanned for identifiers".into(),
                    covered: (selected.len() + selected_tables.len()) as u64,
                    total: (selected.len() + selected_tables.len()) as u64,
                    required_share: 1.0,
                    cause: "No [[corpus]] or [[table]] is named by the claim or declared in the config.".into(),
                }],
            );
            if ambiguous > 0 {
                warnings.push(format!(
                    "{ambiguous} occurrence(s) of known identifiers that are also ordinary words or code tokens (e.g. a login `link`) were found outside identifier context and not counted; the corpus sections list them by reason."
                ));
            }
            claim(
                c,
                v,
                "direct identifiers found (surviving + hashes reversed + identifier columns)",
                Some(found),
                None,
                "identifier leak scan, hash dictionary attack and table column scan",
                format!(
                    "{surviving} distinct identifiers of the originals survive in {docs} release documents, {reversed} pseudonyms/hashes are reversed by hashing known identifiers, and {columns} release table column(s) hold direct identifiers ({}).",
                    per_dataset.join("; ")
                ),
                warnings,
            )
        }
        ClaimConfig::Authorship {
            corpus,
            max_accuracy,
        } => {
            let cf = find_corpus(facts, corpus).ok_or_else(|| missing_facts(corpus))?;
            let s = cf
                .stylometry
                .as_ref()
                .ok_or_else(|| missing_facts(corpus))?;
            let doc = wilson(
                (s.document_top1 * s.attributed_documents as f64).round(),
                s.attributed_documents,
                level,
                "document-level attribution",
            )
            .ok();
            let pseud = s.pseudonym_top1.and_then(|a| {
                wilson(
                    (a * s.pseudonyms as f64).round(),
                    s.pseudonyms,
                    level,
                    "pseudonym-level attribution",
                )
                .ok()
            });
            // The stronger attack decides: the one whose interval reaches higher.
            let (p, which) = match (doc, pseud) {
                (Some(d), Some(p)) if p.low > d.low => (p, "pseudonym level (pooled)"),
                (Some(d), _) => (d, "document level"),
                (None, Some(p)) => (p, "pseudonym level (pooled)"),
                (None, None) => return Err(missing_facts(corpus)),
            };
            let (v, warnings) = eval::guard(
                eval::interval_at_most(p.low, p.high, *max_accuracy),
                &[eval::CoverageCheck {
                    what: "held-out documents of known authors found in the release by id".into(),
                    covered: s.held_out_in_release as u64,
                    total: s.held_out_documents as u64,
                    required_share: eval::MIN_ALIGNED_SHARE,
                    cause: "Release documents are matched to their originals by the `id` column; release ids that name no original leave documents unattributed. Check that the release keeps the originals' document ids.".into(),
                }],
            );
            claim(
                c,
                v,
                "top-1 attribution accuracy",
                Some(p.point),
                Some(p),
                &format!("stylometric attribution ({}, {which})", classifier_label(s.classifier)),
                format!(
                    "{} of {} release documents attributed to their author; {} of {} pseudonyms after pooling; chance is {} with {} candidate authors.",
                    percent(s.document_top1),
                    s.attributed_documents,
                    s.pseudonym_top1.map_or("n/a".into(), percent),
                    s.pseudonyms,
                    percent(s.chance),
                    s.candidate_authors
                ),
                warnings,
            )
        }
        ClaimConfig::DocumentLinkage { corpus, max_rate } => {
            let cf = find_corpus(facts, corpus).ok_or_else(|| missing_facts(corpus))?;
            let l = &cf.text.linkage;
            if l.with_truth == 0 {
                return Err(AuditError::Dataset {
                    dataset: format!("corpus `{corpus}`"),
                    message: "no release document shares an id with an original, so document linkage cannot be scored; keep the originals' ids in the release or give a truth key".into(),
                });
            }
            let p = wilson(l.correct as f64, l.with_truth, level, "document linkage")?;
            let (v, warnings) = eval::guard(
                eval::interval_at_most(p.low, p.high, *max_rate),
                &[eval::CoverageCheck {
                    what: "release documents whose id names an original".into(),
                    covered: l.with_truth as u64,
                    total: cf.text.n_release_documents as u64,
                    required_share: eval::MIN_ALIGNED_SHARE,
                    cause: "Documents whose original is unknown cannot be scored; counting them as unlinked would understate the rate. Check the `id` column of both files.".into(),
                }],
            );
            claim(
                c,
                v,
                "share of release documents linked to their original",
                Some(p.point),
                Some(p),
                "document linkage (MinHash-LSH + Jaccard)",
                format!(
                    "{} of {} release documents are linked to their own original at Jaccard >= {}.",
                    l.correct, l.with_truth, l.config.threshold
                ),
                warnings,
            )
        }
        ClaimConfig::DifferentialPrivacy {
            aggregate,
            epsilon,
            delta,
            unit,
        } => {
            let a = facts
                .iter()
                .find_map(|f| match f {
                    Facts::Aggregate(a) if &a.name == aggregate => Some(a.as_ref()),
                    _ => None,
                })
                .ok_or_else(|| missing_facts(aggregate))?;
            let fit = &a.fit.fit;
            let use_gaussian =
                *delta > 0.0 && fit.better_fit == dp::estimate::NoiseFamily::Gaussian;
            let family_kind = if use_gaussian {
                dp::estimate::NoiseFamily::Gaussian
            } else {
                dp::estimate::NoiseFamily::Laplace
            };
            let sensitivity = match unit {
                PrivacyUnit::Record => a.record_sensitivity,
                PrivacyUnit::User => a.user_sensitivity.ok_or_else(|| missing_facts(aggregate))?,
            };
            // Worked out from the fitted noise at this sensitivity: linear
            // scaling of the per-record epsilon is right for Laplace noise only.
            let e = fit.epsilon_at(family_kind, sensitivity)?;
            let (point, low, high) = (e.point, e.lower, e.upper);
            let v = eval::epsilon_at_most(low, *epsilon, fit.n_used, 30);
            let family = if use_gaussian { "Gaussian" } else { "Laplace" };
            let finite_high = if high.is_finite() { high } else { f64::MAX };
            ClaimVerdict {
                claim: c.statement(),
                verdict: v,
                measure: "epsilon implied by the noise".into(),
                measured: Some(point),
                confidence_interval: Some((low, finite_high)),
                confidence_level: Some(e.confidence),
                decided_by: format!("{family} noise fit on {} paired aggregates", fit.n_used),
                warnings: Vec::new(),
                evidence: match v {
                    Verdict::Fail => format!(
                        "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]), above the claimed {epsilon}: the noise is too small for the claim."
                    ),
                    Verdict::Pass => format!(
                        "At sensitivity {sensitivity} the noise added implies epsilon {point:.3} (interval [{low:.3}, {high:.3}]): consistent with the claimed {epsilon}. This tests the noise level only; it cannot prove the mechanism private."
                    ),
                    Verdict::Inconclusive => format!(
                        "Only {} paired aggregates: too few to fit the noise reliably.",
                        fit.n_used
                    ),
                },
            }
        }
        ClaimConfig::TraceUnicity {
            traces,
            points,
            max_unicity,
        } => {
            let t = facts
                .iter()
                .find_map(|f| match f {
                    Facts::Traces(t) if &t.name == traces => Some(t.as_ref()),
                    _ => None,
                })
                .ok_or_else(|| missing_facts(traces))?;
            let curve = t
                .report
                .curves
                .first()
                .ok_or_else(|| missing_facts(traces))?;
            let point = curve
                .curve
                .iter()
                .find(|p| p.points == *points)
                .ok_or_else(|| missing_facts(traces))?;
            let p = wilson(point.n_unique as f64, point.n_users, level, "trace unicity")?;
            claim(
                c,
                eval::interval_at_most(p.low, p.high, *max_unicity),
                "trace unicity",
                Some(p.point),
                Some(p),
                &format!(
                    "trace unicity with {points} random points ({} s buckets)",
                    curve.spec.bucket_seconds
                ),
                format!(
                    "{} of {} users are the only ones whose trace contains {points} of their own points.",
                    point.n_unique, point.n_users
                ),
                Vec::new(),
            )
        }
    })
}
