//! The audit's original/release authorship experiment as an attacker runs
//! it: the seeded known/held-out split of the originals, the attacker's
//! choice of method by cross-validation on its known writing only
//! ([`choose_pipeline`], with warnings about the training set,
//! [`training_warnings`]), the attribution of the held-out documents'
//! release versions one by one and pooled per pseudonym, and their scores
//! ([`attack_release`]: the one function behind the audit's `authorship`
//! claim and `reident stylometry --original --release`).
//!
//! It composes `attacks::stylometry::pseudonym` (the attack),
//! [`super::cross_validation`] (the attacker's model selection) and
//! [`super::attribution`] (the scores); it renders nothing.

use serde::{Deserialize, Serialize};

use super::attribution::{score_release, ReleaseScores};
use super::EvalError;
use crate::attacks::stylometry::corpus::Corpus as LabelledCorpus;
use crate::attacks::stylometry::pipeline::PipelineConfig;
use crate::attacks::stylometry::pseudonym::{
    pseudonym_attack_choosing, PseudonymAttack, PseudonymAttackInput, PseudonymAttackParams,
};
use crate::attacks::stylometry::StylometryError;

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
    /// Open-set scores (PAN 2019 measure, [`super::open_set`]) when the
    /// release holds documents of authors without enough known writing;
    /// `None` when every attacked author is a candidate.
    pub open_set: Option<OpenSetOutcome>,
}

/// What became of the open-set attack on the documents of authors without
/// enough known writing. In JSON: `{"status": "ran", ...scores}` or
/// `{"status": "not_run", "reason": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpenSetOutcome {
    /// It ran: the scores and the share of those documents wrongly named.
    Ran(ReleaseOpenSet),
    /// It could not run, and why.
    NotRun {
        /// The reason.
        reason: String,
    },
}

/// The open-set result of a release attack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseOpenSet {
    /// Scores over the attacked documents and the left-out authors' ones.
    pub scores: super::open_set::OpenSetScores,
    /// The verification threshold applied.
    pub threshold: f64,
    /// How it was chosen on the attacker's known writing (cross-validated
    /// PAN 2019 macro-F1); `None` when the default was used.
    pub threshold_choice: Option<crate::attacks::stylometry::open_set::ThresholdChoice>,
    /// Why the default was used, if so.
    pub threshold_note: Option<String>,
    /// Of the left-out authors' documents, the share named as a candidate
    /// author (always a wrong name).
    pub unknown_named_share: f64,
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
    let attack = pseudonym_attack_choosing(
        input,
        params,
        &mut |known| {
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
        },
        Some(&super::open_set::macro_f1_objective),
    )?;
    let scores = score_release(&attack.attribution, &attack.authors)?;
    let open_set = match &attack.open_set {
        None => None,
        Some(Err(why)) => Some(OpenSetOutcome::NotRun {
            reason: why.clone(),
        }),
        Some(Ok(run)) => {
            let scores = super::open_set::score_open_set(&run.attribution.answer, &run.truth)?;
            let unknown: Vec<bool> = run
                .truth
                .iter()
                .zip(&run.attribution.answer)
                .filter(|(t, _)| t.is_none())
                .map(|(_, a)| a.is_some())
                .collect();
            let named = unknown.iter().filter(|&&n| n).count() as f64;
            Some(OpenSetOutcome::Ran(ReleaseOpenSet {
                scores,
                threshold: run.attribution.threshold,
                threshold_choice: run.threshold_choice.clone(),
                threshold_note: run.threshold_note.clone(),
                unknown_named_share: named / unknown.len().max(1) as f64,
            }))
        }
    };
    Ok(ScoredReleaseAttack {
        attack,
        scores,
        choice,
        open_set,
    })
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
}
