//! The reference anonymizers of this module as dp [`Mechanism`]s, so the
//! black-box epsilon audit ([`crate::dp::run_trials`], bounded by
//! `crate::eval::bound_audit`) can test the guarantees they advertise. It
//! lives in `anonymize` (which may use `dp`) rather than in `dp`, so that
//! `dp` stays below the anonymizers in the one-way flow of `shared/DESIGN.md`.
//!
//! [`AnonymizerMechanism`] wraps the configuration of one anonymizer:
//! per-value Laplace or Gaussian noise ([`crate::anonymize::noise::add_noise`],
//! Dwork, McSherry, Nissim & Smith 2006; Balle & Wang 2018), k-ary randomized
//! response ([`crate::anonymize::randomized_response::randomized_response`],
//! Warner 1965; Kairouz, Oh & Viswanath 2016) or the noisy-count histogram
//! ([`crate::anonymize::noise::dp_histogram`]). The audit's input and the
//! anonymizer's input are the same value, an [`EncodedTable`], and so are the
//! release the anonymizer returns and the one the audit scores: a release runs
//! the anonymizer on the input (labelled `mechanism input` in errors) with
//! the configuration's seed replaced by the trial seed, with no conversion.
//! The anonymizer itself is called unchanged, so the audit measures the
//! code that writes releases, including its data-dependent choices (a domain
//! taken from the observed values, a histogram of observed cells only).
//!
//! [`CellCount`] is the distinguisher that suits a histogram: the released
//! count of the target's cell.
//!
//! This module does not calibrate anything itself and does not read files.

use super::noise::{add_noise, dp_histogram, HistogramConfig, NoiseConfig, NoiseMechanism};
use super::randomized_response::{randomized_response, RandomizedResponseConfig};
use super::AnonymizeError;
use crate::data::EncodedTable;
use crate::dp::audit::Distinguisher;
use crate::dp::mechanism::{column, Mechanism};
use crate::dp::DpError;

/// Label used as the source of the encoded input in anonymizer errors.
const INPUT_SOURCE: &str = "mechanism input";

/// A reference anonymizer run as a mechanism. The `seed` field of the wrapped
/// configuration is ignored: every release uses the trial seed.
#[derive(Debug, Clone, PartialEq)]
pub enum AnonymizerMechanism {
    /// Per-value Laplace or Gaussian noise on numeric columns.
    Noise(NoiseConfig),
    /// k-ary randomized response on categorical columns.
    RandomizedResponse(RandomizedResponseConfig),
    /// Noisy counts per combination of grouping columns.
    Histogram(HistogramConfig),
}

impl AnonymizerMechanism {
    /// Runs the anonymizer on `input` with `seed` in place of the configured
    /// seed and returns its release as the anonymizer built it.
    pub fn release_encoded(
        &self,
        input: &EncodedTable,
        seed: u64,
    ) -> Result<EncodedTable, DpError> {
        let anonymizer_error =
            |e: AnonymizeError| DpError::Invalid(format!("{}: {e}", self.name()));
        match self {
            AnonymizerMechanism::Noise(config) => {
                let config = NoiseConfig {
                    seed,
                    ..config.clone()
                };
                add_noise(input, &config)
                    .map(|r| r.release)
                    .map_err(anonymizer_error)
            }
            AnonymizerMechanism::RandomizedResponse(config) => {
                let config = RandomizedResponseConfig {
                    seed,
                    ..config.clone()
                };
                randomized_response(input, &config)
                    .map(|r| r.release)
                    .map_err(anonymizer_error)
            }
            AnonymizerMechanism::Histogram(config) => {
                let config = HistogramConfig {
                    seed,
                    ..config.clone()
                };
                dp_histogram(input, &config)
                    .map(|r| r.release)
                    .map_err(anonymizer_error)
            }
        }
    }

    /// The anonymizer's name as the CLI spells it (`anonymize-laplace`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            AnonymizerMechanism::Noise(NoiseConfig {
                mechanism: NoiseMechanism::Laplace,
                ..
            }) => "anonymize-laplace",
            AnonymizerMechanism::Noise(_) => "anonymize-gaussian",
            AnonymizerMechanism::RandomizedResponse(_) => "anonymize-rr",
            AnonymizerMechanism::Histogram(_) => "anonymize-histogram",
        }
    }
}

impl Mechanism for AnonymizerMechanism {
    fn describe(&self) -> String {
        match self {
            AnonymizerMechanism::Noise(c) => {
                let noise = match c.mechanism {
                    NoiseMechanism::Laplace => "Laplace".to_string(),
                    NoiseMechanism::Gaussian { delta, calibration } => {
                        format!("Gaussian ({calibration:?} calibration, delta {delta})")
                    }
                };
                format!(
                    "{}: {noise} noise on each value of {:?} clamped to [{}, {}], sensitivity {}, epsilon {} per column",
                    self.name(),
                    c.columns,
                    c.lower,
                    c.upper,
                    c.sensitivity,
                    c.epsilon
                )
            }
            AnonymizerMechanism::RandomizedResponse(c) => {
                let domains: Vec<String> = c
                    .domains
                    .iter()
                    .map(|d| format!("`{}` in {{{}}}", d.column, d.values.join(", ")))
                    .collect();
                format!(
                    "{}: k-ary randomized response on {:?}, epsilon {} per column, {}",
                    self.name(),
                    c.columns,
                    c.epsilon,
                    if domains.is_empty() {
                        "domains from the observed values".to_string()
                    } else {
                        format!("declared domains {}", domains.join("; "))
                    }
                )
            }
            AnonymizerMechanism::Histogram(c) => format!(
                "{}: Laplace-noised counts by {:?}, epsilon {}, {}{}{}",
                self.name(),
                c.by,
                c.epsilon,
                if c.include_empty_cells {
                    "all combinations of observed values"
                } else {
                    "observed cells only"
                },
                if c.round { ", rounded" } else { "" },
                if c.clamp_at_zero {
                    ", clamped at 0"
                } else {
                    ""
                }
            ),
        }
    }

    fn release(&self, input: &EncodedTable, seed: u64) -> Result<EncodedTable, DpError> {
        // Errors name the input as the audit's, not the file it came from.
        let mut labelled = input.clone();
        labelled.source = INPUT_SOURCE.to_string();
        self.release_encoded(&labelled, seed)
    }
}

/// Scores a histogram release by the count of one cell: the number in
/// `count_column` of the first row whose `key_column` equals `key_value`, or
/// `-inf` when the cell is not released at all (a histogram of observed cells
/// omits a cell whose true count is 0).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CellCount {
    /// The grouping column identifying the cell.
    pub key_column: String,
    /// The target's value in that column.
    pub key_value: String,
    /// The column holding the (noisy) count.
    pub count_column: String,
}

impl Distinguisher for CellCount {
    fn describe(&self) -> String {
        format!(
            "`{}` of the cell `{}` = `{}` (-inf when absent)",
            self.count_column, self.key_column, self.key_value
        )
    }

    fn score(&self, release: &EncodedTable) -> Result<f64, DpError> {
        let key = column(release, &self.key_column)?;
        let count = column(release, &self.count_column)?;
        let Some(row) = (0..release.n_rows).find(|&r| key.value(r) == self.key_value) else {
            return Ok(f64::NEG_INFINITY);
        };
        let text = count.value(row).trim();
        text.parse::<f64>()
            .ok()
            .filter(|v| !v.is_nan())
            .ok_or_else(|| DpError::NotNumeric {
                source_name: "mechanism release".into(),
                column: self.count_column.clone(),
                row: row + 1,
                value: text.to_string(),
            })
    }
}
