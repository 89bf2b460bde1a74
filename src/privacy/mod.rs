//! Privacy properties of a release on its own: equivalence classes and the
//! metrics computed from them (k-anonymity, (alpha,k)-anonymity, distinct /
//! entropy / recursive (c,l)-diversity, t-closeness, basic and enhanced
//! beta-likeness, delta-disclosure).
//!
//! Everything here looks at the release alone; it never uses originals or
//! auxiliary data (that is `attacks`) and never prints. The shared core is
//! [`EquivalenceClasses`]: one group-by over the quasi-identifier codes that
//! yields class sizes and per-class sensitive-value counts, built once and
//! reused by every metric. [`evaluate`] runs everything and returns the serde
//! [`MetricsReport`] that other reports embed.
//!
//! Formulas follow pyCANON 1.3.6 (Sáinz-Pardo Díaz & López García, *A Python
//! library to check the level of anonymity of a dataset*, Scientific Data 9,
//! 2022), the reference the crate's results are checked against; where pyCANON
//! departs from the original paper the paper's value is reported next to it
//! and the difference is documented on the metric.
//!
//! Re-identification risk models (prosecutor / journalist / marketer) and
//! population uniqueness live in sibling modules that work on
//! [`EquivalenceClasses::unit_sizes`] (records, or distinct persons when a
//! subject column says which records belong to one person).
//! [`hidden_qi`] checks the columns left out of the quasi-identifiers.
//! [`direct_identifiers`] scans a table for columns of e-mails, phones, names,
//! logins, account ids and near-unique free text.

pub mod classes;
pub mod delta;
pub mod direct_identifiers;
pub mod hidden_qi;
pub mod k_anonymity;
pub mod l_diversity;
pub mod likeness;
pub mod params;
pub mod partitioned;
pub mod population;
pub mod report;
pub mod risk;
pub mod t_closeness;

pub use classes::{
    ClassOptions, EquivalenceClasses, ListedRows, SensitiveCounts, SubjectCounts, SubjectProfiles,
    SuppressedRows,
};
pub use delta::{delta_disclosure, DeltaDisclosure};
pub use hidden_qi::{
    detect_hidden_quasi_identifiers, CandidateRole, Determination, HiddenQiColumn, HiddenQiOptions,
    HiddenQiReport,
};
pub use k_anonymity::{
    alpha_k_anonymity, class_size_histogram, k_anonymity, records_below_k, AlphaK, ClassSizeBin,
    KAnonymity, RecordsBelowK,
};
pub use l_diversity::{
    distinct_l_diversity, distinct_l_per_class, entropy_l_diversity, recursive_cl_diversity,
    EntropyL, RecursiveCl,
};
pub use likeness::{basic_beta_likeness, enhanced_beta_likeness, BetaLikeness};
pub use params::MetricsParams;
pub use partitioned::PartitionedMetrics;
pub use report::{
    build_classes, evaluate, evaluate_classes, MetricsReport, OutOfCoreSummary, SubjectSummary,
    SCHEMA_VERSION,
};
pub use t_closeness::{
    emd_equal_distance, emd_ordered, equal_distance_per_class, t_closeness_equal_distance,
    t_closeness_hierarchical, t_closeness_ordered, GroundDistance, HierarchicalGround, TCloseness,
};

/// Errors from computing privacy metrics. Every variant names the data source
/// and, where it applies, the column, row and value, and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// The run was cancelled by its caller (`crate::data::cancel`).
    #[error(transparent)]
    Cancelled(#[from] crate::data::cancel::Cancelled),
    /// Invalid parameters or data for a metric.
    #[error("{0}")]
    Invalid(String),
    /// No quasi-identifier was named.
    #[error("{source_name}: no quasi-identifiers given; name at least one column that an adversary could know (e.g. age, ZIP code)")]
    NoQuasiIdentifiers {
        /// File or label of the table.
        source_name: String,
    },
    /// The table has no rows (or no columns).
    #[error("{source_name}: the table is empty; privacy metrics need at least one row")]
    EmptyTable {
        /// File or label of the table.
        source_name: String,
    },
    /// A named column is not in the table.
    #[error("{source_name}: {role} column `{column}` is not in the table; the columns are: {}", available.join(", "))]
    MissingColumn {
        /// File or label of the table.
        source_name: String,
        /// `quasi-identifier` or `sensitive`.
        role: &'static str,
        /// The column asked for.
        column: String,
        /// The columns the table has.
        available: Vec<String>,
    },
    /// A column was named twice, or as both quasi-identifier and sensitive.
    #[error("{source_name}: column `{column}` is listed {message}; list each column once, with one role")]
    DuplicateColumn {
        /// File or label of the table.
        source_name: String,
        /// The repeated column.
        column: String,
        /// How it was repeated.
        message: String,
    },
    /// Under [`SuppressedRows::Exclude`] every row was fully suppressed.
    #[error("{source_name}: all {n_rows} rows have every quasi-identifier suppressed (`*`), so no equivalence class is left; nothing was released for these quasi-identifiers (use SuppressedRows::OneClass to treat them as one class)")]
    AllRowsSuppressed {
        /// File or label of the table.
        source_name: String,
        /// Number of rows.
        n_rows: usize,
    },
    /// A parameter is out of range.
    #[error("parameter `{name}`: {message}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A metric was asked for a sensitive attribute the classes were not built with.
    #[error("`{attribute}` is not a sensitive attribute of these equivalence classes (they have: {}); add it to the sensitive attributes", available.join(", "))]
    UnknownSensitive {
        /// The attribute asked for.
        attribute: String,
        /// The sensitive attributes available.
        available: Vec<String>,
    },
    /// A numeric (ordered) sensitive attribute holds a value that is not a number.
    #[error("{source_name}: column `{column}`, data row {row} (1-based, header not counted): value `{value}` is not a number, but the column was declared numeric for ordered t-closeness; fix the value or do not declare the column numeric")]
    NotNumeric {
        /// File or label of the table.
        source_name: String,
        /// Column name.
        column: String,
        /// 1-based data row (header not counted), as in the data module.
        row: u64,
        /// The offending value.
        value: String,
    },
    /// A sensitive value is not a leaf of the hierarchy given for its column.
    #[error("{source_name}: column `{column}`, data row {row} (1-based, header not counted): value `{value}` is not a leaf of the hierarchy for `{column}`; add it to the hierarchy file")]
    NotInHierarchy {
        /// File or label of the table.
        source_name: String,
        /// Column name.
        column: String,
        /// 1-based data row (header not counted), as in the data module.
        row: u64,
        /// The offending value.
        value: String,
    },
    /// A hierarchy cannot serve as the ground distance of hierarchical EMD.
    #[error("hierarchy for `{attribute}`: {message}")]
    BadHierarchy {
        /// Attribute of the hierarchy.
        attribute: String,
        /// What is wrong.
        message: String,
    },
}
