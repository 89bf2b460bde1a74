//! Anonymeter-style privacy risks of a release (Giomi et al. 2023, "A Unified
//! Framework for Quantifying Privacy Risk in Synthetic Data", PoPETs 2023(2);
//! peer tool: Anonymeter 1.1, <https://github.com/statice/anonymeter>).
//!
//! Three attacks, each run against the originals the release was made from
//! (the *training* set) and, identically, against a *control* set of held-out
//! originals that never entered the release:
//!
//! - **singling out** ([`singling_out`]): predicates built from the release
//!   (univariate: rare values and extremes; multivariate: conjunctions over
//!   random columns of a random release record) that match exactly one
//!   original;
//! - **linkability** ([`linkability`]): the attacker knows two disjoint sets
//!   of columns of a target; a link is found when the target's nearest release
//!   neighbours on each set share a record;
//! - **attribute inference** ([`attribute_inference`]): the secret column of a
//!   target is guessed from its nearest release record on the other columns.
//!
//! Each returns counts, not rates ([`AttackCounts`]): attacks made and
//! successes of the attack, of the same attack on the control set and of a
//! random baseline. `crate::eval::inference` turns them into success rates
//! with Wilson score intervals and the residual risk
//! `(attack - control) / (1 - control)`, and builds the scored report.
//!
//! Differences from Anonymeter 1.1, all deliberate and documented where they
//! are made: the denominator of a singling-out rate is the number of queries
//! actually found, not the number requested; a control count scaled by the
//! size correction is capped at the number of queries (Anonymeter then takes
//! the square root of a negative variance, a math-domain error); a saturated
//! control rate gives a finite risk of 0 instead of a division by zero; two
//! missing values are at distance 0 (Anonymeter adds 1); the numeric
//! inference tolerance is relative to the true value (Anonymeter divides by
//! the guess); ties between neighbours are broken at random, independently
//! per query (Anonymeter takes numpy's sort order); every
//! random choice, baselines included, comes from the seed.
//!
//! The entry point is [`run_table_risk_attacks`]: it takes the three inputs
//! as [`EncodedTable`]s (the crate's one table value, as the readers and the
//! anonymizers produce it) and a [`RiskSchema`], prepares them once into the
//! attacks' index ([`RiskTables`], see [`table`]), runs the [`RiskPlan`] and
//! returns its [`RiskCounts`]. The CLI's `reident risk` and the audit both
//! call it, then `crate::eval::inference::score_risks`. [`run_risk_attacks`]
//! runs a plan on tables already prepared (the attack functions take the
//! prepared form too).
//!
//! This module does not load files and does not print.

pub mod attribute_inference;
pub mod linkability;
pub mod neighbors;
pub mod singling_out;
pub mod table;

use serde::{Deserialize, Serialize};

pub use attribute_inference::{attribute_inference_counts, InferenceCounts};
pub use linkability::{linkability_counts, LinkabilityCounts};
pub use singling_out::{singling_out_counts, SinglingOutCounts, SinglingOutMode};
pub use table::{ColumnKind, RiskSchema, RiskTable, RiskTables};

use crate::data::EncodedTable;

/// Errors of the Anonymeter-style risk evaluation.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// A parameter is out of range.
    #[error("invalid parameter `{name}`: {message}")]
    Parameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong and what to give instead.
        message: String,
    },
    /// A column asked for is not in one of the inputs.
    #[error("{source_name}: no column `{column}`; the columns are: {}", available.join(", "))]
    MissingColumn {
        /// File or label.
        source_name: String,
        /// The column asked for.
        column: String,
        /// The columns present.
        available: Vec<String>,
    },
    /// A column declared numeric holds a value that is not a number.
    #[error("{source_name}: column `{column}`, data row {row}: `{value}` is not a number; declare the column categorical or fix the value")]
    NotNumeric {
        /// File or label.
        source_name: String,
        /// The column.
        column: String,
        /// 1-based data row.
        row: usize,
        /// The offending value.
        value: String,
    },
    /// Encoding a frame into a table failed (from [`RiskTables::from_frames`]).
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// An input has no rows.
    #[error("{source_name} has no rows; the {role} set must hold at least one record")]
    Empty {
        /// File or label.
        source_name: String,
        /// original, release or control.
        role: &'static str,
    },
}

/// Parameters shared by the three attacks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskConfig {
    /// Attacks (targets or queries) per evaluation; Anonymeter's `n_attacks`.
    pub n_attacks: usize,
    /// Confidence level of the Wilson intervals, in (0, 1).
    pub confidence: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Columns per multivariate singling-out predicate (Anonymeter's `n_cols`).
    pub singling_out_columns: usize,
    /// Candidate predicates tried before multivariate singling out gives up.
    pub max_attempts: usize,
    /// Nearest neighbours per column set in the linkability attack.
    pub n_neighbors: usize,
    /// A numeric secret counts as inferred when `|guess - secret| <=
    /// tolerance * |secret|`.
    pub regression_tolerance: f64,
}

impl Default for RiskConfig {
    /// Anonymeter's defaults: 500 attacks, 95 % confidence, 3 columns, 1
    /// neighbour, tolerance 0.05; 100,000 attempts (Anonymeter: 10 million)
    /// and seed 0.
    fn default() -> Self {
        RiskConfig {
            n_attacks: 500,
            confidence: 0.95,
            seed: 0,
            singling_out_columns: 3,
            max_attempts: 100_000,
            n_neighbors: 1,
            regression_tolerance: 0.05,
        }
    }
}

impl RiskConfig {
    /// Checks the ranges of every field.
    pub fn validate(&self) -> Result<(), InferenceError> {
        if self.n_attacks == 0 {
            return Err(InferenceError::Parameter {
                name: "n_attacks",
                message: "must be at least 1".into(),
            });
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(InferenceError::Parameter {
                name: "confidence",
                message: format!("{} is not in (0, 1); use e.g. 0.95", self.confidence),
            });
        }
        if self.singling_out_columns == 0 {
            return Err(InferenceError::Parameter {
                name: "singling_out_columns",
                message: "must be at least 1".into(),
            });
        }
        if self.n_neighbors == 0 {
            return Err(InferenceError::Parameter {
                name: "n_neighbors",
                message: "must be at least 1".into(),
            });
        }
        if !(self.regression_tolerance >= 0.0 && self.regression_tolerance.is_finite()) {
            return Err(InferenceError::Parameter {
                name: "regression_tolerance",
                message: format!("{} must be a finite number >= 0", self.regression_tolerance),
            });
        }
        Ok(())
    }
}

/// What one attack counted: on the originals, by the random baseline and on
/// the control set. Scored by `crate::eval::inference::score_counts`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AttackCounts {
    /// Attacks made on the originals (targets or queries).
    pub n_attacks: usize,
    /// Successful attacks on the originals.
    pub n_success: usize,
    /// Attacks made by the random baseline.
    pub n_baseline_attacks: usize,
    /// Successful baseline attacks.
    pub n_baseline: usize,
    /// Attacks made on the control set.
    pub n_control_attacks: usize,
    /// Successful attacks on the control set; fractional only when
    /// singling out scales it by the control-size correction.
    pub n_control: f64,
}

/// Everything a [`RiskPlan`] counted; `crate::eval::inference::score_risks`
/// turns it into the scored report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskCounts {
    /// The parameters used.
    pub config: RiskConfig,
    /// Rows of the originals, release and control (before de-duplication).
    pub rows: [usize; 3],
    /// The columns used and how each was compared.
    pub columns: Vec<(String, ColumnKind)>,
    /// Univariate singling out.
    pub singling_out_univariate: Option<SinglingOutCounts>,
    /// Multivariate singling out.
    pub singling_out_multivariate: Option<SinglingOutCounts>,
    /// Linkability, when two column sets were given.
    pub linkability: Option<LinkabilityCounts>,
    /// Attribute inference, one per secret column.
    pub inference: Vec<InferenceCounts>,
}

/// Which attacks [`run_risk_attacks`] runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RiskPlan {
    /// Univariate singling out.
    pub univariate: bool,
    /// Multivariate singling out.
    pub multivariate: bool,
    /// Linkability with these two disjoint column sets.
    pub linkability: Option<(Vec<String>, Vec<String>)>,
    /// Attribute inference of each of these secret columns.
    pub secrets: Vec<String>,
    /// Columns the inference attacker knows (every non-secret column when
    /// empty).
    pub auxiliary: Vec<String>,
}

impl RiskPlan {
    /// Number of attacks the plan runs (for a progress bar).
    pub fn n_steps(&self) -> usize {
        self.univariate as usize
            + self.multivariate as usize
            + self.linkability.is_some() as usize
            + self.secrets.len()
    }
}

/// The three inputs of an evaluation, each the crate's one table value.
#[derive(Debug, Clone, Copy)]
pub struct RiskInputs<'a> {
    /// The originals the release was made from (the training set).
    pub original: &'a EncodedTable,
    /// The release.
    pub release: &'a EncodedTable,
    /// Held-out originals that never entered the release.
    pub control: &'a EncodedTable,
}

/// Prepares `inputs` over `schema` ([`RiskTables::prepare`]: one shared
/// dictionary per column, numbers parsed once per distinct value,
/// generalized release values read as the QI join reads them) and runs
/// every attack of `plan` ([`run_risk_attacks`]); `progress` is called
/// after each attack with its name. The one entry of `reident risk` and the
/// audit.
pub fn run_table_risk_attacks(
    inputs: RiskInputs,
    schema: &RiskSchema,
    config: &RiskConfig,
    plan: &RiskPlan,
    progress: &dyn Fn(&str),
) -> Result<RiskCounts, InferenceError> {
    let tables = RiskTables::prepare([inputs.original, inputs.release, inputs.control], schema)?;
    run_risk_attacks(&tables, config, plan, progress)
}

/// Runs every attack of `plan` on tables already prepared; `progress` is
/// called after each with the attack's name.
pub fn run_risk_attacks(
    tables: &RiskTables,
    config: &RiskConfig,
    plan: &RiskPlan,
    progress: &dyn Fn(&str),
) -> Result<RiskCounts, InferenceError> {
    config.validate()?;
    crate::data::cancel::check()?;
    let mut report = RiskCounts {
        config: config.clone(),
        rows: [
            tables.original.n_rows,
            tables.release.n_rows,
            tables.control.n_rows,
        ],
        columns: tables
            .names
            .iter()
            .cloned()
            .zip(tables.kinds.iter().copied())
            .collect(),
        singling_out_univariate: None,
        singling_out_multivariate: None,
        linkability: None,
        inference: Vec::new(),
    };
    if plan.univariate {
        report.singling_out_univariate = Some(singling_out_counts(
            tables,
            SinglingOutMode::Univariate,
            config,
        )?);
        progress("univariate singling out");
        crate::data::cancel::check()?;
    }
    if plan.multivariate {
        report.singling_out_multivariate = Some(singling_out_counts(
            tables,
            SinglingOutMode::Multivariate,
            config,
        )?);
        progress("multivariate singling out");
        crate::data::cancel::check()?;
    }
    if let Some((a, b)) = &plan.linkability {
        report.linkability = Some(linkability_counts(tables, a, b, config)?);
        progress("linkability");
        crate::data::cancel::check()?;
    }
    for secret in &plan.secrets {
        let auxiliary: Vec<String> = plan
            .auxiliary
            .iter()
            .filter(|c| *c != secret)
            .cloned()
            .collect();
        report.inference.push(attribute_inference_counts(
            tables, secret, &auxiliary, config,
        )?);
        progress("attribute inference");
        crate::data::cancel::check()?;
    }
    Ok(report)
}
