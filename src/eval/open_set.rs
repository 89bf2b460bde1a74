//! Scores of open-set authorship attribution (answers that may be "none of
//! the known authors") as the PAN 2019 cross-domain authorship attribution
//! task scores them (`pan19-cdaa-evaluator.py` in
//! github.com/pan-webis-de/pan-code, `clef19/authorship-attribution`):
//! unknown-author documents form an `<UNK>` class; precision, recall and F1
//! are computed per known author that occurs in the truth and macro-averaged
//! over those authors only (`<UNK>` is left out of the average, but an
//! unknown document attributed to a known author is that author's false
//! positive, and a known author's document answered `<UNK>` its false
//! negative); an undefined precision, recall or F1 is 0 (scikit-learn's
//! default). Accuracy counts `<UNK>` answered for `<UNK>` as correct. The
//! share answered is the share of documents attributed to a known author.
//!
//! It does not make the answers (that is
//! `crate::attacks::stylometry::open_set`).

use serde::{Deserialize, Serialize};

use super::EvalError;

/// Open-set attribution scores (PAN 2019 definitions).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OpenSetScores {
    /// Macro-averaged F1 over the known authors present in the truth.
    pub macro_f1: f64,
    /// Macro-averaged precision over the same authors.
    pub macro_precision: f64,
    /// Macro-averaged recall over the same authors.
    pub macro_recall: f64,
    /// Share of documents answered correctly (`<UNK>` for `<UNK>` included).
    pub accuracy: f64,
    /// Share of documents attributed to a known author.
    pub answered_share: f64,
    /// Documents scored.
    pub documents: usize,
    /// Of them, documents whose true author is not a known author.
    pub unknown_documents: usize,
}

/// Scores `answers` against `truth` (`None` = `<UNK>`, "none of the known
/// authors").
pub fn score_open_set(
    answers: &[Option<usize>],
    truth: &[Option<usize>],
) -> Result<OpenSetScores, EvalError> {
    if answers.len() != truth.len() {
        return Err(EvalError::LengthMismatch {
            left_name: "answers".into(),
            left: answers.len(),
            right_name: "truth".into(),
            right: truth.len(),
        });
    }
    if truth.is_empty() {
        return Err(EvalError::Invalid(
            "open-set scores of zero documents".into(),
        ));
    }
    let mut labels: Vec<usize> = truth.iter().flatten().copied().collect();
    labels.sort_unstable();
    labels.dedup();
    let (mut sp, mut sr, mut sf) = (0.0, 0.0, 0.0);
    for &a in &labels {
        let mut tp = 0usize;
        let mut fp = 0usize;
        let mut fn_ = 0usize;
        for (p, t) in answers.iter().zip(truth) {
            match (*p == Some(a), *t == Some(a)) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
        }
        let ratio = |num: usize, den: usize| {
            if den > 0 {
                num as f64 / den as f64
            } else {
                0.0
            }
        };
        sp += ratio(tp, tp + fp);
        sr += ratio(tp, tp + fn_);
        sf += ratio(2 * tp, 2 * tp + fp + fn_);
    }
    let k = labels.len().max(1) as f64;
    let n = truth.len() as f64;
    Ok(OpenSetScores {
        macro_f1: if labels.is_empty() { 0.0 } else { sf / k },
        macro_precision: if labels.is_empty() { 0.0 } else { sp / k },
        macro_recall: if labels.is_empty() { 0.0 } else { sr / k },
        accuracy: answers.iter().zip(truth).filter(|(p, t)| p == t).count() as f64 / n,
        answered_share: answers.iter().filter(|p| p.is_some()).count() as f64 / n,
        documents: truth.len(),
        unknown_documents: truth.iter().filter(|t| t.is_none()).count(),
    })
}

/// The PAN 2019 open-set macro-F1 of `answers` against `truth`, as the
/// objective of the open-set threshold search
/// (`crate::attacks::stylometry::open_set::choose_open_set_threshold`).
pub fn macro_f1_objective(
    answers: &[Option<usize>],
    truth: &[Option<usize>],
) -> Result<f64, crate::attacks::stylometry::StylometryError> {
    score_open_set(answers, truth)
        .map(|s| s.macro_f1)
        .map_err(|e| crate::attacks::stylometry::StylometryError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan19_macro_f1_by_hand() {
        // truth:  A A B U U   (U = unknown)
        // answer: A U B B U
        // A: tp 1, fp 0, fn 1 -> P 1, R 1/2, F1 2/3.
        // B: tp 1, fp 1 (the U document answered B), fn 0 -> P 1/2, R 1, F1 2/3.
        // U is not averaged. Accuracy: A, B, U correct = 3/5. Answered 3/5.
        let t = [Some(0), Some(0), Some(1), None, None];
        let a = [Some(0), None, Some(1), Some(1), None];
        let s = score_open_set(&a, &t).unwrap();
        assert!((s.macro_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.macro_precision - 0.75).abs() < 1e-12);
        assert!((s.macro_recall - 0.75).abs() < 1e-12);
        assert!((s.accuracy - 0.6).abs() < 1e-12);
        assert!((s.answered_share - 0.6).abs() < 1e-12);
        assert_eq!(s.unknown_documents, 2);
        // An author answered but absent from the truth is not averaged:
        // truth A, answer C -> A: tp 0, fn 1 -> F1 0; macro over {A} = 0.
        let s = score_open_set(&[Some(2)], &[Some(0)]).unwrap();
        assert_eq!(s.macro_f1, 0.0);
        assert!(score_open_set(&[None], &[]).is_err());
    }
}

/// The threshold search of [`crate::attacks::stylometry::open_set`] scored
/// with this module's objective (here, because attacks may not use eval).
#[cfg(test)]
mod threshold_search_tests {
    use super::macro_f1_objective;
    use crate::attacks::stylometry::open_set::*;
    use crate::attacks::stylometry::StylometryError;
    use crate::data::Corpus;
    use ndarray::Array2;

    #[test]
    fn threshold_by_hand() {
        // Fold 1: a known document (author 0) verified at 0.8, a simulated
        // unknown verified at 0.3, both with candidate 0. Threshold t:
        //   t < 0.3: both answered 0 -> author 0 tp 1, fp 1 -> F1 2/3;
        //   0.3 <= t < 0.8: only the known one -> F1 1;
        //   t >= 0.8: none answered -> F1 0.
        // The first grid point with F1 1 is 0.30 (0.3 > 0.30 is false).
        let runs = [FoldRun {
            candidate: vec![0, 0],
            verification: vec![0.8, 0.3],
            truth: vec![Some(0), None],
        }];
        let (curve, best) = threshold_curve(&runs, 0.05, &macro_f1_objective).unwrap();
        assert_eq!(curve.len(), 20);
        assert!((curve[0].score - 2.0 / 3.0).abs() < 1e-12);
        assert!((best.threshold - 0.30).abs() < 1e-9, "{best:?}");
        assert_eq!(best.score, 1.0);
        assert_eq!(curve[16].score, 0.0); // t = 0.80
                                          // Two folds are averaged: in a second fold the known document
                                          // (author 1) gets the wrong candidate 0, so author 1's F1 is 0 at
                                          // every threshold; the mean is half the first fold's curve and keeps
                                          // its optimum 0.30.
        let runs = [
            runs[0].clone(),
            FoldRun {
                candidate: vec![0, 0],
                verification: vec![0.2, 0.1],
                truth: vec![Some(1), None],
            },
        ];
        let (_, best) = threshold_curve(&runs, 0.05, &macro_f1_objective).unwrap();
        assert!((best.threshold - 0.30).abs() < 1e-9);
        assert!((best.score - 0.5).abs() < 1e-12);
        assert!(threshold_curve(&[], 0.05, &macro_f1_objective).is_err());
        assert!(threshold_curve(&runs, 0.0, &macro_f1_objective).is_err());
    }

    fn corpus(n_authors: usize, docs: usize) -> Corpus {
        // Each author writes with a private vocabulary on top of a shared
        // one, so authors are separable.
        let mut texts = Vec::new();
        let mut names = Vec::new();
        for a in 0..n_authors {
            for d in 0..docs {
                let mut t = String::new();
                for k in 0..60 {
                    t.push_str(&format!(
                        "the of and w{a}x{} shared{} ",
                        (k * 7 + d) % 9,
                        k % 5
                    ));
                }
                texts.push(t);
                names.push(format!("author{a:02}"));
            }
        }
        Corpus::from_named(texts, &names).unwrap()
    }

    #[test]
    fn the_search_reads_only_the_known_corpus_and_is_seeded() {
        // Nearest-centroid-by-overlap closed scorer on token sets.
        let mut closed =
            |known: &Corpus, texts: &[String]| -> Result<Array2<f64>, StylometryError> {
                let mut out = Array2::zeros((texts.len(), known.authors.len()));
                for (i, t) in texts.iter().enumerate() {
                    for (d, kt) in known.texts.iter().enumerate() {
                        let shared = t
                            .split_whitespace()
                            .filter(|w| kt.split_whitespace().any(|x| x == *w))
                            .count();
                        out[[i, known.labels[d]]] += shared as f64;
                    }
                }
                Ok(out)
            };
        let known = corpus(5, 6);
        let search = ThresholdSearch {
            folds: 3,
            seed: 7,
            ..ThresholdSearch::default()
        };
        let a =
            choose_open_set_threshold(&known, &mut closed, &macro_f1_objective, &search).unwrap();
        let b =
            choose_open_set_threshold(&known, &mut closed, &macro_f1_objective, &search).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.folds, 3);
        // 5 authors in 3 folds: 2 + 2 + 1 play the unknowns, 6 documents each.
        assert_eq!(a.simulated_unknown_documents, 30);
        // Known authors: round(6 * 0.25) = 2 held out each, over 3 folds
        // (3 + 3 + 4 known authors).
        assert_eq!(a.known_questioned_documents, 20);
        assert_eq!(a.curve.len(), 20);
        assert!(a
            .curve
            .iter()
            .any(|p| p.threshold == a.threshold && p.score == a.score));
        assert!(a.curve.iter().all(|p| p.score <= a.score));
        // Fewer than 3 authors: the search refuses.
        assert!(choose_open_set_threshold(
            &corpus(2, 6),
            &mut closed,
            &macro_f1_objective,
            &search
        )
        .is_err());
    }
}
