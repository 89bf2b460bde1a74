//! What a metrics evaluation is asked to compute: [`MetricsParams`], the
//! quasi-identifiers, sensitive attributes, hierarchies and policies of one
//! call of `evaluate` (in `report.rs`) and of the hidden quasi-identifier check
//! (`hidden_qi.rs`).
//!
//! It has a file of its own so that both of those can read it without
//! depending on each other (the report embeds the hidden-QI result, and the
//! check needs the parameters: a file-level cycle, issue #13). It holds no
//! computation beyond checking and setting its fields.

use std::collections::{BTreeSet, HashMap};

use super::{PrivacyError, SuppressedRows};
use crate::data::{EncodedTable, Hierarchy};

/// What to evaluate: quasi-identifiers, sensitive attributes and policies.
/// Built linfa-style:
///
/// ```
/// use reident::privacy::{MetricsParams, SuppressedRows};
/// let params = MetricsParams::new(["ZIPCode", "Age"])
///     .sensitive(["Salary", "Disease"])
///     .numeric("Salary")
///     .target_k(3)
///     .suppressed_rows(SuppressedRows::Exclude);
/// assert_eq!(params.quasi_identifiers, vec!["ZIPCode", "Age"]);
/// ```
#[derive(Debug, Clone)]
pub struct MetricsParams {
    /// Quasi-identifier columns (at least one).
    pub quasi_identifiers: Vec<String>,
    /// Sensitive columns (may be empty: then only k-anonymity is computed).
    pub sensitive: Vec<String>,
    /// Generalization hierarchies by column. A hierarchy for a sensitive
    /// attribute adds hierarchical-EMD t-closeness; others are ignored here.
    pub hierarchies: HashMap<String, Hierarchy>,
    /// Sensitive attributes whose values are numbers (ordered EMD; pyCANON
    /// uses ordered EMD for numeric dtypes).
    pub numeric: BTreeSet<String>,
    /// Target k for listing the records in smaller classes (default 2: the
    /// records unique on their quasi-identifiers).
    pub target_k: u64,
    /// Policy for rows whose quasi-identifiers are all suppressed.
    pub suppressed_rows: SuppressedRows,
    /// At most this many row ids are listed in the report (default 10,000);
    /// the count is always exact.
    pub max_listed_rows: usize,
    /// A record is "at risk" when its re-identification probability is
    /// strictly above this (default 0.2, one chance in five).
    pub risk_threshold: f64,
    /// Share of the population the table is a sample of, in `(0, 1]`. Enables
    /// population uniqueness (Zayatz, Pitman, SNB, Dankar rule) and, without a
    /// population table, journalist risk with `F_j` estimated as `f_j / pi`.
    pub sampling_fraction: Option<f64>,
    /// A population table with the same quasi-identifier columns, generalized
    /// the same way; its class sizes `F_j` give the journalist and marketer
    /// risk (El Emam 2013).
    pub population: Option<EncodedTable>,
    /// Column naming the person (subject) of each record, for releases with
    /// several records per person. With it, class sizes count distinct
    /// persons: k, the records below the target k, distinct l (over the
    /// persons' value sets, see [`super::distinct_l_diversity`]), the prosecutor,
    /// journalist and marketer risks, sample and population uniqueness use
    /// persons (a person with records in two classes counts in both, so the
    /// risks' `records` is the number of (person, class) pairs); entropy and
    /// recursive l, alpha, t-closeness, beta-likeness and
    /// delta-disclosure stay weighted by records. The report adds
    /// [`super::SubjectSummary`]. Cannot be combined with a population table (its
    /// class sizes count records).
    pub subject: Option<String>,
}

impl MetricsParams {
    /// Parameters for the given quasi-identifiers and defaults for the rest.
    pub fn new<I, S>(quasi_identifiers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        MetricsParams {
            quasi_identifiers: quasi_identifiers.into_iter().map(Into::into).collect(),
            sensitive: Vec::new(),
            hierarchies: HashMap::new(),
            numeric: BTreeSet::new(),
            target_k: 2,
            suppressed_rows: SuppressedRows::default(),
            max_listed_rows: 10_000,
            risk_threshold: 0.2,
            sampling_fraction: None,
            population: None,
            subject: None,
        }
    }

    /// Sets the subject (person) column: k, distinct l and the risks count
    /// persons, not records (see the field's documentation).
    pub fn subject(mut self, column: impl Into<String>) -> Self {
        self.subject = Some(column.into());
        self
    }

    /// Sets the sensitive attributes.
    pub fn sensitive<I, S>(mut self, sensitive: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.sensitive = sensitive.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a hierarchy, keyed by its `attribute`.
    pub fn hierarchy(mut self, hierarchy: Hierarchy) -> Self {
        self.hierarchies
            .insert(hierarchy.attribute.clone(), hierarchy);
        self
    }

    /// Replaces all hierarchies.
    pub fn hierarchies(mut self, hierarchies: HashMap<String, Hierarchy>) -> Self {
        self.hierarchies = hierarchies;
        self
    }

    /// Declares a sensitive attribute numeric (ordered EMD).
    pub fn numeric(mut self, attribute: impl Into<String>) -> Self {
        self.numeric.insert(attribute.into());
        self
    }

    /// Sets the target k (at least 1).
    pub fn target_k(mut self, k: u64) -> Self {
        self.target_k = k;
        self
    }

    /// Sets the policy for fully suppressed rows.
    pub fn suppressed_rows(mut self, policy: SuppressedRows) -> Self {
        self.suppressed_rows = policy;
        self
    }

    /// Sets how many row ids are listed at most.
    pub fn max_listed_rows(mut self, n: usize) -> Self {
        self.max_listed_rows = n;
        self
    }

    /// Sets the risk threshold (a probability in `[0, 1]`).
    pub fn risk_threshold(mut self, threshold: f64) -> Self {
        self.risk_threshold = threshold;
        self
    }

    /// Sets the sampling fraction (enables population uniqueness).
    pub fn sampling_fraction(mut self, pi: f64) -> Self {
        self.sampling_fraction = Some(pi);
        self
    }

    /// Sets the population table for journalist and marketer risk.
    pub fn population(mut self, population: EncodedTable) -> Self {
        self.population = Some(population);
        self
    }

    /// Checks the parameters before any work: the errors `evaluate` documents.
    pub(crate) fn validate(&self) -> Result<(), PrivacyError> {
        if self.target_k == 0 {
            return Err(PrivacyError::InvalidParameter {
                name: "target_k",
                message: "must be at least 1 (every class has at least one row)".to_string(),
            });
        }
        if !(0.0..=1.0).contains(&self.risk_threshold) {
            return Err(PrivacyError::InvalidParameter {
                name: "risk_threshold",
                message: format!(
                    "{} is not a probability; give a value in [0, 1]",
                    self.risk_threshold
                ),
            });
        }
        if let Some(pi) = self.sampling_fraction {
            if !(pi > 0.0 && pi <= 1.0) {
                return Err(PrivacyError::InvalidParameter {
                    name: "sampling_fraction",
                    message: format!(
                        "{pi} is not in (0, 1]; give the share of the population sampled"
                    ),
                });
            }
        }
        if let Some(subject) = &self.subject {
            if self.population.is_some() {
                return Err(PrivacyError::InvalidParameter {
                    name: "population",
                    message: format!(
                        "a population table cannot be combined with the subject column `{subject}`: its class sizes count records, not persons, which would understate the journalist risk; give a sampling fraction instead"
                    ),
                });
            }
        }
        if let Some(n) = self.numeric.iter().find(|n| !self.sensitive.contains(n)) {
            return Err(PrivacyError::InvalidParameter {
                name: "numeric",
                message: format!(
                    "`{n}` is declared numeric but is not a sensitive attribute ({}); numeric only applies to sensitive attributes",
                    self.sensitive.join(", ")
                ),
            });
        }
        Ok(())
    }
}
