//! The audit configuration: a TOML file naming the originals and the release
//! (tables, text corpora, noisy aggregates, event traces), their column roles,
//! the vendor's claims and the attack parameters.
//!
//! Parsing is strict: an unknown key is an error that names the key and its
//! line, and every file the config names must exist (the error names the key
//! and the resolved path). Relative paths are resolved against the folder of
//! the config file. This module only reads and checks the config; it does not
//! open the data files (the audit runner does).
//!
//! A commented example is `datasets/audit-demo.toml`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use super::claims::differential_privacy::PrivacyUnit;
pub use super::claims::ClaimConfig;
pub use super::declarations::*;
use super::AuditError;

/// How the audit runs (beside what the config says).
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Allow strings from original records (unmasked identifiers, author
    /// names) into the report.
    pub include_examples: bool,
}

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
    /// Where the tables' metrics run unless a table says otherwise:
    /// `in-process` (default), `partials:ROWS` or `spark://HOST:PORT`, the
    /// same engines as `reident metrics --engine` (the same code runs).
    #[serde(default)]
    pub engine: Option<String>,
    /// A memory budget for every table unless a table says otherwise
    /// (`memory = "4G"`): the tables' metrics run out of core, as
    /// `reident metrics --memory` runs them (see `TableConfig::memory`).
    #[serde(default)]
    pub memory: Option<String>,
    /// The folder relative paths were resolved against (set by the parser).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// The audit's seed when the configuration gives none (`seed = ...`), also
/// the default `--seed` of the commands that run an audit experiment
/// (`reident stylometry --original --release`).
pub const DEFAULT_SEED: u64 = 42;

fn default_seed() -> u64 {
    DEFAULT_SEED
}
fn default_confidence() -> f64 {
    0.95
}

impl AuditConfig {
    /// The datasets this config declares, as the claims check against them.
    pub fn declared(&self) -> Declared<'_> {
        Declared {
            tables: &self.tables,
            corpora: &self.corpora,
            aggregates: &self.aggregates,
            traces: &self.traces,
        }
    }

    /// The engine of table `t`: its own `engine`, else the audit's, else
    /// in process. Errors name the key.
    pub fn table_engine(&self, t: &TableConfig) -> Result<crate::engine::Engine, AuditError> {
        let (key, text) = match (&t.engine, &self.engine) {
            (Some(e), _) => (format!("table `{}`: key `engine`", t.name), e),
            (None, Some(e)) => ("key `engine`".to_string(), e),
            (None, None) => return Ok(crate::engine::Engine::InProcess),
        };
        crate::engine::Engine::parse(text).map_err(|e| AuditError::Config {
            path: "the audit config".into(),
            message: format!("{key}: {e}"),
        })
    }

    /// The memory budget of table `t`: its own `memory`, else the audit's,
    /// else none (in memory). Errors name the key.
    pub fn table_memory(
        &self,
        t: &TableConfig,
    ) -> Result<Option<crate::engine::MemoryBudget>, AuditError> {
        let (key, text) = match (&t.memory, &self.memory) {
            (Some(m), _) => (format!("table `{}`: key `memory`", t.name), m),
            (None, Some(m)) => ("key `memory`".to_string(), m),
            (None, None) => return Ok(None),
        };
        crate::engine::MemoryBudget::parse(text)
            .map(Some)
            .map_err(|e| AuditError::Config {
                path: "the audit config".into(),
                message: format!("{key}: {e}"),
            })
    }

    /// Where the unicity counts of traces `t` run (its own `engine` key).
    pub fn traces_engine(&self, t: &TracesConfig) -> Result<crate::engine::Engine, AuditError> {
        match &t.engine {
            None => Ok(crate::engine::Engine::InProcess),
            Some(e) => crate::engine::Engine::parse(e).map_err(|e| AuditError::Config {
                path: "the audit config".into(),
                message: format!("traces `{}`: key `engine`: {e}", t.name),
            }),
        }
    }

    /// True when the events of traces `t` live on a Spark cluster.
    fn traces_on_spark(&self, t: &TracesConfig) -> bool {
        matches!(self.traces_engine(t), Ok(crate::engine::Engine::Spark(_)))
    }

    /// True when table `t` lives on a Spark cluster (its `release` and
    /// `original` are not local files).
    fn on_spark(&self, t: &TableConfig) -> bool {
        matches!(self.table_engine(t), Ok(crate::engine::Engine::Spark(_)))
    }

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
        config.resolve_qi_tables(source)?;
        config.base_dir = base.to_path_buf();
        config.apply_export_roles(source)?;
        config.check(source)?;
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        let audit_engine = self.engine.clone();
        for t in &mut self.tables {
            let spark = t
                .engine
                .as_deref()
                .or(audit_engine.as_deref())
                .is_some_and(|e| e.trim().starts_with("spark://") || e.trim().starts_with("sc://"));
            if !spark {
                fix(&mut t.release);
                if let Some(o) = &mut t.original {
                    fix(o);
                }
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
            if let Some(m) = &mut c.embedding_model {
                fix(m);
            }
            if let Some(u) = &mut c.users {
                fix(u);
            }
            if let Some(q) = c
                .pseudonym_linkage
                .as_mut()
                .and_then(|s| s.qi_join.as_mut())
            {
                for p in q.release.iter_mut().chain(q.original.iter_mut()) {
                    fix(p);
                }
                for h in q.hierarchies.values_mut() {
                    fix(h);
                }
            }
        }
        for a in &mut self.aggregates {
            fix(&mut a.original);
            fix(&mut a.release);
            if let Some(c) = &mut a.contributions {
                fix(&mut c.events);
            }
        }
        let on_spark: Vec<bool> = self
            .traces
            .iter()
            .map(|t| self.traces_on_spark(t))
            .collect();
        for (t, spark) in self.traces.iter_mut().zip(on_spark) {
            if !spark {
                fix(&mut t.events);
            }
        }
    }

    /// Fills each `[corpus.pseudonym_linkage.qi_join]` naming a `table` with
    /// that table's settings (for the keys it does not give itself).
    fn resolve_qi_tables(&mut self, source: &str) -> Result<(), AuditError> {
        for c in &mut self.corpora {
            let corpus = c.name.clone();
            let users = c.users.clone();
            let Some(q) = c
                .pseudonym_linkage
                .as_mut()
                .and_then(|s| s.qi_join.as_mut())
            else {
                continue;
            };
            if let Some(name) = &q.table {
                let t = self.tables.iter().find(|t| &t.name == name).ok_or_else(|| {
                    AuditError::Config {
                        path: source.to_string(),
                        message: format!(
                            "corpus `{corpus}`: key `pseudonym_linkage.qi_join.table` = `{name}` names no [[table]] (there are: {})",
                            self.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    }
                })?;
                q.release.get_or_insert_with(|| t.release.clone());
                if q.original.is_none() {
                    q.original = t.original.clone();
                }
                if q.quasi_identifiers.is_empty() {
                    q.quasi_identifiers = t.quasi_identifiers.clone();
                }
                for (k, v) in &t.hierarchies {
                    q.hierarchies.entry(k.clone()).or_insert_with(|| v.clone());
                }
                for (k, v) in &t.original_columns {
                    q.original_columns
                        .entry(k.clone())
                        .or_insert_with(|| v.clone());
                }
                for (k, v) in &t.kinds {
                    q.kinds.entry(k.clone()).or_insert(*v);
                }
            }
            if q.original.is_none() {
                q.original = users;
            }
            let bad = |what: &str| AuditError::Config {
                path: source.to_string(),
                message: format!(
                    "corpus `{corpus}`: `[corpus.pseudonym_linkage.qi_join]` needs {what}"
                ),
            };
            if q.release.is_none() {
                return Err(bad("`release` (the release users table) or `table`"));
            }
            if q.original.is_none() {
                return Err(bad(
                    "`original` (the original users table), `table` or the corpus's `users`",
                ));
            }
            if q.quasi_identifiers.is_empty() {
                return Err(bad("`quasi_identifiers` or `table`"));
            }
        }
        Ok(())
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
            if !self.on_spark(t) {
                files.push((format!("{at}: key `release`"), &t.release));
                if let Some(o) = &t.original {
                    files.push((format!("{at}: key `original`"), o));
                }
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
            if let Some(q) = c
                .pseudonym_linkage
                .as_ref()
                .and_then(|s| s.qi_join.as_ref())
            {
                for (key, p) in [("release", &q.release), ("original", &q.original)] {
                    if let Some(p) = p {
                        files.push((format!("{at}: key `pseudonym_linkage.qi_join.{key}`"), p));
                    }
                }
                for (col, h) in &q.hierarchies {
                    files.push((
                        format!("{at}: key `pseudonym_linkage.qi_join.hierarchies.{col}`"),
                        h,
                    ));
                }
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
        for t in self.traces.iter().filter(|t| !self.traces_on_spark(t)) {
            files.push((format!("traces `{}`: key `events`", t.name), &t.events));
        }
        files
    }

    /// Pairs of inputs that must be different files: a release is never its
    /// own original (or control set), with the labels that name them in errors.
    fn distinct_input_pairs(&self) -> Vec<(String, &PathBuf, String, &PathBuf)> {
        let mut pairs = Vec::new();
        for t in self.tables.iter().filter(|t| !self.on_spark(t)) {
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
    /// Fills a corpus's `table`, `id`, `text` and `author` from its export
    /// format's roles where the config leaves them out, and requires `text`
    /// and `id` of a corpus without a format.
    fn apply_export_roles(&mut self, source: &str) -> Result<(), AuditError> {
        use crate::data::sources::{corpus_roles, SourceFormat};
        let bad = |message: String| AuditError::Config {
            path: source.to_string(),
            message,
        };
        for c in &mut self.corpora {
            // A corpus whose original is a git repository's folder is `git`
            // without saying so (a folder is no table file).
            if c.format.is_none() && crate::data::sources::git::is_repository(&c.original) {
                c.format = Some(SourceFormat::Git.name().to_string());
            }
            let Some(name) = &c.format else {
                if c.text.is_empty() || c.id.is_empty() {
                    return Err(bad(format!(
                        "corpus `{}`: give the keys `text` and `id` (the text and document id columns), or `format` for an export reident reads directly",
                        c.name
                    )));
                }
                continue;
            };
            let format = SourceFormat::parse(name)
                .map_err(|e| bad(format!("corpus `{}`: key `format`: {e}", c.name)))?;
            let table = c
                .table
                .clone()
                .unwrap_or_else(|| format.default_corpus_table().to_string());
            let roles = corpus_roles(format, &table).ok_or_else(|| {
                bad(format!(
                    "corpus `{}`: a `{}` export has no document table `{table}`; it has: {}",
                    c.name,
                    format.name(),
                    format.corpus_tables().join(", ")
                ))
            })?;
            c.table = Some(table);
            if c.id.is_empty() {
                c.id = roles.id.to_string();
            }
            if c.text.is_empty() {
                c.text = TextColumns::Many(roles.text.iter().map(|t| t.to_string()).collect());
            }
            if c.author.is_none() {
                c.author = Some(roles.author.to_string());
            }
            if c.users.is_none() && c.user_columns == super::declarations::default_user_columns() {
                // The export's own users table (see `run_corpus`).
                c.user_columns = vec!["user_id".into(), "display_name".into()];
                if format == SourceFormat::JiraPipeline {
                    c.user_columns.extend(["email".into(), "user_key".into()]);
                }
            }
        }
        Ok(())
    }

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
        // The engines first: a Spark table's `release` is no local file.
        for t in &self.tables {
            self.table_engine(t).map_err(|e| match e {
                AuditError::Config { message, .. } => bad(message),
                other => other,
            })?;
        }
        // An export read through `format` may be a folder (the Data
        // pipeline export's CSV files).
        let folders: Vec<&PathBuf> = self
            .corpora
            .iter()
            .filter(|c| c.format.is_some())
            .flat_map(|c| [&c.original, &c.release])
            .chain(
                self.traces
                    .iter()
                    .filter(|t| t.format.is_some())
                    .map(|t| &t.events),
            )
            .collect();
        for (key, path) in self.named_files() {
            if !(path.is_file() || (path.is_dir() && folders.contains(&path))) {
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
            let engine = self.table_engine(t)?;
            let memory = self.table_memory(t).map_err(|e| match e {
                AuditError::Config { message, .. } => bad(message),
                other => other,
            })?;
            if memory.is_some() {
                let what = if let crate::engine::Engine::Partials(_) = engine {
                    Some("key `engine` = \"partials:...\" (the out-of-core run is an in-process engine of its own; use one of the two)")
                } else if t.subject.is_some() {
                    Some("key `subject` (persons per class need the rows)")
                } else {
                    None
                };
                if let Some(what) = what {
                    return Err(bad(format!(
                        "table `{}`: key `memory` cannot be combined with {what}",
                        t.name
                    )));
                }
            }
            if engine != crate::engine::Engine::InProcess && t.subject.is_some() {
                return Err(bad(format!(
                    "table `{}`: key `subject` needs the rows, which the engine `{}` does not bring back; remove `engine` for this table (in process)",
                    t.name,
                    t.engine.as_deref().or(self.engine.as_deref()).unwrap_or_default()
                )));
            }
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
            for (column, recipe) in &t.hierarchy_recipes {
                let at = format!("table `{}`: key `hierarchy_recipes.{column}`", t.name);
                if !t.quasi_identifiers.contains(column) {
                    return Err(bad(format!(
                        "{at}: `{column}` is not a quasi-identifier of the table"
                    )));
                }
                if t.hierarchies.contains_key(column) {
                    return Err(bad(format!(
                        "{at}: the column has a hierarchy file (`hierarchies.{column}`); give one or the other"
                    )));
                }
                if !t.build_hierarchies {
                    return Err(bad(format!(
                        "{at}: `build_hierarchies = false` turns building off; remove one of the two keys"
                    )));
                }
                let parsed = crate::data::hierarchy_build::HierarchyRecipe::parse(recipe)
                    .map_err(|why| {
                        bad(format!(
                            "{at} = \"{recipe}\": {why}; use intervals:W1,W2,..., masks, dates or release"
                        ))
                    })?;
                if parsed == crate::data::hierarchy_build::HierarchyRecipe::FromRelease
                    && t.truth.is_none()
                {
                    return Err(bad(format!(
                        "{at} = \"release\" needs the table's `truth` key (which release row came from which original row)"
                    )));
                }
                if t.original.is_none() {
                    return Err(bad(format!(
                        "{at}: hierarchies are built from the originals; give the table's `original`"
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
            match self.traces_engine(t)? {
                crate::engine::Engine::Partials(_) => {
                    return Err(bad(format!(
                        "traces `{}`: key `engine`: traces run `in-process` or on `spark://HOST:PORT`",
                        t.name
                    )))
                }
                crate::engine::Engine::Spark(_) if t.format.is_some() => {
                    return Err(bad(format!(
                        "traces `{}`: key `format` needs the export read in process; drop `engine` or give the events as a table",
                        t.name
                    )))
                }
                _ => {}
            }
            if let Some(format) = &t.format {
                use crate::data::sources::SourceFormat;
                match SourceFormat::parse(format) {
                    Ok(f) if f.events_table().is_some() => {}
                    Ok(other) => {
                        return Err(bad(format!(
                            "traces `{}`: key `format` is `{}`, which holds documents, not events; traces take `atlassian-audit-log` or `jira-pipeline` (its issue history)",
                            t.name,
                            other.name()
                        )))
                    }
                    Err(e) => return Err(bad(format!("traces `{}`: key `format`: {e}", t.name))),
                }
            }
        }
        for (index, claim) in self.claims.iter().enumerate() {
            let at = format!("claim #{} (`{}`)", index + 1, claim.statement());
            claim.kind().check(&self.declared(), &at).map_err(bad)?;
        }
        Ok(())
    }
}
