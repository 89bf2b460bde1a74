//! Scoring of closed-set authorship attribution: what turns an attack's
//! documents x authors scores and the true authors into top-1 and top-k
//! accuracy against the chance baseline (k / number of candidate authors),
//! macro-F1 and the confusion matrix ([`evaluate_scores`], [`Evaluation`]);
//! a run with its evaluation ([`score_run`], the CLI's `attribution` JSON);
//! the same for the pseudonym level of a release ([`score_release`],
//! [`pooling_report`], [`pseudonym_run`], [`evaluate_pooling`]), and the
//! audit's original/release experiment run and scored in one call
//! ([`attack_release`], for the audit's `authorship` claim and `reident
//! stylometry --original --release` alike).
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
use crate::attacks::stylometry::corpus::Corpus as LabelledCorpus;
use crate::attacks::stylometry::pipeline::AttributionRun;
use crate::attacks::stylometry::pipeline::PipelineConfig;
use crate::attacks::stylometry::pooling::{
    check_pseudonyms, pooled_scores, pseudonym_truth, PoolingMethod,
};
use crate::attacks::stylometry::pseudonym::{
    pseudonym_attack_choosing, PseudonymAttack, PseudonymAttackInput, PseudonymAttackParams,
    ReleaseAttribution,
};
use crate::attacks::stylometry::ranking::{rank_of, top_ranked};
use crate::attacks::stylometry::AuthorshipModel;
use crate::attacks::stylometry::StylometryError;

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

/// The pseudonym-level attack on an original corpus and its release
/// ([`crate::attacks::stylometry::pseudonym::pseudonym_attack`]: the seeded
/// known/held-out split, the attribution of the held-out documents' release
/// versions, one by one and pooled per pseudonym) with its scores
/// ([`score_release`]), and the attacker's choice of method when a suite
/// was given.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredReleaseAttack {
    /// The attack's result (candidate authors, split counts, raw scores).
    pub attack: PseudonymAttack,
    /// Its document- and pseudonym-level scores.
    pub scores: ReleaseScores,
    /// How the pipeline was chosen; `None` when it was fixed.
    pub choice: Option<PipelineChoice>,
}

/// One candidate of an attacker's suite and its cross-validated accuracy on
/// the attacker's known writing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteScore {
    /// What the candidate is (classifier, profile, features).
    pub label: String,
    /// Top-1 accuracy over the known documents, each predicted once by the
    /// pipeline fitted on the other folds.
    pub cv_top1_accuracy: f64,
    /// Known documents predicted (those of authors with two or more).
    pub tested_documents: usize,
}

/// The attacker's choice of pipeline ([`choose_pipeline`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineChoice {
    /// Folds of the cross-validation.
    pub folds: usize,
    /// Every candidate's score, in suite order.
    pub suite: Vec<SuiteScore>,
    /// Index of the winner in `suite`: the first candidate within one
    /// standard error of the best accuracy ([`choose_pipeline`]).
    pub chosen: usize,
    /// Index of the candidate with the highest accuracy (the earlier on
    /// ties).
    pub best: usize,
    /// What could make the choice (and the attack) unreliable: one author
    /// holding most known documents, or one document dwarfing the rest.
    pub warnings: Vec<String>,
}

impl PipelineChoice {
    /// The winner's label.
    pub fn chosen_label(&self) -> &str {
        &self.suite[self.chosen].label
    }
}

/// Share of the known documents above which one author "dominates" the
/// training set ([`training_warnings`]).
pub const DOMINANT_AUTHOR_SHARE: f64 = 0.5;

/// A known document "dwarfs the rest" when it has more than this many times
/// the median word count of the known documents ([`training_warnings`]).
pub const DWARFING_LENGTH_RATIO: f64 = 10.0;

/// Warnings about a training corpus the attack's accuracy depends on: an
/// author holding more than [`DOMINANT_AUTHOR_SHARE`] of the documents
/// (centroid classifiers are then pulled towards it, and accuracy over the
/// rest is understated), and a document longer than
/// [`DWARFING_LENGTH_RATIO`] times the median (its author's profile is that
/// one text).
pub fn training_warnings(known: &LabelledCorpus) -> Vec<String> {
    let mut warnings = Vec::new();
    let n = known.len();
    if n == 0 {
        return warnings;
    }
    let mut per_author = vec![0usize; known.authors.len()];
    for &l in &known.labels {
        per_author[l] += 1;
    }
    if let Some((a, &count)) = per_author.iter().enumerate().max_by_key(|(_, c)| **c) {
        if known.authors.len() > 2 && count as f64 > DOMINANT_AUTHOR_SHARE * n as f64 {
            warnings.push(format!(
                "one author holds {count} of the {n} known documents ({:.0}%): classifiers that average an author's documents lean towards it, so accuracy on the other authors may be understated (author {} of {})",
                100.0 * count as f64 / n as f64,
                a + 1,
                known.authors.len()
            ));
        }
    }
    let mut words: Vec<usize> = known
        .texts
        .iter()
        .map(|t| t.split_whitespace().count())
        .collect();
    let longest = words.iter().copied().max().unwrap_or(0);
    words.sort_unstable();
    let median = words[words.len() / 2].max(1);
    if longest as f64 > DWARFING_LENGTH_RATIO * median as f64 {
        warnings.push(format!(
            "one known document has {longest} words, more than {DWARFING_LENGTH_RATIO} times the median of {median}: its author's profile is mostly that one text"
        ));
    }
    warnings
}

/// The attacker's choice among `suite` (labelled pipelines, the preferred
/// first): stratified cross-validation on the known writing only (at most 5
/// folds, fewer when no author has 5 known documents; `seed` draws the
/// folds), then the one-standard-error rule: the first candidate whose
/// pooled top-1 accuracy is within one binomial standard error
/// `sqrt(p (1 - p) / n)` of the best one's. This is model selection by
/// cross-validation with the one-standard-error rule (Hastie, Tibshirani &
/// Friedman, "The Elements of Statistical Learning", 2nd ed., §7.10), done
/// as an adversary can: on its own known writing, never on the truth key.
/// The rule keeps the preferred method when another is better by no more
/// than the noise of the cross-validation (on short texts every method is
/// near chance, and one lucky document must not switch methods).
pub fn choose_pipeline(
    known: &LabelledCorpus,
    suite: &[(String, PipelineConfig)],
    seed: u64,
) -> Result<PipelineChoice, EvalError> {
    if suite.is_empty() {
        return Err(EvalError::Invalid("the attacker's suite is empty".into()));
    }
    let mut per_author = vec![0usize; known.authors.len()];
    for &l in &known.labels {
        per_author[l] += 1;
    }
    let most = per_author.iter().copied().max().unwrap_or(0);
    let folds = most.clamp(2, 5);
    let mut scores = Vec::with_capacity(suite.len());
    for (label, config) in suite {
        let cv = super::cross_validation::cross_validate(known, config, folds, seed, &|_, _| {})?;
        scores.push(SuiteScore {
            label: label.clone(),
            cv_top1_accuracy: cv.pooled.top1_accuracy,
            tested_documents: cv.pooled.n_documents,
        });
    }
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if s.cv_top1_accuracy > scores[best].cv_top1_accuracy {
            best = i;
        }
    }
    let b = &scores[best];
    let standard_error =
        (b.cv_top1_accuracy * (1.0 - b.cv_top1_accuracy) / b.tested_documents.max(1) as f64).sqrt();
    let chosen = scores
        .iter()
        .position(|s| s.cv_top1_accuracy >= b.cv_top1_accuracy - standard_error)
        .unwrap_or(best);
    Ok(PipelineChoice {
        folds,
        suite: scores,
        chosen,
        best,
        warnings: training_warnings(known),
    })
}

/// Runs the pseudonym-level attack on `input` with `params` and scores it
/// with [`score_release`]: the one function behind the audit's
/// `authorship` claim and `reident stylometry --original --release`, so
/// both front doors measure the same thing. With a non-empty `suite` the
/// pipeline is the attacker's choice ([`choose_pipeline`] on the known
/// split, seeded by `params.seed`) instead of `params.pipeline`.
pub fn attack_release(
    input: PseudonymAttackInput<'_>,
    params: &PseudonymAttackParams,
    suite: &[(String, PipelineConfig)],
) -> Result<ScoredReleaseAttack, EvalError> {
    let mut choice = None;
    let attack = pseudonym_attack_choosing(input, params, &mut |known| {
        if suite.is_empty() {
            return Ok(params.pipeline.clone());
        }
        let c = choose_pipeline(known, suite, params.seed).map_err(|e| match e {
            EvalError::Stylometry(e) => e,
            e => StylometryError::Invalid(e.to_string()),
        })?;
        let config = suite[c.chosen].1.clone();
        choice = Some(c);
        Ok(config)
    })?;
    let scores = score_release(&attack.attribution, &attack.authors)?;
    Ok(ScoredReleaseAttack {
        attack,
        scores,
        choice,
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

    fn labelled(docs: &[(&str, &str)]) -> LabelledCorpus {
        let texts: Vec<String> = docs.iter().map(|(_, t)| t.to_string()).collect();
        let names: Vec<String> = docs.iter().map(|(a, _)| a.to_string()).collect();
        LabelledCorpus::from_named(texts, &names).unwrap()
    }

    #[test]
    fn training_warnings_name_a_dominant_author_and_a_dwarfing_document() {
        // 4 of 6 documents by `a` (67% > 50%) among 3 authors; lengths
        // 2,2,2,2,2 and 30 words: median (index 3 of the sorted 6) is 2, and
        // 30 > 10 x 2.
        let long = vec!["w"; 30].join(" ");
        let c = labelled(&[
            ("a", "x y"),
            ("a", "x y"),
            ("a", "x y"),
            ("a", "x y"),
            ("b", "x y"),
            ("c", &long),
        ]);
        let w = training_warnings(&c);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("4 of the 6 known documents (67%)"),
            "{}",
            w[0]
        );
        assert!(
            w[1].contains("30 words") && w[1].contains("median of 2"),
            "{}",
            w[1]
        );
        // Balanced and even: no warning. Two authors never count as dominated.
        let even = labelled(&[("a", "x y"), ("b", "x y"), ("c", "x y")]);
        assert!(training_warnings(&even).is_empty());
        let two = labelled(&[("a", "x y"), ("a", "x y"), ("a", "x y"), ("b", "x y")]);
        assert!(training_warnings(&two).is_empty());
    }

    #[test]
    fn the_choice_is_the_best_cross_validated_and_ties_go_first() {
        use crate::attacks::stylometry::features::FeatureKind;
        use crate::attacks::stylometry::pipeline::ClassifierKind;
        // Two authors with disjoint vocabularies, 4 documents each: every
        // Delta classifier attributes every held-out document correctly, so
        // the two candidates tie at 1.0 and the first is chosen.
        let c = labelled(&[
            ("a", "alpha beta alpha gamma"),
            ("a", "alpha beta beta gamma"),
            ("a", "gamma alpha beta alpha"),
            ("a", "beta alpha gamma gamma"),
            ("b", "delta epsilon delta zeta"),
            ("b", "delta epsilon epsilon zeta"),
            ("b", "zeta delta epsilon delta"),
            ("b", "epsilon delta zeta zeta"),
        ]);
        let features = vec![FeatureKind::Mfw {
            n: 6,
            culling_percent: 0.0,
        }];
        let suite: Vec<(String, PipelineConfig)> =
            [ClassifierKind::Burrows, ClassifierKind::Cosine]
                .into_iter()
                .map(|k| {
                    (
                        format!("{k:?}"),
                        PseudonymAttackParams::new(features.clone(), k).pipeline,
                    )
                })
                .collect();
        let choice = choose_pipeline(&c, &suite, 1).unwrap();
        assert_eq!(choice.folds, 4);
        assert_eq!(choice.suite[0].cv_top1_accuracy, 1.0);
        assert_eq!(choice.suite[1].cv_top1_accuracy, 1.0);
        assert_eq!(choice.chosen_label(), "Burrows");
        assert!(choose_pipeline(&c, &[], 1).is_err());
    }

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
