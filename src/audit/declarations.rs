//! The datasets an audit config declares (`[[table]]`, `[[corpus]]`,
//! `[[aggregate]]`, `[[traces]]`), each with its keys and defaults, and the
//! [`Declared`] view of them that the claims check against. The whole
//! document (title, seed, claims) is [`super::config::AuditConfig`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::attacks::stylometry::features::FeatureKind;
use crate::attacks::stylometry::pipeline::ClassifierKind;
use crate::attacks::stylometry::pseudonym::PseudonymAttackParams;
use crate::attacks::stylometry::StylometryError;

pub use crate::data::ROW_KEY;

/// The datasets a config declares, as a claim's config check sees them.
#[derive(Debug, Clone, Copy)]
pub struct Declared<'a> {
    /// `[[table]]` entries.
    pub tables: &'a [TableConfig],
    /// `[[corpus]]` entries.
    pub corpora: &'a [CorpusConfig],
    /// `[[aggregate]]` entries.
    pub aggregates: &'a [AggregateConfig],
    /// `[[traces]]` entries.
    pub traces: &'a [TracesConfig],
}

/// A key that maps a release row to its original row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TruthConfig {
    /// Column of the originals.
    pub original: String,
    /// Column of the release.
    pub release: String,
    /// Optional file mapping original keys to release keys (e.g. login to
    /// pseudonym); without it the two columns hold the same key.
    pub map: Option<PathBuf>,
    /// Column of `map` holding the original key.
    #[serde(default = "default_map_original")]
    pub map_original: String,
    /// Column of `map` holding the release key.
    #[serde(default = "default_map_release")]
    pub map_release: String,
}

fn default_map_original() -> String {
    "login".into()
}
fn default_map_release() -> String {
    "pseudonym".into()
}

/// A tabular release and its originals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// Name used by claims and in the report.
    pub name: String,
    /// The released table.
    pub release: PathBuf,
    /// The originals (needed by the linkage and inference attacks).
    pub original: Option<PathBuf>,
    /// CSV delimiter of both files (detected when absent).
    pub delimiter: Option<char>,
    /// Quasi-identifiers, by their release column names.
    pub quasi_identifiers: Vec<String>,
    /// Sensitive attributes (release column names) for l, t and inference.
    #[serde(default)]
    pub sensitive: Vec<String>,
    /// ARX hierarchies by release column name (used for t-closeness and for
    /// matching generalized release values to original values).
    #[serde(default)]
    pub hierarchies: BTreeMap<String, PathBuf>,
    /// Build a hierarchy for each quasi-identifier that has none in
    /// `hierarchies`, from the original column, when the table has
    /// `original` (default true; see [`crate::data::hierarchy_build`]). The
    /// files are written beside the report and listed in it; a release value
    /// that no level of a built hierarchy holds makes the attack claims on the
    /// table inconclusive.
    #[serde(default = "default_build_hierarchies")]
    pub build_hierarchies: bool,
    /// The recipe of a built hierarchy per quasi-identifier (release column
    /// name): `intervals:W1,W2,...`, `masks`, `dates` or `release`; chosen
    /// from the column's kind and the release's values when absent.
    #[serde(default)]
    pub hierarchy_recipes: BTreeMap<String, String>,
    /// Original column name for a release column whose name differs
    /// (`release_name = "original_name"`).
    #[serde(default)]
    pub original_columns: BTreeMap<String, String>,
    /// How a quasi-identifier's release values are compared with its
    /// originals (`kinds = { PUMA = "code", age = "number" }`); detected from
    /// the originals when absent (see [`crate::data::kinds`]).
    #[serde(default)]
    pub kinds: BTreeMap<String, crate::data::ValueKind>,
    /// Truth key for scoring the linkage attack.
    pub truth: Option<TruthConfig>,
    /// Anonymeter-style risks; needs `original` and `risk.control`.
    pub risk: Option<TableRiskConfig>,
    /// The release column naming the person (subject) a record belongs to,
    /// for releases with several records per person (e.g. visits of one
    /// patient). With it, k, distinct l and the re-identification risks count
    /// distinct persons per equivalence class instead of records; pass it on
    /// with [`MetricsParams::subject`](crate::privacy::MetricsParams::subject).
    /// It must not be a quasi-identifier or a sensitive attribute.
    pub subject: Option<String>,
    /// Where this table's metrics run (overrides the audit's `engine`):
    /// `in-process`, `partials:ROWS` or `spark://HOST:PORT` (then `release`
    /// and `original` are table names or Parquet paths the Spark Connect
    /// server reads, not local files); see [`crate::engine::Engine`].
    #[serde(default)]
    pub engine: Option<String>,
    /// A memory budget (`4G`, `512M`, ...; overrides the audit's `memory`):
    /// the release is read in chunks and its metrics computed out of core
    /// by the code `reident metrics --memory` runs, with the same values.
    /// The QI join runs out of core too
    /// ([`crate::engine::qi_join_out_of_core`]); the parts that need the
    /// rows in memory (hidden quasi-identifier check, direct-identifier
    /// scan, risks, built hierarchies) are not run and the claims that need
    /// them are INCONCLUSIVE (or, for built hierarchies, cannot PASS).
    #[serde(default)]
    pub memory: Option<String>,
}

fn default_build_hierarchies() -> bool {
    true
}

/// Anonymeter-style risk attacks on a table (Giomi et al. 2023).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRiskConfig {
    /// Held-out originals that never entered the release.
    pub control: PathBuf,
    /// Columns compared (release names; default: quasi-identifiers and sensitive).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Secret columns for attribute inference (default: the sensitive attributes).
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Two disjoint column sets for the linkability attack.
    #[serde(default)]
    pub link_a: Vec<String>,
    /// The second column set for linkability.
    #[serde(default)]
    pub link_b: Vec<String>,
    /// Attacks per risk (Anonymeter's default 500).
    #[serde(default = "default_attacks")]
    pub n_attacks: usize,
}

fn default_attacks() -> usize {
    500
}

/// Text of a document: one column, or several joined by a blank line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextColumns {
    /// One column.
    One(String),
    /// Several columns, joined in this order.
    Many(Vec<String>),
}

impl TextColumns {
    /// The column names in order.
    pub fn names(&self) -> Vec<String> {
        match self {
            TextColumns::One(c) => vec![c.clone()],
            TextColumns::Many(cs) => cs.clone(),
        }
    }

    /// No column: the key was left out (allowed with `format`, which knows
    /// the text columns of its tables).
    pub fn none() -> Self {
        TextColumns::Many(Vec::new())
    }

    /// True when no column is named.
    pub fn is_empty(&self) -> bool {
        matches!(self, TextColumns::Many(cs) if cs.is_empty())
    }
}

/// A text corpus and its originals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusConfig {
    /// Name used by claims and in the report.
    pub name: String,
    /// Original documents.
    pub original: PathBuf,
    /// Released documents.
    pub release: PathBuf,
    /// The export format of `original` and `release` when they are not
    /// plain tables: `"jira-csv"`, `"jira-json"`, `"confluence-html"` or
    /// `"confluence-xml"` ([`crate::data::sources`]). The export's id, text
    /// and author columns are then the defaults of `id`, `text` and
    /// `author`, and its users table that of `users`.
    #[serde(default)]
    pub format: Option<String>,
    /// With `format`: which table of the export is the corpus (`issues` or
    /// `comments` of a Jira export, `pages` or `comments` of a Confluence
    /// export). Default: `comments` for Jira, `pages` for Confluence.
    #[serde(default)]
    pub table: Option<String>,
    /// Text column(s), same names in both files (default with `format`).
    #[serde(default = "TextColumns::none")]
    pub text: TextColumns,
    /// Document id column, same name in both files; the release keeps each
    /// document's original id (the truth key for document linkage). Default
    /// with `format`.
    #[serde(default)]
    pub id: String,
    /// Author column: the author's identity in the originals and the
    /// (pseudonymous) author in the release.
    pub author: Option<String>,
    /// Identifier columns of the originals (logins, e-mails); where the
    /// release has them too they are scanned for reversible hashes.
    #[serde(default)]
    pub identifier_columns: Vec<String>,
    /// A users table of the originals adding logins, names and e-mails to
    /// the identifiers searched for in the release.
    pub users: Option<PathBuf>,
    /// Columns of `users`; the first is the login.
    #[serde(default = "default_user_columns")]
    pub user_columns: Vec<String>,
    /// Document linkage parameters.
    #[serde(default)]
    pub linkage: DocumentLinkageConfig,
    /// Stylometric authorship attribution (needs `author`).
    pub stylometry: Option<StylometryConfig>,
    /// A sentence-transformers BERT model folder (e.g. all-MiniLM-L6-v2 from
    /// scripts/fetch-embedding-model.sh): runs semantic document linkage
    /// beside MinHash (needs the cargo feature `semantic`).
    pub embedding_model: Option<PathBuf>,
    /// The joint pseudonym attack (needs `author`;
    /// [`crate::attacks::pseudonym_linkage`]).
    #[serde(default)]
    pub pseudonym_linkage: Option<PseudonymLinkageConfig>,
}

/// `[corpus.pseudonym_linkage]`: the joint pseudonym attack's inputs beyond
/// the corpus's text, id and author columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PseudonymLinkageConfig {
    /// Timestamp column (ISO 8601 or Unix seconds), same name in both files:
    /// feeds the activity signals (hour of week, gaps).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Project / space / repository column, same name in both files: feeds
    /// the project-mix signal.
    #[serde(default)]
    pub group: Option<String>,
    /// Cut group values at their first `-` (an issue key `SEC-12` names
    /// project `SEC`).
    #[serde(default)]
    pub group_prefix: bool,
    /// Share of each author's original documents the attacker knows.
    #[serde(default = "default_known_share")]
    pub known_share: f64,
    /// Authors with fewer original documents are not candidates.
    #[serde(default = "default_min_documents")]
    pub min_documents: usize,
    /// Signals to run (default all: identifiers, document_linkage,
    /// rare_tokens, stylometry, activity_hours, activity_gaps, activity_groups).
    #[serde(default)]
    pub signals: Option<Vec<crate::attacks::pseudonym_linkage::SignalKind>>,
    /// Documents per pseudonym of the pooling curve.
    #[serde(default = "default_pooling_sizes")]
    pub pooling_sizes: Vec<usize>,
    /// Quasi-identifiers of the pseudonyms in a release users table: feeds
    /// the QI-join signal.
    #[serde(default)]
    pub qi_join: Option<QiJoinConfig>,
}

/// `[corpus.pseudonym_linkage.qi_join]`: a release users table keyed by the
/// corpus's pseudonyms, with (generalized) quasi-identifiers, joined with
/// the attacker's original users table (the corpus's `users`, or `original`
/// here). `table` names a `[[table]]` whose release / original / quasi-
/// identifiers / hierarchies / original_columns / kinds are taken for the
/// keys not given here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QiJoinConfig {
    /// A `[[table]]` to take the users tables and their QI settings from.
    #[serde(default)]
    pub table: Option<String>,
    /// The release users table (keyed by the pseudonym).
    #[serde(default)]
    pub release: Option<PathBuf>,
    /// The attacker's original users table (default: the corpus's `users`).
    #[serde(default)]
    pub original: Option<PathBuf>,
    /// Column of the release users table holding the pseudonym.
    pub release_key: String,
    /// Column of the original users table holding the login (the corpus's
    /// author values).
    #[serde(default = "default_original_key")]
    pub original_key: String,
    /// Quasi-identifiers, by their release column names.
    #[serde(default)]
    pub quasi_identifiers: Vec<String>,
    /// ARX hierarchies by release column name.
    #[serde(default)]
    pub hierarchies: BTreeMap<String, PathBuf>,
    /// Original column name for a release column whose name differs.
    #[serde(default)]
    pub original_columns: BTreeMap<String, String>,
    /// How a quasi-identifier's release values are compared with its
    /// originals (detected when absent; [`crate::data::kinds`]).
    #[serde(default)]
    pub kinds: BTreeMap<String, crate::data::ValueKind>,
}

fn default_original_key() -> String {
    "login".into()
}

fn default_pooling_sizes() -> Vec<usize> {
    vec![1, 2, 4, 8, 16]
}

pub(crate) fn default_user_columns() -> Vec<String> {
    vec!["login".into(), "display_name".into(), "email".into()]
}

/// MinHash-LSH document linkage parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentLinkageConfig {
    /// Words per shingle.
    #[serde(default = "default_shingle")]
    pub shingle_words: usize,
    /// Minimum Jaccard similarity of a link.
    #[serde(default = "default_link_threshold")]
    pub threshold: f64,
}

impl Default for DocumentLinkageConfig {
    fn default() -> Self {
        Self {
            shingle_words: default_shingle(),
            threshold: default_link_threshold(),
        }
    }
}

fn default_shingle() -> usize {
    3
}
fn default_link_threshold() -> f64 {
    0.5
}

/// Stylometric attribution of the release's documents.
///
/// The adversary knows some writing of every author: a seeded share of each
/// author's original documents (`known_share`) is the training set; the
/// release versions of the other documents are attributed, one by one
/// (document level) and pooled by release author pseudonym (pseudonym level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StylometryConfig {
    /// Feature families (`reident stylometry --features` syntax).
    #[serde(default = "default_features")]
    pub features: Vec<String>,
    /// Classifier: the one run when `choose_classifier` is false, and the
    /// first of the attacker's suite (so it wins ties) when it is true.
    #[serde(default = "default_classifier")]
    pub classifier: ClassifierKind,
    /// Let the attacker choose, as a real one would: cross-validate a suite
    /// of classifiers on the known writing only and run the best
    /// ([`Self::attack_suite`]; default true). False pins `classifier`.
    #[serde(default = "default_choose_classifier")]
    pub choose_classifier: bool,
    /// Share of each author's original documents the adversary knows.
    #[serde(default = "default_known_share")]
    pub known_share: f64,
    /// Authors with fewer original documents than this are left out.
    #[serde(default = "default_min_documents")]
    pub min_documents: usize,
    /// Sweep accuracy over these numbers of candidate authors (cross-validated on the originals).
    #[serde(default)]
    pub sweep_authors: Vec<usize>,
}

impl StylometryConfig {
    /// The attack's parameters for this section ([`PseudonymAttackParams::new`]
    /// for its features and classifier, then its known share and minimum of
    /// documents) with the split drawn from `seed` (the audit's `seed`): the
    /// one translation the audit and `reident stylometry --original
    /// --release` use.
    pub fn attack_params(&self, seed: u64) -> Result<PseudonymAttackParams, StylometryError> {
        let features = self
            .features
            .iter()
            .map(|f| f.parse::<FeatureKind>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PseudonymAttackParams {
            known_share: self.known_share,
            min_documents: self.min_documents,
            seed,
            ..PseudonymAttackParams::new(features, self.classifier)
        })
    }
}

impl StylometryConfig {
    /// The attacker's suite when `choose_classifier` is on (empty when off):
    /// on the configured features, the configured classifier first, then
    /// Burrows', Eder's and Cosine Delta with author centroids, Cosine and
    /// Burrows' Delta with each author's nearest known document (Delta
    /// collapses under class imbalance with centroids; the nearest document
    /// does not). Labels name classifier and profile. The linear models are
    /// left out of the default suite: their cross-validation costs minutes
    /// per corpus where the Delta family's costs seconds; configure
    /// `classifier = "logistic"` (it then joins the suite, first).
    pub fn attack_suite(
        &self,
        seed: u64,
    ) -> Result<Vec<(String, crate::attacks::stylometry::pipeline::PipelineConfig)>, StylometryError>
    {
        use crate::attacks::stylometry::delta::Profile;
        if !self.choose_classifier {
            return Ok(Vec::new());
        }
        let base = self.attack_params(seed)?;
        let features = base.pipeline.features.kinds.clone();
        let mut suite = Vec::new();
        let mut push = |kind: ClassifierKind, profile: Profile| {
            let mut p = PseudonymAttackParams::new(features.clone(), kind).pipeline;
            p.classifier.profile = profile;
            let label = match (kind, profile) {
                (
                    ClassifierKind::Burrows | ClassifierKind::Cosine | ClassifierKind::Eder,
                    Profile::NearestDocument,
                ) => format!(
                    "{} (nearest document)",
                    crate::audit::facts::classifier_label(kind)
                ),
                _ => crate::audit::facts::classifier_label(kind),
            };
            if !suite.iter().any(|(l, _)| *l == label) {
                suite.push((label, p));
            }
        };
        push(self.classifier, Profile::Centroid);
        for kind in [
            ClassifierKind::Burrows,
            ClassifierKind::Eder,
            ClassifierKind::Cosine,
        ] {
            push(kind, Profile::Centroid);
        }
        push(ClassifierKind::Cosine, Profile::NearestDocument);
        push(ClassifierKind::Burrows, Profile::NearestDocument);
        Ok(suite)
    }
}

/// The defaults of an empty `[corpus.stylometry]` section, which `reident
/// stylometry --original --release` uses too.
impl Default for StylometryConfig {
    fn default() -> Self {
        Self {
            features: default_features(),
            classifier: default_classifier(),
            choose_classifier: default_choose_classifier(),
            known_share: default_known_share(),
            min_documents: default_min_documents(),
            sweep_authors: Vec::new(),
        }
    }
}

fn default_features() -> Vec<String> {
    vec!["mfw:200".into()]
}
fn default_classifier() -> ClassifierKind {
    ClassifierKind::Cosine
}
fn default_choose_classifier() -> bool {
    true
}
fn default_known_share() -> f64 {
    0.5
}
fn default_min_documents() -> usize {
    4
}

/// Noisy aggregates released per group, paired with the true aggregates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateConfig {
    /// Name used by claims and in the report.
    pub name: String,
    /// The originals: raw rows (`kind = "count"`) or one value per group
    /// (`kind = "sum"` with `value`).
    pub original: PathBuf,
    /// The release: one row per group with the noisy value.
    pub release: PathBuf,
    /// Group-by columns, same names in both files.
    pub keys: Vec<String>,
    /// `count` (original rows are counted per group) or `sum` (the original
    /// `value` column is summed per group).
    #[serde(default = "default_aggregate_kind")]
    pub kind: String,
    /// Column of the originals summed per group (`kind = "sum"`).
    pub value: Option<String>,
    /// Column of the release holding the noisy value.
    pub release_value: String,
    /// Sensitivity of one aggregate to one record (default 1, a count).
    #[serde(default = "default_sensitivity")]
    pub sensitivity: f64,
    /// Raw events behind the aggregates, to derive the user-level
    /// sensitivity (the most events one user contributes).
    pub contributions: Option<ContributionsConfig>,
}

fn default_aggregate_kind() -> String {
    "count".into()
}
fn default_sensitivity() -> f64 {
    1.0
}

/// Where to count each user's contribution to an aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionsConfig {
    /// The event file (one row per counted event).
    pub events: PathBuf,
    /// Its user column.
    pub user: String,
}

/// Per-user event traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TracesConfig {
    /// Name used by claims and in the report.
    pub name: String,
    /// Original events.
    pub events: PathBuf,
    /// The export format of `events` when it is not a plain table:
    /// `"atlassian-audit-log"` (organization, Jira or Confluence audit log
    /// pages; see [`crate::data::sources::audit_log`]), whose columns are
    /// `user`, `timestamp`, `action` and `object`.
    #[serde(default)]
    pub format: Option<String>,
    /// User column.
    #[serde(default = "default_user")]
    pub user: String,
    /// Timestamp column.
    #[serde(default = "default_timestamp")]
    pub timestamp: String,
    /// Action columns making up a point with the time bucket.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Time-bucket widths in seconds (one curve each).
    #[serde(default = "default_buckets")]
    pub bucket_seconds: Vec<i64>,
    /// Points known per user.
    #[serde(default = "default_points")]
    pub points: Vec<usize>,
    /// Where the unicity counts run: `in-process` (the default) or
    /// `spark://HOST:PORT`, then `events` is a table name or a Parquet path
    /// the Spark Connect server reads (not with `format`); see
    /// [`crate::engine::spark_unicity_curve`]. The audit-level `engine`
    /// applies to tables only.
    #[serde(default)]
    pub engine: Option<String>,
}

fn default_user() -> String {
    "user".into()
}
fn default_timestamp() -> String {
    "timestamp".into()
}
fn default_buckets() -> Vec<i64> {
    vec![3600]
}
fn default_points() -> Vec<usize> {
    vec![1, 2, 4, 8]
}

/// `0.05` as `5%`.
pub(crate) fn percent(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p:.2}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stylometry_default_is_the_empty_sections_defaults() {
        let empty: StylometryConfig = toml::from_str("").unwrap();
        assert_eq!(empty, StylometryConfig::default());
        assert_eq!(empty.features, vec!["mfw:200".to_string()]);
        assert_eq!(empty.classifier, ClassifierKind::Cosine);
        assert_eq!((empty.known_share, empty.min_documents), (0.5, 4));
    }
}
