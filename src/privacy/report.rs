//! The metrics report: one call, [`evaluate`], that builds the equivalence
//! classes once and computes every release-only metric, returning the serde
//! model [`MetricsReport`].
//!
//! `MetricsReport` is a JSON contract that other reports embed: fields are
//! only added, never renamed or retyped, without bumping [`SCHEMA_VERSION`].
//! It never contains a record of the input, only counts, statistics and 0-based
//! row indices. Rendering (Markdown, HTML, charts) is the `report` module's job.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use super::params::MetricsParams;
use super::population::{
    population_uniqueness, FrequencyTable, PopulationUniqueness, SolverConfig,
};
use super::risk::{risk_report, risk_report_from_frequencies, RiskReport};
use super::{
    alpha_k_anonymity, basic_beta_likeness, delta_disclosure, distinct_l_diversity,
    enhanced_beta_likeness, entropy_l_diversity, k_anonymity, records_below_k,
    recursive_cl_diversity, t_closeness_equal_distance, t_closeness_hierarchical,
    t_closeness_ordered, BetaLikeness, ClassOptions, ClassSizeBin, DeltaDisclosure, EntropyL,
    EquivalenceClasses, HiddenQiReport, PrivacyError, RecursiveCl, SuppressedRows, TCloseness,
};
use crate::data::EncodedTable;

/// Version of the [`MetricsReport`] JSON schema.
pub const SCHEMA_VERSION: u32 = 1;

/// The inputs a report was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsInputs {
    /// File or label of the table.
    pub source: String,
    /// Quasi-identifier columns.
    pub quasi_identifiers: Vec<String>,
    /// Sensitive columns.
    pub sensitive_attributes: Vec<String>,
    /// Sensitive columns treated as numbers (ordered EMD).
    pub numeric_attributes: Vec<String>,
    /// Sensitive columns with a hierarchy (hierarchical EMD).
    pub hierarchical_attributes: Vec<String>,
    /// Policy for fully suppressed rows.
    pub suppressed_rows: SuppressedRows,
    /// How missing values were treated.
    pub missing_values: String,
    /// Target k for `below_target_k`.
    pub target_k: u64,
    /// The subject (person) column, when class sizes count persons.
    #[serde(default)]
    pub subject: Option<String>,
}

/// Records in classes smaller than the target k.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BelowTargetK {
    /// The target k.
    pub target_k: u64,
    /// Classes smaller than `target_k`.
    pub n_classes: u64,
    /// Rows in those classes (exact).
    pub n_records: u64,
    /// Their 0-based row ids, ascending, at most `max_listed_rows`.
    pub row_ids: Vec<u64>,
    /// True when `row_ids` was cut at `max_listed_rows`.
    pub row_ids_truncated: bool,
}

/// Every metric of one sensitive attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensitiveMetrics {
    /// Column name.
    pub attribute: String,
    /// Distinct values of the attribute in the classes.
    pub n_distinct_values: u64,
    /// Distinct l-diversity.
    pub l_distinct: u64,
    /// Entropy l-diversity.
    pub entropy_l: EntropyL,
    /// Recursive (c,l)-diversity, for l = the release's distinct l over all
    /// sensitive attributes (pyCANON's choice).
    pub recursive_cl: RecursiveCl,
    /// alpha of (alpha,k)-anonymity.
    pub alpha: f64,
    /// t-closeness, equal-distance EMD (always computed).
    pub t_equal_distance: TCloseness,
    /// t-closeness, ordered EMD (numeric attributes only).
    pub t_ordered: Option<TCloseness>,
    /// t-closeness, hierarchical EMD (attributes with a hierarchy only).
    pub t_hierarchical: Option<TCloseness>,
    /// The t pyCANON reports: ordered EMD for numeric attributes, equal
    /// distance otherwise.
    pub t_pycanon: f64,
    /// Basic beta-likeness.
    pub basic_beta: BetaLikeness,
    /// Enhanced beta-likeness (pyCANON's value).
    pub enhanced_beta: f64,
    /// delta-disclosure; `delta_ln` uses the natural log (pyCANON),
    /// `delta_log2` base 2 (ARX).
    pub delta_disclosure: DeltaDisclosure,
}

/// Figures over all sensitive attributes together, as pyCANON reports them
/// with several sensitive attributes (`gen=True`): the worst attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CombinedMetrics {
    /// Minimum distinct l.
    pub l_distinct: u64,
    /// Minimum entropy l (pyCANON's integer).
    pub entropy_l: u64,
    /// Maximum recursive c (paper definition), `None` when undefined.
    pub recursive_c: Option<u64>,
    /// Maximum recursive c as pyCANON computes it, `None` when pyCANON gives NaN.
    pub recursive_c_pycanon: Option<u64>,
    /// Maximum alpha.
    pub alpha: f64,
    /// Maximum of `t_pycanon`.
    pub t: f64,
    /// Maximum basic beta.
    pub basic_beta: f64,
    /// Maximum enhanced beta.
    pub enhanced_beta: f64,
    /// Maximum delta, natural log.
    pub delta_ln: f64,
}

/// Records and persons when a subject column is given: how the persons'
/// records spread over the classes and k counted three ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectSummary {
    /// The subject column.
    pub column: String,
    /// Distinct persons in the classes.
    pub n_subjects: u64,
    /// Records in the classes.
    pub n_records: u64,
    /// Most records of one person.
    pub max_records_per_subject: u64,
    /// Persons with records in more than one class. Each counts once in each
    /// of their classes; `profile_k` is what an adversary who knows all of
    /// their records faces.
    pub n_subjects_in_several_classes: u64,
    /// k counting records (what a record-level tool reports; overstates
    /// anonymity when persons have several records).
    pub record_k: u64,
    /// k counting distinct persons per class (the report's `k`).
    pub subject_k: u64,
    /// k when persons are grouped by the multiset of their quasi-identifier
    /// tuples (Google Cloud DLP `entity_id`): an adversary who knows every
    /// record of the target. Never above `subject_k`.
    pub profile_k: u64,
    /// Persons whose multiset of tuples no other person shares.
    pub n_unique_profiles: u64,
}

/// Release-only privacy metrics of one table (JSON contract, see module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsReport {
    /// [`SCHEMA_VERSION`] at the time of writing.
    pub schema_version: u32,
    /// What was evaluated and how.
    pub inputs: MetricsInputs,
    /// Rows in the table.
    pub n_rows: u64,
    /// Rows with every quasi-identifier suppressed.
    pub n_suppressed_rows: u64,
    /// Rows in equivalence classes (see `inputs.suppressed_rows`).
    pub n_rows_in_classes: u64,
    /// Number of equivalence classes.
    pub n_classes: u64,
    /// k of k-anonymity: the smallest class size (in distinct persons when
    /// `inputs.subject` is set).
    pub k: u64,
    /// Classes of size 1 (one person when `inputs.subject` is set).
    pub n_unique_classes: u64,
    /// Class-size histogram, ascending by size (sizes in persons when
    /// `inputs.subject` is set).
    pub class_size_histogram: Vec<ClassSizeBin>,
    /// Records in classes smaller than the target k.
    pub below_target_k: BelowTargetK,
    /// Metrics per sensitive attribute, in the order given.
    pub sensitive: Vec<SensitiveMetrics>,
    /// Worst case over the sensitive attributes; `None` without any.
    pub combined: Option<CombinedMetrics>,
    /// Re-identification risk: prosecutor, journalist (with a population
    /// table or a sampling fraction), marketer, sample uniqueness.
    pub risk: RiskReport,
    /// Where the journalist risk's population class sizes came from: a
    /// population table, an estimate from the sampling fraction, or `None`
    /// when neither was given.
    pub journalist_population: Option<String>,
    /// Population uniqueness estimates, when a sampling fraction was given.
    pub population_uniqueness: Option<PopulationUniqueness>,
    /// Persons versus records, when a subject column was given.
    #[serde(default)]
    pub subjects: Option<SubjectSummary>,
    /// Release columns outside the quasi-identifiers that re-create one or
    /// single out records, with the k the release would have if they were
    /// added ([`super::hidden_qi`]); set by callers that ran the check.
    #[serde(default)]
    pub hidden_qi: Option<HiddenQiReport>,
    /// How the classes were computed when the input was read out of core
    /// (`reident metrics --memory`); absent for an in-memory run. Every
    /// other field is the same either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_core: Option<OutOfCoreSummary>,
}

/// An out-of-core run (`crate::engine::out_of_core`): the input was read in
/// chunks under a memory budget, spilling hash partitions of the
/// equivalence-class groups to a temporary folder when the tracked state
/// would exceed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfCoreSummary {
    /// The memory budget, in bytes.
    pub memory_budget_bytes: u64,
    /// Chunks read.
    pub chunks: u64,
    /// Times the running state was spilled (0: it stayed within budget).
    pub spills: u64,
    /// Non-empty partition files merged at the end (0 without a spill).
    pub spill_partitions: u64,
    /// Bytes written to the spill folder.
    pub spilled_bytes: u64,
    /// The highest tracked memory (estimated: hash tables from their
    /// capacity, keys, row lists, dictionaries, the chunk, write buffers,
    /// and at the end one partition's group table). The metrics' own
    /// working memory over one partition's classes comes on top.
    pub peak_tracked_bytes: u64,
    /// Bytes of the largest group table the metrics were computed from at
    /// once: the groups of one hash partition (every class lies wholly in
    /// one), or of the whole input when nothing was spilled.
    pub group_table_bytes: u64,
    /// Groups (distinct combinations of quasi-identifier and sensitive
    /// values) in the input.
    pub groups: u64,
    /// Peak resident memory of the process as the operating system counts
    /// it (Linux `VmHWM`, read at the end of the run; `None` elsewhere). It
    /// covers everything the process holds, not only this run.
    #[serde(default)]
    pub peak_rss_bytes: Option<u64>,
    /// Report fields that are not exact in this run, each with the reason
    /// (empty: every field equals the in-memory report's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approximate: Vec<String>,
}

/// Builds the equivalence classes of `table` once and computes every metric.
///
/// Errors: no quasi-identifier, a column not in the table, an empty table,
/// `target_k` 0, a numeric attribute that is not sensitive, a non-number in a
/// numeric attribute, a value missing from its hierarchy.
///
/// # Example
///
/// Six patients over age band and ZIP prefix, diagnosis sensitive: two classes
/// of three; the first holds one diagnosis only (distinct l = 1).
///
/// ```
/// use reident::data::{CategoricalColumn, EncodedTable};
/// use reident::privacy::{evaluate, MetricsParams};
///
/// let table = EncodedTable::new(
///     "patients",
///     vec![
///         CategoricalColumn::from_strs("age", &["20-29", "20-29", "20-29", "30-39", "30-39", "30-39"]),
///         CategoricalColumn::from_strs("zip", &["476**", "476**", "476**", "479**", "479**", "479**"]),
///         CategoricalColumn::from_strs("disease", &["flu", "flu", "flu", "flu", "cancer", "ulcer"]),
///     ],
/// );
/// let report = evaluate(&table, &MetricsParams::new(["age", "zip"]).sensitive(["disease"]))?;
/// assert_eq!(report.k, 3);
/// assert_eq!(report.sensitive[0].l_distinct, 1);
/// # Ok::<(), reident::privacy::PrivacyError>(())
/// ```
pub fn evaluate(
    table: &EncodedTable,
    params: &MetricsParams,
) -> Result<MetricsReport, PrivacyError> {
    let classes = build_classes(table, params)?;
    evaluate_classes(table, &classes, params)
}

/// The equivalence classes `params` asks for: its quasi-identifiers,
/// sensitive attributes (in that order), suppressed-row policy and subject
/// column. Pass them to [`evaluate_classes`] when the caller also reads them.
pub fn build_classes(
    table: &EncodedTable,
    params: &MetricsParams,
) -> Result<EquivalenceClasses, PrivacyError> {
    params.validate()?;
    crate::data::cancel::check()?;
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(|s| s.as_str())
        .collect();
    let sas: Vec<&str> = params.sensitive.iter().map(|s| s.as_str()).collect();
    EquivalenceClasses::build_with(
        table,
        &qis,
        &sas,
        &ClassOptions {
            suppressed_rows: params.suppressed_rows,
            subject: params.subject.as_deref(),
            suppression_columns: None,
        },
    )
}

/// [`evaluate`] on equivalence classes the caller already built from `table`
/// with `params`' quasi-identifiers, sensitive attributes (in that order) and
/// suppressed-row policy, for a caller that also reads the classes (per-class
/// charts) and should not group the table twice.
///
/// Errors: those of [`evaluate`], and classes built with other columns or
/// another policy than `params` says.
pub fn evaluate_classes(
    table: &EncodedTable,
    classes: &EquivalenceClasses,
    params: &MetricsParams,
) -> Result<MetricsReport, PrivacyError> {
    params.validate()?;
    crate::data::cancel::check()?;
    let built_sensitive: Vec<&str> = classes
        .sensitive_attributes()
        .iter()
        .map(|s| s.attribute.as_str())
        .collect();
    let sas: Vec<&str> = params.sensitive.iter().map(|s| s.as_str()).collect();
    let built_subject = classes.subject().map(|s| s.column.as_str());
    if built_subject != params.subject.as_deref() {
        return Err(PrivacyError::Invalid(format!(
            "{}: the equivalence classes were built with subject column {:?}, but the metrics ask for {:?}; build them with [`build_classes`] from the same parameters",
            classes.source, built_subject, params.subject
        )));
    }
    if classes.quasi_identifiers != params.quasi_identifiers
        || built_sensitive != sas
        || classes.suppressed_rows != params.suppressed_rows
    {
        return Err(PrivacyError::Invalid(format!(
            "{}: the equivalence classes were built over quasi-identifiers [{}] with sensitive [{}] and {:?}, but the metrics ask for [{}] with [{}] and {:?}; build the classes with the same columns and policy",
            classes.source,
            classes.quasi_identifiers.join(", "),
            built_sensitive.join(", "),
            classes.suppressed_rows,
            params.quasi_identifiers.join(", "),
            sas.join(", "),
            params.suppressed_rows,
        )));
    }
    let qis: Vec<&str> = params
        .quasi_identifiers
        .iter()
        .map(|s| s.as_str())
        .collect();

    let kanon = k_anonymity(classes);
    let below = records_below_k(classes, params.target_k)?;
    let truncated = below.row_ids.len() > params.max_listed_rows;
    let mut row_ids = below.row_ids;
    row_ids.truncate(params.max_listed_rows);

    // pyCANON computes recursive c with the distinct l over all attributes.
    let mut l_overall = u64::MAX;
    for sa in &sas {
        l_overall = l_overall.min(distinct_l_diversity(classes, sa)?);
    }

    let mut sensitive = Vec::with_capacity(sas.len());
    for &sa in &sas {
        let numeric = params.numeric.contains(sa);
        let t_equal_distance = t_closeness_equal_distance(classes, sa)?;
        let t_ordered = if numeric {
            Some(t_closeness_ordered(classes, sa)?)
        } else {
            None
        };
        let t_hierarchical = match params.hierarchies.get(sa) {
            Some(h) => Some(t_closeness_hierarchical(classes, sa, h)?),
            None => None,
        };
        sensitive.push(SensitiveMetrics {
            attribute: sa.to_string(),
            n_distinct_values: classes.sensitive(sa)?.n_domain_values() as u64,
            l_distinct: distinct_l_diversity(classes, sa)?,
            entropy_l: entropy_l_diversity(classes, sa)?,
            recursive_cl: recursive_cl_diversity(classes, sa, l_overall)?,
            alpha: alpha_k_anonymity(classes, sa)?.alpha,
            t_pycanon: t_ordered.map_or(t_equal_distance.t, |t| t.t),
            t_equal_distance,
            t_ordered,
            t_hierarchical,
            basic_beta: basic_beta_likeness(classes, sa)?,
            enhanced_beta: enhanced_beta_likeness(classes, sa)?,
            delta_disclosure: delta_disclosure(classes, sa)?,
        });
    }
    let combined = combine(&sensitive);

    // Persons per class with a subject column, records otherwise.
    let sizes = classes.unit_sizes();
    let (risk, journalist_population) = match (&params.population, params.sampling_fraction) {
        (Some(population), _) => {
            let population_sizes = population_class_sizes(table, classes, &qis, population)?;
            (
                risk_report(sizes, Some(&population_sizes), params.risk_threshold)?,
                Some(format!("population table {}", population.source)),
            )
        }
        (None, pi) => (
            risk_report_from_frequencies(
                &FrequencyTable::from_class_sizes(sizes)?,
                pi,
                params.risk_threshold,
            )?,
            pi.map(journalist_estimate_note),
        ),
    };
    let population_uniqueness = match params.sampling_fraction {
        Some(pi) => Some(population_uniqueness(sizes, pi, &SolverConfig::default())?),
        None => None,
    };

    Ok(MetricsReport {
        out_of_core: None,
        schema_version: SCHEMA_VERSION,
        inputs: metrics_inputs(&table.source, params),
        n_rows: classes.n_rows as u64,
        n_suppressed_rows: classes.n_suppressed_rows as u64,
        n_rows_in_classes: classes.n_rows_in_classes as u64,
        n_classes: kanon.n_classes,
        k: kanon.k,
        n_unique_classes: kanon.n_unique_classes,
        class_size_histogram: kanon.histogram,
        below_target_k: BelowTargetK {
            target_k: below.target_k,
            n_classes: below.n_classes,
            n_records: below.n_records,
            row_ids,
            row_ids_truncated: truncated,
        },
        sensitive,
        combined,
        risk,
        journalist_population,
        population_uniqueness,
        subjects: subject_summary(classes, kanon.k),
        hidden_qi: None,
    })
}

/// The inputs section of a report on `source` computed with `params`.
pub(crate) fn metrics_inputs(source: &str, params: &MetricsParams) -> MetricsInputs {
    let mut hierarchical_attributes: Vec<String> = params
        .sensitive
        .iter()
        .filter(|s| params.hierarchies.contains_key(*s))
        .cloned()
        .collect();
    hierarchical_attributes.sort();
    MetricsInputs {
        source: source.to_string(),
        quasi_identifiers: params.quasi_identifiers.clone(),
        sensitive_attributes: params.sensitive.clone(),
        numeric_attributes: params.numeric.iter().cloned().collect(),
        hierarchical_attributes,
        suppressed_rows: params.suppressed_rows,
        missing_values:
            "a missing value is one value of its column (its own code), grouped like any other"
                .to_string(),
        target_k: params.target_k,
        subject: params.subject.clone(),
    }
}

/// The persons-versus-records figures of classes built with a subject column.
fn subject_summary(classes: &EquivalenceClasses, subject_k: u64) -> Option<SubjectSummary> {
    let subject = classes.subject()?;
    let profiles = classes.subject_profiles()?;
    Some(SubjectSummary {
        column: subject.column.clone(),
        n_subjects: profiles.n_subjects,
        n_records: classes.n_rows_in_classes as u64,
        max_records_per_subject: profiles.max_records_per_subject,
        n_subjects_in_several_classes: profiles.n_subjects_in_several_classes,
        record_k: classes.class_sizes().iter().copied().min().unwrap_or(0),
        subject_k,
        profile_k: profiles.profile_k,
        n_unique_profiles: profiles.n_unique_profiles,
    })
}

/// Where the journalist risk's population class sizes come from when they
/// are estimated from the sampling fraction `pi`.
pub(crate) fn journalist_estimate_note(pi: f64) -> String {
    format!("estimated as ceil(f_j / pi) with sampling fraction pi = {pi}")
}

/// `F_j` for every class of `table`: the number of `population` rows with the
/// class's quasi-identifier values (compared as text, so the population must
/// be generalized the same way as the release).
fn population_class_sizes(
    table: &EncodedTable,
    classes: &EquivalenceClasses,
    qis: &[&str],
    population: &EncodedTable,
) -> Result<Vec<u64>, PrivacyError> {
    let sample_cols = qis
        .iter()
        .map(|q| {
            table
                .column(q)
                .ok_or_else(|| PrivacyError::Invalid(format!("{}: no column `{q}`", table.source)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let population_cols = qis
        .iter()
        .map(|q| {
            population
                .column(q)
                .ok_or_else(|| PrivacyError::MissingColumn {
                    source_name: population.source.clone(),
                    role: "quasi-identifier",
                    column: q.to_string(),
                    available: population
                        .column_names()
                        .iter()
                        .map(|c| c.to_string())
                        .collect(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if classes.row_classes().is_empty() {
        return Err(PrivacyError::Invalid(format!(
            "{}: the classes were built from partials, which keep no rows; a population table needs the release in memory (drop --engine / the partials)",
            table.source
        )));
    }
    // One representative row per sample class.
    let mut representative = vec![usize::MAX; classes.n_classes()];
    for (row, &class) in classes.row_classes().iter().enumerate() {
        if class != super::classes::NO_CLASS && representative[class as usize] == usize::MAX {
            representative[class as usize] = row;
        }
    }
    let mut wanted: HashMap<Vec<&str>, usize> = HashMap::with_capacity(representative.len());
    for (class, &row) in representative.iter().enumerate() {
        let key = sample_cols.iter().map(|c| c.value(row)).collect();
        wanted.insert(key, class);
    }
    let mut counts = vec![0u64; classes.n_classes()];
    let mut key: Vec<&str> = Vec::with_capacity(qis.len());
    for row in 0..population.n_rows {
        key.clear();
        key.extend(population_cols.iter().map(|c| c.value(row)));
        if let Some(&class) = wanted.get(&key) {
            counts[class] += 1;
        }
    }
    let sizes = classes.class_sizes();
    if let Some(class) = (0..counts.len()).find(|&j| counts[j] < sizes[j]) {
        return Err(PrivacyError::Invalid(format!(
            "{}: the quasi-identifiers of release row {} occur {} times in the population table \
             {} but {} times in the release; the population must contain the release and use \
             the same generalization",
            table.source,
            representative[class] + 1,
            counts[class],
            population.source,
            sizes[class]
        )));
    }
    Ok(counts)
}

pub(crate) fn combine(per: &[SensitiveMetrics]) -> Option<CombinedMetrics> {
    if per.is_empty() {
        return None;
    }
    let max_f =
        |f: &dyn Fn(&SensitiveMetrics) -> f64| per.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
    let max_opt = |f: &dyn Fn(&SensitiveMetrics) -> Option<u64>| {
        per.iter()
            .map(f)
            .try_fold(0u64, |acc, x| x.map(|v| acc.max(v)))
    };
    Some(CombinedMetrics {
        l_distinct: per.iter().map(|m| m.l_distinct).min().unwrap_or(0),
        entropy_l: per.iter().map(|m| m.entropy_l.l).min().unwrap_or(0),
        recursive_c: max_opt(&|m| m.recursive_cl.c),
        recursive_c_pycanon: max_opt(&|m| m.recursive_cl.c_pycanon),
        alpha: max_f(&|m| m.alpha),
        t: max_f(&|m| m.t_pycanon),
        basic_beta: max_f(&|m| m.basic_beta.beta),
        enhanced_beta: max_f(&|m| m.enhanced_beta),
        delta_ln: max_f(&|m| m.delta_disclosure.delta_ln),
    })
}
