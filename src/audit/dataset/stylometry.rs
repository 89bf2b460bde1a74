//! Stylometric attribution of a corpus's release documents, one by one and
//! pooled per release pseudonym.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use ndarray::Array2;
use polars::prelude::DataFrame;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{text_values, StylometryFacts};
use crate::attacks::stylometry::corpus::Corpus as StyloCorpus;
use crate::attacks::stylometry::features::{FeatureConfig, FeatureKind};
use crate::attacks::stylometry::normalize::Normalization;
use crate::attacks::stylometry::pipeline::{
    ClassifierKind, ClassifierSpec, FittedPipeline, PipelineConfig,
};
use crate::attacks::stylometry::pooling::pool_scores;
use crate::attacks::text::Corpus as TextCorpus;
use crate::audit::config::{AuditConfig, CorpusConfig};
use crate::audit::facts::classifier_label;
use crate::audit::AuditError;
use crate::eval::attribution::{evaluate_scores, Evaluation};
use crate::eval::cross_validation::sweep_authors;
use crate::eval::roc::{equal_error_rate, roc_curve};
use crate::report::charts::{self, NamedCurve};
use crate::report::Chart;

#[allow(clippy::too_many_arguments)]
pub(crate) fn run_stylometry(
    c: &CorpusConfig,
    s: &crate::audit::config::StylometryConfig,
    author_column: &str,
    (original, original_df): (&TextCorpus, &DataFrame),
    (release, release_df): (&TextCorpus, &DataFrame),
    config: &AuditConfig,
    charts_out: &mut Vec<Chart>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StylometryFacts, AuditError> {
    // Ids and texts come from the corpora the text attacks used (row for row
    // the files' rows); only the author columns are read here.
    let dataset = format!("corpus `{}`", c.name);
    let o_source = c.original.display().to_string();
    let r_source = c.release.display().to_string();
    let (o_ids, o_texts) = (&original.ids, &original.texts);
    let (r_texts, o_authors) = (
        &release.texts,
        text_values(original_df, author_column, &o_source)?,
    );
    let r_authors = text_values(release_df, author_column, &r_source)?;
    let release_row = release.index();

    // Documents per original author (non-empty text only), in file order.
    let mut by_author: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (row, (a, t)) in o_authors.iter().zip(o_texts).enumerate() {
        if let Some(a) = a {
            if !t.trim().is_empty() {
                by_author.entry(a.as_str()).or_default().push(row);
            }
        }
    }
    let total_authors = by_author.len();
    by_author.retain(|_, rows| rows.len() >= s.min_documents.max(2));
    if by_author.len() < 2 {
        return Err(AuditError::Dataset {
            dataset,
            message: format!(
                "stylometry needs at least 2 authors with {} or more documents; found {} \
                 (lower `stylometry.min_documents`)",
                s.min_documents.max(2),
                by_author.len()
            ),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let (mut train_texts, mut train_names) = (Vec::new(), Vec::new());
    let (mut test_texts, mut test_names, mut test_pseudonyms) =
        (Vec::new(), Vec::new(), Vec::new());
    let (mut held_out_documents, mut held_out_in_release) = (0usize, 0usize);
    for (author, rows) in &by_author {
        let mut rows = rows.clone();
        rows.shuffle(&mut rng);
        let known = ((rows.len() as f64 * s.known_share).round() as usize).clamp(1, rows.len() - 1);
        for &row in &rows[..known] {
            train_texts.push(o_texts[row].clone());
            train_names.push(author.to_string());
        }
        for &row in &rows[known..] {
            held_out_documents += 1;
            let Some(&r) = release_row.get(o_ids[row].as_str()) else {
                continue;
            };
            held_out_in_release += 1;
            let text = &r_texts[r];
            if text.trim().is_empty() {
                continue;
            }
            test_texts.push(text.clone());
            test_names.push(author.to_string());
            test_pseudonyms.push(r_authors[r].clone().unwrap_or_default());
        }
    }
    let train = StyloCorpus::from_named(train_texts, &train_names)?;
    let kinds = s
        .features
        .iter()
        .map(|f| FeatureKind::from_str(f))
        .collect::<Result<Vec<_>, _>>()?;
    let normalization = match s.classifier {
        ClassifierKind::Burrows
        | ClassifierKind::Cosine
        | ClassifierKind::Eder
        | ClassifierKind::Knn
        | ClassifierKind::NearestCentroid => Normalization::None,
        // The linear models are fitted on z-scored features.
        ClassifierKind::Logistic | ClassifierKind::LinearSvm => Normalization::ZScore,
    };
    let pipeline_config = PipelineConfig {
        features: FeatureConfig {
            kinds,
            ..FeatureConfig::default()
        },
        normalization,
        classifier: ClassifierSpec::new(s.classifier),
    };
    let pipeline = FittedPipeline::fit(&pipeline_config, &train)?;
    let authors = pipeline.authors().to_vec();
    let index: HashMap<&str, usize> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let truth: Vec<usize> = test_names.iter().map(|n| index[n.as_str()]).collect();
    if test_texts.is_empty() {
        return Err(AuditError::Dataset {
            dataset,
            message: "no release document of a known author to attribute".into(),
        });
    }
    let scores = pipeline.scores(&test_texts)?;
    let doc_eval = evaluate_scores(&scores, &truth, &authors)?;

    // One-vs-rest verification ROC over every (document, candidate) pair.
    let mut flat_scores = Vec::with_capacity(scores.len());
    let mut flat_labels = Vec::with_capacity(scores.len());
    for (row, &t) in scores.rows().into_iter().zip(&truth) {
        for (a, &v) in row.iter().enumerate() {
            flat_scores.push(v);
            flat_labels.push(a == t);
        }
    }
    let roc = roc_curve(&flat_scores, &flat_labels).ok();
    let eer = roc.as_ref().and_then(|r| equal_error_rate(r).ok());

    // Pseudonym level: pool the document scores of each release author.
    let mut pseudonym_names: Vec<&str> = test_pseudonyms.iter().map(String::as_str).collect();
    pseudonym_names.sort_unstable();
    pseudonym_names.dedup();
    let pseudonym_index: HashMap<&str, usize> = pseudonym_names
        .iter()
        .enumerate()
        .map(|(i, p)| (*p, i))
        .collect();
    let doc_pseudonym: Vec<usize> = test_pseudonyms
        .iter()
        .map(|p| pseudonym_index[p.as_str()])
        .collect();
    let pooled: Array2<f64> = pool_scores(&scores, &doc_pseudonym, pseudonym_names.len())?;
    // A pseudonym's author is the majority true author of its documents.
    let mut votes: Vec<HashMap<usize, usize>> = vec![HashMap::new(); pseudonym_names.len()];
    for (&p, &t) in doc_pseudonym.iter().zip(&truth) {
        *votes[p].entry(t).or_insert(0) += 1;
    }
    let pseudonym_truth: Vec<usize> = votes
        .iter()
        .map(|v| {
            v.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(a, _)| *a)
                .unwrap_or(0)
        })
        .collect();
    let pseudonym_eval: Option<Evaluation> = (!pseudonym_names.iter().all(|p| p.is_empty()))
        .then(|| evaluate_scores(&pooled, &pseudonym_truth, &authors))
        .transpose()?;
    progress(&format!("{dataset}: stylometric attribution"));

    let top = |e: &Evaluation| -> Vec<(usize, f64)> {
        e.top_k.iter().take(20).map(|p| (p.k, p.accuracy)).collect()
    };
    let mut curves = vec![NamedCurve::new(
        "documents",
        top(&doc_eval).iter().map(|&(k, a)| (k as f64, a)).collect(),
    )];
    if let Some(p) = &pseudonym_eval {
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
        let mut texts = Vec::new();
        let mut names = Vec::new();
        for (author, rows) in &by_author {
            for &row in rows {
                texts.push(o_texts[row].clone());
                names.push(author.to_string());
            }
        }
        let corpus = StyloCorpus::from_named(texts, &names)?;
        let counts: Vec<usize> = s
            .sweep_authors
            .iter()
            .copied()
            .filter(|&m| m >= 2 && m <= corpus.authors.len())
            .collect();
        if !counts.is_empty() {
            let points = sweep_authors(
                &corpus,
                &pipeline_config,
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
                    classifier_label(s.classifier),
                    acc,
                )])?
                .renamed(format!("{}_accuracy_vs_authors", c.name))?,
            );
        }
        progress(&format!("{dataset}: accuracy vs number of authors"));
    }

    Ok(StylometryFacts {
        classifier: s.classifier,
        features: s.features.clone(),
        candidate_authors: authors.len(),
        known_documents: train.len(),
        attributed_documents: test_texts.len(),
        document_top1: doc_eval.top1_accuracy,
        document_correct: correct(&doc_eval),
        document_macro_f1: doc_eval.macro_f1,
        pseudonyms: pseudonym_eval.as_ref().map_or(0, |e| e.n_documents),
        pseudonym_top1: pseudonym_eval.as_ref().map(|e| e.top1_accuracy),
        pseudonym_correct: pseudonym_eval.as_ref().map(correct),
        chance: doc_eval.chance_top1,
        document_top_k: top(&doc_eval),
        pseudonym_top_k: pseudonym_eval.as_ref().map(top).unwrap_or_default(),
        verification_auc: roc.as_ref().map(|r| r.auc),
        verification_eer: eer.map(|e| e.eer),
        authors_left_out: total_authors - authors.len(),
        held_out_documents,
        held_out_in_release,
        accuracy_vs_authors: sweep,
    })
}

/// Top-1 correct attributions: the diagonal of the confusion counts.
fn correct(e: &Evaluation) -> usize {
    e.confusion.iter().enumerate().map(|(i, row)| row[i]).sum()
}
