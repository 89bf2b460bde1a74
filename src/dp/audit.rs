//! Black-box audit of a mechanism on two neighbouring datasets.
//!
//! The procedure of Jagielski, Ullman & Oprea (2020) and Nasr et al. (2021):
//! run the mechanism many times on `D` (without the target record) and on
//! `D'` (with it), score each release with a membership [`Distinguisher`]
//! (higher = "the target is in"), and turn the scores into a lower bound on
//! epsilon with [`super::bound::epsilon_lower_bound`]. Trials run in parallel
//! (rayon); trial `i` uses the seed `splitmix64(splitmix64(seed) + i)`, so the
//! result does not depend on thread scheduling and different base seeds give
//! unrelated trial streams. The first half of the trials run on `D`,
//! the second half on `D'`.
//!
//! Progress is reported through a callback invoked once per finished trial;
//! this module never draws a progress bar itself.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bound::{
    epsilon_lower_bound, verdict_for, Claim, ClaimVerdict, EpsilonLowerBound, ThresholdSelection,
};
use super::mechanism::{Mechanism, Table};
use super::{check_confidence, check_delta, DpError};

/// Scores a release: higher means "the target record was in the input".
pub trait Distinguisher: Send + Sync {
    /// A short description for reports.
    fn describe(&self) -> String;
    /// The membership score of one release.
    fn score(&self, release: &Table) -> Result<f64, DpError>;
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

    fn score(&self, release: &Table) -> Result<f64, DpError> {
        let c = release.column_index(&self.column)?;
        let cell = release.rows.get(self.row).ok_or_else(|| {
            DpError::Invalid(format!(
                "the release has {} rows; the distinguisher reads row {}",
                release.rows.len(),
                self.row + 1
            ))
        })?;
        let text = cell[c].trim();
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

    fn score(&self, release: &Table) -> Result<f64, DpError> {
        let c = release.column_index(&self.column)?;
        Ok(release.rows.iter().filter(|r| r[c] == self.value).count() as f64)
    }
}

/// Parameters of an audit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AuditConfig {
    /// Total trials (half on each dataset); at least 4.
    pub trials: usize,
    /// Base seed.
    pub seed: u64,
    /// Delta in the bound (the claimed delta).
    pub delta: f64,
    /// Confidence of the bound.
    pub confidence: f64,
    /// Threshold selection.
    pub selection: ThresholdSelection,
}

/// The outcome of an audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditResult {
    /// The mechanism audited.
    pub mechanism: String,
    /// The distinguisher used.
    pub distinguisher: String,
    /// The configuration.
    pub config: AuditConfig,
    /// The lower bound.
    pub bound: EpsilonLowerBound,
    /// The verdict on a claim, when one was given (its bound is `bound`).
    pub claim: Option<ClaimVerdict>,
}

/// SplitMix64 (Steele, Lea & Flood 2014): decorrelates per-trial seeds.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs the audit: `without` is `D`, `with_target` is `D'` (they must be
/// neighbours: one row added, removed or replaced). `progress` is called once
/// per finished trial (from worker threads). When `claim` is given its delta is
/// used in the bound and a verdict is attached.
pub fn audit_mechanism(
    mechanism: &dyn Mechanism,
    without: &Table,
    with_target: &Table,
    distinguisher: &dyn Distinguisher,
    config: &AuditConfig,
    claim: Option<Claim>,
    progress: &(dyn Fn() + Sync),
) -> Result<AuditResult, DpError> {
    if config.trials < 4 {
        return Err(DpError::Parameter {
            name: "trials".into(),
            value: config.trials.to_string(),
            requirement: "an audit needs at least 4 trials (2 per dataset); a few thousand give a useful bound".into(),
        });
    }
    check_confidence(config.confidence)?;
    let delta = claim.map_or(config.delta, |c| c.delta);
    check_delta(delta)?;
    if !without.is_neighbour_of(with_target) {
        return Err(DpError::Invalid(
            "the two datasets are not neighbours: they must have the same columns and differ in exactly one row (added, removed or replaced)".into(),
        ));
    }
    let half = config.trials / 2;
    let base = splitmix64(config.seed);
    let scores: Vec<f64> = (0..config.trials)
        .into_par_iter()
        .map(|i| {
            let data = if i < half { without } else { with_target };
            let seed = splitmix64(base.wrapping_add(i as u64));
            let release = mechanism.release(data, seed)?;
            let s = distinguisher.score(&release)?;
            progress();
            Ok(s)
        })
        .collect::<Result<_, DpError>>()?;
    let is_member: Vec<bool> = (0..config.trials).map(|i| i >= half).collect();
    let bound = epsilon_lower_bound(
        &scores,
        &is_member,
        delta,
        config.confidence,
        config.selection,
    )?;
    let claim = claim.map(|c| verdict_for(c, bound.clone()).without_bound());
    Ok(AuditResult {
        mechanism: mechanism.describe(),
        distinguisher: distinguisher.describe(),
        config: AuditConfig { delta, ..*config },
        bound,
        claim,
    })
}
