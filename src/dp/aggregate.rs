//! Noisy aggregates: counts or sums by group computed from the originals,
//! paired with the released aggregates of the same groups
//! ([`aggregate_pairs`]) and fitted like per-value noise
//! ([`fit_aggregate_noise`], which calls the fit of [`super::estimate`]). A
//! count has sensitivity 1 and a sum `max |value|` (add/remove one record)
//! unless one is declared. Split from `estimate.rs` so that each file holds
//! one kind of paired data; nothing here reads files.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::estimate::{fit_noise, NoiseFit, NoiseFitOptions, Sensitivity, SensitivitySource};
use super::DpError;

/// A released aggregate kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// Number of records per group.
    Count,
    /// Sum of a value column per group.
    Sum,
}

/// True aggregates from the originals paired with the released ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregatePairs {
    /// The aggregate kind.
    pub aggregate: Aggregate,
    /// Group keys present in both, in release order.
    pub keys: Vec<String>,
    /// The aggregate computed from the originals, per key.
    pub original: Vec<f64>,
    /// The released aggregate, per key.
    pub release: Vec<f64>,
    /// Groups of the originals that the release does not contain (suppressed
    /// or thresholded groups); not fitted.
    pub missing_in_release: Vec<String>,
    /// Release groups absent from the originals (their true count or sum is 0;
    /// they are fitted with original 0).
    pub only_in_release: usize,
}

/// Computes per-group counts (or sums of `original_values`) over the original
/// rows keyed by `original_keys`, and pairs them with the release rows
/// (`release_keys`, `release_values`; one row per group). A release group
/// absent from the originals is paired with 0.
pub fn aggregate_pairs(
    aggregate: Aggregate,
    original_keys: &[String],
    original_values: Option<&[f64]>,
    release_keys: &[String],
    release_values: &[f64],
) -> Result<AggregatePairs, DpError> {
    if release_keys.len() != release_values.len() {
        return Err(DpError::LengthMismatch {
            left_name: "release group keys".into(),
            left: release_keys.len(),
            right_name: "release aggregate values".into(),
            right: release_values.len(),
        });
    }
    if release_keys.is_empty() {
        return Err(DpError::Invalid("the release has no aggregate rows".into()));
    }
    let values = match (aggregate, original_values) {
        (Aggregate::Sum, None) => {
            return Err(DpError::Invalid(
                "a sum aggregate needs the original value column".into(),
            ))
        }
        (Aggregate::Sum, Some(v)) => {
            if v.len() != original_keys.len() {
                return Err(DpError::LengthMismatch {
                    left_name: "original group keys".into(),
                    left: original_keys.len(),
                    right_name: "original values".into(),
                    right: v.len(),
                });
            }
            Some(v)
        }
        (Aggregate::Count, _) => None,
    };
    let mut truth: HashMap<&str, f64> = HashMap::new();
    for (i, key) in original_keys.iter().enumerate() {
        let add = values.map_or(1.0, |v| v[i]);
        *truth.entry(key.as_str()).or_insert(0.0) += add;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut keys = Vec::with_capacity(release_keys.len());
    let mut original = Vec::with_capacity(release_keys.len());
    let mut only_in_release = 0;
    for (row, key) in release_keys.iter().enumerate() {
        if let Some(first) = seen.insert(key.as_str(), row) {
            return Err(DpError::Invalid(format!(
                "release group `{key}` appears twice (rows {} and {}); a release of aggregates must have one row per group",
                first + 1,
                row + 1
            )));
        }
        let t = match truth.get(key.as_str()) {
            Some(&t) => t,
            None => {
                only_in_release += 1;
                0.0
            }
        };
        keys.push(key.clone());
        original.push(t);
    }
    let mut missing_in_release: Vec<String> = truth
        .keys()
        .filter(|k| !seen.contains_key(*k))
        .map(|k| k.to_string())
        .collect();
    missing_in_release.sort();
    Ok(AggregatePairs {
        aggregate,
        keys,
        original,
        release: release_values.to_vec(),
        missing_in_release,
        only_in_release,
    })
}

/// The noise fit of released aggregates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateFit {
    /// The aggregate kind.
    pub aggregate: Aggregate,
    /// Groups fitted.
    pub n_groups: usize,
    /// Original groups the release leaves out.
    pub groups_missing_in_release: usize,
    /// Release groups absent from the originals.
    pub groups_only_in_release: usize,
    /// The noise fit (sensitivity 1 for counts, max |value| for sums, unless declared).
    pub fit: NoiseFit,
}

/// Fits the noise of released aggregates. `original_values` is needed to
/// infer a sum's sensitivity (`max |value|`) when none is declared.
pub fn fit_aggregate_noise(
    pairs: &AggregatePairs,
    original_values: Option<&[f64]>,
    options: &NoiseFitOptions,
) -> Result<AggregateFit, DpError> {
    let default = match pairs.aggregate {
        Aggregate::Count => Sensitivity {
            value: 1.0,
            source: SensitivitySource::Count,
        },
        Aggregate::Sum => {
            let max_abs = original_values
                .unwrap_or(&[])
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            Sensitivity {
                value: max_abs,
                source: SensitivitySource::MaxAbsValue,
            }
        }
    };
    let fit = fit_noise(&pairs.original, &pairs.release, options, Some(default))?;
    Ok(AggregateFit {
        aggregate: pairs.aggregate,
        n_groups: pairs.keys.len(),
        groups_missing_in_release: pairs.missing_in_release.len(),
        groups_only_in_release: pairs.only_in_release,
        fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_group_pair_up() {
        let okeys: Vec<String> = ["a", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let rkeys: Vec<String> = ["b", "a", "d"].iter().map(|s| s.to_string()).collect();
        let p = aggregate_pairs(Aggregate::Count, &okeys, None, &rkeys, &[1.5, 2.0, 0.3]).unwrap();
        assert_eq!(p.original, vec![1.0, 2.0, 0.0]);
        assert_eq!(p.missing_in_release, vec!["c".to_string()]);
        assert_eq!(p.only_in_release, 1);
        let dup: Vec<String> = ["a", "a"].iter().map(|s| s.to_string()).collect();
        assert!(aggregate_pairs(Aggregate::Count, &okeys, None, &dup, &[1.0, 2.0]).is_err());
    }
}
