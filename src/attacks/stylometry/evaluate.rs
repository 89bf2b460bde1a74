//! Evaluation of authorship attribution: top-1 and top-k accuracy against the
//! chance baseline (k / number of candidate authors), macro-F1, confusion
//! matrix, stratified cross-validation with a seed, and sweeps of accuracy
//! versus the number of candidate authors and versus test text length —
//! everything the report charts (top-k curve, accuracy vs authors, accuracy
//! vs length) as vectors of points.
//!
//! Rankings break score ties by author index (lower first) so results are
//! deterministic. It does not render charts; see `report`.

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use super::corpus::Corpus;
use super::pipeline::{FittedPipeline, PipelineConfig};
use super::StylometryError;

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

/// Order of authors for one score row: best first, ties by index.
pub fn ranking(row: ndarray::ArrayView1<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
    order
}

/// The `n` best authors of one score row, in the order of [`ranking`]
/// (best first, ties by index), without sorting the whole row.
pub fn top_ranked(row: ndarray::ArrayView1<f64>, n: usize) -> Vec<usize> {
    let cmp = |a: &usize, b: &usize| row[*b].total_cmp(&row[*a]).then(a.cmp(b));
    let mut order: Vec<usize> = (0..row.len()).collect();
    let n = n.min(order.len());
    if n == 0 {
        return Vec::new();
    }
    if n < order.len() {
        // The comparison is a total order, so selection then sorting the
        // head gives exactly the head of the full sort.
        order.select_nth_unstable_by(n - 1, cmp);
        order.truncate(n);
    }
    order.sort_unstable_by(cmp);
    order
}

/// 1-based position of author `t` in [`ranking`] of `row`, counted in one
/// pass: authors scored higher (by `total_cmp`), or equal with a lower index,
/// come first.
pub fn rank_of(row: ndarray::ArrayView1<f64>, t: usize) -> usize {
    let st = row[t];
    1 + row
        .iter()
        .enumerate()
        .filter(|&(a, s)| match s.total_cmp(&st) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => a < t,
            std::cmp::Ordering::Less => false,
        })
        .count()
}

/// Scores `scores` (rows = documents, columns = authors) against `truth`.
pub fn evaluate_scores(
    scores: &Array2<f64>,
    truth: &[usize],
    authors: &[String],
) -> Result<Evaluation, StylometryError> {
    let n_authors = authors.len();
    if scores.nrows() != truth.len() || scores.ncols() != n_authors {
        return Err(StylometryError::Invalid(format!(
            "scores are {}x{} but there are {} documents and {} authors",
            scores.nrows(),
            scores.ncols(),
            truth.len(),
            n_authors
        )));
    }
    if truth.is_empty() || n_authors == 0 {
        return Err(StylometryError::Invalid(
            "nothing to evaluate: no documents or no authors".into(),
        ));
    }
    if scores.iter().any(|s| s.is_nan()) {
        return Err(StylometryError::Invalid("scores contain NaN".into()));
    }
    let mut confusion = vec![vec![0usize; n_authors]; n_authors];
    let mut hits_at = vec![0usize; n_authors + 1];
    let mut predictions = Vec::with_capacity(truth.len());
    for (i, &t) in truth.iter().enumerate() {
        if t >= n_authors {
            return Err(StylometryError::Invalid(format!(
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
/// labels): per author `2 TP / (2 TP + FP + FN)`.
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
    mut on_fold: impl FnMut(usize, &Corpus, &[usize]) -> Result<(), StylometryError>,
) -> Result<Vec<usize>, StylometryError> {
    corpus.validate()?;
    if folds < 2 {
        return Err(StylometryError::Invalid(format!(
            "cross-validation needs at least 2 folds, got {folds}"
        )));
    }
    if corpus.authors.len() < 2 {
        return Err(StylometryError::Invalid(format!(
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
        return Err(StylometryError::Invalid(
            "no author has two or more documents, so nothing can be cross-validated".into(),
        ));
    }
    for fold in 0..folds {
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
) -> Result<CrossValidation, StylometryError> {
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
    let scores = pooled_scores.select(ndarray::Axis(0), &rows);
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
) -> Result<(Vec<CrossValidation>, SweepPoint), StylometryError> {
    if seeds.is_empty() {
        return Err(StylometryError::Invalid("give at least one seed".into()));
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
) -> Result<Vec<SweepPoint>, StylometryError> {
    let n = corpus.authors.len();
    if repeats == 0 {
        return Err(StylometryError::Invalid(
            "repeats must be at least 1".into(),
        ));
    }
    if let Some(&bad) = author_counts.iter().find(|&&m| m < 2 || m > n) {
        return Err(StylometryError::Invalid(format!(
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

/// The prefix of `text` holding its first `words` Unicode words (with the
/// punctuation and formatting between them); the whole text if shorter.
pub fn truncate_words(text: &str, words: usize) -> &str {
    if words == 0 {
        return "";
    }
    match text.unicode_word_indices().nth(words - 1) {
        Some((start, w)) => &text[..start + w.len()],
        None => text,
    }
}

/// Accuracy versus test text length (Eder 2015's setting): in each
/// cross-validation fold the pipeline is trained on full training documents
/// and the test documents are cut to their first `L` words for each `L` in
/// `lengths`; each point pools all folds.
pub fn sweep_length(
    corpus: &Corpus,
    config: &PipelineConfig,
    lengths: &[usize],
    folds: usize,
    seed: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<SweepPoint>, StylometryError> {
    if lengths.is_empty() || lengths.contains(&0) {
        return Err(StylometryError::Invalid(
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
            hits[j] += eval
                .confusion
                .iter()
                .enumerate()
                .map(|(a, row)| row[a])
                .sum::<usize>();
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
    use ndarray::array;

    #[test]
    fn topk_f1_confusion_by_hand() {
        let authors: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
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
        // F1: a: TP1 FP1 FN0 -> 2/3; b: TP0 FP1 FN1 -> 0; c: TP1 FP0 FN1 -> 2/3.
        assert!((e.macro_f1 - (4.0 / 9.0)).abs() < 1e-12);
    }

    #[test]
    fn truncation_keeps_punctuation() {
        assert_eq!(
            truncate_words("Hello, world! How are you?", 2),
            "Hello, world"
        );
        assert_eq!(truncate_words("one two", 5), "one two");
    }

    #[test]
    fn folds_are_stratified_and_seeded() {
        let texts: Vec<String> = (0..7).map(|i| format!("doc {i}")).collect();
        let names: Vec<String> = ["a", "a", "a", "a", "b", "b", "c"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let c = Corpus::from_named(texts, &names).unwrap();
        let f = stratified_folds(&c, 2, 7);
        assert_eq!(f, stratified_folds(&c, 2, 7));
        assert_eq!(f[6], None); // author c has one document: never tested
                                // a's four documents split 2/2, b's two split 1/1.
        assert_eq!(f[..4].iter().filter(|x| **x == Some(0)).count(), 2);
        assert_eq!(f[4..6].iter().filter(|x| **x == Some(0)).count(), 1);
    }
}
