//! The names most programs need, in one import:
//!
//! ```
//! use reident::prelude::*;
//! ```
//!
//! Loading ([`load_table`], [`read_frame`], [`ReadOptions`]), the release-only
//! metrics ([`evaluate`], [`MetricsParams`]), the linkage attacks ([`link`],
//! [`qi_join`], [`LinkageConfig`]), the scoring layer ([`Rate`],
//! [`Verdict`]) and the audit ([`AuditConfig`], [`run_audit`]). Everything
//! else is reached through its module.

pub use crate::attacks::linkage::{
    link, parse_blocking_rules, parse_comparisons, qi_join, LinkageConfig, LinkageResult,
    QiJoinResult,
};
pub use crate::audit::{run_audit, AuditConfig, AuditOptions, AuditOutcome, ClaimConfig};
pub use crate::data::{
    load_table, read_frame, CategoricalColumn, EncodedTable, Hierarchy, MissingPolicy, ReadOptions,
    ValueKind,
};
pub use crate::eval::{Interval, Rate, Verdict};
pub use crate::privacy::{evaluate, MetricsParams, MetricsReport};
pub use crate::report::{ClaimVerdict, Report};
