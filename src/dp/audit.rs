//! Black-box audit of a mechanism on two neighbouring datasets.
//!
//! The procedure of Jagielski, Ullman & Oprea (2020) and Nasr et al. (2021):
//! run the mechanism many times on `D` (without the target record) and on
//! `D'` (with it) and score each release with a membership [`Distinguisher`]
//! (higher = "the target is in"). This module returns those raw trials
//! ([`MechanismTrials`]: a score and a label per run); turning them into a
//! lower bound on epsilon is scoring and happens in
//! `crate::eval::epsilon` (`bound_audit`), which the callers invoke: `dp`
//! does not import `eval` (data flows `dp -> eval`). Trials run in parallel
//! (rayon); trial `i` uses the seed `splitmix64(splitmix64(seed) + i)`, so the
//! result does not depend on thread scheduling and different base seeds give
//! unrelated trial streams. The first half of the trials run on `D`,
//! the second half on `D'`.
//!
//! Progress is reported through a callback invoked once per finished trial;
//! this module never draws a progress bar itself.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::mechanism::{column, is_neighbour, Mechanism};
use super::DpError;
use crate::data::EncodedTable;

/// Scores a release: higher means "the target record was in the input".
pub trait Distinguisher: Send + Sync {
    /// A short description for reports.
    fn describe(&self) -> String;
    /// The membership score of one release.
    fn score(&self, release: &EncodedTable) -> Result<f64, DpError>;
}

/// Scores a release by one numeric cell (e.g. a noisy sum): suits a target
/// that raises the released value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumericCell {
    /// Column of the cell.
    pub column: String,
    /// 0-based data row of the cell.
    pub row: usize,
}

impl Distinguisher for NumericCell {
    fn describe(&self) -> String {
        format!("value of `{}` in release row {}", self.column, self.row + 1)
    }

    fn score(&self, release: &EncodedTable) -> Result<f64, DpError> {
        let c = column(release, &self.column)?;
        if self.row >= release.n_rows {
            return Err(DpError::Invalid(format!(
                "the release has {} rows; the distinguisher reads row {}",
                release.n_rows,
                self.row + 1
            )));
        }
        let text = c.value(self.row).trim();
        text.parse::<f64>()
            .ok()
            .filter(|v| !v.is_nan())
            .ok_or_else(|| DpError::NotNumeric {
                source_name: "mechanism release".into(),
                column: self.column.clone(),
                row: self.row + 1,
                value: text.to_string(),
            })
    }
}

/// Scores a release by the number of rows whose `column` equals `value`:
/// suits a target whose value is released (possibly perturbed) in its row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCount {
    /// Column inspected.
    pub column: String,
    /// The target's value.
    pub value: String,
}

impl Distinguisher for ValueCount {
    fn describe(&self) -> String {
        format!("rows with `{}` = `{}`", self.column, self.value)
    }

    fn score(&self, release: &EncodedTable) -> Result<f64, DpError> {
        let c = column(release, &self.column)?;
        // Codes whose value is the target's (compared once per value).
        let hit: Vec<bool> = c.values.iter().map(|v| *v == self.value).collect();
        Ok(c.codes.iter().filter(|&&code| hit[code as usize]).count() as f64)
    }
}

/// The raw outcome of running a mechanism on two neighbouring datasets:
/// one membership score and one label per trial. The input of
/// `crate::eval::epsilon::bound_audit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MechanismTrials {
    /// The mechanism run.
    pub mechanism: String,
    /// The distinguisher that scored each release.
    pub distinguisher: String,
    /// Score of each trial, in trial order.
    pub scores: Vec<f64>,
    /// `true` when the trial ran on `D'` (the dataset with the target).
    pub is_member: Vec<bool>,
}

/// SplitMix64 (Steele, Lea & Flood 2014): decorrelates per-trial seeds.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs `trials` releases: the first half on `without` (`D`), the rest on
/// `with_target` (`D'`; they must be neighbours: one row added, removed or
/// replaced), each scored by `distinguisher`. `progress` is called once per
/// finished trial (from worker threads). Each trial is a cancellation point
/// ([`crate::data::cancel`]).
pub fn run_trials(
    mechanism: &dyn Mechanism,
    without: &EncodedTable,
    with_target: &EncodedTable,
    distinguisher: &dyn Distinguisher,
    trials: usize,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Result<MechanismTrials, DpError> {
    if trials < 4 {
        return Err(DpError::Parameter {
            name: "trials".into(),
            value: trials.to_string(),
            requirement: "an audit needs at least 4 trials (2 per dataset); a few thousand give a useful bound".into(),
        });
    }
    if !is_neighbour(without, with_target) {
        return Err(DpError::Invalid(
            "the two datasets are not neighbours: they must have the same columns and differ in exactly one row (added, removed or replaced)".into(),
        ));
    }
    let half = trials / 2;
    let base = splitmix64(seed);
    let scores: Vec<f64> = (0..trials)
        .into_par_iter()
        .map(|i| {
            crate::data::cancel::check()?;
            let data = if i < half { without } else { with_target };
            let seed = splitmix64(base.wrapping_add(i as u64));
            let release = mechanism.release(data, seed)?;
            let s = distinguisher.score(&release)?;
            progress();
            Ok(s)
        })
        .collect::<Result<_, DpError>>()?;
    let is_member: Vec<bool> = (0..trials).map(|i| i >= half).collect();
    Ok(MechanismTrials {
        mechanism: mechanism.describe(),
        distinguisher: distinguisher.describe(),
        scores,
        is_member,
    })
}
