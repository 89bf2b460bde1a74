//! What each dataset's analyses found, kept for the claims' verdicts
//! ([`super::claims`]) and the report sections ([`super::dataset`]). Plain
//! data: the library's results, no author names, nothing that runs.

use serde::Serialize;

use crate::attacks::linkage::QiJoinResult;
use crate::attacks::stylometry::pipeline::ClassifierKind;
use crate::attacks::unicity::UnicityReport;
use crate::dp::AggregateFit;
use crate::eval::document_linkage::ScoredTextReport;
use crate::eval::inference::RiskReport;
use crate::eval::release_attack::ScoredReleaseAttack;
use crate::privacy::direct_identifiers::DirectIdentifierScan;
use crate::privacy::MetricsReport;
use crate::report::Chart;

/// What one dataset's analyses found.
pub(crate) enum Facts {
    Table(Box<TableFacts>),
    Corpus(Box<CorpusFacts>),
    Aggregate(Box<AggregateFacts>),
    Traces(Box<TracesFacts>),
}

pub(crate) struct TableFacts {
    pub(crate) name: String,
    /// `None` when the table's engine could not scan it (see `not_run`).
    pub(crate) direct_identifiers: Option<DirectIdentifierScan>,
    pub(crate) metrics: MetricsReport,
    pub(crate) qi_join: Option<QiJoinResult>,
    /// Release columns the originals also hold that the QI join did not use
    /// (`claims::reidentification::undeclared_shared_columns`).
    pub(crate) undeclared_shared_columns: Vec<String>,
    pub(crate) risk: Option<RiskReport>,
    pub(crate) charts: Vec<Chart>,
    /// Hierarchies the audit built for quasi-identifiers without one.
    pub(crate) built_hierarchies: Vec<BuiltHierarchy>,
    /// Parts of the analysis the table's engine could not run, with why:
    /// the claims that need them are INCONCLUSIVE (`claims::engine_guard`).
    pub(crate) not_run: Vec<(TablePart, String)>,
}

/// A part of a table's analysis that needs the rows in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TablePart {
    /// The hidden quasi-identifier check (one group-by per other column).
    HiddenQi,
    /// The direct-identifier scan of the release's columns.
    DirectIdentifiers,
    /// The QI-join linkage against the originals.
    QiJoin,
    /// The Anonymeter-style risks.
    Risks,
}

/// A hierarchy the audit built for a quasi-identifier the config gave none
/// ([`crate::data::hierarchy_build`]), as the report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct BuiltHierarchy {
    /// The quasi-identifier (release column name).
    pub column: String,
    /// The recipe, as the config spells it (`intervals:10`, `masks`, ...);
    /// `None` when none could be chosen.
    pub recipe: Option<String>,
    /// `config` (`hierarchy_recipes`) or `chosen from the column`.
    pub chosen_by: String,
    /// The file beside the report (`hierarchies/TABLE.COLUMN.csv`), when built.
    pub file: Option<String>,
    /// Leaves (distinct original values) and levels of the hierarchy.
    pub leaves: usize,
    /// Levels above the leaves, the root included.
    pub levels: usize,
    /// True when the attacks read release values through it (some release
    /// value is a label its kind alone matches with no original).
    pub used_by_attacks: bool,
    /// Distinct release values no level holds, and the release rows showing them.
    pub uncovered_values: usize,
    /// Release rows showing an uncovered value.
    pub uncovered_rows: usize,
    /// Why the hierarchy does not cover the release (or could not be built),
    /// naming the column and an example release value; `None` when it covers it.
    pub problem: Option<String>,
    /// What the hierarchy lacks when the attacks do not need it.
    pub note: Option<String>,
    /// The ARX text of the hierarchy (written to `file`).
    #[serde(skip)]
    pub text: String,
}

pub(crate) struct CorpusFacts {
    pub(crate) name: String,
    pub(crate) text: ScoredTextReport,
    pub(crate) stylometry: Option<StylometryFacts>,
    /// Semantic linkage, when an embedding model was given.
    pub(crate) semantic: Option<crate::audit::semantic::SemanticFacts>,
    /// The joint pseudonym attack, with `[corpus.pseudonym_linkage]`.
    pub(crate) pseudonym_linkage: Option<crate::eval::pseudonym_linkage::PseudonymLinkageRun>,
    pub(crate) charts: Vec<Chart>,
}

/// Attribution figures of one corpus; no author names.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StylometryFacts {
    pub(crate) classifier: ClassifierKind,
    /// The attacker's choice of method, when the suite ran.
    pub(crate) choice: Option<crate::eval::release_attack::PipelineChoice>,
    pub(crate) features: Vec<String>,
    pub(crate) candidate_authors: usize,
    pub(crate) known_documents: usize,
    pub(crate) attributed_documents: usize,
    pub(crate) document_top1: f64,
    /// Release documents attributed to their true author (top 1).
    pub(crate) document_correct: usize,
    pub(crate) document_macro_f1: f64,
    pub(crate) pseudonyms: usize,
    pub(crate) pseudonym_top1: Option<f64>,
    /// Pseudonyms attributed to their (majority) true author (top 1).
    pub(crate) pseudonym_correct: Option<usize>,
    pub(crate) chance: f64,
    pub(crate) document_top_k: Vec<(usize, f64)>,
    pub(crate) pseudonym_top_k: Vec<(usize, f64)>,
    pub(crate) verification_auc: Option<f64>,
    pub(crate) verification_eer: Option<f64>,
    pub(crate) authors_left_out: usize,
    /// Held-out original documents of the known authors (the attack's targets).
    pub(crate) held_out_documents: usize,
    /// Of those, the ones whose id names a release document.
    pub(crate) held_out_in_release: usize,
    pub(crate) accuracy_vs_authors: Vec<(usize, f64, f64)>,
    /// The scored attack these figures come from; the `authorship` claim
    /// decides on it ([`crate::audit::claims::authorship::Authorship::verdict`]).
    #[serde(skip)]
    pub(crate) scored: ScoredReleaseAttack,
}

pub(crate) struct AggregateFacts {
    pub(crate) name: String,
    pub(crate) fit: AggregateFit,
    pub(crate) record_sensitivity: f64,
    pub(crate) user_sensitivity: Option<f64>,
}

pub(crate) struct TracesFacts {
    pub(crate) name: String,
    pub(crate) report: UnicityReport,
    pub(crate) charts: Vec<Chart>,
}

/// The classifier as the report names it.
pub(crate) fn classifier_label(kind: ClassifierKind) -> String {
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
