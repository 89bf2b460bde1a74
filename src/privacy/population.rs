//! Population uniqueness: how many records that are unique in the sample are
//! also unique in the population the sample was drawn from, estimated from
//! the sample's class sizes and the sampling fraction alone.
//!
//! Estimators, as implemented in ARX (`RiskModelPopulationUniqueness`,
//! `ModelZayatz`, `ModelPitman`, `ModelSNB` in `org.deidentifier.arx.risk`):
//!
//! * **Zayatz** — L. Zayatz, "Estimation of the number of unique population
//!   elements using a sample", Proc. Survey Research Methods Section, ASA,
//!   1991. Closed form, see [`zayatz`].
//! * **Pitman** — J. Pitman, "Some developments of the Blackwell-MacQueen urn
//!   scheme", 1996, applied to disclosure risk by N. Hoshino, "Applying
//!   Pitman's sampling formula to microdata disclosure risk assessment",
//!   Journal of Official Statistics 17(4), 2001. Maximum-likelihood fit of
//!   `(theta, alpha)` by Newton-Raphson, see [`pitman`].
//! * **SNB** (slide negative binomial) — G. Chen and S. Keller-McNulty,
//!   "Estimation of identification disclosure risk in microdata", Journal of
//!   Official Statistics 14(1), 1998. Moment equations on the numbers of
//!   sample classes of size 1 and 2 solved by Newton-Raphson, with the number
//!   of population classes from Shlosser's estimator in the form of Haas,
//!   Naughton, Seshadri and Stokes, "Sampling-based estimation of the number
//!   of distinct values of an attribute", VLDB 1995; see [`snb`].
//! * **Dankar decision rule** — F. K. Dankar, K. El Emam, A. Neisa and
//!   T. Roffey, "Estimating the re-identification risk of clinical data
//!   sets", BMC Medical Informatics and Decision Making 12:66, 2012: Pitman
//!   when the sampling fraction is at most 0.1, otherwise the smaller of
//!   Zayatz and SNB; see [`population_uniqueness`].
//!
//! The input is the list of sample class sizes `f_j` (one entry per
//! equivalence class); the population size is `N = round(n / pi)` and the
//! effective sampling fraction `n / N`, as ARX's population model does. This
//! module does not group rows into classes and does not compute sample-based
//! risks (see [`super::risk`]). Solvers never panic: a fit that does not
//! converge or gives an estimate outside `[0, N]` is reported as unavailable,
//! with the reason.
//!
//! Why this file is long: the three ARX estimators share one frequency table,
//! solver configuration and validity checks, and Dankar's rule chooses among
//! them; read next to ARX's `org.deidentifier.arx.risk` they stay together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statrs::function::gamma::ln_gamma;

use super::PrivacyError;

/// Sampling fraction at or below which Dankar et al. (2012) use Pitman's model.
pub const DANKAR_PITMAN_MAX_SAMPLING_FRACTION: f64 = 0.1;

/// Frequency of frequencies: for every sample class size `i`, the number
/// `c_i` of equivalence classes of that size (ARX `RiskModelHistogram`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrequencyTable {
    /// `(class size i, number of classes c_i)` with `c_i > 0`, by increasing `i`.
    pub size_counts: Vec<(u64, u64)>,
    /// Number of records `n = sum_i i * c_i`.
    pub records: u64,
    /// Number of classes `u = sum_i c_i`.
    pub classes: u64,
}

impl FrequencyTable {
    /// Builds the table from one size per equivalence class. Errors on empty
    /// input or a class of size 0.
    pub fn from_class_sizes(sample_class_sizes: &[u64]) -> Result<Self, PrivacyError> {
        if sample_class_sizes.is_empty() {
            return Err(PrivacyError::Invalid(
                "population uniqueness: no equivalence classes given (empty sample); pass at \
                 least one class size"
                    .to_string(),
            ));
        }
        let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
        let mut records: u64 = 0;
        for (class, &size) in sample_class_sizes.iter().enumerate() {
            if size == 0 {
                return Err(PrivacyError::Invalid(format!(
                    "population uniqueness: equivalence class {class} has size 0; classes must \
                     hold at least one record"
                )));
            }
            records = records.checked_add(size).ok_or_else(|| {
                PrivacyError::Invalid(
                    "population uniqueness: number of records overflows u64".to_string(),
                )
            })?;
            *counts.entry(size).or_insert(0) += 1;
        }
        Ok(Self {
            size_counts: counts.into_iter().collect(),
            records,
            classes: sample_class_sizes.len() as u64,
        })
    }

    /// Number of classes of size `size` (`c_size`).
    pub fn classes_of_size(&self, size: u64) -> u64 {
        self.size_counts
            .binary_search_by_key(&size, |&(s, _)| s)
            .map(|index| self.size_counts[index].1)
            .unwrap_or(0)
    }
}

/// Iteration limit and tolerance of the Newton-Raphson solvers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SolverConfig {
    /// Maximum Newton iterations per starting point.
    pub max_iterations: u32,
    /// Convergence tolerance, relative: Pitman stops when each score is at
    /// most `tolerance` times the sum of the magnitudes of its terms; SNB when
    /// both moment equations hold to a relative error of `tolerance`.
    pub tolerance: f64,
}

impl Default for SolverConfig {
    fn default() -> Self {
        Self {
            max_iterations: 200,
            tolerance: 1e-10,
        }
    }
}

/// The population-uniqueness models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UniquenessModel {
    /// Zayatz (1991).
    Zayatz,
    /// Pitman (1996) as applied by Hoshino (2001).
    Pitman,
    /// Slide negative binomial, Chen and Keller-McNulty (1998).
    Snb,
}

/// How an estimator ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SolverOutcome {
    /// Closed form (Zayatz), or nothing to solve (no sample uniques).
    ClosedForm,
    /// Not run: the sample does not meet the model's preconditions (see `note`).
    NotRun,
    /// The solver converged after this many Newton iterations.
    Converged {
        /// Newton iterations of the successful run.
        iterations: u32,
    },
    /// The solver did not converge from any starting point.
    NotConverged {
        /// Newton iterations of the last run.
        iterations: u32,
    },
}

/// One estimator's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEstimate {
    /// Which model produced this estimate.
    pub model: UniquenessModel,
    /// Estimated number of population uniques among the population's `N`
    /// records; `None` when the model gives no valid estimate (see `note`).
    pub population_uniques: Option<f64>,
    /// `population_uniques / N`: share of population records that are unique.
    pub population_uniques_share: Option<f64>,
    /// Fitted parameters by name (Pitman: `theta`, `alpha`; SNB: `alpha`,
    /// `beta`, `population_classes_shlosser`); empty for Zayatz.
    pub parameters: Vec<(String, f64)>,
    /// How the estimate was computed and whether its solver converged.
    pub solver: SolverOutcome,
    /// Why the estimate is missing or how it was obtained, when noteworthy.
    pub note: Option<String>,
}

impl ModelEstimate {
    fn unavailable(model: UniquenessModel, solver: SolverOutcome, note: String) -> Self {
        Self {
            model,
            population_uniques: None,
            population_uniques_share: None,
            parameters: Vec::new(),
            solver,
            note: Some(note),
        }
    }
}

/// Population uniqueness by every model plus Dankar et al.'s choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationUniqueness {
    /// Sample size `n`.
    pub sample_size: u64,
    /// Population size `N`.
    pub population_size: u64,
    /// Effective sampling fraction `n / N`.
    pub sampling_fraction: f64,
    /// Number of sample uniques `c_1` (classes of size 1).
    pub sample_uniques: u64,
    /// Zayatz's estimate.
    pub zayatz: ModelEstimate,
    /// Pitman's estimate.
    pub pitman: ModelEstimate,
    /// SNB estimate.
    pub snb: ModelEstimate,
    /// Model chosen by the Dankar et al. (2012) rule; `None` when the sample
    /// has no uniques (every estimate is then 0, as in ARX).
    pub dankar_model: Option<UniquenessModel>,
    /// Estimated number of population uniques by the Dankar rule.
    pub dankar_population_uniques: f64,
    /// `dankar_population_uniques / N`.
    pub dankar_population_uniques_share: f64,
    /// Whether the Pitman or SNB solver failed to converge.
    pub solver_failed: bool,
}

/// Population size `N = round(n / pi)` for a sampling fraction `pi` in `(0, 1]`.
pub fn population_size_from_fraction(
    sample_size: u64,
    sampling_fraction: f64,
) -> Result<u64, PrivacyError> {
    if !(sampling_fraction > 0.0 && sampling_fraction <= 1.0) {
        return Err(PrivacyError::Invalid(format!(
            "population uniqueness: sampling fraction {sampling_fraction} is outside (0, 1]; give \
             the share of the population that is in the sample, e.g. 0.01 for a 1% sample"
        )));
    }
    let size = (sample_size as f64 / sampling_fraction).round();
    if !size.is_finite() || size >= u64::MAX as f64 {
        return Err(PrivacyError::Invalid(format!(
            "population uniqueness: sampling fraction {sampling_fraction} gives a population \
             larger than u64 for {sample_size} records; give a larger fraction"
        )));
    }
    Ok((size as u64).max(sample_size))
}

/// Estimates population uniqueness from sample class sizes and a sampling
/// fraction `pi` in `(0, 1]` (population size `N = round(n / pi)`), by
/// Zayatz, Pitman and SNB, and applies the decision rule of Dankar et al.
/// (2012) as ARX does (`PopulationUniquenessModel.DANKAR`, with Zayatz as the
/// fallback): if `pi <= 0.1`, Pitman (Zayatz when Pitman gives no valid
/// estimate); otherwise the smaller of Zayatz and SNB (Zayatz when SNB gives
/// no valid estimate).
///
/// Errors on empty input, a class of size 0, or `pi` outside `(0, 1]`.
pub fn population_uniqueness(
    sample_class_sizes: &[u64],
    sampling_fraction: f64,
    config: &SolverConfig,
) -> Result<PopulationUniqueness, PrivacyError> {
    let table = FrequencyTable::from_class_sizes(sample_class_sizes)?;
    population_uniqueness_from_table(&table, sampling_fraction, config)
}

/// [`population_uniqueness`] from the class-size frequencies (every model
/// reads only these, so frequencies merged from hash partitions of one
/// input give the whole input's estimates).
pub fn population_uniqueness_from_table(
    table: &FrequencyTable,
    sampling_fraction: f64,
    config: &SolverConfig,
) -> Result<PopulationUniqueness, PrivacyError> {
    let population_size = population_size_from_fraction(table.records, sampling_fraction)?;
    Ok(estimate_all(table, population_size, config))
}

/// Same as [`population_uniqueness`] with the population size `N` given
/// instead of the sampling fraction. Errors when `N` is smaller than the
/// sample.
pub fn population_uniqueness_with_population_size(
    sample_class_sizes: &[u64],
    population_size: u64,
    config: &SolverConfig,
) -> Result<PopulationUniqueness, PrivacyError> {
    let table = FrequencyTable::from_class_sizes(sample_class_sizes)?;
    if population_size < table.records {
        return Err(PrivacyError::Invalid(format!(
            "population uniqueness: population size {population_size} is smaller than the sample \
             ({} records); the population must contain the sample",
            table.records
        )));
    }
    Ok(estimate_all(&table, population_size, config))
}

fn estimate_all(
    table: &FrequencyTable,
    population_size: u64,
    config: &SolverConfig,
) -> PopulationUniqueness {
    let sample_uniques = table.classes_of_size(1);
    let sampling_fraction = table.records as f64 / population_size as f64;
    if sample_uniques == 0 {
        // As ARX: without sample uniques every model estimates zero population uniques.
        let zero = |model| ModelEstimate {
            model,
            population_uniques: Some(0.0),
            population_uniques_share: Some(0.0),
            parameters: Vec::new(),
            solver: SolverOutcome::ClosedForm,
            note: Some(
                "no sample uniques: estimated as 0, as ARX does (a sampled population unique \
                 would be a sample unique)"
                    .to_string(),
            ),
        };
        return PopulationUniqueness {
            sample_size: table.records,
            population_size,
            sampling_fraction,
            sample_uniques,
            zayatz: zero(UniquenessModel::Zayatz),
            pitman: zero(UniquenessModel::Pitman),
            snb: zero(UniquenessModel::Snb),
            dankar_model: None,
            dankar_population_uniques: 0.0,
            dankar_population_uniques_share: 0.0,
            solver_failed: false,
        };
    }
    let zayatz = zayatz(table, population_size);
    let pitman = pitman(table, population_size, config);
    let snb = snb(table, population_size, config);
    let solver_failed = [pitman.solver, snb.solver]
        .iter()
        .any(|outcome| matches!(outcome, SolverOutcome::NotConverged { .. }));

    let chosen = if sampling_fraction <= DANKAR_PITMAN_MAX_SAMPLING_FRACTION {
        match pitman.population_uniques {
            Some(_) => &pitman,
            None => &zayatz,
        }
    } else {
        match (snb.population_uniques, zayatz.population_uniques) {
            (Some(s), Some(z)) if z >= s => &snb,
            _ => &zayatz,
        }
    };
    let dankar_population_uniques = chosen.population_uniques.unwrap_or(0.0);
    let dankar_model = chosen.population_uniques.map(|_| chosen.model);
    PopulationUniqueness {
        sample_size: table.records,
        population_size,
        sampling_fraction,
        sample_uniques,
        dankar_model,
        dankar_population_uniques,
        dankar_population_uniques_share: dankar_population_uniques / population_size as f64,
        zayatz,
        pitman,
        snb,
        solver_failed,
    }
}

fn checked_estimate(
    model: UniquenessModel,
    uniques: f64,
    population_size: u64,
    parameters: Vec<(String, f64)>,
    solver: SolverOutcome,
) -> ModelEstimate {
    let n_pop = population_size as f64;
    if uniques.is_finite() && (0.0..=n_pop).contains(&uniques) {
        ModelEstimate {
            model,
            population_uniques: Some(uniques),
            population_uniques_share: Some(uniques / n_pop),
            parameters,
            solver,
            note: None,
        }
    } else {
        let mut estimate = ModelEstimate::unavailable(
            model,
            solver,
            format!(
                "fitted model gives {uniques} population uniques, outside [0, N = \
                 {population_size}]: no valid estimate"
            ),
        );
        estimate.parameters = parameters;
        estimate
    }
}

// ---------------------------------------------------------------------------
// Zayatz (1991)
// ---------------------------------------------------------------------------

/// Probability that exactly one of the `class_size` members of a population
/// class is drawn when `sample_size` of `population_size` records are drawn
/// without replacement: the hypergeometric probability
/// `C(i,1) C(N-i, n-1) / C(N, n)`, computed as the product
/// `i * n/N * prod_{k=1}^{i-1} (N - n - k + 1) / (N - k)`.
pub fn probability_exactly_one_sampled(
    population_size: u64,
    sample_size: u64,
    class_size: u64,
) -> f64 {
    let big_n = population_size as f64;
    let n = sample_size as f64;
    if class_size == 0 || class_size > population_size || sample_size == 0 {
        return 0.0;
    }
    let mut probability = class_size as f64 * n / big_n;
    for k in 1..class_size {
        let not_drawn = big_n - n - (k - 1) as f64;
        if not_drawn <= 0.0 {
            return 0.0;
        }
        probability *= not_drawn / (big_n - k as f64);
        if probability == 0.0 {
            break;
        }
    }
    probability
}

/// Zayatz (1991) estimate of population uniques. The sample's class-size
/// distribution `c_i / u` stands in for the population's; the probability
/// that a sample unique is a population unique is then
///
/// `P(F=1 | f=1) = (c_1/u) P(f=1|F=1) / sum_i (c_i/u) P(f=1|F=i)`
///
/// with `P(f=1|F=i)` hypergeometric ([`probability_exactly_one_sampled`]),
/// and the number of population uniques is `c_1 * P(F=1 | f=1) / pi`.
pub fn zayatz(table: &FrequencyTable, population_size: u64) -> ModelEstimate {
    let u = table.classes as f64;
    let n = table.records;
    let c1 = table.classes_of_size(1) as f64;
    let sampling_fraction = n as f64 / population_size as f64;
    let denominator: f64 = table
        .size_counts
        .iter()
        .map(|&(size, count)| {
            count as f64 / u * probability_exactly_one_sampled(population_size, n, size)
        })
        .sum();
    if c1 == 0.0 {
        return checked_estimate(
            UniquenessModel::Zayatz,
            0.0,
            population_size,
            Vec::new(),
            SolverOutcome::ClosedForm,
        );
    }
    let numerator = c1 / u * probability_exactly_one_sampled(population_size, n, 1);
    let conditional_uniqueness = numerator / denominator;
    let uniques = c1 * conditional_uniqueness / sampling_fraction;
    checked_estimate(
        UniquenessModel::Zayatz,
        uniques,
        population_size,
        Vec::new(),
        SolverOutcome::ClosedForm,
    )
}

// ---------------------------------------------------------------------------
// Pitman (1996) / Hoshino (2001)
// ---------------------------------------------------------------------------

/// Log-likelihood of Pitman's sampling formula (up to a constant), its
/// gradient and Hessian in `(theta, alpha)`, and the magnitudes of the
/// positive and negative parts of each score (for a relative stopping rule).
struct PitmanEvaluation {
    log_likelihood: f64,
    gradient: [f64; 2],
    hessian: [[f64; 2]; 2],
    score_scale: [f64; 2],
}

/// Pitman's sampling formula for a partition of `n` records into `u`
/// classes with `c_i` classes of size `i` (Pitman 1996; Hoshino 2001, eq. 3):
///
/// `L(theta, alpha) = sum_{i=1}^{u-1} ln(theta + i alpha)
///                  - sum_{i=1}^{n-1} ln(theta + i)
///                  + sum_j sum_{k=1}^{f_j - 1} ln(k - alpha)`.
///
/// Defined for `0 <= alpha < 1`, `theta > -alpha`.
fn pitman_evaluate(table: &FrequencyTable, theta: f64, alpha: f64) -> PitmanEvaluation {
    let mut log_likelihood = 0.0;
    let (mut theta_plus, mut theta_minus) = (0.0, 0.0);
    let (mut alpha_plus, mut alpha_minus) = (0.0, 0.0);
    let (mut h_tt, mut h_ta, mut h_aa) = (0.0, 0.0, 0.0);
    for i in 1..table.classes {
        let i = i as f64;
        let x = theta + i * alpha;
        log_likelihood += x.ln();
        theta_plus += 1.0 / x;
        alpha_plus += i / x;
        let x2 = x * x;
        h_tt -= 1.0 / x2;
        h_ta -= i / x2;
        h_aa -= i * i / x2;
    }
    for i in 1..table.records {
        let y = theta + i as f64;
        log_likelihood -= y.ln();
        theta_minus += 1.0 / y;
        h_tt += 1.0 / (y * y);
    }
    for &(size, count) in &table.size_counts {
        let count = count as f64;
        for k in 1..size {
            let z = k as f64 - alpha;
            log_likelihood += count * z.ln();
            alpha_minus += count / z;
            h_aa -= count / (z * z);
        }
    }
    PitmanEvaluation {
        log_likelihood,
        gradient: [theta_plus - theta_minus, alpha_plus - alpha_minus],
        hessian: [[h_tt, h_ta], [h_ta, h_aa]],
        score_scale: [theta_plus + theta_minus, alpha_plus + alpha_minus],
    }
}

fn pitman_in_domain(theta: f64, alpha: f64) -> bool {
    (0.0..1.0).contains(&alpha) && theta > -alpha && theta.is_finite()
}

/// Starting values from `n`, `u`, `c_1`, `c_2` as in ARX `ModelPitman`
/// (with `c_2 = 1` when the sample has no class of size 2).
fn pitman_initial_guess(table: &FrequencyTable) -> (f64, f64) {
    let n = table.records as f64;
    let u = table.classes as f64;
    let c1 = table.classes_of_size(1) as f64;
    let c2 = match table.classes_of_size(2) {
        0 => 1.0,
        c => c as f64,
    };
    let c = c1 * (c1 - 1.0) / c2;
    let theta = (n * u * c - c1 * (n - 1.0) * (2.0 * u + c)) / (2.0 * c1 * u + c1 * c - n * c);
    let alpha = (theta * (c1 - n) + (n - 1.0) * c1) / (n * u);
    (theta, alpha)
}

struct SolverRun {
    solution: [f64; 2],
    converged: bool,
    iterations: u32,
    objective: f64,
}

/// Damped, projected Newton-Raphson ascent on the Pitman log-likelihood
/// over `0 <= alpha < 1`, `theta > -alpha`. Newton direction when the
/// Hessian is negative definite, gradient direction otherwise; an `alpha`
/// that would turn negative is projected to 0 (the Ewens boundary), where
/// `alpha` stays fixed while its score is negative (KKT condition); step
/// halving keeps the log-likelihood non-decreasing.
fn pitman_newton(table: &FrequencyTable, start: (f64, f64), config: &SolverConfig) -> SolverRun {
    let (mut theta, mut alpha) = start;
    let mut evaluation = pitman_evaluate(table, theta, alpha);
    for iteration in 0..config.max_iterations {
        let [g_t, g_a] = evaluation.gradient;
        if !(g_t.is_finite() && g_a.is_finite()) {
            break;
        }
        let alpha_at_bound = alpha == 0.0 && g_a <= 0.0;
        let theta_stationary = g_t.abs() <= config.tolerance * evaluation.score_scale[0];
        let alpha_stationary =
            alpha_at_bound || g_a.abs() <= config.tolerance * evaluation.score_scale[1];
        if theta_stationary && alpha_stationary {
            return SolverRun {
                solution: [theta, alpha],
                converged: true,
                iterations: iteration,
                objective: evaluation.log_likelihood,
            };
        }
        let [[h_tt, h_ta], [_, h_aa]] = evaluation.hessian;
        let det = h_tt * h_aa - h_ta * h_ta;
        let (d_t, d_a) = if alpha_at_bound {
            // One-dimensional Newton step in theta with alpha held at 0.
            if h_tt < 0.0 {
                (-g_t / h_tt, 0.0)
            } else {
                (0.1 * (1.0 + theta.abs()) * g_t.signum(), 0.0)
            }
        } else if h_tt < 0.0 && det > 0.0 {
            // Newton step -H^{-1} g.
            (
                -(h_aa * g_t - h_ta * g_a) / det,
                -(-h_ta * g_t + h_tt * g_a) / det,
            )
        } else {
            let norm = (g_t * g_t + g_a * g_a).sqrt();
            let scale = 0.1 * (1.0 + theta.abs()) / norm;
            (g_t * scale, g_a * scale)
        };
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let (t, a) = (theta + step * d_t, (alpha + step * d_a).max(0.0));
            if pitman_in_domain(t, a) {
                let candidate = pitman_evaluate(table, t, a);
                if candidate.log_likelihood.is_finite()
                    && candidate.log_likelihood
                        >= evaluation.log_likelihood - 1e-12 * evaluation.log_likelihood.abs()
                {
                    accepted = Some((t, a, candidate));
                    break;
                }
            }
            step *= 0.5;
        }
        match accepted {
            Some((t, a, candidate)) => {
                theta = t;
                alpha = a;
                evaluation = candidate;
            }
            None => {
                return SolverRun {
                    solution: [theta, alpha],
                    converged: false,
                    iterations: iteration + 1,
                    objective: evaluation.log_likelihood,
                }
            }
        }
    }
    SolverRun {
        solution: [theta, alpha],
        converged: false,
        iterations: config.max_iterations,
        objective: evaluation.log_likelihood,
    }
}

/// Pitman's model (Pitman 1996; Hoshino 2001). Fits `(theta, alpha)` by
/// maximum likelihood on the frequency table (Newton-Raphson from ARX's
/// starting values; if that does not converge, from five fixed fallback
/// starts, keeping the converged fit with the highest likelihood) and estimates the
/// number of population uniques by Pitman's asymptotic expected number of
/// singletons among `N` draws,
///
/// `U_N = Gamma(theta + 1) / Gamma(theta + alpha) * N^alpha`
///
/// (Hoshino 2001; ARX `ModelPitman`; Pitman 1996 shows the number of
/// singletons grows as `alpha S N^alpha` with `E[S] = Gamma(theta+1) /
/// (alpha Gamma(theta+alpha))`). When the likelihood is maximal at the
/// boundary `alpha = 0` (the Ewens model), the fit stays there and
/// `U_N = theta`, the Ewens limit of the same expression; ARX's Newton solver
/// reaches the same value with a vanishing `alpha`. No estimate when no start
/// converges (e.g. no class of size > 1, where the likelihood has no maximum)
/// or when `U_N` falls outside `[0, N]`.
pub fn pitman(
    table: &FrequencyTable,
    population_size: u64,
    config: &SolverConfig,
) -> ModelEstimate {
    if table.records < 2 || table.classes < 2 {
        return ModelEstimate::unavailable(
            UniquenessModel::Pitman,
            SolverOutcome::NotRun,
            "Pitman's model needs at least two records in at least two classes".to_string(),
        );
    }
    const FALLBACK_STARTS: [(f64, f64); 5] = [
        (1.0, 0.5),
        (10.0, 0.5),
        (0.1, 0.1),
        (0.1, 0.9),
        (100.0, 0.9),
    ];
    let initial = pitman_initial_guess(table);
    let mut best: Option<SolverRun> = None;
    let mut last_iterations = 0;
    if pitman_in_domain(initial.0, initial.1) {
        let run = pitman_newton(table, initial, config);
        last_iterations = run.iterations;
        if run.converged {
            best = Some(run);
        }
    }
    if best.is_none() {
        for start in FALLBACK_STARTS {
            let run = pitman_newton(table, start, config);
            last_iterations = run.iterations;
            if run.converged && best.as_ref().is_none_or(|b| run.objective > b.objective) {
                best = Some(run);
            }
        }
    }
    let Some(run) = best else {
        return ModelEstimate::unavailable(
            UniquenessModel::Pitman,
            SolverOutcome::NotConverged {
                iterations: last_iterations,
            },
            "maximum-likelihood fit of (theta, alpha) did not converge from any start (the \
             likelihood may have no maximum with 0 <= alpha < 1)"
                .to_string(),
        );
    };
    let [theta, alpha] = run.solution;
    let log_uniques =
        ln_gamma(theta + 1.0) - ln_gamma(theta + alpha) + alpha * (population_size as f64).ln();
    checked_estimate(
        UniquenessModel::Pitman,
        log_uniques.exp(),
        population_size,
        vec![("theta".to_string(), theta), ("alpha".to_string(), alpha)],
        SolverOutcome::Converged {
            iterations: run.iterations,
        },
    )
}

// ---------------------------------------------------------------------------
// SNB: slide negative binomial (Chen & Keller-McNulty 1998)
// ---------------------------------------------------------------------------

/// Shlosser's estimator of the number of non-empty population classes `K`,
/// in the form `D_Sh3` of Haas et al. (1995), with `q` the sampling fraction:
///
/// `K = u + c_1 * [sum_i i q^2 (1-q^2)^(i-1) c_i] / [sum_i ((1-q^2)^i - (1-q)^i) c_i]
///        * ([sum_i (1-q)^i c_i] / [sum_i i q (1-q)^(i-1) c_i])^2`
///
/// (`(1-q)^i ((1+q)^i - 1)` is written `(1-q^2)^i - (1-q)^i` to avoid
/// overflow). This is the form of ARX's original `SNBModel`; its later
/// `ModelSNB` (commit f8518512) accumulates `c_i (1-q)^i (1+q)^i - 1` in the
/// second denominator, which departs from Haas et al. Returns `None` when
/// undefined (e.g. `q = 1`).
pub fn shlosser_population_classes(table: &FrequencyTable, sampling_fraction: f64) -> Option<f64> {
    let q = sampling_fraction;
    let q2 = q * q;
    let (mut a, mut b, mut c, mut d) = (0.0, 0.0, 0.0, 0.0);
    for &(size, count) in &table.size_counts {
        let i = size as f64;
        let count = count as f64;
        let exponent = i32::try_from(size).unwrap_or(i32::MAX);
        let not_sampled = (1.0 - q).powi(exponent);
        a += i * q2 * (1.0 - q2).powi(exponent - 1) * count;
        b += ((1.0 - q2).powi(exponent) - not_sampled) * count;
        c += not_sampled * count;
        d += i * q * (1.0 - q).powi(exponent - 1) * count;
    }
    let c1 = table.classes_of_size(1) as f64;
    let k = table.classes as f64 + c1 * (a / b) * (c / d) * (c / d);
    (k.is_finite() && k >= table.classes as f64).then_some(k)
}

/// Expected numbers of sample classes of size 1 and 2 under the SNB model
/// with `K` population classes, sampling fraction `pi` and parameters
/// `(alpha, beta)`: population class sizes are `1 + NB(alpha, beta)`, each
/// record is sampled with probability `pi`, and with `d = (1-pi)(1-beta)`:
///
/// `E[c_1] = K pi (beta/(1-d))^alpha (1 + alpha d/(1-d))`
///
/// `E[c_2] = K alpha pi^2 (1-beta) beta^alpha (2 - (1-alpha) d) / (2 (1-d)^(alpha+2))`
///
/// (Chen & Keller-McNulty 1998; these follow from binomial thinning of the
/// negative binomial. ARX's older `AlgorithmNewtonSNB` divides by
/// `(1-d)^(alpha+2)` as here; its `ModelSNB` as of commit f8518512 multiplies.)
fn snb_expected_small_classes(k: f64, pi: f64, alpha: f64, beta: f64) -> (f64, f64) {
    let d = (1.0 - pi) * (1.0 - beta);
    let e1 = k * pi * (beta / (1.0 - d)).powf(alpha) * (1.0 + alpha * d / (1.0 - d));
    let e2 = k * alpha * pi * pi * (1.0 - beta) * beta.powf(alpha) * (2.0 - (1.0 - alpha) * d)
        / (2.0 * (1.0 - d).powf(alpha + 2.0));
    (e1, e2)
}

/// SNB model (Chen & Keller-McNulty 1998, as in ARX `ModelSNB`): `K` from
/// [`shlosser_population_classes`], `(alpha, beta)` solving
/// `E[c_1] = c_1`, `E[c_2] = c_2` (see the formulas on
/// `snb_expected_small_classes`), and population uniques `K beta^alpha`.
///
/// The equations are solved by Newton-Raphson in `(ln alpha, logit beta)`
/// (so that `alpha > 0`, `0 < beta < 1` hold throughout) with a central
/// finite-difference Jacobian and step halving on the residual norm, from a
/// fixed grid of starts; the first converged start is used. No estimate when
/// `pi = 1` (Shlosser's `K` is undefined), when the sample has no class of
/// size 2, or when no start converges.
pub fn snb(table: &FrequencyTable, population_size: u64, config: &SolverConfig) -> ModelEstimate {
    let pi = table.records as f64 / population_size as f64;
    let c1 = table.classes_of_size(1) as f64;
    let c2 = table.classes_of_size(2) as f64;
    if c1 == 0.0 || c2 == 0.0 {
        return ModelEstimate::unavailable(
            UniquenessModel::Snb,
            SolverOutcome::NotRun,
            "SNB needs at least one sample class of size 1 and one of size 2".to_string(),
        );
    }
    let Some(k) = shlosser_population_classes(table, pi) else {
        return ModelEstimate::unavailable(
            UniquenessModel::Snb,
            SolverOutcome::NotRun,
            format!(
                "Shlosser's estimate of the number of population classes is undefined at \
                 sampling fraction {pi}"
            ),
        );
    };
    let residual = |x: [f64; 2]| -> [f64; 2] {
        let alpha = x[0].exp();
        let beta = 1.0 / (1.0 + (-x[1]).exp());
        let (e1, e2) = snb_expected_small_classes(k, pi, alpha, beta);
        [e1 / c1 - 1.0, e2 / c2 - 1.0]
    };
    let norm = |r: [f64; 2]| r[0].abs().max(r[1].abs());
    let mut last_iterations = 0;
    for &alpha0 in &[1.0_f64, 0.1, 10.0] {
        for &beta0 in &[0.5_f64, 0.1, 0.9, 0.01, 0.99] {
            let mut x = [alpha0.ln(), (beta0 / (1.0 - beta0)).ln()];
            let mut r = residual(x);
            let mut converged = false;
            let mut iterations = 0;
            while iterations < config.max_iterations {
                if !(r[0].is_finite() && r[1].is_finite()) {
                    break;
                }
                if norm(r) <= config.tolerance {
                    converged = true;
                    break;
                }
                iterations += 1;
                let mut jacobian = [[0.0; 2]; 2];
                for (column, _) in x.iter().enumerate() {
                    let h = 1e-6 * (1.0 + x[column].abs());
                    let mut plus = x;
                    let mut minus = x;
                    plus[column] += h;
                    minus[column] -= h;
                    let (rp, rm) = (residual(plus), residual(minus));
                    jacobian[0][column] = (rp[0] - rm[0]) / (2.0 * h);
                    jacobian[1][column] = (rp[1] - rm[1]) / (2.0 * h);
                }
                let det = jacobian[0][0] * jacobian[1][1] - jacobian[0][1] * jacobian[1][0];
                if !det.is_finite() || det == 0.0 {
                    break;
                }
                let dx = [
                    -(jacobian[1][1] * r[0] - jacobian[0][1] * r[1]) / det,
                    -(-jacobian[1][0] * r[0] + jacobian[0][0] * r[1]) / det,
                ];
                let mut step = 1.0;
                let mut accepted = false;
                for _ in 0..50 {
                    let candidate = [x[0] + step * dx[0], x[1] + step * dx[1]];
                    let rc = residual(candidate);
                    if rc[0].is_finite() && rc[1].is_finite() && norm(rc) < norm(r) {
                        x = candidate;
                        r = rc;
                        accepted = true;
                        break;
                    }
                    step *= 0.5;
                }
                if !accepted {
                    break;
                }
            }
            last_iterations = iterations;
            if converged {
                let alpha = x[0].exp();
                let beta = 1.0 / (1.0 + (-x[1]).exp());
                return checked_estimate(
                    UniquenessModel::Snb,
                    k * beta.powf(alpha),
                    population_size,
                    vec![
                        ("alpha".to_string(), alpha),
                        ("beta".to_string(), beta),
                        ("population_classes_shlosser".to_string(), k),
                    ],
                    SolverOutcome::Converged { iterations },
                );
            }
        }
    }
    let mut estimate = ModelEstimate::unavailable(
        UniquenessModel::Snb,
        SolverOutcome::NotConverged {
            iterations: last_iterations,
        },
        "SNB moment equations for (alpha, beta) did not converge from any start".to_string(),
    );
    estimate
        .parameters
        .push(("population_classes_shlosser".to_string(), k));
    estimate
}
