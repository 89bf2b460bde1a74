//! Tables: release-only privacy metrics, the hidden-QI and direct-identifier
//! scans, the QI-join linkage attack and the Anonymeter-style risks, with
//! hierarchies built for quasi-identifiers the config gives none
//! ([`build_missing_hierarchies`]).

use crate::audit::claims::reidentification::undeclared_shared_columns as undeclared_shared_columns_of;
use std::collections::HashMap;
use std::path::Path;

use super::{read_options, TableFacts, TablePart};
use crate::attacks::inference::{
    run_table_risk_attacks, RiskConfig, RiskInputs, RiskPlan, RiskSchema,
};
use crate::attacks::linkage::qi_join;
use crate::audit::config::AuditOptions;
use crate::audit::config::{percent, AuditConfig, ClaimConfig, TableConfig};
use crate::audit::AuditError;
use crate::data::{
    encode_frame, load_table, read_frame, read_key_map, EncodedTable, Hierarchy, MissingPolicy,
    TruthSpec, ROW_KEY,
};
use crate::engine::{ClassPartial, Engine};
use crate::privacy::direct_identifiers::{scan_file, DirectIdentifierConfig};
use crate::privacy::{
    build_classes, detect_hidden_quasi_identifiers, distinct_l_per_class, equal_distance_per_class,
    evaluate_classes, EquivalenceClasses, HiddenQiOptions, MetricsParams,
};
use crate::report::charts::{self};
use crate::report::{Chart, Section, Table};

/// Progress steps [`run_table`] reports: the metrics, then the QI join with
/// the originals and the risks with a control set.
pub(crate) fn steps(t: &TableConfig) -> u64 {
    1 + t.original.is_some() as u64 + t.risk.is_some() as u64
}

pub(crate) fn run_table(
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

    let target_k = config
        .claims
        .iter()
        .filter_map(|c| match c {
            ClaimConfig::KAnonymity(c) if c.table == t.name => Some(c.k),
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
    let engine = config.table_engine(t)?;
    if let Engine::Spark(url) = &engine {
        return run_table_on_spark(t, config, url, &params, target_k, options, progress);
    }
    if let Some(budget) = config.table_memory(t)? {
        return run_table_out_of_core(t, budget, &opts, &params, &hierarchies, options, progress);
    }
    // Release-only metrics. Every column of the release is read: columns left
    // out of the declared QIs are checked for hidden quasi-identifiers.
    let release = load_table(&t.release, &[], &opts, &missing)?;
    // One grouping serves the metrics and the per-class charts.
    let (classes, mut metrics) = match engine {
        // The same partials as `reident metrics --engine partials:ROWS`.
        Engine::Partials(rows) => {
            let qis: Vec<&str> = t.quasi_identifiers.iter().map(String::as_str).collect();
            let sas: Vec<&str> = t.sensitive.iter().map(String::as_str).collect();
            let partial = ClassPartial::from_chunks(&release, &qis, &sas, target_k, rows)?;
            let (table, classes) = partial.classes(&release.source, params.suppressed_rows)?;
            let metrics = evaluate_classes(&table, &classes, &params)?;
            (classes, metrics)
        }
        _ => {
            let classes = build_classes(&release, &params)?;
            let metrics = evaluate_classes(&release, &classes, &params)?;
            (classes, metrics)
        }
    };
    let candidates = hidden_qi_candidates(t, release.column_names());
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
    let direct_identifiers = Some(
        scan_file(
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
        })?,
    );
    progress(&format!("{dataset}: privacy metrics"));
    crate::data::cancel::check()?;

    // QI-join linkage against the originals, with hierarchies built for the
    // quasi-identifiers that have none.
    let mut qi = None;
    let mut built_hierarchies = Vec::new();
    let mut undeclared_shared_columns = Vec::new();
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
        // The originals' columns beyond the ones the join reads: what else an
        // adversary holding them could join on.
        let original_header: Vec<String> = read_frame(original_path, &opts)?
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let truth_columns: Vec<&str> = t
            .truth
            .iter()
            .flat_map(|tr| [tr.original.as_str(), tr.release.as_str()])
            .collect();
        undeclared_shared_columns = undeclared_shared_columns_of(
            &release.column_names(),
            &original_header
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            &t.quasi_identifiers,
            &columns,
            &truth_columns,
        );
        let column_refs: Vec<&str> = columns.iter().map(String::as_str).collect();
        let mut original = load_table(original_path, &column_refs, &opts, &missing)?;
        for col in &mut original.columns {
            if let Some(q) = t
                .quasi_identifiers
                .iter()
                .find(|q| original_name(q) == col.name && q.as_str() != col.name)
            {
                col.name = q.clone();
            }
        }
        // The truth key, resolved as `reident link` resolves it.
        let truth = match &t.truth {
            None => None,
            Some(truth) => {
                let map = match &truth.map {
                    None => None,
                    Some(path) => {
                        Some(read_key_map(path, &truth.map_original, &truth.map_release)?)
                    }
                };
                let spec = TruthSpec {
                    original: truth.original.clone(),
                    release: truth.release.clone(),
                    map,
                };
                Some(spec.resolve(&original, &release)?)
            }
        };
        let kinds: HashMap<String, crate::data::ValueKind> =
            t.kinds.iter().map(|(c, k)| (c.clone(), *k)).collect();
        if t.build_hierarchies {
            built_hierarchies = build_missing_hierarchies(
                t,
                &original,
                &release,
                truth.as_ref(),
                &kinds,
                options.include_examples,
            )?;
            for b in &built_hierarchies {
                if b.used_by_attacks {
                    let h = Hierarchy::from_arx_bytes(
                        &format!("built for table `{}`", t.name),
                        &b.column,
                        b.text.as_bytes(),
                    )?;
                    hierarchies.insert(b.column.clone(), h);
                }
            }
        }
        let mut result = qi_join(
            &original,
            &release,
            &t.quasi_identifiers,
            &hierarchies,
            &kinds,
            truth.as_ref(),
        )?;
        result.rows.clear();
        qi = Some(result);
        progress(&format!("{dataset}: QI-join linkage"));
        crate::data::cancel::check()?;
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
        // Every column as text, encoded under the missing policy.
        let load = |path: &Path, rename: bool| -> Result<EncodedTable, AuditError> {
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
            Ok(encode_frame(
                &frame,
                &[],
                &path.display().to_string(),
                &missing,
            )?)
        };
        let original = load(original_path, true)?;
        let release_table = load(&t.release, false)?;
        let control = load(&r.control, true)?;
        // Generalized release values are read as the QI join reads them.
        let kinds: HashMap<String, crate::data::ValueKind> =
            t.kinds.iter().map(|(c, k)| (c.clone(), *k)).collect();
        let inputs = RiskInputs {
            original: &original,
            release: &release_table,
            control: &control,
        };
        let schema = RiskSchema {
            columns: &columns,
            numeric: None,
            hierarchies: Some(&hierarchies),
            kinds: Some(&kinds),
        };
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
        let counts = run_table_risk_attacks(inputs, &schema, &risk_config, &plan, &|_| {})?;
        risk = Some(crate::eval::inference::score_risks(&counts)?);
        progress(&format!("{dataset}: Anonymeter-style risks"));
        crate::data::cancel::check()?;
    }

    Ok(Box::new(TableFacts {
        name: t.name.clone(),
        direct_identifiers,
        metrics,
        qi_join: qi,
        undeclared_shared_columns,
        risk,
        charts,
        built_hierarchies,
        not_run: Vec::new(),
    }))
}

/// [`run_table`] on a Spark Connect server: the equivalence-class partial
/// is computed there (the same query as `reident metrics --engine
/// spark://...`) and every release-only metric and chart is finished here
/// from it, and the QI join runs there too ([`crate::engine::spark_qi_join`];
/// when it cannot, the reason goes to `not_run`), and so does the hidden
/// quasi-identifier check ([`crate::engine::spark_hidden_qi`]) and the
/// direct-identifier scan ([`crate::engine::spark_scan_identifiers`]). The
/// Anonymeter-style risks, which need the rows here, are not run and are
/// listed in `not_run`, so a claim that needs them is INCONCLUSIVE. With `memory` the groups are finished out of core
/// under it (no per-class charts).
fn run_table_on_spark(
    t: &TableConfig,
    config: &AuditConfig,
    url: &str,
    params: &MetricsParams,
    target_k: u64,
    options: &AuditOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<TableFacts>, AuditError> {
    let dataset = format!("table `{}`", t.name);
    let qis: Vec<&str> = t.quasi_identifiers.iter().map(String::as_str).collect();
    let sas: Vec<&str> = t.sensitive.iter().map(String::as_str).collect();
    let source = t.release.display().to_string();
    let (mut metrics, charts) = match config.table_memory(t)? {
        // Spark's groups finished out of core under the budget, as
        // `reident metrics --engine spark:// --memory` does; no per-class
        // charts (they read every class at once).
        Some(budget) => {
            let settings = crate::engine::OutOfCore::new(budget);
            let metrics = crate::engine::spark_class_metrics_out_of_core(
                url,
                &source,
                params,
                &MissingPolicy::default(),
                &settings,
            )?;
            if let Some(o) = &metrics.out_of_core {
                for w in crate::engine::out_of_core::budget_warnings(o) {
                    progress(&format!("{dataset}: warning: memory budget: {w}"));
                }
            }
            (metrics, Vec::new())
        }
        None => {
            let partial = crate::engine::spark_class_partial(
                url,
                &source,
                &qis,
                &sas,
                target_k,
                &MissingPolicy::default(),
            )?;
            let (table, classes) = partial.classes(&source, params.suppressed_rows)?;
            let metrics = evaluate_classes(&table, &classes, params)?;
            let charts = table_charts(t, &classes, target_k, config)?;
            (metrics, charts)
        }
    };
    progress(&format!("{dataset}: privacy metrics (on {url})"));
    let mut qi_join = None;
    let mut undeclared_shared_columns = Vec::new();
    let mut qi_join_not_run = None;
    if let Some(original) = &t.original {
        match spark_qi_join(t, url, original, progress)? {
            Ok((result, shared)) => {
                qi_join = Some(result);
                undeclared_shared_columns = shared;
            }
            Err(reason) => {
                qi_join_not_run = Some((
                    TablePart::QiJoin,
                    format!(
                        "the QI-join linkage was not run on the Spark engine ({url}): {reason}"
                    ),
                ))
            }
        }
    }
    // The QI join ran on Spark (or its own reason is given above).
    let mut not_run = parts_needing_rows(t, false, |what| {
        format!("{what} was not run: the table is on the Spark engine ({url}) and this part reads the rows in this process; run the table in process for it")
    });
    not_run.extend(qi_join_not_run);
    // The hidden quasi-identifier check runs on Spark too.
    let hidden_qi = hidden_qi_on_spark(t, url, params, &metrics)?;
    record_hidden_qi(&mut metrics, &mut not_run, hidden_qi);
    // The direct-identifier scan too: each column's distinct values stream
    // from Spark to the in-process classifier.
    let direct_identifiers = crate::engine::spark_scan_identifiers(
        url,
        &source,
        &DirectIdentifierConfig {
            include_examples: options.include_examples,
            ..DirectIdentifierConfig::default()
        },
    )?;
    not_run.retain(|(part, _)| *part != TablePart::DirectIdentifiers);
    progress(&format!(
        "{dataset}: hidden quasi-identifiers and direct identifiers (on {url})"
    ));
    Ok(Box::new(TableFacts {
        name: t.name.clone(),
        direct_identifiers: Some(direct_identifiers),
        metrics,
        qi_join,
        undeclared_shared_columns,
        risk: None,
        charts,
        built_hierarchies: Vec::new(),
        not_run,
    }))
}

/// The candidates of the hidden quasi-identifier check among a release's
/// `columns`: every one but the declared quasi-identifiers, the subject and
/// the truth key (the auditor's scoring key, not part of the claim).
fn hidden_qi_candidates<'a>(
    t: &TableConfig,
    columns: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    columns
        .into_iter()
        .filter(|c| {
            !t.quasi_identifiers.iter().any(|q| q == c)
                && t.subject.as_deref() != Some(*c)
                && t.truth.as_ref().is_none_or(|tr| tr.release != *c)
        })
        .map(str::to_string)
        .collect()
}

/// The hidden quasi-identifier check of a table on Spark (Spark SQL
/// aggregates, [`crate::engine::spark_hidden_qi`]) with the candidates and
/// options of the in-memory [`run_table`], or (inner `Err`) why it was not
/// run: more candidates than the check takes.
fn hidden_qi_on_spark(
    t: &TableConfig,
    url: &str,
    params: &MetricsParams,
    metrics: &crate::privacy::MetricsReport,
) -> Result<Result<crate::privacy::HiddenQiReport, String>, AuditError> {
    let source = t.release.display().to_string();
    let columns = crate::engine::spark_columns(url, &source)?;
    let candidates = hidden_qi_candidates(t, columns.iter().map(String::as_str));
    if candidates.len() > crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS {
        return Ok(Err(format!(
            "{} candidate columns, more than {}",
            candidates.len(),
            crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
        )));
    }
    let report = crate::engine::spark_hidden_qi(
        url,
        &source,
        params,
        &MissingPolicy::default(),
        &HiddenQiOptions {
            columns: Some(candidates),
            ..HiddenQiOptions::default()
        },
        metrics,
    )?;
    Ok(Ok(report))
}

/// Puts the hidden quasi-identifier check an engine ran into `metrics` and
/// takes it off `not_run`, or (`Err(why)`) says in `not_run` why it did not
/// run, so that a k claim stays INCONCLUSIVE with the reason.
fn record_hidden_qi(
    metrics: &mut crate::privacy::MetricsReport,
    not_run: &mut Vec<(TablePart, String)>,
    hidden_qi: Result<crate::privacy::HiddenQiReport, String>,
) {
    match hidden_qi {
        Ok(report) => {
            metrics.hidden_qi = Some(report);
            not_run.retain(|(part, _)| *part != TablePart::HiddenQi);
        }
        Err(why) => {
            for (part, text) in not_run.iter_mut() {
                if *part == TablePart::HiddenQi {
                    *text = format!("the hidden quasi-identifier check was not run: {why}");
                }
            }
        }
    }
}

/// The parts of a table's analysis that read its rows in this process
/// (the hidden quasi-identifier check, the direct-identifier scan, and the
/// QI join and risks when configured), each with `why(part)`: an engine
/// that does not hold the rows lists them in `not_run`, so the claims
/// that need them are INCONCLUSIVE (`claims::engine_guard`).
fn parts_needing_rows(
    t: &TableConfig,
    qi_join_needs_rows: bool,
    why: impl Fn(&str) -> String,
) -> Vec<(TablePart, String)> {
    let mut not_run = vec![
        (
            TablePart::HiddenQi,
            why("the hidden quasi-identifier check"),
        ),
        (
            TablePart::DirectIdentifiers,
            why("the direct-identifier scan"),
        ),
    ];
    if qi_join_needs_rows && t.original.is_some() {
        not_run.push((TablePart::QiJoin, why("the QI-join linkage")));
    }
    if t.risk.is_some() {
        not_run.push((TablePart::Risks, why("the Anonymeter-style risks")));
    }
    not_run
}

/// [`run_table`] under a memory budget (`memory = "4G"`): the release is
/// read in chunks and every release-only metric computed out of core by
/// [`crate::engine::out_of_core::evaluate_file`], the code `reident metrics
/// --memory` runs, so the values equal the in-memory ones. With originals,
/// the QI join runs out of core too
/// ([`crate::engine::qi_join_out_of_core::qi_join_files`], the code `reident
/// link --qi --memory` runs: the same figures as in memory), and so do the
/// hidden quasi-identifier check and the direct-identifier scan
/// ([`crate::engine::scan_out_of_core`], equal to the in-memory ones).
/// Hierarchies are not built out of core (`build_hierarchies` reads the
/// rows), as on Spark: a release value only a built hierarchy would read
/// matches nothing, and the coverage guard keeps the claim from passing.
/// The other parts that need the rows in memory are not run and listed in
/// `not_run` (the claims that need them are INCONCLUSIVE); no per-class
/// charts are drawn (they read every class at once).
fn run_table_out_of_core(
    t: &TableConfig,
    budget: crate::engine::MemoryBudget,
    opts: &crate::data::ReadOptions,
    params: &MetricsParams,
    hierarchies: &HashMap<String, Hierarchy>,
    options: &AuditOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<TableFacts>, AuditError> {
    use crate::engine::out_of_core::{budget_warnings, evaluate_file, OutOfCore};
    let dataset = format!("table `{}`", t.name);
    let settings = OutOfCore::new(budget);
    let mut metrics = evaluate_file(
        &t.release,
        opts,
        &MissingPolicy::default(),
        params,
        &settings,
        &mut |_| {},
    )?;
    progress(&format!("{dataset}: privacy metrics (out of core)"));
    if let Some(o) = &metrics.out_of_core {
        for w in budget_warnings(o) {
            progress(&format!("{dataset}: warning: memory budget: {w}"));
        }
    }
    let bytes = budget.0;
    let mut qi_join = None;
    let mut undeclared_shared_columns = Vec::new();
    if let Some(original) = &t.original {
        let (result, shared, summary) =
            qi_join_out_of_core(t, original, &settings, opts, hierarchies)?;
        if summary.budget_exceeded {
            progress(&format!(
                "{dataset}: warning: memory budget: the QI join went over it (tracked peak {} bytes, resident peak {}); its per-column dictionaries and accepted value pairs ({} bytes) are held whole",
                summary.peak_tracked_bytes,
                summary
                    .peak_resident_bytes
                    .map_or("unknown".to_string(), |b| format!("{b} bytes")),
                summary.dictionary_bytes
            ));
        }
        qi_join = Some(result);
        undeclared_shared_columns = shared;
        progress(&format!("{dataset}: QI-join linkage (out of core)"));
        crate::data::cancel::check()?;
    }
    // The QI join ran out of core above.
    let mut not_run = parts_needing_rows(t, false, |what| {
        format!("{what} was not run: the table is read out of core under `memory` ({bytes} bytes) and this part needs the whole release in memory; remove `memory` for this table (on a machine that holds it) to run it")
    });
    // Fail safe: release values the join could not read, in columns a
    // hierarchy would have been built for in memory, might be read through
    // it there; out of core they match nothing, which understates the rate.
    if let (Some(q), true) = (&qi_join, t.build_hierarchies) {
        let unread: Vec<String> = q
            .unmatched_by_column
            .iter()
            .filter(|u| u.rows > 0 && !hierarchies.contains_key(&u.column))
            .map(|u| format!("`{}` ({} rows)", u.column, u.rows))
            .collect();
        if !unread.is_empty() {
            not_run.push((
                TablePart::QiJoin,
                format!(
                    "hierarchies are not built out of core under `memory` (building reads the rows), and release values of {} match no original value: a hierarchy built in memory might read them, so the rate may be understated; give those columns a hierarchy (`hierarchies`), set `build_hierarchies = false`, or remove `memory` for this table",
                    unread.join(", ")
                ),
            ));
        }
    }
    let (hidden_qi, direct_identifiers) =
        scans_out_of_core(t, opts, params, &metrics, options, &settings)?;
    record_hidden_qi(&mut metrics, &mut not_run, hidden_qi);
    not_run.retain(|(part, _)| *part != TablePart::DirectIdentifiers);
    progress(&format!(
        "{dataset}: hidden quasi-identifiers and direct identifiers (out of core)"
    ));
    Ok(Box::new(TableFacts {
        name: t.name.clone(),
        direct_identifiers: Some(direct_identifiers),
        metrics,
        qi_join,
        undeclared_shared_columns,
        risk: None,
        charts: Vec::new(),
        built_hierarchies: Vec::new(),
        not_run,
    }))
}

/// The hidden quasi-identifier check (or, inner `Err`, why it cannot run
/// out of core) and the direct-identifier scan of a table read out of core,
/// with the candidates and options of the in-memory [`run_table`].
#[allow(clippy::type_complexity)]
fn scans_out_of_core(
    t: &TableConfig,
    opts: &crate::data::ReadOptions,
    params: &MetricsParams,
    metrics: &crate::privacy::MetricsReport,
    options: &AuditOptions,
    settings: &crate::engine::OutOfCore,
) -> Result<
    (
        Result<crate::privacy::HiddenQiReport, String>,
        crate::privacy::direct_identifiers::DirectIdentifierScan,
    ),
    AuditError,
> {
    use crate::engine::scan_out_of_core::{hidden_qi_file, scan_identifiers_file};
    let dataset = format!("table `{}`", t.name);
    let columns = crate::data::file_columns(&t.release, opts)?;
    let candidates = hidden_qi_candidates(t, columns.iter().map(String::as_str));
    let hidden_qi = if t.subject.is_some() {
        Err("persons per class (the subject column) need every record's subject in memory; remove `memory` for this table to run it".to_string())
    } else if candidates.len() > crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS {
        Err(format!(
            "{} candidate columns, more than {}",
            candidates.len(),
            crate::privacy::hidden_qi::MAX_CANDIDATE_COLUMNS
        ))
    } else {
        let (report, _) = hidden_qi_file(
            &t.release,
            opts,
            &MissingPolicy::default(),
            params,
            &HiddenQiOptions {
                columns: Some(candidates),
                ..HiddenQiOptions::default()
            },
            metrics.k,
            metrics.below_target_k.n_records,
            metrics.n_rows_in_classes,
            settings,
        )?;
        Ok(report)
    };
    let (scan, _) = scan_identifiers_file(
        &t.release,
        opts,
        &DirectIdentifierConfig {
            include_examples: options.include_examples,
            ..DirectIdentifierConfig::default()
        },
        settings,
    )
    .map_err(|e| AuditError::Dataset {
        dataset,
        message: e.to_string(),
    })?;
    Ok((hidden_qi, scan))
}

/// Each quasi-identifier with its column in the original (`original_columns`
/// renames it, else the same name).
fn qi_column_pairs(t: &TableConfig) -> Vec<(String, String)> {
    t.quasi_identifiers
        .iter()
        .map(|q| {
            let o = t
                .original_columns
                .get(q)
                .cloned()
                .unwrap_or_else(|| q.clone());
            (q.clone(), o)
        })
        .collect()
}

/// The release columns an adversary could join on beyond the declared
/// quasi-identifiers and the truth key, from the two files' headers (for
/// a join that did not load the tables: out of core, on Spark).
fn shared_columns_from_headers(
    t: &TableConfig,
    columns: &[(String, String)],
    release_columns: &[String],
    original_columns: &[String],
) -> Vec<String> {
    let original_qis: Vec<String> = columns.iter().map(|(_, o)| o.clone()).collect();
    let truth_columns: Vec<&str> = t
        .truth
        .iter()
        .flat_map(|tr| [tr.original.as_str(), tr.release.as_str()])
        .collect();
    fn names(c: &[String]) -> Vec<&str> {
        c.iter().map(String::as_str).collect()
    }
    undeclared_shared_columns_of(
        &names(release_columns),
        &names(original_columns),
        &t.quasi_identifiers,
        &original_qis,
        &truth_columns,
    )
}

/// The QI join of a table read out of core
/// ([`crate::engine::qi_join_out_of_core::qi_join_files`]): the result and
/// the release columns an adversary could join on beyond the
/// quasi-identifiers (from the files' headers), and how it ran. Every truth-key form runs
/// (a column of each file, a key-map file, `#row`).
fn qi_join_out_of_core(
    t: &TableConfig,
    original: &Path,
    settings: &crate::engine::OutOfCore,
    opts: &crate::data::ReadOptions,
    hierarchies: &HashMap<String, Hierarchy>,
) -> Result<
    (
        crate::attacks::linkage::QiJoinResult,
        Vec<String>,
        crate::engine::qi_join_out_of_core::QiJoinOutOfCoreSummary,
    ),
    AuditError,
> {
    use crate::engine::qi_join_out_of_core::{qi_join_files, QiJoinFiles};
    let truth = match &t.truth {
        None => None,
        Some(truth) => Some(TruthSpec {
            original: truth.original.clone(),
            release: truth.release.clone(),
            map: match &truth.map {
                None => None,
                Some(path) => Some(read_key_map(path, &truth.map_original, &truth.map_release)?),
            },
        }),
    };
    let columns = qi_column_pairs(t);
    let kinds: HashMap<String, crate::data::ValueKind> =
        t.kinds.iter().map(|(c, k)| (c.clone(), *k)).collect();
    let missing = MissingPolicy::default();
    let (mut result, summary) = qi_join_files(
        &QiJoinFiles {
            original,
            release: &t.release,
            columns: &columns,
            hierarchies,
            kinds: &kinds,
            truth: truth.as_ref(),
            opts,
            missing: &missing,
        },
        settings,
    )?;
    result.rows.clear();
    let release_columns = crate::data::file_columns(&t.release, opts)?;
    let original_columns = crate::data::file_columns(original, opts)?;
    let shared = shared_columns_from_headers(t, &columns, &release_columns, &original_columns);
    Ok((result, shared, summary))
}

/// The QI join of a Spark table ([`crate::engine::spark_qi_join`]): the
/// result and the release columns an adversary could join on beyond the
/// quasi-identifiers, or (inner `Err`) why it cannot run there. Hierarchies
/// are not built on Spark (`build_hierarchies` reads the rows): a release
/// value only a built hierarchy would read matches nothing, and the
/// coverage guard keeps the claim from passing.
fn spark_qi_join(
    t: &TableConfig,
    url: &str,
    original: &Path,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Result<(crate::attacks::linkage::QiJoinResult, Vec<String>), String>, AuditError> {
    let truth = match &t.truth {
        None => None,
        Some(tr) if tr.map.is_some() => {
            return Ok(Err(
                "a truth key through a key-map file is not supported there".into(),
            ))
        }
        Some(tr) if tr.original == ROW_KEY => {
            return Ok(Err(format!(
                "a truth key on the originals' row number (`{ROW_KEY}`) is not supported there"
            )))
        }
        Some(tr) => Some((tr.original.as_str(), tr.release.as_str())),
    };
    let mut hierarchies = HashMap::new();
    for (column, path) in &t.hierarchies {
        if t.quasi_identifiers.contains(column) {
            hierarchies.insert(column.clone(), Hierarchy::from_arx_csv(path, column)?);
        }
    }
    let columns = qi_column_pairs(t);
    let kinds: HashMap<String, crate::data::ValueKind> =
        t.kinds.iter().map(|(c, k)| (c.clone(), *k)).collect();
    let original_text = original.display().to_string();
    let release_text = t.release.display().to_string();
    let (mut result, release_columns, original_columns) = match crate::engine::spark_qi_join(
        url,
        &crate::engine::SparkQiJoin {
            original: &original_text,
            release: &release_text,
            columns: &columns,
            hierarchies: &hierarchies,
            kinds: &kinds,
            truth,
        },
    ) {
        Ok(answer) => answer,
        Err(crate::engine::EngineError::Unsupported(reason)) => return Ok(Err(reason)),
        Err(e) => return Err(e.into()),
    };
    result.rows.clear();
    let shared = shared_columns_from_headers(t, &columns, &release_columns, &original_columns);
    progress(&format!("table `{}`: QI-join linkage (on {url})", t.name));
    Ok(Ok((result, shared)))
}

/// Builds a hierarchy for each quasi-identifier of `t` without one, from the
/// original column ([`crate::data::hierarchy_build`]): the config's recipe
/// (`hierarchy_recipes`) or one chosen from the column's kind and the
/// release's values.
///
/// The attacks read intervals, masks and sets by themselves
/// ([`crate::data::kinds`]); what they cannot read are labels (`married`,
/// `2024-03` for a date). So a built hierarchy is used by the attacks only
/// when some generalized release value matches no original value when read by
/// its kind; then every such value must be a node of the hierarchy, and a
/// value that is not (or a hierarchy that cannot be built) is a `problem`
/// that turns the attack claims inconclusive. When the kinds read every
/// value, the hierarchy is written and listed for the auditor but not used,
/// and what it lacks is a note, not a problem. A column whose release values
/// are all original values, missing or suppressed gets none.
fn build_missing_hierarchies(
    t: &TableConfig,
    original: &EncodedTable,
    release: &EncodedTable,
    truth: Option<&crate::data::TruthKey>,
    kinds: &HashMap<String, crate::data::ValueKind>,
    include_examples: bool,
) -> Result<Vec<crate::audit::facts::BuiltHierarchy>, AuditError> {
    use crate::audit::facts::BuiltHierarchy;
    use crate::data::hierarchy_build::{
        build, choose_recipe, generalized_release_values, uncovered_release_values, HierarchyRecipe,
    };
    use crate::data::{compatible_codes, ColumnComparator};
    let mut out = Vec::new();
    for q in &t.quasi_identifiers {
        if t.hierarchies.contains_key(q) {
            continue;
        }
        let (Some(oc), Some(rc)) = (original.column(q), release.column(q)) else {
            continue;
        };
        let shown = generalized_release_values(oc, rc);
        if shown.is_empty() {
            continue;
        }
        let kind = crate::data::column_kind(q, oc, kinds.get(q).copied()).kind;
        // The generalized values the kind alone matches with no original.
        let by_kind = compatible_codes(oc, rc, ColumnComparator::new(kind, None), &release.source)?;
        let unreadable: Vec<&str> = shown
            .iter()
            .copied()
            .filter(|v| {
                rc.values
                    .iter()
                    .position(|x| x == v)
                    .is_some_and(|c| by_kind[c].is_empty())
            })
            .collect();
        let rows_of = |v: &str| {
            rc.codes
                .iter()
                .filter(|&&c| rc.values[c as usize] == v)
                .count()
        };
        let (recipe, chosen_by) = match t.hierarchy_recipes.get(q) {
            Some(spec) => (
                HierarchyRecipe::parse(spec).map(Some),
                "config (`hierarchy_recipes`)",
            ),
            None => (
                choose_recipe(
                    oc,
                    rc,
                    kind == crate::data::ValueKind::Number,
                    truth.is_some(),
                ),
                "chosen from the column's values",
            ),
        };
        let mut b = BuiltHierarchy {
            column: q.clone(),
            recipe: None,
            chosen_by: chosen_by.to_string(),
            file: None,
            leaves: 0,
            levels: 0,
            used_by_attacks: false,
            uncovered_values: 0,
            uncovered_rows: 0,
            problem: None,
            note: None,
            text: String::new(),
        };
        // What went wrong, as a problem when the attacks need the hierarchy
        // and as a note when they read every value by its kind.
        let flag = |b: &mut BuiltHierarchy, what: String| {
            if unreadable.is_empty() {
                b.note = Some(format!(
                    "{what}; the attacks do not use this hierarchy: they read every release value of `{q}` by its kind"
                ));
            } else {
                b.problem = Some(what);
            }
        };
        let recipe = match recipe {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            Err(why) => {
                flag(
                    &mut b,
                    format!("no hierarchy could be built for `{q}`: {why}"),
                );
                out.push(b);
                continue;
            }
        };
        let recipe_text = match &recipe {
            HierarchyRecipe::Intervals { widths } => format!(
                "intervals:{}",
                widths
                    .iter()
                    .map(|w| w.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => other.name().to_string(),
        };
        b.recipe = Some(recipe_text.clone());
        let source = t
            .original
            .as_ref()
            .map_or_else(String::new, |p| p.display().to_string());
        match build(&source, &recipe, oc, rc_with_truth(rc, truth)) {
            Err(e) => {
                // The builder's message may quote original values; the
                // report holds them only with --include-examples.
                let why = if include_examples {
                    e.to_string()
                } else {
                    "the release's values do not fit the recipe (values it cannot read, widths that do not nest, or labels recoded locally; --include-examples shows the builder's message)".to_string()
                };
                let example = unreadable.first().or(shown.first()).copied().unwrap_or("");
                flag(
                    &mut b,
                    format!(
                        "the hierarchy for `{q}` (recipe {recipe_text}) could not be built, so release values such as `{}` cannot be read through it: {why}",
                        example.trim()
                    ),
                );
            }
            Ok(h) => {
                let uncovered: Vec<(String, usize)> = if unreadable.is_empty() {
                    uncovered_release_values(&h, oc, rc)
                } else {
                    unreadable
                        .iter()
                        .filter(|v| h.level_of(v.trim()).is_none() && !h.contains_leaf(v.trim()))
                        .map(|v| (v.trim().to_string(), rows_of(v)))
                        .collect()
                };
                b.leaves = h.n_leaves();
                b.levels = h.levels();
                // Used only where it helps: it holds at least one value the
                // kind cannot read (a hierarchy of bare leaves would only
                // hide the real cause, e.g. a wrong `kinds` entry, from the
                // join's own warning).
                b.used_by_attacks = uncovered.len() < unreadable.len();
                b.uncovered_values = uncovered.len();
                b.uncovered_rows = uncovered.iter().map(|(_, n)| n).sum();
                if let Some((example, rows)) = uncovered.first() {
                    let (n_values, n_rows) = (b.uncovered_values, b.uncovered_rows);
                    flag(
                        &mut b,
                        format!(
                            "the hierarchy built for `{q}` (recipe {recipe_text}) holds no node for {} release value(s) in {} row(s), e.g. `{example}` ({rows} row(s)): the release was not generalized along it; write `{q}`'s hierarchy by hand (`hierarchies.{q}`) or choose another recipe (`hierarchy_recipes.{q}`)",
                            n_values, n_rows,
                        ),
                    );
                }
                b.file = Some(format!("hierarchies/{}.{}.csv", t.name, file_safe(q)));
                b.text = h.to_arx_csv();
            }
        }
        out.push(b);
    }
    Ok(out)
}

fn rc_with_truth<'a>(
    rc: &'a crate::data::CategoricalColumn,
    truth: Option<&'a crate::data::TruthKey>,
) -> Option<(
    &'a crate::data::CategoricalColumn,
    &'a crate::data::TruthKey,
)> {
    truth.map(|t| (rc, t))
}

/// A column name as a file name part: letters, digits, `-` and `_` kept.
fn file_safe(column: &str) -> String {
    column
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Class-size histogram, prosecutor-risk CDF and l and t per class.
pub(crate) fn table_charts(
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
    // Per-class l and t of the first sensitive attribute, as the privacy
    // metrics count them (persons with a subject column).
    if let Some(counts) = classes.sensitive_attributes().first() {
        if counts.overall.iter().sum::<u64>() > 0 {
            let l: Vec<f64> = distinct_l_per_class(classes, &counts.attribute)?
                .into_iter()
                .map(|l| l as f64)
                .collect();
            let tt = equal_distance_per_class(classes, &counts.attribute)?;
            let l_claim = config.claims.iter().find_map(|c| match c {
                ClaimConfig::LDiversity(c) if c.table == t.name => Some(c.l as f64),
                _ => None,
            });
            let t_claim = config.claims.iter().find_map(|c| match c {
                ClaimConfig::TCloseness(c) if c.table == t.name => Some(c.t),
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

pub(crate) fn table_section(t: TableFacts) -> Result<(Section, Vec<Chart>), AuditError> {
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
    for (_, why) in &t.not_run {
        section = section.paragraph(format!("Not run: {why}."));
    }
    if let Some(d) = &t.direct_identifiers {
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
    }
    for c in &t.charts {
        section = section.chart(c.name.clone(), c.caption.clone());
    }
    if !t.built_hierarchies.is_empty() {
        section = section
            .paragraph(format!(
                "Generated hierarchies: the config gave no hierarchy for {} of the quasi-identifiers whose release values are generalized, so the audit built one from the original column (written beside this report: check them; each file lists the column's distinct original values, its domain, not records). The attacks below read a release value through a built hierarchy only when its kind does not say which originals it covers (labels); a label the built hierarchy does not hold makes the attack claims on this table inconclusive.",
                t.built_hierarchies.len()
            ))
            .table(Table {
                caption: "Hierarchies built by the audit (generated: check them)".into(),
                columns: vec![
                    "column".into(),
                    "recipe".into(),
                    "chosen by".into(),
                    "file".into(),
                    "used by the attacks".into(),
                    "leaves / levels".into(),
                    "release values not covered (rows)".into(),
                ],
                rows: t
                    .built_hierarchies
                    .iter()
                    .map(|b| {
                        vec![
                            b.column.clone(),
                            b.recipe.clone().unwrap_or_else(|| "-".into()),
                            b.chosen_by.clone(),
                            b.file.clone().unwrap_or_else(|| "(not built)".into()),
                            if b.used_by_attacks { "yes" } else { "no (the value kinds read the release)" }.into(),
                            format!("{} / {}", b.leaves, b.levels),
                            format!("{} ({})", b.uncovered_values, b.uncovered_rows),
                        ]
                    })
                    .collect(),
            });
        for b in &t.built_hierarchies {
            if let Some(p) = &b.problem {
                section = section.paragraph(format!("Warning: {p}."));
            }
            if let Some(n) = &b.note {
                section = section.paragraph(format!("Note: {n}."));
            }
        }
        section = section.result("built_hierarchies", &t.built_hierarchies)?;
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
