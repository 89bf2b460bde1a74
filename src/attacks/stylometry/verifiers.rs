//! The pairwise verifiers behind one call: fit on labelled training pairs
//! (the auditor's known writing), answer test pairs with a probability of
//! "same author". The PAN command (`reident verify`) and open-set
//! attribution choose among them here, so both run the same code.
//!
//! * [`VerifierMethod::Pairwise`]: the feature-vector-difference logistic
//!   regression of Weerasinghe & Greenstadt 2021 ([`super::pairwise`]).
//! * [`VerifierMethod::Impostors`]: the impostors method of Koppel & Winter
//!   2014 ([`super::verification::impostors_score`]) on character 1-3-gram
//!   and function-word frequencies, impostors drawn from the training texts
//!   (for a training pair, from the training texts other than its own two),
//!   the share turned into a probability by Platt scaling fitted on the
//!   training pairs ([`super::pairwise::PlattCalibration`]).
//! * [`VerifierMethod::LambdaG`]: LambdaG (Nini et al. 2024,
//!   [`super::lambdag`]), calibrated the same way.
//! * [`VerifierMethod::PanCosine`]: the PAN 2020/2021 official "naive"
//!   baseline (TF-IDF character-tetragram cosine with the p1/p2 score shift
//!   fitted on the training pairs, [`super::pan_baselines`]); the shift
//!   maximises the caller's PAN objective.
//! * [`VerifierMethod::PanCompression`]: the PAN 2020/2021 official
//!   compression baseline (Teahan & Harper 2003 character-model
//!   cross-entropies, logistic regression, [`super::pan_baselines`]).
//!
//! It does not read files or score answers.

use ndarray::{Array2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::features::{FeatureConfig, FeatureKind, FittedFeatures};
use super::lambdag::LambdaGParams;
use super::pairwise::{PairwiseParams, PlattCalibration};
use super::pan_baselines::{CompressionBaselineParams, CosineBaselineParams, PanObjective};
use super::verification::{impostors_score, ImpostorsParams};
use super::StylometryError;

/// Which verifier to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifierMethod {
    /// Weerasinghe & Greenstadt 2021: logistic regression on `|x_a - x_b|`.
    Pairwise,
    /// Koppel & Winter 2014 impostors, Platt-calibrated.
    Impostors,
    /// Nini et al. 2024 LambdaG, Platt-calibrated.
    LambdaG,
    /// PAN 2020/2021 baseline: TF-IDF character-tetragram cosine, shifted.
    PanCosine,
    /// PAN 2020/2021 baseline: Teahan & Harper 2003 compression model.
    PanCompression,
}

/// Texts and the pairs among them.
#[derive(Debug, Clone, Copy)]
pub struct PairSet<'a> {
    /// The texts.
    pub texts: &'a [String],
    /// Index pairs into `texts`.
    pub pairs: &'a [(usize, usize)],
}

fn check_pairs(set: &PairSet<'_>, what: &str) -> Result<(), StylometryError> {
    if set.pairs.is_empty() {
        return Err(StylometryError::Invalid(format!("{what}: no pairs")));
    }
    if let Some((k, p)) = set
        .pairs
        .iter()
        .enumerate()
        .find(|(_, p)| p.0 >= set.texts.len() || p.1 >= set.texts.len())
    {
        return Err(StylometryError::Invalid(format!(
            "{what}: pair {k} = ({}, {}) refers to a text outside the {} given",
            p.0,
            p.1,
            set.texts.len()
        )));
    }
    Ok(())
}

/// Fits `method` on `train` (with `same[k]` the truth of `train.pairs[k]`)
/// and returns the probability of "same author" of every `test` pair.
/// `seed` seeds the impostors draws and corpus pairings. `objective` is the
/// PAN score the cosine baseline's shift maximises on the training pairs
/// (the others ignore it).
pub fn verify_pairs(
    method: VerifierMethod,
    train: PairSet<'_>,
    same: &[bool],
    test: PairSet<'_>,
    seed: u64,
    objective: PanObjective<'_>,
) -> Result<Vec<f64>, StylometryError> {
    check_pairs(&train, "training pairs")?;
    check_pairs(&test, "test pairs")?;
    if same.len() != train.pairs.len() {
        return Err(StylometryError::Invalid(format!(
            "{} training pairs but {} truth labels",
            train.pairs.len(),
            same.len()
        )));
    }
    match method {
        VerifierMethod::Pairwise => {
            let labelled: Vec<(usize, usize, bool)> = train
                .pairs
                .iter()
                .zip(same)
                .map(|(&(i, j), &s)| (i, j, s))
                .collect();
            let fitted = PairwiseParams {
                seed,
                ..PairwiseParams::default()
            }
            .fit(train.texts, &labelled)?;
            let x = fitted.vectors(test.texts)?;
            fitted.probabilities_of_rows(&x, test.pairs)
        }
        VerifierMethod::Impostors => impostors_pairs(train, same, test, seed),
        VerifierMethod::LambdaG => {
            let params = LambdaGParams {
                seed,
                ..LambdaGParams::default()
            };
            let model = params.fit_reference(train.texts)?;
            let train_scores = model.pair_scores(train.texts, train.pairs, true)?;
            let calibration = PlattCalibration::fit(&train_scores, same)?;
            let test_scores = model.pair_scores(test.texts, test.pairs, false)?;
            Ok(test_scores
                .iter()
                .map(|&s| calibration.probability(s))
                .collect())
        }
        VerifierMethod::PanCosine => CosineBaselineParams::default()
            .fit(train.texts, train.pairs, same, objective)?
            .answers(test.texts, test.pairs),
        VerifierMethod::PanCompression => CompressionBaselineParams::default()
            .fit(train.texts, train.pairs, same)?
            .answers(test.texts, test.pairs),
    }
}

fn impostors_pairs(
    train: PairSet<'_>,
    same: &[bool],
    test: PairSet<'_>,
    seed: u64,
) -> Result<Vec<f64>, StylometryError> {
    let config = FeatureConfig {
        kinds: vec![
            FeatureKind::CharNgrams {
                min: 1,
                max: 3,
                top: 300,
            },
            FeatureKind::FunctionWords,
        ],
        ..FeatureConfig::default()
    };
    let features = FittedFeatures::fit(&config, train.texts)?;
    let xt = features.transform(train.texts)?.values;
    let xq = features.transform(test.texts)?.values;
    let params = ImpostorsParams {
        seed,
        ..ImpostorsParams::default()
    };
    let without = |skip: [usize; 2]| -> Array2<f64> {
        let keep: Vec<usize> = (0..xt.nrows()).filter(|r| !skip.contains(r)).collect();
        xt.select(Axis(0), &keep)
    };
    let train_scores: Vec<f64> = train
        .pairs
        .par_iter()
        .enumerate()
        .map(|(k, &(i, j))| {
            let p = ImpostorsParams {
                seed: seed.wrapping_add(k as u64),
                ..params
            };
            impostors_score(xt.row(i), xt.row(j), &without([i, j]), &p)
        })
        .collect::<Result<_, _>>()?;
    let calibration = PlattCalibration::fit(&train_scores, same)?;
    test.pairs
        .par_iter()
        .enumerate()
        .map(|(k, &(i, j))| {
            let p = ImpostorsParams {
                seed: seed.wrapping_add(1_000_000 + k as u64),
                ..params
            };
            impostors_score(xq.row(i), xq.row(j), &xt, &p).map(|s| calibration.probability(s))
        })
        .collect()
}
