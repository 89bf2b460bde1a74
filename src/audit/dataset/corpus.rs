//! Corpora: document linkage, the identifier leak scan, redaction recovery and
//! the hash dictionary attack; stylometry in [`super::stylometry`].

use super::{joined_texts, run_stylometry, text_values, CorpusFacts};
use crate::attacks::text::{
    audit_text, IdentifierSet, LinkageConfig, ShingleConfig, ShingleUnit, TextAuditConfig,
    TruthKey, Verification,
};
use crate::audit::config::AuditOptions;
use crate::audit::config::{AuditConfig, CorpusConfig};
use crate::audit::facts::classifier_label;
use crate::audit::AuditError;
use crate::data::sources::{self, SourceFormat};
use crate::data::{read_frame, Corpus, ReadOptions};
use crate::eval::document_linkage::score_text_report;
use crate::report::charts::{self, NamedCurve};
use crate::report::{Chart, Section, Table};

/// Progress steps [`run_corpus`] reports: the text attacks, then with
/// `[corpus.stylometry]` the attribution and the sweep over authors, and
/// with `embedding_model` the semantic linkage.
pub(crate) fn steps(c: &CorpusConfig) -> u64 {
    1 + c.embedding_model.is_some() as u64
        + c.pseudonym_linkage.is_some() as u64
        + c.stylometry
            .as_ref()
            .map_or(0, |s| 1 + !s.sweep_authors.is_empty() as u64)
}

pub(crate) fn run_corpus(
    c: &CorpusConfig,
    config: &AuditConfig,
    options: &AuditOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Box<CorpusFacts>, AuditError> {
    let dataset = format!("corpus `{}`", c.name);
    if let Some(dir) = &c.embedding_model {
        crate::audit::semantic::check_model_dir(dir)?;
    }
    let opts = ReadOptions::default();
    let o_source = c.original.display().to_string();
    let r_source = c.release.display().to_string();
    // An export is imported (both sides in the same format) and its document
    // table taken; its users table stands in for `users` when none is given.
    let mut export_users = None;
    let (original_df, release_df) = match (&c.format, &c.table) {
        (Some(format), Some(table)) => {
            let format = SourceFormat::parse(format)?;
            let original = sources::import(&c.original, Some(format))?;
            let release = sources::import(&c.release, Some(format))?;
            if c.users.is_none() {
                export_users = Some(original.table("users")?.to_frame()?);
            }
            (
                original.table(table)?.to_frame()?,
                release.table(table)?.to_frame()?,
            )
        }
        _ => (
            read_frame(&c.original, &opts)?,
            read_frame(&c.release, &opts)?,
        ),
    };
    let text_columns = c.text.names();
    let o_ids = text_values(&original_df, &c.id, &o_source)?;
    let r_ids = text_values(&release_df, &c.id, &r_source)?;
    let o_texts = joined_texts(&original_df, &text_columns, &o_source)?;
    let r_texts = joined_texts(&release_df, &text_columns, &r_source)?;
    let original = Corpus::new(&o_source, o_ids, o_texts)?;
    let release = Corpus::new(&r_source, r_ids, r_texts)?;
    let truth = TruthKey::same_ids(&release, &original)?;

    let mut identifiers = IdentifierSet::new();
    let users_frame = match (&c.users, export_users) {
        (Some(path), _) => Some((path.display().to_string(), read_frame(path, &opts)?)),
        (None, Some(frame)) => Some((format!("{o_source} (users)"), frame)),
        (None, None) => None,
    };
    if let Some((u_source, users)) = &users_frame {
        let cols = c
            .user_columns
            .iter()
            .map(|col| text_values(users, col, u_source))
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
    let raw = audit_text(
        &original,
        &release,
        Some(&truth),
        &identifiers,
        &hash_columns,
        &text_config,
        &mut |_| {},
    )?;
    let semantic = match &c.embedding_model {
        Some(dir) => {
            let mut s = crate::audit::semantic::semantic_linkage(
                dir,
                &original,
                &release,
                Some(&truth),
                &raw.linkage,
                &crate::attacks::text::semantic::SemanticConfig::default(),
                config.confidence,
            )?;
            s.linkage.links.clear();
            progress(&format!("{dataset}: semantic linkage ({})", s.model));
            crate::data::cancel::check()?;
            Some(s)
        }
        None => None,
    };
    let mut text = score_text_report(raw)?;
    // Per-document links are ids only but add nothing a reader needs.
    text.linkage.links.clear();
    progress(&format!(
        "{dataset}: document linkage, leak scan, recovery, hashes"
    ));
    crate::data::cancel::check()?;

    let mut charts = Vec::new();
    let pr: Vec<(f64, f64)> = text
        .linkage
        .pr_curve
        .iter()
        .map(|p| (p.recall, p.precision))
        .collect();
    let mut curves = Vec::new();
    if !pr.is_empty() {
        curves.push(NamedCurve::new("MinHash-LSH + Jaccard", pr));
    }
    if let Some(s) = &semantic {
        let pr: Vec<(f64, f64)> = s
            .scores
            .pr_curve
            .iter()
            .map(|p| (p.recall, p.precision))
            .collect();
        if !pr.is_empty() {
            curves.push(NamedCurve::new("semantic (embedding cosine)", pr));
        }
    }
    if !curves.is_empty() {
        let caption = if semantic.is_some() {
            "Precision and recall of document linkage over the similarity threshold: Jaccard of \
             shingles for MinHash, cosine of sentence embeddings for the semantic attack."
        } else {
            "Precision and recall of document linkage over the similarity threshold."
        };
        charts.push(
            charts::precision_recall_curve(&curves)?
                .with_caption(caption)
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
    let pseudonym_linkage = match &c.pseudonym_linkage {
        Some(_) => {
            let run = super::pseudonyms::run_on_frames(
                c,
                &original_df,
                &release_df,
                users_frame.as_ref(),
                config.seed,
                crate::eval::pseudonym_linkage::DEFAULT_PRECISION,
                config.confidence,
            )?;
            charts.extend(super::pseudonyms::charts(&c.name, &run.scores)?);
            progress(&format!("{dataset}: joint pseudonym attack"));
            crate::data::cancel::check()?;
            Some(run)
        }
        None => None,
    };
    Ok(Box::new(CorpusFacts {
        name: c.name.clone(),
        text,
        stylometry,
        semantic,
        pseudonym_linkage,
        charts,
    }))
}

pub(crate) fn corpus_section(c: CorpusFacts) -> Result<(Section, Vec<Chart>), AuditError> {
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
    match &c.semantic {
        None => rows.push((
            "semantic linkage".to_string(),
            "not run (no embedding_model)".to_string(),
        )),
        Some(s) => {
            rows.push(("semantic linkage model".to_string(), s.model.clone()));
            let line = |x: &crate::eval::text_linkage_semantic::ScoredLinkCounts| {
                let iv = |i: &Option<crate::eval::Interval>| {
                    i.map_or("n/a".to_string(), |i| {
                        format!("{:.4} [{:.4}, {:.4}]", i.point, i.low, i.high)
                    })
                };
                format!(
                    "{} linked, {} to their original (rate {}, precision {})",
                    x.counts.linked,
                    x.counts.correct,
                    iv(&x.reidentification),
                    iv(&x.precision)
                )
            };
            rows.push((
                "semantic linkage search".to_string(),
                s.linkage.search.to_string(),
            ));
            rows.push(("semantic linkage".to_string(), line(&s.scores.semantic)));
            rows.push(("MinHash linkage".to_string(), line(&s.scores.minhash)));
            rows.push((
                "combined linkage (stronger per document)".to_string(),
                line(&s.scores.combined),
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
        let classifier = match &s.choice {
            None => classifier_label(s.classifier),
            Some(c) => format!(
                "{} (the attacker's choice: best of {} methods, {}-fold cross-validation on the known writing)",
                c.chosen_label(),
                c.suite.len(),
                c.folds
            ),
        };
        let mut rows = vec![
            ("classifier".to_string(), classifier),
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
        if let Some(c) = &s.choice {
            for m in &c.suite {
                rows.push((
                    format!("known-writing cross-validated accuracy: {}", m.label),
                    format!("{:.4}", m.cv_top1_accuracy),
                ));
            }
            for w in &c.warnings {
                rows.push(("warning".to_string(), w.clone()));
            }
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
    if let Some(run) = &c.pseudonym_linkage {
        section = section
            .paragraph(
                "Joint pseudonym attack: every signal (identifier and unsalted-hash joins, \
                 near-duplicate documents, rare shared tokens, pooled stylometry, activity \
                 profiles, and a QI join with a users table when one is configured) scores each \
                 release pseudonym against each candidate; the scores are fused by a conditional \
                 logit whose weights the attacker learns on its own known writing (the margin of \
                 an assignment is the log posterior odds of the assigned candidate against the \
                 runner-up) and solved as one one-to-one assignment. A pseudonym counts as named at 95% precision when, ranked \
                 by its assignment's margin over the runner-up, it lies within the largest prefix \
                 whose precision is at least 95%.",
            )
            .table(Table::key_value(
                "Joint pseudonym attack",
                super::pseudonyms::summary_rows(run),
            ))
            .result("pseudonym_linkage", &run.scores)?;
    }
    for chart in &c.charts {
        section = section.chart(chart.name.clone(), chart.caption.clone());
    }
    if let Some(s) = &c.semantic {
        section = section.result("semantic_linkage", s)?;
    }
    let section = section.result("text_attacks", &c.text)?;
    Ok((section, c.charts))
}
