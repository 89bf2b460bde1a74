//! Cross-validation and accuracy sweeps of authorship attribution: stratified
//! k-fold cross-validation with a seed ([`cross_validate`],
//! [`cross_validate_seeds`]) and sweeps of accuracy versus the number of
//! candidate authors ([`sweep_authors`]) and versus test text length
//! ([`sweep_length`]), as vectors of points for the report's charts.
//!
//! These procedures fit `attacks::stylometry` pipelines on training folds and
//! score the held-out documents with [`super::attribution`]; they add no
//! attack of their own and do not render charts (see `report`).

use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::attribution::{evaluate_scores, Evaluation};
use super::EvalError;
use crate::attacks::stylometry::corpus::Corpus;
use crate::attacks::stylometry::pipeline::{FittedPipeline, PipelineConfig};
use crate::attacks::stylometry::tokenize::truncate_words;

/// Accuracy of one cross-validation fold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    /// Fold index.
    pub fold: usize,
    /// Test documents in the fold.
    pub n_test: usize,
    /// Top-1 accuracy on the fold.
    pub top1_accuracy: f64,
}

/// Stratified k-fold cross-validation result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Number of folds.
    pub folds: usize,
    /// Seed of the fold assignment.
    pub seed: u64,
    /// Per-fold accuracies.
    pub per_fold: Vec<FoldResult>,
    /// Mean of the fold accuracies.
    pub mean_top1: f64,
    /// Sample standard deviation of the fold accuracies (0 with one fold).
    pub sd_top1: f64,
    /// All test predictions pooled (each document tested once).
    pub pooled: Evaluation,
    /// Documents never tested: the only document of their author (kept in
    /// every training fold, since an author needs a training document).
    pub untested_documents: Vec<usize>,
}

/// Stratified fold of each document (`None` = never tested): each author's
/// documents are shuffled with the seed and dealt round-robin, continuing
/// where the previous author stopped so folds stay balanced.
pub fn stratified_folds(corpus: &Corpus, folds: usize, seed: u64) -> Vec<Option<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut by_author: Vec<Vec<usize>> = vec![Vec::new(); corpus.authors.len()];
    for (i, &l) in corpus.labels.iter().enumerate() {
        by_author[l].push(i);
    }
    let mut assignment = vec![None; corpus.len()];
    let mut next = 0;
    for docs in &mut by_author {
        if docs.len() < 2 {
            continue;
        }
        docs.shuffle(&mut rng);
        for &d in docs.iter() {
            assignment[d] = Some(next % folds);
            next += 1;
        }
    }
    assignment
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n.max(1.0);
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    (mean, sd)
}

/// Runs `on_fold(train, test_rows)` for every non-empty fold.
fn for_each_fold(
    corpus: &Corpus,
    folds: usize,
    seed: u64,
    mut on_fold: impl FnMut(usize, &Corpus, &[usize]) -> Result<(), EvalError>,
) -> Result<Vec<usize>, EvalError> {
    corpus
        .validate()
        .map_err(crate::attacks::stylometry::StylometryError::from)?;
    if folds < 2 {
        return Err(EvalError::Invalid(format!(
            "cross-validation needs at least 2 folds, got {folds}"
        )));
    }
    if corpus.authors.len() < 2 {
        return Err(EvalError::Invalid(format!(
            "corpus has {} author(s); attribution needs at least two",
            corpus.authors.len()
        )));
    }
    let assignment = stratified_folds(corpus, folds, seed);
    let untested: Vec<usize> = assignment
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_none())
        .map(|(i, _)| i)
        .collect();
    if untested.len() == corpus.len() {
        return Err(EvalError::Invalid(
            "no author has two or more documents, so nothing can be cross-validated".into(),
        ));
    }
    for fold in 0..folds {
        crate::data::cancel::check()?;
        let test: Vec<usize> = (0..corpus.len())
            .filter(|&i| assignment[i] == Some(fold))
            .collect();
        if test.is_empty() {
            continue;
        }
        let train_rows: Vec<usize> = (0..corpus.len())
            .filter(|&i| assignment[i] != Some(fold))
            .collect();
        on_fold(fold, &corpus.select(&train_rows), &test)?;
    }
    Ok(untested)
}

/// Stratified `folds`-fold cross-validation of `config` on `corpus`.
/// `progress(done, total)` is called after each fold.
pub fn cross_validate(
    corpus: &Corpus,
    config: &PipelineConfig,
    folds: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<CrossValidation, EvalError> {
    let n_authors = corpus.authors.len();
    let mut pooled_scores = Array2::<f64>::zeros((corpus.len(), n_authors));
    let mut tested = vec![false; corpus.len()];
    let mut per_fold = Vec::new();
    let untested = for_each_fold(corpus, folds, seed, |fold, train, test| {
        let pipeline = FittedPipeline::fit(config, train)?;
        let texts: Vec<String> = test.iter().map(|&i| corpus.texts[i].clone()).collect();
        let scores = pipeline.scores(&texts)?;
        let truth: Vec<usize> = test.iter().map(|&i| corpus.labels[i]).collect();
        let eval = evaluate_scores(&scores, &truth, &corpus.authors)?;
        per_fold.push(FoldResult {
            fold,
            n_test: test.len(),
            top1_accuracy: eval.top1_accuracy,
        });
        for (r, &i) in test.iter().enumerate() {
            pooled_scores.row_mut(i).assign(&scores.row(r));
            tested[i] = true;
        }
        progress(fold + 1, folds);
        Ok(())
    })?;
    let rows: Vec<usize> = (0..corpus.len()).filter(|&i| tested[i]).collect();
    let scores = pooled_scores.select(Axis(0), &rows);
    let truth: Vec<usize> = rows.iter().map(|&i| corpus.labels[i]).collect();
    let mut pooled = evaluate_scores(&scores, &truth, &corpus.authors)?;
    for p in &mut pooled.predictions {
        p.document = rows[p.document];
    }
    let accs: Vec<f64> = per_fold.iter().map(|f| f.top1_accuracy).collect();
    let (mean_top1, sd_top1) = mean_sd(&accs);
    Ok(CrossValidation {
        folds,
        seed,
        per_fold,
        mean_top1,
        sd_top1,
        pooled,
        untested_documents: untested,
    })
}

/// Cross-validation repeated over several fold-assignment seeds: one
/// [`SweepPoint`] per seed would hide nothing, so this returns every run and
/// a summary point (`x` = number of seeds) whose mean and standard deviation
/// are over the runs' pooled top-1 accuracies.
pub fn cross_validate_seeds(
    corpus: &Corpus,
    config: &PipelineConfig,
    folds: usize,
    seeds: &[u64],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Vec<CrossValidation>, SweepPoint), EvalError> {
    if seeds.is_empty() {
        return Err(EvalError::Invalid("give at least one seed".into()));
    }
    let mut runs = Vec::with_capacity(seeds.len());
    for (i, &seed) in seeds.iter().enumerate() {
        runs.push(cross_validate(corpus, config, folds, seed, &|_, _| {})?);
        progress(i + 1, seeds.len());
    }
    let accs: Vec<f64> = runs.iter().map(|r| r.pooled.top1_accuracy).collect();
    let (mean_top1, sd_top1) = mean_sd(&accs);
    let point = SweepPoint {
        x: seeds.len(),
        mean_top1,
        sd_top1,
        chance: 1.0 / corpus.authors.len() as f64,
        runs: seeds.len(),
    };
    Ok((runs, point))
}

/// One point of an accuracy sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The swept value (number of candidate authors, or test length in words).
    pub x: usize,
    /// Mean top-1 accuracy over the runs.
    pub mean_top1: f64,
    /// Sample standard deviation over the runs (0 with one run).
    pub sd_top1: f64,
    /// Mean chance accuracy over the runs.
    pub chance: f64,
    /// Number of runs averaged.
    pub runs: usize,
}

/// Accuracy versus number of candidate authors: for each count `m` in
/// `author_counts` (2..=number of authors), `repeats` seeded random subsets
/// of `m` authors are cross-validated with `folds` folds; each run's pooled
/// top-1 accuracy is one sample.
pub fn sweep_authors(
    corpus: &Corpus,
    config: &PipelineConfig,
    author_counts: &[usize],
    repeats: usize,
    folds: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<SweepPoint>, EvalError> {
    let n = corpus.authors.len();
    if repeats == 0 {
        return Err(EvalError::Invalid("repeats must be at least 1".into()));
    }
    if let Some(&bad) = author_counts.iter().find(|&&m| m < 2 || m > n) {
        return Err(EvalError::Invalid(format!(
            "cannot sweep to {bad} candidate authors: the corpus has {n}; use 2..={n}"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total = author_counts.len() * repeats;
    let mut done = 0;
    let mut points = Vec::new();
    for &m in author_counts {
        let mut accs = Vec::with_capacity(repeats);
        for r in 0..repeats {
            let mut all: Vec<usize> = (0..n).collect();
            all.shuffle(&mut rng);
            let mut keep = all[..m].to_vec();
            keep.sort_unstable();
            let sub = corpus.restrict_authors(&keep);
            let cv = cross_validate(&sub, config, folds, seed.wrapping_add(r as u64), &|_, _| {})?;
            accs.push(cv.pooled.top1_accuracy);
            done += 1;
            progress(done, total);
        }
        let (mean_top1, sd_top1) = mean_sd(&accs);
        points.push(SweepPoint {
            x: m,
            mean_top1,
            sd_top1,
            chance: 1.0 / m as f64,
            runs: repeats,
        });
    }
    Ok(points)
}

/// Accuracy versus test text length (Eder 2015's setting): in each
/// cross-validation fold the pipeline is trained on full training documents
/// and the test documents are cut to their first `L` words
/// (`attacks::stylometry::tokenize::truncate_words`) for each `L` in
/// `lengths`; each point pools all folds.
pub fn sweep_length(
    corpus: &Corpus,
    config: &PipelineConfig,
    lengths: &[usize],
    folds: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<SweepPoint>, EvalError> {
    if lengths.is_empty() || lengths.contains(&0) {
        return Err(EvalError::Invalid(
            "lengths must be a non-empty list of word counts >= 1".into(),
        ));
    }
    let mut hits = vec![0usize; lengths.len()];
    let mut per_fold_acc: Vec<Vec<f64>> = vec![Vec::new(); lengths.len()];
    let mut n_tested = 0;
    for_each_fold(corpus, folds, seed, |fold, train, test| {
        let pipeline = FittedPipeline::fit(config, train)?;
        let truth: Vec<usize> = test.iter().map(|&i| corpus.labels[i]).collect();
        for (j, &len) in lengths.iter().enumerate() {
            let texts: Vec<String> = test
                .iter()
                .map(|&i| truncate_words(&corpus.texts[i], len).to_string())
                .collect();
            let scores = pipeline.scores(&texts)?;
            let eval = evaluate_scores(&scores, &truth, &corpus.authors)?;
            hits[j] += eval.correct();
            per_fold_acc[j].push(eval.top1_accuracy);
        }
        n_tested += test.len();
        progress(fold + 1, folds);
        Ok(())
    })?;
    Ok(lengths
        .iter()
        .enumerate()
        .map(|(j, &len)| SweepPoint {
            x: len,
            mean_top1: hits[j] as f64 / n_tested as f64,
            sd_top1: mean_sd(&per_fold_acc[j]).1,
            chance: 1.0 / corpus.authors.len() as f64,
            runs: per_fold_acc[j].len(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn folds_are_stratified_and_seeded() {
        let texts: Vec<String> = (0..7).map(|i| format!("doc {i}")).collect();
        let c = Corpus::from_named(texts, &names(&["a", "a", "a", "a", "b", "b", "c"])).unwrap();
        let f = stratified_folds(&c, 2, 7);
        assert_eq!(f, stratified_folds(&c, 2, 7));
        assert_eq!(f[6], None); // author c has one document: never tested
                                // a's four documents split 2/2, b's two split 1/1.
        assert_eq!(f[..4].iter().filter(|x| **x == Some(0)).count(), 2);
        assert_eq!(f[4..6].iter().filter(|x| **x == Some(0)).count(), 1);
    }
}
