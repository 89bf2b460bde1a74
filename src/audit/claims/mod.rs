//! The vendor claims an audit tests, as a registry: one file per claim kind,
//! each a config struct (the `[[claim]]` keys) implementing [`Claim`]: how it
//! reads in words, what the config must declare for it, and how it is decided
//! from what the datasets' analyses found ([`super::dataset`]).
//!
//! **Adding a claim kind** is one new file here plus one line in
//! [`claim_registry!`]'s list below: the file defines the struct (serde keys,
//! with `deny_unknown_fields`) and its `impl Claim`; the line names the
//! variant, the file and the struct. The variant's snake_case name is the
//! `kind = "..."` of the config. The decision itself must come from
//! [`crate::eval`]'s rules (point, interval, composite, epsilon) and its
//! coverage guard, the same rules the CLI's threshold flags use, so the audit
//! and the CLI give the same verdict on the same figure.
//!
//! This module does not run attacks or read files: the dataset runners do,
//! once per dataset, however many claims name it.

use serde::{Deserialize, Serialize};

use super::declarations::{CorpusConfig, Declared, TableConfig};
use super::facts::{AggregateFacts, CorpusFacts, Facts, TableFacts, TracesFacts};
use super::AuditError;
use crate::eval::{Interval, Rate};
use crate::report::{Chart, ClaimVerdict, Verdict};

/// One kind of vendor claim.
///
/// Implemented once per claim kind, in its own file of this module; the
/// audit's config check, runner and report only go through this trait.
pub(crate) trait Claim {
    /// The claim in words, as shown in the report ("table `users` is
    /// 5-anonymous").
    fn statement(&self) -> String;

    /// Checks that the config declares the data the claim needs and that
    /// every threshold is a finite number in the range where the claim can
    /// fail (a claim that holds for every release is an error: a PASS on it
    /// would be signed without anything being tested). `at` names the claim
    /// in messages; errors name the key.
    fn check(&self, config: &Declared, at: &str) -> Result<(), String>;

    /// The verdict, from the datasets' facts, with intervals at `level`.
    fn decide(&self, facts: &DatasetFacts, level: f64) -> Result<ClaimVerdict, AuditError>;

    /// Charts that show how the claim was decided, beyond the datasets' own
    /// (e.g. the attack-implied epsilon bound against the number of targets);
    /// none by default. Chart names must be unique within an audit.
    fn charts(&self, _facts: &DatasetFacts, _level: f64) -> Result<Vec<Chart>, AuditError> {
        Ok(Vec::new())
    }
}

/// Declares every claim kind: the config enum [`ClaimConfig`] (tagged by
/// `kind`) and its dispatch to [`Claim`]. One line per claim kind.
macro_rules! claim_registry {
    ($( $(#[$doc:meta])* $variant:ident => $module:ident :: $ty:ident, )*) => {
        $( pub mod $module; )*

        /// A vendor claim: one `[[claim]]` table of the config, `kind =
        /// "<snake_case variant>"` plus the keys of its struct.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        pub enum ClaimConfig {
            $( $(#[$doc])* $variant($module::$ty), )*
        }

        impl ClaimConfig {
            /// The claim kind behind this config entry.
            pub(crate) fn kind(&self) -> &dyn Claim {
                match self {
                    $( ClaimConfig::$variant(c) => c, )*
                }
            }
        }
    };
}

claim_registry! {
    /// "The table is k-anonymous."
    KAnonymity => k_anonymity::KAnonymity,
    /// "The table is distinct-l-diverse" (for every sensitive attribute).
    LDiversity => l_diversity::LDiversity,
    /// "The table satisfies t-closeness" (equal-distance EMD, every sensitive attribute).
    TCloseness => t_closeness::TCloseness,
    /// "At most `max_rate` of the release rows can be re-identified" (QI join).
    Reidentification => reidentification::Reidentification,
    /// "Attackers learn nothing beyond `max_risk`" (Anonymeter-style risks).
    InferenceRisk => inference_risk::InferenceRisk,
    /// "No direct identifiers remain" (text, identifier columns, hashes).
    NoDirectIdentifiers => no_direct_identifiers::NoDirectIdentifiers,
    /// "Authors are not identifiable above `max_accuracy`."
    Authorship => authorship::Authorship,
    /// "Documents cannot be linked to their sources" (above `max_rate`).
    DocumentLinkage => document_linkage::DocumentLinkage,
    /// "The aggregates are (epsilon, delta)-differentially private."
    DifferentialPrivacy => differential_privacy::DifferentialPrivacy,
    /// "Users cannot be singled out from `points` points of their activity."
    TraceUnicity => trace_unicity::TraceUnicity,
    /// "At most `max_rate` of the pseudonyms can be named at 95% precision."
    PseudonymLinkage => pseudonym_linkage::PseudonymLinkage,
}

impl ClaimConfig {
    /// The claim in words, as shown in the report.
    pub fn statement(&self) -> String {
        self.kind().statement()
    }
}

/// Every claim's verdict, in config order, with intervals at `level`.
pub(crate) fn decide_all(
    claims: &[ClaimConfig],
    level: f64,
    facts: &[Facts],
) -> Result<Vec<ClaimVerdict>, AuditError> {
    let facts = DatasetFacts(facts);
    claims
        .iter()
        .map(|c| engine_guard(c, &facts, level))
        .collect()
}

/// A claim's verdict when a table it reads ran on an engine that could not
/// run the part the claim needs (`TableFacts::not_run`): INCONCLUSIVE with
/// the reason, never PASS. A k-anonymity claim is still measured (k comes
/// from the engine's partials) but cannot PASS without the hidden
/// quasi-identifier check; the other claims are not decided at all.
fn engine_guard(
    claim: &ClaimConfig,
    facts: &DatasetFacts,
    level: f64,
) -> Result<ClaimVerdict, AuditError> {
    use super::facts::TablePart;
    let (tables, part): (Vec<&str>, TablePart) = match claim {
        ClaimConfig::KAnonymity(c) => (vec![c.table.as_str()], TablePart::HiddenQi),
        ClaimConfig::Reidentification(c) => (vec![c.table.as_str()], TablePart::QiJoin),
        ClaimConfig::InferenceRisk(c) => (vec![c.table.as_str()], TablePart::Risks),
        ClaimConfig::NoDirectIdentifiers(c) => {
            let every = c.tables.is_empty() && c.corpora.is_empty();
            (
                facts
                    .tables()
                    .filter(|t| every || c.tables.contains(&t.name))
                    .map(|t| t.name.as_str())
                    .collect(),
                TablePart::DirectIdentifiers,
            )
        }
        _ => return claim.kind().decide(facts, level),
    };
    let reasons: Vec<String> = facts
        .tables()
        .filter(|t| tables.contains(&t.name.as_str()))
        .flat_map(|t| {
            t.not_run
                .iter()
                .filter(|(p, _)| *p == part)
                .map(move |(_, why)| format!("Table `{}`: {why}.", t.name))
        })
        .collect();
    if reasons.is_empty() {
        return claim.kind().decide(facts, level);
    }
    // A QI join that ran but without something the in-memory run has
    // (hierarchies built from the rows) keeps its figures; it cannot PASS.
    let measured_anyway = part == TablePart::QiJoin
        && facts
            .tables()
            .filter(|t| tables.contains(&t.name.as_str()))
            .all(|t| t.qi_join.is_some());
    if part == TablePart::HiddenQi || measured_anyway {
        let mut v = claim.kind().decide(facts, level)?;
        if v.verdict == Verdict::Pass {
            v.verdict = Verdict::Inconclusive;
        }
        // The engine, not the column count, is why the check did not run.
        v.warnings
            .retain(|w| !w.starts_with("The release has more than"));
        v.warnings.extend(reasons);
        return Ok(v);
    }
    Ok(verdict(
        claim.kind(),
        Verdict::Inconclusive,
        "not measured",
        None,
        None,
        "not run on this engine or memory budget",
        "The claim's attack could not run on the table's engine or under its memory budget (the warning says why).".into(),
        reasons,
    ))
}

/// The claims' own charts ([`Claim::charts`]), in config order.
pub(crate) fn claim_charts(
    claims: &[ClaimConfig],
    level: f64,
    facts: &[Facts],
) -> Result<Vec<Chart>, AuditError> {
    let facts = DatasetFacts(facts);
    let mut out: Vec<Chart> = Vec::new();
    for c in claims {
        for chart in c.kind().charts(&facts, level)? {
            // Two claims of one kind on one dataset: number the later ones.
            let mut name = chart.name.clone();
            let mut i = 1;
            while out.iter().any(|o| o.name == name) {
                i += 1;
                let suffix = format!("_{i}");
                let stem: String = chart.name.chars().take(64 - suffix.len()).collect();
                name = format!("{stem}{suffix}");
            }
            out.push(chart.renamed(name)?);
        }
    }
    Ok(out)
}

/// The datasets' facts, looked up by kind and name.
pub(crate) struct DatasetFacts<'a>(pub(crate) &'a [Facts]);

impl DatasetFacts<'_> {
    /// The facts of table `name`.
    pub(crate) fn table(&self, name: &str) -> Result<&TableFacts, AuditError> {
        self.0
            .iter()
            .find_map(|f| match f {
                Facts::Table(t) if t.name == name => Some(t.as_ref()),
                _ => None,
            })
            .ok_or_else(|| missing_facts(name))
    }

    /// The facts of corpus `name`.
    pub(crate) fn corpus(&self, name: &str) -> Result<&CorpusFacts, AuditError> {
        self.0
            .iter()
            .find_map(|f| match f {
                Facts::Corpus(c) if c.name == name => Some(c.as_ref()),
                _ => None,
            })
            .ok_or_else(|| missing_facts(name))
    }

    /// The facts of aggregate `name`.
    pub(crate) fn aggregate(&self, name: &str) -> Result<&AggregateFacts, AuditError> {
        self.0
            .iter()
            .find_map(|f| match f {
                Facts::Aggregate(a) if a.name == name => Some(a.as_ref()),
                _ => None,
            })
            .ok_or_else(|| missing_facts(name))
    }

    /// The facts of traces `name`.
    pub(crate) fn traces(&self, name: &str) -> Result<&TracesFacts, AuditError> {
        self.0
            .iter()
            .find_map(|f| match f {
                Facts::Traces(t) if t.name == name => Some(t.as_ref()),
                _ => None,
            })
            .ok_or_else(|| missing_facts(name))
    }

    /// Every table's facts.
    pub(crate) fn tables(&self) -> impl Iterator<Item = &TableFacts> {
        self.0.iter().filter_map(|f| match f {
            Facts::Table(t) => Some(t.as_ref()),
            _ => None,
        })
    }

    /// Every corpus's facts.
    pub(crate) fn corpora(&self) -> impl Iterator<Item = &CorpusFacts> {
        self.0.iter().filter_map(|f| match f {
            Facts::Corpus(c) => Some(c.as_ref()),
            _ => None,
        })
    }
}

/// Fail safe for the claims that attack a table through its hierarchies
/// (re-identification, inference risks): when a hierarchy the audit built
/// does not cover the release (or could not be built), a PASS becomes
/// INCONCLUSIVE and the verdict carries the reason, naming the column and an
/// example release value. A FAIL stays a FAIL.
pub(crate) fn built_hierarchy_guard(t: &TableFacts, mut v: ClaimVerdict) -> ClaimVerdict {
    for b in &t.built_hierarchies {
        if let Some(problem) = &b.problem {
            if v.verdict == Verdict::Pass {
                v.verdict = Verdict::Inconclusive;
            }
            v.warnings.push(format!("Generated hierarchy: {problem}."));
        }
    }
    v
}

fn missing_facts(what: &str) -> AuditError {
    AuditError::Dataset {
        dataset: what.to_string(),
        message: "was not analysed (internal inconsistency between config and runner)".into(),
    }
}

/// A claim's verdict with its figure, interval and evidence.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verdict(
    claim: &dyn Claim,
    verdict: Verdict,
    measure: &str,
    measured: Option<f64>,
    interval: Option<Interval>,
    decided_by: &str,
    evidence: String,
    warnings: Vec<String>,
) -> ClaimVerdict {
    ClaimVerdict {
        claim: claim.statement(),
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
pub(crate) fn wilson(
    successes: f64,
    trials: usize,
    level: f64,
    what: &str,
) -> Result<Interval, AuditError> {
    Ok(Rate::new(successes, trials as u64).wilson(level, what)?)
}

// ------------------------------------------------------- shared config checks

/// The `[[table]]` named `name`.
pub(crate) fn require_table<'a>(
    config: &'a Declared,
    at: &str,
    name: &str,
) -> Result<&'a TableConfig, String> {
    config
        .tables
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| format!("{at}: no [[table]] named `{name}`"))
}

/// The `[[table]]` named `name`, which must declare sensitive attributes
/// (the l and t claims are about them).
pub(crate) fn require_sensitive(config: &Declared, at: &str, name: &str) -> Result<(), String> {
    if require_table(config, at, name)?.sensitive.is_empty() {
        return Err(format!(
            "{at}: table `{name}` has no `sensitive` attributes"
        ));
    }
    Ok(())
}

/// The `[[corpus]]` named `name`.
pub(crate) fn require_corpus<'a>(
    config: &'a Declared,
    at: &str,
    name: &str,
) -> Result<&'a CorpusConfig, String> {
    config
        .corpora
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("{at}: no [[corpus]] named `{name}`"))
}

/// A rate threshold in [0, 1): no rate exceeds 1, so a claim "at most 1"
/// would pass whatever the data. NaN fails every range test.
pub(crate) fn check_rate(at: &str, key: &str, x: f64) -> Result<(), String> {
    if x.is_finite() && (0.0..1.0).contains(&x) {
        Ok(())
    } else if x == 1.0 {
        Err(format!(
            "{at}: key `{key}` = 1: no rate exceeds 1, so the claim would pass whatever the data; give a rate in [0, 1) such as 0.05"
        ))
    } else {
        Err(format!(
            "{at}: key `{key}` = {x}: give a finite rate in [0, 1) such as 0.05"
        ))
    }
}

/// A count threshold of at least 2 (every class has at least one `unit`, so a
/// claim of 1 would pass whatever the data).
pub(crate) fn check_at_least_two(at: &str, key: &str, x: u64, unit: &str) -> Result<(), String> {
    if x >= 2 {
        Ok(())
    } else {
        Err(format!(
            "{at}: key `{key}` = {x}: every class has at least one {unit}, so the claim would pass whatever the data; claim {key} >= 2"
        ))
    }
}
