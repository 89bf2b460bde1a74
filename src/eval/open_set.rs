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
