//! The audit configuration: a TOML file naming the originals and the release
//! (tables, text corpora, noisy aggregates, event traces), their column roles,
//! the vendor's claims and the attack parameters.
//!
//! Parsing is strict: an unknown key is an error that names the key and its
//! line, and every file the config names must exist (the error names the key
//! and the resolved path). Relative paths are resolved against the folder of
//! the config file. This module only reads and checks the config; it does not
//! open the data files (see [`super::run`]).
//!
//! A commented example is `datasets/audit-demo.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use super::claims::differential_privacy::PrivacyUnit;
pub use super::claims::ClaimConfig;
use super::AuditError;
use crate::attacks::stylometry::pipeline::ClassifierKind;

/// The whole audit configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Title of the report.
    pub title: String,
    /// Seed of every random choice (splits, samples, attacks).
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Confidence level of every interval, in (0, 1).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Tabular releases (microdata).
    #[serde(default, rename = "table")]
    pub tables: Vec<TableConfig>,
    /// Text corpora (tickets, comments, pages, commit messages).
    #[serde(default, rename = "corpus")]
    pub corpora: Vec<CorpusConfig>,
    /// Noisy aggregates (counts or sums per group).
    #[serde(default, rename = "aggregate")]
    pub aggregates: Vec<AggregateConfig>,
    /// Event traces (usage events per user).
    #[serde(default, rename = "traces")]
    pub traces: Vec<TracesConfig>,
    /// The vendor's claims, each tested against the data above.
    #[serde(default, rename = "claim")]
    pub claims: Vec<ClaimConfig>,
    /// The folder relative paths were resolved against (set by the parser).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

fn default_seed() -> u64 {
    42
}
fn default_confidence() -> f64 {
    0.95
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
    /// Text column(s), same names in both files.
    pub text: TextColumns,
    /// Document id column, same name in both files; the release keeps each
    /// document's original id (the truth key for document linkage).
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
}

fn default_user_columns() -> Vec<String> {
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
    /// Classifier.
    #[serde(default = "default_classifier")]
    pub classifier: ClassifierKind,
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

fn default_features() -> Vec<String> {
    vec!["mfw:200".into()]
}
fn default_classifier() -> ClassifierKind {
    ClassifierKind::Cosine
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

impl AuditConfig {
    /// Reads, parses and checks a config file; relative paths in it are
    /// resolved against its folder.
    pub fn from_file(path: &Path) -> Result<Self, AuditError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuditError::ReadConfig {
            path: path.display().to_string(),
            source,
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::from_toml(&text, &path.display().to_string(), &base)
    }

    /// Parses and checks config text; `source` names it in errors, `base` is
    /// the folder relative paths are resolved against.
    pub fn from_toml(text: &str, source: &str, base: &Path) -> Result<Self, AuditError> {
        let mut config: AuditConfig = toml::from_str(text).map_err(|e| AuditError::Config {
            path: source.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        config.resolve_paths(base);
        config.base_dir = base.to_path_buf();
        config.check(source)?;
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        for t in &mut self.tables {
            fix(&mut t.release);
            if let Some(o) = &mut t.original {
                fix(o);
            }
            for h in t.hierarchies.values_mut() {
                fix(h);
            }
            if let Some(TruthConfig { map: Some(m), .. }) = &mut t.truth {
                fix(m);
            }
            if let Some(r) = &mut t.risk {
                fix(&mut r.control);
            }
        }
        for c in &mut self.corpora {
            fix(&mut c.original);
            fix(&mut c.release);
            if let Some(u) = &mut c.users {
                fix(u);
            }
        }
        for a in &mut self.aggregates {
            fix(&mut a.original);
            fix(&mut a.release);
            if let Some(c) = &mut a.contributions {
                fix(&mut c.events);
            }
        }
        for t in &mut self.traces {
            fix(&mut t.events);
        }
    }

    /// Every input file the config names (for the output-folder guard).
    pub fn input_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for (_, p) in self.named_files() {
            files.push(p.clone());
        }
        files
    }

    fn named_files(&self) -> Vec<(String, &PathBuf)> {
        let mut files: Vec<(String, &PathBuf)> = Vec::new();
        for t in &self.tables {
            let at = format!("table `{}`", t.name);
            files.push((format!("{at}: key `release`"), &t.release));
            if let Some(o) = &t.original {
                files.push((format!("{at}: key `original`"), o));
            }
            for (col, h) in &t.hierarchies {
                files.push((format!("{at}: key `hierarchies.{col}`"), h));
            }
            if let Some(TruthConfig { map: Some(m), .. }) = &t.truth {
                files.push((format!("{at}: key `truth.map`"), m));
            }
            if let Some(r) = &t.risk {
                files.push((format!("{at}: key `risk.control`"), &r.control));
            }
        }
        for c in &self.corpora {
            let at = format!("corpus `{}`", c.name);
            files.push((format!("{at}: key `original`"), &c.original));
            files.push((format!("{at}: key `release`"), &c.release));
            if let Some(u) = &c.users {
                files.push((format!("{at}: key `users`"), u));
            }
        }
        for a in &self.aggregates {
            let at = format!("aggregate `{}`", a.name);
            files.push((format!("{at}: key `original`"), &a.original));
            files.push((format!("{at}: key `release`"), &a.release));
            if let Some(c) = &a.contributions {
                files.push((format!("{at}: key `contributions.events`"), &c.events));
            }
        }
        for t in &self.traces {
            files.push((format!("traces `{}`: key `events`", t.name), &t.events));
        }
        files
    }

    /// Pairs of inputs that must be different files: a release is never its
    /// own original (or control set), with the labels that name them in errors.
    fn distinct_input_pairs(&self) -> Vec<(String, &PathBuf, String, &PathBuf)> {
        let mut pairs = Vec::new();
        for t in &self.tables {
            let at = |key: &str| format!("table `{}`: {key}", t.name);
            if let Some(o) = &t.original {
                pairs.push((at("release"), &t.release, at("original"), o));
                if let Some(r) = &t.risk {
                    pairs.push((at("risk.control"), &r.control, at("original"), o));
                    pairs.push((at("risk.control"), &r.control, at("release"), &t.release));
                }
            }
        }
        for c in &self.corpora {
            let at = |key: &str| format!("corpus `{}`: {key}", c.name);
            pairs.push((at("release"), &c.release, at("original"), &c.original));
        }
        for a in &self.aggregates {
            let at = |key: &str| format!("aggregate `{}`: {key}", a.name);
            pairs.push((at("release"), &a.release, at("original"), &a.original));
        }
        pairs
    }

    /// Checks what serde cannot: files exist, names are unique and claims
    /// refer to declared data with sensible thresholds.
    fn check(&self, source: &str) -> Result<(), AuditError> {
        let bad = |message: String| AuditError::Config {
            path: source.to_string(),
            message,
        };
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(bad(format!(
                "key `confidence` = {}: give a level strictly between 0 and 1, e.g. 0.95",
                self.confidence
            )));
        }
        for (key, path) in self.named_files() {
            if !path.is_file() {
                return Err(AuditError::MissingFile {
                    config: source.to_string(),
                    key,
                    path: path.display().to_string(),
                });
            }
        }
        for (first, a, second, b) in self.distinct_input_pairs() {
            crate::data::ensure_distinct_inputs(&first, a, &second, b)?;
        }
        let mut names: Vec<(&str, &str)> = Vec::new();
        names.extend(self.tables.iter().map(|t| ("table", t.name.as_str())));
        names.extend(self.corpora.iter().map(|c| ("corpus", c.name.as_str())));
        names.extend(
            self.aggregates
                .iter()
                .map(|a| ("aggregate", a.name.as_str())),
        );
        names.extend(self.traces.iter().map(|t| ("traces", t.name.as_str())));
        for (i, (kind, name)) in names.iter().enumerate() {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(bad(format!(
                    "{kind} name `{name}`: use ASCII letters, digits, `-` and `_` (it names chart files)"
                )));
            }
            if names[..i].iter().any(|(_, n)| n == name) {
                return Err(bad(format!(
                    "the name `{name}` is used twice; give every table, corpus, aggregate and traces a distinct name"
                )));
            }
        }
        for t in &self.tables {
            if t.quasi_identifiers.is_empty() {
                return Err(bad(format!(
                    "table `{}`: key `quasi_identifiers` is empty; name at least one column",
                    t.name
                )));
            }
            for column in t.hierarchies.keys() {
                if !t.quasi_identifiers.contains(column) && !t.sensitive.contains(column) {
                    return Err(bad(format!(
                        "table `{}`: key `hierarchies.{column}`: `{column}` is neither a quasi-identifier nor a sensitive attribute of the table; fix the column name or remove the hierarchy",
                        t.name
                    )));
                }
            }
            for column in t.kinds.keys() {
                if !t.quasi_identifiers.contains(column) {
                    return Err(bad(format!(
                        "table `{}`: key `kinds.{column}`: `{column}` is not a quasi-identifier of the table",
                        t.name
                    )));
                }
            }
            if t.risk.is_some() && t.original.is_none() {
                return Err(bad(format!(
                    "table `{}`: `risk` needs the key `original` (the records the release was made from)",
                    t.name
                )));
            }
            if let Some(subject) = &t.subject {
                if subject.trim().is_empty() {
                    return Err(bad(format!(
                        "table `{}`: key `subject` is empty; name the column holding the person id, or leave the key out",
                        t.name
                    )));
                }
                if t.quasi_identifiers.contains(subject) || t.sensitive.contains(subject) {
                    return Err(bad(format!(
                        "table `{}`: key `subject` = \"{subject}\" is also a quasi-identifier or sensitive attribute; the subject column only says which records belong to one person",
                        t.name
                    )));
                }
            }
            if let Some(r) = &t.risk {
                if r.n_attacks == 0 {
                    return Err(bad(format!(
                        "table `{}`: key `risk.n_attacks` = 0: give at least 1 attack",
                        t.name
                    )));
                }
            }
        }
        for a in &self.aggregates {
            match a.kind.as_str() {
                "count" => {}
                "sum" if a.value.is_some() => {}
                "sum" => {
                    return Err(bad(format!(
                        "aggregate `{}`: kind = \"sum\" needs the key `value` (the original column summed)",
                        a.name
                    )))
                }
                other => {
                    return Err(bad(format!(
                        "aggregate `{}`: key `kind` = \"{other}\"; use \"count\" or \"sum\"",
                        a.name
                    )))
                }
            }
            if !(a.sensitivity > 0.0 && a.sensitivity.is_finite()) {
                return Err(bad(format!(
                    "aggregate `{}`: key `sensitivity` must be a positive number",
                    a.name
                )));
            }
        }
        for c in &self.corpora {
            if c.linkage.shingle_words == 0 {
                return Err(bad(format!(
                    "corpus `{}`: key `linkage.shingle_words` = 0: give at least 1 word per shingle",
                    c.name
                )));
            }
            let threshold = c.linkage.threshold;
            if !(threshold.is_finite() && (0.0..=1.0).contains(&threshold)) {
                return Err(bad(format!(
                    "corpus `{}`: key `linkage.threshold` = {threshold}: give a Jaccard similarity in [0, 1]",
                    c.name
                )));
            }
            if let Some(s) = &c.stylometry {
                if c.author.is_none() {
                    return Err(bad(format!(
                        "corpus `{}`: `stylometry` needs the key `author` (the author column)",
                        c.name
                    )));
                }
                if !(s.known_share > 0.0 && s.known_share < 1.0) {
                    return Err(bad(format!(
                        "corpus `{}`: key `stylometry.known_share` = {} must lie strictly between 0 and 1",
                        c.name, s.known_share
                    )));
                }
                if s.min_documents < 2 {
                    return Err(bad(format!(
                        "corpus `{}`: key `stylometry.min_documents` = {}: an author needs at least 2 documents (one known, one to attribute)",
                        c.name, s.min_documents
                    )));
                }
                if let Some(n) = s.sweep_authors.iter().find(|&&n| n < 2) {
                    return Err(bad(format!(
                        "corpus `{}`: key `stylometry.sweep_authors` holds {n}: attributing among fewer than 2 authors is always right; give numbers >= 2",
                        c.name
                    )));
                }
            }
        }
        for t in &self.traces {
            if let Some(b) = t.bucket_seconds.iter().find(|&&b| b < 1) {
                return Err(bad(format!(
                    "traces `{}`: key `bucket_seconds` holds {b}: give widths of at least 1 second",
                    t.name
                )));
            }
            if t.points.contains(&0) {
                return Err(bad(format!(
                    "traces `{}`: key `points` holds 0: give at least 1 point",
                    t.name
                )));
            }
        }
        for (index, claim) in self.claims.iter().enumerate() {
            let at = format!("claim #{} (`{}`)", index + 1, claim.statement());
            claim.kind().check(self, &at).map_err(bad)?;
        }
        Ok(())
    }
}
