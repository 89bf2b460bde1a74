//! The joint pseudonym attack ([`crate::attacks::pseudonym_linkage`]) on one
//! `[[corpus]]` with a `[corpus.pseudonym_linkage]` section: reads the
//! corpus's columns (text, id, author, timestamp, group, identifier
//! columns) and its users table, runs the experiment and scores it
//! ([`crate::eval::pseudonym_linkage`]). The audit and `reident pseudonyms`
//! both call [`run_pseudonym_linkage`] / the same core, so they give the
//! same numbers on the same files.

use std::collections::BTreeMap;

use polars::prelude::DataFrame;

use crate::attacks::pseudonym_linkage::{
    experiment, Document, ExperimentInput, ExperimentParams, PseudonymLinkageParams,
};
use crate::attacks::unicity::parse_timestamp;
use crate::audit::config::{CorpusConfig, PseudonymLinkageConfig, QiJoinConfig};
use crate::audit::AuditError;
use crate::data::sources::{self, SourceFormat};
use crate::data::{read_frame, text_column, ReadOptions};
use crate::eval::pseudonym_linkage::{
    score_experiment, PseudonymLinkageRun, PseudonymLinkageScore,
};

/// Reads corpus `c`'s files and runs its joint pseudonym attack with the
/// audit's `seed`, scored at `precision` with intervals at `level`.
pub fn run_pseudonym_linkage(
    c: &CorpusConfig,
    seed: u64,
    precision: f64,
    level: f64,
) -> Result<PseudonymLinkageRun, AuditError> {
    let opts = ReadOptions::default();
    let (original, release, users) = match (&c.format, &c.table) {
        (Some(format), table) => {
            let format = SourceFormat::parse(format)?;
            let o = sources::import(&c.original, Some(format))?;
            let r = sources::import(&c.release, Some(format))?;
            let table = table.clone().unwrap_or_else(|| "comments".into());
            let users = match &c.users {
                Some(_) => None,
                None => Some((
                    format!("{} (users)", c.original.display()),
                    o.table("users")?.to_frame()?,
                )),
            };
            (
                o.table(&table)?.to_frame()?,
                r.table(&table)?.to_frame()?,
                users,
            )
        }
        _ => (
            read_frame(&c.original, &opts)?,
            read_frame(&c.release, &opts)?,
            None,
        ),
    };
    let users = match (&c.users, users) {
        (Some(p), _) => Some((p.display().to_string(), read_frame(p, &opts)?)),
        (None, u) => u,
    };
    run_on_frames(
        c,
        &original,
        &release,
        users.as_ref(),
        seed,
        precision,
        level,
    )
}

fn dataset_error(c: &CorpusConfig, message: String) -> AuditError {
    AuditError::Dataset {
        dataset: format!("corpus `{}`", c.name),
        message,
    }
}

/// The section of `c`, or an error naming it.
fn section(c: &CorpusConfig) -> Result<&PseudonymLinkageConfig, AuditError> {
    c.pseudonym_linkage
        .as_ref()
        .ok_or_else(|| dataset_error(c, "has no `[corpus.pseudonym_linkage]` section".to_string()))
}

fn documents(
    frame: &DataFrame,
    source: &str,
    c: &CorpusConfig,
    s: &PseudonymLinkageConfig,
    fields: &[String],
) -> Result<(Vec<String>, Vec<Document>), AuditError> {
    let n = frame.height();
    let ids = text_column(frame, &c.id, source)?;
    let texts = super::joined_texts(frame, &c.text.names(), source)?;
    let times = match &s.timestamp {
        Some(col) => {
            let v = text_column(frame, col, source)?;
            let mut out = Vec::with_capacity(n);
            for (row, t) in v.into_iter().enumerate() {
                out.push(match t {
                    None => None,
                    Some(t) => Some(parse_timestamp(&t).ok_or_else(|| {
                        dataset_error(
                            c,
                            format!(
                                "{source}: row {}: column `{col}` value `{t}` is not an ISO 8601 timestamp or Unix seconds",
                                row + 1
                            ),
                        )
                    })?),
                });
            }
            out
        }
        None => vec![None; n],
    };
    let groups = match &s.group {
        Some(col) => text_column(frame, col, source)?
            .into_iter()
            .map(|g| {
                g.map(|g| match (s.group_prefix, g.split_once('-')) {
                    (true, Some((head, _))) => head.to_string(),
                    _ => g,
                })
            })
            .collect(),
        None => vec![None; n],
    };
    let field_values = fields
        .iter()
        .map(|f| text_column(frame, f, source))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out_ids = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    for row in 0..n {
        let Some(id) = ids[row].clone() else {
            return Err(dataset_error(
                c,
                format!(
                    "{source}: row {}: the id column `{}` is empty",
                    row + 1,
                    c.id
                ),
            ));
        };
        out_ids.push(id);
        docs.push(Document {
            text: texts[row].clone().unwrap_or_default(),
            time: times[row],
            group: groups[row].clone(),
            fields: field_values.iter().filter_map(|v| v[row].clone()).collect(),
        });
    }
    Ok((out_ids, docs))
}

/// The core the audit (with the frames it already read) and
/// [`run_pseudonym_linkage`] share.
pub(crate) fn run_on_frames(
    c: &CorpusConfig,
    original: &DataFrame,
    release: &DataFrame,
    users: Option<&(String, DataFrame)>,
    seed: u64,
    precision: f64,
    level: f64,
) -> Result<PseudonymLinkageRun, AuditError> {
    let s = section(c)?;
    let Some(author) = &c.author else {
        return Err(dataset_error(
            c,
            "the joint pseudonym attack needs the `author` column".into(),
        ));
    };
    let o_source = c.original.display().to_string();
    let r_source = c.release.display().to_string();
    let release_columns: Vec<String> = release
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let text_names = c.text.names();
    // Identifier columns the release also has (and that are not text) are
    // joined against the candidates' identifiers.
    let fields: Vec<String> = c
        .identifier_columns
        .iter()
        .filter(|f| release_columns.contains(f) && !text_names.contains(f))
        .cloned()
        .collect();
    let (o_ids, o_docs) = documents(original, &o_source, c, s, &fields)?;
    let (r_ids, r_docs) = documents(release, &r_source, c, s, &fields)?;
    let o_authors = text_column(original, author, &o_source)?;
    let r_pseudonyms = text_column(release, author, &r_source)?;

    // What the attacker knows of each person's identifiers: the users table
    // (login first) and the originals' identifier columns.
    let mut identifiers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some((u_source, frame)) = users {
        let cols = c
            .user_columns
            .iter()
            .map(|col| text_column(frame, col, u_source))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some((logins, others)) = cols.split_first() {
            for (row, login) in logins.iter().enumerate() {
                if let Some(login) = login {
                    identifiers
                        .entry(login.clone())
                        .or_default()
                        .extend(others.iter().filter_map(|o| o[row].clone()));
                }
            }
        }
    }
    for col in &c.identifier_columns {
        if col == author {
            continue;
        }
        let v = text_column(original, col, &o_source)?;
        for (a, x) in o_authors.iter().zip(v) {
            if let (Some(a), Some(x)) = (a, x) {
                let e = identifiers.entry(a.clone()).or_default();
                if !e.contains(&x) {
                    e.push(x);
                }
            }
        }
    }

    let mut attack = PseudonymLinkageParams {
        seed,
        ..PseudonymLinkageParams::default()
    };
    attack.shingle_words = c.linkage.shingle_words;
    attack.link_threshold = c.linkage.threshold;
    if let Some(st) = &c.stylometry {
        attack.stylometry = st.attack_params(seed)?.pipeline;
    }
    if let Some(signals) = &s.signals {
        attack.signals = signals.clone();
    }
    let qi_compatible = match &s.qi_join {
        Some(q) => qi_compatible(c, q)?,
        None => BTreeMap::new(),
    };
    let params = ExperimentParams {
        known_share: s.known_share,
        min_documents: s.min_documents,
        pooling_sizes: s.pooling_sizes.clone(),
        attack,
    };
    let e = experiment(
        &ExperimentInput {
            original_ids: &o_ids,
            original_authors: &o_authors,
            original: &o_docs,
            release_ids: &r_ids,
            release_pseudonyms: &r_pseudonyms,
            release: &r_docs,
            identifiers: &identifiers,
            qi_compatible: &qi_compatible,
        },
        &params,
    )
    .map_err(|e| dataset_error(c, e.to_string()))?;
    let scores = score_experiment(&e, precision, level)?;
    Ok(PseudonymLinkageRun {
        experiment: e,
        scores,
    })
}

/// The QI join of `q`'s release users table (keyed by pseudonym) with its
/// original users table (keyed by login), by
/// [`crate::attacks::linkage::qi_join::compatible_originals`]: pseudonym ->
/// logins whose quasi-identifiers its (generalized) values cover.
fn qi_compatible(
    c: &CorpusConfig,
    q: &QiJoinConfig,
) -> Result<BTreeMap<String, Vec<String>>, AuditError> {
    use crate::attacks::linkage::qi_join::compatible_originals;
    use crate::data::{load_table, Hierarchy, MissingPolicy};
    use std::collections::HashMap;
    let (Some(release_path), Some(original_path)) = (&q.release, &q.original) else {
        return Err(dataset_error(
            c,
            "`[corpus.pseudonym_linkage.qi_join]` needs a release and an original users table"
                .into(),
        ));
    };
    let opts = ReadOptions::default();
    let missing = MissingPolicy::default();
    let original_name = |r: &str| {
        q.original_columns
            .get(r)
            .cloned()
            .unwrap_or_else(|| r.to_string())
    };
    let mut r_cols: Vec<&str> = q.quasi_identifiers.iter().map(String::as_str).collect();
    r_cols.push(&q.release_key);
    let o_names: Vec<String> = q
        .quasi_identifiers
        .iter()
        .map(|n| original_name(n))
        .chain(std::iter::once(q.original_key.clone()))
        .collect();
    let o_cols: Vec<&str> = o_names.iter().map(String::as_str).collect();
    let release = load_table(release_path, &r_cols, &opts, &missing)?;
    let mut original = load_table(original_path, &o_cols, &opts, &missing)?;
    for (col, name) in original.columns.iter_mut().zip(&q.quasi_identifiers) {
        col.name = name.clone();
    }
    let mut hierarchies = HashMap::new();
    for (column, path) in &q.hierarchies {
        hierarchies.insert(column.clone(), Hierarchy::from_arx_csv(path, column)?);
    }
    let kinds: HashMap<String, crate::data::ValueKind> =
        q.kinds.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let sets = compatible_originals(
        &original,
        &release,
        &q.quasi_identifiers,
        &hierarchies,
        &kinds,
    )
    .map_err(|e| dataset_error(c, format!("QI join of the users tables: {e}")))?;
    let (Some(keys), Some(logins)) = (
        release.column(&q.release_key),
        original.column(&q.original_key),
    ) else {
        return Err(dataset_error(c, "users tables: key column missing".into()));
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (r, set) in sets.into_iter().enumerate() {
        if keys.is_missing_code(keys.codes[r]) {
            continue;
        }
        let e = out.entry(keys.value(r).to_string()).or_default();
        e.extend(
            set.into_iter()
                .filter(|&o| !logins.is_missing_code(logins.codes[o]))
                .map(|o| logins.value(o).to_string()),
        );
    }
    Ok(out)
}

/// The report's charts of corpus `name`'s joint attack: precision vs
/// coverage (fused and each signal that ran) and the pooling curve.
pub(crate) fn charts(
    name: &str,
    s: &PseudonymLinkageScore,
) -> Result<Vec<crate::report::Chart>, AuditError> {
    use crate::report::charts::{self, NamedCurve};
    let curve = |a: &crate::eval::pseudonym_linkage::AttackScore| {
        a.curve
            .iter()
            .map(|p| (p.coverage, p.precision))
            .collect::<Vec<_>>()
    };
    let mut curves = Vec::new();
    if !s.fused.curve.is_empty() {
        curves.push(NamedCurve::new("fused", curve(&s.fused)));
    }
    for sig in &s.signals {
        if !sig.curve.is_empty() {
            curves.push(NamedCurve::new(sig.name.clone(), curve(sig)));
        }
    }
    let mut out = Vec::new();
    if !curves.is_empty() {
        out.push(
            charts::precision_vs_coverage(&curves, s.target_precision)?
                .renamed(format!("{name}_pseudonym_precision_coverage"))?,
        );
    }
    let pooling: Vec<(f64, f64)> = s
        .pooling
        .iter()
        .map(|&(d, n, c)| (d as f64, c as f64 / n as f64))
        .collect();
    if !pooling.is_empty() {
        out.push(
            charts::pooling_curve(&[NamedCurve::new("fused", pooling)])?
                .renamed(format!("{name}_pseudonym_pooling"))?,
        );
    }
    Ok(out)
}

/// The report's key-value rows of a run (no names of people).
pub(crate) fn summary_rows(run: &PseudonymLinkageRun) -> Vec<(String, String)> {
    let s = &run.scores;
    let e = &run.experiment;
    let mut rows = vec![
        (
            "pseudonyms / candidates".to_string(),
            format!("{} / {}", s.pseudonyms, s.candidates),
        ),
        (
            "known documents (attacker's share of the originals)".to_string(),
            e.known_documents.to_string(),
        ),
        (
            "release documents resolved to an original author by id".to_string(),
            format!("{} of {}", e.resolved_documents, e.release_documents),
        ),
    ];
    let line = |a: &crate::eval::pseudonym_linkage::AttackScore| match &a.skipped {
        Some(why) => format!("did not run ({why})"),
        None => format!(
            "{} named at {:.0}% precision ({:.4} [{:.4}, {:.4}]); {} correct top-1",
            a.named_at_precision,
            s.target_precision * 100.0,
            a.share_at_precision,
            a.share_interval.low,
            a.share_interval.high,
            a.correct_top1
        ),
    };
    rows.push(("fused".to_string(), line(&s.fused)));
    for sig in &s.signals {
        let w = e
            .attack
            .signals
            .iter()
            .find(|r| r.kind.name() == sig.name)
            .and_then(|r| r.weight)
            .map_or(String::new(), |w| format!(" (weight {w:.3})"));
        rows.push((format!("signal {}{w}", sig.name), line(sig)));
    }
    rows.push((
        "attacker's own rule (margin threshold learned on its known writing)".to_string(),
        format!(
            "threshold {:.3}: {} named, {} correct",
            s.threshold, s.attacker_named, s.attacker_correct
        ),
    ));
    rows.push((
        "authorship-k (candidates within the margin): median; distribution".to_string(),
        format!(
            "{}; {}",
            s.median_authorship_k
                .map_or("n/a".into(), |k| k.to_string()),
            s.authorship_k
                .iter()
                .map(|(k, n)| format!("k={k}: {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
    for &(d, n, c) in &s.pooling {
        rows.push((
            format!("pooling: {d} documents per pseudonym"),
            format!("{c} of {n} pseudonyms correct"),
        ));
    }
    rows
}
