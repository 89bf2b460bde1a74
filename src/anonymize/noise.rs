//! Additive noise for differential privacy: Laplace and Gaussian noise on
//! numeric columns, and a DP histogram (noisy counts by group).
//!
//! * **Laplace mechanism** (Dwork, McSherry, Nissim & Smith 2006): each value
//!   is clamped to `[lower, upper]` and receives Laplace noise of scale
//!   `b = sensitivity / epsilon`. For releasing each record's own value the
//!   sensitivity of one value is `upper - lower`; the caller declares it.
//! * **Gaussian mechanism**, two calibrations, named in the result:
//!   [`GaussianCalibration::Classic`] `sigma = sensitivity * sqrt(2 ln(1.25/delta)) / epsilon`
//!   (Dwork & Roth 2014, Theorem A.1, valid only for `epsilon < 1`), and
//!   [`GaussianCalibration::Analytic`], the smallest sigma with
//!   `Phi(D/(2s) - e s/D) - exp(e) Phi(-D/(2s) - e s/D) <= delta` (Balle &
//!   Wang 2018, "Improving the Gaussian mechanism for differential privacy",
//!   Theorem 8), found by bisection; valid for every epsilon > 0.
//! * **DP histogram**: the number of rows per combination of the `by` columns
//!   plus Laplace noise of scale `1 / epsilon` (adding or removing one row
//!   changes one count by 1; cells are disjoint, so the whole histogram is
//!   epsilon-DP by parallel composition). Optional post-processing, which does
//!   not change the guarantee: rounding to the nearest integer, clamping at 0.
//!   Releasing only the cells that occur reveals which combinations occur;
//!   `include_empty_cells` releases the full cross product of the values seen
//!   in each column instead (whose per-column domains are then assumed public).
//!
//! Epsilon is per column: noising several columns of the same record composes
//! to `columns x epsilon` (reported as `total_epsilon`). Noise comes from one
//! `ChaCha8Rng::seed_from_u64(seed)` stream, columns in order then rows in
//! order. Floating-point Laplace sampling has the known Mironov (2012)
//! weakness; this is a reference mechanism for experiments, not a hardened one.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use serde::Serialize;

use super::{check_epsilon, column_index, format_number, numeric_rows, AnonymizeError};
use crate::data::{CategoricalColumn, EncodedTable};

/// How the Gaussian sigma is derived from (epsilon, delta, sensitivity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GaussianCalibration {
    /// Dwork & Roth 2014, Theorem A.1 (epsilon < 1 only).
    Classic,
    /// Balle & Wang 2018, analytic Gaussian mechanism.
    Analytic,
}

/// The noise distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoiseMechanism {
    /// Laplace noise, pure epsilon-DP.
    Laplace,
    /// Gaussian noise, (epsilon, delta)-DP.
    Gaussian {
        /// delta in (0, 1).
        delta: f64,
        /// How sigma is calibrated.
        calibration: GaussianCalibration,
    },
}

/// Parameters of [`add_noise`].
#[derive(Debug, Clone, PartialEq)]
pub struct NoiseConfig {
    /// Numeric columns to perturb.
    pub columns: Vec<String>,
    /// Laplace or Gaussian.
    pub mechanism: NoiseMechanism,
    /// Privacy parameter per column, > 0.
    pub epsilon: f64,
    /// Declared sensitivity (L1 for Laplace, L2 for Gaussian), > 0.
    pub sensitivity: f64,
    /// Clamping lower bound.
    pub lower: f64,
    /// Clamping upper bound.
    pub upper: f64,
    /// RNG seed.
    pub seed: u64,
    /// Digits after the decimal point; `None` writes the shortest exact value.
    pub decimals: Option<usize>,
}

/// The outcome of [`add_noise`].
#[derive(Debug, Clone, Serialize)]
pub struct NoiseResult {
    /// The mechanism used.
    pub mechanism: NoiseMechanism,
    /// Laplace scale b, or Gaussian sigma.
    pub scale: f64,
    /// Epsilon per column.
    pub epsilon: f64,
    /// Epsilon of a whole record by sequential composition over the columns.
    pub total_epsilon: f64,
    /// Values moved by clamping, over all columns.
    pub clamped_values: usize,
    /// The anonymized table.
    #[serde(skip)]
    pub release: EncodedTable,
}

/// One draw from Laplace(0, scale): the log-ratio of two uniforms on (0, 1] is
/// the difference of two Exp(1) variables, which is Laplace(0, 1).
pub fn sample_laplace<R: Rng>(rng: &mut R, scale: f64) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = 1.0 - rng.gen::<f64>();
    scale * (u2.ln() - u1.ln())
}

fn check_delta(delta: f64) -> Result<(), AnonymizeError> {
    if !(delta > 0.0 && delta < 1.0) {
        return Err(AnonymizeError::Parameter {
            parameter: "delta",
            value: delta.to_string(),
            requirement: "delta must be in (0, 1)".to_string(),
        });
    }
    Ok(())
}

fn check_sensitivity(sensitivity: f64) -> Result<(), AnonymizeError> {
    if !(sensitivity.is_finite() && sensitivity > 0.0) {
        return Err(AnonymizeError::Parameter {
            parameter: "sensitivity",
            value: sensitivity.to_string(),
            requirement: "the sensitivity must be a finite number > 0".to_string(),
        });
    }
    Ok(())
}

/// Laplace scale `sensitivity / epsilon`.
pub fn laplace_scale(epsilon: f64, sensitivity: f64) -> Result<f64, AnonymizeError> {
    check_epsilon(epsilon)?;
    check_sensitivity(sensitivity)?;
    Ok(sensitivity / epsilon)
}

/// Classic Gaussian sigma `sensitivity * sqrt(2 ln(1.25/delta)) / epsilon`
/// (Dwork & Roth 2014, Theorem A.1); refuses `epsilon >= 1`, where the theorem
/// does not hold.
pub fn classic_gaussian_sigma(
    epsilon: f64,
    delta: f64,
    sensitivity: f64,
) -> Result<f64, AnonymizeError> {
    check_epsilon(epsilon)?;
    check_delta(delta)?;
    check_sensitivity(sensitivity)?;
    if epsilon >= 1.0 {
        return Err(AnonymizeError::Parameter {
            parameter: "epsilon",
            value: epsilon.to_string(),
            requirement: "the classic Gaussian calibration holds only for epsilon < 1; use the analytic calibration".to_string(),
        });
    }
    Ok(sensitivity * (2.0 * (1.25 / delta).ln()).sqrt() / epsilon)
}

/// The delta achieved by Gaussian noise of standard deviation `sigma` at
/// `epsilon` (Balle & Wang 2018, Theorem 8); the one implementation lives in
/// [`crate::dp::gaussian::gaussian_delta`], shared with the epsilon estimates.
pub fn gaussian_delta(epsilon: f64, sigma: f64, sensitivity: f64) -> f64 {
    crate::dp::gaussian::gaussian_delta(epsilon, sigma, sensitivity)
}

/// Analytic Gaussian sigma (Balle & Wang 2018): the smallest sigma whose
/// [`gaussian_delta`] is at most `delta`, by bisection to a relative width of
/// 1e-12 ([`crate::dp::gaussian::gaussian_sigma`], shared with the audits).
pub fn analytic_gaussian_sigma(
    epsilon: f64,
    delta: f64,
    sensitivity: f64,
) -> Result<f64, AnonymizeError> {
    check_epsilon(epsilon)?;
    check_delta(delta)?;
    check_sensitivity(sensitivity)?;
    crate::dp::gaussian::gaussian_sigma(epsilon, delta, sensitivity)
        .map_err(|e| AnonymizeError::Invalid(format!("analytic Gaussian sigma: {e}")))
}

/// Clamps and perturbs `config.columns`; other columns are copied unchanged.
pub fn add_noise(
    table: &EncodedTable,
    config: &NoiseConfig,
) -> Result<NoiseResult, AnonymizeError> {
    if !(config.lower.is_finite() && config.upper.is_finite() && config.lower < config.upper) {
        return Err(AnonymizeError::Parameter {
            parameter: "lower/upper",
            value: format!("[{}, {}]", config.lower, config.upper),
            requirement: "the clamping bounds must be finite with lower < upper".to_string(),
        });
    }
    if config.columns.is_empty() {
        return Err(AnonymizeError::Invalid(
            "noise needs at least one numeric column".to_string(),
        ));
    }
    let scale = match config.mechanism {
        NoiseMechanism::Laplace => laplace_scale(config.epsilon, config.sensitivity)?,
        NoiseMechanism::Gaussian {
            delta,
            calibration: GaussianCalibration::Classic,
        } => classic_gaussian_sigma(config.epsilon, delta, config.sensitivity)?,
        NoiseMechanism::Gaussian {
            delta,
            calibration: GaussianCalibration::Analytic,
        } => analytic_gaussian_sigma(config.epsilon, delta, config.sensitivity)?,
    };
    let mut columns = Vec::with_capacity(config.columns.len());
    for name in &config.columns {
        let c = column_index(table, name)?;
        columns.push((c, numeric_rows(&table.source, &table.columns[c])?));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut release = table.clone();
    let mut clamped_values = 0usize;
    for (c, values) in columns {
        let noisy: Vec<String> = values
            .iter()
            .map(|&x| {
                let clamped = x.clamp(config.lower, config.upper);
                if clamped != x {
                    clamped_values += 1;
                }
                let noise = match config.mechanism {
                    NoiseMechanism::Laplace => sample_laplace(&mut rng, scale),
                    NoiseMechanism::Gaussian { .. } => scale * rng.sample::<f64, _>(StandardNormal),
                };
                format_number(clamped + noise, config.decimals)
            })
            .collect();
        // Equal noisy values share one code, as they would once read back.
        release.replace_column(CategoricalColumn::from_row_strings(
            &table.columns[c].name,
            noisy,
        ));
    }
    Ok(NoiseResult {
        mechanism: config.mechanism,
        scale,
        epsilon: config.epsilon,
        total_epsilon: config.epsilon * config.columns.len() as f64,
        clamped_values,
        release,
    })
}

/// Parameters of [`dp_histogram`].
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramConfig {
    /// Grouping columns (one cell per combination).
    pub by: Vec<String>,
    /// Privacy parameter, > 0.
    pub epsilon: f64,
    /// RNG seed.
    pub seed: u64,
    /// Round noisy counts to the nearest integer (post-processing).
    pub round: bool,
    /// Replace negative noisy counts by 0 (post-processing).
    pub clamp_at_zero: bool,
    /// Release every combination of the values seen per column, not only the
    /// combinations that occur.
    pub include_empty_cells: bool,
    /// Name of the noisy count column.
    pub count_column: String,
    /// If set, a column of this name holds the true counts (hidden truth key
    /// for scoring; off by default).
    pub true_count_column: Option<String>,
}

/// The outcome of [`dp_histogram`].
#[derive(Debug, Clone, Serialize)]
pub struct HistogramResult {
    /// Laplace scale `1 / epsilon`.
    pub scale: f64,
    /// Number of cells released.
    pub cells: usize,
    /// The histogram: the `by` columns, the noisy count (and the true count if asked).
    #[serde(skip)]
    pub release: EncodedTable,
}

/// Largest number of cells [`dp_histogram`] releases.
pub const MAX_HISTOGRAM_CELLS: usize = 10_000_000;

/// Counts rows per combination of `config.by` and adds Laplace(1/epsilon) noise.
pub fn dp_histogram(
    table: &EncodedTable,
    config: &HistogramConfig,
) -> Result<HistogramResult, AnonymizeError> {
    let scale = laplace_scale(config.epsilon, 1.0)?;
    if config.by.is_empty() {
        return Err(AnonymizeError::Invalid(
            "a histogram needs at least one grouping column".to_string(),
        ));
    }
    let by: Vec<usize> = config
        .by
        .iter()
        .map(|name| column_index(table, name))
        .collect::<Result<_, _>>()?;
    let radix: Vec<usize> = by
        .iter()
        .map(|&c| table.columns[c].n_values().max(1))
        .collect();
    let full = radix
        .iter()
        .try_fold(1usize, |acc, &r| acc.checked_mul(r))
        .filter(|&s| s <= MAX_HISTOGRAM_CELLS);
    if radix
        .iter()
        .try_fold(1u128, |acc, &r| acc.checked_mul(r as u128))
        .is_none()
    {
        return Err(AnonymizeError::Invalid(format!(
            "too many combinations of {:?} to index; group by fewer columns",
            config.by
        )));
    }
    // Cell id: mixed radix over the dictionary codes, first column most significant.
    let cell_of_row = |row: usize| {
        by.iter().zip(&radix).fold(0u128, |acc, (&c, &r)| {
            acc * r as u128 + table.columns[c].codes[row] as u128
        })
    };
    let mut cell_ids: Vec<u128> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    if config.include_empty_cells {
        let size = full.ok_or_else(|| {
            AnonymizeError::Invalid(format!(
                "the full cross product of {:?} has more than {MAX_HISTOGRAM_CELLS} cells; release observed cells only",
                config.by
            ))
        })?;
        cell_ids = (0..size as u128).collect();
        counts = vec![0; size];
        for row in 0..table.n_rows {
            counts[cell_of_row(row) as usize] += 1;
        }
    } else {
        let mut index: std::collections::HashMap<u128, usize> = std::collections::HashMap::new();
        for row in 0..table.n_rows {
            let id = cell_of_row(row);
            let next = counts.len();
            let i = *index.entry(id).or_insert_with(|| {
                cell_ids.push(id);
                counts.push(0);
                next
            });
            counts[i] += 1;
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let n_cells = counts.len();
    // The grouping columns keep their input dictionary, missing code and
    // suppression flags; only the codes change (one per cell).
    let mut columns: Vec<CategoricalColumn> = by
        .iter()
        .map(|&c| CategoricalColumn {
            codes: Vec::with_capacity(n_cells),
            ..table.columns[c].clone()
        })
        .collect();
    for &id in &cell_ids {
        let mut rest = id;
        for (j, &r) in radix.iter().enumerate().rev() {
            columns[j].codes.push((rest % r as u128) as u32);
            rest /= r as u128;
        }
    }
    let noisy: Vec<String> = counts
        .iter()
        .map(|&count| {
            let mut x = count as f64 + sample_laplace(&mut rng, scale);
            if config.clamp_at_zero {
                x = x.max(0.0);
            }
            if config.round {
                format!("{}", x.round() as i64)
            } else {
                format_number(x, None)
            }
        })
        .collect();
    columns.push(CategoricalColumn::from_row_strings(
        &config.count_column,
        noisy,
    ));
    if let Some(name) = &config.true_count_column {
        columns.push(CategoricalColumn::from_row_strings(
            name,
            counts.iter().map(|c| c.to_string()).collect(),
        ));
    }
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    if let Some(dup) = names
        .iter()
        .enumerate()
        .find_map(|(i, n)| names[..i].contains(n).then_some(n))
    {
        return Err(AnonymizeError::Invalid(format!(
            "the histogram would have two columns named `{dup}`; choose another count column name"
        )));
    }
    Ok(HistogramResult {
        scale,
        cells: n_cells,
        release: EncodedTable::new(&table.source, columns),
    })
}
