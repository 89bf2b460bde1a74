//! # reident — does this "anonymized" release still leak its sources?
//!
//! `reident` takes a release (tables and/or text) together with the originals
//! it was made from, measures the formal guarantees a vendor claims
//! (k-anonymity, l-diversity, t-closeness, epsilon) and runs the attacks a real
//! adversary would run.
//!
//! ## Threat model
//!
//! The adversary sees the release and some auxiliary knowledge about the people
//! or documents in it (at most the originals themselves). Metrics in
//! [`privacy`] use the release alone; attacks use the release plus auxiliary
//! data; [`dp`] estimates epsilon from paired data and runs mechanisms for
//! black-box audits; [`eval`] scores what they return (intervals, ROC/EER,
//! epsilon lower bounds, verdicts).
//!
//! ## Glossary
//!
//! * **quasi-identifier (QI)**: an attribute that is not identifying alone but
//!   is in combination (age, ZIP code, sex).
//! * **equivalence class**: the release rows that share all QI values.
//! * **sensitive attribute**: what the adversary wants to learn (diagnosis, salary).
//! * **suppressed value**: `*`, the value was removed by the anonymizer.
//!
//! ## Module map
//!
//! Data flows one way: [`data`] → ([`privacy`] | [`attacks`] | [`dp`]) → [`eval`] → [`report`]; `cli` only composes.
//!
//! * [`data`]: loading, column roles, missing values, generalized values, hierarchies.
//! * [`privacy`]: equivalence classes and every metric of a release alone.
//! * [`attacks`]: record linkage, inference, unicity, stylometry, text leakage.
//! * [`dp`]: epsilon estimation from paired data; mechanisms and their audit trials.
//! * [`eval`]: scoring: rates with Wilson/Clopper-Pearson intervals, ROC/PR/EER/AUC,
//!   epsilon lower bounds from trials, the claim decision rules. A new
//!   statistic of an attack outcome goes here, not in the attack.
//! * [`report`]: the report model, Markdown/HTML views and charts.
//! * [`anonymize`]: reference anonymizers that produce releases for experiments.
//! * [`synth`]: a seeded Atlassian-style corpus generator.
//! * [`cli`]: the `reident` command-line interface (thin wrappers).

pub mod anonymize;
pub mod attacks;
pub mod audit;
pub mod cli;
pub mod data;
pub mod dp;
pub mod eval;
pub mod privacy;
pub mod report;
pub mod synth;
