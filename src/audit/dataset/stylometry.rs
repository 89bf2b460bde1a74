//! Stylometric attribution of a corpus's release documents, one by one and
//! pooled per release pseudonym, by the library's one pseudonym-level attack
//! ([`crate::attacks::stylometry::pseudonym::pseudonym_attack`], run and
//! scored by [`crate::eval::release_attack::attack_release`], as `reident
//! stylometry --original --release` runs it); this file turns its result
//! into facts and charts.

use polars::prelude::DataFrame;

use super::{text_values, StylometryFacts};
use crate::attacks::stylometry::pseudonym::PseudonymAttackInput;
use crate::audit::config::{AuditConfig, CorpusConfig};
use crate::audit::facts::classifier_label;
use crate::audit::AuditError;
use crate::data::Corpus;
use crate::eval::attribution::Evaluation;
use crate::eval::cross_validation::sweep_authors;
use crate::eval::release_attack::attack_release;
use crate::eval::roc::{equal_error_rate, roc_curve};
use crate::eval::EvalError;
use crate::report::charts::{self, NamedCurve};
use crate::report::Chart;

#[allow(clippy::too_many_arguments)]
pub(crate) fn run_stylometry(
    c: &CorpusConfig,
    s: &crate::audit::config::StylometryConfig,
    author_column: &str,
    (original, original_df): (&Corpus, &DataFrame),
    (release, release_df): (&Corpus, &DataFrame),
    config: &AuditConfig,
    charts_out: &mut Vec<Chart>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StylometryFacts, AuditError> {
    // Ids and texts come from the corpora the text attacks used (row for row
    // the files' rows); only the author columns are read here. The attack is
    // the library's one pseudonym-level attack, which the CLI runs too.
    let dataset = format!("corpus `{}`", c.name);
    let o_authors = text_values(
        original_df,
        author_column,
        &c.original.display().to_string(),
    )?;
    let r_authors = text_values(release_df, author_column, &c.release.display().to_string())?;
    let params = s.attack_params(config.seed)?;
    let suite = s.attack_suite(config.seed)?;
    // The split, the attack and its scoring are the library's one function
    // (eval::release_attack::attack_release), which `reident stylometry
    // --original --release` runs too.
    let scored = attack_release(
        PseudonymAttackInput {
            original,
            original_authors: &o_authors,
            release,
            release_pseudonyms: &r_authors,
        },
        &params,
        &suite,
    )
    .map_err(|e| match e {
        EvalError::Stylometry(e) => AuditError::Dataset {
            dataset: dataset.clone(),
            message: e.to_string(),
        },
        e => e.into(),
    })?;
    let attack = &scored.attack;
    let authors = &attack.authors;
    let attribution = &attack.attribution;
    let (scores, truth) = (&attribution.document_scores, &attribution.document_truth);
    let doc_eval = &scored.scores.documents;
    let pseudonym_eval: Option<&Evaluation> = scored.scores.pseudonyms.as_ref();

    // One-vs-rest verification ROC over every (document, candidate) pair.
    let mut flat_scores = Vec::with_capacity(scores.len());
    let mut flat_labels = Vec::with_capacity(scores.len());
    for (row, &t) in scores.rows().into_iter().zip(truth) {
        for (a, &v) in row.iter().enumerate() {
            flat_scores.push(v);
            flat_labels.push(a == t);
        }
    }
    let roc = roc_curve(&flat_scores, &flat_labels).ok();
    let eer = roc.as_ref().and_then(|r| equal_error_rate(r).ok());
    progress(&format!("{dataset}: stylometric attribution"));
    crate::data::cancel::check()?;

    let top = |e: &Evaluation| -> Vec<(usize, f64)> {
        e.top_k.iter().take(20).map(|p| (p.k, p.accuracy)).collect()
    };
    let mut curves = vec![NamedCurve::new(
        "documents",
        top(doc_eval).iter().map(|&(k, a)| (k as f64, a)).collect(),
    )];
    if let Some(p) = pseudonym_eval {
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
        let corpus = &attack.eligible;
        let counts: Vec<usize> = s
            .sweep_authors
            .iter()
            .copied()
            .filter(|&m| m >= 2 && m <= corpus.authors.len())
            .collect();
        if !counts.is_empty() {
            let points = sweep_authors(
                corpus,
                &attack.pipeline,
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
                    scored.choice.as_ref().map_or_else(
                        || classifier_label(attack.pipeline.classifier.kind),
                        |c| c.chosen_label().to_string(),
                    ),
                    acc,
                )])?
                .renamed(format!("{}_accuracy_vs_authors", c.name))?,
            );
        }
        progress(&format!("{dataset}: accuracy vs number of authors"));
        crate::data::cancel::check()?;
    }

    Ok(StylometryFacts {
        classifier: attack.pipeline.classifier.kind,
        choice: scored.choice.clone(),
        features: s.features.clone(),
        candidate_authors: authors.len(),
        known_documents: attack.known_documents,
        attributed_documents: doc_eval.n_documents,
        document_top1: doc_eval.top1_accuracy,
        document_correct: doc_eval.correct(),
        document_macro_f1: doc_eval.macro_f1,
        pseudonyms: pseudonym_eval.map_or(0, |e| e.n_documents),
        pseudonym_top1: pseudonym_eval.map(|e| e.top1_accuracy),
        pseudonym_correct: pseudonym_eval.map(Evaluation::correct),
        chance: doc_eval.chance_top1,
        document_top_k: top(doc_eval),
        pseudonym_top_k: pseudonym_eval.map(top).unwrap_or_default(),
        verification_auc: roc.as_ref().map(|r| r.auc),
        verification_eer: eer.map(|e| e.eer),
        authors_left_out: attack.authors_left_out,
        held_out_documents: attack.held_out_documents,
        held_out_in_release: attack.held_out_in_release,
        accuracy_vs_authors: sweep,
        scored,
    })
}
