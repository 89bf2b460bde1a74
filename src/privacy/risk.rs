//! Re-identification risk models on equivalence-class sizes: prosecutor,
//! journalist and marketer risk, and sample uniqueness.
//!
//! The models follow El Emam, *Guide to the De-Identification of Personal
//! Health Information* (CRC Press, 2013), chapter "Measuring the Probability of
//! Re-Identification", as implemented by ARX (`RiskModelSampleSummary`,
//! `RiskModelSampleRisks`, `RiskModelSampleUniqueness` in
//! `org.deidentifier.arx.risk`):
//!
//! * **prosecutor**: the attacker knows the target is in the release, so a
//!   record in a class of sample size `f_j` is re-identified with probability
//!   `1 / f_j`;
//! * **journalist**: the attacker does not know whether the target is in the
//!   release and links against a population table (or an estimate of it) in
//!   which the record's class has size `F_j >= f_j`, so the probability is
//!   `1 / F_j`;
//! * **marketer**: the attacker wants to re-identify as many records as
//!   possible; only the expected share of records re-identified is defined.
//!
//! This module works on plain class sizes (one entry per equivalence class, in
//! the same order for sample and population); it does not group rows and does
//! not estimate population class sizes (see [`super::population`] for
//! population-uniqueness estimators that need only the sample).
//!
//! # "Average risk": the definition used here
//! Tools disagree on what "average risk" means. This module reports ARX's
//! **success rate** (`RiskSummary::success_rate`), the expected proportion of
//! records that an attacker re-identifies when attacking every record:
//! for the prosecutor model it is `J / n` (number of classes over number of
//! records), which equals the *record-weighted* mean of `1 / f_j`
//! (`(1/n) * sum_j f_j * (1/f_j) = J / n`). The other convention, used for
//! example by tools that average over classes, is the *class-weighted* mean
//! `(1/J) * sum_j 1/f_j`; it is larger whenever class sizes differ (classes
//! `[1, 3]`: `J/n = 2/4 = 0.5`, class mean `(1 + 1/3)/2 = 0.667`) and is not
//! reported here.

use serde::{Deserialize, Serialize};

use super::population::FrequencyTable;
use super::PrivacyError;

/// Highest risk, average risk (success rate) and records at risk for one
/// attacker model, as in ARX `RiskModelSampleSummary.RiskSummary`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskSummary {
    /// Highest re-identification probability of any record:
    /// `1 / min_j f_j` (prosecutor) or `1 / min_j F_j` (journalist).
    pub highest_risk: f64,
    /// ARX "success rate": expected proportion of records re-identified when
    /// every record is attacked. Prosecutor: `J / n` (= record-weighted mean
    /// of `1/f_j`). Journalist: `max(J / sum_j F_j, (1/n) * sum_j f_j / F_j)`
    /// (El Emam's definition, as ARX computes it). Not the class-weighted mean;
    /// see the module documentation.
    pub success_rate: f64,
    /// Share of records (in `[0, 1]`) whose individual risk is strictly
    /// greater than `threshold` (ARX: `1/size > threshold`).
    pub records_at_risk_share: f64,
    /// Acceptable highest probability of re-identification of a single
    /// record, used for `records_at_risk_share`.
    pub threshold: f64,
}

/// Marketer risk: only the expected share of records re-identified is
/// defined, since the marketer attacks every record and does not care about
/// any single one (El Emam 2013; ARX `RiskModelSampleSummary.MarketerRisk`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MarketerRisk {
    /// Expected proportion of records re-identified:
    /// `(1/n) * sum_j f_j / F_j` with population class sizes, or `J / n`
    /// when the release is the whole population (then `F_j = f_j`).
    pub success_rate: f64,
    /// Whether population class sizes were given (`false`: `F_j = f_j`).
    pub population_given: bool,
}

/// All sample-based risk figures for one release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReport {
    /// Number of records `n` (sum of sample class sizes).
    pub records: u64,
    /// Number of equivalence classes `J`.
    pub classes: u64,
    /// Prosecutor risk (`1 / f_j`).
    pub prosecutor: RiskSummary,
    /// Journalist risk (`1 / F_j`); `None` when no population class sizes
    /// were given (ARX then reports the prosecutor figures again).
    pub journalist: Option<RiskSummary>,
    /// Marketer risk.
    pub marketer: MarketerRisk,
    /// Share of records that are alone in their class (`f_j = 1`).
    pub sample_uniqueness: f64,
}

/// Checks class sizes and returns `(n, J)`.
fn validate_sample(sample_class_sizes: &[u64]) -> Result<(u64, u64), PrivacyError> {
    if sample_class_sizes.is_empty() {
        return Err(PrivacyError::Invalid(
            "risk: no equivalence classes given (empty release); pass at least one class size"
                .to_string(),
        ));
    }
    let mut records: u64 = 0;
    for (class, &size) in sample_class_sizes.iter().enumerate() {
        if size == 0 {
            return Err(PrivacyError::Invalid(format!(
                "risk: equivalence class {class} has sample size 0; classes must hold at least \
                 one record (drop empty classes before computing risk)"
            )));
        }
        records = records.checked_add(size).ok_or_else(|| {
            PrivacyError::Invalid("risk: total number of records overflows u64".to_string())
        })?;
    }
    Ok((records, sample_class_sizes.len() as u64))
}

fn validate_threshold(threshold: f64) -> Result<(), PrivacyError> {
    if !(0.0..=1.0).contains(&threshold) {
        return Err(PrivacyError::Invalid(format!(
            "risk: threshold {threshold} is not a probability; give a value in [0, 1]"
        )));
    }
    Ok(())
}

fn validate_population(
    sample_class_sizes: &[u64],
    population_class_sizes: &[u64],
) -> Result<(), PrivacyError> {
    if population_class_sizes.len() != sample_class_sizes.len() {
        return Err(PrivacyError::Invalid(format!(
            "risk: {} population class sizes given for {} sample classes; give one population \
             size per sample class, in the same order",
            population_class_sizes.len(),
            sample_class_sizes.len()
        )));
    }
    for (class, (&f, &big_f)) in sample_class_sizes
        .iter()
        .zip(population_class_sizes)
        .enumerate()
    {
        if big_f < f {
            return Err(PrivacyError::Invalid(format!(
                "risk: equivalence class {class} has population size {big_f} smaller than its \
                 sample size {f}; the population must contain the sample"
            )));
        }
    }
    Ok(())
}

/// Prosecutor risk (El Emam 2013; ARX `RiskModelSampleSummary`): a record in
/// a class of size `f_j` is re-identified with probability `1/f_j`.
///
/// * highest risk `= 1 / min_j f_j`
/// * success rate `= J / n`
/// * records at risk `= (1/n) * sum_{j : 1/f_j > threshold} f_j`
///
/// Errors on empty input, a class of size 0, or a threshold outside `[0, 1]`.
pub fn prosecutor_risk(
    sample_class_sizes: &[u64],
    threshold: f64,
) -> Result<RiskSummary, PrivacyError> {
    validate_sample(sample_class_sizes)?;
    validate_threshold(threshold)?;
    Ok(prosecutor_from_frequencies(
        &FrequencyTable::from_class_sizes(sample_class_sizes)?,
        threshold,
    ))
}

/// [`prosecutor_risk`] from the class-size frequencies (integer sums, so the
/// figures do not depend on the order of the classes).
fn prosecutor_from_frequencies(table: &FrequencyTable, threshold: f64) -> RiskSummary {
    let smallest = table.size_counts.first().map_or(0, |&(s, _)| s);
    let records_at_risk: u64 = table
        .size_counts
        .iter()
        .filter(|&&(size, _)| 1.0 / size as f64 > threshold)
        .map(|&(size, n)| size * n)
        .sum();
    RiskSummary {
        highest_risk: 1.0 / smallest as f64,
        success_rate: table.classes as f64 / table.records as f64,
        records_at_risk_share: records_at_risk as f64 / table.records as f64,
        threshold,
    }
}

/// The population class size estimated from the sample class size `f` and
/// the sampling fraction `pi`: `ceil(f / pi)` (the expected population
/// class size, never below `f`). Errors when `pi` is not in `(0, 1]`.
pub fn estimated_population_class_size(f: u64, pi: f64) -> Result<u64, PrivacyError> {
    if !(pi > 0.0 && pi <= 1.0) {
        return Err(PrivacyError::InvalidParameter {
            name: "sampling_fraction",
            message: format!("{pi} is not in (0, 1]; give the share of the population sampled"),
        });
    }
    Ok(((f as f64 / pi).ceil() as u64).max(f))
}

/// Every risk figure of [`risk_report`] from the class-size frequencies,
/// with the population class sizes, when `sampling_fraction` is given,
/// estimated from it ([`estimated_population_class_size`]: they then
/// depend on the sample size alone). The sums run over the distinct sizes
/// in ascending order, so the figures do not depend on the order of the
/// classes, and frequencies merged from several hash partitions of one
/// input give the whole input's figures. ARX computes its risk summary from
/// the same class-size histogram (`RiskModelHistogram`).
pub fn risk_report_from_frequencies(
    table: &FrequencyTable,
    sampling_fraction: Option<f64>,
    threshold: f64,
) -> Result<RiskReport, PrivacyError> {
    validate_threshold(threshold)?;
    if table.records == 0 || table.size_counts.is_empty() {
        return Err(PrivacyError::Invalid(
            "risk: no equivalence classes given (empty release); pass at least one class size"
                .to_string(),
        ));
    }
    let prosecutor = prosecutor_from_frequencies(table, threshold);
    let records = table.records as f64;
    let (journalist, marketer) = match sampling_fraction {
        None => (
            None,
            MarketerRisk {
                success_rate: table.classes as f64 / records,
                population_given: false,
            },
        ),
        Some(pi) => {
            let mut smallest = u64::MAX;
            let mut records_at_risk: u64 = 0;
            let mut population_records: u128 = 0;
            let mut sum_sample_over_population: f64 = 0.0;
            for &(f, n) in &table.size_counts {
                let big_f = estimated_population_class_size(f, pi)?;
                smallest = smallest.min(big_f);
                if 1.0 / big_f as f64 > threshold {
                    records_at_risk += f * n;
                }
                population_records += u128::from(big_f) * u128::from(n);
                sum_sample_over_population += n as f64 * (f as f64 / big_f as f64);
            }
            let record_weighted = sum_sample_over_population / records;
            (
                Some(RiskSummary {
                    highest_risk: 1.0 / smallest as f64,
                    success_rate: (table.classes as f64 / population_records as f64)
                        .max(record_weighted),
                    records_at_risk_share: records_at_risk as f64 / records,
                    threshold,
                }),
                MarketerRisk {
                    success_rate: record_weighted,
                    population_given: true,
                },
            )
        }
    };
    Ok(RiskReport {
        records: table.records,
        classes: table.classes,
        prosecutor,
        journalist,
        marketer,
        sample_uniqueness: table.classes_of_size(1) as f64 / records,
    })
}

/// Journalist risk (El Emam 2013; ARX `RiskModelSampleSummary`): a record
/// whose class has `F_j` members in the population is re-identified with
/// probability `1/F_j`. `population_class_sizes[j]` is `F_j` for the class
/// with sample size `sample_class_sizes[j]`; an estimate (e.g. rounded up
/// `f_j / pi`) may be passed when no population table exists.
///
/// * highest risk `= 1 / min_j F_j`
/// * success rate `= max(J / sum_j F_j, (1/n) * sum_j f_j / F_j)`
/// * records at risk `= (1/n) * sum_{j : 1/F_j > threshold} f_j`
///
/// Errors on empty input, mismatched lengths, `F_j < f_j`, a class of size 0
/// or a threshold outside `[0, 1]`.
pub fn journalist_risk(
    sample_class_sizes: &[u64],
    population_class_sizes: &[u64],
    threshold: f64,
) -> Result<RiskSummary, PrivacyError> {
    let (records, classes) = validate_sample(sample_class_sizes)?;
    validate_threshold(threshold)?;
    validate_population(sample_class_sizes, population_class_sizes)?;
    let mut smallest_population_class = u64::MAX;
    let mut records_at_risk: u64 = 0;
    let mut population_records_in_classes: f64 = 0.0;
    let mut sum_sample_over_population: f64 = 0.0;
    for (&f, &big_f) in sample_class_sizes.iter().zip(population_class_sizes) {
        smallest_population_class = smallest_population_class.min(big_f);
        if 1.0 / big_f as f64 > threshold {
            records_at_risk += f;
        }
        population_records_in_classes += big_f as f64;
        sum_sample_over_population += f as f64 / big_f as f64;
    }
    let classes_over_population = classes as f64 / population_records_in_classes;
    let record_weighted = sum_sample_over_population / records as f64;
    Ok(RiskSummary {
        highest_risk: 1.0 / smallest_population_class as f64,
        success_rate: classes_over_population.max(record_weighted),
        records_at_risk_share: records_at_risk as f64 / records as f64,
        threshold,
    })
}

/// Marketer risk (El Emam 2013; ARX `RiskModelSampleSummary`): expected
/// share of records re-identified, `(1/n) * sum_j f_j / F_j`; without a
/// population (`None`) the release is taken as the population and the value
/// is `J / n`.
///
/// Errors on empty input, a class of size 0, mismatched lengths or `F_j < f_j`.
pub fn marketer_risk(
    sample_class_sizes: &[u64],
    population_class_sizes: Option<&[u64]>,
) -> Result<MarketerRisk, PrivacyError> {
    let (records, classes) = validate_sample(sample_class_sizes)?;
    match population_class_sizes {
        None => Ok(MarketerRisk {
            success_rate: classes as f64 / records as f64,
            population_given: false,
        }),
        Some(population) => {
            validate_population(sample_class_sizes, population)?;
            let sum: f64 = sample_class_sizes
                .iter()
                .zip(population)
                .map(|(&f, &big_f)| f as f64 / big_f as f64)
                .sum();
            Ok(MarketerRisk {
                success_rate: sum / records as f64,
                population_given: true,
            })
        }
    }
}

/// Sample uniqueness: share of records in classes of size 1
/// (ARX `RiskModelSampleUniqueness`). Errors on empty input or a class of size 0.
pub fn sample_uniqueness(sample_class_sizes: &[u64]) -> Result<f64, PrivacyError> {
    let (records, _) = validate_sample(sample_class_sizes)?;
    let uniques = sample_class_sizes.iter().filter(|&&size| size == 1).count() as u64;
    Ok(uniques as f64 / records as f64)
}

/// Computes every sample-based risk figure in one call: prosecutor, journalist
/// (only when `population_class_sizes` is given), marketer and sample
/// uniqueness. `threshold` is the acceptable highest re-identification
/// probability of a single record. Without population class sizes this is
/// [`risk_report_from_frequencies`] on the sizes' frequencies.
pub fn risk_report(
    sample_class_sizes: &[u64],
    population_class_sizes: Option<&[u64]>,
    threshold: f64,
) -> Result<RiskReport, PrivacyError> {
    let (records, classes) = validate_sample(sample_class_sizes)?;
    let Some(population) = population_class_sizes else {
        validate_threshold(threshold)?;
        return risk_report_from_frequencies(
            &FrequencyTable::from_class_sizes(sample_class_sizes)?,
            None,
            threshold,
        );
    };
    let prosecutor = prosecutor_risk(sample_class_sizes, threshold)?;
    let journalist = Some(journalist_risk(sample_class_sizes, population, threshold)?);
    let marketer = marketer_risk(sample_class_sizes, Some(population))?;
    Ok(RiskReport {
        records,
        classes,
        prosecutor,
        journalist,
        marketer,
        sample_uniqueness: sample_uniqueness(sample_class_sizes)?,
    })
}
