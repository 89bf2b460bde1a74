//! Scoring of closed-set authorship attribution: what turns an attack's
//! documents x authors scores and the true authors into top-1 and top-k
//! accuracy against the chance baseline (k / number of candidate authors),
//! macro-F1 and the confusion matrix ([`evaluate_scores`], [`Evaluation`]);
//! a run with its evaluation ([`score_run`], the CLI's `attribution` JSON);
//! the same for the pseudonym level of a release ([`score_release`],
//! [`pooling_report`], [`pseudonym_run`], [`evaluate_pooling`]). The
//! audit's original/release experiment, run and scored in one call with the
//! attacker's choice of method, is `eval::release_attack`.
//! Cross-validation and the sweeps over the number of authors and text
//! length, which fit pipelines and score them with this module, are in
//! `eval::cross_validation`.
//!
//! Rankings are the attack's (`attacks::stylometry::ranking`): score ties go
//! to the lower author index, so results are deterministic. This module does
//! not extract features, fit classifiers or pool documents (the attack does),
//! and it does not render charts (see `report`).

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::EvalError;
use crate::attacks::stylometry::pipeline::AttributionRun;
use crate::attacks::stylometry::pooling::{
    check_pseudonyms, pooled_scores, pseudonym_truth, PoolingMethod,
};
use crate::attacks::stylometry::pseudonym::ReleaseAttribution;
use crate::attacks::stylometry::ranking::{rank_of, top_ranked};
use crate::attacks::stylometry::AuthorshipModel;

/// One point of the top-k curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopKPoint {
    /// k.
    pub k: usize,
    /// Share of documents whose true author is among the k best-scored.
    pub accuracy: f64,
    /// Accuracy of uniform random guessing: k / number of authors.
    pub chance: f64,
}

/// One attributed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Row of the document in the evaluated set.
    pub document: usize,
    /// True author index.
    pub truth: usize,
    /// Best-scored author index.
    pub predicted: usize,
    /// Rank of the true author (1 = best).
    pub rank_of_truth: usize,
}

/// Scores of an attribution run against the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Candidate authors.
    pub authors: Vec<String>,
    /// Number of evaluated documents.
    pub n_documents: usize,
    /// Top-1 accuracy.
    pub top1_accuracy: f64,
    /// Chance top-1 accuracy (1 / number of authors).
    pub chance_top1: f64,
    /// Top-k curve for k = 1..number of authors.
    pub top_k: Vec<TopKPoint>,
    /// Mean F1 over authors that occur as truth or prediction.
    pub macro_f1: f64,
    /// Confusion counts: `confusion[truth][predicted]`.
    pub confusion: Vec<Vec<usize>>,
    /// Per-document outcome.
    pub predictions: Vec<Prediction>,
}

impl Evaluation {
    /// Top-1 correct attributions: the diagonal of the confusion counts.
    pub fn correct(&self) -> usize {
        self.confusion
            .iter()
            .enumerate()
            .map(|(i, row)| row[i])
            .sum()
    }
}

/// Scores `scores` (rows = documents, columns = authors) against `truth`
/// (author indices into `authors`).
pub fn evaluate_scores(
    scores: &Array2<f64>,
    truth: &[usize],
    authors: &[String],
) -> Result<Evaluation, EvalError> {
    let n_authors = authors.len();
    if scores.nrows() != truth.len() || scores.ncols() != n_authors {
        return Err(EvalError::Invalid(format!(
            "scores are {}x{} but there are {} documents and {} authors",
            scores.nrows(),
            scores.ncols(),
            truth.len(),
            n_authors
        )));
    }
    if truth.is_empty() || n_authors == 0 {
        return Err(EvalError::Invalid(
            "nothing to evaluate: no documents or no authors".into(),
        ));
    }
    if scores.iter().any(|s| s.is_nan()) {
        return Err(EvalError::Invalid("scores contain NaN".into()));
    }
    let mut confusion = vec![vec![0usize; n_authors]; n_authors];
    let mut hits_at = vec![0usize; n_authors + 1];
    let mut predictions = Vec::with_capacity(truth.len());
    for (i, &t) in truth.iter().enumerate() {
        if t >= n_authors {
            return Err(EvalError::Invalid(format!(
                "document {i}: true author {t} out of range"
            )));
        }
        let row = scores.row(i);
        let rank = rank_of(row, t);
        let predicted = top_ranked(row, 1)[0];
        hits_at[rank] += 1;
        confusion[t][predicted] += 1;
        predictions.push(Prediction {
            document: i,
            truth: t,
            predicted,
            rank_of_truth: rank,
        });
    }
    let n = truth.len() as f64;
    let mut cumulative = 0;
    let top_k: Vec<TopKPoint> = (1..=n_authors)
        .map(|k| {
            cumulative += hits_at[k];
            TopKPoint {
                k,
                accuracy: cumulative as f64 / n,
                chance: k as f64 / n_authors as f64,
            }
        })
        .collect();
    Ok(Evaluation {
        authors: authors.to_vec(),
        n_documents: truth.len(),
        top1_accuracy: top_k[0].accuracy,
        chance_top1: 1.0 / n_authors as f64,
        macro_f1: macro_f1(&confusion),
        top_k,
        confusion,
        predictions,
    })
}

/// Macro-F1 from a confusion matrix over the authors that occur as truth or
/// prediction (as scikit-learn's `f1_score(average="macro")` with default
/// labels): per author `2 TP / (2 TP + FP + FN)`. An author that is neither
/// anyone's truth nor anyone's prediction is left out of the mean; one that
/// is predicted but never the truth counts with F1 0.
pub fn macro_f1(confusion: &[Vec<usize>]) -> f64 {
    let n = confusion.len();
    let mut sum = 0.0;
    let mut present = 0;
    for (a, row) in confusion.iter().enumerate() {
        let tp = row[a];
        let fn_ = row.iter().sum::<usize>() - tp;
        let fp = (0..n).map(|t| confusion[t][a]).sum::<usize>() - tp;
        if tp + fn_ + fp == 0 {
            continue;
        }
        present += 1;
        sum += 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64;
    }
    if present == 0 {
        0.0
    } else {
        sum / present as f64
    }
}

/// An [`AttributionRun`] with its scores against the truth: the CLI's
/// `attribution` JSON (the run's fields, then `evaluation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredRun {
    /// The attack's output.
    #[serde(flatten)]
    pub run: AttributionRun,
    /// Scores against the truth, when the true authors are known.
    pub evaluation: Option<Evaluation>,
}

/// Scores `run` from its documents x authors `scores` against `truth`
/// (author indices into `run.authors`; `None` = unknown, no evaluation).
pub fn score_run(
    run: AttributionRun,
    scores: &Array2<f64>,
    truth: Option<&[usize]>,
) -> Result<ScoredRun, EvalError> {
    let evaluation = match truth {
        Some(t) => Some(evaluate_scores(scores, t, &run.authors)?),
        None => None,
    };
    Ok(ScoredRun { run, evaluation })
}

/// Document- and pseudonym-level scores of a [`ReleaseAttribution`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseScores {
    /// The document scores against each document's true author.
    pub documents: Evaluation,
    /// The pooled scores against each pseudonym's truth (its majority
    /// author, one "document" per pseudonym); `None` when no attacked
    /// document has a pseudonym.
    pub pseudonyms: Option<Evaluation>,
}

/// Scores a release attribution (`authors` = the fitted pipeline's authors,
/// which the score columns follow).
pub fn score_release(
    release: &ReleaseAttribution,
    authors: &[String],
) -> Result<ReleaseScores, EvalError> {
    let documents = evaluate_scores(&release.document_scores, &release.document_truth, authors)?;
    let pseudonyms = release
        .pseudonyms
        .as_ref()
        .map(|p| evaluate_scores(&p.scores, &p.truth, authors))
        .transpose()?;
    Ok(ReleaseScores {
        documents,
        pseudonyms,
    })
}

/// One candidate author and its pooled score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RankedAuthor {
    /// Author index.
    pub author: usize,
    /// Pooled score (higher = more likely).
    pub score: f64,
}

/// The attack's result for one pseudonym, scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PseudonymAttribution {
    /// Pseudonym index.
    pub pseudonym: usize,
    /// Number of release documents carrying it.
    pub documents: usize,
    /// The author who wrote most of its documents (ties: lower index).
    pub true_author: usize,
    /// The `k` best-scoring authors, best first (ties: lower index first).
    pub top: Vec<RankedAuthor>,
    /// 1-based rank of the true author among all candidates (1 = attributed).
    pub true_author_rank: usize,
}

/// Document-level versus pseudonym-level attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolingReport {
    /// Pooling method used.
    pub method: PoolingMethod,
    /// Release documents attributed.
    pub n_documents: usize,
    /// Pseudonyms attributed.
    pub n_pseudonyms: usize,
    /// Candidate authors.
    pub n_authors: usize,
    /// Share of documents whose best-scoring author is their author.
    pub document_accuracy: f64,
    /// Share of pseudonyms whose best-scoring author is their author.
    pub pseudonym_accuracy: f64,
    /// Share of documents whose author is among the top `i + 1` (i = 0..k).
    pub document_top_k_accuracy: Vec<f64>,
    /// Share of pseudonyms whose author is among the top `i + 1` (i = 0..k).
    pub pseudonym_top_k_accuracy: Vec<f64>,
    /// Chance level of top-1 accuracy (1 / candidate authors).
    pub chance: f64,
    /// Pseudonyms whose documents have more than one true author (their
    /// truth is the majority author, `attacks::stylometry::pooling`).
    pub shared_pseudonyms: usize,
    /// Per-pseudonym top-k.
    pub pseudonyms: Vec<PseudonymAttribution>,
}

/// The report of pooled scores `pooled` (pseudonyms x authors) next to the
/// document scores, from their evaluations.
#[allow(clippy::too_many_arguments)]
fn report_from(
    method: PoolingMethod,
    documents: &Evaluation,
    pseudonyms: &Evaluation,
    pooled: &Array2<f64>,
    count: &[usize],
    truth: &[usize],
    shared: usize,
    k: usize,
) -> PoolingReport {
    let n_authors = documents.authors.len();
    let k = k.clamp(1, n_authors.max(1));
    let top_k =
        |e: &Evaluation| -> Vec<f64> { e.top_k.iter().take(k).map(|t| t.accuracy).collect() };
    let per_pseudonym = pooled
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| PseudonymAttribution {
            pseudonym: i,
            documents: count[i],
            true_author: truth[i],
            top: top_ranked(row, k)
                .into_iter()
                .map(|a| RankedAuthor {
                    author: a,
                    score: row[a],
                })
                .collect(),
            true_author_rank: pseudonyms.predictions[i].rank_of_truth,
        })
        .collect();
    PoolingReport {
        method,
        n_documents: documents.n_documents,
        n_pseudonyms: pooled.nrows(),
        n_authors,
        document_accuracy: documents.top1_accuracy,
        pseudonym_accuracy: pseudonyms.top1_accuracy,
        document_top_k_accuracy: top_k(documents),
        pseudonym_top_k_accuracy: top_k(pseudonyms),
        chance: 1.0 / n_authors as f64,
        shared_pseudonyms: shared,
        pseudonyms: per_pseudonym,
    }
}

/// The CLI's report of a release attribution: document- and pseudonym-level
/// top-1 to top-`k` accuracy and each pseudonym's `k` best authors.
/// `Ok(None)` when no document has a pseudonym.
pub fn pooling_report(
    release: &ReleaseAttribution,
    authors: &[String],
    k: usize,
) -> Result<Option<PoolingReport>, EvalError> {
    let Some(p) = release.pseudonyms.as_ref() else {
        return Ok(None);
    };
    let scores = score_release(release, authors)?;
    let Some(pseudonyms) = scores.pseudonyms.as_ref() else {
        return Ok(None);
    };
    Ok(Some(report_from(
        p.method,
        &scores.documents,
        pseudonyms,
        &p.scores,
        &p.documents,
        &p.truth,
        p.shared,
        k,
    )))
}

/// Pseudonym-level attribution next to the document-level one (the CLI's
/// `pseudonym_attribution` JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PseudonymRun {
    /// Pseudonym strings, sorted; `report.pseudonyms[i].pseudonym` indexes
    /// this list.
    pub pseudonyms: Vec<String>,
    /// Document-level and pseudonym-level accuracy, top-k, per-pseudonym
    /// rankings (author indices index the run's `authors`).
    pub report: PoolingReport,
}

/// [`pooling_report`] with the pseudonym strings; `Ok(None)` when no
/// document has a pseudonym.
pub fn pseudonym_run(
    release: &ReleaseAttribution,
    authors: &[String],
    k: usize,
) -> Result<Option<PseudonymRun>, EvalError> {
    Ok(pooling_report(release, authors, k)?
        .zip(release.pseudonyms.as_ref())
        .map(|(report, p)| PseudonymRun {
            pseudonyms: p.names.clone(),
            report,
        }))
}

/// Attributes every release document and every pseudonym with a fitted
/// classifier and reports both accuracies and each pseudonym's top `k`.
///
/// `pseudonym[doc]` indexes `n_pseudonyms` pseudonyms; `true_author[doc]` is
/// the ground truth (from the experiment's truth key). A pseudonym's true
/// author is the majority author of its documents
/// (`attacks::stylometry::pooling::pseudonym_truth`; pseudonyms with several
/// authors are counted in [`PoolingReport::shared_pseudonyms`]).
pub fn evaluate_pooling(
    classifier: &dyn AuthorshipModel,
    x: &Array2<f64>,
    pseudonym: &[usize],
    n_pseudonyms: usize,
    true_author: &[usize],
    method: PoolingMethod,
    k: usize,
) -> Result<PoolingReport, EvalError> {
    let count = check_pseudonyms(x.nrows(), pseudonym, n_pseudonyms)?;
    if true_author.len() != x.nrows() {
        return Err(EvalError::Invalid(format!(
            "{} documents but {} true authors; they must pair up row by row",
            x.nrows(),
            true_author.len()
        )));
    }
    if k == 0 {
        return Err(EvalError::Invalid("top-k needs k >= 1".into()));
    }
    let (truth, shared) = pseudonym_truth(pseudonym, true_author, n_pseudonyms);
    let doc_scores = classifier.scores(x)?;
    let n_authors = doc_scores.ncols();
    if let Some((doc, &a)) = true_author
        .iter()
        .enumerate()
        .find(|(_, &a)| a >= n_authors)
    {
        return Err(EvalError::Invalid(format!(
            "document {doc}: true author {a} is outside the {n_authors} candidate authors the classifier scores"
        )));
    }
    let pooled = pooled_scores(classifier, x, &doc_scores, pseudonym, n_pseudonyms, method)?;
    // Only the number of authors matters here: the report names authors by index.
    let authors: Vec<String> = (0..n_authors).map(|a| a.to_string()).collect();
    let documents = evaluate_scores(&doc_scores, true_author, &authors)?;
    let pseudonyms = evaluate_scores(&pooled, &truth, &authors)?;
    Ok(report_from(
        method,
        &documents,
        &pseudonyms,
        &pooled,
        &count,
        &truth,
        shared,
        k,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    use ndarray::array;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn topk_f1_confusion_by_hand() {
        let authors = names(&["a", "b", "c"]);
        // doc0 truth a: ranking a,b,c (rank 1); doc1 truth b: ranking a,b,c (rank 2);
        // doc2 truth c: ranking c,... (rank 1); doc3 truth c: tie b=c -> b first (rank 2).
        let s = array![
            [3.0, 2.0, 1.0],
            [3.0, 2.0, 1.0],
            [0.0, 1.0, 2.0],
            [0.0, 1.0, 1.0]
        ];
        let e = evaluate_scores(&s, &[0, 1, 2, 2], &authors).unwrap();
        assert_eq!(e.top1_accuracy, 0.5);
        assert_eq!(
            e.top_k.iter().map(|p| p.accuracy).collect::<Vec<_>>(),
            vec![0.5, 1.0, 1.0]
        );
        assert_eq!(e.top_k[1].chance, 2.0 / 3.0);
        assert_eq!(
            e.confusion,
            vec![vec![1, 0, 0], vec![1, 0, 0], vec![0, 1, 1]]
        );
        assert_eq!(e.correct(), 2);
        assert_eq!(
            e.predictions
                .iter()
                .map(|p| p.rank_of_truth)
                .collect::<Vec<_>>(),
            vec![1, 2, 1, 2]
        );
        // F1: a: TP1 FP1 FN0 -> 2/3; b: TP0 FP1 FN1 -> 0; c: TP1 FP0 FN1 -> 2/3.
        assert!((e.macro_f1 - (4.0 / 9.0)).abs() < 1e-12);
    }

    /// Four candidates; `d` is never the truth. Truth a, a, b, c; predicted
    /// a, d, b, b (the second document's truth a is ranked 3rd, behind d and
    /// c). Confusion rows (truth) x columns (predicted):
    /// a: [1,0,0,1], b: [0,1,0,0], c: [0,1,0,0], d: [0,0,0,0].
    /// F1: a: TP1 FP0 FN1 -> 2/3; b: TP1 FP1 FN0 -> 2/3; c: TP0 FP0 FN1 -> 0;
    /// d: TP0 FP1 FN0 -> 0 (predicted, so it counts). Macro-F1 = (4/3)/4 = 1/3.
    /// Top-k: ranks 1, 3, 1, 2 -> top-1 2/4, top-2 3/4, top-3 4/4, top-4 1.
    #[test]
    fn macro_f1_counts_an_author_that_is_never_the_truth() {
        let authors = names(&["a", "b", "c", "d"]);
        let s = array![
            [4.0, 3.0, 2.0, 1.0],
            [1.0, 0.0, 2.0, 3.0],
            [0.0, 5.0, 1.0, 0.0],
            [1.0, 3.0, 2.0, 0.0]
        ];
        let e = evaluate_scores(&s, &[0, 0, 1, 2], &authors).unwrap();
        assert_eq!(
            e.confusion,
            vec![
                vec![1, 0, 0, 1],
                vec![0, 1, 0, 0],
                vec![0, 1, 0, 0],
                vec![0, 0, 0, 0]
            ]
        );
        assert!((e.macro_f1 - 1.0 / 3.0).abs() < 1e-12, "{}", e.macro_f1);
        assert_eq!(
            e.top_k.iter().map(|p| p.accuracy).collect::<Vec<_>>(),
            vec![0.5, 0.75, 1.0, 1.0]
        );
        assert_eq!(e.chance_top1, 0.25);
        assert_eq!(e.correct(), 2);
        // An author that is neither truth nor prediction is left out: with
        // the d column removed from the scores, d is gone and the mean is
        // over a, b, c only.
        let three = names(&["a", "b", "c"]);
        let e3 = evaluate_scores(
            &s.slice(ndarray::s![.., 0..3]).to_owned(),
            &[0, 0, 1, 2],
            &three,
        )
        .unwrap();
        // Predictions a, c, b, b: a 2/3, b 2/3, c: TP0 FP1 FN1 -> 0.
        assert!((e3.macro_f1 - 4.0 / 9.0).abs() < 1e-12);
        // All-zero confusion: no author present.
        assert_eq!(macro_f1(&[vec![0, 0], vec![0, 0]]), 0.0);
        // A confusion where the unseen author has an empty row and column.
        let with_absent = vec![vec![2, 0, 0], vec![1, 1, 0], vec![0, 0, 0]];
        // a: TP2 FP1 FN0 -> 4/5; b: TP1 FP0 FN1 -> 2/3; c absent -> (4/5 + 2/3)/2.
        assert!((macro_f1(&with_absent) - (0.8 + 2.0 / 3.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_an_error() {
        let authors = names(&["a", "b"]);
        let s = array![[1.0, 0.0]];
        assert!(evaluate_scores(&s, &[0, 1], &authors).is_err());
        assert!(evaluate_scores(&s, &[2], &authors).is_err());
        assert!(evaluate_scores(&array![[f64::NAN, 0.0]], &[0], &authors).is_err());
    }

    /// `score_run` keeps the CLI's `attribution` JSON: the run's fields,
    /// then `evaluation` (null without truth).
    #[test]
    fn scored_run_serializes_the_run_then_its_evaluation() {
        use crate::attacks::stylometry::corpus::Corpus;
        use crate::attacks::stylometry::pipeline::{attribute, PipelineConfig};
        let train = Corpus::from_named(
            vec![
                "alpha alpha beta".into(),
                "alpha beta beta".into(),
                "gamma gamma delta".into(),
                "gamma delta delta".into(),
            ],
            &names(&["x", "x", "y", "y"]),
        )
        .unwrap();
        let texts = vec!["alpha beta alpha".to_string(), "delta gamma".to_string()];
        let (run, scores) = attribute(&PipelineConfig::burrows(4), &train, &texts, 2).unwrap();
        let scored = score_run(run.clone(), &scores, Some(&[0, 1])).unwrap();
        let e = scored.evaluation.as_ref().unwrap();
        assert_eq!((e.n_documents, e.correct(), e.top1_accuracy), (2, 2, 1.0));
        assert_eq!(e.confusion, vec![vec![1, 0], vec![0, 1]]);
        let json = serde_json::to_string(&scored).unwrap();
        let at = |k: &str| json.find(&format!("\"{k}\":")).unwrap();
        assert!(at("config") < at("documents") && at("documents") < at("evaluation"));
        let bare = score_run(run, &scores, None).unwrap();
        assert!(serde_json::to_string(&bare)
            .unwrap()
            .ends_with("\"evaluation\":null}"));
    }

    /// A release by hand: 4 documents x 2 authors, pseudonyms p0 (docs 0,
    /// 1, both by author 0) and p1 (docs 2 by 1 and 3 by 0: shared, tie ->
    /// truth 0). Documents: doc0 [2,1] right, doc1 [0,1] wrong (rank 2),
    /// doc2 [0,3] right, doc3 [1,1] tie -> author 0, right. Pooled (sums):
    /// p0 [2,2] tie -> 0, right; p1 [1,4] -> 1, wrong (truth 0, rank 2).
    #[test]
    fn release_scores_and_pooling_report_by_hand() {
        use crate::attacks::stylometry::pseudonym::PooledAttribution;
        let release = ReleaseAttribution {
            document_scores: array![[2.0, 1.0], [0.0, 1.0], [0.0, 3.0], [1.0, 1.0]],
            document_truth: vec![0, 0, 1, 0],
            documents_without_pseudonym: 0,
            pseudonyms: Some(PooledAttribution {
                method: PoolingMethod::SumScores,
                names: names(&["p0", "p1"]),
                documents: vec![2, 2],
                truth: vec![0, 0],
                shared: 1,
                scores: array![[2.0, 2.0], [1.0, 4.0]],
            }),
        };
        let authors = names(&["a", "b"]);
        let s = score_release(&release, &authors).unwrap();
        assert_eq!(s.documents.top1_accuracy, 0.75);
        assert_eq!(s.documents.confusion, vec![vec![2, 1], vec![0, 1]]);
        let p = s.pseudonyms.as_ref().unwrap();
        assert_eq!(p.top1_accuracy, 0.5);
        assert_eq!(p.confusion, vec![vec![1, 1], vec![0, 0]]);
        // b is predicted but never the truth: F1 a = 2/3, b = 0.
        assert!((p.macro_f1 - 1.0 / 3.0).abs() < 1e-12);

        let run = pseudonym_run(&release, &authors, 5).unwrap().unwrap();
        assert_eq!(run.pseudonyms, names(&["p0", "p1"]));
        let r = &run.report;
        assert_eq!((r.n_documents, r.n_pseudonyms, r.n_authors), (4, 2, 2));
        assert_eq!(r.document_top_k_accuracy, vec![0.75, 1.0]);
        assert_eq!(r.pseudonym_top_k_accuracy, vec![0.5, 1.0]);
        assert_eq!((r.document_accuracy, r.pseudonym_accuracy), (0.75, 0.5));
        assert_eq!((r.chance, r.shared_pseudonyms), (0.5, 1));
        assert_eq!(r.pseudonyms[1].true_author_rank, 2);
        assert_eq!(
            r.pseudonyms[1].top,
            vec![
                RankedAuthor {
                    author: 1,
                    score: 4.0
                },
                RankedAuthor {
                    author: 0,
                    score: 1.0
                }
            ]
        );
        assert_eq!(
            r.pseudonyms[0].top[0],
            RankedAuthor {
                author: 0,
                score: 2.0
            }
        );

        let none = ReleaseAttribution {
            pseudonyms: None,
            ..release
        };
        assert!(pooling_report(&none, &authors, 2).unwrap().is_none());
    }
}
