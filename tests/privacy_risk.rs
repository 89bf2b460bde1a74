//! Tests for `privacy::risk` (prosecutor, journalist, marketer risk, sample
//! uniqueness) and `privacy::population` (Zayatz, Pitman, SNB, Dankar rule).
//!
//! Risk figures are computed by hand in the comments. Population-uniqueness
//! figures for Pitman and SNB (and Zayatz on larger tables) come from an
//! independent Python implementation, `ref.py` (reproduced at the end of this
//! file), run as `python3 -W ignore ref.py` with Python 3.11.7, numpy 2.0.2,
//! scipy 1.15.3, sympy 1.14.0. It differs from the Rust code on purpose:
//! Zayatz via `scipy.stats.hypergeom`; Pitman by Nelder-Mead on the
//! log-likelihood in log-gamma form, polished by `fsolve` on the digamma score
//! equations; SNB with `E[c_1]`, `E[c_2]` from symbolic derivatives (sympy) of
//! the generating function of `F = 1 + NB(alpha, beta)` at `1 - pi` (not the
//! closed form used in Rust), solved by `fsolve`. Its output:
//!
//! ```text
//! python 3.11.7 numpy 2.0.2 scipy 1.15.3 sympy 1.14.0
//! table {1: 120, 2: 25, 3: 10, 4: 6, 5: 4, 7: 3, 10: 2, 20: 1, 50: 1} n 355 u 172
//!  N 7100 pi 0.05
//!   zayatz uniques 1.062186352383e+03
//!   pitman theta 2.157293899842e+01 alpha 6.250053265454e-01 uniques 8.121200966473e+02
//!   snb K 1.148112781583e+03 alpha 1.235146649522e-01 beta 3.786309809031e-02 uniques 7.662551307974e+02
//!  N 1183 pi 0.30008453085376163
//!   zayatz uniques 2.578819684029e+02
//!   pitman theta 2.157293899842e+01 alpha 6.250053265454e-01 uniques 2.649690261506e+02
//!   snb K 3.723704434877e+02 alpha 2.508521963336e-01 beta 1.674985870586e-01 uniques 2.378574146721e+02
//! table {1: 50, 2: 20, 3: 10, 4: 5, 5: 3, 8: 2, 10: 1} n 181 u 91
//!  N 3620 pi 0.05
//!   zayatz uniques 3.086465451563e+02
//!   pitman theta 7.229163469368e+01 alpha 4.677580431370e-09 uniques 7.229163601938e+01
//!   snb K 3.787844787876e+02 alpha 1.603469798520e-01 beta 7.978511502319e-03 uniques 1.745708329531e+02
//!  N 603 pi 0.30016583747927034
//!   zayatz uniques 7.934999834651e+01
//!   pitman theta 7.229163469368e+01 alpha 4.677580431370e-09 uniques 7.229163541331e+01
//!   snb K 1.559800263707e+02 alpha 5.767496088210e-01 beta 1.689517337884e-01 uniques 5.593471138934e+01
//! ```
//!
//! On UCI Adult, `adult.py` (also at the end of this file) groups
//! `datasets/adult/adult.csv` with Python's `csv` module and calls the same
//! functions; `python3 -W ignore adult.py datasets/adult/adult.csv` printed
//! (frequency table omitted):
//!
//! ```text
//! rows 30162 classes 7645 c1 4907 c2 905 max size 150
//!  N 3016200 pi 0.01
//!   zayatz uniques 1.033878689635e+05
//!   pitman theta 2.979068008271e+02 alpha 6.067224568056e-01 uniques 8.024318257705e+04
//!   snb K 6.456486347286e+04 alpha 2.270062753568e-01 beta 2.032146102099e-02 uniques 2.666191795162e+04
//!  N 150810 pi 0.2
//!   zayatz uniques 1.325210985141e+04
//!   pitman theta 2.979068008271e+02 alpha 6.067224568056e-01 uniques 1.303298903403e+04
//!   snb K 2.052894515916e+04 alpha 1.580273056520e-01 beta 9.511401154796e-02 uniques 1.415472270005e+04
//! ```

use proptest::prelude::*;
use reident::privacy::population::{
    population_uniqueness, population_uniqueness_with_population_size,
    probability_exactly_one_sampled, shlosser_population_classes, zayatz, FrequencyTable,
    ModelEstimate, SolverConfig, SolverOutcome, UniquenessModel,
};
use reident::privacy::risk::{
    journalist_risk, marketer_risk, prosecutor_risk, risk_report, sample_uniqueness,
};
use reident::privacy::PrivacyError;

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(1e-300)
}

fn assert_close(actual: f64, expected: f64, relative: f64, what: &str) {
    assert!(
        close(actual, expected, relative),
        "{what}: got {actual}, expected {expected} (relative tolerance {relative})"
    );
}

fn error_message<T: std::fmt::Debug>(result: Result<T, PrivacyError>) -> String {
    match result {
        Err(PrivacyError::Invalid(message)) => message,
        Err(other) => panic!("expected PrivacyError::Invalid, got {other:?}"),
        Ok(value) => panic!("expected an error, got {value:?}"),
    }
}

fn parameter(estimate: &ModelEstimate, name: &str) -> f64 {
    estimate
        .parameters
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("parameter {name} missing in {estimate:?}"))
}

fn expand(table: &[(u64, u64)]) -> Vec<u64> {
    table
        .iter()
        .flat_map(|&(size, count)| std::iter::repeat_n(size, count as usize))
        .collect()
}

// Frequency-of-frequency tables of the Python reference run.
const HEAVY_TAIL: [(u64, u64); 9] = [
    (1, 120),
    (2, 25),
    (3, 10),
    (4, 6),
    (5, 4),
    (7, 3),
    (10, 2),
    (20, 1),
    (50, 1),
];
const EWENS_LIKE: [(u64, u64); 7] = [(1, 50), (2, 20), (3, 10), (4, 5), (5, 3), (8, 2), (10, 1)];

// ---------------------------------------------------------------------------
// Sample-based risks, hand-computed
// ---------------------------------------------------------------------------

// Sample classes f = [1, 2, 2, 5]: n = 10 records, J = 4 classes.
const SAMPLE: [u64; 4] = [1, 2, 2, 5];
// Population classes F = [3, 2, 10, 20] (F_j >= f_j).
const POPULATION: [u64; 4] = [3, 2, 10, 20];

#[test]
fn prosecutor_risk_by_hand() {
    let risk = prosecutor_risk(&SAMPLE, 0.3).unwrap();
    // highest = 1 / min f = 1 / 1
    assert_eq!(risk.highest_risk, 1.0);
    // success rate = J / n = 4 / 10
    assert_close(risk.success_rate, 0.4, 1e-15, "success rate");
    // 1/1 = 1 > 0.3 (1 record), 1/2 = 0.5 > 0.3 (2 + 2 records), 1/5 = 0.2 no: 5 / 10
    assert_close(risk.records_at_risk_share, 0.5, 1e-15, "records at risk");
    assert_eq!(risk.threshold, 0.3);

    // Strictly above the threshold, as ARX: 1/2 = 0.5 is not > 0.5, so only the unique: 1 / 10
    let risk = prosecutor_risk(&SAMPLE, 0.5).unwrap();
    assert_close(
        risk.records_at_risk_share,
        0.1,
        1e-15,
        "records at risk at 0.5",
    );
    // Threshold 1: no risk exceeds 1.
    assert_eq!(
        prosecutor_risk(&SAMPLE, 1.0).unwrap().records_at_risk_share,
        0.0
    );
}

#[test]
fn prosecutor_success_rate_is_record_weighted_not_class_mean() {
    // Classes [1, 3]: J/n = 2/4 = 0.5, while the class mean (1 + 1/3)/2 = 0.667.
    let risk = prosecutor_risk(&[1, 3], 0.0).unwrap();
    assert_close(risk.success_rate, 0.5, 1e-15, "J/n");
    // record-weighted mean of 1/f_j: (1*1 + 3*(1/3)) / 4 = 0.5
    assert_close(risk.success_rate, (1.0 + 3.0 / 3.0) / 4.0, 1e-15, "mean");
}

#[test]
fn journalist_risk_by_hand() {
    let risk = journalist_risk(&SAMPLE, &POPULATION, 0.3).unwrap();
    // highest = 1 / min F = 1 / 2
    assert_close(risk.highest_risk, 0.5, 1e-15, "highest");
    // 1/3 > 0.3 (f = 1), 1/2 > 0.3 (f = 2), 1/10 and 1/20 not: 3 / 10
    assert_close(risk.records_at_risk_share, 0.3, 1e-15, "records at risk");
    // J / sum F = 4 / 35 = 0.114; (1/n) sum f/F = (1/3 + 2/2 + 2/10 + 5/20) / 10
    //   = (20 + 60 + 12 + 15) / 60 / 10 = 107/600 = 0.178; max = 107/600
    assert_close(risk.success_rate, 107.0 / 600.0, 1e-15, "success rate");

    // A case where J / sum F wins: f = [1, 9], F = [2, 9]:
    // J / sum F = 2/11 = 0.1818 > (1/2 + 9/9) / 10 = 0.15
    let risk = journalist_risk(&[1, 9], &[2, 9], 0.0).unwrap();
    assert_close(risk.success_rate, 2.0 / 11.0, 1e-15, "J / sum F");
}

#[test]
fn marketer_risk_and_uniqueness_by_hand() {
    let with_population = marketer_risk(&SAMPLE, Some(&POPULATION)).unwrap();
    // (1/n) sum f/F = 107/600 (see journalist test)
    assert_close(
        with_population.success_rate,
        107.0 / 600.0,
        1e-15,
        "marketer",
    );
    assert!(with_population.population_given);
    let without = marketer_risk(&SAMPLE, None).unwrap();
    // J / n = 4 / 10
    assert_close(
        without.success_rate,
        0.4,
        1e-15,
        "marketer without population",
    );
    assert!(!without.population_given);
    // one record in a class of size 1 out of 10
    assert_close(
        sample_uniqueness(&SAMPLE).unwrap(),
        0.1,
        1e-15,
        "uniqueness",
    );
    assert_eq!(sample_uniqueness(&[1, 1, 1]).unwrap(), 1.0);
    assert_eq!(sample_uniqueness(&[2, 7]).unwrap(), 0.0);
}

#[test]
fn risk_report_bundles_models() {
    let report = risk_report(&SAMPLE, Some(&POPULATION), 0.3).unwrap();
    assert_eq!((report.records, report.classes), (10, 4));
    assert_eq!(report.prosecutor, prosecutor_risk(&SAMPLE, 0.3).unwrap());
    assert_eq!(
        report.journalist,
        Some(journalist_risk(&SAMPLE, &POPULATION, 0.3).unwrap())
    );
    assert_close(
        report.marketer.success_rate,
        107.0 / 600.0,
        1e-15,
        "marketer",
    );
    assert_close(report.sample_uniqueness, 0.1, 1e-15, "uniqueness");
    let report = risk_report(&SAMPLE, None, 0.3).unwrap();
    assert_eq!(report.journalist, None);
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"success_rate\":0.4"), "{json}");
}

#[test]
fn risk_errors_are_clear() {
    assert!(error_message(prosecutor_risk(&[], 0.1)).contains("no equivalence classes"));
    assert!(error_message(prosecutor_risk(&[3, 0], 0.1)).contains("class 1 has sample size 0"));
    assert!(error_message(prosecutor_risk(&[3], 1.5)).contains("threshold 1.5"));
    assert!(error_message(prosecutor_risk(&[3], f64::NAN)).contains("threshold NaN"));
    assert!(error_message(journalist_risk(&[3, 2], &[4], 0.1)).contains("1 population class"));
    let message = error_message(journalist_risk(&[3, 2], &[4, 1], 0.1));
    assert!(
        message.contains("class 1 has population size 1 smaller than its sample size 2"),
        "{message}"
    );
    assert!(error_message(marketer_risk(&[5], Some(&[4]))).contains("population size 4"));
    assert!(error_message(sample_uniqueness(&[])).contains("empty"));
}

// ---------------------------------------------------------------------------
// Zayatz, hand-computed
// ---------------------------------------------------------------------------

#[test]
fn hypergeometric_probability_by_hand() {
    // N = 20, n = 10: P(exactly one of i drawn)
    // i = 1: 10/20 = 0.5
    assert_close(
        probability_exactly_one_sampled(20, 10, 1),
        0.5,
        1e-15,
        "i=1",
    );
    // i = 2: 2 * 10/20 * 10/19 = 10/19
    assert_close(
        probability_exactly_one_sampled(20, 10, 2),
        10.0 / 19.0,
        1e-15,
        "i=2",
    );
    // i = 3: 3 * 10/20 * 10/19 * 9/18 = 7.5/19
    assert_close(
        probability_exactly_one_sampled(20, 10, 3),
        7.5 / 19.0,
        1e-15,
        "i=3",
    );
    // N = n: every member is drawn, so exactly one only for i = 1
    assert_eq!(probability_exactly_one_sampled(10, 10, 2), 0.0);
}

#[test]
fn zayatz_by_hand() {
    // f = [1, 1, 1, 2, 2, 3]: c1 = 3, c2 = 2, c3 = 1, u = 6, n = 10; pi = 0.5 -> N = 20.
    // sum_i (c_i/u) P(f=1|F=i) = (3*0.5 + 2*10/19 + 1*7.5/19) / 6 = (56/19) / 6
    // P(F=1|f=1) = (3/6 * 0.5) / ((56/19)/6) = 1.5 * 19/56 = 28.5/56
    // uniques = c1 * P / pi = 3 * (28.5/56) / 0.5 = 171/56 = 3.0536; share = 171/1120
    let result = population_uniqueness(&[1, 1, 1, 2, 2, 3], 0.5, &SolverConfig::default()).unwrap();
    assert_eq!(result.population_size, 20);
    assert_eq!(result.sample_uniques, 3);
    let z = &result.zayatz;
    assert_eq!(z.solver, SolverOutcome::ClosedForm);
    assert_close(
        z.population_uniques.unwrap(),
        171.0 / 56.0,
        1e-13,
        "uniques",
    );
    assert_close(
        z.population_uniques_share.unwrap(),
        171.0 / 1120.0,
        1e-13,
        "share",
    );

    // pi = 1: the sample is the population, P(f=1|F=i) = 0 for i > 1, so the
    // estimate is exactly the number of sample uniques (2).
    let table = FrequencyTable::from_class_sizes(&[1, 1, 2]).unwrap();
    assert_eq!(zayatz(&table, 4).population_uniques, Some(2.0));
}

// ---------------------------------------------------------------------------
// Pitman, SNB and the Dankar rule against the independent Python run
// ---------------------------------------------------------------------------

#[test]
fn pitman_and_dankar_at_small_sampling_fraction() {
    let result =
        population_uniqueness(&expand(&HEAVY_TAIL), 0.05, &SolverConfig::default()).unwrap();
    assert_eq!((result.sample_size, result.population_size), (355, 7100));
    let pitman = &result.pitman;
    assert!(matches!(pitman.solver, SolverOutcome::Converged { .. }));
    assert_close(parameter(pitman, "theta"), 2.157293899842e1, 1e-8, "theta");
    assert_close(parameter(pitman, "alpha"), 6.250053265454e-1, 1e-8, "alpha");
    assert_close(
        pitman.population_uniques.unwrap(),
        8.121200966473e2,
        1e-8,
        "Pitman uniques",
    );
    assert_close(
        result.zayatz.population_uniques.unwrap(),
        1.062186352383e3,
        1e-10,
        "Zayatz uniques",
    );
    assert_close(
        result.snb.population_uniques.unwrap(),
        7.662551307974e2,
        1e-7,
        "SNB uniques",
    );
    // pi = 0.05 <= 0.1: Dankar et al. use Pitman.
    assert_eq!(result.dankar_model, Some(UniquenessModel::Pitman));
    assert_close(
        result.dankar_population_uniques,
        8.121200966473e2,
        1e-8,
        "Dankar",
    );
    assert_close(
        result.dankar_population_uniques_share,
        8.121200966473e2 / 7100.0,
        1e-8,
        "Dankar share",
    );
    assert!(!result.solver_failed);
}

#[test]
fn snb_and_dankar_at_large_sampling_fraction() {
    let result =
        population_uniqueness(&expand(&HEAVY_TAIL), 0.3, &SolverConfig::default()).unwrap();
    assert_eq!(result.population_size, 1183);
    let snb = &result.snb;
    assert!(matches!(snb.solver, SolverOutcome::Converged { .. }));
    assert_close(
        parameter(snb, "population_classes_shlosser"),
        3.723704434877e2,
        1e-11,
        "Shlosser K",
    );
    assert_close(parameter(snb, "alpha"), 2.508521963336e-1, 1e-7, "alpha");
    assert_close(parameter(snb, "beta"), 1.674985870586e-1, 1e-7, "beta");
    assert_close(
        snb.population_uniques.unwrap(),
        2.378574146721e2,
        1e-8,
        "SNB uniques",
    );
    assert_close(
        result.zayatz.population_uniques.unwrap(),
        2.578819684029e2,
        1e-10,
        "Zayatz",
    );
    assert_close(
        result.pitman.population_uniques.unwrap(),
        2.649690261506e2,
        1e-8,
        "Pitman",
    );
    // pi > 0.1: Dankar takes min(Zayatz 257.9, SNB 237.9) = SNB.
    assert_eq!(result.dankar_model, Some(UniquenessModel::Snb));
    assert_close(
        result.dankar_population_uniques,
        2.378574146721e2,
        1e-8,
        "Dankar",
    );
}

#[test]
fn pitman_at_ewens_boundary_and_second_table() {
    // The likelihood of this table is maximal at alpha = 0 (Python's Nelder-Mead
    // ends at alpha = 4.7e-9); the Ewens limit of U_N is theta.
    let sizes = expand(&EWENS_LIKE);
    let result = population_uniqueness(&sizes, 0.05, &SolverConfig::default()).unwrap();
    assert_eq!(result.population_size, 3620);
    let pitman = &result.pitman;
    assert!(matches!(pitman.solver, SolverOutcome::Converged { .. }));
    assert_close(parameter(pitman, "theta"), 7.229163469368e1, 1e-8, "theta");
    assert!(parameter(pitman, "alpha") < 1e-6);
    assert_close(
        pitman.population_uniques.unwrap(),
        7.229163601938e1,
        1e-7,
        "uniques",
    );
    assert_close(
        result.zayatz.population_uniques.unwrap(),
        3.086465451563e2,
        1e-10,
        "Zayatz",
    );
    assert_close(
        result.snb.population_uniques.unwrap(),
        1.745708329531e2,
        1e-7,
        "SNB",
    );
    assert_eq!(result.dankar_model, Some(UniquenessModel::Pitman));

    let result = population_uniqueness(&sizes, 0.3, &SolverConfig::default()).unwrap();
    assert_eq!(result.population_size, 603);
    assert_close(
        result.zayatz.population_uniques.unwrap(),
        7.934999834651e1,
        1e-10,
        "Zayatz",
    );
    assert_close(
        result.snb.population_uniques.unwrap(),
        5.593471138934e1,
        1e-7,
        "SNB",
    );
    assert_close(
        parameter(&result.snb, "population_classes_shlosser"),
        1.559800263707e2,
        1e-11,
        "Shlosser K",
    );
    assert_eq!(result.dankar_model, Some(UniquenessModel::Snb));
}

#[test]
fn shlosser_is_undefined_at_full_sampling() {
    let table = FrequencyTable::from_class_sizes(&expand(&HEAVY_TAIL)).unwrap();
    assert_eq!(shlosser_population_classes(&table, 1.0), None);
    // With pi = 1 SNB is not run, Dankar falls back to Zayatz = c1 = 120.
    let result =
        population_uniqueness_with_population_size(&expand(&HEAVY_TAIL), 355, &Default::default())
            .unwrap();
    assert_eq!(result.snb.solver, SolverOutcome::NotRun);
    assert_eq!(result.snb.population_uniques, None);
    assert_eq!(result.dankar_model, Some(UniquenessModel::Zayatz));
    assert_close(result.dankar_population_uniques, 120.0, 1e-12, "c1");
}

#[test]
fn degenerate_samples_report_instead_of_panicking() {
    // No sample uniques: every estimate is 0 (as ARX), no model chosen.
    let result = population_uniqueness(&[2, 3, 2], 0.01, &Default::default()).unwrap();
    assert_eq!(result.dankar_model, None);
    assert_eq!(result.dankar_population_uniques, 0.0);
    assert_eq!(result.pitman.population_uniques, Some(0.0));

    // All classes unique: Pitman's likelihood grows towards alpha = 1 without
    // a maximum, SNB has no class of size 2; Dankar falls back to Zayatz.
    let result = population_uniqueness(&[1; 30], 0.05, &Default::default()).unwrap();
    assert!(matches!(
        result.pitman.solver,
        SolverOutcome::NotConverged { .. }
    ));
    assert_eq!(result.pitman.population_uniques, None);
    assert!(result.solver_failed);
    assert_eq!(result.snb.solver, SolverOutcome::NotRun);
    assert_eq!(result.dankar_model, Some(UniquenessModel::Zayatz));
    // Only size-1 classes: P(F=1|f=1) = 1, uniques = 30 / 0.05 = 600 = N.
    assert_close(result.dankar_population_uniques, 600.0, 1e-12, "Zayatz");
}

#[test]
fn population_errors_are_clear() {
    let config = SolverConfig::default();
    assert!(error_message(population_uniqueness(&[], 0.5, &config)).contains("empty sample"));
    assert!(error_message(population_uniqueness(&[1, 0], 0.5, &config)).contains("class 1"));
    for bad in [0.0, -0.1, 1.5, f64::NAN] {
        let message = error_message(population_uniqueness(&[1, 2], bad, &config));
        assert!(message.contains("outside (0, 1]"), "{message}");
    }
    let message = error_message(population_uniqueness_with_population_size(
        &[1, 2, 5],
        7,
        &config,
    ));
    assert!(
        message.contains("population size 7 is smaller than the sample (8 records)"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------
// Real data: UCI Adult (datasets/adult/adult.csv, 30,162 rows)
// ---------------------------------------------------------------------------

/// Class sizes of adult.csv over the quasi-identifiers sex, age, race,
/// marital-status, education, native-country (plain grouping, so the test does
/// not depend on the crate's equivalence-class code).
fn adult_class_sizes() -> Vec<u64> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/adult/adult.csv");
    let text =
        std::fs::read_to_string(path).expect("datasets/adult/adult.csv is in the repository");
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .trim_end_matches('\r')
        .split(';')
        .collect();
    let columns: Vec<usize> = [
        "sex",
        "age",
        "race",
        "marital-status",
        "education",
        "native-country",
    ]
    .iter()
    .map(|name| header.iter().position(|h| h == name).unwrap())
    .collect();
    let mut classes: std::collections::HashMap<Vec<&str>, u64> = std::collections::HashMap::new();
    for line in lines {
        let fields: Vec<&str> = line.trim_end_matches('\r').split(';').collect();
        *classes
            .entry(columns.iter().map(|&c| fields[c]).collect())
            .or_insert(0) += 1;
    }
    classes.into_values().collect()
}

#[test]
fn adult_risks_and_population_uniqueness() {
    let sizes = adult_class_sizes();
    // Python (adult.py, see the top of this file): 30162 rows, 7645 classes,
    // 4907 of size 1, 905 of size 2, largest 150.
    let report = risk_report(&sizes, None, 0.2).unwrap();
    assert_eq!((report.records, report.classes), (30162, 7645));
    assert_eq!(report.prosecutor.highest_risk, 1.0);
    assert_close(
        report.prosecutor.success_rate,
        7645.0 / 30162.0,
        1e-15,
        "J/n",
    );
    assert_close(
        report.sample_uniqueness,
        4907.0 / 30162.0,
        1e-15,
        "uniqueness",
    );

    let config = SolverConfig::default();
    // Zayatz: exact values from zcheck.py (mpmath, 40 digits, binomials in
    // exact arithmetic; end of this file): 103387.86895134540538 at pi = 0.01 and
    // 13252.109851375161775 at pi = 0.2. scipy's hypergeom (adult.py) is off by
    // 1.2e-10 relative at N = 3 million.
    // pi = 0.01 -> N = 3,016,200; Dankar: Pitman.
    let result = population_uniqueness(&sizes, 0.01, &config).unwrap();
    assert_eq!(result.population_size, 3_016_200);
    assert_close(
        result.zayatz.population_uniques.unwrap(),
        1.033_878_689_513_454e5,
        1e-13,
        "Zayatz",
    );
    assert_close(
        parameter(&result.pitman, "theta"),
        2.979068008271e2,
        1e-8,
        "theta",
    );
    assert_close(
        parameter(&result.pitman, "alpha"),
        6.067224568056e-1,
        1e-8,
        "alpha",
    );
    assert_close(
        result.pitman.population_uniques.unwrap(),
        8.024318257705e4,
        1e-8,
        "Pitman",
    );
    assert_close(
        result.snb.population_uniques.unwrap(),
        2.666191795162e4,
        1e-7,
        "SNB",
    );
    assert_eq!(result.dankar_model, Some(UniquenessModel::Pitman));

    // pi = 0.2 -> N = 150,810; Dankar: min(Zayatz 13252, SNB 14155) = Zayatz.
    let result = population_uniqueness(&sizes, 0.2, &config).unwrap();
    assert_eq!(result.population_size, 150_810);
    assert_close(
        result.pitman.population_uniques.unwrap(),
        1.303298903403e4,
        1e-8,
        "Pitman",
    );
    assert_close(
        result.zayatz.population_uniques.unwrap(),
        1.325_210_985_137_516e4,
        1e-13,
        "Zayatz",
    );
    assert_close(
        result.snb.population_uniques.unwrap(),
        1.415472270005e4,
        1e-7,
        "SNB",
    );
    assert_eq!(result.dankar_model, Some(UniquenessModel::Zayatz));
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

fn class_sizes() -> impl Strategy<Value = Vec<u64>> {
    prop::collection::vec(1u64..30, 1..60)
}

proptest! {
    #[test]
    fn risks_are_probabilities_and_ordered(
        sizes in class_sizes(),
        extra in prop::collection::vec(0u64..50, 60),
        threshold in 0.0f64..=1.0,
    ) {
        let population: Vec<u64> = sizes.iter().zip(&extra).map(|(f, e)| f + e).collect();
        let report = risk_report(&sizes, Some(&population), threshold).unwrap();
        let journalist = report.journalist.unwrap();
        for summary in [report.prosecutor, journalist] {
            for value in [summary.highest_risk, summary.success_rate, summary.records_at_risk_share] {
                prop_assert!((0.0..=1.0).contains(&value));
            }
            // Holds exactly in real arithmetic; allow rounding (f = [20], F = [36]
            // gives 1/36 against (20/36)/20, which may differ in the last bit).
            prop_assert!(summary.highest_risk * (1.0 + 1e-12) >= summary.success_rate);
        }
        prop_assert!((0.0..=1.0).contains(&report.marketer.success_rate));
        prop_assert!((0.0..=1.0).contains(&report.sample_uniqueness));
        // A larger population can only lower the risk.
        prop_assert!(journalist.highest_risk <= report.prosecutor.highest_risk);
        prop_assert!(journalist.success_rate <= report.prosecutor.success_rate + 1e-15);
        prop_assert!(report.marketer.success_rate <= report.prosecutor.success_rate + 1e-15);
    }

    #[test]
    fn records_at_risk_decrease_with_threshold(
        sizes in class_sizes(),
        a in 0.0f64..=1.0,
        b in 0.0f64..=1.0,
    ) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let at_low = prosecutor_risk(&sizes, low).unwrap().records_at_risk_share;
        let at_high = prosecutor_risk(&sizes, high).unwrap().records_at_risk_share;
        prop_assert!(at_high <= at_low);
    }

    #[test]
    fn population_estimates_stay_in_range(
        sizes in prop::collection::vec(1u64..12, 2..40),
        sampling_fraction in 0.01f64..=1.0,
    ) {
        let result = population_uniqueness(&sizes, sampling_fraction, &SolverConfig::default()).unwrap();
        let n_pop = result.population_size as f64;
        for estimate in [&result.zayatz, &result.pitman, &result.snb] {
            if let Some(uniques) = estimate.population_uniques {
                prop_assert!((0.0..=n_pop).contains(&uniques));
                let share = estimate.population_uniques_share.unwrap();
                prop_assert!((0.0..=1.0).contains(&share));
            }
        }
        prop_assert!((0.0..=1.0).contains(&result.dankar_population_uniques_share));
        // Zayatz never exceeds c1 / pi, since P(F=1 | f=1) <= 1.
        let zayatz_uniques = result.zayatz.population_uniques.unwrap();
        prop_assert!(zayatz_uniques <= result.sample_uniques as f64 / result.sampling_fraction * (1.0 + 1e-12));
        if result.sample_uniques > 0 {
            let expected = if result.sampling_fraction <= 0.1 && result.pitman.population_uniques.is_some() {
                UniquenessModel::Pitman
            } else if result.sampling_fraction > 0.1
                && result.snb.population_uniques.is_some_and(|s| s <= zayatz_uniques)
            {
                UniquenessModel::Snb
            } else {
                UniquenessModel::Zayatz
            };
            prop_assert_eq!(result.dankar_model, Some(expected));
        }
    }
}

// Reference implementation (ref.py), run as stated at the top of this file:
//
// # Independent reference for reident population-uniqueness estimators.
// import numpy as np, scipy, sympy, sys
// from scipy.special import gammaln, digamma
// from scipy.stats import hypergeom
// from scipy.optimize import minimize, fsolve
//
// def table_stats(fof):
//     n = sum(i*c for i, c in fof.items()); u = sum(fof.values()); return n, u
//
// def zayatz(fof, N):
//     n, u = table_stats(fof)
//     den = sum(c/u * hypergeom(N, i, n).pmf(1) for i, c in fof.items())
//     num = fof.get(1, 0)/u * hypergeom(N, 1, n).pmf(1)
//     return fof.get(1, 0) * (num/den) / (n/N)
//
// def pitman(fof, N):
//     n, u = table_stats(fof)
//     def nll(p):
//         t, a = p
//         if not (0 < a < 1 and t > -a): return 1e300
//         ll = (u-1)*np.log(a) + gammaln(t/a + u) - gammaln(t/a + 1)
//         ll -= gammaln(t + n) - gammaln(t + 1)
//         ll += sum(c*(gammaln(i - a) - gammaln(1 - a)) for i, c in fof.items())
//         return -ll
//     best = None
//     for s in [(1, .5), (10, .5), (.1, .1), (.1, .9), (100, .9)]:
//         r = minimize(nll, s, method='Nelder-Mead', options=dict(xatol=1e-12, fatol=1e-14, maxiter=20000, maxfev=40000))
//         if best is None or r.fun < best.fun: best = r
//     t, a = best.x
//     # polish: score equations via digamma (closed forms, different from the Rust sums)
//     def score(p):
//         t, a = p
//         st = (digamma(t/a + u) - digamma(t/a + 1))/a - (digamma(t + n) - digamma(t + 1))
//         sa = ((u - 1)/a - (t/a)*(digamma(t/a + u) - digamma(t/a + 1))/a) \
//              - sum(c*(digamma(i - a) - digamma(1 - a)) for i, c in fof.items())
//         return [st, sa]
//     t, a = fsolve(score, [t, a], xtol=1e-14)
//     U = np.exp(gammaln(t + 1) - gammaln(t + a) + a*np.log(N))
//     return t, a, U
//
// def shlosser(fof, q):
//     n, u = table_stats(fof)
//     A = sum(i*q*q*(1-q*q)**(i-1)*c for i, c in fof.items())
//     B = sum((1-q)**i*((1+q)**i - 1)*c for i, c in fof.items())
//     C = sum((1-q)**i*c for i, c in fof.items())
//     D = sum(i*q*(1-q)**(i-1)*c for i, c in fof.items())
//     return u + fof.get(1, 0)*(A/B)*(C/D)**2
//
// def snb(fof, N):
//     n, u = table_stats(fof); pi = n/N
//     K = shlosser(fof, pi); c1, c2 = fof[1], fof[2]
//     # P(f = k) = pi^k / k! * G^(k)(1 - pi), with G(s) = s * (b / (1 - (1 - b) s))^a the
//     # generating function of F = 1 + NB(a, b); derivatives taken symbolically by sympy.
//     s_, a_, b_ = sympy.symbols('s a b', positive=True)
//     G = s_ * (b_ / (1 - (1 - b_) * s_))**a_
//     d1 = sympy.lambdify((s_, a_, b_), sympy.diff(G, s_, 1))
//     d2 = sympy.lambdify((s_, a_, b_), sympy.diff(G, s_, 2))
//     def eqs(x):
//         a, b = np.exp(x[0]), 1/(1 + np.exp(-x[1]))
//         e1 = K * pi * d1(1 - pi, a, b); e2 = K * pi**2 / 2 * d2(1 - pi, a, b)
//         return [e1/c1 - 1, e2/c2 - 1]
//     for s in [(0.0, 0.0), (np.log(.1), 0.0), (np.log(10), 0.0), (0.0, -2.0), (0.0, 2.0)]:
//         x, info, ier, msg = fsolve(eqs, s, xtol=1e-13, full_output=True)
//         if ier == 1 and max(abs(v) for v in eqs(x)) < 1e-10: break
//     a, b = np.exp(x[0]), 1/(1 + np.exp(-x[1]))
//     return K, a, b, K*b**a
//
// print("python", sys.version.split()[0], "numpy", np.__version__, "scipy", scipy.__version__, "sympy", sympy.__version__)
// for fof in [{1: 120, 2: 25, 3: 10, 4: 6, 5: 4, 7: 3, 10: 2, 20: 1, 50: 1},
//             {1: 50, 2: 20, 3: 10, 4: 5, 5: 3, 8: 2, 10: 1}]:
//     n, u = table_stats(fof); print("table", fof, "n", n, "u", u)
//     for pi in [0.05, 0.3]:
//         N = round(n/pi)
//         print(" N", N, "pi", n/N)
//         print("  zayatz uniques %.12e" % zayatz(fof, N))
//         t, a, U = pitman(fof, N); print("  pitman theta %.12e alpha %.12e uniques %.12e" % (t, a, U))
//         K, a, b, U = snb(fof, N); print("  snb K %.12e alpha %.12e beta %.12e uniques %.12e" % (K, a, b, U))
//
// adult.py (run from the directory holding ref.py):
//
// import csv, collections, sys, warnings
// warnings.filterwarnings("ignore")
// exec(open('ref.py').read().split('print("python"')[0])
// path = sys.argv[1]
// with open(path, newline='') as fh:
//     rows = list(csv.reader(fh, delimiter=';'))
// header, rows = rows[0], rows[1:]
// qis = ['sex', 'age', 'race', 'marital-status', 'education', 'native-country']
// idx = [header.index(q) for q in qis]
// classes = collections.Counter(tuple(r[i] for i in idx) for r in rows)
// fof = dict(sorted(collections.Counter(classes.values()).items()))
// n, u = table_stats(fof)
// print("rows", len(rows), "classes", u, "c1", fof.get(1), "c2", fof.get(2), "max size", max(fof))
// print("fof", fof)
// for pi in [0.01, 0.2]:
//     N = round(n/pi)
//     print(" N", N, "pi", n/N)
//     print("  zayatz uniques %.12e" % zayatz(fof, N))
//     t, a, U = pitman(fof, N); print("  pitman theta %.12e alpha %.12e uniques %.12e" % (t, a, U))
//     K, a, b, U = snb(fof, N); print("  snb K %.12e alpha %.12e beta %.12e uniques %.12e" % (K, a, b, U))
//
// zcheck.py (exact Zayatz on Adult, mpmath 1.3.0; printed
// "3016200 103387.86895134540538" and "150810 13252.109851375161775"):
//
// import csv, collections, mpmath
// mpmath.mp.dps = 40
// rows = list(csv.reader(open('/work/wt-risk/datasets/adult/adult.csv', newline=''), delimiter=';'))
// h, rows = rows[0], rows[1:]
// idx = [h.index(q) for q in ['sex', 'age', 'race', 'marital-status', 'education', 'native-country']]
// fof = collections.Counter(collections.Counter(tuple(r[i] for i in idx) for r in rows).values())
// n = sum(i*c for i, c in fof.items()); u = sum(fof.values())
// for N in [3016200, 150810]:
//     p1 = lambda i: i * mpmath.binomial(N - i, n - 1) / mpmath.binomial(N, n)
//     den = sum(mpmath.mpf(c)/u * p1(i) for i, c in fof.items())
//     print(N, mpmath.nstr(fof[1] * (mpmath.mpf(fof[1])/u * p1(1) / den) / (mpmath.mpf(n)/N), 20))
